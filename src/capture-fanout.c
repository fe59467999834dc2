/* secondsight - kernel packet fanout for the live sensor's workers (Linux).
 *
 * The kernel's own hash fanout (PACKET_FANOUT_HASH) hashes a TCP or UDP packet on its
 * ports but an IP fragment on its addresses alone, so a fragmented segment and the
 * rest of its flow would reach different workers: a forger could hide in fragments.
 * The group here runs a classic BPF program instead (PACKET_FANOUT_CBPF) that hashes
 * the host pair: the sum of the words of the IP source and destination (a sum, as XOR
 * would cancel the bits the two addresses share), mixed, so both directions, every
 * fragment and every port of two hosts meet in one worker. It is pipeline_host_pair()
 * (pipeline.c) in the kernel's language, so worker i of n takes the host pairs that
 * analyze --shard i/n does; unit_fanout runs it against that function.
 * Frames that are neither IPv4 nor IPv6 to the kernel (ARP, in-band VLAN or MPLS
 * tags) all go to worker 0. Kept apart from capture-live.c: <linux/filter.h> and
 * <pcap/bpf.h> define the same macros. */
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

#define LOAD_NET_WORD(off) BPF_STMT(BPF_LD | BPF_W | BPF_ABS, (uint32_t)(SKF_NET_OFF + (off)))
#define TAX BPF_STMT(BPF_MISC | BPF_TAX, 0)
#define XOR_X BPF_STMT(BPF_ALU | BPF_XOR | BPF_X, 0)
#define ADD_X BPF_STMT(BPF_ALU | BPF_ADD | BPF_X, 0)

/* Builds the host-pair hash into f (room for 64); returns its length. */
static unsigned host_pair_program(struct sock_filter *f, uint32_t workers)
{
    unsigned n = 0;
    f[n++] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS, SKF_AD_OFF + SKF_AD_PROTOCOL);
    unsigned is_v4 = n++, is_v6 = n++;
    f[n++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, 0);

    unsigned v4 = n;
    f[n++] = (struct sock_filter)LOAD_NET_WORD(12);
    f[n++] = (struct sock_filter)TAX;
    f[n++] = (struct sock_filter)LOAD_NET_WORD(16);
    f[n++] = (struct sock_filter)ADD_X;
    unsigned v4_done = n++;

    unsigned v6 = n;
    f[n++] = (struct sock_filter)LOAD_NET_WORD(8);
    for (uint32_t off = 12; off < 40; off += 4) {
        f[n++] = (struct sock_filter)TAX;
        f[n++] = (struct sock_filter)LOAD_NET_WORD(off);
        f[n++] = (struct sock_filter)ADD_X;
    }

    /* Mix the 32 bits (a ^= a >> 16; a *= c; a ^= a >> 16), then pick the worker. */
    unsigned mix = n;
    f[n++] = (struct sock_filter)TAX;
    f[n++] = (struct sock_filter)BPF_STMT(BPF_ALU | BPF_RSH | BPF_K, 16);
    f[n++] = (struct sock_filter)XOR_X;
    f[n++] = (struct sock_filter)BPF_STMT(BPF_ALU | BPF_MUL | BPF_K, HOST_PAIR_MIX);
    f[n++] = (struct sock_filter)TAX;
    f[n++] = (struct sock_filter)BPF_STMT(BPF_ALU | BPF_RSH | BPF_K, 16);
    f[n++] = (struct sock_filter)XOR_X;
    f[n++] = (struct sock_filter)BPF_STMT(BPF_ALU | BPF_MOD | BPF_K, workers);
    f[n++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_A, 0);

    f[is_v4] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, ETH_P_IP,
                                            (uint8_t)(v4 - is_v4 - 1), 0);
    f[is_v6] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, ETH_P_IPV6,
                                            (uint8_t)(v6 - is_v6 - 1), 0);
    f[v4_done] = (struct sock_filter)BPF_STMT(BPF_JMP | BPF_JA, mix - v4_done - 1);
    return n;
}

_Static_assert(sizeof(struct fanout_insn) == sizeof(struct sock_filter),
               "struct fanout_insn is laid out as struct sock_filter");

unsigned fanout_program(struct fanout_insn f[FANOUT_PROGRAM_MAX], uint32_t workers)
{
    struct sock_filter code[FANOUT_PROGRAM_MAX];
    unsigned n = host_pair_program(code, workers);
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
    struct sock_filter code[64];
    struct sock_fprog prog = {(unsigned short)host_pair_program(code, workers), code};
    if (setsockopt(fd, SOL_PACKET, PACKET_FANOUT_DATA, &prog, sizeof prog) != 0) {
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
