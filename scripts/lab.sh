#!/usr/bin/env bash
# The README's run command: set up, then serve JupyterLab on the lessons with the WASI kernel.
# Environment: PORT (default 8888), WASIKERNEL_VENV (default .venv).
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/setup.sh"
# Optional Debian packages for the lessons: graphviz draws the sandbox diagrams, Debian's rustc
# has the wasm32 standard library. The C toolchain (zig) comes with the Python packages.
need=()
command -v dot >/dev/null || need+=(graphviz)
[ -d /usr/lib/rustlib/wasm32-wasi ] || need+=(rustc libstd-rust-dev-wasm32)
if [ ${#need[@]} -gt 0 ]; then
  apt_install "${need[@]}" || say "continuing without ${need[*]}: Rust cells and diagrams will say what is missing"
fi
# zig builds its libc for wasm32-wasi once per machine (about a minute): the warm-up starts that
# build in the background as soon as the server answers, so the first C cell finds it done or
# under way; the time it took is kept in the cache and quoted by the next announcement.
port="${PORT:-8888}"
cache="${WASIKERNEL_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/wasikernel}"
mkdir -p "$cache"
nice "$VENV/bin/wasikernel" warmup --languages c --wait-for "127.0.0.1:$port" \
  > "$cache/warmup.log" 2>&1 < /dev/null &
say "warming the C compiler in the background (log: $cache/warmup.log)"
# The server's root is the repository, so the gallery (notebooks/) is one click away; the URL
# printed opens on lessons/.
say "starting JupyterLab on lessons/ (open the http://127.0.0.1 URL with its token printed below)"
root_flag=(); is_root && root_flag=(--allow-root)
exec "$VENV/bin/jupyter" lab "${root_flag[@]}" --no-browser --ip=127.0.0.1 --port="$port" \
  --ServerApp.root_dir="$ROOT" --LabApp.default_url=/lab/tree/lessons "$@"
