/* secondsight - command line: subcommands, options and exit statuses.
 * Only main() chooses the exit status; everything below returns codes. */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <pcap/pcap.h>

#include "capture.h"
#include "config.h"
#include "diff.h"
#include "main-usage.h"
#include "output-redis.h"
#include "output-report.h"
#include "output.h"
#include "run-locate.h"
#include "run.h"
#include "shards.h"

/* Options may stand anywhere among the operands and `--` ends them, as in GNU tools:
 * getopt_long permutes argv (no '+' in the option strings). optind = 0 makes glibc
 * start afresh. */
static void options_begin(void)
{
    opterr = 0;
    optind = 0;
}

/* Refuses to write results over one of the inputs (the same file by device and inode,
 * whatever the path says): `analyze -o x.pcap x.pcap` would empty the capture before
 * reading it. 1 when `out` may be written. */
static int output_not_input(const char *out, char *const *inputs, int ninputs)
{
    struct stat so, si;
    if (!out || stat(out, &so) != 0 || !S_ISREG(so.st_mode))
        return 1;
    for (int i = 0; i < ninputs; i++)
        if (inputs[i] && stat(inputs[i], &si) == 0 && si.st_dev == so.st_dev &&
            si.st_ino == so.st_ino) {
            fprintf(stderr, "secondsight: refusing to write %s: it is the input %s\n", out,
                    inputs[i]);
            return 0;
        }
    return 1;
}

/* A size with an optional K, M or G suffix (powers of 1024). */
static int parse_size(const char *s, uint64_t *out)
{
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno || end == s || s[0] == '-')
        return 0;
    unsigned shift = 0;
    switch (*end) {
    case 'k':
    case 'K':
        shift = 10;
        end++;
        break;
    case 'm':
    case 'M':
        shift = 20;
        end++;
        break;
    case 'g':
    case 'G':
        shift = 30;
        end++;
        break;
    default:
        break;
    }
    if (*end || v > (ULLONG_MAX >> shift))
        return 0;
    *out = (uint64_t)v << shift;
    return 1;
}

static int parse_uint(const char *s, uint64_t max, uint64_t *out)
{
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno || end == s || *end || s[0] == '-' || v > max)
        return 0;
    *out = v;
    return 1;
}

enum {
    OPT_JSON = 256,
    OPT_MAX_FLOWS,
    OPT_FLOW_MEMORY,
    OPT_WINDOW,
    OPT_GRACE,
    OPT_TEST_DETECTOR,
    OPT_EVIDENCE,
    OPT_RUN_AS_ROOT,
    OPT_PROMISC,
    OPT_STATS_INTERVAL,
    OPT_THREADS,
    OPT_INSIDE,
    OPT_OUTSIDE,
    OPT_NAT,
    OPT_CLOCK_SKEW,
    OPT_REDIS,
    OPT_REDIS_KEY,
    OPT_REDIS_MODE,
    OPT_REDIS_QUEUE,
    OPT_URL,
    OPT_HOST,
    OPT_DNS,
    OPT_SERVER,
    OPT_TCP,
    OPT_MAX_TTL,
    OPT_TRIES,
    OPT_WAIT,
    OPT_TIMEOUT,
    OPT_DRY_RUN,
    OPT_FORMAT,
    OPT_SENSOR_NAME,
    OPT_SHARD,
};

#define SINK_LONGOPTS                                                                              \
    {"output", required_argument, NULL, 'o'}, {"redis", required_argument, NULL, OPT_REDIS},       \
        {"redis-key", required_argument, NULL, OPT_REDIS_KEY},                                     \
        {"redis-mode", required_argument, NULL, OPT_REDIS_MODE},                                   \
        {"redis-queue", required_argument, NULL, OPT_REDIS_QUEUE},                                 \
        {"json", no_argument, NULL, OPT_JSON}, {"format", required_argument, NULL, OPT_FORMAT},    \
    {                                                                                              \
        "sensor-name", required_argument, NULL, OPT_SENSOR_NAME                                    \
    }

static const struct option analyze_longopts[] = {
    SINK_LONGOPTS,
    {"shard", required_argument, NULL, OPT_SHARD},
    {"max-flows", required_argument, NULL, OPT_MAX_FLOWS},
    {"flow-memory", required_argument, NULL, OPT_FLOW_MEMORY},
    {"window", required_argument, NULL, OPT_WINDOW},
    {"grace", required_argument, NULL, OPT_GRACE},
    {"test-detector", no_argument, NULL, OPT_TEST_DETECTOR},
    {"quiet", no_argument, NULL, 'q'},
    {"evidence", required_argument, NULL, OPT_EVIDENCE},
    {"interface", required_argument, NULL, 'i'},
    {"filter", required_argument, NULL, 'f'},
    {"user", required_argument, NULL, 'Z'},
    {"run-as-root", no_argument, NULL, OPT_RUN_AS_ROOT},
    {"promisc", no_argument, NULL, OPT_PROMISC},
    {"stats-interval", required_argument, NULL, OPT_STATS_INTERVAL},
    {"threads", required_argument, NULL, OPT_THREADS},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0},
};

/* --shard K/N: shard K (0-based, as Slurm array and Kubernetes indexes count) of N. */
#define SHARD_COUNT_MAX 4096
static int parse_shard(const char *s, uint32_t *index, uint32_t *count)
{
    char k[16];
    const char *slash = strchr(s, '/');
    uint64_t kv, nv;
    if (!slash || (size_t)(slash - s) >= sizeof k)
        return 0;
    memcpy(k, s, (size_t)(slash - s));
    k[slash - s] = '\0';
    if (!parse_uint(k, SHARD_COUNT_MAX, &kv) || !parse_uint(slash + 1, SHARD_COUNT_MAX, &nv) ||
        nv == 0 || kv >= nv)
        return 0;
    *index = (uint32_t)kv;
    *count = (uint32_t)nv;
    return 1;
}

/* NO_COLOR (no-color.org): set and not empty turns colour off. */
static int no_color(void)
{
    const char *v = getenv("NO_COLOR");
    return v && *v;
}

/* Where results go (standard output, the -o file, or Redis) and in which format. */
struct sink {
    const struct output_format *format; /* --format, --json; NULL: text */
    const char *sensor;                 /* --sensor-name; NULL: the host name */
    const char *path;                   /* -o FILE */
    struct redis_config redis;          /* target NULL: no Redis */
    struct redis_out *rout;
    FILE *fp;
};

/* The options every subcommand that writes results shares; 1 when `c` was one. */
static int sink_option(struct sink *k, int c, int *status)
{
    switch (c) {
    case 'o':
        k->path = optarg;
        return 1;
    case OPT_JSON:
        k->format = &output_format_json;
        return 1;
    case OPT_FORMAT:
        if (!(k->format = output_format_named(optarg)))
            *status = usage_error("--format wants text, json or eve, not '%s'", optarg);
        return 1;
    case OPT_SENSOR_NAME:
        if (!*optarg)
            *status = usage_error("%s", "--sensor-name wants a name");
        k->sensor = optarg;
        return 1;
    case OPT_REDIS: {
        char err[128];
        if (!redis_target_valid(optarg, err, sizeof err))
            *status = usage_error("%s", err);
        k->redis.target = optarg;
        return 1;
    }
    case OPT_REDIS_KEY:
        if (!*optarg)
            *status = usage_error("%s", "--redis-key wants a key name");
        k->redis.key = optarg;
        return 1;
    case OPT_REDIS_MODE:
        if (strcmp(optarg, "list") && strcmp(optarg, "channel"))
            *status = usage_error("--redis-mode wants list or channel, not '%s'", optarg);
        k->redis.mode = strcmp(optarg, "list") ? REDIS_CHANNEL : REDIS_LIST;
        return 1;
    case OPT_REDIS_QUEUE: {
        uint64_t v;
        if (!parse_uint(optarg, REDIS_QUEUE_LINES_MAX, &v) || !v)
            *status = usage_error("--redis-queue wants lines from 1 to %u, not '%s'",
                                  REDIS_QUEUE_LINES_MAX, optarg);
        k->redis.queue_lines = (uint32_t)v;
        return 1;
    }
    default:
        return 0;
    }
}

/* Checks the sink before anything is opened: one destination, never one of the inputs.
 * An exit status on failure, else -1. */
static int sink_check(const struct sink *k, char *const *inputs, int ninputs)
{
    if (k->path && k->redis.target)
        return usage_error("%s", "-o and --redis both name where results go: give one");
    if (!output_not_input(k->path, inputs, ninputs))
        return EXIT_TROUBLE;
    return -1;
}

/* Starts the sink (`mode` "w" for a file run, "a" for a sensor's log): k->fp, or NULL
 * with a message on stderr (naming the user it was opened as, for a sensor). */
static FILE *sink_start(struct sink *k, const char *mode)
{
    int sensor = *mode == 'a';
    k->fp = stdout;
    if (k->redis.target) {
        if (!k->redis.key)
            k->redis.key = "secondsight";
        if (!k->redis.queue_lines)
            k->redis.queue_lines = REDIS_QUEUE_LINES;
        k->fp = redis_open(&k->redis, &k->rout);
        if (!k->fp)
            fprintf(stderr, "secondsight: cannot start the redis sender: %s\n", strerror(errno));
    } else if (k->path && !(k->fp = fopen(k->path, mode))) {
        int err = errno;
        const struct passwd *pw = sensor ? getpwuid(geteuid()) : NULL;
        if (pw) /* opened after the privilege drop */
            fprintf(stderr, "secondsight: cannot write %s as user %s: %s\n", k->path, pw->pw_name,
                    strerror(err));
        else
            fprintf(stderr, "secondsight: cannot write %s: %s\n", k->path, strerror(err));
    }
    return k->fp;
}

/* The sink's checks, then the sink started. An exit status on failure, else -1. */
static int sink_open(struct sink *k, const char *mode, char *const *inputs, int ninputs)
{
    int status = sink_check(k, inputs, ninputs);
    if (status < 0 && !sink_start(k, mode))
        status = EXIT_TROUBLE;
    return status;
}

/* live: the sensor's log, appended to, started once privileges are dropped. */
static FILE *sink_start_live(void *ctx)
{
    return sink_start(ctx, "a");
}

/* Colour only for people reading the text report on a terminal. */
static int sink_color(const struct sink *k)
{
    return (!k->format || k->format == &output_format_text) && !k->path && !k->redis.target &&
           isatty(STDOUT_FILENO) && !no_color();
}

/* EVE's `host`: --sensor-name, else the host name. */
static const char *sink_sensor(struct sink *k)
{
    static char host[256];
    if (k->sensor)
        return k->sensor;
    if (gethostname(host, sizeof host - 1) != 0)
        snprintf(host, sizeof host, "unknown");
    return host;
}

/* The sink's name for messages. */
static const char *sink_name(const struct sink *k)
{
    return k->path ? k->path : k->redis.target ? k->redis.target : "standard output";
}

/* Closes the sink and returns `status`, or EXIT_TROUBLE when results were lost: a
 * write error, or lines Redis never received. */
static int sink_close(struct sink *k, int status)
{
    if (k->rout) {
        struct redis_stats st;
        redis_close(k->fp, k->rout, &st);
        uint64_t lost = st.dropped_full + st.dropped_exit + st.refused;
        /* Like tcpdump's closing counts: what went where, on every run. */
        fprintf(stderr,
                "secondsight: redis %s: %llu lines sent over %llu connections, %llu "
                "failed attempts; %llu not delivered (queue full %llu, still queued "
                "at the end %llu, refused %llu)\n",
                k->redis.target, (unsigned long long)st.sent, (unsigned long long)st.connects,
                (unsigned long long)st.errors, (unsigned long long)lost,
                (unsigned long long)st.dropped_full, (unsigned long long)st.dropped_exit,
                (unsigned long long)st.refused);
        return lost ? EXIT_TROUBLE : status;
    }
    if ((k->path ? fclose(k->fp) : fflush(k->fp)) != 0 && status != EXIT_TROUBLE) {
        fprintf(stderr, "secondsight: cannot write %s: %s\n",
                k->path ? k->path : "results to standard output", strerror(errno));
        status = EXIT_TROUBLE;
    }
    return status;
}

/* getopt_long over a subcommand's options, handling what they all share: the sink's
 * options (when `k`), -h/--help and unknown or incomplete options. Returns the next
 * option for the subcommand, or -1 at the end of the options or once *status holds an
 * exit status (which the caller returns after its loop). */
static int next_option(int argc, char **argv, const char *shortopts, const struct option *longopts,
                       struct sink *k, int *status)
{
    int c;
    while (*status < 0 && (c = getopt_long(argc, argv, shortopts, longopts, NULL)) != -1) {
        if (k && sink_option(k, c, status))
            continue;
        if (c == 'h') {
            print_usage();
            *status = EXIT_CLEAN;
        } else if (c == '?' || c == ':') {
            *status = option_error(c, argv, longopts);
        } else {
            return c;
        }
    }
    return -1;
}

/* Where the results go and how, into a subcommand's options (analyze_options,
 * diff_options and locate_options share these field names). */
#define SINK_TO_OPTIONS(o, k)                                                                      \
    ((o).out = (k)->fp, (o).out_name = sink_name(k), (o).format = (k)->format,                     \
     (o).sensor = sink_sensor(k), (o).color = sink_color(k))

/* An option of live only (`lo`): -1 when taken, else an exit status. */
static int live_option(struct live_options *lo, char **ifaces, int nmax, int c)
{
    uint64_t v;
    switch (c) {
    case 'i':
        if (lo->nifaces == nmax)
            return usage_error("at most %d interfaces", nmax);
        ifaces[lo->nifaces++] = optarg;
        return -1;
    case 'f':
        lo->filter = optarg;
        return -1;
    case 'Z':
        lo->user = optarg;
        return -1;
    case OPT_RUN_AS_ROOT:
        lo->run_as_root = 1;
        return -1;
    case OPT_PROMISC:
        lo->promisc = 1;
        return -1;
    default: /* OPT_STATS_INTERVAL */
        if (!parse_uint(optarg, 86400, &v) || v == 0)
            return usage_error("--stats-interval wants seconds from 1 to 86400, not '%s'", optarg);
        lo->stats_interval = (unsigned)v;
        return -1;
    }
}

/* An option of analyze and live about the flow table, threads and shards: -1 when
 * taken, 0 when `c` is none of them, else an exit status. */
static int flow_option(struct analyze_options *opt, int c)
{
    uint64_t v;
    switch (c) {
    case OPT_MAX_FLOWS:
        if (!parse_uint(optarg, 1u << 30, &v) || v == 0)
            return usage_error("--max-flows wants a number from 1 to 1073741824, not '%s'", optarg);
        opt->flow.max_flows = (uint32_t)v;
        return -1;
    case OPT_FLOW_MEMORY:
        if (!parse_size(optarg, &v) || v < (1u << 20))
            return usage_error("--flow-memory wants a size of at least 1M, not '%s'", optarg);
        opt->flow.max_memory = v;
        return -1;
    case OPT_WINDOW:
        if (!parse_size(optarg, &v) || v < TCP_WINDOW_MIN || v > TCP_WINDOW_MAX || (v & (v - 1)))
            return usage_error("--window wants a power of two from 256 to 16M, not '%s'", optarg);
        opt->flow.window = (uint32_t)v;
        return -1;
    case OPT_GRACE:
        if (!parse_uint(optarg, 86400, &v))
            return usage_error("--grace wants seconds from 0 to 86400, not '%s'", optarg);
        opt->flow.grace_s = (uint32_t)v;
        return -1;
    case OPT_THREADS:
        if (!parse_uint(optarg, CAPTURE_MAX_WORKERS, &v) || v == 0)
            return usage_error("--threads wants a number from 1 to %d, not '%s'",
                               CAPTURE_MAX_WORKERS, optarg);
        opt->threads = (uint32_t)v;
        return -1;
    case OPT_SHARD:
        if (!parse_shard(optarg, &opt->shard_index, &opt->shard_count))
            return usage_error("--shard wants K/N with N from 1 to %u and K from 0 to N-1, "
                               "not '%s'",
                               SHARD_COUNT_MAX, optarg);
        return -1;
    default:
        return 0;
    }
}

/* Each shard gets its part of the caps; each part must hold. -1 when they do, else an
 * exit status. */
static int flow_memory_check(const struct analyze_options *opt)
{
    struct flow_config part = shard_flow_config(&opt->flow, opt->threads);
    uint64_t need = flow_table_min_memory(&part) * opt->threads;
    if (opt->flow.max_memory >= need)
        return -1;
    return usage_error("--flow-memory %llu is too small for --max-flows %u, --window %u "
                       "and --threads %u (at least %llu bytes)",
                       (unsigned long long)opt->flow.max_memory, opt->flow.max_flows,
                       opt->flow.window, opt->threads, (unsigned long long)need);
}

/* --evidence DIR made (noted in `lo`, for live) or found writable: -1, else an exit
 * status. */
static int evidence_dir_ready(const char *dir, struct live_options *lo)
{
    struct stat st;
    if (mkdir(dir, 0755) == 0) {
        if (lo)
            lo->evidence_made = 1;
    } else if (errno != EEXIST) {
        fprintf(stderr, "secondsight: cannot create evidence directory %s: %s\n", dir,
                strerror(errno));
        return EXIT_TROUBLE;
    }
    errno = 0; /* mkdir's EEXIST is no reason: a file there is "not a directory" */
    if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode) || access(dir, W_OK) != 0) {
        fprintf(stderr, "secondsight: cannot write evidence to %s: %s\n", dir,
                errno ? strerror(errno) : "not a directory");
        return EXIT_TROUBLE;
    }
    return -1;
}

/* analyze and live: the options read, then the operands checked. `lo` is NULL for
 * analyze, whose live-only options are then usage errors. -1 to go on, else an exit
 * status. */
static int run_options(int argc, char **argv, struct analyze_options *opt, struct live_options *lo,
                       struct sink *sink, char **ifaces, int nmax)
{
    int c, status = -1;
    while ((c = next_option(argc, argv, lo ? ":o:qhi:f:Z:" : ":o:qh", analyze_longopts, sink,
                            &status)) != -1) {
        int live_only = c == 'i' || c == 'f' || c == 'Z' || c == OPT_RUN_AS_ROOT ||
                        c == OPT_PROMISC || c == OPT_STATS_INTERVAL;
        if (!lo && live_only)
            return usage_error("option '%.*s' is for live capture only",
                               (int)strcspn(argv[optind - 1], "="), argv[optind - 1]);
        if (lo && c == OPT_SHARD)
            return usage_error("%s", "--shard is for analyze: a live sensor's traffic is "
                                     "shared out by --threads");
        if (live_only)
            status = live_option(lo, ifaces, nmax, c);
        else if (c == OPT_TEST_DETECTOR)
            opt->test_detectors = 1;
        else if (c == 'q')
            opt->progress = 0;
        else if (c == OPT_EVIDENCE)
            opt->evidence_dir = optarg;
        else if ((status = flow_option(opt, c)) == 0)
            return option_error('?', argv, analyze_longopts);
    }
    if (status >= 0)
        return status;
    if (lo) {
        if (optind < argc)
            return usage_error("live takes interfaces (-i), not files: '%s'", argv[optind]);
        if (!lo->nifaces)
            return usage_error("%s", "live needs at least one interface (-i IFACE)");
    } else if (optind >= argc) {
        return usage_error("%s", "analyze needs at least one capture file");
    }
    return -1;
}

/* analyze (`lo` NULL) and live: options, checks, the sink, then the run. */
static int cmd_run(int argc, char **argv, struct live_options *lo)
{
    struct analyze_options opt = {
        .threads = 1,
        .flow = {FLOW_MAX_DEFAULT, FLOW_MEMORY_DEFAULT, TCP_WINDOW_DEFAULT, TCP_GRACE_DEFAULT},
        .progress = 1, /* until -q */
    };
    struct sink sink = {0};
    char *ifaces[16];
    int status;

    options_begin();
    if ((status = run_options(argc, argv, &opt, lo, &sink, ifaces, 16)) >= 0 ||
        (status = flow_memory_check(&opt)) >= 0 ||
        (opt.evidence_dir && (status = evidence_dir_ready(opt.evidence_dir, lo)) >= 0))
        return status;
    /* A sensor's log is appended to (and reopened on SIGHUP), and opened by live_run once
     * privileges are dropped; a file run starts anew. */
    if ((status = lo ? sink_check(&sink, NULL, 0)
                     : sink_open(&sink, "w", argv + optind, argc - optind)) >= 0)
        return status;
    SINK_TO_OPTIONS(opt, &sink);
    opt.progress = opt.progress && !lo && isatty(STDERR_FILENO);
    if (!lo)
        return sink_close(&sink, analyze_files(&opt, argv + optind, argc - optind));
    opt.flow.sensor = 1; /* memory flat for weeks (flow.h) */
    lo->ifaces = ifaces;
    lo->outpath = sink.path;
    lo->open_results = sink_start_live;
    lo->results_ctx = &sink;
    status = live_run(&opt, lo);
    /* SIGHUP reopened the -o file: the sink's stream is the new one (the old is closed). */
    sink.fp = opt.out;
    if (!sink.fp)
        return status; /* never opened */
    return sink_close(&sink, status);
}

static int cmd_report(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"output", required_argument, NULL, 'o'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    struct sink sink = {0};
    int status = -1;
    options_begin();
    while (next_option(argc, argv, ":o:h", longopts, NULL, &status) == 'o')
        sink.path = optarg;
    if (status >= 0)
        return status;
    if (argc - optind != 1)
        return usage_error("%s", "report needs one findings file (JSON lines)");
    if ((status = sink_open(&sink, "w", argv + optind, 1)) >= 0)
        return status;
    return sink_close(
        &sink, report_html(argv[optind], sink.fp, sink_name(&sink), sink.path, argv[optind]));
}

/* SECONDS as a signed decimal with up to 9 fractional digits, into nanoseconds. */
static int parse_seconds(const char *s, int64_t *out)
{
    int neg = *s == '-';
    if (*s == '-' || *s == '+')
        s++;
    if (!*s)
        return 0;
    int64_t sec = 0, frac = 0, scale = 1000000000;
    for (; *s >= '0' && *s <= '9'; s++) {
        if (sec > 86400LL * 366)
            return 0;
        sec = sec * 10 + (*s - '0');
    }
    if (*s == '.')
        for (s++; *s >= '0' && *s <= '9'; s++)
            if (scale > 1) {
                scale /= 10;
                frac += (*s - '0') * scale;
            }
    if (*s)
        return 0;
    *out = (neg ? -1 : 1) * (sec * 1000000000 + frac);
    return 1;
}

static int cmd_diff(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"inside", required_argument, NULL, OPT_INSIDE},
        {"outside", required_argument, NULL, OPT_OUTSIDE},
        {"nat", required_argument, NULL, OPT_NAT},
        {"clock-skew", required_argument, NULL, OPT_CLOCK_SKEW},
        SINK_LONGOPTS,
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    struct diff_options o;
    memset(&o, 0, sizeof o);
    o.nat = 1;
    o.clock_auto = 1;
    struct sink sink = {0};
    int c, status = -1;
    options_begin();
    while ((c = next_option(argc, argv, ":o:h", longopts, &sink, &status)) != -1) {
        switch (c) {
        case OPT_INSIDE:
            o.inside = optarg;
            break;
        case OPT_OUTSIDE:
            o.outside = optarg;
            break;
        case OPT_NAT:
            if (strcmp(optarg, "auto") && strcmp(optarg, "none"))
                return usage_error("--nat wants auto or none, not '%s'", optarg);
            o.nat = !strcmp(optarg, "auto");
            break;
        case OPT_CLOCK_SKEW:
            o.clock_auto = !strcmp(optarg, "auto");
            if (!o.clock_auto && !parse_seconds(optarg, &o.clock_offset_ns))
                return usage_error("--clock-skew wants auto or seconds (e.g. -1.25), not '%s'",
                                   optarg);
            break;
        default:
            return option_error('?', argv, longopts);
        }
    }
    if (status >= 0)
        return status;
    if (optind < argc)
        return usage_error("diff takes its captures as --inside and --outside, not '%s'",
                           argv[optind]);
    if (!o.inside || !o.outside)
        return usage_error("%s", "diff needs --inside FILE and --outside FILE");
    if (!strcmp(o.inside, "-") || !strcmp(o.outside, "-"))
        return usage_error("%s", "diff reads its captures twice (the clock estimate first): "
                                 "files, not standard input");
    struct stat si, so;
    if (stat(o.inside, &si) == 0 && stat(o.outside, &so) == 0 && si.st_dev == so.st_dev &&
        si.st_ino == so.st_ino)
        return usage_error("--inside and --outside are the same file (%s): a device is "
                           "judged from captures taken on its two sides",
                           o.outside);
    char *inputs[] = {(char *)o.inside, (char *)o.outside};
    if ((status = sink_open(&sink, "w", inputs, 2)) >= 0)
        return status;
    SINK_TO_OPTIONS(o, &sink);
    return sink_close(&sink, diff_run(&o));
}

/* SECONDS (with a fraction) from min_ms to max_ms, into milliseconds. */
static int parse_ms(const char *s, int64_t min_ms, int64_t max_ms, unsigned *out)
{
    int64_t ns;
    if (!parse_seconds(s, &ns) || ns < min_ms * 1000000 || ns > max_ms * 1000000)
        return 0;
    *out = (unsigned)(ns / 1000000);
    return 1;
}

static const struct option locate_longopts[] = {
    {"url", required_argument, NULL, OPT_URL},
    {"host", required_argument, NULL, OPT_HOST},
    {"dns", required_argument, NULL, OPT_DNS},
    {"server", required_argument, NULL, OPT_SERVER},
    {"tcp", no_argument, NULL, OPT_TCP},
    {"max-ttl", required_argument, NULL, OPT_MAX_TTL},
    {"tries", required_argument, NULL, OPT_TRIES},
    {"wait", required_argument, NULL, OPT_WAIT},
    {"timeout", required_argument, NULL, OPT_TIMEOUT},
    {"interface", required_argument, NULL, 'i'},
    {"write", required_argument, NULL, 'w'},
    {"dry-run", no_argument, NULL, OPT_DRY_RUN},
    SINK_LONGOPTS,
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0},
};

/* One of locate's own options into `o` (--tcp into *tcp): -1, else an exit status. */
static int locate_option(struct locate_options *o, int *tcp, int c, char **argv)
{
    uint64_t v;
    switch (c) {
    case OPT_URL:
        o->url = optarg;
        return -1;
    case OPT_HOST:
        o->host = optarg;
        return -1;
    case OPT_DNS:
        o->qname = optarg;
        return -1;
    case OPT_SERVER:
        o->server = optarg;
        return -1;
    case OPT_TCP:
        *tcp = 1;
        return -1;
    case OPT_MAX_TTL:
        if (!parse_uint(optarg, LOCATE_TTL_MAX, &v) || v == 0)
            return usage_error("--max-ttl wants a number from 1 to %d, not '%s'", LOCATE_TTL_MAX,
                               optarg);
        o->max_ttl = (unsigned)v;
        return -1;
    case OPT_TRIES:
        if (!parse_uint(optarg, LOCATE_TRIES_MAX, &v) || v == 0)
            return usage_error("--tries wants a number from 1 to %d, not '%s'", LOCATE_TRIES_MAX,
                               optarg);
        o->tries = (unsigned)v;
        return -1;
    case OPT_WAIT:
        if (!parse_ms(optarg, 0, 60000, &o->wait_ms))
            return usage_error("--wait wants seconds from 0 to 60, not '%s'", optarg);
        return -1;
    case OPT_TIMEOUT:
        if (!parse_ms(optarg, 100, 30000, &o->timeout_ms))
            return usage_error("--timeout wants seconds from 0.1 to 30, not '%s'", optarg);
        return -1;
    case 'i':
        o->iface = optarg;
        return -1;
    case 'w':
        o->write = optarg;
        return -1;
    case OPT_DRY_RUN:
        o->dry_run = 1;
        return -1;
    default:
        return option_error('?', argv, locate_longopts);
    }
}

/* The options that go together: one target, and what goes with which. -1 when they
 * make sense (o->method set), else an exit status. */
static int locate_check(struct locate_options *o, int tcp, const struct sink *sink)
{
    if (!!o->url + !!o->qname != 1)
        return usage_error("%s", "locate needs one target: --url, or --dns with --server");
    if (o->qname && !o->server)
        return usage_error("%s", "--dns needs --server ADDR[:PORT]: the resolver to ask");
    if (o->url && (o->server || tcp))
        return usage_error("%s", "--server and --tcp go with --dns, not --url");
    if (o->host && !o->url)
        return usage_error("%s", "--host goes with --url");
    o->method = o->url ? LOCATE_HTTP : tcp ? LOCATE_DNS_TCP : LOCATE_DNS_UDP;
    if (o->write && sink->path && !strcmp(o->write, sink->path))
        return usage_error("%s", "-w and -o name the same file");
    return -1;
}

static int cmd_locate(int argc, char **argv)
{
    struct locate_options o = {
        .max_ttl = LOCATE_TTL_DEFAULT,
        .tries = LOCATE_TRIES_DEFAULT,
        .wait_ms = LOCATE_WAIT_MS_DEFAULT,
        .timeout_ms = LOCATE_TIMEOUT_MS_DEFAULT,
    };
    struct sink sink = {0};
    int c, status = -1, tcp = 0;
    options_begin();
    while ((c = next_option(argc, argv, ":o:hi:w:", locate_longopts, &sink, &status)) != -1)
        status = locate_option(&o, &tcp, c, argv);
    if (status >= 0)
        return status;
    if (optind < argc)
        return usage_error("locate takes no files: '%s'", argv[optind]);
    if ((status = locate_check(&o, tcp, &sink)) >= 0 ||
        (status = sink_open(&sink, "w", NULL, 0)) >= 0)
        return status;
    SINK_TO_OPTIONS(o, &sink);
    return sink_close(&sink, locate_run(&o));
}

static int cmd_analyze(int argc, char **argv)
{
    return cmd_run(argc, argv, NULL);
}

static int cmd_live(int argc, char **argv)
{
    struct live_options lo;
    memset(&lo, 0, sizeof lo);
    return cmd_run(argc, argv, &lo);
}

int main(int argc, char **argv)
{
    if (argc < 2)
        return usage_error("%s", "a subcommand is needed");
    const char *cmd = argv[1];
    if (!strcmp(cmd, "--help") || !strcmp(cmd, "-h") || !strcmp(cmd, "help")) {
        print_usage();
        return EXIT_CLEAN;
    }
    if (!strcmp(cmd, "--version")) {
        printf("secondsight %s\n%s\n", SS_VERSION_STRING, pcap_lib_version());
        return EXIT_CLEAN;
    }
    if (!strcmp(cmd, "analyze"))
        return cmd_analyze(argc - 1, argv + 1);
    if (!strcmp(cmd, "report"))
        return cmd_report(argc - 1, argv + 1);
    if (!strcmp(cmd, "live"))
        return cmd_live(argc - 1, argv + 1);
    if (!strcmp(cmd, "diff"))
        return cmd_diff(argc - 1, argv + 1);
    if (!strcmp(cmd, "locate"))
        return cmd_locate(argc - 1, argv + 1);
    return usage_error("unknown subcommand '%s'", cmd);
}
