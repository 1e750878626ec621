/* rules.c: region names, header-safe text, whole JSON numbers; see rules.h. */
#include "config/rules.h"

#include <ctype.h>
#include <string.h>

int rule_region_name(const char *s)
{
    size_t n = strlen(s);
    if (n == 0 || n >= REGION_NAME_SIZE)
        return 0;
    for (; *s; s++) {
        if (!islower((unsigned char)*s) && !isdigit((unsigned char)*s) && *s != '-')
            return 0;
    }
    return 1;
}

int rule_header_safe(const char *s)
{
    for (; *s; s++) {
        if ((unsigned char)*s <= ' ' || (unsigned char)*s >= 0x7f)
            return 0;
    }
    return 1;
}

int rule_has_control_chars(const char *s)
{
    for (; *s; s++) {
        if ((unsigned char)*s < ' ' || (unsigned char)*s == 0x7f)
            return 1;
    }
    return 0;
}

int rule_json_whole_number(const cJSON *item, double min, double max, long long *out)
{
    if (!cJSON_IsNumber(item))
        return -1;
    double v = item->valuedouble;
    /* The range test also rejects NaN; inside it the cast is exact for whole numbers. */
    if (!(v >= min && v <= max) || (double)(long long)v != v)
        return -1;
    *out = (long long)v;
    return 0;
}
