/* test_fake_kiro_faults.c: the fault switches of fake-kiro, from the command line and at runtime
 * through /__fake/faults: HTTP error statuses and quota errors, fail-count (fault then recovery),
 * hang (a hung request never blocks another; it is released when its client leaves), delay,
 * truncate, malformed CRC, exception frames, the refresh/models faults, reset, and the stream
 * counters (streams_aborted when a client walks away mid-stream). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "eventstream/eventstream.h"
#include "fk_fixture.h"
#include "util/clock.h"

static long post_status(const fk_proc *p, const char *body, fk_response *r)
{
    fk_response_init(r);
    fk_post(r, p->base_url, "/generateAssistantResponse", body);
    return r->status;
}

static void test_status_flag(void **state)
{
    const char *args[] = {"--status", "429", NULL};
    fk_proc *p = fk_fixture_start(state, args);
    char *body = fk_body_plain("hi", "auto");
    fk_response r;
    assert_int_equal(post_status(p, body, &r), 429);
    assert_string_equal(r.error_type, "ThrottlingException");
    cJSON *json = fk_response_json(&r);
    assert_string_equal(fk_json_at(json, "__type")->valuestring, "ThrottlingException");
    assert_string_equal(fk_json_at(json, "message")->valuestring, "Too many requests");
    cJSON_Delete(json);
    fk_response_free(&r);
    assert_int_equal(fk_stat(p->base_url, "faults_injected"), 1);
    free(body);
}

static void test_quota(void **state)
{
    const char *args[] = {"--quota", NULL};
    fk_proc *p = fk_fixture_start(state, args);
    char *body = fk_body_plain("hi", "auto");
    fk_response r;
    assert_int_equal(post_status(p, body, &r), 402);
    cJSON *json = fk_response_json(&r);
    assert_string_equal(fk_json_at(json, "reason")->valuestring, "MONTHLY_REQUEST_COUNT");
    cJSON_Delete(json);
    fk_response_free(&r);

    assert_int_equal(fk_set_faults(p->base_url, "{\"status\":403}"), 200);
    assert_int_equal(post_status(p, body, &r), 403);
    json = fk_response_json(&r);
    assert_string_equal(fk_json_at(json, "reason")->valuestring, "MONTHLY_REQUEST_COUNT");
    cJSON_Delete(json);
    fk_response_free(&r);
    free(body);
}

static void test_fail_count_then_success(void **state)
{
    fk_proc *p = fk_fixture_start(state, NULL);
    assert_int_equal(fk_set_faults(p->base_url, "{\"status\":500,\"fail_count\":2}"), 200);
    char *body = fk_body_plain("retry me", "auto");
    fk_response r;
    assert_int_equal(post_status(p, body, &r), 500);
    fk_response_free(&r);
    assert_int_equal(post_status(p, body, &r), 500);
    fk_response_free(&r);
    assert_int_equal(post_status(p, body, &r), 200);
    fk_events e;
    fk_decode(&r, &e);
    char *text = fk_events_text(&e);
    assert_string_equal(text, "Hello from fake-kiro. You said: retry me");
    free(text);
    fk_events_free(&e);
    fk_response_free(&r);
    assert_int_equal(post_status(p, body, &r), 200);
    fk_response_free(&r);
    assert_int_equal(fk_stat(p->base_url, "faults_injected"), 2);
    free(body);
}

typedef struct background_request {
    const char *base_url;
    const char *path;
    const char *body;
    long timeout_ms;
    fk_response response;
    int64_t elapsed_ms;
} background_request;

static void *run_background(void *arg)
{
    background_request *b = arg;
    int64_t start = clock_monotonic_ms();
    fk_response_init(&b->response);
    char url[256];
    snprintf(url, sizeof url, "%s%s", b->base_url, b->path);
    fk_http(&b->response, "POST", url, "test-token", b->body, b->timeout_ms);
    b->elapsed_ms = clock_monotonic_ms() - start;
    return NULL;
}

static void test_hang_blocks_only_itself(void **state)
{
    fk_proc *p = fk_fixture_start(state, NULL);
    assert_int_equal(fk_set_faults(p->base_url, "{\"hang\":true,\"fail_count\":1}"), 200);
    char *body = fk_body_plain("hang on", "auto");
    background_request hung = {p->base_url, "/generateAssistantResponse", body, 3000, {0}, 0};
    pthread_t thread;
    assert_int_equal(pthread_create(&thread, NULL, run_background, &hung), 0);
    assert_int_equal(fk_wait_stat(p->base_url, "hangs_active", 1, FK_STAT_TIMEOUT_MS), 0);

    /* while it hangs, another request is answered */
    fk_response r;
    assert_int_equal(post_status(p, body, &r), 200);
    fk_response_free(&r);
    assert_int_equal(fk_stat(p->base_url, "hangs_active"), 1);

    pthread_join(thread, NULL);
    assert_int_equal(hung.response.curl_code, CURLE_OPERATION_TIMEDOUT);
    assert_int_equal(hung.response.body.len, 0);
    /* the client gave up: fake-kiro notices and releases the hung request */
    assert_int_equal(fk_wait_stat(p->base_url, "hangs_active", 0, FK_STAT_TIMEOUT_MS), 0);
    fk_response_free(&hung.response);
    free(body);
}

static void test_delay(void **state)
{
    const char *args[] = {"--delay-ms", "300", NULL};
    fk_proc *p = fk_fixture_start(state, args);
    char *body = fk_body_plain("slowly", "auto");
    fk_response r;
    int64_t start = clock_monotonic_ms();
    assert_int_equal(post_status(p, body, &r), 200);
    assert_true(clock_monotonic_ms() - start >= 290);
    fk_response_free(&r);
    free(body);
}

static void test_truncate(void **state)
{
    const char *args[] = {"--truncate", NULL};
    fk_proc *p = fk_fixture_start(state, args);
    char *body = fk_body_plain("cut me off", "auto");
    fk_response r;
    fk_response_init(&r);
    CURLcode rc = fk_post(&r, p->base_url, "/generateAssistantResponse", body);
    assert_int_not_equal(rc, CURLE_OK); /* the connection was cut mid-body */
    assert_int_equal(r.status, 200);
    fk_events e;
    fk_decode(&r, &e);
    assert_int_equal(e.feed_rc, ES_OK);
    assert_int_equal(e.finish_rc, ES_ERR_TRUNCATED);
    assert_int_equal(e.count, 2);
    char *text = fk_events_text(&e);
    assert_int_equal(strncmp(text, "Hello from fake-kiro. You said: cut me off", strlen(text)), 0);
    free(text);
    fk_events_free(&e);
    fk_response_free(&r);
    assert_int_equal(fk_wait_stat(p->base_url, "streams_cut", 1, FK_STAT_TIMEOUT_MS), 0);
    free(body);
}

static void test_malformed(void **state)
{
    const char *args[] = {"--malformed", NULL};
    fk_proc *p = fk_fixture_start(state, args);
    char *body = fk_body_plain("corrupt me", "auto");
    fk_response r;
    fk_response_init(&r);
    assert_int_equal(fk_post(&r, p->base_url, "/generateAssistantResponse", body), CURLE_OK);
    assert_int_equal(r.status, 200);
    fk_events e;
    fk_decode(&r, &e);
    assert_int_equal(e.feed_rc, ES_ERR_MESSAGE_CRC);
    assert_int_equal(e.count, 2);
    fk_events_free(&e);
    fk_response_free(&r);
    free(body);
}

static void test_exception_frame(void **state)
{
    const char *args[] = {"--exception", "ContentLengthExceededException", NULL};
    fk_proc *p = fk_fixture_start(state, args);
    char *body = fk_body_plain("too long", "auto");
    fk_response r;
    fk_response_init(&r);
    assert_int_equal(fk_post(&r, p->base_url, "/generateAssistantResponse", body), CURLE_OK);
    fk_events e;
    fk_decode(&r, &e);
    assert_int_equal(e.feed_rc, ES_OK);
    assert_int_equal(e.finish_rc, ES_OK);
    assert_true(e.count >= 2);
    char *text = fk_events_text(&e);
    assert_true(strlen(text) > 0); /* some text came first */
    const fk_event *last = &e.items[e.count - 1];
    assert_string_equal(last->message_type, "exception");
    assert_string_equal(last->exception_type, "ContentLengthExceededException");
    assert_true(cJSON_IsString(fk_json_at(last->payload, "message")));
    free(text);
    fk_events_free(&e);
    fk_response_free(&r);

    /* and at runtime, with another type */
    assert_int_equal(fk_set_faults(p->base_url, "{\"exception\":\"ThrottlingException\"}"), 200);
    fk_response_init(&r);
    fk_post(&r, p->base_url, "/generateAssistantResponse", body);
    fk_decode(&r, &e);
    assert_string_equal(e.items[e.count - 1].exception_type, "ThrottlingException");
    fk_events_free(&e);
    fk_response_free(&r);
    free(body);
}

static void test_runtime_faults_and_reset(void **state)
{
    const char *args[] = {"--frame-bytes", "4", NULL};
    fk_proc *p = fk_fixture_start(state, args);
    char url[256];
    snprintf(url, sizeof url, "%s/__fake/faults", p->base_url);

    assert_int_equal(fk_set_faults(p->base_url, "{\"no_such_fault\":true}"), 400);
    assert_int_equal(fk_set_faults(p->base_url, "{\"status\":200}"), 400);
    assert_int_equal(fk_set_faults(p->base_url, "not json"), 400);
    assert_int_equal(fk_set_faults(p->base_url, "{\"status\":503,\"slow_ms\":1,"
                                                "\"frame_bytes\":8,\"models_status\":500}"),
                     200);
    fk_response r;
    fk_response_init(&r);
    fk_http(&r, "GET", url, NULL, NULL, 5000);
    cJSON *json = fk_response_json(&r);
    assert_int_equal(fk_json_at(json, "status")->valuedouble, 503);
    assert_int_equal(fk_json_at(json, "frame_bytes")->valuedouble, 8);
    assert_false(cJSON_IsTrue(fk_json_at(json, "hang")));
    cJSON_Delete(json);
    fk_response_free(&r);

    char *body = fk_body_plain("x", "auto");
    assert_int_equal(post_status(p, body, &r), 503);
    fk_response_free(&r);

    fk_response_init(&r);
    char reset[256];
    snprintf(reset, sizeof reset, "%s/__fake/reset", p->base_url);
    fk_http(&r, "POST", reset, NULL, "", 5000);
    assert_int_equal(r.status, 200);
    fk_response_free(&r);

    fk_response_init(&r);
    fk_http(&r, "GET", url, NULL, NULL, 5000);
    json = fk_response_json(&r);
    assert_int_equal(fk_json_at(json, "status")->valuedouble, 0);
    assert_int_equal(fk_json_at(json, "models_status")->valuedouble, 0);
    assert_int_equal(fk_json_at(json, "frame_bytes")->valuedouble, 4); /* command line again */
    cJSON_Delete(json);
    fk_response_free(&r);
    assert_int_equal(fk_stat(p->base_url, "requests.generateAssistantResponse"), 0);
    assert_int_equal(fk_stat(p->base_url, "faults_injected"), 0);

    assert_int_equal(post_status(p, body, &r), 200);
    fk_response_free(&r);
    free(body);
}

static void test_client_leaving_mid_stream_is_counted(void **state)
{
    const char *args[] = {"--slow-ms", "50", "--reply-bytes", "4000", NULL};
    fk_proc *p = fk_fixture_start(state, args);
    char *body = fk_body_plain("long story", "auto");
    fk_response r;
    fk_response_init(&r);
    r.abort_after = 1; /* hang up as soon as the first bytes arrive */
    assert_int_equal(fk_post(&r, p->base_url, "/generateAssistantResponse", body),
                     CURLE_WRITE_ERROR);
    fk_response_free(&r);
    /* 250 frames x 50 ms would take 12 s; the abort must be seen long before that */
    assert_int_equal(fk_wait_stat(p->base_url, "streams_aborted", 1, 5000), 0);
    assert_int_equal(fk_stat(p->base_url, "streams_active"), 0);
    assert_int_equal(fk_stat(p->base_url, "streams_completed"), 0);
    free(body);
}

static void test_slow_stream_still_completes(void **state)
{
    const char *args[] = {"--slow-ms", "20", NULL};
    fk_proc *p = fk_fixture_start(state, args);
    char *body = fk_body_plain("abc", "auto");
    fk_response r;
    int64_t start = clock_monotonic_ms();
    assert_int_equal(post_status(p, body, &r), 200);
    fk_events e;
    fk_decode(&r, &e);
    assert_int_equal(e.finish_rc, ES_OK);
    /* n frames with a pause between each pair */
    assert_true(clock_monotonic_ms() - start >= (int64_t)(e.count - 1) * 20 - 5);
    fk_events_free(&e);
    fk_response_free(&r);
    assert_int_equal(fk_wait_stat(p->base_url, "streams_completed", 1, FK_STAT_TIMEOUT_MS), 0);
    free(body);
}

static void test_refresh_and_models_faults(void **state)
{
    fk_proc *p = fk_fixture_start(state, NULL);
    assert_int_equal(fk_set_faults(p->base_url, "{\"refresh_status\":503,\"models_status\":500}"),
                     200);
    fk_response r;
    fk_response_init(&r);
    fk_post(&r, p->base_url, "/refreshToken", "{\"refreshToken\":\"x\"}");
    assert_int_equal(r.status, 503);
    fk_response_free(&r);
    fk_response_init(&r);
    fk_post(&r, p->base_url, "/token", "{}");
    assert_int_equal(r.status, 503);
    cJSON *json = fk_response_json(&r);
    assert_string_equal(fk_json_at(json, "error")->valuestring, "server_error");
    cJSON_Delete(json);
    fk_response_free(&r);
    char url[256];
    snprintf(url, sizeof url, "%s/ListAvailableModels", p->base_url);
    fk_response_init(&r);
    fk_http(&r, "GET", url, "t", NULL, 5000);
    assert_int_equal(r.status, 500);
    fk_response_free(&r);

    assert_int_equal(fk_set_faults(p->base_url, "{\"refresh_status\":0,\"models_status\":0,"
                                                "\"refresh_hang\":true,\"models_hang\":true}"),
                     200);
    fk_response_init(&r);
    fk_http(&r, "GET", url, "t", NULL, 500);
    assert_int_equal(r.curl_code, CURLE_OPERATION_TIMEDOUT);
    fk_response_free(&r);
    snprintf(url, sizeof url, "%s/refreshToken", p->base_url);
    fk_response_init(&r);
    fk_http(&r, "POST", url, NULL, "{\"refreshToken\":\"x\"}", 500);
    assert_int_equal(r.curl_code, CURLE_OPERATION_TIMEDOUT);
    fk_response_free(&r);
    assert_int_equal(fk_wait_stat(p->base_url, "hangs_active", 0, FK_STAT_TIMEOUT_MS), 0);
    /* generateAssistantResponse is unaffected */
    char *body = fk_body_plain("fine", "auto");
    assert_int_equal(post_status(p, body, &r), 200);
    fk_response_free(&r);
    free(body);
}

int main(int argc, char **argv)
{
    fk_fixture_init(argc, argv);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_status_flag, fk_fixture_setup, fk_fixture_teardown),
        cmocka_unit_test_setup_teardown(test_quota, fk_fixture_setup, fk_fixture_teardown),
        cmocka_unit_test_setup_teardown(test_fail_count_then_success, fk_fixture_setup,
                                        fk_fixture_teardown),
        cmocka_unit_test_setup_teardown(test_hang_blocks_only_itself, fk_fixture_setup,
                                        fk_fixture_teardown),
        cmocka_unit_test_setup_teardown(test_delay, fk_fixture_setup, fk_fixture_teardown),
        cmocka_unit_test_setup_teardown(test_truncate, fk_fixture_setup, fk_fixture_teardown),
        cmocka_unit_test_setup_teardown(test_malformed, fk_fixture_setup, fk_fixture_teardown),
        cmocka_unit_test_setup_teardown(test_exception_frame, fk_fixture_setup,
                                        fk_fixture_teardown),
        cmocka_unit_test_setup_teardown(test_runtime_faults_and_reset, fk_fixture_setup,
                                        fk_fixture_teardown),
        cmocka_unit_test_setup_teardown(test_client_leaving_mid_stream_is_counted,
                                        fk_fixture_setup, fk_fixture_teardown),
        cmocka_unit_test_setup_teardown(test_slow_stream_still_completes, fk_fixture_setup,
                                        fk_fixture_teardown),
        cmocka_unit_test_setup_teardown(test_refresh_and_models_faults, fk_fixture_setup,
                                        fk_fixture_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
