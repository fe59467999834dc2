/* secondsight - lists of strings in fixed buffers (util-strlist.h). */
#include "util-strlist.h"

#include <stdio.h>

size_t strlist_used(const char *list)
{
    const char *p = list;
    while (*p)
        p = strlist_next(p);
    return (size_t)(p - list);
}

int strlist_add(char *list, size_t size, const char *item, size_t len)
{
    size_t used = strlist_used(list);
    if (!len || used + len + 2 > size)
        return 0;
    memcpy(list + used, item, len);
    list[used + len] = '\0';
    list[used + len + 1] = '\0';
    return 1;
}

int strlist_add_str(char *list, size_t size, const char *item)
{
    return strlist_add(list, size, item, strlen(item));
}

void strlist_copy(char *dst, size_t size, const char *list)
{
    if (!size)
        return;
    dst[0] = '\0';
    for (const char *p = list; *p; p = strlist_next(p))
        if (!strlist_add_str(dst, size, p))
            break;
}

char *strlist_join(char *dst, size_t size, const char *list, const char *sep)
{
    size_t used = 0;
    if (!size)
        return dst;
    dst[0] = '\0';
    for (const char *p = list; *p && used + 1 < size; p = strlist_next(p)) {
        int n = snprintf(dst + used, size - used, "%s%s", used ? sep : "", p);
        if (n < 0)
            break;
        used += (size_t)n;
    }
    return dst;
}
