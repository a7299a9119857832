/* The BOOST interaction test on one 3 x 3 x 2 table (see epistasis.h): the exact likelihood
 * ratio by iterative proportional fitting, its closed-form bound from the Kirkwood superposition
 * approximation, chi-square tails, and the order of reported pairs.
 * Indices: i = a's genotype, j = b's genotype, k = case status; a dot sums over an index. */
#include <math.h>
#include <string.h>

#include "epi_internal.h"

#define IPF_TOL 1e-10
#define IPF_MAX_ITER 10000

static inline double xlx(uint32_t c, const double *xlogx)
{
    if (xlogx) return xlogx[c];
    return c ? (double)c * log((double)c) : 0.0;
}

void gdl_epi_margins(const uint32_t n[2][3][3], epi_margins_t *m)
{
    memset(m, 0, sizeof *m);
    for (int k = 0; k < 2; k++)
        for (int i = 0; i < 3; i++)
            for (int j = 0; j < 3; j++) {
                uint32_t c = n[k][i][j];
                m->ij[i][j] += c, m->ik[i][k] += c, m->jk[j][k] += c;
                m->i[i] += c, m->j[j] += c, m->k[k] += c, m->all += c;
            }
}

int gdl_epi_df_margins(const epi_margins_t *m)
{
    int I = (m->i[0] > 0) + (m->i[1] > 0) + (m->i[2] > 0), J = (m->j[0] > 0) + (m->j[1] > 0) + (m->j[2] > 0);
    if (m->k[0] == 0 || m->k[1] == 0) return 0;
    return (I - 1) * (J - 1);
}

int gdl_epi_df(const uint32_t n[2][3][3])
{
    epi_margins_t m;
    gdl_epi_margins(n, &m);
    return gdl_epi_df_margins(&m);
}

/* The bound with or without tables (tabled a constant, so each caller gets its own build);
 * partial sums in separate accumulators, as one chain of 48 dependent additions was the
 * scan's critical path. */
static inline __attribute__((always_inline)) double ksa_impl(const uint32_t n[2][3][3], const epi_margins_t *m,
                                                               const double *xlogx, const double *recip,
                                                               double threshold, int tabled)
{
#define XLX(c) (tabled ? xlogx[c] : xlx((c), NULL))
#define INV(c) (tabled ? recip[c] : ((c) ? 1.0 / (c) : 0.0))
    // eta = sum_ijk n_ij n_ik n_jk / (n_i n_j n_k): the approximation's normalising constant
    double eta = 0, inv_k0 = INV(m->k[0]), inv_k1 = INV(m->k[1]);
    for (int i = 0; i < 3; i++) {
        double si = 0;
        for (int j = 0; j < 3; j++) {
            double t = m->ik[i][0] * (double)m->jk[j][0] * inv_k0 + m->ik[i][1] * (double)m->jk[j][1] * inv_k1;
            si += m->ij[i][j] * t * INV(m->j[j]);
        }
        eta += si * INV(m->i[i]);
    }
    if (eta <= 0) return 0;
    double c0 = 0, c1 = 0, c2 = 0, c3 = 0;
    for (int i = 0; i < 3; i++) {
        c0 += XLX(n[0][i][0]) + XLX(n[0][i][1]) + XLX(n[0][i][2]);
        c1 += XLX(n[1][i][0]) + XLX(n[1][i][1]) + XLX(n[1][i][2]);
        c2 -= XLX(m->ij[i][0]) + XLX(m->ij[i][1]) + XLX(m->ij[i][2]);
        c3 += (XLX(m->i[i]) + XLX(m->j[i])) - (XLX(m->ik[i][0]) + XLX(m->ik[i][1])) -
              (XLX(m->jk[i][0]) + XLX(m->jk[i][1]));
    }
    double l = (c0 + c1) + (c2 + c3) + (XLX(m->k[0]) + XLX(m->k[1]) - XLX(m->all));
#undef XLX
#undef INV
    // log eta <= eta - 1, and eta is close to 1: a pair whose statistic with eta - 1 misses
    // the threshold misses it with log eta too, and needs no logarithm
    if (2 * (l + m->all * (eta - 1)) < threshold) return 0;
    l = 2 * (l + m->all * log(eta));
    return l > 0 ? l : 0; // rounding can leave -1e-13 for a table the approximation fits exactly
}

double gdl_epi_ksa(const uint32_t n[2][3][3], const epi_margins_t *m, const double *xlogx, const double *recip,
               double threshold)
{
    return ksa_impl(n, m, xlogx, recip, threshold, 1);
}

double gdl_epi_boost_ksa(const uint32_t n[2][3][3])
{
    epi_margins_t m;
    gdl_epi_margins(n, &m);
    return ksa_impl(n, &m, NULL, NULL, -1, 0);
}

double gdl_epi_boost_lr(const uint32_t n[2][3][3])
{
    epi_margins_t m;
    gdl_epi_margins(n, &m);
    if (gdl_epi_df_margins(&m) == 0) return 0;
    double mu[2][3][3];
    for (int k = 0; k < 2; k++)
        for (int i = 0; i < 3; i++)
            for (int j = 0; j < 3; j++) mu[k][i][j] = 1;
    for (int it = 0; it < IPF_MAX_ITER; it++) {
        double change = 0;
        for (int i = 0; i < 3; i++) // fit n_ij.
            for (int j = 0; j < 3; j++) {
                double s = mu[0][i][j] + mu[1][i][j], f = s > 0 ? m.ij[i][j] / s : 0;
                mu[0][i][j] *= f, mu[1][i][j] *= f;
            }
        for (int i = 0; i < 3; i++) // fit n_i.k
            for (int k = 0; k < 2; k++) {
                double s = mu[k][i][0] + mu[k][i][1] + mu[k][i][2], f = s > 0 ? m.ik[i][k] / s : 0;
                for (int j = 0; j < 3; j++) mu[k][i][j] *= f;
            }
        for (int j = 0; j < 3; j++) // fit n_.jk, and measure how far the last sweep moved
            for (int k = 0; k < 2; k++) {
                double s = mu[k][0][j] + mu[k][1][j] + mu[k][2][j], f = s > 0 ? m.jk[j][k] / s : 0;
                for (int i = 0; i < 3; i++) {
                    double v = mu[k][i][j] * f;
                    change = fmax(change, fabs(v - mu[k][i][j]));
                    mu[k][i][j] = v;
                }
            }
        if (change < IPF_TOL) break;
    }
    double l = 0;
    for (int k = 0; k < 2; k++)
        for (int i = 0; i < 3; i++)
            for (int j = 0; j < 3; j++)
                if (n[k][i][j]) l += n[k][i][j] * log(n[k][i][j] / mu[k][i][j]);
    l *= 2;
    return l > 0 ? l : 0;
}

double gdl_epi_chisq_log_p(double x, int df)
{
    if (!(x > 0)) return 0;
    if (df == 2) return -x / 2;
    if (df == 4) return -x / 2 + log1p(x / 2);
    double z = sqrt(x / 2); // df 1: P = erfc(z)
    if (z < 20) return log(erfc(z));
    double z2 = z * z; // erfc(z) = exp(-z^2) / (z sqrt(pi)) (1 - 1/(2z^2) + 3/(4z^4) - ...)
    return -z2 - log(z * sqrt(M_PI)) + log1p(-1 / (2 * z2) + 3 / (4 * z2 * z2));
}

double gdl_epi_chisq_quantile(double p, int df)
{
    if (!(p < 1)) return 0;
    double lp = log(p), lo = 0, hi = 1;
    while (gdl_epi_chisq_log_p(hi, df) > lp) hi *= 2;
    for (int it = 0; it < 200 && hi - lo > 1e-12 * hi; it++) {
        double mid = (lo + hi) / 2;
        if (gdl_epi_chisq_log_p(mid, df) > lp) lo = mid;
        else hi = mid;
    }
    return hi;
}

double gdl_epi_interaction(const uint32_t n[2][3][3])
{
    double c[2][2][2] = {{{0}}}; // [k][carrier a][carrier b]
    for (int k = 0; k < 2; k++)
        for (int i = 0; i < 3; i++)
            for (int j = 0; j < 3; j++) c[k][i > 0][j > 0] += n[k][i][j];
    double L[2][2];
    for (int x = 0; x < 2; x++)
        for (int y = 0; y < 2; y++) L[x][y] = log((c[1][x][y] + 0.5) / (c[0][x][y] + 0.5));
    return L[1][1] - L[1][0] - L[0][1] + L[0][0];
}

int gdl_epi_pair_cmp(const gdl_epi_pair_t *x, const gdl_epi_pair_t *y)
{
    if (x->log_p != y->log_p) return x->log_p < y->log_p ? -1 : 1;
    if (x->statistic != y->statistic) return x->statistic > y->statistic ? -1 : 1;
    if (x->a != y->a) return x->a < y->a ? -1 : 1;
    if (x->b != y->b) return x->b < y->b ? -1 : 1;
    return 0;
}
