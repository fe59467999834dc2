/* secondsight - unit tests for the rules of diff-judge.c: when a capture covers a
 * moment, and when repeated drops of one packet are certain. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "diff-int.h"

/* Nothing within DIFF_EDGE_NS of the other capture's first or last packet is judged. */
static void test_capture_span(void **state)
{
    (void)state;
    static struct diff d; /* large: not on the stack */
    memset(&d, 0, sizeof d);
    d.span_first[1] = 1000000000;
    assert_false(diff_covered(&d, 1, 999999999));
    assert_false(diff_covered(&d, 1, 1000000000 + DIFF_EDGE_NS - 1));
    assert_true(diff_covered(&d, 1, 5000000000));
    d.span_last[1] = 6000000000;
    assert_true(diff_covered(&d, 1, 5000000000)); /* still running */
    d.span_ended[1] = 1;
    assert_true(diff_covered(&d, 1, 5000000000));
    assert_false(diff_covered(&d, 1, 6000000000 - DIFF_EDGE_NS + 1));
}

static void test_repeated_drops(void **state)
{
    (void)state;
    assert_false(diff_repeats_certain(2, 100, 0));
    assert_true(diff_repeats_certain(DIFF_CERTAIN_REPEATS, 1, 0));
    assert_false(diff_repeats_certain(DIFF_CERTAIN_REPEATS, 0, 0)); /* nothing crossed */
    assert_false(diff_repeats_certain(5, 100, 1));                  /* the capture lost some */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_capture_span),
        cmocka_unit_test(test_repeated_drops),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
