/* secondsight - link layers: Ethernet (802.1Q/802.1ad stacks, MPLS, PPPoE), Linux
 * cooked SLL and SLL2, raw IP, BSD NULL/LOOP, PPP. Hands the IP packet on. */
#include <string.h>

#include "decode-dlt.h"
#include "decode.h"
#include "util-reader.h"

#define ETHERTYPE_IPV4 0x0800
#define ETHERTYPE_IPV6 0x86dd
#define ETHERTYPE_VLAN 0x8100
#define ETHERTYPE_QINQ 0x88a8
#define ETHERTYPE_QINQ_OLD 0x9100
#define ETHERTYPE_MPLS_UC 0x8847
#define ETHERTYPE_MPLS_MC 0x8848
#define ETHERTYPE_PPPOE_SESSION 0x8864

#define PPP_IPV4 0x0021
#define PPP_IPV6 0x0057

static const char *const event_names[DEV__COUNT] = {
    [DEV_LINK_TRUNCATED] = "link_truncated",
    [DEV_VLAN_TOO_DEEP] = "vlan_too_deep",
    [DEV_MPLS_TOO_DEEP] = "mpls_too_deep",
    [DEV_NOT_IP] = "not_ip",
    [DEV_IPV4_TRUNCATED] = "ipv4_truncated",
    [DEV_IPV4_INVALID_VERSION] = "ipv4_invalid_version",
    [DEV_IPV4_INVALID_HLEN] = "ipv4_invalid_hlen",
    [DEV_IPV4_INVALID_TOTAL_LEN] = "ipv4_invalid_total_len",
    [DEV_IPV4_INVALID_OPTION] = "ipv4_invalid_option",
    [DEV_IPV4_FRAGMENT] = "ipv4_fragment",
    [DEV_IPV6_TRUNCATED] = "ipv6_truncated",
    [DEV_IPV6_INVALID_VERSION] = "ipv6_invalid_version",
    [DEV_IPV6_EXTHDR_TRUNCATED] = "ipv6_exthdr_truncated",
    [DEV_IPV6_TOO_MANY_EXTHDRS] = "ipv6_too_many_exthdrs",
    [DEV_IPV6_FRAGMENT] = "ipv6_fragment",
    [DEV_TCP_TRUNCATED] = "tcp_truncated",
    [DEV_TCP_INVALID_HLEN] = "tcp_invalid_hlen",
    [DEV_TCP_OPTION_INVALID] = "tcp_option_invalid",
    [DEV_UDP_TRUNCATED] = "udp_truncated",
    [DEV_UDP_INVALID_LEN] = "udp_invalid_len",
    [DEV_ICMP_TRUNCATED] = "icmp_truncated",
    [DEV_ICMPV6_TRUNCATED] = "icmpv6_truncated",
    [DEV_PAYLOAD_SNAPPED] = "payload_snapped",
    [DEV_LINK_PADDING] = "link_padding",
    [DEV_TCP_PADDING_PAYLOAD] = "tcp_padding_payload",
    [DEV_DNS_TRUNCATED] = "dns_truncated",
    [DEV_DNS_INVALID] = "dns_invalid",
};

const char *decode_event_name(enum decode_event ev)
{
    return (unsigned)ev < DEV__COUNT ? event_names[ev] : "unknown";
}

int decode_linktype_supported(int linktype)
{
    switch (linktype) {
    case DLT_EN10MB:
    case DLT_LINUX_SLL:
    case DLT_LINUX_SLL2:
    case DLT_RAW:
    case DLT_IPV4:
    case DLT_IPV6:
    case DLT_NULL:
    case DLT_LOOP:
    case DLT_PPP:
    case DLT_PPP_SERIAL:
    case DLT_PPP_ETHER:
    case DLT_C_HDLC:
        return 1;
    default:
        return 0;
    }
}

int decode_dlt_of_linktype(unsigned linktype)
{
    /* libpcap's linktype_to_dlt(): the values that differ in files (pcap-common.c). */
    switch (linktype) {
    case 101: /* LINKTYPE_RAW */
        return DLT_RAW;
    case 100: /* LINKTYPE_ATM_RFC1483 */
        return DLT_ATM_RFC1483;
    default:
        return (int)linktype;
    }
}

/* Raw IP: the version nibble says which. */
static void decode_ip_any(struct packet *pkt, struct reader *r)
{
    uint8_t first;
    if (!reader_peek_u8(r, 0, &first)) {
        packet_event(pkt, DEV_LINK_TRUNCATED);
        return;
    }
    if ((first >> 4) == 4)
        decode_ipv4(pkt, r);
    else if ((first >> 4) == 6)
        decode_ipv6(pkt, r);
    else
        packet_event(pkt, DEV_NOT_IP);
}

static void decode_ethertype(struct packet *pkt, struct reader *r, uint16_t type);

/* MPLS label stack (RFC 3032): labels until the bottom-of-stack bit, then IP guessed
 * from the version nibble (no control word, as for IP-over-MPLS). */
static void decode_mpls(struct packet *pkt, struct reader *r)
{
    for (int depth = 0; depth < DECODE_MAX_MPLS; depth++) {
        uint32_t label = reader_u32be(r);
        if (r->err) {
            packet_event(pkt, DEV_LINK_TRUNCATED);
            return;
        }
        if (label & 0x100) {
            decode_ip_any(pkt, r);
            return;
        }
    }
    packet_event(pkt, DEV_MPLS_TOO_DEEP);
}

static void decode_ppp_proto(struct packet *pkt, struct reader *r, uint16_t proto)
{
    if (proto == PPP_IPV4)
        decode_ipv4(pkt, r);
    else if (proto == PPP_IPV6)
        decode_ipv6(pkt, r);
    else
        packet_event(pkt, DEV_NOT_IP);
}

/* PPP in HDLC-like framing (RFC 1662): optional 0xff 0x03, then a 1- or 2-byte protocol
 * (RFC 1661 protocol-field compression: an odd first byte is a 1-byte protocol). */
static void decode_ppp(struct packet *pkt, struct reader *r)
{
    uint8_t b0, b1;
    if (reader_peek_u8(r, 0, &b0) && b0 == 0xff) {
        /* 0xff is the HDLC address (RFC 1662), never a protocol: 0x03 must follow. */
        if (!reader_peek_u8(r, 1, &b1)) {
            packet_event(pkt, DEV_LINK_TRUNCATED);
            return;
        }
        if (b1 == 0x03)
            reader_skip(r, 2);
    }
    uint16_t proto = reader_u8(r);
    if (!(proto & 1))
        proto = (uint16_t)((proto << 8) | reader_u8(r));
    if (r->err) {
        packet_event(pkt, DEV_LINK_TRUNCATED);
        return;
    }
    decode_ppp_proto(pkt, r, proto);
}

/* PPPoE session header (RFC 2516): ver/type, code, session id, length, then PPP. */
static void decode_pppoe(struct packet *pkt, struct reader *r)
{
    reader_skip(r, 6);
    uint16_t proto = reader_u16be(r);
    if (r->err) {
        packet_event(pkt, DEV_LINK_TRUNCATED);
        return;
    }
    decode_ppp_proto(pkt, r, proto);
}

static void decode_ethertype(struct packet *pkt, struct reader *r, uint16_t type)
{
    for (int tags = 0;; tags++) {
        if (type != ETHERTYPE_VLAN && type != ETHERTYPE_QINQ && type != ETHERTYPE_QINQ_OLD)
            break;
        if (tags == DECODE_MAX_VLAN) {
            packet_event(pkt, DEV_VLAN_TOO_DEEP);
            return;
        }
        reader_skip(r, 2); /* PCP, DEI, VLAN id */
        type = reader_u16be(r);
        if (r->err) {
            packet_event(pkt, DEV_LINK_TRUNCATED);
            return;
        }
    }
    switch (type) {
    case ETHERTYPE_IPV4:
        decode_ipv4(pkt, r);
        break;
    case ETHERTYPE_IPV6:
        decode_ipv6(pkt, r);
        break;
    case ETHERTYPE_MPLS_UC:
    case ETHERTYPE_MPLS_MC:
        decode_mpls(pkt, r);
        break;
    case ETHERTYPE_PPPOE_SESSION:
        decode_pppoe(pkt, r);
        break;
    default:
        packet_event(pkt, DEV_NOT_IP);
        break;
    }
}

static void decode_ethernet(struct packet *pkt, struct reader *r)
{
    reader_skip(r, 12); /* destination and source MAC */
    uint16_t type = reader_u16be(r);
    if (r->err) {
        packet_event(pkt, DEV_LINK_TRUNCATED);
        return;
    }
    if (type < 0x0600) { /* an 802.3 length: LLC/SNAP, not IP for us */
        packet_event(pkt, DEV_NOT_IP);
        return;
    }
    decode_ethertype(pkt, r, type);
}

/* BSD loopback: a 4-byte address family, host byte order for NULL, network for LOOP.
 * AF_INET is 2 everywhere; AF_INET6 is 10 (Linux), 24, 28 or 30 (the BSDs, macOS). */
static void decode_null(struct packet *pkt, struct reader *r, int big_endian)
{
    uint32_t fam_le, fam_be;
    struct reader copy = *r;
    fam_le = reader_u32le(r);
    fam_be = reader_u32be(&copy);
    if (r->err) {
        packet_event(pkt, DEV_LINK_TRUNCATED);
        return;
    }
    /* The writer's byte order is unknown for NULL; accept the one that makes sense. */
    uint32_t fam = big_endian ? fam_be : (fam_le < 256 ? fam_le : fam_be);
    if (fam == 2)
        decode_ipv4(pkt, r);
    else if (fam == 10 || fam == 24 || fam == 28 || fam == 30)
        decode_ipv6(pkt, r);
    else
        packet_event(pkt, DEV_NOT_IP);
}

/* A fixed link header with an EtherType `before` bytes in and `after` bytes before
 * the network layer. */
static void decode_header_ethertype(struct packet *pkt, struct reader *r, size_t before,
                                    size_t after)
{
    reader_skip(r, before);
    uint16_t proto = reader_u16be(r);
    reader_skip(r, after);
    if (r->err)
        packet_event(pkt, DEV_LINK_TRUNCATED);
    else
        decode_ethertype(pkt, r, proto);
}

void decode_packet(struct packet *pkt)
{
    /* Be paranoid about what we have: never more than the wire carried. */
    uint32_t have = pkt->caplen < pkt->wirelen ? pkt->caplen : pkt->wirelen;
    if (pkt->wirelen == 0)
        have = pkt->caplen;
    struct reader r = reader_make(pkt->data, have);

    switch (pkt->linktype) {
    case DLT_EN10MB:
        decode_ethernet(pkt, &r);
        break;
    case DLT_LINUX_SLL: /* packet type, ARPHRD, addr len, 8 addr bytes, protocol */
        decode_header_ethertype(pkt, &r, 14, 0);
        break;
    case DLT_LINUX_SLL2: /* protocol, reserved, ifindex, ARPHRD, type, addr len, addr */
        decode_header_ethertype(pkt, &r, 0, 18);
        break;
    case DLT_RAW:
    case DLT_IPV4:
    case DLT_IPV6:
        decode_ip_any(pkt, &r);
        break;
    case DLT_NULL:
        decode_null(pkt, &r, 0);
        break;
    case DLT_LOOP:
        decode_null(pkt, &r, 1);
        break;
    case DLT_PPP:
    case DLT_PPP_SERIAL:
        decode_ppp(pkt, &r);
        break;
    case DLT_PPP_ETHER:
        decode_pppoe(pkt, &r);
        break;
    case DLT_C_HDLC: /* address, control, ethertype */
        decode_header_ethertype(pkt, &r, 2, 0);
        break;
    default:
        /* Not reached: the capture layer skips and counts unsupported link types. */
        break;
    }
}

void decode_reassembled(struct packet *dg, const struct packet *completing, const uint8_t *whole,
                        uint32_t len)
{
    memset(dg, 0, sizeof *dg);
    dg->file_index = completing->file_index;
    dg->frame = completing->frame;
    dg->ts_ns = completing->ts_ns;
    dg->caplen = dg->wirelen = len;
    dg->linktype = DLT_RAW;
    dg->data = whole;
    decode_packet(dg);
}
