/* The predictions of gdl eval -m MODEL -d DATA, taken from memory instead of a predictions.tsv:
 * the same per-target columns the reader builds (predictions.c), kinds decided the same way
 * (kinds.c), so the metrics equal those of gdl predict's file evaluated with -p. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "eval_internal.h"
#include "gdl/core.h"

/* The double a predictions.tsv holds for v: gdl predict writes scores and labels as %.9g
 * (docs/formats.md), which reads back as a double near, not always at, v. Taking the same value
 * here makes eval -m and eval -p of predict's file agree to the bit. */
static double as_written(float v)
{
    char buf[32];
    if (isnan(v)) return NAN;
    snprintf(buf, sizeof buf, "%.9g", (double)v);
    return strtod(buf, NULL);
}

static int fill_target(eval_preds_t *p, int ti, const gdl_eval_scores_t *s)
{
    eval_target_t *t = &p->targets[ti];
    const int64_t N = p->N;
    const int K = s->n_classes, T = s->n_targets;
    t->kind = K ? GDL_EVAL_MULTICLASS : GDL_EVAL_BINARY; // binary until its labels decide
    if (K) {
        if (!(t->classes = calloc((size_t)K, sizeof *t->classes))) return -1;
        t->K = K; // what gdl_eval_preds_free reads from here on
        for (int k = 0; k < K; k++)
            if (!(t->classes[k] = strdup(s->classes[k]))) return -1;
    }
    t->label = gdl_big_alloc(sizeof(double) * (size_t)N);
    t->score = gdl_big_alloc(sizeof(double) * (size_t)N * (size_t)(K ? K : 1));
    if (!t->label || !t->score) return -1;
    if (K) {
        for (int64_t r = 0; r < N; r++) {
            float y = s->labels[r];
            if (!isnan(y) && !(y >= 0 && y < (float)K && y == (float)(int)y)) {
                gdl_log_error("%s: example %lld: %s:label is class %g of %d", p->path, (long long)r + 1,
                              t->name, (double)y, K);
                return -2;
            }
            t->label[r] = isnan(y) ? NAN : (double)y;
            for (int k = 0; k < K; k++) t->score[r * K + k] = as_written(s->scores[r * K + k]);
        }
        return 0;
    }
    for (int64_t r = 0; r < N; r++) {
        t->label[r] = as_written(s->labels[r * T + ti]);
        t->score[r] = as_written(s->scores[r * T + ti]);
    }
    return 0;
}

eval_preds_t *gdl_eval_preds_from_scores(const gdl_eval_scores_t *s, const char *regression,
                                         const char *binary)
{
    eval_preds_t *p = calloc(1, sizeof *p);
    if (!p || !(p->path = strdup(s->name))) goto oom;
    if (s->n < 1 || s->n > INT32_MAX / 2 || s->n_targets < 1 || (s->n_classes && s->n_targets != 1)) {
        gdl_log_error("%s: %lld examples of %d targets%s: expected 1 to %d examples and one "
                      "multi-class target at most", s->name, (long long)s->n, s->n_targets,
                      s->n_classes ? " (multi-class)" : "", INT32_MAX / 2);
        goto fail;
    }
    p->N = s->n;
    if (!(p->targets = calloc((size_t)s->n_targets, sizeof *p->targets))) goto oom;
    p->T = s->n_targets;
    for (int t = 0; t < p->T; t++)
        if (!(p->targets[t].name = strdup(s->target_names[t]))) goto oom;
    if (gdl_eval_check_list(p, p->path, "regression", regression) != 0 ||
        gdl_eval_check_list(p, p->path, "binary", binary) != 0)
        goto fail;
    for (int t = 0; t < p->T; t++) { // one target's doubles at a time: binary ones become bits
        int rc = fill_target(p, t, s);
        if (rc == -1) goto oom;
        if (rc != 0 || gdl_eval_decide_kind(p, t, p->path, 0, regression, binary) != 0) goto fail;
    }
    return p;
oom:
    gdl_log_error("out of memory");
fail:
    gdl_eval_preds_free(p);
    return NULL;
}
