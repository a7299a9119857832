/* Pooling over the length axis of (C, L): windows of `size` every `stride` (no padding,
 * the tail that does not fill a window is dropped, as PyTorch's default), and global pooling
 * (C, L) -> (C). */
#include <stdlib.h>

#include "nn_internal.h"

typedef struct {
    int64_t size, stride, C, L, Lo;
} pool_attr_t;

static int need_2d(gdl_nn_t *g, gdl_nn_node_t *n)
{
    gdl_nn_node_t *x = gdl_nn_in(g, n, 0);
    if (x->ndim != 2) {
        gdl_log_error("node '%s': %s needs a (C, L) input, '%s' is %d-D", n->name,
                      gdl_nn_op_name(n->op), x->name, x->ndim);
        return -1;
    }
    return 0;
}

static int pool_setup(gdl_nn_t *g, gdl_nn_node_t *n, gdl_kv_t *kv)
{
    int64_t size, stride;
    if (need_2d(g, n) < 0 || gdl_kv_int(kv, "size", 0, 1, &size) < 0 ||
        gdl_kv_int(kv, "stride", size, 0, &stride) < 0)
        return -1;
    gdl_nn_node_t *x = gdl_nn_in(g, n, 0);
    if (size < 1 || stride < 1 || size > x->shape[1]) {
        gdl_log_error("node '%s': size=%lld stride=%lld on length %lld", n->name, (long long)size,
                      (long long)stride, (long long)x->shape[1]);
        return -1;
    }
    pool_attr_t *a = malloc(sizeof *a);
    if (!a) return -1;
    *a = (pool_attr_t){size, stride, x->shape[0], x->shape[1], (x->shape[1] - size) / stride + 1};
    n->attr = a;
    n->ndim = 2, n->shape[0] = a->C, n->shape[1] = a->Lo;
    return 0;
}

/* ---- maxpool1d: y[c, l] = max_k x[c, l s + k]; the gradient goes to the first maximum ------- */

int gdl_op_maxpool1d_setup(gdl_nn_t *g, gdl_nn_node_t *n, gdl_kv_t *kv) { return pool_setup(g, n, kv); }

int gdl_nn_maxpool_window(const gdl_nn_node_t *n, int64_t *size, int64_t *stride)
{
    if (n->op != GDL_OP_MAXPOOL1D) return 0;
    const pool_attr_t *a = n->attr;
    *size = a->size, *stride = a->stride;
    return 1;
}

/* Rows (sample, channel) are independent: split over threads. */
typedef struct {
    const pool_attr_t *a;
    const float *x, *dy;
    float *y, *dx;
    int32_t *arg;
} maxpool_ctx_t;

static void maxpool_fw_rows(void *ctx, int64_t begin, int64_t end, int chunk)
{
    (void)chunk;
    const maxpool_ctx_t *c = ctx;
    const pool_attr_t *a = c->a;
    for (int64_t r = begin; r < end; r++) {
        const float *xr = c->x + r * a->L;
        for (int64_t l = 0; l < a->Lo; l++) {
            int64_t best = l * a->stride;
            for (int64_t k = 1; k < a->size; k++)
                if (xr[l * a->stride + k] > xr[best]) best = l * a->stride + k;
            c->y[r * a->Lo + l] = xr[best];
            c->arg[r * a->Lo + l] = (int32_t)best;
        }
    }
}

static void maxpool_bw_rows(void *ctx, int64_t begin, int64_t end, int chunk)
{
    (void)chunk;
    const maxpool_ctx_t *c = ctx;
    const pool_attr_t *a = c->a;
    for (int64_t r = begin; r < end; r++)
        for (int64_t l = 0; l < a->Lo; l++) c->dx[r * a->L + c->arg[r * a->Lo + l]] += c->dy[r * a->Lo + l];
}

int gdl_op_maxpool1d_forward(gdl_nn_t *g, gdl_nn_node_t *n, int train)
{
    (void)train;
    pool_attr_t *a = n->attr;
    int32_t *arg = gdl_arena_alloc(&g->arena, sizeof(int32_t) * (size_t)(g->N * n->size));
    if (!arg) return -1;
    maxpool_ctx_t c = {a, gdl_nn_in(g, n, 0)->out, NULL, n->out, NULL, arg};
    gdl_parallel_for(g->N * a->C, maxpool_fw_rows, &c);
    n->saved = arg;
    return 0;
}

void gdl_op_maxpool1d_backward(gdl_nn_t *g, gdl_nn_node_t *n)
{
    pool_attr_t *a = n->attr;
    maxpool_ctx_t c = {a, NULL, n->dout, NULL, gdl_nn_in(g, n, 0)->dout, n->saved};
    gdl_parallel_for(g->N * a->C, maxpool_bw_rows, &c);
}

/* ---- avgpool1d: y[c, l] = mean_k x[c, l s + k] ---------------------------------------------- */

int gdl_op_avgpool1d_setup(gdl_nn_t *g, gdl_nn_node_t *n, gdl_kv_t *kv) { return pool_setup(g, n, kv); }

int gdl_op_avgpool1d_forward(gdl_nn_t *g, gdl_nn_node_t *n, int train)
{
    (void)train;
    pool_attr_t *a = n->attr;
    const float *x = gdl_nn_in(g, n, 0)->out;
    for (int64_t r = 0; r < g->N * a->C; r++)
        for (int64_t l = 0; l < a->Lo; l++) {
            float s = 0;
            for (int64_t k = 0; k < a->size; k++) s += x[r * a->L + l * a->stride + k];
            n->out[r * a->Lo + l] = s / (float)a->size;
        }
    return 0;
}

void gdl_op_avgpool1d_backward(gdl_nn_t *g, gdl_nn_node_t *n)
{
    pool_attr_t *a = n->attr;
    float *dx = gdl_nn_in(g, n, 0)->dout;
    for (int64_t r = 0; r < g->N * a->C; r++)
        for (int64_t l = 0; l < a->Lo; l++) {
            float d = n->dout[r * a->Lo + l] / (float)a->size;
            for (int64_t k = 0; k < a->size; k++) dx[r * a->L + l * a->stride + k] += d;
        }
}

/* ---- global pooling: y[c] = max_l / mean_l x[c, l] ------------------------------------------ */

static int global_setup(gdl_nn_t *g, gdl_nn_node_t *n)
{
    if (need_2d(g, n) < 0) return -1;
    n->ndim = 1, n->shape[0] = gdl_nn_in(g, n, 0)->shape[0];
    return 0;
}

int gdl_op_global_maxpool_setup(gdl_nn_t *g, gdl_nn_node_t *n, gdl_kv_t *kv)
{
    (void)kv;
    return global_setup(g, n);
}

int gdl_op_global_maxpool_forward(gdl_nn_t *g, gdl_nn_node_t *n, int train)
{
    (void)train;
    gdl_nn_node_t *x = gdl_nn_in(g, n, 0);
    int64_t L = x->shape[1];
    int32_t *arg = gdl_arena_alloc(&g->arena, sizeof(int32_t) * (size_t)(g->N * n->size));
    if (!arg) return -1;
    for (int64_t r = 0; r < g->N * n->size; r++) {
        const float *xr = x->out + r * L;
        int64_t best = 0;
        for (int64_t l = 1; l < L; l++)
            if (xr[l] > xr[best]) best = l;
        n->out[r] = xr[best];
        arg[r] = (int32_t)best;
    }
    n->saved = arg;
    return 0;
}

void gdl_op_global_maxpool_backward(gdl_nn_t *g, gdl_nn_node_t *n)
{
    gdl_nn_node_t *x = gdl_nn_in(g, n, 0);
    const int32_t *arg = n->saved;
    for (int64_t r = 0; r < g->N * n->size; r++) x->dout[r * x->shape[1] + arg[r]] += n->dout[r];
}

int gdl_op_global_avgpool_setup(gdl_nn_t *g, gdl_nn_node_t *n, gdl_kv_t *kv)
{
    (void)kv;
    return global_setup(g, n);
}

int gdl_op_global_avgpool_forward(gdl_nn_t *g, gdl_nn_node_t *n, int train)
{
    (void)train;
    gdl_nn_node_t *x = gdl_nn_in(g, n, 0);
    int64_t L = x->shape[1];
    for (int64_t r = 0; r < g->N * n->size; r++) {
        double s = 0;
        for (int64_t l = 0; l < L; l++) s += x->out[r * L + l];
        n->out[r] = (float)(s / (double)L);
    }
    return 0;
}

void gdl_op_global_avgpool_backward(gdl_nn_t *g, gdl_nn_node_t *n)
{
    gdl_nn_node_t *x = gdl_nn_in(g, n, 0);
    int64_t L = x->shape[1];
    for (int64_t r = 0; r < g->N * n->size; r++) {
        float d = n->dout[r] / (float)L;
        for (int64_t l = 0; l < L; l++) x->dout[r * L + l] += d;
    }
}
