/* The attribution methods over one batch of rows: gradients (saliency, gradient x input),
 * integrated gradients with three baselines, in-silico mutation of bases and variants, and the
 * dinucleotide-preserving shuffle used as a sequence baseline. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "attr_internal.h"

/* ---- dinucleotide shuffle (Altschul & Erickson 1985) ---------------------------------------
 * A sequence is an Eulerian walk over the graph of its dinucleotides; a random walk that uses
 * every edge once, with each symbol's last exit forming a random tree towards the final symbol
 * (Wilson's loop-erased walks), is a uniformly random sequence with the same counts. */
void gdl_attr_dinuc_shuffle(const float *x, int64_t L, gdl_rng_t *r, float *y)
{
    enum { S = 5 }; // A C G T, and N (no base set)
    memset(y, 0, sizeof(float) * (size_t)(4 * L));
    if (L < 1) return;
    unsigned char *s = malloc((size_t)L), *succ = malloc((size_t)L);
    if (!s || !succ) { // no memory: the baseline is the sequence itself, attribution 0
        memcpy(y, x, sizeof(float) * (size_t)(4 * L));
        free(s), free(succ);
        return;
    }
    for (int64_t l = 0; l < L; l++) {
        s[l] = 4;
        for (int c = 0; c < 4; c++)
            if (x[c * L + l] > 0.5f) s[l] = (unsigned char)c;
    }
    int64_t cnt[S] = {0}, off[S + 1] = {0}, fillp[S] = {0}, ptr[S] = {0};
    for (int64_t l = 0; l + 1 < L; l++) cnt[s[l]]++;
    for (int v = 0; v < S; v++) off[v + 1] = off[v] + cnt[v];
    for (int64_t l = 0; l + 1 < L; l++) succ[off[s[l]] + fillp[s[l]]++] = s[l + 1];
    int last = s[L - 1], in_tree[S] = {0}, nxt[S] = {0};
    in_tree[last] = 1;
    for (int v = 0; v < S; v++) {
        if (!cnt[v] || in_tree[v]) continue;
        for (int u = v; !in_tree[u]; u = nxt[u])
            nxt[u] = succ[off[u] + (int64_t)gdl_rng_below(r, (uint64_t)cnt[u])];
        for (int u = v; !in_tree[u]; u = nxt[u]) in_tree[u] = 1;
    }
    for (int v = 0; v < S; v++) {
        unsigned char *e = succ + off[v];
        int64_t k = cnt[v];
        if (!k) continue;
        if (v != last) { // the tree edge goes last
            for (int64_t i = 0; i < k; i++)
                if (e[i] == nxt[v]) {
                    unsigned char t = e[i];
                    e[i] = e[k - 1], e[k - 1] = t;
                    break;
                }
            k--;
        }
        for (int64_t i = k - 1; i > 0; i--) {
            int64_t j = (int64_t)gdl_rng_below(r, (uint64_t)(i + 1));
            unsigned char t = e[i];
            e[i] = e[j], e[j] = t;
        }
    }
    int cur = s[0];
    for (int64_t l = 0;; l++) {
        if (cur < 4) y[cur * L + l] = 1;
        if (l + 1 >= L) break;
        cur = succ[off[cur] + ptr[cur]++];
    }
    free(s), free(succ);
}

int gdl_attr_baseline_of(gdl_attr_t *a, int64_t row, float *x0)
{
    int64_t W = a->W;
    switch (a->spec.baseline) {
    case GDL_BASELINE_ZERO:
        memset(x0, 0, sizeof(float) * (size_t)W);
        return 0;
    case GDL_BASELINE_MEAN:
        if (!a->mean) {
            gdl_log_error("internal: mean baseline not set");
            return -1;
        }
        memcpy(x0, a->mean, sizeof(float) * (size_t)W);
        return 0;
    case GDL_BASELINE_SHUFFLE: {
        if (!gdl_attr_is_sequence(a)) {
            gdl_log_error("--baseline shuffle needs a sequence input");
            return -1;
        }
        float *x = malloc(sizeof(float) * (size_t)W);
        if (!x) {
            gdl_log_error("out of memory");
            return -1;
        }
        gdl_attr_input(a, &row, 1, x);
        gdl_rng_t r;
        gdl_rng_init(&r, a->spec.seed, 7000 + (uint64_t)row); // the same baseline for a row every run
        gdl_attr_dinuc_shuffle(x, W / 4, &r, x0);
        free(x);
        return 0;
    }
    default:
        return -1;
    }
}

static int integrated_gradients(gdl_attr_t *a, const int64_t *rows, int64_t n, const float *x,
                                float *out)
{
    int64_t W = a->W;
    int steps = a->spec.steps;
    float *x0 = a->x2, *xs = a->g2; // x0 (n, W) baselines, xs (n, W) the interpolated batch
    float *dx = malloc(sizeof(float) * (size_t)(n * W));
    double *sum = calloc((size_t)(n * W), sizeof *sum);
    int rc = -1;
    if (!dx || !sum) {
        gdl_log_error("out of memory");
        goto out;
    }
    for (int64_t b = 0; b < n; b++)
        if (gdl_attr_baseline_of(a, rows[b], x0 + b * W) != 0) goto out;
    for (int s = 0; s < steps; s++) { // midpoint rule: error O(1/steps^2) on smooth paths
        float alpha = ((float)s + 0.5f) / (float)steps;
        for (int64_t i = 0; i < n * W; i++) xs[i] = x0[i] + alpha * (x[i] - x0[i]);
        if (gdl_attr_gradient(a, rows, n, xs, a->f, dx) != 0) goto out;
        for (int64_t i = 0; i < n * W; i++) sum[i] += dx[i];
    }
    for (int64_t i = 0; i < n * W; i++) out[i] = (float)((x[i] - x0[i]) * sum[i] / steps);
    rc = 0;
out:
    free(dx), free(sum);
    return rc;
}

/* Scores of copies of row `row`'s input x (W), each with one change (pos[k], val[k]) (or, for
 * sequences, base val[k] at position pos[k]), k < nj, into f (nj). */
static int mutants(gdl_attr_t *a, int64_t row, const float *x, const int64_t *pos, const float *val,
                   int64_t nj, int seq, float *f)
{
    int64_t W = a->W, B = a->spec.batch, L = W / 4;
    for (int64_t b = 0; b < B; b++) a->rowbuf[b] = row;
    for (int64_t k0 = 0; k0 < nj; k0 += B) {
        int64_t nb = nj - k0 < B ? nj - k0 : B;
        for (int64_t b = 0; b < nb; b++) {
            float *xb = a->x2 + b * W;
            memcpy(xb, x, sizeof(float) * (size_t)W);
            int64_t p = pos[k0 + b];
            if (seq) {
                for (int c = 0; c < 4; c++) xb[c * L + p] = 0;
                xb[(int64_t)val[k0 + b] * L + p] = 1;
            } else {
                xb[p] = val[k0 + b];
            }
        }
        if (gdl_attr_score(a, a->rowbuf, nb, a->x2, f + k0) != 0) return -1;
    }
    return 0;
}

/* Genotypes: out (W) = f(x_j = carrier) - f(x_j = 0) for every variant j of one row.
 * Sequences: out (4, L) = f(base c at l) - f(x) for the three other bases, 0 for the base. */
static int ism_row(gdl_attr_t *a, int64_t row, const float *x, float *out)
{
    int64_t W = a->W;
    int seq = gdl_attr_is_sequence(a);
    int64_t cap = seq ? W : 2 * W, nj = 0;
    int64_t *pos = malloc(sizeof *pos * (size_t)cap);
    float *val = malloc(sizeof *val * (size_t)cap), *f = malloc(sizeof *f * (size_t)cap), f0;
    int64_t *slot = malloc(sizeof *slot * (size_t)cap);
    int rc = -1;
    if (!pos || !val || !f || !slot) {
        gdl_log_error("out of memory");
        goto out;
    }
    if (gdl_attr_score(a, &row, 1, x, &f0) != 0) goto out;
    if (seq) {
        int64_t L = W / 4;
        for (int64_t l = 0; l < L; l++)
            for (int c = 0; c < 4; c++)
                if (x[c * L + l] < 0.5f) pos[nj] = l, val[nj] = (float)c, slot[nj++] = c * L + l;
        if (mutants(a, row, x, pos, val, nj, 1, f) != 0) goto out;
        memset(out, 0, sizeof(float) * (size_t)W);
        for (int64_t k = 0; k < nj; k++) out[slot[k]] = f[k] - f0;
    } else {
        for (int64_t j = 0; j < W; j++) {
            if (x[j] != 0) pos[nj] = j, val[nj] = 0, slot[nj++] = 2 * j;
            if (x[j] != ATTR_CARRIER) pos[nj] = j, val[nj] = ATTR_CARRIER, slot[nj++] = 2 * j + 1;
        }
        if (mutants(a, row, x, pos, val, nj, 0, f) != 0) goto out;
        for (int64_t j = 0; j < W; j++) out[j] = 0;
        // out = hi - lo where an unchanged state scores f0: start from f0 - f0 and correct
        for (int64_t k = 0; k < nj; k++) out[slot[k] / 2] += (slot[k] & 1) ? f[k] - f0 : f0 - f[k];
    }
    rc = 0;
out:
    free(pos), free(val), free(f), free(slot);
    return rc;
}

int gdl_attr_compute(gdl_attr_t *a, gdl_attr_method_t method, const int64_t *rows, int64_t n,
                     float *out)
{
    int64_t W = a->W;
    float *x = a->x;
    if (gdl_attr_input(a, rows, n, x) != 0) return -1;
    switch (method) {
    case GDL_ATTR_SALIENCY:
    case GDL_ATTR_GRADXINPUT:
        if (gdl_attr_gradient(a, rows, n, x, a->f, out) != 0) return -1;
        gdl_attr_map(out, out, x, n * W, method == GDL_ATTR_SALIENCY ? ATTR_ABS : ATTR_TIMES_X);
        return 0;
    case GDL_ATTR_IG:
        return integrated_gradients(a, rows, n, x, out);
    case GDL_ATTR_ISM:
        if (!gdl_attr_is_genotype(a) && !gdl_attr_is_sequence(a)) {
            gdl_log_error("--method ism: needs a genotype or sequence input");
            return -1;
        }
        for (int64_t b = 0; b < n; b++) {
            // ism_row uses a->x2: keep this row's input apart from it
            memcpy(a->g2, x + b * W, sizeof(float) * (size_t)W);
            if (ism_row(a, rows[b], a->g2, out + b * W) != 0) return -1;
        }
        return 0;
    case GDL_ATTR_TRACE:
        return gdl_attr_trace(a, rows, n, x, out);
    case GDL_ATTR_OCCLUSION:
        return gdl_attr_occlusion(a, rows, n, x, out);
    default:
        gdl_log_error("unknown method %d", (int)method);
        return -1;
    }
}
