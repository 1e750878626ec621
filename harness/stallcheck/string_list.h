/* string_list.h: a growable list of owned C strings.
 *
 * Options that may repeat (-H, --probe, --env, --trigger-header) collect their values here; the
 * list owns copies so that nothing depends on argv staying alive or unmodified. */
#ifndef STALLCHECK_STRING_LIST_H
#define STALLCHECK_STRING_LIST_H

#include <stddef.h>

typedef struct string_list {
    char **items;
    size_t count;
    size_t alloc;
} string_list;

#define STRING_LIST_INIT { NULL, 0, 0 }

/* Appends a copy of s. Returns 0, or -1 when out of memory. */
int string_list_add(string_list *list, const char *s);
/* Frees every string and the array; the list is empty and reusable afterwards. */
void string_list_clear(string_list *list);

#endif
