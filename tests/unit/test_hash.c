/* secondsight - unit tests for SipHash-1-3 (util-hash.c) and the direction-free flow
 * key (flow_key_make): both directions of a flow must land on one key and one hash. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "detect-dns-key.h"
#include "flow.h"
#include "util-hash.h"

/* SipHash-1-3 outputs of the reference implementation (github.com/veorq/SipHash) for
 * the all-zero key and the message 00 01 02 .. (len-1). The lengths cover the empty
 * message, a lone tail, a whole 8-byte block, a block plus a 7-byte tail, and more. */
static void test_siphash13_reference_vectors(void **state)
{
    (void)state;
    static const struct {
        size_t len;
        uint64_t out;
    } v[] = {
        {0, 0xd1fba762150c532cull},  {1, 0x68a914128e01e473ull},  {7, 0x2f098ab0c751325aull},
        {8, 0xead411e67ebe2eeaull},  {9, 0x75927f9d95124362ull},  {15, 0xf30eb725bb91c9eaull},
        {16, 0x8972188433a5c5b7ull}, {38, 0xc680ae8a8c584ddfull}, {63, 0x385d3e39e5f37359ull},
    };
    static const uint64_t key[2] = {0, 0};
    uint8_t msg[64];
    for (size_t i = 0; i < sizeof msg; i++)
        msg[i] = (uint8_t)i;
    for (size_t i = 0; i < sizeof v / sizeof v[0]; i++)
        assert_int_equal(siphash13(key, msg, v[i].len), v[i].out);
}

static void test_siphash13_deterministic_and_keyed(void **state)
{
    (void)state;
    static const char msg[] = "192.0.2.1:443 <-> 198.51.100.7:50000";
    const uint64_t k1[2] = {0x0706050403020100ull, 0x0f0e0d0c0b0a0908ull};
    const uint64_t k2[2] = {0x0706050403020101ull, 0x0f0e0d0c0b0a0908ull}; /* one bit */
    const uint64_t k3[2] = {0x0706050403020100ull, 0x8f0e0d0c0b0a0908ull}; /* one bit */

    uint64_t h1 = siphash13(k1, msg, sizeof msg - 1);
    assert_int_equal(siphash13(k1, msg, sizeof msg - 1), h1);
    assert_int_not_equal(siphash13(k2, msg, sizeof msg - 1), h1);
    assert_int_not_equal(siphash13(k3, msg, sizeof msg - 1), h1);
    /* Length is part of the input: a prefix, and trailing zero bytes, differ. */
    assert_int_not_equal(siphash13(k1, msg, sizeof msg - 2), h1);
    uint8_t z[9] = {0};
    assert_int_not_equal(siphash13(k1, z, 8), siphash13(k1, z, 9));
}

/* siphash13_prefix gives siphash13 of the prefix and of the whole, for every whole-word
 * prefix of every length up to 64 bytes (the empty prefix and the whole input among
 * them). */
static void test_siphash13_prefix_pair(void **state)
{
    (void)state;
    const uint64_t key[2] = {0x0706050403020100ull, 0x0f0e0d0c0b0a0908ull};
    uint8_t msg[64];
    for (size_t i = 0; i < sizeof msg; i++)
        msg[i] = (uint8_t)(i * 37 + 11);
    for (size_t len = 0; len <= sizeof msg; len++)
        for (size_t prefix = 0; prefix <= len; prefix += 8) {
            uint64_t hp = 0, ha = 0;
            siphash13_prefix(key, msg, prefix, len, &hp, &ha);
            assert_int_equal(hp, siphash13(key, msg, prefix));
            assert_int_equal(ha, siphash13(key, msg, len));
        }
}

/* Unaligned input hashes the same as aligned input. */
static void test_siphash13_alignment(void **state)
{
    (void)state;
    const uint64_t key[2] = {1, 2};
    uint8_t buf[64 + 8];
    for (size_t i = 0; i < sizeof buf; i++)
        buf[i] = (uint8_t)(i * 37 + 11);
    uint8_t copy[64];
    for (size_t shift = 1; shift < 8; shift++) {
        memcpy(copy, buf + shift, sizeof copy);
        assert_int_equal(siphash13(key, buf + shift, sizeof copy),
                         siphash13(key, copy, sizeof copy));
    }
}

static void make_pkt(struct packet *p, int v, const uint8_t *src, const uint8_t *dst,
                     uint16_t sport, uint16_t dport, uint8_t proto)
{
    size_t alen = v == 4 ? 4 : 16;
    memset(p, 0, sizeof *p);
    p->ip_version = (uint8_t)v;
    p->proto = proto;
    memcpy(p->ip_src, src, alen);
    memcpy(p->ip_dst, dst, alen);
    p->sport = sport;
    p->dport = dport;
}

/* dns_injection's keys: the pending key that dns_txn_keys gives with a transaction key
 * is the one dns_pending_key gives a reply's header alone (a reply the parser rejects
 * finds its transaction by it), for IPv4 and IPv6, from either end; the question, the
 * id, the client port and each address are part of the keys, the rest of an IPv4
 * packet's address fields not. */
static void test_dns_keys(void **state)
{
    (void)state;
    const uint64_t key[2] = {0x1234, 0x5678};
    static const uint8_t c4[16] = {192, 0, 2, 10}, s4[16] = {192, 0, 2, 53};
    static const uint8_t c6[16] = {0x20, 0x01, 0x0d, 0xb8, [15] = 10};
    static const uint8_t s6[16] = {0x20, 0x01, 0x0d, 0xb8, [15] = 53};
    struct dns_msg m;
    memset(&m, 0, sizeof m);
    m.id = 0x4242;
    m.qtype = 1;
    strcpy(m.qname, "www.example.com");
    m.qlen = (uint16_t)strlen(m.qname);
    for (int v = 4; v <= 6; v += 2) {
        struct packet q, r;
        make_pkt(&q, v, v == 4 ? c4 : c6, v == 4 ? s4 : s6, 40000, 53, 17);
        make_pkt(&r, v, v == 4 ? s4 : s6, v == 4 ? c4 : c6, 53, 40000, 17);
        uint64_t pq, tq, pr, tr;
        dns_txn_keys(key, &q, 1, &m, &pq, &tq);
        dns_txn_keys(key, &r, 0, &m, &pr, &tr);
        assert_int_equal(pq, pr);
        assert_int_equal(tq, tr);
        assert_int_equal(pq, dns_pending_key(key, &r, 0, m.id));
        assert_int_not_equal(pq, tq);
        if (v == 4) { /* bytes past an IPv4 address are not part of it */
            r.ip_src[8] ^= 1;
            r.ip_dst[12] ^= 1;
            assert_int_equal(dns_pending_key(key, &r, 0, m.id), pr);
        }
        struct dns_msg other = m;
        other.qname[0] = 'x'; /* another question: the same pending key */
        dns_txn_keys(key, &r, 0, &other, &pr, &tr);
        assert_int_equal(pr, pq);
        assert_int_not_equal(tr, tq);
        r.dport = 40001; /* another client port, id or address: neither key */
        dns_txn_keys(key, &r, 0, &m, &pr, &tr);
        assert_true(pr != pq && tr != tq);
        r.dport = 40000;
        assert_true(dns_pending_key(key, &r, 0, 0x4243) != pq);
        r.ip_src[3] ^= 1;
        assert_true(dns_pending_key(key, &r, 0, m.id) != pq);
    }
}

static void assert_symmetric(const struct packet *ab, const struct packet *ba)
{
    struct flow_key k1, k2;
    int low1 = flow_key_make(&k1, ab);
    int low2 = flow_key_make(&k2, ba);
    assert_memory_equal(&k1, &k2, sizeof k1);
    assert_int_not_equal(low1, low2); /* exactly one direction is "from the low end" */
    const uint64_t key[2] = {0x1234, 0x5678};
    assert_int_equal(siphash13(key, &k1, sizeof k1), siphash13(key, &k2, sizeof k2));
}

static void test_flow_key_symmetric_v4(void **state)
{
    (void)state;
    static const uint8_t a[4] = {10, 0, 0, 1}, b[4] = {10, 0, 0, 2};
    struct packet ab, ba;

    make_pkt(&ab, 4, a, b, 40000, 80, IPPROTO_NUM_TCP);
    make_pkt(&ba, 4, b, a, 80, 40000, IPPROTO_NUM_TCP);
    assert_symmetric(&ab, &ba);

    struct flow_key k;
    assert_int_equal(flow_key_make(&k, &ab), 1);
    assert_memory_equal(k.ip_lo, a, 4);
    assert_memory_equal(k.ip_hi, b, 4);
    assert_int_equal(k.port_lo, 40000);
    assert_int_equal(k.port_hi, 80);
    assert_int_equal(k.proto, IPPROTO_NUM_TCP);
    assert_int_equal(k.ip_version, 4);
    static const uint8_t zero[12] = {0};
    assert_memory_equal(k.ip_lo + 4, zero, 12); /* IPv4 leaves the rest zero */

    /* Same address on both ends: the ports decide the order. */
    make_pkt(&ab, 4, a, a, 5353, 53, IPPROTO_NUM_UDP);
    make_pkt(&ba, 4, a, a, 53, 5353, IPPROTO_NUM_UDP);
    assert_symmetric(&ab, &ba);
}

static void test_flow_key_symmetric_v6(void **state)
{
    (void)state;
    static const uint8_t a[16] = {0x20, 0x01, 0x0d, 0xb8, [15] = 0x01};
    static const uint8_t b[16] = {0x20, 0x01, 0x0d, 0xb8, [14] = 0x01, [15] = 0x00};
    struct packet ab, ba;

    make_pkt(&ab, 6, a, b, 443, 51000, IPPROTO_NUM_TCP);
    make_pkt(&ba, 6, b, a, 51000, 443, IPPROTO_NUM_TCP);
    assert_symmetric(&ab, &ba);
}

/* The key tells apart what must stay apart: protocol, ports and the address family. */
static void test_flow_key_distinguishes(void **state)
{
    (void)state;
    static const uint8_t a[4] = {192, 0, 2, 1}, b[4] = {192, 0, 2, 2};
    struct packet p1, p2;
    struct flow_key k1, k2;

    make_pkt(&p1, 4, a, b, 1000, 80, IPPROTO_NUM_TCP);
    make_pkt(&p2, 4, a, b, 1000, 80, IPPROTO_NUM_UDP);
    flow_key_make(&k1, &p1);
    flow_key_make(&k2, &p2);
    assert_memory_not_equal(&k1, &k2, sizeof k1);

    make_pkt(&p2, 4, a, b, 1001, 80, IPPROTO_NUM_TCP);
    flow_key_make(&k2, &p2);
    assert_memory_not_equal(&k1, &k2, sizeof k1);

    /* Swapping only the ports (not the addresses) is a different flow. */
    make_pkt(&p2, 4, a, b, 80, 1000, IPPROTO_NUM_TCP);
    flow_key_make(&k2, &p2);
    assert_memory_not_equal(&k1, &k2, sizeof k1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_siphash13_reference_vectors),
        cmocka_unit_test(test_siphash13_deterministic_and_keyed),
        cmocka_unit_test(test_siphash13_prefix_pair),
        cmocka_unit_test(test_dns_keys),
        cmocka_unit_test(test_siphash13_alignment),
        cmocka_unit_test(test_flow_key_symmetric_v4),
        cmocka_unit_test(test_flow_key_symmetric_v6),
        cmocka_unit_test(test_flow_key_distinguishes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
