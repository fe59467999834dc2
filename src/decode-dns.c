/* secondsight - DNS decoding through the reader idiom. Names are followed through at
 * most DNS_MAX_POINTERS compression pointers, so a hostile message cannot loop (RFC 1035
 * section 4.1.4; RFC 9267). Pointers may point forwards: resolvers accept them (glibc's
 * dn_expand and ns_initparse do), so a forger may use them, and a parser that refused
 * them would lose the forged answer; the pointer budget alone ends every loop. */
#include "decode-dns.h"

#include <stddef.h>
#include <string.h>

#include "config.h"
#include "util-addr.h"
#include "util-reader.h"
#include "util-strlist.h"

#define T_A 1
#define T_NS 2
#define T_CNAME 5
#define T_PTR 12
#define T_MX 15
#define T_TXT 16
#define T_AAAA 28

/* read_name writes up to 253 characters and a NUL without checking its buffer. */
_Static_assert(DNS_MAX_NAME >= 254, "a name buffer holds the longest name");

/* A name's byte as text: ASCII lower case, anything unprintable as '?'. A table, as a
 * branch or a tolower() call per character was most of reading a name. */
#define NC(c) (char)((c) > 0x20 && (c) < 0x7f ? ((c) >= 'A' && (c) <= 'Z' ? (c) + 32 : (c)) : '?')
#define NC4(c) NC(c), NC((c) + 1), NC((c) + 2), NC((c) + 3)
#define NC16(c) NC4(c), NC4((c) + 4), NC4((c) + 8), NC4((c) + 12)
#define NC64(c) NC16(c), NC16((c) + 16), NC16((c) + 32), NC16((c) + 48)
static const char name_char[256] = {NC64(0), NC64(64), NC64(128), NC64(192)};

/* Reads the name at r's offset into out (lower case, dots between labels; DNS_MAX_NAME
 * bytes; its length into *out_len when out_len is not NULL) and moves r past it; out
 * NULL: the name is only checked, as far as reading it would. The labels in place stay
 * within r; pointers reach the whole message of msg_len bytes (a record's data may point
 * past its own end). Returns DNS_OK, or why the name cannot be read: DNS_TRUNCATED when
 * it runs past the end of the message in its own place, DNS_INVALID for a pointer past
 * the end, a pointer budget spent, a reserved label type or a name too long. */
static int read_name(struct reader *r, size_t msg_len, char *out, size_t *out_len)
{
    size_t len = 0;
    size_t resume = 0; /* where r continues after the first pointer */
    int jumped = 0;
    /* One cursor for the whole name: its bound widens to the message at the first
     * pointer, and each pointer moves it. */
    struct reader at = reader_make(r->p, r->len);
    at.off = r->off;
    if (out)
        out[0] = '\0';
    for (int pointers = 0;;) {
        uint8_t b = reader_u8(&at);
        if (at.err)
            return jumped ? DNS_INVALID : DNS_TRUNCATED;
        if ((b & 0xc0) == 0xc0) {
            uint8_t b2 = reader_u8(&at);
            if (at.err)
                return jumped ? DNS_INVALID : DNS_TRUNCATED;
            if (++pointers > DNS_MAX_POINTERS)
                return DNS_INVALID;
            if (!jumped) {
                resume = at.off;
                jumped = 1;
                at = reader_make(r->p, msg_len);
            }
            at.off = 0;
            reader_skip(&at, ((size_t)(b & 0x3f) << 8) | b2); /* may aim past the end */
            continue;
        }
        if (b & 0xc0)
            return DNS_INVALID; /* the 01 and 10 label types are obsolete or unassigned */
        if (b == 0) {
            if (!jumped)
                resume = at.off;
            break;
        }
        const uint8_t *label = reader_ptr(&at);
        if (!reader_skip(&at, b))
            return jumped ? DNS_INVALID : DNS_TRUNCATED;
        /* At most 255 bytes on the wire (RFC 1035 section 3.1): 253 characters. */
        size_t sep = len ? 1 : 0;
        if (len + sep + b > 253)
            return DNS_INVALID;
        if (out) {
            out[len] = '.'; /* overwritten by the first label */
            char *o = out + len + sep;
            for (size_t i = 0; i < b; i++)
                o[i] = name_char[label[i]];
            o[b] = '\0';
        }
        len += sep + b;
    }
    r->off = resume;
    if (out_len)
        *out_len = len;
    return DNS_OK;
}

/* FNV-1a over a record's identity, mixed so the sum over records is order-free. */
static uint64_t record_hash(uint16_t type, const void *data, size_t n)
{
    uint64_t h = 0xcbf29ce484222325ull ^ type;
    const uint8_t *p = data;
    for (size_t i = 0; i < n; i++)
        h = (h ^ p[i]) * 0x100000001b3ull;
    h ^= h >> 29;
    h *= 0xbf58476d1ce4e5b9ull;
    return h ^ (h >> 32);
}

/* The first answers only, in order, whole ones only. */
static void add_summary(struct dns_msg *m, const char *item, size_t len)
{
    if (m->summary_full || !strlist_add(m->summary, sizeof m->summary, item, len))
        m->summary_full = 1;
}

/* Summary items are built without printf: every answer is summarised. Appends the
 * string s at out + at, within size; returns the new length. */
static size_t put(char *out, size_t at, size_t size, const char *s)
{
    size_t n = strlen(s);
    if (at + n >= size)
        n = at < size ? size - 1 - at : 0;
    memcpy(out + at, s, n);
    out[at + n] = '\0';
    return at + n;
}

/* "TYPE rest" into item (of `size` bytes). */
static void item_of(char *item, size_t size, const char *type, const char *rest)
{
    put(item, put(item, put(item, 0, size, type), size, " "), size, rest);
}

/* One answer's record data (type `type`, rdlen bytes at rdata_off of the message p, n
 * bytes, read through rd) as a summary item ("" for a type not summarised) and its hash
 * into *hash: 1, or 0 with m->error set when a name in it cannot be read. */
static int record_item(const uint8_t *p, size_t n, uint16_t type, size_t rdata_off, uint16_t rdlen,
                       struct reader *rd, char *item, size_t size, uint64_t *hash,
                       struct dns_msg *m)
{
    uint64_t h;
    char name[DNS_MAX_NAME];
    item[0] = '\0';
    if (type == T_A && rdlen == 4) {
        memcpy(item, "A ", 2);
        addr_text4(item + 2, reader_ptr(rd));
        h = record_hash(type, reader_ptr(rd), 4);
    } else if (type == T_AAAA && rdlen == 16) {
        memcpy(item, "AAAA ", 5);
        addr_text6(item + 5, reader_ptr(rd));
        h = record_hash(type, reader_ptr(rd), 16);
    } else if (type == T_CNAME || type == T_NS || type == T_PTR) {
        /* Names may be compressed differently in equal answers: compare them
         * decompressed (pointers resolve against the whole message). */
        struct reader nr = reader_make(p, rdata_off + rdlen);
        nr.off = rdata_off;
        if ((m->error = (uint8_t)read_name(&nr, n, name, NULL)) != DNS_OK)
            return 0;
        item_of(item, size, type == T_CNAME ? "CNAME" : type == T_NS ? "NS" : "PTR", name);
        h = record_hash(type, name, strlen(name));
    } else if (type == T_MX && rdlen >= 3) {
        uint16_t pref = reader_u16be(rd);
        struct reader nr = reader_make(p, rdata_off + rdlen);
        nr.off = rdata_off + 2;
        if ((m->error = (uint8_t)read_name(&nr, n, name, NULL)) != DNS_OK)
            return 0;
        char num[8];
        size_t k = sizeof num - 1;
        num[k] = '\0';
        do
            num[--k] = (char)('0' + pref % 10);
        while (pref /= 10);
        item_of(item, size, "MX", num + k);
        put(item, put(item, strlen(item), size, " "), size, name);
        h = record_hash(type, item, strlen(item));
    } else if (type == T_TXT && rdlen >= 1) {
        /* The first character-string, printable, cut short for the summary. */
        const uint8_t *rdata = reader_ptr(rd);
        uint8_t slen = reader_u8(rd);
        const uint8_t *t = reader_ptr(rd);
        size_t take = slen < reader_left(rd) ? slen : reader_left(rd);
        char text[48];
        size_t k = 0;
        for (; k < take && k < sizeof text - 1; k++)
            text[k] = (char)(t[k] > 0x20 && t[k] < 0x7f ? t[k] : '_');
        text[k] = '\0';
        item_of(item, size, "TXT", text);
        h = record_hash(type, rdata, rdlen);
    } else {
        h = record_hash(type, reader_ptr(rd), rdlen);
    }
    *hash = h;
    return 1;
}

/* Checks the names in one answer's record data (type `type`, rdlen bytes at rdata_off of
 * the message p, n bytes) as record_item would read them: DNS_OK or why one cannot be
 * read. */
static int record_check(const uint8_t *p, size_t n, uint16_t type, size_t rdata_off, uint16_t rdlen)
{
    size_t at;
    if (type == T_CNAME || type == T_NS || type == T_PTR)
        at = rdata_off;
    else if (type == T_MX && rdlen >= 3)
        at = rdata_off + 2;
    else
        return DNS_OK;
    struct reader nr = reader_make(p, rdata_off + rdlen);
    nr.off = at;
    return read_name(&nr, n, NULL, NULL);
}

/* The header and the question into m; r is left past the question. 1, or 0 with
 * m->error set. */
static int parse_question(struct reader *r, size_t n, struct dns_msg *m)
{
    /* Every field zero but the buffers, which only their first byte needs (a struct
     * of 400 bytes cleared per message was a cost of its own). */
    memset(m, 0, offsetof(struct dns_msg, qname));
    m->qname[0] = '\0';
    m->qlen = m->qtype = m->qclass = m->nanswers = 0;
    m->answer_set = 0;
    m->summary[0] = '\0';
    m->summary_full = m->error = 0;
    m->id = reader_u16be(r);
    uint16_t flags = reader_u16be(r);
    m->qdcount = reader_u16be(r);
    m->ancount = reader_u16be(r);
    reader_skip(r, 4); /* authority and additional counts */
    if (r->err) {
        m->error = DNS_TRUNCATED;
        return 0;
    }
    m->qr = flags >> 15;
    m->opcode = (flags >> 11) & 0xf;
    m->aa = (flags >> 10) & 1;
    m->tc = (flags >> 9) & 1;
    m->rd = (flags >> 8) & 1;
    m->ra = (flags >> 7) & 1;
    m->rcode = flags & 0xf;
    if (m->qdcount != 1) {
        m->error = DNS_INVALID;
        return 0;
    }
    size_t qlen;
    if ((m->error = (uint8_t)read_name(r, n, m->qname, &qlen)) != DNS_OK)
        return 0;
    m->qlen = (uint16_t)qlen;
    m->qtype = reader_u16be(r);
    m->qclass = reader_u16be(r);
    if (r->err) {
        m->error = DNS_TRUNCATED;
        return 0;
    }
    return 1;
}

/* Reads the message; records 0: the answers are walked (m->nanswers, m->error) but not
 * read into answer_set and summary. */
static int parse(const uint8_t *p, size_t n, struct dns_msg *m, int records)
{
    struct reader r = reader_make(p, n);
    if (records)
        memset(m, 0, sizeof *m); /* whole, bytes past the strings too: two reads compare equal */
    if (!parse_question(&r, n, m))
        return 0;

    /* Whether the question's name was written without a pointer: its length in place
     * is then its text's plus 2 (1 for the root), and a pointer to it (offset 12, the
     * usual owner of every answer) reads as that text. */
    size_t qlen = m->qlen;
    int q_plain = r.off - 4 - 12 == (qlen ? qlen + 2 : 1);

    char name[DNS_MAX_NAME], item[DNS_MAX_NAME + 16];
    /* A record that cannot be read ends the answers; m->error says why. */
    for (unsigned i = 0; i < m->ancount && i < DNS_MAX_ANSWERS; i++) {
        if (q_plain && r.off + 2 <= n && p[r.off] == 0xc0 && p[r.off + 1] == 12) {
            if (records)
                memcpy(name, m->qname, qlen + 1);
            r.off += 2;
        } else if ((m->error = (uint8_t)read_name(&r, n, records ? name : NULL, NULL)) != DNS_OK) {
            break;
        }
        uint16_t type = reader_u16be(&r);
        reader_skip(&r, 6); /* class and TTL: a cache's TTL says nothing of the answer */
        uint16_t rdlen = reader_u16be(&r);
        size_t rdata_off = r.off;
        struct reader rd = reader_sub(&r, rdlen);
        if (r.err) {
            m->error = DNS_TRUNCATED;
            break;
        }
        if (!records) {
            if ((m->error = (uint8_t)record_check(p, n, type, rdata_off, rdlen)) != DNS_OK)
                break;
            m->nanswers++;
            continue;
        }
        uint64_t h;
        if (!record_item(p, n, type, rdata_off, rdlen, &rd, item, sizeof item, &h, m))
            break;
        m->answer_set += h;
        m->nanswers++;
        if (item[0])
            add_summary(m, item, strlen(item));
    }
    return 1;
}

int dns_parse(const uint8_t *p, size_t n, struct dns_msg *m)
{
    return parse(p, n, m, 1);
}

int dns_parse_head(const uint8_t *p, size_t n, struct dns_msg *m)
{
    return parse(p, n, m, 0);
}
