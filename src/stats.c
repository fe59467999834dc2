/* secondsight - counting decoded frames into the run's counters, and adding up the
 * counters of several pipelines (shards, live workers). */
#include "stats.h"

#include <string.h>

void run_stats_count(struct run_stats *s, const struct packet *pkt)
{
    uint64_t ev = pkt->events;
    while (ev) {
        int i = __builtin_ctzll(ev);
        s->decode.events[i]++;
        ev &= ev - 1;
    }
    if (pkt->ip_version == 4)
        s->ipv4++;
    else if (pkt->ip_version == 6)
        s->ipv6++;
    else if (packet_has_event(pkt, DEV_NOT_IP))
        s->not_ip++;
    if (pkt->is_fragment)
        s->fragments++;
    if (!pkt->ip_version || pkt->is_fragment)
        return;
    switch (pkt->proto) {
    case IPPROTO_NUM_TCP:
        s->tcp++;
        break;
    case IPPROTO_NUM_UDP:
        s->udp++;
        break;
    case IPPROTO_NUM_ICMP:
    case IPPROTO_NUM_ICMPV6:
        s->icmp++;
        break;
    default:
        s->other_proto++;
        break;
    }
}

void run_stats_add_packets(struct run_stats *sum, const struct run_stats *x)
{
    for (int k = 0; k < DEV__COUNT; k++)
        sum->decode.events[k] += x->decode.events[k];
    sum->ipv4 += x->ipv4;
    sum->ipv6 += x->ipv6;
    sum->tcp += x->tcp;
    sum->udp += x->udp;
    sum->icmp += x->icmp;
    sum->other_proto += x->other_proto;
    sum->not_ip += x->not_ip;
    sum->fragments += x->fragments;
    sum->shard_skipped += x->shard_skipped;
    sum->frag_memory += x->frag_memory;
    sum->frag_pending += x->frag_pending;
    if (x->last_ts > sum->last_ts)
        sum->last_ts = x->last_ts;
}

void run_stats_copy_packets(struct run_stats *dst, const struct run_stats *src)
{
    memset(&dst->decode, 0, sizeof dst->decode);
    dst->ipv4 = dst->ipv6 = dst->tcp = dst->udp = dst->icmp = dst->other_proto = 0;
    dst->not_ip = dst->fragments = dst->frag_memory = dst->frag_pending = 0;
    dst->shard_skipped = 0;
    dst->last_ts = 0;
    run_stats_add_packets(dst, src);
    dst->last_ts = src->last_ts;
    dst->untracked = src->untracked;
}

void run_stats_add_detectors(struct run_stats *sum, const struct run_stats *x)
{
    for (unsigned i = 0; i < PIPELINE_MAX_DETECTORS; i++) {
        struct detector_stats *d = &sum->detectors[i];
        const struct detector_stats *e = &x->detectors[i];
        if (!d->name)
            d->name = e->name;
        d->held += e->held;
        d->released += e->released;
        d->cancelled += e->cancelled;
        d->dropped += e->dropped;
        d->repeats += e->repeats;
        d->forgotten += e->forgotten;
        d->evicted += e->evicted;
    }
}

void flow_stats_add(struct flow_stats *sum, const struct flow_stats *x)
{
    sum->created += x->created;
    sum->expired += x->expired;
    sum->evicted_count += x->evicted_count;
    sum->evicted_memory += x->evicted_memory;
    sum->reused += x->reused;
    sum->unverifiable_bytes += x->unverifiable_bytes;
    sum->seq_laps += x->seq_laps;
    sum->segment_log_forgotten += x->segment_log_forgotten;
    sum->alloc_failures += x->alloc_failures;
    sum->active_peak += x->active_peak;
    sum->memory_peak += x->memory_peak;
}

void frag_stats_add(struct frag_stats *sum, const struct frag_stats *x)
{
    sum->datagrams += x->datagrams;
    sum->reassembled += x->reassembled;
    sum->expired += x->expired;
    sum->evicted += x->evicted;
    sum->overlaps += x->overlaps;
    sum->conflicts += x->conflicts;
    sum->too_big += x->too_big;
    sum->id_reused += x->id_reused;
    sum->kept += x->kept;
    sum->kept_dropped += x->kept_dropped;
    sum->pieces_unrecorded += x->pieces_unrecorded;
    sum->late += x->late;
    sum->mixed += x->mixed;
    sum->memory_peak += x->memory_peak;
}

void evidence_stats_add(struct evidence_stats *sum, const struct evidence_stats *x)
{
    sum->files += x->files;
    sum->packets += x->packets;
    sum->skipped += x->skipped;
    sum->cut += x->cut;
}

void run_stats_total_sources(struct run_stats *s)
{
    s->packets = s->bytes = s->skipped = 0;
    for (uint32_t i = 0; i < s->nfiles; i++) {
        s->packets += s->files[i].packets;
        s->bytes += s->files[i].bytes;
        s->skipped += s->files[i].skipped;
    }
}
