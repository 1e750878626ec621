/* identity.c: the user-agent rules of the Kiro endpoints; see identity.h. */
#include "identity.h"

#include <ctype.h>
#include <string.h>

#define KIRO_CLIENT_PREFIX "KiroIDE-"
#define MACHINE_ID_MAX 64

/* The shapes, as literal text with placeholders: {v} a version (a digit, then digits and
 * dots), {w} a word (one or more characters other than a space), {k} the Kiro client
 * (KiroIDE-<version>-<machineId>, always last). */
#define API_AMZ_SHAPE "aws-sdk-js/{v} {k}"
#define API_AGENT_SHAPE                                                                            \
    "aws-sdk-js/{v} ua/2.1 os/{w} lang/js md/nodejs#{v} api/codewhispererstreaming#{v} m/E {k}"
#define SOCIAL_AGENT_SHAPE "{k}"
#define IDC_AMZ_SHAPE                                                                              \
    "aws-sdk-js/{v} ua/2.1 os/{w} lang/js md/browser#{w} api/sso-oidc#{v} m/E KiroIDE"
#define IDC_AGENT "node"

fk_identity_kind fk_identity_kind_of(fk_endpoint endpoint)
{
    switch (endpoint) {
    case FK_EP_ASSISTANT:
    case FK_EP_MODELS:
    case FK_EP_MCP:
        return FK_IDENTITY_KIRO_API;
    case FK_EP_REFRESH:
        return FK_IDENTITY_SOCIAL_REFRESH;
    case FK_EP_TOKEN:
        return FK_IDENTITY_IDC_REFRESH;
    default:
        return FK_IDENTITY_NONE;
    }
}

/* Skips a version at s: a digit, then digits and dots. NULL when there is none. */
static const char *skip_version(const char *s)
{
    if (!isdigit((unsigned char)*s))
        return NULL;
    while (isdigit((unsigned char)*s) || *s == '.')
        s++;
    return s;
}

static int machine_id_char(char ch)
{
    return isalnum((unsigned char)ch) || ch == '.' || ch == '_' || ch == '-';
}

int fk_identity_is_kiro_client(const char *s)
{
    if (!s || strncmp(s, KIRO_CLIENT_PREFIX, strlen(KIRO_CLIENT_PREFIX)) != 0)
        return 0;
    const char *p = skip_version(s + strlen(KIRO_CLIENT_PREFIX));
    if (!p || *p != '-')
        return 0;
    size_t n = 0;
    for (p++; machine_id_char(p[n]); n++)
        ;
    return n >= 1 && n <= MACHINE_ID_MAX && p[n] == '\0';
}

/* 1 when s has the shape; *client (may be NULL) then points at the {k} part of s. */
static int match_shape(const char *s, const char *shape, const char **client)
{
    const char *p = s;
    const char *q = shape;
    while (*q) {
        if (strncmp(q, "{v}", 3) == 0) {
            if (!(p = skip_version(p)))
                return 0;
            q += 3;
        } else if (strncmp(q, "{w}", 3) == 0) {
            if (!*p || *p == ' ')
                return 0;
            while (*p && *p != ' ')
                p++;
            q += 3;
        } else if (strncmp(q, "{k}", 3) == 0) {
            if (!fk_identity_is_kiro_client(p))
                return 0;
            if (client)
                *client = p;
            return 1;
        } else if (*p++ != *q++) {
            return 0;
        }
    }
    return *p == '\0';
}

static const char *api_problem(const char *amz, const char *agent)
{
    const char *amz_client = NULL, *agent_client = NULL;
    if (!amz)
        return "no x-amz-user-agent header";
    if (!match_shape(amz, API_AMZ_SHAPE, &amz_client))
        return "x-amz-user-agent is not aws-sdk-js/<v> KiroIDE-<version>-<machineId>";
    if (!agent)
        return "no user-agent header";
    if (!match_shape(agent, API_AGENT_SHAPE, &agent_client))
        return "user-agent is not the Kiro IDE's (aws-sdk-js/<v> ua/2.1 os/... m/E "
               "KiroIDE-<version>-<machineId>)";
    if (strcmp(amz_client, agent_client) != 0)
        return "x-amz-user-agent and user-agent name different Kiro clients";
    return NULL;
}

const char *fk_identity_problem(fk_identity_kind kind, const char *amz_user_agent,
                                const char *user_agent)
{
    switch (kind) {
    case FK_IDENTITY_NONE:
        return NULL;
    case FK_IDENTITY_KIRO_API:
        return api_problem(amz_user_agent, user_agent);
    case FK_IDENTITY_SOCIAL_REFRESH:
        if (!user_agent)
            return "no user-agent header";
        return match_shape(user_agent, SOCIAL_AGENT_SHAPE, NULL)
                   ? NULL
                   : "user-agent is not KiroIDE-<version>-<machineId>";
    case FK_IDENTITY_IDC_REFRESH:
        if (!amz_user_agent)
            return "no x-amz-user-agent header";
        if (!match_shape(amz_user_agent, IDC_AMZ_SHAPE, NULL))
            return "x-amz-user-agent is not the AWS SDK's sso-oidc client for KiroIDE";
        if (!user_agent)
            return "no user-agent header";
        return strcmp(user_agent, IDC_AGENT) == 0 ? NULL : "user-agent is not node";
    }
    return NULL;
}
