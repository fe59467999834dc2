/* secondsight - the text report for people: one short block per finding as it is
 * made, then a summary per file and the run's counters. Fits 80 columns. */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "output.h"
#include "util-phrase.h"
#include "util-strlist.h"

#define C_BOLD "\033[1m"
#define C_RED "\033[31m"
#define C_YELLOW "\033[33m"
#define C_RESET "\033[0m"

/* Every line fits 80 columns (tests/golden/run-golden checks the text goldens). */
#define TEXT_WIDTH 78
/* The widest router column the locate table keeps (its other columns take 53). */
#define LOCATE_ROUTER_COLUMN 24

static const char *col(int color, const char *code)
{
    return color ? code : "";
}

static const struct finding_field *field(const struct finding_field *fl, unsigned n,
                                         const char *key)
{
    return finding_field_get(fl, n, key);
}

/* The frames of file `file` among refs, comma-separated, into buf at *n. */
static void frames_text(char *buf, size_t cap, size_t *n, const frame_ref *refs, unsigned nrefs,
                        uint32_t file)
{
    const char *sep = "";
    for (unsigned i = 0; i < nrefs && *n < cap; i++) {
        if (FRAME_REF_FILE(refs[i]) != file)
            continue;
        *n += (size_t)snprintf(buf + *n, cap - *n, "%s%" PRIu64, sep,
                               (uint64_t)FRAME_REF_FRAME(refs[i]));
        sep = ",";
    }
}

/* Writes text word-wrapped to `width` columns: the first line starts with `first`,
 * the others with `indent` spaces. */
static void print_hanging(FILE *fp, const char *text, const char *first, size_t indent,
                          size_t width)
{
    int line = 0;
    while (*text) {
        size_t lead = line ? indent : strlen(first);
        size_t room = width > lead + 8 ? width - lead : 8;
        size_t len = strlen(text);
        size_t cut = len;
        if (len > room) {
            cut = room;
            while (cut > 0 && text[cut] != ' ')
                cut--;
            if (cut == 0) /* one word longer than the line */
                cut = room;
        }
        if (line++)
            fprintf(fp, "%*s%.*s\n", (int)indent, "", (int)cut, text);
        else
            fprintf(fp, "%s%.*s\n", first, (int)cut, text);
        text += cut;
        while (*text == ' ')
            text++;
    }
}

/* print_hanging with the later lines under the first line's text. */
static void print_wrapped(FILE *fp, const char *text, const char *first, size_t width)
{
    print_hanging(fp, text, first, strlen(first), width);
}

/* A paragraph printf-style, wrapped to TEXT_WIDTH with its later lines `indent` deep. */
static void print_para_at(FILE *fp, const char *first, size_t indent, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static void print_para_at(FILE *fp, const char *first, size_t indent, const char *fmt, ...)
{
    char text[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(text, sizeof text, fmt, ap);
    va_end(ap);
    print_hanging(fp, text, first, indent, TEXT_WIDTH);
}

/* A paragraph whose later lines are two spaces deeper than its first. */
#define print_para(fp, first, ...) print_para_at(fp, first, strlen(first) + 2, __VA_ARGS__)
/* A counter line of the diff verdict, its later lines under its value (column 14). */
#define print_diff_line(fp, ...) print_para_at(fp, "  ", 14, __VA_ARGS__)

/* The label column of a finding's lines: two spaces, the label, padded to 11. */
static void print_labelled(FILE *fp, const char *label, const char *text)
{
    char first[16];
    snprintf(first, sizeof first, "  %-8s ", label);
    print_wrapped(fp, text, first, TEXT_WIDTH);
}

/* Who sent the finding's suspect packet, for the clauses that name "the sender": the
 * side on a well-known port is the server, the other the client. */
static const char *sender_side(const struct finding *f)
{
    if (!strcmp(f->class_name, "dns_injection"))
        return "resolver";
    if (f->sport < 1024 && f->dport >= 1024)
        return "server";
    if (f->dport < 1024 && f->sport >= 1024)
        return "client";
    return NULL;
}

/* "forged", "genuine" as the label; an undetermined copy is a "copy". */
static const char *role_label(const char *role, const char *dflt)
{
    return role && (!strcmp(role, "forged") || !strcmp(role, "genuine")) ? role : dflt;
}

/* After a copy's own words: why it is judged forged, or what is odd about it. */
static void append_tells(char *line, size_t cap, const char *role, const char *tells,
                         const char *side)
{
    char words[1024];
    size_t n = strlen(line);
    if (!*tells || n + 1 >= cap)
        return;
    snprintf(line + n, cap - n, ". %s: %s",
             role && !strcmp(role, "forged") ? "Judged forged" : "Unusual",
             phrase_tells(words, sizeof words, tells, side));
}

/* After a copy's headers: its payload's first bytes and whether the receiver kept it. */
static void append_seen(char *line, size_t cap, const struct finding_copy *c)
{
    size_t n = strlen(line);
    if (c->hdr.len && n < cap)
        n += (size_t)snprintf(line + n, cap - n, ", %u byte%s", c->hdr.len,
                              c->hdr.len == 1 ? "" : "s");
    if (c->excerpt[0] && n < cap)
        n += (size_t)snprintf(line + n, cap - n, " \"%s\"", c->excerpt);
    if (c->acked == COPY_ACK_KEPT && n < cap)
        snprintf(line + n, cap - n, "; the receiver acknowledged it");
    else if (c->acked == COPY_ACK_DISCARDED && n < cap)
        snprintf(line + n, cap - n,
                 "; it came too late: the receiver had already acknowledged the other "
                 "copy's bytes");
}

/* One paragraph per copy: its frame, its headers in words, and its tells. */
static void print_copies(FILE *fp, const struct finding *f)
{
    char flags[64], line[1536], records[200], rcode[24];
    const char *side = sender_side(f);
    for (unsigned i = 0; i < f->ncopies; i++) {
        const struct finding_copy *c = &f->copies[i];
        int undetermined = role_label(c->role, NULL) == NULL;
        snprintf(line, sizeof line, "frame %llu%s: IP TTL %u, %s, %s",
                 (unsigned long long)FRAME_REF_FRAME(c->hdr.frame),
                 undetermined ? " (not judged)" : "", c->hdr.ttl,
                 c->hdr.has_ts ? "TCP timestamps" : "no TCP timestamps",
                 phrase_tcp_flags(flags, sizeof flags, c->hdr.flags));
        append_seen(line, sizeof line, c);
        append_tells(line, sizeof line, c->role, c->tells, side);
        print_labelled(fp, role_label(c->role, "copy"), line);
    }
    for (unsigned i = 0; i < f->nanswers; i++) {
        const struct finding_answer *a = &f->answers[i];
        int undetermined = role_label(a->role, NULL) == NULL;
        snprintf(line, sizeof line, "frame %llu%s: %s%s%s (its packet's IP TTL %u)",
                 (unsigned long long)FRAME_REF_FRAME(a->frame), undetermined ? " (not judged)" : "",
                 a->rcode ? phrase_dns_rcode_text(rcode, sizeof rcode, a->rcode) : "",
                 a->rcode ? ", " : "",
                 a->records[0] ? strlist_join(records, sizeof records, a->records, ", ")
                               : "no records",
                 a->ttl);
        append_tells(line, sizeof line, a->role, a->tells, side);
        print_labelled(fp, role_label(a->role, "answer"), line);
    }
}

/* The victim's request and the forged content in brief: the DNS question and the
 * forged answer, the HTTP status and Location with the content's tells. */
static void print_content(FILE *fp, const struct finding *f)
{
    const struct finding_field *proto = field(f->app, f->napp, "proto");
    if (!proto || proto->type != FIELD_STR)
        return;
    char line[1536], list[200], words[1024], type[16];
    const struct finding_field *st = field(f->app, f->napp, "status");
    const struct finding_field *loc = field(f->app, f->napp, "location");
    const struct finding_field *qn = field(f->app, f->napp, "qname");
    const struct finding_field *fa = field(f->app, f->napp, "forged_answer");
    const struct finding_field *tells = field(f->app, f->napp, "tells");
    const struct finding_field *qt = field(f->evidence, f->nevidence, "qtype");
    const struct finding_field *method = field(f->app, f->napp, "method");
    const struct finding_field *host = field(f->app, f->napp, "host");
    const struct finding_field *url = field(f->app, f->napp, "url");
    if (method && url) {
        /* an absolute-form target already names its host */
        int absolute = !strncmp(url->s, "http://", 7) || !strncmp(url->s, "https://", 8);
        snprintf(line, sizeof line, "%s %s%s%s (answered by the forged copy)", method->s,
                 host && !absolute ? "http://" : "", host && !absolute ? host->s : "", url->s);
        print_labelled(fp, "request", line);
    }
    if (!strcmp(proto->s, "http") && st) {
        snprintf(line, sizeof line, "HTTP %lld%s%s%s%s", (long long)st->i,
                 loc ? " redirect to " : "", loc ? loc->s : "", tells && tells->s[0] ? ": " : "",
                 tells ? phrase_tells(words, sizeof words, tells->s, NULL) : "");
        print_labelled(fp, "content", line);
    } else if (!strcmp(proto->s, "dns") && qn) {
        snprintf(line, sizeof line, "DNS query for %s%s%s%s", qn->s, qt ? " (" : "",
                 qt ? phrase_dns_type_text(type, sizeof type, qt->i) : "", qt ? ")" : "");
        print_labelled(fp, "request", line);
        if (fa && fa->s[0]) {
            snprintf(line, sizeof line, "the forged answer says %s",
                     strlist_join(list, sizeof list, fa->s, ", "));
            print_labelled(fp, "content", line);
        }
    }
}

/* Where the forger and the real sender are, in words. */
static void print_path(FILE *fp, const struct finding *f)
{
    const struct finding_field *fh = field(f->evidence, f->nevidence, "forger_hops");
    const struct finding_field *ph = field(f->evidence, f->nevidence, "peer_hops");
    const struct finding_field *rel = field(f->evidence, f->nevidence, "hops_reliable");
    char line[320], a[64], b[64];
    const char *side = sender_side(f);
    if (!fh)
        return;
    if (rel && rel->type == FIELD_BOOL && !rel->i) {
        snprintf(line, sizeof line,
                 "the forged copy has the real %s's own TTL, which hides how far away "
                 "the forger is",
                 side ? side : "sender");
    } else {
        phrase_hops(a, sizeof a, fh->i > 255 ? -1 : (int)fh->i);
        snprintf(line, sizeof line, "the forger is %s", a);
        if (ph) {
            size_t n = strlen(line);
            snprintf(line + n, sizeof line - n, "; the %s is %s", side ? side : "real sender",
                     phrase_hops(b, sizeof b, ph->i > 255 ? -1 : (int)ph->i));
        }
    }
    print_labelled(fp, "path", line);
}

/* The frames of file `file` the finding cites, and the forged ones among them. */
static void print_frame_line(FILE *fp, const struct finding *f, uint32_t file, const char *pcap,
                             int forged)
{
    char text[2048];
    size_t n = 0;
    text[0] = '\0';
    frames_text(text, sizeof text, &n, f->frames, f->nframes, file);
    if (!n)
        n += (size_t)snprintf(text, sizeof text, "none");
    if (forged && f->nforged && n < sizeof text) {
        n += (size_t)snprintf(text + n, sizeof text - n, " (forged: ");
        frames_text(text, sizeof text, &n, f->forged, f->nforged, file);
        if (n < sizeof text)
            n += (size_t)snprintf(text + n, sizeof text - n, ")");
    }
    if (n < sizeof text)
        snprintf(text + n, sizeof text - n, " in %s", pcap);
    print_labelled(fp, "frames", text);
}

void text_finding(FILE *fp, int color, const struct finding *f, const struct run_stats *s)
{
    char ts[32], src[46], dst[46], line[160];
    format_timestamp(ts, f->ts_ns);
    format_ip(src, f->ip_version, f->src_ip);
    format_ip(dst, f->ip_version, f->dst_ip);
    const char *pcap = f->file_index < s->nfiles ? s->files[f->file_index].path : "";
    const char *sev = f->confidence == CONF_HIGH ? C_RED : C_YELLOW;

    fprintf(fp, "%s%s%s%s [%s] %s\n", col(color, C_BOLD), col(color, sev), f->class_name,
            col(color, C_RESET), confidence_name(f->confidence), ts);
    char summary[FINDING_SUMMARY_MAX + 1];
    print_wrapped(fp, finding_summary(f, summary), "  ", TEXT_WIDTH);
    snprintf(line, sizeof line, "%s %s:%u -> %s:%u", proto_name(f->proto), src, f->sport, dst,
             f->dport);
    print_labelled(fp, "flow", line);
    print_content(fp, f);
    print_copies(fp, f);
    print_path(fp, f);
    print_frame_line(fp, f, f->file_index, pcap, 1);
    /* diff: the counterpart's frames in the other capture, and what changed */
    const struct finding_field *cp = field(f->evidence, f->nevidence, "counterpart_pcap");
    for (unsigned i = 0; cp && i < f->nevidence; i++) {
        if (f->evidence[i].type != FIELD_FRAMES)
            continue;
        print_frame_line(fp, f, (uint32_t)f->evidence[i].i, cp->s, 0);
    }
    const struct finding_field *before = field(f->evidence, f->nevidence, "bytes_before");
    const struct finding_field *after = field(f->evidence, f->nevidence, "bytes_after");
    const struct finding_field *at = field(f->evidence, f->nevidence, "first_changed_offset");
    if (before && after && at) {
        char text[400];
        snprintf(text, sizeof text, "\"%s\" (from payload byte %lld)", before->s, (long long)at->i);
        print_labelled(fp, "before", text);
        snprintf(text, sizeof text, "\"%s\"", after->s);
        print_labelled(fp, "after", text);
    }
    if (f->evidence_pcap[0])
        print_labelled(fp, "evidence", f->evidence_pcap);
    fprintf(fp, "\n");
}

void text_device_flow(FILE *fp, int color, const struct device_flow *d)
{
    char src[46], dst[46], ts[32];
    format_ip(src, d->ip_version, d->src_ip);
    format_ip(dst, d->ip_version, d->dst_ip);
    format_timestamp(ts, d->first_ns);
    fprintf(fp, "%s", col(color, C_BOLD));
    print_para(fp, "", "conversation %s %s:%u <-> %s:%u", proto_name(d->proto), src, d->sport, dst,
               d->dport);
    fprintf(fp, "%s", col(color, C_RESET));
    fprintf(fp, "  from     %s\n", ts);
    if (d->has_outside) {
        format_ip(src, d->ip_version, d->out_src_ip);
        format_ip(dst, d->ip_version, d->out_dst_ip);
        print_para(fp, "  ", "outside as %s:%u <-> %s:%u", src, d->out_sport, dst, d->out_dport);
    }
    static const char *const dirs[2] = {"outbound", "inbound"};
    for (int k = 0; k < 2; k++)
        print_para(fp, "  ",
                   "%-8s forwarded %" PRIu64 ", modified %" PRIu64 ", injected %" PRIu64
                   ", dropped %" PRIu64,
                   dirs[k], d->forwarded[k], d->modified[k], d->injected[k], d->dropped[k]);
    fprintf(fp, "\n");
}

/* The counters of one kind, inside and outside (or outbound and inbound), with what
 * they mean, when any is not zero. */
static void diff_pair(FILE *fp, const char *what, const uint64_t v[2], const char *a, const char *b,
                      const char *meaning)
{
    if (v[0] || v[1])
        print_diff_line(fp, "%-11s %" PRIu64 " %s, %" PRIu64 " %s%s", what, v[0], a, v[1], b,
                        meaning);
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
    print_diff_line(fp,
                    "forwarded   %" PRIu64 " outbound, %" PRIu64 " inbound (allowed rewrites: "
                    "ttl %" PRIu64 ", nat %" PRIu64 ", mss %" PRIu64 ", seq offset %" PRIu64
                    ", tos %" PRIu64 ", timestamps %" PRIu64 ", ip id %" PRIu64 ")",
                    d->forwarded[0], d->forwarded[1], d->rewrite_ttl, d->rewrite_nat,
                    d->rewrite_mss, d->rewrite_seq, d->rewrite_tos, d->rewrite_ts, d->rewrite_ipid);
    print_diff_line(fp, "modified    %" PRIu64 " outbound, %" PRIu64 " inbound", d->modified[0],
                    d->modified[1]);
    print_diff_line(fp, "injected    %" PRIu64 " outbound, %" PRIu64 " inbound", d->injected[0],
                    d->injected[1]);
    print_diff_line(fp, "dropped     %" PRIu64 " outbound, %" PRIu64 " inbound", d->dropped[0],
                    d->dropped[1]);
    print_diff_line(fp,
                    "not judged  device's own or link-local %" PRIu64 " inside, %" PRIu64
                    " outside; not via the device %" PRIu64 " inside, %" PRIu64 " outside",
                    d->local[0], d->local[1], d->not_via_device[0], d->not_via_device[1]);
    diff_pair(fp, "unattributed", d->unattributed, "inside", "outside",
              ": seen on one side only, with nothing to tell who sent them");
    diff_pair(fp, "capture gaps", d->capture_gaps, "inside", "outside",
              ": packets the receiver acknowledged that this capture missed (not device "
              "drops)");
    diff_pair(fp, "not covered", d->not_covered, "inside", "outside",
              ": seen on one side only, outside the other capture's time span (not judged)");
    diff_pair(fp, "path MTU", d->pmtud, "inside", "outside",
              ": too big to forward, the device said so with ICMP (not tampering)");
    diff_pair(fp, "reassembled", d->reassembled, "inside", "outside",
              ": datagrams compared whole, however they were fragmented");
    diff_pair(fp, "resegmented", d->resegmented, "inside", "outside",
              ": TCP segments whose bytes crossed cut otherwise, judged by their bytes");
    if (d->pending_evicted)
        print_diff_line(fp, "%" PRIu64 " packets left unjudged at the waiting cap",
                        d->pending_evicted);
    if (d->ranges_overwritten)
        print_diff_line(fp, "%" PRIu64 " kept segments written over before they were compared",
                        d->ranges_overwritten);
    if (d->capture_drops[0] || d->capture_drops[1])
        print_diff_line(fp,
                        "the captures say they lost %" PRIu64 " packets inside, %" PRIu64
                        " outside: a packet missing on one side may be theirs",
                        d->capture_drops[0], d->capture_drops[1]);
    if (d->uncertain)
        print_diff_line(fp,
                        "uncertain   %" PRIu64 " of the packets above (medium confidence): the "
                        "other capture may have missed them, the device may not be at fault",
                        d->uncertain);
    print_diff_line(
        fp,
        "clock       outside - inside %+.6f s (%s, %" PRIu64 " samples%s), drift %+" PRId64
        " ppb; window %" PRId64 " ms",
        (double)d->clock_offset_ns / 1e9, d->clock_auto ? "estimated" : "given", d->clock_samples,
        d->clock_auto && d->clock_weak ? "; weak: pairs may be missed or mismatched" : "",
        d->clock_drift_ppb, d->window_ns / 1000000);
    print_diff_line(fp, "conversations %" PRIu64 ", %" PRIu64 " with findings", d->convs,
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
    if (width) {
        fprintf(fp, "  %-8s  %-*s  %8s  %5u/%-2u  %4u/%-2u  %10s\n", label, width, router, rtt,
                answered, h->ntries, forged, h->ntries, fttl);
        return;
    }
    /* routers too wide for the table (IPv6): each under its row */
    fprintf(fp, "  %-8s  %8s  %5u/%-2u  %4u/%-2u  %10s\n", label, rtt, answered, h->ntries, forged,
            h->ntries, fttl);
    fprintf(fp, "  %-8s  router %s\n", "", router);
}

/* The table of a locate run: one row per TTL (and the baseline), then the verdict. */
void text_locate(FILE *fp, int color, const struct locate_result *r)
{
    char target[46], summary[320], label[8], cell[64];
    format_ip(target, r->ip_version, r->target);
    fprintf(fp, "%s", col(color, C_BOLD));
    print_para(fp, "", "locate %s (%s, %s port %u) from %s", r->url ? r->url : r->qname,
               locate_method_name(r->method), target, r->port, r->interface ? r->interface : "");
    fprintf(fp, "%s", col(color, C_RESET));
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
    /* the row is 53 columns and the router's: past 24, routers go under their rows */
    if (width > LOCATE_ROUTER_COLUMN)
        width = 0;
    if (width)
        fprintf(fp, "  %-8s  %-*s  %8s  %8s  %7s  %10s\n", "ttl", width, "router", "rtt ms",
                "answered", "forged", "forged ttl");
    else
        fprintf(fp, "  %-8s  %8s  %8s  %7s  %10s\n", "ttl", "rtt ms", "answered", "forged",
                "forged ttl");
    text_locate_row(fp, r, "baseline", &r->baseline, width);
    for (unsigned i = 0; i < r->nhops; i++) {
        snprintf(label, sizeof label, "%u", r->hops[i].ttl);
        text_locate_row(fp, r, label, &r->hops[i], width);
    }
    fprintf(fp, "%s%s", col(color, C_BOLD), col(color, r->place.located ? C_RED : C_BOLD));
    print_wrapped(fp, locate_summary(r, summary, sizeof summary), "  ", TEXT_WIDTH);
    fprintf(fp, "%s", col(color, C_RESET));
    if (r->place.multipath)
        print_para(fp, "  ",
                   "some hops answered from more than one router (\"+\"): a load-balanced "
                   "path, the placement is less certain");
}

/* Every decode event that occurred, with its count. */
static void print_events(FILE *fp, const struct run_stats *s)
{
    char text[1024] = "";
    size_t n = 0;
    for (int ev = 0; ev < DEV__COUNT && n < sizeof text; ev++) {
        if (!s->decode.events[ev])
            continue;
        n +=
            (size_t)snprintf(text + n, sizeof text - n, "%s%s %" PRIu64,
                             n ? ", " : "decode events: ", decode_event_name((enum decode_event)ev),
                             s->decode.events[ev]);
    }
    if (n)
        print_para(fp, "  ", "%s", text);
}

static void text_file_stats(FILE *fp, int color, const struct file_stats *fs)
{
    char names[FILE_LINKTYPE_NAMES], skipped[48] = "";
    fprintf(fp, "%s", col(color, C_BOLD));
    if (fs->linktype < 0) {
        print_para(fp, "", "%s: not read (%s)", fs->path, fs->error);
        fprintf(fp, "%s", col(color, C_RESET));
        return;
    }
    if (fs->skipped)
        snprintf(skipped, sizeof skipped, ", %" PRIu64 " skipped", fs->skipped);
    print_para(fp, "", "%s: %" PRIu64 " packets, %" PRIu64 " bytes, %s, %" PRIu64 " finding%s%s",
               fs->path, fs->packets, fs->bytes, file_linktype_names(fs, names), fs->findings,
               fs->findings == 1 ? "" : "s", skipped);
    fprintf(fp, "%s", col(color, C_RESET));
    /* the reader's message says "damaged at ..." itself */
    if (fs->failed)
        print_para(fp, "  ", "%s%s", strncmp(fs->error, "damaged", 7) ? "damaged: " : "",
                   fs->error);
}

void text_stats(FILE *fp, int color, const struct run_stats *s)
{
    if (s->wall_ns) {
        char ts[32];
        format_timestamp(ts, s->wall_ns);
        fprintf(fp, "stats at %s (wall clock)\n", ts);
    }
    for (uint32_t i = 0; i < s->nfiles; i++)
        text_file_stats(fp, color, &s->files[i]);
    const struct flow_stats *fl = s->flows;
    fprintf(fp, "total: %" PRIu64 " packets, %" PRIu64 " bytes, %" PRIu64 " finding%s\n",
            s->packets, s->bytes, s->findings, s->findings == 1 ? "" : "s");
    print_para(fp, "  ",
               "ipv4 %" PRIu64 ", ipv6 %" PRIu64 ", tcp %" PRIu64 ", udp %" PRIu64 ", icmp %" PRIu64
               ", fragments %" PRIu64 ", not ip %" PRIu64,
               s->ipv4, s->ipv6, s->tcp, s->udp, s->icmp, s->fragments, s->not_ip);
    /* the flow table: what it held, and only the losses that happened */
    char losses[160] = "";
    size_t n = 0;
    if (fl->expired)
        n += (size_t)snprintf(losses + n, sizeof losses - n, ", %" PRIu64 " expired", fl->expired);
    if (fl->evicted_count && n < sizeof losses)
        n += (size_t)snprintf(losses + n, sizeof losses - n,
                              ", %" PRIu64 " evicted at the count cap", fl->evicted_count);
    if (fl->evicted_memory && n < sizeof losses)
        snprintf(losses + n, sizeof losses - n, ", %" PRIu64 " evicted at the memory cap",
                 fl->evicted_memory);
    print_para(fp, "  ", "flows %" PRIu64 " (peak %" PRIu64 " at once)%s", fl->created,
               fl->active_peak, *losses ? losses : ", none expired or evicted");
    if (s->frags && s->frags->datagrams)
        print_para(fp, "  ",
                   "reassembly: %" PRIu64 " datagrams, %" PRIu64 " reassembled, %" PRIu64
                   " expired, %" PRIu64 " evicted, %" PRIu64 " with conflicting overlaps",
                   s->frags->datagrams, s->frags->reassembled, s->frags->expired, s->frags->evicted,
                   s->frags->conflicts);
    if (fl->alloc_failures || s->untracked)
        print_para(fp, "  ", "%" PRIu64 " packets untracked, %" PRIu64 " allocation failures",
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
