/* test_router.c: route matching without a server: exact paths, the one {param} segment,
 * exact patterns before parameterised ones, HEAD on GET routes, 405 with the Allow list, 404, and
 * the metric bucket and error shape of paths that match no route. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "server/metrics.h"
#include "server/router.h"

typedef struct match_case {
    const char *method;
    const char *path;
    route_match want;
    const char *pattern; /* of the route found (ROUTE_FOUND) */
    const char *param;   /* the {} segment (ROUTE_FOUND), or the Allow list (405) */
} match_case;

static const match_case match_cases[] = {
    {"GET", "/health", ROUTE_FOUND, "/health", ""},
    {"GET", "/v1/models", ROUTE_FOUND, "/v1/models", ""},
    {"GET", "/v1/models/claude-sonnet-4", ROUTE_FOUND, "/v1/models/{}", "claude-sonnet-4"},
    {"POST", "/v1/messages", ROUTE_FOUND, "/v1/messages", ""},
    {"POST", "/v1/messages/count_tokens", ROUTE_FOUND, "/v1/messages/count_tokens", ""},
    {"POST", "/v1/chat/completions", ROUTE_FOUND, "/v1/chat/completions", ""},
    /* the exact ".../stats" wins over ".../{}" */
    {"GET", "/api/admin/user-credentials/stats", ROUTE_FOUND, "/api/admin/user-credentials/stats",
     ""},
    {"GET", "/api/admin/user-credentials/act-AB12", ROUTE_FOUND, "/api/admin/user-credentials/{}",
     "act-AB12"},
    {"DELETE", "/api/admin/user-credentials/act-AB12", ROUTE_FOUND,
     "/api/admin/user-credentials/{}", "act-AB12"},
    {"POST", "/api/admin/credentials/7/refresh", ROUTE_FOUND, "/api/admin/credentials/{}/refresh",
     "7"},
    /* a known path with another method: 405 and what it accepts */
    {"GET", "/v1/messages", ROUTE_METHOD_NOT_ALLOWED, NULL, "POST"},
    {"DELETE", "/api/admin/user-credentials", ROUTE_METHOD_NOT_ALLOWED, NULL, "GET, HEAD, POST"},
    {"POST", "/health", ROUTE_METHOD_NOT_ALLOWED, NULL, "GET, HEAD"},
    /* HEAD is answered by every GET route, and by nothing else */
    {"HEAD", "/health", ROUTE_FOUND, "/health", ""},
    {"HEAD", "/v1/models/claude-sonnet-4", ROUTE_FOUND, "/v1/models/{}", "claude-sonnet-4"},
    {"HEAD", "/v1/messages", ROUTE_METHOD_NOT_ALLOWED, NULL, "POST"},
    /* unknown paths, empty and nested parameters, prefixes */
    {"GET", "/nope", ROUTE_NOT_FOUND, NULL, ""},
    {"GET", "/v1/models/", ROUTE_NOT_FOUND, NULL, ""},
    {"GET", "/v1/models/a/b", ROUTE_NOT_FOUND, NULL, ""},
    {"GET", "/v1/model", ROUTE_NOT_FOUND, NULL, ""},
    {"GET", "/healthz", ROUTE_NOT_FOUND, NULL, ""},
    {"POST", "/api/admin/credentials//refresh", ROUTE_NOT_FOUND, NULL, ""},
};

static void test_route_matching(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof match_cases / sizeof match_cases[0]; i++) {
        const match_case *c = &match_cases[i];
        const route *found = NULL;
        char param[64] = "x", allow[64] = "x";
        route_match got =
            router_find(c->method, c->path, &found, param, sizeof param, allow, sizeof allow);
        if (got != c->want)
            fail_msg("%s %s: match %d, want %d", c->method, c->path, got, c->want);
        if (c->want == ROUTE_FOUND) {
            assert_non_null(found);
            assert_string_equal(found->pattern, c->pattern);
            assert_string_equal(found->method, strcmp(c->method, "HEAD") ? c->method : "GET");
            assert_string_equal(param, c->param);
        } else if (c->want == ROUTE_METHOD_NOT_ALLOWED) {
            assert_string_equal(allow, c->param);
        }
    }
}

static void test_overlong_param_is_not_a_match(void **state)
{
    (void)state;
    char path[400] = "/v1/models/";
    memset(path + strlen(path), 'a', 300);
    path[strlen("/v1/models/") + 300] = '\0';
    const route *found = NULL;
    char param[256], allow[64];
    assert_int_equal(router_find("GET", path, &found, param, sizeof param, allow, sizeof allow),
                     ROUTE_NOT_FOUND);
}

static void test_routes_require_the_right_key(void **state)
{
    (void)state;
    static const struct {
        const char *method, *path;
        route_auth auth;
        int accepts_body;
    } cases[] = {
        {"GET", "/health", ROUTE_AUTH_NONE, 0},
        {"GET", "/metrics", ROUTE_AUTH_NONE, 0},
        {"POST", "/api/event_logging/batch", ROUTE_AUTH_NONE, 1},
        {"GET", "/v1/models", ROUTE_AUTH_API_KEY, 0},
        {"POST", "/v1/messages", ROUTE_AUTH_API_KEY, 1},
        {"POST", "/api/admin/reload-credentials", ROUTE_AUTH_ADMIN_OR_LOOPBACK, 0},
        {"POST", "/api/admin/user-credentials/c1/set-expiry", ROUTE_AUTH_ADMIN, 1},
        {"POST", "/api/admin/user-credentials/batch-set-expiry", ROUTE_AUTH_ADMIN, 1},
        {"POST", "/api/admin/user-credentials", ROUTE_AUTH_ADMIN, 1},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const route *found = NULL;
        char param[64], allow[64];
        assert_int_equal(router_find(cases[i].method, cases[i].path, &found, param, sizeof param,
                                     allow, sizeof allow),
                         ROUTE_FOUND);
        if (found->auth != cases[i].auth || found->accepts_body != cases[i].accepts_body)
            fail_msg("%s %s: auth %d body %d", cases[i].method, cases[i].path, found->auth,
                     found->accepts_body);
    }
}

static void test_metric_bucket_and_shape_of_any_path(void **state)
{
    (void)state;
    assert_int_equal(router_metric_for_path("/v1/messages"), METRIC_ROUTE_MESSAGES);
    assert_int_equal(router_metric_for_path("/v1/models/some-model"), METRIC_ROUTE_MODELS);
    assert_int_equal(router_metric_for_path("/api/admin/anything/at/all"), METRIC_ROUTE_ADMIN);
    assert_int_equal(router_metric_for_path("/unknown"), METRIC_ROUTE_OTHER);
    assert_int_equal(router_shape_for_path("/v1/chat/completions"), API_OPENAI);
    assert_int_equal(router_shape_for_path("/v1/chat/anything"), API_OPENAI);
    assert_int_equal(router_shape_for_path("/v1/messages"), API_ANTHROPIC);
    assert_int_equal(router_shape_for_path("/nope"), API_ANTHROPIC);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_route_matching),
        cmocka_unit_test(test_overlong_param_is_not_a_match),
        cmocka_unit_test(test_routes_require_the_right_key),
        cmocka_unit_test(test_metric_bucket_and_shape_of_any_path),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
