#!/usr/bin/env bash
# Benchmark: builds assay and its judges, installs the Python baselines'
# packages, then runs bench.py (100k and 1M rows by default; --rows to change,
# --quick for 100k rows once, --json FILE to keep the figures). The bench-only native
# build (--features bench-native) runs the sandbox price beside them.
set -euo pipefail
cd "$(dirname "$0")/.."
rustup target add wasm32-wasip2 >/dev/null 2>&1 || true
# The bench-only native build (the sandbox price) first, kept as target/bench-native/assay;
# then the shipped build, so target/release/assay is always the default one.
cargo build --release --quiet --features bench-native
mkdir -p target/bench-native
cp target/release/assay target/bench-native/assay
cargo build --release --quiet
target/release/assay judge build --all >/dev/null
python3 -m pip install --quiet jsonschema orjson jsonschema-rs
exec python3 bench/bench.py "$@"
