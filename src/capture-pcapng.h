/* secondsight - pcapng files read block by block, so that each interface keeps its
 * own link type (libpcap 1.10 calls a file whose interfaces differ in link type
 * damaged, and hands over no interface id with a packet). */
#ifndef SS_CAPTURE_PCAPNG_H
#define SS_CAPTURE_PCAPNG_H

#include <stdint.h>
#include <stdio.h>

#define PCAPNG_SHB_TYPE 0x0A0D0D0Au
#define PCAPNG_MAX_BLOCK (16u << 20) /* libpcap's largest block, too */
#define PCAPNG_MAX_IFACES_READ 256u  /* interfaces per section */
#define PCAPNG_MAX_CAPLEN 262144u    /* longer packets are cut, as libpcap does */

struct pcapng_iface {
    int dlt; /* libpcap's DLT_ value for the interface's link type */
    uint32_t snaplen;
    uint64_t units;   /* time stamp units per second (if_tsresol) */
    int64_t offset_s; /* if_tsoffset, seconds added to every time stamp */
};

/* One packet: data valid until the next call. */
struct pcapng_packet {
    const struct pcapng_iface *iface;
    int64_t sec, nsec;
    uint32_t caplen, wirelen;
    const uint8_t *data;
};

/* A reader over `fp`, positioned at a Section Header Block. Owns nothing but its
 * buffer; the caller closes fp. */
struct pcapng {
    FILE *fp;
    int be;       /* the current section is big-endian */
    uint64_t off; /* bytes consumed: where the next block starts */
    uint8_t *buf; /* the current block */
    size_t cap;
    struct pcapng_iface ifaces[PCAPNG_MAX_IFACES_READ];
    uint32_t nifaces;
    char err[200]; /* why the last call failed */
};

/* Reads blocks up to and including the first Interface Description Block: 1 with
 * ng->ifaces[0] set, 0 with ng->err set (not pcapng, damaged, or no interface). */
int pcapng_open(struct pcapng *ng, FILE *fp);
/* 1 with *pkt set; 0 at the end of the file; -1 with ng->err set at damage (ng->off
 * is then where the damaged block starts). Interfaces described along the way are
 * added to ng->ifaces (a new section starts them afresh). */
int pcapng_next(struct pcapng *ng, struct pcapng_packet *pkt);
void pcapng_release(struct pcapng *ng);

#endif
