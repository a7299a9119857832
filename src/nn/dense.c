/* The fully connected layer, and what it shares with its sparse-input variant (sparse_dense.c):
 * the attributes, the setup and the centring of the inputs.
 * N batch, K input features, U units, V sparse columns. */
#include <stdint.h>
#include <stdlib.h>

#include "dense_internal.h"

int gdl_nn_dense_setup(gdl_nn_t *g, gdl_nn_node_t *n, gdl_kv_t *kv, int sparse)
{
    int64_t units, bias, center = 0;
    gdl_init_t init;
    if (gdl_kv_int(kv, "units", 0, 1, &units) < 0 || gdl_kv_int(kv, "bias", 1, 0, &bias) < 0 ||
        gdl_kv_int(kv, "center", 0, 0, &center) < 0 || gdl_kv_init(kv, GDL_INIT_GLOROT, &init) < 0)
        return -1;
    if (units < 1) {
        gdl_log_error("node '%s': units=%lld", n->name, (long long)units);
        return -1;
    }
    int64_t K = gdl_nn_in(g, n, 0)->size;
    size_t extra = sparse ? (size_t)K * (sizeof(int32_t) + 1) : 0;
    dense_attr_t *a = calloc(1, sizeof *a + extra);
    if (!a) return -1;
    a->units = units, a->bias = bias != 0, a->center = center != 0;
    if (sparse) a->rows = (int32_t *)(a + 1), a->mark = (uint8_t *)(a->rows + K);
    n->attr = a;
    // dense: W (U, K) as PyTorch's Linear; sparse: W (V, U) so a call's weights are one row
    int64_t shape[2] = {sparse ? K : units, sparse ? units : K};
    if (gdl_nn_declare(g, n, "weight", 2, shape, init, K, units, 0) < 0) return -1;
    if (a->bias && gdl_nn_declare(g, n, "bias", 1, &units, GDL_INIT_ZERO, 0, 0, 0) < 0) return -1;
    // the variants' mean values, filled from the training data by the model (saved with it)
    if (a->center && gdl_nn_declare(g, n, "center", 1, &K, GDL_INIT_ZERO, 0, 0, 1) < 0) return -1;
    n->ndim = 1, n->shape[0] = units;
    return 0;
}

/* ---- center: inputs as x - mu, a sparse batch kept sparse -------------------------------------
 * W (x - mu) = W x - W mu: the forward subtracts c = W mu (U) from every output, the weight
 * gradient subtracts mu_k sum_i dy_i from every input k's weights. Without it every call is >= 0, so
 * an update that moves all of a unit's weights one way (Adam's steps are near-sign steps) shifts
 * the unit's input by lr times a sample's whole dosage sum, which kills ReLU units within a few
 * steps on cohorts of thousands of variants. Units (or rows) split over the threads, each
 * element summed in one order. */
typedef struct {
    const float *W, *mu, *s; // W (V, U) (sparse_dense) or (U, V) (dense), mu (V), s (U): sum of dy
    float *out;              // forward: c (U); backward: dW
    int64_t V, U;
    int by_unit;             // dense: W's rows are units
} center_ctx_t;

static const float *center_of(gdl_nn_t *g, const gdl_nn_node_t *n)
{
    const dense_attr_t *a = n->attr;
    return gdl_nn_p(g, n, a->bias ? 2 : 1);
}

static void center_units(void *ctx, int64_t begin, int64_t end, int chunk)
{
    (void)chunk;
    const center_ctx_t *c = ctx;
    int64_t U = c->U, u0 = begin * 16, u1 = end * 16 < U ? end * 16 : U;
    for (int64_t u = u0; u < u1; u++) c->out[u] = 0;
    if (c->by_unit) {
        for (int64_t u = u0; u < u1; u++)
            for (int64_t j = 0; j < c->V; j++) c->out[u] += c->mu[j] * c->W[u * c->V + j];
        return;
    }
    for (int64_t j = 0; j < c->V; j++) {
        float m = c->mu[j];
        if (m == 0) continue;
        const float *w = c->W + j * U;
        for (int64_t u = u0; u < u1; u++) c->out[u] += m * w[u];
    }
}

static void center_rows(void *ctx, int64_t begin, int64_t end, int chunk)
{
    (void)chunk;
    const center_ctx_t *c = ctx;
    if (c->by_unit) { // dense: rows of dW are units
        for (int64_t u = begin; u < end; u++)
            for (int64_t j = 0; j < c->V; j++) c->out[u * c->V + j] -= c->mu[j] * c->s[u];
        return;
    }
    for (int64_t j = begin; j < end; j++) {
        float m = c->mu[j], *dw = c->out + j * c->U;
        if (m != 0)
            for (int64_t u = 0; u < c->U; u++) dw[u] -= m * c->s[u];
    }
}

/* y -= W mu on every row of the layer's output. */
int gdl_nn_dense_center_forward(gdl_nn_t *g, gdl_nn_node_t *n, int by_unit)
{
    const dense_attr_t *a = n->attr;
    int64_t U = a->units, V = gdl_nn_in(g, n, 0)->size;
    float *cw = gdl_arena_floats(&g->arena, (size_t)U);
    if (!cw) return -1;
    center_ctx_t c = {gdl_nn_p(g, n, 0), center_of(g, n), NULL, cw, V, U, by_unit};
    gdl_parallel_for((U + 15) / 16, center_units, &c);
    for (int64_t i = 0; i < g->N; i++)
        for (int64_t u = 0; u < U; u++) n->out[i * U + u] -= cw[u];
    return 0;
}

/* dW -= mu (sum_i dy_i), after the uncentred weight gradient. */
void gdl_nn_dense_center_backward(gdl_nn_t *g, gdl_nn_node_t *n, int by_unit)
{
    const dense_attr_t *a = n->attr;
    int64_t U = a->units, V = gdl_nn_in(g, n, 0)->size;
    float *sum = gdl_arena_floats(&g->arena, (size_t)U);
    if (!sum) {
        g->failed = 1;
        return;
    }
    for (int64_t u = 0; u < U; u++) sum[u] = 0;
    for (int64_t i = 0; i < g->N; i++)
        for (int64_t u = 0; u < U; u++) sum[u] += n->dout[i * U + u];
    center_ctx_t c = {NULL, center_of(g, n), sum, gdl_nn_dp(g, n, 0), V, U, by_unit};
    gdl_parallel_for(by_unit ? U : V, center_rows, &c);
}

/* ---- dense: y (N, U) = x (N, K) W^T + b ---------------------------------------------------- */

int gdl_op_dense_setup(gdl_nn_t *g, gdl_nn_node_t *n, gdl_kv_t *kv) { return gdl_nn_dense_setup(g, n, kv, 0); }

int gdl_op_dense_forward(gdl_nn_t *g, gdl_nn_node_t *n, int train)
{
    (void)train;
    dense_attr_t *a = n->attr;
    gdl_nn_node_t *x = gdl_nn_in(g, n, 0);
    gdl_nn_linear(x->out, gdl_nn_p(g, n, 0), a->bias ? gdl_nn_p(g, n, 1) : NULL, g->N, a->units,
                  x->size, n->out);
    return a->center ? gdl_nn_dense_center_forward(g, n, 1) : 0;
}

void gdl_op_dense_backward(gdl_nn_t *g, gdl_nn_node_t *n)
{
    dense_attr_t *a = n->attr;
    gdl_nn_node_t *x = gdl_nn_in(g, n, 0);
    int64_t N = g->N, U = a->units, K = x->size;
    if (!g->no_param_grad) { // dW (U, K) += dy^T (U, N) x (N, K)
        gdl_sgemm(GDL_TRANS, GDL_NO_TRANS, U, K, N, 1.0f, n->dout, U, x->out, K, 1.0f,
                  gdl_nn_dp(g, n, 0), K);
        float *db = a->bias ? gdl_nn_dp(g, n, 1) : NULL;
        for (int64_t i = 0; db && i < N; i++)
            for (int64_t u = 0; u < U; u++) db[u] += n->dout[i * U + u];
        if (a->center) gdl_nn_dense_center_backward(g, n, 1);
    }
    // dx (N, K) += dy (N, U) W (U, K)
    if (x->dout)
        gdl_sgemm(GDL_NO_TRANS, GDL_NO_TRANS, N, K, U, 1.0f, n->dout, U, gdl_nn_p(g, n, 0), K,
                  1.0f, x->dout, K);
}
