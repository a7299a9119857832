/* The models of gdl vep bound to a batch of windows held in memory: each model reads one DNA
 * input of (4 or 16, L), and its scores of the batch's rows are averaged over the models. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "gdl/core.h"
#include "vep_internal.h"

/* A model vep can apply: one DNA input (4 or 16 channels, L), other models' outputs. */
static int check_model(const vep_scorer_t *v, const gdl_model_t *m, const char *path)
{
    const gdl_config_t *c = m->config;
    const gdl_model_input_t *mi = &m->inputs[0];
    // the input's kind as the model stored it; models from before gdl stored it: by shape
    int dna = mi->kind == GDL_MODEL_INPUT_UNKNOWN ? strcmp(c->inputs[0].from, "genotypes") != 0 : mi->kind == GDL_MODEL_INPUT_DNA;
    if (c->n_inputs != 1 || !dna || mi->ndim != 2 || (mi->shape[0] != 4 && mi->shape[0] != 16)) {
        gdl_log_error("%s: gdl vep applies models of one DNA sequence input (4 or 16 channels x L); this "
                      "model reads %d input%s ('%s'%s)", path, c->n_inputs, c->n_inputs == 1 ? "" : "s",
                      c->inputs[0].from, mi->kind == GDL_MODEL_INPUT_NUMERIC ? ", numeric tracks" : "");
        return -1;
    }
    if (v->n_models == 0) return 0;
    const gdl_model_t *first = v->models[0];
    int same = m->n_out == first->n_out && m->kind == first->kind && m->n_targets == first->n_targets &&
               mi->shape[0] == first->inputs[0].shape[0] && mi->shape[1] == first->inputs[0].shape[1];
    for (int t = 0; same && t < m->n_targets; t++) same = !strcmp(m->target_names[t], first->target_names[t]);
    if (!same) {
        gdl_log_error("%s: other input shape or targets than %s; averaged models must agree", path, v->paths[0]);
        return -1;
    }
    return 0;
}

/* The names of the K outputs: targets, or "TARGET:CLASS" for a categorical one. */
static int output_names(vep_scorer_t *v)
{
    const gdl_model_t *m = v->models[0];
    if (!(v->names = calloc((size_t)v->K, sizeof *v->names))) return -1;
    for (int k = 0; k < v->K; k++) {
        char buf[512];
        if (m->kind == GDL_TARGET_CATEGORICAL) snprintf(buf, sizeof buf, "%s:%s", m->target_names[0], m->classes[k]);
        else snprintf(buf, sizeof buf, "%s", m->target_names[k]);
        if (!(v->names[k] = strdup(buf))) return -1;
    }
    return 0;
}

int gdl_vep_scorer_open(vep_scorer_t *v, const char *const *paths, int n, int64_t batch, int rc)
{
    memset(v, 0, sizeof *v);
    v->paths = paths;
    v->rc = rc;
    v->B = batch;
    if (!(v->models = calloc((size_t)n, sizeof *v->models)) || !(v->runners = calloc((size_t)n, sizeof *v->runners)) ||
        !(v->data = calloc((size_t)n, sizeof *v->data)) || !(v->inputs = calloc((size_t)n, sizeof *v->inputs)))
        goto oom;
    for (int k = 0; k < n; k++) {
        gdl_model_t *m = gdl_model_load_mapped(paths[k]);
        if (!m) return -1;
        if (check_model(v, m, paths[k]) != 0) {
            gdl_model_free(m);
            return -1;
        }
        v->models[v->n_models++] = m;
    }
    const gdl_model_t *m = v->models[0];
    v->C = m->inputs[0].shape[0];
    v->L = m->inputs[0].shape[1];
    v->K = m->n_out;
    v->probabilities = m->loss.kind != GDL_LOSS_MSE;
    int64_t rows = 2 * v->B; // a reference and an alternate window per allele
    if (output_names(v) != 0) goto oom;
    if (gdl_vep_scorer_reserve(v, v->B) != 0) return -1;
    for (int k = 0; k < v->n_models; k++) {
        const gdl_model_t *mk = v->models[k];
        v->inputs[k] = (gdl_input_t){.name = mk->config->inputs[0].from, .format = GDL_INPUT_SEQ8,
                                     .channels = v->C, .length = v->L, .order = v->C == 16 ? 2 : 1,
                                     .bases = v->bases};
        v->data[k] = (gdl_dataset_t){.n_examples = rows, .n_inputs = 1, .inputs = &v->inputs[k]};
        if (gdl_runner_init(&v->runners[k], v->models[k], &v->data[k], rows) != 0) return -1;
    }
    return 0;
oom:
    gdl_log_error("out of memory");
    return -1;
}

/* realloc of p to n elements of size: 0, or -1 with p unchanged. */
static int grow(void *pp, int64_t n, size_t size)
{
    void *q = realloc(*(void **)pp, (size_t)n * size);
    if (!q) return -1;
    *(void **)pp = q;
    return 0;
}

int gdl_vep_scorer_reserve(vep_scorer_t *v, int64_t n)
{
    if (n <= v->cap) return 0;
    int64_t rows = 2 * n;
    if (grow(&v->bases, rows * v->L, 1) != 0 || grow(&v->rows, rows, sizeof *v->rows) != 0 ||
        grow(&v->scores, rows * v->K, sizeof *v->scores) != 0 || grow(&v->scratch, rows * v->K, sizeof *v->scratch) != 0 ||
        grow(&v->rc_scratch, rows * v->K, sizeof *v->rc_scratch) != 0) {
        gdl_log_error("out of memory");
        return -1;
    }
    for (int64_t i = 2 * v->cap; i < rows; i++) v->rows[i] = i;
    v->cap = n;
    // the runners keep pointers to the inputs, not to the bases: the views follow the buffer
    for (int k = 0; k < v->n_models && v->data; k++) v->inputs[k].bases = v->bases, v->data[k].n_examples = rows;
    return 0;
}

int gdl_vep_scorer_run(vep_scorer_t *v, int64_t n)
{
    int64_t rows = 2 * n;
    memset(v->scores, 0, (size_t)(rows * v->K) * sizeof *v->scores);
    for (int k = 0; k < v->n_models; k++) {
        if (gdl_runner_strand_scores(&v->runners[k], v->rows, rows, v->rc, v->paths[k], v->scratch,
                                     v->rc_scratch) != 0)
            return -1;
        for (int64_t i = 0; i < rows * v->K; i++) v->scores[i] += v->scratch[i] / (float)v->n_models;
    }
    return 0;
}

void gdl_vep_scorer_close(vep_scorer_t *v)
{
    for (int k = 0; k < v->n_models; k++) {
        gdl_runner_free(&v->runners[k]);
        gdl_model_free(v->models[k]);
    }
    for (int k = 0; v->names && k < v->K; k++) free(v->names[k]);
    free(v->names), free(v->models), free(v->runners), free(v->data), free(v->inputs);
    free(v->bases), free(v->rows), free(v->scores), free(v->scratch), free(v->rc_scratch);
    memset(v, 0, sizeof *v);
}
