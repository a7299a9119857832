/* svg: the pieces of a plain SVG 1.1 chart (axes with ticks, grid, labels, legend, lines, heatmaps),
 * shared by eval's ROC/PR/scatter figures, train's learning curves and attribution maps. No scripts or external fonts, so
 * any browser or rsvg-convert shows the files. Coordinates: a square plot area of GDL_SVG_S
 * pixels at (GDL_SVG_L, GDL_SVG_TOP), the legend to its right. */
#ifndef GDL_SVG_H
#define GDL_SVG_H

#include <stdint.h>
#include <stdio.h>

enum { GDL_SVG_WIDTH = 860, GDL_SVG_HEIGHT = 560, GDL_SVG_L = 80, GDL_SVG_TOP = 50, GDL_SVG_S = 440,
       GDL_SVG_LEG = GDL_SVG_L + GDL_SVG_S + 30 };

typedef struct {
    double x0, x1, y0, y1; // the data range shown
} gdl_svg_frame_t;

const char *gdl_svg_color(int i);                         // a 10-colour palette, cycled
void gdl_svg_text(FILE *fp, const char *s);               // XML-escaped text
double gdl_svg_x(const gdl_svg_frame_t *f, double x);     // data to pixels
double gdl_svg_y(const gdl_svg_frame_t *f, double y);
/* The XML header of a width x height document, its white background and its title. */
void gdl_svg_document(FILE *fp, int width, int height, const char *title);
/* The XML header, title, grid, ticks with their values, frame and axis labels. */
void gdl_svg_begin(FILE *fp, const char *title, const char *xlabel, const char *ylabel,
                   const gdl_svg_frame_t *f);
/* As gdl_svg_begin on a document of the given height (>= GDL_SVG_HEIGHT): room below the chart
 * for more panels. */
void gdl_svg_begin_height(FILE *fp, int height, const char *title, const char *xlabel,
                          const char *ylabel, const gdl_svg_frame_t *f);

/* A heatmap of v (rows, cols), row-major, cell (r, c) of cw x ch pixels at (x + c cw, y + r ch),
 * each row labelled at its left (labels: rows strings, or NULL). Colours scale to max |v|: red
 * above 0, blue below, white at 0. Each cell is one <rect ... class="cell"/>. */
void gdl_svg_heatmap(FILE *fp, double x, double y, double cw, double ch, const float *v, int64_t rows,
                     int64_t cols, const char *const *labels);
/* Legend entry i (0 at the top): a line of color and its label. */
void gdl_svg_legend(FILE *fp, int i, const char *color, const char *label);
/* A polyline through (x[k], y[k]) (NAN points skipped), dashed when dashed != 0. */
void gdl_svg_line(FILE *fp, const gdl_svg_frame_t *f, const double *x, const double *y, int n,
                  const char *color, int dashed);
void gdl_svg_end(FILE *fp);

#endif
