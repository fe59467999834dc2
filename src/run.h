/* secondsight - a run: the pipeline (or shards of pipelines) of one analysis and where
 * its results go (findings writer, evidence, progress line, stats records). The
 * drivers above it: analyze_files (run-files.c) and live_run (run-live.c). */
#ifndef SS_RUN_H
#define SS_RUN_H

#include <stdio.h>

#include "flow.h"
#include "stats.h"

struct output_format;

struct analyze_options {
    const struct output_format *format; /* NULL: text */
    const char *sensor;                 /* --sensor-name */
    int color;
    int test_detectors;                /* also run test-only detectors */
    int progress;                      /* a progress line on stderr (a terminal, not --quiet) */
    const char *evidence_dir;          /* --evidence DIR, or NULL */
    uint32_t threads;                  /* --threads: flow shards, each on a thread of its own */
    uint32_t shard_index, shard_count; /* --shard K/N (count 0: the whole input) */
    int fanout;                        /* live: the shards are workers the caller feeds (below) */
    FILE *out;
    const char *out_name; /* -o FILE for messages; NULL: standard output */
    struct flow_config flow;
};

/* Exit statuses (DESIGN.md): nothing found, findings reported, usage or input error.
 * diff says its verdict: clean (0), tampered (1) or inconclusive (3). */
enum { EXIT_CLEAN = 0, EXIT_FINDINGS = 1, EXIT_TROUBLE = 2, EXIT_INCONCLUSIVE = 3 };

struct run;
struct packet;
struct pipeline;

/* One run with `nsources` files or interfaces; NULL when out of memory (or the
 * evidence directory cannot be used). */
struct run *run_new(const struct analyze_options *opt, int nsources);
void run_free(struct run *r);
/* The counters of source `index` (a file or an interface), to fill while reading. */
struct file_stats *run_source(struct run *r, uint32_t index);
/* Where capture files read their records (capture_file_read): shared blocks the
 * shards' batches point into (--threads), or NULL. */
struct block_pool *run_blocks(struct run *r);
/* A frame read from a source (a capture_cb). */
void run_feed(void *run, struct packet *pkt);
/* Starts (path) or ends (NULL) a progress line. */
void run_progress(struct run *r, const char *path, int allowed);
/* No frame for a while (live capture): frames waiting for a full batch go to their
 * shards, and findings made so far are written. */
void run_idle(struct run *r);
/* Live capture, no frame for a while: packet time has reached now_ns, and the reader's
 * detectors report what they held until then (fanout workers advance their own
 * pipelines: pipeline_advance). */
void run_advance(struct run *r, int64_t now_ns);
/* End of input: the detectors report what they held back. */
void run_finish(struct run *r);
/* Live capture counters to show in stats records. */
void run_set_capture(struct run *r, const struct capture_stats *cs, uint32_t n);
/* Writes a stats record now, stamped with wall_ns (the wall clock, live) unless 0; 0
 * when writing failed (now or a finding before). */
int run_write_stats(struct run *r, int64_t wall_ns);
/* Switches the results to another stream (a reopened log). */
void run_set_output(struct run *r, FILE *fp);
uint64_t run_findings(const struct run *r);

/* With `fanout` and threads > 1 the run's pipelines are workers: worker `i` (0 to
 * threads - 1) is a pipeline that capture thread `i` alone feeds (pipeline_frame, with
 * run_worker_source's counters), publishing its counters now and then (run_publish).
 * The run writes the workers' findings at run_idle and run_finish (called once every
 * worker thread has ended) and adds their counters in stats records. */
struct pipeline *run_worker(struct run *r, uint32_t i);
struct file_stats *run_worker_source(struct run *r, uint32_t i, uint32_t index);
void run_publish(struct run *r, uint32_t i);

/* Analyses the files in order, one flow table across them (rotated captures continue
 * each other). Writes findings as they are made and a final stats record. Messages
 * about files that could not be read go to stderr. Returns an exit status. */
int analyze_files(const struct analyze_options *opt, char *const *paths, int npaths);

struct live_options;
/* Runs the sensor until SIGINT or SIGTERM (or every interface failed); returns an
 * exit status. */
int live_run(struct analyze_options *opt, const struct live_options *lo);

#endif
