/* secondsight - `locate`: repeats one request with its IP TTL limited to 1, 2, 3 ... and
 * watches, with libpcap on the outgoing interface, which hop's request draws a forged
 * answer. The driver over the pipeline (the same detectors as analyze) and the outputs. */
#ifndef SS_RUN_LOCATE_H
#define SS_RUN_LOCATE_H

#include "locate.h"

/* Runs the probes and writes the results; returns an exit status (0 nothing found, 1 a
 * forger located or an injection seen, 2 a usage, privilege or network error). */
int locate_run(const struct locate_options *o);

#endif
