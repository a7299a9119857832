/* SVG figures: ROC and PR curves (several targets, or the folds of one target, on one figure,
 * the AUC in the legend) and a scatter of prediction against label for regression targets.
 * Plain SVG 1.1 with no scripts or external fonts, so any browser or rsvg-convert shows it. */
#include <stdlib.h>

#include "eval_internal.h"
#include "gdl/core.h"
#include "gdl/svg.h"

enum { L = GDL_SVG_L, TOP = GDL_SVG_TOP, LEG = GDL_SVG_LEG };
typedef struct {
    const eval_curve_t *c;
    char label[200];
    double auc, ap;
    const char *color;
} series_t;

/* a curve as a polyline, dropping points closer than half a pixel to the last one kept */
static void polyline(FILE *fp, const gdl_svg_frame_t *f, const eval_curve_t *c, int pr, const char *color)
{
    fprintf(fp, "<polyline fill=\"none\" stroke=\"%s\" stroke-width=\"2\" stroke-linejoin=\"round\" points=\"", color);
    double lx = -1, ly = -1;
    fprintf(fp, "%.2f,%.2f", gdl_svg_x(f, 0), gdl_svg_y(f, pr ? 1 : 0)); // (0, 0) or (recall 0, precision 1)
    for (int64_t g = 0; g < c->G; g++) {
        double tp = c->tp[g], fpv = c->fp[g];
        double x = pr ? tp / (double)c->P : fpv / (double)c->Nn;
        double y = pr ? tp / (tp + fpv) : tp / (double)c->P;
        double X = gdl_svg_x(f, x), Y = gdl_svg_y(f, y);
        if (g + 1 < c->G && fabs(X - lx) < 0.5 && fabs(Y - ly) < 0.5) continue;
        fprintf(fp, " %.2f,%.2f", X, Y);
        lx = X, ly = Y;
    }
    fputs("\"/>\n", fp);
}

static int curve_figure(eval_outs_t *outs, const char *path, const char *title, series_t *ser, int n, int pr, const char *note)
{
    gdl_outfile_t out;
    if (gdl_outfile_open(&out, path) != 0) return -1;
    FILE *fp = out.fp;
    gdl_svg_frame_t f = {0, 1, 0, 1};
    gdl_svg_begin(fp, title, pr ? "Recall" : "False positive rate", pr ? "Precision" : "True positive rate", &f);
    if (!pr)
        fprintf(fp, "<line x1=\"%.2f\" y1=\"%.2f\" x2=\"%.2f\" y2=\"%.2f\" stroke=\"#999999\" "
                    "stroke-dasharray=\"5,4\"/>\n", gdl_svg_x(&f, 0), gdl_svg_y(&f, 0), gdl_svg_x(&f, 1), gdl_svg_y(&f, 1));
    for (int i = 0; i < n; i++) polyline(fp, &f, ser[i].c, pr, ser[i].color);
    for (int i = 0; i < n; i++) {
        char lab[260];
        snprintf(lab, sizeof lab, "%s (%s %.3f)", ser[i].label, pr ? "AP" : "AUC", pr ? ser[i].ap : ser[i].auc);
        gdl_svg_legend(fp, i, ser[i].color, lab);
    }
    if (note) {
        fprintf(fp, "<text x=\"%d\" y=\"%d\" font-size=\"11\" fill=\"#555555\">", LEG, TOP + 20 + n * 20);
        gdl_svg_text(fp, note);
        fputs("</text>\n", fp);
    }
    gdl_svg_end(fp);
    return gdl_eval_out_close(outs, &out);
}

static int pair_figures(eval_outs_t *outs, const char *prefix, const char *mid, const char *what, series_t *ser, int n,
                        const char *note)
{
    char *rp = gdl_eval_path(prefix, mid, ".roc.svg"), *pp = gdl_eval_path(prefix, mid, ".pr.svg");
    char title[300];
    int rc = -1;
    if (!rp || !pp) goto done;
    snprintf(title, sizeof title, "ROC curves%s%s", what ? ": " : "", what ? what : "");
    if (curve_figure(outs, rp, title, ser, n, 0, note) != 0) goto done;
    snprintf(title, sizeof title, "Precision-recall curves%s%s", what ? ": " : "", what ? what : "");
    rc = curve_figure(outs, pp, title, ser, n, 1, note);
done:
    free(rp), free(pp);
    return rc;
}

static int scatter(eval_outs_t *outs, const char *path, const eval_target_t *t, const eval_result_t *r, int64_t N)
{
    const double *y = t->label, *x = t->score;
    int64_t lab = 0;
    double lo = INFINITY, hi = -INFINITY;
    for (int64_t i = 0; i < N; i++) {
        if (isnan(y[i])) continue;
        lab++;
        lo = fmin(lo, fmin(x[i], y[i])), hi = fmax(hi, fmax(x[i], y[i]));
    }
    gdl_outfile_t out;
    if (gdl_outfile_open(&out, path) != 0) return -1;
    if (!(hi > lo)) lo -= 1, hi += 1;
    double pad = (hi - lo) * 0.04;
    gdl_svg_frame_t f = {lo - pad, hi + pad, lo - pad, hi + pad};
    char title[300];
    snprintf(title, sizeof title, "%s: Pearson %.3f, R\xc2\xb2 %.3f, n %lld", t->name,
             r->m.v[GDL_M_PEARSON], r->m.v[GDL_M_R2], (long long)lab);
    FILE *fp = out.fp;
    gdl_svg_begin(fp, title, "Label", "Prediction", &f);
    fprintf(fp, "<line x1=\"%.2f\" y1=\"%.2f\" x2=\"%.2f\" y2=\"%.2f\" stroke=\"#999999\" stroke-dasharray=\"5,4\"/>\n",
            gdl_svg_x(&f, f.x0), gdl_svg_y(&f, f.y0), gdl_svg_x(&f, f.x1), gdl_svg_y(&f, f.y1));
    int64_t step = lab > 4000 ? (lab + 3999) / 4000 : 1, k = 0;
    fprintf(fp, "<g fill=\"%s\" fill-opacity=\"0.5\">\n", gdl_svg_color(0));
    for (int64_t i = 0; i < N; i++) {
        if (isnan(y[i])) continue;
        if (k++ % step) continue;
        fprintf(fp, "<circle cx=\"%.2f\" cy=\"%.2f\" r=\"2.2\"/>\n", gdl_svg_x(&f, y[i]), gdl_svg_y(&f, x[i]));
    }
    fputs("</g>\n", fp);
    gdl_svg_legend(fp, 0, "#999999", "prediction = label");
    if (step > 1) {
        char note[100];
        snprintf(note, sizeof note, "every %lld-th of %lld points", (long long)step, (long long)lab);
        fprintf(fp, "<text x=\"%d\" y=\"%d\" font-size=\"11\" fill=\"#555555\">%s</text>\n", LEG, TOP + 40, note);
    }
    gdl_svg_end(fp);
    return gdl_eval_out_close(outs, &out);
}

int gdl_eval_write_plots(const eval_report_t *rep, const char *prefix)
{
    const eval_preds_t *p = rep->p;
    const eval_set_t *s = rep->all;
    int max = rep->o->plot_max > 0 ? rep->o->plot_max : 10;
    series_t *ser = calloc((size_t)max + 1, sizeof *ser);
    if (!ser) {
        gdl_log_error("out of memory");
        return -1;
    }
    int rc = -1, n = 0, avail = 0, first = -1;
    // every target's pooled curves: binary targets, then each class of the multi-class ones
    for (int t = 0; t < p->T; t++) {
        const eval_target_t *tg = &p->targets[t];
        const eval_result_t *r = &s->r[t];
        if (tg->kind == GDL_EVAL_REGRESSION || !r->curve) continue;
        for (int k = 0; k < r->n_curves; k++) {
            const eval_curve_t *c = &r->curve[k];
            if (c->P == 0 || c->Nn == 0) continue;
            if (tg->kind == GDL_EVAL_BINARY && first < 0) first = t;
            avail++;
            if (n == max) continue;
            series_t *x = &ser[n];
            x->c = c;
            x->color = gdl_svg_color(n);
            if (tg->kind == GDL_EVAL_BINARY) {
                snprintf(x->label, sizeof x->label, "%s", tg->name);
                x->auc = r->m.v[GDL_M_ROC_AUC], x->ap = r->m.v[GDL_M_PR_AUC];
            } else {
                snprintf(x->label, sizeof x->label, "%s = %s", tg->name, tg->classes[k]);
                x->auc = r->class_auc[k], x->ap = r->class_ap[k];
            }
            n++;
        }
    }
    char note[120];
    snprintf(note, sizeof note, "the first %d of %d curves (--plot-max)", n, avail);
    if (n > 0 && pair_figures(rep->outs, prefix, NULL, NULL, ser, n, avail > n ? note : NULL) != 0) goto done;
    // the folds of the first binary target, with the pooled curve in black
    if (rep->folds && first >= 0) {
        int m = 0;
        for (int f = 0; f < p->n_folds && m < max; f++) {
            const eval_result_t *r = &rep->folds[f].r[first];
            if (!r->curve || r->curve->P == 0 || r->curve->Nn == 0) continue;
            ser[m] = (series_t){.c = r->curve, .auc = r->m.v[GDL_M_ROC_AUC], .ap = r->m.v[GDL_M_PR_AUC],
                                .color = gdl_svg_color(m)};
            snprintf(ser[m].label, sizeof ser[m].label, "fold %s", p->fold_names[f]);
            m++;
        }
        const eval_result_t *r = &s->r[first];
        ser[m] = (series_t){.c = r->curve, .auc = r->m.v[GDL_M_ROC_AUC], .ap = r->m.v[GDL_M_PR_AUC],
                            .color = "#000000"};
        snprintf(ser[m].label, sizeof ser[m].label, "all folds pooled");
        m++;
        char what[300];
        snprintf(what, sizeof what, "%s by fold", p->targets[first].name);
        if (pair_figures(rep->outs, prefix, "folds", what, ser, m, NULL) != 0) goto done;
    }
    int nreg = 0;
    for (int t = 0; t < p->T && nreg < max; t++) {
        const eval_target_t *tg = &p->targets[t];
        if (tg->kind != GDL_EVAL_REGRESSION || !(s->r[t].m.v[GDL_M_N] > 0)) continue;
        char *path = gdl_eval_path(prefix, tg->name, ".scatter.svg");
        if (!path) goto done;
        int r = scatter(rep->outs, path, tg, &s->r[t], p->N);
        free(path);
        if (r != 0) goto done;
        nreg++;
    }
    rc = 0;
done:
    free(ser);
    return rc;
}
