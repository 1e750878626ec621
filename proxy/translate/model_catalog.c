/* model_catalog.c: the in-memory model catalogue and client name resolution.
 *
 * The mutex is held only to copy the entries in or out (a few kilobytes, no I/O), so readers
 * on the request path never wait for the background refresher's network call. Resolution
 * works on a private snapshot. */
#include "translate/model_catalog.h"
#include "translate/model_defaults.h"
#include "translate/model_name.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

struct model_catalog {
    pthread_mutex_t lock;
    model_info *entries;
    size_t count;
    _Atomic uint64_t generation; /* written under lock, read without it */
};

/* Generations are handed out process-wide, so that two catalogues never share one. */
static _Atomic uint64_t last_generation;

static uint64_t next_generation(void)
{
    return atomic_fetch_add(&last_generation, 1) + 1;
}

/* Copies entries into a new array with every string NUL-terminated. */
static model_info *copy_entries(const model_info *models, size_t n)
{
    model_info *copy = malloc(n * sizeof *copy);
    if (!copy)
        return NULL;
    memcpy(copy, models, n * sizeof *copy);
    for (size_t i = 0; i < n; i++) {
        copy[i].id[sizeof copy[i].id - 1] = '\0';
        copy[i].display_name[sizeof copy[i].display_name - 1] = '\0';
        copy[i].created_at[sizeof copy[i].created_at - 1] = '\0';
        copy[i].description[sizeof copy[i].description - 1] = '\0';
        copy[i].rate_unit[sizeof copy[i].rate_unit - 1] = '\0';
        copy[i].prompt_caching[sizeof copy[i].prompt_caching - 1] = '\0';
        if (copy[i].input_type_count > MODEL_INPUT_TYPES_MAX)
            copy[i].input_type_count = MODEL_INPUT_TYPES_MAX;
        for (int t = 0; t < copy[i].input_type_count; t++)
            copy[i].input_types[t][MODEL_INPUT_TYPE_SIZE - 1] = '\0';
    }
    return copy;
}

model_catalog *model_catalog_new_default(void)
{
    model_catalog *c = calloc(1, sizeof *c);
    if (!c)
        return NULL;
    size_t n;
    const model_info *defaults = model_defaults(&n);
    c->entries = copy_entries(defaults, n);
    if (!c->entries || pthread_mutex_init(&c->lock, NULL) != 0) {
        free(c->entries);
        free(c);
        return NULL;
    }
    c->count = n;
    atomic_init(&c->generation, next_generation());
    return c;
}

void model_catalog_free(model_catalog *c)
{
    if (!c)
        return;
    pthread_mutex_destroy(&c->lock);
    free(c->entries);
    free(c);
}

int model_catalog_replace(model_catalog *c, const model_info *models, size_t n)
{
    if (!c || !models || n == 0 || n > MODEL_CATALOG_MAX)
        return -1;
    model_info *fresh = copy_entries(models, n);
    if (!fresh)
        return -1;
    pthread_mutex_lock(&c->lock);
    model_info *old = c->entries;
    c->entries = fresh;
    c->count = n;
    atomic_store(&c->generation, next_generation());
    pthread_mutex_unlock(&c->lock);
    free(old);
    return 0;
}

uint64_t model_catalog_generation(model_catalog *c)
{
    return c ? atomic_load(&c->generation) : 0;
}

size_t model_catalog_snapshot(model_catalog *c, model_info **out)
{
    uint64_t generation;
    return model_catalog_snapshot_generation(c, out, &generation);
}

size_t model_catalog_snapshot_generation(model_catalog *c, model_info **out, uint64_t *generation)
{
    *out = NULL;
    *generation = 0;
    if (!c)
        return 0;
    pthread_mutex_lock(&c->lock);
    *generation = atomic_load(&c->generation);
    size_t n = c->count;
    model_info *copy = malloc(n * sizeof *copy);
    if (copy)
        memcpy(copy, c->entries, n * sizeof *copy);
    pthread_mutex_unlock(&c->lock);
    if (!copy)
        return 0;
    *out = copy;
    return n;
}

static const model_info *find_exact(const model_info *entries, size_t n, const char *name)
{
    for (size_t i = 0; i < n; i++)
        if (strcasecmp(entries[i].id, name) == 0)
            return &entries[i];
    return NULL;
}

/* The entry of the given family with the highest version number (first one on ties). */
static const model_info *find_newest_of_family(const model_info *entries, size_t n,
                                               const char *family)
{
    const model_info *best = NULL;
    long best_version = -2;
    for (size_t i = 0; i < n; i++) {
        const char *entry_family = model_name_family(entries[i].id);
        if (!entry_family || strcmp(entry_family, family) != 0)
            continue;
        long version = model_name_version(entries[i].id);
        if (version > best_version) {
            best = &entries[i];
            best_version = version;
        }
    }
    return best;
}

static const model_info *resolve_in(const model_info *entries, size_t n, const char *name,
                                    int *thinking)
{
    *thinking = 0;
    const model_info *found = find_exact(entries, n, name);
    if (found)
        return found;
    char normalized[128];
    if (model_name_normalize(name, normalized, sizeof normalized, thinking) != 0)
        return NULL;
    found = find_exact(entries, n, normalized);
    if (found)
        return found;
    const char *family = model_name_family(normalized);
    return family ? find_newest_of_family(entries, n, family) : NULL;
}

int model_catalog_resolve_info(model_catalog *c, const char *client_name, model_info *out,
                               int *thinking)
{
    if (thinking)
        *thinking = 0;
    if (!c || !client_name || !out)
        return -1;
    model_info *entries;
    size_t n = model_catalog_snapshot(c, &entries);
    int wants_thinking = 0;
    const model_info *found = resolve_in(entries, n, client_name, &wants_thinking);
    if (found) {
        *out = *found;
        if (thinking)
            *thinking = wants_thinking;
    }
    free(entries);
    return found ? 0 : -1;
}

int model_catalog_resolve(model_catalog *c, const char *client_name, char *kiro_id,
                          size_t kiro_id_size, int *thinking)
{
    model_info info;
    if (!kiro_id || kiro_id_size == 0)
        return -1;
    if (model_catalog_resolve_info(c, client_name, &info, thinking) != 0)
        return -1;
    if (strlen(info.id) >= kiro_id_size)
        return -1;
    snprintf(kiro_id, kiro_id_size, "%s", info.id);
    return 0;
}
