/* atomic_file.h: crash-safe replacement of a file: write a temporary file in the same
 * directory with mode 0600, fsync it, rename it over the target, fsync the directory.
 * A reader (or a restart after a crash at any point) sees the old file or the new one, whole. */
#ifndef KIRO_ATOMIC_FILE_H
#define KIRO_ATOMIC_FILE_H

#include <stddef.h>

/* Returns 0, or -1 with errno set; the target is untouched on failure. */
int atomic_file_write(const char *path, const void *data, size_t len);

/* Removes temporary files that an interrupted atomic_file_write() of path left behind
 * (path + ".tmp." + 6 characters): a process killed between mkstemp and rename leaves one, and
 * for credential files it holds tokens. Call at startup, while no write is in progress.
 * Returns the number removed. */
int atomic_file_remove_stale(const char *path);

/* Reads a whole file of at most max_bytes into a NUL-terminated malloc'd buffer.
 * Returns NULL with errno (EFBIG when larger than max_bytes). */
char *file_read_all(const char *path, size_t max_bytes, size_t *len_out);

/* file_read_all() for a store that loads its file (credentials, user store): a missing file
 * is not an error but an empty store (NULL with *absent set); any other failure is NULL with
 * err "<path>: larger than N bytes" or "<path>: <strerror>". */
char *file_read_store(const char *path, size_t max_bytes, size_t *len_out, int *absent, char *err,
                      size_t err_size);

#endif
