/* secondsight - `report`: one self-contained HTML page from JSON-lines findings, for a
 * colleague without the tool: findings grouped per flow on a timeline, the evidence
 * of each, and the run's statistics. No script, no external resource. */
#include "output-report.h"

#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "config.h"

struct alert_ref {
    json_t *obj;
    const char *flow; /* grouping key: the Community ID, or the endpoints */
    const char *ts;
    size_t order; /* position in the input, to keep ties stable */
};

static void esc(FILE *o, const char *s)
{
    for (; *s; s++) {
        switch (*s) {
        case '&':
            fputs("&amp;", o);
            break;
        case '<':
            fputs("&lt;", o);
            break;
        case '>':
            fputs("&gt;", o);
            break;
        case '"':
            fputs("&quot;", o);
            break;
        case '\'':
            fputs("&#39;", o);
            break;
        default:
            fputc(*s, o);
        }
    }
}

static const char *str(json_t *obj, const char *key)
{
    const char *s = json_string_value(json_object_get(obj, key));
    return s ? s : "";
}

/* Any JSON value as text: strings as they are, lists joined, objects as key=value;
 * nothing for a missing one. */
static void value(FILE *o, json_t *v)
{
    size_t i;
    const char *k;
    json_t *x;
    if (!v)
        return;
    switch (json_typeof(v)) {
    case JSON_STRING:
        esc(o, json_string_value(v));
        break;
    case JSON_INTEGER:
        fprintf(o, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
        break;
    case JSON_REAL:
        fprintf(o, "%g", json_real_value(v));
        break;
    case JSON_TRUE:
        fputs("yes", o);
        break;
    case JSON_FALSE:
        fputs("no", o);
        break;
    case JSON_NULL:
        fputs("&mdash;", o);
        break;
    case JSON_ARRAY:
        json_array_foreach(v, i, x)
        {
            if (i)
                fputs(", ", o);
            value(o, x);
        }
        break;
    case JSON_OBJECT:
        i = 0;
        json_object_foreach(v, k, x)
        {
            fputs(i++ ? "; " : "", o);
            esc(o, k);
            fputc('=', o);
            value(o, x);
        }
        break;
    }
}

/* An array of objects as a table: the first object's keys are the columns. */
static void table(FILE *o, json_t *arr)
{
    size_t i;
    json_t *row;
    const char *k;
    json_t *x;
    json_t *first = json_array_get(arr, 0);
    if (!json_is_object(first))
        return;
    fputs("<table class=\"copies\"><tr>", o);
    json_object_foreach(first, k, x)
    {
        fputs("<th>", o);
        esc(o, k);
        fputs("</th>", o);
    }
    fputs("</tr>\n", o);
    json_array_foreach(arr, i, row)
    {
        const char *role = json_string_value(json_object_get(row, "role"));
        fprintf(o, "<tr class=\"%s\">", role && !strcmp(role, "forged") ? "forged" : "");
        json_object_foreach(first, k, x)
        {
            fputs("<td>", o);
            json_t *cell = json_object_get(row, k);
            if (cell)
                value(o, cell);
            fputs("</td>", o);
        }
        fputs("</tr>\n", o);
    }
    fputs("</table>\n", o);
}

static int is_table(json_t *v)
{
    return json_is_array(v) && json_array_size(v) && json_is_object(json_array_get(v, 0));
}

/* Key/value rows of an object; arrays of objects become tables after them. */
static void fields(FILE *o, json_t *obj)
{
    const char *k;
    json_t *v;
    fputs("<table class=\"kv\">\n", o);
    json_object_foreach(obj, k, v)
    {
        if (is_table(v))
            continue;
        fputs("<tr><th>", o);
        esc(o, k);
        fputs("</th><td>", o);
        value(o, v);
        fputs("</td></tr>\n", o);
    }
    fputs("</table>\n", o);
    json_object_foreach(obj, k, v)
    {
        if (!is_table(v))
            continue;
        fputs("<p class=\"sub\">", o);
        esc(o, k);
        fputs("</p>\n", o);
        table(o, v);
    }
}

static void finding(FILE *o, json_t *a)
{
    const char *conf = str(a, "confidence");
    fputs("<article class=\"finding ", o);
    esc(o, conf);
    fputs("\">\n<p class=\"head\"><span class=\"badge\">", o);
    esc(o, str(a, "class"));
    fputs("</span> <span class=\"conf\">", o);
    esc(o, conf);
    fputs("</span> <time>", o);
    esc(o, str(a, "timestamp"));
    fputs("</time></p>\n<p class=\"summary\">", o);
    esc(o, str(a, "summary"));
    fputs("</p>\n", o);
    json_t *ev = json_object_get(a, "evidence");
    if (json_is_object(ev))
        fields(o, ev);
    json_t *app = json_object_get(a, "app");
    if (json_is_object(app)) {
        fputs("<p class=\"sub\">content</p>\n", o);
        fields(o, app);
    }
    const char *pcap = str(a, "evidence_pcap");
    if (*pcap) {
        fputs("<p class=\"sub\">evidence: <a href=\"", o);
        esc(o, pcap);
        fputs("\">", o);
        esc(o, pcap);
        fputs("</a></p>\n", o);
    }
    fputs("</article>\n", o);
}

static void flow_title(FILE *o, json_t *a)
{
    json_t *fl = json_object_get(a, "flow");
    fputs("<h2>", o);
    esc(o, str(fl, "proto"));
    fputc(' ', o);
    esc(o, str(fl, "src_ip"));
    fputc(':', o);
    value(o, json_object_get(fl, "src_port"));
    fputs(" &harr; ", o);
    esc(o, str(fl, "dest_ip"));
    fputc(':', o);
    value(o, json_object_get(fl, "dest_port"));
    fputs(" <small>", o);
    esc(o, str(fl, "community_id"));
    fputs("</small></h2>\n", o);
}

static void stats_section(FILE *o, json_t *rec)
{
    json_t *s = json_object_get(rec, "stats");
    if (!json_is_object(s))
        return;
    fputs("<section class=\"stats\"><h2>Run statistics <small>", o);
    esc(o, str(rec, "timestamp"));
    fputs("</small></h2>\n<table class=\"kv\">\n", o);
    const char *k;
    json_t *v;
    json_object_foreach(s, k, v)
    {
        if (json_is_object(v) || is_table(v))
            continue;
        fputs("<tr><th>", o);
        esc(o, k);
        fputs("</th><td>", o);
        value(o, v);
        fputs("</td></tr>\n", o);
    }
    fputs("</table>\n", o);
    json_object_foreach(s, k, v)
    {
        if (json_is_object(v)) {
            fputs("<p class=\"sub\">", o);
            esc(o, k);
            fputs("</p>\n<table class=\"kv\">", o);
            const char *k2;
            json_t *v2;
            json_object_foreach(v, k2, v2)
            {
                if (json_is_integer(v2) && !json_integer_value(v2) && !strcmp(k, "decode_events"))
                    continue; /* only the events that happened */
                fputs("<tr><th>", o);
                esc(o, k2);
                fputs("</th><td>", o);
                value(o, v2);
                fputs("</td></tr>", o);
            }
            fputs("</table>\n", o);
        } else if (is_table(v)) {
            fputs("<p class=\"sub\">", o);
            esc(o, k);
            fputs("</p>\n", o);
            table(o, v);
        }
    }
    fputs("</section>\n", o);
}

static const char style[] =
    "body{font:15px/1.45 system-ui,sans-serif;margin:2em auto;max-width:70em;color:#222}"
    "h1{margin-bottom:.2em}h2{font-size:1.1em;margin:1.6em 0 .4em;border-bottom:1px solid #ccc}"
    "h2 small,p.meta{color:#666;font-weight:normal}"
    ".timeline{border-left:3px solid #bbb;margin-left:.5em;padding-left:1em}"
    "article{margin:.8em 0;padding:.6em .8em;border:1px solid #ddd;border-radius:6px}"
    "article.high{border-left:6px solid #c0392b}article.medium{border-left:6px solid #e67e22}"
    "article.low{border-left:6px solid #7f8c8d}"
    ".badge{font-weight:bold}.conf{text-transform:uppercase;font-size:.8em;color:#555}"
    "time{color:#666;font-size:.9em;float:right}.summary{margin:.3em 0}"
    "table{border-collapse:collapse;margin:.3em 0;font-size:.9em}"
    "th,td{text-align:left;padding:.15em .6em;border-bottom:1px solid #eee;vertical-align:top}"
    "table.kv th{color:#555;font-weight:normal;white-space:nowrap}"
    "tr.forged td{background:#fdecea}p.sub{margin:.5em 0 0;color:#555;font-size:.9em}"
    "table.counts td,table.counts th{border:1px solid #ddd}";

static int by_flow_then_time(const void *x, const void *y)
{
    const struct alert_ref *a = x, *b = y;
    int c = strcmp(a->flow, b->flow);
    if (!c)
        c = strcmp(a->ts, b->ts);
    return c ? c : (a->order > b->order) - (a->order < b->order);
}

/* A flow's findings: a run of the sorted alerts. */
struct group {
    size_t start, count;
};

static const struct alert_ref *report_alerts; /* for qsort's comparator below */

static int by_first_time(const void *x, const void *y)
{
    const struct group *a = x, *b = y;
    int c = strcmp(report_alerts[a->start].ts, report_alerts[b->start].ts);
    return c ? c : (a->start > b->start) - (a->start < b->start);
}

enum record_kind { RECORD_NONE, RECORD_ALERT, RECORD_STATS, RECORD_OTHER };

static int is_string(json_t *obj, const char *key)
{
    return json_is_string(json_object_get(obj, key));
}

/* What a line holds, by the keys and types docs/json-schema.md promises for each of
 * the records secondsight writes; anything else (another tool's JSON, an alert missing
 * its keys) is RECORD_NONE, with *why saying what is wrong. */
static enum record_kind record_kind(json_t *obj, const char **why)
{
    const char *type = json_string_value(json_object_get(obj, "event_type"));
    *why = "no event_type";
    if (!type)
        return RECORD_NONE;
    if (!strcmp(type, "alert")) {
        const char *conf = json_string_value(json_object_get(obj, "confidence"));
        *why = "an alert without secondsight's keys";
        if (!is_string(obj, "timestamp") || !is_string(obj, "class") || !conf ||
            !is_string(obj, "summary") || !json_is_object(json_object_get(obj, "flow")) ||
            !json_is_object(json_object_get(obj, "evidence")))
            return RECORD_NONE;
        *why = "an alert whose confidence is not low, medium or high";
        if (strcmp(conf, "low") && strcmp(conf, "medium") && strcmp(conf, "high"))
            return RECORD_NONE;
        return RECORD_ALERT;
    }
    if (!strcmp(type, "stats")) {
        json_t *ts = json_object_get(obj, "timestamp");
        *why = "a stats record without secondsight's keys";
        if (!(json_is_string(ts) || json_is_null(ts)) ||
            !json_is_object(json_object_get(obj, "stats")))
            return RECORD_NONE;
        return RECORD_STATS;
    }
    if (!strcmp(type, "device_flow")) {
        *why = "a device_flow record without secondsight's keys";
        if (!is_string(obj, "timestamp") || !json_is_object(json_object_get(obj, "flow")))
            return RECORD_NONE;
        return RECORD_OTHER;
    }
    *why = "an event_type secondsight does not write";
    return RECORD_NONE;
}

/* Reads every line of `in` into `all`, the alerts also into *alerts. 0, or 2 after a
 * message naming the file (and line). */
static int read_records(FILE *in, const char *in_path, json_t *all, struct alert_ref **alerts,
                        size_t *nalerts)
{
    size_t cap = 0, lineno = 0, records = 0;
    char *line = NULL;
    size_t lcap = 0;
    ssize_t len;
    int status = 0;
    errno = 0;
    while ((len = getline(&line, &lcap, in)) > 0) {
        lineno++;
        if (len == 1 && line[0] == '\n')
            continue;
        json_error_t err;
        const char *why = NULL;
        json_t *obj = json_loadb(line, (size_t)len, 0, &err);
        enum record_kind kind = RECORD_NONE;
        if (!obj)
            why = err.text;
        else if (!json_is_object(obj))
            why = "not a JSON object";
        else
            kind = record_kind(obj, &why);
        if (kind == RECORD_NONE) {
            fprintf(stderr, "secondsight: %s:%zu: not a secondsight record (%s)\n", in_path, lineno,
                    why);
            json_decref(obj);
            status = 2;
            break;
        }
        records++;
        json_array_append_new(all, obj);
        if (kind != RECORD_ALERT)
            continue;
        if (*nalerts == cap) {
            cap = cap ? cap * 2 : 64;
            struct alert_ref *grown = realloc(*alerts, cap * sizeof **alerts);
            if (!grown) {
                fprintf(stderr, "secondsight: %s:%zu: out of memory\n", in_path, lineno);
                status = 2;
                break;
            }
            *alerts = grown;
        }
        const char *key = str(json_object_get(obj, "flow"), "community_id");
        struct alert_ref *a = &(*alerts)[*nalerts];
        a->obj = obj;
        a->flow = *key ? key : str(obj, "summary");
        a->ts = str(obj, "timestamp");
        a->order = (*nalerts)++;
    }
    free(line);
    if (!status && ferror(in)) {
        fprintf(stderr, "secondsight: cannot read %s: %s\n", in_path,
                strerror(errno ? errno : EIO));
        status = 2;
    } else if (!status && !records) {
        fprintf(stderr, "secondsight: %s: no secondsight records (%s)\n", in_path,
                lineno ? "only empty lines" : "an empty file");
        status = 2;
    }
    return status;
}

int report_html(const char *in_path, FILE *out, const char *out_name, const char *title)
{
    FILE *in = strcmp(in_path, "-") ? fopen(in_path, "r") : stdin;
    struct stat st;
    if (!in) {
        fprintf(stderr, "secondsight: cannot read %s: %s\n", in_path, strerror(errno));
        return 2;
    }
    if (fstat(fileno(in), &st) == 0 && S_ISDIR(st.st_mode)) {
        fprintf(stderr, "secondsight: cannot read %s: %s\n", in_path, strerror(EISDIR));
        if (in != stdin)
            fclose(in);
        return 2;
    }
    json_t *all = json_array();
    struct alert_ref *alerts = NULL;
    size_t nalerts = 0;
    int status = all ? read_records(in, in_path, all, &alerts, &nalerts) : 2;
    if (!all)
        fprintf(stderr, "secondsight: %s: out of memory\n", in_path);
    if (in != stdin)
        fclose(in);
    if (status) {
        free(alerts);
        json_decref(all);
        return status;
    }
    if (nalerts) /* qsort wants a valid pointer even for no elements */
        qsort(alerts, nalerts, sizeof *alerts, by_flow_then_time);

    fprintf(out,
            "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
            "<title>secondsight report</title><style>%s</style></head><body>\n",
            style);
    fputs("<h1>secondsight report</h1>\n<p class=\"meta\">", out);
    esc(out, title);
    fprintf(out, ": %zu finding%s</p>\n", nalerts, nalerts == 1 ? "" : "s");

    /* Counts per class and confidence. */
    const char *cls[REPORT_MAX_CLASSES];
    size_t counts[REPORT_MAX_CLASSES][3], ncls = 0;
    memset(counts, 0, sizeof counts);
    for (size_t i = 0; i < nalerts; i++) {
        const char *c = str(alerts[i].obj, "class");
        size_t k = 0;
        while (k < ncls && strcmp(cls[k], c))
            k++;
        if (k == ncls) {
            if (ncls == REPORT_MAX_CLASSES)
                continue;
            cls[ncls++] = c;
        }
        const char *conf = str(alerts[i].obj, "confidence");
        counts[k][!strcmp(conf, "high") ? 0 : !strcmp(conf, "medium") ? 1 : 2]++;
    }
    fputs("<table class=\"counts\"><tr><th>class</th><th>high</th><th>medium</th><th>low</th>"
          "</tr>\n",
          out);
    for (size_t k = 0; k < ncls; k++) {
        fputs("<tr><td>", out);
        esc(out, cls[k]);
        fprintf(out, "</td><td>%zu</td><td>%zu</td><td>%zu</td></tr>\n", counts[k][0], counts[k][1],
                counts[k][2]);
    }
    fputs("</table>\n", out);

    /* One timeline per flow, flows in the order of their first finding. */
    struct group *groups = calloc(nalerts ? nalerts : 1, sizeof *groups);
    size_t ngroups = 0;
    for (size_t i = 0; groups && i < nalerts; i++) {
        if (i && !strcmp(alerts[i].flow, alerts[i - 1].flow)) {
            groups[ngroups - 1].count++;
            continue;
        }
        groups[ngroups].start = i;
        groups[ngroups++].count = 1;
    }
    report_alerts = alerts;
    if (groups && ngroups)
        qsort(groups, ngroups, sizeof *groups, by_first_time);
    for (size_t g = 0; g < ngroups; g++) {
        fputs("<section class=\"flow\">\n", out);
        flow_title(out, alerts[groups[g].start].obj);
        fputs("<div class=\"timeline\">\n", out);
        for (size_t j = 0; j < groups[g].count; j++)
            finding(out, alerts[groups[g].start + j].obj);
        fputs("</div></section>\n", out);
    }
    free(groups);
    if (!nalerts)
        fputs("<p>No findings.</p>\n", out);

    size_t i;
    json_t *obj;
    json_array_foreach(all, i, obj)
    {
        if (!strcmp(str(obj, "event_type"), "stats"))
            stats_section(out, obj);
    }
    fputs("</body></html>\n", out);
    free(alerts);
    json_decref(all);
    /* Flushed here, so that a full disk is reported with the file's name. */
    if (fflush(out) != 0 || ferror(out)) {
        fprintf(stderr, "secondsight: cannot write %s: %s\n", out_name,
                strerror(errno ? errno : EIO));
        return 2;
    }
    return 0;
}
