/* Dense layers: the fully connected layer and its sparse-input variant for genotype dosages.
 * N batch, K input features, U units, V sparse columns. */
#include <stdint.h>
#include <stdlib.h>
#if defined(__SSE2__)
#include <immintrin.h>
#endif

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

/* The batch's calls are regrouped by column (CSC) once per forward, so each weight row called in
 * the batch is read once, not once per call: a batch of 256 samples with 1,500 calls each reads
 * the 154 MB weight of a 75,203 x 512 layer once instead of 5 times. Within a column the
 * samples stay in order, and the columns are visited in ascending order, so every sum runs in
 * the order the serial per-sample loop used over ascending columns. Threads split the units. */
typedef struct {
    int64_t n_cols;   // columns called in the batch
    int32_t *cols;    // (n_cols) ascending
    int64_t *start;   // (n_cols + 1) their entries
    int32_t *sample;  // (nnz) in sample order within a column
    float *val;       // (nnz)
} sparse_csc_t;

static sparse_csc_t *sparse_csc(gdl_nn_t *g, const gdl_nn_sparse_t *sp, int64_t N, int64_t V)
{
    int64_t nnz = sp->row[N];
    sparse_csc_t *t = gdl_arena_alloc(&g->arena, sizeof *t);
    int64_t *count = gdl_arena_alloc(&g->arena, sizeof(int64_t) * (size_t)(V + 1));
    if (!t || !count) return NULL;
    t->sample = gdl_arena_alloc(&g->arena, sizeof(int32_t) * (size_t)(nnz ? nnz : 1));
    t->val = gdl_arena_floats(&g->arena, (size_t)(nnz ? nnz : 1));
    memset(count, 0, sizeof(int64_t) * (size_t)(V + 1));
    int64_t n_cols = 0;
    for (int64_t k = 0; k < nnz; k++) n_cols += count[sp->col[k]]++ == 0;
    t->cols = gdl_arena_alloc(&g->arena, sizeof(int32_t) * (size_t)(n_cols ? n_cols : 1));
    t->start = gdl_arena_alloc(&g->arena, sizeof(int64_t) * (size_t)(n_cols + 1));
    if (!t->sample || !t->val || !t->cols || !t->start) return NULL;
    int64_t at = 0, j = 0;
    for (int64_t v = 0; v < V; v++) { // count[v] becomes the next free slot of column v
        int64_t c = count[v];
        if (c) t->cols[j] = (int32_t)v, t->start[j++] = at;
        count[v] = at, at += c;
    }
    t->start[n_cols] = at, t->n_cols = n_cols;
    for (int64_t i = 0; i < N; i++)
        for (int64_t k = sp->row[i]; k < sp->row[i + 1]; k++) {
            int64_t q = count[sp->col[k]]++;
            t->sample[q] = (int32_t)i, t->val[q] = sp->val[k];
        }
    return t;
}

typedef struct {
    const sparse_csc_t *t;
    const float *W, *b, *dy;
    float *y, *dW;
    const uint8_t *fresh;  // (n_cols) backward: 1 when the column's gradient row is still zero
    int64_t N, U;
} sparse_ctx_t;

/* Weight rows are visited in ascending column order but with gaps (a batch calls ~70% of the
 * variants), and a gap stops the hardware's stream prefetch: a thread then reads ~9 GB/s. Asking
 * for the rows PF_COLS columns ahead into L2 (not L1, whose few miss buffers would cap the
 * requests in flight) doubles that. */
enum { PF_COLS = 4 };

static inline void prefetch_l2(const float *p, int64_t n)
{
    for (int64_t off = 0; off < n; off += 16) __builtin_prefetch(p + off, 0, 1);
}

/* y (N, U) for units [16 begin, 16 end) */
GDL_NN_HOT static void sparse_fw_units(void *ctx, int64_t begin, int64_t end, int chunk)
{
    (void)chunk;
    const sparse_ctx_t *c = ctx;
    const sparse_csc_t *t = c->t;
    int64_t U = c->U, u0 = begin * 16, u1 = end * 16 < U ? end * 16 : U;
    for (int64_t i = 0; i < c->N; i++)
        for (int64_t u = u0; u < u1; u++) c->y[i * U + u] = c->b ? c->b[u] : 0;
    for (int64_t j = 0; j < t->n_cols; j++) {
        const float *w = c->W + (int64_t)t->cols[j] * U;
        if (j + PF_COLS < t->n_cols) prefetch_l2(c->W + (int64_t)t->cols[j + PF_COLS] * U + u0, u1 - u0);
        for (int64_t k = t->start[j]; k < t->start[j + 1]; k++) {
            float *y = c->y + (int64_t)t->sample[k] * U, v = t->val[k];
            for (int64_t u = u0; u < u1; u++) y[u] += v * w[u];
        }
    }
}

int sparse_dense_forward(gdl_nn_t *g, gdl_nn_node_t *n, int train)
{
    (void)train;
    dense_attr_t *a = n->attr;
    gdl_nn_node_t *x = gdl_nn_in(g, n, 0);
    sparse_csc_t *t = sparse_csc(g, x->sp, g->N, x->size);
    if (!t) return -1;
    sparse_ctx_t c = {t, gdl_nn_p(g, n, 0), a->bias ? gdl_nn_p(g, n, 1) : NULL, NULL, n->out, NULL, NULL,
                      g->N, a->units};
    gdl_parallel_for((a->units + 15) / 16, sparse_fw_units, &c);
    n->saved = t;
    return 0;
}

/* Eight floats as one value (GCC/Clang vector extension): an AVX2 register in the AVX2 clone,
 * two SSE registers in the default one; a * b + c stays two roundings (no contraction in C11).
 * v8f_u reads and writes them at any float address. */
typedef float v8f __attribute__((vector_size(32)));
typedef float v8f_u __attribute__((vector_size(32), aligned(4), may_alias));
#define AT8(p) (*(v8f_u *)(p))

/* Stores that bypass the cache, for gradient rows nothing reads again this step: a plain store
 * first reads the line it overwrites, doubling the traffic of a 2 KB row. p 16-byte aligned.
 * The values are the same either way; sfence_streams() orders them before other threads read. */
static inline void stream8(float *p, const v8f *x)
{
#if defined(__SSE2__)
    __m128 lo, hi;
    memcpy(&lo, x, sizeof lo), memcpy(&hi, (const char *)x + sizeof lo, sizeof hi);
    _mm_stream_ps(p, lo), _mm_stream_ps(p + 4, hi);
#else
    memcpy(p, x, sizeof *x);
#endif
}

static void sfence_streams(void)
{
#if defined(__SSE2__)
    _mm_sfence();
#endif
}

/* dW rows for units [16 begin, 16 end): each called row once, its samples in order, summed in
 * registers 64 units at a time. A row without gradient yet holds zeros (zero_grad's invariant),
 * so its sum starts from 0 and is stored, not read: the same bits as adding to the zeros. */
enum { BW_BLOCK = 64 };

GDL_NN_HOT static void sparse_bw_units(void *ctx, int64_t begin, int64_t end, int chunk)
{
    (void)chunk;
    const sparse_ctx_t *c = ctx;
    const sparse_csc_t *t = c->t;
    int64_t U = c->U, u0 = begin * 16, u1 = end * 16 < U ? end * 16 : U;
    for (int64_t j = 0; j < t->n_cols; j++) {
        float *dw = c->dW + (int64_t)t->cols[j] * U;
        int fresh = c->fresh[j];
        int64_t k0 = t->start[j], k1 = t->start[j + 1], ub = u0;
        if (j + PF_COLS < t->n_cols && !c->fresh[j + PF_COLS])
            prefetch_l2(c->dW + (int64_t)t->cols[j + PF_COLS] * U + u0, u1 - u0);
        for (; ub + BW_BLOCK <= u1; ub += BW_BLOCK) {
            v8f acc[BW_BLOCK / 8];
            for (int q = 0; q < BW_BLOCK / 8; q++) acc[q] = fresh ? (v8f){0} : (v8f)AT8(dw + ub + 8 * q);
            for (int64_t k = k0; k < k1; k++) {
                const float *dy = c->dy + (int64_t)t->sample[k] * U + ub;
                float v = t->val[k];
                for (int q = 0; q < BW_BLOCK / 8; q++) acc[q] += v * AT8(dy + 8 * q);
            }
            if (fresh && !((uintptr_t)(dw + ub) & 15))
                for (int q = 0; q < BW_BLOCK / 8; q++) stream8(dw + ub + 8 * q, &acc[q]);
            else
                for (int q = 0; q < BW_BLOCK / 8; q++) AT8(dw + ub + 8 * q) = acc[q];
        }
        for (; ub < u1; ub++) { // units past the last full block
            float a = fresh ? 0.0f : dw[ub];
            for (int64_t k = k0; k < k1; k++) a += t->val[k] * c->dy[(int64_t)t->sample[k] * U + ub];
            dw[ub] = a;
        }
    }
    sfence_streams();
}

void sparse_dense_backward(gdl_nn_t *g, gdl_nn_node_t *n)
{
    dense_attr_t *a = n->attr;
    const sparse_csc_t *t = n->saved;
    int64_t U = a->units;
    uint8_t *fresh = gdl_arena_alloc(&g->arena, (size_t)(t->n_cols ? t->n_cols : 1));
    if (!fresh) {
        g->failed = 1;
        return;
    }
    for (int64_t j = 0; j < t->n_cols; j++) { // the rows this step gives a gradient
        int32_t c = t->cols[j];
        fresh[j] = a->tracked && !a->mark[c];
        if (!a->mark[c]) a->mark[c] = 1, a->rows[a->n_rows++] = c;
    }
    sparse_ctx_t c = {t, NULL, NULL, n->dout, NULL, gdl_nn_dp(g, n, 0), fresh, g->N, U};
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

/* Streams zeros over a row (plain stores where it is not 16-byte aligned). */
static void zero_row(float *p, int64_t n)
{
    int64_t i = 0;
    for (; i < n && ((uintptr_t)(p + i) & 15); i++) p[i] = 0;
    const v8f zero = {0};
    for (; i + 8 <= n; i += 8) stream8(p + i, &zero);
    for (; i < n; i++) p[i] = 0;
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
        for (int64_t r = 0; r < a->n_rows; r++) zero_row(dW + (int64_t)a->rows[r] * U, U);
        sfence_streams();
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
