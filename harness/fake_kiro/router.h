/* router.h: which fake-kiro endpoint a request is for, from its path and method.
 *
 * The Kiro endpoints are matched by path suffix (real clients put a region host or a prefix in
 * front: /generateAssistantResponse, /q/generateAssistantResponse, ...); the introspection
 * endpoints under /__fake/ are matched exactly. The router only classifies; server.c calls the
 * handler, so that a test can check the routing table without a server. */
#ifndef FAKE_KIRO_ROUTER_H
#define FAKE_KIRO_ROUTER_H

typedef enum fk_endpoint {
    FK_EP_ASSISTANT,       /* POST .../generateAssistantResponse */
    FK_EP_MODELS,          /* GET|POST .../ListAvailableModels */
    FK_EP_REFRESH,         /* POST .../refreshToken (social) */
    FK_EP_TOKEN,           /* POST .../token (IAM Identity Center) */
    FK_EP_MCP,             /* POST .../mcp (MCP JSON-RPC: web_search) */
    FK_EP_FAKE_STATS,      /* GET /__fake/stats */
    FK_EP_FAKE_FAULTS,     /* GET|POST /__fake/faults */
    FK_EP_FAKE_RESET,      /* POST /__fake/reset */
    FK_EP_FAKE_LAST,       /* GET /__fake/last-request */
    FK_EP_FAKE_LAST_MCP,   /* GET /__fake/last-mcp-request */
    FK_EP_FAKE_IDENTITY,   /* GET /__fake/last-identity */
    FK_EP_NOT_FOUND,
    FK_EP_COUNT
} fk_endpoint;

/* The endpoint for path, whatever the method (FK_EP_NOT_FOUND when none matches). */
fk_endpoint fk_route(const char *path);
/* 1 when the endpoint accepts this method. */
int fk_route_allows(fk_endpoint endpoint, const char *method);
/* A short stable name ("generateAssistantResponse", "ListAvailableModels", ...). */
const char *fk_endpoint_name(fk_endpoint endpoint);

#endif
