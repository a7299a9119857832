/* Dropout (inverted): y = m x / (1 - rate) in train mode, y = x in eval. The mask comes from
 * RNG streams (seed, node, step, block of DROP_BLOCK elements), so the same seed and step give
 * the same mask whatever the thread count (threads take whole blocks), and a gradient check
 * can repeat a forward pass exactly. */
#include <stdlib.h>

#include "nn_internal.h"

int gdl_op_dropout_setup(gdl_nn_t *g, gdl_nn_node_t *n, gdl_kv_t *kv)
{
    double rate;
    if (gdl_kv_float(kv, "rate", 0.5, &rate) < 0) return -1;
    if (rate < 0 || rate >= 1) {
        gdl_log_error("node '%s': rate=%g (0 <= rate < 1)", n->name, rate);
        return -1;
    }
    float *a = malloc(sizeof *a);
    if (!a) return -1;
    *a = (float)rate;
    n->attr = a;
    gdl_nn_node_t *x = gdl_nn_in(g, n, 0);
    n->ndim = x->ndim;
    memcpy(n->shape, x->shape, sizeof n->shape);
    return 0;
}

int gdl_op_dropout_view(const gdl_nn_node_t *n, int train) { return !train || *(float *)n->attr == 0; }

#define DROP_BLOCK 16384

typedef struct {
    const float *x, *dy;
    float *y, *mask, *dx;
    float keep;
    int64_t m;
    uint64_t seed, stream; // the (node, step) part of each block's stream
} drop_ctx_t;

static void drop_blocks(void *ctx, int64_t begin, int64_t end, int chunk)
{
    (void)chunk;
    const drop_ctx_t *c = ctx;
    for (int64_t b = begin; b < end; b++) {
        gdl_rng_t r;
        gdl_rng_init(&r, c->seed, c->stream * 0x9E3779B97F4A7C15ull + (uint64_t)b);
        int64_t i1 = (b + 1) * DROP_BLOCK < c->m ? (b + 1) * DROP_BLOCK : c->m;
        for (int64_t i = b * DROP_BLOCK; i < i1; i++) {
            c->mask[i] = gdl_rng_uniform(&r) < c->keep ? 1 / c->keep : 0;
            c->y[i] = c->x[i] * c->mask[i];
        }
    }
}

GDL_NN_HOT static void drop_back_range(void *ctx, int64_t begin, int64_t end, int chunk)
{
    (void)chunk;
    const drop_ctx_t *c = ctx;
    const float *restrict dy = c->dy, *restrict mask = c->mask;
    float *restrict dx = c->dx;
    if (mask)
        for (int64_t i = begin; i < end; i++) dx[i] += dy[i] * mask[i];
    else
        for (int64_t i = begin; i < end; i++) dx[i] += dy[i];
}

int gdl_op_dropout_forward(gdl_nn_t *g, gdl_nn_node_t *n, int train)
{
    const float *x = gdl_nn_in(g, n, 0)->out;
    float rate = *(float *)n->attr;
    int64_t m = g->N * n->size;
    if (!train || rate == 0) {
        memcpy(n->out, x, sizeof(float) * (size_t)m);
        return 0;
    }
    drop_ctx_t c = {.x = x, .y = n->out, .mask = gdl_nn_scratch(g, m), .keep = 1 - rate, .m = m,
                    .seed = g->seed, .stream = ((uint64_t)(n - g->nodes) + 1) << 40 ^ (uint64_t)g->step};
    if (!c.mask) return -1;
    gdl_parallel_for((m + DROP_BLOCK - 1) / DROP_BLOCK, drop_blocks, &c);
    n->saved = c.mask;
    return 0;
}

void gdl_op_dropout_backward(gdl_nn_t *g, gdl_nn_node_t *n)
{
    drop_ctx_t c = {.dy = n->dout, .mask = n->saved, .dx = gdl_nn_in(g, n, 0)->dout};
    int64_t m = g->N * n->size;
    if (m < (1 << 16)) drop_back_range(&c, 0, m, 0);
    else gdl_parallel_for(m, drop_back_range, &c);
}
