/* secondsight - a TCP direction's header baseline in one place: the sample of one
 * packet's headers (from a packet, a logged segment or a handshake fingerprint),
 * learning it (after the detectors ran), un-learning one (so both copies of a race are
 * judged against the packets that are neither) and judging a sample against it. A tell
 * fires only when the baseline has seen a different value and never this one, so a
 * direction's first packets, hosts with random IP-IDs and stacks without timestamps
 * raise nothing. */
#include "flow-baseline.h"

#include <stdlib.h>
#include <string.h>

#include "util-seq.h"

int ttl_hops(uint8_t ttl)
{
    static const int initial[] = {32, 64, 128, 255};
    for (size_t i = 0; i < sizeof initial / sizeof initial[0]; i++)
        if (ttl <= initial[i])
            return initial[i] - ttl;
    return 0;
}

static int ttl_initial(uint8_t ttl)
{
    return ttl_hops(ttl) + ttl;
}

void fp_from_packet(struct fp_sample *s, const struct packet *pkt)
{
    memset(s, 0, sizeof *s);
    s->frame = FRAME_REF(pkt->file_index, pkt->frame);
    s->ts_ns = pkt->ts_ns;
    s->seq = pkt->u.tcp.seq;
    s->ack = pkt->u.tcp.ack;
    s->len = pkt->payload_len;
    s->tsval = pkt->u.tcp.tsval;
    s->ip_id = pkt->ip_id;
    s->window = pkt->u.tcp.window;
    s->ttl = pkt->ttl;
    s->flags = pkt->u.tcp.flags;
    s->df = pkt->df != 0;
    s->has_ts = pkt->u.tcp.has_ts != 0;
    s->ip_version = pkt->ip_version & 0xf;
    s->reserved = pkt->u.tcp.reserved & 0xf;
}

void fp_from_segment(struct fp_sample *s, const struct tcp_segment *seg, uint32_t seq)
{
    *s = seg->hdr;
    s->seq = seq;
}

void baseline_unlearn(struct tcp_baseline *b, const struct fp_sample *s)
{
    for (int i = 0; i < 2; i++)
        if (b->ttl_n[i] && b->ttl[i] == s->ttl) {
            b->ttl_n[i]--;
            break;
        }
    if (s->df && b->df_n)
        b->df_n--;
    else if (!s->df && b->nodf_n)
        b->nodf_n--;
    if (!(s->flags & (TH_SYN | TH_RST))) {
        if (s->has_ts && b->ts_n)
            b->ts_n--;
        else if (!s->has_ts && b->nots_n)
            b->nots_n--;
    }
    if (b->pkts)
        b->pkts--;
}

/* Count of baseline packets with this TTL, and the nearest TTL that has any. */
static uint32_t ttl_support(const struct tcp_baseline *b, uint8_t ttl, int *nearest)
{
    uint32_t n = 0;
    int best = -1;
    for (int i = 0; i < 2; i++) {
        if (!b->ttl_n[i])
            continue;
        if (b->ttl[i] == ttl)
            n = b->ttl_n[i];
        else if (best < 0 || abs((int)b->ttl[i] - ttl) < abs(best - ttl))
            best = b->ttl[i];
    }
    *nearest = best;
    return n;
}

/* Timestamps were negotiated when both handshake packets carried them (RFC 7323
 * section 3.2: then every non-RST segment must). Without a handshake in the capture,
 * a direction that always sent them counts as having negotiated. */
int baseline_ts_negotiated(const struct tcp_baseline *b, const struct tcp_dir *d,
                           const struct tcp_dir *o)
{
    if ((d->flags & TDF_HS) && (o->flags & TDF_HS))
        return d->hs.hdr.has_ts && o->hs.hdr.has_ts;
    return b->ts_n >= 2 && b->nots_n == 0;
}

/* The peer sent a packet whose IP-ID and window this sample repeats. */
static int mirrors_peer(const struct tcp_dir *o, const struct fp_sample *s)
{
    if (s->ip_version != 4 || s->ip_id == 0)
        return 0;
    const struct fp_sample *l = &o->last.hdr;
    if (l->ip_id == s->ip_id && l->window == s->window && l->ts_ns <= s->ts_ns)
        return 1;
    const struct tcp_window *w = o->win;
    for (uint32_t k = 0; w && k < w->seg_count; k++) {
        const struct fp_sample *g = &w->segs[k].hdr;
        if (g->ip_id == s->ip_id && g->window == s->window && g->ts_ns <= s->ts_ns)
            return 1;
    }
    return 0;
}

void baseline_judge(const struct tcp_baseline *b, const struct tcp_dir *d, const struct tcp_dir *o,
                    const struct fp_sample *s, struct fp_verdict *v)
{
    memset(v, 0, sizeof *v);
    int nearest;
    if (!ttl_support(b, s->ttl, &nearest) && nearest >= 0 && abs(nearest - s->ttl) >= 2) {
        v->tells |= TELL_TTL;
        v->score += 1;
        v->distinct++;
        if (abs(nearest - s->ttl) >= 5 || ttl_initial((uint8_t)nearest) != ttl_initial(s->ttl)) {
            v->tells |= TELL_TTL_FAR;
            v->score += 1;
        }
    }
    /* A TTL of a few while the direction's packets arrive with far more: it expires
     * within a few hops of the capture point, so the receiver may never have seen it
     * (an insertion decoy, Ptacek and Newsham, 1998). */
    if (s->ttl <= 4 && nearest > 8) {
        v->tells |= TELL_TTL_EXPIRING;
        v->score += 1;
        v->distinct++;
    }
    if ((s->df && !b->df_n && b->nodf_n >= 1) || (!s->df && !b->nodf_n && b->df_n >= 1)) {
        v->tells |= TELL_DF;
        v->score += 1;
        v->distinct++;
    }
    if (!(s->flags & TH_RST) && !s->has_ts && baseline_ts_negotiated(b, d, o)) {
        v->tells |= TELL_NO_TS;
        v->score += 2;
        v->distinct++;
    } else if (s->has_ts && b->ts_n >= 1 && seq_diff(s->tsval, b->tsval_last) < -(1 << 24)) {
        /* More than 2^24 ticks back: no clock wraps or jitters that far. */
        v->tells |= TELL_TS_BACK;
        v->score += 1;
        v->distinct++;
    }
    uint32_t wins = b->ts_n + b->nots_n;
    if (!(s->flags & (TH_SYN | TH_RST)) && wins >= 2 && s->window != 0 &&
        ((uint32_t)s->window * 4 < b->win_min || s->window > (uint32_t)b->win_max * 4 + 64)) {
        v->tells |= TELL_WINDOW;
        v->score += 1;
        v->distinct++;
    }
    if (s->reserved && !b->reserved_n && b->pkts >= 2) {
        v->tells |= TELL_RESERVED;
        v->score += 1;
        v->distinct++;
    }
    if (mirrors_peer(o, s)) {
        v->tells |= TELL_MIRROR;
        v->score += 2;
        v->distinct++;
    }
}

static void baseline_ttl(struct tcp_baseline *b, uint8_t ttl)
{
    for (int i = 0; i < 2; i++) {
        if (b->ttl_n[i] && b->ttl[i] == ttl) {
            b->ttl_n[i]++;
            return;
        }
        if (!b->ttl_n[i]) {
            b->ttl[i] = ttl;
            b->ttl_n[i] = 1;
            return;
        }
    }
    b->ttl_other_n++;
}

void baseline_learn(struct tcp_baseline *b, const struct fp_sample *s)
{
    /* A RST is what forgers send most and middleboxes send for hosts: it never
     * teaches the baseline what the sender looks like. */
    if (s->flags & TH_RST)
        return;

    baseline_ttl(b, s->ttl);
    if (s->df)
        b->df_n++;
    else
        b->nodf_n++;
    if (s->ip_version == 4 && b->pkts) {
        uint16_t delta = (uint16_t)(s->ip_id - b->ip_id_last);
        if (delta == 0)
            b->ipid_same_n++;
        else if (delta <= 1024)
            b->ipid_inc_n++;
        else
            b->ipid_jump_n++;
    }
    b->ip_id_last = s->ip_id;
    if (!(s->flags & (TH_SYN | TH_RST))) {
        int first = b->ts_n + b->nots_n == 0;
        if (s->has_ts)
            b->ts_n++;
        else
            b->nots_n++;
        if (first || s->window < b->win_min)
            b->win_min = s->window;
        if (first || s->window > b->win_max)
            b->win_max = s->window;
    }
    if (s->has_ts)
        b->tsval_last = s->tsval;
    if (s->reserved)
        b->reserved_n++;
    b->pkts++;
}
