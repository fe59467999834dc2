#!/usr/bin/env bash
# secondsight bench - `secondsight diff` on a capture pair against libpcap reading the
# same two files (`tcpdump -r IN -w /dev/null; tcpdump -r OUT -w /dev/null`), in
# alternating runs from copies in /dev/shm (this machine evicts idle files from the page
# cache). Prints each run, then medians, packets per second and peak RSS.
# Make a pair with bench/gen-diff-pair.py.
# usage: bench/diff-throughput.sh BINARY INSIDE.pcap OUTSIDE.pcap [RUNS]
set -euo pipefail
bin=$(realpath "${1:?usage: diff-throughput.sh BINARY INSIDE OUTSIDE [RUNS]}")
in=${2:?usage}
out=${3:?usage}
runs=${4:-5}
shm=$(mktemp -d /dev/shm/ss-diff.XXXXXX)
trap 'rm -rf "$shm"' EXIT
cp "$in" "$shm/in.pcap"
cp "$out" "$shm/out.pcap"
packets=$(( $(tcpdump -n -r "$shm/in.pcap" 2>/dev/null | wc -l) + $(tcpdump -n -r "$shm/out.pcap" 2>/dev/null | wc -l) ))
median() { sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
t_tcpdump=() t_diff=() rss=()
for i in $(seq 1 "$runs"); do
    s=$(date +%s.%N)
    tcpdump -r "$shm/in.pcap" -w /dev/null 2>/dev/null
    tcpdump -r "$shm/out.pcap" -w /dev/null 2>/dev/null
    e=$(date +%s.%N)
    t_tcpdump+=("$(echo "$e - $s" | bc)")
    /usr/bin/time -f "%e %M" -o "$shm/time" "$bin" diff --inside "$shm/in.pcap" \
        --outside "$shm/out.pcap" --json >"$shm/result" || [ $? = 1 ]
    read -r secs kb <"$shm/time"
    t_diff+=("$secs")
    rss+=("$kb")
    echo "run $i: tcpdump ${t_tcpdump[-1]} s, diff $secs s, peak RSS $((kb / 1024)) MB"
done
mt=$(printf '%s\n' "${t_tcpdump[@]}" | median)
md=$(printf '%s\n' "${t_diff[@]}" | median)
mr=$(printf '%s\n' "${rss[@]}" | median)
echo "packets (both files): $packets"
echo "median: tcpdump $mt s, diff $md s, ratio $(echo "scale=2; $md / $mt" | bc)x," \
     "diff $(echo "$packets / $md" | bc) packets/s, peak RSS $((mr / 1024)) MB"
tail -n 1 "$shm/result" | /usr/bin/python3 -c '
import json, sys
d = json.loads(sys.stdin.read())["stats"]["diff"]
print("verdict %s; forwarded %s; modified %s; injected %s; dropped %s" % (d["verdict"],
      d["forwarded"], d["modified"], d["injected"], d["dropped"]))'
