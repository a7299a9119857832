/* The pairs table of gdl epistasis (its columns: docs/formats.md; their meaning: gdl.1): written by a scan and by a merge, and
 * read back by the merge. The '#' lines record the run, so a merge can check that its parts
 * belong together and add their tests up. */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "epi_internal.h"
#include "gdl/core.h"
#include "gdl/dataops.h"

#define N_FIXED 12 // columns before the counts: 18 of them (cases, controls), or 9 for a quantitative target
#define MAX_COLS (N_FIXED + 18)

static const char *const fixed_cols[N_FIXED] = {
    "rank", "variant_a", "variant_b", "gene_a", "gene_b", "interaction",
    "statistic", "df", "p_value", "p_bonferroni", "index_a", "index_b"};

static int n_cols(int quantitative)
{
    return N_FIXED + (quantitative ? 9 : 18);
}

static void header_line(char *buf, size_t size, int quantitative)
{
    size_t len = 0;
    for (int c = 0; c < N_FIXED; c++) len += (size_t)snprintf(buf + len, size - len, "%s%s", c ? "\t" : "", fixed_cols[c]);
    for (int k = quantitative ? 0 : 1; k >= 0; k--)
        for (int i = 0; i < 3; i++)
            for (int j = 0; j < 3; j++)
                len += (size_t)snprintf(buf + len, size - len, "\t%s_%d%d", quantitative ? "n" : k ? "case" : "control", i, j);
}

static const char *const test_names[2] = {
    "BOOST: likelihood ratio of the log-linear model without the three-way term, chi-square (case/control)",
    "linear: y = b0 + b1 a + b2 b + b3 a b, (b3 / se)^2, chi-square 1 df (quantitative)"};

void gdl_epi_format_p(char *buf, size_t size, double log_p)
{
    if (log_p > -700) {
        snprintf(buf, size, "%.4g", exp(log_p));
        return;
    }
    double l10 = log_p / M_LN10, e = floor(l10), m = pow(10, l10 - e);
    if (m >= 9.9995) m /= 10, e += 1;
    snprintf(buf, size, "%.3fe%.0f", m, e);
}

int gdl_epi_table_write(FILE *fp, const epi_run_t *run, const gdl_epi_pair_t *rows, int64_t n,
                    const gdl_genotypes_t *g, char *const *names, char *const *genes)
{
    char head[1024];
    double log_tests = run->tests > 0 ? log((double)run->tests) : 0;
    fprintf(fp, "# gdl epistasis: pairs of variants tested for interaction, best first\n");
    fprintf(fp, "# dataset\t%s\n# target\t%s\n# test\t%s\n", run->dataset, run->target, test_names[run->quantitative]);
    fprintf(fp, "# samples\t%lld\tcases\t%lld\tcontrols\t%lld\tvariants\t%lld\n", (long long)run->samples,
            (long long)run->cases, (long long)run->controls, (long long)run->variants);
    fprintf(fp, "# part\t%d/%d\tpairs\t%lld\ttests\t%lld\tfitted\t%lld\n", run->part, run->parts,
            (long long)run->pairs, (long long)run->tests, (long long)run->fitted);
    fprintf(fp, "# selection\t%s\n", run->selection);
    fprintf(fp, "# screen\t%.6g\tpvalue\t%.6g\ttop\t%lld\n", run->screen, run->pvalue, (long long)run->top);
    fprintf(fp, "# bonferroni\tp_bonferroni = min(1, p x %lld tests); p < %.4g passes at 0.05\n",
            (long long)run->tests, run->tests > 0 ? 0.05 / (double)run->tests : 0.05);
    header_line(head, sizeof head, run->quantitative);
    fprintf(fp, "%s\n", head);
    for (int64_t r = 0; r < n; r++) {
        const gdl_epi_pair_t *e = &rows[r];
        char ba[512], bb[512], p[32], pb[32];
        const char *na, *nb, *ga, *gb;
        if (g) {
            na = gdl_genotypes_variant_name(g, e->a, ba, sizeof ba);
            nb = gdl_genotypes_variant_name(g, e->b, bb, sizeof bb);
            ga = *g->gene[e->a] ? g->gene[e->a] : ".", gb = *g->gene[e->b] ? g->gene[e->b] : ".";
        } else {
            na = names[2 * r], nb = names[2 * r + 1], ga = genes[2 * r], gb = genes[2 * r + 1];
        }
        gdl_epi_format_p(p, sizeof p, e->log_p);
        gdl_epi_format_p(pb, sizeof pb, e->log_p + log_tests < 0 ? e->log_p + log_tests : 0);
        fprintf(fp, "%lld\t%s\t%s\t%s\t%s\t%.6g\t%.10g\t%d\t%s\t%s\t%lld\t%lld", (long long)(r + 1), na, nb, ga,
                gb, e->interaction, e->statistic, e->df, p, pb, (long long)e->a, (long long)e->b);
        for (int k = run->quantitative ? 0 : 1; k >= 0; k--)
            for (int i = 0; i < 3; i++)
                for (int j = 0; j < 3; j++) fprintf(fp, "\t%u", e->n[k][i][j]);
        fputc('\n', fp);
    }
    return ferror(fp) ? (gdl_log_error("write error: %s", strerror(errno)), -1) : 0;
}

/* ---- reading ------------------------------------------------------------------------------- */

static int parse_i64(const char *s, int64_t *out)
{
    char *end;
    errno = 0;
    long long v = strtoll(s, &end, 10);
    if (errno || end == s || *end) return -1;
    *out = v;
    return 0;
}

static int parse_f64(const char *s, double *out)
{
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (errno == ERANGE && v != 0) return -1;
    if (end == s || *end || !isfinite(v)) return -1;
    *out = v;
    return 0;
}

/* A '#' line of the header: "# key<TAB>value..." into t->run. 0, or -1 (not understood). */
static int parse_run_line(char *line, epi_run_t *run, int *seen)
{
    char *f[16];
    int nf = gdl_split_tabs(line + 2, f, 15);
    if (strncmp(line, "# ", 2) != 0 || nf < 1) return -1;
    if (strncmp(f[0], "gdl epistasis", 13) == 0 || strcmp(f[0], "bonferroni") == 0) return 0;
    if (nf == 2 && strcmp(f[0], "dataset") == 0) {
        snprintf(run->dataset, sizeof run->dataset, "%s", f[1]);
        *seen |= 1;
        return 0;
    }
    if (nf == 2 && strcmp(f[0], "target") == 0) {
        snprintf(run->target, sizeof run->target, "%s", f[1]);
        *seen |= 2;
        return 0;
    }
    if (nf == 8 && strcmp(f[0], "samples") == 0) {
        *seen |= 4;
        return parse_i64(f[1], &run->samples) || parse_i64(f[3], &run->cases) ||
               parse_i64(f[5], &run->controls) || parse_i64(f[7], &run->variants) ? -1 : 0;
    }
    if (nf == 8 && strcmp(f[0], "part") == 0) {
        *seen |= 8;
        if (sscanf(f[1], "%d/%d", &run->part, &run->parts) != 2 || run->part < 1 || run->part > run->parts) return -1;
        return parse_i64(f[3], &run->pairs) || parse_i64(f[5], &run->tests) || parse_i64(f[7], &run->fitted) ? -1 : 0;
    }
    if (nf == 6 && strcmp(f[0], "screen") == 0) {
        *seen |= 16;
        return parse_f64(f[1], &run->screen) || parse_f64(f[3], &run->pvalue) || parse_i64(f[5], &run->top) ? -1 : 0;
    }
    if (nf == 2 && strcmp(f[0], "test") == 0) {
        for (int q = 0; q < 2; q++)
            if (strcmp(f[1], test_names[q]) == 0) run->quantitative = q, *seen |= 64;
        return *seen & 64 ? 0 : -1;
    }
    if (nf == 2 && strcmp(f[0], "selection") == 0) {
        snprintf(run->selection, sizeof run->selection, "%s", f[1]);
        *seen |= 32;
        return 0;
    }
    return -1;
}

static int push_str(char ***v, int64_t i, const char *s)
{
    return ((*v)[i] = strdup(s)) ? 0 : -1;
}

int gdl_epi_table_read(const char *path, epi_table_t *t)
{
    gdl_lines_t r = {0};
    char head[1024], *line, *f[MAX_COLS + 1];
    int seen = 0, in_rows = 0;
    int64_t cap = 0;
    memset(t, 0, sizeof *t);
    if (gdl_lines_open(&r, path) != 0) return -1;
    while ((line = gdl_lines_next(&r))) {
        if (!in_rows) {
            if (line[0] == '#') {
                if (parse_run_line(line, &t->run, &seen) != 0) goto bad_header;
                continue;
            }
            if (seen != 127) goto bad_header;
            header_line(head, sizeof head, t->run.quantitative);
            if (strcmp(line, head) != 0) goto bad_columns;
            in_rows = 1;
            continue;
        }
        int nc = n_cols(t->run.quantitative);
        if (gdl_split_tabs(line, f, nc) != nc) goto bad_row;
        if (t->n == cap) {
            cap = cap ? 2 * cap : 256;
            gdl_epi_pair_t *rows = realloc(t->rows, (size_t)cap * sizeof *rows);
            char **names = rows ? realloc(t->names, (size_t)(2 * cap) * sizeof *names) : NULL;
            if (rows) t->rows = rows;
            if (names) t->names = names;
            char **genes = names ? realloc(t->genes, (size_t)(2 * cap) * sizeof *genes) : NULL;
            if (genes) t->genes = genes;
            if (!genes) goto oom;
        }
        gdl_epi_pair_t *e = &t->rows[t->n];
        int64_t rank, df, x;
        memset(e, 0, sizeof *e);
        if (parse_i64(f[0], &rank) || rank != t->n + 1 || parse_f64(f[5], &e->interaction) ||
            parse_f64(f[6], &e->statistic) || e->statistic < 0 || parse_i64(f[7], &df) ||
            (df != 1 && df != 2 && df != 4) || parse_i64(f[10], &e->a) || parse_i64(f[11], &e->b) || e->a < 0 ||
            e->b <= e->a)
            goto bad_row;
        for (int c = 0; c < nc - N_FIXED; c++) {
            if (parse_i64(f[N_FIXED + c], &x) || x < 0 || x > UINT32_MAX) goto bad_row;
            int k = c < 9 && !t->run.quantitative ? 1 : 0, i = (c % 9) / 3, j = c % 3;
            e->n[k][i][j] = (uint32_t)x;
        }
        e->df = (int)df;
        t->names[2 * t->n] = t->names[2 * t->n + 1] = t->genes[2 * t->n] = t->genes[2 * t->n + 1] = NULL;
        e->log_p = gdl_epi_chisq_log_p(e->statistic, e->df);
        if (push_str(&t->names, 2 * t->n, f[1]) || push_str(&t->names, 2 * t->n + 1, f[2]) ||
            push_str(&t->genes, 2 * t->n, f[3]) || push_str(&t->genes, 2 * t->n + 1, f[4])) {
            t->n++; // the strings pushed so far are freed with the row
            goto oom;
        }
        t->n++;
    }
    if (gdl_lines_failed(&r)) goto fail;
    if (!in_rows) {
        gdl_log_error("%s: no column header line: not a gdl epistasis table", path);
        goto fail;
    }
    gdl_lines_close(&r);
    return 0;
bad_header:
    gdl_log_error("%s:%lld: not a gdl epistasis header line (or one is missing)", path, (long long)r.lineno);
    goto fail;
bad_columns:
    gdl_log_error("%s:%lld: not the columns of a gdl epistasis table", path, (long long)r.lineno);
    goto fail;
bad_row:
    gdl_log_error("%s:%lld: malformed row (%d columns expected, ranks from 1, 0 <= index_a < index_b, "
                  "df 1, 2 or 4, counts >= 0)", path, (long long)r.lineno, n_cols(t->run.quantitative));
    goto fail;
oom:
    gdl_log_error("%s: out of memory", path);
fail:
    gdl_lines_close(&r);
    gdl_epi_table_free(t);
    return -1;
}

void gdl_epi_table_free(epi_table_t *t)
{
    for (int64_t i = 0; i < 2 * t->n; i++) {
        if (t->names) free(t->names[i]);
        if (t->genes) free(t->genes[i]);
    }
    free(t->rows), free(t->names), free(t->genes);
    memset(t, 0, sizeof *t);
}
