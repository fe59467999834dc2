/* secondsight - bidirectional flow table with per-direction TCP state.
 * The table owns flows; a flow owns its direction state; detectors only borrow. */
#ifndef SS_FLOW_H
#define SS_FLOW_H

#include <stddef.h>
#include <stdint.h>

#include "decode.h"

/* A frame named across several input files: file index in the high bits. */
typedef uint64_t frame_ref;
#define FRAME_REF(file, frame) (((uint64_t)(file) << 40) | ((frame)&0xffffffffffull))
#define FRAME_REF_FILE(ref) ((uint32_t)((ref) >> 40))
#define FRAME_REF_FRAME(ref) ((ref)&0xffffffffffull)

/* Direction-free key: the two endpoints in canonical order (lower address, then port). */
struct flow_key {
    uint8_t ip_version;
    uint8_t proto;
    uint16_t port_lo, port_hi;
    uint8_t ip_lo[16], ip_hi[16];
};

/* The headers of one TCP packet that say who sent it: the one sample the flow layer
 * keeps (handshake fingerprint, latest packet, logged segments), the baseline learns
 * and judges (flow-baseline.h) and a finding's copies show. Filled by fp_from_packet. */
struct fp_sample {
    frame_ref frame;
    int64_t ts_ns;
    uint32_t seq, ack, len, tsval;
    uint16_t ip_id, window;
    uint8_t ttl, flags;
    uint8_t df : 1, has_ts : 1, ip_version : 4;
    uint8_t reserved : 4; /* TCP reserved bits */
};

/* Header fingerprint of one packet, as kept for a direction's handshake and latest
 * packet: the sample and the options. */
struct tcp_fingerprint {
    struct fp_sample hdr;
    uint16_t mss;
    uint8_t has_mss : 1, has_wscale : 1, has_sack_perm : 1;
    uint8_t wscale;
    uint8_t nopts;
    uint8_t opt_kinds[TCP_MAX_OPTS];
};

/* One remembered segment with payload: where it sat in the stream and who sent it.
 * hdr.seq is the packet's; the stream position is what locates its bytes. */
struct tcp_segment {
    int64_t pos; /* stream position of its first byte */
    struct fp_sample hdr;
    uint8_t whole : 1; /* all its bytes went into the window as first copy */
    uint64_t hdr_sum;  /* checksum share of pseudo-header and TCP header; 0 when
                        * the segment was cut by the snap length */
};

/* What a direction's packets have looked like so far, learnt after detectors ran, so
 * a detector sees the baseline as it stood before the packet it judges. Counts of
 * values rather than last values, so one odd packet does not redefine normal. */
struct tcp_baseline {
    uint32_t pkts;
    uint8_t ttl[2]; /* the first two distinct TTLs seen */
    uint32_t ttl_n[2], ttl_other_n;
    uint32_t df_n, nodf_n;
    uint32_t ts_n, nots_n; /* non-SYN, non-RST packets with and without timestamps */
    uint32_t tsval_last;
    uint16_t ip_id_last;
    uint16_t ipid_inc_n;       /* IP-ID went up by 1..1024 from the previous packet */
    uint16_t ipid_same_n;      /* IP-ID repeated (often constant 0 with DF) */
    uint16_t ipid_jump_n;      /* anything else: random or global counters */
    uint16_t win_min, win_max; /* raw windows of non-SYN packets */
    uint32_t reserved_n;       /* packets with any of the TCP reserved bits set */
};

/* Recent payload bytes of one direction, indexed by stream position modulo `size`:
 * positions [hi - size, hi) may be present, one presence bit each. Allocated on the
 * first payload byte from the table's counted memory, in one slot: this header, the
 * segment log, the ahead log, the presence bits, the bytes. A direction's first window
 * has short logs (half a page, flow-table.c) and grows before either would lose an
 * entry, so every log holds what a full-length one would. */
struct tcp_window {
    uint32_t size;             /* bytes; a power of two */
    uint16_t seg_cap;          /* entries of segs: TCP_SEGLOG, fewer in a first window */
    uint8_t ahead_cap;         /* entries of ahead: TCP_AHEAD_LOG, fewer in a first window */
    uint8_t cls;               /* size class, and which half of its page (flow-table.c) */
    int64_t hi;                /* one past the highest position ever stored */
    int64_t base;              /* positions below this were never held by this window */
    uint8_t *bytes;            /* size bytes */
    uint8_t *present;          /* size / 8 bytes */
    struct tcp_segment *segs;  /* seg_cap entries: a ring */
    struct tcp_segment *ahead; /* ahead_cap entries stored with a gap before them;
                                * len 0: free */
    uint32_t seg_next;         /* ring index into segs */
    uint32_t seg_count;
    uint32_t ahead_next; /* ring index into ahead */
};

/* The k-th newest entry of the segment log, k from 1 to seg_count. */
static inline const struct tcp_segment *tcp_seglog_newest(const struct tcp_window *w, uint32_t k)
{
    return &w->segs[(w->seg_next + w->seg_cap - k) % w->seg_cap];
}

/* How fast a stream position moved: the fastest advance over an interval of at least
 * TCP_LAP_RATE_NS, measured from the reference point (ts, pos). */
struct tcp_rate {
    int64_t ts, pos;
    uint64_t peak; /* bytes per second; 0 until measured */
};

enum tcp_dir_flags {
    TDF_SYN = 1 << 0,     /* sent a SYN (isn valid) */
    TDF_FIN = 1 << 1,     /* sent a FIN (fin_pos valid) */
    TDF_RST = 1 << 2,     /* sent a RST */
    TDF_SYNC = 1 << 3,    /* stream position mapping set (next_seq valid) */
    TDF_HS = 1 << 4,      /* handshake fingerprint valid */
    TDF_ALT_ISN = 1 << 5, /* a second SYN/ACK offered alt_isn */
    TDF_ACKED = 1 << 6,   /* sent an ACK (max_ack valid) */
};

struct tcp_dir {
    uint32_t flags; /* enum tcp_dir_flags */
    uint32_t isn;
    uint32_t alt_isn;  /* a conflicting SYN/ACK's ISN, until the peer picks one */
    uint32_t max_ack;  /* highest acknowledgment number this direction sent
                        * (RSTs excluded) */
    uint32_t next_seq; /* sequence number of next_pos */
    int64_t next_pos;  /* one past the highest stream position seen */
    int64_t fin_pos;
    int64_t close_ts;    /* packet time of the first FIN/RST, 0 when open */
    int64_t data_ts;     /* packet time of the latest segment with payload */
    uint32_t data_tsval; /* and its TSval, when data_has_ts */
    uint8_t data_has_ts;
    struct tcp_rate data_rate;   /* of next_pos */
    struct tcp_rate ack_rate;    /* of the peer's cumulative ACK, in this direction's
                                  * positions */
    struct tcp_fingerprint hs;   /* from the SYN or SYN/ACK */
    struct tcp_fingerprint last; /* from the latest packet */
    struct tcp_baseline base;
    uint64_t pkts_since_hs;
    struct tcp_window *win;
};

enum flow_tcp_state {
    FLOW_TCP_NEW,
    FLOW_TCP_SYN_SENT,
    FLOW_TCP_SYN_RECEIVED,
    FLOW_TCP_ESTABLISHED,
    FLOW_TCP_CLOSING, /* FIN or RST seen: the grace period runs */
};

struct flow {
    struct flow_key key;
    uint64_t hash;
    uint64_t id;                    /* creation order, 1-based */
    struct flow *hnext;             /* bucket chain */
    struct flow *older, *newer;     /* LRU list by last packet time */
    struct flow *wolder, *wnewer;   /* same order, only flows holding payload windows */
    struct flow *xolder, *xnewer;   /* same order, only flows of its timeout class */
    uint8_t src_ip[16], dst_ip[16]; /* direction 0 is from src (the first packet's sender) */
    uint16_t src_port, dst_port;
    uint8_t tcp_state; /* enum flow_tcp_state */
    uint8_t xclass;    /* the timeout class whose expiry list holds it (flow-table.c) */
    int64_t first_ts, last_ts;
    uint64_t pkts[2], bytes[2];
    size_t mem; /* bytes of payload windows this flow holds */
    struct tcp_dir tcp[2];
};

/* What the flow layer learnt from one TCP segment, for detectors to judge. */
struct tcp_seg_info {
    int64_t pos, end;            /* stream range of the payload, [pos, end) */
    int64_t prev_next_pos;       /* the direction's stream end before this segment */
    uint32_t overlap;            /* payload bytes that were already in the window */
    uint32_t differ;             /* of those, bytes whose value differs */
    uint32_t unverifiable;       /* bytes overlapping data that left the window */
    int64_t first_diff;          /* stream position of the first differing byte */
    uint8_t nprior;              /* earlier segments holding the differing bytes */
    struct tcp_segment prior[4]; /* [0, nprior) set; the rest is not (flow_tcp_update
                                  * zeroes every field around it, but not it) */
    uint8_t after_close;         /* this direction had already sent FIN or RST */
    uint8_t retransmit;          /* starts below next_pos */
    uint8_t out_of_window;       /* too far from the stream to be real: not stored */
    uint8_t isn_switched;        /* the peer's handshake ISN was replaced by alt_isn */
    uint8_t forgotten;           /* segments whose provenance was lost while their bytes were
                                  * still held (counted in segment_log_forgotten) */
};

struct flow_stats {
    uint64_t created;
    uint64_t expired;
    uint64_t evicted_count;         /* at the flow count cap */
    uint64_t evicted_memory;        /* at the byte cap: payload windows dropped, or whole
                                     * flows when no window was left to drop */
    uint64_t reused;                /* new connection on a closed flow's 4-tuple */
    uint64_t alloc_failures;        /* flow or window memory could not be had: packet untracked */
    uint64_t unverifiable_bytes;    /* retransmitted bytes older than the payload window: not
                                     * compared with their first copy */
    uint64_t seq_laps;              /* segments taken as the next 4 GiB lap of their stream */
    uint64_t segment_log_forgotten; /* conflicts whose earlier copy had left the segment
                                     * logs, and ahead-of-stream segments pushed out of
                                     * theirs while their bytes were still held */
    uint64_t active_peak;
    uint64_t memory_peak;
};

struct flow_config {
    uint32_t max_flows;
    uint64_t max_memory;
    uint32_t window; /* bytes per direction, power of two */
    uint32_t grace_s;
    /* live: the window arena without transparent huge pages, so that what the byte cap
     * gives back stays given back for weeks (flow-table.c). */
    int sensor;
};

struct flow_table;

/* The smallest byte cap that lets `cfg` track one flow with both windows: the bucket
 * array, one pool chunk and two windows. */
uint64_t flow_table_min_memory(const struct flow_config *cfg);

/* Creates a table with its own seeded hash; NULL when out of memory. */
struct flow_table *flow_table_new(const struct flow_config *cfg, uint64_t seed);
void flow_table_free(struct flow_table *t);

/* Finds or creates the flow of `pkt` (a decoded TCP or UDP packet, not a fragment),
 * sets *dir to 0 when pkt travels from the flow's src, and expires a bounded number
 * of idle flows. NULL when the packet cannot be tracked (counted in the stats). */
struct flow *flow_table_get(struct flow_table *t, const struct packet *pkt, int *dir);

/* Updates TCP direction state and the payload window with `pkt`, filling `info`. */
void flow_tcp_update(struct flow_table *t, struct flow *f, int dir, const struct packet *pkt,
                     struct tcp_seg_info *info);

/* Checksum verdict (enum csum_state) of a remembered segment, from its stored header
 * share and its payload as the window still holds it; CSUM_UNKNOWN when the window no
 * longer has all of its bytes as that segment sent them. For conflicts only: it costs
 * a pass over the segment's payload. */
int flow_segment_checksum(const struct tcp_window *w, const struct tcp_segment *s);

/* Copies the window's bytes for stream positions [pos, pos+len) into buf, stopping at
 * the first byte the window does not hold; returns how many were copied. */
uint32_t flow_window_read(const struct tcp_window *w, int64_t pos, uint32_t len, uint8_t *buf);

/* Folds `pkt` into its direction's baseline (flow-baseline.c); called after the
 * detectors saw it. */
void flow_tcp_learn(struct flow *f, int dir, const struct packet *pkt,
                    const struct tcp_seg_info *info);

size_t flow_table_count(const struct flow_table *t);
size_t flow_table_memory(const struct flow_table *t);
const struct flow_stats *flow_table_stats(const struct flow_table *t);

/* Internal to flow-table.c and flow-tcp.c. A direction's first window has short logs
 * (half a page) and, like the one-page class, holds flow_table_small_window positions;
 * flow_window_grow moves direction `dir` of f to a window of the full size (`full`:
 * its stream left order) or to the one-page class (its short segment log is full),
 * keeping all the old one held (the old one, when memory runs out). */
struct tcp_window *flow_window_alloc(struct flow_table *t, struct flow *f);
struct tcp_window *flow_window_grow(struct flow_table *t, struct flow *f, int dir, int full);
/* Payload bytes a small-class window holds. */
uint32_t flow_table_small_window(const struct flow_table *t);
uint32_t flow_table_grace(const struct flow_table *t);
/* Counts a new connection on a flow's 4-tuple and gives the flow a new id, so
 * detectors that remember flows by id start afresh. */
void flow_note_reuse(struct flow_table *t, struct flow *f);
/* Counts bytes that came again after their first copy had left the window. */
void flow_note_unverifiable(struct flow_table *t, uint32_t bytes);
/* Counts a stream that came round the sequence space between captured packets. */
void flow_note_lap(struct flow_table *t);
/* Counts segments whose provenance the segment logs lost (tcp_seg_info.forgotten). */
void flow_note_forgotten(struct flow_table *t, uint32_t n);

/* Moves f to the expiry list of the timeout its state now has (after its TCP state
 * changed). */
void flow_table_reclass(struct flow_table *t, struct flow *f);

/* Canonical key of a packet; returns 1 when the packet's source is the low endpoint. */
int flow_key_make(struct flow_key *k, const struct packet *pkt);

#endif
