/* fk_fixture.h: cmocka glue shared by the fake-kiro integration tests.
 *
 * Each test gets an fk_proc from setup, starts fake-kiro with the flags it needs, and teardown
 * stops and reaps it whatever happened in the test. Request bodies are built with cJSON so that
 * prompts are always escaped correctly. */
#ifndef FK_TEST_FIXTURE_H
#define FK_TEST_FIXTURE_H

#include <cjson/cJSON.h>

#include "fk_events.h"
#include "fk_http.h"
#include "fk_proc.h"

#define FK_START_TIMEOUT_MS 10000
#define FK_STAT_TIMEOUT_MS 10000

/* Call first in main: takes the binary from argv[1], initialises libcurl. */
void fk_fixture_init(int argc, char **argv);
int fk_fixture_setup(void **state);
int fk_fixture_teardown(void **state);
/* Starts fake-kiro with args (NULL-terminated) for this test; fails the test if it cannot. */
fk_proc *fk_fixture_start(void **state, const char *const *args);

/* {"conversationState":{... "currentMessage":{"userInputMessage":{"content","modelId",
 * "origin"}}}} (malloc'd). */
char *fk_body_plain(const char *content, const char *model);
/* Decodes r's body (fed in 5-byte pieces) into e. */
void fk_decode(const fk_response *r, fk_events *e);
/* A JSON value at a dotted path ("error.type") of a parsed body, or NULL. */
const cJSON *fk_json_at(const cJSON *root, const char *dotted);

#endif
