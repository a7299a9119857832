/* Dropout (inverted): y = m x / (1 - rate) in train mode, y = x in eval. The mask comes from
 * the RNG stream (seed, node, step), so the same seed and step give the same mask whatever
 * the thread count, and a gradient check can repeat a forward pass exactly. */
#include <stdlib.h>

#include "nn_internal.h"

int dropout_setup(gdl_nn_t *g, gdl_nn_node_t *n, gdl_kv_t *kv)
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

int dropout_is_identity(const gdl_nn_node_t *n, int train)
{
    return n->op == GDL_OP_DROPOUT && (!train || *(float *)n->attr == 0);
}

int dropout_forward(gdl_nn_t *g, gdl_nn_node_t *n, int train)
{
    const float *x = gdl_nn_in(g, n, 0)->out;
    float rate = *(float *)n->attr, keep = 1 - rate;
    int64_t m = g->N * n->size;
    if (!train || rate == 0) {
        memcpy(n->out, x, sizeof(float) * (size_t)m);
        return 0;
    }
    float *mask = gdl_nn_scratch(g, m); // 0 or 1 / keep
    if (!mask) return -1;
    gdl_rng_t r;
    gdl_rng_init(&r, g->seed, ((uint64_t)(n - g->nodes) + 1) << 40 ^ (uint64_t)g->step);
    for (int64_t i = 0; i < m; i++) {
        mask[i] = gdl_rng_uniform(&r) < keep ? 1 / keep : 0;
        n->out[i] = x[i] * mask[i];
    }
    n->saved = mask;
    return 0;
}

void dropout_backward(gdl_nn_t *g, gdl_nn_node_t *n)
{
    float *dx = gdl_nn_in(g, n, 0)->dout, *mask = n->saved;
    for (int64_t i = 0; i < g->N * n->size; i++) dx[i] += mask ? n->dout[i] * mask[i] : n->dout[i];
}
