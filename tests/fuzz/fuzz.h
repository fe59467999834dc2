/* secondsight - what every fuzz target shares: libFuzzer's entry point, which replay.c
 * also calls, so each target builds as a libFuzzer target and as a replay program. */
#ifndef SS_FUZZ_H
#define SS_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Runs one input: `data` is read-only and exactly `size` bytes. Returns 0; a bug
 * aborts (sanitizer report, or abort() on a broken invariant). */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A copy of data[0..size) in its own allocation of exactly that size (one byte for an
 * empty input), so the first byte read past either end lands in ASan's redzone. */
static inline uint8_t *fuzz_dup(const uint8_t *data, size_t size)
{
    uint8_t *p = malloc(size ? size : 1);
    if (!p)
        abort();
    if (size)
        memcpy(p, data, size);
    return p;
}

/* /dev/null opened once for writing, for the targets whose output is not checked;
 * aborts when it cannot be opened. */
static inline FILE *fuzz_devnull(void)
{
    static FILE *devnull;
    if (!devnull && !(devnull = fopen("/dev/null", "w"))) {
        perror("fuzz: cannot open /dev/null");
        abort();
    }
    return devnull;
}

/* Writes data[0..size) to a fresh file made from the mkstemp template `path` (which
 * receives the name); aborts when /tmp cannot take it. */
static inline void fuzz_write_temp(char *path, const uint8_t *data, size_t size)
{
    int fd = mkstemp(path);
    size_t off = 0;
    while (fd >= 0 && off < size) {
        ssize_t n = write(fd, data + off, size - off);
        if (n <= 0)
            break;
        off += (size_t)n;
    }
    if (fd < 0 || off < size) {
        perror("fuzz: cannot write a temporary capture in /tmp");
        abort();
    }
    close(fd);
}

#endif
