/* Dense layers: the fully connected layer and its sparse-input variant for genotype dosages.
 * N batch, K input features, U units, V sparse columns. */
#include <stdlib.h>

#include "nn_internal.h"

typedef struct {
    int64_t units;
    int bias;
    /* sparse_dense: the weight rows with gradient since the last zero_grad, so zero_grad and
     * the lazy optimizer touch only them. Both arrays (V) follow the struct in its one block. */
    int tracked;     // 1 once zero_grad has cleared the whole weight gradient
    int64_t n_rows;  // rows listed
    int32_t *rows;   // (V) row indices, in first-touch order
    uint8_t *mark;   // (V) 1 when listed
} dense_attr_t;

static int dense_common_setup(gdl_nn_t *g, gdl_nn_node_t *n, gdl_kv_t *kv, int sparse)
{
    int64_t units, bias;
    gdl_init_t init;
    if (gdl_kv_int(kv, "units", 0, 1, &units) < 0 || gdl_kv_int(kv, "bias", 1, 0, &bias) < 0 ||
        gdl_kv_init(kv, GDL_INIT_GLOROT, &init) < 0)
        return -1;
    if (units < 1) {
        gdl_log_error("node '%s': units=%lld", n->name, (long long)units);
        return -1;
    }
    int64_t K = gdl_nn_in(g, n, 0)->size;
    size_t extra = sparse ? (size_t)K * (sizeof(int32_t) + 1) : 0;
    dense_attr_t *a = calloc(1, sizeof *a + extra);
    if (!a) return -1;
    a->units = units, a->bias = bias != 0;
    if (sparse) a->rows = (int32_t *)(a + 1), a->mark = (uint8_t *)(a->rows + K);
    n->attr = a;
    // dense: W (U, K) as PyTorch's Linear; sparse: W (V, U) so a call's weights are one row
    int64_t shape[2] = {sparse ? K : units, sparse ? units : K};
    if (gdl_nn_declare(g, n, "weight", 2, shape, init, K, units, 0) < 0) return -1;
    if (a->bias && gdl_nn_declare(g, n, "bias", 1, &units, GDL_INIT_ZERO, 0, 0, 0) < 0) return -1;
    n->ndim = 1, n->shape[0] = units;
    return 0;
}

/* ---- dense: y (N, U) = x (N, K) W^T + b ---------------------------------------------------- */

int dense_setup(gdl_nn_t *g, gdl_nn_node_t *n, gdl_kv_t *kv) { return dense_common_setup(g, n, kv, 0); }

int dense_forward(gdl_nn_t *g, gdl_nn_node_t *n, int train)
{
    (void)train;
    dense_attr_t *a = n->attr;
    gdl_nn_node_t *x = gdl_nn_in(g, n, 0);
    gdl_nn_linear(x->out, gdl_nn_p(g, n, 0), a->bias ? gdl_nn_p(g, n, 1) : NULL, g->N, a->units,
                  x->size, n->out);
    return 0;
}

void dense_backward(gdl_nn_t *g, gdl_nn_node_t *n)
{
    dense_attr_t *a = n->attr;
    gdl_nn_node_t *x = gdl_nn_in(g, n, 0);
    int64_t N = g->N, U = a->units, K = x->size;
    // dW (U, K) += dy^T (U, N) x (N, K)
    gdl_sgemm(GDL_TRANS, GDL_NO_TRANS, U, K, N, 1.0f, n->dout, U, x->out, K, 1.0f,
              gdl_nn_dp(g, n, 0), K);
    if (a->bias) {
        float *db = gdl_nn_dp(g, n, 1);
        for (int64_t i = 0; i < N; i++)
            for (int64_t u = 0; u < U; u++) db[u] += n->dout[i * U + u];
    }
    // dx (N, K) += dy (N, U) W (U, K)
    if (x->dout)
        gdl_sgemm(GDL_NO_TRANS, GDL_NO_TRANS, N, K, U, 1.0f, n->dout, U, gdl_nn_p(g, n, 0), K,
                  1.0f, x->dout, K);
}

/* ---- sparse_dense: y_i (U) = b + sum_k v_k W[c_k, :] over sample i's calls -----------------
 * The input is a CSR batch (gdl_nn_sparse_t): cost is nnz * U instead of N * V * U, and the
 * weight gradient touches only the rows of the columns present in the batch. When the input's
 * gradient is asked for (attribution), it is dense: (N, V), read with gdl_nn_grad. */

int sparse_dense_setup(gdl_nn_t *g, gdl_nn_node_t *n, gdl_kv_t *kv) { return dense_common_setup(g, n, kv, 1); }

static const float *W_of(gdl_nn_t *g, gdl_nn_node_t *n) { return gdl_nn_p(g, n, 0); }

typedef struct {
    const gdl_nn_sparse_t *sp;
    const float *W, *b;
    float *y;
    int64_t U;
} sparse_ctx_t;

GDL_NN_HOT static void sparse_rows(void *ctx, int64_t begin, int64_t end, int chunk)
{
    (void)chunk;
    sparse_ctx_t *c = ctx;
    for (int64_t i = begin; i < end; i++) {
        float *y = c->y + i * c->U;
        if (c->b) memcpy(y, c->b, sizeof(float) * (size_t)c->U);
        else memset(y, 0, sizeof(float) * (size_t)c->U);
        for (int64_t k = c->sp->row[i]; k < c->sp->row[i + 1]; k++) {
            const float *w = c->W + (int64_t)c->sp->col[k] * c->U;
            float v = c->sp->val[k];
            for (int64_t u = 0; u < c->U; u++) y[u] += v * w[u];
        }
    }
}

int sparse_dense_forward(gdl_nn_t *g, gdl_nn_node_t *n, int train)
{
    (void)train;
    dense_attr_t *a = n->attr;
    sparse_ctx_t c = {gdl_nn_in(g, n, 0)->sp, gdl_nn_p(g, n, 0), a->bias ? gdl_nn_p(g, n, 1) : NULL,
                      n->out, a->units};
    gdl_parallel_for(g->N, sparse_rows, &c);
    return 0;
}

/* dW rows for units [u0, u1) of every call in sample order: each thread owns a slice of the
 * units, so the sums are the serial loop's, bit for bit, for any thread count. */
typedef struct {
    const gdl_nn_sparse_t *sp;
    const float *dy;
    float *dW;
    int64_t N, U;
} sparse_bw_t;

GDL_NN_HOT static void sparse_bw_units(void *ctx, int64_t begin, int64_t end, int chunk)
{
    (void)chunk;
    const sparse_bw_t *c = ctx;
    int64_t u0 = begin * 16, u1 = end * 16 < c->U ? end * 16 : c->U, U = c->U;
    for (int64_t i = 0; i < c->N; i++) {
        const float *dy = c->dy + i * U;
        for (int64_t k = c->sp->row[i]; k < c->sp->row[i + 1]; k++) {
            float *dw = c->dW + (int64_t)c->sp->col[k] * U, v = c->sp->val[k];
            for (int64_t u = u0; u < u1; u++) dw[u] += v * dy[u];
        }
    }
}

void sparse_dense_backward(gdl_nn_t *g, gdl_nn_node_t *n)
{
    dense_attr_t *a = n->attr;
    const gdl_nn_sparse_t *sp = gdl_nn_in(g, n, 0)->sp;
    int64_t U = a->units, nnz = sp->row[g->N];
    for (int64_t k = 0; k < nnz; k++) { // the rows this step gives a gradient
        int32_t c = sp->col[k];
        if (!a->mark[c]) a->mark[c] = 1, a->rows[a->n_rows++] = c;
    }
    sparse_bw_t c = {sp, n->dout, gdl_nn_dp(g, n, 0), g->N, U};
    gdl_parallel_for((U + 15) / 16, sparse_bw_units, &c);
    if (a->bias) {
        float *db = gdl_nn_dp(g, n, 1);
        for (int64_t i = 0; i < g->N; i++)
            for (int64_t u = 0; u < U; u++) db[u] += n->dout[i * U + u];
    }
    // attribution asked for d y / d dosage: dense dx (N, V) += dy (N, U) W^T (U, V)
    gdl_nn_node_t *x = gdl_nn_in(g, n, 0);
    if (x->dout)
        gdl_sgemm(GDL_NO_TRANS, GDL_TRANS, g->N, x->size, U, 1.0f, n->dout, U, W_of(g, n), U, 1.0f,
                  x->dout, x->size);
}

/* Zeroes the weight gradient: only the rows listed since the last call once the whole of it has
 * been cleared, so the cost follows the batch's calls, not V. */
void sparse_dense_zero_grad(gdl_nn_t *g, gdl_nn_node_t *n)
{
    dense_attr_t *a = n->attr;
    float *dW = gdl_nn_dp(g, n, 0);
    int64_t U = a->units;
    if (!a->tracked) {
        memset(dW, 0, sizeof(float) * (size_t)(gdl_nn_in(g, n, 0)->size * U));
        a->tracked = 1;
    } else {
        for (int64_t r = 0; r < a->n_rows; r++) memset(dW + (int64_t)a->rows[r] * U, 0, sizeof(float) * (size_t)U);
    }
    for (int64_t r = 0; r < a->n_rows; r++) a->mark[a->rows[r]] = 0;
    a->n_rows = 0;
}

int64_t sparse_dense_grad_rows(const gdl_nn_node_t *n, const int32_t **rows)
{
    const dense_attr_t *a = n->attr;
    *rows = a->rows;
    return a->tracked ? a->n_rows : -1;
}
