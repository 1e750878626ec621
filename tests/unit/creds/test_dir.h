/* test_dir.h: private scratch directories and small file helpers for the creds tests.
 * Every test that touches the file system works in its own fresh directory and removes it. */
#ifndef KIRO_TEST_DIR_H
#define KIRO_TEST_DIR_H

#include <stddef.h>

#define TEST_PATH_MAX 1024

/* Creates a new empty directory under $TMPDIR (or /tmp). Returns 0 or -1. */
int test_dir_make(char *out, size_t size);
/* Removes dir and everything below it (restoring write permission where needed). */
void test_dir_remove(const char *dir);
/* Writes dir/name into out and returns out. */
char *test_dir_join(const char *dir, const char *name, char *out, size_t size);
/* Creates or truncates path with text. Returns 0 or -1. */
int test_write_text(const char *path, const char *text);
/* Whole file as a malloc'd string, or NULL. */
char *test_read_text(const char *path);
/* Number of directory entries whose name contains needle. */
int test_dir_count_matching(const char *dir, const char *needle);

#endif
