/* float32 row-major tensors of 1..4 dimensions, with shape checks. */
#include <stdlib.h>
#include <string.h>

#include "gdl/core.h"

static int valid_shape(int ndim, const int64_t *shape, int64_t *numel)
{
    int64_t n = 1;
    if (ndim < 1 || ndim > GDL_MAX_DIMS) return 0;
    for (int i = 0; i < ndim; i++) {
        if (shape[i] < 0 || (shape[i] > 0 && n > INT64_MAX / (int64_t)sizeof(float) / shape[i]))
            return 0;
        n *= shape[i];
    }
    *numel = n;
    return 1;
}

gdl_tensor_t *gdl_tensor_new(int ndim, const int64_t *shape)
{
    int64_t numel;
    if (!valid_shape(ndim, shape, &numel)) {
        gdl_log_error("invalid tensor shape (%d dimensions)", ndim);
        return NULL;
    }
    gdl_tensor_t *t = calloc(1, sizeof *t);
    if (!t) goto fail;
    t->ndim = ndim;
    memcpy(t->shape, shape, ndim * sizeof *shape);
    t->data = gdl_calloc((size_t)numel * sizeof(float));
    if (!t->data) goto fail;
    t->owner = 1;
    return t;
fail:
    free(t);
    gdl_log_error("out of memory for a tensor of %lld floats", (long long)numel);
    return NULL;
}

gdl_tensor_t *gdl_tensor_new2(int64_t d0, int64_t d1)
{
    int64_t shape[2] = {d0, d1};
    return gdl_tensor_new(2, shape);
}

gdl_tensor_t gdl_tensor_view(float *data, int ndim, const int64_t *shape)
{
    gdl_tensor_t t = {.ndim = ndim, .data = data, .owner = 0};
    memcpy(t.shape, shape, ndim * sizeof *shape);
    return t;
}

void gdl_tensor_free(gdl_tensor_t *t)
{
    if (!t) return;
    if (t->owner) gdl_free(t->data);
    free(t);
}

int64_t gdl_tensor_numel(const gdl_tensor_t *t)
{
    int64_t n = 1;
    for (int i = 0; i < t->ndim; i++) n *= t->shape[i];
    return n;
}

int gdl_tensor_same_shape(const gdl_tensor_t *a, const gdl_tensor_t *b)
{
    if (a->ndim != b->ndim) return 0;
    for (int i = 0; i < a->ndim; i++)
        if (a->shape[i] != b->shape[i]) return 0;
    return 1;
}

char *gdl_tensor_shape_str(const gdl_tensor_t *t, char *buf, size_t size)
{
    size_t k = 0;
    k += snprintf(buf + k, size - k, "(");
    for (int i = 0; i < t->ndim && k < size; i++)
        k += snprintf(buf + k, size - k, i ? ", %lld" : "%lld", (long long)t->shape[i]);
    if (k < size) snprintf(buf + k, size - k, ")");
    return buf;
}

int gdl_tensor_reshape(gdl_tensor_t *t, int ndim, const int64_t *shape)
{
    int64_t numel;
    char have[96];
    if (!valid_shape(ndim, shape, &numel) || numel != gdl_tensor_numel(t)) {
        gdl_log_error("cannot reshape %s: element count differs",
                      gdl_tensor_shape_str(t, have, sizeof have));
        return -1;
    }
    t->ndim = ndim;
    memcpy(t->shape, shape, ndim * sizeof *shape);
    return 0;
}

void gdl_tensor_fill(gdl_tensor_t *t, float v)
{
    int64_t n = gdl_tensor_numel(t);
    for (int64_t i = 0; i < n; i++) t->data[i] = v;
}

int gdl_tensor_copy(gdl_tensor_t *dst, const gdl_tensor_t *src)
{
    char a[96], b[96];
    if (!gdl_tensor_same_shape(dst, src)) {
        gdl_log_error("copy: shape %s does not match %s", gdl_tensor_shape_str(src, a, sizeof a),
                      gdl_tensor_shape_str(dst, b, sizeof b));
        return -1;
    }
    memcpy(dst->data, src->data, (size_t)gdl_tensor_numel(src) * sizeof(float));
    return 0;
}

int gdl_tensor_matmul(const gdl_tensor_t *a, int trans_a, const gdl_tensor_t *b, int trans_b,
                      gdl_tensor_t *c)
{
    char sa[96], sb[96], sc[96];
    if (a->ndim != 2 || b->ndim != 2 || c->ndim != 2) goto mismatch;
    int64_t M = trans_a ? a->shape[1] : a->shape[0], K = trans_a ? a->shape[0] : a->shape[1];
    int64_t Kb = trans_b ? b->shape[1] : b->shape[0], N = trans_b ? b->shape[0] : b->shape[1];
    if (K != Kb || c->shape[0] != M || c->shape[1] != N) goto mismatch;
    gdl_sgemm(trans_a, trans_b, M, N, K, 1.0f, a->data, a->shape[1], b->data, b->shape[1], 0.0f,
              c->data, N);
    return 0;
mismatch:
    gdl_log_error("matmul: shapes %s%s and %s%s do not give %s", gdl_tensor_shape_str(a, sa, sizeof sa),
                  trans_a ? "^T" : "", gdl_tensor_shape_str(b, sb, sizeof sb), trans_b ? "^T" : "",
                  gdl_tensor_shape_str(c, sc, sizeof sc));
    return -1;
}
