/* Private pieces of the pair scan: bit planes of a cohort's genotypes, the per-chunk heap of the
 * best pairs, and the table format shared by the scan and the merge.
 * Dimension letters: S samples of a class, W = ceil(S / 64) words, V scanned variants. */
#ifndef GDL_EPI_INTERNAL_H
#define GDL_EPI_INTERNAL_H

#include <stdint.h>
#include <stdio.h>

#include "gdl/dataset.h"
#include "gdl/epistasis.h"

/* ---- the statistic from margins and tables (boost.c) ----------------------------------------- */

/* Margins of a table (i = a's genotype, j = b's, k = case status): ij = n_ij., ik = n_i.k,
 * jk = n_.jk, and the one-index sums. */
typedef struct {
    uint32_t ij[3][3], ik[3][2], jk[3][2], i[3], j[3], k[2], all;
} epi_margins_t;

void gdl_epi_margins(const uint32_t n[2][3][3], epi_margins_t *m);
int gdl_epi_df_margins(const epi_margins_t *m); // as gdl_epi_df
/* gdl_epi_boost_ksa from the table and its margins, with xlogx[c] = c log c and recip[c] = 1 / c
 * (0 for c = 0) for c = 0..N; 0 for a table whose statistic is surely below
 * threshold (found without a logarithm). */
double gdl_epi_ksa(const uint32_t n[2][3][3], const epi_margins_t *m, const double *xlogx, const double *recip,
               double threshold);

/* ---- which variants and pairs (select.c) ----------------------------------------------------- */

typedef struct {
    int64_t n, *column;        // V scanned variants: their dataset columns, ascending
    int between, within_genes; // per-pair rules in force
    int64_t window;
    uint8_t *set;              // (V) between: bit 0 in list A, bit 1 in list B
    int *chrom;                // (V) window: chromosome numbers
    /* within_genes and the gene level: the catalog's genes, and the gene numbers (indices into
     * genes, ascending) of scanned variant v in gene[gene_start[v] .. gene_start[v + 1]) */
    gdl_gene_sets_t genes;
    int64_t *gene_start, *gene;
} epi_select_t;

/* The variants o's lists allow, and what the pair rules need. 0, or -1 with an error. */
int gdl_epi_select(epi_select_t *s, const gdl_genotypes_t *g, const gdl_epistasis_opts_t *o);
void gdl_epi_select_free(epi_select_t *s);
/* 1 when the pair of scanned variants va < vb is to be tested. */
int gdl_epi_select_pair(const epi_select_t *s, const gdl_genotypes_t *g, int64_t va, int64_t vb);
/* The selection in words, for the table's header ("all variants", "keep FILE; window 500 bp"). */
void gdl_epi_select_describe(const gdl_epistasis_opts_t *o, char *buf, size_t size);

/* ---- bit planes (planes.c) ----------------------------------------------------------------- */

/* Each scanned variant's calls as two bit planes per class, heterozygous (1 ALT copy) and
 * homozygous ALT (2), over the samples of that class (controls, then cases) in dataset order;
 * a missing call has neither bit, and has its own plane and the variant's missing list. */
typedef struct {
    int64_t n_variants;          // V
    int64_t *column;             // (V) dataset column of each scanned variant
    int64_t samples[2];          // S per class
    int64_t words[2];            // W per class
    int64_t stride;              // words per variant: 3 * (words[0] + words[1])
    uint64_t *bits;              // (V, stride): het0, hom0, het1, hom1, missing0, missing1
    uint32_t (*count)[2][2];     // (V): [class][het, hom] set bits
    int64_t *miss_start;         // (V * 2 + 1): missing list of (variant v, class k) is
    uint32_t *miss;              //   miss[miss_start[2v + k] .. miss_start[2v + k + 1]), sorted
    /* a quantitative target: every sample with a value is class 0; its value centred on their
     * mean, and each variant's sums of it over its heterozygous and homozygous samples */
    int quantitative;
    double *y;                   // (samples[0])
    double (*ysum)[2];           // (V)
    double y_total, y2_total;    // sums of y and y^2 over the class-0 samples
    /* the AND + popcount loop for this CPU (GDL_EPISTASIS_KERNEL=avx512|avx2|popcnt|portable
     * picks a narrower one, for tests) */
    void (*products)(const uint64_t *a1, const uint64_t *a2, const uint64_t *b1, const uint64_t *b2,
                     int64_t W, uint32_t out[4]);
} epi_planes_t;

/* Planes of the columns listed (n, ascending) for the samples among rows (n_rows, ascending;
 * NULL = every row) whose target t is 0 or 1, or for a quantitative target has a value.
 * 0, or -1 with an error. */
int gdl_epi_planes_build(epi_planes_t *p, const gdl_dataset_t *d, int t, const int64_t *rows, int64_t n_rows,
                     const int64_t *columns, int64_t n, int quantitative);
/* Quantitative target: the trait's sums over the cells of the pair's table (class 0), S[i][j],
 * and the sum of its square over the samples called at both. */
void gdl_epi_planes_trait_sums(const epi_planes_t *p, int64_t va, int64_t vb, double S[3][3], double *y2);

/* ---- the linear interaction test (linear.c) ---------------------------------------------- */

/* y = b0 + b1 a + b2 b + b3 a b + e by least squares from the pair's sufficient statistics:
 * counts n[i][j] and trait sums S[i][j] of its 3 x 3 cells, y2 the sum of squares. The
 * statistic is (b3 / se(b3))^2 with the residual variance on n - 4 df, chi-square with 1 df as
 * plink 1.9's --epistasis reports it. 1 with *beta = b3 and *stat, 0 when the design is
 * singular (not a test). */
int gdl_epi_linear_test(const uint32_t n[3][3], const double S[3][3], double y2, double *beta, double *stat);
void gdl_epi_planes_free(epi_planes_t *p);
/* The 3 x 3 x 2 table of scanned variants va, vb into n, and its margins into m. */
void gdl_epi_planes_table(const epi_planes_t *p, int64_t va, int64_t vb, uint32_t n[2][3][3], epi_margins_t *m);

/* ---- best pairs (heap.c) -------------------------------------------------------------------- */

/* The K best pairs seen, in gdl_epi_pair_cmp order: a heap with the worst kept pair on top. */
typedef struct {
    gdl_epi_pair_t *e;
    int64_t n, cap;
} epi_heap_t;

int gdl_epi_heap_init(epi_heap_t *h, int64_t cap); // 0, or -1 (out of memory)
/* 1 when a pair as good as x would enter (the heap is not full, or x beats its worst). */
int gdl_epi_heap_wants(const epi_heap_t *h, const gdl_epi_pair_t *x);
void gdl_epi_heap_push(epi_heap_t *h, const gdl_epi_pair_t *x);
/* Sorts the kept pairs best first (the heap is spent: e[0 .. n) is then a sorted array). */
void gdl_epi_heap_sort(epi_heap_t *h);
void gdl_epi_heap_free(epi_heap_t *h);

/* ---- the table (table.c) -------------------------------------------------------------------- */

/* What a run's header records: a merge checks that every part has the same run and adds the
 * tests up. */
typedef struct {
    char dataset[1024], target[256], selection[3072];
    int64_t samples, cases, controls, variants;
    int64_t top;
    double pvalue, screen;
    int part, parts;
    int quantitative; // the linear test on a quantitative target, not BOOST
    int64_t pairs;   // pairs of scanned variants in this part (window applied)
    int64_t tests;   // of them with df >= 1
    int64_t fitted;  // of them past the screen, fitted exactly
} epi_run_t;

/* Writes the header and the rows (n, best first) with Bonferroni p over tests. names: the
 * variant names and genes of the pairs' columns, looked up through g; g NULL means the rows
 * carry their names (a merge: names[2 * r], names[2 * r + 1] and genes likewise). */
int gdl_epi_table_write(FILE *fp, const epi_run_t *run, const gdl_epi_pair_t *rows, int64_t n,
                    const gdl_genotypes_t *g, char *const *names, char *const *genes);

/* One part's table read back: its run and rows with their names and genes (malloc'd). */
typedef struct {
    epi_run_t run;
    gdl_epi_pair_t *rows;
    char **names, **genes; // (2 n) each
    int64_t n;
} epi_table_t;

int gdl_epi_table_read(const char *path, epi_table_t *t); // 0, or -1 naming the file and line
/* p = exp(log_p) with 4 significant digits, also where a double underflows. */
void gdl_epi_format_p(char *buf, size_t size, double log_p);
void gdl_epi_table_free(epi_table_t *t);

/* ---- gene pairs (genes.c) ---------------------------------------------------------------------- */

/* One gene pair: key (gene a << 32 | gene b, a <= b, indices into the selection's genes) + 1,
 * 0 for an empty slot; its best variant pair and how many variant pairs formed it. */
typedef struct {
    uint64_t key;
    gdl_epi_pair_t best;
    int64_t count;
} epi_gene_pair_t;

typedef struct {
    epi_gene_pair_t *e; // open addressing, cap a power of two
    int64_t cap, n;
} epi_gene_map_t;

/* Adds the variant pair (scanned va, vb) to every gene pair it lies in. 0, or -1 (out of memory). */
int gdl_epi_gene_map_add(epi_gene_map_t *m, const epi_select_t *sel, int64_t va, int64_t vb, const gdl_epi_pair_t *pair);
int gdl_epi_gene_map_merge(epi_gene_map_t *into, const epi_gene_map_t *from); // 0, or -1 (out of memory)
void gdl_epi_gene_map_free(epi_gene_map_t *m);
/* log p of the test of scanned variants va < vb, or 0 (not a test); may return any value
 * >= best when it is sure not to beat best (a log p), so the null sets fit few pairs. */
typedef double (*epi_pair_test_fn)(const void *ctx, int64_t va, int64_t vb, double best);
/* Writes the gene table: the o->top best gene pairs of map, with empirical p-values over
 * o->null_sets null sets tested by test (every variant scanned: scanned index = column). */
int gdl_epi_genes_write(FILE *fp, const epi_run_t *run, const epi_gene_map_t *map, const epi_select_t *sel,
                    const gdl_genotypes_t *g, const gdl_epistasis_opts_t *o, epi_pair_test_fn test, const void *test_ctx);

#endif
