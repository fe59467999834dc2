#!/usr/bin/env bash
# secondsight bench - instructions executed, secondsight `analyze --json` beside the
# libpcap read (`tcpdump -r F -w /dev/null`), on the same captures: a measure a loaded
# machine does not disturb, unlike time. `perf stat -e instructions` where the CPU
# counts them (hardware counters); in a VM without them (this one), valgrind's exact
# count (callgrind's "I refs", about 50 times slower than a run).
# usage: bench/instructions.sh BINARY CAPTURE...
set -euo pipefail
bin=$(realpath "${1:?usage: instructions.sh BINARY CAPTURE...}")
shift
[ $# -gt 0 ] || { echo "usage: instructions.sh BINARY CAPTURE..." >&2; exit 2; }
work=$(mktemp -d /dev/shm/ss-instr.XXXXXX)
chmod 777 "$work" # tcpdump drops privileges before valgrind writes its file
trap 'rm -rf "$work"' EXIT

use_perf=0
if perf stat -x, -e instructions true 2>&1 | grep -qE '^[0-9]+,'; then use_perf=1; fi

# count CMD...: instructions CMD executes (whatever its exit status: analyze exits 1
# when it finds something)
count() {
    if [ $use_perf = 1 ]; then
        { perf stat -x, -e instructions "$@" 2>&1 >/dev/null || true; } |
            awk -F, '/instructions/ {print $1}'
    else
        { valgrind --tool=callgrind --callgrind-out-file="$work/cg" "$@" 2>&1 >/dev/null || true; } |
            awk '/refs:/ {gsub(",", "", $NF); print $NF}'
    fi
}

printf '%-28s %16s %16s %8s  (%s)\n' capture tcpdump secondsight ratio \
    "$([ $use_perf = 1 ] && echo "perf stat" || echo "valgrind I refs")"
for src in "$@"; do
    cap=$work/$(basename "$src")
    cp "$src" "$cap"
    t=$(count tcpdump -Z root -r "$cap" -w /dev/null)
    s=$(count "$bin" analyze --json -o "$work/out.jsonl" "$cap")
    printf '%-28s %16s %16s %8.2f\n' "$(basename "$src")" "$t" "$s" "$(echo "$s / $t" | bc -l)"
    rm -f "$cap"
done
