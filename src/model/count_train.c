/* training.solver "count": the k-mer model of the centre-base study ("simply count"), its kmer
 * layer's table filled in closed form from counts on the training rows, alpha the pseudocount:
 * - the prior of class c (each binary target's classes 0 and 1 apart): (N_c + alpha) / (N + K alpha);
 * - context=centre: P(c | word w) = (n_wc + alpha prior_c) / (n_w + alpha), so a word never seen
 *   predicts the prior; the outputs are the log probabilities (a softmax's logits) or, for a
 *   binary target, the log odds;
 * - context=window: multinomial naive Bayes over the sequence's k-mers, theta_cw = (n_cw + alpha)
 *   / (n_c + alpha 4^k) with n_cw the count of word w in the class's sequences; the outputs are
 *   log prior_c + sum over the sequence's words of log theta_cw (for a binary target, class 1's
 *   less class 0's).
 * Counts are exact (doubles) and summed in row order: the same table on any thread count. */
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "gdl/core.h"
#include "model_internal.h"

/* Counts by table row and class (classes C: the softmax's K, or 2 per binary target). */
typedef struct {
    int64_t R;
    int C;
    double *word;   // (R, C) examples (centre) or k-mer occurrences (window) of class c with word
    double *rows;   // (C) labelled examples of class c
    double *words;  // (C) k-mer occurrences in class c's examples
} counts_t;

static int count_rows(gdl_runner_t *r, int node, int64_t room, const int64_t *rows, int64_t n, counts_t *k)
{
    const gdl_model_t *m = r->m;
    int softmax = m->loss.kind == GDL_LOSS_SOFTMAX_CE, T = softmax ? 1 : m->n_out;
    int64_t *words = malloc((size_t)room * sizeof *words);
    if (!words) {
        gdl_log_error("out of memory");
        return -1;
    }
    for (int64_t b0 = 0; b0 < n; b0 += r->batch) {
        int64_t nb = n - b0 < r->batch ? n - b0 : r->batch;
        if (gdl_runner_forward(r, rows + b0, nb, 0) != 0) {
            free(words);
            return -1;
        }
        for (int64_t i = 0; i < nb; i++) {
            int64_t w = gdl_nn_kmer_rows(m->g, node, i, words);
            for (int t = 0; t < T; t++) {
                float v = r->labels[i * r->n_lab + t];
                if (isnan(v) || (softmax && !(v >= 0 && v < m->n_out))) continue;
                int c = softmax ? (int)v : 2 * t + (v > 0.5f);
                k->rows[c] += 1, k->words[c] += (double)w;
                for (int64_t j = 0; j < w; j++) k->word[words[j] * k->C + c] += 1;
            }
        }
    }
    free(words);
    return 0;
}

/* The table from the counts: a group is the softmax's classes, or one binary target's two. */
static int fill_table(const counts_t *k, int softmax, int centre, double alpha, float *W, float *b, int U,
                      const char *layer)
{
    int G = softmax ? 1 : U, K = softmax ? U : 2;
    double *logp = malloc((size_t)K * sizeof *logp), *prior = malloc((size_t)K * sizeof *prior);
    if (!logp || !prior) {
        free(logp), free(prior);
        gdl_log_error("out of memory");
        return -1;
    }
    for (int g = 0; g < G; g++) {
        int c0 = softmax ? 0 : 2 * g;
        double N = 0;
        for (int c = 0; c < K; c++) N += k->rows[c0 + c];
        if (N == 0) {
            free(logp), free(prior);
            gdl_log_error("training.solver count: no labelled training row for output %d of layer '%s'", g, layer);
            return -1;
        }
        for (int c = 0; c < K; c++) prior[c] = (k->rows[c0 + c] + alpha) / (N + K * alpha);
        if (softmax)
            for (int c = 0; c < K; c++) b[c] = (float)log(prior[c]);
        else
            b[g] = (float)(log(prior[1]) - log(prior[0]));
        for (int64_t w = 0; w < k->R; w++) {
            const double *n_wc = k->word + w * k->C + c0;
            double n_w = 0;
            for (int c = 0; c < K; c++) n_w += n_wc[c];
            for (int c = 0; c < K; c++)
                logp[c] = centre ? log((n_wc[c] + alpha * prior[c]) / (n_w + alpha)) - log(prior[c])
                                 : log((n_wc[c] + alpha) / (k->words[c0 + c] + alpha * (double)k->R));
            if (softmax)
                for (int c = 0; c < K; c++) W[w * U + c] = (float)logp[c];
            else
                W[w * U + g] = (float)(logp[1] - logp[0]);
        }
    }
    free(logp), free(prior);
    return 0;
}

int gdl_count_train_model(gdl_runner_t *r, const int64_t *rows, int64_t n)
{
    gdl_model_t *m = r->m;
    const gdl_config_layer_t *l = &m->config->layers[0];
    double alpha = m->config->train.pseudocount;
    char name[160];
    if (m->loss.kind != GDL_LOSS_SOFTMAX_CE && m->loss.kind != GDL_LOSS_BCE) {
        gdl_log_error("%s: training.solver count fits classes (binary or categorical targets); the loss is %s",
                      m->config->path, gdl_loss_name(m->loss.kind));
        return -1;
    }
    int node = gdl_nn_find(m->g, l->name);
    snprintf(name, sizeof name, "%s.weight", l->name);
    const gdl_nn_param_t *pw = gdl_nn_find_param(m->g, name);
    snprintf(name, sizeof name, "%s.bias", l->name);
    const gdl_nn_param_t *pb = gdl_nn_find_param(m->g, name);
    gdl_nn_kmer_info_t info;
    if (node < 0 || !pw || !pb || gdl_nn_kmer_info(m->g, node, &info) != 0) {
        gdl_log_error("%s: training.solver count: layer '%s' is no kmer layer", m->config->path, l->name);
        return -1;
    }
    int softmax = m->loss.kind == GDL_LOSS_SOFTMAX_CE, U = m->n_out;
    counts_t k = {pw->numel / U, softmax ? U : 2 * U, NULL, NULL, NULL};
    k.word = calloc((size_t)(k.R * k.C), sizeof *k.word);
    k.rows = calloc((size_t)k.C, sizeof *k.rows), k.words = calloc((size_t)k.C, sizeof *k.words);
    int rc = -1;
    if (!k.word || !k.rows || !k.words) gdl_log_error("out of memory: a count table of %" PRId64 " x %d", k.R, k.C);
    else if (count_rows(r, node, info.room, rows, n, &k) == 0)
        rc = fill_table(&k, softmax, info.centre, alpha,
                        gdl_nn_param_data(m->g, pw), gdl_nn_param_data(m->g, pb), U, l->name);
    if (rc == 0)
        gdl_log_info("training.solver count: layer '%s' filled from %" PRId64 " rows (pseudocount %g)", l->name, n,
                     alpha);
    free(k.word), free(k.rows), free(k.words);
    return rc;
}
