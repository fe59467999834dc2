#!/usr/bin/python3
"""Writes captures/marker-*.pcap for the test-only detector test_marker, which flags
a TCP or UDP payload starting with SECONDSIGHT-TEST-MARKER.

  marker-tcp-udp  a TCP flow whose request body (frame 5, stream position 68) starts
                  with the marker, then a UDP datagram starting with it (frame 11) and a
                  reply carrying one byte less than the marker (frame 12)
  marker-benign   the benign twin: the same packets with the marker's last word changed
                  (SECONDSIGHT-TEST-BENIGN); the short reply is kept
  marker-icmp     ICMP and ICMPv6 echoes whose data starts with the marker: not TCP or
                  UDP, so not flagged
"""

from scapy.all import IP, UDP

import goldenlib as g

BODY = b" tcp body: this upload starts with the marker\n"
REQUEST_HEAD = (b"POST /upload HTTP/1.1\r\nHost: www.example.com\r\nContent-Length: "
                + str(len(g.MARKER + BODY)).encode() + b"\r\n\r\n")
RESPONSE = b"HTTP/1.1 204 No Content\r\n\r\n"


def tcp_udp(marker):
    conv = g.TcpConv(sport=49700)
    pkts = conv.handshake()
    pkts.append(conv.seg(g.CLIENT, "A", REQUEST_HEAD, dt=200 * g.US))
    pkts.append(conv.seg(g.CLIENT, "PA", marker + BODY, dt=10 * g.US))
    pkts.append(conv.seg(g.SERVER, "PA", RESPONSE, dt=25 * g.MS))
    pkts.append(conv.seg(g.CLIENT, "A", dt=100 * g.US))
    pkts += conv.close()
    t = pkts[-1].ts
    pkts.append(g.Pkt(t + 1 * g.MS, g.CLIENT, IP(src=g.CLIENT4, dst=g.SERVER4, id=0x1501)
                      / UDP(sport=40400, dport=9999) / (marker + b" udp\n")))
    pkts.append(g.Pkt(t + 13 * g.MS, g.SERVER, IP(src=g.SERVER4, dst=g.CLIENT4, id=0x8901, ttl=56)
                      / UDP(sport=9999, dport=40400) / g.MARKER[:-1]))
    assert len(pkts) == 12
    return g.on_ether(pkts)


def icmp():
    return g.on_ether(g.pings(g.MARKER + b" ping", 0x79, 0x5601))


def main():
    eth = g.LINKTYPE_ETHERNET
    g.write("marker-tcp-udp.pcap", g.pcap(eth, tcp_udp(g.MARKER)))
    g.write("marker-benign.pcap", g.pcap(eth, tcp_udp(g.NOT_MARKER)))
    g.write("marker-icmp.pcap", g.pcap(eth, icmp()))


if __name__ == "__main__":
    main()
