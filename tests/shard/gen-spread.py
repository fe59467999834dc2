#!/usr/bin/python3
"""secondsight - a large capture for the shard test: the golden captures (classic
little-endian microsecond pcap, Ethernet) written COPIES times one after the other,
each copy with host pairs of its own, so that every attack and benign look-alike of
the golden set happens many times between many host pairs.

Copy c (1..COPIES) XORs the second byte of every IPv4 address, and the third of every
IPv6 address, with c (and the next byte with c >> 8), in both directions, so hosts that
talk stay a pair and pairs of different copies differ. IPv4 header and TCP/UDP
checksums are updated incrementally (RFC 1624), so a checksum that was wrong stays
wrong by the same amount; a fragment that is not the first carries no transport
header and is left alone. Each copy starts one hour of packet time after the one
before. Frames other than Ethernet IPv4/IPv6 are written as they are.

usage: gen-spread.py OUT.pcap COPIES CAPTURE...
Deterministic: the same inputs give the same bytes.
"""
import importlib.machinery
import importlib.util
import os
import struct
import sys


def _bench(name):
    """A bench/ script as a module (its name has a dash)."""
    here = os.path.dirname(os.path.abspath(__file__))
    path = os.path.join(here, "..", "..", "bench", name)
    spec = importlib.util.spec_from_loader(name, importlib.machinery.SourceFileLoader(name, path))
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


# RFC 1624 incremental checksum update, as the diff-pair generator does it.
adjust = _bench("gen-diff-pair.py").adjust


def remap(addr, c, at):
    b = bytearray(addr)
    b[at] ^= c & 0xFF
    b[at + 1] ^= (c >> 8) & 0xFF
    return bytes(b)


def rewrite(frame, c):
    if len(frame) < 14:
        return frame
    etype = struct.unpack("!H", frame[12:14])[0]
    f = bytearray(frame)
    if etype == 0x0800 and len(f) >= 34 and f[14] >> 4 == 4:
        ihl = (f[14] & 15) * 4
        old = bytes(f[26:34])
        new = remap(old[:4], c, 1) + remap(old[4:], c, 1)
        f[26:34] = new
        f[24:26] = struct.pack("!H", adjust(struct.unpack("!H", f[24:26])[0], old, new))
        proto, frag = f[23], struct.unpack("!H", f[20:22])[0] & 0x1FFF
        l4 = 14 + ihl
        if frag == 0:
            fix_l4(f, proto, l4, old, new)
    elif etype == 0x86DD and len(f) >= 54 and f[14] >> 4 == 6:
        old = bytes(f[22:54])
        new = remap(old[:16], c, 2) + remap(old[16:], c, 2)
        f[22:54] = new
        nxt, l4 = f[20], 54
        # Skip extension headers up to the transport header (or a non-first fragment).
        for _ in range(8):
            if nxt in (0, 43, 60) and len(f) >= l4 + 8:
                nxt, l4 = f[l4], l4 + (f[l4 + 1] + 1) * 8
            elif nxt == 44 and len(f) >= l4 + 8:
                if struct.unpack("!H", f[l4 + 2:l4 + 4])[0] >> 3:
                    return bytes(f)
                nxt, l4 = f[l4], l4 + 8
            else:
                break
        fix_l4(f, nxt, l4, old, new)
    return bytes(f)


def fix_l4(f, proto, l4, old, new):
    """The transport checksum covers the addresses through the pseudo-header."""
    at = {6: 16, 17: 6}.get(proto)
    if at is None or len(f) < l4 + at + 2:
        return
    check = struct.unpack("!H", f[l4 + at:l4 + at + 2])[0]
    if proto == 17 and check == 0:
        return
    f[l4 + at:l4 + at + 2] = struct.pack("!H", adjust(check, old, new))


def packets(path):
    with open(path, "rb") as fh:
        data = fh.read()
    if len(data) < 24:
        return
    magic, _, _, _, _, _, linktype = struct.unpack("<IHHiIII", data[:24])
    if magic != 0xA1B2C3D4 or linktype != 1:
        return
    off = 24
    while off + 16 <= len(data):
        sec, usec, incl, orig = struct.unpack("<IIII", data[off:off + 16])
        if off + 16 + incl > len(data):
            return
        yield sec * 1000000 + usec, orig, data[off + 16:off + 16 + incl]
        off += 16 + incl


def main():
    if len(sys.argv) < 4:
        print(__doc__.strip().split("\n\n")[-2], file=sys.stderr)
        return 2
    out, copies, caps = sys.argv[1], int(sys.argv[2]), sys.argv[3:]
    base = [list(packets(p)) for p in sorted(caps)]
    with open(out, "wb") as w:
        w.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 262144, 1))
        t0 = 1_700_000_000 * 1_000_000
        for c in range(1, copies + 1):
            for k, pkts in enumerate(base):
                if not pkts:
                    continue
                first = pkts[0][0]
                start = t0 + ((c - 1) * len(base) + k) * 3_600_000_000
                for ts, orig, frame in pkts:
                    t = start + max(0, ts - first)
                    frame = rewrite(frame, c)
                    w.write(struct.pack("<IIII", t // 1000000, t % 1000000, len(frame), orig))
                    w.write(frame)
    return 0


if __name__ == "__main__":
    sys.exit(main())
