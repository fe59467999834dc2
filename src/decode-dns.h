/* secondsight - DNS messages (RFC 1035) as far as injection detection needs: header,
 * the question, and the answer section reduced to an order-free identity. */
#ifndef SS_DECODE_DNS_H
#define SS_DECODE_DNS_H

#include <stddef.h>

#include "config.h"
#include <stdint.h>

/* Why a message, or its answers, could not be read (dns_msg.error). */
enum dns_error {
    DNS_OK,
    DNS_TRUNCATED, /* the bytes end inside the header, the question or a record */
    DNS_INVALID,   /* a name that cannot be: pointer past the end or over budget,
                    * reserved label type, too long; or not one question */
};

struct dns_msg {
    uint16_t id;
    uint8_t qr, opcode, aa, tc, rd, ra, rcode;
    uint16_t qdcount, ancount;
    char qname[DNS_MAX_NAME]; /* lower case, no trailing dot; "" for the root */
    uint16_t qlen;            /* strlen(qname) */
    uint16_t qtype, qclass;
    uint16_t nanswers;    /* records read (at most DNS_MAX_ANSWERS) */
    uint64_t answer_set;  /* order-free hash of (type, rdata) over the answers;
                           * TTLs left out, names compared case-free */
    char summary[112];    /* the first answers, whole ones only, as a list
                           * (util-strlist.h): "A 192.0.2.1", "TXT a,b" */
    uint8_t summary_full; /* an answer did not fit: later ones are left out */
    uint8_t error;        /* enum dns_error: why parsing stopped before the end of
                           * the answers (or, returning 0, of the question) */
};

/* Parses a DNS message. Returns 1 when the header and the question were read (the
 * answers as far as they go), 0 for anything that is not a DNS message; m->error
 * says what stopped it (on 0, the header fields read so far stay filled). Compression
 * pointers may point anywhere in the message, at most DNS_MAX_POINTERS per name; names
 * are bounded in length and labels. */
int dns_parse(const uint8_t *p, size_t n, struct dns_msg *m);

/* dns_parse without reading the answers: the header and the question, and a walk of the
 * answers that checks their names and counts them, so nanswers, error and the return
 * value are dns_parse's; answer_set and summary stay empty. What the same bytes give
 * dns_parse fills them when they are wanted. */
int dns_parse_head(const uint8_t *p, size_t n, struct dns_msg *m);

#endif
