/* secondsight diff - accounts for every packet that crossed one device, from a capture
 * on each side of it: the run loop.
 *
 * Both files are read side by side in packet time (the outside clock corrected by the
 * estimated offset, diff-clock.c). Fragments are reassembled per side first; each
 * datagram gets its conversation (diff-conv.c) and its keys (diff-match.c), and meets
 * the waiting packet of the other side it is a copy of, or waits up to DIFF_WINDOW_S
 * for it. A pair is forwarded or modified, a packet still alone at the end of its
 * window dropped, injected or not the device's doing (diff-judge.c).
 *
 * Every table is bounded: waiting packets (count and kept bytes), conversations
 * (count, idle timeout), fragments; what the caps push out is counted. */
#include "diff-int.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include <pcap/dlt.h>

#include "capture.h"
#include "config.h"
#include "diff.h"
#include "run.h"
#include "util-hash.h"

const char *const diff_side_name[SIDES] = {"inside", "outside"};
const char *const diff_dir_name[2] = {"outbound", "inbound"};

/* One IP packet (a whole datagram: fragments are reassembled first) on one side:
 * its counterpart found among the waiting packets of the other side, or it waits. */
static void diff_datagram(struct diff *d, int side, const struct packet *pkt,
                          const struct packet *link, int64_t ts)
{
    struct summary s;
    diff_summarise(&s, pkt, d->key);
    if (link != pkt && link->linktype == DLT_EN10MB && link->caplen >= 14) {
        s.has_mac = 1; /* a reassembled datagram: the MACs of its last fragment */
        memcpy(s.mac_dst, link->data, 6);
        memcpy(s.mac_src, link->data + 6, 6);
    }
    diff_note_link(d, side, link, &s);
    if (!s.v) {
        d->ds.local[side]++; /* ARP and other link traffic */
        return;
    }
    if (s.ptb && s.quote) { /* the device may explain a drop with it (path MTU) */
        uint32_t i = d->ptb_next++ % DIFF_PTB_SLOTS;
        d->ptb[i].quote = s.quote;
        d->ptb[i].ts = ts;
        d->ptb[i].mtu = s.mtu;
        d->ptb[i].side = (uint8_t)side;
        d->ptb[i].used = 1;
    }
    uint8_t dir = 0;
    uint32_t ci = diff_conv_get(d, side, &s, ts, &dir);
    struct conv *c = &d->convs[ci];
    diff_translate(&s, c, side, dir);
    if (s.proto == IPPROTO_NUM_TCP && (s.flags & TH_ACK) &&
        (!c->has_ack[dir] || (int32_t)(s.nack - c->max_ack[dir]) > 0)) {
        c->has_ack[dir] = 1;
        c->max_ack[dir] = s.nack;
    }
    if (s.proto == IPPROTO_NUM_TCP && (s.flags & TH_ACK)) { /* what the receiver holds */
        c->nsack[dir] = s.nsack;
        memcpy(c->sack[dir], s.nsackv, sizeof c->sack[dir]);
    }
    if (s.proto == IPPROTO_NUM_TCP && (s.payload_wire_len || (s.flags & (TH_SYN | TH_FIN))))
        c->talked[side][dir] = ts;
    uint64_t key[DIFF_KEYS];
    diff_packet_keys(d, &s, c, ci, dir, key);
    struct copy x = {.s = &s,
                     .frame = pkt->frame,
                     .ts = ts,
                     .conv = ci,
                     .gen = c->gen,
                     .side = (uint8_t)side,
                     .dir = dir};
    diff_compared_bytes(&s, pkt, &x.bytes, &x.len);
    if (x.len > DIFF_KEEP_BYTES)
        x.len = DIFF_KEEP_BYTES;
    x.range = diff_range_add(d, &x);
    struct pend *m = diff_pend_find(d, key[KEY_STRONG], KEY_STRONG, !side, &x);
    if (!m && key[KEY_DATA])
        m = diff_pend_find(d, key[KEY_DATA], KEY_DATA, !side, &x);
    if (m) {
        diff_pend_unlink(d, m);
        struct copy y = diff_pend_copy(d, m);
        diff_pair(d, &y, &x, 0);
        return;
    }
    diff_pend_add(d, &x, key);
}

static void diff_packet(struct diff *d, int side, struct packet *pkt, int64_t ts)
{
    decode_packet(pkt);
    run_stats_count(&d->stats, pkt);
    d->stats.last_ts = pkt->ts_ns;
    if (ts < d->span_first[side])
        d->span_first[side] = ts;
    d->span_last[side] = ts;
    diff_expire(d, ts - d->window);
    diff_flush_findings(d, ts);
    diff_conv_expire(d, ts);
    if (!pkt->is_fragment) {
        diff_datagram(d, side, pkt, pkt, ts);
        return;
    }
    /* A device may fragment for a smaller MTU on one side: each side is reassembled
     * before it is compared. */
    struct frag_info fi;
    uint32_t len = 0;
    const uint8_t *whole = frag_table_add(d->frags[side], pkt, &fi, &len);
    if (!whole)
        return;
    d->ds.reassembled[side]++;
    struct packet dg;
    decode_reassembled(&dg, pkt, whole, len);
    diff_datagram(d, side, &dg, pkt, ts);
}

int diff_init(struct diff *d, const struct diff_options *o)
{
    memset(d, 0, sizeof *d);
    d->o = o;
    d->key[0] = hash_random_seed();
    d->key[1] = hash_random_seed();
    d->window = (int64_t)DIFF_WINDOW_S * 1000000000LL;
    d->pcap = DIFF_MAX_PENDING;
    uint32_t buckets = 1;
    /* Few packets wait at once when the device forwards them: a table that stays in
     * cache beats one sized for the cap (chains grow only near it). */
    while (buckets < DIFF_MAX_PENDING / 4)
        buckets <<= 1;
    d->pmask = buckets - 1;
    d->pend = calloc(d->pcap, sizeof *d->pend);
    for (int w = 0; w < DIFF_KEYS; w++)
        d->idx[w] = malloc(buckets * sizeof *d->idx[w]);
    d->bytes = malloc(DIFF_PENDING_BYTES);
    d->ccap = DIFF_MAX_CONVS;
    uint32_t cb = 1;
    while (cb < DIFF_MAX_CONVS / 2)
        cb <<= 1;
    d->cmask = cb - 1;
    d->convs = calloc(d->ccap, sizeof *d->convs);
    d->cidx[0] = malloc(cb * sizeof *d->cidx[0]);
    d->cidx[1] = malloc(cb * sizeof *d->cidx[1]);
    d->twins = calloc(DIFF_TWIN_SLOTS, sizeof *d->twins);
    int ranges = diff_range_init(d);
    struct frag_config fc = {FRAG_MAX_DEFAULT, FRAG_MEMORY_DEFAULT, FRAG_TIMEOUT};
    for (int side = 0; side < SIDES; side++) {
        d->frags[side] = frag_table_new(&fc, d->key[0] ^ (uint64_t)side);
        d->span_first[side] = INT64_MAX;
    }
    if (!d->pend || !d->idx[KEY_STRONG] || !d->idx[KEY_WEAK] || !d->idx[KEY_DATA] || !d->bytes ||
        !d->convs || !d->cidx[0] || !d->cidx[1] || !d->twins || !d->frags[0] || !d->frags[1] ||
        !ranges)
        return 0;
    for (int w = 0; w < DIFF_KEYS; w++)
        memset(d->idx[w], 0xff, buckets * sizeof *d->idx[w]);
    memset(d->cidx[0], 0xff, cb * sizeof *d->cidx[0]);
    memset(d->cidx[1], 0xff, cb * sizeof *d->cidx[1]);
    d->pfree = d->cfree = NONE;
    d->rekeyed = NONE;
    d->oldest = d->newest = NONE;
    d->lru_head = d->lru_tail = NONE;

    d->stats.files = d->files;
    d->stats.nfiles = SIDES;
    d->stats.flows = &d->conv_stats;
    d->stats.diff = &d->ds;
    d->ds.nat = o->nat ? "auto" : "none";
    d->ds.window_ns = d->window;
    d->ds.clock_auto = o->clock_auto;
    output_init(&d->out, o->out, o->format, o->color, o->sensor, &d->stats);
    return 1;
}

void diff_free(struct diff *d)
{
    output_release(&d->out);
    free(d->pend);
    for (int w = 0; w < DIFF_KEYS; w++)
        free(d->idx[w]);
    free(d->bytes);
    free(d->convs);
    free(d->cidx[0]);
    free(d->cidx[1]);
    free(d->twins);
    diff_range_free(d);
    for (int side = 0; side < SIDES; side++)
        if (d->frags[side])
            frag_table_free(d->frags[side]);
}

/* Both captures opened (a message for each that cannot be), and their own drop
 * counters read. */
static int open_captures(struct diff *d, struct capture_file cf[SIDES])
{
    const char *path[SIDES] = {d->o->inside, d->o->outside};
    int open[SIDES] = {0, 0};
    for (int side = 0; side < SIDES; side++) {
        if (capture_file_open(&cf[side], path[side], (uint32_t)side, &d->files[side]) == CAPTURE_OK)
            open[side] = 1;
        else
            fprintf(stderr, "secondsight: cannot read %s: %s\n", path[side], d->files[side].error);
    }
    if (!open[0] || !open[1]) {
        for (int side = 0; side < SIDES; side++)
            if (open[side])
                capture_file_close(&cf[side]);
        return 0;
    }
    for (int side = 0; side < SIDES; side++)
        d->ds.capture_drops_known[side] =
            capture_file_drops(path[side], &d->ds.capture_drops[side]);
    return 1;
}

/* The clock offset the run starts from: estimated, or given (and checked against the
 * estimate). */
static void set_clock(struct diff *d)
{
    const struct diff_options *o = d->o;
    uint64_t samples;
    int weak = 1;
    int64_t estimate = diff_estimate_offset(d, &samples, &weak);
    if (o->clock_auto) {
        d->ds.clock_offset_ns = estimate;
        d->ds.clock_samples = samples;
        d->ds.clock_weak = weak;
        if (!samples)
            fprintf(stderr, "secondsight: warning: too few packets common to both captures "
                            "to estimate the clock offset; assuming the clocks agree\n");
    } else {
        d->ds.clock_offset_ns = o->clock_offset_ns;
        int64_t off_by = estimate - o->clock_offset_ns;
        if (samples && (off_by > d->window / 2 || off_by < -d->window / 2))
            fprintf(stderr,
                    "secondsight: warning: --clock-skew %+.6f, but %" PRIu64 " packets "
                    "common to both captures put the outside clock %+.6f s from the "
                    "inside one\n",
                    (double)o->clock_offset_ns / 1e9, samples, (double)estimate / 1e9);
    }
    d->offset = d->ds.clock_offset_ns;
}

/* Both captures side by side, in packet time on the inside clock. */
static void walk(struct diff *d, struct capture_file cf[SIDES])
{
    struct packet pkt[SIDES];
    int have[SIDES];
    for (int side = 0; side < SIDES; side++) {
        have[side] = capture_file_next(&cf[side], &pkt[side]);
        if (have[side]) /* each capture's span starts with its first packet */
            d->span_first[side] = pkt[side].ts_ns - (side ? d->offset : 0);
        d->span_ended[side] = (uint8_t)!have[side];
    }
    while (have[0] || have[1]) {
        int64_t t0 = have[0] ? pkt[0].ts_ns : INT64_MAX;
        int64_t t1 = have[1] ? pkt[1].ts_ns - d->offset : INT64_MAX;
        int side = t0 <= t1 ? 0 : 1;
        diff_packet(d, side, &pkt[side], side ? t1 : t0);
        have[side] = capture_file_next(&cf[side], &pkt[side]);
        d->span_ended[side] = (uint8_t)!have[side];
    }
}

/* What still waits judged, findings and conversations written, the stats record; the
 * exit status of the verdict. */
static int finish(struct diff *d, int status)
{
    diff_expire(d, INT64_MAX);
    diff_flush_findings(d, INT64_MAX);
    while (d->lru_head != NONE)
        diff_conv_free(d, d->lru_head);
    d->ds.clock_drift_ppb = diff_drift_ppb(d);
    for (int side = 0; side < SIDES; side++) {
        d->stats.packets += d->files[side].packets;
        d->stats.bytes += d->files[side].bytes;
        d->stats.skipped += d->files[side].skipped;
    }
    d->stats.flows_active = 0;
    if (!output_stats(&d->out, &d->stats) || d->write_failed) {
        fprintf(stderr, "secondsight: cannot write %s: %s\n",
                d->o->out_name ? d->o->out_name : "standard output", strerror(errno));
        return EXIT_TROUBLE;
    }
    if (status != EXIT_CLEAN)
        return status;
    const char *verdict = diff_verdict(&d->ds);
    return !strcmp(verdict, "tampered")       ? EXIT_FINDINGS
           : !strcmp(verdict, "inconclusive") ? EXIT_INCONCLUSIVE
                                              : EXIT_CLEAN;
}

int diff_run(const struct diff_options *o)
{
    struct diff *d = malloc(sizeof *d);
    if (!d || !diff_init(d, o)) {
        fprintf(stderr, "secondsight: out of memory setting up the comparison\n");
        if (d)
            diff_free(d);
        free(d);
        return EXIT_TROUBLE;
    }
    struct capture_file cf[SIDES];
    int status = EXIT_TROUBLE;
    if (open_captures(d, cf)) {
        set_clock(d);
        walk(d, cf);
        status = EXIT_CLEAN;
        for (int side = 0; side < SIDES; side++)
            if (capture_file_close(&cf[side]) != CAPTURE_OK) {
                fprintf(stderr, "secondsight: %s: %s\n", side ? o->outside : o->inside,
                        d->files[side].error);
                status = EXIT_TROUBLE;
            }
        status = finish(d, status);
    }
    diff_free(d);
    free(d);
    return status;
}
