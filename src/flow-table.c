/* secondsight - the flow table: seeded symmetric hash with a cache of recent flows in
 * front, LRU order by packet time, a count cap and a byte cap enforced by evicting the
 * oldest flows, bounded expiry. */
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "config.h"
#include "flow-key.h"
#include "flow.h"

/* Window slots: whole pages, or halves of one (a direction's first window). */
#define PAGE_BYTES 4096u
#define HALF_BYTES (PAGE_BYTES / 2)
_Static_assert(TCP_AHEAD_LOG_HALF >= 1 && TCP_SEGLOG_HALF >= 1, "rings of at least one entry");

enum win_class { WIN_HALF, WIN_PAGE, WIN_FULL, WIN_CLASSES };
/* struct tcp_window.cls: the class in the low bits, or WIN_FREE for a free half; and
 * whether a half is its page's second. */
#define WIN_FREE 3u
#define WIN_CLASS(w) ((enum win_class)((w)->cls & 3u))
#define WIN_SECOND 0x80u

/* Flow records come from chunks; free records are kept on a list through `hnext`. */
struct flow_chunk {
    struct flow_chunk *next;
    struct flow flows[FLOW_POOL_CHUNK];
};

struct flow_table {
    struct flow_config cfg;
    uint64_t key[2];
    struct flow **buckets;
    uint64_t mask;
    size_t count;
    size_t mem; /* bytes accounted: buckets, chunks, windows */
    uint64_t next_id;
    struct flow *oldest, *newest;
    /* One list a timeout class, each ordered by last packet like the LRU list: every
     * flow of a list has the same timeout, so the oldest is the first to expire, and
     * a flow with a long timeout (an open connection gone quiet) cannot hold back
     * the expiry of closed ones behind it. */
    struct flow *xoldest[FLOW_XCLASSES], *xnewest[FLOW_XCLASSES];
    /* No list's oldest flow expires at or before this packet time: a lower bound of
     * their deadlines, lowered whenever a list gets a new oldest flow and set again
     * when expiry runs, so a packet before it skips the lists. */
    int64_t expire_after;
    struct flow *woldest, *wnewest; /* flows holding windows, oldest first */
    /* Recently seen flows by flow_cache_index() of their endpoints: a hint that is checked
     * against the packet's endpoints, so a slot that two flows share costs a miss and
     * never a wrong flow; a destroyed flow leaves its slot (flow_destroy). The table
     * itself stays keyed by SipHash, so colliding slots on purpose only brings back
     * the cost of the lookup. */
    struct flow *cache[FLOW_CACHE_SLOTS];
    struct flow *free_list;
    struct flow_chunk *chunks;
    struct flow_stats stats;
    /* Payload windows come from one arena reserved up front (address space only; the
     * byte cap bounds what is used). A file run requests transparent huge pages: a
     * busy capture touches hundreds of MB of windows, and 4 KiB page faults were most
     * of the run time. A sensor (cfg.sensor) refuses them: at the byte cap, slots are
     * given back a few pages at a time (release_one), and khugepaged collapses each
     * 2 MiB around such a hole into a whole huge page again, so RSS crept past the cap
     * toward everything the arena ever handed out (a 30-minute soak: 0.3 MiB a
     * minute). Freed windows go on a free list and are reused warm. Three size
     * classes (enum win_class): a direction starts with half a page, moves to one page
     * when its short logs are full and to a slot of the full --window only when its
     * stream shows that it needs one (most directions never leave their half). */
    uint8_t *arena;
    size_t arena_size, arena_used;
    size_t slot[WIN_CLASSES];      /* bytes of a slot of each class */
    uint32_t wsize[WIN_CLASSES];   /* payload bytes a window of each class holds */
    uint16_t seg_cap[WIN_CLASSES]; /* and the entries of its logs */
    uint8_t ahead_cap[WIN_CLASSES];
    uint8_t first, grown;            /* the class of a direction's first window, and
                                      * the one its full segment log moves it to */
    void *free_windows[WIN_CLASSES]; /* free slots still counted in mem (their pages
                                      * resident); halves on a list of both ways */
    void **released[WIN_CLASSES];    /* free slots whose pages went back to the system:
                                      * kept here, not linked through the slots, so
                                      * that giving them back does not touch them */
    size_t nreleased[WIN_CLASSES], released_cap[WIN_CLASSES];
    void *blocks[WIN_CLASSES]; /* malloc'd window blocks when the arena could not be had */
    size_t block_used[WIN_CLASSES];
};

/* The bytes a window of `size` positions and `nlog` log entries takes. */
static size_t window_bytes(uint32_t size, uint32_t nlog)
{
    return sizeof(struct tcp_window) + nlog * sizeof(struct tcp_segment) + size + size / 8;
}

/* What one window of the page and full classes costs: whole pages, so a released one
 * gives all of it back. */
static size_t window_slot(uint32_t size)
{
    return (window_bytes(size, TCP_SEGLOG + TCP_AHEAD_LOG) + PAGE_BYTES - 1) &
           ~(size_t)(PAGE_BYTES - 1);
}

/* The page class: the largest power of two whose window (logs included) fits in one
 * page, at least TCP_WINDOW_MIN and at most the full window. */
static uint32_t small_window(uint32_t full)
{
    uint32_t s = TCP_WINDOW_MIN;
    while (s < full && window_bytes(s * 2, TCP_SEGLOG + TCP_AHEAD_LOG) <= PAGE_BYTES)
        s *= 2;
    return s < full ? s : full;
}

uint32_t flow_table_small_window(const struct flow_table *t)
{
    return t->wsize[WIN_PAGE];
}

/* The classes, in the order a direction grows through them: a half page with short
 * logs, one page with full logs, the full --window. The half and page classes hold
 * the same positions, and a half grows before its logs would lose an entry, so a
 * stream's window holds exactly what it would have held without halves. */
static void classes_init(struct flow_table *t, uint32_t full)
{
    uint32_t small = small_window(full);
    for (int c = 0; c < WIN_CLASSES; c++) {
        t->wsize[c] = c == WIN_FULL ? full : small;
        t->seg_cap[c] = TCP_SEGLOG;
        t->ahead_cap[c] = TCP_AHEAD_LOG;
        t->slot[c] = window_slot(t->wsize[c]);
    }
    t->seg_cap[WIN_HALF] = TCP_SEGLOG_HALF < TCP_SEGLOG ? TCP_SEGLOG_HALF : TCP_SEGLOG;
    t->ahead_cap[WIN_HALF] =
        TCP_AHEAD_LOG_HALF < TCP_AHEAD_LOG ? TCP_AHEAD_LOG_HALF : TCP_AHEAD_LOG;
    t->slot[WIN_HALF] = HALF_BYTES;
    /* A --window that fits in one page has no page class: a half grows to the full. */
    t->grown = small < full ? WIN_PAGE : WIN_FULL;
    int halves = t->slot[WIN_PAGE] == PAGE_BYTES &&
                 window_bytes(small, t->seg_cap[WIN_HALF] + t->ahead_cap[WIN_HALF]) <= HALF_BYTES;
    t->first = halves ? WIN_HALF : t->grown;
}

static void note_memory(struct flow_table *t)
{
    if (t->mem > t->stats.memory_peak)
        t->stats.memory_peak = t->mem;
}

static uint64_t bucket_count(uint32_t max_flows)
{
    uint64_t n = 1024;
    while (n < (uint64_t)max_flows && n < (1ull << 30))
        n <<= 1;
    return n;
}

uint64_t flow_table_min_memory(const struct flow_config *cfg)
{
    return sizeof(struct flow_table) + bucket_count(cfg->max_flows) * sizeof(struct flow *) +
           sizeof(struct flow_chunk) + 2 * window_slot(cfg->window);
}

struct flow_table *flow_table_new(const struct flow_config *cfg, uint64_t seed)
{
    struct flow_table *t = calloc(1, sizeof *t);
    if (!t)
        return NULL;
    t->cfg = *cfg;
    t->key[0] = seed;
    t->key[1] = seed * 0x9e3779b97f4a7c15ull + 1;
    uint64_t n = bucket_count(cfg->max_flows);
    t->buckets = calloc(n, sizeof *t->buckets);
    if (!t->buckets) {
        free(t);
        return NULL;
    }
    t->mask = n - 1;
    t->mem = sizeof *t + n * sizeof *t->buckets;
    note_memory(t);

    classes_init(t, cfg->window);

    /* Address space for twice the cap: pages (cut into halves or not) and full slots
     * are reused only as such, and neither can have held more than the cap at once. */
    uint64_t reserve = 2 * cfg->max_memory;
    t->arena_size = reserve < (1ull << 37) ? reserve : (1ull << 37);
    void *a = mmap(NULL, t->arena_size, PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (a != MAP_FAILED) {
        t->arena = a;
#if defined(MADV_HUGEPAGE) && defined(MADV_NOHUGEPAGE)
        /* A hint either way, fine if refused; NOHUGEPAGE also holds where the system
         * default is "always". */
        madvise(a, t->arena_size, cfg->sensor ? MADV_NOHUGEPAGE : MADV_HUGEPAGE);
#endif
    }
    return t;
}

static int wlist_has(const struct flow_table *t, const struct flow *f)
{
    return f->wolder || t->woldest == f;
}

static void wlist_unlink(struct flow_table *t, struct flow *f)
{
    if (!wlist_has(t, f))
        return;
    if (f->wolder)
        f->wolder->wnewer = f->wnewer;
    else
        t->woldest = f->wnewer;
    if (f->wnewer)
        f->wnewer->wolder = f->wolder;
    else
        t->wnewest = f->wolder;
    f->wolder = f->wnewer = NULL;
}

static void wlist_push_newest(struct flow_table *t, struct flow *f)
{
    f->wolder = t->wnewest;
    f->wnewer = NULL;
    if (t->wnewest)
        t->wnewest->wnewer = f;
    else
        t->woldest = f;
    t->wnewest = f;
}

/* A free half's links, in its body (its header keeps cls: free, and which half). */
struct half_links {
    struct tcp_window *next, *prev;
};

static struct half_links *half_links(struct tcp_window *w)
{
    return (struct half_links *)(void *)(w + 1);
}

static void half_push(struct flow_table *t, struct tcp_window *w)
{
    struct tcp_window *head = t->free_windows[WIN_HALF];
    w->cls = (uint8_t)(WIN_FREE | (w->cls & WIN_SECOND));
    half_links(w)->next = head;
    half_links(w)->prev = NULL;
    if (head)
        half_links(head)->prev = w;
    t->free_windows[WIN_HALF] = w;
}

static void half_unlink(struct flow_table *t, struct tcp_window *w)
{
    struct half_links *l = half_links(w);
    if (l->prev)
        half_links(l->prev)->next = l->next;
    else
        t->free_windows[WIN_HALF] = l->next;
    if (l->next)
        half_links(l->next)->prev = l->prev;
}

/* A page cut into two free halves. */
static void half_split(struct flow_table *t, uint8_t *page)
{
    struct tcp_window *a = (struct tcp_window *)(void *)page;
    struct tcp_window *b = (struct tcp_window *)(void *)(page + HALF_BYTES);
    a->cls = 0;
    b->cls = WIN_SECOND;
    half_push(t, b);
    half_push(t, a);
}

/* A dropped window goes on its class's free list and is reused warm; memory
 * accounting counts every slot handed out and not released, so the byte cap bounds
 * what is resident. A half whose other half is free too joins it as a free page, so
 * only whole pages are ever given back, and either class can reuse them. */
static void window_free(struct flow_table *t, struct tcp_window *w)
{
    if (!w)
        return;
    enum win_class c = WIN_CLASS(w);
    if (c == WIN_HALF) {
        uint8_t *p = (uint8_t *)w;
        struct tcp_window *other =
            (struct tcp_window *)(void *)(w->cls & WIN_SECOND ? p - HALF_BYTES : p + HALF_BYTES);
        if (WIN_CLASS(other) != WIN_FREE) {
            half_push(t, w);
            return;
        }
        half_unlink(t, other);
        w = w->cls & WIN_SECOND ? other : w;
        c = WIN_PAGE;
    }
    *(void **)w = t->free_windows[c];
    t->free_windows[c] = w;
}

static void *pop(struct flow_table *t, enum win_class c)
{
    void *w = t->free_windows[c];
    if (c == WIN_HALF)
        half_unlink(t, w);
    else
        t->free_windows[c] = *(void **)w;
    return w;
}

/* A new slot of class c from the arena, or from a malloc'd block without one. */
static void *window_new(struct flow_table *t, enum win_class c)
{
    size_t slot = t->slot[c];
    if (t->arena) {
        if (t->arena_size - t->arena_used < slot)
            return NULL;
        void *w = t->arena + t->arena_used;
        t->arena_used += slot;
        return w;
    }
    if (!t->blocks[c] || t->block_used[c] == WINDOW_BLOCK_SLOTS) {
        /* a block: a 64-byte link, then WINDOW_BLOCK_SLOTS slots */
        void **b = malloc(64 + (size_t)WINDOW_BLOCK_SLOTS * slot);
        if (!b)
            return NULL;
        *b = t->blocks[c];
        t->blocks[c] = b;
        t->block_used[c] = 0;
    }
    return (uint8_t *)t->blocks[c] + 64 + slot * t->block_used[c]++;
}
static void flow_drop_windows(struct flow_table *t, struct flow *f)
{
    for (int d = 0; d < 2; d++) {
        window_free(t, f->tcp[d].win);
        f->tcp[d].win = NULL;
    }
    wlist_unlink(t, f);
    f->mem = 0;
}

void flow_table_free(struct flow_table *t)
{
    if (!t)
        return;
    for (struct flow *f = t->oldest; f; f = f->newer)
        flow_drop_windows(t, f);
    struct flow_chunk *c = t->chunks;
    while (c) {
        struct flow_chunk *next = c->next;
        free(c);
        c = next;
    }
    free(t->buckets);
    for (int k = 0; k < WIN_CLASSES; k++) {
        free(t->released[k]);
        while (t->blocks[k]) {
            void *next = *(void **)t->blocks[k];
            free(t->blocks[k]);
            t->blocks[k] = next;
        }
    }
    if (t->arena)
        munmap(t->arena, t->arena_size);
    free(t);
}

size_t flow_table_count(const struct flow_table *t)
{
    return t->count;
}
size_t flow_table_memory(const struct flow_table *t)
{
    return t->mem;
}
const struct flow_stats *flow_table_stats(const struct flow_table *t)
{
    return &t->stats;
}
uint32_t flow_table_grace(const struct flow_table *t)
{
    return t->cfg.grace_s;
}
void flow_note_reuse(struct flow_table *t, struct flow *f)
{
    t->stats.reused++;
    f->id = ++t->next_id;
}

void flow_note_unverifiable(struct flow_table *t, uint32_t bytes)
{
    t->stats.unverifiable_bytes += bytes;
}

void flow_note_lap(struct flow_table *t)
{
    t->stats.seq_laps++;
}

void flow_note_forgotten(struct flow_table *t, uint32_t n)
{
    t->stats.segment_log_forgotten += n;
}

/* Timeout classes: UDP, TCP before the handshake completes, established TCP, TCP
 * after FIN or RST (the grace period). */
static uint8_t flow_xclass(const struct flow *f)
{
    if (f->key.proto != IPPROTO_NUM_TCP)
        return 0;
    if (f->tcp_state == FLOW_TCP_CLOSING)
        return 3;
    return f->tcp_state == FLOW_TCP_ESTABLISHED ? 2 : 1;
}

static int64_t flow_deadline(const struct flow_table *t, const struct flow *f);

/* f is now the oldest of its timeout class's list. */
static void xlist_new_oldest(struct flow_table *t, const struct flow *f)
{
    int64_t d = flow_deadline(t, f);
    if (d < t->expire_after)
        t->expire_after = d;
}

static void xlist_unlink(struct flow_table *t, struct flow *f)
{
    uint8_t c = f->xclass;
    if (f->xolder) {
        f->xolder->xnewer = f->xnewer;
    } else {
        t->xoldest[c] = f->xnewer;
        if (f->xnewer)
            xlist_new_oldest(t, f->xnewer);
    }
    if (f->xnewer)
        f->xnewer->xolder = f->xolder;
    else
        t->xnewest[c] = f->xolder;
    f->xolder = f->xnewer = NULL;
}

static void xlist_push_newest(struct flow_table *t, struct flow *f)
{
    uint8_t c = f->xclass = flow_xclass(f);
    f->xolder = t->xnewest[c];
    f->xnewer = NULL;
    if (t->xnewest[c]) {
        t->xnewest[c]->xnewer = f;
    } else {
        t->xoldest[c] = f;
        xlist_new_oldest(t, f);
    }
    t->xnewest[c] = f;
}

void flow_table_reclass(struct flow_table *t, struct flow *f)
{
    if (flow_xclass(f) == f->xclass)
        return;
    /* Its last packet is the newest of any flow's, so it goes at the newest end. */
    xlist_unlink(t, f);
    xlist_push_newest(t, f);
}

static void lru_unlink(struct flow_table *t, struct flow *f)
{
    if (f->older)
        f->older->newer = f->newer;
    else
        t->oldest = f->newer;
    if (f->newer)
        f->newer->older = f->older;
    else
        t->newest = f->older;
    f->older = f->newer = NULL;
}

static void lru_push_newest(struct flow_table *t, struct flow *f)
{
    f->older = t->newest;
    f->newer = NULL;
    if (t->newest)
        t->newest->newer = f;
    else
        t->oldest = f;
    t->newest = f;
}

static void bucket_unlink(struct flow_table *t, struct flow *f)
{
    struct flow **pp = &t->buckets[f->hash & t->mask];
    while (*pp && *pp != f)
        pp = &(*pp)->hnext;
    if (*pp)
        *pp = f->hnext;
    f->hnext = NULL;
}

static uint32_t flow_cache_slot(const struct flow_table *t, const struct flow *f)
{
    return flow_cache_index(t->key, f->src_ip, f->dst_ip, f->src_port, f->dst_port,
                            f->key.ip_version == 4 ? 4 : 16);
}

static void flow_destroy(struct flow_table *t, struct flow *f)
{
    struct flow **slot = &t->cache[flow_cache_slot(t, f)];
    if (*slot == f)
        *slot = NULL;
    bucket_unlink(t, f);
    lru_unlink(t, f);
    xlist_unlink(t, f);
    flow_drop_windows(t, f);
    f->hnext = t->free_list;
    t->free_list = f;
    t->count--;
}

static int64_t flow_timeout_ns(const struct flow_table *t, const struct flow *f)
{
    uint64_t s;
    if (f->key.proto != IPPROTO_NUM_TCP)
        s = UDP_TIMEOUT;
    else if (f->tcp_state == FLOW_TCP_CLOSING)
        s = t->cfg.grace_s;
    else if (f->tcp_state == FLOW_TCP_ESTABLISHED)
        s = TCP_TIMEOUT_ESTABLISHED;
    else
        s = TCP_TIMEOUT_EMBRYONIC;
    return (int64_t)s * 1000000000;
}

static int flow_expired(const struct flow_table *t, const struct flow *f, int64_t now)
{
    return now - f->last_ts > flow_timeout_ns(t, f);
}

/* The last packet time at which f is not yet expired (INT64_MAX: never, in 64 bits). */
static int64_t flow_deadline(const struct flow_table *t, const struct flow *f)
{
    int64_t to = flow_timeout_ns(t, f);
    return f->last_ts > INT64_MAX - to ? INT64_MAX : f->last_ts + to;
}

/* Evicts the least recently active flow; 0 when there is none. */
static int evict_oldest(struct flow_table *t)
{
    if (!t->oldest)
        return 0;
    flow_destroy(t, t->oldest);
    return 1;
}

/* Gives one free slot of class c back to the system (arena pages; a malloc'd
 * block's slot is only set aside); 0 when the list of released slots cannot grow. */
static int release_one(struct flow_table *t, enum win_class c)
{
    if (t->nreleased[c] == t->released_cap[c]) {
        /* The list of released slots grows in the memory it is given back. */
        size_t cap = t->released_cap[c] ? 2 * t->released_cap[c] : 64;
        void **grown = realloc(t->released[c], cap * sizeof *grown);
        if (!grown)
            return 0;
        t->mem += (cap - t->released_cap[c]) * sizeof *grown;
        t->released[c] = grown;
        t->released_cap[c] = cap;
    }
    void *w = pop(t, c);
    if (t->arena)
        madvise(w, t->slot[c], MADV_DONTNEED); /* slots are whole, aligned pages */
    t->released[c][t->nreleased[c]++] = w;
    t->mem -= t->slot[c];
    return 1;
}

/* A window slot of class c for `keep`: a free one (a half: or a free page cut in two);
 * else a new (or released) one while the byte cap allows; else free slots of the other
 * whole-page class given back; else the windows of the least recently active other
 * flows are dropped (the flows stay tracked: memory pressure costs history, not
 * state). NULL when none is left. */
static void *window_get(struct flow_table *t, const struct flow *keep, enum win_class c)
{
    enum win_class from = c == WIN_HALF ? WIN_PAGE : c; /* halves are cut from pages */
    enum win_class other = from == WIN_PAGE ? WIN_FULL : WIN_PAGE;
    while (!t->free_windows[c]) {
        if (c == WIN_HALF && t->free_windows[WIN_PAGE]) {
            half_split(t, pop(t, WIN_PAGE));
            continue;
        }
        if (t->mem + t->slot[from] <= t->cfg.max_memory) {
            void *w =
                t->nreleased[from] ? t->released[from][--t->nreleased[from]] : window_new(t, from);
            if (w) {
                t->mem += t->slot[from];
                note_memory(t);
                if (c != WIN_HALF)
                    return w;
                half_split(t, w);
                continue;
            }
        }
        if (t->free_windows[other]) {
            if (!release_one(t, other))
                return NULL;
            continue;
        }
        struct flow *victim = t->woldest;
        if (victim && victim == keep)
            victim = victim->wnewer;
        if (!victim)
            return NULL;
        flow_drop_windows(t, victim);
        t->stats.evicted_memory++;
    }
    return pop(t, c);
}

/* Gives `need` bytes of window memory back, dropping the windows of the least
 * recently active flows as needed, so flow records can grow into it; 0 when no window
 * is left to give. */
static int release_windows(struct flow_table *t, size_t need)
{
    while (t->mem + need > t->cfg.max_memory) {
        enum win_class c = t->free_windows[WIN_FULL] ? WIN_FULL : WIN_PAGE;
        if (!t->free_windows[c]) {
            if (!t->woldest)
                return 0;
            flow_drop_windows(t, t->woldest);
            t->stats.evicted_memory++;
            continue;
        }
        if (!release_one(t, c))
            return 0;
    }
    return 1;
}

static struct flow *flow_alloc(struct flow_table *t)
{
    if (!t->free_list && !release_windows(t, sizeof(struct flow_chunk))) {
        /* No window left to give back and no room to grow the pool: the oldest flow
         * gives up its record. */
        if (!evict_oldest(t))
            return NULL;
        t->stats.evicted_memory++;
    }
    if (!t->free_list) {
        struct flow_chunk *c = malloc(sizeof *c);
        if (!c)
            return NULL;
        c->next = t->chunks;
        t->chunks = c;
        t->mem += sizeof *c;
        note_memory(t);
        for (size_t i = FLOW_POOL_CHUNK; i-- > 0;) {
            c->flows[i].hnext = t->free_list;
            t->free_list = &c->flows[i];
        }
    }
    struct flow *f = t->free_list;
    t->free_list = f->hnext;
    return f;
}

/* A window of class c for f; NULL when memory cannot be had. */
static struct tcp_window *window_make(struct flow_table *t, struct flow *f, enum win_class c)
{
    struct tcp_window *w = window_get(t, f, c);
    if (!w)
        return NULL;
    uint8_t second = c == WIN_HALF ? (uint8_t)(w->cls & WIN_SECOND) : 0;
    /* Only the header, the logs and the presence bits need zeroing; payload bytes are
     * read only where a presence bit says they were written, so untouched pages stay
     * untouched. */
    memset(w, 0, sizeof *w);
    w->size = t->wsize[c];
    w->seg_cap = t->seg_cap[c];
    w->ahead_cap = t->ahead_cap[c];
    w->cls = (uint8_t)(c | second);
    /* The logs and presence bits right after the header, the bytes last: a short
     * stream touches one or two pages of its window, not all of them. */
    w->segs = (struct tcp_segment *)(w + 1);
    w->ahead = w->segs + w->seg_cap;
    memset(w->segs, 0, ((size_t)w->seg_cap + w->ahead_cap) * sizeof *w->segs);
    w->present = (uint8_t *)(w->ahead + w->ahead_cap);
    w->bytes = w->present + w->size / 8;
    memset(w->present, 0, w->size / 8);
    f->mem += t->slot[c];
    if (!wlist_has(t, f))
        wlist_push_newest(t, f);
    return w;
}

struct tcp_window *flow_window_alloc(struct flow_table *t, struct flow *f)
{
    struct tcp_window *w = window_make(t, f, t->first);
    if (!w)
        t->stats.alloc_failures++;
    return w;
}

/* Copies a ring of `n` entries, oldest first, into `to`'s start: `to` has room for
 * them all. Returns the new ring index. */
static uint32_t ring_copy(struct tcp_segment *to, const struct tcp_segment *from, uint32_t cap,
                          uint32_t next, uint32_t n)
{
    for (uint32_t k = 0; k < n; k++)
        to[k] = from[(next + cap - n + k) % cap];
    return n;
}

/* What the old window held, into the new larger one: its last positions and its logs,
 * each log in the very order and places it had when both are as long (otherwise
 * oldest first from the start, as a ring that never came round has them). */
static void window_copy(struct tcp_window *w, const struct tcp_window *old)
{
    w->hi = old->hi;
    w->base = old->hi - (int64_t)old->size > old->base ? old->hi - (int64_t)old->size : old->base;
    w->seg_count = old->seg_count;
    if (old->seg_cap == w->seg_cap) {
        memcpy(w->segs, old->segs, w->seg_cap * sizeof *w->segs);
        w->seg_next = old->seg_next;
    } else {
        w->seg_next = ring_copy(w->segs, old->segs, old->seg_cap, old->seg_next, old->seg_count);
    }
    if (old->ahead_cap == w->ahead_cap) {
        memcpy(w->ahead, old->ahead, w->ahead_cap * sizeof *w->ahead);
        w->ahead_next = old->ahead_next;
    } else {
        uint32_t n = 0; /* entries in use: the newest ones, as the ring fills in order */
        while (n < old->ahead_cap &&
               old->ahead[(old->ahead_next + old->ahead_cap - 1 - n) % old->ahead_cap].hdr.len)
            n++;
        w->ahead_next = ring_copy(w->ahead, old->ahead, old->ahead_cap, old->ahead_next, n);
    }
    for (int64_t p = w->base; p < w->hi; p++) {
        uint32_t i = (uint32_t)p & (old->size - 1), j = (uint32_t)p & (w->size - 1);
        if (old->present[i >> 3] & (1u << (i & 7))) {
            w->bytes[j] = old->bytes[i];
            w->present[j >> 3] |= (uint8_t)(1u << (j & 7));
        }
    }
}

struct tcp_window *flow_window_grow(struct flow_table *t, struct flow *f, int dir, int full)
{
    struct tcp_window *old = f->tcp[dir].win;
    enum win_class oc = WIN_CLASS(old);
    enum win_class c = full ? WIN_FULL : (enum win_class)t->grown;
    if (oc >= c)
        return old;
    struct tcp_window *w = window_make(t, f, c);
    /* A half that cannot have the full window takes the page a first window used to
     * be, so its logs stay as long as they always were. */
    if (!w && oc == WIN_HALF && t->grown == WIN_PAGE)
        w = window_make(t, f, WIN_PAGE);
    if (!w) {
        t->stats.alloc_failures++;
        return old; /* the old window carries on */
    }
    window_copy(w, old);
    f->tcp[dir].win = w;
    f->mem -= t->slot[oc];
    window_free(t, old);
    return w;
}

static void flow_init(struct flow_table *t, struct flow *f, const struct flow_key *k, uint64_t h,
                      const struct packet *pkt)
{
    memset(f, 0, sizeof *f);
    f->key = *k;
    f->hash = h;
    f->id = ++t->next_id;
    memcpy(f->src_ip, pkt->ip_src, sizeof f->src_ip);
    memcpy(f->dst_ip, pkt->ip_dst, sizeof f->dst_ip);
    f->src_port = pkt->sport;
    f->dst_port = pkt->dport;
    f->first_ts = f->last_ts = pkt->ts_ns;
}

/* Bounded expiry from the old end of each timeout class's list. */
static void expire_some(struct flow_table *t, int64_t now)
{
    if (now <= t->expire_after)
        return;
    unsigned budget = FLOW_EXPIRE_PER_PACKET;
    for (int c = 0; c < FLOW_XCLASSES; c++)
        while (budget && t->xoldest[c] && flow_expired(t, t->xoldest[c], now)) {
            flow_destroy(t, t->xoldest[c]);
            t->stats.expired++;
            budget--;
        }
    t->expire_after = INT64_MAX;
    for (int c = 0; c < FLOW_XCLASSES; c++)
        if (t->xoldest[c])
            xlist_new_oldest(t, t->xoldest[c]);
}

/* The flow of key k (hash h) in its bucket, or NULL. */
static struct flow *bucket_find(const struct flow_table *t, const struct flow_key *k, uint64_t h)
{
    struct flow *f = t->buckets[h & t->mask];
    while (f && !(f->hash == h && memcmp(&f->key, k, sizeof *k) == 0))
        f = f->hnext;
    return f;
}

/* A new flow for pkt (its key k, hash h), the newest of every list; NULL when no
 * record can be had (counted). */
static struct flow *flow_create(struct flow_table *t, const struct packet *pkt,
                                const struct flow_key *k, uint64_t h)
{
    if (t->count >= t->cfg.max_flows) {
        evict_oldest(t);
        t->stats.evicted_count++;
    }
    struct flow *f = flow_alloc(t);
    if (!f) {
        t->stats.alloc_failures++;
        return NULL;
    }
    flow_init(t, f, k, h, pkt);
    struct flow **b = &t->buckets[h & t->mask];
    f->hnext = *b;
    *b = f;
    t->count++;
    t->stats.created++;
    if (t->count > t->stats.active_peak)
        t->stats.active_peak = t->count;
    lru_push_newest(t, f);
    xlist_push_newest(t, f);
    return f;
}

/* A packet of f: f becomes the newest of the lists it is on. */
static void flow_touch(struct flow_table *t, struct flow *f)
{
    if (f != t->newest) {
        lru_unlink(t, f);
        lru_push_newest(t, f);
    }
    if (f != t->xnewest[f->xclass]) {
        xlist_unlink(t, f);
        xlist_push_newest(t, f);
    }
    if (f != t->wnewest && wlist_has(t, f)) {
        wlist_unlink(t, f);
        wlist_push_newest(t, f);
    }
}

struct flow *flow_table_get(struct flow_table *t, const struct packet *pkt, int *dir)
{
    int64_t now = pkt->ts_ns;
    expire_some(t, now);

    /* The cache first: a hit needs neither the key nor its hash. */
    size_t alen = pkt->ip_version == 4 ? 4 : 16;
    struct flow **slot =
        &t->cache[flow_cache_index(t->key, pkt->ip_src, pkt->ip_dst, pkt->sport, pkt->dport, alen)];
    struct flow *f = *slot;
    int d = f ? flow_match(f, pkt) : -1;
    if (d < 0 || flow_expired(t, f, now)) {
        struct flow_key k;
        flow_key_make(&k, pkt);
        uint64_t h = flow_key_hash(t->key, &k);
        f = bucket_find(t, &k, h);
        if (f && flow_expired(t, f, now)) {
            flow_destroy(t, f);
            t->stats.expired++;
            f = NULL;
        }
        if (f) {
            flow_touch(t, f);
        } else if (!(f = flow_create(t, pkt, &k, h))) {
            return NULL;
        }
        d = flow_match(f, pkt); /* 0 or 1: f has pkt's key */
        *slot = f;
    } else {
        flow_touch(t, f);
    }
    if (now > f->last_ts)
        f->last_ts = now;

    *dir = d;
    f->pkts[d]++;
    f->bytes[d] += pkt->wirelen;
    return f;
}
