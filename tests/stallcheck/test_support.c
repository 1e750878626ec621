/* test_support.c: process running, JSON access and checks for the integration tests; see
 * test_support.h. */
#include "test_support.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void test_fail(test_context *t, const char *file, int line, const char *fmt, ...)
{
    va_list ap;
    fprintf(stderr, "FAIL [%s] %s:%d: ", t->name, file, line);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    t->failures++;
}

static char *read_whole_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    size_t len = 0, alloc = 4096;
    char *data = malloc(alloc);
    while (data) {
        if (len + 4096 + 1 > alloc) {
            char *grown = realloc(data, alloc * 2);
            if (!grown) {
                free(data);
                data = NULL;
                break;
            }
            data = grown;
            alloc *= 2;
        }
        size_t n = fread(data + len, 1, 4096, f);
        len += n;
        if (n == 0)
            break;
    }
    fclose(f);
    if (data)
        data[len] = '\0';
    return data;
}

const char *test_work_file(test_context *t, const char *suffix)
{
    static char ring[8][1024];
    static unsigned next;
    char *slot = ring[next++ % 8];
    snprintf(slot, sizeof ring[0], "%s/%s-%s", t->paths->work_dir, t->name, suffix);
    return slot;
}

void test_run(test_context *t, char *const argv[], long timeout_ms, command_outcome *out)
{
    memset(out, 0, sizeof *out);
    out->exit_code = -1;
    char out_path[1100], err_path[1100];
    snprintf(out_path, sizeof out_path, "%s", test_work_file(t, "stdout.txt"));
    snprintf(err_path, sizeof err_path, "%s", test_work_file(t, "stderr.txt"));

    fprintf(stderr, "[%s] running:", t->name);
    for (char *const *a = argv; *a; a++)
        fprintf(stderr, " %s", *a);
    fputc('\n', stderr);

    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&actions, 1, out_path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    posix_spawn_file_actions_addopen(&actions, 2, err_path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    pid_t pid = 0;
    int64_t start = now_ms();
    int rc = posix_spawn(&pid, argv[0], &actions, NULL, argv, environ);
    posix_spawn_file_actions_destroy(&actions);
    if (rc != 0) {
        test_fail(t, __FILE__, __LINE__, "cannot start %s: %s", argv[0], strerror(rc));
        return;
    }

    int status = 0;
    for (;;) {
        pid_t r = waitpid(pid, &status, WNOHANG);
        if (r == pid) {
            out->finished = true;
            break;
        }
        if (r < 0 && errno != EINTR) {
            test_fail(t, __FILE__, __LINE__, "waitpid: %s", strerror(errno));
            break;
        }
        if (now_ms() - start > timeout_ms) {
            kill(pid, SIGKILL);
            waitpid(pid, &status, 0);
            test_fail(t, __FILE__, __LINE__, "%s did not finish within %ld ms: killed", argv[0], timeout_ms);
            break;
        }
        struct timespec pause_ts = { 0, 20 * 1000000L }; /* poll interval of a bounded wait */
        nanosleep(&pause_ts, NULL);
    }
    out->elapsed_ms = now_ms() - start;
    if (out->finished && WIFEXITED(status))
        out->exit_code = WEXITSTATUS(status);
    out->out = read_whole_file(out_path);
    out->err = read_whole_file(err_path);
    if (!out->out)
        out->out = strdup("");
    if (!out->err)
        out->err = strdup("");
    fprintf(stderr, "[%s] exit %d after %lld ms\n", t->name, out->exit_code, (long long)out->elapsed_ms);
    fprintf(stderr, "----- stdout -----\n%s----- stderr -----\n%s------------------\n", out->out, out->err);
}

void test_outcome_free(command_outcome *out)
{
    free(out->out);
    free(out->err);
    out->out = out->err = NULL;
}

cJSON *test_load_json(test_context *t, const char *path)
{
    char *text = read_whole_file(path);
    if (!text) {
        test_fail(t, __FILE__, __LINE__, "no JSON report at %s", path);
        return NULL;
    }
    cJSON *root = cJSON_Parse(text);
    free(text);
    if (!root)
        test_fail(t, __FILE__, __LINE__, "invalid JSON in %s", path);
    return root;
}

const cJSON *test_json_at(const cJSON *root, const char *dotted)
{
    char key[128];
    const cJSON *node = root;
    const char *p = dotted;
    while (node && *p) {
        const char *dot = strchr(p, '.');
        size_t len = dot ? (size_t)(dot - p) : strlen(p);
        if (len >= sizeof key)
            return NULL;
        memcpy(key, p, len);
        key[len] = '\0';
        node = cJSON_GetObjectItemCaseSensitive(node, key);
        p = dot ? dot + 1 : p + len;
    }
    return node;
}

void check_json_string(test_context *t, const cJSON *root, const char *dotted, const char *expected,
                       const char *file, int line)
{
    const cJSON *v = test_json_at(root, dotted);
    if (!cJSON_IsString(v)) {
        test_fail(t, file, line, "%s: expected \"%s\", found no string", dotted, expected);
        return;
    }
    if (strcmp(v->valuestring, expected) != 0)
        test_fail(t, file, line, "%s: expected \"%s\", got \"%s\"", dotted, expected, v->valuestring);
}

void check_json_bool(test_context *t, const cJSON *root, const char *dotted, bool expected,
                     const char *file, int line)
{
    const cJSON *v = test_json_at(root, dotted);
    if (!cJSON_IsBool(v)) {
        test_fail(t, file, line, "%s: expected %s, found no boolean", dotted, expected ? "true" : "false");
        return;
    }
    if ((bool)cJSON_IsTrue(v) != expected)
        test_fail(t, file, line, "%s: expected %s", dotted, expected ? "true" : "false");
}

double json_number(test_context *t, const cJSON *root, const char *dotted, double def,
                   const char *file, int line)
{
    const cJSON *v = test_json_at(root, dotted);
    if (!cJSON_IsNumber(v)) {
        test_fail(t, file, line, "%s: expected a number", dotted);
        return def;
    }
    return v->valuedouble;
}

size_t test_read_pids(const char *path, pid_t *pids, size_t max)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return 0;
    size_t n = 0;
    int pid = 0;
    while (n < max && fscanf(f, "%d", &pid) == 1)
        pids[n++] = (pid_t)pid;
    fclose(f);
    return n;
}

bool test_pid_is_gone(pid_t pid)
{
    return pid > 0 && kill(pid, 0) != 0 && errno == ESRCH;
}

bool test_wait_pid_gone(pid_t pid, long timeout_ms)
{
    struct timespec start, now;
    clock_gettime(CLOCK_MONOTONIC, &start);
    for (;;) {
        if (test_pid_is_gone(pid))
            return true;
        clock_gettime(CLOCK_MONOTONIC, &now);
        long elapsed = (long)(now.tv_sec - start.tv_sec) * 1000 + (now.tv_nsec - start.tv_nsec) / 1000000;
        if (pid <= 0 || elapsed >= timeout_ms)
            return false;
        struct timespec tick = { 0, 10 * 1000000L }; /* polling a condition, bounded above */
        nanosleep(&tick, NULL);
    }
}

bool test_have_program(const char *name)
{
    const char *path = getenv("PATH");
    if (!path)
        return false;
    char *copy = strdup(path);
    bool found = false;
    for (char *dir = strtok(copy, ":"); dir && !found; dir = strtok(NULL, ":")) {
        char full[1024];
        snprintf(full, sizeof full, "%s/%s", *dir ? dir : ".", name);
        found = access(full, X_OK) == 0;
    }
    free(copy);
    return found;
}
