/* sec_util.c: secrets, searches and proxy processes for the security tests; see sec_util.h. */
#include "sec_util.h"

#include <cjson/cJSON.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "http.h"
#include "proc.h"
#include "util/clock.h"

void sec_list_add(sec_list *l, const char *secret)
{
    if (!secret || !*secret)
        return;
    for (size_t i = 0; i < l->count; i++)
        if (strcmp(l->items[i], secret) == 0)
            return;
    char **grown = realloc(l->items, (l->count + 1) * sizeof *grown);
    char *copy = strdup(secret);
    if (!grown || !copy) {
        free(copy);
        if (grown)
            l->items = grown;
        return;
    }
    l->items = grown;
    l->items[l->count++] = copy;
}

void sec_list_free(sec_list *l)
{
    for (size_t i = 0; i < l->count; i++)
        free(l->items[i]);
    free(l->items);
    l->items = NULL;
    l->count = 0;
}

static int is_token_key(const char *k)
{
    static const char *const keys[] = {"accessToken",  "refreshToken",  "clientSecret",
                                       "access_token", "refresh_token", "client_secret"};
    for (size_t i = 0; k && i < sizeof keys / sizeof keys[0]; i++)
        if (strcmp(k, keys[i]) == 0)
            return 1;
    return 0;
}

static int walk_tokens(sec_list *l, const cJSON *item)
{
    int n = 0;
    const cJSON *child;
    cJSON_ArrayForEach(child, item)
    {
        if (cJSON_IsString(child) && is_token_key(child->string)) {
            sec_list_add(l, child->valuestring);
            n++;
        }
        n += walk_tokens(l, child);
    }
    return n;
}

int sec_list_add_tokens_from_json(sec_list *l, const char *json_text)
{
    cJSON *root = cJSON_Parse(json_text);
    if (!root)
        return -1;
    int n = walk_tokens(l, root);
    cJSON_Delete(root);
    return n;
}

static const char *find_bytes(const char *hay, size_t hay_len, const char *needle,
                              size_t needle_len)
{
    if (needle_len == 0 || needle_len > hay_len)
        return NULL;
    return memmem(hay, hay_len, needle, needle_len);
}

long sec_list_find(const sec_list *l, const char *text, size_t len, char *found,
                   size_t found_size)
{
    for (size_t i = 0; i < l->count; i++) {
        const char *s = l->items[i];
        size_t n = strlen(s);
        if (find_bytes(text, len, s, n)) {
            snprintf(found, found_size, "%s", s);
            return (long)i;
        }
        for (size_t at = 0; n > SEC_PIECE_LEN && at + SEC_PIECE_LEN <= n; at++) {
            if (find_bytes(text, len, s + at, SEC_PIECE_LEN)) {
                snprintf(found, found_size, "%.*s (a piece of %s)", SEC_PIECE_LEN, s + at, s);
                return (long)i;
            }
        }
    }
    return -1;
}

void sec_random_secret(char *out, size_t size, const char *prefix)
{
    static const char alphabet[] = "abcdefghijklmnopqrstuvwxyz0123456789";
    unsigned char noise[256];
    size_t got = 0;
    int fd = open("/dev/urandom", O_RDONLY);
    if (fd >= 0) {
        ssize_t r = read(fd, noise, sizeof noise);
        got = r > 0 ? (size_t)r : 0;
        close(fd);
    }
    unsigned seed = (unsigned)time(NULL) ^ (unsigned)getpid();
    snprintf(out, size, "%s", prefix);
    for (size_t i = strlen(out); i + 1 < size; i++) {
        unsigned v = i < got ? noise[i] : (unsigned)rand_r(&seed);
        out[i] = alphabet[v % (sizeof alphabet - 1)];
        out[i + 1] = '\0';
    }
}

char *sec_read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    size_t cap = 65536, n = 0;
    char *data = malloc(cap + 1);
    while (data) {
        size_t r = fread(data + n, 1, cap - n, f);
        n += r;
        if (n < cap)
            break;
        char *grown = realloc(data, cap * 2 + 1);
        if (!grown) {
            free(data);
            data = NULL;
            break;
        }
        data = grown;
        cap *= 2;
    }
    fclose(f);
    if (!data)
        return NULL;
    data[n] = '\0';
    if (len)
        *len = n;
    return data;
}

pid_t sec_spawn_proxy(const char *proxy, const char *const *args, const char *log_path)
{
    char bin[512];
    tp_bin_path(proxy, bin, sizeof bin);
    char *argv[64] = {bin};
    int argc = 1;
    for (size_t i = 0; args && args[i] && argc < 63; i++)
        argv[argc++] = (char *)args[i];
    argv[argc] = NULL;
    int fd = open(log_path, O_WRONLY | O_CREAT | O_APPEND, 0600);
    pid_t pid = tp_spawn(argv, fd, fd);
    if (fd >= 0)
        close(fd);
    return pid;
}

int sec_wait_health(pid_t pid, int port, int timeout_ms)
{
    char url[64];
    snprintf(url, sizeof url, "http://127.0.0.1:%d/health", port);
    struct timespec start, now;
    clock_gettime(CLOCK_MONOTONIC, &start);
    for (;;) {
        tp_response r;
        int rc = tp_http("GET", url, NULL, NULL, 0, 2000, &r);
        long status = r.status;
        tp_response_free(&r);
        if (rc == 0 && status == 200)
            return 0;
        if (waitpid(pid, NULL, WNOHANG) != 0)
            return -1; /* exited (and reaped) or not ours */
        clock_gettime(CLOCK_MONOTONIC, &now);
        long elapsed = (now.tv_sec - start.tv_sec) * 1000L + (now.tv_nsec - start.tv_nsec) / 1000000L;
        if (elapsed >= timeout_ms)
            return -1;
        sleep_ms(20); /* polling interval of a bounded wait */
    }
}

int sec_stop(pid_t pid, int grace_ms)
{
    return tp_stop(pid, grace_ms);
}
