/* secondsight - a run: one pipeline, or a reader and shards, or live workers, and the
 * outputs their findings and counters go to. */
#include "run.h"

#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "output-evidence.h"
#include "output-progress.h"
#include "output.h"
#include "pipeline.h"
#include "shards.h"

struct run {
    struct progress progress;
    struct evidence *evidence;         /* the reader's; NULL without --evidence or in fanout */
    struct evidence **worker_evidence; /* fanout with --evidence: one per worker */
    uint32_t nworkers;
    atomic_uint_fast64_t evidence_seq; /* fanout: evidence files named so far */
    struct finding with_evidence;      /* a finding as the evidence writer named its files */
    struct output out;
    struct finding_sink sink; /* findings to write, in their final order */
    struct run_stats stats;   /* the sources, the findings, live capture counters */
    struct pipeline reader;   /* decodes every frame (not in fanout) */
    int has_reader;
    struct shards *shards; /* --threads, or the live workers; else NULL */
    int peek;              /* frames go through shards_frame (not every one decoded here) */
    int write_failed;
};

static void run_emit(struct finding_sink *sink, const struct finding *f)
{
    struct run *r = sink->ctx;
    r->stats.findings++;
    if (f->file_index < r->stats.nfiles)
        r->stats.files[f->file_index].findings++;
    if (r->evidence) {
        /* The evidence writer names its files in the finding before it is written. */
        r->with_evidence = *f;
        evidence_finding(r->evidence, &r->with_evidence, r->stats.findings);
        f = &r->with_evidence;
    }
    if (!output_finding(&r->out, f))
        r->write_failed = 1;
}

/* The reader's every frame: into the evidence ring, and now and then the shards'
 * findings written. */
static void run_tap(void *ctx, const struct packet *pkt)
{
    struct run *r = ctx;
    if (r->evidence)
        evidence_packet(r->evidence, pkt);
    if (r->shards)
        shards_tick(r->shards);
}

static void worker_tap(void *ctx, uint32_t i, const struct packet *pkt)
{
    struct run *r = ctx;
    evidence_packet(r->worker_evidence[i], pkt);
}

static void worker_finding(void *ctx, uint32_t i, struct finding *f)
{
    struct run *r = ctx;
    evidence_finding(r->worker_evidence[i], f, atomic_fetch_add(&r->evidence_seq, 1) + 1);
}

/* Fanout with --evidence: each worker writes the evidence of its own packets. */
static int run_start_worker_evidence(struct run *r, const struct analyze_options *opt)
{
    r->worker_evidence = calloc(opt->threads, sizeof *r->worker_evidence);
    if (!r->worker_evidence)
        return 0;
    r->nworkers = opt->threads;
    for (uint32_t i = 0; i < opt->threads; i++) {
        r->worker_evidence[i] = evidence_new(opt->evidence_dir, EVIDENCE_MAX_FILES / opt->threads);
        if (!r->worker_evidence[i])
            return 0;
    }
    return 1;
}

static int run_start_shards(struct run *r, const struct analyze_options *opt, int nsources,
                            int fanout)
{
    struct shards_config c = {
        .n = opt->threads,
        .fanout = fanout,
        .nsources = fanout && nsources > 0 ? (uint32_t)nsources : 1,
        .pipeline = {opt->test_detectors, opt->flow},
        .ctx = r,
    };
    if (fanout && opt->evidence_dir) {
        if (!run_start_worker_evidence(r, opt))
            return 0;
        c.worker_tap = worker_tap;
        c.worker_finding = worker_finding;
    }
    r->shards = shards_new(&c, &r->sink);
    if (!r->shards)
        return 0;
    for (uint32_t i = 0; fanout && i < r->nworkers; i++)
        shards_worker(r->shards, i)->stats.evidence = evidence_stats(r->worker_evidence[i]);
    if (!fanout)
        shards_attach_reader(r->shards, &r->reader);
    /* The evidence ring and --shard want every frame decoded by the reader. */
    r->peek = !fanout && !r->evidence && !opt->shard_count;
    return 1;
}

static int run_init(struct run *r, const struct analyze_options *opt, int nsources)
{
    int fanout = opt->fanout && opt->threads > 1;
    atomic_init(&r->evidence_seq, 0);
    r->sink.emit = run_emit;
    r->sink.ctx = r;
    r->stats.files = calloc((size_t)(nsources > 0 ? nsources : 1), sizeof *r->stats.files);
    if (!r->stats.files)
        return 0;
    output_init(&r->out, opt->out, opt->format, opt->color, opt->sensor, &r->stats);
    r->stats.shard_index = opt->shard_index;
    r->stats.shard_count = opt->shard_count;
    if (!fanout) {
        struct pipeline_config pc = {opt->test_detectors, opt->flow};
        r->has_reader = 1;
        if (!pipeline_init(&r->reader, &pc, &r->sink))
            return 0;
        r->reader.shard_index = opt->shard_index;
        r->reader.shard_count = opt->shard_count;
        r->reader.hooks.tap = run_tap;
        r->reader.hooks.tap_ctx = r;
        if (opt->evidence_dir) {
            r->evidence = evidence_new(opt->evidence_dir, EVIDENCE_MAX_FILES);
            if (!r->evidence)
                return 0;
            r->stats.evidence = evidence_stats(r->evidence);
        }
    }
    return opt->threads > 1 ? run_start_shards(r, opt, nsources, fanout) : 1;
}

void run_free(struct run *r)
{
    if (!r)
        return;
    shards_free(r->shards);
    if (r->has_reader)
        pipeline_release(&r->reader);
    for (uint32_t i = 0; r->worker_evidence && i < r->nworkers; i++)
        evidence_free(r->worker_evidence[i]);
    free(r->worker_evidence);
    output_release(&r->out);
    evidence_free(r->evidence);
    free(r->stats.files);
    free(r);
}

struct run *run_new(const struct analyze_options *opt, int nsources)
{
    struct run *r = calloc(1, sizeof *r);
    if (!r)
        return NULL;
    if (!run_init(r, opt, nsources)) {
        run_free(r);
        return NULL;
    }
    return r;
}

struct file_stats *run_source(struct run *r, uint32_t index)
{
    if (index + 1 > r->stats.nfiles)
        r->stats.nfiles = index + 1;
    return &r->stats.files[index];
}

struct block_pool *run_blocks(struct run *r)
{
    return r->shards ? shards_blocks(r->shards) : NULL;
}

void run_feed(void *arg, struct packet *pkt)
{
    struct run *r = arg;
    progress_packet(&r->progress, pkt->caplen, r->stats.findings);
    if (r->peek)
        shards_frame(r->shards, pkt);
    else
        pipeline_frame(&r->reader, pkt);
}

void run_progress(struct run *r, const char *path, int allowed)
{
    if (path)
        progress_start(&r->progress, path, allowed);
    else
        progress_end(&r->progress);
}

void run_idle(struct run *r)
{
    if (r->shards)
        shards_idle(r->shards);
}

void run_advance(struct run *r, int64_t now_ns)
{
    if (r->has_reader)
        pipeline_advance(&r->reader, now_ns);
}

void run_finish(struct run *r)
{
    if (r->shards)
        shards_finish(r->shards);
    else
        pipeline_finish(&r->reader);
}

void run_set_capture(struct run *r, const struct capture_stats *cs, uint32_t n)
{
    r->stats.capture = cs;
    r->stats.ncapture = n;
}

int run_write_stats(struct run *r, int64_t wall_ns)
{
    struct run_stats *s = &r->stats;
    s->wall_ns = wall_ns;
    if (r->has_reader) {
        const struct pipeline *p = &r->reader;
        run_stats_copy_packets(s, &p->stats);
        memcpy(s->detectors, p->stats.detectors, sizeof s->detectors);
        s->flows = p->stats.flows;
        s->frags = p->stats.frags;
        s->flows_active = flow_table_count(p->flows);
        s->flow_memory = flow_table_memory(p->flows);
        s->frag_memory = frag_table_memory(p->frags);
        s->frag_pending = frag_table_count(p->frags);
    }
    if (!r->shards) {
        run_stats_total_sources(s);
        return output_stats(&r->out, s) && !r->write_failed;
    }
    struct run_stats sum = *s;
    int ok = shards_sum(r->shards, &sum);
    run_stats_total_sources(&sum);
    return output_stats(&r->out, &sum) && !r->write_failed && ok;
}

void run_set_output(struct run *r, FILE *fp)
{
    r->out.fp = fp;
    r->write_failed = 0;
}

uint64_t run_findings(const struct run *r)
{
    return r->stats.findings;
}

struct pipeline *run_worker(struct run *r, uint32_t i)
{
    return r->shards ? shards_worker(r->shards, i) : NULL;
}

struct file_stats *run_worker_source(struct run *r, uint32_t i, uint32_t index)
{
    return shards_worker_source(r->shards, i, index);
}

void run_publish(struct run *r, uint32_t i)
{
    shards_publish(r->shards, i);
}
