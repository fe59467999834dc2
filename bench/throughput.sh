#!/usr/bin/env bash
# secondsight bench - read speed of `secondsight analyze` against libpcap alone
# (`tcpdump -r FILE -w /dev/null`) on one capture, alternating runs, medians.
# The capture is copied to /dev/shm first so both read from memory.
# usage: bench/throughput.sh BINARY CAPTURE [RUNS]
# THREADS="1 2" also times `--threads 2` (each count in the list, in the same rounds).
set -euo pipefail
bin=${1:?usage: throughput.sh BINARY CAPTURE [RUNS]}
src=${2:?usage: throughput.sh BINARY CAPTURE [RUNS]}
runs=${3:-5}
cap=/dev/shm/ss-bench-$$.pcap
trap 'rm -f "$cap"' EXIT
cp "$src" "$cap"

secs() { # prints wall seconds of a command
    local t0 t1
    t0=$(date +%s.%N); "$@" >/dev/null 2>&1 || true; t1=$(date +%s.%N)
    echo "$t1 - $t0" | bc -l
}
median() { sort -g | awk '{a[NR]=$1} END {m=(NR+1)/2; if (NR%2) print a[m]; else print (a[NR/2]+a[NR/2+1])/2}'; }

threads=${THREADS:-1}
ts=()
declare -A ss
for i in $(seq 1 "$runs"); do
    ts+=("$(secs tcpdump -r "$cap" -w /dev/null)")
    for t in $threads; do
        ss[$t]+="$(secs "$bin" analyze --json --threads "$t" -o /dev/null "$cap") "
    done
done
mt=$(printf '%s\n' "${ts[@]}" | median)
mb=$(echo "$(stat -c %s "$cap") / 1000000" | bc -l)
pk=$(tcpdump -n -q -r "$cap" 2>/dev/null | wc -l) # -n: no name lookups
printf 'capture %s: %.0f MB, %d packets, %d alternating runs\n' "$src" "$mb" "$pk" "$runs"
printf '%-30s %8s %10s %12s %8s\n' tool median_s MB/s packets/s ratio
row() { printf '%-30s %8.3f %10.0f %12.0f %8.2f\n' "$1" "$2" "$(echo "$mb/$2" | bc -l)" \
            "$(echo "$pk/$2" | bc -l)" "$(echo "$2/$mt" | bc -l)"; }
row "tcpdump -r -w /dev/null" "$mt"
for t in $threads; do
    row "secondsight --threads $t" "$(printf '%s\n' ${ss[$t]} | median)"
done
echo "ratio: median time / tcpdump's median time"
