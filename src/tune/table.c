/* gdl tune's trial table: rows, the TSV file, the part files of --trial runs. */
#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "gdl/core.h"
#include "table.h"

#define TABLE_FIXED 3 // trial, rung, epochs: then one column per parameter, then the results

int64_t gdl_tune_n_trials(const gdl_tune_opts_t *o, const gdl_space_t *s)
{
    if (o->method == GDL_TUNE_RANDOM) return o->trials > 0 ? o->trials : 1;
    int64_t g = gdl_space_grid_size(s, o->grid_points);
    if (o->trials > 0 && o->trials - 1 < g) g = o->trials - 1;
    return 1 + g;
}

int gdl_tune_trial_values(const gdl_tune_opts_t *o, const gdl_space_t *s, int64_t t, char ***v)
{
    if (o->method == GDL_TUNE_GRID && t > 0) return gdl_space_grid(s, o->grid_points, t - 1, v);
    return gdl_space_sample(s, o->seed, t, v);
}


const tune_row_t *gdl_tune_find_row(const tune_table_t *t, int64_t trial, int rung)
{
    for (int64_t i = 0; i < t->n; i++)
        if (t->rows[i].trial == trial && t->rows[i].rung == rung) return &t->rows[i];
    return NULL;
}

int gdl_tune_add_row(tune_table_t *t, const tune_row_t *r)
{
    if (t->n == t->cap) {
        int64_t cap = t->cap ? 2 * t->cap : 64;
        tune_row_t *p = realloc(t->rows, (size_t)cap * sizeof *p);
        if (!p) {
            gdl_log_error("out of memory");
            return -1;
        }
        t->rows = p, t->cap = cap;
    }
    t->rows[t->n++] = *r;
    return 0;
}


static int by_rung_then_trial(const void *a, const void *b)
{
    const tune_row_t *x = a, *y = b;
    if (x->rung != y->rung) return x->rung < y->rung ? -1 : 1;
    return x->trial < y->trial ? -1 : x->trial > y->trial;
}

void gdl_tune_sort_rows(tune_table_t *t)
{
    if (t->n > 1) qsort(t->rows, (size_t)t->n, sizeof *t->rows, by_rung_then_trial);
}

/* ---- part files --------------------------------------------------------------------------- */

char *gdl_tune_part_path(const char *table_path, int64_t trial)
{
    size_t n = strlen(table_path) + 32;
    char *p = malloc(n);
    if (p) snprintf(p, n, "%s.trial%" PRId64, table_path, trial);
    else gdl_log_error("out of memory");
    return p;
}

void gdl_tune_paths_free(char **paths, int64_t n)
{
    if (!paths) return;
    for (int64_t i = 0; i < n; i++) free(paths[i]);
    free(paths);
}

typedef struct {
    int64_t trial;
    char *path;
} part_t;

static int by_part_trial(const void *a, const void *b)
{
    const part_t *x = a, *y = b;
    return x->trial < y->trial ? -1 : x->trial > y->trial;
}

/* "trialI" with I digits only: I, else -1. */
static int64_t part_trial(const char *suffix)
{
    if (strncmp(suffix, "trial", 5) != 0 || !suffix[5]) return -1;
    for (const char *p = suffix + 5; *p; p++)
        if (*p < '0' || *p > '9') return -1;
    return strtoll(suffix + 5, NULL, 10);
}

int64_t gdl_tune_find_parts(const char *table_path, char ***paths)
{
    const char *slash = strrchr(table_path, '/'), *base = slash ? slash + 1 : table_path;
    size_t dir_len = slash ? (size_t)(slash - table_path) + 1 : 0, base_len = strlen(base);
    char *dir = malloc(dir_len + 2);
    part_t *parts = NULL;
    int64_t n = 0, cap = 0;
    *paths = NULL;
    if (!dir) goto oom;
    if (dir_len) memcpy(dir, table_path, dir_len), dir[dir_len] = 0;
    else strcpy(dir, ".");
    DIR *dp = opendir(dir);
    if (!dp) {
        gdl_log_error("%s: %s", dir, strerror(errno));
        free(dir);
        return -1;
    }
    struct dirent *e;
    while ((e = readdir(dp))) {
        int64_t trial;
        if (strncmp(e->d_name, base, base_len) != 0 || e->d_name[base_len] != '.' ||
            (trial = part_trial(e->d_name + base_len + 1)) < 0)
            continue;
        if (n == cap) {
            cap = cap ? 2 * cap : 64;
            part_t *p = realloc(parts, (size_t)cap * sizeof *p);
            if (!p) goto oom_dir;
            parts = p;
        }
        parts[n].trial = trial;
        if (!(parts[n].path = gdl_tune_part_path(table_path, trial))) goto oom_dir;
        n++;
    }
    closedir(dp);
    free(dir), dir = NULL;
    if (n) qsort(parts, (size_t)n, sizeof *parts, by_part_trial);
    if (!(*paths = malloc((size_t)(n ? n : 1) * sizeof **paths))) goto oom;
    for (int64_t i = 0; i < n; i++) (*paths)[i] = parts[i].path;
    free(parts);
    return n;
oom_dir:
    closedir(dp);
oom:
    gdl_log_error("out of memory");
    for (int64_t i = 0; i < n; i++) free(parts[i].path);
    free(parts), free(dir);
    return -1;
}

/* ---- the file ---------------------------------------------------------------------------- */

static void print_number(FILE *fp, double v)
{
    if (isnan(v)) fputs("NA", fp);
    else fprintf(fp, "%.6f", v);
}

int gdl_tune_write_table(const gdl_tune_opts_t *o, const gdl_space_t *s, const tune_table_t *t,
                     const char *metric_name, const char *path)
{
    gdl_outfile_t f;
    if (gdl_outfile_open(&f, path) != 0) return -1;
    fputs("trial\trung\tepochs", f.fp);
    for (int i = 0; i < s->n_params; i++) fprintf(f.fp, "\t%s", s->params[i].path);
    fprintf(f.fp, "\t%s\tloss\tseconds\tstatus\n", metric_name);
    for (int64_t i = 0; i < t->n; i++) {
        const tune_row_t *r = &t->rows[i];
        char **v = NULL;
        if (gdl_tune_trial_values(o, s, r->trial, &v) != 0) {
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

int gdl_tune_read_table(const gdl_tune_opts_t *o, const gdl_space_t *s, tune_table_t *t,
                    const char *metric_name, const char *path)
{
    FILE *fp = fopen(path, "r");
    char *line = NULL, *expect = NULL;
    size_t cap = 0, len = 0;
    int64_t lineno = 0;
    int rc = -1, ncol = TABLE_FIXED + s->n_params + 4;
    char **col = malloc(ncol * sizeof *col);
    if (!fp) {
        if (errno == ENOENT) rc = 0; // nothing to resume
        else gdl_log_error("%s: %s", path, strerror(errno));
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
                gdl_log_error("%s:1: the table of another search (its columns differ); remove it or run the search it belongs to",
                              path);
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
            gdl_log_error("%s:%" PRId64 ": expected %d tab-separated columns", path, lineno, ncol);
            goto out;
        }
        tune_row_t r = {0};
        char *end;
        r.trial = strtoll(col[0], &end, 10);
        if (*end || r.trial < 0 || r.trial >= gdl_tune_n_trials(o, s)) {
            gdl_log_error("%s:%" PRId64 ": trial '%s' is not one of this search's", path, lineno, col[0]);
            goto out;
        }
        r.rung = atoi(col[1]) - 1, r.epochs = atoi(col[2]);
        char **v = NULL;
        if (gdl_tune_trial_values(o, s, r.trial, &v) != 0) goto out;
        int same = 1;
        for (int i = 0; i < s->n_params; i++) same &= !strcmp(v[i], col[TABLE_FIXED + i]);
        gdl_space_values_free(s, v);
        if (!same || r.rung < 0 || r.rung >= o->rungs) {
            gdl_log_error("%s:%" PRId64 ": trial %" PRId64 " of another search (other values, seed or rungs);"
                          " remove it or run the search it belongs to", path, lineno, r.trial);
            goto out;
        }
        int c = TABLE_FIXED + s->n_params;
        r.metric = parse_number(col[c]), r.loss = parse_number(col[c + 1]), r.seconds = parse_number(col[c + 2]);
        snprintf(r.status, sizeof r.status, "%s", col[c + 3]);
        if (!gdl_tune_find_row(t, r.trial, r.rung) && gdl_tune_add_row(t, &r) != 0) goto out;
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

