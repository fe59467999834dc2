/* secondsight - dns_injection: two answers to one DNS query (same client port, server,
 * id and question) that say different things. The forged one usually comes first;
 * its IP TTL unlike the resolver's other answers, or an IP-ID copied from the query,
 * tells which it is (after Duan et al., "Hold-On", 2012). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "decode-dns.h"
#include "detect-fingerprint.h"
#include "detect.h"
#include "util-hash.h"

#define DNS_PORT 53
/* Transactions, direct-mapped by their key: a collision forgets the older one. */
#define TXN_SLOTS 65536
/* Answers to one query kept for comparison; later ones are compared, not kept. */
#define TXN_ANSWERS 4
/* A transaction is forgotten this long after its first packet. */
#define TXN_HOLD_NS (30 * 1000000000LL)
/* Resolvers whose answer TTLs are remembered, direct-mapped by address. */
#define RESOLVER_SLOTS 4096

struct answer {
    frame_ref frame;
    uint64_t set;
    uint16_t ip_id, nrecords;
    uint8_t ttl, df, rcode;
    char summary[160];
};

struct txn {
    uint64_t key;             /* 0: free */
    int64_t first_ts;
    uint32_t queries;
    uint16_t query_ip_id;
    uint8_t nanswers, reported;
    struct answer ans[TXN_ANSWERS];
};

/* What a resolver's answers look like at the IP layer. */
struct resolver {
    uint8_t addr[16];
    uint8_t used;
    uint8_t ttl[2];
    uint32_t ttl_n[2];
    uint32_t df_n, nodf_n;
};

struct dns_state {
    uint64_t hash_key[2];
    struct txn txn[TXN_SLOTS];
    struct resolver res[RESOLVER_SLOTS];
};

static int dns_init(void **state)
{
    struct dns_state *st = calloc(1, sizeof *st);
    if (!st)
        return 0;
    st->hash_key[0] = hash_random_seed();
    st->hash_key[1] = st->hash_key[0] ^ 0x5bd1e9955bd1e995ull;
    *state = st;
    return 1;
}

static void dns_free(void *state)
{
    free(state);
}

/* Key of a transaction: client address and port, server address, id and question. */
static uint64_t txn_key(const struct dns_state *st, const struct packet *pkt, int from_client,
                        const struct dns_msg *m)
{
    struct {
        uint8_t client[16], server[16];
        uint16_t cport, id, qtype;
        uint8_t version;
        char qname[DNS_MAX_NAME];
    } k;
    memset(&k, 0, sizeof k);
    memcpy(k.client, from_client ? pkt->ip_src : pkt->ip_dst, 16);
    memcpy(k.server, from_client ? pkt->ip_dst : pkt->ip_src, 16);
    k.cport = from_client ? pkt->sport : pkt->dport;
    k.id = m->id;
    k.qtype = m->qtype;
    k.version = pkt->ip_version;
    snprintf(k.qname, sizeof k.qname, "%s", m->qname);
    uint64_t h = siphash13(st->hash_key, &k, sizeof k);
    return h ? h : 1;
}

static struct txn *txn_get(struct dns_state *st, uint64_t key, int64_t now)
{
    struct txn *t = &st->txn[key & (TXN_SLOTS - 1)];
    if (t->key != key || now - t->first_ts > TXN_HOLD_NS) {
        memset(t, 0, sizeof *t);
        t->key = key;
        t->first_ts = now;
    }
    return t;
}

static struct resolver *resolver_get(struct dns_state *st, const uint8_t addr[16])
{
    uint64_t h = siphash13(st->hash_key, addr, 16);
    struct resolver *r = &st->res[h & (RESOLVER_SLOTS - 1)];
    if (!r->used || memcmp(r->addr, addr, 16)) {
        memset(r, 0, sizeof *r);
        memcpy(r->addr, addr, 16);
        r->used = 1;
    }
    return r;
}

static void resolver_learn(struct resolver *r, uint8_t ttl, uint8_t df)
{
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

/* Tells of one answer against the resolver's other answers and the query. */
static unsigned judge(const struct resolver *r, const struct txn *t, const struct answer *a,
                      char *tells, size_t size)
{
    unsigned n = 0;
    tells[0] = '\0';
    uint32_t same = 0, other = 0;
    for (int i = 0; i < 2; i++) {
        if (!r->ttl_n[i])
            continue;
        if (r->ttl[i] == a->ttl)
            same += r->ttl_n[i];
        else if (abs((int)r->ttl[i] - a->ttl) >= 2)
            other += r->ttl_n[i];
    }
    if (!same && other) {
        snprintf(tells + strlen(tells), size - strlen(tells), "%sttl", n++ ? "," : "");
    }
    if ((a->df && !r->df_n && r->nodf_n) || (!a->df && !r->nodf_n && r->df_n))
        snprintf(tells + strlen(tells), size - strlen(tells), "%sdf", n++ ? "," : "");
    if (t->queries && a->ip_id && a->ip_id == t->query_ip_id)
        snprintf(tells + strlen(tells), size - strlen(tells), "%sip_id_from_query",
                 n++ ? "," : "");
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
    snprintf(fa->records, sizeof fa->records, "%s", a->summary);
    snprintf(fa->tells, sizeof fa->tells, "%s", tells);
}

static void report(struct dns_state *st, struct txn *t, const struct answer *early,
                   const struct answer *late, const struct packet *pkt, const struct dns_msg *m,
                   struct finding_sink *sink)
{
    uint8_t server[16];
    memcpy(server, pkt->ip_src, 16);
    struct resolver base = *resolver_get(st, server);
    resolver_forget(&base, early);
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
                forged == 1 ? "forged" : forged == 2 ? "genuine" : "undetermined", te);
    fill_answer(&f.answers[f.nanswers++], late,
                forged == 2 ? "forged" : forged == 1 ? "genuine" : "undetermined", tl);

    char qid[8];
    snprintf(qid, sizeof qid, "0x%04x", m->id);
    finding_evidence_str(&f, "query_id", qid);
    finding_evidence_str(&f, "qname", m->qname);
    finding_evidence_int(&f, "qtype", m->qtype);
    finding_evidence_int(&f, "queries_seen", t->queries);
    finding_evidence_str(&f, "verdict", forged ? "decided" : "undetermined");
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

    /* Names and record lists are cut so the sentence always fits. */
    const char *qn = m->qname[0] ? m->qname : ".";
    const char *sa = early->summary[0] ? early->summary : "no records";
    const char *sb = late->summary[0] ? late->summary : "no records";
    unsigned long long fe = (unsigned long long)FRAME_REF_FRAME(early->frame);
    unsigned long long fl = (unsigned long long)FRAME_REF_FRAME(late->frame);
    if (fa) {
        snprintf(f.summary, sizeof f.summary,
                 "two different answers to one DNS query for %.100s (id %s): frame %llu says "
                 "%.60s, frame %llu says %.60s; frame %llu is forged (%.40s), from about %d hops "
                 "away; the resolver is about %d hops away",
                 qn, qid, fe, sa, fl, sb, (unsigned long long)FRAME_REF_FRAME(fa->frame),
                 fa == early ? te : tl, ttl_hops(fa->ttl), ttl_hops(ga->ttl));
    } else {
        snprintf(f.summary, sizeof f.summary,
                 "two different answers to one DNS query for %.100s (id %s): frame %llu says "
                 "%.60s, frame %llu says %.60s; their headers do not tell which one is forged",
                 qn, qid, fe, sa, fl, sb);
    }
    t->reported = 1;
    sink->emit(sink, &f);
}

static void dns_packet(void *state, const struct detect_ctx *ctx, struct finding_sink *sink)
{
    struct dns_state *st = state;
    const struct packet *pkt = ctx->pkt;
    if (pkt->proto != IPPROTO_NUM_UDP || !pkt->l4_ok || pkt->is_fragment ||
        (pkt->sport != DNS_PORT && pkt->dport != DNS_PORT))
        return;
    struct dns_msg m;
    if (!dns_parse(pkt->payload, pkt->payload_len, &m) || m.opcode != 0)
        return;

    if (!m.qr) {
        if (pkt->dport != DNS_PORT)
            return;
        struct txn *t = txn_get(st, txn_key(st, pkt, 1, &m), pkt->ts_ns);
        if (!t->queries++)
            t->query_ip_id = pkt->ip_id;
        return;
    }
    if (pkt->sport != DNS_PORT)
        return;
    struct txn *t = txn_get(st, txn_key(st, pkt, 0, &m), pkt->ts_ns);
    struct answer a;
    memset(&a, 0, sizeof a);
    a.frame = FRAME_REF(pkt->file_index, pkt->frame);
    a.set = m.answer_set;
    a.ip_id = pkt->ip_id;
    a.nrecords = m.nanswers;
    a.ttl = pkt->ttl;
    a.df = pkt->df;
    a.rcode = m.rcode;
    snprintf(a.summary, sizeof a.summary, "%s", m.summary);

    for (unsigned i = 0; i < t->nanswers && !t->reported; i++) {
        const struct answer *e = &t->ans[i];
        if (e->set == a.set && e->rcode == a.rcode && e->nrecords == a.nrecords)
            continue; /* the same answer again: a duplicate or a resolver retry */
        report(st, t, e, &a, pkt, &m, sink);
        break;
    }
    if (t->nanswers < TXN_ANSWERS)
        t->ans[t->nanswers++] = a;
    resolver_learn(resolver_get(st, pkt->ip_src), pkt->ttl, pkt->df);
}

const struct detector detector_dns_injection = {
    .name = "dns_injection",
    .init = dns_init,
    .on_packet = dns_packet,
    .free = dns_free,
};
