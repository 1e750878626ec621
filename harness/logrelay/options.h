/* options.h: logrelay's command line, parsed into one struct; --help text lives in options.c.
 * Sizes accept a K, M or G suffix (powers of 1024): --buffer-bytes 4M. */
#ifndef LOGRELAY_OPTIONS_H
#define LOGRELAY_OPTIONS_H

#include <stddef.h>
#include <stdint.h>

#define LOGRELAY_VERSION "1.0.0"

struct relay_options {
    const char *output_path;    /* --output FILE: both streams into FILE; NULL: stdout/stderr */
    uint64_t rotate_bytes;      /* --rotate-bytes N: 0 = never rotate */
    unsigned rotate_keep;       /* --rotate-keep K */
    size_t buffer_bytes;        /* --buffer-bytes N, per destination */
    size_t max_line;            /* --max-line N: longer lines are split */
    int flush_ms;               /* --flush-ms N: how long to flush after the child exits */
    int print_stats;            /* --stats */
    const char *stats_json_path;/* --stats-json FILE */
    int own_process_group;      /* 0 with --no-process-group */
    char *const *command;       /* COMMAND ARG...; NULL-terminated, points into argv */
};

enum options_result { OPTIONS_RUN, OPTIONS_HELP, OPTIONS_VERSION, OPTIONS_ERROR };

/* Parses argv. On OPTIONS_ERROR, error holds a one-line message. */
enum options_result options_parse(struct relay_options *o, int argc, char *const argv[],
                                  char *error, size_t error_size);

/* The --help text. */
const char *options_usage(void);

#endif
