/* atomic_file.c: crash-safe file replacement and size-capped whole-file reads; see
 * atomic_file.h. The temporary file lives next to the target (same directory, so the same file
 * system) because rename(2) is only atomic within one file system. */
#include "util/atomic_file.h"
#include "util/errbuf.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#ifndef PATH_MAX
#define PATH_MAX 4096
#endif

#define TEMP_SUFFIX ".tmp.XXXXXX"

int atomic_file_remove_stale(const char *path)
{
    if (!path || !*path)
        return 0;
    char dir[PATH_MAX];
    const char *slash = strrchr(path, '/');
    const char *base = slash ? slash + 1 : path;
    if (slash)
        snprintf(dir, sizeof dir, "%.*s", (int)(slash - path) + (slash == path), path);
    else
        snprintf(dir, sizeof dir, ".");
    char prefix[PATH_MAX];
    snprintf(prefix, sizeof prefix, "%s.tmp.", base);
    size_t prefix_len = strlen(prefix);
    DIR *d = opendir(dir);
    if (!d)
        return 0;
    int removed = 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        if (strncmp(e->d_name, prefix, prefix_len) != 0 ||
            strlen(e->d_name) != prefix_len + sizeof TEMP_SUFFIX - sizeof ".tmp.")
            continue;
        char victim[PATH_MAX];
        if ((size_t)snprintf(victim, sizeof victim, "%s/%s", dir, e->d_name) >= sizeof victim)
            continue;
        if (unlink(victim) == 0)
            removed++;
    }
    closedir(d);
    return removed;
}

static int write_fully(int fd, const void *data, size_t len)
{
    const char *p = data;
    while (len > 0) {
        ssize_t n = write(fd, p, len);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return -1;
        }
        p += n;
        len -= (size_t)n;
    }
    return 0;
}

/* Flushes the directory entry that rename() changed. Failure here is not reported: the new
 * content is already in place and visible, only its durability across a power loss is less
 * certain (some file systems refuse fsync on directories with EINVAL). */
static void sync_parent_directory(const char *path)
{
    char dir[PATH_MAX];
    const char *slash = strrchr(path, '/');
    if (!slash) {
        snprintf(dir, sizeof dir, ".");
    } else if (slash == path) {
        snprintf(dir, sizeof dir, "/");
    } else {
        size_t n = (size_t)(slash - path);
        if (n >= sizeof dir)
            return;
        memcpy(dir, path, n);
        dir[n] = '\0';
    }
    int fd = open(dir, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return;
    (void)fsync(fd);
    close(fd);
}

int atomic_file_write(const char *path, const void *data, size_t len)
{
    if (!path || !*path || (!data && len > 0)) {
        errno = EINVAL;
        return -1;
    }
    char temp_path[PATH_MAX];
    if (strlen(path) + sizeof TEMP_SUFFIX > sizeof temp_path) {
        errno = ENAMETOOLONG;
        return -1;
    }
    snprintf(temp_path, sizeof temp_path, "%s" TEMP_SUFFIX, path);

    int fd = mkstemp(temp_path);
    if (fd < 0)
        return -1;
    if (fchmod(fd, 0600) != 0 || write_fully(fd, data, len) != 0 || fsync(fd) != 0) {
        int saved = errno;
        close(fd);
        unlink(temp_path);
        errno = saved;
        return -1;
    }
    if (close(fd) != 0 || rename(temp_path, path) != 0) {
        int saved = errno;
        unlink(temp_path);
        errno = saved;
        return -1;
    }
    sync_parent_directory(path);
    return 0;
}

/* Grows data to hold at least one more byte, never beyond cap + 1 (room for the NUL). */
static int grow_buffer(char **data, size_t *alloc, size_t cap)
{
    size_t grown = *alloc > cap / 2 ? cap + 1 : *alloc * 2;
    char *bigger = realloc(*data, grown);
    if (!bigger)
        return -1;
    *data = bigger;
    *alloc = grown;
    return 0;
}

char *file_read_all(const char *path, size_t max_bytes, size_t *len_out)
{
    if (len_out)
        *len_out = 0;
    if (!path || max_bytes >= SIZE_MAX / 2) {
        errno = EINVAL;
        return NULL;
    }
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return NULL;
    struct stat st;
    if (fstat(fd, &st) != 0) {
        int saved = errno;
        close(fd);
        errno = saved;
        return NULL;
    }
    if (S_ISDIR(st.st_mode)) {
        close(fd);
        errno = EISDIR;
        return NULL;
    }
    if (S_ISREG(st.st_mode) && (uintmax_t)st.st_size > (uintmax_t)max_bytes) {
        close(fd);
        errno = EFBIG;
        return NULL;
    }

    /* The size from fstat is only a hint (the file may grow meanwhile, or not be a regular
     * file): read until end of file, never keeping more than max_bytes. */
    size_t alloc = S_ISREG(st.st_mode) ? (size_t)st.st_size + 1 : 4096;
    if (alloc > max_bytes + 1)
        alloc = max_bytes + 1;
    char *data = malloc(alloc);
    if (!data) {
        close(fd);
        errno = ENOMEM;
        return NULL;
    }
    size_t len = 0;
    int failure = 0;
    for (;;) {
        if (len + 1 == alloc) {
            /* Buffer full: a one-byte probe tells end of file from more data. */
            char probe;
            ssize_t n = read(fd, &probe, 1);
            if (n < 0 && errno == EINTR)
                continue;
            if (n <= 0) {
                failure = n < 0 ? errno : 0;
                break;
            }
            if (len >= max_bytes) {
                failure = EFBIG;
                break;
            }
            if (grow_buffer(&data, &alloc, max_bytes) != 0) {
                failure = ENOMEM;
                break;
            }
            data[len++] = probe;
            continue;
        }
        ssize_t n = read(fd, data + len, alloc - 1 - len);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            failure = errno;
            break;
        }
        if (n == 0)
            break;
        len += (size_t)n;
    }
    close(fd);
    if (failure) {
        free(data);
        errno = failure;
        return NULL;
    }
    data[len] = '\0';
    if (len_out)
        *len_out = len;
    return data;
}

char *file_read_store(const char *path, size_t max_bytes, size_t *len_out, int *absent, char *err,
                      size_t err_size)
{
    *absent = 0;
    char *text = file_read_all(path, max_bytes, len_out);
    if (text)
        return text;
    if (errno == ENOENT)
        *absent = 1;
    else if (errno == EFBIG)
        errbuf_set(err, err_size, "%s: larger than %zu bytes", path, max_bytes);
    else
        errbuf_set(err, err_size, "%s: %s", path, strerror(errno));
    return NULL;
}
