/* introspect.h: the /__fake/ endpoints through which tests steer and observe fake-kiro.
 *
 *   GET  /__fake/stats         counters (see stats.h)
 *   GET  /__fake/faults        every setting under its JSON name
 *   POST /__fake/faults        merge {"name":value,...} into the settings; answers the result
 *   POST /__fake/reset         faults off, behaviour back to the command line, counters zeroed,
 *                              last requests and identities forgotten
 *   GET  /__fake/last-request  {"method","path","headers":{...},"body_bytes","body"} of the last
 *                              generateAssistantResponse (404 before the first one)
 *   GET  /__fake/last-mcp-request  the same for the last MCP (web_search) request
 *   GET  /__fake/last-identity {"<endpoint>":{"x-amz-user-agent","user-agent","accepted",
 *                              "problem"},...}: the user agents each Kiro endpoint last saw,
 *                              accepted or not (identity_gate.h); {} before any request
 * They need no Authorization: they belong to the test, not to the emulated service. */
#ifndef FAKE_KIRO_INTROSPECT_H
#define FAKE_KIRO_INTROSPECT_H

#include <microhttpd.h>

#include "app.h"
#include "request.h"

enum MHD_Result fk_handle_fake_stats(fk_app *app, struct MHD_Connection *c, fk_request *req);
enum MHD_Result fk_handle_fake_faults(fk_app *app, struct MHD_Connection *c, fk_request *req);
enum MHD_Result fk_handle_fake_reset(fk_app *app, struct MHD_Connection *c, fk_request *req);
enum MHD_Result fk_handle_fake_last_request(fk_app *app, struct MHD_Connection *c,
                                            fk_request *req);
enum MHD_Result fk_handle_fake_last_mcp_request(fk_app *app, struct MHD_Connection *c,
                                                fk_request *req);
enum MHD_Result fk_handle_fake_last_identity(fk_app *app, struct MHD_Connection *c,
                                             fk_request *req);

#endif
