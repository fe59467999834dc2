/* secondsight - fragment_injection: IPv4 or IPv6 fragments of one datagram that
 * overlap with different bytes. Receivers disagree on which copy wins (and RFC 5722
 * forbids overlaps in IPv6), so a sensor that takes one copy sees another datagram
 * than the host: the classic evasion, and a way to slip content past inspection. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "detect-fingerprint.h"
#include "detect-hold.h"
#include "detect-recent.h"
#include "detect.h"

struct dgram_id {
    uint8_t src[16], dst[16];
    uint32_t id;
    uint8_t proto;
};

/* A finding held for its datagram's ports. */
struct held {
    struct finding f; /* first: hold_emit_finding */
    struct dgram_id dg;
};

struct fragdet_state {
    struct recent_ring recent; /* struct dgram_id */
    struct hold held;          /* struct held, until reassembly gives up on the datagram */
};

static void fragdet_free(void *state)
{
    struct fragdet_state *st = state;
    if (!st)
        return;
    recent_free(&st->recent);
    hold_free(&st->held);
    free(st);
}

static int fragdet_init(void **state, struct detector_stats *stats)
{
    struct fragdet_state *st = calloc(1, sizeof *st);
    *state = st;
    if (st && recent_init(&st->recent, FRAGDET_RECENT_MAX, sizeof(struct dgram_id), stats) &&
        hold_init(&st->held, FRAGDET_HOLD_MAX, sizeof(struct held), stats))
        return 1;
    fragdet_free(st);
    *state = NULL;
    return 0;
}

static struct dgram_id dgram_of(const struct packet *pkt)
{
    struct dgram_id d;
    memset(&d, 0, sizeof d);
    memcpy(d.src, pkt->ip_src, 16);
    memcpy(d.dst, pkt->ip_dst, 16);
    d.id = pkt->frag_id;
    d.proto = pkt->proto;
    return d;
}

static int same_dgram(const struct dgram_id *a, const struct dgram_id *b)
{
    return a->id == b->id && a->proto == b->proto && !memcmp(a->src, b->src, 16) &&
           !memcmp(a->dst, b->dst, 16);
}

static int is_dgram(void *item, const void *arg)
{
    return same_dgram(item, arg);
}

/* Whether the packet's datagram was reported already; else it is remembered. */
static int seen(struct fragdet_state *st, const struct packet *pkt)
{
    struct dgram_id d = dgram_of(pkt);
    if (recent_find(&st->recent, is_dgram, &d))
        return 1;
    *(struct dgram_id *)recent_add(&st->recent) = d;
    return 0;
}

/* The fragment that releases a held finding with its datagram's ports. */
struct port_arg {
    struct dgram_id dg;
    const struct frag_info *fi;
};

/* A later fragment of a held finding's datagram that brings its ports releases it with
 * them; so does its completion, or any fragment after reassembly gave up on it. Only
 * fragments are looked at (and the end of the input): they all pass through the
 * pipeline that reassembles them, whatever --threads is (live fanout gives a host
 * pair's fragments to one worker), so the output does not depend on it. */
static int brings_ports(void *item, const void *arg)
{
    struct held *h = item;
    const struct port_arg *pa = arg;
    if (!same_dgram(&h->dg, &pa->dg) || !(pa->fi->has_ports || pa->fi->completed))
        return 0;
    h->f.sport = pa->fi->has_ports ? pa->fi->sport : 0;
    h->f.dport = pa->fi->has_ports ? pa->fi->dport : 0;
    return 1;
}

/* Live capture on a quiet link: held findings whose datagram timed out go with ports 0,
 * as a later fragment would have sent them. */
static void fragdet_advance(void *state, int64_t now, struct finding_sink *sink)
{
    struct fragdet_state *st = state;
    hold_release_due(&st->held, now, NULL, NULL, hold_emit_finding, sink);
}

static void fragdet_finish(void *state, struct finding_sink *sink)
{
    struct fragdet_state *st = state;
    hold_flush(&st->held, hold_emit_finding, sink);
}

/* Which copy is forged, when the datagram's own fragments tell: one sender's stack
 * sends every fragment of a datagram alike (IP TTL, DF), so a copy unlike the first
 * fragment (the sender's, with the ports) while the other copy is alike came from
 * elsewhere. 1: the earlier copy, 2: this one, 0: cannot tell (the conflict is with
 * the first fragment itself, or both or neither are alike). */
static int forged_copy(const struct frag_info *fi, const struct packet *pkt)
{
    if (!fi->has_prior || !fi->has_head || fi->head.frame == fi->prior.frame)
        return 0;
    int prior_unlike = fi->prior.ttl != fi->head.ttl || fi->prior.df != fi->head.df;
    int this_unlike = pkt->ttl != fi->head.ttl || pkt->df != fi->head.df;
    return prior_unlike && !this_unlike ? 1 : this_unlike && !prior_unlike ? 2 : 0;
}

/* The overlap in numbers: both fragments' places and TTLs, the verdict, and why an
 * identification looks reused. */
static void frag_evidence(struct finding *f, const struct frag_info *fi, const struct packet *pkt,
                          int forged)
{
    finding_evidence_int(f, "ip_version", pkt->ip_version);
    finding_evidence_int(f, "frag_id", pkt->frag_id);
    finding_evidence_int(f, "first_diff_offset", fi->first_diff);
    finding_evidence_int(f, "overlap_bytes", fi->overlap);
    finding_evidence_int(f, "differing_bytes", fi->differ);
    if (fi->has_prior) {
        finding_evidence_int(f, "earlier_offset", fi->prior.off);
        finding_evidence_int(f, "earlier_len", fi->prior.len);
        finding_evidence_int(f, "earlier_ttl", fi->prior.ttl);
    }
    finding_evidence_int(f, "later_offset", fi->off);
    finding_evidence_int(f, "later_len", fi->len);
    finding_evidence_int(f, "later_ttl", pkt->ttl);
    finding_evidence_str(f, "verdict", forged ? "decided" : "undetermined");
    if (fi->late)
        finding_evidence_bool(f, "after_reassembly", 1);
    if (forged) {
        finding_evidence_list(f, "tells", "mixed_fragments\0");
        finding_evidence_int(f, "first_fragment_ttl", fi->head.ttl);
    }
    if (fi->id_reused) {
        finding_evidence_str(f, "id_reused",
                             fi->id_reused == FRAG_REUSE_PORTS  ? "ports"
                             : fi->id_reused == FRAG_REUSE_AGED ? "aged"
                                                                : "after_complete");
        finding_evidence_int(f, "earlier_age_ms", fi->prior_age_ns / 1000000);
    }
}

static void fragdet_packet(void *state, const struct detect_ctx *ctx, struct finding_sink *sink)
{
    struct fragdet_state *st = state;
    const struct frag_info *fi = ctx->frag;
    const struct packet *pkt = ctx->pkt;
    if (hold_count(&st->held) && fi) {
        struct port_arg pa = {dgram_of(pkt), fi};
        hold_release_due(&st->held, pkt->ts_ns, brings_ports, &pa, hold_emit_finding, sink);
    }
    if (!fi || !fi->differ || seen(state, pkt))
        return;

    struct finding f;
    memset(&f, 0, sizeof f);
    f.class_name = "fragment_injection";
    /* An identification reused for another datagram (RFC 4963) overlaps the old one's
     * leftovers with other bytes as a forger would: from the same TTL, with other
     * ports or long after, the capture cannot tell the two apart. */
    f.confidence = fi->id_reused ? CONF_MEDIUM : CONF_HIGH;
    finding_set_flow_from_packet(&f, pkt);
    /* Ports sit in the first fragment only: the datagram's (those Suricata gives the
     * reassembled datagram), now or, held, once its first fragment comes. */
    f.sport = fi->has_ports ? fi->sport : 0;
    f.dport = fi->has_ports ? fi->dport : 0;
    f.flow_by_addresses = 1;
    int forged = forged_copy(fi, pkt);
    if (fi->has_prior)
        finding_add_frame(&f, fi->prior.frame, forged == 1);
    finding_add_frame(&f, FRAME_REF(pkt->file_index, pkt->frame), forged == 2);

    frag_evidence(&f, fi, pkt, forged);

    unsigned long long later = (unsigned long long)pkt->frame;
    if (fi->has_prior)
        snprintf(f.summary, sizeof f.summary,
                 "IPv%d fragments of one datagram (id %u) overlap with different bytes: frame "
                 "%llu (bytes %u-%u) overlaps earlier fragments in %u bytes, %u of them "
                 "different, the first at byte %u of frame %llu (bytes %u-%u); hosts that keep "
                 "the first copy and hosts that keep the last see different datagrams",
                 pkt->ip_version, pkt->frag_id, later, fi->off, fi->off + fi->len - 1, fi->overlap,
                 fi->differ, fi->first_diff, (unsigned long long)FRAME_REF_FRAME(fi->prior.frame),
                 fi->prior.off, fi->prior.off + fi->prior.len - 1);
    else
        snprintf(f.summary, sizeof f.summary,
                 "IPv%d fragments of one datagram (id %u) overlap with different bytes: frame "
                 "%llu (bytes %u-%u) overlaps earlier fragments in %u bytes, %u of them different",
                 pkt->ip_version, pkt->frag_id, later, fi->off, fi->off + fi->len - 1, fi->overlap,
                 fi->differ);
    if (fi->id_reused) /* has_prior: id_reuse() needs the earlier fragment */
        snprintf(f.summary, sizeof f.summary,
                 "IPv%d fragment %llu (bytes %u-%u, id %u) overlaps frame %llu in %u bytes, "
                 "%u of them different, but %s, from the same TTL: likely the identification "
                 "reused for a new datagram (RFC 4963); reassembly starts over with it",
                 pkt->ip_version, later, fi->off, fi->off + fi->len - 1, pkt->frag_id,
                 (unsigned long long)FRAME_REF_FRAME(fi->prior.frame), fi->overlap, fi->differ,
                 fi->id_reused == FRAG_REUSE_PORTS  ? "it starts a datagram with other ports"
                 : fi->id_reused == FRAG_REUSE_AGED ? "it comes over a second later"
                                                    : "it comes after its datagram was complete");
    if (forged) {
        unsigned long long pf = (unsigned long long)FRAME_REF_FRAME(fi->prior.frame);
        unsigned long long ff = forged == 1 ? pf : later, gf = forged == 1 ? later : pf;
        snprintf(f.summary, sizeof f.summary,
                 "IPv%d fragment %llu (bytes %u-%u, id %u)%s differs in %u bytes from frame "
                 "%llu's copy; frame %llu has TTL %u%s unlike the datagram's first fragment "
                 "%llu (TTL %u), frame %llu is alike: frame %llu is a forged fragment",
                 pkt->ip_version, later, fi->off, fi->off + fi->len - 1, pkt->frag_id,
                 fi->late ? " came after its datagram was reassembled and" : "", fi->differ, pf, ff,
                 forged == 1 ? fi->prior.ttl : pkt->ttl,
                 (forged == 1 ? fi->prior.df : pkt->df) != fi->head.df ? " and DF" : "",
                 (unsigned long long)FRAME_REF_FRAME(fi->head.frame), fi->head.ttl, gf, ff);
    }
    struct held *h = NULL;
    if (!fi->has_ports && frag_proto_has_ports(pkt->proto) && !fi->completed)
        h = hold_add(&st->held, 0, pkt->ts_ns + (int64_t)FRAG_TIMEOUT * 1000000000);
    if (!h) {
        sink->emit(sink, &f); /* nothing to wait for, or a full hold: ports 0 */
        return;
    }
    h->dg = dgram_of(pkt);
    h->f = f;
}

const struct detector detector_fragment_injection = {
    .name = "fragment_injection",
    .wants = DETECT_FRAG,
    .init = fragdet_init,
    .on_packet = fragdet_packet,
    .finish = fragdet_finish,
    .advance = fragdet_advance,
    .free = fragdet_free,
};
