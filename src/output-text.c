/* secondsight - the text report for people: one short block per finding as it is
 * made, then a summary per file and the run's counters. Fits 80 columns. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "output.h"

#define C_BOLD "\033[1m"
#define C_RED "\033[31m"
#define C_YELLOW "\033[33m"
#define C_RESET "\033[0m"

static const char *col(int color, const char *code)
{
    return color ? code : "";
}

static void print_frames(FILE *fp, const frame_ref *refs, unsigned n, uint32_t file)
{
    const char *sep = "";
    for (unsigned i = 0; i < n; i++) {
        if (FRAME_REF_FILE(refs[i]) != file)
            continue;
        fprintf(fp, "%s%" PRIu64, sep, (uint64_t)FRAME_REF_FRAME(refs[i]));
        sep = ",";
    }
}

/* Writes text word-wrapped to `width` columns, each line starting with `indent`. */
static void print_wrapped(FILE *fp, const char *text, const char *indent, size_t width)
{
    size_t room = width - strlen(indent);
    while (*text) {
        size_t len = strlen(text);
        size_t cut = len;
        if (len > room) {
            cut = room;
            while (cut > 0 && text[cut] != ' ')
                cut--;
            if (cut == 0) /* one word longer than the line */
                cut = room;
        }
        fprintf(fp, "%s%.*s\n", indent, (int)cut, text);
        text += cut;
        while (*text == ' ')
            text++;
    }
}

void text_finding(FILE *fp, int color, const struct finding *f, const struct run_stats *s)
{
    char ts[32], src[46], dst[46];
    format_timestamp(ts, f->ts_ns);
    format_ip(src, f->ip_version, f->src_ip);
    format_ip(dst, f->ip_version, f->dst_ip);
    const char *pcap = f->file_index < s->nfiles ? s->files[f->file_index].path : "";
    const char *sev = f->confidence == CONF_HIGH ? C_RED : C_YELLOW;

    fprintf(fp, "%s%s%s%s [%s] %s\n", col(color, C_BOLD), col(color, sev), f->class_name,
            col(color, C_RESET), confidence_name(f->confidence), ts);
    print_wrapped(fp, f->summary, "  ", 78);
    fprintf(fp, "  flow    %s %s:%u -> %s:%u\n", proto_name(f->proto), src, f->sport, dst,
            f->dport);
    fprintf(fp, "  frames  ");
    print_frames(fp, f->frames, f->nframes, f->file_index);
    if (f->nforged) {
        fprintf(fp, " (forged: ");
        print_frames(fp, f->forged, f->nforged, f->file_index);
        fprintf(fp, ")");
    }
    fprintf(fp, " in %s\n\n", pcap);
}

/* Every decode event that occurred, with its count. */
static void print_events(FILE *fp, const struct run_stats *s)
{
    int any = 0;
    for (int ev = 0; ev < DEV__COUNT; ev++) {
        if (!s->decode.events[ev])
            continue;
        fprintf(fp, "%s%s %" PRIu64, any ? ", " : "  decode events: ",
                decode_event_name((enum decode_event)ev), s->decode.events[ev]);
        any = 1;
    }
    if (any)
        fprintf(fp, "\n");
}

void text_stats(FILE *fp, int color, const struct run_stats *s)
{
    for (uint32_t i = 0; i < s->nfiles; i++) {
        const struct file_stats *fs = &s->files[i];
        fprintf(fp, "%s%s%s: ", col(color, C_BOLD), fs->path, col(color, C_RESET));
        if (fs->linktype < 0) {
            fprintf(fp, "not read (%s)\n", fs->error);
            continue;
        }
        fprintf(fp, "%" PRIu64 " packets, %" PRIu64 " bytes, %s, %" PRIu64 " finding%s", fs->packets,
                fs->bytes, linktype_name(fs->linktype), fs->findings, fs->findings == 1 ? "" : "s");
        if (fs->skipped)
            fprintf(fp, ", %" PRIu64 " skipped", fs->skipped);
        if (fs->failed)
            fprintf(fp, "\n  damaged: %s", fs->error);
        fprintf(fp, "\n");
    }
    const struct flow_stats *fl = s->flows;
    fprintf(fp, "total: %" PRIu64 " packets, %" PRIu64 " bytes, %" PRIu64 " finding%s\n", s->packets,
            s->bytes, s->findings, s->findings == 1 ? "" : "s");
    fprintf(fp, "  ipv4 %" PRIu64 ", ipv6 %" PRIu64 ", tcp %" PRIu64 ", udp %" PRIu64 ", icmp %" PRIu64
                ", fragments %" PRIu64 ", not ip %" PRIu64 "\n",
            s->ipv4, s->ipv6, s->tcp, s->udp, s->icmp, s->fragments, s->not_ip);
    fprintf(fp, "  flows %" PRIu64 " (peak %" PRIu64 " at once), expired %" PRIu64 ", evicted %" PRIu64
                " at the count cap and %" PRIu64 " at the memory cap\n",
            fl->created, fl->active_peak, fl->expired, fl->evicted_count, fl->evicted_memory);
    if (s->frags && s->frags->datagrams)
        fprintf(fp, "  reassembly: %" PRIu64 " datagrams, %" PRIu64 " reassembled, %" PRIu64
                    " expired, %" PRIu64 " evicted, %" PRIu64 " with conflicting overlaps\n",
                s->frags->datagrams, s->frags->reassembled, s->frags->expired, s->frags->evicted,
                s->frags->conflicts);
    if (fl->alloc_failures || s->untracked)
        fprintf(fp, "  %" PRIu64 " packets untracked, %" PRIu64 " allocation failures\n", s->untracked,
                fl->alloc_failures);
    print_events(fp, s);
}
