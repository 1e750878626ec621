/* test_config.c: configuration defaults, config.json fields and type errors, KIRO_* variables,
 * precedence (file < environment < flags), both flag spellings, numeric ranges, HOST:PORT
 * parsing, and --help / --version. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config/config.h"
#include "util/listen_addr.h"
#include "test_dir.h"

/* Every variable a test may set; cleared before and after each test. */
static const char *const env_names[] = {
    "KIRO_CONFIG",       "KIRO_LISTEN",           "KIRO_API_KEY",        "KIRO_ADMIN_KEY",
    "KIRO_CREDENTIALS",  "KIRO_USER_CREDENTIALS", "KIRO_UPSTREAM_URL",   "KIRO_AUTH_URL",
    "KIRO_LOG_LEVEL",    "KIRO_REGION",           "KIRO_MAX_RETRIES",    "KIRO_MAX_BODY_BYTES",
    "KIRO_KIRO_VERSION", "KIRO_SDK_VERSION",      "KIRO_SYSTEM_VERSION", "KIRO_NODE_VERSION",
};

typedef struct fixture {
    char dir[TEST_PATH_MAX];
    char config_file[TEST_PATH_MAX];
    proxy_config cfg;
    char err[512];
} fixture;

static void clear_env(void)
{
    for (size_t i = 0; i < sizeof env_names / sizeof env_names[0]; i++)
        unsetenv(env_names[i]);
}

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof *f);
    if (!f || test_dir_make(f->dir, sizeof f->dir) != 0)
        return -1;
    test_dir_join(f->dir, "config.json", f->config_file, sizeof f->config_file);
    clear_env();
    config_defaults(&f->cfg);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    config_free(&f->cfg);
    clear_env();
    test_dir_remove(f->dir);
    free(f);
    return 0;
}

/* Runs config_from_args on a NULL-terminated list of arguments after the program name. */
static int run_args(fixture *f, ...)
{
    char *argv[64];
    int argc = 0;
    argv[argc++] = (char *)"kiro-proxy";
    va_list ap;
    va_start(ap, f);
    const char *arg;
    while ((arg = va_arg(ap, const char *)) != NULL) {
        if (argc == 63)
            fail_msg("too many arguments for run_args");
        argv[argc++] = (char *)arg;
    }
    va_end(ap);
    argv[argc] = NULL;
    f->err[0] = '\0';
    return config_from_args(&f->cfg, argc, argv, f->err, sizeof f->err);
}

static void test_defaults(void **state)
{
    fixture *f = *state;
    proxy_config *c = &f->cfg;
    assert_string_equal(c->host, "127.0.0.1");
    assert_int_equal(c->port, 13000);
    assert_null(c->api_key);
    assert_null(c->admin_key);
    assert_string_equal(c->region, "us-east-1");
    assert_string_equal(c->kiro_version, "1.6.0");
    assert_string_equal(c->sdk_version, "1.0.27");
    assert_string_equal(c->node_version, "22.21.1");
#if defined(__APPLE__)
    assert_true(strncmp(c->system_version, "darwin#", 7) == 0);
#else
    assert_true(strncmp(c->system_version, "linux#", 6) == 0);
#endif
    assert_true(strlen(c->system_version) > 7);
    assert_string_equal(c->credentials_path, "./credentials.json");
    assert_string_equal(c->user_credentials_path, "./user_credentials.json");
    assert_null(c->upstream_url);
    assert_null(c->auth_url);
    assert_null(c->config_path);
    assert_int_equal(c->log_level, LOG_LEVEL_INFO);
    assert_int_equal(c->log_queue_bytes, 4u << 20);
    assert_int_equal(c->log_flush_ms, 2000);
    assert_int_equal(c->max_body_bytes, 16u << 20);
    assert_int_equal(c->max_connections, 512);
    assert_int_equal(c->connect_timeout_ms, 10000);
    assert_int_equal(c->first_byte_timeout_ms, 120000);
    assert_int_equal(c->idle_timeout_ms, 300000);
    assert_int_equal(c->client_timeout_s, 300);
    assert_int_equal(c->ping_interval_ms, 15000);
    assert_int_equal(c->model_refresh_s, 3600);
    assert_int_equal(c->max_retries, 3);
    assert_int_equal(c->retry_base_ms, 250);
}

static void test_no_arguments_keeps_defaults(void **state)
{
    fixture *f = *state;
    assert_int_equal(run_args(f, NULL), 0);
    assert_int_equal(f->cfg.port, 13000);
    assert_null(f->cfg.config_path);
}

static void test_file_fields(void **state)
{
    fixture *f = *state;
    assert_int_equal(
        test_write_text(
            f->config_file,
            "{\"host\":\"0.0.0.0\",\"port\":8080,\"apiKey\":\"sk-client-key-123\","
            "\"adminApiKey\":\"admin-key-456\",\"regions\":[\"eu-west-1\",\"us-west-2\"],"
            "\"kiroVersion\":\"0.3.1\",\"systemVersion\":\"darwin#24.6.0\","
            "\"nodeVersion\":\"20.1.0\",\"userCredentialsPath\":\"/data/users.json\","
            "\"credentialsPath\":\"/data/creds.json\",\"upstreamUrl\":\"http://127.0.0.1:9/\","
            "\"authUrl\":\"https://auth.example\",\"logLevel\":\"debug\","
            "\"logQueueBytes\":1048576,\"logFlushMs\":500,\"maxBodyBytes\":2048,"
            "\"maxConnections\":64,\"connectTimeoutMs\":1500,\"firstByteTimeoutMs\":2500,"
            "\"idleTimeoutMs\":3500,\"modelRefreshSeconds\":0,\"unknownField\":[1,2]}"),
        0);
    assert_int_equal(config_load_file(&f->cfg, f->config_file, f->err, sizeof f->err), 0);
    proxy_config *c = &f->cfg;
    assert_string_equal(c->host, "0.0.0.0");
    assert_int_equal(c->port, 8080);
    assert_string_equal(c->api_key, "sk-client-key-123");
    assert_string_equal(c->admin_key, "admin-key-456");
    assert_string_equal(c->region, "eu-west-1");
    assert_string_equal(c->kiro_version, "0.3.1");
    assert_string_equal(c->system_version, "darwin#24.6.0");
    assert_string_equal(c->node_version, "20.1.0");
    assert_string_equal(c->user_credentials_path, "/data/users.json");
    assert_string_equal(c->credentials_path, "/data/creds.json");
    assert_string_equal(c->upstream_url, "http://127.0.0.1:9/");
    assert_string_equal(c->auth_url, "https://auth.example");
    assert_int_equal(c->log_level, LOG_LEVEL_DEBUG);
    assert_int_equal(c->log_queue_bytes, 1048576);
    assert_int_equal(c->log_flush_ms, 500);
    assert_int_equal(c->max_body_bytes, 2048);
    assert_int_equal(c->max_connections, 64);
    assert_int_equal(c->connect_timeout_ms, 1500);
    assert_int_equal(c->first_byte_timeout_ms, 2500);
    assert_int_equal(c->idle_timeout_ms, 3500);
    assert_int_equal(c->model_refresh_s, 0);
    assert_string_equal(c->config_path, f->config_file);
}

static void test_api_region_wins_over_regions(void **state)
{
    fixture *f = *state;
    /* apiRegion first in the text: it must still win over regions[0]. */
    assert_int_equal(config_load_json(&f->cfg,
                                      "{\"apiRegion\":\"ap-south-1\",\"regions\":[\"eu-west-1\"]}",
                                      f->err, sizeof f->err),
                     0);
    assert_string_equal(f->cfg.region, "ap-south-1");
    assert_int_equal(
        config_load_json(&f->cfg, "{\"regions\":[\"eu-central-1\"]}", f->err, sizeof f->err), 0);
    assert_string_equal(f->cfg.region, "eu-central-1");
}

/* Each bad document must fail with a message naming the field. */
static void test_wrong_types_name_the_field(void **state)
{
    fixture *f = *state;
    static const struct {
        const char *json;
        const char *field;
    } cases[] = {
        {"{\"port\":\"13000\"}", "port"},
        {"{\"port\":70000}", "port"},
        {"{\"port\":1.5}", "port"},
        {"{\"host\":5}", "host"},
        {"{\"apiKey\":123}", "apiKey"},
        {"{\"adminApiKey\":true}", "adminApiKey"},
        {"{\"regions\":\"us-east-1\"}", "regions"},
        {"{\"regions\":[1]}", "regions"},
        {"{\"apiRegion\":[\"x\"]}", "apiRegion"},
        {"{\"apiRegion\":\"US EAST\"}", "apiRegion"},
        {"{\"kiroVersion\":1}", "kiroVersion"},
        {"{\"systemVersion\":\"has space\"}", "systemVersion"},
        {"{\"nodeVersion\":{}}", "nodeVersion"},
        {"{\"kiroVersion\":\"\"}", "kiroVersion"},
        {"{\"sdkVersion\":2}", "sdkVersion"},
        {"{\"sdkVersion\":\"1.0 .27\"}", "sdkVersion"},
        {"{\"userCredentialsPath\":7}", "userCredentialsPath"},
        {"{\"credentialsPath\":false}", "credentialsPath"},
        {"{\"upstreamUrl\":\"ftp://x\"}", "upstreamUrl"},
        {"{\"authUrl\":3}", "authUrl"},
        {"{\"logLevel\":\"loud\"}", "logLevel"},
        {"{\"logQueueBytes\":\"big\"}", "logQueueBytes"},
        {"{\"maxBodyBytes\":-1}", "maxBodyBytes"},
        {"{\"maxConnections\":0}", "maxConnections"},
        {"{\"connectTimeoutMs\":1e12}", "connectTimeoutMs"},
        {"{\"firstByteTimeoutMs\":null, \"idleTimeoutMs\":\"5\"}", "idleTimeoutMs"},
        {"{\"modelRefreshSeconds\":-5}", "modelRefreshSeconds"},
        {"{\"logFlushMs\":[]}", "logFlushMs"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        f->err[0] = '\0';
        int rc = config_load_json(&f->cfg, cases[i].json, f->err, sizeof f->err);
        if (rc != -1 || !strstr(f->err, cases[i].field))
            fail_msg("case %s: rc %d, error '%s'", cases[i].json, rc, f->err);
    }
}

static void test_bad_documents(void **state)
{
    fixture *f = *state;
    assert_int_equal(config_load_json(&f->cfg, "{not json", f->err, sizeof f->err), -1);
    assert_int_equal(config_load_json(&f->cfg, "[1,2]", f->err, sizeof f->err), -1);
    char missing[TEST_PATH_MAX];
    test_dir_join(f->dir, "missing.json", missing, sizeof missing);
    assert_int_equal(config_load_file(&f->cfg, missing, f->err, sizeof f->err), -1);
    assert_non_null(strstr(f->err, "missing.json"));
}

static void test_file_over_cap_is_rejected(void **state)
{
    fixture *f = *state;
    size_t size = (1u << 20) + 16;
    char *big = malloc(size + 1);
    assert_non_null(big);
    memset(big, ' ', size);
    big[0] = '{';
    big[size - 1] = '}';
    big[size] = '\0';
    assert_int_equal(test_write_text(f->config_file, big), 0);
    free(big);
    assert_int_equal(config_load_file(&f->cfg, f->config_file, f->err, sizeof f->err), -1);
    assert_non_null(strstr(f->err, "larger"));
}

static void test_environment(void **state)
{
    fixture *f = *state;
    setenv("KIRO_LISTEN", "[::1]:9001", 1);
    setenv("KIRO_API_KEY", "env-api-key-xyz", 1);
    setenv("KIRO_ADMIN_KEY", "env-admin-key", 1);
    setenv("KIRO_CREDENTIALS", "/env/creds.json", 1);
    setenv("KIRO_USER_CREDENTIALS", "/env/users.json", 1);
    setenv("KIRO_UPSTREAM_URL", "http://127.0.0.1:1234", 1);
    setenv("KIRO_AUTH_URL", "http://127.0.0.1:4321", 1);
    setenv("KIRO_LOG_LEVEL", "warn", 1);
    setenv("KIRO_REGION", "eu-west-1", 1);
    setenv("KIRO_MAX_RETRIES", "7", 1);
    assert_int_equal(config_apply_env(&f->cfg, f->err, sizeof f->err), 0);
    proxy_config *c = &f->cfg;
    assert_string_equal(c->host, "::1");
    assert_int_equal(c->port, 9001);
    assert_string_equal(c->api_key, "env-api-key-xyz");
    assert_string_equal(c->admin_key, "env-admin-key");
    assert_string_equal(c->credentials_path, "/env/creds.json");
    assert_string_equal(c->user_credentials_path, "/env/users.json");
    assert_string_equal(c->upstream_url, "http://127.0.0.1:1234");
    assert_string_equal(c->auth_url, "http://127.0.0.1:4321");
    assert_int_equal(c->log_level, LOG_LEVEL_WARN);
    assert_string_equal(c->region, "eu-west-1");
    assert_int_equal(c->max_retries, 7);

    setenv("KIRO_MAX_BODY_BYTES", "12", 1);
    assert_int_equal(config_apply_env(&f->cfg, f->err, sizeof f->err), -1);
    assert_non_null(strstr(f->err, "KIRO_MAX_BODY_BYTES"));
}

static void test_precedence_file_env_flags(void **state)
{
    fixture *f = *state;
    assert_int_equal(test_write_text(f->config_file,
                                     "{\"port\":1111,\"apiKey\":\"file-key-000\",\"maxRetries\":1,"
                                     "\"logLevel\":\"error\"}"),
                     0);
    setenv("KIRO_CONFIG", f->config_file, 1);
    setenv("KIRO_LISTEN", "127.0.0.1:2222", 1);
    setenv("KIRO_API_KEY", "env-key-000", 1);
    assert_int_equal(run_args(f, "--listen", "127.0.0.1:3333", NULL), 0);
    assert_int_equal(f->cfg.port, 3333);                /* flag beats environment */
    assert_string_equal(f->cfg.api_key, "env-key-000"); /* environment beats file */
    assert_int_equal(f->cfg.max_retries, 1);            /* file beats default */
    assert_int_equal(f->cfg.log_level, LOG_LEVEL_ERROR);
    assert_string_equal(f->cfg.config_path, f->config_file);
}

static void test_config_flag_beats_kiro_config(void **state)
{
    fixture *f = *state;
    char other[TEST_PATH_MAX];
    test_dir_join(f->dir, "other.json", other, sizeof other);
    assert_int_equal(test_write_text(f->config_file, "{\"port\":1111}"), 0);
    assert_int_equal(test_write_text(other, "{\"port\":4444}"), 0);
    setenv("KIRO_CONFIG", f->config_file, 1);
    /* --config is read before the other flags even when it comes last. */
    assert_int_equal(run_args(f, "--max-retries", "2", "--config", other, NULL), 0);
    assert_int_equal(f->cfg.port, 4444);
    assert_int_equal(f->cfg.max_retries, 2);
}

static void test_flag_spellings(void **state)
{
    fixture *f = *state;
    assert_int_equal(
        run_args(f, "--listen=0.0.0.0:8000", "--api-key", "k-1234567890",
                 "--admin-key=adm-1234567890", "--region=ap-northeast-1", "--log-level", "DEBUG",
                 "--max-body-bytes=4096", "--client-timeout-s", "30", "--ping-interval-ms=1000",
                 "--max-retries=0", "--retry-base-ms", "100", "--log-queue-bytes", "65536",
                 "--log-flush-ms=0", "--max-connections", "10", "--connect-timeout-ms=200",
                 "--first-byte-timeout-ms", "300", "--idle-timeout-ms=400", "--model-refresh-s",
                 "60", "--credentials=/c.json", "--user-credentials", "/u.json",
                 "--upstream-url=http://127.0.0.1:1", "--auth-url", "http://127.0.0.1:2", NULL),
        0);
    assert_string_equal(f->err, "");
    proxy_config *c = &f->cfg;
    assert_string_equal(c->host, "0.0.0.0");
    assert_int_equal(c->port, 8000);
    assert_string_equal(c->api_key, "k-1234567890");
    assert_string_equal(c->admin_key, "adm-1234567890");
    assert_string_equal(c->region, "ap-northeast-1");
    assert_int_equal(c->log_level, LOG_LEVEL_DEBUG);
    assert_int_equal(c->max_body_bytes, 4096);
    assert_int_equal(c->client_timeout_s, 30);
    assert_int_equal(c->ping_interval_ms, 1000);
    assert_int_equal(c->max_retries, 0);
    assert_int_equal(c->retry_base_ms, 100);
    assert_int_equal(c->log_queue_bytes, 65536);
    assert_int_equal(c->log_flush_ms, 0);
    assert_int_equal(c->max_connections, 10);
    assert_int_equal(c->connect_timeout_ms, 200);
    assert_int_equal(c->first_byte_timeout_ms, 300);
    assert_int_equal(c->idle_timeout_ms, 400);
    assert_int_equal(c->model_refresh_s, 60);
    assert_string_equal(c->credentials_path, "/c.json");
    assert_string_equal(c->user_credentials_path, "/u.json");
    assert_string_equal(c->upstream_url, "http://127.0.0.1:1");
    assert_string_equal(c->auth_url, "http://127.0.0.1:2");
}

static void expect_flag_error(fixture *f, const char *flag, const char *value,
                              const char *expected_in_error)
{
    char joined[128];
    snprintf(joined, sizeof joined, "%s=%s", flag, value);
    int rc = run_args(f, joined, NULL);
    if (rc != -1 || !strstr(f->err, expected_in_error))
        fail_msg("%s: rc %d, error '%s'", joined, rc, f->err);
}

static void test_ranges_and_bad_numbers(void **state)
{
    fixture *f = *state;
    expect_flag_error(f, "--max-connections", "0", "--max-connections");
    expect_flag_error(f, "--max-connections", "100001", "--max-connections");
    expect_flag_error(f, "--connect-timeout-ms", "abc", "--connect-timeout-ms");
    expect_flag_error(f, "--connect-timeout-ms", "99", "--connect-timeout-ms");
    expect_flag_error(f, "--max-body-bytes", "-5", "--max-body-bytes");
    expect_flag_error(f, "--max-body-bytes", "99999999999999999999999", "--max-body-bytes");
    expect_flag_error(f, "--max-retries", "11", "--max-retries");
    expect_flag_error(f, "--max-retries", "3x", "--max-retries");
    expect_flag_error(f, "--max-retries", "", "--max-retries");
    expect_flag_error(f, "--log-queue-bytes", "100", "--log-queue-bytes");
    expect_flag_error(f, "--log-level", "verbose", "--log-level");
    expect_flag_error(f, "--region", "US-EAST-1", "--region");
    expect_flag_error(f, "--upstream-url", "file:///etc/passwd", "--upstream-url");
    expect_flag_error(f, "--listen", "127.0.0.1:65536", "--listen");
    expect_flag_error(f, "--credentials", "", "--credentials");
    /* Edges are accepted. */
    assert_int_equal(run_args(f, "--max-connections=1", "--max-retries=10", NULL), 0);
    assert_int_equal(f->cfg.max_connections, 1);
    assert_int_equal(f->cfg.max_retries, 10);
}

static void test_usage_errors(void **state)
{
    fixture *f = *state;
    assert_int_equal(run_args(f, "--no-such-flag", NULL), -1);
    assert_non_null(strstr(f->err, "--no-such-flag"));
    assert_int_equal(run_args(f, "--listen", NULL), -1);
    assert_non_null(strstr(f->err, "--listen"));
    assert_int_equal(run_args(f, "positional", NULL), -1);
    assert_int_equal(run_args(f, "--help=yes", NULL), -1);
    /* A broken config file is reported with its name. */
    assert_int_equal(test_write_text(f->config_file, "{\"port\":\"x\"}"), 0);
    assert_int_equal(run_args(f, "--config", f->config_file, NULL), -1);
    assert_non_null(strstr(f->err, "port"));
}

/* kiro-go's launcher runs the proxy with Go's one-dash flags; both spellings of every form. */
static void test_kiro_go_flag_spellings(void **state)
{
    fixture *f = *state;
    assert_int_equal(
        test_write_text(f->config_file, "{\"port\":2222,\"apiKey\":\"k-file-123456\"}"), 0);
    static const struct {
        const char *a, *b, *c, *d;
    } forms[] = {
        {"-config", NULL, "-credentials", "/data/creds.json"},
        {"--config", NULL, "--credentials", "/data/creds.json"},
        {"-config=", NULL, "-credentials=/data/creds.json", NULL},
    };
    for (size_t i = 0; i < sizeof forms / sizeof forms[0]; i++) {
        config_free(&f->cfg);
        config_defaults(&f->cfg);
        char config_arg[1100];
        int rc;
        if (forms[i].a[strlen(forms[i].a) - 1] == '=') {
            snprintf(config_arg, sizeof config_arg, "%s%s", forms[i].a, f->config_file);
            rc = run_args(f, config_arg, forms[i].c, NULL);
        } else {
            rc = run_args(f, forms[i].a, f->config_file, forms[i].c, forms[i].d, NULL);
        }
        if (rc != 0)
            fail_msg("form %zu (%s ... %s): %s", i, forms[i].a, forms[i].c, f->err);
        assert_int_equal(f->cfg.port, 2222);
        assert_string_equal(f->cfg.credentials_path, "/data/creds.json");
        /* kiro-go keeps user_credentials.json beside credentials.json. */
        assert_string_equal(f->cfg.user_credentials_path, "/data/user_credentials.json");
    }
    config_free(&f->cfg);
    config_defaults(&f->cfg);
    assert_int_equal(run_args(f, "-max-retries", "1", "-log-level=warn", NULL), 0);
    assert_int_equal(f->cfg.max_retries, 1);
    assert_int_equal(f->cfg.log_level, LOG_LEVEL_WARN);
    /* A user store named by a flag stays where it was named. */
    assert_int_equal(
        run_args(f, "-credentials", "/a/c.json", "-user-credentials", "/b/u.json", NULL), 0);
    assert_string_equal(f->cfg.user_credentials_path, "/b/u.json");
    /* Errors name the flag as spelled. */
    assert_int_equal(run_args(f, "-no-such-flag", NULL), -1);
    assert_non_null(strstr(f->err, "'-no-such-flag'"));
    assert_int_equal(run_args(f, "-", NULL), -1);
    assert_int_equal(run_args(f, "---config", "x", NULL), -1);
}

/* Without -config, kiro-go reads ./config.json; so does the proxy when it is there. */
static void test_default_config_in_working_directory(void **state)
{
    fixture *f = *state;
    char cwd[1024];
    assert_non_null(getcwd(cwd, sizeof cwd));
    assert_int_equal(chdir(f->dir), 0);
    assert_int_equal(run_args(f, NULL), 0);
    assert_int_equal(f->cfg.port, 13000); /* no config.json yet */
    assert_int_equal(test_write_text(f->config_file, "{\"port\":3333,\"unknownField\":[1]}"), 0);
    int rc = run_args(f, NULL);
    assert_int_equal(chdir(cwd), 0);
    assert_int_equal(rc, 0);
    assert_int_equal(f->cfg.port, 3333);
}

/* corsOrigins (a string or an array) and allowCallerCredentials (a boolean or on/off text). */
static void test_cors_and_caller_credentials(void **state)
{
    fixture *f = *state;
    assert_null(f->cfg.cors_origins);
    assert_int_equal(f->cfg.allow_caller_credentials, 0);
    assert_int_equal(test_write_text(f->config_file,
                                     "{\"corsOrigins\":[\"tauri://localhost\",\"http://a:1\"],"
                                     "\"allowCallerCredentials\":true}"),
                     0);
    assert_int_equal(run_args(f, "-config", f->config_file, NULL), 0);
    assert_string_equal(f->cfg.cors_origins, "tauri://localhost,http://a:1");
    assert_int_equal(f->cfg.allow_caller_credentials, 1);
    assert_int_equal(run_args(f, "--caller-credentials", "off", "--cors-origins", "*", NULL), 0);
    assert_int_equal(f->cfg.allow_caller_credentials, 0);
    assert_string_equal(f->cfg.cors_origins, "*");
    assert_int_equal(run_args(f, "--caller-credentials", "maybe", NULL), -1);
    assert_non_null(strstr(f->err, "--caller-credentials"));
    assert_int_equal(test_write_text(f->config_file, "{\"corsOrigins\":[7]}"), 0);
    assert_int_equal(run_args(f, "-config", f->config_file, NULL), -1);
    assert_non_null(strstr(f->err, "corsOrigins"));
}

static void test_parse_listen(void **state)
{
    (void)state;
    char host[64];
    int port = -1;
    assert_int_equal(listen_addr_parse("0.0.0.0:8080", host, sizeof host, &port), 0);
    assert_string_equal(host, "0.0.0.0");
    assert_int_equal(port, 8080);
    assert_int_equal(listen_addr_parse("[::1]:9000", host, sizeof host, &port), 0);
    assert_string_equal(host, "::1");
    assert_int_equal(port, 9000);
    assert_int_equal(listen_addr_parse("[fe80::1%eth0]:1", host, sizeof host, &port), 0);
    assert_string_equal(host, "fe80::1%eth0");
    assert_int_equal(listen_addr_parse("localhost:0", host, sizeof host, &port), 0);
    assert_string_equal(host, "localhost");
    assert_int_equal(port, 0);
    assert_int_equal(listen_addr_parse(":7000", host, sizeof host, &port), 0);
    assert_string_equal(host, "127.0.0.1");
    assert_int_equal(port, 7000);
    assert_int_equal(listen_addr_parse("7001", host, sizeof host, &port), 0);
    assert_string_equal(host, "127.0.0.1");
    assert_int_equal(port, 7001);

    static const char *const bad[] = {
        "",        "host:", "host:99999", "host:-1", "host:12a",    "::1:80", "[::1]",
        "[::1]80", "[]:80", "[::1:80",    "a b:80",  "host:123456", ":",      "http://x:80",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        strcpy(host, "unchanged");
        port = 42;
        if (listen_addr_parse(bad[i], host, sizeof host, &port) != -1)
            fail_msg("'%s' was accepted", bad[i]);
        assert_string_equal(host, "unchanged");
        assert_int_equal(port, 42);
    }
    char tiny[4];
    assert_int_equal(listen_addr_parse("example.com:80", tiny, sizeof tiny, &port), -1);
}

/* Runs config_from_args with stdout sent to a file; returns what it printed. */
static char *capture_stdout(fixture *f, const char *arg, int *rc)
{
    char path[TEST_PATH_MAX];
    test_dir_join(f->dir, "stdout.txt", path, sizeof path);
    fflush(stdout);
    int saved = dup(STDOUT_FILENO);
    FILE *out = fopen(path, "w");
    assert_non_null(out);
    dup2(fileno(out), STDOUT_FILENO);
    *rc = run_args(f, arg, NULL);
    fflush(stdout);
    dup2(saved, STDOUT_FILENO);
    close(saved);
    fclose(out);
    return test_read_text(path);
}

static void test_help_and_version(void **state)
{
    fixture *f = *state;
    int rc = 0;
    char *version = capture_stdout(f, "--version", &rc);
    assert_int_equal(rc, 1);
    assert_non_null(version);
    assert_string_equal(version, "kiro-proxy " KIRO_PROXY_VERSION "\n");
    assert_string_equal(KIRO_PROXY_VERSION, "1.0.0");
    free(version);

    char *help = capture_stdout(f, "--help", &rc);
    assert_int_equal(rc, 1);
    assert_non_null(help);
    static const char *const flags[] = {
        "--listen",
        "--config",
        "--credentials",
        "--user-credentials",
        "--api-key",
        "--admin-key",
        "--upstream-url",
        "--auth-url",
        "--region",
        "--log-level",
        "--log-queue-bytes",
        "--log-flush-ms",
        "--max-body-bytes",
        "--max-connections",
        "--connect-timeout-ms",
        "--first-byte-timeout-ms",
        "--idle-timeout-ms",
        "--client-timeout-s",
        "--ping-interval-ms",
        "--model-refresh-s",
        "--max-retries",
        "--retry-base-ms",
        "--kiro-version",
        "--sdk-version",
        "--system-version",
        "--node-version",
        "sdkVersion",
        "--help",
        "--version",
        "KIRO_CONFIG",
    };
    for (size_t i = 0; i < sizeof flags / sizeof flags[0]; i++) {
        if (!strstr(help, flags[i]))
            fail_msg("--help does not mention %s", flags[i]);
    }
    free(help);

    /* -h too, and --help wins even next to a broken config file. */
    assert_int_equal(test_write_text(f->config_file, "{broken"), 0);
    setenv("KIRO_CONFIG", f->config_file, 1);
    help = capture_stdout(f, "-h", &rc);
    assert_int_equal(rc, 1);
    assert_non_null(strstr(help, "Usage:"));
    free(help);
}

/* The four client versions of the user agents: each from config.json (kiro-go's names and
 * sdkVersion), from its KIRO_* variable and from its flag, later sources winning; and
 * config_client_versions() hands out exactly what the settings hold. */
static void test_client_versions(void **state)
{
    fixture *f = *state;
    static const struct {
        const char *json_name, *env, *flag;
        size_t offset;
    } versions[] = {
        {"kiroVersion", "KIRO_KIRO_VERSION", "--kiro-version",
         offsetof(proxy_config, kiro_version)},
        {"sdkVersion", "KIRO_SDK_VERSION", "--sdk-version", offsetof(proxy_config, sdk_version)},
        {"systemVersion", "KIRO_SYSTEM_VERSION", "--system-version",
         offsetof(proxy_config, system_version)},
        {"nodeVersion", "KIRO_NODE_VERSION", "--node-version",
         offsetof(proxy_config, node_version)},
    };
    for (size_t i = 0; i < sizeof versions / sizeof versions[0]; i++) {
        const char *field = (const char *)&f->cfg + versions[i].offset;
        char json[128], flag[64], from_file[16];
        snprintf(from_file, sizeof from_file, "9.1.%zu", i);
        snprintf(json, sizeof json, "{\"%s\":\"%s\"}", versions[i].json_name, from_file);
        assert_int_equal(test_write_text(f->config_file, json), 0);
        assert_int_equal(run_args(f, "--config", f->config_file, NULL), 0);
        if (strcmp(field, from_file) != 0)
            fail_msg("%s from the file: '%s'", versions[i].json_name, field);
        setenv(versions[i].env, "9.2.0", 1);
        assert_int_equal(run_args(f, "--config", f->config_file, NULL), 0);
        if (strcmp(field, "9.2.0") != 0)
            fail_msg("%s: the environment did not beat the file: '%s'", versions[i].env, field);
        snprintf(flag, sizeof flag, "%s=9.3.0", versions[i].flag);
        assert_int_equal(run_args(f, "--config", f->config_file, flag, NULL), 0);
        if (strcmp(field, "9.3.0") != 0)
            fail_msg("%s did not beat the environment: '%s'", versions[i].flag, field);
        unsetenv(versions[i].env);
        /* what a header cannot carry, or the buffer cannot hold, is refused by name */
        expect_flag_error(f, versions[i].flag, "1.0 beta", versions[i].flag);
        expect_flag_error(f, versions[i].flag, "", versions[i].flag);
        expect_flag_error(f, versions[i].flag,
                          "1234567890123456789012345678901234567890123456789012345678901234",
                          versions[i].flag);
        if (strcmp(field, "9.3.0") != 0)
            fail_msg("a refused %s changed the value to '%s'", versions[i].flag, field);
    }
    kiro_client_versions v = config_client_versions(&f->cfg);
    assert_ptr_equal(v.kiro, f->cfg.kiro_version);
    assert_ptr_equal(v.sdk, f->cfg.sdk_version);
    assert_ptr_equal(v.system, f->cfg.system_version);
    assert_ptr_equal(v.node, f->cfg.node_version);

    /* the settings as the user agents of a call show them */
    assert_int_equal(run_args(f, "--kiro-version=2.0.1", "--sdk-version=1.0.40",
                              "--system-version=darwin#25.0.0", "--node-version=24.1.0", NULL),
                     0);
    v = config_client_versions(&f->cfg);
    kiro_identity_lines lines;
    assert_int_equal(kiro_identity_api(&v, "machine-7", &lines), 0);
    assert_string_equal(lines.amz_user_agent,
                        "x-amz-user-agent: aws-sdk-js/1.0.40 KiroIDE-2.0.1-machine-7");
    assert_string_equal(lines.user_agent,
                        "User-Agent: aws-sdk-js/1.0.40 ua/2.1 os/darwin#25.0.0 lang/js "
                        "md/nodejs#24.1.0 api/codewhispererstreaming#1.0.40 m/E "
                        "KiroIDE-2.0.1-machine-7");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_defaults, setup, teardown),
        cmocka_unit_test_setup_teardown(test_no_arguments_keeps_defaults, setup, teardown),
        cmocka_unit_test_setup_teardown(test_file_fields, setup, teardown),
        cmocka_unit_test_setup_teardown(test_api_region_wins_over_regions, setup, teardown),
        cmocka_unit_test_setup_teardown(test_wrong_types_name_the_field, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bad_documents, setup, teardown),
        cmocka_unit_test_setup_teardown(test_file_over_cap_is_rejected, setup, teardown),
        cmocka_unit_test_setup_teardown(test_environment, setup, teardown),
        cmocka_unit_test_setup_teardown(test_precedence_file_env_flags, setup, teardown),
        cmocka_unit_test_setup_teardown(test_config_flag_beats_kiro_config, setup, teardown),
        cmocka_unit_test_setup_teardown(test_flag_spellings, setup, teardown),
        cmocka_unit_test_setup_teardown(test_ranges_and_bad_numbers, setup, teardown),
        cmocka_unit_test_setup_teardown(test_usage_errors, setup, teardown),
        cmocka_unit_test_setup_teardown(test_kiro_go_flag_spellings, setup, teardown),
        cmocka_unit_test_setup_teardown(test_default_config_in_working_directory, setup, teardown),
        cmocka_unit_test_setup_teardown(test_cors_and_caller_credentials, setup, teardown),
        cmocka_unit_test_setup_teardown(test_parse_listen, setup, teardown),
        cmocka_unit_test_setup_teardown(test_help_and_version, setup, teardown),
        cmocka_unit_test_setup_teardown(test_client_versions, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
