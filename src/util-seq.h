/* secondsight - TCP sequence-number arithmetic, wrap-safe (RFC 793 section 3.3).
 * Sequence numbers are only compared through these helpers. */
#ifndef SS_UTIL_SEQ_H
#define SS_UTIL_SEQ_H

#include <stdint.h>

static inline int32_t seq_diff(uint32_t a, uint32_t b)
{
    return (int32_t)(a - b);
}
static inline int seq_lt(uint32_t a, uint32_t b)
{
    return seq_diff(a, b) < 0;
}
static inline int seq_leq(uint32_t a, uint32_t b)
{
    return seq_diff(a, b) <= 0;
}
static inline int seq_gt(uint32_t a, uint32_t b)
{
    return seq_diff(a, b) > 0;
}
static inline int seq_geq(uint32_t a, uint32_t b)
{
    return seq_diff(a, b) >= 0;
}

/* Maps a 32-bit sequence number to a 64-bit stream position, near `ref_pos` whose
 * sequence number is `ref_seq`: the nearest position with the same low 32 bits. A
 * transfer beyond 4 GiB keeps counting up instead of wrapping. */
static inline int64_t seq_unwrap(uint32_t seq, uint32_t ref_seq, int64_t ref_pos)
{
    return ref_pos + seq_diff(seq, ref_seq);
}

#endif
