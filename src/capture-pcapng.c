/* secondsight - pcapng (draft-ietf-opsawg-pcapng) read block by block: sections in
 * either byte order, each interface with its own link type, time resolution and
 * offset; Enhanced, Simple and the obsolete Packet Blocks. Every length is checked
 * against the block before it is used. */
#include "capture-pcapng.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "decode.h"
#include "util-reader.h"

enum {
    BT_IDB = 1,
    BT_PB = 2, /* obsolete Packet Block */
    BT_SPB = 3,
    BT_EPB = 6,
};

#define OPT_ENDOFOPT 0u
#define IF_TSRESOL 9u
#define IF_TSOFFSET 14u
#define NSEC_PER_SEC 1000000000ull

static uint16_t rd16(struct reader *r, int be)
{
    return be ? reader_u16be(r) : reader_u16le(r);
}

static uint32_t rd32(struct reader *r, int be)
{
    return be ? reader_u32be(r) : reader_u32le(r);
}

static uint32_t get32(const uint8_t *p, int be)
{
    struct reader r = reader_make(p, 4);
    return rd32(&r, be);
}

static int fail(struct pcapng *ng, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static int fail(struct pcapng *ng, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(ng->err, sizeof ng->err, fmt, ap);
    va_end(ap);
    return -1;
}

/* Reads exactly n bytes to ng->buf + at: 1, or 0 after reading fewer (the count in *got). */
static int fill(struct pcapng *ng, size_t at, size_t n, size_t *got)
{
    *got = fread(ng->buf + at, 1, n, ng->fp);
    return *got == n;
}

/* One whole block into ng->buf (its type and length in *type and *len): 1; 0 at the
 * end of the file, between blocks; -1 at damage. A Section Header Block sets the
 * byte order of what follows. */
static int read_block(struct pcapng *ng, uint32_t *type, uint32_t *len)
{
    size_t got;
    if (!fill(ng, 0, 8, &got)) {
        if (got == 0 && !ferror(ng->fp))
            return 0;
        if (ferror(ng->fp))
            return fail(ng, "read error: %s", strerror(errno ? errno : EIO));
        return fail(ng, "the file ends inside a block header (%zu of 8 bytes)", got);
    }
    int be = ng->be;
    if (get32(ng->buf, 0) == PCAPNG_SHB_TYPE) { /* the same bytes in either order */
        if (!fill(ng, 8, 4, &got))
            return fail(ng, "the file ends inside a section header");
        if (!memcmp(ng->buf + 8, "\x4d\x3c\x2b\x1a", 4))
            be = 0;
        else if (!memcmp(ng->buf + 8, "\x1a\x2b\x3c\x4d", 4))
            be = 1;
        else
            return fail(ng, "a section header without the byte-order magic");
    }
    *type = get32(ng->buf, be);
    *len = get32(ng->buf + 4, be);
    size_t have = *type == PCAPNG_SHB_TYPE ? 12 : 8;
    if (*len < 12 || *len % 4 || *len > PCAPNG_MAX_BLOCK || *len < have + 4)
        return fail(ng,
                    "a block of type %" PRIu32 " with the length %" PRIu32
                    " (a multiple of 4 from 12 to %u)",
                    *type, *len, PCAPNG_MAX_BLOCK);
    if (*type == PCAPNG_SHB_TYPE && *len < 28)
        return fail(ng, "a section header of %" PRIu32 " bytes (at least 28)", *len);
    if (*len > ng->cap) {
        uint8_t *b = realloc(ng->buf, *len);
        if (!b)
            return fail(ng, "out of memory for a block of %" PRIu32 " bytes", *len);
        ng->buf = b;
        ng->cap = *len;
    }
    if (!fill(ng, have, *len - have, &got)) {
        if (ferror(ng->fp))
            return fail(ng, "read error: %s", strerror(errno ? errno : EIO));
        return fail(ng, "the file ends inside a block of %" PRIu32 " bytes (%zu there)", *len,
                    have + got);
    }
    if (get32(ng->buf + *len - 4, be) != *len)
        return fail(ng,
                    "a block whose trailing length %" PRIu32 " differs from its length %" PRIu32,
                    get32(ng->buf + *len - 4, be), *len);
    if (*type == PCAPNG_SHB_TYPE) {
        struct reader r = reader_make(ng->buf + 12, *len - 12);
        uint16_t major = rd16(&r, be), minor = rd16(&r, be);
        if (major != 1)
            return fail(ng, "pcapng version %u.%u (this build reads 1.x)", major, minor);
        ng->be = be;
        ng->nifaces = 0; /* interface ids are per section */
    }
    return 1;
}

/* 10^v or 2^v time stamp units per second (if_tsresol), or 0 when finer than 64 bits
 * hold. */
static uint64_t tsresol_units(uint8_t v)
{
    uint64_t u = 1;
    if (v & 0x80)
        return (v & 0x7f) > 63 ? 0 : u << (v & 0x7f);
    if (v > 19)
        return 0;
    while (v--)
        u *= 10;
    return u;
}

static int add_iface(struct pcapng *ng, const uint8_t *body, size_t n)
{
    if (ng->nifaces == PCAPNG_MAX_IFACES_READ)
        return fail(ng, "more than %u interfaces in one section", PCAPNG_MAX_IFACES_READ);
    struct reader r = reader_make(body, n);
    struct pcapng_iface *ifc = &ng->ifaces[ng->nifaces];
    uint16_t linktype = rd16(&r, ng->be);
    reader_skip(&r, 2);
    ifc->snaplen = rd32(&r, ng->be);
    if (r.err)
        return fail(ng, "an interface description of %zu bytes", n);
    ifc->dlt = decode_dlt_of_linktype(linktype);
    ifc->units = 1000000;
    ifc->offset_s = 0;
    /* Options: code, length, value padded to 32 bits; one that runs past the block
     * ends them, as a missing opt_endofopt does. */
    while (reader_left(&r) >= 4) {
        uint16_t code = rd16(&r, ng->be), olen = rd16(&r, ng->be);
        struct reader v = reader_sub(&r, olen);
        if (code == OPT_ENDOFOPT || r.err)
            break;
        if (code == IF_TSRESOL && olen >= 1) {
            uint8_t res = reader_u8(&v);
            ifc->units = tsresol_units(res);
            if (!ifc->units)
                return fail(ng,
                            "interface %" PRIu32 " has the time resolution %u, finer "
                            "than 64 bits hold",
                            ng->nifaces, res);
        } else if (code == IF_TSOFFSET && olen == 8) {
            uint32_t a = rd32(&v, ng->be), b = rd32(&v, ng->be);
            ifc->offset_s = (int64_t)(ng->be ? (uint64_t)a << 32 | b : (uint64_t)b << 32 | a);
        }
        reader_skip(&r, (size_t)(-olen & 3u));
    }
    ng->nifaces++;
    return 1;
}

/* Time stamp units since the epoch into seconds and nanoseconds on the interface's
 * clock; the caller clamps what 64-bit nanoseconds cannot hold. */
static void set_time(struct pcapng_packet *pkt, uint64_t t)
{
    const struct pcapng_iface *ifc = pkt->iface;
    uint64_t units = ifc->units, rem = t % units, sec = t / units;
    if (units % NSEC_PER_SEC == 0)
        rem /= units / NSEC_PER_SEC;
    else if (units <= (1ull << 34)) /* rem * 10^9 stays below 2^64 */
        rem = rem * NSEC_PER_SEC / units;
    else { /* a binary resolution finer than 2^-34 s: drop bits below a nanosecond */
        while (units > (1ull << 34)) {
            units >>= 1;
            rem >>= 1;
        }
        rem = rem * NSEC_PER_SEC / units;
    }
    int64_t s = sec > INT64_MAX ? INT64_MAX : (int64_t)sec;
    if (ifc->offset_s > 0 && s > INT64_MAX - ifc->offset_s)
        s = INT64_MAX;
    else if (ifc->offset_s < 0 && s < INT64_MIN - ifc->offset_s)
        s = INT64_MIN;
    else
        s += ifc->offset_s;
    pkt->sec = s;
    pkt->nsec = (int64_t)rem;
}

static const struct pcapng_iface *iface(struct pcapng *ng, uint32_t id)
{
    if (id >= ng->nifaces) {
        fail(ng, "a packet on interface %" PRIu32 ", but the section describes %" PRIu32, id,
             ng->nifaces);
        return NULL;
    }
    return &ng->ifaces[id];
}

/* The packet of an Enhanced, Simple or obsolete Packet Block: 1, or -1 at damage. */
static int packet(struct pcapng *ng, uint32_t type, const uint8_t *body, size_t n,
                  struct pcapng_packet *pkt)
{
    struct reader r = reader_make(body, n);
    uint32_t id = 0, caplen, wirelen;
    uint64_t t = 0;
    if (type == BT_SPB) {
        wirelen = rd32(&r, ng->be);
        caplen = reader_left(&r) < wirelen ? (uint32_t)reader_left(&r) : wirelen;
    } else {
        id = type == BT_PB ? rd16(&r, ng->be) : rd32(&r, ng->be);
        if (type == BT_PB)
            reader_skip(&r, 2); /* drops count */
        uint32_t hi = rd32(&r, ng->be), lo = rd32(&r, ng->be);
        t = (uint64_t)hi << 32 | lo;
        caplen = rd32(&r, ng->be);
        wirelen = rd32(&r, ng->be);
    }
    if (r.err)
        return fail(ng, "a packet block of %zu bytes", n);
    if (!(pkt->iface = iface(ng, id)))
        return -1;
    if (type == BT_SPB && pkt->iface->snaplen && caplen > pkt->iface->snaplen)
        caplen = pkt->iface->snaplen;
    pkt->data = reader_ptr(&r);
    if (!reader_skip(&r, caplen))
        return fail(ng, "a packet of %" PRIu32 " captured bytes in a block that holds %zu", caplen,
                    n);
    pkt->caplen = caplen > PCAPNG_MAX_CAPLEN ? PCAPNG_MAX_CAPLEN : caplen;
    pkt->wirelen = wirelen;
    set_time(pkt, t);
    return 1;
}

int pcapng_next(struct pcapng *ng, struct pcapng_packet *pkt)
{
    uint32_t type, len;
    int rc;
    while ((rc = read_block(ng, &type, &len)) == 1) {
        const uint8_t *body = ng->buf + 8;
        size_t n = len - 12;
        if (type == BT_IDB)
            rc = add_iface(ng, body, n);
        else if (type == BT_EPB || type == BT_SPB || type == BT_PB)
            rc = packet(ng, type, body, n, pkt);
        else
            rc = 0; /* statistics, name resolution, custom blocks: not needed here */
        if (rc < 0)
            return -1;
        ng->off += len;
        if (type != BT_IDB && rc == 1)
            return 1;
    }
    return rc;
}

int pcapng_open(struct pcapng *ng, FILE *fp)
{
    memset(ng, 0, sizeof *ng);
    ng->fp = fp;
    ng->cap = 4096;
    if (!(ng->buf = calloc(1, ng->cap))) /* zeros: a short first read leaves no garbage */
        return fail(ng, "out of memory") + 1;
    uint32_t type, len;
    int rc = read_block(ng, &type, &len);
    /* A file that merely starts with 0x0A (a text file's newline) is no pcapng. */
    if (get32(ng->buf, 0) != PCAPNG_SHB_TYPE) {
        fail(ng, "unknown file format");
        return 0;
    }
    if (rc <= 0)
        return 0;
    ng->off += len;
    while ((rc = read_block(ng, &type, &len)) == 1) {
        if (type == BT_EPB || type == BT_SPB || type == BT_PB) {
            fail(ng, "a packet before any interface description");
            return 0;
        }
        if (type == BT_IDB && add_iface(ng, ng->buf + 8, len - 12) < 0)
            return 0;
        ng->off += len;
        if (ng->nifaces)
            return 1;
    }
    if (rc == 0)
        fail(ng, "a pcapng file without an interface description");
    return 0;
}

void pcapng_release(struct pcapng *ng)
{
    free(ng->buf);
    ng->buf = NULL;
    ng->cap = 0;
}
