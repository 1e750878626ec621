/* reply_plan.c: the deterministic assistant behind fake-kiro; see reply_plan.h. */
#include "reply_plan.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "tool_input.h"
#include "util/utf8.h"
#include "util/random.h"

#define REPLY_TEXT_CAP (17u * 1024u * 1024u)

static const char lorem[] =
    "Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor "
    "incididunt ut labore et dolore magna aliqua. ";

static const cJSON *path(const cJSON *node, const char *const *keys)
{
    for (; node && *keys; keys++)
        node = cJSON_GetObjectItemCaseSensitive(node, *keys);
    return node;
}

static const char *skip_space(const char *s)
{
    while (isspace((unsigned char)*s))
        s++;
    return s;
}

const char *fk_strip_thinking_prefix(const char *content)
{
    static const char max_open[] = "<max_thinking_length>";
    static const char max_close[] = "</max_thinking_length>";
    if (strncmp(content, FK_THINKING_PREFIX, strlen(FK_THINKING_PREFIX)) != 0)
        return content;
    const char *p = skip_space(content + strlen(FK_THINKING_PREFIX));
    if (strncmp(p, max_open, strlen(max_open)) == 0) {
        const char *end = strstr(p, max_close);
        if (end)
            p = skip_space(end + strlen(max_close));
    }
    return p;
}

static int append_prefix_chars(kbuf *out, const char *s, size_t max_chars)
{
    return kbuf_append(out, s, utf8_prefix_bytes(s, strlen(s), max_chars));
}

/* Text of a tool result: its "text" items joined, "json" items printed compactly. */
static int tool_result_text(const cJSON *result, kbuf *out)
{
    const cJSON *item;
    cJSON_ArrayForEach(item, cJSON_GetObjectItemCaseSensitive(result, "content")) {
        const cJSON *text = cJSON_GetObjectItemCaseSensitive(item, "text");
        const cJSON *json = cJSON_GetObjectItemCaseSensitive(item, "json");
        int rc = KBUF_OK;
        if (cJSON_IsString(text)) {
            rc = kbuf_append_str(out, text->valuestring);
        } else if (json) {
            char *printed = cJSON_PrintUnformatted(json);
            rc = printed ? kbuf_append_str(out, printed) : KBUF_ERR_NOMEM;
            free(printed);
        }
        if (rc == KBUF_ERR_NOMEM)
            return -1;
        if (rc == KBUF_ERR_CAP || out->len > FK_ECHO_CHARS * 4)
            break; /* more than 200 characters already: the rest is cut anyway */
    }
    return 0;
}

static int say_tool_result(fk_reply *r, const cJSON *result)
{
    const cJSON *id = cJSON_GetObjectItemCaseSensitive(result, "toolUseId");
    kbuf text = KBUF_INIT(64u * 1024u);
    if (tool_result_text(result, &text) != 0) {
        kbuf_free(&text);
        return -1;
    }
    int rc = kbuf_printf(&r->text, "Tool %s returned: ", cJSON_IsString(id) ? id->valuestring : "");
    if (rc == KBUF_OK && text.data)
        rc = append_prefix_chars(&r->text, text.data, FK_ECHO_CHARS);
    kbuf_free(&text);
    return rc == KBUF_OK ? 0 : -1;
}

static int call_tool(fk_reply *r, const cJSON *tool)
{
    static const char *const name_path[] = {"toolSpecification", "name", NULL};
    static const char *const schema_path[] = {"toolSpecification", "inputSchema", "json", NULL};
    const cJSON *name = path(tool, name_path);
    const char *tool_name = cJSON_IsString(name) ? name->valuestring : "tool";
    r->tool_name = strdup(tool_name);
    r->tool_input = fk_tool_input_from_schema(path(tool, schema_path));
    if (!r->tool_name || !r->tool_input)
        return -1;
    random_id("tooluse_", r->tool_use_id, sizeof r->tool_use_id);
    return kbuf_printf(&r->text, "I'll use the %s tool.", tool_name) == KBUF_OK ? 0 : -1;
}

static int say_lorem(fk_reply *r, size_t bytes)
{
    while (bytes > 0) {
        size_t n = bytes < sizeof lorem - 1 ? bytes : sizeof lorem - 1;
        if (kbuf_append(&r->text, lorem, n) != KBUF_OK)
            return -1;
        bytes -= n;
    }
    return 0;
}

static int say_plain(fk_reply *r, const char *content, const fk_reply_options *options)
{
    if (options->reply)
        return kbuf_append_str(&r->text, options->reply) == KBUF_OK ? 0 : -1;
    if (options->reply_bytes > 0)
        return say_lorem(r, options->reply_bytes);
    if (kbuf_append_str(&r->text, FK_ECHO_PREFIX) != KBUF_OK)
        return -1;
    return append_prefix_chars(&r->text, fk_strip_thinking_prefix(content), FK_ECHO_CHARS) ==
                   KBUF_OK
               ? 0
               : -1;
}

int fk_reply_build(fk_reply *out, const cJSON *request, const fk_reply_options *options)
{
    static const char *const message_path[] = {"conversationState", "currentMessage",
                                               "userInputMessage", NULL};
    memset(out, 0, sizeof *out);
    kbuf_init(&out->text, REPLY_TEXT_CAP);

    const cJSON *message = path(request, message_path);
    const cJSON *content = cJSON_GetObjectItemCaseSensitive(message, "content");
    const char *text = cJSON_IsString(content) ? content->valuestring : "";
    const cJSON *context = cJSON_GetObjectItemCaseSensitive(message, "userInputMessageContext");
    const cJSON *tools = cJSON_GetObjectItemCaseSensitive(context, "tools");
    const cJSON *results = cJSON_GetObjectItemCaseSensitive(context, "toolResults");

    int rc = 0;
    if (strncmp(text, FK_THINKING_PREFIX, strlen(FK_THINKING_PREFIX)) == 0)
        rc = kbuf_append_str(&out->text, FK_THINKING_TEXT) == KBUF_OK ? 0 : -1;
    if (rc == 0) {
        if (cJSON_IsArray(results) && cJSON_GetArraySize(results) > 0)
            rc = say_tool_result(out, cJSON_GetArrayItem(results, 0));
        else if (cJSON_IsArray(tools) && cJSON_GetArraySize(tools) > 0)
            rc = call_tool(out, cJSON_GetArrayItem(tools, 0));
        else
            rc = say_plain(out, text, options);
    }
    if (rc != 0)
        fk_reply_free(out);
    return rc;
}

void fk_reply_free(fk_reply *r)
{
    kbuf_free(&r->text);
    free(r->tool_name);
    free(r->tool_input);
    r->tool_name = NULL;
    r->tool_input = NULL;
}
