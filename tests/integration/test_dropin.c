/* test_dropin.c: a kiro-go user's data directory, unchanged, behind kiro-proxy-async started the
 * way the desktop launcher starts kiro-go:
 *   BINARY -config DATA/config.json -credentials DATA/credentials.json
 * with stdout and stderr on two separate pipes, each read by its own line scanner that gives up
 * for good on a line longer than 64 KiB (Go's bufio.Scanner, as the launcher uses it).
 *
 * The files are kiro-go's: config.json with kiro-go's fields and fields this proxy does not know;
 * credentials.json with an IdC entry that has no authMethod (clientId + clientSecret), an
 * "Enterprise" one and one entry no proxy could use; user_credentials.json as kiro-go writes it,
 * an object keyed by activation code. Every call the launcher and a kiro-go user's scripts make
 * then gets the answer kiro-go gives, and no file is rewritten in a way kiro-go could not read:
 *   - the keyless loopback reload, a CORS preflight from a webview, /v1/models;
 *   - act-<code> keys in any case: that code's own credential serves the request, its
 *     web_search (Kiro's MCP endpoint) included (fake-kiro's last requests show whose token
 *     went upstream); a code without a credential of its own is
 *     served by the pool; an unknown code is refused; a 402 MONTHLY_REQUEST_COUNT disables the
 *     user's credential and the call moves on to the pool;
 *   - the admin API: add (200 {success,message}), stats, list (a bare array), get, set-expiry
 *     (an expired code is refused), batch-set-expiry, delete of an absent code (200);
 *   - the odd credentials entry is loaded disabled with its reason;
 *   - credentials.json replaced on disk is picked up by the file watch;
 *   - a truncated user file: the proxy still starts, admin writes answer 500 naming the file,
 *     and the file stays byte for byte as it was.
 * Every wait is bounded; the proxy is SIGKILLed at the end, as the launcher stops it. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <cjson/cJSON.h>
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "http.h"
#include "proc.h"
#include "raw_http.h"
#include "stack.h"

#define TIMEOUT_MS 20000
#define SCANNER_LINE_MAX (64 * 1024)
#define API_KEY "sk-dropin-api-key-00000000000"
#define ADMIN_KEY "adm-dropin-admin-key-0000000000"
#define POOL_TOKEN_1 "dropin-pool-access-00000001"
#define POOL_TOKEN_2 "dropin-pool-access-00000002"
#define USER_TOKEN "dropin-user-access-00000001"
#define NEW_TOKEN "dropin-new-access-000000003"
#define NEW_POOL_TOKEN "dropin-pool-access-00000009"

#define USER_FILE                                                                                  \
    "{\n"                                                                                          \
    "  \"ACT-USER-0001\": {\"activation_code\": \"ACT-USER-0001\", \"user_name\": \"Uma\",\n"      \
    "    \"credentials\": {\"accessToken\": \"" USER_TOKEN "\", \"refreshToken\": "                \
    "\"dropin-user-refresh-0000001\", \"expiresAt\": \"2099-01-01T00:00:00Z\", \"authMethod\": "   \
    "\"social\", \"id\": 0, \"clientId\": \"\", \"region\": \"\"},\n"                              \
    "    \"created_at\": \"2025-01-01T08:00:00.5+08:00\", \"updated_at\": "                        \
    "\"2025-01-02T08:00:00+08:00\", \"seat\": {\"desk\": 7}},\n"                                   \
    "  \"ACT-NOCRED-0002\": {\"activation_code\": \"ACT-NOCRED-0002\", \"user_name\": \"Nick\"}\n" \
    "}\n"

#define ODD_ENTRY "{\"accessToken\":\"dropin-odd-access-0000003\",\"region\":\"../evil\"}"

typedef struct scanner {
    int fd;
    FILE *copy; /* what was read, kept in the data directory for a failed run */
    pthread_t thread;
    long lines;
    int gave_up; /* a line longer than SCANNER_LINE_MAX ended it, as it ends Go's scanner */
} scanner;

/* Reads lines from the pipe until EOF (or a line over the limit), like the launcher. */
static void *scan_lines(void *arg)
{
    scanner *s = arg;
    char buf[8192];
    size_t line_len = 0;
    for (;;) {
        ssize_t n = read(s->fd, buf, sizeof buf);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        if (s->copy) {
            fwrite(buf, 1, (size_t)n, s->copy);
            fflush(s->copy);
        }
        for (ssize_t i = 0; i < n; i++) {
            if (buf[i] == '\n') {
                s->lines++;
                line_len = 0;
            } else if (++line_len > SCANNER_LINE_MAX) {
                s->gave_up = 1;
                return NULL; /* the pipe is never read again */
            }
        }
    }
    return NULL;
}

typedef struct launched {
    char dir[64];
    char config_path[256], credentials_path[256], users_path[256];
    pid_t pid;
    int port;
    char url[64];
    scanner out, err;
} launched;

static test_stack upstream; /* fake-kiro (and a proxy this test does not use) */

static int group_setup(void **state)
{
    (void)state;
    stack_options o = {.proxy = "kiro-proxy-async"};
    return stack_start(&upstream, &o);
}

static int group_teardown(void **state)
{
    (void)state;
    return stack_stop(&upstream);
}

/* extra_config: more config.json members ("" for none), e.g. ",\"allowCallerCredentials\":true". */
static void write_data_dir(launched *l, const char *users_text, const char *extra_config)
{
    assert_int_equal(tp_temp_dir(l->dir, sizeof l->dir), 0);
    l->port = tp_free_port();
    char config[2048];
    snprintf(config, sizeof config,
             "{\"host\":\"127.0.0.1\",\"port\":%d,\"apiKey\":\"" API_KEY "\","
             "\"adminApiKey\":\"" ADMIN_KEY "\",\"regions\":[\"us-east-1\"],"
             "\"kiroVersion\":\"1.6.0\",\"activationServerUrl\":\"\",\"anthropicApiKey\":\"\","
             "\"someFutureField\":{\"nested\":[1,2]},\"upstreamUrl\":\"%s\",\"authUrl\":\"%s\","
             "\"modelRefreshSeconds\":0%s}",
             l->port, upstream.fake_url, upstream.fake_url, extra_config);
    assert_int_equal(
        tp_write_file(l->dir, "config.json", config, l->config_path, sizeof l->config_path), 0);
    const char *credentials =
        "[{\"accessToken\":\"" POOL_TOKEN_1 "\",\"refreshToken\":\"dropin-pool-refresh-0000001\","
        "\"expiresAt\":\"2099-01-01T00:00:00Z\",\"clientId\":\"cid-1\",\"clientSecret\":\"cs-1\"},"
        "{\"accessToken\":\"" POOL_TOKEN_2 "\",\"refreshToken\":\"dropin-pool-refresh-0000002\","
        "\"expiresAt\":\"2099-01-01T00:00:00Z\",\"authMethod\":\"Enterprise\",\"clientId\":"
        "\"cid-2\",\"clientSecret\":\"cs-2\"}," ODD_ENTRY "]";
    assert_int_equal(tp_write_file(l->dir, "credentials.json", credentials, l->credentials_path,
                                   sizeof l->credentials_path),
                     0);
    assert_int_equal(tp_write_file(l->dir, "user_credentials.json", users_text, l->users_path,
                                   sizeof l->users_path),
                     0);
    snprintf(l->url, sizeof l->url, "http://127.0.0.1:%d", l->port);
}

/* Starts the proxy the launcher's way; waits 500 ms (the launcher's "exited immediately" check)
 * and then for /health. */
static void launch(launched *l)
{
    int out[2], err[2];
    assert_int_equal(pipe(out), 0);
    assert_int_equal(pipe(err), 0);
    char bin[512];
    tp_bin_path("kiro-proxy-async", bin, sizeof bin);
    char *argv[] = {bin, "-config", l->config_path, "-credentials", l->credentials_path, NULL};
    tp_spawn_options o = tp_spawn_defaults(argv);
    o.stdout_fd = out[1];
    o.stderr_fd = err[1];
    o.die_with_parent = 1;
    l->pid = tp_spawn_with(&o);
    assert_true(l->pid > 0);
    close(out[1]);
    close(err[1]);
    char copy[320];
    snprintf(copy, sizeof copy, "%s/proxy.stdout", l->dir);
    l->out = (scanner){.fd = out[0], .copy = fopen(copy, "w")};
    snprintf(copy, sizeof copy, "%s/proxy.stderr", l->dir);
    l->err = (scanner){.fd = err[0], .copy = fopen(copy, "w")};
    assert_int_equal(pthread_create(&l->out.thread, NULL, scan_lines, &l->out), 0);
    assert_int_equal(pthread_create(&l->err.thread, NULL, scan_lines, &l->err), 0);
    struct timespec half = {0, 500 * 1000000L};
    nanosleep(&half, NULL);
    int status;
    if (waitpid(l->pid, &status, WNOHANG) == l->pid)
        fail_msg("the proxy exited immediately (status %d), as the launcher would report", status);
    char health[128];
    snprintf(health, sizeof health, "%s/health", l->url);
    assert_int_equal(tp_wait_http(health, TIMEOUT_MS), 0);
}

/* SIGKILL, as the launcher stops it; the scanners end at EOF and must not have given up. */
static void kill_and_reap(launched *l)
{
    kill(l->pid, SIGKILL);
    int status;
    assert_int_equal(tp_wait_exit(l->pid, TIMEOUT_MS, &status), 0);
    pthread_join(l->out.thread, NULL);
    pthread_join(l->err.thread, NULL);
    close(l->out.fd);
    close(l->err.fd);
    if (l->out.copy)
        fclose(l->out.copy);
    if (l->err.copy)
        fclose(l->err.copy);
    if (l->out.gave_up || l->err.gave_up)
        fail_msg("a line over 64 KiB ended the launcher's scanner (stdout %d, stderr %d)",
                 l->out.gave_up, l->err.gave_up);
    assert_true(l->out.lines + l->err.lines > 0);
    printf("  launcher scanners read %ld stdout and %ld stderr lines\n", l->out.lines,
           l->err.lines);
}

static int call(launched *l, const char *method, const char *path, const char *key_header,
                const char *body, tp_response *r)
{
    char url[512];
    snprintf(url, sizeof url, "%s%s", l->url, path);
    const char *headers[] = {"Content-Type: application/json", key_header, NULL};
    int rc = tp_http(method, url, headers, body, body ? strlen(body) : 0, TIMEOUT_MS, r);
    return rc == 0 ? (int)r->status : -1;
}

static int status_of(launched *l, const char *method, const char *path, const char *key_header,
                     const char *body)
{
    tp_response r;
    int status = call(l, method, path, key_header, body, &r);
    tp_response_free(&r);
    return status;
}

static cJSON *json_call(launched *l, const char *method, const char *path, const char *key_header,
                        const char *body, int expected_status)
{
    tp_response r;
    int status = call(l, method, path, key_header, body, &r);
    if (status != expected_status)
        fail_msg("%s %s: %d (expected %d) %.300s", method, path, status, expected_status,
                 r.body ? r.body : "");
    cJSON *j = cJSON_Parse(r.body);
    tp_response_free(&r);
    assert_non_null(j);
    return j;
}

#define MESSAGE_BODY                                                                               \
    "{\"model\":\"claude-sonnet-4-5\",\"max_tokens\":64,\"messages\":[{\"role\":\"user\","         \
    "\"content\":\"hi\"}]}"

/* The bearer token fake-kiro's generateAssistantResponse last received. */
static void upstream_token(char *out, size_t size)
{
    tp_response r;
    assert_int_equal(stack_fake_request(&upstream, "GET", "/__fake/last-request", NULL, &r), 0);
    cJSON *j = cJSON_Parse(r.body);
    tp_response_free(&r);
    const cJSON *auth = cJSON_GetObjectItemCaseSensitive(
        cJSON_GetObjectItemCaseSensitive(j, "headers"), "Authorization");
    if (!cJSON_IsString(auth))
        auth = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(j, "headers"),
                                                "authorization");
    assert_true(cJSON_IsString(auth));
    const char *v = auth->valuestring;
    snprintf(out, size, "%s", strncmp(v, "Bearer ", 7) == 0 ? v + 7 : v);
    cJSON_Delete(j);
}

/* Sends a message with key; returns the upstream token that served it. */
static void message_served_by(launched *l, const char *key, char *token, size_t size)
{
    char header[160];
    snprintf(header, sizeof header, "x-api-key: %s", key);
    tp_response r;
    int status = call(l, "POST", "/v1/messages", header, MESSAGE_BODY, &r);
    if (status != 200)
        fail_msg("message with key %s: %d %.300s", key, status, r.body ? r.body : "");
    tp_response_free(&r);
    upstream_token(token, size);
}

/* The bearer token fake-kiro's MCP endpoint (web_search) last received. */
static void mcp_token(char *out, size_t size)
{
    tp_response r;
    assert_int_equal(stack_fake_request(&upstream, "GET", "/__fake/last-mcp-request", NULL, &r), 0);
    cJSON *j = cJSON_Parse(r.body);
    tp_response_free(&r);
    const cJSON *headers = cJSON_GetObjectItemCaseSensitive(j, "headers");
    const cJSON *auth = cJSON_GetObjectItemCaseSensitive(headers, "Authorization");
    if (!cJSON_IsString(auth))
        auth = cJSON_GetObjectItemCaseSensitive(headers, "authorization");
    assert_true(cJSON_IsString(auth));
    const char *v = auth->valuestring;
    snprintf(out, size, "%s", strncmp(v, "Bearer ", 7) == 0 ? v + 7 : v);
    cJSON_Delete(j);
}

static int is_pool_token(const char *t)
{
    return strcmp(t, POOL_TOKEN_1) == 0 || strcmp(t, POOL_TOKEN_2) == 0;
}

static void fake_faults(const char *json)
{
    tp_response r;
    assert_int_equal(stack_fake_request(&upstream, "POST", "/__fake/faults", json, &r), 0);
    assert_int_equal(r.status, 200);
    tp_response_free(&r);
}

static void test_launcher_calls_and_keys(void **state)
{
    (void)state;
    launched l;
    memset(&l, 0, sizeof l);
    write_data_dir(&l, USER_FILE, "");
    launch(&l);

    /* The launcher's keyless reload after an account switch. */
    cJSON *j = json_call(&l, "POST", "/api/admin/reload-credentials", NULL, NULL, 200);
    assert_true(cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(j, "success")));
    assert_true(cJSON_IsString(cJSON_GetObjectItemCaseSensitive(j, "message")));
    cJSON_Delete(j);

    /* A webview's preflight and the grant on the answer. */
    char head[512];
    snprintf(head, sizeof head,
             "OPTIONS /v1/models HTTP/1.1\r\nHost: 127.0.0.1:%d\r\nOrigin: tauri://localhost\r\n"
             "Access-Control-Request-Method: GET\r\nAccess-Control-Request-Headers: x-api-key\r\n"
             "Connection: close\r\n\r\n",
             l.port);
    rh_request pre = {.head = head, .head_len = strlen(head)};
    rh_response pr;
    rh_exchange("127.0.0.1", l.port, &pre, TIMEOUT_MS, &pr);
    char v[256];
    assert_int_equal(pr.status, 204);
    assert_true(rh_header(&pr, "Access-Control-Allow-Origin", v, sizeof v));
    assert_string_equal(v, "*");
    assert_true(rh_header(&pr, "Access-Control-Allow-Headers", v, sizeof v));
    assert_non_null(strstr(v, "x-api-key"));
    rh_response_free(&pr);

    j = json_call(&l, "GET", "/v1/models", "x-api-key: " API_KEY, NULL, 200);
    assert_true(cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(j, "data")) > 0);
    cJSON_Delete(j);

    /* Callers. */
    char token[256];
    message_served_by(&l, "act-user-0001", token, sizeof token); /* any case */
    assert_string_equal(token, USER_TOKEN);
    message_served_by(&l, API_KEY, token, sizeof token);
    assert_true(is_pool_token(token));
    message_served_by(&l, "ACT-NOCRED-0002", token, sizeof token);
    assert_true(is_pool_token(token));
    assert_int_equal(
        status_of(&l, "POST", "/v1/messages", "x-api-key: act-nobody-9999", MESSAGE_BODY), 401);
    assert_int_equal(status_of(&l, "POST", "/v1/messages", "x-api-key: creds-e30", MESSAGE_BODY),
                     401);

    /* Claude Code's web_search (Kiro's MCP endpoint) of an act- caller: its own credential. */
    tp_response ws;
    int ws_status =
        call(&l, "POST", "/v1/messages", "x-api-key: act-user-0001",
             "{\"model\":\"claude-sonnet-4-5\",\"max_tokens\":64,\"tools\":[{\"type\":"
             "\"web_search_20250305\",\"name\":\"web_search\"}],\"messages\":[{\"role\":"
             "\"user\",\"content\":\"Perform a web search for the query: kiro\"}]}",
             &ws);
    if (ws_status != 200)
        fail_msg("web_search with an act- key: %d %.300s", ws_status, ws.body ? ws.body : "");
    tp_response_free(&ws);
    mcp_token(token, sizeof token);
    assert_string_equal(token, USER_TOKEN);

    /* 402 MONTHLY_REQUEST_COUNT on the user's own credential: disabled, moved on to the pool,
     * and the next call goes to the pool directly. */
    fake_faults("{\"quota\":true,\"fail_count\":1}");
    message_served_by(&l, "act-user-0001", token, sizeof token);
    assert_true(is_pool_token(token));
    fake_faults("{}");
    message_served_by(&l, "act-user-0001", token, sizeof token);
    assert_true(is_pool_token(token));

    /* The odd credentials entry: loaded disabled, with its reason. */
    j = json_call(&l, "GET", "/api/admin/credentials", "x-admin-key: " ADMIN_KEY, NULL, 200);
    const cJSON *creds = cJSON_GetObjectItemCaseSensitive(j, "credentials");
    assert_int_equal(cJSON_GetArraySize(creds), 3);
    const cJSON *odd = cJSON_GetArrayItem(creds, 2);
    assert_true(cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(odd, "disabled")));
    assert_non_null(
        strstr(cJSON_GetObjectItemCaseSensitive(odd, "disabledReason")->valuestring, "region"));
    assert_string_equal(
        cJSON_GetObjectItemCaseSensitive(cJSON_GetArrayItem(creds, 1), "authMethod")->valuestring,
        "idc");
    assert_string_equal(
        cJSON_GetObjectItemCaseSensitive(cJSON_GetArrayItem(creds, 0), "authMethod")->valuestring,
        "idc");
    cJSON_Delete(j);

    /* The admin API in kiro-go's shapes. */
    const char *admin = "x-admin-key: " ADMIN_KEY;
    j = json_call(&l, "POST", "/api/admin/user-credentials", admin,
                  "{\"activation_code\":\"ACT-NEW-0003\",\"user_name\":\"Nia\",\"credentials\":{"
                  "\"accessToken\":\"" NEW_TOKEN "\",\"expiresAt\":\"2099-01-01T00:00:00Z\"}}",
                  200);
    assert_true(cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(j, "success")));
    assert_true(cJSON_IsString(cJSON_GetObjectItemCaseSensitive(j, "message")));
    cJSON_Delete(j);
    j = json_call(&l, "GET", "/api/admin/user-credentials/stats", admin, NULL, 200);
    assert_int_equal(cJSON_GetObjectItemCaseSensitive(j, "total_users")->valueint, 3);
    cJSON_Delete(j);
    j = json_call(&l, "GET", "/api/admin/user-credentials", admin, NULL, 200);
    assert_true(cJSON_IsArray(j));
    assert_int_equal(cJSON_GetArraySize(j), 3);
    cJSON_Delete(j);
    j = json_call(&l, "GET", "/api/admin/user-credentials/act-new-0003", admin, NULL, 200);
    const char *fields[] = {"activation_code", "has_credentials", "expires_at", "expires_date",
                            "expired"};
    for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++)
        if (!cJSON_GetObjectItemCaseSensitive(j, fields[i]))
            fail_msg("get lacks %s", fields[i]);
    cJSON_Delete(j);
    message_served_by(&l, "act-new-0003", token, sizeof token);
    assert_string_equal(token, NEW_TOKEN);

    j = json_call(&l, "POST", "/api/admin/user-credentials/ACT-NEW-0003/set-expiry", admin,
                  "{\"days\":0}", 200);
    assert_true(cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(j, "success")));
    cJSON_Delete(j);
    assert_int_equal(status_of(&l, "POST", "/v1/messages", "x-api-key: act-new-0003", MESSAGE_BODY),
                     403);
    j = json_call(&l, "POST", "/api/admin/user-credentials/batch-set-expiry", admin,
                  "{\"activation_codes\":[\"ACT-NEW-0003\",\"nobody\"],\"days\":-1}", 200);
    assert_int_equal(cJSON_GetObjectItemCaseSensitive(j, "updated")->valueint, 1);
    cJSON_Delete(j);
    message_served_by(&l, "act-new-0003", token, sizeof token);
    assert_string_equal(token, NEW_TOKEN);
    j = json_call(&l, "DELETE", "/api/admin/user-credentials/nobody-at-all", admin, NULL, 200);
    assert_true(cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(j, "success")));
    cJSON_Delete(j);

    /* The launcher (or a hand edit) replaces credentials.json: the watch reloads it. */
    char replaced[256];
    snprintf(replaced, sizeof replaced,
             "[{\"accessToken\":\"" NEW_POOL_TOKEN "\",\"expiresAt\":\"2099-01-01T00:00:00Z\"}]");
    char tmp_path[300], final_path[300];
    assert_int_equal(
        tp_write_file(l.dir, "credentials.json.new", replaced, tmp_path, sizeof tmp_path), 0);
    snprintf(final_path, sizeof final_path, "%s", l.credentials_path);
    assert_int_equal(rename(tmp_path, final_path), 0);
    int reloaded = 0;
    for (int i = 0; i < 200 && !reloaded; i++) { /* bounded: 200 x 50 ms */
        j = json_call(&l, "GET", "/api/admin/credentials", admin, NULL, 200);
        reloaded = cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(j, "credentials")) == 1;
        cJSON_Delete(j);
        if (!reloaded) {
            struct timespec pause = {0, 50 * 1000000L};
            nanosleep(&pause, NULL);
        }
    }
    assert_true(reloaded);
    message_served_by(&l, API_KEY, token, sizeof token);
    assert_string_equal(token, NEW_POOL_TOKEN);

    kill_and_reap(&l);

    /* The user file: still kiro-go's keyed shape; the two original users exactly as they were
     * (the runtime disable of Uma's credential is not written); the new one beside them. */
    char *text = NULL;
    {
        FILE *f = fopen(l.users_path, "r");
        assert_non_null(f);
        text = calloc(1, 1 << 20);
        size_t n = fread(text, 1, (1 << 20) - 1, f);
        text[n] = '\0';
        fclose(f);
    }
    cJSON *saved = cJSON_Parse(text);
    cJSON *original = cJSON_Parse(USER_FILE);
    free(text);
    assert_true(cJSON_IsObject(saved));
    assert_true(cJSON_Compare(cJSON_GetObjectItem(saved, "ACT-USER-0001"),
                              cJSON_GetObjectItem(original, "ACT-USER-0001"), 1));
    assert_true(cJSON_Compare(cJSON_GetObjectItem(saved, "ACT-NOCRED-0002"),
                              cJSON_GetObjectItem(original, "ACT-NOCRED-0002"), 1));
    assert_non_null(cJSON_GetObjectItem(saved, "ACT-NEW-0003"));
    cJSON_Delete(saved);
    cJSON_Delete(original);
    if (!getenv("KIRO_KEEP_TEST_DIR")) /* the proxy's output stays there for a post-mortem */
        tp_remove_dir(l.dir);
}

/* A truncated user file (a crash of some other program mid-write): the proxy starts anyway,
 * every admin write answers 500 naming the file, and the file is left byte for byte. */
static void test_truncated_user_file_is_never_rewritten(void **state)
{
    (void)state;
    static const char truncated[] =
        "{\"ACT-USER-0001\": {\"activation_code\": \"ACT-USER-0001\", \"user_name\": \"Uma\", "
        "\"credentials\": {\"accessToken\": \"dropin-user-acc";
    launched l;
    memset(&l, 0, sizeof l);
    write_data_dir(&l, truncated, "");
    launch(&l);
    const char *admin = "x-admin-key: " ADMIN_KEY;
    const struct {
        const char *method, *path, *body;
    } writes[] = {
        {"POST", "/api/admin/user-credentials", "{\"activation_code\":\"ACT-X-1\"}"},
        {"DELETE", "/api/admin/user-credentials/ACT-USER-0001", NULL},
        {"POST", "/api/admin/user-credentials/batch-set-expiry",
         "{\"activation_codes\":[\"ACT-USER-0001\"],\"days\":3}"},
    };
    for (size_t i = 0; i < sizeof writes / sizeof writes[0]; i++) {
        tp_response r;
        int status = call(&l, writes[i].method, writes[i].path, admin, writes[i].body, &r);
        /* The delete and expiry of a code the store could not read find nothing (200 with
         * nothing done, or 0 updated, as kiro-go answers); the add must be refused. */
        if (i == 0 && (status != 500 || !strstr(r.body, l.users_path)))
            fail_msg("%s %s: %d %.300s", writes[i].method, writes[i].path, status, r.body);
        tp_response_free(&r);
    }
    /* The reload reports the file, and the proxy keeps serving. */
    cJSON *j = json_call(&l, "POST", "/api/admin/reload-credentials", NULL, NULL, 200);
    assert_non_null(strstr(cJSON_GetObjectItemCaseSensitive(j, "warning")->valuestring,
                           "user_credentials.json"));
    cJSON_Delete(j);
    assert_int_equal(status_of(&l, "GET", "/v1/models", "x-api-key: " API_KEY, NULL), 200);
    kill_and_reap(&l);
    FILE *f = fopen(l.users_path, "r");
    assert_non_null(f);
    char after[sizeof truncated + 16];
    size_t n = fread(after, 1, sizeof after - 1, f);
    after[n] = '\0';
    fclose(f);
    assert_string_equal(after, truncated);
    tp_remove_dir(l.dir);
}

/* A caller that brings its own credential (kiro-go's local mode), with the switch on: the
 * X-Kiro-Credentials header and a creds-<base64> key are served from that credential alone;
 * an unusable one is refused, never given the pool. */
static void test_caller_credentials_when_allowed(void **state)
{
    (void)state;
    launched l;
    memset(&l, 0, sizeof l);
    write_data_dir(&l, USER_FILE, ",\"allowCallerCredentials\":true");
    launch(&l);
#define BROUGHT "dropin-brought-access-000001"
    const char *header = "X-Kiro-Credentials: {\"accessToken\":\"" BROUGHT
                         "\",\"expiresAt\":\"2099-01-01T00:00:00Z\"}";
    tp_response r;
    int status = call(&l, "POST", "/v1/messages", header, MESSAGE_BODY, &r);
    if (status != 200)
        fail_msg("X-Kiro-Credentials: %d %.300s", status, r.body ? r.body : "");
    tp_response_free(&r);
    char token[256];
    upstream_token(token, sizeof token);
    assert_string_equal(token, BROUGHT);

    /* printf '{"accessToken":"dropin-brought-access-000002"}' | base64 -w0 */
    message_served_by(&l, "creds-eyJhY2Nlc3NUb2tlbiI6ImRyb3Bpbi1icm91Z2h0LWFjY2Vzcy0wMDAwMDIifQ==",
                      token, sizeof token);
    assert_string_equal(token, "dropin-brought-access-000002");

#define EXPIRED_HEADER                                                                             \
    "X-Kiro-Credentials: {\"accessToken\":\"expired-token-00001\",\"expiresAt\":"                  \
    "\"2001-01-01T00:00:00Z\"}"
    const char *unusable[] = {
        EXPIRED_HEADER,
        "X-Kiro-Credentials: not json",
        "x-api-key: creds-!!!",
        "x-api-key: creds-e30=",
    };
    for (size_t i = 0; i < sizeof unusable / sizeof unusable[0]; i++) {
        int st = status_of(&l, "POST", "/v1/messages", unusable[i], MESSAGE_BODY);
        if (st != 401)
            fail_msg("%s: %d (expected 401)", unusable[i], st);
    }
    kill_and_reap(&l);
    tp_remove_dir(l.dir);
}

int main(void)
{
    signal(SIGPIPE, SIG_IGN);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_launcher_calls_and_keys),
        cmocka_unit_test(test_truncated_user_file_is_never_rewritten),
        cmocka_unit_test(test_caller_credentials_when_allowed),
    };
    return cmocka_run_group_tests_name("dropin", tests, group_setup, group_teardown);
}
