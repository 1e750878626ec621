/* process_tree_other.c: descendants where there is no /proc; see process_tree.h.
 *
 * macOS: libproc lists every pid and PROC_PIDTBSDINFO gives each one's parent and group; the
 * session comes from getsid(). macOS has no child subreaper, so an orphaned descendant is
 * re-parented to launchd and drops out of this tree: callers scan during the run and keep what
 * they saw (best effort). Other systems: not supported (-1), the process group still applies. */
#include "process_tree.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#if defined(__APPLE__)
#include <libproc.h>
#include <sys/proc_info.h>

static int read_info(pid_t pid, process_entry *out)
{
    struct proc_bsdinfo info;
    int n = proc_pidinfo(pid, PROC_PIDTBSDINFO, 0, &info, (int)sizeof info);
    if (n != (int)sizeof info || info.pbi_status == SZOMB)
        return -1;
    memset(out, 0, sizeof *out);
    out->pid = (int)pid;
    out->ppid = (int)info.pbi_ppid;
    out->pgid = (int)info.pbi_pgid;
    pid_t sid = getsid(pid);
    out->sid = sid > 0 ? (int)sid : -1;
    snprintf(out->name, sizeof out->name, "%s", info.pbi_comm);
    return 0;
}

int process_tree_read(pid_t pid, process_entry *out)
{
    return read_info(pid, out);
}

long process_tree_descendants(pid_t root, process_entry *out, size_t max)
{
    int bytes = proc_listallpids(NULL, 0);
    if (bytes <= 0)
        return -1;
    size_t slots = (size_t)bytes / sizeof(pid_t) + 64;
    pid_t *pids = calloc(slots, sizeof *pids);
    process_entry *all = calloc(slots, sizeof *all);
    if (!pids || !all) {
        free(pids);
        free(all);
        return -1;
    }
    int listed = proc_listallpids(pids, (int)(slots * sizeof *pids));
    size_t count = 0;
    for (int i = 0; i < listed && count < slots; i++)
        if (pids[i] > 0 && read_info(pids[i], &all[count]) == 0)
            count++;
    long found = process_tree_walk(all, count, root, out, max);
    free(pids);
    free(all);
    return found;
}

#else

int process_tree_read(pid_t pid, process_entry *out)
{
    (void)pid;
    (void)out;
    return -1;
}

long process_tree_descendants(pid_t root, process_entry *out, size_t max)
{
    (void)root;
    (void)out;
    (void)max;
    return -1;
}

#endif
