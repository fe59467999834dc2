/* secondsight - `locate`: a baseline request, then the same request with its IP TTL
 * limited to 1, 2, 3 ... (TCP: the handshake at full TTL, only the request segment
 * limited, IP_TTL set on the connected socket). libpcap on the outgoing interface sees
 * the request leave, the routers' ICMP time-exceeded and every answer; the frames go
 * through the pipeline, so the detectors of analyze judge which answers are forged. The
 * first TTL whose request drew a forged answer places the forger (locate.c). Only one
 * target, one attempt at a time, bounded in count; CAP_NET_RAW is all it keeps. This
 * file runs; locate-setup.c gets the target, route, privileges and capture ready. */
#include "run-locate.h"
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <pcap/pcap.h>

#include "capture.h"
#include "locate-setup.h"
#include "output.h"
#include "pipeline.h"
#include "run.h"

static int set_ttl(struct locate_state *st, int fd, int ttl);

static int64_t mono_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static struct attempt *attempt_by_port(struct locate_state *st, uint16_t port)
{
    for (unsigned i = st->nattempts; i-- > 0;)
        if (st->attempts[i].t->sport == port)
            return &st->attempts[i];
    return NULL;
}

static int same_ip(const struct locate_state *st, const uint8_t *a, const uint8_t *b)
{
    return !memcmp(a, b, st->af == AF_INET ? 4 : 16);
}

/* An ICMP time-exceeded (RFC 792; RFC 4443 3.3) quoting one of our requests: the router
 * that sent it is where the request died. */
static void on_time_exceeded(struct locate_state *st, const struct packet *pkt)
{
    if (pkt->payload_len < 4)
        return;
    const uint8_t *q = pkt->payload + 4;
    size_t n = pkt->payload_len - 4;
    size_t hl;
    uint8_t proto;
    const uint8_t *src, *dst;
    if (st->af == AF_INET) {
        if (pkt->proto != IPPROTO_NUM_ICMP || pkt->u.icmp.type != 11 || n < 20 || (q[0] >> 4) != 4)
            return;
        hl = (size_t)(q[0] & 15) * 4;
        proto = q[9];
        src = q + 12;
        dst = q + 16;
    } else {
        if (pkt->proto != IPPROTO_NUM_ICMPV6 || pkt->u.icmp.type != 3 || n < 40 || (q[0] >> 4) != 6)
            return;
        hl = 40;
        proto = q[6];
        src = q + 8;
        dst = q + 24;
    }
    uint8_t want = st->r->method == LOCATE_DNS_UDP ? IPPROTO_NUM_UDP : IPPROTO_NUM_TCP;
    if (hl < 20 || n < hl + 4 || proto != want || !same_ip(st, src, st->local) ||
        !same_ip(st, dst, st->r->target) || (uint16_t)(q[hl + 2] << 8 | q[hl + 3]) != st->r->port)
        return;
    /* TCP: the request segment, not an ACK or RST of ours (when the router quoted enough
     * of it to tell). */
    if (proto == IPPROTO_NUM_TCP && n >= hl + 13) {
        size_t iplen =
            st->af == AF_INET ? (size_t)(q[2] << 8 | q[3]) : 40 + (size_t)(q[4] << 8 | q[5]);
        if (iplen <= hl + (size_t)(q[hl + 12] >> 4) * 4)
            return;
    }
    struct attempt *a = attempt_by_port(st, (uint16_t)(q[hl] << 8 | q[hl + 1]));
    /* After a retransmission (sent with TTL 1) the time-exceeded may be its own. */
    if (!a || a->t->has_router || (a->resent_ns && pkt->ts_ns >= a->resent_ns))
        return;
    a->t->has_router = 1;
    memset(a->t->router, 0, 16);
    memcpy(a->t->router, pkt->ip_src, st->af == AF_INET ? 4 : 16);
    if (a->sent_ns)
        a->t->rtt_ns = pkt->ts_ns - a->sent_ns;
    if (a == st->cur && !st->settle_at)
        st->settle_at = mono_ns();
}

/* What one captured frame says about the attempts. */
static void observe(struct locate_state *st, const struct packet *pkt)
{
    if (pkt->ip_version != st->r->ip_version || !pkt->l4_ok)
        return;
    if (pkt->proto == IPPROTO_NUM_ICMP || pkt->proto == IPPROTO_NUM_ICMPV6) {
        on_time_exceeded(st, pkt);
        return;
    }
    uint8_t want = st->r->method == LOCATE_DNS_UDP ? IPPROTO_NUM_UDP : IPPROTO_NUM_TCP;
    if (pkt->proto != want || pkt->payload_len == 0)
        return;
    if (same_ip(st, pkt->ip_src, st->local) && same_ip(st, pkt->ip_dst, st->r->target) &&
        pkt->dport == st->r->port) {
        struct attempt *a = attempt_by_port(st, pkt->sport);
        if (a && !a->t->sent) {
            a->t->sent = 1;
            a->sent_ns = pkt->ts_ns;
        } else if (a && !a->resent_ns) {
            a->resent_ns = pkt->ts_ns;
        }
        return;
    }
    if (!same_ip(st, pkt->ip_src, st->r->target) || !same_ip(st, pkt->ip_dst, st->local) ||
        pkt->sport != st->r->port)
        return;
    struct attempt *a = attempt_by_port(st, pkt->dport);
    if (!a)
        return;
    if (!a->t->answered) {
        a->t->answered = 1;
        a->t->answer_ttl = pkt->ttl;
        if (a->sent_ns && !a->t->has_router)
            a->t->rtt_ns = pkt->ts_ns - a->sent_ns;
    }
    if (a->nanswers < LOCATE_ANSWERS) {
        a->answer_frame[a->nanswers] = pkt->frame;
        a->answer_ttl[a->nanswers++] = pkt->ttl;
    }
    if (a == st->cur && !st->settle_at)
        st->settle_at = mono_ns();
    /* Answered: our acknowledgements go with the full TTL again (the request itself is
     * acknowledged now, by whoever answered, and is not sent again). */
    if (a == st->cur && st->cur_ttl_low) {
        set_ttl(st, st->cur_fd, -1);
        st->cur_ttl_low = 0;
    }
}

static void on_frame(u_char *arg, const struct pcap_pkthdr *h, const u_char *data)
{
    struct locate_state *st = (struct locate_state *)arg;
    struct packet pkt;
    if (st->dump)
        pcap_dump((u_char *)st->dump, h, data);
    st->fs.packets++;
    st->fs.bytes += h->len;
    capture_frame(&pkt, &st->fs, 0, h->ts.tv_sec, h->ts.tv_usec, h->caplen, h->len, data);
    pipeline_frame(&st->pl, &pkt); /* decodes pkt, then the detectors judge it */
    observe(st, &pkt);
}

/* Captures until `until` (monotonic ns), also stopping an attempt's wait once an answer
 * or a time-exceeded has had time for its late copies; watches socket `fd` (read and
 * discarded) when >= 0. */
static void capture_until(struct locate_state *st, int64_t until, int fd)
{
    uint8_t sink[4096];
    for (;;) {
        int64_t now = mono_ns();
        int64_t end = until;
        if (st->settle_at) {
            int64_t settle = (int64_t)LOCATE_SETTLE_MS * 1000000;
            if (st->cur && st->cur->t->rtt_ns > 0 && 4 * st->cur->t->rtt_ns > settle)
                settle = 4 * st->cur->t->rtt_ns;
            if (st->settle_at + settle < end)
                end = st->settle_at + settle;
        }
        if (now >= end)
            break;
        struct pollfd p[2] = {{st->pcap_fd, POLLIN, 0}, {fd, POLLIN, 0}};
        int ms = (int)((end - now) / 1000000) + 1;
        poll(p, fd >= 0 ? 2 : 1, ms > 50 ? 50 : ms);
        pcap_dispatch(st->pcap, -1, on_frame, (u_char *)st);
        if (fd >= 0 && (p[1].revents & (POLLIN | POLLERR | POLLHUP))) {
            ssize_t got;
            while ((got = recv(fd, sink, sizeof sink, MSG_DONTWAIT)) > 0)
                ;
            if (got == 0 || (got < 0 && errno != EAGAIN && errno != EWOULDBLOCK))
                fd = -1; /* closed or failed: only the capture is left to watch */
        }
    }
    pcap_dispatch(st->pcap, -1, on_frame, (u_char *)st);
}

/* ---- attempts ---- */

/* The TTL (hop limit) of what the socket sends next; -1 the system's default. */
static int set_ttl(struct locate_state *st, int fd, int ttl)
{
    if (st->af == AF_INET)
        return setsockopt(fd, IPPROTO_IP, IP_TTL, &ttl, sizeof ttl);
    return setsockopt(fd, IPPROTO_IPV6, IPV6_UNICAST_HOPS, &ttl, sizeof ttl);
}

/* One attempt: connect (TCP, full TTL), limit the TTL to `ttl` (0: leave it), send the
 * request, capture until the answer settled or the timeout, then close abortively.
 * Once the request has left, the socket's TTL is 1: the kernel's retransmissions of it
 * die at the first hop, so one try is one trigger for whatever sits on the path, and a
 * request that expires is not sent on for minutes. The closing RST goes with the full
 * TTL again, so the target drops a connection whose request it never saw. 0 on a local
 * error (message said). */
static int attempt(struct locate_state *st, struct locate_try *t, int ttl)
{
    const struct locate_options *o = st->o;
    int tcp = st->r->method != LOCATE_DNS_UDP;
    memset(t, 0, sizeof *t);
    t->rtt_ns = -1;
    t->forged_ttl = t->answer_ttl = -1;
    int fd = socket(st->af, (tcp ? SOCK_STREAM : SOCK_DGRAM) | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    struct sockaddr_storage me;
    socklen_t ml = sizeof me;
    memset(&me, 0, sizeof me);
    me.ss_family = (sa_family_t)st->af;
    if (fd < 0 || bind(fd, (struct sockaddr *)&me, st->target_len) != 0 ||
        getsockname(fd, (struct sockaddr *)&me, &ml) != 0) {
        fprintf(stderr, "secondsight: cannot open a socket: %s\n", strerror(errno));
        if (fd >= 0)
            close(fd);
        return 0;
    }
    t->sport = ntohs(st->af == AF_INET ? ((struct sockaddr_in *)&me)->sin_port
                                       : ((struct sockaddr_in6 *)&me)->sin6_port);
    struct attempt *a = &st->attempts[st->nattempts++];
    memset(a, 0, sizeof *a);
    a->t = t;
    st->cur = a;
    st->settle_at = 0;
    st->r->attempts++;
    int64_t deadline = mono_ns() + (int64_t)o->timeout_ms * 1000000;
    if (connect(fd, (struct sockaddr *)&st->target, st->target_len) != 0 && errno != EINPROGRESS) {
        close(fd);
        return 1; /* refused or unreachable: an attempt without an answer */
    }
    if (tcp) {
        while (mono_ns() < deadline) {
            struct pollfd p[2] = {{fd, POLLOUT, 0}, {st->pcap_fd, POLLIN, 0}};
            poll(p, 2, 20);
            pcap_dispatch(st->pcap, -1, on_frame, (u_char *)st);
            if (p[0].revents & (POLLOUT | POLLERR | POLLHUP))
                break;
        }
        int err = 0;
        socklen_t el = sizeof err;
        if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &el) != 0 || err ||
            getpeername(fd, (struct sockaddr *)&me, &ml) != 0) {
            close(fd);
            return 1;
        }
    }
    t->connected = 1;
    if (ttl && set_ttl(st, fd, ttl) != 0) {
        fprintf(stderr, "secondsight: cannot set the TTL: %s\n", strerror(errno));
        close(fd);
        return 0;
    }
    if (send(fd, st->request, st->request_len, MSG_NOSIGNAL) < 0) {
        close(fd);
        return 1;
    }
    st->cur_fd = fd;
    if (tcp && ttl && !st->settle_at)
        st->cur_ttl_low = set_ttl(st, fd, 1) == 0;
    capture_until(st, deadline, fd);
    st->cur_ttl_low = 0;
    if (tcp) {
        struct linger l = {1, 0};
        setsockopt(fd, SOL_SOCKET, SO_LINGER, &l, sizeof l);
        set_ttl(st, fd, -1); /* the system's default */
    }
    close(fd);
    st->cur = NULL;
    return 1;
}

/* The sweep goes no further once the target itself answered: every try at the TTL
 * came back without a time-exceeded, and one brought an answer. */
static int target_reached(const struct locate_hop *h)
{
    int answered = 0;
    for (unsigned i = 0; i < h->ntries; i++) {
        if (h->tries[i].has_router)
            return 0;
        answered |= h->tries[i].answered;
    }
    return answered;
}

/* ---- judging ---- */

static void collect(struct finding_sink *sink, const struct finding *f)
{
    struct locate_state *st = sink->ctx;
    if (st->nfindings < LOCATE_MAX_FINDINGS)
        st->findings[st->nfindings++] = *f;
    else
        st->findings_lost++;
}

/* A finding about an answer to one of our attempts: from the target's address and port,
 * to ours. */
static struct attempt *finding_attempt(struct locate_state *st, const struct finding *f)
{
    if (f->ip_version != st->r->ip_version || !same_ip(st, f->src_ip, st->r->target) ||
        !same_ip(st, f->dst_ip, st->local) || f->sport != st->r->port)
        return NULL;
    return attempt_by_port(st, f->dport);
}

/* Every attempt judged: forged when the detectors flagged one of its answers, or when
 * an answer came to a request a router said had died (nothing behind that router saw
 * it); reached when an answer not judged forged came without a time-exceeded. */
static void judge(struct locate_state *st)
{
    for (unsigned i = 0; i < st->nfindings; i++) {
        const struct finding *f = &st->findings[i];
        struct attempt *a = finding_attempt(st, f);
        if (!a)
            continue;
        a->t->flagged = 1;
        for (unsigned k = 0; k < f->nforged; k++)
            for (unsigned j = 0; j < a->nanswers; j++)
                if (FRAME_REF_FRAME(f->forged[k]) == a->answer_frame[j] && !a->t->forged_frame) {
                    a->t->forged_frame = a->answer_frame[j];
                    a->t->forged_ttl = a->answer_ttl[j];
                }
    }
    /* The target's own answers arrive with one TTL: the most common one among attempts
     * nobody forged. A forged answer the detectors could not single out is one with
     * another TTL (or the first, when all look alike). */
    unsigned seen[256] = {0}, target_ttl = 256, most = 0;
    for (unsigned i = 0; i < st->nattempts; i++) {
        const struct attempt *a = &st->attempts[i];
        if (!a->t->flagged && !a->t->has_router)
            for (unsigned j = 0; j < a->nanswers; j++)
                if (++seen[a->answer_ttl[j]] > most) {
                    most = seen[a->answer_ttl[j]];
                    target_ttl = a->answer_ttl[j];
                }
    }
    for (unsigned i = 0; i < st->nattempts; i++) {
        struct attempt *a = &st->attempts[i];
        struct locate_try *t = a->t;
        if (!t->answered)
            continue;
        if (t->has_router || t->flagged) {
            t->forged = 1;
            for (unsigned j = 0; j < a->nanswers && t->forged_ttl < 0; j++)
                if (a->answer_ttl[j] != target_ttl) {
                    t->forged_frame = a->answer_frame[j];
                    t->forged_ttl = a->answer_ttl[j];
                }
            if (t->forged_ttl < 0 && a->nanswers) {
                t->forged_frame = a->answer_frame[0];
                t->forged_ttl = a->answer_ttl[0];
            }
        }
        if (t->has_router)
            continue;
        for (unsigned j = 0; j < a->nanswers; j++)
            if (a->answer_frame[j] != t->forged_frame || !t->flagged)
                t->reached = 1;
    }
}

/* A finding the detectors made on a baseline attempt's flow: what analyze would report. */
static int baseline_finding(struct locate_state *st, const struct finding *f)
{
    if (f->ip_version != st->r->ip_version)
        return 0;
    const struct locate_hop *b = &st->r->baseline;
    uint16_t port = same_ip(st, f->src_ip, st->local) ? f->sport : f->dport;
    for (unsigned i = 0; i < b->ntries; i++)
        if (b->tries[i].sport == port)
            return 1;
    return 0;
}

/* The finding that names the hop. */
static void located_finding(struct locate_state *st, struct finding *f)
{
    const struct locate_result *r = st->r;
    const struct locate_place *pl = &r->place;
    const struct locate_hop *h = NULL;
    char router[46] = "", before[46] = "", after[46] = "", target[46];
    for (unsigned i = 0; i < r->nhops; i++)
        if (r->hops[i].ttl == pl->hop)
            h = &r->hops[i];
    memset(f, 0, sizeof *f);
    f->class_name = "tampering_located";
    f->confidence =
        pl->has_router && !pl->multipath && pl->forged_tries + pl->later_hops_forged >= 2
            ? CONF_HIGH
        : pl->multipath ? CONF_LOW
                        : CONF_MEDIUM;
    f->ts_ns = r->start_ns;
    f->ip_version = (uint8_t)r->ip_version;
    f->proto = r->method == LOCATE_DNS_UDP ? IPPROTO_NUM_UDP : IPPROTO_NUM_TCP;
    memcpy(f->src_ip, r->target, 16);
    memcpy(f->dst_ip, st->local, 16);
    f->sport = r->port;
    for (unsigned i = 0; h && i < h->ntries; i++) {
        const struct locate_try *t = &h->tries[i];
        if (!t->forged)
            continue;
        if (!f->dport)
            f->dport = t->sport;
        if (t->forged_frame)
            finding_add_frame(f, FRAME_REF(0, t->forged_frame), 1);
    }
    format_ip(target, r->ip_version, r->target);
    if (pl->has_router)
        format_ip(router, r->ip_version, pl->router);
    if (pl->has_before)
        format_ip(before, r->ip_version, pl->before);
    if (pl->has_after)
        format_ip(after, r->ip_version, pl->after);
    char where[200];
    if (pl->has_router)
        snprintf(where, sizeof where, "at hop %u (%s)", pl->hop, router);
    else
        snprintf(where, sizeof where, "at hop %u (a router that sends no time-exceeded)", pl->hop);
    snprintf(f->summary, sizeof f->summary,
             "A forged %s answer in the name of %s comes back once the request lives %u hop%s: the "
             "forger "
             "sits %s or on the link before it, after %s; forged in %u of %u tries there and "
             "at %u of %u later hops.",
             r->method == LOCATE_HTTP ? "HTTP" : "DNS", target, pl->hop, pl->hop == 1 ? "" : "s",
             where, pl->has_before ? before : "this host", pl->forged_tries, pl->tries,
             pl->later_hops_forged, pl->later_hops);
    finding_evidence_str(f, "method", locate_method_name(r->method));
    finding_evidence_int(f, "hop", pl->hop);
    finding_evidence_str(f, "router", router);
    finding_evidence_str(f, "router_before", before);
    finding_evidence_str(f, "router_after", after);
    finding_evidence_int(f, "forged_tries", pl->forged_tries);
    finding_evidence_int(f, "tries", pl->tries);
    finding_evidence_int(f, "later_hops", pl->later_hops);
    finding_evidence_int(f, "later_hops_forged", pl->later_hops_forged);
    finding_evidence_int(f, "forged_ttl", pl->forged_ttl);
    finding_evidence_int(f, "target_hops", pl->target_hops);
    finding_evidence_bool(f, "multipath", pl->multipath);
}

/* ---- the run ---- */

static void pause_ms(struct locate_state *st, unsigned ms)
{
    capture_until(st, mono_ns() + (int64_t)ms * 1000000, -1);
}

static int sweep(struct locate_state *st)
{
    const struct locate_options *o = st->o;
    struct locate_result *r = st->r;
    for (unsigned i = 0; i < o->tries; i++) {
        if (i)
            pause_ms(st, o->wait_ms);
        if (!attempt(st, &r->baseline.tries[r->baseline.ntries++], 0))
            return 0;
    }
    int answered = 0;
    for (unsigned i = 0; i < r->baseline.ntries; i++)
        answered |= r->baseline.tries[i].answered;
    if (!answered) {
        char ip[46];
        format_ip(ip, r->ip_version, r->target);
        fprintf(stderr,
                "secondsight: %s port %u did not answer the baseline request in %u "
                "tries: nothing to compare the TTL-limited ones with\n",
                ip, r->port, o->tries);
        return 0;
    }
    for (unsigned ttl = 1; ttl <= o->max_ttl; ttl++) {
        struct locate_hop *h = &r->hops[r->nhops++];
        h->ttl = (uint8_t)ttl;
        for (unsigned i = 0; i < o->tries; i++) {
            pause_ms(st, o->wait_ms);
            if (!attempt(st, &h->tries[h->ntries++], (int)ttl))
                return 0;
        }
        if (target_reached(h))
            break;
    }
    pause_ms(st, LOCATE_SETTLE_MS); /* late copies of the last attempt */
    return 1;
}

static int report(struct locate_state *st)
{
    const struct locate_options *o = st->o;
    struct locate_result *r = st->r;
    struct run_stats rs;
    memset(&rs, 0, sizeof rs);
    st->fs.path = o->write ? o->write : r->interface;
    rs.files = &st->fs;
    rs.nfiles = 1;
    struct output out;
    output_init(&out, o->out, o->format, o->color, o->sensor, &rs);
    int ok = 1;
    unsigned found = 0;
    for (unsigned i = 0; i < st->nfindings; i++)
        if (baseline_finding(st, &st->findings[i])) {
            ok &= output_finding(&out, &st->findings[i]);
            found++;
        }
    r->baseline_findings = found;
    if (st->findings_lost)
        fprintf(stderr, "secondsight: %llu findings beyond the first %u were not judged\n",
                (unsigned long long)st->findings_lost, LOCATE_MAX_FINDINGS);
    if (r->place.located) {
        struct finding f;
        located_finding(st, &f);
        ok &= output_finding(&out, &f);
        found++;
    }
    ok &= output_locate(&out, r);
    output_release(&out);
    if (!ok) {
        fprintf(stderr, "secondsight: cannot write %s: %s\n", o->out_name, strerror(errno));
        return EXIT_TROUBLE;
    }
    return found ? EXIT_FINDINGS : EXIT_CLEAN;
}

int locate_run(const struct locate_options *o)
{
    struct locate_state st;
    struct locate_result *r = calloc(1, sizeof *r);
    char iface[64];
    memset(&st, 0, sizeof st);
    st.o = o;
    st.r = r;
    int status = EXIT_TROUBLE;
    if (!r)
        return EXIT_TROUBLE;
    if (!locate_setup(&st, r, o) || !locate_find_route(&st, iface, sizeof iface))
        goto out;
    r->interface = iface;
    if (o->dry_run) {
        locate_dry_run(&st, iface);
        status = fflush(stdout) == 0 ? EXIT_CLEAN : EXIT_TROUBLE;
        goto out;
    }
    if (!locate_drop_privileges(r) || !locate_open_capture(&st, iface))
        goto out;
    if (o->write && !(st.dump = pcap_dump_open(st.pcap, o->write))) {
        fprintf(stderr, "secondsight: cannot write %s: %s\n", o->write, pcap_geterr(st.pcap));
        goto out;
    }
    struct pipeline_config pc = {0, {1024, 16u << 20, TCP_WINDOW_DEFAULT, TCP_GRACE_DEFAULT, 0}};
    st.sink.emit = collect;
    st.sink.ctx = &st;
    st.cap_attempts = (1 + o->max_ttl) * o->tries;
    st.attempts = calloc(st.cap_attempts, sizeof *st.attempts);
    st.findings = calloc(LOCATE_MAX_FINDINGS, sizeof *st.findings);
    if (!st.attempts || !st.findings || !pipeline_init(&st.pl, &pc, &st.sink)) {
        fprintf(stderr, "secondsight: out of memory\n");
        goto out;
    }
    struct timespec now;
    clock_gettime(CLOCK_REALTIME, &now);
    r->start_ns = (int64_t)now.tv_sec * 1000000000 + now.tv_nsec;
    if (sweep(&st)) {
        pipeline_finish(&st.pl);
        judge(&st);
        locate_place(r->hops, r->nhops, r->ip_version, r->target, &r->place);
        status = report(&st);
    }
out:
    if (st.pl.flows)
        pipeline_release(&st.pl);
    if (st.dump)
        pcap_dump_close(st.dump);
    if (st.pcap)
        pcap_close(st.pcap);
    free(st.attempts);
    free(st.findings);
    free(r);
    return status;
}
