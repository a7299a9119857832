/* Losses over predictions (N, T): the value and d loss / d pred, written in forms that stay
 * finite for any logit (log-sum-exp and softplus with the max factored out). */
#include <stdlib.h>

#include "nn_internal.h"

static const char *const loss_names[GDL_LOSS_COUNT] = {
    [GDL_LOSS_BCE] = "bce", [GDL_LOSS_SOFTMAX_CE] = "softmax_ce", [GDL_LOSS_MSE] = "mse",
};
_Static_assert(GDL_LOSS_COUNT == 3, "loss added: name it here");

const char *gdl_loss_name(int kind) { return kind >= 0 && kind < GDL_LOSS_COUNT ? loss_names[kind] : NULL; }

int gdl_loss_find(const char *name)
{
    for (int i = 0; i < GDL_LOSS_COUNT; i++)
        if (!strcmp(loss_names[i], name)) return i;
    return -1;
}

/* log(1 + exp(x)) without overflow */
static double softplus(double x) { return x > 0 ? x + log1p(exp(-x)) : log1p(exp(x)); }

static double bce(const gdl_loss_t *l, const float *x, const float *y, int64_t N, int64_t T, float *dx)
{
    int64_t count = 0;
    double sum = 0;
    for (int64_t k = 0; k < N * T; k++) count += !isnan(y[k]);
    if (!count) return 0;
    for (int64_t i = 0; i < N; i++)
        for (int64_t t = 0; t < T; t++) {
            int64_t k = i * T + t;
            if (isnan(y[k])) continue;
            double w = l->pos_weight ? l->pos_weight[t] : 1, z = x[k];
            // -w y log s(z) - (1 - y) log(1 - s(z)) = w y softplus(-z) + (1 - y) softplus(z)
            sum += w * y[k] * softplus(-z) + (1 - y[k]) * softplus(z);
            if (dx) {
                double s = z >= 0 ? 1 / (1 + exp(-z)) : exp(z) / (1 + exp(z));
                dx[k] += (float)((w * y[k] * (s - 1) + (1 - y[k]) * s) / (double)count);
            }
        }
    return sum / (double)count;
}

static double softmax_ce(const gdl_loss_t *l, const float *x, const float *y, int64_t N, int64_t T, float *dx)
{
    double sum = 0, wsum = 0;
    for (int64_t i = 0; i < N; i++)
        if (!isnan(y[i])) {
            int64_t c = (int64_t)y[i];
            if (c >= 0 && c < T) wsum += l->class_weight ? l->class_weight[c] : 1;
        }
    if (wsum <= 0) return 0;
    for (int64_t i = 0; i < N; i++) {
        if (isnan(y[i])) continue;
        int64_t c = (int64_t)y[i];
        if (c < 0 || c >= T) continue; // an unknown class counts as missing
        const float *xi = x + i * T;
        double mx = xi[0], se = 0, w = l->class_weight ? l->class_weight[c] : 1;
        for (int64_t t = 1; t < T; t++) mx = xi[t] > mx ? xi[t] : mx;
        for (int64_t t = 0; t < T; t++) se += exp(xi[t] - mx);
        // cppcheck-suppress invalidFunctionArg ; T >= 1 terms, the largest exp(0) = 1: se >= 1
        double lse = mx + log(se);
        sum += w * (lse - xi[c]);
        if (dx)
            for (int64_t t = 0; t < T; t++)
                dx[i * T + t] += (float)(w * (exp(xi[t] - lse) - (t == c)) / wsum);
    }
    return sum / wsum;
}

static double mse(const float *x, const float *y, int64_t n, float *dx)
{
    int64_t count = 0;
    double sum = 0;
    for (int64_t k = 0; k < n; k++) count += !isnan(y[k]);
    if (!count) return 0;
    for (int64_t k = 0; k < n; k++) {
        if (isnan(y[k])) continue;
        double d = (double)x[k] - y[k];
        sum += d * d;
        if (dx) dx[k] += (float)(2 * d / (double)count);
    }
    return sum / (double)count;
}

double gdl_loss_compute(const gdl_loss_t *l, const float *pred, const float *labels, int64_t N,
                        int64_t T, float *dpred)
{
    switch (l->kind) {
    case GDL_LOSS_BCE: return bce(l, pred, labels, N, T, dpred);
    case GDL_LOSS_SOFTMAX_CE: return softmax_ce(l, pred, labels, N, T, dpred);
    case GDL_LOSS_MSE: return mse(pred, labels, N * T, dpred);
    default: return NAN;
    }
}
