/* nn benchmark (not a test): conv1d forward+backward GFLOP/s at DeepSEA's first layer next to
 * plain sgemm GFLOP/s, LSTM step throughput, and the sparse first layer's inference.
 * Usage: bench_nn [THREADS [REPEATS [sgemm|conv|lstm|sparse]]] */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "gdl/nn.h"

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static float *randoms(int64_t n, uint64_t seed)
{
    float *x = gdl_malloc(sizeof(float) * (size_t)n);
    gdl_rng_t r;
    gdl_rng_init(&r, seed, 0);
    for (int64_t i = 0; i < n; i++) x[i] = (float)(gdl_rng_uniform(&r) - 0.5);
    return x;
}

static void bench_sgemm(int64_t M, int64_t N, int64_t K, int reps)
{
    float *A = randoms(M * K, 1), *B = randoms(K * N, 2), *C = randoms(M * N, 3);
    gdl_sgemm(0, 0, M, N, K, 1, A, K, B, N, 0, C, N); // warm-up
    double t = now();
    for (int r = 0; r < reps; r++) gdl_sgemm(0, 0, M, N, K, 1, A, K, B, N, 0, C, N);
    t = (now() - t) / reps;
    printf("sgemm %lldx%lldx%lld: %.2f ms, %.1f GFLOP/s\n", (long long)M, (long long)N, (long long)K,
           1e3 * t, 2.0 * (double)M * (double)N * (double)K / t / 1e9);
    gdl_free(A), gdl_free(B), gdl_free(C);
}

static void bench_conv(int reps, int input_grad)
{
    enum { N = 64, C = 4, L = 1000, F = 320, W = 8 };
    gdl_nn_t *g = gdl_nn_new(1);
    gdl_nn_input(g, "x", 2, (int64_t[]){C, L});
    gdl_nn_add(g, "conv", "conv1d", "x", "filters=320 width=8");
    gdl_nn_compile(g);
    float *x = randoms((int64_t)N * C * L, 4);
    gdl_nn_set_input(g, "x", x);
    gdl_nn_want_input_grad(g, "x", input_grad);
    int64_t Lo = L - W + 1, m = (int64_t)N * F * Lo;
    double tf = 0, tb = 0;
    for (int r = 0; r <= reps; r++) { // r = 0 warms up the arena
        double t0 = now();
        gdl_nn_forward(g, N, 1);
        double t1 = now();
        float *dy = gdl_nn_grad(g, "conv"); // setting d loss / d y is not the layer's work
        for (int64_t i = 0; i < m; i++) dy[i] = 1e-3f;
        gdl_nn_zero_grad(g);
        double t2 = now();
        gdl_nn_backward(g);
        if (r) tf += t1 - t0, tb += now() - t2;
    }
    tf /= reps, tb /= reps;
    double flop = 2.0 * N * F * C * W * (double)Lo; // per GEMM: forward, dW, and dx when asked
    printf("conv1d N=64 C=4 L=1000 F=320 W=8%s: forward %.1f ms (%.1f GFLOP/s), backward %.1f ms "
           "(%.1f GFLOP/s), forward+backward %.1f GFLOP/s\n", input_grad ? " with input gradient" : "",
           1e3 * tf, flop / tf / 1e9, 1e3 * tb, flop * (input_grad ? 2 : 1) / tb / 1e9,
           flop * (input_grad ? 3 : 2) / (tf + tb) / 1e9);
    gdl_free(x);
    gdl_nn_free(g);
}

static void bench_lstm(int reps)
{
    enum { N = 64, C = 320, L = 75, H = 320 }; // DanQ's BiLSTM over 75 pooled positions
    gdl_nn_t *g = gdl_nn_new(1);
    gdl_nn_input(g, "x", 2, (int64_t[]){C, L});
    gdl_nn_add(g, "rnn", "lstm", "x", "units=320 bidirectional=1 return_sequences=1");
    gdl_nn_compile(g);
    float *x = randoms((int64_t)N * C * L, 5);
    gdl_nn_set_input(g, "x", x);
    double tf = 0, tb = 0;
    int64_t m = (int64_t)N * 2 * H * L;
    for (int r = 0; r <= reps; r++) {
        double t0 = now();
        gdl_nn_forward(g, N, 1);
        double t1 = now();
        float *dy = gdl_nn_grad(g, "rnn");
        for (int64_t i = 0; i < m; i++) dy[i] = 1e-3f;
        gdl_nn_zero_grad(g);
        double t2 = now();
        gdl_nn_backward(g);
        if (r) tf += t1 - t0, tb += now() - t2;
    }
    tf /= reps, tb /= reps;
    // one step = one (sample, position, direction) cell update
    double steps = 2.0 * N * L;
    double flop = 2.0 * 2 * N * L * (4.0 * H) * (C + H); // forward GEMM work, both directions
    printf("bilstm N=64 C=320 L=75 H=320: forward %.1f ms (%.0f cell steps/s, %.1f GFLOP/s), "
           "backward %.1f ms, forward+backward %.0f cell steps/s\n",
           1e3 * tf, steps / tf, flop / tf / 1e9, 1e3 * tb, steps / (tf + tb));
    gdl_free(x);
    gdl_nn_free(g);
}

/* The genotype MLP's sparse first layer in inference (bench_train.sh's mlp): 2,048 samples of
 * 75,203 columns, ~2% of them 1 or 2, into 512 units. */
static void bench_sparse_dense(int reps)
{
    enum { N = 2048, V = 75203, U = 512 };
    gdl_nn_t *g = gdl_nn_new(1);
    gdl_nn_input_sparse(g, "x", V);
    gdl_nn_add(g, "h", "sparse_dense", "x", "units=512");
    gdl_nn_compile(g);
    gdl_rng_t r;
    gdl_rng_init(&r, 6, 0);
    int64_t *row = malloc(sizeof(int64_t) * (N + 1)), cap = (int64_t)N * V / 40, nnz = 0;
    int32_t *col = malloc(sizeof(int32_t) * (size_t)cap);
    float *val = malloc(sizeof(float) * (size_t)cap);
    row[0] = 0;
    for (int64_t i = 0; i < N; i++) {
        for (int64_t j = 0; j < V && nnz < cap; j++)
            if (gdl_rng_uniform(&r) < 0.02) col[nnz] = (int32_t)j, val[nnz++] = gdl_rng_uniform(&r) < 0.98 ? 1 : 2;
        row[i + 1] = nnz;
    }
    gdl_nn_sparse_t x = {N, V, row, col, val};
    gdl_nn_set_sparse(g, "x", &x);
    double t = 0;
    for (int k = 0; k <= reps; k++) { // k = 0 warms up the arena
        double t0 = now();
        gdl_nn_forward(g, N, 0);
        if (k) t += now() - t0;
    }
    t /= reps;
    printf("sparse_dense N=%d V=%d U=%d, %.1f%% non-zero: forward %.1f ms (%.0f samples/s, %.1f GMAC/s)\n",
           N, V, U, 100.0 * (double)nnz / ((double)N * V), 1e3 * t, N / t, (double)nnz * U / t / 1e9);
    free(row), free(col), free(val);
    gdl_nn_free(g);
}

int main(int argc, char **argv)
{
    int threads = argc > 1 ? atoi(argv[1]) : 1, reps = argc > 2 ? atoi(argv[2]) : 5;
    const char *only = argc > 3 ? argv[3] : ""; // sgemm, conv, lstm or sparse: that one alone
    if (*only && strcmp(only, "sgemm") && strcmp(only, "conv") && strcmp(only, "lstm") && strcmp(only, "sparse")) {
        fprintf(stderr, "bench_nn: unknown benchmark '%s' (sgemm, conv, lstm, sparse)\n", only);
        return 2;
    }
    gdl_threads_set(threads);
    printf("threads %d, %s\n", gdl_threads_get(), gdl_blas_config());
    if (!*only || !strcmp(only, "sgemm")) {
        bench_sgemm(1024, 1024, 1024, reps);
        bench_sgemm(320, 993, 32, reps * 20); // the conv GEMM of one sample
    }
    if (!*only || !strcmp(only, "conv")) bench_conv(reps, 0), bench_conv(reps, 1);
    if (!*only || !strcmp(only, "lstm")) bench_lstm(reps);
    if (!*only || !strcmp(only, "sparse")) bench_sparse_dense(reps);
    return 0;
}
