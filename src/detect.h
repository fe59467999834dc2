/* secondsight - the detector interface and registry. A detector reads const views of a
 * packet, its flow and what the flow layer learnt, and returns findings through a sink;
 * it never prints and never changes flow state. One detector per detect-*.c file. */
#ifndef SS_DETECT_H
#define SS_DETECT_H

#include "finding.h"
#include "flow-frag.h"
#include "flow.h"
#include "stats.h"

struct detect_ctx {
    const struct packet *pkt;
    const struct flow *flow;        /* NULL for untracked packets */
    int dir;                        /* pkt's direction within flow */
    const struct tcp_seg_info *seg; /* TCP only, else NULL */
    const struct frag_info *frag;   /* IP fragments only, else NULL */
    /* The pipeline's decode-event counters, for what a detector decodes itself (a DNS
     * message): a message it cannot read is counted there, never dropped silently.
     * NULL: not counted. */
    struct decode_stats *decode;
};

/* Counts a decode event of a detector's own decoding in ctx->decode. */
static inline void detect_count_event(const struct detect_ctx *ctx, enum decode_event ev)
{
    if (ctx->decode)
        ctx->decode->events[ev]++;
}

/* Which packets a detector's on_packet must see; the pipeline skips the rest (one test
 * per packet, not a call). */
enum detect_wants {
    DETECT_ALL,  /* every packet */
    DETECT_SEG,  /* TCP segments of a tracked flow (ctx->seg). On any other packet
                  * on_packet only releases what its one struct hold has due (detect-hold.h,
                  * counted in the detector's stats row), so the packet is skipped while
                  * that hold is empty: detector_holding() == 0 */
    DETECT_FRAG, /* IP fragments (ctx->frag); on any other packet on_packet does nothing */
};

/* Items a detector's holds have now, from its stats row: held, less what left them. */
static inline uint64_t detector_holding(const struct detector_stats *s)
{
    return s->held - s->released - s->cancelled;
}

struct detector {
    const char *name;
    int test_only;           /* enabled only by --test-detector */
    enum detect_wants wants; /* DETECT_ALL unless it says otherwise */
    /* Each callback may be NULL. `state` belongs to the detector; `stats` is its row of
     * the stats record (detect-hold.h and detect-recent.h count into it). */
    int (*init)(void **state, struct detector_stats *stats);
    void (*on_packet)(void *state, const struct detect_ctx *ctx, struct finding_sink *sink);
    void (*finish)(void *state, struct finding_sink *sink); /* end of input */
    /* Packet time has reached `now_ns` without a packet (live capture on a quiet link):
     * report what a packet of that time would have released. Findings held until a
     * deadline are released by time, not by the next packet. */
    void (*advance)(void *state, int64_t now_ns, struct finding_sink *sink);
    void (*free)(void *state);
};

/* The registry: every detector the build has, in the order they run. */
extern const struct detector *const detectors[];
extern const unsigned detector_count;

/* Detectors, one per file. */
extern const struct detector detector_test_marker;
extern const struct detector detector_tcp_injection;
extern const struct detector detector_handshake_hijack;
extern const struct detector detector_tcp_reset;
extern const struct detector detector_dns_injection;
extern const struct detector detector_fragment_injection;

#endif
