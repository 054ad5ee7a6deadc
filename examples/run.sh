#!/usr/bin/env bash
# README set-up, first command: build assay and its built-in judges, then
# evaluate the bundled 2,000-row OpenAI batch job. Extra arguments are passed
# to `assay eval` (e.g. --format json).
set -euo pipefail
cd "$(dirname "$0")/.."
rustup target add wasm32-wasip2 >/dev/null 2>&1 || true
# ASSAY_PROFILE picks the cargo profile (default release). CI passes `dev`, so
# the test build that follows reuses this build instead of making a second one.
profile="${ASSAY_PROFILE:-release}"
cargo build --profile "$profile" --quiet
assay="target/$([ "$profile" = dev ] && echo debug || echo "$profile")/assay"
"$assay" judge build --all >/dev/null
exec "$assay" eval --provider openai \
  --input examples/data/openai_input.jsonl \
  --results examples/data/openai_output.jsonl,examples/data/openai_errors.jsonl \
  --judge schema-drift --set schema-drift.schema=@examples/data/schema.json \
  --judge cost-per-row --set cost-per-row.prices=@examples/data/prices.json \
  --segment-size 250 "$@"
