/* gdl epistasis --level gene: variant pairs aggregated to the pairs of their genes. A gene pair
 * is formed by the variant pairs between (or within) two genes whose p reaches --screen: its
 * best pair, and how many there are; with --null R, an empirical p-value: the share of R pairs
 * of variant sets drawn like the two genes (as many variants, from the same allele-frequency
 * span) whose best pair is at least as strong, for every gene pair, and their Benjamini-Hochberg
 * q-values. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "epi_internal.h"
#include "gdl/core.h"

static uint64_t hash64(uint64_t x)
{
    x ^= x >> 33, x *= 0xff51afd7ed558ccdull, x ^= x >> 33, x *= 0xc4ceb9fe1a85ec53ull, x ^= x >> 33;
    return x;
}

/* The slot of key (key + 1 stored, 0 = empty) in a map of power-of-two capacity. */
static int64_t slot_of(const epi_gene_map_t *m, uint64_t key)
{
    uint64_t mask = (uint64_t)m->cap - 1, i = hash64(key) & mask;
    while (m->e[i].key && m->e[i].key != key + 1) i = (i + 1) & mask;
    return (int64_t)i;
}

static int grow(epi_gene_map_t *m)
{
    epi_gene_map_t n = {.cap = m->cap ? 2 * m->cap : 64};
    if (!(n.e = calloc((size_t)n.cap, sizeof *n.e))) return -1;
    for (int64_t i = 0; i < m->cap; i++)
        if (m->e[i].key) n.e[slot_of(&n, m->e[i].key - 1)] = m->e[i], n.n++;
    free(m->e);
    *m = n;
    return 0;
}

static int add_one(epi_gene_map_t *m, uint64_t key, const gdl_epi_pair_t *pair, int64_t count)
{
    if (2 * (m->n + 1) > m->cap && grow(m) != 0) return -1;
    epi_gene_pair_t *e = &m->e[slot_of(m, key)];
    if (!e->key) {
        *e = (epi_gene_pair_t){.key = key + 1, .best = *pair, .count = count};
        m->n++;
        return 0;
    }
    if (gdl_epi_pair_cmp(pair, &e->best) < 0) e->best = *pair;
    e->count += count;
    return 0;
}

static int has_gene(const epi_select_t *sel, int64_t v, int64_t gene)
{
    for (int64_t x = sel->gene_start[v]; x < sel->gene_start[v + 1]; x++)
        if (sel->gene[x] == gene) return 1;
    return 0;
}

int gdl_epi_gene_map_add(epi_gene_map_t *m, const epi_select_t *sel, int64_t va, int64_t vb, const gdl_epi_pair_t *pair)
{
    for (int64_t x = sel->gene_start[va]; x < sel->gene_start[va + 1]; x++)
        for (int64_t y = sel->gene_start[vb]; y < sel->gene_start[vb + 1]; y++) {
            int64_t g1 = sel->gene[x], g2 = sel->gene[y];
            // a variant pair counts once for each gene pair it lies in: (g2 of a, g1 of b) gives
            // the same pair as (g1 of a, g2 of b), and is counted there
            if (g1 > g2 && has_gene(sel, va, g2) && has_gene(sel, vb, g1)) continue;
            uint64_t key = g1 < g2 ? (uint64_t)g1 << 32 | (uint64_t)g2 : (uint64_t)g2 << 32 | (uint64_t)g1;
            if (add_one(m, key, pair, 1) != 0) return -1;
        }
    return 0;
}

void gdl_epi_gene_map_free(epi_gene_map_t *m)
{
    free(m->e);
    memset(m, 0, sizeof *m);
}

int gdl_epi_gene_map_merge(epi_gene_map_t *into, const epi_gene_map_t *from)
{
    for (int64_t i = 0; i < from->cap; i++)
        if (from->e[i].key && add_one(into, from->e[i].key - 1, &from->e[i].best, from->e[i].count) != 0) return -1;
    return 0;
}

/* ---- ranking, the null, the table ------------------------------------------------------------ */

static int by_best(const void *x, const void *y)
{
    const epi_gene_pair_t *a = x, *b = y;
    int c = gdl_epi_pair_cmp(&a->best, &b->best);
    return c ? c : (a->key > b->key) - (a->key < b->key);
}

/* Ordered variant pairs (x in A, y in B, x != y), halved for a gene with itself. */
static int64_t variant_pairs(const gdl_gene_set_t *A, const gdl_gene_set_t *B)
{
    int64_t n = 0;
    for (int64_t i = 0; i < A->n; i++)
        for (int64_t j = 0; j < B->n; j++) n += A->var[i] != B->var[j];
    return A == B ? n / 2 : n;
}

typedef struct {
    const epi_select_t *sel;
    epi_gene_pair_t *rows;
    const gdl_af_order_t *ord;
    epi_pair_test_fn test;
    const void *test_ctx;
    int null_sets;
    uint64_t seed;
    double *p_empirical; // (rows)
    int64_t max_gene;
    int failed;
} null_t;

/* n variants drawn from byaf[a0, a1) into pick (a partial Fisher-Yates on a copy of the span). */
static void draw(const gdl_af_order_t *o, int64_t a0, int64_t a1, int64_t n, gdl_rng_t *r, int64_t *scratch,
                 int64_t *pick)
{
    int64_t span = a1 - a0;
    memcpy(scratch, o->byaf + a0, (size_t)span * sizeof *scratch);
    for (int64_t i = 0; i < n && i < span; i++) {
        int64_t t = i + (int64_t)gdl_rng_below(r, (uint64_t)(span - i)), tmp = scratch[i];
        scratch[i] = scratch[t], scratch[t] = tmp;
        pick[i] = scratch[i];
    }
}

static void null_range(void *ctx, int64_t begin, int64_t end, int chunk)
{
    (void)chunk;
    null_t *z = ctx;
    const gdl_gene_sets_t *G = &z->sel->genes;
    int64_t M = z->ord->n, *scratch = malloc((size_t)(M + 1) * sizeof *scratch);
    int64_t *s1 = malloc((size_t)(z->max_gene + 1) * sizeof *s1), *s2 = malloc((size_t)(z->max_gene + 1) * sizeof *s2);
    if (!scratch || !s1 || !s2) {
        z->failed = 1;
        free(scratch), free(s1), free(s2);
        return;
    }
    for (int64_t r = begin; r < end; r++) {
        uint64_t key = z->rows[r].key - 1;
        const gdl_gene_set_t *A = &G->genes[key >> 32], *B = &G->genes[key & 0xffffffffu];
        int64_t a0, a1, b0, b1, hits = 0;
        gdl_af_order_span(z->ord, A->var, A->n, &a0, &a1);
        gdl_af_order_span(z->ord, B->var, B->n, &b0, &b1);
        gdl_rng_t rng;
        gdl_rng_init(&rng, z->seed, key); // the gene pair's own stream: any thread, any --top
        for (int s = 0; s < z->null_sets; s++) {
            draw(z->ord, a0, a1, A->n, &rng, scratch, s1);
            int64_t nb = A == B ? A->n : B->n;
            const int64_t *t2 = s1;
            if (A != B) draw(z->ord, b0, b1, B->n, &rng, scratch, s2), t2 = s2;
            double best = 0; // log p of the strongest pair of the two sets
            for (int64_t i = 0; i < A->n; i++)
                for (int64_t j = A == B ? i + 1 : 0; j < nb; j++)
                    if (s1[i] != t2[j]) {
                        double lp = z->test(z->test_ctx, s1[i] < t2[j] ? s1[i] : t2[j], s1[i] < t2[j] ? t2[j] : s1[i], best);
                        best = lp < best ? lp : best;
                    }
            hits += best <= z->rows[r].best.log_p;
        }
        z->p_empirical[r] = (double)(1 + hits) / (double)(1 + z->null_sets);
    }
    free(scratch), free(s1), free(s2);
}

int gdl_epi_genes_write(FILE *fp, const epi_run_t *run, const epi_gene_map_t *map, const epi_select_t *sel,
                    const gdl_genotypes_t *g, const gdl_epistasis_opts_t *o, epi_pair_test_fn test, const void *test_ctx)
{
    int rc = -1;
    int64_t n = 0, K;
    epi_gene_pair_t *rows = malloc((size_t)(map->n + 1) * sizeof *rows);
    double *pe = NULL, *qv = NULL; // (n) empirical p and BH q over every gene pair
    gdl_af_order_t ord = {0};
    if (!rows) goto oom;
    for (int64_t i = 0; i < map->cap; i++)
        if (map->e[i].key) rows[n++] = map->e[i];
    qsort(rows, (size_t)n, sizeof *rows, by_best);
    K = n < o->top ? n : o->top;
    if (!(pe = malloc((size_t)(n + 1) * sizeof *pe)) || !(qv = malloc((size_t)(n + 1) * sizeof *qv))) goto oom;
    for (int64_t r = 0; r < n; r++) pe[r] = qv[r] = NAN;
    if (o->null_sets > 0 && n > 0) { // every gene pair, for the q-values; the screen keeps them few
        if (gdl_af_order_init(&ord, g) != 0) goto out;
        null_t z = {.sel = sel, .rows = rows, .ord = &ord, .test = test, .test_ctx = test_ctx,
                    .null_sets = o->null_sets, .seed = o->seed, .p_empirical = pe};
        for (int64_t k = 0; k < sel->genes.n; k++)
            z.max_gene = sel->genes.genes[k].n > z.max_gene ? sel->genes.genes[k].n : z.max_gene;
        gdl_parallel_for(n, null_range, &z);
        if (z.failed) goto oom;
        gdl_bh_qvalues(pe, n, qv);
    }
    double log_tests = run->tests > 0 ? log((double)run->tests) : 0;
    fprintf(fp, "# gdl epistasis: gene pairs, each from its variant pairs with p <= the screen, best first\n");
    fprintf(fp, "# dataset\t%s\n# target\t%s\n", run->dataset, run->target);
    fprintf(fp, "# samples\t%lld\tcases\t%lld\tcontrols\t%lld\tvariants\t%lld\n", (long long)run->samples,
            (long long)run->cases, (long long)run->controls, (long long)run->variants);
    fprintf(fp, "# pairs\t%lld\ttests\t%lld\tgene_pairs\t%lld\tscreen\t%.6g\tnull\t%d\tseed\t%llu\n",
            (long long)run->pairs, (long long)run->tests, (long long)n, run->screen, o->null_sets,
            (unsigned long long)o->seed);
    fprintf(fp, "rank\tgene_a\tgene_b\tp_value\tp_bonferroni\tstatistic\tdf\tvariant_a\tvariant_b\tn_variant_pairs"
                "\tn_pairs_past_screen\tp_empirical\tq_value\n");
    for (int64_t r = 0; r < K; r++) {
        const epi_gene_pair_t *e = &rows[r];
        uint64_t key = e->key - 1;
        const gdl_gene_set_t *A = &sel->genes.genes[key >> 32], *B = &sel->genes.genes[key & 0xffffffffu];
        char p[32], pb[32], na[512], nb[512];
        gdl_epi_format_p(p, sizeof p, e->best.log_p);
        gdl_epi_format_p(pb, sizeof pb, e->best.log_p + log_tests < 0 ? e->best.log_p + log_tests : 0);
        fprintf(fp, "%lld\t%s\t%s\t%s\t%s\t%.10g\t%d\t%s\t%s\t%lld\t%lld\t", (long long)(r + 1), A->name, B->name, p, pb,
                e->best.statistic, e->best.df, gdl_genotypes_variant_name(g, e->best.a, na, sizeof na),
                gdl_genotypes_variant_name(g, e->best.b, nb, sizeof nb), (long long)variant_pairs(A, B),
                (long long)e->count);
        if (isnan(pe[r])) fputs("NA\tNA\n", fp);
        else fprintf(fp, "%.4g\t%.4g\n", pe[r], qv[r]);
    }
    rc = ferror(fp) ? (gdl_log_error("write error"), -1) : 0;
    goto out;
oom:
    gdl_log_error("out of memory");
out:
    gdl_af_order_free(&ord);
    free(rows), free(pe), free(qv);
    return rc;
}
