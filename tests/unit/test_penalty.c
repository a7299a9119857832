/* The elastic-net penalty: the optimizer's proximal step (exact zeros, its closed form under sgd
 * and adam) and, through a centred sparse_dense layer, scikit-learn's penalised logistic
 * regressions (tests/data/nn/elastic_net.txt, made by tests/ref/make_penalty_fixtures.py). */
#include <stdlib.h>
#include <string.h>

#include "gdl/core.h"
#include "gdl/nn.h"
#include "test.h"

#ifndef TEST_DATA
#define TEST_DATA "tests/data"
#endif

/* One step of plain sgd on a 1 x 4 weight: p - lr g, then soft thresholding at lr l1 s and
 * division by 1 + lr l2 s^2, by hand. */
static void test_prox_step_sgd(void)
{
    gdl_nn_t *g = gdl_nn_new(1);
    gdl_nn_input_sparse(g, "x", 2);
    CHECK(gdl_nn_add(g, "h", "sparse_dense", "x", "units=2 bias=0") == 1);
    CHECK(gdl_nn_compile(g) == 0);
    float p0[4] = {0.30f, -0.02f, 0.05f, -0.40f}, gr[4] = {0.1f, 0.0f, -0.2f, 0.3f}, scale[2] = {1.0f, 0.5f};
    memcpy(g->param, p0, sizeof p0), memcpy(g->grad, gr, sizeof gr);
    gdl_optim_t o;
    gdl_optim_init(&o, GDL_OPTIM_SGD);
    o.l1 = 0.4f, o.l2 = 2.0f, o.n_prox = 1;
    o.prox[0].offset = 0, o.prox[0].rows = 2, o.prox[0].width = 2, o.prox[0].scale = scale;
    CHECK(gdl_optim_step(&o, g, 0.1f) == 0);
    for (int i = 0; i < 4; i++) {
        double s = scale[i / 2], q = p0[i] - 0.1 * gr[i], a = fabs(q) - 0.1 * 0.4 * s;
        double want = a > 0 ? copysign(a, q) / (1 + 0.1 * 2.0 * s * s) : 0;
        CHECK_CLOSE(g->param[i], want, 1e-6);
    }
    CHECK(g->param[1] == 0.0f); // |-0.02| < 0.04: exactly zero, not a tiny number
    gdl_optim_free(&o);
    gdl_nn_free(g);
}

/* Adam's first step moves every element by lr (m^ / sqrt(v^) = sign g); its proximal rate is
 * lr / (|g| + eps), so the threshold is l1 lr / |g|: an element with |g| < l1 is zeroed from 0. */
static void test_prox_step_adam(void)
{
    gdl_nn_t *g = gdl_nn_new(1);
    gdl_nn_input_sparse(g, "x", 3);
    CHECK(gdl_nn_add(g, "h", "sparse_dense", "x", "units=1 bias=0") == 1);
    CHECK(gdl_nn_compile(g) == 0);
    float gr[3] = {0.5f, -0.05f, 0.2f};
    memset(g->param, 0, 3 * sizeof(float)), memcpy(g->grad, gr, sizeof gr);
    gdl_optim_t o;
    gdl_optim_init(&o, GDL_OPTIM_ADAM);
    o.l1 = 0.1f, o.n_prox = 1;
    o.prox[0].offset = 0, o.prox[0].rows = 3, o.prox[0].width = 1, o.prox[0].scale = NULL;
    CHECK(gdl_optim_step(&o, g, 0.01f) == 0);
    for (int i = 0; i < 3; i++) {
        double a = 0.01 - 0.1 * 0.01 / fabs(gr[i]);
        double want = a > 0 ? -copysign(a, gr[i]) : 0;
        CHECK_CLOSE(g->param[i], want, 1e-5);
    }
    CHECK(g->param[1] == 0.0f);
    gdl_optim_free(&o);
    gdl_nn_free(g);
}

/* Full-batch proximal gradient (ISTA) on the fixture's logistic regressions: a centred
 * sparse_dense layer with one unit, bce, the variants' SDs as the rows' penalty weights. At
 * convergence the standardised coefficients w_j sd_j and the intercept are scikit-learn's. */
static void test_elastic_net_matches_sklearn(void)
{
    FILE *fp = fopen(TEST_DATA "/nn/elastic_net.txt", "r");
    CHECK(fp != NULL);
    if (!fp) return;
    int N, V, K;
    CHECK(fscanf(fp, "%d %d", &N, &V) == 2);
    int64_t *row = malloc((N + 1) * sizeof *row);
    int32_t *col = malloc((size_t)N * V * sizeof *col);
    float *val = malloc((size_t)N * V * sizeof *val), *y = malloc(N * sizeof *y), *mu = malloc(V * sizeof *mu),
          *sd = malloc(V * sizeof *sd), *beta = malloc(V * sizeof *beta);
    row[0] = 0;
    for (int i = 0; i < N; i++) {
        row[i + 1] = row[i];
        for (int j = 0; j < V; j++) {
            int x;
            CHECK(fscanf(fp, "%d", &x) == 1);
            if (x) col[row[i + 1]] = j, val[row[i + 1]++] = (float)x;
        }
        CHECK(fscanf(fp, "%f", &y[i]) == 1);
    }
    for (int j = 0; j < V; j++) CHECK(fscanf(fp, "%f", &mu[j]) == 1);
    for (int j = 0; j < V; j++) CHECK(fscanf(fp, "%f", &sd[j]) == 1);
    CHECK(fscanf(fp, "%d", &K) == 1);
    gdl_nn_sparse_t sp = {N, V, row, col, val};
    gdl_loss_t loss = {GDL_LOSS_BCE, NULL, NULL};
    for (int k = 0; k < K; k++) {
        double C, rho, intercept;
        CHECK(fscanf(fp, "%lf %lf %lf", &C, &rho, &intercept) == 3);
        for (int j = 0; j < V; j++) CHECK(fscanf(fp, "%f", &beta[j]) == 1);
        gdl_nn_t *g = gdl_nn_new(1);
        gdl_nn_input_sparse(g, "x", V);
        CHECK(gdl_nn_add(g, "h", "sparse_dense", "x", "units=1 center=1") == 1);
        CHECK(gdl_nn_compile(g) == 0);
        float *W = gdl_nn_param_data(g, gdl_nn_find_param(g, "h.weight"));
        float *b = gdl_nn_param_data(g, gdl_nn_find_param(g, "h.bias"));
        memcpy(gdl_nn_param_data(g, gdl_nn_find_param(g, "h.center")), mu, V * sizeof *mu);
        memset(W, 0, V * sizeof *W);
        gdl_optim_t o;
        gdl_optim_init(&o, GDL_OPTIM_SGD);
        o.momentum = 0;
        o.l1 = (float)(rho / (C * N)), o.l2 = (float)((1 - rho) / (C * N)), o.n_prox = 1;
        o.prox[0].offset = gdl_nn_find_param(g, "h.weight")->offset, o.prox[0].rows = V;
        o.prox[0].width = 1, o.prox[0].scale = sd;
        for (int it = 0; it < 20000; it++) {
            gdl_nn_zero_grad(g);
            CHECK(gdl_nn_set_sparse(g, "x", &sp) == 0);
            CHECK(gdl_nn_forward(g, N, 1) == 0);
            gdl_loss_compute(&loss, gdl_nn_output(g, "h"), y, N, 1, gdl_nn_grad(g, "h"));
            CHECK(gdl_nn_backward(g) == 0);
            CHECK(gdl_optim_step(&o, g, 0.5f) == 0);
        }
        int zeros = 0;
        for (int j = 0; j < V; j++) {
            CHECK_CLOSE(W[j] * sd[j], beta[j], 1e-3);
            if (beta[j] == 0) { // the lasso's zeros are exact here too
                CHECK(W[j] == 0.0f);
                zeros++;
            }
        }
        CHECK(k == K - 1 || zeros >= 5);
        CHECK_CLOSE(b[0], intercept, 1e-3);
        gdl_optim_free(&o);
        gdl_nn_free(g);
    }
    fclose(fp);
    free(row), free(col), free(val), free(y), free(mu), free(sd), free(beta);
}

int main(void)
{
    gdl_threads_set(1);
    RUN(test_prox_step_sgd);
    RUN(test_prox_step_adam);
    RUN(test_elastic_net_matches_sklearn);
    return test_n_failed_ ? 1 : 0;
}
