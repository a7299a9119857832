/* gdl motifs: Basset's filter interpretation. Each filter of a first-layer convolution over a
 * one-hot sequence input is scanned over the examples; the windows whose activation reaches
 * --threshold times the filter's largest activation are stacked, and their base frequencies
 * are the filter's position weight matrix, written as a MEME motif (TomTom reads them).
 * F filters, K kernel width, L positions. */
#include <stdlib.h>
#include <string.h>

#include "attr_internal.h"

typedef struct {
    const float *W, *b;      // W (F, 4, K), b (F) or NULL
    int64_t F, K, L, n;      // n sequences in x
    const float *x;          // (n, 4, L) one-hot
    const uint8_t *bases;    // (n, L): the window's letters, N skipped
    float *max;              // (F) pass 1: the largest activation seen
    double *counts;          // (F, 4, K) pass 2
    int64_t *sites;          // (F)
    double threshold;
    int pass;
} scan_t;

static void scan(void *ctx, int64_t f0, int64_t f1, int chunk)
{
    (void)chunk;
    scan_t *s = ctx;
    int64_t K = s->K, L = s->L;
    for (int64_t f = f0; f < f1; f++) {
        const float *w = s->W + f * 4 * K;
        float cut = (float)(s->threshold * s->max[f]);
        for (int64_t i = 0; i < s->n; i++) {
            const float *x = s->x + i * 4 * L;
            for (int64_t l = 0; l + K <= L; l++) {
                float a = s->b ? s->b[f] : 0;
                for (int c = 0; c < 4; c++)
                    for (int64_t k = 0; k < K; k++) a += w[c * K + k] * x[c * L + l + k];
                if (s->pass == 1) {
                    if (a > s->max[f]) s->max[f] = a;
                } else if (s->max[f] > 0 && a >= cut) {
                    double *cnt = s->counts + f * 4 * K;
                    for (int64_t k = 0; k < K; k++)
                        for (int c = 0; c < 4; c++) cnt[c * K + k] += x[c * L + l + k];
                    s->sites[f]++;
                }
            }
        }
    }
}

int gdl_motifs(const gdl_motifs_opts_t *o)
{
    gdl_model_t *m = NULL;
    gdl_dataset_t *d = NULL;
    float *x = NULL, *mx = NULL;
    double *counts = NULL;
    int64_t *sites = NULL, *rows = NULL;
    int rc = -1;
    gdl_outfile_t out;
    if (!(m = gdl_model_load_mapped(o->model_path)) || !(d = gdl_dataset_open(o->data_path))) goto done;
    int *ti = malloc(sizeof *ti * (size_t)m->n_targets);
    if (!ti || gdl_model_check_data(m, d, ti) != 0) {
        free(ti);
        goto done;
    }
    free(ti);
    const gdl_config_t *c = m->config;
    const gdl_config_layer_t *layer = NULL;
    const gdl_input_t *in = NULL;
    for (int i = 0; i < c->n_layers && !layer; i++) {
        const gdl_config_layer_t *l = &c->layers[i];
        if (strcmp(l->type, "conv1d") != 0 || (o->layer && strcmp(l->name, o->layer) != 0)) continue;
        for (int k = 0; k < c->n_inputs; k++)
            if (!strcmp(c->inputs[k].name, l->inputs) && (in = gdl_dataset_input(d, c->inputs[k].from)) &&
                gdl_input_is_bases(in))
                layer = l;
    }
    if (!layer) {
        gdl_log_error("%s: %s%s%s", o->model_path, o->layer ? "layer '" : "no conv1d layer reads a sequence input",
                      o->layer ? o->layer : "", o->layer ? "' is not a conv1d layer over a sequence input" : "");
        goto done;
    }
    char name[160];
    snprintf(name, sizeof name, "%s.weight", layer->name);
    const gdl_nn_param_t *pw = gdl_nn_find_param(m->g, name);
    snprintf(name, sizeof name, "%s.bias", layer->name);
    const gdl_nn_param_t *pb = gdl_nn_find_param(m->g, name);
    if (!pw || pw->ndim != 3 || pw->shape[1] != 4) {
        gdl_log_error("%s: layer '%s' has no (F, 4, K) weight", o->model_path, layer->name);
        goto done;
    }
    int64_t F = pw->shape[0], K = pw->shape[2], L = in->length, B = o->batch > 0 ? o->batch : 64;
    int64_t N = o->max_examples > 0 && o->max_examples < d->n_examples ? o->max_examples : d->n_examples;
    if (K > L) {
        gdl_log_error("%s: filters of width %lld are longer than the sequences (%lld)", o->model_path,
                      (long long)K, (long long)L);
        goto done;
    }
    if (!(x = malloc(sizeof *x * (size_t)(B * 4 * L))) || !(mx = malloc(sizeof *mx * (size_t)F)) ||
        !(counts = calloc((size_t)(F * 4 * K), sizeof *counts)) || !(sites = calloc((size_t)F, sizeof *sites)) ||
        !(rows = malloc(sizeof *rows * (size_t)B))) {
        gdl_log_error("out of memory");
        goto done;
    }
    for (int64_t f = 0; f < F; f++) mx[f] = -1e30f;
    scan_t s = {gdl_nn_param_data(m->g, pw), pb ? gdl_nn_param_data(m->g, pb) : NULL, F, K, L, 0, x,
                in->bases, mx, counts, sites, o->threshold, 1};
    for (s.pass = 1; s.pass <= 2; s.pass++)
        for (int64_t b0 = 0; b0 < N; b0 += B) {
            int64_t n = N - b0 < B ? N - b0 : B;
            for (int64_t i = 0; i < n; i++) rows[i] = b0 + i;
            gdl_input_batch(in, rows, n, x);
            s.n = n;
            gdl_parallel_for(F, scan, &s);
        }
    if (gdl_outfile_open(&out, o->out_path) != 0) goto done;
    fprintf(out.fp, "MEME version 4\n\nALPHABET= ACGT\n\nstrands: + -\n\nBackground letter frequencies\n"
                    "A 0.25 C 0.25 G 0.25 T 0.25\n\n");
    int64_t written = 0;
    for (int64_t f = 0; f < F; f++) {
        if (!sites[f]) continue; // a filter that never fires has no motif
        const double *cnt = counts + f * 4 * K;
        fprintf(out.fp, "MOTIF filter%lld %s\nletter-probability matrix: alength= 4 w= %lld nsites= %lld E= 0\n",
                (long long)(f + 1), layer->name, (long long)K, (long long)sites[f]);
        for (int64_t k = 0; k < K; k++) {
            double tot = 0;
            for (int q = 0; q < 4; q++) tot += cnt[q * K + k];
            for (int q = 0; q < 4; q++) fprintf(out.fp, "%s%.4f", q ? "\t" : " ", tot > 0 ? cnt[q * K + k] / tot : 0.25);
            fputc('\n', out.fp);
        }
        fputc('\n', out.fp);
        written++;
    }
    gdl_log_info("motifs: %lld of %lld filters of '%s' fire above %.2f of their maximum", (long long)written,
                 (long long)F, layer->name, o->threshold);
    rc = gdl_outfile_commit(&out);
done:
    free(x), free(mx), free(counts), free(sites), free(rows);
    gdl_dataset_close(d);
    gdl_model_free(m);
    return rc;
}
