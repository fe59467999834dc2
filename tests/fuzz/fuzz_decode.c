/* secondsight - fuzz target: one frame through the link, IP and transport decoders,
 * then the transport checksum over what they found. */
#include "decode-dlt.h"
#include "decode.h"
#include "fuzz.h"
#include "util-checksum.h"

/* Every link type decode_linktype_supported() accepts. make-seeds writes the index. */
static const int linktypes[] = {
    DLT_EN10MB, DLT_LINUX_SLL, DLT_LINUX_SLL2, DLT_RAW,    DLT_NULL, DLT_LOOP,
    DLT_PPP,    DLT_PPP_SERIAL, DLT_PPP_ETHER, DLT_C_HDLC, DLT_IPV4, DLT_IPV6,
};
#define NLINKTYPES (sizeof linktypes / sizeof linktypes[0])

/*
 * Input: a selector byte, then the frame.
 *   bits 0-3  link type: linktypes[sel & 15] (values past the table wrap)
 *   bits 4-5  wire length: 0 = caplen; 1 = caplen + 1000 (a snapped frame);
 *             2 = caplen / 2 (a crafted record claiming less than it holds);
 *             3 = 65535
 */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1 || size - 1 > 0x7fffffff)
        return 0;
    uint8_t sel = data[0];
    size_t caplen = size - 1;
    uint8_t *frame = fuzz_dup(data + 1, caplen);

    struct packet pkt;
    memset(&pkt, 0, sizeof pkt);
    pkt.frame = 1;
    pkt.ts_ns = 1700000000ll * 1000000000;
    pkt.linktype = linktypes[(sel & 15) % NLINKTYPES];
    pkt.caplen = (uint32_t)caplen;
    switch ((sel >> 4) & 3) {
    case 0:
        pkt.wirelen = pkt.caplen;
        break;
    case 1:
        pkt.wirelen = pkt.caplen + 1000;
        break;
    case 2:
        pkt.wirelen = pkt.caplen / 2;
        break;
    default:
        pkt.wirelen = 65535;
        break;
    }
    pkt.data = frame;
    decode_packet(&pkt);

    /* The views must stay inside the frame the decoder was given. */
    const uint8_t *end = frame + caplen;
    if ((pkt.l3 && (pkt.l3 < frame || pkt.l3 > end)) ||
        (pkt.l4 && (pkt.l4 < frame || pkt.l4 > end || pkt.l4_len > (size_t)(end - pkt.l4))) ||
        (pkt.payload && (pkt.payload < frame || pkt.payload_len > (size_t)(end - pkt.payload))) ||
        pkt.payload_len > pkt.payload_wire_len)
        abort();
    for (int ev = 0; ev < DEV__COUNT; ev++)
        if (packet_has_event(&pkt, (enum decode_event)ev) && !decode_event_name(ev)[0])
            abort();

    enum csum_state cs = transport_checksum(&pkt);
    if (cs != CSUM_UNKNOWN && cs != CSUM_OK && cs != CSUM_BAD)
        abort();
    free(frame);
    return 0;
}
