/* secondsight - run statistics and the two ways of writing results: JSON lines for
 * machines and a short text report for people. Only this layer knows either format. */
#ifndef SS_OUTPUT_H
#define SS_OUTPUT_H

#include <stdio.h>

#include "decode.h"
#include "finding.h"
#include "flow-frag.h"
#include "output-evidence.h"
#include "flow.h"
#include "util-json.h"

struct file_stats {
    const char *path;
    int linktype;             /* -1 when the file could not be opened */
    uint64_t packets, bytes, skipped, findings;
    int64_t first_ts, last_ts;
    int failed;               /* could not be opened, or damaged part-way */
    uint64_t error_offset;    /* byte offset of the damage (when failed after opening) */
    char error[256];
};

#define CAPTURE_MAX_WORKERS 64 /* the most --threads allows */

/* Kernel and interface counters of a live capture (pcap_stats). */
struct capture_stats {
    const char *interface;
    uint64_t received, dropped, if_dropped;
    uint32_t nworkers;        /* fanout: the handles the interface was shared out to */
    uint64_t worker_received[CAPTURE_MAX_WORKERS];
};

/* diff: what became of the packets on either side of the device. [2] arrays count per
 * direction (DIFF_OUTBOUND: inside to outside, DIFF_INBOUND) or per capture side
 * (DIFF_INSIDE, DIFF_OUTSIDE), as each comment says. */
enum { DIFF_OUTBOUND = 0, DIFF_INBOUND = 1 };
enum { DIFF_INSIDE = 0, DIFF_OUTSIDE = 1 };

struct diff_stats {
    const char *nat;          /* "auto" or "none" */
    int clock_auto;           /* the offset was estimated (--clock-skew auto) */
    int64_t clock_offset_ns;  /* outside clock minus inside clock, at the start */
    int64_t clock_drift_ppb;  /* how that offset moved over the run */
    uint64_t clock_samples;   /* packet pairs the estimate rests on */
    int64_t window_ns;
    uint64_t forwarded[2];    /* per direction: matched, nothing but allowed rewrites */
    uint64_t modified[2], injected[2], dropped[2];
    uint64_t rewrite_ttl, rewrite_nat, rewrite_mss, rewrite_seq, rewrite_tos;
    uint64_t local[2];        /* per side: the device's own, link-local or non-IP traffic */
    uint64_t not_via_device[2]; /* per side: between other hosts, never to or from the device */
    uint64_t unattributed[2]; /* per side: on that side only, no way to tell who sent it */
    uint64_t capture_gaps[2]; /* per side that missed a packet the receiver acknowledged */
    uint64_t capture_drops[2]; /* per side: what the capture file says it lost (pcapng) */
    int capture_drops_known[2];
    uint64_t uncertain;       /* of modified + injected + dropped: medium confidence, maybe
                               * capture loss rather than the device */
    uint64_t convs, convs_tampered, convs_evicted;
    uint64_t pending_peak, pending_evicted;
};

/* diff: one conversation across the device with something not forwarded cleanly. */
struct device_flow {
    int64_t first_ns, last_ns;
    uint8_t ip_version, proto;
    uint8_t src_ip[16], dst_ip[16];   /* inside addresses, from the first sender */
    uint16_t sport, dport;
    int has_outside;
    uint8_t out_src_ip[16], out_dst_ip[16]; /* the same conversation outside */
    uint16_t out_sport, out_dport;
    uint64_t forwarded[2], modified[2], injected[2], dropped[2]; /* per direction */
};

struct run_stats {
    uint64_t packets, bytes;  /* every frame read, skipped ones included */
    uint64_t skipped;         /* frames of link types this build does not decode */
    uint64_t ipv4, ipv6, tcp, udp, icmp, other_proto, not_ip, fragments;
    uint64_t untracked;       /* TCP/UDP packets the flow table could not take */
    uint64_t findings;
    int64_t last_ts;
    struct decode_stats decode;
    const struct flow_stats *flows;
    uint64_t flows_active;
    uint64_t flow_memory;
    const struct evidence_stats *evidence; /* NULL without --evidence */
    const struct frag_stats *frags;
    uint64_t frag_memory;
    uint64_t frag_pending;    /* datagrams still incomplete at the end */
    uint32_t nfiles;
    struct file_stats *files;
    const struct capture_stats *capture; /* live capture only */
    uint32_t ncapture;
    const struct diff_stats *diff; /* diff only */
};

struct output {
    FILE *fp;
    int json;
    int color;                /* ANSI colour in text mode (terminal, NO_COLOR unset) */
    struct jw jw;
    const struct run_stats *stats; /* for file names */
};

/* Formats packet time as ISO 8601 UTC with microseconds into buf[32]. */
void format_timestamp(char buf[32], int64_t ts_ns);
/* Formats an IPv4 or IPv6 address into buf[46]. */
void format_ip(char buf[46], int ip_version, const uint8_t *addr);
const char *proto_name(uint8_t proto);
void format_tcp_flags(char buf[12], uint8_t flags);
/* "tampered" (something modified, injected or dropped), "inconclusive" (nothing crossed
 * the device, or packets that could not be judged) or "clean". */
const char *diff_verdict(const struct diff_stats *d);
const char *linktype_name(int linktype);

void output_init(struct output *o, FILE *fp, int json, int color, const struct run_stats *stats);
void output_release(struct output *o);
/* Returns 0 when the write failed (disk full, closed pipe). */
int output_finding(struct output *o, const struct finding *f);
int output_stats(struct output *o, const struct run_stats *s);
int output_device_flow(struct output *o, const struct device_flow *d);

/* JSON serialisation, shared by the writer above and the tests. */
void json_finding(struct jw *w, const struct finding *f, const struct run_stats *s);
void json_stats(struct jw *w, const struct run_stats *s);
void json_device_flow(struct jw *w, const struct device_flow *d);

/* Text forms. */
void text_finding(FILE *fp, int color, const struct finding *f, const struct run_stats *s);
void text_stats(FILE *fp, int color, const struct run_stats *s);
void text_device_flow(FILE *fp, int color, const struct device_flow *d);

#endif
