/* gdl tune --plot: the search's metric against each parameter, one SVG per parameter. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gdl/core.h"
#include "gdl/svg.h"
#include "tune_plot.h"

/* PREFIX.PATH.svg with the JSON path's brackets dropped (layers[0].units -> layers0.units). */
static char *plot_path(const char *prefix, const char *param)
{
    size_t n = strlen(prefix) + strlen(param) + 8;
    char *p = malloc(n), *w;
    if (!p) return NULL;
    w = p + sprintf(p, "%s.", prefix);
    for (const char *c = param; *c; c++)
        if (*c != '[' && *c != ']') *w++ = *c == '/' ? '_' : *c;
    strcpy(w, ".svg");
    return p;
}

/* A value's position on the x axis: its number (log10 for a log range), or a non-numeric
 * choice's index. */
static double x_of(const gdl_param_t *p, const char *v)
{
    char *end;
    double x = strtod(v, &end);
    if (p->kind == GDL_PARAM_CHOICE && (end == v || *end)) {
        for (int k = 0; k < p->n_choices; k++)
            if (!strcmp(p->choices[k], v)) return k;
        return NAN;
    }
    if (end == v || *end) return NAN;
    return p->kind == GDL_PARAM_RANGE && p->log ? log10(x) : x;
}

static int numeric_choices(const gdl_param_t *p)
{
    for (int k = 0; k < p->n_choices; k++) {
        char *end;
        strtod(p->choices[k], &end);
        if (end == p->choices[k] || *end) return 0;
    }
    return 1;
}

/* One parameter's figure: a dot per trial at its highest rung, coloured by that rung. */
static int plot_param(const gdl_param_t *p, const char *path, const double *x, const double *y,
                      const int *rung, int64_t n, int R, const char *ylabel)
{
    gdl_svg_frame_t f = {INFINITY, -INFINITY, INFINITY, -INFINITY};
    for (int64_t i = 0; i < n; i++) {
        if (isnan(x[i]) || isnan(y[i])) continue;
        f.x0 = fmin(f.x0, x[i]), f.x1 = fmax(f.x1, x[i]), f.y0 = fmin(f.y0, y[i]), f.y1 = fmax(f.y1, y[i]);
    }
    if (!isfinite(f.x0)) f.x0 = 0, f.x1 = 1, f.y0 = 0, f.y1 = 1;
    double px = f.x1 > f.x0 ? 0.05 * (f.x1 - f.x0) : 0.5, py = f.y1 > f.y0 ? 0.05 * (f.y1 - f.y0) : 0.05;
    f.x0 -= px, f.x1 += px, f.y0 -= py, f.y1 += py;
    char xlabel[512], title[600];
    int categorical = p->kind == GDL_PARAM_CHOICE && !numeric_choices(p);
    if (p->kind == GDL_PARAM_RANGE && p->log) snprintf(xlabel, sizeof xlabel, "log10 %s", p->path);
    else if (categorical) {
        int at = snprintf(xlabel, sizeof xlabel, "%s (", p->path);
        for (int k = 0; k < p->n_choices && at < (int)sizeof xlabel - 40; k++)
            at += snprintf(xlabel + at, sizeof xlabel - at, "%s%d = %s", k ? ", " : "", k, p->choices[k]);
        snprintf(xlabel + at, sizeof xlabel - at, ")");
    } else snprintf(xlabel, sizeof xlabel, "%s", p->path);
    snprintf(title, sizeof title, "%s by %s, each trial at its last rung", ylabel, p->path);
    gdl_outfile_t out;
    if (gdl_outfile_open(&out, path) != 0) return -1;
    gdl_svg_begin(out.fp, title, xlabel, ylabel, &f);
    for (int r = 0; r < R; r++) {
        char label[32];
        snprintf(label, sizeof label, "rung %d", r + 1);
        gdl_svg_legend(out.fp, r, gdl_svg_color(r), label);
    }
    for (int64_t i = 0; i < n; i++) {
        if (isnan(x[i]) || isnan(y[i])) continue;
        fprintf(out.fp, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"4\" fill=\"%s\" fill-opacity=\"0.8\"/>\n",
                gdl_svg_x(&f, x[i]), gdl_svg_y(&f, y[i]), gdl_svg_color(rung[i]));
    }
    gdl_svg_end(out.fp);
    return gdl_outfile_commit(&out);
}

int gdl_tune_plot(const gdl_tune_opts_t *o, const gdl_space_t *s, const tune_table_t *t, int R, const char *ylabel)
{
    int64_t N = gdl_tune_n_trials(o, s), n = 0;
    int64_t *at = malloc((size_t)N * sizeof *at); // each trial's row at its highest rung
    double *x = malloc((size_t)N * sizeof *x), *y = malloc((size_t)N * sizeof *y);
    int *rung = malloc((size_t)N * sizeof *rung), rc = -1;
    char ***values = calloc((size_t)N, sizeof *values);
    if (!at || !x || !y || !rung || !values) goto oom;
    for (int64_t k = 0; k < N; k++) at[k] = -1;
    for (int64_t i = 0; i < t->n; i++) {
        const tune_row_t *r = &t->rows[i];
        if (r->trial < N && (at[r->trial] < 0 || t->rows[at[r->trial]].rung < r->rung)) at[r->trial] = i;
    }
    for (int64_t k = 0; k < N; k++) {
        if (at[k] < 0) continue;
        const tune_row_t *r = &t->rows[at[k]];
        if (gdl_tune_trial_values(o, s, k, &values[n]) != 0) goto oom;
        y[n] = o->use_loss ? r->loss : r->metric, rung[n] = r->rung, at[n] = k;
        n++;
    }
    for (int i = 0; i < s->n_params; i++) {
        const gdl_param_t *p = &s->params[i];
        for (int64_t k = 0; k < n; k++) x[k] = x_of(p, values[k][i]);
        char *path = plot_path(o->plot_prefix, p->path);
        if (!path) goto oom;
        int ok = plot_param(p, path, x, y, rung, n, R, ylabel);
        free(path);
        if (ok != 0) goto out;
    }
    rc = 0;
    goto out;
oom:
    gdl_log_error("out of memory");
out:
    if (values)
        for (int64_t k = 0; k < n; k++) gdl_space_values_free(s, values[k]);
    free(values), free(at), free(x), free(y), free(rung);
    return rc;
}
