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

The diff-x-* pairs each show one mechanism of issue 15, honest (the verdict must not
be tampered) or tampered (exactly the tampered packets found):
  diff-x-lost-data       honest: the outside capture lost the server's response, which
                         shares its sequence number with a forwarded pure ACK
  diff-x-late-start      honest: the outside capture starts after the client's first
                         SYN; its retransmission crosses
  diff-x-isn-sack        honest: a firewall randomising the client's ISN, SACK blocks
                         in the server's ACKs, a RST without ACK
  diff-x-midstream-isn   honest: the same firewall, captures started mid-connection
  diff-x-midstream-modified
                         tampered: the same, one response segment's bytes changed
  diff-x-ipid-nat        honest: a NAT rewriting every IPv4 identification
  diff-x-ipid-forged     tampered: the same, a DNS answer forged beside the resolver's
  diff-x-pmtud           honest: a DF segment too big for the outside link, dropped
                         with ICMP "fragmentation needed", resent smaller
  diff-x-fragmenting     honest: the device fragments a large datagram for the outside
  diff-x-frag-dns        honest: the device fragments a large DNS answer for the inside
  diff-x-frag-dns-forged tampered: the same, one address of the answer changed
  diff-x-v6-skew         honest: IPv6 only, the outside clock 30 s ahead
  diff-x-v6-modified     tampered: the same, one response's bytes changed
  diff-x-nat-drop        tampered: behind NAT, an inbound data segment dropped (its
                         retransmission crosses)
  diff-x-nat-rst         tampered: behind NAT, a RST forged outward in the client's name
                         while the client goes on sending
  diff-x-dns-replaced    tampered: the resolver's answer dropped, a forged one (its own
                         IP ID, TTL and length) sent in its place
  diff-x-syn-censor      tampered: one SYN and its three retransmissions dropped over
                         7 s while pings cross
  diff-x-syn-unanswered  honest: the same SYNs all forwarded, the server silent
  diff-x-spurious-retx   honest: the inside capture lost the response the client
                         acknowledged; the server's spurious retransmission crosses
  diff-x-retx-unacked    cannot tell: the response dropped, its retransmission
                         forwarded, no ACK from the client ever
  diff-x-forged-data     tampered: forged data at the response's sequence number, which
                         the client acknowledges, the genuine response forwarded after
  diff-x-ping-twins      cannot tell: two ping sessions with equal sequence numbers (the
                         NAT rewrites their identifiers); the outside capture loses one
                         reply while the other session's reply of that number crosses
  diff-x-ping-forged     tampered: the device answers an echo request itself before the
                         server's reply, which is forwarded too
  diff-x-pmtud-forged    tampered: a 600-byte segment dropped with ICMP "fragmentation
                         needed" naming an MTU of 1200: a false reason
  diff-x-syn-retx-drop   tampered: the first SYN dropped, its retry a second later crosses
  diff-x-ts-modulate     honest: the device shifts the client's TCP timestamps (pf)
  diff-x-resegment       honest: the device cuts a 1200-byte segment into two of 600
  diff-x-recut-forged    tampered: the same cut, the second piece with other bytes
  diff-x-offset-forged   tampered: the segment forwarded whole, and a forged copy of 200
                         bytes starting 100 bytes into its range sent after it
  diff-x-quic-lost       honest: a QUIC-like UDP/443 flow (every datagram's first bytes
                         the same connection ID); the outside capture misses one datagram
  diff-x-early-stop      honest: the outside capture stops 1.5 s in; the HTTP exchange
                         and pings inside after that are not judged
"""

from scapy.all import (ARP, DNS, DNSQR, DNSRR, ICMP, IP, TCP, UDP, Ether, IPv6, fragment, raw)

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


def cross_ping(cap, p, nat, out_id=None, lose_out=False):
    """Pings carry no ports: NAT rewrites the address alone, or the echo identifier
    too (`out_id`, the identifier outside). `lose_out`: the outside capture misses it."""
    outbound = p.side == g.CLIENT
    entering = p.ip.copy()
    if not outbound and nat:
        entering.dst = NAT
        if out_id is not None:
            entering[ICMP].id = out_id
            del entering[ICMP].chksum
        del entering.chksum
        entering = IP(raw(entering))
    leaving = entering.copy()
    leaving.ttl -= 1
    if nat:
        if outbound:
            leaving.src = NAT
        else:
            leaving.dst = g.CLIENT4
        if out_id is not None:
            leaving[ICMP].id = out_id if outbound else p.ip[ICMP].id
            del leaving[ICMP].chksum
    del leaving.chksum
    if outbound:
        cap.add("in", p.ts, frame(MAC_CLIENT, MAC_ROUTER_IN, entering))
        if not lose_out:
            cap.add("out", p.ts + HOP, frame(MAC_ROUTER_OUT, MAC_UPSTREAM, leaving))
    else:
        if not lose_out:
            cap.add("out", p.ts, frame(MAC_UPSTREAM, MAC_ROUTER_OUT, entering))
        cap.add("in", p.ts + HOP, frame(MAC_ROUTER_IN, MAC_CLIENT, leaving))


# ---- issue 15 scenarios ----

SKEW6 = 30 * 1000 * g.MS


class XCapture(Capture):
    """A pair with its own outside clock and a device described by keywords:
    nat (inside port, outside port), cseq (offset the device adds to the client's
    sequence numbers), ipid (rewrite IPv4 IDs), mtu (fragment larger datagrams)."""

    def __init__(self, skew=SKEW, start_out=None, stop_out=None):
        super().__init__()
        self.skew = skew
        self.start_out = start_out
        self.stop_out = stop_out

    def add(self, side, ts, data):
        if side == "out" and self.start_out is not None and ts < self.start_out:
            return
        if side == "out" and self.stop_out is not None and ts >= self.stop_out:
            return
        self.side[side].append((ts + (self.skew if side == "out" else 0), data))

    def through(self, p, nat=None, cseq=0, ipid=None, mtu=None, drop=False, lose_out=False,
                lose_in=False, alter=None, tsoff=0):
        outbound = p.side == g.CLIENT
        v6 = isinstance(p.ip, IPv6)
        entering = p.ip.copy()
        if not outbound and nat:
            entering.dst = NAT
            entering.payload.dport = nat[1]
        l4 = entering.payload
        if tsoff and isinstance(l4, TCP):  # the outside sees the client's TSval shifted
            l4.options = [(k, ((v[0] + tsoff) & 0xFFFFFFFF, v[1]) if outbound
                           else (v[0], (v[1] + tsoff) & 0xFFFFFFFF))
                          if k == "Timestamp" and not outbound else (k, v)
                          for k, v in l4.options]
        if not outbound and cseq and isinstance(l4, TCP):
            if "A" in l4.flags:
                l4.ack = (l4.ack + cseq) & 0xFFFFFFFF
            l4.options = [(k, tuple((x + cseq) & 0xFFFFFFFF for x in v)) if k == "SAck" else (k, v)
                          for k, v in l4.options]
        entering = rebuild(entering)
        leaving = entering.copy()
        if v6:
            leaving.hlim -= 1
        else:
            leaving.ttl -= 1
            if ipid is not None:
                leaving.id = (leaving.id * 7 + ipid) & 0xFFFF
        l4 = leaving.payload
        if nat:
            if outbound:
                leaving.src = NAT
                l4.sport = nat[1]
            else:
                leaving.dst = g.CLIENT4
                l4.dport = nat[0]
        if isinstance(l4, TCP):
            if cseq:
                if outbound:
                    l4.seq = (l4.seq + cseq) & 0xFFFFFFFF
                else:
                    if "A" in l4.flags:
                        l4.ack = (l4.ack - cseq) & 0xFFFFFFFF
                    l4.options = [(k, tuple((x - cseq) & 0xFFFFFFFF for x in v)) if k == "SAck"
                                  else (k, v) for k, v in l4.options]
            l4.options = [("MSS", min(v, 1400)) if k == "MSS" else (k, v) for k, v in l4.options]
            if tsoff:
                l4.options = [(k, ((v[0] + tsoff) & 0xFFFFFFFF, v[1]) if outbound
                               else (v[0], (v[1] - tsoff) & 0xFFFFFFFF))
                              if k == "Timestamp" else (k, v) for k, v in l4.options]
        if alter is not None:
            l4.remove_payload()
            l4.add_payload(alter)
        leaving = rebuild(leaving)
        pieces = fragment(leaving, fragsize=mtu) if mtu and len(leaving) > mtu else [leaving]
        src_in, dst_in = (MAC_CLIENT, MAC_ROUTER_IN) if outbound else (MAC_ROUTER_IN, MAC_CLIENT)
        src_out, dst_out = ((MAC_ROUTER_OUT, MAC_UPSTREAM) if outbound
                            else (MAC_UPSTREAM, MAC_ROUTER_OUT))
        if outbound:
            if not lose_in:
                self.add("in", p.ts, frame(src_in, dst_in, entering))
            if not drop and not lose_out:
                for k, q in enumerate(pieces):
                    self.add("out", p.ts + HOP + k * g.US, frame(src_out, dst_out, q))
        else:
            if not lose_out:
                self.add("out", p.ts, frame(src_out, dst_out, entering))
            if not drop and not lose_in:
                for q in pieces:
                    self.add("in", p.ts + HOP, frame(src_in, dst_in, q))


def rebuild(ip):
    if isinstance(ip, IPv6):
        del ip.plen
        if hasattr(ip.payload, "chksum"):
            del ip.payload.chksum
        return IPv6(raw(ip))
    del ip.chksum
    del ip.len
    if hasattr(ip.payload, "chksum"):
        del ip.payload.chksum
    if hasattr(ip.payload, "len") and isinstance(ip.payload, UDP):
        del ip.payload.len
    return IP(raw(ip))


def x_link(cap):
    """ARP on both sides: the device's MACs and inside address."""
    t = g.T0 - 200 * g.MS
    cap.add("in", t, raw(Ether(src=MAC_ROUTER_IN, dst="ff:ff:ff:ff:ff:ff")
                         / ARP(op=2, hwsrc=MAC_ROUTER_IN, psrc=ROUTER_IN, pdst=ROUTER_IN)))
    cap.add("out", t, raw(Ether(src=MAC_ROUTER_OUT, dst="ff:ff:ff:ff:ff:ff")
                          / ARP(op=2, hwsrc=MAC_ROUTER_OUT, psrc=NAT, pdst=NAT)))


def x_pings(cap, t, n, nat=True, gap=500 * g.MS):
    """Pings that cross the device: neighbours of the traffic a scenario is about."""
    for k in range(n):
        for p in ping(t + k * gap):
            p.ip[ICMP].seq = k + 1
            p.ip[ICMP].remove_payload()
            p.ip[ICMP].add_payload(b"ping %d through the router" % k)
            p.ip.id += k
            cross_ping(cap, p, nat)


def x_request(nat):
    """A new pair with the device's link traffic, and an HTTP connection through it up
    to the request."""
    cap = XCapture()
    x_link(cap)
    conv = g.linux_conv(49152)
    for p in conv.handshake() + [conv.seg(g.CLIENT, "PA", g.HTTP_REQUEST, dt=200 * g.US)]:
        cap.through(p, nat)
    return cap, conv


def x_close(cap, conv, nat, name):
    """The client acknowledges and the connection closes; last pings; both files."""
    for p in [conv.seg(g.CLIENT, "A", dt=100 * g.US)] + conv.close():
        cap.through(p, nat)
    x_end(cap, conv.now + 2500 * g.MS)
    cap.write(name)


def big_answer(forged_at):
    """A DNS answer of 60 addresses (about 1 KB); `forged_at`: that one replaced."""
    an = None
    for k in range(60):
        addr = "203.0.113.66" if k == forged_at else "198.51.100.%d" % (k + 100)
        rr = DNSRR(rrname="www.example.com", ttl=300, rdata=addr)
        an = rr if an is None else an / rr
    return DNS(id=0x4242, qr=1, rd=1, ra=1, qd=DNSQR(qname="www.example.com"), an=an)


def x_midstream(nat, off, name, alter=None):
    """Both captures started mid-connection behind a firewall that shifts the
    client's sequence numbers by `off`; `alter`: the second response segment's
    bytes as the device forwards them."""
    cap = XCapture()
    x_link(cap)
    conv = g.linux_conv(49152)
    conv.seg(g.CLIENT, "S", dt=0)
    conv.seg(g.SERVER, "SA", dt=0)
    pkts = [conv.seg(g.CLIENT, "A", dt=10 * g.MS),
            conv.seg(g.CLIENT, "PA", g.HTTP_REQUEST, dt=200 * g.US),
            conv.seg(g.SERVER, "A", dt=12 * g.MS)]
    for k in range(3):
        pkts.append(conv.seg(g.SERVER, "PA", BIG[k * 400:k * 400 + 400], dt=1 * g.MS))
    pkts += [conv.seg(g.CLIENT, "A", dt=100 * g.US)] + conv.close()
    for k, p in enumerate(pkts):
        cap.through(p, nat, cseq=off, alter=alter if k == 4 else None)
    x_end(cap, conv.now + 2500 * g.MS)
    cap.write(name)


def x_syn_retry(cap, conv, nat, name):
    """The client's first SYN dies in the device (or before the outside capture
    starts); its retry a second later crosses and the HTTP exchange follows."""
    syn = conv.seg(g.CLIENT, "S", dt=0, advance=False)
    cap.through(syn, nat, drop=True)
    pkts = [conv.seg(g.CLIENT, "S", dt=1000 * g.MS), conv.seg(g.SERVER, "SA", dt=12 * g.MS),
            conv.seg(g.CLIENT, "A", dt=100 * g.US)]
    for p in pkts + g.http_flow(conv)[3:]:
        cap.through(p, nat)
    x_end(cap, conv.now + 2500 * g.MS)
    cap.write(name)


def x_end(cap, t):
    """Last pings, so that both captures run past the scenario's packets (and the
    clock has samples)."""
    x_pings(cap, t, 3, gap=10 * g.MS)


BIG = bytes(range(256)) * 5  # 1280 bytes


def x_scenarios():
    nat = (49152, 61001)
    # honest: the outside capture lost the response (its seq is the server's pure ACK's)
    cap, conv = x_request(nat)
    cap.through(conv.seg(g.SERVER, "A", dt=5 * g.MS), nat)
    cap.through(conv.seg(g.SERVER, "PA", RESPONSE, dt=20 * g.MS), nat, lose_out=True)
    for p in [conv.seg(g.CLIENT, "A", dt=100 * g.US)] + conv.close():
        cap.through(p, nat)
    x_end(cap, conv.now + 2500 * g.MS)
    cap.write("diff-x-lost-data")

    # honest: the outside capture starts after the first SYN
    cap = XCapture(start_out=g.T0 + 500 * g.MS)
    x_link(cap)
    x_pings(cap, g.T0 + 600 * g.MS, 1)
    x_syn_retry(cap, g.linux_conv(49152), nat, "diff-x-late-start")

    # honest: ISN randomised, SACK edges shifted, a RST without ACK
    cap = XCapture()
    x_link(cap)
    conv = g.linux_conv(49152)
    off = 0x3C000000
    for p in conv.handshake():
        cap.through(p, nat, cseq=off)
    base = conv.nxt[0]
    for k in range(3):
        cap.through(conv.seg(g.CLIENT, "PA", BIG[k * 300:k * 300 + 500], dt=200 * g.US), nat,
                    cseq=off)
    cap.through(conv.seg(g.SERVER, "A", dt=12 * g.MS, ack=base + 500,
                         sack=[(base + 1000, base + 1500)]), nat, cseq=off)
    cap.through(conv.seg(g.SERVER, "A", dt=1 * g.MS), nat, cseq=off)
    cap.through(conv.seg(g.CLIENT, "R", dt=5 * g.MS), nat, cseq=off)
    x_end(cap, conv.now + 2500 * g.MS)
    cap.write("diff-x-isn-sack")

    # honest: the same firewall, both captures started mid-connection; tampered: the
    # same, the second response segment's bytes changed
    x_midstream(nat, off, "diff-x-midstream-isn")
    x_midstream(nat, off, "diff-x-midstream-modified", alter=b"owned! " * 57 + b"o")

    # honest: IPv4 IDs rewritten; tampered: the same, and the device answers the DNS
    # query itself just before the resolver's answer, which it forwards too
    for name, forge in (("diff-x-ipid-nat", False), ("diff-x-ipid-forged", True)):
        cap = XCapture()
        x_link(cap)
        conv = g.linux_conv(49152)
        for p in g.http_flow(conv):
            cap.through(p, nat, ipid=0x1234)
        q, a = dns_exchange(conv.now + 50 * g.MS)
        cap.through(q, (53000, 61002), ipid=0x1234)
        if forge:
            cap.add("in", a.ts - 5 * g.MS, forged_answer(a.ts))
        cap.through(a, (53000, 61002), ipid=0x1234)
        x_end(cap, conv.now + 2500 * g.MS)
        cap.write(name)

    # honest: path MTU discovery
    cap = XCapture()
    x_link(cap)
    conv = g.linux_conv(49152)
    for p in conv.handshake():
        cap.through(p, nat)
    big = conv.seg(g.CLIENT, "PA", BIG[:1400], dt=200 * g.US, advance=False)
    cap.through(big, nat, drop=True)
    cap.add("in", big.ts + 30 * g.US, frame(MAC_ROUTER_IN, MAC_CLIENT,
            IP(src=ROUTER_IN, dst=g.CLIENT4, id=0x0777) / ICMP(type=3, code=4, nexthopmtu=1200)
            / raw(big.ip)[:28]))
    for k in range(2):
        cap.through(conv.seg(g.CLIENT, "PA", BIG[k * 700:(k + 1) * 700], dt=1 * g.MS), nat)
    cap.through(conv.seg(g.SERVER, "A", dt=12 * g.MS), nat)
    x_end(cap, conv.now + 2500 * g.MS)
    cap.write("diff-x-pmtud")

    # honest: the device fragments for a smaller outside MTU
    cap = XCapture()
    x_link(cap)
    t = g.T0
    dg = g.Pkt(t, g.CLIENT, IP(src=g.CLIENT4, dst=RESOLVER, id=0x3301, flags=0)
               / UDP(sport=40000, dport=4500) / BIG)
    cap.through(dg, (40000, 61003), mtu=576)
    x_end(cap, t + 2500 * g.MS)
    cap.write("diff-x-fragmenting")

    # the device fragments a large DNS answer for the inside link: honest, then with
    # one address of it changed
    for name, forged in (("diff-x-frag-dns", False), ("diff-x-frag-dns-forged", True)):
        cap = XCapture()
        x_link(cap)
        q, a = dns_exchange(g.T0)
        a = g.Pkt(a.ts, g.SERVER, IP(src=RESOLVER, dst=g.CLIENT4, id=0x7101, ttl=58, flags=0)
                  / UDP(sport=53, dport=53000) / big_answer(None))
        cap.through(q, (53000, 61002))
        cap.through(a, (53000, 61002), mtu=576, alter=raw(big_answer(7)) if forged else None)
        x_end(cap, g.T0 + 2500 * g.MS)
        cap.write(name)

    # IPv6 only, the outside clock 30 s ahead: honest, then one response changed
    for name, alter in (("diff-x-v6-skew", None), ("diff-x-v6-modified", TAMPERED)):
        cap = XCapture(skew=SKEW6)
        conv = g.linux_conv(49200, client=g.CLIENT6, server=g.SERVER6)
        for i in range(3):
            for k, p in enumerate(g.http_flow(conv)):
                cap.through(p, alter=alter if (i == 1 and k == 4) else None)
            conv.port = (conv.port[0] + 1, 80)
            conv.nxt = [0x1C2D3E4F + i * 0x1000000, 0x5A6B7C8D + i * 0x1000000]
        cap.write(name)

    # tampered: behind NAT, an inbound data segment dropped; its retransmission crosses
    cap, conv = x_request(nat)
    resp = conv.seg(g.SERVER, "PA", RESPONSE, dt=25 * g.MS, advance=False)
    cap.through(resp, nat, drop=True)
    for p in [conv.seg(g.SERVER, "PA", RESPONSE, dt=210 * g.MS),
              conv.seg(g.CLIENT, "A", dt=100 * g.US)] + conv.close():
        cap.through(p, nat)
    x_end(cap, conv.now + 2500 * g.MS)
    cap.write("diff-x-nat-drop")

    # tampered: behind NAT, a RST forged outward while the client goes on sending
    cap, conv = x_request(nat)
    rst = conv.seg(g.CLIENT, "R", dt=1 * g.MS, advance=False)
    forged = translate(rst.ip, True, nat)
    cap.add("out", rst.ts, frame(MAC_ROUTER_OUT, MAC_UPSTREAM, forged))
    for p in [conv.seg(g.SERVER, "PA", RESPONSE, dt=25 * g.MS),
              conv.seg(g.CLIENT, "PA", g.HTTP_REQUEST, dt=100 * g.MS)]:
        cap.through(p, nat)
    x_end(cap, conv.now + 2500 * g.MS)
    cap.write("diff-x-nat-rst")

    # tampered: the resolver's answer replaced
    cap = XCapture()
    x_link(cap)
    q, a = dns_exchange(g.T0)
    dns_nat = (53000, 61002)
    cap.through(q, dns_nat)
    cap.through(a, dns_nat, drop=True)
    cap.add("in", a.ts + HOP, raw(Ether(src=MAC_ROUTER_IN, dst=MAC_CLIENT)
                                  / IP(src=RESOLVER, dst=g.CLIENT4, id=0x0bad, ttl=64)
                                  / UDP(sport=53, dport=53000)
                                  / DNS(id=0x4242, qr=1, rd=1, ra=1,
                                        qd=DNSQR(qname="www.example.com"),
                                        an=DNSRR(rrname="www.example.com", ttl=60,
                                                 rdata="203.0.113.66")
                                        / DNSRR(rrname="www.example.com", ttl=60,
                                                rdata="203.0.113.67"))))
    x_end(cap, g.T0 + 2500 * g.MS)
    cap.write("diff-x-dns-replaced")

    # tampered: one SYN and its retransmissions dropped while pings cross; honest: the
    # same SYNs all forwarded to a server that never answers
    for name, drop in (("diff-x-syn-censor", True), ("diff-x-syn-unanswered", False)):
        cap = XCapture()
        x_link(cap)
        x_pings(cap, g.T0 - 100 * g.MS, 18)
        conv = g.linux_conv(49152, tcp_ts=False)
        for dt in (0, 1000, 2000, 4000):
            p = conv.seg(g.CLIENT, "S", dt=dt * g.MS, seq=0x1C2D3E4F, advance=False)
            cap.through(p, nat, drop=drop)
        x_end(cap, conv.now + 2500 * g.MS)
        cap.write(name)


def x_scenarios_acks():
    """The receiver's ACK or SACK decides drops and injections of TCP data."""
    nat = (49152, 61001)
    # honest: the inside capture lost the response, which the client acknowledged; the
    # server's spurious retransmission crosses after that ACK
    cap, conv = x_request(nat)
    resp = conv.seg(g.SERVER, "PA", RESPONSE, dt=25 * g.MS, advance=False)
    cap.through(resp, nat, lose_in=True)
    conv.nxt[1] = resp.ip[TCP].seq + len(RESPONSE)
    cap.through(conv.seg(g.CLIENT, "A", dt=100 * g.US), nat)
    cap.through(conv.seg(g.SERVER, "PA", RESPONSE, dt=210 * g.MS, seq=resp.ip[TCP].seq), nat)
    x_close(cap, conv, nat, "diff-x-spurious-retx")

    # cannot tell: the response dropped, its retransmission forwarded, and the client
    # never acknowledges either (it went away)
    cap, conv = x_request(nat)
    resp = conv.seg(g.SERVER, "PA", RESPONSE, dt=25 * g.MS, advance=False)
    cap.through(resp, nat, drop=True)
    cap.through(conv.seg(g.SERVER, "PA", RESPONSE, dt=210 * g.MS), nat)
    x_end(cap, conv.now + 2500 * g.MS)
    cap.write("diff-x-retx-unacked")

    # tampered: the device races the response with forged data at its sequence number,
    # which the client acknowledges; the genuine response is forwarded after it
    cap, conv = x_request(nat)
    fake = conv.seg(g.SERVER, "PA", TAMPERED, dt=20 * g.MS, advance=False)
    fake.ip.ttl = 64
    cap.add("in", fake.ts, frame(MAC_ROUTER_IN, MAC_CLIENT, rebuild(fake.ip)))
    conv.nxt[1] = fake.ip[TCP].seq + len(TAMPERED)
    cap.through(conv.seg(g.CLIENT, "A", dt=100 * g.US), nat)
    cap.through(conv.seg(g.SERVER, "PA", RESPONSE, dt=5 * g.MS, seq=fake.ip[TCP].seq), nat)
    x_close(cap, conv, nat, "diff-x-forged-data")


def x_ranges(name, recut=None, forged_at=None):
    """The response's sequence range judged by its bytes. The device cuts the server's
    1200-byte segment into two of 600 (`recut`: the second with other bytes), or
    forwards it whole and sends a forged 200-byte copy starting 100 bytes in
    (`forged_at`: the forged bytes)."""
    nat = (49152, 61001)
    cap, conv = x_request(nat)
    data = BIG[:1200]
    whole = conv.seg(g.SERVER, "PA", data, dt=25 * g.MS, advance=False)
    start = whole.ip[TCP].seq
    if forged_at is None:
        cap.through(whole, nat, drop=True)  # entering only: it leaves cut in two
        for a in (0, 600):
            piece = data[a:a + 600]
            if recut is not None and a:
                piece = recut
            cap.through(conv.seg(g.SERVER, "PA", piece, dt=0, seq=start + a, advance=False),
                        nat, lose_out=True)
    else:
        cap.through(whole, nat)
        fake = conv.seg(g.SERVER, "PA", forged_at, dt=1 * g.MS, seq=start + 100, advance=False)
        fake.ip.ttl = 64
        cap.add("in", fake.ts, frame(MAC_ROUTER_IN, MAC_CLIENT, rebuild(fake.ip)))
    conv.nxt[1] = start + len(data)
    x_close(cap, conv, nat, name)


def x_more():
    nat = (49152, 61001)
    # tampered: a 600-byte DF segment dropped with ICMP "fragmentation needed" naming an
    # MTU of 1200, which it fits: a false reason
    cap, conv = x_request(nat)
    seg = conv.seg(g.CLIENT, "PA", BIG[:600], dt=200 * g.US, advance=False)
    cap.through(seg, nat, drop=True)
    cap.add("in", seg.ts + 30 * g.US, frame(MAC_ROUTER_IN, MAC_CLIENT,
            IP(src=ROUTER_IN, dst=g.CLIENT4, id=0x0778) / ICMP(type=3, code=4, nexthopmtu=1200)
            / raw(seg.ip)[:28]))
    x_end(cap, conv.now + 2500 * g.MS)
    cap.write("diff-x-pmtud-forged")

    # tampered: the first SYN dropped (no timestamps: its retry is the same packet), the
    # retry a second later crosses; the drop is the first, matched nearest in time
    cap = XCapture()
    x_link(cap)
    x_pings(cap, g.T0 - 100 * g.MS, 4)
    x_syn_retry(cap, g.linux_conv(49152, tcp_ts=False), nat, "diff-x-syn-retx-drop")

    # honest: TCP timestamps modulated (pf), the client's TSval shifted outside
    cap = XCapture()
    x_link(cap)
    conv = g.linux_conv(49152)
    for p in g.http_flow(conv):
        cap.through(p, nat, tsoff=0x10000000)
    x_end(cap, conv.now + 2500 * g.MS)
    cap.write("diff-x-ts-modulate")


def x_ping_sessions(name, forge=False):
    """Two ping sessions from the client to the server at once (identifiers 0x55 and
    0x66, rewritten by the NAT to 0x1055 and 0x1066), the same sequence numbers and
    other payloads. Honest: the outside capture loses session 0x55's second reply,
    while session 0x66's reply with that sequence number crosses. `forge`: the device
    answers session 0x55's second request itself as well, in the server's name."""
    cap = XCapture()
    x_link(cap)
    t = g.T0
    for k in range(4):
        for ident, off in ((0x55, 0), (0x66, 3 * g.MS)):
            data = b"session %x echo %d" % (ident, k)
            req = g.Pkt(t + off, g.CLIENT, IP(src=g.CLIENT4, dst=g.SERVER4, id=0x3201 + k + ident)
                        / ICMP(type=8, id=ident, seq=k + 1) / data)
            rep = g.Pkt(t + off + 12 * g.MS, g.SERVER,
                        IP(src=g.SERVER4, dst=g.CLIENT4, id=0x7201 + k + ident, ttl=50)
                        / ICMP(type=0, id=ident, seq=k + 1) / data)
            cross_ping(cap, req, True, out_id=0x1000 + ident)
            lost = not forge and ident == 0x55 and k == 1
            cross_ping(cap, rep, True, out_id=0x1000 + ident, lose_out=lost)
            if forge and ident == 0x55 and k == 1:
                cap.add("in", rep.ts - 8 * g.MS, frame(MAC_ROUTER_IN, MAC_CLIENT, rebuild(
                    IP(src=g.SERVER4, dst=g.CLIENT4, id=0x0bad, ttl=64)
                    / ICMP(type=0, id=ident, seq=k + 1) / b"answered by the router!")))
        t += 500 * g.MS
    x_end(cap, t + 2500 * g.MS)
    cap.write(name)


def quic(t, side, k):
    """A QUIC-like datagram: a short-header byte and the same 8-byte connection ID in
    every one (the first 4 payload bytes equal), then bytes of its own."""
    body = b"\x43" + b"\xc1\xd0\x5e\xa7\x11\x22\x33\x44" + bytes([k]) * (60 + 7 * k)
    if side == g.CLIENT:
        ip = IP(src=g.CLIENT4, dst=g.SERVER4, id=0x3401 + k) / UDP(sport=50443, dport=443)
    else:
        ip = IP(src=g.SERVER4, dst=g.CLIENT4, id=0x7401 + k, ttl=50) / UDP(sport=443, dport=50443)
    return g.Pkt(t, side, ip / body)


def x_capture_edges():
    """What the captures miss is not the device's doing."""
    nat = (50443, 61004)
    # honest: a QUIC-like flow over UDP/443, the outside capture misses one of the
    # server's datagrams (capture loss: the inside copy is lone, yet nothing forged it)
    cap = XCapture()
    x_link(cap)
    for k in range(8):
        side = g.CLIENT if k % 2 == 0 else g.SERVER
        cap.through(quic(g.T0 + k * 20 * g.MS, side, k), nat, lose_out=k == 5)
    x_end(cap, g.T0 + 2500 * g.MS)
    cap.write("diff-x-quic-lost")

    # honest: the outside capture stops before the inside one; an HTTP exchange and pings
    # inside after its end are not judged
    cap = XCapture(stop_out=g.T0 + 1500 * g.MS)
    x_link(cap)
    x_pings(cap, g.T0, 3)
    conv = g.linux_conv(49152, t0=g.T0 + 2000 * g.MS)
    for p in g.http_flow(conv):
        cap.through(p, nat=(49152, 61001))
    cap.write("diff-x-early-stop")


def main():
    exchange("diff-clean")
    exchange("diff-tampered", tamper=True)
    exchange("diff-gap", lose_request=True)
    exchange("diff-lost", lose_answer=True)
    exchange("diff-isb", tamper=True, outside_drops=2)
    exchange("diff-seqoff", seq_off=0x10000000)
    exchange("diff-routed", nat=False)
    x_scenarios()
    x_scenarios_acks()
    x_ping_sessions("diff-x-ping-twins")
    x_ping_sessions("diff-x-ping-forged", forge=True)
    x_more()
    x_ranges("diff-x-resegment")
    x_ranges("diff-x-recut-forged", recut=BIG[600:900] + b"X" * 300)
    x_capture_edges()
    x_ranges("diff-x-offset-forged", forged_at=b"HTTP/1.1 302 Found\r\nLocation: http://"
             + b"x" * 168 + b"\r\n\r\n")


if __name__ == "__main__":
    main()
