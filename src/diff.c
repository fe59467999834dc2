/* secondsight diff - accounts for every packet that crossed one device, from a capture
 * on each side of it.
 *
 * Both files are read side by side in packet time (the outside clock corrected by the
 * estimated offset). A packet waits up to DIFF_WINDOW_S for its counterpart on the
 * other side, found by two keys that leave out what forwarding may change:
 *
 *   strong: IP version, protocol, IPv4 identification, TCP sequence and
 *           acknowledgement numbers (in the inside numbering) and flags, ICMP echo
 *           sequence, payload length and its first DIFF_KEY_BYTES bytes. Addresses,
 *           ports, TTL and checksums are not in it, so NAT does not hide a match.
 *   weak:   the conversation, the direction and the same identity fields without the
 *           payload or flags: a copy whose content changed still meets its original.
 *
 * A pair found by the strong key is forwarded, unless a field outside the allowed
 * rewrites changed (the TTL by more than one, DF, the window, TCP options other than a
 * lowered MSS, payload bytes past the keyed ones); a pair found by the weak key is
 * modified. A packet still alone when its window ends was dropped (it reached the
 * device and never left) or injected (the device sent it, with nobody's packet behind
 * it), unless it is the device's own or link-local traffic, listed apart.
 *
 * Who sent a lone packet is read from the link layer where there is one (the device's
 * MAC on each side is learnt from matched pairs), else from the conversation (which
 * side its direction entered by before). Conversations are learnt from matched pairs
 * too: the NAT mapping of addresses and ports, and TCP sequence offsets from the
 * handshake (the SYN and SYN/ACK keys leave the numbers out).
 *
 * Every table is bounded: waiting packets (count and kept bytes), conversations
 * (count, idle timeout); what the caps push out is counted. */
#include "diff.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include <pcap/dlt.h>

#include "capture.h"
#include "config.h"
#include "decode.h"
#include "finding.h"
#include "output.h"
#include "run.h"
#include "util-hash.h"

#define NONE UINT32_MAX
#define SIDES 2
#define DIFF_KEY_BYTES 96u     /* payload bytes in the strong key */
#define DIFF_KEEP_BYTES 2048u  /* payload bytes kept per waiting packet, to compare */
#define DIFF_MAX_MACS 4u       /* the device's MACs per side */
#define DIFF_MAX_ADDRS 64u     /* the device's own addresses per side */
#define DIFF_TWIN_SLOTS 65536u /* recently forwarded packets' twin keys */
#define DIFF_MAX_OPEN 16u      /* findings being gathered at once */
#define DIFF_DRIFT_SPAN_S 10   /* seconds of matches before a drift is reported */
#define DIFF_MERGE_NS                                                                              \
    1000000000LL /* events of one kind in one conversation this close                              \
                  * in time make one finding */

static const char *const side_name[SIDES] = {"inside", "outside"};
static const char *const dir_name[2] = {"outbound", "inbound"};

/* The fields of a packet that matching and comparing need, copied out of the frame. */
struct summary {
    uint8_t v, proto, ttl, tos, df, flags, l4_ok, is_frag, mf;
    uint8_t has_mac, has_mss, icmp_type, icmp_code, local, has_twin;
    uint8_t mac_src[6], mac_dst[6];
    uint16_t ip_id, window, urgent, mss, sport, dport, frag_offset;
    uint32_t seq, ack;   /* as on the wire */
    uint32_t nseq, nack; /* in the inside numbering */
    uint32_t payload_len, payload_wire_len;
    uint64_t opts_hash; /* TCP options with the MSS value left out */
    uint64_t content;   /* keyed hash of flags, payload length and first bytes */
    uint32_t twin;      /* what a forged copy shares with the genuine one: the TCP
                         * sequence number (inside numbering), the DNS ID, the first
                         * 4 bytes of other UDP payloads, the ICMP echo sequence */
    uint8_t src[16], dst[16];
};

/* One direction of a conversation as seen on one side. */
struct ends {
    uint8_t src[16], dst[16];
    uint16_t sport, dport;
};

struct conv {
    uint32_t gen; /* bumped on reuse: waiting packets hold (index, gen) */
    uint8_t used, v, proto;
    uint8_t has[SIDES];   /* the tuple on that side is known */
    struct ends t[SIDES]; /* direction 0 on each side */
    uint32_t next[SIDES]; /* chains of the per-side indexes */
    uint32_t lru_prev, lru_next;
    int64_t first_ns, last_ns;
    uint32_t off[2];   /* per direction: outside sequence minus inside */
    int8_t ingress[2]; /* per direction: the side it enters the device by */
    uint8_t has_ack[2];
    uint32_t max_ack[2]; /* per direction: highest acknowledgement, inside numbering */
    uint64_t fwd[2], mod[2], inj[2], drop[2]; /* per device direction */
};

struct pend {
    uint64_t strong, weak; /* weak 0: none */
    uint64_t seqno;        /* arrival order, for first-come matching */
    int64_t ts;            /* inside clock */
    uint64_t frame;
    uint64_t bytes_pos;
    uint32_t bytes_len;
    uint32_t conv, gen, next_s, next_w;
    uint32_t older, newer; /* the age list; newer links the free list */
    uint8_t side, dir, live;
    struct summary s;
};

struct twin_slot {
    uint64_t key;
    int64_t ts;
    uint64_t content; /* the forwarded packet's */
};

struct open_finding {
    int used;
    uint32_t conv, gen;
    const char *cls;
    uint8_t side, ddir;
    int64_t last_ns;
    uint64_t packets;
    struct finding f;
};

struct addr {
    uint8_t v, ip[16];
};

struct diff {
    const struct diff_options *o;
    uint64_t key[2];
    struct output out;
    struct run_stats stats;
    struct file_stats files[SIDES];
    struct diff_stats ds;
    struct flow_stats conv_stats;
    int write_failed;

    int64_t offset; /* current estimate: outside clock minus inside */
    int64_t window;
    /* drift: least squares of the observed offset against time, per direction (the
     * device's delay adds to one and takes from the other) */
    int64_t fit_t0, fit_t1;
    double fit_n[2], fit_sx[2], fit_sy[2], fit_sxx[2], fit_sxy[2];

    /* waiting packets: a pool, an age list (oldest first), both keys indexed */
    struct pend *pend;
    uint32_t pcap, pcount, pfree, pused, oldest, newest; /* pused: never used beyond */
    uint64_t pseq;
    uint32_t *sidx, *widx, pmask;
    uint8_t *bytes;
    uint64_t bytes_head;

    /* conversations */
    struct conv *convs;
    uint32_t ccap, cfree, cused, ccount;
    uint32_t *cidx[SIDES], cmask;
    uint32_t lru_head, lru_tail; /* least recently used first */

    struct twin_slot *twins; /* recently forwarded packets, by conversation and twin */

    uint8_t macs[SIDES][DIFF_MAX_MACS][6];
    uint32_t nmacs[SIDES];
    struct addr addrs[SIDES][DIFF_MAX_ADDRS]; /* the device's own addresses */
    uint32_t naddrs[SIDES];
    struct {
        uint8_t mac[6];
        struct addr a;
    } arp[SIDES][DIFF_MAX_ADDRS];
    uint32_t narp[SIDES];

    struct open_finding open[DIFF_MAX_OPEN];
};

/* ---- small helpers ---- */

static uint32_t be32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

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

static struct ends ends_of(const struct summary *s)
{
    struct ends e;
    memcpy(e.src, s->src, 16);
    memcpy(e.dst, s->dst, 16);
    e.sport = s->sport;
    e.dport = s->dport;
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

static int mac_known(const struct diff *d, int side, const uint8_t *mac)
{
    for (uint32_t i = 0; i < d->nmacs[side]; i++)
        if (!memcmp(d->macs[side][i], mac, 6))
            return 1;
    return 0;
}

static void mac_learn(struct diff *d, int side, const uint8_t *mac)
{
    if (!mac_known(d, side, mac) && d->nmacs[side] < DIFF_MAX_MACS)
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
static int device_addr(const struct diff *d, int side, uint8_t v, const uint8_t *ip)
{
    if (addr_in(d->addrs[side], d->naddrs[side], v, ip))
        return 1;
    for (uint32_t i = 0; i < d->narp[side]; i++)
        if (mac_known(d, side, d->arp[side][i].mac) && addr_in(&d->arp[side][i].a, 1, v, ip))
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

/* ---- what a frame is ---- */

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

static void summarise(struct summary *s, const struct packet *pkt)
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
    s->ip_id = pkt->ip_version == 4 ? pkt->ip_id : 0;
    memcpy(s->src, pkt->ip_src, 16);
    memcpy(s->dst, pkt->ip_dst, 16);
    s->l4_ok = pkt->l4_ok && !pkt->is_fragment;
    s->payload_len = pkt->payload_len;
    s->payload_wire_len = pkt->payload_wire_len;
    s->local = (uint8_t)link_local(pkt);
    if (!s->l4_ok)
        return;
    switch (pkt->proto) {
    case IPPROTO_NUM_TCP: {
        const struct tcp_view *t = &pkt->u.tcp;
        s->sport = pkt->sport;
        s->dport = pkt->dport;
        s->seq = s->nseq = t->seq;
        s->ack = s->nack = t->ack;
        s->flags = t->flags;
        s->window = t->window;
        s->urgent = t->urgent;
        s->has_mss = t->has_mss;
        s->mss = t->mss;
        /* The option bytes with an MSS value zeroed: clamping is allowed. */
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
            if (i + 1 >= olen || opts[i + 1] < 2)
                break;
            if (kind == TCPOPT_MSS && opts[i + 1] == 4 && i + 4 <= olen)
                opts[i + 2] = opts[i + 3] = 0;
            i += opts[i + 1];
        }
        static const uint64_t k[2] = {1, 2};
        s->opts_hash = siphash13(k, opts, olen);
        break;
    }
    case IPPROTO_NUM_UDP:
        s->sport = pkt->sport;
        s->dport = pkt->dport;
        break;
    case IPPROTO_NUM_ICMP:
    case IPPROTO_NUM_ICMPV6:
        s->icmp_type = pkt->u.icmp.type;
        s->icmp_code = pkt->u.icmp.code;
        break;
    default:
        break;
    }
}

static int icmp_echo(const struct summary *s)
{
    if (s->proto == IPPROTO_NUM_ICMP)
        return s->icmp_type == 0 || s->icmp_type == 8;
    return s->proto == IPPROTO_NUM_ICMPV6 && (s->icmp_type == 128 || s->icmp_type == 129);
}

static int icmp_error(const struct summary *s)
{
    if (s->proto == IPPROTO_NUM_ICMP)
        return s->icmp_type == 3 || s->icmp_type == 4 || s->icmp_type == 5 || s->icmp_type == 11 ||
               s->icmp_type == 12;
    return s->proto == IPPROTO_NUM_ICMPV6 && s->icmp_type >= 1 && s->icmp_type <= 4;
}

/* The bytes compared between copies: the transport payload, except for ICMP, whose
 * echo identifier and embedded (NAT-rewritten) headers are left out. */
static void compared_bytes(const struct summary *s, const struct packet *pkt, const uint8_t **p,
                           uint32_t *len)
{
    *p = pkt->payload;
    *len = pkt->payload_len;
    if (s->l4_ok && icmp_echo(s)) {
        uint32_t skip = *len < 4 ? *len : 4; /* identifier and sequence: keyed apart */
        *p += skip;
        *len -= skip;
    } else if (s->l4_ok && icmp_error(s)) {
        *len = 0;
    }
}

/* ---- keys ---- */

struct key_buf {
    uint8_t b[96];
    size_t n;
};

static void kb_put(struct key_buf *k, const void *p, size_t n)
{
    if (k->n + n <= sizeof k->b) {
        memcpy(k->b + k->n, p, n);
        k->n += n;
    }
}

static void kb_u32(struct key_buf *k, uint32_t v)
{
    kb_put(k, &v, sizeof v);
}

/* Identity fields shared by both keys: what a forwarding device leaves alone. */
static void key_identity(struct key_buf *k, const struct summary *s, const struct packet *pkt)
{
    uint8_t head[4] = {s->v, s->proto, s->is_frag, s->mf};
    kb_put(k, head, sizeof head);
    kb_u32(k, s->ip_id);
    if (s->is_frag) {
        kb_u32(k, pkt->frag_id);
        kb_u32(k, s->frag_offset);
        return;
    }
    if (!s->l4_ok)
        return;
    if (s->proto == IPPROTO_NUM_TCP) {
        /* The handshake's numbers are left out: that is where offsets are learnt. */
        if (!(s->flags & TH_SYN)) {
            kb_u32(k, s->nseq);
            kb_u32(k, s->nack);
        }
    } else if (icmp_echo(s)) {
        uint8_t t[2] = {s->icmp_type, s->icmp_code};
        kb_put(k, t, 2);
        if (pkt->payload_len >= 4)
            kb_put(k, pkt->payload + 2, 2); /* the echo sequence number */
    } else if (icmp_error(s)) {
        uint8_t t[2] = {s->icmp_type, s->icmp_code};
        kb_put(k, t, 2);
        /* The quoted packet's identification and protocol: not rewritten by NAT. */
        if (pkt->payload_len >= 4 + 20 && pkt->payload[4] >> 4 == 4) {
            kb_put(k, pkt->payload + 4 + 4, 2);
            kb_put(k, pkt->payload + 4 + 9, 1);
        }
    }
}

/* Both keys of a packet from one hash of its identity: the weak key adds the
 * conversation and direction to it (a cheap mix: the identity hash is already keyed),
 * the strong key hashes it again with the flags and the payload's first bytes. */
static uint64_t mix64(uint64_t x)
{
    x ^= x >> 33;
    x *= 0xff51afd7ed558ccdull;
    x ^= x >> 33;
    x *= 0xc4ceb9fe1a85ec53ull;
    return x ^ (x >> 33);
}

static void packet_keys(const struct diff *d, struct summary *s, const struct packet *pkt,
                        const struct conv *c, uint32_t ci, uint8_t dir, uint64_t *strong,
                        uint64_t *weak)
{
    struct key_buf k = {.n = 0};
    key_identity(&k, s, pkt);
    if (s->v == 6 && s->proto == IPPROTO_NUM_UDP)
        kb_u32(&k, s->payload_wire_len); /* no identification to tell datagrams apart */
    uint64_t id = siphash13(d->key, k.b, k.n);
    *weak = c->has[DIFF_INSIDE] && c->has[DIFF_OUTSIDE]
                ? mix64(id ^ ((uint64_t)ci << 33 | (uint64_t)c->gen << 1 | dir)) | 1
                : 0;

    const uint8_t *p;
    uint32_t len;
    compared_bytes(s, pkt, &p, &len);
    uint8_t buf[8 + DIFF_KEY_BYTES];
    uint32_t n = len < DIFF_KEY_BYTES ? len : DIFF_KEY_BYTES;
    memcpy(buf, &s->payload_wire_len, 4);
    buf[4] = s->flags;
    buf[5] = buf[6] = buf[7] = 0;
    if (n)
        memcpy(buf + 8, p, n);
    s->content = siphash13(d->key, buf, 8 + n);
    *strong = mix64(id ^ mix64(s->content)) | 1;
}

/* ---- conversations ---- */

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
    if (!output_device_flow(&d->out, &df))
        d->write_failed = 1;
}

static void conv_free(struct diff *d, uint32_t i)
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

static void flush_findings(struct diff *d, int64_t before);

/* Closes conversations idle for DIFF_CONV_TIMEOUT (at most a few per packet). */
static void conv_expire(struct diff *d, int64_t now)
{
    for (int n = 0; n < 4 && d->lru_head != NONE; n++) {
        struct conv *c = &d->convs[d->lru_head];
        if (now - c->last_ns < (int64_t)DIFF_CONV_TIMEOUT * 1000000000LL)
            return;
        flush_findings(d, INT64_MAX);
        d->conv_stats.expired++;
        conv_free(d, d->lru_head);
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
static uint32_t conv_get(struct diff *d, int side, const struct summary *s, int64_t now,
                         uint8_t *dir)
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
        flush_findings(d, INT64_MAX);
        d->conv_stats.evicted_count++;
        d->ds.convs_evicted++;
        conv_free(d, d->lru_head);
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

static struct conv *conv_at(struct diff *d, uint32_t i, uint32_t gen)
{
    return i != NONE && d->convs[i].used && d->convs[i].gen == gen ? &d->convs[i] : NULL;
}

/* Outside conversation `b` turns out to be inside conversation `a` (their packets
 * matched): one conversation from now on. `same` says whether their direction 0 is
 * the same direction. */
static void conv_merge(struct diff *d, uint32_t a, uint32_t b, int same)
{
    struct conv *ca = &d->convs[a], *cb = &d->convs[b];
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
    conv_free(d, b);
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
}

/* ---- waiting packets ---- */

static struct pend *pend_find(struct diff *d, uint64_t key, int weak, int other_side)
{
    uint32_t *idx = weak ? d->widx : d->sidx;
    struct pend *best = NULL;
    for (uint32_t i = idx[key & d->pmask]; i != NONE;
         i = weak ? d->pend[i].next_w : d->pend[i].next_s) {
        struct pend *e = &d->pend[i];
        if ((weak ? e->weak : e->strong) == key && e->side == other_side &&
            (!best || e->seqno < best->seqno))
            best = e;
    }
    return best;
}

static void pend_unlink(struct diff *d, struct pend *e)
{
    uint32_t i = (uint32_t)(e - d->pend);
    for (uint32_t *p = &d->sidx[e->strong & d->pmask]; *p != NONE; p = &d->pend[*p].next_s)
        if (*p == i) {
            *p = e->next_s;
            break;
        }
    if (e->weak)
        for (uint32_t *p = &d->widx[e->weak & d->pmask]; *p != NONE; p = &d->pend[*p].next_w)
            if (*p == i) {
                *p = e->next_w;
                break;
            }
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
static const uint8_t *pend_bytes(const struct diff *d, const struct pend *e)
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

/* ---- findings ---- */

static void set_flow(struct finding *f, const struct summary *s)
{
    f->ip_version = s->v;
    f->proto = s->proto;
    memcpy(f->src_ip, s->src, 16);
    memcpy(f->dst_ip, s->dst, 16);
    f->sport = s->sport;
    f->dport = s->dport;
}

static void emit(struct diff *d, struct open_finding *of)
{
    struct finding *f = &of->f;
    finding_evidence_int(f, "packets", (int64_t)of->packets);
    if (of->packets > 1) {
        size_t n = strlen(f->summary);
        snprintf(f->summary + n, sizeof f->summary - n,
                 " (%" PRIu64 " packets of this "
                 "conversation within a second of each other; the first are cited)",
                 of->packets);
    }
    d->stats.findings++;
    d->files[f->file_index].findings++;
    if (!output_finding(&d->out, f))
        d->write_failed = 1;
    of->used = 0;
}

/* Writes the findings whose last event is older than `before`, oldest first. */
static void flush_findings(struct diff *d, int64_t before)
{
    for (;;) {
        struct open_finding *oldest = NULL;
        for (unsigned i = 0; i < DIFF_MAX_OPEN; i++) {
            struct open_finding *of = &d->open[i];
            if (of->used && of->last_ns < before && (!oldest || of->f.ts_ns < oldest->f.ts_ns))
                oldest = of;
        }
        if (!oldest)
            return;
        emit(d, oldest);
    }
}

/* An event joins the open finding of its conversation and kind, or starts one (NULL
 * when it joined: only the frames are added). */
static struct finding *event_finding(struct diff *d, const char *cls, const struct pend *e,
                                     uint8_t ddir, int64_t ts, uint64_t frame)
{
    for (unsigned i = 0; i < DIFF_MAX_OPEN; i++) {
        struct open_finding *of = &d->open[i];
        if (of->used && of->cls == cls && of->conv == e->conv && of->gen == e->gen &&
            of->side == e->side && of->ddir == ddir && e->conv != NONE &&
            ts - of->last_ns < DIFF_MERGE_NS) {
            of->last_ns = ts;
            of->packets++;
            finding_add_frame(&of->f, FRAME_REF(e->side, frame),
                              strcmp(cls, "device_dropped") != 0);
            return NULL;
        }
    }
    struct open_finding *slot = NULL;
    for (unsigned i = 0; i < DIFF_MAX_OPEN && !slot; i++)
        if (!d->open[i].used)
            slot = &d->open[i];
    if (!slot) {
        flush_findings(d, INT64_MAX);
        slot = &d->open[0];
    }
    memset(slot, 0, sizeof *slot);
    slot->used = 1;
    slot->cls = cls;
    slot->conv = e->conv;
    slot->gen = e->gen;
    slot->side = e->side;
    slot->ddir = ddir;
    slot->last_ns = ts;
    slot->packets = 1;
    struct finding *f = &slot->f;
    f->class_name = cls;
    f->ts_ns = ts;
    f->file_index = e->side;
    set_flow(f, &e->s);
    return f;
}

static void add_where(struct finding *f, int side, uint8_t ddir, const char *counterpart)
{
    finding_evidence_str(f, "side", side_name[side]);
    finding_evidence_str(f, "direction", dir_name[ddir]);
    finding_evidence_str(f, "counterpart_pcap", counterpart);
    finding_evidence_frames(f, "counterpart_frames", (uint32_t)!side);
}

static void count_conv(struct diff *d, const struct pend *e, const char *cls, uint8_t ddir)
{
    struct conv *c = conv_at(d, e->conv, e->gen);
    if (!c)
        return;
    if (!strcmp(cls, "device_modified"))
        c->mod[ddir]++;
    else if (!strcmp(cls, "device_injected"))
        c->inj[ddir]++;
    else
        c->drop[ddir]++;
}

static const char *fmt_mac(char buf[18], const uint8_t *m)
{
    snprintf(buf, 18, "%02x:%02x:%02x:%02x:%02x:%02x", m[0], m[1], m[2], m[3], m[4], m[5]);
    return buf;
}

/* The twin slot of a packet in one direction of a conversation. */
static struct twin_slot *twin_slot(const struct diff *d, uint32_t conv, uint32_t gen, uint8_t dir,
                                   uint32_t twin, uint64_t *key)
{
    uint64_t k[2] = {(uint64_t)conv << 32 | gen, (uint64_t)dir << 32 | twin};
    *key = siphash13(d->key, k, sizeof k);
    return &d->twins[*key % DIFF_TWIN_SLOTS];
}

/* A lone packet, its window over: whose was it, and what does its absence mean? */
static void judge_alone(struct diff *d, struct pend *e)
{
    const struct summary *s = &e->s;
    int side = e->side;
    if (s->local) {
        d->ds.local[side]++;
        return;
    }
    /* sent: 1 the device sent it on this side, 0 it was sent to the device, -1 unknown */
    int sent = -1, by_mac = 0;
    if (s->has_mac && d->nmacs[side]) {
        if (mac_known(d, side, s->mac_src))
            sent = 1;
        else if (mac_known(d, side, s->mac_dst))
            sent = 0;
        else {
            d->ds.not_via_device[side]++;
            return;
        }
        by_mac = 1;
    }
    struct conv *c = conv_at(d, e->conv, e->gen);
    if (sent < 0 && c && c->ingress[e->dir] >= 0)
        sent = c->ingress[e->dir] != side;
    if (sent < 0) {
        d->ds.unattributed[side]++;
        return;
    }
    if (sent ? device_addr(d, side, s->v, s->src) : device_addr(d, side, s->v, s->dst)) {
        d->ds.local[side]++;
        return;
    }
    /* outbound: entering inside, or leaving outside */
    uint8_t ddir = (side == DIFF_INSIDE) != sent ? DIFF_OUTBOUND : DIFF_INBOUND;
    char src[46], dst[46], mac[18];
    format_ip(src, s->v, s->src);
    format_ip(dst, s->v, s->dst);
    const char *other = d->files[!side].path;

    uint64_t key;
    const struct twin_slot *slot =
        c && s->has_twin ? twin_slot(d, e->conv, e->gen, e->dir, s->twin, &key) : NULL;
    if (sent) {
        /* A forger races or replaces a genuine packet: one like it (the same TCP
         * sequence number, DNS ID) was forwarded. A lone packet with no such twin may be
         * the genuine one, whose copy the other capture missed. */
        /* A twin with the same content is a retransmission whose copy the other
         * capture may have lost; a twin with other content is the genuine packet a
         * forgery races. */
        int twin = slot && slot->key == key && slot->ts > e->ts - d->window &&
                   slot->ts < e->ts + d->window && slot->content != s->content;
        int certain = by_mac && twin; /* capture loss cannot make a copy unlike the real one */
        d->ds.injected[ddir]++;
        if (!certain)
            d->ds.uncertain++;
        count_conv(d, e, "device_injected", ddir);
        struct finding *f = event_finding(d, "device_injected", e, ddir, e->ts, e->frame);
        if (!f)
            return;
        f->confidence = certain ? CONF_HIGH : CONF_MEDIUM;
        finding_add_frame(f, FRAME_REF(side, e->frame), 1);
        snprintf(f->summary, sizeof f->summary,
                 "the device sent %s:%u -> %s:%u %s (frame %" PRIu64 " in %s) with no packet "
                 "on the %s that could have caused it%s",
                 src, s->sport, dst, s->dport, dir_name[ddir], e->frame, d->files[side].path,
                 side_name[!side],
                 twin ? ", while the genuine packet it imitates was forwarded as well: a "
                        "forgery made by the device"
                      : "; nothing like it was forwarded, so the other capture may have "
                        "missed the genuine packet");
        add_where(f, side, ddir, other);
        if (by_mac)
            finding_evidence_str(f, "device_mac", fmt_mac(mac, s->mac_src));
        finding_evidence_bool(f, "twin_forwarded", twin);
        return;
    }

    /* Dropped, or missed by the other capture? The sender's retransmission forwarded
     * afterwards says the first copy did not get through; a TCP receiver that
     * acknowledged the bytes without one had them, so the other capture lost the
     * packet, not the device. A capture that says it lost packets voids both. */
    int retx = 0;
    if (c && s->proto == IPPROTO_NUM_TCP) {
        uint32_t end = s->nseq + s->payload_wire_len + !!(s->flags & (TH_SYN | TH_FIN));
        retx = slot && slot->key == key && slot->ts >= e->ts;
        if (!retx && c->has_ack[!e->dir] && end != s->nseq &&
            (int32_t)(c->max_ack[!e->dir] - end) >= 0) {
            d->ds.capture_gaps[!side]++;
            return;
        }
    }
    int certain = retx && !d->ds.capture_drops[!side];
    d->ds.dropped[ddir]++;
    if (!certain)
        d->ds.uncertain++;
    count_conv(d, e, "device_dropped", ddir);
    struct finding *f = event_finding(d, "device_dropped", e, ddir, e->ts, e->frame);
    if (!f)
        return;
    f->confidence = certain ? CONF_HIGH : CONF_MEDIUM;
    finding_add_frame(f, FRAME_REF(side, e->frame), 0);
    snprintf(f->summary, sizeof f->summary,
             "%s:%u -> %s:%u (frame %" PRIu64 " in %s) reached the device %s and never left "
             "it%s",
             src, s->sport, dst, s->dport, e->frame, d->files[side].path, dir_name[ddir],
             certain ? "; the sender's retransmission of the same bytes was forwarded, so the "
                       "first copy was dropped, not missed by the capture"
             : retx  ? "; the sender's retransmission was forwarded, but the other capture "
                       "says it lost packets: it may have missed this one"
                     : "");
    add_where(f, side, ddir, other);
    finding_evidence_bool(f, "retransmission_forwarded", retx);
}

/* Judges waiting packets older than `before` (all when INT64_MAX). */
static void expire(struct diff *d, int64_t before)
{
    while (d->oldest != NONE && d->pend[d->oldest].ts < before) {
        struct pend *e = &d->pend[d->oldest];
        pend_unlink(d, e);
        judge_alone(d, e);
    }
}

/* ---- a matched pair ---- */

static void name_list_add(char *buf, size_t size, const char *name)
{
    size_t n = strlen(buf);
    snprintf(buf + n, size - n, "%s%s", n ? "," : "", name);
}

static void printable(char *out, size_t size, const uint8_t *p, uint32_t n)
{
    size_t k = 0;
    for (uint32_t i = 0; i < n && k + 5 < size; i++) {
        if (p[i] >= 0x20 && p[i] < 0x7f && p[i] != '\\')
            out[k++] = (char)p[i];
        else
            k += (size_t)snprintf(out + k, size - k, "\\x%02x", p[i]);
    }
    out[k] = 0;
}

static void on_match(struct diff *d, struct pend *e, const struct summary *s,
                     const struct packet *pkt, int side, int64_t ts, uint32_t ci, uint8_t dir,
                     int weak)
{
    /* The first copy entered the device, unless the TTLs say the clocks misled us. */
    const struct summary *first = &e->s, *second = s;
    int in_side = e->side;
    if (second->ttl == (uint8_t)(first->ttl + 1)) {
        first = s;
        second = &e->s;
        in_side = side;
    }
    uint8_t ddir = in_side == DIFF_INSIDE ? DIFF_OUTBOUND : DIFF_INBOUND;
    const struct summary *sin = side == DIFF_INSIDE ? s : &e->s;
    const struct summary *sout = side == DIFF_INSIDE ? &e->s : s;

    /* Clock: outside minus inside, as this pair shows it. */
    int64_t ts_in = side == DIFF_INSIDE ? ts : e->ts;
    int64_t raw_out = (side == DIFF_OUTSIDE ? ts : e->ts) + d->offset;
    int64_t seen = raw_out - ts_in;
    if (!d->fit_n[0] && !d->fit_n[1])
        d->fit_t0 = ts_in;
    d->fit_t1 = ts_in;
    double x = (double)(ts_in - d->fit_t0) / 1e9, y = (double)(seen - d->ds.clock_offset_ns);
    d->fit_n[ddir] += 1;
    d->fit_sx[ddir] += x;
    d->fit_sy[ddir] += y;
    d->fit_sxx[ddir] += x * x;
    d->fit_sxy[ddir] += x * y;
    d->offset += (seen - d->offset) / 16;

    /* Learn: the device's MACs, the conversation across the device, its offsets. */
    if (first->has_mac)
        mac_learn(d, in_side, first->mac_dst);
    if (second->has_mac)
        mac_learn(d, !in_side, second->mac_src);
    if (!conv_at(d, e->conv, e->gen))
        e->conv = NONE; /* its conversation was closed while it waited */
    uint32_t cin = side == DIFF_INSIDE ? ci : e->conv, cout = side == DIFF_INSIDE ? e->conv : ci;
    uint8_t din = side == DIFF_INSIDE ? dir : e->dir, dout = side == DIFF_INSIDE ? e->dir : dir;
    if (cin != NONE && cout != NONE && cin != cout && !d->convs[cin].has[DIFF_OUTSIDE] &&
        !d->convs[cout].has[DIFF_INSIDE])
        conv_merge(d, cin, cout, din == dout);
    if (cin == NONE) {
        cin = cout;
        din = dout;
    }
    struct conv *c = &d->convs[cin];
    if (c->used && c->ingress[din] < 0)
        c->ingress[din] = (int8_t)in_side;
    if (c->used && s->proto == IPPROTO_NUM_TCP && (s->flags & TH_SYN) && c->has[DIFF_OUTSIDE]) {
        uint32_t off = sout->seq - sin->seq;
        if (off != c->off[din]) {
            c->off[din] = off;
            d->ds.rewrite_seq++;
        }
    }

    /* Compare what forwarding must leave alone. */
    char changed[160] = "";
    int allowed_nat = 0;
    int dttl = (int)first->ttl - (int)second->ttl;
    if (dttl == 1)
        d->ds.rewrite_ttl++;
    else if (dttl != 0)
        name_list_add(changed, sizeof changed, "ttl");
    if (first->tos != second->tos)
        d->ds.rewrite_tos++;
    if (first->df != second->df)
        name_list_add(changed, sizeof changed, "df");
    if (memcmp(first->src, second->src, 16) || memcmp(first->dst, second->dst, 16) ||
        first->sport != second->sport || first->dport != second->dport) {
        if (d->o->nat)
            allowed_nat = 1;
        else
            name_list_add(changed, sizeof changed, "addresses");
    }
    if (allowed_nat)
        d->ds.rewrite_nat++;
    if (s->proto == IPPROTO_NUM_TCP && s->l4_ok) {
        if (first->flags != second->flags)
            name_list_add(changed, sizeof changed, "tcp_flags");
        if (first->window != second->window)
            name_list_add(changed, sizeof changed, "window");
        if (first->urgent != second->urgent)
            name_list_add(changed, sizeof changed, "urgent");
        if (first->opts_hash != second->opts_hash)
            name_list_add(changed, sizeof changed, "tcp_options");
        if (first->has_mss && second->has_mss && first->mss != second->mss) {
            if (second->mss < first->mss)
                d->ds.rewrite_mss++;
            else
                name_list_add(changed, sizeof changed, "mss");
        }
    }
    if (first->payload_wire_len != second->payload_wire_len)
        name_list_add(changed, sizeof changed, "length");

    /* Payload bytes, over what both captures kept. */
    const uint8_t *mine, *theirs = pend_bytes(d, e);
    uint32_t mine_len, nbytes = 0, first_off = 0;
    compared_bytes(s, pkt, &mine, &mine_len);
    uint32_t common = mine_len < e->bytes_len ? mine_len : e->bytes_len;
    if (theirs)
        for (uint32_t i = 0; i < common; i++)
            if (mine[i] != theirs[i] && !nbytes++)
                first_off = i;
    if (nbytes || (weak && !theirs))
        name_list_add(changed, sizeof changed, "payload");

    struct pend tmp = *e;
    if (!changed[0]) {
        d->ds.forwarded[ddir]++;
        if (c->used)
            c->fwd[ddir]++;
    } else {
        d->ds.modified[ddir]++;
        /* The finding belongs to the copy that left the device. */
        tmp.side = (uint8_t)!in_side;
        tmp.s = side == !in_side ? *s : e->s;
        tmp.frame = side == !in_side ? pkt->frame : e->frame;
        tmp.conv = cin;
        tmp.gen = d->convs[cin].gen;
        tmp.dir = din;
        count_conv(d, &tmp, "device_modified", ddir);
        struct finding *f = event_finding(d, "device_modified", &tmp, ddir, ts, tmp.frame);
        if (f) {
            char src[46], dst[46];
            format_ip(src, tmp.s.v, tmp.s.src);
            format_ip(dst, tmp.s.v, tmp.s.dst);
            f->confidence = CONF_HIGH;
            finding_add_frame(f, FRAME_REF(tmp.side, tmp.frame), 1);
            uint64_t other_frame = side == !in_side ? e->frame : pkt->frame;
            finding_add_frame(f, FRAME_REF(in_side, other_frame), 0);
            snprintf(f->summary, sizeof f->summary,
                     "the device changed %s:%u -> %s:%u %s: frame %" PRIu64 " in %s left it "
                     "with %s different from frame %" PRIu64 " in %s that entered it",
                     src, tmp.s.sport, dst, tmp.s.dport, dir_name[ddir], tmp.frame,
                     d->files[tmp.side].path, changed, other_frame, d->files[in_side].path);
            add_where(f, tmp.side, ddir, d->files[in_side].path);
            finding_evidence_list(f, "changed", changed);
            if (nbytes) {
                const uint8_t *before = side == in_side ? mine : theirs;
                const uint8_t *after = side == in_side ? theirs : mine;
                uint32_t n = common - first_off < 24 ? common - first_off : 24;
                char b[100], a[100];
                printable(b, sizeof b, before + first_off, n);
                printable(a, sizeof a, after + first_off, n);
                finding_evidence_int(f, "changed_bytes", nbytes);
                finding_evidence_int(f, "first_changed_offset", first_off);
                finding_evidence_str(f, "bytes_before", b);
                finding_evidence_str(f, "bytes_after", a);
            }
        }
    }

    /* Forwarded: the twin of a later lone copy (a retransmission after a drop, the
     * genuine packet beside a forgery). */
    if (c->used && sin->has_twin) {
        uint64_t k;
        struct twin_slot *slot = twin_slot(d, cin, c->gen, din, sin->twin, &k);
        slot->key = k;
        slot->ts = ts;
        slot->content = sin->content;
    }
}

/* ---- one frame ---- */

static void set_twin(struct summary *s, const struct packet *pkt)
{
    if (!s->l4_ok)
        return;
    if (s->proto == IPPROTO_NUM_TCP) {
        s->twin = s->nseq;
        s->has_twin = 1;
    } else if (s->proto == IPPROTO_NUM_UDP && (s->sport == DNS_PORT || s->dport == DNS_PORT) &&
               pkt->payload_len >= 2) {
        s->twin = (uint32_t)pkt->payload[0] << 8 | pkt->payload[1]; /* the DNS ID alone */
        s->has_twin = 1;
    } else if (s->proto == IPPROTO_NUM_UDP && pkt->payload_len >= 4) {
        s->twin = be32(pkt->payload);
        s->has_twin = 1;
    } else if (icmp_echo(s) && pkt->payload_len >= 4) {
        s->twin = (uint32_t)pkt->payload[2] << 8 | pkt->payload[3];
        s->has_twin = 1;
    }
}

static void note_link(struct diff *d, int side, const struct packet *pkt, const struct summary *s)
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

static void diff_packet(struct diff *d, int side, struct packet *pkt, int64_t ts)
{
    decode_packet(pkt);
    run_stats_count(&d->stats, pkt);
    d->stats.last_ts = pkt->ts_ns;
    expire(d, ts - d->window);
    flush_findings(d, ts - DIFF_MERGE_NS);
    conv_expire(d, ts);

    struct summary s;
    summarise(&s, pkt);
    note_link(d, side, pkt, &s);
    if (!s.v) {
        d->ds.local[side]++; /* ARP and other link traffic */
        return;
    }
    uint8_t dir = 0;
    uint32_t ci = conv_get(d, side, &s, ts, &dir);
    struct conv *c = &d->convs[ci];
    if (side == DIFF_OUTSIDE && s.proto == IPPROTO_NUM_TCP) {
        s.nseq = s.seq - c->off[dir];
        s.nack = s.ack - c->off[!dir];
    }
    set_twin(&s, pkt);
    if (s.proto == IPPROTO_NUM_TCP && (s.flags & TH_ACK) &&
        (!c->has_ack[dir] || (int32_t)(s.nack - c->max_ack[dir]) > 0)) {
        c->has_ack[dir] = 1;
        c->max_ack[dir] = s.nack;
    }
    uint64_t strong, weak;
    packet_keys(d, &s, pkt, c, ci, dir, &strong, &weak);
    struct pend *m = pend_find(d, strong, 0, !side);
    int by_weak = 0;
    if (!m && weak && (m = pend_find(d, weak, 1, !side)) != NULL)
        by_weak = 1;
    if (m) {
        pend_unlink(d, m);
        on_match(d, m, &s, pkt, side, ts, ci, dir, by_weak);
        return;
    }

    if (d->pfree == NONE && d->pused == d->pcap) {
        /* Full: the oldest waiting packet leaves unjudged, counted. */
        pend_unlink(d, &d->pend[d->oldest]);
        d->ds.pending_evicted++;
    }
    uint32_t i = d->pfree != NONE ? d->pfree : d->pused++;
    struct pend *e = &d->pend[i];
    if (i == d->pfree)
        d->pfree = e->newer;
    memset(e, 0, sizeof *e);
    e->strong = strong;
    e->weak = weak;
    e->seqno = d->pseq++;
    e->ts = ts;
    e->frame = pkt->frame;
    e->conv = ci;
    e->gen = c->gen;
    e->side = (uint8_t)side;
    e->dir = dir;
    e->live = 1;
    e->s = s;
    const uint8_t *p;
    uint32_t len;
    compared_bytes(&s, pkt, &p, &len);
    e->bytes_len = len < DIFF_KEEP_BYTES ? len : DIFF_KEEP_BYTES;
    if (e->bytes_len)
        e->bytes_pos = bytes_keep(d, p, e->bytes_len);
    e->next_s = d->sidx[strong & d->pmask];
    d->sidx[strong & d->pmask] = i;
    if (weak) {
        e->next_w = d->widx[weak & d->pmask];
        d->widx[weak & d->pmask] = i;
    }
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

/* ---- the clock ---- */

static int cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

/* A key for packets both captures hold whatever the clocks say: no conversation, no
 * NAT-rewritten fields; only packets with something distinctive. */
static uint64_t probe_key(const struct diff *d, const struct packet *pkt)
{
    if (pkt->ip_version != 4 || pkt->is_fragment || (!pkt->ip_id && pkt->payload_len < 8))
        return 0;
    struct key_buf k = {.n = 0};
    uint8_t head[2] = {pkt->proto,
                       pkt->l4_ok && pkt->proto == IPPROTO_NUM_TCP ? pkt->u.tcp.flags : 0};
    kb_put(&k, head, 2);
    kb_u32(&k, pkt->ip_id);
    kb_u32(&k, pkt->payload_wire_len);
    if (pkt->proto == IPPROTO_NUM_TCP || pkt->proto == IPPROTO_NUM_UDP) {
        uint32_t n = pkt->payload_len < DIFF_KEY_BYTES ? pkt->payload_len : DIFF_KEY_BYTES;
        uint64_t h = siphash13(d->key, pkt->payload, n);
        kb_put(&k, &h, sizeof h);
    }
    return siphash13(d->key, k.b, k.n) | 1;
}

/* --clock-skew auto: the median of (outside time - inside time) over packets found in
 * the first DIFF_SKEW_PROBE frames of both captures. 0 when too few are. */
static int64_t estimate_offset(struct diff *d, uint64_t *samples)
{
    uint32_t cap = 2 * DIFF_SKEW_PROBE;
    struct {
        uint64_t key;
        int64_t ts;
    } *tab = calloc(cap, sizeof *tab);
    int64_t *deltas = calloc(DIFF_SKEW_PROBE, sizeof *deltas);
    uint32_t nd = 0;
    *samples = 0;
    if (!tab || !deltas) {
        free(tab);
        free(deltas);
        return 0;
    }
    for (int side = 0; side < SIDES; side++) {
        struct file_stats fs;
        memset(&fs, 0, sizeof fs);
        struct capture_file cf;
        if (capture_file_open(&cf, side ? d->o->outside : d->o->inside, (uint32_t)side, &fs) !=
            CAPTURE_OK)
            break;
        struct packet pkt;
        for (uint32_t n = 0; n < DIFF_SKEW_PROBE && capture_file_next(&cf, &pkt); n++) {
            decode_packet(&pkt);
            uint64_t k = probe_key(d, &pkt);
            if (!k)
                continue;
            uint32_t slot = (uint32_t)(k % cap);
            while (tab[slot].key && tab[slot].key != k)
                slot = (slot + 1) % cap;
            if (side == DIFF_INSIDE) {
                if (tab[slot].key == k)
                    tab[slot].ts = INT64_MIN; /* seen twice: not distinctive */
                else if (n < cap / 2) {
                    tab[slot].key = k;
                    tab[slot].ts = pkt.ts_ns;
                }
            } else if (tab[slot].key == k && tab[slot].ts != INT64_MIN && nd < DIFF_SKEW_PROBE) {
                deltas[nd++] = pkt.ts_ns - tab[slot].ts;
                tab[slot].ts = INT64_MIN;
            }
        }
        capture_file_close(&cf);
    }
    int64_t off = 0;
    if (nd >= 3) {
        qsort(deltas, nd, sizeof *deltas, cmp_i64);
        off = deltas[nd / 2];
        *samples = nd;
    }
    free(tab);
    free(deltas);
    return off;
}

/* The drift: the slope of the observed offset over time, averaged over the directions
 * that have one; only over runs long enough for it to mean something. */
static int64_t drift_ppb(const struct diff *d)
{
    if (d->fit_t1 - d->fit_t0 < DIFF_DRIFT_SPAN_S * 1000000000LL)
        return 0;
    double sum = 0;
    int n = 0;
    for (int k = 0; k < 2; k++) {
        double var = d->fit_n[k] * d->fit_sxx[k] - d->fit_sx[k] * d->fit_sx[k];
        if (d->fit_n[k] < 2 || var <= 0)
            continue;
        sum += (d->fit_n[k] * d->fit_sxy[k] - d->fit_sx[k] * d->fit_sy[k]) / var;
        n++;
    }
    return n ? (int64_t)(sum / n) : 0;
}

/* ---- the run ---- */

static int diff_init(struct diff *d, const struct diff_options *o)
{
    memset(d, 0, sizeof *d);
    d->o = o;
    d->key[0] = hash_random_seed();
    d->key[1] = hash_random_seed();
    d->window = (int64_t)DIFF_WINDOW_S * 1000000000LL;
    d->pcap = DIFF_MAX_PENDING;
    uint32_t buckets = 1;
    /* Few packets wait at once when the device forwards them: a table that stays in
     * cache beats one sized for the cap (chains grow only near it). */
    while (buckets < DIFF_MAX_PENDING / 4)
        buckets <<= 1;
    d->pmask = buckets - 1;
    d->pend = calloc(d->pcap, sizeof *d->pend);
    d->sidx = malloc(buckets * sizeof *d->sidx);
    d->widx = malloc(buckets * sizeof *d->widx);
    d->bytes = malloc(DIFF_PENDING_BYTES);
    d->ccap = DIFF_MAX_CONVS;
    uint32_t cb = 1;
    while (cb < DIFF_MAX_CONVS / 2)
        cb <<= 1;
    d->cmask = cb - 1;
    d->convs = calloc(d->ccap, sizeof *d->convs);
    d->cidx[0] = malloc(cb * sizeof *d->cidx[0]);
    d->cidx[1] = malloc(cb * sizeof *d->cidx[1]);
    d->twins = calloc(DIFF_TWIN_SLOTS, sizeof *d->twins);
    if (!d->pend || !d->sidx || !d->widx || !d->bytes || !d->convs || !d->cidx[0] || !d->cidx[1] ||
        !d->twins)
        return 0;
    memset(d->sidx, 0xff, buckets * sizeof *d->sidx);
    memset(d->widx, 0xff, buckets * sizeof *d->widx);
    memset(d->cidx[0], 0xff, cb * sizeof *d->cidx[0]);
    memset(d->cidx[1], 0xff, cb * sizeof *d->cidx[1]);
    d->pfree = d->cfree = NONE;
    d->oldest = d->newest = NONE;
    d->lru_head = d->lru_tail = NONE;

    d->stats.files = d->files;
    d->stats.nfiles = SIDES;
    d->stats.flows = &d->conv_stats;
    d->stats.diff = &d->ds;
    d->ds.nat = o->nat ? "auto" : "none";
    d->ds.window_ns = d->window;
    d->ds.clock_auto = o->clock_auto;
    output_init(&d->out, o->out, o->json, o->color, &d->stats);
    return 1;
}

static void diff_free(struct diff *d)
{
    output_release(&d->out);
    free(d->pend);
    free(d->sidx);
    free(d->widx);
    free(d->bytes);
    free(d->convs);
    free(d->cidx[0]);
    free(d->cidx[1]);
    free(d->twins);
}

int diff_run(const struct diff_options *o)
{
    struct diff *d = malloc(sizeof *d);
    if (!d || !diff_init(d, o)) {
        fprintf(stderr, "secondsight: out of memory setting up the comparison\n");
        if (d)
            diff_free(d);
        free(d);
        return EXIT_TROUBLE;
    }
    int status = EXIT_CLEAN;
    struct capture_file cf[SIDES];
    const char *path[SIDES] = {o->inside, o->outside};
    int open[SIDES] = {0, 0};
    for (int side = 0; side < SIDES; side++) {
        if (capture_file_open(&cf[side], path[side], (uint32_t)side, &d->files[side]) !=
            CAPTURE_OK) {
            fprintf(stderr, "secondsight: cannot read %s: %s\n", path[side], d->files[side].error);
            status = EXIT_TROUBLE;
        } else {
            open[side] = 1;
        }
    }
    if (status != EXIT_CLEAN) {
        for (int side = 0; side < SIDES; side++)
            if (open[side])
                capture_file_close(&cf[side]);
        diff_free(d);
        free(d);
        return status;
    }
    for (int side = 0; side < SIDES; side++)
        d->ds.capture_drops_known[side] =
            capture_file_drops(path[side], &d->ds.capture_drops[side]);
    uint64_t samples;
    int64_t estimate = estimate_offset(d, &samples);
    if (o->clock_auto) {
        d->ds.clock_offset_ns = estimate;
        d->ds.clock_samples = samples;
        if (!samples)
            fprintf(stderr, "secondsight: warning: too few packets common to both captures "
                            "to estimate the clock offset; assuming the clocks agree\n");
    } else {
        d->ds.clock_offset_ns = o->clock_offset_ns;
        int64_t off_by = estimate - o->clock_offset_ns;
        if (samples && (off_by > d->window / 2 || off_by < -d->window / 2))
            fprintf(stderr,
                    "secondsight: warning: --clock-skew %+.6f, but %" PRIu64 " packets "
                    "common to both captures put the outside clock %+.6f s from the "
                    "inside one\n",
                    (double)o->clock_offset_ns / 1e9, samples, (double)estimate / 1e9);
    }
    d->offset = d->ds.clock_offset_ns;

    /* Side by side, in packet time on the inside clock. */
    struct packet pkt[SIDES];
    int have[SIDES];
    for (int side = 0; side < SIDES; side++)
        have[side] = capture_file_next(&cf[side], &pkt[side]);
    while (have[0] || have[1]) {
        int64_t t0 = have[0] ? pkt[0].ts_ns : INT64_MAX;
        int64_t t1 = have[1] ? pkt[1].ts_ns - d->offset : INT64_MAX;
        int side = t0 <= t1 ? 0 : 1;
        diff_packet(d, side, &pkt[side], side ? t1 : t0);
        have[side] = capture_file_next(&cf[side], &pkt[side]);
    }
    for (int side = 0; side < SIDES; side++)
        if (capture_file_close(&cf[side]) != CAPTURE_OK) {
            fprintf(stderr, "secondsight: %s: %s\n", path[side], d->files[side].error);
            status = EXIT_TROUBLE;
        }
    expire(d, INT64_MAX);
    flush_findings(d, INT64_MAX);
    while (d->lru_head != NONE)
        conv_free(d, d->lru_head);

    d->ds.clock_drift_ppb = drift_ppb(d);
    for (int side = 0; side < SIDES; side++) {
        d->stats.packets += d->files[side].packets;
        d->stats.bytes += d->files[side].bytes;
        d->stats.skipped += d->files[side].skipped;
    }
    d->stats.flows_active = 0;
    if (!output_stats(&d->out, &d->stats) || d->write_failed) {
        fprintf(stderr, "secondsight: cannot write %s: %s\n",
                d->o->out_name ? d->o->out_name : "standard output", strerror(errno));
        status = EXIT_TROUBLE;
    }
    if (status == EXIT_CLEAN) {
        const char *verdict = diff_verdict(&d->ds);
        status = !strcmp(verdict, "tampered")       ? EXIT_FINDINGS
                 : !strcmp(verdict, "inconclusive") ? EXIT_INCONCLUSIVE
                                                    : EXIT_CLEAN;
    }
    diff_free(d);
    free(d);
    return status;
}
