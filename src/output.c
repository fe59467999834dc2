/* secondsight - the results writer: one output format (output-json.c, output-text.c)
 * chosen at the start; a new format is one file with one struct output_format. */
#include "output.h"

#include <string.h>

void output_init(struct output *o, FILE *fp, int json, int color, const struct run_stats *stats)
{
    memset(o, 0, sizeof *o);
    o->fp = fp;
    o->format = json ? &output_format_json : &output_format_text;
    o->json = json;
    o->color = color;
    o->stats = stats;
    jw_init(&o->jw);
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
