/* Pairs: the adenocarcinoma study's "combinations of genes". Among the top K variants by attribution, the
 * interaction of a and b on a background sample is f(a, b) - f(a) - f(b) + f(none), each term
 * the score with a and b set to carrier (named) or 0 (not named) and every other variant as the
 * sample has it; averaged over the background samples and ranked by its size. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "attr_internal.h"

typedef struct {
    int64_t a, b;
    double sum;
} pair_t;

static int by_size(const void *x, const void *y)
{
    const pair_t *p = x, *q = y;
    double u = fabs(p->sum), v = fabs(q->sum);
    if (u != v) return u > v ? -1 : 1;
    if (p->a != q->a) return p->a < q->a ? -1 : 1;
    return (p->b > q->b) - (p->b < q->b);
}

int gdl_attr_pairs(gdl_attr_t *a, const double *score, int K, const int64_t *bg, int64_t nb,
               const char *path)
{
    const gdl_genotypes_t *g = a->d->geno;
    int64_t M = g->n_variants, W = a->W, B = a->spec.batch;
    if (K > M) K = (int)M;
    int64_t np = (int64_t)K * (K - 1) / 2, *top = malloc(sizeof *top * (size_t)M);
    pair_t *pairs = calloc((size_t)(np ? np : 1), sizeof *pairs);
    float *x = malloc(sizeof *x * (size_t)W), *f = malloc(sizeof *f * (size_t)B);
    int rc = -1;
    gdl_outfile_t out;
    if (!top || !pairs || !x || !f) {
        gdl_log_error("out of memory");
        goto fail;
    }
    // the top K by score (ties by index), by selection: K is small
    char *taken = calloc((size_t)M, 1);
    if (!taken) {
        gdl_log_error("out of memory");
        goto fail;
    }
    for (int k = 0; k < K; k++) {
        int64_t best = -1;
        for (int64_t j = 0; j < M; j++)
            if (!taken[j] && !isnan(score[j]) && (best < 0 || score[j] > score[best])) best = j;
        if (best < 0) {
            K = k;
            break;
        }
        taken[best] = 1;
        top[k] = best;
    }
    free(taken);
    np = (int64_t)K * (K - 1) / 2;
    for (int i = 0, p = 0; i < K; i++)
        for (int j = i + 1; j < K; j++, p++) pairs[p].a = top[i], pairs[p].b = top[j];
    for (int64_t s = 0; s < nb; s++) {
        if (gdl_attr_input(a, &bg[s], 1, x) != 0) goto fail;
        for (int64_t r = 0; r < B; r++) a->rowbuf[r] = bg[s];
        // jobs: pair p, state q (bit 0: a carrier, bit 1: b carrier)
        for (int64_t j0 = 0; j0 < 4 * np; j0 += B) {
            int64_t n = 4 * np - j0 < B ? 4 * np - j0 : B;
            for (int64_t r = 0; r < n; r++) {
                const pair_t *p = &pairs[(j0 + r) / 4];
                int q = (int)((j0 + r) % 4);
                float *xr = a->x2 + r * W;
                memcpy(xr, x, sizeof *x * (size_t)W);
                xr[p->a] = q & 1 ? ATTR_CARRIER : 0;
                xr[p->b] = q & 2 ? ATTR_CARRIER : 0;
            }
            if (gdl_attr_score(a, a->rowbuf, n, a->x2, f) != 0) goto fail;
            for (int64_t r = 0; r < n; r++) {
                int q = (int)((j0 + r) % 4);
                double sign = (q == 0 || q == 3) ? 1 : -1;
                pairs[(j0 + r) / 4].sum += sign * f[r];
            }
        }
    }
    for (int64_t p = 0; p < np; p++) pairs[p].sum /= (double)(nb ? nb : 1);
    qsort(pairs, (size_t)np, sizeof *pairs, by_size);
    if (gdl_outfile_open(&out, path) != 0) goto fail;
    fprintf(out.fp, "rank\tvariant_a\tvariant_b\tgene_a\tgene_b\tinteraction\n");
    for (int64_t p = 0; p < np; p++) {
        char ba[256], bb[256];
        const pair_t *e = &pairs[p];
        fprintf(out.fp, "%lld\t%s\t%s\t%s\t%s\t%.6g\n", (long long)(p + 1),
                gdl_genotypes_variant_name(g, e->a, ba, sizeof ba), gdl_genotypes_variant_name(g, e->b, bb, sizeof bb),
                *g->gene[e->a] ? g->gene[e->a] : ".", *g->gene[e->b] ? g->gene[e->b] : ".", e->sum);
    }
    rc = gdl_outfile_commit(&out);
fail:
    free(top), free(pairs), free(x), free(f);
    return rc;
}
