/* secondsight - tcp_reset_injection: a RST or FIN the peer did not send, after Weaver,
 * Sommer and Paxson, "Detecting Forged TCP Reset Packets" (NDSS 2009). A teardown is
 * remembered per flow direction; it is called forged when what follows proves the
 * "closed" side alive, when it answered a SYN the real server then accepted, or when
 * a burst of RSTs jumps ahead of everything that side ever sent. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "detect-fingerprint.h"
#include "detect-hold.h"
#include "detect.h"
#include "util-checksum.h"
#include "util-phrase.h"
#include "util-seq.h"
#include "util-strlist.h"

enum rst_signal {
    SIG_NONE,
    SIG_ALIVE,         /* the side that reset or closed went on sending or acknowledging */
    SIG_BEFORE_SYNACK, /* teardown answering a SYN, then the real SYN/ACK */
    SIG_SEQ_JUMP,      /* RSTs whose sequence numbers jump ahead of all that side sent */
    SIG_ACK_CHANGE,    /* back-to-back RSTs acknowledging different numbers */
    SIG_FINGERPRINT,   /* a teardown whose headers break its sender's baseline */
    SIG_RACES_DATA,    /* a RST at the sequence number of data that side just sent */
};

struct teardown {
    uint64_t key; /* flow id * 2 + direction, 0 when the slot is free */
    uint8_t n;    /* teardown packets kept */
    uint8_t reported;
    uint8_t established;   /* the connection was up when the first one came */
    uint8_t before_synack; /* it came from the responder before its SYN/ACK */
    uint32_t next_seq_at;  /* the side's stream end when the first one came */
    uint32_t max_ack_at;   /* the highest ACK it had sent by then */
    uint8_t acked_at;      /* ... and whether it had sent any */
    uint8_t syn_resent;    /* the initiator sent its SYN again after the teardown */
    uint8_t side_ttl;      /* the TTL most of the side's packets had, 0 if none */
    uint32_t peer_lo;      /* the peer's stream end about a round trip before the first one:
                            * data sent since may have crossed it */
    uint32_t peer_next[RST_MAX_COPIES]; /* the peer's stream end at each teardown */
    struct fp_sample pkt[RST_MAX_COPIES];
    struct fp_verdict v[RST_MAX_COPIES];
    uint8_t csum[RST_MAX_COPIES];
};

/* A rst_races_data finding held for the RST to the other end, under its flow id * 2 +
 * direction: a middlebox resetting both ends from state older than the data sends it
 * within microseconds, in either order. */
struct held_race {
    struct finding f; /* first: hold_emit_finding */
    struct fp_sample rst;
};

struct rst_state {
    struct detector_stats *stats;
    struct hold races; /* struct held_race */
    struct teardown slot[RST_SLOTS];
};

static void rst_free(void *state)
{
    struct rst_state *st = state;
    if (st)
        hold_free(&st->races);
    free(st);
}

static int rst_init(void **state, struct detector_stats *stats)
{
    struct rst_state *st = calloc(1, sizeof *st);
    *state = st;
    if (st && hold_init(&st->races, RST_HOLD_MAX, sizeof(struct held_race), stats)) {
        st->stats = stats;
        return 1;
    }
    rst_free(st);
    *state = NULL;
    return 0;
}

static struct teardown *slot_of(struct rst_state *st, uint64_t key)
{
    uint64_t h = key * 0x9e3779b97f4a7c15ull;
    return &st->slot[(h >> 40) & (RST_SLOTS - 1)];
}

/* The other end's teardown, when RSTs posing as both ends came within RST_BOTH_ENDS_NS
 * of each other: one box resetting the connection, as a middlebox's idle timeout does
 * (and some censors). */
static const struct teardown *other_end(struct rst_state *st, const struct flow *fl, int dir,
                                        const struct fp_sample *rst)
{
    uint64_t key = fl->id * 2 + (uint64_t)!dir;
    const struct teardown *ot = slot_of(st, key);
    if (ot->key != key || !ot->n || !(ot->pkt[0].flags & TH_RST) || !(rst->flags & TH_RST))
        return NULL;
    int64_t gap = rst->ts_ns - ot->pkt[0].ts_ns;
    return (gap < 0 ? -gap : gap) <= RST_BOTH_ENDS_NS ? ot : NULL;
}

/* The handshake was complete: both SYNs seen and the initiator acknowledged the
 * responder's; or, picked up mid-stream, both sides had sent something. */
static int established(const struct flow *f)
{
    const struct tcp_dir *c = &f->tcp[0], *s = &f->tcp[1];
    if ((c->flags & TDF_SYN) && (s->flags & TDF_SYN))
        return (c->flags & TDF_ACKED) && seq_geq(c->max_ack, s->isn + 1);
    return !(c->flags & TDF_SYN) && !(s->flags & TDF_SYN) && (c->flags & TDF_SYNC) &&
           (s->flags & TDF_SYNC);
}

static const char *signal_name(enum rst_signal s)
{
    switch (s) {
    case SIG_ALIVE:
        return "sender_alive_after_teardown";
    case SIG_BEFORE_SYNACK:
        return "teardown_before_synack";
    case SIG_SEQ_JUMP:
        return "rst_seq_jump";
    case SIG_ACK_CHANGE:
        return "rst_ack_change";
    case SIG_FINGERPRINT:
        return "fingerprint";
    case SIG_RACES_DATA:
        return "rst_races_data";
    default:
        return "none";
    }
}

/* A finding's frames and copies (the teardowns as forged, then the proof as genuine)
 * and its confidence; returns the other end's teardown when RSTs posed as both ends. */
static const struct teardown *report_copies(struct rst_state *st, const struct teardown *td,
                                            enum rst_signal sig, const struct detect_ctx *ctx,
                                            const struct fp_sample *proof, uint8_t proof_csum,
                                            struct finding *f)
{
    int tells = 0;
    for (unsigned i = 0; i < td->n; i++) {
        finding_add_frame(f, td->pkt[i].frame, 1);
        if (f->ncopies < FINDING_MAX_COPIES - (proof != NULL))
            fp_copy(&f->copies[f->ncopies++], &td->pkt[i], "forged", &td->v[i], td->csum[i]);
        tells |= td->v[i].tells != 0;
    }
    if (proof) {
        finding_add_frame(f, proof->frame, 0);
        struct finding_copy *c = &f->copies[f->ncopies++];
        fp_copy(c, proof, "genuine", NULL, proof_csum);
        /* the proof is the packet at hand: what the live sender went on to send */
        const struct packet *pkt = ctx->pkt;
        if (proof->frame == FRAME_REF(pkt->file_index, pkt->frame))
            phrase_excerpt(c->excerpt, sizeof c->excerpt, pkt->payload, pkt->payload_len,
                           FINDING_EXCERPT_BYTES);
    }
    /* The mechanism signals prove a live sender or an accepted SYN; a burst's numbers
     * and a fingerprint alone are strong, not proof, unless both agree. */
    int weak = sig == SIG_SEQ_JUMP || sig == SIG_ACK_CHANGE || sig == SIG_FINGERPRINT ||
               sig == SIG_RACES_DATA;
    f->confidence = weak && !(tells && sig != SIG_FINGERPRINT) ? CONF_MEDIUM : CONF_HIGH;
    if (sig == SIG_FINGERPRINT && td->v[0].score > 4)
        f->confidence = CONF_HIGH;
    /* RSTs posing as both ends from one box are what a middlebox's idle timeout sends
     * (Azure's load balancer, stateful firewalls): a forgery of a sort, not proof of
     * an attacker. */
    const struct teardown *ot = other_end(st, ctx->flow, ctx->dir, &td->pkt[0]);
    if (ot)
        f->confidence = CONF_MEDIUM;
    return ot;
}

/* The finding's evidence fields: the signal, the first teardown's numbers, the copies
 * and the hops (the side's own TTL `side_ttl`, 0 unknown). */
static void report_evidence(struct finding *f, const struct teardown *td, enum rst_signal sig,
                            int both_ends, uint8_t side_ttl)
{
    const struct fp_sample *first = &td->pkt[0];
    finding_evidence_str(f, "signal", signal_name(sig));
    finding_evidence_int(f, "teardowns", td->n);
    finding_evidence_bool(f, "rst", (first->flags & TH_RST) != 0);
    finding_evidence_int(f, "teardown_seq", first->seq);
    finding_evidence_int(f, "teardown_ack", first->ack);
    if (both_ends)
        finding_evidence_bool(f, "both_ends", 1);
    finding_evidence_copies(f);
    finding_evidence_int(f, "forger_hops", ttl_hops(first->ttl));
    if (side_ttl) {
        finding_evidence_int(f, "peer_hops", ttl_hops(side_ttl));
        finding_evidence_bool(f, "hops_reliable", first->ttl != side_ttl);
    }
}

static void report(struct rst_state *st, struct teardown *td, enum rst_signal sig,
                   int64_t hold_until, const struct detect_ctx *ctx, const struct fp_sample *proof,
                   uint8_t proof_csum, struct finding_sink *sink)
{
    const struct flow *fl = ctx->flow;
    struct finding f;
    memset(&f, 0, sizeof f);
    f.class_name = "tcp_reset_injection";
    finding_set_flow_from_packet(&f, ctx->pkt);
    const struct teardown *ot = report_copies(st, td, sig, ctx, proof, proof_csum, &f);

    const struct fp_sample *first = &td->pkt[0];
    /* The side's own TTL: the proof's, else the one most of its packets had. */
    uint8_t side_ttl = proof ? proof->ttl : td->side_ttl;
    report_evidence(&f, td, sig, ot != NULL, side_ttl);

    const char *kind = (first->flags & TH_RST) ? "RST" : "FIN";
    const char *side = ctx->dir == 0 ? "client" : "server";
    if (!(fl->tcp[0].flags & TDF_SYN))
        side = "sender";
    unsigned long long tf = (unsigned long long)FRAME_REF_FRAME(first->frame);
    unsigned long long pf = proof ? (unsigned long long)FRAME_REF_FRAME(proof->frame) : 0;
    char names[128], tellnames[128];
    fp_tell_names(td->v[0].tells, names, sizeof names);
    phrase_nouns(tellnames, sizeof tellnames, names);
    char lead[320];
    switch (sig) {
    case SIG_ALIVE:
        snprintf(lead, sizeof lead,
                 "a %s posing as the %s (frame %llu) was forged: the %s went on %s (frame %llu), "
                 "which a closed socket cannot",
                 kind, side, tf, side, proof->len ? "sending data" : "acknowledging new data", pf);
        break;
    case SIG_ACK_CHANGE:
        snprintf(lead, sizeof lead,
                 "%u RSTs posing as the %s (first frame %llu) acknowledge different numbers "
                 "although the peer sent nothing new between them: a forger",
                 td->n, side, tf);
        break;
    case SIG_RACES_DATA:
        snprintf(lead, sizeof lead,
                 "a RST posing as the %s (frame %llu) carries the sequence number of data the "
                 "%s had just sent (frame %llu), not the end of it as the %s's own RST would: "
                 "a forger racing the data",
                 side, tf, side, pf, side);
        break;
    case SIG_FINGERPRINT:
        snprintf(lead, sizeof lead,
                 "a %s posing as the %s (frame %llu) breaks the %s's fingerprint in %s: a forged "
                 "teardown",
                 kind, side, tf, side, tellnames);
        break;
    case SIG_BEFORE_SYNACK:
        snprintf(lead, sizeof lead,
                 "a %s posing as the %s (frame %llu) answered the SYN, yet the %s then accepted "
                 "it with a SYN/ACK (frame %llu): the teardown was forged",
                 kind, side, tf, side, pf);
        break;
    default:
        snprintf(lead, sizeof lead,
                 "%u RSTs posing as the %s (first frame %llu) carry sequence numbers that jump "
                 "ahead of everything the %s sent: a forger guessing the window",
                 td->n, side, tf, side);
        break;
    }
    /* A forger that copies the side's TTL hides its distance: no hop count then. */
    char fh[64], sh[64];
    if (side_ttl && first->ttl == side_ttl)
        snprintf(f.summary, sizeof f.summary,
                 "%s; the forged %s carries the %s's own TTL, so how far away the forger sits "
                 "cannot be told",
                 lead, kind, side);
    else if (side_ttl)
        snprintf(f.summary, sizeof f.summary, "%s; the forger is %s, the %s %s", lead,
                 phrase_hops(fh, sizeof fh, ttl_hops(first->ttl)), side,
                 phrase_hops(sh, sizeof sh, ttl_hops(side_ttl)));
    else
        snprintf(f.summary, sizeof f.summary, "%s; the forger is %s", lead,
                 phrase_hops(fh, sizeof fh, ttl_hops(first->ttl)));
    if (ot) {
        size_t n = strlen(f.summary);
        snprintf(f.summary + n, sizeof f.summary - n,
                 "; RSTs to both ends within %lld ms, as a middlebox's idle timeout "
                 "sends: medium at most",
                 (long long)(llabs(td->pkt[0].ts_ns - ot->pkt[0].ts_ns) / 1000000));
    }
    td->reported = 1;
    struct held_race *h =
        hold_until ? hold_add(&st->races, fl->id * 2 + (uint64_t)ctx->dir, hold_until) : NULL;
    if (h) {
        h->f = f;
        h->rst = *first;
        return;
    }
    sink->emit(sink, &f);
}

/* RSTs whose sequence numbers differ, one beyond all the side had sent before them
 * (its stream end plus a FIN). */
static int seq_jump(const struct teardown *td)
{
    int rsts = 0, ahead = 0, differ = 0;
    for (unsigned i = 0; i < td->n; i++) {
        if (!(td->pkt[i].flags & TH_RST))
            continue;
        rsts++;
        if (seq_gt(td->pkt[i].seq, td->next_seq_at + 1))
            ahead = 1;
        if (td->pkt[i].seq != td->pkt[0].seq)
            differ = 1;
    }
    return rsts >= 2 && ahead && differ;
}

/* Whether ack lies within the peer's data that may have crossed the teardowns. */
static int in_crossing(const struct teardown *td, uint32_t ack, uint32_t peer_next)
{
    return seq_geq(ack, td->peer_lo) && seq_leq(ack, peer_next);
}

/* RST|ACKs acknowledging different numbers while the peer's stream stood still: one
 * socket's RSTs acknowledge what it received, and it received nothing new. Data the
 * peer sent less than a round trip before the first RST may have crossed it: RSTs
 * acknowledging either end of that data (or within it) say nothing. */
static int ack_change(const struct teardown *td)
{
    int prev = -1;
    for (unsigned i = 0; i < td->n; i++) {
        if ((td->pkt[i].flags & (TH_RST | TH_ACK)) != (TH_RST | TH_ACK))
            continue;
        if (prev >= 0 && td->pkt[i].ack != td->pkt[prev].ack &&
            td->peer_next[i] == td->peer_next[prev] &&
            !(in_crossing(td, td->pkt[i].ack, td->peer_next[i]) &&
              in_crossing(td, td->pkt[prev].ack, td->peer_next[i])))
            return 1;
        prev = (int)i;
    }
    return 0;
}

/* "About one round trip" for this flow (config.h). */
static int64_t cross_ns(const struct flow *fl)
{
    const struct tcp_fingerprint *syn = &fl->tcp[0].hs, *synack = &fl->tcp[1].hs;
    if (!(fl->tcp[0].flags & TDF_HS) || !(fl->tcp[1].flags & TDF_HS) ||
        synack->hdr.ts_ns < syn->hdr.ts_ns)
        return RST_CROSS_DEFAULT_NS;
    int64_t rtt = 2 * (synack->hdr.ts_ns - syn->hdr.ts_ns);
    return rtt > RST_CROSS_FLOOR_NS ? rtt : RST_CROSS_FLOOR_NS;
}

/* The direction's stream end as it stood before the segments it sent after `since`
 * (its segment log; the current end when it sent no data). */
static uint32_t stream_end_before(const struct tcp_dir *o, int64_t since)
{
    uint32_t lo = o->next_seq;
    const struct tcp_window *w = o->win;
    if (!w || !(o->flags & TDF_SYNC))
        return lo;
    for (uint32_t k = 1; k <= w->seg_count; k++) {
        const struct tcp_segment *s = tcp_seglog_newest(w, k);
        if (s->hdr.ts_ns < since)
            break;
        uint32_t seq = o->next_seq - (uint32_t)(o->next_pos - s->pos);
        if (seq_lt(seq, lo))
            lo = seq;
    }
    return lo;
}

/* A RST whose sequence number is the start of the data segment its side sent just
 * before, behind the stream end: the side's own RST would carry the end (RFC 9293
 * section 3.10.7.1). Within 500 ms, so a socket that vanished and answers a later
 * segment is not taken for it. */
static int races_data(const struct teardown *td, const struct tcp_dir *d, struct fp_sample *out)
{
    const struct fp_sample *rst = &td->pkt[0];
    const struct tcp_window *w = d->win;
    if (!(rst->flags & TH_RST) || !w || !w->seg_count || rst->seq == td->next_seq_at)
        return 0;
    const struct tcp_segment *s = tcp_seglog_newest(w, 1);
    uint32_t seq = d->next_seq - (uint32_t)(d->next_pos - s->pos);
    if (!s->hdr.len || seq != rst->seq || rst->ts_ns - s->hdr.ts_ns > 500 * 1000000LL ||
        !seq_lt(rst->seq, td->next_seq_at))
        return 0;
    fp_from_segment(out, s, seq);
    return 1;
}

/* A middlebox resetting both ends from state older than data crossing it: the RST to
 * the other end, from the same box (TTL and DF), acknowledges exactly where this one
 * starts, the start of the data the side had just sent. */
static int snapshot_pair(const struct fp_sample *o, const struct fp_sample *rst)
{
    return (o->flags & (TH_RST | TH_ACK)) == (TH_RST | TH_ACK) && o->ack == rst->seq &&
           o->ttl == rst->ttl && o->df == rst->df;
}

static int crossing_snapshot(const struct teardown *ot, const struct fp_sample *rst)
{
    return ot && snapshot_pair(&ot->pkt[0], rst);
}

static int is_snapshot_pair(void *item, const void *arg)
{
    return snapshot_pair(arg, &((struct held_race *)item)->rst);
}

/* The other end's RST for a held rst_races_data finding: when it makes the pair, the
 * finding is dropped and its teardown may be judged again. */
static void other_end_came(struct rst_state *st, const struct flow *fl, int dir,
                           const struct fp_sample *rst)
{
    uint64_t key = fl->id * 2 + (uint64_t)!dir;
    if (hold_count(&st->races) && hold_cancel(&st->races, key, is_snapshot_pair, rst)) {
        struct teardown *ot = slot_of(st, key);
        if (ot->key == key)
            ot->reported = 0;
    }
}

/* RFC 9293 section 3.10.7.3: in SYN-SENT, an ACK that does not acknowledge the SYN is
 * answered with a RST carrying that ACK's ack number, without the ACK flag. A client
 * reusing a port on which the server still holds the old connection gets such an ACK
 * (RFC 5961's challenge ACK, with the old connection's numbers) and answers it so.
 * That RST is the side's own when it also has its SYN's TTL and an IP-ID that follows
 * its SYN's (or 0 with DF, as Linux's socketless RSTs): no teardown at all. */
static int answers_bad_ack(const struct flow *fl, int dir, const struct packet *pkt)
{
    const struct tcp_dir *d = &fl->tcp[dir], *o = &fl->tcp[!dir];
    const struct tcp_view *th = &pkt->u.tcp;
    if ((th->flags & (TH_RST | TH_ACK)) != TH_RST || !(d->flags & TDF_SYN) ||
        (d->hs.hdr.flags & TH_ACK) || (o->flags & TDF_SYN))
        return 0;
    if ((o->last.hdr.flags & (TH_SYN | TH_ACK | TH_RST)) != TH_ACK ||
        o->last.hdr.ack == d->isn + 1 || th->seq != o->last.hdr.ack || pkt->ttl != d->hs.hdr.ttl)
        return 0;
    if (pkt->ip_version != 4 || (pkt->ip_id == 0 && pkt->df))
        return 1;
    uint16_t step = (uint16_t)(pkt->ip_id - d->base.ip_id_last);
    return step >= 1 && step <= 1024;
}

static void on_teardown(struct rst_state *st, const struct detect_ctx *ctx,
                        struct finding_sink *sink)
{
    const struct packet *pkt = ctx->pkt;
    const struct flow *fl = ctx->flow;
    const struct tcp_dir *d = &fl->tcp[ctx->dir];
    const struct tcp_dir *o = &fl->tcp[!ctx->dir];
    uint64_t key = fl->id * 2 + (uint64_t)ctx->dir;
    struct teardown *td = slot_of(st, key);

    if (answers_bad_ack(fl, ctx->dir, pkt))
        return;
    /* A teardown from before the handshake completed is another event than one in the
     * connection that then came up (a client's close after its SYN-SENT RST). */
    if (td->key != key || (!td->established && established(fl))) {
        /* Direct-mapped by flow: another flow's teardown still in its grace period,
         * unjudged, is forgotten here; counted. */
        if (td->key != key && td->n && !td->reported && pkt->ts_ns - td->pkt[0].ts_ns < RST_LIVE_NS)
            st->stats->evicted++;
        memset(td, 0, sizeof *td);
        td->key = key;
        td->established = (uint8_t)established(fl);
        /* The responder tore down before its SYN/ACK while the SYN was pending. */
        td->before_synack =
            !(d->flags & TDF_SYN) && (o->flags & TDF_SYN) && !(o->hs.hdr.flags & TH_ACK);
        td->next_seq_at = d->next_seq;
        td->max_ack_at = d->max_ack;
        td->acked_at = (d->flags & TDF_ACKED) != 0;
        td->peer_lo = stream_end_before(o, pkt->ts_ns - cross_ns(fl));
        if (d->base.pkts)
            td->side_ttl = d->base.ttl_n[1] > d->base.ttl_n[0] ? d->base.ttl[1] : d->base.ttl[0];
    }
    if (td->reported || td->n == RST_MAX_COPIES)
        return;
    unsigned i = td->n++;
    fp_from_packet(&td->pkt[i], pkt);
    baseline_judge(&d->base, d, o, &td->pkt[i], &td->v[i]);
    td->csum[i] = (uint8_t)transport_checksum(pkt);
    td->peer_next[i] = o->next_seq;
    if (i == 0)
        other_end_came(st, fl, ctx->dir, &td->pkt[0]);
    int history = ((d->flags & TDF_HS) && (o->flags & TDF_HS)) || d->base.pkts >= 4;
    struct fp_sample raced;
    if (i == 0 && races_data(td, d, &raced) &&
        !(td->pkt[0].ts_ns - raced.ts_ns <= cross_ns(fl) &&
          crossing_snapshot(other_end(st, fl, ctx->dir, &td->pkt[0]), &td->pkt[0])))
        report(st, td, SIG_RACES_DATA, td->pkt[0].ts_ns + cross_ns(fl), ctx, &raced, CSUM_UNKNOWN,
               sink);
    else if (seq_jump(td))
        report(st, td, SIG_SEQ_JUMP, 0, ctx, NULL, 0, sink);
    else if (ack_change(td))
        report(st, td, SIG_ACK_CHANGE, 0, ctx, NULL, 0, sink);
    else if (history && td->v[i].score >= 4 && td->v[i].distinct >= 2)
        report(st, td, SIG_FINGERPRINT, 0, ctx, NULL, 0, sink);
}

static void on_other(struct rst_state *st, const struct detect_ctx *ctx, struct finding_sink *sink)
{
    const struct packet *pkt = ctx->pkt;
    const struct flow *fl = ctx->flow;
    const struct tcp_dir *d = &fl->tcp[ctx->dir];
    const struct tcp_dir *o = &fl->tcp[!ctx->dir];
    uint64_t key = fl->id * 2 + (uint64_t)ctx->dir;
    struct teardown *td = slot_of(st, key);
    if (td->key != key || td->reported || !td->n)
        return;

    const struct tcp_view *th = &pkt->u.tcp;
    struct fp_sample proof;
    fp_from_packet(&proof, pkt);

    if (td->before_synack && !td->syn_resent &&
        (th->flags & (TH_SYN | TH_ACK)) == (TH_SYN | TH_ACK) && th->ack == o->isn + 1) {
        report(st, td, SIG_BEFORE_SYNACK, 0, ctx, &proof, (uint8_t)transport_checksum(pkt), sink);
        return;
    }
    if (!td->established || (th->flags & TH_SYN))
        return;
    /* New data where the teardown said the stream ended; after a RST also an
     * acknowledgment of data the peer sent since (a side that sent FIN still
     * acknowledges: that is a half-close). Only a live socket does either. */
    const struct fp_sample *first = &td->pkt[0];
    uint32_t from = seq_gt(td->next_seq_at, first->seq) ? td->next_seq_at : first->seq;
    int same_conn = !(th->flags & TH_ACK) || !(o->flags & TDF_SYNC) ||
                    (uint32_t)abs(seq_diff(th->ack, o->next_seq)) < RST_ALIVE_REACH;
    int new_data = pkt->payload_len > 0 && seq_geq(th->seq, from) &&
                   (uint32_t)(th->seq - from) < RST_ALIVE_REACH;
    int new_ack = (first->flags & TH_RST) && (th->flags & TH_ACK) && td->acked_at &&
                  seq_gt(th->ack, td->max_ack_at);
    if (!same_conn)
        return;
    /* The proof must look like the sender: a packet that itself breaks the sender's
     * fingerprint may come from the same forger. */
    struct fp_verdict pv;
    baseline_judge(&d->base, d, o, &proof, &pv);
    if (pv.score >= 2)
        return;
    if (new_data || new_ack)
        report(st, td, SIG_ALIVE, 0, ctx, &proof, (uint8_t)transport_checksum(pkt), sink);
}

static void rst_advance(void *state, int64_t now, struct finding_sink *sink)
{
    struct rst_state *st = state;
    hold_release_due(&st->races, now, NULL, NULL, hold_emit_finding, sink);
}

static void rst_finish(void *state, struct finding_sink *sink)
{
    struct rst_state *st = state;
    hold_flush(&st->races, hold_emit_finding, sink);
}

static void rst_packet(void *state, const struct detect_ctx *ctx, struct finding_sink *sink)
{
    struct rst_state *st = state;
    if (hold_count(&st->races))
        hold_release_due(&st->races, ctx->pkt->ts_ns, NULL, NULL, hold_emit_finding, sink);
    if (!ctx->seg || !ctx->flow)
        return;
    const struct packet *pkt = ctx->pkt;
    uint8_t flags = pkt->u.tcp.flags;
    const struct tcp_dir *d = &ctx->flow->tcp[ctx->dir];
    /* A RST, or a FIN without data (a FIN with data racing genuine data is a
     * tcp_injection); SYN|RST and the like are not teardowns of a connection. */
    int teardown =
        !(flags & TH_SYN) && ((flags & TH_RST) || ((flags & TH_FIN) && pkt->payload_len == 0));
    if (teardown) {
        on_teardown(st, ctx, sink);
    } else if (d->flags & (TDF_RST | TDF_FIN)) {
        on_other(st, ctx, sink);
    } else if ((flags & (TH_SYN | TH_ACK)) == TH_SYN) {
        /* The initiator sent its SYN again after the responder's teardown (Windows
         * retries a refused SYN): a SYN/ACK may now honestly answer that copy. */
        uint64_t key = ctx->flow->id * 2 + (uint64_t)!ctx->dir;
        struct teardown *td = slot_of(st, key);
        if (td->key == key)
            td->syn_resent = 1;
    }
}

const struct detector detector_tcp_reset = {
    .name = "tcp_reset_injection",
    .wants = DETECT_SEG,
    .init = rst_init,
    .on_packet = rst_packet,
    .free = rst_free,
    .finish = rst_finish,
    .advance = rst_advance,
};
