/* secondsight - fragment_injection: IPv4 or IPv6 fragments of one datagram that
 * overlap with different bytes. Receivers disagree on which copy wins (and RFC 5722
 * forbids overlaps in IPv6), so a sensor that takes one copy sees another datagram
 * than the host: the classic evasion, and a way to slip content past inspection. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "detect-fingerprint.h"
#include "detect.h"

/* Datagrams already reported, so one datagram gives one alert. */
#define FRAG_RECENT 256
/* Findings held for their datagram's ports (its first fragment has not come yet). */
#define FRAG_HOLD 16

struct dgram_id {
    uint8_t src[16], dst[16];
    uint32_t id;
    uint8_t proto;
};

struct fragdet_state {
    struct dgram_id recent[FRAG_RECENT];
    unsigned next, n;
    struct {
        struct dgram_id dg;
        int64_t deadline;     /* packet time after which reassembly has given up */
        struct finding f;
    } held[FRAG_HOLD];
    unsigned nheld;
};

static int fragdet_init(void **state)
{
    *state = calloc(1, sizeof(struct fragdet_state));
    return *state != NULL;
}

static void fragdet_free(void *state)
{
    free(state);
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

static int seen(struct fragdet_state *st, const struct packet *pkt)
{
    struct dgram_id d = dgram_of(pkt);
    for (unsigned k = 0; k < st->n; k++)
        if (same_dgram(&st->recent[k], &d))
            return 1;
    unsigned k = st->next;
    st->next = (st->next + 1) % FRAG_RECENT;
    if (st->n < FRAG_RECENT)
        st->n++;
    st->recent[k] = d;
    return 0;
}

static void release(struct fragdet_state *st, unsigned k, struct finding_sink *sink)
{
    sink->emit(sink, &st->held[k].f);
    if (k != --st->nheld)
        memcpy(&st->held[k], &st->held[st->nheld], sizeof st->held[k]);
}

/* A later fragment of a held finding's datagram that brings its ports releases it with
 * them; so does its completion, or any fragment after reassembly gave up on it. Only
 * fragments are looked at (and the end of the input): they all pass through the
 * pipeline that reassembles them, whatever --threads is (live fanout gives a host
 * pair's fragments to one worker), so the output does not depend on it. */
static void held_check(struct fragdet_state *st, const struct packet *pkt,
                       const struct frag_info *fi, struct finding_sink *sink)
{
    struct dgram_id d = dgram_of(pkt);
    for (unsigned k = 0; k < st->nheld;) {
        if (same_dgram(&st->held[k].dg, &d) && (fi->has_ports || fi->completed)) {
            st->held[k].f.sport = fi->has_ports ? fi->sport : 0;
            st->held[k].f.dport = fi->has_ports ? fi->dport : 0;
            release(st, k, sink);
        } else if (pkt->ts_ns > st->held[k].deadline) {
            release(st, k, sink);
        } else {
            k++;
        }
    }
}

static void fragdet_finish(void *state, struct finding_sink *sink)
{
    struct fragdet_state *st = state;
    while (st->nheld)
        release(st, st->nheld - 1, sink);
}

static void fragdet_packet(void *state, const struct detect_ctx *ctx, struct finding_sink *sink)
{
    struct fragdet_state *st = state;
    const struct frag_info *fi = ctx->frag;
    const struct packet *pkt = ctx->pkt;
    if (st->nheld && fi)
        held_check(st, pkt, fi, sink);
    if (!fi || !fi->differ || seen(state, pkt))
        return;

    struct finding f;
    memset(&f, 0, sizeof f);
    f.class_name = "fragment_injection";
    f.confidence = CONF_HIGH;
    finding_set_flow_from_packet(&f, pkt);
    /* Ports sit in the first fragment only: the datagram's (those Suricata gives the
     * reassembled datagram), now or, held, once its first fragment comes. */
    f.sport = fi->has_ports ? fi->sport : 0;
    f.dport = fi->has_ports ? fi->dport : 0;
    f.flow_by_addresses = 1;
    if (fi->has_prior)
        finding_add_frame(&f, fi->prior.frame, 0);
    finding_add_frame(&f, FRAME_REF(pkt->file_index, pkt->frame), 0);

    finding_evidence_int(&f, "ip_version", pkt->ip_version);
    finding_evidence_int(&f, "frag_id", pkt->frag_id);
    finding_evidence_int(&f, "first_diff_offset", fi->first_diff);
    finding_evidence_int(&f, "overlap_bytes", fi->overlap);
    finding_evidence_int(&f, "differing_bytes", fi->differ);
    if (fi->has_prior) {
        finding_evidence_int(&f, "earlier_offset", fi->prior.off);
        finding_evidence_int(&f, "earlier_len", fi->prior.len);
        finding_evidence_int(&f, "earlier_ttl", fi->prior.ttl);
    }
    finding_evidence_int(&f, "later_offset", fi->off);
    finding_evidence_int(&f, "later_len", fi->len);
    finding_evidence_int(&f, "later_ttl", pkt->ttl);
    finding_evidence_str(&f, "verdict", "undetermined");

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
    if (fi->has_ports || !frag_proto_has_ports(pkt->proto) || fi->completed || st->nheld == FRAG_HOLD) {
        sink->emit(sink, &f); /* a full hold list: reported now, ports 0 */
        return;
    }
    st->held[st->nheld].dg = dgram_of(pkt);
    st->held[st->nheld].deadline = pkt->ts_ns + (int64_t)FRAG_TIMEOUT * 1000000000;
    st->held[st->nheld++].f = f;
}

const struct detector detector_fragment_injection = {
    .name = "fragment_injection",
    .init = fragdet_init,
    .on_packet = fragdet_packet,
    .finish = fragdet_finish,
    .free = fragdet_free,
};
