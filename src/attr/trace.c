/* trace: the weight tracing of the adenocarcinoma study's final model as layer-wise relevance
 * propagation (LRP-epsilon). The output's logit is the relevance at the top; each linear layer
 * z_u = sum_k x_k w_uk + b_u hands relevance R_u back in proportion to each input's share of z_u,
 *     R_k = sum_u x_k w_uk R_u / (z_u + eps sign(z_u)),
 * so an input behind weights near zero receives nothing (the paths the study's tracing cuts
 * off); a gene layer's (gene_dense) unit sums over its gene's variants only, and a centred
 * layer's -W mu is part of its bias. Element-wise layers (activations, dropout at inference,
 * reshapes) pass relevance through. The share of the bias and of the stabiliser is absorbed: it
 * reaches no input.
 * Linear layers without explicit weights here (conv1d, average pooling, batch norm in eval mode)
 * use the same rule through the engine's backward: R_in = x * backward(R / (z + eps sign z));
 * max pooling hands each window's relevance to its winner (R_in = backward(R)); add and posenc
 * split by each term's share (posenc's encoding absorbs its share, as a bias); concat hands each
 * input the relevance of its own positions.
 *
 * Recurrent layers (rnn, lstm, gru; one or two directions; the sequence or the last state)
 * follow the rules for gated cells of Arras et al. 2017 ("Explaining recurrent neural network
 * predictions in sentiment analysis") and 2019 ("Evaluating recurrent neural network
 * explanations"): in a product of a gate and a signal the signal takes all the relevance and
 * the gate none, and sums are split by the epsilon rule, step by step backwards in time:
 *   rnn   h_t = tanh(a), a = W x_t + U h_{t-1} + b: a gets R(h_t), split over x_t, h_{t-1}, b;
 *   lstm  h_t = o tanh(c_t): c_t gets all of R(h_t) (plus what c_{t+1} passes back);
 *         c_t = f c_{t-1} + i g splits between c_{t-1} and g by shares; g = tanh(a_g) and a_g
 *         splits as for rnn; the gates i, f, o get nothing;
 *   gru   h_t = (1 - z) n + z h_{t-1}: the two terms take R(h_t) by their shares (z a gate);
 *         n = tanh(a_n), a_n = W_n x_t + b_in + r (U_n h_{t-1} + b_hn) with the reset gate r
 *         a constant factor, split over x_t, h_{t-1} (weights r U_n) and the biases.
 * The two directions' relevance adds up at the input. The gate values and states are the ones
 * the forward pass kept (gdl_nn_recurrent_values); sums and shares are in double.
 * Attention treats its attention weights as constants (gates again, after Ali et al. 2022,
 * "XAI for Transformers: better explanations through conservative propagation"): the layer is
 * then linear in its value projection, and the epsilon rule runs through the output projection,
 * the weighted sums over positions and the value projection; queries and keys get nothing.
 * Layer norm treats its 1 / sigma as a constant too (the same paper's rule), which leaves a linear
 * map (centring and scaling) for the epsilon rule; transpose moves relevance with its values.
 * Layers with no rule (softmax, embedding) are an error naming the layer. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "attr_internal.h"

typedef struct {
    gdl_attr_t *a;
    int n_layers, n_nodes;   // layers, then graph inputs
    const float *x;          // (n, W) the attributed input's values
    float **R;               // (n_nodes) relevance (n, size) or NULL
    int64_t *size;           // (n_nodes) per-example size
    int64_t n;
    double eps;
    double *absorbed;        // (n) relevance kept by biases and the stabiliser, or NULL
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

static const char *node_name(const trace_t *t, int k)
{
    const gdl_config_t *c = t->a->m->config;
    return k < t->n_layers ? c->layers[k].name : c->inputs[k - t->n_layers].name;
}

/* node k's values: the attributed input from x, others from the graph */
static const float *values(const trace_t *t, int k)
{
    if (k >= t->n_layers && k - t->n_layers == t->a->ai) return t->x;
    return gdl_nn_output(t->a->m->g, node_name(t, k));
}

static float *rel(trace_t *t, int k)
{
    if (!t->R[k] && !(t->R[k] = calloc((size_t)(t->n * t->size[k]), sizeof(float)))) gdl_log_error("out of memory");
    return t->R[k];
}

static double stab(double z, double eps) { return z + (z >= 0 ? eps : -eps); }

/* The data of parameter NODE.NAME, or NULL (with an error when required). */
static const float *param(const trace_t *t, const char *node, const char *name, int required)
{
    char pname[160];
    snprintf(pname, sizeof pname, "%s.%s", node, name);
    const gdl_nn_param_t *p = gdl_nn_find_param(t->a->m->g, pname);
    if (!p && required) gdl_log_error("trace: layer '%s' has no parameter '%s'", node, name);
    return p ? gdl_nn_param_data(t->a->m->g, p) : NULL;
}

/* absorbed[b] += sum of the layer's output relevance minus what its inputs got, for the rules
 * that leave the split to the engine's backward (rout (n, U), rin (n, K) the layer's share) */
static void absorb_rest(trace_t *t, const float *rout, int64_t U, const double *rin_sum)
{
    if (!t->absorbed) return;
    for (int64_t b = 0; b < t->n; b++) {
        double s = 0;
        for (int64_t u = 0; u < U; u++) s += rout[b * U + u];
        t->absorbed[b] += s - rin_sum[b];
    }
}

/* One unit's scale s = R / (z + eps sign z) for its inputs' shares x_k w_k s; what the bias
 * (with a centred layer's -W mu, a bias too) and the stabiliser take, (bias + den - z) s, is
 * absorbed for example b. */
static double unit_scale(trace_t *t, int64_t b, double z, double bias, double R)
{
    double den = stab(z, t->eps), s = R / den;
    if (t->absorbed && s != 0) t->absorbed[b] += (bias + den - z) * s;
    return s;
}

/* dense and sparse_dense: the epsilon rule over the weights. A centred layer ("center": 1)
 * computes W (x - mu) + b: the inputs keep their shares x_k w_uk, and -W mu joins the bias. */
static int rule_dense(trace_t *t, const gdl_config_layer_t *l, int k0, const float *R)
{
    int64_t U = t->size[node_of(t, l->name)], K = t->size[k0];
    const float *xin = values(t, k0), *z = gdl_nn_output(t->a->m->g, l->name);
    const float *Wt = param(t, l->name, "weight", 1), *bias = param(t, l->name, "bias", 0);
    const float *mu = param(t, l->name, "center", 0);
    float *Rin = rel(t, k0);
    double *shift = calloc((size_t)U, sizeof *shift); // (U) b - W mu
    if (!xin || !z || !Wt || !Rin || !shift) {
        if (!shift) gdl_log_error("out of memory");
        free(shift);
        return -1;
    }
    int sparse = !strcmp(l->type, "sparse_dense"); // W (K, U) for sparse, (U, K) for dense
    for (int64_t u = 0; u < U; u++) {
        shift[u] = bias ? bias[u] : 0;
        for (int64_t k = 0; mu && k < K; k++) shift[u] -= (double)(sparse ? Wt[k * U + u] : Wt[u * K + k]) * mu[k];
    }
    for (int64_t b = 0; b < t->n; b++) {
        const float *xb = xin + b * K, *zb = z + b * U, *Rb = R + b * U;
        float *Ri = Rin + b * K;
        for (int64_t u = 0; u < U; u++) {
            double s = unit_scale(t, b, zb[u], shift[u], Rb[u]);
            if (s == 0) continue;
            for (int64_t k = 0; k < K; k++) {
                if (xb[k] == 0) continue;
                float w = sparse ? Wt[k * U + u] : Wt[u * K + k];
                Ri[k] += (float)(xb[k] * w * s);
            }
        }
    }
    free(shift);
    return 0;
}

/* gene_dense: the dense rule with each unit's inputs its gene's links. Unit u of group g,
 * z = b[g, u] + sum_{e in g} x[variant[e]] W[e, u], hands link e's share x W[e, u] s to the
 * variant it reads; a variant in several genes gets a share through each. */
static int rule_gene_dense(trace_t *t, const gdl_config_layer_t *l, int k0, const float *R)
{
    int64_t G, E, K = t->size[k0], GU = t->size[node_of(t, l->name)];
    if (gdl_nn_gene_map_get(t->a->m->g, l->name, &G, &E, NULL) != 0) return -1;
    int64_t U = GU / G;
    const float *xin = values(t, k0), *z = gdl_nn_output(t->a->m->g, l->name);
    const float *W = param(t, l->name, "weight", 1), *bias = param(t, l->name, "bias", 0); // (E, U), (G, U)
    const float *start = param(t, l->name, "group_start", 1), *var = param(t, l->name, "link_variant", 1);
    float *Rin = rel(t, k0);
    if (!xin || !z || !W || !start || !var || !Rin) return -1;
    // the forward pass has checked the map: integers, in range, ascending within a group
    for (int64_t b = 0; b < t->n; b++) {
        const float *xb = xin + b * K, *zb = z + b * GU, *Rb = R + b * GU;
        float *Ri = Rin + b * K;
        for (int64_t q = 0; q < GU; q++) {
            double s = unit_scale(t, b, zb[q], bias ? bias[q] : 0, Rb[q]);
            if (s == 0) continue;
            int64_t u = q % U, gr = q / U;
            for (int64_t e = (int64_t)start[gr]; e < (int64_t)start[gr + 1]; e++) {
                int64_t k = (int64_t)var[e];
                if (xb[k] != 0) Ri[k] += (float)(xb[k] * W[e * U + u] * s);
            }
        }
    }
    return 0;
}

/* ---- recurrent layers ---------------------------------------------------------------------
 * C input channels, L positions, H units, G gates, D directions; x (C, L) per example. */

typedef struct {
    trace_t *t;
    gdl_nn_recurrent_values_t v;
    int cell;                       // 'r', 'l', 'g'
    const float *Wih[2], *Whh[2], *bih[2], *bhh[2];
    const float *x, *R;             // (n, C, L); (n, D H, L) or (n, D H)
    float *Rin;                     // (n, C, L)
    int failed;
} rec_t;

/* Relevance a of one pre-activation row q at time t (x_t, h_prev scaled by hs) split over x_t
 * into rx (C), over h_prev into rh (H), the rest absorbed; bias the row's bias. */
static double split_preact(const rec_t *r, int d, int64_t q, const float *xt, int64_t xstride,
                           const float *hprev, double hs, double bias, double a, double *rx, double *rh)
{
    int64_t C = r->v.C, H = r->v.H;
    const float *wx = r->Wih[d] + q * C, *wh = r->Whh[d] + q * H;
    double z = bias;
    for (int64_t c = 0; c < C; c++) z += (double)wx[c] * xt[c * xstride];
    for (int64_t k = 0; hprev && k < H; k++) z += hs * wh[k] * hprev[k];
    double den = stab(z, r->t->eps), s = a / den;
    if (s == 0) return 0;
    for (int64_t c = 0; c < C; c++) rx[c * r->v.L] += (double)wx[c] * xt[c * xstride] * s;
    for (int64_t k = 0; hprev && k < H; k++) rh[k] += hs * wh[k] * hprev[k] * s;
    return (bias + den - z) * s;
}

/* examples [begin, end): each direction backwards in time */
static void rec_examples(void *ctx, int64_t begin, int64_t end, int chunk)
{
    (void)chunk;
    rec_t *r = ctx;
    const gdl_nn_recurrent_values_t *v = &r->v;
    int64_t N = v->N, C = v->C, L = v->L, H = v->H, GH = v->G * H, DH = v->D * H;
    double *rx = malloc(sizeof *rx * (size_t)(C * L)), *rh = malloc(sizeof *rh * (size_t)H);
    double *rn = malloc(sizeof *rn * (size_t)H), *rc = malloc(sizeof *rc * (size_t)H);
    if (!rx || !rh || !rn || !rc) {
        r->failed = 1;
        goto out;
    }
    for (int64_t b = begin; b < end; b++) {
        const float *xb = r->x + b * C * L, *Rb = r->R + b * DH * (v->seq ? L : 1);
        double absorbed = 0;
        memset(rx, 0, sizeof *rx * (size_t)(C * L));
        for (int d = 0; d < v->D; d++) {
            memset(rh, 0, sizeof *rh * (size_t)H), memset(rc, 0, sizeof *rc * (size_t)H);
            for (int64_t s = L - 1; s >= 0; s--) {
                int64_t t = d ? L - 1 - s : s, tp = d ? (t + 1 < L ? t + 1 : -1) : t - 1;
                const float *ai = v->A[d] + (t * N + b) * GH;
                const float *hprev = tp >= 0 ? v->Hs[d] + (tp * N + b) * H : NULL;
                const float *cprev = tp >= 0 && v->Cs[d] ? v->Cs[d] + (tp * N + b) * H : NULL;
                memset(rn, 0, sizeof *rn * (size_t)H); // relevance reaching h_{t-1}
                for (int64_t j = 0; j < H; j++) {
                    double Rh = rh[j] + (v->seq ? Rb[(d * H + j) * L + t] : s == L - 1 ? Rb[d * H + j] : 0);
                    double a = Rh, hs = 1;
                    int64_t q = j;
                    double bias = (double)r->bih[d][j] + r->bhh[d][j];
                    if (r->cell == 'l') { // c_t = f c_{t-1} + i g: shares between c_{t-1} and g
                        double Rc = Rh + rc[j], pf = (double)ai[H + j] * (cprev ? cprev[j] : 0);
                        double pg = (double)ai[j] * ai[2 * H + j], den = stab(pf + pg, r->t->eps);
                        rc[j] = pf * Rc / den, a = pg * Rc / den;
                        absorbed += Rc * (den - pf - pg) / den;
                        q = 2 * H + j;
                        bias = (double)r->bih[d][q] + r->bhh[d][q];
                    } else if (r->cell == 'g') { // h_t = (1 - z) n + z h_{t-1}: shares
                        double z = ai[H + j], pn = (1 - z) * ai[2 * H + j], ph = z * (hprev ? hprev[j] : 0);
                        double den = stab(pn + ph, r->t->eps);
                        rn[j] += ph * Rh / den, a = pn * Rh / den;
                        absorbed += Rh * (den - pn - ph) / den;
                        q = 2 * H + j, hs = ai[j];
                        bias = r->bih[d][q] + hs * r->bhh[d][q];
                    }
                    absorbed += split_preact(r, d, q, xb + t, L, hprev, hs, bias, a, rx + t, rn);
                }
                memcpy(rh, rn, sizeof *rh * (size_t)H);
            }
        }
        float *Ri = r->Rin + b * C * L;
        for (int64_t k = 0; k < C * L; k++) Ri[k] += (float)rx[k];
        if (r->t->absorbed) r->t->absorbed[b] += absorbed;
    }
out:
    free(rx), free(rh), free(rn), free(rc);
}

static int rule_recurrent(trace_t *t, const gdl_config_layer_t *l, int k0, const float *R)
{
    rec_t r = {.t = t, .cell = l->type[0], .R = R};
    if (gdl_nn_recurrent_values(t->a->m->g, l->name, &r.v) != 0) return -1;
    for (int d = 0; d < r.v.D; d++) {
        const char *suf = d ? "_reverse" : "";
        char nm[4][32];
        snprintf(nm[0], 32, "weight_ih%s", suf), snprintf(nm[1], 32, "weight_hh%s", suf);
        snprintf(nm[2], 32, "bias_ih%s", suf), snprintf(nm[3], 32, "bias_hh%s", suf);
        if (!(r.Wih[d] = param(t, l->name, nm[0], 1)) || !(r.Whh[d] = param(t, l->name, nm[1], 1)) ||
            !(r.bih[d] = param(t, l->name, nm[2], 1)) || !(r.bhh[d] = param(t, l->name, nm[3], 1)))
            return -1;
    }
    if (!(r.x = values(t, k0)) || !(r.Rin = rel(t, k0))) return -1;
    gdl_parallel_for(t->n, rec_examples, &r);
    if (r.failed) {
        gdl_log_error("out of memory");
        return -1;
    }
    return 0;
}

/* ---- attention ----------------------------------------------------------------------------
 * E channels, L positions, h heads of d channels; x (E, L) per example. */

typedef struct {
    trace_t *t;
    int64_t E, L, h;
    const float *P, *Win, *bin, *Wo, *bo; // P (n, h, L, L)
    const float *x, *R;                   // (n, E, L)
    float *Rin;
    int failed;
} attn_t;

static void attn_examples(void *ctx, int64_t begin, int64_t end, int chunk)
{
    (void)chunk;
    attn_t *A = ctx;
    int64_t E = A->E, L = A->L, dh = E / A->h;
    double eps = A->t->eps;
    double *V = malloc(sizeof *V * (size_t)(L * E)), *O = malloc(sizeof *O * (size_t)(L * E));
    double *RO = malloc(sizeof *RO * (size_t)(L * E)), *RV = malloc(sizeof *RV * (size_t)(L * E));
    if (!V || !O || !RO || !RV) {
        A->failed = 1;
        goto out;
    }
    const float *Wv = A->Win + 2 * E * E, *bv = A->bin + 2 * E;
    for (int64_t b = begin; b < end; b++) {
        const float *xb = A->x + b * E * L, *Rb = A->R + b * E * L;
        double absorbed = 0;
        for (int64_t m = 0; m < L; m++) // V (L, E) = x^T Wv^T + bv
            for (int64_t e = 0; e < E; e++) {
                double s = bv[e];
                for (int64_t k = 0; k < E; k++) s += (double)Wv[e * E + k] * xb[k * L + m];
                V[m * E + e] = s;
            }
        for (int64_t l = 0; l < L; l++) // O (L, E): head by head, P V
            for (int64_t e = 0; e < E; e++) {
                const float *p = A->P + ((b * A->h + e / dh) * L + l) * L;
                double s = 0;
                for (int64_t m = 0; m < L; m++) s += p[m] * V[m * E + e];
                O[l * E + e] = s;
            }
        memset(RO, 0, sizeof *RO * (size_t)(L * E)), memset(RV, 0, sizeof *RV * (size_t)(L * E));
        for (int64_t l = 0; l < L; l++) // y = Wo o + bo
            for (int64_t e = 0; e < E; e++) {
                double y = A->bo[e];
                for (int64_t k = 0; k < E; k++) y += (double)A->Wo[e * E + k] * O[l * E + k];
                double den = stab(y, eps), s = Rb[e * L + l] / den;
                absorbed += (A->bo[e] + den - y) * s;
                for (int64_t k = 0; k < E; k++) RO[l * E + k] += (double)A->Wo[e * E + k] * O[l * E + k] * s;
            }
        for (int64_t l = 0; l < L; l++) // o = P v, P constant
            for (int64_t e = 0; e < E; e++) {
                const float *p = A->P + ((b * A->h + e / dh) * L + l) * L;
                double den = stab(O[l * E + e], eps), s = RO[l * E + e] / den;
                absorbed += (den - O[l * E + e]) * s;
                for (int64_t m = 0; m < L; m++) RV[m * E + e] += p[m] * V[m * E + e] * s;
            }
        float *Ri = A->Rin + b * E * L;
        for (int64_t m = 0; m < L; m++) // v = Wv x + bv
            for (int64_t e = 0; e < E; e++) {
                double den = stab(V[m * E + e], eps), s = RV[m * E + e] / den;
                absorbed += (bv[e] + den - V[m * E + e]) * s;
                for (int64_t k = 0; k < E; k++)
                    Ri[k * L + m] += (float)((double)Wv[e * E + k] * xb[k * L + m] * s);
            }
        if (A->t->absorbed) A->t->absorbed[b] += absorbed;
    }
out:
    free(V), free(O), free(RO), free(RV);
}

static int rule_attention(trace_t *t, const gdl_config_layer_t *l, int k0, const float *R)
{
    int64_t shape[GDL_NN_MAX_DIMS];
    attn_t A = {.t = t, .R = R};
    if (gdl_nn_shape(t->a->m->g, l->name, shape) != 2) return -1;
    A.E = shape[0], A.L = shape[1];
    if (!(A.P = gdl_nn_attention_weights(t->a->m->g, l->name, &A.h)) ||
        !(A.Win = param(t, l->name, "in_proj_weight", 1)) || !(A.bin = param(t, l->name, "in_proj_bias", 1)) ||
        !(A.Wo = param(t, l->name, "out_proj_weight", 1)) || !(A.bo = param(t, l->name, "out_proj_bias", 1)) ||
        !(A.x = values(t, k0)) || !(A.Rin = rel(t, k0)))
        return -1;
    gdl_parallel_for(t->n, attn_examples, &A);
    if (A.failed) {
        gdl_log_error("out of memory");
        return -1;
    }
    return 0;
}

/* concat: each input takes the relevance of its positions along the axis (the one dimension
 * where the output is longer than the first input) */
static int rule_concat(trace_t *t, const gdl_config_layer_t *l, const int *in, int n_in, const float *R)
{
    gdl_nn_t *g = t->a->m->g;
    int64_t ys[GDL_NN_MAX_DIMS], xs[GDL_NN_MAX_DIMS];
    int nd = gdl_nn_shape(g, l->name, ys), axis = 0;
    gdl_nn_shape(g, node_name(t, in[0]), xs);
    for (int d = 0; d < nd; d++)
        if (ys[d] != xs[d]) axis = d;
    int64_t outer = 1, inner = 1;
    for (int d = 0; d < axis; d++) outer *= ys[d];
    for (int d = axis + 1; d < nd; d++) inner *= ys[d];
    int64_t row = ys[axis] * inner, off = 0;
    for (int q = 0; q < n_in; q++) {
        int64_t len = t->size[in[q]] / outer;
        float *Rin = rel(t, in[q]);
        if (!Rin) return -1;
        for (int64_t i = 0; i < t->n * outer; i++)
            for (int64_t j = 0; j < len; j++) Rin[i * len + j] += R[i * row + off + j];
        off += len;
    }
    return 0;
}

/* layernorm y_c = gamma_c (x_c - mu) / sigma + beta_c over the C channels of each position, with
 * 1 / sigma a constant (Ali et al. 2022's rule): then linear in x, x_k's share of y_c is
 * gamma_c (delta_ck - 1/C) x_k / sigma, so with s_c = gamma_c R_c / (sigma (y_c + eps sign))
 * x_k gets x_k (s_k - mean_c s_c). The layer's eps comes from its attributes [1e-5]. */
static int rule_layernorm(trace_t *t, const gdl_config_layer_t *l, int k0, const float *R)
{
    int64_t shape[GDL_NN_MAX_DIMS];
    int nd = gdl_nn_shape(t->a->m->g, l->name, shape);
    int64_t C = shape[0], P = nd == 2 ? shape[1] : 1;
    const char *e = l->attrs ? strstr(l->attrs, "eps=") : NULL;
    double ln_eps = e && (e == l->attrs || e[-1] == ' ') ? atof(e + 4) : 1e-5;
    const float *x = values(t, k0), *gamma = param(t, l->name, "weight", 1), *beta = param(t, l->name, "bias", 1);
    float *Rin = rel(t, k0);
    double *sc = malloc(sizeof *sc * (size_t)C);
    if (!x || !gamma || !beta || !Rin || !sc) {
        if (!sc) gdl_log_error("out of memory");
        free(sc);
        return -1;
    }
    for (int64_t b = 0; b < t->n; b++)
        for (int64_t p = 0; p < P; p++) {
            const float *xs = x + b * C * P + p, *Rs = R + b * C * P + p;
            double mu = 0, var = 0, mean_s = 0;
            for (int64_t c = 0; c < C; c++) mu += xs[c * P];
            mu /= (double)C;
            for (int64_t c = 0; c < C; c++) var += (xs[c * P] - mu) * (xs[c * P] - mu);
            double inv = 1 / sqrt(var / (double)C + ln_eps);
            for (int64_t c = 0; c < C; c++) {
                double lin = gamma[c] * inv * (xs[c * P] - mu), den = stab(lin + beta[c], t->eps);
                sc[c] = gamma[c] * inv * Rs[c * P] / den, mean_s += sc[c] / (double)C;
                if (t->absorbed) t->absorbed[b] += Rs[c * P] * (den - lin) / den;
            }
            for (int64_t k = 0; k < C; k++) Rin[b * C * P + k * P + p] += (float)(xs[k * P] * (sc[k] - mean_s));
        }
    free(sc);
    return 0;
}

/* transpose: relevance moves with its value */
static int rule_transpose(trace_t *t, const gdl_config_layer_t *l, int k0, const float *R)
{
    int64_t shape[GDL_NN_MAX_DIMS], B, A, size = t->size[k0];
    gdl_nn_shape(t->a->m->g, l->name, shape);
    B = shape[0], A = shape[1]; // x (A, B), y (B, A)
    float *Rin = rel(t, k0);
    if (!Rin) return -1;
    for (int64_t i = 0; i < t->n; i++)
        for (int64_t a = 0; a < A; a++)
            for (int64_t b = 0; b < B; b++) Rin[i * size + a * B + b] += R[i * size + b * A + a];
    return 0;
}

static int is_type(const char *type, const char *list)
{
    size_t n = strlen(type);
    for (const char *s = list; (s = strstr(s, type)); s += n)
        if ((s == list || s[-1] == ' ') && (s[n] == ' ' || !s[n])) return 1;
    return 0;
}

int gdl_attr_trace_absorbed(gdl_attr_t *a, const int64_t *rows, int64_t n, const float *x, float *out,
                        double *absorbed)
{
    gdl_nn_t *g = a->m->g;
    const gdl_config_t *c = a->m->config;
    trace_t t = {a, c->n_layers, c->n_layers + c->n_inputs, x, NULL, NULL, n, a->spec.epsilon, absorbed};
    double *rin_sum = calloc((size_t)n, sizeof *rin_sum);
    int rc = -1;
    if (!rin_sum || !(t.R = calloc((size_t)t.n_nodes, sizeof *t.R)) ||
        !(t.size = calloc((size_t)t.n_nodes, sizeof *t.size))) {
        gdl_log_error("out of memory");
        goto out;
    }
    if (absorbed) memset(absorbed, 0, sizeof *absorbed * (size_t)n);
    for (int i = 0; i < c->n_layers; i++) t.size[i] = gdl_nn_size(g, c->layers[i].name);
    for (int i = 0; i < c->n_inputs; i++) t.size[c->n_layers + i] = a->in[i].width;
    if (gdl_attr_score(a, rows, n, x, a->f) != 0) goto out;
    int top = node_of(&t, c->output_layer);
    float *Rt = rel(&t, top);
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
        const char *type = l->type;
        int linear = is_type(type, "conv1d avgpool1d global_avgpool batchnorm maxpool1d global_maxpool");
        const float *xin = linear ? values(&t, k0) : NULL;
        const float *z = linear || is_type(type, "add posenc") ? gdl_nn_output(g, l->name) : NULL;
        if ((linear && !xin) || (is_type(type, "add posenc") && !z)) goto out;
        memset(rin_sum, 0, sizeof *rin_sum * (size_t)n);
        if (is_type(type, "dense sparse_dense")) {
            if (rule_dense(&t, l, k0, R) != 0) goto out;
        } else if (!strcmp(type, "gene_dense")) {
            if (rule_gene_dense(&t, l, k0, R) != 0) goto out;
        } else if (is_type(type, "rnn lstm gru")) {
            if (rule_recurrent(&t, l, k0, R) != 0) goto out;
        } else if (!strcmp(type, "attention")) {
            if (rule_attention(&t, l, k0, R) != 0) goto out;
        } else if (!strcmp(type, "layernorm")) {
            if (rule_layernorm(&t, l, k0, R) != 0) goto out;
        } else if (!strcmp(type, "transpose")) {
            if (rule_transpose(&t, l, k0, R) != 0) goto out;
        } else if (!strcmp(type, "concat")) {
            if (rule_concat(&t, l, in, n_in, R) != 0) goto out;
        } else if (is_type(type, "relu leaky_relu sigmoid tanh gelu dropout flatten reshape")) {
            float *Rin = rel(&t, k0);
            if (!Rin) goto out;
            for (int64_t j = 0; j < n * U; j++) Rin[j] += R[j];
        } else if (linear) {
            int route = strstr(type, "maxpool") != NULL; // winner takes the window's relevance
            float *dz = gdl_nn_grad(g, l->name), *Rin = rel(&t, k0);
            if (!dz || !Rin) goto out;
            for (int64_t j = 0; j < n * U; j++) dz[j] = route ? R[j] : (float)(R[j] / stab(z[j], t.eps));
            const float *dx = gdl_nn_backward_node(g, l->name);
            if (!dx) goto out;
            for (int64_t j = 0; j < n * K; j++) {
                float r = route ? dx[j] : xin[j] * dx[j];
                Rin[j] += r, rin_sum[j / K] += r;
            }
            absorb_rest(&t, R, U, rin_sum);
        } else if (is_type(type, "add posenc")) { // shares of the sum; posenc's encoding absorbs its own
            for (int q = 0; q < n_in; q++) {
                int k = in[q];
                const float *xq = values(&t, k);
                float *Rin = rel(&t, k);
                if (!Rin || !xq) goto out;
                for (int64_t j = 0; j < n * U; j++) {
                    float r = (float)(xq[j] * R[j] / stab(z[j], t.eps));
                    Rin[j] += r, rin_sum[j / U] += r;
                }
            }
            absorb_rest(&t, R, U, rin_sum);
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
    free(t.R), free(t.size), free(rin_sum);
    return rc;
}

int gdl_attr_trace(gdl_attr_t *a, const int64_t *rows, int64_t n, const float *x, float *out)
{
    return gdl_attr_trace_absorbed(a, rows, n, x, out, NULL);
}
