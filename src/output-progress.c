/* secondsight - the progress line: redrawn in place with a carriage return, checked
 * against the clock every 8192 packets so it costs nothing per packet. */
#include "output-progress.h"

#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

static int64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

void progress_start(struct progress *p, const char *path, int allowed)
{
    struct stat st;
    memset(p, 0, sizeof *p);
    p->path = path;
    if (!allowed || stat(path, &st) != 0 || !S_ISREG(st.st_mode) ||
        (uint64_t)st.st_size < PROGRESS_MIN_FILE)
        return;
    p->on = 1;
    p->size = (uint64_t)st.st_size;
    p->t0 = p->last = now_ns();
}

void progress_packet(struct progress *p, uint32_t caplen, uint64_t findings)
{
    if (!p->on)
        return;
    p->bytes += caplen + 16u; /* a pcap record header; near enough for pcapng too */
    if (++p->packets % 8192)
        return;
    int64_t t = now_ns();
    if (t - p->last < 500000000)
        return;
    p->last = t;
    double secs = (double)(t - p->t0) / 1e9;
    double pct = p->size ? 100.0 * (double)p->bytes / (double)p->size : 0;
    fprintf(stderr, "\r%s: %.0f of %.0f MB (%.0f%%), %.2f M packets/s, %llu finding%s\033[K",
            p->path, (double)p->bytes / 1e6, (double)p->size / 1e6, pct > 100 ? 100 : pct,
            secs > 0 ? (double)p->packets / secs / 1e6 : 0.0, (unsigned long long)findings,
            findings == 1 ? "" : "s");
    p->shown = 1;
}

void progress_end(struct progress *p)
{
    if (p->shown)
        fputs("\r\033[K", stderr);
    p->on = p->shown = 0;
}
