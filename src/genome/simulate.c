/* gdl simulate genotypes: a cohort with planted truth, like seed 000's proof-of-concept sets.
 *
 * Variants sit on two chromosomes in runs: a gene (5..30 variants) then an intergenic gap
 * (0..8 variants), 30..530 bp apart. ALT allele frequencies follow Beta(0.35, 2.5), a spectrum
 * dominated by rare alleles as in real cohorts, clipped to [0.002, 0.98]; 2% of the variants
 * are short insertions. Genotypes are drawn under Hardy-Weinberg, 0.2% of calls missing.
 *
 * The trait is a liability: sum over K causal variants of beta * z (z the standardised
 * dosage, |beta| in [0.3, 0.8], random sign) plus, for each of P pairs, gamma * z_a * z_b
 * with gamma = 1: a pure interaction, so neither member has a marginal effect in expectation.
 * Noise makes the planted part half of the variance. disease = liability above the median.
 * Everything derives from the seed: one RNG stream per purpose and one per variant. */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <htslib/bgzf.h>
#include <htslib/kstring.h>
#include <htslib/tbx.h>

#include "genome_internal.h"
#include "gdl/core.h"

typedef struct {
    int chrom;       // 1 or 2
    int64_t pos;
    int gene;        // index or -1
    double p;        // ALT frequency
    char ref, alt[3];
    double beta;     // additive effect (0 when not causal)
    int pair;        // index of the pair, or -1
} simvar_t;

typedef struct {
    int chrom;
    int64_t beg, end; // 0-based half-open
} simgene_t;

static double rng_gamma(gdl_rng_t *r, double a)
{
    if (a < 1) return rng_gamma(r, a + 1) * pow(gdl_rng_uniform(r) + 1e-300, 1 / a);
    double d = a - 1.0 / 3, c = 1 / sqrt(9 * d);
    for (;;) {
        double x = gdl_rng_normal(r), v = 1 + c * x;
        if (v <= 0) continue;
        v = v * v * v;
        double u = gdl_rng_uniform(r);
        if (log(u + 1e-300) < 0.5 * x * x + d - d * v + d * log(v)) return d * v;
    }
}

static double rng_beta(gdl_rng_t *r, double a, double b)
{
    double x = rng_gamma(r, a), y = rng_gamma(r, b);
    return x / (x + y);
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static char *path_of(const char *prefix, const char *ext)
{
    size_t n = strlen(prefix) + strlen(ext) + 1;
    char *s = malloc(n);
    if (s) snprintf(s, n, "%s%s", prefix, ext);
    else gdl_log_error("out of memory");
    return s;
}

/* Picks k variant indices with p in [lo, hi] (or any p when too few), not yet used. */
static int pick(gdl_rng_t *r, simvar_t *v, int64_t M, double lo, double hi, int64_t *out, int k,
                uint8_t *used)
{
    int64_t n = 0;
    for (int64_t j = 0; j < M; j++) n += !used[j] && v[j].p >= lo && v[j].p <= hi && v[j].gene >= 0;
    for (int i = 0; i < k; i++) {
        int64_t want = n > 0 ? (int64_t)gdl_rng_below(r, (uint64_t)n) : (int64_t)gdl_rng_below(r, (uint64_t)M);
        int64_t j = 0;
        for (;; j = (j + 1) % M) {
            int ok = !used[j] && (n > 0 ? v[j].p >= lo && v[j].p <= hi && v[j].gene >= 0 : 1);
            if (ok && want-- == 0) break;
        }
        used[j] = 1;
        out[i] = j;
        if (n > 0) n--;
    }
    return 0;
}

int gdl_simulate_genotypes(const gdl_simulate_geno_opts_t *o)
{
    int64_t N = o->samples, M = o->variants;
    int ret = -1;
    simvar_t *v = NULL;
    simgene_t *genes = NULL;
    int64_t n_genes = 0, *causal = NULL, *pairs = NULL;
    uint8_t *used = NULL, *g = NULL;
    double *liab = NULL, *sorted = NULL;
    char *vcf = NULL, *vcf_tmp = NULL, *pheno = NULL, *bed = NULL, *truth = NULL;
    BGZF *bz = NULL;
    kstring_t line = {0, 0, NULL};
    gdl_outfile_t out = {0};
    gdl_rng_t r;
    static const char bases[4] = {'A', 'C', 'G', 'T'};
    if (N < 1 || M < 1 || o->causal < 0 || o->pairs < 0 || o->causal + 2 * (int64_t)o->pairs > M) {
        gdl_log_error("simulate: need samples >= 1, variants >= 1 and causal + 2 * pairs <= variants");
        return -1;
    }
    if (!(v = calloc(M, sizeof *v)) || !(genes = calloc(M, sizeof *genes)) ||
        !(used = calloc(M, 1)) || !(g = malloc(N)) || !(liab = calloc(N, sizeof *liab)) ||
        !(sorted = malloc(N * sizeof *sorted)) ||
        !(causal = malloc((o->causal + 1) * sizeof *causal)) ||
        !(pairs = malloc((2 * o->pairs + 1) * sizeof *pairs)))
        goto oom;
    if (!(vcf = path_of(o->prefix, ".vcf.gz")) || !(pheno = path_of(o->prefix, ".pheno.tsv")) ||
        !(bed = path_of(o->prefix, ".genes.bed")) || !(truth = path_of(o->prefix, ".truth.tsv")) ||
        !(vcf_tmp = gdl_tmp_path(vcf)))
        goto fail;

    // layout: genes and gaps along two chromosomes
    gdl_rng_init(&r, o->seed, 0);
    int64_t pos = 1000, left_in_run = 0;
    int in_gene = 0, chrom = 1;
    for (int64_t j = 0; j < M; j++) {
        if (chrom == 1 && j >= M / 2 && M > 1) {
            chrom = 2;
            pos = 1000;
            left_in_run = 0;
        }
        while (left_in_run == 0) {
            in_gene = !in_gene;
            left_in_run = in_gene ? 5 + (int64_t)gdl_rng_below(&r, 26) : (int64_t)gdl_rng_below(&r, 9);
            if (in_gene && left_in_run) {
                genes[n_genes] = (simgene_t){chrom, pos - 1 + 20, 0};
                n_genes++;
            }
        }
        pos += 30 + (int64_t)gdl_rng_below(&r, 501);
        v[j].chrom = chrom;
        v[j].pos = pos;
        v[j].gene = in_gene ? (int)(n_genes - 1) : -1;
        if (in_gene) genes[n_genes - 1].end = pos + 10; // the next variant is >= 30 bp away
        left_in_run--;
        int rb = (int)gdl_rng_below(&r, 4), ab = (rb + 1 + (int)gdl_rng_below(&r, 3)) % 4;
        v[j].ref = bases[rb];
        v[j].alt[0] = bases[ab];
        if (gdl_rng_uniform(&r) < 0.02) { // a short insertion
            v[j].alt[0] = bases[rb];
            v[j].alt[1] = bases[ab];
        }
        v[j].pair = -1;
    }
    gdl_rng_init(&r, o->seed, 1);
    for (int64_t j = 0; j < M; j++) {
        double p = rng_beta(&r, 0.35, 2.5);
        v[j].p = p < 0.002 ? 0.002 : p > 0.98 ? 0.98 : p;
    }
    gdl_rng_init(&r, o->seed, 2);
    pick(&r, v, M, 0.05, 0.5, causal, o->causal, used);
    pick(&r, v, M, 0.2, 0.5, pairs, 2 * o->pairs, used);
    for (int k = 0; k < o->causal; k++)
        v[causal[k]].beta = (gdl_rng_uniform(&r) < 0.5 ? -1 : 1) * (0.3 + 0.5 * gdl_rng_uniform(&r));
    for (int k = 0; k < 2 * o->pairs; k++) v[pairs[k]].pair = k / 2;
    double *za = calloc(N * (o->pairs + 1), sizeof *za); // first member's z, per pair
    if (!za) goto oom;

    // the VCF
    if (!(bz = bgzf_open(vcf_tmp, "w"))) {
        gdl_log_error("%s: cannot create: %s", vcf_tmp, strerror(errno));
        free(za);
        goto fail;
    }
    ksprintf(&line, "##fileformat=VCFv4.2\n##source=gdl simulate genotypes (seed %" PRIu64 ")\n"
                    "##contig=<ID=1,length=%" PRId64 ">\n##contig=<ID=2,length=%" PRId64 ">\n"
                    "##INFO=<ID=GENE,Number=1,Type=String,Description=\"Gene the variant lies in\">\n"
                    "##FORMAT=<ID=GT,Number=1,Type=String,Description=\"Genotype\">\n"
                    "#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT",
             o->seed, v[M / 2 > 0 ? M / 2 - 1 : 0].pos + 1000, v[M - 1].pos + 1000);
    for (int64_t i = 0; i < N; i++) ksprintf(&line, "\tS%05" PRId64, i + 1);
    kputc('\n', &line);
    int werr = bgzf_write(bz, line.s, line.l) < 0;
    for (int64_t j = 0; j < M && !werr; j++) {
        gdl_rng_t rv;
        gdl_rng_init(&rv, o->seed, 1000 + (uint64_t)j);
        double p = v[j].p, sd = sqrt(2 * p * (1 - p));
        line.l = 0;
        ksprintf(&line, "%d\t%" PRId64 "\tv%06" PRId64 "\t%c\t%s\t.\tPASS\t", v[j].chrom, v[j].pos,
                 j + 1, v[j].ref, v[j].alt);
        if (v[j].gene >= 0) ksprintf(&line, "GENE=G%04d\tGT", v[j].gene + 1);
        else kputs(".\tGT", &line);
        for (int64_t i = 0; i < N; i++) {
            int a = gdl_rng_uniform(&rv) < p, b = gdl_rng_uniform(&rv) < p;
            int miss = gdl_rng_uniform(&rv) < 0.002;
            char s[5] = {'\t', (char)('0' + a), '/', (char)('0' + b), 0};
            if (miss) s[1] = s[3] = '.';
            kputsn(s, 4, &line);
            // the phenotype uses the true genotype, missing or not
            double z = (a + b - 2 * p) / sd;
            if (v[j].beta != 0) liab[i] += v[j].beta * z;
            if (v[j].pair >= 0) {
                double *slot = &za[(int64_t)v[j].pair * N + i];
                if (pairs[2 * v[j].pair] == j) *slot = z;
                else liab[i] += 1.0 * *slot * z;
            }
        }
        kputc('\n', &line);
        werr = bgzf_write(bz, line.s, line.l) < 0;
    }
    free(za);
    if (werr || bgzf_close(bz) < 0) {
        bz = NULL;
        gdl_log_error("%s: write failed", vcf_tmp);
        goto fail;
    }
    bz = NULL;
    if (rename(vcf_tmp, vcf) != 0) {
        gdl_log_error("%s: cannot rename into place: %s", vcf, strerror(errno));
        goto fail;
    }
    if (tbx_index_build(vcf, 0, &tbx_conf_vcf) != 0) {
        gdl_log_error("%s: cannot build the tabix index", vcf);
        goto fail;
    }

    // phenotypes: noise so that the planted part is half the variance
    double gvar = (double)o->pairs;
    for (int k = 0; k < o->causal; k++) gvar += v[causal[k]].beta * v[causal[k]].beta;
    double noise = sqrt(gvar > 0 ? gvar : 1);
    gdl_rng_init(&r, o->seed, 3);
    for (int64_t i = 0; i < N; i++) sorted[i] = liab[i] += noise * gdl_rng_normal(&r);
    qsort(sorted, N, sizeof *sorted, cmp_double);
    double median = sorted[N / 2];
    if (gdl_outfile_open(&out, pheno)) goto fail;
    fprintf(out.fp, "id\tdisease\ttrait\n");
    for (int64_t i = 0; i < N; i++)
        fprintf(out.fp, "S%05" PRId64 "\t%d\t%.6f\n", i + 1, liab[i] >= median, liab[i]);
    if (gdl_outfile_commit(&out)) goto fail;

    if (gdl_outfile_open(&out, bed)) goto fail;
    for (int64_t k = 0; k < n_genes; k++)
        fprintf(out.fp, "%d\t%" PRId64 "\t%" PRId64 "\tG%04" PRId64 "\n", genes[k].chrom,
                genes[k].beg, genes[k].end, k + 1);
    if (gdl_outfile_commit(&out)) goto fail;

    if (gdl_outfile_open(&out, truth)) goto fail;
    fprintf(out.fp, "kind\tvariant\tchrom\tpos\tgene\taf\teffect\tvariant_b\tgene_b\taf_b\n");
    for (int k = 0; k < o->causal; k++) {
        const simvar_t *x = &v[causal[k]];
        fprintf(out.fp, "additive\tv%06" PRId64 "\t%d\t%" PRId64 "\tG%04d\t%.4f\t%.4f\t\t\t\n",
                causal[k] + 1, x->chrom, x->pos, x->gene + 1, x->p, x->beta);
    }
    for (int k = 0; k < o->pairs; k++) {
        const simvar_t *x = &v[pairs[2 * k]], *y = &v[pairs[2 * k + 1]];
        fprintf(out.fp, "pair\tv%06" PRId64 "\t%d\t%" PRId64 "\tG%04d\t%.4f\t1.0000\tv%06" PRId64
                        "\tG%04d\t%.4f\n",
                pairs[2 * k] + 1, x->chrom, x->pos, x->gene + 1, x->p, pairs[2 * k + 1] + 1,
                y->gene + 1, y->p);
    }
    if (gdl_outfile_commit(&out)) goto fail;
    ret = 0;
    goto done;
oom:
    gdl_log_error("out of memory");
fail:
    gdl_outfile_abort(&out);
    if (bz) bgzf_close(bz);
    if (vcf_tmp) unlink(vcf_tmp);
done:
    free(line.s);
    free(v);
    free(genes);
    free(used);
    free(g);
    free(liab);
    free(sorted);
    free(causal);
    free(pairs);
    free(vcf);
    free(vcf_tmp);
    free(pheno);
    free(bed);
    free(truth);
    return ret;
}
