/* secondsight - a TCP direction's header baseline: filling the one header sample
 * (struct fp_sample, flow.h), and learning, un-learning and judging samples against
 * the baseline. The
 * flow layer learns (flow_tcp_learn); detectors un-learn copies and judge. Pure
 * functions over the state they are given. */
#ifndef SS_FLOW_BASELINE_H
#define SS_FLOW_BASELINE_H

#include "flow.h"

/* Fields that broke, each with a weight (see docs/detectors.md). */
enum fp_tell {
    TELL_TTL = 1 << 0,          /* TTL no other packet of the direction had */
    TELL_TTL_FAR = 1 << 1,      /* ... and far off: another initial TTL or 5+ hops */
    TELL_DF = 1 << 2,           /* DF unlike every other packet */
    TELL_NO_TS = 1 << 3,        /* no TCP timestamp although both sides negotiated them */
    TELL_TS_BACK = 1 << 4,      /* timestamp far behind the direction's clock */
    TELL_WINDOW = 1 << 5,       /* window far outside the direction's range */
    TELL_MIRROR = 1 << 6,       /* IP-ID and window copied from the peer's packet */
    TELL_RESERVED = 1 << 7,     /* TCP reserved bits set, never by this sender before */
    TELL_TTL_EXPIRING = 1 << 8, /* TTL so low it dies a few hops past the sensor: a decoy
                                 * the sensor sees and the receiver may not */
};

struct fp_verdict {
    unsigned tells; /* enum fp_tell */
    int score;
    int distinct; /* independent fields among the tells */
};

/* Learns a sample into its direction's baseline (RSTs teach nothing). */
void baseline_learn(struct tcp_baseline *b, const struct fp_sample *s);

/* A copy of the baseline with one earlier sample's contribution taken out, so the two
 * copies of a race are both judged against the packets that are neither. */
void baseline_unlearn(struct tcp_baseline *b, const struct fp_sample *s);

/* Judges sample `s` sent in direction `d` (peer `o`) against baseline `b`. */
void baseline_judge(const struct tcp_baseline *b, const struct tcp_dir *d, const struct tcp_dir *o,
                    const struct fp_sample *s, struct fp_verdict *v);

/* Whether the direction must send TCP timestamps: both handshake packets carried them
 * (RFC 7323), or, without a handshake, it always did. */
int baseline_ts_negotiated(const struct tcp_baseline *b, const struct tcp_dir *d,
                           const struct tcp_dir *o);

/* The one fill of a sample: from a decoded TCP packet. */
void fp_from_packet(struct fp_sample *s, const struct packet *pkt);
/* A logged segment's sample, its sequence number re-derived from its stream position
 * (`seq`), as the direction's current mapping places it. */
void fp_from_segment(struct fp_sample *s, const struct tcp_segment *seg, uint32_t seq);

/* Hops from the capture point, from the TTL and the nearest initial TTL at or above
 * it (32, 64, 128, 255). */
int ttl_hops(uint8_t ttl);

#endif
