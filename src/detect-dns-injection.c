/* secondsight - dns_injection: two answers to one DNS query (same client port, server,
 * id and question) that say different things. The forged one usually comes first;
 * its IP TTL unlike the resolver's other answers, or an IP-ID copied from the query,
 * tells which it is (after Duan et al., "Hold-On", 2012). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "decode-dns.h"
#include "detect-dns-key.h"
#include "detect-fingerprint.h"
#include "detect-hold.h"
#include "detect.h"
#include "util-hash.h"
#include "util-phrase.h"
#include "util-strlist.h"

/* An answer as kept in its transaction. Most answers are never compared or judged (one
 * answer to one query), so their records are not read when they arrive: a message that
 * fits is kept as it came, in the space its record list takes once read, and read only
 * when it is wanted (answer_records). A longer one is read at once. */
struct answer {
    frame_ref frame;
    int64_t ts_ns;
    uint64_t set; /* dns_msg.answer_set, once read */
    uint16_t ip_id, nrecords;
    uint8_t ttl, df, rcode;
    uint8_t summary_full; /* records left out of summary */
    uint8_t rejected;     /* enum dns_error: a reply the parser rejects, else DNS_OK */
    uint8_t kept_len;     /* the message's length in kept, whose records are unread; 0:
                           * set, summary and summary_full are read */
    union {
        char summary[112];
        uint8_t kept[112];
    };
};

_Static_assert(sizeof(((struct answer *)0)->summary) == sizeof(((struct dns_msg *)0)->summary),
               "an answer keeps the whole record list");
/* The longest message kept unread. */
#define KEPT_MAX sizeof(((struct answer *)0)->kept)
_Static_assert(KEPT_MAX <= UINT8_MAX, "kept_len holds a kept length");

struct txn {
    uint64_t key; /* 0: free */
    int64_t first_ts;
    int64_t query_ts; /* the first query's time, when one was seen */
    uint32_t queries;
    uint16_t query_ip_id;
    uint8_t nanswers, reported;
    struct answer ans[DNS_TXN_ANSWERS];
};

/* Where a reply that cannot be parsed finds its transaction: the query's client,
 * server, client port and id (all its header gives), with the question the
 * transaction was keyed by. DNS_WAYS-way (config.h). */
struct pending {
    uint64_t key; /* 0: free */
    uint64_t txn; /* the transaction's key */
    uint16_t qtype;
    char qname[DNS_MAX_NAME];
};

/* A DNS-over-TCP direction being read (RFC 7766): where its next length prefix sits in
 * the stream. DNS_WAYS-way by flow and direction; a quiet one gives way (forgotten). */
struct tcp_stream {
    uint64_t key; /* 0: free */
    int64_t next;
    int64_t last_ts; /* its latest segment: the oldest gives way */
};

/* What a resolver's answers look like at the IP layer. */
struct resolver {
    int64_t last_ts; /* its latest answer (or when its slot was taken) */
    uint8_t addr[16];
    uint8_t used;
    uint8_t ttl[2];
    uint32_t ttl_n[2];
    uint32_t df_n, nodf_n;
    uint32_t answers;
    uint16_t ipid[DNS_RTT_SAMPLES]; /* IP-IDs of its latest answers */
    uint8_t ipid_n, ipid_next;
    int64_t rtt[DNS_RTT_SAMPLES]; /* query-to-first-answer times, ns */
    uint8_t rtt_n, rtt_next;
};

/* Two differing answers, held until DNS_RACE_HOLD_NS after the second. */
struct race {
    struct txn t; /* the transaction as it stood */
    struct answer early, late;
    struct packet pkt; /* the later answer's addresses, ports, file and time */
    struct dns_msg m;  /* its question */
};

struct dns_state {
    struct detector_stats *stats; /* entries that gave way while live: evicted */
    uint64_t hash_key[2];
    struct txn txn[DNS_TXN_SLOTS];
    struct resolver res[DNS_RESOLVER_SLOTS];
    struct resolver *res_last; /* the slot resolver_get returned last */
    struct pending pend[DNS_PENDING_SLOTS];
    struct tcp_stream streams[DNS_TCP_STREAMS];
    uint8_t msg[65535]; /* a DNS-over-TCP message, read from the flow's window */
    struct hold lone;   /* struct finding, under its transaction's key */
    struct hold race;   /* struct race */
};

static void dns_free(void *state)
{
    struct dns_state *st = state;
    if (!st)
        return;
    hold_free(&st->lone);
    hold_free(&st->race);
    free(st);
}

static int dns_init(void **state, struct detector_stats *stats)
{
    struct dns_state *st = calloc(1, sizeof *st);
    *state = st;
    if (st && hold_init(&st->lone, DNS_LONE_MAX, sizeof(struct finding), stats) &&
        hold_init(&st->race, DNS_RACE_MAX, sizeof(struct race), stats)) {
        st->stats = stats;
        st->hash_key[0] = hash_random_seed();
        st->hash_key[1] = st->hash_key[0] ^ 0x5bd1e9955bd1e995ull;
        return 1;
    }
    dns_free(st);
    *state = NULL;
    return 0;
}

/* The slot of a transaction's key, or NULL. */
static struct txn *txn_find(struct dns_state *st, uint64_t key)
{
    for (unsigned i = 0; i < DNS_WAYS; i++) {
        struct txn *t = &st->txn[(key + i) & (DNS_TXN_SLOTS - 1)];
        if (t->key == key)
            return t;
    }
    return NULL;
}

static int txn_live(const struct txn *t, int64_t now)
{
    return t && t->key && now - t->first_ts <= DNS_TXN_HOLD_NS;
}

static struct pending *pending_find(struct dns_state *st, uint64_t key)
{
    for (unsigned i = 0; i < DNS_WAYS; i++) {
        struct pending *p = &st->pend[(key + i) & (DNS_PENDING_SLOTS - 1)];
        if (p->key == key)
            return p;
    }
    return NULL;
}

static void pending_note(struct dns_state *st, uint64_t key, const struct dns_msg *m, uint64_t txn,
                         int64_t now)
{
    struct pending *p = pending_find(st, key);
    if (p && p->txn == txn)
        return;
    for (unsigned i = 0; i < DNS_WAYS && !p; i++) { /* a free slot or a dead one's */
        struct pending *q = &st->pend[(key + i) & (DNS_PENDING_SLOTS - 1)];
        if (!q->key || !txn_live(txn_find(st, q->txn), now))
            p = q;
    }
    if (!p) {
        p = &st->pend[key & (DNS_PENDING_SLOTS - 1)];
        st->stats->evicted++;
    }
    p->key = key;
    p->txn = txn;
    p->qtype = m->qtype;
    memcpy(p->qname, m->qname, m->qlen + 1u);
}

static struct txn *txn_get(struct dns_state *st, uint64_t key, int64_t now)
{
    struct txn *t = txn_find(st, key);
    if (txn_live(t, now))
        return t;
    if (!t) { /* a free or dead slot, else the oldest */
        for (unsigned i = 0; i < DNS_WAYS; i++) {
            struct txn *c = &st->txn[(key + i) & (DNS_TXN_SLOTS - 1)];
            if (!txn_live(c, now)) {
                t = c;
                break;
            }
            if (!t || c->first_ts < t->first_ts)
                t = c;
        }
        if (txn_live(t, now))
            st->stats->evicted++;
    }
    /* Every field but the answers, which only nanswers of are read. */
    t->key = key;
    t->first_ts = now;
    t->query_ts = 0;
    t->queries = 0;
    t->query_ip_id = 0;
    t->nanswers = t->reported = 0;
    return t;
}

/* A resolver silent past DNS_RESOLVER_IDLE_NS: its baseline is stale. */
static int resolver_idle(const struct resolver *r, int64_t now)
{
    return r->used && now - r->last_ts > DNS_RESOLVER_IDLE_NS;
}

static struct resolver *resolver_get(struct dns_state *st, const uint8_t addr[16], int64_t now)
{
    /* The last resolver asked for, without a hash: most answers come from a few. */
    struct resolver *r = st->res_last;
    int found = r && r->used && !memcmp(r->addr, addr, 16);
    if (!found) {
        uint64_t h = siphash13(st->hash_key, addr, 16);
        r = NULL;
        for (unsigned i = 0; i < DNS_WAYS; i++) {
            struct resolver *c = &st->res[(h + i) & (DNS_RESOLVER_SLOTS - 1)];
            if ((found = c->used && !memcmp(c->addr, addr, 16)) != 0) {
                r = c;
                break;
            }
            /* A free slot, else a silent one's, else the fewest answers' (least lost). */
            if (!r || (r->used && (!c->used || resolver_idle(c, now) ||
                                   (!resolver_idle(r, now) && c->answers < r->answers))))
                r = c;
        }
    }
    st->res_last = r;
    if (found && !resolver_idle(r, now))
        return r;
    if (resolver_idle(r, now))
        st->stats->forgotten++; /* its own or another's: a stale baseline */
    else if (r->used)
        st->stats->evicted++; /* another resolver's baseline starts over */
    memset(r, 0, sizeof *r);
    memcpy(r->addr, addr, 16);
    r->used = 1;
    r->last_ts = now;
    return r;
}

static void resolver_learn(struct resolver *r, uint8_t ttl, uint8_t df, uint16_t ip_id, int64_t now)
{
    r->last_ts = now;
    r->ipid[r->ipid_next] = ip_id;
    r->ipid_next = (uint8_t)((r->ipid_next + 1) % DNS_RTT_SAMPLES);
    if (r->ipid_n < DNS_RTT_SAMPLES)
        r->ipid_n++;
    for (int i = 0; i < 2; i++) {
        if (r->ttl_n[i] && r->ttl[i] == ttl) {
            r->ttl_n[i]++;
            goto df;
        }
        if (!r->ttl_n[i]) {
            r->ttl[i] = ttl;
            r->ttl_n[i] = 1;
            goto df;
        }
    }
df:
    if (df)
        r->df_n++;
    else
        r->nodf_n++;
    r->answers++;
}

static void resolver_rtt(struct resolver *r, int64_t rtt)
{
    r->rtt[r->rtt_next] = rtt;
    r->rtt_next = (uint8_t)((r->rtt_next + 1) % DNS_RTT_SAMPLES);
    if (r->rtt_n < DNS_RTT_SAMPLES)
        r->rtt_n++;
}

/* Median round trip of the resolver's earlier answers; 0 with fewer than 3. */
static int64_t resolver_rtt_median(const struct resolver *r)
{
    int64_t v[DNS_RTT_SAMPLES];
    unsigned n = r->rtt_n;
    if (n < 3)
        return 0;
    memcpy(v, r->rtt, n * sizeof v[0]);
    for (unsigned i = 1; i < n; i++) /* insertion sort of at most 8 */
        for (unsigned j = i; j > 0 && v[j - 1] > v[j]; j--) {
            int64_t x = v[j];
            v[j] = v[j - 1];
            v[j - 1] = x;
        }
    return v[n / 2];
}

/* Takes one answer's share out of the resolver's counts. */
static void resolver_forget(struct resolver *r, const struct answer *a)
{
    for (int i = 0; i < 2; i++)
        if (r->ttl_n[i] && r->ttl[i] == a->ttl) {
            r->ttl_n[i]--;
            break;
        }
    if (a->df && r->df_n)
        r->df_n--;
    else if (!a->df && r->nodf_n)
        r->nodf_n--;
}

/* A TTL shared by under a quarter of the resolver's answers: an injector's few
 * answers do not make its TTL normal, while anycast instances that alternate do. */
static int ttl_breaks(const struct resolver *r, uint8_t ttl)
{
    uint32_t same = 0, other = 0;
    for (int i = 0; i < 2; i++) {
        if (!r->ttl_n[i])
            continue;
        if (r->ttl[i] == ttl)
            same += r->ttl_n[i];
        else if (abs((int)r->ttl[i] - ttl) >= 2)
            other += r->ttl_n[i];
    }
    return other && same * 3 < other;
}

/* Tells of one answer against the resolver's other answers and the query. */
static unsigned judge(const struct resolver *r, const struct txn *t, const struct answer *a,
                      char *tells, size_t size)
{
    unsigned n = 0;
    tells[0] = '\0';
    if (ttl_breaks(r, a->ttl))
        n += (unsigned)strlist_add_str(tells, size, "ttl");
    if ((a->df && !r->df_n && r->nodf_n) || (!a->df && !r->nodf_n && r->df_n))
        n += (unsigned)strlist_add_str(tells, size, "df");
    if (t->queries && a->ip_id && a->ip_id == t->query_ip_id)
        n += (unsigned)strlist_add_str(tells, size, "ip_id_from_query");
    /* A constant IP-ID: the same value on another of the resolver's recent answers,
     * whose IP-IDs otherwise vary (an injector's fixed value; a resolver that always
     * sends 0 has no variety and raises nothing). */
    unsigned same_id = 0, distinct = 0;
    for (unsigned i = 0; i < r->ipid_n; i++) {
        same_id += r->ipid[i] == a->ip_id;
        unsigned seen = 0;
        for (unsigned j = 0; j < i; j++)
            seen |= r->ipid[j] == r->ipid[i];
        distinct += !seen;
    }
    if (same_id >= 2 && distinct >= 3 && !(t->queries && a->ip_id == t->query_ip_id))
        n += (unsigned)strlist_add_str(tells, size, "ip_id_constant");
    /* Hold-On: an answer faster than half the resolver's usual round trip came from
     * closer than the resolver. */
    int64_t median = resolver_rtt_median(r);
    if (t->queries && median && a->ts_ns - t->query_ts < median / 2)
        n += (unsigned)strlist_add_str(tells, size, "too_fast");
    return n;
}

static void fill_answer(struct finding_answer *fa, const struct answer *a, const char *role,
                        const char *tells)
{
    memset(fa, 0, sizeof *fa);
    fa->frame = a->frame;
    fa->role = role;
    fa->ip_id = a->ip_id;
    fa->ttl = a->ttl;
    fa->df = a->df;
    fa->rcode = a->rcode;
    fa->hops = (int8_t)ttl_hops(a->ttl);
    fa->nrecords = a->nrecords;
    strlist_copy(fa->records, sizeof fa->records, a->summary);
    strlist_copy(fa->tells, sizeof fa->tells, tells);
}

/* What an answer without records says (RFC 1035 section 4.1.1, RFC 2136). */
static const char *rcode_text(uint8_t rcode, char *buf, size_t size)
{
    static const char *const names[] = {"no records", "FORMERR", "SERVFAIL",
                                        "NXDOMAIN",   "NOTIMP",  "REFUSED"};
    if (rcode < sizeof names / sizeof names[0])
        return names[rcode];
    snprintf(buf, size, "rcode %u", rcode);
    return buf;
}

/* What a summary gives each of its parts, in bytes: all of it while the sentence fits
 * FINDING_SUMMARY_MAX, then less, record lists first (the whole lists are in
 * evidence.answers). */
struct budget {
    size_t name, records, tells;
};

#define BUDGET_START                                                                               \
    {                                                                                              \
        100, 60, 63                                                                                \
    }

/* A step smaller; 0 when nothing can give more. */
static int budget_shrink(struct budget *b)
{
    if (b->records > 24)
        b->records -= 4;
    else if (b->tells > 16)
        b->tells -= 4;
    else if (b->name > 24)
        b->name -= 4;
    else if (b->records > 12)
        b->records -= 4;
    else
        return 0;
    return 1;
}

/* An answer's records for a summary, whole ones only, at most max bytes; its rcode
 * when it has none. */
static void answer_text(char *buf, size_t size, const struct answer *a, size_t max)
{
    char rc[24], joined[sizeof a->summary];
    if (a->rejected)
        finding_clip(buf, size,
                     a->rejected == DNS_TRUNCATED ? "a message cut short"
                                                  : "a message the parser rejects",
                     max, ',', 0);
    else if (a->summary[0])
        finding_clip(buf, size, strlist_join(joined, sizeof joined, a->summary, ","), max, ',',
                     a->summary_full);
    else
        finding_clip(buf, size, rcode_text(a->rcode, rc, sizeof rc), max, ',', 0);
}

static void report(struct dns_state *st, struct txn *t, const struct answer *early,
                   const struct answer *late, const struct packet *pkt, const struct dns_msg *m,
                   struct finding_sink *sink)
{
    uint8_t server[16];
    memcpy(server, pkt->ip_src, 16);
    struct resolver base = *resolver_get(st, server, pkt->ts_ns);
    resolver_forget(&base, early);
    resolver_forget(&base, late);
    char te[64], tl[64];
    unsigned ne = judge(&base, t, early, te, sizeof te);
    unsigned nl = judge(&base, t, late, tl, sizeof tl);
    int forged = ne && !nl ? 1 : nl && !ne ? 2 : 0;
    /* A client that asked twice may get two honest answers from a round-robin or
     * geo-balanced name: without a tell, that is no finding. */
    if (!forged && t->queries >= 2)
        return;

    struct finding f;
    memset(&f, 0, sizeof f);
    f.class_name = "dns_injection";
    f.confidence = forged ? CONF_HIGH : CONF_MEDIUM;
    finding_set_flow_from_packet(&f, pkt);
    finding_add_frame(&f, early->frame, forged == 1);
    finding_add_frame(&f, late->frame, forged == 2);
    fill_answer(&f.answers[f.nanswers++], early,
                forged == 1   ? "forged"
                : forged == 2 ? "genuine"
                              : "undetermined",
                te);
    fill_answer(&f.answers[f.nanswers++], late,
                forged == 2   ? "forged"
                : forged == 1 ? "genuine"
                              : "undetermined",
                tl);

    char qid[8];
    snprintf(qid, sizeof qid, "0x%04x", m->id);
    finding_evidence_str(&f, "query_id", qid);
    finding_evidence_str(&f, "qname", m->qname);
    finding_evidence_int(&f, "qtype", m->qtype);
    finding_evidence_int(&f, "queries_seen", t->queries);
    finding_evidence_str(&f, "verdict", forged ? "decided" : "undetermined");
    const struct answer *bad = early->rejected ? early : late->rejected ? late : NULL;
    if (bad)
        finding_evidence_str(&f, "rejected_answer",
                             bad->rejected == DNS_TRUNCATED ? "truncated" : "invalid");
    finding_evidence_answers(&f);

    const struct answer *fa = forged == 1 ? early : forged == 2 ? late : NULL;
    const struct answer *ga = forged == 1 ? late : forged == 2 ? early : NULL;
    finding_app_str(&f, "proto", "dns");
    finding_app_str(&f, "qname", m->qname);
    if (fa) {
        finding_evidence_int(&f, "forger_hops", ttl_hops(fa->ttl));
        finding_evidence_int(&f, "peer_hops", ttl_hops(ga->ttl));
        finding_app_list(&f, "forged_answer", fa->summary);
    }

    /* Names, record lists and tells are cut at a label, record or tell with an
     * ellipsis, as far as the sentence needs to fit FINDING_SUMMARY_MAX. */
    const char *qn = m->qname[0] ? m->qname : ".";
    char name[128], sa[128], sb[128], tells[128], line[1024];
    unsigned long long fe = (unsigned long long)FRAME_REF_FRAME(early->frame);
    unsigned long long fl = (unsigned long long)FRAME_REF_FRAME(late->frame);
    struct budget b = BUDGET_START;
    do {
        finding_clip(name, sizeof name, qn, b.name, '.', 0);
        answer_text(sa, sizeof sa, early, b.records);
        answer_text(sb, sizeof sb, late, b.records);
        if (fa) {
            char joined[128];
            phrase_nouns(joined, sizeof joined, fa == early ? te : tl);
            finding_clip(tells, sizeof tells, joined, b.tells, ',', 0);
            char fh[64], rh[64];
            snprintf(line, sizeof line,
                     "two different answers to one DNS query for %s (id %s): frame %llu says "
                     "%s, frame %llu says %s; frame %llu is forged, judging by its %s; the "
                     "forger is %s, "
                     "the resolver %s",
                     name, qid, fe, sa, fl, sb, (unsigned long long)FRAME_REF_FRAME(fa->frame),
                     tells, phrase_hops(fh, sizeof fh, ttl_hops(fa->ttl)),
                     phrase_hops(rh, sizeof rh, ttl_hops(ga->ttl)));
        } else {
            snprintf(line, sizeof line,
                     "two different answers to one DNS query for %s (id %s): frame %llu says "
                     "%s, frame %llu says %s; their headers do not tell which one is forged",
                     name, qid, fe, sa, fl, sb);
        }
    } while (strlen(line) > FINDING_SUMMARY_MAX && budget_shrink(&b));
    finding_clip(f.summary, sizeof f.summary, line, FINDING_SUMMARY_MAX, ' ', 0);
    t->reported = 1;
    sink->emit(sink, &f);
}

/* An answer from m; msg (len bytes, at most KEPT_MAX) when m's records were not read
 * (dns_parse_head): the message is kept, its records read when wanted. msg NULL: m's
 * records. */
static void answer_make(struct answer *a, const struct packet *pkt, const struct dns_msg *m,
                        const uint8_t *msg, uint32_t len)
{
    a->frame = FRAME_REF(pkt->file_index, pkt->frame);
    a->ts_ns = pkt->ts_ns;
    a->ip_id = pkt->ip_id;
    a->nrecords = m->nanswers;
    a->ttl = pkt->ttl;
    a->df = pkt->df;
    a->rcode = m->rcode;
    a->rejected = DNS_OK;
    a->kept_len = 0;
    if (msg) {
        memcpy(a->kept, msg, len);
        a->kept_len = (uint8_t)len;
        return;
    }
    a->set = m->answer_set;
    memcpy(a->summary, m->summary, sizeof a->summary);
    a->summary_full = m->summary_full;
}

/* Reads a kept answer's records, as its message gave them when it came. */
static void answer_records(struct answer *a)
{
    if (!a->kept_len)
        return;
    struct dns_msg m;
    dns_parse(a->kept, a->kept_len, &m);
    a->set = m.answer_set;
    memcpy(a->summary, m.summary, sizeof a->summary);
    a->summary_full = m.summary_full;
    a->kept_len = 0;
}

/* The first answer to a query, when it breaks a resolver baseline in its TTL and in
 * one more way: held for its genuine twin, reported alone at lower confidence. */
static void lone_check(struct dns_state *st, const struct resolver *r, const struct txn *t,
                       struct answer *a, const struct packet *pkt, const struct dns_msg *m)
{
    char tells[64];
    if (r->answers < DNS_RESOLVER_MIN_ANSWERS || !ttl_breaks(r, a->ttl))
        return;
    unsigned n = judge(r, t, a, tells, sizeof tells);
    if (n < 2 || strncmp(tells, "ttl", 3) != 0)
        return;
    answer_records(a); /* judged: its records are reported */
    /* A full hold keeps the older ones: this one is dropped (and counted). */
    struct finding *f = hold_add(&st->lone, t->key, pkt->ts_ns + DNS_LONE_HOLD_NS);
    if (!f)
        return;
    f->class_name = "dns_injection";
    f->confidence = CONF_LOW;
    finding_set_flow_from_packet(f, pkt);
    finding_add_frame(f, a->frame, 1);
    fill_answer(&f->answers[f->nanswers++], a, "forged", tells);
    char qid[8];
    snprintf(qid, sizeof qid, "0x%04x", m->id);
    uint8_t usual = r->ttl_n[1] > r->ttl_n[0] ? r->ttl[1] : r->ttl[0];
    finding_evidence_str(f, "query_id", qid);
    finding_evidence_str(f, "qname", m->qname);
    finding_evidence_int(f, "qtype", m->qtype);
    finding_evidence_int(f, "queries_seen", t->queries);
    finding_evidence_str(f, "verdict", "lone");
    finding_evidence_int(f, "usual_ttl", usual);
    finding_evidence_answers(f);
    finding_evidence_int(f, "forger_hops", ttl_hops(a->ttl));
    finding_evidence_int(f, "peer_hops", ttl_hops(usual));
    finding_app_str(f, "proto", "dns");
    finding_app_str(f, "qname", m->qname);
    finding_app_list(f, "forged_answer", a->summary);
    char name[128], records[128], tl[128], line[1024];
    struct budget b = BUDGET_START;
    do {
        finding_clip(name, sizeof name, m->qname[0] ? m->qname : ".", b.name, '.', 0);
        answer_text(records, sizeof records, a, b.records);
        char joined[128];
        finding_clip(tl, sizeof tl, phrase_nouns(joined, sizeof joined, tells), b.tells, ',', 0);
        char fh[64], rh[64];
        snprintf(line, sizeof line,
                 "a DNS answer for %s (frame %llu, %s) breaks its resolver's fingerprint "
                 "in %s and no other answer followed: a forged answer whose genuine twin was "
                 "dropped or never sent; the forger is %s, the resolver %s",
                 name, (unsigned long long)FRAME_REF_FRAME(a->frame), records, tl,
                 phrase_hops(fh, sizeof fh, ttl_hops(a->ttl)),
                 phrase_hops(rh, sizeof rh, ttl_hops(usual)));
    } while (strlen(line) > FINDING_SUMMARY_MAX && budget_shrink(&b));
    finding_clip(f->summary, sizeof f->summary, line, FINDING_SUMMARY_MAX, ' ', 0);
}

/* A held race, judged as it leaves the hold. */
struct judge_arg {
    struct dns_state *st;
    struct finding_sink *sink;
};

static void judge_race(void *item, void *arg)
{
    struct race *r = item;
    struct judge_arg *ja = arg;
    report(ja->st, &r->t, &r->early, &r->late, &r->pkt, &r->m, ja->sink);
}

/* Holds a race for judging once the answers around it are in; reports at once when
 * the table is full. */
static void race_hold(struct dns_state *st, struct txn *t, const struct answer *early,
                      const struct answer *late, const struct packet *pkt, const struct dns_msg *m,
                      struct finding_sink *sink)
{
    t->reported = 1;
    struct race *r = hold_add(&st->race, 0, pkt->ts_ns + DNS_RACE_HOLD_NS);
    if (!r) {
        report(st, t, early, late, pkt, m, sink); /* a full hold: judged now */
        return;
    }
    r->t = *t;
    r->early = *early;
    r->late = *late;
    r->pkt = *pkt;
    r->pkt.data = r->pkt.l3 = r->pkt.l4 = r->pkt.payload = NULL; /* not kept */
    r->m = *m;
}

/* An answer to a transaction: compared with the earlier ones (a different one makes
 * a race), kept, and learnt into its resolver's baseline. */
static void add_answer(struct dns_state *st, struct txn *t, struct answer *a,
                       const struct packet *pkt, const struct dns_msg *m, struct finding_sink *sink)
{
    for (unsigned i = 0; i < t->nanswers && !t->reported; i++) {
        struct answer *e = &t->ans[i];
        answer_records(e);
        answer_records(a);
        if (e->set == a->set && e->rcode == a->rcode && e->nrecords == a->nrecords &&
            e->rejected == a->rejected)
            continue; /* the same answer again: a duplicate or a resolver retry */
        hold_cancel(&st->lone, t->key, NULL, NULL);
        race_hold(st, t, e, a, pkt, m, sink);
        break;
    }
    int first = t->nanswers == 0;
    if (t->nanswers < DNS_TXN_ANSWERS)
        t->ans[t->nanswers++] = *a;
    else
        st->stats->dropped++; /* compared above, not kept */
    struct resolver *r = resolver_get(st, pkt->ip_src, pkt->ts_ns);
    if (first && !a->rejected)
        lone_check(st, r, t, a, pkt, m);
    resolver_learn(r, pkt->ttl, pkt->df, pkt->ip_id, pkt->ts_ns);
    if (first && t->queries)
        resolver_rtt(r, pkt->ts_ns - t->query_ts);
}

/* A reply the parser rejects (its header read, its question or names not): still an
 * answer to the transaction its header names, when one is pending, so a forged answer
 * the parser cannot read still makes a race with the genuine one. Two copies of the
 * same bytes are one answer. */
static void rejected_reply(struct dns_state *st, const struct packet *pkt, const uint8_t *msg,
                           uint32_t len, struct dns_msg *m, struct finding_sink *sink)
{
    uint64_t key = dns_pending_key(st->hash_key, pkt, 0, m->id);
    const struct pending *p = pending_find(st, key);
    if (!p)
        return;
    struct txn *t = txn_find(st, p->txn);
    if (!txn_live(t, pkt->ts_ns))
        return;
    /* The question the transaction was keyed by, for the report. */
    m->qtype = p->qtype;
    memcpy(m->qname, p->qname, sizeof m->qname);
    m->qlen = (uint16_t)strlen(m->qname);
    m->nanswers = 0;
    m->summary[0] = '\0';
    struct answer a;
    answer_make(&a, pkt, m, NULL, 0);
    a.rejected = m->error ? m->error : DNS_INVALID;
    a.set = siphash13(st->hash_key, msg, len);
    add_answer(st, t, &a, pkt, m, sink);
}

static void handle_message(struct dns_state *st, const struct detect_ctx *ctx, const uint8_t *msg,
                           uint32_t len, struct finding_sink *sink)
{
    const struct packet *pkt = ctx->pkt;
    struct dns_msg m;
    /* A message that fits an answer's place is read without its records: kept, they are
     * read only if the answer is compared or judged. */
    const uint8_t *unread = len <= KEPT_MAX ? msg : NULL;
    int ok = unread ? dns_parse_head(msg, len, &m) : dns_parse(msg, len, &m);
    if (m.error != DNS_OK)
        detect_count_event(ctx, m.error == DNS_TRUNCATED ? DEV_DNS_TRUNCATED : DEV_DNS_INVALID);
    if (!ok) {
        if (len >= 12 && m.qr && m.opcode == 0 && pkt->sport == DNS_PORT)
            rejected_reply(st, pkt, msg, len, &m, sink);
        return;
    }
    if (m.opcode != 0)
        return;
    if (!m.qr) {
        if (pkt->dport != DNS_PORT)
            return;
        uint64_t pend, key;
        dns_txn_keys(st->hash_key, pkt, 1, &m, &pend, &key);
        struct txn *t = txn_get(st, key, pkt->ts_ns);
        if (!t->queries++) {
            t->query_ip_id = pkt->ip_id;
            t->query_ts = pkt->ts_ns;
        }
        pending_note(st, pend, &m, t->key, pkt->ts_ns);
        return;
    }
    if (pkt->sport != DNS_PORT)
        return;
    /* An answer's query noted its header's key with its question and transaction key:
     * the same question under the same header key has that transaction key, so only the
     * header is hashed (the question's words were a third of the cost). */
    uint64_t pend = dns_pending_key(st->hash_key, pkt, 0, m.id), key;
    const struct pending *p = pending_find(st, pend);
    if (p && p->qtype == m.qtype && !memcmp(p->qname, m.qname, m.qlen + 1u))
        key = p->txn;
    else
        dns_txn_keys(st->hash_key, pkt, 0, &m, &pend, &key);
    struct txn *t = txn_get(st, key, pkt->ts_ns);
    pending_note(st, pend, &m, t->key, pkt->ts_ns);
    struct answer a;
    answer_make(&a, pkt, &m, unread, len);
    add_answer(st, t, &a, pkt, &m, sink);
}

/* A second copy of DNS-over-TCP bytes with other content is a race that tcp_injection
 * reports (as dns_injection, with the TCP evidence): a lone finding held for the first
 * copy's answer is taken back. */
static void tcp_race_seen(struct dns_state *st, const struct packet *pkt)
{
    struct dns_msg m;
    uint32_t len = pkt->payload_len >= 2 ? (uint32_t)pkt->payload[0] << 8 | pkt->payload[1] : 0;
    if (len < 12 || pkt->sport != DNS_PORT ||
        !dns_parse_head(pkt->payload + 2, len < pkt->payload_len - 2 ? len : pkt->payload_len - 2,
                        &m))
        return;
    uint64_t pend, key;
    dns_txn_keys(st->hash_key, pkt, 0, &m, &pend, &key);
    hold_cancel(&st->lone, key, NULL, NULL);
    struct txn *t = txn_find(st, key);
    if (t)
        t->reported = 1;
}

/* DNS over TCP (RFC 7766): messages behind a 2-byte length, read from the flow's window
 * (the first copy of each stream byte) as the segments bring them, across segment
 * boundaries. A segment's bytes already held are not read again: a copy with other
 * bytes is a race for tcp_injection. */
static void tcp_messages(struct dns_state *st, const struct detect_ctx *ctx,
                         struct finding_sink *sink)
{
    const struct tcp_seg_info *seg = ctx->seg;
    if (seg->differ) {
        tcp_race_seen(st, ctx->pkt);
        return;
    }
    const struct tcp_window *w = ctx->flow->tcp[ctx->dir].win;
    if (!w) {
        /* No window (the flow table's byte cap took it): whole messages within this
         * segment only. */
        const uint8_t *p = ctx->pkt->payload;
        uint32_t left = ctx->pkt->payload_len;
        while (left >= 2) {
            uint32_t len = ((uint32_t)p[0] << 8) | p[1];
            if (len == 0 || len > left - 2)
                break;
            handle_message(st, ctx, p + 2, len, sink);
            p += 2 + len;
            left -= 2 + len;
        }
        return;
    }
    uint64_t key = ctx->flow->id * 2 + (uint64_t)ctx->dir + 1;
    uint64_t h = siphash13(st->hash_key, &key, sizeof key);
    struct tcp_stream *s = NULL;
    for (unsigned i = 0; i < DNS_WAYS && (!s || s->key != key); i++) {
        struct tcp_stream *c = &st->streams[(h + i) & (DNS_TCP_STREAMS - 1)];
        if (!s || c->key == key || (s->key && (!c->key || c->last_ts < s->last_ts)))
            s = c; /* its own slot, else a free one, else the one quiet longest */
    }
    if (s->key != key) {
        /* A stream first seen here: its messages are taken to start at this segment. */
        if (s->key && ctx->pkt->ts_ns - s->last_ts <= DNS_TXN_HOLD_NS)
            st->stats->evicted++; /* another stream's place in its messages is lost */
        else if (s->key)
            st->stats->forgotten++; /* quiet for DNS_TXN_HOLD_NS: it gave its place up */
        s->key = key;
        s->next = seg->pos;
    }
    s->last_ts = ctx->pkt->ts_ns;
    if (seg->pos > s->next && flow_window_read(w, s->next, 1, st->msg) == 0)
        s->next = seg->pos; /* bytes before this segment were never seen: start here */
    for (unsigned i = 0; i < DNS_TCP_MSGS_PER_SEGMENT; i++) {
        uint8_t pre[2];
        if (flow_window_read(w, s->next, 2, pre) < 2)
            return;
        uint32_t len = (uint32_t)pre[0] << 8 | pre[1];
        uint32_t got = flow_window_read(w, s->next + 2, len, st->msg);
        if (got < len && s->next + 2 + len > seg->end)
            return; /* continues in a later segment */
        if (got < len)
            detect_count_event(ctx, DEV_DNS_TRUNCATED); /* a hole or left the window */
        else if (len)
            handle_message(st, ctx, st->msg, len, sink);
        s->next += 2 + (int64_t)len;
    }
}

static void dns_packet(void *state, const struct detect_ctx *ctx, struct finding_sink *sink)
{
    struct dns_state *st = state;
    const struct packet *pkt = ctx->pkt;
    struct judge_arg ja = {st, sink};
    if (hold_count(&st->lone))
        hold_release_due(&st->lone, pkt->ts_ns, NULL, NULL, hold_emit_finding, sink);
    if (hold_count(&st->race))
        hold_release_due(&st->race, pkt->ts_ns, NULL, NULL, judge_race, &ja);
    if (!pkt->l4_ok || pkt->is_fragment || (pkt->sport != DNS_PORT && pkt->dport != DNS_PORT))
        return;
    if (pkt->proto == IPPROTO_NUM_UDP) {
        handle_message(st, ctx, pkt->payload, pkt->payload_len, sink);
        return;
    }
    if (pkt->proto == IPPROTO_NUM_TCP && ctx->seg && pkt->payload_len)
        tcp_messages(st, ctx, sink);
}

static void dns_advance(void *state, int64_t now, struct finding_sink *sink)
{
    struct dns_state *st = state;
    struct judge_arg ja = {st, sink};
    hold_release_due(&st->lone, now, NULL, NULL, hold_emit_finding, sink);
    hold_release_due(&st->race, now, NULL, NULL, judge_race, &ja);
}

static void dns_finish(void *state, struct finding_sink *sink)
{
    struct dns_state *st = state;
    struct judge_arg ja = {st, sink};
    hold_flush(&st->race, judge_race, &ja);
    hold_flush(&st->lone, hold_emit_finding, sink);
}

const struct detector detector_dns_injection = {
    .name = "dns_injection",
    .init = dns_init,
    .on_packet = dns_packet,
    .finish = dns_finish,
    .advance = dns_advance,
    .free = dns_free,
};
