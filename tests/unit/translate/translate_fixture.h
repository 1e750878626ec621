/* translate_fixture.h: helpers shared by the translate unit tests.
 *
 * Requests are written with single quotes inside C strings ({'model':'x'}) and turned into JSON
 * by replacing every ' with "; results are inspected by path ("a.b[0].c") so that each test
 * states exactly which field of the produced JSON it expects. */
#ifndef KIRO_TEST_TRANSLATE_FIXTURE_H
#define KIRO_TEST_TRANSLATE_FIXTURE_H

#include <cjson/cJSON.h>

#include "translate/translate.h"

#define FIXTURE_CONVERSATION_ID "11111111-2222-4333-8444-555555555555"
#define FIXTURE_CONTINUATION_ID "66666666-7777-4888-9999-aaaaaaaaaaaa"

/* Parses a single-quoted JSON text; fails the test when it does not parse. */
cJSON *fixture_json(const char *single_quoted);

/* The item at path ("conversationState.history[0].userInputMessage.content"), or NULL. */
const cJSON *json_at(const cJSON *root, const char *path);
/* The string at path; fails the test when there is none. */
const char *json_string_at(const cJSON *root, const char *path);
/* The size of the array at path; fails the test when there is none. */
int json_array_size_at(const cJSON *root, const char *path);

/* Options with a fresh default catalogue and fixed conversation ids; free the catalogue with
 * fixture_options_done. */
translate_options fixture_options(void);
void fixture_options_done(translate_options *options);

/* Translates a single-quoted request with options (NULL = fixture_options()); fails the test
 * unless it succeeds. Returns the parsed body (caller deletes); out is filled (caller frees). */
cJSON *translate_ok(const char *single_quoted, const translate_options *options,
                    kiro_request *out);
/* Translates and expects failure; returns the error. */
api_error translate_error(const char *single_quoted, const translate_options *options);
/* Same for a request already parsed. */
api_error translate_error_json(const cJSON *request, const translate_options *options);

#endif
