/* gdl train's entry point: one run with a validation split, or k-fold cross-validation (folds
 * by strata, groups or chromosome) with out-of-fold predictions, fold models and a refit. */
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
    gdl_config_t *ck = gdl_train_load_config(fo);
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
    int r = gdl_genotypes_decode_cohort(decoded, d->geno, d->n_examples, decode_budget());
    if (r < 0) return -1;
    if (r == 0) {
        *use = decoded;
        gdl_log_debug("genotype rows decoded once: %.0f MB", (double)decoded->row[d->n_examples] * 4 / 1e6);
    }
    return 0;
}

/* gdl_model_pairs_view on a model's training rows: its training and validation rows together, in
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
    qsort(rows, (size_t)n, sizeof *rows, gdl_train_row_cmp);
    int rc = gdl_model_pairs_view(c, d, rows, n, view);
    free(rows);
    return rc;
}

static int train_from(const gdl_train_opts_t *o)
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
    if (!d || !(c = gdl_train_load_config(o))) goto out;
    const int with_pairs = gdl_model_pairs_input(c) != NULL; // each model sees its own columns: no shared decoding
    if (!with_pairs && decode_for_config(c, d, &decoded, &use_decoded) != 0) goto out;
    if (with_pairs) use_decoded = NULL;
    if (!with_pairs && (!strcmp(c->train.solver, "cd") || c->train.linear_by_cd) && gdl_cd_columns_for_dataset(&cd_columns, d, use_decoded, o->data_path) != 0)
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
        if (gdl_train_split_validation(d, strata, groups, use, n_use, c->train.val_frac, seed, train, &run.n_train, val, &run.n_val) != 0)
            goto out;
        run.train_rows = train, run.val_rows = val, run.out_path = o->out_path;
        if (with_pairs && pair_view(c, d, train, run.n_train, val, run.n_val, &view) != 0) goto out;
        gdl_model_t *m = gdl_train_one(o, with_pairs ? &view : d, run, &r);
        if (!m) goto out;
        gdl_runner_free(&r);
        gdl_model_free(m);
        gdl_model_pairs_view_free(&view);
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
            if (gdl_train_split_validation(d, strata, groups, all, n_rest, val_frac, seed + (uint64_t)k, train,
                                 &run.n_train, val, &run.n_val) != 0)
                goto out;
            free(path);
            if (o->out_path && !(path = o->test_chrom ? strdup(o->out_path) : gdl_model_fold_path(o->out_path, k)))
                goto oom;
            run.train_rows = train, run.val_rows = val, run.out_path = path;
            run.fold = k, run.n_folds = K;
            gdl_dataset_t *dk = d;
            if (with_pairs) { // chosen on this fold's training and validation rows, never its held-out ones
                gdl_model_pairs_view_free(&view);
                if (pair_view(c, d, train, run.n_train, val, run.n_val, &view) != 0) goto out;
                dk = &view;
            }
            run.o = &fo;
            gdl_model_t *m = gdl_train_one(&fo, dk, run, &r);
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
            if (with_pairs) gdl_model_pairs_view_free(&keep_view), keep_view = view, view.aligned_ = NULL;
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
            if (gdl_predictions_write(o->oof_path, &oof_runner, oof_rows, n_oof, oof, oof_fold) != 0) goto out;
        }
        if (o->refit) {
            double val_frac;
            free(tuned);
            if (fold_options(o, c, 0, use, n_use, &fo, &tuned, &val_frac) != 0) goto out;
            if (gdl_train_split_validation(d, strata, groups, use, n_use, val_frac, seed, train, &run.n_train, val, &run.n_val) != 0)
                goto out;
            run.train_rows = train, run.val_rows = val, run.out_path = o->out_path, run.fold = 0, run.n_folds = 0;
            gdl_model_pairs_view_free(&view);
            if (with_pairs && pair_view(c, d, train, run.n_train, val, run.n_val, &view) != 0) goto out;
            run.o = &fo;
            gdl_model_t *m = gdl_train_one(&fo, with_pairs ? &view : d, run, &r);
            if (!m) goto out;
            gdl_runner_free(&r);
            gdl_model_free(m);
        }
    }
    if (o->log_path && gdl_outfile_commit(&log) != 0) goto out;
    if (o->plot_path && gdl_train_write_curves(o->plot_path, &hist, o->folds > 1 ? o->folds : 0) != 0) goto out;
    ret = 0;
    goto out;
oom:
    gdl_log_error("out of memory");
out:
    if (ret != 0 && log.fp) gdl_outfile_abort(&log);
    gdl_runner_free(&oof_runner);
    gdl_model_free(keep);
    gdl_model_pairs_view_free(&view), gdl_model_pairs_view_free(&keep_view);
    gdl_config_free(c);
    gdl_dataset_close(d);
    gdl_geno_calls_free(&decoded);
    gdl_cd_columns_free(&cd_columns);
    free(strata), free(fold), free(oof_fold), free(use), free(all), free(train), free(val), free(test), free(tuned);
    gdl_train_history_free(&hist);
    free(oof_rows), free(oof), free(groups), free(fold_metric), free(fold_loss), free(group_buf), free(path);
    return ret;
}

/* The config file read once: every model of the run (folds, inner folds, the refit) parses
 * the same text, however the file changes meanwhile. */
int gdl_train(const gdl_train_opts_t *o)
{
    if (o->config_json || !o->config_path) return train_from(o);
    gdl_train_opts_t once = *o;
    char *text = gdl_config_read_file(o->config_path);
    if (!text) return -1;
    once.config_json = text;
    int ret = train_from(&once);
    free(text);
    return ret;
}
