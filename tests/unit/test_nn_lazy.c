/* The sparse first layer's row tracking: zero_grad clears exactly the rows a batch touched, and
 * lazy Adam updates only them while dense Adam (the default) moves every row with momentum. */
#include <string.h>

#include "gdl/nn.h"
#include "test.h"

enum { N = 2, V = 6, U = 3 };

static gdl_nn_t *net(void)
{
    gdl_nn_t *g = gdl_nn_new(3);
    gdl_nn_input_sparse(g, "g", V);
    gdl_nn_add(g, "h", "sparse_dense", "g", "units=3");
    gdl_nn_compile(g);
    return g;
}

/* One step on a batch whose calls are cols (one call per sample, dosage 1), dy = 1. */
static void step(gdl_nn_t *g, gdl_optim_t *o, const int32_t *cols)
{
    int64_t row[N + 1] = {0, 1, 2};
    float val[N] = {1, 1};
    gdl_nn_sparse_t sp = {N, V, row, cols, val};
    gdl_nn_zero_grad(g);
    CHECK(gdl_nn_set_sparse(g, "g", &sp) == 0 && gdl_nn_forward(g, N, 1) == 0);
    float *dy = gdl_nn_grad(g, "h");
    for (int k = 0; k < N * U; k++) dy[k] = 1;
    CHECK(gdl_nn_backward(g) == 0);
    CHECK(gdl_optim_step(o, g, 0.1f) == 0);
}

static void test_lazy_adam_touches_called_rows(void)
{
    gdl_nn_t *dense = net(), *lazy = net();
    gdl_optim_t od, ol;
    gdl_optim_init(&od, GDL_OPTIM_ADAM), gdl_optim_init(&ol, GDL_OPTIM_ADAM);
    ol.lazy = 1;
    const float *W0 = gdl_nn_param_data(lazy, gdl_nn_find_param(lazy, "h.weight"));
    float before[V * U];
    memcpy(before, W0, sizeof before);
    step(dense, &od, (int32_t[]){0, 2}), step(lazy, &ol, (int32_t[]){0, 2});
    // step 1: same bits (an untouched row has zero moments either way)
    CHECK(!memcmp(dense->param, lazy->param, sizeof(float) * (size_t)dense->n_param));
    step(dense, &od, (int32_t[]){2, 4}), step(lazy, &ol, (int32_t[]){2, 4});
    const float *Wd = gdl_nn_param_data(dense, gdl_nn_find_param(dense, "h.weight"));
    const float *Wl = gdl_nn_param_data(lazy, gdl_nn_find_param(lazy, "h.weight"));
    for (int u = 0; u < U; u++) {
        CHECK(Wl[0 * U + u] != Wd[0 * U + u]);   // row 0: dense keeps moving it, lazy does not
        CHECK(Wl[0 * U + u] < before[0 * U + u]); // (moved once, at step 1)
        CHECK(Wl[2 * U + u] == Wd[2 * U + u]);   // rows called at both steps agree
        CHECK(Wl[4 * U + u] != before[4 * U + u] && Wl[4 * U + u] == Wd[4 * U + u]);
        CHECK(Wl[1 * U + u] == before[1 * U + u] && Wl[5 * U + u] == before[5 * U + u]);
    }
    // the weight gradient holds rows 2 and 4 only, and zero_grad clears them
    const float *dW = lazy->grad + gdl_nn_find_param(lazy, "h.weight")->offset;
    for (int v = 0; v < V; v++) CHECK((dW[v * U] != 0) == (v == 2 || v == 4));
    gdl_nn_zero_grad(lazy);
    for (int k = 0; k < lazy->n_param; k++) CHECK(lazy->grad[k] == 0);
    gdl_optim_free(&od), gdl_optim_free(&ol);
    gdl_nn_free(dense), gdl_nn_free(lazy);
}

int main(void)
{
    gdl_log_set_level(GDL_LOG_QUIET);
    RUN(test_lazy_adam_touches_called_rows);
    return TEST_EXIT();
}
