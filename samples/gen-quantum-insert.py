#!/usr/bin/python3
"""Writes quantum-insert.pcap: a Quantum-Insert-style race, seen from beside the client.

The client (192.0.2.10) opens a connection to a web server (203.0.113.80, about 14 hops
away: TTL 50), and sends GET /. A forger one hop away answers first, at the sequence
number the server will use: an HTTP 302 to http://exploit.example/ with an empty body,
FIN|PSH|ACK set, from a stack unlike the server's (TTL 64, IP-ID 1, DF clear, window
8192, no TCP options, so no timestamps although the handshake negotiated them). The
client acknowledges it. The real server's 200 OK arrives 20 ms after the forgery, at
the same sequence number with different bytes (TTL 50, DF, its IP-IDs going up, TCP
timestamps). Then the client closes and the server answers the close.

  frame  1  client SYN                      6  client ACK of the forgery and its FIN
         2  server SYN/ACK                  7  real 200 OK (same seq as frame 5)
         3  client ACK                      8  client FIN/ACK
         4  client GET /                    9  server FIN/ACK
         5  forged 302, FIN|PSH|ACK        10  client ACK

Deterministic: fixed clock, IP-IDs, sequence numbers and timestamps. Run with Debian's
python3-scapy: /usr/bin/python3 samples/gen-quantum-insert.py [OUTDIR]
"""

import os
import struct
import sys

from scapy.all import IP, TCP, Ether, raw

CLIENT, SERVER = "192.0.2.10", "203.0.113.80"
CLIENT_MAC, GATEWAY_MAC = "00:00:5e:00:53:01", "00:00:5e:00:53:fe"
CPORT, SPORT = 51234, 80
C_ISN, S_ISN = 0x3B9ACA07, 0x6FC23AC1
T0 = 1429524672 * 10**9  # 2015-04-20T10:11:12Z
MS, US = 10**6, 10**3

REQUEST = (b"GET / HTTP/1.1\r\nHost: www.example.com\r\n"
           b"User-Agent: Mozilla/5.0 (X11; Linux x86_64; rv:115.0) Gecko/20100101 Firefox/115.0\r\n"
           b"Accept: text/html\r\nConnection: keep-alive\r\n\r\n")
FORGED = (b"HTTP/1.1 302 Found\r\nLocation: http://exploit.example/\r\n"
          b"Content-Length: 0\r\n\r\n")
BODY = (b"<!DOCTYPE html>\n<html><head><title>Example Domain</title></head>\n"
        b"<body><h1>Example Domain</h1><p>The page you asked for.</p></body></html>\n")
GENUINE = (b"HTTP/1.1 200 OK\r\nServer: nginx\r\nContent-Type: text/html; charset=UTF-8\r\n"
           b"Content-Length: " + str(len(BODY)).encode() + b"\r\n\r\n" + BODY)


def client(t, ipid, flags, seq, ack, tsval, tsecr, payload=b"", syn_opts=False):
    opts = ([("MSS", 1460), ("SAckOK", b""), ("Timestamp", (tsval, tsecr)), ("NOP", None),
             ("WScale", 7)] if syn_opts else [("NOP", None), ("NOP", None),
                                              ("Timestamp", (tsval, tsecr))])
    ip = IP(src=CLIENT, dst=SERVER, ttl=64, id=ipid, flags="DF")
    tcp = TCP(sport=CPORT, dport=SPORT, flags=flags, seq=seq, ack=ack,
              window=64240 if syn_opts else 502, options=opts)
    return t, Ether(src=CLIENT_MAC, dst=GATEWAY_MAC) / ip / tcp / payload


def server(t, ipid, flags, seq, ack, tsval, tsecr, payload=b"", syn_opts=False):
    opts = ([("MSS", 1460), ("SAckOK", b""), ("Timestamp", (tsval, tsecr)), ("NOP", None),
             ("WScale", 9)] if syn_opts else [("NOP", None), ("NOP", None),
                                              ("Timestamp", (tsval, tsecr))])
    ip = IP(src=SERVER, dst=CLIENT, ttl=50, id=ipid, flags="DF")
    tcp = TCP(sport=SPORT, dport=CPORT, flags=flags, seq=seq, ack=ack,
              window=65160 if syn_opts else 227, options=opts)
    return t, Ether(src=GATEWAY_MAC, dst=CLIENT_MAC) / ip / tcp / payload


def forger(t, seq, ack):
    ip = IP(src=SERVER, dst=CLIENT, ttl=64, id=1, flags=0)
    tcp = TCP(sport=SPORT, dport=CPORT, flags="FPA", seq=seq, ack=ack, window=8192)
    return t, Ether(src=GATEWAY_MAC, dst=CLIENT_MAC) / ip / tcp / FORGED


def ts_client(t):
    return 2718281 + (t - T0) // MS  # a 1 kHz timestamp clock


def ts_server(t):
    return 3141544 + (t - T0) // MS


def frames():
    c_data = C_ISN + 1
    c_fin = c_data + len(REQUEST)
    s_data = S_ISN + 1
    forged_end = s_data + len(FORGED) + 1  # the forged FIN takes one more
    t_synack = T0 + 48 * MS
    t_ack = t_synack + 100 * US
    t_get = t_ack + 100 * US
    t_forged = t_get + 2 * MS + 150 * US
    t_ack_forged = t_forged + 60 * US
    t_real = t_forged + 20 * MS
    t_fin = t_real + 3 * MS
    t_fin_server = t_fin + 48 * MS
    t_last = t_fin_server + 80 * US
    tc, ts = ts_client, ts_server
    return [
        client(T0, 0x9C41, "S", C_ISN, 0, tc(T0), 0, syn_opts=True),
        server(t_synack, 0x5D10, "SA", S_ISN, c_data, ts(t_synack), tc(T0), syn_opts=True),
        client(t_ack, 0x9C42, "A", c_data, s_data, tc(t_ack), ts(t_synack)),
        client(t_get, 0x9C43, "PA", c_data, s_data, tc(t_get), ts(t_synack), REQUEST),
        forger(t_forged, s_data, c_fin),
        client(t_ack_forged, 0x9C44, "A", c_fin, forged_end, tc(t_ack_forged), ts(t_synack)),
        server(t_real, 0x5D11, "PA", s_data, c_fin, ts(t_real), tc(t_get), GENUINE),
        client(t_fin, 0x9C45, "FA", c_fin, forged_end, tc(t_fin), ts(t_real)),
        server(t_fin_server, 0x5D12, "FA", s_data + len(GENUINE), c_fin + 1, ts(t_fin_server),
               tc(t_fin)),
        client(t_last, 0x9C46, "A", c_fin + 1, forged_end, tc(t_last), ts(t_fin_server)),
    ]


def pcap(pkts):
    out = [struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 262144, 1)]
    for t, pkt in pkts:
        data = raw(pkt)
        sec, ns = divmod(t, 10**9)
        out.append(struct.pack("<IIII", sec, ns // 1000, len(data), len(data)) + data)
    return b"".join(out)


def main():
    outdir = sys.argv[1] if len(sys.argv) > 1 else os.path.dirname(os.path.abspath(__file__))
    with open(os.path.join(outdir, "quantum-insert.pcap"), "wb") as f:
        f.write(pcap(frames()))


if __name__ == "__main__":
    main()
