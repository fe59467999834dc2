/* secondsight - a progress line on a terminal for long files: bytes, packets per
 * second, findings so far. Standard error only, never in the results. */
#ifndef SS_OUTPUT_PROGRESS_H
#define SS_OUTPUT_PROGRESS_H

#include <stdint.h>

#include "config.h"

struct progress {
    int on;    /* this file shows progress */
    int shown; /* a line is on the screen */
    const char *path;
    uint64_t size, bytes, packets;
    int64_t t0, last; /* monotonic ns */
};

/* Starts a file; `allowed` is 0 for --quiet or when stderr is not a terminal. */
void progress_start(struct progress *p, const char *path, int allowed);
/* Counts one record of `caplen` bytes; redraws at most twice a second. */
void progress_packet(struct progress *p, uint32_t caplen, uint64_t findings);
/* Clears the line. */
void progress_end(struct progress *p);

#endif
