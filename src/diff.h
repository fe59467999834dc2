/* secondsight diff - two captures taken on both sides of one device (a router, a
 * firewall, a gateway), read side by side in time order: every packet is matched with
 * its counterpart on the other side, allowing what forwarding legitimately changes,
 * and what is left is reported as modified, injected or dropped by the device. */
#ifndef SS_DIFF_H
#define SS_DIFF_H

#include <stdint.h>
#include <stdio.h>

struct output_format;

struct diff_options {
    const char *inside, *outside;       /* the LAN-side and WAN-side captures */
    int nat;                            /* learn address and port rewrites per conversation */
    int clock_auto;                     /* estimate the clock offset from the captures */
    int64_t clock_offset_ns;            /* else: outside clock minus inside clock */
    const struct output_format *format; /* NULL: text */
    const char *sensor;                 /* --sensor-name */
    int color;
    FILE *out;
    const char *out_name; /* -o FILE for messages; NULL: standard output */
};

/* Runs the comparison and writes findings, the conversations with findings and a
 * stats record; messages about unreadable files go to stderr. Returns an exit status. */
int diff_run(const struct diff_options *o);

#endif
