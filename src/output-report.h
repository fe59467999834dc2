/* secondsight - the `report` subcommand: JSON-lines findings to one HTML page. */
#ifndef SS_OUTPUT_REPORT_H
#define SS_OUTPUT_REPORT_H

#include <stdio.h>

/* Reads the records of `analyze --json` or `diff --json` from `in_path` ("-": standard
 * input) and writes a self-contained HTML page to `out` (named `out_name` in messages),
 * which it flushes; links to evidence files are written relative to the directory of
 * `out_path` (NULL: the current directory), the findings' paths taken as relative to
 * the current directory. Returns an exit status after a message on stderr naming the file:
 * 0 written; 2 when the input cannot be read, is a directory, holds no records, or has
 * a line that is not a secondsight record (named with its number; no page is written
 * then), or when `out` could not be written. Any JSON is safe to hand it. */
int report_html(const char *in_path, FILE *out, const char *out_name, const char *out_path,
                const char *title);

#endif
