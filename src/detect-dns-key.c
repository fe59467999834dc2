/* secondsight - dns_injection's table keys. What a reply's header names is written first,
 * zero-padded to whole SipHash words, then the question: the header part's hash is the
 * pending key and the whole's the transaction key, so one pass gives both
 * (siphash13_prefix), where two calls hashed the endpoints, then the first's output again
 * with the question. */
#include "detect-dns-key.h"

#include <string.h>

#include "util-hash.h"

/* Writes what a reply's header names into k (48 bytes at least): client and server
 * addresses as long as their version's, client port, id, IP version, zeros to a whole
 * word (16 bytes for IPv4, 40 for IPv6). Returns that length. */
static size_t key_head(uint8_t *k, const struct packet *pkt, int from_client, uint16_t id)
{
    size_t alen = pkt->ip_version == 4 ? 4 : 16;
    uint16_t cport = from_client ? pkt->sport : pkt->dport;
    /* Copies of a fixed 16 bytes (no call); an IPv4 address's 12 more are overwritten. */
    memcpy(k, from_client ? pkt->ip_src : pkt->ip_dst, 16);
    memcpy(k + alen, from_client ? pkt->ip_dst : pkt->ip_src, 16);
    memcpy(k + 2 * alen, &cport, 2);
    memcpy(k + 2 * alen + 2, &id, 2);
    k[2 * alen + 4] = pkt->ip_version;
    memset(k + 2 * alen + 5, 0, 8); /* the padding (3 bytes), as one fixed store */
    return (2 * alen + 5 + 7) & ~(size_t)7;
}

uint64_t dns_pending_key(const uint64_t hash_key[2], const struct packet *pkt, int from_client,
                         uint16_t id)
{
    uint8_t k[48];
    uint64_t h = siphash13(hash_key, k, key_head(k, pkt, from_client, id));
    return h ? h : 1; /* 0 marks a free slot */
}

void dns_txn_keys(const uint64_t hash_key[2], const struct packet *pkt, int from_client,
                  const struct dns_msg *m, uint64_t *pending, uint64_t *txn)
{
    uint8_t k[48 + 2 + DNS_MAX_NAME];
    size_t head = key_head(k, pkt, from_client, m->id);
    memcpy(k + head, &m->qtype, 2);
    memcpy(k + head + 2, m->qname, m->qlen);
    siphash13_prefix(hash_key, k, head, head + 2 + m->qlen, pending, txn);
    *pending += !*pending;
    *txn += !*txn;
}
