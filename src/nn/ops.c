/* The op table: one row per op, looked up by name (files store names, never the enum). */
#include "nn_internal.h"

/* A row: the op's name and input count, its three functions (gdl_op_NAME_setup, _forward,
 * _backward), then any of the optional fields of gdl_nn_op_t (.sparse_input, .view, ...). */
#define OP(id, nm, lo, hi, nd, ...)                                                            \
    [id] = {.name = #nm, .min_in = lo, .max_in = hi, .nondiff_input = nd,                      \
            .setup = gdl_op_##nm##_setup, .forward = gdl_op_##nm##_forward,                    \
            .backward = gdl_op_##nm##_backward, __VA_ARGS__}

const gdl_nn_op_t gdl_nn_ops[GDL_OP_COUNT] = {
    OP(GDL_OP_DENSE, dense, 1, 1, 0),
    OP(GDL_OP_SPARSE_DENSE, sparse_dense, 1, 1, 0, .sparse_input = 1, .zero_grad = gdl_op_sparse_dense_zero_grad,
       .grad_rows = gdl_op_sparse_dense_grad_rows),
    OP(GDL_OP_GENE_DENSE, gene_dense, 1, 1, 0, .sparse_input = 2),
    OP(GDL_OP_RELU, relu, 1, 1, 0),
    OP(GDL_OP_LEAKY_RELU, leaky_relu, 1, 1, 0),
    OP(GDL_OP_SIGMOID, sigmoid, 1, 1, 0),
    OP(GDL_OP_TANH, tanh, 1, 1, 0),
    OP(GDL_OP_GELU, gelu, 1, 1, 0),
    OP(GDL_OP_SOFTMAX, softmax, 1, 1, 0),
    OP(GDL_OP_CONCAT, concat, 1, -1, 0),
    OP(GDL_OP_ADD, add, 1, -1, 0),
    OP(GDL_OP_FLATTEN, flatten, 1, 1, 0, .view = gdl_nn_view_always),
    OP(GDL_OP_RESHAPE, reshape, 1, 1, 0, .view = gdl_nn_view_always),
    OP(GDL_OP_TRANSPOSE, transpose, 1, 1, 0),
    OP(GDL_OP_DROPOUT, dropout, 1, 1, 0, .view = gdl_op_dropout_view),
    OP(GDL_OP_EMBEDDING, embedding, 1, 1, 1),
    OP(GDL_OP_CONV1D, conv1d, 1, 1, 0, .plan_fusion = gdl_op_conv1d_plan_fusion, .fused_tail = gdl_op_conv1d_fused_tail),
    OP(GDL_OP_MAXPOOL1D, maxpool1d, 1, 1, 0),
    OP(GDL_OP_AVGPOOL1D, avgpool1d, 1, 1, 0),
    OP(GDL_OP_GLOBAL_MAXPOOL, global_maxpool, 1, 1, 0),
    OP(GDL_OP_GLOBAL_AVGPOOL, global_avgpool, 1, 1, 0),
    OP(GDL_OP_BATCHNORM, batchnorm, 1, 1, 0),
    OP(GDL_OP_LAYERNORM, layernorm, 1, 1, 0),
    OP(GDL_OP_RNN, rnn, 1, 1, 0),
    OP(GDL_OP_LSTM, lstm, 1, 1, 0),
    OP(GDL_OP_GRU, gru, 1, 1, 0),
    OP(GDL_OP_ATTENTION, attention, 1, 1, 0),
    OP(GDL_OP_POSENC, posenc, 1, 1, 0),
    OP(GDL_OP_KMER, kmer, 1, 1, 1),
};
/* A new op touches: its enum value in nn.h's list (which sets GDL_OP_COUNT); DECLARE_OP(name) in
 * nn_internal.h and its three functions in an op file; its row here, with any hooks it needs;
 * and a case in tests/unit/test_nn_gradcheck.c. test_nn_gradcheck fails when a row is missing
 * (a nameless row) or has no gradient check case, and this assert when the count moves. */
_Static_assert(GDL_OP_COUNT == 29, "op added: update the op table and the gradient checks");

int gdl_nn_op_count(void) { return GDL_OP_COUNT; }

const char *gdl_nn_op_name(int op) { return op >= 0 && op < GDL_OP_COUNT ? gdl_nn_ops[op].name : NULL; }

int gdl_nn_op_find(const char *name)
{
    for (int i = 0; i < GDL_OP_COUNT; i++)
        if (gdl_nn_ops[i].name && !strcmp(gdl_nn_ops[i].name, name)) return i;
    return -1;
}

int gdl_nn_op_nondiff_input(int op) { return op >= 0 && op < GDL_OP_COUNT && gdl_nn_ops[op].nondiff_input; }

void gdl_nn_linear(const float *x, const float *W, const float *b, int64_t M, int64_t N,
                   int64_t K, float *y)
{
    if (b)
        for (int64_t i = 0; i < M; i++) memcpy(y + i * N, b, sizeof(float) * (size_t)N);
    gdl_sgemm(GDL_NO_TRANS, GDL_TRANS, M, N, K, 1.0f, x, K, W, K, b ? 1.0f : 0.0f, y, N);
}
