/* secondsight - unit tests for capture-file.c: the frame-by-frame reader (frames,
 * counters, the damage offset) and the pcapng interface statistics that say what a
 * capture lost, on files written byte by byte into a temporary directory. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "capture.h"

static char dir[] = "/tmp/ss-test-capture-XXXXXX";

struct buf {
    uint8_t b[4096];
    size_t n;
};

static void put(struct buf *w, const void *p, size_t n)
{
    assert_true(w->n + n <= sizeof w->b);
    memcpy(w->b + w->n, p, n);
    w->n += n;
}

static void le32(struct buf *w, uint32_t v)
{
    uint8_t b[4] = {(uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16), (uint8_t)(v >> 24)};
    put(w, b, 4);
}

static void be32(struct buf *w, uint32_t v)
{
    uint8_t b[4] = {(uint8_t)(v >> 24), (uint8_t)(v >> 16), (uint8_t)(v >> 8), (uint8_t)v};
    put(w, b, 4);
}

static void u16(struct buf *w, uint16_t v, int big)
{
    uint8_t b[2] = {big ? (uint8_t)(v >> 8) : (uint8_t)v, big ? (uint8_t)v : (uint8_t)(v >> 8)};
    put(w, b, 2);
}

static void u32(struct buf *w, uint32_t v, int big)
{
    if (big)
        be32(w, v);
    else
        le32(w, v);
}

static const char *write_file(const char *name, const struct buf *w)
{
    static char path[128];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *fp = fopen(path, "wb");
    assert_non_null(fp);
    assert_int_equal(fwrite(w->b, 1, w->n, fp), w->n);
    fclose(fp);
    return path;
}

/* A classic pcap (microseconds, Ethernet) with `n` 60-byte frames; `cut` bytes off the
 * end. */
static void classic(struct buf *w, int n, size_t cut)
{
    le32(w, 0xA1B2C3D4);
    le32(w, 0x00040002);
    le32(w, 0);
    le32(w, 0);
    le32(w, 262144);
    le32(w, 1);
    for (int i = 0; i < n; i++) {
        le32(w, 1700000000 + (uint32_t)i);
        le32(w, 250000);
        le32(w, 60);
        le32(w, 60);
        uint8_t frame[60] = {0};
        frame[12] = 0x08;
        frame[13] = 0x06; /* ARP */
        put(w, frame, sizeof frame);
    }
    w->n -= cut;
}

static void test_reads_frame_by_frame(void **state)
{
    (void)state;
    struct buf w = {.n = 0};
    classic(&w, 3, 0);
    const char *path = write_file("three.pcap", &w);
    struct file_stats fs;
    memset(&fs, 0, sizeof fs);
    struct capture_file cf;
    assert_int_equal(capture_file_open(&cf, path, 1, &fs), CAPTURE_OK);
    struct packet pkt;
    for (uint64_t i = 1; i <= 3; i++) {
        assert_int_equal(capture_file_next(&cf, &pkt), 1);
        assert_int_equal(pkt.frame, i);
        assert_int_equal(pkt.file_index, 1);
        assert_int_equal(pkt.caplen, 60);
        assert_true(pkt.ts_ns == (int64_t)(1700000000 + i - 1) * 1000000000 + 250000000);
    }
    assert_int_equal(capture_file_next(&cf, &pkt), 0);
    assert_int_equal(capture_file_close(&cf), CAPTURE_OK);
    assert_int_equal(fs.packets, 3);
    assert_int_equal(fs.bytes, 180);
    uint64_t drops = 99;
    assert_int_equal(capture_file_drops(path, &drops), 0); /* classic pcap: no counters */
}

static void test_damage_names_the_offset(void **state)
{
    (void)state;
    struct buf w = {.n = 0};
    classic(&w, 3, 20); /* the third frame's data stops short */
    const char *path = write_file("cut.pcap", &w);
    struct file_stats fs;
    memset(&fs, 0, sizeof fs);
    struct capture_file cf;
    assert_int_equal(capture_file_open(&cf, path, 0, &fs), CAPTURE_OK);
    struct packet pkt;
    int n = 0;
    while (capture_file_next(&cf, &pkt))
        n++;
    assert_int_equal(n, 2);
    assert_int_equal(capture_file_close(&cf), CAPTURE_DAMAGED);
    assert_int_equal(fs.error_offset, 24 + 2 * 76);
    assert_non_null(strstr(fs.error, "damaged at byte offset 176"));
}

/* A pcapng section in either byte order: SHB, two IDBs, one EPB, then ISBs. */
static void pcapng_block(struct buf *w, uint32_t type, const struct buf *body, int big)
{
    uint32_t len = (uint32_t)(12 + ((body->n + 3) & ~(size_t)3));
    u32(w, type, big);
    u32(w, len, big);
    put(w, body->b, body->n);
    static const uint8_t zero[4] = {0};
    put(w, zero, (4 - body->n % 4) % 4);
    u32(w, len, big);
}

static void isb(struct buf *w, uint32_t iface, uint32_t code, uint64_t value, int truncate, int big)
{
    struct buf b = {.n = 0};
    u32(&b, iface, big);
    u32(&b, 0, big);
    u32(&b, 1000, big);
    u16(&b, (uint16_t)code, big);
    u16(&b, truncate ? 200 : 8, big); /* a length running past the block when truncated */
    u32(&b, big ? (uint32_t)(value >> 32) : (uint32_t)value, big);
    u32(&b, big ? (uint32_t)value : (uint32_t)(value >> 32), big);
    u16(&b, 0, big); /* opt_endofopt */
    u16(&b, 0, big);
    pcapng_block(w, 5, &b, big);
}

static void section(struct buf *w, int big)
{
    struct buf b = {.n = 0};
    u32(&b, 0x1A2B3C4D, big);
    u16(&b, 1, big);
    u16(&b, 0, big);
    u32(&b, 0xFFFFFFFF, big);
    u32(&b, 0xFFFFFFFF, big);
    pcapng_block(w, 0x0A0D0D0A, &b, big);
    for (int i = 0; i < 2; i++) {
        struct buf idb = {.n = 0};
        u16(&idb, 1, big);
        u16(&idb, 0, big);
        u32(&idb, 0, big);
        pcapng_block(w, 1, &idb, big);
    }
    struct buf epb = {.n = 0};
    u32(&epb, 0, big);
    u32(&epb, 0, big);
    u32(&epb, 5, big);
    u32(&epb, 4, big);
    u32(&epb, 4, big);
    put(&epb, "ABCD", 4);
    pcapng_block(w, 6, &epb, big);
}

static void test_pcapng_drops(void **state)
{
    (void)state;
    for (int big = 0; big < 2; big++) {
        struct buf w = {.n = 0};
        section(&w, big);
        isb(&w, 0, 5, 7, 0, big);   /* interface 0: ifdrop 7 ... */
        isb(&w, 1, 7, 3, 0, big);   /* interface 1: osdrop 3 */
        isb(&w, 0, 5, 10, 0, big);  /* ... then 10: the last count stands */
        isb(&w, 1, 7, 1000, 1, big); /* an option running past its block: ignored */
        const char *path = write_file(big ? "be.pcapng" : "le.pcapng", &w);
        uint64_t drops = 0;
        assert_int_equal(capture_file_drops(path, &drops), 1);
        assert_int_equal(drops, 13);

        /* The frames still read. */
        struct file_stats fs;
        memset(&fs, 0, sizeof fs);
        struct capture_file cf;
        struct packet pkt;
        assert_int_equal(capture_file_open(&cf, path, 0, &fs), CAPTURE_OK);
        assert_int_equal(capture_file_next(&cf, &pkt), 1);
        assert_int_equal(capture_file_next(&cf, &pkt), 0);
        assert_int_equal(capture_file_close(&cf), CAPTURE_OK);
    }
}

static void test_pcapng_without_counters_and_garbage(void **state)
{
    (void)state;
    struct buf w = {.n = 0};
    section(&w, 0);
    isb(&w, 0, 2, 5, 0, 0); /* isb_starttime only, no drop counter */
    uint64_t drops = 42;
    assert_int_equal(capture_file_drops(write_file("nocount.pcapng", &w), &drops), 0);

    struct buf g = {.n = 0};
    section(&g, 0);
    le32(&g, 5);
    le32(&g, 7); /* a block length that is not a multiple of 4: the scan stops */
    assert_int_equal(capture_file_drops(write_file("bad.pcapng", &g), &drops), 0);
    assert_int_equal(capture_file_drops("/nonexistent/capture.pcapng", &drops), 0);
}

static void idb_opt(struct buf *w, uint16_t linktype, uint16_t code, const void *v,
                    uint16_t vlen, int big)
{
    struct buf idb = {.n = 0};
    u16(&idb, linktype, big);
    u16(&idb, 0, big);
    u32(&idb, 0, big);
    if (code) {
        u16(&idb, code, big);
        u16(&idb, vlen, big);
        put(&idb, v, vlen);
        static const uint8_t zero[4] = {0};
        put(&idb, zero, (4 - vlen % 4) % 4);
    }
    pcapng_block(w, 1, &idb, big);
}

static void epb(struct buf *w, uint32_t iface, uint64_t t, const void *data, uint32_t n, int big)
{
    struct buf b = {.n = 0};
    u32(&b, iface, big);
    u32(&b, (uint32_t)(t >> 32), big);
    u32(&b, (uint32_t)t, big);
    u32(&b, n, big);
    u32(&b, n + 100, big); /* the wire length, longer: a snapped frame */
    put(&b, data, n);
    pcapng_block(w, 6, &b, big);
}

/* Interfaces with different link types, time resolutions and offsets, in either byte
 * order: each packet carries its own interface's link type and clock (libpcap 1.10
 * called such a file damaged); then a block cut short is damage after the last
 * packet, with its offset. */
static void test_pcapng_interfaces_differ(void **state)
{
    (void)state;
    static const uint8_t ip[20] = {0x45, 0, 0, 20, 0, 0, 0, 0, 64, 17};
    for (int big = 0; big < 2; big++) {
        struct buf w = {.n = 0};
        section(&w, big); /* two Ethernet interfaces and one packet on interface 0 */
        uint8_t res = 0x84; /* 2^-4 s */
        idb_opt(&w, 101, 9, &res, 1, big); /* interface 2: LINKTYPE_RAW */
        uint8_t off[8];
        for (int i = 0; i < 8; i++) /* if_tsoffset 1000 s, in the section's order */
            off[i] = (uint8_t)(1000ull >> 8 * (big ? 7 - i : i));
        idb_opt(&w, 113, 14, off, 8, big); /* interface 3: Linux cooked v1, offset */
        epb(&w, 2, 16 * 1700000000ull + 8, ip, sizeof ip, big); /* .5 s */
        epb(&w, 3, 5000001, ip, sizeof ip, big);               /* 1000 + 5.000001 s */
        size_t good = w.n;
        epb(&w, 1, 0, ip, sizeof ip, big);
        w.n -= 10; /* the last block cut short */
        const char *path = write_file(big ? "mixed-be.pcapng" : "mixed-le.pcapng", &w);

        struct file_stats fs;
        memset(&fs, 0, sizeof fs);
        struct capture_file cf;
        struct packet pkt;
        assert_int_equal(capture_file_open(&cf, path, 0, &fs), CAPTURE_OK);
        assert_int_equal(fs.linktype, 1);
        assert_int_equal(capture_file_next(&cf, &pkt), 1);
        assert_int_equal(pkt.linktype, 1);
        assert_int_equal(pkt.frame, 1);
        assert_int_equal(capture_file_next(&cf, &pkt), 1);
        assert_int_equal(pkt.linktype, 12); /* DLT_RAW */
        assert_int_equal(pkt.caplen, 20);
        assert_int_equal(pkt.wirelen, 120);
        assert_true(pkt.ts_ns == 1700000000ll * 1000000000 + 500000000);
        assert_int_equal(capture_file_next(&cf, &pkt), 1);
        assert_int_equal(pkt.linktype, 113);
        assert_true(pkt.ts_ns == 1005ll * 1000000000 + 1000);
        assert_int_equal(capture_file_next(&cf, &pkt), 0);
        assert_int_equal(capture_file_close(&cf), CAPTURE_DAMAGED);
        assert_int_equal(fs.packets, 3);
        assert_int_equal(fs.error_offset, good);
        assert_non_null(strstr(fs.error, "the file ends inside a block"));
        assert_int_equal(fs.nother_linktypes, 2);
        assert_int_equal(fs.other_linktypes[0], 12);
        assert_int_equal(fs.other_linktypes[1], 113);
    }
}

/* What is not a readable capture says so plainly: an empty file, a packet on an
 * interface the section never described. */
static void test_pcapng_refusals(void **state)
{
    (void)state;
    struct buf w = {.n = 0};
    struct file_stats fs;
    struct capture_file cf;
    struct packet pkt;
    memset(&fs, 0, sizeof fs);
    assert_int_equal(capture_file_open(&cf, write_file("empty.pcap", &w), 0, &fs),
                     CAPTURE_OPEN_FAILED);
    assert_string_equal(fs.error, "empty file");

    /* A text file starting with a newline (0x0A, as pcapng's first byte) is no capture. */
    struct buf t = {.n = 0};
    put(&t, "\nnot a capture\n", 15);
    memset(&fs, 0, sizeof fs);
    assert_int_equal(capture_file_open(&cf, write_file("newline.txt", &t), 0, &fs),
                     CAPTURE_OPEN_FAILED);
    assert_string_equal(fs.error, "unknown file format");

    static const uint8_t ip[20] = {0x45, 0, 0, 20};
    section(&w, 0);
    epb(&w, 7, 0, ip, sizeof ip, 0);
    memset(&fs, 0, sizeof fs);
    assert_int_equal(capture_file_open(&cf, write_file("noiface.pcapng", &w), 0, &fs),
                     CAPTURE_OK);
    assert_int_equal(capture_file_next(&cf, &pkt), 1);
    assert_int_equal(capture_file_next(&cf, &pkt), 0);
    assert_int_equal(capture_file_close(&cf), CAPTURE_DAMAGED);
    assert_non_null(strstr(fs.error, "a packet on interface 7, but the section describes 2"));
}

static int setup(void **state)
{
    (void)state;
    return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    char cmd[160];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    return system(cmd) == 0 ? 0 : -1;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_reads_frame_by_frame),
        cmocka_unit_test(test_damage_names_the_offset),
        cmocka_unit_test(test_pcapng_drops),
        cmocka_unit_test(test_pcapng_without_counters_and_garbage),
        cmocka_unit_test(test_pcapng_interfaces_differ),
        cmocka_unit_test(test_pcapng_refusals),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
