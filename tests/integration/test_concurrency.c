/* test_concurrency.c: the proxy under concurrent load: many clients at once mixing model
 * listings, streaming and non-streaming messages, OpenAI calls and admin reads. Every request
 * must succeed and the proxy must exit cleanly afterwards. Built with ThreadSanitizer
 * (make test-tsan) this is the data-race check of the server, the relay and the logger. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "http.h"
#include "stack.h"

#define CLIENTS 24
#define REQUESTS_PER_CLIENT 12
#define TIMEOUT_MS 60000

static test_stack stack;
static atomic_int failures;
static char first_failure[512];
static pthread_mutex_t failure_lock = PTHREAD_MUTEX_INITIALIZER;

static void record_failure(const char *what, const tp_response *r)
{
    if (atomic_fetch_add(&failures, 1) == 0) {
        pthread_mutex_lock(&failure_lock);
        snprintf(first_failure, sizeof first_failure, "%s: status %ld curl %d body %.200s", what,
                 r->status, r->curl_code, r->body ? r->body : "");
        pthread_mutex_unlock(&failure_lock);
    }
}

static void *client(void *arg)
{
    int id = (int)(intptr_t)arg;
    const char *const admin[] = {"x-admin-key: " STACK_ADMIN_KEY, NULL};
    for (int i = 0; i < REQUESTS_PER_CLIENT; i++) {
        tp_response r;
        int kind = (id + i) % 5;
        int ok = 0;
        const char *what = "";
        switch (kind) {
        case 0:
            what = "models";
            ok = stack_request(&stack, "GET", "/v1/models", NULL, 1, TIMEOUT_MS, &r) == 0 &&
                 r.status == 200;
            break;
        case 1:
            what = "messages stream";
            ok = stack_request(&stack, "POST", "/v1/messages",
                               "{\"model\":\"claude-sonnet-4.5\",\"max_tokens\":50,\"stream\":true,"
                               "\"messages\":[{\"role\":\"user\",\"content\":\"concurrent\"}]}",
                               1, TIMEOUT_MS, &r) == 0 &&
                 r.status == 200 && strstr(r.body, "event: message_stop");
            break;
        case 2:
            what = "messages";
            ok = stack_request(&stack, "POST", "/v1/messages",
                               "{\"model\":\"claude-haiku-4-5\",\"max_tokens\":50,"
                               "\"messages\":[{\"role\":\"user\",\"content\":\"hello\"}]}",
                               1, TIMEOUT_MS, &r) == 0 &&
                 r.status == 200 && strstr(r.body, "\"end_turn\"");
            break;
        case 3:
            what = "openai stream";
            ok = stack_request(&stack, "POST", "/v1/chat/completions",
                               "{\"model\":\"claude-sonnet-4.5\",\"stream\":true,"
                               "\"messages\":[{\"role\":\"user\",\"content\":\"hey\"}]}",
                               1, TIMEOUT_MS, &r) == 0 &&
                 r.status == 200 && strstr(r.body, "[DONE]");
            break;
        default:
            what = "admin";
            ok = stack_request_h(&stack, "GET", "/api/admin/credentials", NULL, admin, TIMEOUT_MS, &r) == 0 &&
                 r.status == 200;
            break;
        }
        if (!ok)
            record_failure(what, &r);
        tp_response_free(&r);
    }
    return NULL;
}

static void test_concurrent_clients(void **state)
{
    (void)state;
    stack_options o = {.proxy = "kiro-proxy-async"};
    assert_int_equal(stack_start(&stack, &o), 0);
    pthread_t threads[CLIENTS];
    for (int i = 0; i < CLIENTS; i++)
        assert_int_equal(pthread_create(&threads[i], NULL, client, (void *)(intptr_t)i), 0);
    for (int i = 0; i < CLIENTS; i++)
        pthread_join(threads[i], NULL);
    tp_response r;
    assert_int_equal(stack_request(&stack, "GET", "/metrics", NULL, 0, TIMEOUT_MS, &r), 0);
    assert_non_null(strstr(r.body, "kiro_streams_active 0"));
    tp_response_free(&r);
    int stopped = stack_stop(&stack);
    if (atomic_load(&failures))
        fail_msg("%d requests failed; first: %s", atomic_load(&failures), first_failure);
    assert_int_equal(stopped, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_concurrent_clients)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
