/* secondsight - SipHash-1-3 (Aumasson and Bernstein, "SipHash: a fast short-input PRF",
 * 2012). Words are loaded with memcpy, which the compiler turns into one unaligned
 * load (byte-by-byte assembly was most of the cost: 24 instructions a word), then put
 * in little-endian order, so alignment and the host's byte order never matter. */
#include "util-hash.h"

#include <endian.h>
#include <string.h>
#include <sys/random.h>

#define ROTL(x, b) (uint64_t)(((x) << (b)) | ((x) >> (64 - (b))))

static uint64_t load64le(const uint8_t *p)
{
    uint64_t v;
    memcpy(&v, p, sizeof v);
    return le64toh(v);
}

/* The n < 8 bytes at p as a little-endian word: at most three fixed-size loads (a copy
 * of n bytes was a byte loop, and a stack buffer under the stack protector). */
static inline uint64_t load_tail(const uint8_t *p, size_t n)
{
    uint64_t t = 0;
    size_t at = 0;
    if (n & 4) {
        uint32_t w;
        memcpy(&w, p, 4);
        t = le32toh(w);
        at = 4;
    }
    if (n & 2) {
        uint16_t w;
        memcpy(&w, p + at, 2);
        t |= (uint64_t)le16toh(w) << (8 * at);
        at += 2;
    }
    if (n & 1)
        t |= (uint64_t)p[at] << (8 * at);
    return t;
}

#define SIPROUND                                                                                   \
    do {                                                                                           \
        v0 += v1;                                                                                  \
        v1 = ROTL(v1, 13);                                                                         \
        v1 ^= v0;                                                                                  \
        v0 = ROTL(v0, 32);                                                                         \
        v2 += v3;                                                                                  \
        v3 = ROTL(v3, 16);                                                                         \
        v3 ^= v2;                                                                                  \
        v0 += v3;                                                                                  \
        v3 = ROTL(v3, 21);                                                                         \
        v3 ^= v0;                                                                                  \
        v2 += v1;                                                                                  \
        v1 = ROTL(v1, 17);                                                                         \
        v1 ^= v2;                                                                                  \
        v2 = ROTL(v2, 32);                                                                         \
    } while (0)

struct sipstate {
    uint64_t v0, v1, v2, v3;
};

/* The steps below are inlined into each hash: called, they cost a quarter more. */
#define SIP_STEP static inline __attribute__((always_inline))

SIP_STEP struct sipstate sip_start(const uint64_t key[2])
{
    struct sipstate s = {0x736f6d6570736575ull ^ key[0], 0x646f72616e646f6dull ^ key[1],
                         0x6c7967656e657261ull ^ key[0], 0x7465646279746573ull ^ key[1]};
    return s;
}

/* Compresses the whole 8-byte words of p (n bytes, a multiple of 8). */
SIP_STEP void sip_words(struct sipstate *s, const uint8_t *p, size_t n)
{
    uint64_t v0 = s->v0, v1 = s->v1, v2 = s->v2, v3 = s->v3;
    for (size_t i = 0; i < n; i += 8) {
        uint64_t m = load64le(p + i);
        v3 ^= m;
        SIPROUND;
        v0 ^= m;
    }
    s->v0 = v0, s->v1 = v1, s->v2 = v2, s->v3 = v3;
}

/* The last word (the len & 7 bytes at p and the whole input's length) and the
 * finalisation. */
SIP_STEP uint64_t sip_end(struct sipstate s, const uint8_t *p, size_t len)
{
    uint64_t v0 = s.v0, v1 = s.v1, v2 = s.v2, v3 = s.v3;
    uint64_t b = (uint64_t)len << 56 | load_tail(p, len & 7);
    v3 ^= b;
    SIPROUND;
    v0 ^= b;
    v2 ^= 0xff;
    SIPROUND;
    SIPROUND;
    SIPROUND;
    return v0 ^ v1 ^ v2 ^ v3;
}

uint64_t siphash13(const uint64_t key[2], const void *data, size_t len)
{
    const uint8_t *p = data;
    struct sipstate s = sip_start(key);
    size_t whole = len & ~(size_t)7;
    sip_words(&s, p, whole);
    return sip_end(s, p + whole, len);
}

void siphash13_prefix(const uint64_t key[2], const void *data, size_t prefix, size_t len,
                      uint64_t *h_prefix, uint64_t *h_all)
{
    const uint8_t *p = data;
    struct sipstate s = sip_start(key);
    sip_words(&s, p, prefix);
    *h_prefix = sip_end(s, p + prefix, prefix);
    size_t whole = len & ~(size_t)7;
    sip_words(&s, p + prefix, whole - prefix);
    *h_all = sip_end(s, p + whole, len);
}

uint64_t hash_random_seed(void)
{
    uint64_t seed;
    if (getrandom(&seed, sizeof seed, GRND_NONBLOCK) != (ssize_t)sizeof seed)
        seed = 0x5ec0d5197a1e5eedull;
    return seed;
}
