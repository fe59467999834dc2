#!/usr/bin/python3
"""Writes captures/bad-*: inputs that are not captures or are damaged. Each must give a
one-line error naming the file (and for damage, the byte offset where the last good
record ended), exit status 2, and whatever was found before the damage.

The damaged ones start from the marker HTTP flow on Ethernet (request in frame 4). Its
file header is 24 bytes; the records are 16 bytes of header plus the frame:
frames 1-9 are 74, 74, 66, 131, 191, 66, 66, 66, 66 bytes.

  bad-empty.pcap            0 bytes
  bad-not-a-capture.txt     a line of text
  bad-truncated-header.pcap frames 1-5, then 10 of the 16 bytes of frame 6's header
  bad-truncated-data.pcap   frames 1-4, then frame 5's header and 100 of its 191 bytes
  bad-huge-caplen.pcap      frames 1-3, then frame 4 with a captured length of
                            0x7ffffff0 in its header, and the rest of the file as it was
"""

import struct

import goldenlib as g


def records():
    frames = g.on_ether(g.http_flow(g.TcpConv(), request=g.MARKER_REQUEST))
    return [g.pcap_record(ts, data) for ts, data in frames]


def main():
    header = g.pcap_header(g.LINKTYPE_ETHERNET)
    rec = records()
    assert [len(r) - 16 for r in rec] == [74, 74, 66, 131, 191, 66, 66, 66, 66]
    g.write("bad-empty.pcap", b"")
    g.write("bad-not-a-capture.txt", b"this is a text file, not a packet capture\n")
    g.write("bad-truncated-header.pcap", header + b"".join(rec[:5]) + rec[5][:10])
    g.write("bad-truncated-data.pcap", header + b"".join(rec[:4]) + rec[4][:16 + 100])
    huge = bytearray(rec[3])
    huge[8:12] = struct.pack("<I", 0x7FFFFFF0)
    g.write("bad-huge-caplen.pcap", header + b"".join(rec[:3]) + bytes(huge) + b"".join(rec[4:]))


if __name__ == "__main__":
    main()
