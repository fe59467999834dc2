/* secondsight - unit tests for the detectors' fixed tables: each table that can fill is
 * filled through a pipeline, and what it then loses is counted in the detector's stats
 * (docs/detectors.md, "What each detector's tables drop"), never dropped silently. The
 * holds and recent rings behind forged_packet, handshake_hijack, dns_injection and
 * fragment_injection are filled in test_toolkit.c. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>
#include <pcap/dlt.h>

#include "config.h"
#include "pipeline.h"

#define SEC ((int64_t)1000000000)
#define T0 ((int64_t)1700000000 * SEC)

/* clang-format off */

/* IPv4 (RFC 791) and TCP (RFC 9293) from 10.x.y.1:port to 192.0.2.80:80: a bare RST,
 * seq 0x01020304; source address bytes 1-2 and port patched per flow. */
static const uint8_t ip_tcp_rst[40] = {
    0x45, 0x00, 0x00, 0x28, /* version 4, IHL 5; total length 40 */
    0x00, 0x00, 0x40, 0x00, /* identification 0; DF */
    64, 6, 0x00, 0x00,      /* TTL 64, protocol TCP, header checksum */
    10, 0, 0, 1,            /* source 10.x.y.1: patched */
    192, 0, 2, 80,          /* destination 192.0.2.80 */
    0x00, 0x00, 0x00, 0x50, /* source port: patched; destination port 80 */
    0x01, 0x02, 0x03, 0x04, /* sequence number */
    0x00, 0x00, 0x00, 0x00, /* acknowledgment number */
    0x50, 0x04, 0x00, 0x00, /* data offset 5; RST; window 0 */
    0x00, 0x00, 0x00, 0x00, /* checksum (not checked here), urgent pointer */
};

/* IPv4 and UDP from 192.0.2.10 to the resolver 192.0.2.53:53, then a DNS query for
 * www.example.com A (RFC 1035 section 4.1); the id, the client port and, for answers,
 * the resolver's address patched. */
static const uint8_t ip_udp_dns[61] = {
    0x45, 0x00, 0x00, 61,   /* version 4, IHL 5; total length 61 */
    0x12, 0x34, 0x40, 0x00, /* identification; DF */
    64, 17, 0x00, 0x00,     /* TTL 64, protocol UDP, header checksum */
    192, 0, 2, 10,          /* source 192.0.2.10 */
    192, 0, 2, 53,          /* destination 192.0.2.53 */
    0x9c, 0x40, 0x00, 0x35, /* source port 40000 (patched), destination port 53 */
    0x00, 41, 0x00, 0x00,   /* length 41; checksum: none */
    0x12, 0x34, 0x01, 0x00, /* id (patched); flags: RD */
    0x00, 0x01, 0x00, 0x00, /* QDCOUNT 1, ANCOUNT 0 */
    0x00, 0x00, 0x00, 0x00, /* NSCOUNT 0, ARCOUNT 0 */
    3, 'w', 'w', 'w', 7, 'e', 'x', 'a', 'm', 'p', 'l', 'e', 3, 'c', 'o', 'm', 0,
    0x00, 0x01, 0x00, 0x01, /* QTYPE A, QCLASS IN */
};

/* clang-format on */

static void no_finding(struct finding_sink *sink, const struct finding *f)
{
    (void)sink;
    (void)f;
}

static struct finding_sink sink = {no_finding, NULL};

static void setup_pipeline(struct pipeline *p)
{
    struct pipeline_config pc = {0, {1024, 64u << 20, 8192, 60, 0}};
    assert_true(pipeline_init(p, &pc, &sink));
}

static void feed(struct pipeline *p, uint8_t *frame, size_t n, uint64_t no, int64_t ts)
{
    struct packet pkt;
    memset(&pkt, 0, sizeof pkt);
    pkt.frame = no;
    pkt.ts_ns = ts;
    pkt.caplen = pkt.wirelen = (uint32_t)n;
    pkt.linktype = DLT_RAW;
    pkt.data = frame;
    pipeline_frame(p, &pkt);
}

static const struct detector_stats *detector(const struct pipeline *p, const char *name)
{
    for (unsigned i = 0; i < PIPELINE_MAX_DETECTORS; i++)
        if (p->stats.detectors[i].name && !strcmp(p->stats.detectors[i].name, name))
            return &p->stats.detectors[i];
    fail_msg("no detector %s", name);
    return NULL;
}

/* One teardown more than tcp_reset_injection has slots, each on its own flow, within a
 * second: at least one lands on a slot whose teardown is still young and unjudged. */
static void test_teardown_slots_count_evicted(void **state)
{
    (void)state;
    struct pipeline p;
    setup_pipeline(&p);
    uint8_t frame[sizeof ip_tcp_rst];
    for (uint32_t i = 0; i <= RST_SLOTS; i++) {
        memcpy(frame, ip_tcp_rst, sizeof frame);
        frame[13] = (uint8_t)(i >> 8);
        frame[14] = (uint8_t)i;
        frame[20] = (uint8_t)(0x80 | (i >> 16));
        frame[21] = (uint8_t)(i >> 3);
        feed(&p, frame, sizeof frame, i + 1, T0 + (int64_t)i * 1000);
    }
    assert_true(detector(&p, "tcp_reset_injection")->evicted >= 1);
    pipeline_release(&p);
}

/* A query from client port `port` with id `id`, or its answer from 192.0.2.<resolver>
 * naming 192.0.2.<address>. */
static size_t dns_frame(uint8_t *f, uint16_t port, uint16_t id, uint8_t resolver, uint8_t address)
{
    static const uint8_t rr[16] = {0xc0, 0x0c, 0, 1, 0, 1, 0, 0, 0x01, 0x2c, 0, 4, 192, 0, 2, 0};
    memcpy(f, ip_udp_dns, sizeof ip_udp_dns);
    f[20] = (uint8_t)(port >> 8);
    f[21] = (uint8_t)port;
    f[28] = (uint8_t)(id >> 8);
    f[29] = (uint8_t)id;
    if (!resolver)
        return sizeof ip_udp_dns;
    /* Swap addresses and ports; set QR, RA and one answer record. */
    uint8_t tmp[4];
    memcpy(tmp, f + 12, 4);
    memcpy(f + 12, f + 16, 4);
    memcpy(f + 16, tmp, 4);
    f[15] = resolver;
    memcpy(tmp, f + 20, 2);
    memcpy(f + 20, f + 22, 2);
    memcpy(f + 22, tmp, 2);
    f[30] = 0x81;
    f[31] = 0x80;
    f[35] = 1;
    memcpy(f + sizeof ip_udp_dns, rr, sizeof rr);
    f[sizeof ip_udp_dns + 15] = address;
    size_t n = sizeof ip_udp_dns + sizeof rr;
    f[2] = (uint8_t)(n >> 8);
    f[3] = (uint8_t)n;
    f[24] = (uint8_t)((n - 20) >> 8);
    f[25] = (uint8_t)(n - 20);
    return n;
}

/* One query more than dns_injection has transaction slots, all within their 30 s: at
 * least one takes the slot of a live transaction. */
static void test_dns_transactions_count_evicted(void **state)
{
    (void)state;
    struct pipeline p;
    setup_pipeline(&p);
    uint8_t frame[128];
    for (uint32_t i = 0; i <= DNS_TXN_SLOTS; i++) {
        size_t n = dns_frame(frame, (uint16_t)(1024 + i % 60000), (uint16_t)(i * 7), 0, 0);
        feed(&p, frame, n, i + 1, T0 + (int64_t)i * 1000);
    }
    assert_true(detector(&p, "dns_injection")->evicted >= 1);
    pipeline_release(&p);
}

/* One resolver more than there are resolver slots: one baseline starts over. */
static void test_dns_resolvers_count_evicted(void **state)
{
    (void)state;
    struct pipeline p;
    setup_pipeline(&p);
    uint8_t frame[128];
    for (uint32_t i = 0; i <= DNS_RESOLVER_SLOTS; i++) {
        size_t n = dns_frame(frame, 40000, (uint16_t)i, 1, 1);
        frame[12] = 10; /* the resolver 10.x.y.1, one address each */
        frame[13] = (uint8_t)(i >> 8);
        frame[14] = (uint8_t)i;
        frame[15] = 1;
        feed(&p, frame, n, i + 1, T0 + (int64_t)i * 1000);
    }
    assert_true(detector(&p, "dns_injection")->evicted >= 1);
    pipeline_release(&p);
}

/* An answer from 192.0.2.<resolver> at time ts to a query of its own (id `id`). */
static void dns_exchange(struct pipeline *p, uint8_t resolver, uint16_t id, uint64_t *no,
                         int64_t ts)
{
    uint8_t frame[128];
    size_t n = dns_frame(frame, 40000, id, 0, 0);
    frame[19] = resolver; /* the query to that resolver */
    feed(p, frame, n, ++*no, ts);
    n = dns_frame(frame, 40000, id, resolver, 7);
    feed(p, frame, n, ++*no, ts + 1000000);
}

/* A resolver silent past DNS_RESOLVER_IDLE_NS forgets its baseline when it answers
 * again, counted as forgotten (not evicted); one that answered within the timeout keeps
 * its baseline. */
static void test_dns_idle_resolver_forgotten(void **state)
{
    (void)state;
    struct pipeline p;
    setup_pipeline(&p);
    uint64_t no = 0;
    for (uint16_t i = 0; i < 3; i++) { /* two baselines: 192.0.2.1 and 192.0.2.2 */
        dns_exchange(&p, 1, (uint16_t)(0x100 + i), &no, T0 + i * SEC);
        dns_exchange(&p, 2, (uint16_t)(0x200 + i), &no, T0 + i * SEC);
    }
    /* 192.0.2.2 answers again halfway through the timeout, 192.0.2.1 stays silent. */
    dns_exchange(&p, 2, 0x210, &no, T0 + DNS_RESOLVER_IDLE_NS / 2);
    const struct detector_stats *ds = detector(&p, "dns_injection");
    int64_t later = T0 + 2 * SEC + DNS_RESOLVER_IDLE_NS + SEC;
    dns_exchange(&p, 2, 0x211, &no, later); /* in use: kept */
    assert_int_equal(ds->forgotten, 0);
    dns_exchange(&p, 1, 0x111, &no, later); /* silent past the timeout: forgotten */
    assert_int_equal(ds->forgotten, 1);
    dns_exchange(&p, 1, 0x112, &no, later + SEC); /* its new baseline is kept */
    assert_int_equal(ds->forgotten, 1);
    assert_int_equal(ds->evicted, 0);
    pipeline_release(&p);
}

/* Resolvers answering once each fill the slots, and after the timeout a few new ones
 * come: each takes a free slot or a silent baseline's (forgotten), evicting no live
 * one. */
static void test_dns_idle_resolvers_give_way(void **state)
{
    (void)state;
    struct pipeline p;
    setup_pipeline(&p);
    uint8_t frame[128];
    const struct detector_stats *ds = detector(&p, "dns_injection");
    uint64_t no = 0, evicted = 0;
    for (uint32_t round = 0; round < 2; round++) {
        int64_t start = T0 + (int64_t)round * (DNS_RESOLVER_IDLE_NS + SEC);
        uint32_t count = round ? 64 : 2 * DNS_RESOLVER_SLOTS;
        for (uint32_t i = 0; i < count; i++) {
            size_t n = dns_frame(frame, 40000, (uint16_t)i, 1, 1);
            frame[12] = (uint8_t)(10 + round); /* 10.x.y.1, then 11.x.y.1 */
            frame[13] = (uint8_t)(i >> 8);
            frame[14] = (uint8_t)i;
            frame[15] = 1;
            feed(&p, frame, n, ++no, start + (int64_t)i * 1000);
        }
        if (!round)
            evicted = ds->evicted;
    }
    assert_in_range(ds->forgotten, 1, 64);
    assert_int_equal(ds->evicted, evicted);
    pipeline_release(&p);
}

/* A query and one answer more than a transaction keeps, all the same: the last is
 * compared, not kept, and counted as dropped. */
static void test_dns_answers_count_dropped(void **state)
{
    (void)state;
    struct pipeline p;
    setup_pipeline(&p);
    uint8_t frame[128];
    size_t n = dns_frame(frame, 40000, 0x4242, 0, 0);
    feed(&p, frame, n, 1, T0);
    for (uint32_t i = 0; i <= DNS_TXN_ANSWERS; i++) {
        n = dns_frame(frame, 40000, 0x4242, 53, 7);
        feed(&p, frame, n, i + 2, T0 + (int64_t)(i + 1) * 10000000);
    }
    const struct detector_stats *ds = detector(&p, "dns_injection");
    assert_int_equal(ds->dropped, 1);
    assert_int_equal(ds->evicted, 0);
    pipeline_release(&p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_teardown_slots_count_evicted),
        cmocka_unit_test(test_dns_transactions_count_evicted),
        cmocka_unit_test(test_dns_resolvers_count_evicted),
        cmocka_unit_test(test_dns_answers_count_dropped),
        cmocka_unit_test(test_dns_idle_resolver_forgotten),
        cmocka_unit_test(test_dns_idle_resolvers_give_way),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
