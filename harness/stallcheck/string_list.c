/* string_list.c: see string_list.h. */
#include "string_list.h"

#include <stdlib.h>
#include <string.h>

int string_list_add(string_list *list, const char *s)
{
    if (list->count + 1 > list->alloc) {
        size_t alloc = list->alloc ? list->alloc * 2 : 4;
        char **items = realloc(list->items, alloc * sizeof *items);
        if (!items)
            return -1;
        list->items = items;
        list->alloc = alloc;
    }
    char *copy = strdup(s);
    if (!copy)
        return -1;
    list->items[list->count++] = copy;
    return 0;
}

void string_list_clear(string_list *list)
{
    for (size_t i = 0; i < list->count; i++)
        free(list->items[i]);
    free(list->items);
    list->items = NULL;
    list->count = 0;
    list->alloc = 0;
}
