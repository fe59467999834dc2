/* secondsight - dns_injection's table keys: a transaction as a reply's header alone names
 * it (the pending key, for a reply the parser rejects) and as its question names it too
 * (the transaction key), both keyed by the detector's per-run SipHash key. */
#ifndef SS_DETECT_DNS_KEY_H
#define SS_DETECT_DNS_KEY_H

#include <stdint.h>

#include "decode-dns.h"
#include "flow.h"

/* The pending key of a message with DNS id `id` in pkt: client address and port, server
 * address, id and IP version (from_client: pkt goes from the client). Never 0. */
uint64_t dns_pending_key(const uint64_t hash_key[2], const struct packet *pkt, int from_client,
                         uint16_t id);

/* The pending key of m, as dns_pending_key gives it, and its transaction key (the
 * question's type and name too), from one SipHash pass. Neither is 0. */
void dns_txn_keys(const uint64_t hash_key[2], const struct packet *pkt, int from_client,
                  const struct dns_msg *m, uint64_t *pending, uint64_t *txn);

#endif
