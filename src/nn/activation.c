/* Activations: element-wise functions (shape kept) and softmax over the channel axis.
 * Each backward adds dy * f'(x) to dx. */
#include <stdlib.h>

#include "nn_internal.h"

static void same_shape(gdl_nn_t *g, gdl_nn_node_t *n)
{
    gdl_nn_node_t *x = gdl_nn_in(g, n, 0);
    n->ndim = x->ndim;
    memcpy(n->shape, x->shape, sizeof n->shape);
}

static int plain_setup(gdl_nn_t *g, gdl_nn_node_t *n, gdl_kv_t *kv)
{
    (void)kv;
    same_shape(g, n);
    return 0;
}

#define X(g, n) (gdl_nn_in(g, n, 0)->out)
#define DX(g, n) (gdl_nn_in(g, n, 0)->dout)
#define COUNT(g, n) ((g)->N * (n)->size)

/* ---- relu: y = max(0, x) -------------------------------------------------------------------- */

int gdl_op_relu_setup(gdl_nn_t *g, gdl_nn_node_t *n, gdl_kv_t *kv) { return plain_setup(g, n, kv); }

/* relu and leaky_relu are split over threads in contiguous ranges and vectorised (GDL_NN_HOT):
 * each element's value is the same whatever the split. alpha = 0 is relu. */
typedef struct {
    const float *x, *dy;
    float *y;  // forward: y; backward: dx
    float alpha;
} leaky_ctx_t;

GDL_NN_HOT static void leaky_fw_range(void *ctx, int64_t begin, int64_t end, int chunk)
{
    (void)chunk;
    const leaky_ctx_t *c = ctx;
    const float *restrict x = c->x;
    float *restrict y = c->y, alpha = c->alpha;
    if (alpha == 0)
        for (int64_t i = begin; i < end; i++) y[i] = x[i] > 0 ? x[i] : 0;
    else
        for (int64_t i = begin; i < end; i++) y[i] = x[i] > 0 ? x[i] : alpha * x[i];
}

GDL_NN_HOT static void leaky_bw_range(void *ctx, int64_t begin, int64_t end, int chunk)
{
    (void)chunk;
    const leaky_ctx_t *c = ctx;
    const float *restrict x = c->x, *restrict dy = c->dy;
    float *restrict dx = c->y, alpha = c->alpha;
    if (alpha == 0)
        for (int64_t i = begin; i < end; i++) dx[i] += x[i] > 0 ? dy[i] : 0;
    else
        for (int64_t i = begin; i < end; i++) dx[i] += x[i] > 0 ? dy[i] : alpha * dy[i];
}

GDL_NN_HOT static void rectify_range(void *ctx, int64_t begin, int64_t end, int chunk)
{
    (void)chunk;
    const leaky_ctx_t *c = ctx;
    float *x = c->y, alpha = c->alpha;
    if (alpha == 0)
        for (int64_t i = begin; i < end; i++) x[i] = x[i] > 0 ? x[i] : 0;
    else
        for (int64_t i = begin; i < end; i++) x[i] = x[i] > 0 ? x[i] : alpha * x[i];
}

void gdl_nn_rectify(float *x, int64_t n, float alpha)
{
    leaky_ctx_t c = {NULL, NULL, x, alpha};
    rectify_range(&c, 0, n, 0);
}

/* parallel only when the work outweighs waking a thread */
static void leaky_run(gdl_range_fn fn, leaky_ctx_t *c, int64_t n)
{
    if (n < (1 << 16)) fn(c, 0, n, 0);
    else gdl_parallel_for(n, fn, c);
}

/* n->out may be the input's own buffer (gdl_nn_infer runs rectifiers in place) */
static void rectifier_forward(gdl_nn_t *g, gdl_nn_node_t *n, float alpha)
{
    leaky_ctx_t c = {X(g, n), NULL, n->out, alpha};
    leaky_run(n->out == X(g, n) ? rectify_range : leaky_fw_range, &c, COUNT(g, n));
}

int gdl_op_relu_forward(gdl_nn_t *g, gdl_nn_node_t *n, int train)
{
    (void)train;
    rectifier_forward(g, n, 0);
    return 0;
}

void gdl_op_relu_backward(gdl_nn_t *g, gdl_nn_node_t *n)
{
    leaky_ctx_t c = {X(g, n), n->dout, DX(g, n), 0};
    leaky_run(leaky_bw_range, &c, COUNT(g, n));
}

/* ---- leaky_relu: y = x > 0 ? x : alpha x ---------------------------------------------------- */

int gdl_op_leaky_relu_setup(gdl_nn_t *g, gdl_nn_node_t *n, gdl_kv_t *kv)
{
    double alpha;
    if (gdl_kv_float(kv, "alpha", 0.01, &alpha) < 0) return -1;
    float *a = malloc(sizeof *a);
    if (!a) return -1;
    *a = (float)alpha;
    n->attr = a;
    same_shape(g, n);
    return 0;
}

int gdl_op_leaky_relu_forward(gdl_nn_t *g, gdl_nn_node_t *n, int train)
{
    (void)train;
    rectifier_forward(g, n, *(float *)n->attr);
    return 0;
}

void gdl_op_leaky_relu_backward(gdl_nn_t *g, gdl_nn_node_t *n)
{
    leaky_ctx_t c = {X(g, n), n->dout, DX(g, n), *(float *)n->attr};
    leaky_run(leaky_bw_range, &c, COUNT(g, n));
}

int gdl_nn_rectifier_alpha(const gdl_nn_node_t *n, float *alpha)
{
    if (n->op == GDL_OP_RELU) *alpha = 0;
    else if (n->op == GDL_OP_LEAKY_RELU) *alpha = *(const float *)n->attr;
    else return 0;
    return *alpha >= 0;
}

/* ---- sigmoid: y = 1 / (1 + exp(-x)); dy/dx = y (1 - y) -------------------------------------- */

int gdl_op_sigmoid_setup(gdl_nn_t *g, gdl_nn_node_t *n, gdl_kv_t *kv) { return plain_setup(g, n, kv); }

int gdl_op_sigmoid_forward(gdl_nn_t *g, gdl_nn_node_t *n, int train)
{
    (void)train;
    const float *x = X(g, n);
    for (int64_t i = 0; i < COUNT(g, n); i++) n->out[i] = gdl_sigmoidf(x[i]);
    return 0;
}

void gdl_op_sigmoid_backward(gdl_nn_t *g, gdl_nn_node_t *n)
{
    float *dx = DX(g, n);
    for (int64_t i = 0; i < COUNT(g, n); i++) dx[i] += n->dout[i] * n->out[i] * (1 - n->out[i]);
}

/* ---- tanh: y = tanh(x); dy/dx = 1 - y^2 ----------------------------------------------------- */

int gdl_op_tanh_setup(gdl_nn_t *g, gdl_nn_node_t *n, gdl_kv_t *kv) { return plain_setup(g, n, kv); }

int gdl_op_tanh_forward(gdl_nn_t *g, gdl_nn_node_t *n, int train)
{
    (void)train;
    const float *x = X(g, n);
    for (int64_t i = 0; i < COUNT(g, n); i++) n->out[i] = gdl_tanhf(x[i]);
    return 0;
}

void gdl_op_tanh_backward(gdl_nn_t *g, gdl_nn_node_t *n)
{
    float *dx = DX(g, n);
    for (int64_t i = 0; i < COUNT(g, n); i++) dx[i] += n->dout[i] * (1 - n->out[i] * n->out[i]);
}

/* ---- gelu: y = x Phi(x), Phi the normal CDF (PyTorch's default, exact form) ----------------- */

int gdl_op_gelu_setup(gdl_nn_t *g, gdl_nn_node_t *n, gdl_kv_t *kv) { return plain_setup(g, n, kv); }

int gdl_op_gelu_forward(gdl_nn_t *g, gdl_nn_node_t *n, int train)
{
    (void)train;
    const float *x = X(g, n);
    for (int64_t i = 0; i < COUNT(g, n); i++)
        n->out[i] = 0.5f * x[i] * (1.0f + erff(x[i] * (float)M_SQRT1_2));
    return 0;
}

void gdl_op_gelu_backward(gdl_nn_t *g, gdl_nn_node_t *n)
{
    const float *x = X(g, n);
    float *dx = DX(g, n);
    const float inv_sqrt_2pi = 0.3989422804014327f;
    for (int64_t i = 0; i < COUNT(g, n); i++) {
        float cdf = 0.5f * (1.0f + erff(x[i] * (float)M_SQRT1_2));
        float pdf = inv_sqrt_2pi * expf(-0.5f * x[i] * x[i]);
        dx[i] += n->dout[i] * (cdf + x[i] * pdf);
    }
}

/* ---- softmax over axis 0: y_c = exp(x_c - max) / sum; dx_c = y_c (dy_c - sum_c' dy_c' y_c') - */

int gdl_op_softmax_setup(gdl_nn_t *g, gdl_nn_node_t *n, gdl_kv_t *kv) { return plain_setup(g, n, kv); }

int gdl_op_softmax_forward(gdl_nn_t *g, gdl_nn_node_t *n, int train)
{
    (void)train;
    const float *x = X(g, n);
    int64_t C = n->shape[0], P = n->size / C; // P positions, stride P between channels
    for (int64_t i = 0; i < g->N; i++)
        for (int64_t p = 0; p < P; p++) {
            const float *xs = x + i * n->size + p;
            float *ys = n->out + i * n->size + p, mx = xs[0];
            for (int64_t c = 1; c < C; c++) mx = xs[c * P] > mx ? xs[c * P] : mx;
            double sum = 0;
            for (int64_t c = 0; c < C; c++) sum += ys[c * P] = expf(xs[c * P] - mx);
            for (int64_t c = 0; c < C; c++) ys[c * P] = (float)(ys[c * P] / sum);
        }
    return 0;
}

void gdl_op_softmax_backward(gdl_nn_t *g, gdl_nn_node_t *n)
{
    float *dx = DX(g, n);
    int64_t C = n->shape[0], P = n->size / C;
    for (int64_t i = 0; i < g->N; i++)
        for (int64_t p = 0; p < P; p++) {
            int64_t o = i * n->size + p;
            double dot = 0;
            for (int64_t c = 0; c < C; c++) dot += n->dout[o + c * P] * n->out[o + c * P];
            for (int64_t c = 0; c < C; c++)
                dx[o + c * P] += n->out[o + c * P] * (n->dout[o + c * P] - (float)dot);
        }
}
