/* secondsight - unit tests for the rules of diff-clock.c: when an estimate is weak, how
 * matched pairs move the offset, and the drift they show. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "diff-int.h"

static void test_clock_weak(void **state)
{
    (void)state;
    int64_t window = 2000000000;
    assert_true(diff_clock_weak(DIFF_CLOCK_MIN_SAMPLES - 1, 0, window));
    assert_false(diff_clock_weak(100, 1000, window));
    assert_true(diff_clock_weak(100, window / 2, window));
}

/* Pairs whose offset grows by 50 microseconds a second: a drift of 50,000 ppb, once
 * they span DIFF_DRIFT_SPAN_S; the running offset follows them. */
static void test_drift(void **state)
{
    (void)state;
    static struct diff d; /* large: not on the stack */
    memset(&d, 0, sizeof d);
    d.ds.clock_offset_ns = d.offset = 2500000000LL;
    for (int64_t t = 0; t <= 5; t++)
        diff_clock_observe(&d, t * 1000000000LL, d.ds.clock_offset_ns + t * 50000,
                           (uint8_t)(t & 1));
    assert_int_equal(diff_drift_ppb(&d), 0); /* too short a run to say */
    for (int64_t t = 6; t <= 3 * DIFF_DRIFT_SPAN_S; t++)
        diff_clock_observe(&d, t * 1000000000LL, d.ds.clock_offset_ns + t * 50000,
                           (uint8_t)(t & 1));
    int64_t ppb = diff_drift_ppb(&d);
    assert_true(ppb > 49000 && ppb < 51000);
    assert_true(d.offset > d.ds.clock_offset_ns);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_clock_weak),
        cmocka_unit_test(test_drift),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
