/* bench_bodies.c: request bodies; see bench_bodies.h. */
#include "bench_bodies.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PROMPT "Say hello to the benchmark."

char *bench_rejected_message(size_t bytes)
{
    static const char head[] = "{\"model\":\"" BENCH_UNKNOWN_MODEL "\",\"max_tokens\":16,"
                               "\"messages\":[{\"role\":\"user\",\"content\":\"";
    static const char tail[] = "\"}]}";
    size_t fixed = sizeof head - 1 + sizeof tail - 1;
    if (bytes < 128)
        bytes = 128;
    char *body = malloc(bytes + 1);
    if (!body)
        return NULL;
    memcpy(body, head, sizeof head - 1);
    size_t content = bytes - fixed;
    for (size_t i = 0; i < content; i++)
        body[sizeof head - 1 + i] = (char)('a' + i % 26);
    memcpy(body + sizeof head - 1 + content, tail, sizeof tail);
    return body;
}

char *bench_stream_message(void)
{
    const char *text = "{\"model\":\"" BENCH_STREAM_MODEL "\",\"max_tokens\":256,\"stream\":true,"
                       "\"messages\":[{\"role\":\"user\",\"content\":\"" PROMPT "\"}]}";
    return strdup(text);
}

char *bench_kiro_request(void)
{
    const char *text =
        "{\"conversationState\":{\"chatTriggerType\":\"MANUAL\",\"conversationId\":"
        "\"bench-conversation\",\"currentMessage\":{\"userInputMessage\":{\"content\":\"" PROMPT
        "\",\"modelId\":\"" BENCH_STREAM_MODEL "\",\"origin\":\"AI_EDITOR\"}}}}";
    return strdup(text);
}
