/* secondsight - fuzz target: bytes as the start of an HTTP/1.x response through
 * http_response_parse and http_response_tells, into the caller's buffer size and into
 * small ones (the tells must be cut, never overrun). */
#include "decode-http.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    uint8_t *p = fuzz_dup(data, size);
    struct http_response r;
    http_response_parse(p, size, &r);
    if (memchr(r.location, '\0', sizeof r.location) == NULL || r.body_len > size ||
        (r.status && (r.status < 0 || r.status > 999)) || r.content_length < -1)
        abort();

    char tells[160]; /* as detect-tcp-injection.c has it */
    http_response_tells(&r, tells, sizeof tells);
    if (memchr(tells, '\0', sizeof tells) == NULL)
        abort();
    /* a short buffer, exactly sized so ASan sees a write past it */
    size_t small = 1 + size % 24;
    char *cut = malloc(small);
    if (!cut)
        abort();
    http_response_tells(&r, cut, small);
    if (memchr(cut, '\0', small) == NULL || strncmp(cut, tells, strlen(cut)) != 0)
        abort();
    free(cut);
    free(p);
    return 0;
}
