/* secondsight - decoded packet view and decode events.
 * Decoders fill a caller-owned struct packet with zero-copy views; they never allocate. */
#ifndef SS_DECODE_H
#define SS_DECODE_H

#include <stddef.h>
#include <stdint.h>

#include "config.h"

/* Named decode events. Truncated (the bytes stop early, usually the snap length) and
 * invalid (the bytes are there but say something impossible) are kept apart. Each
 * event is counted once per packet where it occurs. Keep decode_event_name() in step. */
enum decode_event {
    DEV_LINK_TRUNCATED,
    DEV_VLAN_TOO_DEEP,
    DEV_MPLS_TOO_DEEP,
    DEV_NOT_IP, /* ARP, LLDP and friends: counted, not decoded */
    DEV_IPV4_TRUNCATED,
    DEV_IPV4_INVALID_VERSION,
    DEV_IPV4_INVALID_HLEN,
    DEV_IPV4_INVALID_TOTAL_LEN,
    DEV_IPV4_INVALID_OPTION,
    DEV_IPV4_FRAGMENT, /* recognised, not an error */
    DEV_IPV6_TRUNCATED,
    DEV_IPV6_INVALID_VERSION,
    DEV_IPV6_EXTHDR_TRUNCATED,
    DEV_IPV6_TOO_MANY_EXTHDRS,
    DEV_IPV6_FRAGMENT, /* recognised, not an error */
    DEV_TCP_TRUNCATED,
    DEV_TCP_INVALID_HLEN,
    DEV_TCP_OPTION_INVALID,
    DEV_UDP_TRUNCATED,
    DEV_UDP_INVALID_LEN,
    DEV_ICMP_TRUNCATED,
    DEV_ICMPV6_TRUNCATED,
    DEV_PAYLOAD_SNAPPED,     /* transport payload cut by the snap length */
    DEV_LINK_PADDING,        /* trailing link bytes beyond the IP length (never payload) */
    DEV_TCP_PADDING_PAYLOAD, /* trailing zero "payload" in a minimum-size frame: padding
                              * an upstream device counted into the IP length, dropped */
    DEV_DNS_TRUNCATED,       /* a DNS message on port 53 that ends early (dns_injection) */
    DEV_DNS_INVALID,         /* ... whose names or question cannot be */
    DEV__COUNT
};

const char *decode_event_name(enum decode_event ev);

/* TCP flags as on the wire (RFC 9293, RFC 3168). */
#define TH_FIN 0x01
#define TH_SYN 0x02
#define TH_RST 0x04
#define TH_PSH 0x08
#define TH_ACK 0x10
#define TH_URG 0x20
#define TH_ECE 0x40
#define TH_CWR 0x80

/* TCP option kinds we name (IANA registry). */
#define TCPOPT_EOL 0
#define TCPOPT_NOP 1
#define TCPOPT_MSS 2
#define TCPOPT_WSCALE 3
#define TCPOPT_SACK_PERMITTED 4
#define TCPOPT_SACK 5
#define TCPOPT_TIMESTAMP 8

#define IPPROTO_NUM_ICMP 1
#define IPPROTO_NUM_TCP 6
#define IPPROTO_NUM_UDP 17
#define IPPROTO_NUM_ICMPV6 58

struct tcp_view {
    uint32_t seq, ack;
    uint16_t window;
    uint16_t urgent;
    uint16_t checksum;
    uint8_t flags;
    uint8_t reserved; /* the 4 reserved bits (incl. the old NS bit) */
    uint8_t hlen;     /* header length in bytes */
    uint8_t nopts;    /* option kinds in order of appearance */
    uint8_t opt_kinds[TCP_MAX_OPTS];
    uint8_t has_mss : 1, has_wscale : 1, has_sack_perm : 1, has_sack : 1, has_ts : 1;
    uint16_t mss;
    uint8_t wscale;
    uint32_t tsval, tsecr;
};

struct udp_view {
    uint16_t length;
    uint16_t checksum;
};

struct icmp_view {
    uint8_t type, code;
};

struct capture_block;

/* One decoded frame. Pointers point into the capture buffer and are valid only for
 * the duration of the callback that received the packet. */
struct packet {
    /* capture */
    uint32_t file_index; /* which input file, 0-based */
    uint64_t frame;      /* 1-based frame number within that file */
    int64_t ts_ns;       /* packet time, ns since the epoch */
    uint32_t caplen, wirelen;
    int linktype;
    const uint8_t *data;
    /* The shared read block data points into (capture-block.h), NULL for a frame
     * libpcap or the pcapng reader handed over: holding it keeps data valid. */
    struct capture_block *block;

    /* network layer: 0 when the frame carried no IP packet we could read */
    uint8_t ip_version;             /* 4 or 6 */
    uint8_t ip_src[16], ip_dst[16]; /* IPv4 in the first 4 bytes */
    uint8_t ttl;                    /* TTL or hop limit */
    uint8_t tos;                    /* TOS / traffic class */
    uint8_t df : 1, mf : 1, has_ip_options : 1, is_fragment : 1;
    uint16_t ip_id;       /* IPv4 identification */
    uint32_t frag_id;     /* IPv4 id or IPv6 fragment identification */
    uint32_t flow_label;  /* IPv6 */
    uint16_t frag_offset; /* in bytes */
    uint16_t ip_hlen;     /* bytes of IP header incl. options / extension headers */
    uint32_t ip_len;      /* IP total length as claimed (IPv6: 40 + payload length),
                           * lowered to what the wire carried when that was less */
    uint8_t proto;        /* final transport protocol number */
    const uint8_t *l3;    /* start of the IP header */
    const uint8_t *l4;    /* start of the transport header (NULL if none decoded) */
    uint32_t l4_len;      /* transport bytes present (clamped) */

    /* transport: l4_ok is set when the header below was decoded completely */
    uint8_t l4_ok;
    uint16_t sport, dport;
    union {
        struct tcp_view tcp;
        struct udp_view udp;
        struct icmp_view icmp;
    } u;

    /* payload after the transport header, clamped to min(caplen, wire, IP length) */
    const uint8_t *payload;
    uint32_t payload_len;      /* bytes present in the capture */
    uint32_t payload_wire_len; /* bytes the packet carried on the wire */

    /* events seen while decoding this frame (bit per enum decode_event) */
    uint64_t events;
};

_Static_assert(DEV__COUNT <= 64, "decode events must fit the per-packet bitmask");

/* Per-run counters of decode events. */
struct decode_stats {
    uint64_t events[DEV__COUNT];
};

/* True when libpcap link type `linktype` is one this build decodes. */
int decode_linktype_supported(int linktype);

/* libpcap's DLT_ value for the LINKTYPE_ value a capture file records (they differ for
 * a few, e.g. LINKTYPE_RAW 101 is DLT_RAW), as pcap_datalink() would give it. */
int decode_dlt_of_linktype(unsigned linktype);

/* Decodes one frame into `pkt` (whose capture fields the caller set). Never fails:
 * what could not be decoded is recorded in pkt->events and left zero. */
void decode_packet(struct packet *pkt);
/* Decodes the reassembled IP datagram `whole` (len bytes, raw IP) into dg as the frame
 * `completing` that completed it: same file, frame number and time. */
void decode_reassembled(struct packet *dg, const struct packet *completing, const uint8_t *whole,
                        uint32_t len);

/* Internal entry points, one per protocol file; `r` spans the protocol's bytes. */
struct reader;
void decode_ipv4(struct packet *pkt, struct reader *r);
void decode_ipv6(struct packet *pkt, struct reader *r);
void decode_tcp(struct packet *pkt, struct reader *r);
void decode_udp(struct packet *pkt, struct reader *r);
void decode_icmp(struct packet *pkt, struct reader *r);

static inline void packet_event(struct packet *pkt, enum decode_event ev)
{
    pkt->events |= (uint64_t)1 << ev;
}

static inline int packet_has_event(const struct packet *pkt, enum decode_event ev)
{
    return (pkt->events >> ev) & 1;
}

#endif
