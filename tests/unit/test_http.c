/* secondsight - unit tests for the HTTP response glance (decode-http.c): status line,
 * headers, body tells, the tells list, and truncation walks under exact-size buffers. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "decode-http.h"
#include "util-strlist.h"

/* ---- helpers ---- */

/* Parses a C string (without its NUL) from an exactly-sized heap copy, so a read past
 * the end is an ASan error rather than a lucky NUL. */
static void parse_n(const char *s, size_t n, struct http_response *r)
{
    uint8_t *p = malloc(n ? n : 1);
    assert_non_null(p);
    memcpy(p, s, n);
    http_response_parse(p, n, r);
    free(p);
}

static void parse(const char *s, struct http_response *r)
{
    parse_n(s, strlen(s), r);
}

static void assert_tells(const char *resp, const char *want)
{
    struct http_response r;
    char buf[160], joined[160];
    parse(resp, &r);
    http_response_tells(&r, buf, sizeof buf);
    assert_string_equal(strlist_join(joined, sizeof joined, buf, ","), want);
}

/* The head ends at the first blank line ("\n\n" or "\n\r\n") after the status line. */
static int blank_line_in(const char *s, size_t n)
{
    for (size_t i = 0; i + 1 < n; i++) {
        if (s[i] != '\n')
            continue;
        if (s[i + 1] == '\n' || (i + 2 < n && s[i + 1] == '\r' && s[i + 2] == '\n'))
            return 1;
    }
    return 0;
}

/* ---- the status line and headers ---- */

static const char resp_200[] = "HTTP/1.1 200 OK\r\n"
                               "Server: nginx\r\n"
                               "Date: Mon, 01 Jan 2024 00:00:00 GMT\r\n"
                               "Content-Type: text/html\r\n"
                               "Content-Length: 13\r\n"
                               "Connection: close\r\n"
                               "\r\n"
                               "<p>hello</p>\n";

static void test_status_and_headers(void **state)
{
    (void)state;
    struct http_response r;
    parse(resp_200, &r);
    assert_int_equal(r.status, 200);
    assert_int_equal(r.headers,
                     HH_SERVER | HH_DATE | HH_CONTENT_TYPE | HH_CONTENT_LENGTH | HH_OTHER);
    assert_int_equal(r.nheaders, 5);
    assert_int_equal(r.content_length, 13);
    assert_true(r.complete_head);
    assert_int_equal(r.body_len, 13);
    assert_string_equal(r.location, "");
    assert_false(r.has_script);
    assert_false(r.has_iframe);
    assert_false(r.has_tiny_iframe);
    assert_false(r.has_meta_refresh);
    assert_false(r.reloads);

    parse("HTTP/1.0 404 Not Found\r\n\r\n", &r);
    assert_int_equal(r.status, 404);
    assert_int_equal(r.nheaders, 0);
    assert_int_equal(r.headers, 0);
    assert_int_equal(r.content_length, -1);
    assert_true(r.complete_head);
    assert_int_equal(r.body_len, 0);

    /* Exactly a status line's worth, nothing more. */
    parse("HTTP/1.1 503", &r);
    assert_int_equal(r.status, 503);
    assert_false(r.complete_head);
    assert_int_equal(r.nheaders, 0);

    /* Bare LF line ends (tolerated by RFC 9112 section 2.2). */
    parse("HTTP/1.1 200 OK\nPragma: no-cache\n\nbody", &r);
    assert_int_equal(r.status, 200);
    assert_int_equal(r.headers, HH_PRAGMA);
    assert_true(r.complete_head);
    assert_int_equal(r.body_len, 4);

    /* Names are case-insensitive; cache-control and pragma have their own bits; a line
     * without a colon is not a header. */
    parse("HTTP/1.1 200 OK\r\nCACHE-CONTROL: no-store\r\npragma: no-cache\r\n"
          "this line has no colon\r\ncontent-TYPE: text/plain\r\n\r\n",
          &r);
    assert_int_equal(r.headers, HH_CACHE_CONTROL | HH_PRAGMA | HH_CONTENT_TYPE);
    assert_int_equal(r.nheaders, 3);
    assert_true(r.complete_head);
    assert_int_equal(r.content_length, -1);
}

static void test_location(void **state)
{
    (void)state;
    struct http_response r;
    parse("HTTP/1.1 302 Found\r\nLocation: http://203.0.113.9/x?id=1\r\n\r\n", &r);
    assert_int_equal(r.status, 302);
    assert_int_equal(r.headers, HH_LOCATION);
    assert_string_equal(r.location, "http://203.0.113.9/x?id=1");

    /* Leading blanks skipped, the CR never part of the value, the name any case. */
    parse("HTTP/1.1 301 Moved\r\nLOCATION:\t  /next\r\n\r\n", &r);
    assert_string_equal(r.location, "/next");
    parse("HTTP/1.1 301 Moved\nlocation:/lf\n\n", &r);
    assert_string_equal(r.location, "/lf");
    parse("HTTP/1.1 301 Moved\r\nLocation: \r\n\r\n", &r);
    assert_int_equal(r.headers, HH_LOCATION);
    assert_string_equal(r.location, "");

    /* A long value is cut to the buffer, NUL-terminated. */
    char resp[600];
    char want[sizeof r.location];
    memset(want, 'a', sizeof want - 1);
    want[sizeof want - 1] = '\0';
    int n = snprintf(resp, sizeof resp, "HTTP/1.1 302 Found\r\nLocation: /");
    memset(resp + n, 'a', 400);
    strcpy(resp + n + 400, "\r\n\r\n");
    parse(resp, &r);
    assert_int_equal(strlen(r.location), sizeof r.location - 1);
    assert_int_equal(r.location[0], '/');
    assert_memory_equal(r.location + 1, want, sizeof r.location - 2);
}

static void test_content_length(void **state)
{
    (void)state;
    struct http_response r;
    parse("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n", &r);
    assert_int_equal(r.content_length, 0);
    assert_int_equal(r.headers, HH_CONTENT_LENGTH);
    parse("HTTP/1.1 200 OK\r\ncontent-length:1234\r\n\r\n", &r);
    assert_int_equal(r.content_length, 1234);
    parse("HTTP/1.1 200 OK\r\nContent-Length: 42 \r\n\r\n", &r);
    assert_int_equal(r.content_length, 42);
    /* Not a number: the header is there, the length unknown. */
    parse("HTTP/1.1 200 OK\r\nContent-Length: abc\r\n\r\n", &r);
    assert_int_equal(r.headers, HH_CONTENT_LENGTH);
    assert_int_equal(r.content_length, -1);
    parse("HTTP/1.1 200 OK\r\nContent-Length: -5\r\n\r\n", &r);
    assert_int_equal(r.content_length, -1);
    parse("HTTP/1.1 200 OK\r\nContent-Length:\r\n\r\n", &r);
    assert_int_equal(r.content_length, -1);
    /* Absurd lengths stop growing (no signed overflow under UBSan). */
    parse("HTTP/1.1 200 OK\r\nContent-Length: 99999999999999999999999999999\r\n\r\n", &r);
    assert_true(r.content_length >= 1000000000L);
}

/* Bytes that are not an HTTP/1.x response: status 0 and no tells at all. */
static void test_not_http(void **state)
{
    (void)state;
    static const char *const not_http[] = {
        "",
        "H",
        "HTTP/1.1 20",                       /* 11 bytes: too short for a status */
        "GET / HTTP/1.1\r\nHost: a\r\n\r\n", /* a request */
        "HTTP/2 200 OK\r\n\r\n",
        "HTTP/1.1 2x0 OK\r\n\r\n",
        "HTTP/1.1  200 OK\r\n\r\n",
        "http/1.1 200 OK\r\n\r\n",
        "SSH-2.0-OpenSSH_9.6\r\n",
        " HTTP/1.1 200 OK\r\n\r\n<script>",
        "\x16\x03\x01\x02\x31\x01\x7f\x01\xfc\x03\x03\xff<iframe width=1 height=1>", /* TLS */
    };
    for (size_t i = 0; i < sizeof not_http / sizeof not_http[0]; i++) {
        struct http_response r;
        char buf[64];
        parse(not_http[i], &r);
        assert_int_equal(r.status, 0);
        assert_int_equal(r.headers, 0);
        assert_int_equal(r.nheaders, 0);
        assert_int_equal(r.content_length, -1);
        assert_false(r.complete_head);
        assert_false(r.has_script);
        assert_false(r.has_iframe);
        memset(buf, 'x', sizeof buf);
        http_response_tells(&r, buf, sizeof buf);
        assert_string_equal(buf, "");
    }
    /* Binary zeros inside the bytes that matter. */
    struct http_response r;
    parse_n("HTTP/1.1 \0"
            "00 OK\r\n\r\n",
            17, &r);
    assert_int_equal(r.status, 0);
}

/* At most 32 lines are read after the status line: a flood of headers stops there. */
static void test_header_count_bounded(void **state)
{
    (void)state;
    char resp[4096];
    size_t n = (size_t)snprintf(resp, sizeof resp, "HTTP/1.1 200 OK\r\n");
    for (int i = 0; i < 100; i++)
        n += (size_t)snprintf(resp + n, sizeof resp - n, "X-H%d: v\r\n", i);
    n += (size_t)snprintf(resp + n, sizeof resp - n, "\r\n<script>");
    assert_true(n < sizeof resp);
    struct http_response r;
    parse(resp, &r);
    assert_int_equal(r.status, 200);
    assert_int_equal(r.nheaders, 32);
    assert_int_equal(r.headers, HH_OTHER);
    assert_false(r.complete_head);
    assert_false(r.has_script);

    /* 31 headers and the blank line: within the bound. */
    n = (size_t)snprintf(resp, sizeof resp, "HTTP/1.1 200 OK\r\n");
    for (int i = 0; i < 31; i++)
        n += (size_t)snprintf(resp + n, sizeof resp - n, "X-H%d: v\r\n", i);
    snprintf(resp + n, sizeof resp - n, "\r\n<script>");
    parse(resp, &r);
    assert_int_equal(r.nheaders, 31);
    assert_true(r.complete_head);
    assert_true(r.has_script);
}

/* ---- body tells ---- */

#define HEAD200 "HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n\r\n"

static void test_body_tells(void **state)
{
    (void)state;
    struct http_response r;

    parse(HEAD200 "<html><SCRIPT src=/a.js></SCRIPT></html>", &r);
    assert_true(r.has_script);
    assert_false(r.has_iframe);
    assert_false(r.reloads);

    parse(HEAD200 "<iframe src=\"/ad\" width=\"600\" height=\"400\"></iframe>", &r);
    assert_true(r.has_iframe);
    assert_false(r.has_tiny_iframe);
    assert_false(r.has_script);

    /* Tells only count in the body: the same words in a header do nothing. */
    parse("HTTP/1.1 200 OK\r\nX-Note: <script> <iframe width=1 height=1> "
          "http-equiv=refresh location.reload\r\n\r\n",
          &r);
    assert_true(r.complete_head);
    assert_false(r.has_script);
    assert_false(r.has_iframe);
    assert_false(r.has_meta_refresh);
    assert_false(r.reloads);

    /* And only once the head is complete. */
    parse("HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n<script>", &r);
    assert_false(r.complete_head);
    assert_false(r.has_script);

    /* Meta refresh, quoted three ways, any case. */
    parse(HEAD200 "<meta http-equiv=\"refresh\" content=\"0;url=http://x/\">", &r);
    assert_true(r.has_meta_refresh);
    parse(HEAD200 "<META HTTP-EQUIV=Refresh CONTENT=0>", &r);
    assert_true(r.has_meta_refresh);
    parse(HEAD200 "<meta http-equiv='refresh' content='5'>", &r);
    assert_true(r.has_meta_refresh);
    parse(HEAD200 "<meta http-equiv=\"content-type\" content=\"text/html\">", &r);
    assert_false(r.has_meta_refresh);

    /* Scripts that go elsewhere or reload. */
    static const char *const reloads[] = {
        HEAD200 "<script>location.reload(true)</script>",
        HEAD200 "<script>window.location='http://x/'</script>",
        HEAD200 "<script>document.LOCATION = u</script>",
        HEAD200 "<script>top.location.href=u</script>",
    };
    for (size_t i = 0; i < sizeof reloads / sizeof reloads[0]; i++) {
        parse(reloads[i], &r);
        assert_true(r.reloads);
        assert_true(r.has_script);
    }
    parse(HEAD200 "<script>var location_count = 1;</script>", &r);
    assert_false(r.reloads);
}

/* The invisible frame: width and height both 1 (or 0), quoted or not. */
static void test_tiny_iframe(void **state)
{
    (void)state;
    static const char *const tiny[] = {
        HEAD200 "<iframe src=http://x/ width=1 height=1></iframe>",
        HEAD200 "<iframe src=\"http://x/\" width=\"1\" height=\"1\"></iframe>",
        HEAD200 "<iframe src='http://x/' width='1' height='1'></iframe>",
        HEAD200 "<IFRAME HEIGHT=1 WIDTH=1 SRC=x></IFRAME>",
        HEAD200 "<iframe width=0 height=0 frameborder=0 src=x>",
        HEAD200 "<iframe width=\"0\" height=\"1\" src=x>",
        HEAD200 "<p>first</p><iframe src=a width=640 height=480></iframe>"
                "<iframe src=b width=1 height=1></iframe>", /* the second one */
        HEAD200 "<iframe width=1 height=1 src=x",           /* the body stops inside the tag */
    };
    for (size_t i = 0; i < sizeof tiny / sizeof tiny[0]; i++) {
        struct http_response r;
        parse(tiny[i], &r);
        assert_true(r.has_iframe);
        if (!r.has_tiny_iframe)
            fail_msg("not seen as 1x1: %s", tiny[i]);
    }
    static const char *const not_tiny[] = {
        HEAD200 "<iframe src=x width=1 height=300></iframe>",
        HEAD200 "<iframe src=x width=300 height=1></iframe>",
        HEAD200 "<iframe src=x></iframe><img width=1 height=1>", /* other element */
        HEAD200 "<iframe src=x width=\"1\"></iframe><div height=\"1\">",
        HEAD200 "<iframe src=x width=100 height=100></iframe>",
        HEAD200 "<iframe src=x width=\"10\" height=12></iframe>",
        HEAD200 "<iframe src=x width=1024 height=768></iframe>",
    };
    for (size_t i = 0; i < sizeof not_tiny / sizeof not_tiny[0]; i++) {
        struct http_response r;
        parse(not_tiny[i], &r);
        assert_true(r.has_iframe);
        if (r.has_tiny_iframe)
            fail_msg("taken for 1x1: %s", not_tiny[i]);
    }
}

/* ---- the tells list ---- */

static void test_tells_list(void **state)
{
    (void)state;
    assert_tells(resp_200, "");
    assert_tells(HEAD200 "<script>x()</script>", "script");
    assert_tells(HEAD200 "<iframe src=x>", "iframe");
    assert_tells(HEAD200 "<iframe src=x width=1 height=1>", "iframe_1x1");
    assert_tells(HEAD200 "<meta http-equiv=refresh content=0>", "meta_refresh");
    assert_tells(HEAD200 "<body onload=\"window.location='/'\">", "reload");
    /* All of them, in the fixed order. */
    assert_tells(HEAD200 "<meta http-equiv=\"refresh\" content=\"1\"><script>"
                         "location.reload()</script><iframe width=1 height=1 src=/x>",
                 "script,iframe_1x1,meta_refresh,reload");
    assert_tells("GET / HTTP/1.1\r\n\r\n<script>", "");

    /* A tells buffer too small: whole tells only, never overrun (exact heap size). */
    struct http_response r;
    parse(HEAD200 "<script>location.reload()</script><iframe src=x>", &r);
    char *small = malloc(10);
    assert_non_null(small);
    http_response_tells(&r, small, 10);
    assert_string_equal(small, "script");
    assert_int_equal(strlist_used(small), 7);
    http_response_tells(&r, small, 1);
    assert_string_equal(small, "");
    free(small);
}

/* A 30x without a body: the Quantum Insert demo's reply. */
static void test_empty_redirect(void **state)
{
    (void)state;
    assert_tells("HTTP/1.1 302 Found\r\nLocation: http://x/\r\nContent-Length: 0\r\n\r\n",
                 "empty_redirect");
    /* Content-Length: 0 says so even when the head is not complete in these bytes. */
    assert_tells("HTTP/1.1 302 Found\r\nContent-Length: 0\r\nLocation: http://x/",
                 "empty_redirect");
    /* No Content-Length, and nothing after the head. */
    assert_tells("HTTP/1.1 301 Moved Permanently\r\nLocation: /a\r\n\r\n", "empty_redirect");
    assert_tells("HTTP/1.1 303 See Other\r\nLocation: /a\r\n\r\n", "empty_redirect");
    assert_tells("HTTP/1.1 307 Temporary Redirect\r\nLocation: /a\r\n\r\n", "empty_redirect");
    /* With its body: not empty. */
    assert_tells("HTTP/1.1 302 Found\r\nLocation: /a\r\nContent-Length: 9\r\n\r\nMoved: /a", "");
    assert_tells("HTTP/1.1 302 Found\r\nLocation: /a\r\n\r\n<a href=/a>here</a>", "");
    /* Not a redirect. */
    assert_tells("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n", "");
    assert_tells("HTTP/1.1 204 No Content\r\n\r\n", "");
    assert_tells("HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n", "");
    /* Head not complete and no Content-Length: nothing is known about the body. */
    assert_tells("HTTP/1.1 302 Found\r\nLocation: http://x/", "");
    /* Tells combine. */
    assert_tells("HTTP/1.1 302 Found\r\nLocation: /\r\nContent-Length: 0\r\n\r\n<script>",
                 "script,empty_redirect");
}

/* The head says a body follows; only this segment's bytes stopped after the head. That
 * is not "a 30x without a body" (docs/detectors.md). */
static void test_empty_redirect_declared_body(void **state)
{
    (void)state;
    assert_tells("HTTP/1.1 302 Found\r\nLocation: /a\r\nContent-Length: 120\r\n\r\n", "");
}

/* SecondDate's template: 200 OK with exactly these four headers, in any order. */
#define SD_BODY                                                                                    \
    "<html><head><script>window.location.reload()</script></head>"                                 \
    "<body><iframe src=\"http://x/\" width=\"1\" height=\"1\"></iframe></body></html>"

static void test_seconddate_template(void **state)
{
    (void)state;
    assert_tells("HTTP/1.1 200 OK\r\n"
                 "Pragma: no-cache\r\n"
                 "Content-Type: text/html\r\n"
                 "Content-Length: 150\r\n"
                 "Cache-Control: no-cache\r\n"
                 "\r\n" SD_BODY,
                 "script,iframe_1x1,reload,seconddate_template");
    assert_tells("HTTP/1.0 200 OK\r\n"
                 "cache-control: no-store\r\n"
                 "content-length: 0\r\n"
                 "pragma: no-cache\r\n"
                 "content-type: text/html\r\n"
                 "\r\n",
                 "seconddate_template");

    /* One more header, any of them, and it is an ordinary reply. */
    static const char *const extra[] = {"Server: Apache\r\n", "Date: Tue, 02 Jan 2024\r\n",
                                        "X-Frame-Options: DENY\r\n", "Pragma: no-cache\r\n",
                                        "Location: /\r\n"};
    for (size_t i = 0; i < sizeof extra / sizeof extra[0]; i++) {
        char resp[512];
        snprintf(resp, sizeof resp,
                 "HTTP/1.1 200 OK\r\nPragma: no-cache\r\nContent-Type: text/html\r\n%s"
                 "Content-Length: 150\r\nCache-Control: no-cache\r\n\r\n" SD_BODY,
                 extra[i]);
        assert_tells(resp, "script,iframe_1x1,reload");
    }
    /* One fewer. */
    assert_tells("HTTP/1.1 200 OK\r\nPragma: no-cache\r\nContent-Type: text/html\r\n"
                 "Content-Length: 0\r\n\r\n",
                 "");
    /* The four headers on another status. */
    assert_tells("HTTP/1.1 302 Found\r\nPragma: no-cache\r\nContent-Type: text/html\r\n"
                 "Content-Length: 0\r\nCache-Control: no-cache\r\n\r\n",
                 "empty_redirect");
}

/* ---- truncation walks ---- */

static const char *const walk_responses[] = {
    "HTTP/1.1 200 OK\r\nPragma: no-cache\r\nContent-Type: text/html\r\nContent-Length: 150\r\n"
    "Cache-Control: no-cache\r\n\r\n" SD_BODY,
    "HTTP/1.1 302 Found\r\nLocation: http://203.0.113.9/exploit?id=42\r\n"
    "Content-Length: 0\r\n\r\n",
    "HTTP/1.1 200 OK\nServer: x\n\n<meta http-equiv='refresh' content=0>"
    "<iframe width='1' height='1'",
    "HTTP/1.1 301 Moved\r\nLocation:\r\nContent-Length: 12345678901234\r\nX:\r\n:\r\n\r\n",
};

/* Every prefix, 0 bytes to all of them, in an exactly-sized buffer: no read past the
 * end (ASan), no crash, and what is reported is what the prefix holds. */
static void test_truncation_walk(void **state)
{
    (void)state;
    for (size_t k = 0; k < sizeof walk_responses / sizeof walk_responses[0]; k++) {
        const char *full = walk_responses[k];
        size_t len = strlen(full);
        struct http_response whole;
        parse(full, &whole);
        assert_int_not_equal(whole.status, 0);
        assert_true(whole.complete_head);

        for (size_t n = 0; n <= len; n++) {
            struct http_response r;
            char tells[160];
            parse_n(full, n, &r);
            http_response_tells(&r, tells, sizeof tells);
            assert_true(strlen(tells) < sizeof tells);
            assert_int_equal(r.status, n >= 12 ? whole.status : 0);
            assert_true(strlen(r.location) < sizeof r.location);
            assert_true(r.body_len <= n);
            assert_true(r.nheaders <= whole.nheaders);
            if (!r.complete_head) {
                assert_int_equal(r.body_len, 0);
                assert_false(r.has_script || r.has_iframe || r.has_meta_refresh || r.reloads);
            }
            /* Once the head is complete, the body is the rest. */
            if (n >= len - whole.body_len && blank_line_in(full, n)) {
                assert_true(r.complete_head);
                assert_int_equal(r.body_len, n - (len - whole.body_len));
                assert_int_equal(r.headers, whole.headers);
                assert_string_equal(r.location, whole.location);
            }
        }
    }
}

/* A head is complete only when its blank line is there: a prefix that stops between
 * the blank line's CR and LF has not ended its head (the 302 below might go on with
 * "Content-Length: 500"), so it is no empty redirect yet. */
static void test_cut_inside_blank_line(void **state)
{
    (void)state;
    struct http_response r;
    char tells[160];
    parse("HTTP/1.1 302 Found\r\nLocation: /x\r\n\r", &r);
    assert_int_equal(r.status, 302);
    assert_false(r.complete_head);
    http_response_tells(&r, tells, sizeof tells);
    assert_string_equal(tells, "");

    for (size_t k = 0; k < sizeof walk_responses / sizeof walk_responses[0]; k++) {
        const char *full = walk_responses[k];
        for (size_t n = 0; n <= strlen(full); n++) {
            parse_n(full, n, &r);
            if (r.complete_head && !blank_line_in(full, n))
                fail_msg("response %zu cut at %zu bytes: head taken as complete", k, n);
        }
    }
}

/* Arbitrary bytes after a valid status line: bounded, never a crash. */
static void test_noise_after_status(void **state)
{
    (void)state;
    uint8_t buf[300];
    uint32_t seed = 1;
    for (int round = 0; round < 2000; round++) {
        size_t n = 12 + (size_t)(round % 280);
        memcpy(buf, "HTTP/1.1 200", 12);
        for (size_t i = 12; i < n; i++) {
            seed = seed * 1103515245u + 12345u;
            uint8_t b = (uint8_t)(seed >> 16);
            /* Many line ends, colons and angle brackets to reach every branch. */
            static const char pick[] = "\r\n:<> =\"'1";
            buf[i] = (b & 0x80) ? (uint8_t)pick[b % (sizeof pick - 1)] : b;
        }
        uint8_t *p = malloc(n);
        assert_non_null(p);
        memcpy(p, buf, n);
        struct http_response r;
        char tells[160];
        http_response_parse(p, n, &r);
        http_response_tells(&r, tells, sizeof tells);
        free(p);
        assert_int_equal(r.status, 200);
        assert_true(r.nheaders <= 32);
        assert_true(r.body_len < n);
        assert_true(strlen(r.location) < sizeof r.location);
    }
}

/* The request a forged response answers: the last request line in a stretch of the
 * client's stream, its Host, and nothing for bytes that only look like one. */
static void test_request_last(void **state)
{
    (void)state;
    struct http_request rq;
    const char *two = "GET /first HTTP/1.1\r\nHost: a.example\r\n\r\n"
                      "POST /second?q=1 HTTP/1.1\r\nUser-Agent: x\r\nhost:  b.example \r\n\r\nbody";
    assert_true(http_request_last((const uint8_t *)two, strlen(two), &rq));
    assert_string_equal(rq.method, "POST");
    assert_string_equal(rq.target, "/second?q=1");
    assert_string_equal(rq.host, "b.example");
    /* cut before its headers: no Host */
    const char *cut = "xx\nGET http://c.example/p HTTP/1.0\r\n";
    assert_true(http_request_last((const uint8_t *)cut, strlen(cut), &rq));
    assert_string_equal(rq.target, "http://c.example/p");
    assert_string_equal(rq.host, "");
    /* not a request: unknown method, mid-line, no version, a response */
    const char *no[] = {"FETCH / HTTP/1.1\r\n", "x GET / HTTP/1.1\r\n", "GET /\r\n",
                        "HTTP/1.1 200 OK\r\n", "GET  HTTP/1.1\r\n", "GET / HTTP/1", ""};
    for (size_t i = 0; i < sizeof no / sizeof no[0]; i++) {
        assert_false(http_request_last((const uint8_t *)no[i], strlen(no[i]), &rq));
        assert_string_equal(rq.method, "");
    }
    /* unprintable bytes and a long target are kept within their fields */
    char big[400];
    snprintf(big, sizeof big, "GET /%0300d\x01 HTTP/1.1\r\nHost: h\x7f\r\n", 0);
    assert_true(http_request_last((const uint8_t *)big, strlen(big), &rq));
    assert_int_equal(strlen(rq.target), sizeof rq.target - 1);
    assert_string_equal(rq.host, "h_");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_request_last),
        cmocka_unit_test(test_status_and_headers),
        cmocka_unit_test(test_location),
        cmocka_unit_test(test_content_length),
        cmocka_unit_test(test_not_http),
        cmocka_unit_test(test_header_count_bounded),
        cmocka_unit_test(test_body_tells),
        cmocka_unit_test(test_tiny_iframe),
        cmocka_unit_test(test_tells_list),
        cmocka_unit_test(test_empty_redirect),
        cmocka_unit_test(test_empty_redirect_declared_body),
        cmocka_unit_test(test_seconddate_template),
        cmocka_unit_test(test_truncation_walk),
        cmocka_unit_test(test_cut_inside_blank_line),
        cmocka_unit_test(test_noise_after_status),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
