/* secondsight - unit tests for Community ID v1 (util-cid.c) against the published
 * vectors of the corelight community-id-spec, in both directions where they match. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <arpa/inet.h>

#include <cmocka.h>

#include "decode.h"
#include "util-cid.h"

#define PROTO_RSVP 46

struct addr {
    int v;
    uint8_t b[16];
};

static struct addr ip(const char *text)
{
    struct addr a;
    memset(&a, 0, sizeof a);
    a.v = strchr(text, ':') ? 6 : 4;
    assert_int_equal(inet_pton(a.v == 4 ? AF_INET : AF_INET6, text, a.b), 1);
    return a;
}

static void assert_cid(uint16_t seed, const char *src, const char *dst, uint8_t proto,
                       uint16_t sport, uint16_t dport, const char *want)
{
    struct addr s = ip(src), d = ip(dst);
    char out[COMMUNITY_ID_LEN];
    memset(out, 'X', sizeof out);
    assert_int_equal(s.v, d.v);
    community_id_v1(out, seed, s.v, s.b, d.b, proto, sport, dport);
    assert_int_equal(strlen(out), COMMUNITY_ID_LEN - 1);
    assert_string_equal(out, want);
}

/* TCP and UDP 1.2.3.4:1122 -> 5.6.7.8:3344, and the reply direction. */
static void test_tcp_udp(void **state)
{
    (void)state;
    static const struct {
        uint16_t seed;
        uint8_t proto;
        const char *want;
    } v[] = {
        {0, IPPROTO_NUM_TCP, "1:wCb3OG7yAFWelaUydu0D+125CLM="},
        {0, IPPROTO_NUM_UDP, "1:0Mu9InQx6z4ZiCZM/7HXi2WMhOg="},
        {1, IPPROTO_NUM_TCP, "1:HhA1B+6CoLbiKPEs5nhNYN4XWfk="},
        {1, IPPROTO_NUM_UDP, "1:OShq+iKDAMVouh/4bMxB9Sz4amw="},
    };
    for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
        assert_cid(v[i].seed, "1.2.3.4", "5.6.7.8", v[i].proto, 1122, 3344, v[i].want);
        assert_cid(v[i].seed, "5.6.7.8", "1.2.3.4", v[i].proto, 3344, 1122, v[i].want);
    }
}

/* ICMP echo request 1.2.3.4 -> 5.6.7.8 (type 8 code 0) and its reply (type 0 code 0)
 * share one ID: the type maps to its counterpart as the "port" pair. */
static void test_icmp_echo(void **state)
{
    (void)state;
    assert_cid(0, "1.2.3.4", "5.6.7.8", IPPROTO_NUM_ICMP, 8, 0, "1:crodRHL2FEsHjbv3UkRrfbs4bZ0=");
    assert_cid(0, "5.6.7.8", "1.2.3.4", IPPROTO_NUM_ICMP, 0, 0, "1:crodRHL2FEsHjbv3UkRrfbs4bZ0=");
    assert_cid(1, "1.2.3.4", "5.6.7.8", IPPROTO_NUM_ICMP, 8, 0, "1:9pr4ZGTICiuZoIh90RRYE2RyXpU=");
    assert_cid(1, "5.6.7.8", "1.2.3.4", IPPROTO_NUM_ICMP, 0, 0, "1:9pr4ZGTICiuZoIh90RRYE2RyXpU=");
}

/* ICMPv6 echo request (128) and reply (129). */
static void test_icmpv6_echo(void **state)
{
    (void)state;
    const char *a = "fe80:1:203:405:607:809:a0b:c0d";
    const char *b = "fe80:1011:1213:1415:1617:1819:1a1b:1c1d";
    assert_cid(0, a, b, IPPROTO_NUM_ICMPV6, 128, 0, "1:0bf7hyMJUwt3fMED7z8LIfRpBeo=");
    assert_cid(0, b, a, IPPROTO_NUM_ICMPV6, 129, 0, "1:0bf7hyMJUwt3fMED7z8LIfRpBeo=");
    assert_cid(1, a, b, IPPROTO_NUM_ICMPV6, 128, 0, "1:IO27GQzPuCtNnwFvjWALMHu5tJE=");
    assert_cid(1, b, a, IPPROTO_NUM_ICMPV6, 129, 0, "1:IO27GQzPuCtNnwFvjWALMHu5tJE=");
}

/* A one-way ICMPv6 message (time exceeded, type 3 code 0) keeps its own order and code:
 * it has no counterpart, so the "reverse" (same type from the other end) differs. */
static void test_icmpv6_one_way(void **state)
{
    (void)state;
    const char *a = "3ffe:501:1800:2345::2";
    const char *b = "3ffe:507:0:1:200:86ff:fe05:80da";
    assert_cid(0, a, b, IPPROTO_NUM_ICMPV6, 3, 0, "1:2ObVBgIn28oZvibYZhZMBgh7WdQ=");

    struct addr s = ip(b), d = ip(a);
    char out[COMMUNITY_ID_LEN];
    community_id_v1(out, 0, 6, s.b, d.b, IPPROTO_NUM_ICMPV6, 3, 0);
    assert_string_not_equal(out, "1:2ObVBgIn28oZvibYZhZMBgh7WdQ=");
}

/* Neighbour solicitation (135) and advertisement (136) pair up like request/reply. */
static void test_icmpv6_neighbour_discovery(void **state)
{
    (void)state;
    const char *a = "fe80::200:86ff:fe05:80da";
    const char *b = "fe80::260:97ff:fe07:69ea";
    assert_cid(0, a, b, IPPROTO_NUM_ICMPV6, 135, 0, "1:dGHyGvjMfljg6Bppwm3bg0LO8TY=");
    assert_cid(0, b, a, IPPROTO_NUM_ICMPV6, 136, 0, "1:dGHyGvjMfljg6Bppwm3bg0LO8TY=");
}

/* A protocol without ports hashes addresses and protocol only: the ports passed in do
 * not matter, and both directions match. */
static void test_portless_protocol(void **state)
{
    (void)state;
    assert_cid(0, "1.2.3.4", "5.6.7.8", PROTO_RSVP, 0, 0, "1:ikv3kmf89luf73WPz1jOs49S768=");
    assert_cid(0, "5.6.7.8", "1.2.3.4", PROTO_RSVP, 0, 0, "1:ikv3kmf89luf73WPz1jOs49S768=");
    assert_cid(0, "1.2.3.4", "5.6.7.8", PROTO_RSVP, 1, 2, "1:ikv3kmf89luf73WPz1jOs49S768=");
}

/* The seed and the ports are part of the hash. */
static void test_inputs_matter(void **state)
{
    (void)state;
    struct addr s = ip("1.2.3.4"), d = ip("5.6.7.8");
    char a[COMMUNITY_ID_LEN], b[COMMUNITY_ID_LEN];
    community_id_v1(a, 0, 4, s.b, d.b, IPPROTO_NUM_TCP, 1122, 3344);
    community_id_v1(b, 2, 4, s.b, d.b, IPPROTO_NUM_TCP, 1122, 3344);
    assert_string_not_equal(a, b);
    community_id_v1(b, 0, 4, s.b, d.b, IPPROTO_NUM_TCP, 1122, 3345);
    assert_string_not_equal(a, b);
    /* Same address on both ends: ordered by port, so still symmetric. */
    community_id_v1(a, 0, 4, s.b, s.b, IPPROTO_NUM_UDP, 53, 5353);
    community_id_v1(b, 0, 4, s.b, s.b, IPPROTO_NUM_UDP, 5353, 53);
    assert_string_equal(a, b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_tcp_udp),
        cmocka_unit_test(test_icmp_echo),
        cmocka_unit_test(test_icmpv6_echo),
        cmocka_unit_test(test_icmpv6_one_way),
        cmocka_unit_test(test_icmpv6_neighbour_discovery),
        cmocka_unit_test(test_portless_protocol),
        cmocka_unit_test(test_inputs_matter),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
