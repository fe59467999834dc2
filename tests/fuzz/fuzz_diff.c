/* secondsight - fuzz target: two capture files through `secondsight diff --json`:
 * both read side by side, the clock estimate, matching, NAT and sequence-offset
 * learning, judging lone packets, findings and the stats record (to /dev/null).
 * Layout: the inside capture's length (4 bytes, little-endian), the inside capture,
 * then the outside capture. The input's size picks --nat (odd: none) and the clock
 * (bit 1 set: --clock-skew 0.5, else auto) and the format (bit 2 set: EVE). */
#include <stdio.h>

#include "output.h"
#include "run.h"
#include "diff.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 4)
        return 0;
    size_t n = (size_t)data[0] | (size_t)data[1] << 8 | (size_t)data[2] << 16 |
               (size_t)data[3] << 24;
    if (n > size - 4)
        n = size - 4;
    char in[] = "/tmp/ss-fuzz-diff-in-XXXXXX", out[] = "/tmp/ss-fuzz-diff-out-XXXXXX";
    fuzz_write_temp(in, data + 4, n);
    fuzz_write_temp(out, data + 4 + n, size - 4 - n);
    struct diff_options o = {
        .inside = in,
        .outside = out,
        .nat = !(size & 1),
        .clock_auto = !(size & 2),
        .clock_offset_ns = 500000000,
        .format = size & 4 ? &output_format_eve : &output_format_json,
        .sensor = "fuzz",
        .out = fuzz_devnull(),
    };
    int status = diff_run(&o);
    unlink(in);
    unlink(out);
    if (status != EXIT_CLEAN && status != EXIT_FINDINGS && status != EXIT_TROUBLE &&
        status != EXIT_INCONCLUSIVE)
        abort();
    return 0;
}
