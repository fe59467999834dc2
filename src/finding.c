/* secondsight - helpers that fill a finding; bounded, silent when a list is full
 * (a full list is a detector bug, caught by the tests, not an input problem). */
#include "finding.h"

#include <stdio.h>
#include <string.h>

#include "util-strlist.h"

void finding_set_flow_from_packet(struct finding *f, const struct packet *pkt)
{
    f->ip_version = pkt->ip_version;
    f->proto = pkt->proto;
    memcpy(f->src_ip, pkt->ip_src, sizeof f->src_ip);
    memcpy(f->dst_ip, pkt->ip_dst, sizeof f->dst_ip);
    f->sport = pkt->sport;
    f->dport = pkt->dport;
    f->file_index = pkt->file_index;
    f->ts_ns = pkt->ts_ns;
}

static int has_ref(const frame_ref *list, unsigned n, frame_ref ref)
{
    for (unsigned i = 0; i < n; i++)
        if (list[i] == ref)
            return 1;
    return 0;
}

void finding_add_frame(struct finding *f, frame_ref ref, int forged)
{
    if (!has_ref(f->frames, f->nframes, ref)) {
        if (f->nframes == FINDING_MAX_FRAMES)
            return; /* forged_frames stays a subset of frames */
        f->frames[f->nframes++] = ref;
    }
    if (forged && !has_ref(f->forged, f->nforged, ref) && f->nforged < FINDING_MAX_FRAMES)
        f->forged[f->nforged++] = ref;
}

static struct finding_field *add_field(struct finding_field *arr, uint8_t *n, unsigned cap,
                                       const char *key, enum field_type type)
{
    if (*n >= cap)
        return NULL;
    struct finding_field *fl = &arr[(*n)++];
    memset(fl, 0, sizeof *fl);
    fl->key = key;
    fl->type = type;
    return fl;
}

struct finding_field *finding_evidence_int(struct finding *f, const char *key, int64_t v)
{
    struct finding_field *fl =
        add_field(f->evidence, &f->nevidence, FINDING_MAX_FIELDS, key, FIELD_INT);
    if (fl)
        fl->i = v;
    return fl;
}

struct finding_field *finding_evidence_str(struct finding *f, const char *key, const char *v)
{
    struct finding_field *fl =
        add_field(f->evidence, &f->nevidence, FINDING_MAX_FIELDS, key, FIELD_STR);
    if (fl)
        snprintf(fl->s, sizeof fl->s, "%s", v);
    return fl;
}

struct finding_field *finding_app_int(struct finding *f, const char *key, int64_t v)
{
    struct finding_field *fl = add_field(f->app, &f->napp, 8, key, FIELD_INT);
    if (fl)
        fl->i = v;
    return fl;
}

struct finding_field *finding_app_str(struct finding *f, const char *key, const char *v)
{
    struct finding_field *fl = add_field(f->app, &f->napp, 8, key, FIELD_STR);
    if (fl)
        snprintf(fl->s, sizeof fl->s, "%s", v);
    return fl;
}

const char *finding_clip(char *dst, size_t size, const char *src, size_t max, char sep, int more)
{
    const size_t ell = sizeof FINDING_ELLIPSIS - 1;
    size_t n = strlen(src);
    if (size == 0)
        return dst;
    if (max > size - 1)
        max = size - 1;
    if (n <= max && !more) {
        memcpy(dst, src, n + 1);
        return dst;
    }
    if (max < ell) {
        dst[0] = '\0';
        return dst;
    }
    size_t keep = n;
    if (n + ell > max) {
        /* back to the separator that ends the last item fitting with the ellipsis */
        keep = max - ell;
        size_t k = keep;
        while (k > 0 && src[k] != sep)
            k--;
        if (k > 0)
            keep = k;
        else /* one item longer than max: cut inside it, on a character boundary */
            while (keep > 0 && ((unsigned char)src[keep] & 0xC0) == 0x80)
                keep--;
    }
    memcpy(dst, src, keep);
    memcpy(dst + keep, FINDING_ELLIPSIS, ell + 1);
    return dst;
}

const char *finding_summary(const struct finding *f, char buf[FINDING_SUMMARY_MAX + 1])
{
    return finding_clip(buf, FINDING_SUMMARY_MAX + 1, f->summary, FINDING_SUMMARY_MAX, ' ', 0);
}

const char *confidence_name(enum confidence c)
{
    switch (c) {
    case CONF_HIGH:
        return "high";
    case CONF_MEDIUM:
        return "medium";
    default:
        return "low";
    }
}

void finding_evidence_copies(struct finding *f)
{
    add_field(f->evidence, &f->nevidence, FINDING_MAX_FIELDS, "copies", FIELD_COPIES);
}

void finding_evidence_answers(struct finding *f)
{
    add_field(f->evidence, &f->nevidence, FINDING_MAX_FIELDS, "answers", FIELD_ANSWERS);
}

void finding_evidence_frames(struct finding *f, const char *key, uint32_t file)
{
    struct finding_field *fl =
        add_field(f->evidence, &f->nevidence, FINDING_MAX_FIELDS, key, FIELD_FRAMES);
    if (fl)
        fl->i = file;
}

struct finding_field *finding_evidence_bool(struct finding *f, const char *key, int v)
{
    struct finding_field *fl =
        add_field(f->evidence, &f->nevidence, FINDING_MAX_FIELDS, key, FIELD_BOOL);
    if (fl)
        fl->i = v != 0;
    return fl;
}

struct finding_field *finding_evidence_list(struct finding *f, const char *key, const char *list)
{
    struct finding_field *fl =
        add_field(f->evidence, &f->nevidence, FINDING_MAX_FIELDS, key, FIELD_STR_LIST);
    if (fl)
        strlist_copy(fl->s, sizeof fl->s, list);
    return fl;
}

struct finding_field *finding_app_list(struct finding *f, const char *key, const char *list)
{
    struct finding_field *fl = add_field(f->app, &f->napp, 8, key, FIELD_STR_LIST);
    if (fl)
        strlist_copy(fl->s, sizeof fl->s, list);
    return fl;
}

const struct finding_field *finding_field_get(const struct finding_field *fl, unsigned n,
                                              const char *key)
{
    for (unsigned i = 0; i < n; i++)
        if (!strcmp(fl[i].key, key))
            return &fl[i];
    return NULL;
}
