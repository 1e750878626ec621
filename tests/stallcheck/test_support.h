/* test_support.h: helpers for stallcheck's integration tests.
 *
 * Each integration test runs stallcheck as a child process (never in-process: the thing under
 * test spawns, kills and reaps), bounded by a timeout of its own so that a hang fails the test
 * instead of hanging CI, then asserts on the exit status, the captured output and the --json
 * document (read with cJSON). Checks record a failure and carry on, so one run reports every
 * broken expectation at once. */
#ifndef STALLCHECK_TEST_SUPPORT_H
#define STALLCHECK_TEST_SUPPORT_H

#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* The return code ctest treats as "skipped" (SKIP_RETURN_CODE). */
#define TEST_SKIPPED 77

typedef struct test_paths {
    const char *stallcheck;   /* the binary under test */
    const char *server;       /* stall-test-server */
    const char *servers_dir;  /* the Python/Go servers' sources */
    const char *work_dir;     /* where outputs go */
} test_paths;

typedef struct test_context {
    const test_paths *paths;
    const char *name;
    int failures;
} test_context;

typedef struct command_outcome {
    bool finished;            /* false: killed after the timeout */
    int exit_code;            /* -1 when killed by a signal */
    int64_t elapsed_ms;
    char *out;                /* captured stdout (owned) */
    char *err;                /* captured stderr (owned) */
} command_outcome;

/* Runs argv (NULL-terminated) with stdout/stderr captured, SIGKILLed after timeout_ms. */
void test_run(test_context *t, char *const argv[], long timeout_ms, command_outcome *out);
void test_outcome_free(command_outcome *out);

/* A path in the work dir for this test: "<work>/<test>-<suffix>". Owned by a static ring. */
const char *test_work_file(test_context *t, const char *suffix);
/* Loads a JSON file (NULL and a failure recorded when missing or invalid). */
cJSON *test_load_json(test_context *t, const char *path);
/* Follows a dotted path ("pipe.pending", "child.exit_code"). NULL when absent. */
const cJSON *test_json_at(const cJSON *root, const char *dotted);
/* Reads the pids written by the test server's --pid-file (up to max). */
size_t test_read_pids(const char *path, pid_t *pids, size_t max);
/* True when no process with this pid exists (not even a zombie). */
bool test_pid_is_gone(pid_t pid);
/* Waits up to timeout_ms for test_pid_is_gone. Where stallcheck has no child subreaper (macOS,
 * the portable build) a process it killed after its parent died is reaped by init or launchd,
 * a moment later: its zombie is not a survivor. */
bool test_wait_pid_gone(pid_t pid, long timeout_ms);
/* Finds a program on PATH. */
bool test_have_program(const char *name);

void test_fail(test_context *t, const char *file, int line, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

#define CHECK(t, cond, ...)                                   \
    do {                                                      \
        if (!(cond))                                          \
            test_fail((t), __FILE__, __LINE__, __VA_ARGS__);  \
    } while (0)

/* Assertions on JSON fields; each records a failure with the actual value. */
void check_json_string(test_context *t, const cJSON *root, const char *dotted, const char *expected,
                       const char *file, int line);
void check_json_bool(test_context *t, const cJSON *root, const char *dotted, bool expected,
                     const char *file, int line);
/* The number at dotted, or def (and a failure) when it is not a number. */
double json_number(test_context *t, const cJSON *root, const char *dotted, double def,
                   const char *file, int line);

#define CHECK_JSON_STRING(t, root, path, expected) check_json_string((t), (root), (path), (expected), __FILE__, __LINE__)
#define CHECK_JSON_BOOL(t, root, path, expected) check_json_bool((t), (root), (path), (expected), __FILE__, __LINE__)
#define JSON_NUMBER(t, root, path) json_number((t), (root), (path), -1, __FILE__, __LINE__)

#endif
