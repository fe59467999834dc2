/* secondsight - codes in words, for whatever people read (text output, the report,
 * detectors' summaries): each tell code as a clause, hop estimates, lists of tells,
 * DNS types and rcodes by name, TCP flags by name. JSON keeps the codes; the words
 * live here once, and docs/tells.md maps each code to its clause. */
#ifndef SS_UTIL_PHRASE_H
#define SS_UTIL_PHRASE_H

#include <stddef.h>
#include <stdint.h>

/* The clause a tell code stands for, about the suspect packet and its sender, e.g.
 * "ttl" -> "its TTL is one the sender's other packets never had"; NULL for a code
 * not in the table. It reads after "frame 5 is judged forged: ". */
const char *phrase_tell(const char *code);
/* The table, for tests and docs: the i-th code (i < phrase_tell_count()). */
size_t phrase_tell_count(void);
const char *phrase_tell_code(size_t i);

/* The tells of a util-strlist.h list as clauses joined by ", " and " and ", with
 * "sender" said as `side` ("server", "client"; NULL keeps "sender"). An unknown code
 * is named as it is. Cut as snprintf cuts; "" for the empty list. Returns buf. */
char *phrase_tells(char *buf, size_t cap, const char *list, const char *side);

/* The short noun of a code, for lists: "ttl" -> "TTL", "ip_id_from_query" -> "IP-ID",
 * "no_timestamp" -> "timestamps"; the tell codes, the header fields two SYN/ACKs
 * differ in ("mss" -> "MSS", "wscale" -> "window scale") and what a device changed
 * ("tcp_flags" -> "TCP flags"). NULL for a code not named. */
const char *phrase_noun(const char *code);
/* The nouns of a util-strlist.h list joined by ", " and " and ", each said once ("ttl"
 * and "ttl_far" are both "TTL"): "TTL, DF bit and timestamps". An unknown code is named
 * as it is. Cut as snprintf cuts; "" for the empty list. Returns buf. */
char *phrase_nouns(char *buf, size_t cap, const char *list);

/* Where a sender is, from its estimated hop count, to follow "is" or "the forger is":
 * 0 -> "on the capture point's own network segment", 1 -> "about 1 hop away",
 * N -> "about N hops away", negative -> "at an unknown distance". Returns buf. */
char *phrase_hops(char *buf, size_t cap, int hops);

/* A DNS type by name ("A", "AAAA", "HTTPS"), or NULL for a type not named here. */
const char *phrase_dns_type(long long qtype);
/* A DNS rcode by name ("NOERROR", "NXDOMAIN"), or NULL. */
const char *phrase_dns_rcode(long long rcode);
/* The same, always text: the name, else "TYPE65534" / "RCODE 12" (RFC 3597 style). */
char *phrase_dns_type_text(char *buf, size_t cap, long long qtype);
char *phrase_dns_rcode_text(char *buf, size_t cap, long long rcode);

/* TCP flag bits by name: "FIN, PSH and ACK", "SYN and ACK", "no flags". */
char *phrase_tcp_flags(char *buf, size_t cap, uint8_t flags);
/* The bits of tcpdump's flag letters as the JSON writes them ("FP." is FIN, PSH, ACK);
 * other characters are ignored. */
uint8_t phrase_tcp_flag_bits(const char *letters);

/* Bytes as printable text within `cap`: printable ASCII as it is, CR LF as "\r\n",
 * a tab as "\t", others as "." (so "BANG! BANG!" reads, binary shows its shape);
 * at most `max` bytes of input, and "..." after them when `len` was more. */
char *phrase_excerpt(char *buf, size_t cap, const uint8_t *data, size_t len, size_t max);

#endif
