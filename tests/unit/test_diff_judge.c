/* secondsight - unit tests for the rules of diff-judge.c: when a capture covers a
 * moment, when repeated drops of one packet are certain, and that they make one
 * finding held until the repeats prove it; that an injection joins only a finding as
 * certain as it is. */
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
#include "output-format.h"

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

/* The receiver took a range when its highest ACK reached the range's end, or a SACK
 * block of its latest ACK holds it; a range with no sequence space is never taken. */
static void test_receiver_took(void **state)
{
    (void)state;
    struct conv c;
    memset(&c, 0, sizeof c);
    assert_false(diff_receiver_took(&c, 0, 1000, 1100)); /* no ACK seen */
    c.has_ack[1] = 1;
    c.max_ack[1] = 1099;
    assert_false(diff_receiver_took(&c, 0, 1000, 1100));
    c.max_ack[1] = 1100;
    assert_true(diff_receiver_took(&c, 0, 1000, 1100));
    assert_false(diff_receiver_took(&c, 1, 1000, 1100)); /* the other direction's */
    assert_false(diff_receiver_took(&c, 0, 1100, 1100)); /* no sequence space */
    c.nsack[1] = 1;                                      /* out of order: SACKed */
    c.sack[1][0] = 2000;
    c.sack[1][1] = 3000;
    assert_true(diff_receiver_took(&c, 0, 2000, 2500));
    assert_false(diff_receiver_took(&c, 0, 2500, 3100));
    c.max_ack[1] = 0xfffffff0; /* across the wrap */
    assert_true(diff_receiver_took(&c, 0, 0xffffff00, 0xffffff80));
}

/* A "too big" explains a drop only for a packet larger than the MTU it names (an MTU of
 * 0: an old router that names none). */
static void test_ptb_fits(void **state)
{
    (void)state;
    assert_true(diff_ptb_fits(1200, 1452));
    assert_false(diff_ptb_fits(1200, 652));
    assert_false(diff_ptb_fits(1200, 1200));
    assert_true(diff_ptb_fits(0, 652));
}

/* A lone packet of conversation `ci` on the inside, sent to the device, judged. */
static void drop_alone(struct diff *d, uint32_t ci, struct summary *s, uint64_t frame, int64_t ts)
{
    struct copy x = {.s = s,
                     .frame = frame,
                     .ts = ts,
                     .conv = ci,
                     .gen = d->convs[ci].gen,
                     .side = DIFF_INSIDE,
                     .dir = 0};
    uint64_t key[DIFF_KEYS];
    diff_packet_keys(d, s, &d->convs[ci], ci, 0, key);
    diff_pend_add(d, &x, key);
    diff_expire(d, ts + 1);
}

/* A comparison writing its findings to a temporary file, the outside capture running all
 * along, and an IPv4 TCP summary to fill in. */
static struct diff *new_diff(struct diff_options *o, struct summary *s)
{
    memset(o, 0, sizeof *o);
    o->nat = 1;
    o->out = tmpfile();
    struct diff *d = malloc(sizeof *d);
    assert_non_null(o->out);
    assert_non_null(d);
    assert_true(diff_init(d, o));
    d->span_first[DIFF_OUTSIDE] = 0;
    memset(s, 0, sizeof *s);
    s->v = 4;
    s->proto = IPPROTO_NUM_TCP;
    s->l4_ok = 1;
    return d;
}

/* One SYN and its retransmissions dropped while other packets cross: a single finding,
 * held until the third drop proves it, high, the earlier drops no longer uncertain. Two
 * drops alone stay medium. */
static void test_repeated_drops_one_finding(void **state)
{
    (void)state;
    for (int n = 2; n <= 4; n++) {
        struct diff_options o;
        struct summary s;
        struct diff *d = new_diff(&o, &s);
        s.flags = TH_SYN;
        s.seq = 0x1c2d3e4f;
        s.src[0] = 192, s.dst[0] = 198;
        s.sport = 49152, s.dport = 80;
        uint8_t dir;
        uint32_t ci = diff_conv_get(d, DIFF_INSIDE, &s, 1000000000, &dir);
        d->convs[ci].ingress[0] = DIFF_INSIDE;
        int64_t t = 1000000000;
        for (int k = 0; k < n; k++) {
            diff_translate(&s, &d->convs[ci], DIFF_INSIDE, 0);
            drop_alone(d, ci, &s, (uint64_t)(4 + k), t);
            d->ds.forwarded[0] += 5; /* neighbours cross */
            diff_flush_findings(d, t);
            t += (1000000000LL << k);
        }
        assert_int_equal(d->stats.findings, 0); /* held */
        diff_flush_findings(d, INT64_MAX);
        assert_int_equal(d->stats.findings, 1);
        assert_int_equal(d->ds.dropped[DIFF_OUTBOUND], n);
        assert_int_equal(d->ds.uncertain, n < (int)DIFF_CERTAIN_REPEATS ? n : 0);
        diff_free(d); /* the output written out */
        free(d);
        char text[4096] = "";
        rewind(o.out);
        size_t got = fread(text, 1, sizeof text - 1, o.out);
        text[got] = 0;
        assert_non_null(strstr(text, "times over")); /* every drop of it counted */
        assert_true((strstr(text, "[high]") != NULL) == (n >= (int)DIFF_CERTAIN_REPEATS));
        fclose(o.out);
    }
}

/* The written findings: how many, and how many of them high. */
static void read_findings(FILE *out, int *n, int *high)
{
    char text[8192] = "";
    rewind(out);
    size_t got = fread(text, 1, sizeof text - 1, out);
    text[got] = 0;
    *n = *high = 0;
    for (const char *p = text; (p = strstr(p, "device_injected [")) != NULL; p++) {
        (*n)++;
        *high += !strncmp(p + strlen("device_injected ["), "high]", 5);
    }
}

/* Two RSTs the device sent inside in the server's name, 100 ms apart (one finding's
 * merge time). A RST is certain when its sender went on sending after it on the other
 * side (`went_on`), else medium. A certain injection after a medium one starts its own
 * high finding (the verdict tampered names its proof); after a certain one it joins it. */
static void test_injection_joins_equal_certainty(void **state)
{
    (void)state;
    static const uint8_t device[6] = {0x00, 0x00, 0x5e, 0x00, 0x53, 0xfe};
    for (int first_certain = 0; first_certain <= 1; first_certain++) {
        struct diff_options o;
        struct summary s;
        struct diff *d = new_diff(&o, &s);
        diff_mac_learn(d, DIFF_INSIDE, device);
        s.flags = TH_RST;
        s.seq = 0x5a6b7c8e;
        s.src[0] = 198, s.dst[0] = 192;
        s.sport = 80, s.dport = 49152;
        s.has_mac = 1;
        memcpy(s.mac_src, device, sizeof device);
        uint8_t dir;
        int64_t t = 1000000000;
        uint32_t ci = diff_conv_get(d, DIFF_INSIDE, &s, t, &dir);
        struct conv *c = &d->convs[ci];
        for (int k = 0; k < 2; k++) {
            /* the server went on sending outside after this RST: it never sent it */
            c->talked[DIFF_OUTSIDE][dir] = (k || first_certain) ? INT64_MAX : 0;
            diff_translate(&s, c, DIFF_INSIDE, dir);
            struct copy x = {.s = &s,
                             .frame = (uint64_t)(7 + k),
                             .ts = t,
                             .conv = ci,
                             .gen = c->gen,
                             .side = DIFF_INSIDE,
                             .dir = dir};
            uint64_t key[DIFF_KEYS];
            diff_packet_keys(d, &s, c, ci, dir, key);
            diff_pend_add(d, &x, key);
            diff_expire(d, t + 1);
            t += DIFF_MERGE_NS / 10;
        }
        diff_flush_findings(d, INT64_MAX);
        assert_int_equal(d->ds.injected[DIFF_INBOUND], 2);
        assert_int_equal(d->ds.uncertain, first_certain ? 0 : 1);
        assert_string_equal(diff_verdict(&d->ds), "tampered");
        assert_int_equal(d->stats.findings, first_certain ? 1 : 2);
        diff_free(d); /* the output written out */
        free(d);
        int n, high;
        read_findings(o.out, &n, &high);
        assert_int_equal(n, first_certain ? 1 : 2);
        assert_int_equal(high, 1); /* tampered with a high finding: the certain event's */
        fclose(o.out);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_capture_span),
        cmocka_unit_test(test_repeated_drops),
        cmocka_unit_test(test_repeated_drops_one_finding),
        cmocka_unit_test(test_receiver_took),
        cmocka_unit_test(test_ptb_fits),
        cmocka_unit_test(test_injection_joins_equal_certainty),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
