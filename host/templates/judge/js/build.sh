#!/usr/bin/env bash
# build.sh [OUT_DIR]: builds {{name}} with ComponentizeJS and stages it into
# OUT_DIR/{{name}}/ (default OUT_DIR: ./staged) with its sha256.
#
# Needs: node >= 18 (installs the pinned ComponentizeJS from package.json on
# first use; COMPONENTIZE_JS=/path/to/componentize-js uses an existing one),
# and `assay` on PATH (or ASSAY=/path/to/assay).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
out=$(mkdir -p "${1:-$here/staged}" && cd "${1:-$here/staged}" && pwd)
cd "$here"
cjs=${COMPONENTIZE_JS:-node_modules/.bin/componentize-js}
if [ -z "${COMPONENTIZE_JS:-}" ] && [ ! -x "$cjs" ]; then
    npm install --no-audit --no-fund
fi
mkdir -p build
# -d ...: no http, fetch, random or clocks (assay refuses wasi:http). stdio
# stays on: console.* and an uncaught exception's message and stack go to
# stdout/stderr, which assay captures for --judge-log and the row's failure.
"$cjs" src/judge.js --wit wit --world-name judge \
    -d http fetch-event random clocks -o build/{{crate}}.wasm
"${ASSAY:-assay}" judge stage "$here" --wasm "$here/build/{{crate}}.wasm" --out "$out"
