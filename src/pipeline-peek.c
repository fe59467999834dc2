/* secondsight - a frame's partition from its headers alone, for the --threads reader:
 * the shard that owns a frame decodes it, so the reader reads only what
 * pipeline_partition needs. Conservative by design: it answers only for the plain
 * case (no VLAN tag, no IPv6 extension header, no fragment, headers whole and their
 * lengths consistent), where decode_packet certainly finds a TCP or UDP header with
 * the ports in place (decode-ipv4.c, decode-ipv6.c, decode-tcp.c, decode-udp.c say
 * what it accepts); everything else is decoded by the reader as before. Equality with
 * pipeline_partition is checked frame by frame over the golden captures
 * (tests/unit/test_peek.c). */
#include "decode-dlt.h"
#include "pipeline.h"
#include "util-reader.h"

/* The IP version the link header announces (0: not plain IP), r left at the IP
 * header. */
static int peek_link(const struct packet *pkt, struct reader *r)
{
    uint16_t type = 0;
    uint8_t first;
    switch (pkt->linktype) {
    case DLT_EN10MB:
        reader_skip(r, 12);
        type = reader_u16be(r);
        break;
    case DLT_LINUX_SLL:
        reader_skip(r, 14);
        type = reader_u16be(r);
        break;
    case DLT_LINUX_SLL2:
        type = reader_u16be(r);
        reader_skip(r, 18);
        break;
    case DLT_RAW:
    case DLT_IPV4:
    case DLT_IPV6:
        return reader_peek_u8(r, 0, &first) ? first >> 4 : 0;
    default:
        return 0; /* NULL, LOOP, PPP, ...: decoded by the reader */
    }
    if (r->err)
        return 0;
    return type == 0x0800 ? 4 : type == 0x86dd ? 6 : 0;
}

/* Whether the TCP or UDP header in `l4` (the IP payload, `left` bytes) is one
 * decode_tcp or decode_udp accepts whole (l4_ok); its ports into *sport, *dport. */
static int peek_ports(uint8_t proto, struct reader l4, uint16_t *sport, uint16_t *dport)
{
    size_t left = reader_left(&l4);
    *sport = reader_u16be(&l4);
    *dport = reader_u16be(&l4);
    if (proto == IPPROTO_NUM_UDP) {
        /* A zero length is a jumbogram's (the IP length rules); else at least the
         * header and within the IP payload. */
        uint16_t ulen = reader_u16be(&l4);
        return !l4.err && left >= 8 && (ulen == 0 || (ulen >= 8 && ulen <= left));
    }
    if (proto != IPPROTO_NUM_TCP || left < 20)
        return 0;
    reader_skip(&l4, 8); /* sequence and acknowledgement numbers */
    uint32_t hlen = (uint32_t)(reader_u8(&l4) >> 4) * 4;
    return !l4.err && hlen >= 20 && hlen <= left;
}

int pipeline_peek_partition(const struct packet *pkt, uint32_t *key)
{
    /* What decode_packet reads: never more than the wire carried. */
    uint32_t have = pkt->caplen < pkt->wirelen ? pkt->caplen : pkt->wirelen;
    if (pkt->wirelen == 0)
        have = pkt->caplen;
    struct reader r = reader_make(pkt->data, have);
    int version = peek_link(pkt, &r);
    const uint8_t *ip = reader_ptr(&r);
    size_t avail = reader_left(&r);
    struct reader h = r;
    uint8_t proto;
    size_t hlen, total;
    if (version == 4) {
        uint8_t vhl = reader_u8(&h);
        reader_skip(&h, 1);
        total = reader_u16be(&h);
        reader_skip(&h, 2);
        uint16_t frag = reader_u16be(&h);
        reader_skip(&h, 1);
        proto = reader_u8(&h);
        hlen = (size_t)(vhl & 0x0f) * 4;
        /* Whole, not a fragment (MF or an offset), lengths as decode_ipv4 takes them
         * without a word (a zero total length, segmentation offload's, is decoded). */
        if (h.err || vhl >> 4 != 4 || hlen < 20 || total < hlen || total > avail || (frag & 0x3fff))
            return 0;
    } else if (version == 6) {
        uint8_t v = reader_u8(&h);
        reader_skip(&h, 3);
        uint16_t plen = reader_u16be(&h);
        proto = reader_u8(&h); /* TCP or UDP right after the fixed header, or no answer */
        hlen = 40;
        total = 40u + plen;
        if (h.err || v >> 4 != 6 || plen == 0 || total > avail)
            return 0;
    } else {
        return 0;
    }
    struct reader l4 = reader_sub(&r, total);
    reader_skip(&l4, hlen);
    uint16_t sport, dport;
    if (!peek_ports(proto, l4, &sport, &dport))
        return 0;
    size_t alen = version == 4 ? 4 : 16;
    *key = pipeline_partition_of(version, ip + (version == 4 ? 12 : 8),
                                 ip + (version == 4 ? 12 : 8) + alen, 1, sport, dport);
    return 1;
}
