/* secondsight - one pipeline: decode -> fragments -> flow -> detectors -> a finding
 * sink. One instance is one partition of the traffic; it knows nothing of threads,
 * files or output formats. Drivers (run-files.c, run-live.c) feed it frames; shards.c
 * runs several. */
#ifndef SS_PIPELINE_H
#define SS_PIPELINE_H

#include "config.h"
#include "decode.h"
#include "detect.h"
#include "finding.h"
#include "flow-frag.h"
#include "flow.h"
#include "stats.h"

struct pipeline_config {
    int test_detectors; /* also run test-only detectors */
    struct flow_config flow;
};

/* Where a pipeline hands things on; each callback may be NULL. */
struct pipeline_hooks {
    /* Every frame as read and decoded, before fragments and flows (evidence keeps them). */
    void (*tap)(void *ctx, const struct packet *pkt);
    /* A decoded TCP/UDP packet (or completed datagram) that belongs to another
     * partition's pipeline; returns 1 when it was taken there. */
    int (*divert)(void *ctx, const struct packet *pkt);
    void *tap_ctx, *divert_ctx;
};

struct pipeline {
    struct flow_table *flows;
    struct frag_table *frags;
    struct run_stats stats; /* the packet counters of what this pipeline decoded */
    struct finding_sink *sink;
    struct pipeline_hooks hooks;
    uint64_t seq; /* frames fed so far, the current one included */
    /* --shard K/N, set by the driver: only shard K's frames are judged (count 0: all) */
    uint32_t shard_index, shard_count;
    void *state[PIPELINE_MAX_DETECTORS];
    int enabled[PIPELINE_MAX_DETECTORS];
    /* The enabled detectors' packet callbacks in registry order, what each wants and
     * its stats row: the per-packet loop reads only these. */
    struct pipeline_hook {
        void (*on_packet)(void *state, const struct detect_ctx *ctx, struct finding_sink *sink);
        void *state;
        const struct detector_stats *stats;
        int wants; /* enum detect_wants */
    } hook[PIPELINE_MAX_DETECTORS];
    unsigned nhooks;
};

/* Sets up the flow and fragment tables and the enabled detectors; findings go to sink.
 * 0 when out of memory (pipeline_release then frees what was made). */
int pipeline_init(struct pipeline *p, const struct pipeline_config *c, struct finding_sink *sink);
void pipeline_release(struct pipeline *p);

/* The one partition rule, for offline shards (--threads), --shard K/N and the live
 * fanout's kernel program (capture-fanout.c, which computes the same from the frame):
 * a partition with its own flows and detector states must see both directions of a
 * flow, every fragment of a datagram and the traffic a detector judges together. So
 * the key is the host pair -- the sum of the 32-bit words (big-endian) of the two IP
 * addresses, whichever way round, mixed (a ^= a >> 16; a *= HOST_PAIR_MIX;
 * a ^= a >> 16) -- except DNS, whose answers are judged against the resolver's answers
 * to every client: a TCP or UDP packet with port 53 on one side only is keyed by that
 * side's address alone, mixed the same way. Only where the kernel finds the ports at a
 * fixed place (ports_in_place: not a fragment, no IPv6 extension header); a fragment
 * goes by its host pair. 0 for a frame that is not IP. A fixed key, so the partition,
 * and the order of findings, is the same every run. Worker i of n, --shard i/n and
 * shard i of --threads n take the same packets. */
#define HOST_PAIR_MIX 0x45d9f3bu
uint32_t pipeline_partition(const struct packet *pkt);
/* The same rule over the fields themselves (`ports`: the ports are in place). */
uint32_t pipeline_partition_of(int ip_version, const uint8_t *src, const uint8_t *dst, int ports,
                               uint16_t sport, uint16_t dport);
/* pipeline_partition of a frame not yet decoded (only its capture fields set), read
 * from its link, IP and TCP/UDP headers alone: 1 with *key set when decode_packet
 * would certainly make it a trackable packet with its ports in place (and so with
 * this key), 0 when only decoding can tell -- a fragment, a packet that is not TCP or
 * UDP, IPv6 extension headers, VLAN tags, anything short or odd. For the reader of
 * --threads, which hands such frames over undecoded (pipeline-peek.c). */
int pipeline_peek_partition(const struct packet *pkt, uint32_t *key);
/* The TCP and UDP packets a flow table tracks (and a partition owns). */
int pipeline_trackable(const struct packet *pkt);

/* A frame as read: decoded, counted, tapped, reassembled when a fragment, then tracked
 * and judged (or diverted). */
void pipeline_frame(struct pipeline *p, struct packet *pkt);
/* What every frame read does first, decoded here or not: the clock and the frame
 * count that keys findings. */
static inline void pipeline_frame_begin(struct pipeline *p, const struct packet *pkt)
{
    p->stats.last_ts = pkt->ts_ns;
    p->seq++;
}
/* Whether the detector of hook h must see the packet of ctx (enum detect_wants). */
static inline int pipeline_wants(const struct pipeline_hook *h, const struct detect_ctx *ctx)
{
    switch (h->wants) {
    case DETECT_SEG:
        return ctx->seg || detector_holding(h->stats);
    case DETECT_FRAG:
        return ctx->frag != NULL;
    default:
        return 1;
    }
}
/* Flow tracking and detection for one decoded packet (a fragment carries `frag`). */
void pipeline_packet(struct pipeline *p, const struct packet *pkt, const struct frag_info *frag);
/* No frame for a while (live capture): packet time has reached now_ns, and the
 * detectors report what they held until then. Time before the last frame's changes
 * nothing (that frame released what was due). */
void pipeline_advance(struct pipeline *p, int64_t now_ns);
/* End of input: the detectors report what they held back. */
void pipeline_finish(struct pipeline *p);

#endif
