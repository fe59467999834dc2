/* secondsight - unit tests for pipeline-peek.c: whenever the reader's peek names a
 * frame's partition, decoding the frame gives a trackable packet with its ports in
 * place and pipeline_partition gives the same key. Checked on every frame of every
 * golden capture, and on plain frames of each link type mutated byte by byte and cut
 * at every length (the peek must say "decode it" rather than guess). */
#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>
#include <pcap/dlt.h>

#include "capture.h"
#include "pipeline.h"

struct tally {
    uint64_t frames, peeked, trackable;
};

/* The property, on one frame (only its capture fields set). */
static void check(struct tally *t, struct packet *pkt)
{
    uint32_t key = 0;
    int peeked = pipeline_peek_partition(pkt, &key);
    decode_packet(pkt);
    t->frames++;
    t->trackable += (uint64_t)pipeline_trackable(pkt);
    if (!peeked)
        return;
    t->peeked++;
    assert_true(pipeline_trackable(pkt));
    assert_true(pkt->ip_version == 4 || pkt->ip_hlen == 40);
    assert_int_equal(key, pipeline_partition(pkt));
}

static void check_frame(void *arg, struct packet *pkt)
{
    check(arg, pkt);
}

static void test_golden_captures(void **state)
{
    (void)state;
    DIR *d = opendir(SS_CAPTURES_DIR);
    assert_non_null(d);
    struct tally t = {0};
    int files = 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        size_t n = strlen(e->d_name);
        if (!(n > 5 && !strcmp(e->d_name + n - 5, ".pcap")) &&
            !(n > 7 && !strcmp(e->d_name + n - 7, ".pcapng")))
            continue;
        char path[512];
        snprintf(path, sizeof path, "%s/%s", SS_CAPTURES_DIR, e->d_name);
        struct file_stats fs;
        memset(&fs, 0, sizeof fs);
        capture_file_read(path, 0, &fs, NULL, check_frame, &t);
        files++;
    }
    closedir(d);
    assert_true(files > 100);
    /* Most TCP/UDP frames there are plain: the peek is not vacuous. */
    assert_true(t.peeked > t.trackable / 2);
    print_message("%d captures, %llu frames, %llu trackable, %llu peeked\n", files,
                  (unsigned long long)t.frames, (unsigned long long)t.trackable,
                  (unsigned long long)t.peeked);
}

/* Plain frames: Ethernet IPv4 TCP (a 24-byte header), Linux SLL2 IPv4 UDP to port 53,
 * raw IPv6 TCP, Ethernet IPv6 UDP from port 53. */
static const uint8_t eth_v4_tcp[] = {
    0,    1,    2,    3,    4,    5,    6,    7, 8,  9,    10,   11,  0x08, 0x00, /* Ethernet */
    0x45, 0,    0,    48,   0x12, 0x34, 0x40, 0, 64, 6,    0,    0,   192,  0,
    2,    1,    198,  51,   100,  7, /* IP */
    0x9c, 0x40, 0x01, 0xbb, 0,    0,    0x10, 0, 0,  0,    0x20, 0,   0x60, 0x18,
    1,    0,    0,    0,    0,    0,    2,    4, 5,  0xb4, 'a',  'b', 'c',  'd'};
static const uint8_t sll2_v4_udp[] = {
    0x08, 0x00, 0, 0,  0, 0,  0, 1, 0,   1,   0,   6,  0,  1, 2, 3, 4,  5, 0, 0, /* SLL2 */
    0x45, 0,    0, 32, 0, 1,  0, 0, 64,  17,  0,   0,  10, 0, 0, 1, 10, 0, 0, 53,
    0x14, 0xe9, 0, 53, 0, 12, 0, 0, 'q', 'u', 'e', 'r'};
static const uint8_t raw_v6_tcp[] = {0x60, 0,    0,    0,    0,  20, 6, 64, 0x20, 1, 0x0d, 0xb8, 0,
                                     0,    0,    0,    0,    0,  0,  0, 0,  0,    0, 1,    0x20, 1,
                                     0x0d, 0xb8, 0,    0,    0,  0,  0, 0,  0,    0, 0,    0,    0,
                                     2,    0x9c, 0x40, 0,    80, 0,  0, 0,  1,    0, 0,    0,    0,
                                     0x50, 0x02, 0xff, 0xff, 0,  0,  0, 0};
static const uint8_t eth_v6_udp[] = {
    0, 1, 2,  3,    4,    5,    6,    7,    8,    9, 10, 11,  0x86, 0xdd, 0x60, 0, 0,
    0, 0, 12, 17,   64,   0x20, 1,    0x0d, 0xb8, 0, 0,  0,   0,    0,    0,    0, 0,
    0, 0, 0,  0x35, 0x20, 1,    0x0d, 0xb8, 0,    0, 0,  0,   0,    0,    0,    0, 0,
    0, 0, 9,  0,    53,   0xc0, 0x00, 0,    12,   0, 0,  'a', 'n',  's',  'w'};

static void mutate_all(struct tally *t, const uint8_t *frame, uint32_t len, int linktype)
{
    static const uint8_t vals[] = {0x00, 0xff, 0x01, 0x05, 0x06, 0x11, 0x20, 0x35, 0x40, 0x60};
    uint8_t b[128];
    assert_true(len <= sizeof b);
    for (uint32_t cut = 0; cut <= len; cut++) {
        for (uint32_t wire = 0; wire <= 2; wire++) {
            struct packet pkt;
            memset(&pkt, 0, sizeof pkt);
            memcpy(b, frame, len);
            pkt.data = b;
            pkt.caplen = cut;
            pkt.wirelen = wire == 0 ? cut : wire == 1 ? len : 0;
            pkt.linktype = linktype;
            check(t, &pkt);
        }
    }
    for (uint32_t at = 0; at < len; at++) {
        for (size_t v = 0; v < sizeof vals; v++) {
            struct packet pkt;
            memset(&pkt, 0, sizeof pkt);
            memcpy(b, frame, len);
            b[at] = vals[v];
            pkt.data = b;
            pkt.caplen = pkt.wirelen = len;
            pkt.linktype = linktype;
            check(t, &pkt);
        }
    }
}

static void test_mutated_frames(void **state)
{
    (void)state;
    struct tally t = {0};
    mutate_all(&t, eth_v4_tcp, sizeof eth_v4_tcp, DLT_EN10MB);
    mutate_all(&t, sll2_v4_udp, sizeof sll2_v4_udp, 276 /* DLT_LINUX_SLL2 */);
    mutate_all(&t, raw_v6_tcp, sizeof raw_v6_tcp, DLT_RAW);
    mutate_all(&t, eth_v6_udp, sizeof eth_v6_udp, DLT_EN10MB);
    assert_true(t.peeked > 0);
    /* The plain frames themselves are peeked. */
    struct tally plain = {0};
    const struct {
        const uint8_t *f;
        uint32_t len;
        int dlt;
    } cases[] = {{eth_v4_tcp, sizeof eth_v4_tcp, DLT_EN10MB},
                 {sll2_v4_udp, sizeof sll2_v4_udp, 276},
                 {raw_v6_tcp, sizeof raw_v6_tcp, DLT_RAW},
                 {eth_v6_udp, sizeof eth_v6_udp, DLT_EN10MB}};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct packet pkt;
        memset(&pkt, 0, sizeof pkt);
        pkt.data = cases[i].f;
        pkt.caplen = pkt.wirelen = cases[i].len;
        pkt.linktype = cases[i].dlt;
        check(&plain, &pkt);
    }
    assert_int_equal(plain.peeked, 4);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_golden_captures),
        cmocka_unit_test(test_mutated_frames),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
