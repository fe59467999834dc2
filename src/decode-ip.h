/* secondsight - helpers shared by the IPv4 and IPv6 decoders and the transport
 * decoders below them (decode-ip.c). */
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

/* Records the transport payload: the rest of `r`, which was `wire_len` bytes long on
 * the wire (more than `r` holds when the snap length cut it). */
void packet_set_payload(struct packet *pkt, struct reader *r, uint32_t wire_len);

/* Bytes the IP length leaves after the IP headers and `l4_hdr` transport bytes. */
uint32_t ip_payload_len(const struct packet *pkt, uint32_t l4_hdr);

#endif
