/* secondsight - the live sensor: interfaces opened with libpcap (full snap length,
 * a large kernel buffer, a short timeout), privileges dropped, then the same pipeline
 * as for files until SIGINT or SIGTERM. SIGHUP reopens the results file (logrotate);
 * stats records carry the kernel's drop counters, so dropped packets are never
 * silent. One thread polls every interface; with --threads N on Linux, N workers each
 * open every interface into a kernel fanout group (capture-fanout.c) and run a whole
 * engine of their own, while the main thread writes findings and stats. */
#include <errno.h>
#include <grp.h>
#include <poll.h>
#include <pthread.h>
#include <pwd.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <pcap/pcap.h>

#include "analyze.h"
#include "capture.h"
#include "output.h"

#define LIVE_SNAPLEN 262144
#define LIVE_BUFFER (64 << 20)    /* kernel buffer per interface, shared out among workers */
#define LIVE_MIN_BUFFER (16 << 20) /* ... but at least this much per worker */
#define LIVE_TIMEOUT_MS 100       /* deliver packets at least this often */
#define LIVE_MAX_IFACES 16
#define LIVE_BATCH 512            /* packets per interface per poll round */

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

struct live_source {
    pcap_t *p;
    struct engine *engine;
    struct file_stats *fs;
    uint32_t index;
    int up;
    const char *name;
    atomic_uint_fast64_t *frames; /* workers: frames numbered across them */
};

static void live_packet(u_char *arg, const struct pcap_pkthdr *h, const u_char *data)
{
    struct live_source *src = (struct live_source *)arg;
    struct packet pkt;
    src->fs->packets++;
    src->fs->bytes += h->len;
    capture_frame(&pkt, src->fs, src->index, h->ts.tv_sec, h->ts.tv_usec, h->caplen, h->len, data);
    if (src->frames)
        pkt.frame = atomic_fetch_add(src->frames, 1) + 1;
    engine_feed(src->engine, &pkt);
}

static pcap_t *open_iface(const char *name, const struct live_options *lo, int buffer)
{
    char err[PCAP_ERRBUF_SIZE] = "";
    pcap_t *p = pcap_create(name, err);
    if (!p) {
        fprintf(stderr, "secondsight: cannot open interface %s: %s\n", name, err);
        return NULL;
    }
    pcap_set_snaplen(p, LIVE_SNAPLEN);
    pcap_set_promisc(p, lo->promisc);
    pcap_set_timeout(p, LIVE_TIMEOUT_MS);
    pcap_set_buffer_size(p, buffer);
    pcap_set_tstamp_precision(p, PCAP_TSTAMP_PRECISION_NANO);
    int rc = pcap_activate(p);
    if (rc < 0) {
        const char *why = pcap_geterr(p);
        if (rc == PCAP_ERROR_NO_SUCH_DEVICE)
            why = "no such interface";
        else if (rc == PCAP_ERROR_PERM_DENIED)
            why = "permission denied (capture needs root or CAP_NET_RAW)";
        else if (rc == PCAP_ERROR_IFACE_NOT_UP)
            why = "the interface is down";
        fprintf(stderr, "secondsight: cannot capture on %s: %s\n", name, why);
        pcap_close(p);
        return NULL;
    }
    if (!decode_linktype_supported(pcap_datalink(p))) {
        fprintf(stderr, "secondsight: cannot capture on %s: link type %s is not supported\n",
                name, linktype_name(pcap_datalink(p)));
        pcap_close(p);
        return NULL;
    }
    if (lo->filter) {
        struct bpf_program prog;
        if (pcap_compile(p, &prog, lo->filter, 1, PCAP_NETMASK_UNKNOWN) != 0 ||
            pcap_setfilter(p, &prog) != 0) {
            fprintf(stderr, "secondsight: filter '%s' on %s: %s\n", lo->filter, name,
                    pcap_geterr(p));
            pcap_close(p);
            return NULL;
        }
        pcap_freecode(&prog);
    }
    if (pcap_setnonblock(p, 1, err) != 0) {
        fprintf(stderr, "secondsight: %s: %s\n", name, err);
        pcap_close(p);
        return NULL;
    }
    return p;
}

/* As tcpdump does: capture as root, analyse as someone else. The evidence directory
 * must stay writable: one this run made goes to that user. */
static int drop_privileges(const struct live_options *lo, const char *evidence_dir)
{
    if (geteuid() != 0) {
        if (lo->user) {
            fprintf(stderr, "secondsight: -Z %s needs root to switch users\n", lo->user);
            return 0;
        }
        return 1;
    }
    const char *user = lo->user ? lo->user : lo->run_as_root ? NULL : "nobody";
    if (!user)
        return 1;
    struct passwd *pw = getpwnam(user);
    if (!pw) {
        fprintf(stderr, "secondsight: cannot drop privileges: no user %s\n", user);
        return 0;
    }
    if (evidence_dir && lo->evidence_made && chown(evidence_dir, pw->pw_uid, pw->pw_gid) != 0) {
        fprintf(stderr, "secondsight: cannot give %s to %s: %s\n", evidence_dir, user,
                strerror(errno));
        return 0;
    }
    if (setgroups(0, NULL) != 0 || setgid(pw->pw_gid) != 0 || setuid(pw->pw_uid) != 0) {
        fprintf(stderr, "secondsight: cannot drop privileges to %s: %s\n", user, strerror(errno));
        return 0;
    }
    if (pw->pw_uid != 0 && setuid(0) == 0) { /* the drop must be final */
        fprintf(stderr, "secondsight: privileges could be regained; stopping\n");
        return 0;
    }
    if (evidence_dir && access(evidence_dir, W_OK | X_OK) != 0) {
        fprintf(stderr, "secondsight: user %s cannot write evidence to %s: %s\n", user,
                evidence_dir, strerror(errno));
        return 0;
    }
    return 1;
}

static int64_t mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void read_counters(const struct live_source *src, struct capture_stats *cs, int n)
{
    for (int i = 0; i < n; i++) {
        struct pcap_stat ps;
        if (src[i].up && pcap_stats(src[i].p, &ps) == 0) {
            cs[i].received = ps.ps_recv;
            cs[i].dropped = ps.ps_drop;
            cs[i].if_dropped = ps.ps_ifdrop;
        }
    }
}

static void close_sources(struct live_source *src, int n)
{
    for (int i = 0; i < n; i++)
        if (src[i].p)
            pcap_close(src[i].p);
}

/* Opens the n interfaces (a worker's handles join each interface's fanout group). */
static int open_sources(struct live_source *src, const struct live_options *lo, int buffer,
                        uint32_t workers, int *groups)
{
    for (int i = 0; i < lo->nifaces; i++) {
        src[i].name = lo->ifaces[i];
        src[i].index = (uint32_t)i;
        src[i].p = open_iface(lo->ifaces[i], lo, buffer);
        if (!src[i].p)
            return 0;
        src[i].up = 1;
        char err[128];
        if (workers > 1 && !fanout_join(pcap_fileno(src[i].p), workers, &groups[i], err, sizeof err)) {
            fprintf(stderr, "secondsight: cannot capture on %s: %s\n", lo->ifaces[i], err);
            return 0;
        }
    }
    return 1;
}

/* One poll round (up to wait_ms), then a read on every source still up; a source that
 * fails is reported and left. Returns the sources still up, -1 when poll failed. */
static int pump(struct live_source *src, struct pollfd *pfd, struct capture_stats *cs, int n,
                int wait_ms, int *failed)
{
    if (poll(pfd, (nfds_t)n, wait_ms) < 0 && errno != EINTR) {
        fprintf(stderr, "secondsight: poll: %s\n", strerror(errno));
        *failed = 1;
        return -1;
    }
    int up = 0;
    for (int i = 0; i < n; i++) {
        if (!src[i].up)
            continue;
        /* Read even without POLLIN: the timeout may hold packets back. */
        if (pcap_dispatch(src[i].p, LIVE_BATCH, live_packet, (u_char *)&src[i]) == PCAP_ERROR) {
            fprintf(stderr, "secondsight: capture on %s failed: %s\n", src[i].name,
                    pcap_geterr(src[i].p));
            read_counters(&src[i], &cs[i], 1);
            src[i].up = 0;
            pfd[i].fd = -1;
            *failed = 1;
            continue;
        }
        up++;
    }
    return up;
}

/* Whatever remains in the kernel buffers. */
static void drain_sources(struct live_source *src, int n)
{
    for (int i = 0; i < n; i++)
        for (int round = 0; src[i].up && round < 64; round++)
            if (pcap_dispatch(src[i].p, LIVE_BATCH, live_packet, (u_char *)&src[i]) <= 0)
                break;
}

static void watch(struct live_source *src, struct pollfd *pfd, int n)
{
    for (int i = 0; i < n; i++) {
        pfd[i].fd = pcap_get_selectable_fd(src[i].p);
        pfd[i].events = POLLIN;
    }
}

/* ---- fanout workers (--threads N on Linux) ---- */

struct live_worker {
    pthread_t thread;
    struct engine *collector;
    uint32_t index;
    int n;
    int started, failed;
    struct live_source src[LIVE_MAX_IFACES];
    struct capture_stats cs[LIVE_MAX_IFACES];     /* this worker's handles */
    pthread_mutex_t lock;
    struct capture_stats shared[LIVE_MAX_IFACES]; /* cs as last published, under lock */
};

static atomic_int workers_stop, workers_running;

static void worker_counters(struct live_worker *w)
{
    read_counters(w->src, w->cs, w->n);
    pthread_mutex_lock(&w->lock);
    memcpy(w->shared, w->cs, sizeof w->shared);
    pthread_mutex_unlock(&w->lock);
}

static void *worker_main(void *arg)
{
    struct live_worker *w = arg;
    struct pollfd pfd[LIVE_MAX_IFACES];
    watch(w->src, pfd, w->n);
    int64_t next_counters = 0;
    while (!atomic_load(&workers_stop)) {
        int up = pump(w->src, pfd, w->cs, w->n, LIVE_TIMEOUT_MS, &w->failed);
        engine_publish(w->collector, w->index);
        if (up <= 0)
            break;
        if (mono_ms() >= next_counters) {
            next_counters = mono_ms() + 250;
            worker_counters(w);
        }
    }
    drain_sources(w->src, w->n);
    engine_publish(w->collector, w->index);
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
        if (!open_sources(w[k].src, lo, buffer, nw, groups)) {
            for (uint32_t j = 0; j <= k; j++) {
                close_sources(w[j].src, w[j].n);
                pthread_mutex_destroy(&w[j].lock);
            }
            free(w);
            return NULL;
        }
    }
    return w;
}

/* Starts the workers with the signals blocked: the main thread takes them. */
static int workers_start(struct live_worker *w, uint32_t nw, struct engine *e,
                         atomic_uint_fast64_t *frames)
{
    sigset_t all, old;
    sigfillset(&all);
    pthread_sigmask(SIG_BLOCK, &all, &old);
    int ok = 1;
    for (uint32_t k = 0; k < nw && ok; k++) {
        struct engine *we = engine_worker(e, k);
        w[k].collector = e;
        for (int i = 0; i < w[k].n; i++) {
            struct live_source *s = &w[k].src[i];
            s->engine = we;
            s->frames = &frames[i];
            s->fs = engine_source(we, (uint32_t)i);
            s->fs->path = s->name;
            s->fs->linktype = pcap_datalink(s->p);
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
        close_sources(w[k].src, w[k].n);
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

static void reopen_output(struct analyze_options *opt, const struct live_options *lo,
                          struct engine *e)
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
    fflush(opt->out);
    fclose(opt->out);
    opt->out = fp;
    engine_set_output(e, fp);
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
    } else if (!open_sources(src, lo, LIVE_BUFFER, 1, NULL)) {
        close_sources(src, n);
        return EXIT_TROUBLE;
    }
    struct engine *e = NULL;
    if (drop_privileges(lo, opt->evidence_dir)) {
        opt->fanout = nw > 0;
        e = engine_new(opt, n);
        if (!e)
            fprintf(stderr, "secondsight: out of memory setting up the sensor\n");
    }
    if (!e) {
        workers_free(workers, nw);
        close_sources(src, n);
        return EXIT_TROUBLE;
    }
    const struct live_source *named = nw ? workers[0].src : src;
    for (int i = 0; i < n; i++) {
        struct file_stats *fs = engine_source(e, (uint32_t)i);
        fs->path = lo->ifaces[i];
        fs->linktype = pcap_datalink(named[i].p);
        cs[i].interface = lo->ifaces[i];
        src[i].engine = e;
        src[i].fs = fs;
    }
    engine_set_capture(e, cs, (uint32_t)n);
    handle_signals();
    if (nw && !workers_start(workers, nw, e, frames))
        failed = 1, running = 0;
    else if (!nw)
        watch(src, pfd, n);

    int64_t next_stats = lo->stats_interval ? mono_ms() + 1000LL * lo->stats_interval : 0;
    int64_t next_idle = 0;
    /* An interface that fails is reported and left; the others go on. */
    while (running && !stop_requested) {
        if (nw) {
            if (!atomic_load(&workers_running))
                break;
            poll(NULL, 0, LIVE_TIMEOUT_MS);
        } else if (pump(src, pfd, cs, n, 250, &failed) <= 0) {
            break;
        }
        if (reopen_requested)
            reopen_output(opt, lo, e);
        /* Findings (and frames waiting for a full batch) go on at least every 100 ms. */
        if (mono_ms() >= next_idle) {
            next_idle = mono_ms() + LIVE_TIMEOUT_MS;
            engine_idle(e);
        }
        if (next_stats && mono_ms() >= next_stats) {
            next_stats += 1000LL * lo->stats_interval;
            if (nw)
                sum_counters(workers, nw, cs, n);
            else
                read_counters(src, cs, n);
            if (!engine_write_stats(e)) {
                fprintf(stderr, "secondsight: cannot write results: %s\n", strerror(errno));
                failed = 1;
                break;
            }
        }
    }
    /* Whatever remains in the kernel buffers, then what the detectors held back. */
    if (nw) {
        if (!workers_stop_all(workers, nw))
            failed = 1;
        sum_counters(workers, nw, cs, n);
    } else {
        drain_sources(src, n);
        read_counters(src, cs, n);
    }
    engine_finish(e);
    if (!engine_write_stats(e)) {
        fprintf(stderr, "secondsight: cannot write results: %s\n", strerror(errno));
        failed = 1;
    }
    int status = failed ? EXIT_TROUBLE : engine_findings(e) ? EXIT_FINDINGS : EXIT_CLEAN;
    engine_free(e);
    workers_free(workers, nw);
    close_sources(src, n);
    return status;
}
