/* secondsight - every limit and default in one place, one comment each.
 * Each can be overridden at build time (-DNAME=value); runtime options override some. */
#ifndef SS_CONFIG_H
#define SS_CONFIG_H

/* The version: CMake's project(VERSION), passed by the build (-DSS_VERSION_STRING). */
#ifndef SS_VERSION_STRING
#error "SS_VERSION_STRING comes from CMakeLists.txt project(VERSION)"
#endif

/* Flow table: count cap (--max-flows). */
#ifndef FLOW_MAX_DEFAULT
#define FLOW_MAX_DEFAULT 262144u
#endif

/* Flow table: byte cap over flow records and payload windows (--flow-memory). */
#ifndef FLOW_MEMORY_DEFAULT
#define FLOW_MEMORY_DEFAULT (512ull << 20)
#endif

/* Recent TCP payload bytes kept per direction (--window); a power of two. */
#ifndef TCP_WINDOW_DEFAULT
#define TCP_WINDOW_DEFAULT 8192u
#endif
#define TCP_WINDOW_MIN 256u
#define TCP_WINDOW_MAX (1u << 24)

/* Segments remembered per direction (start, length, frame) to name frames in findings. */
#ifndef TCP_SEGLOG
#define TCP_SEGLOG 32u
#endif
/* Segments stored with a gap before them (ahead of the stream: out of order, or a
 * forged copy planted far ahead) kept apart per direction, until their bytes leave the
 * window, so a conflict found after many later segments can still name them. */
#ifndef TCP_AHEAD_LOG
#define TCP_AHEAD_LOG 8u
#endif

/* The shorter logs of a direction's first window, which fits in half a page: most
 * directions (a request, a small answer) never send more segments than this, and one
 * that does moves to a one-page window with the full logs before an entry is lost. */
#ifndef TCP_SEGLOG_HALF
#define TCP_SEGLOG_HALF 8u
#endif
#ifndef TCP_AHEAD_LOG_HALF
#define TCP_AHEAD_LOG_HALF 4u
#endif

/* Seconds a TCP flow is kept after FIN or RST, still comparing late copies (--grace). */
#ifndef TCP_GRACE_DEFAULT
#define TCP_GRACE_DEFAULT 60u
#endif

/* Idle timeouts in seconds of packet time. */
#ifndef TCP_TIMEOUT_EMBRYONIC
#define TCP_TIMEOUT_EMBRYONIC 60u /* handshake not complete */
#endif
#ifndef TCP_TIMEOUT_ESTABLISHED
#define TCP_TIMEOUT_ESTABLISHED 3600u
#endif
#ifndef UDP_TIMEOUT
#define UDP_TIMEOUT 120u
#endif

/* At most this many idle flows are expired per packet, so expiry work is bounded. */
#ifndef FLOW_EXPIRE_PER_PACKET
#define FLOW_EXPIRE_PER_PACKET 4u
#endif

/* Flows remembered per table by a cheap index of their endpoints, so a packet of a
 * recently seen flow skips the keyed hash and the bucket walk; a power of two. */
#ifndef FLOW_CACHE_SLOTS
#define FLOW_CACHE_SLOTS 256u
#endif

/* Classic pcap files are read this many bytes at a time (records larger than that
 * are read by libpcap). */
#ifndef CAPTURE_READ_BYTES
#define CAPTURE_READ_BYTES (1u << 20)
#endif

/* Timeout classes of flows, each with its own expiry list (flow-table.c). */
#define FLOW_XCLASSES 4

/* Flow records are allocated this many at a time from the counted pool. */
#ifndef FLOW_POOL_CHUNK
#define FLOW_POOL_CHUNK 1024u
#endif

/* Fragment reassembly: datagrams at once, bytes held, seconds to complete (the
 * Linux default is 30). */
#ifndef FRAG_MAX_DEFAULT
#define FRAG_MAX_DEFAULT 8192u
#endif
#ifndef FRAG_MEMORY_DEFAULT
#define FRAG_MEMORY_DEFAULT (64ull << 20)
#endif
#ifndef FRAG_TIMEOUT
#define FRAG_TIMEOUT 30u
#endif

/* diff: seconds a packet seen on one side waits for its counterpart on the other (the
 * device's queueing plus what the clock estimate leaves); packets waiting at once and
 * the bytes kept of them to show what changed; conversations tracked; a conversation
 * idle this long (seconds) is closed. */
#ifndef DIFF_WINDOW_S
#define DIFF_WINDOW_S 2u
#endif
#ifndef DIFF_MAX_PENDING
#define DIFF_MAX_PENDING 262144u
#endif
#ifndef DIFF_PENDING_BYTES
#define DIFF_PENDING_BYTES (64u << 20)
#endif
#ifndef DIFF_MAX_CONVS
#define DIFF_MAX_CONVS 262144u
#endif
#ifndef DIFF_CONV_TIMEOUT
#define DIFF_CONV_TIMEOUT 600u
#endif
/* diff: TCP data segments of both sides kept, with their bytes, to judge a lone one by
 * what the other side carried over the same sequence range (diff-range.c). */
#ifndef DIFF_RANGE_SLOTS
#define DIFF_RANGE_SLOTS 65536u
#endif
#ifndef DIFF_RANGE_BYTES
#define DIFF_RANGE_BYTES (32u << 20)
#endif
/* Packets of each capture read to estimate the clock offset (--clock-skew auto). */
#ifndef DIFF_SKEW_PROBE
#define DIFF_SKEW_PROBE 20000u
#endif

/* Detectors one pipeline may run (the registry in detect.c has fewer). */
#ifndef PIPELINE_MAX_DETECTORS
#define PIPELINE_MAX_DETECTORS 16
#endif

/* --threads: frames the reader hands one shard in a batch (a batch is a wakeup or two:
 * at 256, dns.pcap made 2,600 context switches a second thread's way) and bytes it
 * copies into one; batches per shard (one filling, the rest in flight); frames read
 * between collections of the shards' findings. */
#ifndef SHARD_BATCH_FRAMES
#define SHARD_BATCH_FRAMES 1024
#endif
#ifndef SHARD_BATCH_BYTES
#define SHARD_BATCH_BYTES (1u << 20)
#endif
#ifndef SHARD_QUEUE
#define SHARD_QUEUE 4
#endif
#ifndef SHARD_DRAIN_EVERY
#define SHARD_DRAIN_EVERY 4096
#endif

/* Live capture: snap length; kernel buffer per interface, shared out among workers but
 * at least LIVE_MIN_BUFFER each; how long the kernel may hold packets back (ms);
 * interfaces at most; packets read per interface per poll round. */
#ifndef LIVE_SNAPLEN
#define LIVE_SNAPLEN 262144
#endif
#ifndef LIVE_BUFFER
#define LIVE_BUFFER (64 << 20)
#endif
#ifndef LIVE_MIN_BUFFER
#define LIVE_MIN_BUFFER (16 << 20)
#endif
#ifndef LIVE_TIMEOUT_MS
#define LIVE_TIMEOUT_MS 100
#endif
#define LIVE_MAX_IFACES 16
#ifndef LIVE_BATCH
#define LIVE_BATCH 512
#endif
/* Live capture on a quiet link: packet time is taken to be the wall clock less this lag
 * (ms), so that findings held until a deadline go out by time, not with the next
 * packet. The lag leaves room for packets stamped before it that still wait in the
 * kernel's buffer (LIVE_TIMEOUT_MS at most, when the sensor keeps up). */
#ifndef LIVE_CLOCK_LAG_MS
#define LIVE_CLOCK_LAG_MS 1000
#endif

/* DNS: the detector reads this port's traffic; --threads keeps a resolver's in one shard. */
#define DNS_PORT 53

/* Decoder bounds: stacked VLAN tags, MPLS labels, IPv6 extension headers. */
#define DECODE_MAX_VLAN 8
#define DECODE_MAX_MPLS 8
#define DECODE_MAX_IPV6_EXT 16

/* TCP options kept in order per packet (40 option bytes allow at most 40 kinds). */
#define TCP_MAX_OPTS 40

/* Frames one finding may cite. */
#define FINDING_MAX_FRAMES 16

/* Class-specific evidence fields one finding may carry. */
#define FINDING_MAX_FIELDS 24

/* A copy's payload shown in its finding: the first bytes, printable (util-phrase.h: at
 * most 2 characters a byte, and "..."), so a reader sees what a forger sent. */
#define FINDING_EXCERPT_BYTES 48
#define FINDING_EXCERPT_MAX (2 * FINDING_EXCERPT_BYTES + 4)

/* --redis: lines queued for the sender (count and bytes; a line that finds the queue full
 * is dropped and counted), the longest line sent, lines per pipelined batch, the connect
 * and reply timeout, the reconnection backoff, and how long the end of a run waits for
 * the queue to drain. */
#define REDIS_QUEUE_LINES 65536u /* default of --redis-queue */
#define REDIS_QUEUE_LINES_MAX (1u << 20)
#define REDIS_QUEUE_BYTES (64u << 20)
#define REDIS_LINE_MAX (1u << 20)
#define REDIS_BATCH 256u
#define REDIS_TIMEOUT_MS 2000u
#define REDIS_BACKOFF_MIN_MS 100u
#define REDIS_BACKOFF_MAX_MS 5000u
#define REDIS_FLUSH_MS 3000u

/* DNS: compression pointers followed per name. */
#ifndef DNS_MAX_POINTERS
#define DNS_MAX_POINTERS 16
#endif

/* HTTP: header lines read per response head. */
#ifndef HTTP_MAX_HEADERS
#define HTTP_MAX_HEADERS 32
#endif

/* DNS: the longest name kept; answer records read per message. */
#ifndef DNS_MAX_NAME
#define DNS_MAX_NAME 256 /* presentation form, with the terminating NUL */
#endif
#ifndef DNS_MAX_ANSWERS
#define DNS_MAX_ANSWERS 32 /* answer records read per message */
#endif

/* Fragment table: hash buckets (a power of two); datagrams expired per call at
 * most; the largest datagram (IPv4 and IPv6 payload lengths are 16 bits). */
#ifndef FRAG_BUCKETS
#define FRAG_BUCKETS 4096
#endif
#ifndef FRAG_EXPIRE_PER_CALL
#define FRAG_EXPIRE_PER_CALL 4
#endif
#ifndef FRAG_MAX_DATAGRAM
#define FRAG_MAX_DATAGRAM 65535u
#endif

/* Fragment table: a conflicting fragment this long after the fragment it overlaps (and
 * from the same TTL) belongs to another datagram that reused the identification
 * (RFC 4963): one datagram's fragments leave the sender back to back. */
#ifndef FRAG_REUSE_AGE_NS
#define FRAG_REUSE_AGE_NS (1000000000LL)
#endif
/* Fragment table: a completed datagram is kept this long of packet time, so a late
 * copy of one of its fragments (the genuine one, after a forger's planted copy
 * completed the datagram) is compared; at most this many and bytes at once. */
#ifndef FRAG_KEEP_NS
#define FRAG_KEEP_NS (2 * 1000000000LL)
#endif
#ifndef FRAG_KEEP_MAX
#define FRAG_KEEP_MAX 1024u
#endif
#ifndef FRAG_KEEP_MEMORY
#define FRAG_KEEP_MEMORY (8ull << 20)
#endif
/* Fragment table: pieces kept per datagram. */
#ifndef FRAG_MAX_PIECES
#define FRAG_MAX_PIECES 32
#endif

/* Window slots per malloc'd block, when there is no arena. */
#ifndef WINDOW_BLOCK_SLOTS
#define WINDOW_BLOCK_SLOTS 64u
#endif

/* Evidence: connections whose first PIN_FRAMES frames (PIN_BYTES bytes each) are
 * pinned, so an evidence pcap can start with the handshake. */
#ifndef PIN_SLOTS
#define PIN_SLOTS 4096u
#endif
#ifndef PIN_FRAMES
#define PIN_FRAMES 3u
#endif
#ifndef PIN_BYTES
#define PIN_BYTES 256u
#endif

/* Recent frames kept for evidence: this many, and this many bytes of them. */
#ifndef EVIDENCE_RING_FRAMES
#define EVIDENCE_RING_FRAMES 65536u
#endif
#ifndef EVIDENCE_RING_BYTES
#define EVIDENCE_RING_BYTES (64u << 20)
#endif
/* Per finding: flow packets written from before the event, and after it. */
#ifndef EVIDENCE_BEFORE
#define EVIDENCE_BEFORE 64u
#endif
#ifndef EVIDENCE_AFTER
#define EVIDENCE_AFTER 16u
#endif
/* Evidence files per run, and evidence pcaps being written at once. */
#ifndef EVIDENCE_MAX_FILES
#define EVIDENCE_MAX_FILES 1000u
#endif
#ifndef EVIDENCE_MAX_OPEN
#define EVIDENCE_MAX_OPEN 32u
#endif
/* Numbers tried for a finding's file names before it goes without evidence: a name
 * taken by an earlier run's evidence is never reused. */
#ifndef EVIDENCE_NAME_TRIES
#define EVIDENCE_NAME_TRIES 100000u
#endif

/* Files smaller than this finish before a progress line would help. */
#ifndef PROGRESS_MIN_FILE
#define PROGRESS_MIN_FILE (64ull << 20)
#endif

/* ---- Detectors' tables (fixed at start; what does not fit is counted in
 * stats.detectors or documented as forgotten) and their thresholds. ---- */

/* tcp_injection: recent events remembered so one event gives one alert (the
 * retransmissions that follow a forged reply all conflict with it again). */
#ifndef INJ_RECENT_MAX
#define INJ_RECENT_MAX 1024
#endif
/* tcp_injection: a lone forged-looking packet is held this long (packet time) for its
 * genuine copy, which makes it one race alert; at most this many at once. */
#ifndef INJ_HOLD_NS
#define INJ_HOLD_NS (2 * 1000000000LL)
#endif
#ifndef INJ_HOLD_MAX
#define INJ_HOLD_MAX 64
#endif
/* forged_packet needs this much evidence: a score over independent fields. */
#ifndef FORGED_MIN_SCORE
#define FORGED_MIN_SCORE 4
#endif
#ifndef FORGED_MIN_FIELDS
#define FORGED_MIN_FIELDS 2
#endif
/* tcp_injection: bytes of a forged copy read for HTTP enrichment. */
#ifndef INJ_APP_PEEK
#define INJ_APP_PEEK 2048
#endif

/* handshake_hijack: two SYN/ACKs are held this long for the server's next packet to
 * tell which is forged; at most this many at once. */
#ifndef HIJACK_HOLD_NS
#define HIJACK_HOLD_NS (2 * 1000000000LL)
#endif
/* handshake_hijack: two TSvals are on one clock when the later is at most this many
 * ticks behind, or ahead by at most the milliseconds between them plus this (RFC 7323
 * clocks tick at most once a millisecond; a Linux SYN cookie rewrites the low 6 bits). */
#ifndef HIJACK_TS_SLACK
#define HIJACK_TS_SLACK 64
#endif
#ifndef HIJACK_HOLD_MAX
#define HIJACK_HOLD_MAX 64
#endif

/* tcp_reset_injection: teardowns remembered, direct-mapped by flow and direction (a
 * power of two): a collision forgets the older one, never a finding already made. */
#ifndef RST_SLOTS
#define RST_SLOTS 16384
#endif
/* tcp_reset_injection: a teardown this young that loses its slot to another flow's is
 * counted as evicted (the flow grace's default: its proof could still come). */
#ifndef RST_LIVE_NS
#define RST_LIVE_NS ((int64_t)TCP_GRACE_DEFAULT * 1000000000LL)
#endif
/* tcp_reset_injection: rst_races_data findings held (for about a round trip) for the
 * RST to the other end that would show a middlebox; more are reported at once. */
#ifndef RST_HOLD_MAX
#define RST_HOLD_MAX 64
#endif
/* tcp_reset_injection: teardown copies compared per flow direction. */
#ifndef RST_MAX_COPIES
#define RST_MAX_COPIES 4
#endif
/* tcp_reset_injection: how far past the teardown a live sender's next data may land:
 * less than the largest unscaled window. A new connection on the same 4-tuple whose
 * handshake the capture missed starts at least 65537 further (RFC 6191; Linux's
 * TIME_WAIT reuse), and its acknowledgments do not fit the old peer's stream. */
#ifndef RST_ALIVE_REACH
#define RST_ALIVE_REACH 65536u
#endif

/* tcp_reset_injection: how long a RST may cross the peer's data in flight, "about one
 * round trip": twice the SYN to SYN/ACK time the sensor saw (the responder's leg and
 * an allowance for the initiator's), at least the floor; the default without a
 * handshake. And how close RSTs posing as both ends must come to read as one box
 * resetting the connection (a middlebox's idle timeout). */
#ifndef RST_CROSS_FLOOR_NS
#define RST_CROSS_FLOOR_NS (5 * 1000000LL)
#endif
#ifndef RST_CROSS_DEFAULT_NS
#define RST_CROSS_DEFAULT_NS (200 * 1000000LL)
#endif
#ifndef RST_BOTH_ENDS_NS
#define RST_BOTH_ENDS_NS (1000 * 1000000LL)
#endif

/* dns_injection's tables are DNS_WAYS-way: an entry may sit in any of the DNS_WAYS
 * slots after its hash, so two live entries rarely want one place (a direct-mapped
 * table lost live resolvers' baselines by the birthday bound, and which ones depended
 * on the run's random hash key). A newcomer takes a free or dead slot, else the
 * oldest of them, counted in the detector's `evicted`. */
#ifndef DNS_WAYS
#define DNS_WAYS 4
#endif
/* dns_injection: transactions, by their key (a power of two). */
#ifndef DNS_TXN_SLOTS
#define DNS_TXN_SLOTS 16384
#endif
/* dns_injection: transactions as a reply's header names them (client, server, port
 * and id), for a reply whose question cannot be parsed (a power of two). */
#ifndef DNS_PENDING_SLOTS
#define DNS_PENDING_SLOTS 4096
#endif
/* dns_injection: DNS-over-TCP streams followed at once (by flow and direction, a
 * power of two), and messages read per segment at most. */
#ifndef DNS_TCP_STREAMS
#define DNS_TCP_STREAMS 1024
#endif
#ifndef DNS_TCP_MSGS_PER_SEGMENT
#define DNS_TCP_MSGS_PER_SEGMENT 64
#endif
/* dns_injection: answers to one query kept for comparison; later ones are compared,
 * not kept. */
#ifndef DNS_TXN_ANSWERS
#define DNS_TXN_ANSWERS 4
#endif
/* dns_injection: a transaction is forgotten this long after its first packet. */
#ifndef DNS_TXN_HOLD_NS
#define DNS_TXN_HOLD_NS (30 * 1000000000LL)
#endif
/* dns_injection: resolvers whose answer TTLs are remembered, direct-mapped by address
 * (a power of two). */
#ifndef DNS_RESOLVER_SLOTS
#define DNS_RESOLVER_SLOTS 4096
#endif
/* dns_injection: a resolver silent this long (packet time) forgets its baseline, counted
 * in the detector's `forgotten`: its path, TTLs and round trip may have changed since,
 * and its slot is free for another resolver. Checked when it answers again and when a
 * newcomer looks for a slot, so a silent baseline never squats a slot. */
#ifndef DNS_RESOLVER_IDLE_NS
#define DNS_RESOLVER_IDLE_NS (3600 * 1000000000LL)
#endif
/* dns_injection: round-trip samples kept per resolver (Hold-On compares with their
 * median). */
#ifndef DNS_RTT_SAMPLES
#define DNS_RTT_SAMPLES 8
#endif
/* dns_injection: a lone answer that breaks its resolver's baseline is held this long
 * for the genuine one (none: reported on its own, at lower confidence); at most this
 * many at once. */
#ifndef DNS_LONE_HOLD_NS
#define DNS_LONE_HOLD_NS (5 * 1000000000LL)
#endif
#ifndef DNS_LONE_MAX
#define DNS_LONE_MAX 32
#endif
/* dns_injection: a race is judged this long after its second answer, so the
 * resolver's baseline includes the answers around it (a capture may open with the
 * race); at most this many wait at once, more are judged at once. */
#ifndef DNS_RACE_HOLD_NS
#define DNS_RACE_HOLD_NS (3 * 1000000000LL)
#endif
#ifndef DNS_RACE_MAX
#define DNS_RACE_MAX 64
#endif
/* dns_injection: earlier answers a resolver needs before its TTL is a baseline. */
#ifndef DNS_RESOLVER_MIN_ANSWERS
#define DNS_RESOLVER_MIN_ANSWERS 3
#endif

/* fragment_injection: datagrams already reported, so one datagram gives one alert. */
#ifndef FRAGDET_RECENT_MAX
#define FRAGDET_RECENT_MAX 256
#endif
/* fragment_injection: findings held for their datagram's ports (its first fragment
 * has not come yet); more are reported at once, with ports 0. */
#ifndef FRAGDET_HOLD_MAX
#define FRAGDET_HOLD_MAX 16
#endif

/* A TCP segment further than this from the stream end cannot be a real one of its
 * connection (no receive window is that large): neither stored nor compared. */
#ifndef TCP_MAX_JUMP
#define TCP_MAX_JUMP ((int64_t)1 << 30)
#endif

/* Sequence laps: a direction's progress rate (its stream end and the peer's cumulative
 * ACK) is measured over intervals at least this long; the fastest one bounds how soon
 * the sender can have come round the 4 GiB sequence space again. */
#ifndef TCP_LAP_RATE_NS
#define TCP_LAP_RATE_NS 1000000
#endif

/* pcapng: interfaces whose Interface Statistics Blocks are read per file. */
#ifndef PCAPNG_MAX_IFACES
#define PCAPNG_MAX_IFACES 64u
#endif

/* report: finding classes the HTML report counts apart. */
#ifndef REPORT_MAX_CLASSES
#define REPORT_MAX_CLASSES 32
#endif

/* report: coverage problems listed at the top of the page; the rest are in the runs'
 * statistics. */
#ifndef REPORT_TOP_PROBLEMS
#define REPORT_TOP_PROBLEMS 100
#endif

/* report: findings linked from one forger group. */
#ifndef REPORT_GROUP_LINKS
#define REPORT_GROUP_LINKS 40
#endif

/* report: bytes of a summary shown in the index. */
#ifndef REPORT_INDEX_SUMMARY
#define REPORT_INDEX_SUMMARY 120
#endif

/* report: classes with a timeline row of their own; the rest share the last row. */
#ifndef REPORT_TIMELINE_ROWS
#define REPORT_TIMELINE_ROWS 8
#endif

/* report: copies drawn in one sequence-space sketch. */
#ifndef REPORT_SKETCH_COPIES
#define REPORT_SKETCH_COPIES 6
#endif

/* report: directory levels of a path an evidence link is made relative across. */
#ifndef HTML_PATH_MAX_PARTS
#define HTML_PATH_MAX_PARTS 128
#endif

/* locate: answers remembered per attempt (their frames and TTLs). */
#ifndef LOCATE_ANSWERS
#define LOCATE_ANSWERS 16
#endif

/* --threads at most (shards or live workers). */
#ifndef CAPTURE_MAX_WORKERS
#define CAPTURE_MAX_WORKERS 64 /* the most --threads allows */
#endif

/* locate: the TTL sweep's bounds and defaults (--max-ttl, --tries, --wait, --timeout),
 * the capture's snap length, the findings a run keeps, and how long an attempt waits
 * for a late copy once an answer or a time-exceeded came (at least this, or four
 * round trips). */
#define LOCATE_TTL_MAX 64
#define LOCATE_TTL_DEFAULT 30
#define LOCATE_TRIES_MAX 10
#define LOCATE_TRIES_DEFAULT 3
#define LOCATE_WAIT_MS_DEFAULT 1000u
#define LOCATE_TIMEOUT_MS_DEFAULT 2000u
#define LOCATE_SETTLE_MS 250u
#define LOCATE_SNAPLEN 65535
#define LOCATE_MAX_FINDINGS 1024u

#endif
