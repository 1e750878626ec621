/* web_search_loop.c: web_search among other tools through a local search loop; see
 * web_search_loop.h.
 *
 * One round is one generateAssistantResponse read to its end into an Anthropic message (the
 * JSON response writer does the work, as for a non-streaming client), so the loop works on
 * plain message objects: it looks at their tool_use blocks, appends the assistant turn and the
 * search results to its working copy of the request and asks again. */
#include "server/web_search_loop.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "eventstream/eventstream.h"
#include "log/log.h"
#include "render/kiro_event.h"
#include "render/message_sse.h"
#include "render/response_writer.h"
#include "render/web_search_render.h"
#include "server/app.h"
#include "server/kiro_mcp.h"
#include "server/upstream.h"
#include "server/web_search_exec.h"
#include "translate/translate.h"
#include "translate/web_search_request.h"
#include "util/clock.h"

#define PUMP_SLICE_MS 500

/* ---- the request sent to Kiro ------------------------------------------------------------- */

static cJSON *search_tool(void)
{
    cJSON *tool = cJSON_CreateObject();
    cJSON_AddStringToObject(tool, "name", "web_search");
    cJSON_AddStringToObject(tool, "description",
                            "Search the web. Returns the title, address and a snippet of the "
                            "pages that match the query. Use it for recent events and for facts "
                            "that may have changed since your training.");
    cJSON *schema = cJSON_AddObjectToObject(tool, "input_schema");
    cJSON_AddStringToObject(schema, "type", "object");
    cJSON *props = cJSON_AddObjectToObject(schema, "properties");
    cJSON *query = cJSON_AddObjectToObject(props, "query");
    cJSON_AddStringToObject(query, "type", "string");
    cJSON_AddStringToObject(query, "description", "What to search for");
    cJSON *required = cJSON_AddArrayToObject(schema, "required");
    cJSON *name = cJSON_CreateString("query");
    if (!required || !name || !cJSON_AddItemToArray(required, name)) {
        cJSON_Delete(name);
        cJSON_Delete(tool);
        return NULL;
    }
    return tool;
}

cJSON *web_search_loop_request(const cJSON *request, api_error *err)
{
    cJSON *copy = cJSON_Duplicate(request, 1);
    cJSON *tools = cJSON_GetObjectItemCaseSensitive(copy, "tools");
    if (!copy || !cJSON_IsArray(tools)) {
        cJSON_Delete(copy);
        api_error_set(err, 500, "api_error", "out of memory");
        return NULL;
    }
    cJSON_DeleteItemFromObjectCaseSensitive(copy, "stream");
    cJSON *fresh = cJSON_CreateArray();
    int replaced = 0, clash = 0, failed = !fresh;
    cJSON *tool;
    cJSON_ArrayForEach(tool, tools)
    {
        if (failed)
            break;
        if (anthropic_tool_is_web_search(tool)) {
            if (replaced++)
                continue; /* one ordinary web_search tool, however often it was offered */
            cJSON *plain = search_tool();
            failed = !plain || !cJSON_AddItemToArray(fresh, plain);
            if (failed)
                cJSON_Delete(plain);
            continue;
        }
        const cJSON *name = cJSON_GetObjectItemCaseSensitive(tool, "name");
        if (cJSON_IsString(name) && strcmp(name->valuestring, "web_search") == 0)
            clash = 1;
        cJSON *dup = cJSON_Duplicate(tool, 1);
        failed = !dup || !cJSON_AddItemToArray(fresh, dup);
        if (failed)
            cJSON_Delete(dup);
    }
    if (failed || clash) {
        cJSON_Delete(fresh);
        cJSON_Delete(copy);
        if (clash)
            api_error_set(err, 400, "invalid_request_error",
                          "tools: a client tool named web_search cannot be used together with "
                          "the web_search server tool");
        else
            api_error_set(err, 500, "api_error", "out of memory");
        return NULL;
    }
    cJSON_ReplaceItemInObjectCaseSensitive(copy, "tools", fresh);
    return copy;
}

/* ---- one round ---------------------------------------------------------------------------- */

typedef struct round {
    response_writer *writer;
    es_decoder *decoder;
    kbuf out;
    int failed;
    api_error error;
    int64_t last_bytes_ms;
} round;

static void round_fail(round *r, const api_error *e)
{
    if (!r->failed) {
        r->failed = 1;
        r->error = *e;
    }
}

static int on_message(void *user, const es_message *m)
{
    round *r = user;
    kiro_event ev;
    kiro_event_owner *owner = NULL;
    int rc = kiro_event_parse(m, &ev, &owner);
    if (rc != 0) {
        api_error e;
        api_error_set(&e, 502, "api_error", "malformed upstream event %.60s",
                      m->event_type ? m->event_type : "(unnamed)");
        round_fail(r, &e);
    } else if (rw_event(r->writer, &ev, &r->out) != 0) {
        round_fail(r, rw_last_error(r->writer));
    }
    kiro_event_release(owner);
    return r->failed;
}

static int on_bytes(void *user, const char *data, size_t len)
{
    round *r = user;
    r->last_bytes_ms = clock_monotonic_ms();
    int rc = es_decoder_feed(r->decoder, data, len, on_message, r);
    if (rc == ES_OK)
        return 0;
    if (rc != ES_STOPPED) {
        api_error e;
        api_error_set(&e, 502, "api_error", "malformed upstream event stream: %s", es_strerror(rc));
        round_fail(r, &e);
    }
    return -1;
}

/* Drives the open call to its end. Returns 0 when the body ended cleanly, -1 otherwise
 * (r->error set, or *client_gone). */
static int pump_to_end(app *a, upstream_call *call, round *r, int *client_gone)
{
    for (;;) {
        api_error e;
        upstream_status st = upstream_pump(call, PUMP_SLICE_MS, &e);
        switch (st) {
        case UPSTREAM_DONE:
            return r->failed ? -1 : 0;
        case UPSTREAM_CLIENT_GONE:
            *client_gone = 1;
            return -1;
        case UPSTREAM_FAILED:
            round_fail(r, &e);
            return -1;
        case UPSTREAM_ABORTED:
            return -1;
        case UPSTREAM_MORE:
            break;
        }
        if (r->failed)
            return -1;
        if (atomic_load(&a->stopping)) {
            api_error_set(&e, 503, "overloaded_error", "the proxy is shutting down");
            round_fail(r, &e);
            return -1;
        }
        if (clock_monotonic_ms() - r->last_bytes_ms > a->cfg->idle_timeout_ms) {
            api_error_set(&e, 504, "timeout_error",
                          "the upstream went silent for %d ms mid-response",
                          a->cfg->idle_timeout_ms);
            round_fail(r, &e);
            return -1;
        }
    }
}

static long context_window_of(app *a, const char *model_id)
{
    model_info info;
    return model_catalog_resolve_info(a->models, model_id, &info, NULL) == 0 ? info.max_input_tokens
                                                                             : 0;
}

/* One generateAssistantResponse for request, read whole into an Anthropic message. Returns the
 * message (caller deletes), or NULL with err (or *client_gone). */
static cJSON *run_round(app *a, const upstream_ctx *up, const cJSON *request, int client_fd,
                        const char *request_id, api_error *err, int *client_gone)
{
    translate_options topts = {.catalog = a->models};
    kiro_request kr;
    if (translate_anthropic_request(request, &topts, &kr, err) != 0)
        return NULL;
    rw_options wopts = {
        .format = RW_ANTHROPIC_JSON,
        .model = kr.client_model,
        .input_tokens_estimate = kr.input_tokens_estimate,
        .thinking = kr.thinking,
        .tool_name_map = kr.tool_name_map,
        .context_window = context_window_of(a, kr.model_id),
    };
    round r;
    memset(&r, 0, sizeof r);
    kbuf_init(&r.out, 0);
    r.writer = rw_new(&wopts);
    r.decoder = es_decoder_new(ES_DEFAULT_MAX_FRAME);
    r.last_bytes_ms = clock_monotonic_ms();
    cJSON *message = NULL;
    upstream_call *call = NULL;
    if (!r.writer || !r.decoder) {
        api_error_set(err, 500, "api_error", "out of memory");
        goto done;
    }
    upstream_request ureq = {
        .request = &kr,
        .sink = on_bytes,
        .sink_user = &r,
        .client_fd = client_fd,
        .request_id = request_id,
    };
    call = upstream_open(up, &ureq, err);
    if (!call) {
        if (err->status == UPSTREAM_CLIENT_GONE_STATUS)
            *client_gone = 1;
        goto done;
    }
    r.last_bytes_ms = clock_monotonic_ms();
    int rc = pump_to_end(a, call, &r, client_gone);
    if (rc == 0 && es_decoder_finish(r.decoder) != ES_OK) {
        api_error e;
        api_error_set(&e, 502, "api_error", "the upstream stream ended inside a frame");
        round_fail(&r, &e);
        rc = -1;
    }
    if (rc == 0 && rw_finish(r.writer, &r.out) != 0) {
        round_fail(&r, rw_last_error(r.writer));
        rc = -1;
    }
    if (rc == 0)
        message = cJSON_ParseWithLength(r.out.data, r.out.len);
    if (!message && !*client_gone) {
        if (r.failed)
            *err = r.error;
        else if (rc == 0)
            api_error_set(err, 500, "api_error", "cannot read the upstream answer back");
    }
done:
    upstream_close(call);
    es_decoder_free(r.decoder);
    rw_free(r.writer);
    kbuf_free(&r.out);
    kiro_request_free(&kr);
    return message;
}

/* ---- the loop ----------------------------------------------------------------------------- */

typedef struct loop {
    app *a;
    request_ctx *rq;
    upstream_ctx up; /* the app's, with the caller's own credential */
    int client_fd;
    int max_searches;
    int searches;        /* asked upstream */
    long output_tokens;  /* of every round */
    cJSON *presentation; /* server_tool_use + web_search_tool_result pairs so far */
    int client_gone;
    int no_credential;
} loop;

static int is_tool_use_named(const cJSON *block, const char *name, int want_match)
{
    const cJSON *type = cJSON_GetObjectItemCaseSensitive(block, "type");
    const cJSON *tool = cJSON_GetObjectItemCaseSensitive(block, "name");
    if (!cJSON_IsString(type) || strcmp(type->valuestring, "tool_use") != 0)
        return 0;
    int same = cJSON_IsString(tool) && strcmp(tool->valuestring, name) == 0;
    return want_match ? same : !same;
}

static int count_tool_uses(const cJSON *content, int web_search)
{
    int n = 0;
    const cJSON *block;
    cJSON_ArrayForEach(block, content) n += is_tool_use_named(block, "web_search", web_search);
    return n;
}

/* Runs the search of one web_search tool_use; appends the pair of server blocks to
 * l->presentation (or to *blocks) and returns the tool result for the model (caller deletes),
 * or NULL when the loop must stop (no credential, client gone, out of memory). */
static cJSON *search_for(loop *l, const cJSON *tool_use, cJSON *blocks)
{
    const cJSON *input = cJSON_GetObjectItemCaseSensitive(tool_use, "input");
    const cJSON *query = cJSON_GetObjectItemCaseSensitive(input, "query");
    const cJSON *id = cJSON_GetObjectItemCaseSensitive(tool_use, "id");
    const char *q = cJSON_IsString(query) ? query->valuestring : "";
    web_search_results results;
    web_search_failure failure;
    memset(&results, 0, sizeof results);
    memset(&failure, 0, sizeof failure);
    int rc;
    if (!q[0]) {
        rc = -1;
        failure.error_code = "invalid_tool_input";
        snprintf(failure.message, sizeof failure.message, "the search had no query");
    } else if (l->searches >= l->max_searches) {
        rc = -1;
        failure.error_code = "max_uses_exceeded";
        snprintf(failure.message, sizeof failure.message,
                 "no more than %d searches may be made for one request", l->max_searches);
    } else {
        rc = web_search_execute(l->a, &l->up, q, l->client_fd, l->rq->request_id, &results,
                                &failure);
        l->searches += failure.searched;
    }
    if (rc != 0 && (failure.no_credential || failure.client_gone)) {
        l->no_credential = failure.no_credential;
        l->client_gone = failure.client_gone;
        return NULL;
    }
    char tool_use_id[64];
    kiro_mcp_tool_use_id(tool_use_id, sizeof tool_use_id);
    web_search_outcome o = {
        .query = q,
        .tool_use_id = tool_use_id,
        .results = rc == 0 ? &results : NULL,
        .error_code = rc == 0 ? NULL : failure.error_code,
        .error_message = rc == 0 ? NULL : failure.message,
        .searched = failure.searched,
    };
    cJSON *pair = web_search_server_blocks(&o);
    kbuf summary = KBUF_INIT(0);
    cJSON *tool_result = cJSON_CreateObject();
    int ok = pair && tool_result && web_search_summary(&o, &summary) == KBUF_OK &&
             cJSON_AddStringToObject(tool_result, "type", "tool_result") &&
             cJSON_AddStringToObject(tool_result, "tool_use_id",
                                     cJSON_IsString(id) ? id->valuestring : "") &&
             cJSON_AddStringToObject(tool_result, "content", summary.data) &&
             cJSON_AddBoolToObject(tool_result, "is_error", rc != 0);
    web_search_results_free(&results);
    kbuf_free(&summary);
    cJSON *block;
    while (ok && pair && (block = cJSON_DetachItemFromArray(pair, 0)))
        ok = cJSON_AddItemToArray(blocks ? blocks : l->presentation, block);
    cJSON_Delete(pair);
    if (!ok) {
        cJSON_Delete(tool_result);
        return NULL;
    }
    return tool_result;
}

/* obj[name] = item, whether or not obj had that member (item is taken over). */
static void set_member(cJSON *obj, const char *name, cJSON *item)
{
    cJSON_DeleteItemFromObjectCaseSensitive(obj, name);
    if (!item || !cJSON_AddItemToObject(obj, name, item))
        cJSON_Delete(item);
}

static cJSON *message_of(const char *role, cJSON *content)
{
    cJSON *m = cJSON_CreateObject();
    if (!m || !cJSON_AddStringToObject(m, "role", role) ||
        !cJSON_AddItemToObject(m, "content", content)) {
        cJSON_Delete(m);
        cJSON_Delete(content);
        return NULL;
    }
    return m;
}

/* A search round: every tool_use is web_search. Runs them and appends the assistant turn and
 * the results to the working request. Returns 0, or -1 to stop. */
static int search_round(loop *l, cJSON *working, const cJSON *content)
{
    cJSON *results = cJSON_CreateArray();
    const cJSON *block;
    cJSON_ArrayForEach(block, content)
    {
        if (!is_tool_use_named(block, "web_search", 1))
            continue;
        cJSON *result = results ? search_for(l, block, NULL) : NULL;
        if (!result || !cJSON_AddItemToArray(results, result)) {
            cJSON_Delete(result);
            cJSON_Delete(results);
            return -1;
        }
    }
    cJSON *messages = cJSON_GetObjectItemCaseSensitive(working, "messages");
    cJSON *assistant = message_of("assistant", cJSON_Duplicate(content, 1));
    cJSON *user = message_of("user", results);
    if (!assistant || !user || !cJSON_AddItemToArray(messages, assistant)) {
        cJSON_Delete(assistant);
        cJSON_Delete(user);
        return -1;
    }
    if (!cJSON_AddItemToArray(messages, user)) {
        cJSON_Delete(user);
        return -1;
    }
    return 0;
}

/* The answer from the final round's message: the searches so far, then its content with every
 * web_search tool_use run and shown as server blocks. Returns the message or NULL. */
static cJSON *final_answer(loop *l, cJSON *message)
{
    cJSON *content = cJSON_CreateArray();
    cJSON *block;
    while (content && (block = cJSON_DetachItemFromArray(l->presentation, 0)))
        cJSON_AddItemToArray(content, block);
    int client_tools = 0;
    cJSON_ArrayForEach(block, cJSON_GetObjectItemCaseSensitive(message, "content"))
    {
        if (!content)
            break;
        if (is_tool_use_named(block, "web_search", 1)) {
            cJSON *result = search_for(l, block, content); /* the result stays here */
            if (!result) {
                cJSON_Delete(content);
                return NULL;
            }
            cJSON_Delete(result);
            continue;
        }
        client_tools += is_tool_use_named(block, "web_search", 0);
        cJSON_AddItemToArray(content, cJSON_Duplicate(block, 1));
    }
    if (!content)
        return NULL;
    set_member(message, "content", content);
    const cJSON *stop = cJSON_GetObjectItemCaseSensitive(message, "stop_reason");
    if (cJSON_IsString(stop) && strcmp(stop->valuestring, "tool_use") == 0 && client_tools == 0)
        set_member(message, "stop_reason", cJSON_CreateString("end_turn"));
    cJSON *usage = cJSON_GetObjectItemCaseSensitive(message, "usage");
    if (cJSON_IsObject(usage)) {
        set_member(usage, "output_tokens", cJSON_CreateNumber((double)l->output_tokens));
        cJSON *server = cJSON_AddObjectToObject(usage, "server_tool_use");
        if (server)
            cJSON_AddNumberToObject(server, "web_search_requests", l->searches);
    }
    return message;
}

static long output_of(const cJSON *message)
{
    const cJSON *n = cJSON_GetObjectItemCaseSensitive(
        cJSON_GetObjectItemCaseSensitive(message, "usage"), "output_tokens");
    return cJSON_IsNumber(n) ? (long)n->valuedouble : 0;
}

static int client_socket(request_ctx *rq)
{
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(rq->conn, MHD_CONNECTION_INFO_CONNECTION_FD);
    return ci ? (int)ci->connect_fd : -1;
}

/* Runs rounds until one is final. Returns the answer, or NULL with err / l->client_gone. */
static cJSON *run_loop(loop *l, cJSON *working, api_error *err)
{
    for (int round_no = 0;; round_no++) {
        cJSON *message =
            run_round(l->a, &l->up, working, l->client_fd, l->rq->request_id, err, &l->client_gone);
        if (!message)
            return NULL;
        l->output_tokens += output_of(message);
        const cJSON *content = cJSON_GetObjectItemCaseSensitive(message, "content");
        int searches = count_tool_uses(content, 1);
        int others = count_tool_uses(content, 0);
        LOG_INFO("[WEB_SEARCH_LOOP] id=%s round=%d web_search=%d other_tools=%d searched=%d",
                 l->rq->request_id, round_no, searches, others, l->searches);
        /* rounds are bounded too: a search refused before asking (an empty query) does not
         * count as a search, and must not let the model go round for ever */
        if (searches > 0 && others == 0 && l->searches + searches <= l->max_searches &&
            round_no < l->max_searches) {
            int rc = search_round(l, working, content);
            cJSON_Delete(message);
            if (rc != 0)
                break;
            continue;
        }
        cJSON *answer = final_answer(l, message);
        if (answer)
            return answer;
        cJSON_Delete(message);
        break;
    }
    if (!l->client_gone && l->no_credential)
        api_error_set(err, 503, "api_error",
                      "no usable Kiro credential for web_search (see GET /api/admin/credentials)");
    else if (!l->client_gone)
        api_error_set(err, 500, "api_error", "the web search loop failed (out of memory)");
    return NULL;
}

enum MHD_Result web_search_loop_answer(request_ctx *rq, const cJSON *request)
{
    api_error err;
    cJSON *working = web_search_loop_request(request, &err);
    if (!working)
        return respond_error(rq, &err);
    int max_uses = web_search_max_uses(request);
    loop l = {
        .a = rq->app,
        .rq = rq,
        .client_fd = client_socket(rq),
        .max_searches = max_uses > 0 && max_uses < WEB_SEARCH_LOOP_MAX_ROUNDS
                            ? max_uses
                            : WEB_SEARCH_LOOP_MAX_ROUNDS,
        .presentation = cJSON_CreateArray(),
    };
    app_upstream_for(rq->app, rq, &l.up);
    cJSON *answer = l.presentation ? run_loop(&l, working, &err) : NULL;
    if (!l.presentation)
        api_error_set(&err, 500, "api_error", "out of memory");
    cJSON_Delete(working);
    cJSON_Delete(l.presentation);
    if (!answer) {
        if (l.client_gone)
            return MHD_NO;
        LOG_WARN("[WEB_SEARCH_LOOP] id=%s failed: %d %s", rq->request_id, err.status, err.message);
        return respond_error(rq, &err);
    }
    int stream = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(request, "stream"));
    kbuf out = KBUF_INIT(0);
    int rc = stream ? message_sse_render(answer, &out) : 0;
    char *json = stream ? NULL : cJSON_PrintUnformatted(answer);
    cJSON_Delete(answer);
    enum MHD_Result r;
    if (stream && rc == 0)
        r = respond_bytes(rq, 200, "text/event-stream; charset=utf-8", out.data ? out.data : "",
                          out.len);
    else if (!stream && json)
        r = respond_bytes(rq, 200, "application/json", json, strlen(json));
    else
        r = respond_error_msg(rq, 500, "api_error", "cannot render the answer");
    cJSON_free(json);
    kbuf_free(&out);
    return r;
}
