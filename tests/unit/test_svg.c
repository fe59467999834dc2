/* secondsight - unit tests for the report's HTML escaping and links (output-html.c) and
 * its SVG primitives (output-svg.c): whatever a string holds, the markup stays intact. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "output-html.h"
#include "output-svg.h"

/* What a writer produced, as a string (freed by the caller). */
struct capture {
    char *buf;
    size_t len;
    FILE *fp;
};

static void cap_open(struct capture *c)
{
    c->buf = NULL;
    c->len = 0;
    c->fp = open_memstream(&c->buf, &c->len);
    assert_non_null(c->fp);
}

static char *cap_close(struct capture *c)
{
    fclose(c->fp);
    return c->buf;
}

static void test_text_escapes_markup(void **state)
{
    (void)state;
    struct capture c;
    cap_open(&c);
    html_text(c.fp, "<a href=\"x\">'&'</a>\x01\t\n\x7f é");
    html_text(c.fp, NULL);
    char *s = cap_close(&c);
    assert_string_equal(s, "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;&#xFFFD;\t\n"
                           "&#xFFFD; é");
    free(s);
}

static void test_printf_cuts_on_character_boundary(void **state)
{
    (void)state;
    char big[HTML_PRINTF_MAX + 64];
    memset(big, 'a', HTML_PRINTF_MAX - 1); /* then a 2-byte character across the cut */
    memcpy(big + HTML_PRINTF_MAX - 1, "\xc3\xa9<", 4);
    struct capture c;
    cap_open(&c);
    html_printf(c.fp, "%s", big);
    char *s = cap_close(&c);
    assert_int_equal(strlen(s), HTML_PRINTF_MAX - 1);
    assert_null(strchr(s, '<'));
    free(s);
}

static void test_href_percent_encodes(void **state)
{
    (void)state;
    struct capture c;
    cap_open(&c);
    html_href(c.fp, "ev/a b#c?d%e\"<.pcap");
    char *s = cap_close(&c);
    assert_string_equal(s, "ev/a%20b%23c%3Fd%25e%22%3C.pcap");
    free(s);
}

static void test_relative_paths(void **state)
{
    (void)state;
    char buf[256];
    /* The man page's case: the page in case42/, its evidence in case42/ev/. */
    assert_int_equal(html_relative(buf, sizeof buf, "case42/", "case42/ev/x.pcap", "/w"), 0);
    assert_string_equal(buf, "ev/x.pcap");
    assert_int_equal(html_relative(buf, sizeof buf, NULL, "case42/ev/x.pcap", "/w"), 0);
    assert_string_equal(buf, "case42/ev/x.pcap");
    assert_int_equal(html_relative(buf, sizeof buf, "out/", "ev/x.pcap", "/w"), 0);
    assert_string_equal(buf, "../ev/x.pcap");
    assert_int_equal(html_relative(buf, sizeof buf, "/w/a/b", "/w/ev/./x.pcap", "/"), 0);
    assert_string_equal(buf, "../../ev/x.pcap");
    assert_int_equal(html_relative(buf, sizeof buf, "./a/../", "x.pcap", "/w"), 0);
    assert_string_equal(buf, "x.pcap");
    assert_int_equal(html_relative(buf, 4, "a/b/c/", "x.pcap", "/w"), -1); /* too small */
}

static void test_cut(void **state)
{
    (void)state;
    char buf[16];
    assert_string_equal(html_cut(buf, sizeof buf, "short", 10), "short");
    assert_string_equal(html_cut(buf, sizeof buf, "0123456789abc", 10), "0123456789\xe2\x80\xa6");
    assert_string_equal(html_cut(buf, sizeof buf, "012345678\xc3\xa9x", 10),
                        "012345678\xe2\x80\xa6");
    assert_string_equal(html_cut(buf, sizeof buf, NULL, 10), "");
}

static void test_scale_maps_and_clamps(void **state)
{
    (void)state;
    struct svg_scale s = {10, 20, 100, 200};
    assert_true(fabs(svg_map(&s, 15) - 150) < 1e-9);
    assert_true(fabs(svg_map(&s, -1e300) - 100) < 1e-9);
    assert_true(fabs(svg_map(&s, 1e300) - 200) < 1e-9);
    assert_true(fabs(svg_map(&s, NAN) - 100) < 1e-9);
    struct svg_scale empty = {5, 5, 100, 200};
    assert_true(fabs(svg_map(&empty, 5) - 150) < 1e-9);
    struct svg_scale huge = {-1e308, 1e308, 0, 10}; /* a range that overflows */
    assert_true(fabs(svg_map(&huge, 0) - 5) < 1e-9);
    char n[16];
    assert_string_equal(svg_num(n, INFINITY), "0.0");
    assert_string_equal(svg_num(n, 1e300), "1000000.0");
    assert_string_equal(svg_num(n, -2.25), "-2.2");
}

static void test_shapes_escape_text(void **state)
{
    (void)state;
    struct capture c;
    cap_open(&c);
    svg_begin(c.fp, 100, 50, "pic\"", "a <b>");
    svg_text(c.fp, 1, 2, "middle", "lbl", "x</text><script>");
    svg_circle(c.fp, NAN, 1, 2, "high", "tip & more");
    svg_link_begin(c.fp, "f1\"");
    svg_arrow(c.fp, 0, 0, 10, 0, "path");
    svg_link_end(c.fp);
    svg_end(c.fp);
    char *s = cap_close(&c);
    assert_non_null(strstr(s, "<svg viewBox=\"0 0 100 50\" width=\"100\" role=\"img\" "
                              "class=\"pic&quot;\" aria-label=\"a &lt;b&gt;\">"));
    assert_non_null(strstr(s, ">x&lt;/text&gt;&lt;script&gt;</text>"));
    assert_non_null(strstr(s, "<circle cx=\"0.0\" cy=\"1.0\" r=\"2.0\" class=\"high\">"
                              "<title>tip &amp; more</title></circle>"));
    assert_non_null(strstr(s, "<a href=\"#f1%22\">"));
    assert_non_null(strstr(s, "<polygon points=\"10.0,0.0 2.0,4.0 2.0,-4.0\""));
    assert_null(strstr(s, "<script"));
    free(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_text_escapes_markup),
        cmocka_unit_test(test_printf_cuts_on_character_boundary),
        cmocka_unit_test(test_href_percent_encodes),
        cmocka_unit_test(test_relative_paths),
        cmocka_unit_test(test_cut),
        cmocka_unit_test(test_scale_maps_and_clamps),
        cmocka_unit_test(test_shapes_escape_text),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
