/* secondsight - evidence files (--evidence DIR): per finding, a pcap of the flow's
 * packets around the event and a text file with the byte-level diff of the copies and
 * their header deltas, so an analyst can check a finding in Wireshark in minutes. */
#ifndef SS_OUTPUT_EVIDENCE_H
#define SS_OUTPUT_EVIDENCE_H

#include <stdint.h>

#include "config.h"
#include "decode.h"
#include "finding.h"
#include "stats.h"

struct evidence;

/* Opens the writer for `dir` (created if missing), writing at most `max_files`
 * evidence pcaps; NULL with errno on failure. */
struct evidence *evidence_new(const char *dir, uint64_t max_files);
/* Closes every evidence pcap still being written. */
void evidence_free(struct evidence *ev);

/* Every frame read, before it is decoded further (`pkt` as the capture layer and the
 * decoder left it). */
void evidence_packet(struct evidence *ev, const struct packet *pkt);

/* Writes the evidence of a finding and sets f->evidence_pcap; the pcap stays open
 * for the flow's next EVIDENCE_AFTER packets. */
void evidence_finding(struct evidence *ev, struct finding *f, uint64_t index);

const struct evidence_stats *evidence_stats(const struct evidence *ev);

#endif
