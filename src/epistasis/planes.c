/* Bit planes of a cohort's genotypes for the pair scan (epi_internal.h), and the 3 x 3 x 2 table
 * of a pair from them: four AND + popcount sums per class give the cells where both variants
 * carry ALT copies; the rest follows from each variant's set-bit counts, corrected by the
 * (rare) calls the other variant misses, so a pair never reads a missing plane. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "epi_internal.h"
#include "gdl/core.h"

typedef struct {
    uint32_t v, k, pos; // scanned variant, class, position among the class's samples
} miss_t;

typedef struct {
    miss_t *e;
    int64_t n, cap;
    int failed;
} miss_list_t;

typedef struct {
    epi_planes_t *p;
    const gdl_genotypes_t *g;
    const int64_t *rows[2]; // (S) dataset rows of each class's samples
    miss_list_t *lists;     // one per chunk
} build_t;

static int miss_push(miss_list_t *l, uint32_t v, uint32_t k, uint32_t pos)
{
    if (l->n == l->cap) {
        int64_t cap = l->cap ? 2 * l->cap : 1024;
        miss_t *e = realloc(l->e, (size_t)cap * sizeof *e);
        if (!e) return l->failed = -1;
        l->e = e, l->cap = cap;
    }
    l->e[l->n++] = (miss_t){v, k, pos};
    return 0;
}

static inline uint64_t *plane(const epi_planes_t *p, int64_t v, int k, int hom)
{
    int64_t off = k == 0 ? (hom ? p->words[0] : 0) : 2 * p->words[0] + (hom ? p->words[1] : 0);
    return p->bits + v * p->stride + off;
}

/* Variants [begin, end) word by word: 64 samples' rows stay in cache while their calls for
 * every variant of the range are read. */
static void build_range(void *ctx, int64_t begin, int64_t end, int chunk)
{
    build_t *b = ctx;
    epi_planes_t *p = b->p;
    const gdl_genotypes_t *g = b->g;
    miss_list_t *l = &b->lists[chunk];
    for (int k = 0; k < 2; k++)
        for (int64_t w = 0; w < p->words[k]; w++) {
            int64_t s0 = w * 64, s1 = s0 + 64 < p->samples[k] ? s0 + 64 : p->samples[k];
            const uint8_t *row[64];
            for (int64_t s = s0; s < s1; s++) row[s - s0] = g->packed + b->rows[k][s] * g->row_bytes;
            for (int64_t v = begin; v < end; v++) {
                int64_t j = p->column[v];
                uint64_t het = 0, hom = 0;
                for (int64_t s = s0; s < s1; s++) {
                    int c = gdl_geno_code(row[s - s0], j);
                    uint64_t bit = 1ull << (s - s0);
                    if (c == 1) het |= bit;
                    else if (c == 2) hom |= bit;
                    else if (c == 3) miss_push(l, (uint32_t)v, (uint32_t)k, (uint32_t)s);
                }
                plane(p, v, k, 0)[w] = het, plane(p, v, k, 1)[w] = hom;
            }
        }
}

int epi_planes_build(epi_planes_t *p, const gdl_dataset_t *d, int t, const int64_t *columns, int64_t n)
{
    const gdl_genotypes_t *g = d->geno;
    int64_t N = d->n_examples, *rows = NULL;
    int nt = gdl_threads_get();
    build_t b = {.p = p, .g = g};
    memset(p, 0, sizeof *p);
    p->n_variants = n;
    if (!(rows = malloc((size_t)(N ? N : 1) * sizeof *rows)) ||
        !(p->column = malloc((size_t)(n ? n : 1) * sizeof *p->column)) ||
        !(b.lists = calloc((size_t)nt, sizeof *b.lists)))
        goto oom;
    memcpy(p->column, columns, (size_t)n * sizeof *columns);
    for (int k = 0, m = 0; k < 2; k++) { // controls first, then cases, each in dataset order
        b.rows[k] = rows + m;
        for (int64_t i = 0; i < N; i++)
            if (d->labels[i * d->n_targets + t] == (float)k) rows[m++] = i, p->samples[k]++;
    }
    for (int k = 0; k < 2; k++) p->words[k] = (p->samples[k] + 63) / 64;
    p->stride = 2 * (p->words[0] + p->words[1]);
    if (!(p->bits = gdl_malloc((size_t)(n * p->stride + 1) * sizeof *p->bits)) ||
        !(p->count = malloc((size_t)(n ? n : 1) * sizeof *p->count)) ||
        !(p->miss_start = calloc((size_t)(2 * n + 1), sizeof *p->miss_start)))
        goto oom;
    gdl_parallel_for(n, build_range, &b);
    int64_t total = 0;
    for (int c = 0; c < nt; c++) {
        if (b.lists[c].failed) goto oom;
        total += b.lists[c].n;
    }
    if (!(p->miss = malloc((size_t)(total ? total : 1) * sizeof *p->miss))) goto oom;
    // counting sort by (variant, class); each chunk's entries of one (v, k) come in position order
    for (int c = 0; c < nt; c++)
        for (int64_t e = 0; e < b.lists[c].n; e++) p->miss_start[2 * b.lists[c].e[e].v + b.lists[c].e[e].k + 1]++;
    for (int64_t x = 0; x < 2 * n; x++) p->miss_start[x + 1] += p->miss_start[x];
    int64_t *fill = malloc((size_t)(2 * n + 1) * sizeof *fill);
    if (!fill) goto oom;
    memcpy(fill, p->miss_start, (size_t)(2 * n + 1) * sizeof *fill);
    for (int c = 0; c < nt; c++)
        for (int64_t e = 0; e < b.lists[c].n; e++) {
            const miss_t *m = &b.lists[c].e[e];
            p->miss[fill[2 * m->v + m->k]++] = m->pos;
        }
    free(fill);
    for (int64_t v = 0; v < n; v++)
        for (int k = 0; k < 2; k++)
            for (int h = 0; h < 2; h++) {
                const uint64_t *x = plane(p, v, k, h);
                uint32_t c = 0;
                for (int64_t w = 0; w < p->words[k]; w++) c += (uint32_t)__builtin_popcountll(x[w]);
                p->count[v][k][h] = c;
            }
    for (int c = 0; c < nt; c++) free(b.lists[c].e);
    free(b.lists), free(rows);
    return 0;
oom:
    gdl_log_error("out of memory for the bit planes of %lld variants x %lld samples", (long long)n, (long long)N);
    if (b.lists)
        for (int c = 0; c < nt; c++) free(b.lists[c].e);
    free(b.lists), free(rows);
    epi_planes_free(p);
    return -1;
}

void epi_planes_free(epi_planes_t *p)
{
    free(p->column), gdl_free(p->bits), free(p->count), free(p->miss_start), free(p->miss);
    memset(p, 0, sizeof *p);
}

/* The products loop, built twice: with the popcnt instruction where the CPU has it (chosen at
 * run time, as the binary is built for any x86-64), and portable. */
#define PRODUCTS_BODY                                                                             \
    uint32_t s0 = 0, s1 = 0, s2 = 0, s3 = 0;                                                      \
    for (int64_t w = 0; w < W; w++) {                                                             \
        uint64_t x1 = a1[w], x2 = a2[w], y1 = b1[w], y2 = b2[w];                                  \
        s0 += (uint32_t)__builtin_popcountll(x1 & y1), s1 += (uint32_t)__builtin_popcountll(x1 & y2); \
        s2 += (uint32_t)__builtin_popcountll(x2 & y1), s3 += (uint32_t)__builtin_popcountll(x2 & y2); \
    }                                                                                             \
    out[0] = s0, out[1] = s1, out[2] = s2, out[3] = s3;

#if defined(__x86_64__) && defined(__GNUC__)
__attribute__((target("popcnt"))) static void products_popcnt(const uint64_t *a1, const uint64_t *a2,
                                                               const uint64_t *b1, const uint64_t *b2,
                                                               int64_t W, uint32_t out[4])
{
    PRODUCTS_BODY
}
#endif

static void products_portable(const uint64_t *a1, const uint64_t *a2, const uint64_t *b1,
                              const uint64_t *b2, int64_t W, uint32_t out[4])
{
    PRODUCTS_BODY
}

void epi_planes_products(const epi_planes_t *p, int64_t va, int64_t vb, int k, uint32_t out[4])
{
    const uint64_t *a1 = plane(p, va, k, 0), *a2 = plane(p, va, k, 1);
    const uint64_t *b1 = plane(p, vb, k, 0), *b2 = plane(p, vb, k, 1);
#if defined(__x86_64__) && defined(__GNUC__)
    static int has_popcnt = -1;
    if (has_popcnt < 0) has_popcnt = __builtin_cpu_supports("popcnt") ? 1 : 0;
    if (has_popcnt) {
        products_popcnt(a1, a2, b1, b2, p->words[k], out);
        return;
    }
#endif
    products_portable(a1, a2, b1, b2, p->words[k], out);
}

static inline int bit(const uint64_t *x, uint32_t s)
{
    return (int)((x[s >> 6] >> (s & 63)) & 1);
}

void epi_planes_complete(const epi_planes_t *p, int64_t va, int64_t vb, int k, const uint32_t prod[4],
                         uint32_t n[3][3])
{
    const uint32_t *ma = p->miss + p->miss_start[2 * va + k], *mb = p->miss + p->miss_start[2 * vb + k];
    int64_t na = p->miss_start[2 * va + k + 1] - p->miss_start[2 * va + k];
    int64_t nb = p->miss_start[2 * vb + k + 1] - p->miss_start[2 * vb + k];
    uint32_t r1 = p->count[va][k][0], r2 = p->count[va][k][1]; // a's margins over the called at both
    uint32_t c1 = p->count[vb][k][0], c2 = p->count[vb][k][1];
    int64_t both = 0;
    if (nb) {
        const uint64_t *h = plane(p, va, k, 0), *o = plane(p, va, k, 1);
        for (int64_t x = 0; x < nb; x++) r1 -= (uint32_t)bit(h, mb[x]), r2 -= (uint32_t)bit(o, mb[x]);
    }
    if (na) {
        const uint64_t *h = plane(p, vb, k, 0), *o = plane(p, vb, k, 1);
        for (int64_t x = 0; x < na; x++) c1 -= (uint32_t)bit(h, ma[x]), c2 -= (uint32_t)bit(o, ma[x]);
        for (int64_t x = 0, y = 0; x < na && y < nb;) { // both sorted
            if (ma[x] == mb[y]) both++, x++, y++;
            else if (ma[x] < mb[y]) x++;
            else y++;
        }
    }
    uint32_t S = (uint32_t)(p->samples[k] - na - nb + both);
    n[1][1] = prod[0], n[1][2] = prod[1], n[2][1] = prod[2], n[2][2] = prod[3];
    n[1][0] = r1 - prod[0] - prod[1], n[2][0] = r2 - prod[2] - prod[3];
    n[0][1] = c1 - prod[0] - prod[2], n[0][2] = c2 - prod[1] - prod[3];
    n[0][0] = S - r1 - r2 - n[0][1] - n[0][2];
}

void epi_planes_table(const epi_planes_t *p, int64_t va, int64_t vb, uint32_t n[2][3][3])
{
    for (int k = 0; k < 2; k++) {
        uint32_t prod[4];
        epi_planes_products(p, va, vb, k, prod);
        epi_planes_complete(p, va, vb, k, prod, n[k]);
    }
}
