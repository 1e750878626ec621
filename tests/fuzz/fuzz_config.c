/* fuzz_config.c: libFuzzer target for the config.json, credentials.json and user store parsers
 * (the files an operator edits by hand; a bad file must be refused, never crash the proxy). */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "config/config.h"
#include "creds/credentials.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

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
    free(text);
    return 0;
}
