/* secondsight diff - diff-match.c. */
#include "diff-int.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include <pcap/dlt.h>

#include "capture.h"
#include "config.h"
#include "util-hash.h"

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

void diff_summarise(struct summary *s, const struct packet *pkt)
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
    } else if (diff_icmp_echo(s)) {
        uint8_t t[2] = {s->icmp_type, s->icmp_code};
        kb_put(k, t, 2);
        if (pkt->payload_len >= 4)
            kb_put(k, pkt->payload + 2, 2); /* the echo sequence number */
    } else if (diff_icmp_error(s)) {
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

void diff_packet_keys(const struct diff *d, struct summary *s, const struct packet *pkt,
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
    diff_compared_bytes(s, pkt, &p, &len);
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

void diff_set_twin(struct summary *s, const struct packet *pkt)
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
    } else if (diff_icmp_echo(s) && pkt->payload_len >= 4) {
        s->twin = (uint32_t)pkt->payload[2] << 8 | pkt->payload[3];
        s->has_twin = 1;
    }
}

struct pend *diff_pend_find(struct diff *d, uint64_t key, int weak, int other_side)
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

void diff_pend_unlink(struct diff *d, struct pend *e)
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
const uint8_t *diff_pend_bytes(const struct diff *d, const struct pend *e)
{
    if (!e->bytes_len || d->bytes_head - e->bytes_pos > DIFF_PENDING_BYTES)
        return NULL;
    return d->bytes + e->bytes_pos % DIFF_PENDING_BYTES;
}

uint64_t diff_bytes_keep(struct diff *d, const uint8_t *p, uint32_t len)
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

void diff_on_match(struct diff *d, struct pend *e, const struct summary *s,
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
        diff_mac_learn(d, in_side, first->mac_dst);
    if (second->has_mac)
        diff_mac_learn(d, !in_side, second->mac_src);
    if (!diff_conv_at(d, e->conv, e->gen))
        e->conv = NONE; /* its conversation was closed while it waited */
    uint32_t cin = side == DIFF_INSIDE ? ci : e->conv, cout = side == DIFF_INSIDE ? e->conv : ci;
    uint8_t din = side == DIFF_INSIDE ? dir : e->dir, dout = side == DIFF_INSIDE ? e->dir : dir;
    if (cin != NONE && cout != NONE && cin != cout && !d->convs[cin].has[DIFF_OUTSIDE] &&
        !d->convs[cout].has[DIFF_INSIDE])
        diff_conv_merge(d, cin, cout, din == dout);
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
    const uint8_t *mine, *theirs = diff_pend_bytes(d, e);
    uint32_t mine_len, nbytes = 0, first_off = 0;
    diff_compared_bytes(s, pkt, &mine, &mine_len);
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
        diff_count_conv(d, &tmp, "device_modified", ddir);
        struct finding *f = diff_event_finding(d, "device_modified", &tmp, ddir, ts, tmp.frame);
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
                     src, tmp.s.sport, dst, tmp.s.dport, diff_dir_name[ddir], tmp.frame,
                     d->files[tmp.side].path, changed, other_frame, d->files[in_side].path);
            diff_add_where(f, tmp.side, ddir, d->files[in_side].path);
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
        struct twin_slot *slot = diff_twin_slot(d, cin, c->gen, din, sin->twin, &k);
        slot->key = k;
        slot->ts = ts;
        slot->content = sin->content;
    }
}
