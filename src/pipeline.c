/* secondsight - one pipeline: calls each layer in order for every frame. Owns the flow
 * table, the fragment table and the detector states of its partition. */
#include "pipeline.h"

#include <string.h>

#include "detect.h"
#include "util-hash.h"

int pipeline_init(struct pipeline *p, const struct pipeline_config *c, struct finding_sink *sink)
{
    memset(p, 0, sizeof *p);
    if (detector_count > PIPELINE_MAX_DETECTORS)
        return 0;
    uint64_t seed = hash_random_seed();
    struct frag_config fc = {FRAG_MAX_DEFAULT, FRAG_MEMORY_DEFAULT, FRAG_TIMEOUT};
    p->flows = flow_table_new(&c->flow, seed);
    p->frags = frag_table_new(&fc, seed);
    if (!p->flows || !p->frags)
        return 0;
    p->stats.flows = flow_table_stats(p->flows);
    p->stats.frags = frag_table_stats(p->frags);
    p->sink = sink;
    for (unsigned i = 0; i < detector_count; i++) {
        const struct detector *d = detectors[i];
        if (d->test_only && !c->test_detectors)
            continue;
        p->stats.detectors[i].name = d->name;
        if (d->init && !d->init(&p->state[i], &p->stats.detectors[i]))
            return 0;
        p->enabled[i] = 1;
        if (d->on_packet)
            p->hook[p->nhooks++] =
                (struct pipeline_hook){d->on_packet, p->state[i], &p->stats.detectors[i], d->wants};
    }
    return 1;
}

void pipeline_release(struct pipeline *p)
{
    for (unsigned i = 0; i < detector_count; i++)
        if (p->enabled[i] && detectors[i]->free)
            detectors[i]->free(p->state[i]);
    flow_table_free(p->flows);
    frag_table_free(p->frags);
    memset(p, 0, sizeof *p);
}

int pipeline_trackable(const struct packet *pkt)
{
    return pkt->l4_ok && !pkt->is_fragment &&
           (pkt->proto == IPPROTO_NUM_TCP || pkt->proto == IPPROTO_NUM_UDP);
}

/* The host-pair mix of the words of `len` bytes of a and b (b NULL: a alone). */
static uint32_t host_pair_mix(const uint8_t *a, const uint8_t *b, size_t len)
{
    uint32_t h = 0;
    for (size_t i = 0; i < len; i += 4) {
        h += (uint32_t)a[i] << 24 | (uint32_t)a[i + 1] << 16 | (uint32_t)a[i + 2] << 8 | a[i + 3];
        if (b)
            h += (uint32_t)b[i] << 24 | (uint32_t)b[i + 1] << 16 | (uint32_t)b[i + 2] << 8 |
                 b[i + 3];
    }
    h ^= h >> 16;
    h *= HOST_PAIR_MIX;
    h ^= h >> 16;
    return h;
}

/* The ports sit where the kernel's program reads them: TCP or UDP right after the IPv4
 * header (any options) or the fixed IPv6 header, in an unfragmented packet. */
static int ports_in_place(const struct packet *pkt)
{
    return pipeline_trackable(pkt) && (pkt->ip_version == 4 || pkt->ip_hlen == 40);
}

uint32_t pipeline_partition_of(int ip_version, const uint8_t *src, const uint8_t *dst, int ports,
                               uint16_t sport, uint16_t dport)
{
    if (ip_version != 4 && ip_version != 6)
        return 0;
    size_t len = ip_version == 4 ? 4 : 16;
    if (ports && (sport == DNS_PORT) != (dport == DNS_PORT))
        return host_pair_mix(sport == DNS_PORT ? src : dst, NULL, len);
    return host_pair_mix(src, dst, len);
}

uint32_t pipeline_partition(const struct packet *pkt)
{
    return pipeline_partition_of(pkt->ip_version, pkt->ip_src, pkt->ip_dst, ports_in_place(pkt),
                                 pkt->sport, pkt->dport);
}

/* --shard: whether a frame (or datagram) with this key is this pipeline's to judge. */
static int pipeline_mine(const struct pipeline *p, uint32_t key)
{
    return !p->shard_count || key % p->shard_count == p->shard_index;
}

void pipeline_packet(struct pipeline *p, const struct packet *pkt, const struct frag_info *frag)
{
    struct detect_ctx ctx = {pkt, NULL, 0, NULL, frag, &p->stats.decode};
    struct tcp_seg_info seg;
    struct flow *f = NULL;
    if (pipeline_trackable(pkt)) {
        f = flow_table_get(p->flows, pkt, &ctx.dir);
        if (!f)
            p->stats.untracked++;
        else if (pkt->proto == IPPROTO_NUM_TCP)
            flow_tcp_update(p->flows, f, ctx.dir, pkt, &seg);
    }
    ctx.flow = f;
    ctx.seg = f && pkt->proto == IPPROTO_NUM_TCP ? &seg : NULL;
    for (unsigned i = 0; i < p->nhooks; i++)
        if (pipeline_wants(&p->hook[i], &ctx))
            p->hook[i].on_packet(p->hook[i].state, &ctx, p->sink);
    if (ctx.seg)
        flow_tcp_learn(f, ctx.dir, pkt, &seg);
}

/* A decoded packet or datagram: to its partition's pipeline, or processed here. */
static void pipeline_route(struct pipeline *p, const struct packet *pkt)
{
    if (p->hooks.divert && pipeline_trackable(pkt) && p->hooks.divert(p->hooks.divert_ctx, pkt))
        return;
    pipeline_packet(p, pkt, NULL);
}

void pipeline_frame(struct pipeline *p, struct packet *pkt)
{
    pipeline_frame_begin(p, pkt);
    decode_packet(pkt);
    run_stats_count(&p->stats, pkt);
    if (p->hooks.tap)
        p->hooks.tap(p->hooks.tap_ctx, pkt);
    /* --shard: another shard's frame is read and counted only; fragments are
     * reassembled in every shard, judged in their host pair's, and the datagram they
     * make goes to its own partition's shard (a DNS answer to its resolver's). */
    int mine = 1;
    if (p->shard_count)
        mine = pipeline_mine(p, pipeline_partition(pkt));
    if (!mine)
        p->stats.shard_skipped++;
    if (!pkt->is_fragment) {
        if (mine)
            pipeline_route(p, pkt);
        return;
    }
    struct frag_info fi;
    uint32_t len = 0;
    const uint8_t *whole = frag_table_add(p->frags, pkt, &fi, &len);
    if (mine)
        pipeline_packet(p, pkt, &fi);
    if (!whole)
        return;
    /* The completed datagram goes through the pipeline as the completing frame. */
    struct packet dg;
    decode_reassembled(&dg, pkt, whole, len);
    if (!p->shard_count || pipeline_mine(p, pipeline_partition(&dg)))
        pipeline_route(p, &dg);
}

void pipeline_advance(struct pipeline *p, int64_t now_ns)
{
    if (now_ns <= p->stats.last_ts)
        return;
    for (unsigned i = 0; i < detector_count; i++)
        if (p->enabled[i] && detectors[i]->advance)
            detectors[i]->advance(p->state[i], now_ns, p->sink);
}

void pipeline_finish(struct pipeline *p)
{
    for (unsigned i = 0; i < detector_count; i++)
        if (p->enabled[i] && detectors[i]->finish)
            detectors[i]->finish(p->state[i], p->sink);
}
