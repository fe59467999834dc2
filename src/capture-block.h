/* secondsight - the blocks a capture file's records are read into, shared: with
 * --threads the reader hands other threads' frames over as pointers into the block
 * (each batch holding a reference) instead of copying them, and reads on into
 * another block until every holder has let go of the first. */
#ifndef SS_CAPTURE_BLOCK_H
#define SS_CAPTURE_BLOCK_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

struct block_pool;

struct capture_block {
    atomic_uint refs;           /* holders: the file reading into it, each batch */
    struct block_pool *pool;    /* where it goes when let go; NULL: freed */
    struct capture_block *next; /* in the pool's free list */
    size_t cap;
    uint8_t data[];
};

/* A pool of at most `max_blocks` blocks (made as needed, kept for reuse); NULL when
 * out of memory. Freed after every block has been let go. */
struct block_pool *block_pool_new(uint32_t max_blocks);
void block_pool_free(struct block_pool *pool);
/* Blocks the pool has made (in use or free). */
uint32_t block_pool_count(struct block_pool *pool);

/* A block of `cap` bytes held once by the caller, from `pool` (NULL: a block of its
 * own); NULL when out of memory or the pool is at its cap. */
struct capture_block *capture_block_get(struct block_pool *pool, size_t cap);
void capture_block_hold(struct capture_block *b);
/* Lets go of b; the last holder puts it back in its pool (or frees it). NULL: nothing. */
void capture_block_release(struct capture_block *b);
/* Whether anyone but the caller (who holds it) still holds b. */
static inline int capture_block_shared(struct capture_block *b)
{
    return atomic_load_explicit(&b->refs, memory_order_acquire) > 1;
}

#endif
