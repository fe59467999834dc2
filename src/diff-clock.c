/* secondsight diff - diff-clock.c. */
#include "diff-int.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include <pcap/dlt.h>

#include "capture.h"
#include "config.h"
#include "util-hash.h"

static int cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

/* A key for packets both captures hold whatever the clocks say: no conversation, no
 * NAT-rewritten fields; only packets with something distinctive. */
static uint64_t probe_key(const struct diff *d, const struct packet *pkt)
{
    if (pkt->ip_version != 4 || pkt->is_fragment || (!pkt->ip_id && pkt->payload_len < 8))
        return 0;
    struct key_buf k = {.n = 0};
    uint8_t head[2] = {pkt->proto,
                       pkt->l4_ok && pkt->proto == IPPROTO_NUM_TCP ? pkt->u.tcp.flags : 0};
    kb_put(&k, head, 2);
    kb_u32(&k, pkt->ip_id);
    kb_u32(&k, pkt->payload_wire_len);
    if (pkt->proto == IPPROTO_NUM_TCP || pkt->proto == IPPROTO_NUM_UDP) {
        uint32_t n = pkt->payload_len < DIFF_KEY_BYTES ? pkt->payload_len : DIFF_KEY_BYTES;
        uint64_t h = siphash13(d->key, pkt->payload, n);
        kb_put(&k, &h, sizeof h);
    }
    return siphash13(d->key, k.b, k.n) | 1;
}

/* --clock-skew auto: the median of (outside time - inside time) over packets found in
 * the first DIFF_SKEW_PROBE frames of both captures. 0 when too few are. */
int64_t diff_estimate_offset(struct diff *d, uint64_t *samples)
{
    uint32_t cap = 2 * DIFF_SKEW_PROBE;
    struct {
        uint64_t key;
        int64_t ts;
    } *tab = calloc(cap, sizeof *tab);
    int64_t *deltas = calloc(DIFF_SKEW_PROBE, sizeof *deltas);
    uint32_t nd = 0;
    *samples = 0;
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
    }
    free(tab);
    free(deltas);
    return off;
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
