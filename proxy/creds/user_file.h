/* user_file.h: the shapes a user-credentials file comes in, read and written back as they were
 * (internal to proxy/creds; the store is user_store.h).
 *
 * Why: kiro-go users bring their files. Older kiro-go writes user_credentials.json as an object
 * keyed by activation code ({"CODE": {activation_code, user_name, credentials, ...}}); newer
 * kiro-go adds codes.json beside it; earlier versions of this proxy wrote {"users": [...]} or a
 * bare array. A file is read whatever its shape, every member of every entry is kept (known or
 * not), and it is written back in the shape it was read in, so that switching to this proxy
 * and back loses nothing. */
#ifndef KIRO_USER_FILE_H
#define KIRO_USER_FILE_H

#include <cjson/cJSON.h>
#include <stddef.h>

typedef enum {
    USER_SHAPE_KEYED,     /* {"CODE": {...}, ...}: kiro-go's user_credentials.json */
    USER_SHAPE_CONTAINER, /* {"users": [...]} or {"codes": [...]}, other members kept */
    USER_SHAPE_ARRAY,     /* [{...}, ...] */
} user_shape;

typedef struct user_file_shape {
    user_shape shape;
    char container[16]; /* "users" or "codes" for USER_SHAPE_CONTAINER */
    cJSON *rest;        /* the container document's other top-level members (owned; or NULL) */
    char code_key[16];  /* the member naming an entry's code: "activation_code" or "code" */
} user_file_shape;

/* One entry as read: its code and the whole object (owned). */
typedef struct user_file_item {
    char *code;
    cJSON *obj;
} user_file_item;

/* The longest activation code a file or a request may carry. */
#define USER_CODE_MAX 128

/* 1 when code is usable as an activation code read from a file: 1..USER_CODE_MAX bytes, no
 * control characters and no '/' (it is a path segment of the admin API). */
int user_file_code_ok(const char *code);

/* The shape a new file gets: kiro-go's keyed object, so kiro-go can read it too. */
void user_file_shape_default(user_file_shape *shape);

/* Parses a document. Returns 0 with its shape and items (malloc'd). An entry that cannot be
 * read (not an object, no usable code, a code met before in any case) is left out: *skipped
 * counts them and err gets the first reason; the caller must then never write this file,
 * which would lose them. Returns -1 with err when the document itself is unreadable (not
 * JSON, not an object or array, more than max_entries). */
int user_file_parse(const char *text, size_t len, size_t max_entries, user_file_shape *shape,
                    user_file_item **items, size_t *n_items, size_t *skipped, char *err,
                    size_t err_size);

/* The document for entries objs[0..n) (codes[i] the key of each in a keyed file), in `shape`.
 * Returns malloc'd text (without the file's final newline: the NUL may be replaced by it), or
 * NULL when memory runs out. */
char *user_file_render(const user_file_shape *shape, const char *const *codes,
                       const cJSON *const *objs, size_t n);

void user_file_shape_clear(user_file_shape *shape);
void user_file_items_free(user_file_item *items, size_t n);

#endif
