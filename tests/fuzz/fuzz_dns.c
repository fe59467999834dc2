/* secondsight - fuzz target: one DNS message (RFC 1035) through dns_parse, then the
 * promises its header makes about the result: bounded, terminated strings. */
#include "decode-dns.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    uint8_t *msg = fuzz_dup(data, size);
    struct dns_msg m;
    memset(&m, 0xa5, sizeof m); /* nothing the parser leaves unset may look valid */
    if (dns_parse(msg, size, &m)) {
        if (memchr(m.qname, '\0', sizeof m.qname) == NULL ||
            memchr(m.summary, '\0', sizeof m.summary) == NULL || m.nanswers > DNS_MAX_ANSWERS ||
            m.nanswers > m.ancount || m.qr > 1 || m.opcode > 15 || m.rcode > 15)
            abort();
        /* lower case (a label may itself hold a dot, so dots prove nothing) */
        for (const char *c = m.qname; *c; c++)
            if (*c >= 'A' && *c <= 'Z')
                abort();
    }
    free(msg);
    return 0;
}
