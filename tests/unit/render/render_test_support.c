/* render_test_support.c: event builders, writer runner and strict SSE parsing for the render
 * tests; see render_test_support.h. */
#include "render_test_support.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

static kiro_event blank_event(kiro_event_kind kind)
{
    kiro_event ev;
    memset(&ev, 0, sizeof ev);
    ev.kind = kind;
    ev.text = "";
    ev.input_tokens = -1;
    ev.output_tokens = -1;
    ev.cache_read_tokens = -1;
    ev.cache_write_tokens = -1;
    ev.context_usage_percent = -1;
    return ev;
}

kiro_event ev_text_n(const char *text, size_t len)
{
    kiro_event ev = blank_event(KIRO_EV_TEXT);
    ev.text = text;
    ev.text_len = len;
    return ev;
}

kiro_event ev_text(const char *text)
{
    return ev_text_n(text, strlen(text));
}

kiro_event ev_reasoning(const char *text)
{
    kiro_event ev = blank_event(KIRO_EV_REASONING);
    ev.text = text;
    ev.text_len = strlen(text);
    return ev;
}

kiro_event ev_tool(const char *id, const char *name, const char *input, int stop)
{
    kiro_event ev = blank_event(KIRO_EV_TOOL_USE);
    ev.tool_use_id = id;
    ev.tool_name = name;
    ev.text = input ? input : "";
    ev.text_len = strlen(ev.text);
    ev.tool_stop = stop;
    return ev;
}

kiro_event ev_exception(const char *type, const char *message)
{
    kiro_event ev = blank_event(KIRO_EV_EXCEPTION);
    ev.exception_type = type;
    ev.exception_message = message;
    return ev;
}

kiro_event ev_metadata(long input_tokens, long output_tokens)
{
    kiro_event ev = blank_event(KIRO_EV_METADATA);
    ev.input_tokens = input_tokens;
    ev.output_tokens = output_tokens;
    return ev;
}

kiro_event ev_context(double percent)
{
    kiro_event ev = blank_event(KIRO_EV_CONTEXT_USAGE);
    ev.context_usage_percent = percent;
    return ev;
}

rw_options test_options(rw_format format)
{
    rw_options o;
    memset(&o, 0, sizeof o);
    o.format = format;
    o.model = "claude-test";
    o.message_id = format == RW_OPENAI_SSE || format == RW_OPENAI_JSON ? "chatcmpl-test"
                                                                        : "msg_test";
    o.input_tokens_estimate = 42;
    o.created = 1700000000;
    return o;
}

void run_writer(rw_run *run, const rw_options *options, const kiro_event *events, size_t count,
                int finish)
{
    memset(run, 0, sizeof *run);
    kbuf_init(&run->out, 0);
    run->w = rw_new(options);
    assert_non_null(run->w);
    assert_int_equal(rw_begin(run->w, &run->out), 0);
    for (size_t i = 0; i < count; i++) {
        int rc = rw_event(run->w, &events[i], &run->out);
        if (rc != 0 && run->event_rc == 0)
            run->event_rc = rc;
    }
    if (finish)
        run->finish_rc = rw_finish(run->w, &run->out);
}

void run_free(rw_run *run)
{
    rw_free(run->w);
    kbuf_free(&run->out);
}

/* ---- strict UTF-8 ---------------------------------------------------------------------- */

int is_valid_utf8(const char *s, size_t len)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t i = 0;
    while (i < len) {
        unsigned c = p[i];
        size_t n;
        uint32_t cp, min;
        if (c < 0x80) {
            i++;
            continue;
        } else if ((c & 0xe0) == 0xc0) {
            n = 2, cp = c & 0x1f, min = 0x80;
        } else if ((c & 0xf0) == 0xe0) {
            n = 3, cp = c & 0x0f, min = 0x800;
        } else if ((c & 0xf8) == 0xf0) {
            n = 4, cp = c & 0x07, min = 0x10000;
        } else {
            return 0;
        }
        if (len - i < n)
            return 0;
        for (size_t k = 1; k < n; k++) {
            if ((p[i + k] & 0xc0) != 0x80)
                return 0;
            cp = (cp << 6) | (p[i + k] & 0x3f);
        }
        if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
            return 0;
        i += n;
    }
    return 1;
}

/* ---- strict SSE -------------------------------------------------------------------------- */

static char *copy_range(const char *s, size_t len)
{
    char *p = malloc(len + 1);
    assert_non_null(p);
    memcpy(p, s, len);
    p[len] = '\0';
    return p;
}

/* One event (the lines before a blank line) into an item of the result array. */
static void parse_event(cJSON *events, const char *s, size_t len)
{
    cJSON *item = cJSON_CreateObject();
    char *name = NULL, *data = NULL;
    size_t pos = 0;
    while (pos < len) {
        const char *nl = memchr(s + pos, '\n', len - pos);
        assert_non_null(nl);
        size_t line_len = (size_t)(nl - (s + pos));
        const char *line = s + pos;
        if (line_len >= 7 && memcmp(line, "event: ", 7) == 0) {
            assert_null(name);
            assert_null(data);   /* the event line comes first */
            name = copy_range(line + 7, line_len - 7);
        } else if (line_len >= 6 && memcmp(line, "data: ", 6) == 0) {
            assert_null(data);   /* one data line per event */
            data = copy_range(line + 6, line_len - 6);
        } else if (line_len >= 1 && line[0] == ':') {
            char *comment = copy_range(line, line_len);
            cJSON_AddStringToObject(item, "comment", comment);
            free(comment);
        } else {
            fail_msg("unexpected SSE line: %.*s", (int)line_len, line);
        }
        pos += line_len + 1;
    }
    if (name)
        cJSON_AddStringToObject(item, "event", name);
    else
        cJSON_AddNullToObject(item, "event");
    if (data) {
        if (strcmp(data, "[DONE]") == 0) {
            cJSON_AddStringToObject(item, "data", "[DONE]");
        } else {
            cJSON *json = cJSON_Parse(data);
            if (!json)
                fail_msg("data line is not JSON: %s", data);
            cJSON_AddItemToObject(item, "data", json);
        }
    } else if (!cJSON_GetObjectItem(item, "comment")) {
        fail_msg("SSE event without data");
    }
    free(name);
    free(data);
    cJSON_AddItemToArray(events, item);
}

cJSON *parse_sse(const char *text, size_t len)
{
    if (!is_valid_utf8(text, len))
        fail_msg("SSE output is not valid UTF-8");
    cJSON *events = cJSON_CreateArray();
    size_t pos = 0;
    while (pos < len) {
        const char *end = NULL;
        for (size_t i = pos; i + 1 < len; i++) {
            if (text[i] == '\n' && text[i + 1] == '\n') {
                end = text + i;
                break;
            }
        }
        if (!end)
            fail_msg("SSE output does not end with a blank line: %s", text + pos);
        size_t event_len = (size_t)(end - (text + pos)) + 1;   /* keep its final newline */
        parse_event(events, text + pos, event_len);
        pos += event_len + 1;
    }
    return events;
}

const char *sse_event_name(const cJSON *item)
{
    const cJSON *e = cJSON_GetObjectItemCaseSensitive(item, "event");
    return cJSON_IsString(e) ? e->valuestring : NULL;
}

const cJSON *sse_data(const cJSON *item)
{
    return cJSON_GetObjectItemCaseSensitive(item, "data");
}

const cJSON *json_at(const cJSON *root, const char *path)
{
    char buf[256];
    snprintf(buf, sizeof buf, "%s", path);
    const cJSON *cur = root;
    for (char *save = NULL, *part = strtok_r(buf, "/", &save); part && cur;
         part = strtok_r(NULL, "/", &save)) {
        if (cJSON_IsArray(cur))
            cur = cJSON_GetArrayItem(cur, atoi(part));
        else
            cur = cJSON_GetObjectItemCaseSensitive(cur, part);
    }
    return cur;
}

const char *json_str(const cJSON *root, const char *path)
{
    const cJSON *v = json_at(root, path);
    if (!cJSON_IsString(v)) {
        char *s = root ? cJSON_PrintUnformatted(root) : NULL;
        fail_msg("no string at %s in %s", path, s ? s : "(null)");
    }
    return v->valuestring;
}

double json_num(const cJSON *root, const char *path)
{
    const cJSON *v = json_at(root, path);
    if (!cJSON_IsNumber(v)) {
        char *s = root ? cJSON_PrintUnformatted(root) : NULL;
        fail_msg("no number at %s in %s", path, s ? s : "(null)");
    }
    return v->valuedouble;
}

/* ---- Anthropic event summaries --------------------------------------------------------- */

char *anthropic_shape(const cJSON *events)
{
    kbuf b = KBUF_INIT(0);
    const cJSON *item;
    cJSON_ArrayForEach(item, events) {
        if (cJSON_GetObjectItem(item, "comment"))
            fail_msg("comment line in an Anthropic stream");
        const char *name = sse_event_name(item);
        const cJSON *data = sse_data(item);
        assert_non_null(name);
        assert_string_equal(json_str(data, "type"), name);
        if (b.len)
            kbuf_append_char(&b, ' ');
        if (strcmp(name, "content_block_start") == 0)
            kbuf_printf(&b, "start%d:%s", (int)json_num(data, "index"),
                        json_str(data, "content_block/type"));
        else if (strcmp(name, "content_block_delta") == 0)
            kbuf_printf(&b, "delta%d:%s", (int)json_num(data, "index"),
                        json_str(data, "delta/type"));
        else if (strcmp(name, "content_block_stop") == 0)
            kbuf_printf(&b, "stop%d", (int)json_num(data, "index"));
        else
            kbuf_append_str(&b, name);
    }
    return kbuf_detach(&b, NULL);
}

char *anthropic_joined(const cJSON *events, int index, const char *field)
{
    kbuf b = KBUF_INIT(0);
    char path[64];
    snprintf(path, sizeof path, "delta/%s", field);
    const cJSON *item;
    cJSON_ArrayForEach(item, events) {
        const char *name = sse_event_name(item);
        const cJSON *data = sse_data(item);
        if (name && strcmp(name, "content_block_delta") == 0 &&
            (int)json_num(data, "index") == index && json_at(data, path))
            kbuf_append_str(&b, json_str(data, path));
    }
    return kbuf_detach(&b, NULL);
}

const cJSON *find_event(const cJSON *events, const char *name)
{
    const cJSON *item;
    cJSON_ArrayForEach(item, events) {
        const char *n = sse_event_name(item);
        const cJSON *data = sse_data(item);
        const cJSON *type = cJSON_IsObject(data) ? cJSON_GetObjectItem(data, "type") : NULL;
        if ((n && strcmp(n, name) == 0) ||
            (cJSON_IsString(type) && strcmp(type->valuestring, name) == 0))
            return data;
    }
    return NULL;
}
