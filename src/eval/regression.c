/* Regression metrics: MSE, RMSE, MAE, Pearson, Spearman (Pearson of average ranks, ties
 * sharing the mean of their positions), R^2. Sums are two-pass in double (means first), and
 * every sum takes integer weights so the bootstrap can reuse it on resampled counts. */
#include <stdlib.h>

#include "eval_internal.h"
#include "gdl/core.h"

/* Weighted Pearson correlation of x[idx[i]] and y[idx[i]]; NAN when a variance is 0. */
static double pearson(const double *x, const double *y, const uint32_t *idx, int64_t n,
                      const uint32_t *w)
{
    double W = 0, mx = 0, my = 0;
    for (int64_t i = 0; i < n; i++) {
        uint32_t r = idx[i];
        double wt = w ? w[r] : 1;
        W += wt, mx += wt * x[r], my += wt * y[r];
    }
    if (W <= 0) return NAN;
    mx /= W, my /= W;
    double sxy = 0, sxx = 0, syy = 0;
    for (int64_t i = 0; i < n; i++) {
        uint32_t r = idx[i];
        double wt = w ? w[r] : 1, dx = x[r] - mx, dy = y[r] - my;
        sxy += wt * dx * dy, sxx += wt * dx * dx, syy += wt * dy * dy;
    }
    if (!(sxx > 0) || !(syy > 0)) return NAN;
    return sxy / sqrt(sxx * syy);
}

/* rank[row] = average 1-based rank among the weighted rows, order = rows sorted by v. */
static void average_ranks(const double *v, const uint32_t *order, int64_t n, const uint32_t *w,
                          double *rank)
{
    double before = 0;
    for (int64_t i = 0; i < n;) {
        int64_t j = i;
        double Wg = 0;
        for (; j < n && v[order[j]] == v[order[i]]; j++) Wg += w ? w[order[j]] : 1;
        double r = before + (Wg + 1) / 2;
        for (int64_t k = i; k < j; k++) rank[order[k]] = r;
        before += Wg;
        i = j;
    }
}

void gdl_eval_regression_weighted(const double *pred, const double *label, const uint32_t *idx,
                              const uint32_t *by_pred, const uint32_t *by_label, int64_t n,
                              const uint32_t *w, gdl_metrics_t *m)
{
    double W = 0, se = 0, ae = 0, my = 0;
    for (int64_t i = 0; i < n; i++) {
        uint32_t r = idx[i];
        double wt = w ? w[r] : 1, d = pred[r] - label[r];
        W += wt, se += wt * d * d, ae += wt * fabs(d), my += wt * label[r];
    }
    m->v[GDL_M_N] = W;
    if (W <= 0) return;
    m->v[GDL_M_MSE] = se / W;
    m->v[GDL_M_RMSE] = sqrt(se / W);
    m->v[GDL_M_MAE] = ae / W;
    my /= W;
    double tot = 0;
    for (int64_t i = 0; i < n; i++) {
        uint32_t r = idx[i];
        double d = label[r] - my;
        tot += (w ? w[r] : 1) * d * d;
    }
    m->v[GDL_M_R2] = tot > 0 ? 1 - se / tot : NAN;
    m->v[GDL_M_PEARSON] = pearson(pred, label, idx, n, w);
    // ranks live in arrays indexed by row: size them by the largest row
    uint32_t rmax = 0;
    for (int64_t i = 0; i < n; i++) rmax = idx[i] > rmax ? idx[i] : rmax;
    double *rp = malloc(sizeof *rp * ((size_t)rmax + 1)), *ry = malloc(sizeof *ry * ((size_t)rmax + 1));
    if (rp && ry) {
        average_ranks(pred, by_pred, n, w, rp);
        average_ranks(label, by_label, n, w, ry);
        m->v[GDL_M_SPEARMAN] = pearson(rp, ry, idx, n, w);
    } else {
        gdl_log_warn("out of memory: Spearman left null");
    }
    free(rp), free(ry);
}

/* rows sorted by v[row] (stable radix on order-preserving keys) */
int gdl_eval_sort_rows(const double *v, const uint32_t *idx, int64_t n, uint32_t *out)
{
    size_t nn = (size_t)(n > 0 ? n : 1);
    uint64_t *key = gdl_malloc(8 * nn), *tk = gdl_malloc(8 * nn);
    uint32_t *tp = gdl_malloc(4 * nn);
    if (!key || !tk || !tp) {
        gdl_free(key), gdl_free(tk), gdl_free(tp);
        return -1;
    }
    for (int64_t i = 0; i < n; i++) key[i] = eval_key(v[idx[i]] + 0.0), out[i] = idx[i];
    gdl_eval_sort(key, out, n, tk, tp);
    gdl_free(key), gdl_free(tk), gdl_free(tp);
    return 0;
}

int gdl_eval_regression(const double *pred, const double *label, int64_t n, gdl_metrics_t *out)
{
    gdl_metrics_clear(out);
    size_t nn = (size_t)(n > 0 ? n : 1);
    uint32_t *idx = malloc(4 * nn), *bp = malloc(4 * nn), *bl = malloc(4 * nn);
    int rc = -1;
    if (!idx || !bp || !bl) {
        gdl_log_error("out of memory");
        goto done;
    }
    for (int64_t i = 0; i < n; i++) idx[i] = (uint32_t)i;
    if (gdl_eval_sort_rows(pred, idx, n, bp) != 0 || gdl_eval_sort_rows(label, idx, n, bl) != 0) goto done;
    gdl_eval_regression_weighted(pred, label, idx, bp, bl, n, NULL, out);
    rc = 0;
done:
    free(idx), free(bp), free(bl);
    return rc;
}
