/* Metrics of every target over one set of rows (all of them, or one fold), targets in
 * parallel. Each target's labelled rows are gathered, sorted once by score, and every ranking
 * metric is read off that order. */
#include <stdio.h>
#include <stdlib.h>

#include "eval_internal.h"
#include "gdl/core.h"

typedef struct {
    eval_preds_t *p;
    int fold;
    const eval_set_opts_t *o;
    eval_set_t *s;
    int failed[GDL_MAX_THREADS]; // per chunk
} set_ctx_t;

/* the labelled rows of target t in the set */
static int64_t gather(const eval_preds_t *p, const eval_target_t *t, int fold, uint32_t *rows)
{
    int64_t n = 0;
    if (t->kind == GDL_EVAL_BINARY) {
        for (int64_t r = 0; r < p->N; r++)
            if (eval_bit(t->known, r) && (fold < 0 || p->fold[r] == fold)) rows[n++] = (uint32_t)r;
    } else {
        for (int64_t r = 0; r < p->N; r++)
            if (!isnan(t->label[r]) && (fold < 0 || p->fold[r] == fold)) rows[n++] = (uint32_t)r;
    }
    return n;
}

/* per-chunk scratch, sized for all N rows once, reused target after target (fresh pages
 * for every target would be zeroed by the kernel each time) */
typedef struct {
    uint64_t *key, *tk;
    uint32_t *pay, *tp;
    eval_curve_t c;
    size_t n;
} scratch_t;

static int scratch_init(scratch_t *b, int64_t N)
{
    size_t n = b->n = (size_t)(N > 0 ? N : 1);
    b->key = gdl_big_alloc(8 * n), b->tk = gdl_big_alloc(8 * n);
    b->pay = gdl_big_alloc(4 * n), b->tp = gdl_big_alloc(4 * n);
    b->c.value = gdl_big_alloc(8 * n);
    b->c.tp = gdl_big_alloc(4 * n), b->c.fp = gdl_big_alloc(4 * n);
    return b->key && b->tk && b->pay && b->tp && b->c.value && b->c.tp && b->c.fp ? 0 : -1;
}

static void scratch_free(scratch_t *b)
{
    gdl_big_free(b->key, 8 * b->n), gdl_big_free(b->tk, 8 * b->n);
    gdl_big_free(b->pay, 4 * b->n), gdl_big_free(b->tp, 4 * b->n);
    gdl_big_free(b->c.value, 8 * b->n);
    gdl_big_free(b->c.tp, 4 * b->n), gdl_big_free(b->c.fp, 4 * b->n);
}

/* The shortest decimal that reads back as float f, as a double: what a score held as a float is
 * reported as (0.37, not 0.37000000476837158). */
static double float_shortest(double f)
{
    char buf[32];
    for (int prec = 1; prec < 9; prec++) {
        snprintf(buf, sizeof buf, "%.*g", prec, f);
        if (strtof(buf, NULL) == (float)f) return strtod(buf, NULL);
    }
    return f;
}

/* a copy of the curve in arrays of its own size */
static eval_curve_t *curve_copy(const eval_curve_t *c)
{
    size_t G = (size_t)(c->G > 0 ? c->G : 1);
    eval_curve_t *d = calloc(1, sizeof *d);
    if (!d) return NULL;
    *d = *c;
    d->value = gdl_malloc(8 * G), d->tp = gdl_malloc(4 * G), d->fp = gdl_malloc(4 * G);
    if (!d->value || !d->tp || !d->fp) {
        gdl_free(d->value), gdl_free(d->tp), gdl_free(d->fp), free(d);
        return NULL;
    }
    memcpy(d->value, c->value, 8 * (size_t)c->G);
    memcpy(d->tp, c->tp, 4 * (size_t)c->G);
    memcpy(d->fp, c->fp, 4 * (size_t)c->G);
    return d;
}

/* the sorted run of a target written back over its columns (gdl_eval_micro's layout, one fold) */
static void write_run(eval_target_t *t, int64_t N, const scratch_t *b, int64_t n, int64_t *run_at)
{
    uint32_t *col = (uint32_t *)(void *)t->fscore; // the floats are not read again
    memset(t->pos, 0, 8 * eval_bit_words(N));
    for (int64_t i = 0; i < n; i++) {
        col[i] = eval_key32((float)eval_unkey(b->key[i])); // exact: the double of a float
        if (b->pay[i] & 1) t->pos[i >> 6] |= 1ull << (i & 63);
    }
    run_at[0] = 0, run_at[1] = n;
}

static int one_binary(eval_target_t *t, const uint32_t *rows, int64_t n, const eval_set_opts_t *o,
                      scratch_t *b, eval_result_t *res)
{
    for (int64_t i = 0; i < n; i++) {
        uint32_t r = rows[i];
        b->key[i] = eval_key(t->fscore[r]); // a float's double: exact
        b->pay[i] = r << 1 | (uint32_t)eval_bit(t->pos, r);
    }
    gdl_eval_sort(b->key, b->pay, n, b->tk, b->tp);
    gdl_eval_curve_build(b->key, b->pay, n, NULL, &b->c);
    gdl_eval_curve_metrics(&b->c, o->threshold, &res->m, &res->tp_at, &res->fp_at);
    res->single_class = b->c.P == 0 || b->c.Nn == 0;
    if (isnan(o->threshold) && !res->single_class)
        res->m.v[GDL_M_THRESHOLD] = float_shortest(res->m.v[GDL_M_THRESHOLD]);
    if (o->keep_curves) {
        if (!(res->curve = curve_copy(&b->c))) return -1;
        for (int64_t g = 0; g < res->curve->G; g++) res->curve->value[g] = float_shortest(res->curve->value[g]);
        res->n_curves = 1;
    }
    int keep_rows = o->keep_rows;
    if (keep_rows) {
        if (!(res->rows = malloc(4 * (size_t)(n > 0 ? n : 1)))) return -1;
        memcpy(res->rows, b->pay, 4 * (size_t)n);
        res->n_rows = n;
    }
    return 0;
}

static int one_regression(const eval_target_t *t, uint32_t *rows, int64_t n, int keep_rows,
                          eval_result_t *res)
{
    size_t nn = (size_t)(n > 0 ? n : 1);
    uint32_t *bp = malloc(4 * nn), *bl = malloc(4 * nn);
    if (!bp || !bl || gdl_eval_sort_rows(t->score, rows, n, bp) != 0 || gdl_eval_sort_rows(t->label, rows, n, bl) != 0) {
        free(bp), free(bl);
        return -1;
    }
    gdl_eval_regression_weighted(t->score, t->label, rows, bp, bl, n, NULL, &res->m);
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
    uint32_t *rows = malloc(4 * (size_t)(p->N > 0 ? p->N : 1));
    scratch_t b = {0};
    if (!rows || scratch_init(&b, p->N) != 0) {
        x->failed[chunk] = 1;
        free(rows);
        scratch_free(&b);
        return;
    }
    for (int64_t ti = begin; ti < end; ti++) {
        eval_target_t *t = &p->targets[ti];
        eval_result_t *res = &x->s->r[ti];
        gdl_metrics_clear(&res->m);
        int64_t n = gather(p, t, x->fold, rows);
        int rc;
        if (t->kind == GDL_EVAL_BINARY) {
            rc = one_binary(t, rows, n, x->o, &b, res);
            if (rc == 0 && x->o->sort_in_place) write_run(t, p->N, &b, n, p->run_at + 2 * ti);
        } else if (t->kind == GDL_EVAL_MULTICLASS) {
            rc = gdl_eval_multiclass_rows(t, rows, n, NULL, res, x->o->keep_curves);
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
    scratch_free(&b);
}

int gdl_eval_set_compute(eval_preds_t *p, int f, const eval_set_opts_t *o, eval_set_t *s)
{
    memset(s, 0, sizeof *s);
    s->name = f < 0 ? "all" : p->fold_names[f];
    s->r = calloc((size_t)(p->T > 0 ? p->T : 1), sizeof *s->r);
    if (!s->r) goto oom;
    if (o->sort_in_place && !p->run_at && !(p->run_at = calloc(2 * (size_t)(p->T > 0 ? p->T : 1), sizeof *p->run_at)))
        goto oom;
    if (f < 0) s->n_rows = p->N;
    else
        for (int64_t r = 0; r < p->N; r++) s->n_rows += p->fold[r] == f;
    set_ctx_t x = {.p = p, .fold = f, .o = o, .s = s};
    gdl_parallel_for(p->T, set_range, &x);
    gdl_log_debug("per-target metrics done");
    for (int c = 0; c < GDL_MAX_THREADS; c++)
        if (x.failed[c]) goto oom;
    // micro: pooled confusion counts here; the pooled ranking (AUCs) in gdl_eval_micro
    uint64_t tp = 0, fp = 0, P = 0, Nn = 0;
    int any = 0;
    for (int t = 0; t < p->T; t++) {
        const eval_target_t *tg = &p->targets[t];
        eval_result_t *r = &s->r[t];
        s->n_binary += tg->kind == GDL_EVAL_BINARY;
        s->n_multiclass += tg->kind == GDL_EVAL_MULTICLASS;
        s->n_regression += tg->kind == GDL_EVAL_REGRESSION;
        if (tg->kind != GDL_EVAL_BINARY) continue;
        if (r->single_class && isnan(o->threshold)) continue; // no best-F1 threshold to pool
        uint64_t pos = (uint64_t)r->m.v[GDL_M_N_POS];
        tp += r->tp_at, fp += r->fp_at, P += pos, Nn += (uint64_t)r->m.v[GDL_M_N] - pos, any = 1;
    }
    gdl_eval_aggregate(p, s->r, s->agg, &s->n_single_class);
    gdl_metrics_t *mi = &s->agg[EVAL_AGG_MICRO];
    gdl_metrics_clear(mi);
    if (any && P > 0 && Nn > 0) gdl_eval_confusion_metrics(tp, fp, P, Nn, mi);
    return 0;
oom:
    gdl_log_error("out of memory computing the metrics");
    gdl_eval_set_free(s, p->T);
    return -1;
}

/* ---- micro average: each binary target sorted in place by (fold, score), runs merged ------------ */

typedef struct {
    eval_preds_t *p;
    int F;                       // runs per target: max(n_folds, 1)
    int failed[GDL_MAX_THREADS]; // per chunk
} sort_ctx_t;

/* Target t's labelled rows, sorted by score and stably by fold, written back over its own
 * columns: fscore becomes keys, pos the labels in that order. */
static void sort_range(void *arg, int64_t begin, int64_t end, int chunk)
{
    sort_ctx_t *x = arg;
    eval_preds_t *p = x->p;
    const int F = x->F;
    size_t nn = (size_t)(p->N > 0 ? p->N : 1);
    uint64_t *key = gdl_big_alloc(8 * nn), *tk = gdl_big_alloc(8 * nn);
    uint32_t *pay = gdl_big_alloc(4 * nn), *tp = gdl_big_alloc(4 * nn);
    int64_t *fill = malloc(sizeof *fill * (size_t)F);
    if (!key || !tk || !pay || !tp || !fill) {
        x->failed[chunk] = 1;
        goto done;
    }
    for (int64_t ti = begin; ti < end; ti++) {
        eval_target_t *t = &p->targets[ti];
        if (t->kind != GDL_EVAL_BINARY) continue;
        int64_t *at = p->run_at + ti * (F + 1);
        memset(at, 0, sizeof *at * (size_t)(F + 1));
        int64_t n = 0;
        for (int64_t r = 0; r < p->N; r++) {
            if (!eval_bit(t->known, r)) continue;
            key[n] = eval_key32(t->fscore[r]);
            pay[n++] = (uint32_t)r << 1 | (uint32_t)eval_bit(t->pos, r);
            at[(p->fold ? p->fold[r] : 0) + 1]++;
        }
        gdl_eval_sort(key, pay, n, tk, tp);
        for (int f = 0; f < F; f++) at[f + 1] += at[f], fill[f] = at[f];
        uint32_t *col = (uint32_t *)(void *)t->fscore; // the floats are not read again
        memset(t->pos, 0, 8 * eval_bit_words(p->N));
        for (int64_t i = 0; i < n; i++) {
            uint32_t r = pay[i] >> 1;
            int64_t d = fill[p->fold ? p->fold[r] : 0]++;
            col[d] = (uint32_t)key[i];
            if (pay[i] & 1) t->pos[d >> 6] |= 1ull << (d & 63);
        }
    }
done:
    gdl_big_free(key, 8 * nn), gdl_big_free(tk, 8 * nn), gdl_big_free(pay, 4 * nn), gdl_big_free(tp, 4 * nn);
    free(fill);
}

/* the runs of fold f (f < 0: every fold) into set s's micro average */
static int micro_set(const eval_preds_t *p, int F, int f, eval_run_t *runs, eval_set_t *s)
{
    int n = 0;
    for (int t = 0; t < p->T; t++) {
        const eval_target_t *tg = &p->targets[t];
        if (tg->kind != GDL_EVAL_BINARY) continue;
        const int64_t *at = p->run_at + (int64_t)t * (F + 1);
        for (int g = f < 0 ? 0 : f; g < (f < 0 ? F : f + 1); g++, n++)
            runs[n] = (eval_run_t){.key = (const uint32_t *)(const void *)tg->fscore + at[g], .label = tg->pos,
                                   .off = at[g], .n = at[g + 1] - at[g]};
    }
    return gdl_eval_runs_merge(runs, n, &s->agg[EVAL_AGG_MICRO]);
}

int gdl_eval_micro(eval_preds_t *p, eval_set_t *all, eval_set_t *folds)
{
    if (all->n_binary == 0) return 0;
    const int F = p->n_folds > 0 ? p->n_folds : 1;
    int rc = -1;
    eval_run_t *runs = malloc(sizeof *runs * (size_t)p->T * (size_t)F);
    if (!runs) {
        gdl_log_error("out of memory");
        goto done;
    }
    if (!p->run_at) { // not left sorted by gdl_eval_set_compute (sort_in_place)
        if (!(p->run_at = calloc((size_t)p->T * (size_t)(F + 1), sizeof *p->run_at))) {
            gdl_log_error("out of memory");
            goto done;
        }
        sort_ctx_t x = {.p = p, .F = F};
        gdl_parallel_for(p->T, sort_range, &x);
        for (int c = 0; c < GDL_MAX_THREADS; c++)
            if (x.failed[c]) {
                gdl_log_error("out of memory sorting the targets for the micro average");
                goto done;
            }
        gdl_log_debug("targets sorted for the micro average");
    }
    if (micro_set(p, F, -1, runs, all) != 0) goto done;
    for (int f = 0; folds && f < p->n_folds; f++)
        if (micro_set(p, F, f, runs, &folds[f]) != 0) goto done;
    gdl_log_debug("micro average done");
    rc = 0;
done:
    free(runs);
    return rc;
}

void gdl_eval_set_free(eval_set_t *s, int T)
{
    if (!s->r) return;
    for (int t = 0; t < T; t++) {
        eval_result_t *r = &s->r[t];
        free(r->class_auc), free(r->class_ap), free(r->class_n), free(r->confusion);
        free(r->rows), free(r->by_pred), free(r->by_label);
        if (r->curve) {
            for (int k = 0; k < r->n_curves; k++) gdl_eval_curve_free(&r->curve[k]);
            free(r->curve);
        }
    }
    free(s->r);
    s->r = NULL;
}
