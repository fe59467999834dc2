/* secondsight - unit tests for dns_injection's kept answers: an answer whose message
 * fits its place is kept unread and read only when compared or judged. Each scenario is
 * run twice, once with messages that are kept and once with the same messages made too
 * long to keep (bytes after the last section, which no parser reads), and the findings
 * must be the same; a hostile or cut message is counted when it comes either way. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>
#include <pcap/dlt.h>

#include "config.h"
#include "pipeline.h"
#include "util-strlist.h"

#define SEC ((int64_t)1000000000)
#define T0 ((int64_t)1700000000 * SEC)
#define PAD 80 /* makes any message here longer than an answer keeps (112 bytes) */

/* clang-format off */

/* IPv4 and UDP between the client 192.0.2.10:40000 and the resolver 192.0.2.53:53;
 * lengths, direction, TTL and IP-ID are set per packet. */
static const uint8_t ip_udp[28] = {
    0x45, 0x00, 0x00, 0x00, /* version 4, IHL 5; total length: set */
    0x00, 0x00, 0x40, 0x00, /* identification: set; DF */
    64, 17, 0x00, 0x00,     /* TTL: set, protocol UDP, header checksum */
    192, 0, 2, 10,          /* source: the client, or the resolver for an answer */
    192, 0, 2, 53,          /* destination */
    0x9c, 0x40, 0x00, 0x35, /* ports 40000 and 53, swapped for an answer */
    0x00, 0x00, 0x00, 0x00, /* length: set; checksum: none */
};

/* Header (RFC 1035 section 4.1.1) and the question www.example.com A:
 * 33 bytes; flags and ANCOUNT set per message. */
static const uint8_t dns_question[33] = {
    0x00, 0x00, 0x01, 0x00, /* id: set */ 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    3, 'w', 'w', 'w', 7, 'e', 'x', 'a', 'm', 'p', 'l', 'e', 3, 'c', 'o', 'm', 0, /* 12 */
    0x00, 0x01, 0x00, 0x01,
};

/* Answers after the question: CNAME web.example.com (a pointer into the question),
 * then A 198.51.100.7 owned by the CNAME's target (a pointer into the record data). */
static const uint8_t rr_cname_a[] = {
    0xc0, 12, 0, 5, 0, 1, 0, 0, 0x01, 0x2c, 0, 6, 3, 'w', 'e', 'b', 0xc0, 16, /* 33; 45 */
    0xc0, 45, 0, 1, 0, 1, 0, 0, 0x01, 0x2c, 0, 4, 198, 51, 100, 7,
};

/* A 192.0.2.1: the resolver's answer. */
static const uint8_t rr_a[] = {
    0xc0, 12, 0, 1, 0, 1, 0, 0, 0x01, 0x2c, 0, 4, 192, 0, 2, 1,
};

/* A CNAME whose name points at itself (offset 45): a loop the pointer budget ends. */
static const uint8_t rr_cname_loop[] = {
    0xc0, 12, 0, 5, 0, 1, 0, 0, 0x01, 0x2c, 0, 2, 0xc0, 45,
};

/* An A record whose data the message cuts after two bytes. */
static const uint8_t rr_a_cut[] = {
    0xc0, 12, 0, 1, 0, 1, 0, 0, 0x01, 0x2c, 0, 4, 192, 0,
};

/* clang-format on */

static uint8_t qtype = 1; /* the question's type (low byte): A unless a test says */
static struct finding found[8];
static unsigned nfound;

static void keep_finding(struct finding_sink *sink, const struct finding *f)
{
    (void)sink;
    if (nfound < sizeof found / sizeof found[0])
        found[nfound] = *f;
    nfound++;
}

static struct finding_sink sink = {keep_finding, NULL};

/* A query with DNS id `id` (rr NULL) or its answer with `nrr` records from rr (rrlen
 * bytes), PAD zero bytes after it when pad; sent with IP TTL ttl and IP-ID ip_id. */
static void send_dns(struct pipeline *p, uint64_t no, int64_t ts, uint16_t id, const uint8_t *rr,
                     size_t rrlen, unsigned nrr, int pad, uint8_t ttl, uint16_t ip_id)
{
    uint8_t f[256];
    memset(f, 0, sizeof f);
    memcpy(f, ip_udp, sizeof ip_udp);
    memcpy(f + 28, dns_question, sizeof dns_question);
    f[28] = (uint8_t)(id >> 8);
    f[29] = (uint8_t)id;
    f[28 + 30] = qtype;
    size_t n = 28 + sizeof dns_question;
    if (rr) {
        uint8_t tmp[4];
        memcpy(tmp, f + 12, 4); /* the resolver's answer: addresses and ports swapped */
        memcpy(f + 12, f + 16, 4);
        memcpy(f + 16, tmp, 4);
        memcpy(tmp, f + 20, 2);
        memcpy(f + 20, f + 22, 2);
        memcpy(f + 22, tmp, 2);
        f[30] = 0x81; /* QR RD */
        f[31] = 0x80; /* RA */
        f[35] = (uint8_t)nrr;
        memcpy(f + n, rr, rrlen);
        n += rrlen + (pad ? PAD : 0);
    }
    f[2] = (uint8_t)(n >> 8);
    f[3] = (uint8_t)n;
    f[4] = (uint8_t)(ip_id >> 8);
    f[5] = (uint8_t)ip_id;
    f[8] = ttl;
    f[24] = (uint8_t)((n - 20) >> 8);
    f[25] = (uint8_t)(n - 20);
    struct packet pkt;
    memset(&pkt, 0, sizeof pkt);
    pkt.frame = no;
    pkt.ts_ns = ts;
    pkt.caplen = pkt.wirelen = (uint32_t)n;
    pkt.linktype = DLT_RAW;
    pkt.data = f;
    pipeline_frame(p, &pkt);
}

/* Four answered queries from the resolver at TTL 64 (other ids: other transactions),
 * then the query the test is about, IP-ID 0x7777. */
static void start(struct pipeline *p, int pad)
{
    struct pipeline_config pc = {0, {1024, 64u << 20, 8192, 60, 0}};
    memset(found, 0, sizeof found);
    nfound = 0;
    assert_true(pipeline_init(p, &pc, &sink));
    for (unsigned i = 0; i < 4; i++) {
        uint16_t id = (uint16_t)(0x100 + i);
        send_dns(p, 2 * i + 1, T0 + (int64_t)i * SEC, id, NULL, 0, 0, 0, 64, id);
        send_dns(p, 2 * i + 2, T0 + (int64_t)i * SEC + 1000000, id, rr_a, sizeof rr_a, 1, pad, 64,
                 (uint16_t)(0x200 + 17 * i));
    }
}

/* The findings of an answer with rr to the query under test (IP-ID 0x7777), sent at
 * IP TTL ttl; then, when race, the resolver's A 192.0.2.1 1 ms later. The decode events
 * dns_truncated and dns_invalid into events. */
static void scenario(const uint8_t *rr, size_t rrlen, unsigned nrr, uint8_t ttl, int race, int pad,
                     uint64_t *events)
{
    struct pipeline p;
    start(&p, pad);
    int64_t t = T0 + 10 * SEC;
    send_dns(&p, 20, t, 0x4242, NULL, 0, 0, 0, 64, 0x7777);
    send_dns(&p, 21, t + 100000, 0x4242, rr, rrlen, nrr, pad, ttl, 0x7777);
    if (race)
        send_dns(&p, 22, t + 1100000, 0x4242, rr_a, sizeof rr_a, 1, pad, 64, 0x3131);
    pipeline_finish(&p);
    events[0] = p.stats.decode.events[DEV_DNS_TRUNCATED];
    events[1] = p.stats.decode.events[DEV_DNS_INVALID];
    pipeline_release(&p);
}

static void assert_same_findings(const struct finding *a, unsigned na, const struct finding *b,
                                 unsigned nb)
{
    assert_int_equal(na, nb);
    for (unsigned i = 0; i < na; i++) {
        assert_string_equal(a[i].summary, b[i].summary);
        assert_int_equal(a[i].nanswers, b[i].nanswers);
        for (unsigned k = 0; k < a[i].nanswers; k++) {
            assert_int_equal(a[i].answers[k].nrecords, b[i].answers[k].nrecords);
            assert_memory_equal(a[i].answers[k].records, b[i].answers[k].records,
                                sizeof a[i].answers[k].records);
        }
    }
}

/* The scenario with its messages kept, then read at once: the same findings (left in
 * found) and the same events, which are returned. */
static unsigned kept_as_read(const uint8_t *rr, size_t rrlen, unsigned nrr, uint8_t ttl, int race,
                             uint64_t *events)
{
    uint64_t ev_read[2];
    static struct finding kept[8];
    scenario(rr, rrlen, nrr, ttl, race, 0, events);
    unsigned nkept = nfound;
    memcpy(kept, found, sizeof kept);
    scenario(rr, rrlen, nrr, ttl, race, 1, ev_read);
    assert_same_findings(kept, nkept, found, nfound);
    assert_memory_equal(events, ev_read, sizeof ev_read);
    return nkept;
}

/* A lone answer (TTL 40 and the query's IP-ID: two tells) judged from its kept bytes
 * says what it says read at once. */
static void test_lone_kept_as_read(void **state)
{
    (void)state;
    uint64_t ev[2];
    assert_int_equal(kept_as_read(rr_cname_a, sizeof rr_cname_a, 2, 40, 0, ev), 1);
    char joined[160];
    assert_string_equal(strlist_join(joined, sizeof joined, found[0].answers[0].records, ","),
                        "CNAME web.example.com,A 198.51.100.7");
    assert_int_equal(found[0].answers[0].nrecords, 2);
    assert_true(ev[0] == 0 && ev[1] == 0);
}

/* A hostile kept answer (a pointer loop in a record's name) 1 ms before the resolver's:
 * counted as invalid when it comes, and compared as the parser reads it at once (no
 * record read). */
static void test_race_hostile_kept_as_read(void **state)
{
    (void)state;
    uint64_t ev[2];
    assert_int_equal(kept_as_read(rr_cname_loop, sizeof rr_cname_loop, 1, 64, 1, ev), 1);
    assert_int_equal(found[0].nanswers, 2);
    assert_int_equal(found[0].answers[0].nrecords, 0);
    assert_string_equal(found[0].answers[1].records, "A 192.0.2.1");
    assert_true(ev[0] == 0 && ev[1] == 1);
}

/* A kept answer cut inside its record: counted as truncated when it comes; its record
 * never counts. */
static void test_race_cut_kept(void **state)
{
    (void)state;
    uint64_t ev[2];
    scenario(rr_a_cut, sizeof rr_a_cut, 1, 64, 1, 0, ev);
    assert_int_equal(nfound, 1);
    assert_int_equal(found[0].answers[0].nrecords, 0);
    assert_string_equal(found[0].answers[0].records, "");
    assert_true(ev[0] == 1 && ev[1] == 0);
}

/* Two kept copies of one answer are the same answer: no finding, none dropped. */
static void test_same_answer_kept(void **state)
{
    (void)state;
    for (int pad = 0; pad < 2; pad++) {
        struct pipeline p;
        start(&p, pad);
        int64_t t = T0 + 10 * SEC;
        send_dns(&p, 20, t, 0x4242, NULL, 0, 0, 0, 64, 0x7777);
        send_dns(&p, 21, t + 100000, 0x4242, rr_cname_a, sizeof rr_cname_a, 2, pad, 64, 0x5151);
        send_dns(&p, 22, t + 200000, 0x4242, rr_cname_a, sizeof rr_cname_a, 2, pad, 64, 0x5152);
        pipeline_finish(&p);
        assert_int_equal(nfound, 0);
        pipeline_release(&p);
    }
}

/* An answer under the query's header (client port, id) to another question (AAAA for
 * A) is an answer to a transaction of its own, not a second answer to the query's: no
 * race, whichever comes first. */
static void test_other_question_own_transaction(void **state)
{
    (void)state;
    for (int order = 0; order < 2; order++) {
        struct pipeline p;
        start(&p, 0);
        int64_t t = T0 + 10 * SEC;
        send_dns(&p, 20, t, 0x4242, NULL, 0, 0, 0, 64, 0x7777);
        for (int k = 0; k < 2; k++) {
            qtype = (uint8_t)((k ^ order) ? 28 : 1);
            send_dns(&p, 21 + (uint64_t)k, t + 100000 * (k + 1), 0x4242,
                     qtype == 1 ? rr_a : rr_cname_a, qtype == 1 ? sizeof rr_a : sizeof rr_cname_a,
                     qtype == 1 ? 1 : 2, 0, 64, (uint16_t)(0x5151 + k));
        }
        qtype = 1;
        pipeline_finish(&p);
        assert_int_equal(nfound, 0);
        pipeline_release(&p);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_lone_kept_as_read),
        cmocka_unit_test(test_race_hostile_kept_as_read),
        cmocka_unit_test(test_race_cut_kept),
        cmocka_unit_test(test_same_answer_kept),
        cmocka_unit_test(test_other_question_own_transaction),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
