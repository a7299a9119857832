/* gdl simulate genotypes: a cohort with planted truth, like the adenocarcinoma study's proof-of-concept sets.
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
 * Everything derives from the seed: one RNG stream per purpose and one per variant.
 *
 * Options change that model without touching the defaults' bytes (each option's default
 * path draws the same numbers in the same order):
 * - ld > 0: each haplotype carries a latent Gaussian AR(1) along the variants,
 *   u_j = ld u_{j-1} + sqrt(1 - ld^2) e_j, drawn afresh at the first variant of each block of
 *   ld_block variants (counted from each chromosome's start), and carries ALT where
 *   u_j < Phi^-1(p_j): every variant keeps its frequency, a sample's two haplotypes stay
 *   independent (Hardy-Weinberg) and neighbours correlate, less with distance.
 * - case_frac: disease = the top case_frac of the liability (exactly round-down(N (1 - F))
 *   controls; ties broken by sample order).
 * - causal_maf, pair_maf: the ALT frequency ranges the members are drawn from.
 * - effects normal: beta ~ N(0, 1), rescaled so sum beta^2 is K times the fixed effects'
 *   E[beta^2] (0.3233): the same additive variance, spread polygenically.
 * - h2: the noise variance is the planted variance times (1 - h2) / h2.
 * - pair_kind xor: gamma * XOR(carrier_a, carrier_b), carrier = dosage >= 1, gamma =
 *   1 / sd(XOR) at the population frequencies, so a pair adds variance 1 as a product pair
 *   does; members come from ALT frequencies near 0.29 (carrier frequency near 0.5), where
 *   neither has a marginal effect. */
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

typedef struct {
    double liab;
    int64_t i;
} simrank_t;

static int cmp_rank(const void *a, const void *b)
{
    const simrank_t *x = a, *y = b;
    if (x->liab != y->liab) return x->liab < y->liab ? -1 : 1;
    return x->i < y->i ? -1 : x->i > y->i;
}

/* Phi^-1(p) for 0 < p < 1: Acklam's rational approximation with one Halley step (~1e-15). */
static double inv_norm(double p)
{
    static const double a[6] = {-3.969683028665376e+01, 2.209460984245205e+02, -2.759285104469687e+02,
                                1.383577518672690e+02, -3.066479806614716e+01, 2.506628277459239e+00};
    static const double b[5] = {-5.447609879822406e+01, 1.615858368580409e+02, -1.556989798598866e+02,
                                6.680131188771972e+01, -1.328068155288572e+01};
    static const double c[6] = {-7.784894002430293e-03, -3.223964580411365e-01, -2.400758277161838e+00,
                                -2.549732539343734e+00, 4.374664141464968e+00, 2.938163982698783e+00};
    static const double d[4] = {7.784695709041462e-03, 3.224671290700398e-01, 2.445134137142996e+00,
                                3.754408661907416e+00};
    double x, q, r;
    if (p < 0.02425) {
        q = sqrt(-2 * log(p));
        x = (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) /
            ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
    } else if (p <= 1 - 0.02425) {
        q = p - 0.5;
        r = q * q;
        x = (((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q /
            (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1);
    } else {
        q = sqrt(-2 * log(1 - p));
        x = -(((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) /
            ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
    }
    double e = 0.5 * erfc(-x / sqrt(2)) - p, u = e * sqrt(2 * M_PI) * exp(x * x / 2);
    return x - u / (1 + x * u / 2);
}

/* Picks k variant indices with p in [lo, hi] (or any p when too few), not yet used. */
static int pick(gdl_rng_t *r, simvar_t *v, int64_t M, double lo, double hi, int64_t *out, int k,
                uint8_t *used, const char *what)
{
    int64_t n = 0;
    for (int64_t j = 0; j < M; j++) n += !used[j] && v[j].p >= lo && v[j].p <= hi && v[j].gene >= 0;
    if (n < k)
        gdl_log_warn("simulate: %" PRId64 " genic variants with ALT frequency in [%g, %g] for %d %s; "
                     "the rest are drawn from any frequency", n, lo, hi, k, what);
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
    double *liab = NULL, *lat = NULL, *gam = NULL;
    simrank_t *sorted = NULL;
    // the options, zero = default
    double rho = o->ld, case_frac = o->case_frac > 0 ? o->case_frac : 0.5, h2 = o->h2 > 0 ? o->h2 : 0.5;
    int64_t ld_block = o->ld_block > 0 ? o->ld_block : 50;
    int xor = o->pair_kind == GDL_SIM_PAIR_XOR;
    double cmaf[2] = {0.05, 0.5}, pmaf[2] = {xor ? 0.27 : 0.2, xor ? 0.32 : 0.5};
    if (o->causal_maf[0] > 0 || o->causal_maf[1] > 0) cmaf[0] = o->causal_maf[0], cmaf[1] = o->causal_maf[1];
    if (o->pair_maf[0] > 0 || o->pair_maf[1] > 0) pmaf[0] = o->pair_maf[0], pmaf[1] = o->pair_maf[1];
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
    if (!(rho >= 0 && rho < 1) || !(case_frac > 0 && case_frac < 1) || !(h2 > 0 && h2 <= 1) ||
        !(cmaf[0] >= 0 && cmaf[0] <= cmaf[1] && cmaf[1] <= 1) ||
        !(pmaf[0] >= 0 && pmaf[0] <= pmaf[1] && pmaf[1] <= 1) ||
        (o->effects != GDL_SIM_EFFECTS_FIXED && o->effects != GDL_SIM_EFFECTS_NORMAL) ||
        (o->pair_kind != GDL_SIM_PAIR_PRODUCT && o->pair_kind != GDL_SIM_PAIR_XOR)) {
        gdl_log_error("simulate: need 0 <= ld < 1, 0 < case_frac < 1, 0 < h2 <= 1 and frequency "
                      "ranges 0 <= lo <= hi <= 1");
        return -1;
    }
    if (!(v = calloc(M, sizeof *v)) || !(genes = calloc(M, sizeof *genes)) ||
        !(used = calloc(M, 1)) || !(g = malloc(N)) || !(liab = calloc(N, sizeof *liab)) ||
        !(sorted = malloc(N * sizeof *sorted)) ||
        !(causal = malloc((o->causal + 1) * sizeof *causal)) ||
        !(pairs = malloc((2 * o->pairs + 1) * sizeof *pairs)) ||
        !(gam = calloc(o->pairs + 1, sizeof *gam)) || (rho > 0 && !(lat = malloc(2 * N * sizeof *lat))))
        goto oom;
    if (!(vcf = gdl_str_join(o->prefix, ".vcf.gz", NULL)) || !(pheno = gdl_str_join(o->prefix, ".pheno.tsv", NULL)) ||
        !(bed = gdl_str_join(o->prefix, ".genes.bed", NULL)) || !(truth = gdl_str_join(o->prefix, ".truth.tsv", NULL)) ||
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
    pick(&r, v, M, cmaf[0], cmaf[1], causal, o->causal, used, "additive variants");
    pick(&r, v, M, pmaf[0], pmaf[1], pairs, 2 * o->pairs, used, "pair members");
    if (o->effects == GDL_SIM_EFFECTS_NORMAL) {
        double ss = 0;
        for (int k = 0; k < o->causal; k++) {
            double b = gdl_rng_normal(&r);
            v[causal[k]].beta = b != 0 ? b : 1e-9;
            ss += b * b;
        }
        // E[beta^2] of the fixed effects, |beta| ~ U(0.3, 0.8): (0.8^3 - 0.3^3) / (3 * 0.5)
        double scale = ss > 0 ? sqrt(o->causal * ((0.512 - 0.027) / 1.5) / ss) : 1;
        for (int k = 0; k < o->causal; k++) v[causal[k]].beta *= scale;
    } else {
        for (int k = 0; k < o->causal; k++)
            v[causal[k]].beta = (gdl_rng_uniform(&r) < 0.5 ? -1 : 1) * (0.3 + 0.5 * gdl_rng_uniform(&r));
    }
    for (int k = 0; k < 2 * o->pairs; k++) v[pairs[k]].pair = k / 2;
    for (int k = 0; k < o->pairs; k++) {
        if (!xor) {
            gam[k] = 1.0;
            continue;
        }
        double pa = v[pairs[2 * k]].p, pb = v[pairs[2 * k + 1]].p;
        double ca = 1 - (1 - pa) * (1 - pa), cb = 1 - (1 - pb) * (1 - pb);
        double q = ca * (1 - cb) + cb * (1 - ca);
        gam[k] = q > 0 && q < 1 ? 1 / sqrt(q * (1 - q)) : 1;
    }
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
    const double innov = sqrt(1 - rho * rho);
    int64_t chrom_start = 0;
    for (int64_t j = 0; j < M && !werr; j++) {
        gdl_rng_t rv;
        gdl_rng_init(&rv, o->seed, 1000 + (uint64_t)j);
        double p = v[j].p, sd = sqrt(2 * p * (1 - p));
        if (j > 0 && v[j].chrom != v[j - 1].chrom) chrom_start = j;
        int fresh = (j - chrom_start) % ld_block == 0;
        double thr = rho > 0 ? inv_norm(p) : 0;
        line.l = 0;
        ksprintf(&line, "%d\t%" PRId64 "\tv%06" PRId64 "\t%c\t%s\t.\tPASS\t", v[j].chrom, v[j].pos,
                 j + 1, v[j].ref, v[j].alt);
        if (v[j].gene >= 0) ksprintf(&line, "GENE=G%04d\tGT", v[j].gene + 1);
        else kputs(".\tGT", &line);
        for (int64_t i = 0; i < N; i++) {
            int a, b;
            if (rho > 0) {
                double *u = &lat[2 * i], e1 = gdl_rng_normal(&rv), e2 = gdl_rng_normal(&rv);
                u[0] = fresh ? e1 : rho * u[0] + innov * e1;
                u[1] = fresh ? e2 : rho * u[1] + innov * e2;
                a = u[0] < thr;
                b = u[1] < thr;
            } else {
                a = gdl_rng_uniform(&rv) < p;
                b = gdl_rng_uniform(&rv) < p;
            }
            int miss = gdl_rng_uniform(&rv) < 0.002;
            char s[5] = {'\t', (char)('0' + a), '/', (char)('0' + b), 0};
            if (miss) s[1] = s[3] = '.';
            kputsn(s, 4, &line);
            // the phenotype uses the true genotype, missing or not
            double z = (a + b - 2 * p) / sd;
            if (v[j].beta != 0) liab[i] += v[j].beta * z;
            if (v[j].pair >= 0) {
                double *slot = &za[(int64_t)v[j].pair * N + i];
                int64_t pa = pairs[2 * v[j].pair], pb = pairs[2 * v[j].pair + 1];
                if (xor) { // the member met first in file order keeps its carrier status
                    double carrier = a + b >= 1;
                    if (j == (pa < pb ? pa : pb)) *slot = carrier;
                    else liab[i] += gam[v[j].pair] * (double)(*slot != carrier);
                } else if (pa == j) *slot = z;
                // KNOWN FLAW kept for the defaults' bytes (data/cohort.*, the tests' cohorts): when
                // the first-drawn member (pa) comes after pb in the file, pb meets an empty slot
                // and the pair adds nothing. xor pairs do not have it.
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

    // phenotypes: noise so that the planted part is h2 of the variance (each pair adds 1)
    double gvar = (double)o->pairs;
    for (int k = 0; k < o->causal; k++) gvar += v[causal[k]].beta * v[causal[k]].beta;
    double noise = gvar > 0 ? sqrt(gvar * ((1 - h2) / h2)) : 1;
    gdl_rng_init(&r, o->seed, 3);
    for (int64_t i = 0; i < N; i++) {
        liab[i] += noise * gdl_rng_normal(&r);
        sorted[i] = (simrank_t){liab[i], i};
    }
    // the top case_frac are cases: the controls are the first floor(N (1 - F)) in order
    qsort(sorted, N, sizeof *sorted, cmp_rank);
    int64_t controls = (int64_t)floor((double)N * (1 - case_frac) + 1e-9);
    if (controls > N) controls = N;
    uint8_t *cases = g;
    memset(cases, 0, N);
    for (int64_t k = controls; k < N; k++) cases[sorted[k].i] = 1;
    if (gdl_outfile_open(&out, pheno)) goto fail;
    fprintf(out.fp, "id\tdisease\ttrait\n");
    for (int64_t i = 0; i < N; i++)
        fprintf(out.fp, "S%05" PRId64 "\t%d\t%.6f\n", i + 1, cases[i], liab[i]);
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
        fprintf(out.fp, "%s\tv%06" PRId64 "\t%d\t%" PRId64 "\tG%04d\t%.4f\t%.4f\tv%06" PRId64
                        "\tG%04d\t%.4f\n",
                xor ? "xor" : "pair", pairs[2 * k] + 1, x->chrom, x->pos, x->gene + 1, x->p, gam[k],
                pairs[2 * k + 1] + 1, y->gene + 1, y->p);
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
    free(lat);
    free(gam);
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
