#!/usr/bin/python3
"""Writes captures/format-*: the marker HTTP flow (request in frame 4) in each capture
file format, on a clock with sub-microsecond parts so the JSON timestamps show whether
the fractions were read in the right unit (they are cut, not rounded, to microseconds).

  format-pcapng.pcapng        pcapng, default if_tsresol (microseconds)
  format-pcapng-nsec.pcapng   pcapng, if_tsresol 9 (nanoseconds)
  format-nsec.pcap            pcap, magic 0xa1b23c4d (nanoseconds)
  format-big-endian.pcap      pcap written big-endian (microseconds)
  format-far-future.pcapng    pcapng dated in the year 2773, past what 64-bit nanoseconds
                              hold: times are clamped to 2262-04-11, never overflow
  format-pcapng-mixed.pcapng  pcapng whose interfaces have different link types: the
                              race of inject-equal (a forged 302 in frame 5, the genuine
                              reply in frame 7: tcp_injection) with frames 1-4, 6 and
                              8-11 on Ethernet (interface 0), the forged copy on raw IP
                              (interface 1, nanosecond time stamps) and the genuine one
                              on Linux cooked capture v1 (interface 2)
"""

import struct

import goldenlib as g
import inject

# 10:00:00.123456789; every later packet keeps a nonzero nanosecond part.
T_NSEC = g.T0 + 123456789


def flow(t0):
    return g.on_ether(g.http_flow(g.TcpConv(t0=t0), request=g.MARKER_REQUEST))


def sll_of(frame):
    """An Ethernet frame from the gateway re-framed as Linux cooked capture v1: packet
    type 0 (to us), ARPHRD_ETHER, the source MAC, protocol IPv4."""
    return struct.pack(">HHH8sH", 0, 1, 6, frame[6:12], 0x0800) + frame[14:]


def mixed():
    ifaces = [(g.LINKTYPE_ETHERNET, 6), (g.LINKTYPE_RAW, 9), (g.LINKTYPE_LINUX_SLL, 6)]
    frames = []
    for n, (ts, f) in enumerate(inject.inject_equal(), 1):
        if n == 5:
            frames.append((1, ts, f[14:]))
        elif n == 7:
            frames.append((2, ts, sll_of(f)))
        else:
            frames.append((0, ts, f))
    return g.pcapng_multi(ifaces, frames)


def main():
    eth = g.LINKTYPE_ETHERNET
    g.write("format-pcapng.pcapng", g.pcapng(eth, flow(g.T0 + 250 * g.MS)))
    g.write("format-pcapng-nsec.pcapng", g.pcapng(eth, flow(T_NSEC), tsresol=9))
    g.write("format-nsec.pcap", g.pcap(eth, flow(T_NSEC), nsec=True))
    g.write("format-big-endian.pcap", g.pcap(eth, flow(g.T0 + 750 * g.MS), big_endian=True))
    g.write("format-far-future.pcapng", g.pcapng(eth, flow(25349210843 * 10**9)))
    g.write("format-pcapng-mixed.pcapng", mixed())


if __name__ == "__main__":
    main()
