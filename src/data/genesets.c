/* The genes of a variant catalog and frequency-matched variant sets (dataset.h): the one place
 * that groups a cohort's variants by catalog:gene, draws the null sets gene-level p-values are
 * measured against, and turns those p-values into q-values (attribution's genes, the pair
 * scan's gene pairs). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "gdl/core.h"
#include "gdl/dataset.h"

static int by_name(const void *x, const void *y)
{
    return strcmp(((const gdl_gene_set_t *)x)->name, ((const gdl_gene_set_t *)y)->name);
}

static int64_t find(const gdl_gene_set_t *genes, int64_t n, const char *name)
{
    int64_t lo = 0, hi = n - 1;
    while (lo <= hi) {
        int64_t mid = (lo + hi) / 2;
        int c = strcmp(genes[mid].name, name);
        if (!c) return mid;
        if (c < 0) lo = mid + 1;
        else hi = mid - 1;
    }
    return -1;
}

int gdl_gene_sets_build(gdl_gene_sets_t *s, const gdl_genotypes_t *g)
{
    int64_t M = g->n_variants, cap = 0;
    memset(s, 0, sizeof *s);
    for (int pass = 0; pass < 2; pass++) { // names first (sorted, unique), then their variants
        for (int64_t j = 0; j < M; j++) {
            char buf[1024];
            if (g->absent && g->absent[j]) continue; // not in the cohort: left out of its genes
            snprintf(buf, sizeof buf, "%s", g->gene[j]);
            char *save = NULL;
            for (char *name = strtok_r(buf, ",", &save); name; name = strtok_r(NULL, ",", &save)) {
                if (pass == 0) {
                    if (s->n == cap) {
                        cap = cap ? 2 * cap : 64;
                        gdl_gene_set_t *t = realloc(s->genes, sizeof *t * (size_t)cap);
                        if (!t) goto oom;
                        s->genes = t;
                    }
                    memset(&s->genes[s->n], 0, sizeof *s->genes);
                    if (!(s->genes[s->n++].name = strdup(name))) goto oom;
                    continue;
                }
                gdl_gene_set_t *e = &s->genes[find(s->genes, s->n, name)];
                if (e->n == e->cap) {
                    e->cap = e->cap ? 2 * e->cap : 8;
                    int64_t *t = realloc(e->var, sizeof *t * (size_t)e->cap);
                    if (!t) goto oom;
                    e->var = t;
                }
                e->var[e->n++] = j;
            }
        }
        if (pass == 0) {
            if (s->n) qsort(s->genes, (size_t)s->n, sizeof *s->genes, by_name);
            int64_t k = 0;
            for (int64_t i = 0; i < s->n; i++) {
                if (k && !strcmp(s->genes[k - 1].name, s->genes[i].name)) {
                    free(s->genes[i].name);
                    continue;
                }
                s->genes[k++] = s->genes[i];
            }
            s->n = k;
        }
    }
    return 0;
oom:
    gdl_log_error("out of memory");
    gdl_gene_sets_free(s);
    return -1;
}

void gdl_gene_sets_free(gdl_gene_sets_t *s)
{
    for (int64_t k = 0; k < s->n; k++) free(s->genes[k].name), free(s->genes[k].var);
    free(s->genes);
    memset(s, 0, sizeof *s);
}

int64_t gdl_gene_sets_find(const gdl_gene_sets_t *s, const char *name)
{
    return find(s->genes, s->n, name);
}

static const double *sort_af;
static int af_cmp(const void *x, const void *y)
{
    double a = sort_af[*(const int64_t *)x], b = sort_af[*(const int64_t *)y];
    return a < b ? -1 : a > b;
}

int gdl_af_order_init(gdl_af_order_t *o, const gdl_genotypes_t *g)
{
    int64_t M = g->n_variants;
    memset(o, 0, sizeof *o);
    if (!(o->af = malloc(sizeof *o->af * (size_t)(M ? M : 1))) || !(o->byaf = malloc(sizeof *o->byaf * (size_t)(M ? M : 1)))) {
        gdl_log_error("out of memory");
        gdl_af_order_free(o);
        return -1;
    }
    for (int64_t j = 0; j < M; j++) {
        o->af[j] = isnan(g->af[j]) ? 0 : g->af[j];
        if (!g->absent || !g->absent[j]) o->byaf[o->n++] = j; // the null sets draw from the variants the cohort has
    }
    gdl_af_order_sort(o, 0, o->n);
    return 0;
}

void gdl_af_order_sort(gdl_af_order_t *o, int64_t a0, int64_t a1)
{
    sort_af = o->af; // qsort has no context argument; orders are not sorted concurrently
    qsort(o->byaf + a0, (size_t)(a1 - a0), sizeof *o->byaf, af_cmp);
}

void gdl_af_order_span(const gdl_af_order_t *o, const int64_t *var, int64_t n, int64_t *a0, int64_t *a1)
{
    double lo = INFINITY, hi = -INFINITY;
    for (int64_t i = 0; i < n; i++) {
        double v = o->af[var[i]];
        lo = v < lo ? v : lo, hi = v > hi ? v : hi;
    }
    int64_t b0 = 0, b1, M = o->n; // [b0, b1): af in [lo, hi]
    while (b0 < M && o->af[o->byaf[b0]] < lo) b0++;
    b1 = b0;
    while (b1 < M && o->af[o->byaf[b1]] <= hi) b1++;
    while (b1 - b0 < 2 * n && (b0 > 0 || b1 < M)) {
        if (b0 > 0) b0--;
        if (b1 < M) b1++;
    }
    *a0 = b0, *a1 = b1;
}

void gdl_af_order_free(gdl_af_order_t *o)
{
    free(o->af), free(o->byaf);
    memset(o, 0, sizeof *o);
}

static const double *sort_p;
static int by_p(const void *x, const void *y) // ascending p, NaN last, ties by index
{
    int64_t i = *(const int64_t *)x, j = *(const int64_t *)y;
    double a = sort_p[i], b = sort_p[j];
    if (isnan(a) != isnan(b)) return isnan(a) ? 1 : -1;
    if (!isnan(a) && a != b) return a < b ? -1 : 1;
    return (i > j) - (i < j);
}

void gdl_bh_qvalues(const double *p, int64_t n, double *q)
{
    int64_t *o = malloc((size_t)(n ? n : 1) * sizeof *o), m = 0;
    if (!o) {
        for (int64_t i = 0; i < n; i++) q[i] = NAN;
        return;
    }
    for (int64_t i = 0; i < n; i++) o[i] = i, m += !isnan(p[i]);
    sort_p = p; // qsort has no context argument; q-values are not computed concurrently
    qsort(o, (size_t)n, sizeof *o, by_p);
    double run = 1;
    for (int64_t r = m - 1; r >= 0; r--) { // q_(r) = min over r' >= r of p_(r') m / r'
        double v = p[o[r]] * (double)m / (double)(r + 1);
        run = v < run ? v : run;
        q[o[r]] = run;
    }
    for (int64_t r = m; r < n; r++) q[o[r]] = NAN;
    free(o);
}
