#!/usr/bin/python3
"""Golden captures for `secondsight diff`: pairs of captures taken on both sides of one
router that does NAT (inside 192.0.2.0/24 behind 203.0.113.1), each pair an
inside (LAN) and an outside (WAN) file. The router decrements the TTL, rewrites the
client's address and port, clamps the MSS to 1400 and forwards 50 microseconds
later; the outside capture's clock runs 2.5 s ahead of the inside one.

  diff-clean-{in,out}.pcap      an HTTP exchange, a DNS query, a ping, ARP on both
                                sides, an OSPF hello, the router's own ping upstream:
                                all forwarded or the device's own
  diff-tampered-{in,out}.pcap   the same, but the router changes bytes of the HTTP
                                response, answers the DNS query itself before the real
                                answer, and drops the first copy of the request (the
                                client's retransmission gets through)
  diff-gap-{in,out}.pcap        the clean exchange with the outside capture missing the
                                request, which the server acknowledges: capture loss
  diff-lost-{in,out}.pcap       the clean exchange with the outside capture missing the
                                DNS answer: a lone answer inside that nothing imitates,
                                which the other capture may have missed (uncertain)
  diff-isb-in.pcap, diff-isb-out.pcapng
                                the tampered exchange, the outside written by a tool
                                that says it lost 2 packets: the drop is no longer sure
  diff-seqoff-{in,out}.pcap     a firewall that also shifts the client's sequence
                                numbers by a fixed offset
  diff-routed-{in,out}.pcap     plain routing, no NAT (for --nat none), and an HTTP
                                exchange over IPv6 as well
"""

from scapy.all import ARP, DNS, DNSQR, DNSRR, ICMP, IP, TCP, UDP, Ether, raw

import goldenlib as g

MAC_CLIENT = "00:00:5e:00:53:01"
MAC_ROUTER_IN = "00:00:5e:00:53:fe"
MAC_ROUTER_OUT = "00:00:5e:00:53:fd"
MAC_UPSTREAM = "00:00:5e:00:53:aa"
ROUTER_IN = "192.0.2.1"
NAT = "203.0.113.1"
UPSTREAM = "203.0.113.254"
RESOLVER = "198.51.100.53"
SKEW = 2500 * g.MS         # the outside clock is ahead by this much
HOP = 50 * g.US            # forwarding delay

RESPONSE = g.HTTP_RESPONSE
TAMPERED = RESPONSE.replace(b"hello from the golden tests", b"owned by a middlebox, bye!!")
assert len(TAMPERED) == len(RESPONSE)


def translate(ip, outbound, nat, seq_off=0, mss=1400):
    """The packet as the router sends it on: TTL down by one, the client's address and
    port rewritten (outbound: source; inbound: back to the inside destination), the
    MSS clamped, the client's sequence numbers shifted by `seq_off`."""
    q = ip.copy()
    q.ttl -= 1
    del q.chksum
    l4 = q.payload
    if nat:
        inside_port, outside_port = nat
        if outbound:
            q.src = NAT
            l4.sport = outside_port
        else:
            q.dst = g.CLIENT4
            l4.dport = inside_port
    if isinstance(l4, TCP):
        if seq_off:
            if outbound:
                l4.seq = (l4.seq + seq_off) & 0xFFFFFFFF
            elif "A" in l4.flags:
                l4.ack = (l4.ack - seq_off) & 0xFFFFFFFF
        l4.options = [("MSS", min(v, mss)) if k == "MSS" else (k, v) for k, v in l4.options]
    if hasattr(l4, "chksum"):
        del l4.chksum
    return q


def frame(src, dst, ip):
    return raw(Ether(src=src, dst=dst) / ip)


class Capture:
    """Both files of one pair: frames collected per side, written in time order."""

    def __init__(self):
        self.side = {"in": [], "out": []}

    def add(self, side, ts, data):
        self.side[side].append((ts + (SKEW if side == "out" else 0), data))

    def cross(self, p, nat=None, seq_off=0, drop=False, alter=None, lose_outside=False,
              lose_entering=False):
        """One packet through the router. p.side CLIENT: it enters inside (as built)
        and leaves outside; SERVER: the packet as built is the outside copy with the
        NAT address as destination. `alter` replaces the leaving copy's payload."""
        outbound = p.side == g.CLIENT
        if outbound:
            entering = p.ip
            leaving = translate(p.ip, True, nat, seq_off)
        else:
            # Built with inside addresses; the server sent it to the NAT address.
            entering = p.ip.copy()
            if nat:
                entering.dst = NAT
                entering.payload.dport = nat[1]
            if seq_off and isinstance(entering.payload, TCP) and "A" in entering.payload.flags:
                entering.payload.ack = (entering.payload.ack + seq_off) & 0xFFFFFFFF
            del entering.chksum
            if hasattr(entering.payload, "chksum"):
                del entering.payload.chksum
            entering = IP(raw(entering))
            leaving = translate(entering, False, nat, seq_off)
        if alter is not None:
            leaving = leaving.copy()
            leaving[TCP].remove_payload()
            leaving = leaving / alter
            del leaving.len
            del leaving[TCP].chksum
        if outbound:
            self.add("in", p.ts, frame(MAC_CLIENT, MAC_ROUTER_IN, entering))
            if not drop and not lose_outside:
                self.add("out", p.ts + HOP, frame(MAC_ROUTER_OUT, MAC_UPSTREAM, leaving))
        else:
            if not lose_entering:
                self.add("out", p.ts, frame(MAC_UPSTREAM, MAC_ROUTER_OUT, entering))
            if not drop:
                self.add("in", p.ts + HOP, frame(MAC_ROUTER_IN, MAC_CLIENT, leaving))

    def write(self, name, outside_drops=None):
        for side in ("in", "out"):
            frames = sorted(self.side[side], key=lambda f: f[0])
            if side == "out" and outside_drops is not None:
                g.write("%s-%s.pcapng" % (name, side),
                        g.pcapng(g.LINKTYPE_ETHERNET, frames, drops=outside_drops))
            else:
                g.write("%s-%s.pcap" % (name, side), g.pcap(g.LINKTYPE_ETHERNET, frames))


def link_traffic(cap):
    """ARP on both sides, an OSPF hello from the router, the router's own ping to its
    upstream: none of it crosses the device."""
    t = g.T0 - 20 * g.MS
    cap.add("in", t, raw(Ether(src=MAC_CLIENT, dst="ff:ff:ff:ff:ff:ff")
                         / ARP(op=1, hwsrc=MAC_CLIENT, psrc=g.CLIENT4, pdst=ROUTER_IN)))
    cap.add("in", t + 100 * g.US, raw(Ether(src=MAC_ROUTER_IN, dst=MAC_CLIENT)
                                      / ARP(op=2, hwsrc=MAC_ROUTER_IN, psrc=ROUTER_IN,
                                            hwdst=MAC_CLIENT, pdst=g.CLIENT4)))
    cap.add("out", t, raw(Ether(src=MAC_ROUTER_OUT, dst="ff:ff:ff:ff:ff:ff")
                          / ARP(op=1, hwsrc=MAC_ROUTER_OUT, psrc=NAT, pdst=UPSTREAM)))
    cap.add("out", t + 300 * g.US, raw(Ether(src=MAC_UPSTREAM, dst=MAC_ROUTER_OUT)
                                       / ARP(op=2, hwsrc=MAC_UPSTREAM, psrc=UPSTREAM,
                                             hwdst=MAC_ROUTER_OUT, pdst=NAT)))
    cap.add("in", t + 1 * g.MS, raw(Ether(src=MAC_ROUTER_IN, dst="01:00:5e:00:00:05")
                                    / IP(src=ROUTER_IN, dst="224.0.0.5", proto=89, ttl=1, id=7)
                                    / (b"\x02\x01\x00\x2c" + b"\0" * 40)))
    cap.add("out", t + 2 * g.MS, raw(Ether(src=MAC_ROUTER_OUT, dst=MAC_UPSTREAM)
                                     / IP(src=NAT, dst=UPSTREAM, id=0x4001)
                                     / ICMP(type=8, id=77, seq=1) / b"router-own-ping"))
    cap.add("out", t + 3 * g.MS, raw(Ether(src=MAC_UPSTREAM, dst=MAC_ROUTER_OUT)
                                     / IP(src=UPSTREAM, dst=NAT, id=0x9001)
                                     / ICMP(type=0, id=77, seq=1) / b"router-own-ping"))


def dns_exchange(t):
    q = g.Pkt(t, g.CLIENT, IP(src=g.CLIENT4, dst=RESOLVER, id=0x3101)
              / UDP(sport=53000, dport=53) / DNS(id=0x4242, rd=1, qd=DNSQR(qname="www.example.com")))
    a = g.Pkt(t + 8 * g.MS, g.SERVER, IP(src=RESOLVER, dst=g.CLIENT4, id=0x7101, ttl=58)
              / UDP(sport=53, dport=53000)
              / DNS(id=0x4242, qr=1, rd=1, ra=1, qd=DNSQR(qname="www.example.com"),
                    an=DNSRR(rrname="www.example.com", ttl=300, rdata="198.51.100.20")))
    return q, a


def forged_answer(t):
    """The router's own answer to the query, in the resolver's name."""
    return raw(Ether(src=MAC_ROUTER_IN, dst=MAC_CLIENT)
               / IP(src=RESOLVER, dst=g.CLIENT4, id=0x0bad, ttl=64)
               / UDP(sport=53, dport=53000)
               / DNS(id=0x4242, qr=1, rd=1, ra=1, qd=DNSQR(qname="www.example.com"),
                     an=DNSRR(rrname="www.example.com", ttl=60, rdata="203.0.113.66")))


def ping(t):
    return (g.Pkt(t, g.CLIENT, IP(src=g.CLIENT4, dst=g.SERVER4, id=0x3201)
                  / ICMP(type=8, id=0x55, seq=1) / b"ping-through-the-router"),
            g.Pkt(t + 12 * g.MS, g.SERVER, IP(src=g.SERVER4, dst=g.CLIENT4, id=0x7201, ttl=50)
                  / ICMP(type=0, id=0x55, seq=1) / b"ping-through-the-router"))


def exchange(name, tamper=False, lose_request=False, seq_off=0, nat=True, lose_answer=False,
             outside_drops=None):
    cap = Capture()
    link_traffic(cap)
    conv = g.linux_conv(49152)
    http_nat = (49152, 61001) if nat else None
    pkts = conv.handshake()
    request = conv.seg(g.CLIENT, "PA", g.HTTP_REQUEST, dt=200 * g.US)
    for p in pkts:
        cap.cross(p, http_nat, seq_off)
    if tamper:
        # The first copy of the request dies in the router; the client resends it
        # 210 ms later with a new IP-ID.
        cap.cross(request, http_nat, seq_off, drop=True)
        resent = conv.seg(g.CLIENT, "PA", g.HTTP_REQUEST, dt=210 * g.MS,
                          seq=request.ip[TCP].seq, advance=False)
        cap.cross(resent, http_nat, seq_off)
    else:
        cap.cross(request, http_nat, seq_off, lose_outside=lose_request)
    response = conv.seg(g.SERVER, "PA", RESPONSE, dt=25 * g.MS)
    cap.cross(response, http_nat, seq_off, alter=TAMPERED if tamper else None)
    for p in [conv.seg(g.CLIENT, "A", dt=100 * g.US)] + conv.close():
        cap.cross(p, http_nat, seq_off)

    dns_nat = (53000, 61002) if nat else None
    q, a = dns_exchange(conv.now + 50 * g.MS)
    cap.cross(q, dns_nat)
    if tamper:
        cap.add("in", a.ts - 5 * g.MS, forged_answer(a.ts))
    cap.cross(a, dns_nat, lose_entering=lose_answer)

    for p in ping(conv.now + 100 * g.MS):
        cross_ping(cap, p, nat)
    if not nat:
        conv6 = g.linux_conv(49200, client=g.CLIENT6, server=g.SERVER6, t0=conv.now + 200 * g.MS)
        for p in g.http_flow(conv6):
            cross_v6(cap, p)
    cap.write(name, outside_drops)


def cross_v6(cap, p):
    """An IPv6 packet routed through: the hop limit down by one, nothing else."""
    leaving = p.ip.copy()
    leaving.hlim -= 1
    del leaving[TCP].chksum
    if p.side == g.CLIENT:
        cap.add("in", p.ts, frame(MAC_CLIENT, MAC_ROUTER_IN, p.ip))
        cap.add("out", p.ts + HOP, frame(MAC_ROUTER_OUT, MAC_UPSTREAM, leaving))
    else:
        cap.add("out", p.ts, frame(MAC_UPSTREAM, MAC_ROUTER_OUT, p.ip))
        cap.add("in", p.ts + HOP, frame(MAC_ROUTER_IN, MAC_CLIENT, leaving))


def cross_ping(cap, p, nat):
    """Pings carry no ports: NAT rewrites the address alone."""
    outbound = p.side == g.CLIENT
    entering = p.ip.copy()
    if not outbound and nat:
        entering.dst = NAT
        del entering.chksum
        entering = IP(raw(entering))
    leaving = entering.copy()
    leaving.ttl -= 1
    if nat:
        if outbound:
            leaving.src = NAT
        else:
            leaving.dst = g.CLIENT4
    del leaving.chksum
    if outbound:
        cap.add("in", p.ts, frame(MAC_CLIENT, MAC_ROUTER_IN, entering))
        cap.add("out", p.ts + HOP, frame(MAC_ROUTER_OUT, MAC_UPSTREAM, leaving))
    else:
        cap.add("out", p.ts, frame(MAC_UPSTREAM, MAC_ROUTER_OUT, entering))
        cap.add("in", p.ts + HOP, frame(MAC_ROUTER_IN, MAC_CLIENT, leaving))


def main():
    exchange("diff-clean")
    exchange("diff-tampered", tamper=True)
    exchange("diff-gap", lose_request=True)
    exchange("diff-lost", lose_answer=True)
    exchange("diff-isb", tamper=True, outside_drops=2)
    exchange("diff-seqoff", seq_off=0x10000000)
    exchange("diff-routed", nat=False)


if __name__ == "__main__":
    main()
