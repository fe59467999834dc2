#!/usr/bin/python3
"""Writes captures/frag-*.pcap: IP fragment reassembly and fragment_injection, each
attack beside the benign look-alikes DESIGN.md names for it.

The client is 192.0.2.10 (2001:db8::10), the server 198.51.100.20 (2001:db8:1::20);
UDP datagrams go from client port 40001 to server port 9999 and carry lines of text,
so a conflicting copy is easy to read in a hex dump. Fragments are cut the way a
router cuts them: same header, MF on all but the last, offsets in 8-byte units.
"[a,b)" is a range of bytes of the datagram's IP payload (the UDP or TCP header
starts at 0). IPv4 fragments have TTL 64 and DF clear; IPv6 ones hop limit 64.

Attacks (each must raise the named finding):

  frag-conflict-ipv4      a 608-byte UDP datagram (IP-ID 0x3a01): 1 [0,208) with the UDP
                          header; 2 [208,416); 3 [296,392), overlapping 2 with other
                          bytes in its middle 32 ([328,360)); 4 [416,608), the last,
                          which completes it; 5 the server's unfragmented reply.
                          fragment_injection high, frames 2 and 3; reassembled 1,
                          overlaps 1, conflicts 1.
  frag-conflict-ipv6      the same over IPv6 (Fragment header id 0x5ec0d101): 1 [0,208),
                          2 [208,416), 3 [296,392) conflicting with 2 in [328,360), 4
                          [416,608); 5 the reply.
  frag-conflict-tcp       an HTTP request in fragments (DF clear on the whole connection):
                          1-3 handshake; 4-7 the client's 560-byte request segment (IP-ID
                          0x2a03) as 4 [0,256) with the TCP header and the request line
                          "GET /index.html", 5 [32,72) overlapping 4 with "GET
                          /admin/delete?all=1" over the request line, 6 [256,512), 7
                          [512,592) completing it; 8 server ACK; 9 reply; 10 ACK;
                          11-13 close. fragment_injection, frames 4 and 5.
  frag-conflict-first-last  the fragment with the UDP header comes last: a 608-byte
                          datagram (IP-ID 0x3a08) as 1 [208,416); 2 [296,392)
                          conflicting with 1 in [328,360); 3 [416,608); 4 [0,208),
                          which completes it; then a second one (IP-ID 0x3a09) whose
                          first fragment never comes: 5 [208,416), 6 [296,392)
                          conflicting; 7 the reply. fragment_injection frames 1 and 2
                          with the datagram's ports (held until frame 4 brings them),
                          and frames 5 and 6 with ports 0 (reported at the end).
  frag-reassembled-tcp-injection  1-3 handshake; 4 GET; 5-7 a forged 600-byte reply
                          (a 302 to an exploit URL) posing as the server, TCP header
                          without options, TTL 64, IP-ID 1, DF clear, in three fragments
                          [0,208), [208,416), [416,620), 1 ms after 4; 8 client ACK; 9
                          the genuine 600-byte reply at the same sequence number, not
                          fragmented, 20 ms after 5; 10 dup ACK; 11-13 close. After
                          reassembly (completed by frame 7): tcp_injection, forged 7,
                          genuine 9; no fragment_injection (no fragments overlap).
  frag-reuse-other-ttl    the attack twin of frag-ipid-reused: 1 a first fragment [0,208)
                          (IP-ID 0x3a12, port 40001, TTL 64) whose datagram never
                          completes; 2-4 500 ms later a datagram with the same IP-ID
                          from port 40003 whose first fragment has TTL 50 (another
                          distance: not the sender's stack), the others TTL 64.
                          fragment_injection high, frames 1 and 2 (no reuse excuse).

The IP-ID wrap look-alike (medium, never high):

  frag-ipid-reused        RFC 4963 misassociation: 1 a first fragment [0,208) of a
                          datagram (IP-ID 0x3a10, port 40001) that never completes; 2-4
                          500 ms later a new datagram from port 40002 with the same
                          IP-ID, all three fragments (the first conflicts in its ports);
                          5 a first fragment [0,208) (IP-ID 0x3a11, port 40001) whose
                          datagram never completes; 6-8 5 s later a new datagram from
                          the same ports with the same IP-ID and other bytes; 9-11 a
                          whole datagram (IP-ID 0x3a13), 12-14 300 ms later the next one
                          with the same IP-ID and ports and other bytes, while the first
                          is kept for late copies. All TTL 64. fragment_injection medium
                          three times (id_reused "ports", "aged", "after_complete");
                          the new datagrams reassemble; reassembly.id_reused 3.

Benign twins (each must stay silent):

  frag-benign-duplicate   every fragment captured twice, 2 us apart, byte for byte: 1-6
                          an IPv4 datagram's three fragments (IP-ID 0x3a02) each twice;
                          7 reply; 8-11 an IPv6 datagram's two fragments (id
                          0x5ec0d102) each twice; 12 reply. The copies of the last
                          fragments (6, 11) come after their datagram is complete and
                          are compared with the kept datagram (reassembly.late 2).
  frag-benign-retransmit  the same datagram resent with the same IP-ID and bytes: 1-2
                          an IPv4 datagram's first two fragments (IP-ID 0x3a03; the
                          third was lost before the capture point); 3-5 all three again
                          1 s later (overlapping 1-2 with the same bytes), completing
                          it; 6 reply; 7-9 all three again 3 s later (the reply was
                          lost), a new datagram; 10 reply; 11-12 an IPv6 datagram (id
                          0x5ec0d103) in two fragments, 13-14 the same again 1 s later,
                          late copies compared with the kept datagram.
  frag-benign-ipid-reuse  two datagrams with one IP-ID (0x3a04) and other bytes, far
                          apart: 1-3 the first, complete; 4-6 the second, 40 s later;
                          then 7-8 a third datagram with IP-ID 0x3a05 missing its last
                          fragment (80 s) and 9-11 a fourth with the same IP-ID and
                          other bytes 40 s later, after the third timed out (30 s).
                          Stats: 4 datagrams, 3 reassembled, 1 expired.
  frag-benign-incomplete  1-2 an IPv4 datagram (IP-ID 0x3a06) without its last fragment;
                          3-5 a complete one (IP-ID 0x3a07) 35 s later, whose first
                          fragment expires the first; 6 the second fragment alone of an
                          IPv6 datagram (id 0x5ec0d106) 1 s later, pending at the end.
                          Stats: 3 datagrams, 1 reassembled, 1 expired.
"""

from scapy.all import IP, TCP, UDP, IPv6, IPv6ExtHdrFragment, Raw, raw

import goldenlib as g

C, S = g.CLIENT, g.SERVER
MS, US = g.MS, g.US
SPORT, DPORT = 40001, 9999


def text(n, tag=b"datagram"):
    """n bytes of numbered lines."""
    out = b""
    i = 0
    while len(out) < n:
        out += b"%s line %03d: the quick brown fox jumps over the lazy dog\n" % (tag, i)
        i += 1
    return out[:n]


def udp_l4(src, dst, payload, sport=SPORT, dport=DPORT):
    """The UDP header and payload of a datagram, checksum filled in."""
    if ":" in src:
        return raw(IPv6(src=src, dst=dst) / UDP(sport=sport, dport=dport) / payload)[40:]
    return raw(IP(src=src, dst=dst) / UDP(sport=sport, dport=dport) / payload)[20:]


def frag(src, dst, proto, ident, off, data, mf, ttl=64):
    """One fragment holding `data` at byte `off` of the datagram's IP payload."""
    assert off % 8 == 0 and (not mf or len(data) % 8 == 0)
    if ":" in src:
        return (IPv6(src=src, dst=dst, hlim=ttl, nh=44)
                / IPv6ExtHdrFragment(nh=proto, offset=off // 8, m=int(mf), id=ident)
                / Raw(data))
    return IP(src=src, dst=dst, ttl=ttl, id=ident, flags="MF" if mf else 0, frag=off // 8,
              proto=proto) / Raw(data)


def cut(src, dst, proto, ident, l4, bounds, ttl=64):
    """Fragments of l4 at the given (start, end) ranges, in that order."""
    return [frag(src, dst, proto, ident, a, l4[a:b], b < len(l4), ttl) for a, b in bounds]


THIRDS = ((0, 208), (208, 416), (416, 608))


def reply(src, dst, ts, ipid=0x7701):
    if ":" in src:
        ip = IPv6(src=src, dst=dst, hlim=56)
    else:
        ip = IP(src=src, dst=dst, ttl=56, id=ipid)
    return g.Pkt(ts, S, ip / UDP(sport=DPORT, dport=SPORT) / b"got it\n")


def at(t0, ips, step=10 * US, side=C):
    return [g.Pkt(t0 + i * step, side, ip) for i, ip in enumerate(ips)]


# --- attacks --------------------------------------------------------------------------

def conflict(v6):
    src, dst = (g.CLIENT6, g.SERVER6) if v6 else (g.CLIENT4, g.SERVER4)
    ident = 0x5EC0D101 if v6 else 0x3A01
    l4 = udp_l4(src, dst, text(600))
    assert len(l4) == 608
    other = bytearray(l4[296:392])
    other[32:64] = b"OVERWRITTEN BY A LATER FRAGMENT\n"
    f = cut(src, dst, 17, ident, l4, THIRDS)
    evil = frag(src, dst, 17, ident, 296, bytes(other), True)
    pkts = at(g.T0, [f[0], f[1], evil, f[2]])
    pkts.append(reply(dst, src, g.T0 + 15 * MS))
    return pkts


def conflict_first_last():
    src, dst = g.CLIENT4, g.SERVER4
    out = []
    for ident, bounds in ((0x3A08, (1, 2, 0)), (0x3A09, (1,))):
        l4 = udp_l4(src, dst, text(600))
        other = bytearray(l4[296:392])
        other[32:64] = b"OVERWRITTEN BY A LATER FRAGMENT\n"
        f = cut(src, dst, 17, ident, l4, THIRDS)
        evil = frag(src, dst, 17, ident, 296, bytes(other), True)
        out += [f[bounds[0]], evil] + [f[i] for i in bounds[1:]]
    pkts = at(g.T0, out)
    pkts.append(reply(dst, src, g.T0 + 15 * MS))
    return pkts


REQUEST = (b"GET /index.html HTTP/1.1\r\nHost: www.example.com\r\n"
           b"User-Agent: Mozilla/5.0 (X11; Linux x86_64; rv:121.0) Gecko/20100101 Firefox/121.0\r\n"
           b"Accept: text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8\r\n"
           b"Accept-Language: en-US,en;q=0.5\r\nAccept-Encoding: gzip, deflate\r\n"
           b"Connection: keep-alive\r\nUpgrade-Insecure-Requests: 1\r\n")


def request_560():
    """A GET of exactly 560 bytes, padded with a Cookie header."""
    cookie = b"Cookie: session="
    pad = 560 - len(REQUEST) - len(cookie) - 4
    out = REQUEST + cookie + b"0123456789abcdef" * (pad // 16) + b"x" * (pad % 16) + b"\r\n\r\n"
    assert len(out) == 560, len(out)
    return out


def conflict_tcp():
    cv = g.TcpConv(sport=50201, df=False, ttl=(64, 50))
    pkts = cv.handshake()
    seg = cv.seg(C, "PA", request_560(), dt=200 * US)
    ip = seg.ip
    l4 = raw(ip)[20:]
    assert len(l4) == 592 and ip.id == 0x2A03
    src, dst = ip.src, ip.dst
    # The TCP header is 32 bytes (timestamps), so the request line starts at 32.
    assert l4[32:47] == b"GET /index.html"
    other = bytearray(l4[32:72])
    other[0:len(b"GET /admin/delete?all=1 ")] = b"GET /admin/delete?all=1 "
    f = cut(src, dst, 6, ip.id, l4, ((0, 256), (256, 512), (512, 592)))
    evil = frag(src, dst, 6, ip.id, 32, bytes(other), True)
    pkts += at(seg.ts, [f[0], evil, f[1], f[2]])
    cv.now = pkts[-1].ts
    response = (b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 16\r\n\r\n"
                b"<p>welcome</p>\n\n")
    pkts += [cv.seg(S, "A", dt=12 * MS), cv.seg(S, "PA", response, dt=1 * MS),
             cv.seg(C, "A", dt=100 * US)] + cv.close()
    assert len(pkts) == 13
    return pkts


EXPLOIT = b"http://exploit.example/landing/7f3a"


def http_sized(head, body_head, n):
    """An HTTP response of exactly n bytes: `head` (status line and headers), a
    three-digit Content-Length, and a body starting with `body_head`, padded."""
    blen = n - len(head + b"Content-Length: 000\r\n\r\n")
    body = body_head + b" " * (blen - len(body_head) - 1) + b"\n"
    out = head + b"Content-Length: %d\r\n\r\n" % blen + body
    assert len(out) == n and 100 <= blen < 1000
    return out


def reassembled_tcp_injection():
    cv = g.TcpConv(sport=50202, ttl=(64, 50))
    pkts = cv.handshake() + [cv.seg(C, "PA", REQUEST + b"\r\n", dt=200 * US)]
    s = cv.nxt[S]
    forged = http_sized(b"HTTP/1.1 302 Found\r\nLocation: " + EXPLOIT
                        + b"\r\nContent-Type: text/html\r\n",
                        b"<html><body><a href=\"" + EXPLOIT + b"\">Moved</a></body></html>", 600)
    genuine = http_sized(b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n",
                         b"<html><body><p>This domain is for use in illustrative examples.</p>"
                         b"</body></html>", 600)
    t_forged = cv.now + 1 * MS
    ip = IP(src=g.SERVER4, dst=g.CLIENT4, ttl=64, id=1, flags=0)
    tcp = TCP(sport=80, dport=50202, seq=s, ack=cv.nxt[C], flags="PA", window=8192,
              options=[])
    l4 = raw(ip / tcp / forged)[20:]
    assert len(l4) == 620
    pkts += at(t_forged, cut(g.SERVER4, g.CLIENT4, 6, 1, l4,
                             ((0, 208), (208, 416), (416, 620))), side=S)
    cv.now = pkts[-1].ts
    pkts.append(cv.seg(C, "A", dt=100 * US, ack=s + 600))
    pkts.append(cv.seg(S, "PA", genuine, dt=t_forged + 20 * MS - cv.now, seq=s))
    pkts.append(cv.seg(C, "A", dt=100 * US, sack=[(s, s + 600)]))
    pkts += cv.close()
    assert len(pkts) == 13
    return pkts


# --- benign twins ---------------------------------------------------------------------

def duplicate():
    pkts = []
    t = g.T0
    for v6, ident, bounds in ((False, 0x3A02, THIRDS),
                              (True, 0x5EC0D102, ((0, 304), (304, 608)))):
        src, dst = (g.CLIENT6, g.SERVER6) if v6 else (g.CLIENT4, g.SERVER4)
        l4 = udp_l4(src, dst, text(600, b"duplicated"))
        for i, f in enumerate(cut(src, dst, 17, ident, l4, bounds)):
            pkts += [g.Pkt(t + i * 10 * US, C, f), g.Pkt(t + i * 10 * US + 2 * US, C, f)]
        pkts.append(reply(dst, src, t + 15 * MS))
        t += 1000 * MS
    assert len(pkts) == 12
    return pkts


def retransmit():
    src, dst = g.CLIENT4, g.SERVER4
    l4 = udp_l4(src, dst, text(600, b"resent"))
    f = cut(src, dst, 17, 0x3A03, l4, THIRDS)
    t = g.T0
    pkts = at(t, f[:2])
    pkts += at(t + 1000 * MS, f)
    pkts.append(reply(dst, src, t + 1015 * MS, ipid=0x7702))
    pkts += at(t + 4000 * MS, f)
    pkts.append(reply(dst, src, t + 4015 * MS, ipid=0x7703))
    src, dst = g.CLIENT6, g.SERVER6
    l4 = udp_l4(src, dst, text(600, b"resent"))
    f = cut(src, dst, 17, 0x5EC0D103, l4, ((0, 304), (304, 608)))
    pkts += at(t + 5000 * MS, f) + at(t + 6000 * MS, f)
    assert len(pkts) == 14
    return pkts


def ipid_reuse():
    src, dst = g.CLIENT4, g.SERVER4
    pkts = []
    for k, (ident, secs, tag, whole) in enumerate(((0x3A04, 0, b"first", True),
                                                   (0x3A04, 40, b"second", True),
                                                   (0x3A05, 80, b"third", False),
                                                   (0x3A05, 120, b"fourth", True))):
        l4 = udp_l4(src, dst, text(600, tag))
        f = cut(src, dst, 17, ident, l4, THIRDS)
        pkts += at(g.T0 + secs * 1000 * MS, f if whole else f[:2])
    assert len(pkts) == 11
    return pkts


def reused(ident, first_sport, second_sport, t0, gap, first_ttl=64):
    """A first fragment that never completes, then `gap` later a whole datagram with the
    same IP-ID (its first fragment with TTL first_ttl)."""
    src, dst = g.CLIENT4, g.SERVER4
    old = udp_l4(src, dst, text(600, b"stale"), sport=first_sport)
    new = udp_l4(src, dst, text(600, b"fresh"), sport=second_sport)
    f = cut(src, dst, 17, ident, new, THIRDS)
    f[0].ttl = first_ttl
    return at(t0, cut(src, dst, 17, ident, old, THIRDS)[:1]) + at(t0 + gap, f)


def ipid_reused():
    pkts = reused(0x3A10, SPORT, SPORT + 1, g.T0, 500 * MS)
    pkts += reused(0x3A11, SPORT, SPORT, g.T0 + 2000 * MS, 5000 * MS)
    src, dst = g.CLIENT4, g.SERVER4
    for k, tag in enumerate((b"before wrap", b"after wrap")):
        l4 = udp_l4(src, dst, text(600, tag))
        pkts += at(g.T0 + 10000 * MS + k * 300 * MS, cut(src, dst, 17, 0x3A13, l4, THIRDS))
    assert len(pkts) == 14
    return pkts


def reuse_other_ttl():
    pkts = reused(0x3A12, SPORT, SPORT + 2, g.T0, 500 * MS, first_ttl=50)
    assert len(pkts) == 4
    return pkts


def incomplete():
    pkts = []
    src, dst = g.CLIENT4, g.SERVER4
    l4 = udp_l4(src, dst, text(600, b"never whole"))
    pkts += at(g.T0, cut(src, dst, 17, 0x3A06, l4, THIRDS)[:2])
    l4 = udp_l4(src, dst, text(600, b"whole"))
    pkts += at(g.T0 + 35000 * MS, cut(src, dst, 17, 0x3A07, l4, THIRDS))
    src, dst = g.CLIENT6, g.SERVER6
    l4 = udp_l4(src, dst, text(600, b"pending"))
    pkts += at(g.T0 + 36000 * MS, cut(src, dst, 17, 0x5EC0D106, l4, ((0, 304), (304, 608)))[1:])
    assert len(pkts) == 6
    return pkts


def main():
    eth = g.LINKTYPE_ETHERNET
    for name, fn in (("frag-conflict-ipv4", lambda: conflict(False)),
                     ("frag-conflict-ipv6", lambda: conflict(True)),
                     ("frag-conflict-tcp", conflict_tcp),
                     ("frag-conflict-first-last", conflict_first_last),
                     ("frag-reassembled-tcp-injection", reassembled_tcp_injection),
                     ("frag-reuse-other-ttl", reuse_other_ttl),
                     ("frag-ipid-reused", ipid_reused),
                     ("frag-benign-duplicate", duplicate),
                     ("frag-benign-retransmit", retransmit),
                     ("frag-benign-ipid-reuse", ipid_reuse),
                     ("frag-benign-incomplete", incomplete)):
        g.write(name + ".pcap", g.pcap(eth, g.on_ether(fn())))


if __name__ == "__main__":
    main()
