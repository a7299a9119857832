/* The metric registry and what is done with many values of one metric: averages over
 * targets, mean and sd over folds, percentiles of bootstrap replicates. */
#include <stdlib.h>

#include "eval_internal.h"
#include "gdl/core.h"

enum { B = 1 << GDL_EVAL_BINARY, M = 1 << GDL_EVAL_MULTICLASS, R = 1 << GDL_EVAL_REGRESSION };

static const struct {
    const char *name;
    int kinds;     // kinds that report it
    int averaged;  // aggregated over targets
} metrics[GDL_M_COUNT] = {
    [GDL_M_N] = {"n", B | M | R, 0},
    [GDL_M_N_POS] = {"n_pos", B, 0},
    [GDL_M_ROC_AUC] = {"roc_auc", B | M, 1},
    [GDL_M_PR_AUC] = {"pr_auc", B | M, 1},
    [GDL_M_THRESHOLD] = {"threshold", B, 0},
    [GDL_M_ACCURACY] = {"accuracy", B | M, 1},
    [GDL_M_BALANCED_ACCURACY] = {"balanced_accuracy", M, 0},
    [GDL_M_PRECISION] = {"precision", B, 1},
    [GDL_M_RECALL] = {"recall", B, 1},
    [GDL_M_F1] = {"f1", B, 1},
    [GDL_M_MCC] = {"mcc", B, 1},
    [GDL_M_MSE] = {"mse", R, 1},
    [GDL_M_RMSE] = {"rmse", R, 1},
    [GDL_M_MAE] = {"mae", R, 1},
    [GDL_M_PEARSON] = {"pearson", R, 1},
    [GDL_M_SPEARMAN] = {"spearman", R, 1},
    [GDL_M_R2] = {"r2", R, 1},
};
_Static_assert(GDL_M_COUNT == 17, "add the new metric to the registry above");

const char *const gdl_eval_agg_names[EVAL_AGG_COUNT] = {"macro", "median", "weighted", "micro"};

const char *gdl_eval_kind_name(gdl_eval_kind_t k)
{
    static const char *const names[GDL_EVAL_KIND_COUNT] = {"binary", "multiclass", "regression"};
    return k >= 0 && k < GDL_EVAL_KIND_COUNT ? names[k] : "?";
}

const char *gdl_eval_metric_name(gdl_metric_t m) { return m >= 0 && m < GDL_M_COUNT ? metrics[m].name : "?"; }

int gdl_eval_metric_applies(gdl_metric_t m, gdl_eval_kind_t k)
{
    return m >= 0 && m < GDL_M_COUNT && (metrics[m].kinds >> k & 1);
}

int gdl_eval_metric_averaged(gdl_metric_t m) { return metrics[m].averaged; }

void gdl_metrics_clear(gdl_metrics_t *m)
{
    for (int i = 0; i < GDL_M_COUNT; i++) m->v[i] = NAN;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

double gdl_eval_percentile(const double *sorted, int64_t n, double q)
{
    if (n <= 0) return NAN;
    double at = q * (double)(n - 1);
    int64_t lo = (int64_t)floor(at), hi = lo + 1 < n ? lo + 1 : lo;
    return sorted[lo] + (sorted[hi] - sorted[lo]) * (at - (double)lo);
}

static double median(double *x, int n)
{
    if (n == 0) return NAN;
    qsort(x, (size_t)n, sizeof *x, cmp_double);
    return gdl_eval_percentile(x, n, 0.5);
}

void gdl_eval_aggregate(const eval_preds_t *p, const eval_result_t *r, gdl_metrics_t agg[EVAL_AGG_COUNT],
                    int *n_single)
{
    for (int a = 0; a < EVAL_AGG_COUNT; a++)
        if (a != EVAL_AGG_MICRO) gdl_metrics_clear(&agg[a]);
    double *vals = malloc(sizeof *vals * (size_t)(p->T > 0 ? p->T : 1));
    int single = 0;
    for (int t = 0; t < p->T; t++)
        single += p->targets[t].kind == GDL_EVAL_BINARY && r[t].single_class;
    if (n_single) *n_single = single;
    for (int m = 0; m < GDL_M_COUNT && vals; m++) {
        if (!metrics[m].averaged) continue;
        // binary metrics over the binary targets with both classes; regression over regression
        gdl_eval_kind_t kind = metrics[m].kinds & R ? GDL_EVAL_REGRESSION : GDL_EVAL_BINARY;
        int n = 0;
        double sum = 0, wsum = 0, wtot = 0;
        for (int t = 0; t < p->T; t++) {
            if (p->targets[t].kind != kind || r[t].single_class) continue;
            double v = r[t].m.v[m];
            if (isnan(v)) continue;
            vals[n++] = v;
            sum += v;
            if (kind == GDL_EVAL_BINARY) {
                double w = p->weights.w ? p->weights.w[t] : r[t].m.v[GDL_M_N_POS] / r[t].m.v[GDL_M_N];
                if (!isnan(w)) wsum += w * v, wtot += w;
            }
        }
        if (n == 0) continue;
        agg[EVAL_AGG_MACRO].v[m] = sum / n;
        agg[EVAL_AGG_MEDIAN].v[m] = median(vals, n);
        if (kind == GDL_EVAL_BINARY && wtot > 0) agg[EVAL_AGG_WEIGHTED].v[m] = wsum / wtot;
    }
    free(vals);
}

/* mean and sample sd of the defined values among x[i * stride] */
static void mean_sd(const double *x, int n, size_t stride, double *mean, double *sd)
{
    double s = 0;
    int k = 0;
    for (int i = 0; i < n; i++)
        if (!isnan(x[i * stride])) s += x[i * stride], k++;
    *mean = k ? s / k : NAN;
    if (k < 2) {
        *sd = NAN;
        return;
    }
    double ss = 0;
    for (int i = 0; i < n; i++)
        if (!isnan(x[i * stride])) ss += (x[i * stride] - *mean) * (x[i * stride] - *mean);
    *sd = sqrt(ss / (k - 1));
}

int gdl_eval_fold_summary(const eval_preds_t *p, const eval_set_t *folds, int F, eval_fold_summary_t *fs)
{
    memset(fs, 0, sizeof *fs);
    fs->mean = malloc(sizeof *fs->mean * (size_t)(p->T > 0 ? p->T : 1));
    fs->sd = malloc(sizeof *fs->sd * (size_t)(p->T > 0 ? p->T : 1));
    double *x = malloc(sizeof *x * (size_t)F);
    if (!fs->mean || !fs->sd || !x) {
        free(x);
        gdl_eval_fold_summary_free(fs);
        gdl_log_error("out of memory");
        return -1;
    }
    for (int t = 0; t < p->T; t++)
        for (int m = 0; m < GDL_M_COUNT; m++) {
            for (int f = 0; f < F; f++) x[f] = folds[f].r[t].m.v[m];
            mean_sd(x, F, 1, &fs->mean[t].v[m], &fs->sd[t].v[m]);
        }
    for (int a = 0; a < EVAL_AGG_COUNT; a++)
        for (int m = 0; m < GDL_M_COUNT; m++) {
            for (int f = 0; f < F; f++) x[f] = folds[f].agg[a].v[m];
            mean_sd(x, F, 1, &fs->agg_mean[a].v[m], &fs->agg_sd[a].v[m]);
        }
    free(x);
    return 0;
}

void gdl_eval_fold_summary_free(eval_fold_summary_t *fs)
{
    free(fs->mean), free(fs->sd);
    fs->mean = fs->sd = NULL;
}
