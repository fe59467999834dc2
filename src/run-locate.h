/* secondsight - `locate`: repeats one request with its IP TTL limited to 1, 2, 3 ... and
 * watches, with libpcap on the outgoing interface, which hop's request draws a forged
 * answer. The driver over the pipeline (the same detectors as analyze) and the outputs. */
#ifndef SS_RUN_LOCATE_H
#define SS_RUN_LOCATE_H

#include <stdio.h>

#include "locate.h"

struct output_format;

struct locate_options {
    enum locate_method method;
    const char *url;    /* --url http://HOST[:PORT]/PATH */
    const char *qname;  /* --dns NAME */
    const char *server; /* --server ADDR[:PORT] */
    const char *host;   /* --host: the Host header (default: the URL's HOST) */
    const char *iface;  /* -i: the outgoing interface (default: the route's) */
    const char *write;  /* -w FILE: the captured packets as a pcap */
    unsigned max_ttl, tries, wait_ms, timeout_ms;
    int dry_run;
    const struct output_format *format; /* NULL: text */
    const char *sensor;                 /* --sensor-name */
    int color;
    FILE *out;
    const char *out_name;
};

/* Runs the probes and writes the results; returns an exit status (0 nothing found, 1 a
 * forger located or an injection seen, 2 a usage, privilege or network error). */
int locate_run(const struct locate_options *o);

#endif
