#!/usr/bin/env bash
# build.sh OUT_DIR: builds the mentions-competitor judge with componentize-py and stages
# it into OUT_DIR/mentions-competitor/ (judge.toml with sha256 + the .wasm).
#
# Needs: python3 -m pip install componentize-py==0.25.1  (or set COMPONENTIZE_PY=/path/to/it)
#
# STUB_WASI=1 (default) passes --stub-wasi: every WASI import is replaced by a trapping
# stub, so the component imports only assay:judge/*. The judge must then never touch
# WASI at run time (no print(), open(), time.time(), os.urandom(); log with
# wit_world.imports.host.log instead). It instantiates 38 core instances, above the
# host's current max_instances (32): see ../README.md.
# STUB_WASI=0 keeps the CPython runtime's WASI imports, including wasi:sockets/*, which
# the host refuses at load time.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
out=$(mkdir -p "${1:?usage: build.sh OUT_DIR}" && cd "$1" && pwd)
cpy=${COMPONENTIZE_PY:-componentize-py}
stub=()
[ "${STUB_WASI:-1}" = 1 ] && stub=(--stub-wasi)
mkdir -p "$here/build"
# Run from build/ so only src/ (given with -p) is bundled as the app's Python path.
(cd "$here/build" && "$cpy" -d "$here/../../../wit/v0.1" -w judge \
    componentize "${stub[@]}" -p "$here/src" app -o "$here/build/mentions_competitor.wasm")
"$here/../stage.sh" "$here" "$here/build/mentions_competitor.wasm" "$out"
