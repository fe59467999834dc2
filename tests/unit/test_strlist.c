/* secondsight - unit tests for lists of strings in fixed buffers (util-strlist.c):
 * items keep their commas, a list never overflows its buffer, and an item that does
 * not fit leaves the list as it was. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "util-strlist.h"

static void test_add_iterate_join(void **state)
{
    (void)state;
    char list[32] = "";
    assert_int_equal(strlist_used(list), 0);
    assert_true(strlist_add_str(list, sizeof list, "TXT a,b"));
    assert_true(strlist_add_str(list, sizeof list, "A 192.0.2.1"));
    assert_int_equal(strlist_used(list), 8 + 12);
    unsigned n = 0;
    for (const char *p = list; *p; p = strlist_next(p))
        n++;
    assert_int_equal(n, 2);
    assert_string_equal(list, "TXT a,b");
    char out[64];
    assert_string_equal(strlist_join(out, sizeof out, list, " | "), "TXT a,b | A 192.0.2.1");
    /* A join cut short stays terminated. */
    assert_string_equal(strlist_join(out, 6, list, ","), "TXT a");
}

static void test_full_and_empty_items(void **state)
{
    (void)state;
    /* "abc\0" + final NUL: 5 bytes; a 2-byte item needs 3 more. */
    char list[7] = "";
    assert_true(strlist_add_str(list, sizeof list, "abc"));
    assert_false(strlist_add_str(list, sizeof list, "de"));
    assert_int_equal(strlist_used(list), 4);
    assert_true(strlist_add_str(list, sizeof list, "d"));
    assert_int_equal(strlist_used(list), 6);
    assert_false(strlist_add(list, sizeof list, "x", 0)); /* items are never empty */
    char copy[6];
    strlist_copy(copy, sizeof copy, list); /* whole items only: "abc" */
    assert_int_equal(strlist_used(copy), 4);
    assert_string_equal(copy, "abc");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_add_iterate_join),
        cmocka_unit_test(test_full_and_empty_items),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
