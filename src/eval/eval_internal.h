/* Private pieces of src/eval/: the predictions table, the sorted form every ranking metric
 * starts from, per-target results and the writers. Letters: N rows, T targets, K classes,
 * G distinct scores of a target, B bootstrap replicates. */
#ifndef GDL_EVAL_INTERNAL_H
#define GDL_EVAL_INTERNAL_H

#include <math.h>
#include <stdint.h>
#include <string.h>

#include "gdl/core.h"
#include "gdl/eval.h"

/* ---- predictions.tsv (predictions.c) ------------------------------------------------------ */

/* A binary target holds 4 bytes and 2 bits per row: its score rounded to float (exact for what
 * gdl predict writes; AUCs are then exact for those floats) and its label as bits. Regression and
 * multi-class targets hold doubles. */
typedef struct {
    char *name;
    gdl_eval_kind_t kind;
    int K;           // classes (multi-class), else 0
    char **classes;  // (K) names, in column order
    double *label;   // (N) regression, multi-class (the class index); NaN = missing. NULL for binary
    double *score;   // (N) regression, (N, K) multi-class; NULL for binary
    float *fscore;   // (N) binary: the score as float; after gdl_eval_micro, the sorted keys (eval_runs)
    uint64_t *known; // (N / 64 words) binary: bit r set when row r has a label
    uint64_t *pos;   // (N / 64 words) binary: bit r set when row r's label is 1
    int64_t n_labelled;
} eval_target_t;

static inline int eval_bit(const uint64_t *b, int64_t i) { return (int)(b[i >> 6] >> (i & 63)) & 1; }
static inline void eval_set_bit(uint64_t *b, int64_t i) { b[i >> 6] |= 1ull << (i & 63); }
static inline size_t eval_bit_words(int64_t n) { return (size_t)((n + 63) >> 6); }

/* What the weighted average weighs each binary target by (weights.c). */
typedef struct {
    const char *by;         // "evaluated positives", "training prevalence" or "label prevalence"
    const char *file;       // the --weights-from model or dataset, NULL for evaluated positives
    double *w;              // (T) each binary target's weight (NaN: left out), NULL: n_pos / n
                            // of the rows evaluated (each fold's own, each replicate's own)
} eval_weights_t;

typedef struct {
    char *path;
    int64_t N;
    int T;
    eval_target_t *targets; // (T) in header order
    eval_weights_t weights; // set by gdl_eval_weights_read; w freed by gdl_eval_preds_free
    int n_folds;            // 0 without a fold column
    char **fold_names;      // (n_folds), sorted: numerically when all are integers
    int32_t *fold;          // (N) index into fold_names, NULL without a fold column
    /* set by gdl_eval_micro, which sorts the binary targets in place: the labelled rows of fold f of
     * target t are then fscore (as keys) and pos (as bits) from run_at[t * (F + 1) + f] to
     * run_at[t * (F + 1) + f + 1], F = max(n_folds, 1); no row order is left */
    int64_t *run_at;
} eval_preds_t;

/* Reads and checks PATH ("-" = stdin) with the kind overrides (comma lists or "all", may be
 * NULL). NULL with an error "PATH:LINE: ..." on bad input. Free with gdl_eval_preds_free. */
eval_preds_t *gdl_eval_preds_read(const char *path, const char *regression, const char *binary);
void gdl_eval_preds_free(eval_preds_t *p);
/* The same preds from scores held in memory (gdl eval -m); path names them in messages. */
eval_preds_t *gdl_eval_preds_from_scores(const gdl_eval_scores_t *s, const char *regression,
                                         const char *binary);

/* ---- kinds (kinds.c) ----------------------------------------------------------------------- */

/* The index of the target named s[0, n), or -1. */
int gdl_eval_target_index(const eval_preds_t *p, const char *s, size_t n);
/* -1 with an error naming path when the comma list of --opt names a target p lacks. */
int gdl_eval_check_list(const eval_preds_t *p, const char *path, const char *opt, const char *list);
/* Whether --regression forces name's target to regression (a name beats "all" of --binary). */
int gdl_eval_forced_regression(const char *regression, const char *binary, const char *name);
/* Decides target ti's kind (held as bits: binary; multi-class: kept; doubles: binary when every
 * label is 0 or 1, then turned into bits, else regression, as the lists force) and counts its
 * labelled rows. Errors name path and a line (lines: a file's, the header line 1) or an example.
 * 0, or -1 with the error. */
int gdl_eval_decide_kind(eval_preds_t *p, int ti, const char *path, int lines, const char *regression,
                         const char *binary);

/* The bytes of the file read (and resident) at a time [64 MiB]; tests make it small. */
extern size_t gdl_eval_read_window;

/* ---- the predictions file's text (text.c) ---------------------------------------------------- */

typedef struct {
    const char *path;   // "-" = stdin
    const char *buf;    // the bytes (mapped, or read whole from stdin)
    size_t size;
    int mapped;
    int64_t *line;      // row starts found by gdl_eval_text_find_rows, then line[N] = the end
} eval_text_t;

/* Maps path (stdin: reads it whole); 0, or -1 with an error naming it. */
int gdl_eval_text_load(eval_text_t *t);
/* Pages [from, to) in before it is read; drops its whole pages from the resident set after (they
 * stay in the page cache). No-ops for stdin. */
void gdl_eval_text_window_in(const eval_text_t *t, size_t from, size_t to);
void gdl_eval_text_window_out(const eval_text_t *t, size_t from, size_t to);
/* The row starts of bytes [start, end) into t->line (grown as needed), a window at a time; the
 * row count, or -1 out of memory. */
int64_t gdl_eval_text_find_rows(eval_text_t *t, size_t start, size_t end);
void gdl_eval_text_free(eval_text_t *t);

/* The weights of p's weighted averages: with path NULL n_pos / n; otherwise the training
 * prevalence a model file stores or the label prevalence of a dataset, for every binary target of
 * p matched by name. -1 with an error naming the file: neither a model nor a dataset, a model
 * without stored prevalence, a binary target it lacks or holds as another kind. */
int gdl_eval_weights_read(eval_preds_t *p, const char *path);

/* ---- sorting (sort.c) ---------------------------------------------------------------------- */

/* An order-preserving map of finite doubles to unsigned integers (-0 and +0 must have been
 * made equal before), so scores sort by radix without a comparison function. */
static inline uint64_t eval_key(double d)
{
    uint64_t u;
    memcpy(&u, &d, 8);
    return (u >> 63) ? ~u : (u | 0x8000000000000000ull);
}
static inline double eval_unkey(uint64_t k)
{
    uint64_t u = (k >> 63) ? (k & 0x7fffffffffffffffull) : ~k;
    double d;
    memcpy(&d, &u, 8);
    return d;
}

/* The same for floats, 32 bits (+0 for -0 first: x + 0.0f). */
static inline uint32_t eval_key32(float f)
{
    uint32_t u;
    memcpy(&u, &f, 4);
    return (u >> 31) ? ~u : (u | 0x80000000u);
}

/* Sorts key (N) ascending, carrying payload (N); stable. tmp_key, tmp_pay (N) are scratch. */
void gdl_eval_sort(uint64_t *key, uint32_t *pay, int64_t n, uint64_t *tmp_key, uint32_t *tmp_pay);

/* ---- binary ranking metrics (binary.c) ---------------------------------------------------- */

/* A ranked binary target: distinct scores from the highest down, with the cumulative true
 * and false positives at each one (predicting positive for score >= value). */
typedef struct {
    int64_t G;
    double *value;     // (G) descending
    uint32_t *tp, *fp; // (G) cumulative counts (or bootstrap weights, which also sum to <= N)
    uint64_t P, Nn;    // positives, negatives
} eval_curve_t;

void gdl_eval_curve_free(eval_curve_t *c);

/* Sorted scores -> curve. key (N) ascending with pay = row << 1 | label; w (rows) integer
 * weights or NULL for all 1. Writes into c, whose arrays must hold N entries. */
void gdl_eval_curve_build(const uint64_t *key, const uint32_t *pay, int64_t n, const uint32_t *w,
                      eval_curve_t *c);
/* The same from pay sorted by score[pay >> 1] (ties detected on the scores themselves). */
void gdl_eval_curve_build_rows(const float *score, const uint32_t *pay, int64_t n, const uint32_t *w,
                           eval_curve_t *c);
/* From a curve: roc_auc, pr_auc, threshold metrics at thr (NAN = best F1), n, n_pos; every
 * metric but n and n_pos null with one class only. *tp_at, *fp_at (may be NULL) get the
 * confusion counts at the threshold used. */
void gdl_eval_curve_metrics(const eval_curve_t *c, double thr, gdl_metrics_t *m, uint64_t *tp_at,
                        uint64_t *fp_at);
/* Threshold metrics from a confusion matrix; m's n, n_pos and AUCs are left alone. */
void gdl_eval_confusion_metrics(uint64_t tp, uint64_t fp, uint64_t P, uint64_t Nn, gdl_metrics_t *m);

/* A sorted run of one target (and fold): key (n) ascending (eval_key32), the label of key[i]
 * at bit off + i of label. */
typedef struct {
    const uint32_t *key;
    const uint64_t *label;
    int64_t off, n;
} eval_run_t;

/* Micro average: runs merged into one pooled ranking, streaming (no curve is built): n, n_pos,
 * roc_auc, pr_auc into m, the rest left alone. 0, or -1 when out of memory. */
int gdl_eval_runs_merge(const eval_run_t *runs, int n, gdl_metrics_t *m);

/* ---- regression (regression.c) ------------------------------------------------------------ */

/* Weighted regression metrics over rows idx (n) with integer weights w (NULL = 1), for the
 * bootstrap; by_pred / by_label (n) are idx sorted by prediction / by label (ties in any
 * order), needed for Spearman. */
void gdl_eval_regression_weighted(const double *pred, const double *label, const uint32_t *idx,
                              const uint32_t *by_pred, const uint32_t *by_label, int64_t n,
                              const uint32_t *w, gdl_metrics_t *m);
/* idx (n) sorted by v[idx[i]] into out (n). 0, or -1 when out of memory. */
int gdl_eval_sort_rows(const double *v, const uint32_t *idx, int64_t n, uint32_t *out);

/* ---- multi-class (multiclass.c) -------------------------------------------------------------- */

struct eval_result_t;
/* Metrics of a multi-class target over rows (n) with integer weights w (NULL = 1) into res
 * (its per-class arrays allocated when NULL; curves kept when keep_curves). 0 or -1. */
int gdl_eval_multiclass_rows(const eval_target_t *t, const uint32_t *rows, int64_t n, const uint32_t *w,
                         struct eval_result_t *res, int keep_curves);

/* ---- results (evaluate.c) ------------------------------------------------------------------ */

enum { EVAL_AGG_MACRO, EVAL_AGG_MEDIAN, EVAL_AGG_WEIGHTED, EVAL_AGG_MICRO, EVAL_AGG_COUNT };
extern const char *const gdl_eval_agg_names[EVAL_AGG_COUNT];

typedef struct eval_result_t {
    gdl_metrics_t m;
    int single_class;       // classification with one class only: AUCs and the rest null
    uint64_t tp_at, fp_at;  // binary: confusion counts at the threshold used
    eval_curve_t *curve;    // (n_curves): 1 binary, K multi-class one-vs-rest
    int n_curves;
    double *class_auc, *class_ap; // (K) multi-class
    int64_t *class_n;       // (K) true examples per class
    int64_t *confusion;     // (K, K)
    /* kept for the bootstrap: the labelled rows sorted by score (binary: row << 1 | label,
     * multi-class: rows, regression: by prediction and by label) */
    uint32_t *rows, *by_pred, *by_label;
    int64_t n_rows;
} eval_result_t;

typedef struct {
    const char *name;       // "all" or the fold's name
    int64_t n_rows;         // rows in this set
    eval_result_t *r;       // (T)
    gdl_metrics_t agg[EVAL_AGG_COUNT];
    int n_single_class, n_binary, n_multiclass, n_regression;
} eval_set_t;

typedef struct {
    int keep_curves, keep_rows;
    /* all rows, and nothing after needs their order (no folds, no bootstrap): each binary target
     * is left sorted in place for gdl_eval_micro, which then need not sort it again */
    int sort_in_place;
    double threshold;
} eval_set_opts_t;

/* Metrics of every target over the rows where fold == f (f < 0: all rows). The micro average
 * gets its pooled confusion counts here, its AUCs from gdl_eval_micro. 0 or -1. */
int gdl_eval_set_compute(eval_preds_t *p, int f, const eval_set_opts_t *o, eval_set_t *s);
void gdl_eval_set_free(eval_set_t *s, int T);

/* The micro-average ROC and PR AUC of all (every row) and of each fold (folds: p->n_folds sets,
 * or NULL), by sorting each binary target in place and merging the sorted runs: the last use of
 * p's binary scores, which are no longer in row order afterwards. 0 or -1. */
int gdl_eval_micro(eval_preds_t *p, eval_set_t *all, eval_set_t *folds);

int gdl_eval_metric_averaged(gdl_metric_t m); // aggregated over targets (metrics.c)

/* macro, median, weighted (by p->weights, n_pos / n by default) over r's binary targets and macro/median of the
 * regression metrics over the regression targets. Micro is left alone. */
void gdl_eval_aggregate(const eval_preds_t *p, const eval_result_t *r, gdl_metrics_t agg[EVAL_AGG_COUNT],
                    int *n_single);

/* ---- across folds, bootstrap ---------------------------------------------------------------- */

/* Per-target and per-aggregate mean and sample sd (n - 1) over the folds where defined. */
typedef struct {
    gdl_metrics_t *mean, *sd;              // (T)
    gdl_metrics_t agg_mean[EVAL_AGG_COUNT], agg_sd[EVAL_AGG_COUNT];
} eval_fold_summary_t;

int gdl_eval_fold_summary(const eval_preds_t *p, const eval_set_t *folds, int F, eval_fold_summary_t *fs);
void gdl_eval_fold_summary_free(eval_fold_summary_t *fs);

typedef struct {
    int B;
    uint64_t seed;
    double level;
    gdl_metrics_t *lo, *hi;                 // (T)
    gdl_metrics_t agg_lo[EVAL_AGG_COUNT], agg_hi[EVAL_AGG_COUNT]; // micro left NAN
} eval_ci_t;

/* Percentile intervals from B replicates resampling rows with replacement (the same rows for
 * every target); needs s computed with keep_rows. 0 or -1. */
int gdl_eval_bootstrap(const eval_preds_t *p, const eval_set_t *s, double thr, int B, uint64_t seed,
                   double level, eval_ci_t *ci);
void gdl_eval_ci_free(eval_ci_t *ci);

/* Percentile with linear interpolation (numpy's default) of sorted x (n > 0). */
double gdl_eval_percentile(const double *sorted, int64_t n, double q);

/* ---- outputs ------------------------------------------------------------------------------- */

/* Outputs written and closed under their temp names, renamed together when all are complete. */
typedef struct {
    gdl_outfile_t *f;
    int n, cap;
} eval_outs_t;

typedef struct {
    const eval_preds_t *p;
    const gdl_eval_opts_t *o;
    eval_outs_t *outs;       // where the writers leave their closed files
    const eval_set_t *all;
    const eval_set_t *folds; // (p->n_folds) or NULL
    const eval_fold_summary_t *fs; // NULL without folds
    const eval_ci_t *ci;     // NULL without bootstrap
} eval_report_t;

int gdl_eval_write_json(const eval_report_t *r, const char *path);   // json.c
int gdl_eval_write_tsv(const eval_report_t *r, const char *path);    // report.c
void gdl_eval_print_table(const eval_report_t *r, FILE *fp);         // report.c
int gdl_eval_write_curves(const eval_report_t *r, const char *prefix); // report.c
int gdl_eval_write_plots(const eval_report_t *r, const char *prefix);  // plot.c

/* A writer's file closed and kept for gdl_eval_outs_finish (stdout is done at once). 0, or -1 with
 * its temp file removed. */
int gdl_eval_out_close(eval_outs_t *outs, gdl_outfile_t *f);
/* ok: every file renamed into place (0, or -1 at the first failure, the rest removed); otherwise
 * every temp file removed (-1). */
int gdl_eval_outs_finish(eval_outs_t *outs, int ok);

/* "PREFIX" + suffix, malloc'd; NULL (and an error) when out of memory. */
char *gdl_eval_path(const char *prefix, const char *mid, const char *suffix);

#endif
