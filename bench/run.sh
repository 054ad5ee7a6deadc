#!/usr/bin/env bash
# Benchmark: builds assay and its judges, installs the Python baselines'
# packages, then runs bench.py (100k and 1M rows by default; --rows to change,
# --quick for 100k rows once, --json FILE to keep the figures).
set -euo pipefail
cd "$(dirname "$0")/.."
rustup target add wasm32-wasip2 >/dev/null 2>&1 || true
cargo build --release --quiet
target/release/assay judge build --all >/dev/null
python3 -m pip install --quiet jsonschema orjson jsonschema-rs
exec python3 bench/bench.py "$@"
