/* Genotype tables (their columns: docs/formats.md): variants ranked by aggregated attribution,
 * genes by an aggregate of their variants with empirical p-values against random variant sets
 * of the same size and frequency range, Benjamini-Hochberg q-values, and the single-marker
 * allelic association that sits beside the model's answer. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "attr_internal.h"

static const double *sort_key;
static int by_key_desc(const void *x, const void *y) // ties by index: a stable, reproducible rank
{
    int64_t i = *(const int64_t *)x, j = *(const int64_t *)y;
    double a = sort_key[i], b = sort_key[j];
    if (isnan(a) != isnan(b)) return isnan(a) ? 1 : -1;
    if (a != b && !isnan(a)) return a > b ? -1 : 1;
    return i < j ? -1 : i > j;
}

/* Indices 0..n-1 ordered by key, largest first; malloc'd. */
static int64_t *rank_desc(const double *key, int64_t n)
{
    int64_t *o = malloc(sizeof *o * (size_t)(n ? n : 1));
    if (!o) {
        gdl_log_error("out of memory");
        return NULL;
    }
    for (int64_t i = 0; i < n; i++) o[i] = i;
    sort_key = key; // qsort has no context argument; ranking is not called concurrently
    qsort(o, (size_t)n, sizeof *o, by_key_desc);
    return o;
}

int gdl_attr_write_variants(const gdl_genotypes_t *g, const double *score, const double *assoc_p,
                        const char *path)
{
    int64_t M = g->n_variants;
    int64_t *o = rank_desc(score, M);
    gdl_outfile_t f;
    if (!o) return -1;
    if (gdl_outfile_open(&f, path) != 0) {
        free(o);
        return -1;
    }
    double mx = 0;
    for (int64_t j = 0; j < M; j++) mx = fabs(score[j]) > mx ? fabs(score[j]) : mx;
    fprintf(f.fp, "rank\tvariant\tchrom\tpos\tgene\tscore\timportance\taf%s\n", assoc_p ? "\tassoc_p" : "");
    for (int64_t r = 0, rank = 0; r < M; r++) {
        int64_t j = o[r];
        char buf[256];
        if (g->absent && g->absent[j]) continue; // a model variant the cohort lacks: no evidence
        fprintf(f.fp, "%lld\t%s\t%s\t%lld\t%s\t%.6g\t%.4f\t%.4f", (long long)++rank,
                gdl_genotypes_variant_name(g, j, buf, sizeof buf), g->chrom[j], (long long)g->pos[j],
                *g->gene[j] ? g->gene[j] : ".", score[j], mx > 0 ? score[j] / mx : 0, g->af[j]);
        if (assoc_p) fprintf(f.fp, "\t%.4g", assoc_p[j]);
        fputc('\n', f.fp);
    }
    free(o);
    return gdl_outfile_commit(&f);
}

double gdl_attr_allelic_p(double case_alt, double case_ref, double ctrl_alt, double ctrl_ref)
{
    double n = case_alt + case_ref + ctrl_alt + ctrl_ref;
    double r1 = case_alt + case_ref, r2 = ctrl_alt + ctrl_ref, c1 = case_alt + ctrl_alt, c2 = case_ref + ctrl_ref;
    if (r1 <= 0 || r2 <= 0 || c1 <= 0 || c2 <= 0) return 1;
    double d = case_alt * ctrl_ref - case_ref * ctrl_alt;
    double chi2 = n * d * d / (r1 * r2 * c1 * c2);
    return erfc(sqrt(chi2 / 2)); // upper tail of chi-square with 1 df
}

int gdl_attr_assoc(const gdl_dataset_t *d, int k, const int64_t *rows, int64_t n, double *p)
{
    const gdl_genotypes_t *g = d->geno;
    int64_t M = g->n_variants;
    double *cnt = calloc((size_t)(4 * M), sizeof *cnt); // per variant: case alt, ref, control alt, ref
    if (!cnt) {
        gdl_log_error("out of memory");
        return -1;
    }
    for (int64_t i = 0; i < n; i++) {
        float y = d->labels[rows[i] * d->n_targets + k];
        if (isnan(y)) continue;
        int ctrl = y < 0.5f;
        const uint8_t *row = g->packed + rows[i] * g->row_bytes;
        for (int64_t j = 0; j < M; j++) {
            int code = gdl_geno_code(row, j);
            if (code == 3) continue;
            double *c = cnt + 4 * j + 2 * ctrl;
            c[0] += code, c[1] += 2 - code;
        }
    }
    for (int64_t j = 0; j < M; j++) {
        const double *c = cnt + 4 * j;
        p[j] = gdl_attr_allelic_p(c[0], c[1], c[2], c[3]);
    }
    free(cnt);
    return 0;
}

/* ---- genes ---------------------------------------------------------------------------------- */

static double aggregate(const double *score, const int64_t *var, int64_t n, gdl_gene_agg_t agg)
{
    double s = 0, mx = -INFINITY;
    for (int64_t i = 0; i < n; i++) s += score[var[i]], mx = score[var[i]] > mx ? score[var[i]] : mx;
    return agg == GDL_GENE_MAX ? mx : agg == GDL_GENE_SUM ? s : s / (double)n;
}

int gdl_attr_write_genes(const gdl_genotypes_t *g, const double *score, gdl_gene_agg_t agg,
                     int null_sets, uint64_t seed, const char *path)
{
    gdl_gene_sets_t sets = {0};
    gdl_af_order_t ord = {0};
    double *gs = NULL, *p = NULL, *q = NULL;
    int64_t *o = NULL, *pick = NULL, G = 0;
    int rc = -1;
    gdl_outfile_t f = {0};
    if (gdl_gene_sets_build(&sets, g) != 0) goto fail;
    G = sets.n;
    const gdl_gene_set_t *genes = sets.genes;
    if (!G) {
        gdl_log_error("--level gene: no variant of the dataset has a gene (encode with --genes)");
        goto fail;
    }
    if (!(gs = malloc(sizeof *gs * (size_t)G)) || !(p = malloc(sizeof *p * (size_t)G)) ||
        !(q = malloc(sizeof *q * (size_t)G)) || !(pick = malloc(sizeof *pick * (size_t)(g->n_variants + 1))))
        goto oom;
    for (int64_t k = 0; k < G; k++) gs[k] = aggregate(score, genes[k].var, genes[k].n, agg), p[k] = NAN;
    if (null_sets > 0) {
        if (gdl_af_order_init(&ord, g) != 0) goto fail;
        for (int64_t k = 0; k < G; k++) {
            const gdl_gene_set_t *e = &genes[k];
            int64_t a0, a1;
            gdl_af_order_span(&ord, e->var, e->n, &a0, &a1);
            int64_t span = a1 - a0, ge = 0, *byaf = ord.byaf;
            gdl_rng_t r;
            gdl_rng_init(&r, seed, 9000 + (uint64_t)k);
            for (int s = 0; s < null_sets; s++) {
                for (int64_t i = 0; i < e->n; i++) { // partial Fisher-Yates over the span
                    int64_t t = i + (int64_t)gdl_rng_below(&r, (uint64_t)(span - i));
                    int64_t tmp = byaf[a0 + i];
                    byaf[a0 + i] = byaf[a0 + t], byaf[a0 + t] = tmp;
                    pick[i] = byaf[a0 + i];
                }
                ge += aggregate(score, pick, e->n, agg) >= gs[k];
            }
            p[k] = (double)(1 + ge) / (double)(1 + null_sets);
            gdl_af_order_sort(&ord, a0, a1); // the shuffles left the span in another order
        }
        gdl_bh_qvalues(p, G, q);
    }
    if (!(o = rank_desc(gs, G))) goto fail;
    if (gdl_outfile_open(&f, path) != 0) goto fail;
    fprintf(f.fp, "rank\tgene\tscore\tn_variants\ttop_variant%s\n", null_sets > 0 ? "\tp_value\tq_value" : "");
    for (int64_t r = 0; r < G; r++) {
        const gdl_gene_set_t *e = &genes[o[r]];
        int64_t top = e->var[0];
        for (int64_t i = 1; i < e->n; i++)
            if (score[e->var[i]] > score[top]) top = e->var[i];
        char buf[256];
        fprintf(f.fp, "%lld\t%s\t%.6g\t%lld\t%s", (long long)(r + 1), e->name, gs[o[r]], (long long)e->n,
                gdl_genotypes_variant_name(g, top, buf, sizeof buf));
        if (null_sets > 0) fprintf(f.fp, "\t%.4g\t%.4g", p[o[r]], q[o[r]]);
        fputc('\n', f.fp);
    }
    rc = gdl_outfile_commit(&f);
    goto fail;
oom:
    gdl_log_error("out of memory");
fail:
    gdl_gene_sets_free(&sets), gdl_af_order_free(&ord);
    free(gs), free(p), free(q), free(o), free(pick);
    return rc;
}
