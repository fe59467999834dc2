/* secondsight - IP addresses as text without printf (util-addr.h). */
#include "util-addr.h"

size_t addr_text4(char *out, const uint8_t ip[4])
{
    char *p = out;
    for (int i = 0; i < 4; i++) {
        unsigned v = ip[i];
        if (v >= 100)
            *p++ = (char)('0' + v / 100);
        if (v >= 10)
            *p++ = (char)('0' + v / 10 % 10);
        *p++ = (char)('0' + v % 10);
        if (i < 3)
            *p++ = '.';
    }
    *p = '\0';
    return (size_t)(p - out);
}

size_t addr_text6(char *out, const uint8_t ip[16])
{
    static const char hex[] = "0123456789abcdef";
    unsigned words[8];
    for (int i = 0; i < 8; i++)
        words[i] = (unsigned)ip[2 * i] << 8 | ip[2 * i + 1];
    /* The longest run of zero groups, the first of equal ones, if two or longer. */
    int best = -1, best_len = 0, cur = -1, cur_len = 0;
    for (int i = 0; i <= 8; i++) {
        if (i < 8 && words[i] == 0) {
            if (cur < 0)
                cur = i, cur_len = 0;
            cur_len++;
        } else if (cur >= 0) {
            if (cur_len > best_len)
                best = cur, best_len = cur_len;
            cur = -1;
        }
    }
    if (best_len < 2)
        best = -1;
    char *p = out;
    for (int i = 0; i < 8; i++) {
        if (best >= 0 && i >= best && i < best + best_len) {
            if (i == best)
                *p++ = ':';
            continue;
        }
        if (i)
            *p++ = ':';
        if (i == 6 && best == 0 && (best_len == 6 || (best_len == 5 && words[5] == 0xffff)))
            return (size_t)(p - out) + addr_text4(p, ip + 12);
        int started = 0;
        for (int shift = 12; shift >= 0; shift -= 4) {
            unsigned d = (words[i] >> shift) & 0xf;
            if (d || started || shift == 0) {
                *p++ = hex[d];
                started = 1;
            }
        }
    }
    if (best >= 0 && best + best_len == 8)
        *p++ = ':';
    *p = '\0';
    return (size_t)(p - out);
}
