#!/usr/bin/env bash
# The README's test command: the same set-up as lab.sh plus what tests need, then every test.
# Extra arguments go to pytest (for example: scripts/test.sh -k sandbox).
set -euo pipefail
WASIKERNEL_EXTRAS=test WASIKERNEL_SITE=1 . "$(dirname "${BASH_SOURCE[0]}")/setup.sh"

need=()
command -v dot >/dev/null || need+=(graphviz)
[ -d /usr/lib/rustlib/wasm32-wasi ] || need+=(rustc libstd-rust-dev-wasm32)
command -v chromium >/dev/null || need+=(chromium)
# clang + lld + wasi-libc: the optional second C toolchain, and wasm-ld for link-time wrapping
command -v clang >/dev/null || need+=(clang)
command -v wasm-ld >/dev/null || need+=(lld)
[ -d /usr/include/wasm32-wasi ] || need+=(wasi-libc)
# compiler-rt builtins for wasm32: clang links them into every wasm32-wasi program
ls /usr/lib/llvm-*/lib/clang/*/lib/wasi/libclang_rt.builtins-wasm32.a >/dev/null 2>&1 \
  || need+=(libclang-rt-14-dev-wasm32)
# llvm-symbolizer: source lines (cell.c:4) in the backtraces of C and Rust cells built with -g
ls /usr/bin/llvm-symbolizer* >/dev/null 2>&1 || need+=(llvm)
# runc + busybox-static: a container started without a daemon or an image registry, for the
# comparison's container start-up row
command -v runc >/dev/null || need+=(runc)
dpkg -s busybox-static >/dev/null 2>&1 || need+=(busybox-static)
if [ ${#need[@]} -gt 0 ]; then
  apt_install "${need[@]}" || { say "the tests need the packages above"; exit 1; }
fi

cd "$ROOT"
say "ruff check"
"$VENV/bin/ruff" check wasikernel tests benchmarks
say "pytest"
exec "$VENV/bin/python" -m pytest "$@"
