#!/usr/bin/env bash
# The README's static-site command: the same set-up as lab.sh plus what the site is built from
# (npm's pyodide and wabt, PyPI's jupyterlite and wheels), then `wasikernel lite build OUT`
# (OUT defaults to site/). Extra arguments go to the build (for example: --fr).
set -euo pipefail
WASIKERNEL_SITE=1 . "$(dirname "${BASH_SOURCE[0]}")/setup.sh"
out="${1:-$ROOT/site}"
[ $# -gt 0 ] && shift
exec "$VENV/bin/wasikernel" lite build "$out" "$@"
