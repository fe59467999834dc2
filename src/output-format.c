/* secondsight - formatting helpers every output shares: timestamps, addresses,
 * protocol and link-type names, TCP flags, diff's verdict. */
#include "output-format.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include <arpa/inet.h>
#include <pcap/pcap.h>

/* Packet time as "YYYY-MM-DDTHH:MM:SS.uuuuuu" followed by `zone`. */
static void format_time_zone(char *buf, size_t size, int64_t ts_ns, const char *zone)
{
    int64_t sec = ts_ns / 1000000000;
    int64_t ns = ts_ns % 1000000000;
    if (ns < 0) {
        ns += 1000000000;
        sec--;
    }
    time_t t = (time_t)sec;
    struct tm tm;
    if (!gmtime_r(&t, &tm)) {
        snprintf(buf, size, "invalid-time");
        return;
    }
    char head[24];
    strftime(head, sizeof head, "%Y-%m-%dT%H:%M:%S", &tm);
    snprintf(buf, size, "%s.%06d%s", head, (int)(ns / 1000), zone);
}

void format_timestamp(char buf[32], int64_t ts_ns)
{
    format_time_zone(buf, 32, ts_ns, "Z");
}

void format_timestamp_eve(char buf[40], int64_t ts_ns)
{
    format_time_zone(buf, 40, ts_ns, "+0000");
}

void format_ip(char buf[46], int ip_version, const uint8_t *addr)
{
    if (!inet_ntop(ip_version == 4 ? AF_INET : AF_INET6, addr, buf, 46))
        snprintf(buf, 46, "?");
}

const char *proto_name(uint8_t proto)
{
    switch (proto) {
    case IPPROTO_NUM_TCP:
        return "tcp";
    case IPPROTO_NUM_UDP:
        return "udp";
    case IPPROTO_NUM_ICMP:
        return "icmp";
    case IPPROTO_NUM_ICMPV6:
        return "ipv6-icmp";
    default:
        return "ip";
    }
}

const char *linktype_name(int linktype)
{
    static char numbered[24];
    if (linktype < 0)
        return "unknown";
    const char *n = pcap_datalink_val_to_name(linktype);
    if (n)
        return n;
    snprintf(numbered, sizeof numbered, "DLT_%d", linktype);
    return numbered;
}

const char *file_linktype_names(const struct file_stats *fs, char buf[FILE_LINKTYPE_NAMES])
{
    snprintf(buf, FILE_LINKTYPE_NAMES, "%s", linktype_name(fs->linktype));
    for (unsigned i = 0; i < fs->nother_linktypes && i < FILE_OTHER_LINKTYPES; i++) {
        size_t n = strlen(buf);
        snprintf(buf + n, FILE_LINKTYPE_NAMES - n, ",%s", linktype_name(fs->other_linktypes[i]));
    }
    return buf;
}

/* TCP flags as tcpdump writes them: S F R P . (ACK) U E W. */
void format_tcp_flags(char buf[12], uint8_t flags)
{
    static const struct {
        uint8_t bit;
        char c;
    } names[] = {{TH_SYN, 'S'}, {TH_FIN, 'F'}, {TH_RST, 'R'}, {TH_PSH, 'P'},
                 {TH_ACK, '.'}, {TH_URG, 'U'}, {TH_ECE, 'E'}, {TH_CWR, 'W'}};
    size_t n = 0;
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (flags & names[i].bit)
            buf[n++] = names[i].c;
    buf[n] = '\0';
}

const char *diff_verdict(const struct diff_stats *d)
{
    uint64_t bad = 0, crossed = 0;
    for (int k = 0; k < 2; k++) {
        bad += d->modified[k] + d->injected[k] + d->dropped[k];
        crossed += d->forwarded[k];
    }
    if (bad > d->uncertain)
        return "tampered";
    if (bad || !crossed || d->unattributed[0] || d->unattributed[1] || d->pending_evicted ||
        d->capture_drops[0] || d->capture_drops[1])
        return "inconclusive";
    return "clean";
}
