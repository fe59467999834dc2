/* secondsight - `report`: one self-contained HTML page from JSON-lines findings, laid out
 * for triage: verdicts and coverage problems first, then an index by confidence, then
 * each run's findings per flow with pictures drawn inline. No script, nothing loaded. */
#include "output-report.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "output-html.h"
#include "output-report-int.h"

const char *report_str(json_t *obj, const char *key)
{
    const char *s = json_string_value(json_object_get(obj, key));
    return s ? s : "";
}

long long report_int(json_t *obj, const char *key, long long dflt)
{
    json_t *v = json_object_get(obj, key);
    return json_is_integer(v) ? (long long)json_integer_value(v) : dflt;
}

void report_anchor(char *buf, size_t cap, const struct report_alert *a)
{
    snprintf(buf, cap, "f%zu", a->id + 1);
}

const char *report_clock(char *buf, size_t cap, const char *ts)
{
    const char *t = ts ? strchr(ts, 'T') : NULL;
    snprintf(buf, cap, "%.12s", t ? t + 1 : ts ? ts : "");
    return buf;
}

/* Seconds since 1970 of secondsight's timestamp form, NAN for anything else. */
static double parse_time(const char *ts)
{
    int y, mo, d, h, mi, s, n = 0;
    char frac[8] = "0";
    if (!ts ||
        sscanf(ts, "%4d-%2d-%2dT%2d:%2d:%2d.%6[0-9]Z%n", &y, &mo, &d, &h, &mi, &s, frac, &n) < 6 ||
        y < 1970 || y > 9999 || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || s > 60)
        return NAN;
    struct tm tm = {.tm_year = y - 1900,
                    .tm_mon = mo - 1,
                    .tm_mday = d,
                    .tm_hour = h,
                    .tm_min = mi,
                    .tm_sec = s};
    return (double)timegm(&tm) + strtod(frac, NULL) / pow(10, (double)strlen(frac));
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

/* Reads every line of `in` into `all`. 0, or 2 after a message naming the file (and
 * line). */
static int read_records(FILE *in, const char *in_path, json_t *all)
{
    size_t lineno = 0, records = 0;
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
        if (json_array_append_new(all, obj)) {
            fprintf(stderr, "secondsight: %s:%zu: out of memory\n", in_path, lineno);
            status = 2;
            break;
        }
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

static int conf_rank(const char *c)
{
    return !strcmp(c, "high") ? CONF_HIGH : !strcmp(c, "medium") ? CONF_MEDIUM : CONF_LOW;
}

static void widen(struct report_run *r, double t)
{
    if (isnan(t))
        return;
    if (isnan(r->t0) || t < r->t0)
        r->t0 = t;
    if (isnan(r->t1) || t > r->t1)
        r->t1 = t;
}

static void run_start(struct report_run *r, size_t first, size_t alert_start)
{
    memset(r, 0, sizeof *r);
    r->first = first;
    r->alert_start = alert_start;
    r->t0 = r->t1 = NAN;
}

/* Cuts the records into runs (each ended by its stats record; records after the last
 * one make a run without stats) and fills in the alerts. */
static void cut_runs(struct report *rep)
{
    size_t i, n = json_array_size(rep->all);
    json_t *obj;
    struct report_run *r = &rep->runs[0];
    run_start(r, 0, 0);
    json_array_foreach(rep->all, i, obj)
    {
        const char *type = report_str(obj, "event_type");
        const char *ts = report_str(obj, "timestamp");
        widen(r, parse_time(ts));
        if (!strcmp(type, "alert")) {
            struct report_alert *a = &rep->alerts[rep->nalerts];
            json_t *ev = json_object_get(obj, "evidence");
            const char *cid = report_str(json_object_get(obj, "flow"), "community_id");
            a->obj = obj;
            a->id = rep->nalerts++;
            a->run = rep->nruns;
            a->pcap = report_str(ev, "pcap");
            a->key = *cid ? cid : report_str(obj, "summary");
            a->ts = ts;
            a->t = parse_time(ts);
            a->conf = conf_rank(report_str(obj, "confidence"));
            a->forger = -1;
            r->nalerts++;
            r->diff |= !strncmp(report_str(obj, "class"), "device_", 7);
        } else if (!strcmp(type, "device_flow")) {
            r->diff = 1;
        } else if (!strcmp(type, "stats")) {
            r->stats = json_object_get(obj, "stats");
            r->stats_ts = ts;
            r->diff |= json_is_object(json_object_get(r->stats, "diff"));
            r->end = i + 1;
            r = &rep->runs[++rep->nruns];
            run_start(r, i + 1, rep->nalerts);
        }
    }
    if (r->first < n) {
        r->end = n;
        rep->nruns++;
    }
}

static int by_run_flow_time(const void *x, const void *y)
{
    const struct report_alert *a = *(struct report_alert *const *)x;
    const struct report_alert *b = *(struct report_alert *const *)y;
    int c = (a->run > b->run) - (a->run < b->run);
    if (!c)
        c = strcmp(a->pcap, b->pcap);
    if (!c)
        c = strcmp(a->key, b->key);
    if (!c)
        c = strcmp(a->ts, b->ts);
    return c ? c : (a->id > b->id) - (a->id < b->id);
}

static int by_run_first_time(const void *x, const void *y)
{
    const struct report_flow *a = x, *b = y;
    int c = (a->run > b->run) - (a->run < b->run);
    if (!c)
        c = strcmp(a->head->ts, b->head->ts);
    return c ? c : (a->head->id > b->head->id) - (a->head->id < b->head->id);
}

/* Flows: alerts of one run, one capture file and one flow key, in the order of their
 * first finding within each run. */
static void group_flows(struct report *rep)
{
    for (size_t i = 0; i < rep->nalerts; i++)
        rep->by_flow[i] = &rep->alerts[i];
    if (rep->nalerts) /* qsort wants a valid pointer even for no elements */
        qsort(rep->by_flow, rep->nalerts, sizeof *rep->by_flow, by_run_flow_time);
    for (size_t i = 0; i < rep->nalerts; i++) {
        const struct report_alert *a = rep->by_flow[i], *p = i ? rep->by_flow[i - 1] : NULL;
        if (p && p->run == a->run && !strcmp(p->pcap, a->pcap) && !strcmp(p->key, a->key)) {
            rep->flows[rep->nflows - 1].count++;
            continue;
        }
        rep->flows[rep->nflows++] = (struct report_flow){a->run, i, 1, a};
    }
    if (rep->nflows)
        qsort(rep->flows, rep->nflows, sizeof *rep->flows, by_run_first_time);
    for (size_t f = rep->nflows; f-- > 0;) {
        struct report_run *r = &rep->runs[rep->flows[f].run];
        r->nflows_start = f;
        r->nflows++;
    }
}

/* The model of the page over rep->all; -1 when memory ran out. */
static int build(struct report *rep)
{
    size_t n = json_array_size(rep->all);
    rep->alerts = calloc(n ? n : 1, sizeof *rep->alerts);
    rep->runs = calloc(n + 1, sizeof *rep->runs);
    rep->by_flow = calloc(n ? n : 1, sizeof *rep->by_flow);
    rep->flows = calloc(n ? n : 1, sizeof *rep->flows);
    if (!rep->alerts || !rep->runs || !rep->by_flow || !rep->flows)
        return -1;
    cut_runs(rep);
    group_flows(rep);
    report_forgers_find(rep);
    return 0;
}

static void release(struct report *rep)
{
    free(rep->alerts);
    free(rep->runs);
    free(rep->by_flow);
    free(rep->flows);
    json_decref(rep->all);
}

static const char style[] =
    "body{font:15px/1.45 system-ui,sans-serif;margin:0 auto;padding:1em 1.2em;max-width:72em;"
    "color:#222;overflow-wrap:anywhere}"
    "h1{margin:.2em 0}h2{font-size:1.25em;margin:1.8em 0 .4em;border-bottom:2px solid #bbb}"
    "h3{font-size:1.02em;margin:1.4em 0 .3em;border-bottom:1px solid #ddd}"
    "h2 small,h3 small,p.meta{color:#666;font-weight:normal}"
    ".box{border:1px solid #ccc;border-radius:6px;padding:.4em .9em;margin:.8em 0}"
    ".verdict{font-weight:bold;padding:.05em .5em;border-radius:4px;color:#fff}"
    ".v-tampered{background:#c0392b}.v-inconclusive{background:#d68910}"
    ".v-clean{background:#1e8449}.problem{color:#922}"
    "article{margin:.8em 0;padding:.6em .8em;border:1px solid #ddd;border-radius:6px}"
    "article.high{border-left:6px solid #c0392b}article.medium{border-left:6px solid #e67e22}"
    "article.low{border-left:6px solid #7f8c8d}"
    ".badge{font-weight:bold}.conf{text-transform:uppercase;font-size:.8em;color:#555}"
    "time{color:#666;font-size:.9em}.summary{margin:.3em 0}"
    ".scroll{overflow-x:auto;max-width:100%}"
    ".scroll table td,.scroll table th{white-space:nowrap}"
    "table{border-collapse:collapse;margin:.3em 0;font-size:.9em}"
    "table.index{width:100%}.n,table.index th{white-space:nowrap}"
    "th,td{text-align:left;padding:.15em .6em;border-bottom:1px solid #eee;vertical-align:top}"
    "table.kv th{color:#555;font-weight:normal}"
    "tr.forged td{background:#fdecea}p.sub{margin:.5em 0 0;color:#555;font-size:.9em}"
    "table.counts td,table.counts th{border:1px solid #ddd}"
    "details{margin:1em 0}summary{cursor:pointer;color:#444}"
    "pre{white-space:pre-wrap;background:#f6f6f6;padding:.3em .5em;margin:.3em 0;"
    "overflow-wrap:anywhere}"
    "svg{display:block;max-width:100%;height:auto;margin:.4em 0;font:12px sans-serif}"
    "svg .axis{stroke:#888}svg .grid{stroke:#ddd}svg .lbl{fill:#444}svg .dim{fill:#777}"
    "svg .high{fill:#c0392b}svg .medium{fill:#e67e22}svg .low{fill:#7f8c8d}"
    "svg .forged{fill:#e74c3c}svg .genuine{fill:#3a7bd5}svg .undetermined{fill:#999}"
    "svg .node{fill:#f4f4f4;stroke:#555}svg .fnode{fill:#fdecea;stroke:#c0392b}"
    "svg .path{stroke:#555;stroke-width:2;fill:#555}svg .bad{stroke:#c0392b;fill:#c0392b}"
    "svg .mark{stroke:#c0392b;stroke-dasharray:4 3}svg .kept{stroke:#1e8449;fill:#1e8449}";

static void run_heading(FILE *o, const struct report *rep, size_t r)
{
    const struct report_run *run = &rep->runs[r];
    json_t *files = json_object_get(run->stats, "files");
    size_t i;
    json_t *f;
    fprintf(o, "<section class=\"run\" id=\"run%zu\">\n<h2>Run %zu", r + 1, r + 1);
    if (run->diff)
        fputs(" (diff)", o);
    fputs(" <small>", o);
    json_array_foreach(files, i, f)
    {
        if (i == 4) {
            html_printf(o, " and %zu more", json_array_size(files) - 4);
            break;
        }
        fputs(i ? ", " : "", o);
        html_text(o, report_str(f, "pcap"));
    }
    if (!run->stats)
        fputs("no stats record: the input ends before the run did", o);
    fputs("</small></h2>\n", o);
}

static void run_section(FILE *o, const struct report *rep, size_t r)
{
    const struct report_run *run = &rep->runs[r];
    run_heading(o, rep, r);
    if (run->diff)
        report_conversations(o, rep, r);
    if (run->nalerts)
        report_timeline(o, rep, r);
    else
        fputs("<p>No findings.</p>\n", o);
    for (size_t f = run->nflows_start; f < run->nflows_start + run->nflows; f++) {
        const struct report_flow *fl = &rep->flows[f];
        fprintf(o, "<section class=\"flow\" id=\"run%zu-flow%zu\">\n", r + 1,
                f - run->nflows_start + 1);
        report_flow_title(o, rep, fl);
        for (size_t j = 0; j < fl->count; j++)
            report_finding(o, rep, rep->by_flow[fl->start + j]);
        fputs("</section>\n", o);
    }
    report_run_stats(o, rep, r);
    fputs("</section>\n", o);
}

static void page(FILE *o, const struct report *rep, const char *title)
{
    fprintf(o,
            "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
            "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
            "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
            "style-src 'unsafe-inline'\">"
            "<title>secondsight report</title><style>%s</style></head><body>\n",
            style);
    fputs("<h1>secondsight report</h1>\n<p class=\"meta\">", o);
    html_text(o, title);
    html_printf(o, ": %zu finding%s in %zu run%s", rep->nalerts, rep->nalerts == 1 ? "" : "s",
                rep->nruns, rep->nruns == 1 ? "" : "s");
    fputs("</p>\n", o);
    report_triage(o, rep);
    report_index(o, rep);
    for (size_t r = 0; r < rep->nruns; r++)
        run_section(o, rep, r);
    fputs("</body></html>\n", o);
}

static FILE *open_input(const char *in_path)
{
    struct stat st;
    FILE *in = strcmp(in_path, "-") ? fopen(in_path, "r") : stdin;
    if (!in) {
        fprintf(stderr, "secondsight: cannot read %s: %s\n", in_path, strerror(errno));
        return NULL;
    }
    if (fstat(fileno(in), &st) == 0 && S_ISDIR(st.st_mode)) {
        fprintf(stderr, "secondsight: cannot read %s: %s\n", in_path, strerror(EISDIR));
        if (in != stdin)
            fclose(in);
        return NULL;
    }
    return in;
}

int report_html(const char *in_path, FILE *out, const char *out_name, const char *out_path,
                const char *title)
{
    FILE *in = open_input(in_path);
    if (!in)
        return 2;
    struct report rep;
    memset(&rep, 0, sizeof rep);
    rep.all = json_array();
    int status = rep.all ? read_records(in, in_path, rep.all) : 2;
    int oom = !rep.all;
    if (in != stdin)
        fclose(in);
    if (!status && build(&rep) < 0)
        status = oom = 2;
    if (oom)
        fprintf(stderr, "secondsight: %s: out of memory\n", in_path);
    char dir[4096];
    if (out_path) { /* links are written relative to the page's directory */
        const char *slash = strrchr(out_path, '/');
        snprintf(dir, sizeof dir, "%.*s", slash ? (int)(slash - out_path + 1) : 0, out_path);
        rep.page_dir = dir;
    }
    if (!status)
        page(out, &rep, title);
    release(&rep);
    if (status)
        return status;
    /* Flushed here, so that a full disk is reported with the file's name. */
    if (fflush(out) != 0 || ferror(out)) {
        fprintf(stderr, "secondsight: cannot write %s: %s\n", out_name,
                strerror(errno ? errno : EIO));
        return 2;
    }
    return 0;
}
