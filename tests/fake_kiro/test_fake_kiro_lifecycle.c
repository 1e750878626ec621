/* test_fake_kiro_lifecycle.c: fake-kiro as a program: --help documents every flag, bad flags
 * exit 2, the ready line and port file, and a prompt clean exit on SIGTERM/SIGINT even while a
 * request is hanging. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "fk_fixture.h"
#include "util/clock.h"

#define EXIT_DEADLINE_MS 3000

static void test_help_documents_every_flag(void **state)
{
    (void)state;
    const char *args[] = {"--help", NULL};
    int status = 0;
    char *out = NULL;
    assert_int_equal(fk_proc_run(args, 10000, &status, &out), 0);
    assert_true(WIFEXITED(status));
    assert_int_equal(WEXITSTATUS(status), 0);
    static const char *const flags[] = {
        "--listen",        "--port-file",  "--verbose",       "--help",
        "--delay-ms",      "--hang",       "--status",        "--quota",
        "--fail-count",    "--slow-ms",    "--malformed",     "--truncate",
        "--exception",     "--refresh-hang", "--refresh-status", "--models-hang",
        "--models-status", "--reply",      "--reply-bytes",   "--frame-bytes",
        "--metadata",      "--expires-in", "--reject-token",  "--expired-token",
        "--dead-refresh-token", "--extra-model", "/__fake/faults", "/__fake/stats",
    };
    for (size_t i = 0; i < sizeof flags / sizeof flags[0]; i++) {
        if (!strstr(out, flags[i]))
            fail_msg("--help does not mention %s", flags[i]);
    }
    free(out);
}

static void test_bad_flags_exit_2(void **state)
{
    (void)state;
    static const char *const bad[][3] = {
        {"--no-such-flag", NULL, NULL},
        {"--slow-ms", "soon", NULL},
        {"--status", "200", NULL},
        {"--listen", "localhost", NULL},
        {"--frame-bytes", NULL, NULL},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        int status = 0;
        char *out = NULL;
        assert_int_equal(fk_proc_run(bad[i], 10000, &status, &out), 0);
        assert_true(WIFEXITED(status));
        if (WEXITSTATUS(status) != 2)
            fail_msg("%s: exit %d, want 2", bad[i][0], WEXITSTATUS(status));
        free(out);
    }
}

static void test_ready_line_and_port_file(void **state)
{
    fk_proc *p = fk_fixture_start(state, NULL);
    char *out = fk_read_file(p->stdout_path);
    assert_non_null(out);
    char want[128];
    snprintf(want, sizeof want, "fake-kiro listening on http://127.0.0.1:%u\n", p->port);
    assert_string_equal(out, want);
    free(out);
    int status = 0;
    assert_int_equal(fk_proc_signal_and_wait(p, SIGINT, EXIT_DEADLINE_MS, &status), 0);
    assert_true(WIFEXITED(status));
    assert_int_equal(WEXITSTATUS(status), 0);
    assert_int_not_equal(access(p->port_file, F_OK), 0); /* removed on exit */
}

typedef struct hung_client {
    char url[256];
    fk_response response;
    int64_t elapsed_ms;
} hung_client;

static void *run_hung_client(void *arg)
{
    hung_client *c = arg;
    char *body = fk_body_plain("wait forever", "auto");
    int64_t start = clock_monotonic_ms();
    fk_response_init(&c->response);
    fk_http(&c->response, "POST", c->url, "t", body, 30000);
    c->elapsed_ms = clock_monotonic_ms() - start;
    free(body);
    return NULL;
}

static void test_sigterm_while_a_request_hangs(void **state)
{
    const char *args[] = {"--hang", NULL};
    fk_proc *p = fk_fixture_start(state, args);
    hung_client client;
    memset(&client, 0, sizeof client);
    snprintf(client.url, sizeof client.url, "%s/generateAssistantResponse", p->base_url);
    pthread_t thread;
    assert_int_equal(pthread_create(&thread, NULL, run_hung_client, &client), 0);
    assert_int_equal(fk_wait_stat(p->base_url, "hangs_active", 1, FK_STAT_TIMEOUT_MS), 0);

    int64_t start = clock_monotonic_ms();
    int status = 0;
    assert_int_equal(fk_proc_signal_and_wait(p, SIGTERM, EXIT_DEADLINE_MS, &status), 0);
    assert_true(clock_monotonic_ms() - start < EXIT_DEADLINE_MS);
    assert_true(WIFEXITED(status));
    assert_int_equal(WEXITSTATUS(status), 0);

    pthread_join(thread, NULL);
    assert_int_not_equal(client.response.curl_code, CURLE_OK); /* connection closed, no answer */
    assert_true(client.elapsed_ms < 10000);                  /* not its own 30 s timeout */
    fk_response_free(&client.response);
}

static void test_sigterm_during_a_slow_stream(void **state)
{
    const char *args[] = {"--slow-ms", "60000", NULL};
    fk_proc *p = fk_fixture_start(state, args);
    hung_client client;
    memset(&client, 0, sizeof client);
    snprintf(client.url, sizeof client.url, "%s/generateAssistantResponse", p->base_url);
    pthread_t thread;
    assert_int_equal(pthread_create(&thread, NULL, run_hung_client, &client), 0);
    assert_int_equal(fk_wait_stat(p->base_url, "streams_active", 1, FK_STAT_TIMEOUT_MS), 0);
    int status = 0;
    assert_int_equal(fk_proc_signal_and_wait(p, SIGTERM, EXIT_DEADLINE_MS, &status), 0);
    assert_true(WIFEXITED(status));
    assert_int_equal(WEXITSTATUS(status), 0);
    pthread_join(thread, NULL);
    assert_true(client.elapsed_ms < 10000);
    fk_response_free(&client.response);
}

int main(int argc, char **argv)
{
    fk_fixture_init(argc, argv);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_help_documents_every_flag),
        cmocka_unit_test(test_bad_flags_exit_2),
        cmocka_unit_test_setup_teardown(test_ready_line_and_port_file, fk_fixture_setup,
                                        fk_fixture_teardown),
        cmocka_unit_test_setup_teardown(test_sigterm_while_a_request_hangs, fk_fixture_setup,
                                        fk_fixture_teardown),
        cmocka_unit_test_setup_teardown(test_sigterm_during_a_slow_stream, fk_fixture_setup,
                                        fk_fixture_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
