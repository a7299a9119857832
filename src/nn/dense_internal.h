/* What the dense layer (dense.c) and the sparse dense layer (sparse_dense.c) share. */
#ifndef GDL_NN_DENSE_INTERNAL_H
#define GDL_NN_DENSE_INTERNAL_H

#include "nn_internal.h"

typedef struct {
    int64_t units;
    int bias;
    int center;      // inputs act as x - mu, mu the "center" state (K)
    /* sparse_dense: the weight rows with gradient since the last zero_grad, so zero_grad and
     * the lazy optimizer touch only them. Both arrays (V) follow the struct in its one block. */
    int tracked;     // 1 once zero_grad has cleared the whole weight gradient
    int64_t n_rows;  // rows listed
    int32_t *rows;   // (V) row indices, in first-touch order
    uint8_t *mark;   // (V) 1 when listed
} dense_attr_t;

/* units, bias, center and init from kv; W (U, K) for dense (PyTorch's Linear), (V, U) for
 * sparse so a call's weights are one row; bias (U); the "center" state mu (K). -1 with an error. */
int gdl_nn_dense_setup(gdl_nn_t *g, gdl_nn_node_t *n, gdl_kv_t *kv, int sparse);
/* Centred inputs (x - mu): y -= W mu on every output row; dW -= mu (sum_i dy_i) after the
 * uncentred weight gradient. by_unit: W is (U, V) (dense) rather than (V, U). */
int gdl_nn_dense_center_forward(gdl_nn_t *g, gdl_nn_node_t *n, int by_unit);
void gdl_nn_dense_center_backward(gdl_nn_t *g, gdl_nn_node_t *n, int by_unit);

#endif
