/* secondsight diff - sequence ranges: the TCP data segments of both sides kept a while
 * with their bytes, so that a lone segment is judged by what the other side carried
 * over the same sequence range, however it was cut.
 *
 * A device (or the sender's retransmission) may cut a stream into other segments:
 * their copies then never pair by content, yet every byte crossed. A forger may
 * start its copy at another sequence number than the segment it replaces: no twin by
 * the starting number, yet different bytes over the same range. Both are told by
 * comparing the bytes where the ranges overlap: every kept byte, not a prefix.
 *
 * Bounded: DIFF_RANGE_SLOTS segments and DIFF_RANGE_BYTES of their bytes in rings, the
 * newest writing over the oldest; a range whose bytes were written over is not
 * compared (counted). A lone segment walks only the chain of its own tuple hash,
 * newest first, back to the start of its window. */
#include "diff-int.h"

#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "util-hash.h"

/* DIFF_RANGE_SLOTS is a power of two: it also sizes the tuple-hash chains. */
_Static_assert((DIFF_RANGE_SLOTS & (DIFF_RANGE_SLOTS - 1)) == 0, "a power of two");

int diff_range_init(struct diff *d)
{
    d->ranges = calloc(DIFF_RANGE_SLOTS, sizeof *d->ranges);
    d->range_heads = calloc(DIFF_RANGE_SLOTS, sizeof *d->range_heads);
    d->range_bytes = malloc(DIFF_RANGE_BYTES);
    return d->ranges && d->range_heads && d->range_bytes;
}

void diff_range_free(struct diff *d)
{
    free(d->ranges);
    free(d->range_heads);
    free(d->range_bytes);
}

/* The chain of segments sent from e's source to its destination on one side: only
 * those are walked, newest first. */
static uint64_t *range_head(const struct diff *d, int side, uint8_t v, const struct ends *e)
{
    uint8_t buf[2 + sizeof *e];
    buf[0] = (uint8_t)side;
    buf[1] = v;
    memcpy(buf + 2, e, sizeof *e);
    return &d->range_heads[siphash13(d->key, buf, sizeof buf) & (DIFF_RANGE_SLOTS - 1)];
}

uint64_t diff_range_add(struct diff *d, const struct copy *x)
{
    const struct summary *s = x->s;
    if (s->proto != IPPROTO_NUM_TCP || !s->l4_ok || !s->payload_wire_len)
        return 0;
    uint64_t id = ++d->range_next;
    struct range *r = &d->ranges[id % DIFF_RANGE_SLOTS];
    memset(r, 0, sizeof *r);
    r->used = 1;
    r->id = id;
    r->side = x->side;
    r->v = s->v;
    memcpy(r->e.src, s->src, 16);
    memcpy(r->e.dst, s->dst, 16);
    r->e.sport = s->sport;
    r->e.dport = s->dport;
    uint64_t *head = range_head(d, x->side, s->v, &r->e);
    r->prev = *head;
    *head = id;
    r->seq = s->seq;
    r->len = s->payload_wire_len;
    r->ts = x->ts;
    r->frame = x->frame;
    r->blen = x->bytes && x->len ? x->len : 0;
    if (r->blen > DIFF_KEEP_BYTES)
        r->blen = DIFF_KEEP_BYTES;
    if (r->blen) { /* contiguous: skip to the ring's start when it would wrap */
        uint64_t at = d->range_head % DIFF_RANGE_BYTES;
        if (at + r->blen > DIFF_RANGE_BYTES)
            d->range_head += DIFF_RANGE_BYTES - at;
        r->pos = d->range_head;
        memcpy(d->range_bytes + r->pos % DIFF_RANGE_BYTES, x->bytes, r->blen);
        d->range_head += r->blen;
    }
    return id;
}

void diff_range_paired(struct diff *d, uint64_t range)
{
    struct range *r = &d->ranges[range % DIFF_RANGE_SLOTS];
    if (range && r->id == range)
        r->paired = 1;
}

/* The range's tuple is direction `dir` of the conversation on its side. */
static int range_of(const struct range *r, const struct conv *c, uint8_t dir)
{
    const struct ends *t = &c->t[r->side];
    if (!c->has[r->side] || r->v != c->v)
        return 0;
    if (!dir)
        return !memcmp(r->e.src, t->src, 16) && !memcmp(r->e.dst, t->dst, 16) &&
               r->e.sport == t->sport && r->e.dport == t->dport;
    return !memcmp(r->e.src, t->dst, 16) && !memcmp(r->e.dst, t->src, 16) &&
           r->e.sport == t->dport && r->e.dport == t->sport;
}

void diff_range_overlap(struct diff *d, const struct copy *x, const struct conv *c, int lone,
                        struct overlap *o)
{
    const struct summary *s = x->s;
    memset(o, 0, sizeof *o);
    uint32_t len = s->payload_wire_len;
    if (s->proto != IPPROTO_NUM_TCP || !len || !c->has[DIFF_INSIDE] || !c->has[DIFF_OUTSIDE])
        return;
    /* Which of x's bytes the other side carried (a bitmap would be exact; a segment
     * is at most 64 KiB, so count the covered span per overlap and merge below). */
    uint8_t covered[DIFF_KEEP_BYTES / 8 + 1];
    memset(covered, 0, sizeof covered);
    uint32_t kept = x->bytes ? (x->len < DIFF_KEEP_BYTES ? x->len : DIFF_KEEP_BYTES) : 0;
    uint32_t wire_covered = 0;
    int other = !x->side;
    uint32_t off = other == DIFF_OUTSIDE ? c->off[x->dir] : 0;
    struct ends want = c->t[other]; /* direction x->dir as the other side sees it */
    if (x->dir) {
        memcpy(want.src, c->t[other].dst, 16);
        memcpy(want.dst, c->t[other].src, 16);
        want.sport = c->t[other].dport;
        want.dport = c->t[other].sport;
    }
    const struct range *r;
    for (uint64_t id = *range_head(d, other, c->v, &want); id; id = r->prev) {
        r = &d->ranges[id % DIFF_RANGE_SLOTS];
        /* written over: the rest of the chain is older still; before the window:
         * the chain is newest first, so no more */
        if (r->id != id || r->ts < x->ts - d->window || r->prev >= id)
            break;
        if (r->side != other || (lone && r->paired) || r->ts > x->ts + d->window ||
            !range_of(r, c, x->dir))
            continue;
        uint32_t rseq = r->seq - off; /* in the inside numbering */
        int32_t from = (int32_t)(rseq - s->nseq);
        int32_t lo = from > 0 ? from : 0;
        int64_t hi = (int64_t)from + r->len < (int64_t)len ? (int64_t)from + r->len : len;
        if (hi <= lo)
            continue;
        o->overlaps++;
        wire_covered += (uint32_t)(hi - lo);
        const uint8_t *rb = r->blen && d->range_head - r->pos <= DIFF_RANGE_BYTES
                                ? d->range_bytes + r->pos % DIFF_RANGE_BYTES
                                : NULL;
        if (r->blen && !rb)
            d->ds.ranges_overwritten++;
        for (int64_t i = lo; i < hi; i++) {
            int64_t j = i - from; /* the byte's place in r */
            if (i >= kept || !rb || j >= r->blen)
                continue; /* not kept on one side: not compared */
            o->compared++;
            covered[i / 8] |= (uint8_t)(1u << (i % 8));
            if (x->bytes[i] != rb[j] && !o->differ++) {
                o->first_off = (uint32_t)i;
                o->frame = r->frame;
                o->before = rb[j];
                o->after = x->bytes[i];
            }
        }
    }
    /* Every byte of x carried by the other side: the kept ones compared, and the wire
     * length covered (overlapping ranges may count some twice: then kept bytes decide). */
    uint32_t ncov = 0;
    for (uint32_t i = 0; i < kept; i++)
        ncov += (covered[i / 8] >> (i % 8)) & 1u;
    o->whole = kept ? ncov == kept && (kept < len ? wire_covered >= len : 1) : wire_covered >= len;
}
