/* secondsight - the one JSON writer: objects and arrays with commas tracked for the
 * caller, every string escaped, invalid UTF-8 made safe. Keys come out in call order. */
#ifndef SS_UTIL_JSON_H
#define SS_UTIL_JSON_H

#include <stddef.h>
#include <stdint.h>

#define JW_MAX_DEPTH 16

struct jw {
    char *buf;
    size_t len, cap;
    int err; /* sticky: out of memory or nesting misuse */
    int depth;
    uint8_t has_items[JW_MAX_DEPTH];
    uint8_t after_key;
};

void jw_init(struct jw *w);
void jw_release(struct jw *w);
void jw_reset(struct jw *w); /* empties the buffer, keeps the allocation */

void jw_object_begin(struct jw *w);
void jw_object_end(struct jw *w);
void jw_array_begin(struct jw *w);
void jw_array_end(struct jw *w);
void jw_key(struct jw *w, const char *key);
void jw_string(struct jw *w, const char *s);
void jw_string_n(struct jw *w, const char *s, size_t n);
void jw_int(struct jw *w, int64_t v);
void jw_uint(struct jw *w, uint64_t v);
void jw_bool(struct jw *w, int v);
void jw_null(struct jw *w);
/* Appends raw text outside the JSON grammar (a newline between records). */
void jw_raw(struct jw *w, const char *s);

#endif
