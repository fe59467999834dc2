/* secondsight - formatting helpers every output shares (JSON, text, report, messages). */
#ifndef SS_OUTPUT_FORMAT_H
#define SS_OUTPUT_FORMAT_H

#include <stdint.h>

#include "decode.h"
#include "stats.h"

/* Formats packet time as ISO 8601 UTC with microseconds into buf[32]. */
void format_timestamp(char buf[32], int64_t ts_ns);
/* The same in Suricata EVE's form, "2015-04-21T00:40:01.924434+0000", into buf[40]. */
void format_timestamp_eve(char buf[40], int64_t ts_ns);
/* Formats an IPv4 or IPv6 address into buf[46]. */
void format_ip(char buf[46], int ip_version, const uint8_t *addr);
const char *proto_name(uint8_t proto);
void format_tcp_flags(char buf[12], uint8_t flags);
/* "tampered" (something modified, injected or dropped), "inconclusive" (nothing crossed
 * the device, or packets that could not be judged) or "clean". */
const char *diff_verdict(const struct diff_stats *d);
const char *linktype_name(int linktype);
#define FILE_LINKTYPE_NAMES 128
/* The file's link type names, comma-separated when a pcapng file's interfaces have
 * several ("EN10MB,RAW"), into buf; returns buf. */
const char *file_linktype_names(const struct file_stats *fs, char buf[FILE_LINKTYPE_NAMES]);

#endif
