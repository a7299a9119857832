/* nn: graph building and its errors, the parameter table, op values against hand computation,
 * dropout and batch-norm modes, losses, optimizers, clipping and schedules. */
#include <stdlib.h>
#include <string.h>

#include "gdl/nn.h"
#include "test.h"

static void fill(float *x, int64_t n, uint64_t seed)
{
    gdl_rng_t r;
    gdl_rng_init(&r, seed, 0);
    for (int64_t i = 0; i < n; i++) x[i] = (float)(gdl_rng_uniform(&r) * 2 - 1);
}

static void test_build_errors_name_the_node(void)
{
    gdl_nn_t *g = gdl_nn_new(1);
    CHECK(gdl_nn_input(g, "x", 2, (int64_t[]){4, 20}) == 0);
    CHECK(gdl_nn_add(g, "c", "conv2d", "x", "filters=3") == -1);
    CHECK(strstr(gdl_last_error(), "'c'") && strstr(gdl_last_error(), "unknown op 'conv2d'"));
    CHECK(gdl_nn_add(g, "c", "conv1d", "x", "filters=3 widht=5") == -1);
    CHECK(strstr(gdl_last_error(), "'width' is required"));
    CHECK(gdl_nn_add(g, "c", "conv1d", "x", "filters=3 width=5 widht=5") == -1);
    CHECK(strstr(gdl_last_error(), "no attribute 'widht'"));
    CHECK(gdl_nn_add(g, "c", "conv1d", "x", "filters=three width=5") == -1);
    CHECK(strstr(gdl_last_error(), "filters=three is not an integer"));
    CHECK(gdl_nn_add(g, "c", "conv1d", "y", "filters=3 width=5") == -1);
    CHECK(strstr(gdl_last_error(), "input 'y' is not an earlier node"));
    CHECK(gdl_nn_add(g, "c", "conv1d", "x", "filters=3 width=30") == -1); // longer than the input
    CHECK(strstr(gdl_last_error(), "empty output"));
    CHECK(g->n_table == 0); // failed nodes leave no parameters behind
    CHECK(gdl_nn_add(g, "c", "conv1d", "x", "filters=3 width=5 padding=same") == 1);
    CHECK(gdl_nn_add(g, "c", "relu", "x", NULL) == -1);
    CHECK(strstr(gdl_last_error(), "defined twice"));
    CHECK(gdl_nn_add(g, "s", "add", "x,c", NULL) == -1);
    CHECK(strstr(gdl_last_error(), "differ in shape"));
    CHECK(gdl_nn_add(g, "r", "reshape", "x", "shape=3,-1") == -1);
    CHECK(strstr(gdl_last_error(), "cannot reshape 80 values to shape=3,-1"));
    CHECK(gdl_nn_add(g, "r", "reshape", "x", "shape=") == -1);
    CHECK(strstr(gdl_last_error(), "shape is empty"));
    CHECK(gdl_nn_add(g, "r", "reshape", "x", "shape=-1,4") == 2);
    CHECK(gdl_nn_input_sparse(g, "geno", 100) == 3);
    CHECK(gdl_nn_add(g, "d", "dense", "geno", "units=2") == -1);
    CHECK(strstr(gdl_last_error(), "node 'd': a sparse input feeds only sparse_dense or gene_dense, not dense"));
    CHECK(gdl_nn_add(g, "s", "sparse_dense", "r", "units=2") == -1);
    CHECK(strstr(gdl_last_error(), "node 's': sparse_dense needs a sparse input"));
    gdl_nn_free(g);
}

static void test_param_table_and_seeded_init(void)
{
    gdl_nn_t *a = gdl_nn_new(5), *b = gdl_nn_new(5), *c = gdl_nn_new(6);
    gdl_nn_t *gs[3] = {a, b, c};
    for (int i = 0; i < 3; i++) {
        gdl_nn_t *g = gs[i];
        CHECK(gdl_nn_input(g, "x", 2, (int64_t[]){4, 50}) == 0);
        CHECK(gdl_nn_add(g, "conv", "conv1d", "x", "filters=8 width=5 padding=same") == 1);
        CHECK(gdl_nn_add(g, "bn", "batchnorm", "conv", NULL) == 2);
        CHECK(gdl_nn_add(g, "gp", "global_maxpool", "bn", NULL) == 3);
        CHECK(gdl_nn_add(g, "out", "dense", "gp", "units=3 init=he") == 4);
        CHECK(gdl_nn_compile(g) == 0);
    }
    const gdl_nn_param_t *w = gdl_nn_find_param(a, "conv.weight"), *o = gdl_nn_find_param(a, "out.weight");
    CHECK(w && w->ndim == 3 && w->shape[0] == 8 && w->shape[1] == 4 && w->shape[2] == 5 && w->numel == 160);
    CHECK(gdl_nn_find_param(a, "conv.bias")->offset == 160);
    CHECK(gdl_nn_find_param(a, "bn.running_var")->is_state == 1);
    CHECK(o && o->shape[0] == 3 && o->shape[1] == 8 && o->offset % 16 == 0);
    CHECK(a->n_param == b->n_param && !memcmp(a->param, b->param, sizeof(float) * (size_t)a->n_param));
    CHECK(memcmp(a->param, c->param, sizeof(float) * (size_t)a->n_param) != 0);
    double bound = sqrt(6.0 / (20 + 40)), mx = 0;
    for (int64_t k = 0; k < 160; k++) mx = fmax(mx, fabs(a->param[k]));
    CHECK(mx <= bound && mx > 0.9 * bound); // Glorot uniform on (-bound, bound)
    const float *bnv = gdl_nn_param_data(a, gdl_nn_find_param(a, "bn.running_var"));
    CHECK(bnv[0] == 1 && bnv[7] == 1);
    CHECK(gdl_nn_param_data(a, gdl_nn_find_param(a, "bn.weight"))[3] == 1);
    int64_t sh[3];
    CHECK(gdl_nn_shape(a, "conv", sh) == 2 && sh[0] == 8 && sh[1] == 50);
    CHECK(gdl_nn_param_count(a) == 160 + 8 + 8 + 8 + 24 + 3); // running stats are not trained
    CHECK(gdl_nn_node_count(a) == 5 && !strcmp(gdl_nn_node_name(a, 2), "bn"));
    CHECK(!strcmp(gdl_nn_node_op(a, 0), "input") && !strcmp(gdl_nn_node_op(a, 4), "dense"));
    CHECK(gdl_nn_node_op(a, 5) == NULL);
    for (int i = 0; i < 3; i++) gdl_nn_free(gs[i]);
}

static void test_dense_and_conv_values(void)
{
    gdl_nn_t *g = gdl_nn_new(1);
    gdl_nn_input(g, "x", 2, (int64_t[]){2, 6});
    CHECK(gdl_nn_add(g, "c", "conv1d", "x", "filters=3 width=3 dilation=2 padding=same") == 1);
    CHECK(gdl_nn_add(g, "f", "flatten", "c", NULL) == 2);
    CHECK(gdl_nn_add(g, "d", "dense", "f", "units=2") == 3);
    CHECK(gdl_nn_compile(g) == 0);
    float x[2 * 12];
    fill(x, 24, 3);
    fill(g->param, g->n_param, 4);
    gdl_nn_set_input(g, "x", x);
    CHECK(gdl_nn_forward(g, 2, 0) == 0);
    const float *W = gdl_nn_param_data(g, gdl_nn_find_param(g, "c.weight"));
    const float *b = gdl_nn_param_data(g, gdl_nn_find_param(g, "c.bias"));
    const float *c = gdl_nn_output(g, "c");
    for (int i = 0; i < 2; i++)
        for (int f = 0; f < 3; f++)
            for (int l = 0; l < 6; l++) { // same padding: span 5, 2 zeros each side
                double s = b[f];
                for (int ch = 0; ch < 2; ch++)
                    for (int k = 0; k < 3; k++) {
                        int p = l + 2 * k - 2;
                        if (p >= 0 && p < 6) s += W[(f * 2 + ch) * 3 + k] * x[i * 12 + ch * 6 + p];
                    }
                CHECK_CLOSE(c[i * 18 + f * 6 + l], s, 1e-5);
            }
    const float *Wd = gdl_nn_param_data(g, gdl_nn_find_param(g, "d.weight"));
    const float *bd = gdl_nn_param_data(g, gdl_nn_find_param(g, "d.bias"));
    const float *y = gdl_nn_output(g, "d");
    for (int i = 0; i < 2; i++)
        for (int u = 0; u < 2; u++) {
            double s = bd[u];
            for (int k = 0; k < 18; k++) s += Wd[u * 18 + k] * c[i * 18 + k];
            CHECK_CLOSE(y[i * 2 + u], s, 1e-5);
        }
    gdl_nn_free(g);
}

/* sparse_dense on (column, dosage) lists equals dense on the dosage matrix, and its weight
 * gradient touches only the rows of columns present in the batch. */
static void test_sparse_dense_matches_dense(void)
{
    enum { N = 3, V = 10, U = 4 };
    float dos[N][V] = {{0, 1, 0, 0, 2, 0, 0, 0, 0, 1}, {2, 0, 0, 0, 0, 0, 0, 0, 0, 0}, {0}};
    int64_t row[N + 1] = {0, 3, 4, 4};
    int32_t col[4] = {1, 4, 9, 0};
    float val[4] = {1, 2, 1, 2};
    gdl_nn_sparse_t sp = {N, V, row, col, val};
    gdl_nn_t *s = gdl_nn_new(1), *d = gdl_nn_new(1);
    gdl_nn_input_sparse(s, "g", V);
    gdl_nn_input(d, "g", 1, (int64_t[]){V});
    CHECK(gdl_nn_add(s, "h", "sparse_dense", "g", "units=4") == 1);
    CHECK(gdl_nn_add(d, "h", "dense", "g", "units=4") == 1);
    gdl_nn_compile(s), gdl_nn_compile(d);
    float *Ws = gdl_nn_param_data(s, gdl_nn_find_param(s, "h.weight")); // (V, U)
    float *Wd = gdl_nn_param_data(d, gdl_nn_find_param(d, "h.weight")); // (U, V)
    fill(Ws, V * U, 9);
    for (int v = 0; v < V; v++)
        for (int u = 0; u < U; u++) Wd[u * V + v] = Ws[v * U + u];
    gdl_nn_param_data(s, gdl_nn_find_param(s, "h.bias"))[1] = 0.5f;
    gdl_nn_param_data(d, gdl_nn_find_param(d, "h.bias"))[1] = 0.5f;
    CHECK(gdl_nn_set_sparse(s, "g", &sp) == 0);
    CHECK(gdl_nn_set_input(d, "g", &dos[0][0]) == 0);
    CHECK(gdl_nn_forward(s, N, 1) == 0 && gdl_nn_forward(d, N, 1) == 0);
    for (int k = 0; k < N * U; k++) CHECK_CLOSE(gdl_nn_output(s, "h")[k], gdl_nn_output(d, "h")[k], 1e-6);
    CHECK(gdl_nn_output(s, "h")[2 * U + 1] == 0.5f); // an all-zero sample is the bias
    float dy[N * U];
    fill(dy, N * U, 10);
    memcpy(gdl_nn_grad(s, "h"), dy, sizeof dy), memcpy(gdl_nn_grad(d, "h"), dy, sizeof dy);
    gdl_nn_want_input_grad(s, "g", 1), gdl_nn_want_input_grad(d, "g", 1);
    CHECK(gdl_nn_backward(s) == 0 && gdl_nn_backward(d) == 0);
    for (int k = 0; k < N * V; k++) CHECK_CLOSE(gdl_nn_grad(s, "g")[k], gdl_nn_grad(d, "g")[k], 1e-6);
    const float *gs = s->grad + gdl_nn_find_param(s, "h.weight")->offset;
    const float *gd = d->grad + gdl_nn_find_param(d, "h.weight")->offset;
    for (int v = 0; v < V; v++)
        for (int u = 0; u < U; u++) {
            CHECK_CLOSE(gs[v * U + u], gd[u * V + v], 1e-6);
            if (v != 0 && v != 1 && v != 4 && v != 9) CHECK(gs[v * U + u] == 0);
        }
    col[2] = V; // out of range: an error naming the row, not a crash
    CHECK(gdl_nn_forward(s, N, 1) == -1);
    CHECK(strstr(gdl_last_error(), "row 0 has column 10"));
    gdl_nn_free(s), gdl_nn_free(d);
}

static void test_dropout_modes_and_masks(void)
{
    enum { N = 4, C = 500 };
    gdl_nn_t *g = gdl_nn_new(11);
    gdl_nn_input(g, "x", 1, (int64_t[]){C});
    CHECK(gdl_nn_add(g, "d", "dropout", "x", "rate=0.25") == 1);
    gdl_nn_compile(g);
    float *x = malloc(sizeof(float) * N * C), *m1 = malloc(sizeof(float) * N * C);
    for (int k = 0; k < N * C; k++) x[k] = 1 + (float)(k % 7);
    gdl_nn_set_input(g, "x", x);
    CHECK(gdl_nn_forward(g, N, 0) == 0);
    CHECK(!memcmp(gdl_nn_output(g, "d"), x, sizeof(float) * N * C)); // eval: identity
    g->step = 5;
    gdl_nn_forward(g, N, 1);
    memcpy(m1, gdl_nn_output(g, "d"), sizeof(float) * N * C);
    int zeros = 0, scaled = 1;
    for (int k = 0; k < N * C; k++) {
        zeros += m1[k] == 0;
        if (m1[k] != 0) scaled &= fabsf(m1[k] - x[k] / 0.75f) < 1e-6f;
    }
    CHECK(scaled);
    CHECK(zeros > 400 && zeros < 600); // 25% of 2000
    gdl_nn_forward(g, N, 1); // same seed and step: same mask
    CHECK(!memcmp(gdl_nn_output(g, "d"), m1, sizeof(float) * N * C));
    g->step = 6;
    gdl_nn_forward(g, N, 1);
    CHECK(memcmp(gdl_nn_output(g, "d"), m1, sizeof(float) * N * C) != 0);
    // another graph with the same seed reproduces step 5
    gdl_nn_t *h = gdl_nn_new(11);
    gdl_nn_input(h, "x", 1, (int64_t[]){C});
    gdl_nn_add(h, "d", "dropout", "x", "rate=0.25");
    gdl_nn_set_input(h, "x", x);
    h->step = 5;
    gdl_nn_forward(h, N, 1);
    CHECK(!memcmp(gdl_nn_output(h, "d"), m1, sizeof(float) * N * C));
    gdl_nn_free(g), gdl_nn_free(h);
    free(x), free(m1);
}

static void test_batchnorm_running_stats(void)
{
    enum { N = 3, C = 2, L = 4 };
    gdl_nn_t *g = gdl_nn_new(1);
    gdl_nn_input(g, "x", 2, (int64_t[]){C, L});
    CHECK(gdl_nn_add(g, "bn", "batchnorm", "x", "momentum=0.2") == 1);
    gdl_nn_compile(g);
    float x[N * C * L];
    fill(x, N * C * L, 2);
    gdl_nn_set_input(g, "x", x);
    float *rm = gdl_nn_param_data(g, gdl_nn_find_param(g, "bn.running_mean"));
    float *rv = gdl_nn_param_data(g, gdl_nn_find_param(g, "bn.running_var"));
    CHECK(gdl_nn_forward(g, N, 1) == 0);
    for (int c = 0; c < C; c++) {
        double s = 0, q = 0;
        for (int i = 0; i < N; i++)
            for (int l = 0; l < L; l++) s += x[(i * C + c) * L + l];
        double mu = s / (N * L);
        for (int i = 0; i < N; i++)
            for (int l = 0; l < L; l++) q += pow(x[(i * C + c) * L + l] - mu, 2);
        CHECK_CLOSE(rm[c], 0.2 * mu, 1e-6);
        CHECK_CLOSE(rv[c], 0.8 + 0.2 * q / (N * L - 1), 1e-6); // unbiased, as PyTorch
        const float *y = gdl_nn_output(g, "bn"); // train: batch statistics, biased variance
        CHECK_CLOSE(y[c * L], (x[c * L] - mu) / sqrt(q / (N * L) + 1e-5), 1e-5);
    }
    rm[0] = 0.5f, rv[0] = 4.0f;
    gdl_nn_param_data(g, gdl_nn_find_param(g, "bn.weight"))[0] = 2;
    gdl_nn_param_data(g, gdl_nn_find_param(g, "bn.bias"))[0] = 1;
    float rm1 = rm[1];
    CHECK(gdl_nn_forward(g, N, 0) == 0);
    const float *y = gdl_nn_output(g, "bn");
    for (int i = 0; i < N; i++)
        for (int l = 0; l < L; l++)
            CHECK_CLOSE(y[i * C * L + l], 2 * (x[i * C * L + l] - 0.5) / sqrt(4 + 1e-5) + 1, 1e-6);
    CHECK(rm[1] == rm1); // eval leaves the running statistics alone
    gdl_nn_free(g);
}

static void test_branches_accumulate_gradients(void)
{
    // y = relu(x) + x: dy/dx = 1 + [x > 0], with x read by two consumers
    gdl_nn_t *g = gdl_nn_new(1);
    gdl_nn_input(g, "x", 1, (int64_t[]){4});
    gdl_nn_add(g, "r", "relu", "x", NULL);
    CHECK(gdl_nn_add(g, "y", "add", "r,x", NULL) == 2);
    float x[4] = {-1, 2, -3, 4};
    gdl_nn_set_input(g, "x", x);
    gdl_nn_want_input_grad(g, "x", 1);
    CHECK(gdl_nn_forward(g, 1, 1) == 0);
    float *dy = gdl_nn_grad(g, "y");
    for (int k = 0; k < 4; k++) dy[k] = 1;
    CHECK(gdl_nn_backward(g) == 0);
    const float *dx = gdl_nn_grad(g, "x");
    CHECK(dx[0] == 1 && dx[1] == 2 && dx[2] == 1 && dx[3] == 2);
    CHECK(gdl_nn_backward(g) == -1); // would count every gradient twice
    CHECK(strstr(gdl_last_error(), "twice"));
    CHECK(gdl_nn_output(g, "y")[1] == 4 && gdl_nn_output(g, "y")[0] == -1);
    gdl_nn_free(g);
    // ops between an input nobody asked the gradient of and the first parameter are skipped
    g = gdl_nn_new(1);
    gdl_nn_input(g, "x", 1, (int64_t[]){4});
    gdl_nn_add(g, "r", "sigmoid", "x", NULL);
    gdl_nn_add(g, "y", "dense", "r", "units=1 bias=0");
    gdl_nn_set_input(g, "x", x);
    CHECK(gdl_nn_forward(g, 1, 1) == 0);
    gdl_nn_zero_grad(g);
    gdl_nn_grad(g, "y")[0] = 1;
    CHECK(gdl_nn_backward(g) == 0);
    CHECK_CLOSE(g->grad[2], 1 / (1 + exp(3.0)), 1e-6); // dW = sigmoid(x)
    gdl_nn_free(g);
}

static void test_losses(void)
{
    float x[6] = {0.5f, -2, 100, -100, 3, 0}, y[6] = {1, 0, 1, NAN, 0, 1}, dx[6] = {0};
    float pw[3] = {2, 1, 1};
    gdl_loss_t l = {GDL_LOSS_BCE, pw, NULL};
    double sp = 0; // softplus by hand over the 5 present labels
    double terms[6] = {2 * log1p(exp(-0.5)), log1p(exp(-2)), 2 * 0.0 + log1p(exp(-100.0)), 0,
                       3 + log1p(exp(-3.0)), log1p(exp(0.0))};
    for (int k = 0; k < 6; k++) sp += terms[k];
    double v = gdl_loss_compute(&l, x, y, 2, 3, dx);
    CHECK_CLOSE(v, sp / 5, 1e-9);
    CHECK(dx[3] == 0); // masked
    CHECK_CLOSE(dx[0], 2 * (1 / (1 + exp(-0.5)) - 1) / 5, 1e-7);
    CHECK_CLOSE(dx[4], (1 / (1 + exp(-3.0))) / 5, 1e-7);
    float big[2] = {-1e4f, 1e4f}, yb[2] = {1, 0};
    l.pos_weight = NULL;
    CHECK_CLOSE(gdl_loss_compute(&l, big, yb, 1, 2, NULL), 1e4, 1e-9); // finite, no overflow
    // softmax cross-entropy with class weights, one label missing
    float z[6] = {1, 2, 3, 0, 0, 50}, lab[3] = {2, 0, NAN}, dz[6] = {0}, cw[3] = {1, 1, 3};
    gdl_loss_t ce = {GDL_LOSS_SOFTMAX_CE, NULL, cw};
    double l0 = log(exp(1.0) + exp(2.0) + exp(3.0)) - 3;
    double l1 = 50 + log1p(2 * exp(-50.0));
    CHECK_CLOSE(gdl_loss_compute(&ce, z, lab, 2, 3, dz), (3 * l0 + l1) / 4, 1e-6);
    CHECK_CLOSE(dz[0], 3 * (exp(1.0) / (exp(1.0) + exp(2.0) + exp(3.0))) / 4, 1e-6);
    ce.class_weight = NULL;
    memset(dz, 0, sizeof dz);
    CHECK_CLOSE(gdl_loss_compute(&ce, z, lab, 2, 3, dz), (l0 + l1) / 2, 1e-6);
    CHECK_CLOSE(dz[2], (exp(3.0) / (exp(1.0) + exp(2.0) + exp(3.0)) - 1) / 2, 1e-6);
    float p[3] = {1, 2, 3}, t[3] = {0, NAN, 5}, dp[3] = {0};
    gdl_loss_t ms = {GDL_LOSS_MSE, NULL, NULL};
    CHECK_CLOSE(gdl_loss_compute(&ms, p, t, 1, 3, dp), (1 + 4) / 2.0, 1e-9);
    CHECK(dp[0] == 1 && dp[1] == 0 && dp[2] == -2);
    CHECK(gdl_loss_find("softmax_ce") == GDL_LOSS_SOFTMAX_CE && gdl_loss_find("hinge") == -1);
}

static gdl_nn_t *one_param_graph(float w0)
{
    gdl_nn_t *g = gdl_nn_new(1);
    gdl_nn_input(g, "x", 1, (int64_t[]){1});
    gdl_nn_add(g, "d", "dense", "x", "units=1 bias=0");
    gdl_nn_compile(g);
    g->param[0] = w0;
    return g;
}

static void test_optimizers_match_hand_updates(void)
{
    const float gr[3] = {0.5f, -1.0f, 0.25f}, lr = 0.1f, wd = 0.01f;
    for (int kind = 0; kind < GDL_OPTIM_COUNT; kind++)
        for (int variant = 0; variant < 2; variant++) {
            gdl_nn_t *g = one_param_graph(1.0f);
            gdl_optim_t o;
            gdl_optim_init(&o, kind);
            o.weight_decay = wd;
            if (kind == GDL_OPTIM_SGD) o.momentum = 0.9f, o.nesterov = variant;
            double p = 1, m = 0, v = 0;
            for (int t = 1; t <= 3; t++) {
                g->grad[0] = gr[t - 1];
                CHECK(gdl_optim_step(&o, g, lr) == 0);
                double d = gr[t - 1] + (kind == GDL_OPTIM_ADAMW ? 0 : wd * p);
                switch (kind) {
                case GDL_OPTIM_SGD:
                    m = t == 1 ? d : 0.9 * m + d;
                    p -= lr * (variant ? d + 0.9 * m : m);
                    break;
                case GDL_OPTIM_ADAM:
                case GDL_OPTIM_ADAMW:
                    if (kind == GDL_OPTIM_ADAMW) p -= lr * wd * p;
                    m = 0.9 * m + 0.1 * d, v = 0.999 * v + 0.001 * d * d;
                    p -= lr * (m / (1 - pow(0.9, t))) / (sqrt(v / (1 - pow(0.999, t))) + 1e-8);
                    break;
                case GDL_OPTIM_RMSPROP:
                    v = 0.99 * v + 0.01 * d * d;
                    p -= lr * d / (sqrt(v) + 1e-8);
                    break;
                }
                CHECK_CLOSE(g->param[0], p, 1e-5);
            }
            gdl_optim_free(&o);
            gdl_nn_free(g);
        }
    CHECK(gdl_optim_find("adamw") == GDL_OPTIM_ADAMW && !strcmp(gdl_optim_name(GDL_OPTIM_RMSPROP), "rmsprop"));
}

/* A frozen range keeps its bits under every optimizer, with weight decay and the l1/l2 proximal
 * step over it, while the rest moves; its gradient is zeroed before clipping. */
static void test_frozen_range_keeps_its_values(void)
{
    for (int kind = 0; kind < GDL_OPTIM_COUNT; kind++) {
        gdl_nn_t *g = gdl_nn_new(1);
        gdl_nn_input(g, "x", 1, (int64_t[]){4});
        gdl_nn_add(g, "d", "dense", "x", "units=1 bias=1");
        CHECK(gdl_nn_compile(g) == 0 && g->n_param >= 5);
        for (int i = 0; i < 5; i++) g->param[i] = 0.5f + 0.25f * (float)i;
        float kept[2] = {g->param[1], g->param[2]};
        gdl_optim_t o;
        gdl_optim_init(&o, kind);
        o.weight_decay = 0.1f, o.l1 = 0.01f, o.l2 = 0.01f;
        o.n_prox = 1, o.prox[0].offset = 0, o.prox[0].rows = 1, o.prox[0].width = 4, o.prox[0].by_column = 1;
        CHECK(gdl_optim_freeze(&o, g, 1, 2) == 0);
        CHECK(gdl_optim_freeze(&o, g, g->n_param - 1, 2) == -1); // past the end
        for (int t = 0; t < 5; t++) {
            for (int i = 0; i < 5; i++) g->grad[i] = 0.3f * (float)(i + 1) * (t % 2 ? -1 : 1);
            gdl_optim_mask_frozen(&o, g);
            CHECK(g->grad[1] == 0 && g->grad[2] == 0 && g->grad[3] != 0);
            for (int i = 0; i < 5; i++) g->grad[i] = 0.3f * (float)(i + 1);
            CHECK(gdl_optim_step(&o, g, 0.1f) == 0);
        }
        CHECK(!memcmp(&g->param[1], kept, sizeof kept));
        CHECK(g->param[0] != 0.5f && g->param[3] != 1.25f && g->param[4] != 1.5f);
        gdl_optim_free(&o);
        CHECK(o.n_frozen == 0);
        gdl_nn_free(g);
    }
}

static void test_clip_and_schedules(void)
{
    gdl_nn_t *g = gdl_nn_new(1);
    gdl_nn_input(g, "x", 1, (int64_t[]){2});
    gdl_nn_add(g, "d", "dense", "x", "units=2 bias=0");
    gdl_nn_compile(g);
    g->grad[0] = 3, g->grad[1] = 4;
    CHECK_CLOSE(gdl_nn_clip_grad_norm(g, 10), 5, 1e-9);
    CHECK(g->grad[0] == 3);
    CHECK_CLOSE(gdl_nn_clip_grad_norm(g, 1), 5, 1e-9);
    CHECK_CLOSE(g->grad[0], 0.6, 1e-5);
    CHECK_CLOSE(g->grad[1], 0.8, 1e-5);
    gdl_nn_free(g);

    gdl_sched_t s;
    gdl_sched_init(&s, GDL_SCHED_STEP, 1.0);
    s.step_size = 10, s.gamma = 0.5;
    CHECK(gdl_sched_lr(&s, 9) == 1.0 && gdl_sched_lr(&s, 10) == 0.5 && gdl_sched_lr(&s, 25) == 0.25);
    gdl_sched_init(&s, GDL_SCHED_COSINE, 1.0);
    s.warmup = 10, s.total = 110, s.min_lr = 0.1;
    CHECK_CLOSE(gdl_sched_lr(&s, 0), 0.1, 1e-12);
    CHECK_CLOSE(gdl_sched_lr(&s, 4), 0.5, 1e-12);
    CHECK_CLOSE(gdl_sched_lr(&s, 10), 1.0, 1e-12);
    CHECK_CLOSE(gdl_sched_lr(&s, 60), 0.55, 1e-12);
    CHECK_CLOSE(gdl_sched_lr(&s, 200), 0.1, 1e-12);
    gdl_sched_init(&s, GDL_SCHED_CONSTANT, 0.01);
    CHECK(gdl_sched_lr(&s, 1000) == 0.01);
    gdl_sched_init(&s, GDL_SCHED_PLATEAU, 1.0);
    s.patience = 2, s.factor = 0.5;
    double metrics[] = {1.0, 0.9, 0.95, 0.9, 0.91, 0.5, 0.6, 0.6, 0.6};
    int reduced[] = {0, 0, 0, 0, 1, 0, 0, 0, 1};
    for (int i = 0; i < 9; i++) CHECK(gdl_sched_report(&s, metrics[i]) == reduced[i]);
    CHECK(gdl_sched_lr(&s, 0) == 0.25);
    CHECK(gdl_sched_find("cosine") == GDL_SCHED_COSINE);
}

/* Same seed and thread count: the same parameters, outputs and gradients, bit for bit. */
static void test_deterministic_with_threads(void)
{
    enum { N = 16, L = 40 };
    float *x = malloc(sizeof(float) * N * 4 * L), *out[3], *grad[3];
    fill(x, N * 4 * L, 21);
    int64_t n_param = 0, m = 0;
    for (int run = 0; run < 3; run++) {
        gdl_threads_set(run < 2 ? 2 : 1); // runs 0 and 1: two threads; run 2: one
        gdl_nn_t *g = gdl_nn_new(77);
        gdl_nn_input(g, "x", 2, (int64_t[]){4, L});
        gdl_nn_add(g, "c", "conv1d", "x", "filters=8 width=5 padding=same init=he");
        gdl_nn_add(g, "d", "dropout", "c", "rate=0.2");
        gdl_nn_add(g, "r", "gru", "d", "units=6 bidirectional=1");
        gdl_nn_add(g, "y", "dense", "r", "units=2");
        gdl_nn_set_input(g, "x", x);
        g->step = 9;
        CHECK(gdl_nn_forward(g, N, 1) == 0);
        m = N * 2, n_param = g->n_param;
        out[run] = malloc(sizeof(float) * (size_t)m), grad[run] = malloc(sizeof(float) * (size_t)n_param);
        memcpy(out[run], gdl_nn_output(g, "y"), sizeof(float) * (size_t)m);
        float *dy = gdl_nn_grad(g, "y");
        for (int64_t k = 0; k < m; k++) dy[k] = (float)(k % 3) - 1;
        gdl_nn_backward(g);
        memcpy(grad[run], g->grad, sizeof(float) * (size_t)n_param);
        gdl_nn_free(g);
    }
    CHECK(!memcmp(out[0], out[1], sizeof(float) * (size_t)m));
    CHECK(!memcmp(grad[0], grad[1], sizeof(float) * (size_t)n_param));
    // another thread count splits sums differently: equal up to rounding
    for (int64_t k = 0; k < m; k++) CHECK_CLOSE(out[2][k], out[0][k], 1e-5);
    for (int64_t k = 0; k < n_param; k++) CHECK_CLOSE(grad[2][k], grad[0][k], 1e-4);
    for (int run = 0; run < 3; run++) free(out[run]), free(grad[run]);
    free(x);
}

int main(void)
{
    gdl_log_set_level(GDL_LOG_QUIET);
    RUN(test_build_errors_name_the_node);
    RUN(test_param_table_and_seeded_init);
    RUN(test_dense_and_conv_values);
    RUN(test_sparse_dense_matches_dense);
    RUN(test_dropout_modes_and_masks);
    RUN(test_batchnorm_running_stats);
    RUN(test_branches_accumulate_gradients);
    RUN(test_losses);
    RUN(test_optimizers_match_hand_updates);
    RUN(test_frozen_range_keeps_its_values);
    RUN(test_clip_and_schedules);
    RUN(test_deterministic_with_threads);
    return TEST_EXIT();
}
