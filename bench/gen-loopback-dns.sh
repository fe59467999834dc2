#!/usr/bin/env bash
# secondsight bench - a benign, DNS-heavy capture of small packets: a real resolver
# (dnsmasq, answering from local records and its cache) queried by dnsperf from many
# client ports, A, AAAA, MX and TXT records, some names it does not know (NXDOMAIN),
# captured with tcpdump on lo. Everything stays on 127.0.0.2:53; the run is bounded in
# queries and seconds.
# usage: bench/gen-loopback-dns.sh OUT.pcap [QUERIES]
set -euo pipefail
out=${1:?usage: gen-loopback-dns.sh OUT.pcap [QUERIES]}
queries=${2:-1000000}
addr=127.0.0.2
work=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null; rm -rf "$work"' EXIT

if ! command -v dnsmasq >/dev/null || ! command -v dnsperf >/dev/null; then
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q dnsmasq-base dnsperf tcpdump >/dev/null
fi

# 2000 names with A and AAAA records, 200 with MX and TXT; queries also ask for 300
# names nobody has.
conf=$work/dnsmasq.conf
{
    echo "no-resolv"; echo "no-hosts"; echo "bind-interfaces"; echo "listen-address=$addr"
    echo "port=53"; echo "cache-size=10000"; echo "local=/bench.test/"
    for i in $(seq 1 2000); do
        echo "host-record=h$i.bench.test,10.$((i / 250)).$((i % 250)).7,fd00::$(printf %x "$i")"
    done
    for i in $(seq 1 200); do
        echo "mx-host=h$i.bench.test,mail$i.bench.test,10"
        echo "txt-record=h$i.bench.test,\"v=spf1 ip4:10.0.$i.0/24 -all\",\"bench $i\""
    done
} >"$conf"
for i in $(seq 1 2000); do
    echo "h$i.bench.test A"
    if [ $((i % 3)) = 0 ]; then echo "h$i.bench.test AAAA"; fi
    if [ $i -le 200 ]; then echo "h$i.bench.test MX"; echo "h$i.bench.test TXT"; fi
    if [ $((i % 7)) = 0 ]; then echo "nx$i.bench.test A"; fi
done | shuf --random-source=<(yes) >"$work/queries"

dnsmasq --keep-in-foreground --conf-file="$conf" --pid-file="$work/pid" &
sleep 1
tcpdump -i lo -s 0 -U -w "$out" "host $addr and port 53" 2>/dev/null &
tcpdump_pid=$!
sleep 1
# 20 clients, each its own source port; at most 60 s and $queries queries.
dnsperf -s "$addr" -d "$work/queries" -c 20 -q 200 -l 60 -n $(( (queries + 2999) / 3000 )) \
    -Q 40000 >"$work/dnsperf.out" 2>&1 || true
grep -E "Queries (sent|completed|lost)" "$work/dnsperf.out" >&2 || true
sleep 1
kill "$tcpdump_pid"; wait "$tcpdump_pid" 2>/dev/null || true
ls -l "$out" >&2
