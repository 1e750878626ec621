/* fx_http.c: proxy and fake-kiro requests for fault cases; see fx_http.h. */
#include "fx_http.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fx_check.h"

const char *const fx_api_headers[] = {"x-api-key: " FX_API_KEY, "Content-Type: application/json",
                                      "anthropic-version: 2023-06-01", NULL};
const char *const fx_admin_headers[] = {"x-admin-key: " FX_ADMIN_KEY, NULL};

char *fx_messages_body(int stream, const char *text)
{
    cJSON *root = cJSON_CreateObject();
    cJSON_AddStringToObject(root, "model", "claude-sonnet-4.5");
    cJSON_AddNumberToObject(root, "max_tokens", 256);
    cJSON_AddBoolToObject(root, "stream", stream);
    cJSON *messages = cJSON_AddArrayToObject(root, "messages");
    cJSON *m = cJSON_CreateObject();
    cJSON_AddStringToObject(m, "role", "user");
    cJSON_AddStringToObject(m, "content", text);
    cJSON_AddItemToArray(messages, m);
    char *out = cJSON_PrintUnformatted(root);
    cJSON_Delete(root);
    return out;
}

char *fx_large_messages_body(int stream, size_t text_bytes)
{
    char *text = malloc(text_bytes + 1);
    if (!text)
        return NULL;
    static const char words[] = "the launcher stopped reading the log pipe ";
    for (size_t i = 0; i < text_bytes; i++)
        text[i] = words[i % (sizeof words - 1)];
    text[text_bytes] = '\0';
    char *body = fx_messages_body(stream, text);
    free(text);
    return body;
}

int fx_proxy_request(fx_stack *s, const char *method, const char *path, const char *const *headers,
                     const char *body, int timeout_ms, tp_response *out)
{
    char url[512];
    snprintf(url, sizeof url, "%s%s", s->proxy_url, path);
    return tp_http(method, url, headers, body, body ? strlen(body) : 0, timeout_ms, out);
}

int fx_fake_request(fx_stack *s, const char *method, const char *path, const char *body,
                    tp_response *out)
{
    char url[512];
    snprintf(url, sizeof url, "%s%s", s->fake_url, path);
    const char *const json[] = {"Content-Type: application/json", NULL};
    return tp_http(method, url, json, body, body ? strlen(body) : 0, 5000, out);
}

int fx_fake_set(fx_stack *s, const char *json)
{
    tp_response r;
    int rc = fx_fake_request(s, "POST", "/__fake/faults", json, &r);
    int ok = rc == 0 && r.status == 200;
    if (!ok)
        fprintf(stderr, "fake-kiro refused faults %s: %ld %s\n", json, r.status, r.body);
    tp_response_free(&r);
    return ok ? 0 : -1;
}

static void *bg_main(void *arg)
{
    fx_bg *bg = arg;
    long long t0 = fx_now_ms();
    bg->rc = tp_http(bg->body ? "POST" : "GET", bg->url, bg->headers, bg->body,
                     bg->body ? strlen(bg->body) : 0, bg->timeout_ms, &bg->resp);
    bg->elapsed_ms = fx_now_ms() - t0;
    pthread_mutex_lock(&bg->lock);
    bg->done = 1;
    pthread_mutex_unlock(&bg->lock);
    return NULL;
}

int fx_bg_start(fx_bg *bg, fx_stack *s, const char *path, const char *const *headers,
                const char *body, int timeout_ms)
{
    memset(bg, 0, sizeof *bg);
    pthread_mutex_init(&bg->lock, NULL);
    bg->inited = 1;
    snprintf(bg->url, sizeof bg->url, "%s%s", s->proxy_url, path);
    bg->body = body ? strdup(body) : NULL;
    bg->headers = headers;
    bg->timeout_ms = timeout_ms;
    bg->rc = -1;
    if (pthread_create(&bg->thread, NULL, bg_main, bg) != 0)
        return -1;
    bg->started = 1;
    return 0;
}

int fx_bg_done(fx_bg *bg)
{
    if (!bg->inited)
        return 1;
    pthread_mutex_lock(&bg->lock);
    int done = bg->done;
    pthread_mutex_unlock(&bg->lock);
    return done;
}

void fx_bg_join(fx_bg *bg)
{
    if (bg->started) {
        pthread_join(bg->thread, NULL); /* tp_http enforces bg->timeout_ms */
        bg->started = 0;
    }
}

void fx_bg_free(fx_bg *bg)
{
    fx_bg_join(bg);
    tp_response_free(&bg->resp);
    free(bg->body);
    bg->body = NULL;
    if (bg->inited)
        pthread_mutex_destroy(&bg->lock);
    bg->inited = 0;
}

int fx_is_anthropic_error(const tp_response *r, const char *type, char *message, size_t size)
{
    if (message && size)
        message[0] = '\0';
    cJSON *j = r->body ? cJSON_Parse(r->body) : NULL;
    const cJSON *t = j ? cJSON_GetObjectItemCaseSensitive(j, "type") : NULL;
    const cJSON *e = j ? cJSON_GetObjectItemCaseSensitive(j, "error") : NULL;
    const cJSON *et = e ? cJSON_GetObjectItemCaseSensitive(e, "type") : NULL;
    const cJSON *em = e ? cJSON_GetObjectItemCaseSensitive(e, "message") : NULL;
    int ok = cJSON_IsString(t) && strcmp(t->valuestring, "error") == 0 && cJSON_IsString(et) &&
             strcmp(et->valuestring, type) == 0 && cJSON_IsString(em) && em->valuestring[0];
    if (message && size && cJSON_IsString(em))
        snprintf(message, size, "%s", em->valuestring);
    cJSON_Delete(j);
    return ok;
}
