"""Shared helpers for the golden-capture generators.

Packets are built with scapy (Debian's python3-scapy; run the generators with
/usr/bin/python3). Capture files are written by hand with struct, so every header
field is fixed and a rerun reproduces the same bytes: fixed clock, fixed IP-IDs, fixed
sequence numbers, no randomness anywhere.

A generator writes its captures into the directory named by its first argument, or
into ../captures beside it when there is none.
"""

import os
import struct
import sys
from collections import namedtuple

from scapy.all import ICMP, IP, TCP, Ether, ICMPv6EchoReply, ICMPv6EchoRequest, IPv6, raw
from scapy.utils import checksum

# 2024-01-15T10:00:00Z, in nanoseconds. Every capture's clock starts from here.
T0 = 1705312800 * 10**9
MS = 10**6
US = 10**3

# Documentation addresses (RFC 5737, RFC 3849) and MACs (RFC 7042).
CLIENT4 = "192.0.2.10"
SERVER4 = "198.51.100.20"
CLIENT6 = "2001:db8::10"
SERVER6 = "2001:db8:1::20"
MAC_CLIENT = "00:00:5e:00:53:01"
MAC_GATEWAY = "00:00:5e:00:53:fe"

MARKER = b"SECONDSIGHT-TEST-MARKER"
# Same length as MARKER, for the benign twins.
NOT_MARKER = b"SECONDSIGHT-TEST-BENIGN"

# libpcap LINKTYPE_ values as written in file headers.
LINKTYPE_NULL = 0
LINKTYPE_ETHERNET = 1
LINKTYPE_PPP = 9
LINKTYPE_RAW = 101
LINKTYPE_LINUX_SLL = 113
LINKTYPE_USER0 = 147
LINKTYPE_LINUX_SLL2 = 276

CLIENT, SERVER = 0, 1

# One packet of a conversation: packet time in ns, which side sent it, the IP packet.
Pkt = namedtuple("Pkt", "ts side ip")


# --- where the captures go ------------------------------------------------------

def out_dir():
    if len(sys.argv) > 1:
        return sys.argv[1]
    return os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "captures")


def write(name, data):
    with open(os.path.join(out_dir(), name), "wb") as f:
        f.write(data)


# --- capture file formats ---------------------------------------------------------

def pcap_header(linktype, snaplen=262144, nsec=False, big_endian=False):
    """The 24-byte classic pcap file header."""
    e = ">" if big_endian else "<"
    magic = 0xA1B23C4D if nsec else 0xA1B2C3D4
    return struct.pack(e + "IHHiIII", magic, 2, 4, 0, 0, snaplen, linktype)


def pcap_record(ts_ns, data, wirelen=None, nsec=False, big_endian=False):
    """One record: 16-byte header and the captured bytes."""
    e = ">" if big_endian else "<"
    sec, frac = divmod(ts_ns, 10**9)
    if not nsec:
        frac //= 1000
    return struct.pack(e + "IIII", sec, frac, len(data),
                       len(data) if wirelen is None else wirelen) + data


def pcap(linktype, frames, snaplen=262144, nsec=False, big_endian=False):
    """A classic pcap file of (ts_ns, bytes) frames, each cut to `snaplen`."""
    out = [pcap_header(linktype, snaplen, nsec, big_endian)]
    for ts, data in frames:
        out.append(pcap_record(ts, data[:snaplen], len(data), nsec, big_endian))
    return b"".join(out)


def _pcapng_block(btype, body):
    body += b"\0" * (-len(body) % 4)
    n = len(body) + 12
    return struct.pack("<II", btype, n) + body + struct.pack("<I", n)


def _pcapng_option(code, value):
    return struct.pack("<HH", code, len(value)) + value + b"\0" * (-len(value) % 4)


def pcapng(linktype, frames, tsresol=6, drops=None):
    """A pcapng file (little-endian): section header, one interface, enhanced packet
    blocks. `tsresol` is the interface's if_tsresol as a power of ten (6 or 9). With
    `drops`, an interface statistics block at the end says the capture lost that many
    packets (isb_ifdrop)."""
    return pcapng_multi([(linktype, tsresol)], [(0, ts, data) for ts, data in frames],
                        drops=drops)


def pcapng_multi(ifaces, frames, drops=None):
    """A pcapng file (little-endian) with several interfaces: `ifaces` lists each
    one's (linktype, tsresol), `frames` holds (interface, ts_ns, bytes). `drops` as
    for pcapng(), for interface 0."""
    shb = struct.pack("<IHHq", 0x1A2B3C4D, 1, 0, -1)
    shb += _pcapng_option(4, b"secondsight golden generator")  # shb_userappl
    shb += _pcapng_option(0, b"")
    out = [_pcapng_block(0x0A0D0D0A, shb)]
    for linktype, tsresol in ifaces:
        idb = struct.pack("<HHI", linktype, 0, 0)
        if tsresol != 6:
            idb += _pcapng_option(9, bytes([tsresol]))  # if_tsresol
        idb += _pcapng_option(0, b"")
        out.append(_pcapng_block(1, idb))

    def units(iface, ts):
        tsresol = ifaces[iface][1]
        return ts if tsresol == 9 else ts // 10**(9 - tsresol)

    for iface, ts, data in frames:
        u = units(iface, ts)
        epb = struct.pack("<IIIII", iface, u >> 32, u & 0xFFFFFFFF, len(data), len(data))
        out.append(_pcapng_block(6, epb + data))
    if drops is not None:
        last = units(0, frames[-1][1]) if frames else 0
        isb = struct.pack("<III", 0, last >> 32, last & 0xFFFFFFFF)
        isb += _pcapng_option(5, struct.pack("<Q", drops))  # isb_ifdrop
        isb += _pcapng_option(0, b"")
        out.append(_pcapng_block(5, isb))
    return b"".join(out)


# --- link layers --------------------------------------------------------------------

def ether(p, l2=None):
    """Ethernet II from the client's or the gateway's MAC; `l2` goes between the
    Ethernet header and IP (VLAN tags, MPLS labels)."""
    src, dst = (MAC_CLIENT, MAC_GATEWAY) if p.side == CLIENT else (MAC_GATEWAY, MAC_CLIENT)
    frame = Ether(src=src, dst=dst)
    if l2 is not None:
        frame = frame / l2
    return raw(frame / p.ip)


def on_ether(pkts):
    return [(p.ts, ether(p)) for p in pkts]


def ipv4_patch(frame, at, data, l2=14):
    """Overwrites bytes of the IPv4 header starting `at` bytes into it (for what scapy
    will not build) and recomputes the header checksum."""
    b = bytearray(frame)
    b[l2 + at:l2 + at + len(data)] = data
    hlen = (b[l2] & 0x0F) * 4
    b[l2 + 10:l2 + 12] = b"\0\0"
    b[l2 + 10:l2 + 12] = checksum(bytes(b[l2:l2 + hlen])).to_bytes(2, "big")
    return bytes(b)


# --- a TCP conversation ---------------------------------------------------------------

class TcpConv:
    """Both ends of one TCP connection on a shared clock. Each call to seg() advances
    the clock, the sender's IP-ID and (unless told otherwise) its sequence number, so
    a flow reads like a real capture taken beside the client."""

    def __init__(self, client=CLIENT4, server=SERVER4, sport=49152, dport=80,
                 isn=(0x1C2D3E4F, 0x5A6B7C8D), t0=T0, tcp_ts=True, ttl=(64, 56),
                 ipid=(0x2A01, 0x6B01), df=True):
        self.addr = (client, server)
        self.port = (sport, dport)
        self.v6 = ":" in client
        self.nxt = list(isn)
        self.t0 = t0
        self.now = t0
        self.tcp_ts = tcp_ts
        self.ttl = ttl
        self.ipid = list(ipid)
        self.df = df
        self.ts_base = (1000000, 3000000)
        self.tsval = [0, 0]
        self.syn_seen = [False, False]

    def _ip(self, side, **kw):
        src, dst = self.addr[side], self.addr[1 - side]
        if self.v6:
            return IPv6(src=src, dst=dst, hlim=self.ttl[side], fl=0x1F2E3 + side)
        ip = IP(src=src, dst=dst, ttl=self.ttl[side], id=self.ipid[side] & 0xFFFF,
                flags="DF" if self.df else 0)
        self.ipid[side] += 1
        for k, v in kw.items():
            setattr(ip, k, v)
        return ip

    def seg(self, side, flags, payload=b"", dt=1 * MS, seq=None, options=None,
            window=None, advance=True, ipkw=None, ack=None, sack=None):
        """One segment from `side`. `seq` overrides the sender's next sequence number
        (retransmissions); `advance=False` leaves the sender's state alone; `ipkw` sets
        IP header fields (options, flags); `ack` overrides the acknowledgment number;
        `sack` appends SACK blocks, (left, right) pairs, after the timestamp."""
        self.now += dt
        syn = "S" in flags
        if seq is None:
            seq = self.nxt[side]
        if ack is None:
            ack = self.nxt[1 - side] if "A" in flags else 0
        if options is None:
            options = []
            if self.tcp_ts:
                self.tsval[side] = self.ts_base[side] + (self.now - self.t0) // MS
                tsecr = self.tsval[1 - side] if "A" in flags else 0
                ts = ("Timestamp", (self.tsval[side], tsecr))
                if syn:
                    options = [("MSS", 1460 if not self.v6 else 1440), ("SAckOK", b""), ts,
                               ("NOP", None), ("WScale", 7)]
                else:
                    options = [("NOP", None), ("NOP", None), ts]
            elif syn:
                options = [("MSS", 1460 if not self.v6 else 1440)]
            if sack:
                options = options + [("NOP", None), ("NOP", None),
                                     ("SAck", tuple(x & 0xFFFFFFFF for b in sack for x in b))]
        if window is None:
            if syn:
                window = (64240, 65160)[side] if self.tcp_ts else (64240, 65535)[side]
            else:
                window = (502, 509)[side] if self.tcp_ts else (64240, 65535)[side]
        tcp = TCP(sport=self.port[side], dport=self.port[1 - side], seq=seq & 0xFFFFFFFF,
                  ack=ack & 0xFFFFFFFF, flags=flags, window=window, options=options)
        pkt = self._ip(side, **(ipkw or {})) / tcp
        if payload:
            pkt = pkt / payload
        if advance:
            self.nxt[side] = (seq + syn + len(payload) + ("F" in flags)) & 0xFFFFFFFF
        return Pkt(self.now, side, pkt)

    def handshake(self):
        return [self.seg(CLIENT, "S", dt=0), self.seg(SERVER, "SA", dt=12 * MS),
                self.seg(CLIENT, "A", dt=100 * US)]

    def close(self):
        """Client closes first: FIN/ACK, FIN/ACK, ACK."""
        return [self.seg(CLIENT, "FA", dt=5 * MS), self.seg(SERVER, "FA", dt=12 * MS),
                self.seg(CLIENT, "A", dt=100 * US)]


def linux_conv(sport, isn=(0x1C2D3E4F, 0x5A6B7C8D), **kw):
    """A Linux client and a Linux server about 14 hops away."""
    kw.setdefault("ttl", (64, 50))
    return TcpConv(sport=sport, isn=isn, **kw)


def pings(data, ident, ipid):
    """An ICMP echo request and reply (IP-IDs `ipid` and `ipid` + 0x5000), then an
    ICMPv6 echo request and reply one second later, all carrying `data`."""
    c, s = CLIENT, SERVER
    return [
        Pkt(T0, c, IP(src=CLIENT4, dst=SERVER4, id=ipid)
            / ICMP(type=8, id=ident, seq=1) / data),
        Pkt(T0 + 12 * MS, s, IP(src=SERVER4, dst=CLIENT4, id=ipid + 0x5000, ttl=56)
            / ICMP(type=0, id=ident, seq=1) / data),
        Pkt(T0 + 1000 * MS, c, IPv6(src=CLIENT6, dst=SERVER6)
            / ICMPv6EchoRequest(id=ident + 1, seq=1, data=data)),
        Pkt(T0 + 1012 * MS, s, IPv6(src=SERVER6, dst=CLIENT6, hlim=56)
            / ICMPv6EchoReply(id=ident + 1, seq=1, data=data)),
    ]


HTTP_REQUEST = (b"GET / HTTP/1.1\r\nHost: www.example.com\r\n"
                b"User-Agent: golden/1.0\r\nAccept: */*\r\n\r\n")
HTTP_BODY = b"<html><body><p>hello from the golden tests</p></body></html>\n"
HTTP_RESPONSE = (b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: "
                 + str(len(HTTP_BODY)).encode() + b"\r\n\r\n" + HTTP_BODY)
# A request whose payload starts with the test marker, for the test_marker detector.
MARKER_REQUEST = MARKER + b" GET / HTTP/1.1\r\nHost: www.example.com\r\n\r\n"


def http_flow(conv, request=HTTP_REQUEST, response=HTTP_RESPONSE):
    """The base flow, 9 packets: handshake, request, response, ACK, close.
    Frame 4 is the request, frame 5 the response."""
    return (conv.handshake()
            + [conv.seg(CLIENT, "PA", request, dt=200 * US),
               conv.seg(SERVER, "PA", response, dt=25 * MS),
               conv.seg(CLIENT, "A", dt=100 * US)]
            + conv.close())
