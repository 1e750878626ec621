/* auth.c: Bearer token checks for the Kiro endpoints; see auth.h. */
#include "auth.h"

#include <ctype.h>
#include <string.h>
#include <strings.h>

#include "http_reply.h"

#define TOKEN_MAX_BYTES 8192

int fk_bearer_token(const char *authorization, char *out, size_t out_size)
{
    if (!authorization || strncasecmp(authorization, "Bearer ", 7) != 0)
        return -1;
    const char *p = authorization + 7;
    while (*p == ' ')
        p++;
    size_t len = strlen(p);
    while (len > 0 && isspace((unsigned char)p[len - 1]))
        len--;
    if (len == 0 || len >= out_size)
        return -1;
    memcpy(out, p, len);
    out[len] = '\0';
    return 0;
}

int fk_auth_check(fk_app *app, struct MHD_Connection *c, fk_request *req,
                  enum MHD_Result *result)
{
    const char *header =
        MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_AUTHORIZATION);
    char token[TOKEN_MAX_BYTES];
    if (fk_bearer_token(header, token, sizeof token) != 0) {
        *result = fk_reply_aws(c, req, 403, "AccessDeniedException",
                               "Missing or malformed Authorization header: expected Bearer token.");
        return 0;
    }
    switch (fk_config_access_token_state(&app->config, token)) {
    case FK_TOKEN_REJECTED:
        *result = fk_reply_aws(c, req, 403, "UnrecognizedClientException",
                               "The security token included in the request is invalid.");
        return 0;
    case FK_TOKEN_EXPIRED:
        *result = fk_reply_aws(c, req, 401, "ExpiredTokenException",
                               "The bearer token included in the request is expired.");
        return 0;
    case FK_TOKEN_OK:
        break;
    }
    return 1;
}
