/* conv1d lowered to GEMM: im2col builds col (C W, Lo) per sample and y (F, Lo) = W (F, C W)
 * col + b, a block of samples per GEMM. Backward lowers each block again: dW += dy col^T,
 * dcol = W^T dy, then col2im.
 *
 * Fused (gdl_nn_set_fusion): a rectifier that alone reads the convolution, and a maxpool1d that
 * alone reads the rectifier, run on each block while it is in cache, so the (N, F, Lo) output
 * and its activated copy never exist: the pass leaves the pooled values and each window's
 * argmax. Backward rebuilds a block's dy from those (zero but at the argmax, where the
 * rectifier's slope is read off the pooled value's sign). Same arithmetic as the three ops
 * apart, so the same bits.
 * N batch, C input channels, L input length, F filters, W width, Lo output length. */
#include <stdlib.h>

#include "nn_internal.h"

typedef struct {
    int64_t F, W, stride, dilation, pad; // pad: zeros on the left (the right gets the rest)
    int bias;
    int64_t C, L, Lo;
    /* fusion: rectifier node act (-1 none) of slope alpha below 0, then maxpool node pool
     * (-1 none) of windows psize every pstride (pstride >= psize), Lp of them */
    int act, pool;
    float alpha;
    int64_t psize, pstride, Lp;
} conv_attr_t;

int gdl_op_conv1d_setup(gdl_nn_t *g, gdl_nn_node_t *n, gdl_kv_t *kv)
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
    *a = (conv_attr_t){F, W, s, d, pad, bias != 0, C, L, Lo, -1, -1, 0, 0, 0, 0};
    n->attr = a;
    if (gdl_nn_declare(g, n, "weight", 3, (int64_t[]){F, C, W}, init, C * W, F * W, 0) < 0) return -1;
    if (a->bias && gdl_nn_declare(g, n, "bias", 1, &F, GDL_INIT_ZERO, 0, 0, 0) < 0) return -1;
    n->ndim = 2, n->shape[0] = F, n->shape[1] = Lo;
    return 0;
}

/* col (C W, Lo) from one sample x (C, L); row r of the sample is written at col + r ld, so a
 * block's columns form one (C W, nb Lo) matrix (ld = nb Lo). */
static void im2col(const conv_attr_t *a, const float *x, float *col, int64_t ld)
{
    for (int64_t c = 0; c < a->C; c++)
        for (int64_t k = 0; k < a->W; k++) {
            float *row = col + (c * a->W + k) * ld;
            int64_t start = k * a->dilation - a->pad;
            if (a->stride == 1 && start >= 0 && start + a->Lo <= a->L) { // interior: a copy
                memcpy(row, x + c * a->L + start, sizeof(float) * (size_t)a->Lo);
                continue;
            }
            for (int64_t l = 0; l < a->Lo; l++) {
                int64_t p = l * a->stride + start;
                row[l] = p >= 0 && p < a->L ? x[c * a->L + p] : 0;
            }
        }
}

GDL_NN_HOT static void add_row(float *restrict y, const float *restrict x, int64_t n)
{
    for (int64_t i = 0; i < n; i++) y[i] += x[i];
}

static void col2im(const conv_attr_t *a, const float *col, int64_t ld, float *dx)
{
    for (int64_t c = 0; c < a->C; c++)
        for (int64_t k = 0; k < a->W; k++) {
            const float *row = col + (c * a->W + k) * ld;
            int64_t start = k * a->dilation - a->pad;
            if (a->stride == 1 && start >= 0 && start + a->Lo <= a->L) { // interior: one vector add
                add_row(dx + c * a->L + start, row, a->Lo);
                continue;
            }
            for (int64_t l = 0; l < a->Lo; l++) {
                int64_t p = l * a->stride + start;
                if (p >= 0 && p < a->L) dx[c * a->L + p] += row[l];
            }
        }
}

/* The batch is lowered in blocks of samples: cols (K, nb Lo) holds the block's columns side by
 * side, and each block is one large GEMM, Y (F, nb Lo) = [W b] cols, threaded inside OpenBLAS
 * (a per-sample GEMM of Lo = 53 columns runs far below sgemm's speed). The bias rides in the
 * GEMM: W gets a bias column and cols a row of ones (K = C W + 1). A block holds about 4096
 * columns, so cols and the (F, nb Lo) staging buffer stay small even when Lo is 10,000;
 * backward lowers each block again rather than keeping the whole batch's columns (DeepSEA's
 * second layer would keep 2,561 x 241 floats per sample). Element-wise work (im2col, the copies
 * between (F, nb Lo) and (N, F, Lo), col2im) is split over samples, or over (sample, filter)
 * rows; each value comes from the same arithmetic whatever the split, and a GEMM's bits do not
 * depend on the thread count either (blas.c), so neither does the result. */
static int64_t inner(const conv_attr_t *a) { return a->C * a->W + a->bias; }
static int64_t block_of(const conv_attr_t *a, int64_t N)
{
    int64_t nb = (4096 + a->Lo - 1) / a->Lo;
    return nb < 1 ? 1 : nb > N ? N : nb;
}

typedef struct {
    const conv_attr_t *a;
    const float *x;     // forward: (N, C, L)
    float *cols;        // (K, nb Lo): the block's columns
    float *y;           // (N, F, Lo): forward output, or backward dy
    float *yb;          // (F, nb Lo): the block's staging buffer
    float *dx, *dcol;   // backward: (N, C, L) and (C W, nb Lo)
    float *z;           // fused: (N, F, Lz) values of the chain's last node (Lz = Lp or Lo)
    const float *dz;    // fused backward: their gradient
    int32_t *arg;       // fused pool: (N, F, Lp) argmax of each window, or NULL
    int64_t N, i0, nb;  // batch size; the block's first sample and width
    int64_t xs, ys;     // per-sample sizes of x and y
} conv_ctx_t;

/* cols (K, nb Lo) of the block's samples i0 + [begin, end) */
static void conv_im2col_rows(void *ctx, int64_t begin, int64_t end, int chunk)
{
    (void)chunk;
    const conv_ctx_t *c = ctx;
    const conv_attr_t *a = c->a;
    int64_t CW = a->C * a->W, ld = c->nb * a->Lo;
    for (int64_t j = begin; j < end; j++) {
        im2col(a, c->x + (c->i0 + j) * c->xs, c->cols + j * a->Lo, ld);
        if (a->bias)
            for (int64_t l = 0; l < a->Lo; l++) c->cols[CW * ld + j * a->Lo + l] = 1;
    }
}

/* Between the block's (F, nb Lo) staging buffer and samples i0 + [begin, end) of (N, F, Lo):
 * unstage copies the forward output out, stage copies dy in. */
static void conv_unstage(void *ctx, int64_t begin, int64_t end, int chunk)
{
    (void)chunk;
    const conv_ctx_t *c = ctx;
    int64_t F = c->a->F, Lo = c->a->Lo, ld = c->nb * Lo;
    for (int64_t r = begin; r < end; r++) { // rows (sample j, filter f) of the block
        int64_t j = r / F, f = r % F;
        memcpy(c->y + (c->i0 + j) * c->ys + f * Lo, c->yb + f * ld + j * Lo, sizeof(float) * (size_t)Lo);
    }
}

static void conv_stage(void *ctx, int64_t begin, int64_t end, int chunk)
{
    (void)chunk;
    const conv_ctx_t *c = ctx;
    int64_t F = c->a->F, Lo = c->a->Lo, ld = c->nb * Lo;
    for (int64_t r = begin; r < end; r++) {
        int64_t j = r / F, f = r % F;
        memcpy(c->yb + f * ld + j * Lo, c->y + (c->i0 + j) * c->ys + f * Lo, sizeof(float) * (size_t)Lo);
    }
}

int gdl_op_conv1d_fused_tail(const gdl_nn_node_t *n)
{
    const conv_attr_t *a = n->attr;
    return a->pool >= 0 ? a->pool : a->act;
}

/* Computes node act (a rectifier) and then node pool (a non-overlapping maxpool1d, or -1) in
 * the convolution's own pass; act -1 undoes the fusion. */
static void fuse(gdl_nn_t *g, gdl_nn_node_t *n, int act, int pool)
{
    conv_attr_t *a = n->attr;
    a->act = act, a->pool = act >= 0 ? pool : -1;
    if (a->act >= 0) {
        gdl_nn_rectifier_alpha(&g->nodes[act], &a->alpha);
        g->nodes[act].fused = 1;
    }
    if (a->pool >= 0) {
        gdl_nn_maxpool_window(&g->nodes[pool], &a->psize, &a->pstride);
        a->Lp = g->nodes[pool].shape[1];
        g->nodes[pool].fused = 1;
    }
}

void gdl_op_conv1d_plan_fusion(gdl_nn_t *g, gdl_nn_node_t *n, int on)
{
    int act = on ? gdl_nn_sole_reader(g, (int)(n - g->nodes)) : -1, pool = -1;
    float alpha;
    int64_t size, stride;
    if (act >= 0 && !gdl_nn_rectifier_alpha(&g->nodes[act], &alpha)) act = -1;
    if (act >= 0 && (pool = gdl_nn_sole_reader(g, act)) >= 0 &&
        !(gdl_nn_maxpool_window(&g->nodes[pool], &size, &stride) && stride >= size))
        pool = -1;
    fuse(g, n, act, pool);
}

/* maxpool of one row: window w's value and place are those of the first maximum that
 * maxpool's scan `if (x[k] > x[best]) best = k` finds. Eight windows run that scan at once, one
 * per lane (GCC vector types: one AVX2 compare and two blends per value of eight windows), in
 * the scan's order, so a NaN first value stays the answer, any other NaN never wins and ties
 * keep the first place: the scan's result, bit for bit. */
typedef float v8f_t __attribute__((vector_size(32)));
typedef int32_t v8i_t __attribute__((vector_size(32)));

/* One step of the scan on eight windows at once: value k of each (v) against its maximum so far.
 * Vectors go by pointer: clang refuses 32-byte vector arguments in the non-AVX clone. */
static inline void scan_lanes(const v8f_t *v, int32_t k, v8f_t *m, v8i_t *best)
{
    v8i_t gt = *v > *m, at = {k, k, k, k, k, k, k, k};
    *m = (v8f_t)(((v8i_t)*v & gt) | ((v8i_t)*m & ~gt));
    *best = (at & gt) | (*best & ~gt);
}

/* windows w .. w + 7: their maxima, and the places they came from */
static inline void put_windows(float *z, int32_t *arg, int64_t w, int64_t stride, const v8f_t *m,
                               const v8i_t *best)
{
    memcpy(z + w, m, sizeof *m);
    if (arg)
        for (int l = 0; l < 8; l++) arg[w + l] = (int32_t)((w + l) * stride + (*best)[l]);
}

/* Windows of 4 at stride 4 (DeepSEA's pooling), eight at a time: their 32 values transposed so
 * that lane l of vector k holds window l's k-th value, then the scan run on all lanes at once.
 * Returns the windows done. */
GDL_NN_HOT static int64_t pool4_by8(const float *row, int64_t Lz, float *z, int32_t *arg)
{
    /* __builtin_shufflevector (GCC >= 12 and clang) rather than GCC's __builtin_shuffle, so the
     * fuzz build (clang) compiles this file too */
#define EVEN(x, y) __builtin_shufflevector(x, y, 0, 4, 8, 12, 1, 5, 9, 13)
#define ODD(x, y) __builtin_shufflevector(x, y, 2, 6, 10, 14, 3, 7, 11, 15)
#define LO(x, y) __builtin_shufflevector(x, y, 0, 1, 2, 3, 8, 9, 10, 11)
#define HI(x, y) __builtin_shufflevector(x, y, 4, 5, 6, 7, 12, 13, 14, 15)
    int64_t w = 0;
    for (; w + 8 <= Lz; w += 8) {
        v8f_t a, b, c, d;
        memcpy(&a, row + 4 * w, sizeof a), memcpy(&b, row + 4 * w + 8, sizeof b);
        memcpy(&c, row + 4 * w + 16, sizeof c), memcpy(&d, row + 4 * w + 24, sizeof d);
        v8f_t ab01 = EVEN(a, b), ab23 = ODD(a, b);
        v8f_t cd01 = EVEN(c, d), cd23 = ODD(c, d);
        v8f_t k[4] = {LO(ab01, cd01), HI(ab01, cd01), LO(ab23, cd23), HI(ab23, cd23)};
#undef EVEN
#undef ODD
#undef LO
#undef HI
        v8f_t m = k[0];
        v8i_t best = {0};
        for (int32_t j = 1; j < 4; j++) scan_lanes(&k[j], j, &m, &best);
        put_windows(z, arg, w, 4, &m, &best);
    }
    return w;
}

/* Windows of 8 or more values (DanQ's 13, the two-branch model's 32), eight at a time: lane l
 * scans window l, its k-th value gathered from the row, so no lanes are merged within a window.
 * Returns the windows done. */
GDL_NN_HOT static int64_t pool_by8(const float *row, int64_t Lz, int64_t size, int64_t stride, float *z,
                                   int32_t *arg)
{
    int64_t w = 0, s = stride;
    for (; w + 8 <= Lz; w += 8) {
        const float *x = row + w * s;
        v8f_t m = {x[0], x[s], x[2 * s], x[3 * s], x[4 * s], x[5 * s], x[6 * s], x[7 * s]};
        v8i_t best = {0};
        for (int32_t k = 1; k < size; k++) {
            const float *xk = x + k;
            v8f_t v = {xk[0], xk[s], xk[2 * s], xk[3 * s], xk[4 * s], xk[5 * s], xk[6 * s], xk[7 * s]};
            scan_lanes(&v, k, &m, &best);
        }
        put_windows(z, arg, w, s, &m, &best);
    }
    return w;
}

GDL_NN_HOT static void pool_row(const float *row, int64_t Lz, int64_t size, int64_t stride, float *z,
                                int32_t *arg)
{
    int64_t w = 0; // windows done eight at a time (fewer than 8 values but 4 at stride 4: the scan)
    if (size == 4 && stride == 4) w = pool4_by8(row, Lz, z, arg);
    else if (size >= 8) w = pool_by8(row, Lz, size, stride, z, arg);
    for (; w < Lz; w++) { // the rest: the scan itself
        const float *x = row + w * stride;
        int64_t best = 0;
        for (int64_t k = 1; k < size; k++)
            if (x[k] > x[best]) best = k;
        z[w] = x[best];
        if (arg) arg[w] = (int32_t)(w * stride + best);
    }
}

/* relu then maxpool without the relu pass: pool the raw values, then a window whose maximum is
 * not positive is all zeros after relu, so its answer is 0 at its first place. The same bits as
 * rectifying first, except when a window starts with NaN (rectified, it is 0 and the window goes
 * on): then 0 is returned and the caller does it the long way. */
static int relu_pool_row(const float *row, int64_t Lz, int64_t size, int64_t stride, float *z, int32_t *arg)
{
    pool_row(row, Lz, size, stride, z, arg);
    for (int64_t w = 0; w < Lz; w++) {
        if (z[w] > 0) continue;
        if (z[w] != z[w]) return 0;
        z[w] = 0;
        if (arg) arg[w] = (int32_t)(w * stride);
    }
    return 1;
}

/* unstage through the chain: the block's rows rectified in place, then copied out or pooled
 * (the first maximum of each window, as maxpool_fw_rows) */
static void conv_unstage_fused(void *ctx, int64_t begin, int64_t end, int chunk)
{
    (void)chunk;
    const conv_ctx_t *c = ctx;
    const conv_attr_t *a = c->a;
    int64_t F = a->F, Lo = a->Lo, ld = c->nb * Lo, Lz = a->pool >= 0 ? a->Lp : Lo;
    for (int64_t r = begin; r < end; r++) { // rows (sample j, filter f) of the block
        int64_t j = r / F, f = r % F;
        float *row = c->yb + f * ld + j * Lo, *z = c->z + ((c->i0 + j) * F + f) * Lz;
        int32_t *arg = c->arg ? c->arg + ((c->i0 + j) * F + f) * Lz : NULL;
        if (a->pool >= 0 && a->alpha == 0 && relu_pool_row(row, Lz, a->psize, a->pstride, z, arg)) continue;
        gdl_nn_rectify(row, Lo, a->alpha);
        if (a->pool < 0) memcpy(z, row, sizeof(float) * (size_t)Lo);
        else pool_row(row, Lz, a->psize, a->pstride, z, arg);
    }
}

/* stage through the chain: the block's dy from the chain's gradient, as gdl_op_maxpool1d_backward and
 * the rectifier's backward would leave it in zeroed buffers (hence the 0.0f + terms) */
static void conv_stage_fused(void *ctx, int64_t begin, int64_t end, int chunk)
{
    (void)chunk;
    const conv_ctx_t *c = ctx;
    const conv_attr_t *a = c->a;
    int64_t F = a->F, Lo = a->Lo, ld = c->nb * Lo, Lz = a->pool >= 0 ? a->Lp : Lo;
    float alpha = a->alpha;
    for (int64_t r = begin; r < end; r++) { // rows (sample j, filter f) of the block
        int64_t j = r / F, f = r % F;
        float *row = c->yb + f * ld + j * Lo;
        int64_t at = ((c->i0 + j) * F + f) * Lz;
        const float *z = c->z + at, *dz = c->dz + at;
        if (a->pool < 0) {
            for (int64_t l = 0; l < Lo; l++)
                row[l] = z[l] > 0 ? 0.0f + dz[l] : alpha == 0 ? 0.0f : 0.0f + alpha * dz[l];
            continue;
        }
        memset(row, 0, sizeof(float) * (size_t)Lo);
        const int32_t *arg = c->arg + at;
        for (int64_t w = 0; w < Lz; w++) {
            float d = 0.0f + dz[w];
            row[arg[w]] = z[w] > 0 ? 0.0f + d : alpha == 0 ? 0.0f : 0.0f + alpha * d;
        }
    }
}

static void conv_col2im_rows(void *ctx, int64_t begin, int64_t end, int chunk)
{
    (void)chunk;
    const conv_ctx_t *c = ctx;
    for (int64_t j = begin; j < end; j++)
        col2im(c->a, c->dcol + j * c->a->Lo, c->nb * c->a->Lo, c->dx + (c->i0 + j) * c->xs);
}

int gdl_op_conv1d_forward(gdl_nn_t *g, gdl_nn_node_t *n, int train)
{
    (void)train;
    conv_attr_t *a = n->attr;
    const float *W = gdl_nn_p(g, n, 0);
    int64_t CW = a->C * a->W, K = inner(a), N = g->N, NB = block_of(a, N);
    float *cols = gdl_nn_scratch(g, K * NB * a->Lo), *Wb = gdl_nn_scratch(g, a->F * K);
    float *yb = gdl_nn_scratch(g, a->F * NB * a->Lo);
    if (!cols || !Wb || !yb) return -1;
    for (int64_t f = 0; f < a->F; f++) {
        memcpy(Wb + f * K, W + f * CW, sizeof(float) * (size_t)CW);
        if (a->bias) Wb[f * K + CW] = gdl_nn_p(g, n, 1)[f];
    }
    conv_ctx_t c = {.a = a, .x = gdl_nn_in(g, n, 0)->out, .cols = cols, .y = n->out, .yb = yb, .N = N,
                    .xs = a->C * a->L, .ys = n->size};
    int tail = gdl_op_conv1d_fused_tail(n);
    if (tail >= 0) {
        c.z = g->nodes[tail].out;
        if (a->pool >= 0 && !g->infer) {
            c.arg = gdl_arena_alloc(&g->arena, sizeof(int32_t) * (size_t)(N * a->F * a->Lp));
            if (!c.arg) return -1;
            n->saved = c.arg;
        }
    }
    for (c.i0 = 0; c.i0 < N; c.i0 += NB) {
        c.nb = N - c.i0 < NB ? N - c.i0 : NB;
        gdl_parallel_for(c.nb, conv_im2col_rows, &c);
        // yb (F, nb Lo) = [W b] (F, K) cols (K, nb Lo)
        gdl_sgemm(GDL_NO_TRANS, GDL_NO_TRANS, a->F, c.nb * a->Lo, K, 1.0f, Wb, K, cols, c.nb * a->Lo, 0.0f,
                  yb, c.nb * a->Lo);
        gdl_parallel_for(c.nb * a->F, tail >= 0 ? conv_unstage_fused : conv_unstage, &c);
    }
    return 0;
}

void gdl_op_conv1d_backward(gdl_nn_t *g, gdl_nn_node_t *n)
{
    conv_attr_t *a = n->attr;
    gdl_nn_node_t *x = gdl_nn_in(g, n, 0);
    int64_t CW = a->C * a->W, N = g->N, NB = block_of(a, N);
    const float *W = gdl_nn_p(g, n, 0);
    float *dW = gdl_nn_dp(g, n, 0), *db = a->bias ? gdl_nn_dp(g, n, 1) : NULL;
    conv_ctx_t c = {.a = a, .x = x->out, .y = n->dout, .dx = x->dout, .N = N, .xs = a->C * a->L,
                    .ys = n->size};
    int tail = gdl_op_conv1d_fused_tail(n);
    if (tail >= 0) c.z = g->nodes[tail].out, c.dz = g->nodes[tail].dout, c.arg = n->saved;
    int64_t K = inner(a);
    int want_dw = !g->no_param_grad;
    c.cols = want_dw ? gdl_nn_scratch(g, K * NB * a->Lo) : NULL;
    c.yb = gdl_nn_scratch(g, a->F * NB * a->Lo);
    float *dWb = want_dw ? gdl_nn_scratch(g, a->F * K) : NULL;
    c.dcol = x->dout ? gdl_nn_scratch(g, CW * NB * a->Lo) : NULL;
    if ((want_dw && (!c.cols || !dWb)) || !c.yb || (x->dout && !c.dcol))
        return; // out of memory: gdl_nn_backward reports it
    for (c.i0 = 0; c.i0 < N; c.i0 += NB) {
        c.nb = N - c.i0 < NB ? N - c.i0 : NB;
        int64_t cb = c.nb * a->Lo;
        if (want_dw) gdl_parallel_for(c.nb, conv_im2col_rows, &c);
        gdl_parallel_for(c.nb * a->F, tail >= 0 ? conv_stage_fused : conv_stage, &c); // yb (F, nb Lo) = dy of the block
        if (want_dw && db) { // d[W b] (F, K) = dy (F, nb Lo) cols^T (nb Lo, K): db from the row of ones
            gdl_sgemm(GDL_NO_TRANS, GDL_TRANS, a->F, K, cb, 1.0f, c.yb, cb, c.cols, cb, 0.0f, dWb, K);
            for (int64_t f = 0; f < a->F; f++) {
                for (int64_t k = 0; k < CW; k++) dW[f * CW + k] += dWb[f * K + k];
                db[f] += dWb[f * K + CW];
            }
        } else if (want_dw) { // dW (F, C W) += dy (F, nb Lo) cols^T (nb Lo, C W)
            gdl_sgemm(GDL_NO_TRANS, GDL_TRANS, a->F, CW, cb, 1.0f, c.yb, cb, c.cols, cb, 1.0f, dW, CW);
        }
        if (c.dcol) { // dcol (C W, nb Lo) = W^T (C W, F) dy (F, nb Lo), then back to each sample's dx
            gdl_sgemm(GDL_TRANS, GDL_NO_TRANS, CW, cb, a->F, 1.0f, W, CW, c.yb, cb, 0.0f, c.dcol, cb);
            gdl_parallel_for(c.nb, conv_col2im_rows, &c);
        }
    }
}
