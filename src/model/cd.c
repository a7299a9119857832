/* Coordinate descent on the elastic-net linear genotype model (cd.h).
 *
 * Each block's predictor is eta = c + s, s_i = sum_j w_j x_ij over the uncentred (sparse)
 * columns. A Newton step (IRLS) replaces the loss by sum_i h_i (q_i - d eta_i)^2 / 2, with h the
 * loss's second derivative and q = -gamma / h its Newton residual (gamma the first derivative).
 * A coordinate step moves w_j by D and the intercept by -D m_j, m_j = sum_i h_i x_ij / sum_i h_i:
 * the move along the h-centred column x_j - m_j, which leaves the intercept at its optimum and
 * touches only the column's non-zero rows. With q' the stored residual (the dense part of each
 * move left out), the step's gradient is sum_nz h x q' - m_j Q', Q' = sum_i h_i q'_i. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "gdl/core.h"
#include "cd.h"

#define P_FLOOR 1e-5      // glmnet's bound on fitted probabilities in the Newton weights
#define MAX_NEWTON 100    // Newton steps per solve
#define MAX_SWEEPS 100000 // coordinate sweeps per Newton step

static inline uint32_t entry_row(uint32_t e) { return e & GDL_CALL_VARIANT_MASK; }
static inline int entry_code(uint32_t e) { return (int)(e >> GDL_CALL_CODE_SHIFT); }

int gdl_cd_columns_from_calls(cd_columns_t *x, const gdl_geno_calls_t *calls, const gdl_genotypes_t *g)
{
    int64_t N = calls->n_rows, M = g->n_variants, nnz = calls->row[N];
    memset(x, 0, sizeof *x);
    x->n_rows = N, x->n_cols = M;
    x->start = calloc((size_t)M + 1, sizeof *x->start);
    x->entry = malloc((size_t)(nnz ? nnz : 1) * sizeof *x->entry);
    x->value = malloc((size_t)(M ? M : 1) * sizeof *x->value);
    x->scale = malloc((size_t)(M ? M : 1) * sizeof *x->scale);
    int64_t *at = malloc((size_t)(M ? M : 1) * sizeof *at);
    if (!x->start || !x->entry || !x->value || !x->scale || !at) {
        free(at);
        gdl_cd_columns_free(x);
        gdl_log_error("out of memory");
        return -1;
    }
    for (int64_t k = 0; k < nnz; k++) x->start[(calls->call[k] & GDL_CALL_VARIANT_MASK) + 1]++;
    for (int64_t j = 0; j < M; j++) x->start[j + 1] += x->start[j], at[j] = x->start[j];
    for (int64_t i = 0; i < N; i++)
        for (int64_t k = calls->row[i]; k < calls->row[i + 1]; k++) {
            uint32_t v = calls->call[k] & GDL_CALL_VARIANT_MASK, code = calls->call[k] >> GDL_CALL_CODE_SHIFT;
            x->entry[at[v]++] = (uint32_t)i | code << GDL_CALL_CODE_SHIFT;
        }
    free(at);
    for (int64_t j = 0; j < M; j++) {
        x->value[j][0] = 0;
        for (int code = 1; code < 4; code++) x->value[j][code] = gdl_genotypes_call_value(g, j, code);
        x->scale[j] = gdl_genotypes_call_sd(g, j);
    }
    return 0;
}

void gdl_cd_columns_free(cd_columns_t *x)
{
    free(x->start), free(x->entry), free(x->value), free(x->scale);
    memset(x, 0, sizeof *x);
}

/* ---- the loss's derivatives -------------------------------------------------------------------- */

static double sigmoid(double z) { return z >= 0 ? 1 / (1 + exp(-z)) : exp(z) / (1 + exp(z)); }

/* Softmax probability of block k at row i. */
static double class_prob(const cd_fit_t *f, int64_t i, int k)
{
    const cd_problem_t *p = f->p;
    int64_t N = p->x->n_rows;
    double mx = -INFINITY, sum = 0, ek = 0;
    for (int b = 0; b < p->n_blocks; b++) mx = fmax(mx, f->c[b] + f->s[b * N + i]);
    for (int b = 0; b < p->n_blocks; b++) {
        double e = exp(f->c[b] + f->s[b * N + i] - mx);
        sum += e;
        if (b == k) ek = e;
    }
    return ek / sum;
}

/* Block k's first derivatives gamma (n_rows) of the loss by eta, and with h its second ones
 * (NULL: not wanted), at the current fit; 0 on rows out of the fit. */
static void derivatives(const cd_fit_t *f, int k, double *gamma, double *h)
{
    const cd_problem_t *p = f->p;
    int64_t N = p->x->n_rows;
    const double *y = p->y + k * N, *w = p->weight + k * N, *s = f->s + k * N;
    for (int64_t i = 0; i < N; i++) {
        if (w[i] <= 0) {
            gamma[i] = 0;
            if (h) h[i] = 0;
            continue;
        }
        if (p->family == CD_GAUSSIAN) {
            gamma[i] = 2 * w[i] * (f->c[k] + s[i] - y[i]);
            if (h) h[i] = 2 * w[i];
            continue;
        }
        double pr = p->family == CD_LOGISTIC ? sigmoid(f->c[k] + s[i]) : class_prob(f, i, k);
        gamma[i] = w[i] * (pr - y[i]);
        if (h) {
            double pb = fmin(fmax(pr, P_FLOOR), 1 - P_FLOOR);
            h[i] = w[i] * pb * (1 - pb);
        }
    }
}

/* ---- the full gradient ------------------------------------------------------------------------- */

/* The loops over a column's calls. gdl builds at -O2; these are cloned for AVX2 (picked when
 * the program loads) and vectorised across the sums of a gradient pass. No reassociation and no
 * FMA contraction, so every clone gives the same bits. */
#define CD_HOT __attribute__((optimize("O3", "no-math-errno", "no-trapping-math"), target_clones("avx2", "default")))

/* A column's sums over its calls are split over 4 accumulators, call e into accumulator e % 4,
 * added as (0 + 1) + (2 + 3): the adds of a column do not wait on each other, and the bits
 * depend on the column and the summed quantity only. FOR_CALLS4(n, STEP) runs STEP(e, r) for
 * the column's n calls e, r = e % 4 a constant in each expansion, so the accumulators indexed
 * by r stay in registers; TOTAL4 adds an accumulator's 4 parts. */
#define FOR_CALLS4(n, STEP)                                                                 \
    do {                                                                                    \
        int64_t e_ = 0;                                                                     \
        for (; e_ + 4 <= (n); e_ += 4) {                                                    \
            STEP(e_, 0);                                                                    \
            STEP(e_ + 1, 1);                                                                \
            STEP(e_ + 2, 2);                                                                \
            STEP(e_ + 3, 3);                                                                \
        }                                                                                   \
        if (e_ < (n)) STEP(e_, 0);                                                          \
        if (e_ + 1 < (n)) STEP(e_ + 1, 1);                                                  \
        if (e_ + 2 < (n)) STEP(e_ + 2, 2);                                                  \
    } while (0)
#define TOTAL4(acc) (((acc)[0] + (acc)[1]) + ((acc)[2] + (acc)[3]))

/* The full gradients of several fits over the same columns in one pass: each call's
 * contribution to every fit's sum is read from one row of gamma (n_rows, stride), one sum per
 * (fit, block), the row padded with zeros to a whole number of blocks of GRAD_WIDTH sums. */
#define GRAD_WIDTH 8
typedef struct {
    cd_fit_t **fits;
    int n_fits, n_sums, stride;
    const double *gamma;     // (n_rows, stride)
    const double *gamma_sum; // (n_sums)
} grad_ctx_t;

/* The values' sum of a column's n calls en. */
static inline __attribute__((always_inline)) double column_total(const uint32_t *en, int64_t n, const float *val)
{
    double acc[4] = {0};
#define STEP(e, r) acc[r] += val[entry_code(en[e])]
    FOR_CALLS4(n, STEP);
#undef STEP
    return TOTAL4(acc);
}

/* The column's sum of gamma[row] * value over its calls. */
static inline __attribute__((always_inline)) double column_sum1(const uint32_t *en, int64_t n, const float *val, const double *gamma)
{
    double acc[4] = {0};
#define STEP(e, r) acc[r] += gamma[entry_row(en[e])] * val[entry_code(en[e])]
    FOR_CALLS4(n, STEP);
#undef STEP
    return TOTAL4(acc);
}

/* column_sum1 for the 8 sums gamma[row * stride + 0..8) at once, in vector registers: each sum
 * a lane of its own, so the same bits as column_sum1 gives it. */
typedef double v4d __attribute__((vector_size(32)));
typedef double v4d_unaligned __attribute__((vector_size(32), aligned(8), may_alias)); // as immintrin.h's __m256d_u
static inline __attribute__((always_inline)) void column_sum8(const uint32_t *en, int64_t n, const float *val, const double *gamma, int64_t stride,
                               double *sum)
{
    v4d lo[4] = {{0}}, hi[4] = {{0}};
#define STEP(e, r)                                                                        \
    do {                                                                                  \
        const double *g_ = gamma + (int64_t)entry_row(en[e]) * stride;                    \
        double v_ = val[entry_code(en[e])];                                               \
        lo[r] += *(const v4d_unaligned *)g_ * v_, hi[r] += *(const v4d_unaligned *)(g_ + 4) * v_; \
    } while (0)
    FOR_CALLS4(n, STEP);
#undef STEP
    v4d a = TOTAL4(lo), b = TOTAL4(hi);
    for (int t = 0; t < 4; t++) sum[t] = a[t], sum[4 + t] = b[t];
}

/* grad_kj = sum_i gamma_ki (x_ij - xbar_j) for columns [begin, end). Each sum's order depends
 * only on the column (FOR_CALLS4), so any split over the threads, and any set of fits passed
 * together, gives the same bits. */
CD_HOT static void grad_columns(void *ctx, int64_t begin, int64_t end, int chunk)
{
    (void)chunk;
    const grad_ctx_t *g = ctx;
    const cd_columns_t *x = g->fits[0]->p->x;
    int64_t N = x->n_rows, M = x->n_cols, stride = g->stride;
    double sum[stride];
    for (int64_t j = begin; j < end; j++) {
        const uint32_t *en = x->entry + x->start[j];
        int64_t n = x->start[j + 1] - x->start[j];
        double sx = column_total(en, n, x->value[j]);
        if (stride == 1) sum[0] = column_sum1(en, n, x->value[j], g->gamma);
        else
            for (int64_t t = 0; t < stride; t += GRAD_WIDTH)
                column_sum8(en, n, x->value[j], g->gamma + t, stride, sum + t);
        for (int b = 0, t = 0; b < g->n_fits; b++)
            for (int k = 0; k < g->fits[b]->p->n_blocks; k++, t++)
                g->fits[b]->grad[k * M + j] = sum[t] - sx / (double)N * g->gamma_sum[t];
    }
}

/* The gradient of the loss at each fit's current solution, into its grad; fits[0..n) share
 * one pass over the columns (split over the threads). -1 out of memory. */
static int full_gradients(cd_fit_t **fits, int n)
{
    int64_t N = fits[0]->p->x->n_rows, S = 0;
    for (int b = 0; b < n; b++) S += fits[b]->p->n_blocks;
    int64_t stride = S == 1 ? 1 : (S + GRAD_WIDTH - 1) / GRAD_WIDTH * GRAD_WIDTH;
    double *gamma = calloc((size_t)(N * stride + 1), sizeof *gamma), *gamma_sum = calloc((size_t)S, sizeof *gamma_sum);
    if (!gamma || !gamma_sum) {
        free(gamma), free(gamma_sum);
        gdl_log_error("out of memory");
        return -1;
    }
    for (int b = 0, t = 0; b < n; b++) {
        cd_fit_t *f = fits[b];
        for (int k = 0; k < f->p->n_blocks; k++, t++) {
            double *gk = f->gamma + k * N;
            derivatives(f, k, gk, NULL);
            for (int64_t i = 0; i < N; i++) gamma[i * stride + t] = gk[i], gamma_sum[t] += gk[i];
        }
    }
    grad_ctx_t g = {fits, n, (int)S, (int)stride, gamma, gamma_sum};
    gdl_parallel_for(fits[0]->p->x->n_cols, grad_columns, &g);
    free(gamma), free(gamma_sum);
    return 0;
}

/* ---- Newton steps and coordinate sweeps -------------------------------------------------------- */

/* Which columns a sweep visits: every candidate, the first sweep of a Newton step also computing
 * their moments under its weights h (a and hx2), or the candidates with w != 0. */
typedef enum { SWEEP_FIRST, SWEEP_ALL, SWEEP_NONZERO } sweep_t;

/* One sweep of block k over its candidates; the largest objective decrease H D^2 of a step. */
CD_HOT static double sweep(cd_fit_t *f, int k, double l1, double l2, double hsum, double *Q, sweep_t which)
{
    const cd_columns_t *x = f->p->x;
    int64_t M = x->n_cols;
    double *w = f->w + k * M, *h = f->h, *q = f->q, worst = 0;
    const uint8_t *cand = f->candidate + k * M;
    for (int64_t j = 0; j < M; j++) {
        if (!cand[j] || (which == SWEEP_NONZERO && w[j] == 0)) continue;
        const float *val = x->value[j];
        const uint32_t *en = x->entry + x->start[j];
        int64_t n = x->start[j + 1] - x->start[j];
        double hxq[4] = {0};
        if (which == SWEEP_FIRST) { // sum h x, sum h x^2 and sum h x q in one pass
            double hx[4] = {0}, hx2[4] = {0};
#define STEP(e, r)                                                                                 \
    do {                                                                                           \
        uint32_t i_ = entry_row(en[e]);                                                            \
        double v_ = val[entry_code(en[e])], hv_ = h[i_] * v_;                                      \
        hx[r] += hv_, hx2[r] += hv_ * v_, hxq[r] += hv_ * q[i_];                                   \
    } while (0)
            FOR_CALLS4(n, STEP);
#undef STEP
            f->a[j] = TOTAL4(hx), f->hx2[j] = TOTAL4(hx2);
        }
        double m = f->a[j] / hsum, H = f->hx2[j] - f->a[j] * m;
        if (!(H > 1e-12 * hsum)) continue; // constant over the fitted rows
        if (which != SWEEP_FIRST) {
#define STEP(e, r) hxq[r] += h[entry_row(en[e])] * val[entry_code(en[e])] * q[entry_row(en[e])]
            FOR_CALLS4(n, STEP);
#undef STEP
        }
        double g = TOTAL4(hxq) - m * *Q;
        double sd = x->scale[j], z = g + H * w[j], a = fabs(z) - l1 * sd;
        double wn = a > 0 ? copysign(a, z) / (H + l2 * sd * sd) : 0, D = wn - w[j];
        if (D == 0) continue;
        w[j] = wn;
        for (int64_t e = 0; e < n; e++) q[entry_row(en[e])] -= D * val[entry_code(en[e])];
        *Q -= D * f->a[j];
        f->c[k] -= D * m;
        worst = fmax(worst, H * D * D);
    }
    f->passes++;
    return worst;
}

/* Block k's Newton step: its quadratic model at the current fit, minimised over the intercept
 * and the candidates. Returns the largest decrease of the first sweep (how far the fit was from
 * this step's optimum), or -1 when the sweeps did not converge. */
static double newton_step(cd_fit_t *f, int k, double l1, double l2)
{
    const cd_columns_t *x = f->p->x;
    int64_t N = x->n_rows;
    double *h = f->h, *q = f->q, hsum = 0, hq = 0;
    derivatives(f, k, q, h);
    for (int64_t i = 0; i < N; i++) {
        q[i] = h[i] > 0 ? -q[i] / h[i] : 0;
        hsum += h[i], hq += h[i] * q[i];
    }
    if (!(hsum > 0)) return 0;
    double dc = hq / hsum, Q = 0, first;
    f->c[k] += dc;
    for (int64_t i = 0; i < N; i++) {
        if (h[i] > 0) q[i] -= dc;
        Q += h[i] * q[i];
    }
    double *q0 = f->gamma + k * N; // the residual before the sweeps: s moves by what q lost
    memcpy(q0, q, (size_t)N * sizeof *q0);
    first = fmax(sweep(f, k, l1, l2, hsum, &Q, SWEEP_FIRST), hsum * dc * dc);
    double d = first;
    for (int n = 0; d >= f->tol; n++) { // glmnet: sweep the nonzero ones to convergence, then all again
        if (n >= MAX_SWEEPS) return -1;
        while (sweep(f, k, l1, l2, hsum, &Q, SWEEP_NONZERO) >= f->tol)
            if (++n >= MAX_SWEEPS) return -1;
        d = sweep(f, k, l1, l2, hsum, &Q, SWEEP_ALL);
    }
    double *s = f->s + k * N;
    for (int64_t i = 0; i < N; i++) s[i] += q0[i] - q[i];
    return first;
}

/* Newton steps over the blocks until none moves the fit. -1 when they do not converge. */
static int newton(cd_fit_t *f, double l1, double l2)
{
    for (int it = 0; it < MAX_NEWTON; it++) {
        double worst = 0;
        for (int k = 0; k < f->p->n_blocks; k++) {
            double d = newton_step(f, k, l1, l2);
            if (d < 0) {
                gdl_log_error("coordinate descent: no convergence at l1 %.4g, l2 %.4g after %d sweeps", l1, l2,
                              MAX_SWEEPS);
                return -1;
            }
            worst = fmax(worst, d);
        }
        if (worst < f->tol) return 0;
    }
    gdl_log_error("coordinate descent: no convergence at l1 %.4g, l2 %.4g after %d Newton steps", l1, l2, MAX_NEWTON);
    return -1;
}

/* ---- the fit ----------------------------------------------------------------------------------- */

/* gdl_cd_fit_init without the gradient. */
static int fit_start(cd_fit_t *f, const cd_problem_t *p)
{
    int K = p->n_blocks;
    int64_t N = p->x->n_rows, M = p->x->n_cols;
    memset(f, 0, sizeof *f);
    f->p = p;
    f->w = calloc((size_t)(K * M + 1), sizeof *f->w);
    f->c = calloc((size_t)K, sizeof *f->c);
    f->s = calloc((size_t)(K * N + 1), sizeof *f->s);
    f->grad = calloc((size_t)(K * M + 1), sizeof *f->grad);
    f->candidate = calloc((size_t)(K * M + 1), 1);
    f->gamma = malloc((size_t)(K * N + 1) * sizeof *f->gamma);
    f->h = malloc((size_t)(N + 1) * sizeof *f->h);
    f->q = malloc((size_t)(N + 1) * sizeof *f->q);
    f->a = malloc((size_t)(M + 1) * sizeof *f->a);
    f->hx2 = malloc((size_t)(M + 1) * sizeof *f->hx2);
    if (!f->w || !f->c || !f->s || !f->grad || !f->candidate || !f->gamma || !f->h || !f->q || !f->a || !f->hx2) {
        gdl_cd_fit_free(f);
        gdl_log_error("out of memory");
        return -1;
    }
    f->tol = 1e-15; // the intercepts alone, to convergence; then the tolerance from their loss
    f->l1_prev = -1;
    if (newton(f, 0, 0) != 0) {
        gdl_cd_fit_free(f);
        return -1;
    }
    double null_loss = 0;
    for (int k = 0; k < K; k++) {
        const double *y = p->y + k * N, *wt = p->weight + k * N;
        for (int64_t i = 0; i < N; i++) {
            if (wt[i] <= 0) continue;
            double eta = f->c[k] + f->s[k * N + i];
            null_loss += p->family == CD_GAUSSIAN ? wt[i] * (eta - y[i]) * (eta - y[i])
                         : p->family == CD_LOGISTIC ? wt[i] * (y[i] > 0.5 ? -log(sigmoid(eta)) : -log(sigmoid(-eta)))
                                                    : wt[i] * y[i] * -log(class_prob(f, i, k));
        }
    }
    f->tol = 1e-7 * (null_loss > 0 ? null_loss : 1); // glmnet's thresh
    return 0;
}

int gdl_cd_fits_init(cd_fit_t **fits, const cd_problem_t *const *problems, int n)
{
    int made = 0;
    for (; made < n; made++)
        if (fit_start(fits[made], problems[made]) != 0) break;
    if (made == n && full_gradients(fits, n) == 0) return 0;
    for (int b = 0; b < made; b++) gdl_cd_fit_free(fits[b]);
    return -1;
}

int gdl_cd_fit_init(cd_fit_t *f, const cd_problem_t *p) { return gdl_cd_fits_init(&f, &p, 1); }

void gdl_cd_fit_free(cd_fit_t *f)
{
    free(f->w), free(f->c), free(f->s), free(f->grad), free(f->candidate);
    free(f->gamma), free(f->h), free(f->q), free(f->a), free(f->hx2);
    memset(f, 0, sizeof *f);
}

double gdl_cd_fit_lambda_max(const cd_fit_t *f)
{
    const cd_columns_t *x = f->p->x;
    double top = 0;
    for (int k = 0; k < f->p->n_blocks; k++)
        for (int64_t j = 0; j < x->n_cols; j++)
            if (x->scale[j] > 0) top = fmax(top, fabs(f->grad[k * x->n_cols + j]) / x->scale[j]);
    return top;
}

/* The fits of gdl_cd_fits_solve still solving, spread over the threads a fit at a time. */
typedef struct {
    cd_fit_t **fits;
    const double *l1, *l2;
    const int *which; // (n) indices into fits and l1, l2
    int n, next;
    int *failed;      // (n)
} newton_jobs_t;

static void newton_jobs(void *ctx, int64_t begin, int64_t end, int chunk)
{
    (void)begin, (void)end, (void)chunk;
    newton_jobs_t *c = ctx;
    for (int job; (job = __atomic_fetch_add(&c->next, 1, __ATOMIC_RELAXED)) < c->n;) {
        int b = c->which[job];
        c->failed[job] = newton(c->fits[b], c->l1[b], c->l2[b]) != 0;
    }
}

/* Orders which[0..n) so the fits with the most non-zero weights (the longest sweeps) are taken
 * first, ties in index order: the threads then finish together. cost: (n) work space. */
static void order_by_cost(cd_fit_t **fits, int *which, int n, int *cost)
{
    for (int o = 0; o < n; o++) cost[o] = (int)gdl_cd_fit_nonzero(fits[which[o]]);
    for (int o = 1; o < n; o++)
        for (int u = o; u > 0 && (cost[u] > cost[u - 1] || (cost[u] == cost[u - 1] && which[u] < which[u - 1])); u--) {
            int t = which[u];
            which[u] = which[u - 1], which[u - 1] = t;
            t = cost[u], cost[u] = cost[u - 1], cost[u - 1] = t;
        }
}

int gdl_cd_fits_solve(cd_fit_t **fits, int n, const double *l1, const double *l2)
{
    int *which = malloc((size_t)(n + 1) * sizeof *which), *failed = malloc((size_t)(n + 1) * sizeof *failed);
    cd_fit_t **open = malloc((size_t)(n + 1) * sizeof *open);
    int ret = -1, n_open = n;
    if (!which || !failed || !open) {
        gdl_log_error("out of memory");
        goto out;
    }
    for (int b = 0; b < n; b++) { // sequential strong rule (Tibshirani et al. 2012)
        cd_fit_t *f = fits[b];
        const cd_columns_t *x = f->p->x;
        int64_t M = x->n_cols;
        double bar = f->l1_prev >= 0 ? 2 * l1[b] - f->l1_prev : l1[b];
        for (int k = 0; k < f->p->n_blocks; k++)
            for (int64_t j = 0; j < M; j++) {
                double s = x->scale[j], g = fabs(f->grad[k * M + j]);
                f->candidate[k * M + j] = s > 0 && (f->w[k * M + j] != 0 || g >= s * bar);
            }
        which[b] = b;
    }
    while (n_open > 0) { // solve on the candidates, then check every variant's optimality condition
        order_by_cost(fits, which, n_open, failed);
        newton_jobs_t c = {fits, l1, l2, which, n_open, 0, failed};
        int threads = gdl_threads_get();
        gdl_parallel_for(threads < n_open ? threads : n_open, newton_jobs, &c);
        for (int o = 0; o < n_open; o++)
            if (failed[o]) goto out;
        for (int o = 0; o < n_open; o++) open[o] = fits[which[o]];
        if (full_gradients(open, n_open) != 0) goto out;
        int still = 0;
        for (int o = 0; o < n_open; o++) {
            cd_fit_t *f = open[o];
            const cd_columns_t *x = f->p->x;
            int64_t M = x->n_cols, violations = 0; // a zero weight whose gradient exceeds its threshold
            double l1b = l1[which[o]];
            for (int k = 0; k < f->p->n_blocks; k++)
                for (int64_t j = 0; j < M; j++) {
                    uint8_t *cand = &f->candidate[k * M + j];
                    if (*cand || !(x->scale[j] > 0)) continue;
                    if (fabs(f->grad[k * M + j]) > l1b * x->scale[j] * (1 + 1e-9)) *cand = 1, violations++;
                }
            if (violations) which[still++] = which[o];
            else f->l1_prev = l1b;
        }
        n_open = still;
    }
    ret = 0;
out:
    free(which), free(failed), free(open);
    return ret;
}

int gdl_cd_fit_solve(cd_fit_t *f, double l1, double l2) { return gdl_cd_fits_solve(&f, 1, &l1, &l2); }

double gdl_cd_fit_loss(const cd_fit_t *f, const int64_t *rows, int64_t n)
{
    const cd_problem_t *p = f->p;
    int64_t N = p->x->n_rows;
    double sum = 0;
    int64_t count = 0;
    for (int64_t r = 0; r < n; r++) {
        int64_t i = rows[r];
        for (int k = 0; k < p->n_blocks; k++) {
            double y = p->y[k * N + i], eta = f->c[k] + f->s[k * N + i];
            if (isnan(y)) continue;
            if (p->family == CD_GAUSSIAN) sum += (eta - y) * (eta - y), count++;
            else if (p->family == CD_LOGISTIC) sum += y > 0.5 ? -log(sigmoid(eta)) : -log(sigmoid(-eta)), count++;
            else if (y > 0.5) sum -= log(class_prob(f, i, k)), count++;
        }
    }
    return count ? sum / (double)count : NAN;
}

void gdl_cd_fit_scores(const cd_fit_t *f, const int64_t *rows, int64_t n, float *out)
{
    const cd_problem_t *p = f->p;
    int K = p->n_blocks;
    int64_t N = p->x->n_rows;
    for (int64_t r = 0; r < n; r++)
        for (int k = 0; k < K; k++) {
            int64_t i = rows[r];
            double eta = f->c[k] + f->s[k * N + i];
            out[r * K + k] = (float)(p->family == CD_GAUSSIAN ? eta : p->family == CD_LOGISTIC ? sigmoid(eta)
                                                                                              : class_prob(f, i, k));
        }
}

int64_t gdl_cd_fit_nonzero(const cd_fit_t *f)
{
    int64_t n = 0, all = (int64_t)f->p->n_blocks * f->p->x->n_cols;
    for (int64_t k = 0; k < all; k++) n += f->w[k] != 0;
    return n;
}
