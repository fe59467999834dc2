/* secondsight - JSON writer (RFC 8259). Strings are escaped byte by byte: quote,
 * backslash and control characters get escapes; bytes that are not well-formed UTF-8
 * are written as \u00XX (their Latin-1 reading) so the output is always valid JSON. */
#include "util-json.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void jw_init(struct jw *w)
{
    memset(w, 0, sizeof *w);
}

void jw_release(struct jw *w)
{
    free(w->buf);
    memset(w, 0, sizeof *w);
}

void jw_reset(struct jw *w)
{
    w->len = 0;
    w->err = 0;
    w->depth = 0;
    w->after_key = 0;
    memset(w->has_items, 0, sizeof w->has_items);
    if (w->buf)
        w->buf[0] = '\0';
}

static void put(struct jw *w, const char *s, size_t n)
{
    if (w->err)
        return;
    if (w->cap - w->len <= n) {
        size_t cap = w->cap ? w->cap : 512;
        while (cap - w->len <= n)
            cap *= 2;
        char *b = realloc(w->buf, cap);
        if (!b) {
            w->err = 1;
            return;
        }
        w->buf = b;
        w->cap = cap;
    }
    memcpy(w->buf + w->len, s, n);
    w->len += n;
    w->buf[w->len] = '\0';
}

static void putc1(struct jw *w, char c)
{
    put(w, &c, 1);
}

/* Comma before a value, unless it follows its key or opens a container. */
static void before_value(struct jw *w)
{
    if (w->after_key) {
        w->after_key = 0;
        return;
    }
    if (w->depth > 0) {
        if (w->has_items[w->depth - 1])
            putc1(w, ',');
        w->has_items[w->depth - 1] = 1;
    }
}

static void open_container(struct jw *w, char c)
{
    before_value(w);
    if (w->depth >= JW_MAX_DEPTH) {
        w->err = 1;
        return;
    }
    w->has_items[w->depth++] = 0;
    putc1(w, c);
}

static void close_container(struct jw *w, char c)
{
    if (w->depth == 0) {
        w->err = 1;
        return;
    }
    w->depth--;
    putc1(w, c);
}

void jw_object_begin(struct jw *w)
{
    open_container(w, '{');
}
void jw_object_end(struct jw *w)
{
    close_container(w, '}');
}
void jw_array_begin(struct jw *w)
{
    open_container(w, '[');
}
void jw_array_end(struct jw *w)
{
    close_container(w, ']');
}

/* Length of the well-formed UTF-8 sequence at s (RFC 3629), or 0. */
static size_t utf8_seq(const unsigned char *s, size_t n)
{
    unsigned char c = s[0];
    size_t len;
    uint32_t min, cp;
    if (c >= 0xc2 && c <= 0xdf) {
        len = 2, min = 0x80, cp = c & 0x1f;
    } else if (c >= 0xe0 && c <= 0xef) {
        len = 3, min = 0x800, cp = c & 0x0f;
    } else if (c >= 0xf0 && c <= 0xf4) {
        len = 4, min = 0x10000, cp = c & 0x07;
    } else {
        return 0;
    }
    if (len > n)
        return 0;
    for (size_t i = 1; i < len; i++) {
        if ((s[i] & 0xc0) != 0x80)
            return 0;
        cp = (cp << 6) | (s[i] & 0x3f);
    }
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
        return 0;
    return len;
}

void jw_string_n(struct jw *w, const char *str, size_t n)
{
    const unsigned char *s = (const unsigned char *)str;
    char esc[8];
    before_value(w);
    putc1(w, '"');
    size_t i = 0;
    while (i < n) {
        unsigned char c = s[i];
        if (c >= 0x20 && c < 0x7f && c != '"' && c != '\\') {
            size_t run = i;
            while (run < n && s[run] >= 0x20 && s[run] < 0x7f && s[run] != '"' && s[run] != '\\')
                run++;
            put(w, (const char *)s + i, run - i);
            i = run;
            continue;
        }
        if (c >= 0x80) {
            size_t len = utf8_seq(s + i, n - i);
            if (len) {
                put(w, (const char *)s + i, len);
                i += len;
                continue;
            }
        }
        switch (c) {
        case '"':
            put(w, "\\\"", 2);
            break;
        case '\\':
            put(w, "\\\\", 2);
            break;
        case '\n':
            put(w, "\\n", 2);
            break;
        case '\r':
            put(w, "\\r", 2);
            break;
        case '\t':
            put(w, "\\t", 2);
            break;
        default:
            snprintf(esc, sizeof esc, "\\u%04x", c);
            put(w, esc, 6);
            break;
        }
        i++;
    }
    putc1(w, '"');
}

void jw_string(struct jw *w, const char *s)
{
    jw_string_n(w, s, strlen(s));
}

void jw_key(struct jw *w, const char *key)
{
    jw_string(w, key);
    putc1(w, ':');
    w->after_key = 1;
}

void jw_int(struct jw *w, int64_t v)
{
    char b[24];
    before_value(w);
    int n = snprintf(b, sizeof b, "%" PRId64, v);
    put(w, b, (size_t)n);
}

void jw_uint(struct jw *w, uint64_t v)
{
    char b[24];
    before_value(w);
    int n = snprintf(b, sizeof b, "%" PRIu64, v);
    put(w, b, (size_t)n);
}

void jw_bool(struct jw *w, int v)
{
    before_value(w);
    put(w, v ? "true" : "false", v ? 4 : 5);
}

void jw_null(struct jw *w)
{
    before_value(w);
    put(w, "null", 4);
}

void jw_raw(struct jw *w, const char *s)
{
    put(w, s, strlen(s));
}
