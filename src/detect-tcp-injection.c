/* secondsight - tcp_injection and forged_packet: two copies of the same stream bytes
 * that differ (a forger racing the real sender), and a lone packet whose headers break
 * its direction's baseline (an in-path forger that dropped the real one). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "decode-dns.h"
#include "decode-http.h"
#include "detect-fingerprint.h"
#include "detect-hold.h"
#include "detect-recent.h"
#include "detect.h"
#include "util-checksum.h"
#include "util-phrase.h"
#include "util-seq.h"
#include "util-strlist.h"

enum { CLASS_INJECTION, CLASS_FORGED };

/* An event already reported: its flow direction, class and stream range. */
struct event {
    uint64_t flow_id;
    int64_t lo, hi;
    uint8_t dir, cls;
};

/* A held forged_packet, keyed by its flow id. */
struct pending {
    struct finding f; /* first: hold_emit_finding */
    uint8_t dir;
    frame_ref frame;
};

struct inj_state {
    struct recent_ring recent;
    struct hold pend;
};

static void inj_free(void *state)
{
    struct inj_state *st = state;
    if (!st)
        return;
    recent_free(&st->recent);
    hold_free(&st->pend);
    free(st);
}

static int inj_init(void **state, struct detector_stats *stats)
{
    struct inj_state *st = calloc(1, sizeof *st);
    *state = st;
    if (st && recent_init(&st->recent, INJ_RECENT_MAX, sizeof(struct event), stats) &&
        hold_init(&st->pend, INJ_HOLD_MAX, sizeof(struct pending), stats))
        return 1;
    inj_free(st);
    *state = NULL;
    return 0;
}

/* The event this range belongs to, widened to cover it. */
static int same_event(void *item, const void *arg)
{
    struct event *r = item;
    const struct event *e = arg;
    if (r->flow_id != e->flow_id || r->dir != e->dir || r->cls != e->cls)
        return 0;
    if (e->cls != CLASS_FORGED && (e->lo > r->hi || e->hi < r->lo))
        return 0;
    if (e->lo < r->lo)
        r->lo = e->lo;
    if (e->hi > r->hi)
        r->hi = e->hi;
    return 1;
}

/* Whether the event is new; then it is remembered. */
static int new_event(struct inj_state *st, uint64_t flow_id, int dir, int cls, int64_t lo,
                     int64_t hi)
{
    struct event e = {flow_id, lo, hi, (uint8_t)dir, (uint8_t)cls};
    if (recent_find(&st->recent, same_event, &e))
        return 0;
    *(struct event *)recent_add(&st->recent) = e;
    return 1;
}

/* A held forged_packet that a race alert now explains: its direction, one of its two
 * frames. */
struct cancel_arg {
    int dir;
    frame_ref a, b;
};

static int explained(void *item, const void *arg)
{
    const struct pending *p = item;
    const struct cancel_arg *c = arg;
    return p->dir == c->dir && (p->frame == c->a || p->frame == c->b);
}

/* "client", "server", or "sender" when the capture missed the handshake. */
static const char *side_name(const struct flow *f, int dir)
{
    if (!(f->tcp[0].flags & TDF_SYN) || !(f->tcp[1].flags & TDF_SYN))
        return "sender";
    return dir == 0 ? "client" : "server";
}

/* HTTP enrichment of a forged copy's bytes; also returns a short description. */
/* A DNS response over TCP at the start of p (RFC 7766: a 2-byte length, then the
 * message), read as far as the n bytes go. */
static int dns_tcp_response(const uint8_t *p, uint32_t n, struct dns_msg *m)
{
    uint32_t len = n >= 2 ? ((uint32_t)p[0] << 8) | p[1] : 0;
    if (len < 12 || n < 14)
        return 0;
    return dns_parse(p + 2, len < n - 2 ? len : n - 2, m) && m->qr;
}

static int enrich_dns(struct finding *f, const uint8_t *p, uint32_t n, char *what, size_t what_size)
{
    struct dns_msg m;
    if (!dns_tcp_response(p, n, &m))
        return 0;
    finding_app_str(f, "proto", "dns");
    finding_app_str(f, "qname", m.qname);
    finding_app_int(f, "rcode", m.rcode);
    finding_app_list(f, "forged_answer", m.summary);
    snprintf(what, what_size, "a forged DNS answer for %.100s", m.qname[0] ? m.qname : ".");
    return 1;
}

static void enrich_app(struct finding *f, const uint8_t *p, uint32_t n, uint8_t flags, int dns_port,
                       char *what, size_t what_size)
{
    if (dns_port && enrich_dns(f, p, n, what, what_size))
        return;
    struct http_response r;
    char tells[160] = "";
    http_response_parse(p, n, &r);
    snprintf(what, what_size, "forged data");
    if (!n)
        flags &= (uint8_t)~TH_FIN; /* fin_with_data needs data */
    if (!r.status) {
        if (flags & TH_FIN) {
            finding_app_str(f, "proto", "unknown");
            strlist_add_str(tells, sizeof tells, "fin_with_data");
            finding_app_list(f, "tells", tells);
        }
        return;
    }
    http_response_tells(&r, tells, sizeof tells);
    if (flags & TH_FIN)
        strlist_add_str(tells, sizeof tells, "fin_with_data");
    finding_app_str(f, "proto", "http");
    finding_app_int(f, "status", r.status);
    if (r.location[0])
        finding_app_str(f, "location", r.location);
    finding_app_list(f, "tells", tells);
    if (r.location[0])
        snprintf(what, what_size, "a forged HTTP %d to %s", r.status, r.location);
    else
        snprintf(what, what_size, "a forged HTTP %d", r.status);
}

static const char *csum_word(int c)
{
    return c == CSUM_BAD ? "bad" : c == CSUM_OK ? "ok" : "unknown";
}

/* The two copies of a race: the earlier one (from the segment log, when it is still
 * there) and the current packet, each judged against the direction's baseline. */
struct race {
    const struct tcp_segment *prior; /* NULL when it has left the segment log */
    struct fp_sample sp, sc;
    struct fp_verdict vp, vc;
    int forged; /* 1: prior, 2: current, 0: undetermined */
    int csum_p, csum_c;
    int bad; /* a bad checksum makes the race low confidence */
};

static void judge_race(const struct detect_ctx *ctx, struct race *r)
{
    const struct packet *pkt = ctx->pkt;
    const struct tcp_dir *d = &ctx->flow->tcp[ctx->dir];
    const struct tcp_dir *o = &ctx->flow->tcp[!ctx->dir];
    const struct tcp_segment *prior = r->prior;

    /* Both copies are judged against the direction's other packets. */
    struct tcp_baseline base = d->base;
    fp_from_packet(&r->sc, pkt);
    if (prior) {
        uint32_t seq = d->next_seq + (uint32_t)(prior->pos - d->next_pos);
        fp_from_segment(&r->sp, prior, seq);
        baseline_unlearn(&base, &r->sp);
        baseline_judge(&base, d, o, &r->sp, &r->vp);
    }
    baseline_judge(&base, d, o, &r->sc, &r->vc);

    /* Which copy is forged: one clearly breaks the baseline and the other does not. */
    r->forged = 0;
    if (prior) {
        if (r->vp.score >= 2 && r->vc.score == 0)
            r->forged = 1;
        else if (r->vc.score >= 2 && r->vp.score == 0)
            r->forged = 2;
        else if (r->vp.score - r->vc.score >= 3)
            r->forged = 1;
        else if (r->vc.score - r->vp.score >= 3)
            r->forged = 2;
    }

    r->csum_c = transport_checksum(pkt);
    r->csum_p = prior ? flow_segment_checksum(d->win, prior) : CSUM_UNKNOWN;
    /* A copy with a bad checksum that the receiver never acknowledged was most likely
     * dropped by it: damage or a capture artefact, not a forgery anyone saw. */
    int p_acked =
        prior && (o->flags & TDF_ACKED) && seq_geq(o->max_ack, r->sp.seq + prior->hdr.len);
    r->bad = r->csum_c == CSUM_BAD || (r->csum_p == CSUM_BAD && !p_acked);
}

/* The victim's request a forged response answers: the last HTTP request the other
 * direction sent, as far as its payload window still holds it. Content that is not
 * HTTP ("BANG! BANG!" in place of a page) is then app.proto "unknown". */
static void victim_request(struct finding *f, const struct detect_ctx *ctx)
{
    const struct finding_field *proto = finding_field_get(f->app, f->napp, "proto");
    const struct tcp_window *w = ctx->flow->tcp[!ctx->dir].win;
    if ((proto && strcmp(proto->s, "http") && strcmp(proto->s, "unknown")) || !w)
        return;
    uint8_t buf[INJ_APP_PEEK];
    int64_t start = w->hi - INJ_APP_PEEK;
    if (start < w->hi - (int64_t)w->size)
        start = w->hi - (int64_t)w->size;
    if (start < w->base)
        start = w->base;
    if (start >= w->hi)
        return;
    uint32_t n = flow_window_read(w, start, (uint32_t)(w->hi - start), buf);
    struct http_request rq;
    if (!http_request_last(buf, n, &rq))
        return;
    if (!proto)
        finding_app_str(f, "proto", "unknown");
    finding_app_str(f, "method", rq.method);
    if (rq.host[0])
        finding_app_str(f, "host", rq.host);
    finding_app_str(f, "url", rq.target);
}

/* Each copy's first bytes, and what the receiver kept: when it had acknowledged all of
 * the earlier copy's bytes before the later one came, the later one's overlapping
 * bytes were duplicates to it. Otherwise the capture cannot tell yet. */
static void race_copies_seen(struct finding *f, const struct detect_ctx *ctx, const struct race *r)
{
    const struct packet *pkt = ctx->pkt;
    const struct tcp_dir *d = &ctx->flow->tcp[ctx->dir];
    const struct tcp_dir *o = &ctx->flow->tcp[!ctx->dir];
    struct finding_copy *cur = &f->copies[f->ncopies - 1];
    phrase_excerpt(cur->excerpt, sizeof cur->excerpt, pkt->payload, pkt->payload_len,
                   FINDING_EXCERPT_BYTES);
    if (!r->prior)
        return;
    struct finding_copy *prior = &f->copies[0];
    uint8_t buf[FINDING_EXCERPT_BYTES + 1];
    uint32_t want = r->prior->hdr.len < sizeof buf ? r->prior->hdr.len : (uint32_t)sizeof buf;
    uint32_t n = flow_window_read(d->win, r->prior->pos, want, buf);
    phrase_excerpt(prior->excerpt, sizeof prior->excerpt, buf, n == want ? r->prior->hdr.len : n,
                   FINDING_EXCERPT_BYTES);
    if ((o->flags & TDF_ACKED) && seq_geq(o->max_ack, r->sp.seq + r->prior->hdr.len)) {
        prior->acked = COPY_ACK_KEPT;
        cur->acked = COPY_ACK_DISCARDED;
    }
}

/* The forged copy's content (HTTP, DNS) and the hop counts, when a copy is forged;
 * `what` names the content for the summary. */
static void race_app(struct finding *f, const struct detect_ctx *ctx, const struct race *r,
                     char *what, size_t what_size)
{
    const struct packet *pkt = ctx->pkt;
    const struct fp_sample *fs = r->forged == 1 ? &r->sp : &r->sc;
    const struct fp_sample *gs = r->forged == 1 ? &r->sc : &r->sp;
    uint8_t peek[INJ_APP_PEEK];
    uint32_t n;
    if (r->forged == 2) {
        n = pkt->payload_len < INJ_APP_PEEK ? pkt->payload_len : INJ_APP_PEEK;
        memcpy(peek, pkt->payload, n);
    } else if (!strcmp(f->class_name, "dns_injection")) {
        /* A DNS message may span the earlier copy's segments: read from this copy's
         * start, where both answers begin (race_dns). */
        n = flow_window_read(ctx->flow->tcp[ctx->dir].win, ctx->seg->pos, INJ_APP_PEEK, peek);
    } else {
        const struct tcp_dir *d = &ctx->flow->tcp[ctx->dir];
        n = flow_window_read(d->win, r->prior->pos,
                             r->prior->hdr.len < INJ_APP_PEEK ? r->prior->hdr.len : INJ_APP_PEEK,
                             peek);
    }
    enrich_app(f, peek, n, fs->flags, pkt->sport == 53 || pkt->dport == 53, what, what_size);
    victim_request(f, ctx);
    finding_evidence_int(f, "forger_hops", ttl_hops(fs->ttl));
    finding_evidence_int(f, "peer_hops", ttl_hops(gs->ttl));
    /* A forger that copies the sender's TTL hides its distance. */
    finding_evidence_bool(f, "hops_reliable", fs->ttl != gs->ttl);
}

/* One copy of a DNS-over-TCP race as an answer of dns_injection's evidence. */
static void dns_answer_of(struct finding_answer *fa, const struct finding_copy *c,
                          const struct dns_msg *m)
{
    memset(fa, 0, sizeof *fa);
    fa->frame = c->hdr.frame;
    fa->role = c->role;
    fa->ip_id = c->hdr.ip_id;
    fa->ttl = c->hdr.ttl;
    fa->df = c->hdr.df;
    fa->rcode = m->rcode;
    fa->hops = c->hops;
    fa->nrecords = m->nanswers;
    strlist_copy(fa->records, sizeof fa->records, m->summary);
    strlist_copy(fa->tells, sizeof fa->tells, c->tells);
}

/* DNS over TCP (RFC 7766): two copies at one stream position that are both answers to
 * one query (same id and question) are two different answers: a dns_injection, reported here with
 * the DNS fields beside the TCP evidence (the DNS detector reads each stream byte once,
 * so it sees the first copy only). */
static void race_dns(struct finding *f, const struct detect_ctx *ctx, const struct race *r)
{
    const struct packet *pkt = ctx->pkt;
    if (!r->prior || pkt->sport != DNS_PORT || f->ncopies < 2)
        return;
    /* The earlier answer as the window holds it from this copy's start: the first copy
     * of those bytes, however its segments cut it. */
    uint8_t peek[INJ_APP_PEEK];
    const struct tcp_dir *d = &ctx->flow->tcp[ctx->dir];
    uint32_t n = flow_window_read(d->win, ctx->seg->pos, INJ_APP_PEEK, peek);
    struct dns_msg ma, mb;
    if (!dns_tcp_response(peek, n, &ma) || !dns_tcp_response(pkt->payload, pkt->payload_len, &mb) ||
        ma.id != mb.id || ma.qtype != mb.qtype || strcmp(ma.qname, mb.qname))
        return;
    f->class_name = "dns_injection";
    char qid[8];
    snprintf(qid, sizeof qid, "0x%04x", ma.id);
    finding_evidence_str(f, "query_id", qid);
    finding_evidence_str(f, "qname", ma.qname);
    finding_evidence_int(f, "qtype", ma.qtype);
    dns_answer_of(&f->answers[f->nanswers++], &f->copies[0], &ma);
    dns_answer_of(&f->answers[f->nanswers++], &f->copies[1], &mb);
    finding_evidence_answers(f);
    if (!r->forged) { /* race_app names the forged answer when there is one */
        finding_app_str(f, "proto", "dns");
        finding_app_str(f, "qname", ma.qname);
    }
}

static void race_summary(struct finding *f, const struct detect_ctx *ctx, const struct race *r,
                         const char *what)
{
    const struct tcp_seg_info *seg = ctx->seg;
    const struct fp_sample *fs = r->forged == 1 ? &r->sp : r->forged == 2 ? &r->sc : NULL;
    const struct fp_sample *gs = r->forged == 1 ? &r->sc : r->forged == 2 ? &r->sp : NULL;
    const char *side = side_name(ctx->flow, ctx->dir);
    char close_note[64] = "", fh[64], gh[64];
    if (seg->after_close)
        snprintf(close_note, sizeof close_note, ", after a FIN or RST from the %s", side);
    if (fs && fs->ttl == gs->ttl) {
        snprintf(f->summary, sizeof f->summary,
                 "%s raced the %s's data at the same sequence numbers (%u of %u bytes differ%s); "
                 "frame %llu is forged, frame %llu genuine; the forged copy carries the %s's own "
                 "TTL, so how far away the forger sits cannot be told",
                 what, side, seg->differ, seg->overlap, close_note,
                 (unsigned long long)FRAME_REF_FRAME(fs->frame),
                 (unsigned long long)FRAME_REF_FRAME(gs->frame), side);
    } else if (fs) {
        snprintf(f->summary, sizeof f->summary,
                 "%s raced the %s's data at the same sequence numbers (%u of %u bytes differ%s); "
                 "frame %llu is forged, frame %llu genuine; the forger is %s, the %s %s",
                 what, side, seg->differ, seg->overlap, close_note,
                 (unsigned long long)FRAME_REF_FRAME(fs->frame),
                 (unsigned long long)FRAME_REF_FRAME(gs->frame),
                 phrase_hops(fh, sizeof fh, ttl_hops(fs->ttl)), side,
                 phrase_hops(gh, sizeof gh, ttl_hops(gs->ttl)));
    } else {
        snprintf(f->summary, sizeof f->summary,
                 "two copies of the %s's data at the same sequence numbers differ (%u of %u "
                 "bytes%s)%s; the headers do not tell which copy is forged (checksums %s/%s)",
                 side, seg->differ, seg->overlap, close_note,
                 r->prior ? "" : " and the earlier copy has left the segment log",
                 csum_word(r->csum_p), csum_word(r->csum_c));
    }
}

static void report_conflict(struct inj_state *st, const struct detect_ctx *ctx,
                            struct finding_sink *sink)
{
    const struct flow *fl = ctx->flow;
    const struct tcp_seg_info *seg = ctx->seg;
    const struct tcp_dir *d = &fl->tcp[ctx->dir];
    struct race r;
    memset(&r, 0, sizeof r);
    r.prior = seg->nprior > 0 ? &seg->prior[0] : NULL;

    int64_t lo = seg->pos, hi = seg->end;
    if (r.prior) {
        if (r.prior->pos < lo)
            lo = r.prior->pos;
        if (r.prior->pos + (int64_t)r.prior->hdr.len > hi)
            hi = r.prior->pos + (int64_t)r.prior->hdr.len;
    }
    if (!new_event(st, fl->id, ctx->dir, CLASS_INJECTION, lo, hi))
        return; /* the same event again: a retransmission of one of the copies */
    judge_race(ctx, &r);

    struct finding f;
    memset(&f, 0, sizeof f);
    f.class_name = "tcp_injection";
    f.confidence = r.bad ? CONF_LOW : r.forged ? CONF_HIGH : CONF_MEDIUM;
    finding_set_flow_from_packet(&f, ctx->pkt);
    if (r.prior)
        finding_add_frame(&f, r.prior->hdr.frame, r.forged == 1);
    finding_add_frame(&f, r.sc.frame, r.forged == 2);
    if (r.prior)
        fp_copy(&f.copies[f.ncopies++], &r.sp,
                r.forged == 1   ? "forged"
                : r.forged == 2 ? "genuine"
                                : "undetermined",
                &r.vp, (uint8_t)r.csum_p);
    fp_copy(&f.copies[f.ncopies++], &r.sc,
            r.forged == 2   ? "forged"
            : r.forged == 1 ? "genuine"
                            : "undetermined",
            &r.vc, (uint8_t)r.csum_c);
    race_copies_seen(&f, ctx, &r);

    finding_evidence_int(&f, "seq", d->next_seq + (uint32_t)(seg->first_diff - d->next_pos));
    finding_evidence_int(&f, "stream_offset", seg->first_diff);
    finding_evidence_int(&f, "overlap_bytes", seg->overlap);
    finding_evidence_int(&f, "differing_bytes", seg->differ);
    finding_evidence_bool(&f, "after_close", seg->after_close);
    if (r.prior)
        finding_evidence_int(&f, "gap_us", (r.sc.ts_ns - r.sp.ts_ns) / 1000);
    finding_evidence_str(&f, "verdict", r.forged ? "decided" : "undetermined");
    finding_evidence_copies(&f);

    char what[200] = "";
    race_dns(&f, ctx, &r);
    if (r.forged)
        race_app(&f, ctx, &r, what, sizeof what);
    if (r.bad)
        finding_evidence_str(&f, "low_confidence_reason",
                             r.csum_c == CSUM_BAD ? "the later copy has a bad checksum"
                                                  : "the earlier copy has a bad checksum and was "
                                                    "never acknowledged");
    race_summary(&f, ctx, &r, what);
    struct cancel_arg ca = {ctx->dir, r.prior ? r.prior->hdr.frame : 0, r.sc.frame};
    hold_cancel(&st->pend, fl->id, explained, &ca);
    sink->emit(sink, &f);
}

/* A lone packet that breaks its direction's fingerprint: held back a moment in case
 * its genuine twin arrives and makes it a race. */
static void check_forged(struct inj_state *st, const struct detect_ctx *ctx)
{
    const struct packet *pkt = ctx->pkt;
    const struct flow *fl = ctx->flow;
    const struct tcp_dir *d = &fl->tcp[ctx->dir];
    const struct tcp_dir *o = &fl->tcp[!ctx->dir];
    uint8_t flags = pkt->u.tcp.flags;

    /* Data only: a RST or a bare FIN is a teardown, judged by tcp_reset_injection. */
    if ((flags & (TH_SYN | TH_RST)) || !pkt->payload_len)
        return;
    int handshake = (d->flags & TDF_HS) && (o->flags & TDF_HS);
    if (!handshake && d->base.pkts < 4)
        return; /* too little history to call anything out of line */

    struct fp_sample s;
    struct fp_verdict v;
    fp_from_packet(&s, pkt);
    baseline_judge(&d->base, d, o, &s, &v);
    if (v.score < FORGED_MIN_SCORE || v.distinct < FORGED_MIN_FIELDS)
        return;
    int64_t lo = ctx->seg->pos, hi = ctx->seg->end;
    if (!new_event(st, fl->id, ctx->dir, CLASS_FORGED, lo, hi))
        return;
    /* A full hold keeps the older ones: this one is dropped (and counted). */
    struct pending *p = hold_add(&st->pend, fl->id, pkt->ts_ns + INJ_HOLD_NS);
    if (!p)
        return;
    p->dir = (uint8_t)ctx->dir;
    p->frame = s.frame;

    struct finding *f = &p->f;
    f->class_name = "forged_packet";
    f->confidence = v.score > FORGED_MIN_SCORE ? CONF_HIGH : CONF_MEDIUM;
    finding_set_flow_from_packet(f, pkt);
    finding_add_frame(f, s.frame, 1);
    fp_copy(&f->copies[f->ncopies++], &s, "forged", &v, (uint8_t)transport_checksum(pkt));
    phrase_excerpt(f->copies[0].excerpt, sizeof f->copies[0].excerpt, pkt->payload,
                   pkt->payload_len, FINDING_EXCERPT_BYTES);

    /* The direction's usual TTL: the one most of its packets had. */
    uint8_t usual = d->base.ttl_n[1] > d->base.ttl_n[0] ? d->base.ttl[1] : d->base.ttl[0];
    finding_evidence_int(f, "usual_ttl", usual);
    finding_evidence_bool(f, "usual_df", d->base.df_n >= d->base.nodf_n);
    finding_evidence_bool(f, "usual_timestamps", baseline_ts_negotiated(&d->base, d, o));
    finding_evidence_int(f, "score", v.score);
    finding_evidence_copies(f);
    finding_evidence_int(f, "forger_hops", ttl_hops(s.ttl));
    finding_evidence_int(f, "peer_hops", ttl_hops(usual));

    char what[200], names[128], tells[128], fh[64], gh[64];
    enrich_app(f, pkt->payload, pkt->payload_len < INJ_APP_PEEK ? pkt->payload_len : INJ_APP_PEEK,
               flags, pkt->sport == 53 || pkt->dport == 53, what, sizeof what);
    victim_request(f, ctx);
    fp_tell_names(v.tells, names, sizeof names);
    phrase_nouns(tells, sizeof tells, names);
    const char *side = side_name(fl, ctx->dir);
    snprintf(f->summary, sizeof f->summary,
             "a packet posing as the %s (frame %llu) breaks its fingerprint in %s and no genuine "
             "copy of it was seen: an in-path forgery; the forger is %s, the %s %s",
             side, (unsigned long long)FRAME_REF_FRAME(s.frame), tells,
             phrase_hops(fh, sizeof fh, ttl_hops(s.ttl)), side,
             phrase_hops(gh, sizeof gh, ttl_hops(usual)));
}

/* A 1-byte segment one below the stream end: a keep-alive whose byte is garbage by
 * design (RFC 9293 section 3.8.4), not a second copy. */
static int is_keepalive(const struct tcp_seg_info *seg)
{
    return seg->end - seg->pos == 1 && seg->pos == seg->prev_next_pos - 1;
}

static void inj_packet(void *state, const struct detect_ctx *ctx, struct finding_sink *sink)
{
    struct inj_state *st = state;
    if (hold_count(&st->pend))
        hold_release_due(&st->pend, ctx->pkt->ts_ns, NULL, NULL, hold_emit_finding, sink);
    if (!ctx->seg || !ctx->flow)
        return;
    if (ctx->seg->differ && !is_keepalive(ctx->seg))
        report_conflict(st, ctx, sink);
    else if (!ctx->seg->out_of_window)
        check_forged(st, ctx);
}

static void inj_advance(void *state, int64_t now, struct finding_sink *sink)
{
    struct inj_state *st = state;
    hold_release_due(&st->pend, now, NULL, NULL, hold_emit_finding, sink);
}

static void inj_finish(void *state, struct finding_sink *sink)
{
    struct inj_state *st = state;
    hold_flush(&st->pend, hold_emit_finding, sink);
}

const struct detector detector_tcp_injection = {
    .name = "tcp_injection",
    .wants = DETECT_SEG,
    .init = inj_init,
    .on_packet = inj_packet,
    .finish = inj_finish,
    .advance = inj_advance,
    .free = inj_free,
};
