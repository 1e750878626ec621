/* fuzz_translate_anthropic.c: libFuzzer target for the Anthropic -> Kiro translator and the
 * token estimate: any JSON a client can send must yield a body or an api_error, never a crash. */
#include <cjson/cJSON.h>
#include <stddef.h>
#include <stdint.h>

#include "translate/translate.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static model_catalog *catalog;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!catalog)
        catalog = model_catalog_new_default();
    cJSON *req = cJSON_ParseWithLength((const char *)data, size);
    if (!req)
        return 0;
    translate_options opts = {.catalog = catalog, .conversation_id = "c", .continuation_id = "k"};
    kiro_request kr;
    api_error err;
    if (translate_anthropic_request(req, &opts, &kr, &err) == 0)
        kiro_request_free(&kr);
    translate_estimate_input_tokens(req, &err);
    cJSON_Delete(req);
    return 0;
}
