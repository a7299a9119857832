/* trace: seed 000's weight tracing as layer-wise relevance propagation (LRP-epsilon).
 * The output's logit is the relevance at the top; each linear layer z_u = sum_k x_k w_uk + b_u
 * hands relevance R_u back in proportion to each input's share of z_u,
 *     R_k = sum_u x_k w_uk R_u / (z_u + eps sign(z_u)),
 * so an input behind weights near zero receives nothing (the paths seed 000 cuts off), and
 * element-wise layers (activations, dropout at inference, reshapes) pass relevance through.
 * Linear layers without explicit weights here (conv1d, average pooling, batch norm in eval mode)
 * use the same rule through the engine's backward: R_in = x * backward(R / (z + eps sign z));
 * max pooling hands each window's relevance to its winner (R_in = backward(R)). Recurrent and
 * attention layers have no rule here: they are an error naming the layer. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "attr_internal.h"

typedef struct {
    gdl_attr_t *a;
    int n_layers, n_nodes;   // layers, then graph inputs
    float **R;               // (n_nodes) relevance (n, size) or NULL
    int64_t *size;           // (n_nodes) per-example size
} trace_t;

static int node_of(const trace_t *t, const char *name)
{
    const gdl_config_t *c = t->a->m->config;
    for (int i = 0; i < c->n_layers; i++)
        if (!strcmp(c->layers[i].name, name)) return i;
    for (int i = 0; i < c->n_inputs; i++)
        if (!strcmp(c->inputs[i].name, name)) return t->n_layers + i;
    return -1;
}

static float *rel(trace_t *t, int k, int64_t n)
{
    if (!t->R[k] && !(t->R[k] = calloc((size_t)(n * t->size[k]), sizeof(float)))) gdl_log_error("out of memory");
    return t->R[k];
}

static float stab(float z, double eps) { return z + (float)(z >= 0 ? eps : -eps); }

int attr_trace(gdl_attr_t *a, const int64_t *rows, int64_t n, const float *x, float *out)
{
    gdl_nn_t *g = a->m->g;
    const gdl_config_t *c = a->m->config;
    double eps = a->spec.epsilon;
    trace_t t = {a, c->n_layers, c->n_layers + c->n_inputs, NULL, NULL};
    int rc = -1;
    if (!(t.R = calloc((size_t)t.n_nodes, sizeof *t.R)) || !(t.size = calloc((size_t)t.n_nodes, sizeof *t.size))) {
        gdl_log_error("out of memory");
        goto out;
    }
    for (int i = 0; i < c->n_layers; i++) t.size[i] = gdl_nn_size(g, c->layers[i].name);
    for (int i = 0; i < c->n_inputs; i++) t.size[c->n_layers + i] = a->in[i].width;
    if (gdl_attr_score(a, rows, n, x, a->f) != 0) goto out;
    int top = node_of(&t, c->output_layer);
    float *Rt = rel(&t, top, n);
    if (!Rt) goto out;
    for (int64_t b = 0; b < n; b++) Rt[b * t.size[top] + a->out_col] = a->f[b];
    for (int i = c->n_layers - 1; i >= 0; i--) {
        const gdl_config_layer_t *l = &c->layers[i];
        float *R = t.R[i];
        if (!R) continue;
        char names[512];
        snprintf(names, sizeof names, "%s", l->inputs);
        int in[GDL_NN_MAX_INPUTS], n_in = 0;
        for (char *s = strtok(names, ","); s && n_in < GDL_NN_MAX_INPUTS; s = strtok(NULL, ","))
            if ((in[n_in] = node_of(&t, s)) >= 0) n_in++;
        if (n_in < 1) continue;
        int k0 = in[0];
        int64_t U = t.size[i], K = t.size[k0];
        // the input's activations: the attributed input from x, others from the graph
        const float *xin = k0 >= t.n_layers && k0 - t.n_layers == a->ai ? x
                           : gdl_nn_output(g, k0 < t.n_layers ? c->layers[k0].name : c->inputs[k0 - t.n_layers].name);
        const float *z = gdl_nn_output(g, l->name);
        const char *type = l->type;
        if (!strcmp(type, "dense") || !strcmp(type, "sparse_dense")) {
            char pname[160];
            snprintf(pname, sizeof pname, "%s.weight", l->name);
            const gdl_nn_param_t *p = gdl_nn_find_param(g, pname);
            float *Rin = rel(&t, k0, n);
            if (!p || !xin || !Rin) {
                if (Rin) gdl_log_error("trace: layer '%s' has no weights or input values", l->name);
                goto out;
            }
            const float *Wt = gdl_nn_param_data(g, p);
            int sparse = !strcmp(type, "sparse_dense"); // W (K, U) for sparse, (U, K) for dense
            for (int64_t b = 0; b < n; b++) {
                const float *xb = xin + b * K, *zb = z + b * U, *Rb = R + b * U;
                float *Ri = Rin + b * K;
                for (int64_t u = 0; u < U; u++) {
                    float s = Rb[u] / stab(zb[u], eps);
                    if (s == 0) continue;
                    for (int64_t k = 0; k < K; k++) {
                        if (xb[k] == 0) continue;
                        float w = sparse ? Wt[k * U + u] : Wt[u * K + k];
                        Ri[k] += xb[k] * w * s;
                    }
                }
            }
        } else if (!strcmp(type, "relu") || !strcmp(type, "leaky_relu") || !strcmp(type, "sigmoid") ||
                   !strcmp(type, "tanh") || !strcmp(type, "gelu") || !strcmp(type, "dropout") ||
                   !strcmp(type, "flatten") || !strcmp(type, "reshape")) {
            float *Rin = rel(&t, k0, n);
            if (!Rin) goto out;
            for (int64_t j = 0; j < n * U; j++) Rin[j] += R[j];
        } else if (!strcmp(type, "conv1d") || !strcmp(type, "avgpool1d") || !strcmp(type, "global_avgpool") ||
                   !strcmp(type, "batchnorm") || !strcmp(type, "maxpool1d") || !strcmp(type, "global_maxpool")) {
            int route = strstr(type, "maxpool") != NULL; // winner takes the window's relevance
            float *dz = gdl_nn_grad(g, l->name), *Rin = rel(&t, k0, n);
            if (!dz || !Rin || !xin) goto out;
            for (int64_t j = 0; j < n * U; j++) dz[j] = route ? R[j] : R[j] / stab(z[j], eps);
            const float *dx = gdl_nn_backward_node(g, l->name);
            if (!dx) goto out;
            for (int64_t j = 0; j < n * K; j++) Rin[j] += route ? dx[j] : xin[j] * dx[j];
        } else if (!strcmp(type, "add")) { // shares of the sum
            for (int q = 0; q < n_in; q++) {
                int k = in[q];
                const float *xq = k >= t.n_layers && k - t.n_layers == a->ai ? x
                                  : gdl_nn_output(g, k < t.n_layers ? c->layers[k].name : c->inputs[k - t.n_layers].name);
                float *Rin = rel(&t, k, n);
                if (!Rin || !xq) goto out;
                for (int64_t j = 0; j < n * U; j++) Rin[j] += xq[j] * R[j] / stab(z[j], eps);
            }
        } else {
            gdl_log_error("--method trace: no relevance rule for layer '%s' (%s); use gradxinput or ig",
                          l->name, type);
            goto out;
        }
    }
    const float *Rx = t.R[t.n_layers + a->ai];
    for (int64_t j = 0; j < n * a->W; j++) out[j] = Rx ? Rx[j] : 0;
    rc = 0;
out:
    if (t.R)
        for (int k = 0; k < t.n_nodes; k++) free(t.R[k]);
    free(t.R), free(t.size);
    return rc;
}
