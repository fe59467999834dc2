/* secondsight - HTTP/1.x response heads (RFC 9112) for enrichment. Reads at most
 * HTTP_MAX_HEADERS lines; every scan is bounded by the buffer it was given. */
#include "decode-http.h"
#include "config.h"
#include "util-strlist.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

/* Case-insensitive search for `needle` in p[0..n). */
static int contains_ci(const uint8_t *p, size_t n, const char *needle)
{
    size_t m = strlen(needle);
    if (m == 0 || m > n)
        return 0;
    for (size_t i = 0; i + m <= n; i++) {
        size_t k = 0;
        while (k < m && tolower(p[i + k]) == needle[k])
            k++;
        if (k == m)
            return 1;
    }
    return 0;
}

static int name_is(const uint8_t *p, size_t n, const char *name)
{
    size_t m = strlen(name);
    if (n != m)
        return 0;
    for (size_t i = 0; i < m; i++)
        if (tolower(p[i]) != name[i])
            return 0;
    return 1;
}

/* The attribute `name` in tag[0..len) has the value 0 or 1 (quoted or not): the
 * whole value, so width=100 is not width=1. */
static int attr_tiny(const uint8_t *tag, size_t len, const char *name)
{
    size_t m = strlen(name);
    for (size_t i = 1; i + m + 2 <= len; i++) {
        if (!isspace(tag[i - 1]) || !contains_ci(tag + i, m, name) || tag[i + m] != '=')
            continue;
        size_t v = i + m + 1;
        uint8_t quote = 0;
        if (v < len && (tag[v] == '"' || tag[v] == '\''))
            quote = tag[v++];
        if (v >= len || (tag[v] != '0' && tag[v] != '1'))
            continue;
        v++;
        if (v == len || (quote ? tag[v] == quote : (isspace(tag[v]) || tag[v] == '/')))
            return 1;
    }
    return 0;
}

/* An iframe whose width and height are both 1 (or 0): the classic invisible frame. */
static int tiny_iframe(const uint8_t *p, size_t n)
{
    for (size_t i = 0; i + 7 <= n; i++) {
        if (!contains_ci(p + i, 7, "<iframe"))
            continue;
        size_t end = i;
        while (end < n && p[end] != '>')
            end++;
        if (attr_tiny(p + i, end - i, "width") && attr_tiny(p + i, end - i, "height"))
            return 1;
    }
    return 0;
}

void http_response_parse(const uint8_t *p, size_t n, struct http_response *out)
{
    memset(out, 0, sizeof *out);
    out->content_length = -1;
    /* Status line: "HTTP/1.x NNN" */
    if (n < 12 || memcmp(p, "HTTP/1.", 7) != 0 || p[8] != ' ' || !isdigit(p[9]) ||
        !isdigit(p[10]) || !isdigit(p[11]))
        return;
    out->status = (p[9] - '0') * 100 + (p[10] - '0') * 10 + (p[11] - '0');

    size_t i = 0;
    while (i < n && p[i] != '\n')
        i++;
    i++; /* past the status line */
    for (unsigned lines = 0; i < n && lines < HTTP_MAX_HEADERS; lines++) {
        size_t start = i;
        while (i < n && p[i] != '\n')
            i++;
        size_t end = i; /* exclusive, before '\n' */
        int has_lf = i < n;
        if (end > start && p[end - 1] == '\r')
            end--;
        if (i < n)
            i++;
        if (end == start) {
            out->complete_head = has_lf; /* the blank line really ended */
            break;
        }
        size_t colon = start;
        while (colon < end && p[colon] != ':')
            colon++;
        if (colon == end)
            continue;
        const uint8_t *name = p + start;
        size_t nlen = colon - start;
        size_t v = colon + 1;
        while (v < end && (p[v] == ' ' || p[v] == '\t'))
            v++;
        out->nheaders++;
        if (name_is(name, nlen, "server"))
            out->headers |= HH_SERVER;
        else if (name_is(name, nlen, "date"))
            out->headers |= HH_DATE;
        else if (name_is(name, nlen, "pragma"))
            out->headers |= HH_PRAGMA;
        else if (name_is(name, nlen, "content-type"))
            out->headers |= HH_CONTENT_TYPE;
        else if (name_is(name, nlen, "cache-control"))
            out->headers |= HH_CACHE_CONTROL;
        else if (name_is(name, nlen, "content-length")) {
            out->headers |= HH_CONTENT_LENGTH;
            long cl = 0;
            size_t k = v;
            while (k < end && isdigit(p[k]) && cl < 1000000000L)
                cl = cl * 10 + (p[k++] - '0');
            if (k > v)
                out->content_length = cl;
        } else if (name_is(name, nlen, "location")) {
            out->headers |= HH_LOCATION;
            size_t len = end - v < sizeof out->location - 1 ? end - v : sizeof out->location - 1;
            memcpy(out->location, p + v, len);
            out->location[len] = '\0';
        } else {
            out->headers |= HH_OTHER;
        }
    }
    if (!out->complete_head)
        return;
    const uint8_t *body = p + i;
    size_t blen = n - i;
    out->body_len = blen;
    out->has_script = contains_ci(body, blen, "<script");
    out->has_iframe = contains_ci(body, blen, "<iframe");
    out->has_tiny_iframe = out->has_iframe && tiny_iframe(body, blen);
    out->has_meta_refresh = contains_ci(body, blen, "http-equiv=\"refresh\"") ||
                            contains_ci(body, blen, "http-equiv=refresh") ||
                            contains_ci(body, blen, "http-equiv='refresh'");
    out->reloads =
        contains_ci(body, blen, "location.reload") || contains_ci(body, blen, "location.href") ||
        contains_ci(body, blen, "window.location") || contains_ci(body, blen, "document.location");
}

static void add_tell(char *buf, size_t size, const char *tell)
{
    strlist_add_str(buf, size, tell);
}

void http_response_tells(const struct http_response *r, char *buf, size_t size)
{
    buf[0] = '\0';
    if (!r->status)
        return;
    if (r->has_script)
        add_tell(buf, size, "script");
    if (r->has_iframe)
        add_tell(buf, size, r->has_tiny_iframe ? "iframe_1x1" : "iframe");
    if (r->has_meta_refresh)
        add_tell(buf, size, "meta_refresh");
    if (r->reloads)
        add_tell(buf, size, "reload");
    if ((r->status == 301 || r->status == 302 || r->status == 303 || r->status == 307) &&
        (r->content_length == 0 || (r->content_length < 0 && r->complete_head && r->body_len == 0)))
        add_tell(buf, size, "empty_redirect");
    /* SecondDate's forged reply (leaked tool text): 200 OK with exactly Pragma,
     * Content-Type, Content-Length and Cache-Control, a page that reloads itself and a
     * 1x1 iframe. */
    unsigned four = HH_PRAGMA | HH_CONTENT_TYPE | HH_CONTENT_LENGTH | HH_CACHE_CONTROL;
    if (r->status == 200 && r->headers == four && r->nheaders == 4)
        add_tell(buf, size, "seconddate_template");
}

/* Copies p[0..n) into dst (size bytes), cut, unprintable bytes as '_'. */
static void copy_printable(char *dst, size_t size, const uint8_t *p, size_t n)
{
    size_t k = 0;
    for (; k < n && k + 1 < size; k++)
        dst[k] = p[k] > 0x20 && p[k] < 0x7f ? (char)p[k] : '_';
    dst[k] = '\0';
}

/* The length of the request line's method at p (a method RFC 9110 and RFC 5789 name,
 * followed by a space), or 0. */
static size_t request_method(const uint8_t *p, size_t n)
{
    static const char *const methods[] = {"GET",     "POST",  "HEAD",  "PUT",    "DELETE",
                                          "OPTIONS", "PATCH", "TRACE", "CONNECT"};
    for (size_t i = 0; i < sizeof methods / sizeof methods[0]; i++) {
        size_t m = strlen(methods[i]);
        if (n > m && !memcmp(p, methods[i], m) && p[m] == ' ')
            return m;
    }
    return 0;
}

/* Parses a request line at p[0..n): method, target, version; returns the length of
 * the line with its newline, or 0 when it is not one. */
static size_t request_line(const uint8_t *p, size_t n, struct http_request *out)
{
    size_t m = request_method(p, n), t = m + 1, e;
    if (!m)
        return 0;
    for (e = t; e < n && p[e] != ' ' && p[e] != '\r' && p[e] != '\n'; e++)
        ;
    if (e == t || e + 8 > n || p[e] != ' ' || memcmp(p + e + 1, "HTTP/1.", 7))
        return 0;
    copy_printable(out->method, sizeof out->method, p, m);
    copy_printable(out->target, sizeof out->target, p + t, e - t);
    while (e < n && p[e] != '\n')
        e++;
    return e < n ? e + 1 : e;
}

int http_request_last(const uint8_t *p, size_t n, struct http_request *out)
{
    memset(out, 0, sizeof *out);
    size_t i = n, len = 0;
    while (i-- > 0) {
        if ((i == 0 || p[i - 1] == '\n') && (len = request_line(p + i, n - i, out)))
            break;
    }
    if (!len)
        return 0;
    i += len;
    for (unsigned lines = 0; i < n && lines < HTTP_MAX_HEADERS; lines++) {
        size_t start = i;
        while (i < n && p[i] != '\n')
            i++;
        size_t end = i;
        if (end > start && p[end - 1] == '\r')
            end--;
        if (i < n)
            i++;
        if (end == start)
            break;
        if (end - start < 5 || !name_is(p + start, 5, "host:"))
            continue;
        size_t v = start + 5;
        while (v < end && (p[v] == ' ' || p[v] == '\t'))
            v++;
        while (end > v && (p[end - 1] == ' ' || p[end - 1] == '\t'))
            end--;
        copy_printable(out->host, sizeof out->host, p + v, end - v);
        break;
    }
    return 1;
}
