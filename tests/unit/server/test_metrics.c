/* test_metrics.c: request counters by route and status (rare statuses folded into their class,
 * unknown routes into "other"), the upstream counters and extra gauges in the Prometheus text,
 * and the logger's counters beside them. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "log/log.h"
#include "server/metrics.h"

static void test_counts_by_route_and_status(void **state)
{
    (void)state;
    metrics m;
    metrics_init(&m);
    metrics_count_request(&m, METRIC_ROUTE_MESSAGES, 200);
    metrics_count_request(&m, METRIC_ROUTE_MESSAGES, 200);
    metrics_count_request(&m, METRIC_ROUTE_MESSAGES, 429);
    metrics_count_request(&m, METRIC_ROUTE_MODELS, 418); /* rare: counted as 400 */
    metrics_count_request(&m, METRIC_ROUTE_MODELS, 599); /* rare: counted as 500 */
    metrics_count_request(&m, METRIC_ROUTE_MODELS, 302); /* rare: counted as 200 */
    metrics_count_request(&m, 99, 404);                  /* unknown route: other */
    assert_int_equal(metrics_requests(&m, METRIC_ROUTE_MESSAGES, 200), 2);
    assert_int_equal(metrics_requests(&m, METRIC_ROUTE_MESSAGES, 429), 1);
    assert_int_equal(metrics_requests(&m, METRIC_ROUTE_MESSAGES, 500), 0);
    assert_int_equal(metrics_requests(&m, METRIC_ROUTE_MODELS, 400), 1);
    assert_int_equal(metrics_requests(&m, METRIC_ROUTE_MODELS, 500), 1);
    assert_int_equal(metrics_requests(&m, METRIC_ROUTE_MODELS, 200), 1);
    assert_int_equal(metrics_requests(&m, METRIC_ROUTE_OTHER, 404), 1);
    assert_int_equal(metrics_requests(&m, METRIC_ROUTE_MODELS, 418), 0); /* no slot of its own */
    assert_string_equal(metrics_route_name(METRIC_ROUTE_ADMIN), "/api/admin");
    assert_string_equal(metrics_route_name(-1), "other");
}

static void test_prometheus_text(void **state)
{
    (void)state;
    metrics m;
    metrics_init(&m);
    metrics_count_request(&m, METRIC_ROUTE_CHAT_COMPLETIONS, 502);
    atomic_fetch_add(&m.upstream_calls, 5);
    atomic_fetch_add(&m.upstream_retries, 2);
    atomic_fetch_add(&m.upstream_failovers, 1);
    metrics_extra extra = {.token_refreshes = 3,
                           .credentials_total = 4,
                           .credentials_usable = 2,
                           .models = 9,
                           .uptime_seconds = 1.5};
    kbuf out = KBUF_INIT(0);
    assert_int_equal(metrics_render_prometheus(&m, &extra, &out), 0);
    static const char *const lines[] = {
        "kiro_requests_total{route=\"/v1/chat/completions\",status=\"502\"} 1\n",
        "# TYPE kiro_upstream_calls_total counter\nkiro_upstream_calls_total 5\n",
        "kiro_upstream_retries_total 2\n",
        "kiro_upstream_failovers_total 1\n",
        "kiro_upstream_errors_total 0\n",
        "kiro_token_refreshes_total 3\n",
        "kiro_credentials 4\n",
        "kiro_credentials_usable 2\n",
        "kiro_models 9\n",
        "kiro_uptime_seconds 1.500\n",
        "kiro_log_info{implementation=\"",
        "kiro_log_lines_dropped_total ",
    };
    for (size_t i = 0; i < sizeof lines / sizeof lines[0]; i++)
        if (!strstr(out.data, lines[i]))
            fail_msg("missing: %s", lines[i]);
    /* counters that are zero per route and status are left out */
    assert_null(strstr(out.data, "status=\"200\""));
    kbuf_free(&out);
}

static void test_without_extra_gauges(void **state)
{
    (void)state;
    metrics m;
    metrics_init(&m);
    kbuf out = KBUF_INIT(0);
    assert_int_equal(metrics_render_prometheus(&m, NULL, &out), 0);
    assert_non_null(strstr(out.data, "kiro_streams_active 0\n"));
    assert_null(strstr(out.data, "kiro_credentials"));
    kbuf_free(&out);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_counts_by_route_and_status),
        cmocka_unit_test(test_prometheus_text),
        cmocka_unit_test(test_without_extra_gauges),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
