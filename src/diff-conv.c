/* secondsight diff - conversations: a table per capture side keyed by the 5-tuple,
 * an inside and an outside conversation merged into one when their packets match
 * (the NAT mapping), with per direction the side it enters the device by and the TCP
 * sequence offsets a firewall may add; the device's own MACs and addresses (ARP,
 * neighbour discovery, NAT) on each side. Idle conversations close (a device_flow
 * record for those with findings); the least recently used leaves at the cap. */
#include "diff-int.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include <pcap/dlt.h>

#include "capture.h"
#include "config.h"
#include "diff.h"
#include "util-hash.h"

static int ends_eq(const struct ends *a, const struct ends *b)
{
    return !memcmp(a->src, b->src, 16) && !memcmp(a->dst, b->dst, 16) && a->sport == b->sport &&
           a->dport == b->dport;
}

static struct ends ends_reverse(const struct ends *e)
{
    struct ends r;
    memcpy(r.src, e->dst, 16);
    memcpy(r.dst, e->src, 16);
    r.sport = e->dport;
    r.dport = e->sport;
    return r;
}

/* A conversation's ends: addresses and ports; an ICMP echo's identifier stands for
 * both ports, so each ping session is a conversation whose NAT mapping (a rewritten
 * identifier) is learnt like a port's. */
static struct ends ends_of(const struct summary *s)
{
    struct ends e;
    memcpy(e.src, s->src, 16);
    memcpy(e.dst, s->dst, 16);
    e.sport = s->sport;
    e.dport = s->dport;
    if (s->l4_ok && diff_icmp_echo(s))
        e.sport = e.dport = s->echo_id;
    return e;
}

/* Hash of a conversation on one side, the same for both directions. */
static uint64_t ends_hash(const struct diff *d, uint8_t v, uint8_t proto, const struct ends *e)
{
    struct ends r = ends_reverse(e);
    const struct ends *lo = memcmp(e, &r, sizeof r) <= 0 ? e : &r;
    uint8_t buf[2 + sizeof *lo];
    buf[0] = v;
    buf[1] = proto;
    memcpy(buf + 2, lo, sizeof *lo);
    return siphash13(d->key, buf, sizeof buf);
}

int diff_mac_known(const struct diff *d, int side, const uint8_t *mac)
{
    for (uint32_t i = 0; i < d->nmacs[side]; i++)
        if (!memcmp(d->macs[side][i], mac, 6))
            return 1;
    return 0;
}

void diff_mac_learn(struct diff *d, int side, const uint8_t *mac)
{
    if (!diff_mac_known(d, side, mac) && d->nmacs[side] < DIFF_MAX_MACS)
        memcpy(d->macs[side][d->nmacs[side]++], mac, 6);
}

static int addr_in(const struct addr *list, uint32_t n, uint8_t v, const uint8_t *ip)
{
    for (uint32_t i = 0; i < n; i++)
        if (list[i].v == v && !memcmp(list[i].ip, ip, v == 4 ? 4 : 16))
            return 1;
    return 0;
}

static void addr_learn(struct diff *d, int side, uint8_t v, const uint8_t *ip)
{
    if (addr_in(d->addrs[side], d->naddrs[side], v, ip) || d->naddrs[side] == DIFF_MAX_ADDRS)
        return;
    struct addr *a = &d->addrs[side][d->naddrs[side]++];
    memset(a, 0, sizeof *a);
    a->v = v;
    memcpy(a->ip, ip, 16);
}

/* The device's own addresses on a side: those it announced with ARP or neighbour
 * discovery from one of its MACs, and the addresses its NAT put on the outside. */
int diff_device_addr(const struct diff *d, int side, uint8_t v, const uint8_t *ip)
{
    if (addr_in(d->addrs[side], d->naddrs[side], v, ip))
        return 1;
    for (uint32_t i = 0; i < d->narp[side]; i++)
        if (diff_mac_known(d, side, d->arp[side][i].mac) && addr_in(&d->arp[side][i].a, 1, v, ip))
            return 1;
    return 0;
}

static void arp_learn(struct diff *d, int side, const uint8_t *mac, uint8_t v, const uint8_t *ip)
{
    for (uint32_t i = 0; i < d->narp[side]; i++)
        if (!memcmp(d->arp[side][i].mac, mac, 6) && addr_in(&d->arp[side][i].a, 1, v, ip))
            return;
    if (d->narp[side] == DIFF_MAX_ADDRS)
        return;
    uint32_t i = d->narp[side]++;
    memcpy(d->arp[side][i].mac, mac, 6);
    memset(&d->arp[side][i].a, 0, sizeof d->arp[side][i].a);
    d->arp[side][i].a.v = v;
    memcpy(d->arp[side][i].a.ip, ip, v == 4 ? 4 : 16);
}

void diff_note_link(struct diff *d, int side, const struct packet *pkt, const struct summary *s)
{
    /* ARP (Ethernet/IPv4): the sender's MAC and address, to know the device's own. */
    if (pkt->linktype == DLT_EN10MB && pkt->caplen >= 14 + 28 && pkt->data[12] == 0x08 &&
        pkt->data[13] == 0x06) {
        const uint8_t *a = pkt->data + 14;
        if (a[0] == 0 && a[1] == 1 && a[2] == 8 && a[3] == 0 && a[4] == 6 && a[5] == 4) {
            uint8_t ip[16] = {0};
            memcpy(ip, a + 14, 4);
            arp_learn(d, side, a + 8, 4, ip);
        }
    }
    /* IPv6 neighbour and router advertisements name their sender too. */
    if (s->v == 6 && s->has_mac && s->proto == IPPROTO_NUM_ICMPV6 && s->l4_ok &&
        (s->icmp_type == 134 || s->icmp_type == 136))
        arp_learn(d, side, s->mac_src, 6, s->src);
}

static void lru_unlink(struct diff *d, uint32_t i)
{
    struct conv *c = &d->convs[i];
    if (c->lru_prev != NONE)
        d->convs[c->lru_prev].lru_next = c->lru_next;
    else
        d->lru_head = c->lru_next;
    if (c->lru_next != NONE)
        d->convs[c->lru_next].lru_prev = c->lru_prev;
    else
        d->lru_tail = c->lru_prev;
    c->lru_prev = c->lru_next = NONE;
}

static void lru_append(struct diff *d, uint32_t i)
{
    struct conv *c = &d->convs[i];
    c->lru_prev = d->lru_tail;
    c->lru_next = NONE;
    if (d->lru_tail != NONE)
        d->convs[d->lru_tail].lru_next = i;
    else
        d->lru_head = i;
    d->lru_tail = i;
}

static void cidx_link(struct diff *d, int side, uint32_t i)
{
    struct conv *c = &d->convs[i];
    uint32_t b = (uint32_t)ends_hash(d, c->v, c->proto, &c->t[side]) & d->cmask;
    c->next[side] = d->cidx[side][b];
    d->cidx[side][b] = i;
}

static void cidx_unlink(struct diff *d, int side, uint32_t i)
{
    struct conv *c = &d->convs[i];
    uint32_t b = (uint32_t)ends_hash(d, c->v, c->proto, &c->t[side]) & d->cmask;
    for (uint32_t *p = &d->cidx[side][b]; *p != NONE; p = &d->convs[*p].next[side])
        if (*p == i) {
            *p = c->next[side];
            return;
        }
}

static int conv_tampered(const struct conv *c)
{
    return c->mod[0] + c->mod[1] + c->inj[0] + c->inj[1] + c->drop[0] + c->drop[1] > 0;
}

static void write_device_flow(struct diff *d, const struct conv *c)
{
    struct device_flow df;
    memset(&df, 0, sizeof df);
    df.first_ns = c->first_ns;
    df.last_ns = c->last_ns;
    df.ip_version = c->v;
    df.proto = c->proto;
    /* named as seen inside, or outside when it was only seen there */
    int side = c->has[DIFF_INSIDE] ? DIFF_INSIDE : DIFF_OUTSIDE;
    memcpy(df.src_ip, c->t[side].src, 16);
    memcpy(df.dst_ip, c->t[side].dst, 16);
    df.sport = c->t[side].sport;
    df.dport = c->t[side].dport;
    if (c->has[DIFF_INSIDE] && c->has[DIFF_OUTSIDE]) {
        df.has_outside = 1;
        memcpy(df.out_src_ip, c->t[DIFF_OUTSIDE].src, 16);
        memcpy(df.out_dst_ip, c->t[DIFF_OUTSIDE].dst, 16);
        df.out_sport = c->t[DIFF_OUTSIDE].sport;
        df.out_dport = c->t[DIFF_OUTSIDE].dport;
    }
    memcpy(df.forwarded, c->fwd, sizeof df.forwarded);
    memcpy(df.modified, c->mod, sizeof df.modified);
    memcpy(df.injected, c->inj, sizeof df.injected);
    memcpy(df.dropped, c->drop, sizeof df.dropped);
    if (c->proto == IPPROTO_NUM_ICMP || c->proto == IPPROTO_NUM_ICMPV6) /* no ports */
        df.sport = df.dport = df.out_sport = df.out_dport = 0;
    if (!output_device_flow(&d->out, &df))
        d->write_failed = 1;
}

void diff_conv_free(struct diff *d, uint32_t i)
{
    struct conv *c = &d->convs[i];
    if (conv_tampered(c)) {
        d->ds.convs_tampered++;
        write_device_flow(d, c);
    }
    for (int side = 0; side < SIDES; side++)
        if (c->has[side])
            cidx_unlink(d, side, i);
    lru_unlink(d, i);
    c->used = 0;
    c->gen++;
    c->next[0] = d->cfree;
    d->cfree = i;
    d->ccount--;
}

/* Closes conversations idle for DIFF_CONV_TIMEOUT (at most a few per packet). */
void diff_conv_expire(struct diff *d, int64_t now)
{
    for (int n = 0; n < 4 && d->lru_head != NONE; n++) {
        struct conv *c = &d->convs[d->lru_head];
        if (now - c->last_ns < (int64_t)DIFF_CONV_TIMEOUT * 1000000000LL)
            return;
        diff_flush_findings(d, INT64_MAX);
        d->conv_stats.expired++;
        diff_conv_free(d, d->lru_head);
    }
}

static uint32_t conv_find(const struct diff *d, int side, uint8_t v, uint8_t proto,
                          const struct ends *e, uint8_t *dir)
{
    uint32_t b = (uint32_t)ends_hash(d, v, proto, e) & d->cmask;
    struct ends r = ends_reverse(e);
    for (uint32_t i = d->cidx[side][b]; i != NONE; i = d->convs[i].next[side]) {
        const struct conv *c = &d->convs[i];
        if (c->v != v || c->proto != proto)
            continue;
        if (ends_eq(&c->t[side], e)) {
            *dir = 0;
            return i;
        }
        if (ends_eq(&c->t[side], &r)) {
            *dir = 1;
            return i;
        }
    }
    return NONE;
}

/* The packet's conversation on its side, made when new (for --nat none it is known on
 * both sides at once). */
uint32_t diff_conv_get(struct diff *d, int side, const struct summary *s, int64_t now, uint8_t *dir)
{
    struct ends e = ends_of(s);
    uint32_t i = conv_find(d, side, s->v, s->proto, &e, dir);
    if (i != NONE) {
        struct conv *c = &d->convs[i];
        c->last_ns = now;
        lru_unlink(d, i);
        lru_append(d, i);
        return i;
    }
    if (d->ccount == d->ccap) {
        diff_flush_findings(d, INT64_MAX);
        d->conv_stats.evicted_count++;
        d->ds.convs_evicted++;
        diff_conv_free(d, d->lru_head);
    }
    /* Fresh records first, so memory is touched as it is needed. */
    i = d->cfree != NONE ? d->cfree : d->cused++;
    struct conv *c = &d->convs[i];
    if (i == d->cfree)
        d->cfree = c->next[0];
    uint32_t gen = c->gen;
    memset(c, 0, sizeof *c);
    c->gen = gen;
    c->used = 1;
    c->v = s->v;
    c->proto = s->proto;
    c->first_ns = c->last_ns = now;
    c->ingress[0] = c->ingress[1] = -1;
    c->lru_prev = c->lru_next = NONE;
    for (int k = 0; k < SIDES; k++) {
        if (k != side && d->o->nat)
            continue;
        c->has[k] = 1;
        c->t[k] = e;
        cidx_link(d, k, i);
    }
    lru_append(d, i);
    d->ccount++;
    d->ds.convs++;
    d->conv_stats.created++;
    if (d->ccount > d->conv_stats.active_peak)
        d->conv_stats.active_peak = d->ccount;
    *dir = 0;
    return i;
}

struct conv *diff_conv_at(struct diff *d, uint32_t i, uint32_t gen)
{
    return i != NONE && d->convs[i].used && d->convs[i].gen == gen ? &d->convs[i] : NULL;
}

/* Outside conversation `b` turns out to be inside conversation `a` (their packets
 * matched): one conversation from now on. `same` says whether their direction 0 is
 * the same direction. */
static void conv_merge(struct diff *d, uint32_t a, uint32_t b, int same)
{
    struct conv *ca = &d->convs[a], *cb = &d->convs[b];
    uint32_t bgen = cb->gen;
    struct ends out = same ? cb->t[DIFF_OUTSIDE] : ends_reverse(&cb->t[DIFF_OUTSIDE]);
    for (int k = 0; k < 2; k++) {
        ca->fwd[k] += cb->fwd[k];
        ca->mod[k] += cb->mod[k];
        ca->inj[k] += cb->inj[k];
        ca->drop[k] += cb->drop[k];
        cb->fwd[k] = cb->mod[k] = cb->inj[k] = cb->drop[k] = 0;
    }
    if (cb->first_ns < ca->first_ns)
        ca->first_ns = cb->first_ns;
    diff_conv_free(d, b);
    d->ds.convs--; /* one conversation, seen from both sides */
    d->conv_stats.created--;
    ca->has[DIFF_OUTSIDE] = 1;
    ca->t[DIFF_OUTSIDE] = out;
    cidx_link(d, DIFF_OUTSIDE, a);
    /* The outside address that stands for an inside host is the device's (NAT). */
    const struct ends *in = &ca->t[DIFF_INSIDE];
    if (memcmp(in->src, out.src, 16))
        addr_learn(d, DIFF_OUTSIDE, ca->v, out.src);
    if (memcmp(in->dst, out.dst, 16))
        addr_learn(d, DIFF_OUTSIDE, ca->v, out.dst);
    /* The packets of both still waiting: one conversation, keyed anew. */
    diff_rekey(d, b, bgen, a, !same);
    diff_rekey(d, a, ca->gen, a, 0);
}

uint32_t diff_conv_learn(struct diff *d, const struct copy *first, const struct copy *second,
                         uint8_t *dir)
{
    int in_side = first->side;
    const struct copy *in = first->side == DIFF_INSIDE ? first : second;
    const struct copy *out = in == first ? second : first;
    if (first->s->has_mac)
        diff_mac_learn(d, in_side, first->s->mac_dst);
    if (second->s->has_mac)
        diff_mac_learn(d, !in_side, second->s->mac_src);
    uint32_t cin = diff_conv_at(d, in->conv, in->gen) ? in->conv : NONE;
    uint32_t cout = diff_conv_at(d, out->conv, out->gen) ? out->conv : NONE;
    uint8_t din = in->dir, dout = out->dir;
    if (cin != NONE && cout != NONE && cin != cout && !d->convs[cin].has[DIFF_OUTSIDE] &&
        !d->convs[cout].has[DIFF_INSIDE])
        conv_merge(d, cin, cout, din == dout);
    if (cin == NONE) {
        cin = cout;
        din = dout;
    }
    *dir = din;
    if (cin == NONE)
        return NONE;
    struct conv *c = &d->convs[cin];
    if (c->ingress[din] < 0)
        c->ingress[din] = (int8_t)in_side;
    c->mapped = c->has[DIFF_INSIDE] && c->has[DIFF_OUTSIDE];
    /* TCP sequence offsets (firewalls that randomise initial sequence numbers): from
     * the handshake, where the keys leave the numbers out, or from data matched by
     * its content on a connection captured mid-stream. */
    const struct summary *si = in->s, *so = out->s;
    if (si->proto == IPPROTO_NUM_TCP && si->l4_ok && so->l4_ok && c->has[DIFF_OUTSIDE]) {
        int syn = (si->flags & TH_SYN) != 0;
        uint32_t off = so->seq - si->seq;
        int learnt = 0;
        if ((syn || !c->has_off[din]) && off != c->off[din]) {
            c->off[din] = off;
            d->ds.rewrite_seq++;
            learnt = 1;
        }
        c->has_off[din] = 1;
        if (!syn && !c->has_off[!din] && (si->flags & so->flags & TH_ACK)) {
            uint32_t aoff = so->ack - si->ack;
            if (aoff != c->off[!din]) {
                c->off[!din] = aoff;
                d->ds.rewrite_seq++;
                learnt = 1;
            }
            c->has_off[!din] = 1;
        }
        if (learnt)
            diff_rekey(d, cin, c->gen, cin, 0);
    }
    return cin;
}
