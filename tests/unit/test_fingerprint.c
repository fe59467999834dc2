/* secondsight - unit tests for header fingerprints (detect-fingerprint.c): hop counts,
 * each tell against hand-filled baselines, scores, baseline removal and tell names. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "detect-fingerprint.h"
#include "util-strlist.h"

/* ---- ttl_hops ---- */

static void test_ttl_hops(void **state)
{
    (void)state;
    static const struct {
        uint8_t ttl;
        int hops;
    } cases[] = {
        {64, 0},    {54, 10}, {63, 1},  {33, 31}, {241, 14}, {128, 0}, {127, 1}, {65, 63},
        {129, 126}, {255, 0}, {254, 1}, {1, 31},  {32, 0},   {31, 1},  {0, 32},  {200, 55},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        if (ttl_hops(cases[i].ttl) != cases[i].hops)
            fail_msg("ttl %u: %d hops, want %d", cases[i].ttl, ttl_hops(cases[i].ttl),
                     cases[i].hops);
    }
    /* Every TTL maps to a hop count within its initial value's range. */
    for (int t = 0; t <= 255; t++) {
        int h = ttl_hops((uint8_t)t);
        assert_true(h >= 0);
        int initial = t + h;
        assert_true(initial == 32 || initial == 64 || initial == 128 || initial == 255);
    }
}

/* ---- baseline_judge against hand-filled state ---- */

/* A quiet established direction: TTL 64 (DF, timestamps negotiated in the handshake,
 * windows 500..2000), its peer last sent IP-ID 0x1111 with window 3000, and a sample
 * that matches all of it. Each test changes one thing. */
struct judge {
    struct tcp_baseline b;
    struct tcp_dir d, o;
    struct tcp_window ow; /* the peer's window, for its segment log */
    struct tcp_segment ow_segs[TCP_SEGLOG];
    struct fp_sample s;
    struct fp_verdict v;
};

static void judge_init(struct judge *j)
{
    memset(j, 0, sizeof *j);
    j->b.pkts = 10;
    j->b.ttl[0] = 64;
    j->b.ttl_n[0] = 10;
    j->b.df_n = 10;
    j->b.ts_n = 8;
    j->b.tsval_last = 0x80000000u;
    j->b.win_min = 500;
    j->b.win_max = 2000;
    j->d.flags = TDF_SYN | TDF_SYNC | TDF_HS;
    j->d.hs.hdr.has_ts = 1;
    j->o.flags = TDF_SYN | TDF_SYNC | TDF_HS;
    j->o.hs.hdr.has_ts = 1;
    j->o.last.hdr.ip_id = 0x1111;
    j->o.last.hdr.window = 3000;
    j->o.last.hdr.ts_ns = 1000;
    j->s.ts_ns = 2000;
    j->s.ttl = 64;
    j->s.df = 1;
    j->s.has_ts = 1;
    j->s.tsval = 0x80000100u;
    j->s.window = 1000;
    j->s.flags = TH_PSH | TH_ACK;
    j->s.ip_id = 0x2222;
    j->s.ip_version = 4;
    j->s.len = 100;
}

static void run(struct judge *j)
{
    baseline_judge(&j->b, &j->d, &j->o, &j->s, &j->v);
}

/* Asserts exactly these tells, with this score and distinct count; names the tells
 * on failure. */
#define assert_verdict(j, want_tells, want_score, want_distinct)                                   \
    do {                                                                                           \
        run(j);                                                                                    \
        if ((j)->v.tells != (unsigned)(want_tells)) {                                              \
            char got_[128], exp_[128];                                                             \
            fp_tell_names((j)->v.tells, got_, sizeof got_);                                        \
            fp_tell_names((unsigned)(want_tells), exp_, sizeof exp_);                              \
            fail_msg("tells \"%s\", want \"%s\"", got_, exp_);                                     \
        }                                                                                          \
        assert_int_equal((j)->v.score, (want_score));                                              \
        assert_int_equal((j)->v.distinct, (want_distinct));                                        \
    } while (0)

static void test_quiet(void **state)
{
    (void)state;
    struct judge j;
    judge_init(&j);
    assert_verdict(&j, 0, 0, 0);

    /* A direction's first packet: an empty baseline raises nothing, whatever it holds. */
    memset(&j.b, 0, sizeof j.b);
    memset(&j.d, 0, sizeof j.d);
    memset(&j.o, 0, sizeof j.o);
    j.s.ttl = 3;
    j.s.df = 0;
    j.s.has_ts = 0;
    j.s.window = 65535;
    assert_verdict(&j, 0, 0, 0);
}

static void test_ttl(void **state)
{
    (void)state;
    struct judge j;
    static const struct {
        uint8_t ttl;
        unsigned tells;
    } cases[] = {
        {64, 0},
        {63, 0},                       /* 1 apart: jitter between paths, not a tell */
        {65, 0},                       /* 1 apart, even across the 64/128 line */
        {62, TELL_TTL},                /* 2 apart */
        {60, TELL_TTL},                /* 4 apart */
        {59, TELL_TTL | TELL_TTL_FAR}, /* 5 apart */
        {54, TELL_TTL | TELL_TTL_FAR}, /* 10 apart */
        {66, TELL_TTL | TELL_TTL_FAR}, /* 2 apart, from initial 128 */
        {128, TELL_TTL | TELL_TTL_FAR},
        {255, TELL_TTL | TELL_TTL_FAR},
        {1, TELL_TTL | TELL_TTL_FAR | TELL_TTL_EXPIRING}, /* also dies past the sensor */
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        judge_init(&j);
        j.s.ttl = cases[i].ttl;
        unsigned t = cases[i].tells;
        int score = (t & TELL_TTL ? 1 : 0) + (t & TELL_TTL_FAR ? 1 : 0) +
                    (t & TELL_TTL_EXPIRING ? 1 : 0);
        assert_verdict(&j, t, score, t ? 1 + !!(t & TELL_TTL_EXPIRING) : 0);
    }

    /* Two TTLs in the baseline: either one is fine, the nearest one measures. */
    judge_init(&j);
    j.b.ttl[1] = 60;
    j.b.ttl_n[0] = 7;
    j.b.ttl_n[1] = 3;
    j.s.ttl = 60;
    assert_verdict(&j, 0, 0, 0);
    j.s.ttl = 61; /* 1 from 60 */
    assert_verdict(&j, 0, 0, 0);
    j.s.ttl = 62; /* 2 from both */
    assert_verdict(&j, TELL_TTL, 1, 1);
    j.s.ttl = 57; /* 3 from 60, 7 from 64 */
    assert_verdict(&j, TELL_TTL, 1, 1);
    j.s.ttl = 55; /* 5 from 60 */
    assert_verdict(&j, TELL_TTL | TELL_TTL_FAR, 2, 1);

    /* A TTL seen once before is not new. */
    judge_init(&j);
    j.b.ttl[1] = 50;
    j.b.ttl_n[1] = 1;
    j.s.ttl = 50;
    assert_verdict(&j, 0, 0, 0);
}

static void test_df(void **state)
{
    (void)state;
    struct judge j;
    judge_init(&j); /* every earlier packet had DF */
    j.s.df = 0;
    assert_verdict(&j, TELL_DF, 1, 1);

    judge_init(&j); /* every earlier packet had it clear */
    j.b.nodf_n = 4;
    j.b.df_n = 0;
    j.s.df = 1;
    assert_verdict(&j, TELL_DF, 1, 1);
    j.s.df = 0;
    assert_verdict(&j, 0, 0, 0);

    judge_init(&j); /* both seen: no value is new */
    j.b.df_n = 9;
    j.b.nodf_n = 1;
    j.s.df = 0;
    assert_verdict(&j, 0, 0, 0);
    j.s.df = 1;
    assert_verdict(&j, 0, 0, 0);

    judge_init(&j); /* nothing seen */
    j.b.df_n = 0;
    j.s.df = 0;
    assert_verdict(&j, 0, 0, 0);
}

static void test_no_timestamp(void **state)
{
    (void)state;
    struct judge j;

    /* Both handshake packets carried timestamps: every non-RST segment must. */
    judge_init(&j);
    j.s.has_ts = 0;
    assert_verdict(&j, TELL_NO_TS, 2, 1);
    j.s.flags = TH_FIN | TH_ACK;
    assert_verdict(&j, TELL_NO_TS, 2, 1);
    j.s.flags = TH_RST; /* RFC 7323 does not require them on RSTs */
    assert_verdict(&j, 0, 0, 0);
    j.s.flags = TH_RST | TH_ACK;
    assert_verdict(&j, 0, 0, 0);

    /* The handshake decides even against a baseline that always had timestamps. */
    judge_init(&j);
    j.o.hs.hdr.has_ts = 0;
    j.s.has_ts = 0;
    assert_verdict(&j, 0, 0, 0);
    judge_init(&j);
    j.d.hs.hdr.has_ts = 0;
    j.s.has_ts = 0;
    assert_verdict(&j, 0, 0, 0);
    /* ... and the other way: negotiated, though the baseline shows none yet. */
    judge_init(&j);
    j.b.ts_n = 0;
    j.s.has_ts = 0;
    assert_verdict(&j, TELL_NO_TS, 2, 1);

    /* Without both handshake packets: only a direction that always sent them, twice. */
    judge_init(&j);
    j.o.flags = 0;
    j.s.has_ts = 0;
    assert_verdict(&j, TELL_NO_TS, 2, 1);
    j.d.flags = 0;
    assert_verdict(&j, TELL_NO_TS, 2, 1);
    j.b.nots_n = 1; /* it sent one without before */
    assert_verdict(&j, 0, 0, 0);
    j.b.nots_n = 0;
    j.b.ts_n = 1; /* one packet is not "always" */
    assert_verdict(&j, 0, 0, 0);
    j.b.ts_n = 2;
    assert_verdict(&j, TELL_NO_TS, 2, 1);
    j.s.flags = TH_RST | TH_ACK;
    assert_verdict(&j, 0, 0, 0);

    assert_int_equal(baseline_ts_negotiated(&j.b, &j.d, &j.o), 1);
    j.b.ts_n = 0;
    assert_int_equal(baseline_ts_negotiated(&j.b, &j.d, &j.o), 0);
}

static void test_timestamp_back(void **state)
{
    (void)state;
    struct judge j;
    judge_init(&j);
    j.s.tsval = j.b.tsval_last - (1u << 24); /* exactly 2^24 behind: not more */
    assert_verdict(&j, 0, 0, 0);
    j.s.tsval = j.b.tsval_last - (1u << 24) - 1;
    assert_verdict(&j, TELL_TS_BACK, 1, 1);
    j.s.tsval = j.b.tsval_last - 0x40000000u;
    assert_verdict(&j, TELL_TS_BACK, 1, 1);
    j.s.tsval = j.b.tsval_last - 1000; /* a little behind: reordering */
    assert_verdict(&j, 0, 0, 0);
    j.s.tsval = j.b.tsval_last + 0x10000000u; /* ahead */
    assert_verdict(&j, 0, 0, 0);

    /* Across the 32-bit wrap, both ways. */
    j.b.tsval_last = 0x00000010u;
    j.s.tsval = 0xff000000u; /* 2^24 + 16 behind */
    assert_verdict(&j, TELL_TS_BACK, 1, 1);
    j.b.tsval_last = 0xfffffff0u;
    j.s.tsval = 0x00001000u; /* ahead */
    assert_verdict(&j, 0, 0, 0);

    /* No clock known yet. */
    judge_init(&j);
    j.b.ts_n = 0;
    j.s.tsval = j.b.tsval_last - 0x40000000u;
    assert_verdict(&j, 0, 0, 0);
}

static void test_window(void **state)
{
    (void)state;
    struct judge j;
    judge_init(&j);   /* windows 500..2000 */
    j.s.window = 125; /* 125 * 4 = 500: not below the range by more than 4 times */
    assert_verdict(&j, 0, 0, 0);
    j.s.window = 124;
    assert_verdict(&j, TELL_WINDOW, 1, 1);
    j.s.window = 1;
    assert_verdict(&j, TELL_WINDOW, 1, 1);
    j.s.window = 8000; /* 4 times the top */
    assert_verdict(&j, 0, 0, 0);
    j.s.window = 9000;
    assert_verdict(&j, TELL_WINDOW, 1, 1);
    j.s.window = 65535;
    assert_verdict(&j, TELL_WINDOW, 1, 1);

    /* Zero windows and SYNs are excluded. */
    j.s.window = 0;
    assert_verdict(&j, 0, 0, 0);
    j.s.window = 65535;
    j.s.flags = TH_SYN | TH_ACK;
    assert_verdict(&j, 0, 0, 0);
    j.s.flags = TH_SYN;
    assert_verdict(&j, 0, 0, 0);

    /* One earlier window is no range. */
    judge_init(&j);
    j.b.ts_n = 1;
    j.s.window = 65535;
    assert_verdict(&j, 0, 0, 0);
    j.b.ts_n = 0;
    j.b.nots_n = 2;
    j.d.hs.hdr.has_ts = 0; /* keep no_timestamp out of it */
    assert_verdict(&j, TELL_WINDOW, 1, 1);
}

static void test_mirrors_peer(void **state)
{
    (void)state;
    struct judge j;
    judge_init(&j);
    j.s.ip_id = 0x1111;
    j.s.window = 3000; /* the peer's last IP-ID and window */
    assert_verdict(&j, TELL_MIRROR, 2, 1);

    j.s.window = 3001; /* IP-ID alone */
    assert_verdict(&j, 0, 0, 0);
    j.s.ip_id = 0x1112;
    j.s.window = 3000; /* window alone */
    assert_verdict(&j, 0, 0, 0);

    /* IP-ID 0 (DF stacks send it constantly) proves nothing. */
    j.o.last.hdr.ip_id = 0;
    j.s.ip_id = 0;
    assert_verdict(&j, 0, 0, 0);

    /* IPv6 has no IP-ID. */
    judge_init(&j);
    j.s.ip_id = 0x1111;
    j.s.window = 3000;
    j.s.ip_version = 6;
    assert_verdict(&j, 0, 0, 0);

    /* An earlier peer segment from its log counts too, a later one does not. */
    judge_init(&j);
    j.o.win = &j.ow;
    j.ow.segs = j.ow_segs;
    j.ow.seg_cap = TCP_SEGLOG;
    j.ow.seg_count = 3;
    j.ow.segs[0].hdr.ip_id = 0x0a0a;
    j.ow.segs[0].hdr.window = 100;
    j.ow.segs[0].hdr.ts_ns = 10;
    j.ow.segs[2].hdr.ip_id = 0x4444;
    j.ow.segs[2].hdr.window = 1200;
    j.ow.segs[2].hdr.ts_ns = 1500;
    j.ow.segs[5].hdr.ip_id = 0x5555; /* beyond seg_count: not a logged segment */
    j.ow.segs[5].hdr.window = 1300;
    j.s.ip_id = 0x4444;
    j.s.window = 1200;
    assert_verdict(&j, TELL_MIRROR, 2, 1);
    j.s.ts_ns = 1500; /* same time: still not after it */
    assert_verdict(&j, TELL_MIRROR, 2, 1);
    j.s.ts_ns = 1499;
    assert_verdict(&j, 0, 0, 0);
    j.s.ts_ns = 2000;
    j.s.ip_id = 0x5555;
    j.s.window = 1300;
    assert_verdict(&j, 0, 0, 0);
}

/* "equal those of a packet the peer sent before it" (docs/detectors.md): the peer's
 * latest packet, when it came after the sample (a remembered earlier copy judged
 * later), is no source it could have copied. */
static void test_mirrors_peer_only_earlier_last(void **state)
{
    (void)state;
    struct judge j;
    judge_init(&j);
    j.s.ip_id = 0x1111;
    j.s.window = 3000;
    j.s.ts_ns = 500; /* before the peer's last packet at 1000 */
    assert_verdict(&j, 0, 0, 0);
}

/* Scores add up; distinct counts fields (ttl_far is the same field as ttl). */
static void test_scores(void **state)
{
    (void)state;
    struct judge j;
    judge_init(&j);
    j.s.ttl = 128;
    j.s.df = 0;
    j.s.has_ts = 0;
    j.s.window = 40000;
    j.s.ip_id = 0x1111;
    j.o.last.hdr.window = 40000;
    assert_verdict(&j, TELL_TTL | TELL_TTL_FAR | TELL_DF | TELL_NO_TS | TELL_WINDOW | TELL_MIRROR,
                   1 + 1 + 1 + 2 + 1 + 2, 5);

    /* forged_packet's shape: another initial TTL and missing negotiated timestamps. */
    judge_init(&j);
    j.s.ttl = 240;
    j.s.has_ts = 0;
    assert_verdict(&j, TELL_TTL | TELL_TTL_FAR | TELL_NO_TS, 4, 2);

    /* timestamp_back with a near TTL. */
    judge_init(&j);
    j.s.ttl = 61;
    j.s.tsval = 0x10000000u;
    assert_verdict(&j, TELL_TTL | TELL_TS_BACK, 2, 2);
}

/* ---- baseline_unlearn ---- */

static void test_baseline_without(void **state)
{
    (void)state;
    struct tcp_baseline b;
    memset(&b, 0, sizeof b);
    b.pkts = 6;
    b.ttl[0] = 64;
    b.ttl_n[0] = 5;
    b.ttl[1] = 60;
    b.ttl_n[1] = 1;
    b.df_n = 5;
    b.nodf_n = 1;
    b.ts_n = 4;
    b.nots_n = 1;
    b.tsval_last = 777;
    b.win_min = 100;
    b.win_max = 200;

    /* The odd packet (TTL 60, no DF, no timestamp) taken out. */
    struct fp_sample odd;
    memset(&odd, 0, sizeof odd);
    odd.ttl = 60;
    odd.df = 0;
    odd.has_ts = 0;
    odd.flags = TH_PSH | TH_ACK;
    odd.ip_version = 4;
    odd.window = 150;
    odd.ip_id = 9;
    struct tcp_baseline w = b;
    baseline_unlearn(&w, &odd);
    assert_int_equal(w.pkts, 5);
    assert_int_equal(w.ttl[0], 64);
    assert_int_equal(w.ttl_n[0], 5);
    assert_int_equal(w.ttl_n[1], 0);
    assert_int_equal(w.df_n, 5);
    assert_int_equal(w.nodf_n, 0);
    assert_int_equal(w.ts_n, 4);
    assert_int_equal(w.nots_n, 0);
    assert_int_equal(w.tsval_last, 777);
    assert_int_equal(w.win_min, 100);
    assert_int_equal(w.win_max, 200);

    /* Judged with its own contribution in, the odd packet looks ordinary; taken out, it
     * is what it is: TTL 4 away, DF flipped, no timestamp from an always-sender. */
    struct tcp_dir d, o;
    struct fp_verdict v;
    memset(&d, 0, sizeof d);
    memset(&o, 0, sizeof o);
    baseline_judge(&b, &d, &o, &odd, &v);
    assert_int_equal(v.tells, 0);
    baseline_judge(&w, &d, &o, &odd, &v);
    assert_int_equal(v.tells, TELL_TTL | TELL_DF | TELL_NO_TS);
    assert_int_equal(v.score, 4);
    assert_int_equal(v.distinct, 3);

    /* An ordinary one: the majority's counts go down by one. */
    struct fp_sample usual = odd;
    usual.ttl = 64;
    usual.df = 1;
    usual.has_ts = 1;
    w = b;
    baseline_unlearn(&w, &usual);
    assert_int_equal(w.pkts, 5);
    assert_int_equal(w.ttl_n[0], 4);
    assert_int_equal(w.ttl_n[1], 1);
    assert_int_equal(w.df_n, 4);
    assert_int_equal(w.nodf_n, 1);
    assert_int_equal(w.ts_n, 3);
    assert_int_equal(w.nots_n, 1);

    /* SYNs and RSTs never counted toward timestamps, so they are not taken from them. */
    usual.flags = TH_SYN | TH_ACK;
    w = b;
    baseline_unlearn(&w, &usual);
    assert_int_equal(w.ts_n, 4);
    assert_int_equal(w.nots_n, 1);
    assert_int_equal(w.df_n, 4);
    assert_int_equal(w.ttl_n[0], 4);
    usual.flags = TH_RST;
    usual.has_ts = 0;
    w = b;
    baseline_unlearn(&w, &usual);
    assert_int_equal(w.ts_n, 4);
    assert_int_equal(w.nots_n, 1);

    /* A TTL the baseline never counted takes nothing from the others. */
    usual.flags = TH_ACK;
    usual.ttl = 99;
    w = b;
    baseline_unlearn(&w, &usual);
    assert_int_equal(w.ttl_n[0], 5);
    assert_int_equal(w.ttl_n[1], 1);

    /* An empty baseline stays empty: nothing wraps below zero. */
    struct tcp_baseline z;
    memset(&z, 0, sizeof z);
    baseline_unlearn(&z, &odd);
    usual.ttl = 64;
    baseline_unlearn(&z, &usual);
    struct tcp_baseline zero;
    memset(&zero, 0, sizeof zero);
    assert_memory_equal(&z, &zero, sizeof z);
}

static void test_reserved_bits(void **state)
{
    (void)state;
    struct judge j;
    judge_init(&j); /* no earlier packet had a reserved bit */
    j.s.reserved = 0x1;
    assert_verdict(&j, TELL_RESERVED, 1, 1);

    judge_init(&j); /* a sender that sets them (say, an old NS bit user) */
    j.b.reserved_n = 3;
    j.s.reserved = 0x1;
    assert_verdict(&j, 0, 0, 0);

    judge_init(&j); /* too little history to say */
    j.b.pkts = 1;
    j.s.reserved = 0x8;
    assert_verdict(&j, 0, 0, 0);
}

static void test_ttl_expiring(void **state)
{
    (void)state;
    struct judge j;
    judge_init(&j); /* the direction's packets come with TTL 64 */
    j.s.ttl = 2;    /* dies two hops past the sensor */
    assert_verdict(&j, TELL_TTL | TELL_TTL_FAR | TELL_TTL_EXPIRING, 3, 2);

    judge_init(&j); /* a sender whose packets all arrive with a low TTL: no decoy */
    j.b.ttl[0] = 3;
    j.s.ttl = 3;
    assert_verdict(&j, 0, 0, 0);
}

/* ---- fp_tell_names ---- */

/* The names, a list (util-strlist.h) joined by commas to compare. */
static const char *tell_names(unsigned tells, char *buf, size_t size)
{
    static char joined[160];
    fp_tell_names(tells, buf, size);
    return strlist_join(joined, sizeof joined, buf, ",");
}

static void test_tell_names(void **state)
{
    (void)state;
    char buf[128];
    assert_string_equal(tell_names(0, buf, sizeof buf), "");
    assert_string_equal(tell_names(TELL_TTL, buf, sizeof buf), "ttl");
    assert_string_equal(tell_names(TELL_MIRROR | TELL_DF, buf, sizeof buf), "df,mirrors_peer");
    assert_string_equal(tell_names(TELL_NO_TS | TELL_TS_BACK | TELL_WINDOW, buf, sizeof buf),
                        "no_timestamp,timestamp_back,window");
    const char *all =
        "ttl,ttl_far,df,no_timestamp,timestamp_back,window,mirrors_peer,reserved_bits";
    assert_string_equal(tell_names(0xff, buf, sizeof buf), all);
    /* every bit named once, unknown ones not at all */
    assert_string_equal(tell_names(~0u, buf, sizeof buf),
                        "ttl,ttl_far,df,no_timestamp,timestamp_back,window,mirrors_peer,"
                        "reserved_bits,ttl_expiring");

    /* Exactly enough room, and less: whole names only, within the buffer (exact heap
     * size), a prefix of the full list. */
    size_t need = strlen(all) + 2; /* each name's NUL, and the list's */
    for (size_t size = 1; size <= need; size++) {
        char *p = malloc(size);
        assert_non_null(p);
        const char *j = tell_names(0xff, p, size);
        assert_true(strlist_used(p) < size);
        size_t len = strlen(j);
        assert_memory_equal(j, all, len);
        assert_true(len == 0 || all[len] == ',' || all[len] == '\0');
        if (size == need)
            assert_string_equal(j, all);
        free(p);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ttl_hops),
        cmocka_unit_test(test_quiet),
        cmocka_unit_test(test_ttl),
        cmocka_unit_test(test_df),
        cmocka_unit_test(test_no_timestamp),
        cmocka_unit_test(test_timestamp_back),
        cmocka_unit_test(test_window),
        cmocka_unit_test(test_mirrors_peer),
        cmocka_unit_test(test_mirrors_peer_only_earlier_last),
        cmocka_unit_test(test_scores),
        cmocka_unit_test(test_baseline_without),
        cmocka_unit_test(test_reserved_bits),
        cmocka_unit_test(test_ttl_expiring),
        cmocka_unit_test(test_tell_names),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
