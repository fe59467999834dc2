/* secondsight - where a TTL sweep places the forger: the first TTL whose request drew a
 * forged answer, the routers that answered around it, and how steady the answer was. */
#include "locate.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

const char *locate_method_name(enum locate_method m)
{
    return m == LOCATE_HTTP ? "http" : m == LOCATE_DNS_UDP ? "dns_udp" : "dns_tcp";
}

int locate_hop_router(const struct locate_hop *h, uint8_t out[16], int *several)
{
    unsigned best = 0;
    *several = 0;
    for (unsigned i = 0; i < h->ntries; i++) {
        const struct locate_try *t = &h->tries[i];
        if (!t->has_router)
            continue;
        unsigned n = 0;
        for (unsigned k = 0; k < h->ntries; k++)
            n += h->tries[k].has_router && !memcmp(h->tries[k].router, t->router, 16);
        if (best && memcmp(out, t->router, 16))
            *several = 1;
        if (n > best) {
            best = n;
            memcpy(out, t->router, 16);
        }
    }
    return best > 0;
}

static int hop_forged(const struct locate_hop *h, unsigned *forged, int *ttl)
{
    unsigned n = 0;
    for (unsigned i = 0; i < h->ntries; i++)
        if (h->tries[i].forged) {
            if (!n && ttl)
                *ttl = h->tries[i].forged_ttl;
            n++;
        }
    if (forged)
        *forged = n;
    return n > 0;
}

static int hop_reached(const struct locate_hop *h)
{
    for (unsigned i = 0; i < h->ntries; i++)
        if (h->tries[i].reached)
            return 1;
    return 0;
}

void locate_place(const struct locate_hop *hops, unsigned n, int ip_version,
                  const uint8_t target[16], struct locate_place *out)
{
    (void)ip_version;
    memset(out, 0, sizeof *out);
    out->forged_ttl = -1;
    out->target_hops = -1;
    int several;
    uint8_t scratch[16];
    for (unsigned i = 0; i < n; i++) {
        if (locate_hop_router(&hops[i], scratch, &several) && several)
            out->multipath = 1;
        if (out->target_hops < 0 && hop_reached(&hops[i]))
            out->target_hops = hops[i].ttl;
    }
    unsigned at = n;
    for (unsigned i = 0; i < n; i++)
        if (hop_forged(&hops[i], NULL, NULL)) {
            at = i;
            break;
        }
    if (at == n)
        return;
    out->located = 1;
    out->hop = hops[at].ttl;
    out->tries = hops[at].ntries;
    hop_forged(&hops[at], &out->forged_tries, &out->forged_ttl);
    out->has_router = locate_hop_router(&hops[at], out->router, &several);
    /* A hop whose router stayed silent is skipped: the forger sits somewhere between
     * the nearest routers that did answer. */
    for (unsigned i = at; i-- > 0;)
        if (locate_hop_router(&hops[i], out->before, &several)) {
            out->has_before = 1;
            out->before_hop = hops[i].ttl;
            break;
        }
    for (unsigned i = at + 1; i < n; i++) {
        if (locate_hop_router(&hops[i], out->after, &several)) {
            out->has_after = 1;
            out->after_hop = hops[i].ttl;
            break;
        }
        if (hop_reached(&hops[i])) {
            memcpy(out->after, target, 16);
            out->has_after = 1;
            out->after_hop = hops[i].ttl;
            break;
        }
    }
    for (unsigned i = at + 1; i < n; i++) {
        out->later_hops++;
        out->later_hops_forged += hop_forged(&hops[i], NULL, NULL);
    }
}

/* Formats an address of the result's family (IPv4 in the first 4 bytes). */
static void format_addr(char buf[46], int ip_version, const uint8_t *a)
{
    if (ip_version == 4)
        snprintf(buf, 46, "%u.%u.%u.%u", a[0], a[1], a[2], a[3]);
    else
        inet_ntop(AF_INET6, a, buf, 46);
}

const char *locate_summary(const struct locate_result *r, char *buf, size_t size)
{
    const struct locate_place *pl = &r->place;
    if (!pl->located) {
        snprintf(buf, size, "no injection observed in %u tries", r->attempts);
        return buf;
    }
    char router[46] = "?", before[46] = "this host", after[46] = "?", b[64] = "", a[64] = "";
    if (pl->has_router)
        format_addr(router, r->ip_version, pl->router);
    if (pl->has_before) {
        format_addr(before, r->ip_version, pl->before);
        snprintf(b, sizeof b, " (hop %u)", pl->before_hop);
    }
    if (pl->has_after) {
        format_addr(after, r->ip_version, pl->after);
        snprintf(a, sizeof a, " (hop %u)", pl->after_hop);
    }
    snprintf(buf, size,
             "forger at hop %u (%s), between %s%s and %s%s: forged in %u of %u tries "
             "there, and at %u of %u later hops",
             pl->hop, pl->has_router ? router : "no time-exceeded", before, b, after, a,
             pl->forged_tries, pl->tries, pl->later_hops_forged, pl->later_hops);
    return buf;
}
