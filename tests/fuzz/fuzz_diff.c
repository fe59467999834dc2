/* secondsight - fuzz target: two capture files through `secondsight diff --json`:
 * both read side by side, the clock estimate, matching, NAT and sequence-offset
 * learning, judging lone packets, findings and the stats record (to /dev/null).
 * Layout: the inside capture's length (4 bytes, little-endian), the inside capture,
 * then the outside capture. The input's size picks --nat (odd: none) and the clock
 * (bit 1 set: --clock-skew 0.5, else auto). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "analyze.h"
#include "diff.h"
#include "fuzz.h"

static FILE *devnull;

static int write_file(const char *tmpl, char *path, const uint8_t *data, size_t size)
{
    strcpy(path, tmpl);
    int fd = mkstemp(path);
    if (fd < 0)
        return 0;
    size_t off = 0;
    while (off < size) {
        ssize_t n = write(fd, data + off, size - off);
        if (n <= 0) {
            close(fd);
            unlink(path);
            return 0;
        }
        off += (size_t)n;
    }
    close(fd);
    return 1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!devnull && !(devnull = fopen("/dev/null", "w"))) {
        perror("fuzz_diff: cannot open /dev/null");
        abort();
    }
    if (size < 4)
        return 0;
    size_t n = (size_t)data[0] | (size_t)data[1] << 8 | (size_t)data[2] << 16 |
               (size_t)data[3] << 24;
    if (n > size - 4)
        n = size - 4;
    char in[64], out[64];
    if (!write_file("/tmp/ss-fuzz-diff-in-XXXXXX", in, data + 4, n) ||
        !write_file("/tmp/ss-fuzz-diff-out-XXXXXX", out, data + 4 + n, size - 4 - n)) {
        perror("fuzz_diff: cannot write temporary captures in /tmp");
        abort();
    }
    struct diff_options o = {
        .inside = in,
        .outside = out,
        .nat = !(size & 1),
        .clock_auto = !(size & 2),
        .clock_offset_ns = 500000000,
        .json = 1,
        .out = devnull,
    };
    int status = diff_run(&o);
    unlink(in);
    unlink(out);
    if (status != EXIT_CLEAN && status != EXIT_FINDINGS && status != EXIT_TROUBLE)
        abort();
    return 0;
}
