/* secondsight diff - the parts of the comparison shared by its files, private to them:
 *   diff.c        the run: both captures read side by side, one packet at a time
 *   diff-clock.c  the clock offset between the captures and its drift
 *   diff-conv.c   conversations on either side, the NAT mapping between them, the
 *                 device's own MACs and addresses
 *   diff-match.c  what a packet is, its keys, waiting packets, a matched pair compared
 *   diff-judge.c  a lone packet judged (dropped, injected, or not the device's doing),
 *                 findings gathered and written */
#ifndef SS_DIFF_INT_H
#define SS_DIFF_INT_H

#include <stdint.h>
#include <string.h>

#include "decode.h"
#include "diff.h"
#include "finding.h"
#include "output.h"
#include "stats.h"

#define NONE UINT32_MAX
#define SIDES 2
#define DIFF_KEY_BYTES 96u     /* payload bytes in the strong key */
#define DIFF_KEEP_BYTES 2048u  /* payload bytes kept per waiting packet, to compare */
#define DIFF_MAX_MACS 4u       /* the device's MACs per side */
#define DIFF_MAX_ADDRS 64u     /* the device's own addresses per side */
#define DIFF_TWIN_SLOTS 65536u /* recently forwarded packets' twin keys */
#define DIFF_MAX_OPEN 16u      /* findings being gathered at once */
#define DIFF_DRIFT_SPAN_S 10   /* seconds of matches before a drift is reported */
#define DIFF_MERGE_NS                                                                              \
    1000000000LL /* events of one kind in one conversation this close                              \
                  * in time make one finding */

extern const char *const diff_side_name[SIDES]; /* "inside", "outside" */
extern const char *const diff_dir_name[2];      /* "outbound", "inbound" */

/* The fields of a packet that matching and comparing need, copied out of the frame. */
struct summary {
    uint8_t v, proto, ttl, tos, df, flags, l4_ok, is_frag, mf;
    uint8_t has_mac, has_mss, icmp_type, icmp_code, local, has_twin;
    uint8_t mac_src[6], mac_dst[6];
    uint16_t ip_id, window, urgent, mss, sport, dport, frag_offset;
    uint32_t seq, ack;   /* as on the wire */
    uint32_t nseq, nack; /* in the inside numbering */
    uint32_t payload_len, payload_wire_len;
    uint64_t opts_hash; /* TCP options with the MSS value left out */
    uint64_t content;   /* keyed hash of flags, payload length and first bytes */
    uint32_t twin;      /* what a forged copy shares with the genuine one: the TCP
                         * sequence number (inside numbering), the DNS ID, the first
                         * 4 bytes of other UDP payloads, the ICMP echo sequence */
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
    uint32_t max_ack[2]; /* per direction: highest acknowledgement, inside numbering */
    uint64_t fwd[2], mod[2], inj[2], drop[2]; /* per device direction */
};

struct pend {
    uint64_t strong, weak; /* weak 0: none */
    uint64_t seqno;        /* arrival order, for first-come matching */
    int64_t ts;            /* inside clock */
    uint64_t frame;
    uint64_t bytes_pos;
    uint32_t bytes_len;
    uint32_t conv, gen, next_s, next_w;
    uint32_t older, newer; /* the age list; newer links the free list */
    uint8_t side, dir, live;
    struct summary s;
};

struct twin_slot {
    uint64_t key;
    int64_t ts;
    uint64_t content; /* the forwarded packet's */
};

struct open_finding {
    int used;
    uint32_t conv, gen;
    const char *cls;
    uint8_t side, ddir;
    int64_t last_ns;
    uint64_t packets;
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
    uint32_t *sidx, *widx, pmask;
    uint8_t *bytes;
    uint64_t bytes_head;

    /* conversations */
    struct conv *convs;
    uint32_t ccap, cfree, cused, ccount;
    uint32_t *cidx[SIDES], cmask;
    uint32_t lru_head, lru_tail; /* least recently used first */

    struct twin_slot *twins; /* recently forwarded packets, by conversation and twin */

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
void diff_conv_merge(struct diff *d, uint32_t a, uint32_t b, int same);

/* diff-match.c */
void diff_summarise(struct summary *s, const struct packet *pkt);
int diff_icmp_echo(const struct summary *s);
int diff_icmp_error(const struct summary *s);
void diff_compared_bytes(const struct summary *s, const struct packet *pkt, const uint8_t **p,
                         uint32_t *len);
void diff_packet_keys(const struct diff *d, struct summary *s, const struct packet *pkt,
                      const struct conv *c, uint32_t ci, uint8_t dir, uint64_t *strong,
                      uint64_t *weak);
void diff_set_twin(struct summary *s, const struct packet *pkt);
struct pend *diff_pend_find(struct diff *d, uint64_t key, int weak, int other_side);
void diff_pend_unlink(struct diff *d, struct pend *e);
const uint8_t *diff_pend_bytes(const struct diff *d, const struct pend *e);
uint64_t diff_bytes_keep(struct diff *d, const uint8_t *p, uint32_t len);
void diff_on_match(struct diff *d, struct pend *e, const struct summary *s,
                   const struct packet *pkt, int side, int64_t ts, uint32_t ci, uint8_t dir,
                   int weak);

/* diff-judge.c */
void diff_flush_findings(struct diff *d, int64_t before);
struct finding *diff_event_finding(struct diff *d, const char *cls, const struct pend *e,
                                   uint8_t ddir, int64_t ts, uint64_t frame);
void diff_add_where(struct finding *f, int side, uint8_t ddir, const char *counterpart);
void diff_count_conv(struct diff *d, const struct pend *e, const char *cls, uint8_t ddir);
struct twin_slot *diff_twin_slot(const struct diff *d, uint32_t conv, uint32_t gen, uint8_t dir,
                                 uint32_t twin, uint64_t *key);
void diff_expire(struct diff *d, int64_t before);

/* diff-clock.c */
int64_t diff_estimate_offset(struct diff *d, uint64_t *samples);
int64_t diff_drift_ppb(const struct diff *d);

#endif
