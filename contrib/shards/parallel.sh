#!/bin/sh
# secondsight - one archive in N shards on one machine with GNU parallel (apt-get
# install parallel), then the shards' findings merged by timestamp. Each shard reads
# every file but analyses only its host pairs (analyze --shard K/N), so the N outputs
# together are what one whole run reports; N at most the number of cores.
#
#   contrib/shards/parallel.sh N OUTDIR FILE...
#   e.g. contrib/shards/parallel.sh "$(nproc)" results /archive/2026-*/*.pcap
# Exit status: 2 when a shard failed (a damaged file, a full disk), else 0.
set -eu
[ $# -ge 3 ] || { echo "usage: parallel.sh N OUTDIR FILE..." >&2; exit 2; }
n=$1 out=$2
shift 2
mkdir -p "$out"
seq 0 $((n - 1)) | parallel -q -j "$n" --joblog "$out/joblog" \
    secondsight analyze --json -q --shard "{}/$n" -o "$out/shard-{}.jsonl" "$@" || true
# secondsight exits 1 when it found something: only 2 or more (or a signal) is a failure.
awk -F'\t' 'NR > 1 && ($7 > 1 || $8 > 0) { bad = 1 } END { exit bad }' "$out/joblog" ||
    status=2
"$(dirname "$0")"/merge-findings "$out"/shard-*.jsonl >"$out"/findings.jsonl
exit "${status:-0}"
