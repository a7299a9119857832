/* The human table, the per-target TSV and the curve TSVs (their columns: docs/formats.md). */
#include <errno.h>
#include <stdlib.h>

#include "eval_internal.h"
#include "gdl/core.h"

char *gdl_eval_path(const char *prefix, const char *mid, const char *suffix)
{
    size_t n = strlen(prefix) + (mid ? strlen(mid) + 1 : 0) + strlen(suffix) + 1;
    char *s = malloc(n);
    if (!s) {
        gdl_log_error("out of memory");
        return NULL;
    }
    if (mid) snprintf(s, n, "%s.%s%s", prefix, mid, suffix);
    else snprintf(s, n, "%s%s", prefix, suffix);
    // a target name may hold characters a file name should not
    for (char *c = s + strlen(prefix); *c; c++)
        if (*c == '/' || *c == ' ' || *c == '\t' || *c == ':') *c = '_';
    return s;
}

/* ---- table ------------------------------------------------------------------------------------ */

static void num(FILE *fp, double v, int width)
{
    if (isnan(v)) fprintf(fp, " %*s", width, "NA");
    else if (fabs(v) >= 1e5 || (v != 0 && fabs(v) < 1e-3)) fprintf(fp, " %*.3g", width, v);
    else fprintf(fp, " %*.4f", width, v);
}

static void count(FILE *fp, double v, int width)
{
    if (isnan(v)) fprintf(fp, " %*s", width, "NA");
    else fprintf(fp, " %*.0f", width, v);
}

static const int bin_cols[] = {GDL_M_ROC_AUC, GDL_M_PR_AUC, GDL_M_THRESHOLD, GDL_M_ACCURACY,
                               GDL_M_PRECISION, GDL_M_RECALL, GDL_M_F1, GDL_M_MCC};
static const int mc_cols[] = {GDL_M_ACCURACY, GDL_M_BALANCED_ACCURACY, GDL_M_ROC_AUC, GDL_M_PR_AUC};
static const int reg_cols[] = {GDL_M_MSE, GDL_M_RMSE, GDL_M_MAE, GDL_M_PEARSON, GDL_M_SPEARMAN, GDL_M_R2};
#define NCOLS(a) (int)(sizeof(a) / sizeof((a)[0]))

static void header(FILE *fp, int w, const char *first, const int *cols, int nc, int counts)
{
    fprintf(fp, "%-*s", w, first);
    fprintf(fp, " %8s", "n");
    if (counts) fprintf(fp, " %8s", "n_pos");
    for (int i = 0; i < nc; i++) fprintf(fp, " %9s", gdl_eval_metric_name(cols[i]));
    fputc('\n', fp);
}

static void row(FILE *fp, int w, const char *name, const gdl_metrics_t *m, const int *cols, int nc,
                int counts)
{
    fprintf(fp, "%-*s", w, name);
    count(fp, m->v[GDL_M_N], 8);
    if (counts) count(fp, m->v[GDL_M_N_POS], 8);
    for (int i = 0; i < nc; i++) num(fp, m->v[cols[i]], 9);
    fputc('\n', fp);
}

/* A bootstrap interval's low and high rows under a table whose rows show counts (when counts):
 * the count columns left NA so each bound sits under its metric. */
static void ci_rows(FILE *fp, int w, double level, const gdl_metrics_t *lo, const gdl_metrics_t *hi,
                    const int *cols, int nc, int counts)
{
    gdl_metrics_t a = *lo, b = *hi;
    a.v[GDL_M_N] = b.v[GDL_M_N] = NAN;
    a.v[GDL_M_N_POS] = b.v[GDL_M_N_POS] = NAN;
    char n1[64], n2[64];
    snprintf(n1, sizeof n1, "  %.0f%% CI low", level * 100);
    snprintf(n2, sizeof n2, "  %.0f%% CI high", level * 100);
    row(fp, w, n1, &a, cols, nc, counts);
    row(fp, w, n2, &b, cols, nc, counts);
}

/* "mean ± sd" rows under a table */
static void mean_sd_rows(FILE *fp, int w, const char *name, const gdl_metrics_t *mean,
                         const gdl_metrics_t *sd, const int *cols, int nc, int counts)
{
    gdl_metrics_t a = *mean, b = *sd;
    a.v[GDL_M_N] = b.v[GDL_M_N] = NAN;
    a.v[GDL_M_N_POS] = b.v[GDL_M_N_POS] = NAN;
    char n1[256], n2[256];
    snprintf(n1, sizeof n1, "  %s fold mean", name);
    snprintf(n2, sizeof n2, "  %s fold sd", name);
    row(fp, w, n1, &a, cols, nc, counts);
    row(fp, w, n2, &b, cols, nc, counts);
}

void gdl_eval_print_table(const eval_report_t *rep, FILE *fp)
{
    const eval_preds_t *p = rep->p;
    const eval_set_t *s = rep->all;
    int w = 12;
    for (int t = 0; t < p->T; t++) {
        int l = (int)strlen(p->targets[t].name) + (rep->fs ? 16 : 0);
        if (l > w) w = l;
    }
    if (w < 22) w = 22;
    fprintf(fp, "%s: %lld examples, %d target%s (%d binary, %d multi-class, %d regression)", p->path,
            (long long)p->N, p->T, p->T == 1 ? "" : "s", s->n_binary, s->n_multiclass, s->n_regression);
    if (p->n_folds) fprintf(fp, ", %d folds", p->n_folds);
    fputc('\n', fp);
    if (s->n_binary) {
        if (isnan(rep->o->threshold)) fprintf(fp, "\nbinary targets (threshold: best F1 per target)\n");
        else fprintf(fp, "\nbinary targets (threshold %g: score >= threshold is positive)\n", rep->o->threshold);
        header(fp, w, "target", bin_cols, NCOLS(bin_cols), 1);
        for (int t = 0; t < p->T; t++) {
            if (p->targets[t].kind != GDL_EVAL_BINARY) continue;
            row(fp, w, p->targets[t].name, &s->r[t].m, bin_cols, NCOLS(bin_cols), 1);
            if (rep->ci) ci_rows(fp, w, rep->ci->level, &rep->ci->lo[t], &rep->ci->hi[t], bin_cols, NCOLS(bin_cols), 1);
            if (rep->fs)
                mean_sd_rows(fp, w, "", &rep->fs->mean[t], &rep->fs->sd[t], bin_cols, NCOLS(bin_cols), 1);
        }
        fprintf(fp, "\naverages over %d binary target%s (%d with one class only, left out of "
                    "macro, median and weighted)\n", s->n_binary, s->n_binary == 1 ? "" : "s",
                s->n_single_class);
        if (p->weights.file) fprintf(fp, "weights: %s (%s)\n", p->weights.by, p->weights.file);
        else fprintf(fp, "weights: %s (each target's n_pos / n)\n", p->weights.by);
        header(fp, w, "average", bin_cols, NCOLS(bin_cols), 1);
        for (int a = 0; a < EVAL_AGG_COUNT; a++) {
            row(fp, w, gdl_eval_agg_names[a], &s->agg[a], bin_cols, NCOLS(bin_cols), 1);
            if (rep->fs) mean_sd_rows(fp, w, gdl_eval_agg_names[a], &rep->fs->agg_mean[a], &rep->fs->agg_sd[a], bin_cols, NCOLS(bin_cols), 1);
        }
        if (rep->folds) {
            fprintf(fp, "\nmacro average by fold\n");
            header(fp, w, "fold", bin_cols, NCOLS(bin_cols), 1);
            for (int f = 0; f < p->n_folds; f++) {
                gdl_metrics_t m = rep->folds[f].agg[EVAL_AGG_MACRO];
                m.v[GDL_M_N] = (double)rep->folds[f].n_rows, m.v[GDL_M_N_POS] = NAN;
                row(fp, w, p->fold_names[f], &m, bin_cols, NCOLS(bin_cols), 1);
            }
        }
    }
    if (s->n_multiclass) {
        fprintf(fp, "\nmulti-class targets (one-vs-rest AUCs, macro over classes)\n");
        header(fp, w, "target", mc_cols, NCOLS(mc_cols), 0);
        for (int t = 0; t < p->T; t++) {
            const eval_target_t *tg = &p->targets[t];
            if (tg->kind != GDL_EVAL_MULTICLASS) continue;
            row(fp, w, tg->name, &s->r[t].m, mc_cols, NCOLS(mc_cols), 0);
            if (rep->fs) mean_sd_rows(fp, w, "", &rep->fs->mean[t], &rep->fs->sd[t], mc_cols, NCOLS(mc_cols), 0);
            const eval_result_t *r = &s->r[t];
            fprintf(fp, "  %-*s %8s %9s %9s   confusion (rows true, columns predicted)\n", w - 2,
                    "class", "n", "roc_auc", "pr_auc");
            for (int k = 0; k < tg->K; k++) {
                fprintf(fp, "  %-*s", w - 2, tg->classes[k]);
                count(fp, (double)r->class_n[k], 8);
                num(fp, r->class_auc[k], 9);
                num(fp, r->class_ap[k], 9);
                fprintf(fp, "  ");
                for (int j = 0; j < tg->K; j++) fprintf(fp, " %lld", (long long)r->confusion[k * tg->K + j]);
                fputc('\n', fp);
            }
        }
    }
    if (s->n_regression) {
        fprintf(fp, "\nregression targets\n");
        header(fp, w, "target", reg_cols, NCOLS(reg_cols), 0);
        for (int t = 0; t < p->T; t++) {
            if (p->targets[t].kind != GDL_EVAL_REGRESSION) continue;
            row(fp, w, p->targets[t].name, &s->r[t].m, reg_cols, NCOLS(reg_cols), 0);
            if (rep->ci) ci_rows(fp, w, rep->ci->level, &rep->ci->lo[t], &rep->ci->hi[t], reg_cols, NCOLS(reg_cols), 0);
            if (rep->fs) mean_sd_rows(fp, w, "", &rep->fs->mean[t], &rep->fs->sd[t], reg_cols, NCOLS(reg_cols), 0);
        }
        if (s->n_regression > 1) {
            row(fp, w, "macro", &s->agg[EVAL_AGG_MACRO], reg_cols, NCOLS(reg_cols), 0);
            row(fp, w, "median", &s->agg[EVAL_AGG_MEDIAN], reg_cols, NCOLS(reg_cols), 0);
        }
    }
}

/* ---- per-target TSV ---------------------------------------------------------------------------------- */

static void tsv_num(FILE *fp, double v)
{
    if (isnan(v)) fputs("\tNA", fp);
    else fprintf(fp, "\t%.17g", v);
}

static void tsv_rows(FILE *fp, const eval_report_t *rep, const eval_set_t *s, int pooled)
{
    const eval_preds_t *p = rep->p;
    for (int t = 0; t < p->T; t++) {
        const eval_target_t *tg = &p->targets[t];
        fprintf(fp, "%s\t%s\t%s", s->name, tg->name, gdl_eval_kind_name(tg->kind));
        for (int m = 0; m < GDL_M_COUNT; m++)
            tsv_num(fp, gdl_eval_metric_applies(m, tg->kind) ? s->r[t].m.v[m] : NAN);
        if (rep->ci)
            for (int m = 0; m < GDL_M_COUNT; m++) {
                if (!gdl_eval_metric_averaged(m)) continue;
                int ok = pooled && gdl_eval_metric_applies(m, tg->kind);
                tsv_num(fp, ok ? rep->ci->lo[t].v[m] : NAN);
                tsv_num(fp, ok ? rep->ci->hi[t].v[m] : NAN);
            }
        fputc('\n', fp);
    }
}

int gdl_eval_write_tsv(const eval_report_t *rep, const char *path)
{
    gdl_outfile_t out;
    if (gdl_outfile_open(&out, path) != 0) return -1;
    FILE *fp = out.fp;
    fputs("fold\ttarget\tkind", fp);
    for (int m = 0; m < GDL_M_COUNT; m++) fprintf(fp, "\t%s", gdl_eval_metric_name(m));
    if (rep->ci)
        for (int m = 0; m < GDL_M_COUNT; m++)
            if (gdl_eval_metric_averaged(m))
                fprintf(fp, "\t%s_lo\t%s_hi", gdl_eval_metric_name(m), gdl_eval_metric_name(m));
    fputc('\n', fp);
    tsv_rows(fp, rep, rep->all, 1);
    if (rep->folds)
        for (int f = 0; f < rep->p->n_folds; f++) tsv_rows(fp, rep, &rep->folds[f], 0);
    return gdl_eval_out_close(rep->outs, &out);
}

/* ---- curve TSVs ----------------------------------------------------------------------------------- */

static void curve_rows(FILE *roc, FILE *pr, const char *fold, const char *target, const char *cls,
                       const eval_curve_t *c)
{
    if (c->P == 0 || c->Nn == 0) return; // no curve with one class
    fprintf(roc, "%s\t%s\t%s\tinf\t0\t0\n", fold, target, cls);
    fprintf(pr, "%s\t%s\t%s\tinf\t0\t1\n", fold, target, cls);
    for (int64_t g = 0; g < c->G; g++) {
        double tp = c->tp[g], fp = c->fp[g];
        fprintf(roc, "%s\t%s\t%s\t%.17g\t%.17g\t%.17g\n", fold, target, cls, c->value[g],
                fp / (double)c->Nn, tp / (double)c->P);
        fprintf(pr, "%s\t%s\t%s\t%.17g\t%.17g\t%.17g\n", fold, target, cls, c->value[g],
                tp / (double)c->P, tp / (tp + fp));
    }
}

static void curve_set(FILE *roc, FILE *pr, const eval_preds_t *p, const eval_set_t *s)
{
    for (int t = 0; t < p->T; t++) {
        const eval_target_t *tg = &p->targets[t];
        const eval_result_t *r = &s->r[t];
        if (!r->curve) continue;
        for (int k = 0; k < r->n_curves; k++)
            curve_rows(roc, pr, s->name, tg->name, tg->kind == GDL_EVAL_MULTICLASS ? tg->classes[k] : "",
                       &r->curve[k]);
    }
}

int gdl_eval_write_curves(const eval_report_t *rep, const char *prefix)
{
    char *rp = gdl_eval_path(prefix, NULL, ".roc.tsv"), *pp = gdl_eval_path(prefix, NULL, ".pr.tsv");
    gdl_outfile_t roc = {0}, pr = {0};
    int rc = -1;
    if (!rp || !pp || gdl_outfile_open(&roc, rp) != 0) goto done;
    if (gdl_outfile_open(&pr, pp) != 0) {
        gdl_outfile_abort(&roc);
        goto done;
    }
    fputs("fold\ttarget\tclass\tthreshold\tfpr\ttpr\n", roc.fp);
    fputs("fold\ttarget\tclass\tthreshold\trecall\tprecision\n", pr.fp);
    curve_set(roc.fp, pr.fp, rep->p, rep->all);
    if (rep->folds)
        for (int f = 0; f < rep->p->n_folds; f++) curve_set(roc.fp, pr.fp, rep->p, &rep->folds[f]);
    if (gdl_eval_out_close(rep->outs, &roc) != 0) {
        gdl_outfile_abort(&pr);
        goto done;
    }
    rc = gdl_eval_out_close(rep->outs, &pr);
done:
    free(rp), free(pp);
    return rc;
}

int gdl_eval_out_close(eval_outs_t *outs, gdl_outfile_t *f)
{
    if (!f->tmp) return gdl_outfile_commit(f); // stdout
    if (outs->n == outs->cap) {
        int cap = outs->cap ? 2 * outs->cap : 8;
        gdl_outfile_t *nf = realloc(outs->f, sizeof *nf * (size_t)cap);
        if (!nf) {
            gdl_log_error("out of memory");
            gdl_outfile_abort(f);
            return -1;
        }
        outs->f = nf, outs->cap = cap;
    }
    if (gdl_outfile_close(f) != 0) return -1;
    outs->f[outs->n++] = *f;
    memset(f, 0, sizeof *f);
    return 0;
}

int gdl_eval_outs_finish(eval_outs_t *outs, int ok)
{
    int rc = ok ? 0 : -1;
    for (int i = 0; i < outs->n; i++) {
        if (rc == 0) rc = gdl_outfile_rename(&outs->f[i]);
        else gdl_outfile_abort(&outs->f[i]);
    }
    free(outs->f);
    memset(outs, 0, sizeof *outs);
    return rc;
}
