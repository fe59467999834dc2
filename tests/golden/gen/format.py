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
"""

import goldenlib as g

# 10:00:00.123456789; every later packet keeps a nonzero nanosecond part.
T_NSEC = g.T0 + 123456789


def flow(t0):
    return g.on_ether(g.http_flow(g.TcpConv(t0=t0), request=g.MARKER_REQUEST))


def main():
    eth = g.LINKTYPE_ETHERNET
    g.write("format-pcapng.pcapng", g.pcapng(eth, flow(g.T0 + 250 * g.MS)))
    g.write("format-pcapng-nsec.pcapng", g.pcapng(eth, flow(T_NSEC), tsresol=9))
    g.write("format-nsec.pcap", g.pcap(eth, flow(T_NSEC), nsec=True))
    g.write("format-big-endian.pcap", g.pcap(eth, flow(g.T0 + 750 * g.MS), big_endian=True))
    g.write("format-far-future.pcapng", g.pcapng(eth, flow(25349210843 * 10**9)))


if __name__ == "__main__":
    main()
