/* nn internals: the node record, the op table entry, and helpers the op files share. */
#ifndef GDL_NN_INTERNAL_H
#define GDL_NN_INTERNAL_H

#include <math.h>
#include <string.h>

#include "gdl/nn.h"

#define GDL_NN_INPUT_OP (-1)
#define GDL_NN_MAX_ATTRS 16

/* Parsed "key=value" attributes; `used` catches keys no op asked for. */
typedef struct {
    int n;
    char key[GDL_NN_MAX_ATTRS][32];
    char val[GDL_NN_MAX_ATTRS][64];
    int used[GDL_NN_MAX_ATTRS];
    const char *node; // for messages
} gdl_kv_t;

typedef struct gdl_nn_node_t {
    char name[64];
    int op;                          // op table index, or GDL_NN_INPUT_OP
    int n_in, in[GDL_NN_MAX_INPUTS]; // earlier nodes
    int ndim;
    int64_t shape[GDL_NN_MAX_DIMS];  // per sample
    int64_t size;                    // per-sample element count
    int sparse;                      // a sparse input node
    int want_grad;                   // input node: keep its gradient
    int fused;                       // computed by the conv1d before it (gdl_nn_set_fusion)
    int param0, n_param;             // rows of g->table
    void *attr;                      // op-specific, malloc'd in setup, freed with the graph
    /* per step (arena) */
    const float *ext;                // input node: caller's data
    const gdl_nn_sparse_t *sp;       // sparse input node: caller's batch
    int sp_sorted;                   // sparse input node: each row's columns ascending
    float *out;                      // (N, shape)
    float *dout;                     // (N, shape), NULL until someone needs it
    void *saved;                     // forward values kept for backward
} gdl_nn_node_t;

typedef struct {
    const char *name;
    int min_in, max_in;  // max_in -1: any number up to GDL_NN_MAX_INPUTS
    int nondiff_input;   // first input is integer codes: no gradient flows to it
    int sparse_input;    // first input may be sparse: 0 no, 1 must be, 2 may be
    /* Parse attributes, set n->ndim/shape, declare parameters. -1 with an error. */
    int (*setup)(gdl_nn_t *g, gdl_nn_node_t *n, gdl_kv_t *kv);
    /* n->out is allocated (N * n->size) before the call. -1 with an error. */
    int (*forward)(gdl_nn_t *g, gdl_nn_node_t *n, int train);
    /* Adds to the gradients of parameters and of every input whose dout is non-NULL. */
    void (*backward)(gdl_nn_t *g, gdl_nn_node_t *n);
    /* Optional hooks (NULL: the op has no such behaviour), so the graph engine and the
     * optimizers name no op. */
    /* 1 when the node's output is its input unchanged in this mode: the graph makes it a view. */
    int (*view)(const gdl_nn_node_t *n, int train);
    /* gdl_nn_set_fusion: fuse node n with the nodes that read it (setting their `fused`), or
     * undo that when on is 0. */
    void (*plan_fusion)(gdl_nn_t *g, gdl_nn_node_t *n, int on);
    /* The last node of the chain fused into n, whose buffer n's forward fills; -1 when none. */
    int (*fused_tail)(const gdl_nn_node_t *n);
    /* Clears the gradient of the node's first parameter itself (e.g. only the rows a sparse
     * batch touched); without the hook the graph clears it whole. */
    void (*zero_grad)(gdl_nn_t *g, gdl_nn_node_t *n);
    /* The rows of the first parameter with gradient since the last zero_grad, or -1 when any
     * row may have one: lazy optimizers update only those. */
    int64_t (*grad_rows)(const gdl_nn_node_t *n, const int32_t **rows);
} gdl_nn_op_t;

extern const gdl_nn_op_t gdl_nn_ops[GDL_OP_COUNT];

/* the op families (one file each) */
#define DECLARE_OP(x)                                                               \
    int gdl_op_##x##_setup(gdl_nn_t *g, gdl_nn_node_t *n, gdl_kv_t *kv);            \
    int gdl_op_##x##_forward(gdl_nn_t *g, gdl_nn_node_t *n, int train);             \
    void gdl_op_##x##_backward(gdl_nn_t *g, gdl_nn_node_t *n);
DECLARE_OP(dense) DECLARE_OP(sparse_dense) DECLARE_OP(gene_dense)
DECLARE_OP(relu) DECLARE_OP(leaky_relu) DECLARE_OP(sigmoid) DECLARE_OP(tanh) DECLARE_OP(gelu)
DECLARE_OP(softmax)
DECLARE_OP(concat) DECLARE_OP(add) DECLARE_OP(flatten) DECLARE_OP(reshape) DECLARE_OP(transpose)
DECLARE_OP(dropout) DECLARE_OP(embedding)
DECLARE_OP(conv1d) DECLARE_OP(maxpool1d) DECLARE_OP(avgpool1d) DECLARE_OP(global_maxpool)
DECLARE_OP(global_avgpool)
DECLARE_OP(batchnorm) DECLARE_OP(layernorm)
DECLARE_OP(rnn) DECLARE_OP(lstm) DECLARE_OP(gru)
DECLARE_OP(attention) DECLARE_OP(posenc) DECLARE_OP(kmer)
#undef DECLARE_OP

/* attributes: 0 / -1 with an error naming the node and key */
int gdl_kv_int(gdl_kv_t *kv, const char *key, int64_t def, int required, int64_t *out);
int gdl_kv_float(gdl_kv_t *kv, const char *key, double def, double *out);
/* String value or def; NULL when absent and def NULL. */
const char *gdl_kv_str(gdl_kv_t *kv, const char *key, const char *def);
/* A comma list of ints; returns the count (up to max) or -1. */
int gdl_kv_ints(gdl_kv_t *kv, const char *key, int64_t *out, int max);
/* "init=glorot|he" with a default. -1 on a bad name. */
int gdl_kv_init(gdl_kv_t *kv, gdl_init_t def, gdl_init_t *out);

/* Declare a parameter (or a state buffer) of NODE; returns its table row or -1. */
int gdl_nn_declare(gdl_nn_t *g, gdl_nn_node_t *n, const char *name, int ndim,
                   const int64_t *shape, gdl_init_t init, int64_t fan_in, int64_t fan_out,
                   int is_state);
/* Data and gradient of the node's k-th declared parameter. */
float *gdl_nn_p(gdl_nn_t *g, const gdl_nn_node_t *n, int k);
float *gdl_nn_dp(gdl_nn_t *g, const gdl_nn_node_t *n, int k);
/* Hot element-wise loops. gdl builds at -O2, whose cost model leaves loops of unknown length
 * scalar; these are vectorised and cloned for AVX2, the clone picked when the program loads.
 * No errno and no trapping (the attribute restates what the Makefile sets: an optimize
 * attribute resets them), so sqrtf and the selects in gdl_expf vectorise. No reassociation and no FMA contraction (-std=c11 keeps a * b + c as two
 * roundings), so every clone computes the same bits and a reduction keeps its serial order. */
#define GDL_NN_HOT \
    __attribute__((optimize("O3", "no-math-errno", "no-trapping-math"), target_clones("avx2", "default")))
/* view hooks: flatten and reshape (shape.c) always; dropout (dropout.c) in eval mode or at
 * rate 0. */
int gdl_nn_view_always(const gdl_nn_node_t *n, int train);
int gdl_op_dropout_view(const gdl_nn_node_t *n, int train);
int gdl_nn_is_view(const gdl_nn_node_t *n, int train); // the node's view hook says so
/* The in-place rectifier (activation.c): x = relu(x), or leaky with slope alpha. */
void gdl_nn_rectify(float *x, int64_t n, float alpha);

/* gdl_nn_infer's buffer reuse (infer.c), in the step arena. begin: NULL when out of memory.
 * output: sets the output buffer of node dst, which node i's forward fills (dst = i, or the
 * last node of a fused chain); 1 when that output is a view of i's input and i's forward must
 * not run, 0 otherwise, -1 when out of memory. release: after node i ran, frees the buffers it
 * was the last to read. keep: the node whose output outlives the pass. */
typedef struct gdl_nn_infer_t gdl_nn_infer_t;
gdl_nn_infer_t *gdl_nn_infer_begin(gdl_nn_t *g);
int gdl_nn_infer_output(gdl_nn_t *g, gdl_nn_infer_t *p, int i, int dst, int keep);
void gdl_nn_infer_release(gdl_nn_t *g, gdl_nn_infer_t *p, int i);

/* Fusion (gdl_nn_set_fusion). relu or leaky_relu with alpha >= 0 (activation.c): 1 and its
 * alpha; 0 for any other node. maxpool1d (pool.c): 1 and its window; 0 for any other node. */
int gdl_nn_rectifier_alpha(const gdl_nn_node_t *n, float *alpha);
int gdl_nn_maxpool_window(const gdl_nn_node_t *n, int64_t *size, int64_t *stride);
/* The one node reading node i, or -1 (none, or several readings): for fusion planning. */
int gdl_nn_sole_reader(const gdl_nn_t *g, int i);
/* conv1d (conv.c): a rectifier alone reading it, then a non-overlapping maxpool1d alone reading
 * that, computed in the convolution's own pass. */
void gdl_op_conv1d_plan_fusion(gdl_nn_t *g, gdl_nn_node_t *n, int on);
int gdl_op_conv1d_fused_tail(const gdl_nn_node_t *n);

/* sparse_dense (dense.c): zero its weight gradient (only the rows with gradient, once tracked);
 * the rows with gradient since the last zero_grad, or -1 when not tracked yet (any row may). */
void gdl_op_sparse_dense_zero_grad(gdl_nn_t *g, gdl_nn_node_t *n);
int64_t gdl_op_sparse_dense_grad_rows(const gdl_nn_node_t *n, const int32_t **rows);

static inline gdl_nn_node_t *gdl_nn_in(gdl_nn_t *g, const gdl_nn_node_t *n, int i)
{
    return &g->nodes[n->in[i]];
}

/* Scratch from the step arena; NULL with an error when out of memory. */
static inline float *gdl_nn_scratch(gdl_nn_t *g, int64_t n)
{
    float *p = gdl_arena_floats(&g->arena, (size_t)(n > 0 ? n : 1));
    if (!p) g->failed = 1; // a backward pass cannot return early, so it reports this at the end
    return p;
}
static inline float *gdl_nn_scratch0(gdl_nn_t *g, int64_t n)
{
    float *p = gdl_nn_scratch(g, n);
    if (p) memset(p, 0, sizeof(float) * (size_t)(n > 0 ? n : 1));
    return p;
}

/* e^x to 2 ulp in plain float arithmetic, so that loops calling it vectorise (glibc's expf is
 * a call): Cephes' range reduction x = n ln2 + r with ln2 split in two, its degree-6
 * polynomial for e^r, and 2^n built in the exponent bits. Limits: e^x for x > 88.3 is taken at
 * 88.3 (3e38, not inf) and below -87.3 at -87.3 (1e-38, not 0); NaN stays NaN. */
static inline float gdl_expf(float x)
{
    x = x > 88.3f ? 88.3f : x < -87.3f ? -87.3f : x;
    float n = floorf(x * 1.44269504088896341f + 0.5f);
    float r = x - n * 0.693359375f;
    r = r - n * -2.12194440e-4f;
    float p = 1.9875691500e-4f;
    p = p * r + 1.3981999507e-3f;
    p = p * r + 8.3334519073e-3f;
    p = p * r + 4.1665795894e-2f;
    p = p * r + 1.6666665459e-1f;
    p = p * r + 5.0000001201e-1f;
    p = p * (r * r) + r + 1.0f;
    n = n == n ? n : 0; // NaN: p is NaN already; keep the conversion defined
    int32_t bits = ((int32_t)n + 127) << 23;
    float scale;
    memcpy(&scale, &bits, sizeof scale);
    return p * scale;
}

/* 1 / (1 + e^-x), from e^-|x| so neither branch overflows */
static inline float gdl_sigmoidf(float x)
{
    float e = gdl_expf(-fabsf(x));
    return (x >= 0 ? 1.0f : e) / (1.0f + e); // one division, so a loop can vectorise
}

/* tanh to 1.5e-7 relative error at a quarter of glibc tanhf's cost (the recurrent cells' hot
 * spot): Cephes' odd polynomial below 0.625, 1 - 2 / (e^{2|x|} + 1) above. */
static inline float gdl_tanhf(float x)
{
    float ax = fabsf(x);
    float z = x * x;
    float small = ((((-5.70498872745e-3f * z + 2.06390887954e-2f) * z - 5.37397155531e-2f) * z +
                    1.33314422036e-1f) * z - 3.33332819422e-1f) * z * x + x;
    float t = 1.0f - 2.0f / (gdl_expf(2.0f * ax) + 1.0f);
    return ax < 0.625f ? small : x < 0 ? -t : t;
}

/* y (M, N) = x (M, K) W^T + b, W (N, K), b (N) or NULL; y overwritten. */
void gdl_nn_linear(const float *x, const float *W, const float *b, int64_t M, int64_t N,
                   int64_t K, float *y);

#endif
