/* The linear interaction test of a quantitative target (epi_internal.h): least squares of
 * y = b0 + b1 a + b2 b + b3 a b on dosages, from the 3 x 3 cells' counts and trait sums alone,
 * since every row of the design is a function of its cell. */
#include <math.h>

#include "epi_internal.h"

#define P 4
#define SINGULAR 1e-9 // a pivot below this fraction of the largest diagonal: the design is singular

int gdl_epi_linear_test(const uint32_t n[3][3], const double S[3][3], double y2, double *beta, double *stat)
{
    double A[P][2 * P] = {{0}}, xty[P] = {0}, total = 0; // [X'X | I], eliminated into [I | inv]
    for (int i = 0; i < 3; i++)
        for (int j = 0; j < 3; j++) {
            double f[P] = {1, i, j, i * j}, c = n[i][j];
            total += c;
            for (int r = 0; r < P; r++) {
                xty[r] += S[i][j] * f[r];
                for (int q = 0; q < P; q++) A[r][q] += c * f[r] * f[q];
            }
        }
    if (total <= P) return 0;
    double scale = 0;
    for (int r = 0; r < P; r++) A[r][P + r] = 1, scale = fmax(scale, A[r][r]);
    for (int col = 0; col < P; col++) { // Gauss-Jordan with partial pivoting
        int piv = col;
        for (int r = col + 1; r < P; r++)
            if (fabs(A[r][col]) > fabs(A[piv][col])) piv = r;
        if (!(fabs(A[piv][col]) > SINGULAR * scale)) return 0;
        for (int q = 0; q < 2 * P; q++) {
            double t = A[col][q];
            A[col][q] = A[piv][q], A[piv][q] = t;
        }
        double d = A[col][col];
        for (int q = 0; q < 2 * P; q++) A[col][q] /= d;
        for (int r = 0; r < P; r++) {
            if (r == col || A[r][col] == 0) continue;
            double f = A[r][col];
            for (int q = 0; q < 2 * P; q++) A[r][q] -= f * A[col][q];
        }
    }
    double b[P] = {0}, fit = 0;
    for (int r = 0; r < P; r++) {
        for (int q = 0; q < P; q++) b[r] += A[r][P + q] * xty[q];
        fit += b[r] * xty[r];
    }
    double rss = y2 - fit, var = rss / (total - P), v33 = A[3][P + 3] * var;
    if (!(v33 > 0) || !(rss > 0)) return 0;
    *beta = b[3], *stat = b[3] * b[3] / v33;
    return 1;
}
