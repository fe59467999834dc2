/* secondsight - evidence files. Recent frames live in one bounded ring (frames and
 * bytes), the first packets of each connection in a small pinned table, so a finding
 * can write its flow's handshake, the packets before the event and, as they come, the
 * packets after it. Only with --evidence; nothing of it runs otherwise. */
#include "output-evidence.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <pcap/pcap.h>

#include "config.h"
#include "output-format.h"

struct ring_entry {
    frame_ref frame;
    int64_t ts_ns;
    uint64_t pos;          /* absolute byte position in the ring */
    uint64_t kaddr, kfull; /* flow keys; kfull 0 for fragments */
    uint32_t caplen, wirelen;
    int linktype;
};

struct pinned {
    frame_ref frame;
    int64_t ts_ns;
    uint32_t caplen, wirelen;
    int linktype;
    uint8_t data[PIN_BYTES];
};

struct pin_slot {
    uint64_t kfull;
    uint32_t n;
    struct pinned p[PIN_FRAMES];
};

struct job {
    pcap_t *dead;
    pcap_dumper_t *dumper;
    uint64_t kaddr, kfull;
    int linktype;
    uint32_t after_left;
};

struct evidence {
    char dir[200];
    uint64_t max_files;
    struct ring_entry *ent;
    uint64_t nent; /* entries ever written */
    uint8_t *bytes;
    uint64_t head; /* absolute byte position of the next write */
    struct pin_slot *pins;
    struct job jobs[EVIDENCE_MAX_OPEN];
    unsigned njobs;
    struct evidence_stats stats;
    uint8_t scratch[2][65536]; /* two copies decoded for a side file */
};

struct evidence *evidence_new(const char *dir, uint64_t max_files)
{
    if (mkdir(dir, 0755) != 0 && errno != EEXIST)
        return NULL;
    struct stat st;
    if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode)) {
        errno = ENOTDIR;
        return NULL;
    }
    struct evidence *ev = calloc(1, sizeof *ev);
    if (!ev)
        return NULL;
    snprintf(ev->dir, sizeof ev->dir, "%s", dir);
    ev->max_files = max_files;
    ev->ent = calloc(EVIDENCE_RING_FRAMES, sizeof *ev->ent);
    ev->bytes = malloc(EVIDENCE_RING_BYTES);
    ev->pins = calloc(PIN_SLOTS, sizeof *ev->pins);
    if (!ev->ent || !ev->bytes || !ev->pins) {
        evidence_free(ev);
        errno = ENOMEM;
        return NULL;
    }
    return ev;
}

static void job_close(struct evidence *ev, unsigned k)
{
    pcap_dump_close(ev->jobs[k].dumper);
    pcap_close(ev->jobs[k].dead);
    ev->jobs[k] = ev->jobs[--ev->njobs];
}

void evidence_free(struct evidence *ev)
{
    if (!ev)
        return;
    while (ev->njobs)
        job_close(ev, 0);
    free(ev->ent);
    free(ev->bytes);
    free(ev->pins);
    free(ev);
}

const struct evidence_stats *evidence_stats(const struct evidence *ev)
{
    return &ev->stats;
}

/* FNV-1a, for flow keys compared within this file only. */
static uint64_t fnv(uint64_t h, const void *p, size_t n)
{
    const uint8_t *b = p;
    for (size_t i = 0; i < n; i++)
        h = (h ^ b[i]) * 0x100000001b3ull;
    return h;
}

/* Direction-free keys of a flow: addresses and protocol, and with the ports. */
static void flow_keys(uint8_t version, uint8_t proto, const uint8_t *a, uint16_t pa,
                      const uint8_t *b, uint16_t pb, uint64_t *kaddr, uint64_t *kfull)
{
    size_t alen = version == 4 ? 4 : 16;
    int c = memcmp(a, b, alen);
    const uint8_t *lo = c <= 0 ? a : b, *hi = c <= 0 ? b : a;
    uint64_t h = fnv(0xcbf29ce484222325ull, &version, 1);
    h = fnv(h, &proto, 1);
    h = fnv(h, lo, alen);
    h = fnv(h, hi, alen);
    *kaddr = h;
    uint16_t plo = c < 0 || (c == 0 && pa <= pb) ? pa : pb;
    uint16_t phi = plo == pa && (c < 0 || (c == 0 && pa <= pb)) ? pb : pa;
    h = fnv(h, &plo, 2);
    h = fnv(h, &phi, 2);
    *kfull = h | 1; /* never 0: 0 marks "no ports" */
}

static void dump(pcap_dumper_t *d, int64_t ts_ns, uint32_t caplen, uint32_t wirelen,
                 const uint8_t *data)
{
    struct pcap_pkthdr h;
    h.ts.tv_sec = (time_t)(ts_ns / 1000000000);
    h.ts.tv_usec = (suseconds_t)(ts_ns % 1000000000); /* nanoseconds: see pcap_open_dead */
    h.caplen = caplen;
    h.len = wirelen;
    pcap_dump((u_char *)d, &h, data);
}

/* Its bytes are still in the ring: nothing since wrote a whole ring further on. */
static int entry_live(const struct evidence *ev, const struct ring_entry *e)
{
    return ev->head <= e->pos + EVIDENCE_RING_BYTES;
}

void evidence_packet(struct evidence *ev, const struct packet *pkt)
{
    uint64_t kaddr = 0, kfull = 0;
    if (pkt->ip_version) {
        flow_keys(pkt->ip_version, pkt->proto, pkt->ip_src, pkt->sport, pkt->ip_dst, pkt->dport,
                  &kaddr, &kfull);
        if (pkt->is_fragment || !pkt->l4_ok)
            kfull = 0;
    }
    uint32_t caplen = pkt->caplen < EVIDENCE_RING_BYTES / 4 ? pkt->caplen : EVIDENCE_RING_BYTES / 4;

    /* Flows whose evidence is still being written take their next packets. */
    for (unsigned k = 0; k < ev->njobs;) {
        struct job *j = &ev->jobs[k];
        if (kaddr == j->kaddr && (kfull == j->kfull || !kfull || !j->kfull) &&
            pkt->linktype == j->linktype) {
            dump(j->dumper, pkt->ts_ns, pkt->caplen, pkt->wirelen, pkt->data);
            ev->stats.packets++;
            if (--j->after_left == 0) {
                job_close(ev, k);
                continue;
            }
        }
        k++;
    }

    /* The ring: bytes contiguous, skipping to the start at the end of the buffer. */
    uint64_t at = ev->head % EVIDENCE_RING_BYTES;
    if (at + caplen > EVIDENCE_RING_BYTES)
        ev->head += EVIDENCE_RING_BYTES - at;
    struct ring_entry *e = &ev->ent[ev->nent % EVIDENCE_RING_FRAMES];
    e->frame = FRAME_REF(pkt->file_index, pkt->frame);
    e->ts_ns = pkt->ts_ns;
    e->pos = ev->head;
    e->kaddr = kaddr;
    e->kfull = kfull;
    e->caplen = caplen;
    e->wirelen = pkt->wirelen;
    e->linktype = pkt->linktype;
    memcpy(ev->bytes + ev->head % EVIDENCE_RING_BYTES, pkt->data, caplen);
    ev->head += caplen;
    ev->nent++;

    /* A connection's first packets, from its SYN: the handshake outlives the ring. */
    if (!kfull || pkt->proto != IPPROTO_NUM_TCP)
        return;
    struct pin_slot *ps = &ev->pins[(kfull >> 20) % PIN_SLOTS];
    uint8_t flags = pkt->u.tcp.flags;
    if ((flags & (TH_SYN | TH_ACK)) == TH_SYN) {
        ps->kfull = kfull;
        ps->n = 0;
    }
    if (ps->kfull != kfull || ps->n == PIN_FRAMES)
        return;
    struct pinned *p = &ps->p[ps->n++];
    p->frame = e->frame;
    p->ts_ns = pkt->ts_ns;
    p->caplen = pkt->caplen < PIN_BYTES ? pkt->caplen : PIN_BYTES;
    p->wirelen = pkt->wirelen;
    p->linktype = pkt->linktype;
    memcpy(p->data, pkt->data, p->caplen);
}

/* The ring's frame `ref`, decoded into pkt (its bytes copied to buf); 0 if gone. */
static int ring_decode(const struct evidence *ev, frame_ref ref, struct packet *pkt, uint8_t *buf,
                       size_t size)
{
    uint64_t n = ev->nent < EVIDENCE_RING_FRAMES ? ev->nent : EVIDENCE_RING_FRAMES;
    for (uint64_t i = 1; i <= n; i++) {
        const struct ring_entry *e = &ev->ent[(ev->nent - i) % EVIDENCE_RING_FRAMES];
        if (e->frame != ref)
            continue;
        if (!entry_live(ev, e) || e->caplen > size)
            return 0;
        memcpy(buf, ev->bytes + e->pos % EVIDENCE_RING_BYTES, e->caplen);
        memset(pkt, 0, sizeof *pkt);
        pkt->frame = FRAME_REF_FRAME(ref);
        pkt->file_index = FRAME_REF_FILE(ref);
        pkt->ts_ns = e->ts_ns;
        pkt->caplen = e->caplen;
        pkt->wirelen = e->wirelen;
        pkt->linktype = e->linktype;
        pkt->data = buf;
        decode_packet(pkt);
        return 1;
    }
    return 0;
}

/* Where a copy's payload sits in its stream: TCP sequence, fragment offset, or 0. */
static uint32_t stream_at(const struct packet *p)
{
    if (p->is_fragment)
        return p->frag_offset;
    if (p->l4_ok && p->proto == IPPROTO_NUM_TCP)
        return p->u.tcp.seq + ((p->u.tcp.flags & TH_SYN) ? 1u : 0u);
    return 0;
}

static void hex_rows(FILE *fp, const char *label, const uint8_t *p, uint32_t n, uint32_t base)
{
    for (uint32_t row = 0; row < n; row += 16) {
        fprintf(fp, "  %s %08" PRIx32 "  ", label, base + row);
        for (uint32_t k = 0; k < 16; k++) {
            if (row + k < n)
                fprintf(fp, "%02x ", p[row + k]);
            else
                fputs("   ", fp);
        }
        fputs(" |", fp);
        for (uint32_t k = 0; k < 16 && row + k < n; k++)
            fputc(p[row + k] >= 0x20 && p[row + k] < 0x7f ? p[row + k] : '.', fp);
        fputs("|\n", fp);
    }
}

/* The two copies' bytes over their overlap, 16 per row, differing columns marked. */
static void byte_diff(FILE *fp, const struct packet *a, const struct packet *b)
{
    uint32_t sa = stream_at(a), sb = stream_at(b);
    int32_t d = (int32_t)(sb - sa); /* where b starts within a's numbering */
    int64_t lo = d > 0 ? d : 0;
    int64_t hi_a = a->payload_len, hi_b = (int64_t)d + b->payload_len;
    int64_t hi = hi_a < hi_b ? hi_a : hi_b;
    if (!a->payload || !b->payload || hi <= lo) {
        fputs("  (the copies' captured payloads do not overlap)\n", fp);
        return;
    }
    uint32_t n = (uint32_t)(hi - lo), differ = 0;
    fprintf(fp, "  overlap: %u bytes from %s %" PRIu32 "\n", n,
            a->is_fragment                ? "fragment offset"
            : a->proto == IPPROTO_NUM_TCP ? "seq"
                                          : "byte",
            (uint32_t)(sa + (uint32_t)lo));
    for (uint32_t row = 0; row < n; row += 16) {
        uint32_t m = n - row < 16 ? n - row : 16;
        const uint8_t *pa = a->payload + lo + row, *pb = b->payload + (lo - d) + row;
        hex_rows(fp, "a", pa, m, (uint32_t)lo + row);
        hex_rows(fp, "b", pb, m, (uint32_t)lo + row);
        fputs("              ", fp); /* under "  a 00000000  " */
        for (uint32_t k = 0; k < m; k++) {
            fputs(pa[k] != pb[k] ? "^^ " : "   ", fp);
            differ += pa[k] != pb[k];
        }
        fputc('\n', fp);
    }
    fprintf(fp, "  %u of %u bytes differ\n", differ, n);
}

static void header_row(FILE *fp, const char *name, long long a, long long b)
{
    fprintf(fp, "  %-12s %12lld %12lld%s\n", name, a, b, a != b ? "   <- differs" : "");
}

static void header_deltas(FILE *fp, const struct packet *a, const struct packet *b)
{
    fprintf(fp, "  %-12s %12s %12s\n", "field", "copy a", "copy b");
    header_row(fp, "ttl", a->ttl, b->ttl);
    header_row(fp, "ip_id", a->ip_id, b->ip_id);
    header_row(fp, "df", a->df, b->df);
    header_row(fp, "ip_len", a->ip_len, b->ip_len);
    if (a->l4_ok && b->l4_ok && a->proto == IPPROTO_NUM_TCP && b->proto == IPPROTO_NUM_TCP) {
        const struct tcp_view *x = &a->u.tcp, *y = &b->u.tcp;
        header_row(fp, "seq", x->seq, y->seq);
        header_row(fp, "ack", x->ack, y->ack);
        char fx[12], fy[12];
        format_tcp_flags(fx, x->flags);
        format_tcp_flags(fy, y->flags);
        fprintf(fp, "  %-12s %12s %12s%s\n", "flags", fx, fy,
                x->flags != y->flags ? "   <- differs" : "");
        header_row(fp, "window", x->window, y->window);
        header_row(fp, "options", x->nopts, y->nopts);
        header_row(fp, "timestamps", x->has_ts, y->has_ts);
        header_row(fp, "payload", a->payload_len, b->payload_len);
    } else if (a->is_fragment || b->is_fragment) {
        header_row(fp, "frag_offset", a->frag_offset, b->frag_offset);
        header_row(fp, "more_frags", a->mf, b->mf);
        header_row(fp, "data", a->payload_len, b->payload_len);
    } else {
        header_row(fp, "payload", a->payload_len, b->payload_len);
    }
}

/* The side file: what the finding says, the copies' header deltas and byte diff. */
static void write_side(struct evidence *ev, FILE *fp, const struct finding *f,
                       const frame_ref *order, unsigned written, unsigned cut)
{
    fprintf(fp, "%s (%s)\n%s\n\n", f->class_name, confidence_name(f->confidence), f->summary);
    fprintf(fp,
            "evidence pcap: %u packets of the flow up to the event (its handshake and at "
            "most %u before)%s, then up to %u after it\n",
            written, EVIDENCE_BEFORE, cut ? "; earlier ones were cut" : "", EVIDENCE_AFTER);
    fputs("frames (numbers of the original capture):", fp);
    for (unsigned i = 0; i < f->nframes; i++)
        fprintf(fp, " %llu", (unsigned long long)FRAME_REF_FRAME(f->frames[i]));
    fputs("\nin the evidence pcap:", fp);
    for (unsigned i = 0; i < f->nframes; i++) {
        unsigned at = 0;
        for (unsigned k = 0; k < written && !at; k++)
            if (order[k] == f->frames[i])
                at = k + 1;
        if (at)
            fprintf(fp, " frame %llu is packet %u;",
                    (unsigned long long)FRAME_REF_FRAME(f->frames[i]), at);
        else
            fprintf(fp, " frame %llu is not in it;",
                    (unsigned long long)FRAME_REF_FRAME(f->frames[i]));
    }
    fputs("\n\n", fp);

    struct packet a, b;
    if (f->nframes >= 2 &&
        ring_decode(ev, f->frames[0], &a, ev->scratch[0], sizeof ev->scratch[0]) &&
        ring_decode(ev, f->frames[1], &b, ev->scratch[1], sizeof ev->scratch[1])) {
        fprintf(fp, "copy a = frame %llu, copy b = frame %llu\n\nheader deltas\n",
                (unsigned long long)FRAME_REF_FRAME(f->frames[0]),
                (unsigned long long)FRAME_REF_FRAME(f->frames[1]));
        header_deltas(fp, &a, &b);
        fputs("\nbytes\n", fp);
        byte_diff(fp, &a, &b);
    } else {
        fputs("(the copies are no longer held, or the finding rests on one packet)\n", fp);
    }
    fclose(fp);
}

/* NAME.txt beside NAME.pcap. */
static void side_path(char *out, size_t size, const char *pcap_path)
{
    snprintf(out, size, "%.*s.txt", (int)strlen(pcap_path) - 5, pcap_path);
}

/* Creates NAME.pcap and NAME.txt for a finding, both new (O_EXCL): an earlier run's
 * evidence in the same directory is never replaced, and findings that cite it keep
 * citing the packets they were about. The number starts at `index` and goes up to
 * the next one free for both files. Sets f->evidence_pcap; 0 when no name is free. */
static int create_files(struct evidence *ev, struct finding *f, const char *stamp, uint64_t index,
                        FILE **pcap_fp, FILE **side_fp)
{
    for (uint64_t n = index; n < index + EVIDENCE_NAME_TRIES; n++) {
        int len = snprintf(f->evidence_pcap, sizeof f->evidence_pcap, "%s/%s-%s-%04" PRIu64 ".pcap",
                           ev->dir, stamp, f->class_name, n);
        if (len < 0 || (size_t)len >= sizeof f->evidence_pcap)
            break;
        char side[sizeof f->evidence_pcap];
        side_path(side, sizeof side, f->evidence_pcap);
        int fd = open(f->evidence_pcap, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
        if (fd < 0 && errno == EEXIST)
            continue;
        if (fd < 0)
            break;
        int sfd = open(side, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
        if (sfd < 0) {
            int err = errno;
            close(fd);
            unlink(f->evidence_pcap);
            if (err == EEXIST)
                continue;
            break;
        }
        *pcap_fp = fdopen(fd, "wb");
        *side_fp = fdopen(sfd, "w");
        if (*pcap_fp && *side_fp)
            return 1;
        if (*pcap_fp)
            fclose(*pcap_fp);
        else
            close(fd);
        if (*side_fp)
            fclose(*side_fp);
        else
            close(sfd);
        unlink(f->evidence_pcap);
        unlink(side);
        break;
    }
    f->evidence_pcap[0] = '\0';
    return 0;
}

void evidence_finding(struct evidence *ev, struct finding *f, uint64_t index)
{
    if (ev->stats.files >= ev->max_files || ev->njobs == EVIDENCE_MAX_OPEN) {
        ev->stats.skipped++;
        return;
    }
    uint64_t kaddr, kfull;
    flow_keys(f->ip_version, f->proto, f->src_ip, f->sport, f->dst_ip, f->dport, &kaddr, &kfull);
    if (f->flow_by_addresses || (!f->sport && !f->dport))
        kfull = 0; /* fragments: the addresses and protocol are the flow */

    /* The flow's packets in the ring, newest first, at most EVIDENCE_BEFORE. */
    uint64_t idx[EVIDENCE_BEFORE];
    unsigned n = 0, cut = 0;
    uint64_t total = ev->nent < EVIDENCE_RING_FRAMES ? ev->nent : EVIDENCE_RING_FRAMES;
    int linktype = -1;
    for (uint64_t i = 1; i <= total && n < EVIDENCE_BEFORE; i++) {
        uint64_t k = (ev->nent - i) % EVIDENCE_RING_FRAMES;
        const struct ring_entry *e = &ev->ent[k];
        if (e->kaddr != kaddr || (kfull && e->kfull && e->kfull != kfull))
            continue;
        if (!entry_live(ev, e)) {
            cut = 1;
            break;
        }
        if (linktype < 0)
            linktype = e->linktype;
        if (e->linktype == linktype)
            idx[n++] = k;
    }
    if (linktype < 0) {
        ev->stats.skipped++;
        return;
    }

    char ts[32], name[64];
    struct tm tm;
    time_t sec = (time_t)(f->ts_ns / 1000000000);
    format_timestamp(ts, f->ts_ns);
    if (!gmtime_r(&sec, &tm))
        memset(&tm, 0, sizeof tm);
    strftime(name, sizeof name, "%Y%m%dT%H%M%S", &tm);
    FILE *pcap_fp, *side_fp;
    if (!create_files(ev, f, name, index, &pcap_fp, &side_fp)) {
        ev->stats.skipped++;
        return;
    }

    struct job *j = &ev->jobs[ev->njobs];
    j->dead = pcap_open_dead_with_tstamp_precision(linktype, 262144, PCAP_TSTAMP_PRECISION_NANO);
    j->dumper = j->dead ? pcap_dump_fopen(j->dead, pcap_fp) : NULL;
    if (!j->dumper) {
        if (j->dead)
            pcap_close(j->dead);
        fclose(pcap_fp);
        fclose(side_fp);
        char side[sizeof f->evidence_pcap];
        side_path(side, sizeof side, f->evidence_pcap);
        unlink(f->evidence_pcap);
        unlink(side);
        f->evidence_pcap[0] = '\0';
        ev->stats.skipped++;
        return;
    }
    j->kaddr = kaddr;
    j->kfull = kfull;
    j->linktype = linktype;
    j->after_left = EVIDENCE_AFTER;
    ev->njobs++;
    ev->stats.files++;
    cut |= n == EVIDENCE_BEFORE;

    /* The handshake first, when the ring no longer has it. */
    frame_ref order[PIN_FRAMES + EVIDENCE_BEFORE];
    unsigned written = 0;
    const struct pin_slot *ps = kfull ? &ev->pins[(kfull >> 20) % PIN_SLOTS] : NULL;
    frame_ref oldest = n ? ev->ent[idx[n - 1]].frame : 0;
    if (ps && ps->kfull == kfull) {
        for (unsigned i = 0; i < ps->n; i++) {
            const struct pinned *p = &ps->p[i];
            if (p->linktype != linktype || (n && p->frame >= oldest))
                continue;
            dump(j->dumper, p->ts_ns, p->caplen, p->wirelen, p->data);
            order[written++] = p->frame;
        }
    }
    for (unsigned i = n; i-- > 0;) {
        const struct ring_entry *e = &ev->ent[idx[i]];
        dump(j->dumper, e->ts_ns, e->caplen, e->wirelen, ev->bytes + e->pos % EVIDENCE_RING_BYTES);
        order[written++] = e->frame;
    }
    pcap_dump_flush(j->dumper);
    ev->stats.packets += written;
    ev->stats.cut += cut;

    write_side(ev, side_fp, f, order, written, cut);
}
