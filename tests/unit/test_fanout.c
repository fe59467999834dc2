/* secondsight - unit test: partitioning is decided once. The live fanout's kernel
 * program (capture-fanout.c) picks the worker pipeline_partition() % workers picks,
 * the rule offline shards (--threads) and --shard K/N apply, so worker i of n, shard i
 * of --threads n and --shard i/n take the same packets. A small classic-BPF
 * interpreter runs the program the way the kernel does, over IPv4 and IPv6 packets
 * (TCP, UDP, ICMP; DNS on either side, both or neither; IPv4 options, fragments, an
 * IPv6 extension header) decoded by decode_packet for pipeline_partition. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "capture.h"
#include "pipeline.h"

#ifdef __linux__
#include <linux/filter.h>
#include <linux/if_ether.h>

/* A load from the network header at `off` of `size` bytes into *v; 0 when it lies
 * beyond the packet (the kernel then ends the program, returning 0). */
static int load(const uint8_t *net, size_t netlen, uint32_t off, unsigned size, uint32_t *v)
{
    if (off > netlen || netlen - off < size)
        return 0;
    *v = 0;
    for (unsigned i = 0; i < size; i++)
        *v = *v << 8 | net[off + i];
    return 1;
}

static unsigned load_size(uint16_t code)
{
    return BPF_SIZE(code) == BPF_W ? 4 : BPF_SIZE(code) == BPF_H ? 2 : 1;
}

/* Runs prog over a packet whose protocol (ETH_P_*) and network header are given; the
 * instructions the fanout program uses, each checked, anything else fails. */
static uint32_t run_bpf(const struct fanout_insn *prog, unsigned n, uint16_t protocol,
                        const uint8_t *net, size_t netlen)
{
    uint32_t a = 0, x = 0;
    for (unsigned pc = 0; pc < n; pc++) {
        const struct fanout_insn *i = &prog[pc];
        switch (i->code) {
        case BPF_LD | BPF_W | BPF_ABS:
            if (i->k == (uint32_t)(SKF_AD_OFF + SKF_AD_PROTOCOL)) {
                a = protocol;
                break;
            }
            /* fall through */
        case BPF_LD | BPF_H | BPF_ABS:
        case BPF_LD | BPF_B | BPF_ABS:
            assert_true(i->k >= (uint32_t)SKF_NET_OFF);
            if (!load(net, netlen, i->k - (uint32_t)SKF_NET_OFF, load_size(i->code), &a))
                return 0;
            break;
        case BPF_LD | BPF_H | BPF_IND:
            assert_true(i->k >= (uint32_t)SKF_NET_OFF);
            if (!load(net, netlen, i->k - (uint32_t)SKF_NET_OFF + x, 2, &a))
                return 0;
            break;
        case BPF_MISC | BPF_TAX:
            x = a;
            break;
        case BPF_ALU | BPF_ADD | BPF_X:
            a += x;
            break;
        case BPF_ALU | BPF_XOR | BPF_X:
            a ^= x;
            break;
        case BPF_ALU | BPF_AND | BPF_K:
            a &= i->k;
            break;
        case BPF_ALU | BPF_LSH | BPF_K:
            a <<= i->k;
            break;
        case BPF_ALU | BPF_RSH | BPF_K:
            a >>= i->k;
            break;
        case BPF_ALU | BPF_MUL | BPF_K:
            a *= i->k;
            break;
        case BPF_ALU | BPF_MOD | BPF_K:
            a %= i->k;
            break;
        case BPF_JMP | BPF_JEQ | BPF_K:
            pc += a == i->k ? i->jt : i->jf;
            break;
        case BPF_JMP | BPF_JSET | BPF_K:
            pc += (a & i->k) ? i->jt : i->jf;
            break;
        case BPF_JMP | BPF_JA:
            pc += i->k;
            break;
        case BPF_RET | BPF_K:
            return i->k;
        case BPF_RET | BPF_A:
            return a;
        default:
            fail_msg("instruction 0x%x not in the interpreter", i->code);
        }
    }
    fail_msg("the program ran off its end");
    return 0;
}

/* What a sample packet is made of. */
struct shape {
    int v6;
    uint8_t proto; /* 6, 17 or 1 */
    uint16_t sport, dport;
    unsigned options;  /* IPv4: option words (NOPs) */
    int ext;           /* IPv6: a hop-by-hop header before the transport header */
    uint16_t fragment; /* IPv4: the flags and offset field (MF 0x2000, offset in 8s) */
};

static void put16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)(v >> 8);
    p[1] = (uint8_t)v;
}

/* Writes the packet into buf with random addresses; returns its length. */
static size_t build(uint8_t *buf, const struct shape *s)
{
    size_t hl = s->v6 ? 40 + (s->ext ? 8 : 0) : 20 + 4 * s->options;
    size_t l4 = s->proto == 6 ? 20 : 8, len = hl + l4 + 12;
    memset(buf, 0, len);
    size_t src = s->v6 ? 8 : 12, alen = s->v6 ? 16 : 4;
    for (size_t i = 0; i < 2 * alen; i++)
        buf[src + i] = (uint8_t)rand();
    if (rand() % 4 == 0) /* sometimes one shared address word, as on one subnet */
        memcpy(buf + src + alen, buf + src, alen / 2);
    if (s->v6) {
        buf[0] = 0x60;
        put16(buf + 4, (uint16_t)(len - 40));
        buf[6] = s->ext ? 0 : s->proto;
        buf[7] = 64;
        if (s->ext) {
            buf[40] = s->proto;
            buf[42] = 1; /* PadN of 4 bytes */
            buf[43] = 4;
        }
    } else {
        buf[0] = (uint8_t)(0x40 | (5 + s->options));
        put16(buf + 2, (uint16_t)len);
        put16(buf + 6, s->fragment);
        buf[8] = 64;
        buf[9] = s->proto;
        memset(buf + 20, 1, 4 * s->options); /* NOP options */
    }
    uint8_t *t = buf + hl;
    put16(t, s->sport);
    put16(t + 2, s->dport);
    if (s->proto == 6)
        t[12] = 0x50; /* data offset 5 */
    else if (s->proto == 17)
        put16(t + 4, (uint16_t)(l4 + 12));
    return len;
}

static uint16_t some_port(void)
{
    static const uint16_t ports[] = {53, 53, 80, 443, 5353, 40000};
    return ports[rand() % 6];
}

static void random_shape(struct shape *s)
{
    static const uint8_t protos[] = {6, 17, 17, 1};
    memset(s, 0, sizeof *s);
    s->v6 = rand() & 1;
    s->proto = protos[rand() % 4];
    s->sport = some_port();
    s->dport = some_port();
    if (!s->v6 && rand() % 4 == 0)
        s->options = 1 + (unsigned)rand() % 10;
    if (s->v6 && rand() % 5 == 0)
        s->ext = 1;
    if (!s->v6 && rand() % 5 == 0)
        s->fragment = rand() & 1 ? 0x2000 : (uint16_t)(0x2000 | 185); /* first or middle */
}

static void decode_raw(struct packet *pkt, const uint8_t *buf, size_t len)
{
    memset(pkt, 0, sizeof *pkt);
    pkt->frame = 1;
    pkt->caplen = pkt->wirelen = (uint32_t)len;
    pkt->linktype = decode_dlt_of_linktype(101); /* LINKTYPE_RAW */
    pkt->data = buf;
    decode_packet(pkt);
}

/* Every sample: the kernel's program and pipeline_partition pick the same worker, and
 * the other direction meets it there. */
static void test_same_worker(void **state)
{
    (void)state;
    srand(19);
    for (uint32_t workers = 1; workers <= 16; workers++) {
        struct fanout_insn prog[FANOUT_PROGRAM_MAX];
        unsigned n = fanout_program(prog, workers);
        assert_in_range(n, 1, FANOUT_PROGRAM_MAX);
        for (int trial = 0; trial < 600; trial++) {
            struct shape s;
            random_shape(&s);
            uint8_t buf[160], rev[160];
            size_t len = build(buf, &s);
            struct packet pkt, back;
            decode_raw(&pkt, buf, len);
            assert_int_equal(pkt.ip_version, s.v6 ? 6 : 4);
            uint32_t want = pipeline_partition(&pkt) % workers;
            assert_int_equal(run_bpf(prog, n, s.v6 ? ETH_P_IPV6 : ETH_P_IP, buf, len), want);

            /* The reply: addresses and ports swapped. */
            memcpy(rev, buf, len);
            size_t src = s.v6 ? 8 : 12, alen = s.v6 ? 16 : 4;
            memcpy(rev + src, buf + src + alen, alen);
            memcpy(rev + src + alen, buf + src, alen);
            size_t hl = s.v6 ? 40 + (s.ext ? 8 : 0) : 20 + 4 * s.options;
            memcpy(rev + hl, buf + hl + 2, 2);
            memcpy(rev + hl + 2, buf + hl, 2);
            decode_raw(&back, rev, len);
            assert_int_equal(pipeline_partition(&back) % workers, want);
            assert_int_equal(run_bpf(prog, n, s.v6 ? ETH_P_IPV6 : ETH_P_IP, rev, len), want);
        }
        /* Not IP: worker 0, as pipeline_partition's 0 gives shard 0. */
        struct packet arp;
        memset(&arp, 0, sizeof arp);
        uint8_t net[40] = {0};
        assert_int_equal(run_bpf(prog, n, ETH_P_ARP, net, 40), 0);
        assert_int_equal(pipeline_partition(&arp), 0);
    }
}

/* DNS goes by the resolver alone: one resolver, any client, one partition; a fragment
 * and other traffic by the host pair. */
static void test_dns_by_resolver(void **state)
{
    (void)state;
    srand(7);
    struct shape s = {0, 17, 53, 40000, 0, 0, 0};
    uint8_t a[160], b[160];
    size_t len = build(a, &s);
    memcpy(b, a, len);
    b[16] ^= 0x5a; /* another client */
    b[19] ^= 0xa5;
    put16(b + 22, 41000);
    struct packet pa, pb;
    decode_raw(&pa, a, len);
    decode_raw(&pb, b, len);
    assert_int_equal(pipeline_partition(&pa), pipeline_partition(&pb));

    /* Port 53 on both sides, or neither: the host pair, which the other client's
     * packets do not share. */
    put16(a + 22, 53);
    put16(b + 22, 53);
    decode_raw(&pa, a, len);
    decode_raw(&pb, b, len);
    assert_int_not_equal(pipeline_partition(&pa), pipeline_partition(&pb));

    /* A fragment of the answer carries no ports the kernel could read: host pair. */
    s.fragment = 0x2000;
    len = build(a, &s);
    decode_raw(&pa, a, len);
    assert_true(pa.is_fragment);
    s.fragment = 0;
    memcpy(b, a, len);
    put16(b + 6, 0);
    put16(b + 20, 443);
    decode_raw(&pb, b, len);
    assert_int_equal(pipeline_partition(&pa), pipeline_partition(&pb));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_same_worker),
        cmocka_unit_test(test_dns_by_resolver),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

#else

int main(void)
{
    return 77; /* the fanout is Linux's */
}

#endif
