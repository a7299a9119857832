/* SVG figures: ROC and PR curves (several targets, or the folds of one target, on one figure,
 * the AUC in the legend) and a scatter of prediction against label for regression targets.
 * Plain SVG 1.1 with no scripts or external fonts, so any browser or rsvg-convert shows it. */
#include <stdlib.h>

#include "eval_internal.h"
#include "gdl/core.h"

/* geometry: a square plot area with the legend to its right */
enum { W = 860, H = 560, L = 80, TOP = 50, S = 440, LEG = L + S + 30 };

static const char *const palette[] = {"#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd",
                                      "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"};
#define NPAL (int)(sizeof palette / sizeof palette[0])

static void xml_text(FILE *fp, const char *s)
{
    for (; *s; s++) {
        switch (*s) {
        case '&': fputs("&amp;", fp); break;
        case '<': fputs("&lt;", fp); break;
        case '>': fputs("&gt;", fp); break;
        case '"': fputs("&quot;", fp); break;
        default:
            if ((unsigned char)*s >= 0x20 || *s == '\t') fputc(*s, fp);
        }
    }
}

/* a step of 1, 2 or 5 times a power of ten giving about 5 ticks over [lo, hi] */
static double nice_step(double lo, double hi)
{
    double range = hi - lo;
    if (!(range > 0)) return 1;
    double raw = range / 5, p = pow(10, floor(log10(raw))), f = raw / p;
    return (f < 1.5 ? 1 : f < 3.5 ? 2 : f < 7.5 ? 5 : 10) * p;
}

typedef struct {
    double x0, x1, y0, y1; // data range shown
} frame_t;

static double px(const frame_t *f, double x) { return L + (x - f->x0) / (f->x1 - f->x0) * S; }
static double py(const frame_t *f, double y) { return TOP + S - (y - f->y0) / (f->y1 - f->y0) * S; }

static void open_svg(FILE *fp, const char *title, const char *xlabel, const char *ylabel, const frame_t *f)
{
    fprintf(fp, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                "<svg xmlns=\"http://www.w3.org/2000/svg\" version=\"1.1\" width=\"%d\" height=\"%d\" "
                "viewBox=\"0 0 %d %d\" font-family=\"DejaVu Sans, Helvetica, Arial, sans-serif\" font-size=\"13\">\n"
                "<rect width=\"%d\" height=\"%d\" fill=\"white\"/>\n", W, H, W, H, W, H);
    fprintf(fp, "<text x=\"%d\" y=\"28\" font-size=\"16\" text-anchor=\"middle\">", L + S / 2);
    xml_text(fp, title);
    fputs("</text>\n<g stroke=\"#e0e0e0\" stroke-width=\"1\">\n", fp);
    double sx = nice_step(f->x0, f->x1), sy = nice_step(f->y0, f->y1);
    for (double x = ceil(f->x0 / sx - 1e-9) * sx; x <= f->x1 + 1e-9 * sx; x += sx)
        fprintf(fp, "<line x1=\"%.2f\" y1=\"%d\" x2=\"%.2f\" y2=\"%d\"/>\n", px(f, x), TOP, px(f, x), TOP + S);
    for (double y = ceil(f->y0 / sy - 1e-9) * sy; y <= f->y1 + 1e-9 * sy; y += sy)
        fprintf(fp, "<line x1=\"%d\" y1=\"%.2f\" x2=\"%d\" y2=\"%.2f\"/>\n", L, py(f, y), L + S, py(f, y));
    fputs("</g>\n<g font-size=\"12\">\n", fp);
    for (double x = ceil(f->x0 / sx - 1e-9) * sx; x <= f->x1 + 1e-9 * sx; x += sx) {
        double v = fabs(x) < 1e-12 * sx ? 0 : x;
        fprintf(fp, "<line x1=\"%.2f\" y1=\"%d\" x2=\"%.2f\" y2=\"%d\" stroke=\"black\"/>"
                    "<text x=\"%.2f\" y=\"%d\" text-anchor=\"middle\">%g</text>\n",
                px(f, x), TOP + S, px(f, x), TOP + S + 5, px(f, x), TOP + S + 19, v);
    }
    for (double y = ceil(f->y0 / sy - 1e-9) * sy; y <= f->y1 + 1e-9 * sy; y += sy) {
        double v = fabs(y) < 1e-12 * sy ? 0 : y;
        fprintf(fp, "<line x1=\"%d\" y1=\"%.2f\" x2=\"%d\" y2=\"%.2f\" stroke=\"black\"/>"
                    "<text x=\"%d\" y=\"%.2f\" text-anchor=\"end\">%g</text>\n",
                L - 5, py(f, y), L, py(f, y), L - 8, py(f, y) + 4, v);
    }
    fprintf(fp, "</g>\n<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"none\" stroke=\"black\"/>\n",
            L, TOP, S, S);
    fprintf(fp, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">", L + S / 2, TOP + S + 42);
    xml_text(fp, xlabel);
    fprintf(fp, "</text>\n<text x=\"%d\" y=\"%d\" text-anchor=\"middle\" transform=\"rotate(-90 %d %d)\">",
            22, TOP + S / 2, 22, TOP + S / 2);
    xml_text(fp, ylabel);
    fputs("</text>\n", fp);
}

static void legend_entry(FILE *fp, int i, const char *color, const char *label)
{
    int y = TOP + 10 + i * 20;
    fprintf(fp, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"%s\" stroke-width=\"2.5\"/>"
                "<text x=\"%d\" y=\"%d\">", LEG, y, LEG + 24, y, color, LEG + 30, y + 4);
    xml_text(fp, label);
    fputs("</text>\n", fp);
}

typedef struct {
    const eval_curve_t *c;
    char label[200];
    double auc, ap;
    const char *color;
} series_t;

/* a curve as a polyline, dropping points closer than half a pixel to the last one kept */
static void polyline(FILE *fp, const frame_t *f, const eval_curve_t *c, int pr, const char *color)
{
    fprintf(fp, "<polyline fill=\"none\" stroke=\"%s\" stroke-width=\"2\" stroke-linejoin=\"round\" points=\"", color);
    double lx = -1, ly = -1;
    fprintf(fp, "%.2f,%.2f", px(f, 0), py(f, pr ? 1 : 0)); // (0, 0) or (recall 0, precision 1)
    for (int64_t g = 0; g < c->G; g++) {
        double tp = c->tp[g], fpv = c->fp[g];
        double x = pr ? tp / (double)c->P : fpv / (double)c->Nn;
        double y = pr ? tp / (tp + fpv) : tp / (double)c->P;
        double X = px(f, x), Y = py(f, y);
        if (g + 1 < c->G && fabs(X - lx) < 0.5 && fabs(Y - ly) < 0.5) continue;
        fprintf(fp, " %.2f,%.2f", X, Y);
        lx = X, ly = Y;
    }
    fputs("\"/>\n", fp);
}

static int curve_figure(const char *path, const char *title, series_t *ser, int n, int pr, const char *note)
{
    gdl_outfile_t out;
    if (gdl_outfile_open(&out, path) != 0) return -1;
    FILE *fp = out.fp;
    frame_t f = {0, 1, 0, 1};
    open_svg(fp, title, pr ? "Recall" : "False positive rate", pr ? "Precision" : "True positive rate", &f);
    if (!pr)
        fprintf(fp, "<line x1=\"%.2f\" y1=\"%.2f\" x2=\"%.2f\" y2=\"%.2f\" stroke=\"#999999\" "
                    "stroke-dasharray=\"5,4\"/>\n", px(&f, 0), py(&f, 0), px(&f, 1), py(&f, 1));
    for (int i = 0; i < n; i++) polyline(fp, &f, ser[i].c, pr, ser[i].color);
    for (int i = 0; i < n; i++) {
        char lab[260];
        snprintf(lab, sizeof lab, "%s (%s %.3f)", ser[i].label, pr ? "AP" : "AUC", pr ? ser[i].ap : ser[i].auc);
        legend_entry(fp, i, ser[i].color, lab);
    }
    if (note) {
        fprintf(fp, "<text x=\"%d\" y=\"%d\" font-size=\"11\" fill=\"#555555\">", LEG, TOP + 20 + n * 20);
        xml_text(fp, note);
        fputs("</text>\n", fp);
    }
    fputs("</svg>\n", fp);
    return gdl_outfile_commit(&out);
}

static int pair_figures(const char *prefix, const char *mid, const char *what, series_t *ser, int n,
                        const char *note)
{
    char *rp = eval_path(prefix, mid, ".roc.svg"), *pp = eval_path(prefix, mid, ".pr.svg");
    char title[300];
    int rc = -1;
    if (!rp || !pp) goto done;
    snprintf(title, sizeof title, "ROC curves%s%s", what ? ": " : "", what ? what : "");
    if (curve_figure(rp, title, ser, n, 0, note) != 0) goto done;
    snprintf(title, sizeof title, "Precision-recall curves%s%s", what ? ": " : "", what ? what : "");
    rc = curve_figure(pp, title, ser, n, 1, note);
done:
    free(rp), free(pp);
    return rc;
}

static int scatter(const char *path, const eval_target_t *t, const eval_result_t *r, int64_t N)
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
    frame_t f = {lo - pad, hi + pad, lo - pad, hi + pad};
    char title[300];
    snprintf(title, sizeof title, "%s: Pearson %.3f, R\xc2\xb2 %.3f, n %lld", t->name,
             r->m.v[GDL_M_PEARSON], r->m.v[GDL_M_R2], (long long)lab);
    FILE *fp = out.fp;
    open_svg(fp, title, "Label", "Prediction", &f);
    fprintf(fp, "<line x1=\"%.2f\" y1=\"%.2f\" x2=\"%.2f\" y2=\"%.2f\" stroke=\"#999999\" stroke-dasharray=\"5,4\"/>\n",
            px(&f, f.x0), py(&f, f.y0), px(&f, f.x1), py(&f, f.y1));
    int64_t step = lab > 4000 ? (lab + 3999) / 4000 : 1, k = 0;
    fprintf(fp, "<g fill=\"%s\" fill-opacity=\"0.5\">\n", palette[0]);
    for (int64_t i = 0; i < N; i++) {
        if (isnan(y[i])) continue;
        if (k++ % step) continue;
        fprintf(fp, "<circle cx=\"%.2f\" cy=\"%.2f\" r=\"2.2\"/>\n", px(&f, y[i]), py(&f, x[i]));
    }
    fputs("</g>\n", fp);
    legend_entry(fp, 0, "#999999", "prediction = label");
    if (step > 1) {
        char note[100];
        snprintf(note, sizeof note, "every %lld-th of %lld points", (long long)step, (long long)lab);
        fprintf(fp, "<text x=\"%d\" y=\"%d\" font-size=\"11\" fill=\"#555555\">%s</text>\n", LEG, TOP + 40, note);
    }
    fputs("</svg>\n", fp);
    return gdl_outfile_commit(&out);
}

int eval_write_plots(const eval_report_t *rep, const char *prefix)
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
            x->color = palette[n % NPAL];
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
    if (n > 0 && pair_figures(prefix, NULL, NULL, ser, n, avail > n ? note : NULL) != 0) goto done;
    // the folds of the first binary target, with the pooled curve in black
    if (rep->folds && first >= 0) {
        int m = 0;
        for (int f = 0; f < p->n_folds && m < max; f++) {
            const eval_result_t *r = &rep->folds[f].r[first];
            if (!r->curve || r->curve->P == 0 || r->curve->Nn == 0) continue;
            ser[m] = (series_t){.c = r->curve, .auc = r->m.v[GDL_M_ROC_AUC], .ap = r->m.v[GDL_M_PR_AUC],
                                .color = palette[m % NPAL]};
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
        if (pair_figures(prefix, "folds", what, ser, m, NULL) != 0) goto done;
    }
    int nreg = 0;
    for (int t = 0; t < p->T && nreg < max; t++) {
        const eval_target_t *tg = &p->targets[t];
        if (tg->kind != GDL_EVAL_REGRESSION || !(s->r[t].m.v[GDL_M_N] > 0)) continue;
        char *path = eval_path(prefix, tg->name, ".scatter.svg");
        if (!path) goto done;
        int r = scatter(path, tg, &s->r[t], p->N);
        free(path);
        if (r != 0) goto done;
        nreg++;
    }
    rc = 0;
done:
    free(ser);
    return rc;
}
