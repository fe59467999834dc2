/* secondsight - unit tests for the rules of diff-conv.c: a conversation has one record
 * for both directions; a matched pair makes the inside and the outside conversation one
 * (the NAT mapping), learns the direction's ingress side, the device's NAT address and
 * a firewall's sequence offset. */
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

static int setup(void **state)
{
    (void)state;
    memset(&opts, 0, sizeof opts);
    opts.nat = 1;
    opts.out = fopen("/dev/null", "w");
    d = malloc(sizeof *d);
    return !opts.out || !d || !diff_init(d, &opts);
}

static int teardown(void **state)
{
    (void)state;
    diff_free(d);
    free(d);
    fclose(opts.out);
    return 0;
}

static struct summary seg(const char *src, uint16_t sport, const char *dst, uint16_t dport,
                          uint32_t seq, uint32_t ack)
{
    struct summary s;
    memset(&s, 0, sizeof s);
    s.v = 4;
    s.proto = IPPROTO_NUM_TCP;
    s.l4_ok = 1;
    s.flags = TH_ACK | TH_PSH;
    s.seq = seq;
    s.ack = ack;
    s.payload_len = s.payload_wire_len = 100;
    s.sport = sport;
    s.dport = dport;
    unsigned a, b, c, e;
    sscanf(src, "%u.%u.%u.%u", &a, &b, &c, &e);
    s.src[0] = (uint8_t)a, s.src[1] = (uint8_t)b, s.src[2] = (uint8_t)c, s.src[3] = (uint8_t)e;
    sscanf(dst, "%u.%u.%u.%u", &a, &b, &c, &e);
    s.dst[0] = (uint8_t)a, s.dst[1] = (uint8_t)b, s.dst[2] = (uint8_t)c, s.dst[3] = (uint8_t)e;
    return s;
}

static struct copy copy_of(struct summary *s, int side, int64_t ts)
{
    uint8_t dir = 0;
    uint32_t ci = diff_conv_get(d, side, s, ts, &dir);
    struct copy x = {
        .s = s, .ts = ts, .conv = ci, .gen = d->convs[ci].gen, .side = (uint8_t)side, .dir = dir};
    return x;
}

/* Both directions of a 5-tuple are one conversation, direction 0 the first seen. */
static void test_one_conversation_both_directions(void **state)
{
    (void)state;
    struct summary a = seg("192.0.2.10", 49152, "198.51.100.20", 80, 1, 1);
    struct summary b = seg("198.51.100.20", 80, "192.0.2.10", 49152, 1, 101);
    struct copy x = copy_of(&a, DIFF_INSIDE, 1000), y = copy_of(&b, DIFF_INSIDE, 2000);
    assert_int_equal(x.conv, y.conv);
    assert_int_equal(x.dir, 0);
    assert_int_equal(y.dir, 1);
    /* the same tuple outside is another record until a pair says they are one */
    struct copy z = copy_of(&a, DIFF_OUTSIDE, 3000);
    assert_int_not_equal(z.conv, x.conv);
}

/* A pair across a NAT that also shifts the client's sequence numbers: one conversation,
 * mapped, its ingress side and offset learnt; the NAT address is the device's own, the
 * server's is not. */
static void test_pair_learns_the_mapping(void **state)
{
    (void)state;
    struct summary in = seg("192.0.2.11", 40000, "198.51.100.20", 443, 1000, 5000);
    struct summary out = seg("203.0.113.1", 61001, "198.51.100.20", 443, 1000 + 0x3c000000, 5000);
    struct copy x = copy_of(&in, DIFF_INSIDE, 10000), y = copy_of(&out, DIFF_OUTSIDE, 10050);
    assert_int_not_equal(x.conv, y.conv);
    uint8_t dir = 9;
    uint32_t ci = diff_conv_learn(d, &x, &y, &dir);
    assert_int_equal(ci, x.conv);
    assert_int_equal(dir, 0);
    const struct conv *c = &d->convs[ci];
    assert_true(c->mapped);
    assert_int_equal(c->ingress[0], DIFF_INSIDE);
    assert_int_equal(c->off[0], 0x3c000000);
    assert_true(diff_device_addr(d, DIFF_OUTSIDE, 4, out.src));
    assert_false(diff_device_addr(d, DIFF_OUTSIDE, 4, out.dst));
    assert_null(diff_conv_at(d, y.conv, y.gen)); /* the outside record merged away */
    /* the server's answer outside now finds the merged conversation, direction 1 */
    struct summary back = seg("198.51.100.20", 443, "203.0.113.1", 61001, 5000, 1100 + 0x3c000000);
    struct copy r = copy_of(&back, DIFF_OUTSIDE, 20000);
    assert_int_equal(r.conv, ci);
    assert_int_equal(r.dir, 1);
    diff_translate(&back, &d->convs[ci], DIFF_OUTSIDE, r.dir);
    assert_int_equal(back.nack, 1100); /* in the inside numbering */
}

/* An ICMP echo's identifier names its conversation: request and reply are one, another
 * session between the same hosts is another. */
static void test_echo_sessions(void **state)
{
    (void)state;
    struct summary req = seg("192.0.2.12", 0, "198.51.100.20", 0, 0, 0);
    req.proto = IPPROTO_NUM_ICMP;
    req.icmp_type = 8;
    req.echo_id = 0x55;
    req.echo_seq = 1;
    struct summary rep = seg("198.51.100.20", 0, "192.0.2.12", 0, 0, 0);
    rep.proto = IPPROTO_NUM_ICMP;
    rep.icmp_type = 0;
    rep.echo_id = 0x55;
    rep.echo_seq = 1;
    struct summary other = req;
    other.echo_id = 0x66;
    struct copy a = copy_of(&req, DIFF_INSIDE, 30000), b = copy_of(&rep, DIFF_INSIDE, 31000);
    struct copy c = copy_of(&other, DIFF_INSIDE, 32000);
    assert_int_equal(a.conv, b.conv);
    assert_int_equal(b.dir, 1);
    assert_int_not_equal(a.conv, c.conv);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_one_conversation_both_directions),
        cmocka_unit_test(test_pair_learns_the_mapping),
        cmocka_unit_test(test_echo_sessions),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
