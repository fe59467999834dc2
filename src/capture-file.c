/* secondsight - capture files through libpcap: pcap and pcapng, microsecond and
 * nanosecond time, read with nanosecond precision. A damaged record ends the file
 * with an error naming the byte offset where the last good record ended. */
#include <errno.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <pcap/pcap.h>

#include "capture.h"
#include "util-reader.h"

/* libpcap's messages for a damaged file say what was wrong but not where, so we keep
 * the offset where the last good record ended. */
static uint64_t file_offset(pcap_t *p)
{
    FILE *fp = pcap_file(p);
    long off = fp ? ftell(fp) : -1;
    return off < 0 ? 0 : (uint64_t)off;
}

/* Packet time in ns. A crafted record can claim any seconds value; times outside
 * what 64-bit nanoseconds hold (1970 to 2262) are clamped so arithmetic on them stays
 * defined. */
int64_t packet_time_ns(int64_t sec, int64_t nsec)
{
    const int64_t max_sec = INT64_MAX / 1000000000 - 1; /* 2262-04-11 */
    if (sec < 0)
        return 0;
    if (sec > max_sec)
        sec = max_sec;
    if (nsec < 0 || nsec > 999999999)
        nsec = 0;
    return sec * 1000000000 + nsec;
}

void capture_frame(struct packet *pkt, struct file_stats *fs, uint32_t index, int64_t sec,
                   int64_t nsec, uint32_t caplen, uint32_t wirelen, const uint8_t *data)
{
    memset(pkt, 0, sizeof *pkt);
    pkt->file_index = index;
    pkt->frame = fs->packets;
    pkt->ts_ns = packet_time_ns(sec, nsec);
    pkt->caplen = caplen;
    pkt->wirelen = wirelen;
    pkt->linktype = fs->linktype;
    pkt->data = data;
    if (!fs->first_ts)
        fs->first_ts = pkt->ts_ns;
    fs->last_ts = pkt->ts_ns;
}

enum capture_result capture_file_open(struct capture_file *cf, const char *path,
                                      uint32_t file_index, struct file_stats *fs)
{
    char errbuf[PCAP_ERRBUF_SIZE] = "";
    memset(cf, 0, sizeof *cf);
    cf->fs = fs;
    cf->index = file_index;
    fs->path = path;
    fs->linktype = -1;

    cf->p = pcap_open_offline_with_tstamp_precision(path, PCAP_TSTAMP_PRECISION_NANO, errbuf);
    if (!cf->p) {
        /* libpcap starts some messages with the path; we name the file ourselves. */
        const char *msg = errbuf[0] ? errbuf : "cannot open";
        size_t plen = strlen(path);
        if (!strncmp(msg, path, plen) && !strncmp(msg + plen, ": ", 2))
            msg += plen + 2;
        fs->failed = 1;
        snprintf(fs->error, sizeof fs->error, "%s", msg);
        return CAPTURE_OPEN_FAILED;
    }
    fs->linktype = pcap_datalink(cf->p);
    cf->supported = decode_linktype_supported(fs->linktype);
    /* A classic pcap file has a 24-byte header and 16 bytes before each record, so the
     * offset is counted; pcapng blocks vary, so there we ask the stream (a syscall). */
    cf->good_end = file_offset(cf->p);
    cf->classic = cf->good_end == 24;
    return CAPTURE_OK;
}

int capture_file_next(struct capture_file *cf, struct packet *pkt)
{
    struct file_stats *fs = cf->fs;
    struct pcap_pkthdr *h;
    const u_char *data;
    while ((cf->rc = pcap_next_ex(cf->p, &h, &data)) == 1) {
        fs->packets++;
        fs->bytes += h->len;
        cf->good_end = cf->classic ? cf->good_end + 16 + h->caplen : file_offset(cf->p);
        if (!cf->supported) {
            fs->skipped++;
            continue;
        }
        capture_frame(pkt, fs, cf->index, h->ts.tv_sec, h->ts.tv_usec, h->caplen, h->len, data);
        return 1;
    }
    return 0;
}

enum capture_result capture_file_close(struct capture_file *cf)
{
    struct file_stats *fs = cf->fs;
    enum capture_result res = CAPTURE_OK;
    if (cf->rc == PCAP_ERROR) {
        fs->failed = 1;
        fs->error_offset = cf->good_end;
        if (cf->good_end)
            snprintf(fs->error, sizeof fs->error, "damaged at byte offset %" PRIu64
                     " after %" PRIu64 " good packets: %s", cf->good_end, fs->packets,
                     pcap_geterr(cf->p));
        else /* a pipe: no offsets to tell */
            snprintf(fs->error, sizeof fs->error, "damaged after %" PRIu64 " good packets: %s",
                     fs->packets, pcap_geterr(cf->p));
        res = CAPTURE_DAMAGED;
    }
    pcap_close(cf->p);
    cf->p = NULL;
    return res;
}

enum capture_result capture_file_read(const char *path, uint32_t file_index,
                                      struct file_stats *fs, capture_cb cb, void *arg)
{
    struct capture_file cf;
    enum capture_result r = capture_file_open(&cf, path, file_index, fs);
    if (r != CAPTURE_OK)
        return r;
    struct packet pkt;
    while (capture_file_next(&cf, &pkt))
        cb(arg, &pkt);
    return capture_file_close(&cf);
}

/* ---- pcapng interface statistics ----
 * libpcap reads pcapng but does not hand over its Interface Statistics Blocks, where a
 * capture tool such as dumpcap records how many packets it lost; read them here. */

#define PCAPNG_SHB 0x0A0D0D0Au
#define PCAPNG_ISB 5u
#define PCAPNG_MAX_IFACES 64u
#define ISB_IFDROP 5u  /* dropped by the interface */
#define ISB_OSDROP 7u  /* dropped by the operating system (the capture buffer) */

static uint32_t get32(const uint8_t *p, int be)
{
    return be ? (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3]
              : (uint32_t)p[3] << 24 | (uint32_t)p[2] << 16 | (uint32_t)p[1] << 8 | p[0];
}

int capture_file_drops(const char *path, uint64_t *drops)
{
    FILE *fp = fopen(path, "rb");
    if (!fp)
        return 0;
    uint64_t last[PCAPNG_MAX_IFACES] = {0};
    int seen = 0, be = 0;
    uint8_t head[12], body[4096];
    while (fread(head, 1, 8, fp) == 8) {
        uint32_t type = get32(head, 0);
        if (type == PCAPNG_SHB) {
            if (fread(head + 8, 1, 4, fp) != 4)
                break;
            be = head[8] == 0x1A; /* the byte-order magic 0x1A2B3C4D as written */
            if (fseek(fp, -4, SEEK_CUR) != 0)
                break;
        } else if (!seen && ftell(fp) == 8) {
            break; /* not pcapng (a classic pcap file has no such counters) */
        }
        type = get32(head, be);
        uint32_t len = get32(head + 4, be);
        if (len < 12 || len % 4)
            break;
        uint32_t blen = len - 12;
        if (type != PCAPNG_ISB || blen > sizeof body || blen < 12) {
            if (fseek(fp, (long)len - 8, SEEK_CUR) != 0)
                break;
            continue;
        }
        if (fread(body, 1, blen, fp) != blen || fseek(fp, 4, SEEK_CUR) != 0)
            break;
        struct reader r = reader_make(body, blen);
        uint32_t iface = be ? reader_u32be(&r) : reader_u32le(&r);
        reader_skip(&r, 8); /* timestamp */
        uint64_t n = 0;
        int any = 0;
        while (!r.err && reader_left(&r) >= 4) {
            uint16_t code = be ? reader_u16be(&r) : reader_u16le(&r);
            uint16_t olen = be ? reader_u16be(&r) : reader_u16le(&r);
            struct reader v = reader_sub(&r, olen);
            if (code == 0 || r.err)
                break; /* opt_endofopt, or an option running past the block */
            if ((code == ISB_IFDROP || code == ISB_OSDROP) && olen == 8) {
                uint32_t w0 = be ? reader_u32be(&v) : reader_u32le(&v);
                uint32_t w1 = be ? reader_u32be(&v) : reader_u32le(&v);
                n += be ? (uint64_t)w0 << 32 | w1 : (uint64_t)w1 << 32 | w0;
                any = 1;
            }
            reader_skip(&r, (size_t)(-olen & 3u)); /* padding to 32 bits */
        }
        if (any && iface < PCAPNG_MAX_IFACES) {
            last[iface] = n; /* counters are cumulative: the last block counts */
            seen = 1;
        }
    }
    fclose(fp);
    *drops = 0;
    for (uint32_t i = 0; i < PCAPNG_MAX_IFACES; i++)
        *drops += last[i];
    return seen;
}
