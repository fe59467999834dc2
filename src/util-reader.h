/* secondsight - the one bounds-checked reader every decoder uses.
 * A cursor over untrusted bytes: every load checks `n <= len - off` first. */
#ifndef SS_UTIL_READER_H
#define SS_UTIL_READER_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* A reader never owns its bytes. After the first failed read `err` stays set, every
 * later read returns 0 and the offset no longer moves, so a decoder may read a whole
 * header and check `err` once. */
struct reader {
    const uint8_t *p;
    size_t len;
    size_t off;
    int err;
};

static inline struct reader reader_make(const uint8_t *p, size_t len)
{
    struct reader r = {p, len, 0, 0};
    return r;
}

static inline size_t reader_left(const struct reader *r)
{
    return r->err ? 0 : r->len - r->off;
}

/* True when n more bytes can be read; sets the error flag otherwise. */
static inline int reader_need(struct reader *r, size_t n)
{
    if (r->err || n > r->len - r->off) {
        r->err = 1;
        return 0;
    }
    return 1;
}

static inline uint8_t reader_u8(struct reader *r)
{
    if (!reader_need(r, 1))
        return 0;
    return r->p[r->off++];
}

static inline uint16_t reader_u16be(struct reader *r)
{
    if (!reader_need(r, 2))
        return 0;
    const uint8_t *b = r->p + r->off;
    r->off += 2;
    return (uint16_t)((b[0] << 8) | b[1]);
}

static inline uint16_t reader_u16le(struct reader *r)
{
    if (!reader_need(r, 2))
        return 0;
    const uint8_t *b = r->p + r->off;
    r->off += 2;
    return (uint16_t)((b[1] << 8) | b[0]);
}

static inline uint32_t reader_u32be(struct reader *r)
{
    if (!reader_need(r, 4))
        return 0;
    const uint8_t *b = r->p + r->off;
    r->off += 4;
    return ((uint32_t)b[0] << 24) | ((uint32_t)b[1] << 16) | ((uint32_t)b[2] << 8) | b[3];
}

static inline uint32_t reader_u32le(struct reader *r)
{
    if (!reader_need(r, 4))
        return 0;
    const uint8_t *b = r->p + r->off;
    r->off += 4;
    return ((uint32_t)b[3] << 24) | ((uint32_t)b[2] << 16) | ((uint32_t)b[1] << 8) | b[0];
}

/* Copies n bytes out; on failure `dst` is left untouched. */
static inline int reader_copy(struct reader *r, void *dst, size_t n)
{
    if (!reader_need(r, n))
        return 0;
    memcpy(dst, r->p + r->off, n);
    r->off += n;
    return 1;
}

static inline int reader_skip(struct reader *r, size_t n)
{
    if (!reader_need(r, n))
        return 0;
    r->off += n;
    return 1;
}

/* A zero-copy view of the next n bytes, which the parent skips. */
static inline struct reader reader_sub(struct reader *r, size_t n)
{
    struct reader s = {NULL, 0, 0, 1};
    if (!reader_need(r, n))
        return s;
    s = reader_make(r->p + r->off, n);
    r->off += n;
    return s;
}

/* Pointer to the unread rest (valid for reader_left() bytes). */
static inline const uint8_t *reader_ptr(const struct reader *r)
{
    return r->p + r->off;
}

/* Peek without consuming; 0 and no error flag when the byte is not there. */
static inline int reader_peek_u8(const struct reader *r, size_t at, uint8_t *out)
{
    if (r->err || at >= r->len - r->off)
        return 0;
    *out = r->p[r->off + at];
    return 1;
}

#endif
