/* secondsight - capture sources. Each hands decoded-to-be frames to a callback in
 * file order; packet time comes from the capture, never from the clock. */
#ifndef SS_CAPTURE_H
#define SS_CAPTURE_H

#include "decode.h"
#include "output.h"

/* Called once per frame with pkt's capture fields set (the rest zero). */
typedef void (*capture_cb)(void *arg, struct packet *pkt);

enum capture_result {
    CAPTURE_OK,
    CAPTURE_OPEN_FAILED,      /* missing, unreadable, empty, not a capture */
    CAPTURE_DAMAGED,          /* read part-way; what came before was processed */
};

/* A capture file read frame by frame (for reading two files side by side). */
struct capture_file {
    struct pcap *p;
    struct file_stats *fs;
    uint32_t index;
    int classic, supported, rc;
    uint64_t good_end;        /* byte offset where the last good record ended */
};

/* Opens `path` (or "-") as source `file_index`; on failure fs->error says why. */
enum capture_result capture_file_open(struct capture_file *cf, const char *path,
                                      uint32_t file_index, struct file_stats *fs);
/* The next frame of a link type the decoder knows (others are counted in fs->skipped):
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
 * says what went wrong, with the byte offset of the damage. */
enum capture_result capture_file_read(const char *path, uint32_t file_index,
                                      struct file_stats *fs, capture_cb cb, void *arg);

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
    const char *filter;       /* BPF, or NULL */
    int promisc;
    const char *user;         /* -Z, or NULL for the default */
    int run_as_root;          /* keep root: asked for explicitly */
    unsigned stats_interval;  /* seconds between stats records, 0 for none */
    const char *outpath;      /* reopened on SIGHUP; NULL for standard output */
    int evidence_made;        /* --evidence DIR was made for this run (given to -Z USER) */
};

struct analyze_options;

/* Linux: joins packet socket `fd` to the fanout group of one interface's workers, which
 * sends both directions of a host pair (fragments included) to the same one of
 * `workers` sockets. *group < 0 for the first socket, which makes the group and sets
 * *group for the others. 0 with a message in err on failure. */
int fanout_join(int fd, uint32_t workers, int *group, char *err, size_t errlen);

/* Runs the sensor until SIGINT or SIGTERM (or every interface failed); returns an
 * exit status. */
int live_run(struct analyze_options *opt, const struct live_options *lo);

#endif
