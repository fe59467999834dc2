/* secondsight - a finding: what a detector concluded, in plain data. Only output
 * knows how it is written; detectors fill it and hand it to a sink. */
#ifndef SS_FINDING_H
#define SS_FINDING_H

#include <stdint.h>

#include "config.h"
#include "flow.h"

enum confidence { CONF_LOW, CONF_MEDIUM, CONF_HIGH };

enum field_type {
    FIELD_INT,
    FIELD_STR,
    FIELD_BOOL,
    FIELD_STR_LIST,
    FIELD_COPIES,
    FIELD_ANSWERS,
    FIELD_FRAMES /* the finding's frames of input file `i` */
};

/* A class-specific key/value; STR_LIST holds a list (util-strlist.h) written as a JSON
 * array of strings. Keys are static strings. */
struct finding_field {
    const char *key;
    enum field_type type;
    int64_t i;
    char s[160];
};

/* One copy of a packet a finding compares: its headers, where it came from, and what
 * the detector made of it. Written as an element of evidence.copies. */
struct finding_copy {
    struct fp_sample hdr;
    uint8_t csum;                      /* enum csum_state */
    int8_t hops;                       /* estimated from TTL; -1 unknown */
    const char *role;                  /* "forged", "genuine", "undetermined" */
    char tells[128];                   /* the names of the fields that broke (util-strlist.h) */
    uint8_t acked;                     /* enum copy_ack: did the receiver keep this copy's bytes */
    char excerpt[FINDING_EXCERPT_MAX]; /* its payload's first bytes (phrase_excerpt); "" none */
};

/* What the receiver's acknowledgments say of one copy when the finding is made. */
enum copy_ack {
    COPY_ACK_UNKNOWN,   /* nothing yet, or nothing to tell (not written) */
    COPY_ACK_KEPT,      /* the receiver acknowledged all of its bytes */
    COPY_ACK_DISCARDED, /* the receiver had acknowledged the other copy's bytes before
                         * this one came: its overlapping bytes were duplicates to it */
};

#define FINDING_MAX_COPIES 4

/* One DNS answer a finding compares. Written as an element of evidence.answers. */
struct finding_answer {
    frame_ref frame;
    const char *role; /* "forged", "genuine", "undetermined" */
    uint16_t ip_id;
    uint8_t ttl, df, rcode;
    int8_t hops;
    uint16_t nrecords;
    char records[160]; /* a list (util-strlist.h), e.g. "A 192.0.2.1", "TXT a,b" */
    char tells[64];    /* a list, as the copies' */
};

#define FINDING_MAX_ANSWERS 4

struct finding {
    const char *class_name; /* static, e.g. "tcp_injection" */
    enum confidence confidence;
    int64_t ts_ns; /* packet time of the packet that completed the finding */
    char summary[512];

    /* the flow, oriented from the sender of the suspect packet */
    uint8_t ip_version, proto;
    uint8_t src_ip[16], dst_ip[16];
    uint16_t sport, dport;
    uint8_t flow_by_addresses; /* fragments: the flow is every packet between the two
                                * hosts (most fragments carry no ports) */

    uint32_t file_index; /* input file the frames belong to */
    uint8_t nframes, nforged;
    frame_ref frames[FINDING_MAX_FRAMES];
    frame_ref forged[FINDING_MAX_FRAMES];

    uint8_t ncopies;
    struct finding_copy copies[FINDING_MAX_COPIES];
    uint8_t nanswers;
    struct finding_answer answers[FINDING_MAX_ANSWERS];

    uint8_t nevidence, napp;
    struct finding_field evidence[FINDING_MAX_FIELDS]; /* after pcap/frames/forged_frames */
    struct finding_field app[8];

    char evidence_pcap[256]; /* set by the evidence writer (--evidence), else "" */
};

/* Detectors hand findings to a sink; the sink copies what it keeps. */
struct finding_sink {
    void (*emit)(struct finding_sink *sink, const struct finding *f);
    void *ctx;
};

void finding_set_flow_from_packet(struct finding *f, const struct packet *pkt);
void finding_add_frame(struct finding *f, frame_ref ref, int forged);
struct finding_field *finding_evidence_int(struct finding *f, const char *key, int64_t v);
struct finding_field *finding_evidence_str(struct finding *f, const char *key, const char *v);
struct finding_field *finding_app_int(struct finding *f, const char *key, int64_t v);
struct finding_field *finding_app_str(struct finding *f, const char *key, const char *v);

/* Mark where evidence.copies and evidence.answers go among the evidence fields. */
void finding_evidence_copies(struct finding *f);
void finding_evidence_answers(struct finding *f);
/* Marks where the frames the finding cites from input file `file` go, under `key`. */
void finding_evidence_frames(struct finding *f, const char *key, uint32_t file);
struct finding_field *finding_evidence_bool(struct finding *f, const char *key, int v);
/* A list field: `list` is a util-strlist.h list, copied. */
struct finding_field *finding_evidence_list(struct finding *f, const char *key, const char *list);
struct finding_field *finding_app_list(struct finding *f, const char *key, const char *list);

const char *confidence_name(enum confidence c);
/* The field called `key` among fl[0..n), or NULL. */
const struct finding_field *finding_field_get(const struct finding_field *fl, unsigned n,
                                              const char *key);

/* The documented bound of a summary (docs/json-schema.md), in bytes. */
#define FINDING_SUMMARY_MAX 319
#define FINDING_ELLIPSIS "\xe2\x80\xa6" /* U+2026, 3 bytes in UTF-8 */

/* `src`, a list of items separated by `sep`, into dst (size bytes) in at most `max`
 * bytes: whole items only, and an ellipsis after the last one when any were left out
 * or `more` says the list was already incomplete. An item longer than `max` on its own
 * is cut inside (never inside a UTF-8 sequence). Returns dst. */
const char *finding_clip(char *dst, size_t size, const char *src, size_t max, char sep, int more);
/* f->summary as written out: at most FINDING_SUMMARY_MAX bytes, cut after a whole word
 * with an ellipsis should a detector ever have made it longer. Returns buf. */
const char *finding_summary(const struct finding *f, char buf[FINDING_SUMMARY_MAX + 1]);

#endif
