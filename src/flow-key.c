/* secondsight - flow keys: the canonical key of a packet (both directions the same)
 * and its hash under the table's per-run key. */
#include "flow-key.h"

#include "util-hash.h"

int flow_key_make(struct flow_key *k, const struct packet *pkt)
{
    size_t alen = pkt->ip_version == 4 ? 4 : 16;
    memset(k, 0, sizeof *k);
    k->ip_version = pkt->ip_version;
    k->proto = pkt->proto;
    int c = memcmp(pkt->ip_src, pkt->ip_dst, alen);
    int src_low = c < 0 || (c == 0 && pkt->sport <= pkt->dport);
    if (src_low) {
        memcpy(k->ip_lo, pkt->ip_src, alen);
        memcpy(k->ip_hi, pkt->ip_dst, alen);
        k->port_lo = pkt->sport;
        k->port_hi = pkt->dport;
    } else {
        memcpy(k->ip_lo, pkt->ip_dst, alen);
        memcpy(k->ip_hi, pkt->ip_src, alen);
        k->port_lo = pkt->dport;
        k->port_hi = pkt->sport;
    }
    return src_low;
}

/* The key's meaningful bytes only: an IPv4 key hashes 14 bytes rather than the 40 of
 * the struct (24 of them zero), which is two SipHash rounds instead of five. */
uint64_t flow_key_hash(const uint64_t key[2], const struct flow_key *k)
{
    if (k->ip_version != 4)
        return siphash13(key, k, sizeof *k);
    uint8_t b[14];
    b[0] = k->ip_version;
    b[1] = k->proto;
    memcpy(b + 2, &k->port_lo, 2);
    memcpy(b + 4, &k->port_hi, 2);
    memcpy(b + 6, k->ip_lo, 4);
    memcpy(b + 10, k->ip_hi, 4);
    return siphash13(key, b, sizeof b);
}
