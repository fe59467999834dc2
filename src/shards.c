/* secondsight - shards: N pipelines on threads of their own and the ordered merge of
 * their findings.
 *
 * Offline, the reader decodes each frame once, counts it, and copies a TCP/UDP frame
 * into the batch of the shard its partition picks, so both directions of a flow meet
 * in one shard and shards share nothing on the packet path. Shard 0 has no thread:
 * the reader processes its packets itself, so --threads N keeps N threads busy, not
 * N + 1. Fragments are reassembled by the reader; a completed datagram goes to its
 * flow's shard like any frame. Every finding is keyed by the input frame it was made
 * at, so sorting gives the order one thread makes, however the threads were
 * scheduled. */
#include "shards.h"

#include <pthread.h>

#include "capture-block.h"
#include <stdlib.h>
#include <string.h>

/* A finding with the place it was made: the input sequence number of the frame being
 * processed (UINT64_MAX at the end of input), who made it (0 the reader, 1.. a shard)
 * and its rank among that maker's findings for the frame. */
struct keyed_finding {
    uint64_t seq;
    uint32_t source, rank;
    struct finding f;
};

struct finding_list {
    struct keyed_finding *v;
    size_t n, cap;
};

struct shard_frame {
    uint64_t seq, frame;
    int64_t ts_ns;
    const uint8_t *data; /* into the batch's block, or its copies */
    uint32_t file_index, caplen, wirelen;
    int linktype;
    int counted; /* decoded and counted by the reader; else counted by the shard */
};

/* Frames for one shard: read in place (pointing into `block`, which the batch holds
 * until the shard has processed them) or copied into `data` (libpcap's and the pcapng
 * reader's frames, reassembled datagrams). */
struct shard_batch {
    uint32_t n, used;
    struct capture_block *block;
    struct shard_frame f[SHARD_BATCH_FRAMES];
    uint8_t data[SHARD_BATCH_BYTES]; /* pages are touched only by copies */
};

struct shard_snapshot {
    struct flow_stats flows;
    uint64_t untracked, active, memory;
    /* Fanout workers count everything themselves. */
    struct run_stats run; /* the counters; its pointers are not used */
    struct frag_stats frags;
    struct evidence_stats evidence;
};

struct shard {
    pthread_t thread;
    struct pipeline p;        /* the flows and detector states of this shard alone */
    struct finding_sink sink; /* p's findings: into `found` */
    struct shards *owner;
    uint32_t index;
    int started;
    uint64_t cur_seq; /* shard thread: the frame being processed */
    uint32_t rank;

    pthread_mutex_t lock;
    pthread_cond_t work, room;
    struct shard_batch *queue[SHARD_QUEUE]; /* submitted, oldest first */
    uint32_t queued;
    struct shard_batch *spare[SHARD_QUEUE];
    uint32_t nspare;
    uint64_t submitted, completed, done_seq;
    int stop;
    int reader_waiting; /* the reader waits for a spare batch */
    int lost;           /* a finding could not be kept: out of memory */
    struct finding_list found;
    struct shard_snapshot snap;
    struct file_stats *own;   /* fanout: the worker's per-source counters, its thread's */
    struct file_stats *files; /* fanout: `own` as last published, under lock */

    struct shard_batch *fill; /* reader only: the batch being filled */
};

struct shards {
    struct shards_config c;
    struct shard *s;
    uint32_t n; /* shards set up so far */
    struct finding_sink *out;
    struct pipeline *reader; /* offline */
    struct finding_sink reader_sink;
    uint32_t reader_rank;
    uint64_t reader_seq;
    uint64_t since_drain;
    struct finding_list pending; /* made, not yet written */
    int alloc_failed;
    struct flow_stats flows_sum;
    struct frag_stats frags_sum;
    struct evidence_stats evidence_sum;
    struct block_pool *blocks; /* offline: the reader's read blocks */
};

static int finding_list_push(struct finding_list *l, uint64_t seq, uint32_t source, uint32_t rank,
                             const struct finding *f)
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
    struct shards *sh = sink->ctx;
    if (sh->reader->seq != sh->reader_seq) {
        sh->reader_seq = sh->reader->seq;
        sh->reader_rank = 0;
    }
    if (!finding_list_push(&sh->pending, sh->reader_seq, 0, sh->reader_rank++, f))
        sh->alloc_failed = 1;
}

static void shard_emit(struct finding_sink *sink, const struct finding *f)
{
    struct shard *s = sink->ctx;
    pthread_mutex_lock(&s->lock);
    if (!finding_list_push(&s->found, s->cur_seq, s->index + 1, s->rank++, f))
        s->lost = 1;
    pthread_mutex_unlock(&s->lock);
}

/* A fanout worker's finding: its evidence is written by the worker, where the packets
 * are. */
/* The frame s now processes: its findings are ranked from 0 again at a new frame. */
static void shard_at(struct shard *s, uint64_t seq)
{
    if (seq != s->cur_seq) {
        s->cur_seq = seq;
        s->rank = 0;
    }
}

static void fanout_emit(struct finding_sink *sink, const struct finding *f)
{
    struct shard *s = sink->ctx;
    const struct shards_config *c = &s->owner->c;
    struct finding copy = *f;
    if (c->worker_finding)
        c->worker_finding(c->ctx, s->index, &copy);
    shard_at(s, s->p.seq);
    shard_emit(sink, &copy);
}

static void fanout_tap(void *ctx, const struct packet *pkt)
{
    struct shard *s = ctx;
    s->owner->c.worker_tap(s->owner->c.ctx, s->index, pkt);
}

static void shard_snapshot(const struct shard *s, struct shard_snapshot *snap)
{
    const struct pipeline *p = &s->p;
    snap->flows = *flow_table_stats(p->flows);
    snap->untracked = p->stats.untracked;
    snap->active = flow_table_count(p->flows);
    snap->memory = flow_table_memory(p->flows);
    snap->run = p->stats;
    snap->run.frag_memory = frag_table_memory(p->frags);
    snap->run.frag_pending = frag_table_count(p->frags);
    snap->frags = *p->stats.frags;
    if (p->stats.evidence)
        snap->evidence = *p->stats.evidence;
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
        pkt.data = sf->data;
        shard_at(s, sf->seq);
        decode_packet(&pkt);
        if (!sf->counted)
            run_stats_count(&s->p.stats, &pkt);
        pipeline_packet(&s->p, &pkt, NULL);
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
        /* Let go before the batch is spare: the reader counts on a spare batch holding
         * no block (the pool's cap). */
        capture_block_release(b->block);
        b->block = NULL;
        struct shard_snapshot snap;
        shard_snapshot(s, &snap);

        pthread_mutex_lock(&s->lock);
        memmove(s->queue, s->queue + 1, --s->queued * sizeof s->queue[0]);
        s->spare[s->nspare++] = b;
        s->completed++;
        s->done_seq = b->f[b->n - 1].seq;
        s->snap = snap;
        /* A waiting reader is woken when half the batches are spare (or none is
         * left to process): it then fills them in one go, rather than waking for
         * every batch when this shard is the slower (a context switch each). */
        if (s->reader_waiting && (s->nspare >= SHARD_QUEUE / 2 || !s->queued))
            pthread_cond_signal(&s->room);
    }
    pthread_mutex_unlock(&s->lock);
    return NULL;
}

/* Hands the filling batch to the shard and takes a spare one, waiting for the shard
 * when all are in flight. */
static void shard_submit(struct shard *s)
{
    if (!s->fill || !s->fill->n)
        return;
    pthread_mutex_lock(&s->lock);
    s->queue[s->queued++] = s->fill;
    s->submitted++;
    pthread_cond_signal(&s->work);
    while (!s->nspare) {
        s->reader_waiting = 1;
        pthread_cond_wait(&s->room, &s->lock);
    }
    s->reader_waiting = 0;
    s->fill = s->spare[--s->nspare];
    pthread_mutex_unlock(&s->lock);
    s->fill->n = s->fill->used = 0;
}

/* Everything before the returned sequence number is final in shard `s`: processed,
 * or not yet read. */
static uint64_t shard_watermark(const struct shards *sh, const struct shard *s)
{
    uint64_t wm = sh->reader->seq + 1;
    if (s->fill && s->fill->n)
        wm = s->fill->f[0].seq;
    if (s->completed < s->submitted && s->done_seq + 1 < wm)
        wm = s->done_seq + 1;
    return wm;
}

/* Collects the shards' findings and writes, in key order, those no shard can still
 * precede: all of them when `all`. */
static void shards_drain(struct shards *sh, int all)
{
    all = all || sh->c.fanout; /* workers' findings have no order to keep */
    uint64_t wm = all ? UINT64_MAX : sh->reader->seq + 1;
    for (uint32_t i = 0; i < sh->n; i++) {
        struct shard *s = &sh->s[i];
        pthread_mutex_lock(&s->lock);
        for (size_t j = 0; j < s->found.n; j++) {
            const struct keyed_finding *k = &s->found.v[j];
            if (!finding_list_push(&sh->pending, k->seq, k->source, k->rank, &k->f))
                sh->alloc_failed = 1;
        }
        s->found.n = 0;
        if (s->lost)
            sh->alloc_failed = 1;
        if (!all) {
            uint64_t w = shard_watermark(sh, s);
            if (w < wm)
                wm = w;
        }
        pthread_mutex_unlock(&s->lock);
    }
    sh->since_drain = 0;
    if (!sh->pending.n)
        return;
    qsort(sh->pending.v, sh->pending.n, sizeof sh->pending.v[0], keyed_cmp);
    size_t done = 0;
    while (done < sh->pending.n && (all || sh->pending.v[done].seq < wm))
        sh->out->emit(sh->out, &sh->pending.v[done++].f);
    memmove(sh->pending.v, sh->pending.v + done, (sh->pending.n - done) * sizeof sh->pending.v[0]);
    sh->pending.n -= done;
}

/* A frame for shard s (not shard 0) into its batch; `counted` when the reader decoded
 * and counted it, else the shard does. */
static void shard_add(struct shards *sh, struct shard *s, const struct packet *pkt, int counted)
{
    struct capture_block *blk = pkt->block;
    uint32_t len = pkt->caplen < SHARD_BATCH_BYTES ? pkt->caplen : SHARD_BATCH_BYTES;
    struct shard_batch *b = s->fill;
    /* A batch points into one block at most. */
    int full = blk ? b->block && b->block != blk : SHARD_BATCH_BYTES - b->used < len;
    if (b->n == SHARD_BATCH_FRAMES || full) {
        shard_submit(s);
        shards_drain(sh, 0);
        b = s->fill;
    }
    struct shard_frame *sf = &b->f[b->n++];
    sf->seq = sh->reader->seq;
    sf->frame = pkt->frame;
    sf->ts_ns = pkt->ts_ns;
    sf->file_index = pkt->file_index;
    sf->caplen = len;
    sf->wirelen = pkt->wirelen;
    sf->linktype = pkt->linktype;
    sf->counted = counted;
    if (blk) {
        sf->data = pkt->data;
        sf->caplen = pkt->caplen;
        if (!b->block) {
            capture_block_hold(blk);
            b->block = blk;
        }
        return;
    }
    sf->data = b->data + b->used;
    memcpy(b->data + b->used, pkt->data, len);
    b->used += len;
}

/* The reader's divert hook: a decoded TCP/UDP packet into its shard's batch, or, shard
 * 0's, processed here: the reader thread is shard 0, so N shards keep N threads busy. */
static int shards_divert(void *ctx, const struct packet *pkt)
{
    struct shards *sh = ctx;
    struct shard *s = &sh->s[pipeline_partition(pkt) % sh->n];
    if (s->index > 0) {
        shard_add(sh, s, pkt, 1);
        return 1;
    }
    shard_at(s, sh->reader->seq);
    pipeline_packet(&s->p, pkt, NULL);
    return 1;
}

void shards_frame(struct shards *sh, struct packet *pkt)
{
    uint32_t key;
    if (!pipeline_peek_partition(pkt, &key) || key % sh->n == 0) {
        pipeline_frame(sh->reader, pkt);
        return;
    }
    /* Another shard's TCP/UDP packet: it is decoded and counted there; the reader
     * keeps its frame count and clock. */
    pipeline_frame_begin(sh->reader, pkt);
    shards_tick(sh);
    shard_add(sh, &sh->s[key % sh->n], pkt, 0);
}

struct block_pool *shards_blocks(struct shards *sh)
{
    return sh->blocks;
}

void shards_attach_reader(struct shards *sh, struct pipeline *reader)
{
    sh->reader = reader;
    sh->reader_sink.emit = reader_emit;
    sh->reader_sink.ctx = sh;
    reader->sink = &sh->reader_sink;
    reader->hooks.divert = shards_divert;
    reader->hooks.divert_ctx = sh;
}

void shards_tick(struct shards *sh)
{
    if (++sh->since_drain >= SHARD_DRAIN_EVERY)
        shards_drain(sh, 0);
}

void shards_idle(struct shards *sh)
{
    for (uint32_t i = 0; i < sh->n && !sh->c.fanout; i++)
        shard_submit(&sh->s[i]);
    shards_drain(sh, 0);
}

struct flow_config shard_flow_config(const struct flow_config *whole, uint32_t n)
{
    struct flow_config part = *whole;
    part.max_flows = whole->max_flows / n ? whole->max_flows / n : 1;
    part.max_memory = whole->max_memory / n;
    return part;
}

/* Offline: a shard's batches and its thread. */
static int shard_start(struct shard *s)
{
    for (int j = 0; j < SHARD_QUEUE; j++) {
        struct shard_batch *b = malloc(sizeof *b);
        if (!b)
            return 0;
        b->block = NULL;
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
    return 1;
}

/* Each shard gets an equal part of the flow caps and a thread of its own (started
 * here, or a fanout capture thread that the caller runs). */
struct shards *shards_new(const struct shards_config *c, struct finding_sink *out)
{
    struct shards *sh = calloc(1, sizeof *sh);
    if (!sh)
        return NULL;
    sh->c = *c;
    sh->out = out;
    sh->s = calloc(c->n, sizeof *sh->s);
    if (!sh->s) {
        free(sh);
        return NULL;
    }
    struct pipeline_config pc = c->pipeline;
    pc.flow = shard_flow_config(&c->pipeline.flow, c->n);
    uint32_t nsources = c->nsources ? c->nsources : 1;
    /* Each batch of shards 1..n-1 holds one block at most, and the reader one while it
     * takes the next: at this cap the reader never finds the pool empty. */
    if (!c->fanout && !(sh->blocks = block_pool_new((c->n - 1) * SHARD_QUEUE + 2)))
        goto fail;
    for (uint32_t i = 0; i < c->n; i++) {
        struct shard *s = &sh->s[i];
        s->index = i;
        s->owner = sh;
        pthread_mutex_init(&s->lock, NULL);
        pthread_cond_init(&s->work, NULL);
        pthread_cond_init(&s->room, NULL);
        sh->n = i + 1; /* from here on shards_free tears this shard down */
        s->sink.emit = c->fanout ? fanout_emit : shard_emit;
        s->sink.ctx = s;
        if (!pipeline_init(&s->p, &pc, &s->sink))
            goto fail;
        if (!c->fanout) {
            /* Shard 0 runs on the reader's thread (shards_divert). */
            if (i > 0 && !shard_start(s))
                goto fail;
            if (i == 0)
                shard_snapshot(s, &s->snap);
            continue;
        }
        if (c->worker_tap) {
            s->p.hooks.tap = fanout_tap;
            s->p.hooks.tap_ctx = s;
        }
        s->own = calloc(nsources, sizeof *s->own);
        s->files = calloc(nsources, sizeof *s->files);
        if (!s->own || !s->files)
            goto fail;
        shard_snapshot(s, &s->snap);
    }
    return sh;
fail:
    shards_free(sh);
    return NULL;
}

/* Ends the shard threads after the batches in flight. */
static void shards_stop(struct shards *sh)
{
    for (uint32_t i = 0; i < sh->n; i++) {
        struct shard *s = &sh->s[i];
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

static void batch_free(struct shard_batch *b)
{
    if (b)
        capture_block_release(b->block);
    free(b);
}

void shards_free(struct shards *sh)
{
    if (!sh)
        return;
    shards_stop(sh);
    for (uint32_t i = 0; i < sh->n; i++) {
        struct shard *s = &sh->s[i];
        pipeline_release(&s->p);
        batch_free(s->fill);
        for (uint32_t j = 0; j < s->nspare; j++)
            batch_free(s->spare[j]);
        for (uint32_t j = 0; j < s->queued; j++)
            batch_free(s->queue[j]);
        free(s->found.v);
        free(s->own);
        free(s->files);
        pthread_mutex_destroy(&s->lock);
        pthread_cond_destroy(&s->work);
        pthread_cond_destroy(&s->room);
    }
    block_pool_free(sh->blocks); /* after the batches let go of their blocks */
    free(sh->s);
    free(sh->pending.v);
    free(sh);
}

void shards_finish(struct shards *sh)
{
    for (uint32_t i = 0; i < sh->n && !sh->c.fanout; i++)
        shard_submit(&sh->s[i]);
    shards_stop(sh);
    /* What was held back sorts after every frame: the reader's first, then each shard's. */
    if (sh->reader) {
        sh->reader->seq = UINT64_MAX;
        pipeline_finish(sh->reader);
    }
    for (uint32_t i = 0; i < sh->n; i++) {
        struct shard *s = &sh->s[i];
        s->cur_seq = s->p.seq = UINT64_MAX;
        s->rank = 0;
        pipeline_finish(&s->p);
        shard_snapshot(s, &s->snap);
        if (s->files)
            memcpy(s->files, s->own, sh->c.nsources * sizeof *s->files);
    }
    shards_drain(sh, 1);
}

struct pipeline *shards_worker(struct shards *sh, uint32_t i)
{
    return sh->c.fanout && i < sh->n ? &sh->s[i].p : NULL;
}

struct file_stats *shards_worker_source(struct shards *sh, uint32_t i, uint32_t index)
{
    return &sh->s[i].own[index];
}

void shards_publish(struct shards *sh, uint32_t i)
{
    struct shard *s = &sh->s[i];
    struct shard_snapshot snap;
    shard_snapshot(s, &snap);
    pthread_mutex_lock(&s->lock);
    s->snap = snap;
    memcpy(s->files, s->own, sh->c.nsources * sizeof *s->files);
    pthread_mutex_unlock(&s->lock);
}

/* Fanout: the workers' packet counters, added into the record (whose collector saw no
 * packet) as of their last snapshots. */
static void shards_sum_packets(struct shards *sh, struct run_stats *rec)
{
    memset(&sh->frags_sum, 0, sizeof sh->frags_sum);
    memset(&sh->evidence_sum, 0, sizeof sh->evidence_sum);
    for (uint32_t f = 0; f < rec->nfiles; f++)
        rec->files[f].packets = rec->files[f].bytes = rec->files[f].skipped = 0;
    for (uint32_t i = 0; i < sh->n; i++) {
        struct shard *s = &sh->s[i];
        pthread_mutex_lock(&s->lock);
        run_stats_add_packets(rec, &s->snap.run);
        frag_stats_add(&sh->frags_sum, &s->snap.frags);
        evidence_stats_add(&sh->evidence_sum, &s->snap.evidence);
        for (uint32_t f = 0; f < rec->nfiles && f < sh->c.nsources; f++) {
            rec->files[f].packets += s->files[f].packets;
            rec->files[f].bytes += s->files[f].bytes;
            rec->files[f].skipped += s->files[f].skipped;
        }
        pthread_mutex_unlock(&s->lock);
    }
    rec->frags = &sh->frags_sum;
    if (sh->s[0].p.stats.evidence)
        rec->evidence = &sh->evidence_sum;
}

int shards_sum(struct shards *sh, struct run_stats *rec)
{
    if (sh->c.fanout)
        shards_sum_packets(sh, rec);
    /* The shards' flow counters add up; peaks add up to a bound on the whole. */
    struct flow_stats *fs = &sh->flows_sum;
    memset(fs, 0, sizeof *fs);
    rec->flows = fs;
    rec->flows_active = rec->flow_memory = 0;
    for (uint32_t i = 0; i < sh->n; i++) {
        struct shard *s = &sh->s[i];
        pthread_mutex_lock(&s->lock);
        struct shard_snapshot snap = s->snap;
        pthread_mutex_unlock(&s->lock);
        flow_stats_add(fs, &snap.flows);
        run_stats_add_detectors(rec, &snap.run);
        /* Offline, a shard counts the frames the reader handed over undecoded
         * (shards_frame), and its detectors' decode events (a DNS message they could
         * not read); the reader counted the rest. */
        if (!sh->c.fanout)
            run_stats_add_packets(rec, &snap.run);
        rec->untracked += snap.untracked;
        rec->flows_active += snap.active;
        rec->flow_memory += snap.memory;
    }
    return !sh->alloc_failed;
}
