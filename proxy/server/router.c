/* router.c: the route table and path matching; see router.h. */
#include "server/router.h"

#include <stdio.h>
#include <string.h>

#include "server/metrics.h"
#include "server/routes.h"

static const route routes[] = {
    {"GET", "/health", ROUTE_AUTH_NONE, 0, API_ANTHROPIC, METRIC_ROUTE_HEALTH, route_health},
    {"GET", "/metrics", ROUTE_AUTH_NONE, 0, API_ANTHROPIC, METRIC_ROUTE_METRICS, route_metrics},
    {"GET", "/v1/models", ROUTE_AUTH_API_KEY, 0, API_ANTHROPIC, METRIC_ROUTE_MODELS, route_models_list},
    {"GET", "/v1/models/{}", ROUTE_AUTH_API_KEY, 0, API_ANTHROPIC, METRIC_ROUTE_MODELS, route_models_get},
    {"POST", "/v1/messages", ROUTE_AUTH_API_KEY, 1, API_ANTHROPIC, METRIC_ROUTE_MESSAGES, route_messages},
    {"POST", "/v1/messages/count_tokens", ROUTE_AUTH_API_KEY, 1, API_ANTHROPIC,
     METRIC_ROUTE_COUNT_TOKENS, route_count_tokens},
    {"POST", "/v1/chat/completions", ROUTE_AUTH_API_KEY, 1, API_OPENAI,
     METRIC_ROUTE_CHAT_COMPLETIONS, route_chat_completions},
    {"POST", "/api/event_logging/batch", ROUTE_AUTH_NONE, 1, API_ANTHROPIC,
     METRIC_ROUTE_EVENT_LOGGING, route_event_logging},
    {"GET", "/api/admin/user-credentials", ROUTE_AUTH_ADMIN, 0, API_ANTHROPIC, METRIC_ROUTE_ADMIN,
     route_admin_users_list},
    {"POST", "/api/admin/user-credentials", ROUTE_AUTH_ADMIN, 1, API_ANTHROPIC, METRIC_ROUTE_ADMIN,
     route_admin_users_add},
    {"GET", "/api/admin/user-credentials/stats", ROUTE_AUTH_ADMIN, 0, API_ANTHROPIC,
     METRIC_ROUTE_ADMIN, route_admin_users_stats},
    {"GET", "/api/admin/user-credentials/{}", ROUTE_AUTH_ADMIN, 0, API_ANTHROPIC, METRIC_ROUTE_ADMIN,
     route_admin_users_get},
    {"DELETE", "/api/admin/user-credentials/{}", ROUTE_AUTH_ADMIN, 0, API_ANTHROPIC,
     METRIC_ROUTE_ADMIN, route_admin_users_delete},
    {"POST", "/api/admin/user-credentials/batch-set-expiry", ROUTE_AUTH_ADMIN, 1, API_ANTHROPIC,
     METRIC_ROUTE_ADMIN, route_admin_users_batch_expiry},
    {"POST", "/api/admin/user-credentials/{}/set-expiry", ROUTE_AUTH_ADMIN, 1, API_ANTHROPIC,
     METRIC_ROUTE_ADMIN, route_admin_users_set_expiry},
    {"POST", "/api/admin/reload-credentials", ROUTE_AUTH_ADMIN_OR_LOOPBACK, 0, API_ANTHROPIC,
     METRIC_ROUTE_ADMIN, route_admin_reload},
    {"GET", "/api/admin/credentials", ROUTE_AUTH_ADMIN, 0, API_ANTHROPIC, METRIC_ROUTE_ADMIN,
     route_admin_pool},
    {"POST", "/api/admin/credentials/{}/refresh", ROUTE_AUTH_ADMIN, 0, API_ANTHROPIC,
     METRIC_ROUTE_ADMIN, route_admin_refresh},
};

/* Matches path against pattern; a "{}" segment matches one non-empty segment, copied to param. */
static int pattern_matches(const char *pattern, const char *path, char *param, size_t param_size)
{
    const char *hole = strstr(pattern, "{}");
    if (!hole)
        return strcmp(pattern, path) == 0;
    size_t prefix = (size_t)(hole - pattern);
    const char *suffix = hole + 2;
    size_t suffix_len = strlen(suffix);
    size_t path_len = strlen(path);
    if (path_len <= prefix + suffix_len || strncmp(path, pattern, prefix) != 0 ||
        strcmp(path + path_len - suffix_len, suffix) != 0)
        return 0;
    size_t seg_len = path_len - prefix - suffix_len;
    const char *seg = path + prefix;
    if (memchr(seg, '/', seg_len) || seg_len >= param_size)
        return 0;
    memcpy(param, seg, seg_len);
    param[seg_len] = '\0';
    return 1;
}

route_match router_find(const char *method, const char *path, const route **out, char *param,
                        size_t param_size, char *allow, size_t allow_size)
{
    size_t n = sizeof routes / sizeof routes[0];
    int path_known = 0;
    if (allow_size)
        allow[0] = '\0';
    /* Exact patterns win over parameterised ones (".../stats" before ".../{}"). */
    for (int pass = 0; pass < 2; pass++) {
        for (size_t i = 0; i < n; i++) {
            int has_param = strstr(routes[i].pattern, "{}") != NULL;
            if (has_param != pass)
                continue;
            char scratch[256] = "";
            if (!pattern_matches(routes[i].pattern, path, scratch, sizeof scratch))
                continue;
            /* HEAD is answered by every GET route (libmicrohttpd leaves the body out) */
            if (strcmp(routes[i].method, method) == 0 ||
                (strcmp(method, "HEAD") == 0 && strcmp(routes[i].method, "GET") == 0)) {
                *out = &routes[i];
                snprintf(param, param_size, "%s", scratch);
                return ROUTE_FOUND;
            }
            const char *m = strcmp(routes[i].method, "GET") == 0 ? "GET, HEAD" : routes[i].method;
            if (!strstr(allow, m)) {
                size_t len = strlen(allow);
                snprintf(allow + len, allow_size - len, "%s%s", len ? ", " : "", m);
            }
            path_known = 1;
        }
        if (path_known)
            break; /* an exact path exists with another method: do not fall to patterns */
    }
    return path_known ? ROUTE_METHOD_NOT_ALLOWED : ROUTE_NOT_FOUND;
}

int router_metric_for_path(const char *path)
{
    if (strncmp(path, "/api/admin/", 11) == 0)
        return METRIC_ROUTE_ADMIN;
    size_t n = sizeof routes / sizeof routes[0];
    char scratch[256];
    for (size_t i = 0; i < n; i++)
        if (pattern_matches(routes[i].pattern, path, scratch, sizeof scratch))
            return routes[i].metric_route;
    return METRIC_ROUTE_OTHER;
}

api_shape router_shape_for_path(const char *path)
{
    return strncmp(path, "/v1/chat/", 9) == 0 ? API_OPENAI : API_ANTHROPIC;
}
