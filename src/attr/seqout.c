/* Per-example outputs of a sequence or numeric attribution: a TSV row per position; for a
 * sequence an SVG with the attribution as a sequence logo (each base's letter scaled by its
 * attribution, below the axis when negative) above a heatmap of in-silico mutation scores
 * (4 bases x L positions); for numeric tracks an SVG of two channel x position heatmaps, the
 * values and their attribution (the expression study's figure of histone marks). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "attr_internal.h"
#include "gdl/svg.h"

static const char BASES[4] = {'A', 'C', 'G', 'T'};
static const char *const COLOURS[4] = {"#109648", "#255c99", "#f7b32b", "#d62839"};

/* Which base is set at l in one-hot x (4, L); -1 for N. */
static int base_at(const float *x, int64_t L, int64_t l)
{
    for (int c = 0; c < 4; c++)
        if (x[c * L + l] > 0.5f) return c;
    return -1;
}

/* One number per position: the attribution of the base present (gradient methods), or for
 * ISM minus the mean change of the three mutations (how much changing the base costs). */
static float position_score(const float *att, int64_t L, int64_t l, int b, int ism)
{
    if (!ism) return b >= 0 ? att[b * L + l] : 0;
    float s = 0;
    int k = 0;
    for (int c = 0; c < 4; c++)
        if (c != b) s += att[c * L + l], k++;
    return k ? -s / (float)k : 0;
}

int gdl_attr_write_seq_tsv(FILE *fp, const char *id, const float *x, const float *att, int64_t C,
                       int64_t L, int ism)
{
    for (int64_t l = 0; l < L; l++) {
        int b = C == 4 ? base_at(x, L, l) : -1;
        fprintf(fp, "%s\t%lld\t%c", id, (long long)(l + 1), C == 4 ? (b >= 0 ? BASES[b] : 'N') : '.');
        float s = 0;
        for (int64_t c = 0; c < C; c++) fprintf(fp, "\t%.6g", att[c * L + l]), s += att[c * L + l];
        fprintf(fp, "\t%.6g\n", C == 4 ? position_score(att, L, l, b, ism) : s);
    }
    return ferror(fp) ? -1 : 0;
}

int gdl_attr_write_seq_svg(const char *path, const char *id, const float *x, const float *att,
                       const float *ism, int64_t L, const char *method)
{
    gdl_outfile_t f;
    const double cw = 10, left = 40, top = 30, logo_h = 120, heat_top = top + logo_h + 30, row_h = 12;
    double width = left + cw * (double)L + 20, height = heat_top + 4 * row_h + 30;
    float amax = 0, imax = 0;
    int is_ism = strcmp(method, "ism") == 0; // letters: what changing the base costs
    for (int64_t l = 0; l < L; l++) {
        int b = base_at(x, L, l);
        float v = b >= 0 ? fabsf(position_score(att, L, l, b, is_ism)) : 0;
        amax = v > amax ? v : amax;
        for (int c = 0; c < 4; c++) imax = fabsf(ism[c * L + l]) > imax ? fabsf(ism[c * L + l]) : imax;
    }
    if (gdl_outfile_open(&f, path) != 0) return -1;
    FILE *fp = f.fp;
    fprintf(fp, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%.0f\" height=\"%.0f\" "
                "font-family=\"Helvetica,Arial,sans-serif\">\n", width, height);
    fprintf(fp, "<rect width=\"100%%\" height=\"100%%\" fill=\"white\"/>\n");
    fprintf(fp, "<text x=\"%.0f\" y=\"18\" font-size=\"13\">%s: %s attribution (letters) and in-silico "
                "mutation (heatmap)</text>\n", left, id, method);
    double mid = top + logo_h / 2;
    fprintf(fp, "<line x1=\"%.0f\" y1=\"%.1f\" x2=\"%.0f\" y2=\"%.1f\" stroke=\"#888\"/>\n", left, mid,
            left + cw * (double)L, mid);
    for (int64_t l = 0; l < L; l++) {
        int b = base_at(x, L, l);
        if (b < 0 || amax == 0) continue;
        double h = (double)position_score(att, L, l, b, is_ism) / amax * (logo_h / 2);
        if (fabs(h) < 0.05) continue;
        // a letter of cap height ~0.72 em drawn into a box of height |h|, flipped when negative
        double sy = fabs(h) / 0.72 / 10;
        fprintf(fp, "<text transform=\"translate(%.1f,%.2f) scale(%.3f,%.4f)\" font-size=\"10\" "
                    "font-weight=\"bold\" fill=\"%s\">%c</text>\n",
                left + cw * (double)l, mid, 1.0, h > 0 ? sy : -sy, COLOURS[b], BASES[b]);
    }
    // blue: the mutation lowers the score
    gdl_svg_heatmap(fp, left, heat_top, cw, row_h, ism, 4, L, (const char *const[]){"A", "C", "G", "T"});
    fprintf(fp, "<text x=\"%.0f\" y=\"%.1f\" font-size=\"10\">position 1..%lld; heatmap scaled to "
                "max |change| %.3g</text>\n</svg>\n", left, heat_top + 4 * row_h + 18, (long long)L, imax);
    return gdl_outfile_commit(&f); // a failed write is reported there, the temp file removed
}

static float max_abs(const float *v, int64_t n)
{
    float m = 0;
    for (int64_t i = 0; i < n; i++) m = fabsf(v[i]) > m ? fabsf(v[i]) : m;
    return m;
}

int gdl_attr_write_numeric_svg(const char *path, const char *id, const float *x, const float *att,
                           const char *const *names, int64_t C, int64_t L, const char *method)
{
    size_t label = 0;
    for (int64_t c = 0; c < C; c++) label = strlen(names[c]) > label ? strlen(names[c]) : label;
    double cw = L <= 100 ? 10 : fmax(1, 1000.0 / (double)L), ch = C > 40 ? fmax(3, 480.0 / (double)C) : 12;
    double left = 24 + 6.5 * (double)(label < 40 ? label : 40), panel = (double)C * ch + 40;
    int width = (int)(left + cw * (double)L + 20), height = (int)(50 + 2 * panel + 20);
    char title[300];
    snprintf(title, sizeof title, "%s: input (top) and %s attribution (bottom), channel x position", id, method);
    gdl_outfile_t f;
    if (gdl_outfile_open(&f, path) != 0) return -1;
    FILE *fp = f.fp;
    gdl_svg_document(fp, width, height, title);
    for (int k = 0; k < 2; k++) {
        const float *v = k ? att : x;
        double top = 50 + k * panel;
        fprintf(fp, "<text x=\"%.0f\" y=\"%.0f\" font-size=\"11\">%s, scaled to max |value| %.3g "
                    "(red above 0, blue below)</text>\n", left, top + 8, k ? "attribution" : "input",
                max_abs(v, C * L));
        gdl_svg_heatmap(fp, left, top + 16, cw, ch, v, C, L, ch >= 8 ? names : NULL);
    }
    fprintf(fp, "<text x=\"%.0f\" y=\"%d\" font-size=\"10\">position 1..%lld</text>\n", left, height - 8,
            (long long)L);
    gdl_svg_end(fp);
    return gdl_outfile_commit(&f); // a failed write is reported there, the temp file removed
}
