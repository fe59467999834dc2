/* secondsight - the run's counters and their sums: per source, per capture interface,
 * per diff, and the packet counters a pipeline keeps. Owned by no layer: the pipeline
 * and the drivers fill them, outputs read them. */
#ifndef SS_STATS_H
#define SS_STATS_H

#include <stdint.h>

#include "config.h"
#include "decode.h"
#include "flow-frag.h"
#include "flow.h"

#define FILE_OTHER_LINKTYPES 3 /* pcapng: further link types named in the stats */

struct file_stats {
    const char *path;
    int linktype; /* the (first) interface's; -1 when the file could not be opened */
    int other_linktypes[FILE_OTHER_LINKTYPES]; /* pcapng: its other interfaces' ones */
    unsigned nother_linktypes;
    int skipped_linktype; /* the link type of the last packet skipped */
    uint64_t packets, bytes, skipped, findings;
    int64_t first_ts, last_ts;
    int failed;            /* could not be opened, or damaged part-way */
    uint64_t error_offset; /* byte offset of the damage (when failed after opening) */
    char error[256];
};

/* Kernel and interface counters of a live capture (pcap_stats). */
struct capture_stats {
    const char *interface;
    uint64_t received, dropped, if_dropped;
    uint32_t nworkers; /* fanout: the handles the interface was shared out to */
    uint64_t worker_received[CAPTURE_MAX_WORKERS];
};

/* --evidence: what the evidence writer wrote and what it could not. */
struct evidence_stats {
    uint64_t files;   /* evidence pcaps written */
    uint64_t packets; /* packets in them */
    uint64_t skipped; /* findings without evidence: the file cap, or a write error */
    uint64_t cut;     /* evidence pcaps whose flow had packets no longer held */
};

/* diff: what became of the packets on either side of the device. [2] arrays count per
 * direction (DIFF_OUTBOUND: inside to outside, DIFF_INBOUND) or per capture side
 * (DIFF_INSIDE, DIFF_OUTSIDE), as each comment says. */
enum { DIFF_OUTBOUND = 0, DIFF_INBOUND = 1 };
enum { DIFF_INSIDE = 0, DIFF_OUTSIDE = 1 };

struct diff_stats {
    const char *nat;         /* "auto" or "none" */
    int clock_auto;          /* the offset was estimated (--clock-skew auto) */
    int64_t clock_offset_ns; /* outside clock minus inside clock, at the start */
    int64_t clock_drift_ppb; /* how that offset moved over the run */
    uint64_t clock_samples;  /* packet pairs the estimate rests on */
    int clock_weak;          /* too few samples, or too spread, to trust the estimate */
    int64_t window_ns;
    uint64_t forwarded[2]; /* per direction: matched, nothing but allowed rewrites */
    uint64_t modified[2], injected[2], dropped[2];
    uint64_t rewrite_ttl, rewrite_nat, rewrite_mss, rewrite_seq, rewrite_tos;
    uint64_t rewrite_ts, rewrite_ipid; /* TCP timestamps modulated, IPv4 IDs rewritten */
    uint64_t local[2];           /* per side: the device's own, link-local or non-IP traffic */
    uint64_t not_via_device[2];  /* per side: between other hosts, never to or from the device */
    uint64_t unattributed[2];    /* per side: on that side only, no way to tell who sent it */
    uint64_t capture_gaps[2];    /* per side that missed a packet the receiver acknowledged */
    uint64_t not_covered[2];     /* per side: lone, but outside the other capture's time span */
    uint64_t pmtud[2];           /* per side: not forwarded, explained by the device's ICMP
                                  * "fragmentation needed" / "packet too big" */
    uint64_t reassembled[2];     /* per side: datagrams reassembled from fragments */
    uint64_t resegmented[2];     /* per side: lone TCP segments whose bytes crossed the device
                                  * cut otherwise (changed ones: reported on the other side) */
    uint64_t ranges_overwritten; /* kept segment bytes written over before compared */
    uint64_t capture_drops[2];   /* per side: what the capture file says it lost (pcapng) */
    int capture_drops_known[2];
    uint64_t uncertain; /* of modified + injected + dropped: medium confidence, maybe
                         * capture loss rather than the device */
    uint64_t convs, convs_tampered, convs_evicted;
    uint64_t pending_peak, pending_evicted;
};

/* What a detector's toolkit (detect-hold.h, detect-recent.h) did with its tables: the
 * `detectors` object of a stats record. */
struct detector_stats {
    const char *name;   /* the detector's; NULL when it is not enabled */
    uint64_t held;      /* items held back (a finding waiting for its twin) */
    uint64_t released;  /* held items reported: due, ready, or at the end */
    uint64_t cancelled; /* held items a later packet explained (or made a race) */
    uint64_t dropped;   /* items not kept because their list was full: a hold, a DNS
                         * transaction's answers */
    uint64_t repeats;   /* events the recent ring already knew: not reported again */
    uint64_t forgotten; /* recent events overwritten at the ring's cap */
    uint64_t evicted;   /* live entries of a direct-mapped table (teardowns, DNS
                         * transactions, pending replies, resolvers) that another
                         * took the slot of */
};

/* What one stats record reports. A pipeline fills the packet counters of its own copy;
 * the driver adds the sources, the findings and, for a record, the sums. */
struct run_stats {
    uint64_t packets, bytes; /* every frame read, skipped ones included */
    uint64_t skipped;        /* frames of link types this build does not decode */
    uint64_t ipv4, ipv6, tcp, udp, icmp, other_proto, not_ip, fragments;
    uint64_t untracked; /* TCP/UDP packets the flow table could not take */
    uint64_t findings;
    uint64_t shard_skipped;            /* --shard: frames of other shards' host pairs */
    uint32_t shard_index, shard_count; /* --shard K/N; count 0 without */
    int64_t last_ts;
    int64_t wall_ns; /* live: the wall clock when the record was made; else 0 */
    struct decode_stats decode;
    const struct flow_stats *flows;
    uint64_t flows_active;
    uint64_t flow_memory;
    const struct evidence_stats *evidence; /* NULL without --evidence */
    const struct frag_stats *frags;
    uint64_t frag_memory;
    uint64_t frag_pending; /* datagrams still incomplete at the end */
    uint32_t nfiles;
    struct file_stats *files;
    const struct capture_stats *capture; /* live capture only */
    uint32_t ncapture;
    const struct diff_stats *diff;                           /* diff only */
    struct detector_stats detectors[PIPELINE_MAX_DETECTORS]; /* registry order */
};

/* Counts a decoded frame in the protocol and decode-event counters. */
void run_stats_count(struct run_stats *s, const struct packet *pkt);
/* Adds the packet counters of x (protocols, decode events, fragments, the later
 * last_ts) into sum; the flow, source and output figures are left alone. */
void run_stats_add_packets(struct run_stats *sum, const struct run_stats *x);
/* Sets the packet counters of dst to those of src. */
void run_stats_copy_packets(struct run_stats *dst, const struct run_stats *src);
/* Adds x's detector counters into sum's (names taken from x where sum has none). */
void run_stats_add_detectors(struct run_stats *sum, const struct run_stats *x);
/* Sums of several shards' counters. Peaks add up to a bound on the whole. */
void flow_stats_add(struct flow_stats *sum, const struct flow_stats *x);
void frag_stats_add(struct frag_stats *sum, const struct frag_stats *x);
void evidence_stats_add(struct evidence_stats *sum, const struct evidence_stats *x);
/* packets, bytes and skipped of the whole run: the sum over its sources. */
void run_stats_total_sources(struct run_stats *s);

#endif
