/* predictions.tsv (its columns: docs/formats.md), and gdl predict: scores of one model or the mean of several. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "gdl/core.h"
#include "model_internal.h"

static void put_label(FILE *fp, const gdl_runner_t *r, int64_t row, int t)
{
    const gdl_dataset_t *d = r->d;
    int k = r->target_index[t];
    float y = k < 0 ? NAN : d->labels[row * d->n_targets + k];
    if (isnan(y)) return; // missing labels are empty
    if (r->m->kind == GDL_TARGET_CATEGORICAL) fputs(r->m->classes[(int)y], fp);
    else fprintf(fp, "%.9g", y);
}

int gdl_predictions_write(const char *path, const gdl_runner_t *r, const int64_t *rows, int64_t n,
                      const float *scores, const int *fold)
{
    const gdl_model_t *m = r->m;
    gdl_outfile_t o;
    if (gdl_outfile_open(&o, path) != 0) return -1;
    FILE *fp = o.fp;
    fputs("id", fp);
    if (fold) fputs("\tfold", fp);
    for (int t = 0; t < m->n_targets; t++) {
        fprintf(fp, "\t%s:label", m->target_names[t]);
        if (m->kind == GDL_TARGET_CATEGORICAL)
            for (int c = 0; c < m->n_classes; c++) fprintf(fp, "\t%s:score:%s", m->target_names[t], m->classes[c]);
        else
            fprintf(fp, "\t%s:score", m->target_names[t]);
    }
    fputc('\n', fp);
    for (int64_t i = 0; i < n; i++) {
        const float *s = scores + i * m->n_out;
        fputs(r->d->ids[rows[i]], fp);
        if (fold) fprintf(fp, "\t%d", fold[i]);
        for (int t = 0; t < m->n_targets; t++) {
            fputc('\t', fp);
            put_label(fp, r, rows[i], t);
            if (m->kind == GDL_TARGET_CATEGORICAL)
                for (int c = 0; c < m->n_classes; c++) fprintf(fp, "\t%.9g", s[c]);
            else
                fprintf(fp, "\t%.9g", s[t]);
        }
        fputc('\n', fp);
    }
    return gdl_outfile_commit(&o); // a failed write is reported there, the temp file removed
}

/* --batch 0: as many examples per pass as keep the node values near 256 MB, from 256 up to
 * 2,048 (the sparse first layer's tiled pass pays from 512 examples) */
static int64_t auto_batch(const gdl_model_t *m)
{
    int64_t per_example = gdl_nn_sample_floats(m->g) * (int64_t)sizeof(float);
    int64_t b = ((int64_t)256 << 20) / (per_example > 0 ? per_example : 1);
    return b < 256 ? 256 : b > 2048 ? 2048 : b;
}

/* Scores every example with each model in turn into sum (their mean); r is left set up for the
 * last model (its targets and the dataset's label columns). 0 or -1. */
static int score_all(const gdl_predict_opts_t *o, gdl_dataset_t *d, gdl_model_t **mp,
                     gdl_runner_t *r, int64_t *rows, float **sum_out)
{
    gdl_model_t *m = NULL;
    float *sum = NULL, *scores = NULL, *rc_scores = NULL;
    int ret = -1, n_out = 0;
    if (o->n_models < 1) {
        gdl_log_error("no model to score %s with", o->data_path);
        goto out;
    }
    for (int64_t i = 0; i < d->n_examples; i++) rows[i] = i;
    for (int k = 0; k < o->n_models; k++) {
        gdl_model_t *next = gdl_model_load_mapped(o->model_paths[k]);
        if (!next) goto out;
        if (m && (next->n_out != n_out || next->kind != m->kind || next->n_targets != m->n_targets)) {
            gdl_log_error("%s: predicts other targets than %s; averaged models must agree",
                          o->model_paths[k], o->model_paths[0]);
            gdl_model_free(next);
            goto out;
        }
        gdl_runner_free(r);
        gdl_model_free(m);
        m = next;
        n_out = m->n_out;
        if (gdl_model_align(m, d, o->min_overlap) != 0 ||
            gdl_runner_init(r, m, d, o->batch > 0 ? o->batch : auto_batch(m)) != 0) goto out;
        size_t bytes = (size_t)(d->n_examples * n_out) * sizeof(float);
        if ((!sum && !(sum = calloc(1, bytes ? bytes : 1))) || (!scores && !(scores = malloc(bytes ? bytes : 1))) ||
            (o->rc && !rc_scores && !(rc_scores = malloc(bytes ? bytes : 1)))) {
            gdl_log_error("out of memory");
            goto out;
        }
        if (gdl_runner_strand_scores(r, rows, d->n_examples, o->rc, o->model_paths[k], scores, rc_scores) != 0) goto out;
        for (int64_t i = 0; i < d->n_examples * n_out; i++) sum[i] += scores[i] / (float)o->n_models;
    }
    ret = 0;
out:
    *mp = m;
    free(scores), free(rc_scores);
    if (ret == 0) *sum_out = sum;
    else free(sum);
    return ret;
}

int gdl_predict(const gdl_predict_opts_t *o)
{
    gdl_dataset_t *d = gdl_dataset_open(o->data_path);
    gdl_model_t *m = NULL;
    gdl_runner_t r = {0};
    float *sum = NULL;
    int ret = -1;
    if (!d) return -1;
    int64_t *rows = malloc((d->n_examples ? d->n_examples : 1) * sizeof *rows);
    if (!rows) gdl_log_error("out of memory");
    else if (score_all(o, d, &m, &r, rows, &sum) == 0)
        ret = gdl_predictions_write(o->out_path, &r, rows, d->n_examples, sum, NULL);
    gdl_runner_free(&r);
    gdl_model_free(m);
    gdl_dataset_close(d);
    free(rows), free(sum);
    return ret;
}

int gdl_predict_in_memory(const gdl_predict_opts_t *o, gdl_predicted_t *out)
{
    memset(out, 0, sizeof *out);
    gdl_dataset_t *d = gdl_dataset_open(o->data_path);
    gdl_model_t *m = NULL;
    gdl_runner_t r = {0};
    int ret = -1;
    if (!d) return -1;
    int64_t *rows = malloc((d->n_examples ? d->n_examples : 1) * sizeof *rows);
    if (!rows) {
        gdl_log_error("out of memory");
        goto out;
    }
    if (score_all(o, d, &m, &r, rows, &out->scores) != 0) goto out;
    const int64_t N = d->n_examples;
    const int T = m->n_targets;
    out->n = N, out->n_targets = T, out->n_out = m->n_out, out->kind = m->kind;
    out->target_names = gdl_model_dup_strings((const char *const *)m->target_names, T);
    if (m->kind == GDL_TARGET_CATEGORICAL) {
        out->n_classes = m->n_classes;
        out->classes = gdl_model_dup_strings((const char *const *)m->classes, m->n_classes);
    }
    out->labels = malloc((size_t)(N * T > 0 ? N * T : 1) * sizeof *out->labels);
    if (!out->target_names || (m->kind == GDL_TARGET_CATEGORICAL && !out->classes) || !out->labels) {
        gdl_log_error("out of memory");
        goto out;
    }
    for (int64_t i = 0; i < N; i++)
        for (int t = 0; t < T; t++) {
            int k = r.target_index[t];
            out->labels[i * T + t] = k < 0 ? NAN : d->labels[i * d->n_targets + k];
        }
    ret = 0;
out:
    if (ret != 0) gdl_predicted_free(out);
    gdl_runner_free(&r);
    gdl_model_free(m);
    gdl_dataset_close(d);
    free(rows);
    return ret;
}

void gdl_predicted_free(gdl_predicted_t *p)
{
    for (int t = 0; p->target_names && t < p->n_targets; t++) free(p->target_names[t]);
    for (int c = 0; p->classes && c < p->n_classes; c++) free(p->classes[c]);
    free(p->target_names), free(p->classes), free(p->scores), free(p->labels);
    memset(p, 0, sizeof *p);
}
