#!/usr/bin/python3
"""secondsight bench - gives every TCP or UDP connection of a capture a host pair of its
own, so a benchmark capture made on loopback or between two namespaces (one host pair)
looks like a network of many hosts: what the live sensor's kernel fanout, which shares
packets out by host pair, needs to spread the load. Connection k gets the client
10.1.(k/256%256).(k%256) and one of 16 servers, 172.16.0.1 to 172.16.0.16. Packet order,
timing, ports and payloads are kept; IP, TCP and UDP checksums are corrected. Ethernet
IPv4 captures (classic pcap, microseconds or nanoseconds) only.

usage: bench/spread-hosts.py IN.pcap OUT.pcap
"""
import struct
import sys


def fold(s):
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return s


def words(b):
    return sum(struct.unpack("!%dH" % (len(b) // 2), b))


def adjust(check, old, new, proto):
    """RFC 1624: the checksum after the 16-bit words of `old` became those of `new`."""
    if proto == 17 and check == 0:
        return 0  # UDP without a checksum stays without
    s = ~check & 0xFFFF
    s += sum(~w & 0xFFFF for w in struct.unpack("!%dH" % (len(old) // 2), old))
    s += words(new)
    r = ~fold(s) & 0xFFFF
    return 0xFFFF if proto == 17 and r == 0 else r


def ip_checksum(hdr):
    return ~fold(words(hdr)) & 0xFFFF


def main():
    src, dst = sys.argv[1], sys.argv[2]
    with open(src, "rb") as f:
        data = f.read()
    magic = data[:4]
    endian = "<" if magic in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1") else ">"
    if magic not in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1", b"\xa1\xb2\xc3\xd4", b"\xa1\xb2\x3c\x4d"):
        sys.exit("spread-hosts: %s is not a classic pcap file" % src)
    if struct.unpack(endian + "I", data[20:24])[0] != 1:
        sys.exit("spread-hosts: %s is not an Ethernet capture" % src)
    out = bytearray(data[:24])
    conns = {}
    off = 24
    while off + 16 <= len(data):
        caplen = struct.unpack(endian + "I", data[off + 8:off + 12])[0]
        rec = bytearray(data[off:off + 16 + caplen])
        off += 16 + caplen
        pkt = memoryview(rec)[16:]
        if len(pkt) >= 34 and pkt[12:14] == b"\x08\x00" and pkt[14] >> 4 == 4:
            ihl = (pkt[14] & 15) * 4
            proto = pkt[23]
            l4 = 14 + ihl
            frag = struct.unpack("!H", pkt[20:22])[0] & 0x3FFF
            if proto in (6, 17) and not frag and len(pkt) >= l4 + 8:
                a, b = bytes(pkt[26:30]), bytes(pkt[30:34])
                sp, dp = struct.unpack("!HH", pkt[l4:l4 + 4])
                key = tuple(sorted(((a, sp), (b, dp)))) + (proto,)
                if key not in conns:
                    k = len(conns)
                    conns[key] = ((a, sp), bytes([10, 1, (k >> 8) & 255, k & 255]),
                                  bytes([172, 16, 0, 1 + k % 16]))
                first, client, server = conns[key]
                na, nb = (client, server) if (a, sp) == first else (server, client)
                old = bytes(pkt[26:34])
                new = na + nb
                pkt[26:34] = new
                pkt[24:26] = b"\0\0"
                pkt[24:26] = struct.pack("!H", ip_checksum(bytes(pkt[14:l4])))
                co = l4 + (16 if proto == 6 else 6)
                if len(pkt) >= co + 2:
                    c = struct.unpack("!H", pkt[co:co + 2])[0]
                    pkt[co:co + 2] = struct.pack("!H", adjust(c, old, new, proto))
        out += rec
    with open(dst, "wb") as f:
        f.write(out)
    print("%s: %d connections spread over their own host pairs" % (dst, len(conns)))


if __name__ == "__main__":
    main()
