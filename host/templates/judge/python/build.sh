#!/usr/bin/env bash
# build.sh [OUT_DIR]: builds {{name}} with componentize-py and stages it into
# OUT_DIR/{{name}}/ (default OUT_DIR: ./staged) with its sha256.
#
# Needs: python3 -m pip install componentize-py==0.25.1, and `assay` on PATH
# (or ASSAY=/path/to/assay). COMPONENTIZE_PY overrides the componentize-py command.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
out=$(mkdir -p "${1:-$here/staged}" && cd "${1:-$here/staged}" && pwd)
cpy=${COMPONENTIZE_PY:-componentize-py}
mkdir -p "$here/build"
# Run from build/ so only src/ (given with -p) is bundled as the app's Python path.
# --stub-wasi: the CPython runtime imports wasi:sockets, which assay refuses.
(cd "$here/build" && "$cpy" -d "$here/wit" -w judge \
    componentize --stub-wasi -p "$here/src" app -o "$here/build/{{crate}}.wasm")
"${ASSAY:-assay}" judge stage "$here" --wasm "$here/build/{{crate}}.wasm" --out "$out"
