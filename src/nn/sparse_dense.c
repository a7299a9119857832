/* sparse_dense: the dense layer on a sparse batch of genotype dosages (a CSR batch; the
 * attributes, setup and centring are the dense layer's, dense_internal.h).
 * N batch, U units, V sparse columns. */
#include <stdint.h>
#include <stdlib.h>
#if defined(__SSE2__)
#include <immintrin.h>
#endif

#include "dense_internal.h"

/* ---- sparse_dense: y_i (U) = b + sum_k v_k W[c_k, :] over sample i's calls -----------------
 * The input is a CSR batch (gdl_nn_sparse_t): cost is nnz * U instead of N * V * U, and the
 * weight gradient touches only the rows of the columns present in the batch. When the input's
 * gradient is asked for (attribution), it is dense: (N, V), read with gdl_nn_grad.
 *
 * Every output sums its terms in one order, bias first and then the calls by ascending column
 * (a sample's calls of one column in batch order), whatever the blocking or the thread count;
 * threads split the units, so no element's arithmetic depends on the split. */

int gdl_op_sparse_dense_setup(gdl_nn_t *g, gdl_nn_node_t *n, gdl_kv_t *kv) { return gdl_nn_dense_setup(g, n, kv, 1); }

static const float *W_of(gdl_nn_t *g, gdl_nn_node_t *n) { return gdl_nn_p(g, n, 0); }

/* Eight floats as one value (GCC/Clang vector extension): an AVX2 register in the AVX2 clone,
 * two SSE registers in the default one; a * b + c stays two roundings (no contraction in C11).
 * AT8 reads or writes eight floats at any float address. */
typedef float v8f __attribute__((vector_size(32)));
typedef float v8f_u __attribute__((vector_size(32), aligned(4), may_alias));
#define AT8(p) (*(v8f_u *)(p))

/* Weight rows are read scattered (a batch calls ~70% of the variants, never all in a row), and a
 * gap stops the hardware's stream prefetch: a thread then reads ~9 GB/s. Asking for rows ahead
 * into L2 (not L1, whose few miss buffers would cap the requests in flight) doubles that. */
static inline void prefetch_l2(const float *p, int64_t n)
{
    for (int64_t off = 0; off < n; off += 16) __builtin_prefetch(p + off, 0, 1);
}

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

/* ---- the batch by column (CSC) ------------------------------------------------------------
 * Each weight row called in the batch is then visited once, its samples in batch order (a
 * sample's entries of one column in their CSR order): the backward pass always works this way,
 * and the forward pass of a small batch. */
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

/* The CSC form of sparse input node x's batch, built once per forward and kept on the input node,
 * so the layers that read one genotype batch (a wide model's linear path and its hidden layer)
 * share it; NULL when out of memory. */
static const sparse_csc_t *batch_csc(gdl_nn_t *g, gdl_nn_node_t *x)
{
    if (!x->saved) x->saved = sparse_csc(g, x->sp, g->N, x->size);
    return x->saved;
}

/* ---- forward of a small batch: by column ------------------------------------------------------
 * Each called weight row is read once, prefetched a few columns ahead, and added into the output
 * rows of its samples, which stay in L2 (N x U floats). */
enum { PF_COLS = 4 };

typedef struct {
    const sparse_csc_t *t;
    const float *W, *b;
    float *y;  // (N, U)
    int64_t N, U;
} sparse_fwc_ctx_t;

/* y (N, U) for units [16 begin, 16 end) */
GDL_NN_HOT static void sparse_fw_units(void *ctx, int64_t begin, int64_t end, int chunk)
{
    (void)chunk;
    const sparse_fwc_ctx_t *c = ctx;
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

/* ---- forward of a small batch in inference: by sample ---------------------------------------
 * Nothing needs the batch by column afterwards (a backward pass that wants weight gradients
 * builds it), so the samples are split over the threads: each adds its calls' weight rows into
 * its outputs, held in registers FW_ROW_UNITS at a time. The columns are visited in the same
 * order as by column (ascending, a repeated column in its CSR order), so the sums are the same
 * bits; a batch whose rows are not sorted goes by column. */
/* A layer of at most NARROW_UNITS units (a linear model's one output, a few classes) fills one
 * 16-unit chunk of the by-column passes, so they would run on one thread and pay for the CSC as
 * well: it goes by sample instead, forward with the samples split over the threads, backward
 * with the columns split over them. The sums are in the same order (a column's samples
 * ascending), so no bit changes. */
enum { NARROW_UNITS = 16 };

enum { FW_ROW_UNITS = 64 };

typedef struct {
    const gdl_nn_sparse_t *sp;
    const float *W, *b;
    float *y;  // (N, U)
    int64_t U;
} sparse_fwr_ctx_t;

GDL_NN_HOT static void sparse_fw_rows(void *ctx, int64_t begin, int64_t end, int chunk)
{
    (void)chunk;
    const sparse_fwr_ctx_t *c = ctx;
    const int64_t *row = c->sp->row;
    const int32_t *col = c->sp->col;
    const float *val = c->sp->val;
    int64_t U = c->U;
    if (U <= NARROW_UNITS) { // 8 units (or one) at a time in a register, a pass over the calls each
        for (int64_t i = begin; i < end; i++) {
            int64_t us = 0;
            for (; us + 8 <= U; us += 8) {
                v8f acc = c->b ? (v8f)AT8(c->b + us) : (v8f){0};
                for (int64_t k = row[i]; k < row[i + 1]; k++) acc += val[k] * AT8(c->W + (int64_t)col[k] * U + us);
                AT8(c->y + i * U + us) = acc;
            }
            for (; us < U; us++) {
                float acc = c->b ? c->b[us] : 0;
                for (int64_t k = row[i]; k < row[i + 1]; k++) acc += val[k] * c->W[(int64_t)col[k] * U + us];
                c->y[i * U + us] = acc;
            }
        }
        return;
    }
    for (int64_t i = begin; i < end; i++)
        for (int64_t us = 0; us < U; us += FW_ROW_UNITS) {
            int64_t w = U - us < FW_ROW_UNITS ? U - us : FW_ROW_UNITS;
            float acc[FW_ROW_UNITS];
            for (int64_t u = 0; u < w; u++) acc[u] = c->b ? c->b[us + u] : 0;
            for (int64_t k = row[i]; k < row[i + 1]; k++) {
                const float *wr = c->W + (int64_t)col[k] * U + us;
                float v = val[k];
                if (w == FW_ROW_UNITS)
                    for (int u = 0; u < FW_ROW_UNITS; u++) acc[u] += v * wr[u];
                else
                    for (int64_t u = 0; u < w; u++) acc[u] += v * wr[u];
            }
            memcpy(c->y + i * U + us, acc, sizeof(float) * (size_t)w);
        }
}

/* ---- forward of a large batch: output-stationary, in tiles --------------------------------------
 * Adding a 2 KB weight row into a sample's output per call makes every add wait on a load and a
 * store of that output row. Instead a thread holds FW_UNITS outputs of one sample in registers
 * while walking that sample's calls within one block of columns; every sample of the batch
 * passes over the block's weights while they sit in L2, so W is read from memory once per batch.
 * Each thread owns a range of slices of FW_UNITS units and runs them one after another: for each
 * block it first copies (packs) the slice's part of the block's called rows into a tile, and it
 * keeps the slice's outputs in scratch, N x FW_UNITS: 256-byte pieces of 2 KB rows, read in
 * place, would fall into 1/8 of L2's sets and evict each other. The tile (256 KB) and the outputs
 * (512 KB at 2,048 samples) stay in L2 together. */
enum { FW_UNITS = 64, FW_TILE_FLOATS = 64 * 1024, PF_ROWS = 4 };

/* The batch's calls regrouped block-major: block b's calls are a CSR over the samples, each
 * sample's by ascending column, so a pass over a block reads them in one stretch. */
typedef struct {
    int32_t slot;  // the column's row in its block's packed tile
    float val;
} fw_call_t;

typedef struct {
    int64_t n_blocks, block_cols;
    fw_call_t *call;     // (nnz) block-major
    int64_t *start;      // (n_blocks N + 1): sample i's calls in block b: call[start[b N + i]] .. call[start[b N + i + 1] - 1]
    int32_t *called;     // columns called in the batch, ascending
    int64_t *called_at;  // (n_blocks + 1): block b's are called[called_at[b]] .. called[called_at[b + 1] - 1]
} sparse_blocks_t;

typedef struct {
    int32_t col, k; // k: position in the sample's calls, so equal columns keep their order
    float val;
} call_t;

static int call_cmp(const void *pa, const void *pb)
{
    const call_t *a = pa, *b = pb;
    return a->col != b->col ? (a->col > b->col) - (a->col < b->col) : (a->k > b->k) - (a->k < b->k);
}

typedef struct {
    sparse_blocks_t *t;
    const int64_t *row;
    const int32_t *col;
    const float *val;
    const int32_t *pos;
    int64_t N;
} blocks_build_t;

/* samples [begin, end): start[b N + i + 1] = sample i's calls in block b */
static void count_block_calls(void *ctx, int64_t begin, int64_t end, int chunk)
{
    (void)chunk;
    const blocks_build_t *c = ctx;
    int64_t bc = c->t->block_cols;
    for (int64_t i = begin; i < end; i++)
        for (int64_t k = c->row[i]; k < c->row[i + 1]; k++) c->t->start[c->col[k] / bc * c->N + i + 1]++;
}

static void place_block_calls(void *ctx, int64_t begin, int64_t end, int chunk)
{
    (void)chunk;
    const blocks_build_t *c = ctx;
    const sparse_blocks_t *t = c->t;
    for (int64_t i = begin; i < end; i++) {
        int64_t k = c->row[i];
        for (int64_t b = 0; b < t->n_blocks && k < c->row[i + 1]; b++) {
            int64_t stop = (b + 1) * t->block_cols;
            fw_call_t *out = t->call + t->start[b * c->N + i];
            for (; k < c->row[i + 1] && c->col[k] < stop; k++) *out++ = (fw_call_t){c->pos[c->col[k]], c->val[k]};
        }
    }
}

static sparse_blocks_t *sparse_blocks(gdl_nn_t *g, const gdl_nn_node_t *x, int64_t N, int64_t block_cols)
{
    const gdl_nn_sparse_t *sp = x->sp;
    int64_t V = x->size;
    const int64_t *row = sp->row;
    const int32_t *col = sp->col;
    const float *val = sp->val;
    int64_t nnz = row[N], nb = (V + block_cols - 1) / block_cols;
    sparse_blocks_t *t = gdl_arena_alloc(&g->arena, sizeof *t);
    int32_t *pos = gdl_arena_alloc(&g->arena, sizeof(int32_t) * (size_t)V);
    if (!t || !pos) return NULL;
    t->n_blocks = nb, t->block_cols = block_cols;
    t->call = gdl_arena_alloc(&g->arena, sizeof(fw_call_t) * (size_t)(nnz ? nnz : 1));
    t->start = gdl_arena_alloc(&g->arena, sizeof(int64_t) * (size_t)(nb * N + 1));
    t->called_at = gdl_arena_alloc(&g->arena, sizeof(int64_t) * (size_t)(nb + 1));
    if (!t->call || !t->start || !t->called_at) return NULL;
    if (!x->sp_sorted) { // the API allows any order within a sample: sort a copy (tests, other callers)
        int32_t *c2 = gdl_arena_alloc(&g->arena, sizeof(int32_t) * (size_t)(nnz ? nnz : 1));
        float *v2 = gdl_arena_floats(&g->arena, (size_t)(nnz ? nnz : 1));
        call_t *tmp = gdl_arena_alloc(&g->arena, sizeof(call_t) * (size_t)(nnz ? nnz : 1));
        if (!c2 || !v2 || !tmp) return NULL;
        for (int64_t i = 0; i < N; i++) {
            int64_t n = row[i + 1] - row[i];
            for (int64_t k = 0; k < n; k++) tmp[k] = (call_t){col[row[i] + k], (int32_t)k, val[row[i] + k]};
            qsort(tmp, (size_t)n, sizeof *tmp, call_cmp);
            for (int64_t k = 0; k < n; k++) c2[row[i] + k] = tmp[k].col, v2[row[i] + k] = tmp[k].val;
        }
        col = c2, val = v2;
    }
    // pos[v]: -1 for a column nobody calls, else 0 until the called list gives it its slot
    memset(pos, 0xff, sizeof(int32_t) * (size_t)V);
    for (int64_t k = 0; k < nnz; k++) pos[col[k]] = 0;
    int64_t n_called = 0;
    for (int64_t v = 0; v < V; v++) n_called += pos[v] == 0;
    t->called = gdl_arena_alloc(&g->arena, sizeof(int32_t) * (size_t)(n_called ? n_called : 1));
    if (!t->called) return NULL;
    n_called = 0;
    for (int64_t b = 0; b < nb; b++) {
        t->called_at[b] = n_called;
        for (int64_t v = b * block_cols; v < V && v < (b + 1) * block_cols; v++)
            if (pos[v] == 0) pos[v] = (int32_t)(n_called - t->called_at[b]), t->called[n_called++] = (int32_t)v;
    }
    t->called_at[nb] = n_called;
    // count each (block, sample), then place the calls: both by samples over the threads
    blocks_build_t c = {t, row, col, val, pos, N};
    memset(t->start, 0, sizeof(int64_t) * (size_t)(nb * N + 1));
    gdl_parallel_for(N, count_block_calls, &c);
    for (int64_t q = 0; q < nb * N; q++) t->start[q + 1] += t->start[q];
    gdl_parallel_for(N, place_block_calls, &c);
    return t;
}

typedef struct {
    const sparse_blocks_t *t;
    const float *W, *b;
    float *y;           // (N, U)
    float *ys;          // (slices, N, FW_UNITS) scratch: the outputs slice-major
    float *pack;        // (chunks, pack_floats) scratch: each thread's tile
    int64_t pack_floats;
    int64_t N, U;
} sparse_fw_ctx_t;

/* y (N, U) for the unit slices [begin, end) of FW_UNITS, one slice at a time, so that the
 * slice's outputs (N x FW_UNITS) and one block's packed tile share L2 while every sample passes
 * over the block. A last, narrower slice is padded with zeros in the tile, which add nothing to
 * the outputs kept. */
GDL_NN_HOT static void sparse_fw_slices(void *ctx, int64_t begin, int64_t end, int chunk)
{
    const sparse_fw_ctx_t *c = ctx;
    const sparse_blocks_t *t = c->t;
    const float *W = c->W;
    const int32_t *called = t->called;
    const fw_call_t *call = t->call;
    int64_t N = c->N, U = c->U;
    float *tile = c->pack + chunk * c->pack_floats; // (block_cols, FW_UNITS)
    for (int64_t s = begin; s < end; s++) {
        int64_t us = s * FW_UNITS, w = U - us < FW_UNITS ? U - us : FW_UNITS;
        float *ys = c->ys + s * N * FW_UNITS;
        for (int64_t b = 0; b < t->n_blocks; b++) {
            int64_t e0 = t->called_at[b], e1 = t->called_at[b + 1];
            for (int64_t e = e0; e < e1; e++) {
                if (e + PF_ROWS < e1) prefetch_l2(W + (int64_t)called[e + PF_ROWS] * U + us, w);
                const float *src = W + (int64_t)called[e] * U + us;
                float *dst = tile + (e - e0) * FW_UNITS;
                if (w == FW_UNITS)
                    for (int q = 0; q < FW_UNITS / 8; q++) AT8(dst + 8 * q) = AT8(src + 8 * q);
                else
                    for (int64_t u = 0; u < FW_UNITS; u++) dst[u] = u < w ? src[u] : 0;
            }
            const int64_t *ks = t->start + b * N;
            for (int64_t i = 0; i < N; i++) {
                int64_t k0 = ks[i], k1 = ks[i + 1];
                if (b > 0 && k0 == k1) continue; // nothing to add
                float *yi = ys + i * FW_UNITS;
                v8f acc[FW_UNITS / 8];
                if (b > 0)
                    for (int q = 0; q < FW_UNITS / 8; q++) acc[q] = AT8(yi + 8 * q);
                else if (c->b && w == FW_UNITS)
                    for (int q = 0; q < FW_UNITS / 8; q++) acc[q] = AT8(c->b + us + 8 * q);
                else
                    for (int q = 0; q < FW_UNITS / 8; q++)
                        for (int l = 0; l < 8; l++) acc[q][l] = c->b && 8 * q + l < w ? c->b[us + 8 * q + l] : 0;
                for (int64_t k = k0; k < k1; k++) {
                    const float *wr = tile + (int64_t)call[k].slot * FW_UNITS;
                    float v = call[k].val;
                    for (int q = 0; q < FW_UNITS / 8; q++) acc[q] += v * AT8(wr + 8 * q);
                }
                for (int q = 0; q < FW_UNITS / 8; q++) AT8(yi + 8 * q) = acc[q];
            }
        }
        for (int64_t i = 0; i < N; i++) memcpy(c->y + i * U + us, ys + i * FW_UNITS, sizeof(float) * (size_t)w);
    }
}

/* The tiled pass pays for packing and regrouping the calls, which a batch of a few hundred
 * samples does not repay (the crossover was measured between 256 and 512 samples; make bench
 * measures both paths). Both sum in the same order, so the choice changes no bit. */
enum { FW_TILED_MIN_N = 512 };

static int sparse_dense_product(gdl_nn_t *g, gdl_nn_node_t *n, int train);

int gdl_op_sparse_dense_forward(gdl_nn_t *g, gdl_nn_node_t *n, int train)
{
    const dense_attr_t *a = n->attr;
    if (sparse_dense_product(g, n, train) != 0) return -1;
    return a->center ? gdl_nn_dense_center_forward(g, n, 0) : 0;
}

static int sparse_dense_product(gdl_nn_t *g, gdl_nn_node_t *n, int train)
{
    dense_attr_t *a = n->attr;
    gdl_nn_node_t *x = gdl_nn_in(g, n, 0);
    int64_t N = g->N, U = a->units;
    const float *W = gdl_nn_p(g, n, 0), *b = a->bias ? gdl_nn_p(g, n, 1) : NULL;
    if ((U <= NARROW_UNITS || (N < FW_TILED_MIN_N && !train)) && x->sp_sorted) {
        sparse_fwr_ctx_t c = {x->sp, W, b, n->out, U};
        gdl_parallel_for(N, sparse_fw_rows, &c);
        return 0;
    }
    if (N < FW_TILED_MIN_N) {
        const sparse_csc_t *t = batch_csc(g, x);
        if (!t) return -1;
        sparse_fwc_ctx_t c = {t, W, b, n->out, N, U};
        gdl_parallel_for((U + 15) / 16, sparse_fw_units, &c);
        return 0;
    }
    int64_t n_slices = (U + FW_UNITS - 1) / FW_UNITS;
    int64_t chunks = gdl_threads_get() < n_slices ? gdl_threads_get() : n_slices;
    int64_t bc = FW_TILE_FLOATS / FW_UNITS; // columns per block
    sparse_blocks_t *t = sparse_blocks(g, x, N, bc);
    float *ys = gdl_arena_floats(&g->arena, (size_t)(n_slices * N * FW_UNITS));
    float *pack = gdl_arena_floats(&g->arena, (size_t)(chunks * FW_TILE_FLOATS));
    if (!t || !ys || !pack) return -1;
    sparse_fw_ctx_t c = {t, W, b, n->out, ys, pack, FW_TILE_FLOATS, N, U};
    gdl_parallel_for(n_slices, sparse_fw_slices, &c);
    return 0;
}

/* ---- backward: by column ---------------------------------------------------------------------
 * Each weight-gradient row called in the batch is written once: its samples' terms are summed
 * in registers, 64 units at a time. A row without gradient yet holds zeros (zero_grad's
 * invariant), so its sum starts from 0 and is streamed out, not read first: the same bits as
 * adding to the zeros. */
typedef struct {
    const sparse_csc_t *t;
    const float *dy;
    float *dW;
    const uint8_t *fresh;  // (n_cols) 1 when the column's gradient row is still zero
    int64_t U;
} sparse_bw_ctx_t;

enum { BW_UNITS = 64 };

/* dW rows for units [16 begin, 16 end): each called row once, its samples in order */
GDL_NN_HOT static void sparse_bw_units(void *ctx, int64_t begin, int64_t end, int chunk)
{
    (void)chunk;
    const sparse_bw_ctx_t *c = ctx;
    const sparse_csc_t *t = c->t;
    int64_t U = c->U, u0 = begin * 16, u1 = end * 16 < U ? end * 16 : U;
    for (int64_t j = 0; j < t->n_cols; j++) {
        float *dw = c->dW + (int64_t)t->cols[j] * U;
        int fresh = c->fresh[j];
        int64_t k0 = t->start[j], k1 = t->start[j + 1], ub = u0;
        if (j + PF_COLS < t->n_cols && !c->fresh[j + PF_COLS])
            prefetch_l2(c->dW + (int64_t)t->cols[j + PF_COLS] * U + u0, u1 - u0);
        for (; ub + BW_UNITS <= u1; ub += BW_UNITS) {
            v8f acc[BW_UNITS / 8];
            for (int q = 0; q < BW_UNITS / 8; q++) acc[q] = fresh ? (v8f){0} : (v8f)AT8(dw + ub + 8 * q);
            for (int64_t k = k0; k < k1; k++) {
                const float *dy = c->dy + (int64_t)t->sample[k] * U + ub;
                float v = t->val[k];
                for (int q = 0; q < BW_UNITS / 8; q++) acc[q] += v * AT8(dy + 8 * q);
            }
            if (fresh && !((uintptr_t)(dw + ub) & 15))
                for (int q = 0; q < BW_UNITS / 8; q++) stream8(dw + ub + 8 * q, &acc[q]);
            else
                for (int q = 0; q < BW_UNITS / 8; q++) AT8(dw + ub + 8 * q) = acc[q];
        }
        for (; ub < u1; ub++) { // units past the last full block
            float a = fresh ? 0.0f : dw[ub];
            for (int64_t k = k0; k < k1; k++) a += t->val[k] * c->dy[(int64_t)t->sample[k] * U + ub];
            dw[ub] = a;
        }
    }
    sfence_streams();
}

/* dW of a narrow layer by sample, for the columns [16 begin, 16 end) of sorted rows: each row's
 * part found by bisection, so the threads split the columns and a column's samples keep their
 * order (the same bits for any thread count). Only untracked gradients (zero_grad clears all
 * of dW): no list of touched rows to keep. */
typedef struct {
    const gdl_nn_sparse_t *sp;
    const float *dy;
    float *dW;
    int64_t N, U, V;
} sparse_bwr_ctx_t;

static int64_t first_at_least(const int32_t *col, int64_t lo, int64_t hi, int64_t c)
{
    while (lo < hi) {
        int64_t mid = lo + (hi - lo) / 2;
        if (col[mid] < c) lo = mid + 1;
        else hi = mid;
    }
    return lo;
}

GDL_NN_HOT static void sparse_bw_col_range(void *ctx, int64_t begin, int64_t end, int chunk)
{
    (void)chunk;
    const sparse_bwr_ctx_t *c = ctx;
    const int64_t *row = c->sp->row;
    const int32_t *col = c->sp->col;
    const float *val = c->sp->val;
    int64_t U = c->U, c0 = begin * 16, c1 = end * 16 < c->V ? end * 16 : c->V;
    for (int64_t i = 0; i < c->N; i++) {
        const float *dy = c->dy + i * U;
        for (int64_t k = first_at_least(col, row[i], row[i + 1], c0); k < row[i + 1] && col[k] < c1; k++) {
            float v = val[k], *dw = c->dW + (int64_t)col[k] * U;
            for (int64_t u = 0; u < U; u++) dw[u] += v * dy[u];
        }
    }
}

/* dW of a narrow layer by sample: each call adds its sample's dy into its column's row, listed
 * on first touch (rows without gradient yet hold zeros). */
static void sparse_bw_rows(dense_attr_t *a, const gdl_nn_node_t *x, int64_t N, const float *dy, float *dW)
{
    const gdl_nn_sparse_t *sp = x->sp;
    int64_t U = a->units;
    if (!a->tracked && x->sp_sorted) {
        sparse_bwr_ctx_t c = {sp, dy, dW, N, U, x->size};
        gdl_parallel_for((x->size + 15) / 16, sparse_bw_col_range, &c);
        return;
    }
    for (int64_t i = 0; i < N; i++)
        for (int64_t k = sp->row[i]; k < sp->row[i + 1]; k++) {
            int32_t c = sp->col[k];
            float v = sp->val[k], *dw = dW + (int64_t)c * U;
            if (!a->mark[c]) a->mark[c] = 1, a->rows[a->n_rows++] = c;
            for (int64_t u = 0; u < U; u++) dw[u] += v * dy[i * U + u];
        }
}

static void sparse_dense_bias_grad(gdl_nn_t *g, gdl_nn_node_t *n)
{
    const dense_attr_t *a = n->attr;
    int64_t U = a->units;
    float *db = gdl_nn_dp(g, n, 1);
    for (int64_t i = 0; i < g->N; i++)
        for (int64_t u = 0; u < U; u++) db[u] += n->dout[i * U + u];
}

/* The weight and bias gradients of a sparse_dense layer. */
static void sparse_dense_param_grad(gdl_nn_t *g, gdl_nn_node_t *n)
{
    dense_attr_t *a = n->attr;
    gdl_nn_node_t *x = gdl_nn_in(g, n, 0);
    int64_t U = a->units;
    if (U <= NARROW_UNITS) {
        sparse_bw_rows(a, x, g->N, n->dout, gdl_nn_dp(g, n, 0));
        if (a->bias) sparse_dense_bias_grad(g, n);
        if (a->center) gdl_nn_dense_center_backward(g, n, 0);
        return;
    }
    const sparse_csc_t *t = batch_csc(g, x);
    uint8_t *fresh = t ? gdl_arena_alloc(&g->arena, (size_t)(t->n_cols ? t->n_cols : 1)) : NULL;
    if (!fresh) {
        g->failed = 1;
        return;
    }
    for (int64_t j = 0; j < t->n_cols; j++) { // the rows this step gives a gradient
        int32_t c = t->cols[j];
        fresh[j] = a->tracked && !a->mark[c];
        if (!a->mark[c]) a->mark[c] = 1, a->rows[a->n_rows++] = c;
    }
    sparse_bw_ctx_t c = {t, n->dout, gdl_nn_dp(g, n, 0), fresh, U};
    gdl_parallel_for((U + 15) / 16, sparse_bw_units, &c);
    if (a->bias) sparse_dense_bias_grad(g, n);
    if (a->center) gdl_nn_dense_center_backward(g, n, 0);
}

void gdl_op_sparse_dense_backward(gdl_nn_t *g, gdl_nn_node_t *n)
{
    const dense_attr_t *a = n->attr;
    gdl_nn_node_t *x = gdl_nn_in(g, n, 0);
    if (!g->no_param_grad) sparse_dense_param_grad(g, n);
    // attribution asked for d y / d dosage: dense dx (N, V) += dy (N, U) W^T (U, V)
    if (x->dout)
        gdl_sgemm(GDL_NO_TRANS, GDL_TRANS, g->N, x->size, a->units, 1.0f, n->dout, a->units, W_of(g, n),
                  a->units, 1.0f, x->dout, x->size);
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
void gdl_op_sparse_dense_zero_grad(gdl_nn_t *g, gdl_nn_node_t *n)
{
    dense_attr_t *a = n->attr;
    float *dW = gdl_nn_dp(g, n, 0);
    int64_t U = a->units;
    if (!a->tracked || a->center) { // centred: every row has a gradient
        memset(dW, 0, sizeof(float) * (size_t)(gdl_nn_in(g, n, 0)->size * U));
        a->tracked = !a->center;
    } else {
        for (int64_t r = 0; r < a->n_rows; r++) zero_row(dW + (int64_t)a->rows[r] * U, U);
        sfence_streams();
    }
    for (int64_t r = 0; r < a->n_rows; r++) a->mark[a->rows[r]] = 0;
    a->n_rows = 0;
}

int64_t gdl_op_sparse_dense_grad_rows(const gdl_nn_node_t *n, const int32_t **rows)
{
    const dense_attr_t *a = n->attr;
    *rows = a->rows;
    return a->tracked ? a->n_rows : -1;
}
