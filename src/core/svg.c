/* Plain SVG charts: axes, grid, ticks, labels, legend and lines (see gdl/svg.h). */
#include <math.h>

#include "gdl/svg.h"

enum { W = GDL_SVG_WIDTH, H = GDL_SVG_HEIGHT, L = GDL_SVG_L, TOP = GDL_SVG_TOP, S = GDL_SVG_S, LEG = GDL_SVG_LEG };

static const char *const palette[] = {"#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd",
                                      "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"};

const char *gdl_svg_color(int i) { return palette[(i % 10 + 10) % 10]; }

void gdl_svg_text(FILE *fp, const char *s)
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

double gdl_svg_x(const gdl_svg_frame_t *f, double x) { return L + (x - f->x0) / (f->x1 - f->x0) * S; }
double gdl_svg_y(const gdl_svg_frame_t *f, double y) { return TOP + S - (y - f->y0) / (f->y1 - f->y0) * S; }

static void header(FILE *fp, int width, int height)
{
    fprintf(fp, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                "<svg xmlns=\"http://www.w3.org/2000/svg\" version=\"1.1\" width=\"%d\" height=\"%d\" "
                "viewBox=\"0 0 %d %d\" font-family=\"DejaVu Sans, Helvetica, Arial, sans-serif\" font-size=\"13\">\n"
                "<rect width=\"%d\" height=\"%d\" fill=\"white\"/>\n", width, height, width, height, width, height);
}

void gdl_svg_document(FILE *fp, int width, int height, const char *title)
{
    header(fp, width, height);
    fputs("<text x=\"20\" y=\"24\" font-size=\"15\">", fp);
    gdl_svg_text(fp, title);
    fputs("</text>\n", fp);
}

void gdl_svg_begin(FILE *fp, const char *title, const char *xlabel, const char *ylabel,
                   const gdl_svg_frame_t *f)
{
    gdl_svg_begin_height(fp, H, title, xlabel, ylabel, f);
}

void gdl_svg_begin_height(FILE *fp, int height, const char *title, const char *xlabel,
                          const char *ylabel, const gdl_svg_frame_t *f)
{
    header(fp, W, height > H ? height : H);
    fprintf(fp, "<text x=\"%d\" y=\"28\" font-size=\"16\" text-anchor=\"middle\">", L + S / 2);
    gdl_svg_text(fp, title);
    fputs("</text>\n<g stroke=\"#e0e0e0\" stroke-width=\"1\">\n", fp);
    double sx = nice_step(f->x0, f->x1), sy = nice_step(f->y0, f->y1);
    for (double x = ceil(f->x0 / sx - 1e-9) * sx; x <= f->x1 + 1e-9 * sx; x += sx)
        fprintf(fp, "<line x1=\"%.2f\" y1=\"%d\" x2=\"%.2f\" y2=\"%d\"/>\n", gdl_svg_x(f, x), TOP,
                gdl_svg_x(f, x), TOP + S);
    for (double y = ceil(f->y0 / sy - 1e-9) * sy; y <= f->y1 + 1e-9 * sy; y += sy)
        fprintf(fp, "<line x1=\"%d\" y1=\"%.2f\" x2=\"%d\" y2=\"%.2f\"/>\n", L, gdl_svg_y(f, y), L + S,
                gdl_svg_y(f, y));
    fputs("</g>\n<g font-size=\"12\">\n", fp);
    for (double x = ceil(f->x0 / sx - 1e-9) * sx; x <= f->x1 + 1e-9 * sx; x += sx) {
        double v = fabs(x) < 1e-12 * sx ? 0 : x, X = gdl_svg_x(f, x);
        fprintf(fp, "<line x1=\"%.2f\" y1=\"%d\" x2=\"%.2f\" y2=\"%d\" stroke=\"black\"/>"
                    "<text x=\"%.2f\" y=\"%d\" text-anchor=\"middle\">%g</text>\n",
                X, TOP + S, X, TOP + S + 5, X, TOP + S + 19, v);
    }
    for (double y = ceil(f->y0 / sy - 1e-9) * sy; y <= f->y1 + 1e-9 * sy; y += sy) {
        double v = fabs(y) < 1e-12 * sy ? 0 : y, Y = gdl_svg_y(f, y);
        fprintf(fp, "<line x1=\"%d\" y1=\"%.2f\" x2=\"%d\" y2=\"%.2f\" stroke=\"black\"/>"
                    "<text x=\"%d\" y=\"%.2f\" text-anchor=\"end\">%g</text>\n",
                L - 5, Y, L, Y, L - 8, Y + 4, v);
    }
    fprintf(fp, "</g>\n<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"none\" stroke=\"black\"/>\n",
            L, TOP, S, S);
    fprintf(fp, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">", L + S / 2, TOP + S + 42);
    gdl_svg_text(fp, xlabel);
    fprintf(fp, "</text>\n<text x=\"%d\" y=\"%d\" text-anchor=\"middle\" transform=\"rotate(-90 %d %d)\">",
            22, TOP + S / 2, 22, TOP + S / 2);
    gdl_svg_text(fp, ylabel);
    fputs("</text>\n", fp);
}

void gdl_svg_legend(FILE *fp, int i, const char *color, const char *label)
{
    int y = TOP + 10 + i * 20;
    fprintf(fp, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"%s\" stroke-width=\"2.5\"/>"
                "<text x=\"%d\" y=\"%d\">", LEG, y, LEG + 24, y, color, LEG + 30, y + 4);
    gdl_svg_text(fp, label);
    fputs("</text>\n", fp);
}

void gdl_svg_line(FILE *fp, const gdl_svg_frame_t *f, const double *x, const double *y, int n,
                  const char *color, int dashed)
{
    fprintf(fp, "<polyline fill=\"none\" stroke=\"%s\" stroke-width=\"2\" stroke-linejoin=\"round\"%s points=\"",
            color, dashed ? " stroke-dasharray=\"6,4\"" : "");
    int first = 1;
    for (int k = 0; k < n; k++) {
        if (isnan(x[k]) || isnan(y[k])) continue;
        fprintf(fp, first ? "%.2f,%.2f" : " %.2f,%.2f", gdl_svg_x(f, x[k]), gdl_svg_y(f, y[k]));
        first = 0;
    }
    fputs("\"/>\n", fp);
}

void gdl_svg_heatmap(FILE *fp, double x, double y, double cw, double ch, const float *v, int64_t rows,
                     int64_t cols, const char *const *labels)
{
    float vmax = 0;
    for (int64_t i = 0; i < rows * cols; i++) vmax = fabsf(v[i]) > vmax ? fabsf(v[i]) : vmax;
    for (int64_t r = 0; r < rows; r++) {
        double yr = y + (double)r * ch;
        if (labels) {
            fprintf(fp, "<text x=\"%.1f\" y=\"%.1f\" font-size=\"10\" text-anchor=\"end\">", x - 4,
                    yr + ch / 2 + 3.5);
            gdl_svg_text(fp, labels[r]);
            fputs("</text>\n", fp);
        }
        for (int64_t c = 0; c < cols; c++) {
            double s = vmax > 0 ? v[r * cols + c] / vmax : 0; // -1 .. 1
            int red = s > 0 ? 255 : (int)(255 * (1 + s)), green = (int)(255 * (1 - fabs(s))),
                blue = s < 0 ? 255 : (int)(255 * (1 - s));
            fprintf(fp, "<rect x=\"%.2f\" y=\"%.2f\" width=\"%.2f\" height=\"%.2f\" "
                        "fill=\"rgb(%d,%d,%d)\" class=\"cell\"/>\n",
                    x + (double)c * cw, yr, cw, ch, red, green, blue);
        }
    }
}

void gdl_svg_end(FILE *fp) { fputs("</svg>\n", fp); }
