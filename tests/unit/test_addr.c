/* secondsight - unit tests for util-addr.c: the text of every address is exactly what
 * inet_ntop writes, over every pattern of zero groups and many random addresses. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <arpa/inet.h>
#include <cmocka.h>

#include "util-addr.h"

static void check6(const uint8_t ip[16])
{
    char want[INET6_ADDRSTRLEN], got[ADDR_TEXT_MAX];
    assert_non_null(inet_ntop(AF_INET6, ip, want, sizeof want));
    size_t n = addr_text6(got, ip);
    assert_string_equal(got, want);
    assert_int_equal(n, strlen(want));
}

/* Each of the 256 patterns of zero and non-zero groups, with several non-zero values
 * (0xffff in group 5 makes the IPv4-mapped form where the rest allows it). */
static void test_addr6_zero_patterns(void **state)
{
    (void)state;
    static const unsigned values[] = {1, 0xf, 0x10, 0xabc, 0x1000, 0xffff};
    for (unsigned pattern = 0; pattern < 256; pattern++)
        for (size_t v = 0; v < sizeof values / sizeof values[0]; v++) {
            uint8_t ip[16] = {0};
            for (int g = 0; g < 8; g++)
                if (pattern & (1u << g)) {
                    unsigned w = (values[v] + (unsigned)g * 0x111) & 0xffff;
                    if (!w)
                        w = 1;
                    ip[2 * g] = (uint8_t)(w >> 8);
                    ip[2 * g + 1] = (uint8_t)w;
                }
            check6(ip);
            if (pattern & (1u << 5)) {
                ip[10] = ip[11] = 0xff;
                check6(ip);
            }
        }
}

static void test_addr6_random(void **state)
{
    (void)state;
    uint64_t x = 0x9e3779b97f4a7c15ull;
    for (int n = 0; n < 200000; n++) {
        uint8_t ip[16];
        for (int i = 0; i < 16; i++) {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            /* Mostly zero bytes, so runs of zero groups are common. */
            ip[i] = (x & 0x30) ? 0 : (uint8_t)(x >> 24);
        }
        check6(ip);
    }
}

static void test_addr4(void **state)
{
    (void)state;
    static const uint8_t octets[] = {0, 1, 9, 10, 99, 100, 199, 200, 255};
    for (size_t a = 0; a < sizeof octets; a++)
        for (size_t b = 0; b < sizeof octets; b++) {
            uint8_t ip[4] = {octets[a], octets[b], octets[(a + b) % sizeof octets], octets[b]};
            char want[INET_ADDRSTRLEN], got[16];
            assert_non_null(inet_ntop(AF_INET, ip, want, sizeof want));
            assert_int_equal(addr_text4(got, ip), strlen(want));
            assert_string_equal(got, want);
        }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_addr6_zero_patterns),
        cmocka_unit_test(test_addr6_random),
        cmocka_unit_test(test_addr4),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
