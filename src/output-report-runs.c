/* secondsight - the report's index of findings (by confidence, then time) and the parts
 * of each run that are not findings: a diff run's device and conversations, and the
 * run's statistics in a collapsed section. */
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "output-html.h"
#include "output-report-int.h"

static int by_confidence_time(const void *x, const void *y)
{
    const struct report_alert *a = *(const struct report_alert *const *)x;
    const struct report_alert *b = *(const struct report_alert *const *)y;
    int c = a->conf - b->conf;
    if (!c)
        c = strcmp(a->ts, b->ts);
    return c ? c : (a->id > b->id) - (a->id < b->id);
}

static void index_row(FILE *o, const struct report_alert *a)
{
    static const char *const conf[] = {"high", "medium", "low"};
    char cut[REPORT_INDEX_SUMMARY + 8];
    fprintf(o,
            "<tr class=\"%s\"><td class=\"n\"><a href=\"#f%zu\">#%zu</a></td><td class=\"n\">"
            "%s</td><td class=\"n\">",
            conf[a->conf], a->id + 1, a->id + 1, conf[a->conf]);
    html_printf(o, "%.10s %.12s", a->ts, strchr(a->ts, 'T') ? strchr(a->ts, 'T') + 1 : "");
    fputs("</td><td><span class=\"n\">", o);
    html_text(o, report_str(a->obj, "class"));
    fputs("</span><br><small>", o);
    report_endpoints(o, json_object_get(a->obj, "flow"));
    fputs("</small></td><td>", o);
    html_text(o, html_cut(cut, sizeof cut, report_str(a->obj, "summary"), REPORT_INDEX_SUMMARY));
    fputs("</td></tr>\n", o);
}

void report_index(FILE *o, const struct report *rep)
{
    if (!rep->nalerts)
        return;
    const struct report_alert **order = malloc(rep->nalerts * sizeof *order);
    if (!order)
        return;
    for (size_t i = 0; i < rep->nalerts; i++)
        order[i] = &rep->alerts[i];
    qsort(order, rep->nalerts, sizeof *order, by_confidence_time);
    fputs("<h2 id=\"index\">Findings by confidence, then time</h2>\n<table class=\"index\">"
          "<tr><th>#</th><th>confidence</th><th>time (UTC)</th><th>class and flow</th>"
          "<th>summary</th></tr>\n",
          o);
    for (size_t i = 0; i < rep->nalerts; i++)
        index_row(o, order[i]);
    fputs("</table>\n", o);
    free(order);
}

static void counts_cells(FILE *o, json_t *counts)
{
    static const char *const kinds[] = {"forwarded", "modified", "injected", "dropped"};
    for (size_t k = 0; k < 4; k++) {
        long long n = report_int(counts, kinds[k], 0);
        fprintf(o, "<td%s>", k && n ? " class=\"problem\"" : "");
        html_printf(o, "%lld", n);
        fputs("</td>", o);
    }
}

/* The run's findings on the flow of a device_flow record (Community IDs are
 * direction-free), as links. */
static void conversation_links(FILE *o, const struct report *rep, size_t r, const char *cid)
{
    const struct report_run *run = &rep->runs[r];
    for (size_t i = 0; *cid && i < run->nalerts; i++) {
        const struct report_alert *a = &rep->alerts[run->alert_start + i];
        if (!strcmp(cid, report_str(json_object_get(a->obj, "flow"), "community_id")))
            fprintf(o, " <a href=\"#f%zu\">#%zu</a>", a->id + 1, a->id + 1);
    }
}

static void conversation_row(FILE *o, const struct report *rep, size_t r, json_t *rec)
{
    json_t *flow = json_object_get(rec, "flow"), *out = json_object_get(rec, "outside_flow");
    char c0[32], c1[32];
    fputs("<tr><td>", o);
    html_text(o, report_str(flow, "proto"));
    fputs("</td><td>", o);
    report_endpoints(o, flow);
    fputs("</td><td>", o);
    if (json_is_object(out))
        report_endpoints(o, out);
    else
        html_text(o, "not matched outside");
    fputs("</td><td>", o);
    html_printf(o, "%s – %s", report_clock(c0, sizeof c0, report_str(rec, "timestamp")),
                report_clock(c1, sizeof c1, report_str(rec, "last_seen")));
    fputs("</td>", o);
    counts_cells(o, json_object_get(rec, "outbound"));
    counts_cells(o, json_object_get(rec, "inbound"));
    fputs("<td>", o);
    conversation_links(o, rep, r, report_str(flow, "community_id"));
    fputs("</td></tr>\n", o);
}

void report_conversations(FILE *o, const struct report *rep, size_t r)
{
    const struct report_run *run = &rep->runs[r];
    json_t *diff = json_object_get(run->stats, "diff"), *rec;
    const char *v = report_str(diff, "verdict");
    size_t i, n = 0;
    if (*v) {
        fputs("<p>Verdict: <span class=\"verdict v-", o);
        html_text(o, !strcmp(v, "tampered") || !strcmp(v, "clean") ? v : "inconclusive");
        fputs("\">", o);
        html_text(o, v);
        fputs("</span></p>\n", o);
    }
    report_device_sketch(o, diff);
    for (i = run->first; i < run->end; i++) {
        rec = json_array_get(rep->all, i);
        if (strcmp(report_str(rec, "event_type"), "device_flow"))
            continue;
        if (!n++)
            fputs("<p class=\"sub\">Conversations with findings: as seen inside, and outside "
                  "after the device's address translation</p>\n<div class=\"scroll\"><table "
                  "class=\"copies\"><tr><th rowspan=\"2\">proto</th><th rowspan=\"2\">inside"
                  "</th><th rowspan=\"2\">outside (NAT)</th><th rowspan=\"2\">time</th>"
                  "<th colspan=\"4\">outbound</th><th colspan=\"4\">inbound</th>"
                  "<th rowspan=\"2\">findings</th></tr>\n<tr><th>fwd</th><th>mod</th>"
                  "<th>inj</th><th>drop</th><th>fwd</th><th>mod</th><th>inj</th><th>drop</th>"
                  "</tr>\n",
                  o);
        conversation_row(o, rep, r, rec);
    }
    if (n)
        fputs("</table></div>\n", o);
}

void report_run_stats(FILE *o, const struct report *rep, size_t r)
{
    const struct report_run *run = &rep->runs[r];
    json_t *s = run->stats, *v;
    const char *k;
    if (!json_is_object(s))
        return;
    fprintf(o, "<details id=\"run%zu-stats\"><summary>", r + 1);
    html_printf(o, "Statistics of run %zu: %lld packets, %zu file%s, last packet at %s", r + 1,
                report_int(s, "packets", 0), json_array_size(json_object_get(s, "files")),
                json_array_size(json_object_get(s, "files")) == 1 ? "" : "s",
                *run->stats_ts ? run->stats_ts : "none");
    fputs("</summary>\n", o);
    report_kv(o, s, KV_NO_OBJECTS);
    json_object_foreach(s, k, v)
    {
        if (!json_is_object(v) && !report_is_table(v))
            continue;
        fputs("<p class=\"sub\">", o);
        html_text(o, k);
        fputs("</p>\n", o);
        if (report_is_table(v))
            report_table(o, v);
        else /* only the decode events that happened */
            report_kv(o, v, KV_NO_OBJECTS | (!strcmp(k, "decode_events") ? KV_NO_ZEROS : 0));
    }
    fputs("</details>\n", o);
}
