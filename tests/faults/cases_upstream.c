/* cases_upstream.c: upstream faults from fake-kiro: no first byte, a slow stream, 401/403 on
 * one credential (failover to the other), 429/500 (bounded retries with backoff). In each, the
 * client asking for the faulty upstream gets a clear answer within a bound, and nobody else
 * waits: the probes run while the fault lasts. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fx_cases.h"
#include "fx_metrics.h"
#include "fx_probe.h"
#include "fx_reply.h"
#include "fx_upstream_util.h"

#define FIRST_BYTE_TIMEOUT_MS 3000
#define SLOW_FRAME_MS 150
#define MAX_RETRIES 2
#define RETRY_BASE_MS 200

typedef struct fake_wait {
    fx_stack *s;
    fx_fake_stats st;
    int (*done)(const fx_fake_stats *st);
} fake_wait;

static int fake_condition(void *arg)
{
    fake_wait *w = arg;
    return fx_fake_stats_get(w->s, &w->st) == 0 && w->done(&w->st);
}

static int two_hanging(const fx_fake_stats *st)
{
    return st->hangs_active == 2;
}

static int none_hanging(const fx_fake_stats *st)
{
    return st->hangs_active == 0;
}

static int models_asked(const fx_fake_stats *st)
{
    return st->list_models >= 1;
}

static int one_streaming(const fx_fake_stats *st)
{
    return st->streams_active >= 1;
}

/* Checks a 504 timeout_error that came after the first-byte timeout, not much later. */
static void check_timeout_answer(fx_run *run, const char *what, const fx_bg *bg)
{
    char message[200] = "";
    int shaped = fx_is_anthropic_error(&bg->resp, "timeout_error", message, sizeof message);
    FX_CHECK(run, bg->resp.status == 504 && shaped,
             "%s: 504 timeout_error in Anthropic shape (status %ld: %.120s)", what,
             bg->resp.status, bg->resp.body ? bg->resp.body : "");
    FX_CHECK(run, bg->elapsed_ms >= FIRST_BYTE_TIMEOUT_MS - 100 &&
                      bg->elapsed_ms <= FIRST_BYTE_TIMEOUT_MS + 4000,
             "%s: answered after the %d ms first-byte timeout, within 4 s of it (%lld ms)", what,
             FIRST_BYTE_TIMEOUT_MS, bg->elapsed_ms);
}

void fx_case_upstream_hang(fx_run *run)
{
    static const char *const fake_args[] = {"--hang", "--fail-count", "2", NULL};
    char timeout[16];
    snprintf(timeout, sizeof timeout, "%d", FIRST_BYTE_TIMEOUT_MS);
    const char *const proxy_args[] = {"--first-byte-timeout-ms", timeout, NULL};
    fx_stack s;
    if (!fx_start_drained(run, &s, fake_args, proxy_args, NULL))
        return;
    fx_bg plain, streamed;
    char *plain_body = fx_messages_body(0, FX_PROMPT);
    char *stream_body = fx_messages_body(1, FX_PROMPT);
    fx_bg_start(&plain, &s, "/v1/messages", fx_api_headers, plain_body, 15000);
    fx_bg_start(&streamed, &s, "/v1/messages", fx_api_headers, stream_body, 15000);
    fake_wait w = {&s, {0}, two_hanging};
    FX_CHECK(run, fx_poll_until(5000, 10, fake_condition, &w),
             "fake-kiro holds both requests in its hang (hangs_active %lld)", w.st.hangs_active);

    fx_probe_phase(run, &s, "during the hang", 2);
    tp_response r;
    long long t0 = fx_now_ms();
    fx_proxy_request(&s, "POST", "/v1/messages", fx_api_headers, plain_body, 5000, &r);
    long long other_ms = fx_now_ms() - t0;
    int still_hanging = !fx_bg_done(&plain) && !fx_bg_done(&streamed);
    char *text = fx_message_text(r.body);
    FX_CHECK(run, r.status == 200 && text && strcmp(text, FX_ECHO) == 0,
             "another /v1/messages succeeds meanwhile (status %ld, %lld ms)", r.status, other_ms);
    FX_CHECK(run, still_hanging, "the hung requests were still waiting when it was answered");
    free(text);
    tp_response_free(&r);

    fx_bg_join(&plain);
    fx_bg_join(&streamed);
    check_timeout_answer(run, "non-streaming caller", &plain);
    check_timeout_answer(run, "streaming caller", &streamed);
    fx_note(run, "hung callers got %ld/%ld after %lld/%lld ms; other request 200 in %lld ms",
            plain.resp.status, streamed.resp.status, plain.elapsed_ms, streamed.elapsed_ms,
            other_ms);
    fx_bg_free(&plain);
    fx_bg_free(&streamed);
    free(plain_body);
    free(stream_body);
    fake_wait gone = {&s, {0}, none_hanging};
    FX_CHECK(run, fx_poll_until(5000, 20, fake_condition, &gone),
             "the proxy closed the hung upstream requests (hangs_active %lld)", gone.st.hangs_active);
    fx_end_drained(run, &s);
}

void fx_case_upstream_slow(fx_run *run)
{
    /* 20 frames of 16 bytes, 150 ms apart: a stream of about 3 s. */
    static const char reply[] =
        "slow stream part 01. slow stream part 02. slow stream part 03. slow stream part 04. "
        "slow stream part 05. slow stream part 06. slow stream part 07. slow stream part 08. "
        "slow stream part 09. slow stream part 10. slow stream part 11. slow stream part 12. "
        "slow stream part 13. slow stream part 14. slow stream part 15. end.";
    char slow[16];
    snprintf(slow, sizeof slow, "%d", SLOW_FRAME_MS);
    const char *const fake_args[] = {"--slow-ms", slow, "--reply", reply, NULL};
    fx_stack s;
    if (!fx_start_drained(run, &s, fake_args, NULL, NULL))
        return;
    fx_bg bg;
    char *body = fx_messages_body(1, FX_PROMPT);
    fx_bg_start(&bg, &s, "/v1/messages", fx_api_headers, body, 30000);
    free(body);
    fake_wait w = {&s, {0}, one_streaming};
    FX_CHECK(run, fx_poll_until(5000, 10, fake_condition, &w), "fake-kiro is streaming slowly");
    fx_probe_phase(run, &s, "during the slow stream", 2);
    FX_CHECK(run, !fx_bg_done(&bg), "the slow stream was still running during the probes");
    fx_bg_join(&bg);
    fx_stream_view v;
    fx_stream_view_parse(bg.resp.body, &v);
    FX_CHECK(run, bg.resp.status == 200, "the slow stream is answered 200 (%ld)", bg.resp.status);
    FX_CHECK(run, v.message_start == 0 && v.message_stop == v.last && v.message_stop > 0 &&
                      v.error < 0,
             "the stream is complete: message_start first, message_stop last, no error event "
             "(start %d, stop %d of %d, error %d)", v.message_start, v.message_stop, v.events, v.error);
    FX_CHECK(run, strcmp(v.text, reply) == 0, "the streamed text is exactly the reply (%zu of %zu bytes)",
             strlen(v.text), strlen(reply));
    FX_CHECK(run, bg.elapsed_ms >= 2000, "the stream really was slow (%lld ms)", bg.elapsed_ms);
    fx_note(run, "slow stream complete: %d events, %zu text bytes in %lld ms", v.events,
            strlen(v.text), bg.elapsed_ms);
    fx_stream_view_free(&v);
    fx_bg_free(&bg);
    fx_end_drained(run, &s);
}

/* ListAvailableModels never answers: the model list is served from the catalogue, and the
 * proxy's background fetch (15 s bound) keeps nobody waiting. */
void fx_case_models_hang(fx_run *run)
{
    static const char *const fake_args[] = {"--models-hang", NULL};
    fx_stack s;
    if (!fx_start_drained(run, &s, fake_args, NULL, NULL))
        return;
    fake_wait w = {&s, {0}, models_asked};
    FX_CHECK(run, fx_poll_until(5000, 10, fake_condition, &w),
             "the proxy's model fetch reaches fake-kiro and hangs (ListAvailableModels %lld)",
             w.st.list_models);
    fx_probe_phase(run, &s, "while the model fetch hangs", 2);
    fx_bg bg;
    fx_request_while_probing(run, &s, 0, 10000, &bg);
    char *text = fx_message_text(bg.resp.body);
    FX_CHECK(run, bg.resp.status == 200 && text && strcmp(text, FX_ECHO) == 0,
             "/v1/messages still works (status %ld)", bg.resp.status);
    fx_note(run, "/v1/messages %ld in %lld ms", bg.resp.status, bg.elapsed_ms);
    free(text);
    fx_bg_free(&bg);
    fx_end_drained(run, &s);
}

/* The first credential is refused (401 or 403); requests must succeed through the second. */
static void failover_case(fx_run *run, const char *flag, long status)
{
    const char *const fake_args[] = {flag, FX_TOKEN_ONE, NULL};
    char creds[2048];
    fx_credentials_json(2, 10L * 365 * 24 * 3600, creds, sizeof creds);
    fx_stack s;
    if (!fx_start_drained(run, &s, fake_args, NULL, creds))
        return;
    fx_metrics m0, m1;
    FX_CHECK(run, fx_metrics_get(&s, 5000, &m0) == 0, "/metrics answers");
    /* Round robin may start at either credential: up to three requests, all must succeed,
     * and one of them must have met the refused credential first. */
    int requests = 0, all_ok = 1;
    m1 = m0;
    while (requests < 3 && m1.upstream_failovers == m0.upstream_failovers) {
        fx_bg bg;
        fx_request_while_probing(run, &s, 0, 10000, &bg);
        char *text = fx_message_text(bg.resp.body);
        all_ok &= FX_CHECK(run, bg.resp.status == 200 && text && strcmp(text, FX_ECHO) == 0,
                           "the request succeeds through the other credential (status %ld: %.100s)",
                           bg.resp.status, bg.resp.body ? bg.resp.body : "");
        free(text);
        fx_bg_free(&bg);
        requests++;
        if (fx_metrics_get(&s, 5000, &m1) != 0)
            break;
    }
    fx_fake_stats st;
    fx_fake_stats_get(&s, &st);
    FX_CHECK(run, m1.upstream_failovers == m0.upstream_failovers + 1,
             "kiro_upstream_failovers_total increases by 1 (%lld -> %lld)", m0.upstream_failovers,
             m1.upstream_failovers);
    FX_CHECK(run, st.rejected >= 1, "fake-kiro answered %ld to the first credential (rejected %lld)",
             status, st.rejected);
    fx_note(run, "%d request(s) all %s; failovers %lld -> %lld; fake-kiro rejected %lld", requests,
            all_ok ? "200" : "NOT 200", m0.upstream_failovers, m1.upstream_failovers, st.rejected);
    fx_end_drained(run, &s);
}

void fx_case_upstream_401(fx_run *run)
{
    failover_case(run, "--expired-token", 401);
}

void fx_case_upstream_403(fx_run *run)
{
    failover_case(run, "--reject-token", 403);
}

/* status twice (then success after two retries), then permanently (the client gets
 * want_status/want_type after max-retries + 1 attempts, with backoff, within a bound). */
static void retry_case(fx_run *run, int status, long want_status, const char *want_type)
{
    char retries[8], base[8];
    snprintf(retries, sizeof retries, "%d", MAX_RETRIES);
    snprintf(base, sizeof base, "%d", RETRY_BASE_MS);
    const char *const proxy_args[] = {"--max-retries", retries, "--retry-base-ms", base, NULL};
    fx_stack s;
    if (!fx_start_drained(run, &s, NULL, proxy_args, NULL))
        return;
    char faults[96];
    fx_metrics m0, m1, m2;
    snprintf(faults, sizeof faults, "{\"status\":%d,\"fail_count\":2}", status);
    FX_CHECK(run, fx_fake_set(&s, faults) == 0, "fake-kiro takes %s", faults);
    FX_CHECK(run, fx_metrics_get(&s, 5000, &m0) == 0, "/metrics answers");
    fx_bg bg;
    fx_request_while_probing(run, &s, 0, 15000, &bg);
    char *text = fx_message_text(bg.resp.body);
    FX_CHECK(run, bg.resp.status == 200 && text && strcmp(text, FX_ECHO) == 0,
             "with %d twice, the request succeeds after retries (status %ld)", status, bg.resp.status);
    free(text);
    fx_bg_free(&bg);
    FX_CHECK(run, fx_metrics_get(&s, 5000, &m1) == 0, "/metrics answers");
    FX_CHECK(run, m1.upstream_retries - m0.upstream_retries == 2 &&
                      m1.upstream_calls - m0.upstream_calls == 3,
             "exactly 2 retries and 3 upstream calls (%lld, %lld)",
             m1.upstream_retries - m0.upstream_retries, m1.upstream_calls - m0.upstream_calls);

    snprintf(faults, sizeof faults, "{\"status\":%d,\"fail_count\":0}", status);
    FX_CHECK(run, fx_fake_set(&s, faults) == 0, "fake-kiro takes %s", faults);
    fx_request_while_probing(run, &s, 0, 15000, &bg);
    char type[64];
    fx_error_type(bg.resp.body, type, sizeof type);
    FX_CHECK(run, bg.resp.status == want_status && strcmp(type, want_type) == 0,
             "with %d for good, the client gets %ld %s (got %ld %s)", status, want_status,
             want_type, bg.resp.status, type);
    /* Equal-jitter backoff: retry k waits between base*2^k/2 and base*2^k. */
    long min_wait = RETRY_BASE_MS / 2 + RETRY_BASE_MS;
    FX_CHECK(run, bg.elapsed_ms >= min_wait - 10 && bg.elapsed_ms <= 6000,
             "the failure comes after the backoff (>= %ld ms) and within 6 s (%lld ms)", min_wait,
             bg.elapsed_ms);
    FX_CHECK(run, fx_metrics_get(&s, 5000, &m2) == 0, "/metrics answers");
    FX_CHECK(run, m2.upstream_calls - m1.upstream_calls == MAX_RETRIES + 1 &&
                      m2.upstream_retries - m1.upstream_retries == MAX_RETRIES,
             "max-retries + 1 = %d attempts (%lld calls, %lld retries)", MAX_RETRIES + 1,
             m2.upstream_calls - m1.upstream_calls, m2.upstream_retries - m1.upstream_retries);
    fx_note(run, "twice: 200 after %lld retries; permanent: %ld %s after %lld attempts in %lld ms",
            m1.upstream_retries - m0.upstream_retries, bg.resp.status, type,
            m2.upstream_calls - m1.upstream_calls, bg.elapsed_ms);
    fx_bg_free(&bg);
    fx_end_drained(run, &s);
}

void fx_case_upstream_429(fx_run *run)
{
    retry_case(run, 429, 429, "rate_limit_error");
}

void fx_case_upstream_500(fx_run *run)
{
    retry_case(run, 500, 502, "api_error");
}
