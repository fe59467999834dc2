/* secondsight diff - diff-judge.c. */
#include "diff-int.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include <pcap/dlt.h>

#include "capture.h"
#include "config.h"
#include "util-hash.h"

static void set_flow(struct finding *f, const struct summary *s)
{
    f->ip_version = s->v;
    f->proto = s->proto;
    memcpy(f->src_ip, s->src, 16);
    memcpy(f->dst_ip, s->dst, 16);
    f->sport = s->sport;
    f->dport = s->dport;
}

static void emit(struct diff *d, struct open_finding *of)
{
    struct finding *f = &of->f;
    finding_evidence_int(f, "packets", (int64_t)of->packets);
    if (of->packets > 1) {
        size_t n = strlen(f->summary);
        snprintf(f->summary + n, sizeof f->summary - n,
                 " (%" PRIu64 " packets of this "
                 "conversation within a second of each other; the first are cited)",
                 of->packets);
    }
    d->stats.findings++;
    d->files[f->file_index].findings++;
    if (!output_finding(&d->out, f))
        d->write_failed = 1;
    of->used = 0;
}

/* Writes the findings whose last event is older than `before`, oldest first. */
void diff_flush_findings(struct diff *d, int64_t before)
{
    for (;;) {
        struct open_finding *oldest = NULL;
        for (unsigned i = 0; i < DIFF_MAX_OPEN; i++) {
            struct open_finding *of = &d->open[i];
            if (of->used && of->last_ns < before && (!oldest || of->f.ts_ns < oldest->f.ts_ns))
                oldest = of;
        }
        if (!oldest)
            return;
        emit(d, oldest);
    }
}

/* An event joins the open finding of its conversation and kind, or starts one (NULL
 * when it joined: only the frames are added). */
struct finding *diff_event_finding(struct diff *d, const char *cls, const struct pend *e,
                                   uint8_t ddir, int64_t ts, uint64_t frame)
{
    for (unsigned i = 0; i < DIFF_MAX_OPEN; i++) {
        struct open_finding *of = &d->open[i];
        if (of->used && of->cls == cls && of->conv == e->conv && of->gen == e->gen &&
            of->side == e->side && of->ddir == ddir && e->conv != NONE &&
            ts - of->last_ns < DIFF_MERGE_NS) {
            of->last_ns = ts;
            of->packets++;
            finding_add_frame(&of->f, FRAME_REF(e->side, frame),
                              strcmp(cls, "device_dropped") != 0);
            return NULL;
        }
    }
    struct open_finding *slot = NULL;
    for (unsigned i = 0; i < DIFF_MAX_OPEN && !slot; i++)
        if (!d->open[i].used)
            slot = &d->open[i];
    if (!slot) {
        diff_flush_findings(d, INT64_MAX);
        slot = &d->open[0];
    }
    memset(slot, 0, sizeof *slot);
    slot->used = 1;
    slot->cls = cls;
    slot->conv = e->conv;
    slot->gen = e->gen;
    slot->side = e->side;
    slot->ddir = ddir;
    slot->last_ns = ts;
    slot->packets = 1;
    struct finding *f = &slot->f;
    f->class_name = cls;
    f->ts_ns = ts;
    f->file_index = e->side;
    set_flow(f, &e->s);
    return f;
}

void diff_add_where(struct finding *f, int side, uint8_t ddir, const char *counterpart)
{
    finding_evidence_str(f, "side", diff_side_name[side]);
    finding_evidence_str(f, "direction", diff_dir_name[ddir]);
    finding_evidence_str(f, "counterpart_pcap", counterpart);
    finding_evidence_frames(f, "counterpart_frames", (uint32_t)!side);
}

void diff_count_conv(struct diff *d, const struct pend *e, const char *cls, uint8_t ddir)
{
    struct conv *c = diff_conv_at(d, e->conv, e->gen);
    if (!c)
        return;
    if (!strcmp(cls, "device_modified"))
        c->mod[ddir]++;
    else if (!strcmp(cls, "device_injected"))
        c->inj[ddir]++;
    else
        c->drop[ddir]++;
}

static const char *fmt_mac(char buf[18], const uint8_t *m)
{
    snprintf(buf, 18, "%02x:%02x:%02x:%02x:%02x:%02x", m[0], m[1], m[2], m[3], m[4], m[5]);
    return buf;
}

/* The twin slot of a packet in one direction of a conversation. */
struct twin_slot *diff_twin_slot(const struct diff *d, uint32_t conv, uint32_t gen, uint8_t dir,
                                 uint32_t twin, uint64_t *key)
{
    uint64_t k[2] = {(uint64_t)conv << 32 | gen, (uint64_t)dir << 32 | twin};
    *key = siphash13(d->key, k, sizeof k);
    return &d->twins[*key % DIFF_TWIN_SLOTS];
}

/* A lone packet, its window over: whose was it, and what does its absence mean? */
static void judge_alone(struct diff *d, struct pend *e)
{
    const struct summary *s = &e->s;
    int side = e->side;
    if (s->local) {
        d->ds.local[side]++;
        return;
    }
    /* sent: 1 the device sent it on this side, 0 it was sent to the device, -1 unknown */
    int sent = -1, by_mac = 0;
    if (s->has_mac && d->nmacs[side]) {
        if (diff_mac_known(d, side, s->mac_src))
            sent = 1;
        else if (diff_mac_known(d, side, s->mac_dst))
            sent = 0;
        else {
            d->ds.not_via_device[side]++;
            return;
        }
        by_mac = 1;
    }
    struct conv *c = diff_conv_at(d, e->conv, e->gen);
    if (sent < 0 && c && c->ingress[e->dir] >= 0)
        sent = c->ingress[e->dir] != side;
    if (sent < 0) {
        d->ds.unattributed[side]++;
        return;
    }
    if (sent ? diff_device_addr(d, side, s->v, s->src) : diff_device_addr(d, side, s->v, s->dst)) {
        d->ds.local[side]++;
        return;
    }
    /* outbound: entering inside, or leaving outside */
    uint8_t ddir = (side == DIFF_INSIDE) != sent ? DIFF_OUTBOUND : DIFF_INBOUND;
    char src[46], dst[46], mac[18];
    format_ip(src, s->v, s->src);
    format_ip(dst, s->v, s->dst);
    const char *other = d->files[!side].path;

    uint64_t key;
    const struct twin_slot *slot =
        c && s->has_twin ? diff_twin_slot(d, e->conv, e->gen, e->dir, s->twin, &key) : NULL;
    if (sent) {
        /* A forger races or replaces a genuine packet: one like it (the same TCP
         * sequence number, DNS ID) was forwarded. A lone packet with no such twin may be
         * the genuine one, whose copy the other capture missed. */
        /* A twin with the same content is a retransmission whose copy the other
         * capture may have lost; a twin with other content is the genuine packet a
         * forgery races. */
        int twin = slot && slot->key == key && slot->ts > e->ts - d->window &&
                   slot->ts < e->ts + d->window && slot->content != s->content;
        int certain = by_mac && twin; /* capture loss cannot make a copy unlike the real one */
        d->ds.injected[ddir]++;
        if (!certain)
            d->ds.uncertain++;
        diff_count_conv(d, e, "device_injected", ddir);
        struct finding *f = diff_event_finding(d, "device_injected", e, ddir, e->ts, e->frame);
        if (!f)
            return;
        f->confidence = certain ? CONF_HIGH : CONF_MEDIUM;
        finding_add_frame(f, FRAME_REF(side, e->frame), 1);
        snprintf(f->summary, sizeof f->summary,
                 "the device sent %s:%u -> %s:%u %s (frame %" PRIu64 " in %s) with no packet "
                 "on the %s that could have caused it%s",
                 src, s->sport, dst, s->dport, diff_dir_name[ddir], e->frame, d->files[side].path,
                 diff_side_name[!side],
                 twin ? ", while the genuine packet it imitates was forwarded as well: a "
                        "forgery made by the device"
                      : "; nothing like it was forwarded, so the other capture may have "
                        "missed the genuine packet");
        diff_add_where(f, side, ddir, other);
        if (by_mac)
            finding_evidence_str(f, "device_mac", fmt_mac(mac, s->mac_src));
        finding_evidence_bool(f, "twin_forwarded", twin);
        return;
    }

    /* Dropped, or missed by the other capture? The sender's retransmission forwarded
     * afterwards says the first copy did not get through; a TCP receiver that
     * acknowledged the bytes without one had them, so the other capture lost the
     * packet, not the device. A capture that says it lost packets voids both. */
    int retx = 0;
    if (c && s->proto == IPPROTO_NUM_TCP) {
        uint32_t end = s->nseq + s->payload_wire_len + !!(s->flags & (TH_SYN | TH_FIN));
        retx = slot && slot->key == key && slot->ts >= e->ts;
        if (!retx && c->has_ack[!e->dir] && end != s->nseq &&
            (int32_t)(c->max_ack[!e->dir] - end) >= 0) {
            d->ds.capture_gaps[!side]++;
            return;
        }
    }
    int certain = retx && !d->ds.capture_drops[!side];
    d->ds.dropped[ddir]++;
    if (!certain)
        d->ds.uncertain++;
    diff_count_conv(d, e, "device_dropped", ddir);
    struct finding *f = diff_event_finding(d, "device_dropped", e, ddir, e->ts, e->frame);
    if (!f)
        return;
    f->confidence = certain ? CONF_HIGH : CONF_MEDIUM;
    finding_add_frame(f, FRAME_REF(side, e->frame), 0);
    snprintf(f->summary, sizeof f->summary,
             "%s:%u -> %s:%u (frame %" PRIu64 " in %s) reached the device %s and never left "
             "it%s",
             src, s->sport, dst, s->dport, e->frame, d->files[side].path, diff_dir_name[ddir],
             certain ? "; the sender's retransmission of the same bytes was forwarded, so the "
                       "first copy was dropped, not missed by the capture"
             : retx  ? "; the sender's retransmission was forwarded, but the other capture "
                       "says it lost packets: it may have missed this one"
                     : "");
    diff_add_where(f, side, ddir, other);
    finding_evidence_bool(f, "retransmission_forwarded", retx);
}

/* Judges waiting packets older than `before` (all when INT64_MAX). */
void diff_expire(struct diff *d, int64_t before)
{
    while (d->oldest != NONE && d->pend[d->oldest].ts < before) {
        struct pend *e = &d->pend[d->oldest];
        diff_pend_unlink(d, e);
        judge_alone(d, e);
    }
}
