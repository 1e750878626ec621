/* identity.h: the client identity fake-kiro demands, the way the real service tells the Kiro
 * IDE from an unknown client (which it answers with 403 AccessDeniedException).
 *
 * Kiro API calls (generateAssistantResponse, ListAvailableModels, the MCP endpoint) need
 *   x-amz-user-agent: aws-sdk-js/<v> KiroIDE-<version>-<machineId>
 *   user-agent: aws-sdk-js/<v> ua/2.1 os/<os> lang/js md/nodejs#<v>
 *               api/codewhispererstreaming#<v> m/E KiroIDE-<version>-<machineId>
 * with the same KiroIDE-<version>-<machineId> in both; the social refresh (refreshToken) needs
 * user-agent: KiroIDE-<version>-<machineId>; the IdC refresh (token) needs the AWS SDK's
 * sso-oidc agent, x-amz-user-agent: aws-sdk-js/<v> ua/2.1 os/<os> lang/js md/browser#<w>
 * api/sso-oidc#<v> m/E KiroIDE, and user-agent: node.
 * <v> and <version> are digits and dots starting with a digit; <machineId> is 1..64 characters
 * of [A-Za-z0-9._-] (what a credential's machineId may be; by default the SHA-256 hex of the
 * refresh token). The versions themselves are not pinned: any release of the IDE passes.
 *
 * Only rules here, no server: the gate that applies them is identity_gate.h. */
#ifndef FAKE_KIRO_IDENTITY_H
#define FAKE_KIRO_IDENTITY_H

#include <stddef.h>

#include "router.h"

typedef enum fk_identity_kind {
    FK_IDENTITY_NONE,           /* no identity asked for (the /__fake/ endpoints) */
    FK_IDENTITY_KIRO_API,       /* generateAssistantResponse, ListAvailableModels, mcp */
    FK_IDENTITY_SOCIAL_REFRESH, /* refreshToken */
    FK_IDENTITY_IDC_REFRESH,    /* token */
} fk_identity_kind;

/* Which identity an endpoint asks for. */
fk_identity_kind fk_identity_kind_of(fk_endpoint endpoint);

/* NULL when the header values (NULL: the header is absent) are what a Kiro client sends for
 * kind; otherwise a short static text saying what is wrong. */
const char *fk_identity_problem(fk_identity_kind kind, const char *amz_user_agent,
                                const char *user_agent);

/* 1 when s is exactly KiroIDE-<version>-<machineId>. */
int fk_identity_is_kiro_client(const char *s);

#endif
