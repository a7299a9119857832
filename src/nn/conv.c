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

/* Samples are independent until the weight gradient, which each chunk of samples sums into
 * its own buffer and the chunks are added in order: the result depends on the thread count
 * (the split) but not on timing. Within a chunk, BLAS runs single-threaded. */
typedef struct {
    const conv_attr_t *a;
    const float *x, *Wb, *W, *dy;
    float *cols, *y, *dx;
    float *dWb;   // (chunks, F, K) partial weight gradients
    float *dcol;  // (chunks, C W, Lo) scratch
    int64_t xs, ys; // per-sample sizes of x and y
} conv_ctx_t;

static void conv_forward_rows(void *ctx, int64_t begin, int64_t end, int chunk)
{
    (void)chunk;
    const conv_ctx_t *c = ctx;
    const conv_attr_t *a = c->a;
    int64_t CW = a->C * a->W, K = inner(a);
    for (int64_t i = begin; i < end; i++) {
        float *col = c->cols + i * K * a->Lo;
        im2col(a, c->x + i * c->xs, col);
        if (a->bias)
            for (int64_t l = 0; l < a->Lo; l++) col[CW * a->Lo + l] = 1;
        gdl_sgemm(GDL_NO_TRANS, GDL_NO_TRANS, a->F, a->Lo, K, 1.0f, c->Wb, K, col, a->Lo, 0.0f,
                  c->y + i * c->ys, a->Lo);
    }
}

int conv1d_forward(gdl_nn_t *g, gdl_nn_node_t *n, int train)
{
    (void)train;
    conv_attr_t *a = n->attr;
    const float *W = gdl_nn_p(g, n, 0);
    int64_t CW = a->C * a->W, K = inner(a);
    float *cols = gdl_nn_scratch(g, g->N * K * a->Lo), *Wb = gdl_nn_scratch(g, a->F * K);
    if (!cols || !Wb) return -1;
    for (int64_t f = 0; f < a->F; f++) {
        memcpy(Wb + f * K, W + f * CW, sizeof(float) * (size_t)CW);
        if (a->bias) Wb[f * K + CW] = gdl_nn_p(g, n, 1)[f];
    }
    conv_ctx_t c = {.a = a, .x = gdl_nn_in(g, n, 0)->out, .Wb = Wb, .cols = cols, .y = n->out,
                    .xs = a->C * a->L, .ys = n->size};
    gdl_parallel_for_blas1(g->N, conv_forward_rows, &c);
    n->saved = cols;
    return 0;
}

static void conv_backward_rows(void *ctx, int64_t begin, int64_t end, int chunk)
{
    const conv_ctx_t *c = ctx;
    const conv_attr_t *a = c->a;
    int64_t CW = a->C * a->W, K = inner(a);
    float *dWb = c->dWb + chunk * a->F * K, *dcol = c->dx ? c->dcol + chunk * CW * a->Lo : NULL;
    for (int64_t i = begin; i < end; i++) {
        const float *dy = c->dy + i * c->ys, *col = c->cols + i * K * a->Lo;
        // d[W b] (F, K) += dy (F, Lo) col^T (Lo, K)
        gdl_sgemm(GDL_NO_TRANS, GDL_TRANS, a->F, K, a->Lo, 1.0f, dy, a->Lo, col, a->Lo, 1.0f, dWb, K);
        if (dcol) { // dcol (CW, Lo) = W^T (CW, F) dy (F, Lo)
            gdl_sgemm(GDL_TRANS, GDL_NO_TRANS, CW, a->Lo, a->F, 1.0f, c->W, CW, dy, a->Lo, 0.0f, dcol, a->Lo);
            col2im(a, dcol, c->dx + i * c->xs);
        }
    }
}

void conv1d_backward(gdl_nn_t *g, gdl_nn_node_t *n)
{
    conv_attr_t *a = n->attr;
    gdl_nn_node_t *x = gdl_nn_in(g, n, 0);
    int64_t CW = a->C * a->W, K = inner(a);
    int64_t chunks = gdl_threads_get() < g->N ? gdl_threads_get() : g->N; // gdl_parallel_for's split
    if (chunks > 64) chunks = 64;
    conv_ctx_t c = {.a = a, .W = gdl_nn_p(g, n, 0), .dy = n->dout, .cols = n->saved, .dx = x->dout,
                    .xs = a->C * a->L, .ys = n->size};
    c.dWb = gdl_nn_scratch0(g, chunks * a->F * K);
    c.dcol = x->dout ? gdl_nn_scratch(g, chunks * CW * a->Lo) : NULL;
    if (!c.dWb || (x->dout && !c.dcol)) return; // out of memory: gdl_nn_backward reports it
    gdl_parallel_for_blas1(g->N, conv_backward_rows, &c);
    float *dW = gdl_nn_dp(g, n, 0), *db = a->bias ? gdl_nn_dp(g, n, 1) : NULL;
    for (int64_t ch = 0; ch < chunks; ch++) {
        const float *part = c.dWb + ch * a->F * K;
        for (int64_t f = 0; f < a->F; f++) {
            for (int64_t k = 0; k < CW; k++) dW[f * CW + k] += part[f * K + k];
            if (db) db[f] += part[f * K + CW];
        }
    }
}
