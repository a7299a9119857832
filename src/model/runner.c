/* Running a model over dataset rows: batches, labels, losses and output scores. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "gdl/core.h"
#include "model_internal.h"

int gdl_runner_init(gdl_runner_t *r, gdl_model_t *m, const gdl_dataset_t *d, int64_t batch)
{
    memset(r, 0, sizeof *r);
    r->m = m;
    r->d = d;
    r->batch = batch;
    r->n_lab = m->loss.kind == GDL_LOSS_SOFTMAX_CE ? 1 : m->n_targets;
    if (!(r->target_index = malloc(m->n_targets * sizeof *r->target_index)) ||
        !(r->labels = malloc((size_t)(batch * r->n_lab) * sizeof *r->labels))) {
        gdl_log_error("out of memory");
        goto fail;
    }
    if (gdl_model_check_data(m, d, r->target_index) != 0) goto fail;
    gdl_nn_set_fusion(m->g, 1); // batches of the whole model: no layer's values are read
    for (int i = 0; i < m->config->n_inputs; i++)
        if (gdl_feed_init(&r->feeds[i], &m->config->inputs[i], d, batch) != 0) goto fail;
    return 0;
fail:
    gdl_runner_free(r);
    return -1;
}

void gdl_runner_use_decoded(gdl_runner_t *r, const gdl_geno_calls_t *decoded)
{
    for (int i = 0; i < r->m->config->n_inputs; i++)
        if (r->feeds[i].kind == GDL_FEED_GENO_SPARSE) r->feeds[i].decoded = decoded;
}

void gdl_runner_free(gdl_runner_t *r)
{
    if (r->m && r->m->g) gdl_nn_set_fusion(r->m->g, 0);
    for (int i = 0; i < GDL_MODEL_MAX_INPUTS; i++) gdl_feed_free(&r->feeds[i]);
    free(r->target_index);
    free(r->labels);
    memset(r, 0, sizeof *r);
}

int gdl_runner_has_sequence(const gdl_runner_t *r)
{
    for (int i = 0; i < r->m->config->n_inputs; i++)
        if (r->feeds[i].kind == GDL_FEED_INPUT && r->feeds[i].input->format == GDL_INPUT_SEQ8) return 1;
    return 0;
}

/* Feeds rows[0..n) and their labels to the graph. */
static int feed(gdl_runner_t *r, const int64_t *rows, int64_t n)
{
    const gdl_dataset_t *d = r->d;
    gdl_nn_t *g = r->m->g;
    for (int i = 0; i < r->m->config->n_inputs; i++)
        if (gdl_feed_batch(&r->feeds[i], g, d, rows, n, r->views) != 0) return -1;
    for (int64_t b = 0; b < n; b++)
        for (int t = 0; t < r->n_lab; t++) {
            int k = r->target_index[t];
            r->labels[b * r->n_lab + t] = k < 0 ? NAN : d->labels[rows[b] * d->n_targets + k];
        }
    return 0;
}

int gdl_runner_forward(gdl_runner_t *r, const int64_t *rows, int64_t n, int train)
{
    return feed(r, rows, n) != 0 ? -1 : gdl_nn_forward(r->m->g, n, train);
}

/* Eval mode with no backward to follow: gdl_nn_infer, the output layer kept. */
static int infer(gdl_runner_t *r, const int64_t *rows, int64_t n)
{
    return feed(r, rows, n) != 0 ? -1 : gdl_nn_infer(r->m->g, n, r->m->config->output_layer);
}

double gdl_runner_loss(gdl_runner_t *r, int64_t n, float grad_scale)
{
    gdl_model_t *m = r->m;
    float *out = gdl_nn_output(m->g, m->config->output_layer);
    float *dout = grad_scale != 0 ? gdl_nn_grad(m->g, m->config->output_layer) : NULL;
    double loss = gdl_loss_compute(&m->loss, out, r->labels, n, m->n_out, dout);
    if (dout && grad_scale != 1)
        for (int64_t i = 0; i < n * m->n_out; i++) dout[i] *= grad_scale;
    return isfinite(loss) ? loss : NAN;
}

/* The output layer's values of a batch of nb as scores (n_out each). */
static void output_scores(const gdl_model_t *m, int64_t nb, float *s)
{
    int K = m->n_out;
    const float *out = gdl_nn_output(m->g, m->config->output_layer);
    for (int64_t b = 0; b < nb; b++) {
        const float *x = out + b * K;
        float *y = s + b * K;
        if (m->loss.kind == GDL_LOSS_BCE) {
            for (int k = 0; k < K; k++) y[k] = x[k] >= 0 ? 1 / (1 + expf(-x[k])) : expf(x[k]) / (1 + expf(x[k]));
        } else if (m->loss.kind == GDL_LOSS_SOFTMAX_CE) {
            float mx = x[0], sum = 0;
            for (int k = 1; k < K; k++) mx = x[k] > mx ? x[k] : mx;
            for (int k = 0; k < K; k++) sum += (y[k] = expf(x[k] - mx));
            for (int k = 0; k < K; k++) y[k] /= sum;
        } else {
            memcpy(y, x, K * sizeof *y);
        }
    }
}

int gdl_runner_scores(gdl_runner_t *r, const int64_t *rows, int64_t n, float *scores)
{
    for (int64_t b0 = 0; b0 < n; b0 += r->batch) {
        int64_t nb = n - b0 < r->batch ? n - b0 : r->batch;
        if (infer(r, rows + b0, nb) != 0) return -1;
        output_scores(r->m, nb, scores + b0 * r->m->n_out);
    }
    return 0;
}

double gdl_runner_mean_loss(gdl_runner_t *r, const int64_t *rows, int64_t n, float *scores)
{
    double sum = 0;
    int64_t count = 0;
    for (int64_t b0 = 0; b0 < n; b0 += r->batch) {
        int64_t nb = n - b0 < r->batch ? n - b0 : r->batch;
        if (infer(r, rows + b0, nb) != 0) return NAN;
        if (scores) output_scores(r->m, nb, scores + b0 * r->m->n_out);
        int64_t labelled = 0;
        for (int64_t i = 0; i < nb * r->n_lab; i++) labelled += !isnan(r->labels[i]);
        if (!labelled) continue;
        double l = gdl_runner_loss(r, nb, 0);
        if (isnan(l)) return NAN;
        sum += l * (double)labelled; // the loss is a mean over labelled values: weight it back
        count += labelled;
    }
    return count ? sum / (double)count : NAN;
}

int gdl_runner_strand_scores(gdl_runner_t *r, const int64_t *rows, int64_t n, int rc, const char *model_path,
                         float *scores, float *rc_scores)
{
    if (gdl_runner_scores(r, rows, n, scores) != 0) return -1;
    if (!rc) return 0;
    if (!gdl_runner_has_sequence(r)) {
        gdl_log_error("%s: --rc: the model reads no DNA sequence input", model_path);
        return -1;
    }
    gdl_input_view_t *views = calloc((size_t)r->batch, sizeof *views);
    if (!views) {
        gdl_log_error("out of memory");
        return -1;
    }
    for (int64_t b = 0; b < r->batch; b++) views[b].rc = 1;
    r->views = views;
    int ret = gdl_runner_scores(r, rows, n, rc_scores);
    r->views = NULL;
    free(views);
    if (ret != 0) return -1;
    for (int64_t i = 0; i < n * r->m->n_out; i++) scores[i] = 0.5f * (scores[i] + rc_scores[i]);
    return 0;
}
