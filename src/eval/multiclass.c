/* Multi-class targets: argmax accuracy, balanced accuracy (mean recall over the classes that
 * occur), the confusion matrix, and one-vs-rest ROC AUC and average precision per class with
 * their macro mean over the classes where both sides occur. */
#include <stdlib.h>

#include "eval_internal.h"
#include "gdl/core.h"

int gdl_eval_multiclass_rows(const eval_target_t *t, const uint32_t *rows, int64_t n, const uint32_t *w,
                         eval_result_t *res, int keep_curves)
{
    const int K = t->K;
    size_t nn = (size_t)(n > 0 ? n : 1);
    uint64_t *key = gdl_malloc(8 * nn), *tk = gdl_malloc(8 * nn);
    uint32_t *pay = gdl_malloc(4 * nn), *tp = gdl_malloc(4 * nn);
    eval_curve_t tmp = {0};
    int rc = -1;
    if (!res->class_auc) res->class_auc = malloc(sizeof(double) * (size_t)K);
    if (!res->class_ap) res->class_ap = malloc(sizeof(double) * (size_t)K);
    if (!res->class_n) res->class_n = malloc(sizeof(int64_t) * (size_t)K);
    if (!res->confusion) res->confusion = malloc(sizeof(int64_t) * (size_t)K * (size_t)K);
    if (keep_curves && !res->curve) res->curve = calloc((size_t)K, sizeof *res->curve), res->n_curves = K;
    if (!key || !tk || !pay || !tp || !res->class_auc || !res->class_ap || !res->class_n ||
        !res->confusion || (keep_curves && !res->curve))
        goto oom;
    gdl_metrics_t *m = &res->m;
    gdl_metrics_clear(m);
    memset(res->class_n, 0, sizeof(int64_t) * (size_t)K);
    memset(res->confusion, 0, sizeof(int64_t) * (size_t)K * (size_t)K);
    int64_t W = 0;
    for (int64_t i = 0; i < n; i++) {
        uint32_t r = rows[i];
        int64_t wt = w ? w[r] : 1;
        const double *s = t->score + (size_t)r * (size_t)K;
        int best = 0;
        for (int k = 1; k < K; k++)
            if (s[k] > s[best]) best = k;
        int y = (int)t->label[r];
        res->confusion[y * K + best] += wt;
        res->class_n[y] += wt;
        W += wt;
    }
    m->v[GDL_M_N] = (double)W;
    if (W == 0) {
        for (int k = 0; k < K; k++) res->class_auc[k] = res->class_ap[k] = NAN;
        rc = 0;
        goto done;
    }
    int64_t correct = 0;
    double rec = 0;
    int present = 0;
    for (int k = 0; k < K; k++) {
        correct += res->confusion[k * K + k];
        if (res->class_n[k] > 0) rec += (double)res->confusion[k * K + k] / (double)res->class_n[k], present++;
    }
    m->v[GDL_M_ACCURACY] = (double)correct / (double)W;
    m->v[GDL_M_BALANCED_ACCURACY] = rec / present;
    tmp.value = gdl_malloc(8 * nn), tmp.tp = gdl_malloc(4 * nn), tmp.fp = gdl_malloc(4 * nn);
    if (!tmp.value || !tmp.tp || !tmp.fp) goto oom;
    double sum_auc = 0, sum_ap = 0;
    int defined = 0;
    for (int k = 0; k < K; k++) {
        for (int64_t i = 0; i < n; i++) {
            uint32_t r = rows[i];
            key[i] = eval_key(t->score[(size_t)r * (size_t)K + (size_t)k]);
            pay[i] = r << 1 | ((int)t->label[r] == k);
        }
        gdl_eval_sort(key, pay, n, tk, tp);
        eval_curve_t *c = keep_curves ? &res->curve[k] : &tmp;
        if (keep_curves && !c->value) {
            c->value = gdl_malloc(8 * nn), c->tp = gdl_malloc(4 * nn), c->fp = gdl_malloc(4 * nn);
            if (!c->value || !c->tp || !c->fp) goto oom;
        }
        gdl_eval_curve_build(key, pay, n, w, c);
        gdl_metrics_t cm;
        gdl_metrics_clear(&cm);
        gdl_eval_curve_metrics(c, 0.5, &cm, NULL, NULL);
        res->class_auc[k] = cm.v[GDL_M_ROC_AUC];
        res->class_ap[k] = cm.v[GDL_M_PR_AUC];
        if (!isnan(cm.v[GDL_M_ROC_AUC])) sum_auc += cm.v[GDL_M_ROC_AUC], sum_ap += cm.v[GDL_M_PR_AUC], defined++;
    }
    res->single_class = present < 2;
    if (defined) m->v[GDL_M_ROC_AUC] = sum_auc / defined, m->v[GDL_M_PR_AUC] = sum_ap / defined;
    rc = 0;
    goto done;
oom:
    gdl_log_error("out of memory");
done:
    gdl_free(key), gdl_free(tk), gdl_free(pay), gdl_free(tp);
    gdl_eval_curve_free(&tmp);
    return rc;
}

int gdl_eval_multiclass(const double *scores, const int32_t *label, int64_t n, int K,
                        gdl_metrics_t *out, double *class_auc, double *class_ap, int64_t *confusion)
{
    gdl_metrics_clear(out);
    eval_target_t t = {.kind = GDL_EVAL_MULTICLASS, .K = K, .score = (double *)scores};
    eval_result_t res = {0};
    uint32_t *rows = malloc(4 * (size_t)(n > 0 ? n : 1));
    t.label = malloc(sizeof(double) * (size_t)(n > 0 ? n : 1));
    int rc = -1;
    if (!rows || !t.label) {
        gdl_log_error("out of memory");
        goto done;
    }
    for (int64_t i = 0; i < n; i++) {
        if (label[i] < 0 || label[i] >= K) {
            gdl_log_error("label %d of example %lld is not a class in [0, %d)", label[i], (long long)i, K);
            goto done;
        }
        rows[i] = (uint32_t)i, t.label[i] = label[i];
    }
    if (gdl_eval_multiclass_rows(&t, rows, n, NULL, &res, 0) != 0) goto done;
    *out = res.m;
    if (class_auc) memcpy(class_auc, res.class_auc, sizeof(double) * (size_t)K);
    if (class_ap) memcpy(class_ap, res.class_ap, sizeof(double) * (size_t)K);
    if (confusion) memcpy(confusion, res.confusion, sizeof(int64_t) * (size_t)K * (size_t)K);
    rc = 0;
done:
    free(rows), free(t.label);
    free(res.class_auc), free(res.class_ap), free(res.class_n), free(res.confusion);
    return rc;
}
