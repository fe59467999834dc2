/* secondsight - what detectors make of a judged sample (flow-baseline.c judges):
 * the names of its tells and its copy in a finding. */
#include "detect-fingerprint.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util-seq.h"
#include "util-strlist.h"

void fp_tell_names(unsigned tells, char *buf, size_t size)
{
    static const struct {
        unsigned bit;
        const char *name;
    } names[] = {{TELL_TTL, "ttl"},
                 {TELL_TTL_FAR, "ttl_far"},
                 {TELL_DF, "df"},
                 {TELL_NO_TS, "no_timestamp"},
                 {TELL_TS_BACK, "timestamp_back"},
                 {TELL_WINDOW, "window"},
                 {TELL_MIRROR, "mirrors_peer"},
                 {TELL_RESERVED, "reserved_bits"},
                 {TELL_TTL_EXPIRING, "ttl_expiring"}};
    buf[0] = '\0';
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if ((tells & names[i].bit) && !strlist_add_str(buf, size, names[i].name))
            break; /* whole names only */
}

void fp_copy(struct finding_copy *c, const struct fp_sample *s, const char *role,
             const struct fp_verdict *v, uint8_t csum)
{
    memset(c, 0, sizeof *c);
    c->hdr = *s;
    c->csum = csum;
    c->hops = (int8_t)ttl_hops(s->ttl);
    c->role = role;
    if (v)
        fp_tell_names(v->tells, c->tells, sizeof c->tells);
}
