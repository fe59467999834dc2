/* secondsight - fragment_injection: IPv4 or IPv6 fragments of one datagram that
 * overlap with different bytes. Receivers disagree on which copy wins (and RFC 5722
 * forbids overlaps in IPv6), so a sensor that takes one copy sees another datagram
 * than the host: the classic evasion, and a way to slip content past inspection. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "detect-fingerprint.h"
#include "detect.h"

/* Datagrams already reported, so one datagram gives one alert. */
#define FRAG_RECENT 256

struct fragdet_state {
    struct {
        uint8_t src[16], dst[16];
        uint32_t id;
        uint8_t proto;
    } recent[FRAG_RECENT];
    unsigned next, n;
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

static int seen(struct fragdet_state *st, const struct packet *pkt)
{
    for (unsigned k = 0; k < st->n; k++)
        if (st->recent[k].id == pkt->frag_id && st->recent[k].proto == pkt->proto &&
            !memcmp(st->recent[k].src, pkt->ip_src, 16) && !memcmp(st->recent[k].dst, pkt->ip_dst, 16))
            return 1;
    unsigned k = st->next;
    st->next = (st->next + 1) % FRAG_RECENT;
    if (st->n < FRAG_RECENT)
        st->n++;
    memcpy(st->recent[k].src, pkt->ip_src, 16);
    memcpy(st->recent[k].dst, pkt->ip_dst, 16);
    st->recent[k].id = pkt->frag_id;
    st->recent[k].proto = pkt->proto;
    return 0;
}

static void fragdet_packet(void *state, const struct detect_ctx *ctx, struct finding_sink *sink)
{
    const struct frag_info *fi = ctx->frag;
    const struct packet *pkt = ctx->pkt;
    if (!fi || !fi->differ || seen(state, pkt))
        return;

    struct finding f;
    memset(&f, 0, sizeof f);
    f.class_name = "fragment_injection";
    f.confidence = CONF_HIGH;
    finding_set_flow_from_packet(&f, pkt);
    /* Ports sit in the first fragment only: those of the datagram when it has come (the
     * ports Suricata gives the reassembled datagram), else 0. */
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
    sink->emit(sink, &f);
}

const struct detector detector_fragment_injection = {
    .name = "fragment_injection",
    .init = fragdet_init,
    .on_packet = fragdet_packet,
    .free = fragdet_free,
};
