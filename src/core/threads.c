/* The thread setting, and a static-split parallel loop for gdl's own kernels and for the
 * matrix products (blas.c splits a large GEMM over this pool and runs OpenBLAS on one thread,
 * so gdl's threads and OpenBLAS's never compete for the cores).
 *
 * Workers are created once. Between loops a worker first spins for a few tens of microseconds
 * (back-to-back loops, as a network's layers make, then cost no wake-up), then sleeps on a
 * condition variable. Chunk i of a loop always covers the same range, so per-chunk results are
 * reproducible for a given thread count. A loop started from inside a chunk runs serially on
 * that thread (no nested parallelism, no deadlock). */
#define _GNU_SOURCE // sched_getaffinity, CPU_COUNT
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <stdlib.h>
#include <immintrin.h>
#include <unistd.h>

#include "core_internal.h"
#include "gdl/core.h"


#define MAX_THREADS GDL_MAX_THREADS

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

/* Polls of a waiting thread before it sleeps: ~30 us of pause instructions. */
#define SPIN_POLLS 4096

static unsigned long load_generation(void) { return __atomic_load_n(&pool.generation, __ATOMIC_ACQUIRE); }

/* Spins until pool.generation moves past seen or the polls run out; 1 if it moved. */
static int spin_for_loop(unsigned long seen)
{
    for (int i = 0; i < SPIN_POLLS; i++) {
        if (load_generation() != seen || __atomic_load_n(&pool.shutdown, __ATOMIC_ACQUIRE)) return 1;
        _mm_pause();
    }
    return 0;
}

int gdl_threads_in_loop(void) { return in_loop; }

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
        if (!pool.shutdown && pool.generation == seen) {
            pthread_mutex_unlock(&pool.lock);
            spin_for_loop(seen);
            pthread_mutex_lock(&pool.lock);
        }
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
        if (__atomic_sub_fetch(&pool.pending, 1, __ATOMIC_RELEASE) == 0) pthread_cond_signal(&pool.done);
    }
    pthread_mutex_unlock(&pool.lock);
    return NULL;
}

static void stop_workers(void)
{
    pthread_mutex_lock(&pool.lock);
    __atomic_store_n(&pool.shutdown, 1, __ATOMIC_RELEASE);
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

/* The cgroup v2 CPU quota of this process ("max" or "QUOTA PERIOD" in cpu.max), rounded up;
 * 0 when there is none or it cannot be read. */
static int cgroup_cpus(void)
{
    char path[512] = "/sys/fs/cgroup", line[256];
    FILE *fp = fopen("/proc/self/cgroup", "r");
    if (fp) { // "0::/slurm/uid_1/job_2": the process's own cgroup under the v2 mount
        while (fgets(line, sizeof line, fp))
            if (!strncmp(line, "0::", 3)) {
                line[strcspn(line, "\n")] = 0;
                if (strcmp(line + 3, "/")) snprintf(path, sizeof path, "/sys/fs/cgroup%s", line + 3);
            }
        fclose(fp);
    }
    strncat(path, "/cpu.max", sizeof path - strlen(path) - 1);
    long long quota = 0, period = 0;
    if (!(fp = fopen(path, "r"))) return 0;
    int got = fscanf(fp, "%lld %lld", &quota, &period);
    fclose(fp);
    return got == 2 && quota > 0 && period > 0 ? (int)((quota + period - 1) / period) : 0;
}

int gdl_cores_available(void)
{
    cpu_set_t set;
    long n = sched_getaffinity(0, sizeof set, &set) == 0 ? CPU_COUNT(&set) : sysconf(_SC_NPROCESSORS_ONLN);
    int quota = cgroup_cpus();
    if (quota > 0 && quota < n) n = quota;
    return n > 0 ? (int)n : 1;
}

void gdl_threads_set(int n)
{
    if (n <= 0) n = gdl_cores_available();
    if (n > MAX_THREADS) n = MAX_THREADS;
    pthread_mutex_lock(&pool.caller);
    if (pool.n_workers > n - 1) stop_workers(); // restarted lazily at the new size
    pool.n_threads = n;
    pthread_mutex_unlock(&pool.caller);
    gdl_blas_single_thread();
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
    __atomic_store_n(&pool.generation, pool.generation + 1, __ATOMIC_RELEASE);
    pthread_cond_broadcast(&pool.wake);
    pthread_mutex_unlock(&pool.lock);
    run_chunk(0, k, n, fn, ctx);
    for (int i = 0; i < SPIN_POLLS && __atomic_load_n(&pool.pending, __ATOMIC_ACQUIRE) > 0; i++) _mm_pause();
    pthread_mutex_lock(&pool.lock);
    while (pool.pending > 0) pthread_cond_wait(&pool.done, &pool.lock);
    pthread_mutex_unlock(&pool.lock);
    pthread_mutex_unlock(&pool.caller);
}
