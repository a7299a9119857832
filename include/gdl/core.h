/* core: logging, errors, aligned memory, tensors, GEMM, arena, threads, RNG, output files.
 *
 * Dimension letters used in comments: N batch, C channels, L length, M rows, K inner, T targets.
 * Library code never exits and never writes to stdout; it returns 0 / a negative code or NULL
 * and explains why through gdl_log_error(), which also records the message for the CLI. */
#ifndef GDL_CORE_H
#define GDL_CORE_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define GDL_VERSION "0.1.0"

/* ---- logging and the last error -------------------------------------------------------- */

enum { GDL_LOG_QUIET = 0, GDL_LOG_ERROR = 1, GDL_LOG_WARN = 2, GDL_LOG_INFO = 3, GDL_LOG_DEBUG = 4 };

void gdl_log_set_level(int level); // default GDL_LOG_WARN
int gdl_log_get_level(void);

/* Prints "[X::func] message" to stderr when the level allows. gdl_log_error() also stores the
 * message as the thread's last error, which the CLI prints as its one-line failure report;
 * the "[E::func]" trace itself is shown only at GDL_LOG_DEBUG, so a user sees one line. */
void gdl_log_msg(int level, const char *func, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
#define gdl_log_error(...) gdl_log_msg(GDL_LOG_ERROR, __func__, __VA_ARGS__)
#define gdl_log_warn(...) gdl_log_msg(GDL_LOG_WARN, __func__, __VA_ARGS__)
#define gdl_log_info(...) gdl_log_msg(GDL_LOG_INFO, __func__, __VA_ARGS__)
#define gdl_log_debug(...) gdl_log_msg(GDL_LOG_DEBUG, __func__, __VA_ARGS__)

const char *gdl_last_error(void); // "" when none; valid until the next error on this thread
void gdl_clear_error(void);

/* ---- memory ------------------------------------------------------------------------------- */

#define GDL_ALIGN 64 // cache line and AVX-512 width

void *gdl_malloc(size_t n); // GDL_ALIGN-aligned; NULL (and an error) on failure; free with gdl_free
void *gdl_calloc(size_t n); // as gdl_malloc, zero-filled
void gdl_free(void *p);
/* malloc'd a, b and c (or NULL) one after another: a path from a prefix and an extension, or a
 * directory, "/" and a name; NULL with an error when out of memory. Free with free(). */
char *gdl_str_join(const char *a, const char *b, const char *c);
/* Big arrays (parameters, gradients, scratch, metric columns): zero-filled, 2 MiB-aligned and
 * advised to use transparent huge pages (one page fault and one TLB entry per 2 MiB instead of
 * 512), and not in memory until first written, so a buffer never touched (a loaded model's
 * gradient in `gdl predict`) costs nothing. Below 2 MiB, gdl_calloc. NULL (and an error) on
 * failure; free with gdl_big_free(p, n), n as allocated. */
void *gdl_big_alloc(size_t n);
void gdl_big_free(void *p, size_t n);

/* Per-step scratch: a bump allocator over chained blocks. Reset makes every block reusable
 * without returning memory to the system, so a training step allocates nothing after the first. */
typedef struct gdl_arena_block_t gdl_arena_block_t;
typedef struct {
    gdl_arena_block_t *head;  // blocks in use, newest first
    size_t block_size;        // default size of a new block
    size_t used, peak;        // bytes handed out since reset, and the most ever
} gdl_arena_t;

void gdl_arena_init(gdl_arena_t *a, size_t block_size);
void *gdl_arena_alloc(gdl_arena_t *a, size_t n); // GDL_ALIGN-aligned, uninitialised; NULL on failure
float *gdl_arena_floats(gdl_arena_t *a, size_t n);
void gdl_arena_reset(gdl_arena_t *a);             // keeps the memory
void gdl_arena_free(gdl_arena_t *a);              // returns it

/* ---- tensors ------------------------------------------------------------------------------ */

#define GDL_MAX_DIMS 4

/* A float32 row-major tensor of 1..4 dimensions. `owner` says whether data is freed with it. */
typedef struct {
    int ndim;
    int64_t shape[GDL_MAX_DIMS];
    float *data;
    int owner;
} gdl_tensor_t;

/* New zero-filled tensor; NULL on a bad shape or no memory. Free with gdl_tensor_free. */
gdl_tensor_t *gdl_tensor_new(int ndim, const int64_t *shape);
gdl_tensor_t *gdl_tensor_new2(int64_t d0, int64_t d1);
/* A tensor header over memory someone else owns (arena, mapped file). */
gdl_tensor_t gdl_tensor_view(float *data, int ndim, const int64_t *shape);
void gdl_tensor_free(gdl_tensor_t *t);

int64_t gdl_tensor_numel(const gdl_tensor_t *t);
int gdl_tensor_same_shape(const gdl_tensor_t *a, const gdl_tensor_t *b);
/* Same data, new shape with the same element count; -1 on mismatch. */
int gdl_tensor_reshape(gdl_tensor_t *t, int ndim, const int64_t *shape);
/* "(64, 4, 1000)" into buf; returns buf. */
char *gdl_tensor_shape_str(const gdl_tensor_t *t, char *buf, size_t size);

void gdl_tensor_fill(gdl_tensor_t *t, float v);
int gdl_tensor_copy(gdl_tensor_t *dst, const gdl_tensor_t *src); // -1 on shape mismatch

/* ---- BLAS (the one place that includes cblas: src/core/blas.c) --------------------------- */

enum { GDL_NO_TRANS = 0, GDL_TRANS = 1 };

/* C (M,N) = alpha * op(A) (M,K) * op(B) (K,N) + beta * C, row-major with leading dimensions. */
void gdl_sgemm(int trans_a, int trans_b, int64_t M, int64_t N, int64_t K, float alpha,
               const float *A, int64_t lda, const float *B, int64_t ldb, float beta,
               float *C, int64_t ldc);
/* y = alpha * x + y */
void gdl_saxpy(int64_t n, float alpha, const float *x, float *y);
float gdl_sdot(int64_t n, const float *x, const float *y);

/* c = op(a) @ op(b) for 2-D tensors, c overwritten; -1 with an error naming both shapes
 * when they do not fit. */
int gdl_tensor_matmul(const gdl_tensor_t *a, int trans_a, const gdl_tensor_t *b, int trans_b,
                      gdl_tensor_t *c);

const char *gdl_blas_config(void); // OpenBLAS build string, with the kernels in use
/* First thing in main: when OpenBLAS fell back to kernels narrower than the CPU runs (a CPU
 * model newer than the library), re-executes the program with OPENBLAS_CORETYPE set to the
 * widest (SkylakeX for AVX-512, Haswell for AVX2); returns when there is nothing to do, when
 * OPENBLAS_CORETYPE is already set, or when the exec fails. */
void gdl_blas_pick_kernels(char *argv[]);
/* The widest kernels the CPU runs when those in use are narrower (an OPENBLAS_CORETYPE set by
 * the user or a module system: Haswell on an AVX-512 CPU, say), else NULL. */
const char *gdl_blas_wider_kernels(void);

/* ---- threads ------------------------------------------------------------------------------ */

/* One setting drives gdl's loops and its matrix products (OpenBLAS itself runs on one thread;
 * gdl_sgemm splits a large product over gdl's threads). */
/* The most threads gdl runs, and so the most chunks a gdl_parallel_for hands out: per-chunk
 * arrays are sized by it. -@ above it is a usage error. */
#define GDL_MAX_THREADS 256
/* n threads for gdl's loops and OpenBLAS; n <= 0: the cores this process may use (its CPU
 * affinity, bounded by a cgroup CPU quota: what Slurm or a container grants), at most
 * GDL_MAX_THREADS. */
void gdl_threads_set(int n);
/* The cores this process may use: its affinity mask's count, at most the cgroup v2 quota
 * (cpu.max) rounded up; at least 1. */
int gdl_cores_available(void);
int gdl_threads_get(void);

/* Splits [0, n) into gdl_threads_get() contiguous chunks (fewer when n is small) and calls
 * fn(ctx, begin, end, chunk_index) for each, in parallel. The split depends only on n and the
 * thread count, so a loop that writes per-chunk results is reproducible. */
typedef void (*gdl_range_fn)(void *ctx, int64_t begin, int64_t end, int chunk);
void gdl_parallel_for(int64_t n, gdl_range_fn fn, void *ctx);
/* 1 inside a chunk of gdl_parallel_for (where a nested loop runs serially). */
int gdl_threads_in_loop(void);

/* ---- random numbers ----------------------------------------------------------------------- */

/* xoshiro256** seeded through splitmix64 from (seed, stream): each stream is an independent,
 * reproducible sequence (one per fold, per layer's init, per data shuffle...). */
typedef struct { uint64_t s[4]; } gdl_rng_t;

void gdl_rng_init(gdl_rng_t *r, uint64_t seed, uint64_t stream);
uint64_t gdl_rng_u64(gdl_rng_t *r);
double gdl_rng_uniform(gdl_rng_t *r);             // [0, 1), 53 bits
uint64_t gdl_rng_below(gdl_rng_t *r, uint64_t n);  // uniform in [0, n), unbiased; n > 0
double gdl_rng_normal(gdl_rng_t *r);              // standard normal
void gdl_rng_shuffle(gdl_rng_t *r, int64_t *a, int64_t n); // Fisher-Yates

/* ---- progress on a terminal --------------------------------------------------------------- */

/* A bar redrawn on stderr (at most 5 times a second) while work of known size proceeds, when
 * stderr is a terminal and the log level is GDL_LOG_INFO or more; silent otherwise (HPC logs
 * get the callers' one-line summaries instead). */
typedef struct {
    char label[96];
    int64_t total;
    double t0, last;
    int on;
} gdl_progress_t;

void gdl_progress_begin(gdl_progress_t *p, const char *label, int64_t total);
/* done of total units; extra (or NULL) is shown after the count, e.g. "loss 0.53". */
void gdl_progress_update(gdl_progress_t *p, int64_t done, const char *extra);
void gdl_progress_end(gdl_progress_t *p); // clears the line
double gdl_seconds(void);                  // a monotonic clock

/* ---- output files written atomically ------------------------------------------------------ */

/* Writes go to "PATH.tmp.HOST.PID" and become PATH only on gdl_outfile_commit (after fflush and
 * fsync), so a failure never leaves a partial file under the final name. "-" is stdout. */
typedef struct {
    FILE *fp;
    char *path, *tmp; // tmp NULL for stdout
} gdl_outfile_t;

int gdl_outfile_open(gdl_outfile_t *o, const char *path); // 0, or -1 with an error
int gdl_outfile_commit(gdl_outfile_t *o);                 // 0, or -1 (the temp file removed)
void gdl_outfile_abort(gdl_outfile_t *o);                 // removes the temp file; no-op after commit
/* A commit in two steps, for outputs that take their final names together: close flushes, syncs
 * and closes under the temp name (0, or -1 with the temp file removed; stdout is done here);
 * then rename (0 or -1, the temp file removed) or abort. */
int gdl_outfile_close(gdl_outfile_t *o);
int gdl_outfile_rename(gdl_outfile_t *o);
/* Whether PATH's directory takes the file (a temp file is created there and removed), for a
 * command to check its outputs before any work: 0 (also for NULL and "-"), or -1 with the error
 * "DIR: cannot write NAME there: REASON" (read-only file system, permission, no such directory). */
int gdl_output_check(const char *path);
/* "PATH: write failed: REASON" (errno's, e.g. No space left on device) as the last error. */
void gdl_log_write_error(const char *path);

/* Temp-name helpers shared with the container writer. */
char *gdl_tmp_path(const char *path);                    // malloc'd "PATH.tmp.HOST.PID"
/* Removes PATH.tmp.HOST.PID files of this host whose process is gone (a run killed with
 * kill -9); temp files of live processes and of other hosts (a shared file system) stay.
 * Returns how many it removed (each said at GDL_LOG_INFO). */
int gdl_remove_stale_tmp(const char *path);
int gdl_fsync_rename(int fd, const char *tmp, const char *path); // fsync fd, rename; -1 on error

#endif
