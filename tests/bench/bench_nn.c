/* nn benchmark (not a test): conv1d forward+backward GFLOP/s at DeepSEA's first layer next to
 * plain sgemm GFLOP/s, and LSTM step throughput. Usage: bench_nn [THREADS [REPEATS]] */
#include <stdio.h>
#include <stdlib.h>
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

int main(int argc, char **argv)
{
    int threads = argc > 1 ? atoi(argv[1]) : 1, reps = argc > 2 ? atoi(argv[2]) : 5;
    gdl_threads_set(threads);
    printf("threads %d, %s\n", gdl_threads_get(), gdl_blas_config());
    bench_sgemm(1024, 1024, 1024, reps);
    bench_sgemm(320, 993, 32, reps * 20); // the conv GEMM of one sample
    bench_conv(reps, 0);
    bench_conv(reps, 1);
    bench_lstm(reps);
    return 0;
}
