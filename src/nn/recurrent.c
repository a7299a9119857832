/* Recurrent layers: simple RNN, LSTM and GRU, one or two directions, on (C, L) inputs.
 * N batch, C input channels, L length, H units, G gates (1, 4, 3), D directions.
 *
 * The input projections of all time steps are one GEMM per direction over the time-major
 * input X (L N, C): XP (L N, G H) = X W_ih^T + b_ih. Each step then adds h_{t-1} W_hh^T + b_hh
 * (one (N, H) x (H, G H) GEMM) and applies the gates. Parameters use PyTorch's layout and gate
 * order, so its state dict maps one to one:
 *   weight_ih (G H, C), weight_hh (G H, H), bias_ih (G H), bias_hh (G H), "_reverse" for the
 *   backward direction; LSTM gates i, f, g, o; GRU gates r, z, n with n = tanh(x_n + r (W_hn h
 *   + b_hn)). Output: the sequence (D H, L), or the final state of each direction (D H), which
 *   for the reverse direction is its state after reading position 0 (PyTorch's h_n). */
#include <stdlib.h>

#include "nn_internal.h"

enum { CELL_RNN, CELL_LSTM, CELL_GRU };

typedef struct {
    int cell, G, D, seq;
    int64_t C, L, H;
} rec_attr_t;

typedef struct {
    float *X;               // (L N, C) time-major input
    float *XP[2];           // (L, N, G H) input projections (+ b_ih), per direction; in
                            // inference (N, G H), each step's made when the step runs
    float *A[2];            // (L, N, G H) gate activations at each time
    float *Hs[2], *Cs[2];   // (L, N, H) hidden (and LSTM cell) state after each time
    float *HN[2];           // GRU: (L, N, H) W_hn h_{t-1} + b_hn
    float *zeros;           // (N, H) zeros: the state before the first step
    int infer;              // no backward follows: A and HN hold one step, Cs two (the last and this)
} rec_saved_t;

/* Where time t's gate activations, GRU W_hn h and LSTM cell state live: every step for the
 * backward pass, or in inference only the steps a later step still reads. */
static int64_t act_step(const rec_saved_t *sv, int64_t t) { return sv->infer ? 0 : t; }
static int64_t cell_step(const rec_saved_t *sv, int64_t t) { return sv->infer ? t % 2 : t; }

static int rec_setup(gdl_nn_t *g, gdl_nn_node_t *n, gdl_kv_t *kv, int cell)
{
    int64_t H, bi, seq;
    if (gdl_kv_int(kv, "units", 0, 1, &H) < 0 || gdl_kv_int(kv, "bidirectional", 0, 0, &bi) < 0 ||
        gdl_kv_int(kv, "return_sequences", 0, 0, &seq) < 0)
        return -1;
    gdl_nn_node_t *x = gdl_nn_in(g, n, 0);
    if (x->ndim != 2 || H < 1) {
        gdl_log_error("node '%s': %s needs units >= 1 and a (C, L) input", n->name, gdl_nn_op_name(n->op));
        return -1;
    }
    rec_attr_t *a = malloc(sizeof *a);
    if (!a) return -1;
    n->attr = a;
    a->cell = cell, a->G = cell == CELL_LSTM ? 4 : cell == CELL_GRU ? 3 : 1;
    a->D = bi ? 2 : 1, a->seq = seq != 0;
    a->C = x->shape[0], a->L = x->shape[1], a->H = H;
    int64_t GH = a->G * H;
    for (int d = 0; d < a->D; d++) {
        const char *suf = d ? "_reverse" : "";
        char nm[4][32];
        snprintf(nm[0], 32, "weight_ih%s", suf), snprintf(nm[1], 32, "weight_hh%s", suf);
        snprintf(nm[2], 32, "bias_ih%s", suf), snprintf(nm[3], 32, "bias_hh%s", suf);
        if (gdl_nn_declare(g, n, nm[0], 2, (int64_t[]){GH, a->C}, GDL_INIT_GLOROT, a->C, GH, 0) < 0 ||
            gdl_nn_declare(g, n, nm[1], 2, (int64_t[]){GH, H}, GDL_INIT_GLOROT, H, GH, 0) < 0 ||
            gdl_nn_declare(g, n, nm[2], 1, &GH, GDL_INIT_ZERO, 0, 0, 0) < 0 ||
            gdl_nn_declare(g, n, nm[3], 1, &GH, GDL_INIT_ZERO, 0, 0, 0) < 0)
            return -1;
    }
    if (a->seq) n->ndim = 2, n->shape[0] = a->D * H, n->shape[1] = a->L;
    else n->ndim = 1, n->shape[0] = a->D * H;
    return 0;
}

/* time of processing step s, and the time whose state feeds time t (-1: the zero state) */
static int64_t step_time(const rec_attr_t *a, int d, int64_t s) { return d ? a->L - 1 - s : s; }
static int64_t prev_time(const rec_attr_t *a, int d, int64_t t) { return d ? (t + 1 < a->L ? t + 1 : -1) : t - 1; }

typedef struct {
    const rec_attr_t *a;
    rec_saved_t *sv;
    int d;
    int64_t t, tp, N;
    const float *hp, *xp; // forward: (N, G H) hidden and input projections at time t
    float *act, *h;       // forward: activations and state written at time t
    const float *hprev;   // (N, H) or NULL at the first step
    /* backward */
    const float *dout;
    float *dxp, *dhp, *dh, *dhc, *dc;
    int64_t s;
} step_ctx_t;

/* The LSTM cell of one sample at one step (H units): gates from the summed projections,
 * the new cell and hidden state (cprev zeros at the first step). A loop of its own so it
 * vectorises (gdl_expf). */
GDL_NN_HOT static void lstm_cell(int64_t H, const float *restrict xi, const float *restrict hi,
                                 const float *restrict cprev, float *restrict ai, float *restrict c,
                                 float *restrict h)
{
    for (int64_t j = 0; j < H; j++) {
        float ig = gdl_sigmoidf(xi[j] + hi[j]), fg = gdl_sigmoidf(xi[H + j] + hi[H + j]);
        float gg = gdl_tanhf(xi[2 * H + j] + hi[2 * H + j]);
        float og = gdl_sigmoidf(xi[3 * H + j] + hi[3 * H + j]);
        float cv = fg * cprev[j] + ig * gg;
        ai[j] = ig, ai[H + j] = fg, ai[2 * H + j] = gg, ai[3 * H + j] = og;
        c[j] = cv;
        h[j] = og * gdl_tanhf(cv);
    }
}

/* Gates and state of one time step for samples [begin, end). */
static void cell_forward_rows(void *ctx, int64_t begin, int64_t end, int chunk)
{
    (void)chunk;
    const step_ctx_t *k = ctx;
    const rec_attr_t *a = k->a;
    rec_saved_t *sv = k->sv;
    int d = k->d;
    int64_t t = k->t, tp = k->tp, N = k->N, H = a->H, GH = a->G * H;
    const float *hp = k->hp, *xp = k->xp, *hprev = k->hprev;
    float *act = k->act, *h = k->h;
    for (int64_t i = begin; i < end; i++) {
        const float *xi = xp + i * GH, *hi = hp + i * GH;
        float *ai = act + i * GH;
        if (a->cell == CELL_LSTM) {
            lstm_cell(H, xi, hi, tp >= 0 ? sv->Cs[d] + cell_step(sv, tp) * N * H + i * H : sv->zeros + i * H,
                      ai, sv->Cs[d] + cell_step(sv, t) * N * H + i * H, h + i * H);
            continue;
        }
        for (int64_t j = 0; j < H; j++) {
            float hprev_ij = hprev ? hprev[i * H + j] : 0;
            if (a->cell == CELL_RNN) {
                h[i * H + j] = ai[j] = gdl_tanhf(xi[j] + hi[j]);
            } else {
                float r = gdl_sigmoidf(xi[j] + hi[j]), z = gdl_sigmoidf(xi[H + j] + hi[H + j]);
                float hn = hi[2 * H + j], nn = gdl_tanhf(xi[2 * H + j] + r * hn);
                ai[j] = r, ai[H + j] = z, ai[2 * H + j] = nn;
                sv->HN[d][act_step(sv, t) * N * H + i * H + j] = hn;
                h[i * H + j] = (1 - z) * nn + z * hprev_ij;
            }
        }
    }
}

/* The recurrences run as D N items (direction, sample): samples and directions never
 * interact, so the threads split the items (BLAS single-threaded inside) rather than each
 * small per-step GEMM; with two threads and two directions each thread runs one direction over
 * the whole batch, so each step is one (N, H) x (H, G H) GEMM per thread. Weight gradients go
 * to per-chunk, per-direction buffers summed afterwards in chunk order. */
typedef struct {
    const rec_attr_t *a;
    rec_saved_t *sv;
    int64_t N;
    const float *Whh[2], *bhh[2], *dout;
    const float *Wih[2], *bih[2]; // inference: each step's input projection
    float *hp;                   // forward: (D, N, G H) scratch
    float *dXP, *dHP;            // backward: (D, L, N, G H) and (D, N, G H)
    float *dh, *dhc, *dc;        // backward: (D, N, H) each
    float *pW, *pb;              // backward: (chunks, D, G H, H) and (chunks, D, G H)
} rec_run_t;

/* Calls fn for the (direction, sample range) pieces of items [begin, end). */
static void for_each_direction(const rec_run_t *r, int64_t begin, int64_t end, int chunk,
                               void (*fn)(const rec_run_t *, int, int64_t, int64_t, int))
{
    for (int d = 0; d < r->a->D; d++) {
        int64_t b = begin > d * r->N ? begin - d * r->N : 0, e = end - d * r->N;
        if (e > r->N) e = r->N;
        if (b < e) fn(r, d, b, e, chunk);
    }
}

static void rec_forward_samples(const rec_run_t *r, int d, int64_t begin, int64_t end, int chunk)
{
    const rec_attr_t *a = r->a;
    rec_saved_t *sv = r->sv;
    int64_t N = r->N, L = a->L, H = a->H, GH = a->G * H, nb = end - begin;
    float *hp = r->hp + d * N * GH;
    for (int64_t s = 0; s < L; s++) {
        int64_t t = step_time(a, d, s), tp = prev_time(a, d, t);
        const float *hprev = tp >= 0 ? sv->Hs[d] + tp * N * H : NULL;
        for (int64_t i = begin; i < end; i++) memcpy(hp + i * GH, r->bhh[d], sizeof(float) * (size_t)GH);
        if (hprev)
            gdl_sgemm(GDL_NO_TRANS, GDL_TRANS, nb, GH, H, 1.0f, hprev + begin * H, H, r->Whh[d], H, 1.0f,
                      hp + begin * GH, GH);
        if (sv->infer) // this step's input projection only: the whole (L, N, G H) is ~100 MB
            gdl_nn_linear(sv->X + (t * N + begin) * a->C, r->Wih[d], r->bih[d], nb, GH, a->C,
                          sv->XP[d] + begin * GH);
        step_ctx_t sc = {a, sv, d, t, tp, N, hp, sv->XP[d] + (sv->infer ? 0 : t) * N * GH,
                         sv->A[d] + act_step(sv, t) * N * GH,
                         sv->Hs[d] + t * N * H, hprev, NULL, NULL, NULL, NULL, NULL, NULL, 0};
        cell_forward_rows(&sc, begin, end, chunk);
    }
}

static void rec_forward_items(void *ctx, int64_t begin, int64_t end, int chunk)
{
    for_each_direction(ctx, begin, end, chunk, rec_forward_samples);
}

static int rec_forward(gdl_nn_t *g, gdl_nn_node_t *n)
{
    rec_attr_t *a = n->attr;
    int64_t N = g->N, C = a->C, L = a->L, H = a->H, GH = a->G * H, D = a->D;
    const float *x = gdl_nn_in(g, n, 0)->out;
    rec_saved_t *sv = gdl_arena_alloc(&g->arena, sizeof *sv);
    float *hp = gdl_nn_scratch(g, D * N * GH);
    if (!sv || !hp) return -1;
    memset(sv, 0, sizeof *sv);
    sv->infer = g->infer;
    int64_t act_steps = sv->infer ? 1 : L, cell_steps = sv->infer ? 2 : L;
    if (!(sv->X = gdl_nn_scratch(g, L * N * C)) || !(sv->zeros = gdl_nn_scratch0(g, N * H))) return -1;
    for (int64_t i = 0; i < N; i++)
        for (int64_t c = 0; c < C; c++)
            for (int64_t t = 0; t < L; t++) sv->X[(t * N + i) * C + c] = x[(i * C + c) * L + t];
    rec_run_t run = {.a = a, .sv = sv, .N = N, .hp = hp};
    for (int d = 0; d < D; d++) {
        const float *Wih = gdl_nn_p(g, n, 4 * d), *Whh = gdl_nn_p(g, n, 4 * d + 1);
        const float *bih = gdl_nn_p(g, n, 4 * d + 2), *bhh = gdl_nn_p(g, n, 4 * d + 3);
        if (!(sv->XP[d] = gdl_nn_scratch(g, (sv->infer ? 1 : L) * N * GH)) ||
            !(sv->A[d] = gdl_nn_scratch(g, act_steps * N * GH)) ||
            !(sv->Hs[d] = gdl_nn_scratch(g, L * N * H)) ||
            (a->cell == CELL_LSTM && !(sv->Cs[d] = gdl_nn_scratch(g, cell_steps * N * H))) ||
            (a->cell == CELL_GRU && !(sv->HN[d] = gdl_nn_scratch(g, act_steps * N * H))))
            return -1;
        if (!sv->infer) gdl_nn_linear(sv->X, Wih, bih, L * N, GH, C, sv->XP[d]); // every step's input at once
        run.Whh[d] = Whh, run.bhh[d] = bhh, run.Wih[d] = Wih, run.bih[d] = bih;
    }
    gdl_parallel_for(D * N, rec_forward_items, &run);
    for (int d = 0; d < D; d++) // outputs
        for (int64_t i = 0; i < N; i++)
            for (int64_t j = 0; j < H; j++) {
                if (a->seq)
                    for (int64_t t = 0; t < L; t++)
                        n->out[(i * D * H + d * H + j) * L + t] = sv->Hs[d][t * N * H + i * H + j];
                else
                    n->out[i * D * H + d * H + j] = sv->Hs[d][step_time(a, d, L - 1) * N * H + i * H + j];
            }
    n->saved = sv;
    return 0;
}

/* The LSTM cell's backward for one sample at one step: from dh (dhk = later steps' dhc plus
 * this step's output gradient g) and the running dc, the gates' gradients dxi (G H) and the
 * new dc; dh of the direct path is 0. g and cprev are zeros where there is none. Vectorises
 * like lstm_cell. */
GDL_NN_HOT static void lstm_cell_backward(int64_t H, const float *restrict ai, const float *restrict c,
                                          const float *restrict cprev, const float *restrict dhc,
                                          const float *restrict g, float *restrict dc, float *restrict dxi,
                                          float *restrict dh)
{
    for (int64_t j = 0; j < H; j++) {
        float dhk = dhc[j] + g[j];
        float ig = ai[j], fg = ai[H + j], gg = ai[2 * H + j], og = ai[3 * H + j];
        float tc = gdl_tanhf(c[j]), cp = cprev[j];
        float dct = dc[j] + dhk * og * (1 - tc * tc);
        dxi[j] = dct * gg * ig * (1 - ig);
        dxi[H + j] = dct * cp * fg * (1 - fg);
        dxi[2 * H + j] = dct * ig * (1 - gg * gg);
        dxi[3 * H + j] = dhk * tc * og * (1 - og);
        dc[j] = dct * fg;
        dh[j] = 0;
    }
}

/* Gradients through the gates of one time step for samples [begin, end): fills dxp (and the
 * GRU's separate dhp), the direct part of dh_{t-1}, and the LSTM's dc_{t-1}. sc->dout is the
 * output gradient of this direction, time-major (L, N, H), or NULL when the output is the last
 * state and this is not its step. */
static void cell_backward_rows(void *ctx, int64_t begin, int64_t end, int chunk)
{
    (void)chunk;
    const step_ctx_t *sc = ctx;
    const rec_attr_t *a = sc->a;
    const rec_saved_t *sv = sc->sv;
    int d = sc->d;
    int64_t t = sc->t, tp = sc->tp, N = sc->N, H = a->H, GH = a->G * H;
    const float *act = sc->act, *hprev = sc->hprev, *dout = sc->dout, *dhc = sc->dhc;
    float *dxp = sc->dxp, *dhp = sc->dhp, *dh = sc->dh, *dc = sc->dc;
    for (int64_t i = begin; i < end; i++) {
        const float *ai = act + i * GH, *gi = dout ? dout + i * H : NULL;
        float *dxi = dxp + i * GH, *dhi = dhp + i * GH;
        if (a->cell == CELL_LSTM) {
            lstm_cell_backward(H, ai, sv->Cs[d] + t * N * H + i * H,
                               tp >= 0 ? sv->Cs[d] + tp * N * H + i * H : sv->zeros + i * H, dhc + i * H,
                               gi ? gi : sv->zeros + i * H, dc + i * H, dxi, dh + i * H);
            continue;
        }
        for (int64_t j = 0; j < H; j++) {
            int64_t k = i * H + j;
            float dhk = dhc[k] + (gi ? gi[j] : 0), hprev_k = hprev ? hprev[k] : 0;
            if (a->cell == CELL_RNN) {
                float hv = ai[j];
                dxi[j] = dhk * (1 - hv * hv);
                dh[k] = 0;
            } else {
                float r = ai[j], z = ai[H + j], nn = ai[2 * H + j];
                float hn = sv->HN[d][t * N * H + k];
                float dan = dhk * (1 - z) * (1 - nn * nn);
                float dar = dan * hn * r * (1 - r);
                float daz = dhk * (hprev_k - nn) * z * (1 - z);
                dxi[j] = dhi[j] = dar;
                dxi[H + j] = dhi[H + j] = daz;
                dxi[2 * H + j] = dan;
                dhi[2 * H + j] = dan * r;
                dh[k] = dhk * z; // the direct path h_{t-1} -> h_t
            }
        }
    }
}

static void rec_backward_samples(const rec_run_t *r, int d, int64_t begin, int64_t end, int chunk)
{
    const rec_attr_t *a = r->a;
    rec_saved_t *sv = r->sv;
    int64_t N = r->N, L = a->L, H = a->H, GH = a->G * H, nb = end - begin;
    // this direction's buffers; dh and dhc swap each step; these samples' rows are ours
    float *dh = r->dh + d * N * H, *dhc = r->dhc + d * N * H, *dc = r->dc + d * N * H;
    float *dXP = r->dXP + d * L * N * GH, *dHP = r->dHP + d * N * GH;
    const float *dout = r->dout + d * (a->seq ? L : 1) * N * H;
    float *pW = r->pW + (chunk * a->D + d) * GH * H, *pb = r->pb + (chunk * a->D + d) * GH;
    memset(dhc + begin * H, 0, sizeof(float) * (size_t)(nb * H)); // d loss / d h from later steps
    memset(dc + begin * H, 0, sizeof(float) * (size_t)(nb * H));
    for (int64_t s = L - 1; s >= 0; s--) {
        int64_t t = step_time(a, d, s), tp = prev_time(a, d, t);
        const float *hprev = tp >= 0 ? sv->Hs[d] + tp * N * H : NULL;
        float *dxp = dXP + t * N * GH, *dhp = a->cell == CELL_GRU ? dHP : dxp;
        const float *g = a->seq ? dout + t * N * H : s == L - 1 ? dout : NULL;
        step_ctx_t sc = {a, sv, d, t, tp, N, NULL, NULL, sv->A[d] + t * N * GH, NULL, hprev,
                         g, dxp, dhp, dh, dhc, dc, s};
        cell_backward_rows(&sc, begin, end, chunk);
        for (int64_t i = begin; i < end; i++)
            for (int64_t q = 0; q < GH; q++) pb[q] += dhp[i * GH + q];
        if (hprev) {
            // dW_hh (GH, H) += dhp^T (GH, nb) hprev (nb, H); dh_{t-1} (nb, H) += dhp (nb, GH) W_hh
            gdl_sgemm(GDL_TRANS, GDL_NO_TRANS, GH, H, nb, 1.0f, dhp + begin * GH, GH, hprev + begin * H,
                      H, 1.0f, pW, H);
            gdl_sgemm(GDL_NO_TRANS, GDL_NO_TRANS, nb, H, GH, 1.0f, dhp + begin * GH, GH, r->Whh[d], H, 1.0f,
                      dh + begin * H, H);
        }
        float *tmp = dhc;
        dhc = dh, dh = tmp;
    }
}

static void rec_backward_items(void *ctx, int64_t begin, int64_t end, int chunk)
{
    for_each_direction(ctx, begin, end, chunk, rec_backward_samples);
}

static void rec_backward(gdl_nn_t *g, gdl_nn_node_t *n)
{
    rec_attr_t *a = n->attr;
    rec_saved_t *sv = n->saved;
    int64_t N = g->N, C = a->C, L = a->L, H = a->H, GH = a->G * H, D = a->D, Lg = a->seq ? L : 1;
    gdl_nn_node_t *x = gdl_nn_in(g, n, 0);
    float *dXP = gdl_nn_scratch(g, D * L * N * GH), *dHPg = gdl_nn_scratch(g, D * N * GH);
    float *dh = gdl_nn_scratch(g, D * N * H), *dhc = gdl_nn_scratch(g, D * N * H);
    float *dc = gdl_nn_scratch(g, D * N * H);
    float *dX = x->dout ? gdl_nn_scratch0(g, L * N * C) : NULL;
    float *gT = gdl_nn_scratch(g, D * Lg * N * H); // each direction's output gradient, time-major
    int64_t chunks = gdl_threads_get() < D * N ? gdl_threads_get() : D * N; // gdl_parallel_for's split
    float *pW = gdl_nn_scratch0(g, chunks * D * GH * H), *pb = gdl_nn_scratch0(g, chunks * D * GH);
    if (!dXP || !dHPg || !dh || !dhc || !dc || (x->dout && !dX) || !gT || !pW || !pb)
        return; // out of memory: gdl_nn_backward reports it
    rec_run_t run = {.a = a, .sv = sv, .N = N, .dout = gT, .dXP = dXP, .dHP = dHPg, .dh = dh, .dhc = dhc,
                     .dc = dc, .pW = pW, .pb = pb};
    for (int d = 0; d < D; d++) {
        run.Whh[d] = gdl_nn_p(g, n, 4 * d + 1);
        for (int64_t i = 0; i < N; i++) // (N, D H, L) or (N, D H) -> time-major (L, N, H) or (N, H)
            for (int64_t j = 0; j < H; j++) {
                if (a->seq)
                    for (int64_t t = 0; t < L; t++)
                        gT[((d * L + t) * N + i) * H + j] = n->dout[(i * D * H + d * H + j) * L + t];
                else
                    gT[(d * N + i) * H + j] = n->dout[i * D * H + d * H + j];
            }
    }
    gdl_parallel_for(D * N, rec_backward_items, &run);
    for (int d = 0; d < D; d++) {
        const float *Wih = gdl_nn_p(g, n, 4 * d);
        float *dWih = gdl_nn_dp(g, n, 4 * d), *dWhh = gdl_nn_dp(g, n, 4 * d + 1);
        float *dbih = gdl_nn_dp(g, n, 4 * d + 2), *dbhh = gdl_nn_dp(g, n, 4 * d + 3);
        const float *dxp = dXP + d * L * N * GH;
        for (int64_t ch = 0; ch < chunks; ch++) { // partial sums in chunk order: reproducible
            for (int64_t q = 0; q < GH * H; q++) dWhh[q] += pW[(ch * D + d) * GH * H + q];
            for (int64_t q = 0; q < GH; q++) dbhh[q] += pb[(ch * D + d) * GH + q];
        }
        for (int64_t r = 0; r < L * N; r++)
            for (int64_t q = 0; q < GH; q++) dbih[q] += dxp[r * GH + q];
        gdl_sgemm(GDL_TRANS, GDL_NO_TRANS, GH, C, L * N, 1.0f, dxp, GH, sv->X, C, 1.0f, dWih, C);
        if (dX) gdl_sgemm(GDL_NO_TRANS, GDL_NO_TRANS, L * N, C, GH, 1.0f, dxp, GH, Wih, C, 1.0f, dX, C);
    }
    if (dX)
        for (int64_t i = 0; i < N; i++)
            for (int64_t c = 0; c < C; c++)
                for (int64_t t = 0; t < L; t++) x->dout[(i * C + c) * L + t] += dX[(t * N + i) * C + c];
}

int gdl_op_rnn_setup(gdl_nn_t *g, gdl_nn_node_t *n, gdl_kv_t *kv) { return rec_setup(g, n, kv, CELL_RNN); }
int gdl_op_rnn_forward(gdl_nn_t *g, gdl_nn_node_t *n, int train) { (void)train; return rec_forward(g, n); }
void gdl_op_rnn_backward(gdl_nn_t *g, gdl_nn_node_t *n) { rec_backward(g, n); }

int gdl_op_lstm_setup(gdl_nn_t *g, gdl_nn_node_t *n, gdl_kv_t *kv) { return rec_setup(g, n, kv, CELL_LSTM); }
int gdl_op_lstm_forward(gdl_nn_t *g, gdl_nn_node_t *n, int train) { (void)train; return rec_forward(g, n); }
void gdl_op_lstm_backward(gdl_nn_t *g, gdl_nn_node_t *n) { rec_backward(g, n); }

int gdl_op_gru_setup(gdl_nn_t *g, gdl_nn_node_t *n, gdl_kv_t *kv) { return rec_setup(g, n, kv, CELL_GRU); }
int gdl_op_gru_forward(gdl_nn_t *g, gdl_nn_node_t *n, int train) { (void)train; return rec_forward(g, n); }
void gdl_op_gru_backward(gdl_nn_t *g, gdl_nn_node_t *n) { rec_backward(g, n); }

int gdl_nn_recurrent_values(gdl_nn_t *g, const char *name, gdl_nn_recurrent_values_t *v)
{
    int i = gdl_nn_find(g, name);
    const gdl_nn_node_t *n = i >= 0 ? &g->nodes[i] : NULL;
    if (!n || (n->op != GDL_OP_RNN && n->op != GDL_OP_LSTM && n->op != GDL_OP_GRU)) {
        gdl_log_error("no recurrent node '%s'", name);
        return -1;
    }
    const rec_attr_t *a = n->attr;
    const rec_saved_t *sv = n->saved;
    if (!sv || sv->infer) {
        gdl_log_error("node '%s': no forward values kept (no forward pass, or inference)", name);
        return -1;
    }
    *v = (gdl_nn_recurrent_values_t){a->G, a->D, a->seq, g->N, a->C, a->L, a->H, {NULL, NULL}, {NULL, NULL},
                                     {NULL, NULL}};
    for (int d = 0; d < a->D; d++) v->A[d] = sv->A[d], v->Hs[d] = sv->Hs[d], v->Cs[d] = sv->Cs[d];
    return 0;
}
