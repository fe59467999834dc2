/* secondsight diff - the clock: the offset between the captures (outside minus
 * inside), estimated before the run from packets both hold (--clock-skew auto),
 * followed during it through matched pairs, and its drift. An estimate on few samples
 * or with a wide spread is weak, and said so in the stats. */
#include "diff-int.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include <pcap/dlt.h>

#include "capture.h"
#include "config.h"
#include "diff.h"
#include "util-hash.h"

static int cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

/* A key for packets both captures hold whatever the clocks say: no conversation and
 * nothing a forwarding device rewrites (addresses, ports, the IPv4 identification),
 * so IPv6 and ID-rewriting NATs have samples too: the content where there is some
 * (DNS ID and question, ICMP echo identifier and sequence, TCP data), a TCP segment's
 * sequence and acknowledgement numbers where there is none. 0: nothing distinctive. */
static uint64_t probe_key(const struct diff *d, const struct packet *pkt)
{
    if (!pkt->ip_version || pkt->is_fragment || !pkt->l4_ok)
        return 0;
    int tcp = pkt->proto == IPPROTO_NUM_TCP;
    if (pkt->payload_len < 8 && !tcp)
        return 0;
    struct key_buf k = {.n = 0};
    uint8_t head[3] = {pkt->ip_version, pkt->proto, tcp ? pkt->u.tcp.flags : 0};
    kb_put(&k, head, sizeof head);
    kb_u32(&k, pkt->payload_wire_len);
    if (tcp && pkt->payload_len < 8) {
        kb_u32(&k, pkt->u.tcp.seq);
        kb_u32(&k, pkt->u.tcp.ack);
    }
    if (pkt->proto == IPPROTO_NUM_ICMP || pkt->proto == IPPROTO_NUM_ICMPV6)
        kb_u32(&k, pkt->u.icmp.type);
    uint32_t n = pkt->payload_len < DIFF_KEEP_BYTES ? pkt->payload_len : DIFF_KEEP_BYTES;
    uint64_t h = n ? siphash13(d->key, pkt->payload, n) : 0;
    kb_put(&k, &h, sizeof h);
    return siphash13(d->key, k.b, k.n) | 1;
}

int diff_clock_weak(uint64_t samples, int64_t spread_ns, int64_t window_ns)
{
    return samples < DIFF_CLOCK_MIN_SAMPLES || spread_ns > window_ns / 4;
}

/* --clock-skew auto: the median of (outside time - inside time) over packets found in
 * the first DIFF_SKEW_PROBE frames of both captures. 0 when too few are. */
int64_t diff_estimate_offset(struct diff *d, uint64_t *samples, int *weak)
{
    uint32_t cap = 2 * DIFF_SKEW_PROBE;
    struct {
        uint64_t key;
        int64_t ts;
    } *tab = calloc(cap, sizeof *tab);
    int64_t *deltas = calloc(DIFF_SKEW_PROBE, sizeof *deltas);
    uint32_t nd = 0;
    *samples = 0;
    *weak = 1;
    if (!tab || !deltas) {
        free(tab);
        free(deltas);
        return 0;
    }
    for (int side = 0; side < SIDES; side++) {
        struct file_stats fs;
        memset(&fs, 0, sizeof fs);
        struct capture_file cf;
        if (capture_file_open(&cf, side ? d->o->outside : d->o->inside, (uint32_t)side, &fs) !=
            CAPTURE_OK)
            break;
        struct packet pkt;
        for (uint32_t n = 0; n < DIFF_SKEW_PROBE && capture_file_next(&cf, &pkt); n++) {
            decode_packet(&pkt);
            uint64_t k = probe_key(d, &pkt);
            if (!k)
                continue;
            uint32_t slot = (uint32_t)(k % cap);
            while (tab[slot].key && tab[slot].key != k)
                slot = (slot + 1) % cap;
            if (side == DIFF_INSIDE) {
                if (tab[slot].key == k)
                    tab[slot].ts = INT64_MIN; /* seen twice: not distinctive */
                else if (n < cap / 2) {
                    tab[slot].key = k;
                    tab[slot].ts = pkt.ts_ns;
                }
            } else if (tab[slot].key == k && tab[slot].ts != INT64_MIN && nd < DIFF_SKEW_PROBE) {
                deltas[nd++] = pkt.ts_ns - tab[slot].ts;
                tab[slot].ts = INT64_MIN;
            }
        }
        capture_file_close(&cf);
    }
    int64_t off = 0;
    if (nd >= 3) {
        qsort(deltas, nd, sizeof *deltas, cmp_i64);
        off = deltas[nd / 2];
        *samples = nd;
        /* the spread of the middle half: matches of packets that are not the same */
        *weak = diff_clock_weak(nd, deltas[nd * 3 / 4] - deltas[nd / 4], d->window);
    }
    free(tab);
    free(deltas);
    return off;
}

void diff_clock_observe(struct diff *d, int64_t ts_in, int64_t seen, uint8_t ddir)
{
    if (!d->fit_n[0] && !d->fit_n[1])
        d->fit_t0 = ts_in;
    d->fit_t1 = ts_in;
    double x = (double)(ts_in - d->fit_t0) / 1e9, y = (double)(seen - d->ds.clock_offset_ns);
    d->fit_n[ddir] += 1;
    d->fit_sx[ddir] += x;
    d->fit_sy[ddir] += y;
    d->fit_sxx[ddir] += x * x;
    d->fit_sxy[ddir] += x * y;
    d->offset += (seen - d->offset) / 16;
}

/* The drift: the slope of the observed offset over time, averaged over the directions
 * that have one; only over runs long enough for it to mean something. */
int64_t diff_drift_ppb(const struct diff *d)
{
    if (d->fit_t1 - d->fit_t0 < DIFF_DRIFT_SPAN_S * 1000000000LL)
        return 0;
    double sum = 0;
    int n = 0;
    for (int k = 0; k < 2; k++) {
        double var = d->fit_n[k] * d->fit_sxx[k] - d->fit_sx[k] * d->fit_sx[k];
        if (d->fit_n[k] < 2 || var <= 0)
            continue;
        sum += (d->fit_n[k] * d->fit_sxy[k] - d->fit_sx[k] * d->fit_sy[k]) / var;
        n++;
    }
    return n ? (int64_t)(sum / n) : 0;
}
