/* secondsight - unit tests for the rules of diff-match.c: which packets are twins, the
 * inside numbering of an outside packet, what a forwarding device may rewrite, every
 * kept byte compared, the identity an ICMP error quotes. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "diff-int.h"
#include "util-strlist.h"

static const uint64_t key[2] = {7, 11};

static struct summary tcp(uint8_t flags, uint32_t seq, uint32_t ack, uint32_t len)
{
    struct summary s;
    memset(&s, 0, sizeof s);
    s.v = 4;
    s.proto = IPPROTO_NUM_TCP;
    s.l4_ok = 1;
    s.ttl = 64;
    s.flags = flags;
    s.seq = seq;
    s.ack = ack;
    s.payload_len = s.payload_wire_len = len;
    return s;
}

/* A pure ACK has no twin (it stands for no data a forger replaces); a data segment's
 * twin is data at the same sequence number, a SYN's a SYN. */
static void test_twins_are_the_same_kind(void **state)
{
    (void)state;
    struct conv c;
    memset(&c, 0, sizeof c);
    struct summary ack = tcp(TH_ACK, 1000, 5, 0), data = tcp(TH_ACK | TH_PSH, 1000, 5, 100);
    struct summary syn = tcp(TH_SYN, 999, 0, 0);
    diff_translate(&ack, &c, DIFF_INSIDE, 0);
    diff_translate(&data, &c, DIFF_INSIDE, 0);
    diff_translate(&syn, &c, DIFF_INSIDE, 0);
    assert_false(ack.has_twin);
    assert_true(data.has_twin);
    assert_true(syn.has_twin);
    assert_true(data.twin != syn.twin);
}

/* Outside, sequence numbers, acknowledgements and SACK edges are put in the inside
 * numbering; a RST without ACK keeps an acknowledgement of 0. */
static void test_offsets_apply_to_sack_not_to_a_bare_rst(void **state)
{
    (void)state;
    struct conv c;
    memset(&c, 0, sizeof c);
    c.off[0] = 0x1000; /* direction 0: outside = inside + 0x1000 */
    struct summary a = tcp(TH_ACK, 50, 0x1500, 0);
    a.nsack = 1;
    a.sack[0] = 0x1600;
    a.sack[1] = 0x1700;
    diff_translate(&a, &c, DIFF_OUTSIDE, 1); /* direction 1 acknowledges direction 0 */
    assert_int_equal(a.nack, 0x500);
    assert_int_equal(a.nsackv[0], 0x600);
    assert_int_equal(a.nsackv[1], 0x700);
    struct summary r = tcp(TH_RST, 0x1800, 0, 0);
    diff_translate(&r, &c, DIFF_OUTSIDE, 0);
    assert_int_equal(r.nseq, 0x800);
    assert_int_equal(r.nack, 0);
}

/* TTL down by one, timestamps and IPv4 ID rewritten: allowed; a byte changed far past
 * the start of the payload: a change. */
static void test_compare_every_byte(void **state)
{
    (void)state;
    uint8_t in[1000], out[1000];
    memset(in, 'a', sizeof in);
    memcpy(out, in, sizeof out);
    struct summary f = tcp(TH_ACK, 1, 1, sizeof in), s = f;
    s.ttl = 63;
    s.ip_id = 99;
    f.has_ts = s.has_ts = 1;
    s.tsval = 12345;
    struct copy a = {.s = &f, .bytes = in, .len = sizeof in};
    struct copy b = {.s = &s, .bytes = out, .len = sizeof out};
    struct comparison cmp;
    diff_compare(&a, &b, 1, &cmp);
    assert_string_equal(cmp.changed, "");
    assert_true(cmp.ttl && cmp.ip_id && cmp.ts);
    out[500] = 'b';
    diff_compare(&a, &b, 1, &cmp);
    assert_string_equal(cmp.changed, "payload");
    assert_int_equal(cmp.first_off, 500);
    s.ttl = 60;
    diff_compare(&a, &b, 1, &cmp);
    char joined[160];
    assert_string_equal(strlist_join(joined, sizeof joined, cmp.changed, ","), "ttl,payload");
}

/* The quoted packet of an ICMP "too big" is found again from the dropped packet. */
static void test_quote_of_a_tcp_segment(void **state)
{
    (void)state;
    struct summary s = tcp(TH_ACK, 0x01020304, 0, 1400);
    s.sport = 49152;
    s.dport = 80;
    s.src[0] = 192;
    s.dst[0] = 198;
    uint8_t l4[8] = {0xc0, 0x00, 0x00, 0x50, 0x01, 0x02, 0x03, 0x04};
    assert_true(diff_quote_of(key, &s) ==
                diff_quote_key(key, 4, IPPROTO_NUM_TCP, s.src, s.dst, l4, 8));
    l4[7] = 5;
    assert_true(diff_quote_of(key, &s) !=
                diff_quote_key(key, 4, IPPROTO_NUM_TCP, s.src, s.dst, l4, 8));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_twins_are_the_same_kind),
        cmocka_unit_test(test_offsets_apply_to_sack_not_to_a_bare_rst),
        cmocka_unit_test(test_compare_every_byte),
        cmocka_unit_test(test_quote_of_a_tcp_segment),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
