/* Normalisation over the channel axis of (C) or (C, L) inputs (P = L positions, 1 for (C)):
 * batch norm takes statistics per channel over (N, P); layer norm per (sample, position) over C.
 * Both save x_hat and 1/sigma for the backward pass. */
#include <stdlib.h>

#include "nn_internal.h"

typedef struct {
    double eps, momentum;
    int64_t C, P;
} norm_attr_t;

typedef struct {
    float *xhat;   // (N, C, P)
    float *invstd; // batchnorm (C), layernorm (N, P)
} norm_saved_t;

static int norm_setup(gdl_nn_t *g, gdl_nn_node_t *n, gdl_kv_t *kv, int batch)
{
    norm_attr_t *a = malloc(sizeof *a);
    if (!a) return -1;
    n->attr = a;
    if (gdl_kv_float(kv, "eps", 1e-5, &a->eps) < 0 ||
        (batch && gdl_kv_float(kv, "momentum", 0.1, &a->momentum) < 0))
        return -1;
    gdl_nn_node_t *x = gdl_nn_in(g, n, 0);
    if (x->ndim > 2 || a->eps <= 0) {
        gdl_log_error("node '%s': needs a (C) or (C, L) input and eps > 0", n->name);
        return -1;
    }
    a->C = x->shape[0], a->P = x->ndim == 2 ? x->shape[1] : 1;
    n->ndim = x->ndim;
    memcpy(n->shape, x->shape, sizeof n->shape);
    if (gdl_nn_declare(g, n, "weight", 1, &a->C, GDL_INIT_ONE, 0, 0, 0) < 0 ||
        gdl_nn_declare(g, n, "bias", 1, &a->C, GDL_INIT_ZERO, 0, 0, 0) < 0)
        return -1;
    if (batch && (gdl_nn_declare(g, n, "running_mean", 1, &a->C, GDL_INIT_ZERO, 0, 0, 1) < 0 ||
                  gdl_nn_declare(g, n, "running_var", 1, &a->C, GDL_INIT_ONE, 0, 0, 1) < 0))
        return -1;
    return 0;
}

static norm_saved_t *new_saved(gdl_nn_t *g, gdl_nn_node_t *n, int64_t n_inv)
{
    norm_saved_t *s = gdl_arena_alloc(&g->arena, sizeof *s);
    if (!s || !(s->xhat = gdl_nn_scratch(g, g->N * n->size)) || !(s->invstd = gdl_nn_scratch(g, n_inv)))
        return NULL;
    n->saved = s;
    return s;
}

/* ---- batchnorm ------------------------------------------------------------------------------ */

int gdl_op_batchnorm_setup(gdl_nn_t *g, gdl_nn_node_t *n, gdl_kv_t *kv) { return norm_setup(g, n, kv, 1); }

int gdl_op_batchnorm_forward(gdl_nn_t *g, gdl_nn_node_t *n, int train)
{
    norm_attr_t *a = n->attr;
    const float *x = gdl_nn_in(g, n, 0)->out, *gamma = gdl_nn_p(g, n, 0), *beta = gdl_nn_p(g, n, 1);
    float *rmean = gdl_nn_p(g, n, 2), *rvar = gdl_nn_p(g, n, 3);
    int64_t C = a->C, P = a->P, N = g->N, M = N * P;
    norm_saved_t *s = new_saved(g, n, C);
    if (!s) return -1;
    if (train && M < 2) {
        gdl_log_error("node '%s': batch norm in train mode needs more than one value per channel", n->name);
        return -1;
    }
    for (int64_t c = 0; c < C; c++) {
        double mu, var;
        if (train) {
            double sum = 0, sq = 0;
            for (int64_t i = 0; i < N; i++)
                for (int64_t p = 0; p < P; p++) sum += x[(i * C + c) * P + p];
            mu = sum / (double)M;
            for (int64_t i = 0; i < N; i++)
                for (int64_t p = 0; p < P; p++) {
                    double d = x[(i * C + c) * P + p] - mu;
                    sq += d * d;
                }
            var = sq / (double)M;
            rmean[c] = (float)((1 - a->momentum) * rmean[c] + a->momentum * mu);
            rvar[c] = (float)((1 - a->momentum) * rvar[c] + a->momentum * var * (double)M / (double)(M - 1));
        } else {
            mu = rmean[c], var = rvar[c];
        }
        float inv = (float)(1 / sqrt(var + a->eps));
        s->invstd[c] = inv;
        for (int64_t i = 0; i < N; i++)
            for (int64_t p = 0; p < P; p++) {
                int64_t k = (i * C + c) * P + p;
                s->xhat[k] = (float)(x[k] - mu) * inv;
                n->out[k] = gamma[c] * s->xhat[k] + beta[c];
            }
    }
    return 0;
}

void gdl_op_batchnorm_backward(gdl_nn_t *g, gdl_nn_node_t *n)
{
    norm_attr_t *a = n->attr;
    norm_saved_t *s = n->saved;
    float *dx = gdl_nn_in(g, n, 0)->dout, *dgamma = gdl_nn_dp(g, n, 0), *dbeta = gdl_nn_dp(g, n, 1);
    const float *gamma = gdl_nn_p(g, n, 0);
    int64_t C = a->C, P = a->P, N = g->N, M = N * P;
    for (int64_t c = 0; c < C; c++) {
        double sdy = 0, sdyx = 0;
        for (int64_t i = 0; i < N; i++)
            for (int64_t p = 0; p < P; p++) {
                int64_t k = (i * C + c) * P + p;
                sdy += n->dout[k];
                sdyx += n->dout[k] * s->xhat[k];
            }
        dgamma[c] += (float)sdyx;
        dbeta[c] += (float)sdy;
        if (!dx) continue;
        float gi = gamma[c] * s->invstd[c];
        for (int64_t i = 0; i < N; i++)
            for (int64_t p = 0; p < P; p++) {
                int64_t k = (i * C + c) * P + p;
                if (g->train) // the batch statistics depend on x too
                    dx[k] += gi * (float)(n->dout[k] - sdy / (double)M - s->xhat[k] * sdyx / (double)M);
                else
                    dx[k] += gi * n->dout[k];
            }
    }
}

/* ---- layernorm ------------------------------------------------------------------------------ */

int gdl_op_layernorm_setup(gdl_nn_t *g, gdl_nn_node_t *n, gdl_kv_t *kv) { return norm_setup(g, n, kv, 0); }

int gdl_op_layernorm_forward(gdl_nn_t *g, gdl_nn_node_t *n, int train)
{
    (void)train;
    norm_attr_t *a = n->attr;
    const float *x = gdl_nn_in(g, n, 0)->out, *gamma = gdl_nn_p(g, n, 0), *beta = gdl_nn_p(g, n, 1);
    int64_t C = a->C, P = a->P;
    norm_saved_t *s = new_saved(g, n, g->N * P);
    if (!s) return -1;
    for (int64_t i = 0; i < g->N; i++)
        for (int64_t p = 0; p < P; p++) {
            const float *xs = x + i * C * P + p;
            double sum = 0, sq = 0;
            for (int64_t c = 0; c < C; c++) sum += xs[c * P];
            double mu = sum / (double)C;
            for (int64_t c = 0; c < C; c++) sq += (xs[c * P] - mu) * (xs[c * P] - mu);
            float inv = (float)(1 / sqrt(sq / (double)C + a->eps));
            s->invstd[i * P + p] = inv;
            for (int64_t c = 0; c < C; c++) {
                int64_t k = i * C * P + c * P + p;
                s->xhat[k] = (float)(x[k] - mu) * inv;
                n->out[k] = gamma[c] * s->xhat[k] + beta[c];
            }
        }
    return 0;
}

void gdl_op_layernorm_backward(gdl_nn_t *g, gdl_nn_node_t *n)
{
    norm_attr_t *a = n->attr;
    norm_saved_t *s = n->saved;
    float *dx = gdl_nn_in(g, n, 0)->dout, *dgamma = gdl_nn_dp(g, n, 0), *dbeta = gdl_nn_dp(g, n, 1);
    const float *gamma = gdl_nn_p(g, n, 0);
    int64_t C = a->C, P = a->P;
    for (int64_t i = 0; i < g->N; i++)
        for (int64_t p = 0; p < P; p++) {
            double sd = 0, sdx = 0; // over c of dxhat and dxhat * xhat
            for (int64_t c = 0; c < C; c++) {
                int64_t k = i * C * P + c * P + p;
                float dxh = n->dout[k] * gamma[c];
                dgamma[c] += n->dout[k] * s->xhat[k];
                dbeta[c] += n->dout[k];
                sd += dxh, sdx += dxh * s->xhat[k];
            }
            if (!dx) continue;
            float inv = s->invstd[i * P + p];
            for (int64_t c = 0; c < C; c++) {
                int64_t k = i * C * P + c * P + p;
                dx[k] += inv * (float)(n->dout[k] * gamma[c] - sd / (double)C - s->xhat[k] * sdx / (double)C);
            }
        }
}
