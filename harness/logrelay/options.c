/* options.c: parses logrelay's flags (--name VALUE or --name=VALUE, then -- COMMAND ...). */
#include "options.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "line_queue.h"

static const char usage_text[] =
    "Usage: logrelay [OPTIONS] -- COMMAND [ARG...]\n"
    "\n"
    "Runs COMMAND with its stdout and stderr on pipes that logrelay always reads, and forwards\n"
    "them line by line to logrelay's own stdout and stderr (or to --output FILE) without ever\n"
    "blocking on the destination. When the destination stalls and the buffer is full, whole\n"
    "lines are dropped and counted; a line 'logrelay: dropped N lines (M bytes)' marks the gap.\n"
    "Lines longer than --max-line (or half the buffer) are split; the first pieces end with\n"
    "' [logrelay: line continues]'. A last line without newline is completed with one.\n"
    "\n"
    "Options:\n"
    "  --output FILE        write both streams into FILE instead of stdout/stderr\n"
    "  --rotate-bytes N     rotate FILE when it would exceed N bytes (default 0: never)\n"
    "  --rotate-keep K      keep FILE.1 ... FILE.K after rotation (default 5)\n"
    "  --buffer-bytes N     buffer per destination (default 4M, minimum 4K)\n"
    "  --max-line N         longest line forwarded in one piece (default 1M)\n"
    "  --flush-ms N         after the child exits, flush for at most N ms (default 2000)\n"
    "  --stats              print the counters to stderr at exit\n"
    "  --stats-json FILE    write the counters as JSON to FILE at exit\n"
    "  --no-process-group   keep COMMAND in logrelay's process group; signals then go to\n"
    "                       COMMAND's pid only (default: its own group, signalled as a whole)\n"
    "  --help               this text\n"
    "  --version            print \"logrelay " LOGRELAY_VERSION "\" and exit\n"
    "\n"
    "SIGINT, SIGTERM and SIGHUP are forwarded to COMMAND. logrelay exits with COMMAND's exit\n"
    "code, or 128 + N when COMMAND was killed by signal N; 125 when it cannot start COMMAND,\n"
    "2 on a usage error. Sizes take a K, M or G suffix (powers of 1024).\n";

const char *options_usage(void)
{
    return usage_text;
}

/* Parses "123", "64K", "4M", "1G". Returns 0, or -1 when not a number in [min, max]. */
static int parse_size(const char *text, uint64_t min, uint64_t max, uint64_t *out)
{
    char *end;
    errno = 0;
    unsigned long long value = strtoull(text, &end, 10);
    if (errno != 0 || end == text || text[0] == '-')
        return -1;
    unsigned shift = 0;
    switch (*end) {
    case 'k': case 'K': shift = 10, end++; break;
    case 'm': case 'M': shift = 20, end++; break;
    case 'g': case 'G': shift = 30, end++; break;
    default: break;
    }
    if (*end != '\0' || value > (max >> shift))
        return -1;
    value <<= shift;
    if (value < min)
        return -1;
    *out = value;
    return 0;
}

/* Matches "--name VALUE" and "--name=VALUE"; advances *i past the value. */
static int take_value(const char *name, int argc, char *const argv[], int *i, const char **value)
{
    size_t len = strlen(name);
    const char *arg = argv[*i];
    if (strncmp(arg, name, len) != 0)
        return 0;
    if (arg[len] == '=') {
        *value = arg + len + 1;
        return 1;
    }
    if (arg[len] != '\0')
        return 0;
    *value = *i + 1 < argc ? argv[++*i] : NULL;
    return 1;
}

enum options_result options_parse(struct relay_options *o, int argc, char *const argv[],
                                  char *error, size_t error_size)
{
    *o = (struct relay_options){
        .rotate_keep = 5,
        .buffer_bytes = 4u << 20,
        .max_line = 1u << 20,
        .flush_ms = 2000,
        .own_process_group = 1,
    };
    error[0] = '\0';
    int i = 1;
    for (; i < argc; i++) {
        const char *arg = argv[i], *value = NULL;
        uint64_t n = 0;
        int bad = 0;
        if (strcmp(arg, "--") == 0) {
            i++;
            break;
        }
        if (strncmp(arg, "-", 1) != 0)
            break; /* COMMAND without "--" */
        if (strcmp(arg, "--help") == 0 || strcmp(arg, "-h") == 0)
            return OPTIONS_HELP;
        if (strcmp(arg, "--version") == 0 || strcmp(arg, "-V") == 0)
            return OPTIONS_VERSION;
        if (strcmp(arg, "--stats") == 0) {
            o->print_stats = 1;
        } else if (strcmp(arg, "--no-process-group") == 0) {
            o->own_process_group = 0;
        } else if (take_value("--output", argc, argv, &i, &value)) {
            bad = !value || !*value;
            o->output_path = value;
        } else if (take_value("--stats-json", argc, argv, &i, &value)) {
            bad = !value || !*value;
            o->stats_json_path = value;
        } else if (take_value("--rotate-bytes", argc, argv, &i, &value)) {
            bad = !value || parse_size(value, 0, UINT64_MAX, &n) != 0;
            o->rotate_bytes = n;
        } else if (take_value("--rotate-keep", argc, argv, &i, &value)) {
            bad = !value || parse_size(value, 0, 1000, &n) != 0;
            o->rotate_keep = (unsigned)n;
        } else if (take_value("--buffer-bytes", argc, argv, &i, &value)) {
            bad = !value || parse_size(value, LINE_QUEUE_MIN_CAPACITY, 1u << 30, &n) != 0;
            o->buffer_bytes = (size_t)n;
        } else if (take_value("--max-line", argc, argv, &i, &value)) {
            bad = !value || parse_size(value, 1, 1u << 30, &n) != 0;
            o->max_line = (size_t)n;
        } else if (take_value("--flush-ms", argc, argv, &i, &value)) {
            bad = !value || parse_size(value, 0, INT_MAX, &n) != 0;
            o->flush_ms = (int)n;
        } else {
            snprintf(error, error_size, "unknown option '%s' (see --help)", arg);
            return OPTIONS_ERROR;
        }
        if (bad) {
            snprintf(error, error_size, "bad or missing value for '%s' (see --help)", arg);
            return OPTIONS_ERROR;
        }
    }
    if (i >= argc) {
        snprintf(error, error_size, "no COMMAND given (see --help)");
        return OPTIONS_ERROR;
    }
    o->command = &argv[i];
    return OPTIONS_RUN;
}
