/* secondsight - unit tests for codes in words (util-phrase.c): every tell has a
 * clause and a noun, lists of nouns say each once, lists read as sentences with the side named,
 * hops say "own network segment" for 0 and never "1 hops", DNS and TCP numbers have names, excerpts
 * stay printable and within their buffer. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "decode.h"
#include "util-phrase.h"
#include "util-strlist.h"

static void test_every_tell_has_a_clause(void **state)
{
    (void)state;
    /* the codes the detectors emit (docs/detectors.md); docs_match checks tells.md */
    static const char *const codes[] = {"ttl",
                                        "ttl_far",
                                        "df",
                                        "no_timestamp",
                                        "timestamp_back",
                                        "window",
                                        "mirrors_peer",
                                        "reserved_bits",
                                        "ttl_expiring",
                                        "ip_id_from_query",
                                        "ip_id_constant",
                                        "too_fast",
                                        "mixed_fragments",
                                        "script",
                                        "iframe",
                                        "iframe_1x1",
                                        "meta_refresh",
                                        "reload",
                                        "empty_redirect",
                                        "seconddate_template",
                                        "fin_with_data"};
    for (size_t i = 0; i < sizeof codes / sizeof codes[0]; i++) {
        const char *c = phrase_tell(codes[i]);
        assert_non_null(c);
        assert_null(strchr(c, '_')); /* words, not a code */
        assert_true(strlen(c) < 80);
    }
    assert_int_equal(phrase_tell_count(), sizeof codes / sizeof codes[0]);
    for (size_t i = 0; i < phrase_tell_count(); i++)
        assert_non_null(phrase_tell(phrase_tell_code(i)));
    assert_null(phrase_tell_code(phrase_tell_count()));
    assert_null(phrase_tell("no_such_tell"));
}

static void test_tells_as_a_sentence(void **state)
{
    (void)state;
    char list[128] = "", out[512];
    assert_string_equal(phrase_tells(out, sizeof out, list, "server"), "");
    strlist_add_str(list, sizeof list, "ttl");
    assert_string_equal(phrase_tells(out, sizeof out, list, "server"),
                        "its TTL is one the server's other packets never had");
    strlist_add_str(list, sizeof list, "df");
    strlist_add_str(list, sizeof list, "no_timestamp");
    assert_string_equal(phrase_tells(out, sizeof out, list, NULL),
                        "its TTL is one the sender's other packets never had, its DF bit "
                        "differs from the sender's other packets and it lacks the TCP "
                        "timestamps the sender always sends");
    /* an unknown code is named, not dropped */
    char odd[32] = "";
    strlist_add_str(odd, sizeof odd, "new_code");
    assert_string_equal(phrase_tells(out, sizeof out, odd, "client"), "tell new_code");
    /* cut short, still terminated */
    assert_string_equal(phrase_tells(out, 8, list, "server"), "its TTL");
    assert_string_equal(phrase_tells(out, 1, list, "server"), "");
}

static void test_every_code_has_a_noun(void **state)
{
    (void)state;
    /* every tell, every field two SYN/ACKs can differ in (differing_fields) and every
     * field a device can change (evidence.changed of device_modified) */
    for (size_t i = 0; i < phrase_tell_count(); i++) {
        const char *n = phrase_noun(phrase_tell_code(i));
        assert_non_null(n);
        assert_null(strchr(n, '_'));
        assert_true(strlen(n) < 24);
    }
    static const char *const fields[] = {
        "ttl",       "df",         "window",          "mss",
        "wscale",    "timestamps", "timestamp_clock", "options",
        "addresses", "tcp_flags",  "urgent",          "tcp_options",
        "length",    "payload"};
    for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++) {
        assert_non_null(phrase_noun(fields[i]));
        assert_null(strchr(phrase_noun(fields[i]), '_'));
    }
    assert_string_equal(phrase_noun("ip_id_from_query"), "IP-ID");
    assert_string_equal(phrase_noun("wscale"), "window scale");
    assert_string_equal(phrase_noun("tcp_flags"), "TCP flags");
    assert_null(phrase_noun("no_such_code"));
}

static void test_nouns_as_a_list(void **state)
{
    (void)state;
    char list[128] = "", out[128];
    assert_string_equal(phrase_nouns(out, sizeof out, list), "");
    strlist_add_str(list, sizeof list, "ttl");
    assert_string_equal(phrase_nouns(out, sizeof out, list), "TTL");
    /* ttl_far says TTL again: said once */
    strlist_add_str(list, sizeof list, "ttl_far");
    strlist_add_str(list, sizeof list, "df");
    strlist_add_str(list, sizeof list, "no_timestamp");
    assert_string_equal(phrase_nouns(out, sizeof out, list), "TTL, DF bit and timestamps");
    char dns[128] = "";
    strlist_add_str(dns, sizeof dns, "ttl");
    strlist_add_str(dns, sizeof dns, "ip_id_from_query");
    strlist_add_str(dns, sizeof dns, "too_fast");
    assert_string_equal(phrase_nouns(out, sizeof out, dns), "TTL, IP-ID and timing");
    char synack[128] = "";
    strlist_add_str(synack, sizeof synack, "mss");
    strlist_add_str(synack, sizeof synack, "wscale");
    assert_string_equal(phrase_nouns(out, sizeof out, synack), "MSS and window scale");
    /* an unknown code is named, not dropped */
    strlist_add_str(synack, sizeof synack, "new_code");
    assert_string_equal(phrase_nouns(out, sizeof out, synack), "MSS, window scale and new_code");
    /* cut short, still terminated */
    assert_string_equal(phrase_nouns(out, 4, list), "TTL");
    assert_string_equal(phrase_nouns(out, 1, list), "");
}

static void test_hops(void **state)
{
    (void)state;
    char out[64];
    assert_string_equal(phrase_hops(out, sizeof out, 0),
                        "on the capture point's own network segment");
    assert_string_equal(phrase_hops(out, sizeof out, 1), "about 1 hop away");
    assert_string_equal(phrase_hops(out, sizeof out, 14), "about 14 hops away");
    assert_string_equal(phrase_hops(out, sizeof out, -1), "at an unknown distance");
    assert_string_equal(phrase_hops(out, 6, 14), "about");
}

static void test_dns_names(void **state)
{
    (void)state;
    char out[16];
    assert_string_equal(phrase_dns_type(1), "A");
    assert_string_equal(phrase_dns_type(28), "AAAA");
    assert_string_equal(phrase_dns_type(65), "HTTPS");
    assert_null(phrase_dns_type(65534));
    assert_string_equal(phrase_dns_type_text(out, sizeof out, 65534), "TYPE65534");
    assert_string_equal(phrase_dns_rcode(0), "NOERROR");
    assert_string_equal(phrase_dns_rcode(3), "NXDOMAIN");
    assert_null(phrase_dns_rcode(-1));
    assert_null(phrase_dns_rcode(15));
    assert_string_equal(phrase_dns_rcode_text(out, sizeof out, 15), "RCODE 15");
}

static void test_tcp_flags(void **state)
{
    (void)state;
    char out[64];
    assert_string_equal(phrase_tcp_flags(out, sizeof out, TH_FIN | TH_PSH | TH_ACK),
                        "FIN, PSH and ACK");
    assert_string_equal(phrase_tcp_flags(out, sizeof out, TH_SYN | TH_ACK), "SYN and ACK");
    assert_string_equal(phrase_tcp_flags(out, sizeof out, TH_RST), "RST");
    assert_string_equal(phrase_tcp_flags(out, sizeof out, 0), "no flags");
    assert_string_equal(phrase_tcp_flags(out, sizeof out, 0xff),
                        "SYN, FIN, RST, PSH, ACK, URG, ECE and CWR");
    assert_string_equal(phrase_tcp_flags(out, 4, TH_SYN | TH_ACK), "SYN");
    /* tcpdump's letters, as the JSON writes them, back to bits */
    assert_int_equal(phrase_tcp_flag_bits("FP."), TH_FIN | TH_PSH | TH_ACK);
    assert_int_equal(phrase_tcp_flag_bits("S."), TH_SYN | TH_ACK);
    assert_int_equal(phrase_tcp_flag_bits("SFRP.UEW"), 0xff);
    assert_int_equal(phrase_tcp_flag_bits(""), 0);
    assert_int_equal(phrase_tcp_flag_bits("x?"), 0);
    assert_int_equal(phrase_tcp_flag_bits(NULL), 0);
}

static void test_excerpt(void **state)
{
    (void)state;
    char out[64];
    const uint8_t bang[] = "BANG! BANG!";
    assert_string_equal(phrase_excerpt(out, sizeof out, bang, 11, 60), "BANG! BANG!");
    const uint8_t http[] = "HTTP/1.1 302 Found\r\nLocation: x\r\n";
    assert_string_equal(phrase_excerpt(out, sizeof out, http, sizeof http - 1, 20),
                        "HTTP/1.1 302 Found\\r\\n...");
    const uint8_t bin[] = {0x00, 'a', 0xff, 0x7f, '\t'};
    assert_string_equal(phrase_excerpt(out, sizeof out, bin, sizeof bin, 60), ".a..\\t");
    /* an escape never split by the end of the buffer */
    assert_string_equal(phrase_excerpt(out, 3, (const uint8_t *)"a\r", 2, 60), "a");
    assert_string_equal(phrase_excerpt(out, sizeof out, bang, 0, 60), "");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_tell_has_a_clause),
        cmocka_unit_test(test_tells_as_a_sentence),
        cmocka_unit_test(test_every_code_has_a_noun),
        cmocka_unit_test(test_nouns_as_a_list),
        cmocka_unit_test(test_hops),
        cmocka_unit_test(test_dns_names),
        cmocka_unit_test(test_tcp_flags),
        cmocka_unit_test(test_excerpt),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
