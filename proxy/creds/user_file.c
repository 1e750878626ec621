/* user_file.c: reading and writing the user-credential file shapes; see user_file.h. */
#include "creds/user_file.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "util/errbuf.h"

int user_file_code_ok(const char *code)
{
    size_t n = strlen(code);
    if (n == 0 || n > USER_CODE_MAX)
        return 0;
    for (; *code; code++) {
        unsigned char ch = (unsigned char)*code;
        if (ch < 0x20 || ch == 0x7f || ch == '/')
            return 0;
    }
    return 1;
}

void user_file_shape_default(user_file_shape *shape)
{
    memset(shape, 0, sizeof *shape);
    shape->shape = USER_SHAPE_KEYED;
    snprintf(shape->code_key, sizeof shape->code_key, "activation_code");
}

void user_file_shape_clear(user_file_shape *shape)
{
    cJSON_Delete(shape->rest);
    memset(shape, 0, sizeof *shape);
}

void user_file_items_free(user_file_item *items, size_t n)
{
    if (!items)
        return;
    for (size_t i = 0; i < n; i++) {
        free(items[i].code);
        cJSON_Delete(items[i].obj);
    }
    free(items);
}

/* The code an entry of a list names: activation_code, else code. */
static const char *listed_code(const cJSON *obj, char *key_used, size_t key_size)
{
    static const char *const keys[] = {"activation_code", "code"};
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) {
        const cJSON *code = cJSON_GetObjectItemCaseSensitive(obj, keys[i]);
        if (cJSON_IsString(code)) {
            snprintf(key_used, key_size, "%s", keys[i]);
            return code->valuestring;
        }
    }
    return NULL;
}

/* Adds one entry unless it is unreadable or repeats a code (then counts and explains it). */
static int add_item(user_file_item *items, size_t *n, const char *code, const cJSON *obj,
                    const char *where, size_t *skipped, char *err, size_t err_size)
{
    const char *problem = NULL;
    if (!cJSON_IsObject(obj))
        problem = "is not a JSON object";
    else if (!code || !user_file_code_ok(code))
        problem = "has no usable activation code";
    for (size_t i = 0; !problem && i < *n; i++) {
        if (strcasecmp(items[i].code, code) == 0)
            problem = "repeats an activation code met before";
    }
    if (problem) {
        if (*skipped == 0)
            errbuf_set(err, err_size, "%s %s", where, problem);
        (*skipped)++;
        return 0;
    }
    items[*n].code = strdup(code);
    items[*n].obj = cJSON_Duplicate(obj, 1);
    if (!items[*n].code || !items[*n].obj) {
        free(items[*n].code);
        cJSON_Delete(items[*n].obj);
        errbuf_set(err, err_size, "out of memory");
        return -1;
    }
    (*n)++;
    return 0;
}

/* How many members of obj are named name (JSON allows a name twice; cJSON keeps both). */
static size_t member_count(const cJSON *obj, const char *name)
{
    size_t n = 0;
    const cJSON *member;
    cJSON_ArrayForEach(member, obj)
    {
        if (member->string && strcmp(member->string, name) == 0)
            n++;
    }
    return n;
}

/* A container document: {"users": [...]} or {"codes": [...]}; NULL when root is not one. */
static const cJSON *container_of(const cJSON *root, user_file_shape *shape)
{
    static const char *const names[] = {"users", "codes"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        const cJSON *list = cJSON_GetObjectItemCaseSensitive(root, names[i]);
        if (cJSON_IsArray(list)) {
            shape->shape = USER_SHAPE_CONTAINER;
            snprintf(shape->container, sizeof shape->container, "%s", names[i]);
            return list;
        }
    }
    return NULL;
}

int user_file_parse(const char *text, size_t len, size_t max_entries, user_file_shape *shape,
                    user_file_item **items_out, size_t *n_items, size_t *skipped, char *err,
                    size_t err_size)
{
    user_file_shape_default(shape);
    *items_out = NULL;
    *n_items = 0;
    *skipped = 0;
    cJSON *root = cJSON_ParseWithLength(text, len);
    if (!root) {
        errbuf_set(err, err_size, "not valid JSON");
        return -1;
    }
    int rc = -1;
    const cJSON *list = NULL;
    if (cJSON_IsArray(root)) {
        shape->shape = USER_SHAPE_ARRAY;
        list = root;
    } else if (cJSON_IsObject(root)) {
        list = container_of(root, shape);
    } else {
        errbuf_set(err, err_size, "must be a JSON object or array");
        goto done;
    }
    const cJSON *members = list ? list : root;
    size_t total = (size_t)cJSON_GetArraySize(members);
    if (total > max_entries) {
        errbuf_set(err, err_size, "%zu entries, at most %zu are allowed", total, max_entries);
        goto done;
    }
    user_file_item *items = calloc(total ? total : 1, sizeof *items);
    if (!items) {
        errbuf_set(err, err_size, "out of memory");
        goto done;
    }
    size_t n = 0, position = 0;
    const cJSON *member;
    int failed = 0;
    cJSON_ArrayForEach(member, members)
    {
        char where[USER_CODE_MAX + 48];
        const char *code;
        position++;
        if (list) {
            char key[sizeof shape->code_key] = "";
            code = cJSON_IsObject(member) ? listed_code(member, key, sizeof key) : NULL;
            if (code && position == 1)
                snprintf(shape->code_key, sizeof shape->code_key, "%s", key);
            snprintf(where, sizeof where, "entry #%zu", position);
        } else {
            code = member->string; /* keyed: the member's name is the code */
            snprintf(where, sizeof where, "entry \"%.*s\"", USER_CODE_MAX, code ? code : "");
        }
        if (add_item(items, &n, code, member, where, skipped, err, err_size) != 0) {
            failed = 1;
            break;
        }
    }
    if (failed) {
        user_file_items_free(items, n);
        goto done;
    }
    if (shape->shape == USER_SHAPE_CONTAINER && member_count(root, shape->container) > 1) {
        /* {"codes":[...], "codes":5}: written back, the list would go after the other member
         * and be read as that one next time. Such a file is read, never written. */
        if (*skipped == 0)
            errbuf_set(err, err_size, "the document repeats its \"%s\" member", shape->container);
        (*skipped)++;
    }
    if (shape->shape == USER_SHAPE_CONTAINER) {
        /* Keep what else the document holds, to write it back. */
        shape->rest = cJSON_Duplicate(root, 1);
        if (!shape->rest) {
            user_file_items_free(items, n);
            errbuf_set(err, err_size, "out of memory");
            goto done;
        }
        cJSON_DeleteItemFromObjectCaseSensitive(shape->rest, shape->container);
    }
    *items_out = items;
    *n_items = n;
    rc = 0;
done:
    cJSON_Delete(root);
    if (rc != 0)
        user_file_shape_clear(shape);
    return rc;
}

char *user_file_render(const user_file_shape *shape, const char *const *codes,
                       const cJSON *const *objs, size_t n)
{
    cJSON *root = NULL, *list = NULL;
    switch (shape->shape) {
    case USER_SHAPE_KEYED:
        root = list = cJSON_CreateObject();
        break;
    case USER_SHAPE_ARRAY:
        root = list = cJSON_CreateArray();
        break;
    case USER_SHAPE_CONTAINER:
        root = shape->rest ? cJSON_Duplicate(shape->rest, 1) : cJSON_CreateObject();
        list = root ? cJSON_AddArrayToObject(root, shape->container) : NULL;
        break;
    }
    int ok = root && list;
    for (size_t i = 0; ok && i < n; i++) {
        cJSON *copy = cJSON_Duplicate(objs[i], 1);
        ok = copy && (shape->shape == USER_SHAPE_KEYED ? cJSON_AddItemToObject(list, codes[i], copy)
                                                       : cJSON_AddItemToArray(list, copy));
        if (!ok)
            cJSON_Delete(copy);
    }
    char *text = ok ? cJSON_Print(root) : NULL;
    cJSON_Delete(root);
    return text;
}
