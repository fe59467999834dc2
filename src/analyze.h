/* secondsight - the analysis pipeline: capture -> decode -> flow -> detect -> output,
 * shared by every subcommand that reads packets. */
#ifndef SS_ANALYZE_H
#define SS_ANALYZE_H

#include <stdio.h>

#include "flow.h"

struct analyze_options {
    int json;
    int color;
    int test_detectors;       /* also run test-only detectors */
    int progress;             /* a progress line on stderr (a terminal, not --quiet) */
    const char *evidence_dir; /* --evidence DIR, or NULL */
    FILE *out;
    struct flow_config flow;
};

/* Exit statuses (DESIGN.md): nothing found, findings reported, usage or input error. */
enum { EXIT_CLEAN = 0, EXIT_FINDINGS = 1, EXIT_TROUBLE = 2 };

/* Analyses the files in order, one flow table across them (rotated captures continue
 * each other). Writes findings as they are made and a final stats record. Messages
 * about files that could not be read go to stderr. Returns an exit status. */
int analyze_files(const struct analyze_options *opt, char *const *paths, int npaths);

#endif
