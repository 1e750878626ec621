/* file_sig.h: what tells that a file changed on disk without reading it: device, inode, size
 * and modification time. An atomic save (write a temporary, rename it over) gives a new inode;
 * an in-place edit changes the size or the time (two same-size edits within
 * one second are told apart only where struct stat has nanoseconds, KIRO_HAVE_STAT_MTIM; the
 * inode can be reused by the next file, so a replacement of the same size within the same
 * second is missed elsewhere). Used by the credentials file watch. */
#ifndef KIRO_UTIL_FILE_SIG_H
#define KIRO_UTIL_FILE_SIG_H

#include <stdint.h>

typedef struct file_sig {
    int exists;
    uint64_t dev, ino, size;
    int64_t mtime_s;
    int64_t mtime_ns; /* 0 where the platform has no nanoseconds */
} file_sig;

/* Fills sig for path (exists = 0 when it cannot be stat'ed). */
void file_sig_read(const char *path, file_sig *sig);
/* 1 when both describe the same file content as far as a stat can tell. */
int file_sig_equal(const file_sig *a, const file_sig *b);

#endif
