/* eval: metrics of predictions.tsv, exact to what papers quote. The files (predictions.tsv's
 * columns, metrics.json's keys, the per-target and curve TSVs): docs/formats.md.
 *
 * Dimension letters: N examples (rows), T targets, K classes of a multi-class target,
 * B bootstrap replicates.
 *
 * Kinds of target (decided per target when the file is read, see gdl_eval_opts_t):
 *   binary      T:label in {0, 1}, T:score a probability (or any monotone score);
 *   multi-class T:label a class name, one T:score:CLASS column per class;
 *   regression  T:label and T:score real numbers.
 * A multi-label file is a file of several binary targets; its aggregates (macro, median,
 * weighted, micro) are taken over the binary targets. */
#ifndef GDL_EVAL_H
#define GDL_EVAL_H

#include <stdint.h>
#include <stdio.h>

typedef enum { GDL_EVAL_BINARY, GDL_EVAL_MULTICLASS, GDL_EVAL_REGRESSION, GDL_EVAL_KIND_COUNT } gdl_eval_kind_t;

const char *gdl_eval_kind_name(gdl_eval_kind_t k); // "binary", "multiclass", "regression"

/* The metric registry: one slot per metric, named as in metrics.json. A value of NAN means
 * null (undefined, e.g. an AUC with one class present); gdl_eval_metric_applies says whether a
 * metric is reported at all for a kind. */
typedef enum {
    GDL_M_N,          // labelled examples
    GDL_M_N_POS,      // positives (binary)
    GDL_M_ROC_AUC,    // Mann-Whitney U / (n_pos n_neg), ties count 1/2
    GDL_M_PR_AUC,     // average precision: sum_k (R_k - R_k-1) P_k over distinct thresholds
    GDL_M_THRESHOLD,  // score >= threshold is predicted positive
    GDL_M_ACCURACY,
    GDL_M_BALANCED_ACCURACY, // mean recall over the classes present (multi-class)
    GDL_M_PRECISION,  // 0 when nothing is predicted positive (scikit-learn's zero_division=0)
    GDL_M_RECALL,
    GDL_M_F1,
    GDL_M_MCC,        // 0 when a margin of the confusion matrix is empty
    GDL_M_MSE,
    GDL_M_RMSE,
    GDL_M_MAE,
    GDL_M_PEARSON,    // null when a variance is 0
    GDL_M_SPEARMAN,   // Pearson of average ranks
    GDL_M_R2,         // 1 - SS_res / SS_tot; null when the labels are constant
    GDL_M_COUNT
} gdl_metric_t;

typedef struct {
    double v[GDL_M_COUNT];
} gdl_metrics_t;

const char *gdl_eval_metric_name(gdl_metric_t m);
int gdl_eval_metric_applies(gdl_metric_t m, gdl_eval_kind_t k);
void gdl_metrics_clear(gdl_metrics_t *m); // every value NAN

/* ---- metrics of one target ---------------------------------------------------------------- */

/* Binary target over n labelled examples: label (N) 0 or 1, score (N) finite. threshold is the
 * decision threshold, or NAN for the one maximising F1 (ties: the highest). Fills n, n_pos,
 * roc_auc, pr_auc (null when only one class is present), threshold, accuracy, precision,
 * recall, f1, mcc. Returns 0, or -1 (out of memory). */
int gdl_eval_binary(const double *score, const uint8_t *label, int64_t n, double threshold,
                    gdl_metrics_t *out);

/* Regression: pred (N), label (N). Fills n, mse, rmse, mae, pearson, spearman, r2. 0 or -1. */
int gdl_eval_regression(const double *pred, const double *label, int64_t n, gdl_metrics_t *out);

/* Multi-class: scores (N, K) row-major, label (N) in [0, K). The predicted class is the argmax
 * (the first on ties). Fills n, accuracy, balanced_accuracy, roc_auc and pr_auc (macro over
 * the classes with both positives and negatives). class_auc, class_ap (K) get one-vs-rest
 * values (NAN when undefined), confusion (K, K) counts rows = true, columns = predicted; each
 * of the three may be NULL. 0 or -1. */
int gdl_eval_multiclass(const double *scores, const int32_t *label, int64_t n, int K,
                        gdl_metrics_t *out, double *class_auc, double *class_ap,
                        int64_t *confusion);

/* ---- the command --------------------------------------------------------------------------- */

/* The RNG stream of bootstrap replicate b is GDL_EVAL_RNG_STREAM + b, seeded by --seed. */
#define GDL_EVAL_RNG_STREAM 0x6576616c00000000ull // "eval" << 32

typedef struct {
    const char *predictions; // predictions.tsv, "-" = stdin
    const char *json;        // metrics.json, "-" = stdout, NULL = none
    const char *tsv;         // per-target TSV, "-" = stdout, NULL = none
    const char *curves;      // prefix of ROC / PR point TSVs, NULL = none
    const char *plot;        // prefix of SVG figures, NULL = none
    FILE *table;             // where the readable table goes, NULL = nowhere
    double threshold;        // decision threshold, NAN = best F1 per target
    /* Kind overrides: comma-separated target names, or "all". A target named in neither list
     * is binary when all its labels are 0 or 1, else regression. A forced-binary target with
     * another label is an input error. */
    const char *regression, *binary;
    int bootstrap;           // replicates, 0 = none
    uint64_t seed;
    double ci_level;         // e.g. 0.95
    int plot_max;            // curves drawn per figure
    /* What the weighted averages weigh each binary target by: NULL, its positive frequency
     * n_pos / n among the rows evaluated; a model file, the training prevalence it stores
     * (train:prevalence, docs/formats.md); a dataset, its labels' prevalence. Targets are matched
     * by name; one the file lacks is an error. */
    const char *weights_from;
} gdl_eval_opts_t;

void gdl_eval_opts_init(gdl_eval_opts_t *o); // threshold 0.5, ci_level 0.95, plot_max 10, seed 1

/* Reads the predictions, computes every metric, writes the asked-for outputs (each atomically)
 * and prints the table. Returns 0, or -1 with gdl_last_error() set: "FILE:LINE: what" for bad
 * input (an unknown target in --regression / --binary included), or the I/O failure. */
int gdl_eval_run(const gdl_eval_opts_t *o);

/* Scores held in memory, as predictions.tsv would hold them (gdl eval -m MODEL -d DATA): no fold
 * column; a target is multi-class when classes is set (T = 1), else decided as for a file. */
typedef struct {
    const char *name;                 // what messages and metrics.json's "file" call them
    int64_t n;                        // N rows
    int n_targets;                    // T
    const char *const *target_names;  // (T)
    int n_classes;                    // K of the multi-class target, else 0
    const char *const *classes;       // (K) its class names, else NULL
    const float *scores;              // (N, T), or (N, K) for the multi-class target
    const float *labels;              // (N, T): 0/1, a value, or the class index; NaN = missing
} gdl_eval_scores_t;

/* gdl_eval_run on s instead of o->predictions (which is not read). */
int gdl_eval_run_scores(const gdl_eval_opts_t *o, const gdl_eval_scores_t *s);

#endif
