/* A string -> index map with open addressing (linear probing), for matching examples by ID. */
#include <stdlib.h>
#include <string.h>

#include "gdl/core.h"
#include "gdl/dataops.h"

static uint64_t hash(const char *s)
{
    uint64_t h = 1469598103934665603ull;
    for (; *s; s++) h = (h ^ (unsigned char)*s) * 1099511628211ull;
    return h ^ (h >> 29);
}

int64_t gdl_idmap_get(const gdl_idmap_t *m, const char *key)
{
    if (!m->cap) return -1;
    for (uint64_t i = hash(key) & (uint64_t)(m->cap - 1);; i = (i + 1) & (uint64_t)(m->cap - 1)) {
        if (!m->keys[i]) return -1;
        if (strcmp(m->keys[i], key) == 0) return m->vals[i];
    }
}

static int grow(gdl_idmap_t *m)
{
    int64_t cap = m->cap ? 2 * m->cap : 1024;
    char **keys = calloc(cap, sizeof *keys);
    int64_t *vals = malloc(cap * sizeof *vals);
    if (!keys || !vals) {
        free(keys);
        free(vals);
        gdl_log_error("out of memory");
        return -1;
    }
    for (int64_t j = 0; j < m->cap; j++) {
        if (!m->keys[j]) continue;
        uint64_t i = hash(m->keys[j]) & (uint64_t)(cap - 1);
        while (keys[i]) i = (i + 1) & (uint64_t)(cap - 1);
        keys[i] = m->keys[j];
        vals[i] = m->vals[j];
    }
    free(m->keys);
    free(m->vals);
    m->keys = keys;
    m->vals = vals;
    m->cap = cap;
    return 0;
}

int gdl_idmap_put(gdl_idmap_t *m, const char *key, int64_t val)
{
    if (2 * (m->n + 1) > m->cap && grow(m)) return -1;
    uint64_t i = hash(key) & (uint64_t)(m->cap - 1);
    for (; m->keys[i]; i = (i + 1) & (uint64_t)(m->cap - 1))
        if (strcmp(m->keys[i], key) == 0) return 1;
    if (!(m->keys[i] = strdup(key))) {
        gdl_log_error("out of memory");
        return -1;
    }
    m->vals[i] = val;
    m->n++;
    return 0;
}

void gdl_idmap_free(gdl_idmap_t *m)
{
    for (int64_t i = 0; i < m->cap; i++) free(m->keys[i]);
    free(m->keys);
    free(m->vals);
    memset(m, 0, sizeof *m);
}
