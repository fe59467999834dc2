/* secondsight diff - what a packet is, its keys, the packets waiting for their
 * counterpart on the other side, and a matched pair compared.
 *
 * A packet's counterpart is found by two keys that leave out what forwarding may
 * change. The strong key: IP version and protocol, TCP sequence and acknowledgement
 * numbers in the inside numbering (a SYN's options and window instead), ICMP echo
 * sequence, the quoted packet of an ICMP error, and the content (flags, length on the
 * wire, every kept byte). Addresses, ports, TTL, checksums and the IPv4 identification
 * are not in it: NATs rewrite them. The weak key pairs a changed copy with its
 * original by a protocol key within one direction of a conversation (diff_packet_keys).
 * Of several candidates the nearest in time is taken. */
#include "diff-int.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <pcap/dlt.h>

#include "config.h"
#include "util-hash.h"
#include "util-strlist.h"

/* Traffic of the link itself or of the device's control plane: never forwarded as it
 * is, so never called dropped or injected. */
static int link_local(const struct packet *pkt)
{
    const uint8_t *s = pkt->ip_src, *t = pkt->ip_dst;
    if (pkt->ip_version == 4) {
        if (t[0] >= 224 || (t[0] == 169 && t[1] == 254) || (s[0] == 169 && s[1] == 254) ||
            (t[0] == 255 && t[1] == 255) || !be32(s))
            return 1;
    } else if (t[0] == 0xff || (s[0] == 0xfe && (s[1] & 0xc0) == 0x80) ||
               (t[0] == 0xfe && (t[1] & 0xc0) == 0x80)) {
        return 1;
    }
    switch (pkt->proto) {
    case 2:   /* IGMP */
    case 89:  /* OSPF */
    case 103: /* PIM */
    case 112: /* VRRP */
        return 1;
    case IPPROTO_NUM_ICMPV6:
        return pkt->l4_ok && pkt->u.icmp.type >= 130 && pkt->u.icmp.type <= 143;
    case IPPROTO_NUM_UDP:
        return pkt->l4_ok && (pkt->dport == 67 || pkt->dport == 68 || pkt->dport == 546 ||
                              pkt->dport == 547 || pkt->dport == 520 || pkt->dport == 521);
    default:
        return 0;
    }
}

/* TCP fields, and the options hashed with what forwarding may rewrite left out: the
 * MSS value (clamping), the SACK edges (compared in the inside numbering), the
 * timestamps (modulated by some firewalls). */
static void summarise_tcp(struct summary *s, const struct packet *pkt)
{
    const struct tcp_view *t = &pkt->u.tcp;
    s->sport = pkt->sport;
    s->dport = pkt->dport;
    s->seq = t->seq;
    s->ack = t->ack;
    s->flags = t->flags;
    s->window = t->window;
    s->urgent = t->urgent;
    s->has_mss = t->has_mss;
    s->mss = t->mss;
    s->has_ts = t->has_ts;
    s->tsval = t->tsval;
    s->tsecr = t->tsecr;
    uint8_t opts[40] = {0};
    uint32_t olen = t->hlen > 20 && pkt->l4_len >= t->hlen ? t->hlen - 20u : 0;
    if (olen > sizeof opts)
        olen = sizeof opts;
    memcpy(opts, pkt->l4 + 20, olen);
    for (uint32_t i = 0; i < olen;) {
        uint8_t kind = opts[i];
        if (kind == TCPOPT_EOL)
            break;
        if (kind == TCPOPT_NOP) {
            i++;
            continue;
        }
        if (i + 1 >= olen || opts[i + 1] < 2 || i + opts[i + 1] > olen)
            break;
        uint32_t len = opts[i + 1];
        if (kind == TCPOPT_MSS && len == 4)
            memset(opts + i + 2, 0, 2);
        if (kind == TCPOPT_TIMESTAMP && len == 10)
            memset(opts + i + 2, 0, 8);
        if (kind == TCPOPT_SACK && len >= 2) {
            for (uint32_t b = i + 2; b + 4 <= i + len; b += 4) {
                if ((b - i - 2) / 4 < 8)
                    s->sack[(b - i - 2) / 4] = be32(opts + b);
                memset(opts + b, 0, 4);
            }
            s->nsack = (uint8_t)((len - 2) / 8 < 4 ? (len - 2) / 8 : 4);
        }
        i += len;
    }
    static const uint64_t k[2] = {1, 2};
    s->opts_hash = siphash13(k, opts, olen);
}

/* The DNS question's bytes (name, type, class) after the 12-byte header, bounded. */
static uint32_t dns_question_len(const uint8_t *p, uint32_t len)
{
    uint32_t i = 12;
    for (int labels = 0; labels < 128 && i < len; labels++) {
        uint8_t l = p[i];
        if (!l)
            return i + 5 <= len ? i + 5 - 12 : 0;
        if (l >= 0xc0)
            return 0; /* no compression in a question */
        i += 1u + l;
    }
    return 0;
}

uint64_t diff_quote_key(const uint64_t key[2], uint8_t v, uint8_t proto, const uint8_t *src,
                        const uint8_t *dst, const uint8_t *l4, uint32_t l4_len)
{
    uint8_t buf[2 + 32 + 8] = {v, proto};
    memcpy(buf + 2, src, 16);
    memcpy(buf + 18, dst, 16);
    if (l4_len >= 8)
        memcpy(buf + 34, l4, 8); /* the ports, and TCP's sequence number */
    return siphash13(key, buf, sizeof buf) | 1;
}

/* An ICMP error's quoted packet: its identity as diff_quote_key gives it. */
static uint64_t quoted_key(const uint64_t key[2], const struct packet *pkt, uint16_t *ipid,
                           uint8_t *qproto)
{
    const uint8_t *q = pkt->payload + 4;
    uint32_t n = pkt->payload_len >= 4 ? pkt->payload_len - 4 : 0;
    uint8_t src[16] = {0}, dst[16] = {0};
    if (n >= 20 && q[0] >> 4 == 4) {
        uint32_t ihl = (q[0] & 15u) * 4u;
        if (ihl < 20 || n < ihl)
            return 0;
        *ipid = (uint16_t)(q[4] << 8 | q[5]);
        *qproto = q[9];
        memcpy(src, q + 12, 4);
        memcpy(dst, q + 16, 4);
        return diff_quote_key(key, 4, q[9], src, dst, q + ihl, n - ihl);
    }
    if (n >= 40 && q[0] >> 4 == 6) {
        *qproto = q[6];
        return diff_quote_key(key, 6, q[6], q + 8, q + 24, q + 40, n - 40);
    }
    return 0;
}

void diff_summarise(struct summary *s, const struct packet *pkt, const uint64_t key[2])
{
    memset(s, 0, sizeof *s);
    if (pkt->linktype == DLT_EN10MB && pkt->caplen >= 14) {
        s->has_mac = 1;
        memcpy(s->mac_dst, pkt->data, 6);
        memcpy(s->mac_src, pkt->data + 6, 6);
    }
    if (!pkt->ip_version)
        return;
    s->v = pkt->ip_version;
    s->proto = pkt->proto;
    s->ttl = pkt->ttl;
    s->tos = pkt->tos;
    s->df = pkt->df;
    s->mf = pkt->mf;
    s->is_frag = pkt->is_fragment;
    s->frag_offset = pkt->frag_offset;
    s->frag_id = pkt->frag_id;
    s->ip_id = pkt->ip_version == 4 ? pkt->ip_id : 0;
    memcpy(s->src, pkt->ip_src, 16);
    memcpy(s->dst, pkt->ip_dst, 16);
    s->l4_ok = pkt->l4_ok && !pkt->is_fragment;
    s->payload_len = pkt->payload_len;
    s->ip_len = pkt->ip_len;
    s->payload_wire_len = pkt->payload_wire_len;
    s->local = (uint8_t)link_local(pkt);
    if (s->l4_ok) {
        switch (pkt->proto) {
        case IPPROTO_NUM_TCP:
            summarise_tcp(s, pkt);
            break;
        case IPPROTO_NUM_UDP:
            s->sport = pkt->sport;
            s->dport = pkt->dport;
            break;
        case IPPROTO_NUM_ICMP:
        case IPPROTO_NUM_ICMPV6:
            s->icmp_type = pkt->u.icmp.type;
            s->icmp_code = pkt->u.icmp.code;
            if (diff_icmp_echo(s) && pkt->payload_len >= 4) {
                s->echo_id = (uint16_t)(pkt->payload[0] << 8 | pkt->payload[1]);
                s->echo_seq = (uint16_t)(pkt->payload[2] << 8 | pkt->payload[3]);
                /* Its twin: the echo of the same kind and sequence in its conversation,
                 * which the identifier names (diff-conv.c: a NAT may rewrite it). */
                s->has_twin = 1;
                s->twin = (uint64_t)(0x100u | s->icmp_type) << 32 | s->echo_seq;
            } else if (diff_icmp_error(s)) {
                s->quote = quoted_key(key, pkt, &s->q_ipid, &s->q_proto);
                s->ptb = (s->proto == IPPROTO_NUM_ICMP && s->icmp_type == 3 && s->icmp_code == 4) ||
                         (s->proto == IPPROTO_NUM_ICMPV6 && s->icmp_type == 2);
                /* the MTU it claims: after type, code and checksum (IPv4: the low half
                 * of the next 4 bytes; IPv6: all 4) */
                if (s->ptb && pkt->payload_len >= 4)
                    s->mtu = s->proto == IPPROTO_NUM_ICMP
                                 ? (uint32_t)(pkt->payload[2] << 8 | pkt->payload[3])
                                 : be32(pkt->payload);
            }
            break;
        default:
            break;
        }
    }
    /* Content: the flags, the length on the wire and every kept byte compared. */
    const uint8_t *p;
    uint32_t len;
    diff_compared_bytes(s, pkt, &p, &len);
    if (len > DIFF_KEEP_BYTES)
        len = DIFF_KEEP_BYTES;
    uint8_t head[8] = {s->flags};
    memcpy(head + 4, &s->payload_wire_len, 4);
    s->content = siphash13(key, head, sizeof head) ^ (len ? siphash13(key, p, len) : 0);
    /* What a DNS message is about: its ID and question, which an answer repeats. */
    if (s->proto == IPPROTO_NUM_UDP && (s->sport == DNS_PORT || s->dport == DNS_PORT) &&
        pkt->payload_len >= 12) {
        uint32_t q = dns_question_len(pkt->payload, pkt->payload_len);
        uint64_t h = q ? siphash13(key, pkt->payload + 12, q) : 0;
        s->twin = (h << 16 | (uint64_t)pkt->payload[0] << 8 | pkt->payload[1]) | 1ull << 63;
        s->has_twin = 1;
    }
}

int diff_icmp_echo(const struct summary *s)
{
    if (s->proto == IPPROTO_NUM_ICMP)
        return s->icmp_type == 0 || s->icmp_type == 8;
    return s->proto == IPPROTO_NUM_ICMPV6 && (s->icmp_type == 128 || s->icmp_type == 129);
}

int diff_icmp_error(const struct summary *s)
{
    if (s->proto == IPPROTO_NUM_ICMP)
        return s->icmp_type == 3 || s->icmp_type == 4 || s->icmp_type == 5 || s->icmp_type == 11 ||
               s->icmp_type == 12;
    return s->proto == IPPROTO_NUM_ICMPV6 && s->icmp_type >= 1 && s->icmp_type <= 4;
}

/* The bytes compared between copies: the transport payload, except for ICMP, whose
 * echo identifier and embedded (NAT-rewritten) headers are left out. */
void diff_compared_bytes(const struct summary *s, const struct packet *pkt, const uint8_t **p,
                         uint32_t *len)
{
    *p = pkt->payload;
    *len = pkt->payload_len;
    if (s->l4_ok && diff_icmp_echo(s)) {
        uint32_t skip = *len < 4 ? *len : 4; /* identifier and sequence: keyed apart */
        *p += skip;
        *len -= skip;
    } else if (s->l4_ok && diff_icmp_error(s)) {
        *len = 0;
    }
}

/* The quoted identity of a packet, as the device's ICMP error about it would carry. */
uint64_t diff_quote_of(const uint64_t key[2], const struct summary *s)
{
    uint8_t l4[8] = {0};
    l4[0] = (uint8_t)(s->sport >> 8);
    l4[1] = (uint8_t)s->sport;
    l4[2] = (uint8_t)(s->dport >> 8);
    l4[3] = (uint8_t)s->dport;
    if (s->proto == IPPROTO_NUM_TCP) {
        l4[4] = (uint8_t)(s->seq >> 24);
        l4[5] = (uint8_t)(s->seq >> 16);
        l4[6] = (uint8_t)(s->seq >> 8);
        l4[7] = (uint8_t)s->seq;
    }
    if (s->proto == IPPROTO_NUM_UDP) /* length and checksum: not kept; keyed as zero */
        return diff_quote_key(key, s->v, s->proto, s->src, s->dst, l4, 4);
    return diff_quote_key(key, s->v, s->proto, s->src, s->dst, l4, 8);
}

/* The packet in the inside numbering of its conversation (offsets learnt so far), and
 * the twin key of a TCP packet: the kind (data, SYN, FIN, RST) and the sequence
 * number. A pure ACK has no twin: it stands for nothing a forger would replace. */
void diff_translate(struct summary *s, const struct conv *c, int side, uint8_t dir)
{
    if (s->proto != IPPROTO_NUM_TCP || !s->l4_ok)
        return;
    uint32_t so = side == DIFF_OUTSIDE ? c->off[dir] : 0;
    uint32_t ao = side == DIFF_OUTSIDE ? c->off[!dir] : 0;
    s->nseq = s->seq - so;
    s->nack = s->flags & TH_ACK ? s->ack - ao : 0;
    for (uint32_t i = 0; i < 2u * s->nsack; i++)
        s->nsackv[i] = s->sack[i] - ao;
    uint64_t kind = s->payload_wire_len   ? 1
                    : (s->flags & TH_SYN) ? 2 | !!(s->flags & TH_ACK)
                    : (s->flags & TH_RST) ? 4
                    : (s->flags & TH_FIN) ? 8
                                          : 0;
    s->has_twin = kind != 0;
    s->twin = kind << 32 | s->nseq;
}

/* Identity: what forwarding leaves alone, without the IPv4 identification (NATs
 * rewrite it) or anything else a matched pair is compared on. */
static void key_identity(struct key_buf *k, const struct summary *s)
{
    uint8_t head[4] = {s->v, s->proto, s->is_frag, s->mf};
    kb_put(k, head, sizeof head);
    if (s->is_frag) {
        kb_u32(k, s->frag_id);
        kb_u32(k, s->frag_offset);
        return;
    }
    if (!s->l4_ok)
        return;
    if (s->proto == IPPROTO_NUM_TCP) {
        if (s->flags & TH_SYN) {
            /* The handshake's own sequence number is left out (that is where offsets
             * are learnt), and its timestamp value (a firewall may modulate it): its
             * options, window and, for a SYN/ACK, acknowledgement tell SYNs apart;
             * the sender's retries are alike, and the nearest in time is taken. */
            kb_put(k, &s->opts_hash, sizeof s->opts_hash);
            kb_u32(k, s->window);
            kb_u32(k, s->nack); /* a SYN/ACK: the client's number, offset learnt */
        } else {
            kb_u32(k, s->nseq);
            kb_u32(k, s->nack);
            kb_put(k, s->nsackv, 4u * 2u * s->nsack); /* duplicate ACKs differ here */
        }
    } else if (diff_icmp_echo(s)) {
        uint8_t t[2] = {s->icmp_type, s->icmp_code};
        kb_put(k, t, 2);
        kb_u32(k, s->echo_seq);
    } else if (diff_icmp_error(s)) {
        uint8_t t[3] = {s->icmp_type, s->icmp_code, s->q_proto};
        kb_put(k, t, 3);
        kb_u32(k, s->q_ipid); /* the quoted packet's: NAT leaves it */
    }
}

static uint64_t mix64(uint64_t x)
{
    x ^= x >> 33;
    x *= 0xff51afd7ed558ccdull;
    x ^= x >> 33;
    x *= 0xc4ceb9fe1a85ec53ull;
    return x ^ (x >> 33);
}

/* The strong key: the identity and the content; any conversation, so NAT does not
 * hide a match. The weak key pairs a copy whose content changed with its original,
 * within one direction of a conversation known on both sides, by a protocol key: the
 * TCP twin (same kind of packet, same sequence number), the DNS ID and question, the
 * ICMP echo's type and sequence (its identifier names the conversation). Other packets have none:
 * nothing tells which packet a changed one was. The data key, TCP data of at least
 * DIFF_DATA_KEY_BYTES by its content alone, pairs the copies of a connection whose sequence offsets
 * are not known yet (captured mid-stream behind a firewall that randomises them). */
void diff_packet_keys(const struct diff *d, const struct summary *s, const struct conv *c,
                      uint32_t ci, uint8_t dir, uint64_t key[DIFF_KEYS])
{
    struct key_buf k = {.n = 0};
    key_identity(&k, s);
    uint64_t id = siphash13(d->key, k.b, k.n);
    key[KEY_STRONG] = mix64(id ^ mix64(s->content)) | 1;
    uint64_t proto_key = 0;
    if (s->has_twin && !(s->proto == IPPROTO_NUM_TCP && (s->flags & TH_SYN)))
        proto_key = s->twin;
    key[KEY_WEAK] = proto_key && c->has[DIFF_INSIDE] && c->has[DIFF_OUTSIDE]
                        ? mix64(mix64(proto_key ^ s->proto) ^
                                ((uint64_t)ci << 33 | (uint64_t)c->gen << 1 | dir)) |
                              1
                        : 0;
    key[KEY_DATA] = s->proto == IPPROTO_NUM_TCP && s->l4_ok && !(s->flags & TH_SYN) &&
                            s->payload_len >= DIFF_DATA_KEY_BYTES && !c->mapped
                        ? mix64(s->content ^ 0x9e3779b97f4a7c15ull) | 1
                        : 0;
}

/* ---- waiting packets ---- */

/* The waiting packet of the other side with this key: of several, the one with most
 * of what a plain NAT leaves alone in common with `like` (the TCP numbers on the
 * wire, the IPv4 identification: two SYNs or duplicate ACKs alike in all else), then
 * the nearest in time to `like`'s. */
struct pend *diff_pend_find(struct diff *d, uint64_t key, int which, int other_side,
                            const struct copy *like)
{
    struct pend *best = NULL;
    int64_t best_dt = 0;
    int best_same = 0;
    for (uint32_t i = d->idx[which][key & d->pmask]; i != NONE; i = d->pend[i].next[which]) {
        struct pend *e = &d->pend[i];
        if (e->key[which] != key || e->side != other_side)
            continue;
        int64_t dt = e->ts > like->ts ? e->ts - like->ts : like->ts - e->ts;
        int same = (e->s.proto == IPPROTO_NUM_TCP && e->s.seq == like->s->seq &&
                    e->s.ack == like->s->ack) +
                   (e->s.v == 4 && e->s.ip_id == like->s->ip_id);
        if (!best || same > best_same || (same == best_same && dt < best_dt)) {
            best = e;
            best_dt = dt;
            best_same = same;
        }
    }
    return best;
}

static void idx_unlink(struct diff *d, struct pend *e)
{
    uint32_t i = (uint32_t)(e - d->pend);
    for (int w = 0; w < DIFF_KEYS; w++) {
        if (!e->key[w])
            continue;
        for (uint32_t *p = &d->idx[w][e->key[w] & d->pmask]; *p != NONE; p = &d->pend[*p].next[w])
            if (*p == i) {
                *p = e->next[w];
                break;
            }
    }
}

static void idx_link(struct diff *d, struct pend *e)
{
    uint32_t i = (uint32_t)(e - d->pend);
    for (int w = 0; w < DIFF_KEYS; w++) {
        if (!e->key[w])
            continue;
        e->next[w] = d->idx[w][e->key[w] & d->pmask];
        d->idx[w][e->key[w] & d->pmask] = i;
    }
}

void diff_pend_unlink(struct diff *d, struct pend *e)
{
    uint32_t i = (uint32_t)(e - d->pend);
    idx_unlink(d, e);
    e->live = 0;
    /* off the age list, into the free list */
    if (e->older != NONE)
        d->pend[e->older].newer = e->newer;
    else
        d->oldest = e->newer;
    if (e->newer != NONE)
        d->pend[e->newer].older = e->older;
    else
        d->newest = e->older;
    e->newer = d->pfree;
    d->pfree = i;
    d->pcount--;
}

/* The kept payload bytes of a waiting packet, or NULL once the ring wrote over them. */
const uint8_t *diff_pend_bytes(const struct diff *d, const struct pend *e)
{
    if (!e->bytes_len || d->bytes_head - e->bytes_pos > DIFF_PENDING_BYTES)
        return NULL;
    return d->bytes + e->bytes_pos % DIFF_PENDING_BYTES;
}

static uint64_t bytes_keep(struct diff *d, const uint8_t *p, uint32_t len)
{
    /* Each copy is contiguous: skip to the ring's start when it would wrap. */
    uint64_t at = d->bytes_head % DIFF_PENDING_BYTES;
    if (at + len > DIFF_PENDING_BYTES)
        d->bytes_head += DIFF_PENDING_BYTES - at;
    uint64_t pos = d->bytes_head;
    memcpy(d->bytes + pos % DIFF_PENDING_BYTES, p, len);
    d->bytes_head += len;
    return pos;
}

/* A packet waits for its counterpart (the oldest leaves unjudged at the cap). */
void diff_pend_add(struct diff *d, const struct copy *x, const uint64_t key[DIFF_KEYS])
{
    if (d->pfree == NONE && d->pused == d->pcap) {
        diff_pend_unlink(d, &d->pend[d->oldest]);
        d->ds.pending_evicted++;
    }
    uint32_t i = d->pfree != NONE ? d->pfree : d->pused++;
    struct pend *e = &d->pend[i];
    if (i == d->pfree)
        d->pfree = e->newer;
    memset(e, 0, sizeof *e);
    memcpy(e->key, key, sizeof e->key);
    e->ts = x->ts;
    e->frame = x->frame;
    e->conv = x->conv;
    e->gen = x->gen;
    e->side = x->side;
    e->dir = x->dir;
    e->live = 1;
    e->s = *x->s;
    e->range = x->range;
    e->bytes_len = x->len < DIFF_KEEP_BYTES ? x->len : DIFF_KEEP_BYTES;
    if (e->bytes_len)
        e->bytes_pos = bytes_keep(d, x->bytes, e->bytes_len);
    idx_link(d, e);
    e->older = d->newest;
    e->newer = NONE;
    if (d->newest != NONE)
        d->pend[d->newest].newer = i;
    else
        d->oldest = i;
    d->newest = i;
    d->pcount++;
    if (d->pcount > d->ds.pending_peak)
        d->ds.pending_peak = d->pcount;
}

struct copy diff_pend_copy(const struct diff *d, struct pend *e)
{
    struct copy x = {.s = &e->s,
                     .bytes = diff_pend_bytes(d, e),
                     .len = e->bytes_len,
                     .frame = e->frame,
                     .ts = e->ts,
                     .conv = e->conv,
                     .gen = e->gen,
                     .side = e->side,
                     .dir = e->dir,
                     .range = e->range};
    return x;
}

/* The waiting packets of conversation `from` now belong to `to` (merged: `flip` when
 * their direction 0 is the other's direction 1), or have new sequence offsets: their
 * numbering and keys are made again, and those that now meet their counterpart are
 * paired. Bounded by the waiting packets, and done once per learnt conversation. */
void diff_rekey(struct diff *d, uint32_t from, uint32_t from_gen, uint32_t to, int flip)
{
    const struct conv *c = &d->convs[to];
    for (uint32_t i = d->oldest, next; i != NONE; i = next) {
        next = d->pend[i].newer;
        struct pend *e = &d->pend[i];
        if (e->conv != from || e->gen != from_gen)
            continue;
        idx_unlink(d, e);
        e->conv = to;
        e->gen = c->gen;
        if (flip)
            e->dir = (uint8_t)!e->dir;
        diff_translate(&e->s, c, e->side, e->dir);
        diff_packet_keys(d, &e->s, c, to, e->dir, e->key);
        idx_link(d, e);
        d->rekeyed = to;
    }
}

/* ---- a matched pair compared ---- */

static void name_list_add(char *buf, size_t size, const char *name)
{
    strlist_add_str(buf, size, name);
}

/* What differs between the copy that entered the device and the copy that left it,
 * beyond what forwarding may change (counted in `allowed`). */
void diff_compare(const struct copy *fc, const struct copy *sc, int nat, struct comparison *cmp)
{
    const struct summary *first = fc->s, *second = sc->s;
    memset(cmp, 0, sizeof *cmp);
    int dttl = (int)first->ttl - (int)second->ttl;
    if (dttl == 1)
        cmp->ttl = 1;
    else if (dttl != 0)
        name_list_add(cmp->changed, sizeof cmp->changed, "ttl");
    cmp->tos = first->tos != second->tos;
    cmp->ip_id = first->v == 4 && first->ip_id != second->ip_id;
    if (first->df != second->df)
        name_list_add(cmp->changed, sizeof cmp->changed, "df");
    if (memcmp(first->src, second->src, 16) || memcmp(first->dst, second->dst, 16) ||
        first->sport != second->sport || first->dport != second->dport) {
        if (nat)
            cmp->nat = 1;
        else
            name_list_add(cmp->changed, sizeof cmp->changed, "addresses");
    }
    if (first->proto == IPPROTO_NUM_TCP && first->l4_ok && second->l4_ok) {
        if (first->flags != second->flags)
            name_list_add(cmp->changed, sizeof cmp->changed, "tcp_flags");
        if (first->window != second->window)
            name_list_add(cmp->changed, sizeof cmp->changed, "window");
        if (first->urgent != second->urgent)
            name_list_add(cmp->changed, sizeof cmp->changed, "urgent");
        if (first->opts_hash != second->opts_hash || first->nsack != second->nsack ||
            memcmp(first->nsackv, second->nsackv, sizeof first->nsackv))
            name_list_add(cmp->changed, sizeof cmp->changed, "tcp_options");
        cmp->ts = first->has_ts && (first->tsval != second->tsval || first->tsecr != second->tsecr);
        if (first->has_mss && second->has_mss && first->mss != second->mss) {
            if (second->mss < first->mss)
                cmp->mss = 1;
            else
                name_list_add(cmp->changed, sizeof cmp->changed, "mss");
        }
    }
    if (first->payload_wire_len != second->payload_wire_len)
        name_list_add(cmp->changed, sizeof cmp->changed, "length");
    /* Every kept byte. */
    cmp->common = fc->len < sc->len ? fc->len : sc->len;
    if (fc->bytes && sc->bytes)
        for (uint32_t i = 0; i < cmp->common; i++)
            if (fc->bytes[i] != sc->bytes[i] && !cmp->nbytes++)
                cmp->first_off = i;
    if (cmp->nbytes ||
        (first->content != second->content && first->payload_wire_len == second->payload_wire_len &&
         first->flags == second->flags))
        name_list_add(cmp->changed, sizeof cmp->changed, "payload");
}
