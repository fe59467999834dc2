/* secondsight - Community ID v1 flow hashes (corelight community-id-spec), so findings
 * pivot into Zeek, Suricata and Elastic records of the same flow. */
#ifndef SS_UTIL_CID_H
#define SS_UTIL_CID_H

#include <stddef.h>
#include <stdint.h>

/* "1:" + base64 of a 20-byte SHA-1 + NUL */
#define COMMUNITY_ID_LEN 31

/* Writes the Community ID of a flow into out[COMMUNITY_ID_LEN]. Addresses are 4 bytes
 * (ip_version 4) or 16 bytes (6). For ICMP and ICMPv6, sport and dport carry the type
 * and code. Direction does not matter: both directions give the same ID. */
void community_id_v1(char out[COMMUNITY_ID_LEN], uint16_t seed, int ip_version, const uint8_t *src,
                     const uint8_t *dst, uint8_t proto, uint16_t sport, uint16_t dport);

#endif
