/* option_table.h: the proxy's options described once (internal to proxy/config).
 *
 * One table (option_table) holds every option: its flag, its config.json field, its type and
 * range, and its --help line. The flag parser, the environment reader, the config.json reader
 * and the help printer all walk it, so an option cannot be documented in one place and
 * forgotten in another. The environment variable of an option is derived from its flag:
 * --max-body-bytes <-> KIRO_MAX_BODY_BYTES. */
#ifndef KIRO_CONFIG_OPTION_TABLE_H
#define KIRO_CONFIG_OPTION_TABLE_H

#include <stddef.h>

#include "config/config.h"

#define CONFIG_STRING_MAX 4096

typedef enum {
    OPT_LISTEN,    /* HOST:PORT into host and port */
    OPT_CONFIG,    /* the config file itself (read before everything else) */
    OPT_PATH,      /* owned string, must not be empty */
    OPT_SECRET,    /* owned string, empty = unset */
    OPT_URL,       /* owned string, http:// or https://, empty = unset */
    OPT_REGION,    /* region[REGION_NAME_SIZE] */
    OPT_TEXT,      /* char[max] in place: 1..max-1 printable characters without spaces */
    OPT_LOG_LEVEL, /* log_level */
    OPT_INT,       /* int within [min, max] */
    OPT_SIZE,      /* size_t within [min, max] */
    OPT_BOOL,      /* int 0/1: true/false, on/off, yes/no, 1/0 (config.json: a boolean too) */
    OPT_LIST,      /* owned string, comma-separated (config.json: an array of strings too) */
    OPT_HELP,
    OPT_VERSION,
} option_kind;

typedef struct option_spec {
    const char *flag; /* without the leading "--" */
    option_kind kind;
    size_t offset;          /* of the field in proxy_config (unused for some kinds) */
    long long min, max;     /* for OPT_INT / OPT_SIZE; max = the buffer size for OPT_TEXT */
    const char *json_name;  /* config.json field, NULL when the file has none or a special one */
    const char *value_name; /* placeholder shown by --help */
    const char *help;
} option_spec;

extern const option_spec option_table[];
extern const size_t option_count;

/* The option spelled flag[0..flag_len) (without "--"), or NULL. */
const option_spec *option_find(const char *flag, size_t flag_len);
/* 0 for --help and --version, 1 for every option that takes a value. */
int option_takes_value(const option_spec *o);
/* KIRO_ + the flag in upper case with '-' as '_'. */
void option_env_name(const option_spec *o, char *out, size_t size);

/* Applies an option given as text (a flag value, an environment variable or a config.json
 * string). `source` names the flag, variable or field for the error message. Returns 0 or -1. */
int option_apply_text(proxy_config *c, const option_spec *o, const char *value, const char *source,
                      char *err, size_t err_size);
/* Stores a whole number into an OPT_INT / OPT_SIZE option after checking its range. */
int option_apply_number(proxy_config *c, const option_spec *o, long long value, const char *source,
                        char *err, size_t err_size);
/* Replaces an owned string field (empty or NULL value: unset). Returns 0 or -1 (no memory). */
int option_replace_string(char **field, const char *value);

#endif
