/* secondsight - the one way text gets into the HTML report: escaped for element content
 * and attribute values alike, links percent-encoded first. */
#ifndef SS_OUTPUT_HTML_H
#define SS_OUTPUT_HTML_H

#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>

/* Writes `s` (UTF-8, NUL-terminated; NULL writes nothing) with & < > " ' as entities and
 * control characters other than tab and newline as U+FFFD, so that any string is safe
 * between tags and inside a quoted attribute. */
void html_text(FILE *o, const char *s);

/* printf into a bounded buffer (cut at HTML_PRINTF_MAX bytes, never inside a UTF-8
 * sequence), then html_text. */
#define HTML_PRINTF_MAX 1024
void html_printf(FILE *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* vsnprintf into buf, cut to at most cap - 8 bytes and never inside a UTF-8 sequence;
 * an empty string on a format error. */
void html_vformat(char *buf, size_t cap, const char *fmt, va_list ap);

/* A relative or absolute path as a URL path for href: bytes other than unreserved
 * characters and '/' percent-encoded (so '#', '?', '%' and spaces stay part of the
 * name), then html_text. */
void html_href(FILE *o, const char *path);

/* The path from directory `from_dir` to file `target`, both relative to `cwd` unless
 * absolute, resolved by name (no symbolic links followed), into buf: what an href in
 * a page in from_dir needs. from_dir NULL or "" is cwd. 0, or -1 when it does not fit. */
int html_relative(char *buf, size_t cap, const char *from_dir, const char *target, const char *cwd);

/* `s` cut to at most `max` bytes at a UTF-8 character boundary, with "…" when cut, into
 * `buf` of `cap` bytes (cap >= max + 4). Returns buf. */
char *html_cut(char *buf, size_t cap, const char *s, size_t max);

#endif
