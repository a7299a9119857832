/* Shape ops: concat, add, flatten, reshape, transpose. Outputs are copies, so each node owns
 * its buffer and gradients accumulate without aliasing. */
#include <stdlib.h>

#include "nn_internal.h"

/* ---- concat: y = [x1; x2; ...] along per-sample axis a -------------------------------------- */

int gdl_op_concat_setup(gdl_nn_t *g, gdl_nn_node_t *n, gdl_kv_t *kv)
{
    int64_t axis;
    if (gdl_kv_int(kv, "axis", 0, 0, &axis) < 0) return -1;
    gdl_nn_node_t *x0 = gdl_nn_in(g, n, 0);
    if (axis < 0 || axis >= x0->ndim) {
        gdl_log_error("node '%s': axis=%lld for %d-D inputs", n->name, (long long)axis, x0->ndim);
        return -1;
    }
    n->ndim = x0->ndim;
    memcpy(n->shape, x0->shape, sizeof n->shape);
    n->shape[axis] = 0;
    for (int k = 0; k < n->n_in; k++) {
        gdl_nn_node_t *x = gdl_nn_in(g, n, k);
        int ok = x->ndim == x0->ndim;
        for (int d = 0; d < x0->ndim && ok; d++) ok = d == axis || x->shape[d] == x0->shape[d];
        if (!ok) {
            gdl_log_error("node '%s': input '%s' does not match '%s' outside axis %lld", n->name,
                          x->name, x0->name, (long long)axis);
            return -1;
        }
        n->shape[axis] += x->shape[axis];
    }
    int *a = malloc(sizeof *a);
    if (!a) return -1;
    *a = (int)axis;
    n->attr = a;
    return 0;
}

/* Copies between y and the inputs: dir 0 forward (x -> y), 1 backward (dy added to dx). */
static void concat_move(gdl_nn_t *g, gdl_nn_node_t *n, int dir)
{
    int axis = *(int *)n->attr;
    int64_t outer = 1, inner = 1;
    for (int d = 0; d < axis; d++) outer *= n->shape[d];
    for (int d = axis + 1; d < n->ndim; d++) inner *= n->shape[d];
    int64_t row = n->shape[axis] * inner, off = 0;
    for (int k = 0; k < n->n_in; k++) {
        gdl_nn_node_t *x = gdl_nn_in(g, n, k);
        int64_t len = x->shape[axis] * inner;
        if (dir == 0 || x->dout)
            for (int64_t i = 0; i < g->N * outer; i++) {
                float *y = (dir ? n->dout : n->out) + i * row + off;
                if (dir == 0) memcpy(y, x->out + i * len, sizeof(float) * (size_t)len);
                else
                    for (int64_t j = 0; j < len; j++) x->dout[i * len + j] += y[j];
            }
        off += len;
    }
}

int gdl_op_concat_forward(gdl_nn_t *g, gdl_nn_node_t *n, int train)
{
    (void)train;
    concat_move(g, n, 0);
    return 0;
}

void gdl_op_concat_backward(gdl_nn_t *g, gdl_nn_node_t *n) { concat_move(g, n, 1); }

/* ---- add: y = x1 + x2 + ... (same shapes; residual connections) ----------------------------- */

int gdl_op_add_setup(gdl_nn_t *g, gdl_nn_node_t *n, gdl_kv_t *kv)
{
    (void)kv;
    gdl_nn_node_t *x0 = gdl_nn_in(g, n, 0);
    for (int k = 1; k < n->n_in; k++) {
        gdl_nn_node_t *x = gdl_nn_in(g, n, k);
        if (x->ndim != x0->ndim || memcmp(x->shape, x0->shape, sizeof(int64_t) * (size_t)x0->ndim)) {
            gdl_log_error("node '%s': input '%s' and '%s' differ in shape", n->name, x->name, x0->name);
            return -1;
        }
    }
    n->ndim = x0->ndim;
    memcpy(n->shape, x0->shape, sizeof n->shape);
    return 0;
}

int gdl_op_add_forward(gdl_nn_t *g, gdl_nn_node_t *n, int train)
{
    (void)train;
    int64_t m = g->N * n->size;
    memcpy(n->out, gdl_nn_in(g, n, 0)->out, sizeof(float) * (size_t)m);
    for (int k = 1; k < n->n_in; k++) gdl_saxpy(m, 1.0f, gdl_nn_in(g, n, k)->out, n->out);
    return 0;
}

void gdl_op_add_backward(gdl_nn_t *g, gdl_nn_node_t *n)
{
    for (int k = 0; k < n->n_in; k++) {
        gdl_nn_node_t *x = gdl_nn_in(g, n, k);
        if (x->dout) gdl_saxpy(g->N * n->size, 1.0f, n->dout, x->dout);
    }
}

/* ---- flatten and reshape: same data, new per-sample shape ----------------------------------- */

static int copy_forward(gdl_nn_t *g, gdl_nn_node_t *n)
{
    memcpy(n->out, gdl_nn_in(g, n, 0)->out, sizeof(float) * (size_t)(g->N * n->size));
    return 0;
}

static void copy_backward(gdl_nn_t *g, gdl_nn_node_t *n)
{
    gdl_saxpy(g->N * n->size, 1.0f, n->dout, gdl_nn_in(g, n, 0)->dout);
}

int gdl_nn_view_always(const gdl_nn_node_t *n, int train)
{
    (void)n, (void)train;
    return 1;
}

int gdl_op_flatten_setup(gdl_nn_t *g, gdl_nn_node_t *n, gdl_kv_t *kv)
{
    (void)kv;
    n->ndim = 1;
    n->shape[0] = gdl_nn_in(g, n, 0)->size;
    return 0;
}

int gdl_op_flatten_forward(gdl_nn_t *g, gdl_nn_node_t *n, int train)
{
    (void)train;
    return copy_forward(g, n);
}

void gdl_op_flatten_backward(gdl_nn_t *g, gdl_nn_node_t *n) { copy_backward(g, n); }

int gdl_op_reshape_setup(gdl_nn_t *g, gdl_nn_node_t *n, gdl_kv_t *kv)
{
    int64_t s[GDL_NN_MAX_DIMS], size = gdl_nn_in(g, n, 0)->size, known = 1;
    int nd = gdl_kv_ints(kv, "shape", s, GDL_NN_MAX_DIMS), free_dim = -1;
    if (nd < 1) return -1;
    for (int d = 0; d < nd; d++) {
        if (s[d] == -1 && free_dim < 0) free_dim = d;
        else if (s[d] < 1) free_dim = -2;
        else known *= s[d];
    }
    if (free_dim >= 0 && size % known == 0) s[free_dim] = size / known, known = size;
    if (free_dim == -2 || known != size) {
        gdl_log_error("node '%s': cannot reshape %lld values to shape=%s", n->name,
                      (long long)size, gdl_kv_str(kv, "shape", ""));
        return -1;
    }
    n->ndim = nd;
    for (int d = 0; d < nd; d++) n->shape[d] = s[d];
    return 0;
}

int gdl_op_reshape_forward(gdl_nn_t *g, gdl_nn_node_t *n, int train)
{
    (void)train;
    return copy_forward(g, n);
}

void gdl_op_reshape_backward(gdl_nn_t *g, gdl_nn_node_t *n) { copy_backward(g, n); }

/* ---- transpose: y[j, i] = x[i, j] per sample ((C, L) <-> (L, C)) ---------------------------- */

int gdl_op_transpose_setup(gdl_nn_t *g, gdl_nn_node_t *n, gdl_kv_t *kv)
{
    (void)kv;
    gdl_nn_node_t *x = gdl_nn_in(g, n, 0);
    if (x->ndim != 2) {
        gdl_log_error("node '%s': transpose needs a 2-D input per sample, '%s' is %d-D", n->name,
                      x->name, x->ndim);
        return -1;
    }
    n->ndim = 2, n->shape[0] = x->shape[1], n->shape[1] = x->shape[0];
    return 0;
}

int gdl_op_transpose_forward(gdl_nn_t *g, gdl_nn_node_t *n, int train)
{
    (void)train;
    const float *x = gdl_nn_in(g, n, 0)->out;
    int64_t A = n->shape[1], B = n->shape[0]; // x (A, B), y (B, A)
    for (int64_t i = 0; i < g->N; i++)
        for (int64_t a = 0; a < A; a++)
            for (int64_t b = 0; b < B; b++) n->out[i * n->size + b * A + a] = x[i * n->size + a * B + b];
    return 0;
}

void gdl_op_transpose_backward(gdl_nn_t *g, gdl_nn_node_t *n)
{
    float *dx = gdl_nn_in(g, n, 0)->dout;
    int64_t A = n->shape[1], B = n->shape[0];
    for (int64_t i = 0; i < g->N; i++)
        for (int64_t a = 0; a < A; a++)
            for (int64_t b = 0; b < B; b++) dx[i * n->size + a * B + b] += n->dout[i * n->size + b * A + a];
}
