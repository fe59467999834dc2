/* secondsight - the analysis pipeline: capture -> decode -> flow -> detect -> output,
 * shared by every subcommand that reads packets. */
#ifndef SS_ANALYZE_H
#define SS_ANALYZE_H

#include <stdio.h>

#include "flow.h"

struct analyze_options {
    int json;
    int color;
    int test_detectors;       /* also run test-only detectors */
    int progress;             /* a progress line on stderr (a terminal, not --quiet) */
    const char *evidence_dir; /* --evidence DIR, or NULL */
    uint32_t threads;         /* --threads: flow shards, each on a thread of its own */
    int fanout;               /* live: the shards are workers the caller feeds (below) */
    FILE *out;
    struct flow_config flow;
};

/* Exit statuses (DESIGN.md): nothing found, findings reported, usage or input error.
 * diff says its verdict: clean (0), tampered (1) or inconclusive (3). */
enum { EXIT_CLEAN = 0, EXIT_FINDINGS = 1, EXIT_TROUBLE = 2, EXIT_INCONCLUSIVE = 3 };

/* The caps of one of `threads` shards: an equal part of the whole. */
struct flow_config shard_flow_config(const struct flow_config *whole, uint32_t threads);

struct engine;
struct file_stats;
struct run_stats;
struct packet;
struct capture_stats;

/* The pipeline as a piece others drive (analyze_files, the live sensor): one engine
 * per run, `nsources` files or interfaces. */
struct engine *engine_new(const struct analyze_options *opt, int nsources);
void engine_free(struct engine *e);
/* The counters of source `index` (a file or an interface), to fill while reading. */
struct file_stats *engine_source(struct engine *e, uint32_t index);
/* A frame read from a source (a capture_cb). */
void engine_feed(void *engine, struct packet *pkt);
/* Starts (path) or ends (NULL) a progress line. */
void engine_progress(struct engine *e, const char *path, int allowed);
/* No frame for a while (live capture): frames waiting for a full batch go to their
 * shards, and findings made so far are written. */
void engine_idle(struct engine *e);
/* End of input: the detectors report what they held back. */
void engine_finish(struct engine *e);
/* Live capture counters to show in stats records. */
void engine_set_capture(struct engine *e, const struct capture_stats *cs, uint32_t n);
/* Writes a stats record now; 0 when writing failed (now or a finding before). */
int engine_write_stats(struct engine *e);
/* With `fanout` and threads > 1, engine_new makes a collector: worker `i` (0 to
 * threads - 1) is a whole engine that capture thread `i` alone feeds (engine_feed,
 * engine_source), publishing its counters now and then (engine_publish). The collector
 * writes the workers' findings at engine_idle and engine_finish (called once every
 * worker thread has ended) and adds their counters in stats records. */
struct engine *engine_worker(struct engine *e, uint32_t i);
void engine_publish(struct engine *e, uint32_t i);
/* Switches the results to another stream (a reopened log). */
void engine_set_output(struct engine *e, FILE *fp);
uint64_t engine_findings(const struct engine *e);

/* Counts a decoded frame in the run's protocol and decode-event counters. */
void run_stats_count(struct run_stats *s, const struct packet *pkt);

/* Analyses the files in order, one flow table across them (rotated captures continue
 * each other). Writes findings as they are made and a final stats record. Messages
 * about files that could not be read go to stderr. Returns an exit status. */
int analyze_files(const struct analyze_options *opt, char *const *paths, int npaths);

#endif
