/* secondsight - unit tests for capture-block.c and the capture file's use of it: a
 * block is reused only when every holder has let go, the pool keeps to its cap, and a
 * file read through a pool hands over frames whose bytes stay as read while a holder
 * keeps their block (the reader reads on into other blocks meanwhile). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "capture-block.h"
#include "capture.h"
#include "config.h"

static void test_reused_only_when_let_go(void **state)
{
    (void)state;
    struct block_pool *pool = block_pool_new(2);
    assert_non_null(pool);
    struct capture_block *a = capture_block_get(pool, 64);
    assert_non_null(a);
    assert_false(capture_block_shared(a));
    capture_block_hold(a); /* a batch */
    assert_true(capture_block_shared(a));
    capture_block_release(a); /* the reader moves on; the batch still holds a */
    struct capture_block *b = capture_block_get(pool, 64);
    assert_non_null(b);
    assert_ptr_not_equal(a, b);
    /* At the cap, with a still held, there is none to give. */
    assert_null(capture_block_get(pool, 64));
    assert_int_equal(block_pool_count(pool), 2);
    capture_block_release(a); /* the batch is done: a is free again */
    struct capture_block *c = capture_block_get(pool, 64);
    assert_ptr_equal(a, c);
    assert_false(capture_block_shared(c));
    assert_int_equal(block_pool_count(pool), 2);
    capture_block_release(b);
    capture_block_release(c);
    capture_block_release(NULL);
    block_pool_free(pool);

    /* Without a pool a block is the caller's own, freed by the last release. */
    struct capture_block *own = capture_block_get(NULL, 16);
    assert_non_null(own);
    capture_block_hold(own);
    capture_block_release(own);
    capture_block_release(own);
}

#define FRAME_BYTES 1000
#define FRAMES (3 * CAPTURE_READ_BYTES / FRAME_BYTES) /* three blocks and more */

/* Frame i's bytes: its number, then a pattern of it. */
static void frame_bytes(uint32_t i, uint8_t *d)
{
    memcpy(d, &i, sizeof i);
    for (size_t k = sizeof i; k < FRAME_BYTES; k++)
        d[k] = (uint8_t)(i * 7 + k);
}

static void write_capture(char *path)
{
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    FILE *fp = fdopen(fd, "wb");
    assert_non_null(fp);
    uint32_t head[6] = {0xA1B2C3D4u, 0x00040002u, 0, 0, 262144, 1};
    assert_int_equal(fwrite(head, 4, 6, fp), 6);
    uint8_t d[FRAME_BYTES];
    for (uint32_t i = 0; i < FRAMES; i++) {
        uint32_t rec[4] = {1700000000u + i, 0, FRAME_BYTES, FRAME_BYTES};
        frame_bytes(i, d);
        assert_int_equal(fwrite(rec, 4, 4, fp), 4);
        assert_int_equal(fwrite(d, 1, sizeof d, fp), sizeof d);
    }
    fclose(fp);
}

/* Holds every 100th frame's block, as a batch would, and checks every frame. */
struct holder {
    struct capture_block *held[FRAMES / 100 + 1];
    const uint8_t *data[FRAMES / 100 + 1];
    uint32_t nheld, frames, bad, in_place;
    int one; /* hold one block at a time, letting go of the last when taking the next */
};

static void hold_some(void *arg, struct packet *pkt)
{
    struct holder *h = arg;
    uint8_t want[FRAME_BYTES];
    frame_bytes(h->frames, want);
    if (pkt->caplen != FRAME_BYTES || memcmp(pkt->data, want, FRAME_BYTES) != 0)
        h->bad++;
    if (pkt->block)
        h->in_place++;
    if (pkt->block && h->frames % 100 == 0) {
        if (h->one && h->nheld)
            capture_block_release(h->held[--h->nheld]);
        capture_block_hold(pkt->block);
        h->held[h->nheld] = pkt->block;
        h->data[h->nheld++] = pkt->data;
    }
    h->frames++;
}

static void test_file_through_a_pool(void **state)
{
    (void)state;
    char path[] = "/tmp/ss-test-blocks-XXXXXX";
    write_capture(path);
    struct block_pool *pool = block_pool_new(3);
    struct holder *h = calloc(1, sizeof *h);
    assert_non_null(h);
    struct file_stats fs;
    memset(&fs, 0, sizeof fs);
    /* Frames 0, 100, ... keep every block held: the pool's cap of 3 ends in-place
     * reading (libpcap reads on, the same frames) before the file's end (4 blocks). */
    assert_int_equal(capture_file_read(path, 0, &fs, pool, hold_some, h), CAPTURE_OK);
    assert_int_equal(h->frames, FRAMES);
    assert_int_equal(fs.packets, FRAMES);
    assert_int_equal(h->bad, 0);
    assert_true(h->in_place > CAPTURE_READ_BYTES / FRAME_BYTES);
    assert_true(h->in_place < FRAMES);
    assert_int_equal(block_pool_count(pool), 3);
    /* What the holders kept is still as read. */
    for (uint32_t k = 0; k < h->nheld; k++) {
        uint8_t want[FRAME_BYTES];
        frame_bytes(k * 100, want);
        assert_memory_equal(h->data[k], want, FRAME_BYTES);
    }
    for (uint32_t k = 0; k < h->nheld; k++)
        capture_block_release(h->held[k]);

    /* Let go of soon (as batches are), three blocks do for the whole file: the one
     * held, the one being read and the next. */
    memset(h, 0, sizeof *h);
    h->one = 1;
    memset(&fs, 0, sizeof fs);
    struct block_pool *small = block_pool_new(3);
    assert_int_equal(capture_file_read(path, 0, &fs, small, hold_some, h), CAPTURE_OK);
    for (uint32_t k = 0; k < h->nheld; k++)
        capture_block_release(h->held[k]);
    assert_int_equal(h->frames, FRAMES);
    assert_int_equal(h->in_place, FRAMES);
    assert_int_equal(h->bad, 0);
    assert_true(block_pool_count(small) <= 3);
    block_pool_free(small);
    block_pool_free(pool);
    free(h);
    unlink(path);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_reused_only_when_let_go),
        cmocka_unit_test(test_file_through_a_pool),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
