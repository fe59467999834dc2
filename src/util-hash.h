/* secondsight - keyed hashing for tables that attackers fill (SipHash-1-3).
 * A secret per-run key keeps crafted flows from piling into one bucket. */
#ifndef SS_UTIL_HASH_H
#define SS_UTIL_HASH_H

#include <stddef.h>
#include <stdint.h>

uint64_t siphash13(const uint64_t key[2], const void *data, size_t len);

/* siphash13 of the first `prefix` bytes of data into *h_prefix and of all `len` into
 * *h_all, in one pass: the words of the prefix are compressed once for both. `prefix`
 * is a multiple of 8, at most len. Two keys of one thing, one naming more of it (a DNS
 * reply by its header, its transaction by the question too), for about one's cost. */
void siphash13_prefix(const uint64_t key[2], const void *data, size_t prefix, size_t len,
                      uint64_t *h_prefix, uint64_t *h_all);

/* A per-run random seed (getrandom), or a fixed one when the kernel has none to give. */
uint64_t hash_random_seed(void);

#endif
