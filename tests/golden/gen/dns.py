#!/usr/bin/python3
"""Writes captures/dns-*.pcap: dns_injection, each attack beside the benign look-alikes
DESIGN.md names for it.

Every capture is taken beside a stub resolver client (192.0.2.10, 2001:db8::10; TTL
64, DF clear) asking a recursive resolver about 10 hops away (198.51.100.53,
2001:db8:1::53): its answers come with IP TTL (hop limit) 54, DF clear and
random-looking IP-IDs, 28 to 34 ms after the query. The injector, when there is one,
sits on the path next to the client: TTL 64, DF clear, IP-ID 1 or the IP-ID of the
query it answers, and it answers about 1 ms after the query (well inside half the
resolver's round trip, the Hold-On tell). DNS messages are built by hand (the `Msg`
class below), so every compression pointer is where the docstring says. Forged
addresses are in 203.0.113.0/24, genuine ones in 198.51.100.0/24 (2001:db8:5::/48
and 2001:db8:80::/48 for IPv6). "Q/A" below is a normal query and its answer.

Attacks (each must raise the named finding):

  dns-race-forged-first   1-10 five Q/A (the resolver's baseline: TTL 54); 11 query
                          www.example.com A (IP-ID 0x5c3e); 12 forged answer A
                          203.0.113.66, 1 ms later, IP-ID 0x5c3e copied from 11, TTL 64;
                          13 genuine answer A 198.51.100.80, 198.51.100.81, 30 ms after
                          11. dns_injection high, forged 12.
  dns-race-genuine-first  1-10 five Q/A; 11 query; 12 genuine answer (two A), 30 ms; 13
                          forged answer A 203.0.113.66, 34 ms after 11, IP-ID 1, TTL 64.
                          dns_injection high, forged 13.
  dns-race-ipv6           dns-race-forged-first over IPv6 with AAAA: 1-10 five Q/A
                          (hop limit 54); 11 query AAAA; 12 forged AAAA 2001:db8:5::66
                          (hop limit 64), 1 ms later; 13 genuine AAAA 2001:db8:80::80,
                          2001:db8:80::81, 30 ms after 11. Forged 12 (hop limit only:
                          IPv6 has no IP-ID).
  dns-race-rcode          1-10 five Q/A; 11 query shop.example.com A; 12 forged NXDOMAIN
                          with no records (IP-ID copied, TTL 64); 13 genuine NOERROR A
                          198.51.100.90. Forged 12.
  dns-race-cname          1-10 five Q/A; 11 query www.example.org A; 12 forged answer
                          written without compression: www.example.org CNAME
                          login.example.org.phish.example, that name A 203.0.113.66 (IP-ID
                          copied, TTL 64); 13 genuine chain, compressed: www.example.org
                          CNAME edge.example.org (rdata "edge" + pointer to the
                          question's example.org), edge.example.org (pointer to that
                          rdata) CNAME e1234.cdn.example.net, that name (pointer) A
                          198.51.100.85. Forged 12.
  dns-race-mx-txt         1-10 five Q/A; 11 query example.com MX; 12 forged MX 10
                          mail.phish.example (TTL 64); 13 genuine MX 10
                          mx1.example.com, 20 mx2.example.com (exchange names compressed
                          against the question); 14 query example.com TXT; 15 forged TXT
                          "v=spf1 ip4:203.0.113.0/24 +all" (TTL 64); 16 genuine TXT
                          "v=spf1 mx -all". Both forged answers have IP-ID 1 (the
                          injector's constant) where the resolver's vary. Two findings,
                          forged 12 and 15.
  dns-race-txt-comma      1-10 five Q/A; 11 query example.net TXT; 12 forged TXT
                          "v=spf1 a,mx ip4:203.0.113.0/24 +all" and "k=v,w" (two
                          character-strings, TTL 64, IP-ID 1); 13 genuine TXT "v=spf1
                          -all". The record's commas stay in the record: one list item,
                          not three. Forged 12.
  dns-tcp                 DNS over TCP (two-byte length prefix) to the resolver: 1-3
                          handshake; 4 query www.example.com A; 5 forged response segment
                          (TTL 64, IP-ID 1, DF clear, no TCP options) at the server's
                          first data sequence number, 1 ms after 4, A 203.0.113.66; 6
                          client ACK of it; 7 genuine response at the same sequence
                          number 30 ms after 4, A 198.51.100.80 and .81 (other length,
                          other bytes); 8 client dup ACK (D-SACK); 9-11 close. The stream
                          race of two answers: dns_injection with the TCP evidence
                          (copies, sequence numbers), forged 5.
  dns-tcp-split           dns-tcp with the forged response cut in two segments: 5 its
                          length prefix alone, 6 the message 50 us later; 7 client ACK;
                          8 the genuine response whole at the same sequence number; 9
                          dup ACK; 10-12 close. dns_injection, forged 5 and 6 read as
                          one message.
  dns-lone-forged         1-12 six Q/A; 13 query www.example.com A (IP-ID 0x6d21); 14 the
                          only answer, 1 ms later: A 203.0.113.66 with TTL 64, DF set and
                          IP-ID 0x6d21 copied from 13 (an in-path forger that dropped the
                          query); 15-16 a later normal Q/A for another name, 2 s later.
                          dns_injection at lower confidence, forged 14.
  dns-fragmented-answer   1-6 three Q/A; 7 query pool.example.com A with EDNS (4096); 8
                          forged small answer A 203.0.113.66, 1 ms later (IP-ID copied,
                          TTL 64); 9-10 the genuine answer, 100 A records in
                          198.51.100.0/24 with EDNS, 1653 bytes of UDP, in two IPv4
                          fragments (IP-ID 0x8e17, TTL 54; 9 holds bytes 0-1479 with the
                          UDP header, 10 the rest) 31 ms after 7. The reassembled answer
                          (completed by frame 10) is compared: dns_injection, forged 8.
  dns-race-forward-pointer  1-10 five Q/A; 11 query www.example.com A (IP-ID 0x4a12);
                          12 forged answer, 1 ms later (IP-ID copied, TTL 64), whose
                          question name is a compression pointer *forward* to the
                          answer's owner name, written in full after the question's type
                          and class (resolvers accept it: glibc's dn_expand), A
                          203.0.113.66; 13 genuine answer (two A), 30 ms after 11.
                          dns_injection high, forged 12.
  dns-race-rejected       1-10 five Q/A; 11 query www.example.com A (IP-ID 0x4b23); 12
                          forged reply, 1 ms later (IP-ID copied, TTL 64), whose
                          question name is a pointer to itself: no parser reads it
                          (decode event dns_invalid), but its header names the pending
                          query (client, port, id); 13 genuine answer (two A), 30 ms
                          after 11. dns_injection high, forged 12, "rejected_answer".
  dns-frag-poison         DNS poisoning by a forged IP fragment (Herzberg and Shulman,
                          2013): 1-6 three Q/A; 7 query pool.example.com A with EDNS;
                          8 the off-path forger's second fragment, planted 10 ms before
                          the answer: bytes 1480-1652 of the answer's UDP datagram (IP-ID
                          0x8e20, guessed) with the last 10 A records turned into
                          203.0.113.66 and a record TTL changed to keep the UDP
                          checksum, TTL 50, DF clear; 9 the resolver's first fragment
                          (bytes 0-1479, TTL 54), 31 ms after 7, which completes the
                          poisoned datagram; 10 the resolver's own second fragment 20 us
                          later, left over. fragment_injection high: frame 10 compared
                          with the kept datagram, frame 8 forged (its TTL unlike the
                          first fragment's, mixed_fragments).

Benign twins (each must stay silent):

  dns-benign-duplicate    1-4 two Q/A; 5 query; 6 answer; 7 the same frame again 40 us
                          later, byte for byte (same IP-ID); 8-9 the same over IPv6: query
                          AAAA, answer; 10 its byte-identical copy.
  dns-benign-retransmitted-query  1 query www.example.com A (port 45012, id 0x2f61); 2 the
                          client's retransmission 1 s later (same port, id and question,
                          new IP-ID); 3 the answer to 1, arriving late; 4 the answer to 2:
                          the same two A records in the other order with record TTL 299
                          instead of 300 (the cache counted down), other IP-ID. 5-8 the
                          same over IPv6 with AAAA records.
  dns-benign-round-robin  six separate queries for pool.example.com A (other ports and
                          ids), each answered by a different pair of A records: 1/2,
                          3/4, ... 11/12.
  dns-benign-anycast      eight separate Q/A to one anycast resolver address whose
                          answers come from two sites: TTL 54 for the 1st, 3rd, 5th and
                          7th query, 51 for the others (each query answered by one site).
  dns-benign-tcp          DNS over TCP: 1-3 handshake; 4 two pipelined queries in one
                          segment (www.example.com A, www.example.com AAAA); 5 ACK; 6 the
                          first response, length prefix and message in one segment; 7
                          the second response's length prefix alone; 8 its message; 9
                          ACK; 10-12 close.
  dns-benign-malformed    each query answered once by the resolver (normal fingerprint)
                          with a damaged message: 2 an answer name that points at itself;
                          4 two answer names pointing at each other (the first forward);
                          6 a question name that is a forward pointer; 8 an answer name
                          of 5 labels of 63 bytes (over 255); 10 a question name whose
                          label length has the reserved 0x40 bits; 12 a TXT record
                          holding 20 pointers, each to the one before it (the first to
                          the question), then an A record whose name enters the chain
                          at its last link (21 pointers in all, each strictly
                          backwards); 14 ancount 5 with one record present; 16 a CNAME
                          whose rdata length runs past the message; 17 a byte-identical
                          copy of 16; 19 a message cut inside the header (7 bytes); 21
                          an answer name that points past the end of the message. Odd
                          frames are the queries. No crash, silent.
  dns-benign-forward-pointer  each query answered once by the resolver (normal
                          fingerprint) with forward compression pointers: 2 the question
                          name a pointer forward to the answer's owner name; 4 the same
                          for AAAA, and 5 a byte-identical copy of 4 40 us later.
  dns-benign-frag-late-duplicate  the honest look-alike of dns-frag-poison: 1-6 three
                          Q/A; 7 query pool.example.com A with EDNS; 8-9 the answer in
                          two fragments (TTL 54), 31 ms after 7; 10 a byte-identical copy
                          of 9 (a duplicating link) 30 us later: compared with the kept
                          datagram, equal.
  dns-benign-resolver-retry  the resolver sends its answer twice (a retry of its own,
                          other IP-ID, same TTL 54), the two copies compressed
                          differently: 1 query www.example.org A; 2 the CNAME chain of
                          dns-race-cname, compressed; 3 the same records written without
                          compression; 4 query example.com MX; 5 MX 10 mx1.example.com,
                          20 mx2.example.com with the exchange names compressed; 6 the
                          same written in full.
"""

import socket
import struct

from scapy.all import IP, TCP, UDP, IPv6, Raw, raw

import goldenlib as g

C, S = g.CLIENT, g.SERVER
MS, US = g.MS, g.US

RESOLVER4 = "198.51.100.53"
RESOLVER6 = "2001:db8:1::53"

T_A, T_NS, T_CNAME, T_PTR, T_MX, T_TXT, T_AAAA, T_OPT = 1, 2, 5, 12, 15, 16, 28, 41
QTYPES = {"A": T_A, "NS": T_NS, "CNAME": T_CNAME, "PTR": T_PTR, "MX": T_MX, "TXT": T_TXT,
          "AAAA": T_AAAA}
NOERROR, NXDOMAIN = 0, 3


class Rng:
    """xorshift32: random-looking IP-IDs, ports and ids that are the same on every run."""

    def __init__(self, seed):
        self.x = seed or 1

    def next(self):
        x = self.x
        x ^= (x << 13) & 0xFFFFFFFF
        x ^= x >> 17
        x ^= (x << 5) & 0xFFFFFFFF
        self.x = x
        return x

    def u16(self):
        return (self.next() >> 8) & 0xFFFF or 1

    def port(self):
        return 32768 + self.next() % 28000


# --- DNS messages, by hand ------------------------------------------------------------

class Msg:
    """A DNS message written front to back, so compression pointers are exact: name()
    points at an earlier copy of a name's suffix when `compress` is set, and remembers
    where it wrote each suffix."""

    def __init__(self, txid, qr=0, rd=1, ra=0, aa=0, rcode=NOERROR):
        self.txid = txid
        self.flags = (qr << 15) | (aa << 10) | (rd << 8) | (ra << 7) | rcode
        self.buf = bytearray(12)
        self.counts = [0, 0, 0, 0]
        self.names = {}

    def name(self, n, compress=True):
        labels = [lab for lab in n.split(".") if lab]
        for i in range(len(labels)):
            suffix = ".".join(labels[i:]).lower()
            if compress and suffix in self.names:
                self.buf += struct.pack(">H", 0xC000 | self.names[suffix])
                return
            if len(self.buf) < 0x3FFF:
                self.names.setdefault(suffix, len(self.buf))
            lab = labels[i].encode()
            self.buf += bytes([len(lab)]) + lab
        self.buf += b"\0"

    def question(self, n, qtype):
        self.name(n)
        self.buf += struct.pack(">HH", qtype, 1)
        self.counts[0] += 1

    def rr(self, section, owner, rtype, ttl, rdata, compress=True, rclass=1):
        """One record; `rdata` is bytes or a function writing it into the message."""
        self.name(owner, compress)
        self.buf += struct.pack(">HHIH", rtype, rclass, ttl, 0)
        at = len(self.buf)
        if callable(rdata):
            rdata(self)
        else:
            self.buf += rdata
        struct.pack_into(">H", self.buf, at - 2, len(self.buf) - at)
        self.counts[section] += 1

    def bytes(self):
        return struct.pack(">HHHHHH", self.txid, self.flags, *self.counts) + bytes(self.buf[12:])


# Records: each a function adding itself to a message's answer section.

def A(owner, addr, ttl=300, compress=True):
    return lambda m: m.rr(1, owner, T_A, ttl, socket.inet_pton(socket.AF_INET, addr), compress)


def AAAA(owner, addr, ttl=300, compress=True):
    return lambda m: m.rr(1, owner, T_AAAA, ttl, socket.inet_pton(socket.AF_INET6, addr),
                          compress)


def CNAME(owner, target, ttl=300, compress=True):
    return lambda m: m.rr(1, owner, T_CNAME, ttl, lambda mm: mm.name(target, compress),
                          compress)


def MX(owner, pref, exchange, ttl=3600, compress=True):
    def rdata(m):
        m.buf += struct.pack(">H", pref)
        m.name(exchange, compress)
    return lambda m: m.rr(1, owner, T_MX, ttl, rdata, compress)


def TXT(owner, *strings, ttl=3600, compress=True):
    data = b"".join(bytes([len(s)]) + s for s in strings)
    return lambda m: m.rr(1, owner, T_TXT, ttl, data, compress)


def OPT(udp_size=1232):
    """EDNS(0) in the additional section (RFC 6891): root owner, class = UDP size."""
    return lambda m: m.rr(3, "", T_OPT, 0, b"", rclass=udp_size)


def query_msg(txid, name, qtype, edns=False):
    m = Msg(txid)
    m.question(name, qtype)
    if edns:
        OPT(4096)(m)
    return m.bytes()


def answer_msg(txid, name, qtype, records, rcode=NOERROR, edns=False):
    m = Msg(txid, qr=1, ra=1, rcode=rcode)
    m.question(name, qtype)
    for r in records:
        r(m)
    if edns:
        OPT(1232)(m)
    return m.bytes()


# --- a stub resolver client and its resolver ----------------------------------------

class Query:
    def __init__(self, ts, txid, port, ipid, name, qtype, edns):
        self.ts, self.txid, self.port, self.ipid = ts, txid, port, ipid
        self.name, self.qtype, self.edns = name, qtype, edns


class Stub:
    """The client and the resolver on one clock. query() advances the clock; answers
    are placed relative to their query's time."""

    def __init__(self, seed, v6=False, resolver=None, t0=g.T0):
        self.rng = Rng(seed)
        self.v6 = v6
        self.client = g.CLIENT6 if v6 else g.CLIENT4
        self.server = resolver or (RESOLVER6 if v6 else RESOLVER4)
        self.now = t0

    def ip(self, side, ttl, ipid, df=False):
        src, dst = (self.client, self.server) if side == C else (self.server, self.client)
        if self.v6:
            return IPv6(src=src, dst=dst, hlim=ttl)
        return IP(src=src, dst=dst, ttl=ttl, id=ipid, flags="DF" if df else 0)

    def query(self, name, qtype="A", dt=200 * MS, txid=None, port=None, edns=False):
        """A query and the Pkt carrying it."""
        self.now += dt
        q = Query(self.now, txid if txid is not None else self.rng.u16(),
                  port if port is not None else self.rng.port(),
                  0 if self.v6 else self.rng.u16(), name, QTYPES[qtype], edns)
        return q, self.resend(q, dt=0)

    def resend(self, q, dt):
        """The same query again from the same port (new IP-ID), `dt` after the clock."""
        self.now += dt
        ipid = q.ipid if dt == 0 or self.v6 else self.rng.u16()
        payload = query_msg(q.txid, q.name, q.qtype, q.edns)
        return g.Pkt(self.now, C, self.ip(C, 64, ipid) / UDP(sport=q.port, dport=53)
                     / Raw(payload))

    def answer(self, q, records, after=30 * MS, rcode=NOERROR, ttl=54, ipid=None, df=False,
               msg=None):
        """An answer `after` the query; the resolver's fingerprint unless told."""
        if ipid is None:
            ipid = 0 if self.v6 else self.rng.u16()
        if msg is None:
            msg = answer_msg(q.txid, q.name, q.qtype, records, rcode, q.edns)
        return g.Pkt(q.ts + after, S, self.ip(S, ttl, ipid, df)
                     / UDP(sport=53, dport=q.port) / Raw(msg))

    def forged(self, q, records, after=1 * MS, rcode=NOERROR, ipid=None):
        """The injector's answer: TTL 64, DF clear, IP-ID copied from the query unless
        given."""
        return self.answer(q, records, after, rcode, ttl=64,
                           ipid=q.ipid if ipid is None else ipid)

    def pair(self, name, addrs, qtype="A", dt=200 * MS, ttl=54):
        """A normal query and its answer, 28-34 ms later."""
        q, p = self.query(name, qtype, dt=dt)
        rec = AAAA if qtype == "AAAA" else A
        rtt = (28 + self.rng.next() % 7) * MS
        return [p, self.answer(q, [rec(name, a) for a in addrs], after=rtt, ttl=ttl)]


BASELINE = [("www.example.net", ["198.51.100.11"]),
            ("mail.example.net", ["198.51.100.12"]),
            ("cdn.example.com", ["198.51.100.13", "198.51.100.14"]),
            ("api.example.org", ["198.51.100.15"]),
            ("static.example.com", ["198.51.100.16"]),
            ("news.example.org", ["198.51.100.17"])]
BASELINE6 = [(n, ["2001:db8:80::%x" % (0x11 + i)]) for i, (n, _) in enumerate(BASELINE)]


def baseline(st, n=5):
    pkts = []
    for name, addrs in (BASELINE6 if st.v6 else BASELINE)[:n]:
        pkts += st.pair(name, addrs, "AAAA" if st.v6 else "A")
    return pkts


def by_time(pkts):
    return sorted(pkts, key=lambda p: p.ts)


# --- attacks --------------------------------------------------------------------------

NAME = "www.example.com"
GENUINE = ["198.51.100.80", "198.51.100.81"]
FORGED = "203.0.113.66"


def race_forged_first():
    st = Stub(0x5EED0001)
    pkts = baseline(st)
    q, p = st.query(NAME)
    p.ip.id = q.ipid = 0x5C3E
    pkts += [p, st.forged(q, [A(NAME, FORGED)]),
             st.answer(q, [A(NAME, a) for a in GENUINE], after=30 * MS)]
    assert len(pkts) == 13
    return by_time(pkts)


def race_genuine_first():
    st = Stub(0x5EED0002)
    pkts = baseline(st)
    q, p = st.query(NAME)
    pkts += [p, st.answer(q, [A(NAME, a) for a in GENUINE], after=30 * MS),
             st.forged(q, [A(NAME, FORGED)], after=34 * MS, ipid=1)]
    assert len(pkts) == 13
    return by_time(pkts)


def race_ipv6():
    st = Stub(0x5EED0003, v6=True)
    pkts = baseline(st)
    q, p = st.query(NAME, "AAAA")
    pkts += [p, st.forged(q, [AAAA(NAME, "2001:db8:5::66")]),
             st.answer(q, [AAAA(NAME, "2001:db8:80::80"), AAAA(NAME, "2001:db8:80::81")])]
    assert len(pkts) == 13
    return by_time(pkts)


def race_rcode():
    st = Stub(0x5EED0004)
    pkts = baseline(st)
    name = "shop.example.com"
    q, p = st.query(name)
    pkts += [p, st.forged(q, [], rcode=NXDOMAIN),
             st.answer(q, [A(name, "198.51.100.90")])]
    assert len(pkts) == 13
    return by_time(pkts)


def cname_chain(compress):
    name = "www.example.org"
    return [CNAME(name, "edge.example.org", compress=compress),
            CNAME("edge.example.org", "e1234.cdn.example.net", compress=compress),
            A("e1234.cdn.example.net", "198.51.100.85", ttl=20, compress=compress)]


def race_cname():
    st = Stub(0x5EED0005)
    pkts = baseline(st)
    name = "www.example.org"
    evil = "login.example.org.phish.example"
    q, p = st.query(name)
    pkts += [p, st.forged(q, [CNAME(name, evil, compress=False),
                              A(evil, FORGED, compress=False)]),
             st.answer(q, cname_chain(True))]
    assert len(pkts) == 13
    return by_time(pkts)


MX_GENUINE = [(10, "mx1.example.com"), (20, "mx2.example.com")]


def race_mx_txt():
    st = Stub(0x5EED0006)
    pkts = baseline(st)
    q, p = st.query("example.com", "MX")
    pkts += [p, st.forged(q, [MX("example.com", 10, "mail.phish.example", compress=False)],
                          ipid=1),
             st.answer(q, [MX("example.com", pr, x) for pr, x in MX_GENUINE])]
    q, p = st.query("example.com", "TXT")
    pkts += [p, st.forged(q, [TXT("example.com", b"v=spf1 ip4:203.0.113.0/24 +all",
                                  compress=False)], ipid=1),
             st.answer(q, [TXT("example.com", b"v=spf1 mx -all")])]
    assert len(pkts) == 16
    return by_time(pkts)


def race_txt_comma():
    st = Stub(0x5EED0020)
    pkts = baseline(st)
    q, p = st.query("example.net", "TXT")
    pkts += [p, st.forged(q, [TXT("example.net", b"v=spf1 a,mx ip4:203.0.113.0/24 +all",
                                  b"k=v,w", compress=False)], ipid=1),
             st.answer(q, [TXT("example.net", b"v=spf1 -all")])]
    assert len(pkts) == 13
    return by_time(pkts)


def tcp_msg(msg):
    return struct.pack(">H", len(msg)) + msg


def dns_tcp(split=False):
    cv = g.TcpConv(server=RESOLVER4, sport=41877, dport=53, ttl=(64, 54),
                   ipid=(0x3A11, 0x91C4))
    q = query_msg(0x7B2D, NAME, T_A)
    forged = tcp_msg(answer_msg(0x7B2D, NAME, T_A, [A(NAME, FORGED)]))
    genuine = tcp_msg(answer_msg(0x7B2D, NAME, T_A, [A(NAME, a) for a in GENUINE]))
    pkts = cv.handshake() + [cv.seg(C, "PA", tcp_msg(q), dt=200 * US)]
    t_query = cv.now
    s = cv.nxt[S]
    cv.now += 1 * MS
    cuts = [(0, 2), (2, len(forged))] if split else [(0, len(forged))]
    for i, (a, b) in enumerate(cuts):
        ip = IP(src=RESOLVER4, dst=g.CLIENT4, ttl=64, id=1 + i, flags=0)
        tcp = TCP(sport=53, dport=41877, seq=s + a, ack=cv.nxt[C], flags="PA", window=8192,
                  options=[])
        pkts.append(g.Pkt(cv.now + i * 50 * US, S, ip / tcp / forged[a:b]))
    cv.now += (len(cuts) - 1) * 50 * US
    pkts.append(cv.seg(C, "A", dt=100 * US, ack=s + len(forged)))
    pkts.append(cv.seg(S, "PA", genuine, dt=t_query + 30 * MS - cv.now, seq=s))
    pkts.append(cv.seg(C, "A", dt=100 * US, sack=[(s, s + len(forged))]))
    pkts += cv.close()
    assert len(pkts) == 11 + split
    return pkts


def forward_pointer_msg(txid, name, records, qtype=T_A):
    """An answer whose question name is a pointer forward to the first record's owner
    name, written in full there; records are (type, rdata) of that owner."""
    msg = header(txid, 0x8180, an=len(records))
    owner = len(msg) + 2 + 4
    msg += struct.pack(">HHH", 0xC000 | owner, qtype, 1)
    msg += question(name)[:-4]
    for i, (rtype, rdata) in enumerate(records):
        if i:
            msg += struct.pack(">H", 0xC000 | owner)
        msg += struct.pack(">HHIH", rtype, 1, 300, len(rdata)) + rdata
    return msg


def race_by_message(seed, ipid, forged_msg):
    """Five Q/A, a query for NAME with IP-ID `ipid`, a forged reply 1 ms later whose
    message forged_msg(txid) writes (IP-ID copied, TTL 64), the genuine answer."""
    st = Stub(seed)
    pkts = baseline(st)
    q, p = st.query(NAME)
    p.ip.id = q.ipid = ipid
    pkts += [p, st.answer(q, None, after=1 * MS, ttl=64, ipid=q.ipid, msg=forged_msg(q.txid)),
             st.answer(q, [A(NAME, a) for a in GENUINE], after=30 * MS)]
    assert len(pkts) == 13
    return by_time(pkts)


def race_forward_pointer():
    return race_by_message(0x5EED000A, 0x4A12, lambda txid: forward_pointer_msg(
        txid, NAME, [(T_A, socket.inet_aton(FORGED))]))


def rejected_msg(txid):
    """A question name that is a pointer to itself: no parser reads it."""
    return (header(txid, 0x8180) + b"\xc0\x0c\0\1\0\1\xc0\x0c"
            + struct.pack(">HHIH", T_A, 1, 300, 4) + socket.inet_aton(FORGED))


def race_rejected():
    return race_by_message(0x5EED000B, 0x4B23, rejected_msg)


def lone_forged():
    st = Stub(0x5EED0008)
    pkts = baseline(st, 6)
    q, p = st.query(NAME)
    p.ip.id = q.ipid = 0x6D21
    lone = st.answer(q, [A(NAME, FORGED)], after=1 * MS, ttl=64, ipid=q.ipid, df=True)
    pkts += [p, lone]
    pkts += st.pair("docs.example.net", ["198.51.100.18"], dt=2000 * MS)
    assert len(pkts) == 16
    return by_time(pkts)


def fragment4(pkt, size):
    """An IPv4 packet cut into fragments of `size` bytes of payload (a multiple of 8),
    as a router would: same header, MF on all but the last."""
    whole = raw(pkt)
    hl = (whole[0] & 0x0F) * 4
    l4 = whole[hl:]
    out = []
    for off in range(0, len(l4), size):
        chunk = l4[off:off + size]
        mf = "MF" if off + size < len(l4) else 0
        out.append(IP(src=pkt.src, dst=pkt.dst, ttl=pkt.ttl, id=pkt.id, flags=mf,
                      frag=off // 8, proto=pkt.proto) / Raw(chunk))
    return out


def fragmented_answer():
    st = Stub(0x5EED0009)
    pkts = baseline(st, 3)
    name = "pool.example.com"
    q, p = st.query(name, edns=True)
    records = [A(name, "198.51.100.%d" % (100 + i), ttl=60) for i in range(100)]
    genuine = st.answer(q, records, after=31 * MS, ipid=0x8E17)
    assert len(genuine.ip[UDP]) == 1653, len(genuine.ip[UDP])
    frags = fragment4(genuine.ip, 1480)
    pkts += [p, st.forged(q, [A(name, FORGED)])]
    pkts += [g.Pkt(genuine.ts + i * 10 * US, S, f) for i, f in enumerate(frags)]
    assert len(pkts) == 10
    return by_time(pkts)


def checksum_add(data):
    """The ones-complement sum of data's 16-bit words (big-endian, even length)."""
    total = sum(struct.unpack(">%dH" % (len(data) // 2), data))
    while total >> 16:
        total = (total & 0xFFFF) + (total >> 16)
    return total


def big_answer(seed, forge_last=0):
    """Three Q/A, a query for 100 A records with EDNS and the answer's two fragments
    (IP-ID 0x8e20), 31 ms later. forge_last: the forger's copy of the second fragment
    instead, its last forge_last records pointing at FORGED and the UDP checksum kept
    by changing one record's TTL."""
    st = Stub(seed)
    pkts = baseline(st, 3)
    name = "pool.example.com"
    q, p = st.query(name, edns=True)
    addrs = ["198.51.100.%d" % (100 + i) for i in range(100)]
    genuine = st.answer(q, [A(name, a, ttl=60) for a in addrs], after=31 * MS, ipid=0x8E20)
    frags = fragment4(genuine.ip, 1480)
    pkts.append(p)
    out = [g.Pkt(genuine.ts + i * 20 * US, S, f) for i, f in enumerate(frags)]
    if not forge_last:
        return pkts, out, None
    evil = addrs[:100 - forge_last] + [FORGED] * forge_last
    l4 = bytearray(raw(st.answer(q, [A(name, a, ttl=60) for a in evil], after=31 * MS,
                                 ipid=0x8E20).ip[UDP]))
    l4g = raw(genuine.ip[UDP])
    assert l4[8:1480] == l4g[8:1480] and len(l4) == len(l4g)
    # The last A record's TTL (its low word, at an even offset past 1480; the OPT
    # record's 11 bytes follow) takes the difference, so the first fragment's UDP
    # checksum holds.
    at = len(l4) - 11 - 4 - 2 - 2
    assert at % 2 == 0 and at > 1480
    l4[at:at + 2] = b"\0\0"
    need = (checksum_add(l4g[1480:] + b"\0") + 0xFFFF - checksum_add(bytes(l4[1480:]) + b"\0"))
    need = (need & 0xFFFF) + (need >> 16)
    l4[at:at + 2] = struct.pack(">H", need & 0xFFFF)
    assert checksum_add(bytes(l4[1480:]) + b"\0") == checksum_add(l4g[1480:] + b"\0")
    planted = IP(src=RESOLVER4, dst=g.CLIENT4, ttl=50, id=0x8E20, flags=0, frag=1480 // 8,
                 proto=17) / Raw(bytes(l4[1480:]))
    return pkts, out, g.Pkt(genuine.ts - 10 * MS, S, planted)


def frag_poison():
    pkts, (first, second), planted = big_answer(0x5EED000C, forge_last=10)
    pkts += [planted, first, second]
    assert len(pkts) == 10
    return by_time(pkts)


# --- benign twins ---------------------------------------------------------------------

def benign_duplicate():
    st = Stub(0x5EED0101)
    pkts = baseline(st, 2)
    q, p = st.query(NAME)
    a = st.answer(q, [A(NAME, x) for x in GENUINE])
    pkts += [p, a, a._replace(ts=a.ts + 40 * US)]
    st6 = Stub(0x5EED0102, v6=True, t0=st.now + 1000 * MS)
    q, p = st6.query(NAME, "AAAA")
    a = st6.answer(q, [AAAA(NAME, "2001:db8:80::80")])
    pkts += [p, a, a._replace(ts=a.ts + 40 * US)]
    assert len(pkts) == 10
    return by_time(pkts)


def benign_retransmitted_query():
    pkts = []
    for v6, seed, port, txid in ((False, 0x5EED0103, 45012, 0x2F61),
                                 (True, 0x5EED0104, 45013, 0x2F62)):
        st = Stub(seed, v6=v6, t0=g.T0 + (5000 * MS if v6 else 0))
        rec, addrs = (AAAA, ["2001:db8:80::80", "2001:db8:80::81"]) if v6 else (A, GENUINE)
        q, p = st.query(NAME, "AAAA" if v6 else "A", dt=0, txid=txid, port=port)
        again = st.resend(q, dt=1000 * MS)
        first = st.answer(q, [rec(NAME, x, ttl=300) for x in addrs], after=1030 * MS)
        second = st.answer(q, [rec(NAME, x, ttl=299) for x in reversed(addrs)],
                           after=1031 * MS)
        pkts += [p, again, first, second]
    assert len(pkts) == 8
    return by_time(pkts)


def benign_round_robin():
    st = Stub(0x5EED0105)
    pkts = []
    name = "pool.example.com"
    for i in range(6):
        q, p = st.query(name, dt=300 * MS)
        addrs = ["198.51.100.%d" % (100 + (2 * i + k) % 7) for k in range(2)]
        pkts += [p, st.answer(q, [A(name, a, ttl=60) for a in addrs], after=29 * MS)]
    return by_time(pkts)


def benign_anycast():
    st = Stub(0x5EED0106)
    pkts = []
    for i, (name, addrs) in enumerate(BASELINE + [(NAME, GENUINE),
                                                  ("shop.example.com", ["198.51.100.90"])]):
        pkts += st.pair(name, addrs, ttl=54 if i % 2 == 0 else 51)
    assert len(pkts) == 16
    return by_time(pkts)


def benign_tcp():
    cv = g.TcpConv(server=RESOLVER4, sport=41878, dport=53, ttl=(64, 54),
                   ipid=(0x3B20, 0x4C77))
    q1 = query_msg(0x1D01, NAME, T_A)
    q2 = query_msg(0x1D02, NAME, T_AAAA)
    a1 = answer_msg(0x1D01, NAME, T_A, [A(NAME, a) for a in GENUINE])
    a2 = answer_msg(0x1D02, NAME, T_AAAA, [AAAA(NAME, "2001:db8:80::80")])
    pkts = cv.handshake() + [cv.seg(C, "PA", tcp_msg(q1) + tcp_msg(q2), dt=200 * US),
                             cv.seg(S, "A", dt=12 * MS),
                             cv.seg(S, "PA", tcp_msg(a1), dt=18 * MS),
                             cv.seg(S, "PA", tcp_msg(a2)[:2], dt=200 * US),
                             cv.seg(S, "PA", a2, dt=50 * US),
                             cv.seg(C, "A", dt=100 * US)] + cv.close()
    assert len(pkts) == 12
    return pkts


def header(txid, flags, qd=1, an=1, ns=0, ar=0):
    return struct.pack(">HHHHHH", txid, flags, qd, an, ns, ar)


def question(name):
    return b"".join(bytes([len(lab)]) + lab.encode() for lab in name.split(".")) + b"\0\0\1\0\1"


def malformed():
    """(query name, answer message) pairs, each answer damaged in one way."""
    out = []
    R = 0x8180  # response, RD, RA, NOERROR
    rr_a = struct.pack(">HHIH", T_A, 1, 300, 4) + bytes([203, 0, 113, 66])
    # 1. An answer name pointing at itself (offset 33 = 12 + 21 for "loop1.example.com").
    n = "loop1.example.com"
    msg = header(0xB001, R) + question(n)
    msg += struct.pack(">H", 0xC000 | len(msg)) + rr_a
    out.append((n, msg))
    # 2. Two answer names pointing at each other: the first forward to the second.
    n = "loop2.example.com"
    msg = header(0xB002, R, an=2) + question(n)
    first = len(msg)
    second = first + 2 + len(rr_a)
    msg += struct.pack(">H", 0xC000 | second) + rr_a
    msg += struct.pack(">H", 0xC000 | first) + rr_a
    out.append((n, msg))
    # 3. The question name is a pointer forward, to the answer's name.
    n = "fwd.example.com"
    msg = header(0xB003, R)
    msg += struct.pack(">H", 0xC000 | (len(msg) + 6)) + b"\0\1\0\1"
    msg += question(n)[:-4] + rr_a
    out.append((n, msg))
    # 4. An answer name of five 63-byte labels: 320 bytes, over the 255 allowed.
    n = "long.example.com"
    msg = header(0xB004, R) + question(n)
    msg += b"".join(b"\x3f" + bytes([0x61 + i]) * 63 for i in range(5)) + b"\0" + rr_a
    out.append((n, msg))
    # 5. A question name whose first label length byte is 0x41 (the reserved 01 bits).
    n = "reserved.example.com"
    msg = header(0xB005, R) + b"\x41" + question(n)[1:] + b"\xc0\x0c" + rr_a
    out.append((n, msg))
    # 6. A chain of pointers, each strictly backwards: a TXT record whose rdata is 20
    # pointers, each to the one before it and the first to the question name, then an
    # A record whose name points at the last of them (21 pointers to follow).
    n = "chain.example.com"
    msg = header(0xB006, R, an=2) + question(n)
    blob_at = len(msg) + 2 + 10  # after the TXT record's name pointer and fixed fields
    links = [0xC00C] + [0xC000 | (blob_at + 2 * i) for i in range(19)]
    blob = b"".join(struct.pack(">H", x) for x in links)
    msg += b"\xc0\x0c" + struct.pack(">HHIH", T_TXT, 1, 300, len(blob)) + blob
    msg += struct.pack(">H", 0xC000 | (blob_at + 2 * 19)) + rr_a
    out.append((n, bytes(msg)))
    # 7. ancount 5, one record present.
    n = "short.example.com"
    msg = header(0xB007, R, an=5) + question(n) + b"\xc0\x0c" + rr_a
    out.append((n, msg))
    # 8. A CNAME whose rdata length runs past the end of the message.
    n = "cut.example.com"
    msg = header(0xB008, R) + question(n) + b"\xc0\x0c"
    msg += struct.pack(">HHIH", T_CNAME, 1, 300, 200) + b"\x04edge\xc0\x0c"
    out.append((n, msg))
    # 9. Seven bytes: a header cut short.
    out.append(("stub.example.com", header(0xB009, R)[:7]))
    # 10. An answer name that is a pointer past the end of the message.
    n = "past.example.com"
    msg = header(0xB00A, R) + question(n)
    msg += b"\xc3\xff" + rr_a
    out.append((n, msg))
    return out


def benign_malformed():
    st = Stub(0x5EED0107)
    pkts = []
    for i, (name, msg) in enumerate(malformed()):
        q, p = st.query(name)
        # The answers carry the query's id where the message has one.
        if len(msg) >= 2:
            msg = struct.pack(">H", q.txid) + msg[2:]
        a = st.answer(q, None, msg=msg)
        pkts += [p, a]
        if i == 7:
            pkts.append(a._replace(ts=a.ts + 40 * US))
    assert len(pkts) == 21
    return by_time(pkts)


def benign_forward_pointer():
    st = Stub(0x5EED0109)
    q, p = st.query(NAME)
    msg = forward_pointer_msg(q.txid, NAME, [(T_A, socket.inet_aton(a)) for a in GENUINE])
    pkts = [p, st.answer(q, None, msg=msg)]
    q, p = st.query(NAME, "AAAA")
    msg = forward_pointer_msg(q.txid, NAME,
                              [(T_AAAA, socket.inet_pton(socket.AF_INET6, "2001:db8:80::80"))],
                              qtype=T_AAAA)
    a = st.answer(q, None, msg=msg)
    pkts += [p, a, a._replace(ts=a.ts + 40 * US)]
    assert len(pkts) == 5
    return by_time(pkts)


def benign_frag_late_duplicate():
    pkts, (first, second), _ = big_answer(0x5EED000C)
    pkts += [first, second, second._replace(ts=second.ts + 30 * US)]
    assert len(pkts) == 10
    return by_time(pkts)


def benign_resolver_retry():
    st = Stub(0x5EED0108)
    name = "www.example.org"
    q, p = st.query(name)
    pkts = [p, st.answer(q, cname_chain(True)),
            st.answer(q, cname_chain(False), after=31 * MS)]
    q, p = st.query("example.com", "MX")
    pkts += [p, st.answer(q, [MX("example.com", pr, x) for pr, x in MX_GENUINE]),
             st.answer(q, [MX("example.com", pr, x, compress=False) for pr, x in MX_GENUINE],
                       after=31 * MS)]
    return by_time(pkts)


def main():
    eth = g.LINKTYPE_ETHERNET
    for name, fn in (("dns-race-forged-first", race_forged_first),
                     ("dns-race-genuine-first", race_genuine_first),
                     ("dns-race-ipv6", race_ipv6),
                     ("dns-race-rcode", race_rcode),
                     ("dns-race-cname", race_cname),
                     ("dns-race-mx-txt", race_mx_txt),
                     ("dns-race-txt-comma", race_txt_comma),
                     ("dns-tcp", dns_tcp),
                     ("dns-tcp-split", lambda: dns_tcp(split=True)),
                     ("dns-race-forward-pointer", race_forward_pointer),
                     ("dns-race-rejected", race_rejected),
                     ("dns-frag-poison", frag_poison),
                     ("dns-lone-forged", lone_forged),
                     ("dns-fragmented-answer", fragmented_answer),
                     ("dns-benign-duplicate", benign_duplicate),
                     ("dns-benign-retransmitted-query", benign_retransmitted_query),
                     ("dns-benign-round-robin", benign_round_robin),
                     ("dns-benign-anycast", benign_anycast),
                     ("dns-benign-tcp", benign_tcp),
                     ("dns-benign-malformed", benign_malformed),
                     ("dns-benign-forward-pointer", benign_forward_pointer),
                     ("dns-benign-frag-late-duplicate", benign_frag_late_duplicate),
                     ("dns-benign-resolver-retry", benign_resolver_retry)):
        g.write(name + ".pcap", g.pcap(eth, g.on_ether(fn())))


if __name__ == "__main__":
    main()
