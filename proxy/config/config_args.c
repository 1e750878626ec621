/* config_args.c: the environment (KIRO_*), the command line and --help; see config.h.
 *
 * Settings apply in this order, later ones winning: the config file (--config or KIRO_CONFIG),
 * then the environment, then the flags. Both readers and the help walk option_table.c. */
#include "config/config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config/option_table.h"
#include "config/version.h"
#include "util/errbuf.h"

#define KIRO_GO_DEFAULT_CONFIG "config.json"

int config_apply_env(proxy_config *c, char *err, size_t err_size)
{
    for (size_t i = 0; i < option_count; i++) {
        const option_spec *o = &option_table[i];
        if (!option_takes_value(o) || o->kind == OPT_CONFIG)
            continue; /* KIRO_CONFIG is read by config_from_args before everything else */
        char name[64];
        option_env_name(o, name, sizeof name);
        const char *value = getenv(name);
        if (!value || !*value)
            continue;
        if (option_apply_text(c, o, value, name, err, err_size) != 0)
            return -1;
    }
    return 0;
}

/* Splits argv[*index] into an option and its value (consuming the next argument when the
 * value is not attached with '='). */
static int next_argument(int argc, char **argv, int *index, const option_spec **option,
                         const char **value, char *err, size_t err_size)
{
    const char *arg = argv[*index];
    *value = NULL;
    if (strcmp(arg, "-h") == 0) {
        *option = option_find("help", 4);
        return 0;
    }
    /* Go's flag package, which kiro-go and its launcher use, spells flags with one dash
     * (-config FILE, -credentials=FILE) as well as two; both are accepted here. */
    size_t dashes = strncmp(arg, "--", 2) == 0 ? 2 : arg[0] == '-' ? 1 : 0;
    if (dashes == 0 || arg[dashes] == '\0' || arg[dashes] == '-') {
        errbuf_set(err, err_size, "unexpected argument '%s' (see --help)", arg);
        return -1;
    }
    const char *name = arg + dashes;
    const char *equals = strchr(name, '=');
    size_t name_len = equals ? (size_t)(equals - name) : strlen(name);
    *option = option_find(name, name_len);
    if (!*option) {
        errbuf_set(err, err_size, "unknown option '%.*s%.*s' (see --help)", (int)dashes, "--",
                   (int)name_len, name);
        return -1;
    }
    if (!option_takes_value(*option)) {
        if (equals) {
            errbuf_set(err, err_size, "--%s takes no value", (*option)->flag);
            return -1;
        }
        return 0;
    }
    if (equals) {
        *value = equals + 1;
    } else if (*index + 1 < argc) {
        *value = argv[++*index];
    } else {
        errbuf_set(err, err_size, "--%s needs a value (%s)", (*option)->flag,
                   (*option)->value_name);
        return -1;
    }
    return 0;
}

/* A kiro-go data directory holds config.json, credentials.json and user_credentials.json
 * together: unless a setting names the user store, it is the one beside the credentials. */
static int user_credentials_beside(proxy_config *c, char *err, size_t err_size)
{
    if (c->user_credentials_given || !c->credentials_path)
        return 0;
    const char *slash = strrchr(c->credentials_path, '/');
    char path[CONFIG_STRING_MAX + 32];
    if (slash)
        snprintf(path, sizeof path, "%.*s/user_credentials.json",
                 (int)(slash - c->credentials_path), c->credentials_path);
    else
        snprintf(path, sizeof path, "user_credentials.json");
    if (option_replace_string(&c->user_credentials_path, path) != 0) {
        errbuf_set(err, err_size, "out of memory");
        return -1;
    }
    return 0;
}

int config_from_args(proxy_config *c, int argc, char **argv, char *err, size_t err_size)
{
    const char *program = argc > 0 && argv[0] ? argv[0] : "kiro-proxy";
    const char *config_file = NULL;
    int want_help = 0, want_version = 0;

    /* First pass: syntax only, to find --help, --version and --config. */
    for (int i = 1; i < argc; i++) {
        const option_spec *o;
        const char *value;
        if (next_argument(argc, argv, &i, &o, &value, err, err_size) != 0)
            return -1;
        if (o->kind == OPT_HELP)
            want_help = 1;
        else if (o->kind == OPT_VERSION)
            want_version = 1;
        else if (o->kind == OPT_CONFIG)
            config_file = value;
    }
    if (want_help) {
        config_print_help(program, stdout);
        fflush(stdout);
        return 1;
    }
    if (want_version) {
        printf("kiro-proxy %s\n", KIRO_PROXY_VERSION);
        fflush(stdout);
        return 1;
    }

    if (!config_file) {
        const char *from_env = getenv("KIRO_CONFIG");
        if (from_env && *from_env)
            config_file = from_env;
    }
    /* kiro-go reads ./config.json when no -config is given; so does this proxy, when it is
     * there. */
    if (!config_file && access(KIRO_GO_DEFAULT_CONFIG, F_OK) == 0)
        config_file = KIRO_GO_DEFAULT_CONFIG;
    if (config_file && config_load_file(c, config_file, err, err_size) != 0)
        return -1;
    if (config_apply_env(c, err, err_size) != 0)
        return -1;

    for (int i = 1; i < argc; i++) {
        const option_spec *o;
        const char *value;
        if (next_argument(argc, argv, &i, &o, &value, err, err_size) != 0)
            return -1;
        if (!value || o->kind == OPT_CONFIG)
            continue;
        char source[64];
        snprintf(source, sizeof source, "--%s", o->flag);
        if (option_apply_text(c, o, value, source, err, err_size) != 0)
            return -1;
    }
    return user_credentials_beside(c, err, err_size);
}

#define HELP_WIDTH 79
#define HELP_INDENT 32

/* Writes words of text starting at column `column`, wrapping at HELP_WIDTH with the
 * continuation lines indented by `indent`. */
static void print_wrapped(FILE *out, const char *text, int column, int indent)
{
    const char *p = text;
    while (*p) {
        size_t word = strcspn(p, " ");
        if (column > indent && column + 1 + (int)word > HELP_WIDTH) {
            fprintf(out, "\n%*s", indent, "");
            column = indent;
        } else if (column > indent) {
            fputc(' ', out);
            column++;
        }
        fprintf(out, "%.*s", (int)word, p);
        column += (int)word;
        p += word;
        while (*p == ' ')
            p++;
    }
    fputc('\n', out);
}

void config_print_help(const char *program, void *stdio_file)
{
    FILE *out = stdio_file ? (FILE *)stdio_file : stdout;
    fprintf(out,
            "Usage: %s [options]\n"
            "\n"
            "kiro-proxy %s: the Anthropic Messages and OpenAI Chat Completions APIs,\n"
            "served from Amazon Kiro accounts.\n"
            "\n"
            "Options (\"--flag value\" or \"--flag=value\"; one dash works too, as in\n"
            "kiro-go: -config FILE -credentials FILE):\n",
            program ? program : "kiro-proxy", KIRO_PROXY_VERSION);
    for (size_t i = 0; i < option_count; i++) {
        const option_spec *o = &option_table[i];
        char left[64];
        if (o->value_name)
            snprintf(left, sizeof left, "  --%s %s", o->flag, o->value_name);
        else
            snprintf(left, sizeof left, "  --%s", o->flag);
        fprintf(out, "%-*s", HELP_INDENT, left);
        print_wrapped(out, o->help, HELP_INDENT, HELP_INDENT);
    }
    fputc('\n', out);
    print_wrapped(out,
                  "Settings apply in this order, later ones winning: the config file (--config "
                  "or KIRO_CONFIG), then the environment, then the flags. Every option with a "
                  "value also has an environment variable: KIRO_ and the flag in capitals with "
                  "'_' for '-' (KIRO_LISTEN, KIRO_API_KEY, KIRO_ADMIN_KEY, KIRO_CREDENTIALS, "
                  "KIRO_USER_CREDENTIALS, KIRO_UPSTREAM_URL, KIRO_AUTH_URL, KIRO_LOG_LEVEL, "
                  "KIRO_REGION, KIRO_MAX_RETRIES, ...).",
                  0, 0);
    fputc('\n', out);
    char fields[1024];
    size_t used = (size_t)snprintf(fields, sizeof fields,
                                   "config.json fields: host, port, regions[] (the first is the "
                                   "region), apiRegion (wins over regions), kiroVersion, "
                                   "systemVersion, nodeVersion");
    for (size_t i = 0; i < option_count && used < sizeof fields; i++) {
        if (option_table[i].json_name)
            used += (size_t)snprintf(fields + used, sizeof fields - used, ", %s",
                                     option_table[i].json_name);
    }
    print_wrapped(out, fields, 0, 2);
}
