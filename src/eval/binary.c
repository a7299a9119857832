/* Binary ranking metrics from one pass over the distinct scores, highest first.
 *
 * ROC AUC is the Mann-Whitney statistic: 2U = sum over tie groups g of
 * pos_g (2 neg_below_g + neg_g), kept as an integer, so the AUC is one rounding away from
 * exact (scikit-learn's trapezoid over the same ROC points is the same number).
 * Average precision is scikit-learn's: AP = sum_g (R_g - R_g-1) P_g with R_g = tp_g / P and
 * P_g = tp_g / (tp_g + fp_g) at each distinct threshold, tied scores forming one step. */
#include <stdlib.h>

#include "eval_internal.h"
#include "gdl/core.h"

void gdl_eval_curve_free(eval_curve_t *c)
{
    if (!c) return;
    gdl_free(c->value);
    gdl_free(c->tp);
    gdl_free(c->fp);
    c->value = NULL, c->tp = c->fp = NULL;
}

void gdl_eval_curve_build(const uint64_t *key, const uint32_t *pay, int64_t n, const uint32_t *w,
                      eval_curve_t *c)
{
    uint64_t tp = 0, fp = 0;
    int64_t G = 0;
    for (int64_t i = n - 1; i >= 0;) {
        uint64_t k = key[i];
        uint64_t tp0 = tp, fp0 = fp;
        for (; i >= 0 && key[i] == k; i--) {
            uint32_t v = pay[i];
            uint64_t wt = w ? w[v >> 1] : 1;
            if (v & 1) tp += wt;
            else fp += wt;
        }
        if (tp == tp0 && fp == fp0) continue; // weight 0: these rows were not drawn
        c->value[G] = eval_unkey(k);
        c->tp[G] = (uint32_t)tp, c->fp[G] = (uint32_t)fp;
        G++;
    }
    c->G = G;
    c->P = tp, c->Nn = fp;
}

void gdl_eval_curve_build_rows(const float *score, const uint32_t *pay, int64_t n, const uint32_t *w,
                           eval_curve_t *c)
{
    uint64_t tp = 0, fp = 0;
    int64_t G = 0;
    for (int64_t i = n - 1; i >= 0;) {
        float v = score[pay[i] >> 1];
        uint64_t tp0 = tp, fp0 = fp;
        for (; i >= 0 && score[pay[i] >> 1] == v; i--) {
            uint32_t x = pay[i];
            uint64_t wt = w ? w[x >> 1] : 1;
            if (x & 1) tp += wt;
            else fp += wt;
        }
        if (tp == tp0 && fp == fp0) continue;
        c->value[G] = v;
        c->tp[G] = (uint32_t)tp, c->fp[G] = (uint32_t)fp;
        G++;
    }
    c->G = G;
    c->P = tp, c->Nn = fp;
}

void gdl_eval_confusion_metrics(uint64_t tp, uint64_t fp, uint64_t P, uint64_t Nn, gdl_metrics_t *m)
{
    double TP = (double)tp, FP = (double)fp, FN = (double)(P - tp), TN = (double)(Nn - fp);
    double n = (double)(P + Nn);
    m->v[GDL_M_ACCURACY] = n > 0 ? (TP + TN) / n : NAN;
    m->v[GDL_M_PRECISION] = tp + fp > 0 ? TP / (TP + FP) : 0;
    m->v[GDL_M_RECALL] = P > 0 ? TP / (double)P : 0;
    m->v[GDL_M_F1] = tp + fp + P > 0 ? 2 * TP / (2 * TP + FP + FN) : 0;
    double d = (TP + FP) * (TP + FN) * (TN + FP) * (TN + FN);
    m->v[GDL_M_MCC] = d > 0 ? (TP * TN - FP * FN) / sqrt(d) : 0;
}

/* A streaming pass over distinct scores, highest first, knowing the totals. */
typedef struct {
    uint64_t P, Nn, tp, fp, u2;
    double ap, thr;
    int best_f1;
    double best, best_thr;
    uint64_t best_tp, best_fp, at_tp, at_fp;
} acc_t;

static void acc_init(acc_t *a, uint64_t P, uint64_t Nn, double thr)
{
    *a = (acc_t){.P = P, .Nn = Nn, .thr = thr, .best_f1 = isnan(thr), .best = -1};
}

static inline void acc_add(acc_t *a, double value, uint64_t pos, uint64_t neg)
{
    uint64_t prev_tp = a->tp;
    a->tp += pos, a->fp += neg;
    a->u2 += pos * (2 * (a->Nn - a->fp) + neg);
    if (pos) // recall moves only when positives are passed
        a->ap += ((double)a->tp / (double)a->P - (double)prev_tp / (double)a->P) *
                 ((double)a->tp / (double)(a->tp + a->fp));
    if (a->best_f1) {
        double f1 = 2.0 * (double)a->tp / (double)(a->tp + a->fp + a->P);
        if (f1 > a->best) a->best = f1, a->best_thr = value, a->best_tp = a->tp, a->best_fp = a->fp;
    } else if (value >= a->thr) {
        a->at_tp = a->tp, a->at_fp = a->fp;
    }
}

static void acc_finish(const acc_t *a, gdl_metrics_t *m)
{
    m->v[GDL_M_N] = (double)(a->P + a->Nn);
    m->v[GDL_M_N_POS] = (double)a->P;
    if (a->P == 0 || a->Nn == 0) {
        for (int i = GDL_M_ROC_AUC; i < GDL_M_COUNT; i++) m->v[i] = NAN;
        return;
    }
    m->v[GDL_M_ROC_AUC] = (double)a->u2 / (2.0 * (double)a->P * (double)a->Nn);
    m->v[GDL_M_PR_AUC] = a->ap;
    if (a->best_f1) {
        m->v[GDL_M_THRESHOLD] = a->best_thr;
        gdl_eval_confusion_metrics(a->best_tp, a->best_fp, a->P, a->Nn, m);
    } else {
        m->v[GDL_M_THRESHOLD] = a->thr;
        gdl_eval_confusion_metrics(a->at_tp, a->at_fp, a->P, a->Nn, m);
    }
}

void gdl_eval_curve_metrics(const eval_curve_t *c, double thr, gdl_metrics_t *m, uint64_t *tp_at,
                        uint64_t *fp_at)
{
    acc_t a;
    acc_init(&a, c->P, c->Nn, thr);
    for (int64_t g = 0; g < c->G; g++) {
        uint64_t pos = c->tp[g] - (g ? c->tp[g - 1] : 0), neg = c->fp[g] - (g ? c->fp[g - 1] : 0);
        acc_add(&a, c->value[g], pos, neg);
    }
    acc_finish(&a, m);
    if (tp_at) *tp_at = a.best_f1 ? a.best_tp : a.at_tp;
    if (fp_at) *fp_at = a.best_f1 ? a.best_fp : a.at_fp;
}

/* ---- micro average: a merge of sorted runs through a histogram of keys ------------------------ */

/* set bits of b from bit from to bit to (exclusive) */
static uint64_t count_bits(const uint64_t *b, int64_t from, int64_t to)
{
    uint64_t n = 0;
    for (; from < to && (from & 63); from++) n += (uint64_t)eval_bit(b, from);
    for (; from + 64 <= to; from += 64) n += (uint64_t)__builtin_popcountll(b[from >> 6]);
    for (; from < to; from++) n += (uint64_t)eval_bit(b, from);
    return n;
}

static uint64_t run_positives(const eval_run_t *r, int64_t from, int64_t to)
{
    return count_bits(r->label, r->off + from, r->off + to);
}

/* The merge runs in MERGE_PARTS ranges of keys, split at quantiles of a sample of every run, in
 * parallel. Each range starts from the counts above it, so its integer U is exact and its AP terms
 * are the sequential ones; the partial APs are added in range order. The split depends only on
 * the data, never on the thread count, so neither does the result.
 * Within a range, the runs are walked down together a window of BIN_KEYS keys at a time: their
 * entries are counted into bins by key (a run's entries in a window are contiguous, being sorted),
 * then the bins are read from the top, one distinct score each. Memory: the bins, per thread. */
#define MERGE_PARTS 16
#define MERGE_SAMPLES 64
#define BIN_KEYS ((uint32_t)1 << 16)

typedef struct {
    const eval_run_t *run;
    int n, parts;
    const int64_t *at; // (parts + 1, n): range j of run i is [at[(j + 1) n + i], at[j n + i])
    uint64_t P, Nn;
    acc_t acc[MERGE_PARTS];
    int failed[GDL_MAX_THREADS]; // per chunk
} merge_ctx_t;

static int cmp_desc32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return (x < y) - (x > y);
}

/* first i with key[i] > k in an ascending array */
static int64_t first_above(const uint32_t *key, int64_t n, uint32_t k)
{
    int64_t lo = 0, hi = n;
    while (lo < hi) {
        int64_t mid = lo + (hi - lo) / 2;
        if (key[mid] > k) hi = mid;
        else lo = mid + 1;
    }
    return lo;
}

static void merge_range(void *arg, int64_t begin, int64_t end, int chunk)
{
    merge_ctx_t *x = arg;
    const int n = x->n;
    int64_t *pos = malloc(sizeof *pos * (size_t)(n > 0 ? n : 1));
    uint64_t *bin = calloc(2 * (size_t)BIN_KEYS, sizeof *bin); // (BIN_KEYS, 2): negatives, positives
    if (!pos || !bin) {
        x->failed[chunk] = 1;
        free(pos), free(bin);
        return;
    }
    for (int64_t part = begin; part < end; part++) {
        const int64_t *top = x->at + part * n, *stop = x->at + (part + 1) * n;
        acc_t *a = &x->acc[part];
        acc_init(a, x->P, x->Nn, 0.5);
        for (int i = 0; i < n; i++) {
            const eval_run_t *r = &x->run[i];
            uint64_t above = run_positives(r, top[i], r->n);
            a->tp += above, a->fp += (uint64_t)(r->n - top[i]) - above;
            pos[i] = top[i];
        }
        for (;;) {
            int any = 0;
            uint32_t hi = 0;
            for (int i = 0; i < n; i++)
                if (pos[i] > stop[i] && (!any || x->run[i].key[pos[i] - 1] > hi))
                    hi = x->run[i].key[pos[i] - 1], any = 1;
            if (!any) break;
            const uint32_t lo = hi & ~(BIN_KEYS - 1);
            uint32_t min = hi;
            for (int i = 0; i < n; i++) {
                const eval_run_t *r = &x->run[i];
                int64_t j = pos[i];
                for (; j > stop[i] && r->key[j - 1] >= lo; j--)
                    bin[2 * (r->key[j - 1] - lo) + (uint32_t)eval_bit(r->label, r->off + j - 1)]++;
                if (j < pos[i] && r->key[j] < min) min = r->key[j];
                pos[i] = j;
            }
            for (uint32_t k = hi - lo + 1; k-- > min - lo;) {
                uint64_t *b = bin + 2 * k;
                if (b[0] | b[1]) acc_add(a, 0, b[1], b[0]), b[0] = b[1] = 0;
            }
        }
    }
    free(pos), free(bin);
}

int gdl_eval_runs_merge(const eval_run_t *run, int n, gdl_metrics_t *m)
{
    merge_ctx_t x = {.run = run, .n = n};
    int64_t total = 0;
    for (int i = 0; i < n; i++) {
        uint64_t P = run_positives(&run[i], 0, run[i].n);
        x.P += P, x.Nn += (uint64_t)run[i].n - P, total += run[i].n;
    }
    x.parts = total > (1 << 20) ? MERGE_PARTS : 1;
    size_t nn = (size_t)(n > 0 ? n : 1);
    int64_t *at = malloc(sizeof *at * (size_t)(x.parts + 1) * nn);
    uint32_t *sample = malloc(sizeof *sample * (size_t)MERGE_SAMPLES * nn);
    if (!at || !sample) {
        free(at), free(sample);
        gdl_log_error("out of memory");
        return -1;
    }
    uint32_t split[MERGE_PARTS];
    if (x.parts > 1) {
        int64_t ns = 0;
        for (int i = 0; i < n; i++)
            if (run[i].n > 0)
                for (int k = 0; k < MERGE_SAMPLES; k++) sample[ns++] = run[i].key[run[i].n * k / MERGE_SAMPLES];
        qsort(sample, (size_t)ns, sizeof *sample, cmp_desc32);
        for (int j = 0; j + 1 < x.parts; j++) split[j] = sample[ns * (j + 1) / x.parts];
    }
    // range j holds the keys in (split[j], split[j - 1]]; the first and last are open-ended
    for (int i = 0; i < n; i++) {
        at[i] = run[i].n;
        for (int j = 1; j < x.parts; j++) at[(int64_t)j * n + i] = first_above(run[i].key, run[i].n, split[j - 1]);
        at[(int64_t)x.parts * n + i] = 0;
    }
    x.at = at;
    gdl_parallel_for(x.parts, merge_range, &x);
    free(at), free(sample);
    for (int k = 0; k < GDL_MAX_THREADS; k++)
        if (x.failed[k]) {
            gdl_log_error("out of memory");
            return -1;
        }
    acc_t a;
    acc_init(&a, x.P, x.Nn, 0.5);
    for (int j = 0; j < x.parts; j++) a.u2 += x.acc[j].u2, a.ap += x.acc[j].ap;
    gdl_metrics_t all;
    acc_finish(&a, &all);
    for (int i = GDL_M_N; i <= GDL_M_PR_AUC; i++) m->v[i] = all.v[i];
    return 0;
}

/* ---- one target from raw arrays ------------------------------------------------------------------- */

int gdl_eval_binary(const double *score, const uint8_t *label, int64_t n, double threshold,
                    gdl_metrics_t *out)
{
    gdl_metrics_clear(out);
    size_t nn = (size_t)(n > 0 ? n : 1);
    uint64_t *key = gdl_malloc(8 * nn), *tk = gdl_malloc(8 * nn);
    uint32_t *pay = gdl_malloc(4 * nn), *tp = gdl_malloc(4 * nn);
    eval_curve_t c = {.value = gdl_malloc(8 * nn), .tp = gdl_malloc(4 * nn), .fp = gdl_malloc(4 * nn)};
    int rc = -1;
    if (!key || !tk || !pay || !tp || !c.value || !c.tp || !c.fp) goto done;
    for (int64_t i = 0; i < n; i++) {
        key[i] = eval_key(score[i] + 0.0);
        pay[i] = (uint32_t)i << 1 | (label[i] != 0);
    }
    gdl_eval_sort(key, pay, n, tk, tp);
    gdl_eval_curve_build(key, pay, n, NULL, &c);
    gdl_eval_curve_metrics(&c, threshold, out, NULL, NULL);
    rc = 0;
done:
    gdl_free(key), gdl_free(tk), gdl_free(pay), gdl_free(tp);
    gdl_eval_curve_free(&c);
    return rc;
}
