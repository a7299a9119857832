/* Occlusion: how much the score drops when a window of positions is hidden, the question of
 * the centre-base study ("what information is used?") asked of one example at a time.
 *
 * A window is Wd positions [j, j + Wd), j = 0 .. L - Wd (stride 1, every window inside the
 * input). One-hot sequences: the window's bases are replaced by bases drawn uniformly from
 * A, C, G, T (a base may draw itself: the window then carries no information about the
 * original), averaged over --draws draws, and the attribution of position l, the mean change
 * of the windows covering l, is written to the channel of the base at l (N: nothing), where
 * gradient x input puts a base's share. Numeric inputs: each channel's window is hidden on its
 * own, set to the baseline (0, or the selected examples' mean), so channel c at l gets the
 * mean change of channel c's windows covering l: which mark matters where.
 *
 * Dimension letters: C channels, L positions, Wd window, NW = L - Wd + 1 windows, K jobs
 * (occluded copies) of one row. */
#include <stdlib.h>
#include <string.h>

#include "attr_internal.h"

// random bases of a row come from their own stream: the same whatever the batch and selection
#define OCCLUSION_STREAM ((uint64_t)1 << 40)

typedef struct {
    int seq;           // one-hot (4, L) rather than numeric channels
    int64_t C, L, Wd, NW, draws;
    int64_t K;         // jobs: NW * draws for sequences, C * NW for numeric inputs
    const float *fill; // numeric: (C, L) the values a hidden window takes; NULL = 0
} occlusion_t;

/* Sequences: window j of job k = j * draws + d. Numeric: channel c, window j of k = c NW + j. */
static void occlude(const occlusion_t *o, const float *x, int64_t k, gdl_rng_t *r, float *y)
{
    int64_t L = o->L;
    memcpy(y, x, sizeof(float) * (size_t)(o->C * L));
    if (o->seq) {
        for (int64_t l = k / o->draws; l < k / o->draws + o->Wd; l++) {
            for (int c = 0; c < 4; c++) y[c * L + l] = 0;
            y[(int64_t)gdl_rng_below(r, 4) * L + l] = 1;
        }
        return;
    }
    int64_t c = k / o->NW, j = k % o->NW;
    for (int64_t l = j; l < j + o->Wd; l++) y[c * L + l] = o->fill ? o->fill[c * L + l] : 0;
}

/* f (K) = scores of the K occluded copies of row `row`'s input x, in batches of B. */
static int score_jobs(gdl_attr_t *a, const occlusion_t *o, int64_t row, const float *x, float *f)
{
    int64_t W = a->W, B = a->spec.batch;
    gdl_rng_t r;
    gdl_rng_init(&r, a->spec.seed, OCCLUSION_STREAM + (uint64_t)row);
    for (int64_t b = 0; b < B; b++) a->rowbuf[b] = row;
    for (int64_t k0 = 0; k0 < o->K; k0 += B) {
        int64_t nb = o->K - k0 < B ? o->K - k0 : B;
        for (int64_t b = 0; b < nb; b++) occlude(o, x, k0 + b, &r, a->x2 + b * W);
        if (gdl_attr_score(a, a->rowbuf, nb, a->x2, f + k0) != 0) return -1;
    }
    return 0;
}

/* row (C, L) = mean change of the windows covering each position; change (C, NW) per window. */
static void spread(const occlusion_t *o, const float *x, const double *change, float *out)
{
    int64_t L = o->L;
    memset(out, 0, sizeof(float) * (size_t)(o->C * L));
    for (int64_t c = 0; c < (o->seq ? 1 : o->C); c++)
        for (int64_t l = 0; l < L; l++) {
            int64_t j0 = l - o->Wd + 1 > 0 ? l - o->Wd + 1 : 0, j1 = l < o->NW - 1 ? l : o->NW - 1;
            double s = 0;
            for (int64_t j = j0; j <= j1; j++) s += change[c * o->NW + j];
            float v = (float)(s / (double)(j1 - j0 + 1));
            if (!o->seq) {
                out[c * L + l] = v;
                continue;
            }
            for (int b = 0; b < 4; b++)
                if (x[b * L + l] > 0.5f) out[b * L + l] = v;
        }
}

static int setup(const gdl_attr_t *a, occlusion_t *o)
{
    const gdl_feed_t *in = &a->in[a->ai];
    if (in->kind != GDL_FEED_INPUT) {
        gdl_log_error("--method occlusion: input '%s' holds genotypes; occlusion hides windows of a "
                      "sequence or numeric input (C x L): use --method ism to toggle variants", in->name);
        return -1;
    }
    *o = (occlusion_t){.seq = gdl_attr_is_sequence(a), .C = in->input->channels, .L = in->input->length,
                       .Wd = a->spec.window, .draws = a->spec.draws};
    if (o->Wd > o->L) {
        gdl_log_error("--window %lld: longer than the %lld positions of input '%s'", (long long)o->Wd,
                      (long long)o->L, in->name);
        return -1;
    }
    o->NW = o->L - o->Wd + 1;
    o->K = o->seq ? o->NW * o->draws : o->C * o->NW;
    if (!o->seq && a->spec.baseline == GDL_BASELINE_SHUFFLE) {
        gdl_log_error("--method occlusion: --baseline shuffle needs a sequence input; '%s' is "
                      "numeric (use zero or mean)", in->name);
        return -1;
    }
    if (!o->seq && a->spec.baseline == GDL_BASELINE_MEAN) {
        if (!a->mean) {
            gdl_log_error("internal: mean baseline not set");
            return -1;
        }
        o->fill = a->mean;
    }
    return 0;
}

int gdl_attr_occlusion(gdl_attr_t *a, const int64_t *rows, int64_t n, const float *x, float *out)
{
    occlusion_t o;
    if (setup(a, &o) != 0) return -1;
    int64_t W = a->W, per = o.seq ? o.draws : 1, NC = o.seq ? 1 : o.C;
    float *f = malloc(sizeof *f * (size_t)o.K), *f0 = malloc(sizeof *f0 * (size_t)n);
    double *change = malloc(sizeof *change * (size_t)(NC * o.NW));
    int rc = -1;
    if (!f || !f0 || !change) {
        gdl_log_error("out of memory");
        goto out;
    }
    if (gdl_attr_score(a, rows, n, x, f0) != 0) goto out;
    for (int64_t b = 0; b < n; b++) {
        if (score_jobs(a, &o, rows[b], x + b * W, f) != 0) goto out;
        for (int64_t i = 0; i < NC * o.NW; i++) {
            double s = 0;
            for (int64_t d = 0; d < per; d++) s += f0[b] - f[i * per + d];
            change[i] = s / (double)per;
        }
        spread(&o, x + b * W, change, out + b * W);
    }
    rc = 0;
out:
    free(f), free(f0), free(change);
    return rc;
}
