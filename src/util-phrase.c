/* secondsight - codes in words (util-phrase.h). Every clause here is listed in
 * docs/tells.md; the docs_match test checks both ways. */
#include "util-phrase.h"

#include <stdio.h>
#include <string.h>

#include "decode.h"
#include "util-strlist.h"

/* One line per code, as TELL("code", "clause", "noun"): tests/docs-check reads them.
 * "sender" in a clause is said as the side the caller names; the noun is the code in a
 * list ("breaks its fingerprint in TTL, DF bit and timestamps"). */
#define TELL(code, clause, noun)                                                                   \
    {                                                                                              \
        code, clause, noun                                                                         \
    }
static const char *const tells[][3] = {
    /* fingerprint tells (flow-baseline.c) */
    TELL("ttl", "its TTL is one the sender's other packets never had", "TTL"),
    TELL("ttl_far", "its TTL is far from the sender's usual one", "TTL"),
    TELL("df", "its DF bit differs from the sender's other packets", "DF bit"),
    TELL("no_timestamp", "it lacks the TCP timestamps the sender always sends", "timestamps"),
    TELL("timestamp_back", "its TCP timestamp is far behind the sender's clock", "timestamp clock"),
    TELL("window", "its window size is unlike any the sender used", "window"),
    TELL("mirrors_peer", "it copies the IP-ID and window of a packet the peer sent",
         "mirrored IP-ID"),
    TELL("reserved_bits", "it sets TCP reserved bits the sender never set", "reserved bits"),
    TELL("ttl_expiring", "its TTL is so low that it dies a few hops past the sensor",
         "expiring TTL"),
    /* DNS answer tells (detect-dns-injection.c) */
    TELL("ip_id_from_query", "its IP-ID is copied from the query", "IP-ID"),
    TELL("ip_id_constant", "its IP-ID repeats one of the resolver's other answers", "IP-ID"),
    TELL("too_fast", "it came faster than the resolver ever answers", "timing"),
    /* fragment tells (detect-fragment-injection.c) */
    TELL("mixed_fragments", "its TTL or DF is unlike the first fragment of its datagram",
         "fragment headers"),
    /* content tells (decode-http.c, detect-tcp-injection.c) */
    TELL("script", "it carries a script tag", "script tag"),
    TELL("iframe", "it carries an iframe", "iframe"),
    TELL("iframe_1x1", "it carries a 1x1 iframe", "1x1 iframe"),
    TELL("meta_refresh", "it carries a meta refresh", "meta refresh"),
    TELL("reload", "it makes the page reload", "reload"),
    TELL("empty_redirect", "it is a redirect without a body", "empty redirect"),
    TELL("seconddate_template", "its headers follow the SECONDDATE template", "SECONDDATE headers"),
    TELL("fin_with_data", "it closes the connection (FIN) with the data", "FIN with data"),
};
#undef TELL

#define NTELLS (sizeof tells / sizeof tells[0])

/* The fields two SYN/ACKs can differ in (detect-handshake-hijack.c,
 * evidence.differing_fields) and a device can change (diff-match.c, evidence.changed)
 * that are not tells already: ttl, df and window are. */
static const char *const fields[][2] = {
    {"mss", "MSS"},
    {"wscale", "window scale"},
    {"timestamps", "timestamps"},
    {"timestamp_clock", "timestamp clock"},
    {"options", "options"},
    {"addresses", "addresses"},
    {"tcp_flags", "TCP flags"},
    {"urgent", "urgent pointer"},
    {"tcp_options", "TCP options"},
    {"length", "length"},
    {"payload", "payload"},
};

const char *phrase_tell(const char *code)
{
    for (size_t i = 0; i < NTELLS; i++)
        if (!strcmp(tells[i][0], code))
            return tells[i][1];
    return NULL;
}

size_t phrase_tell_count(void)
{
    return NTELLS;
}

const char *phrase_tell_code(size_t i)
{
    return i < NTELLS ? tells[i][0] : NULL;
}

const char *phrase_noun(const char *code)
{
    for (size_t i = 0; i < NTELLS; i++)
        if (!strcmp(tells[i][0], code))
            return tells[i][2];
    for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++)
        if (!strcmp(fields[i][0], code))
            return fields[i][1];
    return NULL;
}

/* Appends text to buf[*n..cap), cut as snprintf cuts; *n never passes cap - 1. */
static void put(char *buf, size_t cap, size_t *n, const char *text, size_t len)
{
    if (*n + 1 >= cap)
        return;
    if (len > cap - 1 - *n)
        len = cap - 1 - *n;
    memcpy(buf + *n, text, len);
    *n += len;
    buf[*n] = '\0';
}

/* A clause with every "sender" said as `side`. */
static void put_clause(char *buf, size_t cap, size_t *n, const char *clause, const char *side)
{
    static const char word[] = "sender";
    const char *at;
    while (side && (at = strstr(clause, word))) {
        put(buf, cap, n, clause, (size_t)(at - clause));
        put(buf, cap, n, side, strlen(side));
        clause = at + sizeof word - 1;
    }
    put(buf, cap, n, clause, strlen(clause));
}

char *phrase_tells(char *buf, size_t cap, const char *list, const char *side)
{
    size_t n = 0, count = 0;
    if (!cap)
        return buf;
    buf[0] = '\0';
    for (const char *t = list; *t; t = strlist_next(t))
        count++;
    size_t i = 0;
    for (const char *t = list; *t; t = strlist_next(t), i++) {
        const char *sep = !i ? "" : i + 1 == count ? " and " : ", ";
        put(buf, cap, &n, sep, strlen(sep));
        const char *clause = phrase_tell(t);
        if (clause) {
            put_clause(buf, cap, &n, clause, side);
        } else {
            put(buf, cap, &n, "tell ", 5);
            put(buf, cap, &n, t, strlen(t));
        }
    }
    return buf;
}

char *phrase_nouns(char *buf, size_t cap, const char *list)
{
    /* Each noun once: "ttl" and "ttl_far" are both "TTL". A list longer than the
     * table has nouns can only repeat them or name unknown codes past the cap. */
    const char *said[48];
    size_t count = 0, n = 0;
    if (!cap)
        return buf;
    buf[0] = '\0';
    for (const char *t = list; *t && count < sizeof said / sizeof said[0]; t = strlist_next(t)) {
        const char *noun = phrase_noun(t);
        noun = noun ? noun : t;
        size_t k = 0;
        while (k < count && strcmp(said[k], noun))
            k++;
        if (k == count)
            said[count++] = noun;
    }
    for (size_t i = 0; i < count; i++) {
        const char *sep = !i ? "" : i + 1 == count ? " and " : ", ";
        put(buf, cap, &n, sep, strlen(sep));
        put(buf, cap, &n, said[i], strlen(said[i]));
    }
    return buf;
}

char *phrase_hops(char *buf, size_t cap, int hops)
{
    if (hops < 0)
        snprintf(buf, cap, "at an unknown distance");
    else if (hops == 0)
        snprintf(buf, cap, "on the capture point's own network segment");
    else
        snprintf(buf, cap, "about %d hop%s away", hops, hops == 1 ? "" : "s");
    return buf;
}

/* RFC 1035 3.2.2, RFC 3596, RFC 2782, RFC 9460: the types people meet. */
const char *phrase_dns_type(long long qtype)
{
    static const struct {
        int code;
        const char *name;
    } types[] = {{1, "A"},    {2, "NS"},     {5, "CNAME"},   {6, "SOA"},   {12, "PTR"},
                 {15, "MX"},  {16, "TXT"},   {28, "AAAA"},   {33, "SRV"},  {35, "NAPTR"},
                 {43, "DS"},  {46, "RRSIG"}, {48, "DNSKEY"}, {64, "SVCB"}, {65, "HTTPS"},
                 {99, "SPF"}, {255, "ANY"},  {257, "CAA"}};
    for (size_t i = 0; i < sizeof types / sizeof types[0]; i++)
        if (types[i].code == qtype)
            return types[i].name;
    return NULL;
}

/* RFC 1035 4.1.1 and RFC 2136. */
const char *phrase_dns_rcode(long long rcode)
{
    static const char *const names[] = {"NOERROR", "FORMERR", "SERVFAIL", "NXDOMAIN",
                                        "NOTIMP",  "REFUSED", "YXDOMAIN", "YXRRSET",
                                        "NXRRSET", "NOTAUTH", "NOTZONE"};
    return rcode >= 0 && rcode < (long long)(sizeof names / sizeof names[0]) ? names[rcode] : NULL;
}

/* `name`, or the number after `prefix` when there is no name. */
static char *name_or_number(char *buf, size_t cap, const char *name, const char *prefix,
                            long long v)
{
    if (name)
        snprintf(buf, cap, "%s", name);
    else
        snprintf(buf, cap, "%s%lld", prefix, v);
    return buf;
}

char *phrase_dns_type_text(char *buf, size_t cap, long long qtype)
{
    return name_or_number(buf, cap, phrase_dns_type(qtype), "TYPE", qtype);
}

char *phrase_dns_rcode_text(char *buf, size_t cap, long long rcode)
{
    return name_or_number(buf, cap, phrase_dns_rcode(rcode), "RCODE ", rcode);
}

/* The flags in the order people say them (SYN and ACK; FIN, PSH and ACK), with the
 * letter tcpdump and the JSON give each (output-format.c). */
static const struct {
    uint8_t bit;
    char letter;
    const char *name;
} flag_names[] = {{TH_SYN, 'S', "SYN"}, {TH_FIN, 'F', "FIN"}, {TH_RST, 'R', "RST"},
                  {TH_PSH, 'P', "PSH"}, {TH_ACK, '.', "ACK"}, {TH_URG, 'U', "URG"},
                  {TH_ECE, 'E', "ECE"}, {TH_CWR, 'W', "CWR"}};

uint8_t phrase_tcp_flag_bits(const char *letters)
{
    uint8_t bits = 0;
    for (; letters && *letters; letters++)
        for (size_t i = 0; i < sizeof flag_names / sizeof flag_names[0]; i++)
            if (flag_names[i].letter == *letters)
                bits |= flag_names[i].bit;
    return bits;
}

char *phrase_tcp_flags(char *buf, size_t cap, uint8_t flags)
{
    size_t n = 0, count = 0, i, k = 0;
    if (!cap)
        return buf;
    buf[0] = '\0';
    for (i = 0; i < sizeof flag_names / sizeof flag_names[0]; i++)
        count += (flags & flag_names[i].bit) != 0;
    if (!count) {
        snprintf(buf, cap, "no flags");
        return buf;
    }
    for (i = 0; i < sizeof flag_names / sizeof flag_names[0]; i++) {
        if (!(flags & flag_names[i].bit))
            continue;
        const char *sep = !k ? "" : k + 1 == count ? " and " : ", ";
        put(buf, cap, &n, sep, strlen(sep));
        put(buf, cap, &n, flag_names[i].name, strlen(flag_names[i].name));
        k++;
    }
    return buf;
}

char *phrase_excerpt(char *buf, size_t cap, const uint8_t *data, size_t len, size_t max)
{
    size_t n = 0, take = len < max ? len : max;
    if (!cap)
        return buf;
    buf[0] = '\0';
    for (size_t i = 0; i < take && n + 1 < cap; i++) {
        char esc[3] = {0};
        uint8_t c = data[i];
        if (c == '\r' || c == '\n' || c == '\t') {
            esc[0] = '\\';
            esc[1] = c == '\r' ? 'r' : c == '\n' ? 'n' : 't';
        } else {
            esc[0] = c >= 0x20 && c < 0x7f ? (char)c : '.';
        }
        if (n + strlen(esc) + 1 > cap)
            break;
        put(buf, cap, &n, esc, strlen(esc));
    }
    if (len > take)
        put(buf, cap, &n, "...", 3);
    return buf;
}
