/* anthropic_to_kiro.c: an Anthropic Messages request to a Kiro generateAssistantResponse body.
 *
 * The steps, each in its own file: check the request's shape (request_check.c), resolve the
 * model (model_catalog.c), build the tool specifications (tool_specs.c), convert the messages
 * into alternating turns (message_blocks.c, conversation.c), assemble the body (kiro_body.c),
 * and refuse it when it is larger than the upstream accepts. */
#include "translate/translate.h"
#include "translate/conversation.h"
#include "translate/kiro_body.h"
#include "translate/message_blocks.h"
#include "translate/request_check.h"
#include "translate/token_count.h"
#include "translate/tool_specs.h"
#include "translate/translate_limits.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/random.h"

static int convert_messages(const anthropic_fields *fields, const block_context *ctx,
                            conversation *c, api_error *err)
{
    int index = 0;
    const cJSON *message;
    cJSON_ArrayForEach(message, fields->messages) {
        const cJSON *role = cJSON_GetObjectItemCaseSensitive(message, "role");
        turn t;
        turn_init(&t, strcmp(role->valuestring, "user") == 0 ? TURN_USER : TURN_ASSISTANT,
                  c->text_cap);
        if (message_to_turn(message, index++, ctx, &t, err) != 0) {
            turn_free(&t);
            return -1;
        }
        if (conversation_append(c, &t, err) != 0)
            return -1;
    }
    return 0;
}

static int finish_with_system(const anthropic_fields *fields, conversation *c, api_error *err)
{
    kbuf system = KBUF_INIT(c->text_cap);
    int rc = fields->system ? anthropic_system_text(fields->system, &system) : KBUF_OK;
    if (rc != KBUF_OK) {
        kbuf_free(&system);
        return text_buffer_error(rc, c->text_cap, err);
    }
    rc = conversation_finish(c, system.data, err);
    kbuf_free(&system);
    return rc;
}

/* Prints body into out, refusing it when it exceeds max_bytes. */
static int print_body(cJSON *body, size_t max_bytes, kiro_request *out, api_error *err)
{
    char *text = cJSON_PrintUnformatted(body);
    if (!text)
        return api_error_set(err, 500, "api_error", "out of memory");
    size_t len = strlen(text);
    if (len > max_bytes) {
        free(text);
        return api_error_set(err, 413, "request_too_large",
                             "request too large for the upstream: %zu bytes > %zu", len,
                             max_bytes);
    }
    out->body = text;
    out->body_len = len;
    return 0;
}

static int translate_checked(const anthropic_fields *fields, const model_info *model,
                             const translate_options *options, kiro_request *out, api_error *err)
{
    size_t max_bytes = options->max_upstream_bytes ? options->max_upstream_bytes
                                                   : TRANSLATE_DEFAULT_MAX_UPSTREAM_BYTES;
    size_t max_description = options->max_tool_description
                                 ? options->max_tool_description
                                 : TRANSLATE_DEFAULT_MAX_TOOL_DESCRIPTION;
    cJSON *specs = NULL;
    if (tool_specs_build(fields->tools, max_description, &specs, &out->tool_count,
                         &out->tool_name_map, err) != 0)
        return -1;

    conversation c;
    conversation_init(&c, max_bytes);
    block_context ctx = { .tools_defined = out->tool_count > 0,
                          .tool_name_map = &out->tool_name_map };
    if (convert_messages(fields, &ctx, &c, err) != 0 || finish_with_system(fields, &c, err) != 0) {
        cJSON_Delete(specs);
        conversation_free(&c);
        return -1;
    }

    char conversation_id[UUID_STR_SIZE], continuation_id[UUID_STR_SIZE];
    random_uuid(conversation_id);
    random_uuid(continuation_id);
    kiro_body_params params = {
        .model_id = model->id,
        .conversation_id = options->conversation_id ? options->conversation_id : conversation_id,
        .continuation_id = options->continuation_id ? options->continuation_id : continuation_id,
        .profile_arn = options->profile_arn,
        .thinking = out->thinking,
        .thinking_budget = fields->thinking_budget,
    };
    cJSON *body = kiro_body_build(&c, specs, &params, err);
    conversation_free(&c);
    if (!body)
        return -1;
    int rc = print_body(body, max_bytes, out, err);
    cJSON_Delete(body);
    return rc;
}

int translate_anthropic_request(const cJSON *request, const translate_options *options,
                                kiro_request *out, api_error *err)
{
    memset(out, 0, sizeof *out);
    if (!options || !options->catalog)
        return api_error_set(err, 500, "api_error", "translation has no model catalogue");
    anthropic_fields fields;
    if (anthropic_check_request(request, &fields, err) != 0)
        return -1;

    model_info model;
    int model_thinking = 0;
    if (model_catalog_resolve_info(options->catalog, fields.model, &model, &model_thinking) != 0)
        return api_error_set(err, 400, "invalid_request_error", "unknown model \"%.100s\"",
                             fields.model);
    snprintf(out->model_id, sizeof out->model_id, "%s", model.id);
    snprintf(out->client_model, sizeof out->client_model, "%s", fields.model);
    out->stream = fields.stream;
    out->thinking = fields.thinking || model_thinking;
    out->max_tokens = fields.max_tokens > 0 ? fields.max_tokens : model.max_tokens;
    out->input_tokens_estimate = token_estimate_checked(&fields);

    if (translate_checked(&fields, &model, options, out, err) != 0) {
        kiro_request_free(out);
        return -1;
    }
    return 0;
}

void kiro_request_free(kiro_request *r)
{
    if (!r)
        return;
    free(r->body);
    cJSON_Delete(r->tool_name_map);
    r->body = NULL;
    r->body_len = 0;
    r->tool_name_map = NULL;
}
