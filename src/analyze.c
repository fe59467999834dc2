/* secondsight - the pipeline for capture files. Owns the flow table, the detector
 * states and the run's counters; calls each layer in order for every frame. */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
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

struct shard;

/* A finding with the place it was made: the input sequence number of the frame being
 * processed (UINT64_MAX at the end of input), who made it (0 the reader, 1.. a shard)
 * and its rank among that maker's findings for the frame. Sorting by this key gives
 * the same order however the threads were scheduled. */
struct keyed_finding {
    uint64_t seq;
    uint32_t source, rank;
    struct finding f;
};

struct finding_list {
    struct keyed_finding *v;
    size_t n, cap;
};

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

    /* --threads: frames of TCP/UDP flows go to shards; this engine (the reader) keeps
     * fragments and flowless packets, and writes every finding in key order. With
     * `fanout` the shards are whole engines fed by capture threads of their own, and
     * this one only collects their findings and counters. */
    struct shard *shards;
    uint32_t nshards;
    int fanout;
    atomic_uint_fast64_t evidence_seq; /* fanout: evidence files named so far */
    struct frag_stats frags_sum;
    struct evidence_stats evidence_sum;
    uint64_t seq;             /* input frames so far, the current one included */
    uint32_t rank;            /* findings made for the current frame */
    uint64_t since_drain;
    struct finding_list pending; /* made, not yet written */
    struct flow_stats flows_sum;
    int alloc_failed;
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

void run_stats_count(struct run_stats *s, const struct packet *pkt)
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

static int trackable(const struct packet *pkt)
{
    return pkt->l4_ok && !pkt->is_fragment &&
           (pkt->proto == IPPROTO_NUM_TCP || pkt->proto == IPPROTO_NUM_UDP);
}

/* Flow tracking and detection for one decoded packet (a fragment carries `frag`). */
static void engine_process(struct engine *e, const struct packet *pkt,
                           const struct frag_info *frag)
{
    struct detect_ctx ctx = {pkt, NULL, 0, NULL, frag};
    struct tcp_seg_info seg;
    struct flow *f = NULL;
    if (trackable(pkt)) {
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

/* ---- shards (--threads) ----
 * The reader decodes each frame once, counts it, and copies a TCP/UDP frame into the
 * batch of the shard its symmetric flow hash picks, so both directions of a flow meet
 * in one shard and shards share nothing on the packet path. Fragments are reassembled
 * by the reader; a completed datagram goes to its flow's shard like any frame. */

#define SHARD_BATCH_FRAMES 256
#define SHARD_BATCH_BYTES (1u << 20)
#define SHARD_QUEUE 4             /* batches per shard: one filling, the rest in flight */
#define SHARD_DRAIN_EVERY 4096    /* frames between collections of the shards' findings */

struct shard_frame {
    uint64_t seq, frame;
    int64_t ts_ns;
    uint32_t file_index, caplen, wirelen, offset;
    int linktype;
};

struct shard_batch {
    uint32_t n, used;
    struct shard_frame f[SHARD_BATCH_FRAMES];
    uint8_t data[SHARD_BATCH_BYTES];
};

struct shard_snapshot {
    struct flow_stats flows;
    uint64_t untracked, active, memory;
    /* Fanout workers count everything themselves. */
    struct run_stats run;     /* the counters; its pointers are not used */
    struct frag_stats frags;
    struct evidence_stats evidence;
};

struct shard {
    pthread_t thread;
    struct engine *e;         /* the flows and detector states of this shard alone */
    struct engine *owner;     /* the engine that writes the findings */
    uint32_t index;
    int started;
    uint64_t cur_seq;         /* shard thread: the frame being processed */
    uint32_t rank;

    pthread_mutex_t lock;
    pthread_cond_t work, room;
    struct shard_batch *queue[SHARD_QUEUE]; /* submitted, oldest first */
    uint32_t queued;
    struct shard_batch *spare[SHARD_QUEUE];
    uint32_t nspare;
    uint64_t submitted, completed, done_seq;
    int stop;
    int lost;                 /* a finding could not be kept: out of memory */
    struct finding_list found;
    struct shard_snapshot snap;
    struct file_stats *files; /* fanout: the worker's per-interface counters */

    struct shard_batch *fill; /* reader only: the batch being filled */
};

static int finding_list_push(struct finding_list *l, uint64_t seq, uint32_t source,
                             uint32_t rank, const struct finding *f)
{
    if (l->n == l->cap) {
        size_t cap = l->cap ? 2 * l->cap : 16;
        struct keyed_finding *v = realloc(l->v, cap * sizeof *v);
        if (!v)
            return 0;
        l->v = v;
        l->cap = cap;
    }
    struct keyed_finding *k = &l->v[l->n++];
    k->seq = seq;
    k->source = source;
    k->rank = rank;
    k->f = *f;
    return 1;
}

static int keyed_cmp(const void *a, const void *b)
{
    const struct keyed_finding *x = a, *y = b;
    if (x->seq != y->seq)
        return x->seq < y->seq ? -1 : 1;
    if (x->source != y->source)
        return x->source < y->source ? -1 : 1;
    return (x->rank > y->rank) - (x->rank < y->rank);
}

/* The reader's own findings wait in `pending` like the shards'. */
static void reader_emit(struct finding_sink *sink, const struct finding *f)
{
    struct engine *e = sink->ctx;
    if (!finding_list_push(&e->pending, e->seq, 0, e->rank++, f))
        e->alloc_failed = 1;
}

static void shard_emit(struct finding_sink *sink, const struct finding *f)
{
    struct shard *s = sink->ctx;
    pthread_mutex_lock(&s->lock);
    if (!finding_list_push(&s->found, s->cur_seq, s->index + 1, s->rank++, f))
        s->lost = 1;
    pthread_mutex_unlock(&s->lock);
}

/* A fanout worker's finding: its evidence is written here, where the packets are. */
static void fanout_emit(struct finding_sink *sink, const struct finding *f)
{
    struct shard *s = sink->ctx;
    struct finding copy = *f;
    if (s->e->evidence)
        evidence_finding(s->e->evidence, &copy, atomic_fetch_add(&s->owner->evidence_seq, 1) + 1);
    if (s->e->seq != s->cur_seq) {
        s->cur_seq = s->e->seq;
        s->rank = 0;
    }
    shard_emit(sink, &copy);
}

static void shard_snapshot(struct shard *s, struct shard_snapshot *snap)
{
    const struct engine *e = s->e;
    snap->flows = *flow_table_stats(e->flows);
    snap->untracked = e->stats.untracked;
    snap->active = flow_table_count(e->flows);
    snap->memory = flow_table_memory(e->flows);
    snap->run = e->stats;
    snap->run.frag_memory = frag_table_memory(e->frags);
    snap->run.frag_pending = frag_table_count(e->frags);
    snap->frags = *e->stats.frags;
    if (e->evidence)
        snap->evidence = *e->stats.evidence;
}

static void shard_run_batch(struct shard *s, const struct shard_batch *b)
{
    for (uint32_t i = 0; i < b->n; i++) {
        const struct shard_frame *sf = &b->f[i];
        struct packet pkt;
        memset(&pkt, 0, sizeof pkt);
        pkt.file_index = sf->file_index;
        pkt.frame = sf->frame;
        pkt.ts_ns = sf->ts_ns;
        pkt.caplen = sf->caplen;
        pkt.wirelen = sf->wirelen;
        pkt.linktype = sf->linktype;
        pkt.data = b->data + sf->offset;
        if (sf->seq != s->cur_seq) {
            s->cur_seq = sf->seq;
            s->rank = 0;
        }
        decode_packet(&pkt);
        engine_process(s->e, &pkt, NULL);
    }
}

static void *shard_main(void *arg)
{
    struct shard *s = arg;
    pthread_mutex_lock(&s->lock);
    for (;;) {
        while (!s->queued && !s->stop)
            pthread_cond_wait(&s->work, &s->lock);
        if (!s->queued)
            break;
        struct shard_batch *b = s->queue[0];
        pthread_mutex_unlock(&s->lock);

        shard_run_batch(s, b);
        struct shard_snapshot snap;
        shard_snapshot(s, &snap);

        pthread_mutex_lock(&s->lock);
        memmove(s->queue, s->queue + 1, --s->queued * sizeof s->queue[0]);
        s->spare[s->nspare++] = b;
        s->completed++;
        s->done_seq = b->f[b->n - 1].seq;
        s->snap = snap;
        pthread_cond_signal(&s->room);
    }
    pthread_mutex_unlock(&s->lock);
    return NULL;
}

/* Hands the filling batch to the shard and takes a spare one, waiting for the shard
 * when all are in flight. */
static void shard_submit(struct shard *s)
{
    if (!s->fill->n)
        return;
    pthread_mutex_lock(&s->lock);
    s->queue[s->queued++] = s->fill;
    s->submitted++;
    pthread_cond_signal(&s->work);
    while (!s->nspare)
        pthread_cond_wait(&s->room, &s->lock);
    s->fill = s->spare[--s->nspare];
    pthread_mutex_unlock(&s->lock);
    s->fill->n = s->fill->used = 0;
}

/* Everything before the returned sequence number is final in shard `s`: processed,
 * or not yet read. */
static uint64_t shard_watermark(struct engine *e, struct shard *s)
{
    uint64_t wm = e->seq + 1;
    if (s->fill->n)
        wm = s->fill->f[0].seq;
    if (s->completed < s->submitted && s->done_seq + 1 < wm)
        wm = s->done_seq + 1;
    return wm;
}

/* Collects the shards' findings and writes, in key order, those no shard can still
 * precede: all of them when `all`. */
static void engine_drain(struct engine *e, int all)
{
    all = all || e->fanout; /* workers' findings have no order to keep */
    uint64_t wm = all ? UINT64_MAX : e->seq + 1;
    for (uint32_t i = 0; i < e->nshards; i++) {
        struct shard *s = &e->shards[i];
        pthread_mutex_lock(&s->lock);
        for (size_t j = 0; j < s->found.n; j++) {
            const struct keyed_finding *k = &s->found.v[j];
            if (!finding_list_push(&e->pending, k->seq, k->source, k->rank, &k->f))
                e->alloc_failed = 1;
        }
        s->found.n = 0;
        if (s->lost)
            e->alloc_failed = 1;
        if (!all) {
            uint64_t w = shard_watermark(e, s);
            if (w < wm)
                wm = w;
        }
        pthread_mutex_unlock(&s->lock);
    }
    e->since_drain = 0;
    if (!e->pending.n)
        return;
    qsort(e->pending.v, e->pending.n, sizeof e->pending.v[0], keyed_cmp);
    size_t done = 0;
    struct finding_sink out = {engine_emit, e};
    while (done < e->pending.n && (all || e->pending.v[done].seq < wm))
        engine_emit(&out, &e->pending.v[done++].f);
    memmove(e->pending.v, e->pending.v + done,
            (e->pending.n - done) * sizeof e->pending.v[0]);
    e->pending.n -= done;
}

static struct shard *shard_for(struct engine *e, const struct packet *pkt)
{
    /* A fixed key: the partition, and so the order of findings, is the same every
     * run. Crafted flows can at worst load one shard more than the others. */
    static const uint64_t shard_key[2] = {0x7365636f6e64ull, 0x7369676874ull};
    struct flow_key k;
    flow_key_make(&k, pkt);
    /* DNS judges answers against the resolver's other answers, to every client: all
     * traffic of one resolver (the port 53 side) goes to one shard. */
    if (k.port_lo == DNS_PORT || k.port_hi == DNS_PORT) {
        if (k.port_lo != DNS_PORT)
            memcpy(k.ip_lo, k.ip_hi, sizeof k.ip_lo);
        memset(k.ip_hi, 0, sizeof k.ip_hi);
        k.port_lo = k.port_hi = DNS_PORT;
        k.proto = 0;
    }
    return &e->shards[siphash13(shard_key, &k, sizeof k) % e->nshards];
}

static void shard_push(struct engine *e, const struct packet *pkt)
{
    struct shard *s = shard_for(e, pkt);
    uint32_t len = pkt->caplen < SHARD_BATCH_BYTES ? pkt->caplen : SHARD_BATCH_BYTES;
    if (s->fill->n == SHARD_BATCH_FRAMES || SHARD_BATCH_BYTES - s->fill->used < len) {
        shard_submit(s);
        engine_drain(e, 0);
    }
    struct shard_batch *b = s->fill;
    struct shard_frame *sf = &b->f[b->n++];
    sf->seq = e->seq;
    sf->frame = pkt->frame;
    sf->ts_ns = pkt->ts_ns;
    sf->file_index = pkt->file_index;
    sf->caplen = len;
    sf->wirelen = pkt->wirelen;
    sf->linktype = pkt->linktype;
    sf->offset = b->used;
    memcpy(b->data + b->used, pkt->data, len);
    b->used += len;
}

/* A decoded frame (or a completed datagram): to its flow's shard, or processed here. */
static void engine_dispatch(struct engine *e, const struct packet *pkt,
                            const struct frag_info *frag)
{
    if (e->nshards && trackable(pkt))
        shard_push(e, pkt);
    else
        engine_process(e, pkt, frag);
}

void engine_feed(void *arg, struct packet *pkt)
{
    struct engine *e = arg;
    e->stats.last_ts = pkt->ts_ns;
    e->seq++;
    e->rank = 0;
    progress_packet(&e->progress, pkt->caplen, e->stats.findings);

    decode_packet(pkt);
    run_stats_count(&e->stats, pkt);
    if (e->evidence)
        evidence_packet(e->evidence, pkt);
    if (e->nshards && ++e->since_drain >= SHARD_DRAIN_EVERY)
        engine_drain(e, 0);
    if (!pkt->is_fragment) {
        engine_dispatch(e, pkt, NULL);
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
    engine_dispatch(e, &dg, NULL);
}

void engine_idle(struct engine *e)
{
    for (uint32_t i = 0; i < e->nshards && !e->fanout; i++)
        shard_submit(&e->shards[i]);
    if (e->nshards)
        engine_drain(e, 0);
}

static int engine_init(struct engine *e, const struct analyze_options *opt, int nsources,
                       uint64_t evidence_cap);

struct flow_config shard_flow_config(const struct flow_config *whole, uint32_t threads)
{
    struct flow_config part = *whole;
    part.max_flows = whole->max_flows / threads ? whole->max_flows / threads : 1;
    part.max_memory = whole->max_memory / threads;
    return part;
}

/* Each shard gets an equal part of the flow caps and a thread of its own (started
 * here, or a fanout capture thread that the caller runs). */
static int engine_start_shards(struct engine *e, const struct analyze_options *opt,
                               int nsources)
{
    struct analyze_options so = *opt;
    so.threads = 1;
    so.fanout = 0;
    so.progress = 0;
    so.flow = shard_flow_config(&opt->flow, opt->threads);
    if (!e->fanout)
        so.evidence_dir = NULL; /* the reader sees every frame and keeps the evidence */
    else
        nsources = nsources > 0 ? nsources : 1;

    e->shards = calloc(opt->threads, sizeof *e->shards);
    if (!e->shards)
        return 0;
    e->sink.emit = reader_emit;
    for (uint32_t i = 0; i < opt->threads; i++) {
        struct shard *s = &e->shards[i];
        s->index = i;
        s->owner = e;
        pthread_mutex_init(&s->lock, NULL);
        pthread_cond_init(&s->work, NULL);
        pthread_cond_init(&s->room, NULL);
        e->nshards = i + 1; /* from here on engine_free tears this shard down */
        s->e = malloc(sizeof *s->e);
        if (!s->e)
            return 0;
        int ok = engine_init(s->e, &so, e->fanout ? nsources : 1,
                             EVIDENCE_MAX_FILES / opt->threads);
        s->e->sink.emit = e->fanout ? fanout_emit : shard_emit;
        s->e->sink.ctx = s;
        if (!ok)
            return 0;
        if (e->fanout) {
            s->files = calloc((size_t)nsources, sizeof *s->files);
            if (!s->files)
                return 0;
            shard_snapshot(s, &s->snap);
            continue;
        }
        for (int j = 0; j < SHARD_QUEUE; j++) {
            struct shard_batch *b = malloc(sizeof *b);
            if (!b)
                return 0;
            if (!s->fill)
                s->fill = b;
            else
                s->spare[s->nspare++] = b;
        }
        s->fill->n = s->fill->used = 0;
        shard_snapshot(s, &s->snap);
        if (pthread_create(&s->thread, NULL, shard_main, s) != 0)
            return 0;
        s->started = 1;
    }
    return 1;
}

/* Ends the shard threads after the batches in flight. */
static void engine_stop_shards(struct engine *e)
{
    for (uint32_t i = 0; i < e->nshards; i++) {
        struct shard *s = &e->shards[i];
        if (!s->started)
            continue;
        pthread_mutex_lock(&s->lock);
        s->stop = 1;
        pthread_cond_signal(&s->work);
        pthread_mutex_unlock(&s->lock);
        pthread_join(s->thread, NULL);
        s->started = 0;
    }
}

static void engine_release(struct engine *e);

static void engine_free_shards(struct engine *e)
{
    engine_stop_shards(e);
    for (uint32_t i = 0; i < e->nshards; i++) {
        struct shard *s = &e->shards[i];
        if (s->e)
            engine_release(s->e);
        free(s->e);
        free(s->fill);
        for (uint32_t j = 0; j < s->nspare; j++)
            free(s->spare[j]);
        for (uint32_t j = 0; j < s->queued; j++)
            free(s->queue[j]);
        free(s->found.v);
        free(s->files);
        pthread_mutex_destroy(&s->lock);
        pthread_cond_destroy(&s->work);
        pthread_cond_destroy(&s->room);
    }
    free(e->shards);
    free(e->pending.v);
}

/* `evidence_cap`: the evidence pcaps this engine may write. */
static int engine_init(struct engine *e, const struct analyze_options *opt, int nsources,
                       uint64_t evidence_cap)
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
    e->fanout = opt->fanout && opt->threads > 1;
    if (opt->evidence_dir && !e->fanout) {
        e->evidence = evidence_new(opt->evidence_dir, evidence_cap);
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
    return opt->threads > 1 ? engine_start_shards(e, opt, nsources) : 1;
}

/* Everything an engine holds, not the engine itself. */
static void engine_release(struct engine *e)
{
    engine_free_shards(e);
    for (unsigned i = 0; i < detector_count; i++)
        if (e->enabled[i] && detectors[i]->free)
            detectors[i]->free(e->state[i]);
    output_release(&e->out);
    flow_table_free(e->flows);
    frag_table_free(e->frags);
    evidence_free(e->evidence);
    free(e->stats.files);
}

void engine_free(struct engine *e)
{
    if (!e)
        return;
    engine_release(e);
    free(e);
}

struct engine *engine_new(const struct analyze_options *opt, int nsources)
{
    struct engine *e = malloc(sizeof *e);
    if (!e)
        return NULL;
    if (!engine_init(e, opt, nsources, EVIDENCE_MAX_FILES)) {
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

static void engine_finish_detectors(struct engine *e)
{
    for (unsigned i = 0; i < detector_count; i++)
        if (e->enabled[i] && detectors[i]->finish)
            detectors[i]->finish(e->state[i], &e->sink);
}

void engine_finish(struct engine *e)
{
    for (uint32_t i = 0; i < e->nshards && !e->fanout; i++)
        shard_submit(&e->shards[i]);
    engine_stop_shards(e);
    /* What was held back sorts after every frame: the reader's first, then each shard's. */
    e->seq = UINT64_MAX;
    e->rank = 0;
    engine_finish_detectors(e);
    for (uint32_t i = 0; i < e->nshards; i++) {
        struct shard *s = &e->shards[i];
        s->cur_seq = s->e->seq = UINT64_MAX;
        s->rank = 0;
        engine_finish_detectors(s->e);
        shard_snapshot(s, &s->snap);
        if (s->files)
            memcpy(s->files, s->e->stats.files, s->e->stats.nfiles * sizeof *s->files);
    }
    if (e->nshards)
        engine_drain(e, 1);
}

void engine_set_capture(struct engine *e, const struct capture_stats *cs, uint32_t n)
{
    e->stats.capture = cs;
    e->stats.ncapture = n;
}

static void flow_stats_add(struct flow_stats *sum, const struct flow_stats *x)
{
    sum->created += x->created;
    sum->expired += x->expired;
    sum->evicted_count += x->evicted_count;
    sum->evicted_memory += x->evicted_memory;
    sum->reused += x->reused;
    sum->alloc_failures += x->alloc_failures;
    sum->active_peak += x->active_peak;
    sum->memory_peak += x->memory_peak;
}

static void frag_stats_add(struct frag_stats *sum, const struct frag_stats *x)
{
    sum->datagrams += x->datagrams;
    sum->reassembled += x->reassembled;
    sum->expired += x->expired;
    sum->evicted += x->evicted;
    sum->overlaps += x->overlaps;
    sum->conflicts += x->conflicts;
    sum->too_big += x->too_big;
    sum->memory_peak += x->memory_peak;
}

static void evidence_stats_add(struct evidence_stats *sum, const struct evidence_stats *x)
{
    sum->files += x->files;
    sum->packets += x->packets;
    sum->skipped += x->skipped;
    sum->cut += x->cut;
}

/* Fanout: the workers' packet counters, added into the collector's own (which saw no
 * packet) as of their last snapshots. */
static void fanout_sum(struct engine *e)
{
    struct run_stats *s = &e->stats;
    memset(&s->decode, 0, sizeof s->decode);
    s->ipv4 = s->ipv6 = s->tcp = s->udp = s->icmp = s->other_proto = s->not_ip = 0;
    s->fragments = s->frag_memory = s->frag_pending = 0;
    memset(&e->frags_sum, 0, sizeof e->frags_sum);
    memset(&e->evidence_sum, 0, sizeof e->evidence_sum);
    for (uint32_t f = 0; f < s->nfiles; f++)
        s->files[f].packets = s->files[f].bytes = s->files[f].skipped = 0;
    for (uint32_t i = 0; i < e->nshards; i++) {
        struct shard *sh = &e->shards[i];
        pthread_mutex_lock(&sh->lock);
        const struct run_stats *r = &sh->snap.run;
        for (int k = 0; k < DEV__COUNT; k++)
            s->decode.events[k] += r->decode.events[k];
        s->ipv4 += r->ipv4;
        s->ipv6 += r->ipv6;
        s->tcp += r->tcp;
        s->udp += r->udp;
        s->icmp += r->icmp;
        s->other_proto += r->other_proto;
        s->not_ip += r->not_ip;
        s->fragments += r->fragments;
        s->frag_memory += r->frag_memory;
        s->frag_pending += r->frag_pending;
        if (r->last_ts > s->last_ts)
            s->last_ts = r->last_ts;
        frag_stats_add(&e->frags_sum, &sh->snap.frags);
        evidence_stats_add(&e->evidence_sum, &sh->snap.evidence);
        for (uint32_t f = 0; f < s->nfiles; f++) {
            s->files[f].packets += sh->files[f].packets;
            s->files[f].bytes += sh->files[f].bytes;
            s->files[f].skipped += sh->files[f].skipped;
        }
        pthread_mutex_unlock(&sh->lock);
    }
    s->frags = &e->frags_sum;
    if (e->shards[0].e->evidence)
        s->evidence = &e->evidence_sum;
}

int engine_write_stats(struct engine *e)
{
    struct run_stats *s = &e->stats;
    if (e->fanout)
        fanout_sum(e);
    s->packets = s->bytes = s->skipped = 0;
    for (uint32_t i = 0; i < s->nfiles; i++) {
        s->packets += s->files[i].packets;
        s->bytes += s->files[i].bytes;
        s->skipped += s->files[i].skipped;
    }
    s->flows_active = flow_table_count(e->flows);
    s->flow_memory = flow_table_memory(e->flows);
    if (!e->fanout) {
        s->frag_memory = frag_table_memory(e->frags);
        s->frag_pending = frag_table_count(e->frags);
    }
    if (!e->nshards)
        return output_stats(&e->out, s) && !e->write_failed;

    /* The shards' flow counters add up; peaks add up to a bound on the whole. */
    struct run_stats sum = *s;
    struct flow_stats *fs = &e->flows_sum;
    memset(fs, 0, sizeof *fs);
    sum.flows = fs;
    sum.flows_active = sum.flow_memory = 0;
    for (uint32_t i = 0; i < e->nshards; i++) {
        struct shard *sh = &e->shards[i];
        pthread_mutex_lock(&sh->lock);
        struct shard_snapshot snap = sh->snap;
        pthread_mutex_unlock(&sh->lock);
        flow_stats_add(fs, &snap.flows);
        sum.untracked += snap.untracked;
        sum.flows_active += snap.active;
        sum.flow_memory += snap.memory;
    }
    return output_stats(&e->out, &sum) && !e->write_failed && !e->alloc_failed;
}

struct engine *engine_worker(struct engine *e, uint32_t i)
{
    return e->fanout && i < e->nshards ? e->shards[i].e : NULL;
}

void engine_publish(struct engine *e, uint32_t i)
{
    struct shard *s = &e->shards[i];
    struct shard_snapshot snap;
    shard_snapshot(s, &snap);
    pthread_mutex_lock(&s->lock);
    s->snap = snap;
    memcpy(s->files, s->e->stats.files, s->e->stats.nfiles * sizeof *s->files);
    pthread_mutex_unlock(&s->lock);
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
