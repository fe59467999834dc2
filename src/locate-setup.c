/* secondsight - `locate` getting ready (locate-setup.h): the target and the request
 * from the options, the route to it, the privileges kept (CAP_NET_RAW only) and the
 * capture handle; --dry-run stops after this and says what would be sent. Nothing is
 * sent from here. */
#include "locate-setup.h"
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#ifdef __linux__
#include <linux/capability.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#endif

#include "output-format.h"
#include "run.h"

#define CAP_NET_RAW_BIT 13 /* linux/capability.h CAP_NET_RAW */

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
int locate_find_route(struct locate_state *st, char *iface, size_t iface_len)
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
int locate_drop_privileges(struct locate_result *r)
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

int locate_open_capture(struct locate_state *st, const char *iface)
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

void locate_dry_run(const struct locate_state *st, const char *iface)
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

int locate_setup(struct locate_state *st, struct locate_result *r, const struct locate_options *o)
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
