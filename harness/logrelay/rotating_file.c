/* rotating_file.c: open, size tracking and FILE.N renaming for --output; see the header. */
#include "rotating_file.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

static int open_for_append(const char *path, uint64_t *size_out)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    if (fd < 0)
        return -1;
    struct stat st;
    *size_out = fstat(fd, &st) == 0 && st.st_size > 0 ? (uint64_t)st.st_size : 0;
    return fd;
}

int rotating_file_open(struct rotating_file *f, const char *path, uint64_t max_bytes,
                       unsigned keep)
{
    *f = (struct rotating_file){.path = path, .fd = -1, .max_bytes = max_bytes, .keep = keep};
    f->fd = open_for_append(path, &f->size);
    return f->fd < 0 ? -1 : 0;
}

void rotating_file_close(struct rotating_file *f)
{
    if (f->fd >= 0)
        close(f->fd);
    f->fd = -1;
}

uint64_t rotating_file_room(const struct rotating_file *f)
{
    if (f->max_bytes == 0)
        return UINT64_MAX;
    return f->size >= f->max_bytes ? 0 : f->max_bytes - f->size;
}

/* Writes "path.n" (or path itself for n == 0) into out. Returns 0, or -1 if it does not fit. */
static int numbered_name(char *out, size_t out_size, const char *path, unsigned n)
{
    int len = n == 0 ? snprintf(out, out_size, "%s", path)
                     : snprintf(out, out_size, "%s.%u", path, n);
    return len < 0 || (size_t)len >= out_size ? -1 : 0;
}

int rotating_file_rotate(struct rotating_file *f)
{
    char from[4096], to[4096];
    if (numbered_name(to, sizeof to, f->path, f->keep) != 0) {
        errno = ENAMETOOLONG;
        return -1;
    }
    if (unlink(to) != 0 && errno != ENOENT)
        return -1;
    /* Shift the kept files up by one, oldest first; with keep == 0 FILE itself is removed. */
    for (unsigned n = f->keep; n > 0; n--) {
        if (numbered_name(from, sizeof from, f->path, n - 1) != 0 ||
            numbered_name(to, sizeof to, f->path, n) != 0) {
            errno = ENAMETOOLONG;
            return -1;
        }
        if (rename(from, to) != 0 && errno != ENOENT)
            return -1;
    }
    uint64_t size = 0;
    int fd = open_for_append(f->path, &size);
    if (fd < 0)
        return -1;
    close(f->fd);
    f->fd = fd;
    f->size = size;
    return 0;
}

void rotating_file_note_written(struct rotating_file *f, size_t n)
{
    f->size += n;
}
