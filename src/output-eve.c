/* secondsight - Suricata EVE JSON lines: findings as EVE `alert` events, diff's
 * conversations as `flow` events and the run's counters as a `stats` event, so that a
 * pipeline built for Suricata (Filebeat's suricata module, Logstash, Security Onion)
 * takes them as they are. What only secondsight says goes under one top-level key,
 * "secondsight" (docs/json-schema.md, "EVE output", is the contract). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "output.h"
#include "util-cid.h"
#include "util-hash.h"
#include "util-strlist.h"

/* The signature table: one signature id per class and tell, in 8880000-8880999, never
 * renumbered (dashboards and alert rules key on them). A finding takes the row of its
 * class and tell (eve_tell), else its class's own row. Categories are the texts of
 * Suricata's classification.config. */
static const struct eve_signature signatures[] = {
    {8880000, "test_marker", NULL, "SECONDSIGHT TEST marker payload (test detector)",
     "Not Suspicious Traffic"},
    {8880100, "tcp_injection", NULL, "SECONDSIGHT TCP injection: two copies of stream bytes differ",
     "Misc Attack"},
    {8880101, "tcp_injection", "seconddate_template",
     "SECONDSIGHT TCP injection: forged HTTP reply in SecondDate's template",
     "A Network Trojan was detected"},
    {8880102, "tcp_injection", "empty_redirect",
     "SECONDSIGHT TCP injection: forged HTTP redirect without a body (Quantum Insert)",
     "A Network Trojan was detected"},
    {8880103, "tcp_injection", "iframe_1x1",
     "SECONDSIGHT TCP injection: forged HTTP page with a 1x1 iframe",
     "A Network Trojan was detected"},
    {8880104, "tcp_injection", "iframe",
     "SECONDSIGHT TCP injection: forged HTTP page with an iframe", "A Network Trojan was detected"},
    {8880105, "tcp_injection", "script",
     "SECONDSIGHT TCP injection: forged HTTP page with a script", "A Network Trojan was detected"},
    {8880106, "tcp_injection", "meta_refresh",
     "SECONDSIGHT TCP injection: forged HTTP page with a meta refresh",
     "A Network Trojan was detected"},
    {8880107, "tcp_injection", "reload", "SECONDSIGHT TCP injection: forged HTTP page that reloads",
     "A Network Trojan was detected"},
    {8880108, "tcp_injection", "http", "SECONDSIGHT TCP injection: forged HTTP response",
     "Misc Attack"},
    {8880109, "tcp_injection", "dns", "SECONDSIGHT TCP injection: forged DNS answer over TCP",
     "Misc Attack"},
    {8880110, "tcp_injection", "fin_with_data",
     "SECONDSIGHT TCP injection: forged segment with FIN and data", "Misc Attack"},
    {8880200, "forged_packet", NULL, "SECONDSIGHT forged packet: headers unlike its sender's",
     "Misc Attack"},
    {8880201, "forged_packet", "seconddate_template",
     "SECONDSIGHT forged packet: HTTP reply in SecondDate's template",
     "A Network Trojan was detected"},
    {8880202, "forged_packet", "empty_redirect",
     "SECONDSIGHT forged packet: HTTP redirect without a body (Quantum Insert)",
     "A Network Trojan was detected"},
    {8880203, "forged_packet", "iframe_1x1",
     "SECONDSIGHT forged packet: HTTP page with a 1x1 iframe", "A Network Trojan was detected"},
    {8880204, "forged_packet", "iframe", "SECONDSIGHT forged packet: HTTP page with an iframe",
     "A Network Trojan was detected"},
    {8880205, "forged_packet", "script", "SECONDSIGHT forged packet: HTTP page with a script",
     "A Network Trojan was detected"},
    {8880206, "forged_packet", "meta_refresh",
     "SECONDSIGHT forged packet: HTTP page with a meta refresh", "A Network Trojan was detected"},
    {8880207, "forged_packet", "reload", "SECONDSIGHT forged packet: HTTP page that reloads",
     "A Network Trojan was detected"},
    {8880208, "forged_packet", "http", "SECONDSIGHT forged packet: HTTP response", "Misc Attack"},
    {8880209, "forged_packet", "dns", "SECONDSIGHT forged packet: DNS answer over TCP",
     "Misc Attack"},
    {8880210, "forged_packet", "fin_with_data", "SECONDSIGHT forged packet: FIN with data",
     "Misc Attack"},
    {8880300, "handshake_hijack", NULL,
     "SECONDSIGHT handshake hijack: two SYN/ACKs with different ISNs for one SYN", "Misc Attack"},
    {8880400, "tcp_reset_injection", NULL, "SECONDSIGHT forged TCP teardown",
     "Attempted Denial of Service"},
    {8880401, "tcp_reset_injection", "sender_alive_after_teardown",
     "SECONDSIGHT forged TCP teardown: the closing side kept sending",
     "Attempted Denial of Service"},
    {8880402, "tcp_reset_injection", "teardown_before_synack",
     "SECONDSIGHT forged TCP teardown: refused a SYN the server then accepted",
     "Attempted Denial of Service"},
    {8880403, "tcp_reset_injection", "rst_seq_jump",
     "SECONDSIGHT forged TCP reset: RSTs spraying the receive window",
     "Attempted Denial of Service"},
    {8880404, "tcp_reset_injection", "rst_ack_change",
     "SECONDSIGHT forged TCP reset: back-to-back RSTs acknowledging different numbers",
     "Attempted Denial of Service"},
    {8880405, "tcp_reset_injection", "fingerprint",
     "SECONDSIGHT forged TCP teardown: headers unlike its sender's", "Attempted Denial of Service"},
    {8880500, "dns_injection", NULL,
     "SECONDSIGHT DNS injection: two answers to one query, the forged one named", "Misc Attack"},
    {8880501, "dns_injection", "undetermined",
     "SECONDSIGHT DNS injection: two different answers to one query", "Misc Attack"},
    {8880502, "dns_injection", "lone",
     "SECONDSIGHT DNS injection: a lone answer unlike its resolver's", "Potentially Bad Traffic"},
    {8880600, "fragment_injection", NULL,
     "SECONDSIGHT fragment injection: IP fragments overlap with different bytes",
     "Potentially Bad Traffic"},
    {8880700, "device_modified", NULL, "SECONDSIGHT diff: the device altered a packet it forwarded",
     "Misc Attack"},
    {8880800, "device_injected", NULL,
     "SECONDSIGHT diff: the device sent a packet in another host's name",
     "A Network Trojan was detected"},
    {8880900, "device_dropped", NULL, "SECONDSIGHT diff: the device dropped a packet",
     "Potentially Bad Traffic"},
    {8880999, NULL, NULL, "SECONDSIGHT finding of a class without a signature of its own",
     "Misc activity"},
};

#define EVE_SIGNATURES (sizeof signatures / sizeof signatures[0])

/* What the forged content was, most telling first: the first of these among app.tells
 * picks the row. */
static const char *const content_tells[] = {
    "seconddate_template", "empty_redirect", "iframe_1x1", "iframe", "script",
    "meta_refresh",        "reload",
};

const struct eve_signature *eve_signatures(unsigned *n)
{
    *n = (unsigned)EVE_SIGNATURES;
    return signatures;
}

static const char *field_str(const struct finding_field *fl, unsigned n, const char *key)
{
    const struct finding_field *x = finding_field_get(fl, n, key);
    return x && x->type == FIELD_STR ? x->s : NULL;
}

/* The list (util-strlist.h) under `key`, or NULL. */
static const char *field_list(const struct finding_field *fl, unsigned n, const char *key)
{
    const struct finding_field *x = finding_field_get(fl, n, key);
    return x && x->type == FIELD_STR_LIST ? x->s : NULL;
}

/* Whether the list (util-strlist.h) holds `word`. */
static int list_has(const char *list, const char *word)
{
    for (const char *p = list; p && *p; p = strlist_next(p))
        if (!strcmp(p, word))
            return 1;
    return 0;
}

/* The tell that picks a finding's row: a teardown's signal, a DNS race's verdict when
 * it is not decided, or what the forged content was. NULL: the class's own row. */
static const char *eve_tell(const struct finding *f)
{
    const char *signal = field_str(f->evidence, f->nevidence, "signal");
    if (signal)
        return signal;
    const char *verdict = field_str(f->evidence, f->nevidence, "verdict");
    if (!strcmp(f->class_name, "dns_injection") && verdict && strcmp(verdict, "decided"))
        return verdict;
    const char *tells = field_list(f->app, f->napp, "tells");
    for (size_t i = 0; tells && i < sizeof content_tells / sizeof content_tells[0]; i++)
        if (list_has(tells, content_tells[i]))
            return content_tells[i];
    const char *proto = field_str(f->app, f->napp, "proto");
    if (proto && (!strcmp(proto, "http") || !strcmp(proto, "dns")))
        return proto;
    if (tells && list_has(tells, "fin_with_data"))
        return "fin_with_data";
    return NULL;
}

const struct eve_signature *eve_signature_of(const struct finding *f)
{
    const char *tell = eve_tell(f);
    const struct eve_signature *own = &signatures[EVE_SIGNATURES - 1];
    for (size_t i = 0; i < EVE_SIGNATURES - 1; i++) {
        const struct eve_signature *g = &signatures[i];
        if (strcmp(g->class_name, f->class_name))
            continue;
        if (!g->tell)
            own = g;
        else if (tell && !strcmp(g->tell, tell))
            return g;
    }
    return own;
}

uint64_t eve_flow_id(const char *community_id)
{
    /* A fixed key: the same flow has the same id on every run and every sensor. 51 bits,
     * so that JavaScript readers (Kibana) hold it exactly. */
    static const uint64_t key[2] = {0x6576652d666c6f77ull, 0x7365636f6e647369ull};
    return siphash13(key, community_id, strlen(community_id)) & ((1ull << 51) - 1);
}

/* EVE's protocol names (Suricata's), the number for others. */
static const char *eve_proto(uint8_t proto, char buf[4])
{
    switch (proto) {
    case IPPROTO_NUM_TCP:
        return "TCP";
    case IPPROTO_NUM_UDP:
        return "UDP";
    case IPPROTO_NUM_ICMP:
        return "ICMP";
    case IPPROTO_NUM_ICMPV6:
        return "IPv6-ICMP";
    default:
        snprintf(buf, 4, "%u", proto);
        return buf;
    }
}

/* timestamp, flow_id, in_iface (live) or pcap_filename, as every EVE record starts; the
 * community id of the flow into cid. */
static void eve_head(struct output *o, int64_t ts_ns, const char *cid, uint32_t source)
{
    struct jw *w = &o->jw;
    char ts[40];
    format_timestamp_eve(ts, ts_ns);
    jw_key(w, "timestamp");
    jw_string(w, ts);
    jw_key(w, "flow_id");
    jw_uint(w, eve_flow_id(cid));
    const struct run_stats *s = o->stats;
    if (s && source < s->nfiles && s->files[source].path) {
        jw_key(w, s->capture ? "in_iface" : "pcap_filename");
        jw_string(w, s->files[source].path);
    }
}

/* event_type, the 5-tuple, community_id and host. */
static void eve_tuple(struct output *o, const char *event_type, uint8_t v, uint8_t proto,
                      const uint8_t *src_ip, uint16_t sport, const uint8_t *dst_ip, uint16_t dport,
                      const char *cid)
{
    struct jw *w = &o->jw;
    char src[46], dst[46], num[4];
    int ports = proto == IPPROTO_NUM_TCP || proto == IPPROTO_NUM_UDP;
    format_ip(src, v, src_ip);
    format_ip(dst, v, dst_ip);
    jw_key(w, "event_type");
    jw_string(w, event_type);
    jw_key(w, "src_ip");
    jw_string(w, src);
    if (ports) {
        jw_key(w, "src_port");
        jw_uint(w, sport);
    }
    jw_key(w, "dest_ip");
    jw_string(w, dst);
    if (ports) {
        jw_key(w, "dest_port");
        jw_uint(w, dport);
    }
    jw_key(w, "proto");
    jw_string(w, eve_proto(proto, num));
    jw_key(w, "community_id");
    jw_string(w, cid);
    jw_key(w, "host");
    jw_string(w, o->sensor);
}

/* The latest frame of its own file a finding cites: EVE's pcap_cnt. 0 when none. */
static uint64_t finding_last_frame(const struct finding *f)
{
    uint64_t last = 0;
    for (unsigned i = 0; i < f->nframes; i++)
        if (FRAME_REF_FILE(f->frames[i]) == f->file_index && FRAME_REF_FRAME(f->frames[i]) > last)
            last = FRAME_REF_FRAME(f->frames[i]);
    return last;
}

static void string_array(struct jw *w, const char *const *v, unsigned n)
{
    jw_array_begin(w);
    for (unsigned i = 0; i < n; i++)
        jw_string(w, v[i]);
    jw_array_end(w);
}

/* Adds each item of the list (util-strlist.h) to tags (at most `max`). */
static unsigned add_tags(const char **tags, unsigned n, unsigned max, const char *list,
                         char (*store)[48])
{
    for (const char *p = list; p && *p && n < max; p = strlist_next(p)) {
        size_t len = strlen(p);
        if (len < 48) {
            memcpy(store[n], p, len + 1);
            tags[n] = store[n];
            n++;
        }
    }
    return n;
}

static void eve_alert(struct jw *w, const struct finding *f)
{
    static const char *const severity_names[] = {"Informational", "Minor", "Major"};
    const struct eve_signature *g = eve_signature_of(f);
    jw_key(w, "alert");
    jw_object_begin(w);
    jw_key(w, "action");
    jw_string(w, "allowed");
    jw_key(w, "gid");
    jw_uint(w, 1);
    jw_key(w, "signature_id");
    jw_uint(w, g->sid);
    jw_key(w, "rev");
    jw_uint(w, 1);
    jw_key(w, "signature");
    jw_string(w, g->signature);
    jw_key(w, "category");
    jw_string(w, g->category);
    jw_key(w, "severity");
    jw_uint(w, f->confidence == CONF_HIGH ? 1 : f->confidence == CONF_MEDIUM ? 2 : 3);
    /* Only keys Suricata's schema knows for rule metadata: the class and the tells go
     * in `tag`. */
    jw_key(w, "metadata");
    jw_object_begin(w);
    jw_key(w, "signature_severity");
    string_array(w, &severity_names[f->confidence], 1);
    char store[16][48];
    const char *tags[16];
    unsigned n = 0;
    tags[n++] = "secondsight";
    tags[n++] = f->class_name;
    const char *signal = field_str(f->evidence, f->nevidence, "signal");
    if (signal)
        tags[n++] = signal;
    n = add_tags(tags, n, 16, field_list(f->app, f->napp, "tells"), store);
    jw_key(w, "tag");
    string_array(w, tags, n);
    jw_object_end(w);
    jw_object_end(w);
}

static const char *dns_rcode_name(int64_t rcode, char buf[8])
{
    static const char *const names[] = {"NOERROR",  "FORMERR", "SERVFAIL",
                                        "NXDOMAIN", "NOTIMP",  "REFUSED"};
    if (rcode >= 0 && rcode < 6)
        return names[rcode];
    snprintf(buf, 8, "%u", (unsigned)(rcode & 0xffff));
    return buf;
}

static const char *dns_type_name(int64_t t, char buf[12])
{
    static const struct {
        int code;
        const char *name;
    } types[] = {{1, "A"},    {2, "NS"},    {5, "CNAME"}, {6, "SOA"},    {12, "PTR"}, {15, "MX"},
                 {16, "TXT"}, {28, "AAAA"}, {33, "SRV"},  {65, "HTTPS"}, {255, "ANY"}};
    for (size_t i = 0; i < sizeof types / sizeof types[0]; i++)
        if (types[i].code == t)
            return types[i].name;
    snprintf(buf, 12, "TYPE%u", (unsigned)(t & 0xffff));
    return buf;
}

/* EVE's dns object for an alert on an answer (as Suricata 7 writes it): the forged
 * answer's records when one is named, else the first answer's. */
static void eve_dns(struct jw *w, const struct finding *f)
{
    const char *qname = field_str(f->app, f->napp, "qname");
    const char *records = field_list(f->app, f->napp, "forged_answer");
    const struct finding_field *rc = finding_field_get(f->app, f->napp, "rcode");
    int64_t rcode = rc && rc->type == FIELD_INT ? rc->i : 0;
    const struct finding_answer *a = NULL;
    for (unsigned i = 0; i < f->nanswers; i++)
        if (!a || (f->answers[i].role && !strcmp(f->answers[i].role, "forged")))
            a = &f->answers[i];
    if (a && !rc)
        rcode = a->rcode;
    if (!records && a)
        records = a->records;
    char buf[12];
    jw_key(w, "dns");
    jw_object_begin(w);
    jw_key(w, "version");
    jw_uint(w, 2);
    jw_key(w, "answer");
    jw_object_begin(w);
    jw_key(w, "version");
    jw_uint(w, 2);
    jw_key(w, "type");
    jw_string(w, "answer");
    const char *qid = field_str(f->evidence, f->nevidence, "query_id");
    if (qid) {
        jw_key(w, "id");
        jw_uint(w, strtoul(qid, NULL, 16));
    }
    jw_key(w, "qr");
    jw_bool(w, 1);
    if (qname) {
        jw_key(w, "rrname");
        jw_string(w, qname);
    }
    const struct finding_field *qtype = finding_field_get(f->evidence, f->nevidence, "qtype");
    if (qtype && qtype->type == FIELD_INT) {
        jw_key(w, "rrtype");
        jw_string(w, dns_type_name(qtype->i, buf));
    }
    jw_key(w, "rcode");
    jw_string(w, dns_rcode_name(rcode, buf));
    if (records && *records) {
        /* Items "A 192.0.2.1", "CNAME x.example": each record's type, then its data. */
        jw_key(w, "answers");
        jw_array_begin(w);
        for (const char *p = records; *p; p = strlist_next(p)) {
            size_t len = strlen(p);
            const char *space = memchr(p, ' ', len);
            jw_object_begin(w);
            jw_key(w, "rrtype");
            jw_string_n(w, p, space ? (size_t)(space - p) : len);
            jw_key(w, "rdata");
            jw_string_n(w, space ? space + 1 : p + len, space ? len - (size_t)(space - p) - 1 : 0);
            jw_object_end(w);
        }
        jw_array_end(w);
    }
    jw_object_end(w);
    jw_object_end(w);
}

/* app_proto and EVE's http or dns object, when the finding's app says which. */
static void eve_app(struct jw *w, const struct finding *f)
{
    const char *proto = field_str(f->app, f->napp, "proto");
    if (!proto || (strcmp(proto, "http") && strcmp(proto, "dns")))
        return;
    jw_key(w, "app_proto");
    jw_string(w, proto);
    if (!strcmp(proto, "dns")) {
        eve_dns(w, f);
        return;
    }
    jw_key(w, "http");
    jw_object_begin(w);
    const struct finding_field *status = finding_field_get(f->app, f->napp, "status");
    if (status && status->type == FIELD_INT) {
        jw_key(w, "status");
        jw_int(w, status->i);
    }
    const char *location = field_str(f->app, f->napp, "location");
    if (location) {
        jw_key(w, "redirect");
        jw_string(w, location);
    }
    /* the victim's request the forged response answers, under Suricata's names */
    static const char *const request[][2] = {
        {"host", "hostname"}, {"url", "url"}, {"method", "http_method"}};
    for (size_t i = 0; i < sizeof request / sizeof request[0]; i++) {
        const char *v = field_str(f->app, f->napp, request[i][0]);
        if (v) {
            jw_key(w, request[i][1]);
            jw_string(w, v);
        }
    }
    jw_object_end(w);
}

static int eve_write_finding(struct output *o, const struct finding *f)
{
    struct jw *w = &o->jw;
    char cid[COMMUNITY_ID_LEN];
    community_id_v1(cid, 0, f->ip_version, f->src_ip, f->dst_ip, f->proto, f->sport, f->dport);
    jw_reset(w);
    jw_object_begin(w);
    eve_head(o, f->ts_ns, cid, f->file_index);
    uint64_t cnt = finding_last_frame(f);
    if (cnt) {
        jw_key(w, "pcap_cnt");
        jw_uint(w, cnt);
    }
    eve_tuple(o, "alert", f->ip_version, f->proto, f->src_ip, f->sport, f->dst_ip, f->dport, cid);
    eve_alert(w, f);
    eve_app(w, f);
    jw_key(w, "secondsight");
    jw_object_begin(w);
    json_finding_keys(w, f, o->stats);
    jw_object_end(w);
    jw_object_end(w);
    return output_write_record(o);
}

/* diff's conversation with a finding: an EVE `flow` event. */
static int eve_write_device_flow(struct output *o, const struct device_flow *d)
{
    struct jw *w = &o->jw;
    char cid[COMMUNITY_ID_LEN], ts[40];
    community_id_v1(cid, 0, d->ip_version, d->src_ip, d->dst_ip, d->proto, d->sport, d->dport);
    jw_reset(w);
    jw_object_begin(w);
    eve_head(o, d->first_ns, cid, UINT32_MAX);
    eve_tuple(o, "flow", d->ip_version, d->proto, d->src_ip, d->sport, d->dst_ip, d->dport, cid);
    jw_key(w, "flow");
    jw_object_begin(w);
    jw_key(w, "start");
    format_timestamp_eve(ts, d->first_ns);
    jw_string(w, ts);
    jw_key(w, "end");
    format_timestamp_eve(ts, d->last_ns);
    jw_string(w, ts);
    jw_key(w, "alerted");
    jw_bool(w, 1);
    jw_object_end(w);
    jw_key(w, "secondsight");
    jw_object_begin(w);
    json_device_flow_keys(w, d);
    jw_object_end(w);
    jw_object_end(w);
    return output_write_record(o);
}

static void uint_key(struct jw *w, const char *key, uint64_t v)
{
    jw_key(w, key);
    jw_uint(w, v);
}

/* The counters Suricata's stats event has under the same names; ours in full under
 * "secondsight". */
static int eve_write_stats(struct output *o, const struct run_stats *s)
{
    struct jw *w = &o->jw;
    char ts[40];
    int64_t first = 0;
    int has_first = 0;
    for (uint32_t i = 0; i < s->nfiles; i++)
        if (s->files[i].packets && (!has_first || s->files[i].first_ts < first)) {
            first = s->files[i].first_ts;
            has_first = 1;
        }
    int has_time = s->packets > s->skipped;
    int64_t now_ns = s->last_ts;
    if (!has_time) {
        /* EVE has no record without a time: with no packet, the time it is written. */
        struct timespec now;
        clock_gettime(CLOCK_REALTIME, &now);
        now_ns = (int64_t)now.tv_sec * 1000000000 + now.tv_nsec;
    }
    jw_reset(w);
    jw_object_begin(w);
    jw_key(w, "timestamp");
    format_timestamp_eve(ts, now_ns);
    jw_string(w, ts);
    jw_key(w, "event_type");
    jw_string(w, "stats");
    jw_key(w, "host");
    jw_string(w, o->sensor);
    jw_key(w, "stats");
    jw_object_begin(w);
    int64_t span = has_time && has_first && s->last_ts > first ? s->last_ts - first : 0;
    uint_key(w, "uptime", (uint64_t)span / 1000000000);
    jw_key(w, "decoder");
    jw_object_begin(w);
    uint_key(w, "pkts", s->packets);
    uint_key(w, "bytes", s->bytes);
    uint_key(w, "ipv4", s->ipv4);
    uint_key(w, "ipv6", s->ipv6);
    uint_key(w, "tcp", s->tcp);
    uint_key(w, "udp", s->udp);
    jw_object_end(w);
    if (s->flows) {
        jw_key(w, "flow");
        jw_object_begin(w);
        uint_key(w, "total", s->flows->created);
        uint_key(w, "active", s->flows_active);
        uint_key(w, "memuse", s->flow_memory);
        jw_object_end(w);
    }
    if (s->capture) {
        uint64_t received = 0, dropped = 0, if_dropped = 0;
        for (uint32_t i = 0; i < s->ncapture; i++) {
            received += s->capture[i].received;
            dropped += s->capture[i].dropped;
            if_dropped += s->capture[i].if_dropped;
        }
        jw_key(w, "capture");
        jw_object_begin(w);
        uint_key(w, "kernel_packets", received);
        uint_key(w, "kernel_drops", dropped);
        uint_key(w, "kernel_ifdrops", if_dropped);
        jw_object_end(w);
    }
    jw_key(w, "detect");
    jw_object_begin(w);
    uint_key(w, "alert", s->findings);
    jw_object_end(w);
    jw_object_end(w);
    jw_key(w, "secondsight");
    json_stats_object(w, s);
    jw_object_end(w);
    return output_write_record(o);
}

/* locate's sweep has no EVE counterpart: an event of its own type, the record --json
 * writes under "secondsight". */
static int eve_write_locate(struct output *o, const struct locate_result *r)
{
    struct jw *w = &o->jw;
    char ts[40];
    jw_reset(w);
    jw_object_begin(w);
    jw_key(w, "timestamp");
    format_timestamp_eve(ts, r->start_ns);
    jw_string(w, ts);
    jw_key(w, "event_type");
    jw_string(w, "secondsight_locate");
    jw_key(w, "host");
    jw_string(w, o->sensor);
    jw_key(w, "secondsight");
    json_locate(w, r);
    jw_object_end(w);
    return output_write_record(o);
}

const struct output_format output_format_eve = {
    "eve", eve_write_finding, eve_write_device_flow, eve_write_stats, eve_write_locate,
};
