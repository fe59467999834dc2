/* secondsight - test_marker: a test-only detector that proves the path from capture to
 * output. It flags a TCP or UDP payload that starts with the marker below. */
#include <stdio.h>
#include <string.h>

#include "detect.h"

#define MARKER "SECONDSIGHT-TEST-MARKER"

static void test_marker_packet(void *state, const struct detect_ctx *ctx, struct finding_sink *sink)
{
    const struct packet *pkt = ctx->pkt;
    (void)state;
    if (!pkt->l4_ok || (pkt->proto != IPPROTO_NUM_TCP && pkt->proto != IPPROTO_NUM_UDP))
        return;
    if (pkt->payload_len < sizeof MARKER - 1 || memcmp(pkt->payload, MARKER, sizeof MARKER - 1))
        return;

    struct finding f;
    memset(&f, 0, sizeof f);
    f.class_name = "test_marker";
    f.confidence = CONF_LOW;
    finding_set_flow_from_packet(&f, pkt);
    finding_add_frame(&f, FRAME_REF(pkt->file_index, pkt->frame), 0);
    snprintf(f.summary, sizeof f.summary, "test marker in a %u-byte payload",
             (unsigned)pkt->payload_len);
    finding_evidence_int(&f, "payload_len", pkt->payload_len);
    if (ctx->seg)
        finding_evidence_int(&f, "stream_pos", ctx->seg->pos);
    sink->emit(sink, &f);
}

const struct detector detector_test_marker = {
    .name = "test_marker",
    .test_only = 1,
    .on_packet = test_marker_packet,
};
