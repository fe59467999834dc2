/* secondsight - the command line's words (main-usage.c): --help's text and the usage
 * errors, for main.c only. */
#ifndef SS_MAIN_USAGE_H
#define SS_MAIN_USAGE_H

#include <getopt.h>

/* The whole usage text, on standard output. */
void print_usage(void);

/* "secondsight: MESSAGE" and a pointer to --help on stderr; returns EXIT_TROUBLE. */
int usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* getopt_long's complaint about the option just read ('?' unknown, ':' without its
 * value), as a usage error naming the option as it was written. */
int option_error(int c, char **argv, const struct option *longopts);

#endif
