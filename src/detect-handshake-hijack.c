/* secondsight - handshake_hijack: two SYN/ACKs with different initial sequence numbers
 * and different headers answering one SYN. Held until the server's next packet shows
 * which SYN/ACK came from the real server, or until a short deadline. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "detect-fingerprint.h"
#include "detect-hold.h"
#include "detect.h"
#include "util-checksum.h"
#include "util-phrase.h"
#include "util-strlist.h"

/* Held under its flow id. */
struct hijack {
    int dir;               /* the direction that sent the SYN/ACKs */
    struct fp_sample a, b; /* first and second SYN/ACK */
    uint32_t isn_a, isn_b;
    int acked;       /* 0 unknown, 1 the client took a, 2 took b */
    uint8_t csum_b;  /* the second SYN/ACK's checksum; the first's bytes are gone */
    unsigned fields; /* how many header fields differ */
    char deltas[128];
    struct finding f; /* flow and frames filled at detection */
};

struct hijack_state {
    struct hold pend;
    uint64_t last_flow_id; /* one event per flow: the last one reported */
};

static void hijack_free(void *state)
{
    struct hijack_state *st = state;
    if (!st)
        return;
    hold_free(&st->pend);
    free(st);
}

static int hijack_init(void **state, struct detector_stats *stats)
{
    struct hijack_state *st = calloc(1, sizeof *st);
    *state = st;
    if (st && hold_init(&st->pend, HIJACK_HOLD_MAX, sizeof(struct hijack), stats))
        return 1;
    hijack_free(st);
    *state = NULL;
    return 0;
}

static void add_delta(char *buf, size_t size, unsigned *n, const char *name)
{
    strlist_add_str(buf, size, name);
    (*n)++;
}

/* Whether two packets' TSvals can come from one clock: the later one is not behind
 * (beyond a SYN cookie's rewritten low bits) and not ahead by more than a 1 kHz clock
 * ticks between them. Unrelated clocks (another host, a forger's own) differ by
 * anything. */
static int same_clock(const struct fp_sample *x, const struct fp_sample *y)
{
    if (y->ts_ns < x->ts_ns) {
        const struct fp_sample *t = x;
        x = y;
        y = t;
    }
    int64_t d = (int32_t)(y->tsval - x->tsval);
    int64_t ms = (y->ts_ns - x->ts_ns) / 1000000;
    return d >= -HIJACK_TS_SLACK && d <= ms + HIJACK_TS_SLACK;
}

/* The header fields in which two SYN/ACKs differ; `b` is the second one's sample. */
static void synack_deltas(const struct tcp_fingerprint *x, const struct packet *pkt,
                          const struct fp_sample *b, struct hijack *h)
{
    const struct tcp_view *th = &pkt->u.tcp;
    h->deltas[0] = '\0';
    if (x->hdr.ttl != pkt->ttl)
        add_delta(h->deltas, sizeof h->deltas, &h->fields, "ttl");
    if (x->hdr.df != pkt->df)
        add_delta(h->deltas, sizeof h->deltas, &h->fields, "df");
    if (x->hdr.window != th->window)
        add_delta(h->deltas, sizeof h->deltas, &h->fields, "window");
    if (x->has_mss != th->has_mss || (x->has_mss && x->mss != th->mss))
        add_delta(h->deltas, sizeof h->deltas, &h->fields, "mss");
    if (x->has_wscale != th->has_wscale || (x->has_wscale && x->wscale != th->wscale))
        add_delta(h->deltas, sizeof h->deltas, &h->fields, "wscale");
    if (x->hdr.has_ts != th->has_ts)
        add_delta(h->deltas, sizeof h->deltas, &h->fields, "timestamps");
    else if (th->has_ts && !same_clock(&x->hdr, b))
        add_delta(h->deltas, sizeof h->deltas, &h->fields, "timestamp_clock");
    if (x->nopts != th->nopts || memcmp(x->opt_kinds, th->opt_kinds, th->nopts))
        add_delta(h->deltas, sizeof h->deltas, &h->fields, "options");
}

/* Which SYN/ACK the server's next packet shows forged: 1 the first, 2 the second, 0
 * neither. A RST whose sequence number is one of the ISNs plus one answers the client's
 * ACK of that ISN as RFC 9293 section 3.10.7.3 has a stack answer an unacceptable ACK in
 * SYN-RECEIVED: its sender never sent that ISN. Otherwise a packet with a TSval on the
 * clock of exactly one SYN/ACK, then one with the TTL and DF of exactly one, is the
 * real server's and names the other. A RST that a correct stack sends is never the
 * forged one here: only SYN/ACKs are named. */
static int judge_later(const struct hijack *h, const struct fp_sample *later)
{
    if (later->flags & TH_RST) {
        if (later->seq == h->isn_a + 1 && later->seq != h->isn_b + 1)
            return 1;
        if (later->seq == h->isn_b + 1 && later->seq != h->isn_a + 1)
            return 2;
    }
    if (later->has_ts && h->a.has_ts && h->b.has_ts) {
        int ca = same_clock(&h->a, later), cb = same_clock(&h->b, later);
        if (ca != cb)
            return ca ? 2 : 1;
    }
    int ma = later->ttl == h->a.ttl && later->df == h->a.df;
    int mb = later->ttl == h->b.ttl && later->df == h->b.df;
    return ma == mb ? 0 : ma ? 2 : 1;
}

/* The proof judge_later() used, for evidence: what a reviewer checks in the capture. */
static const char *proof_word(const struct hijack *h, const struct fp_sample *later)
{
    if ((later->flags & TH_RST) && (later->seq == h->isn_a + 1 || later->seq == h->isn_b + 1))
        return "rst_answers_isn";
    if (later->has_ts && h->a.has_ts && h->b.has_ts &&
        same_clock(&h->a, later) != same_clock(&h->b, later))
        return "timestamp_clock";
    return "ttl_df";
}

/* A held hijack leaving the hold: `later` is the server's next packet, when one came. */
struct release_arg {
    const struct fp_sample *later;
    struct finding_sink *sink;
};

static void hijack_emit(void *item, void *arg)
{
    struct hijack *h = item;
    const struct fp_sample *later = ((struct release_arg *)arg)->later;
    struct finding_sink *sink = ((struct release_arg *)arg)->sink;
    struct finding *f = &h->f;
    int forged = later ? judge_later(h, later) : 0;
    const char *proof = forged ? proof_word(h, later) : NULL;
    finding_add_frame(f, h->a.frame, forged == 1);
    finding_add_frame(f, h->b.frame, forged == 2);
    fp_copy(&f->copies[f->ncopies++], &h->a,
            forged == 1   ? "forged"
            : forged == 2 ? "genuine"
                          : "undetermined",
            NULL, 0);
    fp_copy(&f->copies[f->ncopies++], &h->b,
            forged == 2   ? "forged"
            : forged == 1 ? "genuine"
                          : "undetermined",
            NULL, h->csum_b);
    /* A RST naming the ISN or a clock is a proof in the capture; TTL and DF agreeing with
     * one copy is, when the copies differ in more than one field. */
    f->confidence = forged && (strcmp(proof, "ttl_df") || h->fields >= 2) ? CONF_HIGH : CONF_MEDIUM;

    finding_evidence_int(f, "isn_first", h->isn_a);
    finding_evidence_int(f, "isn_second", h->isn_b);
    finding_evidence_str(f, "client_took",
                         h->acked == 1   ? "first"
                         : h->acked == 2 ? "second"
                                         : "unknown");
    finding_evidence_list(f, "differing_fields", h->deltas);
    finding_evidence_str(f, "verdict", forged ? "decided" : "undetermined");
    if (proof)
        finding_evidence_str(f, "proof", proof);
    finding_evidence_copies(f);

    char deltas[160];
    phrase_nouns(deltas, sizeof deltas, h->deltas);
    const struct fp_sample *fs = forged == 1 ? &h->a : forged == 2 ? &h->b : NULL;
    const struct fp_sample *gs = forged == 1 ? &h->b : forged == 2 ? &h->a : NULL;
    const char *took = h->acked == 1   ? "; the client took the first"
                       : h->acked == 2 ? "; the client took the second"
                                       : "";
    if (fs) {
        char fh[64], gh[64];
        finding_evidence_int(f, "forger_hops", ttl_hops(fs->ttl));
        finding_evidence_int(f, "peer_hops", ttl_hops(gs->ttl));
        const char *cite = !strcmp(proof, "rst_answers_isn") ? " (RFC 9293)" : "";
        const char *why = !strcmp(proof, "rst_answers_isn")
                              ? "the server resets the ACK of that ISN"
                          : !strcmp(proof, "timestamp_clock")
                              ? "the server's later packets keep the other's TSval clock"
                              : "the server's later packets match the other's TTL and DF";
        char where[160];
        if (fs->ttl == gs->ttl)
            snprintf(where, sizeof where,
                     "it carries the server's TTL, so the forger's distance cannot be told");
        else
            snprintf(where, sizeof where, "the forger is %s, the server %s",
                     phrase_hops(fh, sizeof fh, ttl_hops(fs->ttl)),
                     phrase_hops(gh, sizeof gh, ttl_hops(gs->ttl)));
        finding_evidence_bool(f, "hops_reliable", fs->ttl != gs->ttl);
        /* Whole within FINDING_SUMMARY_MAX: the fields in words ("TTL, DF bit and MSS"),
         * then without the RFC, then the fields as a count (evidence.differing_fields
         * lists them), with the RFC again if it fits. */
        for (int step = 0; step < 4; step++) {
            if (step == 2)
                snprintf(deltas, sizeof deltas, "%u header fields", h->fields);
            int n = snprintf(
                f->summary, sizeof f->summary,
                "two SYN/ACKs with different ISNs answered one SYN (frames %llu and %llu, "
                "differing in %s)%s; frame %llu is forged: %s%s; %.120s",
                (unsigned long long)FRAME_REF_FRAME(h->a.frame),
                (unsigned long long)FRAME_REF_FRAME(h->b.frame), deltas, took,
                (unsigned long long)FRAME_REF_FRAME(fs->frame), why, step & 1 ? "" : cite, where);
            if (n >= 0 && n <= FINDING_SUMMARY_MAX) /* whole, and within the limit */
                break;
        }
    } else {
        snprintf(f->summary, sizeof f->summary,
                 "two SYN/ACKs with different initial sequence numbers answered one SYN "
                 "(frames %llu and %llu, differing in %s)%s; no later packet of the server "
                 "tells which one is forged",
                 (unsigned long long)FRAME_REF_FRAME(h->a.frame),
                 (unsigned long long)FRAME_REF_FRAME(h->b.frame), deltas, took);
    }
    sink->emit(sink, f);
}

/* Held SYN/ACK pairs whose flow sent nothing more in time: reported without it. */
static void hijack_advance(void *state, int64_t now, struct finding_sink *sink)
{
    struct hijack_state *st = state;
    struct release_arg due = {NULL, sink};
    hold_release_due(&st->pend, now, NULL, NULL, hijack_emit, &due);
}

static void hijack_packet(void *state, const struct detect_ctx *ctx, struct finding_sink *sink)
{
    struct hijack_state *st = state;
    const struct packet *pkt = ctx->pkt;

    struct release_arg due = {NULL, sink};
    if (hold_count(&st->pend))
        hold_release_due(&st->pend, pkt->ts_ns, NULL, NULL, hijack_emit, &due);
    if (!ctx->seg || !ctx->flow)
        return;
    const struct flow *fl = ctx->flow;
    const struct tcp_dir *d = &fl->tcp[ctx->dir];
    const struct tcp_view *th = &pkt->u.tcp;

    struct hijack *h = hold_find(&st->pend, fl->id);
    if (h) {
        if (ctx->dir != h->dir && (th->flags & TH_ACK) && !(th->flags & TH_SYN) && !h->acked)
            h->acked = th->ack == h->isn_a + 1 ? 1 : th->ack == h->isn_b + 1 ? 2 : 0;
        if (ctx->dir == h->dir && !(th->flags & TH_SYN)) {
            struct fp_sample later;
            fp_from_packet(&later, pkt);
            struct release_arg now = {&later, sink};
            hold_take(&st->pend, h, hijack_emit, &now);
        }
        return;
    }

    if ((th->flags & (TH_SYN | TH_ACK)) != (TH_SYN | TH_ACK) || !(d->flags & TDF_HS) ||
        th->seq == d->isn || !(d->flags & TDF_ALT_ISN) || d->alt_isn != th->seq ||
        st->last_flow_id == fl->id)
        return;
    struct hijack cand;
    memset(&cand, 0, sizeof cand);
    fp_from_packet(&cand.b, pkt);
    synack_deltas(&d->hs, pkt, &cand.b, &cand);
    if (!cand.fields)
        return; /* same headers: a server that changed its mind, not a second sender */

    /* A full hold keeps the older ones: this one is dropped (and counted). */
    struct hijack *p = hold_add(&st->pend, fl->id, pkt->ts_ns + HIJACK_HOLD_NS);
    if (!p)
        return;
    *p = cand;
    p->dir = ctx->dir;
    p->isn_a = d->isn;
    p->isn_b = th->seq;
    /* The first SYN/ACK as the handshake fingerprint kept it. */
    p->a = d->hs.hdr;
    p->a.seq = d->isn;
    fp_from_packet(&p->b, pkt);
    p->csum_b = (uint8_t)transport_checksum(pkt);
    p->f.class_name = "handshake_hijack";
    finding_set_flow_from_packet(&p->f, pkt);
    st->last_flow_id = fl->id;
}

static void hijack_finish(void *state, struct finding_sink *sink)
{
    struct hijack_state *st = state;
    struct release_arg end = {NULL, sink};
    hold_flush(&st->pend, hijack_emit, &end);
}

const struct detector detector_handshake_hijack = {
    .name = "handshake_hijack",
    .wants = DETECT_SEG,
    .init = hijack_init,
    .on_packet = hijack_packet,
    .finish = hijack_finish,
    .advance = hijack_advance,
    .free = hijack_free,
};
