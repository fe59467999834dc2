/* secondsight - inline SVG primitives for the report's pictures. Coordinates are
 * formatted by one function so that no value from the input can break the markup. */
#include "output-svg.h"

#include <math.h>
#include <stdarg.h>

#include "output-html.h"

double svg_map(const struct svg_scale *s, double v)
{
    double lo = s->r0 < s->r1 ? s->r0 : s->r1, hi = s->r0 < s->r1 ? s->r1 : s->r0;
    if (!isfinite(v))
        return s->r0;
    if (!(s->d1 != s->d0) || !isfinite(s->d1 - s->d0))
        return (s->r0 + s->r1) / 2;
    double r = s->r0 + (v - s->d0) / (s->d1 - s->d0) * (s->r1 - s->r0);
    if (!isfinite(r))
        return s->r0;
    return r < lo ? lo : r > hi ? hi : r;
}

char *svg_num(char *buf, double v)
{
    if (!isfinite(v))
        v = 0;
    if (v > 1e6)
        v = 1e6;
    if (v < -1e6)
        v = -1e6;
    snprintf(buf, 16, "%.1f", v);
    return buf;
}

static void attr_class(FILE *o, const char *cls)
{
    if (!cls || !*cls)
        return;
    fputs(" class=\"", o);
    html_text(o, cls);
    fputc('"', o);
}

void svg_begin(FILE *o, int w, int h, const char *cls, const char *label)
{
    fprintf(o, "<svg viewBox=\"0 0 %d %d\" width=\"%d\" role=\"img\"", w, h, w);
    attr_class(o, cls);
    fputs(" aria-label=\"", o);
    html_text(o, label);
    fputs("\"><title>", o);
    html_text(o, label);
    fputs("</title>\n", o);
}

void svg_end(FILE *o)
{
    fputs("</svg>\n", o);
}

void svg_rect(FILE *o, double x, double y, double w, double h, const char *cls)
{
    char a[16], b[16], c[16], d[16];
    fprintf(o, "<rect x=\"%s\" y=\"%s\" width=\"%s\" height=\"%s\"", svg_num(a, x), svg_num(b, y),
            svg_num(c, w < 0 ? 0 : w), svg_num(d, h < 0 ? 0 : h));
    attr_class(o, cls);
    fputs("/>\n", o);
}

void svg_line(FILE *o, double x1, double y1, double x2, double y2, const char *cls)
{
    char a[16], b[16], c[16], d[16];
    fprintf(o, "<line x1=\"%s\" y1=\"%s\" x2=\"%s\" y2=\"%s\"", svg_num(a, x1), svg_num(b, y1),
            svg_num(c, x2), svg_num(d, y2));
    attr_class(o, cls);
    fputs("/>\n", o);
}

void svg_circle(FILE *o, double cx, double cy, double r, const char *cls, const char *tip)
{
    char a[16], b[16], c[16];
    fprintf(o, "<circle cx=\"%s\" cy=\"%s\" r=\"%s\"", svg_num(a, cx), svg_num(b, cy),
            svg_num(c, r));
    attr_class(o, cls);
    if (!tip) {
        fputs("/>\n", o);
        return;
    }
    fputs("><title>", o);
    html_text(o, tip);
    fputs("</title></circle>\n", o);
}

void svg_arrow(FILE *o, double x1, double y1, double x2, double y2, const char *cls)
{
    double dx = x2 - x1, dy = y2 - y1, len = sqrt(dx * dx + dy * dy);
    char a[16], b[16], c[16], d[16], e[16], f[16];
    svg_line(o, x1, y1, x2, y2, cls);
    if (!(len > 0))
        return;
    dx /= len; /* unit vector along the line, and 8 units back from its tip */
    dy /= len;
    double bx = x2 - 8 * dx, by = y2 - 8 * dy;
    fprintf(o, "<polygon points=\"%s,%s %s,%s %s,%s\"", svg_num(a, x2), svg_num(b, y2),
            svg_num(c, bx - 4 * dy), svg_num(d, by + 4 * dx), svg_num(e, bx + 4 * dy),
            svg_num(f, by - 4 * dx));
    attr_class(o, cls);
    fputs("/>\n", o);
}

void svg_text(FILE *o, double x, double y, const char *anchor, const char *cls, const char *text)
{
    char a[16], b[16];
    fprintf(o, "<text x=\"%s\" y=\"%s\" text-anchor=\"", svg_num(a, x), svg_num(b, y));
    html_text(o, anchor);
    fputc('"', o);
    attr_class(o, cls);
    fputc('>', o);
    html_text(o, text);
    fputs("</text>\n", o);
}

void svg_textf(FILE *o, double x, double y, const char *anchor, const char *cls, const char *fmt,
               ...)
{
    char buf[HTML_PRINTF_MAX + 8];
    va_list ap;
    va_start(ap, fmt);
    html_vformat(buf, sizeof buf, fmt, ap);
    va_end(ap);
    svg_text(o, x, y, anchor, cls, buf);
}

void svg_link_begin(FILE *o, const char *id)
{
    fputs("<a href=\"#", o);
    html_href(o, id);
    fputs("\">", o);
}

void svg_link_end(FILE *o)
{
    fputs("</a>\n", o);
}
