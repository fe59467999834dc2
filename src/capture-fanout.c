/* secondsight - kernel packet fanout for the live sensor's workers (Linux).
 *
 * The kernel's own hash fanout (PACKET_FANOUT_HASH) hashes a TCP or UDP packet on its
 * ports but an IP fragment on its addresses alone, so a fragmented segment and the
 * rest of its flow would reach different workers: a forger could hide in fragments.
 * The group here runs a classic BPF program instead (PACKET_FANOUT_CBPF) that is
 * pipeline_partition() (pipeline.c) in the kernel's language: the host pair (the sum
 * of the words of the IP source and destination -- a sum, as XOR would cancel the bits
 * the two addresses share -- mixed), so both directions, every fragment and every port
 * of two hosts meet in one worker; and a TCP or UDP packet with port 53 on one side
 * only, the ports right after the IPv4 header or the fixed IPv6 header of an
 * unfragmented packet, by that side's address alone, so a resolver's answers to every
 * client meet in one worker. Worker i of n thus takes the packets --shard i/n and
 * shard i of --threads n take; unit_fanout runs the program against that function.
 * Frames that are neither IPv4 nor IPv6 to the kernel (ARP, in-band VLAN or MPLS
 * tags) all go to worker 0, as does a packet too short for a field the program reads
 * (the kernel ends the program with 0). Kept apart from capture-live.c:
 * <linux/filter.h> and <pcap/bpf.h> define the same macros. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "capture.h"
#include "pipeline.h"

#ifdef __linux__
#include <linux/filter.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <sys/socket.h>

/* A program under construction: forward jumps name labels, resolved at the end. */
enum label {
    L_V4,
    L_V4_PORTS,
    L_V4_SPORT53,
    L_V4_SRC,
    L_V4_DST,
    L_V4_PAIR,
    L_V6,
    L_V6_PORTS,
    L_V6_SPORT53,
    L_V6_SRC,
    L_V6_DST,
    L_V6_PAIR,
    L_MIX,
    L_NONE,
    L__COUNT
};
#define NEXT (-1) /* a jump to the next instruction */

struct prog {
    struct sock_filter *f;
    unsigned n;
    int jt[FANOUT_PROGRAM_MAX], jf[FANOUT_PROGRAM_MAX];
    unsigned at[L__COUNT];
    int full; /* FANOUT_PROGRAM_MAX was too small: no program */
};

static void emit(struct prog *p, uint16_t code, uint32_t k)
{
    if (p->n == FANOUT_PROGRAM_MAX) {
        p->full = 1;
        return;
    }
    p->jt[p->n] = p->jf[p->n] = NEXT;
    p->f[p->n++] = (struct sock_filter){code, 0, 0, k};
}

/* A conditional jump on A against k, or with jt alone an unconditional one. */
static void jump(struct prog *p, uint16_t code, uint32_t k, int jt, int jf)
{
    emit(p, code, k);
    if (!p->full) {
        p->jt[p->n - 1] = jt;
        p->jf[p->n - 1] = jf;
    }
}

static void label(struct prog *p, enum label l)
{
    p->at[l] = p->n;
}

static void load_net(struct prog *p, uint16_t size, uint32_t off)
{
    emit(p, BPF_LD | size | BPF_ABS, (uint32_t)SKF_NET_OFF + off);
}

/* A = the sum of the 32-bit words at [from, to) of the network header. */
static void sum_words(struct prog *p, uint32_t from, uint32_t to)
{
    load_net(p, BPF_W, from);
    for (uint32_t off = from + 4; off < to; off += 4) {
        emit(p, BPF_MISC | BPF_TAX, 0);
        load_net(p, BPF_W, off);
        emit(p, BPF_ALU | BPF_ADD | BPF_X, 0);
    }
}

/* With the source port in A (read at `sport` off X, or absolute): to `src` when it
 * alone is 53, to `dst` when the destination port alone is, else to `pair`. */
static void dns_side(struct prog *p, uint16_t mode, uint32_t sport, enum label s53, enum label src,
                     enum label dst, enum label pair)
{
    jump(p, BPF_JMP | BPF_JEQ | BPF_K, DNS_PORT, s53, NEXT);
    emit(p, BPF_LD | BPF_H | mode, (uint32_t)SKF_NET_OFF + sport + 2);
    jump(p, BPF_JMP | BPF_JEQ | BPF_K, DNS_PORT, dst, pair);
    label(p, s53);
    emit(p, BPF_LD | BPF_H | mode, (uint32_t)SKF_NET_OFF + sport + 2);
    jump(p, BPF_JMP | BPF_JEQ | BPF_K, DNS_PORT, pair, src);
}

/* TCP or UDP (the protocol byte in A) to `ports`, anything else to `pair`. */
static void tcp_or_udp(struct prog *p, enum label ports, enum label pair)
{
    jump(p, BPF_JMP | BPF_JEQ | BPF_K, IPPROTO_NUM_TCP, ports, NEXT);
    jump(p, BPF_JMP | BPF_JEQ | BPF_K, IPPROTO_NUM_UDP, ports, pair);
}

static void ipv4_key(struct prog *p)
{
    label(p, L_V4);
    load_net(p, BPF_B, 9);
    tcp_or_udp(p, L_V4_PORTS, L_V4_PAIR);
    label(p, L_V4_PORTS);
    load_net(p, BPF_H, 6); /* a fragment (MF or an offset) goes by its host pair */
    jump(p, BPF_JMP | BPF_JSET | BPF_K, 0x3fff, L_V4_PAIR, NEXT);
    load_net(p, BPF_B, 0); /* X = the header length */
    emit(p, BPF_ALU | BPF_AND | BPF_K, 0xf);
    emit(p, BPF_ALU | BPF_LSH | BPF_K, 2);
    emit(p, BPF_MISC | BPF_TAX, 0);
    emit(p, BPF_LD | BPF_H | BPF_IND, (uint32_t)SKF_NET_OFF);
    dns_side(p, BPF_IND, 0, L_V4_SPORT53, L_V4_SRC, L_V4_DST, L_V4_PAIR);
    label(p, L_V4_SRC);
    load_net(p, BPF_W, 12);
    jump(p, BPF_JMP | BPF_JA, 0, L_MIX, NEXT);
    label(p, L_V4_DST);
    load_net(p, BPF_W, 16);
    jump(p, BPF_JMP | BPF_JA, 0, L_MIX, NEXT);
    label(p, L_V4_PAIR);
    sum_words(p, 12, 20);
    jump(p, BPF_JMP | BPF_JA, 0, L_MIX, NEXT);
}

static void ipv6_key(struct prog *p)
{
    label(p, L_V6);
    load_net(p, BPF_B, 6); /* the next header: an extension header goes by host pair */
    tcp_or_udp(p, L_V6_PORTS, L_V6_PAIR);
    label(p, L_V6_PORTS);
    load_net(p, BPF_H, 40);
    dns_side(p, BPF_ABS, 40, L_V6_SPORT53, L_V6_SRC, L_V6_DST, L_V6_PAIR);
    label(p, L_V6_SRC);
    sum_words(p, 8, 24);
    jump(p, BPF_JMP | BPF_JA, 0, L_MIX, NEXT);
    label(p, L_V6_DST);
    sum_words(p, 24, 40);
    jump(p, BPF_JMP | BPF_JA, 0, L_MIX, NEXT);
    label(p, L_V6_PAIR);
    sum_words(p, 8, 40);
}

/* Builds pipeline_partition() % workers into f; returns its length. */
static unsigned partition_program(struct sock_filter *f, uint32_t workers)
{
    struct prog p = {.f = f};
    emit(&p, BPF_LD | BPF_W | BPF_ABS, (uint32_t)(SKF_AD_OFF + SKF_AD_PROTOCOL));
    jump(&p, BPF_JMP | BPF_JEQ | BPF_K, ETH_P_IP, L_V4, NEXT);
    jump(&p, BPF_JMP | BPF_JEQ | BPF_K, ETH_P_IPV6, L_V6, L_NONE);
    label(&p, L_NONE);
    emit(&p, BPF_RET | BPF_K, 0);
    ipv4_key(&p);
    ipv6_key(&p);

    /* Mix the 32 bits (a ^= a >> 16; a *= c; a ^= a >> 16), then pick the worker. */
    label(&p, L_MIX);
    emit(&p, BPF_MISC | BPF_TAX, 0);
    emit(&p, BPF_ALU | BPF_RSH | BPF_K, 16);
    emit(&p, BPF_ALU | BPF_XOR | BPF_X, 0);
    emit(&p, BPF_ALU | BPF_MUL | BPF_K, HOST_PAIR_MIX);
    emit(&p, BPF_MISC | BPF_TAX, 0);
    emit(&p, BPF_ALU | BPF_RSH | BPF_K, 16);
    emit(&p, BPF_ALU | BPF_XOR | BPF_X, 0);
    emit(&p, BPF_ALU | BPF_MOD | BPF_K, workers);
    emit(&p, BPF_RET | BPF_A, 0);
    if (p.full)
        return 0;

    for (unsigned i = 0; i < p.n; i++) { /* every jump is forward */
        unsigned jt = p.jt[i] == NEXT ? i + 1 : p.at[p.jt[i]];
        unsigned jf = p.jf[i] == NEXT ? i + 1 : p.at[p.jf[i]];
        if (BPF_CLASS(f[i].code) != BPF_JMP)
            continue;
        if (BPF_OP(f[i].code) == BPF_JA)
            f[i].k = jt - i - 1;
        else {
            f[i].jt = (uint8_t)(jt - i - 1);
            f[i].jf = (uint8_t)(jf - i - 1);
        }
    }
    return p.n;
}

_Static_assert(sizeof(struct fanout_insn) == sizeof(struct sock_filter),
               "struct fanout_insn is laid out as struct sock_filter");

unsigned fanout_program(struct fanout_insn f[FANOUT_PROGRAM_MAX], uint32_t workers)
{
    struct sock_filter code[FANOUT_PROGRAM_MAX];
    unsigned n = partition_program(code, workers);
    for (unsigned i = 0; i < n; i++)
        f[i] = (struct fanout_insn){code[i].code, code[i].jt, code[i].jf, code[i].k};
    return n;
}

int fanout_join(int fd, uint32_t workers, int *group, char *err, size_t errlen)
{
    int first = *group < 0;
    /* The first socket asks the kernel for an unused group id; the others join it. */
    uint32_t arg = first ? (uint32_t)(PACKET_FANOUT_CBPF | PACKET_FANOUT_FLAG_UNIQUEID) << 16
                         : (uint32_t)PACKET_FANOUT_CBPF << 16 | (uint32_t)*group;
    if (setsockopt(fd, SOL_PACKET, PACKET_FANOUT, &arg, sizeof arg) != 0) {
        snprintf(err, errlen, "cannot join a packet fanout group: %s", strerror(errno));
        return 0;
    }
    if (!first)
        return 1;
    socklen_t len = sizeof arg;
    if (getsockopt(fd, SOL_PACKET, PACKET_FANOUT, &arg, &len) != 0) {
        snprintf(err, errlen, "cannot read the packet fanout group: %s", strerror(errno));
        return 0;
    }
    *group = (int)(arg & 0xffff);
    struct sock_filter code[FANOUT_PROGRAM_MAX];
    struct sock_fprog prog = {(unsigned short)partition_program(code, workers), code};
    if (!prog.len || setsockopt(fd, SOL_PACKET, PACKET_FANOUT_DATA, &prog, sizeof prog) != 0) {
        snprintf(err, errlen, "cannot set the packet fanout program: %s", strerror(errno));
        return 0;
    }
    return 1;
}

#else

unsigned fanout_program(struct fanout_insn f[FANOUT_PROGRAM_MAX], uint32_t workers)
{
    (void)f;
    (void)workers;
    return 0;
}

int fanout_join(int fd, uint32_t workers, int *group, char *err, size_t errlen)
{
    (void)fd;
    (void)workers;
    (void)group;
    snprintf(err, errlen, "packet fanout needs Linux");
    return 0;
}

#endif
