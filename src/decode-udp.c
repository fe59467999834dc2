/* secondsight - UDP (RFC 768) and the ICMP/ICMPv6 type and code (RFC 792, RFC 4443).
 * The UDP length bounds the payload. */
#include "decode-ip.h"

void decode_udp(struct packet *pkt, struct reader *r)
{
    size_t left = reader_left(r);
    pkt->sport = reader_u16be(r);
    pkt->dport = reader_u16be(r);
    pkt->u.udp.length = reader_u16be(r);
    pkt->u.udp.checksum = reader_u16be(r);
    if (r->err) {
        packet_event(pkt, DEV_UDP_TRUNCATED);
        return;
    }
    uint16_t len = pkt->u.udp.length;
    /* Length 0 is legal only for IPv6 jumbograms (RFC 2675); treat it as "the rest". */
    if (len != 0 && len < 8) {
        packet_event(pkt, DEV_UDP_INVALID_LEN);
        return;
    }
    if (len > 8 && len - 8u < left - 8) {
        r->len = r->off + (len - 8u);
    } else if (len > left) {
        uint32_t ip_payload = pkt->ip_len > pkt->ip_hlen ? pkt->ip_len - pkt->ip_hlen : 0;
        if (len > ip_payload) {
            /* The datagram claims more than the IP packet holds. */
            packet_event(pkt, DEV_UDP_INVALID_LEN);
            return;
        }
    }
    pkt->l4_ok = 1;
    packet_set_payload(pkt, r, 8);
}

void decode_icmp(struct packet *pkt, struct reader *r)
{
    pkt->u.icmp.type = reader_u8(r);
    pkt->u.icmp.code = reader_u8(r);
    reader_skip(r, 2); /* checksum */
    if (r->err) {
        packet_event(pkt, pkt->proto == IPPROTO_NUM_ICMPV6 ? DEV_ICMPV6_TRUNCATED : DEV_ICMP_TRUNCATED);
        return;
    }
    pkt->l4_ok = 1;
    packet_set_payload(pkt, r, 4);
}
