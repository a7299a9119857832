/* The one file that includes cblas: gdl's matrix products and the OpenBLAS thread knob. */
#include <cblas.h>

#include "gdl/core.h"

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
    cblas_sgemm(CblasRowMajor, trans_a ? CblasTrans : CblasNoTrans,
                trans_b ? CblasTrans : CblasNoTrans, (blasint)M, (blasint)N, (blasint)K, alpha, A,
                (blasint)lda, B, (blasint)ldb, beta, C, (blasint)ldc);
}

void gdl_saxpy(int64_t n, float alpha, const float *x, float *y)
{
    cblas_saxpy((blasint)n, alpha, x, 1, y, 1);
}

float gdl_sdot(int64_t n, const float *x, const float *y) { return cblas_sdot((blasint)n, x, 1, y, 1); }

const char *gdl_blas_config(void) { return openblas_get_config(); }

void gdl_blas_set_threads(int n); // threads.c calls this; declared here to keep cblas out of it
void gdl_blas_set_threads(int n) { openblas_set_num_threads(n); }
