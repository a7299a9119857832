/* --plot: training and validation loss by epoch (and fold), as SVG. */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "gdl/core.h"
#include "gdl/svg.h"
#include "cd.h"
#include "train_internal.h"

int gdl_train_history_add(history_t *h, int epoch, int fold, double train, double val)
{
    if (h->n == h->cap) {
        int cap = h->cap ? 2 * h->cap : 64;
        int *e = realloc(h->epoch, cap * sizeof *e), *f = e ? realloc(h->fold, cap * sizeof *f) : NULL;
        if (e) h->epoch = e;
        if (f) h->fold = f;
        double *t = f ? realloc(h->train, cap * sizeof *t) : NULL, *v = t ? realloc(h->val, cap * sizeof *v) : NULL;
        if (t) h->train = t;
        if (v) h->val = v;
        if (!v) {
            gdl_log_error("out of memory");
            return -1;
        }
        h->cap = cap;
    }
    h->epoch[h->n] = epoch, h->fold[h->n] = fold, h->train[h->n] = train, h->val[h->n++] = val;
    return 0;
}

void gdl_train_history_free(history_t *h)
{
    free(h->epoch), free(h->fold), free(h->train), free(h->val);
}

/* Learning curves: training loss solid, validation loss dashed, one colour per fold. */
int gdl_train_write_curves(const char *path, const history_t *h, int n_folds)
{
    gdl_svg_frame_t f = {1, 2, 0, 0};
    for (int i = 0; i < h->n; i++) {
        f.x1 = h->epoch[i] > f.x1 ? h->epoch[i] : f.x1;
        f.y1 = fmax(f.y1, fmax(h->train[i], h->val[i]));
    }
    f.y1 = f.y1 > 0 ? f.y1 * 1.05 : 1;
    double *x = malloc((h->n + 1) * sizeof *x), *yt = malloc((h->n + 1) * sizeof *yt),
           *yv = malloc((h->n + 1) * sizeof *yv);
    gdl_outfile_t out;
    int ret = -1;
    if (!x || !yt || !yv) {
        gdl_log_error("out of memory");
        goto done;
    }
    if (gdl_outfile_open(&out, path) != 0) goto done;
    gdl_svg_begin(out.fp, n_folds ? "Training (solid) and validation (dashed) loss by fold"
                                  : "Training (solid) and validation (dashed) loss",
                  "Epoch", "Loss", &f);
    for (int k = n_folds ? 1 : 0, i = 0; k <= n_folds; k++) {
        int m = 0;
        for (i = 0; i < h->n; i++)
            if (h->fold[i] == k) x[m] = h->epoch[i], yt[m] = h->train[i], yv[m++] = h->val[i];
        if (!m) continue;
        char label[32];
        snprintf(label, sizeof label, n_folds ? "fold %d" : "training", k);
        gdl_svg_line(out.fp, &f, x, yt, m, gdl_svg_color(k), 0);
        gdl_svg_line(out.fp, &f, x, yv, m, gdl_svg_color(k), 1);
        gdl_svg_legend(out.fp, n_folds ? k - 1 : 0, gdl_svg_color(k), label);
    }
    gdl_svg_end(out.fp);
    ret = gdl_outfile_commit(&out);
done:
    free(x), free(yt), free(yv);
    return ret;
}
