#!/usr/bin/python3
"""Writes captures/evasion-*.pcap: what an attacker tries against the sensor itself.
Client 192.0.2.10 (TTL 64), server 198.51.100.20 (TTL 50, about 14 hops), Linux-like,
timestamps negotiated; frames 1-4 are SYN, SYN/ACK, ACK and the GET.

  evasion-ttl-decoy      5: a decoy copy of the reply's first bytes with TTL 1 (it dies
                         a hop past the sensor, the client never sees it), 6: the real
                         reply at the same sequence numbers, 7: the client's ACK of the
                         real one. tcp_injection: the decoy (5) is the odd copy, with the
                         ttl_expiring tell: the sensor does not take it as the stream's
                         truth.
  evasion-rst-first      5: a forged RST posing as the server at its next sequence
                         number, to end the sensor's tracking; 6: a forged 302 racing
                         7: the real reply at the same sequence numbers. The RST does not
                         end the comparison: tcp_injection (5 is not the forged data
                         copy; 6 is), and the RST itself is proven forged by the server
                         going on (tcp_reset_injection).
  evasion-out-of-window  5: a garbage segment posing as the server with a sequence
                         number 2^31 away from the stream (no receiver takes it), then the
                         real reply (6) and the close. Silent: the segment is neither
                         stored nor compared.
"""

from scapy.all import IP, TCP

import goldenlib as g

C, S = g.CLIENT, g.SERVER
MS, US = g.MS, g.US
REPLY = (b"HTTP/1.1 200 OK\r\nServer: nginx\r\nContent-Type: text/html\r\n"
         b"Content-Length: 48\r\n\r\n<html><body>the genuine page</body></html>\n")
FORGED = (b"HTTP/1.1 302 Found\r\nLocation: http://exploit.example/\r\n"
          b"Content-Length: 0\r\n\r\n")


def conv(sport):
    return g.TcpConv(sport=sport, ttl=(64, 50))


def forger(cv, seq, flags, payload=b"", ttl=64, dt=1 * MS):
    """A segment posing as the server from a stack other than its own."""
    cv.now += dt
    ip = IP(src=cv.addr[S], dst=cv.addr[C], ttl=ttl, id=1)
    tcp = TCP(sport=cv.port[S], dport=cv.port[C], seq=seq & 0xFFFFFFFF,
              ack=cv.nxt[C], flags=flags, window=8192)
    return g.Pkt(cv.now, S, ip / tcp / payload if payload else ip / tcp)


def ttl_decoy():
    cv = conv(51000)
    pkts = cv.handshake() + [cv.seg(C, "PA", g.HTTP_REQUEST, dt=200 * US)]
    s = cv.nxt[S]
    decoy = b"HTTP/1.1 200 OK\r\nServer: decoy\r\n"
    pkts.append(forger(cv, s, "PA", decoy, ttl=1, dt=20 * MS))
    pkts.append(cv.seg(S, "PA", REPLY, dt=5 * MS))
    pkts.append(cv.seg(C, "A", dt=100 * US))
    return pkts


def rst_first():
    cv = conv(51001)
    pkts = cv.handshake() + [cv.seg(C, "PA", g.HTTP_REQUEST, dt=200 * US)]
    s = cv.nxt[S]
    pkts.append(forger(cv, s, "RA", dt=10 * MS))
    pkts.append(forger(cv, s, "PA", FORGED, dt=100 * US))
    pkts.append(cv.seg(S, "PA", REPLY, dt=15 * MS))
    pkts.append(cv.seg(C, "A", dt=100 * US))
    return pkts


def out_of_window():
    cv = conv(51002)
    pkts = cv.handshake() + [cv.seg(C, "PA", g.HTTP_REQUEST, dt=200 * US)]
    s = cv.nxt[S]
    pkts.append(forger(cv, s + 0x80000000, "PA", b"garbage far outside the window", dt=5 * MS))
    pkts.append(cv.seg(S, "PA", REPLY, dt=15 * MS))
    pkts.append(cv.seg(C, "A", dt=100 * US))
    pkts += cv.close()
    return pkts


def main():
    for name, fn in (("evasion-ttl-decoy", ttl_decoy), ("evasion-rst-first", rst_first),
                     ("evasion-out-of-window", out_of_window)):
        g.write(name + ".pcap", g.pcap(g.LINKTYPE_ETHERNET, g.on_ether(fn())))


if __name__ == "__main__":
    main()
