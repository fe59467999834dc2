/* secondsight - detector toolkit: held items with deadlines (detect-hold.h). Linear
 * scans: a hold has tens of slots and is usually empty. */
#include "detect-hold.h"

#include <stdlib.h>
#include <string.h>

int hold_init(struct hold *h, unsigned cap, size_t size, struct detector_stats *stats)
{
    memset(h, 0, sizeof *h);
    h->cap = cap;
    h->size = size;
    h->stats = stats;
    h->slot = calloc(cap, sizeof *h->slot);
    h->items = calloc(cap, size);
    return h->slot && h->items;
}

void hold_free(struct hold *h)
{
    free(h->slot);
    free(h->items);
    memset(h, 0, sizeof *h);
}

static void *item_at(const struct hold *h, unsigned k)
{
    return h->items + (size_t)k * h->size;
}

static void remove_at(struct hold *h, unsigned k)
{
    if (k != --h->n) {
        h->slot[k] = h->slot[h->n];
        memcpy(item_at(h, k), item_at(h, h->n), h->size);
    }
}

void *hold_add(struct hold *h, uint64_t key, int64_t deadline)
{
    if (h->n == h->cap) {
        h->stats->dropped++;
        return NULL;
    }
    unsigned k = h->n++;
    h->slot[k].key = key;
    h->slot[k].deadline = deadline;
    h->stats->held++;
    void *item = item_at(h, k);
    memset(item, 0, h->size);
    return item;
}

void *hold_find(const struct hold *h, uint64_t key)
{
    for (unsigned k = 0; k < h->n; k++)
        if (h->slot[k].key == key)
            return item_at(h, k);
    return NULL;
}

unsigned hold_cancel(struct hold *h, uint64_t key, hold_match_fn match, const void *arg)
{
    unsigned n = 0;
    for (unsigned k = 0; k < h->n;) {
        if (h->slot[k].key == key && (!match || match(item_at(h, k), arg))) {
            remove_at(h, k);
            n++;
        } else {
            k++;
        }
    }
    h->stats->cancelled += n;
    return n;
}

/* fn sees the item in place; it leaves the hold afterwards. */
static void release_at(struct hold *h, unsigned k, hold_fn fn, void *arg)
{
    h->stats->released++;
    fn(item_at(h, k), arg);
    remove_at(h, k);
}

void hold_take(struct hold *h, void *item, hold_fn fn, void *arg)
{
    release_at(h, (unsigned)(((unsigned char *)item - h->items) / h->size), fn, arg);
}

void hold_release_due(struct hold *h, int64_t now, hold_match_fn ready, const void *ready_arg,
                      hold_fn fn, void *arg)
{
    for (unsigned k = 0; k < h->n;) {
        if ((ready && ready(item_at(h, k), ready_arg)) || now > h->slot[k].deadline)
            release_at(h, k, fn, arg);
        else
            k++;
    }
}

void hold_flush(struct hold *h, hold_fn fn, void *arg)
{
    while (h->n)
        release_at(h, 0, fn, arg);
}

void hold_emit_finding(void *item, void *sink)
{
    struct finding_sink *out = sink;
    out->emit(out, item);
}
