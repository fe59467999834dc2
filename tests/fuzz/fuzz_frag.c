/* secondsight - fuzz target: a run of IPv4 and IPv6 fragments through one reassembly
 * table with tiny caps (64 datagrams, 256 KiB, 30 s); each datagram that completes is
 * decoded again as raw IP, as the pipeline does. */
#include <pcap/dlt.h>

#include "decode.h"
#include "flow-frag.h"
#include "fuzz.h"
#include "util-checksum.h"

#define SEC 1000000000ll
#define MAX_RECORDS 1024

/*
 * Input: records, each
 *   ctl     1 byte: bits 0-1 kind, bits 2-7 seconds of packet time before this one
 *   len     2 bytes big-endian, then `len` bytes (cut short at the end of the input)
 * Kinds:
 *   0, 3  a raw IP packet, decoded as DLT_RAW (make-seeds writes the captures' ones)
 *   1     an IPv4 fragment built here: id (2), flags+offset (2: bit 15 MF, low 13 bits
 *         offset in 8-byte units), protocol (1), source host byte (1), payload
 *   2     an IPv6 fragment built the same way (Fragment header, RFC 8200 section 4.5)
 * Building fragments lets the fuzzer play with offsets and overlaps without having
 * to find valid IP headers first; raw packets keep everything else reachable.
 */
enum { REC_RAW = 0, REC_IPV4 = 1, REC_IPV6 = 2 };

#define BUILT_HDR 6 /* id, flags+offset, protocol, host */

/* Builds the IP packet of a kind 1 or 2 record into a new exact-size buffer. */
static uint8_t *build_fragment(int kind, const uint8_t *b, size_t n, size_t *out_len)
{
    if (n < BUILT_HDR)
        return NULL;
    uint16_t id = (uint16_t)(b[0] << 8 | b[1]);
    uint16_t offmf = (uint16_t)(b[2] << 8 | b[3]);
    uint16_t off8 = offmf & 0x1fff;
    int mf = offmf >> 15;
    uint8_t proto = b[4], host = b[5];
    const uint8_t *payload = b + BUILT_HDR;
    size_t plen = n - BUILT_HDR;
    size_t hlen = kind == REC_IPV4 ? 20 : 48;
    if (plen > 0xffff - hlen)
        plen = 0xffff - hlen;
    uint8_t *pkt = malloc(hlen + plen);
    if (!pkt)
        abort();
    memset(pkt, 0, hlen);
    if (kind == REC_IPV4) {
        size_t total = hlen + plen;
        pkt[0] = 0x45;                 /* version 4, IHL 5 */
        pkt[2] = (uint8_t)(total >> 8);
        pkt[3] = (uint8_t)total;
        pkt[4] = (uint8_t)(id >> 8);
        pkt[5] = (uint8_t)id;
        pkt[6] = (uint8_t)((mf ? 0x20 : 0) | off8 >> 8);
        pkt[7] = (uint8_t)off8;
        pkt[8] = 64;                   /* TTL */
        pkt[9] = proto;
        pkt[12] = 192, pkt[13] = 0, pkt[14] = 2, pkt[15] = host;  /* 192.0.2.host */
        pkt[16] = 192, pkt[17] = 0, pkt[18] = 2, pkt[19] = 2;     /* 192.0.2.2 */
    } else {
        size_t plen6 = 8 + plen;
        pkt[0] = 0x60;                 /* version 6 */
        pkt[4] = (uint8_t)(plen6 >> 8);
        pkt[5] = (uint8_t)plen6;
        pkt[6] = 44;                   /* next header: Fragment */
        pkt[7] = 64;                   /* hop limit */
        pkt[8] = 0x20, pkt[9] = 0x01, pkt[10] = 0x0d, pkt[11] = 0xb8; /* 2001:db8::host */
        pkt[23] = host;
        pkt[24] = 0x20, pkt[25] = 0x01, pkt[26] = 0x0d, pkt[27] = 0xb8; /* 2001:db8::2 */
        pkt[39] = 2;
        pkt[40] = proto;               /* Fragment header: next header */
        pkt[42] = (uint8_t)(off8 >> 5);
        pkt[43] = (uint8_t)((off8 << 3) | (mf ? 1 : 0));
        pkt[46] = (uint8_t)(id >> 8);  /* identification: the id in the low 16 bits */
        pkt[47] = (uint8_t)id;
    }
    memcpy(pkt + hlen, payload, plen);
    *out_len = hlen + plen;
    return pkt;
}

/* A completed datagram, copied to an exact-size buffer and decoded like the pipeline's. */
static void decode_datagram(const uint8_t *whole, uint32_t len, const struct packet *last)
{
    if (len > 60 + 65535u || len < 20)
        abort();
    uint8_t *copy = fuzz_dup(whole, len);
    struct packet dg;
    memset(&dg, 0, sizeof dg);
    dg.frame = last->frame;
    dg.ts_ns = last->ts_ns;
    dg.caplen = dg.wirelen = len;
    dg.linktype = DLT_RAW;
    dg.data = copy;
    decode_packet(&dg);
    if (dg.ip_version != last->ip_version)
        abort();
    (void)transport_checksum(&dg);
    free(copy);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct frag_config cfg = {64, 256u << 10, 30};
    struct frag_table *t = frag_table_new(&cfg, 0x5eed);
    if (!t)
        abort();
    int64_t now = 1700000000ll * SEC;
    size_t off = 0;
    for (uint64_t rec = 1; rec <= MAX_RECORDS && size - off >= 3; rec++) {
        uint8_t ctl = data[off];
        size_t len = (size_t)data[off + 1] << 8 | data[off + 2];
        off += 3;
        if (len > size - off)
            len = size - off;
        const uint8_t *body = data + off;
        off += len;
        now += (int64_t)(ctl >> 2) * SEC;

        int kind = ctl & 3;
        size_t plen = len;
        uint8_t *ip = kind == REC_IPV4 || kind == REC_IPV6 ? build_fragment(kind, body, len, &plen)
                                                           : fuzz_dup(body, len);
        if (!ip)
            continue;
        struct packet pkt;
        memset(&pkt, 0, sizeof pkt);
        pkt.frame = rec;
        pkt.ts_ns = now;
        pkt.caplen = pkt.wirelen = (uint32_t)plen;
        pkt.linktype = DLT_RAW;
        pkt.data = ip;
        decode_packet(&pkt);
        if (pkt.is_fragment) {
            struct frag_info info;
            uint32_t whole_len = 0;
            const uint8_t *whole = frag_table_add(t, &pkt, &info, &whole_len);
            if (!!whole != info.completed || info.differ > info.overlap || info.overlap > info.len)
                abort();
            if (frag_table_memory(t) > cfg.max_memory || frag_table_count(t) > cfg.max_datagrams)
                abort();
            if (whole)
                decode_datagram(whole, whole_len, &pkt);
        }
        free(ip);
    }
    const struct frag_stats *st = frag_table_stats(t);
    if (st->reassembled > st->datagrams || st->conflicts > st->overlaps)
        abort();
    frag_table_free(t);
    return 0;
}
