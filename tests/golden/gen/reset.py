#!/usr/bin/python3
"""Writes captures/reset-*.pcap: the forged-teardown detector (tcp_reset_injection),
each attack beside the benign look-alikes DESIGN.md and the issue name for it.

Every flow is seen from beside the client (192.0.2.10, TTL 64) talking to a web server
(198.51.100.20, TTL 50, about 14 hops away); the tap sees both directions of the
client's uplink, so teardowns a forger aims at either end pass it. Both ends are
Linux-like: the handshake negotiates MSS, SACK-permitted, timestamps and window scale;
DF set; IP-IDs counting up per connection; TCP timestamps on a 1 kHz clock. A live
Linux socket's RST (an abort) is a normal segment: RST|ACK, timestamps, the usual
window and the next IP-ID. A Linux stack with no socket for a segment answers with
RST, seq = that segment's ACK, no ACK flag, no options, window 0, IP-ID 0, DF ("stack
RST" below). A forger's packet has no TCP options, DF clear and its own TTL and IP-ID.
"S" is the server's first data sequence number, "C" the client's; "S+n" and "C+n" are
offsets from them. Frames 1-4 are SYN, SYN/ACK, ACK and the GET unless said otherwise.

Attacks (each must raise tcp_reset_injection with the named signal):
(reset-races-data, reset-ack-change, reset-benign-abort-after-data, the IPv6 twins
reset-alive-data-ipv6 and reset-benign-halfclose-ipv6, and the challenge-ACK pair
reset-benign-challenge-ack and reset-challenge-ack-forged, and the crossing-RST trio
reset-benign-lb-crossing (and -reversed), reset-ack-change-crossing and
reset-ack-change-both-ends:
see their functions' docstrings.)
(reset-benign-reuse-missed-handshake: a closed connection, then a new one on the same
ports 3 s later whose handshake the capture missed, each side 65537 past its old
stream end as Linux's TIME_WAIT reuse starts it; frames 1-9 the first, 10-15 the second.)

  reset-alive-data      a POST: 4 its headers [C,C+119); 5 server ACK; 6 forged RST|ACK
                        posing as the client at C+119 (TTL 64, IP-ID 1, DF clear, window
                        0); 7 the client goes on with the body [C+119,C+719) and 8 the
                        rest [C+719,C+1319); 9 the server, whose socket the RST killed,
                        answers 7 with a stack RST (seq S). sender_alive_after_teardown,
                        forged 6, proof 7.
  reset-alive-ack       5 reply [S,S+1448); 6 client ACK; 7 forged RST|ACK posing as the
                        server, seq S+5000 (inside the client's window, ahead of the
                        stream: a forger guessing), TTL 64, IP-ID 1; 8 the client's
                        challenge ACK (RFC 5961; ack S+1448); 9 [S+1448,S+2896), 10
                        [S+2896,S+3400) the rest of the reply (below S+5000); 11 client
                        ACK; 12 second GET 1 s later; 13 the server's pure ACK of it
                        (ack beyond anything it had acknowledged before 7); 14 the
                        second reply; 15 ACK. sender_alive_after_teardown, forged 7,
                        proof 13.
  reset-before-synack   1 SYN (client ISN 0x1C2D3E4F); 2 forged RST|ACK posing as the
                        server, seq 0, ack ISN+1, 3 ms after the SYN (TTL 64, IP-ID 1,
                        window 0); 3 the real SYN/ACK 12 ms after the SYN (the client,
                        set up to drop injected RSTs as evasion tools do, ignored 2); 4
                        ACK; 5 GET; 6 reply; 7 ACK; 8-10 close. teardown_before_synack,
                        forged 2, proof 3.
  reset-seq-jump        GFW style, after the GET (4): three RST|ACKs posing as the server
                        within 100 us, seq S (5), S+1460 (6), S+4380 (7), ack C+len(GET),
                        TTL 60, 61, 62, IP-IDs 0x3E21, 0x3E22, 0x3E23, DF clear, windows
                        2050, 2051, 2052. The server never answers (the burst killed it
                        too); nothing after. rst_seq_jump, forged 5-7.
  reset-fin-alive       5 a bare FIN|ACK posing as the server at S from a forger that
                        copies the server's TTL 50 and DF (IP-ID 1, window 8192, no
                        options, so only the missing timestamp tells, too little for
                        forged_packet); 6 client ACK of it (ack S+1); 7 the genuine reply
                        [S,S+567), 20 ms after 5; 8 client dup ACK (S+1: it discards data
                        after a FIN); 9 client FIN. sender_alive_after_teardown, forged 5,
                        proof 7.
  reset-fin-alive-far   the same from a forger with TTL 64 and DF clear: also a
                        forged_packet finding for frame 5.

Benign twins (each must stay silent):

  reset-benign-abort-inflight  5 [S,S+1448), 6 [S+1448,S+2896); 7 client ACK; 8 the
                        client aborts (browser stop): RST|ACK at the stream end; 9
                        [S+2896,S+4344), 10 [S+4344,S+5000) were already in flight and
                        arrive after it. Nothing more from the client.
  reset-benign-after-close  5 [S,S+1448) (ack C1 = C+len(GET)); 6 client ACK; 7 the
                        client closes: FIN|ACK at C1; 8 [S+1448,S+2896) sent before the
                        FIN arrived (ack C1); 9 stack RST seq C1; 10 [S+2896,S+3400) now
                        acking the FIN (C1+1); 11 stack RST seq C1+1. Nothing else from
                        the client.
  reset-benign-stray    no handshake: 1 a client segment of a connection the server has
                        forgotten (100 bytes, seq 0x3A000000, ack 0x77000000); 2 the
                        server's stack RST, seq 0x77000000. Nothing else.
  reset-benign-refused-then-new  1 SYN (ISN 0x1C2D3E4F); 2 the server refuses it:
                        RST|ACK seq 0 ack ISN+1, TTL 50, IP-ID 0, DF; 3 1 s later a new
                        SYN on the same 4-tuple, ISN 0x1C3D3E4F; 4 SYN/ACK; 5 ACK; 6 GET;
                        7 reply; 8 ACK; 9-11 close.
  reset-benign-halfclose  5 client FIN|ACK right after the GET (shutdown(SHUT_WR)); 6
                        server ACK of GET and FIN; 7 [S,S+1448), 8 client ACK, 9
                        [S+1448,S+2000), 10 client ACK (ACKs after one's own FIN are
                        legal); 11 server FIN|ACK; 12 client's last ACK.
  reset-benign-two-rsts  5 [S,S+1448) (ack C1 = C+len(GET)); 6 a pipelined second GET
                        [C1,C2); 7 the client aborts: RST|ACK at C2; 8 [S+1448,S+2896),
                        sent before the second GET reached the server (ack C1); 9 stack
                        RST seq C1, lower than 7's. Nothing ahead of the stream.
  reset-benign-lb-timeout  5 reply; 6 ACK; 350 s idle; 7, 8 the idle timeout of the
                        site's load balancer / stateful firewall next to the tap, which
                        resets both ends: RST|ACK posing as the server at its stream end
                        (TTL 64, IP-ID 0, DF, window 0), then the same posing as the
                        client, towards the server, at the client's stream end. Nothing
                        after.
  reset-benign-synsent-rst  1 SYN (ISN 0x1C2D3E4F); 2 a stale ACK of an earlier
                        connection on this 4-tuple (seq 0x5A000000, ack ISN-100000) 2 ms
                        later; 3 the client, in SYN_SENT, answers it with a stack RST,
                        seq ISN-100000; 4 the real SYN/ACK 12 ms after the SYN; 5 ACK; 6
                        GET; 7 reply; 8 ACK; 9-11 close.
"""

from scapy.all import IP, TCP, IPv6

import goldenlib as g

C, S = g.CLIENT, g.SERVER
MS, US = g.MS, g.US
M32 = 0xFFFFFFFF

REQUEST = (b"GET / HTTP/1.1\r\nHost: www.example.com\r\n"
           b"User-Agent: Mozilla/5.0 (X11; Linux x86_64; rv:121.0) Gecko/20100101 Firefox/121.0\r\n"
           b"Accept: text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8\r\n"
           b"Accept-Language: en-US,en;q=0.5\r\nConnection: keep-alive\r\n\r\n")
REQUEST2 = REQUEST.replace(b"GET / ", b"GET /news.html ")
POST_BODY = (b"q=" + b"falun+tiananmen+" * 100)[:1200]
POST = (b"POST /search HTTP/1.1\r\nHost: www.example.com\r\n"
        b"Content-Type: application/x-www-form-urlencoded\r\n"
        b"Content-Length: " + str(len(POST_BODY)).encode() + b"\r\n\r\n")


def body(n, fill=b"<p>This domain is for use in illustrative examples in documents.</p>\n"):
    """n bytes of page text."""
    return (fill * (n // len(fill) + 1))[:n]


def reply(n):
    """A 200 OK of exactly n bytes."""
    head = b"HTTP/1.1 200 OK\r\nServer: nginx/1.24.0\r\nContent-Type: text/html\r\n"
    cl = b"Content-Length: %d\r\n\r\n"
    blen = n - len(head) - len(cl % 1000)
    if len(str(blen)) != 4:  # Content-Length has another number of digits
        blen += 4 - len(str(blen))
    out = head + cl % blen + body(blen)
    assert len(out) == n, (len(out), n)
    return out


conv = g.linux_conv


def teardown(cv, side, flags, seq, ack=0, dt=1 * MS, ttl=64, ipid=1, df=False, window=0):
    """A RST or FIN posing as `side` from a stack other than its own (a forger, a load
    balancer): no TCP options. Leaves the connection's state alone but for the clock."""
    cv.now += dt
    if cv.v6:
        ip = IPv6(src=cv.addr[side], dst=cv.addr[1 - side], hlim=ttl)
    else:
        ip = IP(src=cv.addr[side], dst=cv.addr[1 - side], ttl=ttl, id=ipid,
                flags="DF" if df else 0)
    tcp = TCP(sport=cv.port[side], dport=cv.port[1 - side], seq=seq & M32, ack=ack & M32,
              flags=flags, window=window, options=[])
    return g.Pkt(cv.now, side, ip / tcp)


def stack_rst(cv, side, seq, dt=100 * US):
    """A Linux stack's RST for a segment it has no socket for: seq from the segment's
    ACK, no ACK flag, no options, window 0, IP-ID 0, DF."""
    return teardown(cv, side, "R", seq, dt=dt, ttl=cv.ttl[side], ipid=0, df=True)


def get(cv, req=REQUEST):
    return cv.seg(C, "PA", req, dt=200 * US)


# --- attacks --------------------------------------------------------------------------

def alive_data():
    cv = conv(50200)
    pkts = cv.handshake()
    pkts.append(cv.seg(C, "PA", POST, dt=200 * US))
    pkts.append(cv.seg(S, "A", dt=12 * MS))
    s = cv.nxt[S]
    pkts.append(teardown(cv, C, "RA", cv.nxt[C], ack=s, dt=300 * US))
    pkts.append(cv.seg(C, "A", POST_BODY[:600], dt=100 * US))
    pkts.append(cv.seg(C, "PA", POST_BODY[600:], dt=50 * US))
    pkts.append(stack_rst(cv, S, s, dt=12 * MS))
    assert len(pkts) == 9
    return g.on_ether(pkts)


def alive_ack():
    cv = conv(50201)
    rep = reply(3400)
    pkts = cv.handshake() + [get(cv)]
    s = cv.nxt[S]
    pkts.append(cv.seg(S, "A", rep[:1448], dt=25 * MS))
    pkts.append(cv.seg(C, "A", dt=100 * US))
    pkts.append(teardown(cv, S, "RA", s + 5000, ack=cv.nxt[C], dt=1 * MS))
    pkts.append(cv.seg(C, "A", dt=100 * US))
    pkts.append(cv.seg(S, "A", rep[1448:2896], dt=10 * MS))
    pkts.append(cv.seg(S, "PA", rep[2896:], dt=50 * US))
    pkts.append(cv.seg(C, "A", dt=100 * US))
    pkts.append(cv.seg(C, "PA", REQUEST2, dt=1000 * MS))
    pkts.append(cv.seg(S, "A", dt=52 * MS))
    pkts.append(cv.seg(S, "PA", reply(480), dt=10 * MS))
    pkts.append(cv.seg(C, "A", dt=100 * US))
    assert len(pkts) == 15
    return g.on_ether(pkts)


def before_synack():
    cv = conv(50202)
    syn = cv.seg(C, "S", dt=0)
    isn = syn.ip[TCP].seq
    pkts = [syn, teardown(cv, S, "RA", 0, ack=isn + 1, dt=3 * MS)]
    pkts.append(cv.seg(S, "SA", dt=9 * MS))
    pkts.append(cv.seg(C, "A", dt=100 * US))
    pkts.append(get(cv))
    pkts.append(cv.seg(S, "PA", reply(567), dt=25 * MS))
    pkts.append(cv.seg(C, "A", dt=100 * US))
    pkts += cv.close()
    assert len(pkts) == 10
    return g.on_ether(pkts)


def seq_jump():
    cv = conv(50203)
    pkts = cv.handshake() + [get(cv)]
    s = cv.nxt[S]
    dt = 2 * MS
    for k, off in enumerate((0, 1460, 4380)):
        pkts.append(teardown(cv, S, "RA", s + off, ack=cv.nxt[C], dt=dt, ttl=60 + k,
                             ipid=0x3E21 + k, window=2050 + k))
        dt = 50 * US
    assert len(pkts) == 7
    return g.on_ether(pkts)


def fin_alive(sport, ttl, df):
    cv = conv(sport)
    pkts = cv.handshake() + [get(cv)]
    s = cv.nxt[S]
    c = cv.nxt[C]
    pkts.append(teardown(cv, S, "FA", s, ack=c, dt=5 * MS, ttl=ttl, df=df, window=8192))
    pkts.append(cv.seg(C, "A", dt=100 * US, ack=s + 1))
    pkts.append(cv.seg(S, "PA", reply(567), dt=20 * MS - 100 * US, seq=s))
    pkts.append(cv.seg(C, "A", dt=100 * US, ack=s + 1))
    pkts.append(cv.seg(C, "FA", dt=1 * MS, ack=s + 1))
    assert len(pkts) == 9
    return g.on_ether(pkts)


# --- benign twins ---------------------------------------------------------------------

def abort_inflight():
    cv = conv(50210)
    rep = reply(5000)
    pkts = cv.handshake() + [get(cv)]
    pkts.append(cv.seg(S, "A", rep[:1448], dt=25 * MS))
    pkts.append(cv.seg(S, "A", rep[1448:2896], dt=50 * US))
    pkts.append(cv.seg(C, "A", dt=100 * US))
    pkts.append(cv.seg(C, "RA", dt=3 * MS))
    pkts.append(cv.seg(S, "A", rep[2896:4344], dt=200 * US))
    pkts.append(cv.seg(S, "PA", rep[4344:], dt=50 * US))
    assert len(pkts) == 10
    return g.on_ether(pkts)


def after_close():
    cv = conv(50211)
    rep = reply(3400)
    pkts = cv.handshake() + [get(cv)]
    c1 = cv.nxt[C]
    pkts.append(cv.seg(S, "A", rep[:1448], dt=25 * MS))
    pkts.append(cv.seg(C, "A", dt=100 * US))
    pkts.append(cv.seg(C, "FA", dt=2 * MS))
    pkts.append(cv.seg(S, "A", rep[1448:2896], dt=300 * US, ack=c1))
    pkts.append(stack_rst(cv, C, c1))
    pkts.append(cv.seg(S, "PA", rep[2896:], dt=12 * MS))
    pkts.append(stack_rst(cv, C, c1 + 1))
    assert len(pkts) == 11
    return g.on_ether(pkts)


def stray():
    cv = conv(50212, isn=(0x3A000000, 0x77000000))
    pkts = [cv.seg(C, "PA", REQUEST[:100], dt=0),
            stack_rst(cv, S, 0x77000000, dt=12 * MS)]
    return g.on_ether(pkts)


def refused_then_new():
    cv = conv(50213)
    syn = cv.seg(C, "S", dt=0)
    isn = syn.ip[TCP].seq
    pkts = [syn, teardown(cv, S, "RA", 0, ack=isn + 1, dt=12 * MS, ttl=50, ipid=0,
                          df=True)]
    cv.nxt[C] = isn + 0x100000
    cv.now += 1000 * MS
    pkts.append(cv.seg(C, "S", dt=0))
    pkts.append(cv.seg(S, "SA", dt=12 * MS))
    pkts.append(cv.seg(C, "A", dt=100 * US))
    pkts.append(get(cv))
    pkts.append(cv.seg(S, "PA", reply(567), dt=25 * MS))
    pkts.append(cv.seg(C, "A", dt=100 * US))
    pkts += cv.close()
    assert len(pkts) == 11
    return g.on_ether(pkts)


def halfclose():
    cv = conv(50214)
    rep = reply(2000)
    pkts = cv.handshake() + [get(cv)]
    pkts.append(cv.seg(C, "FA", dt=50 * US))
    pkts.append(cv.seg(S, "A", dt=12 * MS))
    pkts.append(cv.seg(S, "A", rep[:1448], dt=13 * MS))
    pkts.append(cv.seg(C, "A", dt=100 * US))
    pkts.append(cv.seg(S, "PA", rep[1448:], dt=50 * US))
    pkts.append(cv.seg(C, "A", dt=100 * US))
    pkts.append(cv.seg(S, "FA", dt=1 * MS))
    pkts.append(cv.seg(C, "A", dt=100 * US))
    assert len(pkts) == 12
    return g.on_ether(pkts)


def two_rsts():
    cv = conv(50215)
    rep = reply(3400)
    pkts = cv.handshake() + [get(cv)]
    c1 = cv.nxt[C]
    pkts.append(cv.seg(S, "A", rep[:1448], dt=25 * MS))
    pkts.append(get(cv, REQUEST2))
    pkts.append(cv.seg(C, "RA", dt=2 * MS))
    pkts.append(cv.seg(S, "A", rep[1448:2896], dt=300 * US, ack=c1))
    pkts.append(stack_rst(cv, C, c1))
    assert len(pkts) == 9
    return g.on_ether(pkts)


def lb_timeout():
    cv = conv(50216)
    pkts = cv.handshake() + [get(cv)]
    pkts.append(cv.seg(S, "PA", reply(567), dt=25 * MS))
    pkts.append(cv.seg(C, "A", dt=100 * US))
    pkts.append(teardown(cv, S, "RA", cv.nxt[S], ack=cv.nxt[C], dt=350000 * MS, ipid=0,
                         df=True))
    pkts.append(teardown(cv, C, "RA", cv.nxt[C], ack=cv.nxt[S], dt=20 * US, ipid=0,
                         df=True))
    assert len(pkts) == 8
    return g.on_ether(pkts)


def synsent_rst():
    cv = conv(50217)
    syn = cv.seg(C, "S", dt=0)
    isn = syn.ip[TCP].seq
    stale_ack = isn - 100000
    cv.now += 2 * MS
    stale = g.Pkt(cv.now, S, IP(src=cv.addr[S], dst=cv.addr[C], ttl=50, id=0x6A10,
                                flags="DF")
                  / TCP(sport=cv.port[S], dport=cv.port[C], seq=0x5A000000,
                        ack=stale_ack & M32, flags="A", window=509,
                        options=[("NOP", None), ("NOP", None),
                                 ("Timestamp", (2990000, 990000))]))
    pkts = [syn, stale, stack_rst(cv, C, stale_ack)]
    pkts.append(cv.seg(S, "SA", dt=12 * MS - 2100 * US))
    pkts.append(cv.seg(C, "A", dt=100 * US))
    pkts.append(get(cv))
    pkts.append(cv.seg(S, "PA", reply(567), dt=25 * MS))
    pkts.append(cv.seg(C, "A", dt=100 * US))
    pkts += cv.close()
    assert len(pkts) == 11
    return g.on_ether(pkts)


def alive_data_v6():
    """reset-alive-data over IPv6: frame 6 the forged RST posing as the client (hop
    limit 64), frame 7 the client's body going on."""
    cv = conv(50223, client=g.CLIENT6, server=g.SERVER6)
    pkts = cv.handshake()
    pkts.append(cv.seg(C, "PA", POST, dt=200 * US))
    pkts.append(cv.seg(S, "A", dt=12 * MS))
    s = cv.nxt[S]
    pkts.append(teardown(cv, C, "RA", cv.nxt[C], ack=s, dt=300 * US))
    pkts.append(cv.seg(C, "A", POST_BODY[:600], dt=100 * US))
    pkts.append(cv.seg(C, "PA", POST_BODY[600:], dt=50 * US))
    assert len(pkts) == 8
    return g.on_ether(pkts)


def halfclose_v6():
    """reset-benign-halfclose over IPv6: the client's FIN after its request, the reply
    and the client's ACKs after it, then the server's close. Silent."""
    cv = conv(50224, client=g.CLIENT6, server=g.SERVER6)
    pkts = cv.handshake() + [get(cv)]
    pkts.append(cv.seg(C, "FA", dt=1 * MS))
    pkts.append(cv.seg(S, "A", reply(1448)[:1448], dt=25 * MS))
    pkts.append(cv.seg(C, "A", dt=100 * US))
    pkts.append(cv.seg(S, "FA", dt=2 * MS))
    pkts.append(cv.seg(C, "A", dt=100 * US))
    assert len(pkts) == 9
    return g.on_ether(pkts)


def races_data():
    """5 the server's first reply segment [S,S+1448); 6 a forged RST|ACK posing as the
    server 2 ms later at seq S, the start of that data (TTL 64, IP-ID 1): the server's
    own RST would carry S+1448. rst_races_data, forged 6, proof 5."""
    cv = conv(50220)
    rep = reply(3400)
    pkts = cv.handshake() + [get(cv)]
    s = cv.nxt[S]
    pkts.append(cv.seg(S, "A", rep[:1448], dt=25 * MS))
    pkts.append(teardown(cv, S, "RA", s, ack=cv.nxt[C], dt=2 * MS))
    assert len(pkts) == 6
    return g.on_ether(pkts)


def forged_ack_pair(cv, dt):
    """Two RST|ACKs posing as the server at its stream end, `dt` and 40 us after that,
    acknowledging the client's stream end and 1460 beyond it (TTL 58, IP-IDs 0x4001,
    0x4002, DF clear)."""
    s, c = cv.nxt[S], cv.nxt[C]
    return [teardown(cv, S, "RA", s, ack=c, dt=dt, ttl=58, ipid=0x4001),
            teardown(cv, S, "RA", s, ack=c + 1460, dt=40 * US, ttl=58, ipid=0x4002)]


def ack_change():
    """5, 6: two RST|ACKs posing as the server at its stream end, acknowledging C and
    C+1460 although the client sent nothing between them. rst_ack_change, forged 5-6."""
    cv = conv(50221)
    pkts = cv.handshake() + [get(cv)]
    pkts += forged_ack_pair(cv, 2 * MS)
    assert len(pkts) == 6
    return g.on_ether(pkts)


def abort_after_data():
    """The server sends [S,S+1448) and aborts: its own RST|ACK at S+1448 (the end of
    what it sent), timestamps, next IP-ID. Silent."""
    cv = conv(50222)
    rep = reply(3400)
    pkts = cv.handshake() + [get(cv)]
    pkts.append(cv.seg(S, "A", rep[:1448], dt=25 * MS))
    pkts.append(cv.seg(S, "RA", dt=2 * MS))
    pkts.append(cv.seg(C, "A", dt=100 * US, advance=False))
    assert len(pkts) == 7
    return g.on_ether(pkts)


def reuse_missed_handshake():
    """A connection closes in full; 3 s later a new one on the same ports, whose
    handshake the capture dropped, starts 65537 past each old stream end (Linux's
    TIME_WAIT reuse, RFC 6191): its data is not the old server alive after its FIN."""
    cv = conv(50219)
    pkts = cv.handshake() + [get(cv)]
    pkts.append(cv.seg(S, "PA", reply(900), dt=25 * MS))
    pkts.append(cv.seg(C, "A", dt=100 * US))
    pkts += cv.close()
    cv.nxt[C] = (cv.nxt[C] + 65537) & M32
    cv.nxt[S] = (cv.nxt[S] + 65537) & M32
    cv.now += 3000 * MS
    pkts.append(get(cv))
    pkts.append(cv.seg(S, "PA", reply(900), dt=25 * MS))
    pkts.append(cv.seg(C, "A", dt=100 * US))
    pkts += cv.close()
    assert len(pkts) == 15
    return g.on_ether(pkts)


# --- RFC 5961 challenge ACK on a reused port (issue 16, item 6) -----------------------

WIN_SYN_OPTS = [("MSS", 1460), ("NOP", None), ("WScale", 8), ("NOP", None), ("NOP", None),
                ("SAckOK", b"")]
LINUX_SYNACK_OPTS = [("MSS", 1460), ("NOP", None), ("NOP", None), ("SAckOK", b""),
                     ("NOP", None), ("WScale", 7)]
OLD_SEQ = (0x2F3A4B5C, 0x7A1B2C3D)  # the half-open connection's stream ends (client, server)


def challenge_ack_open(sport):
    """A Windows client (TTL 128, one IP-ID counter for the whole host, no TCP
    timestamps) reuses source port `sport` towards a Linux server (TTL 50) that still
    holds an established connection from an earlier use of the port, which the client
    has forgotten (it slept; its RST was lost). 1 the client's SYN; 2 the server's old
    socket answers it with an RFC 5961 challenge ACK, 24 ms later: a bare ACK with the
    old connection's numbers (seq OLD_S, ack OLD_C), the old socket's IP-ID, no options;
    3 the client, in SYN-SENT, answers that unacceptable ACK as RFC 9293 section
    3.10.7.3 says: RST, seq = the ACK's ack number (OLD_C), no ACK flag, window 0, its
    own TTL and next IP-ID; the RST ends the server's old socket; 4 1 s later the
    client's SYN retransmission (same ISN); 5 the SYN/ACK (Linux: IP-ID 0 from the
    listener); 6 ACK; 7 GET; 8 the reply; 9 ACK."""
    cv = conv(sport, isn=(0x3B4C5D6E, 0x5A6B7C8D), ttl=(128, 50), tcp_ts=False,
              ipid=(0x5F10, 0x0000))
    syn = cv.seg(C, "S", dt=0, options=WIN_SYN_OPTS, window=64240)
    cv.ipid[C] += 3  # the host's other connections share the counter
    cv.now += 24 * MS
    challenge = g.Pkt(cv.now, S, IP(src=cv.addr[S], dst=cv.addr[C], ttl=50, id=0x4E21,
                                    flags="DF")
                      / TCP(sport=cv.port[S], dport=cv.port[C], seq=OLD_SEQ[1],
                            ack=OLD_SEQ[0], flags="A", window=501, options=[]))
    rst = cv.seg(C, "R", dt=150 * US, seq=OLD_SEQ[0], options=[], window=0, advance=False)
    cv.ipid[C] += 5
    cv.now = syn.ts + 1000 * MS
    resyn = cv.seg(C, "S", dt=0, seq=cv.nxt[C] - 1, options=WIN_SYN_OPTS, window=64240,
                   advance=False)
    synack = cv.seg(S, "SA", dt=24 * MS, options=LINUX_SYNACK_OPTS, window=64240)
    pkts = [syn, challenge, rst, resyn, synack]
    pkts.append(cv.seg(C, "A", dt=200 * US, window=1026))
    cv.ipid[C] += 2
    pkts.append(cv.seg(C, "PA", REQUEST, dt=300 * US, window=1026))
    pkts.append(cv.seg(S, "PA", reply(900), dt=25 * MS, window=502))
    pkts.append(cv.seg(C, "A", dt=30 * MS, window=1022))
    return cv, pkts


def challenge_ack_benign():
    """challenge_ack_open, then 10 the client closes the connection 2 s later as Windows
    browsers do: RST|ACK at its stream end, window 0, its next IP-ID. Silent: 3 is the
    client's own correct answer to the challenge ACK, and 10 an ordinary close, not a
    second RST of the same event."""
    cv, pkts = challenge_ack_open(50230)
    cv.ipid[C] += 40
    pkts.append(cv.seg(C, "RA", dt=2000 * MS, window=0, options=[]))
    assert len(pkts) == 10
    return g.on_ether(pkts)


def challenge_ack_forged():
    """challenge_ack_open, then 10 a forged RST|ACK posing as the client 1 s later at its
    stream end (TTL 58, IP-ID 1, DF clear, window 0); 11 the client's second request,
    from that sequence number on, 200 ms later; 12 the server's answer.
    sender_alive_after_teardown, forged 10, proof 11: the event names neither 3 nor the
    challenge ACK."""
    cv, pkts = challenge_ack_open(50231)
    pkts.append(teardown(cv, C, "RA", cv.nxt[C], ack=cv.nxt[S], dt=1000 * MS, ttl=58))
    cv.ipid[C] += 12
    pkts.append(cv.seg(C, "PA", REQUEST2, dt=200 * MS, window=1022))
    pkts.append(cv.seg(S, "PA", reply(480), dt=25 * MS, window=502))
    assert len(pkts) == 12
    return g.on_ether(pkts)


# --- RSTs crossing data (issue 16, item 7) ----------------------------------------------

POLL = b"GET /api/poll?since=1705313040 HTTP/1.1\r\nHost: www.example.com\r\n\r\n"


def idle_then_poll(sport):
    """1-4 handshake and GET; 5 the reply; 6 ACK; 240 s idle; 7 the client's poll
    [C1,C2) (C1 the client's stream end before it). Returns the conversation, the
    packets and C1."""
    cv = conv(sport)
    pkts = cv.handshake() + [get(cv)]
    pkts.append(cv.seg(S, "PA", reply(567), dt=25 * MS))
    pkts.append(cv.seg(C, "A", dt=100 * US))
    c1 = cv.nxt[C]
    pkts.append(cv.seg(C, "PA", POLL, dt=240000 * MS))
    return cv, pkts, c1


def lb_crossing(sport, reversed_order=False):
    """idle_then_poll; the load balancer next to the tap times the idle connection out
    just as the poll passes: 8 its RST|ACK towards the client, posing as the server at
    S's stream end, 0.8 ms after the poll, acknowledging C1 (the poll had not reached
    its table: it crossed the RST); 9 its RST|ACK towards the server posing as the
    client, seq C1, 20 us later (with reversed_order these two pass the tap the other
    way round); 10 the poll reaches it with no state left: RST|ACK posing as the
    server, acknowledging C2. The balancer's packets: TTL 64, IP-ID 0, DF, window 0, no
    options. Silent: the poll was sent less than a round trip before 8, so 8 could not
    acknowledge it, and 8 and 10 acknowledge the two ends of it; a RST at C1 posing as
    the client is one box resetting both ends from state older than the poll, in
    either order."""
    cv, pkts, c1 = idle_then_poll(sport)
    s, c2 = cv.nxt[S], cv.nxt[C]
    lb = dict(ipid=0, df=True)
    pair = [(S, s, c1), (C, c1, s)]
    for side, seq, ack in (pair[::-1] if reversed_order else pair):
        pkts.append(teardown(cv, side, "RA", seq, ack=ack, dt=800 * US if len(pkts) == 7
                             else 20 * US, **lb))
    pkts.append(teardown(cv, S, "RA", s, ack=c2, dt=300 * US, **lb))
    assert len(pkts) == 10
    return g.on_ether(pkts)


def ack_change_crossing():
    """idle_then_poll; 8, 9 two RST|ACKs posing as the server 0.8 ms after the poll,
    acknowledging C2 and C2+1460 (TTL 58, IP-IDs 0x4001, 0x4002, DF clear): the poll
    crossing them explains acknowledgments between C1 and C2, not one beyond all the
    client sent. rst_ack_change, forged 8-9, high."""
    cv, pkts, _ = idle_then_poll(50233)
    pkts += forged_ack_pair(cv, 800 * US)
    assert len(pkts) == 9
    return g.on_ether(pkts)


def ack_change_both_ends():
    """idle_then_poll, then 2 s later (nothing crossing) RST|ACKs to both ends from one
    box (TTL 64, IP-ID 0, DF, window 0): 8 posing as the server acknowledging C2, 9
    posing as the client at C2, 10 posing as the server acknowledging C2+1460. The
    acknowledgments change with nothing new from the client, but a box resetting both
    ends is what a middlebox's idle timeout looks like: rst_ack_change, forged 8 and 10,
    at most medium."""
    cv, pkts, _ = idle_then_poll(50234)
    pkts.append(cv.seg(S, "A", dt=25 * MS))
    s, c2 = cv.nxt[S], cv.nxt[C]
    lb = dict(ipid=0, df=True)
    pkts.append(teardown(cv, S, "RA", s, ack=c2, dt=2000 * MS, **lb))
    pkts.append(teardown(cv, C, "RA", c2, ack=s, dt=20 * US, **lb))
    pkts.append(teardown(cv, S, "RA", s, ack=c2 + 1460, dt=40 * US, **lb))
    assert len(pkts) == 11
    return g.on_ether(pkts)


def main():
    captures = {
        "reset-alive-data": alive_data(),
        "reset-alive-ack": alive_ack(),
        "reset-before-synack": before_synack(),
        "reset-seq-jump": seq_jump(),
        "reset-fin-alive": fin_alive(50204, 50, True),
        "reset-fin-alive-far": fin_alive(50205, 64, False),
        "reset-benign-abort-inflight": abort_inflight(),
        "reset-benign-after-close": after_close(),
        "reset-benign-stray": stray(),
        "reset-benign-refused-then-new": refused_then_new(),
        "reset-benign-halfclose": halfclose(),
        "reset-benign-two-rsts": two_rsts(),
        "reset-benign-lb-timeout": lb_timeout(),
        "reset-benign-synsent-rst": synsent_rst(),
        "reset-benign-reuse-missed-handshake": reuse_missed_handshake(),
        "reset-races-data": races_data(),
        "reset-ack-change": ack_change(),
        "reset-benign-abort-after-data": abort_after_data(),
        "reset-alive-data-ipv6": alive_data_v6(),
        "reset-benign-halfclose-ipv6": halfclose_v6(),
        "reset-benign-challenge-ack": challenge_ack_benign(),
        "reset-challenge-ack-forged": challenge_ack_forged(),
        "reset-benign-lb-crossing": lb_crossing(50232),
        "reset-benign-lb-crossing-reversed": lb_crossing(50235, reversed_order=True),
        "reset-ack-change-crossing": ack_change_crossing(),
        "reset-ack-change-both-ends": ack_change_both_ends(),
    }
    for name, fr in captures.items():
        g.write(name + ".pcap", g.pcap(g.LINKTYPE_ETHERNET, fr))


if __name__ == "__main__":
    main()
