#!/usr/bin/python3
"""Writes captures/link-*.pcap: the same 9-packet HTTP flow under every link layer the
decoder knows, and one it does not. The request (frame 4) starts with the test marker,
so a run with --test-detector proves the link decoder found the TCP payload at the
right offset.

  link-ethernet     Ethernet II (LINKTYPE 1)
  link-vlan         Ethernet, one 802.1Q tag
  link-qinq         Ethernet, 802.1ad outer tag over 802.1Q
  link-mpls         Ethernet, two MPLS labels (RFC 3032), IPv4 under the bottom one
  link-sll          Linux cooked capture v1 (LINKTYPE 113)
  link-sll2         Linux cooked capture v2 (LINKTYPE 276)
  link-raw          raw IP (LINKTYPE 101)
  link-null         BSD loopback, AF_INET = 2 in host (little-endian) order (LINKTYPE 0)
  link-null-ipv6    BSD loopback, AF_INET6 = 30 (macOS), an IPv6 flow
  link-ppp          PPP (LINKTYPE 9); frames 6-9 use address/control and protocol
                    field compression (RFC 1661, RFC 1662)
  link-user0        LINKTYPE_USER0 (147), which nobody decodes: every packet skipped
"""

import struct

from scapy.all import Dot1AD, Dot1Q, raw
from scapy.contrib.mpls import MPLS

import goldenlib as g


def flow(v6=False):
    if v6:
        conv = g.TcpConv(client=g.CLIENT6, server=g.SERVER6)
    else:
        conv = g.TcpConv()
    return g.http_flow(conv, request=g.MARKER_REQUEST)


def sll(p):
    # packet type (0 to us, 4 outgoing), ARPHRD_ETHER, address length, address, protocol
    pkttype = 4 if p.side == g.CLIENT else 0
    mac = bytes.fromhex((g.MAC_CLIENT if p.side == g.CLIENT else g.MAC_GATEWAY).replace(":", ""))
    return struct.pack(">HHH8sH", pkttype, 1, 6, mac, 0x0800) + raw(p.ip)


def sll2(p):
    # protocol, reserved, interface index, ARPHRD_ETHER, packet type, address length, address
    pkttype = 4 if p.side == g.CLIENT else 0
    mac = bytes.fromhex((g.MAC_CLIENT if p.side == g.CLIENT else g.MAC_GATEWAY).replace(":", ""))
    return struct.pack(">HHIHBB8s", 0x0800, 0, 2, 1, pkttype, 6, mac) + raw(p.ip)


def ppp(p, frame):
    if frame <= 5:
        return b"\xff\x03\x00\x21" + raw(p.ip)
    return b"\x21" + raw(p.ip)  # no address/control, 1-byte protocol


def main():
    v4 = flow()
    v6 = flow(v6=True)
    eth = g.LINKTYPE_ETHERNET
    g.write("link-ethernet.pcap", g.pcap(eth, g.on_ether(v4)))
    g.write("link-vlan.pcap", g.pcap(eth, [(p.ts, g.ether(p, Dot1Q(prio=3, vlan=100)))
                                           for p in v4]))
    g.write("link-qinq.pcap", g.pcap(eth, [(p.ts, g.ether(p, Dot1AD(vlan=2000) / Dot1Q(vlan=100)))
                                           for p in v4]))
    g.write("link-mpls.pcap", g.pcap(eth, [(p.ts, g.ether(p, MPLS(label=16001, s=0, ttl=255)
                                                           / MPLS(label=24002, s=1, ttl=255)))
                                           for p in v4]))
    g.write("link-sll.pcap", g.pcap(g.LINKTYPE_LINUX_SLL, [(p.ts, sll(p)) for p in v4]))
    g.write("link-sll2.pcap", g.pcap(g.LINKTYPE_LINUX_SLL2, [(p.ts, sll2(p)) for p in v4]))
    g.write("link-raw.pcap", g.pcap(g.LINKTYPE_RAW, [(p.ts, raw(p.ip)) for p in v4]))
    g.write("link-null.pcap", g.pcap(g.LINKTYPE_NULL, [(p.ts, struct.pack("<I", 2) + raw(p.ip))
                                                       for p in v4]))
    g.write("link-null-ipv6.pcap", g.pcap(g.LINKTYPE_NULL,
                                          [(p.ts, struct.pack("<I", 30) + raw(p.ip)) for p in v6]))
    g.write("link-ppp.pcap", g.pcap(g.LINKTYPE_PPP, [(p.ts, ppp(p, i + 1))
                                                     for i, p in enumerate(v4)]))
    # Some private framing: a 4-byte tag, then IP. Nothing can know that.
    g.write("link-user0.pcap", g.pcap(g.LINKTYPE_USER0, [(p.ts, b"\x5e\xc0\x00\x01" + raw(p.ip))
                                                         for p in v4]))


if __name__ == "__main__":
    main()
