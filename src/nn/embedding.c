/* Embedding: integer codes (L) (base codes A=0 C=1 G=2 T=3 N=4, or tokens) -> vectors (dim, L)
 * in the (C, L) layout the convolution and recurrent layers read. E (vocab, dim). */
#include <stdlib.h>

#include "nn_internal.h"

typedef struct {
    int64_t vocab, dim;
} embedding_attr_t;

int gdl_op_embedding_setup(gdl_nn_t *g, gdl_nn_node_t *n, gdl_kv_t *kv)
{
    int64_t vocab, dim;
    if (gdl_kv_int(kv, "vocab", 0, 1, &vocab) < 0 || gdl_kv_int(kv, "dim", 0, 1, &dim) < 0) return -1;
    gdl_nn_node_t *x = gdl_nn_in(g, n, 0);
    if (vocab < 1 || dim < 1 || x->ndim != 1) {
        gdl_log_error("node '%s': embedding needs vocab, dim >= 1 and a 1-D input of codes", n->name);
        return -1;
    }
    embedding_attr_t *a = malloc(sizeof *a);
    if (!a) return -1;
    a->vocab = vocab, a->dim = dim;
    n->attr = a;
    if (gdl_nn_declare(g, n, "weight", 2, (int64_t[]){vocab, dim}, GDL_INIT_GLOROT, vocab, dim, 0) < 0)
        return -1;
    n->ndim = 2, n->shape[0] = dim, n->shape[1] = x->shape[0];
    return 0;
}

int gdl_op_embedding_forward(gdl_nn_t *g, gdl_nn_node_t *n, int train)
{
    (void)train;
    embedding_attr_t *a = n->attr;
    const float *x = gdl_nn_in(g, n, 0)->out, *E = gdl_nn_p(g, n, 0);
    int64_t L = n->shape[1];
    for (int64_t i = 0; i < g->N; i++)
        for (int64_t l = 0; l < L; l++) {
            float c = x[i * L + l];
            if (!(c >= 0 && c < a->vocab) || c != (float)(int64_t)c) {
                gdl_log_error("node '%s': sample %lld position %lld has code %g (vocab %lld)",
                              n->name, (long long)i, (long long)l, c, (long long)a->vocab);
                return -1;
            }
            const float *e = E + (int64_t)c * a->dim;
            for (int64_t d = 0; d < a->dim; d++) n->out[i * n->size + d * L + l] = e[d];
        }
    return 0;
}

void gdl_op_embedding_backward(gdl_nn_t *g, gdl_nn_node_t *n)
{
    embedding_attr_t *a = n->attr;
    const float *x = gdl_nn_in(g, n, 0)->out;
    float *dE = gdl_nn_dp(g, n, 0);
    int64_t L = n->shape[1];
    for (int64_t i = 0; i < g->N; i++)
        for (int64_t l = 0; l < L; l++) {
            float *de = dE + (int64_t)x[i * L + l] * a->dim;
            for (int64_t d = 0; d < a->dim; d++) de[d] += n->dout[i * n->size + d * L + l];
        }
}
