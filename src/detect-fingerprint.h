/* secondsight - what detectors make of a sample judged against its direction's
 * baseline (flow-baseline.h): tell names and a finding's copy. Shared by
 * tcp_injection, forged_packet, handshake_hijack and tcp_reset_injection. */
#ifndef SS_DETECT_FINGERPRINT_H
#define SS_DETECT_FINGERPRINT_H

#include "finding.h"
#include "flow-baseline.h"
#include "flow.h"

/* Writes the names of the tells as a list (util-strlist.h), whole names only. */
void fp_tell_names(unsigned tells, char *buf, size_t size);

/* Fills a finding copy from a sample. */
void fp_copy(struct finding_copy *c, const struct fp_sample *s, const char *role,
             const struct fp_verdict *v, uint8_t csum);

#endif
