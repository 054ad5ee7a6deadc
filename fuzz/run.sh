#!/usr/bin/env bash
# fuzz/run.sh [SECONDS]: builds every fuzz target and runs each for SECONDS
# (default 30) from the committed seed corpus; exits non-zero on the first
# crash, leak, timeout or out-of-memory (the input is kept under
# fuzz/artifacts/<target>/). Works on stable Rust: `-s none` builds without a
# sanitizer, so cargo-fuzz only passes the stable sancov `-C` flags.
# New corpus entries go to target/work/<target>, never into corpus/.
set -euo pipefail
secs="${1:-30}"
cd "$(dirname "$0")"
cargo fuzz build -s none
for t in $(cargo fuzz list); do
    work="target/work/$t"
    mkdir -p "$work"
    log="target/work/$t.log"
    echo "== $t: ${secs}s"
    if ! cargo fuzz run -s none "$t" "$work" "corpus/$t" -- \
        -max_total_time="$secs" -max_len=16384 -timeout=10 \
        -rss_limit_mb=1024 -malloc_limit_mb=256 -print_final_stats=1 >"$log" 2>&1; then
        tail -n 60 "$log" >&2
        echo "fuzz target $t failed (log: fuzz/$log)" >&2
        exit 1
    fi
    grep -E '^(Done|stat::number_of_executed_units)' "$log" || true
done
echo "all fuzz targets ran clean for ${secs}s each"
