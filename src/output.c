/* secondsight - the results writer: one output format (output-json.c, output-text.c,
 * output-eve.c) chosen at the start; a new format is one file with one struct
 * output_format. */
#include "output.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>

const struct output_format *output_format_named(const char *name)
{
    static const struct output_format *const formats[] = {&output_format_text, &output_format_json,
                                                          &output_format_eve};
    for (size_t i = 0; i < sizeof formats / sizeof formats[0]; i++)
        if (!strcmp(formats[i]->name, name))
            return formats[i];
    return NULL;
}

void output_init(struct output *o, FILE *fp, const struct output_format *format, int color,
                 const char *sensor, const struct run_stats *stats)
{
    memset(o, 0, sizeof *o);
    o->fp = fp;
    o->format = format ? format : &output_format_text;
    o->color = color;
    o->sensor = sensor ? sensor : "";
    o->stats = stats;
    jw_init(&o->jw);
}

/* A record goes to the file in one write(): a sensor killed with SIGKILL, or a disk
 * that fills, leaves whole lines behind, never the front of one that stdio's buffer
 * happened to flush (a consumer tailing the file reads only whole records). A stream
 * without a descriptor (the Redis sender's) cuts lines itself and goes through stdio. */
int output_write_record(struct output *o)
{
    jw_raw(&o->jw, "\n");
    if (o->jw.err)
        return 0;
    int fd = fileno(o->fp);
    if (fd < 0)
        return fwrite(o->jw.buf, 1, o->jw.len, o->fp) == o->jw.len;
    if (fflush(o->fp) != 0) /* anything stdio holds goes first, in order */
        return 0;
    const char *p = o->jw.buf;
    size_t left = o->jw.len;
    while (left) { /* a pipe or a signal can cut a write short: the rest follows */
        ssize_t n = write(fd, p, left);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            if (n == 0)
                errno = EIO;
            return 0;
        }
        p += n;
        left -= (size_t)n;
    }
    return 1;
}

void output_release(struct output *o)
{
    jw_release(&o->jw);
}

int output_finding(struct output *o, const struct finding *f)
{
    return o->format->finding(o, f);
}

int output_device_flow(struct output *o, const struct device_flow *d)
{
    return o->format->device_flow(o, d);
}

int output_locate(struct output *o, const struct locate_result *r)
{
    if (!o->format->locate(o, r))
        return 0;
    return fflush(o->fp) == 0 && !ferror(o->fp);
}

int output_stats(struct output *o, const struct run_stats *s)
{
    if (!o->format->stats(o, s))
        return 0;
    return fflush(o->fp) == 0 && !ferror(o->fp);
}
