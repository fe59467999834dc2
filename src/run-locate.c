/* secondsight - `locate`: a baseline request, then the same request with its IP TTL
 * limited to 1, 2, 3 ... (TCP: the handshake at full TTL, only the request segment
 * limited, IP_TTL set on the connected socket). libpcap on the outgoing interface sees
 * the request leave, the routers' ICMP time-exceeded and every answer; the frames go
 * through the pipeline, so the detectors of analyze judge which answers are forged. The
 * first TTL whose request drew a forged answer places the forger (locate.c). Only one
 * target, one attempt at a time, bounded in count; CAP_NET_RAW is all it keeps. */
#include "run-locate.h"
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <pcap/pcap.h>

#ifdef __linux__
#include <linux/capability.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#endif

#include "capture.h"
#include "output.h"
#include "pipeline.h"
#include "run.h"

#define CAP_NET_RAW_BIT 13 /* linux/capability.h CAP_NET_RAW */

/* One attempt's answers, to tell forged from genuine once the detectors have spoken. */
struct attempt {
    struct locate_try *t;
    int64_t sent_ns;   /* the request as captured */
    int64_t resent_ns; /* its first retransmission (TTL 1), 0 */
    unsigned nanswers;
    uint64_t answer_frame[LOCATE_ANSWERS];
    uint8_t answer_ttl[LOCATE_ANSWERS];
};

struct locate_state {
    const struct locate_options *o;
    struct locate_result *r;
    int af;
    struct sockaddr_storage target;
    socklen_t target_len;
    uint8_t local[16];
    char host[256];
    const char *path;
    uint8_t request[1024];
    size_t request_len;
    pcap_t *pcap;
    pcap_dumper_t *dump;
    int pcap_fd;
    struct file_stats fs;
    struct pipeline pl;
    struct finding_sink sink;
    struct finding *findings;
    unsigned nfindings;
    uint64_t findings_lost;
    struct attempt *attempts; /* every attempt of the run, by its port */
    unsigned nattempts, cap_attempts;
    struct attempt *cur;
    int cur_fd;        /* its socket, -1 */
    int cur_ttl_low;   /* its TTL is 1 now (TCP, after the request left) */
    int64_t settle_at; /* monotonic ns: an answer or time-exceeded came; stop soon */
};

static int set_ttl(struct locate_state *st, int fd, int ttl);

static int64_t mono_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* ---- the target ---- */

static int parse_addr(const char *s, size_t n, struct locate_state *st, uint16_t port)
{
    char buf[64];
    if (n == 0 || n >= sizeof buf)
        return 0;
    memcpy(buf, s, n);
    buf[n] = 0;
    memset(&st->target, 0, sizeof st->target);
    struct sockaddr_in *s4 = (struct sockaddr_in *)&st->target;
    struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&st->target;
    if (inet_pton(AF_INET, buf, &s4->sin_addr) == 1) {
        s4->sin_family = AF_INET;
        s4->sin_port = htons(port);
        st->af = AF_INET;
        st->target_len = sizeof *s4;
        st->r->ip_version = 4;
        memcpy(st->r->target, &s4->sin_addr, 4);
    } else if (inet_pton(AF_INET6, buf, &s6->sin6_addr) == 1) {
        s6->sin6_family = AF_INET6;
        s6->sin6_port = htons(port);
        st->af = AF_INET6;
        st->target_len = sizeof *s6;
        st->r->ip_version = 6;
        memcpy(st->r->target, &s6->sin6_addr, 16);
    } else {
        return 0;
    }
    st->r->port = port;
    return 1;
}

static int parse_port(const char *s, uint16_t *port)
{
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (errno || end == s || *end || v < 1 || v > 65535)
        return 0;
    *port = (uint16_t)v;
    return 1;
}

/* HOST[:PORT] or [V6]:PORT or a bare IPv6 address; the end of the host part in *hend. */
static int parse_hostport(const char *s, size_t n, uint16_t defport, struct locate_state *st)
{
    char portbuf[8];
    uint16_t port = defport;
    const char *h = s, *colon = NULL;
    size_t hl = n;
    if (n && s[0] == '[') {
        const char *close = memchr(s, ']', n);
        if (!close)
            return 0;
        h = s + 1;
        hl = (size_t)(close - h);
        if (close + 1 < s + n) {
            if (close[1] != ':')
                return 0;
            colon = close + 1;
        }
    } else {
        const char *c = memchr(s, ':', n);
        if (c && !memchr(c + 1, ':', n - (size_t)(c + 1 - s))) { /* one colon: a port */
            colon = c;
            hl = (size_t)(c - s);
        }
    }
    if (colon) {
        size_t pl = n - (size_t)(colon + 1 - s);
        if (pl == 0 || pl >= sizeof portbuf)
            return 0;
        memcpy(portbuf, colon + 1, pl);
        portbuf[pl] = 0;
        if (!parse_port(portbuf, &port))
            return 0;
    }
    return parse_addr(h, hl, st, port);
}

static int parse_url(struct locate_state *st, const char *url)
{
    if (strncmp(url, "http://", 7) != 0) {
        fprintf(stderr,
                "secondsight: --url wants http://HOST[:PORT]/PATH, not '%s' (a forger "
                "must be able to read the request)\n",
                url);
        return 0;
    }
    const char *hs = url + 7;
    const char *slash = strchr(hs, '/');
    size_t hn = slash ? (size_t)(slash - hs) : strlen(hs);
    if (!parse_hostport(hs, hn, 80, st)) {
        fprintf(stderr,
                "secondsight: --url wants an IP address as HOST (locate sends to one "
                "address and resolves no name), not '%.*s'\n",
                (int)hn, hs);
        return 0;
    }
    st->path = slash ? slash : "/";
    for (const char *p = st->path; *p; p++)
        if ((unsigned char)*p <= ' ' || *p == 0x7f) {
            fprintf(stderr, "secondsight: --url: the path may not hold spaces or control "
                            "characters\n");
            return 0;
        }
    const char *host = st->o->host;
    if (host) {
        snprintf(st->host, sizeof st->host, "%s", host);
    } else {
        snprintf(st->host, sizeof st->host, "%.*s", (int)hn, hs);
    }
    for (const char *p = st->host; *p; p++)
        if ((unsigned char)*p <= ' ' || *p == 0x7f) {
            fprintf(stderr, "secondsight: --host may not hold spaces or control characters\n");
            return 0;
        }
    return 1;
}

static void build_http(struct locate_state *st)
{
    int n = snprintf((char *)st->request, sizeof st->request,
                     "GET %s HTTP/1.1\r\nHost: %s\r\nUser-Agent: secondsight-locate/%s\r\n"
                     "Accept: */*\r\nConnection: close\r\n\r\n",
                     st->path, st->host, SS_VERSION_STRING);
    st->request_len = n > 0 && (size_t)n < sizeof st->request ? (size_t)n : 0;
}

/* A DNS query (RFC 1035 4.1) for an A record (AAAA over IPv6), recursion desired; over
 * TCP with its two-byte length (RFC 1035 4.2.2). 0 when the name is not one. */
static int build_dns(struct locate_state *st, const char *name, int tcp)
{
    uint8_t *q = st->request + (tcp ? 2 : 0);
    size_t at = 12;
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    uint16_t id = (uint16_t)(ts.tv_nsec ^ (ts.tv_nsec >> 16) ^ getpid());
    memset(q, 0, 12);
    q[0] = (uint8_t)(id >> 8);
    q[1] = (uint8_t)id;
    q[2] = 0x01; /* RD */
    q[5] = 1;    /* QDCOUNT */
    const char *p = name;
    size_t total = strlen(name);
    if (total == 0 || total > 253)
        return 0;
    while (*p) {
        const char *dot = strchr(p, '.');
        size_t len = dot ? (size_t)(dot - p) : strlen(p);
        if (len == 0 || len > 63) {
            if (len == 0 && dot && !dot[1] && dot != name)
                break; /* a trailing dot */
            return 0;
        }
        for (size_t i = 0; i < len; i++)
            if ((unsigned char)p[i] <= ' ' || (unsigned char)p[i] >= 0x7f)
                return 0;
        q[at++] = (uint8_t)len;
        memcpy(q + at, p, len);
        at += len;
        p += len + (dot != NULL);
    }
    q[at++] = 0;
    q[at++] = 0;
    q[at++] = st->af == AF_INET6 ? 28 : 1; /* AAAA or A */
    q[at++] = 0;
    q[at++] = 1; /* IN */
    if (tcp) {
        st->request[0] = (uint8_t)(at >> 8);
        st->request[1] = (uint8_t)at;
        at += 2;
    }
    st->request_len = at;
    return 1;
}

/* The address this host sends to the target from, and the interface holding it. */
static int find_route(struct locate_state *st, char *iface, size_t iface_len)
{
    int fd = socket(st->af, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    struct sockaddr_storage me;
    socklen_t ml = sizeof me;
    if (fd < 0 || connect(fd, (struct sockaddr *)&st->target, st->target_len) != 0 ||
        getsockname(fd, (struct sockaddr *)&me, &ml) != 0) {
        int e = errno;
        if (fd >= 0)
            close(fd);
        fprintf(stderr, "secondsight: no route to the target: %s\n", strerror(e));
        return 0;
    }
    close(fd);
    if (st->af == AF_INET)
        memcpy(st->local, &((struct sockaddr_in *)&me)->sin_addr, 4);
    else
        memcpy(st->local, &((struct sockaddr_in6 *)&me)->sin6_addr, 16);
    if (st->o->iface) {
        snprintf(iface, iface_len, "%s", st->o->iface);
        return 1;
    }
    pcap_if_t *all = NULL;
    char err[PCAP_ERRBUF_SIZE] = "";
    if (pcap_findalldevs(&all, err) != 0) {
        fprintf(stderr, "secondsight: cannot list interfaces: %s\n", err);
        return 0;
    }
    int found = 0;
    for (pcap_if_t *d = all; d && !found; d = d->next)
        for (pcap_addr_t *a = d->addresses; a && !found; a = a->next) {
            if (!a->addr || a->addr->sa_family != st->af)
                continue;
            const void *ip = st->af == AF_INET
                                 ? (const void *)&((struct sockaddr_in *)a->addr)->sin_addr
                                 : (const void *)&((struct sockaddr_in6 *)a->addr)->sin6_addr;
            if (!memcmp(ip, st->local, st->af == AF_INET ? 4 : 16)) {
                snprintf(iface, iface_len, "%s", d->name);
                found = 1;
            }
        }
    pcap_freealldevs(all);
    if (!found)
        fprintf(stderr, "secondsight: cannot tell which interface holds the source address; "
                        "give it with -i IFACE\n");
    return found;
}

/* ---- privileges ---- */

/* CapEff and NoNewPrivs as /proc/self/status says them. */
static int read_status(char cap_eff[17], int *nnp)
{
    FILE *fp = fopen("/proc/self/status", "r");
    char line[256];
    int got = 0;
    if (!fp)
        return 0;
    *nnp = 0;
    while (fgets(line, sizeof line, fp)) {
        if (!strncmp(line, "CapEff:\t", 8) && sscanf(line + 8, "%16s", cap_eff) == 1)
            got = 1;
        else if (!strncmp(line, "NoNewPrivs:\t", 12))
            *nnp = atoi(line + 12);
    }
    fclose(fp);
    return got;
}

static int has_net_raw(const char *cap_eff)
{
    unsigned long long v = strtoull(cap_eff, NULL, 16);
    return (int)((v >> CAP_NET_RAW_BIT) & 1);
}

/* Keeps CAP_NET_RAW (libpcap's packet socket needs it) and drops every other
 * capability, from the bounding set too, and sets no_new_privs: nothing run or
 * exploited later gains any. 1 when /proc/self/status confirms it. */
static int drop_privileges(struct locate_result *r)
{
#ifdef __linux__
    char before[17] = "";
    int nnp;
    if (!read_status(before, &nnp) || !has_net_raw(before)) {
        fprintf(stderr, "secondsight: locate needs CAP_NET_RAW to capture (run it as root, or "
                        "give the binary cap_net_raw); --dry-run shows what it would send\n");
        return 0;
    }
    for (int c = 0; c < 64; c++)
        if (c != CAP_NET_RAW_BIT && prctl(PR_CAPBSET_DROP, c, 0, 0, 0) != 0 && errno == EINVAL)
            break; /* past the last capability this kernel knows */
#ifdef PR_CAP_AMBIENT
    prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0);
#endif
    struct __user_cap_header_struct hdr = {_LINUX_CAPABILITY_VERSION_3, 0};
    struct __user_cap_data_struct data[2];
    memset(data, 0, sizeof data);
    data[0].effective = data[0].permitted = 1u << CAP_NET_RAW_BIT;
    if (syscall(SYS_capset, &hdr, data) != 0 || prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) {
        fprintf(stderr, "secondsight: cannot drop privileges: %s\n", strerror(errno));
        return 0;
    }
    if (!read_status(r->cap_eff, &r->no_new_privs) ||
        strtoull(r->cap_eff, NULL, 16) != 1ull << CAP_NET_RAW_BIT || r->no_new_privs != 1) {
        fprintf(stderr, "secondsight: privileges not dropped: CapEff %s, NoNewPrivs %d\n",
                r->cap_eff, r->no_new_privs);
        return 0;
    }
    return 1;
#else
    (void)r;
    fprintf(stderr, "secondsight: locate runs on Linux only\n");
    return 0;
#endif
}

/* ---- capture ---- */

static int open_capture(struct locate_state *st, const char *iface)
{
    char err[PCAP_ERRBUF_SIZE] = "", ip[46], filter[256];
    pcap_t *p = pcap_create(iface, err);
    if (!p) {
        fprintf(stderr, "secondsight: cannot capture on %s: %s\n", iface, err);
        return 0;
    }
    pcap_set_snaplen(p, LOCATE_SNAPLEN);
    pcap_set_immediate_mode(p, 1);
    pcap_set_timeout(p, 10);
    pcap_set_tstamp_precision(p, PCAP_TSTAMP_PRECISION_NANO);
    int rc = pcap_activate(p);
    if (rc < 0) {
        fprintf(stderr, "secondsight: cannot capture on %s: %s\n", iface, pcap_geterr(p));
        pcap_close(p);
        return 0;
    }
    /* The attempts' traffic with the target, and time-exceeded from anywhere. */
    format_ip(ip, st->r->ip_version, st->r->target);
    const char *l4 = st->r->method == LOCATE_DNS_UDP ? "udp" : "tcp";
    if (st->af == AF_INET)
        snprintf(filter, sizeof filter,
                 "(ip host %s and (%s port %u or icmp)) or (icmp and icmp[0] == 11)", ip, l4,
                 st->r->port);
    else
        snprintf(filter, sizeof filter,
                 "(ip6 host %s and (%s port %u or icmp6)) or (icmp6 and ip6[40] == 3)", ip, l4,
                 st->r->port);
    struct bpf_program prog;
    if (pcap_compile(p, &prog, filter, 1, PCAP_NETMASK_UNKNOWN) != 0 ||
        pcap_setfilter(p, &prog) != 0) {
        fprintf(stderr, "secondsight: cannot filter the capture on %s: %s\n", iface,
                pcap_geterr(p));
        pcap_close(p);
        return 0;
    }
    pcap_freecode(&prog);
    if (pcap_setnonblock(p, 1, err) != 0 || (st->pcap_fd = pcap_get_selectable_fd(p)) < 0) {
        fprintf(stderr, "secondsight: cannot poll the capture on %s\n", iface);
        pcap_close(p);
        return 0;
    }
    st->pcap = p;
    st->fs.linktype = pcap_datalink(p);
    if (!decode_linktype_supported(st->fs.linktype)) {
        fprintf(stderr, "secondsight: cannot decode %s's link type %s\n", iface,
                linktype_name(st->fs.linktype));
        return 0;
    }
    return 1;
}

static struct attempt *attempt_by_port(struct locate_state *st, uint16_t port)
{
    for (unsigned i = st->nattempts; i-- > 0;)
        if (st->attempts[i].t->sport == port)
            return &st->attempts[i];
    return NULL;
}

static int same_ip(const struct locate_state *st, const uint8_t *a, const uint8_t *b)
{
    return !memcmp(a, b, st->af == AF_INET ? 4 : 16);
}

/* An ICMP time-exceeded (RFC 792; RFC 4443 3.3) quoting one of our requests: the router
 * that sent it is where the request died. */
static void on_time_exceeded(struct locate_state *st, const struct packet *pkt)
{
    if (pkt->payload_len < 4)
        return;
    const uint8_t *q = pkt->payload + 4;
    size_t n = pkt->payload_len - 4;
    size_t hl;
    uint8_t proto;
    const uint8_t *src, *dst;
    if (st->af == AF_INET) {
        if (pkt->proto != IPPROTO_NUM_ICMP || pkt->u.icmp.type != 11 || n < 20 || (q[0] >> 4) != 4)
            return;
        hl = (size_t)(q[0] & 15) * 4;
        proto = q[9];
        src = q + 12;
        dst = q + 16;
    } else {
        if (pkt->proto != IPPROTO_NUM_ICMPV6 || pkt->u.icmp.type != 3 || n < 40 || (q[0] >> 4) != 6)
            return;
        hl = 40;
        proto = q[6];
        src = q + 8;
        dst = q + 24;
    }
    uint8_t want = st->r->method == LOCATE_DNS_UDP ? IPPROTO_NUM_UDP : IPPROTO_NUM_TCP;
    if (hl < 20 || n < hl + 4 || proto != want || !same_ip(st, src, st->local) ||
        !same_ip(st, dst, st->r->target) || (uint16_t)(q[hl + 2] << 8 | q[hl + 3]) != st->r->port)
        return;
    /* TCP: the request segment, not an ACK or RST of ours (when the router quoted enough
     * of it to tell). */
    if (proto == IPPROTO_NUM_TCP && n >= hl + 13) {
        size_t iplen =
            st->af == AF_INET ? (size_t)(q[2] << 8 | q[3]) : 40 + (size_t)(q[4] << 8 | q[5]);
        if (iplen <= hl + (size_t)(q[hl + 12] >> 4) * 4)
            return;
    }
    struct attempt *a = attempt_by_port(st, (uint16_t)(q[hl] << 8 | q[hl + 1]));
    /* After a retransmission (sent with TTL 1) the time-exceeded may be its own. */
    if (!a || a->t->has_router || (a->resent_ns && pkt->ts_ns >= a->resent_ns))
        return;
    a->t->has_router = 1;
    memset(a->t->router, 0, 16);
    memcpy(a->t->router, pkt->ip_src, st->af == AF_INET ? 4 : 16);
    if (a->sent_ns)
        a->t->rtt_ns = pkt->ts_ns - a->sent_ns;
    if (a == st->cur && !st->settle_at)
        st->settle_at = mono_ns();
}

/* What one captured frame says about the attempts. */
static void observe(struct locate_state *st, const struct packet *pkt)
{
    if (pkt->ip_version != st->r->ip_version || !pkt->l4_ok)
        return;
    if (pkt->proto == IPPROTO_NUM_ICMP || pkt->proto == IPPROTO_NUM_ICMPV6) {
        on_time_exceeded(st, pkt);
        return;
    }
    uint8_t want = st->r->method == LOCATE_DNS_UDP ? IPPROTO_NUM_UDP : IPPROTO_NUM_TCP;
    if (pkt->proto != want || pkt->payload_len == 0)
        return;
    if (same_ip(st, pkt->ip_src, st->local) && same_ip(st, pkt->ip_dst, st->r->target) &&
        pkt->dport == st->r->port) {
        struct attempt *a = attempt_by_port(st, pkt->sport);
        if (a && !a->t->sent) {
            a->t->sent = 1;
            a->sent_ns = pkt->ts_ns;
        } else if (a && !a->resent_ns) {
            a->resent_ns = pkt->ts_ns;
        }
        return;
    }
    if (!same_ip(st, pkt->ip_src, st->r->target) || !same_ip(st, pkt->ip_dst, st->local) ||
        pkt->sport != st->r->port)
        return;
    struct attempt *a = attempt_by_port(st, pkt->dport);
    if (!a)
        return;
    if (!a->t->answered) {
        a->t->answered = 1;
        a->t->answer_ttl = pkt->ttl;
        if (a->sent_ns && !a->t->has_router)
            a->t->rtt_ns = pkt->ts_ns - a->sent_ns;
    }
    if (a->nanswers < LOCATE_ANSWERS) {
        a->answer_frame[a->nanswers] = pkt->frame;
        a->answer_ttl[a->nanswers++] = pkt->ttl;
    }
    if (a == st->cur && !st->settle_at)
        st->settle_at = mono_ns();
    /* Answered: our acknowledgements go with the full TTL again (the request itself is
     * acknowledged now, by whoever answered, and is not sent again). */
    if (a == st->cur && st->cur_ttl_low) {
        set_ttl(st, st->cur_fd, -1);
        st->cur_ttl_low = 0;
    }
}

static void on_frame(u_char *arg, const struct pcap_pkthdr *h, const u_char *data)
{
    struct locate_state *st = (struct locate_state *)arg;
    struct packet pkt;
    if (st->dump)
        pcap_dump((u_char *)st->dump, h, data);
    st->fs.packets++;
    st->fs.bytes += h->len;
    capture_frame(&pkt, &st->fs, 0, h->ts.tv_sec, h->ts.tv_usec, h->caplen, h->len, data);
    pipeline_frame(&st->pl, &pkt); /* decodes pkt, then the detectors judge it */
    observe(st, &pkt);
}

/* Captures until `until` (monotonic ns), also stopping an attempt's wait once an answer
 * or a time-exceeded has had time for its late copies; watches socket `fd` (read and
 * discarded) when >= 0. */
static void capture_until(struct locate_state *st, int64_t until, int fd)
{
    uint8_t sink[4096];
    for (;;) {
        int64_t now = mono_ns();
        int64_t end = until;
        if (st->settle_at) {
            int64_t settle = (int64_t)LOCATE_SETTLE_MS * 1000000;
            if (st->cur && st->cur->t->rtt_ns > 0 && 4 * st->cur->t->rtt_ns > settle)
                settle = 4 * st->cur->t->rtt_ns;
            if (st->settle_at + settle < end)
                end = st->settle_at + settle;
        }
        if (now >= end)
            break;
        struct pollfd p[2] = {{st->pcap_fd, POLLIN, 0}, {fd, POLLIN, 0}};
        int ms = (int)((end - now) / 1000000) + 1;
        poll(p, fd >= 0 ? 2 : 1, ms > 50 ? 50 : ms);
        pcap_dispatch(st->pcap, -1, on_frame, (u_char *)st);
        if (fd >= 0 && (p[1].revents & (POLLIN | POLLERR | POLLHUP))) {
            ssize_t got;
            while ((got = recv(fd, sink, sizeof sink, MSG_DONTWAIT)) > 0)
                ;
            if (got == 0 || (got < 0 && errno != EAGAIN && errno != EWOULDBLOCK))
                fd = -1; /* closed or failed: only the capture is left to watch */
        }
    }
    pcap_dispatch(st->pcap, -1, on_frame, (u_char *)st);
}

/* ---- attempts ---- */

/* The TTL (hop limit) of what the socket sends next; -1 the system's default. */
static int set_ttl(struct locate_state *st, int fd, int ttl)
{
    if (st->af == AF_INET)
        return setsockopt(fd, IPPROTO_IP, IP_TTL, &ttl, sizeof ttl);
    return setsockopt(fd, IPPROTO_IPV6, IPV6_UNICAST_HOPS, &ttl, sizeof ttl);
}

/* One attempt: connect (TCP, full TTL), limit the TTL to `ttl` (0: leave it), send the
 * request, capture until the answer settled or the timeout, then close abortively.
 * Once the request has left, the socket's TTL is 1: the kernel's retransmissions of it
 * die at the first hop, so one try is one trigger for whatever sits on the path, and a
 * request that expires is not sent on for minutes. The closing RST goes with the full
 * TTL again, so the target drops a connection whose request it never saw. 0 on a local
 * error (message said). */
static int attempt(struct locate_state *st, struct locate_try *t, int ttl)
{
    const struct locate_options *o = st->o;
    int tcp = st->r->method != LOCATE_DNS_UDP;
    memset(t, 0, sizeof *t);
    t->rtt_ns = -1;
    t->forged_ttl = t->answer_ttl = -1;
    int fd = socket(st->af, (tcp ? SOCK_STREAM : SOCK_DGRAM) | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    struct sockaddr_storage me;
    socklen_t ml = sizeof me;
    memset(&me, 0, sizeof me);
    me.ss_family = (sa_family_t)st->af;
    if (fd < 0 || bind(fd, (struct sockaddr *)&me, st->target_len) != 0 ||
        getsockname(fd, (struct sockaddr *)&me, &ml) != 0) {
        fprintf(stderr, "secondsight: cannot open a socket: %s\n", strerror(errno));
        if (fd >= 0)
            close(fd);
        return 0;
    }
    t->sport = ntohs(st->af == AF_INET ? ((struct sockaddr_in *)&me)->sin_port
                                       : ((struct sockaddr_in6 *)&me)->sin6_port);
    struct attempt *a = &st->attempts[st->nattempts++];
    memset(a, 0, sizeof *a);
    a->t = t;
    st->cur = a;
    st->settle_at = 0;
    st->r->attempts++;
    int64_t deadline = mono_ns() + (int64_t)o->timeout_ms * 1000000;
    if (connect(fd, (struct sockaddr *)&st->target, st->target_len) != 0 && errno != EINPROGRESS) {
        close(fd);
        return 1; /* refused or unreachable: an attempt without an answer */
    }
    if (tcp) {
        while (mono_ns() < deadline) {
            struct pollfd p[2] = {{fd, POLLOUT, 0}, {st->pcap_fd, POLLIN, 0}};
            poll(p, 2, 20);
            pcap_dispatch(st->pcap, -1, on_frame, (u_char *)st);
            if (p[0].revents & (POLLOUT | POLLERR | POLLHUP))
                break;
        }
        int err = 0;
        socklen_t el = sizeof err;
        if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &el) != 0 || err ||
            getpeername(fd, (struct sockaddr *)&me, &ml) != 0) {
            close(fd);
            return 1;
        }
    }
    t->connected = 1;
    if (ttl && set_ttl(st, fd, ttl) != 0) {
        fprintf(stderr, "secondsight: cannot set the TTL: %s\n", strerror(errno));
        close(fd);
        return 0;
    }
    if (send(fd, st->request, st->request_len, MSG_NOSIGNAL) < 0) {
        close(fd);
        return 1;
    }
    st->cur_fd = fd;
    if (tcp && ttl && !st->settle_at)
        st->cur_ttl_low = set_ttl(st, fd, 1) == 0;
    capture_until(st, deadline, fd);
    st->cur_ttl_low = 0;
    if (tcp) {
        struct linger l = {1, 0};
        setsockopt(fd, SOL_SOCKET, SO_LINGER, &l, sizeof l);
        set_ttl(st, fd, -1); /* the system's default */
    }
    close(fd);
    st->cur = NULL;
    return 1;
}

/* The sweep goes no further once the target itself answered: every try at the TTL
 * came back without a time-exceeded, and one brought an answer. */
static int target_reached(const struct locate_hop *h)
{
    int answered = 0;
    for (unsigned i = 0; i < h->ntries; i++) {
        if (h->tries[i].has_router)
            return 0;
        answered |= h->tries[i].answered;
    }
    return answered;
}

/* ---- judging ---- */

static void collect(struct finding_sink *sink, const struct finding *f)
{
    struct locate_state *st = sink->ctx;
    if (st->nfindings < LOCATE_MAX_FINDINGS)
        st->findings[st->nfindings++] = *f;
    else
        st->findings_lost++;
}

/* A finding about an answer to one of our attempts: from the target's address and port,
 * to ours. */
static struct attempt *finding_attempt(struct locate_state *st, const struct finding *f)
{
    if (f->ip_version != st->r->ip_version || !same_ip(st, f->src_ip, st->r->target) ||
        !same_ip(st, f->dst_ip, st->local) || f->sport != st->r->port)
        return NULL;
    return attempt_by_port(st, f->dport);
}

/* Every attempt judged: forged when the detectors flagged one of its answers, or when
 * an answer came to a request a router said had died (nothing behind that router saw
 * it); reached when an answer not judged forged came without a time-exceeded. */
static void judge(struct locate_state *st)
{
    for (unsigned i = 0; i < st->nfindings; i++) {
        const struct finding *f = &st->findings[i];
        struct attempt *a = finding_attempt(st, f);
        if (!a)
            continue;
        a->t->flagged = 1;
        for (unsigned k = 0; k < f->nforged; k++)
            for (unsigned j = 0; j < a->nanswers; j++)
                if (FRAME_REF_FRAME(f->forged[k]) == a->answer_frame[j] && !a->t->forged_frame) {
                    a->t->forged_frame = a->answer_frame[j];
                    a->t->forged_ttl = a->answer_ttl[j];
                }
    }
    /* The target's own answers arrive with one TTL: the most common one among attempts
     * nobody forged. A forged answer the detectors could not single out is one with
     * another TTL (or the first, when all look alike). */
    unsigned seen[256] = {0}, target_ttl = 256, most = 0;
    for (unsigned i = 0; i < st->nattempts; i++) {
        const struct attempt *a = &st->attempts[i];
        if (!a->t->flagged && !a->t->has_router)
            for (unsigned j = 0; j < a->nanswers; j++)
                if (++seen[a->answer_ttl[j]] > most) {
                    most = seen[a->answer_ttl[j]];
                    target_ttl = a->answer_ttl[j];
                }
    }
    for (unsigned i = 0; i < st->nattempts; i++) {
        struct attempt *a = &st->attempts[i];
        struct locate_try *t = a->t;
        if (!t->answered)
            continue;
        if (t->has_router || t->flagged) {
            t->forged = 1;
            for (unsigned j = 0; j < a->nanswers && t->forged_ttl < 0; j++)
                if (a->answer_ttl[j] != target_ttl) {
                    t->forged_frame = a->answer_frame[j];
                    t->forged_ttl = a->answer_ttl[j];
                }
            if (t->forged_ttl < 0 && a->nanswers) {
                t->forged_frame = a->answer_frame[0];
                t->forged_ttl = a->answer_ttl[0];
            }
        }
        if (t->has_router)
            continue;
        for (unsigned j = 0; j < a->nanswers; j++)
            if (a->answer_frame[j] != t->forged_frame || !t->flagged)
                t->reached = 1;
    }
}

/* A finding the detectors made on a baseline attempt's flow: what analyze would report. */
static int baseline_finding(struct locate_state *st, const struct finding *f)
{
    if (f->ip_version != st->r->ip_version)
        return 0;
    const struct locate_hop *b = &st->r->baseline;
    uint16_t port = same_ip(st, f->src_ip, st->local) ? f->sport : f->dport;
    for (unsigned i = 0; i < b->ntries; i++)
        if (b->tries[i].sport == port)
            return 1;
    return 0;
}

/* The finding that names the hop. */
static void located_finding(struct locate_state *st, struct finding *f)
{
    const struct locate_result *r = st->r;
    const struct locate_place *pl = &r->place;
    const struct locate_hop *h = NULL;
    char router[46] = "", before[46] = "", after[46] = "", target[46];
    for (unsigned i = 0; i < r->nhops; i++)
        if (r->hops[i].ttl == pl->hop)
            h = &r->hops[i];
    memset(f, 0, sizeof *f);
    f->class_name = "tampering_located";
    f->confidence =
        pl->has_router && !pl->multipath && pl->forged_tries + pl->later_hops_forged >= 2
            ? CONF_HIGH
        : pl->multipath ? CONF_LOW
                        : CONF_MEDIUM;
    f->ts_ns = r->start_ns;
    f->ip_version = (uint8_t)r->ip_version;
    f->proto = r->method == LOCATE_DNS_UDP ? IPPROTO_NUM_UDP : IPPROTO_NUM_TCP;
    memcpy(f->src_ip, r->target, 16);
    memcpy(f->dst_ip, st->local, 16);
    f->sport = r->port;
    for (unsigned i = 0; h && i < h->ntries; i++) {
        const struct locate_try *t = &h->tries[i];
        if (!t->forged)
            continue;
        if (!f->dport)
            f->dport = t->sport;
        if (t->forged_frame)
            finding_add_frame(f, FRAME_REF(0, t->forged_frame), 1);
    }
    format_ip(target, r->ip_version, r->target);
    if (pl->has_router)
        format_ip(router, r->ip_version, pl->router);
    if (pl->has_before)
        format_ip(before, r->ip_version, pl->before);
    if (pl->has_after)
        format_ip(after, r->ip_version, pl->after);
    char where[200];
    if (pl->has_router)
        snprintf(where, sizeof where, "at hop %u (%s)", pl->hop, router);
    else
        snprintf(where, sizeof where, "at hop %u (a router that sends no time-exceeded)", pl->hop);
    snprintf(f->summary, sizeof f->summary,
             "A forged %s answer in the name of %s comes back once the request lives %u hop%s: the "
             "forger "
             "sits %s or on the link before it, after %s; forged in %u of %u tries there and "
             "at %u of %u later hops.",
             r->method == LOCATE_HTTP ? "HTTP" : "DNS", target, pl->hop, pl->hop == 1 ? "" : "s",
             where, pl->has_before ? before : "this host", pl->forged_tries, pl->tries,
             pl->later_hops_forged, pl->later_hops);
    finding_evidence_str(f, "method", locate_method_name(r->method));
    finding_evidence_int(f, "hop", pl->hop);
    finding_evidence_str(f, "router", router);
    finding_evidence_str(f, "router_before", before);
    finding_evidence_str(f, "router_after", after);
    finding_evidence_int(f, "forged_tries", pl->forged_tries);
    finding_evidence_int(f, "tries", pl->tries);
    finding_evidence_int(f, "later_hops", pl->later_hops);
    finding_evidence_int(f, "later_hops_forged", pl->later_hops_forged);
    finding_evidence_int(f, "forged_ttl", pl->forged_ttl);
    finding_evidence_int(f, "target_hops", pl->target_hops);
    finding_evidence_bool(f, "multipath", pl->multipath);
}

/* ---- the run ---- */

static void dry_run(const struct locate_state *st, const char *iface)
{
    const struct locate_options *o = st->o;
    const struct locate_result *r = st->r;
    char ip[46];
    format_ip(ip, r->ip_version, r->target);
    const char *proto = r->method == LOCATE_DNS_UDP ? "udp" : "tcp";
    unsigned most = (1 + o->max_ttl) * o->tries;
    printf("locate would send, to %s %s port %u only, from %s:\n", ip, proto, r->port, iface);
    printf("  baseline: %u %s with the system's TTL\n", o->tries,
           r->method == LOCATE_DNS_UDP ? "queries" : "connections");
    printf("  then TTL 1 to %u, %u tries each, until the target answers:\n    %s\n", o->max_ttl,
           o->tries,
           r->method == LOCATE_DNS_UDP ? "the query's TTL limited"
                                       : "the handshake at full TTL, the request segment's TTL "
                                         "limited, an RST to end each");
    printf("  at most %u attempts, one at a time, %u ms apart, each waiting at most %u ms\n", most,
           o->wait_ms, o->timeout_ms);
    printf("  request (%zu bytes):\n", st->request_len);
    if (r->method == LOCATE_HTTP) {
        const char *p = (const char *)st->request;
        while (*p && strncmp(p, "\r\n", 2)) {
            const char *e = strstr(p, "\r\n");
            printf("    %.*s\n", (int)(e - p), p);
            p = e + 2;
        }
    } else {
        printf("    DNS query, %s %s, recursion desired%s\n", st->af == AF_INET6 ? "AAAA" : "A",
               o->qname, r->method == LOCATE_DNS_TCP ? ", over TCP" : "");
    }
}

static int setup(struct locate_state *st, struct locate_result *r, const struct locate_options *o)
{
    r->max_ttl = o->max_ttl;
    r->tries = o->tries;
    r->wait_ms = o->wait_ms;
    r->timeout_ms = o->timeout_ms;
    r->method = o->method;
    r->url = o->url;
    r->qname = o->qname;
    if (o->method == LOCATE_HTTP) {
        if (!parse_url(st, o->url))
            return 0;
        build_http(st);
        if (!st->request_len) {
            fprintf(stderr, "secondsight: --url is too long for one request\n");
            return 0;
        }
        return 1;
    }
    if (!parse_hostport(o->server, strlen(o->server), 53, st)) {
        fprintf(stderr,
                "secondsight: --server wants ADDR[:PORT] with an IP address, not "
                "'%s'\n",
                o->server);
        return 0;
    }
    if (!build_dns(st, o->qname, o->method == LOCATE_DNS_TCP)) {
        fprintf(stderr, "secondsight: --dns wants a domain name, not '%s'\n", o->qname);
        return 0;
    }
    return 1;
}

static void pause_ms(struct locate_state *st, unsigned ms)
{
    capture_until(st, mono_ns() + (int64_t)ms * 1000000, -1);
}

static int sweep(struct locate_state *st)
{
    const struct locate_options *o = st->o;
    struct locate_result *r = st->r;
    for (unsigned i = 0; i < o->tries; i++) {
        if (i)
            pause_ms(st, o->wait_ms);
        if (!attempt(st, &r->baseline.tries[r->baseline.ntries++], 0))
            return 0;
    }
    int answered = 0;
    for (unsigned i = 0; i < r->baseline.ntries; i++)
        answered |= r->baseline.tries[i].answered;
    if (!answered) {
        char ip[46];
        format_ip(ip, r->ip_version, r->target);
        fprintf(stderr,
                "secondsight: %s port %u did not answer the baseline request in %u "
                "tries: nothing to compare the TTL-limited ones with\n",
                ip, r->port, o->tries);
        return 0;
    }
    for (unsigned ttl = 1; ttl <= o->max_ttl; ttl++) {
        struct locate_hop *h = &r->hops[r->nhops++];
        h->ttl = (uint8_t)ttl;
        for (unsigned i = 0; i < o->tries; i++) {
            pause_ms(st, o->wait_ms);
            if (!attempt(st, &h->tries[h->ntries++], (int)ttl))
                return 0;
        }
        if (target_reached(h))
            break;
    }
    pause_ms(st, LOCATE_SETTLE_MS); /* late copies of the last attempt */
    return 1;
}

static int report(struct locate_state *st)
{
    const struct locate_options *o = st->o;
    struct locate_result *r = st->r;
    struct run_stats rs;
    memset(&rs, 0, sizeof rs);
    st->fs.path = o->write ? o->write : r->interface;
    rs.files = &st->fs;
    rs.nfiles = 1;
    struct output out;
    output_init(&out, o->out, o->format, o->color, o->sensor, &rs);
    int ok = 1;
    unsigned found = 0;
    for (unsigned i = 0; i < st->nfindings; i++)
        if (baseline_finding(st, &st->findings[i])) {
            ok &= output_finding(&out, &st->findings[i]);
            found++;
        }
    r->baseline_findings = found;
    if (st->findings_lost)
        fprintf(stderr, "secondsight: %llu findings beyond the first %u were not judged\n",
                (unsigned long long)st->findings_lost, LOCATE_MAX_FINDINGS);
    if (r->place.located) {
        struct finding f;
        located_finding(st, &f);
        ok &= output_finding(&out, &f);
        found++;
    }
    ok &= output_locate(&out, r);
    output_release(&out);
    if (!ok) {
        fprintf(stderr, "secondsight: cannot write %s: %s\n", o->out_name, strerror(errno));
        return EXIT_TROUBLE;
    }
    return found ? EXIT_FINDINGS : EXIT_CLEAN;
}

int locate_run(const struct locate_options *o)
{
    struct locate_state st;
    struct locate_result *r = calloc(1, sizeof *r);
    char iface[64];
    memset(&st, 0, sizeof st);
    st.o = o;
    st.r = r;
    int status = EXIT_TROUBLE;
    if (!r)
        return EXIT_TROUBLE;
    if (!setup(&st, r, o) || !find_route(&st, iface, sizeof iface))
        goto out;
    r->interface = iface;
    if (o->dry_run) {
        dry_run(&st, iface);
        status = fflush(stdout) == 0 ? EXIT_CLEAN : EXIT_TROUBLE;
        goto out;
    }
    if (!drop_privileges(r) || !open_capture(&st, iface))
        goto out;
    if (o->write && !(st.dump = pcap_dump_open(st.pcap, o->write))) {
        fprintf(stderr, "secondsight: cannot write %s: %s\n", o->write, pcap_geterr(st.pcap));
        goto out;
    }
    struct pipeline_config pc = {0, {1024, 16u << 20, TCP_WINDOW_DEFAULT, TCP_GRACE_DEFAULT}};
    st.sink.emit = collect;
    st.sink.ctx = &st;
    st.cap_attempts = (1 + o->max_ttl) * o->tries;
    st.attempts = calloc(st.cap_attempts, sizeof *st.attempts);
    st.findings = calloc(LOCATE_MAX_FINDINGS, sizeof *st.findings);
    if (!st.attempts || !st.findings || !pipeline_init(&st.pl, &pc, &st.sink)) {
        fprintf(stderr, "secondsight: out of memory\n");
        goto out;
    }
    struct timespec now;
    clock_gettime(CLOCK_REALTIME, &now);
    r->start_ns = (int64_t)now.tv_sec * 1000000000 + now.tv_nsec;
    if (sweep(&st)) {
        pipeline_finish(&st.pl);
        judge(&st);
        locate_place(r->hops, r->nhops, r->ip_version, r->target, &r->place);
        status = report(&st);
    }
out:
    if (st.pl.flows)
        pipeline_release(&st.pl);
    if (st.dump)
        pcap_dump_close(st.dump);
    if (st.pcap)
        pcap_close(st.pcap);
    free(st.attempts);
    free(st.findings);
    free(r);
    return status;
}
