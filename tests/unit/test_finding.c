/* secondsight - unit tests for findings and their JSON form (finding.c, output-json.c):
 * the documented key order, byte for byte, and the timestamp and address formats. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>
#include <pcap/dlt.h>

#include "finding.h"
#include "output.h"

#define SEC ((int64_t)1000000000)
/* 2015-04-20T10:11:12Z, the time of the examples in docs/json-schema.md */
#define DOC_T ((int64_t)1429524672 * SEC)

static void assert_ts(int64_t ns, const char *want)
{
    char buf[32];
    format_timestamp(buf, ns);
    assert_string_equal(buf, want);
}

static void test_format_timestamp(void **state)
{
    (void)state;
    assert_ts(DOC_T + 163456789, "2015-04-20T10:11:12.163456Z"); /* cut, not rounded */
    assert_ts(DOC_T + 999999999, "2015-04-20T10:11:12.999999Z");
    assert_ts(DOC_T, "2015-04-20T10:11:12.000000Z");
    assert_ts(DOC_T + 1000, "2015-04-20T10:11:12.000001Z");
    assert_ts(0, "1970-01-01T00:00:00.000000Z");
    assert_ts(-1, "1969-12-31T23:59:59.999999Z");
    assert_ts(-SEC, "1969-12-31T23:59:59.000000Z");
    assert_ts((int64_t)1709251199 * SEC + 999999999, "2024-02-29T23:59:59.999999Z");
    assert_ts(INT64_MAX, "2262-04-11T23:47:16.854775Z");
}

static void assert_ip(int v, const uint8_t *a, const char *want)
{
    char buf[46];
    format_ip(buf, v, a);
    assert_string_equal(buf, want);
}

static void test_format_ip(void **state)
{
    (void)state;
    static const uint8_t v4a[16] = {192, 0, 2, 1, 0xee, 0xee}; /* bytes after 4 ignored */
    static const uint8_t v4b[4] = {0, 0, 0, 0};
    static const uint8_t v4c[4] = {255, 255, 255, 255};
    static const uint8_t v6a[16] = {0x20, 0x01, 0x0d, 0xb8, [15] = 0x01};
    static const uint8_t v6b[16] = {0};
    static const uint8_t v6c[16] = {[10] = 0xff, [11] = 0xff, 192, 0, 2, 1};
    static const uint8_t v6d[16] = {0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1};
    static const uint8_t v6e[16] = {0x20, 0x01, 0x0d, 0xb8, [9] = 1, [15] = 1};
    static const uint8_t v6f[16] = {0xfe, 0x80, [8] = 0x02, 0x00, 0x86, 0xff,
                                    0xfe, 0x05, 0x80, 0xda};
    assert_ip(4, v4a, "192.0.2.1");
    assert_ip(4, v4b, "0.0.0.0");
    assert_ip(4, v4c, "255.255.255.255");
    assert_ip(6, v6a, "2001:db8::1");
    assert_ip(6, v6b, "::");
    assert_ip(6, v6c, "::ffff:192.0.2.1");
    assert_ip(6, v6d, "2001:db8:0:1:1:1:1:1"); /* RFC 5952: a lone zero is not "::" */
    assert_ip(6, v6e, "2001:db8::1:0:0:1");    /* the first longest run is compressed */
    assert_ip(6, v6f, "fe80::200:86ff:fe05:80da");
}

static void test_names(void **state)
{
    (void)state;
    assert_string_equal(proto_name(IPPROTO_NUM_TCP), "tcp");
    assert_string_equal(proto_name(IPPROTO_NUM_UDP), "udp");
    assert_string_equal(proto_name(IPPROTO_NUM_ICMP), "icmp");
    assert_string_equal(proto_name(IPPROTO_NUM_ICMPV6), "ipv6-icmp");
    assert_string_equal(proto_name(47), "ip");
    assert_string_equal(confidence_name(CONF_LOW), "low");
    assert_string_equal(confidence_name(CONF_MEDIUM), "medium");
    assert_string_equal(confidence_name(CONF_HIGH), "high");
    assert_string_equal(linktype_name(DLT_EN10MB), "EN10MB");
    assert_string_equal(linktype_name(-1), "unknown");
}

/* ---- findings ---- */

static void set_flow4(struct finding *f, uint8_t proto, const uint8_t src[4], uint16_t sport,
                      const uint8_t dst[4], uint16_t dport)
{
    f->ip_version = 4;
    f->proto = proto;
    memcpy(f->src_ip, src, 4);
    memcpy(f->dst_ip, dst, 4);
    f->sport = sport;
    f->dport = dport;
}

/* The writer under test; the teardown releases it even when an assertion jumps out. */
static struct jw w;

static int jw_teardown(void **state)
{
    (void)state;
    jw_release(&w);
    return 0;
}

static void assert_finding_json(const struct finding *f, const struct run_stats *s,
                                const char *want)
{
    jw_reset(&w);
    json_finding(&w, f, s);
    assert_false(w.err);
    assert_int_equal(w.depth, 0);
    assert_string_equal(w.buf, want);
}

/* The two alert lines of docs/json-schema.md's example, byte for byte. */
static void test_json_finding_doc_examples(void **state)
{
    (void)state;
    struct file_stats files[1];
    memset(files, 0, sizeof files);
    files[0].path = "marker.pcap";
    struct run_stats s;
    memset(&s, 0, sizeof s);
    s.nfiles = 1;
    s.files = files;

    static const uint8_t server[4] = {198, 51, 100, 80}, client[4] = {192, 0, 2, 10};
    static const uint8_t dns[4] = {192, 0, 2, 53};
    struct finding f;
    memset(&f, 0, sizeof f);
    f.class_name = "test_marker";
    f.confidence = CONF_LOW;
    f.ts_ns = DOC_T + 163456000;
    snprintf(f.summary, sizeof f.summary, "test marker in a 30-byte payload");
    set_flow4(&f, IPPROTO_NUM_TCP, server, 80, client, 51234);
    finding_add_frame(&f, FRAME_REF(0, 5), 0);
    finding_evidence_int(&f, "payload_len", 30);
    finding_evidence_int(&f, "stream_pos", 0);
    assert_finding_json(&f, &s,
        "{\"timestamp\":\"2015-04-20T10:11:12.163456Z\",\"event_type\":\"alert\","
        "\"class\":\"test_marker\",\"confidence\":\"low\","
        "\"summary\":\"test marker in a 30-byte payload\","
        "\"flow\":{\"proto\":\"tcp\",\"src_ip\":\"198.51.100.80\",\"src_port\":80,"
        "\"dest_ip\":\"192.0.2.10\",\"dest_port\":51234,"
        "\"community_id\":\"1:kWwCQ3CczyLVXOvs6zfG8R1W5TY=\"},"
        "\"evidence\":{\"pcap\":\"marker.pcap\",\"frames\":[5],\"forged_frames\":[],"
        "\"payload_len\":30,\"stream_pos\":0}}");

    memset(&f, 0, sizeof f);
    f.class_name = "test_marker";
    f.confidence = CONF_LOW;
    f.ts_ns = DOC_T + 173456000;
    snprintf(f.summary, sizeof f.summary, "test marker in a 27-byte payload");
    set_flow4(&f, IPPROTO_NUM_UDP, dns, 53, client, 40000);
    finding_add_frame(&f, FRAME_REF(0, 6), 0);
    finding_evidence_int(&f, "payload_len", 27);
    assert_finding_json(&f, &s,
        "{\"timestamp\":\"2015-04-20T10:11:12.173456Z\",\"event_type\":\"alert\","
        "\"class\":\"test_marker\",\"confidence\":\"low\","
        "\"summary\":\"test marker in a 27-byte payload\","
        "\"flow\":{\"proto\":\"udp\",\"src_ip\":\"192.0.2.53\",\"src_port\":53,"
        "\"dest_ip\":\"192.0.2.10\",\"dest_port\":40000,"
        "\"community_id\":\"1:vWNiYU/L2LZ8UOFqxS1xrqhdIFk=\"},"
        "\"evidence\":{\"pcap\":\"marker.pcap\",\"frames\":[6],\"forged_frames\":[],"
        "\"payload_len\":27}}");
}

/* Every field type, escaping in summary and values, frames of other files left out,
 * and `app` present because it has fields. */
static void test_json_finding_every_field_type(void **state)
{
    (void)state;
    struct file_stats files[2];
    memset(files, 0, sizeof files);
    files[0].path = "a.pcap";
    files[1].path = "dir/b \"q\".pcap";
    struct run_stats s;
    memset(&s, 0, sizeof s);
    s.nfiles = 2;
    s.files = files;

    static const uint8_t a[4] = {1, 2, 3, 4}, b[4] = {5, 6, 7, 8};
    struct finding f;
    memset(&f, 0, sizeof f);
    f.class_name = "tcp_injection";
    f.confidence = CONF_HIGH;
    f.ts_ns = DOC_T;
    f.file_index = 1;
    snprintf(f.summary, sizeof f.summary, "a \"forged\" segment\n\x01");
    set_flow4(&f, IPPROTO_NUM_TCP, a, 1122, b, 3344);
    finding_add_frame(&f, FRAME_REF(1, 5), 0);
    finding_add_frame(&f, FRAME_REF(0, 9), 0);  /* another file: not listed */
    finding_add_frame(&f, FRAME_REF(1, 7), 1);
    finding_add_frame(&f, FRAME_REF(1, 7), 1);  /* twice: kept once */
    finding_evidence_int(&f, "overlap", -3);
    finding_evidence_str(&f, "note", "caf\xc3\xa9 \xff");
    /* A list (util-strlist.h): an item may hold a comma. */
    finding_evidence_list(&f, "tells", "ttl\0ip_id\0a,b\0window\0");
    struct finding_field *fl = finding_evidence_int(&f, "after_close", 1);
    fl->type = FIELD_BOOL;
    fl = finding_evidence_str(&f, "empty", "");
    fl->type = FIELD_STR_LIST;
    finding_app_str(&f, "proto", "http");
    finding_app_int(&f, "status", 302);
    assert_finding_json(&f, &s,
        "{\"timestamp\":\"2015-04-20T10:11:12.000000Z\",\"event_type\":\"alert\","
        "\"class\":\"tcp_injection\",\"confidence\":\"high\","
        "\"summary\":\"a \\\"forged\\\" segment\\n\\u0001\","
        "\"flow\":{\"proto\":\"tcp\",\"src_ip\":\"1.2.3.4\",\"src_port\":1122,"
        "\"dest_ip\":\"5.6.7.8\",\"dest_port\":3344,"
        "\"community_id\":\"1:wCb3OG7yAFWelaUydu0D+125CLM=\"},"
        "\"evidence\":{\"pcap\":\"dir/b \\\"q\\\".pcap\",\"frames\":[5,7],"
        "\"forged_frames\":[7],\"overlap\":-3,\"note\":\"caf\xc3\xa9 \\u00ff\","
        "\"tells\":[\"ttl\",\"ip_id\",\"a,b\",\"window\"],\"after_close\":true,\"empty\":[]},"
        "\"app\":{\"proto\":\"http\",\"status\":302}}");
}

/* IPv6, a protocol without a name, and a file index past the run's files. */
static void test_json_finding_ipv6_other_proto(void **state)
{
    (void)state;
    struct run_stats s;
    memset(&s, 0, sizeof s);
    struct finding f;
    memset(&f, 0, sizeof f);
    f.class_name = "x";
    f.confidence = CONF_MEDIUM;
    f.ts_ns = 0;
    f.ip_version = 6;
    f.proto = 46; /* RSVP: no ports */
    f.src_ip[0] = 0x20, f.src_ip[1] = 0x01, f.src_ip[2] = 0x0d, f.src_ip[3] = 0xb8;
    f.src_ip[15] = 1;
    f.dst_ip[0] = 0xfe, f.dst_ip[1] = 0x80, f.dst_ip[15] = 2;
    f.file_index = 3;
    assert_finding_json(&f, &s,
        "{\"timestamp\":\"1970-01-01T00:00:00.000000Z\",\"event_type\":\"alert\","
        "\"class\":\"x\",\"confidence\":\"medium\",\"summary\":\"\","
        "\"flow\":{\"proto\":\"ip\",\"src_ip\":\"2001:db8::1\",\"src_port\":0,"
        "\"dest_ip\":\"fe80::2\",\"dest_port\":0,"
        "\"community_id\":\"1:tb3NC0vByDwV5upwH4bSwW8EaAg=\"},"
        "\"evidence\":{\"pcap\":\"\",\"frames\":[],\"forged_frames\":[]}}");
}

/* The helpers are bounded: full lists stay full, without writing past them. */
/* Lists are cut after a whole record with an ellipsis, never inside one ("A 54.172.14"
 * was the old cut, without a mark), within the bound they are given. */
static void test_clip_at_record_boundary(void **state)
{
    (void)state;
    char out[64];
    const char *list = "A 54.172.14.1,A 54.172.14.2,A 54.172.14.3";
    assert_string_equal(finding_clip(out, sizeof out, list, 60, ',', 0), list);
    assert_string_equal(finding_clip(out, sizeof out, list, 30, ',', 0),
                        "A 54.172.14.1,A 54.172.14.2" FINDING_ELLIPSIS);
    assert_true(strlen(out) <= 30);
    assert_string_equal(finding_clip(out, sizeof out, list, 29, ',', 0),
                        "A 54.172.14.1" FINDING_ELLIPSIS);
    /* The list was already incomplete: the ellipsis says so even when all fits. */
    assert_string_equal(finding_clip(out, sizeof out, "A 192.0.2.1", 60, ',', 1),
                        "A 192.0.2.1" FINDING_ELLIPSIS);
    /* One record longer than the bound: cut inside it, not inside a UTF-8 sequence. */
    assert_string_equal(finding_clip(out, sizeof out, "TXT abcdefghij", 10, ',', 0),
                        "TXT abc" FINDING_ELLIPSIS);
    assert_string_equal(finding_clip(out, sizeof out, "ab\xe2\x82\xac\xe2\x82\xac", 7, ',', 0),
                        "ab" FINDING_ELLIPSIS);
    /* A name is cut at a label; the bound is never passed, nor the buffer. */
    assert_string_equal(finding_clip(out, sizeof out, "www.login.example.org", 16, '.', 0),
                        "www.login" FINDING_ELLIPSIS);
    char tiny[8];
    finding_clip(tiny, sizeof tiny, list, 60, ',', 0);
    assert_true(strlen(tiny) <= 7);
    assert_string_equal(finding_clip(out, sizeof out, list, 2, ',', 0), "");
}

/* A summary is written within the documented 319 bytes whatever a detector made. */
static void test_summary_within_documented_length(void **state)
{
    (void)state;
    struct finding f;
    memset(&f, 0, sizeof f);
    for (size_t i = 0; i + 1 < sizeof f.summary; i++)
        f.summary[i] = i % 6 == 5 ? ' ' : 'w';
    char buf[FINDING_SUMMARY_MAX + 1];
    finding_summary(&f, buf);
    size_t n = strlen(buf);
    assert_true(n <= FINDING_SUMMARY_MAX);
    assert_string_equal(buf + n - 3, FINDING_ELLIPSIS);
    assert_int_equal(buf[n - 4], 'w'); /* after a whole word */
    assert_int_equal(n - 3, 311); /* 52 words of 5 and the spaces between them */
    strcpy(f.summary, "short");
    assert_string_equal(finding_summary(&f, buf), "short");
}

static void test_finding_helpers_bounded(void **state)
{
    (void)state;
    struct finding f;
    memset(&f, 0, sizeof f);
    for (unsigned i = 0; i < FINDING_MAX_FRAMES + 5; i++)
        finding_add_frame(&f, FRAME_REF(0, i + 1), 1);
    assert_int_equal(f.nframes, FINDING_MAX_FRAMES);
    assert_int_equal(f.nforged, FINDING_MAX_FRAMES);
    assert_int_equal(f.frames[FINDING_MAX_FRAMES - 1], FRAME_REF(0, FINDING_MAX_FRAMES));
    for (unsigned i = 0; i < FINDING_MAX_FIELDS; i++)
        assert_non_null(finding_evidence_int(&f, "k", i));
    assert_null(finding_evidence_int(&f, "k", 0));
    assert_null(finding_evidence_str(&f, "k", "v"));
    assert_int_equal(f.nevidence, FINDING_MAX_FIELDS);
    for (unsigned i = 0; i < 8; i++)
        assert_non_null(finding_app_int(&f, "k", i));
    assert_null(finding_app_str(&f, "k", "v"));
    assert_int_equal(f.napp, 8);

    /* A long string value is cut to the field, still NUL-terminated. */
    char big[400];
    memset(big, 'z', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    struct finding g;
    memset(&g, 0, sizeof g);
    struct finding_field *fl = finding_evidence_str(&g, "big", big);
    assert_int_equal(strlen(fl->s), sizeof fl->s - 1);

    /* finding_set_flow_from_packet copies the packet's view of the flow. */
    struct packet p;
    memset(&p, 0, sizeof p);
    p.ip_version = 4;
    p.proto = IPPROTO_NUM_UDP;
    p.ip_src[0] = 9;
    p.ip_dst[0] = 10;
    p.sport = 1;
    p.dport = 2;
    p.file_index = 4;
    p.ts_ns = 77;
    finding_set_flow_from_packet(&g, &p);
    assert_int_equal(g.ip_version, 4);
    assert_int_equal(g.proto, IPPROTO_NUM_UDP);
    assert_int_equal(g.src_ip[0], 9);
    assert_int_equal(g.dst_ip[0], 10);
    assert_int_equal(g.sport, 1);
    assert_int_equal(g.dport, 2);
    assert_int_equal(g.file_index, 4);
    assert_int_equal(g.ts_ns, 77);
}

/* ---- stats ---- */

static void assert_stats_json(const struct run_stats *s, const char *want)
{
    jw_reset(&w);
    json_stats(&w, s);
    assert_false(w.err);
    assert_int_equal(w.depth, 0);
    assert_string_equal(w.buf, want);
}

/* The event names docs/json-schema.md lists, in its order. New events may only be
 * appended after them (the stability rule), so this prefix never changes. */
static const char *const documented_events[] = {
    "link_truncated",        "vlan_too_deep",         "mpls_too_deep",
    "not_ip",                "ipv4_truncated",        "ipv4_invalid_version",
    "ipv4_invalid_hlen",     "ipv4_invalid_total_len", "ipv4_invalid_option",
    "ipv4_fragment",         "ipv6_truncated",        "ipv6_invalid_version",
    "ipv6_exthdr_truncated", "ipv6_too_many_exthdrs", "ipv6_fragment",
    "tcp_truncated",         "tcp_invalid_hlen",      "tcp_option_invalid",
    "udp_truncated",         "udp_invalid_len",       "icmp_truncated",
    "icmpv6_truncated",      "payload_snapped",       "link_padding",
};

static void test_decode_events_only_appended(void **state)
{
    (void)state;
    size_t n = sizeof documented_events / sizeof documented_events[0];
    assert_true(DEV__COUNT >= n);
    for (size_t i = 0; i < n; i++)
        assert_string_equal(decode_event_name((enum decode_event)i), documented_events[i]);
}

/* The decode_events object with every event, in enum order, at `first + i`. */
static const char *events_json(uint64_t first)
{
    static char buf[2048];
    size_t o = (size_t)snprintf(buf, sizeof buf, "\"decode_events\":{");
    for (int i = 0; i < DEV__COUNT; i++) {
        o += (size_t)snprintf(buf + o, sizeof buf - o, "%s\"%s\":%llu", i ? "," : "",
                              decode_event_name((enum decode_event)i),
                              (unsigned long long)(first ? first + (uint64_t)i : 0));
        assert_true(o < sizeof buf);
    }
    o += (size_t)snprintf(buf + o, sizeof buf - o, "}");
    assert_true(o < sizeof buf);
    return buf;
}

/* The stats record of docs/json-schema.md's example, as the one line it is. */
static void test_json_stats_doc_example(void **state)
{
    (void)state;
    struct flow_stats fs;
    memset(&fs, 0, sizeof fs);
    fs.created = 2;
    fs.active_peak = 2;
    fs.memory_peak = 2675976;
    struct file_stats file;
    memset(&file, 0, sizeof file);
    file.path = "marker.pcap";
    file.linktype = DLT_EN10MB;
    file.packets = 6;
    file.bytes = 387;
    file.findings = 2;
    struct run_stats s;
    memset(&s, 0, sizeof s);
    s.packets = 6;
    s.bytes = 387;
    s.findings = 2;
    s.ipv4 = 6;
    s.tcp = 5;
    s.udp = 1;
    s.last_ts = DOC_T + 173456000;
    s.flows = &fs;
    s.flows_active = 2;
    s.flow_memory = 2675976;
    s.nfiles = 1;
    s.files = &file;
    char want[4096];
    snprintf(want, sizeof want, "%s%s%s",
             "{\"timestamp\":\"2015-04-20T10:11:12.173456Z\",\"event_type\":\"stats\","
             "\"stats\":{\"packets\":6,\"bytes\":387,\"skipped\":0,\"findings\":2,"
             "\"ipv4\":6,\"ipv6\":0,\"tcp\":5,\"udp\":1,\"icmp\":0,\"other_proto\":0,"
             "\"not_ip\":0,\"fragments\":0,"
             "\"flows\":{\"created\":2,\"active\":2,\"active_peak\":2,\"expired\":0,"
             "\"evicted_count_cap\":0,\"evicted_memory_cap\":0,\"reused\":0,"
             "\"unverifiable_bytes\":0,\"seq_laps\":0,\"segment_log_forgotten\":0,\"alloc_failures\":0,\"untracked_packets\":0,\"memory_bytes\":2675976,"
             "\"memory_peak_bytes\":2675976},",
             events_json(0),
             ",\"files\":[{\"pcap\":\"marker.pcap\",\"linktype\":\"EN10MB\",\"packets\":6,"
             "\"bytes\":387,\"skipped\":0,\"findings\":2,\"error\":null}]}}");
    assert_stats_json(&s, want);
}

/* Every counter lands under its own key (distinct values), file errors are strings,
 * and a run that processed nothing has a null timestamp. */
static void test_json_stats_counters_and_errors(void **state)
{
    (void)state;
    struct flow_stats fs = {.created = 11, .expired = 12, .evicted_count = 13,
                            .evicted_memory = 14, .reused = 15, .alloc_failures = 16,
                            .active_peak = 17, .memory_peak = 18, .unverifiable_bytes = 24, .seq_laps = 25,
                            .segment_log_forgotten = 26};
    struct file_stats files[2];
    memset(files, 0, sizeof files);
    files[0].path = "trunc.pcap";
    files[0].linktype = DLT_EN10MB;
    files[0].packets = 3;
    files[0].bytes = 162;
    files[0].failed = 1;
    snprintf(files[0].error, sizeof files[0].error,
             "damaged at byte offset 234 after 3 good packets: truncated dump file");
    files[1].path = "missing.pcap";
    files[1].linktype = -1;
    files[1].failed = 1;
    snprintf(files[1].error, sizeof files[1].error, "No such file or directory");
    struct run_stats s;
    memset(&s, 0, sizeof s);
    s.packets = 1, s.bytes = 2, s.skipped = 3, s.ipv4 = 4, s.ipv6 = 5, s.tcp = 6;
    s.udp = 7, s.icmp = 8, s.other_proto = 9, s.not_ip = 10, s.fragments = 19;
    s.untracked = 20, s.findings = 21, s.flows_active = 22, s.flow_memory = 23;
    for (int i = 0; i < DEV__COUNT; i++)
        s.decode.events[i] = 100 + (uint64_t)i;
    s.last_ts = 0;
    s.flows = &fs;
    s.nfiles = 2;
    s.files = files;

    jw_reset(&w);
    json_stats(&w, &s);
    assert_false(w.err);
    const char *want_head =
        "{\"timestamp\":null,\"event_type\":\"stats\","
        "\"stats\":{\"packets\":1,\"bytes\":2,\"skipped\":3,\"findings\":21,"
        "\"ipv4\":4,\"ipv6\":5,\"tcp\":6,\"udp\":7,\"icmp\":8,\"other_proto\":9,"
        "\"not_ip\":10,\"fragments\":19,"
        "\"flows\":{\"created\":11,\"active\":22,\"active_peak\":17,\"expired\":12,"
        "\"evicted_count_cap\":13,\"evicted_memory_cap\":14,\"reused\":15,"
        "\"unverifiable_bytes\":24,\"seq_laps\":25,\"segment_log_forgotten\":26,\"alloc_failures\":16,\"untracked_packets\":20,\"memory_bytes\":23,"
        "\"memory_peak_bytes\":18},";
    assert_memory_equal(w.buf, want_head, strlen(want_head));
    const char *events = events_json(100);
    assert_memory_equal(w.buf + strlen(want_head), events, strlen(events));
    const char *want_tail =
        ",\"files\":[{\"pcap\":\"trunc.pcap\",\"linktype\":\"EN10MB\",\"packets\":3,"
        "\"bytes\":162,\"skipped\":0,\"findings\":0,\"error\":\"damaged at byte offset 234 "
        "after 3 good packets: truncated dump file\"},"
        "{\"pcap\":\"missing.pcap\",\"linktype\":\"unknown\",\"packets\":0,\"bytes\":0,"
        "\"skipped\":0,\"findings\":0,\"error\":\"No such file or directory\"}]}}";
    assert_int_equal(w.len, strlen(want_head) + strlen(events) + strlen(want_tail));
    assert_string_equal(w.buf + w.len - strlen(want_tail), want_tail);

    /* No files at all: an empty array. */
    s.nfiles = 0;
    jw_reset(&w);
    json_stats(&w, &s);
    assert_non_null(strstr(w.buf, "\"files\":[]}}"));
}

/* A capture whose packets carry time 0 (generated captures often do) was processed:
 * its stats timestamp is the epoch, not null ("null when no packet was processed"). */
static void test_json_stats_timestamp_zero_time(void **state)
{
    (void)state;
    struct flow_stats fs;
    memset(&fs, 0, sizeof fs);
    struct run_stats s;
    memset(&s, 0, sizeof s);
    s.packets = 2;
    s.ipv4 = 2;
    s.last_ts = 0;
    s.flows = &fs;
    jw_reset(&w);
    json_stats(&w, &s);
    const char *want = "{\"timestamp\":\"1970-01-01T00:00:00.000000Z\",";
    assert_memory_equal(w.buf, want, strlen(want));

    /* Only skipped packets: nothing was processed. */
    s.skipped = 2;
    s.ipv4 = 0;
    jw_reset(&w);
    json_stats(&w, &s);
    want = "{\"timestamp\":null,";
    assert_memory_equal(w.buf, want, strlen(want));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_teardown(test_format_timestamp, jw_teardown),
        cmocka_unit_test_teardown(test_format_ip, jw_teardown),
        cmocka_unit_test_teardown(test_names, jw_teardown),
        cmocka_unit_test_teardown(test_json_finding_doc_examples, jw_teardown),
        cmocka_unit_test_teardown(test_json_finding_every_field_type, jw_teardown),
        cmocka_unit_test_teardown(test_json_finding_ipv6_other_proto, jw_teardown),
        cmocka_unit_test_teardown(test_finding_helpers_bounded, jw_teardown),
        cmocka_unit_test_teardown(test_decode_events_only_appended, jw_teardown),
        cmocka_unit_test_teardown(test_json_stats_doc_example, jw_teardown),
        cmocka_unit_test_teardown(test_json_stats_counters_and_errors, jw_teardown),
        cmocka_unit_test_teardown(test_json_stats_timestamp_zero_time, jw_teardown),
        cmocka_unit_test(test_clip_at_record_boundary),
        cmocka_unit_test(test_summary_within_documented_length),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
