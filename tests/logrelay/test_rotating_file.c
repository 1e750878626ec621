/* test_rotating_file.c: cmocka tests for --output rotation: FILE -> FILE.1 ... FILE.K with the
 * oldest removed, keep == 0, appending to an existing FILE, and the room left before rotating.
 * Each test works in a fresh temporary directory. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "rotating_file.h"

struct temp_dir {
    char path[256];
    char file[300];
};

static int make_temp_dir(void **state)
{
    struct temp_dir *t = calloc(1, sizeof *t);
    if (!t)
        return -1;
    const char *base = getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";
    snprintf(t->path, sizeof t->path, "%s/logrelay-rotation-XXXXXX", base);
    if (!mkdtemp(t->path))
        return -1;
    snprintf(t->file, sizeof t->file, "%s/out.log", t->path);
    *state = t;
    return 0;
}

static int remove_temp_dir(void **state)
{
    struct temp_dir *t = *state;
    char name[400];
    for (int n = -1; n <= 10; n++) {
        if (n < 0)
            snprintf(name, sizeof name, "%s", t->file);
        else
            snprintf(name, sizeof name, "%s.%d", t->file, n);
        unlink(name);
    }
    rmdir(t->path);
    free(t);
    return 0;
}

static void write_text(struct rotating_file *f, const char *text)
{
    assert_int_equal(write(f->fd, text, strlen(text)), (ssize_t)strlen(text));
    rotating_file_note_written(f, strlen(text));
}

/* Contents of path.n (n < 0: path itself), or NULL if it does not exist. Caller frees. */
static char *read_numbered(const char *path, int n)
{
    char name[400];
    if (n < 0)
        snprintf(name, sizeof name, "%s", path);
    else
        snprintf(name, sizeof name, "%s.%d", path, n);
    FILE *f = fopen(name, "r");
    if (!f)
        return NULL;
    char *text = calloc(1, 4096);
    assert_non_null(text);
    size_t len = fread(text, 1, 4095, f);
    text[len] = '\0';
    fclose(f);
    return text;
}

static void assert_file(const char *path, int n, const char *expected)
{
    char *text = read_numbered(path, n);
    if (!expected) {
        assert_null(text);
        return;
    }
    assert_non_null(text);
    assert_string_equal(text, expected);
    free(text);
}

static void test_rotation_shifts_and_keeps_k(void **state)
{
    struct temp_dir *t = *state;
    struct rotating_file f;
    assert_int_equal(rotating_file_open(&f, t->file, 10, 2), 0);
    assert_int_equal(rotating_file_room(&f), 10);
    const char *generations[] = {"first\n", "second\n", "third\n", "fourth\n"};
    for (int i = 0; i < 4; i++) {
        if (i > 0)
            assert_int_equal(rotating_file_rotate(&f), 0);
        write_text(&f, generations[i]);
    }
    assert_int_equal(rotating_file_room(&f), 3);
    assert_file(t->file, -1, "fourth\n");
    assert_file(t->file, 1, "third\n");
    assert_file(t->file, 2, "second\n");
    assert_file(t->file, 3, NULL); /* "first" was the oldest beyond keep */
    rotating_file_close(&f);
}

static void test_keep_zero_truncates(void **state)
{
    struct temp_dir *t = *state;
    struct rotating_file f;
    assert_int_equal(rotating_file_open(&f, t->file, 4, 0), 0);
    write_text(&f, "old\n");
    assert_int_equal(rotating_file_room(&f), 0);
    assert_int_equal(rotating_file_rotate(&f), 0);
    write_text(&f, "new\n");
    assert_file(t->file, -1, "new\n");
    assert_file(t->file, 1, NULL);
    rotating_file_close(&f);
}

static void test_existing_file_is_appended_and_counted(void **state)
{
    struct temp_dir *t = *state;
    FILE *existing = fopen(t->file, "w");
    assert_non_null(existing);
    fputs("1234567", existing);
    fclose(existing);
    struct rotating_file f;
    assert_int_equal(rotating_file_open(&f, t->file, 10, 1), 0);
    assert_int_equal(f.size, 7);
    assert_int_equal(rotating_file_room(&f), 3);
    write_text(&f, "89\n");
    assert_file(t->file, -1, "123456789\n");
    rotating_file_close(&f);
}

static void test_no_limit_never_asks_to_rotate(void **state)
{
    struct temp_dir *t = *state;
    struct rotating_file f;
    assert_int_equal(rotating_file_open(&f, t->file, 0, 3), 0);
    write_text(&f, "anything\n");
    assert_int_equal(rotating_file_room(&f), UINT64_MAX);
    rotating_file_close(&f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_rotation_shifts_and_keeps_k, make_temp_dir,
                                        remove_temp_dir),
        cmocka_unit_test_setup_teardown(test_keep_zero_truncates, make_temp_dir, remove_temp_dir),
        cmocka_unit_test_setup_teardown(test_existing_file_is_appended_and_counted, make_temp_dir,
                                        remove_temp_dir),
        cmocka_unit_test_setup_teardown(test_no_limit_never_asks_to_rotate, make_temp_dir,
                                        remove_temp_dir),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
