/* secondsight - the Internet checksum (RFC 1071) for telling a segment the sender's
 * stack built from one that was damaged, offloaded or hand-crafted. */
#ifndef SS_UTIL_CHECKSUM_H
#define SS_UTIL_CHECKSUM_H

#include <stddef.h>
#include <stdint.h>

#include "decode.h"

enum csum_state {
    CSUM_UNKNOWN = 0, /* not all bytes were captured */
    CSUM_OK = 1,
    CSUM_BAD = 2,
};

/* Adds bytes to a running ones-complement sum; `n` may be odd only for the last call. */
uint64_t csum_add(uint64_t sum, const uint8_t *p, size_t n);
/* Folds a running sum to 16 bits. */
uint16_t csum_fold(uint64_t sum);

/* The pseudo-header's share of a transport checksum, `l4_wire_len` being the length
 * of the transport header and payload. */
uint64_t transport_pseudo_sum(const struct packet *pkt, uint32_t l4_wire_len);

/* Verifies the TCP or UDP checksum of a decoded packet, with its pseudo-header
 * (RFC 9293 section 3.1, RFC 8200 section 8.1). UDP over IPv4 with checksum 0 is OK. */
enum csum_state transport_checksum(const struct packet *pkt);

#endif
