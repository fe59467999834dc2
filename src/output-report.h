/* secondsight - the `report` subcommand: JSON-lines findings to one HTML page. */
#ifndef SS_OUTPUT_REPORT_H
#define SS_OUTPUT_REPORT_H

#include <stdio.h>

/* Reads findings and stats records from `in_path` ("-": standard input) and writes a
 * self-contained HTML page to `out`. Returns an exit status: 0, or 2 when the input
 * cannot be read or holds a line that is not a JSON object (named with its number). */
int report_html(const char *in_path, FILE *out, const char *title);

#endif
