/* One training run: the loop with validation, early stopping, checkpoints (checkpoint.c) and
 * resume, the solvers (gradient, coordinate descent, k-mer counts) and the inner folds of the
 * l1 path. Cross-validation and the gdl train entry point: cv.c. */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "gdl/core.h"
#include "gdl/svg.h"
#include "cd.h"
#include "train_internal.h"


gdl_config_t *gdl_train_load_config(const gdl_train_opts_t *o)
{
    gdl_config_t *c = gdl_config_load(o->config_path, o->config_json);
    for (int i = 0; c && i < o->n_overrides; i++)
        if (gdl_config_override(c, o->override_key[i], o->override_value[i]) != 0) {
            gdl_config_free(c);
            return NULL;
        }
    return c;
}

/* class_weight balanced: class c of the softmax target weighs n / (C n_c) over the training rows
 * (a class absent from them 1), into *weights (the caller's to free) and the loss. */
static int balanced_class_weights(gdl_runner_t *r, const int64_t *rows, int64_t n, float **weights)
{
    gdl_model_t *m = r->m;
    const gdl_dataset_t *d = r->d;
    int C = (int)m->n_out;
    double *count = calloc((size_t)C, sizeof *count), all = 0;
    float *w = *weights = malloc((size_t)C * sizeof *w);
    if (!count || !w) {
        free(count);
        gdl_log_error("out of memory");
        return -1;
    }
    for (int64_t i = 0; i < n; i++) {
        float y = d->labels[rows[i] * d->n_targets + r->target_index[0]];
        if (!isnan(y) && y >= 0 && (int)y < C) count[(int)y]++, all++;
    }
    for (int k = 0; k < C; k++) w[k] = count[k] > 0 ? (float)(all / (C * count[k])) : 1.0f;
    free(count);
    m->loss.class_weight = w;
    return 0;
}

/* Output bias from the label prior (as the DeepSEA-data transformer study initialises it), and
 * per-target positive weights (bce) or class weights (softmax_ce), into *loss_weights (the
 * caller frees it). */
static int init_from_labels(gdl_runner_t *r, const int64_t *rows, int64_t n, float **loss_weights)
{
    gdl_model_t *m = r->m;
    const gdl_dataset_t *d = r->d;
    if (!strcmp(m->config->train.class_weight, "balanced")) {
        if (m->loss.kind == GDL_LOSS_SOFTMAX_CE) return balanced_class_weights(r, rows, n, loss_weights);
        gdl_log_error("%s: training.class_weight balanced weighs a categorical target's classes; this model's"
                      " loss is not softmax_ce (for binary targets use \"pos_weight\": true)", m->config->path);
        return -1;
    }
    if (m->loss.kind != GDL_LOSS_BCE) return 0;
    char name[160];
    snprintf(name, sizeof name, "%s.bias", m->config->output_layer);
    const gdl_nn_param_t *bias = gdl_nn_find_param(m->g, name);
    float *pw = NULL;
    if (m->config->train.pos_weight && !(pw = *loss_weights = malloc(m->n_targets * sizeof *pw))) {
        gdl_log_error("out of memory");
        return -1;
    }
    for (int t = 0; t < m->n_targets; t++) {
        double pos = 0, all = 0;
        for (int64_t i = 0; i < n; i++) {
            float y = d->labels[rows[i] * d->n_targets + r->target_index[t]];
            if (!isnan(y)) pos += y, all++;
        }
        double p = all > 0 ? pos / all : 0.5;
        p = p < 1e-4 ? 1e-4 : p > 1 - 1e-4 ? 1 - 1e-4 : p;
        if (bias && bias->numel == m->n_targets) gdl_nn_param_data(m->g, bias)[t] = (float)log(p / (1 - p));
        if (pw) pw[t] = pos > 0 ? (float)((all - pos) / pos) : 1.0f;
    }
    m->loss.pos_weight = pw;
    return 0;
}

/* The optimizer keeps layer's weight and bias (a linear layer fitted by cd) as they are. */
static int freeze_layer(gdl_optim_t *o, gdl_model_t *m, const char *layer)
{
    static const char *const part[] = {"weight", "bias"};
    for (int k = 0; k < 2; k++) {
        char name[160];
        snprintf(name, sizeof name, "%s.%s", layer, part[k]);
        const gdl_nn_param_t *p = gdl_nn_find_param(m->g, name);
        if (p && !p->is_state && gdl_optim_freeze(o, m->g, p->offset, p->numel) != 0) return -1;
    }
    return 0;
}

/* training.augment: the views buffer, once the model is known to read DNA the shift fits. */
static int setup_augment(loop_t *L, const gdl_runner_t *r)
{
    const gdl_train_config_t *t = &r->m->config->train;
    if (!t->augment_rc && !t->augment_shift) return 0;
    if (!gdl_runner_has_sequence(r)) {
        gdl_log_error("%s: training.augment: the model reads no DNA sequence input", r->m->config->path);
        return -1;
    }
    for (int i = 0; i < r->m->config->n_inputs; i++) {
        const gdl_feed_t *f = &r->feeds[i];
        if (f->kind == GDL_FEED_INPUT && f->input->format == GDL_INPUT_SEQ8 && t->augment_shift >= f->input->length) {
            gdl_log_error("%s: training.augment.shift %d: must be below the length of input '%s' (%" PRId64 ")",
                          r->m->config->path, t->augment_shift, f->input->name, f->input->length);
            return -1;
        }
    }
    if (!(L->views = calloc((size_t)t->batch, sizeof *L->views))) {
        gdl_log_error("out of memory");
        return -1;
    }
    return 0;
}

/* Draws the views of a batch of n rows: reverse complement with probability 1/2, shift uniform
 * in -S..S. */
static void draw_views(gdl_input_view_t *v, int64_t n, const gdl_train_config_t *t, gdl_rng_t *rng)
{
    for (int64_t b = 0; b < n; b++) {
        v[b].rc = t->augment_rc ? (int)(gdl_rng_u64(rng) >> 63) : 0;
        v[b].shift = t->augment_shift ? (int64_t)gdl_rng_below(rng, 2 * (uint64_t)t->augment_shift + 1) - t->augment_shift : 0;
    }
}

static int setup_loop(loop_t *L, gdl_runner_t *r, const run_t *run, int64_t steps_per_epoch, int epochs)
{
    gdl_model_t *m = r->m;
    const gdl_train_config_t *t = &m->config->train;
    memset(L, 0, sizeof *L);
    L->best = INFINITY;
    gdl_optim_init(&L->opt, (gdl_optim_kind_t)gdl_optim_find(t->optimizer));
    L->opt.weight_decay = (float)t->weight_decay;
    L->opt.lazy = t->lazy;
    if (L->opt.kind == GDL_OPTIM_SGD) {
        L->opt.momentum = (float)t->momentum;
        L->opt.nesterov = t->nesterov;
    }
    gdl_sched_init(&L->sched, (gdl_sched_kind_t)gdl_sched_find(t->schedule), t->lr);
    L->sched.warmup = t->warmup;
    L->sched.step_size = t->step_size * steps_per_epoch;
    L->sched.gamma = t->gamma;
    L->sched.total = (int64_t)epochs * steps_per_epoch;
    L->sched.min_lr = t->min_lr;
    if (gdl_penalty_init(&L->pen, &L->opt, r, run->train_rows, run->n_train) != 0) return -1;
    if (t->linear_by_cd && freeze_layer(&L->opt, m, t->linear_by_cd) != 0) return -1;
    if (setup_augment(L, r) != 0) return -1;
    L->best_param = malloc((m->g->n_param + 1) * sizeof(float));
    L->best_state = malloc((m->g->n_state + 1) * sizeof(float));
    if (!L->best_param || !L->best_state) {
        gdl_log_error("out of memory");
        return -1;
    }
    return 0;
}

static void free_loop(loop_t *L)
{
    gdl_optim_free(&L->opt);
    gdl_penalty_free(&L->pen);
    free(L->best_param);
    free(L->best_state);
    free(L->views);
}

/* ---- one training run ---------------------------------------------------------------------- */

static int train_epoch(gdl_runner_t *r, loop_t *L, const run_t *run, int64_t *order, double *train_loss)
{
    gdl_model_t *m = r->m;
    const gdl_train_config_t *t = &m->config->train;
    gdl_rng_t rng, augment;
    int64_t B = t->batch, n = run->n_train, n_batches = (n + B - 1) / B;
    double sum = 0;
    memcpy(order, run->train_rows, n * sizeof *order);
    gdl_rng_init(&rng, t->seed, STREAM_SHUFFLE + (uint64_t)L->epoch); // one stream per epoch: resumable
    gdl_rng_shuffle(&rng, order, n);
    gdl_rng_init(&augment, t->seed, STREAM_AUGMENT + (uint64_t)L->epoch);
    gdl_nn_zero_grad(m->g);
    gdl_progress_t bar;
    char label[96], extra[64];
    if (run->fold)
        snprintf(label, sizeof label, "[train] fold %d/%d  epoch %d/%d", run->fold, run->n_folds, L->epoch + 1, run->epochs);
    else
        snprintf(label, sizeof label, "[train] epoch %d/%d", L->epoch + 1, run->epochs);
    gdl_progress_begin(&bar, label, n_batches);
    double t0 = gdl_seconds();
    for (int64_t b = 0; b < n_batches; b++) {
        int64_t nb = b == n_batches - 1 ? n - b * B : B;
        m->g->step = L->batches++;
        if (L->views) draw_views(L->views, nb, t, &augment);
        r->views = L->views; // training rows only: validation reads the rows as stored
        int fed = gdl_runner_forward(r, order + b * B, nb, 1);
        r->views = NULL;
        if (fed != 0) return -1;
        double loss = gdl_runner_loss(r, nb, 1.0f / (float)t->grad_accum);
        if (isnan(loss)) {
            gdl_log_error("epoch %d, batch %" PRId64 ": the loss is not finite; lower the learning rate"
                          " (the last checkpoint is kept)", L->epoch + 1, b + 1);
            return -1;
        }
        sum += loss * (double)nb;
        if (gdl_nn_backward(m->g) != 0) return -1;
        if ((b + 1) % t->grad_accum == 0 || b == n_batches - 1) {
            gdl_optim_mask_frozen(&L->opt, m->g);
            if (t->clip_norm > 0) gdl_nn_clip_grad_norm(m->g, t->clip_norm);
            if (gdl_optim_step(&L->opt, m->g, (float)gdl_sched_lr(&L->sched, L->step)) != 0) return -1;
            L->step++;
            gdl_nn_zero_grad(m->g);
        }
        double now = gdl_seconds() - t0;
        snprintf(extra, sizeof extra, "loss %.5f  %.0f samples/s", sum / (double)(b * B + nb),
                 (double)(b * B + nb) / (now > 0 ? now : 1e-9));
        gdl_progress_update(&bar, b + 1, extra);
    }
    gdl_progress_end(&bar); // the epoch's summary line replaces the bar
    *train_loss = sum / (double)n;
    return 0;
}

/* The validation rows' loss and (by_metric) main metric at the current parameters; the criterion
 * (lower is better: the loss, or minus the metric) returned, NaN when the loss is not finite. */
static double val_criterion(gdl_runner_t *r, const run_t *run, int by_metric, float *scores, double *loss,
                            double *metric, const char **metric_name)
{
    *loss = gdl_runner_mean_loss(r, run->val_rows, run->n_val, by_metric ? scores : NULL), *metric = NAN;
    if (isnan(*loss)) return NAN;
    if (!by_metric) return *loss;
    *metric = run->o->fold_metric(r, run->val_rows, run->n_val, scores, metric_name, NULL);
    return isnan(*metric) ? INFINITY : -*metric;
}

/* Trains r->m on run's rows; leaves the best weights in the model (and in run->out_path). With
 * training.linear_by_cd the model starts as the linear model (epoch 0) and keeps it unless an
 * epoch does better on the validation rows. */
static int train_run(gdl_runner_t *r, const run_t *run, double *best_out)
{
    gdl_model_t *m = r->m;
    gdl_nn_t *g = m->g;
    const gdl_train_config_t *t = &m->config->train;
    int64_t steps = ((run->n_train + t->batch - 1) / t->batch + t->grad_accum - 1) / t->grad_accum;
    int64_t *order = malloc((run->n_train + 1) * sizeof *order);
    float *val_scores = malloc((size_t)(run->n_val * m->n_out + 1) * sizeof *val_scores);
    char *ckpt = run->checkpoint && run->out_path ? gdl_train_ckpt_path(run->out_path) : NULL;
    loop_t L;
    int ret = -1;
    if (setup_loop(&L, r, run, steps, run->epochs) != 0 || !order || !val_scores ||
        (run->checkpoint && run->out_path && !ckpt))
        goto out;
    memcpy(L.best_param, g->param, g->n_param * sizeof(float));
    if (g->n_state) memcpy(L.best_state, g->state, g->n_state * sizeof(float));
    if (ckpt) gdl_remove_stale_tmp(ckpt), gdl_remove_stale_tmp(run->out_path); // runs killed with kill -9
    if (ckpt && run->o->resume && access(ckpt, F_OK) == 0) {
        if (gdl_train_load_checkpoint(ckpt, m, &L) != 0) goto out;
        gdl_log_info("%s: resuming after epoch %d", ckpt, L.epoch);
    }
    int by_metric = !strcmp(t->early_stop, "metric") && run->n_val && run->o->fold_metric;
    int path = t->l1_path && !t->linear_by_cd; // the optimizer's own lasso path
    if (t->linear_by_cd && run->n_val && L.epoch == 0) { // the score the deep part has to beat
        double loss, metric;
        const char *metric_name = "metric";
        L.best = val_criterion(r, run, by_metric, val_scores, &loss, &metric, &metric_name);
        if (isnan(L.best)) {
            gdl_log_error("the linear model's validation loss is not finite");
            goto out;
        }
        char fold[48] = "", val_metric[48] = "";
        if (run->fold) snprintf(fold, sizeof fold, "fold %d/%d  ", run->fold, run->n_folds);
        if (by_metric) snprintf(val_metric, sizeof val_metric, "  val_%s %.4f", metric_name, metric);
        if (gdl_log_get_level() >= GDL_LOG_INFO)
            fprintf(stderr, "[train] %sepoch 0/%d  val_loss %.5f%s  (the linear layer by cd, the deep part at zero)\n",
                    fold, run->epochs, loss, val_metric);
    }
    for (;;) {
        int stop = L.epoch >= run->epochs || (t->patience && L.bad >= t->patience && run->n_val);
        if (stop && path && !run->inner && !L.refining && L.epoch < run->epochs && L.best_epoch > 0) {
            // the path has chosen its penalty: train on from the best epoch with it held fixed
            L.refining = 1, L.bad = 0, L.l1_fixed = L.best_l1;
            memcpy(g->param, L.best_param, g->n_param * sizeof(float));
            if (g->n_state) memcpy(g->state, L.best_state, g->n_state * sizeof(float));
            gdl_log_info("l1 path: lambda %.4g (l1 %.3g) chosen at epoch %d; training on with it fixed", L.best_l1,
                         t->l1_ratio * L.best_l1, L.best_epoch);
            continue;
        }
        if (stop) break;
        double t0 = gdl_seconds(), train_loss, val_loss, metric = NAN;
        const char *metric_name = "metric";
        float lambda = L.refining ? L.l1_fixed : gdl_penalty_l1(&L.pen, t, L.epoch);
        if (t->linear_by_cd) L.opt.l1 = (float)run->deep_l1, L.opt.l2 = (float)run->deep_l2;
        else gdl_penalty_apply(t, lambda, &L.opt);
        if (train_epoch(r, &L, run, order, &train_loss) != 0) goto out;
        double crit = run->n_val ? val_criterion(r, run, by_metric, val_scores, &val_loss, &metric, &metric_name)
                                 : (val_loss = train_loss);
        if (isnan(crit)) {
            gdl_log_error("epoch %d: the validation loss is not finite", L.epoch + 1);
            goto out;
        }
        if (run->curve) run->curve[L.epoch] = crit;
        L.epoch++;
        if (crit < L.best) {
            L.best = crit, L.best_epoch = L.epoch, L.bad = 0, L.best_l1 = lambda;
            memcpy(L.best_param, g->param, g->n_param * sizeof(float));
            if (g->n_state) memcpy(L.best_state, g->state, g->n_state * sizeof(float));
        } else if (!path || L.refining || L.best_epoch > 1) { // a path's first epochs may sit at the prior
            L.bad++;
        }
        if (L.sched.kind == GDL_SCHED_PLATEAU) gdl_sched_report(&L.sched, val_loss);
        double secs = gdl_seconds() - t0, lr = gdl_sched_lr(&L.sched, L.step);
        if (gdl_log_get_level() >= GDL_LOG_INFO) {
            char fold[48] = "";
            if (run->fold) snprintf(fold, sizeof fold, "fold %d/%d  ", run->fold, run->n_folds);
            if (run->inner)
                snprintf(fold + strlen(fold), sizeof fold - strlen(fold), "path fold %d/%d  ", run->inner, run->n_inner);
            char val_metric[48] = "";
            if (by_metric) snprintf(val_metric, sizeof val_metric, "  val_%s %.4f", metric_name, metric);
            char l1[32] = "";
            if (L.opt.l1 > 0) snprintf(l1, sizeof l1, "  l1 %.3g", L.opt.l1);
            fprintf(stderr, "[train] %sepoch %d/%d  train_loss %.5f  val_loss %.5f%s  lr %.3g%s  %.0f samples/s\n",
                    fold, L.epoch, run->epochs, train_loss, val_loss, val_metric, lr, l1,
                    (double)run->n_train / (secs > 0 ? secs : 1e-9));
        }
        if (run->hist && gdl_train_history_add(run->hist, L.epoch, run->fold, train_loss, val_loss) != 0) goto out;
        if (run->log)
            fprintf(run->log, "%d\t%d\t%.9g\t%.9g\t%.9g\t%.3f\n", L.epoch, run->fold, train_loss, val_loss, lr, secs);
        if (ckpt && gdl_train_save_checkpoint(ckpt, m, &L) != 0) goto out;
    }
    if (!run->keep_last) { // best weights restored
        memcpy(g->param, L.best_param, g->n_param * sizeof(float));
        if (g->n_state) memcpy(g->state, L.best_state, g->n_state * sizeof(float));
    }
    *best_out = run->keep_last ? run->chosen : L.best;
    if (run->out_path) {
        int metric_kind = by_metric || (run->keep_last && !strcmp(t->early_stop, "metric") && run->o->fold_metric);
        gdl_model_info_t info = {run->o->data_path, L.epoch, metric_kind ? -*best_out : *best_out, run->fold, run->n_folds};
        if (gdl_model_save(m, &info, run->out_path) != 0) goto out;
        if (ckpt) unlink(ckpt); // the model is complete: the checkpoint has served
    }
    ret = 0;
out:
    free_loop(&L);
    free(order);
    free(val_scores);
    free(ckpt);
    return ret;
}

/* Splits rows into training and validation parts, stratified like the folds. */
int gdl_train_split_validation(const gdl_dataset_t *d, const int *strata, const char *const *groups,
                               const int64_t *rows, int64_t n, double frac, uint64_t seed, int64_t *train,
                               int64_t *n_train, int64_t *val, int64_t *n_val)
{
    int K = frac > 0 ? (int)lround(1 / frac) : 0;
    *n_train = *n_val = 0;
    if (K < 2 || n < K) { // no validation: early stopping watches the training loss
        memcpy(train, rows, n * sizeof *rows);
        *n_train = n;
        return 0;
    }
    if (groups) { // too few groups to hold whole ones out: the validation part drawn within them
        int64_t n_groups = gdl_folds_n_groups(groups, rows, n);
        if (n_groups < 0) return -1;
        if (n_groups < K) {
            gdl_log_info("validation: %" PRId64 " group%s (chromosomes or --groups values) cannot give whole"
                         " ones to a 1/%d part; the validation examples are drawn from within %s", n_groups, n_groups == 1 ? "" : "s",
                         K, n_groups == 1 ? "it" : "them");
            groups = NULL;
        }
    }
    int *part = malloc(n * sizeof *part);
    if (!part) {
        gdl_log_error("out of memory");
        return -1;
    }
    int ret = gdl_folds_split(d, strata, groups, rows, n, K, seed ^ STREAM_VALSPLIT, part);
    for (int64_t i = 0; ret == 0 && i < n; i++) {
        if (part[i] == 0) val[(*n_val)++] = rows[i];
        else train[(*n_train)++] = rows[i];
    }
    free(part);
    return ret;
}

int gdl_train_row_cmp(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

/* A fresh model from config c (taken) with its runner, its output biases and positive or class
 * weights set from the labels of run's training rows, and their prevalence kept with the model;
 * NULL with an error (r freed). */
static gdl_model_t *start_model(gdl_config_t *c, const gdl_dataset_t *d, const run_t *run, gdl_runner_t *r,
                                float **loss_weights)
{
    gdl_model_t *m = c ? gdl_model_build(c, d) : NULL;
    *loss_weights = NULL;
    if (m && gdl_runner_init(r, m, d, m->config->train.batch) == 0) {
        if (run->decoded) gdl_runner_use_decoded(r, run->decoded);
        if (init_from_labels(r, run->train_rows, run->n_train, loss_weights) == 0 &&
            gdl_model_set_prevalence(m, d, r->target_index, run->train_rows, run->n_train) == 0)
            return m;
    }
    gdl_runner_free(r);
    if (m) m->loss.pos_weight = NULL, m->loss.class_weight = NULL;
    gdl_model_free(m);
    free(*loss_weights);
    *loss_weights = NULL;
    return NULL;
}

static void stop_model(gdl_model_t *m, gdl_runner_t *r, float *loss_weights)
{
    gdl_runner_free(r);
    m->loss.pos_weight = m->loss.class_weight = NULL;
    gdl_model_free(m);
    free(loss_weights);
}

/* training.l1_path_folds = K: run's training rows (with its validation rows) split into K
 * folds; on each, the path alone (l1_path epochs, early stopping as configured) trains on the
 * other folds and records the criterion on it by epoch. Returns the epoch (1-based) whose
 * criterion is lowest averaged over the folds, the earliest of equals (the strongest penalty),
 * a fold that stopped early keeping its last value and a fold without a finite value (one class)
 * left out; -1 with an error. *crit: that mean. */
static int choose_path_epoch(const gdl_train_opts_t *o, const gdl_dataset_t *d, const run_t *run,
                             const int64_t *rows, int64_t n, double *crit)
{
    gdl_config_t *c = gdl_train_load_config(o);
    if (!c) return -1;
    int K = c->train.l1_path_folds, P = c->train.l1_path, chosen = -1;
    uint64_t seed = c->train.seed;
    gdl_config_free(c);
    int *part = malloc((n + 1) * sizeof *part);
    int64_t *tr = malloc((n + 1) * sizeof *tr), *va = malloc((n + 1) * sizeof *va);
    double *mean = calloc((size_t)P, sizeof *mean), *curve = malloc((size_t)P * sizeof *curve);
    int *count = calloc((size_t)P, sizeof *count), blind = 0; // folds with a value at each epoch
    if (!part || !tr || !va || !mean || !curve || !count) {
        gdl_log_error("out of memory");
        goto out;
    }
    if (gdl_folds_split(d, run->strata, run->groups, rows, n, K, seed ^ STREAM_PATHFOLDS, part) != 0) goto out;
    for (int j = 0; j < K; j++) {
        run_t in = *run;
        in.n_train = in.n_val = 0;
        for (int64_t i = 0; i < n; i++) {
            if (part[i] == j) va[in.n_val++] = rows[i];
            else tr[in.n_train++] = rows[i];
        }
        in.train_rows = tr, in.val_rows = va, in.out_path = NULL, in.log = NULL, in.hist = NULL;
        in.checkpoint = 0, in.epochs = P, in.inner = j + 1, in.n_inner = K, in.curve = curve;
        gdl_runner_t r = {0};
        float *loss_weights;
        gdl_model_t *m = start_model(gdl_train_load_config(o), d, &in, &r, &loss_weights);
        for (int e = 0; e < P; e++) curve[e] = NAN;
        double best;
        int failed = !m || train_run(&r, &in, &best) != 0;
        if (m) stop_model(m, &r, loss_weights);
        if (failed) goto out;
        double last = NAN;
        int finite = 0;
        for (int e = 0; e < P; e++) {
            if (isfinite(curve[e])) last = curve[e], finite = 1;
            else if (!isnan(curve[e])) last = NAN; // not finite (a fold of one class): no value
            if (isfinite(last)) mean[e] += last, count[e]++;
        }
        blind += !finite;
    }
    if (blind)
        gdl_log_warn("l1 path: %d of %d inner folds gave no finite validation criterion (too few rows, or"
                     " one class), left out of the average", blind, K);
    chosen = 0;
    for (int e = 0; e < P; e++) mean[e] = count[e] ? mean[e] / count[e] : INFINITY;
    for (int e = 1; e < P; e++)
        if (mean[e] < mean[chosen]) chosen = e;
    if (!isfinite(mean[chosen])) {
        gdl_log_error("l1_path_folds: no inner fold gave a finite validation criterion (%" PRId64
                      " training rows in %d folds); lower training.l1_path_folds", n, K);
        chosen = -1;
        goto out;
    }
    *crit = mean[chosen];
    gdl_log_info("l1 path: epoch %d of %d chosen by %d folds of the training rows", chosen + 1, P, K);
    chosen++;
out:
    free(part), free(tr), free(va), free(mean), free(curve), free(count);
    return chosen;
}

/* What coordinate descent fits for run (*cr, its rows in *rows and inner folds in *part, the
 * caller's to free): with l1_path_folds K, the training and validation rows together in dataset
 * order (the folds the optimizer's path would use), K inner folds of them choosing the penalty;
 * else the training rows, the validation rows choosing. layer: the layer fitted, or NULL (the
 * only one). 0, or -1 with an error. */
static int cd_rows(const gdl_train_opts_t *o, const gdl_dataset_t *d, const run_t *run, const gdl_train_config_t *t,
                   const char *layer, int64_t **rows, int **part, cd_run_t *cr)
{
    int K = t->l1_path_folds, by_metric = !strcmp(t->early_stop, "metric") && o->fold_metric;
    int64_t n = run->n_train + (K ? run->n_val : 0);
    *part = NULL;
    if (!(*rows = malloc((size_t)(n + 1) * sizeof **rows)) || (K && !(*part = malloc((size_t)(n + 1) * sizeof **part)))) {
        gdl_log_error("out of memory");
        return -1;
    }
    if (run->n_train) memcpy(*rows, run->train_rows, (size_t)run->n_train * sizeof **rows);
    if (K) {
        if (run->n_val) memcpy(*rows + run->n_train, run->val_rows, (size_t)run->n_val * sizeof **rows);
        qsort(*rows, (size_t)n, sizeof **rows, gdl_train_row_cmp); // dataset order, whatever the validation split was
        if (gdl_folds_split(d, run->strata, run->groups, *rows, n, K, t->seed ^ STREAM_PATHFOLDS, *part) != 0)
            return -1;
    }
    *cr = (cd_run_t){o->data_path, *rows, n, K ? NULL : run->val_rows, K ? 0 : run->n_val, *part, K,
                     by_metric ? o->fold_metric : NULL, run->cd_columns, run->fold, run->n_folds, layer};
    return 0;
}

/* training.solver cd: the linear model fitted by coordinate descent (cd_rows); saved like
 * train_run's. */
static gdl_model_t *train_by_cd(const gdl_train_opts_t *o, const gdl_dataset_t *d, run_t run, gdl_runner_t *r)
{
    gdl_config_t *c = gdl_train_load_config(o);
    gdl_model_t *m = NULL;
    float *loss_weights = NULL;
    int64_t *rows = NULL;
    int *part = NULL;
    cd_choice_t choice = {0, NAN, 0, 0};
    cd_run_t cr;
    if (!c) return NULL;
    int by_metric = !strcmp(c->train.early_stop, "metric") && o->fold_metric;
    if (cd_rows(o, d, &run, &c->train, NULL, &rows, &part, &cr) != 0) goto fail;
    run_t fit = run;
    fit.train_rows = rows, fit.n_train = cr.n;
    m = start_model(c, d, &fit, r, &loss_weights);
    c = NULL;
    if (!m) goto fail;
    int failed = gdl_cd_train_model(r, &cr, &choice) != 0;
    if (!failed && run.out_path) {
        gdl_model_info_t info = {o->data_path, choice.steps, by_metric ? -choice.crit : choice.crit, run.fold,
                                 run.n_folds};
        failed = gdl_model_save(m, &info, run.out_path) != 0;
    }
    if (failed) {
        stop_model(m, r, loss_weights);
        m = NULL, loss_weights = NULL;
        goto fail;
    }
    m->loss.pos_weight = m->loss.class_weight = NULL; // the weights are training's business, not the model's
    free(loss_weights), free(rows), free(part);
    return m;
fail:
    gdl_config_free(c);
    free(rows), free(part);
    return NULL;
}

/* training.solver count: the k-mer table filled from run's training and validation rows
 * together (nothing stops early); saved like train_run's. */
static gdl_model_t *train_by_count(const gdl_train_opts_t *o, const gdl_dataset_t *d, run_t run, gdl_runner_t *r)
{
    gdl_config_t *c = gdl_train_load_config(o);
    float *loss_weights = NULL;
    int64_t n = run.n_train + run.n_val, *rows = malloc((size_t)(n + 1) * sizeof *rows);
    if (!c || !rows) {
        if (c) gdl_log_error("out of memory");
        gdl_config_free(c);
        free(rows);
        return NULL;
    }
    memcpy(rows, run.train_rows, (size_t)run.n_train * sizeof *rows);
    memcpy(rows + run.n_train, run.val_rows, (size_t)run.n_val * sizeof *rows);
    qsort(rows, (size_t)n, sizeof *rows, gdl_train_row_cmp);
    run.train_rows = rows, run.n_train = n, run.val_rows = NULL, run.n_val = 0;
    gdl_model_t *m = start_model(c, d, &run, r, &loss_weights);
    int failed = !m || gdl_count_train_model(r, rows, n) != 0;
    if (!failed && run.out_path) {
        gdl_model_info_t info = {o->data_path, 1, NAN, run.fold, run.n_folds};
        failed = gdl_model_save(m, &info, run.out_path) != 0;
    }
    free(rows);
    if (failed) {
        if (m) stop_model(m, r, loss_weights);
        return NULL;
    }
    m->loss.pos_weight = m->loss.class_weight = NULL;
    free(loss_weights);
    return m;
}

/* Sets the layers feeding the output add, but the linear one, to zero: the model's outputs are
 * the linear layer's. */
static void zero_deep_branches(gdl_model_t *m)
{
    const gdl_config_t *c = m->config;
    const char *in = NULL;
    for (int i = 0; i < c->n_layers; i++)
        if (!strcmp(c->layers[i].name, c->output_layer)) in = c->layers[i].inputs;
    for (const char *p = in; p && *p; p += strcspn(p, ","), p += *p == ',') {
        size_t len = strcspn(p, ",");
        if (len == strlen(c->train.linear_by_cd) && !strncmp(p, c->train.linear_by_cd, len)) continue;
        static const char *const part[] = {"weight", "bias"};
        for (int k = 0; k < 2; k++) {
            char name[200];
            snprintf(name, sizeof name, "%.*s.%s", (int)len, p, part[k]);
            const gdl_nn_param_t *q = gdl_nn_find_param(m->g, name);
            if (q) memset(gdl_nn_param_data(m->g, q), 0, (size_t)q->numel * sizeof(float));
        }
    }
}

/* training.linear_by_cd: the wide & deep model's linear layer fitted by coordinate descent
 * (cd_rows: with l1_path_folds on the training and validation rows, as genotype-linear fits
 * them, so the validation rows judge the deep part against the linear model fitted on them too:
 * a conservative test), the deep branches set to zero; run's deep_l1, deep_l2 the chosen
 * penalty. 0, or -1 with an error. */
static int start_from_linear(const gdl_train_opts_t *o, const gdl_dataset_t *d, run_t *run, gdl_runner_t *r)
{
    const gdl_train_config_t *t = &r->m->config->train;
    int64_t *rows = NULL;
    int *part = NULL;
    cd_run_t cr;
    cd_choice_t choice;
    int rc = cd_rows(o, d, run, t, t->linear_by_cd, &rows, &part, &cr) != 0 || gdl_cd_train_model(r, &cr, &choice) != 0;
    free(rows), free(part);
    if (rc) return -1;
    zero_deep_branches(r->m);
    run->deep_l1 = choice.l1, run->deep_l2 = choice.l2;
    gdl_log_info("linear_by_cd: layer '%s' fitted (l1 %.4g, l2 %.4g); the rest trains at that penalty",
                 t->linear_by_cd, choice.l1, choice.l2);
    return 0;
}

/* Builds a fresh model from the config and trains it; with restarts, R short runs with seeds
 * seed, seed+1, ... pick the seed that trains on (the adenocarcinoma study's weight
 * randomisation). With l1_path_folds, inner folds choose the path's epoch and the model trains
 * on the training and validation rows together up to it. */
gdl_model_t *gdl_train_one(const gdl_train_opts_t *o, const gdl_dataset_t *d, run_t run, gdl_runner_t *r)
{
    gdl_config_t *c = gdl_train_load_config(o);
    gdl_model_t *m = NULL;
    float *loss_weights = NULL;
    int64_t *rows = NULL;
    double best;
    if (!c) return NULL;
    if (!strcmp(c->train.solver, "cd")) {
        gdl_config_free(c);
        return train_by_cd(o, d, run, r);
    }
    if (!strcmp(c->train.solver, "count")) {
        gdl_config_free(c);
        return train_by_count(o, d, run, r);
    }
    int R = c->train.restarts;
    uint64_t seed = c->train.seed, best_seed = seed;
    double best_restart = INFINITY;
    for (int k = 0; k < R; k++) {
        char s[32];
        gdl_config_t *ck = gdl_train_load_config(o);
        snprintf(s, sizeof s, "%" PRIu64, seed + (uint64_t)k);
        if (!ck || gdl_config_override(ck, "seed", s) != 0) {
            gdl_config_free(ck);
            goto fail;
        }
        run_t short_run = run;
        short_run.out_path = NULL, short_run.log = NULL, short_run.hist = NULL, short_run.checkpoint = 0;
        short_run.epochs = c->train.restart_epochs;
        if (!(m = start_model(ck, d, &short_run, r, &loss_weights))) goto fail;
        if (train_run(r, &short_run, &best) != 0) {
            stop_model(m, r, loss_weights);
            m = NULL, loss_weights = NULL;
            goto fail;
        }
        if (strcmp(c->train.early_stop, "metric"))
            gdl_log_info("restart %d/%d: seed %s, validation loss %.5f", k + 1, R, s, best);
        else // best holds minus the metric
            gdl_log_info("restart %d/%d: seed %s, validation metric %.5f", k + 1, R, s, -best);
        if (best < best_restart) best_restart = best, best_seed = seed + (uint64_t)k;
        stop_model(m, r, loss_weights);
        m = NULL, loss_weights = NULL;
    }
    if (R > 0) {
        char s[32];
        snprintf(s, sizeof s, "%" PRIu64, best_seed);
        if (gdl_config_override(c, "seed", s) != 0) goto fail;
    }
    run.epochs = c->train.epochs;
    if (c->train.l1_path_folds && !c->train.linear_by_cd) { // all the training rows: the inner folds validate
        if (!(rows = malloc((run.n_train + run.n_val + 1) * sizeof *rows))) {
            gdl_log_error("out of memory");
            goto fail;
        }
        memcpy(rows, run.train_rows, run.n_train * sizeof *rows);
        memcpy(rows + run.n_train, run.val_rows, run.n_val * sizeof *rows);
        int64_t n = run.n_train + run.n_val;
        qsort(rows, (size_t)n, sizeof *rows, gdl_train_row_cmp); // dataset order, whatever the validation split was
        int epoch = choose_path_epoch(o, d, &run, rows, n, &run.chosen);
        if (epoch < 0) goto fail;
        run.train_rows = rows, run.n_train = n, run.val_rows = NULL, run.n_val = 0;
        run.epochs = epoch, run.keep_last = 1;
    }
    m = start_model(c, d, &run, r, &loss_weights);
    c = NULL;
    if (!m) goto fail;
    if ((m->config->train.linear_by_cd && start_from_linear(o, d, &run, r) != 0) || train_run(r, &run, &best) != 0) {
        stop_model(m, r, loss_weights);
        m = NULL, loss_weights = NULL;
        goto fail;
    }
    m->loss.pos_weight = m->loss.class_weight = NULL; // the weights are training's business, not the model's
    free(loss_weights);
    free(rows);
    return m;
fail:
    gdl_config_free(c);
    free(rows);
    return NULL;
}

/* id TAB group per line; every dataset example must have a group. */
