/* test_auth.c: the key checks of every route class (none, API key, admin key), each header
 * spelling a client may use, and the error each refusal gives. auth_check() reads headers from
 * a real libmicrohttpd connection, so the test serves one in-process on a free loopback port
 * and asks it with libcurl: the handler runs exactly what http_server.c runs before a route
 * (router_find, then auth_check) and answers with the verdict. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <microhttpd.h>
#include <stdio.h>
#include <string.h>

#include "config/config.h"
#include "http.h"
#include "server/app.h"
#include "server/auth.h"
#include "server/router.h"

#define API_KEY "sk-unit-api-key-0123456789"
#define ADMIN_KEY "adm-unit-admin-key-0123456789"

typedef struct auth_server {
    struct MHD_Daemon *daemon;
    proxy_config cfg;
    app a;
    char url[64];
} auth_server;

static enum MHD_Result answer(void *cls, struct MHD_Connection *conn, const char *url,
                              const char *method, const char *version, const char *data,
                              size_t *data_size, void **con_cls)
{
    (void)version;
    (void)data;
    (void)data_size;
    static int started;
    if (!*con_cls) {
        *con_cls = &started;
        return MHD_YES;
    }
    auth_server *s = cls;
    request_ctx rq;
    memset(&rq, 0, sizeof rq);
    rq.app = &s->a;
    rq.conn = conn;
    rq.method = method;
    rq.path = url;
    char allow[64];
    const route *rt = NULL;
    if (router_find(method, url, &rt, rq.path_param, sizeof rq.path_param, allow, sizeof allow) !=
        ROUTE_FOUND)
        rt = NULL;
    rq.route = rt;
    api_error err;
    char body[640];
    int status = 200;
    if (auth_check(&rq, &err)) {
        snprintf(body, sizeof body, "allowed");
    } else {
        status = err.status;
        snprintf(body, sizeof body, "%s: %s", err.type, err.message);
    }
    struct MHD_Response *r =
        MHD_create_response_from_buffer(strlen(body), body, MHD_RESPMEM_MUST_COPY);
    enum MHD_Result rc = MHD_queue_response(conn, (unsigned)status, r);
    MHD_destroy_response(r);
    return rc;
}

static int start_server(auth_server *s, const char *api_key, const char *admin_key)
{
    memset(s, 0, sizeof *s);
    config_defaults(&s->cfg);
    s->cfg.api_key = api_key ? strdup(api_key) : NULL;
    s->cfg.admin_key = admin_key ? strdup(admin_key) : NULL;
    s->a.cfg = &s->cfg;
    s->daemon = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_POLL, 0, NULL, NULL,
                                 answer, s, MHD_OPTION_CONNECTION_TIMEOUT, 10u, MHD_OPTION_END);
    if (!s->daemon)
        return -1;
    const union MHD_DaemonInfo *info = MHD_get_daemon_info(s->daemon, MHD_DAEMON_INFO_BIND_PORT);
    snprintf(s->url, sizeof s->url, "http://127.0.0.1:%u", info ? info->port : 0);
    return 0;
}

static void stop_server(auth_server *s)
{
    MHD_stop_daemon(s->daemon);
    config_free(&s->cfg);
}

typedef struct auth_case {
    const char *method;
    const char *path;
    const char *header; /* one request header, or NULL */
    int status;
    const char *in_body; /* must appear in the answer */
} auth_case;

static void run_cases(auth_server *s, const auth_case *cases, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        const auth_case *c = &cases[i];
        char url[256];
        snprintf(url, sizeof url, "%s%s", s->url, c->path);
        const char *headers[] = {c->header, NULL};
        tp_response r;
        assert_int_equal(tp_http(c->method, url, headers, NULL, 0, 10000, &r), 0);
        if (r.status != c->status || !strstr(r.body, c->in_body))
            fail_msg("case %zu %s %s [%s]: %ld '%s', want %d '%s'", i, c->method, c->path,
                     c->header ? c->header : "-", r.status, r.body, c->status, c->in_body);
        tp_response_free(&r);
    }
}

static void test_keys_configured(void **state)
{
    (void)state;
    static const auth_case cases[] = {
        {"GET", "/health", NULL, 200, "allowed"},
        {"GET", "/v1/models", NULL, 401, "x-api-key header or Authorization: Bearer is required"},
        {"GET", "/v1/models", "x-api-key: " API_KEY, 200, "allowed"},
        {"GET", "/v1/models", "x-api-key: wrong-key", 401, "invalid x-api-key"},
        {"GET", "/v1/models", "x-api-key: " API_KEY "x", 401, "invalid x-api-key"},
        {"GET", "/v1/models", "Authorization: Bearer " API_KEY, 200, "allowed"},
        {"GET", "/v1/models", "Authorization: bearer   " API_KEY, 200, "allowed"},
        {"GET", "/v1/models", "Authorization: Bearer ", 401, "is required"},
        {"GET", "/v1/models", "Authorization: Basic " API_KEY, 401, "is required"},
        {"GET", "/v1/models", "x-api-key: " ADMIN_KEY, 401, "invalid x-api-key"},
        {"GET", "/api/admin/credentials", NULL, 401, "admin key required"},
        {"GET", "/api/admin/credentials", "x-api-key: " ADMIN_KEY, 401, "admin key required"},
        {"GET", "/api/admin/credentials", "x-admin-key: " ADMIN_KEY, 200, "allowed"},
        {"GET", "/api/admin/credentials", "x-admin-key: " API_KEY, 401, "invalid admin key"},
        {"GET", "/api/admin/credentials", "Authorization: Bearer " ADMIN_KEY, 200, "allowed"},
        {"POST", "/api/admin/reload-credentials", "Authorization: Bearer " API_KEY, 401,
         "authentication_error: invalid admin key"},
    };
    auth_server s;
    assert_int_equal(start_server(&s, API_KEY, ADMIN_KEY), 0);
    run_cases(&s, cases, sizeof cases / sizeof cases[0]);
    stop_server(&s);
}

static void test_keys_not_configured(void **state)
{
    (void)state;
    static const auth_case cases[] = {
        {"GET", "/health", NULL, 200, "allowed"},
        {"GET", "/v1/models", "x-api-key: anything", 401, "no API key is configured"},
        {"GET", "/api/admin/credentials", "x-admin-key: anything", 403,
         "permission_error: the admin API is disabled"},
    };
    auth_server s;
    assert_int_equal(start_server(&s, NULL, NULL), 0);
    run_cases(&s, cases, sizeof cases / sizeof cases[0]);
    stop_server(&s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_keys_configured),
        cmocka_unit_test(test_keys_not_configured),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
