/* Fusion (gdl_nn_set_fusion), inference (gdl_nn_infer) and the thread split change where values
 * live and who computes them, never the values: each graph below runs fused and unfused,
 * forward (train and eval), backward and inference, at one and two threads, and every output
 * and gradient must be bit-identical. (At these sizes each product is one OpenBLAS call. At
 * scale a product split over threads, or a recurrent layer's input projection made one step at
 * a time in inference, is several calls, and some of OpenBLAS's kernels then move last bits:
 * see blas.c.) */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "gdl/core.h"
#include "gdl/nn.h"
#include "test.h"

typedef struct {
    const char *name, *op, *inputs, *attrs;
} layer_t;

typedef struct {
    const char *what;
    int64_t C, L;
    const layer_t *layers;
    int n_layers;
    const char *fused[4]; // nodes fusion must make unreadable (NULL-terminated)
} case_t;

static gdl_nn_t *build(const case_t *c)
{
    gdl_nn_t *g = gdl_nn_new(11);
    CHECK(gdl_nn_input(g, "x", 2, (int64_t[]){c->C, c->L}) == 0);
    for (int i = 0; i < c->n_layers; i++) {
        const layer_t *l = &c->layers[i];
        CHECK(gdl_nn_add(g, l->name, l->op, l->inputs, l->attrs) > 0);
    }
    CHECK(gdl_nn_compile(g) == 0);
    CHECK(gdl_nn_want_input_grad(g, "x", 1) == 0);
    return g;
}

static float *randoms(int64_t n, uint64_t seed)
{
    float *x = malloc(sizeof(float) * (size_t)n);
    gdl_rng_t r;
    gdl_rng_init(&r, seed, 0);
    for (int64_t i = 0; i < n; i++) x[i] = (float)(2 * gdl_rng_uniform(&r) - 1);
    return x;
}

static int same(const float *a, const float *b, int64_t n)
{
    return a && b && memcmp(a, b, sizeof(float) * (size_t)n) == 0;
}

/* One training step's output, parameter gradient and input gradient. */
typedef struct {
    float *out, *grad, *dx, *eval, *infer;
} run_t;

static run_t run(const case_t *c, int fuse, int threads, int64_t N, const float *x, const float *dy)
{
    gdl_threads_set(threads);
    gdl_nn_t *g = build(c);
    gdl_nn_set_fusion(g, fuse);
    int64_t K = gdl_nn_size(g, "out"), D = gdl_nn_size(g, "x");
    run_t r = {malloc(sizeof(float) * (size_t)(N * K)), malloc(sizeof(float) * (size_t)g->n_param),
               malloc(sizeof(float) * (size_t)(N * D)), malloc(sizeof(float) * (size_t)(N * K)),
               malloc(sizeof(float) * (size_t)(N * K))};
    CHECK(gdl_nn_set_input(g, "x", x) == 0);
    g->step = 3;
    CHECK(gdl_nn_forward(g, N, 1) == 0);
    for (int k = 0; c->fused[k]; k++) CHECK((gdl_nn_output(g, c->fused[k]) == NULL) == (fuse != 0));
    memcpy(r.out, gdl_nn_output(g, "out"), sizeof(float) * (size_t)(N * K));
    memcpy(gdl_nn_grad(g, "out"), dy, sizeof(float) * (size_t)(N * K));
    gdl_nn_zero_grad(g);
    CHECK(gdl_nn_backward(g) == 0);
    memcpy(r.grad, g->grad, sizeof(float) * (size_t)g->n_param);
    memcpy(r.dx, gdl_nn_grad(g, "x"), sizeof(float) * (size_t)(N * D));
    CHECK(gdl_nn_forward(g, N, 0) == 0);
    memcpy(r.eval, gdl_nn_output(g, "out"), sizeof(float) * (size_t)(N * K));
    CHECK(gdl_nn_infer(g, N, "out") == 0);
    memcpy(r.infer, gdl_nn_output(g, "out"), sizeof(float) * (size_t)(N * K));
    CHECK(gdl_nn_backward(g) == -1); // no backward after inference
    gdl_nn_free(g);
    gdl_threads_set(1);
    return r;
}

static void free_run(run_t *r) { free(r->out), free(r->grad), free(r->dx), free(r->eval), free(r->infer); }

static void check_case(const case_t *c, int64_t N)
{
    gdl_nn_t *g = build(c);
    int64_t K = gdl_nn_size(g, "out"), D = gdl_nn_size(g, "x"), P = g->n_param;
    gdl_nn_free(g);
    float *x = randoms(N * D, 1), *dy = randoms(N * K, 2);
    run_t ref = run(c, 0, 1, N, x, dy);
    for (int fuse = 0; fuse <= 1; fuse++)
        for (int threads = 1; threads <= 2; threads++) {
            run_t r = run(c, fuse, threads, N, x, dy);
            if (!same(r.out, ref.out, N * K) || !same(r.grad, ref.grad, P) || !same(r.dx, ref.dx, N * D) ||
                !same(r.eval, ref.eval, N * K) || !same(r.infer, ref.eval, N * K)) {
                fprintf(stderr, "  %s: fuse %d, %d threads: values differ from the unfused run\n", c->what,
                        fuse, threads);
                test_failed_ = 1;
            }
            free_run(&r);
        }
    free_run(&ref);
    free(x), free(dy);
}

#define CASE(what, C, L, layers, ...) {what, C, L, layers, (int)(sizeof layers / sizeof *layers), {__VA_ARGS__}}

static void test_conv_rectifier_pool_chains_are_bit_identical(void)
{
    static const layer_t relu_pool[] = {
        {"c", "conv1d", "x", "filters=6 width=5"}, {"a", "relu", "c", NULL},
        {"p", "maxpool1d", "a", "size=4"}, {"f", "flatten", "p", NULL},
        {"d", "dropout", "f", "rate=0.3"}, {"out", "dense", "d", "units=3"}};
    static const layer_t leaky_pool_strided[] = { // stride > size: windows leave gaps
        {"c", "conv1d", "x", "filters=5 width=3 stride=2 dilation=2 padding=same"},
        {"a", "leaky_relu", "c", "alpha=0.1"}, {"p", "maxpool1d", "a", "size=3 stride=4"},
        {"f", "flatten", "p", NULL}, {"out", "dense", "f", "units=2"}};
    static const layer_t overlapping_pool[] = { // stride < size: only the rectifier fuses
        {"c", "conv1d", "x", "filters=4 width=4"}, {"a", "relu", "c", NULL},
        {"p", "maxpool1d", "a", "size=4 stride=2"}, {"f", "flatten", "p", NULL},
        {"out", "dense", "f", "units=2"}};
    static const layer_t rectifier_only[] = {
        {"c", "conv1d", "x", "filters=3 width=2 bias=0"}, {"a", "leaky_relu", "c", "alpha=0.05"},
        {"d", "dropout", "a", "rate=0.5"}, {"f", "flatten", "d", NULL}, {"out", "dense", "f", "units=2"}};
    static const layer_t two_readers[] = { // the convolution is read twice: nothing fuses
        {"c", "conv1d", "x", "filters=3 width=3"}, {"a", "relu", "c", NULL},
        {"s", "add", "a,c", NULL}, {"p", "maxpool1d", "s", "size=2"}, {"f", "flatten", "p", NULL},
        {"out", "dense", "f", "units=2"}};
    static const layer_t deep[] = { // two fused blocks, the second fed by the first's pool
        {"c1", "conv1d", "x", "filters=8 width=5"}, {"a1", "relu", "c1", NULL},
        {"p1", "maxpool1d", "a1", "size=2"}, {"c2", "conv1d", "p1", "filters=6 width=3"},
        {"a2", "relu", "c2", NULL}, {"p2", "maxpool1d", "a2", "size=3"},
        {"c3", "conv1d", "p2", "filters=4 width=3"}, {"a3", "relu", "c3", NULL},
        {"f", "flatten", "a3", NULL}, {"h", "dense", "f", "units=5"}, {"ha", "relu", "h", NULL},
        {"out", "dense", "ha", "units=3"}};
    const case_t cases[] = {
        CASE("conv relu pool", 4, 50, relu_pool, "c", "a"),
        CASE("strided leaky pool", 3, 41, leaky_pool_strided, "c", "a"),
        CASE("overlapping pool", 4, 30, overlapping_pool, "c"),
        CASE("rectifier only", 2, 17, rectifier_only, "c"),
        CASE("two readers", 2, 20, two_readers, NULL),
        CASE("three blocks", 4, 80, deep, "c1", "a1", "c2"),
        CASE("several GEMM blocks, a ragged last one", 4, 3000, relu_pool, "c", "a"),
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) check_case(&cases[i], i == 6 ? 7 : 5);
}

/* A NaN in the input: relu turns it into 0 before the pool, fused or not. */
static void test_nan_through_relu_pool(void)
{
    static const layer_t layers[] = {
        {"c", "conv1d", "x", "filters=3 width=2"}, {"a", "relu", "c", NULL},
        {"p", "maxpool1d", "a", "size=4"}, {"f", "flatten", "p", NULL}, {"out", "dense", "f", "units=2"}};
    const case_t c = CASE("nan", 1, 33, layers, "c", "a");
    float *x = randoms(2 * 33, 4), out[2][4];
    x[8] = NAN, x[33 + 20] = NAN; // window starts (conv position 7 reads 8; 19 and 20 read 20)
    for (int fuse = 0; fuse <= 1; fuse++) {
        gdl_nn_t *g = build(&c);
        gdl_nn_set_fusion(g, fuse);
        CHECK(gdl_nn_set_input(g, "x", x) == 0);
        CHECK(gdl_nn_forward(g, 2, 0) == 0);
        memcpy(out[fuse], gdl_nn_output(g, "out"), sizeof out[fuse]);
        for (int k = 0; k < 4; k++) CHECK(isfinite(out[fuse][k]));
        gdl_nn_free(g);
    }
    CHECK(!memcmp(out[0], out[1], sizeof out[0]));
    free(x);
}

/* The fused pool runs eight windows at a time (windows of 4 at stride 4 transposed, longer ones
 * gathered): with ties everywhere (a width-1 convolution of columns drawn from three values),
 * the first maximum still wins, so outputs and the gradients routed through the pool match the
 * unfused layers bit for bit, for DeepSEA's, DanQ's and a gapped pool, with a ragged tail. */
static void test_pooled_windows_keep_the_first_maximum(void)
{
    static const char *const pools[] = {"size=4", "size=13", "size=9 stride=11"};
    const int64_t N = 3, L = 200, D = 2 * L, K = 2;
    static const float level[3] = {-1.0f, 0.5f, 1.0f};
    float *x = malloc(sizeof(float) * (size_t)(N * D)), *dy = randoms(N * K, 8);
    gdl_rng_t r;
    gdl_rng_init(&r, 9, 0);
    for (int64_t i = 0; i < N; i++)
        for (int64_t l = 0; l < L; l++) {
            int v = (int)(gdl_rng_u64(&r) % 3);
            x[i * D + l] = level[v], x[i * D + L + l] = level[(v + 1) % 3];
        }
    for (int k = 0; k < 3; k++) {
        const layer_t layers[] = {
            {"c", "conv1d", "x", "filters=3 width=1 bias=0"}, {"a", "leaky_relu", "c", "alpha=0.1"},
            {"p", "maxpool1d", "a", pools[k]}, {"f", "flatten", "p", NULL}, {"out", "dense", "f", "units=2"}};
        const case_t c = CASE(pools[k], 2, L, layers, "c", "a");
        gdl_nn_t *g = build(&c);
        int64_t P = g->n_param;
        gdl_nn_free(g);
        run_t plain = run(&c, 0, 1, N, x, dy), fused = run(&c, 1, 1, N, x, dy);
        CHECK(same(plain.out, fused.out, N * K) && same(plain.dx, fused.dx, N * D));
        CHECK(same(plain.grad, fused.grad, P) && same(plain.infer, fused.infer, N * K));
        free_run(&plain), free_run(&fused);
    }
    free(x), free(dy);
}

/* Attribution turns parameter gradients off: the input gradient is the same to the bit, and the
 * dense and convolution layers leave their parameter gradients untouched (zero). */
static void test_input_gradient_without_parameter_gradients(void)
{
    static const layer_t layers[] = {
        {"c", "conv1d", "x", "filters=4 width=5"}, {"a", "relu", "c", NULL},
        {"p", "maxpool1d", "a", "size=4"}, {"f", "flatten", "p", NULL},
        {"h", "dense", "f", "units=6"}, {"out", "dense", "h", "units=2"}};
    const case_t c = CASE("input gradient", 3, 40, layers, NULL);
    const int64_t N = 5, D = 3 * 40, K = 2;
    float *x = randoms(N * D, 11), *dy = randoms(N * K, 12), *dx[2];
    for (int on = 0; on <= 1; on++) {
        gdl_nn_t *g = build(&c);
        gdl_nn_set_fusion(g, 1);
        gdl_nn_set_param_grad(g, on);
        CHECK(gdl_nn_set_input(g, "x", x) == 0 && gdl_nn_forward(g, N, 0) == 0);
        memcpy(gdl_nn_grad(g, "out"), dy, sizeof(float) * (size_t)(N * K));
        gdl_nn_zero_grad(g);
        CHECK(gdl_nn_backward(g) == 0);
        dx[on] = malloc(sizeof(float) * (size_t)(N * D));
        memcpy(dx[on], gdl_nn_grad(g, "x"), sizeof(float) * (size_t)(N * D));
        int64_t nonzero = 0;
        for (int64_t k = 0; k < g->n_param; k++) nonzero += g->grad[k] != 0;
        CHECK(on ? nonzero > 0 : nonzero == 0);
        gdl_nn_free(g);
    }
    CHECK(same(dx[0], dx[1], N * D));
    free(dx[0]), free(dx[1]), free(x), free(dy);
}

/* Bidirectional recurrent layers run one direction per thread: the same bits as one thread. */
static void test_bidirectional_recurrences_split_by_direction(void)
{
    static const layer_t lstm[] = {
        {"r", "lstm", "x", "units=5 bidirectional=1 return_sequences=1"}, {"f", "flatten", "r", NULL},
        {"out", "dense", "f", "units=2"}};
    static const layer_t gru[] = {
        {"c", "conv1d", "x", "filters=3 width=3"}, {"a", "relu", "c", NULL},
        {"r", "gru", "a", "units=4 bidirectional=1"}, {"out", "dense", "r", "units=2"}};
    const case_t cases[] = {CASE("bilstm", 3, 12, lstm, NULL), CASE("conv bigru", 2, 9, gru, "c")};
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) check_case(&cases[i], 5);
}

/* Gradient clipping sums the squared norm in fixed blocks: the same norm and scaled gradient
 * at one and two threads, over several blocks and a ragged last one. */
static void test_clip_norm_independent_of_threads(void)
{
    float out[2][3];
    double norm[2];
    for (int t = 1; t <= 2; t++) {
        gdl_threads_set(t);
        gdl_nn_t *g = gdl_nn_new(3);
        CHECK(gdl_nn_input(g, "x", 1, (int64_t[]){700}) == 0);
        CHECK(gdl_nn_add(g, "out", "dense", "x", "units=300") == 1);
        CHECK(gdl_nn_compile(g) == 0);
        float *r = randoms(g->n_param, 9);
        memcpy(g->grad, r, sizeof(float) * (size_t)g->n_param);
        norm[t - 1] = gdl_nn_clip_grad_norm(g, 1.0);
        out[t - 1][0] = g->grad[0], out[t - 1][1] = g->grad[100000], out[t - 1][2] = g->grad[g->n_param - 1];
        double sq = 0;
        for (int64_t i = 0; i < g->n_param; i++) sq += (double)r[i] * r[i];
        CHECK_CLOSE(norm[t - 1], sqrt(sq), 1e-12);
        free(r);
        gdl_nn_free(g);
    }
    gdl_threads_set(1);
    CHECK(norm[0] == norm[1] && !memcmp(out[0], out[1], sizeof out[0]));
}

/* The inference pass reuses buffers: an output read before the next pass survives the others. */
static void test_infer_keeps_only_the_named_output(void)
{
    static const layer_t layers[] = {
        {"c", "conv1d", "x", "filters=4 width=3"}, {"a", "relu", "c", NULL},
        {"f", "flatten", "a", NULL}, {"h", "dense", "f", "units=6"}, {"ha", "relu", "h", NULL},
        {"out", "dense", "ha", "units=2"}};
    const case_t c = CASE("infer", 2, 12, layers, NULL);
    gdl_nn_t *g = build(&c);
    float *x = randoms(3 * 24, 5);
    CHECK(gdl_nn_set_input(g, "x", x) == 0);
    CHECK(gdl_nn_forward(g, 3, 0) == 0);
    float h[18];
    memcpy(h, gdl_nn_output(g, "h"), sizeof h);
    CHECK(gdl_nn_infer(g, 3, "h") == 0); // an inner node kept: its values, not a reused buffer's
    CHECK(same(gdl_nn_output(g, "h"), h, 18));
    CHECK(gdl_nn_infer(g, 3, "nope") == -1);
    gdl_nn_set_fusion(g, 1);
    CHECK(gdl_nn_infer(g, 3, "c") == -1); // fused away: nothing to keep
    gdl_nn_free(g);
    free(x);
}

int main(void)
{
    gdl_log_set_level(GDL_LOG_QUIET);
    RUN(test_conv_rectifier_pool_chains_are_bit_identical);
    RUN(test_nan_through_relu_pool);
    RUN(test_pooled_windows_keep_the_first_maximum);
    RUN(test_input_gradient_without_parameter_gradients);
    RUN(test_bidirectional_recurrences_split_by_direction);
    RUN(test_clip_norm_independent_of_threads);
    RUN(test_infer_keeps_only_the_named_output);
    return TEST_EXIT();
}
