/* Sparse batches (CSR) built over the threads in one pass (see gdl_csr_build in gdl/dataset.h): a
 * count pass first, to give each row its final place, would read every input row twice. */
#include <stdlib.h>
#include <string.h>

#include "gdl/core.h"
#include "gdl/dataset.h"

/* Room for at least need values in p; 0 or -1. */
static int part_room(gdl_csr_part_t *p, int64_t need)
{
    if (need <= p->cap) return 0;
    int64_t cap = p->cap * 2 > need ? p->cap * 2 : need;
    int32_t *col = realloc(p->col, (size_t)cap * sizeof *col);
    if (col) p->col = col;
    float *val = realloc(p->val, (size_t)cap * sizeof *val);
    if (val) p->val = val;
    if (!col || !val) return -1;
    p->cap = cap;
    return 0;
}

typedef struct {
    gdl_csr_t *c;
    int64_t room;
    gdl_csr_row_fn fn;
    void *ctx;
    int failed;
} build_t;

/* rows [begin, end) at the end of the thread's part; c->row[i + 1] = row i's count */
static void build_rows(void *ctx, int64_t begin, int64_t end, int chunk)
{
    build_t *b = ctx;
    gdl_csr_part_t *p = &b->c->part[chunk];
    p->begin = begin, p->end = end, p->used = 0;
    for (int64_t i = begin; i < end; i++) {
        if (part_room(p, p->used + b->room) != 0) {
            __atomic_store_n(&b->failed, 1, __ATOMIC_RELAXED);
            return;
        }
        int64_t k = b->fn(b->ctx, i, p->col + p->used, p->val + p->used);
        b->c->row[i + 1] = k;
        p->used += k;
    }
}

typedef struct {
    gdl_csr_t *c;
    int parts; // in this build
} copy_t;

/* pieces [begin, end) of the parts after the first, each part in `parts` pieces, copied in after
 * the rows before them: over the threads, since the batch's arrays may be fresh memory, whose
 * first touch costs more than the copy */
static void copy_in(void *ctx, int64_t begin, int64_t end, int chunk)
{
    (void)chunk;
    const copy_t *cp = ctx;
    gdl_csr_t *c = cp->c;
    for (int64_t q = begin; q < end; q++) {
        const gdl_csr_part_t *p = &c->part[1 + q / cp->parts];
        int64_t piece = q % cp->parts, lo = p->used * piece / cp->parts, hi = p->used * (piece + 1) / cp->parts;
        if (hi == lo) continue;
        int64_t at = c->row[p->begin] + lo;
        memcpy(c->col + at, p->col + lo, (size_t)(hi - lo) * sizeof *c->col);
        memcpy(c->val + at, p->val + lo, (size_t)(hi - lo) * sizeof *c->val);
    }
}

int gdl_csr_build(gdl_csr_t *c, int64_t n, int64_t room, gdl_csr_row_fn fn, void *ctx)
{
    int parts = gdl_threads_get();
    if (parts > c->n_part) {
        gdl_csr_part_t *part = realloc(c->part, (size_t)parts * sizeof *part);
        if (!part) goto oom;
        memset(part + c->n_part, 0, (size_t)(parts - c->n_part) * sizeof *part);
        c->part = part, c->n_part = parts;
    }
    if (n + 1 > c->row_cap) {
        int64_t *row = realloc(c->row, (size_t)(n + 1) * sizeof *row);
        if (!row) goto oom;
        c->row = row, c->row_cap = n + 1;
    }
    for (int t = 0; t < c->n_part; t++) c->part[t].begin = c->part[t].end = c->part[t].used = 0;
    gdl_csr_part_t *first = &c->part[0];
    first->col = c->col, first->val = c->val, first->cap = c->cap;
    build_t b = {c, room, fn, ctx, 0};
    gdl_parallel_for(n, build_rows, &b);
    int failed = b.failed;
    int64_t *row = c->row;
    row[0] = 0;
    for (int64_t i = 0; i < n && !failed; i++) row[i + 1] += row[i];
    if (!failed) failed = part_room(first, row[n]);
    c->col = first->col, c->val = first->val, c->cap = first->cap;
    first->col = NULL, first->val = NULL, first->cap = 0;
    if (failed) goto oom;
    copy_t cp = {c, parts};
    gdl_parallel_for((int64_t)(parts - 1) * parts, copy_in, &cp);
    return 0;
oom:
    gdl_log_error("out of memory");
    return -1;
}

void gdl_csr_free(gdl_csr_t *c)
{
    for (int t = 1; t < c->n_part; t++) free(c->part[t].col), free(c->part[t].val);
    free(c->part);
    free(c->row);
    free(c->col);
    free(c->val);
    memset(c, 0, sizeof *c);
}

typedef struct {
    const float *x;
    int64_t V;
} dense_rows_t;

/* row i of dense x's non-zeros (gdl_csr_build's fn). Most of a genotype row is 0: a run of 16
 * zeros (or -0) is passed over after one test of their bits; within a run that holds a value,
 * each place is written and k moves past the values (k never passes j, within the row's room). */
static int64_t nonzeros(void *ctx, int64_t i, int32_t *col, float *val)
{
    const dense_rows_t *d = ctx;
    const float *xi = d->x + i * d->V;
    int64_t k = 0, j = 0;
    for (; j + 16 <= d->V; j += 16) {
        uint32_t bits[16], any = 0;
        memcpy(bits, xi + j, sizeof bits);
        for (int q = 0; q < 16; q++) any |= bits[q] << 1; // the sign bit shifted out
        if (!any) continue;
        for (int q = 0; q < 16; q++) col[k] = (int32_t)(j + q), val[k] = xi[j + q], k += xi[j + q] != 0;
    }
    for (; j < d->V; j++)
        if (xi[j] != 0) col[k] = (int32_t)j, val[k++] = xi[j];
    return k;
}

int gdl_csr_from_dense(gdl_csr_t *c, const float *x, int64_t n, int64_t V)
{
    dense_rows_t d = {x, V};
    return gdl_csr_build(c, n, V, nonzeros, &d);
}
