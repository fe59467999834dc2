/* secondsight - detector toolkit: a ring of recent events, so one event gives one
 * finding (the retransmissions that follow a forged reply all conflict with it again).
 * A fixed number of slots, taken at init; at the cap the oldest event is forgotten.
 * Repeats and forgotten events are counted in the detector's stats. */
#ifndef SS_DETECT_RECENT_H
#define SS_DETECT_RECENT_H

#include <stddef.h>

#include "stats.h"

/* Items of `size` bytes, `cap` of them. Owns its array; borrows `stats`. */
struct recent_ring {
    unsigned cap, n, next;
    size_t size;
    unsigned char *items;
    struct detector_stats *stats;
};

/* Whether a remembered item is the event `arg` describes; it may widen the item. */
typedef int (*recent_match_fn)(void *item, const void *arg);

/* 0 when out of memory (recent_free then frees what was made). */
int recent_init(struct recent_ring *r, unsigned cap, size_t size, struct detector_stats *stats);
void recent_free(struct recent_ring *r);
/* The remembered item `match` accepts (a repeat, counted), or NULL for a new event. */
void *recent_find(struct recent_ring *r, recent_match_fn match, const void *arg);
/* A zeroed slot for a new event: the oldest one's when the ring is full (counted as
 * forgotten). */
void *recent_add(struct recent_ring *r);

#endif
