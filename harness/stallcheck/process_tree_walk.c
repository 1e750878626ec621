/* process_tree_walk.c: the descendants of a process in a table of every process, by parent
 * links, breadth first; the part of process_tree.h that does not depend on how the table is
 * read (/proc on Linux, libproc on macOS). */
#include "process_tree.h"

#include <stdlib.h>

long process_tree_walk(const process_entry *all, size_t count, pid_t root, process_entry *out,
                       size_t max)
{
    /* queue[head..tail): pids whose children are still to be collected */
    int *queue = malloc((count + 1) * sizeof *queue);
    if (!queue)
        return -1;
    long found = 0;
    size_t head = 0, tail = 0;
    queue[tail++] = (int)root;
    while (head < tail) {
        int parent = queue[head++];
        for (size_t i = 0; i < count; i++) {
            if (all[i].ppid != parent || all[i].pid == (int)root || all[i].pid == parent)
                continue;
            if (tail <= count)
                queue[tail++] = all[i].pid;
            if ((size_t)found < max)
                out[found] = all[i];
            found++;
        }
    }
    free(queue);
    return found;
}
