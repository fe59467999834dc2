/* secondsight - what the IPv4 and IPv6 decoders share: the IP length clamp, the
 * transport payload, and the hand-off to the transport decoders. */
#include "decode-ip.h"

int ip_clamp(struct packet *pkt, struct reader *r, uint32_t ip_len, enum decode_event ev_trunc)
{
    size_t have = r->len - r->off;
    if (have > ip_len) {
        packet_event(pkt, DEV_LINK_PADDING);
        r->len = r->off + ip_len;
        return 1;
    }
    if (have < ip_len && have + packet_snapped_bytes(pkt) < ip_len) {
        /* The wire carried fewer bytes than the header claims: a short packet. What
         * follows is measured against what was really there. */
        packet_event(pkt, ev_trunc);
        pkt->ip_len = (uint32_t)(have + packet_snapped_bytes(pkt));
        return 0;
    }
    return 1;
}

void packet_set_payload(struct packet *pkt, struct reader *r, uint32_t wire_len)
{
    pkt->payload = reader_ptr(r);
    pkt->payload_len = (uint32_t)reader_left(r);
    pkt->payload_wire_len = wire_len > pkt->payload_len ? wire_len : pkt->payload_len;
    if (pkt->payload_len < pkt->payload_wire_len)
        packet_event(pkt, DEV_PAYLOAD_SNAPPED);
}

uint32_t ip_payload_len(const struct packet *pkt, uint32_t l4_hdr)
{
    uint32_t hdrs = (uint32_t)pkt->ip_hlen + l4_hdr;
    return pkt->ip_len > hdrs ? pkt->ip_len - hdrs : 0;
}

void decode_transport(struct packet *pkt, struct reader *r, uint8_t proto)
{
    pkt->l4 = reader_ptr(r);
    pkt->l4_len = (uint32_t)reader_left(r);
    switch (proto) {
    case IPPROTO_NUM_TCP:
        decode_tcp(pkt, r);
        break;
    case IPPROTO_NUM_UDP:
        decode_udp(pkt, r);
        break;
    case IPPROTO_NUM_ICMP:
    case IPPROTO_NUM_ICMPV6:
        decode_icmp(pkt, r);
        break;
    default:
        break;
    }
}
