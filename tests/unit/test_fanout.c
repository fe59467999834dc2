/* secondsight - unit test: the live fanout's kernel program (capture-fanout.c) picks
 * the worker pipeline_host_pair() % workers picks, so worker i of n and analyze
 * --shard i/n take the same host pairs. A small classic-BPF interpreter runs the
 * program the way the kernel does, over IPv4 and IPv6 packets with random addresses. */
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
            } else {
                uint32_t off = i->k - (uint32_t)SKF_NET_OFF;
                assert_true(i->k >= (uint32_t)SKF_NET_OFF && off + 4 <= netlen);
                a = (uint32_t)net[off] << 24 | (uint32_t)net[off + 1] << 16 |
                    (uint32_t)net[off + 2] << 8 | net[off + 3];
            }
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

static void test_same_worker(void **state)
{
    (void)state;
    srand(19);
    for (uint32_t workers = 1; workers <= 16; workers++) {
        struct fanout_insn prog[FANOUT_PROGRAM_MAX];
        unsigned n = fanout_program(prog, workers);
        assert_in_range(n, 1, FANOUT_PROGRAM_MAX);
        for (int trial = 0; trial < 500; trial++) {
            int v6 = trial & 1;
            uint8_t net[40] = {0};
            struct packet pkt;
            memset(&pkt, 0, sizeof pkt);
            pkt.ip_version = v6 ? 6 : 4;
            size_t alen = v6 ? 16 : 4, src = v6 ? 8 : 12;
            for (size_t i = 0; i < 2 * alen; i++)
                net[src + i] = (uint8_t)rand();
            net[0] = v6 ? 0x60 : 0x45;
            memcpy(pkt.ip_src, net + src, alen);
            memcpy(pkt.ip_dst, net + src + alen, alen);
            uint32_t want = pipeline_host_pair(&pkt) % workers;
            assert_int_equal(run_bpf(prog, n, v6 ? ETH_P_IPV6 : ETH_P_IP, net, 40), want);
            /* The other direction meets in the same worker. */
            memcpy(pkt.ip_src, net + src + alen, alen);
            memcpy(pkt.ip_dst, net + src, alen);
            assert_int_equal(pipeline_host_pair(&pkt) % workers, want);
        }
        /* Not IP: worker 0, as pipeline_host_pair's 0 gives shard 0. */
        struct packet arp;
        memset(&arp, 0, sizeof arp);
        uint8_t net[40] = {0};
        assert_int_equal(run_bpf(prog, n, ETH_P_ARP, net, 40), 0);
        assert_int_equal(pipeline_host_pair(&arp), 0);
    }
}

/* DNS goes by the resolver alone for --shard: one resolver, any client, one shard. */
static void test_dns_by_resolver(void **state)
{
    (void)state;
    struct packet a, b;
    memset(&a, 0, sizeof a);
    a.ip_version = 4;
    a.proto = IPPROTO_NUM_UDP;
    a.l4_ok = 1;
    memcpy(a.ip_src, "\xc6\x33\x64\x35", 4); /* 198.51.100.53:53 answers */
    memcpy(a.ip_dst, "\xc0\x00\x02\x0a", 4); /* 192.0.2.10 */
    a.sport = 53;
    a.dport = 40000;
    b = a;
    memcpy(b.ip_dst, "\xc0\x00\x02\x63", 4); /* another client */
    b.dport = 41000;
    assert_int_equal(pipeline_shard_key(&a), pipeline_shard_key(&b));
    /* The query, the other way, has the same key. */
    struct packet q = a;
    memcpy(q.ip_src, a.ip_dst, 4);
    memcpy(q.ip_dst, a.ip_src, 4);
    q.sport = 40000;
    q.dport = 53;
    assert_int_equal(pipeline_shard_key(&q), pipeline_shard_key(&a));
    /* Other traffic is keyed by its host pair. */
    a.sport = 443;
    assert_int_equal(pipeline_shard_key(&a), pipeline_host_pair(&a));
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
