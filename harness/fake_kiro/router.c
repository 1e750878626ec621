/* router.c: the routing table of fake-kiro; see router.h. */
#include "router.h"

#include <string.h>

typedef struct route {
    fk_endpoint endpoint;
    const char *path;    /* suffix, or exact path when exact is 1 */
    int exact;
    const char *methods; /* space-separated */
    const char *name;
} route;

static const route routes[] = {
    {FK_EP_ASSISTANT, "/generateAssistantResponse", 0, "POST", "generateAssistantResponse"},
    {FK_EP_MODELS, "/ListAvailableModels", 0, "GET POST", "ListAvailableModels"},
    {FK_EP_REFRESH, "/refreshToken", 0, "POST", "refreshToken"},
    {FK_EP_TOKEN, "/token", 0, "POST", "token"},
    {FK_EP_MCP, "/mcp", 0, "POST", "mcp"},
    {FK_EP_FAKE_STATS, "/__fake/stats", 1, "GET", "__fake/stats"},
    {FK_EP_FAKE_FAULTS, "/__fake/faults", 1, "GET POST", "__fake/faults"},
    {FK_EP_FAKE_RESET, "/__fake/reset", 1, "POST", "__fake/reset"},
    {FK_EP_FAKE_LAST, "/__fake/last-request", 1, "GET", "__fake/last-request"},
    {FK_EP_FAKE_LAST_MCP, "/__fake/last-mcp-request", 1, "GET", "__fake/last-mcp-request"},
    {FK_EP_FAKE_IDENTITY, "/__fake/last-identity", 1, "GET", "__fake/last-identity"},
};

#define ROUTE_COUNT (sizeof routes / sizeof routes[0])

static int ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);
    return n >= m && strcmp(s + n - m, suffix) == 0;
}

fk_endpoint fk_route(const char *path)
{
    if (!path)
        return FK_EP_NOT_FOUND;
    /* Exact routes first: "/__fake/..." must never be taken for a suffix match. */
    for (size_t i = 0; i < ROUTE_COUNT; i++) {
        if (routes[i].exact && strcmp(path, routes[i].path) == 0)
            return routes[i].endpoint;
    }
    if (strncmp(path, "/__fake/", 8) == 0)
        return FK_EP_NOT_FOUND;
    for (size_t i = 0; i < ROUTE_COUNT; i++) {
        if (!routes[i].exact && ends_with(path, routes[i].path))
            return routes[i].endpoint;
    }
    return FK_EP_NOT_FOUND;
}

static const route *find(fk_endpoint endpoint)
{
    for (size_t i = 0; i < ROUTE_COUNT; i++) {
        if (routes[i].endpoint == endpoint)
            return &routes[i];
    }
    return NULL;
}

int fk_route_allows(fk_endpoint endpoint, const char *method)
{
    const route *r = find(endpoint);
    if (!r || !method || !*method)
        return 0;
    size_t len = strlen(method);
    for (const char *p = r->methods; *p;) {
        const char *end = strchr(p, ' ');
        size_t n = end ? (size_t)(end - p) : strlen(p);
        if (n == len && strncmp(p, method, n) == 0)
            return 1;
        p += n;
        while (*p == ' ')
            p++;
    }
    return 0;
}

const char *fk_endpoint_name(fk_endpoint endpoint)
{
    const route *r = find(endpoint);
    return r ? r->name : "other";
}
