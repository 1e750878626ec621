/* fuzz_translate_openai.c: libFuzzer target for the OpenAI -> Anthropic -> Kiro path. */
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
    api_error err;
    cJSON *anthropic = translate_openai_to_anthropic(req, &err);
    if (anthropic) {
        translate_options opts = {.catalog = catalog, .conversation_id = "c", .continuation_id = "k"};
        kiro_request kr;
        if (translate_anthropic_request(anthropic, &opts, &kr, &err) == 0)
            kiro_request_free(&kr);
        cJSON_Delete(anthropic);
    }
    cJSON_Delete(req);
    return 0;
}
