/* secondsight - the pipeline for capture files. Owns the flow table, the detector
 * states and the run's counters; calls each layer in order for every frame. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <pcap/dlt.h>

#include "analyze.h"
#include "capture.h"
#include "detect.h"
#include "flow-frag.h"
#include "output-evidence.h"
#include "output-progress.h"
#include "output.h"
#include "util-hash.h"

#define ENGINE_MAX_DETECTORS 16

struct engine {
    struct progress progress;
    struct evidence *evidence; /* NULL without --evidence */
    struct finding with_evidence; /* a finding as the evidence writer named its files */
    struct flow_table *flows;
    struct frag_table *frags;
    struct run_stats stats;
    struct output out;
    struct finding_sink sink;
    void *state[ENGINE_MAX_DETECTORS];
    int enabled[ENGINE_MAX_DETECTORS];
    int write_failed;
};

static void engine_emit(struct finding_sink *sink, const struct finding *f)
{
    struct engine *e = sink->ctx;
    e->stats.findings++;
    if (f->file_index < e->stats.nfiles)
        e->stats.files[f->file_index].findings++;
    if (e->evidence) {
        /* The evidence writer names its files in the finding before it is written. */
        e->with_evidence = *f;
        evidence_finding(e->evidence, &e->with_evidence, e->stats.findings);
        f = &e->with_evidence;
    }
    if (!output_finding(&e->out, f))
        e->write_failed = 1;
}

static void count_packet(struct run_stats *s, const struct packet *pkt)
{
    uint64_t ev = pkt->events;
    while (ev) {
        int i = __builtin_ctzll(ev);
        s->decode.events[i]++;
        ev &= ev - 1;
    }
    if (pkt->ip_version == 4)
        s->ipv4++;
    else if (pkt->ip_version == 6)
        s->ipv6++;
    else if (packet_has_event(pkt, DEV_NOT_IP))
        s->not_ip++;
    if (pkt->is_fragment)
        s->fragments++;
    if (!pkt->ip_version || pkt->is_fragment)
        return;
    switch (pkt->proto) {
    case IPPROTO_NUM_TCP:
        s->tcp++;
        break;
    case IPPROTO_NUM_UDP:
        s->udp++;
        break;
    case IPPROTO_NUM_ICMP:
    case IPPROTO_NUM_ICMPV6:
        s->icmp++;
        break;
    default:
        s->other_proto++;
        break;
    }
}

/* Flow tracking and detection for one decoded packet (a fragment carries `frag`). */
static void engine_process(struct engine *e, const struct packet *pkt,
                           const struct frag_info *frag)
{
    struct detect_ctx ctx = {pkt, NULL, 0, NULL, frag};
    struct tcp_seg_info seg;
    struct flow *f = NULL;
    int trackable = pkt->l4_ok && !pkt->is_fragment &&
                    (pkt->proto == IPPROTO_NUM_TCP || pkt->proto == IPPROTO_NUM_UDP);
    if (trackable) {
        f = flow_table_get(e->flows, pkt, &ctx.dir);
        if (!f)
            e->stats.untracked++;
        else if (pkt->proto == IPPROTO_NUM_TCP)
            flow_tcp_update(e->flows, f, ctx.dir, pkt, &seg);
    }
    ctx.flow = f;
    ctx.seg = f && pkt->proto == IPPROTO_NUM_TCP ? &seg : NULL;
    for (unsigned i = 0; i < detector_count; i++)
        if (e->enabled[i] && detectors[i]->on_packet)
            detectors[i]->on_packet(e->state[i], &ctx, &e->sink);
    if (ctx.seg)
        flow_tcp_learn(f, ctx.dir, pkt, &seg);
}

void engine_feed(void *arg, struct packet *pkt)
{
    struct engine *e = arg;
    e->stats.last_ts = pkt->ts_ns;
    progress_packet(&e->progress, pkt->caplen, e->stats.findings);

    decode_packet(pkt);
    count_packet(&e->stats, pkt);
    if (e->evidence)
        evidence_packet(e->evidence, pkt);
    if (!pkt->is_fragment) {
        engine_process(e, pkt, NULL);
        return;
    }
    struct frag_info fi;
    uint32_t len = 0;
    const uint8_t *whole = frag_table_add(e->frags, pkt, &fi, &len);
    engine_process(e, pkt, &fi);
    if (!whole)
        return;
    /* The completed datagram goes through the pipeline as the completing frame. */
    struct packet dg;
    memset(&dg, 0, sizeof dg);
    dg.file_index = pkt->file_index;
    dg.frame = pkt->frame;
    dg.ts_ns = pkt->ts_ns;
    dg.caplen = dg.wirelen = len;
    dg.linktype = DLT_RAW;
    dg.data = whole;
    decode_packet(&dg);
    engine_process(e, &dg, NULL);
}

static int engine_init(struct engine *e, const struct analyze_options *opt, int nsources)
{
    memset(e, 0, sizeof *e);
    if (detector_count > ENGINE_MAX_DETECTORS)
        return 0;
    e->stats.files = calloc((size_t)nsources, sizeof *e->stats.files);
    uint64_t seed = hash_random_seed();
    struct frag_config fc = {FRAG_MAX_DEFAULT, FRAG_MEMORY_DEFAULT, FRAG_TIMEOUT};
    e->flows = flow_table_new(&opt->flow, seed);
    e->frags = frag_table_new(&fc, seed);
    if (!e->stats.files || !e->flows || !e->frags)
        return 0;
    if (opt->evidence_dir) {
        e->evidence = evidence_new(opt->evidence_dir);
        if (!e->evidence)
            return 0;
        e->stats.evidence = evidence_stats(e->evidence);
    }
    e->stats.flows = flow_table_stats(e->flows);
    e->stats.frags = frag_table_stats(e->frags);
    e->sink.emit = engine_emit;
    e->sink.ctx = e;
    for (unsigned i = 0; i < detector_count; i++) {
        const struct detector *d = detectors[i];
        if (d->test_only && !opt->test_detectors)
            continue;
        if (d->init && !d->init(&e->state[i]))
            return 0;
        e->enabled[i] = 1;
    }
    output_init(&e->out, opt->out, opt->json, opt->color, &e->stats);
    return 1;
}

void engine_free(struct engine *e)
{
    if (!e)
        return;
    for (unsigned i = 0; i < detector_count; i++)
        if (e->enabled[i] && detectors[i]->free)
            detectors[i]->free(e->state[i]);
    output_release(&e->out);
    flow_table_free(e->flows);
    frag_table_free(e->frags);
    evidence_free(e->evidence);
    free(e->stats.files);
    free(e);
}

struct engine *engine_new(const struct analyze_options *opt, int nsources)
{
    struct engine *e = malloc(sizeof *e);
    if (!e)
        return NULL;
    if (!engine_init(e, opt, nsources)) {
        engine_free(e);
        return NULL;
    }
    return e;
}

struct file_stats *engine_source(struct engine *e, uint32_t index)
{
    if (index + 1 > e->stats.nfiles)
        e->stats.nfiles = index + 1;
    return &e->stats.files[index];
}

void engine_progress(struct engine *e, const char *path, int allowed)
{
    if (path)
        progress_start(&e->progress, path, allowed);
    else
        progress_end(&e->progress);
}

void engine_finish(struct engine *e)
{
    for (unsigned i = 0; i < detector_count; i++)
        if (e->enabled[i] && detectors[i]->finish)
            detectors[i]->finish(e->state[i], &e->sink);
}

void engine_set_capture(struct engine *e, const struct capture_stats *cs, uint32_t n)
{
    e->stats.capture = cs;
    e->stats.ncapture = n;
}

int engine_write_stats(struct engine *e)
{
    struct run_stats *s = &e->stats;
    s->packets = s->bytes = s->skipped = 0;
    for (uint32_t i = 0; i < s->nfiles; i++) {
        s->packets += s->files[i].packets;
        s->bytes += s->files[i].bytes;
        s->skipped += s->files[i].skipped;
    }
    s->flows_active = flow_table_count(e->flows);
    s->flow_memory = flow_table_memory(e->flows);
    s->frag_memory = frag_table_memory(e->frags);
    s->frag_pending = frag_table_count(e->frags);
    return output_stats(&e->out, s) && !e->write_failed;
}

void engine_set_output(struct engine *e, FILE *fp)
{
    e->out.fp = fp;
    e->write_failed = 0;
}

uint64_t engine_findings(const struct engine *e)
{
    return e->stats.findings;
}

int analyze_files(const struct analyze_options *opt, char *const *paths, int npaths)
{
    int status = EXIT_CLEAN;
    struct engine *e = engine_new(opt, npaths);
    if (!e) {
        fprintf(stderr, "secondsight: out of memory setting up the analysis\n");
        return EXIT_TROUBLE;
    }
    for (int i = 0; i < npaths; i++) {
        struct file_stats *fs = engine_source(e, (uint32_t)i);
        engine_progress(e, paths[i], opt->progress);
        enum capture_result r = capture_file_read(paths[i], (uint32_t)i, fs, engine_feed, e);
        engine_progress(e, NULL, 0);
        if (r == CAPTURE_OPEN_FAILED) {
            fprintf(stderr, "secondsight: cannot read %s: %s\n", paths[i], fs->error);
            status = EXIT_TROUBLE;
        } else if (r == CAPTURE_DAMAGED) {
            fprintf(stderr, "secondsight: %s: %s\n", paths[i], fs->error);
            status = EXIT_TROUBLE;
        }
        if (fs->skipped)
            fprintf(stderr, "secondsight: warning: %s: link type %s (%d) is not supported; "
                            "%llu packets skipped\n",
                    paths[i], linktype_name(fs->linktype), fs->linktype,
                    (unsigned long long)fs->skipped);
    }
    engine_finish(e);
    if (!engine_write_stats(e)) {
        fprintf(stderr, "secondsight: cannot write results: %s\n", strerror(errno));
        status = EXIT_TROUBLE;
    }
    if (status == EXIT_CLEAN && engine_findings(e))
        status = EXIT_FINDINGS;
    engine_free(e);
    return status;
}
