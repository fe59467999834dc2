/* secondsight - keyed hashing for tables that attackers fill (SipHash-1-3).
 * A secret per-run key keeps crafted flows from piling into one bucket. */
#ifndef SS_UTIL_HASH_H
#define SS_UTIL_HASH_H

#include <stddef.h>
#include <stdint.h>

uint64_t siphash13(const uint64_t key[2], const void *data, size_t len);

/* A per-run random seed (getrandom), or a fixed one when the kernel has none to give. */
uint64_t hash_random_seed(void);

#endif
