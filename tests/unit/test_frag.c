/* secondsight - unit tests for fragment reassembly (flow-frag.c): real IPv4 and IPv6
 * fragment frames decoded and fed in every order, overlaps, caps, timeout and limits. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <pcap/dlt.h>

#include "decode.h"
#include "flow-frag.h"
#include "util-checksum.h"

#define SEC ((int64_t)1000000000)
#define T0 ((int64_t)1700000000 * SEC) /* packet time of a test's first fragment */

/* ---- headers, each a commented run of bytes; per-fragment fields are patched ---- */

/* clang-format off */

/* IPv4 (RFC 791 section 3.1). */
static const uint8_t ipv4_hdr[20] = {
    0x45, 0x00,             /* version 4, IHL 5 (patched to 6 with options); TOS 0 */
    0x00, 0x00,             /* total length: patched */
    0x00, 0x00,             /* identification: patched */
    0x00, 0x00,             /* flags (0x2000 MF) and offset in 8-byte units: patched */
    64, 0x00,               /* TTL 64 (patched when asked); protocol: patched */
    0x00, 0x00,             /* header checksum: the decoder does not check it */
    192, 0, 2, 1,           /* source 192.0.2.1 (last byte patched when asked) */
    192, 0, 2, 2,           /* destination 192.0.2.2 */
};
/* Four bytes of options for an offset-0 fragment: NOP, NOP, NOP, EOL. */
static const uint8_t ipv4_opts[4] = {0x01, 0x01, 0x01, 0x00};

/* IPv6 fixed header (RFC 8200 section 3). */
static const uint8_t ipv6_hdr[40] = {
    0x60, 0x00, 0x00, 0x00, /* version 6, traffic class 0, flow label 0 */
    0x00, 0x00,             /* payload length: patched */
    44, 64,                 /* next header Fragment (0 = Hop-by-Hop when asked); hop limit */
    0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01, /* 2001:db8::1 */
    0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x02, /* 2001:db8::2 */
};
/* Hop-by-Hop Options (section 4.3): next header Fragment, 8 bytes, one PadN of 4. */
static const uint8_t ipv6_hbh[8] = {44, 0, 0x01, 0x04, 0x00, 0x00, 0x00, 0x00};
/* Fragment header (section 4.5). */
static const uint8_t ipv6_frag[8] = {
    0x00, 0x00,             /* next header: patched; reserved */
    0x00, 0x00,             /* offset in 8-byte units << 3, M flag in bit 0: patched */
    0x00, 0x00, 0x00, 0x00, /* identification: patched */
};

/* Transport headers at the start of each datagram. */
static const uint8_t udp_hdr[8] = {
    0x9c, 0x40, 0x00, 0x35, /* source port 40000, destination port 53 */
    0x00, 0x00, 0x00, 0x00, /* length, checksum: computed */
};
static const uint8_t tcp_hdr[20] = {
    0x9c, 0x41, 0x00, 0x50, /* source port 40001, destination port 80 */
    0x01, 0x02, 0x03, 0x04, /* sequence number */
    0x0a, 0x0b, 0x0c, 0x0d, /* acknowledgment number */
    0x50, 0x18, 0xff, 0xff, /* data offset 5 words; PSH ACK; window 65535 */
    0x00, 0x00, 0x00, 0x00, /* checksum: computed; urgent pointer 0 */
};

/* clang-format on */

/* ---- datagrams and the fixture ---- */

/* One datagram to cut into fragments: its transport header and payload. */
struct dg {
    int ver;
    uint8_t proto;
    uint32_t id;
    uint32_t n; /* bytes after the IP header(s) */
    uint8_t l4[];
};

#define MAX_DGS 8

/* Each test owns one table; the teardown frees it and every buffer even when an
 * assertion jumps out. */
struct fixture {
    struct frag_table *t;
    uint8_t *frame; /* the fragment frame being fed */
    uint8_t *copy;  /* the reassembled datagram being decoded */
    struct dg *dgs[MAX_DGS];
};

static int setup(void **state)
{
    struct fixture *fx = calloc(1, sizeof *fx);
    if (!fx)
        return -1;
    *state = fx;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *fx = *state;
    frag_table_free(fx->t);
    free(fx->frame);
    free(fx->copy);
    for (int i = 0; i < MAX_DGS; i++)
        free(fx->dgs[i]);
    free(fx);
    return 0;
}

static struct frag_table *fx_table(void **state, uint32_t max_datagrams, uint64_t max_memory,
                                   uint32_t timeout_s)
{
    struct fixture *fx = *state;
    frag_table_free(fx->t);
    struct frag_config cfg = {max_datagrams, max_memory, timeout_s};
    fx->t = frag_table_new(&cfg, 0x5eed);
    assert_non_null(fx->t);
    return fx->t;
}

static struct frag_table *fx_default(void **state)
{
    return fx_table(state, 1024, 1ull << 30, 30);
}

/* The Internet checksum (RFC 1071) of a transport segment with its pseudo-header,
 * written out here rather than borrowed from util-checksum. */
static uint16_t l4_checksum(int ver, uint8_t proto, const uint8_t *l4, uint32_t n)
{
    uint64_t sum = 0;
    const uint8_t *src = ver == 4 ? ipv4_hdr + 12 : ipv6_hdr + 8;
    size_t alen = ver == 4 ? 4 : 16;
    for (size_t i = 0; i < 2 * alen; i += 2) /* source and destination */
        sum += (uint32_t)(src[i] << 8 | src[i + 1]);
    sum += proto;
    sum += (n >> 16) + (n & 0xffff);
    for (uint32_t i = 0; i + 1 < n; i += 2)
        sum += (uint32_t)(l4[i] << 8 | l4[i + 1]);
    if (n & 1)
        sum += (uint32_t)l4[n - 1] << 8;
    while (sum >> 16)
        sum = (sum & 0xffff) + (sum >> 16);
    uint16_t c = (uint16_t)~sum;
    return c ? c : 0xffff;
}

/* A UDP or TCP datagram of n bytes (header included) with a patterned payload and a
 * correct checksum. */
static struct dg *dg_new(void **state, int ver, uint8_t proto, uint32_t id, uint32_t n)
{
    struct fixture *fx = *state;
    int slot = 0;
    while (slot < MAX_DGS && fx->dgs[slot])
        slot++;
    assert_true(slot < MAX_DGS);
    struct dg *d = fx->dgs[slot] = malloc(sizeof *d + n);
    assert_non_null(d);
    d->ver = ver;
    d->proto = proto;
    d->id = id;
    d->n = n;
    size_t h = proto == IPPROTO_NUM_UDP ? sizeof udp_hdr : sizeof tcp_hdr;
    assert_true(n >= h);
    memcpy(d->l4, proto == IPPROTO_NUM_UDP ? udp_hdr : tcp_hdr, h);
    for (uint32_t i = (uint32_t)h; i < n; i++)
        d->l4[i] = (uint8_t)(i * 7 + id);
    if (proto == IPPROTO_NUM_UDP) {
        d->l4[4] = (uint8_t)(n >> 8);
        d->l4[5] = (uint8_t)n;
    }
    size_t at = proto == IPPROTO_NUM_UDP ? 6 : 16;
    uint16_t c = l4_checksum(ver, proto, d->l4, n);
    d->l4[at] = (uint8_t)(c >> 8);
    d->l4[at + 1] = (uint8_t)c;
    return d;
}

/* How one fragment is sent; zero fields take the defaults. */
struct send {
    uint32_t off, len; /* the datagram bytes it carries */
    int mf;
    int64_t ts; /* 0: T0 */
    uint64_t frame;
    uint8_t ttl;          /* 0: 64 */
    uint32_t captured;    /* payload bytes in the capture; 0: all */
    int options;          /* IPv4: 4 bytes of options; IPv6: a Hop-by-Hop header */
    uint8_t src_last;     /* last byte of the source address; 0: 1 */
    const uint8_t *bytes; /* the payload, instead of the datagram's own bytes */
};

/* Builds the fragment frame, decodes it (DLT_RAW) from an exactly-sized heap buffer and
 * adds it to the table. Returns what frag_table_add returned. */
static const uint8_t *add(void **state, const struct dg *d, struct send s, struct frag_info *info,
                          uint32_t *len)
{
    struct fixture *fx = *state;
    uint8_t hdr[40 + 8 + 8];
    size_t hl;
    if (d->ver == 4) {
        hl = s.options ? 24 : 20;
        memcpy(hdr, ipv4_hdr, 20);
        if (s.options) {
            hdr[0] = 0x46;
            memcpy(hdr + 20, ipv4_opts, 4);
        }
        uint32_t total = (uint32_t)hl + s.len;
        hdr[2] = (uint8_t)(total >> 8);
        hdr[3] = (uint8_t)total;
        hdr[4] = (uint8_t)(d->id >> 8);
        hdr[5] = (uint8_t)d->id;
        uint16_t fo = (uint16_t)((s.mf ? 0x2000 : 0) | (s.off / 8));
        hdr[6] = (uint8_t)(fo >> 8);
        hdr[7] = (uint8_t)fo;
        hdr[9] = d->proto;
        if (s.ttl)
            hdr[8] = s.ttl;
        if (s.src_last)
            hdr[15] = s.src_last;
    } else {
        hl = s.options ? 56 : 48;
        memcpy(hdr, ipv6_hdr, 40);
        size_t at = 40;
        if (s.options) {
            hdr[6] = 0; /* Hop-by-Hop first */
            memcpy(hdr + 40, ipv6_hbh, 8);
            at = 48;
        }
        memcpy(hdr + at, ipv6_frag, 8);
        uint32_t plen = (uint32_t)(hl - 40) + s.len;
        hdr[4] = (uint8_t)(plen >> 8);
        hdr[5] = (uint8_t)plen;
        if (s.ttl)
            hdr[7] = s.ttl;
        if (s.src_last)
            hdr[23] = s.src_last;
        hdr[at] = d->proto;
        uint16_t om = (uint16_t)(s.off | (s.mf ? 1 : 0));
        hdr[at + 2] = (uint8_t)(om >> 8);
        hdr[at + 3] = (uint8_t)om;
        hdr[at + 4] = (uint8_t)(d->id >> 24);
        hdr[at + 5] = (uint8_t)(d->id >> 16);
        hdr[at + 6] = (uint8_t)(d->id >> 8);
        hdr[at + 7] = (uint8_t)d->id;
    }
    assert_true(s.off % 8 == 0);
    assert_true(s.bytes || s.off + s.len <= d->n);
    uint32_t cap = s.captured ? s.captured : s.len;
    size_t wire = hl + s.len, caplen = hl + cap;
    free(fx->frame);
    fx->frame = malloc(caplen);
    assert_non_null(fx->frame);
    memcpy(fx->frame, hdr, hl);
    memcpy(fx->frame + hl, s.bytes ? s.bytes : d->l4 + s.off, cap);

    struct packet p;
    memset(&p, 0, sizeof p);
    p.data = fx->frame;
    p.caplen = (uint32_t)caplen;
    p.wirelen = (uint32_t)wire;
    p.linktype = DLT_RAW;
    p.ts_ns = s.ts ? s.ts : T0;
    p.frame = s.frame;
    decode_packet(&p);
    /* The frame is a fragment as the reassembler expects to see it. */
    assert_int_equal(p.ip_version, d->ver);
    assert_true(p.is_fragment);
    assert_int_equal(p.frag_id, d->id);
    assert_int_equal(p.frag_offset, s.off);
    assert_int_equal(p.mf, s.mf ? 1 : 0);
    assert_int_equal(p.proto, d->proto);
    assert_int_equal(p.ip_hlen, hl);
    assert_ptr_equal(p.l3, fx->frame);
    assert_int_equal(p.payload_len, cap);
    assert_int_equal(p.payload_wire_len, s.len);

    *len = 0;
    const uint8_t *out = frag_table_add(fx->t, &p, info, len);
    free(fx->frame);
    fx->frame = NULL;
    return out;
}

/* Adds a fragment that must not complete its datagram. */
static void add_pending(void **state, const struct dg *d, struct send s, struct frag_info *info)
{
    uint32_t len;
    const uint8_t *out = add(state, d, s, info, &len);
    if (out)
        fail_msg("fragment [%u, %u) of id %u completed a datagram of %u bytes", s.off,
                 s.off + s.len, d->id, len);
    assert_int_equal(info->completed, 0);
}

/* Decodes a reassembled datagram (DLT_RAW, exactly-sized copy) and checks it is d, whole,
 * behind an IP header of hlen bytes, with the fragment fields cleared. */
static void check_datagram(void **state, const struct dg *d, const uint8_t *out, uint32_t len,
                           uint32_t hlen)
{
    struct fixture *fx = *state;
    assert_non_null(out);
    assert_int_equal(len, hlen + d->n);
    free(fx->copy);
    fx->copy = malloc(len);
    assert_non_null(fx->copy);
    memcpy(fx->copy, out, len);

    if (d->ver == 4) {
        assert_int_equal((out[2] << 8) | out[3], hlen + d->n); /* total length */
        assert_int_equal(out[6] & 0x3f, 0);                    /* MF and offset cleared */
        assert_int_equal(out[7], 0);
        assert_int_equal((out[4] << 8) | out[5], d->id & 0xffff);
    } else {
        assert_int_equal((out[4] << 8) | out[5], d->n); /* payload length */
        assert_int_equal(out[6], d->proto);             /* next header: the transport */
    }

    struct packet p;
    memset(&p, 0, sizeof p);
    p.data = fx->copy;
    p.caplen = p.wirelen = len;
    p.linktype = DLT_RAW;
    decode_packet(&p);
    assert_int_equal(p.events, 0);
    assert_int_equal(p.ip_version, d->ver);
    assert_false(p.is_fragment);
    assert_false(p.mf);
    assert_int_equal(p.frag_offset, 0);
    assert_int_equal(p.ip_hlen, hlen);
    assert_int_equal(p.ip_len, hlen + d->n);
    assert_int_equal(p.proto, d->proto);
    assert_memory_equal(p.ip_src, d->ver == 4 ? ipv4_hdr + 12 : ipv6_hdr + 8, d->ver == 4 ? 4 : 16);
    assert_memory_equal(p.ip_dst, d->ver == 4 ? ipv4_hdr + 16 : ipv6_hdr + 24,
                        d->ver == 4 ? 4 : 16);
    assert_true(p.l4_ok);
    uint32_t h = d->proto == IPPROTO_NUM_UDP ? 8 : 20;
    if (d->proto == IPPROTO_NUM_UDP) {
        assert_int_equal(p.sport, 40000);
        assert_int_equal(p.dport, 53);
        assert_int_equal(p.u.udp.length, d->n);
    } else {
        assert_int_equal(p.sport, 40001);
        assert_int_equal(p.dport, 80);
        assert_int_equal(p.u.tcp.seq, 0x01020304);
        assert_int_equal(p.u.tcp.flags, TH_PSH | TH_ACK);
    }
    assert_int_equal(p.payload_len, d->n - h);
    assert_int_equal(p.payload_wire_len, d->n - h);
    assert_memory_equal(p.payload, d->l4 + h, d->n - h);
    assert_int_equal(transport_checksum(&p), CSUM_OK);
    free(fx->copy);
    fx->copy = NULL;
}

static const struct frag_stats *stats(void **state)
{
    struct fixture *fx = *state;
    return frag_table_stats(fx->t);
}

/* ---- reassembly ---- */

static void test_ipv4_in_order(void **state)
{
    struct frag_table *t = fx_default(state);
    struct dg *d = dg_new(state, 4, IPPROTO_NUM_UDP, 0x1234, 8 + 1000);
    struct frag_info fi;
    uint32_t len;
    assert_int_equal(frag_table_memory(t), 0);

    add_pending(state, d, (struct send){.off = 0, .len = 400, .mf = 1, .frame = 1}, &fi);
    assert_int_equal(fi.off, 0);
    assert_int_equal(fi.len, 400);
    assert_int_equal(fi.npieces, 1);
    assert_int_equal(fi.overlap, 0);
    assert_int_equal(fi.differ, 0);
    assert_int_equal(fi.has_prior, 0);
    assert_int_equal(frag_table_count(t), 1);
    uint64_t mem = frag_table_memory(t);
    assert_true(mem > 1024 + 128); /* a record plus 1024 bytes and their presence bits */

    add_pending(state, d, (struct send){.off = 400, .len = 400, .mf = 1, .frame = 2}, &fi);
    assert_int_equal(fi.off, 400);
    assert_int_equal(fi.npieces, 2);
    assert_int_equal(frag_table_memory(t), mem); /* still within the first 1024 bytes */

    const uint8_t *out =
        add(state, d, (struct send){.off = 800, .len = 208, .frame = 3}, &fi, &len);
    assert_int_equal(fi.completed, 1);
    assert_int_equal(fi.npieces, 3);
    assert_int_equal(fi.off, 800);
    assert_int_equal(fi.len, 208);
    check_datagram(state, d, out, len, 20);

    assert_int_equal(frag_table_count(t), 0);
    assert_int_equal(frag_table_memory(t), mem); /* kept for late copies */
    const struct frag_stats *st = stats(state);
    assert_int_equal(st->kept, 1);
    assert_int_equal(st->datagrams, 1);
    assert_int_equal(st->reassembled, 1);
    assert_int_equal(st->expired, 0);
    assert_int_equal(st->evicted, 0);
    assert_int_equal(st->overlaps, 0);
    assert_int_equal(st->conflicts, 0);
    assert_int_equal(st->too_big, 0);
    assert_int_equal(st->memory_peak, mem);
}

/* Three fragments in all six orders, the first with IPv4 options: the datagram is
 * complete exactly when the last one arrives, whichever it is. */
static void test_ipv4_every_order(void **state)
{
    static const int order[6][3] = {{0, 1, 2}, {0, 2, 1}, {1, 0, 2},
                                    {1, 2, 0}, {2, 0, 1}, {2, 1, 0}};
    static const struct send piece[3] = {
        {.off = 0, .len = 504, .mf = 1, .options = 1},
        {.off = 504, .len = 496, .mf = 1},
        {.off = 1000, .len = 36},
    };
    struct frag_table *t = fx_default(state);
    struct dg *d = dg_new(state, 4, IPPROTO_NUM_TCP, 0x4321, 20 + 1016);
    for (int o = 0; o < 6; o++) {
        struct frag_info fi;
        uint32_t len;
        const uint8_t *out = NULL;
        for (int k = 0; k < 3; k++) {
            assert_null(out);
            struct send s = piece[order[o][k]];
            s.ts = T0 + o * (FRAG_KEEP_NS + 1); /* the previous order's copy forgotten */
            out = add(state, d, s, &fi, &len);
            assert_int_equal(fi.npieces, k + 1);
            assert_int_equal(fi.completed, k == 2);
        }
        check_datagram(state, d, out, len, 24); /* the offset-0 fragment's header */
        assert_int_equal(frag_table_count(t), 0);
    }
    assert_int_equal(stats(state)->datagrams, 6);
    assert_int_equal(stats(state)->reassembled, 6);
    assert_int_equal(stats(state)->kept, 6);
    assert_int_equal(stats(state)->late, 0);
}

static void test_ipv6_in_order(void **state)
{
    struct frag_table *t = fx_default(state);
    struct dg *d = dg_new(state, 6, IPPROTO_NUM_TCP, 0xdeadbeef, 20 + 1480);
    struct frag_info fi;
    uint32_t len;
    /* Every fragment behind a Hop-by-Hop header; the datagram comes back without it. */
    add_pending(state, d, (struct send){.off = 0, .len = 512, .mf = 1, .options = 1}, &fi);
    add_pending(state, d, (struct send){.off = 512, .len = 512, .mf = 1, .options = 1}, &fi);
    const uint8_t *out =
        add(state, d, (struct send){.off = 1024, .len = 476, .options = 1}, &fi, &len);
    assert_int_equal(fi.completed, 1);
    check_datagram(state, d, out, len, 40);
    assert_int_equal(frag_table_count(t), 0);
    assert_int_equal(stats(state)->reassembled, 1);
}

static void test_ipv6_out_of_order(void **state)
{
    struct frag_table *t = fx_default(state);
    struct dg *d = dg_new(state, 6, IPPROTO_NUM_UDP, 7, 8 + 3000);
    struct frag_info fi;
    uint32_t len;
    /* Four fragments: last, second, first, third. */
    add_pending(state, d, (struct send){.off = 2400, .len = 608}, &fi);
    assert_int_equal(fi.npieces, 1);
    add_pending(state, d, (struct send){.off = 800, .len = 800, .mf = 1}, &fi);
    add_pending(state, d, (struct send){.off = 0, .len = 800, .mf = 1}, &fi);
    assert_int_equal(frag_table_count(t), 1);
    const uint8_t *out = add(state, d, (struct send){.off = 1600, .len = 800, .mf = 1}, &fi, &len);
    assert_int_equal(fi.completed, 1);
    assert_int_equal(fi.npieces, 4);
    check_datagram(state, d, out, len, 40);
    assert_int_equal(frag_table_count(t), 0);
    assert_int_equal(stats(state)->kept, 1);
}

/* Fragments are told apart by version, addresses, protocol and identification. */
static void test_datagram_keys(void **state)
{
    struct frag_table *t = fx_default(state);
    struct dg *d = dg_new(state, 4, IPPROTO_NUM_UDP, 99, 8 + 200);
    struct dg *other_proto = dg_new(state, 4, IPPROTO_NUM_TCP, 99, 20 + 200);
    struct dg *other_id = dg_new(state, 4, IPPROTO_NUM_UDP, 100, 8 + 200);
    struct dg *v6 = dg_new(state, 6, IPPROTO_NUM_UDP, 99, 8 + 200);
    struct frag_info fi;
    uint32_t len;
    add_pending(state, d, (struct send){.off = 0, .len = 104, .mf = 1}, &fi);
    /* Second halves that belong to other datagrams start their own. */
    add_pending(state, d, (struct send){.off = 104, .len = 104, .src_last = 9}, &fi);
    assert_int_equal(fi.npieces, 1);
    add_pending(state, other_proto, (struct send){.off = 104, .len = 104}, &fi);
    assert_int_equal(fi.npieces, 1);
    add_pending(state, other_id, (struct send){.off = 104, .len = 104}, &fi);
    assert_int_equal(fi.npieces, 1);
    add_pending(state, v6, (struct send){.off = 104, .len = 104}, &fi);
    assert_int_equal(fi.npieces, 1);
    assert_int_equal(frag_table_count(t), 5);
    assert_int_equal(stats(state)->datagrams, 5);
    const uint8_t *out = add(state, d, (struct send){.off = 104, .len = 104}, &fi, &len);
    assert_int_equal(fi.npieces, 2);
    check_datagram(state, d, out, len, 20);
    assert_int_equal(frag_table_count(t), 4);
}

/* ---- overlaps ---- */

static void test_exact_duplicate(void **state)
{
    struct frag_table *t = fx_default(state);
    struct dg *d = dg_new(state, 4, IPPROTO_NUM_UDP, 5, 8 + 400);
    struct frag_info fi;
    uint32_t len;
    add_pending(state, d, (struct send){.off = 0, .len = 200, .mf = 1, .frame = 1}, &fi);
    add_pending(state, d, (struct send){.off = 0, .len = 200, .mf = 1, .frame = 2}, &fi);
    assert_int_equal(fi.overlap, 200);
    assert_int_equal(fi.differ, 0);
    assert_int_equal(fi.has_prior, 0);
    assert_int_equal(fi.npieces, 2);
    assert_int_equal(stats(state)->overlaps, 1);
    assert_int_equal(stats(state)->conflicts, 0);
    /* The last fragment twice: the first copy completes, the second is compared with
     * the kept datagram and changes nothing. */
    const uint8_t *out =
        add(state, d, (struct send){.off = 200, .len = 208, .frame = 3}, &fi, &len);
    assert_int_equal(fi.overlap, 0);
    assert_int_equal(fi.npieces, 3);
    check_datagram(state, d, out, len, 20);
    add_pending(state, d, (struct send){.off = 200, .len = 208, .frame = 4}, &fi);
    assert_int_equal(fi.late, 1);
    assert_int_equal(fi.overlap, 208);
    assert_int_equal(fi.differ, 0);
    assert_int_equal(fi.npieces, 4);
    assert_int_equal(stats(state)->overlaps, 2);
    assert_int_equal(stats(state)->late, 1);
    assert_int_equal(stats(state)->datagrams, 1);
    assert_int_equal(frag_table_count(t), 0);
}

/* A partial overlap with different bytes: counted, the first differing byte and the
 * earlier fragment named, the first copy kept. */
static void test_conflicting_overlap(void **state)
{
    fx_default(state);
    struct dg *d = dg_new(state, 4, IPPROTO_NUM_UDP, 0x77, 8 + 56);
    struct frag_info fi;
    uint32_t len;
    add_pending(state, d,
                (struct send){.off = 0, .len = 32, .mf = 1, .frame = 11, .ttl = 57, .ts = T0 + 5},
                &fi);
    /* [16, 48) with bytes 20 and 30 changed: 16 bytes overlap, 2 differ. */
    uint8_t forged[32];
    memcpy(forged, d->l4 + 16, 32);
    forged[20 - 16] ^= 0xff;
    forged[30 - 16] ^= 0x01;
    add_pending(
        state, d,
        (struct send){.off = 16, .len = 32, .mf = 1, .frame = 12, .ttl = 250, .bytes = forged},
        &fi);
    assert_int_equal(fi.off, 16);
    assert_int_equal(fi.len, 32);
    assert_int_equal(fi.overlap, 16);
    assert_int_equal(fi.differ, 2);
    assert_int_equal(fi.first_diff, 20);
    assert_int_equal(fi.has_prior, 1);
    assert_int_equal(fi.prior.frame, FRAME_REF(0, 11));
    assert_int_equal(fi.prior.ts_ns, T0 + 5);
    assert_int_equal(fi.prior.off, 0);
    assert_int_equal(fi.prior.len, 32);
    assert_int_equal(fi.prior.ip_id, 0x77);
    assert_int_equal(fi.prior.ttl, 57);
    assert_int_equal(fi.prior.mf, 1);
    assert_int_equal(stats(state)->overlaps, 1);
    assert_int_equal(stats(state)->conflicts, 1);

    /* The datagram completes from the first copy of [16, 32) and the forged fragment's
     * own [32, 48), which agree with d: its bytes and checksum hold only if bytes 20 and
     * 30 are the originals. */
    const uint8_t *out = add(state, d, (struct send){.off = 48, .len = 16, .frame = 13}, &fi, &len);
    assert_int_equal(fi.overlap, 0);
    check_datagram(state, d, out, len, 20);
}

/* The earlier fragment named is the one whose copy of the byte is held: the first. */
static void test_conflict_names_holder(void **state)
{
    fx_default(state);
    struct dg *d = dg_new(state, 6, IPPROTO_NUM_UDP, 0x99, 8 + 32);
    struct frag_info fi;
    uint8_t forged[16];
    memcpy(forged, d->l4 + 16, 16);
    forged[3] ^= 0x55; /* datagram byte 19 */
    add_pending(state, d, (struct send){.off = 16, .len = 16, .mf = 1, .frame = 1, .ttl = 60}, &fi);
    add_pending(
        state, d,
        (struct send){.off = 16, .len = 16, .mf = 1, .frame = 2, .ttl = 200, .bytes = forged}, &fi);
    assert_int_equal(fi.differ, 1);
    assert_int_equal(fi.first_diff, 19);
    assert_int_equal(fi.prior.frame, FRAME_REF(0, 1));
    /* A third copy equal to the second: it still differs from the held (first) copy. */
    add_pending(
        state, d,
        (struct send){.off = 16, .len = 16, .mf = 1, .frame = 3, .ttl = 200, .bytes = forged}, &fi);
    assert_int_equal(fi.overlap, 16);
    assert_int_equal(fi.differ, 1);
    assert_int_equal(fi.first_diff, 19);
    assert_int_equal(fi.has_prior, 1);
    if (fi.prior.frame != FRAME_REF(0, 1))
        fail_msg("byte 19 is held from frame 1 (TTL 60), but frame %llu (TTL %u) was named",
                 (unsigned long long)fi.prior.frame, fi.prior.ttl);
    assert_int_equal(fi.prior.ttl, 60);
    assert_int_equal(stats(state)->conflicts, 2);
    assert_int_equal(stats(state)->overlaps, 2);
}

/* RFC 4963: a stale first fragment and a new datagram with the same identification.
 * From the same TTL, other ports or a second's gap start the datagram over (counted);
 * from another TTL, nothing is excused. */
static void test_id_reuse(void **state)
{
    fx_default(state);
    struct dg *d = dg_new(state, 4, IPPROTO_NUM_UDP, 0x4963, 8 + 100);
    struct frag_info fi;
    uint32_t len;
    uint8_t other[64];
    memcpy(other, d->l4, sizeof other);
    other[1] ^= 0x01; /* another source port */
    add_pending(state, d, (struct send){.off = 0, .len = 64, .mf = 1, .frame = 1, .bytes = other},
                &fi);
    add_pending(state, d, (struct send){.off = 0, .len = 64, .mf = 1, .frame = 2, .ts = T0 + 1000},
                &fi);
    assert_int_equal(fi.id_reused, FRAG_REUSE_PORTS);
    assert_int_equal(fi.first_diff, 1);
    assert_int_equal(fi.prior.frame, FRAME_REF(0, 1));
    assert_int_equal(fi.prior_age_ns, 1000);
    assert_int_equal(fi.npieces, 1); /* started over */
    assert_int_equal(stats(state)->id_reused, 1);
    /* The new datagram completes whole, without the stale bytes. */
    const uint8_t *out = add(state, d, (struct send){.off = 64, .len = 44, .frame = 3}, &fi, &len);
    check_datagram(state, d, out, len, 20);

    /* Same ports, other payload bytes, over FRAG_REUSE_AGE_NS later: aged (after the
     * completed datagram's keep time). */
    int64_t t2 = T0 + FRAG_KEEP_NS + 1, t3 = t2 + FRAG_REUSE_AGE_NS + FRAG_KEEP_NS + 2;
    uint8_t stale[64];
    memcpy(stale, d->l4, sizeof stale);
    stale[40] ^= 0xff;
    add_pending(state, d,
                (struct send){.off = 0, .len = 64, .mf = 1, .frame = 4, .ts = t2, .bytes = stale},
                &fi);
    add_pending(
        state, d,
        (struct send){.off = 0, .len = 64, .mf = 1, .frame = 5, .ts = t2 + FRAG_REUSE_AGE_NS + 1},
        &fi);
    assert_int_equal(fi.id_reused, FRAG_REUSE_AGED);
    assert_int_equal(stats(state)->id_reused, 2);
    out = add(state, d,
              (struct send){.off = 64, .len = 44, .frame = 6, .ts = t2 + FRAG_REUSE_AGE_NS + 1},
              &fi, &len);
    check_datagram(state, d, out, len, 20);

    /* Other ports from another TTL: a conflict, not a reuse. */
    add_pending(state, d,
                (struct send){.off = 0, .len = 64, .mf = 1, .frame = 7, .ts = t3, .bytes = other},
                &fi);
    add_pending(state, d,
                (struct send){.off = 0, .len = 64, .mf = 1, .frame = 8, .ttl = 50, .ts = t3 + 1},
                &fi);
    assert_int_equal(fi.id_reused, 0);
    assert_int_equal(fi.differ, 1);
    assert_int_equal(fi.npieces, 2);
    assert_int_equal(stats(state)->id_reused, 2);
}

/* ---- lifetime ---- */

static void test_completed_is_forgotten(void **state)
{
    struct frag_table *t = fx_default(state);
    struct dg *d = dg_new(state, 4, IPPROTO_NUM_UDP, 42, 8 + 100);
    struct frag_info fi;
    uint32_t len;
    add_pending(state, d, (struct send){.off = 0, .len = 64, .mf = 1}, &fi);
    const uint8_t *out = add(state, d, (struct send){.off = 64, .len = 44}, &fi, &len);
    check_datagram(state, d, out, len, 20);
    /* Within FRAG_KEEP_NS the same fragment is a late copy of the kept datagram. */
    add_pending(state, d, (struct send){.off = 0, .len = 64, .mf = 1, .ts = T0 + FRAG_KEEP_NS},
                &fi);
    assert_int_equal(fi.late, 1);
    assert_int_equal(fi.overlap, 64);
    assert_int_equal(frag_table_count(t), 0);
    /* After it, the same identification again is a new datagram, no overlap with the
     * old one. */
    int64_t later = T0 + FRAG_KEEP_NS + 1;
    add_pending(state, d, (struct send){.off = 0, .len = 64, .mf = 1, .ts = later}, &fi);
    assert_int_equal(fi.late, 0);
    assert_int_equal(fi.npieces, 1);
    assert_int_equal(fi.overlap, 0);
    assert_int_equal(frag_table_count(t), 1);
    assert_int_equal(stats(state)->datagrams, 2);
    out = add(state, d, (struct send){.off = 64, .len = 44, .ts = later}, &fi, &len);
    check_datagram(state, d, out, len, 20);
    assert_int_equal(stats(state)->reassembled, 2);
    assert_int_equal(stats(state)->overlaps, 1);
    /* A fragment past a kept datagram's end is another datagram, not a late copy. */
    struct dg *big = dg_new(state, 4, IPPROTO_NUM_UDP, 42, 8 + 200);
    add_pending(state, big, (struct send){.off = 144, .len = 64, .ts = later}, &fi);
    assert_int_equal(fi.late, 0);
    assert_int_equal(frag_table_count(t), 1);
}

/* Herzberg-Shulman: a forger's second fragment (other TTL) is planted, the genuine first
 * fragment completes the datagram with it, and the genuine second fragment comes late:
 * compared with the kept datagram, it differs; the planted one is the earlier copy,
 * unlike the first fragment. */
static void test_late_conflict(void **state)
{
    fx_default(state);
    struct dg *d = dg_new(state, 4, IPPROTO_NUM_UDP, 0x8e20, 8 + 100);
    struct frag_info fi;
    uint32_t len;
    uint8_t planted[44];
    memcpy(planted, d->l4 + 64, sizeof planted);
    planted[10] ^= 0x5a;
    add_pending(state, d,
                (struct send){.off = 64, .len = 44, .frame = 1, .ttl = 50, .bytes = planted}, &fi);
    const uint8_t *out = add(
        state, d, (struct send){.off = 0, .len = 64, .mf = 1, .frame = 2, .ttl = 54}, &fi, &len);
    assert_non_null(out);
    assert_int_equal(fi.completed, 1);
    assert_int_equal(fi.mixed, 1);
    assert_int_equal(stats(state)->mixed, 1);
    add_pending(state, d, (struct send){.off = 64, .len = 44, .frame = 3, .ttl = 54, .ts = T0 + 20},
                &fi);
    assert_int_equal(fi.late, 1);
    assert_int_equal(fi.differ, 1);
    assert_int_equal(fi.first_diff, 74);
    assert_int_equal(fi.has_prior, 1);
    assert_int_equal(fi.prior.frame, FRAME_REF(0, 1));
    assert_int_equal(fi.prior.ttl, 50);
    assert_int_equal(fi.has_head, 1);
    assert_int_equal(fi.head.frame, FRAME_REF(0, 2));
    assert_int_equal(fi.head.ttl, 54);
    assert_int_equal(fi.has_ports, 1);
    assert_int_equal(stats(state)->conflicts, 1);
    assert_int_equal(stats(state)->late, 1);
}

static void test_timeout_by_packet_time(void **state)
{
    struct frag_table *t = fx_table(state, 1024, 1ull << 30, 30);
    struct dg *a = dg_new(state, 4, IPPROTO_NUM_UDP, 1, 8 + 100);
    struct dg *b = dg_new(state, 4, IPPROTO_NUM_UDP, 2, 8 + 100);
    struct dg *c = dg_new(state, 4, IPPROTO_NUM_UDP, 3, 8 + 100);
    struct dg *e = dg_new(state, 4, IPPROTO_NUM_UDP, 4, 8 + 100);
    struct frag_info fi;
    uint32_t len;
    add_pending(state, a, (struct send){.off = 0, .len = 64, .mf = 1, .ts = T0}, &fi);
    add_pending(state, b, (struct send){.off = 0, .len = 64, .mf = 1, .ts = T0 + 10 * SEC}, &fi);
    /* Exactly the timeout after a's first fragment: a stays. */
    add_pending(state, c, (struct send){.off = 0, .len = 64, .mf = 1, .ts = T0 + 30 * SEC}, &fi);
    assert_int_equal(frag_table_count(t), 3);
    assert_int_equal(stats(state)->expired, 0);
    /* One nanosecond later: a goes, b (20 s old) stays. */
    add_pending(state, e, (struct send){.off = 0, .len = 64, .mf = 1, .ts = T0 + 30 * SEC + 1},
                &fi);
    assert_int_equal(stats(state)->expired, 1);
    assert_int_equal(frag_table_count(t), 3);
    /* a's second half starts a datagram of its own. */
    add_pending(state, a, (struct send){.off = 64, .len = 44, .ts = T0 + 31 * SEC}, &fi);
    assert_int_equal(fi.npieces, 1);
    assert_int_equal(stats(state)->datagrams, 5);
    /* b, 30 s after its first fragment, completes. */
    const uint8_t *out =
        add(state, b, (struct send){.off = 64, .len = 44, .ts = T0 + 40 * SEC}, &fi, &len);
    check_datagram(state, b, out, len, 20);
    assert_int_equal(stats(state)->expired, 1);
    /* Much later: c, e and a's second start all expire before the new one is added. */
    add_pending(state, b, (struct send){.off = 0, .len = 64, .mf = 1, .ts = T0 + 1000 * SEC}, &fi);
    assert_int_equal(stats(state)->expired, 4);
    assert_int_equal(frag_table_count(t), 1);
}

/* At most four datagrams expire per fragment, oldest first. */
static void test_expiry_bounded_per_fragment(void **state)
{
    struct frag_table *t = fx_table(state, 1024, 1ull << 30, 30);
    struct dg *d[7];
    for (int i = 0; i < 7; i++)
        d[i] = dg_new(state, 4, IPPROTO_NUM_UDP, 10 + (uint32_t)i, 8 + 100);
    struct frag_info fi;
    /* d0..d4 within nanoseconds of T0, d5 30 s later (d0 then exactly due, not over). */
    for (int i = 0; i < 6; i++)
        add_pending(
            state, d[i],
            (struct send){.off = 0, .len = 64, .mf = 1, .ts = i < 5 ? T0 + i : T0 + 30 * SEC}, &fi);
    assert_int_equal(frag_table_count(t), 6);
    /* At T0 + 60 s five are due; four go. */
    add_pending(state, d[6], (struct send){.off = 0, .len = 64, .mf = 1, .ts = T0 + 60 * SEC}, &fi);
    assert_int_equal(stats(state)->expired, 4);
    assert_int_equal(frag_table_count(t), 3);
    /* The next fragment takes d4; d5 (exactly 30 s old) stays and gets its fragment. */
    add_pending(state, d[5], (struct send){.off = 0, .len = 64, .mf = 1, .ts = T0 + 60 * SEC}, &fi);
    assert_int_equal(stats(state)->expired, 5);
    assert_int_equal(fi.npieces, 2);
    assert_int_equal(fi.overlap, 64);
    assert_int_equal(frag_table_count(t), 2);
    /* d3 was among the first four: it starts again. */
    add_pending(state, d[3], (struct send){.off = 0, .len = 64, .mf = 1, .ts = T0 + 60 * SEC}, &fi);
    assert_int_equal(fi.npieces, 1);
    assert_int_equal(stats(state)->expired, 5);
    assert_int_equal(stats(state)->datagrams, 8);
}

/* ---- caps ---- */

static void test_count_cap_evicts_oldest(void **state)
{
    struct frag_table *t = fx_table(state, 2, 1ull << 30, 30);
    struct dg *a = dg_new(state, 4, IPPROTO_NUM_UDP, 1, 8 + 100);
    struct dg *b = dg_new(state, 4, IPPROTO_NUM_UDP, 2, 8 + 100);
    struct dg *c = dg_new(state, 6, IPPROTO_NUM_UDP, 3, 8 + 100);
    struct frag_info fi;
    uint32_t len;
    add_pending(state, a, (struct send){.off = 0, .len = 64, .mf = 1, .ts = T0}, &fi);
    add_pending(state, b, (struct send){.off = 0, .len = 64, .mf = 1, .ts = T0 + 1}, &fi);
    uint64_t two = frag_table_memory(t);
    add_pending(state, c, (struct send){.off = 0, .len = 64, .mf = 1, .ts = T0 + 2}, &fi);
    assert_int_equal(stats(state)->evicted, 1);
    assert_int_equal(frag_table_count(t), 2);
    assert_int_equal(frag_table_memory(t), two);
    const uint8_t *out =
        add(state, b, (struct send){.off = 64, .len = 44, .ts = T0 + 3}, &fi, &len);
    check_datagram(state, b, out, len, 20);
    out = add(state, c, (struct send){.off = 64, .len = 44, .ts = T0 + 4}, &fi, &len);
    check_datagram(state, c, out, len, 40);
    /* a was the one evicted: its second half is on its own. */
    add_pending(state, a, (struct send){.off = 64, .len = 44, .ts = T0 + 5}, &fi);
    assert_int_equal(fi.npieces, 1);
    assert_int_equal(stats(state)->evicted, 1);
    assert_int_equal(stats(state)->datagrams, 4);
    assert_int_equal(stats(state)->expired, 0);
}

/* The accounted size of a datagram holding at most 1024 bytes. */
static uint64_t one_datagram_cost(void **state)
{
    struct frag_table *t = fx_default(state);
    struct dg *d = dg_new(state, 4, IPPROTO_NUM_UDP, 1, 8 + 1100);
    struct frag_info fi;
    add_pending(state, d, (struct send){.off = 0, .len = 64, .mf = 1}, &fi);
    uint64_t cost = frag_table_memory(t);
    /* Growing to 2048 bytes costs the 1024 more and their presence bits. */
    add_pending(state, d, (struct send){.off = 1024, .len = 8, .mf = 1}, &fi);
    assert_int_equal(frag_table_memory(t), cost + 1024 + 1024 / 8);
    assert_int_equal(stats(state)->memory_peak, cost + 1024 + 1024 / 8);
    return cost;
}

static void test_byte_cap_evicts_oldest(void **state)
{
    uint64_t cost = one_datagram_cost(state);
    struct frag_table *t = fx_table(state, 1024, 2 * cost, 30);
    struct dg *a = dg_new(state, 4, IPPROTO_NUM_UDP, 11, 8 + 100);
    struct dg *b = dg_new(state, 4, IPPROTO_NUM_UDP, 12, 8 + 100);
    struct dg *c = dg_new(state, 4, IPPROTO_NUM_UDP, 13, 8 + 100);
    struct frag_info fi;
    uint32_t len;
    add_pending(state, a, (struct send){.off = 0, .len = 64, .mf = 1}, &fi);
    add_pending(state, b, (struct send){.off = 0, .len = 64, .mf = 1}, &fi);
    assert_int_equal(frag_table_memory(t), 2 * cost);
    assert_int_equal(stats(state)->evicted, 0);
    add_pending(state, c, (struct send){.off = 0, .len = 64, .mf = 1}, &fi);
    assert_int_equal(stats(state)->evicted, 1);
    assert_int_equal(frag_table_count(t), 2);
    assert_int_equal(frag_table_memory(t), 2 * cost);
    assert_int_equal(stats(state)->memory_peak, 2 * cost);
    const uint8_t *out = add(state, b, (struct send){.off = 64, .len = 44}, &fi, &len);
    check_datagram(state, b, out, len, 20);
    out = add(state, c, (struct send){.off = 64, .len = 44}, &fi, &len);
    check_datagram(state, c, out, len, 20);
    add_pending(state, a, (struct send){.off = 64, .len = 44}, &fi);
    assert_int_equal(fi.npieces, 1);
    assert_true(stats(state)->memory_peak <= 2 * cost);
}

/* A datagram that grows makes room by evicting older ones, never itself. */
static void test_byte_cap_on_growth(void **state)
{
    uint64_t cost = one_datagram_cost(state);
    struct frag_table *t = fx_table(state, 1024, 2 * cost + 1000, 30);
    struct dg *a = dg_new(state, 4, IPPROTO_NUM_UDP, 21, 8 + 100);
    struct dg *b = dg_new(state, 4, IPPROTO_NUM_UDP, 22, 8 + 1500);
    struct frag_info fi;
    uint32_t len;
    add_pending(state, a, (struct send){.off = 0, .len = 64, .mf = 1}, &fi);
    add_pending(state, b, (struct send){.off = 0, .len = 800, .mf = 1}, &fi);
    assert_int_equal(stats(state)->evicted, 0);
    const uint8_t *out = add(state, b, (struct send){.off = 800, .len = 708}, &fi, &len);
    check_datagram(state, b, out, len, 20);
    assert_int_equal(stats(state)->evicted, 1);
    assert_int_equal(frag_table_count(t), 0);
    assert_int_equal(stats(state)->memory_peak, 2 * cost); /* before the growth */
    add_pending(state, a, (struct send){.off = 64, .len = 44}, &fi);
    assert_int_equal(fi.npieces, 1);

    /* The growing datagram is the oldest: the newer one goes. */
    t = fx_table(state, 1024, 2 * cost + 1000, 30);
    add_pending(state, b, (struct send){.off = 0, .len = 800, .mf = 1}, &fi);
    add_pending(state, a, (struct send){.off = 0, .len = 64, .mf = 1}, &fi);
    out = add(state, b, (struct send){.off = 800, .len = 708}, &fi, &len);
    check_datagram(state, b, out, len, 20);
    assert_int_equal(stats(state)->evicted, 1);
    assert_int_equal(frag_table_count(t), 0);
    add_pending(state, a, (struct send){.off = 64, .len = 44}, &fi);
    assert_int_equal(fi.npieces, 1);
}

/* ---- limits ---- */

/* A fast sender's identification wrap: the next datagram with the identification comes
 * while the last one is kept; from the same TTL and DF it is that new datagram, started
 * afresh (and reassembled whole), not a late copy. */
static void test_late_reuse(void **state)
{
    fx_default(state);
    struct dg *d = dg_new(state, 4, IPPROTO_NUM_UDP, 0x9001, 8 + 100);
    struct frag_info fi;
    uint32_t len;
    uint8_t old[64];
    memcpy(old, d->l4, sizeof old);
    old[30] ^= 0x33;
    uint8_t old_tail[44];
    memcpy(old_tail, d->l4 + 64, sizeof old_tail);
    add_pending(state, d, (struct send){.off = 0, .len = 64, .mf = 1, .frame = 1, .bytes = old},
                &fi);
    assert_non_null(add(
        state, d, (struct send){.off = 64, .len = 44, .frame = 2, .bytes = old_tail}, &fi, &len));
    add_pending(state, d, (struct send){.off = 0, .len = 64, .mf = 1, .frame = 3, .ts = T0 + 500},
                &fi);
    assert_int_equal(fi.late, 1);
    assert_int_equal(fi.differ, 1);
    assert_int_equal(fi.id_reused, FRAG_REUSE_DONE);
    assert_int_equal(fi.npieces, 1);
    const uint8_t *out =
        add(state, d, (struct send){.off = 64, .len = 44, .frame = 4, .ts = T0 + 500}, &fi, &len);
    check_datagram(state, d, out, len, 20);
    assert_int_equal(stats(state)->id_reused, 1);
    assert_int_equal(stats(state)->reassembled, 2);
}

/* The kept datagrams have caps of their own, and give way to incomplete ones at the
 * table's byte cap; each drop counted. */
static void test_keep_caps(void **state)
{
    struct frag_table *t = fx_table(state, 1u << 16, 1ull << 30, 30);
    struct dg *d = dg_new(state, 4, IPPROTO_NUM_UDP, 0, 8 + 100);
    struct frag_info fi;
    uint32_t len;
    for (uint32_t i = 0; i <= FRAG_KEEP_MAX; i++) {
        d->id = i + 1;
        add_pending(state, d, (struct send){.off = 0, .len = 64, .mf = 1}, &fi);
        assert_non_null(add(state, d, (struct send){.off = 64, .len = 44}, &fi, &len));
    }
    assert_int_equal(stats(state)->kept, FRAG_KEEP_MAX + 1);
    assert_int_equal(stats(state)->kept_dropped, 1);
    assert_int_equal(frag_table_count(t), 0);
    /* A table whose byte cap holds one datagram: the kept one goes for a new one. */
    uint64_t one = one_datagram_cost(state);
    t = fx_table(state, 16, one + one / 2, 30);
    d->id = 1;
    add_pending(state, d, (struct send){.off = 0, .len = 64, .mf = 1}, &fi);
    assert_non_null(add(state, d, (struct send){.off = 64, .len = 44}, &fi, &len));
    d->id = 2;
    add_pending(state, d, (struct send){.off = 0, .len = 64, .mf = 1}, &fi);
    assert_int_equal(stats(state)->kept_dropped, 1);
    assert_int_equal(stats(state)->evicted, 0);
    assert_int_equal(frag_table_count(t), 1);
}

static void test_too_big(void **state)
{
    struct frag_table *t = fx_default(state);
    struct dg *d4 = dg_new(state, 4, IPPROTO_NUM_UDP, 3, 8 + 100);
    struct dg *d6 = dg_new(state, 6, IPPROTO_NUM_UDP, 3, 8 + 100);
    static uint8_t junk[16];
    struct frag_info fi;
    /* The largest offset (8191 * 8) and 8 bytes: 65536. */
    add_pending(state, d4, (struct send){.off = 65528, .len = 8, .bytes = junk}, &fi);
    assert_int_equal(stats(state)->too_big, 1);
    assert_int_equal(fi.off, 65528);
    add_pending(state, d6, (struct send){.off = 65528, .len = 16, .mf = 1, .bytes = junk}, &fi);
    assert_int_equal(stats(state)->too_big, 2);
    /* Nothing was started or held for them. */
    assert_int_equal(stats(state)->datagrams, 0);
    assert_int_equal(frag_table_count(t), 0);
    assert_int_equal(frag_table_memory(t), 0);
    /* 8 bytes at 65520 end at 65528: not too big. */
    add_pending(state, d6, (struct send){.off = 65520, .len = 8, .mf = 1, .bytes = junk}, &fi);
    assert_int_equal(stats(state)->too_big, 2);
    assert_int_equal(frag_table_count(t), 1);
}

/* Datagrams of exactly the largest size reassemble: IPv6 with 65535 bytes after the
 * fixed header, IPv4 with a total length of 65535. */
static void test_largest_datagrams(void **state)
{
    struct frag_table *t = fx_default(state);
    struct dg *d6 = dg_new(state, 6, IPPROTO_NUM_UDP, 0x6666, 65535);
    struct frag_info fi;
    uint32_t len;
    add_pending(state, d6, (struct send){.off = 0, .len = 32768, .mf = 1}, &fi);
    const uint8_t *out = add(state, d6, (struct send){.off = 32768, .len = 32767}, &fi, &len);
    check_datagram(state, d6, out, len, 40);
    assert_int_equal(len, 40 + 65535);

    struct dg *d4 = dg_new(state, 4, IPPROTO_NUM_UDP, 0x4444, 65535 - 20);
    add_pending(state, d4, (struct send){.off = 32768, .len = 32747}, &fi);
    out = add(state, d4, (struct send){.off = 0, .len = 32768, .mf = 1}, &fi, &len);
    check_datagram(state, d4, out, len, 20);
    assert_int_equal(stats(state)->too_big, 0);
    assert_int_equal(frag_table_count(t), 0);
    assert_true(stats(state)->memory_peak >= 65536 + 65536 / 8);
}

/* An IPv4 datagram's total length counts its header (RFC 791): fragments that add up to
 * more than 65535 with it cannot be one datagram, whatever the offset field allows. */
static void test_ipv4_total_over_65535(void **state)
{
    fx_default(state);
    struct dg *d = dg_new(state, 4, IPPROTO_NUM_UDP, 0x4545, 65535 - 20 + 8);
    struct frag_info fi;
    uint32_t len;
    add_pending(state, d, (struct send){.off = 0, .len = 32768, .mf = 1}, &fi);
    const uint8_t *out = add(state, d, (struct send){.off = 32768, .len = 32755}, &fi, &len);
    if (out)
        fail_msg("reassembled %u bytes of IPv4 datagram; its total length field reads %u", len,
                 (unsigned)(out[2] << 8 | out[3]));
    assert_int_equal(stats(state)->too_big, 1);
    assert_int_equal(stats(state)->reassembled, 0);
}

/* A fragment cut by the snap length holds fewer bytes than it carried: the datagram
 * cannot be completed from it, only from a whole copy. */
static void test_snapped_fragment(void **state)
{
    struct frag_table *t = fx_default(state);
    struct dg *d = dg_new(state, 4, IPPROTO_NUM_UDP, 0x5a, 8 + 1000);
    struct frag_info fi;
    uint32_t len;
    /* The last fragment cut: its end is known, its bytes are not all there. */
    add_pending(state, d, (struct send){.off = 800, .len = 208, .captured = 100}, &fi);
    add_pending(state, d, (struct send){.off = 0, .len = 400, .mf = 1}, &fi);
    add_pending(state, d, (struct send){.off = 400, .len = 400, .mf = 1}, &fi);
    assert_int_equal(frag_table_count(t), 1);
    /* A whole copy completes it; the captured part overlaps and agrees. */
    const uint8_t *out = add(state, d, (struct send){.off = 800, .len = 208}, &fi, &len);
    assert_int_equal(fi.overlap, 100);
    assert_int_equal(fi.differ, 0);
    check_datagram(state, d, out, len, 20);

    /* A middle fragment cut, then a first fragment cut: never complete (after the
     * first datagram's keep time). */
    int64_t later = T0 + FRAG_KEEP_NS + 1;
    add_pending(state, d,
                (struct send){.off = 400, .len = 400, .mf = 1, .captured = 399, .ts = later}, &fi);
    add_pending(state, d, (struct send){.off = 0, .len = 400, .mf = 1, .ts = later}, &fi);
    add_pending(state, d, (struct send){.off = 800, .len = 208, .ts = later}, &fi);
    assert_int_equal(frag_table_count(t), 1);
    struct dg *e = dg_new(state, 6, IPPROTO_NUM_TCP, 0x5b, 20 + 300);
    add_pending(state, e, (struct send){.off = 0, .len = 160, .mf = 1, .captured = 1, .ts = later},
                &fi);
    add_pending(state, e, (struct send){.off = 160, .len = 160, .ts = later}, &fi);
    assert_int_equal(frag_table_count(t), 2);
    assert_int_equal(stats(state)->reassembled, 1);
}

/* memory_peak is the highest frag_table_memory ever seen; memory returns to zero once
 * the completed datagrams' keep time is over. */
static void test_memory_accounting(void **state)
{
    struct frag_table *t = fx_default(state);
    struct dg *a = dg_new(state, 4, IPPROTO_NUM_UDP, 1, 8 + 3000);
    struct dg *b = dg_new(state, 6, IPPROTO_NUM_TCP, 2, 20 + 500);
    struct frag_info fi;
    uint32_t len;
    uint64_t peak = 0;
    add_pending(state, a, (struct send){.off = 0, .len = 1000, .mf = 1}, &fi);
    uint64_t one = frag_table_memory(t);
    peak = one;
    add_pending(state, b, (struct send){.off = 0, .len = 256, .mf = 1}, &fi);
    assert_int_equal(frag_table_memory(t), 2 * one);
    peak = 2 * one;
    /* a grows to 4096 bytes (1024 -> 4096): 3072 more and 384 presence bytes. */
    add_pending(state, a, (struct send){.off = 2000, .len = 1008}, &fi);
    assert_int_equal(frag_table_memory(t), 2 * one + 3072 + 384);
    peak = 2 * one + 3072 + 384;
    assert_int_equal(stats(state)->memory_peak, peak);
    const uint8_t *out = add(state, b, (struct send){.off = 256, .len = 264}, &fi, &len);
    check_datagram(state, b, out, len, 40);
    assert_int_equal(frag_table_memory(t), peak); /* b kept */
    out = add(state, a, (struct send){.off = 1000, .len = 1000, .mf = 1}, &fi, &len);
    check_datagram(state, a, out, len, 20);
    assert_int_equal(frag_table_memory(t), peak); /* a kept */
    assert_int_equal(frag_table_count(t), 0);
    assert_int_equal(stats(state)->memory_peak, peak);
    /* After the keep time both are gone; a table freed with datagrams pending releases
     * them (LeakSanitizer checks). */
    int64_t later = T0 + FRAG_KEEP_NS + 1;
    add_pending(state, a, (struct send){.off = 0, .len = 1000, .mf = 1, .ts = later}, &fi);
    assert_int_equal(frag_table_memory(t), one);
    add_pending(state, b, (struct send){.off = 0, .len = 256, .mf = 1, .ts = later}, &fi);
    assert_int_equal(frag_table_memory(t), 2 * one);
    assert_int_equal(frag_table_count(t), 2);
}

/* More fragments than FRAG_MAX_PIECES, then a conflict with the first one: the earlier
 * fragment is looked up among the pieces remembered, never past them. */
static void test_conflict_after_many_pieces(void **state)
{
    fx_default(state);
    struct dg *d = dg_new(state, 4, IPPROTO_NUM_UDP, 0x3333, 8 + 8 * (FRAG_MAX_PIECES + 4));
    struct frag_info fi;
    for (uint32_t i = 0; i < FRAG_MAX_PIECES + 1; i++)
        add_pending(state, d, (struct send){.off = 8 * i, .len = 8, .mf = 1, .frame = 100 + i},
                    &fi);
    assert_int_equal(fi.npieces, FRAG_MAX_PIECES + 1);
    assert_int_equal(stats(state)->pieces_unrecorded, 1); /* past the piece list: counted */
    uint8_t forged[8];
    memcpy(forged, d->l4, 8);
    forged[2] ^= 0x80;
    add_pending(state, d, (struct send){.off = 0, .len = 8, .mf = 1, .frame = 200, .bytes = forged},
                &fi);
    assert_int_equal(fi.differ, 1);
    assert_int_equal(fi.first_diff, 2);
    assert_int_equal(fi.has_prior, 1);
    assert_int_equal(fi.prior.frame, FRAME_REF(0, 100));
    assert_int_equal(fi.prior.off, 0);
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
    /* clang-format off */
    const struct CMUnitTest tests[] = {
        T(test_ipv4_in_order),
        T(test_ipv4_every_order),
        T(test_ipv6_in_order),
        T(test_ipv6_out_of_order),
        T(test_datagram_keys),
        T(test_exact_duplicate),
        T(test_conflicting_overlap),
        T(test_conflict_names_holder),
        T(test_id_reuse),
        T(test_late_conflict),
        T(test_late_reuse),
        T(test_keep_caps),
        T(test_completed_is_forgotten),
        T(test_timeout_by_packet_time),
        T(test_expiry_bounded_per_fragment),
        T(test_count_cap_evicts_oldest),
        T(test_byte_cap_evicts_oldest),
        T(test_byte_cap_on_growth),
        T(test_too_big),
        T(test_largest_datagrams),
        T(test_ipv4_total_over_65535),
        T(test_snapped_fragment),
        T(test_memory_accounting),
        T(test_conflict_after_many_pieces), /* last: reads past pieces[], ASan aborts */
    };
    /* clang-format on */
#undef T
    return cmocka_run_group_tests(tests, NULL, NULL);
}
