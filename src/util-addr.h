/* secondsight - IP addresses as text without printf: the DNS summaries format every
 * answer's address, and snprintf with inet_ntop was a tenth of the run on small
 * packets. The text is exactly inet_ntop's (glibc): IPv6 with the longest run of two or
 * more zero groups (the first of equal runs) as "::", lower-case hex, and the last 32
 * bits dotted for IPv4-compatible and IPv4-mapped addresses. */
#ifndef SS_UTIL_ADDR_H
#define SS_UTIL_ADDR_H

#include <stddef.h>
#include <stdint.h>

#define ADDR_TEXT_MAX 46 /* INET6_ADDRSTRLEN: the longest text and its NUL */

/* Writes the text of a 4-byte address at out (NUL-terminated, at most 16 bytes);
 * returns its length. */
size_t addr_text4(char *out, const uint8_t ip[4]);
/* Writes the text of a 16-byte address at out (at most ADDR_TEXT_MAX bytes); returns
 * its length. */
size_t addr_text6(char *out, const uint8_t ip[16]);

#endif
