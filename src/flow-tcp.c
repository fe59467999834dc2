/* secondsight - per-direction TCP state: handshake fingerprint, stream positions that
 * survive sequence wraparound, and a window of recent payload bytes that keeps the
 * first copy of every byte so a later, different copy can be compared. */
#include <stddef.h>
#include <string.h>

#include "flow-baseline.h"
#include "flow.h"
#include "util-checksum.h"
#include "util-seq.h"

static void fingerprint_fill(struct tcp_fingerprint *fp, const struct packet *pkt)
{
    const struct tcp_view *th = &pkt->u.tcp;
    fp_from_packet(&fp->hdr, pkt);
    fp->mss = th->mss;
    fp->has_mss = th->has_mss;
    fp->has_wscale = th->has_wscale;
    fp->has_sack_perm = th->has_sack_perm;
    fp->wscale = th->wscale;
    fp->nopts = th->nopts;
    memcpy(fp->opt_kinds, th->opt_kinds, th->nopts);
}

/* Sets or clears the presence bits of stream positions [from, to), at most one window
 * long: whole bytes at a time, single bits only at the ragged ends. */
static void bits_update(uint8_t *bits, uint32_t size, int64_t from, int64_t to, int set)
{
    while (from < to) {
        uint32_t i = (uint32_t)from & (size - 1);
        uint32_t run = size - i; /* up to the end of the ring */
        if ((int64_t)run > to - from)
            run = (uint32_t)(to - from);
        uint32_t end = i + run;
        for (; i < end && (i & 7); i++) /* leading bits */
            bits[i >> 3] = set ? (uint8_t)(bits[i >> 3] | (1u << (i & 7)))
                               : (uint8_t)(bits[i >> 3] & ~(1u << (i & 7)));
        uint32_t whole = (end - i) & ~7u;
        memset(bits + (i >> 3), set ? 0xff : 0, whole >> 3);
        for (i += whole; i < end; i++) /* trailing bits */
            bits[i >> 3] = set ? (uint8_t)(bits[i >> 3] | (1u << (i & 7)))
                               : (uint8_t)(bits[i >> 3] & ~(1u << (i & 7)));
        from += run;
    }
}

static void bits_clear_all(struct tcp_window *w)
{
    memset(w->present, 0, w->size / 8);
}

/* Copies [from, to) of the segment starting at `start` into the ring. */
static void ring_write(struct tcp_window *w, int64_t start, const uint8_t *data, int64_t from,
                       int64_t to)
{
    while (from < to) {
        uint32_t i = (uint32_t)from & (w->size - 1);
        uint32_t n = w->size - i;
        if ((int64_t)n > to - from)
            n = (uint32_t)(to - from);
        memcpy(w->bytes + i, data + (from - start), n);
        from += n;
    }
}

static void segment_fill(struct tcp_segment *s, const struct packet *pkt, int64_t pos, uint32_t len,
                         int whole)
{
    s->pos = pos;
    fp_from_packet(&s->hdr, pkt);
    s->hdr.len = len;
    s->whole = whole && pkt->payload_len == pkt->payload_wire_len;
    s->hdr_sum = 0;
    if (s->whole) {
        uint32_t hlen = pkt->u.tcp.hlen;
        s->hdr_sum = csum_add(transport_pseudo_sum(pkt, hlen + len), pkt->l4, hlen);
    }
}

static void seglog_add(struct tcp_window *w, const struct packet *pkt, int64_t pos, uint32_t len,
                       int whole)
{
    struct tcp_segment *s = &w->segs[w->seg_next];
    w->seg_next = (w->seg_next + 1) % w->seg_cap;
    if (w->seg_count < w->seg_cap)
        w->seg_count++;
    segment_fill(s, pkt, pos, len, whole);
}

/* A segment stored with a gap before it also goes into the ahead log: the gap's filling
 * can push it out of the segment log before its bytes are compared. The oldest entry
 * gives way; counted in `info->forgotten` when its bytes may still be held. */
static void ahead_add(struct tcp_window *w, const struct packet *pkt, int64_t pos, uint32_t len,
                      int whole, struct tcp_seg_info *info)
{
    struct tcp_segment *s = &w->ahead[w->ahead_next];
    w->ahead_next = (w->ahead_next + 1) % w->ahead_cap;
    if (s->hdr.len && s->pos + (int64_t)s->hdr.len > w->hi - (int64_t)w->size)
        info->forgotten++;
    segment_fill(s, pkt, pos, len, whole);
}

uint32_t flow_window_read(const struct tcp_window *w, int64_t pos, uint32_t len, uint8_t *buf)
{
    uint32_t n = 0;
    if (!w)
        return 0;
    for (; n < len; n++) {
        int64_t p = pos + n;
        uint32_t i = (uint32_t)p & (w->size - 1);
        if (p < w->hi - (int64_t)w->size || p >= w->hi || !(w->present[i >> 3] & (1u << (i & 7))))
            break;
        buf[n] = w->bytes[i];
    }
    return n;
}

int flow_segment_checksum(const struct tcp_window *w, const struct tcp_segment *s)
{
    if (!s->whole || s->pos < w->hi - (int64_t)w->size || s->pos + (int64_t)s->hdr.len > w->hi)
        return CSUM_UNKNOWN;
    /* The bytes may wrap around the ring: two pieces. When the first is odd, the second
     * starts mid-word, so its folded sum is byte-swapped before it is added. */
    uint32_t i = (uint32_t)s->pos & (w->size - 1);
    uint32_t n1 = w->size - i < s->hdr.len ? w->size - i : s->hdr.len;
    uint64_t sum = csum_add(s->hdr_sum, w->bytes + i, n1);
    if (n1 < s->hdr.len) {
        uint64_t s2 = csum_add(0, w->bytes, s->hdr.len - n1);
        if (n1 & 1) {
            while (s2 >> 16)
                s2 = (s2 & 0xffff) + (s2 >> 16);
            s2 = ((s2 & 0xff) << 8) | (s2 >> 8);
        }
        sum += s2;
    }
    return csum_fold(sum) == 0xffff ? CSUM_OK : CSUM_BAD;
}

static int seglog_match(const struct tcp_segment *s, int64_t at, const struct tcp_seg_info *info)
{
    if (!s->hdr.len || s->pos > at || at >= s->pos + (int64_t)s->hdr.len)
        return 0;
    for (uint8_t k = 0; k < info->nprior; k++)
        if (info->prior[k].hdr.frame == s->hdr.frame && info->prior[k].pos == s->pos)
            return 0; /* in both logs */
    return 1;
}

/* The earlier segments that hold stream position `at`: the segment log's newest first,
 * then those of the ahead log. None found is counted in `info->forgotten`. */
static void seglog_find(const struct tcp_window *w, int64_t at, struct tcp_seg_info *info)
{
    for (uint32_t k = 1; k <= w->seg_count && info->nprior < 4; k++) {
        const struct tcp_segment *s = tcp_seglog_newest(w, k);
        if (seglog_match(s, at, info))
            info->prior[info->nprior++] = *s;
    }
    for (uint32_t k = 1; k <= w->ahead_cap && info->nprior < 4; k++) {
        const struct tcp_segment *s = &w->ahead[(w->ahead_next + w->ahead_cap - k) % w->ahead_cap];
        if (seglog_match(s, at, info))
            info->prior[info->nprior++] = *s;
    }
    if (!info->nprior)
        info->forgotten++;
}

/* Compares the payload at [start, start+len) with what the window holds, then stores
 * the bytes it did not hold yet (the first copy of a byte is the one kept). */
static void window_add(struct tcp_window *w, const struct packet *pkt, int64_t start,
                       struct tcp_seg_info *info)
{
    const uint8_t *data = pkt->payload;
    int64_t end = start + pkt->payload_len;
    int64_t old_hi = w->hi;
    int64_t old_lo = old_hi - (int64_t)w->size;
    if (old_lo < w->base)
        old_lo = w->base;

    /* First the bytes that overlap earlier data, against the window as it stands. */
    if (start < old_hi) {
        int64_t ov_end = end < old_hi ? end : old_hi;
        int64_t from = start;
        if (from < old_lo) {
            /* Older than the window: whether these bytes match can no longer be told. */
            int64_t stale_end = ov_end < old_lo ? ov_end : old_lo;
            info->unverifiable += (uint32_t)(stale_end - from);
            from = stale_end;
        }
        for (int64_t p = from; p < ov_end; p++) {
            uint32_t i = (uint32_t)p & (w->size - 1);
            uint8_t bit = (uint8_t)(1u << (i & 7));
            uint8_t b = data[p - start];
            if (w->present[i >> 3] & bit) {
                info->overlap++;
                if (w->bytes[i] != b) {
                    if (info->differ++ == 0)
                        info->first_diff = p;
                }
            } else {
                w->bytes[i] = b;
                w->present[i >> 3] |= bit;
            }
        }
    }
    /* Every byte is a first copy that stays in the window. */
    int whole = start >= old_hi && start >= end - (int64_t)w->size;
    /* Then the new territory beyond: advance the window and store. */
    if (end > old_hi) {
        if (end - old_hi >= (int64_t)w->size)
            bits_clear_all(w);
        else
            bits_update(w->present, w->size, old_hi, end, 0);
        w->hi = end;
        int64_t from = start > old_hi ? start : old_hi;
        if (from < end - (int64_t)w->size)
            from = end - (int64_t)w->size;
        ring_write(w, start, data, from, end);
        bits_update(w->present, w->size, from, end, 1);
    }
    if (info->differ)
        seglog_find(w, info->first_diff, info);
    seglog_add(w, pkt, start, pkt->payload_len, whole);
    if (start > old_hi)
        ahead_add(w, pkt, start, pkt->payload_len, whole, info);
}

/* Notes that a stream position reached `pos` at `now`; the fastest advance over an
 * interval of at least TCP_LAP_RATE_NS is the rate kept. */
static void rate_note(struct tcp_rate *r, int64_t pos, int64_t now)
{
    if (!r->ts || now < r->ts || pos < r->pos) {
        r->ts = now;
        r->pos = pos;
        return;
    }
    int64_t dt = now - r->ts;
    if (dt < TCP_LAP_RATE_NS)
        return;
    int64_t adv = pos - r->pos;
    if (adv > TCP_MAX_JUMP)
        adv = TCP_MAX_JUMP;
    uint64_t rate = (uint64_t)((double)adv * 1e9 / (double)dt);
    if (rate > r->peak)
        r->peak = rate;
    r->ts = now;
    r->pos = pos;
}

/* Whether [start, start + len) overlaps bytes the window holds with other values. */
static int window_differs(const struct tcp_window *w, const uint8_t *data, int64_t start,
                          uint32_t len)
{
    int64_t lo = w->hi - (int64_t)w->size;
    if (lo < w->base)
        lo = w->base;
    if (lo < start)
        lo = start;
    int64_t hi = start + len < w->hi ? start + len : w->hi;
    for (int64_t p = lo; p < hi; p++) {
        uint32_t i = (uint32_t)p & (w->size - 1);
        if ((w->present[i >> 3] & (1u << (i & 7))) && w->bytes[i] != data[p - start])
            return 1;
    }
    return 0;
}

/* A segment whose sequence numbers fall on bytes already seen, with other bytes, and
 * that is really the next 4 GiB lap of the stream: a long transfer captured with a
 * gap (sampled, or a burst the capture lost) comes round the 32-bit sequence space
 * between two captured packets. It is taken as a lap only when the sender can have
 * sent that much since the earlier copy, at the fastest rate its stream end or the
 * peer's cumulative ACK moved, and, when it sends TCP timestamps, its clock moved on
 * as well (PAWS, RFC 7323 section 5: a segment of a later lap carries a newer TSval,
 * and the clock ticks at least once a second). A copy that came sooner, or with an
 * old or frozen TSval, is a race within one lap and is compared. */
static int lap_ahead(const struct tcp_dir *d, const struct packet *pkt, int64_t pos)
{
    const struct tcp_view *th = &pkt->u.tcp;
    if (!d->win || pos >= d->next_pos || !pkt->payload_len || (th->flags & TH_RST))
        return 0;
    /* A keep-alive's byte at the stream end minus one is garbage by design, however
     * long the connection idled (RFC 9293 section 3.8.4): not a lap. */
    if (pkt->payload_len == 1 && pos == d->next_pos - 1)
        return 0;
    uint64_t rate = d->data_rate.peak > d->ack_rate.peak ? d->data_rate.peak : d->ack_rate.peak;
    int64_t dt = pkt->ts_ns - d->data_ts;
    if (!rate || dt <= 0)
        return 0;
    double need = (double)((int64_t)1 << 32) - (double)(d->next_pos - pos);
    if ((double)dt * (double)rate / 1e9 < need)
        return 0;
    if (d->data_has_ts && (!th->has_ts || !seq_gt(th->tsval, d->data_tsval) ||
                           (int64_t)(th->tsval - d->data_tsval) < dt / 1000000000 - 1))
        return 0;
    return window_differs(d->win, pkt->payload, pos, pkt->payload_len);
}

/* Moves the direction to the next lap at `pos`: nothing of the old lap is held. */
static void lap_rebase(struct flow_table *t, struct tcp_dir *d, int64_t pos, uint32_t data_seq)
{
    struct tcp_window *w = d->win;
    bits_clear_all(w);
    w->hi = w->base = pos;
    w->seg_next = w->seg_count = w->ahead_next = 0;
    memset(w->ahead, 0, w->ahead_cap * sizeof *w->ahead);
    d->next_pos = pos;
    d->next_seq = data_seq;
    d->data_rate.ts = d->ack_rate.ts = 0;
    flow_note_lap(t);
}

static void dir_reset(struct tcp_dir *d)
{
    struct tcp_window *w = d->win;
    memset(d, 0, sizeof *d);
    if (w) { /* keep the allocation, forget the bytes */
        bits_clear_all(w);
        w->hi = w->base = 0;
        w->seg_next = w->seg_count = w->ahead_next = 0;
        memset(w->ahead, 0, w->ahead_cap * sizeof *w->ahead);
        d->win = w;
    }
}

/* A SYN never occurs inside a connection: one on a 4-tuple that already carried
 * something other than this very SYN is a new connection (port reuse after a refused,
 * finished, forgotten or mid-stream-captured one), not a continuation of the old
 * stream. A retransmitted SYN keeps its ISN; a peer that sent only its own SYN is a
 * simultaneous open. */
static void syn_on_used_tuple(struct flow_table *t, struct flow *f, int dir,
                              const struct packet *pkt)
{
    const struct tcp_dir *d = &f->tcp[dir];
    const struct tcp_dir *o = &f->tcp[!dir];
    int same_syn = (d->flags & TDF_SYN) && pkt->u.tcp.seq == d->isn;
    int peer_busy = (o->flags & TDF_SYNC) &&
                    (!(o->flags & TDF_SYN) || o->next_pos > 0 || (o->flags & (TDF_FIN | TDF_RST)));
    if (!same_syn && ((d->flags & TDF_SYNC) || peer_busy)) {
        dir_reset(&f->tcp[0]);
        dir_reset(&f->tcp[1]);
        f->tcp_state = FLOW_TCP_NEW;
        f->first_ts = pkt->ts_ns;
        flow_note_reuse(t, f);
    }
}

/* A segment within reach of the stream: its payload into the window, the stream end
 * and the FIN/RST state moved. */
static void stream_add(struct flow_table *t, struct flow *f, struct tcp_dir *d,
                       const struct packet *pkt, uint32_t data_seq, struct tcp_seg_info *info)
{
    const struct tcp_view *th = &pkt->u.tcp;
    int64_t pos = info->pos;
    int64_t end_wire = pos + pkt->payload_wire_len;
    /* RST payload is diagnostic text, not stream data (RFC 9293 section 3.5.3). */
    if (pkt->payload_len > 0 && !(th->flags & TH_RST)) {
        if (!d->win) {
            d->win = flow_window_alloc(t, f);
            /* Nothing before the stream's end so far is held: it is unverifiable. */
            if (d->win)
                d->win->hi = d->win->base = d->next_pos;
        }
        /* A stream delivered strictly in order needs only its last bytes, for the
         * copy that may follow; the first retransmission, overlap or gap shows a
         * direction whose older bytes may come again: it gets the full window. */
        if (d->win && pos != d->win->hi)
            d->win = flow_window_grow(t, f, (int)(d - f->tcp), 1);
        /* A first window's short segment log would lose its oldest entry: the next
         * class's full-length log keeps it, as a one-page window always did. */
        else if (d->win && d->win->seg_count == d->win->seg_cap && d->win->seg_cap < TCP_SEGLOG)
            d->win = flow_window_grow(t, f, (int)(d - f->tcp), 0);
        if (d->win)
            window_add(d->win, pkt, pos, info);
        if (info->forgotten)
            flow_note_forgotten(t, info->forgotten);
        flow_note_unverifiable(t, info->unverifiable);
    }
    /* A RST carries no stream data and its sequence number is the one field a blind
     * forger guesses: it never moves the stream end. */
    if (end_wire > d->next_pos && !(th->flags & TH_RST)) {
        d->next_pos = end_wire;
        d->next_seq = data_seq + pkt->payload_wire_len;
        rate_note(&d->data_rate, end_wire, pkt->ts_ns);
    }
    if (pkt->payload_len > 0 && !(th->flags & TH_RST)) {
        d->data_ts = pkt->ts_ns;
        d->data_tsval = th->tsval;
        d->data_has_ts = th->has_ts;
    }
    if ((th->flags & TH_FIN) && !(d->flags & TDF_FIN)) {
        d->flags |= TDF_FIN;
        d->fin_pos = end_wire;
    }
    if (th->flags & (TH_FIN | TH_RST)) {
        if (th->flags & TH_RST)
            d->flags |= TDF_RST;
        if (!d->close_ts)
            d->close_ts = pkt->ts_ns;
        f->tcp_state = FLOW_TCP_CLOSING;
    }
}

void flow_tcp_update(struct flow_table *t, struct flow *f, int dir, const struct packet *pkt,
                     struct tcp_seg_info *info)
{
    struct tcp_dir *d = &f->tcp[dir];
    struct tcp_dir *o = &f->tcp[!dir];
    const struct tcp_view *th = &pkt->u.tcp;
    int syn = (th->flags & TH_SYN) != 0;
    int ack = (th->flags & TH_ACK) != 0;

    /* Everything but the copies of prior segments, valid only up to nprior: most of
     * the struct's bytes, on every segment. */
    memset(info, 0, offsetof(struct tcp_seg_info, prior));
    memset(&info->after_close, 0, sizeof *info - offsetof(struct tcp_seg_info, after_close));
    if (syn && !ack)
        syn_on_used_tuple(t, f, dir, pkt);

    info->after_close = (d->flags & (TDF_FIN | TDF_RST)) != 0;

    if (syn && ack && (d->flags & TDF_SYN) && th->seq != d->isn && !(d->flags & TDF_ALT_ISN)) {
        /* A second SYN/ACK with another ISN: keep the first until the peer's ACK says
         * which one it took (a detector judges whether this was a hijack). */
        d->flags |= TDF_ALT_ISN;
        d->alt_isn = th->seq;
    }
    if (ack && !syn && (o->flags & TDF_ALT_ISN) && o->next_pos == 0 && th->ack == o->alt_isn + 1 &&
        th->ack != o->isn + 1) {
        o->isn = o->alt_isn;
        o->next_seq = o->alt_isn + 1;
        o->flags &= ~(uint32_t)TDF_ALT_ISN;
        info->isn_switched = 1;
    }
    /* A RST's acknowledgment field acknowledges nothing a live socket received. */
    if (ack && !(th->flags & TH_RST) && (!(d->flags & TDF_ACKED) || seq_gt(th->ack, d->max_ack))) {
        d->flags |= TDF_ACKED;
        d->max_ack = th->ack;
        if (o->flags & TDF_SYNC)
            rate_note(&o->ack_rate, seq_unwrap(th->ack, o->next_seq, o->next_pos), pkt->ts_ns);
    }
    if (syn && !(d->flags & TDF_SYN)) {
        d->flags |= TDF_SYN | TDF_SYNC | TDF_HS;
        d->isn = th->seq;
        d->next_seq = th->seq + 1;
        d->next_pos = 0;
        fingerprint_fill(&d->hs, pkt);
        d->pkts_since_hs = 0;
        if (f->tcp_state == FLOW_TCP_NEW)
            f->tcp_state = ack ? FLOW_TCP_SYN_RECEIVED : FLOW_TCP_SYN_SENT;
        else if (f->tcp_state == FLOW_TCP_SYN_SENT && ack)
            f->tcp_state = FLOW_TCP_SYN_RECEIVED;
    }
    if (!(d->flags & TDF_SYNC)) {
        /* Picked up mid-stream: this segment defines position 0. */
        d->flags |= TDF_SYNC;
        d->next_seq = th->seq + (uint32_t)syn;
        d->next_pos = 0;
    }
    if (!syn && ack && f->tcp_state != FLOW_TCP_CLOSING &&
        (f->tcp_state == FLOW_TCP_SYN_RECEIVED || f->tcp_state == FLOW_TCP_NEW))
        f->tcp_state = FLOW_TCP_ESTABLISHED;

    uint32_t data_seq = th->seq + (uint32_t)syn;
    int64_t pos = seq_unwrap(data_seq, d->next_seq, d->next_pos);
    if (lap_ahead(d, pkt, pos)) {
        pos += (int64_t)1 << 32;
        lap_rebase(t, d, pos, data_seq);
    }
    info->pos = pos;
    info->end = pos + pkt->payload_len;
    info->prev_next_pos = d->next_pos;
    info->retransmit = pos < d->next_pos;
    if (pos - d->next_pos > TCP_MAX_JUMP || d->next_pos - pos > TCP_MAX_JUMP)
        info->out_of_window = 1;
    else
        stream_add(t, f, d, pkt, data_seq, info);
    fingerprint_fill(&d->last, pkt);
    d->pkts_since_hs++;
    flow_table_reclass(t, f);
}

void flow_tcp_learn(struct flow *f, int dir, const struct packet *pkt,
                    const struct tcp_seg_info *info)
{
    (void)info;
    (void)pkt;
    /* flow_tcp_update took pkt's sample as the direction's latest (detectors change no
     * flow state), so it is not taken again. */
    baseline_learn(&f->tcp[dir].base, &f->tcp[dir].last.hdr);
}
