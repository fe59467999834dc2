#!/usr/bin/env bash
# secondsight bench - the soak: `secondsight live --threads 2` on one end of a veth pair
# between two network namespaces this script creates, while the other end receives a
# continuous replay at a fixed rate: the benign captures in turn (a changing mix of
# flows), and every INJECT_EVERY seconds one of the attack captures on top. Every
# minute it records the sensor's resident memory, flows in the table, flows expired,
# packets, kernel drops and findings, and at the end how many findings each injection
# was worth against how many came (each injection replayed with addresses of its own,
# tcprewrite --seed, so that it is a new connection). Traffic never leaves the two namespaces; the run
# stops by itself after MINUTES.
#
# usage: bench/soak.sh BINARY MINUTES MBPS BENIGN.pcap[,BENIGN.pcap...] [ATTACK.pcap[,...]]
#   ATTACK defaults to samples/quantum-insert.pcap. INJECT_EVERY=30 (seconds).
#   LIVE_OPTS: more options for the sensor (e.g. "--flow-memory 128M" to soak at the cap).
# Prints a markdown table, one row a minute, then the totals; exit 1 when a check fails:
# kernel drops, memory growth after the warm-up (below), or findings other than the
# injections' own. (As root: namespaces and veth.)
#
# Memory is judged in two parts. "flow MiB" is the flow table's own accounted memory
# (records and windows): a cache that grows with the mix's peak concurrency up to
# --flow-memory (512M unless LIVE_OPTS sets it) and evicts at it, by design. "other MiB"
# is RSS less the table: everything else (detector tables, rings, heap), which must not
# grow. After the warm-up, "other" must stay within 5 % of its value at the warm-up's
# end (no creep, no leak), and RSS within 5 % above that value plus the table's cap.
# The warm-up is the traffic's, not a fixed time: it ends at the first minute at which
# the flow table has expired at least as many flows as it holds (every place in it has
# turned over once), or at minute WARMUP when that is given (WARMUP=5).
set -euo pipefail
usage="usage: soak.sh BINARY MINUTES MBPS BENIGN.pcap[,...] [ATTACK.pcap[,...]]"
bin=$(realpath "${1:?$usage}")
minutes=${2:?$usage}
mbps=${3:?$usage}
IFS=, read -r -a benign <<< "${4:?$usage}"
here=$(cd "$(dirname "$0")" && pwd)
IFS=, read -r -a attacks <<< "${5:-$here/../samples/quantum-insert.pcap}"
every=${INJECT_EVERY:-30}
warmup=${WARMUP:-}
a=ss-soak-a-$$ b=ss-soak-b-$$
work=$(mktemp -d /dev/shm/ss-soak.XXXXXX)
chmod 777 "$work"
pids=()
cleanup() {
    for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
    [ -n "${sensor:-}" ] && kill -KILL "$sensor" 2>/dev/null
    ip netns del "$a" 2>/dev/null || true
    ip netns del "$b" 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT

# What each attack is worth on its own: its findings when analysed as a file.
declare -A worth
for cap in "${attacks[@]}"; do
    n=$("$bin" analyze --json "$cap" 2>/dev/null | grep -c '"event_type":"alert"' || true)
    worth[$cap]=$n
    [ "$n" -gt 0 ] || { echo "soak: $cap gives no finding on its own" >&2; exit 2; }
done
for cap in "${benign[@]}"; do
    n=$("$bin" analyze --json "$cap" 2>/dev/null | grep -c '"event_type":"alert"' || true)
    [ "$n" = 0 ] || echo "soak: note: benign $cap gives $n findings on its own" >&2
done

ip netns add "$a"
ip netns add "$b"
ip link add va$$ netns "$a" type veth peer name vb$$ netns "$b"
ip -n "$a" link set va$$ mtu 65535 up
ip -n "$b" link set vb$$ mtu 65535 up

# shellcheck disable=SC2086 # LIVE_OPTS is a list of options
ip netns exec "$a" "$bin" live -i va$$ --json -o "$work/out.jsonl" --threads 2 \
    --stats-interval 10 ${LIVE_OPTS:-} 2>"$work/live.err" &
sensor=$!
for _ in $(seq 1 100); do
    grep -q '"event_type":"stats"' "$work/out.jsonl" 2>/dev/null && break
    sleep 0.1
done
start=$SECONDS
end=$((start + minutes * 60))

# The benign mix, one capture after the other at the fixed rate, until the end; each
# pass with addresses of its own (tcprewrite --seed, made while the previous pass
# plays), so flows come and go and must expire rather than being reused.
(
    pass=0
    tcprewrite --seed=1000 --fixcsum -i "${benign[0]}" -o "$work/mix0.pcap"
    while [ $SECONDS -lt $end ]; do
        cur=$work/mix$((pass % 2)).pcap
        nextcap=${benign[$(((pass + 1) % ${#benign[@]}))]}
        tcprewrite --seed=$((1001 + pass)) --fixcsum -i "$nextcap" \
            -o "$work/mix$(((pass + 1) % 2)).pcap" &
        prep=$!
        ip netns exec "$b" timeout $((end - SECONDS + 1)) tcpreplay --mbps "$mbps" \
            --preload-pcap -i vb$$ "$cur" >>"$work/replay.log" 2>&1 || true
        wait "$prep" || true
        pass=$((pass + 1))
    done
    echo "$pass" > "$work/passes"
) &
pids+=($!)
# The injections, in turn, every $every seconds; each sent is logged.
(
    i=0
    while [ $((SECONDS + every)) -lt $end ]; do
        sleep "$every"
        cap=${attacks[$((i % ${#attacks[@]}))]}
        # Each injection its own addresses (a replay of the very same packets would be
        # the same connection again, its forgery already reported).
        tcprewrite --seed=$((i + 1)) --fixcsum -i "$cap" -o "$work/inject.pcap" &&
            ip netns exec "$b" tcpreplay --mbps 10 -q -i vb$$ "$work/inject.pcap" >/dev/null 2>&1 &&
            echo "$cap" >>"$work/injected"
        i=$((i + 1))
    done
) &
pids+=($!)

# last_stats: the sensor's latest stats record, as "packets findings active expired
# received dropped flow_MiB"
last_stats() {
    grep '"event_type":"stats"' "$work/out.jsonl" | tail -n 1 | /usr/bin/python3 -c '
import json, sys
s = json.loads(sys.stdin.read())["stats"]
cap = s.get("capture") or []
print(s["packets"], s["findings"], s["flows"]["active"], s["flows"]["expired"],
      sum(c["received"] for c in cap), sum(c["dropped"] + c["if_dropped"] for c in cap),
      "%.1f" % (s["flows"]["memory_bytes"] / 1048576))'
}

# The table's cap in MiB: --flow-memory from LIVE_OPTS (suffix K, M or G), else 512.
cap_mib=$(awk -v o="${LIVE_OPTS:-}" 'BEGIN {
    c = 512
    if (match(o, /--flow-memory[= ]+[0-9]+[KMGkmg]?/)) {
        v = substr(o, RSTART, RLENGTH); sub(/--flow-memory[= ]+/, "", v)
        u = toupper(substr(v, length(v))); n = v + 0
        c = u == "G" ? n * 1024 : u == "M" ? n : u == "K" ? n / 1024 : n / 1048576
    }
    print c }')
echo "| minute | RSS MiB | flow MiB | other MiB | flows active | flows expired | packets | kernel drops | findings | injections |"
echo "|---|---|---|---|---|---|---|---|---|---|"
base='' basem=''
fail=0
for m in $(seq 1 "$minutes"); do
    wait_s=$((start + m * 60 - SECONDS))
    [ "$wait_s" -le 0 ] || sleep "$wait_s"
    rss=$(awk '/^VmRSS/ {printf "%.1f", $2 / 1024}' "/proc/$sensor/status")
    read -r pk fi act exp rec drop fmem <<< "$(last_stats || true)" || true
    other=$(awk -v a="$rss" -v b="${fmem:-0}" 'BEGIN {printf "%.1f", a - b}')
    inj=$(wc -l < "$work/injected" 2>/dev/null || echo 0)
    echo "| $m | $rss | $fmem | $other | $act | $exp | $pk | $drop | $fi | $inj |"
    if [ -n "$base" ]; then
        if awk -v a="$other" -v b="$base" 'BEGIN {exit !(a > b * 1.05)}'; then
            echo "soak: memory outside the flow table, $other MiB at minute $m, is more than" \
                 "5 % above $base MiB at minute $basem, the end of the warm-up" >&2
            fail=1
        fi
        if awk -v a="$rss" -v b="$base" -v c="$cap_mib" 'BEGIN {exit !(a > (b + c) * 1.05)}'; then
            echo "soak: RSS $rss MiB at minute $m is more than 5 % above $base MiB and the" \
                 "table's $cap_mib MiB cap" >&2
            fail=1
        fi
    fi
    # The warm-up's end: minute WARMUP, else the first minute the table has expired
    # as many flows as it holds.
    warm=0
    if [ -n "$warmup" ]; then
        [ "$m" -lt "$warmup" ] || warm=1
    elif [ "${exp:-0}" -gt 0 ] && [ "${exp:-0}" -ge "${act:-0}" ]; then
        warm=1
    fi
    [ -n "$base" ] || [ "$warm" = 0 ] || { base=$other basem=$m; }
done
for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
pids=()
sleep 3
kill -TERM "$sensor"
wait "$sensor" || true
sensor=
read -r pk fi act exp rec drop fmem <<< "$(last_stats || true)" || true
want=0
declare -A sent
while read -r cap; do
    want=$((want + worth[$cap]))
    sent[$cap]=$((${sent[$cap]:-0} + 1))
done < <(cat "$work/injected" 2>/dev/null)
echo
for cap in "${attacks[@]}"; do
    echo "injected $(basename "$cap"): ${sent[$cap]:-0} times, ${worth[$cap]} finding(s) each"
done
echo "benign passes: $(cat "$work/passes" 2>/dev/null || echo "?")"
echo "findings: $fi, expected from the injections: $want; packets $pk (kernel received $rec)," \
     "kernel drops $drop; flows at the end $act, expired $exp"
if [ -n "$base" ]; then
    echo "memory judged from minute $basem (the end of the warm-up): outside the table" \
         "$base MiB, at most $(awk -v b="$base" 'BEGIN {printf "%.1f", b * 1.05}') MiB" \
         "allowed; RSS at most $(awk -v b="$base" -v c="$cap_mib" 'BEGIN {printf "%.1f", (b + c) * 1.05}') MiB"
else
    echo "memory not judged: the warm-up did not end within $minutes minutes"
fi
grep -E "^(Actual|Rated)" "$work/replay.log" | tail -n 2 || true
[ "$drop" = 0 ] || { echo "soak: the kernel dropped $drop packets" >&2; fail=1; }
[ "$fi" = "$want" ] || { echo "soak: $fi findings, $want expected" >&2; fail=1; }
exit $fail
