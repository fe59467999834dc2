/* secondsight - detector toolkit: the ring of recent events (detect-recent.h). A linear
 * scan: rings hold hundreds of events and are searched only when a detector has
 * something to report. */
#include "detect-recent.h"

#include <stdlib.h>
#include <string.h>

int recent_init(struct recent_ring *r, unsigned cap, size_t size, struct detector_stats *stats)
{
    memset(r, 0, sizeof *r);
    r->cap = cap;
    r->size = size;
    r->stats = stats;
    r->items = calloc(cap, size);
    return r->items != NULL;
}

void recent_free(struct recent_ring *r)
{
    free(r->items);
    memset(r, 0, sizeof *r);
}

void *recent_find(struct recent_ring *r, recent_match_fn match, const void *arg)
{
    for (unsigned k = 0; k < r->n; k++) {
        void *item = r->items + (size_t)k * r->size;
        if (match(item, arg)) {
            r->stats->repeats++;
            return item;
        }
    }
    return NULL;
}

void *recent_add(struct recent_ring *r)
{
    void *item = r->items + (size_t)r->next * r->size;
    r->next = (r->next + 1) % r->cap;
    if (r->n < r->cap)
        r->n++;
    else
        r->stats->forgotten++;
    memset(item, 0, r->size);
    return item;
}
