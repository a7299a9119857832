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

static int find_layer(gdl_model_t *m, const char *layer, linear_layer_t *l)
{
    const gdl_config_t *c = m->config;
    const gdl_config_layer_t *cl = &c->layers[0];
    for (int i = 0; layer && i < c->n_layers; i++)
        if (!strcmp(c->layers[i].name, layer)) cl = &c->layers[i];
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

/* How a path is run: its penalties lambda[0..P) at one l1 ratio. */
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
} path_t;

/* One path fitted on the rows flagged in in_fit; after each step the criterion (lower is
 * better: minus the metric, or the loss) on the rows watch (n_watch) goes into curve[step]
 * (curve may be NULL), until patience steps pass without a better one. keep: the best step's
 * fit copied here (w then c), or NULL. Paths on the same columns run in lockstep (run_lanes). */
typedef struct {
    path_t pa;
    const uint8_t *in_fit;
    const int64_t *watch;
    int64_t n_watch;
    double *curve, *keep;
    char label[96];  // log prefix
    FILE *log;       // where each step's line goes (stderr, or the lane's buffer)
    char *log_text;  // the buffer, printed by lanes_free in lane order
    size_t log_len;
    // the result: steps run, the best step (0-based) and its criterion
    int steps, best;
    double best_value;
    // state
    double *y, *wt;
    float *scores;
    cd_problem_t p;
    cd_fit_t fit;
    int open;
} lane_t;

/* A lane at its defaults: logging to stderr, or (buffer) to a buffer of its own. */
static void lane_init(lane_t *l, const path_t *pa, const uint8_t *in_fit, const int64_t *watch, int64_t n_watch,
                      int buffer)
{
    memset(l, 0, sizeof *l);
    l->pa = *pa, l->in_fit = in_fit, l->watch = watch, l->n_watch = n_watch;
    l->log = buffer ? open_memstream(&l->log_text, &l->log_len) : NULL;
    if (!l->log) l->log = stderr;
    l->best = -1, l->best_value = INFINITY;
}

/* Frees the lanes' state (their fits too), printing their buffered logs in lane order. */
static void lanes_free(lane_t *lanes, int n)
{
    for (int b = 0; b < n; b++) {
        lane_t *l = &lanes[b];
        if (l->log != stderr) fclose(l->log);
        if (l->log_text) fwrite(l->log_text, 1, l->log_len, stderr);
        free(l->log_text), free(l->y), free(l->wt), free(l->scores);
        gdl_cd_fit_free(&l->fit);
        l->log = stderr, l->log_text = NULL, l->y = l->wt = NULL, l->scores = NULL;
    }
}

/* The lane's criterion after a step, its log line and its patience. */
static void lane_step(lane_t *l, int e)
{
    const path_t *pa = &l->pa;
    int64_t M = pa->x->n_cols, K = pa->n_blocks;
    double crit = NAN;
    const char *name = "loss";
    if (l->n_watch) {
        gdl_cd_fit_scores(&l->fit, l->watch, l->n_watch, l->scores);
        crit = pa->metric ? -pa->metric(pa->r, l->watch, l->n_watch, l->scores, &name, NULL)
                          : gdl_cd_fit_loss(&l->fit, l->watch, l->n_watch);
        if (isnan(crit)) crit = INFINITY;
    }
    if (l->curve) l->curve[e] = crit;
    if (gdl_log_get_level() >= GDL_LOG_INFO) {
        fprintf(l->log, "[train] %sstep %d/%d  lambda %.4g  non-zero %" PRId64, l->label, e + 1, pa->P, pa->lambda[e],
                gdl_cd_fit_nonzero(&l->fit));
        if (l->n_watch) fprintf(l->log, "  val_%s %.4f", name, pa->metric ? -crit : crit);
        fputc('\n', l->log);
    }
    l->steps = e + 1;
    if (crit < l->best_value || l->best < 0) {
        l->best_value = crit, l->best = e;
        if (l->keep) {
            memcpy(l->keep, l->fit.w, (size_t)(K * M) * sizeof *l->keep);
            memcpy(l->keep + K * M, l->fit.c, (size_t)K * sizeof *l->keep);
        }
    } else if (l->n_watch && pa->patience && e - l->best >= pa->patience) {
        l->open = 0;
    }
}

/* Runs the lanes' paths (on the same columns) for up to stop_at steps, in lockstep: at each
 * step the open lanes' solves share their passes over the columns (cd_fits_solve), so a lane's
 * values are the ones it would get alone. The fits stay in the lanes. 0, or -1 on error. */
static int run_lanes(lane_t *lanes, int n, int stop_at)
{
    int ret = -1;
    cd_fit_t **fits = malloc((size_t)n * sizeof *fits);
    const cd_problem_t **problems = malloc((size_t)n * sizeof *problems);
    double *l1 = malloc((size_t)n * sizeof *l1), *l2 = malloc((size_t)n * sizeof *l2);
    int *at = malloc((size_t)n * sizeof *at);
    if (!fits || !problems || !l1 || !l2 || !at) goto oom;
    for (int b = 0; b < n; b++) {
        lane_t *l = &lanes[b];
        int64_t N = l->pa.x->n_rows, K = l->pa.n_blocks;
        l->y = malloc((size_t)(K * N + 1) * sizeof *l->y), l->wt = malloc((size_t)(K * N + 1) * sizeof *l->wt);
        l->scores = malloc((size_t)(l->n_watch * l->pa.r->m->n_out + 1) * sizeof *l->scores);
        if (!l->y || !l->wt || !l->scores) goto oom;
        l->p = (cd_problem_t){l->pa.x, l->pa.family, l->pa.n_blocks, l->y, l->wt};
        if (fill_problem(l->pa.r, l->in_fit, &l->p, l->y, l->wt) != 0) goto out;
        fits[b] = &l->fit, problems[b] = &l->p, l->open = 1;
    }
    if (gdl_cd_fits_init(fits, problems, n) != 0) goto out; // one pass for the lanes' first gradients
    for (int e = 0; e < stop_at; e++) {
        int n_open = 0;
        for (int b = 0; b < n; b++) {
            const path_t *pa = &lanes[b].pa;
            if (!lanes[b].open) continue;
            fits[n_open] = &lanes[b].fit, at[n_open] = b;
            l1[n_open] = pa->l1_ratio * pa->lambda[e], l2[n_open] = pa->l2 + (1 - pa->l1_ratio) * pa->lambda[e];
            n_open++;
        }
        if (!n_open) break;
        if (gdl_cd_fits_solve(fits, n_open, l1, l2) != 0) goto out;
        for (int o = 0; o < n_open; o++) lane_step(&lanes[at[o]], e);
    }
    ret = 0;
    goto out;
oom:
    gdl_log_error("out of memory");
out:
    free(fits), free(problems), free(l1), free(l2), free(at);
    return ret;
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
 * and the earliest step of equals. pa->lambda: the ratios' paths, (A, P). *ratio, *step
 * (1-based), *crit; -1 with an error. */
static int choose_by_folds(const path_t *pa, const cd_run_t *run, const double *ratios, int A, int *ratio, int *step,
                           double *crit)
{
    int P = pa->P, ret = -1, blind = 0, jobs = run->n_parts * A, made = 0;
    int64_t N = pa->x->n_rows;
    double *mean = calloc((size_t)A * P, sizeof *mean), *curve = malloc((size_t)jobs * P * sizeof *curve);
    int *count = calloc((size_t)A * P, sizeof *count);
    int64_t *watch = malloc((size_t)(run->n_parts * run->n + 1) * sizeof *watch);
    int64_t *n_watch = calloc((size_t)run->n_parts, sizeof *n_watch);
    uint8_t *in_fit = calloc((size_t)(run->n_parts * N + 1), 1);
    lane_t *lanes = malloc((size_t)jobs * sizeof *lanes);
    if (!mean || !curve || !count || !watch || !n_watch || !in_fit || !lanes) {
        gdl_log_error("out of memory");
        goto out;
    }
    for (int j = 0; j < run->n_parts; j++)
        for (int64_t i = 0; i < run->n; i++) {
            if (run->part[i] == j) watch[(int64_t)j * run->n + n_watch[j]++] = run->rows[i];
            else in_fit[(int64_t)j * N + run->rows[i]] = 1;
        }
    for (int job = 0; job < jobs; job++) { // lane j * A + a: ratio a's path on inner fold j's complement
        int j = job / A, a = job % A;
        lane_t *l = &lanes[job];
        lane_init(l, pa, in_fit + j * N, watch + (int64_t)j * run->n, n_watch[j], 1);
        l->pa.l1_ratio = ratios[a], l->pa.lambda += (int64_t)a * P, l->curve = curve + (int64_t)job * P;
        if (run->fold)
            snprintf(l->label, sizeof l->label, "fold %d/%d  path fold %d/%d  ", run->fold, run->n_folds, j + 1,
                     run->n_parts);
        else
            snprintf(l->label, sizeof l->label, "path fold %d/%d  ", j + 1, run->n_parts);
        if (A > 1) snprintf(l->label + strlen(l->label), sizeof l->label - strlen(l->label), "l1_ratio %g  ", ratios[a]);
        for (int e = 0; e < P; e++) l->curve[e] = NAN;
        made++;
    }
    if (run_lanes(lanes, jobs, P) != 0) goto out;
    for (int job = 0; job < jobs; job++) {
        int a = job % A;
        double last = NAN;
        int finite = 0;
        for (int e = 0; e < P; e++) {
            if (e < lanes[job].steps) last = curve[(int64_t)job * P + e];
            if (isfinite(last)) mean[a * P + e] += last, count[a * P + e]++, finite = 1;
        }
        blind += !finite && a == 0;
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
    if (lanes) lanes_free(lanes, made);
    free(mean), free(curve), free(count), free(watch), free(n_watch), free(in_fit), free(lanes);
    return ret;
}

int gdl_cd_columns_for_dataset(cd_columns_t *x, const gdl_dataset_t *d, const gdl_geno_calls_t *decoded,
                           const char *data_path)
{
    memset(x, 0, sizeof *x);
    if (!d->geno || d->geno->encoding == GDL_GENO_GENOTYPE) {
        gdl_log_error("%s: coordinate descent (training.solver cd, training.linear_by_cd) fits dosage or presence"
                      " encodings; encode the cohort with --encoding dosage", data_path);
        return -1;
    }
    gdl_geno_calls_t own = {0};
    if (!decoded) {
        if (gdl_genotypes_decode_cohort(&own, d->geno, d->n_examples, INT64_MAX) < 0) return -1;
        decoded = &own;
    }
    int rc = gdl_cd_columns_from_calls(x, decoded, d->geno);
    gdl_geno_calls_free(&own);
    return rc;
}

int gdl_cd_train_model(gdl_runner_t *r, const cd_run_t *run, cd_choice_t *choice)
{
    gdl_model_t *m = r->m;
    const gdl_dataset_t *d = r->d;
    const gdl_train_config_t *t = &m->config->train;
    int64_t N = d->n_examples;
    linear_layer_t layer;
    if (find_layer(m, run->layer, &layer) != 0) return -1;
    cd_family_t family = m->loss.kind == GDL_LOSS_BCE ? CD_LOGISTIC : m->loss.kind == GDL_LOSS_MSE ? CD_GAUSSIAN
                                                                                               : CD_MULTINOMIAL;
    // the path's l1 ratios (glmnet's alpha): one, or a grid the inner folds choose from
    const double one = 1, *ratios = !t->l1_path ? &one : t->n_l1_ratios ? t->l1_ratios : &t->l1_ratio;
    int A = t->l1_path && t->n_l1_ratios ? t->n_l1_ratios : 1;
    int K = m->n_out, P = t->l1_path ? t->l1_path : 1, ret = -1, chosen = P, ratio = 0;
    cd_columns_t own = {0};
    const cd_columns_t *x = run->columns;
    cd_fit_t fit = {0};
    uint8_t *in_fit = calloc((size_t)N + 1, 1);
    double *lambda = malloc((size_t)A * P * sizeof *lambda), *keep = NULL;
    lane_t *lanes = NULL;
    int n_lanes = 0;
    char label[96] = "";
    if (!in_fit || !lambda) goto oom;
    if (!x) {
        if (gdl_cd_columns_for_dataset(&own, d, NULL, run->data_path) != 0) goto out;
        x = &own;
    }
    path_t pa = {r, x, family, K, lambda, P, ratios[0], t->l2, run->metric, t->patience};
    for (int64_t i = 0; i < run->n; i++) in_fit[run->rows[i]] = 1;
    if (!t->l1_path) { // one fixed penalty
        lambda[0] = t->l1;
    } else { // the path's penalties from the training rows' lambda_max, as cv.glmnet shares them
        cd_problem_t p = {x, family, K, NULL, NULL};
        double *y = malloc((size_t)(K * N + 1) * sizeof *y), *wt = malloc((size_t)(K * N + 1) * sizeof *wt);
        int bad = !y || !wt || (p.y = y, p.weight = wt, fill_problem(r, in_fit, &p, y, wt)) != 0 ||
                  gdl_cd_fit_init(&fit, &p) != 0;
        double lmax = bad ? 0 : gdl_cd_fit_lambda_max(&fit);
        gdl_cd_fit_free(&fit);
        free(y), free(wt);
        if (bad) goto out;
        for (int a = 0; a < A; a++)
            for (int e = 0; e < P; e++)
                lambda[a * P + e] = lmax / ratios[a] * pow(t->l1_min_ratio, (double)(e + 1) / P);
        gdl_log_debug("cd: lambda_max %.6g", lmax);
    }
    const char *fold_label = run->fold ? "fold %d/%d  " : "";
    if (t->l1_path && run->n_parts >= 2) { // inner folds choose the ratio and the step
        if (choose_by_folds(&pa, run, ratios, A, &ratio, &chosen, &choice->crit) != 0) goto out;
        gdl_log_info("l1 path: %sstep %d of %d (lambda %.4g) chosen by %d folds of the training rows",
                     A > 1 ? (snprintf(label, sizeof label, "l1_ratio %g, ", ratios[ratio]), label) : "", chosen, P,
                     lambda[ratio * P + chosen - 1], run->n_parts);
        if (!(lanes = calloc(1, sizeof *lanes))) goto oom;
        lane_init(&lanes[0], &pa, in_fit, NULL, 0, 0), n_lanes = 1;
        snprintf(lanes[0].label, sizeof lanes[0].label, fold_label, run->fold, run->n_folds);
        lanes[0].pa.l1_ratio = ratios[ratio], lanes[0].pa.lambda = lambda + (int64_t)ratio * P;
        if (run_lanes(lanes, 1, chosen) != 0) goto out;
        write_model(&layer, x, K, lanes[0].fit.w, lanes[0].fit.c);
    } else if (t->l1_path && run->n_val > 0) { // the validation rows choose; the best step's fit kept
        int64_t W = (int64_t)K * x->n_cols + K;
        if (!(keep = malloc((size_t)A * W * sizeof *keep)) || !(lanes = calloc((size_t)A, sizeof *lanes))) goto oom;
        for (int a = 0; a < A; a++, n_lanes++) { // a lane per ratio, their logs in ratio order
            lane_t *l = &lanes[a];
            lane_init(l, &pa, in_fit, run->val_rows, run->n_val, A > 1);
            l->pa.l1_ratio = ratios[a], l->pa.lambda = lambda + (int64_t)a * P, l->keep = keep + a * W;
            snprintf(l->label, sizeof l->label, fold_label, run->fold, run->n_folds);
            if (A > 1) snprintf(l->label + strlen(l->label), sizeof l->label - strlen(l->label), "l1_ratio %g  ", ratios[a]);
        }
        if (run_lanes(lanes, A, P) != 0) goto out;
        for (int a = 1; a < A; a++)
            if (lanes[a].best_value < lanes[ratio].best_value) ratio = a;
        chosen = lanes[ratio].best + 1;
        write_model(&layer, x, K, keep + ratio * W, keep + ratio * W + (int64_t)K * x->n_cols);
        choice->crit = lanes[ratio].best_value;
        lanes_free(lanes, n_lanes), n_lanes = 0;
        gdl_log_info("l1 path: %sstep %d of %d (lambda %.4g) chosen on the validation rows",
                     A > 1 ? (snprintf(label, sizeof label, "l1_ratio %g, ", ratios[ratio]), label) : "", chosen, P,
                     lambda[ratio * P + chosen - 1]);
    } else { // a fixed penalty, or the path to its end
        if (!(lanes = calloc(1, sizeof *lanes))) goto oom;
        lane_init(&lanes[0], &pa, in_fit, NULL, 0, 0), n_lanes = 1;
        snprintf(lanes[0].label, sizeof lanes[0].label, fold_label, run->fold, run->n_folds);
        if (run_lanes(lanes, 1, P) != 0) goto out;
        write_model(&layer, x, K, lanes[0].fit.w, lanes[0].fit.c);
        chosen = lanes[0].steps;
        choice->crit = NAN;
    }
    choice->steps = chosen;
    double lam = lambda[ratio * P + chosen - 1];
    choice->l1 = t->l1_path ? ratios[ratio] * lam : t->l1;
    choice->l2 = t->l2 + (t->l1_path ? (1 - ratios[ratio]) * lam : 0);
    ret = 0;
    goto out;
oom:
    gdl_log_error("out of memory");
out:
    if (lanes) lanes_free(lanes, n_lanes);
    gdl_cd_columns_free(&own);
    free(in_fit), free(lambda), free(keep), free(lanes);
    return ret;
}
