#!/usr/bin/python3
"""secondsight bench - a capture pair for `secondsight diff` from one benign capture: the
packets as a NAT router would see them on its two sides. Every connection's client (the
sender of its first packet) sits inside; on the outside its address becomes 203.0.113.1
(ports kept), the TTL is one lower after the router, IP and transport checksums are
corrected, and the
outside copy is 50 microseconds later (after the router) or earlier (before it) on a
clock running OFFSET seconds ahead. LOOPS repeats the input, each round shifted past the
previous one, to reach millions of packets. Ethernet IPv4 classic pcap only.

usage: bench/gen-diff-pair.py IN.pcap INSIDE.pcap OUTSIDE.pcap [LOOPS [OFFSET]]
"""
import struct
import sys

NAT = bytes([203, 0, 113, 1])
MAC_CLIENT, MAC_IN = bytes.fromhex("00005e005301"), bytes.fromhex("00005e0053fe")
MAC_OUT, MAC_UP = bytes.fromhex("00005e0053fd"), bytes.fromhex("00005e0053aa")
HOP_NS = 50000


def fold(s):
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return s


def adjust(check, old, new):
    """RFC 1624: the checksum after the words of `old` became those of `new`."""
    s = ~check & 0xFFFF
    for i in range(0, len(old), 2):
        s += ~((old[i] << 8) | old[i + 1]) & 0xFFFF
        s += (new[i] << 8) | new[i + 1]
    return ~fold(s) & 0xFFFF


def main():
    src, inside, outside = sys.argv[1:4]
    loops = int(sys.argv[4]) if len(sys.argv) > 4 else 1
    offset_ns = int(float(sys.argv[5]) * 1e9) if len(sys.argv) > 5 else 1234567000
    data = open(src, "rb").read()
    le = data[:4] in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1")
    nsec = data[:4] in (b"\x4d\x3c\xb2\xa1", b"\xa1\xb2\x3c\x4d")
    e = "<" if le else ">"
    if struct.unpack(e + "I", data[20:24])[0] != 1:
        sys.exit("gen-diff-pair: %s is not an Ethernet capture" % src)
    recs = []
    off = 24
    while off + 16 <= len(data):
        sec, frac, caplen, wirelen = struct.unpack(e + "IIII", data[off:off + 16])
        ts = sec * 10**9 + (frac if nsec else frac * 1000)
        recs.append((ts, data[off + 16:off + 16 + caplen], wirelen))
        off += 16 + caplen
    span = recs[-1][0] - recs[0][0] + 10**9
    clients = {}
    fin, fout = open(inside, "wb"), open(outside, "wb")
    header = struct.pack("<IHHiIII", 0xA1B23C4D, 2, 4, 0, 0, 262144, 1)
    fin.write(header)
    fout.write(header)
    n = 0
    side_in, side_out = [], []
    for loop in range(loops):
        shift = loop * span
        for ts, pkt, wirelen in recs:
            ts += shift
            if len(pkt) < 34 or pkt[12:14] != b"\x08\x00" or pkt[14] >> 4 != 4:
                continue
            ihl = (pkt[14] & 15) * 4
            proto = pkt[23]
            l4 = 14 + ihl
            a, b = pkt[26:30], pkt[30:34]
            ports = pkt[l4:l4 + 4] if proto in (6, 17) and len(pkt) >= l4 + 4 else b""
            key = (proto,) + tuple(sorted((a + ports[:2], b + ports[2:])))
            client = clients.setdefault(key, a + ports[:2])
            outbound = a + ports[:2] == client
            body = bytearray(pkt[14:])
            out = bytearray(body)
            # The TTL drops on the way through: outside for outbound, inside for inbound.
            (out if outbound else body)[8] -= 1
            old = bytes(out[12:20])
            if outbound:
                out[12:16] = NAT
            else:
                out[16:20] = NAT
            for ip in (body, out):
                ip[10:12] = b"\0\0"
                ip[10:12] = struct.pack("!H", ~fold(sum(struct.unpack("!%dH" % (ihl // 2), ip[:ihl]))) & 0xFFFF)
            co = ihl + (16 if proto == 6 else 6)
            if proto in (6, 17) and len(out) >= co + 2:
                c = struct.unpack("!H", out[co:co + 2])[0]
                if proto == 6 or c:
                    out[co:co + 2] = struct.pack("!H", adjust(c, old, bytes(out[12:20])))
            if outbound:
                tin, tout = ts, ts + HOP_NS + offset_ns
                lin, lout = MAC_IN + MAC_CLIENT, MAC_UP + MAC_OUT
            else:
                tout, tin = ts + offset_ns, ts + HOP_NS
                lin, lout = MAC_CLIENT + MAC_IN, MAC_OUT + MAC_UP
            side_in.append((tin, n, lin + b"\x08\x00" + bytes(body), wirelen))
            side_out.append((tout, n, lout + b"\x08\x00" + bytes(out), wirelen))
            n += 1
    for f, side in ((fin, side_in), (fout, side_out)):
        side.sort()  # each capture in its own time order
        for ts, _, frame, wirelen in side:
            f.write(struct.pack("<IIII", ts // 10**9, ts % 10**9, len(frame), wirelen) + frame)
        f.close()
    print("%s, %s: %d packets each, %d conversations" % (inside, outside, n, len(clients)))


if __name__ == "__main__":
    main()
