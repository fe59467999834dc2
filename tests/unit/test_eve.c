/* secondsight - unit tests for the EVE output (output-eve.c): the signature table's
 * ids, the row a finding takes by class and tell, flow_id, EVE's timestamp form, and
 * one alert record read back with jansson key by key. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include "output.h"

static void test_table_ids(void **state)
{
    (void)state;
    unsigned n;
    const struct eve_signature *g = eve_signatures(&n);
    assert_true(n > 30);
    for (unsigned i = 0; i < n; i++) {
        /* In the documented range, ascending (so never two rows with one id). */
        assert_in_range(g[i].sid, 8880000, 8880999);
        if (i)
            assert_true(g[i].sid > g[i - 1].sid);
        assert_non_null(g[i].signature);
        assert_memory_equal(g[i].signature, "SECONDSIGHT ", 12);
        assert_non_null(g[i].category);
    }
    assert_int_equal(g[n - 1].sid, 8880999); /* the catch-all comes last */
}

static struct finding make_finding(const char *class_name)
{
    struct finding f;
    memset(&f, 0, sizeof f);
    f.class_name = class_name;
    f.confidence = CONF_HIGH;
    f.ts_ns = 1429576801924434000LL; /* 2015-04-21T00:40:01.924434 */
    f.ip_version = 4;
    f.proto = IPPROTO_NUM_TCP;
    memcpy(f.src_ip, "\xc6\x33\x64\x14", 4); /* 198.51.100.20 */
    memcpy(f.dst_ip, "\xc0\x00\x02\x0a", 4); /* 192.0.2.10 */
    f.sport = 80;
    f.dport = 50100;
    snprintf(f.summary, sizeof f.summary, "a forged reply");
    return f;
}

static void test_rows_by_tell(void **state)
{
    (void)state;
    struct finding f = make_finding("tcp_injection");
    assert_int_equal(eve_signature_of(&f)->sid, 8880100); /* no app: the class's row */
    finding_app_str(&f, "proto", "http");
    assert_int_equal(eve_signature_of(&f)->sid, 8880108);
    /* The most telling content tell wins, whatever the order of app.tells. */
    finding_app_list(&f, "tells", "script\0iframe_1x1\0seconddate_template\0fin_with_data\0");
    assert_int_equal(eve_signature_of(&f)->sid, 8880101);
    f.class_name = "forged_packet";
    assert_int_equal(eve_signature_of(&f)->sid, 8880201);

    struct finding r = make_finding("tcp_reset_injection");
    finding_evidence_str(&r, "signal", "rst_ack_change");
    assert_int_equal(eve_signature_of(&r)->sid, 8880404);

    struct finding d = make_finding("dns_injection");
    finding_evidence_str(&d, "verdict", "decided");
    assert_int_equal(eve_signature_of(&d)->sid, 8880500);
    d.evidence[0].s[0] = '\0';
    snprintf(d.evidence[0].s, sizeof d.evidence[0].s, "lone");
    assert_int_equal(eve_signature_of(&d)->sid, 8880502);

    struct finding u = make_finding("no_such_class");
    assert_int_equal(eve_signature_of(&u)->sid, 8880999);
}

static void test_flow_id(void **state)
{
    (void)state;
    uint64_t a = eve_flow_id("1:OAo7+/uaNKTTjAPAVQoH1B9EZtI=");
    assert_int_equal(a, eve_flow_id("1:OAo7+/uaNKTTjAPAVQoH1B9EZtI=")); /* stable */
    assert_true(a < (1ull << 51)); /* exact in a JavaScript number */
    assert_int_not_equal(a, eve_flow_id("1:aTCYZNosvBl0Udp4dNhTSKhhdTo="));
}

static void test_timestamp(void **state)
{
    (void)state;
    char buf[40];
    format_timestamp_eve(buf, 1429576801924434999LL); /* nanoseconds are cut */
    assert_string_equal(buf, "2015-04-21T00:40:01.924434+0000");
}

static const char *str(json_t *o, const char *path1, const char *path2)
{
    json_t *v = json_object_get(o, path1);
    if (path2)
        v = json_object_get(v, path2);
    return json_string_value(v);
}

static void test_alert_record(void **state)
{
    (void)state;
    struct finding f = make_finding("tcp_injection");
    f.confidence = CONF_MEDIUM;
    finding_add_frame(&f, FRAME_REF(0, 5), 1);
    finding_add_frame(&f, FRAME_REF(0, 7), 0);
    finding_app_str(&f, "proto", "http");
    finding_app_int(&f, "status", 302);
    finding_app_str(&f, "location", "http://exploit.example/");

    struct file_stats files[1] = {{.path = "cap.pcap"}};
    struct run_stats s = {.nfiles = 1, .files = files};
    char *text = NULL;
    size_t len = 0;
    FILE *fp = open_memstream(&text, &len);
    assert_non_null(fp);
    struct output o;
    output_init(&o, fp, &output_format_eve, 0, "sensor-1", &s);
    assert_true(output_finding(&o, &f));
    output_release(&o);
    fclose(fp);

    assert_int_equal(text[len - 1], '\n');
    json_error_t err;
    json_t *r = json_loads(text, 0, &err);
    assert_non_null(r);
    assert_string_equal(str(r, "timestamp", NULL), "2015-04-21T00:40:01.924434+0000");
    assert_string_equal(str(r, "pcap_filename", NULL), "cap.pcap");
    assert_null(json_object_get(r, "in_iface"));
    assert_int_equal(json_integer_value(json_object_get(r, "pcap_cnt")), 7);
    assert_string_equal(str(r, "event_type", NULL), "alert");
    assert_string_equal(str(r, "src_ip", NULL), "198.51.100.20");
    assert_int_equal(json_integer_value(json_object_get(r, "dest_port")), 50100);
    assert_string_equal(str(r, "proto", NULL), "TCP");
    assert_string_equal(str(r, "host", NULL), "sensor-1");
    const char *cid = str(r, "community_id", NULL);
    assert_non_null(cid);
    assert_int_equal(json_integer_value(json_object_get(r, "flow_id")), eve_flow_id(cid));
    json_t *alert = json_object_get(r, "alert");
    assert_string_equal(str(alert, "action", NULL), "allowed");
    assert_int_equal(json_integer_value(json_object_get(alert, "signature_id")), 8880108);
    assert_int_equal(json_integer_value(json_object_get(alert, "severity")), 2); /* medium */
    json_t *tag = json_object_get(json_object_get(alert, "metadata"), "tag");
    assert_string_equal(json_string_value(json_array_get(tag, 1)), "tcp_injection");
    assert_string_equal(str(r, "app_proto", NULL), "http");
    assert_int_equal(json_integer_value(json_object_get(json_object_get(r, "http"), "status")),
                     302);
    assert_string_equal(str(r, "http", "redirect"), "http://exploit.example/");
    json_t *ss = json_object_get(r, "secondsight");
    assert_string_equal(str(ss, "class", NULL), "tcp_injection");
    assert_string_equal(str(ss, "confidence", NULL), "medium");
    assert_null(json_object_get(ss, "flow")); /* the tuple is EVE's own, at the top */
    json_t *frames = json_object_get(json_object_get(ss, "evidence"), "forged_frames");
    assert_int_equal(json_integer_value(json_array_get(frames, 0)), 5);
    /* One key outside EVE's own: secondsight. */
    static const char *const eve_keys[] = {
        "timestamp", "flow_id",   "pcap_filename", "pcap_cnt",   "event_type",   "src_ip",
        "src_port",  "dest_ip",   "dest_port",     "proto",      "community_id", "host",
        "alert",     "app_proto", "http",          "secondsight"};
    assert_int_equal(json_object_size(r), sizeof eve_keys / sizeof eve_keys[0]);
    for (size_t i = 0; i < sizeof eve_keys / sizeof eve_keys[0]; i++)
        assert_non_null(json_object_get(r, eve_keys[i]));
    json_decref(r);
    free(text);
}

static void test_format_names(void **state)
{
    (void)state;
    assert_ptr_equal(output_format_named("eve"), &output_format_eve);
    assert_ptr_equal(output_format_named("json"), &output_format_json);
    assert_ptr_equal(output_format_named("text"), &output_format_text);
    assert_null(output_format_named("EVE"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_table_ids),    cmocka_unit_test(test_rows_by_tell),
        cmocka_unit_test(test_flow_id),      cmocka_unit_test(test_timestamp),
        cmocka_unit_test(test_alert_record), cmocka_unit_test(test_format_names),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
