/* epistasis: every pair of a cohort's variants tested for interaction on a binary target, on
 * bit planes of the packed genotypes.
 *
 * The test is BOOST's (Wan et al. 2010, the one plink 1.9 runs for --fast-epistasis boost): for
 * a pair (a, b) the 3 x 3 x 2 table n_ijk of a's genotype i, b's genotype j and case status k over
 * the samples called at both; the statistic is the likelihood ratio of the saturated log-linear
 * model against the one without the three-way term ([AB][AK][BK], fitted by iterative
 * proportional fitting), chi-square with (I - 1)(J - 1) degrees of freedom, I and J the
 * genotype classes present. The Kirkwood superposition approximation of the reduced model has
 * a closed form and a likelihood no higher than the fit's, so its statistic bounds the exact
 * one from above: pairs whose bound misses the screen threshold are not fitted (they could not
 * pass), which is what makes the scan fast.
 * Dimension letters: N samples, M variants, K reported pairs.
 */
#ifndef GDL_EPISTASIS_H
#define GDL_EPISTASIS_H

#include <stdint.h>

#include "gdl/dataset.h"

/* One tested pair. Counts are n[k][i][j]: k = 0 control, 1 case; i, j = ALT copies of a, b. */
typedef struct {
    int64_t a, b;          // variant columns of the dataset, a < b
    double statistic;      // likelihood ratio, chi-square
    double log_p;          // natural log of the p-value (kept in logs: p underflows at ~1490)
    double interaction;    // carrier-status log-odds interaction (cells + 1/2), see gdl.1
    int df;                // 1, 2 or 4
    uint32_t n[2][3][3];
} gdl_epi_pair_t;

/* ---- the test on one table --------------------------------------------------------------- */

/* Degrees of freedom of a table: (I - 1)(J - 1), I / J the genotype classes of a / b with a
 * non-zero margin; 0 when either is monomorphic (not a test). */
int gdl_epi_df(const uint32_t n[2][3][3]);
/* The likelihood-ratio statistic of the table (iterative proportional fitting to 1e-10 of the
 * fitted counts' largest change); 0 for a table with df 0. */
double gdl_epi_boost_lr(const uint32_t n[2][3][3]);
/* The statistic under the Kirkwood superposition approximation: >= gdl_epi_boost_lr. */
double gdl_epi_boost_ksa(const uint32_t n[2][3][3]);
/* log P(chi-square with df degrees of freedom >= x), df in {1, 2, 4}; accurate far into the
 * tail. */
double gdl_epi_chisq_log_p(double x, int df);
/* The x with gdl_epi_chisq_log_p(x, df) = log(p); 0 for p >= 1. */
double gdl_epi_chisq_quantile(double p, int df);
/* Log-odds interaction of carrier status (dosage >= 1) in cases vs controls, cells + 1/2:
 * L11 - L10 - L01 + L00 with Lxy = log((case_xy + 1/2) / (control_xy + 1/2)). */
double gdl_epi_interaction(const uint32_t n[2][3][3]);
/* Total order of reported pairs: smaller p first, then larger statistic, then a, then b.
 * Negative when x ranks before y. */
int gdl_epi_pair_cmp(const gdl_epi_pair_t *x, const gdl_epi_pair_t *y);

/* ---- the scan ---------------------------------------------------------------------------- */

typedef struct {
    const char *data_path, *out_path; // a dataset .gdl with genotypes; the pairs table ("-" = stdout)
    const char *target;     // binary target's name; NULL = the dataset's first binary target
    const char *keep_path;  // variant IDs (or CHROM:POS:REF:ALT), one a line; NULL = all
    const char *between_a, *between_b; // lists as keep_path: only pairs of one from each; NULL = off
    int within_genes;       // only pairs sharing a gene (catalog:gene)
    int64_t window;         // > 0: only pairs on one chromosome at most this many bp apart
    int64_t top;            // K >= 1: pairs reported, best first [1000]
    double pvalue;          // pairs reported only with p <= pvalue [1]
    double screen;          // pairs fitted only when the approximation's p <= screen [5e-6];
                            // 1 = fit every pair
    int part, parts;        // this run's share of the pairs: part 1..parts of [1, 1]
    int level_gene;         // the table ranks gene pairs (docs/formats.md, gdl.1); every variant, one part
    int null_sets;          // gene level: R > 0 gives each gene pair an empirical p-value [0]
    uint64_t seed;          // of the null sets [1]
} gdl_epistasis_opts_t;

/* Runs the scan as o says and writes the table atomically. 0, or -1 with an error. */
int gdl_epistasis(const gdl_epistasis_opts_t *o);
/* The best pairs (at most top, p <= p, fitted only past a screen at p) of dataset d's binary
 * target t among rows (n_rows of them; NULL = every row): what a model's pair features are
 * chosen by, on a fold's training rows only. *out (malloc'd, best first, *n_out of them).
 * 0, or -1 with an error. */
int gdl_epistasis_top(const gdl_dataset_t *d, int t, const int64_t *rows, int64_t n_rows, int64_t top, double p,
                      gdl_epi_pair_t **out, int64_t *n_out);
/* Merges the tables of every part of one split run (each part once, in any order) into the
 * table the single run writes. 0, or -1 with an error naming the file and line at fault. */
int gdl_epistasis_merge(const char *const *paths, int n, const char *out_path);

#endif
