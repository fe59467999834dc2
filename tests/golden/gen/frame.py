#!/usr/bin/python3
"""Writes captures/frame-*.pcap: frames that carry more or fewer bytes than the IP
packet inside them. Padding is never payload; bytes cut by the snap length are counted.

  frame-padding        an HTTP flow without TCP options, so its control segments are
                       shorter than the 60-byte Ethernet minimum and padded (frames 1-3,
                       6, 9); frame 7 also carries a 4-byte FCS; frame 8 carries a
                       trailer that starts with the test marker; then two small UDP
                       datagrams, one with a marker trailer (10), one zero-padded (11);
                       then an IPv6 UDP datagram with a marker trailer (12)
  frame-snaplen        snap length 128: the marker request (frame 4), the response (5)
                       and a 200-byte UDP datagram starting with the marker (10) are cut;
                       the marker itself is still in the captured bytes of 4 and 10
  frame-snaplen-short  snap length 60: an HTTP flow whose SYN carries Record Route
                       (cut inside the IP options, frame 1) and whose other segments are
                       cut inside the TCP options (2-9); a UDP datagram whose marker is
                       cut after 18 bytes (10); an IPv6 UDP datagram cut inside the UDP
                       header (11)
"""

from scapy.all import IP, UDP, IPOption_RR, IPv6

import goldenlib as g


def pad(frame, trailer=None):
    if trailer is None:
        return frame + b"\0" * max(0, 60 - len(frame))
    return frame + trailer


def padding():
    conv = g.TcpConv(sport=49300, tcp_ts=False)
    pkts = g.http_flow(conv)
    frames = g.on_ether(pkts)
    out = []
    for i, (ts, data) in enumerate(frames, 1):
        if i == 7:
            data = pad(data) + bytes.fromhex("5ec0d0ff")  # a frame check sequence
        elif i == 8:
            data = pad(data, g.MARKER + b" in the trailer")
        else:
            data = pad(data)
        out.append((ts, data))
    t = pkts[-1].ts
    hi = g.Pkt(t + 1 * g.MS, g.CLIENT, IP(src=g.CLIENT4, dst=g.SERVER4, id=0x1201)
               / UDP(sport=40100, dport=9999) / b"hi")
    ok = g.Pkt(t + 13 * g.MS, g.SERVER, IP(src=g.SERVER4, dst=g.CLIENT4, id=0x8801, ttl=56)
               / UDP(sport=9999, dport=40100) / b"ok")
    out.append((hi.ts, pad(g.ether(hi), g.MARKER + b" in the trailer")))
    out.append((ok.ts, pad(g.ether(ok))))
    hi6 = g.Pkt(t + 20 * g.MS, g.CLIENT, IPv6(src=g.CLIENT6, dst=g.SERVER6)
                / UDP(sport=40101, dport=9999) / b"hi")
    out.append((hi6.ts, pad(g.ether(hi6), g.MARKER + b" in the trailer")))
    return out


def snaplen():
    conv = g.TcpConv(sport=49400)
    request = g.MARKER + b" POST /upload HTTP/1.1\r\n" + b"p" * 300
    response = g.HTTP_RESPONSE + b"r" * 500
    pkts = g.http_flow(conv, request=request, response=response)
    t = pkts[-1].ts
    pkts.append(g.Pkt(t + 1 * g.MS, g.CLIENT, IP(src=g.CLIENT4, dst=g.SERVER4, id=0x1301)
                      / UDP(sport=40200, dport=9999) / (g.MARKER + b"u" * 177)))
    return g.on_ether(pkts)


def snaplen_short():
    conv = g.TcpConv(sport=49450)
    rr = {"options": [IPOption_RR(routers=["0.0.0.0"] * 9)]}
    pkts = ([conv.seg(g.CLIENT, "S", dt=0, ipkw=rr),
             conv.seg(g.SERVER, "SA", dt=12 * g.MS),
             conv.seg(g.CLIENT, "A", dt=100 * g.US),
             conv.seg(g.CLIENT, "PA", g.HTTP_REQUEST, dt=200 * g.US),
             conv.seg(g.SERVER, "PA", g.HTTP_RESPONSE, dt=25 * g.MS),
             conv.seg(g.CLIENT, "A", dt=100 * g.US)] + conv.close())
    t = pkts[-1].ts
    pkts.append(g.Pkt(t + 1 * g.MS, g.CLIENT, IP(src=g.CLIENT4, dst=g.SERVER4, id=0x1401)
                      / UDP(sport=40300, dport=9999) / (g.MARKER + b"s" * 77)))
    pkts.append(g.Pkt(t + 2 * g.MS, g.CLIENT, IPv6(src=g.CLIENT6, dst=g.SERVER6)
                      / UDP(sport=40301, dport=9999) / (g.MARKER + b"6" * 77)))
    return g.on_ether(pkts)


def main():
    eth = g.LINKTYPE_ETHERNET
    g.write("frame-padding.pcap", g.pcap(eth, padding()))
    g.write("frame-snaplen.pcap", g.pcap(eth, snaplen(), snaplen=128))
    g.write("frame-snaplen-short.pcap", g.pcap(eth, snaplen_short(), snaplen=60))


if __name__ == "__main__":
    main()
