#!/usr/bin/env bash
# build.sh OUT_DIR: builds the length-format judge with ComponentizeJS and stages it
# into OUT_DIR/length-format/ (judge.toml with sha256 + the .wasm).
#
# Needs: node >= 18; installs the pinned ComponentizeJS from package.json on first use.
#
# `-d http fetch-event random clocks`: no fetch(), Math.random()/crypto, Date.now().
# stdio stays on, so console.* and an uncaught exception's message and stack reach
# the host's captured stdout/stderr (--judge-log, the row's failure detail); its
# WASI imports are all granted ones. `-d http fetch-event` alone leaves only
# granted wasi:{io,cli,clocks,filesystem,random} imports, which the host also accepts.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
out=$(mkdir -p "${1:?usage: build.sh OUT_DIR}" && cd "$1" && pwd)
cd "$here"
[ -x node_modules/.bin/componentize-js ] || npm install --no-audit --no-fund
mkdir -p build
node_modules/.bin/componentize-js src/judge.js --wit ../../../wit/v0.1 --world-name judge \
    -d http fetch-event random clocks -o build/length_format.wasm
"$here/../stage.sh" "$here" build/length_format.wasm "$out"
