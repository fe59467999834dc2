/* secondsight - fragment reassembly (RFC 791 section 3.2, RFC 8200 section 4.5).
 * Datagrams are keyed by addresses, protocol and identification; the first copy of
 * each byte is kept and later copies are compared with it. Bounded by a count cap, a
 * byte cap and a timeout, oldest first, each eviction counted.
 *
 * A completed datagram is kept a little longer (FRAG_KEEP_NS of packet time, under
 * caps of its own): a forger's fragment planted ahead of the genuine one completes the
 * datagram with the genuine first fragment, and the genuine copy of the planted bytes
 * arrives just after (Herzberg and Shulman, 2013). Compared with the kept datagram, it
 * shows the conflict; a fresh datagram would have swallowed it silently. */
#include "flow-frag.h"

#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "util-hash.h"

struct frag_key {
    uint8_t version, proto;
    uint8_t pad[2];
    uint32_t id;
    uint8_t src[16], dst[16];
};

struct dgram {
    struct dgram *hnext, *older, *newer; /* older/newer: in its list, live or kept */
    uint64_t hash;
    struct frag_key key;
    int64_t first_ts;
    uint32_t cap; /* bytes allocated for data (a power of two) */
    uint8_t *data;
    uint8_t *present; /* cap / 8 presence bits */
    uint32_t covered; /* bytes present */
    uint32_t end;     /* datagram length, once the last fragment came */
    uint8_t has_last, has_first;
    uint8_t done;    /* complete and passed on: kept for late fragments only */
    int64_t done_ts; /* ... since then */
    uint8_t hdr_len;
    uint8_t hdr[60]; /* the offset-0 fragment's IP header (IPv6: fixed part) */
    uint32_t npieces;
    struct frag_piece pieces[FRAG_MAX_PIECES];
};

/* A list of datagrams, oldest first. */
struct dlist {
    struct dgram *oldest, *newest;
};

struct frag_table {
    struct frag_config cfg;
    uint64_t key[2];
    struct dgram *buckets[FRAG_BUCKETS];
    struct dlist live; /* incomplete, by arrival */
    struct dlist kept; /* complete, by completion */
    uint32_t count, nkept;
    uint64_t mem, kept_mem; /* mem: all of them; kept_mem: the kept ones' share */
    struct frag_stats stats;
    uint8_t out[60 + FRAG_MAX_DATAGRAM];
};

struct frag_table *frag_table_new(const struct frag_config *cfg, uint64_t seed)
{
    struct frag_table *t = calloc(1, sizeof *t);
    if (!t)
        return NULL;
    t->cfg = *cfg;
    t->key[0] = seed ^ 0x6672616773756d73ull;
    t->key[1] = seed * 0x9e3779b97f4a7c15ull;
    return t;
}

static uint64_t dgram_bytes(const struct dgram *d)
{
    return sizeof *d + d->cap + d->cap / 8;
}

static void list_unlink(struct dlist *l, struct dgram *d)
{
    if (d->older)
        d->older->newer = d->newer;
    else
        l->oldest = d->newer;
    if (d->newer)
        d->newer->older = d->older;
    else
        l->newest = d->older;
    d->older = d->newer = NULL;
}

static void list_append(struct dlist *l, struct dgram *d)
{
    d->older = l->newest;
    d->newer = NULL;
    if (l->newest)
        l->newest->newer = d;
    else
        l->oldest = d;
    l->newest = d;
}

static void dgram_destroy(struct frag_table *t, struct dgram *d)
{
    struct dgram **pp = &t->buckets[d->hash & (FRAG_BUCKETS - 1)];
    while (*pp && *pp != d)
        pp = &(*pp)->hnext;
    if (*pp)
        *pp = d->hnext;
    t->mem -= dgram_bytes(d);
    if (d->done) {
        list_unlink(&t->kept, d);
        t->nkept--;
        t->kept_mem -= dgram_bytes(d);
    } else {
        list_unlink(&t->live, d);
        t->count--;
    }
    free(d->data);
    free(d->present);
    free(d);
}

void frag_table_free(struct frag_table *t)
{
    if (!t)
        return;
    while (t->live.oldest)
        dgram_destroy(t, t->live.oldest);
    while (t->kept.oldest)
        dgram_destroy(t, t->kept.oldest);
    free(t);
}

const struct frag_stats *frag_table_stats(const struct frag_table *t)
{
    return &t->stats;
}
uint64_t frag_table_memory(const struct frag_table *t)
{
    return t->mem;
}
uint32_t frag_table_count(const struct frag_table *t)
{
    return t->count;
}

/* Evicts datagrams other than `keep` until `need` more bytes fit: kept (complete)
 * ones first, then the oldest incomplete ones. */
static int make_room(struct frag_table *t, uint64_t need, const struct dgram *keep)
{
    while (t->mem + need > t->cfg.max_memory) {
        if (t->kept.oldest) {
            dgram_destroy(t, t->kept.oldest);
            t->stats.kept_dropped++;
            continue;
        }
        struct dgram *o = t->live.oldest;
        struct dgram *victim = o == keep ? (keep ? keep->newer : NULL) : o;
        if (!victim)
            return 0;
        dgram_destroy(t, victim);
        t->stats.evicted++;
    }
    return 1;
}

/* A completed datagram moves to the kept list; the oldest kept ones go at the keep caps
 * (counted). d may be among them, when it alone is over FRAG_KEEP_MEMORY. */
static void dgram_keep(struct frag_table *t, struct dgram *d, int64_t now)
{
    list_unlink(&t->live, d);
    t->count--;
    d->done = 1;
    d->done_ts = now;
    list_append(&t->kept, d);
    t->nkept++;
    t->kept_mem += dgram_bytes(d);
    t->stats.kept++;
    while (t->kept.oldest && (t->nkept > FRAG_KEEP_MAX || t->kept_mem > FRAG_KEEP_MEMORY)) {
        dgram_destroy(t, t->kept.oldest);
        t->stats.kept_dropped++;
    }
}

/* Grows the datagram's buffers to hold `end` bytes. */
static int dgram_grow(struct frag_table *t, struct dgram *d, uint32_t end)
{
    if (end <= d->cap)
        return 1;
    uint32_t cap = d->cap ? d->cap : 1024;
    while (cap < end)
        cap *= 2;
    uint64_t more = (uint64_t)(cap - d->cap) * 9 / 8;
    if (!make_room(t, more, d))
        return 0;
    uint8_t *data = realloc(d->data, cap);
    if (!data)
        return 0;
    d->data = data;
    uint8_t *present = realloc(d->present, cap / 8);
    if (!present)
        return 0;
    memset(present + d->cap / 8, 0, (cap - d->cap) / 8);
    d->present = present;
    t->mem +=
        dgram_bytes(&(struct dgram){.cap = cap}) - dgram_bytes(&(struct dgram){.cap = d->cap});
    d->cap = cap;
    if (t->mem > t->stats.memory_peak)
        t->stats.memory_peak = t->mem;
    return 1;
}

static struct dgram *dgram_get(struct frag_table *t, const struct packet *pkt)
{
    struct frag_key k;
    size_t alen = pkt->ip_version == 4 ? 4 : 16;
    memset(&k, 0, sizeof k);
    k.version = pkt->ip_version;
    k.proto = pkt->proto;
    k.id = pkt->frag_id;
    memcpy(k.src, pkt->ip_src, alen);
    memcpy(k.dst, pkt->ip_dst, alen);
    uint64_t h = siphash13(t->key, &k, sizeof k);

    for (struct dgram *d = t->buckets[h & (FRAG_BUCKETS - 1)]; d; d = d->hnext)
        if (d->hash == h && !memcmp(&d->key, &k, sizeof k))
            return d;

    if (t->count >= t->cfg.max_datagrams && t->live.oldest) {
        dgram_destroy(t, t->live.oldest);
        t->stats.evicted++;
    }
    if (!make_room(t, sizeof(struct dgram), NULL))
        return NULL;
    struct dgram *d = calloc(1, sizeof *d);
    if (!d)
        return NULL;
    d->key = k;
    d->hash = h;
    d->first_ts = pkt->ts_ns;
    d->hnext = t->buckets[h & (FRAG_BUCKETS - 1)];
    t->buckets[h & (FRAG_BUCKETS - 1)] = d;
    list_append(&t->live, d);
    t->count++;
    t->mem += sizeof *d;
    if (t->mem > t->stats.memory_peak)
        t->stats.memory_peak = t->mem;
    t->stats.datagrams++;
    return d;
}

/* The fragment holding byte `at`: the earliest that covered it, since the first copy
 * of each byte is the one kept. Only the first FRAG_MAX_PIECES are remembered. */
static void find_prior(const struct dgram *d, uint32_t at, struct frag_info *info)
{
    uint32_t n = d->npieces < FRAG_MAX_PIECES ? d->npieces : FRAG_MAX_PIECES;
    for (uint32_t i = 0; i < n; i++) {
        const struct frag_piece *p = &d->pieces[i];
        if (!info->has_head && p->off == 0) {
            info->head = *p; /* the first fragment held: the sender's, with the ports */
            info->has_head = 1;
        }
        if (!info->has_prior && p->off <= at && at < p->off + p->len) {
            info->prior = *p;
            info->has_prior = 1;
        }
    }
}

/* Whether a datagram's fragments disagree in IP TTL or DF: one sender's stack sends
 * them all alike, so a mix is a tell of a fragment from elsewhere. */
static int pieces_mixed(const struct dgram *d)
{
    uint32_t n = d->npieces < FRAG_MAX_PIECES ? d->npieces : FRAG_MAX_PIECES;
    for (uint32_t i = 1; i < n; i++)
        if (d->pieces[i].ttl != d->pieces[0].ttl || d->pieces[i].df != d->pieces[0].df)
            return 1;
    return 0;
}

/* Copies the fragment's bytes into d where none are held yet and compares the rest
 * with the first copy, counting into info. */
static void dgram_put(struct dgram *d, const struct packet *pkt, struct frag_info *info)
{
    uint32_t off = pkt->frag_offset;
    for (uint32_t k = 0; k < pkt->payload_len; k++) {
        uint32_t p = off + k;
        uint8_t bit = (uint8_t)(1u << (p & 7));
        if (d->present[p >> 3] & bit) {
            info->overlap++;
            if (d->data[p] != pkt->payload[k] && info->differ++ == 0)
                info->first_diff = p;
        } else {
            d->data[p] = pkt->payload[k];
            d->present[p >> 3] |= bit;
            d->covered++;
        }
    }
}

/* Whether a conflicting fragment is another datagram that reused the identification
 * (RFC 4963 section 2): from the same TTL as the fragment it conflicts with (the same
 * sender's stack at the same distance), and a first fragment with other ports, or
 * over FRAG_REUSE_AGE_NS later. A forger's fragment from another distance is never
 * excused this way. */
static uint8_t id_reuse(const struct dgram *d, const struct packet *pkt, struct frag_info *info)
{
    if (!info->has_prior || info->prior.ttl != pkt->ttl)
        return 0;
    info->prior_age_ns = pkt->ts_ns - info->prior.ts_ns;
    if (pkt->frag_offset == 0 && frag_proto_has_ports(d->key.proto) && pkt->payload_len >= 4 &&
        d->cap >= 4 && (d->present[0] & 0x0f) == 0x0f && info->first_diff < 4)
        return FRAG_REUSE_PORTS;
    if (info->prior_age_ns > FRAG_REUSE_AGE_NS)
        return FRAG_REUSE_AGED;
    /* A datagram complete already, from a stack that sends its fragments alike: this
     * one is the next datagram with the identification (a fast sender's wrap), not a
     * copy; a planted fragment from elsewhere differs in TTL and stays a conflict. */
    if (d->done && info->prior.df == pkt->df)
        return FRAG_REUSE_DONE;
    return 0;
}

/* The whole datagram as a raw IP packet in t->out. */
static uint32_t build_datagram(struct frag_table *t, const struct dgram *d)
{
    uint8_t *o = t->out;
    uint32_t n = d->hdr_len;
    memcpy(o, d->hdr, n);
    if (d->key.version == 4) {
        uint32_t total = n + d->end;
        o[2] = (uint8_t)(total >> 8);
        o[3] = (uint8_t)total;
        o[6] &= 0x40; /* keep DF, clear MF and the offset */
        o[7] = 0;
    } else {
        o[4] = (uint8_t)(d->end >> 8);
        o[5] = (uint8_t)d->end;
        o[6] = d->key.proto; /* the extension headers before the fragment header go */
    }
    memcpy(o + n, d->data, d->end);
    return n + d->end;
}

/* Records the fragment among d's pieces (the first FRAG_MAX_PIECES; the rest counted). */
static void piece_add(struct frag_table *t, struct dgram *d, const struct packet *pkt,
                      struct frag_info *info)
{
    if (d->npieces >= FRAG_MAX_PIECES) {
        t->stats.pieces_unrecorded++;
    } else {
        struct frag_piece *p = &d->pieces[d->npieces];
        p->frame = FRAME_REF(pkt->file_index, pkt->frame);
        p->ts_ns = pkt->ts_ns;
        p->off = pkt->frag_offset;
        p->len = pkt->payload_len;
        p->ip_id = pkt->ip_id;
        p->ttl = pkt->ttl;
        p->df = pkt->df;
        p->mf = pkt->mf;
    }
    d->npieces++;
    info->npieces = d->npieces;
    if (frag_proto_has_ports(d->key.proto) && d->cap >= 4 && (d->present[0] & 0x0f) == 0x0f) {
        info->has_ports = 1;
        info->sport = (uint16_t)(d->data[0] << 8 | d->data[1]);
        info->dport = (uint16_t)(d->data[2] << 8 | d->data[3]);
    }
}

/* Drops the expired: incomplete datagrams past the timeout, kept ones past
 * FRAG_KEEP_NS; a bounded number per call. */
static void expire(struct frag_table *t, int64_t now)
{
    for (unsigned i = 0; i < FRAG_EXPIRE_PER_CALL && t->live.oldest; i++) {
        if (now - t->live.oldest->first_ts <= (int64_t)t->cfg.timeout_s * 1000000000)
            break;
        dgram_destroy(t, t->live.oldest);
        t->stats.expired++;
    }
    for (unsigned i = 0; i < FRAG_EXPIRE_PER_CALL && t->kept.oldest; i++) {
        if (now - t->kept.oldest->done_ts <= FRAG_KEEP_NS)
            break;
        dgram_destroy(t, t->kept.oldest);
    }
}

/* The datagram for a fragment that conflicts: started over when the conflict is the
 * identification reused for another datagram (the old one dropped, so the new one
 * reassembles whole), else d. NULL when out of room. */
static struct dgram *judge_conflict(struct frag_table *t, struct dgram *d, const struct packet *pkt,
                                    struct frag_info *info)
{
    find_prior(d, info->first_diff, info);
    info->id_reused = id_reuse(d, pkt, info);
    if (!info->id_reused)
        return d;
    t->stats.id_reused++;
    dgram_destroy(t, d);
    struct frag_info fresh;
    memset(&fresh, 0, sizeof fresh);
    d = dgram_get(t, pkt);
    if (!d || !dgram_grow(t, d, pkt->frag_offset + pkt->payload_len))
        return NULL;
    dgram_put(d, pkt, &fresh);
    return d;
}

const uint8_t *frag_table_add(struct frag_table *t, const struct packet *pkt,
                              struct frag_info *info, uint32_t *len)
{
    memset(info, 0, sizeof *info);
    expire(t, pkt->ts_ns);

    uint32_t off = pkt->frag_offset;
    uint32_t n = pkt->payload_len;
    info->off = off;
    info->len = n;
    /* An IPv4 total length counts its header (RFC 791); an IPv6 payload length not. */
    uint32_t room = FRAG_MAX_DATAGRAM - (pkt->ip_version == 4 ? 20u : 0u);
    if ((uint64_t)off + pkt->payload_wire_len > room) {
        t->stats.too_big++;
        return NULL;
    }
    struct dgram *d = dgram_get(t, pkt);
    if (d && d->done && off + pkt->payload_wire_len > d->end) {
        /* Bytes a complete datagram never had: another datagram. */
        dgram_destroy(t, d);
        d = dgram_get(t, pkt);
    }
    if (d && d->done) {
        /* A late copy of part of a complete datagram: compared, never reassembled
         * again. */
        info->late = 1;
        t->stats.late++;
    } else if (!d || !dgram_grow(t, d, off + n)) {
        return NULL;
    }
    dgram_put(d, pkt, info);
    if (info->differ && !(d = judge_conflict(t, d, pkt, info)))
        return NULL;
    if (info->overlap)
        t->stats.overlaps++;
    if (info->differ)
        t->stats.conflicts++;
    if (d->done) {
        piece_add(t, d, pkt, info);
        return NULL;
    }
    piece_add(t, d, pkt, info);

    if (off == 0 && !d->has_first) {
        size_t hl = pkt->ip_version == 4 ? pkt->ip_hlen : 40;
        if (hl <= sizeof d->hdr) {
            memcpy(d->hdr, pkt->l3, hl);
            d->hdr_len = (uint8_t)hl;
            d->has_first = 1;
        }
    }
    if (!pkt->mf && !d->has_last) {
        d->has_last = 1;
        d->end = off + pkt->payload_wire_len;
    }
    if (d->has_first && d->has_last && d->covered >= d->end && d->end <= d->cap) {
        /* Complete: every byte of [0, end) is present (bytes past a later "last"
         * fragment's end do not count against it). */
        uint32_t have = 0;
        for (uint32_t p = 0; p < d->end; p++)
            have += (d->present[p >> 3] >> (p & 7)) & 1;
        if (have == d->end &&
            (uint32_t)d->hdr_len + d->end > FRAG_MAX_DATAGRAM + 40u * (d->key.version == 6)) {
            /* A first fragment with options pushed the whole past the length field. */
            t->stats.too_big++;
            dgram_destroy(t, d);
            return NULL;
        }
        if (have == d->end) {
            *len = build_datagram(t, d);
            info->completed = 1;
            t->stats.reassembled++;
            if (pieces_mixed(d)) {
                info->mixed = 1;
                t->stats.mixed++;
            }
            dgram_keep(t, d, pkt->ts_ns);
            return t->out;
        }
    }
    return NULL;
}
