/* conv1d lowered to GEMM: per sample, im2col builds col (C W, Lo) and y (F, Lo) = W (F, C W)
 * col + b. Backward reuses the saved columns: dW += dy col^T, dcol = W^T dy, then col2im.
 * N batch, C input channels, L input length, F filters, W width, Lo output length. */
#include <stdlib.h>

#include "nn_internal.h"

typedef struct {
    int64_t F, W, stride, dilation, pad; // pad: zeros on the left (the right gets the rest)
    int bias;
    int64_t C, L, Lo;
} conv_attr_t;

int conv1d_setup(gdl_nn_t *g, gdl_nn_node_t *n, gdl_kv_t *kv)
{
    int64_t F, W, s, d, bias;
    gdl_init_t init;
    if (gdl_kv_int(kv, "filters", 0, 1, &F) < 0 || gdl_kv_int(kv, "width", 0, 1, &W) < 0 ||
        gdl_kv_int(kv, "stride", 1, 0, &s) < 0 || gdl_kv_int(kv, "dilation", 1, 0, &d) < 0 ||
        gdl_kv_int(kv, "bias", 1, 0, &bias) < 0 || gdl_kv_init(kv, GDL_INIT_GLOROT, &init) < 0)
        return -1;
    const char *padding = gdl_kv_str(kv, "padding", "valid");
    gdl_nn_node_t *x = gdl_nn_in(g, n, 0);
    if (x->ndim != 2) {
        gdl_log_error("node '%s': conv1d needs a (C, L) input, '%s' is %d-D", n->name, x->name, x->ndim);
        return -1;
    }
    if (F < 1 || W < 1 || s < 1 || d < 1) {
        gdl_log_error("node '%s': filters, width, stride and dilation must be >= 1", n->name);
        return -1;
    }
    int64_t C = x->shape[0], L = x->shape[1], span = d * (W - 1) + 1, Lo, pad;
    if (!strcmp(padding, "valid")) {
        pad = 0;
        Lo = L >= span ? (L - span) / s + 1 : 0;
    } else if (!strcmp(padding, "same")) { // Keras/TensorFlow rule; PyTorch's for stride 1
        Lo = (L + s - 1) / s;
        int64_t total = (Lo - 1) * s + span - L;
        pad = total > 0 ? total / 2 : 0;
    } else {
        gdl_log_error("node '%s': padding=%s (expected valid or same)", n->name, padding);
        return -1;
    }
    conv_attr_t *a = malloc(sizeof *a);
    if (!a) return -1;
    *a = (conv_attr_t){F, W, s, d, pad, bias != 0, C, L, Lo};
    n->attr = a;
    if (gdl_nn_declare(g, n, "weight", 3, (int64_t[]){F, C, W}, init, C * W, F * W, 0) < 0) return -1;
    if (a->bias && gdl_nn_declare(g, n, "bias", 1, &F, GDL_INIT_ZERO, 0, 0, 0) < 0) return -1;
    n->ndim = 2, n->shape[0] = F, n->shape[1] = Lo;
    return 0;
}

/* col (C W, Lo) from one sample x (C, L) */
static void im2col(const conv_attr_t *a, const float *x, float *col)
{
    for (int64_t c = 0; c < a->C; c++)
        for (int64_t k = 0; k < a->W; k++) {
            float *row = col + (c * a->W + k) * a->Lo;
            int64_t start = k * a->dilation - a->pad;
            for (int64_t l = 0; l < a->Lo; l++) {
                int64_t p = l * a->stride + start;
                row[l] = p >= 0 && p < a->L ? x[c * a->L + p] : 0;
            }
        }
}

static void col2im(const conv_attr_t *a, const float *col, float *dx)
{
    for (int64_t c = 0; c < a->C; c++)
        for (int64_t k = 0; k < a->W; k++) {
            const float *row = col + (c * a->W + k) * a->Lo;
            int64_t start = k * a->dilation - a->pad;
            for (int64_t l = 0; l < a->Lo; l++) {
                int64_t p = l * a->stride + start;
                if (p >= 0 && p < a->L) dx[c * a->L + p] += row[l];
            }
        }
}

/* The bias rides in the GEMM: W is augmented with a bias column and col with a row of ones
 * (K = C W + 1), so the forward pass has no separate bias sweep over y, and the backward GEMM
 * gives db as the last column of d[W b]. */
static int64_t inner(const conv_attr_t *a) { return a->C * a->W + a->bias; }

int conv1d_forward(gdl_nn_t *g, gdl_nn_node_t *n, int train)
{
    (void)train;
    conv_attr_t *a = n->attr;
    const float *x = gdl_nn_in(g, n, 0)->out, *W = gdl_nn_p(g, n, 0);
    int64_t CW = a->C * a->W, K = inner(a);
    float *cols = gdl_nn_scratch(g, g->N * K * a->Lo), *Wb = gdl_nn_scratch(g, a->F * K);
    if (!cols || !Wb) return -1;
    for (int64_t f = 0; f < a->F; f++) {
        memcpy(Wb + f * K, W + f * CW, sizeof(float) * (size_t)CW);
        if (a->bias) Wb[f * K + CW] = gdl_nn_p(g, n, 1)[f];
    }
    for (int64_t i = 0; i < g->N; i++) {
        float *col = cols + i * K * a->Lo;
        im2col(a, x + i * a->C * a->L, col);
        if (a->bias)
            for (int64_t l = 0; l < a->Lo; l++) col[CW * a->Lo + l] = 1;
        gdl_sgemm(GDL_NO_TRANS, GDL_NO_TRANS, a->F, a->Lo, K, 1.0f, Wb, K, col, a->Lo, 0.0f,
                  n->out + i * n->size, a->Lo);
    }
    n->saved = cols;
    return 0;
}

void conv1d_backward(gdl_nn_t *g, gdl_nn_node_t *n)
{
    conv_attr_t *a = n->attr;
    gdl_nn_node_t *x = gdl_nn_in(g, n, 0);
    const float *W = gdl_nn_p(g, n, 0), *cols = n->saved;
    int64_t CW = a->C * a->W, K = inner(a);
    float *dWb = gdl_nn_scratch0(g, a->F * K), *dcol = x->dout ? gdl_nn_scratch(g, CW * a->Lo) : NULL;
    if (!dWb || (x->dout && !dcol)) return; // out of memory: gdl_nn_backward reports it
    for (int64_t i = 0; i < g->N; i++) {
        const float *dy = n->dout + i * n->size, *col = cols + i * K * a->Lo;
        // d[W b] (F, K) += dy (F, Lo) col^T (Lo, K)
        gdl_sgemm(GDL_NO_TRANS, GDL_TRANS, a->F, K, a->Lo, 1.0f, dy, a->Lo, col, a->Lo, 1.0f, dWb, K);
        if (dcol) { // dcol (CW, Lo) = W^T (CW, F) dy (F, Lo)
            gdl_sgemm(GDL_TRANS, GDL_NO_TRANS, CW, a->Lo, a->F, 1.0f, W, CW, dy, a->Lo, 0.0f, dcol, a->Lo);
            col2im(a, dcol, x->dout + i * a->C * a->L);
        }
    }
    float *dW = gdl_nn_dp(g, n, 0);
    for (int64_t f = 0; f < a->F; f++) {
        for (int64_t k = 0; k < CW; k++) dW[f * CW + k] += dWb[f * K + k];
        if (a->bias) gdl_nn_dp(g, n, 1)[f] += dWb[f * K + CW];
    }
}
