/* secondsight - IPv4 (RFC 791): header, options, fragments recognised and counted.
 * The IP total length bounds everything after it; trailing bytes are link padding. */
#include "decode-ip.h"

/* Options (RFC 791 section 3.1): EOL and NOP are one byte, every other option carries
 * a length of at least 2 that must fit. A bad option is an anomaly, not a reason to
 * drop the packet. */
static void decode_ipv4_options(struct packet *pkt, struct reader opts)
{
    while (reader_left(&opts) > 0) {
        uint8_t kind = reader_u8(&opts);
        if (kind == 0)
            return;
        if (kind == 1)
            continue;
        uint8_t len = reader_u8(&opts);
        if (opts.err || len < 2 || !reader_skip(&opts, (size_t)len - 2)) {
            packet_event(pkt, DEV_IPV4_INVALID_OPTION);
            return;
        }
    }
}

/* The fixed header's fields (RFC 791 section 3.1). */
struct ipv4_fixed {
    uint8_t vhl, proto;
    uint16_t total, id, frag;
    uint8_t src[4], dst[4];
};

/* The fixed header into x, TOS and TTL into pkt; 0 when r ends first (fields past the
 * end read as 0, as the reader leaves them). */
static inline int ipv4_fixed(struct packet *pkt, struct reader *r, struct ipv4_fixed *x)
{
    x->vhl = reader_u8(r);
    pkt->tos = reader_u8(r);
    x->total = reader_u16be(r);
    x->id = reader_u16be(r);
    x->frag = reader_u16be(r);
    pkt->ttl = reader_u8(r);
    x->proto = reader_u8(r);
    reader_skip(r, 2); /* header checksum */
    reader_copy(r, x->src, 4);
    reader_copy(r, x->dst, 4);
    return !r->err;
}

void decode_ipv4(struct packet *pkt, struct reader *r)
{
    size_t start = r->off;
    size_t avail = reader_left(r);
    pkt->l3 = reader_ptr(r);
    /* Through a view of exactly its 20 bytes when they are there: one bounds check,
     * and the reads' own checks fold away. */
    struct ipv4_fixed x;
    struct reader h = avail >= 20 ? reader_sub(r, 20) : *r;
    if (!(avail >= 20 ? ipv4_fixed(pkt, &h, &x) : ipv4_fixed(pkt, r, &x))) {
        packet_event(pkt, DEV_IPV4_TRUNCATED);
        return;
    }
    uint8_t vhl = x.vhl, proto = x.proto;
    uint16_t total = x.total, id = x.id, frag = x.frag;
    const uint8_t *src = x.src, *dst = x.dst;
    if ((vhl >> 4) != 4) {
        packet_event(pkt, DEV_IPV4_INVALID_VERSION);
        return;
    }
    uint32_t hlen = (uint32_t)(vhl & 0x0f) * 4;
    if (hlen < 20) {
        packet_event(pkt, DEV_IPV4_INVALID_HLEN);
        return;
    }
    if (total == 0) {
        /* Segmentation offload writes 0 here; trust the frame, but say so. */
        packet_event(pkt, DEV_IPV4_INVALID_TOTAL_LEN);
        total = (uint16_t)(avail > 0xffff ? 0xffff : avail);
    }
    if (total < hlen) {
        packet_event(pkt, DEV_IPV4_INVALID_TOTAL_LEN);
        return;
    }

    memcpy(pkt->ip_src, src, 4);
    memcpy(pkt->ip_dst, dst, 4);
    pkt->ip_version = 4;
    pkt->ip_id = id;
    pkt->frag_id = id;
    pkt->df = (frag & 0x4000) != 0;
    pkt->mf = (frag & 0x2000) != 0;
    pkt->frag_offset = (uint16_t)((frag & 0x1fff) * 8);
    pkt->ip_hlen = (uint16_t)hlen;
    pkt->ip_len = total;
    pkt->proto = proto;

    /* Work from the start of the header again, now bounded by the total length. */
    r->off = start;
    ip_clamp(pkt, r, total, DEV_IPV4_TRUNCATED);
    reader_skip(r, 20);
    struct reader opts = reader_sub(r, hlen - 20);
    if (r->err) {
        packet_event(pkt, DEV_IPV4_TRUNCATED);
        return;
    }
    if (hlen > 20) {
        pkt->has_ip_options = 1;
        decode_ipv4_options(pkt, opts);
    }
    if (pkt->mf || pkt->frag_offset) {
        /* A fragment's payload is a piece of the datagram, not a transport header:
         * it goes to reassembly as it is. */
        pkt->is_fragment = 1;
        packet_event(pkt, DEV_IPV4_FRAGMENT);
        packet_set_payload(pkt, r, ip_payload_len(pkt, 0));
        return;
    }
    decode_transport(pkt, r, proto);
}
