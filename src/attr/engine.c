/* The attribution engine: a model bound to a dataset, with the attributed input given as dense
 * floats so every method (scaled inputs, mutated bases, toggled variants) runs on one path:
 * fill the other inputs from the dataset rows, hand the attributed one over (as a CSR batch
 * when the model reads it sparse), forward in eval mode, and back-propagate from one output. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "attr_internal.h"
#include "gdl/dataops.h"

static const char *const method_names[GDL_ATTR_METHOD_COUNT] = {
    [GDL_ATTR_SALIENCY] = "saliency", [GDL_ATTR_GRADXINPUT] = "gradxinput", [GDL_ATTR_IG] = "ig",
    [GDL_ATTR_ISM] = "ism", [GDL_ATTR_TRACE] = "trace", [GDL_ATTR_OCCLUSION] = "occlusion"};
_Static_assert(sizeof method_names / sizeof *method_names == GDL_ATTR_METHOD_COUNT, "method table");
static const char *const baseline_names[GDL_BASELINE_COUNT] = {
    [GDL_BASELINE_ZERO] = "zero", [GDL_BASELINE_MEAN] = "mean", [GDL_BASELINE_SHUFFLE] = "shuffle"};
static const char *const agg_names[GDL_GENE_AGG_COUNT] = {
    [GDL_GENE_MAX] = "max", [GDL_GENE_SUM] = "sum", [GDL_GENE_MEAN] = "mean"};

static int find_name(const char *const *names, int n, const char *name)
{
    for (int i = 0; i < n; i++)
        if (!strcmp(names[i], name)) return i;
    return -1;
}
const char *gdl_attr_method_name(int m) { return m >= 0 && m < GDL_ATTR_METHOD_COUNT ? method_names[m] : NULL; }
int gdl_attr_method_find(const char *name) { return find_name(method_names, GDL_ATTR_METHOD_COUNT, name); }
const char *gdl_attr_baseline_name(int b) { return b >= 0 && b < GDL_BASELINE_COUNT ? baseline_names[b] : NULL; }
int gdl_attr_baseline_find(const char *name) { return find_name(baseline_names, GDL_BASELINE_COUNT, name); }
const char *gdl_gene_agg_name(int a) { return a >= 0 && a < GDL_GENE_AGG_COUNT ? agg_names[a] : NULL; }
int gdl_gene_agg_find(const char *name) { return find_name(agg_names, GDL_GENE_AGG_COUNT, name); }


/* 1 (logged) when a layer reading input `name` passes no gradient to it (a kmer layer's words, an
 * embedding's codes): the gradient methods would give zeros. */
static int reads_without_gradient(const gdl_config_t *c, const char *name)
{
    for (int i = 0; i < c->n_layers; i++) {
        const gdl_config_layer_t *l = &c->layers[i];
        if (gdl_nn_op_nondiff_input(gdl_nn_op_find(l->type)) && gdl_config_lists_name(l->inputs, name)) {
            gdl_log_error("%s: layer '%s' (%s) passes no gradient to input '%s': gradient-based"
                          " attribution would be zero", c->path, l->name, l->type, name);
            return 1;
        }
    }
    return 0;
}

/* Resolves --target and --class to a column of the output layer. */
static int resolve_output(gdl_attr_t *a)
{
    const gdl_model_t *m = a->m;
    const char *path = m->config->path ? m->config->path : "model";
    a->target = 0;
    if (a->spec.target) {
        a->target = -1;
        for (int t = 0; t < m->n_targets; t++)
            if (!strcmp(m->target_names[t], a->spec.target)) a->target = t;
        if (a->target < 0) {
            gdl_log_error("%s: the model has no target '%s' (it predicts %s%s)", path, a->spec.target,
                          m->target_names[0], m->n_targets > 1 ? ", ..." : "");
            return -1;
        }
    } else if (m->n_targets > 1) {
        gdl_log_error("%s: the model predicts %d targets: choose one with --target", path, m->n_targets);
        return -1;
    }
    if (m->kind != GDL_TARGET_CATEGORICAL) {
        if (a->spec.cls) {
            gdl_log_error("--class: target '%s' is %s, not categorical", m->target_names[a->target],
                          gdl_target_kind_name(m->kind));
            return -1;
        }
        a->out_col = a->target;
        return 0;
    }
    if (!a->spec.cls) {
        gdl_log_error("target '%s' has %d classes: choose one with --class", m->target_names[0], m->n_classes);
        return -1;
    }
    a->out_col = -1;
    for (int k = 0; k < m->n_classes; k++)
        if (!strcmp(m->classes[k], a->spec.cls)) a->out_col = k;
    if (a->out_col < 0) {
        char *end;
        long k = strtol(a->spec.cls, &end, 10);
        if (*a->spec.cls && !*end && k >= 0 && k < m->n_classes) a->out_col = (int)k;
    }
    if (a->out_col < 0) {
        gdl_log_error("--class: target '%s' has no class '%s'", m->target_names[0], a->spec.cls);
        return -1;
    }
    return 0;
}

gdl_attr_t *gdl_attr_new(gdl_model_t *m, const gdl_dataset_t *d, const gdl_attr_spec_t *s)
{
    gdl_attr_t *a = calloc(1, sizeof *a);
    if (!a) {
        gdl_log_error("out of memory");
        return NULL;
    }
    a->m = m, a->d = d, a->spec = *s;
    if (a->spec.batch < 1) a->spec.batch = 64;
    if (a->spec.steps < 1) a->spec.steps = 50;
    if (a->spec.epsilon <= 0) a->spec.epsilon = 1e-6;
    if (a->spec.window < 1) a->spec.window = 5;
    if (a->spec.draws < 1) a->spec.draws = 1;
    int64_t B = a->spec.batch;
    const gdl_config_t *c = m->config;
    if (!(a->target_index = malloc(sizeof *a->target_index * (size_t)m->n_targets))) goto oom;
    if (gdl_model_check_data(m, d, a->target_index) != 0 || resolve_output(a) != 0) goto fail;
    a->n_in = c->n_inputs;
    a->ai = -1;
    for (int i = 0; i < c->n_inputs; i++) {
        if (gdl_feed_init(&a->in[i], &c->inputs[i], d, B) != 0) goto fail;
        if (a->spec.input ? !strcmp(a->spec.input, a->in[i].name) : c->n_inputs == 1) a->ai = i;
    }
    if (a->ai < 0) {
        if (a->spec.input) gdl_log_error("--input: the model has no input '%s'", a->spec.input);
        else gdl_log_error("the model has %d inputs: choose the one to attribute with --input", c->n_inputs);
        goto fail;
    }
    if (a->in[a->ai].kind != GDL_FEED_INPUT && d->geno->encoding == GDL_GENO_GENOTYPE) {
        gdl_log_error("%s: genotypes encoded as genotype classes: attribution needs dosage or presence"
                      " encoding", gdl_file_path(d->file));
        goto fail;
    }
    if (!a->spec.scores_only && reads_without_gradient(c, a->in[a->ai].name)) goto fail;
    a->W = a->in[a->ai].width;
    if (!(a->x = gdl_malloc(sizeof(float) * (size_t)(B * a->W))) ||
        !(a->x2 = gdl_malloc(sizeof(float) * (size_t)(B * a->W))) ||
        !(a->g2 = gdl_malloc(sizeof(float) * (size_t)(B * a->W))) ||
        !(a->f = gdl_malloc(sizeof(float) * (size_t)B)) || !(a->rowbuf = malloc(sizeof(int64_t) * (size_t)B)))
        goto fail;
    if (gdl_nn_want_input_grad(m->g, a->in[a->ai].name, 1) != 0) goto fail;
    gdl_nn_set_param_grad(m->g, 0); // only the gradient with respect to the input is asked for
    return a;
oom:
    gdl_log_error("out of memory");
fail:
    gdl_attr_free(a);
    return NULL;
}

void gdl_attr_free(gdl_attr_t *a)
{
    if (!a) return;
    for (int i = 0; i < GDL_MODEL_MAX_INPUTS; i++) gdl_feed_free(&a->in[i]);
    free(a->target_index);
    gdl_free(a->mean), gdl_free(a->x), gdl_free(a->x2), gdl_free(a->g2), gdl_free(a->f);
    free(a->rowbuf);
    free(a);
}

int64_t gdl_attr_width(const gdl_attr_t *a) { return a->W; }
int gdl_attr_is_genotype(const gdl_attr_t *a) { return a->in[a->ai].kind != GDL_FEED_INPUT; }
int gdl_attr_is_sequence(const gdl_attr_t *a)
{
    const gdl_feed_t *in = &a->in[a->ai];
    return in->kind == GDL_FEED_INPUT && gdl_input_is_bases(in->input);
}

/* The attributed input's batch as dense floats (n, width), as stored. */
static void fill(const gdl_attr_t *a, const gdl_feed_t *in, const int64_t *rows, int64_t n, float *x)
{
    if (in->kind == GDL_FEED_INPUT) gdl_input_batch(in->input, rows, n, x);
    else gdl_genotypes_batch(a->d->geno, rows, n, x);
}

int gdl_attr_input(gdl_attr_t *a, const int64_t *rows, int64_t n, float *x)
{
    fill(a, &a->in[a->ai], rows, n, x);
    return 0;
}

static int run(gdl_attr_t *a, const int64_t *rows, int64_t n, const float *x, float *f)
{
    if (n > a->spec.batch) {
        gdl_log_error("internal: batch of %lld > %lld", (long long)n, (long long)a->spec.batch);
        return -1;
    }
    for (int i = 0; i < a->n_in; i++) { // x for the attributed input, the others as stored
        int r = i == a->ai ? gdl_feed_set_dense(&a->in[i], a->m->g, x, n)
                           : gdl_feed_batch(&a->in[i], a->m->g, a->d, rows, n, NULL);
        if (r != 0) return -1;
    }
    if (gdl_nn_forward(a->m->g, n, 0) != 0) return -1;
    const float *out = gdl_nn_output(a->m->g, a->m->config->output_layer);
    if (!out) return -1;
    for (int64_t b = 0; b < n; b++) f[b] = out[b * a->m->n_out + a->out_col];
    return 0;
}

typedef struct {
    float *out;
    const float *in, *x;
    int64_t n;
    attr_map_t how;
} map_t;

enum { MAP_UNIT = 1 << 14 }; // floats per unit of the split

/* units [begin, end) of MAP_UNIT floats, the last one shorter */
static void map_range(void *ctx, int64_t begin, int64_t end, int chunk)
{
    (void)chunk;
    const map_t *c = ctx;
    int64_t lo = begin * MAP_UNIT, hi = end * MAP_UNIT < c->n ? end * MAP_UNIT : c->n;
    switch (c->how) {
    case ATTR_COPY: memmove(c->out + lo, c->in + lo, sizeof(float) * (size_t)(hi - lo)); break;
    case ATTR_ABS: for (int64_t i = lo; i < hi; i++) c->out[i] = fabsf(c->in[i]); break;
    case ATTR_TIMES_X: for (int64_t i = lo; i < hi; i++) c->out[i] = c->in[i] * c->x[i]; break;
    }
}

void gdl_attr_map(float *out, const float *in, const float *x, int64_t n, attr_map_t how)
{
    map_t c = {out, in, x, n, how};
    gdl_parallel_for((n + MAP_UNIT - 1) / MAP_UNIT, map_range, &c);
}

int gdl_attr_score(gdl_attr_t *a, const int64_t *rows, int64_t n, const float *x, float *f)
{
    return run(a, rows, n, x, f);
}

int gdl_attr_gradient(gdl_attr_t *a, const int64_t *rows, int64_t n, const float *x, float *f,
                      float *dx)
{
    gdl_nn_t *g = a->m->g;
    if (run(a, rows, n, x, f) != 0) return -1;
    float *dout = gdl_nn_grad(g, a->m->config->output_layer);
    if (!dout) return -1;
    for (int64_t b = 0; b < n; b++) dout[b * a->m->n_out + a->out_col] = 1;
    if (gdl_nn_backward(g) != 0) return -1;
    const float *gx = gdl_nn_grad(g, a->in[a->ai].name);
    if (!gx) return -1;
    gdl_attr_map(dx, gx, NULL, n * a->W, ATTR_COPY);
    return 0;
}

typedef struct {
    double *acc;
    const float *x;
    int64_t m, M;
    int absolute;
} columns_t;

/* columns [begin, end): each sums its m values in row order, whatever the threads */
static void add_column_range(void *ctx, int64_t begin, int64_t end, int chunk)
{
    (void)chunk;
    const columns_t *c = ctx;
    for (int64_t i = 0; i < c->m; i++) {
        const float *r = c->x + i * c->M;
        for (int64_t j = begin; j < end; j++) c->acc[j] += c->absolute ? fabsf(r[j]) : r[j];
    }
}

void gdl_attr_add_columns(double *acc, const float *x, int64_t m, int64_t M, int absolute)
{
    columns_t c = {acc, x, m, M, absolute};
    gdl_parallel_for(M, add_column_range, &c);
}

int gdl_attr_set_mean_baseline(gdl_attr_t *a, const int64_t *rows, int64_t n)
{
    double *sum = calloc((size_t)a->W, sizeof *sum);
    if (!sum || (!a->mean && !(a->mean = gdl_malloc(sizeof(float) * (size_t)a->W)))) {
        free(sum);
        gdl_log_error("out of memory");
        return -1;
    }
    int64_t B = a->spec.batch;
    for (int64_t b0 = 0; b0 < n; b0 += B) {
        int64_t nb = n - b0 < B ? n - b0 : B;
        fill(a, &a->in[a->ai], rows + b0, nb, a->x);
        gdl_attr_add_columns(sum, a->x, nb, a->W, 0);
    }
    for (int64_t j = 0; j < a->W; j++) a->mean[j] = n ? (float)(sum[j] / (double)n) : 0;
    free(sum);
    return 0;
}
