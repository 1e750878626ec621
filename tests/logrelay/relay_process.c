/* relay_process.c: spawn, bounded waits and the watchdog for the logrelay process tests. */
#include "relay_process.h"

#include <cjson/cJSON.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "proc.h"
#include "util/clock.h"

enum { MAX_SPAWNED = 16 };

/* Registry of spawned processes for the watchdog; reset by relay_kill_all. */
static pid_t spawned[MAX_SPAWNED];
static int spawned_count;

static void fail(const char *what)
{
    fprintf(stderr, "relay test helper: %s: %s\n", what, strerror(errno));
    relay_kill_all();
    exit(1);
}

static void on_watchdog(int sig)
{
    (void)sig;
    static const char msg[] = "relay test: WATCHDOG fired: a wait did not end; killing\n";
    ssize_t ignored = write(STDERR_FILENO, msg, sizeof msg - 1);
    (void)ignored;
    for (int i = 0; i < spawned_count; i++)
        kill(spawned[i], SIGKILL);
    _exit(1);
}

void relay_watchdog_start(unsigned seconds)
{
    signal(SIGALRM, on_watchdog);
    alarm(seconds);
}

void relay_kill_all(void)
{
    for (int i = 0; i < spawned_count; i++) {
        kill(spawned[i], SIGKILL);
        waitpid(spawned[i], NULL, 0); /* SIGKILL cannot be ignored: this returns */
    }
    spawned_count = 0;
}

static void forget(pid_t pid)
{
    for (int i = 0; i < spawned_count; i++)
        if (spawned[i] == pid)
            spawned[i] = spawned[--spawned_count];
}

void relay_pipe(int fds[2])
{
    if (pipe(fds) != 0)
        fail("pipe");
    for (int i = 0; i < 2; i++)
        fcntl(fds[i], F_SETFD, FD_CLOEXEC);
}

pid_t relay_spawn(const char *const relay_args[], const char *const child_args[], int stdin_fd,
                  int stdout_fd, int stderr_fd, int notify_fd)
{
    const char *argv[64];
    int n = 0;
    argv[n++] = LOGRELAY_PATH;
    for (int i = 0; relay_args && relay_args[i] && n < 40; i++)
        argv[n++] = relay_args[i];
    argv[n++] = "--";
    argv[n++] = RELAY_TEST_CHILD_PATH;
    for (int i = 0; child_args && child_args[i] && n < 62; i++)
        argv[n++] = child_args[i];
    argv[n] = NULL;
    if (spawned_count == MAX_SPAWNED) {
        errno = EAGAIN;
        fail("too many processes");
    }
    tp_spawn_options o = tp_spawn_defaults((char *const *)argv);
    o.stdin_fd = stdin_fd >= 0 ? stdin_fd : TP_FD_DEVNULL;
    o.stdout_fd = stdout_fd >= 0 ? stdout_fd : TP_FD_DEVNULL;
    o.stderr_fd = stderr_fd >= 0 ? stderr_fd : TP_FD_DEVNULL;
    o.fd3 = notify_fd >= 0 ? notify_fd : TP_FD_CLOSED;
    o.own_group = 0; /* signals reach logrelay as a launcher's would */
    pid_t pid = tp_spawn_with(&o);
    if (pid < 0)
        fail("fork");
    spawned[spawned_count++] = pid;
    return pid;
}

static int decode_status(int status)
{
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

int relay_wait_exit(pid_t pid, int timeout_ms)
{
    int status;
    if (tp_wait_exit(pid, timeout_ms, &status) != 0)
        return -1;
    forget(pid);
    return decode_status(status);
}

int relay_is_running(pid_t pid)
{
    int status;
    pid_t r = waitpid(pid, &status, WNOHANG);
    if (r == pid) {
        forget(pid);
        return 0;
    }
    return r == 0;
}

/* Reads what is there within the time left. Returns bytes read, 0 at EOF, -1 on timeout. */
static ssize_t read_some(int fd, kbuf *out, int64_t deadline)
{
    char chunk[65536];
    for (;;) {
        int64_t left = deadline - clock_monotonic_ms();
        if (left <= 0)
            return -1;
        struct pollfd p = {.fd = fd, .events = POLLIN};
        int ready = poll(&p, 1, (int)left);
        if (ready < 0 && errno == EINTR)
            continue;
        if (ready <= 0)
            return -1;
        ssize_t n = read(fd, chunk, sizeof chunk);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return 0;
        if (n > 0 && kbuf_append(out, chunk, (size_t)n) != KBUF_OK)
            fail("output larger than the test's buffer");
        return n;
    }
}

int relay_read_until(int fd, kbuf *out, const char *needle, int timeout_ms)
{
    int64_t deadline = clock_monotonic_ms() + timeout_ms;
    for (;;) {
        if (out->data && strstr(out->data, needle))
            return 1;
        if (read_some(fd, out, deadline) <= 0)
            return 0;
    }
}

int relay_read_to_eof(int fd, kbuf *out, int timeout_ms)
{
    int64_t deadline = clock_monotonic_ms() + timeout_ms;
    for (;;) {
        ssize_t n = read_some(fd, out, deadline);
        if (n == 0)
            return 1;
        if (n < 0)
            return 0;
    }
}

static uint64_t counter(const cJSON *object, const char *name)
{
    const cJSON *item = cJSON_GetObjectItemCaseSensitive(object, name);
    return cJSON_IsNumber(item) ? (uint64_t)item->valuedouble : UINT64_MAX;
}

int relay_load_stats(const char *path, struct relay_stats *stats)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return -1;
    kbuf text = KBUF_INIT(1 << 20);
    char chunk[4096];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
        kbuf_append(&text, chunk, n);
    fclose(f);
    cJSON *root = text.data ? cJSON_Parse(text.data) : NULL;
    kbuf_free(&text);
    if (!root)
        return -1;
    const char *names[RELAY_STREAMS] = {"stdout", "stderr"};
    for (int s = 0; s < RELAY_STREAMS; s++) {
        const cJSON *o = cJSON_GetObjectItemCaseSensitive(root, names[s]);
        struct stream_counters *c = &stats->stream[s];
        c->received_lines = counter(o, "received_lines");
        c->received_bytes = counter(o, "received_bytes");
        c->forwarded_lines = counter(o, "forwarded_lines");
        c->forwarded_bytes = counter(o, "forwarded_bytes");
        c->dropped_lines = counter(o, "dropped_lines");
        c->dropped_bytes = counter(o, "dropped_bytes");
        c->split_lines = counter(o, "split_lines");
    }
    stats->gap_markers = counter(root, "gap_markers");
    stats->rotations = counter(root, "rotations");
    stats->child_exit_status = (int)counter(root, "child_exit_status");
    cJSON_Delete(root);
    return 0;
}

void relay_temp_dir(char *dir, size_t dir_size)
{
    const char *base = getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";
    snprintf(dir, dir_size, "%s/logrelay-test-XXXXXX", base);
    if (!mkdtemp(dir))
        fail("mkdtemp");
}

void relay_remove_temp_dir(const char *dir)
{
    DIR *d = opendir(dir);
    if (d) {
        struct dirent *e;
        char path[1024];
        while ((e = readdir(d)) != NULL) {
            if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
                continue;
            snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
            unlink(path);
        }
        closedir(d);
    }
    rmdir(dir);
}
