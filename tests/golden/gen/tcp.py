#!/usr/bin/python3
"""Writes captures/tcp-*.pcap: TCP stream positions where they are easy to get wrong.

  tcp-seq-wrap         both directions' sequence numbers wrap past 2^32 mid-stream.
                       Client: three 100-byte segments (frames 4-6, the second one
                       straddles the wrap), the third starting with the marker at stream
                       position 200; frame 7 retransmits the second with the same bytes.
                       Server: three 100-byte segments (9-11), its first straddling the
                       wrap, its second starting with the marker at position 100.
  tcp-split-1          one connection captured into two files (a rotated capture):
  tcp-split-2          file 1 has the handshake and a first request segment starting with
                       the marker (frame 4, position 0); file 2, ten seconds later,
                       goes on with a second segment starting with the marker (frame 1,
                       position 100), the response and the close.
"""

import goldenlib as g


def seq_wrap():
    conv = g.TcpConv(sport=49500, isn=(0xFFFFFF80, 0xFFFFFFF0))
    c1 = b"a" * 100
    c2 = b"b" * 100
    c3 = g.MARKER + b"c" * 77
    s1 = b"HTTP/1.1 200 OK\r\nContent-Length: 260\r\n\r\n".ljust(100, b"d")
    s2 = g.MARKER + b"e" * 77
    s3 = b"f" * 100
    pkts = conv.handshake()
    pkts.append(conv.seg(g.CLIENT, "A", c1, dt=200 * g.US))
    seq2 = conv.nxt[g.CLIENT]
    pkts.append(conv.seg(g.CLIENT, "A", c2, dt=10 * g.US))
    pkts.append(conv.seg(g.CLIENT, "PA", c3, dt=10 * g.US))
    pkts.append(conv.seg(g.CLIENT, "A", c2, dt=30 * g.MS, seq=seq2, advance=False))
    pkts.append(conv.seg(g.SERVER, "A", dt=12 * g.MS))
    pkts.append(conv.seg(g.SERVER, "A", s1, dt=10 * g.MS))
    pkts.append(conv.seg(g.SERVER, "A", s2, dt=10 * g.US))
    pkts.append(conv.seg(g.SERVER, "PA", s3, dt=10 * g.US))
    pkts.append(conv.seg(g.CLIENT, "A", dt=100 * g.US))
    pkts += conv.close()
    assert len(pkts) == 15
    return g.on_ether(pkts)


def split():
    conv = g.TcpConv(sport=49600)
    pkts = conv.handshake()
    pkts.append(conv.seg(g.CLIENT, "A", g.MARKER + b" part one " + b"1" * 67, dt=200 * g.US))
    pkts.append(conv.seg(g.SERVER, "A", dt=12 * g.MS))
    first = g.on_ether(pkts)
    pkts = [conv.seg(g.CLIENT, "PA", g.MARKER + b" part two\r\n\r\n" + b"2" * 44, dt=10000 * g.MS),
            conv.seg(g.SERVER, "PA", g.HTTP_RESPONSE, dt=25 * g.MS),
            conv.seg(g.CLIENT, "A", dt=100 * g.US)] + conv.close()
    return first, g.on_ether(pkts)


def main():
    eth = g.LINKTYPE_ETHERNET
    g.write("tcp-seq-wrap.pcap", g.pcap(eth, seq_wrap()))
    first, second = split()
    g.write("tcp-split-1.pcap", g.pcap(eth, first))
    g.write("tcp-split-2.pcap", g.pcap(eth, second))


if __name__ == "__main__":
    main()
