/* secondsight - detector toolkit: hold what a detector will report later (a finding
 * waiting for its genuine twin, a race waiting for the answers around it) until a
 * deadline in packet time. A fixed number of slots, taken at init; what does not fit,
 * what is released and what is cancelled is counted in the detector's stats. */
#ifndef SS_DETECT_HOLD_H
#define SS_DETECT_HOLD_H

#include <stddef.h>
#include <stdint.h>

#include "finding.h"
#include "stats.h"

struct hold_slot {
    uint64_t key;
    int64_t deadline; /* packet time after which the item is due */
};

/* Items of `size` bytes, `cap` of them. Owns its arrays; borrows `stats`. Items keep
 * no order: removing one moves the last into its place. */
struct hold {
    unsigned cap, n;
    size_t size;
    struct hold_slot *slot;
    unsigned char *items;
    struct detector_stats *stats;
};

/* Called with an item as it leaves the hold; `arg` is the caller's. */
typedef void (*hold_fn)(void *item, void *arg);
/* Whether a held item is ready before its deadline; it may update the item. */
typedef int (*hold_match_fn)(void *item, const void *arg);

/* 0 when out of memory (hold_free then frees what was made). */
int hold_init(struct hold *h, unsigned cap, size_t size, struct detector_stats *stats);
void hold_free(struct hold *h);

/* A zeroed item held under `key` until `deadline`; NULL when the hold is full
 * (counted as dropped: the caller reports it now or loses it, as it documents). */
void *hold_add(struct hold *h, uint64_t key, int64_t deadline);
/* The first held item under `key`, or NULL. */
void *hold_find(const struct hold *h, uint64_t key);
/* Removes, unreported, every item under `key` that `match` (when not NULL) accepts;
 * returns how many. */
unsigned hold_cancel(struct hold *h, uint64_t key, hold_match_fn match, const void *arg);
/* Releases one held item (from hold_find) now: fn, then it leaves the hold. */
void hold_take(struct hold *h, void *item, hold_fn fn, void *arg);
/* Releases every item due by packet time `now` (its deadline passed), and every item
 * `ready` (when not NULL) accepts, in slot order. */
void hold_release_due(struct hold *h, int64_t now, hold_match_fn ready, const void *ready_arg,
                      hold_fn fn, void *arg);
/* End of input: releases everything. */
void hold_flush(struct hold *h, hold_fn fn, void *arg);

/* A hold_fn for items that begin with their struct finding: hands it to the
 * struct finding_sink that `sink` points to. */
void hold_emit_finding(void *item, void *sink);

static inline unsigned hold_count(const struct hold *h)
{
    return h->n;
}

#endif
