/* Multi-head self-attention and sinusoidal positional encoding on (E, L) inputs (E channels =
 * heads x d). N batch, L length, E embedding, h heads, d = E / h.
 *
 * Parameters in PyTorch's nn.MultiheadAttention layout: in_proj_weight (3E, E) stacking
 * W_q, W_k, W_v; in_proj_bias (3E); out_proj_weight (E, E); out_proj_bias (E). The projections
 * run as one GEMM over the time-major batch X (N L, E); scores and weighted sums per
 * (sample, head) as (L, d) x (d, L) and (L, L) x (L, d) GEMMs. */
#include <stdlib.h>

#include "nn_internal.h"

typedef struct {
    int64_t E, L, h, d;
} attn_attr_t;

typedef struct {
    float *X;   // (N L, E) input, rows (i, l)
    float *QKV; // (N L, 3E)
    float *P;   // (N, h, L, L) attention weights
    float *O;   // (N L, E) heads concatenated
} attn_saved_t;

int gdl_op_attention_setup(gdl_nn_t *g, gdl_nn_node_t *n, gdl_kv_t *kv)
{
    int64_t heads;
    if (gdl_kv_int(kv, "heads", 1, 0, &heads) < 0) return -1;
    gdl_nn_node_t *x = gdl_nn_in(g, n, 0);
    if (x->ndim != 2 || heads < 1 || x->shape[0] % heads) {
        gdl_log_error("node '%s': attention needs an (E, L) input with E divisible by heads=%lld",
                      n->name, (long long)heads);
        return -1;
    }
    attn_attr_t *a = malloc(sizeof *a);
    if (!a) return -1;
    n->attr = a;
    int64_t E = x->shape[0];
    *a = (attn_attr_t){E, x->shape[1], heads, E / heads};
    if (gdl_nn_declare(g, n, "in_proj_weight", 2, (int64_t[]){3 * E, E}, GDL_INIT_GLOROT, E, E, 0) < 0 ||
        gdl_nn_declare(g, n, "in_proj_bias", 1, (int64_t[]){3 * E}, GDL_INIT_ZERO, 0, 0, 0) < 0 ||
        gdl_nn_declare(g, n, "out_proj_weight", 2, (int64_t[]){E, E}, GDL_INIT_GLOROT, E, E, 0) < 0 ||
        gdl_nn_declare(g, n, "out_proj_bias", 1, &E, GDL_INIT_ZERO, 0, 0, 0) < 0)
        return -1;
    n->ndim = 2, n->shape[0] = E, n->shape[1] = a->L;
    return 0;
}

int gdl_op_attention_forward(gdl_nn_t *g, gdl_nn_node_t *n, int train)
{
    (void)train;
    attn_attr_t *a = n->attr;
    int64_t N = g->N, E = a->E, L = a->L, d = a->d;
    const float *x = gdl_nn_in(g, n, 0)->out;
    attn_saved_t *s = gdl_arena_alloc(&g->arena, sizeof *s);
    float *Y = gdl_nn_scratch(g, N * L * E);
    if (!s || !Y || !(s->X = gdl_nn_scratch(g, N * L * E)) || !(s->QKV = gdl_nn_scratch(g, N * L * 3 * E)) ||
        !(s->P = gdl_nn_scratch(g, N * a->h * L * L)) || !(s->O = gdl_nn_scratch(g, N * L * E)))
        return -1;
    for (int64_t i = 0; i < N; i++)
        for (int64_t e = 0; e < E; e++)
            for (int64_t l = 0; l < L; l++) s->X[(i * L + l) * E + e] = x[(i * E + e) * L + l];
    gdl_nn_linear(s->X, gdl_nn_p(g, n, 0), gdl_nn_p(g, n, 1), N * L, 3 * E, E, s->QKV);
    float scale = 1.0f / sqrtf((float)d);
    for (int64_t i = 0; i < N; i++)
        for (int64_t hd = 0; hd < a->h; hd++) {
            const float *Q = s->QKV + i * L * 3 * E + hd * d, *K = Q + E, *V = Q + 2 * E;
            float *P = s->P + (i * a->h + hd) * L * L;
            gdl_sgemm(GDL_NO_TRANS, GDL_TRANS, L, L, d, scale, Q, 3 * E, K, 3 * E, 0.0f, P, L);
            for (int64_t r = 0; r < L; r++) { // softmax over keys
                float *p = P + r * L, mx = p[0];
                for (int64_t c = 1; c < L; c++) mx = p[c] > mx ? p[c] : mx;
                double sum = 0;
                for (int64_t c = 0; c < L; c++) sum += p[c] = expf(p[c] - mx);
                for (int64_t c = 0; c < L; c++) p[c] = (float)(p[c] / sum);
            }
            gdl_sgemm(GDL_NO_TRANS, GDL_NO_TRANS, L, d, L, 1.0f, P, L, V, 3 * E, 0.0f,
                      s->O + i * L * E + hd * d, E);
        }
    gdl_nn_linear(s->O, gdl_nn_p(g, n, 2), gdl_nn_p(g, n, 3), N * L, E, E, Y);
    for (int64_t i = 0; i < N; i++)
        for (int64_t e = 0; e < E; e++)
            for (int64_t l = 0; l < L; l++) n->out[(i * E + e) * L + l] = Y[(i * L + l) * E + e];
    n->saved = s;
    return 0;
}

void gdl_op_attention_backward(gdl_nn_t *g, gdl_nn_node_t *n)
{
    attn_attr_t *a = n->attr;
    attn_saved_t *s = n->saved;
    int64_t N = g->N, E = a->E, L = a->L, d = a->d;
    gdl_nn_node_t *x = gdl_nn_in(g, n, 0);
    float *dY = gdl_nn_scratch(g, N * L * E), *dO = gdl_nn_scratch(g, N * L * E);
    float *dQKV = gdl_nn_scratch(g, N * L * 3 * E), *dP = gdl_nn_scratch(g, L * L);
    if (!dY || !dO || !dQKV || !dP) return; // out of memory: gdl_nn_backward reports it
    for (int64_t i = 0; i < N; i++)
        for (int64_t e = 0; e < E; e++)
            for (int64_t l = 0; l < L; l++) dY[(i * L + l) * E + e] = n->dout[(i * E + e) * L + l];
    float *dWo = gdl_nn_dp(g, n, 2), *dbo = gdl_nn_dp(g, n, 3);
    gdl_sgemm(GDL_TRANS, GDL_NO_TRANS, E, E, N * L, 1.0f, dY, E, s->O, E, 1.0f, dWo, E);
    for (int64_t r = 0; r < N * L; r++)
        for (int64_t e = 0; e < E; e++) dbo[e] += dY[r * E + e];
    gdl_sgemm(GDL_NO_TRANS, GDL_NO_TRANS, N * L, E, E, 1.0f, dY, E, gdl_nn_p(g, n, 2), E, 0.0f, dO, E);
    float scale = 1.0f / sqrtf((float)d);
    for (int64_t i = 0; i < N; i++)
        for (int64_t hd = 0; hd < a->h; hd++) {
            const float *Q = s->QKV + i * L * 3 * E + hd * d, *K = Q + E, *V = Q + 2 * E;
            float *dQ = dQKV + i * L * 3 * E + hd * d, *dK = dQ + E, *dV = dQ + 2 * E;
            const float *P = s->P + (i * a->h + hd) * L * L, *dOh = dO + i * L * E + hd * d;
            // dP (L, L) = dO_h V_h^T; dV_h (L, d) = P^T dO_h
            gdl_sgemm(GDL_NO_TRANS, GDL_TRANS, L, L, d, 1.0f, dOh, E, V, 3 * E, 0.0f, dP, L);
            gdl_sgemm(GDL_TRANS, GDL_NO_TRANS, L, d, L, 1.0f, P, L, dOh, E, 0.0f, dV, 3 * E);
            for (int64_t r = 0; r < L; r++) { // through the softmax: dS = P (dP - <dP, P>)
                double dot = 0;
                for (int64_t c = 0; c < L; c++) dot += dP[r * L + c] * P[r * L + c];
                for (int64_t c = 0; c < L; c++) dP[r * L + c] = P[r * L + c] * (dP[r * L + c] - (float)dot);
            }
            // dQ_h = dS K_h scale; dK_h = dS^T Q_h scale
            gdl_sgemm(GDL_NO_TRANS, GDL_NO_TRANS, L, d, L, scale, dP, L, K, 3 * E, 0.0f, dQ, 3 * E);
            gdl_sgemm(GDL_TRANS, GDL_NO_TRANS, L, d, L, scale, dP, L, Q, 3 * E, 0.0f, dK, 3 * E);
        }
    float *dWin = gdl_nn_dp(g, n, 0), *dbin = gdl_nn_dp(g, n, 1);
    gdl_sgemm(GDL_TRANS, GDL_NO_TRANS, 3 * E, E, N * L, 1.0f, dQKV, 3 * E, s->X, E, 1.0f, dWin, E);
    for (int64_t r = 0; r < N * L; r++)
        for (int64_t e = 0; e < 3 * E; e++) dbin[e] += dQKV[r * 3 * E + e];
    if (x->dout) {
        float *dX = dY; // reuse: (N L, E)
        gdl_sgemm(GDL_NO_TRANS, GDL_NO_TRANS, N * L, E, 3 * E, 1.0f, dQKV, 3 * E, gdl_nn_p(g, n, 0), E,
                  0.0f, dX, E);
        for (int64_t i = 0; i < N; i++)
            for (int64_t e = 0; e < E; e++)
                for (int64_t l = 0; l < L; l++) x->dout[(i * E + e) * L + l] += dX[(i * L + l) * E + e];
    }
}

const float *gdl_nn_attention_weights(gdl_nn_t *g, const char *name, int64_t *heads)
{
    int i = gdl_nn_find(g, name);
    const gdl_nn_node_t *n = i >= 0 ? &g->nodes[i] : NULL;
    if (!n || n->op != GDL_OP_ATTENTION || !n->saved) {
        gdl_log_error(n && n->op == GDL_OP_ATTENTION ? "node '%s': no forward pass yet" : "no attention node '%s'",
                      name);
        return NULL;
    }
    *heads = ((const attn_attr_t *)n->attr)->h;
    return ((const attn_saved_t *)n->saved)->P;
}

/* ---- posenc: y[c, l] = x[c, l] + (c even ? sin : cos)(l / 10000^(2 floor(c/2) / C)) -------- */

int gdl_op_posenc_setup(gdl_nn_t *g, gdl_nn_node_t *n, gdl_kv_t *kv)
{
    (void)kv;
    gdl_nn_node_t *x = gdl_nn_in(g, n, 0);
    if (x->ndim != 2) {
        gdl_log_error("node '%s': posenc needs a (C, L) input", n->name);
        return -1;
    }
    n->ndim = 2, n->shape[0] = x->shape[0], n->shape[1] = x->shape[1];
    return 0;
}

int gdl_op_posenc_forward(gdl_nn_t *g, gdl_nn_node_t *n, int train)
{
    (void)train;
    int64_t C = n->shape[0], L = n->shape[1];
    const float *x = gdl_nn_in(g, n, 0)->out;
    for (int64_t c = 0; c < C; c++) {
        double freq = pow(10000.0, -(double)(c / 2 * 2) / (double)C); // NOLINT(bugprone-integer-division): channel pairs share a frequency
        for (int64_t l = 0; l < L; l++) {
            float pe = (float)(c % 2 ? cos((double)l * freq) : sin((double)l * freq));
            for (int64_t i = 0; i < g->N; i++) n->out[(i * C + c) * L + l] = x[(i * C + c) * L + l] + pe;
        }
    }
    return 0;
}

void gdl_op_posenc_backward(gdl_nn_t *g, gdl_nn_node_t *n)
{
    gdl_saxpy(g->N * n->size, 1.0f, n->dout, gdl_nn_in(g, n, 0)->dout);
}
