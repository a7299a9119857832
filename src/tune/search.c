/* gdl tune's search: trials of a space's configs, successive halving, the trial table. */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cjson/cJSON.h>

#include "gdl/core.h"
#include "gdl/tune.h"

#define TABLE_FIXED 3 // trial, rung, epochs: then one column per parameter, then the results

typedef struct {
    int64_t trial;
    int rung, epochs;
    double metric, loss, seconds;
    char status[160]; // "ok", or why the trial failed
} row_t;

typedef struct {
    row_t *rows;
    int64_t n, cap;
} table_t;

static const row_t *find_row(const table_t *t, int64_t trial, int rung)
{
    for (int64_t i = 0; i < t->n; i++)
        if (t->rows[i].trial == trial && t->rows[i].rung == rung) return &t->rows[i];
    return NULL;
}

static int add_row(table_t *t, const row_t *r)
{
    if (t->n == t->cap) {
        int64_t cap = t->cap ? 2 * t->cap : 64;
        row_t *p = realloc(t->rows, (size_t)cap * sizeof *p);
        if (!p) return -1;
        t->rows = p, t->cap = cap;
    }
    t->rows[t->n++] = *r;
    return 0;
}

/* The objective: larger is better, NaN for a failed trial. */
static double score(const gdl_tune_opts_t *o, const row_t *r)
{
    return o->use_loss ? -r->loss : r->metric;
}

/* ---- trials ------------------------------------------------------------------------------- */

static int64_t n_trials(const gdl_tune_opts_t *o, const gdl_space_t *s)
{
    if (o->method == GDL_TUNE_RANDOM) return o->trials > 0 ? o->trials : 1;
    int64_t g = gdl_space_grid_size(s, o->grid_points);
    if (o->trials > 0 && o->trials - 1 < g) g = o->trials - 1;
    return 1 + g;
}

static int trial_values(const gdl_tune_opts_t *o, const gdl_space_t *s, int64_t t, char ***v)
{
    if (o->method == GDL_TUNE_GRID && t > 0) return gdl_space_grid(s, o->grid_points, t - 1, v);
    return gdl_space_sample(s, o->seed, t, v);
}

/* The trial's resolved config, with the command line's overrides; its epochs and solver. */
static char *trial_config(const gdl_tune_opts_t *o, const gdl_space_t *s, int64_t t, int *epochs, int *by_cd)
{
    char **v = NULL, *json = NULL;
    gdl_config_t *c = NULL;
    if (trial_values(o, s, t, &v) != 0 || !(json = gdl_space_resolve(s, v))) goto fail;
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

static int run_trial(const gdl_tune_opts_t *o, const gdl_space_t *s, int64_t t, int rung, int R, row_t *row)
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

/* ---- the table ---------------------------------------------------------------------------- */

static void print_number(FILE *fp, double v)
{
    if (isnan(v)) fputs("NA", fp);
    else fprintf(fp, "%.6f", v);
}

static int write_table(const gdl_tune_opts_t *o, const gdl_space_t *s, const table_t *t, const char *metric_name)
{
    gdl_outfile_t f;
    if (gdl_outfile_open(&f, o->table_path) != 0) return -1;
    fputs("trial\trung\tepochs", f.fp);
    for (int i = 0; i < s->n_params; i++) fprintf(f.fp, "\t%s", s->params[i].path);
    fprintf(f.fp, "\t%s\tloss\tseconds\tstatus\n", metric_name);
    for (int64_t i = 0; i < t->n; i++) {
        const row_t *r = &t->rows[i];
        char **v = NULL;
        if (trial_values(o, s, r->trial, &v) != 0) {
            gdl_outfile_abort(&f);
            return -1;
        }
        fprintf(f.fp, "%" PRId64 "\t%d\t%d", r->trial, r->rung + 1, r->epochs);
        for (int k = 0; k < s->n_params; k++) fprintf(f.fp, "\t%s", v[k]);
        gdl_space_values_free(s, v);
        fputc('\t', f.fp), print_number(f.fp, r->metric);
        fputc('\t', f.fp), print_number(f.fp, r->loss);
        fprintf(f.fp, "\t%.2f\t%s\n", r->seconds, r->status);
    }
    return gdl_outfile_commit(&f);
}

static double parse_number(const char *s)
{
    return !strcmp(s, "NA") ? NAN : strtod(s, NULL);
}

/* Rows of an earlier run of the same search; its header and each trial's values must be this
 * search's, so resuming never mixes two searches. */
static int read_table(const gdl_tune_opts_t *o, const gdl_space_t *s, table_t *t, const char *metric_name)
{
    FILE *fp = fopen(o->table_path, "r");
    char *line = NULL, *expect = NULL;
    size_t cap = 0, len = 0;
    int64_t lineno = 0;
    int rc = -1, ncol = TABLE_FIXED + s->n_params + 4;
    char **col = malloc(ncol * sizeof *col);
    if (!fp) {
        if (errno == ENOENT) rc = 0; // nothing to resume
        else gdl_log_error("%s: %s", o->table_path, strerror(errno));
        goto out;
    }
    len = 64 + strlen(metric_name);
    for (int i = 0; i < s->n_params; i++) len += strlen(s->params[i].path) + 1;
    if (!col || !(expect = malloc(len))) goto oom;
    int at = sprintf(expect, "trial\trung\tepochs");
    for (int i = 0; i < s->n_params; i++) at += sprintf(expect + at, "\t%s", s->params[i].path);
    sprintf(expect + at, "\t%s\tloss\tseconds\tstatus", metric_name);
    ssize_t n;
    while ((n = getline(&line, &cap, fp)) >= 0) {
        lineno++;
        while (n && (line[n - 1] == '\n' || line[n - 1] == '\r')) line[--n] = 0;
        if (lineno == 1) {
            if (strcmp(line, expect)) {
                gdl_log_error("%s:1: the table of another search (its columns differ); remove it or drop --resume",
                              o->table_path);
                goto out;
            }
            continue;
        }
        int k = 0;
        for (char *p = line, *tab; k < ncol; k++, p = tab + 1) {
            col[k] = p;
            if (!(tab = strchr(p, '\t'))) {
                k++;
                break;
            }
            *tab = 0;
        }
        if (k != ncol) {
            gdl_log_error("%s:%" PRId64 ": expected %d tab-separated columns", o->table_path, lineno, ncol);
            goto out;
        }
        row_t r = {0};
        char *end;
        r.trial = strtoll(col[0], &end, 10);
        if (*end || r.trial < 0 || r.trial >= n_trials(o, s)) {
            gdl_log_error("%s:%" PRId64 ": trial '%s' is not one of this search's", o->table_path, lineno, col[0]);
            goto out;
        }
        r.rung = atoi(col[1]) - 1, r.epochs = atoi(col[2]);
        char **v = NULL;
        if (trial_values(o, s, r.trial, &v) != 0) goto out;
        int same = 1;
        for (int i = 0; i < s->n_params; i++) same &= !strcmp(v[i], col[TABLE_FIXED + i]);
        gdl_space_values_free(s, v);
        if (!same || r.rung < 0 || r.rung >= o->rungs) {
            gdl_log_error("%s:%" PRId64 ": trial %" PRId64 " of another search (other values, seed or rungs);"
                          " remove the table or drop --resume", o->table_path, lineno, r.trial);
            goto out;
        }
        int c = TABLE_FIXED + s->n_params;
        r.metric = parse_number(col[c]), r.loss = parse_number(col[c + 1]), r.seconds = parse_number(col[c + 2]);
        snprintf(r.status, sizeof r.status, "%s", col[c + 3]);
        if (!find_row(t, r.trial, r.rung) && add_row(t, &r) != 0) goto oom;
    }
    rc = 0;
    goto out;
oom:
    gdl_log_error("out of memory");
out:
    if (fp) fclose(fp);
    free(line), free(expect), free(col);
    return rc;
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
static int64_t promote(const gdl_tune_opts_t *o, const table_t *t, const int64_t *members, int64_t n, int r,
                       int64_t *next)
{
    ranked_t *rk = malloc((size_t)(n ? n : 1) * sizeof *rk);
    if (!rk) return -1;
    for (int64_t i = 0; i < n; i++) {
        const row_t *row = find_row(t, members[i], r);
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

int gdl_tune(const gdl_tune_opts_t *o, char **best_json)
{
    gdl_space_t *s = gdl_space_load(o->space_path);
    table_t t = {0};
    int64_t *members = NULL, *next = NULL, n = 0, best = -1;
    int R = o->eta > 1 ? o->rungs : 1, rc = -1, top = -1;
    const char *metric_name = o->metric_name ? o->metric_name : "metric";
    double t0 = gdl_seconds(), best_score = NAN;
    if (!s) return -1;
    gdl_dataset_t *d = gdl_dataset_open(o->data_path); // a missing dataset is the search's error, not each trial's
    if (!d) goto out;
    gdl_dataset_close(d);
    int64_t N = n_trials(o, s);
    if (o->resume && read_table(o, s, &t, metric_name) != 0) goto out;
    if (!(members = malloc((size_t)N * sizeof *members)) || !(next = malloc((size_t)N * sizeof *next))) {
        gdl_log_error("out of memory");
        goto out;
    }
    for (int64_t i = 0; i < N; i++) members[i] = i;
    n = N;
    gdl_log_info("%s: %" PRId64 " trials of %d parameters, %d rung%s (halving by %d), %s", o->space_path, N,
                 s->n_params, R, R > 1 ? "s" : "", o->eta,
                 o->inner_folds ? "the mean of inner folds" : "one held-out fifth");
    int stopped = 0;
    for (int r = 0; r < R && n > 0 && !stopped; r++) {
        for (int64_t i = 0; i < n; i++) {
            const row_t *done = find_row(&t, members[i], r);
            if (done) continue;
            if (o->time_limit > 0 && gdl_seconds() - t0 > o->time_limit) {
                gdl_log_info("--time reached: no new trial starts");
                stopped = 1;
                break;
            }
            row_t row;
            if (run_trial(o, s, members[i], r, R, &row) != 0 || add_row(&t, &row) != 0 ||
                write_table(o, s, &t, metric_name) != 0)
                goto out;
            gdl_log_info("trial %" PRId64 " (rung %d/%d, %d epochs): %s %.4f, loss %.4f, %.1f s%s%s", row.trial, r + 1, R,
                         row.epochs, o->use_loss ? "held-out loss" : "metric", o->use_loss ? row.loss : row.metric,
                         row.loss, row.seconds, strcmp(row.status, "ok") ? "; " : "", strcmp(row.status, "ok") ? row.status : "");
        }
        top = r;
        if (stopped) break;
        if (r + 1 < R) {
            int64_t m = promote(o, &t, members, n, r, next);
            if (m < 0) goto out;
            int64_t *x = members;
            members = next, next = x, n = m;
        }
    }
    if (o->resume || t.n) {
        if (write_table(o, s, &t, metric_name) != 0) goto out;
    }
    // the best of the highest rung any trial reached
    for (int r = top; r >= 0 && best < 0; r--)
        for (int64_t i = 0; i < t.n; i++) {
            const row_t *row = &t.rows[i];
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
    if (!json) goto out;
    gdl_log_info("best: trial %" PRId64 ", %s %.4f", best, o->use_loss ? "held-out loss" : "metric",
                 o->use_loss ? -best_score : best_score);
    if (o->out_path && write_best(o->out_path, json) != 0) {
        free(json);
        goto out;
    }
    if (best_json) *best_json = json;
    else free(json);
    rc = 0;
out:
    gdl_space_free(s);
    free(t.rows), free(members), free(next);
    return rc;
}
