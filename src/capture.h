/* secondsight - capture sources. Each hands decoded-to-be frames to a callback in
 * file order; packet time comes from the capture, never from the clock. */
#ifndef SS_CAPTURE_H
#define SS_CAPTURE_H

#include <poll.h>
#include <stdatomic.h>
#include <stdio.h>

#include "decode.h"
#include "stats.h"

/* Called once per frame with pkt's capture fields set (the rest zero). */
typedef void (*capture_cb)(void *arg, struct packet *pkt);

enum capture_result {
    CAPTURE_OK,
    CAPTURE_OPEN_FAILED, /* missing, unreadable, empty, not a capture */
    CAPTURE_DAMAGED,     /* read part-way; what came before was processed */
};

struct block_pool;

/* A capture file read frame by frame (for reading two files side by side). */
struct capture_file {
    struct pcap *p;    /* a classic pcap file, read by libpcap */
    struct pcapng *ng; /* or a pcapng file, read by capture-pcapng.c */
    FILE *fp;          /* the pcapng file */
    struct file_stats *fs;
    uint32_t index;
    int supported, rc;
    uint64_t good_end; /* byte offset where the last good record ended */
    /* A regular classic pcap file, its records read in blocks (capture-file.c) */
    struct block_pool *pool;     /* where blocks come from (NULL: a block of its own) */
    struct capture_block *block; /* the block being read; blk is its data */
    uint8_t *blk;
    size_t blk_cap, blk_len, blk_pos; /* buffer size, bytes in it, the next record */
    uint64_t blk_file;                /* the file offset of blk[0] */
    uint32_t blk_snap;                /* the snapshot length libpcap allows */
    int blk_swapped, blk_usec, blk_failed;
};

/* Opens `path` (or "-") as source `file_index`; on failure fs->error says why ("empty
 * file", libpcap's or the pcapng reader's reason, or strerror). */
enum capture_result capture_file_open(struct capture_file *cf, const char *path,
                                      uint32_t file_index, struct file_stats *fs);
/* The next frame of a link type the decoder knows, pkt->linktype the link type of its
 * interface (others are counted in fs->skipped):
 * 1 with pkt's capture fields set, valid until the next call; 0 at the end or at
 * damage, which capture_file_close reports. */
int capture_file_next(struct capture_file *cf, struct packet *pkt);
enum capture_result capture_file_close(struct capture_file *cf);

/* The packets a pcapng file's Interface Statistics Blocks say the capture lost (by
 * the interface and by the operating system, the last counts of each interface,
 * added up): 1 with *drops set when the file records any, 0 otherwise (classic pcap
 * files never do). */
int capture_file_drops(const char *path, uint64_t *drops);

/* Reads a pcap or pcapng file (or "-" for standard input). Frames of link types the
 * decoder does not know are counted in fs->skipped and not passed on. fs->error
 * says what went wrong, with the byte offset of the damage. Records read in place
 * come from blocks of `pool` (NULL: one block of the file's own) and carry pkt->block,
 * which the callback may hold to keep the frame's bytes after it returns. */
enum capture_result capture_file_read(const char *path, uint32_t file_index, struct file_stats *fs,
                                      struct block_pool *pool, capture_cb cb, void *arg);

/* Packet time in ns from a capture's seconds and nanoseconds, clamped to what 64-bit
 * nanoseconds hold. */
int64_t packet_time_ns(int64_t sec, int64_t nsec);

/* Fills the capture fields of `pkt` for the fs->packets-th frame of source `index`
 * (the caller counted it) and keeps the source's first and last times. */
void capture_frame(struct packet *pkt, struct file_stats *fs, uint32_t index, int64_t sec,
                   int64_t nsec, uint32_t caplen, uint32_t wirelen, const uint8_t *data);

/* Live capture: the interfaces, opened before privileges are dropped. */
struct live_options {
    char **ifaces;
    int nifaces;
    const char *filter; /* BPF, or NULL */
    int promisc;
    const char *user;        /* -Z, or NULL for the default */
    int run_as_root;         /* keep root: asked for explicitly */
    unsigned stats_interval; /* seconds between stats records, 0 for none */
    const char *outpath;     /* reopened on SIGHUP; NULL for standard output */
    int evidence_made;       /* --evidence DIR was made for this run (given to -Z USER) */
    /* Opens the results (the -o file, the Redis sender) once privileges are dropped;
     * NULL with a message on stderr on failure. */
    FILE *(*open_results)(void *ctx);
    void *results_ctx;
};

/* Linux: joins packet socket `fd` to the fanout group of one interface's workers, which
 * partitions the traffic by the one rule (host pair, fragments included; DNS by
 * resolver): worker pipeline_partition() % workers, computed in the kernel. *group < 0 for the
 * first socket, which makes the group and sets *group for the others. 0 with a message in err on
 * failure. */
int fanout_join(int fd, uint32_t workers, int *group, char *err, size_t errlen);

/* One classic BPF instruction, laid out as Linux's struct sock_filter. */
struct fanout_insn {
    uint16_t code;
    uint8_t jt, jf;
    uint32_t k;
};
#define FANOUT_PROGRAM_MAX 128
/* The fanout group's program for `workers` workers into f; returns its length. Linux
 * only (0 elsewhere). Exposed so that a test can run it against pipeline_partition. */
unsigned fanout_program(struct fanout_insn f[FANOUT_PROGRAM_MAX], uint32_t workers);

/* One interface a live capture reads; frames go to cb(arg, pkt). */
struct live_source {
    struct pcap *p;
    capture_cb cb;
    void *arg;
    struct file_stats *fs;
    uint32_t index;
    int up;
    const char *name;
    atomic_uint_fast64_t *frames; /* workers: frames numbered across them */
};

/* Opens the lo->nifaces interfaces into src (whose cb, arg and fs the caller sets);
 * with workers > 1 each joins its interface's fanout group (groups[i] < 0 at first).
 * 0 with a message on stderr on failure; live_close_sources closes what was opened. */
int live_open_sources(struct live_source *src, const struct live_options *lo, int buffer,
                      uint32_t workers, int *groups);
void live_close_sources(struct live_source *src, int n);
int live_linktype(const struct live_source *src);
/* As tcpdump does: capture as root, analyse as someone else (-Z, or nobody); started
 * unprivileged, gives up every capability it was started with (Linux). The evidence
 * directory must stay writable. 0 with a message on stderr on failure. Call before
 * any thread starts. */
int live_drop_privileges(const struct live_options *lo, const char *evidence_dir);
/* The kernel's counters of the n sources into cs. */
void live_read_counters(const struct live_source *src, struct capture_stats *cs, int n);
/* The pollfds of the n sources. */
void live_watch(struct live_source *src, struct pollfd *pfd, int n);
/* One poll round (up to wait_ms), then a read on every source still up; a source that
 * fails is reported and left (*failed set). Returns the sources still up, -1 when
 * poll failed. */
int live_pump(struct live_source *src, struct pollfd *pfd, struct capture_stats *cs, int n,
              int wait_ms, int *failed);
/* Whatever remains in the kernel buffers. */
void live_drain_sources(struct live_source *src, int n);

#endif
