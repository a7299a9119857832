/* gdl tune's search: trials of a space's configs, successive halving, the trial table. */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cjson/cJSON.h>

#include "gdl/core.h"
#include "gdl/tune.h"
#include "table.h"
#include "tune_plot.h"

/* The objective: larger is better, NaN for a failed trial. */
static double score(const gdl_tune_opts_t *o, const tune_row_t *r)
{
    return o->use_loss ? -r->loss : r->metric;
}

/* ---- trials ------------------------------------------------------------------------------- */

/* The trial's resolved config, with the command line's overrides; its epochs and solver. */
static char *trial_config(const gdl_tune_opts_t *o, const gdl_space_t *s, int64_t t, int *epochs, int *by_cd)
{
    char **v = NULL, *json = NULL;
    gdl_config_t *c = NULL;
    if (gdl_tune_trial_values(o, s, t, &v) != 0 || !(json = gdl_space_resolve(s, v))) goto fail;
    if (!(c = gdl_config_load(s->path, json))) goto fail;
    for (int i = 0; i < o->n_overrides; i++)
        if (gdl_config_override(c, o->override_key[i], o->override_value[i]) != 0) goto fail;
    *epochs = c->train.epochs;
    *by_cd = !strcmp(c->train.solver, "cd");
    gdl_config_free(c);
    gdl_space_values_free(s, v);
    return json;
fail:
    gdl_config_free(c);
    gdl_space_values_free(s, v);
    free(json);
    return NULL;
}

/* Epochs at rung r of R: the trial's epochs / eta^(R - 1 - r), at least 1. Coordinate descent
 * has no epoch budget: every rung is its full fit. */
static int rung_epochs(const gdl_tune_opts_t *o, int epochs, int by_cd, int r, int R)
{
    if (by_cd) return epochs;
    double e = epochs;
    for (int k = r; k < R - 1; k++) e /= o->eta;
    int n = (int)ceil(e);
    return n < 1 ? 1 : n > epochs ? epochs : n;
}

static int run_trial(const gdl_tune_opts_t *o, const gdl_space_t *s, int64_t t, int rung, int R, tune_row_t *row)
{
    int epochs = 0, by_cd = 0;
    char *json = trial_config(o, s, t, &epochs, &by_cd), e[32];
    memset(row, 0, sizeof *row);
    row->trial = t, row->rung = rung, row->metric = row->loss = NAN;
    if (!json) return -1; // gdl_space_load checked the corners: this is out of memory or worse
    row->epochs = rung_epochs(o, epochs, by_cd, rung, R);
    gdl_train_opts_t to = {.config_path = s->path, .config_json = json, .data_path = o->data_path,
                           .folds = o->inner_folds ? o->inner_folds : 5, .fold = o->inner_folds ? 0 : 1,
                           .fold_metric = o->fold_metric, .fold_metric_arg = o->fold_metric_arg,
                           .metric_out = &row->metric, .loss_out = &row->loss, .rows = o->rows,
                           .n_rows = o->n_rows, .groups_path = o->groups_path, .split_by_chrom = o->split_by_chrom,
                           .folds_out = o->folds_out};
    for (int i = 0; i < o->n_overrides; i++)
        to.override_key[to.n_overrides] = o->override_key[i], to.override_value[to.n_overrides++] = o->override_value[i];
    snprintf(e, sizeof e, "%d", row->epochs);
    to.override_key[to.n_overrides] = "epochs", to.override_value[to.n_overrides++] = e;
    int level = gdl_log_get_level();
    gdl_log_set_level(level < GDL_LOG_WARN ? level : GDL_LOG_WARN); // one line per trial, not per epoch
    double t0 = gdl_seconds();
    int rc = gdl_train(&to);
    row->seconds = gdl_seconds() - t0;
    gdl_log_set_level(level);
    if (rc != 0) { // a config the data cannot take (a kernel longer than the sequence...): noted, not fatal
        snprintf(row->status, sizeof row->status, "failed: %s", gdl_last_error());
        for (char *p = row->status; *p; p++)
            if (*p == '\t' || *p == '\n') *p = ' ';
        row->metric = row->loss = NAN;
    } else {
        snprintf(row->status, sizeof row->status, "ok");
    }
    free(json);
    return 0;
}

/* ---- successive halving ------------------------------------------------------------------- */

typedef struct {
    int64_t trial;
    double score;
} ranked_t;

static int by_score(const void *a, const void *b)
{
    const ranked_t *x = a, *y = b;
    int xn = isnan(x->score), yn = isnan(y->score);
    if (xn != yn) return xn - yn; // failed trials last
    if (!xn && x->score != y->score) return x->score > y->score ? -1 : 1;
    return x->trial < y->trial ? -1 : x->trial > y->trial;
}

/* The trials of rung r + 1: the best ceil(n / eta) of rung r's, and trial 0 always, in trial order. */
static int64_t promote(const gdl_tune_opts_t *o, const tune_table_t *t, const int64_t *members, int64_t n, int r,
                       int64_t *next)
{
    ranked_t *rk = malloc((size_t)(n ? n : 1) * sizeof *rk);
    if (!rk) return -1;
    for (int64_t i = 0; i < n; i++) {
        const tune_row_t *row = gdl_tune_find_row(t, members[i], r);
        rk[i] = (ranked_t){members[i], row ? score(o, row) : NAN};
    }
    qsort(rk, (size_t)n, sizeof *rk, by_score);
    int64_t keep = (n + o->eta - 1) / o->eta, m = 0;
    int has0 = 0;
    for (int64_t i = 0; i < keep; i++)
        if (!isnan(rk[i].score)) next[m++] = rk[i].trial, has0 |= rk[i].trial == 0;
    if (!has0 && n && members[0] == 0) next[m++] = 0;
    free(rk);
    for (int64_t i = 1; i < m; i++) // trial order
        for (int64_t j = i; j > 0 && next[j - 1] > next[j]; j--) {
            int64_t x = next[j];
            next[j] = next[j - 1], next[j - 1] = x;
        }
    return m;
}

/* json with the command line's training overrides written into its training block, so the best
 * config trains as its trials did (frees json; NULL out of memory). */
static char *with_overrides(const gdl_tune_opts_t *o, char *json)
{
    if (!o->n_overrides) return json;
    cJSON *root = cJSON_Parse(json), *train = root ? cJSON_GetObjectItemCaseSensitive(root, "training") : NULL;
    char *out = NULL;
    free(json);
    if (root && !train) train = cJSON_AddObjectToObject(root, "training");
    for (int i = 0; train && i < o->n_overrides; i++) {
        cJSON *v = cJSON_Parse(o->override_value[i]);
        if (!v || !cJSON_IsNumber(v)) cJSON_Delete(v), v = cJSON_CreateString(o->override_value[i]);
        if (!v) break;
        cJSON_DeleteItemFromObjectCaseSensitive(train, o->override_key[i]);
        cJSON_AddItemToObject(train, o->override_key[i], v);
        if (i + 1 == o->n_overrides) out = cJSON_PrintUnformatted(root);
    }
    cJSON_Delete(root);
    if (!out) gdl_log_error("out of memory");
    return out;
}

static int write_best(const char *path, const char *json)
{
    cJSON *root = cJSON_Parse(json);
    char *pretty = root ? cJSON_Print(root) : NULL;
    gdl_outfile_t f;
    int rc = -1;
    if (!pretty) gdl_log_error("out of memory");
    else if (gdl_outfile_open(&f, path) == 0) {
        fprintf(f.fp, "%s\n", pretty);
        rc = gdl_outfile_commit(&f);
    }
    cJSON_Delete(root);
    free(pretty);
    return rc;
}

/* The rows of earlier runs: the table itself with --resume, --trial and --merge; --trial's own
 * part file (a requeued task keeps what it ran) into mine as well; every part with --merge, whose
 * paths go to *parts (*n_parts of them) so that only what was read is removed. */
static int read_earlier(const gdl_tune_opts_t *o, const gdl_space_t *s, const char *metric_name, tune_table_t *t,
                        tune_table_t *mine, const char *part, char ***parts, int64_t *n_parts)
{
    if ((o->resume || o->mode != GDL_TUNE_ALL) && gdl_tune_read_table(o, s, t, metric_name, o->table_path) != 0) return -1;
    if (o->mode == GDL_TUNE_ONE_TRIAL)
        return gdl_tune_read_table(o, s, mine, metric_name, part) != 0 ||
                       gdl_tune_read_table(o, s, t, metric_name, part) != 0 ? -1 : 0;
    if (o->mode != GDL_TUNE_MERGE) return 0;
    int64_t n = gdl_tune_find_parts(o->table_path, parts);
    if (n < 0) return -1;
    *n_parts = n;
    int rc = 0;
    for (int64_t i = 0; i < n && rc == 0; i++) rc = gdl_tune_read_table(o, s, t, metric_name, (*parts)[i]);
    if (rc == 0) gdl_tune_sort_rows(t);
    return rc;
}

/* The trials a rung still needs, comma-separated on stdout (an sbatch --array list). */
static void print_pending(const int64_t *pending, int64_t n)
{
    for (int64_t i = 0; i < n; i++) printf("%s%" PRId64, i ? "," : "", pending[i]);
    printf("\n");
    fflush(stdout);
}

int gdl_tune(const gdl_tune_opts_t *o, char **best_json)
{
    gdl_space_t *s = gdl_space_load(o->space_path);
    tune_table_t t = {0}, mine = {0};
    int64_t *members = NULL, *next = NULL, *pending = NULL, n = 0, n_pending = 0, best = -1, ran = 0;
    int R = o->eta > 1 ? o->rungs : 1, rc = -1, top = -1;
    const char *metric_name = o->metric_name ? o->metric_name : "metric";
    char *part = NULL, **parts = NULL; // --merge: the part files read
    int64_t n_parts = 0;
    double t0 = gdl_seconds(), best_score = NAN;
    if (best_json) *best_json = NULL;
    if (!s) return -1;
    gdl_dataset_t *d = gdl_dataset_open(o->data_path); // a missing dataset is the search's error, not each trial's
    if (!d) goto out;
    gdl_dataset_close(d);
    int64_t N = gdl_tune_n_trials(o, s);
    if (o->mode == GDL_TUNE_ONE_TRIAL) {
        if (o->trial < 0 || o->trial >= N) {
            gdl_log_error("%s: --trial %" PRId64 ": the search has trials 0..%" PRId64, o->space_path, o->trial, N - 1);
            goto out;
        }
        if (!(part = gdl_tune_part_path(o->table_path, o->trial))) goto out;
    }
    if (read_earlier(o, s, metric_name, &t, &mine, part, &parts, &n_parts) != 0) goto out;
    if (!(members = malloc((size_t)N * sizeof *members)) || !(next = malloc((size_t)N * sizeof *next)) ||
        !(pending = malloc((size_t)N * sizeof *pending))) {
        gdl_log_error("out of memory");
        goto out;
    }
    for (int64_t i = 0; i < N; i++) members[i] = i;
    n = N;
    if (o->mode == GDL_TUNE_ALL)
        gdl_log_info("%s: %" PRId64 " trials of %d parameters, %d rung%s (halving by %d), %s", o->space_path, N,
                     s->n_params, R, R > 1 ? "s" : "", o->eta,
                     o->inner_folds ? "the mean of inner folds" : "one held-out fifth");
    int stopped = 0, r;
    for (r = 0; r < R && n > 0 && !stopped; r++) {
        for (int64_t i = 0; i < n; i++) {
            const tune_row_t *done = gdl_tune_find_row(&t, members[i], r);
            if (done) continue;
            if (o->mode == GDL_TUNE_MERGE || (o->mode == GDL_TUNE_ONE_TRIAL && members[i] != o->trial)) {
                pending[n_pending++] = members[i]; // another task's, or to run after the merge
                continue;
            }
            if (o->time_limit > 0 && gdl_seconds() - t0 > o->time_limit) {
                gdl_log_info("--time reached: no new trial starts");
                stopped = 1;
                break;
            }
            tune_row_t row;
            if (run_trial(o, s, members[i], r, R, &row) != 0 || gdl_tune_add_row(&t, &row) != 0) goto out;
            if (o->mode == GDL_TUNE_ONE_TRIAL ? gdl_tune_add_row(&mine, &row) != 0 ||
                                                    gdl_tune_write_table(o, s, &mine, metric_name, part) != 0
                                              : gdl_tune_write_table(o, s, &t, metric_name, o->table_path) != 0)
                goto out;
            ran++;
            gdl_log_info("trial %" PRId64 " (rung %d/%d, %" PRId64 " of %" PRId64 ", %d epochs): %s %.4f, loss %.4f,"
                         " %.1f s (%.0f s in all)%s%s", row.trial, r + 1, R, i + 1, n, row.epochs,
                         o->use_loss ? "held-out loss" : "metric", o->use_loss ? row.loss : row.metric, row.loss,
                         row.seconds, gdl_seconds() - t0, strcmp(row.status, "ok") ? "; " : "",
                         strcmp(row.status, "ok") ? row.status : "");
        }
        if (n_pending) break; // the next rung's trials depend on these
        top = r;
        if (stopped) break;
        if (r + 1 < R) {
            int64_t m = promote(o, &t, members, n, r, next);
            if (m < 0) goto out;
            int64_t *x = members;
            members = next, next = x, n = m;
        }
    }
    if (o->mode == GDL_TUNE_ONE_TRIAL) { // the best is the merge's to choose
        if (!ran) gdl_log_info("trial %" PRId64 ": nothing to run now (%s)", o->trial,
                               n_pending ? "rung waits for other trials: merge first" : "done or not promoted");
        rc = 0;
        goto out;
    }
    if ((o->resume || o->mode == GDL_TUNE_MERGE || t.n) && gdl_tune_write_table(o, s, &t, metric_name, o->table_path) != 0)
        goto out;
    if (o->mode == GDL_TUNE_MERGE && n_pending) {
        gdl_log_info("%s: rung %d/%d needs %" PRId64 " more trial%s (their numbers on stdout): run them with"
                     " --trial, then --merge again", o->table_path, r + 1, R, n_pending, n_pending > 1 ? "s" : "");
        print_pending(pending, n_pending);
        rc = 0;
        goto out;
    }
    // the best of the highest rung any trial reached
    for (int r = top; r >= 0 && best < 0; r--)
        for (int64_t i = 0; i < t.n; i++) {
            const tune_row_t *row = &t.rows[i];
            double sc = score(o, row);
            if (row->rung != r || isnan(sc)) continue;
            if (best < 0 || sc > best_score || (sc == best_score && row->trial < best)) best = row->trial, best_score = sc;
        }
    if (best < 0) {
        gdl_log_error("%s: no trial gave a %s (the table %s says why)", o->space_path,
                      o->use_loss ? "held-out loss" : "held-out metric", o->table_path);
        goto out;
    }
    int epochs, by_cd;
    char *json = trial_config(o, s, best, &epochs, &by_cd);
    if (!json || !(json = with_overrides(o, json))) goto out;
    gdl_log_info("best: trial %" PRId64 ", %s %.4f", best, o->use_loss ? "held-out loss" : "metric",
                 o->use_loss ? -best_score : best_score);
    if (o->out_path && write_best(o->out_path, json) != 0) {
        free(json);
        goto out;
    }
    if (best_json) *best_json = json;
    else free(json);
    if (o->plot_prefix && gdl_tune_plot(o, s, &t, R, o->use_loss ? "held-out loss" : metric_name) != 0) goto out;
    for (int64_t i = 0; i < n_parts; i++) unlink(parts[i]); // their rows are in the table now; a part
    rc = 0;                                                     // written since stays for the next merge
out:
    gdl_space_free(s);
    free(t.rows), free(mine.rows), free(members), free(next), free(pending), free(part);
    if (parts) gdl_tune_paths_free(parts, n_parts);
    return rc;
}
