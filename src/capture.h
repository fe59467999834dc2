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

/* Reads a pcap or pcapng file (or "-" for standard input). Frames of link types the
 * decoder does not know are counted in fs->skipped and not passed on. fs->error
 * says what went wrong, with the byte offset of the damage. */
enum capture_result capture_file_read(const char *path, uint32_t file_index,
                                      struct file_stats *fs, capture_cb cb, void *arg);

#endif
