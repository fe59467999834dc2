/* secondsight - unit tests for the pipeline's clock (pipeline.c): a finding a detector
 * holds until a deadline goes out when packet time passes it, by the next packet or,
 * on a quiet live link, by pipeline_advance, and never twice. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>
#include <pcap/dlt.h>

#include "detect.h"
#include "pipeline.h"

#define SEC ((int64_t)1000000000)
#define T0 ((int64_t)1700000000 * SEC) /* packet time of the query */
/* The dns_injection detector judges a race this long after its second answer. */
#define RACE_HOLD (3 * SEC)

/* clang-format off */

/* IPv4 (RFC 791 section 3.1) and UDP (RFC 768) from 192.0.2.10:40000 to 192.0.2.53:53;
 * lengths and direction patched per frame. The decoder checks no checksum here, and a
 * zero UDP checksum means none. */
static const uint8_t ip_udp[28] = {
    0x45, 0x00, 0x00, 0x00, /* version 4, IHL 5, TOS 0; total length: patched */
    0x12, 0x34, 0x40, 0x00, /* identification; DF */
    64, 17, 0x00, 0x00,     /* TTL 64, protocol UDP, header checksum */
    192, 0, 2, 10,          /* source 192.0.2.10 (swapped for answers) */
    192, 0, 2, 53,          /* destination 192.0.2.53 */
    0x9c, 0x40, 0x00, 0x35, /* source port 40000, destination port 53 (swapped) */
    0x00, 0x00, 0x00, 0x00, /* length: patched; checksum: none */
};

/* DNS (RFC 1035 section 4.1): id 0x1234, one question www.example.com A IN. */
static const uint8_t dns_query[33] = {
    0x12, 0x34, 0x01, 0x00, /* id; flags: RD */
    0x00, 0x01, 0x00, 0x00, /* QDCOUNT 1, ANCOUNT 0 */
    0x00, 0x00, 0x00, 0x00, /* NSCOUNT 0, ARCOUNT 0 */
    3, 'w', 'w', 'w', 7, 'e', 'x', 'a', 'm', 'p', 'l', 'e', 3, 'c', 'o', 'm', 0,
    0x00, 0x01, 0x00, 0x01, /* QTYPE A, QCLASS IN */
};

/* An answer record after the question: the name a pointer to offset 12, A IN, TTL 300,
 * four address bytes; the last byte patched. */
static const uint8_t dns_answer_rr[16] = {
    0xc0, 0x0c, 0x00, 0x01, /* name: pointer to the question's; TYPE A */
    0x00, 0x01, 0x00, 0x00, /* CLASS IN; TTL 300 */
    0x01, 0x2c, 0x00, 0x04, /* (TTL continued); RDLENGTH 4 */
    192, 0, 2, 0,           /* 192.0.2.x: patched */
};

/* clang-format on */

/* ---- helpers ---- */

struct caught {
    struct finding_sink sink;
    unsigned n;
    char class_name[32];
};

static void catch_finding(struct finding_sink *sink, const struct finding *f)
{
    struct caught *c = sink->ctx;
    c->n++;
    strncpy(c->class_name, f->class_name, sizeof c->class_name - 1);
}

static uint8_t frame_buf[128];

/* A query (address 0) or an answer naming 192.0.2.<address>, as frame `frame` at `ts`. */
static void feed_dns(struct pipeline *p, uint64_t frame, int64_t ts, unsigned address)
{
    size_t n = sizeof ip_udp;
    memcpy(frame_buf, ip_udp, n);
    memcpy(frame_buf + n, dns_query, sizeof dns_query);
    n += sizeof dns_query;
    if (address) {
        uint8_t *ip = frame_buf;
        memcpy(ip + 12, ip_udp + 16, 4); /* from the resolver, port 53 */
        memcpy(ip + 16, ip_udp + 12, 4);
        memcpy(ip + 20, ip_udp + 22, 2);
        memcpy(ip + 22, ip_udp + 20, 2);
        uint8_t *dns = frame_buf + sizeof ip_udp;
        dns[2] = 0x81; /* QR, RD */
        dns[3] = 0x80; /* RA, rcode 0 */
        dns[7] = 1;    /* ANCOUNT 1 */
        memcpy(frame_buf + n, dns_answer_rr, sizeof dns_answer_rr);
        frame_buf[n + sizeof dns_answer_rr - 1] = (uint8_t)address;
        n += sizeof dns_answer_rr;
    }
    frame_buf[2] = (uint8_t)(n >> 8);
    frame_buf[3] = (uint8_t)n;
    frame_buf[24] = (uint8_t)((n - 20) >> 8);
    frame_buf[25] = (uint8_t)(n - 20);

    struct packet pkt;
    memset(&pkt, 0, sizeof pkt);
    pkt.frame = frame;
    pkt.ts_ns = ts;
    pkt.caplen = pkt.wirelen = (uint32_t)n;
    pkt.linktype = DLT_RAW;
    pkt.data = frame_buf;
    pipeline_frame(p, &pkt);
}

static void setup_pipeline(struct pipeline *p, struct caught *c)
{
    memset(c, 0, sizeof *c);
    c->sink.emit = catch_finding;
    c->sink.ctx = c;
    struct pipeline_config pc = {0, {1024, 64u << 20, 8192, 60, 0}};
    assert_true(pipeline_init(p, &pc, &c->sink));
}

/* A query and two different answers 10 ms apart: a race, held RACE_HOLD after the
 * second answer (frame 3). Returns the second answer's time. */
static int64_t feed_race(struct pipeline *p)
{
    feed_dns(p, 1, T0, 0);
    feed_dns(p, 2, T0 + 20000000, 1);
    feed_dns(p, 3, T0 + 30000000, 2);
    return T0 + 30000000;
}

/* ---- tests ---- */

/* The race is held while packet time stays before its deadline, and goes out once
 * pipeline_advance passes it, without another packet; only once. */
static void test_advance_releases_held_race(void **state)
{
    (void)state;
    struct pipeline p;
    struct caught c;
    setup_pipeline(&p, &c);
    int64_t second = feed_race(&p);
    assert_int_equal(c.n, 0);
    pipeline_advance(&p, second + RACE_HOLD - SEC);
    assert_int_equal(c.n, 0);
    pipeline_advance(&p, second + RACE_HOLD);
    assert_int_equal(c.n, 0); /* the deadline itself: not yet past */
    pipeline_advance(&p, second + RACE_HOLD + 1);
    assert_int_equal(c.n, 1);
    assert_string_equal(c.class_name, "dns_injection");
    pipeline_advance(&p, second + 10 * RACE_HOLD);
    pipeline_finish(&p);
    assert_int_equal(c.n, 1);
    pipeline_release(&p);
}

/* Time before the last packet is no time at all: nothing is released, and the race
 * still goes out at the end of input. */
static void test_advance_into_the_past_changes_nothing(void **state)
{
    (void)state;
    struct pipeline p;
    struct caught c;
    setup_pipeline(&p, &c);
    int64_t second = feed_race(&p);
    pipeline_advance(&p, 0);
    pipeline_advance(&p, second - SEC);
    pipeline_advance(&p, second);
    assert_int_equal(c.n, 0);
    pipeline_finish(&p);
    assert_int_equal(c.n, 1);
    pipeline_release(&p);
}

/* Without pipeline_advance the next packet past the deadline releases it, as in a file
 * run: the clock only adds a way, it changes nothing packets do. */
static void test_next_packet_still_releases(void **state)
{
    (void)state;
    struct pipeline p;
    struct caught c;
    setup_pipeline(&p, &c);
    int64_t second = feed_race(&p);
    feed_dns(&p, 4, second + RACE_HOLD - SEC, 0);
    assert_int_equal(c.n, 0);
    feed_dns(&p, 5, second + RACE_HOLD + SEC, 0);
    assert_int_equal(c.n, 1);
    pipeline_advance(&p, second + 10 * RACE_HOLD);
    pipeline_finish(&p);
    assert_int_equal(c.n, 1);
    pipeline_release(&p);
}

/* An idle pipeline (no packet yet) takes any time without a finding. */
static void test_advance_idle_pipeline(void **state)
{
    (void)state;
    struct pipeline p;
    struct caught c;
    setup_pipeline(&p, &c);
    pipeline_advance(&p, T0);
    pipeline_advance(&p, INT64_MAX);
    pipeline_finish(&p);
    assert_int_equal(c.n, 0);
    pipeline_release(&p);
}

/* The per-packet gate: a detector that wants TCP segments sees other packets only
 * while its hold has items (which those packets' time may release); one that wants
 * fragments sees nothing else. */
static void test_wants(void **state)
{
    (void)state;
    struct detector_stats st = {0};
    struct pipeline_hook seg = {NULL, NULL, &st, DETECT_SEG};
    struct pipeline_hook frag = {NULL, NULL, &st, DETECT_FRAG};
    struct pipeline_hook all = {NULL, NULL, &st, DETECT_ALL};
    struct tcp_seg_info si;
    struct frag_info fi;
    struct detect_ctx udp = {0}, tcp = {0}, piece = {0};
    tcp.seg = &si;
    piece.frag = &fi;

    assert_false(pipeline_wants(&seg, &udp));
    assert_true(pipeline_wants(&seg, &tcp));
    st.held = 2;
    st.released = 1; /* one still held: its deadline may pass on any packet */
    assert_true(pipeline_wants(&seg, &udp));
    st.cancelled = 1;
    assert_false(pipeline_wants(&seg, &udp));

    assert_false(pipeline_wants(&frag, &udp));
    assert_false(pipeline_wants(&frag, &tcp));
    assert_true(pipeline_wants(&frag, &piece));
    assert_true(pipeline_wants(&all, &udp));
    assert_true(pipeline_wants(&all, &piece));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_advance_releases_held_race),
        cmocka_unit_test(test_advance_into_the_past_changes_nothing),
        cmocka_unit_test(test_next_packet_still_releases),
        cmocka_unit_test(test_advance_idle_pipeline),
        cmocka_unit_test(test_wants),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
