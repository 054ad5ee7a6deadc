#!/usr/bin/env bash
# The Kubernetes flow of this directory with N local processes: the tested
# stand-in for shard-job.yaml and merge-job.yaml. Same commands, same files.
#
#   DATA=/path/to/volume N=4 ./local.sh
#
# DATA holds what the PersistentVolumeClaim holds: input.jsonl, output.jsonl,
# errors.jsonl, schema.json and prices.json. The shards write their partials
# to $DATA/partials/part-$I-of-$N.gz; the merge prints the run's summary
# (JSON) on stdout and exits as `assay eval` would (0, 1 gate, 3 bad lines...).
set -euo pipefail

ASSAY=${ASSAY:-assay}
N=${N:-4}
: "${DATA:?set DATA to the directory holding the inputs}"
mkdir -p "$DATA/partials"

shard() {
  local i=$1
  "$ASSAY" eval --quiet --no-history \
    --input "$DATA/input.jsonl" \
    --results "$DATA/output.jsonl,$DATA/errors.jsonl" \
    --judge schema-drift --set "schema-drift.schema=@$DATA/schema.json" \
    --judge cost-per-row --set "cost-per-row.prices=@$DATA/prices.json" \
    --segment-size 250 --max-bad-lines "${MAX_BAD_LINES:-0}" \
    --shard "$i/$N" --partial-out "$DATA/partials/part-$i-of-$N.gz" \
    --format json >"$DATA/partials/part-$i-of-$N.log"
}

pids=()
for ((i = 0; i < N; i++)); do
  shard "$i" &
  pids+=($!)
done
failed=0
for i in "${!pids[@]}"; do
  if ! wait "${pids[$i]}"; then
    echo "shard $i/$N failed" >&2
    failed=1
  fi
done
[ "$failed" = 0 ] || exit 1

parts=()
for ((i = 0; i < N; i++)); do parts+=("$DATA/partials/part-$i-of-$N.gz"); done
exec "$ASSAY" merge "${parts[@]}" --format json
