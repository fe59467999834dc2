/* secondsight - UDP (RFC 768) and the ICMP/ICMPv6 type and code (RFC 792, RFC 4443).
 * The UDP length bounds the payload. */
#include "decode-ip.h"

/* The header into pkt; 0 when r ends first (fields past the end read as 0). */
static inline int udp_fixed(struct packet *pkt, struct reader *r)
{
    pkt->sport = reader_u16be(r);
    pkt->dport = reader_u16be(r);
    pkt->u.udp.length = reader_u16be(r);
    pkt->u.udp.checksum = reader_u16be(r);
    return !r->err;
}

void decode_udp(struct packet *pkt, struct reader *r)
{
    size_t left = reader_left(r);
    /* Through a view of exactly its 8 bytes when they are there: one bounds check. */
    struct reader h = left >= 8 ? reader_sub(r, 8) : *r;
    if (!(left >= 8 ? udp_fixed(pkt, &h) : udp_fixed(pkt, r))) {
        packet_event(pkt, DEV_UDP_TRUNCATED);
        return;
    }
    uint32_t len = pkt->u.udp.length;
    uint32_t ip_body = ip_payload_len(pkt, 0);
    if (len == 0) {
        /* Legal only in IPv6 jumbograms (RFC 2675): the IP length rules. */
        len = ip_body;
    } else if (len < 8 || len > ip_body) {
        /* Shorter than its own header, or longer than the IP packet holding it. */
        packet_event(pkt, DEV_UDP_INVALID_LEN);
        return;
    }
    if (len - 8 < left - 8)
        r->len = r->off + (len - 8); /* bytes after the datagram are not its payload */
    pkt->l4_ok = 1;
    packet_set_payload(pkt, r, len - 8);
}

void decode_icmp(struct packet *pkt, struct reader *r)
{
    pkt->u.icmp.type = reader_u8(r);
    pkt->u.icmp.code = reader_u8(r);
    reader_skip(r, 2); /* checksum */
    if (r->err) {
        packet_event(pkt,
                     pkt->proto == IPPROTO_NUM_ICMPV6 ? DEV_ICMPV6_TRUNCATED : DEV_ICMP_TRUNCATED);
        return;
    }
    pkt->l4_ok = 1;
    packet_set_payload(pkt, r, ip_payload_len(pkt, 4));
}
