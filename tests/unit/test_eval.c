/* eval: hand-computed metrics, the parser, the sort, weights as repeated rows, the micro merge. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "eval/eval_internal.h"
#include "gdl/core.h"
#include "gdl/dataops.h"
#include "gdl/eval.h"
#include "test.h"

/* y = 1 0 1 0 1 0, s = .9 .8 .7 .7 .3 .1. Positives .9 .7 .3, negatives .8 .7 .1:
 * U = 3 + (0 + .5 + 1) + 1 = 5.5 of 9 pairs. AP: thresholds .9 (R 1/3, P 1), .8 (same R),
 * .7 (R 2/3, P 2/4), .3 (R 1, P 3/5) -> 1/3 + 1/3 * 1/2 + 1/3 * 3/5 = 0.7.
 * At 0.5: tp 2, fp 2, fn 1, tn 1. Best F1 2tp / (tp + fp + P): .5 .4 4/7 .75 2/3 -> .3. */
static const double hs[6] = {0.9, 0.8, 0.7, 0.7, 0.3, 0.1};
static const uint8_t hy[6] = {1, 0, 1, 0, 1, 0};

static void test_binary_hand_computed(void)
{
    gdl_metrics_t m;
    CHECK(gdl_eval_binary(hs, hy, 6, 0.5, &m) == 0);
    CHECK(m.v[GDL_M_N] == 6 && m.v[GDL_M_N_POS] == 3);
    CHECK_CLOSE(m.v[GDL_M_ROC_AUC], 5.5 / 9, 1e-15);
    CHECK_CLOSE(m.v[GDL_M_PR_AUC], 0.7, 1e-15);
    CHECK_CLOSE(m.v[GDL_M_ACCURACY], 0.5, 1e-15);
    CHECK_CLOSE(m.v[GDL_M_PRECISION], 0.5, 1e-15);
    CHECK_CLOSE(m.v[GDL_M_RECALL], 2.0 / 3, 1e-15);
    CHECK_CLOSE(m.v[GDL_M_F1], 4.0 / 7, 1e-15);
    CHECK_CLOSE(m.v[GDL_M_MCC], 0.0, 1e-15);
    CHECK(m.v[GDL_M_THRESHOLD] == 0.5);
}

static void test_binary_best_f1(void)
{
    gdl_metrics_t m;
    CHECK(gdl_eval_binary(hs, hy, 6, NAN, &m) == 0);
    CHECK(m.v[GDL_M_THRESHOLD] == 0.3);
    CHECK_CLOSE(m.v[GDL_M_F1], 0.75, 1e-15);
    CHECK_CLOSE(m.v[GDL_M_ACCURACY], 4.0 / 6, 1e-15); // tp 3, fp 2, tn 1
    CHECK_CLOSE(m.v[GDL_M_PRECISION], 0.6, 1e-15);
    CHECK_CLOSE(m.v[GDL_M_RECALL], 1.0, 1e-15);
    CHECK_CLOSE(m.v[GDL_M_MCC], 3 / sqrt(45.0), 1e-15); // (3*1 - 2*0) / sqrt(5*3*3*1)
    // the same scores ranked the other way round: AUC 1 - 5.5/9 (ties stay 1/2)
    double neg[6];
    for (int i = 0; i < 6; i++) neg[i] = -hs[i];
    CHECK(gdl_eval_binary(neg, hy, 6, 0.5, &m) == 0);
    CHECK_CLOSE(m.v[GDL_M_ROC_AUC], 3.5 / 9, 1e-15);
    CHECK(m.v[GDL_M_PRECISION] == 0 && m.v[GDL_M_RECALL] == 0 && m.v[GDL_M_MCC] == 0); // nothing predicted
}

static void test_binary_edge_cases(void)
{
    gdl_metrics_t m;
    const double s2[2] = {0.5, 0.5};
    const uint8_t y2[2] = {1, 0}, y1[2] = {1, 1};
    CHECK(gdl_eval_binary(s2, y2, 2, 0.5, &m) == 0);
    CHECK(m.v[GDL_M_ROC_AUC] == 0.5 && m.v[GDL_M_PR_AUC] == 0.5); // one tie: AP = 1 * 1/2
    CHECK(gdl_eval_binary(s2, y1, 2, 0.5, &m) == 0);
    CHECK(isnan(m.v[GDL_M_ROC_AUC]) && isnan(m.v[GDL_M_PR_AUC]) && isnan(m.v[GDL_M_F1]));
    CHECK(m.v[GDL_M_N] == 2 && m.v[GDL_M_N_POS] == 2);
    const double s3[2] = {-0.0, 0.0}; // -0 and +0 are one score
    CHECK(gdl_eval_binary(s3, y2, 2, 0.5, &m) == 0);
    CHECK(m.v[GDL_M_ROC_AUC] == 0.5);
}

static void test_regression_hand_computed(void)
{
    // y 1 2 3 4, p 1 3 2 4: errors 0 1 1 0; SS_tot 5; centred products 2.25 - .25 - .25 + 2.25
    const double y[4] = {1, 2, 3, 4}, p[4] = {1, 3, 2, 4};
    gdl_metrics_t m;
    CHECK(gdl_eval_regression(p, y, 4, &m) == 0);
    CHECK_CLOSE(m.v[GDL_M_MSE], 0.5, 1e-15);
    CHECK_CLOSE(m.v[GDL_M_RMSE], sqrt(0.5), 1e-15);
    CHECK_CLOSE(m.v[GDL_M_MAE], 0.5, 1e-15);
    CHECK_CLOSE(m.v[GDL_M_R2], 0.6, 1e-15);
    CHECK_CLOSE(m.v[GDL_M_PEARSON], 0.8, 1e-15);
    CHECK_CLOSE(m.v[GDL_M_SPEARMAN], 0.8, 1e-15);
    // ties: p 1 1 2 2 has ranks 1.5 1.5 3.5 3.5; y ranks 1 2 3 4: Spearman 4 / sqrt(5 * 4)
    const double pt[4] = {1, 1, 2, 2};
    CHECK(gdl_eval_regression(pt, y, 4, &m) == 0);
    CHECK_CLOSE(m.v[GDL_M_SPEARMAN], 4 / sqrt(20.0), 1e-15);
    // constant labels: r2 and the correlations are null, the errors are not
    const double yc[3] = {2, 2, 2}, pc[3] = {1, 2, 3};
    CHECK(gdl_eval_regression(pc, yc, 3, &m) == 0);
    CHECK(isnan(m.v[GDL_M_R2]) && isnan(m.v[GDL_M_PEARSON]) && isnan(m.v[GDL_M_SPEARMAN]));
    CHECK_CLOSE(m.v[GDL_M_MSE], 2.0 / 3, 1e-15);
}

static void test_multiclass_hand_computed(void)
{
    // 3 classes, 5 examples; argmax picks 0 1 1 2 0 (row 4 ties 0 and 2: the first wins)
    const double s[5 * 3] = {.6, .3, .1, /**/ .2, .5, .3, /**/ .1, .8, .1, /**/ .2, .2, .6, /**/ .4, .2, .4};
    const int32_t y[5] = {0, 1, 2, 2, 2};
    gdl_metrics_t m;
    double auc[3], ap[3];
    int64_t cm[9];
    CHECK(gdl_eval_multiclass(s, y, 5, 3, &m, auc, ap, cm) == 0);
    CHECK_CLOSE(m.v[GDL_M_ACCURACY], 3.0 / 5, 1e-15);           // rows 0, 1, 3
    CHECK_CLOSE(m.v[GDL_M_BALANCED_ACCURACY], (1 + 1 + 1.0 / 3) / 3, 1e-15);
    const int64_t want[9] = {1, 0, 0, /**/ 0, 1, 0, /**/ 1, 1, 1};
    CHECK(memcmp(cm, want, sizeof want) == 0);
    // class 0: positive .6; negatives .2 .1 .2 .4 -> AUC 1. Class 2: positives .1 .6 .4,
    // negatives .1 .3: .1 ties .1 (1/2) and loses to .3; .6 and .4 beat both -> 4.5 / 6
    CHECK_CLOSE(auc[0], 1.0, 1e-15);
    CHECK_CLOSE(auc[2], 4.5 / 6, 1e-15);
    CHECK_CLOSE(m.v[GDL_M_ROC_AUC], (auc[0] + auc[1] + auc[2]) / 3, 1e-15);
    const int32_t bad[1] = {3};
    CHECK(gdl_eval_multiclass(s, bad, 1, 3, &m, NULL, NULL, NULL) == -1);
}

static void test_parse_double(void)
{
    const char *good[] = {"0", "1", "-0", "0.5", ".25", "1e-3", "-2.5E+2", "0.1", "0.30000000000000004",
                          "123456789012345678901234567890", "1e-310", "4.9e-324", "1.7976931348623157e308",
                          "0.000001", "+3", "5.", "0.99999999999999999"};
    for (size_t i = 0; i < sizeof good / sizeof *good; i++) {
        double v = -1;
        int rc = gdl_parse_double(good[i], good[i] + strlen(good[i]), &v);
        CHECK(rc == 0);
        CHECK(v == strtod(good[i], NULL));
    }
    double v;
    CHECK(gdl_parse_double("-0", "-0" + 2, &v) == 0 && !signbit(v));
    const char *bad[] = {"", "abc", "1e", "nan", "inf", "-inf", " 1", "1 ", "1,5", "0x10", "1e999", "--1", "."};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) CHECK(gdl_parse_double(bad[i], bad[i] + strlen(bad[i]), &v) == -1);
    // random decimals: the fast path rounds as strtod does
    gdl_rng_t r;
    gdl_rng_init(&r, 11, 0);
    char buf[64];
    int mism = 0;
    for (int i = 0; i < 200000; i++) {
        double x = gdl_rng_uniform(&r) * pow(10, (int)gdl_rng_below(&r, 12) - 6);
        int prec = 1 + (int)gdl_rng_below(&r, 17);
        snprintf(buf, sizeof buf, i % 2 ? "%.*g" : "%.*f", prec, x);
        if (gdl_parse_double(buf, buf + strlen(buf), &v) != 0 || v != strtod(buf, NULL)) mism++;
    }
    CHECK(mism == 0);
}

static int cmp_d(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static void test_sort_matches_qsort(void)
{
    gdl_rng_t r;
    gdl_rng_init(&r, 5, 0);
    for (int rep = 0; rep < 20; rep++) {
        int n = rep < 5 ? rep * 13 + 1 : 1000 + (int)gdl_rng_below(&r, 5000);
        double *x = malloc(sizeof *x * n), *y = malloc(sizeof *y * n);
        uint64_t *k = malloc(8 * n), *tk = malloc(8 * n);
        uint32_t *p = malloc(4 * n), *tp = malloc(4 * n);
        for (int i = 0; i < n; i++) {
            double u = gdl_rng_normal(&r) * pow(10, (int)gdl_rng_below(&r, 20) - 10);
            x[i] = rep % 3 == 0 ? round(u * 10) / 10 + 0.0 : u; // many ties, or none
            k[i] = eval_key(x[i]), p[i] = (uint32_t)i;
        }
        memcpy(y, x, sizeof *x * n);
        qsort(y, n, sizeof *y, cmp_d);
        gdl_eval_sort(k, p, n, tk, tp);
        int ok = 1, stable = 1;
        for (int i = 0; i < n; i++) {
            ok &= eval_unkey(k[i]) == y[i] && x[p[i]] == y[i];
            if (i && k[i] == k[i - 1]) stable &= p[i] > p[i - 1];
        }
        CHECK(ok);
        CHECK(stable);
        free(x), free(y), free(k), free(tk), free(p), free(tp);
    }
}

/* integer weights must give what the rows repeated that many times give, to the bit */
static void test_weights_equal_repeated_rows(void)
{
    gdl_rng_t r;
    gdl_rng_init(&r, 9, 0);
    enum { N = 300 };
    double s[N], sx[3 * N], yl[N], ylx[3 * N];
    uint8_t y[N], yx[3 * N];
    uint32_t w[N];
    int nx = 0;
    for (int i = 0; i < N; i++) {
        s[i] = round(gdl_rng_uniform(&r) * 20) / 20;
        y[i] = gdl_rng_uniform(&r) < 0.3 + 0.4 * s[i];
        yl[i] = round(gdl_rng_normal(&r) * 4) / 2;
        w[i] = (uint32_t)gdl_rng_below(&r, 4); // 0..3
        for (uint32_t j = 0; j < w[i]; j++) sx[nx] = s[i], yx[nx] = y[i], ylx[nx] = yl[i], nx++;
    }
    for (int mode = 0; mode < 2; mode++) {
        double thr = mode ? NAN : 0.5;
        gdl_metrics_t a, b;
        CHECK(gdl_eval_binary(sx, yx, nx, thr, &b) == 0);
        uint64_t key[N], tk[N];
        uint32_t pay[N], tp[N], ct[N], cf[N];
        double cv[N];
        for (int i = 0; i < N; i++) key[i] = eval_key(s[i]), pay[i] = (uint32_t)i << 1 | y[i];
        gdl_eval_sort(key, pay, N, tk, tp);
        eval_curve_t c = {.value = cv, .tp = ct, .fp = cf};
        gdl_eval_curve_build(key, pay, N, w, &c);
        gdl_metrics_clear(&a);
        gdl_eval_curve_metrics(&c, thr, &a, NULL, NULL);
        for (int m = 0; m <= GDL_M_MCC; m++) CHECK(a.v[m] == b.v[m] || (isnan(a.v[m]) && isnan(b.v[m])));
        float sf[N];
        for (int i = 0; i < N; i++) sf[i] = (float)s[i]; // a grid of 1/20: ties stay ties
        gdl_eval_curve_build_rows(sf, pay, N, w, &c); // the bootstrap's path: ties found on the scores
        gdl_eval_curve_metrics(&c, thr, &a, NULL, NULL);
        CHECK(a.v[GDL_M_ROC_AUC] == b.v[GDL_M_ROC_AUC] && a.v[GDL_M_PR_AUC] == b.v[GDL_M_PR_AUC]);
    }
    // regression
    gdl_metrics_t a, b;
    CHECK(gdl_eval_regression(sx, ylx, nx, &b) == 0);
    uint32_t idx[N], bp[N], bl[N];
    for (int i = 0; i < N; i++) idx[i] = (uint32_t)i;
    CHECK(gdl_eval_sort_rows(s, idx, N, bp) == 0 && gdl_eval_sort_rows(yl, idx, N, bl) == 0);
    gdl_metrics_clear(&a);
    gdl_eval_regression_weighted(s, yl, idx, bp, bl, N, w, &a);
    for (int m = GDL_M_MSE; m <= GDL_M_R2; m++) CHECK_CLOSE(a.v[m], b.v[m], 1e-12);
}

/* scores s (n, float values), labels y (n) -> one sorted run: key (n), label bits from bit off */
static eval_run_t make_run(const double *s, const uint8_t *y, int64_t n, uint32_t *key, uint64_t *bits, int64_t off)
{
    uint64_t *k = malloc(8 * (size_t)n), *tk = malloc(8 * (size_t)n);
    uint32_t *pay = malloc(4 * (size_t)n), *tp = malloc(4 * (size_t)n);
    for (int64_t i = 0; i < n; i++) k[i] = eval_key32((float)s[i]), pay[i] = (uint32_t)i << 1 | y[i];
    gdl_eval_sort(k, pay, n, tk, tp);
    for (int64_t i = 0; i < n; i++) {
        key[i] = (uint32_t)k[i];
        if (pay[i] & 1) bits[(off + i) >> 6] |= 1ull << ((off + i) & 63);
    }
    free(k), free(tk), free(pay), free(tp);
    return (eval_run_t){.key = key, .label = bits, .off = off, .n = n};
}

/* the micro average merges the targets' sorted runs: it must equal one pooled target */
static void test_micro_merge_equals_pooled(void)
{
    gdl_rng_t r;
    gdl_rng_init(&r, 13, 0);
    enum { T = 7, N = 400 };
    static double s[T * N];
    static uint8_t y[T * N];
    static uint32_t key[T * N];
    static uint64_t bits[(T * N + 63) / 64 + 1];
    eval_run_t runs[T];
    for (int t = 0; t < T; t++) {
        for (int i = 0; i < N; i++) {
            int j = t * N + i;
            s[j] = round(gdl_rng_uniform(&r) * 50) / 50;
            y[j] = gdl_rng_uniform(&r) < (t == 3 ? 0 : 0.2 + 0.5 * s[j]); // target 3: no positive
            s[j] = (float)s[j]; // the values gdl eval holds
        }
        // runs may start mid-word (as folds of one target do): offset 5
        runs[t] = make_run(s + t * N, y + t * N, N, key + t * N, bits, 5 + t * N);
    }
    gdl_metrics_t merged, pooled;
    gdl_metrics_clear(&merged);
    CHECK(gdl_eval_runs_merge(runs, T, &merged) == 0);
    CHECK(gdl_eval_binary(s, y, T * N, 0.5, &pooled) == 0);
    CHECK(merged.v[GDL_M_ROC_AUC] == pooled.v[GDL_M_ROC_AUC]);
    CHECK(merged.v[GDL_M_PR_AUC] == pooled.v[GDL_M_PR_AUC]);
    CHECK(merged.v[GDL_M_N] == T * N && merged.v[GDL_M_N_POS] == pooled.v[GDL_M_N_POS]);
    CHECK(isnan(merged.v[GDL_M_ACCURACY])); // left alone: the pooled confusion is the caller's
}

/* above 2^20 rows the merge runs in 16 score ranges in parallel: still one pooled ranking */
static void test_micro_merge_in_ranges(void)
{
    enum { T = 6, N = 250000 };
    double *s = malloc(sizeof *s * T * N);
    uint8_t *y = malloc(T * N);
    uint32_t *key = malloc(4 * (size_t)T * N);
    uint64_t *bits = calloc((T * N + 63) / 64, 8);
    eval_run_t runs[T];
    gdl_rng_t r;
    gdl_rng_init(&r, 17, 0);
    for (int t = 0; t < T; t++) {
        for (int i = 0; i < N; i++) {
            int j = t * N + i;
            // targets 0-2 share a grid of values (ties across targets), 3-5 do not
            s[j] = (float)(t < 3 ? round(gdl_rng_uniform(&r) * 1e6) / 1e6 : gdl_rng_uniform(&r));
            y[j] = gdl_rng_uniform(&r) < 0.05 + 0.3 * s[j];
        }
        runs[t] = make_run(s + (size_t)t * N, y + (size_t)t * N, N, key + (size_t)t * N, bits, (int64_t)t * N);
    }
    gdl_metrics_t merged, pooled;
    CHECK(gdl_eval_runs_merge(runs, T, &merged) == 0);
    CHECK(gdl_eval_binary(s, y, (int64_t)T * N, 0.5, &pooled) == 0);
    CHECK(merged.v[GDL_M_ROC_AUC] == pooled.v[GDL_M_ROC_AUC]); // an exact integer U either way
    CHECK_CLOSE(merged.v[GDL_M_PR_AUC], pooled.v[GDL_M_PR_AUC], 1e-13); // summed in 16 parts
    gdl_threads_set(2);
    gdl_metrics_t two;
    CHECK(gdl_eval_runs_merge(runs, T, &two) == 0);
    CHECK(two.v[GDL_M_PR_AUC] == merged.v[GDL_M_PR_AUC]); // the same with any thread count
    gdl_threads_set(1);
    free(s), free(y), free(key), free(bits);
}

/* the weighted average: n_pos / n by default, fixed weights (--weights-from) when set, a NaN
 * weight and a one-class target left out; macro and median are not weighted */
static void test_weighted_average(void)
{
    eval_target_t tg[4] = {{.kind = GDL_EVAL_BINARY}, {.kind = GDL_EVAL_BINARY}, {.kind = GDL_EVAL_BINARY},
                           {.kind = GDL_EVAL_BINARY}};
    eval_preds_t p = {.T = 4, .targets = tg};
    eval_result_t r[4] = {{.single_class = 0}};
    const double auc[4] = {0.9, 0.6, 0.7, 0.5}, n_pos[4] = {10, 30, 50, 0};
    for (int t = 0; t < 4; t++) {
        gdl_metrics_clear(&r[t].m);
        r[t].m.v[GDL_M_N] = 100, r[t].m.v[GDL_M_N_POS] = n_pos[t], r[t].m.v[GDL_M_ROC_AUC] = auc[t];
    }
    r[3].single_class = 1;
    gdl_metrics_t agg[EVAL_AGG_COUNT];
    gdl_eval_aggregate(&p, r, agg, NULL);
    CHECK_CLOSE(agg[EVAL_AGG_WEIGHTED].v[GDL_M_ROC_AUC], (0.1 * 0.9 + 0.3 * 0.6 + 0.5 * 0.7) / 0.9, 1e-15);
    double w[4] = {0.2, NAN, 0.6, 1};
    p.weights.w = w;
    gdl_eval_aggregate(&p, r, agg, NULL);
    CHECK_CLOSE(agg[EVAL_AGG_WEIGHTED].v[GDL_M_ROC_AUC], (0.2 * 0.9 + 0.6 * 0.7) / 0.8, 1e-15);
    CHECK_CLOSE(agg[EVAL_AGG_MACRO].v[GDL_M_ROC_AUC], (0.9 + 0.6 + 0.7) / 3, 1e-15);
}

/* the reader's fast path and strtod give the same doubles; folds sort numerically */
static void test_reader_numbers_and_folds(void)
{
    char path[] = "/tmp/gdl_test_eval_XXXXXX";
    int fd = mkstemp(path);
    CHECK(fd >= 0);
    FILE *fp = fdopen(fd, "w");
    enum { N = 3000 };
    static char text[N][40];
    gdl_rng_t r;
    gdl_rng_init(&r, 23, 0);
    fprintf(fp, "id\tfold\ta:label\ta:score\tr:label\tr:score\n");
    for (int i = 0; i < N; i++) {
        double x = (gdl_rng_uniform(&r) - 0.3) * pow(10, (int)gdl_rng_below(&r, 10) - 5);
        int prec = 1 + (int)gdl_rng_below(&r, 18);
        snprintf(text[i], sizeof text[i], i % 3 == 0 ? "%.*e" : i % 3 == 1 ? "%.*g" : "%.*f", prec, x);
        fprintf(fp, "e%d\t%d\t%d\t%s\t%s\t%s\r\n", i, (int)(i % 11) * 5, i % 2, text[i], text[i], text[i]);
    }
    fclose(fp);
    eval_preds_t *p = gdl_eval_preds_read(path, NULL, NULL);
    CHECK(p != NULL);
    if (p) {
        CHECK(p->N == N && p->T == 2 && p->n_folds == 11);
        CHECK(p->targets[0].kind == GDL_EVAL_BINARY && p->targets[1].kind == GDL_EVAL_REGRESSION);
        int bad = 0;
        for (int i = 0; i < N; i++) {
            double want = strtod(text[i], NULL) + 0.0;
            // a binary target's score is held as the float nearest the double
            bad += p->targets[0].fscore[i] != (float)want || p->targets[1].label[i] != want || p->targets[1].score[i] != want;
        }
        CHECK(bad == 0);
        // fold names 0, 5, ..., 50 in numeric order (not "0", "10", "15", ..., "5")
        CHECK(strcmp(p->fold_names[1], "5") == 0 && strcmp(p->fold_names[10], "50") == 0);
        CHECK(p->fold[0] == 0 && p->fold[1] == 1 && p->fold[10] == 10);
        gdl_eval_preds_free(p);
    }
    unlink(path);
}

/* read a window of a few hundred bytes at a time (row windows not on 64-row words, rows split
 * between windows, the second pass for a regression target, folds): the same as read whole */
static void test_reader_windows(void)
{
    char path[] = "/tmp/gdl_test_eval_XXXXXX";
    int fd = mkstemp(path);
    CHECK(fd >= 0);
    FILE *fp = fdopen(fd, "w");
    enum { N = 1000 };
    gdl_rng_t r;
    gdl_rng_init(&r, 29, 0);
    fprintf(fp, "id\tfold\ta:label\ta:score\tr:label\tr:score\tb:label\tb:score\n");
    for (int i = 0; i < N; i++) {
        double u = gdl_rng_uniform(&r);
        const char *la = i % 7 == 3 ? "" : u < 0.3 ? "1" : "0";
        fprintf(fp, "e%d\t%c\t%s\t%.6f\t%.3f\t%.4f\t%d\t%.9g\n", i, 'A' + i % 4, la, u, u * 10 - 2,
                u * 9, i % 5 == 0, (float)gdl_rng_uniform(&r));
    }
    fclose(fp);
    eval_preds_t *whole = gdl_eval_preds_read(path, NULL, NULL);
    size_t saved = gdl_eval_read_window;
    gdl_eval_read_window = 333;
    eval_preds_t *win = gdl_eval_preds_read(path, NULL, NULL);
    gdl_eval_read_window = saved;
    CHECK(whole && win);
    if (whole && win) {
        CHECK(win->N == N && win->T == 3 && win->n_folds == 4);
        CHECK(win->targets[0].kind == GDL_EVAL_BINARY && win->targets[1].kind == GDL_EVAL_REGRESSION &&
              win->targets[2].kind == GDL_EVAL_BINARY);
        CHECK(win->targets[0].n_labelled == N - (N + 3) / 7 && win->targets[2].n_labelled == N);
        int bad = 0;
        for (int i = 0; i < N; i++) {
            bad += win->fold[i] != whole->fold[i] || win->fold[i] != i % 4;
            for (int t = 0; t < 3; t += 2) {
                const eval_target_t *a = &win->targets[t], *b = &whole->targets[t];
                bad += eval_bit(a->known, i) != eval_bit(b->known, i) || eval_bit(a->pos, i) != eval_bit(b->pos, i);
                bad += eval_bit(a->known, i) && a->fscore[i] != b->fscore[i];
            }
            bad += win->targets[1].label[i] != whole->targets[1].label[i] ||
                   win->targets[1].score[i] != whole->targets[1].score[i];
        }
        CHECK(bad == 0);
        CHECK(eval_bit(win->targets[2].pos, 5) && !eval_bit(win->targets[2].pos, 6));
    }
    gdl_eval_preds_free(whole);
    gdl_eval_preds_free(win);
    unlink(path);
}

static void test_percentile_and_registry(void)
{
    const double x[4] = {1, 2, 3, 4};
    CHECK_CLOSE(gdl_eval_percentile(x, 4, 0.25), 1.75, 1e-15); // numpy's linear interpolation
    CHECK_CLOSE(gdl_eval_percentile(x, 4, 0.975), 3.925, 1e-15);
    CHECK(gdl_eval_percentile(x, 1, 0.5) == 1);
    for (int m = 0; m < GDL_M_COUNT; m++) {
        CHECK(strcmp(gdl_eval_metric_name(m), "?") != 0);
        int any = 0;
        for (int k = 0; k < GDL_EVAL_KIND_COUNT; k++) any |= gdl_eval_metric_applies(m, k);
        CHECK(any);
    }
    CHECK(strcmp(gdl_eval_metric_name(GDL_M_PR_AUC), "pr_auc") == 0);
    CHECK(gdl_eval_metric_applies(GDL_M_R2, GDL_EVAL_REGRESSION) && !gdl_eval_metric_applies(GDL_M_R2, GDL_EVAL_BINARY));
}

int main(void)
{
    gdl_log_set_level(GDL_LOG_QUIET);
    RUN(test_binary_hand_computed);
    RUN(test_binary_best_f1);
    RUN(test_binary_edge_cases);
    RUN(test_regression_hand_computed);
    RUN(test_multiclass_hand_computed);
    RUN(test_parse_double);
    RUN(test_sort_matches_qsort);
    RUN(test_weights_equal_repeated_rows);
    RUN(test_micro_merge_equals_pooled);
    RUN(test_micro_merge_in_ranges);
    RUN(test_weighted_average);
    RUN(test_reader_numbers_and_folds);
    RUN(test_reader_windows);
    RUN(test_percentile_and_registry);
    return TEST_EXIT();
}
