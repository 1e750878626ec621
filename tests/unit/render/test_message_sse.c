/* test_message_sse.c: a finished message replayed as Anthropic streaming events: the event
 * order, text in pieces, thinking with its signature, tool input as one input_json_delta,
 * server tool blocks whole in content_block_start, message_start without content or output,
 * message_delta with the stop reason and the whole usage; shapes it refuses. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "render/message_sse.h"
#include "render_test_support.h"

static const char message_text[] =
    "{\"id\":\"msg_1\",\"type\":\"message\",\"role\":\"assistant\",\"model\":\"m\","
    "\"content\":["
    "{\"type\":\"thinking\",\"thinking\":\"hmm\",\"signature\":\"sig\"},"
    "{\"type\":\"server_tool_use\",\"id\":\"srvtoolu_1\",\"name\":\"web_search\","
    "\"input\":{\"query\":\"q\"}},"
    "{\"type\":\"web_search_tool_result\",\"tool_use_id\":\"srvtoolu_1\",\"content\":[]},"
    "{\"type\":\"text\",\"text\":\"%s\"},"
    "{\"type\":\"tool_use\",\"id\":\"tu_1\",\"name\":\"read\",\"input\":{\"path\":\"/x\"}}],"
    "\"stop_reason\":\"tool_use\",\"stop_sequence\":null,"
    "\"usage\":{\"input_tokens\":7,\"cache_creation_input_tokens\":1,"
    "\"cache_read_input_tokens\":2,\"output_tokens\":9,"
    "\"server_tool_use\":{\"web_search_requests\":1}}}";

static void replays_every_block(void **state)
{
    (void)state;
    /* 250 characters of text, with multi-byte ones around the piece boundary */
    char text[600] = "";
    for (int i = 0; i < 98; i++)
        strcat(text, "a");
    for (int i = 0; i < 4; i++)
        strcat(text, "\xc3\xa9"); /* characters 99..102 */
    for (int i = 0; i < 148; i++)
        strcat(text, "b");
    char json[2048];
    snprintf(json, sizeof json, message_text, text);
    cJSON *message = cJSON_Parse(json);
    assert_non_null(message);
    kbuf out = KBUF_INIT(0);
    assert_int_equal(message_sse_render(message, &out), 0);
    cJSON *events = parse_sse(out.data, out.len);
    char *shape = anthropic_shape(events);
    assert_string_equal(shape, "message_start start0:thinking delta0:thinking_delta "
                               "delta0:signature_delta stop0 start1:server_tool_use stop1 "
                               "start2:web_search_tool_result stop2 start3:text "
                               "delta3:text_delta delta3:text_delta delta3:text_delta stop3 "
                               "start4:tool_use delta4:input_json_delta stop4 message_delta "
                               "message_stop");
    char *joined = anthropic_joined(events, 3, "text");
    assert_string_equal(joined, text);
    free(joined);
    joined = anthropic_joined(events, 0, "thinking");
    assert_string_equal(joined, "hmm");
    free(joined);
    joined = anthropic_joined(events, 4, "partial_json");
    assert_string_equal(joined, "{\"path\":\"/x\"}");
    free(joined);

    const cJSON *start = find_event(events, "message_start");
    assert_int_equal(cJSON_GetArraySize(json_at(start, "message/content")), 0);
    assert_true(cJSON_IsNull(json_at(start, "message/stop_reason")));
    assert_int_equal(json_num(start, "message/usage/output_tokens"), 0);
    assert_int_equal(json_num(start, "message/usage/input_tokens"), 7);
    assert_null(json_at(start, "message/usage/server_tool_use"));
    const cJSON *delta = find_event(events, "message_delta");
    assert_string_equal(json_str(delta, "delta/stop_reason"), "tool_use");
    assert_true(cJSON_IsNull(json_at(delta, "delta/stop_sequence")));
    assert_int_equal(json_num(delta, "usage/output_tokens"), 9);
    assert_int_equal(json_num(delta, "usage/cache_read_input_tokens"), 2);
    assert_int_equal(json_num(delta, "usage/server_tool_use/web_search_requests"), 1);

    /* the server tool block arrives whole; the client tool block starts with empty input */
    const cJSON *item;
    int seen = 0;
    cJSON_ArrayForEach(item, events)
    {
        const cJSON *data = sse_data(item);
        if (!data || strcmp(sse_event_name(item), "content_block_start") != 0)
            continue;
        int index = (int)json_num(data, "index");
        if (index == 1) {
            assert_string_equal(json_str(data, "content_block/input/query"), "q");
            seen++;
        } else if (index == 4) {
            assert_int_equal(cJSON_GetArraySize(json_at(data, "content_block/input")), 0);
            assert_string_equal(json_str(data, "content_block/id"), "tu_1");
            seen++;
        }
    }
    assert_int_equal(seen, 2);
    free(shape);
    cJSON_Delete(events);
    kbuf_free(&out);
    cJSON_Delete(message);
}

static void refuses_what_is_not_a_message(void **state)
{
    (void)state;
    static const char *const bad[] = {"[]", "{\"content\":{}}", "{\"type\":\"message\"}",
                                      "{\"content\":[{\"text\":\"no type\"}]}"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        cJSON *m = cJSON_Parse(bad[i]);
        kbuf out = KBUF_INIT(0);
        assert_int_equal(message_sse_render(m, &out), -1);
        kbuf_free(&out);
        cJSON_Delete(m);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(replays_every_block),
        cmocka_unit_test(refuses_what_is_not_a_message),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
