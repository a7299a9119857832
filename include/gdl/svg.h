/* svg: the pieces of a plain SVG 1.1 chart (axes with ticks, grid, labels, legend, lines), shared
 * by eval's ROC/PR/scatter figures and train's learning curves. No scripts or external fonts, so
 * any browser or rsvg-convert shows the files. Coordinates: a square plot area of GDL_SVG_S
 * pixels at (GDL_SVG_L, GDL_SVG_TOP), the legend to its right. */
#ifndef GDL_SVG_H
#define GDL_SVG_H

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
/* The XML header, title, grid, ticks with their values, frame and axis labels. */
void gdl_svg_begin(FILE *fp, const char *title, const char *xlabel, const char *ylabel,
                   const gdl_svg_frame_t *f);
/* Legend entry i (0 at the top): a line of color and its label. */
void gdl_svg_legend(FILE *fp, int i, const char *color, const char *label);
/* A polyline through (x[k], y[k]) (NAN points skipped), dashed when dashed != 0. */
void gdl_svg_line(FILE *fp, const gdl_svg_frame_t *f, const double *x, const double *y, int n,
                  const char *color, int dashed);
void gdl_svg_end(FILE *fp);

#endif
