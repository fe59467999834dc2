/* secondsight - flow keys, internal to the flow table (flow-table.c, flow-key.c): the
 * keyed hash of a key, the cache index of a pair of endpoints, and whether a packet
 * is a flow's. Small and called for every packet, hence inline here. */
#ifndef SS_FLOW_KEY_H
#define SS_FLOW_KEY_H

#include <string.h>

#include "config.h"
#include "flow.h"

_Static_assert((FLOW_CACHE_SLOTS & (FLOW_CACHE_SLOTS - 1)) == 0,
               "FLOW_CACHE_SLOTS: a power of two");

/* SipHash-1-3 of the key's meaningful bytes under the table's key. */
uint64_t flow_key_hash(const uint64_t key[2], const struct flow_key *k);

/* Whether two addresses of alen bytes (4 or 16) are equal. */
static inline int flow_addr_eq(const uint8_t *a, const uint8_t *b, size_t alen)
{
    uint32_t x, y;
    if (alen != 4)
        return memcmp(a, b, 16) == 0;
    memcpy(&x, a, 4);
    memcpy(&y, b, 4);
    return x == y;
}

/* The cache slot of a pair of endpoints, the same whichever way round they are given:
 * the exclusive-or of the addresses' first and last words and of the ports, mixed with
 * the table's key (so that which flows share a slot is not known in advance) by a
 * multiplicative hash. Not a defence against flooding and not needed to be one: the
 * slot is only a hint (flow-table.c). */
static inline uint32_t flow_cache_index(const uint64_t key[2], const uint8_t *a, const uint8_t *b,
                                        uint16_t pa, uint16_t pb, size_t alen)
{
    uint32_t wa, wb, x;
    memcpy(&wa, a, 4);
    memcpy(&wb, b, 4);
    x = wa ^ wb;
    if (alen == 16) {
        memcpy(&wa, a + 12, 4);
        memcpy(&wb, b + 12, 4);
        x ^= wa ^ wb;
    }
    x ^= (uint32_t)(pa ^ pb) ^ (uint32_t)key[0];
    x *= 0x9e3779b1u;
    return (uint32_t)(((uint64_t)x * FLOW_CACHE_SLOTS) >> 32); /* its top bits */
}

/* pkt's direction within f (0: from f's src), or -1 when pkt is not of f: the same
 * endpoints either way round, the same protocol and IP version, which is what equal
 * flow keys mean. */
static inline int flow_match(const struct flow *f, const struct packet *pkt)
{
    if (f->key.proto != pkt->proto || f->key.ip_version != pkt->ip_version)
        return -1;
    size_t alen = pkt->ip_version == 4 ? 4 : 16;
    if (pkt->sport == f->src_port && pkt->dport == f->dst_port &&
        flow_addr_eq(pkt->ip_src, f->src_ip, alen) && flow_addr_eq(pkt->ip_dst, f->dst_ip, alen))
        return 0;
    if (pkt->sport == f->dst_port && pkt->dport == f->src_port &&
        flow_addr_eq(pkt->ip_src, f->dst_ip, alen) && flow_addr_eq(pkt->ip_dst, f->src_ip, alen))
        return 1;
    return -1;
}

#endif
