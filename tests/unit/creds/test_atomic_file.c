/* test_atomic_file.c: atomic_file_write gives mode 0600 and the exact content; every failure
 * (directory at the path, missing or unwritable directory, a write cut short) leaves the old
 * file whole and no temporary behind; a writer killed with SIGKILL at random moments always
 * leaves the old or the new version whole. file_read_all honours its cap. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "util/atomic_file.h"
#include "test_dir.h"
#include "util/random.h"

typedef struct fixture {
    char dir[TEST_PATH_MAX];
    char target[TEST_PATH_MAX];
} fixture;

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof *f);
    if (!f || test_dir_make(f->dir, sizeof f->dir) != 0)
        return -1;
    test_dir_join(f->dir, "target.json", f->target, sizeof f->target);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    test_dir_remove(f->dir);
    free(f);
    return 0;
}

static void assert_file_text(const char *path, const char *expected)
{
    char *text = test_read_text(path);
    assert_non_null(text);
    assert_string_equal(text, expected);
    free(text);
}

static void assert_no_temporaries(const char *dir)
{
    assert_int_equal(test_dir_count_matching(dir, ".tmp."), 0);
}

static void test_write_creates_file_with_mode_0600(void **state)
{
    fixture *f = *state;
    mode_t old_mask = umask(0); /* the mode must come from fchmod, not from the umask */
    int rc = atomic_file_write(f->target, "hello\n", 6);
    umask(old_mask);
    assert_int_equal(rc, 0);
    struct stat st;
    assert_int_equal(stat(f->target, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0600);
    assert_file_text(f->target, "hello\n");
    assert_no_temporaries(f->dir);
}

static void test_overwrite_replaces_content_and_mode(void **state)
{
    fixture *f = *state;
    assert_int_equal(test_write_text(f->target, "old content that is longer\n"), 0);
    assert_int_equal(chmod(f->target, 0644), 0);
    assert_int_equal(atomic_file_write(f->target, "new\n", 4), 0);
    assert_file_text(f->target, "new\n");
    struct stat st;
    assert_int_equal(stat(f->target, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0600);
    assert_no_temporaries(f->dir);
}

static void test_empty_content(void **state)
{
    fixture *f = *state;
    assert_int_equal(test_write_text(f->target, "something"), 0);
    assert_int_equal(atomic_file_write(f->target, "", 0), 0);
    assert_file_text(f->target, "");
}

static void test_path_is_a_directory_fails_and_keeps_it(void **state)
{
    fixture *f = *state;
    char inner[TEST_PATH_MAX];
    assert_int_equal(mkdir(f->target, 0700), 0);
    test_dir_join(f->target, "keep.txt", inner, sizeof inner);
    assert_int_equal(test_write_text(inner, "kept"), 0);
    errno = 0;
    assert_int_equal(atomic_file_write(f->target, "x", 1), -1);
    assert_int_not_equal(errno, 0);
    struct stat st;
    assert_int_equal(stat(f->target, &st), 0);
    assert_true(S_ISDIR(st.st_mode));
    assert_file_text(inner, "kept");
    assert_no_temporaries(f->dir);
}

static void test_missing_directory_fails(void **state)
{
    fixture *f = *state;
    char path[TEST_PATH_MAX];
    test_dir_join(f->dir, "no-such-dir/file.json", path, sizeof path);
    assert_int_equal(atomic_file_write(path, "x", 1), -1);
    assert_int_equal(errno, ENOENT);
}

static void test_parent_is_a_file_fails(void **state)
{
    fixture *f = *state;
    char path[TEST_PATH_MAX];
    assert_int_equal(test_write_text(f->target, "a file"), 0);
    test_dir_join(f->target, "child.json", path, sizeof path);
    assert_int_equal(atomic_file_write(path, "x", 1), -1);
    assert_int_equal(errno, ENOTDIR);
    assert_file_text(f->target, "a file");
}

static void test_unwritable_directory_keeps_target(void **state)
{
    fixture *f = *state;
    if (geteuid() == 0)
        skip(); /* root ignores directory permissions; the other failure tests still run */
    assert_int_equal(test_write_text(f->target, "old"), 0);
    assert_int_equal(chmod(f->dir, 0500), 0);
    int rc = atomic_file_write(f->target, "new", 3);
    int saved = errno;
    chmod(f->dir, 0700);
    assert_int_equal(rc, -1);
    assert_int_equal(saved, EACCES);
    assert_file_text(f->target, "old");
    assert_no_temporaries(f->dir);
}

/* A write cut short (here by RLIMIT_FSIZE, which even root obeys) must fail cleanly: the old
 * file stays and the half-written temporary is removed. Runs in a child so that the limit does
 * not touch the test process. */
static void test_short_write_keeps_target(void **state)
{
    fixture *f = *state;
    assert_int_equal(test_write_text(f->target, "old version\n"), 0);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        signal(SIGXFSZ, SIG_IGN);
        struct rlimit limit = {4096, 4096};
        if (setrlimit(RLIMIT_FSIZE, &limit) != 0)
            _exit(2);
        static char big[65536];
        memset(big, 'n', sizeof big);
        int rc = atomic_file_write(f->target, big, sizeof big);
        _exit(rc == -1 && errno == EFBIG ? 0 : 1);
    }
    int status = 0;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFEXITED(status));
    assert_int_equal(WEXITSTATUS(status), 0);
    assert_file_text(f->target, "old version\n");
    assert_no_temporaries(f->dir);
}

/* ---- SIGKILL at random moments ---- */

#define VERSION_BODY_BYTES (192 * 1024)
#define KILL_ROUNDS 30

/* Version n: "v<n>\n", a body whose every byte depends on n, "end<n>\n". */
static size_t make_version(unsigned n, char *out)
{
    size_t len = (size_t)sprintf(out, "v%08u\n", n);
    for (size_t i = 0; i < VERSION_BODY_BYTES; i++)
        out[len + i] = (char)('a' + (n * 7 + i) % 26);
    len += VERSION_BODY_BYTES;
    len += (size_t)sprintf(out + len, "end%08u\n", n);
    return len;
}

/* Returns 0 and the version when data is exactly one whole version. */
static int parse_version(const char *data, size_t len, unsigned *version)
{
    static char expected[VERSION_BODY_BYTES + 64];
    unsigned n;
    if (len < 10 || sscanf(data, "v%08u\n", &n) != 1)
        return -1;
    size_t expected_len = make_version(n, expected);
    if (len != expected_len || memcmp(data, expected, len) != 0)
        return -1;
    *version = n;
    return 0;
}

static void writer_child(const char *path, unsigned first_version, int report_fd)
{
    static char content[VERSION_BODY_BYTES + 64];
    for (unsigned n = first_version;; n++) {
        size_t len = make_version(n, content);
        if (atomic_file_write(path, content, len) != 0)
            _exit(3);
        /* Reported only after the rename: this version is now the file's content. */
        if (write(report_fd, &n, sizeof n) != (ssize_t)sizeof n)
            _exit(4);
    }
}

static void test_sigkill_never_leaves_a_torn_file(void **state)
{
    fixture *f = *state;
    static char initial[VERSION_BODY_BYTES + 64];
    size_t initial_len = make_version(0, initial);
    assert_int_equal(atomic_file_write(f->target, initial, initial_len), 0);
    unsigned last_seen = 0;

    for (int round = 0; round < KILL_ROUNDS; round++) {
        int fds[2];
        assert_int_equal(pipe(fds), 0);
        pid_t pid = fork();
        assert_true(pid >= 0);
        if (pid == 0) {
            close(fds[0]);
            writer_child(f->target, last_seen + 1, fds[1]);
        }
        close(fds[1]);
        /* Wait (bounded) for the first completed version, then kill at a random moment within
         * the next few milliseconds: the delay picks the moment of the kill, it does not stand
         * in for synchronisation. */
        struct pollfd pfd = {fds[0], POLLIN, 0};
        assert_int_equal(poll(&pfd, 1, 10000), 1);
        struct timespec delay = {0, (long)random_below(4000) * 1000L};
        nanosleep(&delay, NULL);
        kill(pid, SIGKILL);
        int status;
        assert_int_equal(waitpid(pid, &status, 0), pid);
        assert_true(WIFSIGNALED(status));

        unsigned reported = 0, n;
        while (read(fds[0], &n, sizeof n) == (ssize_t)sizeof n)
            reported = n;
        close(fds[0]);
        assert_true(reported > last_seen);

        size_t len = 0;
        char *data = file_read_all(f->target, 1u << 20, &len);
        assert_non_null(data);
        unsigned found = 0;
        assert_int_equal(parse_version(data, len, &found), 0);
        free(data);
        /* The last reported version, or the one being written when the kill came. */
        assert_true(found == reported || found == reported + 1);
        last_seen = found;
    }
    /* At most one orphaned temporary per kill, never a torn target. */
    assert_true(test_dir_count_matching(f->dir, ".tmp.") <= KILL_ROUNDS);
}

/* ---- file_read_all ---- */

static void test_remove_stale_temporaries(void **state)
{
    fixture *f = *state;
    char path[TEST_PATH_MAX];
    /* Two leftovers of interrupted saves of the target, and files that only look similar. */
    const char *stale[] = {"target.json.tmp.AbC123", "target.json.tmp.zzzzzz"};
    const char *keep[] = {"target.json.tmp.toolong1", "other.json.tmp.AbC123", "target.json"};
    for (size_t i = 0; i < 2; i++)
        assert_int_equal(test_write_text(test_dir_join(f->dir, stale[i], path, sizeof path), "{\"t\":1}"), 0);
    for (size_t i = 0; i < 3; i++)
        assert_int_equal(test_write_text(test_dir_join(f->dir, keep[i], path, sizeof path), "x"), 0);
    assert_int_equal(atomic_file_remove_stale(f->target), 2);
    assert_int_equal(test_dir_count_matching(f->dir, "target.json.tmp.AbC123"), 0);
    assert_int_equal(test_dir_count_matching(f->dir, "target.json.tmp.zzzzzz"), 0);
    for (size_t i = 0; i < 3; i++)
        assert_int_equal(access(test_dir_join(f->dir, keep[i], path, sizeof path), F_OK), 0);
    assert_int_equal(atomic_file_remove_stale(f->target), 0);
}

static void test_read_all_returns_content_and_length(void **state)
{
    fixture *f = *state;
    assert_int_equal(test_write_text(f->target, "0123456789"), 0);
    size_t len = 0;
    char *data = file_read_all(f->target, 10, &len);
    assert_non_null(data);
    assert_int_equal(len, 10);
    assert_string_equal(data, "0123456789");
    free(data);
}

static void test_read_all_rejects_file_over_cap(void **state)
{
    fixture *f = *state;
    assert_int_equal(test_write_text(f->target, "0123456789"), 0);
    errno = 0;
    assert_null(file_read_all(f->target, 9, NULL));
    assert_int_equal(errno, EFBIG);
}

static void test_read_all_caps_endless_device(void **state)
{
    (void)state;
    /* /dev/zero reports size 0 and never ends: only the read loop's cap stops it. */
    errno = 0;
    assert_null(file_read_all("/dev/zero", 100000, NULL));
    assert_int_equal(errno, EFBIG);
}

static void test_read_all_errors(void **state)
{
    fixture *f = *state;
    char missing[TEST_PATH_MAX];
    errno = 0;
    assert_null(file_read_all(test_dir_join(f->dir, "missing", missing, sizeof missing), 10, NULL));
    assert_int_equal(errno, ENOENT);
    errno = 0;
    assert_null(file_read_all(f->dir, 10, NULL));
    assert_int_equal(errno, EISDIR);
    assert_int_equal(test_write_text(f->target, ""), 0);
    size_t len = 99;
    char *data = file_read_all(f->target, 10, &len);
    assert_non_null(data);
    assert_int_equal(len, 0);
    assert_string_equal(data, "");
    free(data);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_write_creates_file_with_mode_0600, setup, teardown),
        cmocka_unit_test_setup_teardown(test_remove_stale_temporaries, setup, teardown),
        cmocka_unit_test_setup_teardown(test_overwrite_replaces_content_and_mode, setup, teardown),
        cmocka_unit_test_setup_teardown(test_empty_content, setup, teardown),
        cmocka_unit_test_setup_teardown(test_path_is_a_directory_fails_and_keeps_it, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_missing_directory_fails, setup, teardown),
        cmocka_unit_test_setup_teardown(test_parent_is_a_file_fails, setup, teardown),
        cmocka_unit_test_setup_teardown(test_unwritable_directory_keeps_target, setup, teardown),
        cmocka_unit_test_setup_teardown(test_short_write_keeps_target, setup, teardown),
        cmocka_unit_test_setup_teardown(test_sigkill_never_leaves_a_torn_file, setup, teardown),
        cmocka_unit_test_setup_teardown(test_read_all_returns_content_and_length, setup, teardown),
        cmocka_unit_test_setup_teardown(test_read_all_rejects_file_over_cap, setup, teardown),
        cmocka_unit_test_setup_teardown(test_read_all_caps_endless_device, setup, teardown),
        cmocka_unit_test_setup_teardown(test_read_all_errors, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
