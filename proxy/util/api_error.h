/* api_error.h: an error meant for a client: HTTP status, API error type and message.
 *
 * Modules that can reject a request (translation, auth, limits) fill one of these; the HTTP
 * layer renders it in the shape of the API the client called (Anthropic or OpenAI). */
#ifndef KIRO_UTIL_API_ERROR_H
#define KIRO_UTIL_API_ERROR_H

#include <stddef.h>

typedef struct api_error {
    int status;       /* HTTP status, e.g. 400 */
    char type[40];    /* invalid_request_error, authentication_error, not_found_error, ... */
    char message[512];
} api_error;

/* Fills e and returns -1, so that callers can write `return api_error_set(e, ...)`. */
int api_error_set(api_error *e, int status, const char *type, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* Anthropic shape: {"type":"error","error":{"type":...,"message":...}}. Caller frees. */
char *api_error_anthropic_json(const api_error *e);
/* OpenAI shape: {"error":{"message":...,"type":...,"code":...}}. Caller frees. */
char *api_error_openai_json(const api_error *e);
/* The Anthropic error type conventionally used for an HTTP status. */
const char *api_error_type_for_status(int status);

#endif
