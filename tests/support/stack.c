/* stack.c: fake-kiro + proxy test stack; see stack.h. */
#include "stack.h"

#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "proc.h"

#define DEFAULT_CREDENTIALS                                                                   \
    "[{\"id\":1,\"accessToken\":\"test-access-token-aaaaaaaaaaaaaaaa\","                    \
    "\"refreshToken\":\"test-refresh-token-bbbbbbbbbbbbbbbb\",\"expiresAt\":"               \
    "\"2099-01-01T00:00:00Z\",\"authMethod\":\"social\",\"profileArn\":"                    \
    "\"arn:aws:codewhisperer:us-east-1:000000000000:profile/TEST\"}]"

static int add_args(char **argv, int argc, int max, const char *const *extra)
{
    for (size_t i = 0; extra && extra[i] && argc < max - 1; i++)
        argv[argc++] = (char *)extra[i];
    return argc;
}

int stack_start(test_stack *s, const stack_options *o)
{
    memset(s, 0, sizeof *s);
    stack_options defaults = {0};
    if (!o)
        o = &defaults;
    if (tp_temp_dir(s->dir, sizeof s->dir) != 0)
        return -1;
    if (tp_write_file(s->dir, "credentials.json",
                      o->credentials_json ? o->credentials_json : DEFAULT_CREDENTIALS,
                      s->credentials_path, sizeof s->credentials_path) != 0)
        return -1;

    char fake_bin[512], port_file[256];
    tp_bin_path("fake-kiro", fake_bin, sizeof fake_bin);
    snprintf(port_file, sizeof port_file, "%s/fake.port", s->dir);
    char *fake_argv[64] = {fake_bin, "--listen", "127.0.0.1:0", "--port-file", port_file};
    int fake_argc = add_args(fake_argv, 5, 64, o->fake_args);
    fake_argv[fake_argc] = NULL;
    s->fake_pid = tp_spawn(fake_argv, -1, -1);
    s->fake_port = s->fake_pid > 0 ? tp_wait_port_file(port_file, 10000) : -1;
    if (s->fake_port <= 0) {
        stack_stop(s);
        return -1;
    }
    snprintf(s->fake_url, sizeof s->fake_url, "http://127.0.0.1:%d", s->fake_port);

    char proxy_bin[512], listen[64], user_store[256];
    tp_bin_path(o->proxy ? o->proxy : "kiro-proxy-async", proxy_bin, sizeof proxy_bin);
    snprintf(s->proxy_log_path, sizeof s->proxy_log_path, "%s/proxy.log", s->dir);
    snprintf(user_store, sizeof user_store, "%s/users.json", s->dir);
    for (int attempt = 0; attempt < 3; attempt++) {
        s->proxy_port = tp_free_port();
        snprintf(listen, sizeof listen, "127.0.0.1:%d", s->proxy_port);
        char *argv[64] = {proxy_bin,       "--listen",          listen,
                          "--api-key",     STACK_API_KEY,       "--credentials",
                          s->credentials_path, "--user-credentials", user_store,
                          "--upstream-url", s->fake_url,        "--auth-url",
                          s->fake_url};
        int argc = 13;
        if (!o->no_admin_key) {
            argv[argc++] = "--admin-key";
            argv[argc++] = STACK_ADMIN_KEY;
        }
        argc = add_args(argv, argc, 64, o->proxy_args);
        argv[argc] = NULL;
        int log_fd = open(s->proxy_log_path, O_WRONLY | O_CREAT | O_APPEND, 0600);
        s->proxy_pid = tp_spawn(argv, log_fd, log_fd);
        close(log_fd);
        snprintf(s->proxy_url, sizeof s->proxy_url, "http://127.0.0.1:%d", s->proxy_port);
        char health[128];
        snprintf(health, sizeof health, "%s/health", s->proxy_url);
        if (s->proxy_pid > 0 && tp_wait_http(health, 10000) == 0)
            return 0;
        tp_stop(s->proxy_pid, 2000);
        s->proxy_pid = 0;
    }
    stack_stop(s);
    return -1;
}

/* On a failed stop, the end of the proxy's output is what explains it (sanitizer reports). */
static void dump_log_tail(const char *path)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return;
    fseek(f, 0, SEEK_END);
    long size = ftell(f);
    fseek(f, size > 8192 ? size - 8192 : 0, SEEK_SET);
    char buf[8193];
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    buf[n] = '\0';
    fclose(f);
    fprintf(stderr, "---- end of %s ----\n%s\n----\n", path, buf);
}

int stack_stop(test_stack *s)
{
    int rc = -1;
    if (s->proxy_pid > 0) {
        int st = tp_stop(s->proxy_pid, 5000);
        rc = WIFEXITED(st) && WEXITSTATUS(st) == 0 ? 0 : -1;
    }
    if (s->fake_pid > 0)
        tp_stop(s->fake_pid, 5000);
    s->proxy_pid = s->fake_pid = 0;
    if (rc != 0 && s->proxy_log_path[0])
        dump_log_tail(s->proxy_log_path);
    if (s->dir[0])
        tp_remove_dir(s->dir);
    s->dir[0] = '\0';
    return rc;
}

int stack_request_h(test_stack *s, const char *method, const char *path, const char *body,
                    const char *const *headers, int timeout_ms, tp_response *out)
{
    char url[512];
    snprintf(url, sizeof url, "%s%s", s->proxy_url, path);
    return tp_http(method, url, headers, body, body ? strlen(body) : 0, timeout_ms, out);
}

int stack_request(test_stack *s, const char *method, const char *path, const char *body,
                  int with_key, int timeout_ms, tp_response *out)
{
    const char *const with[] = {"x-api-key: " STACK_API_KEY, "Content-Type: application/json",
                                "anthropic-version: 2023-06-01", NULL};
    const char *const without[] = {"Content-Type: application/json", NULL};
    return stack_request_h(s, method, path, body, with_key ? with : without, timeout_ms, out);
}

int stack_fake_request(test_stack *s, const char *method, const char *path, const char *body,
                       tp_response *out)
{
    char url[512];
    snprintf(url, sizeof url, "%s%s", s->fake_url, path);
    return tp_http(method, url, NULL, body, body ? strlen(body) : 0, 10000, out);
}
