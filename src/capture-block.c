/* secondsight - shared read blocks and their pool. A block is reused only when its
 * count of holders falls to zero: the shard that releases the last batch pointing
 * into it puts it back; the reader takes it from the free list for the next read. */
#include "capture-block.h"

#include <pthread.h>
#include <stdlib.h>

struct block_pool {
    pthread_mutex_t lock;
    struct capture_block *free; /* let go by every holder, ready for reuse */
    uint32_t count, max;        /* blocks made, and the cap on them */
};

struct block_pool *block_pool_new(uint32_t max_blocks)
{
    struct block_pool *pool = calloc(1, sizeof *pool);
    if (!pool)
        return NULL;
    pthread_mutex_init(&pool->lock, NULL);
    pool->max = max_blocks;
    return pool;
}

void block_pool_free(struct block_pool *pool)
{
    if (!pool)
        return;
    while (pool->free) {
        struct capture_block *b = pool->free;
        pool->free = b->next;
        free(b);
    }
    pthread_mutex_destroy(&pool->lock);
    free(pool);
}

uint32_t block_pool_count(struct block_pool *pool)
{
    pthread_mutex_lock(&pool->lock);
    uint32_t n = pool->count;
    pthread_mutex_unlock(&pool->lock);
    return n;
}

struct capture_block *capture_block_get(struct block_pool *pool, size_t cap)
{
    struct capture_block *b = NULL;
    if (pool) {
        pthread_mutex_lock(&pool->lock);
        /* A free block of another size (none today: every reader asks the same) goes. */
        while (pool->free && !b) {
            b = pool->free;
            pool->free = b->next;
            if (b->cap != cap) {
                free(b);
                pool->count--;
                b = NULL;
            }
        }
        int room = !b && pool->count < pool->max;
        if (room)
            pool->count++;
        pthread_mutex_unlock(&pool->lock);
        if (!b && !room)
            return NULL;
    }
    if (!b) {
        b = malloc(sizeof *b + cap);
        if (!b) {
            if (pool) {
                pthread_mutex_lock(&pool->lock);
                pool->count--;
                pthread_mutex_unlock(&pool->lock);
            }
            return NULL;
        }
        b->pool = pool;
        b->cap = cap;
    }
    b->next = NULL;
    atomic_init(&b->refs, 1);
    return b;
}

void capture_block_hold(struct capture_block *b)
{
    atomic_fetch_add_explicit(&b->refs, 1, memory_order_relaxed);
}

void capture_block_release(struct capture_block *b)
{
    /* Release order: a holder's reads of the block happen before the next writer's. */
    if (!b || atomic_fetch_sub_explicit(&b->refs, 1, memory_order_acq_rel) != 1)
        return;
    struct block_pool *pool = b->pool;
    if (!pool) {
        free(b);
        return;
    }
    pthread_mutex_lock(&pool->lock);
    b->next = pool->free;
    pool->free = b;
    pthread_mutex_unlock(&pool->lock);
}
