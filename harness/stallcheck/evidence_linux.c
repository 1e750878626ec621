/* evidence_linux.c: thread evidence from /proc (Linux); see evidence.h.
 *
 * For each look, the processes of the child's group are found by scanning /proc/N/stat for the
 * group id (a launcher script, `go run` or a forking server keeps its real threads in a child
 * process) and, when a root is given, by following parent links from it (a descendant that left
 * the group: a daemon, a helper in its own session), then every /proc/PID/task/TID is read: comm, the state letter from stat, wchan and
 * syscall. For a write/writev, /proc/PID/fd/FD is resolved and compared with the log pipe's
 * inode. Unreadable files (ptrace access checks) are reported as "no permission", never guessed. */
#include "evidence.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "process_tree.h"
#include "util/clock.h"

#define MAX_GROUP_PROCESSES 64

/* Everything known about one thread across the looks, with the latest look per role. */
typedef struct thread_track {
    int pid;
    int tid;
    int role_counts[ROLE_COUNT];
    thread_evidence latest[ROLE_COUNT];
} thread_track;

typedef struct track_set {
    thread_track *items;
    size_t count;
    size_t alloc;
} track_set;

/* Reads a small /proc file into buf (NUL-terminated). Returns bytes, or -1 with errno set. */
static ssize_t read_small_file(const char *path, char *buf, size_t size)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    ssize_t n;
    do {
        n = read(fd, buf, size - 1);
    } while (n < 0 && errno == EINTR);
    int saved = errno;
    close(fd);
    if (n < 0) {
        errno = saved;
        return -1;
    }
    buf[n] = '\0';
    return n;
}

/* Copies src into dst (size bytes), cutting it if needed. */
static void copy_text(char *dst, size_t size, const char *src)
{
    size_t len = strlen(src);
    if (len >= size)
        len = size - 1;
    memcpy(dst, src, len);
    dst[len] = '\0';
}

static void strip_newline(char *s)
{
    size_t len = strlen(s);
    while (len > 0 && (s[len - 1] == '\n' || s[len - 1] == ' '))
        s[--len] = '\0';
}

/* Parses "PID (comm) S PPID PGRP ...": comm may hold spaces and parentheses, so parsing starts
 * after the last ')'. */
static int parse_stat(const char *text, char *state, long *pgrp)
{
    const char *close_paren = strrchr(text, ')');
    if (!close_paren)
        return -1;
    char st = 0;
    long ppid = 0, group = 0;
    if (sscanf(close_paren + 1, " %c %ld %ld", &st, &ppid, &group) != 3)
        return -1;
    *state = st;
    *pgrp = group;
    return 0;
}

static bool is_number(const char *s)
{
    if (!*s)
        return false;
    for (; *s; s++)
        if (!isdigit((unsigned char)*s))
            return false;
    return true;
}

static bool listed(const int *pids, size_t n, int pid)
{
    for (size_t i = 0; i < n; i++)
        if (pids[i] == pid)
            return true;
    return false;
}

/* The live (non-zombie) processes of the group, the leader first when it is alive, then the
 * descendants of root that are outside the group. */
static size_t list_group(const evidence_request *req, int *out, size_t max)
{
    pid_t pgid = req->pgid, leader = req->pid;
    size_t n = 0;
    char path[64], text[1024];
    char state = 0;
    long group = 0;
    snprintf(path, sizeof path, "/proc/%d/stat", (int)leader);
    if (read_small_file(path, text, sizeof text) > 0 && parse_stat(text, &state, &group) == 0 &&
        state != 'Z')
        out[n++] = (int)leader;

    DIR *dir = opendir("/proc");
    if (!dir)
        return n;
    struct dirent *entry;
    while ((entry = readdir(dir)) != NULL && n < max) {
        if (!is_number(entry->d_name))
            continue;
        int pid = atoi(entry->d_name);
        if (pid == (int)leader)
            continue;
        snprintf(path, sizeof path, "/proc/%d/stat", pid);
        if (read_small_file(path, text, sizeof text) <= 0 || parse_stat(text, &state, &group) != 0)
            continue;
        if (group == (long)pgid && state != 'Z')
            out[n++] = pid;
    }
    closedir(dir);
    if (req->root > 0 && n < max) {
        process_entry tree[MAX_GROUP_PROCESSES];
        long found = process_tree_descendants(req->root, tree, MAX_GROUP_PROCESSES);
        for (long i = 0; i < found && i < MAX_GROUP_PROCESSES && n < max; i++)
            if (!listed(out, n, tree[i].pid))
                out[n++] = tree[i].pid;
    }
    return n;
}

static thread_track *find_or_add(track_set *set, int pid, int tid)
{
    for (size_t i = 0; i < set->count; i++)
        if (set->items[i].tid == tid && set->items[i].pid == pid)
            return &set->items[i];
    if (set->count == set->alloc) {
        size_t alloc = set->alloc ? set->alloc * 2 : 32;
        thread_track *items = realloc(set->items, alloc * sizeof *items);
        if (!items)
            return NULL;
        set->items = items;
        set->alloc = alloc;
    }
    thread_track *t = &set->items[set->count++];
    memset(t, 0, sizeof *t);
    t->pid = pid;
    t->tid = tid;
    return t;
}

static bool target_is_log_pipe(const char *target, const evidence_request *req)
{
    for (size_t i = 0; i < req->log_pipe_inode_count; i++) {
        char expected[64];
        snprintf(expected, sizeof expected, "pipe:[%llu]", req->log_pipe_inodes[i]);
        if (strcmp(target, expected) == 0)
            return true;
    }
    return false;
}

static void look_at_thread(const evidence_request *req, syscall_arch arch, int pid, int tid,
                           thread_track *track, bool *denied)
{
    char base[64], path[128], text[512];
    snprintf(base, sizeof base, "/proc/%d/task/%d", pid, tid);

    thread_evidence ev;
    memset(&ev, 0, sizeof ev);
    ev.pid = pid;
    ev.tid = tid;
    ev.syscall_nr = -1;
    ev.fd = -1;

    snprintf(path, sizeof path, "%s/comm", base);
    if (read_small_file(path, text, sizeof text) < 0)
        return; /* the thread is gone */
    strip_newline(text);
    copy_text(ev.name, sizeof ev.name, text);

    snprintf(path, sizeof path, "%s/stat", base);
    char state = '?';
    long group = 0;
    if (read_small_file(path, text, sizeof text) > 0)
        (void)parse_stat(text, &state, &group);
    ev.state[0] = state;
    ev.state[1] = '\0';

    snprintf(path, sizeof path, "%s/wchan", base);
    if (read_small_file(path, text, sizeof text) >= 0) {
        strip_newline(text);
        copy_text(ev.wchan, sizeof ev.wchan, text);
    }

    thread_sample sample;
    memset(&sample, 0, sizeof sample);
    sample.fd = -1;
    snprintf(path, sizeof path, "%s/syscall", base);
    bool readable = read_small_file(path, text, sizeof text) >= 0;
    if (!readable && (errno == EACCES || errno == EPERM))
        *denied = true;
    if (!readable || syscall_parse(text, &sample.syscall) != 0) {
        memset(&sample.syscall, 0, sizeof sample.syscall);
        sample.syscall.state = SYSCALL_STATE_UNREADABLE;
        sample.syscall.nr = -1;
    }
    if (sample.syscall.state == SYSCALL_STATE_IN_SYSCALL) {
        ev.syscall_nr = sample.syscall.nr;
        if (syscall_is_futex(arch, sample.syscall.nr))
            ev.wait_address = sample.syscall.args[0];
        if (syscall_is_write(arch, sample.syscall.nr)) {
            sample.fd = (long)sample.syscall.args[0];
            ev.fd = sample.fd;
            char link[64];
            snprintf(path, sizeof path, "/proc/%d/fd/%ld", pid, sample.fd);
            ssize_t len = readlink(path, link, sizeof link - 1);
            if (len > 0) {
                link[len] = '\0';
                copy_text(ev.fd_target, sizeof ev.fd_target, link);
                sample.fd_known = true;
                sample.fd_is_log_pipe = target_is_log_pipe(link, req);
                ev.on_log_pipe = sample.fd_is_log_pipe;
            }
        }
    }
    syscall_render(arch, &sample.syscall, ev.syscall, sizeof ev.syscall);
    sample.wchan = ev.wchan;
    ev.role = thread_role_classify(arch, &sample);
    if (ev.role == ROLE_LOG_WRITER && !sample.fd_known)
        ev.on_log_pipe = true; /* inferred from fd 1/2 or wchan: the only pipe the child was given */

    track->role_counts[ev.role]++;
    track->latest[ev.role] = ev;
}

static void look_once(const evidence_request *req, syscall_arch arch, track_set *set,
                      int *processes, bool *denied)
{
    int pids[MAX_GROUP_PROCESSES];
    size_t count = list_group(req, pids, MAX_GROUP_PROCESSES);
    if ((int)count > *processes)
        *processes = (int)count;
    for (size_t i = 0; i < count; i++) {
        char path[64];
        snprintf(path, sizeof path, "/proc/%d/task", pids[i]);
        DIR *dir = opendir(path);
        if (!dir)
            continue;
        struct dirent *entry;
        while ((entry = readdir(dir)) != NULL) {
            if (!is_number(entry->d_name))
                continue;
            int tid = atoi(entry->d_name);
            thread_track *track = find_or_add(set, pids[i], tid);
            if (track)
                look_at_thread(req, arch, pids[i], tid, track, denied);
        }
        closedir(dir);
    }
}


bool evidence_baseline_is_cheap(void)
{
    return true;
}

void evidence_collect(const evidence_request *req, evidence *out)
{
    memset(out, 0, sizeof *out);
    out->source = "proc";
    syscall_arch arch = syscall_native_arch();
    track_set set = { NULL, 0, 0 };
    bool denied = false;
    int samples = req->samples > 0 ? req->samples : 1;
    for (int s = 0; s < samples; s++) {
        if (s > 0)
            sleep_ms(req->interval_ms); /* spacing between looks, not synchronisation */
        look_once(req, arch, &set, &out->processes, &denied);
        out->samples_taken++;
    }

    if (set.count > 0)
        out->threads = calloc(set.count, sizeof *out->threads);
    for (size_t i = 0; i < set.count && out->threads; i++) {
        thread_track *t = &set.items[i];
        int seen = 0;
        for (int r = 0; r < ROLE_COUNT; r++)
            seen += t->role_counts[r];
        if (seen == 0)
            continue; /* vanished before the first complete look */
        thread_role role = thread_role_merge(t->role_counts);
        thread_evidence *ev = &out->threads[out->count++];
        *ev = t->latest[role];
        ev->role = role;
        ev->samples = seen;
    }
    free(set.items);

    if (arch == SYSCALL_ARCH_OTHER)
        snprintf(out->note, sizeof out->note,
                 "syscall numbers are not decoded on this architecture; roles come from wchan");
    if (denied)
        snprintf(out->note, sizeof out->note,
                 "some /proc syscall files were not readable (ptrace access mode): roles of those "
                 "threads come from wchan only");
    if (out->count == 0 && !out->note[0])
        snprintf(out->note, sizeof out->note, "no thread of the child's process group was visible");
    evidence_tally(out);
}
