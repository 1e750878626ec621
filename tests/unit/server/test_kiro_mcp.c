/* test_kiro_mcp.c: the MCP web_search client: the request it builds (id format, JSON-RPC body,
 * headers), the answers it understands and the failures it classifies (JSON-RPC error, tool
 * error, bad answers, HTTP status), and its bounds: a hung endpoint ends at the timeout, the
 * stop flag and a departed client end it early, an oversized answer is refused. The endpoint is
 * a one-connection HTTP server on a thread of this test; each fault test first waits until the
 * server holds the connection, so a pass proves the fault was in place. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cjson/cJSON.h>
#include <curl/curl.h>

#include "server/kiro_mcp.h"
#include "util/clock.h"

#define GOOD_ANSWER                                                                                \
    "{\"id\":\"x\",\"jsonrpc\":\"2.0\",\"result\":{\"content\":[{\"type\":\"text\",\"text\":"      \
    "\"{\\\"results\\\":[{\\\"title\\\":\\\"T1\\\",\\\"url\\\":\\\"https://one\\\","               \
    "\\\"snippet\\\":\\\"S1\\\",\\\"publishedDate\\\":1735689600000},{\\\"url\\\":"                \
    "\\\"https://two\\\"},{\\\"title\\\":\\\"no url\\\"}],\\\"totalResults\\\":3}\"}],"            \
    "\"isError\":false}}"

/* Case-insensitive substring search (header names are case-insensitive). */
static const char *find_nocase(const char *haystack, const char *needle)
{
    size_t n = strlen(needle);
    for (const char *p = haystack; *p; p++)
        if (strncasecmp(p, needle, n) == 0)
            return p;
    return NULL;
}

/* ---- parsing ------------------------------------------------------------------------------ */

typedef struct answer_case {
    const char *body;
    kiro_mcp_status want;
    size_t results;
    const char *message_part; /* NULL: not checked */
} answer_case;

static void parse_answers(void **state)
{
    (void)state;
    static const answer_case cases[] = {
        {GOOD_ANSWER, KIRO_MCP_OK, 2, NULL},
        {"{\"id\":\"x\",\"jsonrpc\":\"2.0\",\"error\":{\"code\":-32603,\"message\":\"backend "
         "down\"}}",
         KIRO_MCP_RPC_ERROR, 0, "-32603 backend down"},
        {"{\"result\":{\"content\":[{\"type\":\"text\",\"text\":\"timed out\"}],\"isError\":true}}",
         KIRO_MCP_TOOL_ERROR, 0, "timed out"},
        {"{\"result\":{\"content\":[{\"type\":\"text\",\"text\":"
         "\"{\\\"results\\\":[],\\\"error\\\":\\\"quota\\\"}\"}]}}",
         KIRO_MCP_TOOL_ERROR, 0, "quota"},
        {"{\"result\":{\"content\":[{\"type\":\"text\",\"text\":\"{\\\"results\\\":[]}\"}]}}",
         KIRO_MCP_OK, 0, NULL},
        {"<html>proxy error</html>", KIRO_MCP_BAD_ANSWER, 0, "not a JSON object"},
        {"{\"result\":5}", KIRO_MCP_BAD_ANSWER, 0, NULL},
        {"{\"result\":{\"content\":[]}}", KIRO_MCP_BAD_ANSWER, 0, "no text"},
        {"{\"result\":{\"content\":[{\"type\":\"image\",\"text\":\"x\"}]}}", KIRO_MCP_BAD_ANSWER, 0,
         NULL},
        {"{\"result\":{\"content\":[{\"type\":\"text\",\"text\":\"not json\"}]}}",
         KIRO_MCP_BAD_ANSWER, 0, "results"},
        {"{\"jsonrpc\":\"2.0\"}", KIRO_MCP_BAD_ANSWER, 0, NULL},
        {"", KIRO_MCP_BAD_ANSWER, 0, NULL},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        web_search_results r;
        kiro_mcp_error err;
        kiro_mcp_status st = kiro_mcp_parse_answer(cases[i].body, strlen(cases[i].body), &r, &err);
        if (st != cases[i].want)
            fail_msg("case %zu: status %d, wanted %d (%s)", i, (int)st, (int)cases[i].want,
                     err.message);
        assert_int_equal(r.count, cases[i].results);
        if (cases[i].message_part && !strstr(err.message, cases[i].message_part))
            fail_msg("case %zu: message \"%s\" lacks \"%s\"", i, err.message,
                     cases[i].message_part);
        if (st == KIRO_MCP_OK && r.count) {
            assert_string_equal(r.hits[0].title, "T1");
            assert_string_equal(r.hits[0].snippet, "S1");
            assert_true(r.hits[0].published_ms == 1735689600000.0);
            /* a result without a title is shown by its url; one without a url is dropped */
            assert_string_equal(r.hits[1].title, "https://two");
            assert_null(r.hits[1].snippet);
            assert_true(r.hits[1].published_ms < 0);
        }
        web_search_results_free(&r);
    }
}

static void parse_bounds_and_utf8(void **state)
{
    (void)state;
    /* 80 results, one title far too long and one with invalid UTF-8 */
    cJSON *list = cJSON_CreateArray();
    char long_title[WEB_SEARCH_MAX_TITLE_BYTES * 2];
    memset(long_title, 't', sizeof long_title - 1);
    long_title[sizeof long_title - 1] = '\0';
    for (int i = 0; i < 80; i++) {
        cJSON *r = cJSON_CreateObject();
        cJSON_AddStringToObject(r, "title", i == 0 ? long_title : i == 1 ? "bad \xff byte" : "t");
        cJSON_AddStringToObject(r, "url", "https://u");
        cJSON_AddItemToArray(list, r);
    }
    cJSON *inner = cJSON_CreateObject();
    cJSON_AddItemToObject(inner, "results", list);
    char *inner_text = cJSON_PrintUnformatted(inner);
    cJSON *answer = cJSON_CreateObject();
    cJSON *result = cJSON_AddObjectToObject(answer, "result");
    cJSON *content = cJSON_AddArrayToObject(result, "content");
    cJSON *item = cJSON_CreateObject();
    cJSON_AddStringToObject(item, "type", "text");
    cJSON_AddStringToObject(item, "text", inner_text);
    cJSON_AddItemToArray(content, item);
    char *body = cJSON_PrintUnformatted(answer);
    web_search_results r;
    kiro_mcp_error err;
    assert_int_equal(kiro_mcp_parse_answer(body, strlen(body), &r, &err), KIRO_MCP_OK);
    assert_int_equal(r.count, WEB_SEARCH_MAX_RESULTS);
    assert_true(strlen(r.hits[0].title) <= WEB_SEARCH_MAX_TITLE_BYTES);
    assert_string_equal(r.hits[1].title, "bad \xef\xbf\xbd byte");
    web_search_results_free(&r);
    free(body);
    free(inner_text);
    cJSON_Delete(answer);
    cJSON_Delete(inner);
}

static void request_ids_and_body(void **state)
{
    (void)state;
    char id[96];
    kiro_mcp_request_id(id, sizeof id);
    assert_int_equal(strncmp(id, "web_search_tooluse_", 19), 0);
    const char *p = id + 19;
    for (int i = 0; i < 22; i++, p++)
        assert_true((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') ||
                    (*p >= '0' && *p <= '9'));
    assert_int_equal(*p++, '_');
    int digits = 0;
    for (; *p >= '0' && *p <= '9'; p++)
        digits++;
    assert_int_equal(digits, 13); /* a millisecond timestamp of our era */
    assert_int_equal(*p++, '_');
    assert_int_equal(strlen(p), 8);
    char tool_id[48];
    kiro_mcp_tool_use_id(tool_id, sizeof tool_id);
    assert_int_equal(strncmp(tool_id, "srvtoolu_", 9), 0);
    assert_int_equal(strlen(tool_id), 9 + 32);
    char other[48];
    kiro_mcp_tool_use_id(other, sizeof other);
    assert_string_not_equal(tool_id, other);

    char *body = kiro_mcp_request_body("rid", "say \"hi\"");
    cJSON *j = cJSON_Parse(body);
    assert_string_equal(cJSON_GetObjectItem(j, "id")->valuestring, "rid");
    assert_string_equal(cJSON_GetObjectItem(j, "jsonrpc")->valuestring, "2.0");
    assert_string_equal(cJSON_GetObjectItem(j, "method")->valuestring, "tools/call");
    const cJSON *params = cJSON_GetObjectItem(j, "params");
    assert_string_equal(cJSON_GetObjectItem(params, "name")->valuestring, "web_search");
    assert_string_equal(
        cJSON_GetObjectItem(cJSON_GetObjectItem(params, "arguments"), "query")->valuestring,
        "say \"hi\"");
    cJSON_Delete(j);
    free(body);
}

/* ---- a one-connection HTTP endpoint ------------------------------------------------------- */

typedef enum { SERVE_ANSWER, SERVE_HANG, SERVE_HUGE } serve_mode;

typedef struct endpoint {
    int listen_fd;
    int port;
    serve_mode mode;
    int status;
    const char *body;
    atomic_int holding;  /* the connection is accepted and its request read */
    atomic_int release;  /* the hang may end */
    char request[16384]; /* what the client sent (head and body) */
    pthread_t thread;
} endpoint;

static void read_request(int fd, endpoint *e)
{
    size_t len = 0;
    while (len < sizeof e->request - 1) {
        struct pollfd p = {fd, POLLIN, 0};
        if (poll(&p, 1, 5000) <= 0)
            break;
        ssize_t n = read(fd, e->request + len, sizeof e->request - 1 - len);
        if (n <= 0)
            break;
        len += (size_t)n;
        e->request[len] = '\0';
        char *head_end = strstr(e->request, "\r\n\r\n");
        const char *cl = find_nocase(e->request, "Content-Length:");
        if (head_end && cl && len >= (size_t)(head_end + 4 - e->request) + (size_t)atoi(cl + 15))
            break;
    }
}

static void *serve(void *arg)
{
    endpoint *e = arg;
    int fd = accept(e->listen_fd, NULL, NULL);
    if (fd < 0)
        return NULL;
    read_request(fd, e);
    atomic_store(&e->holding, 1);
    if (e->mode == SERVE_HANG) {
        while (!atomic_load(&e->release)) {
            struct pollfd p = {fd, POLLIN, 0};
            if (poll(&p, 1, 50) > 0) {
                char c;
                if (read(fd, &c, 1) <= 0)
                    break; /* the client closed */
            }
        }
    } else {
        char head[256];
        size_t body_len = e->mode == SERVE_HUGE ? KIRO_MCP_MAX_ANSWER_BYTES * 2 : strlen(e->body);
        int n =
            snprintf(head, sizeof head,
                     "HTTP/1.1 %d X\r\nContent-Type: application/json\r\nContent-Length: %zu\r\n"
                     "Connection: close\r\n\r\n",
                     e->status, body_len);
        if (write(fd, head, (size_t)n) == n) {
            if (e->mode == SERVE_HUGE) {
                char chunk[8192];
                memset(chunk, ' ', sizeof chunk);
                for (size_t sent = 0; sent < body_len; sent += sizeof chunk)
                    if (write(fd, chunk, sizeof chunk) < 0)
                        break;
            } else if (write(fd, e->body, body_len) < 0) {
                /* the client went away: nothing to do */
            }
        }
    }
    close(fd);
    return NULL;
}

static void endpoint_start(endpoint *e, serve_mode mode, int status, const char *body)
{
    memset(e, 0, sizeof *e);
    e->mode = mode;
    e->status = status;
    e->body = body;
    e->listen_fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {0};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    assert_int_equal(bind(e->listen_fd, (struct sockaddr *)&a, sizeof a), 0);
    assert_int_equal(listen(e->listen_fd, 4), 0);
    socklen_t alen = sizeof a;
    getsockname(e->listen_fd, (struct sockaddr *)&a, &alen);
    e->port = ntohs(a.sin_port);
    assert_int_equal(pthread_create(&e->thread, NULL, serve, e), 0);
}

static void endpoint_stop(endpoint *e)
{
    atomic_store(&e->release, 1);
    pthread_join(e->thread, NULL);
    close(e->listen_fd);
}

typedef struct call {
    kiro_mcp_context ctx;
    char base[64];
    kiro_mcp_status status;
    kiro_mcp_error err;
    web_search_results results;
    int64_t ms;
} call;

static const char *const identity[] = {"x-amz-user-agent: aws-sdk-js/1.0.7 KiroIDE-1.2.3-mid",
                                       NULL};

static void call_init(call *c, const endpoint *e, int timeout_ms)
{
    memset(c, 0, sizeof *c);
    snprintf(c->base, sizeof c->base, "http://127.0.0.1:%d", e->port);
    c->ctx.base_url = c->base;
    c->ctx.access_token = "tok-123";
    c->ctx.profile_arn = "arn:aws:codewhisperer:us-east-1:1:profile/P";
    c->ctx.identity_headers = identity;
    c->ctx.connect_timeout_ms = 5000;
    c->ctx.timeout_ms = timeout_ms;
    c->ctx.client_fd = -1;
}

static void *run_call(void *arg)
{
    call *c = arg;
    int64_t start = clock_monotonic_ms();
    c->status = kiro_mcp_web_search(&c->ctx, "the query", &c->results, &c->err);
    c->ms = clock_monotonic_ms() - start;
    return NULL;
}

static void answered_call_sends_the_kiro_request(void **state)
{
    (void)state;
    endpoint e;
    endpoint_start(&e, SERVE_ANSWER, 200, GOOD_ANSWER);
    call c;
    call_init(&c, &e, 10000);
    run_call(&c);
    endpoint_stop(&e);
    assert_int_equal(c.status, KIRO_MCP_OK);
    assert_int_equal(c.results.count, 2);
    assert_non_null(strstr(e.request, "POST /mcp HTTP/1.1"));
    assert_non_null(find_nocase(e.request, "Authorization: Bearer tok-123"));
    assert_non_null(find_nocase(e.request, "x-amz-user-agent: aws-sdk-js/1.0.7 KiroIDE-1.2.3-mid"));
    assert_non_null(find_nocase(
        e.request, "x-amzn-kiro-profile-arn: arn:aws:codewhisperer:us-east-1:1:profile/P"));
    assert_non_null(find_nocase(e.request, "amz-sdk-invocation-id: "));
    assert_non_null(strstr(e.request, "\"method\":\"tools/call\""));
    assert_non_null(strstr(e.request, "\"query\":\"the query\""));
    web_search_results_free(&c.results);
}

static void http_status_is_classified(void **state)
{
    (void)state;
    endpoint e;
    endpoint_start(&e, SERVE_ANSWER, 429, "{\"message\":\"Rate exceeded\"}");
    call c;
    call_init(&c, &e, 10000);
    run_call(&c);
    endpoint_stop(&e);
    assert_int_equal(c.status, KIRO_MCP_HTTP);
    assert_int_equal(c.err.http_status, 429);
    assert_non_null(strstr(c.err.message, "Rate exceeded"));
    assert_int_equal(c.results.count, 0);
}

static void hung_endpoint_times_out(void **state)
{
    (void)state;
    endpoint e;
    endpoint_start(&e, SERVE_HANG, 0, NULL);
    call c;
    call_init(&c, &e, 1500);
    pthread_t t;
    assert_int_equal(pthread_create(&t, NULL, run_call, &c), 0);
    for (int i = 0; i < 1000 && !atomic_load(&e.holding); i++)
        usleep(10000);
    if (!atomic_load(&e.holding))
        fail_msg("inconclusive: the endpoint never held the request");
    pthread_join(t, NULL);
    endpoint_stop(&e);
    assert_int_equal(c.status, KIRO_MCP_NETWORK);
    assert_non_null(strstr(c.err.message, "1500 ms"));
    assert_true(c.ms >= 1400);
    assert_true(c.ms < 30000); /* generous: the bound held */
}

static void stop_flag_ends_the_wait(void **state)
{
    (void)state;
    endpoint e;
    endpoint_start(&e, SERVE_HANG, 0, NULL);
    atomic_int stopping = 0;
    call c;
    call_init(&c, &e, 60000);
    c.ctx.stopping = &stopping;
    pthread_t t;
    assert_int_equal(pthread_create(&t, NULL, run_call, &c), 0);
    for (int i = 0; i < 1000 && !atomic_load(&e.holding); i++)
        usleep(10000);
    if (!atomic_load(&e.holding))
        fail_msg("inconclusive: the endpoint never held the request");
    atomic_store(&stopping, 1);
    pthread_join(t, NULL);
    endpoint_stop(&e);
    assert_int_equal(c.status, KIRO_MCP_ABORTED);
    assert_true(c.ms < 30000); /* far below the 60 s timeout */
}

static void departed_client_ends_the_wait(void **state)
{
    (void)state;
    int pair[2];
    assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, pair), 0);
    endpoint e;
    endpoint_start(&e, SERVE_HANG, 0, NULL);
    call c;
    call_init(&c, &e, 60000);
    c.ctx.client_fd = pair[0];
    pthread_t t;
    assert_int_equal(pthread_create(&t, NULL, run_call, &c), 0);
    for (int i = 0; i < 1000 && !atomic_load(&e.holding); i++)
        usleep(10000);
    if (!atomic_load(&e.holding))
        fail_msg("inconclusive: the endpoint never held the request");
    close(pair[1]); /* the client leaves */
    pthread_join(t, NULL);
    endpoint_stop(&e);
    close(pair[0]);
    assert_int_equal(c.status, KIRO_MCP_ABORTED);
    assert_true(c.ms < 30000);
}

static void oversized_answer_is_refused(void **state)
{
    (void)state;
    endpoint e;
    endpoint_start(&e, SERVE_HUGE, 200, NULL);
    call c;
    call_init(&c, &e, 20000);
    run_call(&c);
    endpoint_stop(&e);
    assert_int_equal(c.status, KIRO_MCP_NETWORK);
    assert_non_null(strstr(c.err.message, "larger"));
}

static void unreachable_endpoint(void **state)
{
    (void)state;
    endpoint e;
    endpoint_start(&e, SERVE_ANSWER, 200, GOOD_ANSWER);
    call c;
    call_init(&c, &e, 5000);
    /* nothing listens on port 1 */
    snprintf(c.base, sizeof c.base, "http://127.0.0.1:1");
    run_call(&c);
    /* release the endpoint thread */
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {0};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    a.sin_port = htons((uint16_t)e.port);
    if (connect(fd, (struct sockaddr *)&a, sizeof a) == 0)
        shutdown(fd, SHUT_WR);
    endpoint_stop(&e);
    close(fd);
    assert_int_equal(c.status, KIRO_MCP_NETWORK);
    assert_non_null(strstr(c.err.message, "unreachable"));
}

int main(void)
{
    curl_global_init(CURL_GLOBAL_DEFAULT);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(parse_answers),
        cmocka_unit_test(parse_bounds_and_utf8),
        cmocka_unit_test(request_ids_and_body),
        cmocka_unit_test(answered_call_sends_the_kiro_request),
        cmocka_unit_test(http_status_is_classified),
        cmocka_unit_test(hung_endpoint_times_out),
        cmocka_unit_test(stop_flag_ends_the_wait),
        cmocka_unit_test(departed_client_ends_the_wait),
        cmocka_unit_test(oversized_answer_is_refused),
        cmocka_unit_test(unreachable_endpoint),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    curl_global_cleanup();
    return rc;
}
