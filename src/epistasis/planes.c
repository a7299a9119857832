/* Bit planes of a cohort's genotypes for the pair scan (epi_internal.h), and the 3 x 3 x 2 table
 * of a pair from them: four AND + popcount sums per class give the cells where both variants
 * carry ALT copies; the rest follows from each variant's set-bit counts, corrected by the
 * (rare) calls the other variant misses, looked up bit by bit. */
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

/* Plane h (0 het, 1 hom, 2 missing) of class k of scanned variant v. */
static inline uint64_t *plane(const epi_planes_t *p, int64_t v, int k, int h)
{
    int64_t W0 = p->words[0], W1 = p->words[1];
    int64_t off = h == 2 ? 2 * (W0 + W1) + (k ? W0 : 0) : k == 0 ? h * W0 : 2 * W0 + h * W1;
    return p->bits + v * p->stride + off;
}

/* The products loop in three builds, the widest the CPU has chosen at run time (the binary is
 * built for any x86-64): AVX-512 VPOPCNTDQ (8 words an instruction), AVX2 (a nibble lookup with
 * vpshufb, summed with vpsadbw), and scalar popcount. All count the same bits. */
#define PRODUCTS_SCALAR(from)                                                                     \
    for (int64_t t = (from); t < W; t++) {                                                        \
        uint64_t x1 = a1[t], x2 = a2[t], y1 = b1[t], y2 = b2[t];                                  \
        s0 += (uint32_t)__builtin_popcountll(x1 & y1), s1 += (uint32_t)__builtin_popcountll(x1 & y2); \
        s2 += (uint32_t)__builtin_popcountll(x2 & y1), s3 += (uint32_t)__builtin_popcountll(x2 & y2); \
    }                                                                                             \
    out[0] = s0, out[1] = s1, out[2] = s2, out[3] = s3;

typedef void (*products_fn)(const uint64_t *a1, const uint64_t *a2, const uint64_t *b1, const uint64_t *b2,
                            int64_t W, uint32_t out[4]);

static void products_portable(const uint64_t *a1, const uint64_t *a2, const uint64_t *b1,
                              const uint64_t *b2, int64_t W, uint32_t out[4])
{
    uint32_t s0 = 0, s1 = 0, s2 = 0, s3 = 0;
    PRODUCTS_SCALAR(0)
}

#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>

__attribute__((target("popcnt"))) static void products_popcnt(const uint64_t *a1, const uint64_t *a2,
                                                               const uint64_t *b1, const uint64_t *b2,
                                                               int64_t W, uint32_t out[4])
{
    uint32_t s0 = 0, s1 = 0, s2 = 0, s3 = 0;
    PRODUCTS_SCALAR(0)
}

__attribute__((target("avx2,popcnt"))) static inline __m256i popcount_bytes(__m256i v)
{
    const __m256i table = _mm256_setr_epi8(0, 1, 1, 2, 1, 2, 2, 3, 1, 2, 2, 3, 2, 3, 3, 4,
                                           0, 1, 1, 2, 1, 2, 2, 3, 1, 2, 2, 3, 2, 3, 3, 4);
    const __m256i low = _mm256_set1_epi8(0x0f);
    __m256i lo = _mm256_and_si256(v, low), hi = _mm256_and_si256(_mm256_srli_epi16(v, 4), low);
    return _mm256_add_epi8(_mm256_shuffle_epi8(table, lo), _mm256_shuffle_epi8(table, hi));
}

__attribute__((target("avx2,popcnt"))) static void products_avx2(const uint64_t *a1, const uint64_t *a2,
                                                                  const uint64_t *b1, const uint64_t *b2,
                                                                  int64_t W, uint32_t out[4])
{
    __m256i acc[4] = {_mm256_setzero_si256(), _mm256_setzero_si256(), _mm256_setzero_si256(), _mm256_setzero_si256()};
    const __m256i zero = _mm256_setzero_si256();
    int64_t w = 0;
    while (w + 4 <= W) { // byte counts reach at most 8 per vector step: sum 31 steps at a time
        __m256i c[4] = {zero, zero, zero, zero};
        for (int step = 0; step < 31 && w + 4 <= W; step++, w += 4) {
            __m256i x1 = _mm256_loadu_si256((const __m256i *)(a1 + w)), x2 = _mm256_loadu_si256((const __m256i *)(a2 + w));
            __m256i y1 = _mm256_loadu_si256((const __m256i *)(b1 + w)), y2 = _mm256_loadu_si256((const __m256i *)(b2 + w));
            c[0] = _mm256_add_epi8(c[0], popcount_bytes(_mm256_and_si256(x1, y1)));
            c[1] = _mm256_add_epi8(c[1], popcount_bytes(_mm256_and_si256(x1, y2)));
            c[2] = _mm256_add_epi8(c[2], popcount_bytes(_mm256_and_si256(x2, y1)));
            c[3] = _mm256_add_epi8(c[3], popcount_bytes(_mm256_and_si256(x2, y2)));
        }
        for (int q = 0; q < 4; q++) acc[q] = _mm256_add_epi64(acc[q], _mm256_sad_epu8(c[q], zero));
    }
    uint32_t s[4];
    for (int q = 0; q < 4; q++) {
        uint64_t v[4];
        _mm256_storeu_si256((__m256i *)v, acc[q]);
        s[q] = (uint32_t)(v[0] + v[1] + v[2] + v[3]);
    }
    uint32_t s0 = s[0], s1 = s[1], s2 = s[2], s3 = s[3];
    PRODUCTS_SCALAR(w)
}

__attribute__((target("avx512f,avx512vpopcntdq"))) static void products_avx512(
    const uint64_t *a1, const uint64_t *a2, const uint64_t *b1, const uint64_t *b2, int64_t W, uint32_t out[4])
{
    __m512i c0 = _mm512_setzero_si512(), c1 = c0, c2 = c0, c3 = c0;
    for (int64_t w = 0; w < W; w += 8) {
        __mmask8 m = W - w >= 8 ? 0xff : (__mmask8)((1u << (W - w)) - 1);
        __m512i x1 = _mm512_maskz_loadu_epi64(m, a1 + w), x2 = _mm512_maskz_loadu_epi64(m, a2 + w);
        __m512i y1 = _mm512_maskz_loadu_epi64(m, b1 + w), y2 = _mm512_maskz_loadu_epi64(m, b2 + w);
        c0 = _mm512_add_epi64(c0, _mm512_popcnt_epi64(_mm512_and_si512(x1, y1)));
        c1 = _mm512_add_epi64(c1, _mm512_popcnt_epi64(_mm512_and_si512(x1, y2)));
        c2 = _mm512_add_epi64(c2, _mm512_popcnt_epi64(_mm512_and_si512(x2, y1)));
        c3 = _mm512_add_epi64(c3, _mm512_popcnt_epi64(_mm512_and_si512(x2, y2)));
    }
    // two sums a lane (each < 2^32: at most the class's samples), so two reductions, not four
    uint64_t s01 = (uint64_t)_mm512_reduce_add_epi64(_mm512_add_epi64(c0, _mm512_slli_epi64(c1, 32)));
    uint64_t s23 = (uint64_t)_mm512_reduce_add_epi64(_mm512_add_epi64(c2, _mm512_slli_epi64(c3, 32)));
    out[0] = (uint32_t)s01, out[1] = (uint32_t)(s01 >> 32), out[2] = (uint32_t)s23, out[3] = (uint32_t)(s23 >> 32);
}
#endif

static products_fn pick_products(void)
{
#if defined(__x86_64__) && defined(__GNUC__)
    const char *force = getenv("GDL_EPISTASIS_KERNEL"); // tests run every build on one machine
    int any = !force || !*force;
    if ((any || strcmp(force, "avx512") == 0) && __builtin_cpu_supports("avx512f") &&
        __builtin_cpu_supports("avx512vpopcntdq"))
        return products_avx512;
    if ((any || strcmp(force, "avx2") == 0) && __builtin_cpu_supports("avx2") && __builtin_cpu_supports("popcnt"))
        return products_avx2;
    if ((any || strcmp(force, "popcnt") == 0) && __builtin_cpu_supports("popcnt")) return products_popcnt;
#endif
    return products_portable;
}

/* Variants [begin, end) word by word: 64 samples' rows stay in cache while their calls for
 * every variant of the range are read. */
static void build_range(void *ctx, int64_t begin, int64_t end, int chunk)
{
    build_t *b = ctx;
    epi_planes_t *p = b->p;
    const gdl_genotypes_t *g = b->g;
    miss_list_t local = b->lists[chunk], *l = &local; // written back at the end: no shared cache line
    for (int k = 0; k < 2; k++)
        for (int64_t w = 0; w < p->words[k]; w++) {
            int64_t s0 = w * 64, s1 = s0 + 64 < p->samples[k] ? s0 + 64 : p->samples[k];
            const uint8_t *row[64];
            for (int64_t s = s0; s < s1; s++) row[s - s0] = g->packed + b->rows[k][s] * g->row_bytes;
            for (int64_t v = begin; v < end; v++) {
                int64_t j = p->column[v];
                uint64_t het = 0, hom = 0, miss = 0;
                for (int64_t s = s0; s < s1; s++) {
                    int c = gdl_geno_code(row[s - s0], j);
                    uint64_t bit = 1ull << (s - s0);
                    if (c == 1) het |= bit;
                    else if (c == 2) hom |= bit;
                    else if (c == 3) miss |= bit, miss_push(l, (uint32_t)v, (uint32_t)k, (uint32_t)s);
                }
                plane(p, v, k, 0)[w] = het, plane(p, v, k, 1)[w] = hom, plane(p, v, k, 2)[w] = miss;
            }
        }
    b->lists[chunk] = local;
}

/* The trait of the class-0 samples (rows), centred on their mean (least squares with an
 * intercept does not change, and the sums of squares lose no digits to a large mean). */
static int trait_values(epi_planes_t *p, const gdl_dataset_t *d, int t, const int64_t *rows)
{
    int64_t S = p->samples[0];
    double mean = 0;
    if (!(p->y = malloc((size_t)(S ? S : 1) * sizeof *p->y)) ||
        !(p->ysum = malloc((size_t)(p->n_variants ? p->n_variants : 1) * sizeof *p->ysum)))
        return -1;
    for (int64_t x = 0; x < S; x++) mean += d->labels[rows[x] * d->n_targets + t];
    mean = S ? mean / (double)S : 0;
    p->y_total = p->y2_total = 0;
    for (int64_t x = 0; x < S; x++) {
        p->y[x] = d->labels[rows[x] * d->n_targets + t] - mean;
        p->y_total += p->y[x], p->y2_total += p->y[x] * p->y[x];
    }
    return 0;
}

/* sum of y over the set bits of x (W words) */
static double masked_sum(const double *y, const uint64_t *x, int64_t W)
{
    double s = 0;
    for (int64_t w = 0; w < W; w++)
        for (uint64_t m = x[w]; m; m &= m - 1) s += y[w * 64 + __builtin_ctzll(m)];
    return s;
}

int gdl_epi_planes_build(epi_planes_t *p, const gdl_dataset_t *d, int t, const int64_t *rows_in, int64_t n_rows,
                     const int64_t *columns, int64_t n, int quantitative)
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
        for (int64_t x = 0, n_in = rows_in ? n_rows : N; x < n_in; x++) {
            int64_t i = rows_in ? rows_in[x] : x;
            float y = d->labels[i * d->n_targets + t];
            if (quantitative ? k == 0 && !isnan(y) : y == (float)k) rows[m++] = i, p->samples[k]++;
        }
    }
    p->quantitative = quantitative;
    if (quantitative && trait_values(p, d, t, rows) != 0) goto oom;
    for (int k = 0; k < 2; k++) p->words[k] = (p->samples[k] + 63) / 64;
    p->stride = 3 * (p->words[0] + p->words[1]);
    if (!(p->bits = gdl_malloc((size_t)(n * p->stride + 1) * sizeof *p->bits)) ||
        !(p->count = malloc((size_t)(n ? n : 1) * sizeof *p->count)) ||
        !(p->miss_start = calloc((size_t)(2 * n + 1), sizeof *p->miss_start)))
        goto oom;
    p->products = pick_products();
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
    if (quantitative)
        for (int64_t v = 0; v < n; v++)
            for (int h = 0; h < 2; h++) p->ysum[v][h] = masked_sum(p->y, plane(p, v, 0, h), p->words[0]);
    for (int c = 0; c < nt; c++) free(b.lists[c].e);
    free(b.lists), free(rows);
    return 0;
oom:
    gdl_log_error("out of memory for the bit planes of %lld variants x %lld samples", (long long)n, (long long)N);
    if (b.lists)
        for (int c = 0; c < nt; c++) free(b.lists[c].e);
    free(b.lists), free(rows);
    gdl_epi_planes_free(p);
    return -1;
}

void gdl_epi_planes_free(epi_planes_t *p)
{
    free(p->column), gdl_free(p->bits), free(p->count), free(p->miss_start), free(p->miss);
    free(p->y), free(p->ysum);
    memset(p, 0, sizeof *p);
}

static inline int bit(const uint64_t *x, uint32_t s)
{
    return (int)((x[s >> 6] >> (s & 63)) & 1);
}

/* Completes the class-k table from its products: the margins over the samples called at both,
 * from the set-bit counts less the calls the other variant misses; row[i] / col[j] are a's / b's
 * genotype counts there, and the return value their total. */
static inline uint32_t complete(const epi_planes_t *p, int64_t va, int64_t vb, int k, const uint32_t prod[4],
                                uint32_t n[3][3], uint32_t row[3], uint32_t col[3])
{
    const uint32_t *ma = p->miss + p->miss_start[2 * va + k], *mb = p->miss + p->miss_start[2 * vb + k];
    int64_t na = p->miss_start[2 * va + k + 1] - p->miss_start[2 * va + k];
    int64_t nb = p->miss_start[2 * vb + k + 1] - p->miss_start[2 * vb + k];
    uint32_t r1 = p->count[va][k][0], r2 = p->count[va][k][1]; // a's margins over the called at both
    uint32_t c1 = p->count[vb][k][0], c2 = p->count[vb][k][1], both = 0;
    if (nb) {
        const uint64_t *h = plane(p, va, k, 0), *o = plane(p, va, k, 1), *x = plane(p, va, k, 2);
        for (int64_t e = 0; e < nb; e++)
            r1 -= (uint32_t)bit(h, mb[e]), r2 -= (uint32_t)bit(o, mb[e]), both += (uint32_t)bit(x, mb[e]);
    }
    if (na) {
        const uint64_t *h = plane(p, vb, k, 0), *o = plane(p, vb, k, 1);
        for (int64_t e = 0; e < na; e++) c1 -= (uint32_t)bit(h, ma[e]), c2 -= (uint32_t)bit(o, ma[e]);
    }
    uint32_t S = (uint32_t)(p->samples[k] - na - nb) + both;
    n[1][1] = prod[0], n[1][2] = prod[1], n[2][1] = prod[2], n[2][2] = prod[3];
    n[1][0] = r1 - prod[0] - prod[1], n[2][0] = r2 - prod[2] - prod[3];
    n[0][1] = c1 - prod[0] - prod[2], n[0][2] = c2 - prod[1] - prod[3];
    n[0][0] = S - r1 - r2 - n[0][1] - n[0][2];
    row[0] = S - r1 - r2, row[1] = r1, row[2] = r2;
    col[0] = S - c1 - c2, col[1] = c1, col[2] = c2;
    return S;
}

void gdl_epi_planes_table(const epi_planes_t *p, int64_t va, int64_t vb, uint32_t n[2][3][3], epi_margins_t *m)
{
    uint32_t row[2][3], col[2][3];
    for (int k = 0; k < 2; k++) {
        uint32_t prod[4];
        p->products(plane(p, va, k, 0), plane(p, va, k, 1), plane(p, vb, k, 0), plane(p, vb, k, 1), p->words[k], prod);
        m->k[k] = complete(p, va, vb, k, prod, n[k], row[k], col[k]);
    }
    m->all = m->k[0] + m->k[1];
    for (int x = 0; x < 3; x++) {
        m->ik[x][0] = row[0][x], m->ik[x][1] = row[1][x], m->i[x] = row[0][x] + row[1][x];
        m->jk[x][0] = col[0][x], m->jk[x][1] = col[1][x], m->j[x] = col[0][x] + col[1][x];
        for (int y = 0; y < 3; y++) m->ij[x][y] = n[0][x][y] + n[1][x][y];
    }
}

void gdl_epi_planes_trait_sums(const epi_planes_t *p, int64_t va, int64_t vb, double S[3][3], double *y2)
{
    const uint64_t *a1 = plane(p, va, 0, 0), *a2 = plane(p, va, 0, 1), *am = plane(p, va, 0, 2);
    const uint64_t *b1 = plane(p, vb, 0, 0), *b2 = plane(p, vb, 0, 1);
    const double *y = p->y;
    double s11 = 0, s12 = 0, s21 = 0, s22 = 0;
    for (int64_t w = 0; w < p->words[0]; w++) {
        const double *yw = y + w * 64;
        for (uint64_t m = a1[w] & b1[w]; m; m &= m - 1) s11 += yw[__builtin_ctzll(m)];
        for (uint64_t m = a1[w] & b2[w]; m; m &= m - 1) s12 += yw[__builtin_ctzll(m)];
        for (uint64_t m = a2[w] & b1[w]; m; m &= m - 1) s21 += yw[__builtin_ctzll(m)];
        for (uint64_t m = a2[w] & b2[w]; m; m &= m - 1) s22 += yw[__builtin_ctzll(m)];
    }
    // margins over the samples called at both: each variant's sums less the other's missing calls
    const uint32_t *ma = p->miss + p->miss_start[2 * va], *mb = p->miss + p->miss_start[2 * vb];
    int64_t na = p->miss_start[2 * va + 1] - p->miss_start[2 * va], nb = p->miss_start[2 * vb + 1] - p->miss_start[2 * vb];
    double r1 = p->ysum[va][0], r2 = p->ysum[va][1], c1 = p->ysum[vb][0], c2 = p->ysum[vb][1];
    double all = p->y_total, sq = p->y2_total;
    for (int64_t e = 0; e < nb; e++) {
        double v = y[mb[e]];
        r1 -= bit(a1, mb[e]) * v, r2 -= bit(a2, mb[e]) * v;
        all -= v, sq -= v * v;
        if (bit(am, mb[e])) all += v, sq += v * v; // missing at both: taken off twice
    }
    for (int64_t e = 0; e < na; e++) {
        double v = y[ma[e]];
        c1 -= bit(b1, ma[e]) * v, c2 -= bit(b2, ma[e]) * v;
        all -= v, sq -= v * v;
    }
    S[1][1] = s11, S[1][2] = s12, S[2][1] = s21, S[2][2] = s22;
    S[1][0] = r1 - s11 - s12, S[2][0] = r2 - s21 - s22;
    S[0][1] = c1 - s11 - s21, S[0][2] = c2 - s12 - s22;
    S[0][0] = all - r1 - r2 - S[0][1] - S[0][2];
    *y2 = sq;
}
