/* test_upstream_classify.c: the verdict on each kind of upstream answer (ok, fail over, retry,
 * fatal), what is reported for the credential, the client's error, and the short message taken
 * from an error body. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "server/upstream_classify.h"

typedef struct classify_case {
    long status;
    const char *body;
    upstream_verdict verdict;
    cred_outcome outcome;
    int quota;
    int client_status; /* of the error the client would get */
    const char *client_type;
    const char *in_message; /* must appear in the client's error message */
} classify_case;

static const classify_case cases[] = {
    {200, "", UPSTREAM_VERDICT_OK, CRED_OUTCOME_OK, 0, 0, "", NULL},
    /* the credential cannot serve: another one */
    {401, "{\"message\":\"bad token\"}", UPSTREAM_VERDICT_FAIL_OVER, CRED_OUTCOME_AUTH_FAILED, 0,
     502, "api_error", "rejected (HTTP 401): bad token"},
    {403, "{\"message\":\"denied\"}", UPSTREAM_VERDICT_FAIL_OVER, CRED_OUTCOME_AUTH_FAILED, 0, 502,
     "api_error", "HTTP 403"},
    {402, "{}", UPSTREAM_VERDICT_FAIL_OVER, CRED_OUTCOME_QUOTA, 1, 429, "rate_limit_error",
     "quota exhausted"},
    {403, "{\"reason\":\"MONTHLY_REQUEST_COUNT\",\"message\":\"limit\"}",
     UPSTREAM_VERDICT_FAIL_OVER, CRED_OUTCOME_QUOTA, 1, 429, "rate_limit_error",
     "limit reason=MONTHLY_REQUEST_COUNT"},
    {429, "ServiceQuotaExceeded", UPSTREAM_VERDICT_FAIL_OVER, CRED_OUTCOME_QUOTA, 1, 429,
     "rate_limit_error", "ServiceQuotaExceeded"},
    /* transient: retry */
    {429, "{\"message\":\"slow down\"}", UPSTREAM_VERDICT_RETRY, CRED_OUTCOME_TRANSIENT, 0, 429,
     "rate_limit_error", "throttled the request: slow down"},
    {408, "", UPSTREAM_VERDICT_RETRY, CRED_OUTCOME_TRANSIENT, 0, 504, "timeout_error", "408"},
    {500, "boom", UPSTREAM_VERDICT_RETRY, CRED_OUTCOME_TRANSIENT, 0, 502, "api_error",
     "upstream error 500: boom"},
    {503, "", UPSTREAM_VERDICT_RETRY, CRED_OUTCOME_TRANSIENT, 0, 529, "overloaded_error",
     "upstream error 503"},
    {0, NULL, UPSTREAM_VERDICT_RETRY, CRED_OUTCOME_TRANSIENT, 0, 502, "api_error",
     "upstream unreachable: Connection refused"},
    /* the request itself was refused: stop */
    {400, "{\"message\":\"Improperly formed request.\"}", UPSTREAM_VERDICT_FATAL, CRED_OUTCOME_OK,
     0, 400, "invalid_request_error", "rejected the request: Improperly formed request."},
    {404, "", UPSTREAM_VERDICT_FATAL, CRED_OUTCOME_OK, 0, 502, "api_error",
     "unexpected upstream status 404"},
};

static void test_verdicts(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const classify_case *c = &cases[i];
        upstream_answer_class k;
        size_t len = c->body ? strlen(c->body) : 0;
        upstream_verdict v = upstream_classify(c->status, c->body, len, "Connection refused", &k);
        if (v != c->verdict || k.verdict != v || k.outcome != c->outcome || k.quota != c->quota)
            fail_msg("status %ld body '%s': verdict %d outcome %d quota %d", c->status,
                     c->body ? c->body : "(none)", v, k.outcome, k.quota);
        if (c->verdict == UPSTREAM_VERDICT_OK)
            continue;
        assert_int_equal(k.error.status, c->client_status);
        assert_string_equal(k.error.type, c->client_type);
        if (!strstr(k.error.message, c->in_message))
            fail_msg("status %ld: '%s' lacks '%s'", c->status, k.error.message, c->in_message);
    }
}

static void test_error_message_from_body(void **state)
{
    (void)state;
    char out[UPSTREAM_MESSAGE_SIZE];
    const char *json = "{\"Message\":\"capital M\"}";
    upstream_error_message(json, strlen(json), out, sizeof out);
    assert_string_equal(out, "capital M");
    const char *controls = "line one\nline\ttwo";
    upstream_error_message(controls, strlen(controls), out, sizeof out);
    assert_string_equal(out, "line one line two");
    upstream_error_message(NULL, 0, out, sizeof out);
    assert_string_equal(out, "");
    /* a long raw body is cut to 300 characters */
    char big[1000];
    memset(big, 'x', sizeof big);
    upstream_error_message(big, sizeof big, out, sizeof out);
    assert_int_equal(strlen(out), 300);
    /* only the bytes given count: no reading past the length */
    upstream_error_message("abcdef", 3, out, sizeof out);
    assert_string_equal(out, "abc");
}

static void test_quota_words_only_count_on_403_and_429(void **state)
{
    (void)state;
    const char *body = "MONTHLY_REQUEST_COUNT";
    assert_true(upstream_is_quota_error(403, body, strlen(body)));
    assert_true(upstream_is_quota_error(429, body, strlen(body)));
    assert_false(upstream_is_quota_error(500, body, strlen(body)));
    assert_false(upstream_is_quota_error(403, body, 7)); /* the word is beyond the length */
    assert_true(upstream_is_quota_error(402, NULL, 0));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_verdicts),
        cmocka_unit_test(test_error_message_from_body),
        cmocka_unit_test(test_quota_words_only_count_on_403_and_429),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
