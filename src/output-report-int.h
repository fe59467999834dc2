/* secondsight - the report's model, shared by output-report*.c: the records read back,
 * cut into runs (each ends with its stats record) and flows, and the findings with what
 * the page needs to sort and link them. Everything borrows from the jansson tree. */
#ifndef SS_OUTPUT_REPORT_INT_H
#define SS_OUTPUT_REPORT_INT_H

#include <jansson.h>
#include <stddef.h>
#include <stdio.h>

enum { CONF_HIGH, CONF_MEDIUM, CONF_LOW };

struct report_alert {
    json_t *obj;
    size_t id;        /* position among the alerts of the input; anchor "f<id + 1>" */
    size_t run;       /* index into report.runs */
    const char *pcap; /* evidence.pcap: captures sharing a 4-tuple stay apart */
    const char *key;  /* flow key within the file: the Community ID, else the summary */
    const char *ts;
    double t;   /* seconds since 1970, NAN when the timestamp does not parse */
    int conf;   /* CONF_* */
    int forger; /* index into report.forgers, -1 when in none */
};

struct report_flow {
    size_t run;
    size_t start, count;             /* a run of report.by_flow */
    const struct report_alert *head; /* its first finding */
};

struct report_run {
    json_t *stats; /* the stats object; NULL when the input ended before it */
    const char *stats_ts;
    size_t first, end;           /* its records: [first, end) of report.all */
    size_t alert_start, nalerts; /* its alerts: a run of report.alerts */
    size_t nflows_start, nflows; /* its flows: a run of report.flows */
    double t0, t1;               /* the span its timestamps cover (NAN when none parse) */
    int diff;                    /* a `diff` run: stats.diff, a device_* record */
};

/* Findings that point at one forger: same estimated hops and tells, several servers. */
#define REPORT_MAX_FORGERS 64
struct report_forger {
    long long hops;
    char tells[160];
    size_t count, servers;
    size_t first; /* an alert of the group, for its tells */
};

struct report {
    json_t *all;                 /* every record, in input order */
    struct report_alert *alerts; /* in input order */
    size_t nalerts;
    struct report_run *runs;
    size_t nruns;
    struct report_alert **by_flow; /* the alerts by run, file, flow, then time */
    struct report_flow *flows;     /* in page order: run, then first finding */
    size_t nflows;
    struct report_forger forgers[REPORT_MAX_FORGERS];
    size_t nforgers;
    const char *page_dir; /* links are relative to it; NULL: the current one */
};

const char *report_str(json_t *obj, const char *key);
/* An integer member, or `dflt` when it is missing or of another type. */
long long report_int(json_t *obj, const char *key, long long dflt);
/* "f12": the anchor of an alert. */
void report_anchor(char *buf, size_t cap, const struct report_alert *a);
/* "10:11:12.070" of an ISO timestamp (the time of day, to the millisecond). */
const char *report_clock(char *buf, size_t cap, const char *ts);

/* output-report-finding.c */
void report_value(FILE *o, json_t *v, const char *key);
void report_table(FILE *o, json_t *arr);
/* A non-empty array whose first element is an object: shown as a table. */
int report_is_table(json_t *v);
/* An object's members as key/value rows, tables left out (and objects, zeros). */
enum { KV_NO_OBJECTS = 1, KV_NO_ZEROS = 2 };
void report_kv(FILE *o, json_t *obj, int flags);
void report_flow_title(FILE *o, const struct report *rep, const struct report_flow *fl);
void report_finding(FILE *o, const struct report *rep, const struct report_alert *a);
void report_endpoints(FILE *o, json_t *flow);

/* output-report-pictures.c */
void report_timeline(FILE *o, const struct report *rep, size_t run);
void report_sequence_sketch(FILE *o, json_t *alert);
void report_path_sketch(FILE *o, json_t *alert);
void report_device_sketch(FILE *o, json_t *diff);

/* output-report-triage.c */
void report_forgers_find(struct report *rep);
void report_triage(FILE *o, const struct report *rep);
void report_index(FILE *o, const struct report *rep);
void report_run_stats(FILE *o, const struct report *rep, size_t run);
void report_conversations(FILE *o, const struct report *rep, size_t run);

#endif
