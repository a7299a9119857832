/* training.solver "cd": a linear genotype model (one dense or sparse_dense layer from the
 * genotypes to the outputs) fitted by coordinate descent (cd.c) along the l1 path, its step
 * chosen as cv.glmnet chooses it: the same penalties, from the training rows' lambda_max, on each
 * inner fold, the validation criterion averaged over the folds, then the path on all the
 * training rows to the chosen penalty. */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gdl/core.h"
#include "cd.h"
#include "model_internal.h"

/* Where the model keeps its coefficients: W (V, U) for sparse_dense, (U, V) for dense. */
typedef struct {
    float *weight, *bias;
    const float *center; // NULL when the layer does not centre
    int sparse;
} linear_layer_t;

static int find_layer(gdl_model_t *m, linear_layer_t *l)
{
    const gdl_config_t *c = m->config;
    const gdl_config_layer_t *cl = &c->layers[0];
    char name[160];
    memset(l, 0, sizeof *l);
    l->sparse = !strcmp(cl->type, "sparse_dense");
    snprintf(name, sizeof name, "%s.weight", cl->name);
    const gdl_nn_param_t *w = gdl_nn_find_param(m->g, name);
    snprintf(name, sizeof name, "%s.bias", cl->name);
    const gdl_nn_param_t *b = gdl_nn_find_param(m->g, name);
    snprintf(name, sizeof name, "%s.center", cl->name);
    const gdl_nn_param_t *mu = gdl_nn_find_param(m->g, name);
    if (!w || !b) {
        gdl_log_error("%s: training.solver cd: layer '%s' needs its bias (the intercept)", c->path, cl->name);
        return -1;
    }
    l->weight = gdl_nn_param_data(m->g, w), l->bias = gdl_nn_param_data(m->g, b);
    l->center = mu ? gdl_nn_param_data(m->g, mu) : NULL;
    return 0;
}

/* The problem's y and weights (block-major) for the rows of the fit (in_fit[i] of dataset row
 * i) with the model's loss: targets of bce (positive weights) or mse, or softmax's classes. */
static int fill_problem(const gdl_runner_t *r, const uint8_t *in_fit, cd_problem_t *p, double *y, double *weight)
{
    const gdl_model_t *m = r->m;
    const gdl_dataset_t *d = r->d;
    int64_t N = d->n_examples;
    int K = p->n_blocks;
    double total = 0;
    for (int64_t i = 0; i < N; i++)
        for (int k = 0; k < K; k++) {
            int64_t at = (int64_t)k * N + i;
            if (p->family == CD_MULTINOMIAL) {
                int col = r->target_index[0];
                float v = col < 0 ? NAN : d->labels[i * d->n_targets + col];
                int known = !isnan(v) && v >= 0 && v < K;
                y[at] = known ? (double)((int)v == k) : NAN;
                double cw = known && m->loss.class_weight ? m->loss.class_weight[(int)v] : 1;
                weight[at] = known && in_fit[i] ? cw : 0;
            } else {
                int col = r->target_index[k];
                float v = col < 0 ? NAN : d->labels[i * d->n_targets + col];
                y[at] = v;
                double pw = p->family == CD_LOGISTIC && m->loss.pos_weight && v > 0.5f ? m->loss.pos_weight[k] : 1;
                weight[at] = !isnan(v) && in_fit[i] ? pw : 0;
            }
            if (p->family != CD_MULTINOMIAL || k == 0) total += weight[at];
        }
    if (!(total > 0)) {
        gdl_log_error("training.solver cd: no labelled row to fit");
        return -1;
    }
    for (int64_t k = 0; k < (int64_t)K * N; k++) weight[k] /= total; // the loss is a mean: bce, mse, softmax_ce
    return 0;
}

/* One path over the penalties lambda[0..P), fitted on the rows flagged in in_fit; after each
 * step the criterion (lower is better: minus the metric, or the loss) on the rows watch (n)
 * goes into curve[step], until patience steps pass without a better one. keep: the best
 * step's fit copied here (w then c), or NULL. Returns the steps run, -1 on error. */
typedef struct {
    gdl_runner_t *r;
    const cd_columns_t *x;
    cd_family_t family;
    int n_blocks;
    const double *lambda; // (P) the path
    int P;
    double l1_ratio, l2;
    gdl_fold_metric_fn metric;
    int patience;
    const char *label; // log prefix
} path_t;

static int run_path(const path_t *pa, const uint8_t *in_fit, const int64_t *watch, int64_t n_watch, double *curve,
                    int stop_at, cd_fit_t *fit, double *best_crit, int *best_step, double *keep)
{
    gdl_model_t *m = pa->r->m;
    int64_t N = pa->x->n_rows, M = pa->x->n_cols, K = pa->n_blocks;
    double *y = malloc((size_t)(K * N + 1) * sizeof *y), *wt = malloc((size_t)(K * N + 1) * sizeof *wt);
    float *scores = malloc((size_t)(n_watch * m->n_out + 1) * sizeof *scores);
    cd_problem_t p = {pa->x, pa->family, pa->n_blocks, y, wt};
    int steps = -1, best = -1;
    double best_value = INFINITY;
    if (!y || !wt || !scores) {
        gdl_log_error("out of memory");
        goto out;
    }
    if (fill_problem(pa->r, in_fit, &p, y, wt) != 0 || cd_fit_init(fit, &p) != 0) goto out;
    int e;
    for (e = 0; e < stop_at; e++) {
        double lam = pa->lambda[e], l1 = pa->l1_ratio * lam, l2 = pa->l2 + (1 - pa->l1_ratio) * lam;
        if (cd_fit_solve(fit, l1, l2) != 0) goto out;
        double crit = NAN;
        const char *name = "loss";
        if (n_watch) {
            cd_fit_scores(fit, watch, n_watch, scores);
            crit = pa->metric ? -pa->metric(pa->r, watch, n_watch, scores, &name) : cd_fit_loss(fit, watch, n_watch);
            if (isnan(crit)) crit = INFINITY;
        }
        if (curve) curve[e] = crit;
        if (gdl_log_get_level() >= GDL_LOG_INFO)
            fprintf(stderr, "[train] %sstep %d/%d  lambda %.4g  non-zero %" PRId64 "%s%s %.4f\n", pa->label, e + 1,
                    pa->P, lam, cd_fit_nonzero(fit), n_watch ? "  val_" : "", n_watch ? name : "",
                    n_watch ? (pa->metric ? -crit : crit) : 0.0);
        if (crit < best_value || best < 0) {
            best_value = crit, best = e;
            if (keep) {
                memcpy(keep, fit->w, (size_t)(K * M) * sizeof *keep);
                memcpy(keep + K * M, fit->c, (size_t)K * sizeof *keep);
            }
        } else if (n_watch && pa->patience && e - best >= pa->patience) {
            e++;
            break;
        }
    }
    steps = e;
    if (best_crit) *best_crit = best_value;
    if (best_step) *best_step = best + 1;
out:
    if (steps < 0) cd_fit_free(fit);
    p.y = p.weight = NULL;
    free(y), free(wt), free(scores);
    return steps;
}

/* The model's parameters from the fit's coefficients (or coef: w then c): W, and the bias that
 * gives the same predictions through the layer's centring. */
static void write_model(const linear_layer_t *l, const cd_columns_t *x, int K, const double *w, const double *c)
{
    int64_t M = x->n_cols;
    for (int k = 0; k < K; k++) {
        double bias = c[k];
        for (int64_t j = 0; j < M; j++) {
            double v = w[(int64_t)k * M + j];
            if (l->sparse) l->weight[j * K + k] = (float)v;
            else l->weight[(int64_t)k * M + j] = (float)v;
            if (l->center) bias += v * l->center[j];
        }
        l->bias[k] = (float)bias;
    }
}

/* Inner folds choose (l1_ratio, step): each ratio's path on each fold's complement, the
 * criterion on the fold averaged over the folds step by step (a fold that stopped early keeping
 * its last value, a fold without a finite one left out); the lowest mean, the first ratio listed
 * and the earliest step of equals. *ratio, *step (1-based), *crit; -1 with an error. */
static int choose_by_folds(path_t *pa, const cd_run_t *run, const double *ratios, int A, const double *lambda,
                           uint8_t *in_fit, int *ratio, int *step, double *crit)
{
    int P = pa->P, ret = -1, blind = 0;
    int64_t N = pa->x->n_rows, n_watch;
    double *mean = calloc((size_t)A * P, sizeof *mean), *curve = malloc((size_t)P * sizeof *curve);
    int *count = calloc((size_t)A * P, sizeof *count);
    int64_t *watch = malloc((size_t)(run->n + 1) * sizeof *watch);
    char label[96];
    cd_fit_t fit = {0};
    if (!mean || !curve || !count || !watch) {
        gdl_log_error("out of memory");
        goto out;
    }
    pa->label = label;
    for (int j = 0; j < run->n_parts; j++) {
        n_watch = 0;
        memset(in_fit, 0, (size_t)N);
        for (int64_t i = 0; i < run->n; i++) {
            if (run->part[i] == j) watch[n_watch++] = run->rows[i];
            else in_fit[run->rows[i]] = 1;
        }
        for (int a = 0; a < A; a++) {
            if (run->fold)
                snprintf(label, sizeof label, "fold %d/%d  path fold %d/%d  ", run->fold, run->n_folds, j + 1, run->n_parts);
            else
                snprintf(label, sizeof label, "path fold %d/%d  ", j + 1, run->n_parts);
            if (A > 1) snprintf(label + strlen(label), sizeof label - strlen(label), "l1_ratio %g  ", ratios[a]);
            pa->l1_ratio = ratios[a], pa->lambda = lambda + (int64_t)a * P;
            for (int e = 0; e < P; e++) curve[e] = NAN;
            int steps = run_path(pa, in_fit, watch, n_watch, curve, P, &fit, NULL, NULL, NULL);
            cd_fit_free(&fit);
            if (steps < 0) goto out;
            double last = NAN;
            int finite = 0;
            for (int e = 0; e < P; e++) {
                if (e < steps) last = curve[e];
                if (isfinite(last)) mean[a * P + e] += last, count[a * P + e]++, finite = 1;
            }
            blind += !finite && a == 0;
        }
    }
    if (blind)
        gdl_log_warn("l1 path: %d of %d inner folds gave no finite validation criterion (too few rows, or"
                     " one class), left out of the average", blind, run->n_parts);
    int best = 0;
    for (int k = 0; k < A * P; k++) {
        mean[k] = count[k] ? mean[k] / count[k] : INFINITY;
        if (mean[k] < mean[best]) best = k;
    }
    if (!isfinite(mean[best])) {
        gdl_log_error("l1_path_folds: no inner fold gave a finite validation criterion (%" PRId64
                      " training rows in %d folds); lower training.l1_path_folds", run->n, run->n_parts);
        goto out;
    }
    *ratio = best / P, *step = best % P + 1, *crit = mean[best];
    ret = 0;
out:
    free(mean), free(curve), free(count), free(watch);
    return ret;
}

int cd_train_model(gdl_runner_t *r, const cd_run_t *run, int *steps_out, double *crit_out)
{
    gdl_model_t *m = r->m;
    const gdl_dataset_t *d = r->d;
    const gdl_train_config_t *t = &m->config->train;
    int64_t N = d->n_examples;
    linear_layer_t layer;
    if (find_layer(m, &layer) != 0) return -1;
    if (!d->geno || d->geno->encoding == GDL_GENO_GENOTYPE) {
        gdl_log_error("%s: training.solver cd fits dosage or presence encodings; encode the cohort with"
                      " --encoding dosage", run->data_path);
        return -1;
    }
    cd_family_t family = m->loss.kind == GDL_LOSS_BCE ? CD_LOGISTIC : m->loss.kind == GDL_LOSS_MSE ? CD_GAUSSIAN
                                                                                               : CD_MULTINOMIAL;
    // the path's l1 ratios (glmnet's alpha): one, or a grid the inner folds choose from
    const double one = 1, *ratios = !t->l1_path ? &one : t->n_l1_ratios ? t->l1_ratios : &t->l1_ratio;
    int A = t->l1_path && t->n_l1_ratios ? t->n_l1_ratios : 1;
    int K = m->n_out, P = t->l1_path ? t->l1_path : 1, ret = -1, chosen = P, ratio = 0;
    gdl_geno_calls_t own = {0};
    const gdl_geno_calls_t *calls = run->decoded;
    cd_columns_t x = {0};
    cd_fit_t fit = {0};
    uint8_t *in_fit = calloc((size_t)N + 1, 1);
    double *lambda = malloc((size_t)A * P * sizeof *lambda), *keep = NULL, *best_keep = NULL;
    char label[96] = "";
    if (!in_fit || !lambda) goto oom;
    if (!calls) {
        if (feed_decode_cohort(&own, d, INT64_MAX) < 0) goto out;
        calls = &own;
    }
    if (cd_columns_from_calls(&x, calls, d->geno) != 0) goto out;
    path_t pa = {r, &x, family, K, lambda, P, ratios[0], t->l2, run->metric, t->patience, label};
    for (int64_t i = 0; i < run->n; i++) in_fit[run->rows[i]] = 1;
    if (!t->l1_path) { // one fixed penalty
        lambda[0] = t->l1;
    } else { // the path's penalties from the training rows' lambda_max, as cv.glmnet shares them
        cd_problem_t p = {&x, family, K, NULL, NULL};
        double *y = malloc((size_t)(K * N + 1) * sizeof *y), *wt = malloc((size_t)(K * N + 1) * sizeof *wt);
        int bad = !y || !wt || (p.y = y, p.weight = wt, fill_problem(r, in_fit, &p, y, wt)) != 0 ||
                  cd_fit_init(&fit, &p) != 0;
        double lmax = bad ? 0 : cd_fit_lambda_max(&fit);
        cd_fit_free(&fit);
        free(y), free(wt);
        if (bad) goto out;
        for (int a = 0; a < A; a++)
            for (int e = 0; e < P; e++)
                lambda[a * P + e] = lmax / ratios[a] * pow(t->l1_min_ratio, (double)(e + 1) / P);
        gdl_log_debug("cd: lambda_max %.6g", lmax);
    }
    if (t->l1_path && run->n_parts >= 2) { // inner folds choose the ratio and the step
        if (choose_by_folds(&pa, run, ratios, A, lambda, in_fit, &ratio, &chosen, crit_out) != 0) goto out;
        gdl_log_info("l1 path: %sstep %d of %d (lambda %.4g) chosen by %d folds of the training rows",
                     A > 1 ? (snprintf(label, sizeof label, "l1_ratio %g, ", ratios[ratio]), label) : "", chosen, P,
                     lambda[ratio * P + chosen - 1], run->n_parts);
        memset(in_fit, 0, (size_t)N);
        for (int64_t i = 0; i < run->n; i++) in_fit[run->rows[i]] = 1;
        snprintf(label, sizeof label, run->fold ? "fold %d/%d  " : "", run->fold, run->n_folds);
        pa.label = label, pa.l1_ratio = ratios[ratio], pa.lambda = lambda + (int64_t)ratio * P;
        if (run_path(&pa, in_fit, NULL, 0, NULL, chosen, &fit, NULL, NULL, NULL) < 0) goto out;
        write_model(&layer, &x, K, fit.w, fit.c);
    } else if (t->l1_path && run->n_val > 0) { // the validation rows choose; the best step's fit kept
        int64_t W = (int64_t)K * x.n_cols + K;
        if (!(keep = malloc((size_t)W * sizeof *keep)) || !(best_keep = malloc((size_t)W * sizeof *best_keep))) goto oom;
        double best_all = INFINITY;
        for (int a = 0; a < A; a++) {
            snprintf(label, sizeof label, run->fold ? "fold %d/%d  " : "", run->fold, run->n_folds);
            if (A > 1) snprintf(label + strlen(label), sizeof label - strlen(label), "l1_ratio %g  ", ratios[a]);
            pa.l1_ratio = ratios[a], pa.lambda = lambda + (int64_t)a * P;
            double best = INFINITY;
            int step = P;
            int steps = run_path(&pa, in_fit, run->val_rows, run->n_val, NULL, P, &fit, &best, &step, keep);
            cd_fit_free(&fit);
            if (steps < 0) goto out;
            if (best < best_all || a == 0) {
                best_all = best, ratio = a, chosen = step;
                memcpy(best_keep, keep, (size_t)W * sizeof *keep);
            }
        }
        write_model(&layer, &x, K, best_keep, best_keep + (int64_t)K * x.n_cols);
        *crit_out = best_all;
        gdl_log_info("l1 path: %sstep %d of %d (lambda %.4g) chosen on the validation rows",
                     A > 1 ? (snprintf(label, sizeof label, "l1_ratio %g, ", ratios[ratio]), label) : "", chosen, P,
                     lambda[ratio * P + chosen - 1]);
    } else { // a fixed penalty, or the path to its end
        snprintf(label, sizeof label, run->fold ? "fold %d/%d  " : "", run->fold, run->n_folds);
        int steps = run_path(&pa, in_fit, NULL, 0, NULL, P, &fit, NULL, NULL, NULL);
        if (steps < 0) goto out;
        write_model(&layer, &x, K, fit.w, fit.c);
        chosen = steps;
        *crit_out = NAN;
    }
    *steps_out = chosen;
    ret = 0;
    goto out;
oom:
    gdl_log_error("out of memory");
out:
    cd_fit_free(&fit);
    cd_columns_free(&x);
    feed_free_cohort(&own);
    free(in_fit), free(lambda), free(keep), free(best_keep);
    return ret;
}
