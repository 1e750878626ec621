/* process_tree_linux.c: descendants from /proc (Linux); see process_tree.h.
 *
 * One pass reads pid, state, ppid, pgrp and session from every /proc/N/stat, then the
 * descendants of root are collected breadth first by parent link. */
#include "process_tree.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Upper bound of processes looked at in one pass: far above what a test machine runs. */
#define MAX_PROCESSES 65536

static int read_stat(int pid, process_entry *out, char *state)
{
    char path[64], text[1024];
    snprintf(path, sizeof path, "/proc/%d/stat", pid);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    ssize_t n;
    do {
        n = read(fd, text, sizeof text - 1);
    } while (n < 0 && errno == EINTR);
    close(fd);
    if (n <= 0)
        return -1;
    text[n] = '\0';
    /* "PID (comm) S PPID PGRP SESSION ...": comm may hold spaces and parentheses */
    const char *open_paren = strchr(text, '(');
    const char *close_paren = strrchr(text, ')');
    if (!open_paren || !close_paren || close_paren < open_paren)
        return -1;
    int ppid = 0, pgrp = 0, session = 0;
    char st = 0;
    if (sscanf(close_paren + 1, " %c %d %d %d", &st, &ppid, &pgrp, &session) != 4)
        return -1;
    memset(out, 0, sizeof *out);
    out->pid = pid;
    out->ppid = ppid;
    out->pgid = pgrp;
    out->sid = session;
    size_t len = (size_t)(close_paren - open_paren - 1);
    if (len >= sizeof out->name)
        len = sizeof out->name - 1;
    memcpy(out->name, open_paren + 1, len);
    out->name[len] = '\0';
    *state = st;
    return 0;
}

int process_tree_read(pid_t pid, process_entry *out)
{
    char state = 0;
    if (read_stat((int)pid, out, &state) != 0 || state == 'Z' || state == 'X')
        return -1;
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

long process_tree_descendants(pid_t root, process_entry *out, size_t max)
{
    DIR *dir = opendir("/proc");
    if (!dir)
        return -1;
    size_t alloc = 1024, count = 0;
    process_entry *all = malloc(alloc * sizeof *all);
    struct dirent *entry;
    while (all && (entry = readdir(dir)) != NULL && count < MAX_PROCESSES) {
        if (!is_number(entry->d_name))
            continue;
        if (count == alloc) {
            process_entry *grown = realloc(all, 2 * alloc * sizeof *all);
            if (!grown)
                break;
            all = grown;
            alloc *= 2;
        }
        char state = 0;
        if (read_stat(atoi(entry->d_name), &all[count], &state) == 0 && state != 'Z' &&
            state != 'X')
            count++;
    }
    closedir(dir);
    if (!all)
        return -1;

    long found = process_tree_walk(all, count, root, out, max);
    free(all);
    return found;
}
