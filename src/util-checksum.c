/* secondsight - ones-complement sums 8 bytes at a time with deferred carries
 * (RFC 1071 section 2), loaded by memcpy so alignment never matters. */
#include "util-checksum.h"

#include <string.h>

uint64_t csum_add(uint64_t sum, const uint8_t *p, size_t n)
{
    /* Native-order 32-bit halves of 64-bit loads: the ones-complement sum of byte-
     * swapped words is the byte-swapped sum (RFC 1071 section 2), so csum_fold swaps
     * once at the end. Every call but the last must add an even number of bytes. */
    uint64_t w;
    while (n >= 8) {
        memcpy(&w, p, 8);
        sum += (w & 0xffffffffu) + (w >> 32);
        p += 8;
        n -= 8;
    }
    if (n) {
        uint8_t tail[8] = {0};
        memcpy(tail, p, n);
        memcpy(&w, tail, 8);
        sum += (w & 0xffffffffu) + (w >> 32);
    }
    return sum;
}

uint16_t csum_fold(uint64_t sum)
{
    while (sum >> 16)
        sum = (sum & 0xffff) + (sum >> 16);
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    sum = ((sum & 0xff) << 8) | (sum >> 8);
#endif
    return (uint16_t)sum;
}

uint64_t transport_pseudo_sum(const struct packet *pkt, uint32_t l4_wire_len)
{
    size_t alen = pkt->ip_version == 4 ? 4 : 16;
    uint8_t tail[8] = {0};
    uint64_t sum = 0;
    sum = csum_add(sum, pkt->ip_src, alen);
    sum = csum_add(sum, pkt->ip_dst, alen);
    /* length and protocol: this layout sums the same as IPv4's and IPv6's */
    tail[0] = (uint8_t)(l4_wire_len >> 24);
    tail[1] = (uint8_t)(l4_wire_len >> 16);
    tail[2] = (uint8_t)(l4_wire_len >> 8);
    tail[3] = (uint8_t)l4_wire_len;
    tail[7] = pkt->proto;
    return csum_add(sum, tail, sizeof tail);
}

enum csum_state transport_checksum(const struct packet *pkt)
{
    if (!pkt->l4_ok || !pkt->l4 || pkt->is_fragment || pkt->payload_len < pkt->payload_wire_len ||
        packet_has_event(pkt, DEV_TCP_PADDING_PAYLOAD))
        return CSUM_UNKNOWN; /* bytes missing, or trimmed as padding */
    if (pkt->proto == IPPROTO_NUM_UDP && pkt->ip_version == 4 && pkt->u.udp.checksum == 0)
        return CSUM_OK; /* "no checksum" (RFC 768) */
    size_t len = (size_t)(pkt->payload + pkt->payload_len - pkt->l4);
    uint64_t sum = transport_pseudo_sum(pkt, (uint32_t)len);
    sum = csum_add(sum, pkt->l4, len);
    return csum_fold(sum) == 0xffff ? CSUM_OK : CSUM_BAD;
}
