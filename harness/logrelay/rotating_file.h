/* rotating_file.h: the --output FILE destination, rotated by size.
 *
 * Rotation keeps FILE plus at most keep older files: FILE.1 (the newest old one) ... FILE.keep;
 * older ones are deleted. The caller rotates at record boundaries (line_queue tells where), so a
 * line is never split across two files; a single record larger than the limit goes alone into a
 * file of its own. An existing FILE is appended to and its size counts. */
#ifndef LOGRELAY_ROTATING_FILE_H
#define LOGRELAY_ROTATING_FILE_H

#include <stddef.h>
#include <stdint.h>

struct rotating_file {
    const char *path;    /* not owned */
    int fd;              /* -1 when closed */
    uint64_t size;       /* bytes in the current file */
    uint64_t max_bytes;  /* 0: never rotate */
    unsigned keep;       /* FILE.1 .. FILE.keep are kept */
};

/* Opens (creates, appends to) path. Returns 0, or -1 with errno. */
int rotating_file_open(struct rotating_file *f, const char *path, uint64_t max_bytes,
                       unsigned keep);
void rotating_file_close(struct rotating_file *f);

/* How many more bytes the current file takes before it must rotate (UINT64_MAX: unlimited). */
uint64_t rotating_file_room(const struct rotating_file *f);

/* FILE -> FILE.1 -> ... -> FILE.keep (the oldest is removed) and opens a new, empty FILE.
 * Returns 0, or -1 with errno (the current file then stays open and in use). */
int rotating_file_rotate(struct rotating_file *f);

/* Records that n bytes were written to fd. */
void rotating_file_note_written(struct rotating_file *f, size_t n);

#endif
