/* Metrics of every target over one set of rows (all of them, or one fold), targets in
 * parallel. Each target's labelled rows are gathered, sorted once by score, and every ranking
 * metric is read off that order. */
#include <stdlib.h>

#include "eval_internal.h"
#include "gdl/core.h"

typedef struct {
    const eval_preds_t *p;
    int fold;
    const eval_set_opts_t *o;
    eval_set_t *s;
    int failed[64];
} set_ctx_t;

/* the labelled rows of target t in the set */
static int64_t gather(const eval_preds_t *p, const eval_target_t *t, int fold, uint32_t *rows)
{
    int64_t n = 0;
    for (int64_t r = 0; r < p->N; r++)
        if (!isnan(t->label[r]) && (fold < 0 || p->fold[r] == fold)) rows[n++] = (uint32_t)r;
    return n;
}

/* Copies a curve into arrays of its own size: most targets have far fewer distinct scores
 * than rows only when scores are rounded, but it never costs more. */
static int shrink(eval_curve_t *c)
{
    size_t G = (size_t)(c->G > 0 ? c->G : 1);
    double *v = gdl_malloc(8 * G);
    uint32_t *tp = gdl_malloc(4 * G), *fp = gdl_malloc(4 * G);
    if (!v || !tp || !fp) {
        gdl_free(v), gdl_free(tp), gdl_free(fp);
        return -1;
    }
    memcpy(v, c->value, 8 * (size_t)c->G);
    memcpy(tp, c->tp, 4 * (size_t)c->G);
    memcpy(fp, c->fp, 4 * (size_t)c->G);
    eval_curve_free(c);
    c->value = v, c->tp = tp, c->fp = fp;
    return 0;
}

static int one_binary(const eval_target_t *t, const uint32_t *rows, int64_t n, double thr,
                      int keep_rows, eval_result_t *res)
{
    size_t nn = (size_t)(n > 0 ? n : 1);
    uint64_t *key = gdl_malloc(8 * nn), *tk = gdl_malloc(8 * nn);
    uint32_t *pay = malloc(4 * nn), *tp = malloc(4 * nn);
    eval_curve_t *c = calloc(1, sizeof *c);
    int rc = -1;
    if (!key || !tk || !pay || !tp || !c) goto done;
    c->value = gdl_malloc(8 * nn), c->tp = gdl_malloc(4 * nn), c->fp = gdl_malloc(4 * nn);
    if (!c->value || !c->tp || !c->fp) goto done;
    for (int64_t i = 0; i < n; i++) {
        uint32_t r = rows[i];
        key[i] = eval_key(t->score[r]);
        pay[i] = r << 1 | (t->label[r] != 0);
    }
    eval_sort(key, pay, n, tk, tp);
    eval_curve_build(key, pay, n, NULL, c);
    eval_curve_metrics(c, thr, &res->m, &res->tp_at, &res->fp_at);
    res->single_class = c->P == 0 || c->Nn == 0;
    if (shrink(c) != 0) goto done;
    res->curve = c, res->n_curves = 1, c = NULL;
    if (keep_rows) res->rows = pay, pay = NULL, res->n_rows = n;
    rc = 0;
done:
    if (c) eval_curve_free(c), free(c);
    gdl_free(key), gdl_free(tk), free(pay), free(tp);
    return rc;
}

static int one_regression(const eval_target_t *t, uint32_t *rows, int64_t n, int keep_rows,
                          eval_result_t *res)
{
    size_t nn = (size_t)(n > 0 ? n : 1);
    uint32_t *bp = malloc(4 * nn), *bl = malloc(4 * nn);
    if (!bp || !bl || eval_sort_rows(t->score, rows, n, bp) != 0 || eval_sort_rows(t->label, rows, n, bl) != 0) {
        free(bp), free(bl);
        return -1;
    }
    eval_regression_weighted(t->score, t->label, rows, bp, bl, n, NULL, &res->m);
    if (keep_rows) {
        res->by_pred = bp, res->by_label = bl;
    } else {
        free(bp), free(bl);
    }
    return 0;
}

static void set_range(void *arg, int64_t begin, int64_t end, int chunk)
{
    set_ctx_t *x = arg;
    const eval_preds_t *p = x->p;
    uint32_t *rows = malloc(4 * (size_t)p->N);
    if (!rows) {
        x->failed[chunk] = 1;
        return;
    }
    for (int64_t ti = begin; ti < end; ti++) {
        const eval_target_t *t = &p->targets[ti];
        eval_result_t *res = &x->s->r[ti];
        gdl_metrics_clear(&res->m);
        int64_t n = gather(p, t, x->fold, rows);
        int rc;
        if (t->kind == GDL_EVAL_BINARY) {
            rc = one_binary(t, rows, n, x->o->threshold, x->o->keep_rows, res);
        } else if (t->kind == GDL_EVAL_MULTICLASS) {
            rc = eval_multiclass_rows(t, rows, n, NULL, res, x->o->keep_curves);
        } else {
            rc = one_regression(t, rows, n, x->o->keep_rows, res);
        }
        if (rc == 0 && x->o->keep_rows && t->kind != GDL_EVAL_BINARY) {
            res->rows = malloc(4 * (size_t)(n > 0 ? n : 1));
            if (res->rows) memcpy(res->rows, rows, 4 * (size_t)n), res->n_rows = n;
            else rc = -1;
        }
        if (rc != 0) x->failed[chunk] = 1;
    }
    free(rows);
}

int eval_set_compute(const eval_preds_t *p, int f, const eval_set_opts_t *o, eval_set_t *s)
{
    memset(s, 0, sizeof *s);
    s->name = f < 0 ? "all" : p->fold_names[f];
    s->r = calloc((size_t)(p->T > 0 ? p->T : 1), sizeof *s->r);
    eval_curve_t **curves = calloc((size_t)(p->T > 0 ? p->T : 1), sizeof *curves);
    if (!s->r || !curves) goto oom;
    if (f < 0) s->n_rows = p->N;
    else
        for (int64_t r = 0; r < p->N; r++) s->n_rows += p->fold[r] == f;
    set_ctx_t x = {.p = p, .fold = f, .o = o, .s = s};
    gdl_parallel_for(p->T, set_range, &x);
    for (int c = 0; c < 64; c++)
        if (x.failed[c]) goto oom;
    // micro: one ranking of every (example, binary target) pair; pooled confusion counts
    uint64_t tp = 0, fp = 0, P = 0, Nn = 0;
    int any = 0;
    for (int t = 0; t < p->T; t++) {
        const eval_target_t *tg = &p->targets[t];
        eval_result_t *r = &s->r[t];
        s->n_binary += tg->kind == GDL_EVAL_BINARY;
        s->n_multiclass += tg->kind == GDL_EVAL_MULTICLASS;
        s->n_regression += tg->kind == GDL_EVAL_REGRESSION;
        if (tg->kind != GDL_EVAL_BINARY) continue;
        curves[t] = r->curve;
        if (r->single_class && isnan(o->threshold)) continue; // no best-F1 threshold to pool
        tp += r->tp_at, fp += r->fp_at, P += r->curve->P, Nn += r->curve->Nn, any = 1;
    }
    eval_aggregate(p, s->r, s->agg, &s->n_single_class);
    gdl_metrics_t *mi = &s->agg[EVAL_AGG_MICRO];
    gdl_metrics_clear(mi);
    if (s->n_binary > 0) {
        if (eval_curve_merge(curves, p->T, 0.5, mi) != 0) goto fail;
        if (any && P > 0 && Nn > 0) eval_confusion_metrics(tp, fp, P, Nn, mi);
    }
    if (!o->keep_curves)
        for (int t = 0; t < p->T; t++)
            if (p->targets[t].kind == GDL_EVAL_BINARY && s->r[t].curve) {
                eval_curve_free(s->r[t].curve);
                free(s->r[t].curve);
                s->r[t].curve = NULL;
            }
    free(curves);
    return 0;
oom:
    gdl_log_error("out of memory computing the metrics");
fail:
    free(curves);
    eval_set_free(s, p->T);
    return -1;
}

void eval_set_free(eval_set_t *s, int T)
{
    if (!s->r) return;
    for (int t = 0; t < T; t++) {
        eval_result_t *r = &s->r[t];
        free(r->class_auc), free(r->class_ap), free(r->class_n), free(r->confusion);
        free(r->rows), free(r->by_pred), free(r->by_label);
        if (r->curve) {
            for (int k = 0; k < r->n_curves; k++) eval_curve_free(&r->curve[k]);
            free(r->curve);
        }
    }
    free(s->r);
    s->r = NULL;
}
