/* secondsight - live capture sources: interfaces opened with libpcap (full snap length,
 * a large kernel buffer, a short timeout, non-blocking), joined to a kernel fanout
 * group for workers (capture-fanout.c), polled, their kernel counters read, and
 * privileges dropped once they are open. Frames go to each source's capture_cb; the
 * driver (run-live.c) decides what runs them. */
#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <pcap/pcap.h>
#ifdef __linux__
#include <linux/capability.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#endif

#include "capture.h"
#include "config.h"
#include "output-format.h"

static void live_packet(u_char *arg, const struct pcap_pkthdr *h, const u_char *data)
{
    struct live_source *src = (struct live_source *)arg;
    struct packet pkt;
    src->fs->packets++;
    src->fs->bytes += h->len;
    capture_frame(&pkt, src->fs, src->index, h->ts.tv_sec, h->ts.tv_usec, h->caplen, h->len, data);
    if (src->frames)
        pkt.frame = atomic_fetch_add(src->frames, 1) + 1;
    src->cb(src->arg, &pkt);
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
        fprintf(stderr, "secondsight: cannot capture on %s: link type %s is not supported\n", name,
                linktype_name(pcap_datalink(p)));
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

/* A sensor started as an unprivileged user with capabilities (systemd's
 * AmbientCapabilities=, setcap) needs them only to open the interfaces: every one is
 * given up for good (permitted, effective, inheritable, ambient). Before any thread
 * starts, since capabilities are per thread. */
static int drop_capabilities(void)
{
#ifdef __linux__
    struct __user_cap_header_struct h = {_LINUX_CAPABILITY_VERSION_3, 0};
    struct __user_cap_data_struct d[_LINUX_CAPABILITY_U32S_3];
    memset(d, 0, sizeof d);
#ifdef PR_CAP_AMBIENT
    if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) != 0 && errno != EINVAL)
        return 0;
#endif
    return syscall(SYS_capset, &h, d) == 0;
#else
    return 1;
#endif
}

/* As tcpdump does: capture as root, analyse as someone else. The evidence directory
 * must stay writable: one this run made goes to that user. */
int live_drop_privileges(const struct live_options *lo, const char *evidence_dir)
{
    if (geteuid() != 0) {
        if (lo->user) {
            fprintf(stderr, "secondsight: -Z %s needs root to switch users\n", lo->user);
            return 0;
        }
        if (!drop_capabilities()) {
            fprintf(stderr, "secondsight: cannot give up capabilities: %s\n", strerror(errno));
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

void live_read_counters(const struct live_source *src, struct capture_stats *cs, int n)
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

void live_close_sources(struct live_source *src, int n)
{
    for (int i = 0; i < n; i++)
        if (src[i].p)
            pcap_close(src[i].p);
}

/* Opens the n interfaces (a worker's handles join each interface's fanout group). */
int live_open_sources(struct live_source *src, const struct live_options *lo, int buffer,
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
        if (workers > 1 &&
            !fanout_join(pcap_fileno(src[i].p), workers, &groups[i], err, sizeof err)) {
            fprintf(stderr, "secondsight: cannot capture on %s: %s\n", lo->ifaces[i], err);
            return 0;
        }
    }
    return 1;
}

/* One poll round (up to wait_ms), then a read on every source still up; a source that
 * fails is reported and left. Returns the sources still up, -1 when poll failed. */
int live_pump(struct live_source *src, struct pollfd *pfd, struct capture_stats *cs, int n,
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
            live_read_counters(&src[i], &cs[i], 1);
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
void live_drain_sources(struct live_source *src, int n)
{
    for (int i = 0; i < n; i++)
        for (int round = 0; src[i].up && round < 64; round++)
            if (pcap_dispatch(src[i].p, LIVE_BATCH, live_packet, (u_char *)&src[i]) <= 0)
                break;
}

void live_watch(struct live_source *src, struct pollfd *pfd, int n)
{
    for (int i = 0; i < n; i++) {
        pfd[i].fd = pcap_get_selectable_fd(src[i].p);
        pfd[i].events = POLLIN;
    }
}

int live_linktype(const struct live_source *src)
{
    return pcap_datalink(src->p);
}
