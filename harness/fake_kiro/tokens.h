/* tokens.h: the two token-refresh endpoints a Kiro proxy calls.
 *
 * Social accounts refresh at POST .../refreshToken {"refreshToken"}; IAM Identity Center (IdC,
 * "builder-id") accounts at the OIDC POST .../token {"clientId","clientSecret","refreshToken",
 * "grantType":"refresh_token"}. Both hand out numbered fake tokens (fake-access-<n>) so a test
 * can tell which refresh produced the token a request used. A refresh token listed with
 * --dead-refresh-token is refused the way each service refuses it (401 / invalid_grant). */
#ifndef FAKE_KIRO_TOKENS_H
#define FAKE_KIRO_TOKENS_H

#include <microhttpd.h>

#include "app.h"
#include "request.h"

#define FK_FAKE_PROFILE_ARN "arn:aws:codewhisperer:us-east-1:000000000000:profile/FAKE"

enum MHD_Result fk_handle_refresh_token(fk_app *app, struct MHD_Connection *c, fk_request *req);
enum MHD_Result fk_handle_oidc_token(fk_app *app, struct MHD_Connection *c, fk_request *req);

#endif
