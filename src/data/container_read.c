/* Reading .gdl files: map, then check every header field before anything uses the data. */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cjson/cJSON.h>

#include "gdl/core.h"
#include "gdl/data.h"

struct gdl_file_t {
    char *path;
    unsigned char *map;
    uint64_t size, header_len;
    char *header;          // NUL-terminated copy of the JSON
    int n_entries;
    gdl_entry_t *entries;  // sorted by begin offset
    int n_meta;
    char **meta_keys, **meta_values;
    void **copies;         // aligned copies of misaligned tensors, one slot per entry
};

static int fail(const gdl_file_t *f, const char *what, const char *name)
{
    if (name) gdl_log_error("%s: tensor '%s': %s", f->path, name, what);
    else gdl_log_error("%s: %s", f->path, what);
    return -1;
}

/* A JSON number that is a whole number in [0, 2^53]; 0 or -1. */
static int json_index(const cJSON *v, uint64_t *out)
{
    if (!cJSON_IsNumber(v)) return -1;
    double d = v->valuedouble;
    if (!(d >= 0) || d > 9007199254740992.0 || floor(d) != d) return -1;
    *out = (uint64_t)d;
    return 0;
}

static int parse_entry(gdl_file_t *f, const cJSON *item, gdl_entry_t *e)
{
    const char *name = item->string;
    char msg[160];
    if (!cJSON_IsObject(item)) return fail(f, "entry is not an object", name);
    const cJSON *dtype = NULL, *shape = NULL, *offsets = NULL, *field;
    cJSON_ArrayForEach(field, item) {
        if (strcmp(field->string, "dtype") == 0 && !dtype) dtype = field;
        else if (strcmp(field->string, "shape") == 0 && !shape) shape = field;
        else if (strcmp(field->string, "data_offsets") == 0 && !offsets) offsets = field;
        else {
            snprintf(msg, sizeof msg, "unknown or repeated field '%.60s'", field->string);
            return fail(f, msg, name);
        }
    }
    if (!dtype || !cJSON_IsString(dtype)) return fail(f, "missing or non-string dtype", name);
    int t = gdl_dtype_from_name(dtype->valuestring);
    if (t < 0) {
        snprintf(msg, sizeof msg, "unknown dtype '%.40s'", dtype->valuestring);
        return fail(f, msg, name);
    }
    e->dtype = (gdl_dtype_t)t;
    if (!shape || !cJSON_IsArray(shape)) return fail(f, "missing or non-array shape", name);
    int ndim = cJSON_GetArraySize(shape);
    if (ndim > GDL_FILE_MAX_DIMS) return fail(f, "more than 8 dimensions", name);
    e->ndim = ndim;
    uint64_t numel = 1, d;
    int i = 0, overflow = 0;
    cJSON_ArrayForEach(field, shape) {
        if (json_index(field, &d) != 0) return fail(f, "shape holds a value that is not a size", name);
        e->shape[i++] = (int64_t)d;
        if (d && numel > UINT64_MAX / d) overflow = 1;
        else numel *= d;
    }
    size_t esize = gdl_dtype_size(e->dtype);
    if (overflow || numel > UINT64_MAX / esize) return fail(f, "shape overflows 64 bits", name);
    e->numel = numel;
    e->nbytes = numel * esize;
    if (!offsets || !cJSON_IsArray(offsets) || cJSON_GetArraySize(offsets) != 2 ||
        json_index(cJSON_GetArrayItem(offsets, 0), &e->begin) != 0 ||
        json_index(cJSON_GetArrayItem(offsets, 1), &e->end) != 0)
        return fail(f, "data_offsets must be two non-negative integers", name);
    if (e->end < e->begin) return fail(f, "data_offsets end before they begin", name);
    if (e->end - e->begin != e->nbytes) {
        snprintf(msg, sizeof msg, "shape and dtype need %llu bytes, data_offsets span %llu",
                 (unsigned long long)e->nbytes, (unsigned long long)(e->end - e->begin));
        return fail(f, msg, name);
    }
    if (!(e->name = strdup(name))) return fail(f, "out of memory", NULL);
    return 0;
}

static int parse_metadata(gdl_file_t *f, const cJSON *meta)
{
    const cJSON *kv;
    if (!cJSON_IsObject(meta)) return fail(f, "__metadata__ is not an object", NULL);
    int n = cJSON_GetArraySize(meta);
    f->meta_keys = calloc(n ? n : 1, sizeof(char *));
    f->meta_values = calloc(n ? n : 1, sizeof(char *));
    if (!f->meta_keys || !f->meta_values) return fail(f, "out of memory", NULL);
    cJSON_ArrayForEach(kv, meta) {
        if (!cJSON_IsString(kv)) {
            gdl_log_error("%s: __metadata__ '%s' is not a string", f->path, kv->string);
            return -1;
        }
        for (int i = 0; i < f->n_meta; i++)
            if (strcmp(f->meta_keys[i], kv->string) == 0) { // NOLINT(clang-analyzer-core.NonNullParamChecker): members of a parsed object have keys
                gdl_log_error("%s: __metadata__ key '%s' repeated", f->path, kv->string);
                return -1;
            }
        f->meta_keys[f->n_meta] = strdup(kv->string);
        f->meta_values[f->n_meta] = strdup(kv->valuestring);
        if (!f->meta_keys[f->n_meta++] || !f->meta_values[f->n_meta - 1])
            return fail(f, "out of memory", NULL);
    }
    return 0;
}

static int by_offset(const void *a, const void *b)
{
    const gdl_entry_t *x = a, *y = b;
    if (x->begin != y->begin) return x->begin < y->begin ? -1 : 1;
    if (x->end != y->end) return x->end < y->end ? -1 : 1;
    return 0;
}

/* Tensors must tile the data section exactly: no overlap, no gap, nothing after the last. */
static int check_layout(gdl_file_t *f)
{
    uint64_t data_size = f->size - 8 - f->header_len, pos = 0;
    char msg[200];
    qsort(f->entries, f->n_entries, sizeof *f->entries, by_offset);
    for (int i = 0; i < f->n_entries; i++) {
        gdl_entry_t *e = &f->entries[i];
        if (e->end > data_size) {
            snprintf(msg, sizeof msg, "data_offsets [%llu, %llu] run past the %llu-byte data section"
                     " (file truncated?)", (unsigned long long)e->begin, (unsigned long long)e->end,
                     (unsigned long long)data_size);
            return fail(f, msg, e->name);
        }
        if (e->begin < pos) {
            snprintf(msg, sizeof msg, "data overlaps tensor '%.60s'", f->entries[i - 1].name);
            return fail(f, msg, e->name);
        }
        if (e->begin > pos) return fail(f, "gap in the data section before this tensor", e->name);
        pos = e->end;
        for (int j = 0; j < i; j++)
            if (strcmp(f->entries[j].name, e->name) == 0) return fail(f, "name repeated", e->name);
    }
    if (pos != data_size) {
        snprintf(msg, sizeof msg, "%llu bytes after the last tensor",
                 (unsigned long long)(data_size - pos));
        return fail(f, msg, NULL);
    }
    return 0;
}

static int parse_header(gdl_file_t *f)
{
    const char *end = NULL;
    cJSON *root = NULL, *item;
    int ret = -1;
    if (memchr(f->header, 0, f->header_len)) return fail(f, "header holds a NUL byte", NULL);
    root = cJSON_ParseWithOpts(f->header, &end, 0);
    if (!root) {
        gdl_log_error("%s: header is not valid JSON (near byte %td of %llu)", f->path,
                      (cJSON_GetErrorPtr() ? cJSON_GetErrorPtr() : f->header) - f->header,
                      (unsigned long long)f->header_len);
        return -1;
    }
    for (; *end; end++)
        if (*end != ' ' && *end != '\t' && *end != '\n' && *end != '\r') {
            fail(f, "header has bytes after its JSON", NULL);
            goto out;
        }
    if (!cJSON_IsObject(root)) {
        fail(f, "header is not a JSON object", NULL);
        goto out;
    }
    int n = cJSON_GetArraySize(root);
    f->entries = calloc(n ? n : 1, sizeof *f->entries);
    f->copies = calloc(n ? n : 1, sizeof *f->copies);
    if (!f->entries || !f->copies) {
        fail(f, "out of memory", NULL);
        goto out;
    }
    cJSON_ArrayForEach(item, root) {
        if (strcmp(item->string, "__metadata__") == 0) {
            if (f->meta_keys) {
                fail(f, "__metadata__ repeated", NULL);
                goto out;
            }
            if (parse_metadata(f, item) != 0) goto out;
            continue;
        }
        if (!*item->string) {
            fail(f, "a tensor has an empty name", NULL);
            goto out;
        }
        if (parse_entry(f, item, &f->entries[f->n_entries++]) != 0) goto out;
    }
    ret = check_layout(f);
out:
    cJSON_Delete(root);
    return ret;
}

/* Point each entry at its data; a tensor from another writer that is not aligned to its
 * element size is copied, so callers can always cast data to the element type. */
static int bind_data(gdl_file_t *f)
{
    const unsigned char *base = f->map + 8 + f->header_len;
    for (int i = 0; i < f->n_entries; i++) {
        gdl_entry_t *e = &f->entries[i];
        const unsigned char *p = base + e->begin;
        if ((uintptr_t)p % gdl_dtype_size(e->dtype) == 0) {
            e->data = p;
            continue;
        }
        if (!(f->copies[i] = gdl_malloc(e->nbytes))) return -1;
        memcpy(f->copies[i], p, e->nbytes);
        e->data = f->copies[i];
    }
    return 0;
}

gdl_file_t *gdl_file_open(const char *path)
{
    struct stat st;
    int fd = -1;
    gdl_file_t *f = calloc(1, sizeof *f);
    if (!f || !(f->path = strdup(path))) {
        gdl_log_error("out of memory");
        goto fail;
    }
    if ((fd = open(path, O_RDONLY)) < 0 || fstat(fd, &st) != 0) {
        gdl_log_error("%s: %s", path, strerror(errno));
        goto fail;
    }
    if (!S_ISREG(st.st_mode)) {
        gdl_log_error("%s: not a regular file", path);
        goto fail;
    }
    f->size = (uint64_t)st.st_size;
    if (f->size == 0) {
        gdl_log_error("%s: empty file", path);
        goto fail;
    }
    if (f->size < 8) {
        gdl_log_error("%s: %llu bytes is too short for a .gdl header", path,
                      (unsigned long long)f->size);
        goto fail;
    }
    f->map = mmap(NULL, f->size, PROT_READ, MAP_PRIVATE, fd, 0);
    if (f->map == MAP_FAILED) {
        f->map = NULL;
        gdl_log_error("%s: cannot map: %s", path, strerror(errno));
        goto fail;
    }
    close(fd);
    fd = -1;
    uint64_t h = 0;
    for (int i = 7; i >= 0; i--) h = h << 8 | f->map[i];
    if (h > f->size - 8) {
        gdl_log_error("%s: header length %llu is larger than the file (%llu bytes); not a .gdl"
                      " file, or truncated", path, (unsigned long long)h, (unsigned long long)f->size);
        goto fail;
    }
    if (h > GDL_FILE_MAX_HEADER) {
        gdl_log_error("%s: header length %llu exceeds the %u-byte limit", path,
                      (unsigned long long)h, GDL_FILE_MAX_HEADER);
        goto fail;
    }
    if (h < 2) {
        gdl_log_error("%s: header length %llu is too small for a JSON object", path,
                      (unsigned long long)h);
        goto fail;
    }
    f->header_len = h;
    if (!(f->header = malloc(h + 1))) {
        gdl_log_error("out of memory");
        goto fail;
    }
    memcpy(f->header, f->map + 8, h);
    f->header[h] = 0;
    if (parse_header(f) != 0 || bind_data(f) != 0) goto fail;
    return f;
fail:
    if (fd >= 0) close(fd);
    gdl_file_close(f);
    return NULL;
}

void gdl_file_close(gdl_file_t *f)
{
    if (!f) return;
    if (f->map) munmap(f->map, f->size);
    for (int i = 0; i < f->n_entries; i++) {
        free(f->entries[i].name);
        gdl_free(f->copies[i]);
    }
    for (int i = 0; i < f->n_meta; i++) {
        free(f->meta_keys[i]);
        free(f->meta_values[i]);
    }
    free(f->meta_keys);
    free(f->meta_values);
    free(f->entries);
    free(f->copies);
    free(f->header);
    free(f->path);
    free(f);
}

const char *gdl_file_path(const gdl_file_t *f) { return f ? f->path : "(sequences in memory)"; }
uint64_t gdl_file_size(const gdl_file_t *f) { return f->size; }
int gdl_file_count(const gdl_file_t *f) { return f->n_entries; }
const gdl_entry_t *gdl_file_entry(const gdl_file_t *f, int i) { return &f->entries[i]; }
int gdl_file_meta_count(const gdl_file_t *f) { return f->n_meta; }
const char *gdl_file_meta_key(const gdl_file_t *f, int i) { return f->meta_keys[i]; }
const char *gdl_file_header(const gdl_file_t *f) { return f->header; }

const gdl_entry_t *gdl_file_find(const gdl_file_t *f, const char *name)
{
    for (int i = 0; i < f->n_entries; i++)
        if (strcmp(f->entries[i].name, name) == 0) return &f->entries[i];
    return NULL;
}

const char *gdl_file_meta(const gdl_file_t *f, const char *key)
{
    for (int i = 0; i < f->n_meta; i++)
        if (strcmp(f->meta_keys[i], key) == 0) return f->meta_values[i];
    return NULL;
}
