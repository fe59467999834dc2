/* secondsight - `locate`'s state, shared by its two halves: locate-setup.c gets ready
 * (the target and the request from the options, the route, the privileges kept, the
 * capture handle, --dry-run's account) and run-locate.c runs (attempts, the capture
 * loop through the pipeline, judging, the report). Only those two files include it. */
#ifndef SS_LOCATE_SETUP_H
#define SS_LOCATE_SETUP_H

#include <pcap/pcap.h>
#include <stddef.h>
#include <sys/socket.h>

#include "capture.h"
#include "finding.h"
#include "locate.h"
#include "pipeline.h"

/* One attempt's answers, to tell forged from genuine once the detectors have spoken. */
struct attempt {
    struct locate_try *t;
    int64_t sent_ns;   /* the request as captured */
    int64_t resent_ns; /* its first retransmission (TTL 1), 0 */
    unsigned nanswers;
    uint64_t answer_frame[LOCATE_ANSWERS];
    uint8_t answer_ttl[LOCATE_ANSWERS];
};

struct locate_state {
    const struct locate_options *o;
    struct locate_result *r;
    int af;
    struct sockaddr_storage target;
    socklen_t target_len;
    uint8_t local[16];
    char host[256];
    const char *path;
    uint8_t request[1024];
    size_t request_len;
    pcap_t *pcap;
    pcap_dumper_t *dump;
    int pcap_fd;
    struct file_stats fs;
    struct pipeline pl;
    struct finding_sink sink;
    struct finding *findings;
    unsigned nfindings;
    uint64_t findings_lost;
    struct attempt *attempts; /* every attempt of the run, by its port */
    unsigned nattempts, cap_attempts;
    struct attempt *cur;
    int cur_fd;        /* its socket, -1 */
    int cur_ttl_low;   /* its TTL is 1 now (TCP, after the request left) */
    int64_t settle_at; /* monotonic ns: an answer or time-exceeded came; stop soon */
};

/* The result's settings from the options, the target address and the request built:
 * 0 (said on stderr) when an option is unusable. */
int locate_setup(struct locate_state *st, struct locate_result *r, const struct locate_options *o);

/* The address this host sends to the target from (st->local, r->local), and the
 * interface holding it (in iface). 0 when there is no route. */
int locate_find_route(struct locate_state *st, char *iface, size_t iface_len);

/* Keeps CAP_NET_RAW and drops every other capability; 0 when it cannot capture. */
int locate_drop_privileges(struct locate_result *r);

/* libpcap on `iface`, filtered to the target and time-exceeded, non-blocking. */
int locate_open_capture(struct locate_state *st, const char *iface);

/* What the run would send, on stdout (--dry-run). */
void locate_dry_run(const struct locate_state *st, const char *iface);

#endif
