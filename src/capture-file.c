/* secondsight - capture files: pcap through libpcap, pcapng block by block (each
 * interface with its own link type), microsecond and nanosecond time, read with
 * nanosecond precision. A damaged record ends the file with an error naming the byte
 * offset where the last good record ended. */
#include <errno.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <pcap/pcap.h>

#include "capture-block.h"
#include "capture-pcapng.h"
#include "capture.h"
#include "config.h"
#include "util-reader.h"

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

/* A link type the file's interfaces have besides the first one, remembered for the
 * stats (a few; the rest are still decoded). */
static void note_linktype(struct file_stats *fs, int dlt)
{
    if (dlt == fs->linktype)
        return;
    for (unsigned i = 0; i < fs->nother_linktypes; i++)
        if (fs->other_linktypes[i] == dlt)
            return;
    if (fs->nother_linktypes < FILE_OTHER_LINKTYPES)
        fs->other_linktypes[fs->nother_linktypes++] = dlt;
}

static enum capture_result open_failed(struct file_stats *fs, const char *msg)
{
    fs->failed = 1;
    snprintf(fs->error, sizeof fs->error, "%s", msg);
    return CAPTURE_OPEN_FAILED;
}

/* Classic pcap records read in large blocks (pread, CAPTURE_READ_BYTES at a time)
 * and taken in place, rather than copied by libpcap through stdio one fread at a time
 * (on small packets that copy was most of the reading). libpcap has opened the file
 * and checked its header; records are taken here only while each is whole and within
 * the snapshot length libpcap would allow. The first that is not (cut short at the end
 * of the file, as a capture still being written is, or oversized) is handed to libpcap
 * at its offset, so every damaged or unusual record is judged, and named in errors,
 * exactly as libpcap judges it. Only a regular file of the standard format (2.4,
 * micro- or nanosecond magic) is read so; anything else is read by libpcap from the
 * start. Not a mapping: a file truncated while it is read (a tcpdump -w restarted
 * under the same name) would kill a reader of a mapping with SIGBUS, where a read
 * just comes back short. */
static void block_records(struct capture_file *cf, FILE *fp)
{
    struct stat st;
    uint8_t head[4];
    if (fp == stdin || fstat(fileno(fp), &st) != 0 || !S_ISREG(st.st_mode) || ftell(fp) != 24 ||
        pread(fileno(fp), head, sizeof head, 0) != (ssize_t)sizeof head)
        return;
    uint32_t magic = (uint32_t)head[0] | (uint32_t)head[1] << 8 | (uint32_t)head[2] << 16 |
                     (uint32_t)head[3] << 24;
    int swapped = pcap_is_swapped(cf->p);
    if (swapped)
        magic = __builtin_bswap32(magic);
    if ((magic != 0xa1b2c3d4u && magic != 0xa1b23c4du) || pcap_major_version(cf->p) != 2 ||
        pcap_minor_version(cf->p) != 4 || pcap_snapshot(cf->p) <= 0)
        return;
    cf->block = capture_block_get(cf->pool, CAPTURE_READ_BYTES);
    if (!cf->block)
        return;
    cf->blk = cf->block->data;
    cf->blk_cap = CAPTURE_READ_BYTES;
    cf->blk_len = cf->blk_pos = 0;
    cf->blk_file = 24;
    cf->blk_swapped = swapped;
    cf->blk_usec = magic == 0xa1b2c3d4u;
    cf->blk_snap = (uint32_t)pcap_snapshot(cf->p);
}

/* At least `need` bytes from blk_pos on in the buffer, the rest of the buffer read
 * ahead; 0 when the file (as it is now) has fewer or they would not fit. */
static int block_fill(struct capture_file *cf, size_t need)
{
    if (cf->blk_len - cf->blk_pos >= need)
        return 1;
    if (need > cf->blk_cap)
        return 0;
    size_t rest = cf->blk_len - cf->blk_pos;
    if (capture_block_shared(cf->block)) {
        /* Frames handed to shards still point into this block: read on in another. */
        struct capture_block *next = capture_block_get(cf->pool, cf->blk_cap);
        if (!next)
            return 0;
        memcpy(next->data, cf->blk + cf->blk_pos, rest);
        capture_block_release(cf->block);
        cf->block = next;
        cf->blk = next->data;
    } else {
        memmove(cf->blk, cf->blk + cf->blk_pos, rest);
    }
    cf->blk_file += cf->blk_pos;
    cf->blk_pos = 0;
    cf->blk_len = rest;
    while (cf->blk_len < need) {
        ssize_t n = pread(fileno(pcap_file(cf->p)), cf->blk + cf->blk_len,
                          cf->blk_cap - cf->blk_len, (off_t)(cf->blk_file + cf->blk_len));
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return 0;
        cf->blk_len += (size_t)n;
    }
    return 1;
}

static uint32_t block_u32(const struct capture_file *cf, struct reader *r)
{
    return cf->blk_swapped ? reader_u32be(r) : reader_u32le(r);
}

/* The next whole, ordinary record from the buffer: 1 with its header fields and data
 * (valid until the next call), 0 when the rest of the file goes to libpcap (positioned
 * at the record it could not take; clean end of file included, which libpcap reports
 * as such). */
static int block_next(struct capture_file *cf, struct pcap_pkthdr *h, const u_char **data)
{
    /* Mostly the record is in the buffer already; else the buffer is filled (once for
     * the header, once for the data) and the record read again. */
    for (int tries = 0; tries < 3; tries++) {
        struct reader r = reader_make(cf->blk + cf->blk_pos, cf->blk_len - cf->blk_pos);
        /* As libpcap reads them: signed 32-bit seconds and fraction, the fraction of a
         * microsecond file scaled to nanoseconds and checked no further. */
        int32_t sec = (int32_t)block_u32(cf, &r);
        int32_t sub = (int32_t)block_u32(cf, &r);
        uint32_t caplen = block_u32(cf, &r);
        uint32_t len = block_u32(cf, &r);
        if (r.err) {
            if (!block_fill(cf, 16))
                break;
            continue;
        }
        if (caplen > cf->blk_snap)
            break;
        const uint8_t *d = reader_ptr(&r);
        if (!reader_skip(&r, caplen)) {
            if (!block_fill(cf, 16 + (size_t)caplen))
                break;
            continue;
        }
        h->ts.tv_sec = sec;
        h->ts.tv_usec = cf->blk_usec ? (suseconds_t)sub * 1000 : sub;
        h->caplen = caplen;
        h->len = len;
        *data = d;
        cf->blk_pos += 16 + (size_t)caplen;
        return 1;
    }
    /* libpcap takes over from this record on. */
    FILE *fp = pcap_file(cf->p);
    if (!fp || fseeko(fp, (off_t)(cf->blk_file + cf->blk_pos), SEEK_SET) != 0)
        cf->blk_failed = 1;
    capture_block_release(cf->block);
    cf->block = NULL;
    cf->blk = NULL;
    return 0;
}

/* capture_file_open, its blocks from `pool`. */
static enum capture_result file_open(struct capture_file *cf, const char *path, uint32_t file_index,
                                     struct file_stats *fs, struct block_pool *pool)
{
    char errbuf[PCAP_ERRBUF_SIZE] = "";
    memset(cf, 0, sizeof *cf);
    cf->pool = pool;
    cf->fs = fs;
    cf->index = file_index;
    fs->path = path;
    fs->linktype = -1;

    FILE *fp = strcmp(path, "-") ? fopen(path, "rb") : stdin;
    if (!fp)
        return open_failed(fs, strerror(errno));
    /* The first byte tells pcapng (its Section Header Block type, 0x0A0D0D0A, starts
     * with 0x0A in either byte order; no pcap magic does), which is read here block by
     * block so that each interface keeps its link type; libpcap reads the rest. One
     * byte pushed back is what C guarantees, so this works on a pipe too. */
    errno = 0;
    int c = getc(fp);
    if (c == EOF) {
        int err = ferror(fp) ? errno : 0;
        if (fp != stdin)
            fclose(fp);
        return open_failed(fs, err ? strerror(err) : "empty file");
    }
    ungetc(c, fp);
    if (c == 0x0A) {
        cf->fp = fp; /* capture_file_close closes it */
        cf->ng = malloc(sizeof *cf->ng);
        if (!cf->ng || !pcapng_open(cf->ng, fp)) {
            open_failed(fs, cf->ng ? cf->ng->err : "out of memory");
            capture_file_close(cf);
            return CAPTURE_OPEN_FAILED;
        }
        fs->linktype = cf->ng->ifaces[0].dlt;
        cf->good_end = cf->ng->off;
        return CAPTURE_OK;
    }
    cf->p = pcap_fopen_offline_with_tstamp_precision(fp, PCAP_TSTAMP_PRECISION_NANO, errbuf);
    if (!cf->p) {
        if (fp != stdin)
            fclose(fp);
        return open_failed(fs, errbuf[0] ? errbuf : "not a capture file");
    }
    fs->linktype = pcap_datalink(cf->p);
    cf->supported = decode_linktype_supported(fs->linktype);
    /* A classic pcap file has a 24-byte header and 16 bytes before each record, so the
     * offset is counted. */
    cf->good_end = 24;
    block_records(cf, fp);
    return CAPTURE_OK;
}

enum capture_result capture_file_open(struct capture_file *cf, const char *path,
                                      uint32_t file_index, struct file_stats *fs)
{
    return file_open(cf, path, file_index, fs, NULL);
}

/* The next frame of a pcapng file, with its interface's link type. */
static int pcapng_frame(struct capture_file *cf, struct packet *pkt)
{
    struct file_stats *fs = cf->fs;
    struct pcapng_packet np;
    int rc;
    while ((rc = pcapng_next(cf->ng, &np)) == 1) {
        fs->packets++;
        fs->bytes += np.wirelen;
        cf->good_end = cf->ng->off;
        int dlt = np.iface->dlt;
        note_linktype(fs, dlt);
        if (!decode_linktype_supported(dlt)) {
            fs->skipped++;
            fs->skipped_linktype = dlt;
            continue;
        }
        capture_frame(pkt, fs, cf->index, np.sec, np.nsec, np.caplen, np.wirelen, np.data);
        pkt->linktype = dlt;
        return 1;
    }
    cf->rc = rc < 0 ? PCAP_ERROR : 0;
    return 0;
}

int capture_file_next(struct capture_file *cf, struct packet *pkt)
{
    struct file_stats *fs = cf->fs;
    struct pcap_pkthdr *h;
    const u_char *data;
    struct pcap_pkthdr mh;
    if (cf->ng)
        return pcapng_frame(cf, pkt);
    for (;;) {
        struct capture_block *from = NULL;
        if (cf->blk && block_next(cf, &mh, &data)) {
            h = &mh;
            cf->rc = 1;
            from = cf->block;
        } else if (cf->blk_failed) {
            cf->rc = PCAP_ERROR;
            break;
        } else if ((cf->rc = pcap_next_ex(cf->p, &h, &data)) != 1) {
            break;
        }
        fs->packets++;
        fs->bytes += h->len;
        cf->good_end += 16 + h->caplen;
        if (!cf->supported) {
            fs->skipped++;
            fs->skipped_linktype = fs->linktype;
            continue;
        }
        capture_frame(pkt, fs, cf->index, h->ts.tv_sec, h->ts.tv_usec, h->caplen, h->len, data);
        pkt->block = from;
        return 1;
    }
    return 0;
}

enum capture_result capture_file_close(struct capture_file *cf)
{
    struct file_stats *fs = cf->fs;
    enum capture_result res = CAPTURE_OK;
    if (cf->rc == PCAP_ERROR) {
        const char *why = cf->ng           ? cf->ng->err
                          : cf->blk_failed ? "cannot seek in the file"
                                           : pcap_geterr(cf->p);
        fs->failed = 1;
        fs->error_offset = cf->good_end;
        snprintf(fs->error, sizeof fs->error,
                 "damaged at byte offset %" PRIu64 " after %" PRIu64 " good packets: %s",
                 cf->good_end, fs->packets, why);
        res = CAPTURE_DAMAGED;
    }
    capture_block_release(cf->block);
    cf->block = NULL;
    cf->blk = NULL;
    if (cf->p)
        pcap_close(cf->p);
    cf->p = NULL;
    if (cf->ng) {
        pcapng_release(cf->ng);
        free(cf->ng);
        cf->ng = NULL;
    }
    if (cf->fp && cf->fp != stdin)
        fclose(cf->fp);
    cf->fp = NULL;
    return res;
}

enum capture_result capture_file_read(const char *path, uint32_t file_index, struct file_stats *fs,
                                      struct block_pool *pool, capture_cb cb, void *arg)
{
    struct capture_file cf;
    enum capture_result r = file_open(&cf, path, file_index, fs, pool);
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
#define ISB_IFDROP 5u /* dropped by the interface */
#define ISB_OSDROP 7u /* dropped by the operating system (the capture buffer) */

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
