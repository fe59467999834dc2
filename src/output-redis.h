/* secondsight - results to Redis (--redis), the transport Suricata itself offers for EVE:
 * each JSON line becomes one list element (RPUSH) or one message on a channel (PUBLISH).
 * The packet path never waits for Redis: lines go into a bounded queue that a thread of
 * its own sends, reconnecting with backoff; a line that finds the queue full is dropped
 * and counted. */
#ifndef SS_OUTPUT_REDIS_H
#define SS_OUTPUT_REDIS_H

#include <stdint.h>
#include <stdio.h>

enum redis_mode { REDIS_LIST, REDIS_CHANNEL };

struct redis_config {
    const char *target; /* HOST:PORT, [IPV6]:PORT, or a unix socket path (with a /) */
    const char *key;    /* the list or channel */
    enum redis_mode mode;
    uint32_t queue_lines; /* lines the queue holds (--redis-queue) */
};

struct redis_stats {
    uint64_t queued;       /* lines accepted into the queue */
    uint64_t sent;         /* lines Redis acknowledged */
    uint64_t refused;      /* lines Redis answered with an error (e.g. the key holds
                            * another type): not sent again */
    uint64_t dropped_full; /* lines dropped: the queue was full */
    uint64_t dropped_exit; /* lines still queued when the run ended and Redis was away */
    uint64_t connects;     /* connections made (the first, then reconnections) */
    uint64_t errors;       /* failed connection attempts and broken connections */
};

struct redis_out;

/* Parses the target; 0 with a message in `err` when it is malformed. */
int redis_target_valid(const char *target, char *err, size_t errlen);

/* Starts the sender and returns a stream whose complete lines it sends; NULL with errno
 * on failure. Redis need not be up yet: the sender keeps trying. The caller writes
 * through the stream and ends with redis_close. */
FILE *redis_open(const struct redis_config *cfg, struct redis_out **out);
/* Flushes the stream, gives the sender up to REDIS_FLUSH_MS to deliver what is queued,
 * stops it and frees everything; `st` (may be NULL) receives the final counters. */
void redis_close(FILE *fp, struct redis_out *out, struct redis_stats *st);
/* The counters so far (thread-safe). */
void redis_stats_get(struct redis_out *out, struct redis_stats *st);

#endif
