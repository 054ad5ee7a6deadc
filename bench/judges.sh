#!/usr/bin/env bash
# Per-row cost of a Python and a JavaScript judge next to a Rust one: builds assay,
# the built-in judges and the two example judges (componentize-py 0.25.1 from PyPI,
# ComponentizeJS from the example's package-lock.json), then runs bench/judges.py.
# Extra arguments go to judges.py (e.g. --rows 50000).
set -euo pipefail
cd "$(dirname "$0")/.."
rustup target add wasm32-wasip2 >/dev/null 2>&1 || true
cargo build --release --quiet
target/release/assay judge build --all >/dev/null
command -v componentize-py >/dev/null || python3 -m pip install --quiet componentize-py==0.25.1
(cd examples/judges/js-length && [ -x node_modules/.bin/componentize-js ] || npm ci --no-audit --no-fund)
out=bench/out/judges-staged
export ASSAY="$PWD/target/release/assay"
examples/judges/python-competitor/build.sh "$out" >/dev/null
examples/judges/js-length/build.sh "$out" >/dev/null
exec python3 bench/judges.py --plugin-dir "$out" "$@"
