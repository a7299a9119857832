/* The thread setting, and a static-split parallel loop for gdl's own kernels.
 *
 * Workers are created once and sleep on a condition variable between loops, so a parallel loop
 * costs a wake-up, not a thread creation. Chunk i of a loop always covers the same range, so
 * per-chunk results are reproducible for a given thread count. A loop started from inside a
 * chunk runs serially on that thread (no nested parallelism, no deadlock). */
#include <pthread.h>
#include <stdlib.h>
#include <unistd.h>

#include "gdl/core.h"

void gdl_blas_set_threads(int n); // blas.c

#define MAX_THREADS 256

static struct {
    pthread_mutex_t lock;    // guards everything below
    pthread_cond_t wake;     // a new loop (or shutdown) for the workers
    pthread_cond_t done;     // the last chunk of a loop finished
    pthread_mutex_t caller;  // one loop at a time
    int n_threads;           // the setting
    int n_workers;           // started workers (chunks 1..n_workers)
    pthread_t tid[MAX_THREADS];
    unsigned long born[MAX_THREADS]; // the generation current when each worker was started
    unsigned long generation;
    int pending, shutdown;
    gdl_range_fn fn;
    void *ctx;
    int64_t n;
    int k;                   // chunks in the current loop
} pool = {PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, PTHREAD_COND_INITIALIZER,
          PTHREAD_MUTEX_INITIALIZER, 1, 0, {0}, {0}, 0, 0, 0, NULL, NULL, 0, 0};

static _Thread_local int in_loop;

static void run_chunk(int i, int k, int64_t n, gdl_range_fn fn, void *ctx)
{
    in_loop = 1;
    fn(ctx, n * i / k, n * (i + 1) / k, i);
    in_loop = 0;
}

static void *worker(void *arg)
{
    int id = (int)(intptr_t)arg; // chunk index this worker runs
    pthread_mutex_lock(&pool.lock);
    unsigned long seen = pool.born[id]; // loops before this worker existed are not its own
    for (;;) {
        while (!pool.shutdown && pool.generation == seen) pthread_cond_wait(&pool.wake, &pool.lock);
        if (pool.shutdown) break;
        seen = pool.generation;
        if (id >= pool.k) continue; // this loop has fewer chunks than workers
        gdl_range_fn fn = pool.fn;
        void *ctx = pool.ctx;
        int64_t n = pool.n;
        int k = pool.k;
        pthread_mutex_unlock(&pool.lock);
        run_chunk(id, k, n, fn, ctx);
        pthread_mutex_lock(&pool.lock);
        if (--pool.pending == 0) pthread_cond_signal(&pool.done);
    }
    pthread_mutex_unlock(&pool.lock);
    return NULL;
}

static void stop_workers(void)
{
    pthread_mutex_lock(&pool.lock);
    pool.shutdown = 1;
    pthread_cond_broadcast(&pool.wake);
    pthread_mutex_unlock(&pool.lock);
    for (int i = 1; i <= pool.n_workers; i++) pthread_join(pool.tid[i], NULL);
    pool.n_workers = 0;
    pool.shutdown = 0;
}

/* Starts workers up to want; returns how many run (a failed pthread_create leaves fewer). */
static int start_workers(int want)
{
    while (pool.n_workers < want) {
        int id = pool.n_workers + 1;
        pool.born[id] = pool.generation; // callers hold pool.caller: no loop is being posted
        if (pthread_create(&pool.tid[id], NULL, worker, (void *)(intptr_t)id) != 0) break;
        pool.n_workers++;
    }
    return pool.n_workers;
}

void gdl_threads_set(int n)
{
    if (n <= 0) {
        long cores = sysconf(_SC_NPROCESSORS_ONLN);
        n = cores > 0 ? (int)cores : 1;
    }
    if (n > MAX_THREADS) n = MAX_THREADS;
    pthread_mutex_lock(&pool.caller);
    if (pool.n_workers > n - 1) stop_workers(); // restarted lazily at the new size
    pool.n_threads = n;
    pthread_mutex_unlock(&pool.caller);
    gdl_blas_set_threads(n);
}

int gdl_threads_get(void) { return pool.n_threads; }

void gdl_parallel_for(int64_t n, gdl_range_fn fn, void *ctx)
{
    if (n <= 0) return;
    int k = pool.n_threads;
    if (k > n) k = (int)n;
    if (k <= 1 || in_loop) {
        fn(ctx, 0, n, 0);
        return;
    }
    pthread_mutex_lock(&pool.caller);
    if (start_workers(k - 1) < k - 1) k = pool.n_workers + 1;
    pthread_mutex_lock(&pool.lock);
    pool.fn = fn, pool.ctx = ctx, pool.n = n, pool.k = k;
    pool.pending = k - 1;
    pool.generation++;
    pthread_cond_broadcast(&pool.wake);
    pthread_mutex_unlock(&pool.lock);
    run_chunk(0, k, n, fn, ctx);
    pthread_mutex_lock(&pool.lock);
    while (pool.pending > 0) pthread_cond_wait(&pool.done, &pool.lock);
    pthread_mutex_unlock(&pool.lock);
    pthread_mutex_unlock(&pool.caller);
}

void gdl_parallel_for_blas1(int64_t n, gdl_range_fn fn, void *ctx)
{
    if (pool.n_threads <= 1) {
        gdl_parallel_for(n, fn, ctx);
        return;
    }
    gdl_blas_set_threads(1);
    gdl_parallel_for(n, fn, ctx);
    gdl_blas_set_threads(pool.n_threads);
}
