/* secondsight - fuzz target: a capture file read frame by frame, as every subcommand
 * reads one: pcap through libpcap, pcapng through capture-pcapng.c (sections in
 * either byte order, interfaces with their own link types, clocks and offsets), and
 * the pcapng interface statistics. No decoding: the reader alone, fast.
 * Layout: the bytes of the file. */
#include "capture.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char path[] = "/tmp/ss-fuzz-capture-XXXXXX";
    fuzz_write_temp(path, data, size);
    struct file_stats fs;
    memset(&fs, 0, sizeof fs);
    struct capture_file cf;
    if (capture_file_open(&cf, path, 0, &fs) == CAPTURE_OK) {
        struct packet pkt;
        uint64_t frames = 0;
        while (capture_file_next(&cf, &pkt)) {
            /* The contract of capture_file_next: a frame of a decoded link type, its
             * bytes readable up to caplen, numbered in file order. */
            if (!decode_linktype_supported(pkt.linktype) || pkt.frame != fs.packets ||
                pkt.frame <= frames)
                abort();
            frames = pkt.frame;
            volatile uint8_t sink = 0;
            for (uint32_t i = 0; i < pkt.caplen; i++)
                sink ^= pkt.data[i];
            (void)sink;
        }
        enum capture_result r = capture_file_close(&cf);
        if (r == CAPTURE_DAMAGED && (!fs.failed || fs.error_offset > size))
            abort();
        if (fs.packets < fs.skipped)
            abort();
    } else if (!fs.failed || !fs.error[0]) {
        abort();
    }
    uint64_t drops = 0;
    capture_file_drops(path, &drops);
    unlink(path);
    return 0;
}
