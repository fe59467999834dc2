/* secondsight - inline SVG for the HTML report: shapes and text at coordinates of a
 * viewBox, text through html_text(), styling left to the page's classes. */
#ifndef SS_OUTPUT_SVG_H
#define SS_OUTPUT_SVG_H

#include <stdio.h>

/* A linear map from the data range [d0, d1] to the drawing range [r0, r1]. */
struct svg_scale {
    double d0, d1, r0, r1;
};

/* v on the drawing range, clamped to it; the middle when the data range is empty,
 * r0 for a value that is not a number. */
double svg_map(const struct svg_scale *s, double v);

/* A coordinate as the page writes it: one decimal, non-finite values as 0, clamped to
 * +-1e6, into buf (at least 16 bytes). Returns buf. */
char *svg_num(char *buf, double v);

/* An <svg> of w x h user units that scales down with its box (never wider than w px),
 * with `label` as its accessible name and <title>. */
void svg_begin(FILE *o, int w, int h, const char *cls, const char *label);
void svg_end(FILE *o);

void svg_rect(FILE *o, double x, double y, double w, double h, const char *cls);
void svg_line(FILE *o, double x1, double y1, double x2, double y2, const char *cls);
void svg_circle(FILE *o, double cx, double cy, double r, const char *cls, const char *tip);
/* A line with an arrowhead at (x2, y2). */
void svg_arrow(FILE *o, double x1, double y1, double x2, double y2, const char *cls);
/* anchor: "start", "middle" or "end". */
void svg_text(FILE *o, double x, double y, const char *anchor, const char *cls, const char *text);
void svg_textf(FILE *o, double x, double y, const char *anchor, const char *cls, const char *fmt,
               ...) __attribute__((format(printf, 6, 7)));
/* A link around the shapes that follow, to "#id" within the page. */
void svg_link_begin(FILE *o, const char *id);
void svg_link_end(FILE *o);

#endif
