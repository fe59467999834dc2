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

/* The header fields in which two SYN/ACKs differ. */
static void synack_deltas(const struct tcp_fingerprint *x, const struct packet *pkt,
                          struct hijack *h)
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
    if (x->nopts != th->nopts || memcmp(x->opt_kinds, th->opt_kinds, th->nopts))
        add_delta(h->deltas, sizeof h->deltas, &h->fields, "options");
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
    /* The real server's later packets keep its TTL and DF; the forger's SYN/ACK is the
     * one they do not match. */
    int forged = 0;
    if (later) {
        int ma = later->ttl == h->a.ttl && later->df == h->a.df;
        int mb = later->ttl == h->b.ttl && later->df == h->b.df;
        if (ma && !mb)
            forged = 2;
        else if (mb && !ma)
            forged = 1;
    }
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
    f->confidence = forged && h->fields >= 2 ? CONF_HIGH : CONF_MEDIUM;

    finding_evidence_int(f, "isn_first", h->isn_a);
    finding_evidence_int(f, "isn_second", h->isn_b);
    finding_evidence_str(f, "client_took",
                         h->acked == 1   ? "first"
                         : h->acked == 2 ? "second"
                                         : "unknown");
    finding_evidence_list(f, "differing_fields", h->deltas);
    finding_evidence_str(f, "verdict", forged ? "decided" : "undetermined");
    finding_evidence_copies(f);

    char deltas[sizeof h->deltas];
    strlist_join(deltas, sizeof deltas, h->deltas, ",");
    const struct fp_sample *fs = forged == 1 ? &h->a : forged == 2 ? &h->b : NULL;
    const struct fp_sample *gs = forged == 1 ? &h->b : forged == 2 ? &h->a : NULL;
    const char *took = h->acked == 1   ? "; the client took the first"
                       : h->acked == 2 ? "; the client took the second"
                                       : "";
    if (fs) {
        char fh[64], gh[64];
        finding_evidence_int(f, "forger_hops", ttl_hops(fs->ttl));
        finding_evidence_int(f, "peer_hops", ttl_hops(gs->ttl));
        snprintf(f->summary, sizeof f->summary,
                 "two SYN/ACKs with different initial sequence numbers answered one SYN "
                 "(frames %llu and %llu; they differ in %s)%s; frame %llu is forged: the "
                 "server's later packets match the other; the forger is %s, the server %s",
                 (unsigned long long)FRAME_REF_FRAME(h->a.frame),
                 (unsigned long long)FRAME_REF_FRAME(h->b.frame), deltas, took,
                 (unsigned long long)FRAME_REF_FRAME(fs->frame),
                 phrase_hops(fh, sizeof fh, ttl_hops(fs->ttl)),
                 phrase_hops(gh, sizeof gh, ttl_hops(gs->ttl)));
    } else {
        snprintf(f->summary, sizeof f->summary,
                 "two SYN/ACKs with different initial sequence numbers answered one SYN "
                 "(frames %llu and %llu; they differ in %s)%s; no later packet of the server "
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
    synack_deltas(&d->hs, pkt, &cand);
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
    .init = hijack_init,
    .on_packet = hijack_packet,
    .finish = hijack_finish,
    .advance = hijack_advance,
    .free = hijack_free,
};
