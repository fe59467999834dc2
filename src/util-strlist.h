/* secondsight - a list of strings in one fixed buffer: each item ends in NUL and an
 * empty item ends the list ("ttl\0df\0\0"; "" is the empty list). Items are never
 * empty and may hold any byte but NUL, a comma included: no layer encodes a list into
 * text another layer must split again. */
#ifndef SS_UTIL_STRLIST_H
#define SS_UTIL_STRLIST_H

#include <stddef.h>
#include <string.h>

/* Bytes the items take, their NULs included, the final NUL not. */
size_t strlist_used(const char *list);
/* Appends the `len` bytes of item (no NUL among them; len > 0) when they fit in `size`
 * with the list's ending; returns 0, the list unchanged, when they do not. */
int strlist_add(char *list, size_t size, const char *item, size_t len);
/* strlist_add of a NUL-terminated item. */
int strlist_add_str(char *list, size_t size, const char *item);
/* Copies a list into dst (size bytes), whole items only. */
void strlist_copy(char *dst, size_t size, const char *list);
/* The items joined by `sep` into dst (size bytes, cut as snprintf cuts); returns dst. */
char *strlist_join(char *dst, size_t size, const char *list, const char *sep);

/* The item after `item`; "" at the end of the list. */
static inline const char *strlist_next(const char *item)
{
    return item + strlen(item) + 1;
}

#endif
