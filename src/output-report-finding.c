/* secondsight - one finding of the report: its head with an anchor, the summary, the
 * pictures, the evidence as tables (DNS numbers named), the content and links to the
 * evidence files relative to the page. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "output-html.h"
#include "output-report-int.h"
#include "util-phrase.h"
#include "util-strlist.h"

/* A number a key names: DNS types and rcodes by name. */
static int named_number(FILE *o, json_t *v, const char *key)
{
    const char *name = NULL;
    if (!key || !json_is_integer(v))
        return 0;
    if (!strcmp(key, "qtype"))
        name = phrase_dns_type(json_integer_value(v));
    else if (!strcmp(key, "rcode"))
        name = phrase_dns_rcode(json_integer_value(v));
    if (!name)
        return 0;
    html_text(o, name);
    return 1;
}

/* Any JSON value as text: strings as they are, lists joined, objects as key=value;
 * nothing for a missing one. `key` names the value, for the numbers that have names. */
void report_value(FILE *o, json_t *v, const char *key)
{
    size_t i;
    const char *k;
    json_t *x;
    if (!v || named_number(o, v, key))
        return;
    switch (json_typeof(v)) {
    case JSON_STRING:
        html_text(o, json_string_value(v));
        break;
    case JSON_INTEGER:
        html_printf(o, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
        break;
    case JSON_REAL:
        html_printf(o, "%g", json_real_value(v));
        break;
    case JSON_TRUE:
    case JSON_FALSE:
        html_text(o, json_is_true(v) ? "yes" : "no");
        break;
    case JSON_NULL:
        fputs("&mdash;", o);
        break;
    case JSON_ARRAY:
        json_array_foreach(v, i, x)
        {
            fputs(i ? ", " : "", o);
            report_value(o, x, key);
        }
        break;
    case JSON_OBJECT:
        i = 0;
        json_object_foreach(v, k, x)
        {
            fputs(i++ ? "; " : "", o);
            html_text(o, k);
            fputc('=', o);
            report_value(o, x, k);
        }
        break;
    }
}

/* An array of objects as a table in its own scrolling box: the first object's keys are
 * the columns, a forged row marked. */
void report_table(FILE *o, json_t *arr)
{
    size_t i;
    json_t *row, *x;
    const char *k;
    json_t *first = json_array_get(arr, 0);
    if (!json_is_object(first))
        return;
    fputs("<div class=\"scroll\"><table class=\"copies\"><tr>", o);
    json_object_foreach(first, k, x)
    {
        fputs("<th>", o);
        html_text(o, k);
        fputs("</th>", o);
    }
    fputs("</tr>\n", o);
    json_array_foreach(arr, i, row)
    {
        fprintf(o, "<tr class=\"%s\">", strcmp(report_str(row, "role"), "forged") ? "" : "forged");
        json_object_foreach(first, k, x)
        {
            fputs("<td>", o);
            report_value(o, json_object_get(row, k), k);
            fputs("</td>", o);
        }
        fputs("</tr>\n", o);
    }
    fputs("</table></div>\n", o);
}

int report_is_table(json_t *v)
{
    return json_is_array(v) && json_array_size(v) && json_is_object(json_array_get(v, 0));
}

void report_kv(FILE *o, json_t *obj, int flags)
{
    const char *k;
    json_t *v;
    fputs("<table class=\"kv\">\n", o);
    json_object_foreach(obj, k, v)
    {
        if (report_is_table(v) || ((flags & KV_NO_OBJECTS) && json_is_object(v)) ||
            ((flags & KV_NO_ZEROS) && json_is_integer(v) && !json_integer_value(v)))
            continue;
        fputs("<tr><th>", o);
        html_text(o, k);
        fputs("</th><td>", o);
        report_value(o, v, k);
        fputs("</td></tr>\n", o);
    }
    fputs("</table>\n", o);
}

/* Key/value rows of an object; arrays of objects become tables after them. */
static void fields(FILE *o, json_t *obj)
{
    const char *k;
    json_t *v;
    report_kv(o, obj, 0);
    json_object_foreach(obj, k, v)
    {
        if (!report_is_table(v))
            continue;
        fputs("<p class=\"sub\">", o);
        html_text(o, k);
        fputs("</p>\n", o);
        report_table(o, v);
    }
}

static void endpoint(FILE *o, json_t *flow, const char *ip, const char *port)
{
    const char *addr = report_str(flow, ip);
    int v6 = strchr(addr, ':') != NULL;
    html_printf(o, "%s%s%s:", v6 ? "[" : "", addr, v6 ? "]" : "");
    report_value(o, json_object_get(flow, port), NULL);
}

void report_endpoints(FILE *o, json_t *flow)
{
    endpoint(o, flow, "src_ip", "src_port");
    fputs(" &rarr; ", o);
    endpoint(o, flow, "dest_ip", "dest_port");
}

void report_flow_title(FILE *o, const struct report *rep, const struct report_flow *fl)
{
    (void)rep;
    json_t *flow = json_object_get(fl->head->obj, "flow");
    fputs("<h3>", o);
    html_text(o, report_str(flow, "proto"));
    fputc(' ', o);
    report_endpoints(o, flow);
    fputs(" <small>", o);
    html_printf(o, "%zu finding%s in %s", fl->count, fl->count == 1 ? "" : "s", fl->head->pcap);
    if (*report_str(flow, "community_id"))
        html_printf(o, " · %s", report_str(flow, "community_id"));
    fputs("</small></h3>\n", o);
}

/* A list of tell codes in words, as a sentence after `lead` (already escaped). */
static void tells_sentence(FILE *o, const char *lead, json_t *tells, const char *side)
{
    size_t j;
    json_t *t;
    char list[512] = "", words[1024];
    json_array_foreach(tells, j, t)
    {
        if (json_string_length(t))
            strlist_add_str(list, sizeof list, json_string_value(t));
    }
    if (!*list)
        return;
    fputs("<p class=\"sub\">", o);
    html_text(o, lead);
    html_text(o, phrase_tells(words, sizeof words, list, side));
    fputs(".</p>\n", o);
}

/* The tells of the forged copy in words. */
/* Who the suspect packet poses as, for the tells' "sender": the resolver of a DNS
 * answer, else the side on a well-known port is the server; NULL when neither is. */
static const char *sender_side(json_t *alert)
{
    json_t *flow = json_object_get(alert, "flow");
    long long sp = report_int(flow, "src_port", -1), dp = report_int(flow, "dest_port", -1);
    if (!strcmp(report_str(alert, "class"), "dns_injection"))
        return "resolver";
    if (sp >= 0 && sp < 1024 && dp >= 1024)
        return "server";
    if (dp >= 0 && dp < 1024 && sp >= 1024)
        return "client";
    return NULL;
}

static void forged_tells(FILE *o, json_t *alert)
{
    json_t *ev = json_object_get(alert, "evidence");
    json_t *rows = json_object_get(ev, "copies");
    if (!json_is_array(rows))
        rows = json_object_get(ev, "answers");
    size_t i;
    json_t *row;
    char lead[64];
    json_array_foreach(rows, i, row)
    {
        if (strcmp(report_str(row, "role"), "forged"))
            continue;
        snprintf(lead, sizeof lead, "Frame %lld is judged forged: ", report_int(row, "frame", 0));
        tells_sentence(o, lead, json_object_get(row, "tells"), sender_side(alert));
        return;
    }
}

/* The victim's request the forged copy answers, what the forged copy carried, and
 * which copy the receiver kept, each in a sentence. */
static void request_and_copies(FILE *o, json_t *alert)
{
    json_t *app = json_object_get(alert, "app");
    const char *method = report_str(app, "method"), *host = report_str(app, "host");
    const char *url = report_str(app, "url");
    if (*method && *url) {
        int absolute = !strncmp(url, "http://", 7) || !strncmp(url, "https://", 8);
        fputs("<p class=\"sub\">The victim's request: <b>", o);
        html_text(o, method);
        fputc(' ', o);
        if (*host && !absolute) {
            html_text(o, "http://");
            html_text(o, host);
        }
        html_text(o, url);
        fputs("</b>, answered by the forged copy.</p>\n", o);
    }
    size_t i;
    json_t *c, *copies = json_object_get(json_object_get(alert, "evidence"), "copies");
    json_array_foreach(copies, i, c)
    {
        const char *role = report_str(c, "role"), *excerpt = report_str(c, "excerpt");
        json_t *acked = json_object_get(c, "acknowledged");
        long long frame = report_int(c, "frame", 0);
        if (!strcmp(role, "forged") && *excerpt) {
            fputs("<p class=\"sub\">", o);
            html_printf(o, "Frame %lld, the forged copy, carried:", frame);
            fputs("</p><pre class=\"excerpt\">", o);
            html_text(o, excerpt);
            fputs("</pre>\n", o);
        }
        if (!json_is_true(acked))
            continue;
        fputs("<p class=\"sub\">", o);
        html_printf(o, "The receiver acknowledged frame %lld (%s): %s", frame, role,
                    !strcmp(role, "forged")    ? "the forgery reached the victim."
                    : !strcmp(role, "genuine") ? "the forged copy came too late."
                                               : "it kept this copy's bytes.");
        fputs("</p>\n", o);
    }
}

/* Links to the evidence pcap and its .txt, relative to the page's directory. */
static void evidence_links(FILE *o, const struct report *rep, json_t *a)
{
    const char *pcap = report_str(a, "evidence_pcap");
    char cwd[4096], rel[4096], txt[4096];
    if (!*pcap)
        return;
    if (!getcwd(cwd, sizeof cwd))
        snprintf(cwd, sizeof cwd, "/");
    if (html_relative(rel, sizeof rel, rep->page_dir, pcap, cwd) < 0)
        snprintf(rel, sizeof rel, "%s", pcap);
    fputs("<p class=\"sub\">evidence: <a href=\"", o);
    html_href(o, rel);
    fputs("\">", o);
    html_text(o, pcap);
    fputs("</a>", o);
    size_t n = strlen(rel), pn = strlen(pcap);
    if (n > 5 && !strcmp(rel + n - 5, ".pcap") && pn > 5 && !strcmp(pcap + pn - 5, ".pcap")) {
        snprintf(txt, sizeof txt, "%.*s.txt", (int)(n - 5), rel);
        fputs(" and the byte-level comparison <a href=\"", o);
        html_href(o, txt);
        fputs("\">", o);
        html_printf(o, "%.*s.txt", (int)(pn - 5), pcap);
        fputs("</a>", o);
    }
    fputs("</p>\n", o);
}

static void finding_head(FILE *o, const struct report_alert *a)
{
    char id[32];
    report_anchor(id, sizeof id, a);
    const char *conf = report_str(a->obj, "confidence");
    fprintf(o, "<article class=\"finding %s\" id=\"%s\">\n<p class=\"head\">",
            a->conf == CONF_HIGH     ? "high"
            : a->conf == CONF_MEDIUM ? "medium"
                                     : "low",
            id);
    html_printf(o, "#%zu ", a->id + 1);
    fputs("<span class=\"badge\">", o);
    html_text(o, report_str(a->obj, "class"));
    fputs("</span> <span class=\"conf\">", o);
    html_text(o, conf);
    fputs("</span> <time>", o);
    html_text(o, a->ts);
    fputs("</time></p>\n<p class=\"summary\">", o);
    html_text(o, report_str(a->obj, "summary"));
    fputs("</p>\n", o);
}

void report_finding(FILE *o, const struct report *rep, const struct report_alert *a)
{
    json_t *ev = json_object_get(a->obj, "evidence");
    finding_head(o, a);
    if (a->forger >= 0) {
        const struct report_forger *g = &rep->forgers[a->forger];
        fprintf(o, "<p class=\"sub\"><a href=\"#forger%d\">", a->forger + 1);
        html_printf(o, "One of %zu findings on %zu servers that share a forger", g->count,
                    g->servers);
        fputs("</a></p>\n", o);
    }
    forged_tells(o, a->obj);
    request_and_copies(o, a->obj);
    report_sequence_sketch(o, a->obj);
    report_path_sketch(o, a->obj);
    if (json_is_object(ev))
        fields(o, ev);
    json_t *app = json_object_get(a->obj, "app");
    if (json_is_object(app)) {
        tells_sentence(o, "The forged content: ", json_object_get(app, "tells"), NULL);
        fputs("<p class=\"sub\">content</p>\n", o);
        fields(o, app);
    }
    evidence_links(o, rep, a->obj);
    fputs("</article>\n", o);
}
