/* user_store.c: kiro-go's user-credential store over its two files; see user_store.h.
 *
 * Memory holds, per entry, its code, the whole object as the file has it (known members and
 * unknown ones) and which file it belongs to; what the API shows (user name, expiry, whether
 * the credentials are usable) is read from that object when asked. A change is a plan: a new
 * entry array sharing the unchanged entries, the text of each file it touches, the writes,
 * then the swap. Changes and loads are serialised by the file claim; the mutex guards only the
 * swap and the readers. */
#include "creds/user_store.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "creds/credentials.h"
#include "creds/file_claim.h"
#include "creds/user_file.h"
#include "log/log.h"
#include "util/atomic_file.h"
#include "util/clock.h"
#include "util/errbuf.h"

#define USER_STORE_FILE_MAX_BYTES (16u << 20)
#define USER_STORE_MAX_ENTRIES 10000
#define USER_NAME_MAX_CHARS 256
#define USER_NAME_MAX_BYTES 1024
#define CREDENTIALS_JSON_MAX (64 * 1024)
#define DATE_SIZE 11 /* YYYY-MM-DD */

enum { FILE_MAIN = 0, FILE_CODES = 1, FILE_COUNT = 2 };

typedef struct store_file {
    char *path;            /* NULL: not used (memory only, or no codes file configured) */
    user_file_shape shape; /* how it is written back */
    int present;           /* it existed at the last load */
    char read_only[320];   /* why it must not be written ("" = it may be) */
} store_file;

typedef struct user_entry {
    char *code;    /* as stored */
    cJSON *obj;    /* the entry as the file has it */
    int file;      /* FILE_MAIN or FILE_CODES */
    int usable;    /* its credentials pass every rule (assessed once, when it enters memory) */
    char why[192]; /* why not, when they do not */
} user_entry;

struct user_store {
    pthread_mutex_t mu; /* guards entries/count and the files' state for readers */
    file_claim claim;   /* one change or load at a time; never the mutex across the disk */
    int memory_only;
    store_file files[FILE_COUNT];
    user_entry *entries;
    size_t count;
};

static void entry_clear(user_entry *e)
{
    free(e->code);
    cJSON_Delete(e->obj);
    memset(e, 0, sizeof *e);
}

static void entries_free(user_entry *entries, size_t n)
{
    if (!entries)
        return;
    for (size_t i = 0; i < n; i++)
        entry_clear(&entries[i]);
    free(entries);
}

/* ---- what an entry says ---- */

static const char *entry_string(const user_entry *e, const char *name)
{
    const cJSON *item = cJSON_GetObjectItemCaseSensitive(e->obj, name);
    return cJSON_IsString(item) ? item->valuestring : NULL;
}

static const cJSON *entry_credentials(const user_entry *e)
{
    const cJSON *c = cJSON_GetObjectItemCaseSensitive(e->obj, "credentials");
    return cJSON_IsObject(c) ? c : NULL;
}

/* Judges the entry's credentials once, when it enters memory (entries never change there:
 * a change makes a new entry), so that a request presenting its code does not parse them. */
static void assess(user_entry *e)
{
    const cJSON *c = entry_credentials(e);
    if (!c) {
        e->usable = 0;
        errbuf_set(e->why, sizeof e->why, "no credentials");
        return;
    }
    e->usable = cred_validate_json(c, e->why, sizeof e->why) == 0;
    if (e->usable)
        e->why[0] = '\0';
}

/* 1 when the entry's credentials can be used; otherwise why not in why. */
static int credentials_usable(const user_entry *e, char *why, size_t why_size)
{
    if (!e->usable)
        errbuf_set(why, why_size, "%s", e->why);
    return e->usable;
}

static void today_plus(int days, char *out, size_t size)
{
    time_t t = time(NULL) + (time_t)days * 86400;
    struct tm tm;
    localtime_r(&t, &tm);
    strftime(out, size, "%Y-%m-%d", &tm);
}

static const char *expires_date(const user_entry *e)
{
    const char *d = entry_string(e, "expires_date");
    return d ? d : "";
}

/* kiro-go's rule: a code expires at the end of its expiry date (local time). */
static int entry_expired(const user_entry *e)
{
    const char *d = expires_date(e);
    if (!*d)
        return 0;
    char today[DATE_SIZE];
    today_plus(0, today, sizeof today);
    return strcmp(today, d) > 0;
}

static int add_member_copy(cJSON *to, const char *name, const cJSON *from)
{
    const cJSON *item = cJSON_GetObjectItemCaseSensitive(from, name);
    cJSON *copy = item ? cJSON_Duplicate(item, 1) : cJSON_CreateNull();
    if (!copy || !cJSON_AddItemToObject(to, name, copy)) {
        cJSON_Delete(copy);
        return -1;
    }
    return 0;
}

static int add_token_expiry(cJSON *o, const user_entry *e)
{
    time_t t = 0;
    const cJSON *c = entry_credentials(e);
    if (c)
        (void)cred_parse_expires_at(cJSON_GetObjectItemCaseSensitive(c, "expiresAt"), &t);
    if (t <= 0)
        return cJSON_AddNullToObject(o, "expires_at") ? 0 : -1;
    char text[32];
    clock_format_rfc3339(t, text, sizeof text);
    return cJSON_AddStringToObject(o, "expires_at", text) ? 0 : -1;
}

/* The view of an entry (never its credentials). `full`: the list form's extra fields. */
static cJSON *entry_view(const user_entry *e, int full)
{
    cJSON *o = cJSON_CreateObject();
    if (!o)
        return NULL;
    char why[192] = "";
    int usable = credentials_usable(e, why, sizeof why);
    const char *name = entry_string(e, "user_name");
    int ok = cJSON_AddStringToObject(o, "activation_code", e->code) &&
             cJSON_AddStringToObject(o, "user_name", name ? name : "") &&
             cJSON_AddBoolToObject(o, "has_credentials", entry_credentials(e) != NULL) &&
             add_token_expiry(o, e) == 0 &&
             cJSON_AddStringToObject(o, "expires_date", expires_date(e)) &&
             cJSON_AddBoolToObject(o, "expired", entry_expired(e)) &&
             add_member_copy(o, "created_at", e->obj) == 0 &&
             add_member_copy(o, "updated_at", e->obj) == 0;
    if (ok && full)
        ok = cJSON_AddBoolToObject(o, "usable", usable && !entry_expired(e)) &&
             (usable || !entry_credentials(e)
                  ? cJSON_AddNullToObject(o, "credentials_error") != NULL
                  : cJSON_AddStringToObject(o, "credentials_error", why) != NULL);
    if (!ok) {
        cJSON_Delete(o);
        return NULL;
    }
    return o;
}

static ssize_t find_index(const user_entry *entries, size_t n, const char *code)
{
    for (size_t i = 0; i < n; i++) {
        if (strcasecmp(entries[i].code, code) == 0)
            return (ssize_t)i;
    }
    return -1;
}

/* ---- input validation (admin requests) ---- */

/* New codes from a request: what kiro-go's launcher sends (letters, digits, '_', '-'). */
static int valid_new_code(const char *s)
{
    size_t n = strlen(s);
    if (n == 0 || n > USER_CODE_MAX)
        return 0;
    for (; *s; s++) {
        char ch = *s;
        if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
              ch == '_' || ch == '-'))
            return 0;
    }
    return 1;
}

/* At most USER_NAME_MAX_CHARS characters (UTF-8 code points), no control characters. */
static int valid_user_name(const char *s)
{
    if (strlen(s) > USER_NAME_MAX_BYTES)
        return 0;
    size_t chars = 0;
    for (; *s; s++) {
        unsigned char ch = (unsigned char)*s;
        if (ch < 0x20 || ch == 0x7f)
            return 0;
        if ((ch & 0xc0) != 0x80)
            chars++;
    }
    return chars <= USER_NAME_MAX_CHARS;
}

/* Checks an add request; on success *code, *name (NULL: not given), *creds (NULL: not given)
 * point into body. */
static int check_put_body(const cJSON *body, const char **code, const char **name,
                          const cJSON **creds, char *err, size_t err_size)
{
    if (!cJSON_IsObject(body)) {
        errbuf_set(err, err_size, "the body must be a JSON object");
        return -1;
    }
    const cJSON *c = cJSON_GetObjectItemCaseSensitive(body, "activation_code");
    if (!cJSON_IsString(c) || !valid_new_code(c->valuestring)) {
        errbuf_set(err, err_size,
                   "activation_code must be 1..%d characters of A-Z, a-z, 0-9, '_' and '-'",
                   USER_CODE_MAX);
        return -1;
    }
    *code = c->valuestring;
    const cJSON *n = cJSON_GetObjectItemCaseSensitive(body, "user_name");
    *name = NULL;
    if (n && !cJSON_IsNull(n)) {
        if (!cJSON_IsString(n) || !valid_user_name(n->valuestring)) {
            errbuf_set(err, err_size,
                       "user_name must be a string of at most %d characters without control "
                       "characters",
                       USER_NAME_MAX_CHARS);
            return -1;
        }
        *name = n->valuestring;
    }
    const cJSON *k = cJSON_GetObjectItemCaseSensitive(body, "credentials");
    *creds = NULL;
    if (k && !cJSON_IsNull(k)) {
        if (!cJSON_IsObject(k)) {
            errbuf_set(err, err_size, "credentials must be an object");
            return -1;
        }
        char detail[192];
        if (cred_validate_json(k, detail, sizeof detail) != 0) {
            errbuf_set(err, err_size, "%s", detail);
            return -1;
        }
        char *text = cJSON_PrintUnformatted(k);
        size_t len = text ? strlen(text) : 0;
        if (text)
            memset(text, 0, len);
        free(text);
        if (!text || len > CREDENTIALS_JSON_MAX) {
            errbuf_set(err, err_size, "credentials larger than %d bytes", CREDENTIALS_JSON_MAX);
            return -1;
        }
        *creds = k;
    }
    return 0;
}

/* ---- changes: plan, write, swap ---- */

typedef struct plan {
    user_entry *next;     /* the entries after the change; unchanged ones shared with memory */
    unsigned char *fresh; /* next[i] is new (owned by the plan until the swap) */
    unsigned char *gone;  /* next[i] is removed */
    size_t n_next;
    size_t *dropped; /* indices of memory's entries the change replaces or removes */
    size_t n_dropped;
    int touched[FILE_COUNT];
} plan;

static void plan_free(plan *p, int keep_fresh)
{
    for (size_t i = 0; p->fresh && i < p->n_next; i++) {
        if (p->fresh[i] && !keep_fresh)
            entry_clear(&p->next[i]);
    }
    free(p->next);
    free(p->fresh);
    free(p->gone);
    free(p->dropped);
    memset(p, 0, sizeof *p);
}

/* A plan starting from memory, with room for `extra` new entries. Claim held. */
static int plan_begin(user_store *s, plan *p, size_t extra)
{
    memset(p, 0, sizeof *p);
    size_t room = s->count + extra + 1;
    p->next = calloc(room, sizeof *p->next);
    p->fresh = calloc(room, 1);
    p->gone = calloc(room, 1);
    p->dropped = calloc(room, sizeof *p->dropped);
    if (!p->next || !p->fresh || !p->gone || !p->dropped) {
        plan_free(p, 0);
        return -1;
    }
    if (s->count)
        memcpy(p->next, s->entries, s->count * sizeof *s->entries);
    p->n_next = s->count;
    return 0;
}

/* Replaces entry i (a memory index) with e, or appends e when i < 0. Takes e. */
static void plan_put(plan *p, ssize_t i, user_entry *e)
{
    size_t at = i >= 0 ? (size_t)i : p->n_next++;
    if (i >= 0)
        p->dropped[p->n_dropped++] = (size_t)i;
    p->next[at] = *e;
    p->fresh[at] = 1;
    p->touched[e->file] = 1;
    memset(e, 0, sizeof *e);
}

static void plan_remove(plan *p, size_t i)
{
    p->dropped[p->n_dropped++] = i;
    p->gone[i] = 1;
    p->touched[p->next[i].file] = 1;
}

/* Refuses a change to a file that must not be written. */
static int file_writable(const store_file *f, char *err, size_t err_size)
{
    if (!f->read_only[0])
        return 1;
    errbuf_set(err, err_size,
               "user store: %s is not written: %s; it stays as it is until it can be read whole "
               "(fix it, then POST /api/admin/reload-credentials)",
               f->path, f->read_only);
    return 0;
}

/* Writes file `which` as the plan has it. */
static int write_file(const user_store *s, const plan *p, int which, char *err, size_t err_size)
{
    const store_file *f = &s->files[which];
    const char **codes = calloc(p->n_next + 1, sizeof *codes);
    const cJSON **objs = calloc(p->n_next + 1, sizeof *objs);
    size_t n = 0;
    for (size_t i = 0; codes && objs && i < p->n_next; i++) {
        if (p->gone[i] || p->next[i].file != which)
            continue;
        codes[n] = p->next[i].code;
        objs[n++] = p->next[i].obj;
    }
    char *text = codes && objs ? user_file_render(&f->shape, codes, objs, n) : NULL;
    free(codes);
    free(objs);
    if (!text) {
        errbuf_set(err, err_size, "user store: saving %s failed: out of memory", f->path);
        return -1;
    }
    size_t len = strlen(text);
    int rc = -1;
    if (len + 1 > USER_STORE_FILE_MAX_BYTES) {
        /* A file the next load would refuse must not be written. */
        errbuf_set(err, err_size, "user store: %s would exceed %u bytes", f->path,
                   USER_STORE_FILE_MAX_BYTES);
    } else {
        text[len] = '\n'; /* the NUL becomes the file's final newline */
        rc = atomic_file_write(f->path, text, len + 1);
        if (rc != 0) {
            int saved = errno;
            errbuf_set(err, err_size, "user store: saving %s failed: %s", f->path, strerror(saved));
            LOG_ERROR("user store: saving %s failed: %s", f->path, strerror(saved));
        }
    }
    memset(text, 0, len + 1); /* it holds tokens */
    free(text);
    return rc;
}

/* Writes every file the plan touches, then swaps memory. On failure nothing changed in
 * memory (a file written before the failing one keeps its new content: a change touches two
 * files only in set-expiry over both). Claim held; consumes the plan. */
static int plan_apply(user_store *s, plan *p, char *err, size_t err_size)
{
    for (int f = 0; f < FILE_COUNT; f++) {
        if (p->touched[f] && !s->memory_only &&
            (!file_writable(&s->files[f], err, err_size) ||
             write_file(s, p, f, err, err_size) != 0)) {
            plan_free(p, 0);
            return -1;
        }
    }
    size_t n = 0;
    for (size_t i = 0; i < p->n_next; i++) {
        if (p->fresh[i] && !p->gone[i])
            assess(&p->next[i]);
        if (!p->gone[i])
            p->next[n++] = p->next[i];
    }
    user_entry *old = s->entries;
    pthread_mutex_lock(&s->mu);
    s->entries = p->next;
    s->count = n;
    for (int f = 0; f < FILE_COUNT; f++)
        if (p->touched[f])
            s->files[f].present = 1;
    pthread_mutex_unlock(&s->mu);
    for (size_t i = 0; i < p->n_dropped; i++)
        entry_clear(&old[p->dropped[i]]);
    free(old);
    p->next = NULL;
    plan_free(p, 1);
    return 0;
}

/* ---- lifecycle ---- */

void user_store_codes_path(const char *path, char *out, size_t out_size)
{
    const char *slash = strrchr(path, '/');
    if (!slash)
        snprintf(out, out_size, "codes.json");
    else
        snprintf(out, out_size, "%.*s/codes.json", (int)(slash - path), path);
}

user_store *user_store_new(const char *path, const char *codes_path)
{
    user_store *s = calloc(1, sizeof *s);
    if (!s)
        return NULL;
    s->memory_only = path == NULL;
    if ((path && !(s->files[FILE_MAIN].path = strdup(path))) ||
        (path && codes_path && !(s->files[FILE_CODES].path = strdup(codes_path)))) {
        free(s->files[FILE_MAIN].path);
        free(s);
        return NULL;
    }
    for (int f = 0; f < FILE_COUNT; f++)
        user_file_shape_default(&s->files[f].shape);
    pthread_mutex_init(&s->mu, NULL);
    file_claim_init(&s->claim, &s->mu);
    return s;
}

void user_store_free(user_store *s)
{
    if (!s)
        return;
    entries_free(s->entries, s->count);
    for (int f = 0; f < FILE_COUNT; f++) {
        free(s->files[f].path);
        user_file_shape_clear(&s->files[f].shape);
    }
    file_claim_destroy(&s->claim);
    pthread_mutex_destroy(&s->mu);
    free(s);
}

/* What one file gave at a load. */
typedef struct file_read {
    int read; /* the text was parsed (fully or in part) */
    int present;
    user_file_shape shape;
    user_file_item *items;
    size_t n_items;
    char problem[320]; /* "" when read whole */
} file_read;

static void read_one(const char *path, file_read *r)
{
    memset(r, 0, sizeof *r);
    user_file_shape_default(&r->shape);
    if (!path) {
        r->read = 1;
        return;
    }
    size_t len = 0;
    int absent = 0;
    char detail[256] = "";
    char *text =
        file_read_store(path, USER_STORE_FILE_MAX_BYTES, &len, &absent, detail, sizeof detail);
    if (!text) {
        r->read = absent;
        if (!absent)
            errbuf_set(r->problem, sizeof r->problem, "%s", detail);
        return;
    }
    r->present = 1;
    size_t skipped = 0;
    if (user_file_parse(text, len, USER_STORE_MAX_ENTRIES, &r->shape, &r->items, &r->n_items,
                        &skipped, detail, sizeof detail) != 0) {
        errbuf_set(r->problem, sizeof r->problem, "it could not be read (%s)", detail);
    } else {
        r->read = 1;
        if (skipped)
            errbuf_set(r->problem, sizeof r->problem,
                       "%zu of its entries could not be read (the first: %s)", skipped, detail);
    }
    memset(text, 0, len);
    free(text);
}

int user_store_load(user_store *s, char *err, size_t err_size)
{
    if (!s || s->memory_only) {
        errbuf_set(err, err_size, "user store: no file configured");
        return -1;
    }
    file_claim_take(&s->claim);
    file_read got[FILE_COUNT];
    size_t total = 0;
    for (int f = 0; f < FILE_COUNT; f++) {
        read_one(s->files[f].path, &got[f]);
        total += got[f].n_items;
    }
    /* The new entry array: what each readable file gave; a file not read at all keeps its
     * previous entries. A code met in user_credentials.json wins over the same in codes.json. */
    for (size_t i = 0; i < s->count; i++)
        if (!got[s->entries[i].file].read)
            total++;
    user_entry *next = calloc(total + 1, sizeof *next);
    size_t n = 0;
    int failed = next == NULL;
    for (size_t i = 0; !failed && i < s->count; i++) {
        if (got[s->entries[i].file].read)
            continue;
        next[n].code = strdup(s->entries[i].code);
        next[n].obj = cJSON_Duplicate(s->entries[i].obj, 1);
        next[n].file = s->entries[i].file;
        failed = !next[n].code || !next[n].obj;
        n++;
    }
    for (int f = 0; !failed && f < FILE_COUNT; f++) {
        for (size_t i = 0; i < got[f].n_items; i++) {
            if (find_index(next, n, got[f].items[i].code) >= 0) {
                LOG_WARN("user store: activation code %.*s is in both files; %s is used",
                         USER_CODE_MAX, got[f].items[i].code, s->files[FILE_MAIN].path);
                continue;
            }
            next[n].code = got[f].items[i].code;
            next[n].obj = got[f].items[i].obj;
            next[n].file = f;
            got[f].items[i].code = NULL;
            got[f].items[i].obj = NULL;
            n++;
        }
    }
    int rc;
    if (failed) {
        entries_free(next, n);
        errbuf_set(err, err_size, "user store: out of memory");
        rc = -1;
    } else {
        err[0] = '\0';
        rc = (int)n;
        for (size_t i = 0; i < n; i++)
            assess(&next[i]);
        user_entry *old = s->entries;
        size_t old_count = s->count;
        pthread_mutex_lock(&s->mu);
        s->entries = next;
        s->count = n;
        for (int f = 0; f < FILE_COUNT; f++) {
            store_file *file = &s->files[f];
            snprintf(file->read_only, sizeof file->read_only, "%s", got[f].problem);
            if (got[f].read) {
                user_file_shape_clear(&file->shape);
                file->shape = got[f].shape;
                memset(&got[f].shape, 0, sizeof got[f].shape);
                file->present = got[f].present;
            }
            if (got[f].problem[0]) {
                size_t used = strlen(err);
                snprintf(err + used, err_size - used, "%s%s: %s", used ? "; " : "", file->path,
                         got[f].problem);
                rc = -1;
            }
        }
        pthread_mutex_unlock(&s->mu);
        entries_free(old, old_count);
        if (rc < 0)
            LOG_WARN("user store: %s; such a file is not written until it can be read whole", err);
    }
    for (int f = 0; f < FILE_COUNT; f++) {
        user_file_items_free(got[f].items, got[f].n_items);
        user_file_shape_clear(&got[f].shape);
    }
    file_claim_release(&s->claim);
    return rc;
}

/* ---- reading ---- */

cJSON *user_store_list_json(user_store *s)
{
    cJSON *array = cJSON_CreateArray();
    if (!array || !s)
        return array;
    pthread_mutex_lock(&s->mu);
    for (size_t i = 0; i < s->count; i++) {
        cJSON *o = entry_view(&s->entries[i], 1);
        if (!o || !cJSON_AddItemToArray(array, o)) {
            cJSON_Delete(o);
            cJSON_Delete(array);
            array = NULL;
            break;
        }
    }
    pthread_mutex_unlock(&s->mu);
    return array;
}

cJSON *user_store_get_json(user_store *s, const char *code)
{
    if (!s || !code)
        return NULL;
    pthread_mutex_lock(&s->mu);
    ssize_t i = find_index(s->entries, s->count, code);
    cJSON *o = i >= 0 ? entry_view(&s->entries[i], 0) : NULL;
    pthread_mutex_unlock(&s->mu);
    return o;
}

size_t user_store_count(user_store *s)
{
    if (!s)
        return 0;
    pthread_mutex_lock(&s->mu);
    size_t n = s->count;
    pthread_mutex_unlock(&s->mu);
    return n;
}

user_code_state user_store_check(user_store *s, const char *code, char *canonical,
                                 size_t canonical_size, char *detail, size_t detail_size)
{
    user_code_state state = USER_CODE_UNKNOWN;
    errbuf_set(detail, detail_size, "unknown activation code");
    if (!s || !code)
        return state;
    pthread_mutex_lock(&s->mu);
    ssize_t i = find_index(s->entries, s->count, code);
    if (i >= 0) {
        const user_entry *e = &s->entries[i];
        snprintf(canonical, canonical_size, "%s", e->code);
        if (entry_expired(e)) {
            state = USER_CODE_EXPIRED;
            errbuf_set(detail, detail_size, "the activation code expired on %s", expires_date(e));
        } else if (credentials_usable(e, detail, detail_size)) {
            state = USER_CODE_CREDENTIALS;
        } else {
            state = USER_CODE_NO_CREDENTIALS;
        }
    }
    pthread_mutex_unlock(&s->mu);
    return state;
}

cJSON *user_store_credentials_by_code(user_store *s)
{
    cJSON *out = cJSON_CreateObject();
    if (!out || !s)
        return out;
    pthread_mutex_lock(&s->mu);
    for (size_t i = 0; i < s->count; i++) {
        char why[8];
        if (!credentials_usable(&s->entries[i], why, sizeof why))
            continue;
        cJSON *copy = cJSON_Duplicate(entry_credentials(&s->entries[i]), 1);
        if (!copy || !cJSON_AddItemToObject(out, s->entries[i].code, copy)) {
            cJSON_Delete(copy);
            cJSON_Delete(out);
            out = NULL;
            break;
        }
    }
    pthread_mutex_unlock(&s->mu);
    return out;
}

/* ---- changes ---- */

static int set_member(cJSON *obj, const char *name, cJSON *value)
{
    if (!value)
        return -1;
    if (cJSON_GetObjectItemCaseSensitive(obj, name))
        return cJSON_ReplaceItemInObjectCaseSensitive(obj, name, value) ? 0 : -1;
    if (!cJSON_AddItemToObject(obj, name, value)) {
        cJSON_Delete(value);
        return -1;
    }
    return 0;
}

static int set_now(cJSON *obj, const char *name)
{
    char now[32];
    clock_format_rfc3339(time(NULL), now, sizeof now);
    return set_member(obj, name, cJSON_CreateString(now));
}

/* The file a new code goes to: codes.json when it exists (where newer kiro-go adds), else
 * user_credentials.json. */
static int file_for_new_code(const user_store *s)
{
    return s->files[FILE_CODES].path && s->files[FILE_CODES].present ? FILE_CODES : FILE_MAIN;
}

int user_store_put(user_store *s, const cJSON *body, int *status, char *err, size_t err_size)
{
    int ignored;
    if (!status)
        status = &ignored;
    *status = 400;
    const char *code, *name;
    const cJSON *creds;
    if (!s) {
        errbuf_set(err, err_size, "user store: missing");
        return -1;
    }
    if (check_put_body(body, &code, &name, &creds, err, err_size) != 0)
        return -1;
    *status = 500;
    file_claim_take(&s->claim);
    ssize_t at = find_index(s->entries, s->count, code);
    if (at < 0 && s->count >= USER_STORE_MAX_ENTRIES) {
        file_claim_release(&s->claim);
        *status = 400;
        errbuf_set(err, err_size, "user store: at most %d entries", USER_STORE_MAX_ENTRIES);
        return -1;
    }
    user_entry fresh = {0};
    fresh.file = at >= 0 ? s->entries[at].file : file_for_new_code(s);
    fresh.code = strdup(at >= 0 ? s->entries[at].code : code);
    fresh.obj = at >= 0 ? cJSON_Duplicate(s->entries[at].obj, 1) : cJSON_CreateObject();
    const char *code_key = s->files[fresh.file].shape.code_key;
    int ok = fresh.code && fresh.obj;
    if (ok && at < 0)
        ok = set_member(fresh.obj, code_key, cJSON_CreateString(code)) == 0 &&
             set_member(fresh.obj, "user_name", cJSON_CreateString(name ? name : "")) == 0 &&
             set_now(fresh.obj, "created_at") == 0;
    if (ok && at >= 0 && name)
        ok = set_member(fresh.obj, "user_name", cJSON_CreateString(name)) == 0;
    if (ok && creds)
        ok = set_member(fresh.obj, "credentials", cJSON_Duplicate(creds, 1)) == 0;
    if (ok)
        ok = set_now(fresh.obj, "updated_at") == 0;
    plan p;
    if (!ok || plan_begin(s, &p, 1) != 0) {
        entry_clear(&fresh);
        file_claim_release(&s->claim);
        errbuf_set(err, err_size, "user store: out of memory");
        return -1;
    }
    plan_put(&p, at, &fresh);
    int rc = plan_apply(s, &p, err, err_size);
    file_claim_release(&s->claim);
    if (rc == 0)
        *status = 200;
    return rc;
}

int user_store_delete(user_store *s, const char *code, char *err, size_t err_size)
{
    if (!s || !code)
        return 1;
    file_claim_take(&s->claim);
    ssize_t at = find_index(s->entries, s->count, code);
    if (at < 0) {
        file_claim_release(&s->claim);
        return 1;
    }
    plan p;
    int rc = -1;
    if (plan_begin(s, &p, 0) != 0) {
        errbuf_set(err, err_size, "user store: out of memory");
    } else {
        plan_remove(&p, (size_t)at);
        rc = plan_apply(s, &p, err, err_size);
    }
    file_claim_release(&s->claim);
    return rc;
}

int user_store_set_expiry(user_store *s, const char *const *codes, size_t n, int days,
                          char *date_out, size_t date_size, char *err, size_t err_size)
{
    char date[DATE_SIZE] = "";
    if (days > 0)
        today_plus(days > 36500 ? 36500 : days, date, sizeof date);
    else if (days == 0)
        today_plus(-1, date, sizeof date);
    snprintf(date_out, date_size, "%s", date);
    if (!s)
        return 0;
    file_claim_take(&s->claim);
    plan p;
    if (plan_begin(s, &p, 0) != 0) {
        file_claim_release(&s->claim);
        errbuf_set(err, err_size, "user store: out of memory");
        return -1;
    }
    int updated = 0, failed = 0;
    for (size_t k = 0; k < n && !failed; k++) {
        ssize_t at = codes[k] ? find_index(p.next, p.n_next, codes[k]) : -1;
        if (at < 0)
            continue;
        user_entry fresh = {0};
        fresh.file = p.next[at].file;
        fresh.code = strdup(p.next[at].code);
        fresh.obj = cJSON_Duplicate(p.next[at].obj, 1);
        failed =
            !fresh.code || !fresh.obj ||
            (days < 0 ? (cJSON_DeleteItemFromObjectCaseSensitive(fresh.obj, "expires_date"), 0)
                      : set_member(fresh.obj, "expires_date", cJSON_CreateString(date))) != 0 ||
            set_now(fresh.obj, "updated_at") != 0;
        if (failed) {
            entry_clear(&fresh);
            break;
        }
        if (p.fresh[at]) {
            entry_clear(&p.next[at]); /* the same code twice in one request */
            p.next[at] = fresh;
            p.touched[fresh.file] = 1;
        } else {
            plan_put(&p, at, &fresh);
            updated++;
        }
    }
    int rc;
    if (failed) {
        plan_free(&p, 0);
        errbuf_set(err, err_size, "user store: out of memory");
        rc = -1;
    } else {
        rc = updated ? plan_apply(s, &p, err, err_size) : (plan_free(&p, 0), 0);
        if (rc == 0)
            rc = updated;
    }
    file_claim_release(&s->claim);
    return rc;
}

/* Puts a token field into a credentials object (NULL value: keep). */
static int set_token(cJSON *creds, const char *name, const char *value)
{
    return value ? set_member(creds, name, cJSON_CreateString(value)) : 0;
}

int user_store_update_tokens(user_store *s, const user_token_update *updates, size_t n)
{
    if (!s)
        return -1;
    file_claim_take(&s->claim);
    plan p;
    if (plan_begin(s, &p, 0) != 0) {
        file_claim_release(&s->claim);
        return -1;
    }
    int failed = 0, changed = 0;
    for (size_t k = 0; k < n && !failed; k++) {
        ssize_t at = updates[k].code ? find_index(p.next, p.n_next, updates[k].code) : -1;
        if (at < 0 || p.fresh[at] || !entry_credentials(&p.next[at]))
            continue;
        user_entry fresh = {0};
        fresh.file = p.next[at].file;
        fresh.code = strdup(p.next[at].code);
        fresh.obj = cJSON_Duplicate(p.next[at].obj, 1);
        cJSON *creds =
            fresh.obj ? cJSON_GetObjectItemCaseSensitive(fresh.obj, "credentials") : NULL;
        char expires[32] = "";
        if (updates[k].expires_at > 0)
            clock_format_rfc3339(updates[k].expires_at, expires, sizeof expires);
        failed = !fresh.code || !creds ||
                 set_token(creds, "accessToken", updates[k].access_token) ||
                 set_token(creds, "refreshToken", updates[k].refresh_token) ||
                 set_token(creds, "profileArn", updates[k].profile_arn) ||
                 set_token(creds, "expiresAt", expires[0] ? expires : NULL) ||
                 set_now(fresh.obj, "updated_at");
        if (failed) {
            entry_clear(&fresh);
            break;
        }
        plan_put(&p, at, &fresh);
        changed++;
    }
    char err[400];
    int rc;
    if (failed) {
        plan_free(&p, 0);
        rc = -1;
    } else if (!changed) {
        plan_free(&p, 0);
        rc = 0;
    } else {
        rc = plan_apply(s, &p, err, sizeof err);
        if (rc != 0)
            LOG_WARN("user store: refreshed tokens not saved: %s", err);
    }
    file_claim_release(&s->claim);
    return rc;
}
