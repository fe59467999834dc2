/* secondsight - unit tests for wrap-safe TCP sequence arithmetic (util-seq.h):
 * comparisons across 2^32 and 64-bit stream positions that keep counting up. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "util-seq.h"

static void test_compare_without_wrap(void **state)
{
    (void)state;
    assert_true(seq_lt(1, 2));
    assert_false(seq_lt(2, 1));
    assert_false(seq_lt(5, 5));
    assert_true(seq_leq(5, 5));
    assert_true(seq_geq(5, 5));
    assert_false(seq_gt(5, 5));
    assert_true(seq_gt(1000, 10));
    assert_int_equal(seq_diff(1000, 10), 990);
    assert_int_equal(seq_diff(10, 1000), -990);
}

/* 0xfffffff0 comes before 0x10: 32 numbers apart across the wrap. */
static void test_compare_across_wrap(void **state)
{
    (void)state;
    assert_true(seq_lt(0xfffffff0u, 0x10u));
    assert_true(seq_leq(0xfffffff0u, 0x10u));
    assert_false(seq_gt(0xfffffff0u, 0x10u));
    assert_true(seq_gt(0x10u, 0xfffffff0u));
    assert_true(seq_geq(0x10u, 0xfffffff0u));
    assert_false(seq_lt(0x10u, 0xfffffff0u));
    assert_int_equal(seq_diff(0x10u, 0xfffffff0u), 0x20);
    assert_int_equal(seq_diff(0xfffffff0u, 0x10u), -0x20);
    assert_true(seq_lt(0xffffffffu, 0u));
    assert_int_equal(seq_diff(0u, 0xffffffffu), 1);
}

/* Half the space apart is the horizon: just under it is "after", at it "before". */
static void test_compare_at_half_space(void **state)
{
    (void)state;
    assert_int_equal(seq_diff(0x7fffffffu, 0u), INT32_MAX);
    assert_true(seq_gt(0x7fffffffu, 0u));
    assert_int_equal(seq_diff(0x80000000u, 0u), INT32_MIN);
    assert_true(seq_lt(0x80000000u, 0u));
    assert_true(seq_lt(0u, 0x7fffffffu));
}

/* A 5 GB transfer in 1 MB steps from an ISN just below the wrap: each sequence number
 * unwraps against the previous one to exactly i MB, so the 64-bit position grows
 * monotonically through two wraps of the 32-bit space. */
static void test_unwrap_5gb_transfer(void **state)
{
    (void)state;
    const uint32_t isn = 0xfff00000u;
    const int64_t step = 1 << 20;
    const int64_t total = (int64_t)5 << 30;
    uint32_t ref_seq = isn;
    int64_t ref_pos = 0;
    int wraps = 0;

    for (int64_t pos = step; pos <= total; pos += step) {
        uint32_t seq = isn + (uint32_t)pos; /* what the wire carries */
        if (seq < ref_seq)
            wraps++;
        int64_t got = seq_unwrap(seq, ref_seq, ref_pos);
        assert_int_equal(got, pos);
        assert_true(got > ref_pos);
        ref_seq = seq;
        ref_pos = got;
    }
    assert_int_equal(ref_pos, total);
    assert_int_equal(wraps, 2);
    assert_true(ref_pos > (int64_t)UINT32_MAX);
}

/* Unwrapping is relative to the reference: a retransmission from before the wrap maps
 * to a lower position, a later segment to a higher one, both across the wrap. */
static void test_unwrap_both_directions(void **state)
{
    (void)state;
    const int64_t ref_pos = ((int64_t)1 << 32) + 100; /* past one wrap already */
    assert_int_equal(seq_unwrap(0xfffffff0u, 0x10u, ref_pos), ref_pos - 0x20);
    assert_int_equal(seq_unwrap(0x10u, 0xfffffff0u, ref_pos), ref_pos + 0x20);
    assert_int_equal(seq_unwrap(0x10u, 0x10u, ref_pos), ref_pos);
    /* The farthest reachable on either side. */
    assert_int_equal(seq_unwrap(0x7fffffffu, 0u, 0), INT32_MAX);
    assert_int_equal(seq_unwrap(0x80000000u, 0u, 0), INT32_MIN);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_compare_without_wrap),
        cmocka_unit_test(test_compare_across_wrap),
        cmocka_unit_test(test_compare_at_half_space),
        cmocka_unit_test(test_unwrap_5gb_transfer),
        cmocka_unit_test(test_unwrap_both_directions),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
