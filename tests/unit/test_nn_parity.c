/* PyTorch parity: fixtures written by tests/ref/make_nn_fixtures.py (see its docstring for the
 * format and the parameter layout mapping) into tests/data/nn/, matched to 1e-4 relative
 * (|a - b| <= 1e-4 max(1, |b|)). */
#include <stdlib.h>
#include <string.h>

#include "gdl/data.h"
#include "gdl/nn.h"
#include "test.h"

#define TOL 1e-4

static gdl_file_t *open_fixture(const char *name)
{
    char path[512];
    const char *src = __FILE__; // "tests/unit/test_nn_parity.c" from the repository root
    const char *cut = strstr(src, "unit/test_nn_parity.c");
    snprintf(path, sizeof path, "%.*sdata/nn/%s.gdl", cut ? (int)(cut - src) : 0, src, name);
    gdl_file_t *f = gdl_file_open(path);
    if (!f) fprintf(stderr, "  %s\n", gdl_last_error());
    return f;
}

static const float *tensor(gdl_file_t *f, const char *name, uint64_t *numel)
{
    const gdl_entry_t *e = gdl_file_find(f, name);
    if (!e) {
        fprintf(stderr, "  fixture has no tensor '%s'\n", name);
        return NULL;
    }
    if (numel) *numel = e->numel;
    return e->data;
}

/* max_i |a_i - b_i| / max(1, |b_i|) <= TOL, reporting the worst */
static int close_all(const float *a, const float *b, uint64_t n, const char *what)
{
    double worst = 0;
    uint64_t at = 0;
    for (uint64_t i = 0; i < n; i++) {
        double e = fabs((double)a[i] - b[i]) / fmax(1.0, fabs((double)b[i]));
        if (!(e <= worst)) worst = e, at = i;
    }
    if (!(worst <= TOL)) {
        fprintf(stderr, "  %s[%llu]: gdl %.8g, torch %.8g\n", what, (unsigned long long)at, a[at], b[at]);
        return 0;
    }
    return 1;
}

/* Builds the graph in the fixture metadata: inputs "name:d0,d1;...", graph "name|op|in|attrs". */
static gdl_nn_t *build(gdl_file_t *f)
{
    gdl_nn_t *g = gdl_nn_new(1);
    char *inputs = strdup(gdl_file_meta(f, "inputs")), *graph = strdup(gdl_file_meta(f, "graph"));
    char *save, *line;
    for (line = strtok_r(inputs, ";", &save); line; line = strtok_r(NULL, ";", &save)) {
        char *colon = strchr(line, ':'), *s;
        int64_t shape[3];
        int nd = 0;
        *colon = 0;
        for (s = colon + 1; *s && nd < 3;) {
            shape[nd++] = strtoll(s, &s, 10);
            if (*s == ',') s++;
        }
        CHECK(gdl_nn_input(g, line, nd, shape) >= 0);
    }
    for (line = strtok_r(graph, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        char *field[4] = {line, NULL, NULL, NULL};
        for (int k = 1; k < 4; k++) {
            field[k] = strchr(field[k - 1], '|');
            *field[k]++ = 0;
        }
        if (gdl_nn_add(g, field[0], field[1], field[2], field[3]) < 0) {
            fprintf(stderr, "  %s\n", gdl_last_error());
            CHECK(0);
        }
    }
    free(inputs), free(graph);
    CHECK(gdl_nn_compile(g) == 0);
    // parameters and state from the fixture, by name
    for (int i = 0; i < g->n_table; i++) {
        uint64_t n;
        const float *v = tensor(f, g->table[i].name, &n);
        CHECK(v && n == (uint64_t)g->table[i].numel);
        if (v && n == (uint64_t)g->table[i].numel)
            memcpy(gdl_nn_param_data(g, &g->table[i]), v, sizeof(float) * n);
    }
    return g;
}

static int set_inputs(gdl_nn_t *g, gdl_file_t *f)
{
    for (int i = 0; i < gdl_file_count(f); i++) {
        const gdl_entry_t *e = gdl_file_entry(f, i);
        if (strncmp(e->name, "input.", 6)) continue;
        if (gdl_nn_set_input(g, e->name + 6, e->data) < 0) return -1;
        gdl_nn_want_input_grad(g, e->name + 6, 1);
    }
    return 0;
}

static void check_op_fixture(const char *name)
{
    gdl_file_t *f = open_fixture(name);
    CHECK(f != NULL);
    if (!f) return;
    gdl_nn_t *g = build(f);
    const char *out_name = gdl_file_meta(f, "output");
    int64_t N = atoll(gdl_file_meta(f, "N"));
    int train = atoi(gdl_file_meta(f, "train"));
    CHECK(set_inputs(g, f) == 0);
    CHECK(gdl_nn_forward(g, N, train) == 0);
    uint64_t n;
    const float *out = tensor(f, "out", &n), *dout = tensor(f, "dout", NULL);
    CHECK(out && n == (uint64_t)(N * gdl_nn_size(g, out_name)));
    if (!out || n != (uint64_t)(N * gdl_nn_size(g, out_name))) goto done;
    CHECK(close_all(gdl_nn_output(g, out_name), out, n, "out"));
    gdl_nn_zero_grad(g);
    memcpy(gdl_nn_grad(g, out_name), dout, sizeof(float) * n);
    CHECK(gdl_nn_backward(g) == 0);
    for (int i = 0; i < gdl_file_count(f); i++) {
        const gdl_entry_t *e = gdl_file_entry(f, i);
        char what[160];
        snprintf(what, sizeof what, "%s %s", name, e->name);
        if (!strncmp(e->name, "grad.input.", 11)) {
            CHECK(close_all(gdl_nn_grad(g, e->name + 11), e->data, e->numel, what));
        } else if (!strncmp(e->name, "grad.", 5)) {
            const gdl_nn_param_t *p = gdl_nn_find_param(g, e->name + 5);
            CHECK(p && (uint64_t)p->numel == e->numel);
            if (p) CHECK(close_all(g->grad + p->offset, e->data, e->numel, what));
        } else if (!strncmp(e->name, "after.", 6)) {
            const gdl_nn_param_t *p = gdl_nn_find_param(g, e->name + 6);
            CHECK(p && (uint64_t)p->numel == e->numel);
            if (p) CHECK(close_all(gdl_nn_param_data(g, p), e->data, e->numel, what));
        }
    }
done:
    gdl_nn_free(g);
    gdl_file_close(f);
}

static void check_loss_fixture(const char *name)
{
    gdl_file_t *f = open_fixture(name);
    CHECK(f != NULL);
    if (!f) return;
    int64_t N = atoll(gdl_file_meta(f, "N")), T = atoll(gdl_file_meta(f, "T"));
    gdl_loss_t l = {gdl_loss_find(gdl_file_meta(f, "loss")), NULL, NULL};
    if (gdl_file_find(f, "pos_weight")) l.pos_weight = tensor(f, "pos_weight", NULL);
    if (gdl_file_find(f, "class_weight")) l.class_weight = tensor(f, "class_weight", NULL);
    float *d = calloc((size_t)(N * T), sizeof(float));
    double v = gdl_loss_compute(&l, tensor(f, "pred", NULL), tensor(f, "labels", NULL), N, T, d);
    CHECK_CLOSE(v, tensor(f, "loss", NULL)[0], TOL);
    CHECK(close_all(d, tensor(f, "dpred", NULL), (uint64_t)(N * T), name));
    free(d);
    gdl_file_close(f);
}

static double meta_num(gdl_file_t *f, const char *key, double def)
{
    const char *v = gdl_file_meta(f, key);
    return v ? atof(v) : def;
}

/* The losses of 5 optimizer steps on CNN + BiLSTM + dense over one-hot DNA. */
static void check_train_fixture(const char *name)
{
    gdl_file_t *f = open_fixture(name);
    CHECK(f != NULL);
    if (!f) return;
    gdl_nn_t *g = build(f);
    int64_t N = atoll(gdl_file_meta(f, "N")), T = gdl_nn_size(g, "out");
    CHECK(set_inputs(g, f) == 0);
    gdl_nn_want_input_grad(g, "x", 0);
    gdl_optim_t o;
    gdl_optim_init(&o, gdl_optim_find(gdl_file_meta(f, "optim")));
    o.momentum = (float)meta_num(f, "momentum", o.momentum);
    o.nesterov = (int)meta_num(f, "nesterov", o.nesterov);
    o.weight_decay = (float)meta_num(f, "weight_decay", o.weight_decay);
    o.alpha = (float)meta_num(f, "alpha", o.alpha);
    o.eps = (float)meta_num(f, "eps", o.eps);
    gdl_loss_t l = {gdl_loss_find(gdl_file_meta(f, "loss")), NULL, NULL};
    const float *labels = tensor(f, "labels", NULL), *losses = tensor(f, "losses", NULL);
    float lr = (float)atof(gdl_file_meta(f, "lr"));
    for (int step = 0; step < atoi(gdl_file_meta(f, "steps")); step++) {
        CHECK(gdl_nn_forward(g, N, 1) == 0);
        gdl_nn_zero_grad(g);
        double v = gdl_loss_compute(&l, gdl_nn_output(g, "out"), labels, N, T, gdl_nn_grad(g, "out"));
        CHECK_CLOSE(v, losses[step], TOL);
        CHECK(gdl_nn_backward(g) == 0);
        CHECK(gdl_optim_step(&o, g, lr) == 0);
    }
    CHECK(losses[4] < losses[0]); // it learns
    gdl_optim_free(&o);
    gdl_nn_free(g);
    gdl_file_close(f);
}

#define PARITY_TRAIN(x) static void test_parity_##x##_5_steps(void) { check_train_fixture(#x); }
PARITY_TRAIN(train_adam)
PARITY_TRAIN(train_sgd_nesterov)
PARITY_TRAIN(train_adamw)
PARITY_TRAIN(train_rmsprop)
#define PARITY_OP(x) static void test_parity_##x(void) { check_op_fixture(#x); }
PARITY_OP(dense)
PARITY_OP(conv1d_same_dil)
PARITY_OP(conv1d_valid_stride)
PARITY_OP(maxpool1d)
PARITY_OP(avgpool1d)
PARITY_OP(global_maxpool)
PARITY_OP(global_avgpool)
PARITY_OP(lstm)
PARITY_OP(gru)
PARITY_OP(bilstm)
PARITY_OP(bilstm_last)
PARITY_OP(bigru_last)
PARITY_OP(batchnorm_train)
PARITY_OP(batchnorm_eval)
PARITY_OP(layernorm)
PARITY_OP(attention)
PARITY_OP(gene_dense)
#define PARITY_LOSS(x) static void test_parity_loss_##x(void) { check_loss_fixture("loss_" #x); }
PARITY_LOSS(bce)
PARITY_LOSS(softmax_ce)
PARITY_LOSS(mse)

int main(void)
{
    gdl_log_set_level(GDL_LOG_QUIET);
    RUN(test_parity_dense);
    RUN(test_parity_conv1d_same_dil);
    RUN(test_parity_conv1d_valid_stride);
    RUN(test_parity_maxpool1d);
    RUN(test_parity_avgpool1d);
    RUN(test_parity_global_maxpool);
    RUN(test_parity_global_avgpool);
    RUN(test_parity_lstm);
    RUN(test_parity_gru);
    RUN(test_parity_bilstm);
    RUN(test_parity_bilstm_last);
    RUN(test_parity_bigru_last);
    RUN(test_parity_batchnorm_train);
    RUN(test_parity_batchnorm_eval);
    RUN(test_parity_layernorm);
    RUN(test_parity_attention);
    RUN(test_parity_gene_dense);
    RUN(test_parity_loss_bce);
    RUN(test_parity_loss_softmax_ce);
    RUN(test_parity_loss_mse);
    RUN(test_parity_train_adam_5_steps);
    RUN(test_parity_train_sgd_nesterov_5_steps);
    RUN(test_parity_train_adamw_5_steps);
    RUN(test_parity_train_rmsprop_5_steps);
    return TEST_EXIT();
}
