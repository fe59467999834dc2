/* secondsight - findings and stats as JSON lines with a fixed key order
 * (docs/json-schema.md is the contract). */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "output.h"
#include "util-cid.h"
#include "util-strlist.h"

static const char *csum_name(uint8_t c)
{
    return c == 1 ? "ok" : c == 2 ? "bad" : "unknown";
}

static void json_string_list(struct jw *w, const char *list)
{
    jw_array_begin(w);
    for (const char *p = list; *p; p = strlist_next(p))
        jw_string(w, p);
    jw_array_end(w);
}

static void json_copies(struct jw *w, const struct finding *f)
{
    char flags[12];
    jw_array_begin(w);
    for (unsigned i = 0; i < f->ncopies; i++) {
        const struct finding_copy *c = &f->copies[i];
        format_tcp_flags(flags, c->hdr.flags);
        jw_object_begin(w);
        jw_key(w, "frame");
        jw_uint(w, FRAME_REF_FRAME(c->hdr.frame));
        jw_key(w, "role");
        jw_string(w, c->role ? c->role : "undetermined");
        jw_key(w, "seq");
        jw_uint(w, c->hdr.seq);
        jw_key(w, "len");
        jw_uint(w, c->hdr.len);
        jw_key(w, "flags");
        jw_string(w, flags);
        jw_key(w, "ack");
        jw_uint(w, c->hdr.ack);
        jw_key(w, "ttl");
        jw_uint(w, c->hdr.ttl);
        jw_key(w, "hops");
        if (c->hops >= 0)
            jw_int(w, c->hops);
        else
            jw_null(w);
        jw_key(w, "ip_id");
        jw_uint(w, c->hdr.ip_id);
        jw_key(w, "df");
        jw_bool(w, c->hdr.df);
        jw_key(w, "window");
        jw_uint(w, c->hdr.window);
        jw_key(w, "timestamps");
        jw_bool(w, c->hdr.has_ts);
        jw_key(w, "checksum");
        jw_string(w, csum_name(c->csum));
        jw_key(w, "tells");
        json_string_list(w, c->tells);
        if (c->acked != COPY_ACK_UNKNOWN) {
            jw_key(w, "acknowledged");
            jw_bool(w, c->acked == COPY_ACK_KEPT);
        }
        if (c->excerpt[0]) {
            jw_key(w, "excerpt");
            jw_string(w, c->excerpt);
        }
        jw_object_end(w);
    }
    jw_array_end(w);
}

static void json_answers(struct jw *w, const struct finding *f)
{
    jw_array_begin(w);
    for (unsigned i = 0; i < f->nanswers; i++) {
        const struct finding_answer *a = &f->answers[i];
        jw_object_begin(w);
        jw_key(w, "frame");
        jw_uint(w, FRAME_REF_FRAME(a->frame));
        jw_key(w, "role");
        jw_string(w, a->role ? a->role : "undetermined");
        jw_key(w, "rcode");
        jw_uint(w, a->rcode);
        jw_key(w, "records");
        json_string_list(w, a->records);
        jw_key(w, "ttl");
        jw_uint(w, a->ttl);
        jw_key(w, "hops");
        jw_int(w, a->hops);
        jw_key(w, "ip_id");
        jw_uint(w, a->ip_id);
        jw_key(w, "df");
        jw_bool(w, a->df);
        jw_key(w, "tells");
        json_string_list(w, a->tells);
        jw_object_end(w);
    }
    jw_array_end(w);
}

/* Frames of the finding's own file, as 1-based numbers. */
void json_frames(struct jw *w, const frame_ref *refs, unsigned n, uint32_t file)
{
    jw_array_begin(w);
    for (unsigned i = 0; i < n; i++)
        if (FRAME_REF_FILE(refs[i]) == file)
            jw_uint(w, FRAME_REF_FRAME(refs[i]));
    jw_array_end(w);
}

static void json_fields(struct jw *w, const struct finding *f, const struct finding_field *fl,
                        unsigned n)
{
    for (unsigned i = 0; i < n; i++) {
        jw_key(w, fl[i].key);
        switch (fl[i].type) {
        case FIELD_INT:
            jw_int(w, fl[i].i);
            break;
        case FIELD_BOOL:
            jw_bool(w, fl[i].i != 0);
            break;
        case FIELD_STR:
            jw_string(w, fl[i].s);
            break;
        case FIELD_STR_LIST:
            json_string_list(w, fl[i].s);
            break;
        case FIELD_COPIES:
            json_copies(w, f);
            break;
        case FIELD_ANSWERS:
            json_answers(w, f);
            break;
        case FIELD_FRAMES:
            json_frames(w, f->frames, f->nframes, (uint32_t)fl[i].i);
            break;
        }
    }
}

static void json_flow_of(struct jw *w, uint8_t v, uint8_t proto, const uint8_t *src_ip,
                         uint16_t sport, const uint8_t *dst_ip, uint16_t dport)
{
    char src[46], dst[46], cid[COMMUNITY_ID_LEN];
    format_ip(src, v, src_ip);
    format_ip(dst, v, dst_ip);
    community_id_v1(cid, 0, v, src_ip, dst_ip, proto, sport, dport);
    jw_object_begin(w);
    jw_key(w, "proto");
    jw_string(w, proto_name(proto));
    jw_key(w, "src_ip");
    jw_string(w, src);
    jw_key(w, "src_port");
    jw_uint(w, sport);
    jw_key(w, "dest_ip");
    jw_string(w, dst);
    jw_key(w, "dest_port");
    jw_uint(w, dport);
    jw_key(w, "community_id");
    jw_string(w, cid);
    jw_object_end(w);
}

static void json_flow(struct jw *w, const struct finding *f)
{
    json_flow_of(w, f->ip_version, f->proto, f->src_ip, f->sport, f->dst_ip, f->dport);
}

/* class, confidence, summary, then (`flow` set) the flow. */
static void json_finding_head(struct jw *w, const struct finding *f, int flow)
{
    jw_key(w, "class");
    jw_string(w, f->class_name);
    jw_key(w, "confidence");
    jw_string(w, confidence_name(f->confidence));
    char summary[FINDING_SUMMARY_MAX + 1];
    jw_key(w, "summary");
    jw_string(w, finding_summary(f, summary));
    if (flow) {
        jw_key(w, "flow");
        json_flow(w, f);
    }
}

/* evidence, app, evidence_pcap. */
static void json_finding_proof(struct jw *w, const struct finding *f, const struct run_stats *s)
{
    const char *pcap = f->file_index < s->nfiles ? s->files[f->file_index].path : "";
    jw_key(w, "evidence");
    jw_object_begin(w);
    jw_key(w, "pcap");
    jw_string(w, pcap);
    jw_key(w, "frames");
    json_frames(w, f->frames, f->nframes, f->file_index);
    jw_key(w, "forged_frames");
    json_frames(w, f->forged, f->nforged, f->file_index);
    json_fields(w, f, f->evidence, f->nevidence);
    jw_object_end(w);
    if (f->napp) {
        jw_key(w, "app");
        jw_object_begin(w);
        json_fields(w, f, f->app, f->napp);
        jw_object_end(w);
    }
    if (f->evidence_pcap[0]) {
        jw_key(w, "evidence_pcap");
        jw_string(w, f->evidence_pcap);
    }
}

void json_finding(struct jw *w, const struct finding *f, const struct run_stats *s)
{
    char ts[32];
    format_timestamp(ts, f->ts_ns);
    jw_object_begin(w);
    jw_key(w, "timestamp");
    jw_string(w, ts);
    jw_key(w, "event_type");
    jw_string(w, "alert");
    json_finding_head(w, f, 1);
    json_finding_proof(w, f, s);
    jw_object_end(w);
}

void json_finding_keys(struct jw *w, const struct finding *f, const struct run_stats *s)
{
    json_finding_head(w, f, 0);
    json_finding_proof(w, f, s);
}

static void json_flow_stats(struct jw *w, const struct run_stats *s)
{
    const struct flow_stats *fs = s->flows;
    jw_object_begin(w);
    jw_key(w, "created");
    jw_uint(w, fs->created);
    jw_key(w, "active");
    jw_uint(w, s->flows_active);
    jw_key(w, "active_peak");
    jw_uint(w, fs->active_peak);
    jw_key(w, "expired");
    jw_uint(w, fs->expired);
    jw_key(w, "evicted_count_cap");
    jw_uint(w, fs->evicted_count);
    jw_key(w, "evicted_memory_cap");
    jw_uint(w, fs->evicted_memory);
    jw_key(w, "reused");
    jw_uint(w, fs->reused);
    jw_key(w, "unverifiable_bytes");
    jw_uint(w, fs->unverifiable_bytes);
    jw_key(w, "seq_laps");
    jw_uint(w, fs->seq_laps);
    jw_key(w, "segment_log_forgotten");
    jw_uint(w, fs->segment_log_forgotten);
    jw_key(w, "alloc_failures");
    jw_uint(w, fs->alloc_failures);
    jw_key(w, "untracked_packets");
    jw_uint(w, s->untracked);
    jw_key(w, "memory_bytes");
    jw_uint(w, s->flow_memory);
    jw_key(w, "memory_peak_bytes");
    jw_uint(w, fs->memory_peak);
    jw_object_end(w);
}

static void json_file(struct jw *w, const struct file_stats *fs)
{
    jw_object_begin(w);
    jw_key(w, "pcap");
    jw_string(w, fs->path);
    char names[FILE_LINKTYPE_NAMES];
    jw_key(w, "linktype");
    jw_string(w, file_linktype_names(fs, names));
    jw_key(w, "packets");
    jw_uint(w, fs->packets);
    jw_key(w, "bytes");
    jw_uint(w, fs->bytes);
    jw_key(w, "skipped");
    jw_uint(w, fs->skipped);
    jw_key(w, "findings");
    jw_uint(w, fs->findings);
    jw_key(w, "error");
    if (fs->failed)
        jw_string(w, fs->error);
    else
        jw_null(w);
    jw_object_end(w);
}

static void json_pair(struct jw *w, const char *key, const uint64_t v[2], const char *k0,
                      const char *k1)
{
    jw_key(w, key);
    jw_object_begin(w);
    jw_key(w, k0);
    jw_uint(w, v[0]);
    jw_key(w, k1);
    jw_uint(w, v[1]);
    jw_object_end(w);
}

static void json_diff_stats(struct jw *w, const struct diff_stats *d)
{
    jw_key(w, "diff");
    jw_object_begin(w);
    jw_key(w, "verdict");
    jw_string(w, diff_verdict(d));
    jw_key(w, "nat");
    jw_string(w, d->nat);
    jw_key(w, "clock");
    jw_object_begin(w);
    jw_key(w, "estimated");
    jw_bool(w, d->clock_auto);
    jw_key(w, "offset_ns");
    jw_int(w, d->clock_offset_ns);
    jw_key(w, "drift_ppb");
    jw_int(w, d->clock_drift_ppb);
    jw_key(w, "samples");
    jw_uint(w, d->clock_samples);
    jw_key(w, "weak");
    jw_bool(w, d->clock_weak);
    jw_object_end(w);
    jw_key(w, "window_ms");
    jw_int(w, d->window_ns / 1000000);
    json_pair(w, "forwarded", d->forwarded, "outbound", "inbound");
    json_pair(w, "modified", d->modified, "outbound", "inbound");
    json_pair(w, "injected", d->injected, "outbound", "inbound");
    json_pair(w, "dropped", d->dropped, "outbound", "inbound");
    jw_key(w, "rewrites");
    jw_object_begin(w);
    jw_key(w, "ttl");
    jw_uint(w, d->rewrite_ttl);
    jw_key(w, "nat");
    jw_uint(w, d->rewrite_nat);
    jw_key(w, "mss");
    jw_uint(w, d->rewrite_mss);
    jw_key(w, "seq_offset");
    jw_uint(w, d->rewrite_seq);
    jw_key(w, "tos");
    jw_uint(w, d->rewrite_tos);
    jw_key(w, "timestamps");
    jw_uint(w, d->rewrite_ts);
    jw_key(w, "ip_id");
    jw_uint(w, d->rewrite_ipid);
    jw_object_end(w);
    json_pair(w, "device_local", d->local, "inside", "outside");
    json_pair(w, "not_via_device", d->not_via_device, "inside", "outside");
    json_pair(w, "unattributed", d->unattributed, "inside", "outside");
    json_pair(w, "capture_gaps", d->capture_gaps, "inside", "outside");
    json_pair(w, "resegmented", d->resegmented, "inside", "outside");
    json_pair(w, "not_covered", d->not_covered, "inside", "outside");
    json_pair(w, "pmtud", d->pmtud, "inside", "outside");
    json_pair(w, "reassembled", d->reassembled, "inside", "outside");
    jw_key(w, "uncertain");
    jw_uint(w, d->uncertain);
    jw_key(w, "capture_drops");
    jw_object_begin(w);
    for (int k = 0; k < 2; k++) {
        jw_key(w, k ? "outside" : "inside");
        if (d->capture_drops_known[k])
            jw_uint(w, d->capture_drops[k]);
        else
            jw_null(w);
    }
    jw_object_end(w);
    jw_key(w, "conversations");
    jw_uint(w, d->convs);
    jw_key(w, "conversations_tampered");
    jw_uint(w, d->convs_tampered);
    jw_key(w, "conversations_evicted");
    jw_uint(w, d->convs_evicted);
    jw_key(w, "waiting_peak");
    jw_uint(w, d->pending_peak);
    jw_key(w, "waiting_evicted");
    jw_uint(w, d->pending_evicted);
    jw_key(w, "ranges_overwritten");
    jw_uint(w, d->ranges_overwritten);
    jw_object_end(w);
}

void json_device_flow(struct jw *w, const struct device_flow *d)
{
    char ts[32];
    jw_object_begin(w);
    jw_key(w, "timestamp");
    format_timestamp(ts, d->first_ns);
    jw_string(w, ts);
    jw_key(w, "event_type");
    jw_string(w, "device_flow");
    jw_key(w, "flow");
    json_flow_of(w, d->ip_version, d->proto, d->src_ip, d->sport, d->dst_ip, d->dport);
    json_device_flow_keys(w, d);
    jw_object_end(w);
}

void json_device_flow_keys(struct jw *w, const struct device_flow *d)
{
    char ts[32];
    jw_key(w, "outside_flow");
    if (d->has_outside)
        json_flow_of(w, d->ip_version, d->proto, d->out_src_ip, d->out_sport, d->out_dst_ip,
                     d->out_dport);
    else
        jw_null(w);
    jw_key(w, "last_seen");
    format_timestamp(ts, d->last_ns);
    jw_string(w, ts);
    static const char *const dirs[2] = {"outbound", "inbound"};
    for (int k = 0; k < 2; k++) {
        jw_key(w, dirs[k]);
        jw_object_begin(w);
        jw_key(w, "forwarded");
        jw_uint(w, d->forwarded[k]);
        jw_key(w, "modified");
        jw_uint(w, d->modified[k]);
        jw_key(w, "injected");
        jw_uint(w, d->injected[k]);
        jw_key(w, "dropped");
        jw_uint(w, d->dropped[k]);
        jw_object_end(w);
    }
}

/* locate: one hop's tries summed up. */
static void json_locate_hop(struct jw *w, int v, const struct locate_hop *h)
{
    char ip[46];
    uint8_t router[16];
    int several;
    unsigned answered = 0, forged = 0, reached = 0;
    int64_t rtt = -1;
    int forged_ttl = -1;
    for (unsigned i = 0; i < h->ntries; i++) {
        const struct locate_try *t = &h->tries[i];
        answered += t->answered;
        forged += t->forged;
        reached += t->reached;
        if (t->rtt_ns >= 0 && (rtt < 0 || t->rtt_ns < rtt))
            rtt = t->rtt_ns;
        if (t->forged && forged_ttl < 0)
            forged_ttl = t->forged_ttl;
    }
    jw_object_begin(w);
    jw_key(w, "ttl");
    jw_uint(w, h->ttl);
    jw_key(w, "router");
    if (locate_hop_router(h, router, &several)) {
        format_ip(ip, v, router);
        jw_string(w, ip);
    } else {
        jw_null(w);
    }
    jw_key(w, "routers");
    jw_array_begin(w);
    for (unsigned i = 0; i < h->ntries; i++) {
        const struct locate_try *t = &h->tries[i];
        int seen = !t->has_router;
        for (unsigned k = 0; k < i && !seen; k++)
            seen = h->tries[k].has_router && !memcmp(h->tries[k].router, t->router, 16);
        if (seen)
            continue;
        format_ip(ip, v, t->router);
        jw_string(w, ip);
    }
    jw_array_end(w);
    jw_key(w, "rtt_us");
    if (rtt >= 0)
        jw_int(w, rtt / 1000);
    else
        jw_null(w);
    jw_key(w, "tries");
    jw_uint(w, h->ntries);
    jw_key(w, "answered");
    jw_uint(w, answered);
    jw_key(w, "forged");
    jw_uint(w, forged);
    jw_key(w, "forged_ttl");
    if (forged_ttl >= 0)
        jw_int(w, forged_ttl);
    else
        jw_null(w);
    jw_key(w, "reached");
    jw_uint(w, reached);
    jw_object_end(w);
}

static void json_address_or_null(struct jw *w, int has, int v, const uint8_t *a)
{
    char ip[46];
    if (!has) {
        jw_null(w);
        return;
    }
    format_ip(ip, v, a);
    jw_string(w, ip);
}

void json_locate(struct jw *w, const struct locate_result *r)
{
    char ts[32], summary[320];
    const struct locate_place *pl = &r->place;
    jw_object_begin(w);
    jw_key(w, "timestamp");
    format_timestamp(ts, r->start_ns);
    jw_string(w, ts);
    jw_key(w, "event_type");
    jw_string(w, "locate");
    jw_key(w, "summary");
    jw_string(w, locate_summary(r, summary, sizeof summary));
    jw_key(w, "method");
    jw_string(w, locate_method_name(r->method));
    jw_key(w, "target");
    jw_object_begin(w);
    jw_key(w, "ip");
    json_address_or_null(w, 1, r->ip_version, r->target);
    jw_key(w, "port");
    jw_uint(w, r->port);
    jw_key(w, "url");
    if (r->url)
        jw_string(w, r->url);
    else
        jw_null(w);
    jw_key(w, "qname");
    if (r->qname)
        jw_string(w, r->qname);
    else
        jw_null(w);
    jw_object_end(w);
    jw_key(w, "interface");
    jw_string(w, r->interface ? r->interface : "");
    jw_key(w, "max_ttl");
    jw_uint(w, r->max_ttl);
    jw_key(w, "tries");
    jw_uint(w, r->tries);
    jw_key(w, "wait_ms");
    jw_uint(w, r->wait_ms);
    jw_key(w, "timeout_ms");
    jw_uint(w, r->timeout_ms);
    jw_key(w, "attempts");
    jw_uint(w, r->attempts);
    jw_key(w, "privileges");
    jw_object_begin(w);
    jw_key(w, "cap_eff");
    jw_string(w, r->cap_eff);
    jw_key(w, "no_new_privs");
    jw_bool(w, r->no_new_privs);
    jw_object_end(w);
    jw_key(w, "baseline");
    json_locate_hop(w, r->ip_version, &r->baseline);
    jw_key(w, "baseline_findings");
    jw_uint(w, r->baseline_findings);
    jw_key(w, "hops");
    jw_array_begin(w);
    for (unsigned i = 0; i < r->nhops; i++)
        json_locate_hop(w, r->ip_version, &r->hops[i]);
    jw_array_end(w);
    jw_key(w, "target_hops");
    if (pl->target_hops >= 0)
        jw_int(w, pl->target_hops);
    else
        jw_null(w);
    jw_key(w, "multipath");
    jw_bool(w, pl->multipath);
    jw_key(w, "located");
    if (pl->located) {
        jw_object_begin(w);
        jw_key(w, "hop");
        jw_uint(w, pl->hop);
        jw_key(w, "router");
        json_address_or_null(w, pl->has_router, r->ip_version, pl->router);
        jw_key(w, "router_before");
        json_address_or_null(w, pl->has_before, r->ip_version, pl->before);
        jw_key(w, "router_after");
        json_address_or_null(w, pl->has_after, r->ip_version, pl->after);
        jw_key(w, "forged_tries");
        jw_uint(w, pl->forged_tries);
        jw_key(w, "tries");
        jw_uint(w, pl->tries);
        jw_key(w, "later_hops");
        jw_uint(w, pl->later_hops);
        jw_key(w, "later_hops_forged");
        jw_uint(w, pl->later_hops_forged);
        jw_key(w, "forged_ttl");
        if (pl->forged_ttl >= 0)
            jw_int(w, pl->forged_ttl);
        else
            jw_null(w);
        jw_object_end(w);
    } else {
        jw_null(w);
    }
    jw_object_end(w);
}

/* The fragment reassembly counters. */
static void json_reassembly(struct jw *w, const struct run_stats *s)
{
    const struct frag_stats *fr = s->frags;
    jw_key(w, "reassembly");
    jw_object_begin(w);
    jw_key(w, "datagrams");
    jw_uint(w, fr->datagrams);
    jw_key(w, "reassembled");
    jw_uint(w, fr->reassembled);
    jw_key(w, "expired");
    jw_uint(w, fr->expired);
    jw_key(w, "evicted");
    jw_uint(w, fr->evicted);
    jw_key(w, "overlaps");
    jw_uint(w, fr->overlaps);
    jw_key(w, "conflicts");
    jw_uint(w, fr->conflicts);
    jw_key(w, "too_big");
    jw_uint(w, fr->too_big);
    jw_key(w, "id_reused");
    jw_uint(w, fr->id_reused);
    jw_key(w, "kept");
    jw_uint(w, fr->kept);
    jw_key(w, "kept_dropped");
    jw_uint(w, fr->kept_dropped);
    jw_key(w, "late");
    jw_uint(w, fr->late);
    jw_key(w, "mixed");
    jw_uint(w, fr->mixed);
    jw_key(w, "pieces_unrecorded");
    jw_uint(w, fr->pieces_unrecorded);
    jw_key(w, "memory_bytes");
    jw_uint(w, s->frag_memory);
    jw_key(w, "memory_peak_bytes");
    jw_uint(w, fr->memory_peak);
    jw_key(w, "pending");
    jw_uint(w, s->frag_pending);
    jw_object_end(w);
}

/* What each enabled detector held back, released, cancelled and dropped, and the
 * repeats its recent ring kept quiet (detect-hold.h, detect-recent.h). */
static void json_detectors(struct jw *w, const struct run_stats *s)
{
    unsigned any = 0;
    for (unsigned i = 0; i < PIPELINE_MAX_DETECTORS; i++)
        any |= s->detectors[i].name != NULL;
    if (!any)
        return; /* no pipeline ran (diff) */
    jw_key(w, "detectors");
    jw_object_begin(w);
    for (unsigned i = 0; i < PIPELINE_MAX_DETECTORS; i++) {
        const struct detector_stats *d = &s->detectors[i];
        if (!d->name)
            continue;
        jw_key(w, d->name);
        jw_object_begin(w);
        jw_key(w, "held");
        jw_uint(w, d->held);
        jw_key(w, "released");
        jw_uint(w, d->released);
        jw_key(w, "cancelled");
        jw_uint(w, d->cancelled);
        jw_key(w, "dropped");
        jw_uint(w, d->dropped);
        jw_key(w, "repeats");
        jw_uint(w, d->repeats);
        jw_key(w, "forgotten");
        jw_uint(w, d->forgotten);
        jw_key(w, "evicted");
        jw_uint(w, d->evicted);
        jw_object_end(w);
    }
    jw_object_end(w);
}

/* A live capture's kernel counters, per interface (and per fanout worker). */
static void json_capture(struct jw *w, const struct run_stats *s)
{
    jw_key(w, "capture");
    jw_array_begin(w);
    for (uint32_t i = 0; i < s->ncapture; i++) {
        jw_object_begin(w);
        jw_key(w, "interface");
        jw_string(w, s->capture[i].interface);
        jw_key(w, "received");
        jw_uint(w, s->capture[i].received);
        jw_key(w, "dropped");
        jw_uint(w, s->capture[i].dropped);
        jw_key(w, "if_dropped");
        jw_uint(w, s->capture[i].if_dropped);
        if (s->capture[i].nworkers) {
            jw_key(w, "workers");
            jw_array_begin(w);
            for (uint32_t k = 0; k < s->capture[i].nworkers; k++)
                jw_uint(w, s->capture[i].worker_received[k]);
            jw_array_end(w);
        }
        jw_object_end(w);
    }
    jw_array_end(w);
}

void json_stats(struct jw *w, const struct run_stats *s)
{
    char ts[32];
    jw_object_begin(w);
    jw_key(w, "timestamp");
    if (s->packets > s->skipped) {
        format_timestamp(ts, s->last_ts);
        jw_string(w, ts);
    } else {
        jw_null(w);
    }
    jw_key(w, "event_type");
    jw_string(w, "stats");
    jw_key(w, "stats");
    json_stats_object(w, s);
    if (s->wall_ns) {
        jw_key(w, "wall_time");
        format_timestamp(ts, s->wall_ns);
        jw_string(w, ts);
    }
    jw_object_end(w);
}

void json_stats_object(struct jw *w, const struct run_stats *s)
{
    jw_object_begin(w);
    jw_key(w, "packets");
    jw_uint(w, s->packets);
    jw_key(w, "bytes");
    jw_uint(w, s->bytes);
    jw_key(w, "skipped");
    jw_uint(w, s->skipped);
    jw_key(w, "findings");
    jw_uint(w, s->findings);
    jw_key(w, "ipv4");
    jw_uint(w, s->ipv4);
    jw_key(w, "ipv6");
    jw_uint(w, s->ipv6);
    jw_key(w, "tcp");
    jw_uint(w, s->tcp);
    jw_key(w, "udp");
    jw_uint(w, s->udp);
    jw_key(w, "icmp");
    jw_uint(w, s->icmp);
    jw_key(w, "other_proto");
    jw_uint(w, s->other_proto);
    jw_key(w, "not_ip");
    jw_uint(w, s->not_ip);
    jw_key(w, "fragments");
    jw_uint(w, s->fragments);
    jw_key(w, "flows");
    json_flow_stats(w, s);
    jw_key(w, "decode_events");
    jw_object_begin(w);
    for (int ev = 0; ev < DEV__COUNT; ev++) {
        jw_key(w, decode_event_name((enum decode_event)ev));
        jw_uint(w, s->decode.events[ev]);
    }
    jw_object_end(w);
    jw_key(w, "files");
    jw_array_begin(w);
    for (uint32_t i = 0; i < s->nfiles; i++)
        json_file(w, &s->files[i]);
    jw_array_end(w);
    if (s->frags)
        json_reassembly(w, s);
    json_detectors(w, s);
    if (s->capture)
        json_capture(w, s);
    if (s->diff)
        json_diff_stats(w, s->diff);
    if (s->evidence) {
        jw_key(w, "evidence");
        jw_object_begin(w);
        jw_key(w, "files");
        jw_uint(w, s->evidence->files);
        jw_key(w, "packets");
        jw_uint(w, s->evidence->packets);
        jw_key(w, "skipped");
        jw_uint(w, s->evidence->skipped);
        jw_key(w, "cut");
        jw_uint(w, s->evidence->cut);
        jw_object_end(w);
    }
    if (s->shard_count) {
        jw_key(w, "shard");
        jw_object_begin(w);
        jw_key(w, "index");
        jw_uint(w, s->shard_index);
        jw_key(w, "count");
        jw_uint(w, s->shard_count);
        jw_key(w, "skipped");
        jw_uint(w, s->shard_skipped);
        jw_object_end(w);
    }
    jw_object_end(w);
}

static int json_write_finding(struct output *o, const struct finding *f)
{
    jw_reset(&o->jw);
    json_finding(&o->jw, f, o->stats);
    return output_write_record(o);
}

static int json_write_device_flow(struct output *o, const struct device_flow *d)
{
    jw_reset(&o->jw);
    json_device_flow(&o->jw, d);
    return output_write_record(o);
}

static int json_write_locate(struct output *o, const struct locate_result *r)
{
    jw_reset(&o->jw);
    json_locate(&o->jw, r);
    return output_write_record(o);
}

static int json_write_stats(struct output *o, const struct run_stats *s)
{
    jw_reset(&o->jw);
    json_stats(&o->jw, s);
    return output_write_record(o);
}

const struct output_format output_format_json = {
    "json", json_write_finding, json_write_device_flow, json_write_stats, json_write_locate,
};
