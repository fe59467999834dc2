/* secondsight - unit tests for the Internet checksum (util-checksum.c) and the checksum of
 * remembered segments (flow_segment_checksum() in flow-tcp.c), against a plain reference. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <pcap/dlt.h>

#include "config.h"
#include "decode.h"
#include "flow.h"
#include "util-checksum.h"

#define SEC ((int64_t)1000000000)
#define T0 ((int64_t)1700000000 * SEC)
#define WIN 256u /* TCP_WINDOW_MIN: segments wrap around the ring */

/* ---- the reference: RFC 1071 written the slow, obvious way ---- */

/* Sum of big-endian 16-bit words, the last odd byte padded with a zero. */
static uint64_t ref_add(uint64_t acc, const uint8_t *p, size_t n)
{
    for (size_t i = 0; i < n; i += 2)
        acc += (uint64_t)p[i] << 8 | (i + 1 < n ? p[i + 1] : 0);
    return acc;
}

static uint16_t ref_fold(uint64_t acc)
{
    while (acc >> 16)
        acc = (acc & 0xffff) + (acc >> 16);
    return (uint16_t)acc;
}

/* Deterministic filler bytes. */
static void fill(uint8_t *p, size_t n, uint32_t seed)
{
    for (size_t i = 0; i < n; i++) {
        seed = seed * 1103515245u + 12345u;
        p[i] = (uint8_t)(seed >> 16);
    }
}

/* ---- csum_add / csum_fold ---- */

/* RFC 1071 section 3's worked example. */
static void test_rfc1071_example(void **state)
{
    (void)state;
    static const uint8_t ex[8] = {0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7};
    assert_int_equal(csum_fold(csum_add(0, ex, sizeof ex)), 0xddf2);
    assert_int_equal(ref_fold(ref_add(0, ex, sizeof ex)), 0xddf2);
    /* The same words two at a time, and starting at an odd address. */
    uint64_t s = 0;
    for (size_t i = 0; i < sizeof ex; i += 2)
        s = csum_add(s, ex + i, 2);
    assert_int_equal(csum_fold(s), 0xddf2);
    uint8_t shifted[9];
    memcpy(shifted + 1, ex, sizeof ex);
    assert_int_equal(csum_fold(csum_add(0, shifted + 1, sizeof ex)), 0xddf2);

    assert_int_equal(csum_fold(0), 0);
    assert_int_equal(csum_fold(csum_add(0, ex, 0)), 0);
    static const uint8_t ones[2] = {0xff, 0xff};
    assert_int_equal(csum_fold(csum_add(0, ones, 2)), 0xffff);
}

/* Every length 0..300, odd ones included (the last byte is the high byte of a word
 * padded with zero), at every alignment 0..7. */
static void test_lengths_and_alignment(void **state)
{
    (void)state;
    uint8_t buf[300 + 8];
    fill(buf, sizeof buf, 7);
    for (size_t align = 0; align < 8; align++)
        for (size_t n = 0; n <= 300; n++)
            assert_int_equal(csum_fold(csum_add(0, buf + align, n)),
                             ref_fold(ref_add(0, buf + align, n)));

    /* One odd byte: 0xab -> 0xab00. */
    static const uint8_t one = 0xab;
    assert_int_equal(csum_fold(csum_add(0, &one, 1)), 0xab00);
    static const uint8_t three[3] = {0x12, 0x34, 0x56};
    assert_int_equal(csum_fold(csum_add(0, three, 3)), 0x1234 + 0x5600);
}

/* Carries: 64 KiB of 0xff bytes and of 0xfe bytes, far past any 16- or 32-bit sum, and
 * a running sum carried over 16 MiB. */
static void test_carries(void **state)
{
    (void)state;
    static uint8_t p[(1 << 16) + 1];
    size_t n = 1 << 16;
    memset(p, 0xff, n + 1);
    assert_int_equal(csum_fold(csum_add(0, p, n)), 0xffff);
    assert_int_equal(csum_fold(csum_add(0, p, n + 1)), ref_fold(ref_add(0, p, n + 1)));
    memset(p, 0xfe, n + 1);
    assert_int_equal(csum_fold(csum_add(0, p, n)), ref_fold(ref_add(0, p, n)));
    assert_int_equal(csum_fold(csum_add(0, p, n + 1)), ref_fold(ref_add(0, p, n + 1)));
    uint64_t s = 0, r = 0;
    for (int i = 0; i < 256; i++) {
        s = csum_add(s, p, n);
        r = ref_add(r, p, n);
    }
    s = csum_add(s, p, 7);
    r = ref_add(r, p, 7);
    assert_int_equal(csum_fold(s), ref_fold(r));
}

/* Split calls at even offsets give the sum of one call, whatever the total length. */
static void test_split_calls(void **state)
{
    (void)state;
    uint8_t buf[77];
    fill(buf, sizeof buf, 99);
    for (size_t n = 0; n <= sizeof buf; n++) {
        uint16_t whole = csum_fold(csum_add(0, buf, n));
        assert_int_equal(whole, ref_fold(ref_add(0, buf, n)));
        for (size_t a = 0; a <= n; a += 2) {
            uint64_t s = csum_add(csum_add(0, buf, a), buf + a, n - a);
            assert_int_equal(csum_fold(s), whole);
            for (size_t b = a; b <= n; b += 2) {
                uint64_t s3 = csum_add(0, buf, a);
                s3 = csum_add(s3, buf + a, b - a);
                s3 = csum_add(s3, buf + b, n - b);
                assert_int_equal(csum_fold(s3), whole);
            }
        }
    }
}

/* ---- packets, written out as bytes and decoded ---- */

static const uint8_t v4_client[4] = {192, 0, 2, 1};
static const uint8_t v4_server[4] = {198, 51, 100, 7};
static const uint8_t v6_client[16] = {0x20, 0x01, 0x0d, 0xb8, [15] = 0x01};
static const uint8_t v6_server[16] = {0x20, 0x01, 0x0d, 0xb8, [14] = 0xbe, [15] = 0xef};

static void put16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)(v >> 8);
    p[1] = (uint8_t)v;
}

static void put32(uint8_t *p, uint32_t v)
{
    put16(p, (uint16_t)(v >> 16));
    put16(p + 2, (uint16_t)v);
}

/* The transport checksum the reference computes for l4[0..l4_len) (checksum field
 * included as it stands: zero it first), pseudo-header laid out as the RFCs draw it. */
static uint16_t ref_transport(int v6, const uint8_t *src, const uint8_t *dst, uint8_t proto,
                              const uint8_t *l4, size_t l4_len)
{
    uint8_t ph[40];
    size_t phn;
    if (v6) { /* RFC 8200 section 8.1: addresses, 32-bit length, 3 zero bytes, next header */
        memcpy(ph, src, 16);
        memcpy(ph + 16, dst, 16);
        put32(ph + 32, (uint32_t)l4_len);
        ph[36] = ph[37] = ph[38] = 0;
        ph[39] = proto;
        phn = 40;
    } else { /* RFC 9293 section 3.1: addresses, zero, protocol, 16-bit length */
        memcpy(ph, src, 4);
        memcpy(ph + 4, dst, 4);
        ph[8] = 0;
        ph[9] = proto;
        put16(ph + 10, (uint16_t)l4_len);
        phn = 12;
    }
    uint8_t *all = malloc(phn + l4_len);
    assert_non_null(all);
    memcpy(all, ph, phn);
    memcpy(all + phn, l4, l4_len);
    uint16_t c = (uint16_t)~ref_fold(ref_add(0, all, phn + l4_len));
    free(all);
    return c;
}

/* Writes the IP header for `l4_len` transport bytes; returns its length. */
static size_t put_ip(uint8_t *b, int v6, int from_server, uint8_t proto, size_t l4_len)
{
    const uint8_t *src =
        v6 ? (from_server ? v6_server : v6_client) : (from_server ? v4_server : v4_client);
    const uint8_t *dst =
        v6 ? (from_server ? v6_client : v6_server) : (from_server ? v4_client : v4_server);
    if (v6) {
        b[0] = 0x60; /* version 6, traffic class 0, flow label 0 */
        b[1] = b[2] = b[3] = 0;
        put16(b + 4, (uint16_t)l4_len); /* payload length */
        b[6] = proto;                   /* next header */
        b[7] = 57;                      /* hop limit */
        memcpy(b + 8, src, 16);
        memcpy(b + 24, dst, 16);
        return 40;
    }
    b[0] = 0x45;                           /* version 4, header length 5 words */
    b[1] = 0;                              /* TOS */
    put16(b + 2, (uint16_t)(20 + l4_len)); /* total length */
    put16(b + 4, 0x1c46);                  /* identification */
    put16(b + 6, 0x4000);                  /* DF, fragment offset 0 */
    b[8] = 57;                             /* TTL */
    b[9] = proto;
    put16(b + 10, 0); /* header checksum (not verified) */
    memcpy(b + 12, src, 4);
    memcpy(b + 16, dst, 4);
    return 20;
}

/* One TCP segment to write out. */
struct tcp_spec {
    int v6;
    int from_server;
    uint16_t cport;
    uint32_t seq, ack;
    uint8_t flags;
    const uint8_t *payload;
    size_t len;
    uint16_t csum_xor; /* nonzero: the checksum field is damaged by this much */
};

#define TCP_HLEN 32 /* 20 bytes and NOP, NOP, timestamps */

/* Writes IP + TCP (with a timestamps option) + payload with a correct checksum, unless
 * csum_xor spoils it; returns the frame length. */
static size_t build_tcp(uint8_t *b, size_t cap, const struct tcp_spec *s)
{
    size_t ip = put_ip(b, s->v6, s->from_server, IPPROTO_NUM_TCP, TCP_HLEN + s->len);
    assert_true(ip + TCP_HLEN + s->len <= cap);
    uint8_t *t = b + ip;
    put16(t, s->from_server ? 80 : s->cport);     /* source port */
    put16(t + 2, s->from_server ? s->cport : 80); /* destination port */
    put32(t + 4, s->seq);
    put32(t + 8, s->ack);
    t[12] = (TCP_HLEN / 4) << 4; /* data offset 8 words */
    t[13] = s->flags;
    put16(t + 14, 29200); /* window */
    put16(t + 16, 0);     /* checksum, filled below */
    put16(t + 18, 0);     /* urgent pointer */
    t[20] = TCPOPT_NOP;
    t[21] = TCPOPT_NOP;
    t[22] = TCPOPT_TIMESTAMP;
    t[23] = 10;
    put32(t + 24, 0x01020304u + s->seq); /* TSval */
    put32(t + 28, 0x0a0b0c0du);          /* TSecr */
    if (s->len)
        memcpy(t + TCP_HLEN, s->payload, s->len);
    const uint8_t *src = b + (s->v6 ? 8 : 12);
    const uint8_t *dst = b + (s->v6 ? 24 : 16);
    uint16_t c = ref_transport(s->v6, src, dst, IPPROTO_NUM_TCP, t, TCP_HLEN + s->len);
    put16(t + 16, (uint16_t)(c ^ s->csum_xor));
    return ip + TCP_HLEN + s->len;
}

/* UDP datagram with `csum` as its checksum field; returns the frame length. */
static size_t build_udp(uint8_t *b, size_t cap, int v6, const uint8_t *payload, size_t len,
                        int correct, uint16_t csum)
{
    size_t ip = put_ip(b, v6, 0, IPPROTO_NUM_UDP, 8 + len);
    assert_true(ip + 8 + len <= cap);
    uint8_t *u = b + ip;
    put16(u, 5353);                    /* source port */
    put16(u + 2, 53);                  /* destination port */
    put16(u + 4, (uint16_t)(8 + len)); /* length */
    put16(u + 6, 0);                   /* checksum */
    memcpy(u + 8, payload, len);
    if (correct) {
        csum =
            ref_transport(v6, b + (v6 ? 8 : 12), b + (v6 ? 24 : 16), IPPROTO_NUM_UDP, u, 8 + len);
        if (csum == 0)
            csum = 0xffff; /* RFC 768: a computed zero is sent as all ones */
    }
    put16(u + 6, csum);
    return ip + 8 + len;
}

static void decode_raw(struct packet *p, const uint8_t *f, size_t caplen, size_t wirelen)
{
    memset(p, 0, sizeof *p);
    p->data = f;
    p->caplen = (uint32_t)caplen;
    p->wirelen = (uint32_t)wirelen;
    p->linktype = DLT_RAW;
    decode_packet(p);
}

static const char http_get[] = "GET /index.html HTTP/1.1\r\nHost: example.com\r\n\r\n";

/* ---- transport_checksum ---- */

static void test_ipv4_tcp(void **state)
{
    (void)state;
    uint8_t f[256];
    struct packet p;
    size_t plen = sizeof http_get - 1; /* 47: an odd payload */
    struct tcp_spec s = {0,    0, 40000, 1000, 2000, TH_PSH | TH_ACK, (const uint8_t *)http_get,
                         plen, 0};
    size_t n = build_tcp(f, sizeof f, &s);
    decode_raw(&p, f, n, n);
    assert_true(p.l4_ok);
    assert_int_equal(p.events, 0);
    assert_int_equal(p.payload_len, plen);
    assert_int_equal(p.u.tcp.checksum, f[20 + 16] << 8 | f[20 + 17]);
    assert_int_equal(transport_checksum(&p), CSUM_OK);

    /* Ones-complement sums catch every single-bit error: each payload bit, each bit of
     * the checksum field, and the addresses of the pseudo-header. */
    for (size_t i = 20 + TCP_HLEN; i < n; i++)
        for (int bit = 0; bit < 8; bit++) {
            f[i] ^= (uint8_t)(1u << bit);
            decode_raw(&p, f, n, n);
            assert_int_equal(transport_checksum(&p), CSUM_BAD);
            f[i] ^= (uint8_t)(1u << bit);
        }
    for (size_t i = 20 + 16; i < 20 + 18; i++)
        for (int bit = 0; bit < 8; bit++) {
            f[i] ^= (uint8_t)(1u << bit);
            decode_raw(&p, f, n, n);
            assert_int_equal(transport_checksum(&p), CSUM_BAD);
            f[i] ^= (uint8_t)(1u << bit);
        }
    f[15] ^= 0x01; /* source address */
    decode_raw(&p, f, n, n);
    assert_int_equal(transport_checksum(&p), CSUM_BAD);
    f[15] ^= 0x01;
    f[8] = 1; /* TTL: not part of the pseudo-header */
    decode_raw(&p, f, n, n);
    assert_int_equal(transport_checksum(&p), CSUM_OK);

    /* Swapping two 16-bit words is the one damage a ones-complement sum cannot see. */
    size_t a = 20 + TCP_HLEN;
    uint8_t tmp[2];
    memcpy(tmp, f + a, 2);
    memcpy(f + a, f + a + 2, 2);
    memcpy(f + a + 2, tmp, 2);
    decode_raw(&p, f, n, n);
    assert_int_equal(transport_checksum(&p), CSUM_OK);

    /* No payload: the header alone. */
    struct tcp_spec ack = {0, 1, 40000, 2000, 1047, TH_ACK, NULL, 0, 0};
    n = build_tcp(f, sizeof f, &ack);
    decode_raw(&p, f, n, n);
    assert_int_equal(p.payload_len, 0);
    assert_int_equal(transport_checksum(&p), CSUM_OK);
}

/* A payload cut by the snap length cannot be verified, whatever the checksum says. */
static void test_snapped_is_unknown(void **state)
{
    (void)state;
    uint8_t f[256];
    struct packet p;
    size_t plen = sizeof http_get - 1;
    struct tcp_spec s = {0,    0, 40000, 1000, 2000, TH_PSH | TH_ACK, (const uint8_t *)http_get,
                         plen, 0};
    size_t n = build_tcp(f, sizeof f, &s);
    for (size_t cut = 20 + TCP_HLEN; cut < n; cut++) {
        decode_raw(&p, f, cut, n);
        assert_true(p.l4_ok);
        assert_true(packet_has_event(&p, DEV_PAYLOAD_SNAPPED));
        assert_int_equal(p.payload_wire_len, plen);
        assert_int_equal(transport_checksum(&p), CSUM_UNKNOWN);
    }
    s.csum_xor = 0x8000; /* a bad one too: still unknown, not bad */
    n = build_tcp(f, sizeof f, &s);
    decode_raw(&p, f, n - 1, n);
    assert_int_equal(transport_checksum(&p), CSUM_UNKNOWN);
    decode_raw(&p, f, n, n);
    assert_int_equal(transport_checksum(&p), CSUM_BAD);

    /* Cut inside the TCP header: nothing decoded to verify. */
    decode_raw(&p, f, 20 + 10, n);
    assert_false(p.l4_ok);
    assert_int_equal(transport_checksum(&p), CSUM_UNKNOWN);
}

static void test_ipv6_tcp(void **state)
{
    (void)state;
    uint8_t f[256];
    struct packet p;
    struct tcp_spec s = {1,  1, 50000, 77, 88, TH_PSH | TH_ACK, (const uint8_t *)"HTTP/1.1 200",
                         12, 0};
    size_t n = build_tcp(f, sizeof f, &s);
    decode_raw(&p, f, n, n);
    assert_int_equal(p.ip_version, 6);
    assert_true(p.l4_ok);
    assert_int_equal(transport_checksum(&p), CSUM_OK);
    f[n - 1] ^= 0x40;
    decode_raw(&p, f, n, n);
    assert_int_equal(transport_checksum(&p), CSUM_BAD);
}

static void test_ipv6_udp(void **state)
{
    (void)state;
    uint8_t f[256];
    struct packet p;
    static const uint8_t q[] = "\x12\x34\x01\x00\x00\x01\x00\x00\x00\x00\x00\x00"
                               "\x07"
                               "example\x03"
                               "com\x00\x00\x01\x00\x01"; /* DNS query */
    size_t n = build_udp(f, sizeof f, 1, q, sizeof q - 1, 1, 0);
    assert_true((sizeof q - 1) & 1); /* odd */
    decode_raw(&p, f, n, n);
    assert_int_equal(p.ip_version, 6);
    assert_int_equal(p.proto, IPPROTO_NUM_UDP);
    assert_true(p.l4_ok);
    assert_int_equal(p.events, 0);
    assert_int_equal(p.payload_len, sizeof q - 1);
    assert_int_equal(transport_checksum(&p), CSUM_OK);

    for (size_t i = 40 + 8; i < n; i++) {
        f[i] ^= 0x10;
        decode_raw(&p, f, n, n);
        assert_int_equal(transport_checksum(&p), CSUM_BAD);
        f[i] ^= 0x10;
    }
    f[39] ^= 0x01; /* destination address */
    decode_raw(&p, f, n, n);
    assert_int_equal(transport_checksum(&p), CSUM_BAD);
    f[39] ^= 0x01;

    /* Over IPv6 the UDP checksum is mandatory (RFC 8200 section 8.1): 0 is not "none". */
    n = build_udp(f, sizeof f, 1, q, sizeof q - 1, 0, 0);
    decode_raw(&p, f, n, n);
    assert_int_equal(p.u.udp.checksum, 0);
    assert_int_equal(transport_checksum(&p), CSUM_BAD);

    decode_raw(&p, f, n - 3, n);
    assert_int_equal(transport_checksum(&p), CSUM_UNKNOWN);
}

static void test_ipv4_udp(void **state)
{
    (void)state;
    uint8_t f[256];
    struct packet p;
    static const uint8_t d[] = {'h', 'e', 'l', 'l', 'o', '!', '!'};

    size_t n = build_udp(f, sizeof f, 0, d, sizeof d, 1, 0);
    decode_raw(&p, f, n, n);
    assert_int_equal(p.ip_version, 4);
    assert_true(p.l4_ok);
    assert_int_equal(transport_checksum(&p), CSUM_OK);
    f[n - 1] ^= 0x01;
    decode_raw(&p, f, n, n);
    assert_int_equal(transport_checksum(&p), CSUM_BAD);

    /* Checksum 0: the sender computed none (RFC 768), whatever the bytes. */
    n = build_udp(f, sizeof f, 0, d, sizeof d, 0, 0);
    decode_raw(&p, f, n, n);
    assert_int_equal(p.u.udp.checksum, 0);
    assert_int_equal(transport_checksum(&p), CSUM_OK);
    f[n - 1] ^= 0x01;
    decode_raw(&p, f, n, n);
    assert_int_equal(transport_checksum(&p), CSUM_OK);

    /* A datagram whose computed checksum is zero goes out as 0xffff, and is fine. The
     * last two payload bytes are chosen to make the sum come out that way. */
    uint8_t z[8] = {'z', 'e', 'r', 'o', 's', 'u', 0, 0};
    n = build_udp(f, sizeof f, 0, z, sizeof z, 0, 0);
    uint16_t c = ref_transport(0, f + 12, f + 16, IPPROTO_NUM_UDP, f + 20, 8 + sizeof z);
    /* With the last word 0 the checksum is c; adding word w makes it c - w (ones'
     * complement), so w = c gives 0 (written 0xffff when computed). */
    put16(z + 6, c);
    n = build_udp(f, sizeof f, 0, z, sizeof z, 1, 0);
    assert_int_equal(f[26] << 8 | f[27], 0xffff);
    decode_raw(&p, f, n, n);
    assert_int_equal(transport_checksum(&p), CSUM_OK);
}

/* An IPv4 fragment's payload is not a transport header to verify. */
static void test_fragment_is_unknown(void **state)
{
    (void)state;
    uint8_t f[256];
    struct packet p;
    static const uint8_t d[] = "fragmented datagram";
    size_t n = build_udp(f, sizeof f, 0, d, sizeof d - 1, 1, 0);
    put16(f + 6, 0x2000); /* MF, offset 0 */
    decode_raw(&p, f, n, n);
    assert_true(p.is_fragment);
    assert_int_equal(transport_checksum(&p), CSUM_UNKNOWN);
}

/* ---- flow_segment_checksum: segments as the payload window remembers them ---- */

struct fixture {
    struct flow_table *t;
};

static int setup(void **state)
{
    struct fixture *fx = calloc(1, sizeof *fx);
    if (!fx)
        return -1;
    struct flow_config cfg = {64, 1ull << 30, WIN, 60, 0};
    fx->t = flow_table_new(&cfg, 0xc5c5);
    if (!fx->t) {
        free(fx);
        return -1;
    }
    *state = fx;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *fx = *state;
    flow_table_free(fx->t);
    free(fx);
    return 0;
}

struct conn {
    struct flow_table *t;
    struct flow *f;
    int v6;
    uint16_t cport;
    uint32_t isn[2];
    int dir_of[2];
    uint64_t frame;
};

/* Writes, decodes and feeds one segment of `side` at stream position `pos`; the
 * packet's own transport checksum verdict is returned for comparison. */
static int send_seg(struct conn *c, int side, int64_t pos, uint8_t flags, const uint8_t *data,
                    size_t len, size_t snap, uint16_t csum_xor, struct tcp_seg_info *info)
{
    uint8_t f[1024];
    int syn = (flags & TH_SYN) != 0;
    struct tcp_spec s = {c->v6,
                         side,
                         c->cport,
                         c->isn[side] + (syn ? 0 : 1) + (uint32_t)pos,
                         (flags & TH_ACK) ? c->isn[!side] + 1 : 0,
                         flags,
                         data,
                         len,
                         csum_xor};
    size_t n = build_tcp(f, sizeof f, &s);
    struct packet p;
    decode_raw(&p, f, snap ? n - snap : n, n);
    assert_true(p.l4_ok);
    p.frame = ++c->frame;
    p.ts_ns = T0 + (int64_t)c->frame * SEC / 1000;
    int dir = -1;
    struct flow *fl = flow_table_get(c->t, &p, &dir);
    assert_non_null(fl);
    if (c->dir_of[side] < 0) {
        c->dir_of[side] = dir;
        c->dir_of[!side] = !dir;
    }
    assert_int_equal(dir, c->dir_of[side]);
    c->f = fl;
    flow_tcp_update(c->t, fl, dir, &p, info);
    return transport_checksum(&p);
}

static void conn_open(struct conn *c, struct flow_table *t, int v6, uint16_t cport)
{
    struct tcp_seg_info info;
    memset(c, 0, sizeof *c);
    c->t = t;
    c->v6 = v6;
    c->cport = cport;
    c->isn[0] = 0xfffffff0u; /* the client's sequence numbers wrap too */
    c->isn[1] = 123456789u;
    c->dir_of[0] = c->dir_of[1] = -1;
    send_seg(c, 0, 0, TH_SYN, NULL, 0, 0, 0, &info);
    send_seg(c, 1, 0, TH_SYN | TH_ACK, NULL, 0, 0, 0, &info);
    send_seg(c, 0, 0, TH_ACK, NULL, 0, 0, 0, &info);
    assert_int_equal(c->f->tcp_state, FLOW_TCP_ESTABLISHED);
}

/* The client's window and the segment logged n-th (0-based) in it. */
static const struct tcp_window *client_win(const struct conn *c)
{
    const struct tcp_window *w = c->f->tcp[c->dir_of[0]].win;
    assert_non_null(w);
    return w;
}

static int seg_csum(const struct conn *c, unsigned k)
{
    const struct tcp_window *w = client_win(c);
    assert_true(k < w->seg_count);
    return flow_segment_checksum(w, &w->segs[k]);
}

/* Sends the client's payload [pos, pos+len) of `stream` as one segment and checks the
 * log entry it made; returns its log index. */
static unsigned send_data(struct conn *c, const uint8_t *stream, int64_t pos, size_t len,
                          uint16_t csum_xor)
{
    struct tcp_seg_info info;
    int pkt_csum = send_seg(c, 0, pos, TH_PSH | TH_ACK, stream + pos, len, 0, csum_xor, &info);
    assert_int_equal(pkt_csum, csum_xor ? CSUM_BAD : CSUM_OK);
    assert_int_equal(info.pos, pos);
    assert_int_equal(info.overlap, 0);
    const struct tcp_window *w = client_win(c);
    unsigned k = (w->seg_next + w->seg_cap - 1) % w->seg_cap;
    assert_int_equal(w->segs[k].pos, pos);
    assert_int_equal(w->segs[k].hdr.len, len);
    assert_true(w->segs[k].whole);
    /* The window's verdict equals the packet's own. */
    assert_int_equal(flow_segment_checksum(w, &w->segs[k]), pkt_csum);
    return k;
}

static void ring_walk(void **state, int v6)
{
    struct fixture *fx = *state;
    struct conn c;
    uint8_t stream[1400];
    fill(stream, sizeof stream, v6 ? 0xbeef : 0xcafe);
    conn_open(&c, fx->t, v6, v6 ? 40100 : 40000);

    unsigned a = send_data(&c, stream, 0, 100, 0);
    unsigned b = send_data(&c, stream, 100, 100, 0);
    unsigned cc = send_data(&c, stream, 200, 51, 0); /* odd length, ends at ring 251 */

    /* [251, 271): ring 251..255 then 0..14 — a first piece of 5 bytes, odd. */
    assert_int_equal(251 % WIN + 5, WIN);
    unsigned d = send_data(&c, stream, 251, 20, 0);
    assert_int_equal(client_win(&c)->hi, 271);
    assert_int_equal(seg_csum(&c, a), CSUM_UNKNOWN); /* positions 0..14 were overwritten */
    assert_int_equal(seg_csum(&c, b), CSUM_OK);
    assert_int_equal(seg_csum(&c, cc), CSUM_OK);
    assert_int_equal(seg_csum(&c, d), CSUM_OK);

    unsigned e = send_data(&c, stream, 271, 33, 0);
    unsigned bad = send_data(&c, stream, 304, 11, 0x0400); /* damaged checksum field */
    assert_int_equal(seg_csum(&c, bad), CSUM_BAD);
    assert_int_equal(seg_csum(&c, e), CSUM_OK);

    /* [315, 515): ring 59..255 (197 bytes, odd) then 0..2. */
    unsigned g = send_data(&c, stream, 315, 200, 0);
    assert_int_equal(client_win(&c)->hi, 515);
    assert_int_equal(seg_csum(&c, d), CSUM_UNKNOWN); /* 251 < 515 - 256 */
    assert_int_equal(seg_csum(&c, e), CSUM_OK);
    assert_int_equal(seg_csum(&c, bad), CSUM_BAD);
    assert_int_equal(seg_csum(&c, g), CSUM_OK);

    /* [515, 752) without a wrap, then [752, 782): ring 240..255 (16, even) and 0..13. */
    unsigned h = send_data(&c, stream, 515, 237, 0);
    unsigned i = send_data(&c, stream, 752, 30, 0);
    assert_int_equal(752 % WIN, 240);
    assert_int_equal(seg_csum(&c, i), CSUM_OK);
    assert_int_equal(seg_csum(&c, h), CSUM_UNKNOWN);   /* 515 < 782 - 256 */
    assert_int_equal(seg_csum(&c, bad), CSUM_UNKNOWN); /* 304 < 782 - 256 */
    assert_int_equal(seg_csum(&c, g), CSUM_UNKNOWN);

    /* Ends exactly at the ring's end: [782, 1024) is ring 14..255, one piece. */
    unsigned j = send_data(&c, stream, 782, 242, 0);
    assert_int_equal(seg_csum(&c, j), CSUM_OK);
    /* [1279, 1290): a first piece of a single byte at ring 255. */
    unsigned k1 = send_data(&c, stream, 1024, 255, 0);
    assert_int_equal(seg_csum(&c, j), CSUM_UNKNOWN); /* 782 < 1279 - 256 */
    unsigned k2 = send_data(&c, stream, 1279, 11, 0);
    assert_int_equal(1279 % WIN, 255);
    assert_int_equal(seg_csum(&c, k2), CSUM_OK);
    assert_int_equal(seg_csum(&c, k1), CSUM_UNKNOWN); /* 1024 < 1290 - 256 */
}

static void test_segment_checksum_ring_v4(void **state)
{
    ring_walk(state, 0);
}

static void test_segment_checksum_ring_v6(void **state)
{
    ring_walk(state, 1);
}

/* A whole window's worth in one segment that wraps mid-ring: the oldest byte is still
 * there, so the sum can be taken; one byte more and it cannot. */
static void test_segment_checksum_full_window(void **state)
{
    struct fixture *fx = *state;
    struct conn c;
    uint8_t stream[1024];
    fill(stream, sizeof stream, 31337);
    conn_open(&c, fx->t, 0, 40200);

    send_data(&c, stream, 0, 9, 0);
    unsigned k = send_data(&c, stream, 9, WIN, 0); /* ring 9..255 (247, odd) then 0..8 */
    assert_int_equal(seg_csum(&c, k), CSUM_OK);

    /* Longer than the window: not every byte stays, so never whole. */
    struct tcp_seg_info info;
    send_seg(&c, 0, 9 + WIN, TH_PSH | TH_ACK, stream + 9 + WIN, WIN + 1, 0, 0, &info);
    const struct tcp_window *w = client_win(&c);
    unsigned last = (w->seg_next + w->seg_cap - 1) % w->seg_cap;
    assert_false(w->segs[last].whole);
    assert_int_equal(seg_csum(&c, last), CSUM_UNKNOWN);
    assert_int_equal(seg_csum(&c, k), CSUM_UNKNOWN);
}

/* Segments the window did not take whole: snapped, and retransmissions whose bytes were
 * already held. Their checksum is unknown even when correct. */
static void test_segment_checksum_not_whole(void **state)
{
    struct fixture *fx = *state;
    struct conn c;
    struct tcp_seg_info info;
    uint8_t stream[256];
    fill(stream, sizeof stream, 4242);
    conn_open(&c, fx->t, 0, 40300);

    unsigned k0 = send_data(&c, stream, 0, 40, 0);

    /* Cut by the snap length: the last 5 bytes were not captured. */
    assert_int_equal(send_seg(&c, 0, 40, TH_PSH | TH_ACK, stream + 40, 40, 5, 0, &info),
                     CSUM_UNKNOWN);
    const struct tcp_window *w = client_win(&c);
    unsigned k1 = (w->seg_next + w->seg_cap - 1) % w->seg_cap;
    assert_int_equal(w->segs[k1].pos, 40);
    assert_int_equal(w->segs[k1].hdr.len, 35);
    assert_false(w->segs[k1].whole);
    assert_int_equal(w->segs[k1].hdr_sum, 0);
    assert_int_equal(seg_csum(&c, k1), CSUM_UNKNOWN);

    /* An identical retransmission of the first segment: a correct packet, but its log
     * entry is not whole. The first copy's entry still verifies. */
    assert_int_equal(send_seg(&c, 0, 0, TH_PSH | TH_ACK, stream, 40, 0, 0, &info), CSUM_OK);
    assert_int_equal(info.overlap, 40);
    w = client_win(&c); /* grown at the retransmission */
    unsigned k2 = (w->seg_next + w->seg_cap - 1) % w->seg_cap;
    assert_false(w->segs[k2].whole);
    assert_int_equal(seg_csum(&c, k2), CSUM_UNKNOWN);
    assert_int_equal(seg_csum(&c, k0), CSUM_OK);

    /* A different copy of the first segment (a forgery, correct checksum): the window
     * keeps the first copy, so the first entry still verifies and the new one is unknown. */
    uint8_t forged[40];
    memcpy(forged, stream, sizeof forged);
    forged[7] ^= 0x5a;
    assert_int_equal(send_seg(&c, 0, 0, TH_PSH | TH_ACK, forged, 40, 0, 0, &info), CSUM_OK);
    assert_int_equal(info.differ, 1);
    assert_int_equal(seg_csum(&c, k0), CSUM_OK);
}

/* A payload bit flipped on the way: the window holds the bytes as they arrived, and with
 * the header's stored share they no longer add up. */
static void test_segment_checksum_payload_damage(void **state)
{
    struct fixture *fx = *state;
    struct conn c;
    struct tcp_seg_info info;
    uint8_t stream[64];
    fill(stream, sizeof stream, 555);
    conn_open(&c, fx->t, 1, 40400);

    uint8_t f[256];
    struct tcp_spec s = {1, 0, c.cport, c.isn[0] + 1, c.isn[1] + 1, TH_PSH | TH_ACK, stream, 32, 0};
    size_t n = build_tcp(f, sizeof f, &s);
    f[n - 9] ^= 0x01;
    struct packet p;
    decode_raw(&p, f, n, n);
    p.frame = ++c.frame;
    p.ts_ns = T0 + SEC;
    int dir;
    struct flow *fl = flow_table_get(c.t, &p, &dir);
    assert_ptr_equal(fl, c.f);
    assert_int_equal(dir, c.dir_of[0]);
    flow_tcp_update(c.t, fl, dir, &p, &info);
    assert_int_equal(transport_checksum(&p), CSUM_BAD);
    const struct tcp_window *w = client_win(&c);
    assert_int_equal(w->seg_count, 1);
    assert_true(w->segs[0].whole);
    assert_int_equal(flow_segment_checksum(w, &w->segs[0]), CSUM_BAD);
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rfc1071_example),  cmocka_unit_test(test_lengths_and_alignment),
        cmocka_unit_test(test_carries),          cmocka_unit_test(test_split_calls),
        cmocka_unit_test(test_ipv4_tcp),         cmocka_unit_test(test_snapped_is_unknown),
        cmocka_unit_test(test_ipv6_tcp),         cmocka_unit_test(test_ipv6_udp),
        cmocka_unit_test(test_ipv4_udp),         cmocka_unit_test(test_fragment_is_unknown),
        T(test_segment_checksum_ring_v4),        T(test_segment_checksum_ring_v6),
        T(test_segment_checksum_full_window),    T(test_segment_checksum_not_whole),
        T(test_segment_checksum_payload_damage),
    };
#undef T
    return cmocka_run_group_tests(tests, NULL, NULL);
}
