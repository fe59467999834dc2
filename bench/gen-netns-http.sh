#!/usr/bin/env bash
# secondsight bench - benign HTTP/1.1 through an impaired link: a web server and curl
# clients in two network namespaces this script creates, joined by a veth pair that
# drops 2% and duplicates 1% of the packets each way (nftables: tc netem is not in
# every kernel), so the capture holds real retransmissions, out-of-order arrivals
# after losses, and duplicated segments. Traffic stays inside the two namespaces;
# loops are bounded in count and time; everything is removed on exit.
# usage: bench/gen-netns-http.sh OUT.pcap [ROUNDS]   (as root)
set -euo pipefail
out=${1:?usage: gen-netns-http.sh OUT.pcap [ROUNDS]}
rounds=${2:-60}
srv=ss-bench-srv-$$ cli=ss-bench-cli-$$
work=$(mktemp -d)
cleanup() {
    ip netns pids "$srv" 2>/dev/null | xargs -r kill 2>/dev/null || true
    ip netns pids "$cli" 2>/dev/null | xargs -r kill 2>/dev/null || true
    sleep 0.5
    ip netns del "$srv" 2>/dev/null || true
    ip netns del "$cli" 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT

ip netns add "$srv"
ip netns add "$cli"
ip link add ss-s$$ netns "$srv" type veth peer name ss-c$$ netns "$cli"
ip -n "$srv" addr add 10.77.0.1/24 dev ss-s$$
ip -n "$cli" addr add 10.77.0.2/24 dev ss-c$$
for ns in "$srv" "$cli"; do ip -n "$ns" link set lo up; done
ip -n "$srv" link set ss-s$$ up
ip -n "$cli" link set ss-c$$ up
# Impairment both ways: random loss, and random duplicates sent to the peer again.
impair() { # ns dev peer
    ip netns exec "$1" nft -f - <<NFT
table ip impair {
    chain out {
        type filter hook output priority 0;
        ip protocol tcp numgen random mod 100 < 2 drop
        ip protocol tcp numgen random mod 100 < 1 dup to $3 device $2
    }
}
NFT
}
impair "$srv" ss-s$$ 10.77.0.2
impair "$cli" ss-c$$ 10.77.0.1

for i in $(seq 1 30); do head -c $((300 + i * 97)) /dev/urandom | base64 > "$work/p$i.html"; done
for i in 1 2 3; do head -c $((200000 * i)) /dev/urandom > "$work/b$i.bin"; done
ip netns exec "$srv" bash -c "cd '$work' && exec /usr/bin/python3 -m http.server --bind 10.77.0.1 8080 >/dev/null 2>&1" &
sleep 1
ip netns exec "$cli" tcpdump -i ss-c$$ -s 0 -U -w "$out" tcp port 8080 2>/dev/null &
sleep 1

deadline=$((SECONDS + 240))
for r in $(seq 1 "$rounds"); do
    [ $SECONDS -lt $deadline ] || break
    for c in 1 2 3; do
        args=()
        for i in $(seq 1 5); do args+=(-o /dev/null "http://10.77.0.1:8080/p$(( (r * c + i) % 30 + 1 )).html"); done
        args+=(-o /dev/null "http://10.77.0.1:8080/b$(( (r + c) % 3 + 1 )).bin")
        ip netns exec "$cli" curl -s --max-time 20 "${args[@]}" &
    done
    wait $(jobs -p | tail -n 3) 2>/dev/null || true
done
sleep 2
ls -l "$out" >&2
