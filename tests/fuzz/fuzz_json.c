/* secondsight - fuzz target: the JSON writer (util-json.c) given arbitrary bytes as
 * keys and strings inside nested objects and arrays. The output must be valid JSON
 * (RFC 8259) and well-formed UTF-8, and each string must read back as the bytes it
 * was given (invalid UTF-8 as \u00XX, the writer's promise); else abort(). */
#include "fuzz.h"
#include "util-json.h"

/* ---- the input drives the writer ---- */

/*
 * Input: operations, each one byte, some followed by a length byte and that many
 * bytes (cut short at the end of the input):
 *   op % 8  0 object begin   1 array begin   2 end   3 string (len, bytes)
 *           4 int (8 bytes)  5 uint (8 bytes) 6 bool / null   7 string again, shorter
 * Inside an object the writer first gets a key (len, bytes; up to the first NUL,
 * since keys are C strings). Whatever is still open is closed at the end.
 */
#define MAX_OPS 512
#define MAX_STRINGS 1024

struct expect {
    const uint8_t *p;        /* the bytes a string was written from */
    size_t n;
};

struct drive {
    const uint8_t *data;
    size_t size, off;
    struct expect strings[MAX_STRINGS]; /* every key and string, in output order */
    size_t nstrings;
};

static uint8_t take_u8(struct drive *d)
{
    return d->off < d->size ? d->data[d->off++] : 0;
}

/* A length byte and up to that many bytes. */
static struct expect take_bytes(struct drive *d)
{
    struct expect e;
    size_t len = take_u8(d);
    if (len > d->size - d->off)
        len = d->size - d->off;
    e.p = d->data + d->off;
    e.n = len;
    d->off += len;
    return e;
}

static void note(struct drive *d, struct expect e)
{
    if (d->nstrings < MAX_STRINGS)
        d->strings[d->nstrings++] = e;
}

static void write_string(struct jw *w, struct drive *d, struct expect e)
{
    char *s = (char *)fuzz_dup(e.p, e.n); /* exact size: an over-read is seen */
    jw_string_n(w, s, e.n);
    free(s);
    note(d, e);
}

static void write_key(struct jw *w, struct drive *d)
{
    struct expect e = take_bytes(d);
    const uint8_t *nul = memchr(e.p, 0, e.n);
    if (nul)
        e.n = (size_t)(nul - e.p);
    char *key = malloc(e.n + 1);
    if (!key)
        abort();
    memcpy(key, e.p, e.n);
    key[e.n] = '\0';
    jw_key(w, key);
    free(key);
    note(d, e);
}

static void drive_writer(struct jw *w, struct drive *d)
{
    uint8_t in_object[JW_MAX_DEPTH + 1];
    int depth = 0;
    struct expect last = {(const uint8_t *)"", 0};
    jw_object_begin(w); /* a record, as output-json.c writes them */
    in_object[depth++] = 1;
    for (int ops = 0; ops < MAX_OPS && d->off < d->size; ops++) {
        uint8_t op = take_u8(d) % 8;
        if (op == 2) {
            if (depth > 1) {
                depth--;
                in_object[depth] ? jw_object_end(w) : jw_array_end(w);
            }
            continue;
        }
        if ((op == 0 || op == 1) && depth >= JW_MAX_DEPTH)
            op = 3;
        if (in_object[depth - 1])
            write_key(w, d);
        switch (op) {
        case 0:
        case 1:
            op == 0 ? jw_object_begin(w) : jw_array_begin(w);
            in_object[depth++] = op == 0;
            break;
        case 3:
            last = take_bytes(d);
            write_string(w, d, last);
            break;
        case 4:
        case 5: {
            uint64_t v = 0;
            for (int i = 0; i < 8; i++)
                v = v << 8 | take_u8(d);
            op == 4 ? jw_int(w, (int64_t)v) : jw_uint(w, v);
            break;
        }
        case 6:
            take_u8(d) & 1 ? jw_bool(w, take_u8(d) & 1) : jw_null(w);
            break;
        default:
            /* the previous string's tail: a cut in the middle of a UTF-8 sequence */
            if (last.n)
                last.n = take_u8(d) % last.n;
            write_string(w, d, last);
            break;
        }
    }
    while (depth > 0) {
        depth--;
        in_object[depth] ? jw_object_end(w) : jw_array_end(w);
    }
}

/* ---- a strict validator (RFC 8259, UTF-8 per RFC 3629) ---- */

struct parser {
    const uint8_t *p;
    size_t n, off;
    const struct drive *d;
    size_t next_string;       /* index into d->strings of the next string expected */
};

static int parse_value(struct parser *ps, int depth);

static void skip_ws(struct parser *ps)
{
    while (ps->off < ps->n && (ps->p[ps->off] == ' ' || ps->p[ps->off] == '\t' ||
                               ps->p[ps->off] == '\n' || ps->p[ps->off] == '\r'))
        ps->off++;
}

/* Length of a well-formed UTF-8 sequence at p (1 for ASCII), 0 if malformed. */
static size_t utf8_len(const uint8_t *p, size_t n)
{
    uint8_t c = p[0];
    if (c < 0x80)
        return 1;
    size_t len;
    uint32_t cp, min;
    if ((c & 0xe0) == 0xc0)
        len = 2, cp = c & 0x1f, min = 0x80;
    else if ((c & 0xf0) == 0xe0)
        len = 3, cp = c & 0x0f, min = 0x800;
    else if ((c & 0xf8) == 0xf0)
        len = 4, cp = c & 0x07, min = 0x10000;
    else
        return 0;
    if (len > n)
        return 0;
    for (size_t i = 1; i < len; i++) {
        if ((p[i] & 0xc0) != 0x80)
            return 0;
        cp = cp << 6 | (p[i] & 0x3f);
    }
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
        return 0;
    return len;
}

static int hex4(const uint8_t *p, uint32_t *v)
{
    *v = 0;
    for (int i = 0; i < 4; i++) {
        uint8_t c = p[i];
        uint32_t x;
        if (c >= '0' && c <= '9')
            x = c - '0';
        else if (c >= 'a' && c <= 'f')
            x = c - 'a' + 10;
        else if (c >= 'A' && c <= 'F')
            x = c - 'A' + 10;
        else
            return 0;
        *v = *v << 4 | x;
    }
    return 1;
}

/* A string; its decoded bytes (\u00XX read back as byte XX) must equal the next
 * expected string. */
static int parse_string(struct parser *ps)
{
    if (ps->off >= ps->n || ps->p[ps->off] != '"')
        return 0;
    ps->off++;
    if (ps->next_string >= ps->d->nstrings && ps->d->nstrings < MAX_STRINGS)
        return 0; /* a string nobody wrote */
    const struct expect *e =
        ps->next_string < ps->d->nstrings ? &ps->d->strings[ps->next_string] : NULL;
    ps->next_string++;
    size_t got = 0;           /* decoded bytes so far, compared as we go */
    for (;;) {
        if (ps->off >= ps->n)
            return 0;
        uint8_t c = ps->p[ps->off];
        uint32_t byte;
        if (c == '"') {
            ps->off++;
            return !e || got == e->n;
        }
        if (c < 0x20)
            return 0;         /* raw control characters are not allowed */
        if (c == '\\') {
            if (ps->n - ps->off < 2)
                return 0;
            uint8_t x = ps->p[ps->off + 1];
            ps->off += 2;
            switch (x) {
            case '"': byte = '"'; break;
            case '\\': byte = '\\'; break;
            case '/': byte = '/'; break;
            case 'b': byte = '\b'; break;
            case 'f': byte = '\f'; break;
            case 'n': byte = '\n'; break;
            case 'r': byte = '\r'; break;
            case 't': byte = '\t'; break;
            case 'u':
                if (ps->n - ps->off < 4 || !hex4(ps->p + ps->off, &byte))
                    return 0;
                ps->off += 4;
                if (byte > 0xff)
                    return 0; /* the writer escapes single bytes only */
                break;
            default:
                return 0;
            }
            if (e && (got >= e->n || e->p[got] != byte))
                return 0;
            got++;
            continue;
        }
        size_t len = utf8_len(ps->p + ps->off, ps->n - ps->off);
        if (!len)
            return 0;
        if (e && (got + len > e->n || memcmp(e->p + got, ps->p + ps->off, len) != 0))
            return 0;
        got += len;
        ps->off += len;
    }
}

static int parse_number(struct parser *ps)
{
    size_t start = ps->off;
    if (ps->off < ps->n && ps->p[ps->off] == '-')
        ps->off++;
    if (ps->off >= ps->n || ps->p[ps->off] < '0' || ps->p[ps->off] > '9')
        return 0;
    if (ps->p[ps->off] == '0') {
        ps->off++;
    } else {
        while (ps->off < ps->n && ps->p[ps->off] >= '0' && ps->p[ps->off] <= '9')
            ps->off++;
    }
    /* the writer writes integers only */
    return ps->off > start && ps->off - start <= 20;
}

static int parse_literal(struct parser *ps, const char *lit)
{
    size_t n = strlen(lit);
    if (ps->n - ps->off < n || memcmp(ps->p + ps->off, lit, n) != 0)
        return 0;
    ps->off += n;
    return 1;
}

/* A container at nesting level `depth` (the record is 1). */
static int parse_container(struct parser *ps, int depth, int object)
{
    if (depth > JW_MAX_DEPTH)
        return 0;
    ps->off++; /* '{' or '[' */
    skip_ws(ps);
    uint8_t close = object ? '}' : ']';
    if (ps->off < ps->n && ps->p[ps->off] == close) {
        ps->off++;
        return 1;
    }
    for (;;) {
        skip_ws(ps);
        if (object) {
            if (!parse_string(ps))
                return 0;
            skip_ws(ps);
            if (ps->off >= ps->n || ps->p[ps->off] != ':')
                return 0;
            ps->off++;
            skip_ws(ps);
        }
        if (!parse_value(ps, depth + 1))
            return 0;
        skip_ws(ps);
        if (ps->off >= ps->n)
            return 0;
        if (ps->p[ps->off] == close) {
            ps->off++;
            return 1;
        }
        if (ps->p[ps->off] != ',')
            return 0;
        ps->off++;
    }
}

static int parse_value(struct parser *ps, int depth)
{
    if (ps->off >= ps->n)
        return 0;
    switch (ps->p[ps->off]) {
    case '{':
        return parse_container(ps, depth, 1);
    case '[':
        return parse_container(ps, depth, 0);
    case '"':
        return parse_string(ps);
    case 't':
        return parse_literal(ps, "true");
    case 'f':
        return parse_literal(ps, "false");
    case 'n':
        return parse_literal(ps, "null");
    default:
        return parse_number(ps);
    }
}

/* Exactly one value, all strings accounted for, and the buffer NUL-terminated. */
static void check(const struct jw *w, const struct drive *d)
{
    if (w->err || !w->buf || w->len >= w->cap || w->buf[w->len] != '\0' || w->depth != 0)
        abort();
    struct parser ps = {(const uint8_t *)w->buf, w->len, 0, d, 0};
    if (!parse_value(&ps, 1) || ps.off != ps.n ||
        (d->nstrings < MAX_STRINGS && ps.next_string != d->nstrings))
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct drive *d = calloc(1, sizeof *d);
    if (!d)
        abort();
    d->data = data;
    d->size = size;
    struct jw w;
    jw_init(&w);
    drive_writer(&w, d);
    check(&w, d);

    /* Again on the same writer after jw_reset, as output-json.c does per record. */
    jw_reset(&w);
    memset(d->strings, 0, sizeof d->strings);
    d->nstrings = 0;
    d->off = 0;
    drive_writer(&w, d);
    check(&w, d);
    jw_release(&w);
    free(d);
    return 0;
}
