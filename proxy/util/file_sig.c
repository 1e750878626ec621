/* file_sig.c: stat-based change detection; see file_sig.h. */
#include "util/file_sig.h"

#include <string.h>
#include <sys/stat.h>

#include "platform/platform.h"

void file_sig_read(const char *path, file_sig *sig)
{
    memset(sig, 0, sizeof *sig);
    struct stat st;
    if (!path || stat(path, &st) != 0)
        return;
    sig->exists = 1;
    sig->dev = (uint64_t)st.st_dev;
    sig->ino = (uint64_t)st.st_ino;
    sig->size = (uint64_t)st.st_size;
    sig->mtime_s = (int64_t)st.st_mtime;
#if KIRO_HAVE_STAT_MTIM
    sig->mtime_ns = (int64_t)st.st_mtim.tv_nsec;
#endif
}

int file_sig_equal(const file_sig *a, const file_sig *b)
{
    if (!a->exists || !b->exists)
        return a->exists == b->exists;
    return a->dev == b->dev && a->ino == b->ino && a->size == b->size && a->mtime_s == b->mtime_s &&
           a->mtime_ns == b->mtime_ns;
}
