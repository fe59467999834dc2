/* secondsight - `locate`: what TTL-limited probing found, and where it places the forger.
 * Plain data that the driver (run-locate.c) fills and the outputs write; the placement
 * rule (locate_place) is here, apart from any socket, so that it can be tested alone. */
#ifndef SS_LOCATE_H
#define SS_LOCATE_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "config.h"

enum locate_method { LOCATE_HTTP, LOCATE_DNS_UDP, LOCATE_DNS_TCP };

/* One attempt: the request sent once, its IP TTL limited (or not, in the baseline). */
struct locate_try {
    uint16_t sport;     /* our port: the attempt's flow */
    uint8_t connected;  /* TCP: the handshake completed (UDP: always) */
    uint8_t sent;       /* the request left (seen in the capture) */
    uint8_t has_router; /* an ICMP time-exceeded named the router where it died */
    uint8_t router[16];
    int64_t rtt_ns;        /* request to time-exceeded, else to the first answer; -1 */
    uint8_t answered;      /* an answer to the request came back */
    uint8_t flagged;       /* the detectors judged an answer of this attempt forged */
    uint8_t forged;        /* answered, and the answer is forged (flagged, or the
                            * request provably died on the way: time-exceeded) */
    uint8_t reached;       /* an answer not judged forged came, and no router said
                            * the request died: the target itself answered */
    int16_t forged_ttl;    /* the forged answer's own IP TTL as received, -1 */
    int16_t answer_ttl;    /* the first answer's IP TTL as received, -1 */
    uint64_t forged_frame; /* its frame in the capture, 0 */
};

/* One TTL's attempts (ttl 0: the baseline, sent with the system's TTL). */
struct locate_hop {
    uint8_t ttl;
    uint8_t ntries;
    struct locate_try tries[LOCATE_TRIES_MAX];
};

/* Where the forger sits: the first TTL whose request drew a forged answer. */
struct locate_place {
    int located;
    unsigned hop; /* that TTL */
    int has_router, has_before, has_after;
    uint8_t router[16]; /* the router answering at that hop (time-exceeded) */
    uint8_t before[16]; /* the nearest responding router before it */
    uint8_t after[16];  /* the nearest responding router after it (or the target) */
    unsigned before_hop, after_hop;
    unsigned forged_tries, tries;           /* at the hop */
    unsigned later_hops, later_hops_forged; /* hops after it, and those forged in a try */
    int forged_ttl;                         /* the forged answer's TTL at that hop, -1 */
    int multipath;   /* some hop named more than one router: a load-balanced path */
    int target_hops; /* the TTL at which the target itself answered, -1 */
};

/* Places the forger from hops[0..n) (TTL 1 upward, in order; the baseline not among
 * them); `target` is the target's address, the router after the last hop when the
 * target answered there. */
void locate_place(const struct locate_hop *hops, unsigned n, int ip_version,
                  const uint8_t target[16], struct locate_place *out);

/* The router most tries at one hop named; 0 when none did. *several when the tries
 * named more than one. */
int locate_hop_router(const struct locate_hop *h, uint8_t out[16], int *several);

/* Everything one `locate` run found, for the outputs. */
struct locate_result {
    enum locate_method method;
    int ip_version;
    uint8_t target[16];
    uint16_t port;
    const char *url;   /* --url, or NULL */
    const char *qname; /* --dns NAME, or NULL */
    const char *interface;
    int64_t start_ns;
    unsigned max_ttl, tries, wait_ms, timeout_ms;
    char cap_eff[17]; /* /proc/self/status CapEff after dropping privileges */
    int no_new_privs;
    struct locate_hop baseline;
    unsigned baseline_findings; /* findings the detectors made on the baseline */
    struct locate_hop hops[LOCATE_TTL_MAX];
    unsigned nhops;
    unsigned attempts; /* requests sent in all */
    struct locate_place place;
};

const char *locate_method_name(enum locate_method m);
/* One sentence: where the forger sits, or "no injection observed in N tries". */
const char *locate_summary(const struct locate_result *r, char *buf, size_t size);

struct output_format;

/* What the command line asked of `locate` (main.c fills it; run-locate.c runs it). */
struct locate_options {
    enum locate_method method;
    const char *url;    /* --url http://HOST[:PORT]/PATH */
    const char *qname;  /* --dns NAME */
    const char *server; /* --server ADDR[:PORT] */
    const char *host;   /* --host: the Host header (default: the URL's HOST) */
    const char *iface;  /* -i: the outgoing interface (default: the route's) */
    const char *write;  /* -w FILE: the captured packets as a pcap */
    unsigned max_ttl, tries, wait_ms, timeout_ms;
    int dry_run;
    const struct output_format *format; /* NULL: text */
    const char *sensor;                 /* --sensor-name */
    int color;
    FILE *out;
    const char *out_name;
};

#endif
