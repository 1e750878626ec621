/* sec_util.h: helpers for the security tests: unguessable test secrets, searching text for a
 * secret or any 16-character piece of one, collecting the tokens a JSON document holds, whole-file
 * reads, and starting a proxy with exactly the flags and environment a test needs (the cases the
 * shared stack cannot express: no --listen, repeated kills). */
#ifndef KIRO_SEC_UTIL_H
#define KIRO_SEC_UTIL_H

#include <stddef.h>
#include <sys/types.h>

/* Length of the pieces of a secret that must not appear either. */
#define SEC_PIECE_LEN 16

typedef struct sec_list {
    char **items;
    size_t count;
} sec_list;

void sec_list_add(sec_list *l, const char *secret);
void sec_list_free(sec_list *l);
/* Adds every string value of the keys accessToken, refreshToken and clientSecret (and their
 * snake_case spellings) found anywhere in the JSON text. Returns how many, -1 when not JSON. */
int sec_list_add_tokens_from_json(sec_list *l, const char *json_text);

/* Looks for each secret of l in text: the whole secret, or any SEC_PIECE_LEN-byte piece of it.
 * Returns the index of the first secret found (what was found is copied to found), or -1. */
long sec_list_find(const sec_list *l, const char *text, size_t len, char *found,
                   size_t found_size);

/* prefix followed by random [a-z0-9] characters, size - 1 characters in all. */
void sec_random_secret(char *out, size_t size, const char *prefix);

/* The whole file, NUL-terminated (malloc'd), or NULL. */
char *sec_read_file(const char *path, size_t *len);

/* Spawns <bin dir>/<proxy> with args (NULL-terminated, without argv[0]) in its own process
 * group, stdout and stderr appended to log_path. Returns the pid or -1. */
pid_t sec_spawn_proxy(const char *proxy, const char *const *args, const char *log_path);
/* Polls http://127.0.0.1:port/health until it answers 200 or pid exits. Returns 0 or -1. */
int sec_wait_health(pid_t pid, int port, int timeout_ms);
/* SIGTERM, a bounded wait, then SIGKILL; always reaps. Returns the wait status. */
int sec_stop(pid_t pid, int grace_ms);

#endif
