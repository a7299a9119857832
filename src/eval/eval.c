/* gdl eval: the one entry point. Read, compute the pooled metrics, each fold's, their mean and
 * sd, the bootstrap intervals, then write what was asked for. */
#include <stdlib.h>
#include <time.h>

#include "eval_internal.h"
#include "gdl/core.h"

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

void gdl_eval_opts_init(gdl_eval_opts_t *o)
{
    memset(o, 0, sizeof *o);
    o->threshold = 0.5;
    o->ci_level = 0.95;
    o->plot_max = 10;
    o->seed = 1;
}

/* Everything after the reading; frees p. */
static int evaluate(const gdl_eval_opts_t *o, eval_preds_t *p, double t0)
{
    eval_set_t all = {0}, *folds = NULL;
    eval_fold_summary_t fs = {0};
    eval_ci_t ci = {0};
    int rc = -1, have_fs = 0, have_ci = 0;
    if (!p) return -1;
    if (gdl_eval_weights_read(p, o->weights_from) != 0) {
        gdl_eval_preds_free(p);
        return -1;
    }
    gdl_log_info("%s: %lld rows, %d targets, %d folds, read in %.1f s", p->path, (long long)p->N,
                 p->T, p->n_folds, now() - t0);
    t0 = now();
    eval_set_opts_t so = {.keep_curves = o->curves || o->plot, .keep_rows = o->bootstrap > 0,
                          .sort_in_place = p->n_folds == 0 && o->bootstrap == 0, .threshold = o->threshold};
    if (gdl_eval_set_compute(p, -1, &so, &all) != 0) goto done;
    gdl_log_info("pooled metrics in %.1f s", now() - t0);
    t0 = now();
    if (p->n_folds > 0) {
        eval_set_opts_t fo = so;
        fo.keep_rows = fo.sort_in_place = 0;
        if (!(folds = calloc((size_t)p->n_folds, sizeof *folds))) {
            gdl_log_error("out of memory");
            goto done;
        }
        for (int f = 0; f < p->n_folds; f++)
            if (gdl_eval_set_compute(p, f, &fo, &folds[f]) != 0) goto done;
    }
    if (o->bootstrap > 0) {
        gdl_log_info("%d bootstrap replicates, seed %llu", o->bootstrap, (unsigned long long)o->seed);
        if (gdl_eval_bootstrap(p, &all, o->threshold, o->bootstrap, o->seed, o->ci_level, &ci) != 0) goto done;
        have_ci = 1;
    }
    if (p->n_folds > 0 || o->bootstrap > 0) gdl_log_info("folds and bootstrap in %.1f s", now() - t0);
    t0 = now();
    if (gdl_eval_micro(p, &all, folds) != 0) goto done; // last: it sorts p's binary scores in place
    gdl_log_info("micro average in %.1f s", now() - t0);
    if (p->n_folds > 0) { // the folds' micro averages are complete now
        if (gdl_eval_fold_summary(p, folds, p->n_folds, &fs) != 0) goto done;
        have_fs = 1;
    }
    t0 = now();
    eval_outs_t outs = {0};
    eval_report_t rep = {.p = p, .o = o, .outs = &outs, .all = &all, .folds = folds,
                         .fs = have_fs ? &fs : NULL, .ci = have_ci ? &ci : NULL};
    // every output complete before any takes its final name: a failed run leaves none
    int written = (!o->json || gdl_eval_write_json(&rep, o->json) == 0) && (!o->tsv || gdl_eval_write_tsv(&rep, o->tsv) == 0) &&
                  (!o->curves || gdl_eval_write_curves(&rep, o->curves) == 0) &&
                  (!o->plot || gdl_eval_write_plots(&rep, o->plot) == 0);
    if (gdl_eval_outs_finish(&outs, written) != 0) goto done;
    if (o->table) {
        gdl_eval_print_table(&rep, o->table);
        if (fflush(o->table) != 0) {
            gdl_log_error("writing the table failed");
            goto done;
        }
    }
    gdl_log_info("outputs in %.1f s", now() - t0);
    rc = 0;
done:
    if (folds) {
        for (int f = 0; f < p->n_folds; f++) gdl_eval_set_free(&folds[f], p->T);
        free(folds);
    }
    gdl_eval_set_free(&all, p->T);
    gdl_eval_fold_summary_free(&fs);
    gdl_eval_ci_free(&ci);
    gdl_eval_preds_free(p);
    return rc;
}

int gdl_eval_run(const gdl_eval_opts_t *o)
{
    double t0 = now();
    return evaluate(o, gdl_eval_preds_read(o->predictions, o->regression, o->binary), t0);
}

int gdl_eval_run_scores(const gdl_eval_opts_t *o, const gdl_eval_scores_t *s)
{
    double t0 = now();
    return evaluate(o, gdl_eval_preds_from_scores(s, o->regression, o->binary), t0);
}
