/* secondsight - unit tests for the flow table's cache of recent flows (flow-table.c):
 * a hit must be the packet's own live flow, whatever was evicted, expired or reused
 * since the flow went into its slot, and flows that share a slot only miss. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "config.h"
#include "flow.h"

#define SEC ((int64_t)1000000000)
#define T0 ((int64_t)1700000000 * SEC)

static struct flow_table *table(uint32_t max_flows)
{
    struct flow_config cfg = {max_flows, 1ull << 30, 256, 60, 0};
    struct flow_table *t = flow_table_new(&cfg, 0x5eed);
    assert_non_null(t);
    return t;
}

/* A UDP packet 10.0.0.1:sport -> 10.0.(host>>8).(host&255):53, or the other way round
 * when `reply`. */
static struct packet udp(uint16_t sport, uint16_t host, int reply, int64_t ts)
{
    struct packet p;
    memset(&p, 0, sizeof p);
    p.ip_version = 4;
    uint8_t client[4] = {10, 0, 0, 1}, server[4] = {10, 0, (uint8_t)(host >> 8), (uint8_t)host};
    memcpy(p.ip_src, reply ? server : client, 4);
    memcpy(p.ip_dst, reply ? client : server, 4);
    p.proto = IPPROTO_NUM_UDP;
    p.sport = reply ? 53 : sport;
    p.dport = reply ? sport : 53;
    p.l4_ok = 1;
    p.ts_ns = ts;
    p.wirelen = 60;
    return p;
}

/* The flow the table gives pkt, checked to be pkt's own: its endpoints, and dir. */
static struct flow *get(struct flow_table *t, const struct packet *pkt, int want_dir)
{
    int dir = -1;
    struct flow *f = flow_table_get(t, pkt, &dir);
    assert_non_null(f);
    assert_int_equal(dir, want_dir);
    const uint8_t *src = dir ? pkt->ip_dst : pkt->ip_src;
    assert_memory_equal(f->src_ip, src, 4);
    assert_int_equal(f->src_port, dir ? pkt->dport : pkt->sport);
    assert_int_equal(f->dst_port, dir ? pkt->sport : pkt->dport);
    assert_int_equal(f->key.proto, pkt->proto);
    return f;
}

static void test_hit_both_directions(void **state)
{
    (void)state;
    struct flow_table *t = table(16);
    struct packet q = udp(4000, 1, 0, T0), r = udp(4000, 1, 1, T0 + 1);
    struct flow *f = get(t, &q, 0);
    uint64_t id = f->id;
    for (int i = 0; i < 10; i++) {
        assert_ptr_equal(get(t, &r, 1), f);
        assert_ptr_equal(get(t, &q, 0), f);
    }
    assert_int_equal(f->id, id);
    assert_int_equal(f->pkts[0], 11);
    assert_int_equal(f->pkts[1], 10);
    assert_int_equal(flow_table_stats(t)->created, 1);
    flow_table_free(t);
}

/* Another TCP flow on the same addresses and ports is another flow. */
static void test_protocol_is_part_of_the_match(void **state)
{
    (void)state;
    struct flow_table *t = table(16);
    struct packet u = udp(4000, 1, 0, T0), tcp = u;
    tcp.proto = IPPROTO_NUM_TCP;
    struct flow *fu = get(t, &u, 0);
    struct flow *ft = get(t, &tcp, 0);
    assert_ptr_not_equal(fu, ft);
    assert_ptr_equal(get(t, &u, 0), fu);
    assert_ptr_equal(get(t, &tcp, 0), ft);
    flow_table_free(t);
}

/* At the count cap the cached flow is evicted and its record taken by the next flow:
 * the evicted flow's packets get a new flow, never the record's new owner. */
static void test_evicted_flow_not_returned(void **state)
{
    (void)state;
    struct flow_table *t = table(1);
    int64_t ts = T0;
    uint64_t last_id = 0;
    for (int round = 0; round < 6; round++) {
        struct packet p = udp((uint16_t)(4000 + round % 3), 1, 0, ts++);
        struct flow *f = get(t, &p, 0);
        assert_true(f->id > last_id); /* a fresh flow every time */
        last_id = f->id;
        assert_int_equal(f->pkts[0], 1);
        assert_ptr_equal(get(t, &p, 0), f);
        assert_int_equal(f->pkts[0], 2);
    }
    assert_int_equal(flow_table_stats(t)->created, 6);
    assert_int_equal(flow_table_stats(t)->evicted_count, 5);
    flow_table_free(t);
}

/* A cached flow that timed out is expired by its own next packet, which starts a new
 * flow; and one expired by another packet's bounded expiry leaves its slot. */
static void test_expired_flow_not_returned(void **state)
{
    (void)state;
    struct flow_table *t = table(16);
    struct packet p = udp(4000, 1, 0, T0);
    struct flow *f = get(t, &p, 0);
    uint64_t id = f->id;
    p.ts_ns = T0 + (int64_t)(UDP_TIMEOUT + 1) * SEC;
    f = get(t, &p, 0);
    assert_true(f->id > id);
    assert_int_equal(f->pkts[0], 1);
    assert_int_equal(flow_table_stats(t)->expired, 1);

    /* Expired through another flow's packet; the record goes to a third flow. */
    id = f->id;
    int64_t later = p.ts_ns + (int64_t)(UDP_TIMEOUT + 1) * SEC;
    struct packet other = udp(5000, 2, 0, later);
    get(t, &other, 0);
    assert_int_equal(flow_table_stats(t)->expired, 2);
    struct packet third = udp(6000, 3, 0, later);
    get(t, &third, 0);
    p.ts_ns = later;
    f = get(t, &p, 0);
    assert_true(f->id > id);
    assert_int_equal(f->pkts[0], 1);
    assert_int_equal(flow_table_count(t), 3);
    flow_table_free(t);
}

/* More flows timed out than one packet's bounded expiry takes: the cached flow, the
 * newest, is still in the table when its next packet comes, and must be found
 * expired, not returned. */
static void test_expired_beyond_the_expiry_budget(void **state)
{
    (void)state;
    struct flow_table *t = table(64);
    struct flow *f = NULL;
    for (int i = 0; i <= (int)FLOW_EXPIRE_PER_PACKET + 1; i++) {
        struct packet p = udp((uint16_t)(4000 + i), 1, 0, T0 + i);
        f = get(t, &p, 0);
    }
    uint64_t id = f->id;
    struct packet p = udp((uint16_t)(4000 + FLOW_EXPIRE_PER_PACKET + 1), 1, 1,
                          T0 + (int64_t)(UDP_TIMEOUT + 10) * SEC);
    f = get(t, &p, 0); /* a new flow: its first packet is the reply */
    assert_true(f->id > id);
    assert_int_equal(f->pkts[0], 1);
    assert_int_equal(f->pkts[1], 0);
    flow_table_free(t);
}

/* Many more flows than slots, interleaved: slots are shared, and each key keeps its one
 * flow, counted exactly, through every miss. */
static void test_shared_slots_only_miss(void **state)
{
    (void)state;
    enum { N = 4 * FLOW_CACHE_SLOTS };
    struct flow_table *t = table(2 * N);
    static uint64_t ids[N];
    static uint64_t sent[N][2];
    memset(ids, 0, sizeof ids);
    memset(sent, 0, sizeof sent);
    uint32_t x = 12345;
    for (int i = 0; i < 40 * N; i++) {
        x = x * 1103515245u + 12345u;
        unsigned k = (x >> 8) % N;
        int reply = ids[k] ? (x >> 4) & 1 : 0; /* a query first: direction 0 */
        struct packet p = udp((uint16_t)(1024 + k % 61), (uint16_t)(k / 61), reply, T0 + i);
        struct flow *f = get(t, &p, reply);
        if (!ids[k])
            ids[k] = f->id;
        assert_int_equal(f->id, ids[k]);
        sent[k][reply]++;
        assert_int_equal(f->pkts[reply], sent[k][reply]);
        assert_int_equal(f->pkts[!reply], sent[k][!reply]);
    }
    assert_int_equal(flow_table_stats(t)->created, N);
    flow_table_free(t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_hit_both_directions),
        cmocka_unit_test(test_protocol_is_part_of_the_match),
        cmocka_unit_test(test_evicted_flow_not_returned),
        cmocka_unit_test(test_expired_flow_not_returned),
        cmocka_unit_test(test_expired_beyond_the_expiry_budget),
        cmocka_unit_test(test_shared_slots_only_miss),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
