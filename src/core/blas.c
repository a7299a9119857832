/* The one file that includes cblas: gdl's matrix products and the OpenBLAS thread knob.
 *
 * OpenBLAS runs on one thread. A product large enough to gain from more is split here over
 * gdl's own threads, by blocks of rows or columns of C (whichever dimension is larger), each
 * block one single-threaded OpenBLAS call. So gdl's element-wise loops and its products share
 * one pool and never fight a second set of spinning threads for the cores. Every part stays
 * above OpenBLAS's small-matrix kernels; on its SkylakeX kernels an element of C then comes from
 * the same arithmetic whatever the split, but not on all: with its Zen kernels (OpenBLAS 0.3.21)
 * a 19,200 x 1,280 x 320 product done as 256-row calls differs from one call in the last bit of
 * 4% of the elements, so there the thread count (and the shape of a call) may move last bits. */
#include <cblas.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core_internal.h"
#include "gdl/core.h"

/* Each part of a split product keeps at least this many multiply-adds (wake-ups cost more
 * below, and OpenBLAS's small-matrix kernels would change the arithmetic). */
#define SPLIT_MIN_MACS ((int64_t)1 << 21)
#define SPLIT_UNIT 16 // rows or columns of C per unit of the split

typedef struct {
    int trans_a, trans_b, by_rows;
    int64_t M, N, K, lda, ldb, ldc;
    float alpha, beta;
    const float *A, *B;
    float *C;
} gemm_t;

static void gemm_call(const gemm_t *g, int64_t M, int64_t N, const float *A, const float *B, float *C)
{
    cblas_sgemm(CblasRowMajor, g->trans_a ? CblasTrans : CblasNoTrans,
                g->trans_b ? CblasTrans : CblasNoTrans, (blasint)M, (blasint)N, (blasint)g->K,
                g->alpha, A, (blasint)g->lda, B, (blasint)g->ldb, g->beta, C, (blasint)g->ldc);
}

/* units [begin, end) of the split dimension */
static void gemm_part(void *ctx, int64_t begin, int64_t end, int chunk)
{
    (void)chunk;
    const gemm_t *g = ctx;
    int64_t dim = g->by_rows ? g->M : g->N, lo = begin * SPLIT_UNIT;
    int64_t hi = end * SPLIT_UNIT < dim ? end * SPLIT_UNIT : dim;
    if (g->by_rows)
        gemm_call(g, hi - lo, g->N, g->A + (g->trans_a ? lo : lo * g->lda), g->B, g->C + lo * g->ldc);
    else
        gemm_call(g, g->M, hi - lo, g->A, g->B + (g->trans_b ? lo * g->ldb : lo), g->C + lo);
}

void gdl_sgemm(int trans_a, int trans_b, int64_t M, int64_t N, int64_t K, float alpha,
               const float *A, int64_t lda, const float *B, int64_t ldb, float beta,
               float *C, int64_t ldc)
{
    if (M == 0 || N == 0) return;
    if (K == 0) { // BLAS leaves C untouched when beta = 1 and K = 0; scale it ourselves
        for (int64_t i = 0; i < M; i++)
            for (int64_t j = 0; j < N; j++) C[i * ldc + j] = beta == 0.0f ? 0.0f : beta * C[i * ldc + j];
        return;
    }
    gemm_t g = {trans_a, trans_b, M >= N, M, N, K, lda, ldb, ldc, alpha, beta, A, B, C};
    int64_t units = ((g.by_rows ? M : N) + SPLIT_UNIT - 1) / SPLIT_UNIT, parts = gdl_threads_get();
    if (parts > units) parts = units;
    if (parts > 1 && !gdl_threads_in_loop() && M * N * K / parts >= SPLIT_MIN_MACS)
        gdl_parallel_for(units, gemm_part, &g);
    else
        gemm_call(&g, M, N, A, B, C);
}

void gdl_saxpy(int64_t n, float alpha, const float *x, float *y)
{
    cblas_saxpy((blasint)n, alpha, x, 1, y, 1);
}

float gdl_sdot(int64_t n, const float *x, const float *y) { return cblas_sdot((blasint)n, x, 1, y, 1); }

const char *gdl_blas_config(void) { return openblas_get_config(); }

/* OpenBLAS picks its kernels from the CPU model when it loads. A model newer than the library
 * (OpenBLAS 0.3.21 on Intel's Emerald Rapids, say) gets the SSE3 "Prescott" kernels, whose
 * sgemm runs 3-4x slower than the AVX-512 ones on the same machine. The only other way in is
 * OPENBLAS_CORETYPE, read at load time, so gdl restarts itself once with it naming the widest
 * kernels the CPU runs. A user's own OPENBLAS_CORETYPE is left alone. */
static const char *widest_kernels(void)
{
    __builtin_cpu_init();
    if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
        __builtin_cpu_supports("avx512dq") && __builtin_cpu_supports("avx512vl"))
        return "SkylakeX";
    if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) return "Haswell";
    return NULL;
}

/* 0 SSE or unknown, 1 AVX2, 2 AVX-512 */
static int kernel_width(const char *core)
{
    static const char *const avx2[] = {"Haswell", "Zen"};
    static const char *const avx512[] = {"SkylakeX", "Cooperlake", "SapphireRapids"};
    for (size_t i = 0; core && i < sizeof avx512 / sizeof *avx512; i++)
        if (strcmp(core, avx512[i]) == 0) return 2;
    for (size_t i = 0; core && i < sizeof avx2 / sizeof *avx2; i++)
        if (strcmp(core, avx2[i]) == 0) return 1;
    return 0;
}

const char *gdl_blas_wider_kernels(void)
{
    const char *want = widest_kernels();
    return want && kernel_width(openblas_get_corename()) < kernel_width(want) ? want : NULL;
}

void gdl_blas_pick_kernels(char *argv[])
{
    const char *want = widest_kernels();
    if (getenv("OPENBLAS_CORETYPE") || !want || kernel_width(openblas_get_corename()) > 0) return;
    if (setenv("OPENBLAS_CORETYPE", want, 1) == 0) execv("/proc/self/exe", argv);
    // no exec: carry on with the kernels OpenBLAS chose (slower, and correct)
}

/* OpenBLAS's pthreads build starts its own workers when it loads, and each spins on
 * sched_yield for about 2^28 cycles (~0.1 s) before it sleeps: at the start of every command,
 * most of a core taken from gdl's threads (a fifth of a 0.25 s BCF encode). gdl never gives
 * them work, so they are stopped. Only that build exports blas_thread_shutdown_ (weak: the
 * OpenMP and serial builds start no threads when they load). */
extern int blas_thread_shutdown_(void) __attribute__((weak));

void gdl_blas_single_thread(void)
{
    openblas_set_num_threads(1);
    if (blas_thread_shutdown_) blas_thread_shutdown_();
}
