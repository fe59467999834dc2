#!/usr/bin/env bash
# secondsight bench - the live sensor under load: two network namespaces this script
# creates, joined by a veth pair (MTU 65535, so loopback captures replay whole);
# `secondsight live` captures on one end while `tcpreplay --topspeed` replays CAPTURE
# into the other. Prints tcpreplay's rate, then the sensor's final stats: packets,
# findings and the kernel's drop counters. Traffic never leaves the two namespaces.
# usage: bench/live-replay.sh BINARY CAPTURE [THREADS [LOOPS]]
# MBPS=1000 replays at that rate instead of top speed.
set -euo pipefail
bin=$(realpath "${1:?usage: live-replay.sh BINARY CAPTURE [THREADS [LOOPS]]}")
cap=$(realpath "${2:?usage: live-replay.sh BINARY CAPTURE [THREADS [LOOPS]]}")
threads=${3:-1}
loops=${4:-1}
a=ss-bench-a-$$ b=ss-bench-b-$$
work=$(mktemp -d)
chmod 777 "$work"
cleanup() {
    [ -n "${pid:-}" ] && kill -KILL "$pid" 2>/dev/null
    ip netns del "$a" 2>/dev/null
    ip netns del "$b" 2>/dev/null
    rm -rf "$work"
}
trap cleanup EXIT
ip netns add "$a"
ip netns add "$b"
ip link add va$$ netns "$a" type veth peer name vb$$ netns "$b"
ip -n "$a" link set va$$ mtu 65535 up
ip -n "$b" link set vb$$ mtu 65535 up

ip netns exec "$a" "$bin" live -i va$$ --json -o "$work/out.jsonl" --threads "$threads" \
    --stats-interval 1 2>"$work/live.err" &
pid=$!
for _ in $(seq 1 50); do
    grep -q '"event_type":"stats"' "$work/out.jsonl" 2>/dev/null && break
    sleep 0.1
done
speed=(--topspeed)
[ -n "${MBPS:-}" ] && speed=(--mbps "$MBPS")
ip netns exec "$b" tcpreplay "${speed[@]}" --preload-pcap --loop "$loops" -i vb$$ "$cap" 2>&1 |
    grep -E "Actual|Rated|Successful|Failed" || true
sleep 2
kill -TERM "$pid"
wait "$pid" || true
pid=
cat "$work/live.err" >&2
tail -n 1 "$work/out.jsonl" | /usr/bin/python3 -c '
import json, sys
s = json.loads(sys.stdin.read())["stats"]
print("sensor: packets %d, bytes %d, findings %d, capture %s" % (
    s["packets"], s["bytes"], s["findings"], json.dumps(s.get("capture"))))'
