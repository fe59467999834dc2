/* secondsight - Community ID v1: SHA-1 over seed, ordered addresses, protocol, padding
 * and ordered ports, base64-encoded (nettle does the hashing and the encoding). */
#include "util-cid.h"

#include <nettle/base64.h>
#include <nettle/sha1.h>
#include <string.h>

#include "decode.h"

/* ICMP types that have a counterpart (request/reply) map to it as the "destination
 * port"; the others are one-way and keep their code (spec, "ICMP" section). */
static int icmp_counterpart(uint8_t proto, uint16_t type, uint16_t *peer)
{
    static const uint8_t v4[][2] = {{8, 0},   {0, 8},  {13, 14}, {14, 13}, {15, 16},
                                    {16, 15}, {10, 9}, {9, 10},  {17, 18}, {18, 17}};
    static const uint8_t v6[][2] = {{128, 129}, {129, 128}, {133, 134}, {134, 133},
                                    {135, 136}, {136, 135}, {130, 131}, {131, 130},
                                    {139, 140}, {140, 139}, {144, 145}, {145, 144}};
    const uint8_t(*map)[2] = proto == IPPROTO_NUM_ICMP ? v4 : v6;
    size_t n = proto == IPPROTO_NUM_ICMP ? sizeof v4 / sizeof v4[0] : sizeof v6 / sizeof v6[0];
    for (size_t i = 0; i < n; i++) {
        if (map[i][0] == type) {
            *peer = map[i][1];
            return 1;
        }
    }
    return 0;
}

/* Protocols whose flows are told apart by ports (or ICMP type and code); the others
 * hash addresses and protocol only. */
static int has_ports(uint8_t proto)
{
    return proto == IPPROTO_NUM_TCP || proto == IPPROTO_NUM_UDP || proto == IPPROTO_NUM_ICMP ||
           proto == IPPROTO_NUM_ICMPV6 || proto == 132 /* SCTP */;
}

void community_id_v1(char out[COMMUNITY_ID_LEN], uint16_t seed, int ip_version, const uint8_t *src,
                     const uint8_t *dst, uint8_t proto, uint16_t sport, uint16_t dport)
{
    size_t alen = ip_version == 4 ? 4 : 16;
    int one_way = 0;

    if (proto == IPPROTO_NUM_ICMP || proto == IPPROTO_NUM_ICMPV6) {
        uint16_t peer;
        if (icmp_counterpart(proto, sport, &peer))
            dport = peer;
        else
            one_way = 1;
    }
    int c = memcmp(src, dst, alen);
    if (!(one_way || c < 0 || (c == 0 && sport < dport))) {
        const uint8_t *ta = src;
        src = dst;
        dst = ta;
        uint16_t tp = sport;
        sport = dport;
        dport = tp;
    }

    uint8_t buf[2 + 16 + 16 + 1 + 1 + 2 + 2];
    size_t n = 0;
    buf[n++] = (uint8_t)(seed >> 8);
    buf[n++] = (uint8_t)seed;
    memcpy(buf + n, src, alen);
    n += alen;
    memcpy(buf + n, dst, alen);
    n += alen;
    buf[n++] = proto;
    buf[n++] = 0;
    if (has_ports(proto)) {
        buf[n++] = (uint8_t)(sport >> 8);
        buf[n++] = (uint8_t)sport;
        buf[n++] = (uint8_t)(dport >> 8);
        buf[n++] = (uint8_t)dport;
    }

    struct sha1_ctx ctx;
    uint8_t digest[SHA1_DIGEST_SIZE];
    sha1_init(&ctx);
    sha1_update(&ctx, n, buf);
    sha1_digest(&ctx, sizeof digest, digest);

    memcpy(out, "1:", 2);
    base64_encode_raw(out + 2, sizeof digest, digest);
    out[2 + BASE64_ENCODE_RAW_LENGTH(SHA1_DIGEST_SIZE)] = '\0';
}
