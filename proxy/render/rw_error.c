/* rw_error.c: the response writer's error record, which the core (response_writer.c), the
 * content blocks (rw_content.c) and the formats all fill. It lives apart from both halves of
 * the core so that each depends on it and neither on the other's internals: response_writer.c
 * calls into rw_content.c, never the reverse. */
#include "render/rw_internal.h"

int rw_set_error(response_writer *w, int status, const char *type, const char *message)
{
    return api_error_set(&w->error, status, type, "%s", message);
}

int rw_output_error(response_writer *w)
{
    return rw_set_error(w, 502, "api_error", "response too large or out of memory");
}
