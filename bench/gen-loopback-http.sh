#!/usr/bin/env bash
# secondsight bench - a realistic benign capture of HTTP/1.1 over loopback: a local
# python web server, many sequential and concurrent curl clients, small and large
# objects, captured with tcpdump on lo. Traffic never leaves 127.0.0.1; the loops are
# bounded in count and time.
# usage: bench/gen-loopback-http.sh OUT.pcap [TARGET_MB]
set -euo pipefail
out=${1:?usage: gen-loopback-http.sh OUT.pcap [TARGET_MB]}
target_mb=${2:-300}
port=18080
work=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null; rm -rf "$work"' EXIT

command -v curl >/dev/null && command -v tcpdump >/dev/null || {
    echo "needs curl and tcpdump (apt-get install curl tcpdump)" >&2; exit 2; }

# Objects: many small pages, some medium, a few large.
for i in $(seq 1 50); do head -c $((200 + i * 37)) /dev/urandom | base64 > "$work/s$i.html"; done
for i in $(seq 1 10); do head -c $((40000 + i * 3000)) /dev/urandom > "$work/m$i.bin"; done
for i in 1 2 3; do head -c $((3000000 * i)) /dev/urandom > "$work/l$i.bin"; done

(cd "$work" && exec /usr/bin/python3 -m http.server --bind 127.0.0.1 "$port" >/dev/null 2>&1) &
sleep 1
tcpdump -i lo -s 0 -U -w "$out" "tcp port $port" 2>/dev/null &
tcpdump_pid=$!
sleep 1

deadline=$((SECONDS + 300))
round=0
while [ $round -lt 400 ] && [ $SECONDS -lt $deadline ]; do
    round=$((round + 1))
    for c in 1 2 3 4; do
        (
            args=()  # one keep-alive connection per client, each object discarded
            for i in $(seq 1 10); do args+=(-o /dev/null "http://127.0.0.1:$port/s$(( (round * c + i) % 50 + 1 )).html"); done
            args+=(-o /dev/null "http://127.0.0.1:$port/m$(( (round + c) % 10 + 1 )).bin")
            [ $((round % 8)) = "$c" ] && args+=(-o /dev/null "http://127.0.0.1:$port/l$(( round % 3 + 1 )).bin")
            curl -s --max-time 20 "${args[@]}"
        ) &
    done
    wait $(jobs -p | grep -v "^$tcpdump_pid\$" | tail -n 4) 2>/dev/null || true
    size=$(stat -c %s "$out" 2>/dev/null || echo 0)
    [ "$size" -ge $((target_mb * 1000000)) ] && break
done
sleep 1
kill "$tcpdump_pid"; wait "$tcpdump_pid" 2>/dev/null || true
ls -l "$out" >&2
