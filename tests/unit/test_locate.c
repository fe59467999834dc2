/* secondsight - unit tests for the hop placement of `locate` (locate.c): which TTL the
 * forger sits at, the routers before and after it (over silent hops), how steady it
 * fired, a load-balanced path, and the JSON locate record's key order (output-json.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "locate.h"
#include "output.h"

/* A sweep of `n` hops; hop k's router is 10.0.k.1 unless `silent` has its bit. */
static void make(struct locate_hop *h, unsigned n, unsigned tries, unsigned silent)
{
    memset(h, 0, sizeof *h * n);
    for (unsigned k = 0; k < n; k++) {
        h[k].ttl = (uint8_t)(k + 1);
        h[k].ntries = (uint8_t)tries;
        for (unsigned i = 0; i < tries; i++) {
            struct locate_try *t = &h[k].tries[i];
            t->rtt_ns = -1;
            t->forged_ttl = t->answer_ttl = -1;
            if (silent >> (k + 1) & 1)
                continue;
            t->has_router = 1;
            t->router[0] = 10;
            t->router[2] = (uint8_t)(k + 1);
            t->router[3] = 1;
        }
    }
}

static void forge(struct locate_hop *h, unsigned try, int ttl)
{
    h->tries[try].answered = 1;
    h->tries[try].forged = 1;
    h->tries[try].forged_ttl = (int16_t)ttl;
}

/* The target answers at the last hop: no time-exceeded there, genuine answers. */
static void reach(struct locate_hop *h)
{
    for (unsigned i = 0; i < h->ntries; i++) {
        h->tries[i].has_router = 0;
        h->tries[i].answered = 1;
        h->tries[i].reached = 1;
    }
}

static const uint8_t target[16] = {10, 0, 9, 9};

static void assert_ip(const uint8_t *a, unsigned third)
{
    assert_int_equal(a[0], 10);
    assert_int_equal(a[2], third);
}

static void test_first_forged_hop(void **state)
{
    (void)state;
    struct locate_hop h[5];
    struct locate_place p;
    make(h, 5, 3, 0);
    forge(&h[2], 1, 62);
    forge(&h[3], 0, 62);
    forge(&h[3], 2, 62);
    reach(&h[4]);
    forge(&h[4], 0, 62);
    locate_place(h, 5, 4, target, &p);
    assert_true(p.located);
    assert_int_equal(p.hop, 3);
    assert_true(p.has_router);
    assert_ip(p.router, 3);
    assert_true(p.has_before);
    assert_ip(p.before, 2);
    assert_int_equal(p.before_hop, 2);
    assert_true(p.has_after);
    assert_ip(p.after, 4);
    assert_int_equal(p.after_hop, 4);
    assert_int_equal(p.forged_tries, 1);
    assert_int_equal(p.tries, 3);
    assert_int_equal(p.later_hops, 2);
    assert_int_equal(p.later_hops_forged, 2);
    assert_int_equal(p.forged_ttl, 62);
    assert_int_equal(p.target_hops, 5);
    assert_false(p.multipath);
}

static void test_nothing_forged(void **state)
{
    (void)state;
    struct locate_hop h[4];
    struct locate_place p;
    make(h, 4, 3, 0);
    reach(&h[3]);
    locate_place(h, 4, 4, target, &p);
    assert_false(p.located);
    assert_int_equal(p.target_hops, 4);
    assert_int_equal(p.forged_ttl, -1);
    locate_place(h, 0, 4, target, &p);
    assert_false(p.located);
    assert_int_equal(p.target_hops, -1);
}

/* Routers that send no time-exceeded: the forger sits between the nearest that did. */
static void test_silent_routers(void **state)
{
    (void)state;
    struct locate_hop h[6];
    struct locate_place p;
    make(h, 6, 2, 1u << 2 | 1u << 3 | 1u << 4); /* hops 2, 3 and 4 say nothing */
    forge(&h[2], 0, 61);
    reach(&h[5]);
    locate_place(h, 6, 4, target, &p);
    assert_true(p.located);
    assert_int_equal(p.hop, 3);
    assert_false(p.has_router);
    assert_true(p.has_before);
    assert_ip(p.before, 1);
    assert_int_equal(p.before_hop, 1);
    assert_true(p.has_after);
    assert_ip(p.after, 5);
    assert_int_equal(p.after_hop, 5);
    assert_int_equal(p.later_hops, 3);
    assert_int_equal(p.later_hops_forged, 0);
}

/* Forged at the first hop: nothing before it but this host; the target right after. */
static void test_first_hop_and_target_after(void **state)
{
    (void)state;
    struct locate_hop h[2];
    struct locate_place p;
    make(h, 2, 1, 0);
    forge(&h[0], 0, 64);
    reach(&h[1]);
    locate_place(h, 2, 4, target, &p);
    assert_true(p.located);
    assert_int_equal(p.hop, 1);
    assert_false(p.has_before);
    assert_true(p.has_after);
    assert_memory_equal(p.after, target, 16);
    assert_int_equal(p.after_hop, 2);
}

/* Two routers answering one TTL: a load-balanced path; the most frequent is named. */
static void test_multipath(void **state)
{
    (void)state;
    struct locate_hop h[3];
    struct locate_place p;
    uint8_t r[16];
    int several;
    make(h, 3, 3, 0);
    h[1].tries[0].router[2] = 77;
    assert_true(locate_hop_router(&h[1], r, &several));
    assert_true(several);
    assert_ip(r, 2);
    forge(&h[2], 2, 60);
    locate_place(h, 3, 4, target, &p);
    assert_true(p.multipath);
    assert_int_equal(p.hop, 3);
    assert_ip(p.before, 2);
    assert_false(p.has_after);
    make(h, 1, 3, 1u << 1);
    assert_false(locate_hop_router(&h[0], r, &several));
    assert_false(several);
}

static void test_summary_and_json(void **state)
{
    (void)state;
    static struct locate_result r;
    char buf[320];
    memset(&r, 0, sizeof r);
    r.ip_version = 4;
    memcpy(r.target, target, 16);
    r.port = 80;
    r.url = "http://10.0.9.9/";
    r.interface = "eth0";
    r.max_ttl = 30;
    r.tries = 1;
    r.wait_ms = 1000;
    r.timeout_ms = 2000;
    r.attempts = 4;
    strcpy(r.cap_eff, "0000000000002000");
    r.no_new_privs = 1;
    r.baseline.ntries = 1;
    r.baseline.tries[0].rtt_ns = 1500000;
    r.baseline.tries[0].answered = r.baseline.tries[0].reached = 1;
    r.baseline.tries[0].forged_ttl = -1;
    make(r.hops, 3, 1, 0);
    forge(&r.hops[1], 0, 62);
    r.hops[1].tries[0].rtt_ns = 2000;
    reach(&r.hops[2]);
    locate_place(r.hops, 3, 4, r.target, &r.place);
    r.nhops = 3;
    assert_string_equal(locate_summary(&r, buf, sizeof buf),
                        "forger at hop 2 (10.0.2.1), between 10.0.1.1 (hop 1) and 10.0.9.9 "
                        "(hop 3): forged in 1 of 1 tries there, and at 0 of 1 later hops");
    struct jw w;
    jw_init(&w);
    json_locate(&w, &r);
    jw_raw(&w, "");
    assert_false(w.err);
    const char *want =
        "{\"timestamp\":\"1970-01-01T00:00:00.000000Z\",\"event_type\":\"locate\",\"summary\":"
        "\"forger at hop 2 (10.0.2.1), between 10.0.1.1 (hop 1) and 10.0.9.9 (hop 3): forged in "
        "1 of 1 tries there, and at 0 of 1 later hops\",\"method\":\"http\",\"target\":{\"ip\":"
        "\"10.0.9.9\",\"port\":80,\"url\":\"http://10.0.9.9/\",\"qname\":null},\"interface\":"
        "\"eth0\",\"max_ttl\":30,\"tries\":1,\"wait_ms\":1000,\"timeout_ms\":2000,\"attempts\":4,"
        "\"privileges\":{\"cap_eff\":\"0000000000002000\",\"no_new_privs\":true},\"baseline\":"
        "{\"ttl\":0,\"router\":null,\"routers\":[],\"rtt_us\":1500,\"tries\":1,\"answered\":1,"
        "\"forged\":0,\"forged_ttl\":null,\"reached\":1},\"baseline_findings\":0,\"hops\":["
        "{\"ttl\":1,\"router\":\"10.0.1.1\",\"routers\":[\"10.0.1.1\"],\"rtt_us\":null,\"tries\":1,"
        "\"answered\":0,\"forged\":0,\"forged_ttl\":null,\"reached\":0},"
        "{\"ttl\":2,\"router\":\"10.0.2.1\",\"routers\":[\"10.0.2.1\"],\"rtt_us\":2,\"tries\":1,"
        "\"answered\":1,\"forged\":1,\"forged_ttl\":62,\"reached\":0},"
        "{\"ttl\":3,\"router\":null,\"routers\":[],\"rtt_us\":null,\"tries\":1,"
        "\"answered\":1,\"forged\":0,\"forged_ttl\":null,\"reached\":1}],"
        "\"target_hops\":3,\"multipath\":false,\"located\":{\"hop\":2,\"router\":\"10.0.2.1\","
        "\"router_before\":\"10.0.1.1\",\"router_after\":\"10.0.9.9\",\"forged_tries\":1,"
        "\"tries\":1,\"later_hops\":1,\"later_hops_forged\":0,\"forged_ttl\":62}}";
    assert_string_equal(w.buf, want);
    jw_release(&w);
}

/* The text table fits 80 columns: IPv6 routers too wide for its column go under their
 * rows, a long URL wraps. */
static void test_text_fits_80_columns(void **state)
{
    (void)state;
    static struct locate_result r;
    memset(&r, 0, sizeof r);
    r.ip_version = 6;
    memset(r.target, 0x20, 16);
    r.port = 80;
    r.url = "http://[2001:db8:2020:2020:2020:2020:2020:2020]/a/rather/long/path/"
            "that/goes/on/index.html";
    r.interface = "veth-locate-test";
    r.max_ttl = 30;
    r.tries = 2;
    r.wait_ms = 1000;
    r.attempts = 6;
    r.baseline.ntries = 2;
    make(r.hops, 3, 2, 0);
    for (unsigned k = 0; k < 3; k++)
        for (unsigned t = 0; t < 2; t++)
            memset(r.hops[k].tries[t].router, 0xfe, 16);
    r.hops[0].tries[1].router[15] = 1; /* two routers at hop 1: "+" */
    forge(&r.hops[1], 0, 62);
    r.nhops = 3;
    locate_place(r.hops, 3, 4, r.target, &r.place);
    char *text = NULL;
    size_t size = 0;
    FILE *fp = open_memstream(&text, &size);
    assert_non_null(fp);
    text_locate(fp, 0, &r);
    fclose(fp);
    assert_non_null(strstr(text, "router fefe:fefe:fefe:fefe:fefe:fefe:fefe:fefe"));
    assert_non_null(strstr(text, "index.html"));
    for (char *line = text, *end; *line; line = end + 1) {
        end = strchr(line, '\n');
        assert_non_null(end);
        assert_in_range(end - line, 0, 80);
    }
    free(text);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_first_forged_hop),
        cmocka_unit_test(test_nothing_forged),
        cmocka_unit_test(test_silent_routers),
        cmocka_unit_test(test_first_hop_and_target_after),
        cmocka_unit_test(test_multipath),
        cmocka_unit_test(test_summary_and_json),
        cmocka_unit_test(test_text_fits_80_columns),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
