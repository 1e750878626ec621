/* fk_fixture.c: setup/teardown and request helpers for fake-kiro tests; see fk_fixture.h. */
#include "fk_fixture.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void fk_fixture_init(int argc, char **argv)
{
    if (argc > 1)
        fk_proc_set_binary(argv[1]);
    curl_global_init(CURL_GLOBAL_DEFAULT);
}

int fk_fixture_setup(void **state)
{
    fk_proc *p = calloc(1, sizeof *p);
    *state = p;
    return p ? 0 : -1;
}

int fk_fixture_teardown(void **state)
{
    fk_proc *p = *state;
    int rc = 0;
    if (p) {
        rc = fk_proc_stop(p);
        free(p);
    }
    *state = NULL;
    return rc;
}

fk_proc *fk_fixture_start(void **state, const char *const *args)
{
    fk_proc *p = *state;
    if (fk_proc_start(p, args, FK_START_TIMEOUT_MS) != 0)
        fail_msg("fake-kiro (%s) did not start", fk_proc_binary());
    return p;
}

char *fk_body_plain(const char *content, const char *model)
{
    cJSON *root = cJSON_CreateObject();
    cJSON *state = cJSON_AddObjectToObject(root, "conversationState");
    cJSON_AddStringToObject(state, "chatTriggerType", "MANUAL");
    cJSON_AddStringToObject(state, "conversationId", "00000000-0000-4000-8000-000000000000");
    cJSON *current = cJSON_AddObjectToObject(state, "currentMessage");
    cJSON *message = cJSON_AddObjectToObject(current, "userInputMessage");
    cJSON_AddStringToObject(message, "content", content);
    cJSON_AddStringToObject(message, "modelId", model);
    cJSON_AddStringToObject(message, "origin", "AI_EDITOR");
    char *text = cJSON_PrintUnformatted(root);
    cJSON_Delete(root);
    assert_non_null(text);
    return text;
}

void fk_decode(const fk_response *r, fk_events *e)
{
    assert_int_equal(fk_events_decode(e, r->body.data, r->body.len, 5), 0);
}

const cJSON *fk_json_at(const cJSON *root, const char *dotted)
{
    char key[256];
    snprintf(key, sizeof key, "%s", dotted);
    const cJSON *node = root;
    char *part = key;
    while (node && part) {
        char *dot = strchr(part, '.');
        if (dot)
            *dot = '\0';
        node = cJSON_GetObjectItemCaseSensitive(node, part);
        part = dot ? dot + 1 : NULL;
    }
    return node;
}
