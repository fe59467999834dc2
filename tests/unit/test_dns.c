/* secondsight - unit tests for the DNS decoder (decode-dns.c): header, question, answer
 * summaries and the order-free answer set, and hostile names, cuts and random bytes. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "decode-dns.h"
#include "util-strlist.h"

/* A summary list joined by commas, to compare with a literal. */
static const char *J(const char *list)
{
    static char buf[256];
    return strlist_join(buf, sizeof buf, list, ",");
}

/* ---- building blocks, each a commented run of bytes (RFC 1035 section 4.1) ---- */

/* clang-format off */

/* Header: id, flags, QDCOUNT, ANCOUNT, NSCOUNT 0, ARCOUNT 0. */
#define HDR(id, flags, qd, an)                                                             \
    (id) >> 8, (id) & 0xff, (flags) >> 8, (flags) & 0xff, 0x00, (qd), 0x00, (an), 0x00,    \
        0x00, 0x00, 0x00
/* A compression pointer to message offset o (section 4.1.4): the two top bits set. */
#define PTR(o) 0xc0 | ((o) >> 8), (o) & 0xff
/* A record's TYPE, CLASS IN, TTL in seconds and RDLENGTH (section 4.1.3). */
#define RR(type, ttl, rdlen)                                                               \
    (type) >> 8, (type) & 0xff, 0x00, 0x01, ((ttl) >> 24) & 0xff, ((ttl) >> 16) & 0xff,   \
        ((ttl) >> 8) & 0xff, (ttl) & 0xff, (rdlen) >> 8, (rdlen) & 0xff
/* QTYPE and QCLASS IN closing the question. */
#define QTAIL(type) (type) >> 8, (type) & 0xff, 0x00, 0x01

/* 17 bytes each; "example.com" starts 4 bytes in, "com" 12 bytes in. */
#define NAME_WWW_EXAMPLE_COM 3, 'w', 'w', 'w', 7, 'e', 'x', 'a', 'm', 'p', 'l', 'e', 3, 'c', 'o', 'm', 0
#define NAME_WWW_EXAMPLE_COM_UPPER                                                         \
    3, 'W', 'W', 'W', 7, 'E', 'X', 'A', 'M', 'P', 'L', 'E', 3, 'C', 'O', 'M', 0

#define T_A 1
#define T_NS 2
#define T_CNAME 5
#define T_PTR 12
#define T_MX 15
#define T_TXT 16
#define T_AAAA 28
#define T_ANY 255
#define T_PRIVATE 0xff00 /* RFC 6895 private use: a type the decoder does not know */

/* Response to www.example.com A with two addresses, both owners pointing at the
 * question name. */
static const uint8_t resp_a[] = {
    HDR(0x1234, 0x8180, 1, 2),       /* QR RD RA, rcode 0 */
    NAME_WWW_EXAMPLE_COM, QTAIL(T_A), /* 12: question, ends at 33 */
    PTR(12), RR(T_A, 3600, 4), 192, 0, 2, 1, /* 33: A 192.0.2.1 */
    PTR(12), RR(T_A, 3600, 4), 192, 0, 2, 2, /* 49: A 192.0.2.2, ends at 65 */
};

/* The same records in the other order. */
static const uint8_t resp_a_swapped[] = {
    HDR(0x1234, 0x8180, 1, 2),
    NAME_WWW_EXAMPLE_COM, QTAIL(T_A),
    PTR(12), RR(T_A, 3600, 4), 192, 0, 2, 2,
    PTR(12), RR(T_A, 3600, 4), 192, 0, 2, 1,
};

/* The same records from another cache: other TTLs. */
static const uint8_t resp_a_ttl[] = {
    HDR(0x1234, 0x8180, 1, 2),
    NAME_WWW_EXAMPLE_COM, QTAIL(T_A),
    PTR(12), RR(T_A, 60, 4), 192, 0, 2, 1,
    PTR(12), RR(T_A, 86400, 4), 192, 0, 2, 2,
};

/* The same records with the owner names written out in mixed case, no pointers, and
 * the question in upper case. */
static const uint8_t resp_a_literal[] = {
    HDR(0x1234, 0x8180, 1, 2),
    NAME_WWW_EXAMPLE_COM_UPPER, QTAIL(T_A),
    3, 'W', 'w', 'W', 7, 'e', 'X', 'a', 'M', 'p', 'L', 'e', 3, 'c', 'O', 'm', 0, /* 33 */
    RR(T_A, 3600, 4), 192, 0, 2, 1,
    3, 'w', 'w', 'w', 7, 'e', 'x', 'a', 'm', 'p', 'l', 'e', 3, 'c', 'o', 'm', 0,
    RR(T_A, 3600, 4), 192, 0, 2, 2,
};

/* One address differs: 192.0.2.3 for 192.0.2.2. */
static const uint8_t resp_a_other[] = {
    HDR(0x1234, 0x8180, 1, 2),
    NAME_WWW_EXAMPLE_COM, QTAIL(T_A),
    PTR(12), RR(T_A, 3600, 4), 192, 0, 2, 1,
    PTR(12), RR(T_A, 3600, 4), 192, 0, 2, 3,
};

/* The second record carries the same four bytes under a type the decoder does not
 * know: read and hashed, but not in the summary. */
static const uint8_t resp_a_type[] = {
    HDR(0x1234, 0x8180, 1, 2),
    NAME_WWW_EXAMPLE_COM, QTAIL(T_A),
    PTR(12), RR(T_A, 3600, 4), 192, 0, 2, 1,
    PTR(12), RR(T_PRIVATE, 3600, 4), 192, 0, 2, 2,
};

/* Only the first record: a strict subset. */
static const uint8_t resp_a_one[] = {
    HDR(0x1234, 0x8180, 1, 1),
    NAME_WWW_EXAMPLE_COM, QTAIL(T_A),
    PTR(12), RR(T_A, 3600, 4), 192, 0, 2, 1,
};

/* Names in the data, compressed: CNAME, A, MX, NS. */
static const uint8_t resp_names[] = {
    HDR(0xbeef, 0x8180, 1, 4),
    NAME_WWW_EXAMPLE_COM, QTAIL(T_A),                       /* 12 */
    PTR(12), RR(T_CNAME, 300, 6), 3, 'w', 'e', 'b', PTR(16), /* 33: rdata 45 web.example.com */
    PTR(45), RR(T_A, 300, 4), 198, 51, 100, 7,              /* 51: web.example.com A */
    PTR(16), RR(T_MX, 300, 9), 0, 10, 4, 'm', 'a', 'i', 'l', PTR(16), /* 67: MX 10 */
    PTR(16), RR(T_NS, 300, 6), 3, 'n', 's', '1', PTR(16),   /* 88: NS, ends at 106 */
};
#define NAMES_CNAME_W 46  /* the 'w' of "web" in the CNAME rdata */
#define NAMES_CNAME_B 48  /* the 'b' of "web" */
#define NAMES_CNAME_TYPE 36 /* low byte of the CNAME record's type */
#define NAMES_A_LAST 66   /* last byte of 198.51.100.7 */
#define NAMES_A_TYPE 54   /* low byte of the A record's type */
#define NAMES_MX_PREF 80  /* low byte of the MX preference */
#define NAMES_MX_M 82     /* the 'm' of "mail" */
#define NAMES_NS_1 103    /* the '1' of "ns1" */
#define NAMES_NS_TTL 97   /* low byte of the NS record's TTL */

/* The same four records in reverse order, every name written out in other letter case,
 * other TTLs. */
static const uint8_t resp_names_literal[] = {
    HDR(0xbeef, 0x8180, 1, 4),
    NAME_WWW_EXAMPLE_COM_UPPER, QTAIL(T_A),                 /* 12 */
    7, 'E', 'x', 'a', 'm', 'p', 'l', 'e', 3, 'C', 'O', 'M', 0, /* 33: NS */
    RR(T_NS, 3600, 17),
    3, 'N', 'S', '1', 7, 'E', 'X', 'A', 'M', 'P', 'L', 'E', 3, 'C', 'O', 'M', 0,
    PTR(12), RR(T_MX, 60, 20), 0, 10,                       /* 73: MX 10 */
    4, 'M', 'a', 'i', 'l', 7, 'E', 'x', 'a', 'm', 'p', 'l', 'e', 3, 'C', 'o', 'm', 0,
    PTR(12), RR(T_A, 60, 4), 198, 51, 100, 7,               /* 105: A */
    PTR(12), RR(T_CNAME, 60, 17),                           /* 121: CNAME */
    3, 'W', 'E', 'B', 7, 'E', 'X', 'A', 'M', 'P', 'L', 'E', 3, 'C', 'O', 'M', 0,
};

/* Every other summarised type: AAAA, NS, MX, TXT, PTR, for example.com ANY. */
static const uint8_t resp_mix[] = {
    HDR(0x0001, 0x8580, 1, 5),                              /* QR AA RD RA */
    7, 'e', 'x', 'a', 'm', 'p', 'l', 'e', 3, 'c', 'o', 'm', 0, QTAIL(T_ANY), /* 12; com at 20 */
    PTR(12), RR(T_AAAA, 3600, 16),                          /* 29: AAAA 2001:db8::1 */
    0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01,
    PTR(12), RR(T_NS, 3600, 6), 3, 'n', 's', '1', PTR(12),  /* 57: NS ns1.example.com */
    PTR(12), RR(T_MX, 3600, 9), 0, 10, 4, 'm', 'a', 'i', 'l', PTR(12), /* 75: MX */
    PTR(12), RR(T_TXT, 3600, 12),                           /* 96: TXT, one string of 11 */
    11, 'v', '=', 's', 'p', 'f', '1', ' ', '-', 'a', 'l', 'l',
    PTR(12), RR(T_PTR, 3600, 7), 4, 'h', 'o', 's', 't', PTR(20), /* 120: PTR host.com */
};                                                          /* ends at 139 */

/* Where each message's question and each record end, and the summary after each. */
struct walk {
    const char *name;
    const uint8_t *msg;
    size_t len;
    size_t question_end;
    unsigned nrecords;
    size_t record_end[8];
    const char *summary[9]; /* summary[k]: after the first k records */
};

static const struct walk walks[] = {
    {"resp_a", resp_a, sizeof resp_a, 33, 2, {49, 65},
     {"", "A 192.0.2.1", "A 192.0.2.1,A 192.0.2.2"}},
    {"resp_names", resp_names, sizeof resp_names, 33, 4, {51, 67, 88, 106},
     {"", "CNAME web.example.com", "CNAME web.example.com,A 198.51.100.7",
      "CNAME web.example.com,A 198.51.100.7,MX 10 mail.example.com",
      "CNAME web.example.com,A 198.51.100.7,MX 10 mail.example.com,NS ns1.example.com"}},
    {"resp_mix", resp_mix, sizeof resp_mix, 29, 5, {57, 75, 96, 120, 139},
     {"", "AAAA 2001:db8::1", "AAAA 2001:db8::1,NS ns1.example.com",
      "AAAA 2001:db8::1,NS ns1.example.com,MX 10 mail.example.com",
      "AAAA 2001:db8::1,NS ns1.example.com,MX 10 mail.example.com,TXT v=spf1_-all",
      "AAAA 2001:db8::1,NS ns1.example.com,MX 10 mail.example.com,TXT v=spf1_-all,"
      "PTR host.com"}},
};

/* clang-format on */

/* ---- helpers ---- */

/* The current heap copy; the teardown frees it should an assertion jump out. */
static uint8_t *heap_msg;

static int teardown(void **state)
{
    (void)state;
    free(heap_msg);
    heap_msg = NULL;
    return 0;
}

/* dns_parse_head of the same bytes says what dns_parse said but for the records: the
 * detector keeps answers unread on its word (every test's message checks it). */
static void head_agrees(const uint8_t *msg, size_t n, int rc, const struct dns_msg *m)
{
    struct dns_msg h;
    memset(&h, 0x5a, sizeof h); /* nothing left from before counts */
    assert_int_equal(dns_parse_head(msg, n, &h), rc);
    assert_int_equal(h.error, m->error);
    assert_int_equal(h.id, m->id);
    assert_int_equal(h.qr, m->qr);
    assert_int_equal(h.opcode, m->opcode);
    assert_int_equal(h.aa, m->aa);
    assert_int_equal(h.tc, m->tc);
    assert_int_equal(h.rd, m->rd);
    assert_int_equal(h.ra, m->ra);
    assert_int_equal(h.rcode, m->rcode);
    assert_int_equal(h.qdcount, m->qdcount);
    assert_int_equal(h.ancount, m->ancount);
    assert_int_equal(h.qtype, m->qtype);
    assert_int_equal(h.qclass, m->qclass);
    assert_int_equal(h.nanswers, m->nanswers);
    if (rc) {
        assert_string_equal(h.qname, m->qname);
        assert_int_equal(h.qlen, strlen(h.qname));
        assert_int_equal(m->qlen, strlen(m->qname));
    }
    assert_true(h.answer_set == 0 && h.summary[0] == '\0' && !h.summary_full);
}

/* Parses the first n bytes of msg from an exactly-sized heap copy, so ASan reports any
 * read past n. */
static int parse_heap(const uint8_t *msg, size_t n, struct dns_msg *m)
{
    free(heap_msg);
    heap_msg = malloc(n ? n : 1);
    assert_non_null(heap_msg);
    if (n)
        memcpy(heap_msg, msg, n);
    int rc = dns_parse(heap_msg, n, m);
    head_agrees(heap_msg, n, rc, m);
    free(heap_msg);
    heap_msg = NULL;
    return rc;
}

static void parse_ok(const uint8_t *msg, size_t n, struct dns_msg *m)
{
    assert_int_equal(parse_heap(msg, n, m), 1);
}

#define PARSE_OK(arr, m) parse_ok((arr), sizeof(arr), (m))

/* A message built at run time, for what is too long or too repetitive to write out. */
struct msgbuf {
    uint8_t b[4096];
    size_t n;
};

static void put8(struct msgbuf *m, unsigned v)
{
    assert_true(m->n < sizeof m->b);
    m->b[m->n++] = (uint8_t)v;
}

static void put16(struct msgbuf *m, unsigned v)
{
    put8(m, v >> 8);
    put8(m, v & 0xff);
}

static void put_bytes(struct msgbuf *m, const uint8_t *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        put8(m, p[i]);
}

static void put_hdr(struct msgbuf *m, unsigned qd, unsigned an)
{
    m->n = 0;
    put16(m, 0x4242);
    put16(m, 0x8180);
    put16(m, qd);
    put16(m, an);
    put16(m, 0);
    put16(m, 0);
}

static void put_ptr(struct msgbuf *m, size_t off)
{
    put16(m, 0xc000 | (unsigned)off);
}

/* A label of len copies of c. */
static void put_label(struct msgbuf *m, unsigned len, char c)
{
    put8(m, len);
    for (unsigned i = 0; i < len; i++)
        put8(m, (uint8_t)c);
}

/* TYPE, CLASS IN, TTL 300, RDLENGTH. */
static void put_rr(struct msgbuf *m, unsigned type, unsigned rdlen)
{
    put16(m, type);
    put16(m, 1);
    put16(m, 0);
    put16(m, 300);
    put16(m, rdlen);
}

/* The question www.example.com A IN at offset 12 (ends at 33). */
static void put_question(struct msgbuf *m)
{
    static const uint8_t q[] = {NAME_WWW_EXAMPLE_COM, QTAIL(T_A)};
    assert_int_equal(m->n, 12);
    put_bytes(m, q, sizeof q);
}

/* ---- header and question ---- */

static void test_header_fields(void **state)
{
    (void)state;
    /* A query: RD only, for WWW.Example.COM AAAA. */
    /* clang-format off */
    static const uint8_t query[] = {
        HDR(0xabcd, 0x0100, 1, 0),
        3, 'W', 'W', 'W', 7, 'E', 'x', 'a', 'm', 'p', 'l', 'e', 3, 'C', 'O', 'M', 0,
        QTAIL(T_AAAA),
    };
    /* clang-format on */
    struct dns_msg m;
    PARSE_OK(query, &m);
    assert_int_equal(m.id, 0xabcd);
    assert_int_equal(m.qr, 0);
    assert_int_equal(m.opcode, 0);
    assert_int_equal(m.aa, 0);
    assert_int_equal(m.tc, 0);
    assert_int_equal(m.rd, 1);
    assert_int_equal(m.ra, 0);
    assert_int_equal(m.rcode, 0);
    assert_int_equal(m.qdcount, 1);
    assert_int_equal(m.ancount, 0);
    assert_string_equal(m.qname, "www.example.com");
    assert_int_equal(m.qtype, T_AAAA);
    assert_int_equal(m.qclass, 1);
    assert_int_equal(m.nanswers, 0);
    assert_int_equal(m.answer_set, 0);
    assert_string_equal(J(m.summary), "");

    /* Every flag set around an odd opcode and rcode: QR=1 opcode=0101 AA=1 TC=1 RD=1 |
     * RA=1 Z=000 rcode=0101. */
    static const uint8_t flags_a[] = {HDR(0x0000, 0xaf85, 1, 0), 0, QTAIL(T_A)};
    PARSE_OK(flags_a, &m);
    assert_int_equal(m.qr, 1);
    assert_int_equal(m.opcode, 5);
    assert_int_equal(m.aa, 1);
    assert_int_equal(m.tc, 1);
    assert_int_equal(m.rd, 1);
    assert_int_equal(m.ra, 1);
    assert_int_equal(m.rcode, 5);

    /* The complement of that: QR=0 opcode=1010 AA=0 TC=1 RD=0 | RA=0 Z=000 rcode=1010.
     * No bit leaks into a neighbouring field. */
    static const uint8_t flags_b[] = {HDR(0xffff, 0x520a, 1, 0), 0, QTAIL(T_A)};
    PARSE_OK(flags_b, &m);
    assert_int_equal(m.id, 0xffff);
    assert_int_equal(m.qr, 0);
    assert_int_equal(m.opcode, 10);
    assert_int_equal(m.aa, 0);
    assert_int_equal(m.tc, 1);
    assert_int_equal(m.rd, 0);
    assert_int_equal(m.ra, 0);
    assert_int_equal(m.rcode, 10);
}

static void test_question_name(void **state)
{
    (void)state;
    struct dns_msg m;

    /* The root: a single zero byte, presented as "". */
    static const uint8_t root[] = {HDR(1, 0x0100, 1, 0), 0, QTAIL(T_NS)};
    PARSE_OK(root, &m);
    assert_string_equal(m.qname, "");
    assert_int_equal(m.qtype, T_NS);

    /* Upper case folded, labels joined by dots, no trailing dot. */
    /* clang-format off */
    static const uint8_t mixed[] = {
        HDR(1, 0x0100, 1, 0),
        4, 'M', 'a', 'I', 'l', 2, 'E', 'x', 1, 'C', 3, 'O', 'r', 'G', 0, QTAIL(T_MX),
    };
    /* clang-format on */
    PARSE_OK(mixed, &m);
    assert_string_equal(m.qname, "mail.ex.c.org");
    assert_int_equal(m.qtype, T_MX);

    /* Bytes that would confuse a reader of the presentation form become '?': a space,
     * a control byte, DEL and a high byte. A comma, digits, '-' and '_' stay (the
     * summary is a list, not comma-joined text). */
    /* clang-format off */
    static const uint8_t odd[] = {
        HDR(1, 0x0100, 1, 0),
        8, 'a', ',', ' ', 0x01, 0x7f, 0xc3, 'Z', '_', 3, '0', '-', '9', 0, QTAIL(T_TXT),
    };
    /* clang-format on */
    PARSE_OK(odd, &m);
    assert_string_equal(m.qname, "a,????z_.0-9");

    /* A 63-byte label, the longest (6 bits of length). */
    struct msgbuf b;
    put_hdr(&b, 1, 0);
    put_label(&b, 63, 'Q');
    put8(&b, 0);
    put16(&b, T_A);
    put16(&b, 1);
    parse_ok(b.b, b.n, &m);
    assert_int_equal(strlen(m.qname), 63);
    for (size_t i = 0; i < 63; i++)
        assert_int_equal(m.qname[i], 'q');
}

static void test_qdcount_must_be_one(void **state)
{
    (void)state;
    struct dns_msg m;
    static const uint8_t qd0[] = {HDR(1, 0x8180, 0, 0)};
    assert_int_equal(parse_heap(qd0, sizeof qd0, &m), 0);
    /* QDCOUNT 0 with a question anyway. */
    static const uint8_t qd0q[] = {HDR(1, 0x8180, 0, 0), NAME_WWW_EXAMPLE_COM, QTAIL(T_A)};
    assert_int_equal(parse_heap(qd0q, sizeof qd0q, &m), 0);
    /* Two questions, both present. */
    /* clang-format off */
    static const uint8_t qd2[] = {
        HDR(1, 0x8180, 2, 0), NAME_WWW_EXAMPLE_COM, QTAIL(T_A), PTR(12), QTAIL(T_AAAA),
    };
    /* clang-format on */
    assert_int_equal(parse_heap(qd2, sizeof qd2, &m), 0);
    /* QDCOUNT 0x0101: the high byte counts too. */
    uint8_t qd257[sizeof resp_a];
    memcpy(qd257, resp_a, sizeof resp_a);
    qd257[4] = 0x01; /* QDCOUNT high byte */
    assert_int_equal(parse_heap(qd257, sizeof qd257, &m), 0);
    /* The same message with QDCOUNT 1 is fine. */
    PARSE_OK(resp_a, &m);
}

/* ---- answers ---- */

static void test_answers_a(void **state)
{
    (void)state;
    struct dns_msg m;
    PARSE_OK(resp_a, &m);
    assert_int_equal(m.id, 0x1234);
    assert_int_equal(m.qr, 1);
    assert_int_equal(m.rd, 1);
    assert_int_equal(m.ra, 1);
    assert_int_equal(m.ancount, 2);
    assert_int_equal(m.nanswers, 2);
    assert_string_equal(m.qname, "www.example.com");
    assert_int_equal(m.qtype, T_A);
    assert_string_equal(J(m.summary), "A 192.0.2.1,A 192.0.2.2");
    assert_true(m.answer_set != 0);
}

static void test_answers_names(void **state)
{
    (void)state;
    struct dns_msg m;
    PARSE_OK(resp_names, &m);
    assert_int_equal(m.nanswers, 4);
    assert_string_equal(J(m.summary), "CNAME web.example.com,A 198.51.100.7,"
                                   "MX 10 mail.example.com,NS ns1.example.com");
}

static void test_answers_mix(void **state)
{
    (void)state;
    struct dns_msg m;
    PARSE_OK(resp_mix, &m);
    assert_int_equal(m.id, 1);
    assert_int_equal(m.aa, 1);
    assert_string_equal(m.qname, "example.com");
    assert_int_equal(m.qtype, T_ANY);
    assert_int_equal(m.nanswers, 5);
    assert_string_equal(J(m.summary), "AAAA 2001:db8::1,NS ns1.example.com,MX 10 mail.example.com,"
                                   "TXT v=spf1_-all,PTR host.com");
}

/* Records of a known type but the wrong size, and TXT edge cases. */
static void test_answers_odd_rdata(void **state)
{
    (void)state;
    /* clang-format off */
    static const uint8_t odd[] = {
        HDR(7, 0x8180, 1, 5),
        NAME_WWW_EXAMPLE_COM, QTAIL(T_A),
        PTR(12), RR(T_A, 60, 5), 192, 0, 2, 1, 0,       /* 33: A with 5 bytes: no summary */
        PTR(12), RR(T_AAAA, 60, 4), 192, 0, 2, 1,       /* 50: AAAA with 4: no summary */
        PTR(12), RR(T_TXT, 60, 0),                      /* 66: TXT without a string */
        PTR(12), RR(T_TXT, 60, 4), 9, 'a', ',', 'b',    /* 78: string claims 9, has 3 */
        PTR(12), RR(T_MX, 60, 2), 0, 10,                /* 94: MX without a name */
    };                                                  /* ends at 108 */
    /* clang-format on */
    struct dns_msg m;
    PARSE_OK(odd, &m);
    assert_int_equal(m.nanswers, 5);
    /* A comma is the record's: one list item, written as it came. */
    assert_string_equal(J(m.summary), "TXT a,b");
    assert_true(*strlist_next(m.summary) == '\0');
    assert_true(m.answer_set != 0);

    /* A long TXT string is cut short in the summary. */
    struct msgbuf b;
    put_hdr(&b, 1, 1);
    put_question(&b);
    put_ptr(&b, 12);
    put_rr(&b, T_TXT, 201);
    put_label(&b, 200, 'x'); /* a character-string is a length byte and bytes too */
    parse_ok(b.b, b.n, &m);
    assert_int_equal(m.nanswers, 1);
    assert_int_equal(strncmp(J(m.summary), "TXT xxxx", 8), 0);
    assert_true(strlen(J(m.summary)) < 4 + 48);
}

static void test_answer_set_equal(void **state)
{
    (void)state;
    struct dns_msg a, b;
    PARSE_OK(resp_a, &a);

    PARSE_OK(resp_a_swapped, &b);
    assert_int_equal(b.nanswers, 2);
    assert_true(a.answer_set == b.answer_set);
    assert_string_equal(J(b.summary), "A 192.0.2.2,A 192.0.2.1");

    PARSE_OK(resp_a_ttl, &b);
    assert_true(a.answer_set == b.answer_set);

    PARSE_OK(resp_a_literal, &b);
    assert_int_equal(b.nanswers, 2);
    assert_string_equal(b.qname, "www.example.com");
    assert_true(a.answer_set == b.answer_set);

    /* Names in the data: compressed against written out, other case, other order. */
    PARSE_OK(resp_names, &a);
    PARSE_OK(resp_names_literal, &b);
    assert_int_equal(b.nanswers, 4);
    assert_string_equal(b.qname, "www.example.com");
    assert_string_equal(J(b.summary), "NS ns1.example.com,MX 10 mail.example.com,"
                                   "A 198.51.100.7,CNAME web.example.com");
    assert_true(a.answer_set == b.answer_set);

    /* One letter's case or a TTL changed in place. */
    uint8_t v[sizeof resp_names];
    memcpy(v, resp_names, sizeof v);
    v[NAMES_CNAME_W] = 'W';
    v[NAMES_MX_M] = 'M';
    v[NAMES_NS_TTL] = 7;
    PARSE_OK(v, &b);
    assert_true(a.answer_set == b.answer_set);
    assert_int_equal(strlist_used(b.summary), strlist_used(a.summary));
    assert_memory_equal(b.summary, a.summary, strlist_used(a.summary));
}

static void test_answer_set_differs(void **state)
{
    (void)state;
    struct dns_msg a, b;
    PARSE_OK(resp_a, &a);

    PARSE_OK(resp_a_other, &b);
    assert_true(a.answer_set != b.answer_set);
    PARSE_OK(resp_a_type, &b);
    assert_int_equal(b.nanswers, 2);
    assert_string_equal(J(b.summary), "A 192.0.2.1");
    assert_true(a.answer_set != b.answer_set);
    PARSE_OK(resp_a_one, &b);
    assert_true(a.answer_set != b.answer_set);

    /* Single-byte changes to resp_names, each in a record's data or type. */
    static const struct {
        size_t off;
        uint8_t val;
        const char *what;
    } change[] = {
        {NAMES_CNAME_B, 'c', "CNAME web -> wec"},
        {NAMES_CNAME_TYPE, T_PTR, "CNAME -> PTR, same name"},
        {NAMES_CNAME_TYPE, T_NS, "CNAME -> NS, same name"},
        {NAMES_A_LAST, 8, "A 198.51.100.7 -> .8"},
        {NAMES_A_TYPE, 0x63, "A -> type 99, same bytes"},
        {NAMES_MX_PREF, 20, "MX preference 10 -> 20"},
        {NAMES_MX_M, 'n', "MX mail -> nail"},
        {NAMES_NS_1, '2', "NS ns1 -> ns2"},
    };
    PARSE_OK(resp_names, &a);
    for (size_t i = 0; i < sizeof change / sizeof change[0]; i++) {
        uint8_t v[sizeof resp_names];
        memcpy(v, resp_names, sizeof v);
        assert_true(v[change[i].off] != change[i].val);
        v[change[i].off] = change[i].val;
        PARSE_OK(v, &b);
        assert_int_equal(b.nanswers, 4);
        if (a.answer_set == b.answer_set)
            fail_msg("answer_set unchanged by %s", change[i].what);
    }

    /* AAAA 2001:db8::1 against 2001:db8::2. */
    uint8_t v[sizeof resp_mix];
    memcpy(v, resp_mix, sizeof v);
    v[56] = 0x02; /* last byte of the AAAA address (rdata 41..56) */
    PARSE_OK(resp_mix, &a);
    PARSE_OK(v, &b);
    assert_true(a.answer_set != b.answer_set);
    assert_true(strncmp(J(b.summary), "AAAA 2001:db8::2,", 17) == 0);
}

static void test_rcode(void **state)
{
    (void)state;
    struct dns_msg m;
    /* NXDOMAIN: no answers; the SOA in the authority section is not read. */
    /* clang-format off */
    static const uint8_t nxdomain[] = {
        0x99, 0x01, 0x81, 0x83, 0, 1, 0, 0, 0, 1, 0, 0, /* rcode 3, NSCOUNT 1 */
        NAME_WWW_EXAMPLE_COM, QTAIL(T_A),
        PTR(16), RR(6, 900, 24),                         /* SOA: mname, rname, 5 numbers */
        PTR(16), PTR(16), 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 1,
    };
    /* clang-format on */
    PARSE_OK(nxdomain, &m);
    assert_int_equal(m.rcode, 3);
    assert_int_equal(m.nanswers, 0);
    assert_int_equal(m.answer_set, 0);
    assert_string_equal(J(m.summary), "");

    /* The answers of resp_a under SERVFAIL: the same set, another rcode. */
    struct dns_msg a;
    PARSE_OK(resp_a, &a);
    uint8_t v[sizeof resp_a];
    memcpy(v, resp_a, sizeof v);
    v[3] = 0x82; /* RA, rcode 2 */
    PARSE_OK(v, &m);
    assert_int_equal(m.rcode, 2);
    assert_int_equal(m.ra, 1);
    assert_int_equal(m.nanswers, 2);
    assert_true(m.answer_set == a.answer_set);
}

/* ANCOUNT larger than the records present: the answers end where the bytes do. */
static void test_ancount_overstated(void **state)
{
    (void)state;
    uint8_t v[sizeof resp_a];
    memcpy(v, resp_a, sizeof v);
    v[7] = 9; /* ANCOUNT 9, two records */
    struct dns_msg m, a;
    PARSE_OK(v, &m);
    PARSE_OK(resp_a, &a);
    assert_int_equal(m.ancount, 9);
    assert_int_equal(m.nanswers, 2);
    assert_true(m.answer_set == a.answer_set);

    /* ANCOUNT smaller: the records after it are not read. */
    v[7] = 1;
    PARSE_OK(v, &m);
    assert_int_equal(m.nanswers, 1);
    assert_string_equal(J(m.summary), "A 192.0.2.1");
}

/* At most DNS_MAX_ANSWERS records are read; the summary keeps whole records only. */
static void test_answer_limit_and_summary(void **state)
{
    (void)state;
    struct msgbuf b;
    put_hdr(&b, 1, 40);
    put_question(&b);
    for (unsigned i = 0; i < 40; i++) {
        put_ptr(&b, 12);
        put_rr(&b, T_A, 4);
        put8(&b, 10);
        put8(&b, 0);
        put8(&b, 0);
        put8(&b, i);
    }
    struct dns_msg m;
    parse_ok(b.b, b.n, &m);
    assert_int_equal(m.ancount, 40);
    assert_int_equal(m.nanswers, DNS_MAX_ANSWERS);
    /* "A 10.0.0.0" ... : 10 whole items of 10 or 11 bytes fit 112 with the commas. */
    size_t len = strlen(J(m.summary));
    assert_true(len < sizeof m.summary);
    assert_string_equal(J(m.summary), "A 10.0.0.0,A 10.0.0.1,A 10.0.0.2,A 10.0.0.3,A 10.0.0.4,"
                                   "A 10.0.0.5,A 10.0.0.6,A 10.0.0.7,A 10.0.0.8,A 10.0.0.9");

    /* The first 32 records count: a 33rd that differs changes nothing. */
    uint64_t set32 = m.answer_set;
    b.b[b.n - 1] = 0xee; /* the 40th address */
    parse_ok(b.b, b.n, &m);
    assert_true(m.answer_set == set32);
    b.b[33 + 31 * 16 + 15] = 0xee; /* the 32nd address */
    parse_ok(b.b, b.n, &m);
    assert_true(m.answer_set != set32);

    /* A name too long for the summary leaves it out whole: never a cut item. */
    put_hdr(&b, 1, 2);
    put_question(&b);
    put_ptr(&b, 12);
    put_rr(&b, T_CNAME, 64 + 2);
    put_label(&b, 63, 'c');
    put_ptr(&b, 16); /* cccc...cccc.example.com: 75 characters */
    put_ptr(&b, 12);
    put_rr(&b, T_CNAME, 64 + 2);
    put_label(&b, 63, 'd');
    put_ptr(&b, 16);
    parse_ok(b.b, b.n, &m);
    assert_int_equal(m.nanswers, 2);
    assert_int_equal(strlen(J(m.summary)), 6 + 75);
    assert_int_equal(strncmp(J(m.summary), "CNAME ccc", 9), 0);
    assert_true(*strlist_next(m.summary) == '\0'); /* one item */
}

/* ---- hostile names ---- */

static void test_pointer_loops(void **state)
{
    (void)state;
    struct dns_msg m;
    /* A pointer to itself. */
    static const uint8_t self[] = {HDR(1, 0x0100, 1, 0), PTR(12), QTAIL(T_A)};
    assert_int_equal(parse_heap(self, sizeof self, &m), 0);
    /* Two pointers to each other: 12 -> 14 -> 12. */
    static const uint8_t cycle[] = {HDR(1, 0x0100, 1, 0), PTR(14), PTR(12), QTAIL(T_A)};
    assert_int_equal(parse_heap(cycle, sizeof cycle, &m), 0);
    /* A label and a pointer back to it: a.a.a.a...; the pointer budget ends it. */
    static const uint8_t label_loop[] = {HDR(1, 0x0100, 1, 0), 1, 'a', PTR(12), QTAIL(T_A)};
    assert_int_equal(parse_heap(label_loop, sizeof label_loop, &m), 0);
    /* The same with 63-byte labels: the name length ends it first. */
    struct msgbuf b;
    put_hdr(&b, 1, 0);
    put_label(&b, 63, 'z');
    put_ptr(&b, 12);
    put16(&b, T_A);
    put16(&b, 1);
    assert_int_equal(parse_heap(b.b, b.n, &m), 0);

    /* The same loops in an answer's owner name and CNAME data stop the answers. */
    /* clang-format off */
    static const uint8_t in_answers[] = {
        HDR(1, 0x8180, 1, 3),
        NAME_WWW_EXAMPLE_COM, QTAIL(T_A),
        PTR(12), RR(T_A, 60, 4), 192, 0, 2, 1,              /* 33: fine */
        PTR(12), RR(T_CNAME, 60, 4), 1, 'a', PTR(61),        /* 49: rdata 61 loops */
        PTR(12), RR(T_A, 60, 4), 192, 0, 2, 2,              /* 65: never reached */
    };
    /* clang-format on */
    parse_ok(in_answers, sizeof in_answers, &m);
    assert_int_equal(m.nanswers, 1);
    assert_string_equal(J(m.summary), "A 192.0.2.1");
    /* clang-format off */
    static const uint8_t owner_self[] = {
        HDR(1, 0x8180, 1, 2),
        NAME_WWW_EXAMPLE_COM, QTAIL(T_A),
        PTR(12), RR(T_A, 60, 4), 192, 0, 2, 1, /* 33 */
        PTR(49), RR(T_A, 60, 4), 192, 0, 2, 2, /* 49: owner points at itself */
    };
    /* clang-format on */
    parse_ok(owner_self, sizeof owner_self, &m);
    assert_int_equal(m.nanswers, 1);
}

static void test_pointer_forward_and_past_end(void **state)
{
    (void)state;
    struct dns_msg m;
    /* Forward to a good name at 18 (after the question's type and class): resolvers
     * accept it (glibc's dn_expand), so a forged answer may use it. */
    static const uint8_t forward[] = {HDR(1, 0x0100, 1, 0), PTR(18), QTAIL(T_A), 1, 'a', 0};
    parse_ok(forward, sizeof forward, &m);
    assert_string_equal(m.qname, "a");
    assert_int_equal(m.qtype, T_A);
    assert_int_equal(m.error, DNS_OK);
    /* Past the end: to 255 and to the largest offset 0x3fff. */
    static const uint8_t past[] = {HDR(1, 0x0100, 1, 0), PTR(255), QTAIL(T_A)};
    assert_int_equal(parse_heap(past, sizeof past, &m), 0);
    assert_int_equal(m.error, DNS_INVALID);
    static const uint8_t past_max[] = {HDR(1, 0x0100, 1, 0), PTR(0x3fff), QTAIL(T_A)};
    assert_int_equal(parse_heap(past_max, sizeof past_max, &m), 0);
    assert_int_equal(m.error, DNS_INVALID);
    /* A pointer cut after its first byte. */
    static const uint8_t half[] = {HDR(1, 0x0100, 1, 0), 0xc0};
    assert_int_equal(parse_heap(half, sizeof half, &m), 0);
    assert_int_equal(m.error, DNS_TRUNCATED);

    /* Backward into the header is allowed: offset 4 holds QDCOUNT's zero high byte,
     * which reads as the root name. */
    static const uint8_t into_hdr[] = {HDR(1, 0x0100, 1, 0), PTR(4), QTAIL(T_A)};
    parse_ok(into_hdr, sizeof into_hdr, &m);
    assert_string_equal(m.qname, "");
    assert_int_equal(m.qtype, T_A);

    /* In an answer: a CNAME whose data points forward into the next record (past its
     * own data: pointers reach the whole message), and an owner pointing past the end. */
    /* clang-format off */
    static const uint8_t fwd_answer[] = {
        HDR(1, 0x8180, 1, 2),
        NAME_WWW_EXAMPLE_COM, QTAIL(T_A),
        PTR(12), RR(T_CNAME, 60, 2), PTR(47), /* 33: rdata 45 points to 47 */
        PTR(12), RR(T_A, 60, 4), 192, 0, 2, 1,
    };
    /* clang-format on */
    parse_ok(fwd_answer, sizeof fwd_answer, &m);
    assert_int_equal(m.nanswers, 2);
    assert_string_equal(J(m.summary), "CNAME www.example.com,A 192.0.2.1");
    assert_int_equal(m.error, DNS_OK);
    /* clang-format off */
    static const uint8_t past_owner[] = {
        HDR(1, 0x8180, 1, 2),
        NAME_WWW_EXAMPLE_COM, QTAIL(T_A),
        PTR(12), RR(T_A, 60, 4), 192, 0, 2, 1,
        PTR(0x3000), RR(T_A, 60, 4), 192, 0, 2, 2,
    };
    /* clang-format on */
    parse_ok(past_owner, sizeof past_owner, &m);
    assert_int_equal(m.nanswers, 1);
    assert_string_equal(J(m.summary), "A 192.0.2.1");
    assert_int_equal(m.error, DNS_INVALID);
}

/* A CNAME reached through a chain of pointers stacked in an unknown record's data:
 * the CNAME's data points at the top of the chain, each link at the one below, the
 * bottom at the question name. Returns the parsed message. */
static void pointer_chain(unsigned links, struct dns_msg *m)
{
    struct msgbuf b;
    put_hdr(&b, 1, 2);
    put_question(&b);
    put_ptr(&b, 12); /* 33: the record holding the chain */
    put_rr(&b, T_PRIVATE, 2 * links);
    size_t base = b.n; /* 45 */
    put_ptr(&b, 12);
    for (unsigned i = 1; i < links; i++)
        put_ptr(&b, base + 2 * (i - 1));
    put_ptr(&b, 12);
    put_rr(&b, T_CNAME, 2);
    put_ptr(&b, base + 2 * (links - 1));
    parse_ok(b.b, b.n, m);
}

static void test_pointer_chain_limit(void **state)
{
    (void)state;
    struct dns_msg m;
    /* 15 links: the CNAME's own pointer, 14 within, 1 to the question = 16 pointers. */
    pointer_chain(15, &m);
    assert_int_equal(m.nanswers, 2);
    assert_string_equal(J(m.summary), "CNAME www.example.com");
    /* 16 links: 17 pointers, one too many. */
    pointer_chain(16, &m);
    assert_int_equal(m.nanswers, 1);
    assert_string_equal(J(m.summary), "");
    pointer_chain(40, &m);
    assert_int_equal(m.nanswers, 1);
}

/* A question name of labels of the given lengths, then A IN. */
static int parse_labels(const unsigned *len, size_t nlabels, struct dns_msg *m)
{
    struct msgbuf b;
    put_hdr(&b, 1, 0);
    for (size_t i = 0; i < nlabels; i++)
        put_label(&b, len[i], (char)('a' + i));
    put8(&b, 0);
    put16(&b, T_A);
    put16(&b, 1);
    return parse_heap(b.b, b.n, m);
}

/* RFC 1035 section 3.1: at most 255 bytes, length bytes and the final zero included;
 * that is at most 253 characters written out. */
static void test_name_length_limit(void **state)
{
    (void)state;
    struct dns_msg m;
    static const unsigned w255[] = {63, 63, 63, 61}; /* 3 * 64 + 62 + 1 */
    assert_int_equal(parse_labels(w255, 4, &m), 1);
    assert_int_equal(strlen(m.qname), 253);
    static const unsigned w258[] = {63, 63, 63, 62, 1};
    assert_int_equal(parse_labels(w258, 5, &m), 0);
    static const unsigned w300[] = {63, 63, 63, 63, 40};
    assert_int_equal(parse_labels(w300, 5, &m), 0);

    /* Through a pointer: 61 + "." + the 191-character question name = 253 fits;
     * two 63-byte labels in front of it do not. */
    struct msgbuf b;
    put_hdr(&b, 1, 2);
    put_label(&b, 63, 'a');
    put_label(&b, 63, 'b');
    put_label(&b, 63, 'c');
    put8(&b, 0);
    put16(&b, T_A);
    put16(&b, 1);
    put_ptr(&b, 12);
    put_rr(&b, T_CNAME, 62 + 2);
    put_label(&b, 61, 'x');
    put_ptr(&b, 12);
    put_ptr(&b, 12);
    put_rr(&b, T_CNAME, 2 * 64 + 2);
    put_label(&b, 63, 'y');
    put_label(&b, 63, 'z');
    put_ptr(&b, 12);
    struct dns_msg mm;
    parse_ok(b.b, b.n, &mm);
    assert_int_equal(strlen(mm.qname), 191);
    assert_int_equal(mm.nanswers, 1);

    /* 256 and 257 bytes are over the limit as well (254 and 255 characters, which
     * still fit DNS_MAX_NAME with the NUL). */
    static const unsigned w256[] = {63, 63, 63, 62};
    if (parse_labels(w256, 4, &m) != 0)
        fail_msg("a 256-byte name was accepted as \"%.20s...\" (%zu characters)", m.qname,
                 strlen(m.qname));
    static const unsigned w257[] = {63, 63, 63, 63};
    if (parse_labels(w257, 4, &m) != 0)
        fail_msg("a 257-byte name was accepted (%zu characters)", strlen(m.qname));
}

static void test_reserved_label_types(void **state)
{
    (void)state;
    struct dns_msg m;
    /* 01 (extended label, RFC 6891 retired it) and 10 (unassigned) in the question. */
    static const uint8_t ext01[] = {HDR(1, 0x0100, 1, 0), 0x41, 'a', 0, QTAIL(T_A)};
    assert_int_equal(parse_heap(ext01, sizeof ext01, &m), 0);
    static const uint8_t ext10[] = {HDR(1, 0x0100, 1, 0), 0x81, 'a', 0, QTAIL(T_A)};
    assert_int_equal(parse_heap(ext10, sizeof ext10, &m), 0);
    /* After a good label. */
    static const uint8_t later[] = {HDR(1, 0x0100, 1, 0), 1, 'a', 0x40, 0, QTAIL(T_A)};
    assert_int_equal(parse_heap(later, sizeof later, &m), 0);
    /* With as many bytes behind them as their low six bits would count: still not
     * labels. */
    for (unsigned top = 0x40; top <= 0x80; top += 0x40) {
        struct msgbuf b;
        put_hdr(&b, 1, 0);
        put_label(&b, top | 5, 'a'); /* 0x45 or 0x85, then 69 or 133 bytes */
        put8(&b, 0);
        put16(&b, T_A);
        put16(&b, 1);
        assert_int_equal(parse_heap(b.b, b.n, &m), 0);
    }
    /* Reached through a pointer from an answer owner: the answers stop there. */
    /* clang-format off */
    static const uint8_t in_answer[] = {
        HDR(1, 0x8180, 1, 3),
        NAME_WWW_EXAMPLE_COM, QTAIL(T_A),
        PTR(12), RR(T_PRIVATE, 60, 2), 0x80, 0x00, /* 33: rdata at 45 is a type-10 label */
        PTR(45), RR(T_A, 60, 4), 192, 0, 2, 1,     /* 47: owner points at it */
        PTR(12), RR(T_A, 60, 4), 192, 0, 2, 2,
    };
    /* clang-format on */
    parse_ok(in_answer, sizeof in_answer, &m);
    assert_int_equal(m.nanswers, 1);
    assert_string_equal(J(m.summary), "");
    /* In NS data. */
    /* clang-format off */
    static const uint8_t in_ns[] = {
        HDR(1, 0x8180, 1, 2),
        NAME_WWW_EXAMPLE_COM, QTAIL(T_A),
        PTR(12), RR(T_A, 60, 4), 192, 0, 2, 1,
        PTR(12), RR(T_NS, 60, 3), 0x41, 'n', 0,
    };
    /* clang-format on */
    parse_ok(in_ns, sizeof in_ns, &m);
    assert_int_equal(m.nanswers, 1);
    assert_string_equal(J(m.summary), "A 192.0.2.1");
}

/* ---- cuts and random bytes ---- */

/* Every prefix of each message, from an exactly-sized heap copy: nothing before the
 * question's end parses, after it the records wholly inside the cut are read. */
static void test_truncation_walk(void **state)
{
    (void)state;
    for (size_t w = 0; w < sizeof walks / sizeof walks[0]; w++) {
        const struct walk *wk = &walks[w];
        struct dns_msg full;
        parse_ok(wk->msg, wk->len, &full);
        assert_int_equal(full.nanswers, wk->nrecords);
        assert_int_equal(wk->record_end[wk->nrecords - 1], wk->len);
        for (size_t n = 0; n <= wk->len; n++) {
            struct dns_msg m;
            int rc = parse_heap(wk->msg, n, &m);
            if (n < wk->question_end) {
                if (rc != 0)
                    fail_msg("%s cut to %zu bytes parsed", wk->name, n);
                continue;
            }
            if (rc != 1)
                fail_msg("%s cut to %zu bytes did not parse", wk->name, n);
            unsigned whole = 0;
            while (whole < wk->nrecords && wk->record_end[whole] <= n)
                whole++;
            if (m.nanswers != whole)
                fail_msg("%s cut to %zu: %u answers, expected %u", wk->name, n, m.nanswers, whole);
            assert_string_equal(J(m.summary), wk->summary[whole]);
            assert_string_equal(m.qname, full.qname);
            assert_int_equal(m.ancount, full.ancount);
            if (whole == wk->nrecords)
                assert_true(m.answer_set == full.answer_set);
            else
                assert_true(m.answer_set != full.answer_set);
        }
    }
}

static uint64_t rng_state;

static uint64_t rng(void)
{
    /* xorshift64*: reproducible from the seed on every platform. */
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return rng_state * 0x2545f4914f6cdd1dull;
}

static unsigned rnd(unsigned n)
{
    return (unsigned)(rng() % n);
}

/* What holds for any message that parses. */
static void check_invariants(const struct dns_msg *m, const uint8_t *msg, size_t n)
{
    assert_true(n >= 12 + 1 + 4);
    assert_int_equal(m->qdcount, 1);
    assert_int_equal(m->id, (msg[0] << 8) | msg[1]);
    assert_true(m->nanswers <= m->ancount);
    assert_true(m->nanswers <= DNS_MAX_ANSWERS);
    size_t ql = strnlen(m->qname, sizeof m->qname);
    assert_true(ql <= 253 + 2); /* see test_name_length_limit */
    for (size_t i = 0; i < ql; i++) {
        char c = m->qname[i];
        assert_true(c > 0x20 && c < 0x7f && !(c >= 'A' && c <= 'Z'));
    }
    assert_true(strlist_used(m->summary) < sizeof m->summary);
    if (m->nanswers == 0)
        assert_int_equal(m->answer_set, 0);
}

static void fuzz_one(const uint8_t *msg, size_t n, unsigned *parsed)
{
    struct dns_msg m, again;
    int rc = parse_heap(msg, n, &m);
    assert_true(rc == 0 || rc == 1);
    if (rc) {
        check_invariants(&m, msg, n);
        /* Deterministic, and nothing left over from the previous message. */
        memset(&again, 0xa5, sizeof again);
        assert_int_equal(parse_heap(msg, n, &again), 1);
        assert_memory_equal(&m, &again, sizeof m);
        (*parsed)++;
    }
}

static void test_random_messages(void **state)
{
    (void)state;
    rng_state = 0x5eed0d15ull;
    unsigned parsed = 0;
    uint8_t buf[600];
    static const uint8_t *const seeds[] = {resp_a, resp_names, resp_names_literal, resp_mix};
    static const size_t seed_len[] = {sizeof resp_a, sizeof resp_names, sizeof resp_names_literal,
                                      sizeof resp_mix};
    for (unsigned i = 0; i < 1000; i++) {
        size_t n;
        switch (i % 3) {
        case 0: /* random bytes behind a header with one question */
            n = rnd(sizeof buf);
            for (size_t k = 0; k < n; k++)
                buf[k] = (uint8_t)rng();
            if (n >= 8) {
                buf[4] = 0;
                buf[5] = 1;
                buf[6] = 0;
                buf[7] = (uint8_t)rnd(40);
            }
            break;
        case 1: { /* a good message with a few bytes changed and maybe cut */
            unsigned s = rnd(4);
            n = seed_len[s];
            memcpy(buf, seeds[s], n);
            for (unsigned k = 1 + rnd(4); k > 0; k--)
                buf[12 + rnd((unsigned)n - 12)] = (uint8_t)rng();
            if (rnd(4) == 0)
                n = rnd((unsigned)n + 1);
            break;
        }
        default: { /* names made of labels, pointers anywhere, odd label types */
            static const uint8_t hdr[] = {HDR(0x7777, 0x8180, 1, 0)};
            memcpy(buf, hdr, sizeof hdr);
            buf[7] = (uint8_t)rnd(DNS_MAX_ANSWERS + 8);
            n = sizeof hdr;
            size_t limit = 12 + rnd(sizeof buf - 12 - 70);
            while (n < limit) {
                unsigned kind = rnd(8);
                if (kind < 3) { /* a label */
                    unsigned l = rnd(64);
                    buf[n++] = (uint8_t)l;
                    for (unsigned k = 0; k < l; k++)
                        buf[n++] = (uint8_t)(rnd(4) ? 'a' + rnd(26) : rng());
                } else if (kind < 5) { /* a pointer, usually backwards */
                    unsigned to = rnd(4) ? rnd((unsigned)n + 1) : rnd(0x4000);
                    buf[n++] = (uint8_t)(0xc0 | (to >> 8));
                    buf[n++] = (uint8_t)to;
                } else if (kind == 5) { /* the end of a name */
                    buf[n++] = 0;
                } else if (kind == 6) { /* type, class, TTL, rdlength */
                    static const uint8_t types[] = {T_A, T_NS, T_CNAME, T_PTR, T_MX, T_TXT, T_AAAA};
                    buf[n++] = 0;
                    buf[n++] = types[rnd(sizeof types)];
                    buf[n++] = 0;
                    buf[n++] = 1;
                    for (unsigned k = 0; k < 4; k++)
                        buf[n++] = (uint8_t)rng();
                    buf[n++] = 0;
                    buf[n++] = (uint8_t)rnd(24);
                } else { /* a reserved label type */
                    buf[n++] = (uint8_t)(rnd(2) ? 0x40 : 0x80) | (uint8_t)rnd(64);
                }
            }
            break;
        }
        }
        fuzz_one(buf, n, &parsed);
    }
    /* The generators reach past the question often enough to mean something. */
    assert_true(parsed >= 200);
}

int main(void)
{
#define T(fn) cmocka_unit_test_teardown(fn, teardown)
    /* clang-format off */
    const struct CMUnitTest tests[] = {
        T(test_header_fields),
        T(test_question_name),
        T(test_qdcount_must_be_one),
        T(test_answers_a),
        T(test_answers_names),
        T(test_answers_mix),
        T(test_answers_odd_rdata),
        T(test_answer_set_equal),
        T(test_answer_set_differs),
        T(test_rcode),
        T(test_ancount_overstated),
        T(test_answer_limit_and_summary),
        T(test_pointer_loops),
        T(test_pointer_forward_and_past_end),
        T(test_pointer_chain_limit),
        T(test_name_length_limit),
        T(test_reserved_label_types),
        T(test_truncation_walk),
        T(test_random_messages),
    };
    /* clang-format on */
#undef T
    return cmocka_run_group_tests(tests, NULL, NULL);
}
