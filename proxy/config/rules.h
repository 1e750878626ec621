/* rules.h: the value rules that the settings and the credentials share, one function per rule,
 * so that config.json, the flags, credentials.json and the admin API accept exactly the same
 * region names and the same header-bound text.
 *
 * These only say yes or no; each caller writes its own error naming the field it read. */
#ifndef KIRO_CONFIG_RULES_H
#define KIRO_CONFIG_RULES_H

#include <cjson/cJSON.h>
#include <stddef.h>

/* Size of a region buffer (proxy_config.region, credential.region): names are shorter. */
#define REGION_NAME_SIZE 32

/* 1 when s is a region name like us-east-1: 1..REGION_NAME_SIZE-1 characters of [a-z0-9-]. */
int rule_region_name(const char *s);

/* 1 when s may travel in an HTTP header or URL as it is: printable ASCII without spaces or
 * controls (tokens, ARNs, versions, URLs). The empty string passes. */
int rule_header_safe(const char *s);

/* 1 when s holds an ASCII control character (below 0x20, or DEL). */
int rule_has_control_chars(const char *s);

/* A JSON number that is whole and within [min, max] (min and max at most 9e15 in size, so
 * that the double holds every whole number between them exactly). Returns 0 with *out, or -1
 * (not a number, a fraction, NaN, out of range). */
int rule_json_whole_number(const cJSON *item, double min, double max, long long *out);

#endif
