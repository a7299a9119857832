/* Percentile bootstrap. Replicate b draws N rows with replacement from the RNG stream
 * GDL_EVAL_RNG_STREAM + b seeded by --seed, the same draw for every target (so the intervals of
 * averages over targets keep the targets' correlation). A drawn row counts as often as it was
 * drawn: each target's metrics are recomputed with those counts as integer weights over the
 * order already sorted for the point estimate, so a replicate costs O(N) per target.
 * A replicate where a metric is undefined (one class drawn) is left out of that interval. */
#include <stdlib.h>

#include "eval_internal.h"
#include "gdl/core.h"

typedef struct {
    const eval_preds_t *p;
    const eval_set_t *s;
    const uint32_t *w;
    double thr;
    eval_result_t *rep; // (T)
    int failed[GDL_MAX_THREADS]; // per chunk
} boot_ctx_t;

static void boot_range(void *arg, int64_t begin, int64_t end, int chunk)
{
    boot_ctx_t *x = arg;
    size_t nn = (size_t)(x->p->N > 0 ? x->p->N : 1);
    // one curve's worth of scratch for the chunk, reused by its targets
    eval_curve_t c = {.value = gdl_big_alloc(8 * nn), .tp = gdl_big_alloc(4 * nn), .fp = gdl_big_alloc(4 * nn)};
    if (!c.value || !c.tp || !c.fp) x->failed[chunk] = 1;
    for (int64_t ti = begin; ti < end && !x->failed[chunk]; ti++) {
        const eval_target_t *t = &x->p->targets[ti];
        const eval_result_t *base = &x->s->r[ti];
        eval_result_t *res = &x->rep[ti];
        gdl_metrics_clear(&res->m);
        int64_t n = base->n_rows;
        if (t->kind == GDL_EVAL_BINARY) {
            gdl_eval_curve_build_rows(t->fscore, base->rows, n, x->w, &c);
            gdl_eval_curve_metrics(&c, x->thr, &res->m, NULL, NULL);
            res->single_class = c.P == 0 || c.Nn == 0;
        } else if (t->kind == GDL_EVAL_MULTICLASS) {
            if (gdl_eval_multiclass_rows(t, base->rows, n, x->w, res, 0) != 0) x->failed[chunk] = 1;
        } else {
            gdl_eval_regression_weighted(t->score, t->label, base->rows, base->by_pred, base->by_label,
                                     n, x->w, &res->m);
        }
    }
    gdl_big_free(c.value, 8 * nn), gdl_big_free(c.tp, 4 * nn), gdl_big_free(c.fp, 4 * nn);
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* interval of the defined values among x (B), sorted in place */
static void interval(double *x, int B, double level, double *lo, double *hi)
{
    int n = 0;
    for (int b = 0; b < B; b++)
        if (!isnan(x[b])) x[n++] = x[b];
    qsort(x, (size_t)n, sizeof *x, cmp_double);
    *lo = gdl_eval_percentile(x, n, (1 - level) / 2);
    *hi = gdl_eval_percentile(x, n, 1 - (1 - level) / 2);
}

int gdl_eval_bootstrap(const eval_preds_t *p, const eval_set_t *s, double thr, int B, uint64_t seed,
                   double level, eval_ci_t *ci)
{
    const int T = p->T, M = GDL_M_COUNT, A = EVAL_AGG_COUNT;
    memset(ci, 0, sizeof *ci);
    ci->B = B, ci->seed = seed, ci->level = level;
    uint32_t *w = malloc(sizeof *w * (size_t)p->N);
    eval_result_t *rep = calloc((size_t)T, sizeof *rep);
    double *vals = malloc(sizeof *vals * (size_t)T * M * (size_t)B);
    double *avals = malloc(sizeof *avals * (size_t)A * M * (size_t)B);
    ci->lo = malloc(sizeof *ci->lo * (size_t)T);
    ci->hi = malloc(sizeof *ci->hi * (size_t)T);
    int rc = -1;
    if (!w || !rep || !vals || !avals || !ci->lo || !ci->hi) {
        gdl_log_error("out of memory for %d bootstrap replicates", B);
        goto done;
    }
    for (int b = 0; b < B; b++) {
        gdl_rng_t rng;
        gdl_rng_init(&rng, seed, GDL_EVAL_RNG_STREAM + (uint64_t)b);
        memset(w, 0, sizeof *w * (size_t)p->N);
        for (int64_t i = 0; i < p->N; i++) w[gdl_rng_below(&rng, (uint64_t)p->N)]++;
        boot_ctx_t x = {.p = p, .s = s, .w = w, .thr = thr, .rep = rep};
        gdl_parallel_for(T, boot_range, &x);
        for (int c = 0; c < GDL_MAX_THREADS; c++)
            if (x.failed[c]) {
                gdl_log_error("out of memory in bootstrap replicate %d", b);
                goto done;
            }
        gdl_metrics_t agg[EVAL_AGG_COUNT];
        gdl_eval_aggregate(p, rep, agg, NULL);
        for (int t = 0; t < T; t++)
            for (int m = 0; m < M; m++) vals[((size_t)t * M + m) * B + b] = rep[t].m.v[m];
        for (int a = 0; a < A; a++)
            for (int m = 0; m < M; m++)
                avals[((size_t)a * M + m) * B + b] = a == EVAL_AGG_MICRO ? NAN : agg[a].v[m];
    }
    for (int t = 0; t < T; t++)
        for (int m = 0; m < M; m++)
            interval(vals + ((size_t)t * M + m) * B, B, level, &ci->lo[t].v[m], &ci->hi[t].v[m]);
    for (int a = 0; a < A; a++)
        for (int m = 0; m < M; m++)
            interval(avals + ((size_t)a * M + m) * B, B, level, &ci->agg_lo[a].v[m], &ci->agg_hi[a].v[m]);
    rc = 0;
done:
    if (rep)
        for (int t = 0; t < T; t++)
            free(rep[t].class_auc), free(rep[t].class_ap), free(rep[t].class_n), free(rep[t].confusion);
    free(rep), free(w), free(vals), free(avals);
    if (rc != 0) gdl_eval_ci_free(ci);
    return rc;
}

void gdl_eval_ci_free(eval_ci_t *ci)
{
    free(ci->lo), free(ci->hi);
    ci->lo = ci->hi = NULL;
}
