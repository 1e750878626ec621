/* fuzz_config.c: libFuzzer target for the config.json, credentials.json and user store parsers
 * (the files an operator edits by hand; a bad file must be refused, never crash the proxy).
 * The user-credential file shapes are also written back and read again: what was read whole
 * (the only files the store writes) must come back the same (same codes, same objects, same
 * shape), or the target aborts, since a round trip that changed anything would lose a kiro-go
 * user's data. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "config/config.h"
#include "creds/credentials.h"
#include "creds/user_file.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void user_file_round_trip(const char *text, size_t size)
{
    user_file_shape shape, again_shape;
    user_file_item *items = NULL, *again = NULL;
    size_t n = 0, n_again = 0, skipped = 0, skipped_again = 0;
    char err[256];
    if (user_file_parse(text, size, 10000, &shape, &items, &n, &skipped, err, sizeof err) != 0)
        return;
    if (skipped) { /* read in part: the store never writes such a file back */
        user_file_items_free(items, n);
        user_file_shape_clear(&shape);
        return;
    }
    const char **codes = calloc(n + 1, sizeof *codes);
    const cJSON **objs = calloc(n + 1, sizeof *objs);
    for (size_t i = 0; codes && objs && i < n; i++) {
        codes[i] = items[i].code;
        objs[i] = items[i].obj;
    }
    char *written = codes && objs ? user_file_render(&shape, codes, objs, n) : NULL;
    if (written) {
        if (user_file_parse(written, strlen(written), 10000, &again_shape, &again, &n_again,
                            &skipped_again, err, sizeof err) != 0 ||
            n_again != n || skipped_again != 0 || again_shape.shape != shape.shape)
            abort();
        for (size_t i = 0; i < n; i++) {
            /* Compared as printed text: cJSON_Compare looks members up by name, which a
             * repeated member name (kept as read) would fool. */
            char *a = cJSON_PrintUnformatted(items[i].obj);
            char *b = cJSON_PrintUnformatted(again[i].obj);
            int same = a && b && strcmp(a, b) == 0;
            free(a);
            free(b);
            if (strcmp(items[i].code, again[i].code) != 0 || !same)
                abort();
        }
        user_file_items_free(again, n_again);
        user_file_shape_clear(&again_shape);
        free(written);
    }
    free(codes);
    free(objs);
    user_file_items_free(items, n);
    user_file_shape_clear(&shape);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = malloc(size + 1);
    if (!text)
        return 0;
    memcpy(text, data, size);
    text[size] = '\0';
    char err[256];

    proxy_config cfg;
    config_defaults(&cfg);
    config_load_json(&cfg, text, err, sizeof err);
    config_free(&cfg);

    cred_pool *pool = cred_pool_new(NULL);
    if (pool) {
        cred_pool_load_json(pool, text, size, err, sizeof err);
        cJSON *view = cred_pool_view_json(pool);
        cJSON_Delete(view);
        cred_pool_free(pool);
    }
    user_file_round_trip(text, size);
    free(text);
    return 0;
}
