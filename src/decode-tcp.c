/* secondsight - TCP header (RFC 9293) and options (MSS, window scale, SACK, timestamps;
 * unknown kinds skipped by their length). Option anomalies are counted, not fatal. */
#include "decode-ip.h"

/* Known kinds have fixed lengths (SACK: 2 + 8n); a mismatch is an invalid option. */
static int tcp_option_len_ok(uint8_t kind, uint8_t len)
{
    switch (kind) {
    case TCPOPT_MSS:
        return len == 4;
    case TCPOPT_WSCALE:
        return len == 3;
    case TCPOPT_SACK_PERMITTED:
        return len == 2;
    case TCPOPT_SACK:
        return len >= 10 && (len - 2) % 8 == 0;
    case TCPOPT_TIMESTAMP:
        return len == 10;
    default:
        return len >= 2;
    }
}

static void decode_tcp_options(struct packet *pkt, struct reader opts)
{
    struct tcp_view *t = &pkt->u.tcp;
    while (reader_left(&opts) > 0 && t->nopts < TCP_MAX_OPTS) {
        uint8_t kind = reader_u8(&opts);
        t->opt_kinds[t->nopts++] = kind;
        if (kind == TCPOPT_EOL)
            return;
        if (kind == TCPOPT_NOP)
            continue;
        uint8_t len = reader_u8(&opts);
        struct reader body = reader_sub(&opts, len >= 2 ? (size_t)len - 2 : 0);
        if (opts.err || !tcp_option_len_ok(kind, len)) {
            packet_event(pkt, DEV_TCP_OPTION_INVALID);
            return;
        }
        switch (kind) {
        case TCPOPT_MSS:
            t->has_mss = 1;
            t->mss = reader_u16be(&body);
            break;
        case TCPOPT_WSCALE:
            t->has_wscale = 1;
            t->wscale = reader_u8(&body);
            break;
        case TCPOPT_SACK_PERMITTED:
            t->has_sack_perm = 1;
            break;
        case TCPOPT_SACK:
            t->has_sack = 1;
            break;
        case TCPOPT_TIMESTAMP:
            t->has_ts = 1;
            t->tsval = reader_u32be(&body);
            t->tsecr = reader_u32be(&body);
            break;
        default:
            break;
        }
    }
}

/* Trailing zero bytes of "payload" in a frame of Ethernet's minimum size (60 bytes,
 * 64 with the FCS) are the frame's padding, counted into the IP length by a device on
 * the way (seen on pure ACKs, on SYN/ACKs, and on short segments whose receiver
 * acknowledges only the bytes before the zeros): never stream data. Returns how many
 * to drop. */
static uint32_t padding_in_payload(const struct packet *pkt)
{
    if (pkt->wirelen > 64 || pkt->payload_len > 8 || pkt->payload_len != pkt->payload_wire_len)
        return 0;
    uint32_t n = 0;
    while (n < pkt->payload_len && pkt->payload[pkt->payload_len - 1 - n] == 0)
        n++;
    return n;
}

/* The fixed header (RFC 9293 section 3.1) into pkt; *off is data offset and reserved
 * bits. 0 when r ends first (fields past the end read as 0, as the reader leaves them). */
static inline int tcp_fixed(struct packet *pkt, struct reader *r, uint8_t *off)
{
    struct tcp_view *t = &pkt->u.tcp;
    pkt->sport = reader_u16be(r);
    pkt->dport = reader_u16be(r);
    t->seq = reader_u32be(r);
    t->ack = reader_u32be(r);
    *off = reader_u8(r);
    t->flags = reader_u8(r);
    t->window = reader_u16be(r);
    t->checksum = reader_u16be(r);
    t->urgent = reader_u16be(r);
    return !r->err;
}

void decode_tcp(struct packet *pkt, struct reader *r)
{
    struct tcp_view *t = &pkt->u.tcp;
    size_t left = reader_left(r);
    uint8_t off;
    /* Through a view of exactly its 20 bytes when they are there: one bounds check,
     * and the reads' own checks fold away. */
    struct reader h = left >= 20 ? reader_sub(r, 20) : *r;
    if (!(left >= 20 ? tcp_fixed(pkt, &h, &off) : tcp_fixed(pkt, r, &off))) {
        packet_event(pkt, DEV_TCP_TRUNCATED);
        return;
    }
    uint32_t hlen = (uint32_t)(off >> 4) * 4;
    t->reserved = off & 0x0f;
    t->hlen = (uint8_t)hlen;
    if (hlen < 20) {
        packet_event(pkt, DEV_TCP_INVALID_HLEN);
        return;
    }
    if (hlen > left) {
        /* Cut by the snap length, or a header longer than the IP packet claims. */
        int cut = pkt->ip_len > pkt->ip_hlen && pkt->ip_len - pkt->ip_hlen >= hlen;
        packet_event(pkt, cut ? DEV_TCP_TRUNCATED : DEV_TCP_INVALID_HLEN);
        return;
    }
    decode_tcp_options(pkt, reader_sub(r, hlen - 20));
    pkt->l4_ok = 1;
    packet_set_payload(pkt, r, ip_payload_len(pkt, hlen));
    uint32_t pad = padding_in_payload(pkt);
    if (pad) {
        packet_event(pkt, DEV_TCP_PADDING_PAYLOAD);
        pkt->payload_len -= pad;
        pkt->payload_wire_len -= pad;
    }
}
