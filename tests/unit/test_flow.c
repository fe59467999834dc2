/* secondsight - unit tests for the flow table (flow-table.c) and per-direction TCP state
 * (flow-tcp.c): directions, caps, expiry, reuse, and the payload window's comparisons. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "config.h"
#include "flow.h"

#define SEC ((int64_t)1000000000)
#define T0 ((int64_t)1700000000 * SEC) /* packet time of a test's first packet */
#define WIN 256u                       /* TCP_WINDOW_MIN: small enough to overrun */

static const uint8_t ip_client[4] = {10, 0, 0, 1};
static const uint8_t ip_server[4] = {10, 0, 0, 2};

/* Each test owns one table; the teardown frees it even when an assertion jumps out. */
struct fixture {
    struct flow_table *t;
};

static struct flow_table *fx_table(void **state, uint32_t max_flows, uint64_t max_memory,
                                   uint32_t window, uint32_t grace_s)
{
    struct fixture *fx = *state;
    flow_table_free(fx->t);
    struct flow_config cfg = {max_flows, max_memory, window, grace_s, 0};
    fx->t = flow_table_new(&cfg, 0x5eed);
    assert_non_null(fx->t);
    return fx->t;
}

static struct flow_table *fx_default(void **state)
{
    return fx_table(state, 1024, 1ull << 30, WIN, 60);
}

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
    flow_table_free(fx->t);
    free(fx);
    return 0;
}

/* The accounted size of one payload window (the struct is public, the formula is
 * docs/architecture.md's: header + W bytes + W/8 presence bits). */
/* A window costs whole pages (src/flow-table.c: released windows give all of it back). */
static uint64_t window_cost(uint32_t w)
{
    return (sizeof(struct tcp_window) + (TCP_SEGLOG + TCP_AHEAD_LOG) * sizeof(struct tcp_segment) +
            w + w / 8 + 4095) &
           ~(uint64_t)4095;
}

/* A direction's first window: half a page, two to a page. */
#define HALF 2048u
#define PAGE 4096u

/* ---- packets, filled directly (no decoding) ---- */

static struct packet udp_pkt(uint16_t sport, int64_t ts)
{
    struct packet p;
    memset(&p, 0, sizeof p);
    p.ip_version = 4;
    memcpy(p.ip_src, ip_client, 4);
    memcpy(p.ip_dst, ip_server, 4);
    p.proto = IPPROTO_NUM_UDP;
    p.sport = sport;
    p.dport = 53;
    p.l4_ok = 1;
    p.ts_ns = ts;
    p.wirelen = 60;
    return p;
}

/* A TCP connection between ip_client:cport and ip_server:80. Side 0 is the client,
 * side 1 the server; `pos` arguments are stream positions (0 = first byte after SYN). */
struct conn {
    struct flow_table *t;
    struct flow *f;
    uint16_t cport;
    uint32_t isn[2];
    int dir_of[2]; /* the flow direction of each side's packets */
    int64_t ts;
    uint64_t frame; /* frame number of the last packet sent */
};

static void conn_init(struct conn *c, struct flow_table *t, uint16_t cport, uint32_t isn_c,
                      uint32_t isn_s)
{
    memset(c, 0, sizeof *c);
    c->t = t;
    c->cport = cport;
    c->isn[0] = isn_c;
    c->isn[1] = isn_s;
    c->dir_of[0] = -1;
    c->dir_of[1] = -1;
    c->ts = T0;
}

static struct packet tcp_pkt(const struct conn *c, int side, uint32_t seq, uint8_t flags,
                             const uint8_t *data, uint32_t len, uint32_t wire_len)
{
    struct packet p;
    memset(&p, 0, sizeof p);
    p.ip_version = 4;
    memcpy(p.ip_src, side ? ip_server : ip_client, 4);
    memcpy(p.ip_dst, side ? ip_client : ip_server, 4);
    p.proto = IPPROTO_NUM_TCP;
    p.sport = side ? 80 : c->cport;
    p.dport = side ? c->cport : 80;
    p.l4_ok = 1;
    p.ttl = 64;
    p.u.tcp.seq = seq;
    p.u.tcp.ack = (flags & TH_ACK) ? c->isn[!side] + 1 : 0;
    p.u.tcp.flags = flags;
    p.u.tcp.window = 512;
    p.payload = data;
    p.payload_len = len;
    p.payload_wire_len = wire_len;
    p.ts_ns = c->ts;
    p.frame = c->frame;
    p.wirelen = 54 + wire_len;
    return p;
}

/* Sends one segment with raw sequence number `seq`; fills info, returns the flow. */
static struct flow *send_seq(struct conn *c, int side, uint32_t seq, uint8_t flags,
                             const void *data, uint32_t len, uint32_t wire_len,
                             struct tcp_seg_info *info)
{
    c->frame++;
    c->ts += SEC / 1000;
    struct packet p = tcp_pkt(c, side, seq, flags, data, len, wire_len);
    int dir = -1;
    struct flow *f = flow_table_get(c->t, &p, &dir);
    assert_non_null(f);
    if (c->dir_of[side] < 0) {
        c->dir_of[side] = dir;
        c->dir_of[!side] = !dir;
    }
    assert_int_equal(dir, c->dir_of[side]);
    c->f = f;
    flow_tcp_update(c->t, f, dir, &p, info);
    return f;
}

/* Sends payload at stream position `pos` of `side`. */
static struct flow *send_at(struct conn *c, int side, int64_t pos, uint8_t flags, const void *data,
                            uint32_t len, struct tcp_seg_info *info)
{
    return send_seq(c, side, c->isn[side] + 1 + (uint32_t)pos, flags, data, len, len, info);
}

static void handshake(struct conn *c)
{
    struct tcp_seg_info info;
    send_seq(c, 0, c->isn[0], TH_SYN, NULL, 0, 0, &info);
    assert_int_equal(c->f->tcp_state, FLOW_TCP_SYN_SENT);
    send_seq(c, 1, c->isn[1], TH_SYN | TH_ACK, NULL, 0, 0, &info);
    assert_int_equal(c->f->tcp_state, FLOW_TCP_SYN_RECEIVED);
    send_seq(c, 0, c->isn[0] + 1, TH_ACK, NULL, 0, 0, &info);
    assert_int_equal(c->f->tcp_state, FLOW_TCP_ESTABLISHED);
}

#define DATA (TH_PSH | TH_ACK)

/* ---- the table ---- */

static void test_both_directions_one_flow(void **state)
{
    struct flow_table *t = fx_default(state);
    struct conn c;
    struct tcp_seg_info info;
    conn_init(&c, t, 40000, 1000, 9000);

    struct flow *f = send_seq(&c, 0, 1000, TH_SYN, NULL, 0, 0, &info);
    assert_int_equal(c.dir_of[0], 0); /* the first packet's sender is direction 0 */
    assert_memory_equal(f->src_ip, ip_client, 4);
    assert_int_equal(f->src_port, 40000);
    assert_int_equal(f->dst_port, 80);
    assert_ptr_equal(send_seq(&c, 1, 9000, TH_SYN | TH_ACK, NULL, 0, 0, &info), f);
    assert_int_equal(c.dir_of[1], 1);
    assert_ptr_equal(send_seq(&c, 0, 1001, TH_ACK, NULL, 0, 0, &info), f);
    assert_int_equal(f->pkts[0], 2);
    assert_int_equal(f->pkts[1], 1);
    assert_int_equal(f->bytes[0], 2 * 54);
    assert_int_equal(f->tcp[0].isn, 1000);
    assert_int_equal(f->tcp[1].isn, 9000);
    assert_int_equal(flow_table_count(t), 1);
    assert_int_equal(flow_table_stats(t)->created, 1);

    /* Picked up mid-stream from the server side: the server is direction 0. */
    struct conn m;
    conn_init(&m, t, 40001, 5000, 7000);
    struct flow *g = send_at(&m, 1, 0, DATA, "hi", 2, &info);
    assert_ptr_not_equal(g, f);
    assert_int_equal(m.dir_of[1], 0);
    assert_int_equal(info.pos, 0);
    assert_int_equal(g->src_port, 80);
    assert_ptr_equal(send_at(&m, 0, 0, TH_ACK, NULL, 0, &info), g);
    assert_int_equal(m.dir_of[0], 1);
    assert_int_equal(flow_table_count(t), 2);

    /* UDP over IPv6, both ways. */
    struct packet a = udp_pkt(5353, T0);
    a.ip_version = 6;
    memset(a.ip_src, 0, 16);
    memset(a.ip_dst, 0, 16);
    a.ip_src[15] = 9;
    a.ip_dst[15] = 1; /* the lower address is the destination */
    struct packet b = a;
    memcpy(b.ip_src, a.ip_dst, 16);
    memcpy(b.ip_dst, a.ip_src, 16);
    b.sport = a.dport;
    b.dport = a.sport;
    int da, db;
    struct flow *fa = flow_table_get(t, &a, &da);
    struct flow *fb = flow_table_get(t, &b, &db);
    assert_non_null(fa);
    assert_ptr_equal(fa, fb);
    assert_int_equal(da, 0);
    assert_int_equal(db, 1);
    assert_int_equal(flow_table_count(t), 3);
}

static uint64_t udp_flow_id(struct flow_table *t, uint16_t sport, int64_t ts)
{
    struct packet p = udp_pkt(sport, ts);
    int dir;
    struct flow *f = flow_table_get(t, &p, &dir);
    assert_non_null(f);
    return f->id;
}

/* At the count cap the least recently active flow goes, and is counted. */
static void test_count_cap_evicts_lru(void **state)
{
    struct flow_table *t = fx_table(state, 3, 1ull << 30, WIN, 60);
    const struct flow_stats *st = flow_table_stats(t);

    uint64_t a = udp_flow_id(t, 1000, T0 + 1);
    uint64_t b = udp_flow_id(t, 1001, T0 + 2);
    uint64_t c = udp_flow_id(t, 1002, T0 + 3);
    assert_int_equal(udp_flow_id(t, 1000, T0 + 4), a); /* A is now the most recent */
    assert_int_equal(st->created, 3);

    uint64_t d = udp_flow_id(t, 1003, T0 + 5); /* evicts B, the oldest */
    assert_int_equal(st->evicted_count, 1);
    assert_int_equal(flow_table_count(t), 3);
    assert_int_equal(udp_flow_id(t, 1000, T0 + 6), a);
    assert_int_equal(udp_flow_id(t, 1002, T0 + 7), c);
    assert_int_equal(st->created, 4);

    uint64_t b2 = udp_flow_id(t, 1001, T0 + 8); /* B is new again; D goes */
    assert_int_not_equal(b2, b);
    assert_int_equal(st->created, 5);
    assert_int_equal(st->evicted_count, 2);
    assert_int_not_equal(udp_flow_id(t, 1003, T0 + 9), d);
    assert_int_equal(st->active_peak, 3);
    assert_int_equal(st->expired, 0);
}

/* The byte cap takes payload windows from the least recently active flows first; the
 * flows themselves stay tracked. Two pages: four first windows. */
static void test_memory_cap_drops_oldest_windows(void **state)
{
    struct flow_config cfg = {64, 0, WIN, 60, 0};
    struct flow_table *t = fx_table(state, 64, 1ull << 30, WIN, 60);
    const uint64_t base = flow_table_memory(t);
    const uint64_t chunk = flow_table_min_memory(&cfg) - base - 2 * window_cost(WIN);
    const uint64_t cap = base + chunk + 2 * PAGE;

    t = fx_table(state, 64, cap, WIN, 60);
    const struct flow_stats *st = flow_table_stats(t);
    struct conn c[6];
    struct tcp_seg_info info;
    struct flow *f[6];
    for (int i = 0; i < 6; i++)
        conn_init(&c[i], t, (uint16_t)(41000 + i), 100u * (uint32_t)i, 7);

    for (int i = 0; i < 4; i++) {
        c[i].ts = T0 + i * SEC;
        f[i] = send_at(&c[i], 0, 0, DATA, "abcd", 4, &info);
        assert_non_null(f[i]->tcp[0].win);
        assert_int_equal(f[i]->mem, HALF);
    }
    assert_int_equal(flow_table_memory(t), cap);
    assert_int_equal(st->evicted_memory, 0);

    /* A fifth window: the oldest flow's window goes, the flow stays. */
    c[4].ts = T0 + 4 * SEC;
    f[4] = send_at(&c[4], 0, 0, DATA, "abcd", 4, &info);
    assert_non_null(f[4]->tcp[0].win);
    assert_null(f[0]->tcp[0].win);
    assert_int_equal(f[0]->mem, 0);
    assert_int_equal(st->evicted_memory, 1);
    assert_int_equal(flow_table_count(t), 5);
    assert_int_equal(flow_table_memory(t), cap);

    /* Activity without payload still makes a flow recent: C[2] goes before C[1]. */
    c[1].ts = T0 + 5 * SEC;
    send_at(&c[1], 0, 4, TH_ACK, NULL, 0, &info);
    c[5].ts = T0 + 6 * SEC;
    f[5] = send_at(&c[5], 0, 0, DATA, "abcd", 4, &info);
    assert_null(f[2]->tcp[0].win);
    assert_non_null(f[1]->tcp[0].win);
    assert_non_null(f[5]->tcp[0].win);
    assert_int_equal(st->evicted_memory, 2);
    assert_int_equal(flow_table_count(t), 6);
    assert_true(st->memory_peak <= cap);
    assert_int_equal(st->alloc_failures, 0);
}

/* At the byte cap, a pool that needs another chunk of records takes the memory from
 * payload windows (the flows lose history, not tracking); the memory stays within the
 * cap and the windows' slots come back when there is room again. */
static void test_memory_cap_records_take_windows(void **state)
{
    struct flow_config cfg = {4096, 0, WIN, 60, 0};
    struct flow_table *t = fx_table(state, 4096, 1ull << 30, WIN, 60);
    const uint64_t base = flow_table_memory(t);
    const uint64_t w = window_cost(WIN);
    const uint64_t chunk = flow_table_min_memory(&cfg) - base - 2 * w;
    /* room for two chunks of records, or one chunk and the page of two first windows,
     * not all three */
    (void)w;
    const uint64_t cap = base + 2 * chunk + PAGE - 1;
    t = fx_table(state, 4096, cap, WIN, 60);
    const struct flow_stats *st = flow_table_stats(t);

    struct conn c[2];
    struct tcp_seg_info info;
    conn_init(&c[0], t, 42000, 10, 20);
    conn_init(&c[1], t, 42001, 30, 40);
    struct flow *f0 = send_at(&c[0], 0, 0, DATA, "abcd", 4, &info);
    struct flow *f1 = send_at(&c[1], 0, 0, DATA, "abcd", 4, &info);
    assert_non_null(f0->tcp[0].win);
    assert_non_null(f1->tcp[0].win);

    /* Fill the first chunk with UDP flows, then one more: a second chunk is needed. */
    for (unsigned i = 0; i < FLOW_POOL_CHUNK; i++)
        udp_flow_id(t, (uint16_t)(5000 + i), T0 + 1000 + i);
    assert_int_equal(st->evicted_count, 0);
    assert_int_equal(flow_table_count(t), FLOW_POOL_CHUNK + 2);
    assert_true(flow_table_memory(t) <= cap);
    assert_true(st->memory_peak <= cap);
    /* The windows went (oldest first), every flow is still tracked. The page went back
     * only with both its halves free: both flows lost their windows. */
    assert_int_equal(st->evicted_memory, 2);
    assert_null(f0->tcp[0].win);
    assert_null(f1->tcp[0].win);
    /* Exact: the records, and the list that remembers released slots (64 to start). */
    assert_int_equal(flow_table_memory(t), base + 2 * chunk + 64 * sizeof(void *));
    assert_int_equal(st->alloc_failures, 0);
}

/* A TCP flow at a cap with room for records but none for a window: tracked, its
 * payload not kept, the failure counted. */
static void test_memory_cap_no_room_for_window(void **state)
{
    struct flow_config cfg = {64, 0, WIN, 60, 0};
    struct flow_table *t = fx_table(state, 64, 1ull << 30, WIN, 60);
    const uint64_t base = flow_table_memory(t);
    const uint64_t chunk = flow_table_min_memory(&cfg) - base - 2 * window_cost(WIN);
    t = fx_table(state, 64, base + chunk, WIN, 60);

    struct conn c;
    struct tcp_seg_info info;
    conn_init(&c, t, 50000, 1, 2);
    struct flow *f = send_at(&c, 0, 0, DATA, "abcd", 4, &info);
    assert_null(f->tcp[0].win);
    assert_int_equal(flow_table_stats(t)->alloc_failures, 1);
    assert_int_equal(flow_table_stats(t)->evicted_memory, 0);
    assert_int_equal(f->tcp[0].next_pos, 4);
    assert_int_equal(info.overlap, 0);
    assert_int_equal(flow_table_memory(t), base + chunk);
}

/* With no window left to drop and a full record pool, the oldest flow gives up its
 * record; below one pool chunk nothing can be tracked at all. Only flow records are
 * in play here (UDP), so no flow holds a window. Runs last: it used to crash. */
static void test_memory_cap_without_windows(void **state)
{
    struct flow_config cfg = {4096, 0, WIN, 60, 0};
    struct flow_table *t = fx_table(state, 4096, 1ull << 30, WIN, 60);
    const uint64_t base = flow_table_memory(t);
    const uint64_t chunk = flow_table_min_memory(&cfg) - base - 2 * window_cost(WIN);

    t = fx_table(state, 4096, base + chunk, WIN, 60);
    const struct flow_stats *st = flow_table_stats(t);
    for (unsigned i = 0; i < FLOW_POOL_CHUNK; i++)
        udp_flow_id(t, (uint16_t)(2000 + i), T0 + i);
    assert_int_equal(flow_table_count(t), FLOW_POOL_CHUNK);
    assert_int_equal(st->evicted_memory, 0);
    uint64_t id = udp_flow_id(t, 2000 + FLOW_POOL_CHUNK, T0 + FLOW_POOL_CHUNK);
    assert_int_equal(id, FLOW_POOL_CHUNK + 1);
    assert_int_equal(st->evicted_memory, 1);
    assert_int_equal(flow_table_count(t), FLOW_POOL_CHUNK);
    assert_int_equal(flow_table_memory(t), base + chunk);
    /* The first flow was the one evicted: it comes back as a new flow. */
    assert_int_equal(udp_flow_id(t, 2000, T0 + 5000), FLOW_POOL_CHUNK + 2);
    assert_int_equal(st->evicted_memory, 2);

    /* Less than one chunk: no flow at all. */
    t = fx_table(state, 4096, base + chunk - 1, WIN, 60);
    struct packet p = udp_pkt(3000, T0);
    int dir;
    assert_null(flow_table_get(t, &p, &dir));
    assert_int_equal(flow_table_stats(t)->alloc_failures, 1);
    assert_int_equal(flow_table_count(t), 0);
}

/* Packet time that goes backwards puts a flow with an earlier deadline behind the
 * oldest of its list; when the oldest leaves (a packet of it), that flow is the new
 * oldest and expires on time: the bound that lets packets skip expiry follows it. */
static void test_expiry_after_time_went_backwards(void **state)
{
    struct flow_table *t = fx_default(state);
    int dir;
    struct packet a = udp_pkt(1000, T0 + 100 * SEC);
    struct packet b = udp_pkt(2000, T0 + 50 * SEC); /* newer in the list, older in time */
    assert_non_null(flow_table_get(t, &a, &dir));
    assert_non_null(flow_table_get(t, &b, &dir));
    a.ts_ns = T0 + 60 * SEC; /* a leaves the oldest end; its last packet stays at 100 s */
    assert_non_null(flow_table_get(t, &a, &dir));
    struct packet c = udp_pkt(3000, T0 + (50 + UDP_TIMEOUT + 1) * SEC);
    assert_non_null(flow_table_get(t, &c, &dir));
    assert_int_equal(flow_table_stats(t)->expired, 1); /* b, not a */
    assert_int_equal(flow_table_count(t), 2);
    c.ts_ns = T0 + (100 + UDP_TIMEOUT + 1) * SEC;
    assert_non_null(flow_table_get(t, &c, &dir));
    assert_int_equal(flow_table_stats(t)->expired, 2);
    assert_int_equal(flow_table_count(t), 1);
}

/* Idle expiry runs on packet time; the timeout itself is still "alive". */
static void test_expiry_udp(void **state)
{
    struct flow_table *t = fx_default(state);
    const struct flow_stats *st = flow_table_stats(t);
    uint64_t id = udp_flow_id(t, 1234, T0);
    assert_int_equal(udp_flow_id(t, 1234, T0 + UDP_TIMEOUT * SEC), id);
    assert_int_equal(st->expired, 0);
    /* Each packet restarts the clock. */
    int64_t late = T0 + 2 * UDP_TIMEOUT * SEC + 1;
    assert_int_not_equal(udp_flow_id(t, 1234, late), id);
    assert_int_equal(st->expired, 1);
    assert_int_equal(st->created, 2);
    assert_int_equal(flow_table_count(t), 1);
}

static void test_expiry_tcp(void **state)
{
    struct tcp_seg_info info;
    struct conn c;

    /* Before the handshake completes: TCP_TIMEOUT_EMBRYONIC. */
    struct flow_table *t = fx_default(state);
    conn_init(&c, t, 40000, 1000, 9000);
    uint64_t id = send_seq(&c, 0, 1000, TH_SYN, NULL, 0, 0, &info)->id;
    c.ts += TCP_TIMEOUT_EMBRYONIC * SEC - SEC / 1000;
    assert_int_equal(send_seq(&c, 0, 1000, TH_SYN, NULL, 0, 0, &info)->id, id);
    c.ts += TCP_TIMEOUT_EMBRYONIC * SEC; /* + 1 ms by send_seq */
    assert_int_not_equal(send_seq(&c, 0, 1000, TH_SYN, NULL, 0, 0, &info)->id, id);
    assert_int_equal(flow_table_stats(t)->expired, 1);

    /* Established: TCP_TIMEOUT_ESTABLISHED, far longer. */
    t = fx_default(state);
    conn_init(&c, t, 40000, 1000, 9000);
    handshake(&c);
    id = c.f->id;
    c.ts += TCP_TIMEOUT_ESTABLISHED * SEC - SEC / 1000;
    assert_int_equal(send_at(&c, 0, 0, DATA, "x", 1, &info)->id, id);
    c.ts += TCP_TIMEOUT_ESTABLISHED * SEC;
    assert_int_not_equal(send_at(&c, 0, 1, DATA, "y", 1, &info)->id, id);
    assert_int_equal(flow_table_stats(t)->expired, 1);

    /* After FIN: the grace period (30 s here), restarted by each packet. */
    t = fx_table(state, 1024, 1ull << 30, WIN, 30);
    conn_init(&c, t, 40000, 1000, 9000);
    handshake(&c);
    id = c.f->id;
    send_at(&c, 0, 0, TH_FIN | TH_ACK, NULL, 0, &info);
    assert_int_equal(c.f->tcp_state, FLOW_TCP_CLOSING);
    c.ts += 30 * SEC - SEC / 1000;
    assert_int_equal(send_at(&c, 1, 0, TH_ACK, NULL, 0, &info)->id, id);
    c.ts += 30 * SEC;
    c.dir_of[0] = c.dir_of[1] = -1; /* a new flow: its first sender is direction 0 */
    assert_int_not_equal(send_at(&c, 1, 0, TH_ACK, NULL, 0, &info)->id, id);
    assert_int_equal(flow_table_stats(t)->expired, 1);
}

/* Expiry work per packet is bounded by FLOW_EXPIRE_PER_PACKET. */
static void test_expiry_bounded_per_packet(void **state)
{
    struct flow_table *t = fx_default(state);
    const struct flow_stats *st = flow_table_stats(t);
    for (int i = 0; i < 10; i++)
        udp_flow_id(t, (uint16_t)(3000 + i), T0 + i);
    int64_t later = T0 + 10 * UDP_TIMEOUT * SEC;
    udp_flow_id(t, 4000, later);
    assert_int_equal(st->expired, FLOW_EXPIRE_PER_PACKET);
    assert_int_equal(flow_table_count(t), 10 - FLOW_EXPIRE_PER_PACKET + 1);
    udp_flow_id(t, 4001, later + 1);
    assert_int_equal(st->expired, 2 * FLOW_EXPIRE_PER_PACKET);
}

/* A connection captured mid-stream, then a new one on the same 4-tuple: the new SYN
 * resets both directions, so the new server data at the old positions is no conflict
 * (seen on real port reuse in a loopback capture). */
static void test_reuse_after_midstream(void **state)
{
    struct flow_table *t = fx_default(state);
    const struct flow_stats *st = flow_table_stats(t);
    struct tcp_seg_info info;
    struct conn c;
    conn_init(&c, t, 40002, 3000, 8000);
    send_at(&c, 1, 0, DATA, "HTTP/1.0 200 OK", 15, &info); /* no handshake seen */
    send_at(&c, 0, 0, TH_ACK, NULL, 0, &info);
    uint64_t id = c.f->id;

    c.isn[0] = 123456;
    c.isn[1] = 8000; /* even the same server ISN must not make old bytes comparable */
    send_seq(&c, 0, c.isn[0], TH_SYN, NULL, 0, 0, &info);
    assert_int_equal(st->reused, 1);
    assert_int_not_equal(c.f->id, id);
    send_seq(&c, 1, c.isn[1], TH_SYN | TH_ACK, NULL, 0, 0, &info);
    send_seq(&c, 0, c.isn[0] + 1, TH_ACK, NULL, 0, 0, &info);
    send_at(&c, 1, 0, DATA, "HTTP/1.1 404 No", 15, &info);
    assert_int_equal(info.pos, 0);
    assert_int_equal(info.overlap, 0);
    assert_int_equal(info.differ, 0);
    assert_int_equal(st->reused, 1);
}

/* A SYN with a new ISN on a closing flow starts a new connection on the same record,
 * under a new flow id. */
static void test_reuse_after_close(void **state)
{
    struct flow_table *t = fx_default(state);
    const struct flow_stats *st = flow_table_stats(t);
    struct tcp_seg_info info;
    struct conn c;
    conn_init(&c, t, 40000, 1000, 9000);
    handshake(&c);
    uint64_t id = c.f->id;
    send_at(&c, 0, 0, DATA, "GET /", 5, &info);
    send_at(&c, 0, 5, TH_FIN | TH_ACK, NULL, 0, &info);
    send_at(&c, 1, 0, TH_FIN | TH_ACK, NULL, 0, &info);
    assert_int_equal(c.f->tcp_state, FLOW_TCP_CLOSING);

    /* A retransmitted old SYN (same ISN) is not a new connection. */
    send_seq(&c, 0, 1000, TH_SYN, NULL, 0, 0, &info);
    assert_int_equal(st->reused, 0);

    send_seq(&c, 0, 555555, TH_SYN, NULL, 0, 0, &info);
    assert_int_equal(st->reused, 1);
    assert_int_not_equal(c.f->id, id); /* detectors see a new flow */
    assert_int_equal(st->created, 1);
    assert_int_equal(c.f->tcp_state, FLOW_TCP_SYN_SENT);
    assert_int_equal(c.f->tcp[0].isn, 555555);
    assert_int_equal(c.f->tcp[0].next_pos, 0);
    assert_int_equal(c.f->tcp[1].flags, 0);
    assert_false(info.after_close);
    assert_int_equal(info.pos, 0);

    /* The new stream's bytes are not compared with the old one's. */
    c.isn[0] = 555555;
    send_seq(&c, 1, 777, TH_SYN | TH_ACK, NULL, 0, 0, &info);
    c.isn[1] = 777;
    send_at(&c, 0, 0, DATA, "PUT /", 5, &info);
    assert_int_equal(info.overlap, 0);
    assert_int_equal(info.differ, 0);
}

/* ---- the payload window ---- */

static void test_retransmit_identical(void **state)
{
    struct tcp_seg_info info;
    struct conn c;
    conn_init(&c, fx_default(state), 40000, 1000, 9000);
    handshake(&c);

    send_at(&c, 0, 0, DATA, "ABCDEFGHIJ", 10, &info);
    assert_int_equal(info.pos, 0);
    assert_int_equal(info.end, 10);
    assert_int_equal(info.overlap, 0);
    assert_false(info.retransmit);
    assert_int_equal(c.f->tcp[0].next_pos, 10);

    send_at(&c, 0, 0, DATA, "ABCDEFGHIJ", 10, &info);
    assert_true(info.retransmit);
    assert_int_equal(info.overlap, 10);
    assert_int_equal(info.differ, 0);
    assert_int_equal(info.unverifiable, 0);
    assert_int_equal(info.nprior, 0);
    assert_false(info.out_of_window);
    assert_false(info.after_close);
    assert_int_equal(c.f->tcp[0].next_pos, 10);
}

static void test_retransmit_different(void **state)
{
    struct tcp_seg_info info;
    struct conn c;
    conn_init(&c, fx_default(state), 40000, 1000, 9000);
    handshake(&c);

    send_at(&c, 0, 0, DATA, "ABCDEFGHIJ", 10, &info);
    uint64_t genuine = c.frame;
    send_at(&c, 0, 0, DATA, "ABCxyzGHIJ", 10, &info);
    uint64_t forged = c.frame;
    assert_int_equal(info.overlap, 10);
    assert_int_equal(info.differ, 3);
    assert_int_equal(info.first_diff, 3);
    assert_int_equal(info.nprior, 1);
    assert_int_equal(info.prior[0].hdr.frame, FRAME_REF(0, genuine));
    assert_int_equal(info.prior[0].pos, 0);
    assert_int_equal(info.prior[0].hdr.len, 10);
    assert_int_equal(info.prior[0].hdr.ttl, 64);

    /* The first copy is the one kept: the genuine bytes match, the forged ones do not,
     * and both earlier segments are named, newest first. */
    send_at(&c, 0, 0, DATA, "ABCDEFGHIJ", 10, &info);
    assert_int_equal(info.differ, 0);
    send_at(&c, 0, 2, DATA, "Cxy", 3, &info);
    assert_int_equal(info.overlap, 3);
    assert_int_equal(info.differ, 2);
    assert_int_equal(info.first_diff, 3);
    assert_int_equal(info.nprior, 3);
    assert_int_equal(info.prior[1].hdr.frame, FRAME_REF(0, forged));
    assert_int_equal(info.prior[2].hdr.frame, FRAME_REF(0, genuine));
}

static void test_partial_overlap(void **state)
{
    struct tcp_seg_info info;
    struct conn c;
    conn_init(&c, fx_default(state), 40000, 1000, 9000);
    handshake(&c);

    send_at(&c, 0, 0, DATA, "0123456789", 10, &info);
    send_at(&c, 0, 5, DATA, "56789abcde", 10, &info);
    assert_true(info.retransmit);
    assert_int_equal(info.pos, 5);
    assert_int_equal(info.end, 15);
    assert_int_equal(info.overlap, 5);
    assert_int_equal(info.differ, 0);
    assert_int_equal(c.f->tcp[0].next_pos, 15);

    /* The new half was stored. */
    send_at(&c, 0, 10, DATA, "abcde", 5, &info);
    assert_int_equal(info.overlap, 5);
    assert_int_equal(info.differ, 0);
    send_at(&c, 0, 12, DATA, "cXeFGHIJ", 8, &info);
    assert_int_equal(info.overlap, 3);
    assert_int_equal(info.differ, 1);
    assert_int_equal(info.first_diff, 13);
    assert_int_equal(c.f->tcp[0].next_pos, 20);
}

static void test_out_of_order_then_fill(void **state)
{
    struct tcp_seg_info info;
    struct conn c;
    conn_init(&c, fx_default(state), 40000, 1000, 9000);
    handshake(&c);

    send_at(&c, 0, 0, DATA, "0123456789", 10, &info);
    send_at(&c, 0, 20, DATA, "klmnopqrst", 10, &info); /* ahead: a hole at 10..19 */
    assert_false(info.retransmit);
    assert_int_equal(info.overlap, 0);
    assert_int_equal(c.f->tcp[0].next_pos, 30);

    send_at(&c, 0, 10, DATA, "abcdefghij", 10, &info); /* the filling segment */
    assert_int_equal(info.pos, 10);
    assert_int_equal(info.overlap, 0);
    assert_int_equal(info.differ, 0);
    assert_int_equal(info.unverifiable, 0);
    assert_int_equal(c.f->tcp[0].next_pos, 30);

    /* Now all thirty bytes are held: a different copy of the fill is caught. */
    send_at(&c, 0, 5, DATA, "56789ABCDEFGHIJklmno", 20, &info);
    assert_int_equal(info.overlap, 20);
    assert_int_equal(info.differ, 10);
    assert_int_equal(info.first_diff, 10);
}

/* A keep-alive re-sends the byte before next (or a garbage byte) at next-1. The flow
 * layer reports the overlap as it is; telling keep-alives apart is a detector's job. */
static void test_keepalive(void **state)
{
    struct tcp_seg_info info;
    struct conn c;
    conn_init(&c, fx_default(state), 40000, 1000, 9000);
    handshake(&c);

    send_at(&c, 0, 0, DATA, "hello", 5, &info);
    send_at(&c, 0, 4, TH_ACK, "o", 1, &info);
    assert_true(info.retransmit);
    assert_int_equal(info.pos, 4);
    assert_int_equal(info.end, 5);
    assert_int_equal(info.overlap, 1);
    assert_int_equal(info.differ, 0);
    assert_int_equal(c.f->tcp[0].next_pos, 5);

    send_at(&c, 0, 4, TH_ACK, "\0", 1, &info); /* the common zero-byte form */
    assert_true(info.retransmit);
    assert_int_equal(info.overlap, 1);
    assert_int_equal(info.differ, 1);
    assert_int_equal(info.first_diff, 4);
    assert_int_equal(c.f->tcp[0].next_pos, 5);
}

/* Bytes of a 256-byte window: the pattern of stream position p is (uint8_t)(p * 7). */
static void pattern(uint8_t *buf, int64_t from, size_t n, uint8_t xor)
{
    for (size_t i = 0; i < n; i++)
        buf[i] = (uint8_t)((from + (int64_t)i) * 7) ^ xor;
}

static void send_stream(struct conn *c, int64_t upto, int step)
{
    struct tcp_seg_info info;
    uint8_t buf[512];
    assert_true(step <= (int)sizeof buf);
    for (int64_t p = 0; p < upto; p += step) {
        pattern(buf, p, (size_t)step, 0);
        send_at(c, 0, p, DATA, buf, (uint32_t)step, &info);
        assert_int_equal(info.pos, p);
        assert_int_equal(info.overlap, 0);
    }
}

static void test_older_than_window_unverifiable(void **state)
{
    struct tcp_seg_info info;
    struct conn c;
    uint8_t buf[512];
    conn_init(&c, fx_default(state), 40000, 1000, 9000);
    handshake(&c);
    send_stream(&c, 1000, 100); /* the window now holds positions 744..999 */

    pattern(buf, 600, 200, 0);
    send_at(&c, 0, 600, DATA, buf, 200, &info);
    assert_int_equal(info.unverifiable, 744 - 600);
    assert_int_equal(info.overlap, 800 - 744);
    assert_int_equal(info.differ, 0);

    pattern(buf, 0, 100, 0);
    send_at(&c, 0, 0, DATA, buf, 100, &info);
    assert_int_equal(info.unverifiable, 100);
    assert_int_equal(info.overlap, 0);

    pattern(buf, 700, 300, 0xff); /* every byte different */
    send_at(&c, 0, 700, DATA, buf, 300, &info);
    assert_int_equal(info.unverifiable, 44);
    assert_int_equal(info.overlap, 256);
    assert_int_equal(info.differ, 256);
    assert_int_equal(info.first_diff, 744);
    assert_int_equal(c.f->tcp[0].next_pos, 1000);
    /* The table counts them all in its stats. */
    assert_int_equal(flow_table_stats(c.t)->unverifiable_bytes, 144 + 100 + 44);
}

/* A segment longer than the window that re-sends the window's newest bytes and runs far
 * ahead: only bytes that had really been seen may count as overlap or unverifiable;
 * the 144 bytes between the old end and the new window were never seen by anyone. */
static void test_long_segment_over_window_end(void **state)
{
    struct tcp_seg_info info;
    struct conn c;
    uint8_t buf[512];
    conn_init(&c, fx_default(state), 40000, 1000, 9000);
    handshake(&c);
    send_stream(&c, 1000, 100);

    pattern(buf, 900, 500, 0); /* [900, 1400): 100 old bytes, 400 new */
    send_at(&c, 0, 900, DATA, buf, 500, &info);
    assert_int_equal(info.differ, 0);
    assert_int_equal(info.overlap + info.unverifiable, 100);
    assert_int_equal(c.f->tcp[0].next_pos, 1400);
}

/* ISN just below 2^32: positions keep increasing through the wrap, and comparison
 * works on a segment that straddles it. Then 5 GB in 1 MB steps (snapped segments that
 * carry 16 captured bytes each) counts on past 2^32 without a jump. */
static void test_sequence_wrap(void **state)
{
    struct tcp_seg_info info;
    struct conn c;
    uint8_t buf[512];
    conn_init(&c, fx_default(state), 40000, 0xffffff00u, 9000);
    handshake(&c);
    send_stream(&c, 400, 100); /* data starts at seq 0xffffff01; wraps at position 255 */
    assert_int_equal(c.f->tcp[0].next_pos, 400);
    assert_int_equal(c.f->tcp[0].next_seq, (uint32_t)(0xffffff01u + 400u));

    pattern(buf, 200, 100, 0);
    send_at(&c, 0, 200, DATA, buf, 100, &info); /* seq 0xffffffc9 .. 0x0000002c */
    assert_int_equal(info.pos, 200);
    assert_int_equal(info.overlap, 100);
    assert_int_equal(info.differ, 0);
    buf[55] ^= 1; /* position 255: seq 0xffffffff+1 */
    send_at(&c, 0, 200, DATA, buf, 100, &info);
    assert_int_equal(info.differ, 1);
    assert_int_equal(info.first_diff, 255);

    const int64_t mb = 1 << 20;
    int64_t pos = 400;
    for (int i = 0; i < 5 * 1024; i++) {
        pattern(buf, pos, 16, 0);
        send_seq(&c, 0, c.isn[0] + 1 + (uint32_t)pos, DATA, buf, 16, (uint32_t)mb, &info);
        assert_int_equal(info.pos, pos);
        assert_false(info.retransmit);
        assert_false(info.out_of_window);
        pos += mb;
        assert_int_equal(c.f->tcp[0].next_pos, pos);
    }
    assert_true(pos > ((int64_t)5 << 30));
    /* The last segment's captured bytes are still there to compare. */
    pattern(buf, pos - mb, 16, 0);
    send_seq(&c, 0, c.isn[0] + 1 + (uint32_t)(pos - mb), DATA, buf, 16, 16, &info);
    assert_int_equal(info.pos, pos - mb);
    assert_int_equal(info.overlap, 16);
    assert_int_equal(info.differ, 0);
}

/* A transfer at 1 GB/s (1 MB a millisecond) captured with gaps: bytes at the same
 * 32-bit sequence numbers are compared when they come sooner than the sender can have
 * sent 4 GiB, and taken as the next lap (not compared, counted) when they come later;
 * the same bytes again are a retransmission whenever they come. */
static void test_sequence_lap(void **state)
{
    struct tcp_seg_info info;
    struct conn c;
    uint8_t buf[64];
    conn_init(&c, fx_default(state), 40002, 1000, 9000);
    handshake(&c);
    const int64_t mb = 1 << 20;
    int64_t pos = 0;
    for (int i = 0; i < 8; i++, pos += mb) {
        pattern(buf, pos, 64, 0);
        send_seq(&c, 0, c.isn[0] + 1 + (uint32_t)pos, DATA, buf, 64, 64, &info);
    }
    int64_t last = pos - mb;
    pattern(buf, last + 32, 64, 0x5a); /* other bytes on the last segment's second half */
    send_at(&c, 0, last + 32, DATA, buf, 64, &info);
    assert_int_equal(info.pos, last + 32);
    assert_int_equal(info.differ, 32); /* 2 ms later: a race */

    c.ts += 2 * SEC; /* 2 GB at most: still the same lap */
    send_at(&c, 0, last + 32, DATA, buf, 64, &info);
    assert_int_equal(info.differ, 32);
    assert_int_equal(flow_table_stats(c.t)->seq_laps, 0);

    pattern(buf, last, 64, 0);
    c.ts += 10 * SEC; /* the same bytes: a retransmission however late */
    send_at(&c, 0, last, DATA, buf, 64, &info);
    assert_int_equal(info.pos, last);
    assert_int_equal(info.differ, 0);

    pattern(buf, last + 32, 64, 0x5a); /* just after that copy: a race */
    send_at(&c, 0, last + 32, DATA, buf, 64, &info);
    assert_int_equal(info.differ, 32);
    c.ts += 10 * SEC; /* 10 s at 1 GB/s: the next lap */
    send_at(&c, 0, last + 32, DATA, buf, 64, &info);
    assert_int_equal(info.pos, last + 32 + ((int64_t)1 << 32));
    assert_int_equal(info.overlap, 0);
    assert_int_equal(info.differ, 0);
    assert_int_equal(flow_table_stats(c.t)->seq_laps, 1);
    send_at(&c, 0, last + 32, DATA, buf, 64, &info); /* its retransmission compares */
    assert_int_equal(info.pos, last + 32 + ((int64_t)1 << 32));
    assert_int_equal(info.overlap, 64);
    assert_int_equal(info.differ, 0);

    c.ts += 60 * SEC; /* an idle connection's keep-alive: one garbage byte, not a lap */
    send_at(&c, 0, last + 32 + 63, DATA, "\xff", 1, &info);
    assert_int_equal(info.pos, last + 32 + 63 + ((int64_t)1 << 32));
    assert_int_equal(flow_table_stats(c.t)->seq_laps, 1);
}

/* A segment stored ahead of the stream stays nameable after more than TCP_SEGLOG later
 * segments; ahead entries pushed out while their bytes are held, and a conflict whose
 * earlier copy no log has, are counted. */
static void test_ahead_log(void **state)
{
    struct tcp_seg_info info;
    struct conn c;
    uint8_t buf[64];
    conn_init(&c, fx_default(state), 40003, 1000, 9000);
    handshake(&c);
    pattern(buf, 0, 10, 0);
    send_at(&c, 0, 0, DATA, buf, 10, &info);
    pattern(buf, 200, 10, 0x33); /* ahead of the stream, a gap before it */
    send_at(&c, 0, 200, DATA, buf, 10, &info);
    uint64_t ahead_frame = c.frame;
    for (int64_t p = 10; p < 200; p += 5) { /* 38 segments fill the gap */
        pattern(buf, p, 5, 0);
        send_at(&c, 0, p, DATA, buf, 5, &info);
    }
    pattern(buf, 200, 10, 0);
    send_at(&c, 0, 200, DATA, buf, 10, &info);
    assert_int_equal(info.differ, 10);
    assert_int_equal(info.nprior, 1);
    assert_int_equal(FRAME_REF_FRAME(info.prior[0].hdr.frame), ahead_frame);
    assert_int_equal(flow_table_stats(c.t)->segment_log_forgotten, 0);

    /* TCP_AHEAD_LOG + 1 segments ahead, each with a gap: they push out the one at 200
     * and the first of them while their bytes are held, and a conflict on the latter
     * then names no earlier copy. */
    int64_t at = 212;
    for (uint32_t k = 0; k <= TCP_AHEAD_LOG; k++, at += 2) {
        pattern(buf, at, 1, 0);
        send_at(&c, 0, at, DATA, buf, 1, &info);
    }
    assert_int_equal(flow_table_stats(c.t)->segment_log_forgotten, 2);
    for (int k = 0; k < (int)TCP_SEGLOG; k++) /* the segment log forgets it too */
        send_at(&c, 0, 0, DATA, "\0", 1, &info);
    pattern(buf, 212, 1, 0x11);
    send_at(&c, 0, 212, DATA, buf, 1, &info);
    assert_int_equal(info.differ, 1);
    assert_int_equal(info.nprior, 0);
    assert_int_equal(flow_table_stats(c.t)->segment_log_forgotten, 3);
}

/* A segment 2^31 away (or just over 2^30) cannot belong to the stream: flagged, not
 * stored, and its flags do not close the flow. */
static void test_out_of_window(void **state)
{
    struct tcp_seg_info info;
    struct conn c;
    conn_init(&c, fx_default(state), 40000, 1000, 9000);
    handshake(&c);
    send_at(&c, 0, 0, DATA, "0123456789", 10, &info);
    int64_t hi = c.f->tcp[0].win->hi;

    send_at(&c, 0, (int64_t)1 << 31, DATA, "XXXXXXXXXX", 10, &info);
    assert_true(info.out_of_window);
    assert_int_equal(info.overlap, 0);
    assert_int_equal(c.f->tcp[0].next_pos, 10);
    assert_int_equal(c.f->tcp[0].win->hi, hi);

    send_at(&c, 0, 10 + ((int64_t)1 << 30) + 1, DATA, "XXXXXXXXXX", 10, &info);
    assert_true(info.out_of_window);
    send_at(&c, 0, 10 - ((int64_t)1 << 30) - 1, TH_RST | TH_ACK, "XXXXXXXXXX", 10, &info);
    assert_true(info.out_of_window);
    assert_int_equal(c.f->tcp_state, FLOW_TCP_ESTABLISHED);
    assert_int_equal(c.f->tcp[0].flags & (TDF_FIN | TDF_RST), 0);
    assert_int_equal(c.f->tcp[0].next_pos, 10);

    /* Nothing was overwritten. */
    send_at(&c, 0, 0, DATA, "0123456789", 10, &info);
    assert_false(info.out_of_window);
    assert_int_equal(info.overlap, 10);
    assert_int_equal(info.differ, 0);
}

/* After a FIN the direction still compares, and says it had closed. */
static void test_after_close(void **state)
{
    struct tcp_seg_info info;
    struct conn c;
    conn_init(&c, fx_default(state), 40000, 1000, 9000);
    handshake(&c);

    send_at(&c, 0, 0, DATA, "ABCDEFGHIJ", 10, &info);
    send_at(&c, 0, 10, TH_FIN | TH_ACK, "KLMNO", 5, &info);
    assert_false(info.after_close); /* the FIN itself is not "after" */
    assert_int_equal(c.f->tcp_state, FLOW_TCP_CLOSING);
    assert_int_equal(c.f->tcp[0].fin_pos, 15);
    assert_true(c.f->tcp[0].flags & TDF_FIN);

    send_at(&c, 0, 0, DATA, "ABCDEFGHIX", 10, &info);
    assert_true(info.after_close);
    assert_int_equal(info.overlap, 10);
    assert_int_equal(info.differ, 1);
    assert_int_equal(info.first_diff, 9);

    /* The other direction has not closed. */
    send_at(&c, 1, 0, DATA, "200 OK", 6, &info);
    assert_false(info.after_close);
    send_at(&c, 1, 6, TH_RST, NULL, 0, &info);
    send_at(&c, 1, 0, DATA, "200 OK", 6, &info);
    assert_true(info.after_close);
    assert_int_equal(info.overlap, 6);
    assert_true(c.f->tcp[1].flags & TDF_RST);
}

/* A payload cut by the snap length advances the stream by its wire length; only the
 * captured bytes are kept. */
static void test_snapped_segment(void **state)
{
    struct tcp_seg_info info;
    struct conn c;
    conn_init(&c, fx_default(state), 40000, 1000, 9000);
    handshake(&c);

    send_seq(&c, 0, 1001, DATA, "0123456789", 10, 100, &info);
    assert_int_equal(info.end, 10);
    assert_int_equal(c.f->tcp[0].next_pos, 100);
    send_at(&c, 0, 100, DATA, "next", 4, &info);
    assert_false(info.retransmit);
    assert_int_equal(info.pos, 100);
    send_at(&c, 0, 0, DATA, "0123456789", 10, &info);
    assert_int_equal(info.overlap, 10);
    assert_int_equal(info.differ, 0);
}

/* When the byte cap takes a flow's window, its earlier bytes can no longer be compared:
 * a later copy of them is unverifiable, not a first copy. */
static void test_window_dropped_then_retransmit(void **state)
{
    struct flow_config cfg = {64, 0, WIN, 60, 0};
    struct flow_table *t = fx_table(state, 64, 1ull << 30, WIN, 60);
    const uint64_t base = flow_table_memory(t);
    const uint64_t w = window_cost(WIN);
    const uint64_t chunk = flow_table_min_memory(&cfg) - base - 2 * w;
    (void)w;
    t = fx_table(state, 64, base + chunk + PAGE, WIN, 60); /* room for two first windows */

    struct tcp_seg_info info;
    struct conn a, b, o;
    conn_init(&a, t, 40000, 1000, 9000);
    conn_init(&b, t, 40001, 2000, 8000);
    conn_init(&o, t, 40002, 3000, 7000);
    handshake(&a);
    handshake(&b);
    handshake(&o);
    send_at(&a, 0, 0, DATA, "genuine---", 10, &info);
    send_at(&o, 0, 0, DATA, "other-flow", 10, &info);
    send_at(&b, 0, 0, DATA, "third-flow", 10, &info); /* takes A's window */
    assert_null(a.f->tcp[0].win);
    assert_int_equal(flow_table_stats(t)->evicted_memory, 1);

    send_at(&a, 0, 0, DATA, "forged----", 10, &info);
    assert_true(info.retransmit);
    assert_int_equal(info.overlap, 0);
    assert_int_equal(info.unverifiable, 10);
}

/* A connection from client port `cport` through its handshake. */
static void established(struct conn *c, struct flow_table *t, uint16_t cport)
{
    conn_init(c, t, cport, 1000, 9000);
    handshake(c);
}

/* A direction starts with a one-page window and keeps it while its stream arrives in
 * order; its first retransmission moves it to the full window, which keeps what the
 * small one held: bytes within the small window are compared, older ones are
 * unverifiable (never taken for first copies). */
static void test_window_grows_on_retransmission(void **state)
{
    struct flow_table *t = fx_table(state, 64, 1ull << 30, 8192, 60);
    const uint32_t small = flow_table_small_window(t);
    assert_true(small >= TCP_WINDOW_MIN && small < 8192);
    assert_true(window_cost(small) == 4096);
    struct tcp_seg_info info;
    struct conn c;
    established(&c, t, 40100);
    uint8_t data[4096];
    for (unsigned i = 0; i < sizeof data; i++)
        data[i] = (uint8_t)(i * 7 + 1);
    for (unsigned pos = 0; pos < sizeof data; pos += 512)
        send_at(&c, 0, pos, DATA, data + pos, 512, &info);
    const struct tcp_window *w = c.f->tcp[0].win;
    assert_non_null(w);
    assert_int_equal(w->size, small);
    assert_int_equal(c.f->mem, HALF); /* eight segments: the first window's log holds them */
    assert_int_equal(w->seg_count, 8);

    /* A copy of the last 1024 bytes, its last byte changed: 1024 - small bytes are
     * older than the small window. */
    uint8_t copy[1024];
    memcpy(copy, data + 3072, sizeof copy);
    copy[1023] ^= 0xff;
    send_at(&c, 0, 3072, DATA, copy, sizeof copy, &info);
    w = c.f->tcp[0].win;
    assert_int_equal(w->size, 8192);
    assert_int_equal(c.f->mem, window_cost(8192));
    assert_int_equal(w->seg_count, 9); /* the log came along */
    assert_int_equal(info.unverifiable, 1024 - small);
    assert_int_equal(info.overlap, small);
    assert_int_equal(info.differ, 1);
    assert_int_equal(info.first_diff, 4095);
    assert_int_equal(info.nprior, 1);
    assert_int_equal(info.prior[0].pos, 3584);

    /* From now on the full window compares: 8 KiB more, then a copy of 6 KiB of it. */
    uint8_t more[8192];
    for (unsigned i = 0; i < sizeof more; i++)
        more[i] = (uint8_t)(i * 13 + 5);
    for (unsigned pos = 0; pos < sizeof more; pos += 1024)
        send_at(&c, 0, 4096 + pos, DATA, more + pos, 1024, &info);
    send_at(&c, 0, 4096 + 2048, DATA, more + 2048, 6144, &info);
    assert_int_equal(info.overlap, 6144);
    assert_int_equal(info.differ, 0);
    assert_int_equal(info.unverifiable, 0);
    uint8_t back[6144];
    assert_int_equal(flow_window_read(c.f->tcp[0].win, 4096 + 2048, sizeof back, back), 6144);
    assert_memory_equal(back, more + 2048, sizeof back);
}

/* A gap (a segment ahead of the stream's end) also asks for the full window; the peer's
 * direction, in order, keeps its small one. */
static void test_window_grows_on_gap(void **state)
{
    struct flow_table *t = fx_table(state, 64, 1ull << 30, 8192, 60);
    struct tcp_seg_info info;
    struct conn c;
    established(&c, t, 40101);
    send_at(&c, 0, 0, DATA, "request", 7, &info);
    send_at(&c, 1, 0, DATA, "part one", 8, &info);
    send_at(&c, 1, 20, DATA, "part three", 10, &info);
    assert_int_equal(c.f->tcp[c.dir_of[1]].win->size, 8192);
    assert_int_equal(c.f->tcp[c.dir_of[0]].win->size, flow_table_small_window(t));
    assert_int_equal(c.f->mem, window_cost(8192) + HALF);
    send_at(&c, 1, 8, DATA, "part two....", 12, &info);
    assert_int_equal(info.overlap, 0);
    uint8_t buf[30];
    assert_int_equal(flow_window_read(c.f->tcp[c.dir_of[1]].win, 0, 30, buf), 30);
    assert_memory_equal(buf, "part onepart two....part three", 30);
}

/* At the byte cap, with no other flow's window to drop, a window that cannot grow
 * carries on small (counted as an allocation failure). */
static void test_window_grow_at_cap(void **state)
{
    struct flow_config cfg = {64, 0, 8192, 60, 0};
    struct flow_table *t = fx_table(state, 64, 1ull << 30, 8192, 60);
    const uint64_t base = flow_table_memory(t);
    const uint64_t chunk = flow_table_min_memory(&cfg) - base - 2 * window_cost(8192);
    t = fx_table(state, 64, base + chunk + 4096, 8192, 60); /* one small window */
    struct tcp_seg_info info;
    struct conn c;
    established(&c, t, 40102);
    send_at(&c, 0, 0, DATA, "0123456789", 10, &info);
    send_at(&c, 0, 0, DATA, "0123456789", 10, &info);
    assert_int_equal(c.f->tcp[0].win->size, flow_table_small_window(t));
    assert_int_equal(info.overlap, 10);
    assert_int_equal(flow_table_stats(t)->alloc_failures, 1);
    assert_int_equal(flow_table_memory(t), base + chunk + 4096);
}

/* Sends `n` segments of 100 bytes from `from`, in order, from the client. */
static void send_run(struct conn *c, const uint8_t *data, unsigned from, unsigned n)
{
    struct tcp_seg_info info;
    for (unsigned k = from; k < from + n; k++)
        send_at(c, 0, 100 * k, DATA, data + 100 * k, 100, &info);
}

/* A first window (half a page, a short log) grows to one page before its log would
 * lose an entry, and to the full window at a retransmission, each keeping every log
 * entry in its place and every position: the logs a detector reads are the ones a
 * direction that started with a page would have. */
static void test_window_half_grows_keeping_log(void **state)
{
    struct flow_table *t = fx_table(state, 64, 1ull << 30, 8192, 60);
    struct conn c;
    struct tcp_seg_info info;
    static uint8_t data[4000];
    for (unsigned i = 0; i < sizeof data; i++)
        data[i] = (uint8_t)(i * 11 + 3);
    established(&c, t, 40110);
    send_run(&c, data, 0, TCP_SEGLOG_HALF);
    const struct tcp_window *w = c.f->tcp[0].win;
    assert_int_equal(c.f->mem, HALF);
    assert_int_equal(w->seg_cap, TCP_SEGLOG_HALF);
    assert_int_equal(w->seg_count, TCP_SEGLOG_HALF);
    struct tcp_segment before[TCP_SEGLOG];
    for (uint32_t k = 1; k <= TCP_SEGLOG_HALF; k++)
        before[k - 1] = *tcp_seglog_newest(w, k);

    /* One more in order: a page, the log's entries where a page's log has them. */
    send_run(&c, data, TCP_SEGLOG_HALF, 1);
    w = c.f->tcp[0].win;
    assert_int_equal(c.f->mem, PAGE);
    assert_int_equal(w->size, flow_table_small_window(t));
    assert_int_equal(w->seg_cap, TCP_SEGLOG);
    assert_int_equal(w->ahead_cap, TCP_AHEAD_LOG);
    assert_int_equal(w->seg_count, TCP_SEGLOG_HALF + 1);
    for (uint32_t k = 1; k <= TCP_SEGLOG_HALF; k++)
        assert_memory_equal(tcp_seglog_newest(w, k + 1), &before[k - 1], sizeof before[0]);
    for (uint32_t i = 0; i <= TCP_SEGLOG_HALF; i++)
        assert_int_equal(w->segs[i].pos, 100 * i);
    uint8_t back[1024];
    assert_int_equal(flow_window_read(w, 0, 900, back), 900);
    assert_memory_equal(back, data, 900);

    /* Round the page's ring, then a retransmission: the full window. */
    send_run(&c, data, TCP_SEGLOG_HALF + 1, 40 - TCP_SEGLOG_HALF - 1);
    w = c.f->tcp[0].win;
    assert_int_equal(w->seg_count, TCP_SEGLOG);
    for (uint32_t k = 1; k <= TCP_SEGLOG; k++)
        before[k - 1] = *tcp_seglog_newest(w, k);
    send_at(&c, 0, 3900, DATA, data + 3900, 100, &info);
    w = c.f->tcp[0].win;
    assert_int_equal(w->size, 8192);
    assert_int_equal(c.f->mem, window_cost(8192));
    assert_int_equal(info.overlap, 100);
    assert_int_equal(info.unverifiable, 0);
    for (uint32_t k = 1; k < TCP_SEGLOG; k++)
        assert_memory_equal(tcp_seglog_newest(w, k + 1), &before[k - 1], sizeof before[0]);
    const uint32_t small = flow_table_small_window(t);
    assert_int_equal(flow_window_read(w, 4000 - small, small, back), small);
    assert_memory_equal(back, data + 4000 - small, small);
}

/* A gap takes a first window straight to the full one: its log and the gapped segment
 * in the ahead log. */
static void test_window_half_gap(void **state)
{
    struct flow_table *t = fx_table(state, 64, 1ull << 30, 8192, 60);
    struct conn c;
    struct tcp_seg_info info;
    static uint8_t data[1000];
    established(&c, t, 40111);
    send_run(&c, data, 0, 3);
    send_at(&c, 0, 500, DATA, data + 500, 100, &info);
    const struct tcp_window *w = c.f->tcp[0].win;
    assert_int_equal(w->size, 8192);
    assert_int_equal(c.f->mem, window_cost(8192));
    assert_int_equal(w->seg_count, 4);
    for (uint32_t i = 0; i < 3; i++)
        assert_int_equal(w->segs[i].pos, 100 * i);
    assert_int_equal(w->segs[3].pos, 500);
    assert_int_equal(w->ahead[0].pos, 500);
    assert_int_equal(w->ahead_next, 1);
    assert_int_equal(flow_window_read(w, 0, 300, data), 300);
}

/* Halves are cut from pages and join again when both are free; a free page serves
 * either class, and the accounted memory counts each page once, exactly. */
static void test_window_pages_reused(void **state)
{
    struct flow_table *t = fx_table(state, 64, 1ull << 30, 8192, 60);
    struct conn a, b, c, d, e;
    struct tcp_seg_info info;
    static uint8_t data[1000];
    established(&c, t, 40120); /* the flow record's pool chunk */
    const uint64_t m0 = flow_table_memory(t);
    conn_init(&a, t, 40121, 1, 2);
    conn_init(&b, t, 40122, 3, 4);
    send_at(&a, 0, 0, DATA | TH_FIN, "a", 1, &info);
    send_at(&b, 0, 0, DATA | TH_FIN, "b", 1, &info);
    assert_int_equal(flow_table_memory(t), m0 + PAGE); /* two halves, one page */

    /* A and B expire (closed: a minute's grace); C's first window takes half their
     * page. */
    c.ts = T0 + 100 * SEC;
    send_run(&c, data, 0, TCP_SEGLOG_HALF);
    assert_int_equal(flow_table_stats(t)->expired, 2);
    assert_int_equal(flow_table_memory(t), m0 + PAGE);
    /* C grows to a page: a new one, and its half joins the free one again. */
    send_run(&c, data, TCP_SEGLOG_HALF, 1);
    assert_int_equal(flow_table_memory(t), m0 + 2 * PAGE);
    /* D's first window takes half of that page again. */
    established(&d, t, 40123);
    d.ts = c.ts;
    send_at(&d, 0, 0, DATA, "d", 1, &info);
    assert_int_equal(d.f->mem, HALF);
    assert_int_equal(flow_table_memory(t), m0 + 2 * PAGE);

    /* C to the full window: its page goes free, E's growth to a page reuses it, its
     * first window the other half of D's page. */
    send_at(&c, 0, 0, DATA, data, 100, &info);
    assert_int_equal(flow_table_memory(t), m0 + 2 * PAGE + window_cost(8192));
    established(&e, t, 40124);
    e.ts = c.ts;
    send_run(&e, data, 0, TCP_SEGLOG_HALF + 1);
    assert_int_equal(e.f->mem, PAGE);
    assert_int_equal(flow_table_memory(t), m0 + 2 * PAGE + window_cost(8192));
    assert_int_equal(flow_table_stats(t)->memory_peak, m0 + 2 * PAGE + window_cost(8192));
    assert_int_equal(flow_table_stats(t)->alloc_failures, 0);
}

/* A connection gone quiet without closing (an hour's timeout) does not hold back the
 * expiry of closed connections after it: each timeout has its own expiry order. The
 * expiry runs on any packet, here one of a third flow. */
static void test_expiry_not_blocked_by_open_flow(void **state)
{
    struct flow_table *t = fx_table(state, 1024, 1ull << 30, WIN, 30);
    struct tcp_seg_info info;
    struct conn open, closed, other;
    established(&open, t, 40200);
    established(&closed, t, 40201);
    send_at(&closed, 0, 0, TH_FIN | TH_ACK, NULL, 0, &info);
    send_at(&closed, 1, 0, TH_FIN | TH_ACK, NULL, 0, &info);
    assert_int_equal(closed.f->tcp_state, FLOW_TCP_CLOSING);
    assert_int_equal(flow_table_count(t), 2);
    established(&other, t, 40202);
    other.ts += 31 * SEC;
    send_at(&other, 0, 0, DATA, "x", 1, &info);
    assert_int_equal(flow_table_stats(t)->expired, 1);
    assert_int_equal(flow_table_count(t), 2); /* the open one and the third */
    open.ts = other.ts;
    uint64_t id = open.f->id;
    assert_int_equal(send_at(&open, 0, 0, DATA, "y", 1, &info)->id, id);
}

/* The VmFlags line of this process's mapping of `kb` KiB, or "" (Linux /proc). */
static void mapping_flags(size_t kb, char *flags, size_t size)
{
    char line[512];
    size_t cur = 0;
    flags[0] = '\0';
    FILE *f = fopen("/proc/self/smaps", "r");
    if (!f)
        return;
    while (fgets(line, sizeof line, f) && !flags[0]) {
        unsigned long long v;
        if (sscanf(line, "Size: %llu kB", &v) == 1)
            cur = (size_t)v;
        else if (cur == kb && !strncmp(line, "VmFlags:", 8)) {
            size_t n = strlen(line + 8) < size ? strlen(line + 8) : size - 1;
            memcpy(flags, line + 8, n);
            flags[n] = '\0';
        }
    }
    fclose(f);
}

/* A sensor's window arena refuses transparent huge pages (khugepaged would fill the
 * holes that released windows leave, and RSS would creep past the byte cap); a file
 * run's asks for them. The arena is the mapping of twice the byte cap. */
static void test_sensor_arena_without_huge_pages(void **state)
{
    struct fixture *fx = *state;
    char flags[256];
    for (int sensor = 0; sensor < 2; sensor++) {
        struct flow_config cfg = {64, 7u << 20, WIN, 60, sensor};
        flow_table_free(fx->t);
        fx->t = flow_table_new(&cfg, 0x5eed);
        assert_non_null(fx->t);
        mapping_flags(14u << 10, flags, sizeof flags);
        if (!sensor && !strstr(flags, " hg"))
            skip(); /* no transparent huge pages in this kernel */
        assert_non_null(strstr(flags, sensor ? " nh" : " hg"));
    }
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
    const struct CMUnitTest tests[] = {
        T(test_both_directions_one_flow),
        T(test_window_grows_on_retransmission),
        T(test_window_grows_on_gap),
        T(test_window_grow_at_cap),
        T(test_window_half_grows_keeping_log),
        T(test_window_half_gap),
        T(test_window_pages_reused),
        T(test_expiry_not_blocked_by_open_flow),
        T(test_count_cap_evicts_lru),
        T(test_memory_cap_drops_oldest_windows),
        T(test_memory_cap_records_take_windows),
        T(test_memory_cap_no_room_for_window),
        T(test_expiry_udp),
        T(test_expiry_after_time_went_backwards),
        T(test_expiry_tcp),
        T(test_expiry_bounded_per_packet),
        T(test_reuse_after_close),
        T(test_reuse_after_midstream),
        T(test_retransmit_identical),
        T(test_retransmit_different),
        T(test_partial_overlap),
        T(test_out_of_order_then_fill),
        T(test_keepalive),
        T(test_older_than_window_unverifiable),
        T(test_long_segment_over_window_end),
        T(test_sequence_wrap),
        T(test_sequence_lap),
        T(test_ahead_log),
        T(test_out_of_window),
        T(test_after_close),
        T(test_snapped_segment),
        T(test_window_dropped_then_retransmit),
        T(test_sensor_arena_without_huge_pages),
        T(test_memory_cap_without_windows), /* last: a NULL dereference aborts under UBSan */
    };
#undef T
    return cmocka_run_group_tests(tests, NULL, NULL);
}
