/* web_search_render.c: a web_search answer as Anthropic server-tool blocks; see
 * web_search_render.h.
 *
 * The answer is built once as the message object a JSON client receives; a streaming client
 * gets the same message replayed as events (message_sse.h). */
#include "render/web_search_render.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "render/message_sse.h"
#include "render/rw_internal.h"
#include "util/utf8.h"
#include "util/random.h"

void web_search_results_free(web_search_results *r)
{
    if (!r)
        return;
    for (size_t i = 0; i < r->count; i++) {
        free(r->hits[i].title);
        free(r->hits[i].url);
        free(r->hits[i].snippet);
    }
    free(r->hits);
    r->hits = NULL;
    r->count = 0;
}

void web_search_page_age(double published_ms, char *out, size_t out_size)
{
    static const char *const months[] = {"January",   "February", "March",    "April",
                                         "May",       "June",     "July",     "August",
                                         "September", "October",  "November", "December"};
    out[0] = '\0';
    if (!(published_ms >= 0 && published_ms < 4102444800000.0)) /* before 2100 */
        return;
    time_t seconds = (time_t)(published_ms / 1000.0);
    struct tm tm;
    if (!gmtime_r(&seconds, &tm) || tm.tm_mon < 0 || tm.tm_mon > 11)
        return;
    snprintf(out, out_size, "%s %d, %d", months[tm.tm_mon], tm.tm_mday, tm.tm_year + 1900);
}

/* Byte length of the first max_chars characters of valid UTF-8 text. */
static size_t prefix_chars(const char *s, size_t max_chars)
{
    size_t i = 0, chars = 0;
    for (; s[i]; i++) {
        if (((unsigned char)s[i] & 0xc0) != 0x80) {
            if (chars == max_chars)
                break;
            chars++;
        }
    }
    return i;
}

int web_search_summary(const web_search_outcome *o, kbuf *out)
{
    int rc;
    if (o->error_code) {
        return kbuf_printf(out,
                           "The web search for \"%s\" failed: %s. No search results are "
                           "available for this question.",
                           o->query, o->error_message ? o->error_message : o->error_code);
    }
    rc = kbuf_printf(out, "Web search results for \"%s\":\n\n", o->query);
    size_t count = o->results ? o->results->count : 0;
    for (size_t i = 0; rc == KBUF_OK && i < count; i++) {
        const web_search_hit *h = &o->results->hits[i];
        rc = kbuf_printf(out, "%zu. %s\n", i + 1, h->title);
        if (rc == KBUF_OK && h->snippet && h->snippet[0]) {
            size_t keep = prefix_chars(h->snippet, WEB_SEARCH_SUMMARY_SNIPPET_CHARS);
            rc = kbuf_printf(out, "   %.*s%s\n", (int)keep, h->snippet,
                             h->snippet[keep] ? "..." : "");
        }
        if (rc == KBUF_OK)
            rc = kbuf_printf(out, "   Source: %s\n\n", h->url);
    }
    if (rc == KBUF_OK && count == 0)
        rc = kbuf_append_str(out, "The search found nothing.\n");
    if (rc == KBUF_OK)
        rc = kbuf_append_str(out, "\nThese results come from a web search and may be "
                                  "incomplete or out of date.");
    return rc;
}

/* ---- blocks ------------------------------------------------------------------------------- */

static cJSON *text_block(const char *text)
{
    cJSON *b = cJSON_CreateObject();
    if (!cJSON_AddStringToObject(b, "type", "text") || !cJSON_AddStringToObject(b, "text", text)) {
        cJSON_Delete(b);
        return NULL;
    }
    return b;
}

static cJSON *server_tool_use_block(const web_search_outcome *o)
{
    cJSON *b = cJSON_CreateObject();
    cJSON_AddStringToObject(b, "type", "server_tool_use");
    cJSON_AddStringToObject(b, "id", o->tool_use_id);
    cJSON_AddStringToObject(b, "name", "web_search");
    cJSON *input = cJSON_AddObjectToObject(b, "input");
    if (!input || !cJSON_AddStringToObject(input, "query", o->query)) {
        cJSON_Delete(b);
        return NULL;
    }
    return b;
}

static cJSON *result_item(const web_search_hit *h)
{
    char age[48];
    web_search_page_age(h->published_ms, age, sizeof age);
    cJSON *r = cJSON_CreateObject();
    int ok = cJSON_AddStringToObject(r, "type", "web_search_result") &&
             cJSON_AddStringToObject(r, "title", h->title) &&
             cJSON_AddStringToObject(r, "url", h->url) &&
             cJSON_AddStringToObject(r, "encrypted_content", h->snippet ? h->snippet : "") &&
             (age[0] ? cJSON_AddStringToObject(r, "page_age", age) != NULL
                     : cJSON_AddNullToObject(r, "page_age") != NULL);
    if (!ok) {
        cJSON_Delete(r);
        return NULL;
    }
    return r;
}

static cJSON *tool_result_block(const web_search_outcome *o)
{
    cJSON *b = cJSON_CreateObject();
    cJSON_AddStringToObject(b, "type", "web_search_tool_result");
    cJSON_AddStringToObject(b, "tool_use_id", o->tool_use_id);
    if (o->error_code) {
        cJSON *error = cJSON_AddObjectToObject(b, "content");
        if (!error || !cJSON_AddStringToObject(error, "type", "web_search_tool_result_error") ||
            !cJSON_AddStringToObject(error, "error_code", o->error_code)) {
            cJSON_Delete(b);
            return NULL;
        }
        return b;
    }
    cJSON *list = cJSON_AddArrayToObject(b, "content");
    size_t count = o->results ? o->results->count : 0;
    for (size_t i = 0; list && i < count; i++) {
        cJSON *item = result_item(&o->results->hits[i]);
        if (!item || !cJSON_AddItemToArray(list, item)) {
            cJSON_Delete(item);
            list = NULL;
        }
    }
    if (!list) {
        cJSON_Delete(b);
        return NULL;
    }
    return b;
}

cJSON *web_search_server_blocks(const web_search_outcome *o)
{
    cJSON *list = cJSON_CreateArray();
    cJSON *use = server_tool_use_block(o);
    cJSON *result = tool_result_block(o);
    if (!list || !use || !result || !cJSON_AddItemToArray(list, use)) {
        cJSON_Delete(list);
        cJSON_Delete(use);
        cJSON_Delete(result);
        return NULL;
    }
    if (!cJSON_AddItemToArray(list, result)) {
        cJSON_Delete(list);
        cJSON_Delete(result);
        return NULL;
    }
    return list;
}

/* The four content blocks, in order, as a JSON array; *summary_chars receives the length of
 * the texts for the output estimate. */
static cJSON *content_blocks(const web_search_outcome *o, size_t *text_chars)
{
    kbuf intro = KBUF_INIT(0), summary = KBUF_INIT(0);
    cJSON *content = cJSON_CreateArray();
    int ok = content && kbuf_printf(&intro, "Searching the web for \"%s\".", o->query) == KBUF_OK &&
             web_search_summary(o, &summary) == KBUF_OK;
    cJSON *blocks[4] = {NULL, NULL, NULL, NULL};
    if (ok) {
        blocks[0] = text_block(intro.data);
        blocks[1] = server_tool_use_block(o);
        blocks[2] = tool_result_block(o);
        blocks[3] = text_block(summary.data);
    }
    for (size_t i = 0; i < 4; i++) {
        if (ok && blocks[i] && cJSON_AddItemToArray(content, blocks[i]))
            continue;
        ok = 0;
        cJSON_Delete(blocks[i]);
    }
    *text_chars =
        ok ? utf8_char_count(intro.data, intro.len) + utf8_char_count(summary.data, summary.len)
           : 0;
    kbuf_free(&intro);
    kbuf_free(&summary);
    if (!ok) {
        cJSON_Delete(content);
        return NULL;
    }
    return content;
}

static int add_usage(cJSON *parent, const web_search_render_options *opt,
                     const web_search_outcome *o, long output_tokens)
{
    usage_numbers n = {opt->input_tokens > 0 ? opt->input_tokens : 0, output_tokens, 0, 0};
    cJSON *usage = cJSON_AddObjectToObject(parent, "usage");
    if (usage_add_anthropic(usage, &n) != 0)
        return -1;
    cJSON *server = cJSON_AddObjectToObject(usage, "server_tool_use");
    return server && cJSON_AddNumberToObject(server, "web_search_requests", o->searched ? 1 : 0)
               ? 0
               : -1;
}

/* The message object; takes content over (deleted on failure). */
static cJSON *message_object(const web_search_render_options *opt, const char *id, cJSON *content)
{
    cJSON *m = cJSON_CreateObject();
    int ok = m && cJSON_AddStringToObject(m, "id", id) &&
             cJSON_AddStringToObject(m, "type", "message") &&
             cJSON_AddStringToObject(m, "role", "assistant") &&
             cJSON_AddStringToObject(m, "model", opt->model ? opt->model : "") &&
             cJSON_AddItemToObject(m, "content", content);
    if (!ok) {
        if (!m || !cJSON_GetObjectItemCaseSensitive(m, "content"))
            cJSON_Delete(content);
        cJSON_Delete(m);
        return NULL;
    }
    ok = cJSON_AddStringToObject(m, "stop_reason", "end_turn") &&
         cJSON_AddNullToObject(m, "stop_sequence");
    if (!ok) {
        cJSON_Delete(m);
        return NULL;
    }
    return m;
}

int web_search_render(const web_search_render_options *opt, const web_search_outcome *o, kbuf *out)
{
    if (opt->format != RW_ANTHROPIC_SSE && opt->format != RW_ANTHROPIC_JSON)
        return -1;
    char id[RW_ID_SIZE];
    if (opt->message_id && opt->message_id[0])
        snprintf(id, sizeof id, "%s", opt->message_id);
    else
        random_id("msg_", id, sizeof id);
    size_t text_chars = 0;
    cJSON *content = content_blocks(o, &text_chars);
    if (!content)
        return -1;
    long output_tokens = (long)((text_chars + 3) / 4);
    cJSON *m = message_object(opt, id, content);
    if (!m || add_usage(m, opt, o, output_tokens) != 0) {
        cJSON_Delete(m);
        return -1;
    }
    if (opt->format == RW_ANTHROPIC_SSE) {
        int rc = message_sse_render(m, out);
        cJSON_Delete(m);
        return rc;
    }
    return rw_append_json(out, m);
}
