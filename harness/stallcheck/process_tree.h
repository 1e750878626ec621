/* process_tree.h: every live descendant of a process, wherever it went.
 *
 * A server under test may daemonise (fork twice and setsid) or start a helper in a session of
 * its own. Such a process leaves the child's process group, so a signal to the group misses it
 * and it outlives the run. This module lists all descendants of a process by parent links,
 * whatever their group or session, so that they can be reported and killed:
 *   process_tree_linux.c  /proc/N/stat, in the native and the portable build alike (with
 *                         stallcheck as child subreaper - native only - an orphaned descendant
 *                         is re-parented to stallcheck and stays in the tree; without one, as on
 *                         macOS, it moves to init and callers scan early and remember);
 *   process_tree_other.c  macOS: libproc (proc_listallpids + PROC_PIDTBSDINFO), best effort
 *                         (no subreaper: an orphan moves to launchd, so callers scan early and
 *                         remember); elsewhere: not supported. */
#ifndef STALLCHECK_PROCESS_TREE_H
#define STALLCHECK_PROCESS_TREE_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

typedef struct process_entry {
    int pid;
    int ppid;
    int pgid;
    int sid;
    char name[32];
} process_entry;

/* Writes up to max live (non-zombie) descendants of root (root excluded) into out, parents
 * before their children. Returns how many were found (may exceed max: only max are written),
 * or -1 where descendants cannot be listed on this system. */
long process_tree_descendants(pid_t root, process_entry *out, size_t max);
/* The walk both readers share (process_tree_walk.c): the descendants of root among
 * all[0..count), breadth first, into out as process_tree_descendants() says. -1 without
 * memory. */
long process_tree_walk(const process_entry *all, size_t count, pid_t root, process_entry *out,
                       size_t max);
/* Reads one process: 0, or -1 when it does not exist (or is a zombie) or cannot be read. */
int process_tree_read(pid_t pid, process_entry *out);

#endif
