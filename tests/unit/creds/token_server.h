/* token_server.h: a tiny token service for the token_refresh tests, on libmicrohttpd, bound to
 * 127.0.0.1 on a port the kernel picks. It records every request (path and body) and answers
 * with a configured status and body, or hangs (sends headers, then no body until stopped) to
 * prove that refresh calls are bounded by their timeout. A real HTTP server, not a mock: the
 * code under test talks to it through libcurl exactly as it talks to the real service. */
#ifndef KIRO_TEST_TOKEN_SERVER_H
#define KIRO_TEST_TOKEN_SERVER_H

typedef struct token_server token_server;

token_server *token_server_start(void);
/* Releases hanging requests and stops the server. */
void token_server_stop(token_server *s);
/* "http://127.0.0.1:PORT" */
const char *token_server_url(const token_server *s);

/* Answer every following request with status and body. */
void token_server_reply(token_server *s, int status, const char *body);
/* Answer every following request with headers and then silence. */
void token_server_hang(token_server *s);

int token_server_request_count(token_server *s);
/* 1 when the path or the body of any request so far contained needle. */
int token_server_saw(token_server *s, const char *needle);
/* Copies of the last request's path and body (malloc'd; NULL before any request). */
char *token_server_last_path(token_server *s);
char *token_server_last_body(token_server *s);
/* Waits until at least n requests arrived. Returns 0, or -1 after timeout_ms. */
int token_server_wait_requests(token_server *s, int n, int timeout_ms);

#endif
