/* secondsight - IPv4 and IPv6 fragment reassembly with a count cap, a byte cap and a
 * timeout. Overlapping fragments are compared byte for byte before the first copy is
 * kept; complete datagrams go back into the pipeline as whole packets. */
#ifndef SS_FLOW_FRAG_H
#define SS_FLOW_FRAG_H

#include <stdint.h>

#include "config.h"
#include "decode.h"
#include "flow.h"

struct frag_config {
    uint32_t max_datagrams; /* datagrams in reassembly at once */
    uint64_t max_memory;    /* bytes of fragment data held */
    uint32_t timeout_s;     /* a datagram not complete by then is dropped */
};

struct frag_stats {
    uint64_t datagrams; /* datagrams started */
    uint64_t reassembled;
    uint64_t expired;           /* timed out incomplete */
    uint64_t evicted;           /* dropped at the count or byte cap */
    uint64_t overlaps;          /* fragments overlapping earlier ones */
    uint64_t conflicts;         /* ... with different bytes */
    uint64_t too_big;           /* datagrams claiming more than 65535 bytes */
    uint64_t id_reused;         /* datagrams restarted: the identification came back for
                                 * another datagram (RFC 4963) */
    uint64_t kept;              /* complete datagrams kept for late fragments */
    uint64_t kept_dropped;      /* ... dropped before FRAG_KEEP_NS, at the keep caps or
                                 * to make room for incomplete ones */
    uint64_t late;              /* fragments compared with a kept datagram */
    uint64_t mixed;             /* complete datagrams whose fragments disagree in TTL or DF */
    uint64_t pieces_unrecorded; /* fragments past a datagram's FRAG_MAX_PIECES: reassembled
                                 * and compared, but not named as an earlier copy */
    uint64_t memory_peak;
};

/* One earlier fragment, as remembered for a finding. */
struct frag_piece {
    frame_ref frame;
    int64_t ts_ns;
    uint32_t off, len;
    uint16_t ip_id;
    uint8_t ttl, df, mf;
};

/* True for a protocol whose datagram starts with 16-bit source and destination ports
 * (TCP, UDP, SCTP): frag_info.has_ports can become true for it. */
static inline int frag_proto_has_ports(uint8_t proto)
{
    return proto == IPPROTO_NUM_TCP || proto == IPPROTO_NUM_UDP || proto == 132 /* SCTP */;
}

/* What reassembly learnt from one fragment, for detectors to judge. */
struct frag_info {
    uint32_t off, len;       /* this fragment's range in the datagram */
    uint32_t overlap;        /* bytes that were already held */
    uint32_t differ;         /* ... and differ */
    uint32_t first_diff;     /* offset of the first differing byte */
    struct frag_piece prior; /* the earlier fragment holding that byte */
    uint8_t has_prior;
    struct frag_piece head; /* on a conflict: the datagram's first fragment held at
                             * offset 0 (the sender's, with the ports) */
    uint8_t has_head;
    uint8_t late;          /* the datagram was complete already: this is a late copy */
    uint8_t mixed;         /* completed: its fragments disagree in IP TTL or DF */
    uint8_t completed;     /* this fragment completed the datagram */
    uint8_t has_ports;     /* TCP, UDP or SCTP, and the datagram's first 4 bytes held */
    uint16_t sport, dport; /* ... its ports, from the first copy of those bytes */
    uint32_t npieces;      /* fragments of the datagram so far */
    /* The conflict is the identification reused for another datagram (RFC 4963), and
     * reassembly started over with this fragment: FRAG_REUSE_PORTS when it is a first
     * fragment with other ports than the one held, FRAG_REUSE_AGED when the earlier
     * fragment is over FRAG_REUSE_AGE_NS old, FRAG_REUSE_DONE when the datagram was
     * complete already (kept for late copies) and this fragment has the earlier one's
     * DF; all only from the same IP TTL. */
    uint8_t id_reused;
    int64_t prior_age_ns; /* this fragment's time less the earlier fragment's */
};

enum { FRAG_REUSE_PORTS = 1, FRAG_REUSE_AGED = 2, FRAG_REUSE_DONE = 3 };

struct frag_table;

struct frag_table *frag_table_new(const struct frag_config *cfg, uint64_t seed);
void frag_table_free(struct frag_table *t);

/* Adds a fragment (pkt->is_fragment) and fills info. When the fragment completes its
 * datagram, returns the whole datagram as a raw IP packet (valid until the next call)
 * and its length in *len; else NULL. */
const uint8_t *frag_table_add(struct frag_table *t, const struct packet *pkt,
                              struct frag_info *info, uint32_t *len);

const struct frag_stats *frag_table_stats(const struct frag_table *t);
uint64_t frag_table_memory(const struct frag_table *t);
uint32_t frag_table_count(const struct frag_table *t);

#endif
