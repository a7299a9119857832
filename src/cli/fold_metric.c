/* The held-out metric of a fold's scores, for gdl train's fold lines and gdl tune's trials. */
#include <math.h>
#include <stdlib.h>

#include "cli.h"
#include "gdl/eval.h"
#include "gdl/model.h"

/* A fold's main metric, as gdl eval computes it: by default the mean ROC AUC over binary targets
 * with both classes, the accuracy of a categorical target, the mean R^2 of regression targets (not
 * Pearson r, which ignores the scale: choosing a penalty by it over-shrinks); arg, when not NULL,
 * points at the gdl_metric_t to use instead. */
double cli_fold_metric(const gdl_runner_t *r, const int64_t *rows, int64_t n, const float *scores,
                       const char **name, const void *arg)
{
    const gdl_model_t *m = r->m;
    const gdl_dataset_t *d = r->d;
    double *s = malloc((n * m->n_out + 1) * sizeof *s), *y = malloc((n + 1) * sizeof *y), sum = 0;
    uint8_t *yb = malloc(n + 1);
    int32_t *yc = malloc((n + 1) * sizeof *yc);
    int counted = 0;
    gdl_metrics_t mt;
    if (!s || !y || !yb || !yc) goto out;
    for (int t = 0; t < m->n_targets; t++) {
        int64_t k = 0, col = r->target_index[t];
        for (int64_t i = 0; i < n; i++) {
            float v = col < 0 ? NAN : d->labels[rows[i] * d->n_targets + col];
            if (isnan(v)) continue;
            if (m->kind == GDL_TARGET_CATEGORICAL) {
                for (int c = 0; c < m->n_out; c++) s[k * m->n_out + c] = scores[i * m->n_out + c];
                yc[k] = (int32_t)v;
            } else {
                s[k] = scores[i * m->n_out + t];
                y[k] = v;
                yb[k] = v > 0.5f;
            }
            k++;
        }
        int ok = m->kind == GDL_TARGET_BINARY ? gdl_eval_binary(s, yb, k, 0.5, &mt)
                 : m->kind == GDL_TARGET_REGRESSION ? gdl_eval_regression(s, y, k, &mt)
                                                    : gdl_eval_multiclass(s, yc, k, m->n_out, &mt, NULL, NULL, NULL);
        gdl_metric_t which = arg ? *(const gdl_metric_t *)arg
                             : m->kind == GDL_TARGET_BINARY ? GDL_M_ROC_AUC
                             : m->kind == GDL_TARGET_REGRESSION ? GDL_M_R2 : GDL_M_ACCURACY;
        *name = gdl_eval_metric_name(which);
        if (ok == 0 && k > 0 && !isnan(mt.v[which])) sum += mt.v[which], counted++;
    }
out:
    free(s), free(y), free(yb), free(yc);
    return counted ? sum / counted : NAN;
}

