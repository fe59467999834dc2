/* secondsight - a glance at an HTTP response for enrichment: status, Location, which
 * headers, and what the body does (script, iframe, meta refresh). Content never raises
 * an alert; it says what a forged copy carried. */
#ifndef SS_DECODE_HTTP_H
#define SS_DECODE_HTTP_H

#include <stddef.h>
#include <stdint.h>

enum http_header_bit {
    HH_SERVER = 1 << 0,
    HH_DATE = 1 << 1,
    HH_PRAGMA = 1 << 2,
    HH_CONTENT_TYPE = 1 << 3,
    HH_CONTENT_LENGTH = 1 << 4,
    HH_CACHE_CONTROL = 1 << 5,
    HH_LOCATION = 1 << 6,
    HH_OTHER = 1 << 7,
};

struct http_response {
    int status;       /* 0 when the bytes are not an HTTP/1.x response */
    unsigned headers; /* enum http_header_bit */
    unsigned nheaders;
    long content_length; /* -1 when absent */
    size_t body_len;     /* body bytes present (after the blank line) */
    int complete_head;   /* the blank line ending the headers was seen */
    char location[160];
    int has_script, has_iframe, has_tiny_iframe, has_meta_refresh, reloads;
};

/* Parses the start of a response; bounded by n and by a fixed header count. */
void http_response_parse(const uint8_t *p, size_t n, struct http_response *out);

/* Tells for app.tells, a list (util-strlist.h): script, iframe, iframe_1x1, meta_refresh,
 * reload, empty_redirect, seconddate_template. Writes "" when there are none. */
void http_response_tells(const struct http_response *r, char *buf, size_t size);

/* The request a forged response answers: the last HTTP/1.x request line in a stretch
 * of the client's stream, and its Host header. Bytes outside printable ASCII are
 * written as '_'; long values are cut. */
struct http_request {
    char method[16];
    char target[160]; /* the request-target as sent: "/path?q" or an absolute URL */
    char host[128];   /* "" when no Host header came within the stretch */
};

/* Finds the last request line (a known method, a target, "HTTP/1.") that starts at p
 * or after a newline in p[0..n), then reads its headers for Host, at most
 * HTTP_MAX_HEADERS lines. Returns 0, out cleared, when there is none. */
int http_request_last(const uint8_t *p, size_t n, struct http_request *out);

#endif
