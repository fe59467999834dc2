#!/usr/bin/python3
"""secondsight bench - hostile and huge captures, written directly as pcap (no packets
are sent anywhere):

  synflood.pcap     N SYNs from random sources and ports to one server (fresh flows)
  manyflows.pcap    N short complete TCP connections (handshake, request, reply, close)
  overlap.pcap      one connection, then N segments overlapping its stream at random
                    offsets with random bytes
  fragflood.pcap    N IPv4 fragments of datagrams that never complete (random ids)
  dnsflood.pcap     N DNS queries that are never answered, from random ports
  ooo.pcap          one connection whose N data segments arrive in random order (no
                    overlaps: nothing to report)

usage: gen-hostile.py OUTDIR [N [KIND...]]   (N defaults to 1000000; files can reach
GBs; KIND picks some of the files by name, all by default)
Deterministic (fixed seed). Addresses from 10.0.0.0/8 and 198.51.100.0/24, written
only into the files.
"""
import os
import random
import struct
import sys

ETH = b"\x02\x00\x00\x00\x00\x01\x02\x00\x00\x00\x00\x02\x08\x00"


class Writer:
    def __init__(self, path):
        self.f = open(path, "wb", buffering=1 << 22)
        self.f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1))
        self.t = 1_700_000_000 * 1_000_000

    def pkt(self, frame, dt_us=10):
        self.t += dt_us
        self.f.write(struct.pack("<IIII", self.t // 1_000_000, self.t % 1_000_000,
                                 len(frame), len(frame)))
        self.f.write(frame)

    def close(self):
        self.f.close()


def ipv4(src, dst, proto, payload, ident=0, ttl=64, frag=0x4000):
    hdr = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(payload), ident, frag, ttl, proto, 0,
                      src, dst)
    return ETH + hdr + payload


def tcp(sport, dport, seq, ack, flags, data=b"", window=502):
    return struct.pack("!HHIIBBHHH", sport, dport, seq & 0xFFFFFFFF, ack & 0xFFFFFFFF, 0x50,
                       flags, window, 0, 0) + data


def ip(n):
    return struct.pack("!I", n)


SERVER = bytes([198, 51, 100, 20])
SYN, ACK, PSH, FIN, RST = 0x02, 0x10, 0x08, 0x01, 0x04


def synflood(w, n, rnd):
    for _ in range(n):
        src = ip(0x0A000000 | rnd.getrandbits(24))
        w.pkt(ipv4(src, SERVER, 6, tcp(rnd.randrange(1024, 65536), 80, rnd.getrandbits(32), 0,
                                       SYN, window=64240)), dt_us=2)


def manyflows(w, n, rnd):
    req = b"GET / HTTP/1.1\r\nHost: example\r\n\r\n"
    rep = b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello"
    for i in range(n):
        c = ip(0x0A000000 | (i & 0xFFFFFF))
        sp = 1024 + (i >> 24) * 1000 + rnd.randrange(0, 1000)
        cs, ss = rnd.getrandbits(32), rnd.getrandbits(32)
        w.pkt(ipv4(c, SERVER, 6, tcp(sp, 80, cs, 0, SYN)), 5)
        w.pkt(ipv4(SERVER, c, 6, tcp(80, sp, ss, cs + 1, SYN | ACK)), 5)
        w.pkt(ipv4(c, SERVER, 6, tcp(sp, 80, cs + 1, ss + 1, ACK)), 5)
        w.pkt(ipv4(c, SERVER, 6, tcp(sp, 80, cs + 1, ss + 1, PSH | ACK, req)), 5)
        w.pkt(ipv4(SERVER, c, 6, tcp(80, sp, ss + 1, cs + 1 + len(req), PSH | ACK | FIN, rep)), 5)
        w.pkt(ipv4(c, SERVER, 6, tcp(sp, 80, cs + 1 + len(req), ss + 2 + len(rep), FIN | ACK)), 5)


def overlap(w, n, rnd):
    c = bytes([10, 0, 0, 1])
    cs, ss = 1000, 5000000
    w.pkt(ipv4(c, SERVER, 6, tcp(40000, 80, cs, 0, SYN)))
    w.pkt(ipv4(SERVER, c, 6, tcp(80, 40000, ss, cs + 1, SYN | ACK)))
    w.pkt(ipv4(c, SERVER, 6, tcp(40000, 80, cs + 1, ss + 1, ACK)))
    base = ss + 1
    for k in range(n):
        off = rnd.randrange(0, 60000)
        data = rnd.randbytes(rnd.randrange(1, 1400))
        w.pkt(ipv4(SERVER, c, 6, tcp(80, 40000, base + off, cs + 1, ACK, data), ident=k & 0xFFFF),
              dt_us=3)


def fragflood(w, n, rnd):
    for k in range(n):
        src = ip(0x0A000000 | rnd.getrandbits(24))
        off = rnd.randrange(1, 8000)  # never offset 0, never the last: never complete
        w.pkt(ipv4(src, SERVER, 17, rnd.randbytes(1024), ident=rnd.getrandbits(16),
                   frag=0x2000 | off), dt_us=2)


def dnsflood(w, n, rnd):
    resolver = bytes([198, 51, 100, 53])
    for k in range(n):
        q = struct.pack("!HHHHHH", rnd.getrandbits(16), 0x0100, 1, 0, 0, 0)
        name = b"".join(bytes([len(p)]) + p for p in (b"host%d" % k, b"example", b"com")) + b"\0"
        q += name + struct.pack("!HH", 1, 1)
        udp = struct.pack("!HHHH", rnd.randrange(1024, 65536), 53, 8 + len(q), 0) + q
        w.pkt(ipv4(bytes([10, 1, 0, 7]), resolver, 17, udp, ident=k & 0xFFFF), dt_us=5)


def ooo(w, n, rnd):
    c = bytes([10, 0, 0, 2])
    cs, ss = 2000, 7000000
    w.pkt(ipv4(c, SERVER, 6, tcp(40001, 80, cs, 0, SYN)))
    w.pkt(ipv4(SERVER, c, 6, tcp(80, 40001, ss, cs + 1, SYN | ACK)))
    w.pkt(ipv4(c, SERVER, 6, tcp(40001, 80, cs + 1, ss + 1, ACK)))
    order = list(range(n))
    rnd.shuffle(order)
    for k in order:
        data = bytes([k & 0xFF]) * 100
        w.pkt(ipv4(SERVER, c, 6, tcp(80, 40001, ss + 1 + 100 * k, cs + 1, ACK, data),
                   ident=k & 0xFFFF), dt_us=3)


def main():
    out = sys.argv[1]
    n = int(sys.argv[2]) if len(sys.argv) > 2 else 1_000_000
    kinds = sys.argv[3:]
    os.makedirs(out, exist_ok=True)
    for name, fn in (("synflood", synflood), ("manyflows", manyflows), ("overlap", overlap),
                     ("fragflood", fragflood), ("dnsflood", dnsflood), ("ooo", ooo)):
        if kinds and name not in kinds:
            continue
        w = Writer(os.path.join(out, name + ".pcap"))
        fn(w, n, random.Random(7))
        w.close()
        print(name, os.path.getsize(os.path.join(out, name + ".pcap")), file=sys.stderr)


if __name__ == "__main__":
    main()
