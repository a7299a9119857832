/* Coordinate descent on the elastic-net linear model (src/model/cd.c): scikit-learn's penalised
 * logistic regressions (tests/data/nn/elastic_net.txt, made by tests/ref/make_penalty_fixtures.py),
 * ridge regression's closed form, the optimality (KKT) conditions of every family along a path
 * checked by a gradient computed here from the dense matrix, lambda_max, and the same bits on 1
 * and 2 threads. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "gdl/core.h"
#include "model/cd.h"
#include "test.h"

#ifndef TEST_DATA
#define TEST_DATA "tests/data"
#endif

/* Columns from a dense (N, V) matrix of codes 0-3; value[j] = {0, 1, 2, mean_j} (dosage). */
static void make_columns(cd_columns_t *x, int N, int V, const int *code, const double *mean, const double *sd)
{
    memset(x, 0, sizeof *x);
    x->n_rows = N, x->n_cols = V;
    x->start = calloc(V + 1, sizeof *x->start);
    x->entry = malloc((size_t)N * V * sizeof *x->entry);
    x->value = malloc(V * sizeof *x->value);
    x->scale = malloc(V * sizeof *x->scale);
    int64_t n = 0;
    for (int j = 0; j < V; j++) {
        x->start[j] = n;
        for (int i = 0; i < N; i++)
            if (code[i * V + j]) x->entry[n++] = (uint32_t)i | (uint32_t)code[i * V + j] << GDL_CALL_CODE_SHIFT;
        x->value[j][0] = 0, x->value[j][1] = 1, x->value[j][2] = 2, x->value[j][3] = (float)mean[j];
        x->scale[j] = sd[j];
    }
    x->start[V] = n;
}

static double column_value(const cd_columns_t *x, const int *code, int i, int j)
{
    return x->value[j][code[i * x->n_cols + j]];
}

static void test_cd_matches_sklearn(void)
{
    FILE *fp = fopen(TEST_DATA "/nn/elastic_net.txt", "r");
    CHECK(fp != NULL);
    if (!fp) return;
    int N, V, K;
    CHECK(fscanf(fp, "%d %d", &N, &V) == 2);
    int *code = malloc((size_t)N * V * sizeof *code);
    double *y = malloc(N * sizeof *y), *wt = malloc(N * sizeof *wt), *mu = malloc(V * sizeof *mu),
           *sd = malloc(V * sizeof *sd), *beta = malloc(V * sizeof *beta);
    for (int i = 0; i < N; i++) {
        for (int j = 0; j < V; j++) CHECK(fscanf(fp, "%d", &code[i * V + j]) == 1);
        CHECK(fscanf(fp, "%lf", &y[i]) == 1);
        wt[i] = 1.0 / N;
    }
    for (int j = 0; j < V; j++) CHECK(fscanf(fp, "%lf", &mu[j]) == 1);
    for (int j = 0; j < V; j++) CHECK(fscanf(fp, "%lf", &sd[j]) == 1);
    CHECK(fscanf(fp, "%d", &K) == 1);
    cd_columns_t x;
    make_columns(&x, N, V, code, mu, sd);
    cd_problem_t p = {&x, CD_LOGISTIC, 1, y, wt};
    for (int k = 0; k < K; k++) {
        double C, rho, intercept;
        CHECK(fscanf(fp, "%lf %lf %lf", &C, &rho, &intercept) == 3);
        for (int j = 0; j < V; j++) CHECK(fscanf(fp, "%lf", &beta[j]) == 1);
        cd_fit_t f;
        CHECK(gdl_cd_fit_init(&f, &p) == 0);
        f.tol = 1e-16;
        CHECK(gdl_cd_fit_solve(&f, rho / (C * N), (1 - rho) / (C * N)) == 0);
        double b0 = f.c[0];
        int zeros = 0;
        for (int j = 0; j < V; j++) {
            CHECK_CLOSE(f.w[j] * sd[j], beta[j], 1e-5);
            b0 += f.w[j] * mu[j];
            if (fabs(beta[j]) < 1e-9) { // the lasso's zeros are exact
                CHECK(f.w[j] == 0.0);
                zeros++;
            }
        }
        CHECK(k == K - 1 || zeros >= 5);
        CHECK_CLOSE(b0, intercept, 1e-5); // scikit-learn's intercept is on the centred columns
        gdl_cd_fit_free(&f);
    }
    fclose(fp);
    gdl_cd_columns_free(&x);
    free(code), free(y), free(wt), free(mu), free(sd), free(beta);
}

/* A random cohort: N x V codes (some missing), each column's mean and SD, and labels of each
 * family from a few of the columns. */
typedef struct {
    int N, V, K;
    int *code;
    double *mean, *sd, *y, *wt;
} cohort_t;

static void make_cohort(cohort_t *c, cd_family_t family, int N, int V, int K, uint64_t seed)
{
    gdl_rng_t rng;
    gdl_rng_init(&rng, seed, 0);
    c->N = N, c->V = V, c->K = K;
    c->code = malloc((size_t)N * V * sizeof *c->code);
    c->mean = calloc(V, sizeof *c->mean), c->sd = calloc(V, sizeof *c->sd);
    c->y = malloc((size_t)K * N * sizeof *c->y), c->wt = malloc((size_t)K * N * sizeof *c->wt);
    for (int j = 0; j < V; j++) {
        double f = 0.03 + 0.45 * gdl_rng_uniform(&rng), s = 0, s2 = 0;
        int called = 0;
        for (int i = 0; i < N; i++) {
            int g = (gdl_rng_uniform(&rng) < f) + (gdl_rng_uniform(&rng) < f);
            if (gdl_rng_uniform(&rng) < 0.02) g = 3; // missing
            c->code[i * V + j] = g;
            if (g < 3) s += g, s2 += g * g, called++;
        }
        c->mean[j] = s / called;
        c->sd[j] = sqrt(fmax(0, s2 / called - c->mean[j] * c->mean[j]));
    }
    for (int i = 0; i < N; i++) {
        double eta[4];
        for (int k = 0; k < K; k++) {
            int a = (3 * k) % V, b = (3 * k + 5) % V;
            double xa = c->code[i * V + a] == 3 ? c->mean[a] : c->code[i * V + a];
            double xb = c->code[i * V + b] == 3 ? c->mean[b] : c->code[i * V + b];
            eta[k] = 0.9 * xa - 0.7 * xb + 0.3 * k + 0.5 * (gdl_rng_uniform(&rng) - 0.5);
        }
        int cls = 0;
        for (int k = 1; k < K; k++) cls = eta[k] > eta[cls] ? k : cls;
        for (int k = 0; k < K; k++) {
            double v = family == CD_GAUSSIAN ? eta[k] + gdl_rng_normal(&rng)
                       : family == CD_LOGISTIC ? (gdl_rng_uniform(&rng) < 1 / (1 + exp(-(eta[k] - 0.6))))
                                               : (k == cls);
            int out = i % 7 == 3; // rows out of the fit, as an inner fold's held-out rows
            c->y[k * N + i] = v;
            // the loss is a mean; positive weights 2 on the logistic targets
            double w = family == CD_MULTINOMIAL ? 1.0 / N : (family == CD_LOGISTIC && v > 0.5 ? 2.0 : 1.0) / (N * K);
            c->wt[k * N + i] = out ? 0 : w;
        }
    }
}

static void free_cohort(cohort_t *c)
{
    free(c->code), free(c->mean), free(c->sd), free(c->y), free(c->wt);
}

/* The optimality conditions at (l1, l2), from a gradient of the loss computed here: the
 * intercepts' gradients vanish; a non-zero w_j has grad_j + l1 s_j sign(w_j) + l2 s_j^2 w_j = 0,
 * a zero one |grad_j| <= l1 s_j. Returns the largest violation. */
static double kkt_violation(const cd_fit_t *f, const cohort_t *c, cd_family_t family, double l1, double l2)
{
    const cd_columns_t *x = f->p->x;
    int N = c->N, V = c->V, K = c->K;
    double worst = 0;
    double *eta = malloc((size_t)K * N * sizeof *eta), *gamma = malloc((size_t)K * N * sizeof *gamma);
    for (int k = 0; k < K; k++)
        for (int i = 0; i < N; i++) {
            double e = f->c[k];
            for (int j = 0; j < V; j++) e += f->w[k * V + j] * column_value(x, c->code, i, j);
            eta[k * N + i] = e;
        }
    for (int i = 0; i < N; i++) {
        double mx = -INFINITY, se = 0;
        for (int k = 0; k < K; k++) mx = fmax(mx, eta[k * N + i]);
        for (int k = 0; k < K; k++) se += exp(eta[k * N + i] - mx);
        for (int k = 0; k < K; k++) {
            double e = eta[k * N + i], y = c->y[k * N + i], w = c->wt[k * N + i];
            double pr = family == CD_LOGISTIC ? 1 / (1 + exp(-e)) : exp(e - mx) / se;
            gamma[k * N + i] = family == CD_GAUSSIAN ? 2 * w * (e - y) : w * (pr - y);
        }
    }
    for (int k = 0; k < K; k++) {
        double g0 = 0;
        for (int i = 0; i < N; i++) g0 += gamma[k * N + i];
        worst = fmax(worst, fabs(g0));
        for (int j = 0; j < V; j++) {
            double g = 0, w = f->w[k * V + j], s = c->sd[j];
            for (int i = 0; i < N; i++) g += gamma[k * N + i] * column_value(x, c->code, i, j);
            if (w != 0) worst = fmax(worst, fabs(g + l1 * s * (w > 0 ? 1 : -1) + l2 * s * s * w));
            else worst = fmax(worst, fabs(g) - l1 * s);
        }
    }
    free(eta), free(gamma);
    return worst;
}

static void test_cd_optimal_along_path(void)
{
    const cd_family_t families[3] = {CD_LOGISTIC, CD_GAUSSIAN, CD_MULTINOMIAL};
    for (int fam = 0; fam < 3; fam++) {
        cohort_t c;
        int K = families[fam] == CD_MULTINOMIAL ? 3 : 2;
        make_cohort(&c, families[fam], 240, 30, K, 40 + fam);
        cd_columns_t x;
        make_columns(&x, c.N, c.V, c.code, c.mean, c.sd);
        cd_problem_t p = {&x, families[fam], K, c.y, c.wt};
        cd_fit_t f;
        CHECK(gdl_cd_fit_init(&f, &p) == 0);
        f.tol = 1e-14;
        double lmax = gdl_cd_fit_lambda_max(&f);
        CHECK(lmax > 0);
        CHECK(gdl_cd_fit_solve(&f, lmax * (1 + 1e-9), 0) == 0);
        CHECK(gdl_cd_fit_nonzero(&f) == 0); // at lambda_max every weight stays at zero
        CHECK(gdl_cd_fit_solve(&f, lmax * 0.97, 0) == 0);
        CHECK(gdl_cd_fit_nonzero(&f) >= 1); // and just below it one leaves
        int64_t last = 0;
        for (int e = 1; e <= 12; e++) {
            double lam = lmax * pow(0.02, e / 12.0), l1 = 0.5 * lam, l2 = 0.5 * lam;
            CHECK(gdl_cd_fit_solve(&f, l1, l2) == 0);
            double v = kkt_violation(&f, &c, families[fam], l1, l2);
            if (v > 1e-6) fprintf(stderr, "family %d step %d: KKT violated by %g\n", fam, e, v);
            CHECK(v < 1e-6);
            last = gdl_cd_fit_nonzero(&f);
        }
        CHECK(last > 10 && last < (int64_t)K * c.V); // a sparse fit, not all and not none
        gdl_cd_fit_free(&f);
        gdl_cd_columns_free(&x);
        free_cohort(&c);
    }
}

/* Ridge regression (l1 = 0) against its normal equations: (2/n) Xc' Xc w + l2 S^2 w = (2/n) Xc' y,
 * Xc the columns centred over the fitted rows. */
static void test_cd_ridge_closed_form(void)
{
    cohort_t c;
    make_cohort(&c, CD_GAUSSIAN, 200, 8, 1, 7);
    cd_columns_t x;
    make_columns(&x, c.N, c.V, c.code, c.mean, c.sd);
    cd_problem_t p = {&x, CD_GAUSSIAN, 1, c.y, c.wt};
    cd_fit_t f;
    CHECK(gdl_cd_fit_init(&f, &p) == 0);
    f.tol = 1e-20;
    double l2 = 0.3;
    CHECK(gdl_cd_fit_solve(&f, 0, l2) == 0);
    int V = c.V, N = c.N;
    double A[8][9], xm[8] = {0}, ym = 0, W = 0;
    for (int i = 0; i < N; i++) {
        double w = c.wt[i];
        W += w, ym += w * c.y[i];
        for (int j = 0; j < V; j++) xm[j] += w * column_value(&x, c.code, i, j);
    }
    ym /= W;
    for (int j = 0; j < V; j++) xm[j] /= W;
    for (int a = 0; a < V; a++) {
        for (int b = 0; b <= V; b++) A[a][b] = 0;
        for (int i = 0; i < N; i++) {
            double w = c.wt[i], xa = column_value(&x, c.code, i, a) - xm[a];
            for (int b = 0; b < V; b++) A[a][b] += 2 * w * xa * (column_value(&x, c.code, i, b) - xm[b]);
            A[a][V] += 2 * w * xa * (c.y[i] - ym);
        }
        A[a][a] += l2 * c.sd[a] * c.sd[a];
    }
    for (int a = 0; a < V; a++) // Gauss-Jordan; the matrix is positive definite
        for (int b = 0; b < V; b++) {
            if (b == a) continue;
            double r = A[b][a] / A[a][a];
            for (int k = 0; k <= V; k++) A[b][k] -= r * A[a][k];
        }
    double c0 = ym;
    for (int j = 0; j < V; j++) {
        double want = A[j][V] / A[j][j];
        CHECK_CLOSE(f.w[j], want, 1e-7);
        c0 -= want * xm[j];
    }
    CHECK_CLOSE(f.c[0], c0, 1e-7);
    gdl_cd_fit_free(&f);
    gdl_cd_columns_free(&x);
    free_cohort(&c);
}

/* The full gradient goes over the threads by column: the fit is the same bits on 1 and 2. */
static void test_cd_same_bits_on_threads(void)
{
    cohort_t c;
    make_cohort(&c, CD_LOGISTIC, 300, 50, 2, 11);
    cd_columns_t x;
    make_columns(&x, c.N, c.V, c.code, c.mean, c.sd);
    cd_problem_t p = {&x, CD_LOGISTIC, 2, c.y, c.wt};
    double *w[2];
    for (int t = 0; t < 2; t++) {
        gdl_threads_set(t + 1);
        cd_fit_t f;
        CHECK(gdl_cd_fit_init(&f, &p) == 0);
        double lmax = gdl_cd_fit_lambda_max(&f);
        for (int e = 1; e <= 8; e++) CHECK(gdl_cd_fit_solve(&f, lmax * pow(0.05, e / 8.0), 0.01) == 0);
        w[t] = malloc(2 * c.V * sizeof *w[t]);
        memcpy(w[t], f.w, 2 * c.V * sizeof *w[t]);
        gdl_cd_fit_free(&f);
    }
    gdl_threads_set(1);
    CHECK(memcmp(w[0], w[1], 2 * c.V * sizeof *w[0]) == 0);
    free(w[0]), free(w[1]);
    gdl_cd_columns_free(&x);
    free_cohort(&c);
}

/* Fits solved together (gdl_cd_fits_solve: shared gradient passes, Newton steps over the threads)
 * give each fit the bits it gets alone, with fits that differ in rows and penalties. */
static void test_cd_fits_together_same_bits(void)
{
    enum { B = 3, STEPS = 8 };
    cohort_t c;
    make_cohort(&c, CD_LOGISTIC, 300, 50, 2, 13);
    cd_columns_t x;
    make_columns(&x, c.N, c.V, c.code, c.mean, c.sd);
    double *wt[B], *alone[B], lmax[B];
    cd_problem_t p[B];
    cd_fit_t f[B], *fits[B];
    for (int b = 0; b < B; b++) { // fit b leaves out every (b + 2)-th row, as an inner fold does
        wt[b] = malloc(2 * c.N * sizeof *wt[b]);
        for (int64_t k = 0; k < 2 * c.N; k++) wt[b][k] = (k % c.N) % (b + 2) == 0 ? 0 : c.wt[k];
        p[b] = (cd_problem_t){&x, CD_LOGISTIC, 2, c.y, wt[b]};
        CHECK(gdl_cd_fit_init(&f[b], &p[b]) == 0);
        lmax[b] = gdl_cd_fit_lambda_max(&f[b]);
        for (int e = 1; e <= STEPS; e++) CHECK(gdl_cd_fit_solve(&f[b], lmax[b] * pow(0.05, e / 8.0), 0.01 * b) == 0);
        alone[b] = malloc((2 * c.V + 2) * sizeof *alone[b]);
        memcpy(alone[b], f[b].w, 2 * c.V * sizeof *alone[b]);
        memcpy(alone[b] + 2 * c.V, f[b].c, 2 * sizeof *alone[b]);
        CHECK(gdl_cd_fit_nonzero(&f[b]) > 0);
        gdl_cd_fit_free(&f[b]);
    }
    gdl_threads_set(2);
    for (int b = 0; b < B; b++) {
        CHECK(gdl_cd_fit_init(&f[b], &p[b]) == 0);
        fits[b] = &f[b];
    }
    for (int e = 1; e <= STEPS; e++) {
        double l1[B], l2[B];
        for (int b = 0; b < B; b++) l1[b] = lmax[b] * pow(0.05, e / 8.0), l2[b] = 0.01 * b;
        CHECK(gdl_cd_fits_solve(fits, B, l1, l2) == 0);
    }
    gdl_threads_set(1);
    for (int b = 0; b < B; b++) {
        CHECK(memcmp(alone[b], f[b].w, 2 * c.V * sizeof *alone[b]) == 0);
        CHECK(memcmp(alone[b] + 2 * c.V, f[b].c, 2 * sizeof *alone[b]) == 0);
        gdl_cd_fit_free(&f[b]);
        free(wt[b]), free(alone[b]);
    }
    gdl_cd_columns_free(&x);
    free_cohort(&c);
}

int main(void)
{
    gdl_threads_set(1);
    RUN(test_cd_matches_sklearn);
    RUN(test_cd_optimal_along_path);
    RUN(test_cd_ridge_closed_form);
    RUN(test_cd_same_bits_on_threads);
    RUN(test_cd_fits_together_same_bits);
    return TEST_EXIT();
}
