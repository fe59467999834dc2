/* secondsight - helpers shared by the IPv4 and IPv6 decoders. */
#ifndef SS_DECODE_IP_H
#define SS_DECODE_IP_H

#include "decode.h"
#include "util-reader.h"

/* Bytes of the frame beyond what was captured (cut by the snap length). */
static inline uint32_t packet_snapped_bytes(const struct packet *pkt)
{
    return pkt->wirelen > pkt->caplen ? pkt->wirelen - pkt->caplen : 0;
}

/* Clamps `r` (positioned at the IP header) to the IP length `ip_len` claimed by the
 * header, so trailing link padding never reaches the transport decoders. Returns 0 and
 * records `ev_trunc` when the frame on the wire was shorter than the IP length. */
int ip_clamp(struct packet *pkt, struct reader *r, uint32_t ip_len, enum decode_event ev_trunc);

/* Hands the transport bytes in `r` to the decoder for `proto`. */
void decode_transport(struct packet *pkt, struct reader *r, uint8_t proto);

/* Records the transport payload: the rest of `r` after a transport header of `l4_hdr`
 * bytes, and how long it was on the wire. */
void packet_set_payload(struct packet *pkt, struct reader *r, uint32_t l4_hdr);

#endif
