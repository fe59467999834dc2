/* secondsight - the text report for people: one short block per finding as it is
 * made, then a summary per file and the run's counters. Fits 80 columns. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "output.h"
#include "util-strlist.h"

#define C_BOLD "\033[1m"
#define C_RED "\033[31m"
#define C_YELLOW "\033[33m"
#define C_RESET "\033[0m"

static const char *col(int color, const char *code)
{
    return color ? code : "";
}

static const struct finding_field *field(const struct finding_field *fl, unsigned n,
                                         const char *key)
{
    return finding_field_get(fl, n, key);
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

/* Writes text word-wrapped to `width` columns: the first line starts with `first`,
 * the others with as many spaces. */
static void print_wrapped(FILE *fp, const char *text, const char *first, size_t width)
{
    size_t indent = strlen(first);
    size_t room = width - indent;
    int line = 0;
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
        fprintf(fp, "%-*s%.*s\n", (int)indent, line++ ? "" : first, (int)cut, text);
        text += cut;
        while (*text == ' ')
            text++;
    }
}

/* One line per copy: its frame, its role, and the fields that broke. */
static void print_copies(FILE *fp, const struct finding *f)
{
    char flags[12], line[512], tells[160], records[200];
    for (unsigned i = 0; i < f->ncopies; i++) {
        const struct finding_copy *c = &f->copies[i];
        format_tcp_flags(flags, c->hdr.flags);
        snprintf(line, sizeof line, "frame %llu %s: ttl %u (~%d hops), %s, flags %s%s%s",
                 (unsigned long long)FRAME_REF_FRAME(c->hdr.frame), c->role ? c->role : "copy",
                 c->hdr.ttl, c->hops, c->hdr.has_ts ? "timestamps" : "no timestamps", flags,
                 c->tells[0] ? "; broke: " : "", strlist_join(tells, sizeof tells, c->tells, ","));
        print_wrapped(fp, line, "  copy    ", 78);
    }
    for (unsigned i = 0; i < f->nanswers; i++) {
        const struct finding_answer *a = &f->answers[i];
        snprintf(line, sizeof line, "frame %llu %s: %s (ttl %u)%s%s",
                 (unsigned long long)FRAME_REF_FRAME(a->frame), a->role ? a->role : "answer",
                 a->records[0] ? strlist_join(records, sizeof records, a->records, ",")
                               : "no records",
                 a->ttl, a->tells[0] ? "; broke: " : "",
                 strlist_join(tells, sizeof tells, a->tells, ","));
        print_wrapped(fp, line, "  answer  ", 78);
    }
}

/* The forged content in brief: HTTP status and Location, DNS name and answer. */
static void print_content(FILE *fp, const struct finding *f)
{
    const struct finding_field *proto = field(f->app, f->napp, "proto");
    if (!proto || proto->type != FIELD_STR)
        return;
    char line[360];
    const struct finding_field *st = field(f->app, f->napp, "status");
    const struct finding_field *loc = field(f->app, f->napp, "location");
    const struct finding_field *qn = field(f->app, f->napp, "qname");
    const struct finding_field *fa = field(f->app, f->napp, "forged_answer");
    const struct finding_field *tells = field(f->app, f->napp, "tells");
    char list[200];
    if (!strcmp(proto->s, "http") && st)
        snprintf(line, sizeof line, "HTTP %lld%s%s%s%s", (long long)st->i, loc ? " to " : "",
                 loc ? loc->s : "", tells && tells->s[0] ? "; " : "",
                 tells ? strlist_join(list, sizeof list, tells->s, ",") : "");
    else if (!strcmp(proto->s, "dns") && qn)
        snprintf(line, sizeof line, "DNS %s%s%s", qn->s, fa && fa->s[0] ? " -> " : "",
                 fa ? strlist_join(list, sizeof list, fa->s, ",") : "");
    else
        return;
    print_wrapped(fp, line, "  content ", 78);
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
    char summary[FINDING_SUMMARY_MAX + 1];
    print_wrapped(fp, finding_summary(f, summary), "  ", 78);
    fprintf(fp, "  flow    %s %s:%u -> %s:%u\n", proto_name(f->proto), src, f->sport, dst,
            f->dport);
    print_copies(fp, f);
    print_content(fp, f);
    const struct finding_field *fh = field(f->evidence, f->nevidence, "forger_hops");
    const struct finding_field *ph = field(f->evidence, f->nevidence, "peer_hops");
    if (fh && ph)
        fprintf(fp, "  hops    forger ~%lld, real sender ~%lld from the capture point\n",
                (long long)fh->i, (long long)ph->i);
    fprintf(fp, "  frames  ");
    print_frames(fp, f->frames, f->nframes, f->file_index);
    if (f->nforged) {
        fprintf(fp, " (forged: ");
        print_frames(fp, f->forged, f->nforged, f->file_index);
        fprintf(fp, ")");
    }
    fprintf(fp, " in %s\n", pcap);
    /* diff: the counterpart's frames in the other capture, and what changed */
    const struct finding_field *cp = field(f->evidence, f->nevidence, "counterpart_pcap");
    for (unsigned i = 0; cp && i < f->nevidence; i++) {
        if (f->evidence[i].type != FIELD_FRAMES)
            continue;
        uint32_t other = (uint32_t)f->evidence[i].i, n = 0;
        for (unsigned k = 0; k < f->nframes; k++)
            n += FRAME_REF_FILE(f->frames[k]) == other;
        fprintf(fp, "  frames  ");
        if (n)
            print_frames(fp, f->frames, f->nframes, other);
        else
            fprintf(fp, "none");
        fprintf(fp, " in %s\n", cp->s);
    }
    const struct finding_field *before = field(f->evidence, f->nevidence, "bytes_before");
    const struct finding_field *after = field(f->evidence, f->nevidence, "bytes_after");
    const struct finding_field *at = field(f->evidence, f->nevidence, "first_changed_offset");
    if (before && after && at) {
        fprintf(fp, "  before  \"%s\" (payload offset %lld)\n", before->s, (long long)at->i);
        fprintf(fp, "  after   \"%s\"\n", after->s);
    }
    if (f->evidence_pcap[0])
        fprintf(fp, "  evidence %s\n", f->evidence_pcap);
    fprintf(fp, "\n");
}

void text_device_flow(FILE *fp, int color, const struct device_flow *d)
{
    char src[46], dst[46], ts[32];
    format_ip(src, d->ip_version, d->src_ip);
    format_ip(dst, d->ip_version, d->dst_ip);
    format_timestamp(ts, d->first_ns);
    fprintf(fp, "%sconversation%s %s %s:%u <-> %s:%u from %s\n", col(color, C_BOLD),
            col(color, C_RESET), proto_name(d->proto), src, d->sport, dst, d->dport, ts);
    if (d->has_outside) {
        format_ip(src, d->ip_version, d->out_src_ip);
        format_ip(dst, d->ip_version, d->out_dst_ip);
        fprintf(fp, "  outside as %s:%u <-> %s:%u\n", src, d->out_sport, dst, d->out_dport);
    }
    static const char *const dirs[2] = {"outbound", "inbound"};
    for (int k = 0; k < 2; k++)
        fprintf(fp,
                "  %-8s forwarded %" PRIu64 ", modified %" PRIu64 ", injected %" PRIu64
                ", dropped %" PRIu64 "\n",
                dirs[k], d->forwarded[k], d->modified[k], d->injected[k], d->dropped[k]);
    fprintf(fp, "\n");
}

static void text_diff(FILE *fp, int color, const struct diff_stats *d)
{
    const char *v = diff_verdict(d);
    const char *c = !strcmp(v, "clean") ? C_BOLD : !strcmp(v, "tampered") ? C_RED : C_YELLOW;
    fprintf(fp, "\n%s%s", col(color, C_BOLD), col(color, c));
    if (!strcmp(v, "clean"))
        fprintf(fp, "device clean for the traffic both captures cover");
    else if (!strcmp(v, "tampered"))
        fprintf(fp, "device TAMPERED with traffic");
    else
        fprintf(fp, "inconclusive: the device cannot be cleared");
    fprintf(fp, "%s\n", col(color, C_RESET));
    fprintf(fp,
            "  forwarded   %" PRIu64 " outbound, %" PRIu64 " inbound (allowed rewrites: "
            "ttl %" PRIu64 ", nat %" PRIu64 ", mss %" PRIu64 ", seq offset %" PRIu64
            ", tos %" PRIu64 ", timestamps %" PRIu64 ", ip id %" PRIu64 ")\n",
            d->forwarded[0], d->forwarded[1], d->rewrite_ttl, d->rewrite_nat, d->rewrite_mss,
            d->rewrite_seq, d->rewrite_tos, d->rewrite_ts, d->rewrite_ipid);
    fprintf(fp, "  modified    %" PRIu64 " outbound, %" PRIu64 " inbound\n", d->modified[0],
            d->modified[1]);
    fprintf(fp, "  injected    %" PRIu64 " outbound, %" PRIu64 " inbound\n", d->injected[0],
            d->injected[1]);
    fprintf(fp, "  dropped     %" PRIu64 " outbound, %" PRIu64 " inbound\n", d->dropped[0],
            d->dropped[1]);
    fprintf(fp,
            "  not judged  device's own or link-local %" PRIu64 " inside, %" PRIu64
            " outside; not via the device %" PRIu64 " inside, %" PRIu64 " outside\n",
            d->local[0], d->local[1], d->not_via_device[0], d->not_via_device[1]);
    if (d->unattributed[0] || d->unattributed[1])
        fprintf(fp,
                "  unattributed %" PRIu64 " inside, %" PRIu64 " outside: seen on one side "
                "only, with nothing to tell who sent them\n",
                d->unattributed[0], d->unattributed[1]);
    if (d->capture_gaps[0] || d->capture_gaps[1])
        fprintf(fp,
                "  capture gaps %" PRIu64 " inside, %" PRIu64 " outside: packets the "
                "receiver acknowledged that this capture missed (not device drops)\n",
                d->capture_gaps[0], d->capture_gaps[1]);
    if (d->not_covered[0] || d->not_covered[1])
        fprintf(fp,
                "  not covered %" PRIu64 " inside, %" PRIu64 " outside: seen on one side "
                "only, outside the other capture's time span (not judged)\n",
                d->not_covered[0], d->not_covered[1]);
    if (d->pmtud[0] || d->pmtud[1])
        fprintf(fp,
                "  path MTU    %" PRIu64 " inside, %" PRIu64 " outside: too big to forward, "
                "the device said so with ICMP (not tampering)\n",
                d->pmtud[0], d->pmtud[1]);
    if (d->reassembled[0] || d->reassembled[1])
        fprintf(fp,
                "  reassembled %" PRIu64 " inside, %" PRIu64 " outside: datagrams compared "
                "whole, however they were fragmented\n",
                d->reassembled[0], d->reassembled[1]);
    if (d->pending_evicted)
        fprintf(fp, "  %" PRIu64 " packets left unjudged at the waiting cap\n", d->pending_evicted);
    if (d->capture_drops[0] || d->capture_drops[1])
        fprintf(fp,
                "  the captures say they lost %" PRIu64 " packets inside, %" PRIu64
                " outside: a packet missing on one side may be theirs\n",
                d->capture_drops[0], d->capture_drops[1]);
    if (d->uncertain)
        fprintf(fp,
                "  uncertain   %" PRIu64 " of the packets above (medium confidence): the "
                "other capture may have missed them, the device may not be at fault\n",
                d->uncertain);
    fprintf(fp,
            "  clock       outside - inside %+.6f s (%s, %" PRIu64 " samples%s), drift %+" PRId64
            " ppb; window %" PRId64 " ms\n",
            (double)d->clock_offset_ns / 1e9, d->clock_auto ? "estimated" : "given",
            d->clock_samples,
            d->clock_auto && d->clock_weak ? "; weak: pairs may be missed or mismatched" : "",
            d->clock_drift_ppb, d->window_ns / 1000000);
    fprintf(fp, "  conversations %" PRIu64 ", %" PRIu64 " with findings\n", d->convs,
            d->convs_tampered);
}

/* locate: what one row's router column says: the router most tries named ("+" when
 * they named several), or the target when it answered itself, or "*". */
static void locate_router_cell(char out[64], const struct locate_result *r,
                               const struct locate_hop *h)
{
    uint8_t ip[16];
    int several;
    unsigned reached = 0;
    for (unsigned i = 0; i < h->ntries; i++)
        reached += h->tries[i].reached;
    strcpy(out, "*");
    if (locate_hop_router(h, ip, &several)) {
        format_ip(out, r->ip_version, ip);
        if (several)
            strcat(out, " +");
    } else if (reached) {
        format_ip(out, r->ip_version, r->target);
        strcat(out, " target");
    }
}

static void text_locate_row(FILE *fp, const struct locate_result *r, const char *label,
                            const struct locate_hop *h, int width)
{
    char router[64], rtt[16] = "-", fttl[12] = "-";
    unsigned answered = 0, forged = 0;
    int64_t best = -1;
    int ttl = -1;
    for (unsigned i = 0; i < h->ntries; i++) {
        const struct locate_try *t = &h->tries[i];
        answered += t->answered;
        forged += t->forged;
        if (t->rtt_ns >= 0 && (best < 0 || t->rtt_ns < best))
            best = t->rtt_ns;
        if (t->forged && ttl < 0)
            ttl = t->forged_ttl;
    }
    locate_router_cell(router, r, h);
    if (best >= 0)
        snprintf(rtt, sizeof rtt, "%.3f", (double)best / 1e6);
    if (ttl >= 0)
        snprintf(fttl, sizeof fttl, "%d", ttl);
    fprintf(fp, "  %-8s  %-*s  %8s  %5u/%-2u  %4u/%-2u  %10s\n", label, width, router, rtt,
            answered, h->ntries, forged, h->ntries, fttl);
}

/* The table of a locate run: one row per TTL (and the baseline), then the verdict. */
void text_locate(FILE *fp, int color, const struct locate_result *r)
{
    char target[46], summary[320], label[8], cell[64];
    format_ip(target, r->ip_version, r->target);
    fprintf(fp, "%slocate%s %s (%s, %s port %u) from %s\n", col(color, C_BOLD), col(color, C_RESET),
            r->url ? r->url : r->qname, locate_method_name(r->method), target, r->port,
            r->interface ? r->interface : "");
    fprintf(fp, "  %u tries per TTL, TTL 1 to %u, %u ms apart, %u attempts in all\n", r->tries,
            r->max_ttl, r->wait_ms, r->attempts);
    int width = 6;
    locate_router_cell(cell, r, &r->baseline);
    if ((int)strlen(cell) > width)
        width = (int)strlen(cell);
    for (unsigned i = 0; i < r->nhops; i++) {
        locate_router_cell(cell, r, &r->hops[i]);
        if ((int)strlen(cell) > width)
            width = (int)strlen(cell);
    }
    fprintf(fp, "  %-8s  %-*s  %8s  %8s  %7s  %10s\n", "ttl", width, "router", "rtt ms", "answered",
            "forged", "forged ttl");
    text_locate_row(fp, r, "baseline", &r->baseline, width);
    for (unsigned i = 0; i < r->nhops; i++) {
        snprintf(label, sizeof label, "%u", r->hops[i].ttl);
        text_locate_row(fp, r, label, &r->hops[i], width);
    }
    fprintf(fp, "%s%s", col(color, C_BOLD), col(color, r->place.located ? C_RED : C_BOLD));
    print_wrapped(fp, locate_summary(r, summary, sizeof summary), "  ", 78);
    fprintf(fp, "%s", col(color, C_RESET));
    if (r->place.multipath)
        fprintf(fp, "  some hops answered from more than one router (\"+\"): a load-balanced "
                    "path, the placement is less certain\n");
}

/* Every decode event that occurred, with its count. */
static void print_events(FILE *fp, const struct run_stats *s)
{
    int any = 0;
    for (int ev = 0; ev < DEV__COUNT; ev++) {
        if (!s->decode.events[ev])
            continue;
        fprintf(fp, "%s%s %" PRIu64,
                any ? ", " : "  decode events: ", decode_event_name((enum decode_event)ev),
                s->decode.events[ev]);
        any = 1;
    }
    if (any)
        fprintf(fp, "\n");
}

void text_stats(FILE *fp, int color, const struct run_stats *s)
{
    if (s->wall_ns) {
        char ts[32];
        format_timestamp(ts, s->wall_ns);
        fprintf(fp, "stats at %s (wall clock)\n", ts);
    }
    for (uint32_t i = 0; i < s->nfiles; i++) {
        const struct file_stats *fs = &s->files[i];
        fprintf(fp, "%s%s%s: ", col(color, C_BOLD), fs->path, col(color, C_RESET));
        if (fs->linktype < 0) {
            fprintf(fp, "not read (%s)\n", fs->error);
            continue;
        }
        char names[FILE_LINKTYPE_NAMES];
        fprintf(fp, "%" PRIu64 " packets, %" PRIu64 " bytes, %s, %" PRIu64 " finding%s",
                fs->packets, fs->bytes, file_linktype_names(fs, names), fs->findings,
                fs->findings == 1 ? "" : "s");
        if (fs->skipped)
            fprintf(fp, ", %" PRIu64 " skipped", fs->skipped);
        if (fs->failed)
            fprintf(fp, "\n  damaged: %s", fs->error);
        fprintf(fp, "\n");
    }
    const struct flow_stats *fl = s->flows;
    fprintf(fp, "total: %" PRIu64 " packets, %" PRIu64 " bytes, %" PRIu64 " finding%s\n",
            s->packets, s->bytes, s->findings, s->findings == 1 ? "" : "s");
    fprintf(fp,
            "  ipv4 %" PRIu64 ", ipv6 %" PRIu64 ", tcp %" PRIu64 ", udp %" PRIu64 ", icmp %" PRIu64
            ", fragments %" PRIu64 ", not ip %" PRIu64 "\n",
            s->ipv4, s->ipv6, s->tcp, s->udp, s->icmp, s->fragments, s->not_ip);
    fprintf(fp,
            "  flows %" PRIu64 " (peak %" PRIu64 " at once), expired %" PRIu64 ", evicted %" PRIu64
            " at the count cap and %" PRIu64 " at the memory cap\n",
            fl->created, fl->active_peak, fl->expired, fl->evicted_count, fl->evicted_memory);
    if (s->frags && s->frags->datagrams)
        fprintf(fp,
                "  reassembly: %" PRIu64 " datagrams, %" PRIu64 " reassembled, %" PRIu64
                " expired, %" PRIu64 " evicted, %" PRIu64 " with conflicting overlaps\n",
                s->frags->datagrams, s->frags->reassembled, s->frags->expired, s->frags->evicted,
                s->frags->conflicts);
    if (fl->alloc_failures || s->untracked)
        fprintf(fp, "  %" PRIu64 " packets untracked, %" PRIu64 " allocation failures\n",
                s->untracked, fl->alloc_failures);
    print_events(fp, s);
    if (s->diff)
        text_diff(fp, color, s->diff);
}

static int text_write_finding(struct output *o, const struct finding *f)
{
    text_finding(o->fp, o->color, f, o->stats);
    return !ferror(o->fp);
}

static int text_write_device_flow(struct output *o, const struct device_flow *d)
{
    text_device_flow(o->fp, o->color, d);
    return !ferror(o->fp);
}

static int text_write_locate(struct output *o, const struct locate_result *r)
{
    text_locate(o->fp, o->color, r);
    return !ferror(o->fp);
}

static int text_write_stats(struct output *o, const struct run_stats *s)
{
    text_stats(o->fp, o->color, s);
    return !ferror(o->fp);
}

const struct output_format output_format_text = {
    "text", text_write_finding, text_write_device_flow, text_write_stats, text_write_locate,
};
