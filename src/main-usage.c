/* secondsight - the command line's words: the usage text (--help) and the usage errors
 * every subcommand reports the same way. main.c parses; this file only says. */
#include "main-usage.h"

#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "config.h"
#include "run.h"

static const char usage_text[] =
    "usage: secondsight analyze [options] FILE...\n"
    "       secondsight live -i IFACE [-i IFACE...] [live options] [options]\n"
    "       secondsight diff --inside LAN.pcap --outside WAN.pcap [diff options]\n"
    "       secondsight report [-o REPORT.html] FINDINGS.jsonl\n"
    "       secondsight locate --url http://ADDR[:PORT]/PATH | --dns NAME --server ADDR[:PORT]\n"
    "                          [locate options]\n"
    "       secondsight --version | --help\n"
    "\n"
    "Reads pcap and pcapng captures and reports forged or altered packets.\n"
    "\n"
    "options for analyze:\n"
    "  --json               write JSON lines (one finding per line, then stats)\n"
    "  --format text|json|eve\n"
    "                       the text report (default), JSON lines (as --json), or\n"
    "                       Suricata EVE JSON lines (alerts a SIEM pipeline built\n"
    "                       for Suricata takes as they are)\n"
    "  --sensor-name NAME   EVE's host: the sensor's name (default the host name)\n"
    "  -o, --output FILE    write results to FILE instead of standard output\n"
    "  --redis HOST:PORT|SOCKET\n"
    "                       send each JSON line to Redis instead (the transport\n"
    "                       Suricata offers for EVE); never waits for Redis\n"
    "  --redis-key KEY      the list or channel (default secondsight)\n"
    "  --redis-mode list|channel\n"
    "                       RPUSH to a list (default) or PUBLISH on a channel\n"
    "  --redis-queue LINES  lines held while Redis is away or slow, 1 to 1048576\n"
    "                       (default 65536); a line that finds it full is dropped\n"
    "                       and counted\n"
    "  --max-flows N        flows tracked at once, 1 to 1073741824 (default 262144)\n"
    "  --flow-memory SIZE   memory for flows and payload windows, e.g. 512M\n"
    "                       (default 512M; K, M, G suffixes; at least 1M and what\n"
    "                       --max-flows, --window and --threads need: 3074568 bytes\n"
    "                       at the defaults)\n"
    "  --window BYTES       recent payload kept per TCP direction, a power of two\n"
    "                       from 256 to 16M (default 8192)\n"
    "  --grace SECONDS      keep a TCP flow that saw FIN or RST, still comparing\n"
    "                       late copies, until it is idle this long, 0 to 86400\n"
    "                       (default 60)\n"
    "  --evidence DIR       for each finding, write DIR/NAME.pcap (the flow's packets\n"
    "                       around the event) and DIR/NAME.txt (byte diff and header\n"
    "                       deltas of the copies); DIR is created if missing\n"
    "  --threads N          flow shards, each on a thread of its own, 1 to 64\n"
    "                       (default 1); caps are shared out among them, and the\n"
    "                       findings are the same as with one thread\n"
    "  --shard K/N          analyse only the host pairs of shard K of N (K from 0 to\n"
    "                       N-1, N up to 4096): N runs over the same files together\n"
    "                       report what one whole run does\n"
    "  -q, --quiet          no progress line on a terminal for long files\n"
    "  --test-detector      also run the test-only detectors\n"
    "  -h, --help           show this help\n"
    "\n"
    "  secondsight --version shows the version and the libpcap version.\n"
    "\n";
/* ISO C caps one string literal at 4095 bytes: the help comes in parts. */
static const char usage_text_live[] =
    "live options:\n"
    "  -i, --interface IFACE  capture on IFACE (repeat for more, up to 16)\n"
    "  -f, --filter FILTER  a BPF capture filter, as tcpdump takes it\n"
    "  --promisc            put the interfaces in promiscuous mode\n"
    "  -Z, --user USER      after opening the interfaces, run as USER (default when\n"
    "                       started as root: nobody); the -o file is opened as USER\n"
    "  --run-as-root        keep running as root (not recommended)\n"
    "  --stats-interval S   write a stats record every S seconds, with the kernel's\n"
    "                       drop counters\n"
    "  SIGINT and SIGTERM stop cleanly (exit status 0); SIGHUP reopens the -o file.\n"
    "\n"
    "diff compares captures taken on both sides of one device and reports the packets\n"
    "it modified, injected or dropped:\n"
    "  --inside FILE        the capture on the device's LAN side\n"
    "  --outside FILE       the capture on its WAN side\n"
    "  --nat auto|none      auto (default): learn address and port rewrites per\n"
    "                       conversation; none: any rewrite is a modification\n"
    "  --clock-skew auto|SECONDS\n"
    "                       the outside clock minus the inside clock: estimated\n"
    "                       from the captures (auto, the default) or given\n"
    "  --json, --format, --sensor-name, -o FILE, --redis...\n"
    "                       as for analyze\n"
    "\n";

/* The rest of the help, apart: C11 promises string literals of 4095 bytes only. */
static const char usage_text_more[] =
    "locate finds the hop that forges answers: a normal request, then the same request\n"
    "with its IP TTL limited to 1, 2, 3 ... (TCP: the handshake at full TTL, only the\n"
    "request segment limited); libpcap on the outgoing interface sees the routers'\n"
    "time-exceeded and the answers, which analyze's detectors judge. Needs CAP_NET_RAW\n"
    "and keeps nothing else:\n"
    "  --url http://ADDR[:PORT]/PATH\n"
    "                       an HTTP GET to ADDR (an IPv4 or [IPv6] address, no name)\n"
    "  --host NAME          the Host header (default: ADDR)\n"
    "  --dns NAME --server ADDR[:PORT]\n"
    "                       a DNS query for NAME (A, or AAAA over IPv6) to ADDR\n"
    "  --tcp                the DNS query over TCP (default UDP)\n"
    "  --max-ttl N          the highest TTL tried, 1 to 64 (default 30); the sweep\n"
    "                       stops once the target itself answers\n"
    "  --tries N            attempts per TTL and in the baseline, 1 to 10 (default 3)\n"
    "  --wait SECONDS       pause between attempts, 0 to 60 (default 1)\n"
    "  --timeout SECONDS    how long an attempt waits for answers, 0.1 to 30\n"
    "                       (default 2)\n"
    "  -i, --interface IFACE  capture here (default: the interface of the route)\n"
    "  -w, --write FILE     save the captured packets as a pcap (findings cite its\n"
    "                       frames)\n"
    "  --dry-run            print what would be sent, send nothing\n"
    "  --json, --format, --sensor-name, -o FILE, --redis...\n"
    "                       as for analyze\n"
    "\n"
    "report writes one self-contained HTML page (findings per flow on a timeline,\n"
    "their evidence, the run's statistics) from the JSON lines of analyze --json,\n"
    "to REPORT.html or standard output.\n"
    "\n"
    "Options may come before or after the files; -- ends them.\n"
    "\n"
    "exit status: 0 nothing found, 1 findings reported, 2 usage or input error\n"
    "(diff: 0 clean, 1 tampered, 3 inconclusive; live: 0 stopped by a signal;\n"
    "report: 0 written, 2 usage or input error; locate: 1 a forger located or an\n"
    "injection seen)\n";

void print_usage(void)
{
    fputs(usage_text, stdout);
    fputs(usage_text_live, stdout);
    fputs(usage_text_more, stdout);
}

int usage_error(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "secondsight: ");
    vfprintf(stderr, fmt, ap);
    fprintf(stderr, "\nTry 'secondsight --help'.\n");
    va_end(ap);
    return EXIT_TROUBLE;
}

/* getopt_long's complaint about the option just read: '?' an unknown one, ':' one
 * without its value. A long option is named by its word, up to any '='; a short one by
 * optopt (it may share its word with others, as in -qx). */
int option_error(int c, char **argv, const struct option *longopts)
{
    const char *word = argv[optind - 1];
    if (strncmp(word, "--", 2) != 0)
        return usage_error(c == ':' ? "option '-%c' needs a value" : "unknown option '-%c'",
                           optopt);
    int len = (int)strcspn(word, "=");
    if (c == ':')
        return usage_error("option '%.*s' needs a value", len, word);
    for (const struct option *o = longopts; word[len] && o->name; o++)
        if (!strncmp(o->name, word + 2, (size_t)len - 2) && o->has_arg == no_argument)
            return usage_error("option '--%s' takes no value", o->name);
    return usage_error("unknown option '%.*s'", len, word);
}
