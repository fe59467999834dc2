/* secondsight - IPv6 (RFC 8200): fixed header, a bounded walk over extension headers,
 * fragments recognised and counted. The payload length bounds what follows. */
#include "decode-ip.h"

#define IP6_HOPOPTS 0
#define IP6_ROUTING 43
#define IP6_FRAGMENT 44
#define IP6_ESP 50
#define IP6_AH 51
#define IP6_NONE 59
#define IP6_DSTOPTS 60
#define IP6_MOBILITY 135
#define IP6_HIP 139
#define IP6_SHIM6 140

void decode_ipv6(struct packet *pkt, struct reader *r)
{
    size_t start = r->off;
    pkt->l3 = reader_ptr(r);
    uint32_t vtcfl = reader_u32be(r);
    uint16_t plen = reader_u16be(r);
    uint8_t next = reader_u8(r);
    pkt->ttl = reader_u8(r);
    uint8_t src[16], dst[16];
    reader_copy(r, src, 16);
    reader_copy(r, dst, 16);
    if (r->err) {
        packet_event(pkt, DEV_IPV6_TRUNCATED);
        return;
    }
    if ((vtcfl >> 28) != 6) {
        packet_event(pkt, DEV_IPV6_INVALID_VERSION);
        return;
    }
    memcpy(pkt->ip_src, src, 16);
    memcpy(pkt->ip_dst, dst, 16);
    pkt->ip_version = 6;
    pkt->tos = (uint8_t)(vtcfl >> 20);
    pkt->flow_label = vtcfl & 0xfffff;
    pkt->ip_len = 40u + plen;

    r->off = start;
    /* A zero payload length means a jumbogram (RFC 2675); bound by the frame instead. */
    if (plen != 0)
        ip_clamp(pkt, r, 40u + plen, DEV_IPV6_TRUNCATED);
    reader_skip(r, 40);

    for (int n = 0;; n++) {
        switch (next) {
        case IP6_HOPOPTS:
        case IP6_ROUTING:
        case IP6_DSTOPTS:
        case IP6_MOBILITY:
        case IP6_HIP:
        case IP6_SHIM6:
        case IP6_AH:
        case IP6_FRAGMENT:
            break;
        default:
            /* A transport (or ESP, or no next header): the walk ends here. */
            pkt->proto = next;
            pkt->ip_hlen = (uint16_t)(r->off - start);
            if (next != IP6_ESP && next != IP6_NONE)
                decode_transport(pkt, r, next);
            return;
        }
        if (n == DECODE_MAX_IPV6_EXT) {
            packet_event(pkt, DEV_IPV6_TOO_MANY_EXTHDRS);
            return;
        }
        uint8_t hdr = next;
        next = reader_u8(r);
        uint8_t len = reader_u8(r);
        if (hdr == IP6_FRAGMENT) {
            uint16_t off_flags = reader_u16be(r);
            uint32_t ident = reader_u32be(r);
            if (r->err) {
                packet_event(pkt, DEV_IPV6_EXTHDR_TRUNCATED);
                return;
            }
            pkt->frag_offset = (uint16_t)(off_flags & 0xfff8);
            pkt->mf = off_flags & 1;
            pkt->frag_id = ident;
            if (pkt->frag_offset || pkt->mf) {
                pkt->is_fragment = 1;
                pkt->proto = next;
                pkt->ip_hlen = (uint16_t)(r->off - start);
                packet_event(pkt, DEV_IPV6_FRAGMENT);
                packet_set_payload(pkt, r, ip_payload_len(pkt, 0));
                return;
            }
            continue; /* an atomic fragment (RFC 6946): go on */
        }
        /* AH counts its length in 4-byte units minus 2; the others in 8-byte units
         * not counting the first 8 (RFC 4302, RFC 8200). */
        size_t total = hdr == IP6_AH ? ((size_t)len + 2) * 4 : ((size_t)len + 1) * 8;
        if (r->err || !reader_skip(r, total - 2)) {
            packet_event(pkt, DEV_IPV6_EXTHDR_TRUNCATED);
            return;
        }
    }
}
