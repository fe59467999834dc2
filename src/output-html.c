/* secondsight - HTML escaping for the report: every string the page shows or carries in
 * an attribute passes through html_text(), links through html_href() first. */
#include "output-html.h"
#include "config.h"

#include <stdarg.h>
#include <string.h>

void html_text(FILE *o, const char *s)
{
    if (!s)
        return;
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        switch (c) {
        case '&':
            fputs("&amp;", o);
            break;
        case '<':
            fputs("&lt;", o);
            break;
        case '>':
            fputs("&gt;", o);
            break;
        case '"':
            fputs("&quot;", o);
            break;
        case '\'':
            fputs("&#39;", o);
            break;
        default:
            if ((c < 0x20 && c != '\t' && c != '\n') || c == 0x7f)
                fputs("&#xFFFD;", o);
            else
                fputc(c, o);
        }
    }
}

/* Bytes before `n` that end on a character boundary: a cut never splits a UTF-8
 * sequence (continuation bytes are 10xxxxxx). */
static size_t utf8_floor(const char *s, size_t n)
{
    while (n && ((unsigned char)s[n] & 0xc0) == 0x80)
        n--;
    return n;
}

void html_vformat(char *buf, size_t cap, const char *fmt, va_list ap)
{
    if (cap < 8) {
        if (cap)
            buf[0] = '\0';
        return;
    }
    size_t max = cap - 8; /* the bytes past max show whether the cut splits a character */
    int n = vsnprintf(buf, cap, fmt, ap);
    if (n < 0)
        buf[0] = '\0';
    else if ((size_t)n > max)
        buf[utf8_floor(buf, max)] = '\0';
}

void html_printf(FILE *o, const char *fmt, ...)
{
    char buf[HTML_PRINTF_MAX + 8];
    va_list ap;
    va_start(ap, fmt);
    html_vformat(buf, sizeof buf, fmt, ap);
    va_end(ap);
    html_text(o, buf);
}

void html_href(FILE *o, const char *path)
{
    static const char hex[] = "0123456789ABCDEF";
    char buf[3 * 256 + 1];
    size_t n = 0;
    for (const char *p = path ? path : ""; *p; p++) {
        unsigned char c = (unsigned char)*p;
        int keep = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                   strchr("-._~/", c);
        if (n + 3 >= sizeof buf) { /* flushed in pieces: a long path is still whole */
            buf[n] = '\0';
            html_text(o, buf);
            n = 0;
        }
        if (keep) {
            buf[n++] = (char)c;
        } else {
            buf[n++] = '%';
            buf[n++] = hex[c >> 4];
            buf[n++] = hex[c & 15];
        }
    }
    buf[n] = '\0';
    html_text(o, buf);
}

char *html_cut(char *buf, size_t cap, const char *s, size_t max)
{
    size_t len = s ? strlen(s) : 0;
    if (cap < max + 4)
        max = cap > 4 ? cap - 4 : 0;
    if (len <= max) {
        memcpy(buf, s ? s : "", len + 1);
        return buf;
    }
    size_t n = utf8_floor(s, max);
    memcpy(buf, s, n);
    memcpy(buf + n, "\xe2\x80\xa6", 4); /* U+2026 and the NUL */
    return buf;
}

/* Splits the absolute form of `path` (relative ones taken from `cwd`) into its
 * components, "." dropped and ".." resolved by name. Returns the count, -1 when there
 * are too many or it does not fit. */
static int path_parts(char *buf, size_t cap, const char *cwd, const char *path, const char **parts)
{
    int n = snprintf(buf, cap, "%s/%s", path[0] == '/' ? "" : cwd, path);
    if (n < 0 || (size_t)n >= cap)
        return -1;
    int count = 0;
    for (char *save = NULL, *p = strtok_r(buf, "/", &save); p; p = strtok_r(NULL, "/", &save)) {
        if (!strcmp(p, "."))
            continue;
        if (!strcmp(p, "..")) {
            count -= count > 0;
            continue;
        }
        if (count == HTML_PATH_MAX_PARTS)
            return -1;
        parts[count++] = p;
    }
    return count;
}

int html_relative(char *buf, size_t cap, const char *from_dir, const char *target, const char *cwd)
{
    char a[4096], b[4096];
    const char *dir[HTML_PATH_MAX_PARTS], *to[HTML_PATH_MAX_PARTS];
    int nd = path_parts(a, sizeof a, cwd, from_dir && *from_dir ? from_dir : ".", dir);
    int nt = path_parts(b, sizeof b, cwd, target, to);
    if (nd < 0 || nt < 0 || !cap)
        return -1;
    int common = 0;
    while (common < nd && common < nt - 1 && !strcmp(dir[common], to[common]))
        common++;
    size_t len = 0;
    buf[0] = '\0';
    for (int i = common; i < nd + nt - common; i++) {
        const char *part = i < nd ? ".." : to[i - nd + common];
        const char *sep = i + 1 < nd + nt - common ? "/" : "";
        int w = snprintf(buf + len, cap - len, "%s%s", part, sep);
        if (w < 0 || (size_t)w >= cap - len)
            return -1;
        len += (size_t)w;
    }
    return 0;
}
