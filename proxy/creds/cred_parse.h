/* cred_parse.h: parsing credentials.json (internal to proxy/creds). The public rules
 * (cred_validate_json, cred_parse_expires_at) are declared in credentials.h. */
#ifndef KIRO_CRED_PARSE_H
#define KIRO_CRED_PARSE_H

#include <cjson/cJSON.h>
#include <stddef.h>

#include "creds/cred_entry.h"

/* Parses one credential object into e (zeroed first; cleared again on error). *explicit_id is
 * set when the object had an id. `where` names the entry in errors. Returns 0 or -1 with err. */
int cred_entry_parse(const cJSON *obj, const char *where, pool_entry *e, int *explicit_id,
                     char *err, size_t err_size);

/* Parses a whole document (array, or one object) into a new entry array with unique ids
 * (explicit ids kept unless an earlier entry has the same one; the others get position + 1, or
 * the next id above all). An entry that breaks a rule does not fail the document: it is kept
 * as read (pool_entry.rejected) and loaded disabled with the reason. Only a document that is
 * not JSON, not an array or object, or over the entry cap fails. *out is malloc'd (free with
 * pool_entries_free); *is_object_out (may be NULL) says whether the root was one object.
 * Returns 0 or -1 with err. */
int cred_document_parse(const char *json, size_t len, pool_entry **out, size_t *count_out,
                        int *is_object_out, char *err, size_t err_size);
/* The same for a document already parsed (root is not taken). */
int cred_document_parse_tree(const cJSON *root, pool_entry **out, size_t *count_out,
                             int *is_object_out, char *err, size_t err_size);

/* authMethod text (any case): "social" -> AUTH_SOCIAL; "idc", "builder-id", "builderid",
 * "builder_id", "iam", "enterprise", "sso", "identity-center" -> AUTH_IDC. Returns 0, or -1
 * for any other spelling. */
int cred_auth_method_parse(const char *text, auth_method *out);

#endif
