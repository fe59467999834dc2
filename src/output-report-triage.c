/* secondsight - the top of the report and each run's frame: verdicts and coverage
 * problems first, findings that share a forger, counts, an index by confidence, a diff
 * run's conversations, and each run's statistics folded away. */
#include <limits.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "output-html.h"
#include "output-report-int.h"
#include "output-svg.h"
#include "util-phrase.h"
#include "util-strlist.h"

/* The forged copy's tells, sorted and comma-joined, into buf; 0 when none is forged. */
static int forged_tells_key(json_t *ev, char *buf, size_t cap)
{
    json_t *rows = json_object_get(ev, "copies"), *row, *t;
    size_t i, j, n = 0;
    const char *tells[16];
    if (!json_is_array(rows))
        rows = json_object_get(ev, "answers");
    json_array_foreach(rows, i, row)
    {
        if (strcmp(report_str(row, "role"), "forged"))
            continue;
        json_array_foreach(json_object_get(row, "tells"), j, t)
        {
            const char *s = json_string_value(t);
            size_t k = n;
            if (!s || n == 16)
                continue;
            for (; k > 0 && strcmp(tells[k - 1], s) > 0; k--) /* insertion sort */
                tells[k] = tells[k - 1];
            tells[k] = s;
            n++;
        }
        break;
    }
    buf[0] = '\0';
    for (size_t k = 0; k < n; k++) {
        size_t len = strlen(buf);
        snprintf(buf + len, cap - len, "%s%s", k ? "," : "", tells[k]);
    }
    return n > 0;
}

static int by_string(const void *x, const void *y)
{
    return strcmp(*(const char *const *)x, *(const char *const *)y);
}

/* Distinct senders (the servers posed as) among the group's findings. */
static size_t count_servers(struct report *rep, int g, const char **scratch)
{
    size_t n = 0, distinct = 0;
    for (size_t i = 0; i < rep->nalerts; i++)
        if (rep->alerts[i].forger == g)
            scratch[n++] = report_str(json_object_get(rep->alerts[i].obj, "flow"), "src_ip");
    if (n)
        qsort(scratch, n, sizeof *scratch, by_string);
    for (size_t i = 0; i < n; i++)
        distinct += !i || strcmp(scratch[i], scratch[i - 1]);
    return distinct;
}

/* Groups the findings whose forged copy has the same estimated hop distance and the
 * same tells; groups that span fewer than two servers are dropped again. */
void report_forgers_find(struct report *rep)
{
    char key[160];
    for (size_t i = 0; i < rep->nalerts; i++) {
        struct report_alert *a = &rep->alerts[i];
        json_t *ev = json_object_get(a->obj, "evidence");
        long long hops = report_int(ev, "forger_hops", -1);
        if (hops < 0 || json_is_false(json_object_get(ev, "hops_reliable")) ||
            !forged_tells_key(ev, key, sizeof key))
            continue;
        size_t g = 0;
        while (g < rep->nforgers &&
               (rep->forgers[g].hops != hops || strcmp(rep->forgers[g].tells, key)))
            g++;
        if (g == rep->nforgers) {
            if (g == REPORT_MAX_FORGERS)
                continue;
            memset(&rep->forgers[g], 0, sizeof rep->forgers[g]);
            rep->forgers[g].hops = hops;
            snprintf(rep->forgers[g].tells, sizeof rep->forgers[g].tells, "%s", key);
            rep->forgers[g].first = i;
            rep->nforgers++;
        }
        rep->forgers[g].count++;
        a->forger = (int)g;
    }
    const char **scratch = malloc((rep->nalerts ? rep->nalerts : 1) * sizeof *scratch);
    int remap[REPORT_MAX_FORGERS];
    size_t kept = 0;
    for (size_t m = 0; m < REPORT_MAX_FORGERS; m++)
        remap[m] = -1;
    for (size_t g = 0; g < rep->nforgers; g++) {
        rep->forgers[g].servers = scratch ? count_servers(rep, (int)g, scratch) : 0;
        remap[g] = rep->forgers[g].servers >= 2 ? (int)kept : -1;
        if (remap[g] >= 0)
            rep->forgers[kept++] = rep->forgers[g];
    }
    free(scratch);
    rep->nforgers = kept;
    /* The biggest groups first: a stable sort of at most 64, and the map follows it. */
    for (size_t g = 1; g < kept; g++)
        for (size_t k = g; k > 0 && rep->forgers[k].count > rep->forgers[k - 1].count; k--) {
            struct report_forger t = rep->forgers[k];
            rep->forgers[k] = rep->forgers[k - 1];
            rep->forgers[k - 1] = t;
            for (size_t m = 0; m < REPORT_MAX_FORGERS; m++)
                remap[m] = remap[m] == (int)k       ? (int)k - 1
                           : remap[m] == (int)k - 1 ? (int)k
                                                    : remap[m];
        }
    for (size_t i = 0; i < rep->nalerts; i++)
        if (rep->alerts[i].forger >= 0)
            rep->alerts[i].forger = remap[rep->alerts[i].forger];
}

static void forger_groups(FILE *o, const struct report *rep)
{
    for (size_t g = 0; g < rep->nforgers; g++) {
        const struct report_forger *f = &rep->forgers[g];
        fprintf(o, "<p class=\"box\" id=\"forger%zu\"><b>", g + 1);
        char where[64], list[sizeof f->tells + 8] = "", words[1024];
        html_printf(o, "%zu findings on %zu servers share a forger %s", f->count, f->servers,
                    phrase_hops(where, sizeof where, f->hops > INT_MAX ? -1 : (int)f->hops));
        /* the group's tells are comma-joined codes (report_forgers_find) */
        for (const char *p = f->tells; *p;) {
            size_t len = strcspn(p, ",");
            if (len)
                strlist_add(list, sizeof list, p, len);
            p += len + (p[len] == ',');
        }
        fputs("</b>. In each the forged copy gives itself away the same way: ", o);
        html_text(o, phrase_tells(words, sizeof words, list, NULL));
        fputs(". Findings:", o);
        size_t shown = 0;
        for (size_t i = 0; i < rep->nalerts; i++) {
            const struct report_alert *a = &rep->alerts[i];
            if (a->forger != (int)g)
                continue;
            if (shown++ == REPORT_GROUP_LINKS) {
                html_printf(o, " and %zu more", f->count - REPORT_GROUP_LINKS);
                break;
            }
            fprintf(o, " <a href=\"#f%zu\">#%zu</a>", a->id + 1, a->id + 1);
        }
        fputs("</p>\n", o);
    }
}

/* One coverage problem as a list item linking to its run. */
static void problem(FILE *o, size_t r, size_t *n, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static void problem(FILE *o, size_t r, size_t *n, const char *fmt, ...)
{
    char buf[HTML_PRINTF_MAX + 8];
    va_list ap;
    if ((*n)++ >= REPORT_TOP_PROBLEMS)
        return;
    va_start(ap, fmt);
    html_vformat(buf, sizeof buf, fmt, ap);
    va_end(ap);
    fprintf(o, "<li><a href=\"#run%zu\">run %zu</a>: ", r + 1, r + 1);
    html_text(o, buf);
    fputs("</li>\n", o);
}

static void file_problems(FILE *o, json_t *stats, size_t r, size_t *n)
{
    size_t i;
    json_t *f;
    json_array_foreach(json_object_get(stats, "files"), i, f)
    {
        const char *name = report_str(f, "pcap"), *err = report_str(f, "error");
        long long skipped = report_int(f, "skipped", 0);
        if (!strncmp(err, "damaged", 7))
            problem(o, r, n, "%s was %s; what came before the damage was analysed", name, err);
        else if (*err)
            problem(o, r, n, "%s could not be read: %s", name, err);
        if (skipped > 0)
            problem(o, r, n, "%s: %lld packets of link type %s were not decoded", name, skipped,
                    report_str(f, "linktype"));
    }
    json_array_foreach(json_object_get(stats, "capture"), i, f)
    {
        long long k = report_int(f, "dropped", 0), d = report_int(f, "if_dropped", 0);
        if (k > 0 || d > 0)
            problem(o, r, n,
                    "interface %s lost packets: %lld dropped by the kernel, %lld by "
                    "the interface",
                    report_str(f, "interface"), k, d);
    }
}

static void diff_problems(FILE *o, json_t *diff, size_t r, size_t *n)
{
    static const char *const sides[] = {"inside", "outside"};
    for (int s = 0; s < 2; s++) {
        long long drops = report_int(json_object_get(diff, "capture_drops"), sides[s], 0);
        long long gaps = report_int(json_object_get(diff, "capture_gaps"), sides[s], 0);
        if (drops > 0)
            problem(o, r, n, "the %s capture says it lost %lld packets", sides[s], drops);
        if (gaps > 0)
            problem(o, r, n,
                    "the %s capture missed %lld packets that their receiver "
                    "acknowledged",
                    sides[s], gaps);
    }
    long long w = report_int(diff, "waiting_evicted", 0);
    long long c = report_int(diff, "conversations_evicted", 0);
    if (w > 0 || c > 0)
        problem(o, r, n,
                "at the caps, %lld packets were left unjudged and %lld conversations "
                "pushed out",
                w, c);
}

static void table_problems(FILE *o, json_t *stats, size_t r, size_t *n)
{
    json_t *flows = json_object_get(stats, "flows");
    long long ev =
        report_int(flows, "evicted_count_cap", 0) + report_int(flows, "evicted_memory_cap", 0);
    long long fail = report_int(flows, "alloc_failures", 0);
    long long frag = report_int(json_object_get(stats, "reassembly"), "evicted", 0);
    long long snap = report_int(json_object_get(stats, "decode_events"), "payload_snapped", 0);
    long long noev = report_int(json_object_get(stats, "evidence"), "skipped", 0);
    if (ev > 0)
        problem(o, r, n,
                "%lld flow evictions at the flow table's caps: bytes of those flows "
                "that were let go could not be compared",
                ev);
    if (fail > 0)
        problem(o, r, n, "%lld times a flow or its bytes could not be kept (memory)", fail);
    if (frag > 0)
        problem(o, r, n, "%lld fragmented datagrams dropped at the reassembly caps", frag);
    if (snap > 0)
        problem(o, r, n,
                "%lld packets were cut by the snap length: only their captured bytes "
                "were compared",
                snap);
    if (noev > 0)
        problem(o, r, n, "%lld findings have no evidence files", noev);
}

static void verdicts(FILE *o, const struct report *rep)
{
    for (size_t r = 0; r < rep->nruns; r++) {
        json_t *diff = json_object_get(rep->runs[r].stats, "diff");
        const char *v = report_str(diff, "verdict");
        if (!*v)
            continue;
        fprintf(o,
                "<p><a href=\"#run%zu\">Run %zu</a> (diff): verdict <span class=\"verdict "
                "v-%s\">",
                r + 1, r + 1,
                !strcmp(v, "tampered") ? "tampered"
                : !strcmp(v, "clean")  ? "clean"
                                       : "inconclusive");
        html_text(o, v);
        fputs("</span> ", o);
        html_text(o, !strcmp(v, "tampered") ? "the device modified, injected or dropped packets"
                     : !strcmp(v, "clean")  ? "every packet crossed the device as sent, apart "
                                              "from allowed rewrites"
                                            : "only findings that capture loss could explain, "
                                              "or packets that could not be judged");
        fputs("</p>\n", o);
    }
}

static void counts(FILE *o, const struct report *rep)
{
    size_t by[3] = {0, 0, 0};
    for (size_t i = 0; i < rep->nalerts; i++)
        by[rep->alerts[i].conf]++;
    fputs("<p><b>", o);
    html_printf(o, "%zu finding%s", rep->nalerts, rep->nalerts == 1 ? "" : "s");
    fputs("</b>", o);
    if (rep->nalerts)
        html_printf(o, ": %zu high, %zu medium, %zu low confidence", by[0], by[1], by[2]);
    fputs("</p>\n", o);
}

void report_triage(FILE *o, const struct report *rep)
{
    size_t n = 0;
    fputs("<section class=\"triage\" id=\"triage\">\n", o);
    counts(o, rep);
    verdicts(o, rep);
    fputs("<div class=\"box\"><p class=\"problem\"><b>Coverage problems</b></p><ul>\n", o);
    for (size_t r = 0; r < rep->nruns; r++) {
        json_t *stats = rep->runs[r].stats;
        if (!stats)
            problem(o, r, &n,
                    "no stats record: the input ends before this run did, so what "
                    "it read is unknown");
        file_problems(o, stats, r, &n);
        diff_problems(o, json_object_get(stats, "diff"), r, &n);
        table_problems(o, stats, r, &n);
    }
    fputs("</ul>\n", o);
    if (!n)
        fputs("<p>None: every input was read to its end, nothing dropped or skipped.</p>\n", o);
    else if (n > REPORT_TOP_PROBLEMS)
        html_printf(o, "%zu more in the runs' statistics below.", n - REPORT_TOP_PROBLEMS);
    fputs("</div>\n", o);
    forger_groups(o, rep);
    fputs("</section>\n", o);
}
