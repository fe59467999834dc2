/* secondsight - the live driver: the interfaces opened (capture-live.c), privileges
 * dropped, then one run (run.c) until SIGINT or SIGTERM. SIGHUP reopens the results
 * file (logrotate); stats records carry the kernel's drop counters, so dropped packets
 * are never silent. One thread polls every interface; with --threads N on Linux, N
 * workers each open every interface into a kernel fanout group and feed a pipeline of
 * their own, while the main thread writes findings and stats. */
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "capture.h"
#include "config.h"
#include "pipeline.h"
#include "run.h"

static volatile sig_atomic_t stop_requested, reopen_requested;

static void on_stop(int sig)
{
    (void)sig;
    stop_requested = 1;
}

static void on_hup(int sig)
{
    (void)sig;
    reopen_requested = 1;
}

static int64_t mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int64_t wall_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* Packet time on a quiet link: the kernel stamps frames with the wall clock; the lag
 * leaves room for frames still in its buffer (config.h). */
static int64_t quiet_packet_time(void)
{
    return wall_ns() - (int64_t)LIVE_CLOCK_LAG_MS * 1000000;
}

/* Frames read so far from the n sources: unchanged over a poll round, the link was
 * quiet. */
static uint64_t frames_read(const struct live_source *src, int n)
{
    uint64_t sum = 0;
    for (int i = 0; i < n; i++)
        sum += src[i].fs ? src[i].fs->packets : 0;
    return sum;
}

/* ---- fanout workers (--threads N on Linux) ---- */

struct live_worker {
    pthread_t thread;
    struct run *collector;
    struct pipeline *pipeline; /* this worker's, fed by its thread alone */
    uint32_t index;
    int n;
    int started, failed;
    struct live_source src[LIVE_MAX_IFACES];
    struct capture_stats cs[LIVE_MAX_IFACES]; /* this worker's handles */
    pthread_mutex_t lock;
    struct capture_stats shared[LIVE_MAX_IFACES]; /* cs as last published, under lock */
};

static atomic_int workers_stop, workers_running;

/* A worker's frames go to its own pipeline (a capture_cb). */
static void feed_pipeline(void *pipeline, struct packet *pkt)
{
    pipeline_frame(pipeline, pkt);
}

static void worker_counters(struct live_worker *w)
{
    live_read_counters(w->src, w->cs, w->n);
    pthread_mutex_lock(&w->lock);
    memcpy(w->shared, w->cs, sizeof w->shared);
    pthread_mutex_unlock(&w->lock);
}

static void *worker_main(void *arg)
{
    struct live_worker *w = arg;
    struct pollfd pfd[LIVE_MAX_IFACES];
    live_watch(w->src, pfd, w->n);
    int64_t next_counters = 0;
    while (!atomic_load(&workers_stop)) {
        uint64_t before = frames_read(w->src, w->n);
        int up = live_pump(w->src, pfd, w->cs, w->n, LIVE_TIMEOUT_MS, &w->failed);
        if (up > 0 && frames_read(w->src, w->n) == before)
            pipeline_advance(w->pipeline, quiet_packet_time());
        run_publish(w->collector, w->index);
        if (up <= 0)
            break;
        if (mono_ms() >= next_counters) {
            next_counters = mono_ms() + 250;
            worker_counters(w);
        }
    }
    live_drain_sources(w->src, w->n);
    run_publish(w->collector, w->index);
    worker_counters(w);
    atomic_fetch_sub(&workers_running, 1);
    return NULL;
}

/* The interfaces' counters: the sum over the workers' handles. */
static void sum_counters(struct live_worker *w, uint32_t nw, struct capture_stats *cs, int n)
{
    for (int i = 0; i < n; i++) {
        cs[i].received = cs[i].dropped = cs[i].if_dropped = 0;
        cs[i].nworkers = nw;
    }
    for (uint32_t k = 0; k < nw; k++) {
        pthread_mutex_lock(&w[k].lock);
        for (int i = 0; i < n; i++) {
            cs[i].worker_received[k] = w[k].shared[i].received;
            cs[i].received += w[k].shared[i].received;
            cs[i].dropped += w[k].shared[i].dropped;
            /* The interface's own count: every handle reads the same one. */
            if (w[k].shared[i].if_dropped > cs[i].if_dropped)
                cs[i].if_dropped = w[k].shared[i].if_dropped;
        }
        pthread_mutex_unlock(&w[k].lock);
    }
}

/* Opens every interface once per worker: the kernel's buffer is shared out among them. */
static struct live_worker *workers_open(const struct live_options *lo, uint32_t nw)
{
    struct live_worker *w = calloc(nw, sizeof *w);
    if (!w) {
        fprintf(stderr, "secondsight: out of memory setting up the sensor\n");
        return NULL;
    }
    int groups[LIVE_MAX_IFACES];
    for (int i = 0; i < lo->nifaces; i++)
        groups[i] = -1;
    int buffer = LIVE_BUFFER / (int)nw > LIVE_MIN_BUFFER ? LIVE_BUFFER / (int)nw : LIVE_MIN_BUFFER;
    for (uint32_t k = 0; k < nw; k++) {
        w[k].index = k;
        w[k].n = lo->nifaces;
        pthread_mutex_init(&w[k].lock, NULL);
        if (!live_open_sources(w[k].src, lo, buffer, nw, groups)) {
            for (uint32_t j = 0; j <= k; j++) {
                live_close_sources(w[j].src, w[j].n);
                pthread_mutex_destroy(&w[j].lock);
            }
            free(w);
            return NULL;
        }
    }
    return w;
}

/* Starts the workers with the signals blocked: the main thread takes them. */
static int workers_start(struct live_worker *w, uint32_t nw, struct run *e,
                         atomic_uint_fast64_t *frames)
{
    sigset_t all, old;
    sigfillset(&all);
    pthread_sigmask(SIG_BLOCK, &all, &old);
    int ok = 1;
    for (uint32_t k = 0; k < nw && ok; k++) {
        struct pipeline *we = run_worker(e, k);
        w[k].collector = e;
        w[k].pipeline = we;
        for (int i = 0; i < w[k].n; i++) {
            struct live_source *s = &w[k].src[i];
            s->cb = feed_pipeline;
            s->arg = we;
            s->frames = &frames[i];
            s->fs = run_worker_source(e, k, (uint32_t)i);
            s->fs->path = s->name;
            s->fs->linktype = live_linktype(s);
        }
        atomic_fetch_add(&workers_running, 1);
        if (pthread_create(&w[k].thread, NULL, worker_main, &w[k]) != 0) {
            atomic_fetch_sub(&workers_running, 1);
            fprintf(stderr, "secondsight: cannot start a capture thread\n");
            ok = 0;
            break;
        }
        w[k].started = 1;
    }
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    return ok;
}

/* Stops the workers (each empties its kernel buffers first); 1 when none failed. */
static int workers_stop_all(struct live_worker *w, uint32_t nw)
{
    int ok = 1;
    atomic_store(&workers_stop, 1);
    for (uint32_t k = 0; k < nw; k++) {
        if (w[k].started)
            pthread_join(w[k].thread, NULL);
        w[k].started = 0;
        ok = ok && !w[k].failed;
    }
    return ok;
}

static void workers_free(struct live_worker *w, uint32_t nw)
{
    for (uint32_t k = 0; w && k < nw; k++) {
        live_close_sources(w[k].src, w[k].n);
        pthread_mutex_destroy(&w[k].lock);
    }
    free(w);
}

/* ---- the sensor ---- */

static void handle_signals(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_stop;
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    sa.sa_handler = on_hup;
    sigaction(SIGHUP, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);
}

static void reopen_output(struct analyze_options *opt, const struct live_options *lo, struct run *e)
{
    reopen_requested = 0;
    if (!lo->outpath)
        return;
    FILE *fp = fopen(lo->outpath, "a");
    if (!fp) {
        fprintf(stderr, "secondsight: cannot reopen %s: %s; writing on to the old file\n",
                lo->outpath, strerror(errno));
        return;
    }
    setvbuf(fp, NULL, _IOLBF, 0);
    fflush(opt->out);
    fclose(opt->out);
    opt->out = fp;
    run_set_output(e, fp);
}

/* A stats record stamped with the wall clock; 0, with a message naming the results,
 * when it (or a finding before it) could not be written. */
static int write_stats(const struct analyze_options *opt, struct run *e)
{
    if (run_write_stats(e, wall_ns()))
        return 1;
    fprintf(stderr, "secondsight: cannot write results to %s: %s\n",
            opt->out_name ? opt->out_name : "standard output", strerror(errno));
    return 0;
}

/* The results are opened as the user the sensor runs as, so that SIGHUP can reopen them
 * after logrotate (tcpdump opens its -w file after -Z too). */
static int open_results(struct analyze_options *opt, const struct live_options *lo)
{
    if (lo->open_results && !(opt->out = lo->open_results(lo->results_ctx)))
        return 0;
    /* Every finding reaches the file when it is made: nothing waits in a buffer for a
     * crash or a kill to lose it. */
    setvbuf(opt->out, NULL, _IOLBF, 0);
    return 1;
}

/* The main thread until SIGINT or SIGTERM, or every interface (or worker) ended:
 * polls the interfaces (without workers), writes findings at least every
 * LIVE_TIMEOUT_MS and stats records every --stats-interval, reopens the results on
 * SIGHUP. Returns 1 when something failed. */
static int sensor_loop(struct analyze_options *opt, const struct live_options *lo, struct run *e,
                       struct live_source *src, struct pollfd *pfd, struct capture_stats *cs,
                       struct live_worker *workers, uint32_t nw)
{
    int n = lo->nifaces, failed = 0;
    int64_t next_stats = lo->stats_interval ? mono_ms() + 1000LL * lo->stats_interval : 0;
    int64_t next_idle = 0;
    /* An interface that fails is reported and left; the others go on. */
    while (!stop_requested) {
        if (nw) {
            if (!atomic_load(&workers_running))
                break;
            poll(NULL, 0, LIVE_TIMEOUT_MS);
        } else {
            uint64_t before = frames_read(src, n);
            if (live_pump(src, pfd, cs, n, 250, &failed) <= 0)
                break;
            if (frames_read(src, n) == before)
                run_advance(e, quiet_packet_time());
        }
        if (reopen_requested)
            reopen_output(opt, lo, e);
        /* Findings (and frames waiting for a full batch) go on at least every 100 ms. */
        if (mono_ms() >= next_idle) {
            next_idle = mono_ms() + LIVE_TIMEOUT_MS;
            run_idle(e);
        }
        if (next_stats && mono_ms() >= next_stats) {
            next_stats += 1000LL * lo->stats_interval;
            if (nw)
                sum_counters(workers, nw, cs, n);
            else
                live_read_counters(src, cs, n);
            if (!write_stats(opt, e)) {
                failed = 1;
                break;
            }
        }
    }
    return failed;
}

int live_run(struct analyze_options *opt, const struct live_options *lo)
{
    struct live_source src[LIVE_MAX_IFACES];
    struct capture_stats cs[LIVE_MAX_IFACES];
    struct pollfd pfd[LIVE_MAX_IFACES];
    atomic_uint_fast64_t frames[LIVE_MAX_IFACES];
    int n = lo->nifaces, failed = 0, running = 1;
    struct live_worker *workers = NULL;
    uint32_t nw = 0;

    if (n > LIVE_MAX_IFACES) {
        fprintf(stderr, "secondsight: at most %d interfaces\n", LIVE_MAX_IFACES);
        return EXIT_TROUBLE;
    }
    memset(src, 0, sizeof src);
    memset(cs, 0, sizeof cs);
    for (int i = 0; i < n; i++)
        atomic_init(&frames[i], 0);
#ifdef __linux__
    nw = opt->threads > 1 ? opt->threads : 0;
#endif
    if (nw) {
        workers = workers_open(lo, nw);
        if (!workers)
            return EXIT_TROUBLE;
    } else if (!live_open_sources(src, lo, LIVE_BUFFER, 1, NULL)) {
        live_close_sources(src, n);
        return EXIT_TROUBLE;
    }
    struct run *e = NULL;
    if (live_drop_privileges(lo, opt->evidence_dir) && open_results(opt, lo)) {
        opt->fanout = nw > 0;
        e = run_new(opt, n);
        if (!e)
            fprintf(stderr, "secondsight: out of memory setting up the sensor\n");
    }
    if (!e) {
        workers_free(workers, nw);
        live_close_sources(src, n);
        return EXIT_TROUBLE;
    }
    const struct live_source *named = nw ? workers[0].src : src;
    for (int i = 0; i < n; i++) {
        struct file_stats *fs = run_source(e, (uint32_t)i);
        fs->path = lo->ifaces[i];
        fs->linktype = live_linktype(&named[i]);
        cs[i].interface = lo->ifaces[i];
        src[i].cb = run_feed;
        src[i].arg = e;
        src[i].fs = fs;
    }
    run_set_capture(e, cs, (uint32_t)n);
    handle_signals();
    if (nw && !workers_start(workers, nw, e, frames))
        failed = 1, running = 0;
    else if (!nw)
        live_watch(src, pfd, n);

    if (running)
        failed |= sensor_loop(opt, lo, e, src, pfd, cs, workers, nw);
    /* Whatever remains in the kernel buffers, then what the detectors held back. */
    if (nw) {
        if (!workers_stop_all(workers, nw))
            failed = 1;
        sum_counters(workers, nw, cs, n);
    } else {
        live_drain_sources(src, n);
        live_read_counters(src, cs, n);
    }
    run_finish(e);
    if (!write_stats(opt, e))
        failed = 1;
    /* A sensor stopped by a signal has done its job, whatever it found: the findings
     * are in its log (and systemd counts the stop a success). */
    int status = failed ? EXIT_TROUBLE : EXIT_CLEAN;
    run_free(e);
    workers_free(workers, nw);
    live_close_sources(src, n);
    return status;
}
