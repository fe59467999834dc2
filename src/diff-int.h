/* secondsight diff - the parts of the comparison shared by its files, private to them:
 *   diff.c        the run: both captures read side by side, one packet at a time
 *   diff-clock.c  the clock offset between the captures and its drift
 *   diff-conv.c   conversations on either side, the NAT mapping between them, the
 *                 device's own MACs and addresses
 *   diff-match.c  what a packet is, its keys, waiting packets, a matched pair compared
 *   diff-range.c  TCP data segments of both sides kept, compared over a sequence range
 *   diff-judge.c  a lone packet judged (dropped, injected, or not the device's doing),
 *                 findings gathered and written */
#ifndef SS_DIFF_INT_H
#define SS_DIFF_INT_H

#include <stdint.h>
#include <string.h>

#include "decode.h"
#include "finding.h"
#include "flow-frag.h"
#include "output.h"
#include "stats.h"

#define NONE UINT32_MAX
#define SIDES 2
#define DIFF_KEEP_BYTES 2048u /* payload bytes kept per waiting packet, to compare */
#define DIFF_EDGE_NS                                                                               \
    20000000LL                    /* a packet this close to the start or end of the other          \
                                   * capture may have crossed while it was not running */
#define DIFF_CLOCK_MIN_SAMPLES 5u /* fewer pairs make a weak clock estimate */
#define DIFF_DATA_KEY_BYTES 16u   /* TCP data this long pairs by content alone */
#define DIFF_PTB_SLOTS 64u        /* recent "too big" messages from the device */
#define DIFF_CERTAIN_REPEATS                                                                       \
    3u /* drops of one packet and its retransmissions, while                                       \
        * others crossed, that no capture loss explains */
#define DIFF_REPEAT_HOLD_NS                                                                        \
    20000000000LL              /* a dropped packet's finding waits this long for the sender's      \
                                * retransmissions (SYNs back off 1, 2, 4, 8, 16 s) */
#define DIFF_MAX_MACS 4u       /* the device's MACs per side */
#define DIFF_MAX_ADDRS 64u     /* the device's own addresses per side */
#define DIFF_TWIN_SLOTS 65536u /* recently forwarded packets' twin keys */
#define DIFF_MAX_OPEN 16u      /* findings being gathered at once */
#define DIFF_DRIFT_SPAN_S 10   /* seconds of matches before a drift is reported */
#define DIFF_MERGE_NS                                                                              \
    1000000000LL /* events of one kind in one conversation this close                              \
                  * in time make one finding */

struct diff_options;

/* The keys a waiting packet is found by (diff_packet_keys). */
enum { KEY_STRONG, KEY_WEAK, KEY_DATA, DIFF_KEYS };

extern const char *const diff_side_name[SIDES]; /* "inside", "outside" */
extern const char *const diff_dir_name[2];      /* "outbound", "inbound" */

/* The fields of a packet that matching and comparing need, copied out of the frame. */
struct summary {
    uint8_t v, proto, ttl, tos, df, flags, l4_ok, is_frag, mf;
    uint8_t has_mac, has_mss, icmp_type, icmp_code, local, has_twin;
    uint8_t has_ts, nsack, ptb; /* ptb: ICMP "fragmentation needed" or "packet too big" */
    uint8_t mac_src[6], mac_dst[6];
    uint16_t ip_id, window, urgent, mss, sport, dport, frag_offset;
    uint16_t echo_id, echo_seq; /* ICMP echo */
    uint32_t ip_len;            /* IP total length (IPv6: 40 + payload length) */
    uint32_t mtu;               /* ptb: the next-hop MTU it claims */
    uint16_t q_ipid;            /* ICMP error: the quoted IPv4 packet's identification, */
    uint8_t q_proto;            /* and protocol */
    uint32_t frag_id;
    uint32_t seq, ack;   /* as on the wire */
    uint32_t nseq, nack; /* in the inside numbering (nack 0 without the ACK flag) */
    uint32_t sack[8];    /* SACK edges as on the wire, */
    uint32_t nsackv[8];  /* and in the inside numbering */
    uint32_t tsval, tsecr;
    uint32_t payload_len, payload_wire_len;
    uint64_t opts_hash; /* TCP options with the MSS value, SACK edges, timestamps left out */
    uint64_t content;   /* keyed hash of flags, payload length and every kept byte */
    uint64_t twin;      /* what a forged copy shares with the genuine one (diff_twin_key) */
    uint64_t quote;     /* ptb: the identity of the packet it quotes (diff_quote_key) */
    uint8_t src[16], dst[16];
};

/* One direction of a conversation as seen on one side. */
struct ends {
    uint8_t src[16], dst[16];
    uint16_t sport, dport;
};

struct conv {
    uint32_t gen; /* bumped on reuse: waiting packets hold (index, gen) */
    uint8_t used, v, proto;
    uint8_t has[SIDES];   /* the tuple on that side is known */
    struct ends t[SIDES]; /* direction 0 on each side */
    uint32_t next[SIDES]; /* chains of the per-side indexes */
    uint32_t lru_prev, lru_next;
    int64_t first_ns, last_ns;
    uint32_t off[2];   /* per direction: outside sequence minus inside */
    int8_t ingress[2]; /* per direction: the side it enters the device by */
    uint8_t has_ack[2];
    uint32_t max_ack[2];      /* per direction: highest acknowledgement, inside numbering */
    uint8_t nsack[2];         /* per direction: the SACK blocks of its latest ACK, */
    uint32_t sack[2][8];      /* inside numbering (edges: left, right, ...) */
    int64_t talked[SIDES][2]; /* per side and direction: the last segment with data, SYN
                               * or FIN (a sender that reset sends no more) */
    uint8_t mapped;           /* a pair matched: its tuples on both sides are a known mapping */
    uint8_t has_off[2];       /* off[] learnt (handshake or data) */
    uint64_t drop_twin[2];    /* per direction: the last dropped packet's twin key, */
    uint32_t drop_times[2];   /* how often it was dropped, */
    int64_t drop_first[2];    /* when first, */
    uint64_t drop_crossed[2]; /* and the packets forwarded by then */
    uint64_t fwd[2], mod[2], inj[2], drop[2]; /* per device direction */
};

struct pend {
    uint64_t key[DIFF_KEYS]; /* 0: none */
    int64_t ts;              /* inside clock */
    uint64_t frame;
    uint64_t bytes_pos;
    uint32_t bytes_len;
    uint32_t conv, gen, next[DIFF_KEYS];
    uint32_t older, newer; /* the age list; newer links the free list */
    uint64_t range;        /* its TCP data segment in the range ring (0: none) */
    uint8_t side, dir, live;
    struct summary s;
};

struct twin_slot {
    uint64_t key;
    int64_t ts;
    uint64_t content; /* the forwarded packet's */
    uint8_t took;     /* TCP: the receiver had already acknowledged its bytes then */
};

/* Why a drop is judged as it is (diff-judge.c): kept with its finding, whose text is
 * written when it closes. */
struct drop_why {
    uint32_t times;    /* how often the held packet was dropped, */
    int64_t first_ns;  /* since when, */
    uint64_t crossed;  /* while this many others crossed */
    uint8_t retx;      /* the sender's retransmission was forwarded afterwards */
    uint8_t took;      /* the receiver's ACK or SACK took the bytes (the retransmission's) */
    uint8_t tcp;       /* a TCP segment with sequence space, whose receiver could say */
    uint8_t lost;      /* the other capture says it lost packets */
    uint8_t repeated;  /* times, crossed and lost make the drop certain */
    uint8_t false_ptb; /* the device sent ICMP "too big" for it, yet it fits that MTU */
    uint8_t certain;
    uint32_t ip_len;
};

/* A TCP data segment as read on one side (diff-range.c). */
struct range {
    struct ends e; /* as on its side */
    uint32_t seq, len, blen;
    uint64_t pos, frame; /* its kept bytes in the range ring; its frame */
    int64_t ts;
    uint64_t id;   /* its place in the ring's history (diff_range_add) */
    uint64_t prev; /* the id of the one before it with the same tuple hash (0: none) */
    uint8_t used, side, v;
    uint8_t paired; /* its copy matched one on the other side */
};

/* What the other side carried over a lone segment's sequence range. */
struct overlap {
    uint32_t overlaps;     /* segments of the other side over some of it */
    uint32_t compared;     /* bytes compared (kept on both sides) */
    uint32_t differ;       /* of those, different */
    uint32_t first_off;    /* the first different one's offset in the lone segment, */
    uint8_t before, after; /* its byte on the other side and in the lone segment, */
    uint64_t frame;        /* and the other side's frame that carried it */
    int whole;             /* every byte of the lone segment was carried */
};

struct open_finding {
    int used;
    uint32_t conv, gen;
    const char *cls;
    uint8_t side, ddir;
    int64_t last_ns;
    uint64_t packets;
    /* A dropped packet is held: its sender's retransmissions dropped again join the
     * same finding for DIFF_REPEAT_HOLD_NS, until the repeats prove the drop. */
    uint64_t twin;
    uint32_t held_uncertain; /* drops of the held packet counted uncertain so far */
    uint8_t certain;         /* an injection's: its first event was certain */
    struct drop_why why;
    struct finding f;
};

struct addr {
    uint8_t v, ip[16];
};

struct diff {
    const struct diff_options *o;
    uint64_t key[2];
    struct output out;
    struct run_stats stats;
    struct file_stats files[SIDES];
    struct diff_stats ds;
    struct flow_stats conv_stats;
    int write_failed;

    int64_t offset; /* current estimate: outside clock minus inside */
    int64_t window;
    /* drift: least squares of the observed offset against time, per direction (the
     * device's delay adds to one and takes from the other) */
    int64_t fit_t0, fit_t1;
    double fit_n[2], fit_sx[2], fit_sy[2], fit_sxx[2], fit_sxy[2];

    /* waiting packets: a pool, an age list (oldest first), both keys indexed */
    struct pend *pend;
    uint32_t pcap, pcount, pfree, pused, oldest, newest; /* pused: never used beyond */
    uint64_t pseq;
    uint32_t *idx[DIFF_KEYS], pmask;
    uint8_t *bytes;
    uint64_t bytes_head;

    /* conversations */
    struct conv *convs;
    uint32_t ccap, cfree, cused, ccount;
    uint32_t *cidx[SIDES], cmask;
    uint32_t lru_head, lru_tail; /* least recently used first */

    struct twin_slot *twins; /* recently forwarded packets, by conversation and twin */

    int64_t span_first[SIDES], span_last[SIDES]; /* each capture's time span, inside clock */
    uint8_t span_ended[SIDES];
    struct frag_table *frags[SIDES]; /* each side reassembled before it is judged */
    struct {
        uint64_t quote;
        int64_t ts;
        uint32_t mtu;
        uint8_t side, used;
    } ptb[DIFF_PTB_SLOTS];
    uint32_t ptb_next;
    uint32_t rekeyed; /* a conversation whose waiting packets were keyed anew */
    int rematching;

    uint8_t macs[SIDES][DIFF_MAX_MACS][6];
    uint32_t nmacs[SIDES];
    struct addr addrs[SIDES][DIFF_MAX_ADDRS]; /* the device's own addresses */
    uint32_t naddrs[SIDES];
    struct {
        uint8_t mac[6];
        struct addr a;
    } arp[SIDES][DIFF_MAX_ADDRS];
    uint32_t narp[SIDES];

    struct open_finding open[DIFF_MAX_OPEN];

    struct range *ranges;  /* TCP data segments of both sides, a ring */
    uint64_t *range_heads; /* per tuple hash: the newest segment's id (chains by prev) */
    uint8_t *range_bytes;
    uint64_t range_next, range_head;
};

/* A key being built: fields appended, then hashed. */
struct key_buf {
    uint8_t b[96];
    size_t n;
};

static inline void kb_put(struct key_buf *k, const void *p, size_t n)
{
    if (k->n + n <= sizeof k->b) {
        memcpy(k->b + k->n, p, n);
        k->n += n;
    }
}

static inline void kb_u32(struct key_buf *k, uint32_t v)
{
    kb_put(k, &v, sizeof v);
}

static inline uint32_t be32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* One copy of a packet as a pair or a judgement sees it: waiting or just read. */
struct copy {
    struct summary *s;
    const uint8_t *bytes; /* the compared bytes kept (NULL: no longer held) */
    uint32_t len;
    uint64_t frame;
    int64_t ts; /* inside clock */
    uint32_t conv, gen;
    uint8_t side, dir;
    uint64_t range; /* its TCP data segment in the range ring (0: none) */
};

/* What differs between the copy that entered the device and the one that left it. */
struct comparison {
    char changed[160];                  /* fields outside the allowed rewrites (util-strlist.h) */
    uint32_t nbytes, first_off, common; /* payload bytes that differ, of those compared */
    uint8_t ttl, tos, nat, mss, ts, ip_id; /* allowed rewrites seen */
};

/* diff.c: the comparison's tables made (0: out of memory; diff_free all the same) and
 * released; unit tests make one to exercise the rules of the other files. */
int diff_init(struct diff *d, const struct diff_options *o);
void diff_free(struct diff *d);

/* diff-conv.c */
int diff_mac_known(const struct diff *d, int side, const uint8_t *mac);
void diff_mac_learn(struct diff *d, int side, const uint8_t *mac);
int diff_device_addr(const struct diff *d, int side, uint8_t v, const uint8_t *ip);
void diff_note_link(struct diff *d, int side, const struct packet *pkt, const struct summary *s);
void diff_conv_free(struct diff *d, uint32_t i);
void diff_conv_expire(struct diff *d, int64_t now);
uint32_t diff_conv_get(struct diff *d, int side, const struct summary *s, int64_t now,
                       uint8_t *dir);
struct conv *diff_conv_at(struct diff *d, uint32_t i, uint32_t gen);
/* Learns from a matched pair (first: the copy that entered the device): the device's MACs, one
 * conversation across the device (the NAT mapping), the direction's ingress side and
 * TCP sequence offsets. Returns the conversation (NONE when it is gone). */
uint32_t diff_conv_learn(struct diff *d, const struct copy *first, const struct copy *second,
                         uint8_t *dir);

/* diff-match.c */
void diff_summarise(struct summary *s, const struct packet *pkt, const uint64_t key[2]);
int diff_icmp_echo(const struct summary *s);
int diff_icmp_error(const struct summary *s);
void diff_compared_bytes(const struct summary *s, const struct packet *pkt, const uint8_t **p,
                         uint32_t *len);
uint64_t diff_quote_key(const uint64_t key[2], uint8_t v, uint8_t proto, const uint8_t *src,
                        const uint8_t *dst, const uint8_t *l4, uint32_t l4_len);
uint64_t diff_quote_of(const uint64_t key[2], const struct summary *s);
void diff_translate(struct summary *s, const struct conv *c, int side, uint8_t dir);
void diff_packet_keys(const struct diff *d, const struct summary *s, const struct conv *c,
                      uint32_t ci, uint8_t dir, uint64_t key[DIFF_KEYS]);
struct pend *diff_pend_find(struct diff *d, uint64_t key, int which, int other_side,
                            const struct copy *like);
void diff_pend_unlink(struct diff *d, struct pend *e);
const uint8_t *diff_pend_bytes(const struct diff *d, const struct pend *e);
void diff_pend_add(struct diff *d, const struct copy *x, const uint64_t key[DIFF_KEYS]);
struct copy diff_pend_copy(const struct diff *d, struct pend *e);
void diff_rekey(struct diff *d, uint32_t from, uint32_t from_gen, uint32_t to, int flip);
void diff_compare(const struct copy *first, const struct copy *second, int nat,
                  struct comparison *cmp);

/* diff-range.c */
int diff_range_init(struct diff *d);
void diff_range_free(struct diff *d);
/* Keeps a TCP data segment read on its side (its bytes: x->bytes). */
uint64_t diff_range_add(struct diff *d, const struct copy *x);
/* A kept segment's copy matched one on the other side. */
void diff_range_paired(struct diff *d, uint64_t range);
/* Compares a lone TCP data segment with what the other side carried over its sequence
 * range, within the window, in conversation c: every byte kept on both sides. `lone`:
 * only segments of the other side that matched nothing (a lone segment that entered
 * the device looks for what it was cut into, not for a retransmission's copy). */
void diff_range_overlap(struct diff *d, const struct copy *x, const struct conv *c, int lone,
                        struct overlap *o);

/* diff-judge.c */
/* Writes the findings no later event can join at `now` (all at INT64_MAX). */
void diff_flush_findings(struct diff *d, int64_t now);
/* A matched pair: forwarded, or modified (a finding naming both frames). */
void diff_pair(struct diff *d, const struct copy *a, const struct copy *b, int weak);
/* Judges the waiting packets older than `before` (all when INT64_MAX). */
void diff_expire(struct diff *d, int64_t before);
/* Whether a capture covers a moment: outside its time span (with DIFF_EDGE_NS either
 * side) nothing missing from it is judged. */
int diff_covered(const struct diff *d, int side, int64_t ts);
/* A drop is certain when the same packet was dropped this many times (the sender's
 * retransmissions) while the device forwarded others, and the capture lost nothing. */
int diff_repeats_certain(uint32_t times, uint64_t crossed_between, int capture_lost);
/* Whether an ICMP "too big" claiming `mtu` explains the drop of a packet of `ip_len`
 * bytes: only one larger than the MTU it names (0: none named) was too big. */
int diff_ptb_fits(uint32_t mtu, uint32_t ip_len);
/* Whether the receiver of direction `dir` acknowledged the sequence range [seq, end)
 * (inside numbering): its highest ACK reached `end`, or its latest SACK blocks hold it.
 * Proof that a segment got through, which a capture may miss but cannot invent. */
int diff_receiver_took(const struct conv *c, uint8_t dir, uint32_t seq, uint32_t end);
/* The end of a TCP segment's sequence space (inside numbering); == nseq: none. */
uint32_t diff_seq_end(const struct summary *s);

/* diff-clock.c */
int64_t diff_estimate_offset(struct diff *d, uint64_t *samples, int *weak);
/* A matched pair's clock: seen = outside minus inside as the pair shows it. */
void diff_clock_observe(struct diff *d, int64_t ts_in, int64_t seen, uint8_t ddir);
int64_t diff_drift_ppb(const struct diff *d);
/* An estimate resting on this few samples, or spread this wide, is weak. */
int diff_clock_weak(uint64_t samples, int64_t spread_ns, int64_t window_ns);

#endif
