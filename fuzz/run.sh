#!/usr/bin/env bash
# fuzz/run.sh [SECONDS] [--readers-only]: builds every fuzz target and runs
# each for SECONDS (default 30) from the committed seed corpus; exits non-zero
# on the first crash, leak, timeout or out-of-memory (the input is kept under
# fuzz/artifacts/<target>/). Works on stable Rust: `-s none` builds without a
# sanitizer, so cargo-fuzz only passes the stable sancov `-C` flags.
# New corpus entries go to target/work/<target>, never into corpus/.
#
# --readers-only skips the manifest and policy targets, the two that need the
# host crate (the `config` feature): the build then leaves out wasmtime and
# the network clients and takes a minute or two instead of 10-15 on 2 cores.
# CI runs this form; the full one is for a longer run by hand.
set -euo pipefail
secs=30
features=()
for arg in "$@"; do
    case "$arg" in
        --readers-only) features=(--no-default-features) ;;
        *) secs="$arg" ;;
    esac
done
cd "$(dirname "$0")"
cargo fuzz build -s none "${features[@]}"
# Whether target $1's [[bin]] in Cargo.toml has required-features.
needs_features() {
    awk -v t="\"$1\"" '/^\[\[bin\]\]/ { name = "" } /^name = / { name = $3 }
        /^required-features/ && name == t { found = 1 } END { exit !found }' Cargo.toml
}
# `cargo fuzz list` names every target, built or not.
for t in $(cargo fuzz list); do
    if [ ${#features[@]} -gt 0 ] && needs_features "$t"; then
        echo "== $t: skipped (--readers-only)"
        continue
    fi
    work="target/work/$t"
    mkdir -p "$work"
    log="target/work/$t.log"
    echo "== $t: ${secs}s"
    if ! cargo fuzz run -s none "${features[@]}" "$t" "$work" "corpus/$t" -- \
        -max_total_time="$secs" -max_len=16384 -timeout=10 \
        -rss_limit_mb=1024 -malloc_limit_mb=256 -print_final_stats=1 >"$log" 2>&1; then
        tail -n 60 "$log" >&2
        echo "fuzz target $t failed (log: fuzz/$log)" >&2
        exit 1
    fi
    grep -E '^(Done|stat::number_of_executed_units)' "$log" || true
done
echo "all fuzz targets ran clean for ${secs}s each"
