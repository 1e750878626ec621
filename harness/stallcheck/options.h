/* options.h: stallcheck's command line, parsed into one plain struct.
 *
 * Parsing is separate from running so that every rule (ranges, formats, defaults) can be tested
 * without spawning anything, and so that a bad option is always a clean exit 2 before any child
 * exists. The help text lives next to the parser so the two cannot drift apart. */
#ifndef STALLCHECK_OPTIONS_H
#define STALLCHECK_OPTIONS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "string_list.h"

typedef enum reader_mode {
    READER_NEVER,   /* nobody reads the pipe: the launcher that stopped reading */
    READER_SCANNER, /* line reader with a line limit that stops for good at a longer line */
    READER_SLOW,    /* reads at most N bytes per second */
    READER_CLOSE,   /* the read end is closed: writers get EPIPE / SIGPIPE */
    READER_DRAIN    /* a healthy reader: the baseline */
} reader_mode;

typedef enum expectation {
    EXPECT_NONE,
    EXPECT_RESPONSIVE,
    EXPECT_STALLED
} expectation;

/* "METHOD /path" split into its two parts (both owned). */
typedef struct request_line {
    char *method;
    char *path;
} request_line;

typedef struct stall_options {
    /* where the child listens */
    char *host;               /* --host, default 127.0.0.1 */
    int port;                 /* --port, 0 = pick a free one */
    char *ready_path;         /* --ready, default /health */
    long startup_ms;          /* --startup-ms */

    /* the pipe and who reads it */
    long pipe_size;           /* --pipe-size, 0 = leave the kernel's default */
    bool separate_pipes;      /* --separate-pipes */
    reader_mode reader;       /* --reader */
    long reader_arg;          /* N of scanner:N, BYTES_PER_SEC of slow:B */
    char *reader_spec;        /* the --reader text as given, for reports */

    /* the trigger */
    bool trigger_enabled;     /* false with --trigger none */
    request_line trigger;     /* --trigger, default POST /v1/messages */
    char *trigger_body;       /* --trigger-body (NULL = the default Anthropic JSON) */
    size_t trigger_body_len;
    long trigger_bytes;       /* --trigger-bytes: text size inside the default body */
    string_list trigger_headers; /* --trigger-header */
    long trigger_timeout_ms;  /* --trigger-timeout-ms */
    long flood;               /* --flood N: at most N triggers, until the pipe is full */

    /* the probes */
    request_line *probes;     /* --probe, default GET /v1/models + GET /api/admin/user-credentials */
    size_t probe_count;
    request_line *collects;   /* --collect: requests whose bodies go into the report */
    size_t collect_count;
    string_list headers;      /* -H / --header: on every request */
    long rounds;              /* --rounds */
    long deadline_ms;         /* --deadline-ms */

    /* outcome and safety */
    expectation expect;       /* --expect */
    long kill_grace_ms;       /* --kill-grace-ms */
    long timeout_s;           /* --timeout (watchdog) */
    long settle_ms;           /* --settle-ms: how long the pipe must stay full, its level not
                                 rising, before the fault counts as established */
    long fill_ms;             /* --fill-ms: bound on building the fault after the trigger */

    /* output */
    char *json_path;          /* --json */
    char *junit_path;         /* --junit */
    char *summary_path;       /* --summary: Markdown (report_markdown.h) */
    char *timeline_path;      /* --timeline: the run as an SVG picture (timeline_svg.h) */
    long sample_ms;           /* --sample-ms: the pipe sampler's interval, 0 off */
    bool progress;            /* --progress / --no-progress given: progress_forced applies */
    bool progress_forced;     /* the status line on (true) or off (false) whatever stdout is */
    bool quiet;               /* --quiet */
    string_list env;          /* --env NAME=VALUE */

    /* the command after --, pointers into argv */
    char **command;
    int command_count;
} stall_options;

enum {
    OPTIONS_OK = 0,        /* run it */
    OPTIONS_DONE = 1,      /* --help or --version printed: exit 0 */
    OPTIONS_INVALID = 2    /* message in err: exit 2 */
};

/* Fills o with the defaults. */
void options_init(stall_options *o);
/* Parses argv (argv[0] is the program name). Returns OPTIONS_OK, OPTIONS_DONE (help/version
 * written to out) or OPTIONS_INVALID (reason in err). o must have been options_init()ed. */
int options_parse(stall_options *o, int argc, char **argv, FILE *out, char *err, size_t err_size);
/* Frees everything the options own; o can be options_init()ed again. */
void options_free(stall_options *o);
void options_print_help(FILE *out);

/* Parses "never", "drain", "close", "scanner:N", "slow:BYTES_PER_SEC". Returns 0 or -1. */
int options_parse_reader(const char *text, reader_mode *mode, long *arg);
/* Parses "METHOD /path". Returns 0 (line filled, owned) or -1. */
int options_parse_request_line(const char *text, request_line *line);
/* Accepts "Name: value" with a non-empty token name. */
bool options_header_is_valid(const char *text);
const char *options_reader_name(reader_mode mode);

#endif
