/* The elastic-net penalty on a genotype model's first weights (training.l1, l2, l1_path): which
 * parameters it covers (the dense, sparse_dense and gene_dense layers that read a genotype
 * input), each variant's weight, and the lasso penalty of each epoch.
 *
 * A variant's row is weighted by the SD of its values, so the penalty falls on standardised
 * effects as a lasso on standardised dosages does (rare and common variants alike). The path
 * (l1_path = P epochs) starts from lambda_max, the largest |gradient| / SD over the covered
 * weights at initialisation on the training rows: at or above it no weight leaves zero (the
 * lasso's KKT condition). Epoch e then trains at lambda_max r^(min(e + 1, P) / P), r the
 * l1_min_ratio; early stopping on the validation split picks the epoch and with it the penalty,
 * glmnet's path with warm starts, one epoch a step. With training.linear_by_cd the path is coordinate
 * descent's (cd_train.c) and the other layers train at the penalty it chose. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gdl/core.h"
#include "model_internal.h"

/* The full training gradient at the current parameters, summed over batches (dropout as in
 * training, from the graph's first stream). */
static int training_gradient(gdl_runner_t *r, const int64_t *rows, int64_t n)
{
    gdl_nn_t *g = r->m->g;
    int64_t B = r->m->config->train.batch, step = g->step;
    gdl_nn_zero_grad(g);
    g->step = 0;
    for (int64_t b = 0; b < n; b += B) {
        int64_t nb = n - b < B ? n - b : B;
        if (gdl_runner_forward(r, rows + b, nb, 1) != 0 || isnan(gdl_runner_loss(r, nb, (float)nb / (float)n)) ||
            gdl_nn_backward(g) != 0) {
            g->step = step;
            return -1;
        }
    }
    g->step = step;
    return 0;
}

/* Whether layer l reads a genotype input of the config directly. */
static int reads_genotypes(const gdl_config_t *c, const gdl_config_layer_t *l)
{
    for (int k = 0; k < c->n_inputs; k++)
        if (!strcmp(c->inputs[k].from, "genotypes") && !strcmp(c->inputs[k].name, l->inputs)) return 1;
    return 0;
}

int gdl_penalty_init(penalty_t *pen, gdl_optim_t *o, gdl_runner_t *r, const int64_t *rows, int64_t n)
{
    gdl_model_t *m = r->m;
    const gdl_config_t *c = m->config;
    const gdl_dataset_t *d = r->d;
    memset(pen, 0, sizeof *pen);
    o->n_prox = 0;
    o->l1 = (float)c->train.l1, o->l2 = (float)c->train.l2;
    if (c->train.l1 <= 0 && c->train.l2 <= 0 && !c->train.l1_path) return 0;
    for (int i = 0; i < c->n_layers; i++) {
        const gdl_config_layer_t *l = &c->layers[i];
        int sparse = !strcmp(l->type, "sparse_dense"), gene = !strcmp(l->type, "gene_dense");
        if ((!sparse && !gene && strcmp(l->type, "dense")) || !reads_genotypes(c, l)) continue;
        if (c->train.linear_by_cd && !strcmp(l->name, c->train.linear_by_cd)) continue; // fitted, then frozen
        char name[160];
        snprintf(name, sizeof name, "%s.weight", l->name);
        const gdl_nn_param_t *p = gdl_nn_find_param(m->g, name);
        // sparse_dense: W (V, U); dense: W (U, V); gene_dense: W (links, U), link_variant (links)
        int64_t V = d->geno ? d->geno->n_variants : -1, R = p ? p->shape[0] : 0;
        const float *link_variant = NULL;
        if (gene) {
            snprintf(name, sizeof name, "%s.link_variant", l->name);
            const gdl_nn_param_t *lv = gdl_nn_find_param(m->g, name);
            if (!lv || !p || lv->numel != R) continue;
            link_variant = gdl_nn_param_data(m->g, lv);
        } else if (!p || p->ndim != 2 || p->shape[sparse ? 0 : 1] != V) {
            continue;
        }
        int k = o->n_prox;
        if (k == GDL_OPTIM_MAX_PROX) {
            gdl_log_error("%s: training.l1: at most %d layers on the genotypes", c->path, GDL_OPTIM_MAX_PROX);
            return -1;
        }
        int64_t S = gene ? R : V; // one weight per variant, or per link of a gene layer
        if (!(pen->scale[k] = malloc((S ? S : 1) * sizeof(float)))) {
            gdl_log_error("out of memory");
            return -1;
        }
        for (int64_t j = 0; j < S; j++)
            pen->scale[k][j] = gdl_genotypes_call_sd(d->geno, gene ? (int64_t)link_variant[j] : j);
        o->prox[k].offset = p->offset, o->prox[k].rows = p->shape[0], o->prox[k].width = p->shape[1];
        o->prox[k].scale = pen->scale[k], o->prox[k].by_column = !sparse;
        o->n_prox++;
    }
    if (c->train.linear_by_cd) return 0; // its penalty chosen by cd; the deep part may have no such layer
    if (!o->n_prox) {
        gdl_log_error("%s: training.l1/l2 penalise the dense, sparse_dense or gene_dense layers that read"
                      " the genotypes; the config has none", c->path);
        return -1;
    }
    if (!c->train.l1_path) return 0;
    if (training_gradient(r, rows, n) != 0) return -1;
    double top = 0;
    for (int k = 0; k < o->n_prox; k++) {
        const float *grad = m->g->grad + o->prox[k].offset;
        int64_t W = o->prox[k].width;
        for (int64_t j = 0; j < o->prox[k].rows; j++)
            for (int64_t u = 0; u < W; u++) {
                float sd = pen->scale[k][o->prox[k].by_column ? u : j];
                double v = sd > 0 ? fabs(grad[j * W + u]) / sd : 0;
                if (v > top) top = v;
            }
    }
    gdl_nn_zero_grad(m->g);
    pen->lambda_max = top;
    gdl_log_debug("l1 path: lambda_max %.6g", top);
    return 0;
}

float gdl_penalty_l1(const penalty_t *pen, const gdl_train_config_t *t, int epoch)
{
    if (!t->l1_path) return (float)t->l1;
    int e = epoch + 1 < t->l1_path ? epoch + 1 : t->l1_path;
    return (float)(pen->lambda_max / t->l1_ratio * pow(t->l1_min_ratio, (double)e / t->l1_path));
}

void gdl_penalty_apply(const gdl_train_config_t *t, float lambda, gdl_optim_t *o)
{
    if (!t->l1_path) {
        o->l1 = lambda;
        return;
    }
    o->l1 = (float)(t->l1_ratio * lambda);
    o->l2 = (float)(t->l2 + (1 - t->l1_ratio) * lambda);
}

void gdl_penalty_free(penalty_t *pen)
{
    for (int k = 0; k < GDL_OPTIM_MAX_PROX; k++) free(pen->scale[k]);
    memset(pen, 0, sizeof *pen);
}
