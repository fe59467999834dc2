/* secondsight - results to Redis: a stdio stream (fopencookie) cuts what the output
 * writes into lines and queues them; one sender thread delivers them with pipelined
 * RPUSH or PUBLISH commands and removes a line only once Redis has answered for it,
 * so a connection lost in the middle of a batch resends that batch (at least once). */
#define _GNU_SOURCE
#include "output-redis.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <hiredis/hiredis.h>

#include "config.h"

struct line {
    char *p;
    size_t len;
};

struct redis_out {
    struct redis_config cfg;
    char host[256];
    int port; /* 0: host is a unix socket path */

    pthread_mutex_t lock;
    pthread_cond_t wake; /* lines queued, or stop */
    pthread_t thread;
    struct line *q; /* ring of cfg.queue_lines */
    uint32_t head, n;
    uint64_t bytes; /* bytes queued, at most REDIS_QUEUE_BYTES */
    int stop;
    struct timespec deadline; /* with stop: give up delivering after this */
    struct redis_stats st;

    char *partial; /* the line being written, up to REDIS_LINE_MAX */
    size_t plen;
    int overlong; /* the current line went past REDIS_LINE_MAX: dropped */
};

int redis_target_valid(const char *target, char *err, size_t errlen)
{
    if (strchr(target, '/'))
        return 1;
    const char *colon = strrchr(target, ':');
    char *end;
    long port = colon ? strtol(colon + 1, &end, 10) : 0;
    if (!colon || colon == target || !colon[1] || *end || port < 1 || port > 65535) {
        snprintf(err, errlen, "--redis wants HOST:PORT or a socket path, not '%s'", target);
        return 0;
    }
    size_t hlen = (size_t)(colon - target);
    if (target[0] == '[' && (hlen < 3 || target[hlen - 1] != ']')) {
        snprintf(err, errlen, "--redis: an IPv6 address goes in brackets, as [::1]:6379");
        return 0;
    }
    if (hlen >= 256) {
        snprintf(err, errlen, "--redis: host name too long");
        return 0;
    }
    return 1;
}

static void split_target(struct redis_out *r, const char *target)
{
    if (strchr(target, '/')) {
        snprintf(r->host, sizeof r->host, "%s", target);
        r->port = 0;
        return;
    }
    const char *colon = strrchr(target, ':');
    const char *h = target;
    size_t hlen = (size_t)(colon - target);
    if (h[0] == '[') {
        h++;
        hlen -= 2;
    }
    snprintf(r->host, sizeof r->host, "%.*s", (int)hlen, h);
    r->port = (int)strtol(colon + 1, NULL, 10);
}

static struct timespec after_ms(unsigned ms)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    t.tv_sec += ms / 1000;
    t.tv_nsec += (long)(ms % 1000) * 1000000L;
    if (t.tv_nsec >= 1000000000L) {
        t.tv_sec++;
        t.tv_nsec -= 1000000000L;
    }
    return t;
}

static int passed(const struct timespec *t)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return now.tv_sec > t->tv_sec || (now.tv_sec == t->tv_sec && now.tv_nsec >= t->tv_nsec);
}

static redisContext *connect_redis(const struct redis_out *r)
{
    struct timeval tv = {REDIS_TIMEOUT_MS / 1000, (REDIS_TIMEOUT_MS % 1000) * 1000};
    redisContext *c = r->port ? redisConnectWithTimeout(r->host, r->port, tv)
                              : redisConnectUnixWithTimeout(r->host, tv);
    if (c && !c->err && redisSetTimeout(c, tv) == REDIS_OK)
        return c;
    if (c)
        redisFree(c);
    return NULL;
}

/* Drops the first k lines of the queue (lock held). */
static void queue_pop(struct redis_out *r, uint32_t k)
{
    for (uint32_t i = 0; i < k; i++) {
        struct line *l = &r->q[(r->head + i) % r->cfg.queue_lines];
        r->bytes -= l->len;
        free(l->p);
        l->p = NULL;
    }
    r->head = (r->head + k) % r->cfg.queue_lines;
    r->n -= k;
}

/* Sends up to REDIS_BATCH queued lines in one pipeline. Returns how many Redis answered
 * for (accepted or refused), or -1 when the connection broke. The lines stay in the
 * queue while they are sent: only the sender removes lines, the writer only appends. */
static int send_batch(struct redis_out *r, redisContext *c, uint32_t *refused)
{
    pthread_mutex_lock(&r->lock);
    uint32_t k = r->n < REDIS_BATCH ? r->n : REDIS_BATCH;
    struct line batch[REDIS_BATCH];
    for (uint32_t i = 0; i < k; i++)
        batch[i] = r->q[(r->head + i) % r->cfg.queue_lines];
    pthread_mutex_unlock(&r->lock);

    const char *cmd = r->cfg.mode == REDIS_LIST ? "RPUSH" : "PUBLISH";
    for (uint32_t i = 0; i < k; i++) {
        const char *argv[3] = {cmd, r->cfg.key, batch[i].p};
        size_t len[3] = {strlen(cmd), strlen(r->cfg.key), batch[i].len};
        if (redisAppendCommandArgv(c, 3, argv, len) != REDIS_OK)
            return -1;
    }
    *refused = 0;
    for (uint32_t i = 0; i < k; i++) {
        redisReply *reply;
        if (redisGetReply(c, (void **)&reply) != REDIS_OK || !reply)
            return (int)i ? (int)i : -1;
        *refused += reply->type == REDIS_REPLY_ERROR;
        freeReplyObject(reply);
    }
    return (int)k;
}

static void *sender(void *arg)
{
    struct redis_out *r = arg;
    /* A write to a connection Redis closed must fail with EPIPE, not kill the process. */
    sigset_t pipe;
    sigemptyset(&pipe);
    sigaddset(&pipe, SIGPIPE);
    pthread_sigmask(SIG_BLOCK, &pipe, NULL);

    redisContext *c = NULL;
    unsigned backoff = REDIS_BACKOFF_MIN_MS;
    pthread_mutex_lock(&r->lock);
    for (;;) {
        while (!r->stop && !r->n)
            pthread_cond_wait(&r->wake, &r->lock);
        if (!r->n || (r->stop && passed(&r->deadline)))
            break;
        pthread_mutex_unlock(&r->lock);
        if (!c) {
            c = connect_redis(r);
            pthread_mutex_lock(&r->lock);
            if (!c) {
                r->st.errors++;
                if (!r->stop || !passed(&r->deadline)) {
                    struct timespec until = after_ms(backoff); /* stop wakes us early */
                    pthread_cond_timedwait(&r->wake, &r->lock, &until);
                    backoff =
                        backoff * 2 < REDIS_BACKOFF_MAX_MS ? backoff * 2 : REDIS_BACKOFF_MAX_MS;
                }
                continue;
            }
            r->st.connects++;
            pthread_mutex_unlock(&r->lock);
            backoff = REDIS_BACKOFF_MIN_MS;
        }
        uint32_t refused = 0;
        int done = send_batch(r, c, &refused);
        pthread_mutex_lock(&r->lock);
        if (done > 0) {
            queue_pop(r, (uint32_t)done);
            r->st.sent += (uint64_t)done - refused;
            r->st.refused += refused;
        }
        if (done < 0 || c->err) {
            redisFree(c);
            c = NULL;
            r->st.errors++;
        }
    }
    r->st.dropped_exit += r->n;
    queue_pop(r, r->n);
    pthread_mutex_unlock(&r->lock);
    if (c)
        redisFree(c);
    return NULL;
}

/* Queues one complete line; never waits. */
static void enqueue(struct redis_out *r, const char *p, size_t len)
{
    char *copy = malloc(len ? len : 1);
    pthread_mutex_lock(&r->lock);
    if (!copy || r->n == r->cfg.queue_lines || r->bytes + len > REDIS_QUEUE_BYTES) {
        r->st.dropped_full++;
        pthread_mutex_unlock(&r->lock);
        free(copy);
        return;
    }
    memcpy(copy, p, len);
    r->q[(r->head + r->n) % r->cfg.queue_lines] = (struct line){copy, len};
    r->n++;
    r->bytes += len;
    r->st.queued++;
    pthread_cond_signal(&r->wake);
    pthread_mutex_unlock(&r->lock);
}

static ssize_t cookie_write(void *cookie, const char *buf, size_t size)
{
    struct redis_out *r = cookie;
    for (size_t i = 0; i < size; i++) {
        if (buf[i] == '\n') {
            if (r->overlong) {
                pthread_mutex_lock(&r->lock);
                r->st.dropped_full++;
                pthread_mutex_unlock(&r->lock);
            } else if (r->plen) {
                enqueue(r, r->partial, r->plen);
            }
            r->plen = 0;
            r->overlong = 0;
        } else if (r->plen < REDIS_LINE_MAX) {
            r->partial[r->plen++] = buf[i];
        } else {
            r->overlong = 1;
        }
    }
    return (ssize_t)size;
}

static void redis_free(struct redis_out *r)
{
    free(r->partial);
    free(r->q);
    pthread_mutex_destroy(&r->lock);
    pthread_cond_destroy(&r->wake);
    free(r);
}

FILE *redis_open(const struct redis_config *cfg, struct redis_out **out)
{
    struct redis_out *r = calloc(1, sizeof *r);
    if (!r)
        return NULL;
    r->cfg = *cfg;
    split_target(r, cfg->target);
    pthread_mutex_init(&r->lock, NULL);
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&r->wake, &ca);
    pthread_condattr_destroy(&ca);
    r->q = calloc(r->cfg.queue_lines, sizeof *r->q);
    r->partial = malloc(REDIS_LINE_MAX);
    cookie_io_functions_t io = {.write = cookie_write};
    FILE *fp = r->q && r->partial ? fopencookie(r, "w", io) : NULL;
    if (!fp || pthread_create(&r->thread, NULL, sender, r) != 0) {
        int err = errno ? errno : ENOMEM;
        if (fp)
            fclose(fp);
        redis_free(r);
        errno = err;
        return NULL;
    }
    *out = r;
    return fp;
}

void redis_stats_get(struct redis_out *r, struct redis_stats *st)
{
    pthread_mutex_lock(&r->lock);
    *st = r->st;
    pthread_mutex_unlock(&r->lock);
}

void redis_close(FILE *fp, struct redis_out *r, struct redis_stats *st)
{
    fclose(fp); /* writes out the last lines through cookie_write */
    pthread_mutex_lock(&r->lock);
    r->stop = 1;
    r->deadline = after_ms(REDIS_FLUSH_MS);
    pthread_cond_signal(&r->wake);
    pthread_mutex_unlock(&r->lock);
    pthread_join(r->thread, NULL);
    if (st)
        *st = r->st;
    redis_free(r);
}
