/* secondsight - unit tests for the detector toolkit: the hold (detect-hold.c) releases
 * what is due, what is ready and everything at the end, cancels by key, and counts what
 * it could not hold; the recent ring (detect-recent.c) finds repeats, widens them and
 * forgets the oldest at its cap, counting both. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "detect-hold.h"
#include "detect-recent.h"

/* What left a hold, in order. */
struct seen {
    int v[16];
    unsigned n;
};

static void record(void *item, void *arg)
{
    struct seen *s = arg;
    s->v[s->n++] = *(int *)item;
}

static void put(struct hold *h, uint64_t key, int64_t deadline, int v)
{
    int *p = hold_add(h, key, deadline);
    assert_non_null(p);
    assert_int_equal(*p, 0); /* zeroed */
    *p = v;
}

static void test_hold_release_due_and_flush(void **state)
{
    (void)state;
    struct detector_stats ds = {0};
    struct hold h;
    assert_true(hold_init(&h, 4, sizeof(int), &ds));
    put(&h, 1, 100, 10);
    put(&h, 2, 300, 20);
    put(&h, 3, 200, 30);
    struct seen s = {{0}, 0};
    hold_release_due(&h, 100, NULL, NULL, record, &s); /* due only after the deadline */
    assert_int_equal(s.n, 0);
    hold_release_due(&h, 250, NULL, NULL, record, &s);
    assert_int_equal(s.n, 2);
    assert_int_equal(s.v[0], 10);
    assert_int_equal(s.v[1], 30);
    assert_int_equal(hold_count(&h), 1);
    hold_flush(&h, record, &s);
    assert_int_equal(s.n, 3);
    assert_int_equal(s.v[2], 20);
    assert_int_equal(hold_count(&h), 0);
    assert_int_equal(ds.held, 3);
    assert_int_equal(ds.released, 3);
    assert_int_equal(ds.cancelled + ds.dropped, 0);
    hold_free(&h);
}

static int is_even(void *item, const void *arg)
{
    (void)arg;
    return *(int *)item % 2 == 0;
}

static void test_hold_cancel_find_take(void **state)
{
    (void)state;
    struct detector_stats ds = {0};
    struct hold h;
    assert_true(hold_init(&h, 8, sizeof(int), &ds));
    put(&h, 7, 100, 1);
    put(&h, 7, 100, 2);
    put(&h, 8, 100, 4);
    put(&h, 7, 100, 6);
    /* Only key 7's even items go. */
    assert_int_equal(hold_cancel(&h, 7, is_even, NULL), 2);
    assert_int_equal(hold_count(&h), 2);
    assert_int_equal(*(int *)hold_find(&h, 7), 1);
    assert_null(hold_find(&h, 9));
    struct seen s = {{0}, 0};
    hold_take(&h, hold_find(&h, 8), record, &s);
    assert_int_equal(s.n, 1);
    assert_int_equal(s.v[0], 4);
    assert_null(hold_find(&h, 8));
    assert_int_equal(hold_cancel(&h, 7, NULL, NULL), 1);
    assert_int_equal(ds.cancelled, 3);
    assert_int_equal(ds.released, 1);
    hold_free(&h);
}

static void test_hold_ready_before_deadline(void **state)
{
    (void)state;
    struct detector_stats ds = {0};
    struct hold h;
    assert_true(hold_init(&h, 4, sizeof(int), &ds));
    put(&h, 0, 1000, 3);
    put(&h, 0, 1000, 8);
    struct seen s = {{0}, 0};
    hold_release_due(&h, 10, is_even, NULL, record, &s);
    assert_int_equal(s.n, 1);
    assert_int_equal(s.v[0], 8);
    hold_free(&h);
}

static void test_hold_full_counts_dropped(void **state)
{
    (void)state;
    struct detector_stats ds = {0};
    struct hold h;
    assert_true(hold_init(&h, 2, sizeof(int), &ds));
    put(&h, 1, 10, 1);
    put(&h, 2, 10, 2);
    assert_null(hold_add(&h, 3, 10));
    assert_null(hold_add(&h, 4, 10));
    assert_int_equal(ds.held, 2);
    assert_int_equal(ds.dropped, 2);
    /* The older ones stayed. */
    assert_non_null(hold_find(&h, 1));
    assert_non_null(hold_find(&h, 2));
    hold_free(&h);
}

struct range {
    int id, lo, hi;
};

static int overlaps(void *item, const void *arg)
{
    struct range *r = item;
    const struct range *q = arg;
    if (r->id != q->id || q->lo > r->hi || q->hi < r->lo)
        return 0;
    if (q->hi > r->hi)
        r->hi = q->hi;
    return 1;
}

static void test_recent_repeats_widen_and_forget(void **state)
{
    (void)state;
    struct detector_stats ds = {0};
    struct recent_ring r;
    assert_true(recent_init(&r, 2, sizeof(struct range), &ds));
    struct range a = {1, 0, 10};
    assert_null(recent_find(&r, overlaps, &a));
    *(struct range *)recent_add(&r) = a;
    struct range b = {1, 5, 20}; /* overlaps a: a repeat, and a now reaches 20 */
    assert_non_null(recent_find(&r, overlaps, &b));
    struct range c = {1, 15, 30};
    struct range *hit = recent_find(&r, overlaps, &c);
    assert_non_null(hit);
    assert_int_equal(hit->hi, 30);
    assert_int_equal(ds.repeats, 2);
    /* Two more events fill the ring of two: the first is forgotten. */
    struct range d = {2, 0, 1}, e = {3, 0, 1};
    *(struct range *)recent_add(&r) = d;
    *(struct range *)recent_add(&r) = e;
    assert_int_equal(ds.forgotten, 1);
    assert_null(recent_find(&r, overlaps, &a));
    assert_non_null(recent_find(&r, overlaps, &d));
    recent_free(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_hold_release_due_and_flush),
        cmocka_unit_test(test_hold_cancel_find_take),
        cmocka_unit_test(test_hold_ready_before_deadline),
        cmocka_unit_test(test_hold_full_counts_dropped),
        cmocka_unit_test(test_recent_repeats_widen_and_forget),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
