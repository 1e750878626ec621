/* kiro_identity.c: the user-agent header lines of Kiro calls; see kiro_identity.h. */
#include "util/kiro_identity.h"

#include <stdio.h>
#include <string.h>

static const char *or_default(const char *value, const char *fallback)
{
    return value && *value ? value : fallback;
}

static void clear(kiro_identity_lines *out)
{
    out->amz_user_agent[0] = '\0';
    out->user_agent[0] = '\0';
}

/* 1 when snprintf's result n says the text fitted into size bytes. */
static int fitted(int n, size_t size)
{
    return n >= 0 && (size_t)n < size;
}

int kiro_identity_api(const kiro_client_versions *v, const char *machine_id,
                      kiro_identity_lines *out)
{
    clear(out);
    if (!machine_id || !*machine_id)
        return -1;
    const char *sdk = or_default(v ? v->sdk : NULL, KIRO_IDENTITY_DEFAULT_SDK_VERSION);
    const char *kiro = or_default(v ? v->kiro : NULL, KIRO_IDENTITY_DEFAULT_KIRO_VERSION);
    const char *system = or_default(v ? v->system : NULL, "other");
    const char *node = or_default(v ? v->node : NULL, KIRO_IDENTITY_DEFAULT_NODE_VERSION);
    int a = snprintf(out->amz_user_agent, sizeof out->amz_user_agent,
                     "x-amz-user-agent: aws-sdk-js/%s KiroIDE-%s-%s", sdk, kiro, machine_id);
    int u = snprintf(out->user_agent, sizeof out->user_agent,
                     "User-Agent: aws-sdk-js/%s ua/2.1 os/%s lang/js md/nodejs#%s "
                     "api/codewhispererstreaming#%s m/E KiroIDE-%s-%s",
                     sdk, system, node, sdk, kiro, machine_id);
    if (!fitted(a, sizeof out->amz_user_agent) || !fitted(u, sizeof out->user_agent)) {
        clear(out);
        return -1;
    }
    return 0;
}

int kiro_identity_social_refresh(const kiro_client_versions *v, const char *machine_id,
                                 kiro_identity_lines *out)
{
    clear(out);
    if (!machine_id || !*machine_id)
        return -1;
    const char *kiro = or_default(v ? v->kiro : NULL, KIRO_IDENTITY_DEFAULT_KIRO_VERSION);
    int u = snprintf(out->user_agent, sizeof out->user_agent, "User-Agent: KiroIDE-%s-%s", kiro,
                     machine_id);
    if (!fitted(u, sizeof out->user_agent)) {
        clear(out);
        return -1;
    }
    return 0;
}

void kiro_identity_idc_refresh(kiro_identity_lines *out)
{
    snprintf(out->amz_user_agent, sizeof out->amz_user_agent, "x-amz-user-agent: %s",
             KIRO_IDENTITY_IDC_AMZ_USER_AGENT);
    snprintf(out->user_agent, sizeof out->user_agent, "User-Agent: %s",
             KIRO_IDENTITY_IDC_USER_AGENT);
}
