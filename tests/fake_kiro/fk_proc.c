/* fk_proc.c: spawn, wait for and reap fake-kiro in tests; see fk_proc.h. */
#include "fk_proc.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "proc.h"
#include "util/clock.h"

#define POLL_STEP_MS 5
#define READ_FILE_MAX (1024 * 1024)

static const char *binary_path; /* set once by the test's main */

void fk_proc_set_binary(const char *path)
{
    binary_path = path;
}

const char *fk_proc_binary(void)
{
    if (binary_path)
        return binary_path;
    const char *env = getenv("FAKE_KIRO_BIN");
    return env ? env : "fake-kiro";
}

static int make_dir(fk_proc *p)
{
    snprintf(p->dir, sizeof p->dir, "/tmp/fake-kiro-test-XXXXXX");
    if (!mkdtemp(p->dir)) {
        p->dir[0] = '\0';
        return -1;
    }
    snprintf(p->port_file, sizeof p->port_file, "%s/port", p->dir);
    snprintf(p->stdout_path, sizeof p->stdout_path, "%s/stdout", p->dir);
    snprintf(p->stderr_path, sizeof p->stderr_path, "%s/stderr", p->dir);
    return 0;
}

char *fk_read_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    char *data = malloc(READ_FILE_MAX + 1);
    size_t n = data ? fread(data, 1, READ_FILE_MAX, f) : 0;
    fclose(f);
    if (data)
        data[n] = '\0';
    return data;
}

static pid_t spawn(fk_proc *p, const char *const *args, int with_port_file)
{
    const char *argv[FK_PROC_MAX_ARGS + 4];
    size_t n = 0;
    argv[n++] = fk_proc_binary();
    if (with_port_file) {
        argv[n++] = "--port-file";
        argv[n++] = p->port_file;
    }
    for (size_t i = 0; args && args[i] && n < FK_PROC_MAX_ARGS + 3; i++)
        argv[n++] = args[i];
    argv[n] = NULL;
    int out = open(p->stdout_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    int err = open(p->stderr_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    tp_spawn_options o = tp_spawn_defaults((char *const *)argv);
    o.stdin_fd = STDIN_FILENO;
    o.stdout_fd = out >= 0 ? out : TP_FD_DEVNULL;
    o.stderr_fd = err >= 0 ? err : TP_FD_DEVNULL;
    pid_t pid = tp_spawn_with(&o);
    if (out >= 0)
        close(out);
    if (err >= 0)
        close(err);
    return pid;
}

/* Reaps the child if it has exited. Returns 1 when it is gone. */
static int reaped(fk_proc *p, int *status)
{
    int st = 0;
    pid_t r = waitpid(p->pid, &st, WNOHANG);
    if (r == p->pid || (r < 0 && errno == ECHILD)) {
        if (status)
            *status = st;
        p->pid = 0;
        return 1;
    }
    return 0;
}

int fk_proc_start(fk_proc *p, const char *const *args, int timeout_ms)
{
    memset(p, 0, sizeof *p);
    if (make_dir(p) != 0)
        return -1;
    p->pid = spawn(p, args, 1);
    if (p->pid < 0) {
        p->pid = 0;
        fk_proc_stop(p);
        return -1;
    }
    int64_t deadline = clock_monotonic_ms() + timeout_ms;
    while (clock_monotonic_ms() < deadline) {
        char *text = fk_read_file(p->port_file);
        if (text) {
            p->port = (unsigned)strtoul(text, NULL, 10);
            free(text);
            snprintf(p->base_url, sizeof p->base_url, "http://127.0.0.1:%u", p->port);
            return p->port ? 0 : -1;
        }
        if (reaped(p, NULL))
            break; /* it exited before listening: a bad flag, say */
        sleep_ms(POLL_STEP_MS);
    }
    fk_proc_stop(p);
    return -1;
}

int fk_proc_signal_and_wait(fk_proc *p, int sig, int timeout_ms, int *status)
{
    if (p->pid <= 0)
        return -1;
    kill(p->pid, sig);
    int64_t deadline = clock_monotonic_ms() + timeout_ms;
    for (;;) {
        if (reaped(p, status))
            return 0;
        if (clock_monotonic_ms() >= deadline)
            return -1;
        sleep_ms(POLL_STEP_MS);
    }
}

int fk_proc_stop(fk_proc *p)
{
    int clean = 1;
    if (p->pid > 0) {
        int status = 0;
        if (fk_proc_signal_and_wait(p, SIGTERM, 5000, &status) != 0) {
            kill(p->pid, SIGKILL);
            waitpid(p->pid, NULL, 0);
            p->pid = 0;
            clean = 0;
        } else {
            clean = WIFEXITED(status) && WEXITSTATUS(status) == 0;
        }
    }
    if (!clean && p->dir[0]) {
        char *errors = fk_read_file(p->stderr_path);
        fprintf(stderr, "fake-kiro did not exit cleanly; its stderr:\n%s\n",
                errors ? errors : "");
        free(errors);
    }
    if (p->dir[0]) {
        unlink(p->port_file);
        unlink(p->stdout_path);
        unlink(p->stderr_path);
        rmdir(p->dir);
        p->dir[0] = '\0';
    }
    return clean ? 0 : -1;
}

int fk_proc_run(const char *const *args, int timeout_ms, int *status, char **out)
{
    fk_proc p;
    memset(&p, 0, sizeof p);
    *out = NULL;
    if (make_dir(&p) != 0)
        return -1;
    p.pid = spawn(&p, args, 0);
    if (p.pid < 0) {
        p.pid = 0;
        fk_proc_stop(&p);
        return -1;
    }
    int64_t deadline = clock_monotonic_ms() + timeout_ms;
    int done = 0;
    while (!(done = reaped(&p, status)) && clock_monotonic_ms() < deadline)
        sleep_ms(POLL_STEP_MS);
    if (done)
        *out = fk_read_file(p.stdout_path);
    fk_proc_stop(&p);
    return done && *out ? 0 : -1;
}
