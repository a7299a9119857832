/* nn: the neural-network engine. A model is a DAG of named nodes; each node applies one op from
 * the op table (src/nn/ops.c) to the outputs of earlier nodes. Forward runs in train or eval
 * mode; backward goes from gradients placed on output nodes to every parameter and, when asked,
 * to the inputs (attribution needs d output / d input).
 *
 * Dimension letters: N batch, C channels, L length (sequences are (N, C, L)), F filters,
 * W kernel width, H hidden units, T targets, K inner (features), V sparse columns.
 * Shapes given to the graph are PER SAMPLE (no batch dimension); the batch size is a
 * property of each forward call.
 *
 * Building (what `gdl train` does from a JSON config):
 *   g = gdl_nn_new(seed);
 *   gdl_nn_input(g, "dna", 2, (int64_t[]){4, 1000});          // (C, L)
 *   gdl_nn_add(g, "c1", "conv1d", "dna", "filters=320 width=8 padding=same");
 *   gdl_nn_add(g, "r1", "relu", "c1", NULL);  ...
 *   gdl_nn_compile(g);                        // flat parameter/gradient buffers, initialised
 * Inputs are named by a comma-separated list ("a,b"); attributes are "key=value" pairs
 * separated by spaces ("filters=8 width=3 shape=4,250"). An unknown op, input or attribute
 * key is an error naming the node, so a typo in a config is reported, not ignored.
 *
 * Each step:
 *   gdl_nn_set_input(g, "dna", x);            // x (N, 4, 1000), borrowed until the next forward
 *   gdl_nn_forward(g, N, 1);                  // resets the per-step arena first
 *   y = gdl_nn_output(g, "logits");           // (N, T), valid until the next forward
 *   gdl_nn_zero_grad(g);
 *   loss = gdl_loss_compute(&loss_spec, y, labels, N, T, gdl_nn_grad(g, "logits"));
 *   gdl_nn_backward(g);                       // accumulates into g->grad
 *   gdl_optim_step(&opt, g, lr);
 *
 * Errors: functions returning int give 0 or -1, pointers NULL, with gdl_log_error(). */
#ifndef GDL_NN_H
#define GDL_NN_H

#include <stdint.h>

#include "gdl/core.h"

#define GDL_NN_MAX_INPUTS 8
#define GDL_NN_MAX_DIMS 3 // per sample
/* Sizes a graph may ask for, checked before anything is allocated, so a config or a model file
 * asking for a layer of 10^12 units (or shapes whose product overflows) is an error naming the
 * size: an integer attribute (units, filters, width, ...) and a dimension are at most
 * GDL_NN_MAX_SIZE; a parameter tensor, and a node's output per sample, hold at most
 * GDL_NN_MAX_NUMEL values (2^36 floats, 256 GB). */
#define GDL_NN_MAX_SIZE 2147483647ll
#define GDL_NN_MAX_NUMEL (1ll << 36)

/* ---- the op set (one line of math each; x input, y output, per sample) -------------------
 * dense           y = W x + b; x flattened to K, W (units, K)               [units, bias=1, init]
 *                 (a position-wise dense on (C, L) is conv1d width=1)
 * sparse_dense    y = sum_j v_j W[c_j, :] + b over the sample's calls (c_j, v_j); W (V, units) [units, bias=1, init]
 * gene_dense      y[g U + u] = b[g, u] + sum_{e in group g} x[variant[e]] W[e, u]: U units per gene
 *                 (group) seeing only its variants; W (links, U), one row per (variant, gene) link;
 *                 x dense (M) or sparse. The map is state (gdl_nn_gene_map_set)
 *                 [groups, links, units_per_gene=1, bias=1, init, unassigned=shared|drop (model build's)]
 * relu            y = max(0, x)
 * leaky_relu      y = x > 0 ? x : alpha x                                    [alpha=0.01]
 * sigmoid         y = 1 / (1 + exp(-x))
 * tanh            y = tanh(x)
 * gelu            y = x Phi(x) (exact, erf)
 * softmax         y_c = exp(x_c) / sum_c' exp(x_c') over axis 0 (C; per position for (C, L))
 * concat          y = [x1; x2; ...] along per-sample axis                    [axis=0]
 * add             y = x1 + x2 + ...
 * flatten         y = x viewed as (prod shape)
 * reshape         y = x viewed as shape                                      [shape=a,b]
 * transpose       y[j, i] = x[i, j] (2-D per sample: (C, L) <-> (L, C))
 * dropout         y = m x / (1 - rate), m ~ Bernoulli(1 - rate) in train; y = x in eval [rate=0.5]
 * embedding       y[:, l] = E[x_l] for integer codes x (L) -> (dim, L)       [vocab, dim]
 * conv1d          y[f, l] = b_f + sum_{c,k} W[f, c, k] x[c, l s + k d - p]  [filters, width,
 *                                                     stride=1, dilation=1, padding=valid|same, bias=1, init]
 * maxpool1d       y[c, l] = max_k x[c, l s + k]                              [size, stride=size]
 * avgpool1d       y[c, l] = mean_k x[c, l s + k]                             [size, stride=size]
 * global_maxpool  y[c] = max_l x[c, l]
 * global_avgpool  y[c] = mean_l x[c, l]
 * batchnorm       y = gamma (x - mu) / sqrt(var + eps) + beta, per channel; batch statistics
 *                 in train (running stats updated), running stats in eval   [momentum=0.1, eps=1e-5]
 * layernorm       y = gamma (x - mu) / sqrt(var + eps) + beta over C at each position [eps=1e-5]
 * rnn             h_t = tanh(W_ih x_t + b_ih + W_hh h_{t-1} + b_hh)
 * lstm            i,f,g,o = W_ih x_t + b_ih + W_hh h_{t-1} + b_hh; c_t = s(f) c_{t-1} + s(i) tanh(g);
 *                 h_t = s(o) tanh(c_t)                                        (PyTorch gate order)
 * gru             r,z = s(W_i x_t + b_i + W_h h + b_h); n = tanh(W_in x_t + b_in + r (W_hn h + b_hn));
 *                 h_t = (1 - z) n + z h_{t-1}                                 (PyTorch gate order)
 *                 recurrent: (C, L) -> (H dirs, L) or (H dirs)  [units, bidirectional=0, return_sequences=0]
 * attention       y = W_o concat_h softmax(Q_h K_h^T / sqrt(d)) V_h + b_o, [Q;K;V] = W_in x + b_in,
 *                 on (C, L) with C = heads d                                 [heads=1]
 * posenc          y[c, l] = x[c, l] + (c even ? sin : cos)(l / 10000^(2 floor(c/2) / C))
 * kmer            y = b + sum over the k-mers w of a one-hot (4, L) of W[w] (context=window), or
 *                 b + W[w] for the word of the k bases each side of the middle (context=centre);
 *                 words with an N skipped; no input gradient    [k, units, context=window]
 * init=glorot (uniform, +-sqrt(6 / (fan_in + fan_out))) or init=he (normal, sd sqrt(2 / fan_in));
 * biases 0, norm scales 1. Parameter names are "NODE.NAME" with NAME as in PyTorch (weight, bias,
 * weight_ih[_reverse], in_proj_weight, running_mean, ...); tests/ref/make_nn_fixtures.py
 * documents the mapping from PyTorch modules.
 */
typedef enum {
    GDL_OP_DENSE, GDL_OP_SPARSE_DENSE, GDL_OP_GENE_DENSE,
    GDL_OP_RELU, GDL_OP_LEAKY_RELU, GDL_OP_SIGMOID, GDL_OP_TANH, GDL_OP_GELU, GDL_OP_SOFTMAX,
    GDL_OP_CONCAT, GDL_OP_ADD, GDL_OP_FLATTEN, GDL_OP_RESHAPE, GDL_OP_TRANSPOSE,
    GDL_OP_DROPOUT, GDL_OP_EMBEDDING,
    GDL_OP_CONV1D, GDL_OP_MAXPOOL1D, GDL_OP_AVGPOOL1D, GDL_OP_GLOBAL_MAXPOOL, GDL_OP_GLOBAL_AVGPOOL,
    GDL_OP_BATCHNORM, GDL_OP_LAYERNORM,
    GDL_OP_RNN, GDL_OP_LSTM, GDL_OP_GRU,
    GDL_OP_ATTENTION, GDL_OP_POSENC, GDL_OP_KMER,
    GDL_OP_COUNT
} gdl_op_id_t;

int gdl_nn_op_count(void);
const char *gdl_nn_op_name(int op);     // NULL when out of range
int gdl_nn_op_find(const char *name);   // -1 when unknown
/* 1 when the op's first input is integer codes (embedding): no gradient flows to it. */
int gdl_nn_op_nondiff_input(int op);

/* ---- sparse batches (genotype dosages) ----------------------------------------------------
 * CSR over the batch: sample i's non-zero calls are col[k], val[k] for k in
 * [row[i], row[i+1]); cols ascending is not required. A genotype batch builder fills it by
 * walking each sample's 2-bit row and emitting (variant index, dosage 1 or 2). */
typedef struct {
    int64_t n_rows;      // N
    int64_t n_cols;      // V, must equal the input's declared width
    const int64_t *row;  // (N + 1)
    const int32_t *col;  // (nnz)
    const float *val;    // (nnz)
} gdl_nn_sparse_t;

/* ---- the graph ---------------------------------------------------------------------------- */

typedef struct gdl_nn_t gdl_nn_t;

typedef enum { GDL_INIT_ZERO, GDL_INIT_ONE, GDL_INIT_GLOROT, GDL_INIT_HE } gdl_init_t;

/* One row of the parameter table: a named slice of g->param (or of g->state). */
typedef struct {
    char name[96];     // "node.weight"
    int node;          // index of the owning node
    int ndim;
    int64_t shape[4];
    int64_t offset;    // in floats, into g->param/g->grad, or into g->state when is_state
    int64_t numel;
    int is_state;      // 1: not trained (batch-norm running statistics), saved with the model
    gdl_init_t init;
    const float *mapped; // set: the values live here, read-only (a model file loaded for scoring)
    int64_t fan_in, fan_out;
} gdl_nn_param_t;

/* Public fields are read-only to callers except the buffer contents (load/save/optimizer). */
struct gdl_nn_t {
    float *param, *grad;          // (n_param) each, one allocation each, after compile
    int64_t n_param;
    float *state;                 // (n_state): non-trained buffers
    int64_t n_state;
    gdl_nn_param_t *table;        // (n_table)
    int n_table;
    uint64_t seed;                // initialisation and dropout streams
    int64_t step;                 // dropout masks depend on (seed, node, step); set by the trainer
    struct gdl_nn_node_t *nodes;  // private
    int n_nodes, cap_nodes, cap_table;
    int compiled;
    int64_t N;                    // batch size of the last forward
    int train;                    // mode of the last forward
    int infer;                    // the last forward was gdl_nn_infer (no backward may follow)
    int fusion;                   // gdl_nn_set_fusion
    int no_param_grad;            // gdl_nn_set_param_grad(g, 0)
    int failed;                   // private: scratch allocation failed during this step
    int backward_done;            // private: one backward per forward
    gdl_arena_t arena;            // per-step scratch: node outputs, gradients, saved values
};

gdl_nn_t *gdl_nn_new(uint64_t seed); // NULL when out of memory; free with gdl_nn_free
/* Floats of node values one more example adds to a forward pass, every node counted (sparse
 * inputs as nothing): an upper bound, for choosing a batch size. */
int64_t gdl_nn_sample_floats(const gdl_nn_t *g);
void gdl_nn_free(gdl_nn_t *g);

/* Declare a dense input of per-sample shape (ndim 1..3). -1 on a duplicate name or bad shape. */
int gdl_nn_input(gdl_nn_t *g, const char *name, int ndim, const int64_t *shape);
/* Declare a sparse input of V columns (fed with gdl_nn_set_sparse; per-sample shape (V)). */
int gdl_nn_input_sparse(gdl_nn_t *g, const char *name, int64_t V);
/* Append node NAME = OP(INPUTS) with ATTRS (may be NULL). Runs the op's shape rule and declares
 * its parameters at once, so errors name the node. Returns the node index or -1. */
int gdl_nn_add(gdl_nn_t *g, const char *name, const char *op, const char *inputs,
               const char *attrs);
/* Allocate the flat parameter, gradient and state buffers and initialise them from the seed
 * (one RNG stream per parameter, so adding a layer does not change the others). */
int gdl_nn_compile(gdl_nn_t *g);
/* As gdl_nn_compile with every buffer left zero: for a caller about to load every parameter. */
int gdl_nn_compile_blank(gdl_nn_t *g);

int gdl_nn_find(const gdl_nn_t *g, const char *name);            // node index or -1
/* A kmer node (gdl_nn_find's index): its context and the most words a sample reads. */
typedef struct {
    int centre;    // context=centre: one word of the k bases each side of the middle
    int64_t k;
    int64_t room;  // words a sample reads at most (1 for centre, L - k + 1 for window)
} gdl_nn_kmer_info_t;
/* 0, or -1 when node is no kmer node. */
int gdl_nn_kmer_info(const gdl_nn_t *g, int node, gdl_nn_kmer_info_t *info);
/* The table rows (words) sample i of the last batch fed to a kmer node reads, into rows (room
 * of them); their count. */
int64_t gdl_nn_kmer_rows(const gdl_nn_t *g, int node, int64_t i, int64_t *rows);
/* Nodes in order (inputs included, op "input" / "sparse_input"), for summaries. */
int gdl_nn_node_count(const gdl_nn_t *g);
const char *gdl_nn_node_name(const gdl_nn_t *g, int i);
const char *gdl_nn_node_op(const gdl_nn_t *g, int i);
int64_t gdl_nn_param_count(const gdl_nn_t *g); // trained values (without alignment padding)
const gdl_nn_param_t *gdl_nn_find_param(const gdl_nn_t *g, const char *name); // NULL if absent
/* Per-sample shape of a node; returns ndim (0 if no such node). */
int gdl_nn_shape(const gdl_nn_t *g, const char *name, int64_t *shape);
int64_t gdl_nn_size(const gdl_nn_t *g, const char *name);        // per-sample element count
float *gdl_nn_param_data(gdl_nn_t *g, const gdl_nn_param_t *p);  // into g->param or g->state, or p->mapped

/* ---- gene_dense's map ------------------------------------------------------------------------
 * Group g's links are [start[g], start[g + 1]) (start (G + 1), start[0] = 0, start[G] = E) and
 * link e reads variant[e] (E), ascending within a group; a variant may be in several groups or
 * in none. Set after gdl_nn_compile (copied into the node's state, so saved with the
 * parameters); -1 with an error when NODE is not a gene_dense node, the sizes differ from its
 * groups and links, or the map is not one. get: G, E and (when start is not NULL) start. */
int gdl_nn_gene_map_set(gdl_nn_t *g, const char *node, const int64_t *start, const int64_t *variant);
int gdl_nn_gene_map_get(gdl_nn_t *g, const char *node, int64_t *groups, int64_t *links, int64_t *start);

/* ---- running ------------------------------------------------------------------------------ */

/* Borrowed pointers: the caller keeps the data alive until the step ends. */
int gdl_nn_set_input(gdl_nn_t *g, const char *name, const float *x); // (N, shape)
int gdl_nn_set_sparse(gdl_nn_t *g, const char *name, const gdl_nn_sparse_t *x);
/* Ask backward to compute the gradient reaching input NAME (off by default); for a sparse input
 * it is dense, (N, V). */
int gdl_nn_want_input_grad(gdl_nn_t *g, const char *name, int on);

/* Resets the arena and runs every node for a batch of N; train = 1 enables dropout and
 * batch statistics. -1 on an unset input or a bad value (e.g. embedding code out of range). */
int gdl_nn_forward(gdl_nn_t *g, int64_t N, int train);
/* Inference: as gdl_nn_forward in eval mode, but no backward may follow, so each node's buffer
 * is reused once its consumers have run and rectifiers work in place: only node KEEP's output
 * is readable afterwards. Memory is the widest few layers', not the whole network's. */
int gdl_nn_infer(gdl_nn_t *g, int64_t N, const char *keep);
/* Fusion (off by default): a conv1d whose only reader is a relu or leaky_relu (alpha >= 0),
 * and that rectifier's only reader if it is a maxpool1d with stride >= size, run as one pass
 * over blocks of the convolution's output, which is never stored; gdl_nn_output of the two
 * fused-away nodes (the convolution, and the rectifier when a pool follows) is then NULL.
 * Values and gradients are bit-identical to the unfused graph. For training and prediction;
 * per-layer attribution needs every node's values and leaves it off. */
void gdl_nn_set_fusion(gdl_nn_t *g, int on);
/* Parameter gradients on (the default) or off. Off, the backward pass computes only the
 * gradients that flow to the inputs (attribution): the weight products of dense, sparse_dense
 * and conv1d layers are skipped and their parameter gradients left as they were; other layers
 * may still add theirs. */
void gdl_nn_set_param_grad(gdl_nn_t *g, int on);
float *gdl_nn_output(gdl_nn_t *g, const char *name);   // (N, shape) of the last forward
/* The gradient buffer of a node, zero-filled on first request after a forward: put
 * d loss / d output here before gdl_nn_backward. NULL if no such node or no forward. */
float *gdl_nn_grad(gdl_nn_t *g, const char *name);
void gdl_nn_zero_grad(gdl_nn_t *g);                     // g->grad = 0
/* Back-propagates from every node gradient set so far; ADDS to g->grad and to the gradients of
 * inputs asked for with gdl_nn_want_input_grad (read them with gdl_nn_grad). Once per forward
 * pass (-1 on a second call); several losses on several outputs go in before the one call. */
int gdl_nn_backward(gdl_nn_t *g);
/* Runs the backward of node NAME alone, from the gradient the caller put in gdl_nn_grad(g, NAME),
 * into a zero-filled gradient of its first input, which it returns ((N, size) of that input;
 * NULL with an error for an input node or an op whose first input has no gradient). For layer-
 * wise relevance propagation (gdl attribute --method trace), one call per node after an eval
 * forward; parameter gradients accumulate on the way, and gdl_nn_backward must not follow. */
float *gdl_nn_backward_node(gdl_nn_t *g, const char *name);

/* Forward values of a recurrent node (rnn, lstm, gru) kept by the last gdl_nn_forward, for
 * relevance propagation; borrowed, valid until the next forward. Per direction d (1 reverse),
 * time-major: A[d] (L, N, G H) the gate activations (rnn: h; lstm: sigmoid i, sigmoid f,
 * tanh g, sigmoid o; gru: sigmoid r, sigmoid z, n), Hs[d] (L, N, H) the hidden state after
 * each time, Cs[d] (L, N, H) the LSTM cell state (NULL otherwise). -1 with an error for another
 * op, before a forward, or after gdl_nn_infer (which keeps one step). */
typedef struct {
    int G, D, seq;            // gates (1, 4, 3), directions, return_sequences
    int64_t N, C, L, H;
    const float *A[2], *Hs[2], *Cs[2];
} gdl_nn_recurrent_values_t;
int gdl_nn_recurrent_values(gdl_nn_t *g, const char *name, gdl_nn_recurrent_values_t *v);
/* The attention weights of an attention node's last gdl_nn_forward: (N, heads, L, L), row l of
 * head h the softmax over keys for query l; *heads set. Borrowed; NULL with an error for another
 * op or before a forward. */
const float *gdl_nn_attention_weights(gdl_nn_t *g, const char *name, int64_t *heads);

/* ---- losses -------------------------------------------------------------------------------
 * bce         l = mean over non-NaN labels of  -w_t y log s(x) - (1 - y) log(1 - s(x)),
 *             w_t = pos_weight[t] (1 when NULL); computed from logits, stable for any x
 * softmax_ce  l = sum_i cw[y_i] (-log softmax(x_i)[y_i]) / sum_i cw[y_i]; y_i the class index
 *             stored as a float, NaN = masked; cw = class_weight (1 when NULL)
 * mse         l = mean over non-NaN labels of (x - y)^2 */
typedef enum { GDL_LOSS_BCE, GDL_LOSS_SOFTMAX_CE, GDL_LOSS_MSE, GDL_LOSS_COUNT } gdl_loss_kind_t;

typedef struct {
    gdl_loss_kind_t kind;
    const float *pos_weight;   // (T) for bce, or NULL
    const float *class_weight; // (T classes) for softmax_ce, or NULL
} gdl_loss_t;

const char *gdl_loss_name(int kind);
int gdl_loss_find(const char *name); // -1 when unknown
/* pred (N, T) and labels (N, T) (softmax_ce: labels (N) class indices, T classes). Writes
 * d loss / d pred into dpred (N, T) when not NULL (added, not overwritten). Returns the loss;
 * 0 with every gradient 0 when no label is present. */
double gdl_loss_compute(const gdl_loss_t *l, const float *pred, const float *labels, int64_t N,
                        int64_t T, float *dpred);

/* ---- optimizers ---------------------------------------------------------------------------
 * sgd      v = mu v + g;  p -= lr (nesterov ? g + mu v : v)          (g includes wd p)
 * adam     m = b1 m + (1-b1) g; v = b2 v + (1-b2) g^2; p -= lr mhat / (sqrt(vhat) + eps)
 *          (g includes wd p, as PyTorch's Adam)
 * adamw    as adam with g free of decay and p -= lr wd p first (decoupled)
 * rmsprop  v = a v + (1-a) g^2; p -= lr g / (sqrt(v) + eps)         (g includes wd p)
 * lazy = 1: the weight of a sparse_dense layer is updated only in the rows that have a gradient
 * this step (the variants called in the batch), as TensorFlow's LazyAdam and PyTorch's
 * SparseAdam do: an untouched row keeps its value and its m and v (no decay of the moments, no
 * weight decay) until a batch calls it again; bias correction uses the global step count. The
 * cost of a step then follows the batch's calls instead of V. lazy = 0 (the default) updates
 * every row, PyTorch's dense Adam. Other parameters are always updated densely. */
typedef enum { GDL_OPTIM_SGD, GDL_OPTIM_ADAM, GDL_OPTIM_ADAMW, GDL_OPTIM_RMSPROP, GDL_OPTIM_COUNT } gdl_optim_kind_t;

#define GDL_OPTIM_MAX_PROX 4

typedef struct {
    gdl_optim_kind_t kind;
    float momentum;      // sgd [0]
    int nesterov;        // sgd [0]
    float beta1, beta2;  // adam(w) [0.9, 0.999]
    float alpha;         // rmsprop smoothing [0.99]
    float eps;           // adam(w) [1e-8], rmsprop [1e-8]
    float weight_decay;  // [0]
    int lazy;            // sparse_dense weights: update only rows with gradient [0]
    /* Proximal elastic net on parameter ranges, after each step: with s = scale[row] and r the
     * step's rate for p (lr for sgd, lr / (sqrt(v^) + eps) for adam(w), lr / (sqrt(v) + eps) for
     * rmsprop), p = sign(p) max(|p| - r l1 s, 0) / (1 + r l2 s^2): the diagonal-metric proximal
     * step of l1 s |p| + l2 s^2 p^2 / 2, so weights reach exact zeros. Ranges are rows of `width`
     * elements from `offset`; scale (rows), or (width) when by_column, or NULL = 1. Not owned. */
    int n_prox;
    struct {
        int64_t offset, rows, width;
        const float *scale;
        int by_column;
    } prox[GDL_OPTIM_MAX_PROX];
    float l1, l2;        // [0]
    /* Frozen ranges (gdl_optim_freeze) keep their values: gdl_optim_step zeroes their gradients
     * first and puts their values back after the update, so no rule, decay or penalty moves them. */
    int n_frozen;
    struct {
        int64_t offset, numel;
        float *value;    // owned
    } frozen[GDL_OPTIM_MAX_PROX];
    /* state, owned: */
    float *m, *v;        // (n_param) each, allocated on the first step
    int64_t n, t;        // size and steps taken
} gdl_optim_t;

const char *gdl_optim_name(int kind);
int gdl_optim_find(const char *name); // -1 when unknown
/* Defaults for KIND (as PyTorch's). */
void gdl_optim_init(gdl_optim_t *o, gdl_optim_kind_t kind);
/* One update of g->param from g->grad with learning rate lr. -1 when out of memory. */
int gdl_optim_step(gdl_optim_t *o, gdl_nn_t *g, float lr);
void gdl_optim_free(gdl_optim_t *o);
/* Freezes g->param[offset, offset + numel) at its current values. -1 when out of memory or out of
 * ranges (logged). */
int gdl_optim_freeze(gdl_optim_t *o, const gdl_nn_t *g, int64_t offset, int64_t numel);
/* Zeroes the frozen ranges' gradients (before clipping, so they do not count in the norm). */
void gdl_optim_mask_frozen(const gdl_optim_t *o, gdl_nn_t *g);
/* Scales g->grad so its global L2 norm is at most max_norm; returns the norm before. */
double gdl_nn_clip_grad_norm(gdl_nn_t *g, double max_norm);

/* ---- learning-rate schedules --------------------------------------------------------------
 * constant  lr
 * step      lr gamma^floor(s / step_size)
 * cosine    min_lr + (lr - min_lr) (1 + cos(pi s' / total')) / 2 after warm-up
 * plateau   lr times factor each time the metric fails to improve for `patience` reports
 * Any of them with warmup > 0 ramps linearly from lr/warmup to lr over the first warmup steps. */
typedef enum { GDL_SCHED_CONSTANT, GDL_SCHED_STEP, GDL_SCHED_COSINE, GDL_SCHED_PLATEAU, GDL_SCHED_COUNT } gdl_sched_kind_t;

typedef struct {
    gdl_sched_kind_t kind;
    double lr;           // base rate
    int64_t warmup;      // linear warm-up steps [0]
    int64_t step_size;   // step [1]
    double gamma;        // step [0.1]
    int64_t total;       // cosine: total steps including warm-up
    double min_lr;       // cosine floor, plateau floor [0]
    double factor;       // plateau [0.1]
    int patience;        // plateau [10]
    double threshold;    // plateau: relative improvement needed [1e-4]
    int mode_max;        // plateau: 1 when the metric should rise (AUC), 0 for a loss
    /* plateau state */
    double best, scale;
    int bad;
} gdl_sched_t;

const char *gdl_sched_name(int kind);
int gdl_sched_find(const char *name);
void gdl_sched_init(gdl_sched_t *s, gdl_sched_kind_t kind, double lr);
double gdl_sched_lr(const gdl_sched_t *s, int64_t step); // rate for step (0-based)
/* Plateau: report an epoch's metric; returns 1 when the rate was just reduced. */
int gdl_sched_report(gdl_sched_t *s, double metric);

#endif
