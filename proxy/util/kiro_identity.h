/* kiro_identity.h: the client identity every call to Kiro carries, built in one place.
 *
 * The Kiro service tells its own clients from others by their user agents, and answers an
 * unknown client with 403 AccessDeniedException. Three shapes exist (kiro-go at its newest,
 * /work/shared/kiro-compat.md):
 *
 *   Kiro API (generateAssistantResponse, ListAvailableModels, the MCP endpoint):
 *     x-amz-user-agent: aws-sdk-js/{sdk} KiroIDE-{kiro}-{machineId}
 *     User-Agent: aws-sdk-js/{sdk} ua/2.1 os/{system} lang/js md/nodejs#{node}
 *                 api/codewhispererstreaming#{sdk} m/E KiroIDE-{kiro}-{machineId}
 *   social token refresh (.../refreshToken):
 *     User-Agent: KiroIDE-{kiro}-{machineId}
 *   IdC token refresh (oidc.../token): the AWS SDK's sso-oidc client, fixed strings:
 *     x-amz-user-agent: aws-sdk-js/3.738.0 ua/2.1 os/other lang/js md/browser#unknown_unknown
 *                       api/sso-oidc#3.738.0 m/E KiroIDE
 *     User-Agent: node
 *
 * The versions come from the settings (config.h: sdkVersion, kiroVersion, systemVersion,
 * nodeVersion) and the machine id from the credential (its machineId, else the SHA-256 hex of
 * its refresh token). The builders only format: they take borrowed strings and fill
 * caller-owned buffers, with no allocation and no global state. */
#ifndef KIRO_UTIL_KIRO_IDENTITY_H
#define KIRO_UTIL_KIRO_IDENTITY_H

#include <stddef.h>

/* Defaults of the settings: what current Kiro IDE releases report. */
#define KIRO_IDENTITY_DEFAULT_SDK_VERSION "1.0.27"
#define KIRO_IDENTITY_DEFAULT_KIRO_VERSION "1.6.0"
#define KIRO_IDENTITY_DEFAULT_NODE_VERSION "22.21.1"

/* The IdC refresh's fixed x-amz-user-agent value (the sso-oidc client of the AWS SDK). */
#define KIRO_IDENTITY_IDC_AMZ_USER_AGENT                                                           \
    "aws-sdk-js/3.738.0 ua/2.1 os/other lang/js md/browser#unknown_unknown api/sso-oidc#3.738.0 "  \
    "m/E KiroIDE"
#define KIRO_IDENTITY_IDC_USER_AGENT "node"

/* Room for one header line: the longest versions the settings accept (31 + 63 + 31 + 31
 * characters) and a 64-character machine id come to under 400 bytes. */
#define KIRO_IDENTITY_LINE_SIZE 512

/* The versions a Kiro client reports. Borrowed strings; NULL or "" means the default above
 * (system has none: NULL or "" gives "other"). */
typedef struct kiro_client_versions {
    const char *sdk;    /* aws-sdk-js version of the streaming client, e.g. 1.0.27 */
    const char *kiro;   /* the Kiro IDE version, e.g. 1.6.0 */
    const char *system; /* os/{system}, e.g. linux#6.1.0 or darwin#24.6.0 */
    const char *node;   /* md/nodejs#{node}, e.g. 22.21.1 */
} kiro_client_versions;

/* Complete header lines ("Name: value"); an empty line means the header is not sent. */
typedef struct kiro_identity_lines {
    char amz_user_agent[KIRO_IDENTITY_LINE_SIZE]; /* "x-amz-user-agent: ..." or "" */
    char user_agent[KIRO_IDENTITY_LINE_SIZE];     /* "User-Agent: ..." */
} kiro_identity_lines;

/* The identity of a Kiro API call made with the credential whose machine id is machine_id.
 * Returns 0, or -1 with both lines empty when machine_id is NULL or empty or a line would not
 * fit (a version longer than the settings allow). */
int kiro_identity_api(const kiro_client_versions *v, const char *machine_id,
                      kiro_identity_lines *out);

/* The identity of a social token refresh (only User-Agent). Returns 0, or -1 as above. */
int kiro_identity_social_refresh(const kiro_client_versions *v, const char *machine_id,
                                 kiro_identity_lines *out);

/* The identity of an IdC token refresh (fixed strings; no machine id). */
void kiro_identity_idc_refresh(kiro_identity_lines *out);

#endif
