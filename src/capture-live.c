/* secondsight - the live sensor: interfaces opened with libpcap (full snap length,
 * a large kernel buffer, a short timeout), privileges dropped, then the same pipeline
 * as for files until SIGINT or SIGTERM. SIGHUP reopens the results file (logrotate);
 * stats records carry the kernel's drop counters, so dropped packets are never
 * silent. Single-threaded: one poll loop over every interface. */
#include <errno.h>
#include <grp.h>
#include <poll.h>
#include <pwd.h>
#include <signal.h>
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
#define LIVE_BUFFER (64 << 20)    /* kernel buffer per interface */
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
};

static void live_packet(u_char *arg, const struct pcap_pkthdr *h, const u_char *data)
{
    struct live_source *src = (struct live_source *)arg;
    struct packet pkt;
    src->fs->packets++;
    src->fs->bytes += h->len;
    capture_frame(&pkt, src->fs, src->index, h->ts.tv_sec, h->ts.tv_usec, h->caplen, h->len, data);
    engine_feed(src->engine, &pkt);
}

static pcap_t *open_iface(const char *name, const struct live_options *lo)
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
    pcap_set_buffer_size(p, LIVE_BUFFER);
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

/* As tcpdump does: capture as root, analyse as someone else. */
static int drop_privileges(const struct live_options *lo)
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
    if (setgroups(0, NULL) != 0 || setgid(pw->pw_gid) != 0 || setuid(pw->pw_uid) != 0) {
        fprintf(stderr, "secondsight: cannot drop privileges to %s: %s\n", user, strerror(errno));
        return 0;
    }
    if (pw->pw_uid != 0 && setuid(0) == 0) { /* the drop must be final */
        fprintf(stderr, "secondsight: privileges could be regained; stopping\n");
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

static void update_capture_stats(struct live_source *src, struct capture_stats *cs, int n)
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

int live_run(struct analyze_options *opt, const struct live_options *lo)
{
    struct live_source src[LIVE_MAX_IFACES];
    struct capture_stats cs[LIVE_MAX_IFACES];
    struct pollfd pfd[LIVE_MAX_IFACES];
    int n = lo->nifaces, status = EXIT_CLEAN;

    if (n > LIVE_MAX_IFACES) {
        fprintf(stderr, "secondsight: at most %d interfaces\n", LIVE_MAX_IFACES);
        return EXIT_TROUBLE;
    }
    memset(src, 0, sizeof src);
    memset(cs, 0, sizeof cs);
    for (int i = 0; i < n; i++) {
        src[i].p = open_iface(lo->ifaces[i], lo);
        if (!src[i].p) {
            for (int k = 0; k < i; k++)
                pcap_close(src[k].p);
            return EXIT_TROUBLE;
        }
        src[i].up = 1;
    }
    if (!drop_privileges(lo)) {
        for (int i = 0; i < n; i++)
            pcap_close(src[i].p);
        return EXIT_TROUBLE;
    }

    struct engine *e = engine_new(opt, n);
    if (!e) {
        fprintf(stderr, "secondsight: out of memory setting up the sensor\n");
        for (int i = 0; i < n; i++)
            pcap_close(src[i].p);
        return EXIT_TROUBLE;
    }
    for (int i = 0; i < n; i++) {
        src[i].engine = e;
        src[i].index = (uint32_t)i;
        src[i].fs = engine_source(e, (uint32_t)i);
        src[i].fs->path = lo->ifaces[i];
        src[i].fs->linktype = pcap_datalink(src[i].p);
        cs[i].interface = lo->ifaces[i];
        pfd[i].fd = pcap_get_selectable_fd(src[i].p);
        pfd[i].events = POLLIN;
    }
    engine_set_capture(e, cs, (uint32_t)n);

    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_stop;
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    sa.sa_handler = on_hup;
    sigaction(SIGHUP, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);

    int64_t next_stats = lo->stats_interval ? mono_ms() + 1000LL * lo->stats_interval : 0;
    int64_t next_idle = 0;
    int up = n;
    while (!stop_requested && up > 0) {
        int rc = poll(pfd, (nfds_t)n, 250);
        if (rc < 0 && errno != EINTR) {
            fprintf(stderr, "secondsight: poll: %s\n", strerror(errno));
            status = EXIT_TROUBLE;
            break;
        }
        for (int i = 0; i < n; i++) {
            if (!src[i].up)
                continue;
            /* Read even without POLLIN: the timeout may hold packets back. */
            int got = pcap_dispatch(src[i].p, LIVE_BATCH, live_packet, (u_char *)&src[i]);
            if (got == PCAP_ERROR) {
                fprintf(stderr, "secondsight: capture on %s failed: %s\n", lo->ifaces[i],
                        pcap_geterr(src[i].p));
                update_capture_stats(&src[i], &cs[i], 1);
                src[i].up = 0;
                pfd[i].fd = -1;
                up--;
                status = EXIT_TROUBLE;
            }
        }
        if (reopen_requested && lo->outpath) {
            reopen_requested = 0;
            FILE *fp = fopen(lo->outpath, "a");
            if (!fp) {
                fprintf(stderr, "secondsight: cannot reopen %s: %s; writing on to the old file\n",
                        lo->outpath, strerror(errno));
            } else {
                fflush(opt->out);
                fclose(opt->out);
                opt->out = fp;
                engine_set_output(e, fp);
            }
        }
        reopen_requested = 0;
        /* Frames waiting for a full batch go to their shards at least every 100 ms. */
        if (mono_ms() >= next_idle) {
            next_idle = mono_ms() + 100;
            engine_idle(e);
        }
        if (next_stats && mono_ms() >= next_stats) {
            next_stats += 1000LL * lo->stats_interval;
            update_capture_stats(src, cs, n);
            if (!engine_write_stats(e)) {
                fprintf(stderr, "secondsight: cannot write results: %s\n", strerror(errno));
                status = EXIT_TROUBLE;
                break;
            }
        }
    }
    /* Whatever remains in the kernel buffers, then what the detectors held back. */
    for (int i = 0; i < n; i++)
        for (int round = 0; src[i].up && round < 64; round++)
            if (pcap_dispatch(src[i].p, LIVE_BATCH, live_packet, (u_char *)&src[i]) <= 0)
                break;
    update_capture_stats(src, cs, n);
    engine_finish(e);
    if (!engine_write_stats(e)) {
        fprintf(stderr, "secondsight: cannot write results: %s\n", strerror(errno));
        status = EXIT_TROUBLE;
    }
    if (status == EXIT_CLEAN && engine_findings(e))
        status = EXIT_FINDINGS;
    engine_free(e);
    for (int i = 0; i < n; i++)
        pcap_close(src[i].p);
    return status;
}
