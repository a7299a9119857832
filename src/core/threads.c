/* The thread setting, and a static-split parallel loop for gdl's own kernels. */
#include <pthread.h>
#include <stdlib.h>
#include <unistd.h>

#include "gdl/core.h"

void gdl_blas_set_threads(int n); // blas.c

static int n_threads = 1;

void gdl_threads_set(int n)
{
    if (n <= 0) {
        long cores = sysconf(_SC_NPROCESSORS_ONLN);
        n = cores > 0 ? (int)cores : 1;
    }
    n_threads = n;
    gdl_blas_set_threads(n);
}

int gdl_threads_get(void) { return n_threads; }

typedef struct {
    gdl_range_fn fn;
    void *ctx;
    int64_t begin, end;
    int chunk;
} range_job_t;

static void *run_job(void *arg)
{
    range_job_t *j = arg;
    j->fn(j->ctx, j->begin, j->end, j->chunk);
    return NULL;
}

void gdl_parallel_for(int64_t n, gdl_range_fn fn, void *ctx)
{
    int k = n_threads;
    if (n <= 0) return;
    if (k > n) k = (int)n;
    if (k <= 1) {
        fn(ctx, 0, n, 0);
        return;
    }
    range_job_t jobs[64];
    pthread_t tid[64];
    int started[64] = {0};
    if (k > 64) k = 64;
    for (int i = 0; i < k; i++)
        jobs[i] = (range_job_t){fn, ctx, n * i / k, n * (i + 1) / k, i};
    // chunk 0 runs on the calling thread; a chunk whose thread cannot start runs here too
    for (int i = 1; i < k; i++) started[i] = pthread_create(&tid[i], NULL, run_job, &jobs[i]) == 0;
    run_job(&jobs[0]);
    for (int i = 1; i < k; i++) {
        if (started[i]) pthread_join(tid[i], NULL);
        else run_job(&jobs[i]);
    }
}

void gdl_parallel_for_blas1(int64_t n, gdl_range_fn fn, void *ctx)
{
    if (n_threads <= 1) {
        gdl_parallel_for(n, fn, ctx);
        return;
    }
    gdl_blas_set_threads(1);
    gdl_parallel_for(n, fn, ctx);
    gdl_blas_set_threads(n_threads);
}
