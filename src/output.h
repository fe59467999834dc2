/* secondsight - writing results: findings, diff's conversations and stats records in
 * one format (JSON lines for machines, a short text report for people) behind struct
 * output_format. Only this layer knows any format. */
#ifndef SS_OUTPUT_H
#define SS_OUTPUT_H

#include <stdio.h>

#include "decode.h"
#include "finding.h"
#include "flow-frag.h"
#include "flow.h"
#include "locate.h"
#include "output-format.h"
#include "stats.h"
#include "util-json.h"

/* diff: one conversation across the device with something not forwarded cleanly. */
struct device_flow {
    int64_t first_ns, last_ns;
    uint8_t ip_version, proto;
    uint8_t src_ip[16], dst_ip[16]; /* inside addresses, from the first sender */
    uint16_t sport, dport;
    int has_outside;
    uint8_t out_src_ip[16], out_dst_ip[16]; /* the same conversation outside */
    uint16_t out_sport, out_dport;
    uint64_t forwarded[2], modified[2], injected[2], dropped[2]; /* per direction */
};

struct output;

/* One format of results: each writes one record to o->fp, 0 when writing failed. */
struct output_format {
    const char *name;
    int (*finding)(struct output *o, const struct finding *f);
    int (*device_flow)(struct output *o, const struct device_flow *d);
    int (*stats)(struct output *o, const struct run_stats *s);
    int (*locate)(struct output *o, const struct locate_result *r);
};

extern const struct output_format output_format_json; /* output-json.c */
extern const struct output_format output_format_text; /* output-text.c */
extern const struct output_format output_format_eve;  /* output-eve.c */

/* The format called `name` ("text", "json", "eve"), or NULL. */
const struct output_format *output_format_named(const char *name);

struct output {
    FILE *fp;
    const struct output_format *format;
    int color;          /* ANSI colour in text mode (terminal, NO_COLOR unset) */
    const char *sensor; /* the sensor's name (EVE's host) */
    struct jw jw;
    const struct run_stats *stats; /* for file names; a live run's has `capture` set */
};

/* `format` NULL: text. */
void output_init(struct output *o, FILE *fp, const struct output_format *format, int color,
                 const char *sensor, const struct run_stats *stats);
void output_release(struct output *o);
/* Returns 0 when the write failed (disk full, closed pipe). */
int output_finding(struct output *o, const struct finding *f);
int output_stats(struct output *o, const struct run_stats *s);
int output_device_flow(struct output *o, const struct device_flow *d);
/* locate: the sweep's table and where it places the forger (after its findings). */
int output_locate(struct output *o, const struct locate_result *r);

/* JSON serialisation, shared by the writer above and the tests. */
void json_finding(struct jw *w, const struct finding *f, const struct run_stats *s);
void json_stats(struct jw *w, const struct run_stats *s);
void json_device_flow(struct jw *w, const struct device_flow *d);
void json_locate(struct jw *w, const struct locate_result *r);
/* Parts of those records that EVE records carry under their "secondsight" key: a
 * finding's class, confidence, summary, evidence, app and evidence_pcap keys; the
 * stats object; a device_flow's outside_flow, last_seen, outbound and inbound keys. */
void json_finding_keys(struct jw *w, const struct finding *f, const struct run_stats *s);
void json_stats_object(struct jw *w, const struct run_stats *s);
void json_device_flow_keys(struct jw *w, const struct device_flow *d);
/* A finding's frames of input file `file`, as a JSON array. */
void json_frames(struct jw *w, const frame_ref *refs, unsigned n, uint32_t file);
/* One line: the record in o->jw and a newline, to o->fp; 0 when writing failed. */
int output_write_record(struct output *o);

/* EVE (output-eve.c): the signature a finding is reported under. */
struct eve_signature {
    uint32_t sid;
    const char *class_name;
    const char *tell; /* NULL: the class's own row */
    const char *signature;
    const char *category;
};
const struct eve_signature *eve_signature_of(const struct finding *f);
/* The table, for documentation and tests; *n gets its length. */
const struct eve_signature *eve_signatures(unsigned *n);
/* EVE's flow_id of a flow: stable across runs and sensors, the same both ways. */
uint64_t eve_flow_id(const char *community_id);

/* Text forms. */
void text_finding(FILE *fp, int color, const struct finding *f, const struct run_stats *s);
void text_stats(FILE *fp, int color, const struct run_stats *s);
void text_device_flow(FILE *fp, int color, const struct device_flow *d);
void text_locate(FILE *fp, int color, const struct locate_result *r);

#endif
