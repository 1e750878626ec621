/* cases_token.c: the token service hangs or answers 401. With an access token still valid
 * (expiring within the 5-minute refresh margin) requests keep working on it; with a token
 * already expired the client gets a clear 503 at once rather than a hang. /v1/models and the
 * admin API never wait either way. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fx_cases.h"
#include "fx_metrics.h"
#include "fx_reply.h"
#include "fx_upstream_util.h"

#define VALID_FOR_S 240
#define EXPIRED_FOR_S (-60)
#define CLEAR_ERROR_MS 3000

typedef struct refresh_wait {
    fx_stack *s;
    int hang;
    long long seen;
} refresh_wait;

/* The fault is live: the proxy has called the token service (hang: fake-kiro saw the call;
 * 401: the proxy counted the failure). */
static int refresh_attempted(void *arg)
{
    refresh_wait *w = arg;
    if (w->hang) {
        fx_fake_stats st;
        if (fx_fake_stats_get(w->s, &st) != 0)
            return 0;
        w->seen = st.refresh_token;
        return st.refresh_token >= 1;
    }
    fx_metrics m;
    if (fx_metrics_get(w->s, 2000, &m) != 0)
        return 0;
    w->seen = m.token_refresh_failures;
    return m.token_refresh_failures >= 1;
}

static void token_case(fx_run *run, int hang, long expires_in_s)
{
    static const char *const hang_args[] = {"--refresh-hang", NULL};
    static const char *const status_args[] = {"--refresh-status", "401", NULL};
    char creds[2048];
    fx_credentials_json(1, expires_in_s, creds, sizeof creds);
    fx_stack s;
    if (!fx_start_drained(run, &s, hang ? hang_args : status_args, NULL, creds))
        return;
    refresh_wait w = {&s, hang, 0};
    FX_CHECK(run, fx_poll_until(10000, 20, refresh_attempted, &w),
             "the proxy tries to refresh the token (%s seen %lld)",
             hang ? "refresh calls" : "refresh failures", w.seen);

    fx_bg bg;
    fx_request_while_probing(run, &s, 0, 15000, &bg);
    if (expires_in_s > 0) {
        char *text = fx_message_text(bg.resp.body);
        FX_CHECK(run, bg.resp.status == 200 && text && strcmp(text, FX_ECHO) == 0,
                 "requests keep working with the still-valid token (status %ld in %lld ms)",
                 bg.resp.status, bg.elapsed_ms);
        free(text);
        fx_note(run, "valid token: /v1/messages %ld in %lld ms", bg.resp.status, bg.elapsed_ms);
    } else {
        char message[200] = "", type[64] = "";
        fx_error_type(bg.resp.body, type, sizeof type);
        fx_is_anthropic_error(&bg.resp, type, message, sizeof message);
        FX_CHECK(run, bg.resp.status == 503 && message[0],
                 "an expired token gives a clear 503 with a message (status %ld: %.100s)",
                 bg.resp.status, bg.resp.body ? bg.resp.body : "");
        FX_CHECK(run, bg.elapsed_ms <= CLEAR_ERROR_MS, "at once, not after a hang (%lld ms)",
                 bg.elapsed_ms);
        fx_note(run, "expired token: /v1/messages %ld in %lld ms: %.80s", bg.resp.status,
                bg.elapsed_ms, message);
    }
    fx_bg_free(&bg);
    fx_metrics m;
    if (FX_CHECK(run, fx_metrics_get(&s, 5000, &m) == 0, "/metrics answers"))
        FX_CHECK(run, m.credentials_usable == (expires_in_s > 0 ? 1 : 0),
                 "kiro_credentials_usable is %d (%lld)", expires_in_s > 0 ? 1 : 0,
                 m.credentials_usable);
    fx_end_drained(run, &s);
}

void fx_case_token_hang_valid(fx_run *run)
{
    token_case(run, 1, VALID_FOR_S);
}

void fx_case_token_401_valid(fx_run *run)
{
    token_case(run, 0, VALID_FOR_S);
}

void fx_case_token_hang_expired(fx_run *run)
{
    token_case(run, 1, EXPIRED_FOR_S);
}

void fx_case_token_401_expired(fx_run *run)
{
    token_case(run, 0, EXPIRED_FOR_S);
}
