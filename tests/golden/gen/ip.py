#!/usr/bin/python3
"""Writes captures/ip-*.pcap, all on Ethernet: the network layer and the transports.

  ip-ipv6-tcp         the marker HTTP flow over IPv6 (request in frame 4)
  ip-ipv4-options     an HTTP flow whose SYN carries Record Route (IHL 15), whose
                      marker request (frame 4) carries Router Alert (IHL 6) and whose
                      last ACK (frame 9) carries a broken option (length 1)
  ip-ipv4-fragments   a 620-byte UDP datagram whose payload starts with the marker, in
                      three IPv4 fragments (frames 1-3), and an unfragmented reply
  ip-ipv6-fragments   the same over IPv6 with Fragment headers (frames 1-2), then a
                      reply in an atomic fragment (RFC 6946, offset 0, M clear) whose
                      payload starts with the marker: decoded like any datagram
  ip-ipv4-tso         a 2000-byte segment with IPv4 total length 0, as captured on a
                      sender that offloads segmentation (frame 4, marker request)
  ip-udp-length       UDP datagrams whose UDP length is shorter than the IP payload,
                      the rest starting with the marker: one with an empty payload (UDP
                      length 8, frame 1), one with "ping" (length 12, frame 2)
  ip-udp-dns          two DNS queries and their answers
  ip-icmp             ARP request/reply, ICMP echo request/reply, ICMPv6 echo
                      request/reply
"""

from scapy.all import (ARP, DNS, DNSQR, DNSRR, IP, UDP, Ether, IPOption_Router_Alert,
                       IPOption_RR, IPv6, IPv6ExtHdrFragment, Raw, raw)

import goldenlib as g


def ipv6_tcp():
    conv = g.TcpConv(client=g.CLIENT6, server=g.SERVER6, sport=50000)
    return g.on_ether(g.http_flow(conv, request=g.MARKER_REQUEST))


def ipv4_options():
    conv = g.TcpConv(sport=49200)
    rr = {"options": [IPOption_RR(routers=["0.0.0.0"] * 9)]}
    ra = {"options": [IPOption_Router_Alert()]}
    pkts = [conv.seg(g.CLIENT, "S", dt=0, ipkw=rr),
            conv.seg(g.SERVER, "SA", dt=12 * g.MS),
            conv.seg(g.CLIENT, "A", dt=100 * g.US),
            conv.seg(g.CLIENT, "PA", g.MARKER_REQUEST, dt=200 * g.US, ipkw=ra),
            conv.seg(g.SERVER, "PA", g.HTTP_RESPONSE, dt=25 * g.MS),
            conv.seg(g.CLIENT, "A", dt=100 * g.US)] + conv.close()
    # Frame 9: its 4 option bytes become an option of kind 7 (Record Route) with
    # length 1, which cannot be, then padding. scapy will not build that.
    last = pkts[-1]
    pkts[-1] = last._replace(ip=last.ip.copy())
    pkts[-1].ip.options = [IPOption_Router_Alert()]
    frames = g.on_ether(pkts)
    frames[-1] = (last.ts, g.ipv4_patch(frames[-1][1], 20, b"\x07\x01\x00\x00"))
    return frames


def ipv4_tso():
    conv = g.TcpConv(sport=49250)
    request = g.MARKER + b" POST /upload HTTP/1.1\r\n".ljust(1977, b"t")
    pkts = g.http_flow(conv, request=request)
    frames = g.on_ether(pkts)
    ts, data = frames[3]
    frames[3] = (ts, g.ipv4_patch(data, 2, b"\0\0"))  # total length 0
    return frames


def udp_length():
    junk = g.MARKER + b" after the datagram"
    frames = []
    for i, payload in enumerate((b"", b"ping")):
        udp = raw(UDP(sport=40500 + i, dport=9999, len=8 + len(payload), chksum=0) / payload)
        ip = IP(src=g.CLIENT4, dst=g.SERVER4, id=0x1601 + i, proto=17) / Raw(udp + junk)
        frames.append(g.Pkt(g.T0 + i * g.MS, g.CLIENT, ip))
    return g.on_ether(frames)


def udp_datagram(src, dst, sport, dport, payload, ipid=None):
    if ":" in src:
        return IPv6(src=src, dst=dst, hlim=64) / UDP(sport=sport, dport=dport) / payload
    return IP(src=src, dst=dst, id=ipid, ttl=64) / UDP(sport=sport, dport=dport) / payload


def ipv4_fragments():
    data = g.MARKER + b" fragmented " + bytes(range(256)) * 2 + b"x" * 65
    whole = raw(udp_datagram(g.CLIENT4, g.SERVER4, 40000, 9999, data, ipid=0x3301))
    l4 = whole[20:]  # UDP header and payload, 620 bytes
    assert len(l4) == 620
    t = g.T0
    frames = []
    for i, (off, end) in enumerate(((0, 208), (208, 416), (416, 620))):
        mf = "MF" if end < len(l4) else 0
        ip = IP(src=g.CLIENT4, dst=g.SERVER4, id=0x3301, ttl=64, flags=mf, frag=off // 8,
                proto=17) / Raw(l4[off:end])
        frames.append(g.Pkt(t + i * 10 * g.US, g.CLIENT, ip))
    reply = udp_datagram(g.SERVER4, g.CLIENT4, 9999, 40000, b"got it\n", ipid=0x7701)
    frames.append(g.Pkt(t + 15 * g.MS, g.SERVER, reply))
    return g.on_ether(frames)


def ipv6_fragments():
    data = g.MARKER + b" fragmented " + bytes(range(256)) + b"y" * 50
    whole = raw(udp_datagram(g.CLIENT6, g.SERVER6, 40000, 9999, data))
    l4 = whole[40:]  # 8 + 341 bytes
    t = g.T0
    frames = []
    for i, (off, end) in enumerate(((0, 200), (200, len(l4)))):
        ip = (IPv6(src=g.CLIENT6, dst=g.SERVER6, hlim=64, nh=44)
              / IPv6ExtHdrFragment(nh=17, offset=off // 8, m=int(end < len(l4)), id=0x5EC0D001)
              / Raw(l4[off:end]))
        frames.append(g.Pkt(t + i * 10 * g.US, g.CLIENT, ip))
    reply = raw(udp_datagram(g.SERVER6, g.CLIENT6, 9999, 40000, g.MARKER + b" reply\n"))
    ip = (IPv6(src=g.SERVER6, dst=g.CLIENT6, hlim=64, nh=44)
          / IPv6ExtHdrFragment(nh=17, offset=0, m=0, id=0x5EC0D002) / Raw(reply[40:]))
    frames.append(g.Pkt(t + 15 * g.MS, g.SERVER, ip))
    return g.on_ether(frames)


def udp_dns():
    resolver = "198.51.100.53"
    name = "www.example.com"
    q1 = DNS(id=0x1a2b, rd=1, qd=DNSQR(qname=name, qtype="A"))
    a1 = DNS(id=0x1a2b, qr=1, rd=1, ra=1, qd=DNSQR(qname=name, qtype="A"),
             an=DNSRR(rrname=name, type="A", ttl=300, rdata="203.0.113.80"))
    q2 = DNS(id=0x3c4d, rd=1, qd=DNSQR(qname=name, qtype="AAAA"))
    a2 = DNS(id=0x3c4d, qr=1, rd=1, ra=1, qd=DNSQR(qname=name, qtype="AAAA"),
             an=DNSRR(rrname=name, type="AAAA", ttl=300, rdata="2001:db8:1::80"))

    def query(t, ipid, port, msg):
        return g.Pkt(t, g.CLIENT, IP(src=g.CLIENT4, dst=resolver, id=ipid)
                     / UDP(sport=port, dport=53) / msg)

    def answer(t, ipid, port, msg):
        return g.Pkt(t, g.SERVER, IP(src=resolver, dst=g.CLIENT4, id=ipid, ttl=58)
                     / UDP(sport=53, dport=port) / msg)

    return g.on_ether([query(g.T0, 0x4401, 53001, q1),
                       query(g.T0 + 100 * g.US, 0x4402, 53002, q2),
                       answer(g.T0 + 8 * g.MS, 0x9901, 53001, a1),
                       answer(g.T0 + 9 * g.MS, 0x9902, 53002, a2)])


def icmp():
    who_has = (Ether(src=g.MAC_CLIENT, dst="ff:ff:ff:ff:ff:ff")
               / ARP(op=1, hwsrc=g.MAC_CLIENT, psrc=g.CLIENT4, pdst="192.0.2.1"))
    is_at = (Ether(src=g.MAC_GATEWAY, dst=g.MAC_CLIENT)
             / ARP(op=2, hwsrc=g.MAC_GATEWAY, psrc="192.0.2.1", hwdst=g.MAC_CLIENT,
                   pdst=g.CLIENT4))
    # The request as sent (42 bytes); the reply as received, padded to 60.
    arp = [(g.T0 - 2 * g.MS, raw(who_has)), (g.T0 - 1 * g.MS, raw(is_at) + b"\0" * 18)]
    return arp + g.on_ether(g.pings(bytes(range(0x10, 0x40)), 0x77, 0x5501))


def main():
    eth = g.LINKTYPE_ETHERNET
    g.write("ip-ipv6-tcp.pcap", g.pcap(eth, ipv6_tcp()))
    g.write("ip-ipv4-options.pcap", g.pcap(eth, ipv4_options()))
    g.write("ip-ipv4-fragments.pcap", g.pcap(eth, ipv4_fragments()))
    g.write("ip-ipv6-fragments.pcap", g.pcap(eth, ipv6_fragments()))
    g.write("ip-ipv4-tso.pcap", g.pcap(eth, ipv4_tso()))
    g.write("ip-udp-length.pcap", g.pcap(eth, udp_length()))
    g.write("ip-udp-dns.pcap", g.pcap(eth, udp_dns()))
    g.write("ip-icmp.pcap", g.pcap(eth, icmp()))


if __name__ == "__main__":
    main()
