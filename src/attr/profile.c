/* The positional importance profile of a sequence or numeric attribution (gdl attribute
 * --profile): mean |attribution| per channel and position over the selected examples, written as
 * PREFIX.tsv (pos, one column per channel, total) and PREFIX.svg (the total as a line over the
 * positions, above a channel x position heatmap). Where along the input does the model look?
 * Dimension letters: C channels, L positions. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "attr_internal.h"
#include "gdl/dataset.h"
#include "gdl/svg.h"

enum { NAME_MAX_LEN = 256 };

const char **gdl_attr_channel_names(const gdl_input_t *in)
{
    int64_t C = in->channels;
    const char **names = malloc((sizeof *names + NAME_MAX_LEN) * (size_t)C);
    if (!names) {
        gdl_log_error("out of memory");
        return NULL;
    }
    char *text = (char *)(names + C);
    for (int64_t c = 0; c < C; c++) {
        char *buf = text + c * NAME_MAX_LEN;
        const char *s = gdl_input_channel_name(in, c, buf, NAME_MAX_LEN);
        if (s != buf) snprintf(buf, NAME_MAX_LEN, "%s", s);
        names[c] = buf;
    }
    return names;
}

static void write_tsv(FILE *fp, const float *mean, int64_t C, int64_t L, const char *const *names)
{
    fputs("pos", fp);
    for (int64_t c = 0; c < C; c++) fprintf(fp, "\t%s", names[c]);
    fputs("\ttotal\n", fp);
    for (int64_t l = 0; l < L; l++) {
        double total = 0;
        fprintf(fp, "%lld", (long long)(l + 1));
        for (int64_t c = 0; c < C; c++) fprintf(fp, "\t%.6g", mean[c * L + l]), total += mean[c * L + l];
        fprintf(fp, "\t%.6g\n", total);
    }
}

/* xy (2 L): scratch for the line's points */
static void write_svg(FILE *fp, const float *mean, int64_t n, int64_t C, int64_t L,
                      const char *const *names, const char *method, double *xy)
{
    double *x = xy, *y = xy + L, ymax = 0;
    for (int64_t l = 0; l < L; l++) {
        x[l] = (double)(l + 1), y[l] = 0;
        for (int64_t c = 0; c < C; c++) y[l] += mean[c * L + l];
        ymax = y[l] > ymax ? y[l] : ymax;
    }
    double ch = C > 20 ? fmax(3.0, 280.0 / (double)C) : 14, top = GDL_SVG_TOP + GDL_SVG_S + 70;
    char title[160];
    snprintf(title, sizeof title, "Mean |%s attribution| over %lld examples", method, (long long)n);
    gdl_svg_frame_t f = {0.5, (double)L + 0.5, 0, ymax > 0 ? ymax * 1.05 : 1};
    gdl_svg_begin_height(fp, (int)(top + (double)C * ch + 40), title, "Position",
                         "Sum over channels", &f);
    gdl_svg_line(fp, &f, x, y, (int)L, gdl_svg_color(0), 0);
    fprintf(fp, "<text x=\"%d\" y=\"%.0f\" font-size=\"12\">channel x position (scaled to the largest "
                "mean |attribution|)</text>\n", GDL_SVG_L, top - 8);
    gdl_svg_heatmap(fp, GDL_SVG_L, top, (double)GDL_SVG_S / (double)L, ch, mean, C, L,
                    ch >= 8 ? names : NULL);
    gdl_svg_end(fp);
}

int gdl_attr_write_profile(const char *prefix, const double *sum, int64_t n, int64_t C, int64_t L,
                       const char *const *names, const char *method)
{
    size_t len = strlen(prefix) + 5;
    char *tsv_path = malloc(len), *svg_path = malloc(len);
    float *mean = malloc(sizeof *mean * (size_t)(C * L));
    double *xy = malloc(sizeof *xy * (size_t)(2 * L));
    gdl_outfile_t tsv, svg;
    int rc = -1, tsv_open = 0, svg_open = 0;
    if (!tsv_path || !svg_path || !mean || !xy) {
        gdl_log_error("out of memory");
        goto out;
    }
    snprintf(tsv_path, len, "%s.tsv", prefix);
    snprintf(svg_path, len, "%s.svg", prefix);
    for (int64_t i = 0; i < C * L; i++) mean[i] = (float)(sum[i] / (double)n);
    if (gdl_outfile_open(&tsv, tsv_path) != 0) goto out;
    tsv_open = 1;
    if (gdl_outfile_open(&svg, svg_path) != 0) goto out;
    svg_open = 1;
    write_tsv(tsv.fp, mean, C, L, names);
    write_svg(svg.fp, mean, n, C, L, names, method, xy);
    if (ferror(tsv.fp) || ferror(svg.fp)) {
        gdl_log_write_error(ferror(tsv.fp) ? tsv_path : svg_path);
        goto out;
    }
    // both complete before either takes its final name
    tsv_open = 0;
    if (gdl_outfile_commit(&tsv) != 0) goto out;
    svg_open = 0;
    rc = gdl_outfile_commit(&svg);
out:
    if (tsv_open) gdl_outfile_abort(&tsv);
    if (svg_open) gdl_outfile_abort(&svg);
    free(tsv_path), free(svg_path), free(mean), free(xy);
    return rc;
}
