/* tool_input.h: arguments for a tool call, made up from the tool's JSON schema.
 *
 * When a request offers tools, fake-kiro calls the first one the way a model would: with an
 * input object that satisfies the schema's "required" list. That lets proxy tests check the
 * whole tool-use path (fragments reassembled into valid JSON with the right keys) without a
 * model behind it. */
#ifndef FAKE_KIRO_TOOL_INPUT_H
#define FAKE_KIRO_TOOL_INPUT_H

#include <cjson/cJSON.h>

/* Builds the input object for schema (may be NULL or malformed: the result is then "{}").
 * Each required property gets a value of its declared type: string "fake-value" ("Paris" for
 * location/city), number/integer 1, boolean true, object {}, array [], the first "enum" value
 * when there is one. Returns malloc'd compact JSON text, NULL only when out of memory. */
char *fk_tool_input_from_schema(const cJSON *schema);

#endif
