/* test_units.c: cmocka unit tests for stallcheck's decision-making parts, linked directly
 * (no process spawned): option parsing, the scanner, syscall decoding, thread roles, the cause
 * table, {port} templating, the default trigger body and the pipe-fullness measures. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <cjson/cJSON.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cause.h"
#include "command_template.h"
#include "log_pipe.h"
#include "options.h"
#include "scanner.h"
#include "syscall_decode.h"
#include "thread_role.h"
#include "trigger.h"

/* Parses a NULL-terminated list of arguments (without argv[0]). o->command points into argv,
 * so argv outlives the call (until the next one). */
static int parse(stall_options *o, const char *const *args, char *err, size_t err_size)
{
    static char *argv[64];
    int argc = 0;
    argv[argc++] = (char *)"stallcheck";
    for (; *args && argc < 63; args++)
        argv[argc++] = (char *)*args;
    argv[argc] = NULL;
    options_init(o);
    FILE *devnull = fopen("/dev/null", "w");
    int rc = options_parse(o, argc, argv, devnull, err, err_size);
    fclose(devnull);
    return rc;
}

static void test_options_defaults(void **state)
{
    (void)state;
    stall_options o;
    char err[256] = "";
    const char *args[] = { "--", "server", "--port", "{port}", NULL };
    assert_int_equal(parse(&o, args, err, sizeof err), OPTIONS_OK);
    assert_int_equal(o.pipe_size, 65536);
    assert_int_equal(o.reader, READER_NEVER);
    assert_string_equal(o.ready_path, "/health");
    assert_int_equal(o.startup_ms, 15000);
    assert_true(o.trigger_enabled);
    assert_string_equal(o.trigger.method, "POST");
    assert_string_equal(o.trigger.path, "/v1/messages");
    assert_int_equal(o.trigger_bytes, 262144);
    assert_int_equal(o.trigger_timeout_ms, 3000);
    assert_int_equal(o.rounds, 3);
    assert_int_equal(o.deadline_ms, 2000);
    assert_int_equal(o.kill_grace_ms, 2000);
    assert_int_equal(o.timeout_s, 60);
    assert_int_equal(o.probe_count, 2);
    assert_string_equal(o.probes[0].path, "/v1/models");
    assert_string_equal(o.probes[1].path, "/api/admin/user-credentials");
    assert_int_equal(o.command_count, 3);
    assert_string_equal(o.command[0], "server");
    options_free(&o);
}

static void test_options_values(void **state)
{
    (void)state;
    stall_options o;
    char err[256] = "";
    const char *args[] = { "--reader=scanner:65536", "-H", "X-Api-Key: k", "-HAccept: */*",
                           "--probe", "get /a", "--probe", "POST /b", "--trigger", "none",
                           "--expect", "stalled", "--env", "A=1", "--separate-pipes", "-q",
                           "--port", "8080", "srv", NULL };
    assert_int_equal(parse(&o, args, err, sizeof err), OPTIONS_OK);
    assert_int_equal(o.reader, READER_SCANNER);
    assert_int_equal(o.reader_arg, 65536);
    assert_int_equal(o.headers.count, 2);
    assert_string_equal(o.headers.items[1], "Accept: */*");
    assert_int_equal(o.probe_count, 2); /* --probe replaced the defaults */
    assert_string_equal(o.probes[0].method, "GET");
    assert_string_equal(o.probes[1].path, "/b");
    assert_false(o.trigger_enabled);
    assert_int_equal(o.expect, EXPECT_STALLED);
    assert_true(o.separate_pipes);
    assert_true(o.quiet);
    assert_int_equal(o.port, 8080);
    assert_int_equal(o.command_count, 1); /* the first non-option starts the command */
    options_free(&o);
}

static void test_options_errors(void **state)
{
    (void)state;
    const char *const bad[][5] = {
        { "--rounds", "0", "--", "x", NULL },      { "--reader", "scanner:8", "--", "x", NULL },
        { "--reader", "slow:0", "--", "x", NULL }, { "--probe", "/nomethod", "--", "x", NULL },
        { "--trigger", "POST", "--", "x", NULL },  { "--env", "=v", "--", "x", NULL },
        { "--port", "0", "--", "x", NULL },        { "--quiet=yes", "--", "x", NULL },
        { "--timeout", NULL },                     { "--", NULL },
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        stall_options o;
        char err[256] = "";
        assert_int_equal(parse(&o, bad[i], err, sizeof err), OPTIONS_INVALID);
        assert_true(strlen(err) > 0);
        options_free(&o);
    }
}

static void test_options_help(void **state)
{
    (void)state;
    stall_options o;
    char err[256] = "";
    const char *args[] = { "--help", NULL };
    assert_int_equal(parse(&o, args, err, sizeof err), OPTIONS_DONE);
    options_free(&o);
}

static void test_reader_specs(void **state)
{
    (void)state;
    reader_mode mode;
    long arg;
    assert_int_equal(options_parse_reader("slow:100", &mode, &arg), 0);
    assert_int_equal(mode, READER_SLOW);
    assert_int_equal(arg, 100);
    assert_int_equal(options_parse_reader("close", &mode, &arg), 0);
    assert_int_equal(mode, READER_CLOSE);
    assert_int_equal(options_parse_reader("scanner:", &mode, &arg), -1);
    assert_int_equal(options_parse_reader("slow:12x", &mode, &arg), -1);
    assert_int_equal(options_parse_reader("Drain", &mode, &arg), -1);
}

static void test_scanner_stops_at_long_line(void **state)
{
    (void)state;
    line_scanner s;
    scanner_init(&s, 16);
    assert_int_equal(scanner_room(&s), 16);
    assert_false(scanner_feed(&s, "short\nline two\n", 15));
    assert_int_equal(s.lines, 2);
    assert_int_equal(s.line_len, 0);
    /* 15 bytes + newline fit a 16-byte buffer, like Go's bufio.Scanner */
    assert_false(scanner_feed(&s, "123456789012345", 15));
    assert_int_equal(scanner_room(&s), 1);
    assert_false(scanner_feed(&s, "\n", 1));
    assert_int_equal(s.lines, 3);
    /* 16 bytes without a newline fill the buffer: ErrTooLong, stop for good */
    assert_false(scanner_feed(&s, "abcdefgh", 8));
    assert_true(scanner_feed(&s, "ijklmnop", 8));
    assert_true(s.stopped);
    assert_int_equal(scanner_room(&s), 0);
    assert_true(scanner_feed(&s, "\n", 1));
    assert_int_equal(s.lines, 3);
}

static void test_syscall_parse_and_render(void **state)
{
    (void)state;
    syscall_sample s;
    char text[160];
    assert_int_equal(syscall_parse("1 0x2 0x7f0000001000 0x40000 0x0 0x0 0x0 0x7ffd1000 0x7f12\n", &s), 0);
    assert_int_equal(s.state, SYSCALL_STATE_IN_SYSCALL);
    assert_int_equal(s.nr, 1);
    assert_int_equal(s.args[0], 2);
    syscall_render(SYSCALL_ARCH_X86_64, &s, text, sizeof text);
    assert_string_equal(text, "write(fd=2, count=262144)");
    assert_true(syscall_is_write(SYSCALL_ARCH_X86_64, 1));
    assert_false(syscall_is_write(SYSCALL_ARCH_AARCH64, 1));

    assert_int_equal(syscall_parse("66 0x1 0xffff 0x3 0x0 0x0 0x0 0x0 0x0", &s), 0);
    syscall_render(SYSCALL_ARCH_AARCH64, &s, text, sizeof text);
    assert_string_equal(text, "writev(fd=1, iovcnt=3)");

    assert_int_equal(syscall_parse("202 0x55d0c0 0x80 0x2 0x0 0x0 0x0 0x7ffd 0x7f", &s), 0);
    assert_true(syscall_is_futex(SYSCALL_ARCH_X86_64, s.nr));
    syscall_render(SYSCALL_ARCH_X86_64, &s, text, sizeof text);
    assert_string_equal(text, "futex(0x55d0c0, FUTEX_WAIT_PRIVATE)");
    assert_true(syscall_is_futex(SYSCALL_ARCH_AARCH64, 98));

    assert_int_equal(syscall_parse("running\n", &s), 0);
    assert_int_equal(s.state, SYSCALL_STATE_RUNNING);
    assert_int_equal(syscall_parse("-1 0x7ffd 0x7f12\n", &s), 0);
    assert_int_equal(s.state, SYSCALL_STATE_NONE);
    assert_int_equal(syscall_parse("garbage", &s), -1);
    assert_int_equal(syscall_parse("1 0x2", &s), -1);

    assert_int_equal(syscall_parse("999 0x1 0x2 0x3 0x4 0x5 0x6 0x7 0x8", &s), 0);
    syscall_render(SYSCALL_ARCH_OTHER, &s, text, sizeof text);
    assert_string_equal(text, "syscall 999(0x1, 0x2, 0x3)");
}

static thread_sample sample_in(long nr, long fd, bool fd_known, bool on_log_pipe, const char *wchan)
{
    thread_sample s;
    memset(&s, 0, sizeof s);
    s.syscall.state = SYSCALL_STATE_IN_SYSCALL;
    s.syscall.nr = nr;
    s.syscall.args[0] = (unsigned long long)fd;
    s.fd = fd;
    s.fd_known = fd_known;
    s.fd_is_log_pipe = on_log_pipe;
    s.wchan = wchan;
    return s;
}

static void test_thread_roles(void **state)
{
    (void)state;
    thread_sample s = sample_in(1, 2, true, true, "anon_pipe_write");
    assert_int_equal(thread_role_classify(SYSCALL_ARCH_X86_64, &s), ROLE_LOG_WRITER);
    s = sample_in(1, 7, true, false, "sk_stream_wait_memory");
    assert_int_equal(thread_role_classify(SYSCALL_ARCH_X86_64, &s), ROLE_OTHER_WRITER);
    s = sample_in(1, 2, false, false, "pipe_write"); /* fd unresolvable: fd 2 + pipe wait */
    assert_int_equal(thread_role_classify(SYSCALL_ARCH_X86_64, &s), ROLE_LOG_WRITER);
    s = sample_in(202, 0, false, false, "futex_do_wait");
    assert_int_equal(thread_role_classify(SYSCALL_ARCH_X86_64, &s), ROLE_LOCK_WAITER);
    s = sample_in(98, 0, false, false, "0");
    assert_int_equal(thread_role_classify(SYSCALL_ARCH_AARCH64, &s), ROLE_LOCK_WAITER);
    s = sample_in(7, 0, false, false, "do_sys_poll");
    assert_int_equal(thread_role_classify(SYSCALL_ARCH_X86_64, &s), ROLE_OTHER);

    s.syscall.state = SYSCALL_STATE_UNREADABLE; /* no permission: wchan decides */
    s.wchan = "anon_pipe_write";
    assert_int_equal(thread_role_classify(SYSCALL_ARCH_X86_64, &s), ROLE_LOG_WRITER);
    s.wchan = "futex_wait_queue_me";
    assert_int_equal(thread_role_classify(SYSCALL_ARCH_X86_64, &s), ROLE_LOCK_WAITER);
    s.wchan = "0";
    assert_int_equal(thread_role_classify(SYSCALL_ARCH_X86_64, &s), ROLE_UNKNOWN);
    s.syscall.state = SYSCALL_STATE_RUNNING;
    assert_int_equal(thread_role_classify(SYSCALL_ARCH_X86_64, &s), ROLE_RUNNING);

    int counts[ROLE_COUNT] = { 0 };
    counts[ROLE_RUNNING] = 2;
    assert_int_equal(thread_role_merge(counts), ROLE_RUNNING);
    counts[ROLE_LOG_WRITER] = 1; /* caught running twice, blocked in the write once */
    assert_int_equal(thread_role_merge(counts), ROLE_LOG_WRITER);
    counts[ROLE_LOCK_WAITER] = 2;
    assert_int_equal(thread_role_merge(counts), ROLE_LOCK_WAITER);
}

static void test_cause_table(void **state)
{
    (void)state;
    char detail[320];
    cause_input in = { false, true, true, 1, 5 };
    assert_string_equal(cause_decide(&in, detail, sizeof detail), CAUSE_NONE);
    in.stalled = true;
    assert_string_equal(cause_decide(&in, detail, sizeof detail), CAUSE_LOG_PIPE_DEADLOCK);
    in.log_writers = 4;
    assert_string_equal(cause_decide(&in, detail, sizeof detail), CAUSE_PIPE_WRITERS_BLOCKED);
    in.log_writers = 1;
    in.lock_waiters = 0;
    assert_string_equal(cause_decide(&in, detail, sizeof detail), CAUSE_PIPE_WRITERS_BLOCKED);
    in.log_writers = 0;
    assert_string_equal(cause_decide(&in, detail, sizeof detail), CAUSE_PIPE_FULL_UNCONFIRMED);
    in.threads_seen = false;
    assert_string_equal(cause_decide(&in, detail, sizeof detail), CAUSE_PIPE_FULL_UNCONFIRMED);
    in.pipe_full = false;
    in.threads_seen = true;
    in.lock_waiters = 3;
    assert_string_equal(cause_decide(&in, detail, sizeof detail), CAUSE_STALLED_PIPE_NOT_FULL);
    assert_non_null(strstr(detail, "another cause"));
}

static void test_port_template(void **state)
{
    (void)state;
    char *s = template_expand_port("--listen=127.0.0.1:{port},{port}", 8123);
    assert_string_equal(s, "--listen=127.0.0.1:8123,8123");
    free(s);
    s = template_expand_port("plain", 1);
    assert_string_equal(s, "plain");
    free(s);

    string_list env = STRING_LIST_INIT;
    string_list_add(&env, "STALLCHECK_UNIT_PORT=p{port}");
    string_list_add(&env, "PATH=/x");
    string_list_add(&env, "PATH=/y");
    char **vec = template_build_environment(&env, 99);
    int seen_port = 0, seen_path = 0;
    for (char **p = vec; *p; p++) {
        seen_port += strcmp(*p, "STALLCHECK_UNIT_PORT=p99") == 0;
        if (strncmp(*p, "PATH=", 5) == 0) {
            seen_path++;
            assert_string_equal(*p, "PATH=/y"); /* the last --env for a name wins */
        }
    }
    assert_int_equal(seen_port, 1);
    assert_int_equal(seen_path, 1);
    template_free_vector(vec);
    string_list_clear(&env);
}

static void test_default_trigger_body(void **state)
{
    (void)state;
    size_t len = 0;
    char *body = trigger_default_body(262144, &len);
    assert_non_null(body);
    assert_int_equal(strlen(body), len);
    cJSON *root = cJSON_Parse(body);
    assert_non_null(root);
    assert_string_equal(cJSON_GetObjectItem(root, "model")->valuestring, "claude-sonnet-4.5");
    assert_int_equal(cJSON_GetObjectItem(root, "max_tokens")->valueint, 64);
    assert_true(cJSON_IsTrue(cJSON_GetObjectItem(root, "stream")));
    cJSON *msg = cJSON_GetArrayItem(cJSON_GetObjectItem(root, "messages"), 0);
    assert_string_equal(cJSON_GetObjectItem(msg, "role")->valuestring, "user");
    assert_int_equal(strlen(cJSON_GetObjectItem(msg, "content")->valuestring), 262144);
    cJSON_Delete(root);
    free(body);
}

static void test_pipe_fullness(void **state)
{
    (void)state;
    assert_int_equal(log_pipe_full_slack(65536), 4096);
    assert_int_equal(log_pipe_full_slack(4096), 1024);
    assert_true(log_pipe_level_is_full(61440, 65536));
    assert_false(log_pipe_level_is_full(61439, 65536));
    assert_false(log_pipe_level_is_full(-1, 65536));

    log_pipe p;
    char err[256] = "";
    assert_int_equal(log_pipe_open(&p, "unit", 65536, err, sizeof err), 0);
    assert_true(p.capacity >= 4096);
    assert_true(p.inode != 0);
    assert_int_equal(log_pipe_pending(&p), 0);
    assert_false(log_pipe_is_full(&p));
    /* fill it the way a logger would, without blocking */
    int flags = fcntl(p.write_fd, F_GETFL);
    fcntl(p.write_fd, F_SETFL, flags | O_NONBLOCK);
    char chunk[1000];
    memset(chunk, 'x', sizeof chunk);
    long written = 0;
    for (;;) {
        ssize_t n = write(p.write_fd, chunk, sizeof chunk);
        if (n <= 0)
            break;
        written += n;
    }
    assert_int_equal(log_pipe_pending(&p), written);
    assert_true(log_pipe_is_full(&p));
#if defined(__linux__)
    assert_int_equal(log_pipe_has_room(&p), 0);
    assert_int_equal(p.capacity, p.scratch_capacity);
#endif
    char tail[64];
    size_t drained = log_pipe_read_tail(&p, tail, sizeof tail);
    assert_int_equal((long)drained, written);
    assert_int_equal(strlen(tail), sizeof tail - 1);
    assert_false(log_pipe_is_full(&p));
    log_pipe_close(&p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_options_defaults),
        cmocka_unit_test(test_options_values),
        cmocka_unit_test(test_options_errors),
        cmocka_unit_test(test_options_help),
        cmocka_unit_test(test_reader_specs),
        cmocka_unit_test(test_scanner_stops_at_long_line),
        cmocka_unit_test(test_syscall_parse_and_render),
        cmocka_unit_test(test_thread_roles),
        cmocka_unit_test(test_cause_table),
        cmocka_unit_test(test_port_template),
        cmocka_unit_test(test_default_trigger_body),
        cmocka_unit_test(test_pipe_fullness),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
