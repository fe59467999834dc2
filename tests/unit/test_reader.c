/* secondsight - unit tests for the reader idiom (util-reader.h): every boundary of the
 * bounds check, the sticky error flag, sub-readers, peeks and both byte orders. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "util-reader.h"

/* Reading exactly what is left succeeds and leaves nothing; one byte more fails. */
static void test_exact_remaining_then_one_more(void **state)
{
    (void)state;
    static const uint8_t b[] = {0x01, 0x02, 0x03, 0x04, 0x05};
    struct reader r = reader_make(b, sizeof b);

    assert_int_equal(reader_left(&r), 5);
    assert_true(reader_skip(&r, 1));
    assert_int_equal(reader_u32be(&r), 0x02030405); /* exactly the 4 bytes left */
    assert_int_equal(r.off, 5);
    assert_int_equal(reader_left(&r), 0);
    assert_false(r.err);

    assert_int_equal(reader_u8(&r), 0); /* one more byte: not there */
    assert_true(r.err);
    assert_int_equal(r.off, 5);
}

/* Each width fails cleanly when one byte short, without moving the offset. */
static void test_each_width_one_short(void **state)
{
    (void)state;
    static const uint8_t b[] = {0xaa, 0xbb, 0xcc, 0xdd};
    struct reader r;

    r = reader_make(b, 1);
    assert_int_equal(reader_u16be(&r), 0);
    assert_true(r.err);
    assert_int_equal(r.off, 0);

    r = reader_make(b, 1);
    assert_int_equal(reader_u16le(&r), 0);
    assert_true(r.err);

    r = reader_make(b, 3);
    assert_int_equal(reader_u32be(&r), 0);
    assert_true(r.err);
    assert_int_equal(r.off, 0);

    r = reader_make(b, 3);
    assert_int_equal(reader_u32le(&r), 0);
    assert_true(r.err);

    r = reader_make(b, 3);
    assert_false(reader_skip(&r, 4));
    assert_true(r.err);
    assert_int_equal(r.off, 0);
}

/* After the first failure every read returns 0 and the offset stays put, even reads
 * (and peeks) that would have fitted in the 4 bytes that are left. */
static void test_error_is_sticky(void **state)
{
    (void)state;
    static const uint8_t b[] = {0x11, 0x22, 0x33, 0x44, 0x55, 0x66};
    struct reader r = reader_make(b, sizeof b);

    assert_int_equal(reader_u16be(&r), 0x1122);
    assert_false(reader_skip(&r, 5)); /* 4 bytes left: sets err */
    assert_true(r.err);
    size_t off = r.off;
    assert_int_equal(off, 2);

    assert_int_equal(reader_u8(&r), 0);
    assert_int_equal(reader_u16be(&r), 0);
    assert_int_equal(reader_u16le(&r), 0);
    assert_int_equal(reader_u32be(&r), 0);
    assert_int_equal(reader_u32le(&r), 0);
    assert_false(reader_skip(&r, 0));
    assert_false(reader_skip(&r, 1));
    uint8_t dst[2] = {0xee, 0xee};
    assert_false(reader_copy(&r, dst, 2));
    assert_int_equal(dst[0], 0xee); /* untouched on failure */
    assert_int_equal(dst[1], 0xee);
    struct reader s = reader_sub(&r, 1);
    assert_true(s.err);
    assert_int_equal(reader_left(&s), 0);
    uint8_t peek = 0x5a;
    assert_false(reader_peek_u8(&r, 0, &peek));
    assert_int_equal(peek, 0x5a);
    assert_int_equal(reader_left(&r), 0);
    assert_int_equal(r.off, off);
    assert_true(r.err);

    /* Rewinding the offset alone does not clear the error. */
    r.off = 0;
    assert_int_equal(reader_u8(&r), 0);
    assert_int_equal(r.off, 0);
}

/* A failed copy leaves the destination untouched; a good one copies exactly n bytes. */
static void test_copy(void **state)
{
    (void)state;
    static const uint8_t b[] = {0xc0, 0xa8, 0x00, 0x01}; /* 192.168.0.1 */
    uint8_t dst[5] = {0, 0, 0, 0, 0x99};
    struct reader r = reader_make(b, sizeof b);

    assert_true(reader_copy(&r, dst, 4));
    assert_memory_equal(dst, b, 4);
    assert_int_equal(dst[4], 0x99);
    assert_int_equal(r.off, 4);

    r = reader_make(b, 3);
    uint8_t d2[4] = {7, 7, 7, 7};
    assert_false(reader_copy(&r, d2, 4));
    assert_int_equal(d2[0], 7);
    assert_int_equal(d2[3], 7);
    assert_int_equal(r.off, 0);
}

/* reader_sub: a view of the next n bytes that the parent skips; past the end it is an
 * errored, empty reader and the parent is errored too. */
static void test_sub(void **state)
{
    (void)state;
    static const uint8_t b[] = {
        0x01, 0x02,       /* header */
        0x10, 0x20, 0x30, /* a 3-byte body */
        0xff,             /* trailer */
    };
    struct reader r = reader_make(b, sizeof b);

    assert_true(reader_skip(&r, 2));
    struct reader s = reader_sub(&r, 3);
    assert_false(s.err);
    assert_int_equal(s.len, 3);
    assert_int_equal(reader_left(&s), 3);
    assert_ptr_equal(reader_ptr(&s), b + 2);
    assert_int_equal(r.off, 5); /* parent skipped the body */

    /* The sub-reader is bounded by its own length, not the parent's. */
    assert_int_equal(reader_u16be(&s), 0x1020);
    assert_int_equal(reader_u16be(&s), 0);
    assert_true(s.err);
    assert_false(r.err); /* the child's failure is its own */
    assert_int_equal(reader_u8(&r), 0xff);

    /* Exactly what is left: fine, and empty. */
    r = reader_make(b, sizeof b);
    s = reader_sub(&r, sizeof b);
    assert_false(s.err);
    assert_int_equal(reader_left(&r), 0);

    /* One past the end. */
    r = reader_make(b, sizeof b);
    reader_skip(&r, 4);
    s = reader_sub(&r, 3);
    assert_true(s.err);
    assert_null(s.p);
    assert_int_equal(s.len, 0);
    assert_int_equal(reader_left(&s), 0);
    assert_int_equal(reader_u8(&s), 0);
    assert_true(r.err);
    assert_int_equal(r.off, 4);

    /* A huge n must not wrap the bounds check. */
    r = reader_make(b, sizeof b);
    reader_skip(&r, 1);
    s = reader_sub(&r, SIZE_MAX);
    assert_true(s.err);
    assert_true(r.err);
    assert_int_equal(r.off, 1);
}

static void test_skip(void **state)
{
    (void)state;
    static const uint8_t b[] = {0x00, 0x01, 0x02, 0x03};
    struct reader r = reader_make(b, sizeof b);

    assert_true(reader_skip(&r, 0));
    assert_int_equal(r.off, 0);
    assert_true(reader_skip(&r, 3));
    assert_int_equal(reader_u8(&r), 0x03);
    assert_true(reader_skip(&r, 0)); /* zero at the very end is fine */
    assert_false(r.err);

    r = reader_make(b, sizeof b);
    assert_true(reader_skip(&r, 2));
    assert_false(reader_skip(&r, SIZE_MAX)); /* no wrap of off + n */
    assert_true(r.err);
    assert_int_equal(r.off, 2);
}

/* Peeking never consumes and never sets the error flag. */
static void test_peek(void **state)
{
    (void)state;
    static const uint8_t b[] = {0x45, 0x00, 0x00, 0x28};
    struct reader r = reader_make(b, sizeof b);
    uint8_t v = 0;

    assert_true(reader_peek_u8(&r, 0, &v));
    assert_int_equal(v, 0x45);
    assert_true(reader_peek_u8(&r, 3, &v));
    assert_int_equal(v, 0x28);
    assert_int_equal(r.off, 0);

    v = 0x77;
    assert_false(reader_peek_u8(&r, 4, &v)); /* one past the end */
    assert_int_equal(v, 0x77);
    assert_false(reader_peek_u8(&r, SIZE_MAX, &v));
    assert_false(r.err);

    /* Peeks are relative to the current offset. */
    reader_skip(&r, 2);
    assert_true(reader_peek_u8(&r, 1, &v));
    assert_int_equal(v, 0x28);
    assert_false(reader_peek_u8(&r, 2, &v));
    assert_false(r.err);
    assert_int_equal(reader_u16be(&r), 0x0028);
}

static void test_byte_orders(void **state)
{
    (void)state;
    static const uint8_t b[] = {
        0x12, 0x34,             /* u16 */
        0x12, 0x34,             /* u16 */
        0xde, 0xad, 0xbe, 0xef, /* u32 */
        0xde, 0xad, 0xbe, 0xef, /* u32 */
        0xff, 0xfe,             /* u16 with the top bit set */
        0x80, 0x00, 0x00, 0x01, /* u32 with the top bit set */
    };
    struct reader r = reader_make(b, sizeof b);

    assert_int_equal(reader_u16be(&r), 0x1234);
    assert_int_equal(reader_u16le(&r), 0x3412);
    assert_int_equal(reader_u32be(&r), 0xdeadbeefu);
    assert_int_equal(reader_u32le(&r), 0xefbeaddeu);
    assert_int_equal(reader_u16be(&r), 0xfffe);
    assert_int_equal(reader_u32be(&r), 0x80000001u);
    assert_int_equal(reader_left(&r), 0);
    assert_false(r.err);
}

/* A zero-length reader: nothing to read, but zero-byte operations succeed. */
static void test_zero_length(void **state)
{
    (void)state;
    static const uint8_t b[1] = {0x42};
    struct reader r = reader_make(b, 0);
    uint8_t v = 0;

    assert_int_equal(reader_left(&r), 0);
    assert_false(reader_peek_u8(&r, 0, &v));
    assert_false(r.err);
    assert_true(reader_skip(&r, 0));
    struct reader s = reader_sub(&r, 0);
    assert_false(s.err);
    assert_int_equal(reader_left(&s), 0);
    assert_int_equal(reader_u8(&r), 0);
    assert_true(r.err);
    assert_int_equal(r.off, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_exact_remaining_then_one_more),
        cmocka_unit_test(test_each_width_one_short),
        cmocka_unit_test(test_error_is_sticky),
        cmocka_unit_test(test_copy),
        cmocka_unit_test(test_sub),
        cmocka_unit_test(test_skip),
        cmocka_unit_test(test_peek),
        cmocka_unit_test(test_byte_orders),
        cmocka_unit_test(test_zero_length),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
