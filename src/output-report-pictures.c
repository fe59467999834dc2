/* secondsight - the report's pictures, drawn from what the JSON records hold: a run's
 * findings on a timeline, a TCP finding's copies in sequence space, the path from the
 * sensor to the forger and the server, and a diff device between its two captures. */
#include <math.h>
#include <stdint.h>
#include <string.h>
#include <time.h>

#include "config.h"
#include "output-html.h"
#include "output-report-int.h"
#include "output-svg.h"
#include "util-phrase.h"

#define PIC_W 720 /* user units of every picture's width */

static const char *conf_class(int conf)
{
    return conf == CONF_HIGH ? "high" : conf == CONF_MEDIUM ? "medium" : "low";
}

/* The row of class `cls` among `rows`, added when there is room. */
static size_t class_row(const char **rows, size_t *n, const char *cls)
{
    for (size_t i = 0; i < *n; i++)
        if (!strcmp(rows[i], cls))
            return i;
    if (*n < REPORT_TIMELINE_ROWS)
        rows[(*n)++] = cls;
    else
        rows[REPORT_TIMELINE_ROWS - 1] = "other classes";
    return *n - 1;
}

void report_timeline(FILE *o, const struct report *rep, size_t r)
{
    const struct report_run *run = &rep->runs[r];
    const char *rows[REPORT_TIMELINE_ROWS];
    size_t nrows = 0;
    char lbl[160], c0[32];
    if (!run->nalerts)
        return;
    for (size_t i = 0; i < run->nalerts; i++)
        class_row(rows, &nrows, report_str(rep->alerts[run->alert_start + i].obj, "class"));
    int h = 40 + 22 * (int)nrows;
    snprintf(lbl, sizeof lbl, "Timeline: the %zu findings of run %zu over its capture span",
             run->nalerts, r + 1);
    svg_begin(o, PIC_W, h, "timeline", lbl);
    struct svg_scale x = {run->t0, run->t1, 180, PIC_W - 20};
    for (size_t k = 0; k < nrows; k++) {
        double y = 16 + 22 * (double)k;
        svg_line(o, 180, y, PIC_W - 20, y, "grid");
        svg_text(o, 172, y + 4, "end", "lbl", rows[k]);
    }
    for (size_t i = 0; i < run->nalerts; i++) {
        const struct report_alert *a = &rep->alerts[run->alert_start + i];
        size_t k = class_row(rows, &nrows, report_str(a->obj, "class"));
        char id[32], tip[200];
        report_anchor(id, sizeof id, a);
        snprintf(tip, sizeof tip, "#%zu %s %s at %s", a->id + 1, report_str(a->obj, "class"),
                 conf_class(a->conf), report_clock(c0, sizeof c0, a->ts));
        svg_link_begin(o, id);
        svg_circle(o, svg_map(&x, a->t), 16 + 22 * (double)k, 5, conf_class(a->conf), tip);
        svg_link_end(o);
    }
    double ya = h - 18;
    svg_line(o, 180, ya, PIC_W - 20, ya, "axis");
    if (!isnan(run->t0)) {
        time_t sec = (time_t)floor(run->t0);
        struct tm tm;
        gmtime_r(&sec, &tm);
        svg_textf(o, 180, ya + 14, "start", "dim", "%04d-%02d-%02d %02d:%02d:%02d.%03d UTC",
                  tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                  (int)((run->t0 - (double)sec) * 1000));
        svg_textf(o, PIC_W - 20, ya + 14, "end", "dim", "%.3f s later", run->t1 - run->t0);
    }
    svg_end(o);
}

static int is_tcp_class(const char *cls)
{
    return !strcmp(cls, "tcp_injection") || !strcmp(cls, "forged_packet") ||
           !strcmp(cls, "handshake_hijack") || !strcmp(cls, "tcp_reset_injection");
}

/* Which copy the receiver took, where the finding says: the SYN/ACK the client took. */
static long long kept_index(json_t *ev)
{
    const char *took = report_str(ev, "client_took");
    return !strcmp(took, "first") ? 0 : !strcmp(took, "second") ? 1 : -1;
}

static void copy_row(FILE *o, json_t *c, size_t i, double y, const struct svg_scale *x, int64_t rel,
                     long long gap_us, int kept)
{
    long long len = report_int(c, "len", 0);
    len = len > 0 && len < 65536 ? len : 0;
    const char *role = report_str(c, "role");
    double x0 = svg_map(x, (double)rel), x1 = svg_map(x, (double)(rel + len));
    svg_textf(o, 150, y + 11, "end", "lbl", "frame %lld %s", report_int(c, "frame", 0), role);
    svg_rect(o, x0, y, x1 - x0 < 3 ? 3 : x1 - x0, 14,
             !strcmp(role, "forged") || !strcmp(role, "genuine") ? role : "undetermined");
    char when[48] = "", flags[64];
    if (i == 1 && gap_us >= 0)
        snprintf(when, sizeof when, ", %.3f ms later", (double)gap_us / 1000);
    json_t *acked = json_object_get(c, "acknowledged");
    kept = kept || json_is_true(acked);
    svg_textf(o, 160, y + 28, "start", "dim", "%lld bytes, %s, TTL %lld%s%s", len,
              phrase_tcp_flags(flags, sizeof flags, phrase_tcp_flag_bits(report_str(c, "flags"))),
              report_int(c, "ttl", -1), when,
              kept                   ? " (the receiver took it)"
              : json_is_false(acked) ? " (came too late)"
                                     : "");
    if (kept)
        svg_rect(o, 156, y + 2, 3, 10, "kept");
}

void report_sequence_sketch(FILE *o, json_t *alert)
{
    json_t *ev = json_object_get(alert, "evidence");
    json_t *copies = json_object_get(ev, "copies"), *c;
    size_t i, n = json_array_size(copies) < REPORT_SKETCH_COPIES ? json_array_size(copies)
                                                                 : REPORT_SKETCH_COPIES;
    if (!is_tcp_class(report_str(alert, "class")) || !n)
        return;
    uint32_t base = (uint32_t)report_int(json_array_get(copies, 0), "seq", 0);
    int64_t lo = 0, hi = 1;
    for (i = 0; i < n; i++) { /* wrap-safe offsets from the first copy's seq */
        c = json_array_get(copies, i);
        int64_t rel = (int32_t)((uint32_t)report_int(c, "seq", 0) - base);
        long long len = report_int(c, "len", 0);
        int64_t end = rel + (len > 0 && len < 65536 ? len : 0);
        lo = rel < lo ? rel : lo;
        hi = end > hi ? end : hi;
    }
    int h = 30 + 40 * (int)n + 20;
    svg_begin(o, PIC_W, h, "seq",
              "The copies in sequence space: who sent which bytes, in the order they came");
    struct svg_scale x = {(double)lo, (double)hi, 160, PIC_W - 30};
    long long gap = report_int(ev, "gap_us", -1), kept = kept_index(ev);
    for (i = 0; i < n; i++) {
        c = json_array_get(copies, i);
        int64_t rel = (int32_t)((uint32_t)report_int(c, "seq", 0) - base);
        copy_row(o, c, i, 10 + 40 * (double)i, &x, rel, gap, (long long)i == kept);
    }
    double ya = h - 26;
    if (json_is_integer(json_object_get(ev, "seq")) && json_object_get(ev, "differing_bytes")) {
        int64_t d = (int32_t)((uint32_t)report_int(ev, "seq", 0) - base);
        svg_line(o, svg_map(&x, (double)d), 4, svg_map(&x, (double)d), ya, "mark");
        svg_text(o, svg_map(&x, (double)d) + 4, ya - 4, "start", "dim", "first differing byte");
    }
    svg_line(o, 160, ya, PIC_W - 30, ya, "axis");
    svg_textf(o, 160, ya + 14, "start", "dim", "seq %u", base + (uint32_t)lo);
    svg_textf(o, PIC_W - 30, ya + 14, "end", "dim", "+%lld bytes", (long long)(hi - lo));
    svg_end(o);
}

static const char *sender_role(json_t *alert)
{
    const char *cls = report_str(alert, "class");
    json_t *flow = json_object_get(alert, "flow");
    if (!strcmp(cls, "dns_injection"))
        return "resolver";
    if (report_int(flow, "src_port", 0) < report_int(flow, "dest_port", 0) ||
        !strcmp(cls, "handshake_hijack"))
        return "server";
    return "peer";
}

void report_path_sketch(FILE *o, json_t *alert)
{
    json_t *ev = json_object_get(alert, "evidence");
    long long fh = report_int(ev, "forger_hops", -1), ph = report_int(ev, "peer_hops", -1);
    int hidden = json_is_false(json_object_get(ev, "hops_reliable"));
    if (fh < 0 || fh > 255 || ph > 255)
        return;
    const char *who = sender_role(alert);
    char lbl[200];
    char where[64];
    phrase_hops(where, sizeof where, (int)fh);
    snprintf(lbl, sizeof lbl, "Path: the sensor, the forger (%s) and the %s", where, who);
    svg_begin(o, PIC_W, 110, "path", lbl);
    double far = (double)(ph > fh ? ph : fh > 0 ? fh : 1);
    struct svg_scale x = {0, far, 70, PIC_W - 90};
    svg_line(o, 70, 60, PIC_W - 90, 60, "path");
    for (long long k = 1; k < ph && ph <= 40; k++)
        svg_line(o, svg_map(&x, (double)k), 56, svg_map(&x, (double)k), 64, "axis");
    svg_rect(o, 20, 45, 100, 30, "node");
    svg_text(o, 70, 64, "middle", "lbl", "sensor");
    svg_rect(o, PIC_W - 140, 45, 120, 30, "node");
    svg_text(o, PIC_W - 80, 64, "middle", "lbl", who);
    svg_textf(o, PIC_W - 80, 92, "middle", "dim", "%s, ~%lld hops",
              report_str(json_object_get(alert, "flow"), "src_ip"), ph < 0 ? 0 : ph);
    double fx = hidden ? (70 + PIC_W - 90) / 2.0 : fh == 0 ? 150 : svg_map(&x, (double)fh);
    svg_line(o, fx, 60, fx, 30, "bad");
    svg_circle(o, fx, 24, 9, "fnode", NULL);
    if (hidden)
        svg_text(o, fx, 14, "middle", "lbl",
                 "forger: distance hidden (it copied the sender's TTL)");
    else if (fh == 0)
        svg_text(o, fx, 10, "middle", "lbl", "forger: on the sensor's own network segment");
    else
        svg_textf(o, fx, 10, "middle", "lbl", "forger: %s", where);
    svg_end(o);
}

/* One direction's arrow through the device, its counts in a line above or below:
 * forwarded, modified, injected, dropped (the last three marked when not 0). */
static void device_counts(FILE *o, json_t *diff, const char *dir, double ya, double yt, int rtl)
{
    static const char *const kinds[] = {"forwarded", "modified", "injected", "dropped"};
    svg_arrow(o, rtl ? PIC_W - 140 : 140, ya, rtl ? 140 : PIC_W - 140, ya, "path");
    svg_text(o, 10, yt, "start", "lbl", dir);
    for (size_t k = 0; k < 4; k++) {
        long long n = report_int(json_object_get(diff, kinds[k]), dir, 0);
        svg_textf(o, 210 + 125 * (double)k, yt, "middle", k && n ? "high" : "dim", "%lld %s", n,
                  kinds[k]);
    }
}

void report_device_sketch(FILE *o, json_t *diff)
{
    if (!json_is_object(diff))
        return;
    svg_begin(o, PIC_W, 170, "device",
              "The device between its inside and outside captures, per direction");
    svg_rect(o, 10, 45, 130, 80, "node");
    svg_text(o, 75, 89, "middle", "lbl", "inside");
    svg_rect(o, PIC_W - 140, 45, 130, 80, "node");
    svg_text(o, PIC_W - 75, 89, "middle", "lbl", "outside");
    svg_rect(o, PIC_W / 2 - 50, 40, 100, 90, "fnode");
    svg_text(o, PIC_W / 2, 89, "middle", "lbl", "device");
    device_counts(o, diff, "outbound", 60, 25, 0);
    device_counts(o, diff, "inbound", 110, 155, 1);
    svg_end(o);
}
