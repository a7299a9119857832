/* gdl tune --plot: PREFIX.PARAM.svg, the metric of every trial against each parameter. */
#ifndef GDL_TUNE_PLOT_H
#define GDL_TUNE_PLOT_H

#include "table.h"

/* One SVG per parameter of s (PREFIX.PATH.svg, brackets dropped from the JSON path): a dot per
 * trial at the highest rung it reached, coloured by that rung, y the metric (or the loss with
 * use_loss) named ylabel. Log ranges on a log10 axis, non-numeric choices by their index (the
 * axis label lists them). 0, or -1 with an error. */
int gdl_tune_plot(const gdl_tune_opts_t *o, const gdl_space_t *s, const tune_table_t *t, int R, const char *ylabel);

#endif
