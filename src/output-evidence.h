/* secondsight - evidence files (--evidence DIR): per finding, a pcap of the flow's
 * packets around the event and a text file with the byte-level diff of the copies and
 * their header deltas, so an analyst can check a finding in Wireshark in minutes. */
#ifndef SS_OUTPUT_EVIDENCE_H
#define SS_OUTPUT_EVIDENCE_H

#include <stdint.h>

#include "decode.h"
#include "finding.h"
#include "stats.h"

/* Recent frames kept for evidence: this many, and this many bytes of them. */
#define EVIDENCE_RING_FRAMES 65536u
#define EVIDENCE_RING_BYTES (64u << 20)
/* Per finding: flow packets written from before the event, and after it. */
#define EVIDENCE_BEFORE 64u
#define EVIDENCE_AFTER 16u
/* Evidence files per run, and evidence pcaps being written at once. */
#define EVIDENCE_MAX_FILES 1000u
#define EVIDENCE_MAX_OPEN 32u
/* Numbers tried for a finding's file names before it goes without evidence: a name
 * taken by an earlier run's evidence is never reused. */
#define EVIDENCE_NAME_TRIES 100000u

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
