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

static uint16_t be16(const uint8_t *p)
{
    return (uint16_t)(p[0] << 8 | p[1]);
}

/* Whether the TCP or UDP header at the start of the IP payload l4 (`left` bytes, all
 * present) is one decode_tcp or decode_udp accepts whole (l4_ok). */
static int peek_l4(uint8_t proto, const uint8_t *l4, size_t left)
{
    if (proto == IPPROTO_NUM_UDP) {
        /* A zero length is a jumbogram's (the IP length rules); else at least the
         * header and within the IP payload. */
        if (left < 8)
            return 0;
        uint16_t ulen = be16(l4 + 4);
        return ulen == 0 || (ulen >= 8 && ulen <= left);
    }
    if (proto != IPPROTO_NUM_TCP || left < 20)
        return 0;
    uint32_t hlen = (uint32_t)(l4[12] >> 4) * 4;
    return hlen >= 20 && hlen <= left;
}

/* The reader checks each header's fixed part once (reader_need); fields are then read
 * at their offsets, and the IP length, checked against the bytes there, bounds the
 * rest. */
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
    uint8_t proto;
    size_t hlen, total;
    if (version == 4) {
        if (!reader_need(&r, 20))
            return 0;
        hlen = (size_t)(ip[0] & 0x0f) * 4;
        total = be16(ip + 2);
        proto = ip[9];
        /* Whole, not a fragment (MF or an offset), lengths as decode_ipv4 takes them
         * without a word (a zero total length, segmentation offload's, is decoded). */
        if (ip[0] >> 4 != 4 || hlen < 20 || total < hlen || total > avail ||
            (be16(ip + 6) & 0x3fff))
            return 0;
    } else if (version == 6) {
        if (!reader_need(&r, 40))
            return 0;
        hlen = 40;
        total = 40u + be16(ip + 4);
        proto = ip[6]; /* TCP or UDP right after the fixed header, or no answer */
        if (ip[0] >> 4 != 6 || total == 40 || total > avail)
            return 0;
    } else {
        return 0;
    }
    const uint8_t *l4 = ip + hlen;
    if (!peek_l4(proto, l4, total - hlen))
        return 0;
    const uint8_t *src = ip + (version == 4 ? 12 : 8);
    *key = pipeline_partition_of(version, src, src + (version == 4 ? 4 : 16), 1, be16(l4),
                                 be16(l4 + 2));
    return 1;
}
