/* secondsight - the detector registry. Add a detector here and in detect.h. */
#include "detect.h"

const struct detector *const detectors[] = {
    &detector_test_marker, &detector_tcp_injection, &detector_handshake_hijack,
    &detector_tcp_reset,   &detector_dns_injection, &detector_fragment_injection,
};

const unsigned detector_count = sizeof detectors / sizeof detectors[0];
