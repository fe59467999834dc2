#!/usr/bin/env bash
# secondsight bench - secondsight, Suricata 7 and the libpcap read (tcpdump) side by
# side on the same captures, alternating runs, medians. Each capture is copied to
# /dev/shm first so every tool reads from memory (this machine evicts idle files from
# the page cache). Suricata runs single-threaded with the stream and decoder event
# rules only and checksum validation off: the closest same job.
# usage: bench/compare.sh BINARY [--runs N] CAPTURE...
set -euo pipefail
bin=$(realpath "${1:?usage: compare.sh BINARY [--runs N] CAPTURE...}")
shift
runs=5
if [ "${1:-}" = "--runs" ]; then runs=$2; shift 2; fi
[ $# -gt 0 ] || { echo "usage: compare.sh BINARY [--runs N] CAPTURE..." >&2; exit 2; }

here=$(cd "$(dirname "$0")" && pwd)
"$here/install-suricata.sh" >/dev/null
work=$(mktemp -d /dev/shm/ss-compare.XXXXXX)
trap 'rm -rf "$work"' EXIT
cat /etc/suricata/rules/stream-events.rules /etc/suricata/rules/decoder-events.rules \
    > "$work/rules"

median() { sort -g | awk '{a[NR]=$1} END {m=(NR+1)/2; if (NR%2) print a[m]; else print (a[NR/2]+a[NR/2+1])/2}'; }

# run NAME CMD...: appends "seconds peak-kB" to $work/NAME.times (wall time from the
# nanosecond clock, peak RSS from GNU time)
run() {
    local name=$1 t0 t1
    shift
    t0=$(date +%s%N)
    /usr/bin/time -f "%M" -o "$work/t" "$@" >/dev/null 2>&1 || true
    t1=$(date +%s%N)
    echo "$(echo "($t1 - $t0) / 1000000000" | bc -l) $(cat "$work/t")" >> "$work/$name.times"
}

printf '%-34s %-12s %9s %9s %11s %9s %9s %8s\n' capture tool median_s MB/s packets/s peak_MB findings ratio
for src in "$@"; do
    cap=$work/$(basename "$src")
    cp "$src" "$cap"
    rm -f "$work"/*.times
    for i in $(seq 1 "$runs"); do
        run tcpdump tcpdump -r "$cap" -w /dev/null
        run secondsight "$bin" analyze --json -o "$work/ss.jsonl" "$cap"
        rm -rf "$work/sur" && mkdir "$work/sur"
        run suricata suricata --runmode single -k none -r "$cap" -l "$work/sur" -S "$work/rules"
    done
    mb=$(echo "$(stat -c %s "$cap") / 1000000" | bc -l)
    pk=$(tcpdump -n -q -r "$cap" 2>/dev/null | wc -l) # -n: no name lookups
    ss_f=$(grep -c '"event_type":"alert"' "$work/ss.jsonl" || true)
    su_f=$(grep -c '"event_type":"alert"' "$work/sur/eve.json" 2>/dev/null || true)
    t_tcpdump=$(awk '{print $1}' "$work/tcpdump.times" | median)
    for tool in tcpdump secondsight suricata; do
        t=$(awk '{print $1}' "$work/$tool.times" | median)
        rss=$(awk '{print $2}' "$work/$tool.times" | median)
        f=-
        [ "$tool" = secondsight ] && f=$ss_f
        [ "$tool" = suricata ] && f=$su_f
        printf '%-34s %-12s %9.3f %9.0f %11.0f %9.1f %9s %8.2f\n' "$(basename "$src")" "$tool" \
            "$t" "$(echo "$mb/$t" | bc -l)" "$(echo "$pk/$t" | bc -l)" "$(echo "$rss/1024" | bc -l)" \
            "$f" "$(echo "$t/$t_tcpdump" | bc -l)"
    done
    rm -f "$cap"
done
echo "(ratio: median time over tcpdump's; $runs alternating runs each; findings of the last run)"
