/* gdl train: the training loop with validation, early stopping, checkpoints and resume, and
 * k-fold cross-validation with out-of-fold predictions. */
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
#include "model_internal.h"

// RNG streams: "SHUF", "VAL", "PATH", "AUGM"
enum { STREAM_SHUFFLE = 0x53485546, STREAM_VALSPLIT = 0x56414c, STREAM_PATHFOLDS = 0x50415448, STREAM_AUGMENT = 0x4155474d };

/* Losses by epoch, for --plot: one entry per epoch of every run (fold). */
typedef struct {
    int n, cap;
    int *epoch, *fold;
    double *train, *val;
} history_t;

static int history_add(history_t *h, int epoch, int fold, double train, double val)
{
    if (h->n == h->cap) {
        int cap = h->cap ? 2 * h->cap : 64;
        int *e = realloc(h->epoch, cap * sizeof *e), *f = e ? realloc(h->fold, cap * sizeof *f) : NULL;
        if (e) h->epoch = e;
        if (f) h->fold = f;
        double *t = f ? realloc(h->train, cap * sizeof *t) : NULL, *v = t ? realloc(h->val, cap * sizeof *v) : NULL;
        if (t) h->train = t;
        if (v) h->val = v;
        if (!v) {
            gdl_log_error("out of memory");
            return -1;
        }
        h->cap = cap;
    }
    h->epoch[h->n] = epoch, h->fold[h->n] = fold, h->train[h->n] = train, h->val[h->n++] = val;
    return 0;
}

static void history_free(history_t *h)
{
    free(h->epoch), free(h->fold), free(h->train), free(h->val);
}

/* Learning curves: training loss solid, validation loss dashed, one colour per fold. */
static int write_curves(const char *path, const history_t *h, int n_folds)
{
    gdl_svg_frame_t f = {1, 2, 0, 0};
    for (int i = 0; i < h->n; i++) {
        f.x1 = h->epoch[i] > f.x1 ? h->epoch[i] : f.x1;
        f.y1 = fmax(f.y1, fmax(h->train[i], h->val[i]));
    }
    f.y1 = f.y1 > 0 ? f.y1 * 1.05 : 1;
    double *x = malloc((h->n + 1) * sizeof *x), *yt = malloc((h->n + 1) * sizeof *yt),
           *yv = malloc((h->n + 1) * sizeof *yv);
    gdl_outfile_t out;
    int ret = -1;
    if (!x || !yt || !yv) {
        gdl_log_error("out of memory");
        goto done;
    }
    if (gdl_outfile_open(&out, path) != 0) goto done;
    gdl_svg_begin(out.fp, n_folds ? "Training (solid) and validation (dashed) loss by fold"
                                  : "Training (solid) and validation (dashed) loss",
                  "Epoch", "Loss", &f);
    for (int k = n_folds ? 1 : 0, i = 0; k <= n_folds; k++) {
        int m = 0;
        for (i = 0; i < h->n; i++)
            if (h->fold[i] == k) x[m] = h->epoch[i], yt[m] = h->train[i], yv[m++] = h->val[i];
        if (!m) continue;
        char label[32];
        snprintf(label, sizeof label, n_folds ? "fold %d" : "training", k);
        gdl_svg_line(out.fp, &f, x, yt, m, gdl_svg_color(k), 0);
        gdl_svg_line(out.fp, &f, x, yv, m, gdl_svg_color(k), 1);
        gdl_svg_legend(out.fp, n_folds ? k - 1 : 0, gdl_svg_color(k), label);
    }
    gdl_svg_end(out.fp);
    ret = gdl_outfile_commit(&out);
done:
    free(x), free(yt), free(yv);
    return ret;
}

/* What one training run needs beyond the model. */
typedef struct {
    const gdl_train_opts_t *o;
    const gdl_dataset_t *d;
    const int64_t *train_rows, *val_rows;
    int64_t n_train, n_val;
    const char *out_path;       // where the model goes (NULL: keep it in memory only)
    int fold, n_folds;          // 1-based fold held out, for logs and the model file
    FILE *log;                  // epoch log, or NULL
    history_t *hist;            // losses by epoch for --plot, or NULL
    int epochs;                 // this run's epochs (restarts run shorter)
    int checkpoint;             // write OUT.ckpt each epoch and honour --resume
    const gdl_geno_calls_t *decoded; // every sample's sparse genotype calls, or NULL: decode by batch
    const cd_columns_t *cd_columns;  // training.solver cd: the cohort's columns, or NULL: made per model
    const int *strata;          // the examples' strata and groups, for inner folds
    const char *const *groups;
    /* l1_path_folds: an inner run walks the path only and records its criterion per epoch; the
     * run on all the training rows then stops at the chosen epoch and keeps that epoch's weights. */
    int inner, n_inner;         // 1-based inner fold, for logs; 0 = not inner
    double *curve;              // (epochs) lower-is-better criterion by epoch, or NULL
    int keep_last;              // keep the last epoch's weights, not the best's
    double chosen;              // with keep_last: the inner folds' mean criterion at that epoch
    double deep_l1, deep_l2;    // linear_by_cd: the penalty cd chose, for the other genotype layers
} run_t;

/* Everything the loop carries from one epoch to the next: a checkpoint is exactly this. */
typedef struct {
    int epoch;                  // epochs completed
    int64_t step;               // optimizer steps taken
    int64_t batches;            // batches seen: the dropout stream position
    double best;                // best validation loss so far
    int best_epoch, bad;        // epoch of best, epochs since
    float *best_param, *best_state;
    gdl_optim_t opt;
    gdl_sched_t sched;
    penalty_t pen;
    int refining;               // l1 path done: training on at the chosen penalty
    float best_l1, l1_fixed;    // the penalty of the best epoch; of the refinement
    gdl_input_view_t *views;    // training.augment: (batch) scratch for each batch's draws, which
                                // come from the epoch's stream (nothing to checkpoint); else NULL
} loop_t;

char *gdl_model_fold_path(const char *out_path, int k)
{
    size_t n = strlen(out_path);
    char *p = malloc(n + 32);
    if (!p) return NULL;
    if (n > 4 && !strcmp(out_path + n - 4, ".gdl"))
        snprintf(p, n + 32, "%.*s.fold%d.gdl", (int)(n - 4), out_path, k);
    else
        snprintf(p, n + 32, "%s.fold%d", out_path, k);
    return p;
}

static gdl_config_t *load_config(const gdl_train_opts_t *o)
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
    if (penalty_init(&L->pen, &L->opt, r, run->train_rows, run->n_train) != 0) return -1;
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
    penalty_free(&L->pen);
    free(L->best_param);
    free(L->best_state);
    free(L->views);
}

/* ---- checkpoints ------------------------------------------------------------------------------ */

static char *ckpt_path(const char *out)
{
    size_t n = strlen(out) + 8;
    char *p = malloc(n);
    if (p) snprintf(p, n, "%s.ckpt", out);
    return p;
}

static int save_checkpoint(const char *path, const gdl_model_t *m, const loop_t *L)
{
    char epoch[32], step[32], batches[32], best[40], be[32], bad[32], t[32], sb[40], ss[40], sbad[32];
    snprintf(epoch, sizeof epoch, "%d", L->epoch);
    snprintf(step, sizeof step, "%" PRId64, L->step);
    snprintf(batches, sizeof batches, "%" PRId64, L->batches);
    snprintf(best, sizeof best, "%a", L->best);
    snprintf(be, sizeof be, "%d", L->best_epoch);
    snprintf(bad, sizeof bad, "%d", L->bad);
    snprintf(t, sizeof t, "%" PRId64, L->opt.t);
    snprintf(sb, sizeof sb, "%a", L->sched.best);
    snprintf(ss, sizeof ss, "%a", L->sched.scale);
    snprintf(sbad, sizeof sbad, "%d", L->sched.bad);
    char refine[64];
    snprintf(refine, sizeof refine, "%d %a %a", L->refining, (double)L->best_l1, (double)L->l1_fixed);
    int64_t np = m->g->n_param, n_opt = L->opt.m ? np : 0;
    model_extra_t extra[] = {
        {"ckpt:best_param", L->best_param, np, NULL}, {"ckpt:best_state", L->best_state, m->g->n_state, NULL},
        {"ckpt:opt_m", L->opt.m, n_opt, NULL}, {"ckpt:opt_v", L->opt.v, n_opt, NULL},
        {"ckpt.epoch", NULL, 0, epoch}, {"ckpt.step", NULL, 0, step}, {"ckpt.batches", NULL, 0, batches},
        {"ckpt.best", NULL, 0, best}, {"ckpt.best_epoch", NULL, 0, be}, {"ckpt.bad", NULL, 0, bad},
        {"ckpt.opt_t", NULL, 0, t}, {"ckpt.sched_best", NULL, 0, sb}, {"ckpt.sched_scale", NULL, 0, ss},
        {"ckpt.sched_bad", NULL, 0, sbad}, {"ckpt.l1_path", NULL, 0, refine},
    };
    int n = (int)(sizeof extra / sizeof extra[0]);
    if (!L->opt.m) { // no step taken yet: no optimizer moments to keep
        memmove(&extra[2], &extra[4], (n - 4) * sizeof *extra);
        n -= 2;
    }
    return model_write(m, NULL, path, extra, n);
}

/* Restores m's parameters and the loop state from a checkpoint written for the same config. */
static int load_checkpoint(const char *path, gdl_model_t *m, loop_t *L)
{
    gdl_file_t *f = NULL;
    gdl_model_t *ck = model_read(path, &f, 0);
    int ret = -1;
    if (!ck) return -1;
    if (strcmp(ck->config->json, m->config->json) != 0 || ck->g->n_param != m->g->n_param) {
        gdl_log_error("%s: checkpoint of another config or settings; remove it or drop --resume", path);
        goto out;
    }
    memcpy(m->g->param, ck->g->param, m->g->n_param * sizeof(float));
    if (m->g->n_state) memcpy(m->g->state, ck->g->state, m->g->n_state * sizeof(float));
    const char *keys[] = {"ckpt.epoch", "ckpt.step", "ckpt.batches", "ckpt.best", "ckpt.best_epoch",
                          "ckpt.bad", "ckpt.opt_t", "ckpt.sched_best", "ckpt.sched_scale", "ckpt.sched_bad"};
    double v[10];
    for (int i = 0; i < 10; i++) {
        const char *s = gdl_file_meta(f, keys[i]);
        if (!s) {
            gdl_log_error("%s: checkpoint lacks %s", path, keys[i]);
            goto out;
        }
        v[i] = strtod(s, NULL);
    }
    L->epoch = (int)v[0], L->step = (int64_t)v[1], L->batches = (int64_t)v[2], L->best = v[3];
    L->best_epoch = (int)v[4], L->bad = (int)v[5], L->opt.t = (int64_t)v[6];
    L->sched.best = v[7], L->sched.scale = v[8], L->sched.bad = (int)v[9];
    const char *path_state = gdl_file_meta(f, "ckpt.l1_path"); // absent before the l1 path
    if (path_state) {
        double best_l1 = 0, fixed = 0;
        if (sscanf(path_state, "%d %la %la", &L->refining, &best_l1, &fixed) != 3) {
            gdl_log_error("%s: checkpoint's ckpt.l1_path is malformed", path);
            goto out;
        }
        L->best_l1 = (float)best_l1, L->l1_fixed = (float)fixed;
    }
    const gdl_entry_t *bp = gdl_file_find(f, "ckpt:best_param"), *bs = gdl_file_find(f, "ckpt:best_state");
    const gdl_entry_t *om = gdl_file_find(f, "ckpt:opt_m"), *ov = gdl_file_find(f, "ckpt:opt_v");
    int64_t np = m->g->n_param;
    if (!bp || (int64_t)bp->numel != np || !bs || (int64_t)bs->numel != m->g->n_state) {
        gdl_log_error("%s: checkpoint tensors missing or of the wrong size", path);
        goto out;
    }
    memcpy(L->best_param, bp->data, bp->nbytes);
    memcpy(L->best_state, bs->data, bs->nbytes);
    if (om && ov && (int64_t)om->numel == np && (int64_t)ov->numel == np) {
        L->opt.m = malloc(np * sizeof(float));
        L->opt.v = malloc(np * sizeof(float));
        if (!L->opt.m || !L->opt.v) {
            gdl_log_error("out of memory");
            goto out;
        }
        memcpy(L->opt.m, om->data, om->nbytes);
        memcpy(L->opt.v, ov->data, ov->nbytes);
        L->opt.n = np;
    }
    ret = 0;
out:
    gdl_model_free(ck);
    gdl_file_close(f);
    return ret;
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
    char *ckpt = run->checkpoint && run->out_path ? ckpt_path(run->out_path) : NULL;
    loop_t L;
    int ret = -1;
    if (setup_loop(&L, r, run, steps, run->epochs) != 0 || !order || !val_scores ||
        (run->checkpoint && run->out_path && !ckpt))
        goto out;
    memcpy(L.best_param, g->param, g->n_param * sizeof(float));
    if (g->n_state) memcpy(L.best_state, g->state, g->n_state * sizeof(float));
    if (ckpt) gdl_remove_stale_tmp(ckpt), gdl_remove_stale_tmp(run->out_path); // runs killed with kill -9
    if (ckpt && run->o->resume && access(ckpt, F_OK) == 0) {
        if (load_checkpoint(ckpt, m, &L) != 0) goto out;
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
        float lambda = L.refining ? L.l1_fixed : penalty_l1(&L.pen, t, L.epoch);
        if (t->linear_by_cd) L.opt.l1 = (float)run->deep_l1, L.opt.l2 = (float)run->deep_l2;
        else penalty_apply(t, lambda, &L.opt);
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
        if (run->hist && history_add(run->hist, L.epoch, run->fold, train_loss, val_loss) != 0) goto out;
        if (run->log)
            fprintf(run->log, "%d\t%d\t%.9g\t%.9g\t%.9g\t%.3f\n", L.epoch, run->fold, train_loss, val_loss, lr, secs);
        if (ckpt && save_checkpoint(ckpt, m, &L) != 0) goto out;
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
static int split_validation(const gdl_dataset_t *d, const int *strata, const char *const *groups,
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

static int row_cmp(const void *a, const void *b)
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
            model_set_prevalence(m, d, r->target_index, run->train_rows, run->n_train) == 0)
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
    gdl_config_t *c = load_config(o);
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
        gdl_model_t *m = start_model(load_config(o), d, &in, &r, &loss_weights);
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
        qsort(*rows, (size_t)n, sizeof **rows, row_cmp); // dataset order, whatever the validation split was
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
    gdl_config_t *c = load_config(o);
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
    int failed = cd_train_model(r, &cr, &choice) != 0;
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
    gdl_config_t *c = load_config(o);
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
    qsort(rows, (size_t)n, sizeof *rows, row_cmp);
    run.train_rows = rows, run.n_train = n, run.val_rows = NULL, run.n_val = 0;
    gdl_model_t *m = start_model(c, d, &run, r, &loss_weights);
    int failed = !m || count_train_model(r, rows, n) != 0;
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
    int rc = cd_rows(o, d, run, t, t->linear_by_cd, &rows, &part, &cr) != 0 || cd_train_model(r, &cr, &choice) != 0;
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
static gdl_model_t *build_and_train(const gdl_train_opts_t *o, const gdl_dataset_t *d, run_t run,
                                    gdl_runner_t *r)
{
    gdl_config_t *c = load_config(o);
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
        gdl_config_t *ck = load_config(o);
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
        qsort(rows, (size_t)n, sizeof *rows, row_cmp); // dataset order, whatever the validation split was
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
static const char **read_groups(const char *path, const gdl_dataset_t *d, char **buf_out)
{
    FILE *fp = fopen(path, "r");
    const char **groups = calloc(d->n_examples ? d->n_examples : 1, sizeof *groups);
    char *line = NULL, *buf = NULL;
    size_t cap = 0, used = 0, bufcap = 0;
    int64_t lineno = 0, *offset = calloc(d->n_examples ? d->n_examples : 1, sizeof *offset);
    ssize_t len;
    if (!fp) {
        gdl_log_error("%s: %s", path, strerror(errno));
        goto fail;
    }
    if (!groups || !offset) goto fail;
    for (int64_t i = 0; i < d->n_examples; i++) offset[i] = -1;
    while ((len = getline(&line, &cap, fp)) >= 0) {
        lineno++;
        while (len && (line[len - 1] == '\n' || line[len - 1] == '\r')) line[--len] = 0;
        if (!len || line[0] == '#') continue;
        char *tab = strchr(line, '\t');
        if (!tab || !tab[1] || strchr(tab + 1, '\t')) {
            gdl_log_error("%s:%" PRId64 ": expected two tab-separated columns, id and group", path, lineno);
            goto fail;
        }
        *tab = 0;
        int64_t k;
        for (k = 0; k < d->n_examples; k++)
            if (!strcmp(d->ids[k], line)) break;
        if (k == d->n_examples) continue; // an id the dataset does not hold (dropped at encode)
        size_t glen = strlen(tab + 1) + 1;
        if (used + glen > bufcap) {
            bufcap = (used + glen) * 2;
            char *nb = realloc(buf, bufcap);
            if (!nb) goto fail;
            buf = nb;
        }
        memcpy(buf + used, tab + 1, glen); // NOLINT(clang-analyzer-core.NonNullParamChecker): buf grew above (glen >= 1)
        offset[k] = (int64_t)used;
        used += glen;
    }
    for (int64_t i = 0; i < d->n_examples; i++) {
        if (offset[i] < 0) {
            gdl_log_error("%s: no group for example '%s'", path, d->ids[i]);
            goto fail;
        }
        groups[i] = buf + offset[i];
    }
    fclose(fp);
    free(line), free(offset);
    *buf_out = buf;
    return groups;
fail:
    if (fp) fclose(fp);
    if (!*gdl_last_error()) gdl_log_error("out of memory");
    free(line), free(offset), free(buf), free(groups);
    return NULL;
}

/* id, fold (1-based) of rows[i], fold[i] the 0-based fold. */
static int write_folds(const char *path, const gdl_dataset_t *d, const int64_t *rows, int64_t n, const int *fold)
{
    gdl_outfile_t o;
    if (gdl_outfile_open(&o, path) != 0) return -1;
    fputs("id\tfold\n", o.fp);
    for (int64_t i = 0; i < n; i++) fprintf(o.fp, "%s\t%d\n", d->ids[rows[i]], fold[i] + 1);
    return gdl_outfile_commit(&o);
}

/* The rows training uses, o's or all the dataset's, into rows; their number. -1 when o's are not
 * ascending dataset rows. */
static int64_t rows_used(const gdl_train_opts_t *o, const gdl_dataset_t *d, int64_t *rows)
{
    if (!o->rows) {
        for (int64_t i = 0; i < d->n_examples; i++) rows[i] = i;
        return d->n_examples;
    }
    for (int64_t i = 0; i < o->n_rows; i++)
        if (o->rows[i] < (i ? o->rows[i - 1] + 1 : 0) || o->rows[i] >= d->n_examples) {
            gdl_log_error("%s: row %" PRId64 " of the rows to train on is out of order or range", o->data_path, i);
            return -1;
        }
    memcpy(rows, o->rows, (size_t)o->n_rows * sizeof *rows);
    return o->n_rows;
}

/* Fold k's options (fo: o with the config the nested search chose on rows[0..n), its text in
 * *json, the caller's to free) and its validation fraction; 0, or -1 with an error. Without a
 * search, fo is o and the fraction the config's. */
static int fold_options(const gdl_train_opts_t *o, const gdl_config_t *c, int k, const int64_t *rows, int64_t n,
                        gdl_train_opts_t *fo, char **json, double *val_frac)
{
    *fo = *o, *json = NULL, *val_frac = c->train.val_frac;
    if (!o->fold_config) return 0;
    if (!(*json = o->fold_config(o->fold_config_arg, k, rows, n))) return -1;
    fo->config_json = *json;
    gdl_config_t *ck = load_config(fo);
    if (!ck) return -1;
    *val_frac = ck->train.val_frac;
    gdl_config_free(ck);
    return 0;
}

/* Bytes the decoded sparse genotype rows may take: a quarter of the machine's memory, 8 GiB at
 * most. Cross-validation and the penalty path's inner folds read every row many times, and
 * decoding the 2-bit rows batch by batch was a third of the linear model's time. */
static int64_t decode_budget(void)
{
    long pages = sysconf(_SC_PHYS_PAGES), page = sysconf(_SC_PAGESIZE);
    int64_t quarter = pages > 0 && page > 0 ? (int64_t)pages * page / 4 : 0, most = (int64_t)8 << 30;
    return quarter < most ? quarter : most;
}

/* c's rows decoded into decoded when the config has a sparse input and they fit decode_budget;
 * *use points at it, or NULL. -1 out of memory. */
static int decode_for_config(const gdl_config_t *c, const gdl_dataset_t *d, gdl_geno_calls_t *decoded,
                             const gdl_geno_calls_t **use)
{
    *use = NULL;
    int sparse = 0;
    for (int i = 0; i < c->n_inputs; i++) sparse |= c->inputs[i].sparse;
    if (!sparse) return 0;
    int r = feed_decode_cohort(decoded, d, decode_budget());
    if (r < 0) return -1;
    if (r == 0) {
        *use = decoded;
        gdl_log_debug("genotype rows decoded once: %.0f MB", (double)decoded->row[d->n_examples] * 4 / 1e6);
    }
    return 0;
}

/* model_pairs_view on a model's training rows: its training and validation rows together, in
 * dataset order. */
static int pair_view(const gdl_config_t *c, const gdl_dataset_t *d, const int64_t *train, int64_t n_train,
                     const int64_t *val, int64_t n_val, gdl_dataset_t *view)
{
    int64_t n = n_train + n_val, *rows = malloc((size_t)(n ? n : 1) * sizeof *rows);
    if (!rows) {
        gdl_log_error("out of memory");
        return -1;
    }
    memcpy(rows, train, (size_t)n_train * sizeof *rows);
    memcpy(rows + n_train, val, (size_t)n_val * sizeof *rows);
    qsort(rows, (size_t)n, sizeof *rows, row_cmp);
    int rc = model_pairs_view(c, d, rows, n, view);
    free(rows);
    return rc;
}

int gdl_train(const gdl_train_opts_t *o)
{
    gdl_dataset_t *d = gdl_dataset_open(o->data_path);
    gdl_config_t *c = NULL;
    gdl_outfile_t log = {0};
    gdl_runner_t r = {0};
    int *strata = NULL, *fold = NULL, *oof_fold = NULL, ret = -1;
    int64_t N, n_use, *use = NULL, *all = NULL, *train = NULL, *val = NULL, *test = NULL, *oof_rows = NULL, n_oof = 0;
    float *oof = NULL;
    const char **groups = NULL;
    char *group_buf = NULL, *path = NULL, *tuned = NULL;
    gdl_runner_t oof_runner = {0};
    gdl_train_opts_t fo;   // a fold's options: o, with the nested search's config
    gdl_model_t *keep = NULL;  // a fold model, kept to write the OOF file's header
    double *fold_metric = NULL, *fold_loss = NULL;
    const char *summary_name = NULL;
    history_t hist = {0};
    gdl_geno_calls_t decoded = {0};
    const gdl_geno_calls_t *use_decoded;
    cd_columns_t cd_columns = {0};
    gdl_dataset_t view = {0}, keep_view = {0}; // with pairs: the current model's columns, and keep's
    if (!d || !(c = load_config(o))) goto out;
    const int with_pairs = model_pairs_input(c) != NULL; // each model sees its own columns: no shared decoding
    if (!with_pairs && decode_for_config(c, d, &decoded, &use_decoded) != 0) goto out;
    if (with_pairs) use_decoded = NULL;
    if (!with_pairs && (!strcmp(c->train.solver, "cd") || c->train.linear_by_cd) && cd_columns_for_dataset(&cd_columns, d, use_decoded, o->data_path) != 0)
        goto out;
    N = d->n_examples;
    if (!(use = malloc((N + 1) * sizeof *use)) || !(all = malloc((N + 1) * sizeof *all)) || !(train = malloc((N + 1) * sizeof *train)) ||
        !(val = malloc((N + 1) * sizeof *val)) || !(test = malloc((N + 1) * sizeof *test)) ||
        !(strata = gdl_folds_strata(d)))
        goto oom;
    if ((n_use = rows_used(o, d, use)) < 0) goto out;
    if (o->log_path) {
        if (gdl_outfile_open(&log, o->log_path) != 0) goto out;
        fputs("epoch\tfold\ttrain_loss\tval_loss\tlr\tseconds\n", log.fp);
    }
    run_t run = {.o = o, .d = d, .log = log.fp, .checkpoint = 1, .hist = o->plot_path ? &hist : NULL, .strata = strata,
                 .decoded = use_decoded, .cd_columns = cd_columns.n_cols ? &cd_columns : NULL};
    uint64_t seed = c->train.seed;
    if (o->folds < 2 && !o->test_chrom) {
        if (split_validation(d, strata, groups, use, n_use, c->train.val_frac, seed, train, &run.n_train, val, &run.n_val) != 0)
            goto out;
        run.train_rows = train, run.val_rows = val, run.out_path = o->out_path;
        if (with_pairs && pair_view(c, d, train, run.n_train, val, run.n_val, &view) != 0) goto out;
        gdl_model_t *m = build_and_train(o, with_pairs ? &view : d, run, &r);
        if (!m) goto out;
        gdl_runner_free(&r);
        gdl_model_free(m);
        model_pairs_view_free(&view);
    } else {
        const int K = o->test_chrom ? 2 : o->folds, only = o->test_chrom ? 1 : o->fold; // only: one fold
        if (!(fold_metric = malloc(K * sizeof *fold_metric)) || !(fold_loss = malloc(K * sizeof *fold_loss)) || !(fold = malloc(N * sizeof *fold)) || !(oof_fold = malloc(N * sizeof *oof_fold)) ||
            !(oof_rows = malloc(N * sizeof *oof_rows)))
            goto oom;
        if (o->groups_path) { // gdl train refuses --groups with --split-by chrom; --groups first
            if (!(groups = read_groups(o->groups_path, d, &group_buf))) goto out;
        } else if (o->split_by_chrom) {
            if (!d->example_chrom) {
                gdl_log_error("%s: no chromosome per example; --split-by chrom needs a dataset encoded"
                              " from --bed or --task center-base", o->data_path);
                goto out;
            }
            if (!(groups = malloc(N * sizeof *groups))) goto oom;
            memcpy(groups, d->example_chrom, N * sizeof *groups);
        }
        run.groups = groups;
        if (o->test_chrom) { // fold 0 the test chromosomes, 1 the training ones, -1 unused
            int64_t n_train, n_test;
            if (gdl_folds_by_chrom(d, o->data_path, use, n_use, o->train_chrom, o->test_chrom, fold, &n_train,
                                   &n_test) != 0)
                goto out;
            gdl_log_info("%s: training on %" PRId64 " examples (%s), testing on %" PRId64 " (%s)", o->data_path,
                         n_train, o->train_chrom ? o->train_chrom : "every other chromosome", n_test, o->test_chrom);
        } else if (gdl_folds_split(d, strata, groups, use, n_use, K, seed, fold) != 0) {
            goto out;
        }
        if (o->folds_out && write_folds(o->folds_out, d, use, n_use, fold) != 0) goto out;
        for (int k = 1; k <= K; k++) {
            if (only && k != only) continue;
            int64_t n_rest = 0, n_test = 0;
            double val_frac;
            for (int64_t i = 0; i < n_use; i++) {
                if (fold[i] == k - 1) test[n_test++] = use[i];
                else if (fold[i] >= 0) all[n_rest++] = use[i];
            }
            free(tuned);
            if (fold_options(o, c, k, all, n_rest, &fo, &tuned, &val_frac) != 0) goto out;
            if (split_validation(d, strata, groups, all, n_rest, val_frac, seed + (uint64_t)k, train,
                                 &run.n_train, val, &run.n_val) != 0)
                goto out;
            free(path);
            if (o->out_path && !(path = o->test_chrom ? strdup(o->out_path) : gdl_model_fold_path(o->out_path, k)))
                goto oom;
            run.train_rows = train, run.val_rows = val, run.out_path = path;
            run.fold = k, run.n_folds = K;
            gdl_dataset_t *dk = d;
            if (with_pairs) { // chosen on this fold's training and validation rows, never its held-out ones
                model_pairs_view_free(&view);
                if (pair_view(c, d, train, run.n_train, val, run.n_val, &view) != 0) goto out;
                dk = &view;
            }
            run.o = &fo;
            gdl_model_t *m = build_and_train(&fo, dk, run, &r);
            if (!m) goto out;
            if (!oof && !(oof = malloc((size_t)(N * m->n_out) * sizeof *oof))) goto oom;
            float *s = oof + n_oof * m->n_out;
            if (gdl_runner_scores(&r, test, n_test, s) != 0) {
                gdl_runner_free(&r);
                gdl_model_free(m);
                goto out;
            }
            double test_loss = gdl_runner_mean_loss(&r, test, n_test, NULL), metric = NAN;
            const char *metric_name = NULL;
            if (o->fold_metric) metric = o->fold_metric(&r, test, n_test, s, &metric_name, o->fold_metric_arg);
            fold_metric[k - 1] = metric;
            fold_loss[k - 1] = test_loss;
            if (gdl_log_get_level() >= GDL_LOG_INFO) {
                if (c->train.linear_by_cd && c->train.l1_path_folds)
                    fprintf(stderr, "[train] fold %d/%d: %" PRId64 " training, %" PRId64 " validation (the linear"
                            " layer fitted on both, its step chosen by %d folds of them), %" PRId64 " held-out"
                            " examples; held-out loss %.5f", k, K, run.n_train, run.n_val, c->train.l1_path_folds,
                            n_test, test_loss);
                else if (c->train.l1_path_folds) // the validation rows trained too: inner folds chose the path's step
                    fprintf(stderr, "[train] fold %d/%d: %" PRId64 " training examples (the path's step chosen by %d"
                            " folds of them), %" PRId64 " held out; held-out loss %.5f", k, K, run.n_train + run.n_val,
                            c->train.l1_path_folds, n_test, test_loss);
                else
                    fprintf(stderr, "[train] fold %d/%d: %" PRId64 " training, %" PRId64 " validation, %" PRId64
                            " held-out examples; held-out loss %.5f", k, K, run.n_train, run.n_val, n_test, test_loss);
                if (metric_name) fprintf(stderr, ", %s %.4f", metric_name, metric);
                fputc('\n', stderr);
            }
            if (metric_name) summary_name = metric_name;
            for (int64_t i = 0; i < n_test; i++) oof_rows[n_oof + i] = test[i], oof_fold[n_oof + i] = k;
            n_oof += n_test;
            gdl_runner_free(&r);
            if (keep) gdl_model_free(keep);
            keep = m;
            if (with_pairs) model_pairs_view_free(&keep_view), keep_view = view, view.aligned_ = NULL;
        }
        if (o->metric_out || o->loss_out) {
            double sm = 0, sl = 0;
            int nm = 0, nl = 0;
            for (int k = 0; k < K; k++) {
                if (only && k != only - 1) continue;
                if (!isnan(fold_metric[k])) sm += fold_metric[k], nm++;
                if (!isnan(fold_loss[k])) sl += fold_loss[k], nl++;
            }
            if (o->metric_out) *o->metric_out = nm ? sm / nm : NAN;
            if (o->loss_out) *o->loss_out = nl ? sl / nl : NAN;
        }
        if (summary_name && o->test_chrom && gdl_log_get_level() >= GDL_LOG_INFO)
            fprintf(stderr, "[train] test chromosomes %s: %s %.4f\n", o->test_chrom, summary_name, fold_metric[0]);
        if (summary_name && !only && gdl_log_get_level() >= GDL_LOG_INFO) {
            double sum = 0, sum2 = 0;
            int n = 0;
            for (int k = 0; k < K; k++)
                if (!isnan(fold_metric[k])) sum += fold_metric[k], sum2 += fold_metric[k] * fold_metric[k], n++;
            double mean = n ? sum / n : NAN, sd = n > 1 ? sqrt(fmax(0, (sum2 - n * mean * mean) / (n - 1))) : NAN;
            fprintf(stderr, "[train] %d folds: %s %.4f +- %.4f (mean +- sd over %d folds)\n", K, summary_name,
                    mean, sd, n);
        }
        if (o->oof_path) {
            if (gdl_runner_init(&oof_runner, keep, with_pairs ? &keep_view : d, 1) != 0) goto out;
            if (predictions_write(o->oof_path, &oof_runner, oof_rows, n_oof, oof, oof_fold) != 0) goto out;
        }
        if (o->refit) {
            double val_frac;
            free(tuned);
            if (fold_options(o, c, 0, use, n_use, &fo, &tuned, &val_frac) != 0) goto out;
            if (split_validation(d, strata, groups, use, n_use, val_frac, seed, train, &run.n_train, val, &run.n_val) != 0)
                goto out;
            run.train_rows = train, run.val_rows = val, run.out_path = o->out_path, run.fold = 0, run.n_folds = 0;
            model_pairs_view_free(&view);
            if (with_pairs && pair_view(c, d, train, run.n_train, val, run.n_val, &view) != 0) goto out;
            run.o = &fo;
            gdl_model_t *m = build_and_train(&fo, with_pairs ? &view : d, run, &r);
            if (!m) goto out;
            gdl_runner_free(&r);
            gdl_model_free(m);
        }
    }
    if (o->log_path && gdl_outfile_commit(&log) != 0) goto out;
    if (o->plot_path && write_curves(o->plot_path, &hist, o->folds > 1 ? o->folds : 0) != 0) goto out;
    ret = 0;
    goto out;
oom:
    gdl_log_error("out of memory");
out:
    if (ret != 0 && log.fp) gdl_outfile_abort(&log);
    gdl_runner_free(&oof_runner);
    gdl_model_free(keep);
    model_pairs_view_free(&view), model_pairs_view_free(&keep_view);
    gdl_config_free(c);
    gdl_dataset_close(d);
    feed_free_cohort(&decoded);
    cd_columns_free(&cd_columns);
    free(strata), free(fold), free(oof_fold), free(use), free(all), free(train), free(val), free(test), free(tuned);
    history_free(&hist);
    free(oof_rows), free(oof), free(groups), free(fold_metric), free(fold_loss), free(group_buf), free(path);
    return ret;
}
