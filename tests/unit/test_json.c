/* secondsight - unit tests for the JSON writer (util-json.c): commas in nested
 * containers, escapes, UTF-8 passed through or made safe, and arbitrary bytes. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "util-json.h"

/* The writer under test; the teardown releases it even when an assertion jumps out. */
static struct jw w;

static int jw_teardown(void **state)
{
    (void)state;
    jw_release(&w);
    return 0;
}

/* Writes `n` bytes as one JSON string and compares the output. */
static void assert_escaped(const char *in, size_t n, const char *want)
{
    jw_reset(&w);
    jw_string_n(&w, in, n);
    assert_false(w.err);
    assert_string_equal(w.buf, want);
    assert_int_equal(w.len, strlen(want));
}

#define ESC(lit, want) assert_escaped(lit, sizeof(lit) - 1, want)

static void test_nested_commas(void **state)
{
    (void)state;
    jw_reset(&w);
    jw_object_begin(&w);
    jw_key(&w, "a");
    jw_int(&w, 1);
    jw_key(&w, "b");
    jw_array_begin(&w);
    jw_int(&w, 1);
    jw_uint(&w, 2);
    jw_object_begin(&w);
    jw_key(&w, "c");
    jw_null(&w);
    jw_object_end(&w);
    jw_array_begin(&w);
    jw_array_end(&w);
    jw_array_end(&w);
    jw_key(&w, "d");
    jw_object_begin(&w);
    jw_object_end(&w);
    jw_key(&w, "e");
    jw_array_begin(&w);
    jw_array_begin(&w);
    jw_string(&w, "x");
    jw_array_end(&w);
    jw_array_end(&w);
    jw_key(&w, "f");
    jw_bool(&w, 1);
    jw_key(&w, "g");
    jw_bool(&w, 0);
    jw_key(&w, "h");
    jw_string(&w, "");
    jw_object_end(&w);
    assert_false(w.err);
    assert_int_equal(w.depth, 0);
    assert_string_equal(w.buf, "{\"a\":1,\"b\":[1,2,{\"c\":null},[]],\"d\":{},\"e\":[[\"x\"]],"
                               "\"f\":true,\"g\":false,\"h\":\"\"}");
}

/* Records at the top level are not separated by commas; jw_raw puts text between them. */
static void test_top_level_records(void **state)
{
    (void)state;
    jw_reset(&w);
    jw_object_begin(&w);
    jw_key(&w, "n");
    jw_int(&w, 1);
    jw_object_end(&w);
    jw_raw(&w, "\n");
    jw_array_begin(&w);
    jw_object_begin(&w);
    jw_object_end(&w);
    jw_object_begin(&w);
    jw_object_end(&w);
    jw_array_end(&w);
    jw_raw(&w, "\n");
    assert_string_equal(w.buf, "{\"n\":1}\n[{},{}]\n");
}

static void test_numbers(void **state)
{
    (void)state;
    jw_reset(&w);
    jw_array_begin(&w);
    jw_int(&w, 0);
    jw_int(&w, -1);
    jw_int(&w, INT64_MIN);
    jw_int(&w, INT64_MAX);
    jw_uint(&w, UINT64_MAX);
    jw_array_end(&w);
    assert_string_equal(w.buf, "[0,-1,-9223372036854775808,9223372036854775807,"
                               "18446744073709551615]");
}

/* Quote, backslash and every control character get an escape; DEL too. */
static void test_escapes(void **state)
{
    (void)state;
    ESC("plain text / slash", "\"plain text / slash\"");
    ESC("say \"hi\"", "\"say \\\"hi\\\"\"");
    ESC("C:\\dir", "\"C:\\\\dir\"");
    ESC("a\nb\rc\td", "\"a\\nb\\rc\\td\"");
    ESC("\x01", "\"\\u0001\"");
    ESC("\x08\x0c", "\"\\u0008\\u000c\"");   /* backspace, form feed: \u form is valid */
    ESC("\x1f", "\"\\u001f\"");
    ESC("\x7f", "\"\\u007f\"");             /* DEL */
    ESC("\x00", "\"\\u0000\"");             /* an embedded NUL via jw_string_n */
    ESC("x\x00y", "\"x\\u0000y\"");
    ESC(" ~", "\" ~\"");                    /* the printable range's ends stay raw */
}

/* Keys go through the same escaping as values. */
static void test_key_escaped(void **state)
{
    (void)state;
    jw_reset(&w);
    jw_object_begin(&w);
    jw_key(&w, "a\"b\n");
    jw_int(&w, 1);
    jw_object_end(&w);
    assert_string_equal(w.buf, "{\"a\\\"b\\n\":1}");
}

/* Well-formed UTF-8 passes through untouched, at each length's range boundaries. */
static void test_valid_utf8_passes(void **state)
{
    (void)state;
    ESC("\xc2\x80", "\"\xc2\x80\"");                 /* U+0080, smallest 2-byte */
    ESC("caf\xc3\xa9", "\"caf\xc3\xa9\"");           /* U+00E9 */
    ESC("\xdf\xbf", "\"\xdf\xbf\"");                 /* U+07FF, largest 2-byte */
    ESC("\xe0\xa0\x80", "\"\xe0\xa0\x80\"");         /* U+0800, smallest 3-byte */
    ESC("\xe2\x82\xac", "\"\xe2\x82\xac\"");         /* U+20AC euro sign */
    ESC("\xed\x9f\xbf", "\"\xed\x9f\xbf\"");         /* U+D7FF, just below surrogates */
    ESC("\xee\x80\x80", "\"\xee\x80\x80\"");         /* U+E000, just above */
    ESC("\xef\xbf\xbf", "\"\xef\xbf\xbf\"");         /* U+FFFF */
    ESC("\xf0\x90\x80\x80", "\"\xf0\x90\x80\x80\""); /* U+10000, smallest 4-byte */
    ESC("\xf0\x9f\x98\x80", "\"\xf0\x9f\x98\x80\""); /* U+1F600 */
    ESC("\xf4\x8f\xbf\xbf", "\"\xf4\x8f\xbf\xbf\""); /* U+10FFFF, the last code point */
}

/* Bytes that are not well-formed UTF-8 are written one by one as \u00XX. */
static void test_invalid_utf8_escaped(void **state)
{
    (void)state;
    ESC("\xff", "\"\\u00ff\"");
    ESC("\xfe", "\"\\u00fe\"");
    ESC("\x80", "\"\\u0080\"");                          /* lone continuation byte */
    ESC("\xbf\x80", "\"\\u00bf\\u0080\"");
    ESC("\xc0\xaf", "\"\\u00c0\\u00af\"");               /* overlong '/' */
    ESC("\xc1\xbf", "\"\\u00c1\\u00bf\"");               /* overlong U+007F */
    ESC("\xe0\x80\xaf", "\"\\u00e0\\u0080\\u00af\"");    /* overlong 3-byte '/' */
    ESC("\xe0\x9f\xbf", "\"\\u00e0\\u009f\\u00bf\"");    /* overlong U+07FF */
    ESC("\xf0\x80\x80\xaf", "\"\\u00f0\\u0080\\u0080\\u00af\""); /* overlong 4-byte */
    ESC("\xf0\x8f\xbf\xbf", "\"\\u00f0\\u008f\\u00bf\\u00bf\""); /* overlong U+FFFF */
    ESC("\xed\xa0\x80", "\"\\u00ed\\u00a0\\u0080\"");    /* U+D800, a surrogate */
    ESC("\xed\xbf\xbf", "\"\\u00ed\\u00bf\\u00bf\"");    /* U+DFFF */
    ESC("\xf4\x90\x80\x80", "\"\\u00f4\\u0090\\u0080\\u0080\""); /* U+110000 */
    ESC("\xf5\x80\x80\x80", "\"\\u00f5\\u0080\\u0080\\u0080\""); /* lead beyond F4 */
    /* Truncated sequences, at the end and before other bytes. */
    ESC("\xc3", "\"\\u00c3\"");
    ESC("\xe2\x82", "\"\\u00e2\\u0082\"");
    ESC("\xf0\x9f\x98", "\"\\u00f0\\u009f\\u0098\"");
    ESC("\xe2\x82" "A", "\"\\u00e2\\u0082A\"");
    ESC("\xc3\"", "\"\\u00c3\\\"\"");
    ESC("\xc3\n", "\"\\u00c3\\n\"");
    /* A bad lead byte does not swallow the good sequence after it. */
    ESC("\xe2\xe2\x82\xac", "\"\\u00e2\xe2\x82\xac\"");
    ESC("\xc3\xc3\xa9", "\"\\u00c3\xc3\xa9\"");
}

/* A string longer than the first allocation grows the buffer without losing bytes. */
static void test_long_string(void **state)
{
    (void)state;
    enum { N = 10000 };
    char *in = malloc(N);
    char *want = malloc(N + 3);
    assert_non_null(in);
    assert_non_null(want);
    for (size_t i = 0; i < N; i++)
        in[i] = (char)('a' + i % 26);
    want[0] = '"';
    memcpy(want + 1, in, N);
    want[N + 1] = '"';
    want[N + 2] = '\0';
    assert_escaped(in, N, want);
    free(in);
    free(want);
}

/* Nesting deeper than JW_MAX_DEPTH, or closing what was never opened, is misuse: the
 * sticky err is set. jw_reset starts over with an empty buffer. */
static void test_misuse_and_reset(void **state)
{
    (void)state;
    jw_reset(&w);
    for (int i = 0; i < JW_MAX_DEPTH; i++)
        jw_array_begin(&w);
    assert_false(w.err);
    jw_array_begin(&w);
    assert_true(w.err);

    jw_reset(&w);
    assert_false(w.err);
    assert_int_equal(w.len, 0);
    assert_string_equal(w.buf, "");
    jw_object_end(&w);
    assert_true(w.err);

    jw_reset(&w);
    jw_array_begin(&w);
    jw_int(&w, 7);
    jw_array_end(&w);
    assert_false(w.err);
    assert_string_equal(w.buf, "[7]");
    jw_release(&w);
    assert_null(w.buf);
}

/* ---- arbitrary bytes: the output must always be one valid JSON string ---- */

/* Length of a well-formed UTF-8 sequence at s per the RFC 3629 section 4 grammar, or 0.
 * Written from the grammar's byte ranges, independently of the writer's decoder. */
static size_t rfc3629_seq(const uint8_t *s, size_t n)
{
#define IN(b, lo, hi) ((b) >= (lo) && (b) <= (hi))
#define TAIL(b) IN(b, 0x80, 0xbf)
    if (n >= 2 && IN(s[0], 0xc2, 0xdf) && TAIL(s[1]))
        return 2;
    if (n >= 3 && ((s[0] == 0xe0 && IN(s[1], 0xa0, 0xbf)) ||
                   (IN(s[0], 0xe1, 0xec) && TAIL(s[1])) ||
                   (s[0] == 0xed && IN(s[1], 0x80, 0x9f)) ||
                   (IN(s[0], 0xee, 0xef) && TAIL(s[1]))) &&
        TAIL(s[2]))
        return 3;
    if (n >= 4 && ((s[0] == 0xf0 && IN(s[1], 0x90, 0xbf)) ||
                   (IN(s[0], 0xf1, 0xf3) && TAIL(s[1])) ||
                   (s[0] == 0xf4 && IN(s[1], 0x80, 0x8f))) &&
        TAIL(s[2]) && TAIL(s[3]))
        return 4;
    return 0;
#undef TAIL
#undef IN
}

static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* Checks that `js` is exactly one RFC 8259 string and decodes it, reading \u00XX back
 * as the byte XX, into out; returns the decoded length or -1 when invalid. */
static long json_string_decode(const char *js, size_t n, uint8_t *out)
{
    const uint8_t *s = (const uint8_t *)js;
    size_t i = 1, o = 0;
    if (n < 2 || s[0] != '"' || s[n - 1] != '"')
        return -1;
    while (i < n - 1) {
        uint8_t c = s[i];
        if (c < 0x20 || c == '"')
            return -1;
        if (c == '\\') {
            if (i + 1 >= n - 1)
                return -1;
            switch (s[i + 1]) {
            case '"': out[o++] = '"'; i += 2; continue;
            case '\\': out[o++] = '\\'; i += 2; continue;
            case '/': out[o++] = '/'; i += 2; continue;
            case 'n': out[o++] = '\n'; i += 2; continue;
            case 'r': out[o++] = '\r'; i += 2; continue;
            case 't': out[o++] = '\t'; i += 2; continue;
            case 'b': out[o++] = '\b'; i += 2; continue;
            case 'f': out[o++] = '\f'; i += 2; continue;
            case 'u': {
                if (i + 6 > n - 1)
                    return -1;
                int v = 0;
                for (int k = 2; k < 6; k++) {
                    int h = hexval((char)s[i + k]);
                    if (h < 0)
                        return -1;
                    v = v * 16 + h;
                }
                if (v > 0xff) /* the writer only escapes single bytes */
                    return -1;
                out[o++] = (uint8_t)v;
                i += 6;
                continue;
            }
            default:
                return -1;
            }
        }
        if (c >= 0x80) {
            size_t len = rfc3629_seq(s + i, n - 1 - i);
            if (!len)
                return -1;
            memcpy(out + o, s + i, len);
            o += len;
            i += len;
            continue;
        }
        out[o++] = c;
        i++;
    }
    return (long)o;
}

/* Writes `in` and checks the output is a valid JSON string that decodes to `in`. */
static void check_roundtrip(const uint8_t *in, size_t n)
{
    uint8_t out[64];
    assert_true(n <= sizeof out);
    jw_reset(&w);
    jw_string_n(&w, (const char *)in, n);
    assert_false(w.err);
    long got = json_string_decode(w.buf, w.len, out);
    if (got != (long)n || memcmp(out, in, n) != 0) {
        print_error("input of %zu bytes:", n);
        for (size_t i = 0; i < n; i++)
            print_error(" %02x", in[i]);
        print_error("\noutput: %s\n", w.buf);
        fail();
    }
}

/* Every 1- and 2-byte input, and every 3-byte input behind the lead bytes where UTF-8
 * has its special ranges (E0, ED, EF, F0, F4). */
static void test_exhaustive_short_inputs(void **state)
{
    (void)state;
    static const uint8_t leads[] = {0xe0, 0xed, 0xef, 0xf0, 0xf4};
    uint8_t b[4];
    jw_reset(&w);
    check_roundtrip(b, 0);
    for (unsigned x = 0; x < 256; x++) {
        b[0] = (uint8_t)x;
        check_roundtrip(b, 1);
        for (unsigned y = 0; y < 256; y++) {
            b[1] = (uint8_t)y;
            check_roundtrip(b, 2);
        }
    }
    for (size_t l = 0; l < sizeof leads; l++) {
        b[0] = leads[l];
        for (unsigned y = 0; y < 65536; y++) {
            b[1] = (uint8_t)(y >> 8);
            b[2] = (uint8_t)y;
            check_roundtrip(b, 3);
        }
    }
}

/* Pseudo-random strings (fixed seed) drawn mostly from the interesting bytes. */
static void test_random_inputs(void **state)
{
    (void)state;
    static const uint8_t pool[] = {'a', '"', '\\', '\n', 0x00, 0x01, 0x1f, 0x7f, 0x80, 0x8f,
                                   0x90, 0x9f, 0xa0, 0xbf, 0xc0, 0xc2, 0xdf, 0xe0, 0xed,
                                   0xef, 0xf0, 0xf4, 0xf5, 0xff};
    uint64_t x = 0x9e3779b97f4a7c15ull;
    uint8_t b[16];
    jw_reset(&w);
    for (int iter = 0; iter < 200000; iter++) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        size_t n = (size_t)(x % (sizeof b + 1));
        uint64_t y = x;
        for (size_t i = 0; i < n; i++) {
            y = y * 6364136223846793005ull + 1442695040888963407ull;
            uint8_t r = (uint8_t)(y >> 56);
            b[i] = (r & 1) ? pool[(r >> 1) % sizeof pool] : (uint8_t)(y >> 40);
        }
        check_roundtrip(b, n);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_teardown(test_nested_commas, jw_teardown),
        cmocka_unit_test_teardown(test_top_level_records, jw_teardown),
        cmocka_unit_test_teardown(test_numbers, jw_teardown),
        cmocka_unit_test_teardown(test_escapes, jw_teardown),
        cmocka_unit_test_teardown(test_key_escaped, jw_teardown),
        cmocka_unit_test_teardown(test_valid_utf8_passes, jw_teardown),
        cmocka_unit_test_teardown(test_invalid_utf8_escaped, jw_teardown),
        cmocka_unit_test_teardown(test_long_string, jw_teardown),
        cmocka_unit_test_teardown(test_misuse_and_reset, jw_teardown),
        cmocka_unit_test_teardown(test_exhaustive_short_inputs, jw_teardown),
        cmocka_unit_test_teardown(test_random_inputs, jw_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
