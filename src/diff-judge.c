/* secondsight diff - judging: a matched pair (forwarded or modified), a lone packet
 * (dropped, injected, or not the device's doing), and findings gathered per
 * conversation and written.
 *
 * A lone packet is judged only where the other capture could have seen its
 * counterpart: outside the other capture's time span it is counted apart. Who sent it
 * is read from the link layer (the device's MACs learnt from pairs) or from the
 * direction's ingress side; the device's own traffic is what matches no learnt
 * mapping and is addressed to or from one of its addresses.
 *
 * Confidence: a finding is high only with a proof the text names: the pair itself
 * (modified), a forwarded twin with other content (injected: a forgery beside the
 * genuine packet), the sender's retransmission forwarded afterwards, or the same
 * packet dropped DIFF_CERTAIN_REPEATS times while others crossed (dropped). Anything
 * capture loss could explain is medium, and the verdict is then at most inconclusive.
 * Not judged: a drop the receiver's ACK shows delivered (a capture gap), a drop the
 * device explained with an ICMP "too big" quoting it (path MTU discovery) and that
 * ICMP message itself. */
#include "diff-int.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "diff.h"
#include "util-hash.h"
#include "util-phrase.h"
#include "util-strlist.h"

static void set_flow(struct finding *f, const struct summary *s)
{
    f->ip_version = s->v;
    f->proto = s->proto;
    memcpy(f->src_ip, s->src, 16);
    memcpy(f->dst_ip, s->dst, 16);
    f->sport = s->sport;
    f->dport = s->dport;
}

static void drop_text(struct diff *d, struct open_finding *of);

/* The classes: compared by address (an open finding's kind). */
static const char diff_dropped[] = "device_dropped", diff_injected[] = "device_injected",
                  diff_modified[] = "device_modified";

static void emit(struct diff *d, struct open_finding *of)
{
    struct finding *f = &of->f;
    if (of->cls == diff_dropped)
        drop_text(d, of);
    finding_evidence_int(f, "packets", (int64_t)of->packets);
    if (of->why.times > 1 && !of->why.repeated) {
        size_t n = strlen(f->summary);
        snprintf(f->summary + n, sizeof f->summary - n,
                 " (sent %u times over %.1f s, no copy forwarded; too few to be sure)",
                 of->why.times, (double)(of->last_ns - of->why.first_ns) / 1e9);
    } else if (of->packets > 1 && !of->why.repeated) {
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

/* The moment after which no event joins an open finding. */
static int64_t closes_at(const struct open_finding *of)
{
    return of->last_ns + (of->twin ? DIFF_REPEAT_HOLD_NS : DIFF_MERGE_NS);
}

void diff_flush_findings(struct diff *d, int64_t now)
{
    for (;;) { /* oldest first */
        struct open_finding *oldest = NULL;
        for (unsigned i = 0; i < DIFF_MAX_OPEN; i++) {
            struct open_finding *of = &d->open[i];
            if (of->used && closes_at(of) < now && (!oldest || of->f.ts_ns < oldest->f.ts_ns))
                oldest = of;
        }
        if (!oldest)
            return;
        emit(d, oldest);
    }
}

/* An event joins the open finding of its conversation and kind within DIFF_MERGE_NS,
 * or the held finding of the same packet (`twin`, 0: none) dropped again; else it
 * starts one (*joined 0). An injection joins only a finding as certain as it is (its
 * text and confidence are the first event's); a drop's finding takes the strongest
 * proof of its events. With every slot taken, the finding open longest is written. */
static struct open_finding *event_finding(struct diff *d, const char *cls, const struct copy *e,
                                          uint8_t ddir, int64_t ts, uint64_t twin, int certain,
                                          int *joined)
{
    for (unsigned i = 0; i < DIFF_MAX_OPEN && e->conv != NONE; i++) {
        struct open_finding *of = &d->open[i];
        if (!of->used || of->cls != cls || of->conv != e->conv || of->gen != e->gen ||
            of->side != e->side || of->ddir != ddir ||
            (cls != diff_dropped && of->certain != certain))
            continue;
        int again = twin && of->twin == twin && ts - of->last_ns < DIFF_REPEAT_HOLD_NS;
        if (!again && ts - of->last_ns >= DIFF_MERGE_NS)
            continue;
        of->last_ns = ts;
        of->packets++;
        finding_add_frame(&of->f, FRAME_REF(e->side, e->frame), cls != diff_dropped);
        *joined = 1;
        return of;
    }
    struct open_finding *slot = NULL;
    for (unsigned i = 0; i < DIFF_MAX_OPEN && !slot; i++)
        if (!d->open[i].used)
            slot = &d->open[i];
    if (!slot) {
        slot = &d->open[0];
        for (unsigned i = 1; i < DIFF_MAX_OPEN; i++)
            if (d->open[i].f.ts_ns < slot->f.ts_ns)
                slot = &d->open[i];
        emit(d, slot);
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
    slot->twin = twin;
    slot->certain = (uint8_t)certain;
    struct finding *f = &slot->f;
    f->class_name = cls;
    f->ts_ns = ts;
    f->file_index = e->side;
    set_flow(f, e->s);
    *joined = 0;
    return slot;
}

static void add_where(struct finding *f, int side, uint8_t ddir, const char *counterpart)
{
    finding_evidence_str(f, "side", diff_side_name[side]);
    finding_evidence_str(f, "direction", diff_dir_name[ddir]);
    finding_evidence_str(f, "counterpart_pcap", counterpart);
    finding_evidence_frames(f, "counterpart_frames", (uint32_t)!side);
}

static void count_conv(struct diff *d, const struct copy *e, const char *cls, uint8_t ddir)
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

static void printable(char *out, size_t size, const uint8_t *p, uint32_t n)
{
    size_t k = 0;
    for (uint32_t i = 0; i < n && k + 5 < size; i++) {
        if (p[i] >= 0x20 && p[i] < 0x7f && p[i] != '\\')
            out[k++] = (char)p[i];
        else
            k += (size_t)snprintf(out + k, size - k, "\\x%02x", p[i]);
    }
    out[k] = 0;
}

/* The twin slot of a packet in one direction of a conversation. */
static struct twin_slot *twin_slot(const struct diff *d, uint32_t conv, uint32_t gen, uint8_t dir,
                                   uint64_t twin, uint64_t *key)
{
    uint64_t k[3] = {(uint64_t)conv << 32 | gen, dir, twin};
    *key = siphash13(d->key, k, sizeof k);
    return &d->twins[*key % DIFF_TWIN_SLOTS];
}

static uint64_t forwarded_total(const struct diff *d)
{
    return d->ds.forwarded[0] + d->ds.forwarded[1];
}

int diff_covered(const struct diff *d, int side, int64_t ts)
{
    if (ts < d->span_first[side] + DIFF_EDGE_NS)
        return 0;
    return !d->span_ended[side] || ts <= d->span_last[side] - DIFF_EDGE_NS;
}

uint32_t diff_seq_end(const struct summary *s)
{
    return s->nseq + s->payload_wire_len + !!(s->flags & (TH_SYN | TH_FIN));
}

int diff_receiver_took(const struct conv *c, uint8_t dir, uint32_t seq, uint32_t end)
{
    uint8_t back = (uint8_t)!dir; /* the receiver's acknowledgements */
    if (end == seq)
        return 0;
    if (c->has_ack[back] && (int32_t)(c->max_ack[back] - end) >= 0)
        return 1;
    for (uint32_t i = 0; i < c->nsack[back] && i < 4; i++)
        if ((int32_t)(seq - c->sack[back][2 * i]) >= 0 &&
            (int32_t)(c->sack[back][2 * i + 1] - end) >= 0)
            return 1;
    return 0;
}

int diff_repeats_certain(uint32_t times, uint64_t crossed_between, int capture_lost)
{
    return times >= DIFF_CERTAIN_REPEATS && crossed_between > 0 && !capture_lost;
}

/* ---- a matched pair ---- */

static void modified_finding(struct diff *d, const struct copy *first, const struct copy *second,
                             const struct comparison *cmp, uint32_t cin, uint8_t din, uint8_t ddir,
                             int64_t ts)
{
    /* The finding belongs to the copy that left the device. */
    struct copy out = *second;
    out.conv = cin;
    out.gen = cin != NONE ? d->convs[cin].gen : 0;
    out.dir = din;
    count_conv(d, &out, "device_modified", ddir);
    int joined;
    struct finding *f = &event_finding(d, diff_modified, &out, ddir, ts, 0, 1, &joined)->f;
    if (joined)
        return;
    char src[46], dst[46], fields[160];
    format_ip(src, out.s->v, out.s->src);
    format_ip(dst, out.s->v, out.s->dst);
    f->confidence = CONF_HIGH;
    finding_add_frame(f, FRAME_REF(out.side, out.frame), 1);
    finding_add_frame(f, FRAME_REF(first->side, first->frame), 0);
    snprintf(f->summary, sizeof f->summary,
             "the device changed %s:%u -> %s:%u %s: frame %" PRIu64 " in %s left it "
             "with %s different from frame %" PRIu64 " in %s that entered it",
             src, out.s->sport, dst, out.s->dport, diff_dir_name[ddir], out.frame,
             d->files[out.side].path, phrase_nouns(fields, sizeof fields, cmp->changed),
             first->frame, d->files[first->side].path);
    add_where(f, out.side, ddir, d->files[first->side].path);
    finding_evidence_list(f, "changed", cmp->changed);
    if (cmp->nbytes) {
        uint32_t n = cmp->common - cmp->first_off < 24 ? cmp->common - cmp->first_off : 24;
        char b[100], a[100];
        printable(b, sizeof b, first->bytes + cmp->first_off, n);
        printable(a, sizeof a, second->bytes + cmp->first_off, n);
        finding_evidence_int(f, "changed_bytes", cmp->nbytes);
        finding_evidence_int(f, "first_changed_offset", cmp->first_off);
        finding_evidence_str(f, "bytes_before", b);
        finding_evidence_str(f, "bytes_after", a);
    }
}

static void rematch(struct diff *d, uint32_t ci);

static int list_has(const char *list, const char *item)
{
    for (const char *p = list; *p; p = strlist_next(p))
        if (!strcmp(p, item))
            return 1;
    return 0;
}

void diff_pair(struct diff *d, const struct copy *a, const struct copy *b, int weak)
{
    /* The first copy entered the device, unless the TTLs say the clocks misled us. */
    const struct copy *first = a->ts <= b->ts ? a : b, *second = first == a ? b : a;
    if (second->s->ttl == (uint8_t)(first->s->ttl + 1)) {
        const struct copy *t = first;
        first = second;
        second = t;
    }
    const struct copy *in = a->side == DIFF_INSIDE ? a : b, *out = in == a ? b : a;
    diff_range_paired(d, a->range);
    diff_range_paired(d, b->range);
    uint8_t ddir = first->side == DIFF_INSIDE ? DIFF_OUTBOUND : DIFF_INBOUND;
    diff_clock_observe(d, in->ts, out->ts + d->offset - in->ts, ddir);
    uint8_t din = 0;
    uint32_t cin = diff_conv_learn(d, first, second, &din);
    if (cin != NONE) { /* in the numbering just learnt */
        diff_translate(first->s, &d->convs[cin], first->side, din);
        diff_translate(second->s, &d->convs[cin], second->side, din);
    }

    struct comparison cmp;
    diff_compare(first, second, d->o->nat, &cmp);
    if (weak && (!first->bytes || !second->bytes) && !cmp.nbytes &&
        !list_has(cmp.changed, "payload") && (first->len || second->len))
        strlist_add_str(cmp.changed, sizeof cmp.changed, "payload");
    d->ds.rewrite_ttl += cmp.ttl;
    d->ds.rewrite_tos += cmp.tos;
    d->ds.rewrite_nat += cmp.nat;
    d->ds.rewrite_mss += cmp.mss;
    d->ds.rewrite_ts += cmp.ts;
    d->ds.rewrite_ipid += cmp.ip_id;
    struct conv *c = cin != NONE ? &d->convs[cin] : NULL;
    if (!cmp.changed[0]) {
        d->ds.forwarded[ddir]++;
        if (c)
            c->fwd[ddir]++;
    } else {
        d->ds.modified[ddir]++;
        modified_finding(d, first, second, &cmp, cin, din, ddir, second->ts);
    }
    /* Forwarded: the twin of a later lone copy (a retransmission after a drop, the
     * genuine packet beside a forgery). */
    if (c && in->s->has_twin) {
        uint64_t k;
        struct twin_slot *slot = twin_slot(d, cin, c->gen, din, in->s->twin, &k);
        slot->key = k;
        slot->ts = in->ts;
        slot->content = in->s->content;
        slot->took = in->s->proto == IPPROTO_NUM_TCP &&
                     diff_receiver_took(c, din, in->s->nseq, diff_seq_end(in->s));
    }
    if (d->rekeyed != NONE && !d->rematching) {
        uint32_t r = d->rekeyed;
        d->rekeyed = NONE;
        d->rematching = 1;
        rematch(d, r);
        d->rematching = 0;
    }
}

/* The waiting packets of a conversation keyed anew (a mapping or offsets learnt) that
 * now meet their counterpart: paired. */
static void rematch(struct diff *d, uint32_t ci)
{
    for (uint32_t i = d->oldest, next; i != NONE; i = next) {
        next = d->pend[i].newer;
        struct pend *e = &d->pend[i];
        if (e->conv != ci || e->side != DIFF_INSIDE)
            continue;
        struct copy x = diff_pend_copy(d, e);
        struct pend *m = diff_pend_find(d, e->key[KEY_STRONG], KEY_STRONG, DIFF_OUTSIDE, &x);
        if (!m)
            continue;
        if (next == (uint32_t)(m - d->pend))
            next = m->newer;
        diff_pend_unlink(d, e);
        diff_pend_unlink(d, m);
        struct copy y = diff_pend_copy(d, m);
        diff_pair(d, &x, &y, 0);
    }
}

/* ---- a lone packet ---- */

int diff_ptb_fits(uint32_t mtu, uint32_t ip_len)
{
    return !mtu || ip_len > mtu; /* an MTU of 0: a router older than RFC 1191 */
}

/* The device's "too big" about this packet, in the window: 1 when it explains the
 * drop, -1 when it names an MTU the packet fits (a false reason: the drop stands), 0
 * when there is none. */
static int ptb_explains(struct diff *d, int side, uint64_t quote, uint32_t ip_len, int64_t ts)
{
    int seen = 0;
    for (uint32_t i = 0; i < DIFF_PTB_SLOTS; i++)
        if (d->ptb[i].used && d->ptb[i].side == side && d->ptb[i].quote == quote &&
            d->ptb[i].ts >= ts - d->window && d->ptb[i].ts <= ts + d->window) {
            if (diff_ptb_fits(d->ptb[i].mtu, ip_len))
                return 1;
            seen = -1;
        }
    return seen;
}

static void injected(struct diff *d, const struct copy *e, uint8_t ddir, int by_mac,
                     const struct overlap *ov)
{
    const struct summary *s = e->s;
    char src[46], dst[46], mac[18];
    format_ip(src, s->v, s->src);
    format_ip(dst, s->v, s->dst);
    uint64_t key;
    const struct conv *c = diff_conv_at(d, e->conv, e->gen);
    const struct twin_slot *slot = s->has_twin && e->conv != NONE
                                       ? twin_slot(d, e->conv, e->gen, e->dir, s->twin, &key)
                                       : NULL;
    /* A forger races or replaces a genuine packet: one of the same kind (TCP data at
     * the same sequence number, a DNS answer to the same ID and question, an echo of
     * the same session and sequence) was forwarded with other content. A lone packet
     * with no such twin may be the genuine one, whose copy the other capture missed. */
    int twin = slot && slot->key == key && slot->ts > e->ts - d->window &&
               slot->ts < e->ts + d->window && slot->content != s->content;
    /* TCP data is judged by its bytes over its sequence range: the same bytes cut
     * otherwise are no forgery, other bytes are, wherever the copy starts. */
    int forged_range = ov->differ != 0;
    if (ov->overlaps)
        twin = forged_range;
    /* A reset the sender never sent: it went on talking after it, on the other side. */
    int went_on = c && s->proto == IPPROTO_NUM_TCP && (s->flags & TH_RST) &&
                  c->talked[!e->side][e->dir] > e->ts;
    /* A TCP segment with sequence space counts only when its receiver took it: an
     * ACK or SACK of its bytes shows it was on the wire, as on the dropped side. */
    uint32_t end = diff_seq_end(s);
    int seqspace = s->proto == IPPROTO_NUM_TCP && !(s->flags & TH_RST) && end != s->nseq;
    int took = seqspace && c && diff_receiver_took(c, e->dir, s->nseq, end);
    int twin_proof = twin && (took || !seqspace);
    /* capture loss cannot make a copy unlike the real one, nor a sender talk on */
    int certain = by_mac && (twin_proof || went_on);
    d->ds.injected[ddir]++;
    if (!certain)
        d->ds.uncertain++;
    count_conv(d, e, "device_injected", ddir);
    int joined;
    struct finding *f = &event_finding(d, diff_injected, e, ddir, e->ts, 0, certain, &joined)->f;
    if (joined)
        return;
    f->confidence = certain ? CONF_HIGH : CONF_MEDIUM;
    finding_add_frame(f, FRAME_REF(e->side, e->frame), 1);
    const char *forgery = ": a forgery made by the device";
    const char *untaken = ", but no ACK or SACK shows its receiver took it: the capture may "
                          "have missed it";
    char why[220];
    if (forged_range) {
        finding_add_frame(f, FRAME_REF(!e->side, ov->frame), 0);
        snprintf(why, sizeof why,
                 " with %u of its bytes unlike those frame %" PRIu64 " in %s carried over the "
                 "same sequence range%s",
                 ov->differ, ov->frame, d->files[!e->side].path, twin_proof ? forgery : untaken);
    } else {
        snprintf(why, sizeof why, " with no packet on the %s that could have caused it%s%s",
                 diff_side_name[!e->side],
                 twin      ? ", while the genuine packet it imitates was forwarded as well"
                 : went_on ? ", a reset in the name of a sender that went on sending after it"
                           : "; nothing like it was forwarded, so the other capture may have "
                             "missed the genuine packet",
                 twin_proof || went_on ? forgery
                 : twin                ? untaken
                                       : "");
    }
    snprintf(f->summary, sizeof f->summary,
             "the device sent %s:%u -> %s:%u %s (frame %" PRIu64 " in %s)%s", src, s->sport, dst,
             s->dport, diff_dir_name[ddir], e->frame, d->files[e->side].path, why);
    add_where(f, e->side, ddir, d->files[!e->side].path);
    if (by_mac)
        finding_evidence_str(f, "device_mac", fmt_mac(mac, s->mac_src));
    finding_evidence_bool(f, "twin_forwarded", twin);
    if (forged_range) {
        char b[8], a[8];
        printable(b, sizeof b, &ov->before, 1);
        printable(a, sizeof a, &ov->after, 1);
        finding_evidence_int(f, "changed_bytes", ov->differ);
        finding_evidence_int(f, "compared_bytes", ov->compared);
        finding_evidence_int(f, "first_changed_offset", ov->first_off);
        finding_evidence_str(f, "byte_before", b);
        finding_evidence_str(f, "byte_after", a);
    }
    if (seqspace)
        finding_evidence_bool(f, "receiver_took_it", took);
    if (went_on)
        finding_evidence_bool(f, "sender_went_on", 1);
}

/* A dropped finding's text and evidence, written when it closes: the strongest proof
 * among its events. */
static void drop_text(struct diff *d, struct open_finding *of)
{
    struct finding *f = &of->f;
    const struct drop_why *w = &of->why;
    char src[46], dst[46], why[200];
    format_ip(src, f->ip_version, f->src_ip);
    format_ip(dst, f->ip_version, f->dst_ip);
    if (w->false_ptb)
        snprintf(why, sizeof why,
                 "; the device answered it with ICMP \"too big\", yet at %u bytes it fits the "
                 "MTU that message names: a false reason, dropped on purpose",
                 w->ip_len);
    else if (w->repeated)
        snprintf(why, sizeof why,
                 "; the sender sent it %u times over %.1f s and no copy was forwarded, while "
                 "%" PRIu64 " other packets crossed the device: dropped on purpose",
                 w->times, (double)(of->last_ns - w->first_ns) / 1e9, w->crossed);
    else if (w->certain)
        snprintf(why, sizeof why,
                 "; the sender's retransmission of the same bytes was "
                 "forwarded, so the first copy was dropped, not missed by "
                 "the capture");
    else if (w->retx && w->lost)
        snprintf(why, sizeof why,
                 "; the sender's retransmission was forwarded, but the other "
                 "capture says it lost packets: it may have missed this one");
    else if (w->retx)
        snprintf(why, sizeof why,
                 "; the sender's retransmission was forwarded, but no ACK or SACK shows "
                 "the receiver took it: the capture may have missed it");
    else
        snprintf(why, sizeof why, "; the other capture may have missed it");
    f->confidence = w->certain ? CONF_HIGH : CONF_MEDIUM;
    snprintf(f->summary, sizeof f->summary,
             "%s:%u -> %s:%u (frame %" PRIu64 " in %s) reached the device %s and never left "
             "it%s",
             src, f->sport, dst, f->dport, (uint64_t)FRAME_REF_FRAME(f->frames[0]),
             d->files[of->side].path, diff_dir_name[of->ddir], why);
    finding_evidence_bool(f, "retransmission_forwarded", w->retx);
    if (w->tcp)
        finding_evidence_bool(f, "receiver_took_it", w->took);
    if (w->repeated)
        finding_evidence_int(f, "times_dropped", w->times);
    if (w->false_ptb)
        finding_evidence_bool(f, "false_too_big", 1);
}

static void dropped(struct diff *d, const struct copy *e, uint8_t ddir)
{
    const struct summary *s = e->s;
    int side = e->side;
    struct conv *c = diff_conv_at(d, e->conv, e->gen);
    /* Path MTU discovery: the device said why it did not forward it, truly. */
    int ptb = ptb_explains(d, side, diff_quote_of(d->key, s), s->ip_len, e->ts);
    if (ptb > 0) {
        d->ds.pmtud[side]++;
        return;
    }
    /* Dropped, or missed by the other capture? The sender's retransmission forwarded
     * afterwards says the first copy did not get through; a TCP receiver that
     * acknowledged the bytes without one had them, so the other capture lost the
     * packet, not the device. A capture that says it lost packets voids both. */
    struct drop_why w = {.times = 1, .first_ns = e->ts};
    uint64_t key;
    const struct twin_slot *slot =
        c && s->has_twin ? twin_slot(d, e->conv, e->gen, e->dir, s->twin, &key) : NULL;
    w.retx = slot && slot->key == key && slot->ts >= e->ts;
    if (c && s->proto == IPPROTO_NUM_TCP && diff_seq_end(s) != s->nseq) {
        /* The receiver's ACK or SACK decides: its bytes taken before any retransmission
         * crossed (or without one), the first copy got through; taken only after, the
         * retransmission brought them and the first copy was dropped; never taken, the
         * captures cannot tell. */
        w.tcp = 1;
        w.took = (uint8_t)diff_receiver_took(c, e->dir, s->nseq, diff_seq_end(s));
        if (w.took && (!w.retx || slot->took)) {
            d->ds.capture_gaps[!side]++;
            return;
        }
    }
    /* The same packet dropped again and again while others crossed: censorship. */
    if (c && s->has_twin) {
        if (c->drop_times[e->dir] && c->drop_twin[e->dir] == s->twin) {
            w.times = ++c->drop_times[e->dir];
            w.first_ns = c->drop_first[e->dir];
            w.crossed = forwarded_total(d) - c->drop_crossed[e->dir];
        } else {
            c->drop_twin[e->dir] = s->twin;
            c->drop_times[e->dir] = 1;
            c->drop_first[e->dir] = e->ts;
            c->drop_crossed[e->dir] = forwarded_total(d);
        }
    }
    w.lost = d->ds.capture_drops[!side] != 0;
    w.repeated = (uint8_t)diff_repeats_certain(w.times, w.crossed, w.lost);
    /* The device's own word that it did not forward it, for a reason the packet's
     * size belies: no capture loss makes that. */
    w.false_ptb = ptb < 0;
    w.ip_len = s->ip_len;
    w.certain = (w.retx && !w.lost && (w.took || !w.tcp)) || w.repeated || w.false_ptb;
    d->ds.dropped[ddir]++;
    count_conv(d, e, "device_dropped", ddir);
    int joined;
    struct open_finding *of = event_finding(d, diff_dropped, e, ddir, e->ts,
                                            s->has_twin ? s->twin : 0, w.certain, &joined);
    int same = of->twin && s->has_twin && of->twin == s->twin;
    if (!w.certain) {
        d->ds.uncertain++;
        of->held_uncertain += (uint32_t)same;
    } else if (w.repeated && same) {
        /* The repeats prove the earlier drops of the same packet too. */
        d->ds.uncertain -= of->held_uncertain;
        of->held_uncertain = 0;
    }
    if (!joined) {
        finding_add_frame(&of->f, FRAME_REF(side, e->frame), 0);
        add_where(&of->f, side, ddir, d->files[!side].path);
    }
    /* the strongest proof among the events is the finding's */
    if (!joined || w.certain > of->why.certain || (same && w.certain >= of->why.certain))
        of->why = w;
}

/* A lone TCP segment whose every byte the other side carried, cut otherwise: not a
 * drop nor an injection. The same bytes: resegmented (by the device or the sender's
 * retransmission). Other bytes, on a segment that entered the device: the copies that
 * left carry the finding. Returns 1 when the segment is accounted for. */
static int judge_overlap(struct diff *d, const struct copy *e, int sent, const struct overlap *ov)
{
    if (!ov->overlaps || !ov->whole || (sent && ov->differ))
        return 0;
    d->ds.resegmented[e->side]++;
    return 1;
}

/* A lone packet, its window over: whose was it, and what does its absence mean? */
static void judge_alone(struct diff *d, const struct copy *e)
{
    const struct summary *s = e->s;
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
    /* The device's own: to or from its addresses, on no learnt mapping (traffic of a
     * mapping is forwarded traffic, whatever address NAT gave it), and the "too big"
     * messages that explain its drops. */
    int mapped = c && c->mapped;
    if (!mapped && (sent ? diff_device_addr(d, side, s->v, s->src)
                         : diff_device_addr(d, side, s->v, s->dst))) {
        d->ds.local[side]++;
        return;
    }
    if (sent && s->ptb) {
        d->ds.local[side]++;
        return;
    }
    if (!diff_covered(d, !side, e->ts)) {
        d->ds.not_covered[side]++;
        return;
    }
    /* outbound: entering inside, or leaving outside */
    uint8_t ddir = (side == DIFF_INSIDE) != sent ? DIFF_OUTBOUND : DIFF_INBOUND;
    struct overlap ov;
    memset(&ov, 0, sizeof ov);
    if (mapped)
        diff_range_overlap(d, e, c, !sent, &ov);
    if (judge_overlap(d, e, sent, &ov))
        return;
    if (sent)
        injected(d, e, ddir, by_mac, &ov);
    else
        dropped(d, e, ddir);
}

/* Two TCP data segments at one sequence number, of other lengths, whose kept bytes
 * agree where both have them: one stream cut otherwise, not a changed copy. */
static int same_bytes_cut_otherwise(const struct diff *d, const struct copy *x,
                                    const struct pend *m)
{
    const uint8_t *mb = diff_pend_bytes(d, m);
    if (x->s->proto != IPPROTO_NUM_TCP || !x->s->payload_wire_len || !m->s.payload_wire_len ||
        x->s->payload_wire_len == m->s.payload_wire_len || !x->bytes || !mb)
        return 0;
    uint32_t n = x->len < m->bytes_len ? x->len : m->bytes_len;
    return n && !memcmp(x->bytes, mb, n);
}

void diff_expire(struct diff *d, int64_t before)
{
    while (d->oldest != NONE && d->pend[d->oldest].ts < before) {
        struct pend *e = &d->pend[d->oldest];
        diff_pend_unlink(d, e);
        /* A changed copy meets its original by the weak key once neither found its
         * exact counterpart: a drop and an injection of one exchange are one change. */
        struct copy x = diff_pend_copy(d, e);
        struct pend *m =
            e->key[KEY_WEAK] ? diff_pend_find(d, e->key[KEY_WEAK], KEY_WEAK, !e->side, &x) : NULL;
        if (m && same_bytes_cut_otherwise(d, &x, m))
            m = NULL; /* a segment recut: judged by its sequence range */
        if (m) {
            diff_pend_unlink(d, m);
            struct copy y = diff_pend_copy(d, m);
            diff_pair(d, &x, &y, 1);
        } else {
            judge_alone(d, &x);
        }
    }
}
