/* secondsight - unit tests for the rules of diff-range.c: a lone TCP segment compared
 * with what the other side carried over its sequence range, every kept byte: the same
 * bytes cut otherwise, other bytes over the same range wherever the copy starts, a
 * range carried only in part, and segments already matched left out when asked. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "diff-int.h"
#include "diff.h"

static struct diff *d;
static struct diff_options opts;
static struct conv conv; /* one connection known on both sides, no offsets */
static uint8_t stream[4000];

static int setup(void **state)
{
    (void)state;
    memset(&opts, 0, sizeof opts);
    opts.out = fopen("/dev/null", "w");
    d = malloc(sizeof *d);
    if (!opts.out || !d || !diff_init(d, &opts))
        return 1;
    memset(&conv, 0, sizeof conv);
    conv.v = 4;
    conv.proto = IPPROTO_NUM_TCP;
    for (int side = 0; side < SIDES; side++) {
        conv.has[side] = 1;
        conv.t[side].src[0] = 198;
        conv.t[side].dst[0] = side ? 203 : 192; /* the NAT address outside */
        conv.t[side].sport = 80;
        conv.t[side].dport = side ? 61001 : 49152;
    }
    for (size_t i = 0; i < sizeof stream; i++)
        stream[i] = (uint8_t)(i * 7 + i / 251);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    diff_free(d);
    free(d);
    fclose(opts.out);
    return 0;
}

/* A data segment of direction 0 on `side`: stream bytes [from, from + len), with
 * `bytes` (or the stream's) as its payload. */
static struct summary seg(int side, uint32_t from, uint32_t len)
{
    struct summary s;
    memset(&s, 0, sizeof s);
    s.v = 4;
    s.proto = IPPROTO_NUM_TCP;
    s.l4_ok = 1;
    s.flags = TH_ACK | TH_PSH;
    memcpy(s.src, conv.t[side].src, 16);
    memcpy(s.dst, conv.t[side].dst, 16);
    s.sport = conv.t[side].sport;
    s.dport = conv.t[side].dport;
    s.seq = s.nseq = 1000 + from;
    s.payload_len = s.payload_wire_len = len;
    return s;
}

/* The rings emptied, as at the start of a run. */
static void fresh(void)
{
    d->range_next = d->range_head = 0;
    memset(d->ranges, 0, DIFF_RANGE_SLOTS * sizeof *d->ranges);
    memset(d->range_heads, 0, DIFF_RANGE_SLOTS * sizeof *d->range_heads);
}

static struct copy keep(struct summary *s, int side, const uint8_t *bytes, int64_t ts)
{
    struct copy x = {.s = s,
                     .bytes = bytes,
                     .len = s->payload_len,
                     .ts = ts,
                     .side = (uint8_t)side,
                     .frame = (uint64_t)ts};
    x.range = diff_range_add(d, &x);
    return x;
}

static void test_resegmented(void **state)
{
    (void)state;
    fresh();
    struct summary whole = seg(DIFF_OUTSIDE, 0, 1200);
    struct summary a = seg(DIFF_INSIDE, 0, 600), b = seg(DIFF_INSIDE, 600, 600);
    struct copy w = keep(&whole, DIFF_OUTSIDE, stream, 1000);
    struct copy x = keep(&a, DIFF_INSIDE, stream, 1100);
    struct copy y = keep(&b, DIFF_INSIDE, stream + 600, 1100);
    struct overlap o;
    diff_range_overlap(d, &w, &conv, 1, &o); /* what entered: cut into two */
    assert_int_equal(o.overlaps, 2);
    assert_int_equal(o.compared, 1200);
    assert_int_equal(o.differ, 0);
    assert_true(o.whole);
    diff_range_overlap(d, &y, &conv, 0, &o); /* what left: the second half of it */
    assert_int_equal(o.compared, 600);
    assert_int_equal(o.differ, 0);
    assert_true(o.whole);
    (void)x;
}

static void test_recut_and_offset_forged(void **state)
{
    (void)state;
    fresh();
    uint8_t forged[200];
    memcpy(forged, stream + 100, sizeof forged);
    forged[150] ^= 0x20; /* far past any prefix */
    struct summary genuine = seg(DIFF_OUTSIDE, 0, 600), copy = seg(DIFF_INSIDE, 100, 200);
    struct copy g = keep(&genuine, DIFF_OUTSIDE, stream, 1000);
    diff_range_paired(d, g.range); /* forwarded: it has its pair inside */
    struct copy f = keep(&copy, DIFF_INSIDE, forged, 1200);
    struct overlap o;
    diff_range_overlap(d, &f, &conv, 0, &o);
    assert_int_equal(o.compared, 200);
    assert_int_equal(o.differ, 1);
    assert_int_equal(o.first_off, 150);
    assert_int_equal(o.frame, 1000);
    assert_int_equal(o.before, stream[250]);
    /* asked for lone segments only, the forwarded one is left out */
    diff_range_overlap(d, &f, &conv, 1, &o);
    assert_int_equal(o.overlaps, 0);
}

static void test_partly_carried(void **state)
{
    (void)state;
    fresh();
    struct summary half = seg(DIFF_INSIDE, 0, 300), whole = seg(DIFF_OUTSIDE, 0, 600);
    keep(&half, DIFF_INSIDE, stream, 1100);
    struct copy w = keep(&whole, DIFF_OUTSIDE, stream, 1000);
    struct overlap o;
    diff_range_overlap(d, &w, &conv, 1, &o);
    assert_int_equal(o.differ, 0);
    assert_int_equal(o.compared, 300);
    assert_false(o.whole);
    /* beyond the window: not the same exchange */
    w.ts = 1000 + 3 * d->window;
    diff_range_overlap(d, &w, &conv, 1, &o);
    assert_int_equal(o.overlaps, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_resegmented),
        cmocka_unit_test(test_recut_and_offset_forged),
        cmocka_unit_test(test_partly_carried),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
