/* Writing .gdl files: lay out, write the header, map the data section for filling, commit. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include <cjson/cJSON.h>

#include "gdl/core.h"
#include "gdl/data.h"

typedef struct {
    char *name;
    gdl_dtype_t dtype;
    int ndim;
    int64_t shape[GDL_FILE_MAX_DIMS];
    uint64_t nbytes, begin;
} wentry_t;

struct gdl_writer_t {
    int n, cap;
    wentry_t *e;
    cJSON *meta;
    char *path, *tmp;
    int fd, opened;               // opened: the header is written, tensors may be filled
    unsigned char *map;           // NULL until gdl_writer_data is first called
    uint64_t size, data_start;
};

gdl_writer_t *gdl_writer_new(void)
{
    gdl_writer_t *w = calloc(1, sizeof *w);
    if (!w || !(w->meta = cJSON_CreateObject())) {
        free(w);
        gdl_log_error("out of memory");
        return NULL;
    }
    w->fd = -1;
    return w;
}

int gdl_writer_add(gdl_writer_t *w, const char *name, gdl_dtype_t dtype, int ndim,
                   const int64_t *shape)
{
    uint64_t numel = 1;
    if (w->map || !name || !*name || strcmp(name, "__metadata__") == 0 || dtype >= GDL_DTYPE_COUNT ||
        ndim < 0 || ndim > GDL_FILE_MAX_DIMS) {
        gdl_log_error("cannot add tensor '%s'", name ? name : "");
        return -1;
    }
    for (int i = 0; i < w->n; i++)
        if (strcmp(w->e[i].name, name) == 0) {
            gdl_log_error("tensor '%s' added twice", name);
            return -1;
        }
    for (int i = 0; i < ndim; i++) {
        if (shape[i] < 0 || (shape[i] && numel > UINT64_MAX / 16 / (uint64_t)shape[i])) {
            gdl_log_error("tensor '%s': bad shape", name);
            return -1;
        }
        numel *= (uint64_t)shape[i];
    }
    if (w->n == w->cap) {
        int cap = w->cap ? 2 * w->cap : 16;
        wentry_t *e = realloc(w->e, cap * sizeof *e);
        if (!e) {
            gdl_log_error("out of memory");
            return -1;
        }
        w->e = e;
        w->cap = cap;
    }
    wentry_t *e = &w->e[w->n];
    memset(e, 0, sizeof *e);
    if (!(e->name = strdup(name))) {
        gdl_log_error("out of memory");
        return -1;
    }
    e->dtype = dtype;
    e->ndim = ndim;
    if (ndim > 0) memcpy(e->shape, shape, ndim * sizeof *shape);
    e->nbytes = numel * gdl_dtype_size(dtype);
    return w->n++;
}

int gdl_writer_set_meta(gdl_writer_t *w, const char *key, const char *value)
{
    cJSON *v = cJSON_CreateString(value);
    if (!v) goto oom;
    if (cJSON_GetObjectItemCaseSensitive(w->meta, key)) {
        if (!cJSON_ReplaceItemInObjectCaseSensitive(w->meta, key, v)) goto oom;
    } else if (!cJSON_AddItemToObject(w->meta, key, v)) {
        goto oom;
    }
    return 0;
oom:
    cJSON_Delete(v);
    gdl_log_error("out of memory");
    return -1;
}

/* Widest element first keeps every tensor aligned to its element size, with no padding
 * between tensors (safetensors readers reject gaps). Ties keep the order of gdl_writer_add. */
static void layout(gdl_writer_t *w, int *order)
{
    int k = 0;
    uint64_t pos = 0;
    for (size_t size = 8; size >= 1; size /= 2)
        for (int i = 0; i < w->n; i++)
            if (gdl_dtype_size(w->e[i].dtype) == size) order[k++] = i;
    for (int i = 0; i < w->n; i++) {
        w->e[order[i]].begin = pos;
        pos += w->e[order[i]].nbytes;
    }
}

static char *header_json(gdl_writer_t *w, const int *order)
{
    cJSON *root = cJSON_CreateObject(), *t, *arr;
    char *s = NULL;
    if (!root) return NULL;
    if (cJSON_GetArraySize(w->meta) > 0) {
        cJSON *copy = cJSON_Duplicate(w->meta, 1);
        if (!copy || !cJSON_AddItemToObject(root, "__metadata__", copy)) goto out;
    }
    for (int k = 0; k < w->n; k++) {
        const wentry_t *e = &w->e[order[k]];
        double offs[2] = {(double)e->begin, (double)(e->begin + e->nbytes)};
        if (!(t = cJSON_AddObjectToObject(root, e->name))) goto out;
        if (!cJSON_AddStringToObject(t, "dtype", gdl_dtype_name(e->dtype))) goto out;
        if (!(arr = cJSON_AddArrayToObject(t, "shape"))) goto out;
        for (int i = 0; i < e->ndim; i++)
            if (!cJSON_AddItemToArray(arr, cJSON_CreateNumber((double)e->shape[i]))) goto out;
        if (!(arr = cJSON_CreateDoubleArray(offs, 2)) || !cJSON_AddItemToObject(t, "data_offsets", arr))
            goto out;
    }
    s = cJSON_PrintUnformatted(root);
out:
    cJSON_Delete(root);
    return s;
}

/* pwrite all of n bytes at offset off; 0 or -1 with an error. */
static int write_at(gdl_writer_t *w, const void *p, uint64_t n, uint64_t off)
{
    const char *c = p;
    while (n > 0) {
        ssize_t k = pwrite(w->fd, c, n > (1u << 30) ? (1u << 30) : n, (off_t)off);
        if (k < 0 && errno == EINTR) continue;
        if (k <= 0) {
            gdl_log_error("%s: write failed: %s", w->path, k < 0 ? strerror(errno) : "no progress");
            return -1;
        }
        c += k, n -= (uint64_t)k, off += (uint64_t)k;
    }
    return 0;
}

int gdl_writer_open(gdl_writer_t *w, const char *path)
{
    int *order = malloc((w->n ? w->n : 1) * sizeof *order);
    char *json = NULL;
    int err;
    if (!order || !(w->path = strdup(path)) || !(w->tmp = gdl_tmp_path(path))) goto oom;
    layout(w, order);
    if (!(json = header_json(w, order))) goto oom;
    uint64_t json_len = strlen(json), header_len = (json_len + 7) / 8 * 8, data_size = 0;
    for (int i = 0; i < w->n; i++) data_size += w->e[i].nbytes;
    w->data_start = 8 + header_len;
    w->size = w->data_start + data_size;
    if ((w->fd = open(w->tmp, O_RDWR | O_CREAT | O_TRUNC, 0644)) < 0) {
        gdl_log_error("%s: cannot create: %s", path, strerror(errno));
        goto fail;
    }
    // reserve the blocks now: running out of disk later, inside the mapping, would be a SIGBUS
    if ((err = posix_fallocate(w->fd, 0, (off_t)w->size)) != 0) {
        gdl_log_error("%s: cannot reserve %llu bytes: %s", path, (unsigned long long)w->size,
                      strerror(err));
        goto fail;
    }
    unsigned char *head = malloc(w->data_start);
    if (!head) goto oom;
    for (int i = 0; i < 8; i++) head[i] = (unsigned char)(header_len >> (8 * i));
    memcpy(head + 8, json, json_len); // NOLINT(bugprone-not-null-terminated-result): the header is length-prefixed, space-padded
    memset(head + 8 + json_len, ' ', header_len - json_len);
    err = write_at(w, head, w->data_start, 0);
    free(head);
    if (err != 0) goto fail;
    w->opened = 1;
    free(json);
    free(order);
    return 0;
oom:
    gdl_log_error("out of memory");
fail:
    free(json);
    free(order);
    return -1;
}

void *gdl_writer_data(gdl_writer_t *w, int index)
{
    if (!w->opened || index < 0 || index >= w->n) return NULL;
    if (!w->map) { // mapped on first use: writers that only call gdl_writer_write never map
        w->map = mmap(NULL, w->size, PROT_READ | PROT_WRITE, MAP_SHARED, w->fd, 0);
        if (w->map == MAP_FAILED) {
            w->map = NULL;
            gdl_log_error("%s: cannot map: %s", w->path, strerror(errno));
            return NULL;
        }
    }
    return w->map + w->data_start + w->e[index].begin;
}

int gdl_writer_write(gdl_writer_t *w, int index, const void *data, uint64_t nbytes)
{
    if (w->opened && index >= 0 && index < w->n && nbytes != w->e[index].nbytes) {
        gdl_log_error("%s: tensor write of %llu bytes does not fit", w->path,
                      (unsigned long long)nbytes);
        return -1;
    }
    return gdl_writer_write_at(w, index, 0, data, nbytes);
}

int gdl_writer_write_at(gdl_writer_t *w, int index, uint64_t offset, const void *data,
                        uint64_t nbytes)
{
    if (!w->opened || index < 0 || index >= w->n || offset > w->e[index].nbytes ||
        nbytes > w->e[index].nbytes - offset) {
        gdl_log_error("%s: tensor write of %llu bytes at %llu does not fit",
                      w->path ? w->path : "writer", (unsigned long long)nbytes,
                      (unsigned long long)offset);
        return -1;
    }
    return write_at(w, data, nbytes, w->data_start + w->e[index].begin + offset);
}

int gdl_writer_commit(gdl_writer_t *w)
{
    if (!w->opened) {
        gdl_log_error("writer not open");
        return -1;
    }
    if (w->map) {
        if (msync(w->map, w->size, MS_SYNC) != 0) {
            gdl_log_error("%s: write failed: %s", w->path, strerror(errno));
            return -1;
        }
        munmap(w->map, w->size);
        w->map = NULL;
    }
    w->opened = 0;
    int ret = gdl_fsync_rename(w->fd, w->tmp, w->path);
    close(w->fd);
    w->fd = -1;
    if (ret == 0) {
        free(w->tmp);
        w->tmp = NULL; // committed: nothing for gdl_writer_free to remove
    }
    return ret;
}

void gdl_writer_free(gdl_writer_t *w)
{
    if (!w) return;
    if (w->map) munmap(w->map, w->size);
    if (w->fd >= 0) close(w->fd);
    if (w->tmp) unlink(w->tmp);
    for (int i = 0; i < w->n; i++) free(w->e[i].name);
    free(w->e);
    cJSON_Delete(w->meta);
    free(w->path);
    free(w->tmp);
    free(w);
}
