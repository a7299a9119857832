/* The pair scan: bit-plane tables against a naive count (every popcount kernel, missing calls,
 * unlabelled samples, monomorphic variants, class sizes that are not multiples of 64), the BOOST
 * statistic's properties and values, chi-square tails, the heap against a full sort, and the
 * table read back and merged. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "epistasis/epi_internal.h"
#include "gdl/core.h"
#include "gdl/data.h"
#include "gdl/dataset.h"
#include "test.h"
#include "test_geno.h"

static char dir[] = "/tmp/gdl_test_epi_XXXXXX", path[512];
enum { N = 301, M = 37 };
static uint8_t calls[N][M];
static float labels[N];

/* Random calls (5% missing; variant 3 monomorphic, variant 5 without homozygous ALT), labels
 * 0/1 with 4% missing, and variants 10 and 11 an XOR pair that decides the label. */
static int make_cohort(void)
{
    gdl_rng_t r;
    const char *chrom[M], *gene[M];
    int64_t pos[M];
    gdl_rng_init(&r, 11, 0);
    for (int i = 0; i < N; i++) {
        for (int j = 0; j < M; j++) {
            double af = 0.1 + 0.4 * (j % 5) / 4.0;
            int c = (gdl_rng_uniform(&r) < af) + (gdl_rng_uniform(&r) < af);
            if (j == 3) c = 0;
            if (j == 5 && c == 2) c = 1;
            if (gdl_rng_uniform(&r) < 0.05) c = 3;
            calls[i][j] = (uint8_t)c;
        }
        int a = calls[i][10] == 1 || calls[i][10] == 2, b = calls[i][11] == 1 || calls[i][11] == 2;
        labels[i] = (float)((a ^ b) ? gdl_rng_uniform(&r) < 0.8 : gdl_rng_uniform(&r) < 0.2);
        if (gdl_rng_uniform(&r) < 0.04) labels[i] = NAN;
    }
    for (int j = 0; j < M; j++) chrom[j] = j < 20 ? "1" : "2", pos[j] = 1000 * (j % 20) + 1, gene[j] = j < 20 ? "GA" : "";
    test_cohort_t c = {.n = N, .m = M, .calls = &calls[0][0], .labels = labels, .id_format = "rs%d", .id_base = 1,
                       .chrom = chrom, .pos = pos, .gene = gene};
    return test_write_cohort(path, &c);
}

static void naive_table(int a, int b, uint32_t n[2][3][3])
{
    memset(n, 0, sizeof(uint32_t[2][3][3]));
    for (int i = 0; i < N; i++)
        if (!isnan(labels[i]) && calls[i][a] != 3 && calls[i][b] != 3) n[(int)labels[i]][calls[i][a]][calls[i][b]]++;
}

static void test_tables_match_naive_counts(void)
{
    static const char *const kernels[] = {"avx512", "avx2", "popcnt", "portable"};
    gdl_dataset_t *d = gdl_dataset_open(path);
    CHECK(d != NULL);
    if (!d) return;
    int64_t cols[M];
    for (int j = 0; j < M; j++) cols[j] = j;
    for (int q = 0; q < 4; q++) {
        epi_planes_t p;
        setenv("GDL_EPISTASIS_KERNEL", kernels[q], 1); // a kernel the CPU lacks falls back to a narrower one
        CHECK(gdl_epi_planes_build(&p, d, 0, NULL, 0, cols, M, 0) == 0);
        int bad = 0;
        for (int a = 0; a < M; a++)
            for (int b = a + 1; b < M; b++) {
                uint32_t got[2][3][3], want[2][3][3];
                epi_margins_t m, mw;
                gdl_epi_planes_table(&p, a, b, got, &m);
                naive_table(a, b, want);
                gdl_epi_margins(want, &mw);
                bad += memcmp(got, want, sizeof got) != 0 || memcmp(&m, &mw, sizeof m) != 0;
            }
        CHECK(bad == 0);
        gdl_epi_planes_free(&p);
    }
    unsetenv("GDL_EPISTASIS_KERNEL");
    gdl_dataset_close(d);
}

static void test_degrees_of_freedom(void)
{
    uint32_t n[2][3][3];
    naive_table(0, 1, n);
    CHECK(gdl_epi_df(n) == 4);
    naive_table(3, 1, n); // monomorphic: not a test
    CHECK(gdl_epi_df(n) == 0 && gdl_epi_boost_lr(n) == 0);
    naive_table(5, 1, n); // two classes x three
    CHECK(gdl_epi_df(n) == 2);
    naive_table(5, 5, n);
    CHECK(gdl_epi_df(n) == 1);
}

/* A table without a three-way term (n_ijk = f_ij g_ik h_jk) is fitted exactly: statistic 0;
 * the bound is at least the statistic on every table of the cohort, and equal where the
 * approximation is exact. */
static void test_statistic_properties(void)
{
    uint32_t n[2][3][3];
    int f[3][3] = {{4, 2, 1}, {3, 5, 2}, {1, 2, 6}}, g[3][2] = {{1, 2}, {3, 1}, {2, 2}}, h[3][2] = {{2, 1}, {1, 3}, {2, 2}};
    for (int k = 0; k < 2; k++)
        for (int i = 0; i < 3; i++)
            for (int j = 0; j < 3; j++) n[k][i][j] = (uint32_t)(f[i][j] * g[i][k] * h[j][k]);
    CHECK(gdl_epi_boost_lr(n) < 1e-9);
    int below = 0;
    for (int a = 0; a < M; a++)
        for (int b = a + 1; b < M; b++) {
            naive_table(a, b, n);
            double lr = gdl_epi_boost_lr(n), ksa = gdl_epi_boost_ksa(n);
            below += ksa < lr - 1e-9 * (1 + lr);
        }
    CHECK(below == 0);
    // independence in every margin: the approximation is the fit, both statistics 0
    for (int k = 0; k < 2; k++)
        for (int i = 0; i < 3; i++)
            for (int j = 0; j < 3; j++) n[k][i][j] = (uint32_t)((i + 1) * (j + 2) * (k + 1));
    CHECK(gdl_epi_boost_ksa(n) < 1e-9 && gdl_epi_boost_lr(n) < 1e-9);
}

/* The log-linear model without the three-way term is the logistic regression of case status on
 * a's and b's genotypes as factors (main effects): its deviance against the saturated model,
 * 6.946316532374794 for this table, was computed by Newton's method on that regression. */
static void test_statistic_values(void)
{
    uint32_t n[2][3][3] = {{{40, 7, 1}, {9, 30, 2}, {2, 1, 1}}, {{30, 12, 2}, {14, 22, 3}, {1, 4, 9}}};
    double lr = gdl_epi_boost_lr(n);
    CHECK_CLOSE(lr, 6.946316532374794, 1e-8);
    CHECK(gdl_epi_boost_ksa(n) >= lr);
    // the carrier interaction of a table with cells + 1/2: by hand
    uint32_t c[2][3][3] = {{{10, 0, 0}, {0, 0, 0}, {0, 0, 0}}, {{0, 0, 0}, {0, 0, 0}, {0, 0, 5}}};
    double want = log((5.5 / 0.5)) - log(0.5 / 0.5) - log(0.5 / 0.5) + log(0.5 / 10.5);
    CHECK_CLOSE(gdl_epi_interaction(c), want, 1e-12);
}

static void test_chisq_tails(void)
{
    CHECK_CLOSE(exp(gdl_epi_chisq_log_p(3.841458820694124, 1)), 0.05, 1e-9);
    CHECK_CLOSE(exp(gdl_epi_chisq_log_p(5.991464547107979, 2)), 0.05, 1e-9);
    CHECK_CLOSE(exp(gdl_epi_chisq_log_p(9.487729036781154, 4)), 0.05, 1e-9);
    CHECK(gdl_epi_chisq_log_p(0, 4) == 0);
    // SciPy's chi2.isf(5e-6, df)
    CHECK_CLOSE(gdl_epi_chisq_quantile(5e-6, 1), 20.837287022522908, 1e-9);
    CHECK_CLOSE(gdl_epi_chisq_quantile(5e-6, 2), 24.412145291060348, 1e-9);
    CHECK_CLOSE(gdl_epi_chisq_quantile(5e-6, 4), 29.954475423685533, 1e-9);
    CHECK(gdl_epi_chisq_quantile(1, 4) == 0);
    // df 1 far in the tail: the asymptotic series meets erfc where they switch (x = 800)
    CHECK_CLOSE(gdl_epi_chisq_log_p(799.9999, 1), gdl_epi_chisq_log_p(800.0001, 1), 1e-5);
    // x = 5000: erfc underflows; -z^2 - log(z sqrt(pi)) with z = 50 is -2504.8121 (the series' next term is 1e-4)
    CHECK_CLOSE(gdl_epi_chisq_log_p(5000, 1), -2500 - log(50 * sqrt(M_PI)), 1e-7);
}

static int by_cmp(const void *x, const void *y) { return gdl_epi_pair_cmp(x, y); }

static void test_heap_keeps_the_best(void)
{
    enum { P = 2000, K = 37 };
    gdl_epi_pair_t *all = calloc(P, sizeof *all);
    epi_heap_t h;
    gdl_rng_t r;
    gdl_rng_init(&r, 3, 0);
    CHECK(all && gdl_epi_heap_init(&h, K) == 0);
    if (!all) return;
    for (int i = 0; i < P; i++) { // ties on the statistic, broken by the columns
        all[i].a = i % 50, all[i].b = 50 + i / 50, all[i].df = 4;
        all[i].statistic = (double)gdl_rng_below(&r, 100);
        all[i].log_p = gdl_epi_chisq_log_p(all[i].statistic, 4);
        gdl_epi_heap_push(&h, &all[i]);
    }
    qsort(all, P, sizeof *all, by_cmp);
    gdl_epi_heap_sort(&h);
    CHECK(h.n == K);
    int bad = 0;
    for (int i = 0; i < K; i++) bad += gdl_epi_pair_cmp(&h.e[i], &all[i]) != 0;
    CHECK(bad == 0);
    gdl_epi_heap_free(&h), free(all);
}

static int slurp(const char *p, char **out)
{
    FILE *f = fopen(p, "rb");
    if (!f) return -1;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    *out = calloc((size_t)n + 1, 1);
    size_t got = fread(*out, 1, (size_t)n, f);
    fclose(f);
    return got == (size_t)n ? (int)n : -1;
}

/* The scan finds the planted pair first; threads and parts do not change a byte. */
static void test_scan_threads_parts_merge(void)
{
    char one[600], two[600], parts[3][600], merged[600];
    snprintf(one, sizeof one, "%s/one.tsv", dir), snprintf(two, sizeof two, "%s/two.tsv", dir);
    snprintf(merged, sizeof merged, "%s/merged.tsv", dir);
    gdl_epistasis_opts_t o = {.data_path = path, .out_path = one, .top = 50, .pvalue = 1, .screen = 1, .part = 1, .parts = 1};
    gdl_threads_set(1);
    CHECK(gdl_epistasis(&o) == 0);
    gdl_threads_set(2);
    o.out_path = two;
    CHECK(gdl_epistasis(&o) == 0);
    const char *list[3];
    for (int i = 0; i < 3; i++) {
        snprintf(parts[i], sizeof parts[i], "%s/part%d.tsv", dir, i);
        o.out_path = parts[i], o.part = 3 - i, o.parts = 3; // given in reverse
        CHECK(gdl_epistasis(&o) == 0);
        list[i] = parts[i];
    }
    gdl_threads_set(1);
    CHECK(gdl_epistasis_merge(list, 3, merged) == 0);
    char *x = NULL, *y = NULL, *z = NULL;
    CHECK(slurp(one, &x) > 0 && slurp(two, &y) > 0 && slurp(merged, &z) > 0);
    CHECK(x && y && z && strcmp(x, y) == 0 && strcmp(x, z) == 0);
    // the planted pair rs11 x rs12 is rank 1
    CHECK(x && strstr(x, "\n1\trs11\trs12\t") != NULL);
    // a part missing, or given twice: refused
    CHECK(gdl_epistasis_merge(list, 2, merged) != 0);
    const char *twice[3] = {parts[0], parts[0], parts[1]};
    CHECK(gdl_epistasis_merge(twice, 3, merged) != 0);
    epi_table_t t;
    CHECK(gdl_epi_table_read(one, &t) == 0);
    CHECK(t.n == 50 && t.run.tests > 0 && t.run.pairs == (int64_t)M * (M - 1) / 2 && t.run.samples > 250);
    gdl_epi_table_free(&t);
    free(x), free(y), free(z);
    for (int i = 0; i < 3; i++) unlink(parts[i]);
    unlink(one), unlink(two), unlink(merged);
}

/* Pair columns: pushed to a catalog, matched and aligned on the cohort, their codes are the pair
 * codes of the calls; a pair whose member the cohort lacks, or a damaged pair ALT, is absent. */
static void test_pair_columns_align(void)
{
    gdl_dataset_t *d = gdl_dataset_open(path);
    CHECK(d != NULL);
    if (!d) return;
    gdl_catalog_t cat = {0};
    gdl_geno_match_t mt = {0};
    CHECK(gdl_catalog_push_pair(&cat, &d->geno_, N, 10, 11) == 0);
    CHECK(gdl_catalog_push_pair(&cat, &d->geno_, N, 0, 36) == 0);
    float freq[3] = {0.5f, 0.5f, 0};
    CHECK(gdl_catalog_push(&cat, "1", 1001, "gone", "A", "<AND:G|1|99999|A|G>", "", 0.1f, freq) == 0); // b not in the cohort
    CHECK(gdl_catalog_push(&cat, "1", 1001, "bad", "A", "<AND:G|1>", "", 0.1f, freq) == 0);
    CHECK(gdl_catalog_push(&cat, "1", 2001, "rs3", "A", "G", "", 0.1f, freq) == 0); // a plain variant: column 2
    CHECK(gdl_genotypes_match(&d->geno_, &cat, &mt) == 0);
    CHECK(mt.from[0] == 10 && mt.pair_b[0] == 11 && mt.from[1] == 0 && mt.pair_b[1] == 36);
    CHECK(mt.from[2] < 0 && mt.from[3] < 0 && mt.from[4] == 2 && mt.pair_b[4] == -1 && mt.matched == 3);
    const char *ids = cat.id.buf;
    CHECK(strcmp(ids, "rs11*rs12") == 0);
    CHECK(gdl_dataset_align_genotypes(d, &cat, &mt) == 0);
    int bad = 0;
    int64_t count[4] = {0};
    for (int i = 0; i < N; i++) {
        const uint8_t *row = d->geno->packed + i * d->geno->row_bytes;
        int want0 = gdl_geno_pair_code(calls[i][10], calls[i][11]), want1 = gdl_geno_pair_code(calls[i][0], calls[i][36]);
        bad += gdl_geno_code(row, 0) != want0 || gdl_geno_code(row, 1) != want1 || gdl_geno_code(row, 2) != 3 ||
               gdl_geno_code(row, 3) != 3 || gdl_geno_code(row, 4) != calls[i][2];
        count[want0]++;
    }
    CHECK(bad == 0 && d->geno->absent[2] && d->geno->absent[3] && !d->geno->absent[0]);
    // the pair column's freq: both carriers among the called at both
    CHECK_CLOSE(cat.freq[1], (double)count[1] / (double)(count[0] + count[1]), 1e-6);
    CHECK(gdl_geno_pair_code(2, 1) == 1 && gdl_geno_pair_code(0, 2) == 0 && gdl_geno_pair_code(3, 1) == 3);
    free(mt.from);
    gdl_catalog_free(&cat);
    gdl_dataset_close(d);
}

/* The linear test from a table's sufficient statistics = least squares on its rows (NumPy's
 * lstsq on the 105 rows behind this table: b3 0.5757958163530894, (b3 / se)^2 38.02346993278671);
 * a design with only two cells is singular. */
static void test_linear_values(void)
{
    uint32_t n[3][3] = {{30, 12, 4}, {14, 22, 5}, {3, 6, 9}};
    double S[3][3] = {{3.0, -2.31, -1.94}, {4.96, 14.19, 5.0}, {0.99, 8.26, 19.96}}, beta, stat;
    CHECK(gdl_epi_linear_test(n, S, 101.9223, &beta, &stat) == 1);
    CHECK_CLOSE(beta, 0.5757958163530894, 1e-9);
    CHECK_CLOSE(stat, 38.02346993278671, 1e-9);
    uint32_t two[3][3] = {{50, 0, 0}, {0, 40, 0}, {0, 0, 0}}; // a = b: no separate a, b and a b
    double S2[3][3] = {{1, 0, 0}, {0, 2, 0}, {0, 0, 0}};
    CHECK(gdl_epi_linear_test(two, S2, 10, &beta, &stat) == 0);
}

/* A quantitative target's trait sums over a pair's cells, and of its square over the samples
 * called at both, equal direct sums (missing calls and unlabelled samples included). */
static void test_trait_sums_match_naive(void)
{
    gdl_dataset_t *d = gdl_dataset_open(path);
    CHECK(d != NULL);
    if (!d) return;
    int64_t cols[M];
    for (int j = 0; j < M; j++) cols[j] = j;
    epi_planes_t p;
    CHECK(gdl_epi_planes_build(&p, d, 0, NULL, 0, cols, M, 1) == 0);
    double mean = 0;
    int n_y = 0;
    for (int i = 0; i < N; i++)
        if (!isnan(labels[i])) mean += labels[i], n_y++;
    mean /= n_y;
    CHECK(p.samples[0] == n_y && p.samples[1] == 0);
    int bad = 0;
    for (int a = 0; a < M; a++)
        for (int b = a + 1; b < M; b++) {
            double S[3][3], want[3][3] = {{0}}, y2, want2 = 0;
            gdl_epi_planes_trait_sums(&p, a, b, S, &y2);
            for (int i = 0; i < N; i++) {
                if (isnan(labels[i]) || calls[i][a] == 3 || calls[i][b] == 3) continue;
                double y = labels[i] - mean;
                want[calls[i][a]][calls[i][b]] += y, want2 += y * y;
            }
            for (int i = 0; i < 3; i++)
                for (int j = 0; j < 3; j++) bad += fabs(S[i][j] - want[i][j]) > 1e-9;
            bad += fabs(y2 - want2) > 1e-9;
        }
    CHECK(bad == 0);
    gdl_epi_planes_free(&p);
    gdl_dataset_close(d);
}

/* A variant pair lies once in each gene pair: variants 0 and 1 both in genes 0 and 1 form the
 * gene pairs (0, 0), (0, 1) and (1, 1), each counted once; merging two maps adds the counts and
 * keeps the better pair. */
static void test_gene_map_counts_once(void)
{
    int64_t start[3] = {0, 2, 4}, gene[4] = {0, 1, 0, 1};
    epi_select_t sel = {.n = 2, .gene_start = start, .gene = gene};
    epi_gene_map_t m = {0}, other = {0};
    gdl_epi_pair_t weak = {.a = 0, .b = 1, .log_p = -3, .statistic = 10, .df = 4};
    gdl_epi_pair_t strong = {.a = 0, .b = 1, .log_p = -9, .statistic = 30, .df = 4};
    CHECK(gdl_epi_gene_map_add(&m, &sel, 0, 1, &weak) == 0);
    CHECK(m.n == 3);
    int ones = 0;
    for (int64_t i = 0; i < m.cap; i++) ones += m.e[i].key && m.e[i].count == 1;
    CHECK(ones == 3);
    CHECK(gdl_epi_gene_map_add(&other, &sel, 0, 1, &strong) == 0 && gdl_epi_gene_map_merge(&m, &other) == 0);
    int twos = 0;
    for (int64_t i = 0; i < m.cap; i++) twos += m.e[i].key && m.e[i].count == 2 && m.e[i].best.log_p == -9;
    CHECK(m.n == 3 && twos == 3);
    gdl_epi_gene_map_free(&m), gdl_epi_gene_map_free(&other);
}

int main(void)
{
    if (!mkdtemp(dir)) return 1;
    snprintf(path, sizeof path, "%s/c.gdl", dir);
    gdl_log_set_level(GDL_LOG_ERROR);
    if (make_cohort()) return 1;
    RUN(test_tables_match_naive_counts);
    RUN(test_degrees_of_freedom);
    RUN(test_statistic_properties);
    RUN(test_statistic_values);
    RUN(test_chisq_tails);
    RUN(test_heap_keeps_the_best);
    RUN(test_scan_threads_parts_merge);
    RUN(test_pair_columns_align);
    RUN(test_linear_values);
    RUN(test_trait_sums_match_naive);
    RUN(test_gene_map_counts_once);
    unlink(path), rmdir(dir);
    return TEST_EXIT();
}
