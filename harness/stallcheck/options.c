/* options.c: stallcheck's command line parser and help text; see options.h.
 *
 * Hand-written instead of getopt_long: getopt keeps global state (optind) that differs between
 * glibc and the BSDs, and the tests parse many command lines in one process. Accepted forms:
 * "--name value", "--name=value", "-H value", "-Hvalue". The command starts after "--" (or at
 * the first argument that is not an option). */
#include "options.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "version.h"

enum option_id {
    OPT_HELP, OPT_VERSION, OPT_QUIET, OPT_HOST, OPT_PORT, OPT_READY, OPT_STARTUP_MS,
    OPT_PIPE_SIZE, OPT_SEPARATE_PIPES, OPT_READER, OPT_TRIGGER, OPT_TRIGGER_BODY,
    OPT_TRIGGER_BYTES, OPT_TRIGGER_HEADER, OPT_TRIGGER_TIMEOUT_MS, OPT_FLOOD, OPT_PROBE, OPT_COLLECT,
    OPT_HEADER, OPT_ROUNDS, OPT_DEADLINE_MS, OPT_EXPECT, OPT_KILL_GRACE_MS, OPT_TIMEOUT,
    OPT_SETTLE_MS, OPT_FILL_MS, OPT_JSON, OPT_JUNIT, OPT_ENV,
    OPT_SUMMARY, OPT_TIMELINE, OPT_SAMPLE_MS, OPT_PROGRESS, OPT_NO_PROGRESS
};

typedef struct option_spec {
    const char *name; /* long name without the dashes */
    char short_name;  /* 0 when there is none */
    bool takes_value;
    enum option_id id;
} option_spec;

static const option_spec option_table[] = {
    { "help", 'h', false, OPT_HELP },
    { "version", 'V', false, OPT_VERSION },
    { "quiet", 'q', false, OPT_QUIET },
    { "host", 0, true, OPT_HOST },
    { "port", 'p', true, OPT_PORT },
    { "ready", 0, true, OPT_READY },
    { "startup-ms", 0, true, OPT_STARTUP_MS },
    { "pipe-size", 0, true, OPT_PIPE_SIZE },
    { "separate-pipes", 0, false, OPT_SEPARATE_PIPES },
    { "reader", 0, true, OPT_READER },
    { "trigger", 0, true, OPT_TRIGGER },
    { "trigger-body", 0, true, OPT_TRIGGER_BODY },
    { "trigger-bytes", 0, true, OPT_TRIGGER_BYTES },
    { "trigger-header", 0, true, OPT_TRIGGER_HEADER },
    { "trigger-timeout-ms", 0, true, OPT_TRIGGER_TIMEOUT_MS },
    { "flood", 0, true, OPT_FLOOD },
    { "probe", 0, true, OPT_PROBE },
    { "collect", 0, true, OPT_COLLECT },
    { "header", 'H', true, OPT_HEADER },
    { "rounds", 0, true, OPT_ROUNDS },
    { "deadline-ms", 0, true, OPT_DEADLINE_MS },
    { "expect", 0, true, OPT_EXPECT },
    { "kill-grace-ms", 0, true, OPT_KILL_GRACE_MS },
    { "timeout", 0, true, OPT_TIMEOUT },
    { "settle-ms", 0, true, OPT_SETTLE_MS },
    { "fill-ms", 0, true, OPT_FILL_MS },
    { "json", 0, true, OPT_JSON },
    { "junit", 0, true, OPT_JUNIT },
    { "summary", 0, true, OPT_SUMMARY },
    { "timeline", 0, true, OPT_TIMELINE },
    { "sample-ms", 0, true, OPT_SAMPLE_MS },
    { "progress", 0, false, OPT_PROGRESS },
    { "no-progress", 0, false, OPT_NO_PROGRESS },
    { "env", 0, true, OPT_ENV },
};

/* Largest --trigger-body @FILE accepted: far above any useful trigger, far below trouble. */
#define TRIGGER_FILE_MAX (64L * 1024 * 1024)

void options_print_help(FILE *out)
{
    fputs(
"Usage: stallcheck [OPTIONS] -- COMMAND [ARG...]\n"
"\n"
"Runs COMMAND (an HTTP server) with its stdout and stderr on a pipe that nobody drains, fills\n"
"that pipe with a large request and keeps building the fault until the pipe is full by the\n"
"kernel's measure, then probes the server with concurrent requests under a deadline. A server\n"
"whose logger blocks in write(2) while holding a lock freezes: stallcheck reports it as\n"
"stalled, shows why (pipe level; thread states from /proc on Linux, `sample` on macOS),\n"
"checks that draining the pipe brings it back, and always kills and reaps the child and\n"
"every descendant, wherever it went.\n"
"A run in which the fault was never in place is inconclusive (exit 3), never responsive.\n"
"\n"
"Every {port} inside an ARG (and inside --env values) is replaced by the port in use.\n"
"\n"
"Server:\n"
"  --host ADDR               address to connect to (default 127.0.0.1)\n"
"  -p, --port N              port the server listens on (default: a free port is picked)\n"
"                            a port that is already in use is an error (exit 2)\n"
"  --ready PATH              readiness request, GET; any HTTP status counts (default /health)\n"
"  --startup-ms MS           how long to wait for readiness (default 15000)\n"
"  --env NAME=VALUE          set a variable in the child's environment (repeatable)\n"
"\n"
"Pipe and reader:\n"
"  --pipe-size BYTES         pipe capacity asked for with F_SETPIPE_SZ where it exists\n"
"                            (default 65536; 0 keeps the kernel default). The real capacity\n"
"                            is measured and reported either way.\n"
"  --separate-pipes          stdout and stderr on two pipes instead of one\n"
"  --reader MODE             who reads the pipe while the server runs:\n"
"                              never             nobody (default)\n"
"                              scanner:N         reads lines like Go's bufio.Scanner with an\n"
"                                                N-byte limit and stops for good at the first\n"
"                                                longer line (the real launcher: scanner:65536)\n"
"                              slow:BYTES_PER_SEC reads at that rate\n"
"                              close             closes the read end (EPIPE / SIGPIPE)\n"
"                              drain             reads everything (a healthy launcher; a\n"
"                                                baseline: no fault is built)\n"
"\n"
"Trigger and fault (sent in the background once the server is ready; may hang):\n"
"  --trigger 'METHOD PATH'   the request (default 'POST /v1/messages'); 'none' sends nothing:\n"
"                            only the server's own output can fill the pipe\n"
"  --trigger-body TEXT|@FILE request body (default: Anthropic messages JSON, stream true,\n"
"                            model claude-sonnet-4.5, max_tokens 64)\n"
"  --trigger-bytes N         size of the user text inside the default body (default 262144)\n"
"  --trigger-header 'Name: value'  extra header on the trigger only (repeatable)\n"
"  --trigger-timeout-ms MS   bound on each trigger request (default 3000)\n"
"  --flood N                 send up to N triggers, 8 at a time, until the pipe is full by the\n"
"                            kernel's measure or a trigger gets no answer in time (default 1)\n"
"  --fill-ms MS              after the trigger, keep building the fault (small requests: the\n"
"                            trigger with a short body and the probes) until the pipe is full\n"
"                            and its writer stopped, for at most MS (default 10000); past\n"
"                            that the fault was not reached: inconclusive unless probes stall\n"
"  --settle-ms MS            how long the pipe must stay full, its level not rising, before\n"
"                            the fault counts as established (default 300)\n"
"\n"
"Probes (concurrent, each under its own deadline):\n"
"  --probe 'METHOD PATH'     a probe (repeatable; replaces the defaults\n"
"                            'GET /v1/models' and 'GET /api/admin/user-credentials')\n"
"  -H, --header 'Name: value' header on every request: readiness, trigger, probes (repeatable)\n"
"  --collect 'METHOD PATH'   after the probes, while the fault lasts, fetch this (e.g. 'GET\n"
"                            /health') under the probe deadline and keep its body (64 KiB\n"
"                            at most) in the JSON report under collected[] (repeatable)\n"
"  --rounds N                probe rounds (default 3); the first round that misses its\n"
"                            deadline decides (stalled) and ends probing; evidence is taken\n"
"                            while the first round's probes are pending\n"
"  --deadline-ms MS          deadline of each probe (default 2000); an answer after more\n"
"                            than 75% of it is flagged near_deadline\n"
"\n"
"Outcome:\n"
"  --expect responsive|stalled  exit 0 when the verdict matches, 1 when it does not\n"
"                            (without --expect: 0 when responsive, 1 when stalled)\n"
"  --kill-grace-ms MS        SIGTERM to the process group, SIGKILL after MS (default 2000)\n"
"  --timeout SECONDS         watchdog: kill everything, write the reports, exit 2 (default 60)\n"
"\n"
"Output:\n"
"  -q, --quiet               one summary line instead of the full report\n"
"  --json FILE               machine-readable result (verdict, fault, cause, pipe, probes,\n"
"                            threads, timeline...)\n"
"  --junit FILE              JUnit XML: a testcase for the fault, one per probe round and one\n"
"                            for the verdict\n"
"  --summary FILE            Markdown for a CI job page (GitHub's $GITHUB_STEP_SUMMARY, GitLab):\n"
"                            verdict, cause, fault, probe table, near-deadline warnings, thread\n"
"                            shape, pipe figures; written even when the watchdog fires\n"
"  --timeline FILE.svg       the run as a picture: the pipe level against its capacity, the\n"
"                            reader, one lane of probe bars per route (green answered, red\n"
"                            timed out, with latencies), the trigger, the moment the fault\n"
"                            was established, the verdict, the drain and the recovery; a\n"
"                            self-contained SVG (no script, no external font)\n"
"  --sample-ms MS            how often the pipe is sampled for the timeline, from the child's\n"
"                            start to its end (default 10; 0: events only)\n"
"  --progress, --no-progress one updating status line (phase, pipe level, probe round) on\n"
"                            stdout; default: only when stdout is a terminal\n"
"  -h, --help                this text\n"
"  -V, --version             the version\n"
"\n"
"Verdict: stalled when a probe misses its deadline, or when a trigger gets no answer while a\n"
"thread is blocked writing the log pipe (where no thread can be seen: while the pipe is full);\n"
"inconclusive when every probe answered but the fault was never in place; else responsive.\n"
"Cause (why):\n"
"  log-pipe-deadlock      pipe full, draining cured it, one thread blocked writing the pipe\n"
"                         and two or more waiting on one futex word behind it (a convoy)\n"
"  pipe-writers-blocked   pipe full, draining cured it, writers blocked without that shape\n"
"  pipe-full-unconfirmed  pipe full, draining cured it, but no thread evidence of a blocked\n"
"                         pipe writer (none seen, or no thread source: the portable build,\n"
"                         macOS without `sample`)\n"
"  stalled-not-pipe       pipe full, but draining did not cure it: something else is wrong\n"
"  stalled-pipe-not-full  stalled while the pipe is not full: something else is wrong\n"
"  fault-not-reached      inconclusive\n"
"  none                   responsive\n"
"\n"
"Exit status: 0 expectation met (or responsive), 1 not met (or stalled), 2 setup error: bad\n"
"options, port busy, child exited early or during the run, watchdog fired, interrupted;\n"
"3 inconclusive: the fault was never in place. CI must treat 3 (and 2) as a failure.\n"
"Colour is used when stdout is a terminal and NO_COLOR is unset.\n"
"\n"
"Example (the production failure, caught):\n"
"  stallcheck --expect stalled --reader scanner:65536 --json out.json -- \\\n"
"      build/bin/kiro-proxy-blocking --port {port}\n",
        out);
}

static int fail(char *err, size_t err_size, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static int fail(char *err, size_t err_size, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, err_size, fmt, ap);
    va_end(ap);
    return OPTIONS_INVALID;
}

/* Parses a whole decimal number within [min, max]. */
static int parse_long(const char *text, long min, long max, long *out)
{
    if (!text || !*text)
        return -1;
    errno = 0;
    char *end = NULL;
    long v = strtol(text, &end, 10);
    if (errno != 0 || !end || *end != '\0' || v < min || v > max)
        return -1;
    *out = v;
    return 0;
}

static int replace_string(char **slot, const char *value)
{
    char *copy = strdup(value);
    if (!copy)
        return -1;
    free(*slot);
    *slot = copy;
    return 0;
}

void options_init(stall_options *o)
{
    memset(o, 0, sizeof *o);
    o->host = strdup("127.0.0.1");
    o->ready_path = strdup("/health");
    o->startup_ms = 15000;
    o->pipe_size = 65536;
    o->reader = READER_NEVER;
    o->reader_spec = strdup("never");
    o->trigger_enabled = true;
    o->trigger.method = strdup("POST");
    o->trigger.path = strdup("/v1/messages");
    o->trigger_bytes = 262144;
    o->trigger_timeout_ms = 3000;
    o->flood = 1;
    o->rounds = 3;
    o->deadline_ms = 2000;
    o->expect = EXPECT_NONE;
    o->kill_grace_ms = 2000;
    o->timeout_s = 60;
    o->settle_ms = 300;
    o->fill_ms = 10000;
    o->sample_ms = 10;
}

static void request_line_free(request_line *line)
{
    free(line->method);
    free(line->path);
    line->method = NULL;
    line->path = NULL;
}

void options_free(stall_options *o)
{
    free(o->host);
    free(o->ready_path);
    free(o->reader_spec);
    request_line_free(&o->trigger);
    free(o->trigger_body);
    string_list_clear(&o->trigger_headers);
    for (size_t i = 0; i < o->probe_count; i++)
        request_line_free(&o->probes[i]);
    free(o->probes);
    for (size_t i = 0; i < o->collect_count; i++)
        request_line_free(&o->collects[i]);
    free(o->collects);
    string_list_clear(&o->headers);
    free(o->json_path);
    free(o->junit_path);
    free(o->summary_path);
    free(o->timeline_path);
    string_list_clear(&o->env);
    memset(o, 0, sizeof *o);
}

const char *options_reader_name(reader_mode mode)
{
    switch (mode) {
    case READER_NEVER: return "never";
    case READER_SCANNER: return "scanner";
    case READER_SLOW: return "slow";
    case READER_CLOSE: return "close";
    case READER_DRAIN: return "drain";
    }
    return "?";
}

int options_parse_reader(const char *text, reader_mode *mode, long *arg)
{
    *arg = 0;
    if (strcmp(text, "never") == 0) {
        *mode = READER_NEVER;
        return 0;
    }
    if (strcmp(text, "drain") == 0) {
        *mode = READER_DRAIN;
        return 0;
    }
    if (strcmp(text, "close") == 0) {
        *mode = READER_CLOSE;
        return 0;
    }
    if (strncmp(text, "scanner:", 8) == 0) {
        /* a line limit below 16 bytes cannot hold any real log line */
        if (parse_long(text + 8, 16, 64L * 1024 * 1024, arg) != 0)
            return -1;
        *mode = READER_SCANNER;
        return 0;
    }
    if (strncmp(text, "slow:", 5) == 0) {
        if (parse_long(text + 5, 1, 1L << 30, arg) != 0)
            return -1;
        *mode = READER_SLOW;
        return 0;
    }
    return -1;
}

static bool is_token_char(char c)
{
    return isalnum((unsigned char)c) || strchr("!#$%&'*+-.^_`|~", c) != NULL;
}

int options_parse_request_line(const char *text, request_line *line)
{
    const char *p = text;
    while (*p == ' ')
        p++;
    const char *method = p;
    while (*p && is_token_char(*p))
        p++;
    size_t method_len = (size_t)(p - method);
    if (method_len == 0 || method_len > 32 || *p != ' ')
        return -1;
    while (*p == ' ')
        p++;
    const char *path = p;
    if (*path != '/')
        return -1;
    for (const char *q = path; *q; q++)
        if (*q == ' ' || (unsigned char)*q < 0x21 || *q == 0x7f)
            return -1;
    line->method = strndup(method, method_len);
    line->path = strdup(path);
    if (!line->method || !line->path) {
        request_line_free(line);
        return -1;
    }
    for (char *m = line->method; *m; m++)
        *m = (char)toupper((unsigned char)*m);
    return 0;
}

bool options_header_is_valid(const char *text)
{
    const char *colon = strchr(text, ':');
    if (!colon || colon == text)
        return false;
    for (const char *p = text; p < colon; p++)
        if (!is_token_char(*p))
            return false;
    return strpbrk(text, "\r\n") == NULL;
}

static int load_trigger_body(stall_options *o, const char *value, char *err, size_t err_size)
{
    free(o->trigger_body);
    o->trigger_body = NULL;
    o->trigger_body_len = 0;
    if (value[0] != '@') {
        o->trigger_body = strdup(value);
        if (!o->trigger_body)
            return fail(err, err_size, "out of memory");
        o->trigger_body_len = strlen(value);
        return OPTIONS_OK;
    }
    const char *path = value + 1;
    FILE *f = fopen(path, "rb");
    if (!f)
        return fail(err, err_size, "--trigger-body: cannot open %s: %s", path, strerror(errno));
    struct stat st;
    if (fstat(fileno(f), &st) != 0 || !S_ISREG(st.st_mode) || st.st_size > TRIGGER_FILE_MAX) {
        fclose(f);
        return fail(err, err_size, "--trigger-body: %s is not a regular file of at most %ld bytes",
                    path, TRIGGER_FILE_MAX);
    }
    size_t size = (size_t)st.st_size;
    char *data = malloc(size + 1);
    if (!data) {
        fclose(f);
        return fail(err, err_size, "out of memory");
    }
    size_t got = fread(data, 1, size, f);
    fclose(f);
    if (got != size) {
        free(data);
        return fail(err, err_size, "--trigger-body: short read from %s", path);
    }
    data[size] = '\0';
    o->trigger_body = data;
    o->trigger_body_len = size;
    return OPTIONS_OK;
}

static int add_probe(stall_options *o, bool *probes_given, const char *value, char *err,
                     size_t err_size)
{
    request_line line = { NULL, NULL };
    if (options_parse_request_line(value, &line) != 0)
        return fail(err, err_size, "--probe: expected 'METHOD /path', got '%s'", value);
    if (!*probes_given) {
        *probes_given = true; /* the first --probe replaces the defaults */
        for (size_t i = 0; i < o->probe_count; i++)
            request_line_free(&o->probes[i]);
        o->probe_count = 0;
    }
    request_line *grown = realloc(o->probes, (o->probe_count + 1) * sizeof *grown);
    if (!grown) {
        request_line_free(&line);
        return fail(err, err_size, "out of memory");
    }
    o->probes = grown;
    o->probes[o->probe_count++] = line;
    return OPTIONS_OK;
}

static int add_collect(stall_options *o, const char *value, char *err, size_t err_size)
{
    request_line line = { NULL, NULL };
    if (options_parse_request_line(value, &line) != 0)
        return fail(err, err_size, "--collect: expected 'METHOD /path', got '%s'", value);
    if (o->collect_count >= 16) {
        request_line_free(&line);
        return fail(err, err_size, "--collect: at most 16");
    }
    request_line *grown = realloc(o->collects, (o->collect_count + 1) * sizeof *grown);
    if (!grown) {
        request_line_free(&line);
        return fail(err, err_size, "out of memory");
    }
    o->collects = grown;
    o->collects[o->collect_count++] = line;
    return OPTIONS_OK;
}

static int apply_option(stall_options *o, const option_spec *spec, const char *value,
                        bool *probes_given, FILE *out, char *err, size_t err_size)
{
    long n = 0;
    switch (spec->id) {
    case OPT_HELP:
        options_print_help(out);
        return OPTIONS_DONE;
    case OPT_VERSION:
        fprintf(out, "stallcheck %s\n", STALLCHECK_VERSION);
        return OPTIONS_DONE;
    case OPT_QUIET:
        o->quiet = true;
        return OPTIONS_OK;
    case OPT_SEPARATE_PIPES:
        o->separate_pipes = true;
        return OPTIONS_OK;
    case OPT_HOST:
        if (!*value)
            return fail(err, err_size, "--host: empty address");
        return replace_string(&o->host, value) == 0 ? OPTIONS_OK : fail(err, err_size, "out of memory");
    case OPT_PORT:
        if (parse_long(value, 1, 65535, &n) != 0)
            return fail(err, err_size, "--port: expected 1..65535, got '%s'", value);
        o->port = (int)n;
        return OPTIONS_OK;
    case OPT_READY:
        if (value[0] != '/' || strpbrk(value, " \r\n"))
            return fail(err, err_size, "--ready: expected a path starting with '/', got '%s'", value);
        return replace_string(&o->ready_path, value) == 0 ? OPTIONS_OK : fail(err, err_size, "out of memory");
    case OPT_STARTUP_MS:
        if (parse_long(value, 1, 3600000, &o->startup_ms) != 0)
            return fail(err, err_size, "--startup-ms: expected 1..3600000, got '%s'", value);
        return OPTIONS_OK;
    case OPT_PIPE_SIZE:
        if (parse_long(value, 0, 1L << 30, &o->pipe_size) != 0)
            return fail(err, err_size, "--pipe-size: expected 0..1073741824 bytes, got '%s'", value);
        return OPTIONS_OK;
    case OPT_READER:
        if (options_parse_reader(value, &o->reader, &o->reader_arg) != 0)
            return fail(err, err_size,
                        "--reader: expected never, drain, close, scanner:N (16..67108864) or "
                        "slow:BYTES_PER_SEC, got '%s'", value);
        return replace_string(&o->reader_spec, value) == 0 ? OPTIONS_OK : fail(err, err_size, "out of memory");
    case OPT_TRIGGER:
        if (strcmp(value, "none") == 0) {
            o->trigger_enabled = false;
            return OPTIONS_OK;
        } else {
            request_line line = { NULL, NULL };
            if (options_parse_request_line(value, &line) != 0)
                return fail(err, err_size, "--trigger: expected 'METHOD /path' or 'none', got '%s'", value);
            request_line_free(&o->trigger);
            o->trigger = line;
            o->trigger_enabled = true;
            return OPTIONS_OK;
        }
    case OPT_TRIGGER_BODY:
        return load_trigger_body(o, value, err, err_size);
    case OPT_TRIGGER_BYTES:
        if (parse_long(value, 0, 256L * 1024 * 1024, &o->trigger_bytes) != 0)
            return fail(err, err_size, "--trigger-bytes: expected 0..268435456, got '%s'", value);
        return OPTIONS_OK;
    case OPT_TRIGGER_HEADER:
        if (!options_header_is_valid(value))
            return fail(err, err_size, "--trigger-header: expected 'Name: value', got '%s'", value);
        return string_list_add(&o->trigger_headers, value) == 0 ? OPTIONS_OK : fail(err, err_size, "out of memory");
    case OPT_TRIGGER_TIMEOUT_MS:
        if (parse_long(value, 1, 3600000, &o->trigger_timeout_ms) != 0)
            return fail(err, err_size, "--trigger-timeout-ms: expected 1..3600000, got '%s'", value);
        return OPTIONS_OK;
    case OPT_FLOOD:
        if (parse_long(value, 1, 100000, &o->flood) != 0)
            return fail(err, err_size, "--flood: expected 1..100000, got '%s'", value);
        return OPTIONS_OK;
    case OPT_PROBE:
        return add_probe(o, probes_given, value, err, err_size);
    case OPT_COLLECT:
        return add_collect(o, value, err, err_size);
    case OPT_HEADER:
        if (!options_header_is_valid(value))
            return fail(err, err_size, "--header: expected 'Name: value', got '%s'", value);
        return string_list_add(&o->headers, value) == 0 ? OPTIONS_OK : fail(err, err_size, "out of memory");
    case OPT_ROUNDS:
        if (parse_long(value, 1, 1000, &o->rounds) != 0)
            return fail(err, err_size, "--rounds: expected 1..1000, got '%s'", value);
        return OPTIONS_OK;
    case OPT_DEADLINE_MS:
        if (parse_long(value, 1, 3600000, &o->deadline_ms) != 0)
            return fail(err, err_size, "--deadline-ms: expected 1..3600000, got '%s'", value);
        return OPTIONS_OK;
    case OPT_EXPECT:
        if (strcmp(value, "responsive") == 0)
            o->expect = EXPECT_RESPONSIVE;
        else if (strcmp(value, "stalled") == 0)
            o->expect = EXPECT_STALLED;
        else
            return fail(err, err_size, "--expect: expected responsive or stalled, got '%s'", value);
        return OPTIONS_OK;
    case OPT_KILL_GRACE_MS:
        if (parse_long(value, 0, 600000, &o->kill_grace_ms) != 0)
            return fail(err, err_size, "--kill-grace-ms: expected 0..600000, got '%s'", value);
        return OPTIONS_OK;
    case OPT_TIMEOUT:
        if (parse_long(value, 1, 86400, &o->timeout_s) != 0)
            return fail(err, err_size, "--timeout: expected 1..86400 seconds, got '%s'", value);
        return OPTIONS_OK;
    case OPT_SETTLE_MS:
        if (parse_long(value, 0, 600000, &o->settle_ms) != 0)
            return fail(err, err_size, "--settle-ms: expected 0..600000, got '%s'", value);
        return OPTIONS_OK;
    case OPT_FILL_MS:
        if (parse_long(value, 0, 3600000, &o->fill_ms) != 0)
            return fail(err, err_size, "--fill-ms: expected 0..3600000, got '%s'", value);
        return OPTIONS_OK;
    case OPT_JSON:
        if (!*value)
            return fail(err, err_size, "--json: empty file name");
        return replace_string(&o->json_path, value) == 0 ? OPTIONS_OK : fail(err, err_size, "out of memory");
    case OPT_JUNIT:
        if (!*value)
            return fail(err, err_size, "--junit: empty file name");
        return replace_string(&o->junit_path, value) == 0 ? OPTIONS_OK : fail(err, err_size, "out of memory");
    case OPT_SUMMARY:
        if (!*value)
            return fail(err, err_size, "--summary: empty file name");
        return replace_string(&o->summary_path, value) == 0 ? OPTIONS_OK : fail(err, err_size, "out of memory");
    case OPT_TIMELINE:
        if (!*value)
            return fail(err, err_size, "--timeline: empty file name");
        return replace_string(&o->timeline_path, value) == 0 ? OPTIONS_OK : fail(err, err_size, "out of memory");
    case OPT_SAMPLE_MS:
        if (parse_long(value, 0, 60000, &o->sample_ms) != 0)
            return fail(err, err_size, "--sample-ms: expected 0..60000, got '%s'", value);
        return OPTIONS_OK;
    case OPT_PROGRESS:
    case OPT_NO_PROGRESS:
        o->progress = true;
        o->progress_forced = spec->id == OPT_PROGRESS;
        return OPTIONS_OK;
    case OPT_ENV: {
        const char *eq = strchr(value, '=');
        if (!eq || eq == value)
            return fail(err, err_size, "--env: expected NAME=VALUE, got '%s'", value);
        return string_list_add(&o->env, value) == 0 ? OPTIONS_OK : fail(err, err_size, "out of memory");
    }
    }
    return fail(err, err_size, "internal error: unhandled option");
}

static const option_spec *find_long(const char *name, size_t len)
{
    for (size_t i = 0; i < sizeof option_table / sizeof option_table[0]; i++)
        if (strlen(option_table[i].name) == len && strncmp(option_table[i].name, name, len) == 0)
            return &option_table[i];
    return NULL;
}

static const option_spec *find_short(char c)
{
    for (size_t i = 0; i < sizeof option_table / sizeof option_table[0]; i++)
        if (option_table[i].short_name == c)
            return &option_table[i];
    return NULL;
}

static int add_default_probes(stall_options *o, char *err, size_t err_size)
{
    static const char *const defaults[] = { "GET /v1/models", "GET /api/admin/user-credentials" };
    bool given = true; /* append, do not replace */
    for (size_t i = 0; i < sizeof defaults / sizeof defaults[0]; i++) {
        int rc = add_probe(o, &given, defaults[i], err, err_size);
        if (rc != OPTIONS_OK)
            return rc;
    }
    return OPTIONS_OK;
}

int options_parse(stall_options *o, int argc, char **argv, FILE *out, char *err, size_t err_size)
{
    if (!o->host || !o->ready_path || !o->reader_spec || !o->trigger.method || !o->trigger.path)
        return fail(err, err_size, "out of memory");
    bool probes_given = false;
    int i = 1;
    for (; i < argc; i++) {
        const char *arg = argv[i];
        if (strcmp(arg, "--") == 0) {
            i++;
            break;
        }
        if (arg[0] != '-' || arg[1] == '\0')
            break; /* the command starts here */

        const option_spec *spec = NULL;
        const char *value = NULL;
        if (arg[1] == '-') {
            const char *name = arg + 2;
            const char *eq = strchr(name, '=');
            size_t len = eq ? (size_t)(eq - name) : strlen(name);
            spec = find_long(name, len);
            if (!spec)
                return fail(err, err_size, "unknown option '%.*s' (see --help)", (int)(len + 2), arg);
            if (eq && !spec->takes_value)
                return fail(err, err_size, "option '--%s' takes no value", spec->name);
            if (eq)
                value = eq + 1;
        } else {
            spec = find_short(arg[1]);
            if (!spec)
                return fail(err, err_size, "unknown option '-%c' (see --help)", arg[1]);
            if (arg[2] != '\0') {
                if (!spec->takes_value)
                    return fail(err, err_size, "option '-%c' takes no value", arg[1]);
                value = arg + 2;
            }
        }
        if (spec->takes_value && !value) {
            if (i + 1 >= argc)
                return fail(err, err_size, "option '--%s' needs a value", spec->name);
            value = argv[++i];
        }
        int rc = apply_option(o, spec, value, &probes_given, out, err, err_size);
        if (rc != OPTIONS_OK)
            return rc;
    }
    if (i >= argc)
        return fail(err, err_size, "no command given: stallcheck [OPTIONS] -- COMMAND [ARG...]");
    o->command = argv + i;
    o->command_count = argc - i;
    if (!probes_given) {
        int rc = add_default_probes(o, err, err_size);
        if (rc != OPTIONS_OK)
            return rc;
    }
    return OPTIONS_OK;
}
