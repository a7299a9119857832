/* attr: which inputs drive a model. Attribution of one output (a target, or a class of a
 * categorical target) to the input of a model, by gradients, integrated gradients, in-silico
 * mutation or layer-wise relevance, aggregated into variant, gene and pair tables for genotype
 * models and written per base (.npy, TSV, SVG) for sequence models; and first-layer filters of
 * a sequence CNN as position weight matrices (gdl motifs). The output files' columns and
 * layout: docs/formats.md.
 *
 * Dimension letters: N examples, B batch, W floats per example of the attributed input
 * (M variants for genotypes, 4 L for one-hot sequences), M variants, L positions.
 *
 * The score attributed is the model's output LOGIT (before sigmoid or softmax) for the chosen
 * target or class, or the value of a regression target: logits add up along the paths of a
 * network, so integrated gradients and ISM differences are in the units the last layer sums. */
#ifndef GDL_ATTR_H
#define GDL_ATTR_H

#include <stdint.h>

#include "gdl/model.h"

typedef enum {
    GDL_ATTR_SALIENCY,   // |d score / d x|
    GDL_ATTR_GRADXINPUT, // x * d score / d x
    GDL_ATTR_IG,         // (x - x0) * mean over steps of d score / d x at x0 + a (x - x0)
    GDL_ATTR_ISM,        // score change when an input is mutated (a base, a variant toggled)
    GDL_ATTR_TRACE,      // LRP-epsilon relevance propagated back through the layers' weights
    GDL_ATTR_OCCLUSION,  // f(x) - f(x with a window of positions hidden), per position the mean
                         // over the windows covering it (sequence and numeric inputs)
    GDL_ATTR_METHOD_COUNT
} gdl_attr_method_t;
const char *gdl_attr_method_name(int m);
int gdl_attr_method_find(const char *name); // -1 when unknown

typedef enum { GDL_BASELINE_ZERO, GDL_BASELINE_MEAN, GDL_BASELINE_SHUFFLE, GDL_BASELINE_COUNT } gdl_attr_baseline_t;
const char *gdl_attr_baseline_name(int b);
int gdl_attr_baseline_find(const char *name);

typedef enum { GDL_GENE_MAX, GDL_GENE_SUM, GDL_GENE_MEAN, GDL_GENE_AGG_COUNT } gdl_gene_agg_t;
const char *gdl_gene_agg_name(int a);
int gdl_gene_agg_find(const char *name);

/* ---- the attribution engine: one model bound to one dataset -------------------------------- */

typedef struct gdl_attr_t gdl_attr_t;

typedef struct {
    const char *target;   // output target name; NULL = the only one
    const char *cls;      // class name (or 0-based index) of a categorical target; NULL = the only
                          // output (binary), required for categorical
    const char *input;    // graph input to attribute; NULL = the only input
    int64_t batch;        // examples per forward pass [64]
    int steps;            // ig steps [50]
    gdl_attr_baseline_t baseline;
    double epsilon;       // trace: LRP stabiliser [1e-6]
    uint64_t seed;        // shuffled baselines, backgrounds, null sets, occluding bases [1]
    int64_t window;       // occlusion: positions hidden at once [5]
    int draws;            // occlusion of one-hot sequences: random windows averaged [1]
    int scores_only;      // only scores are asked for (ism, occlusion): a model whose layer reads
                          // the input without a gradient (k-mer words) is accepted
} gdl_attr_spec_t;

/* Binds model m (borrowed) to dataset d (borrowed): checks that d fits the model and resolves
 * the output column. NULL with an error. Free with gdl_attr_free. */
gdl_attr_t *gdl_attr_new(gdl_model_t *m, const gdl_dataset_t *d, const gdl_attr_spec_t *s);
void gdl_attr_free(gdl_attr_t *a);
int64_t gdl_attr_width(const gdl_attr_t *a);      // W of the attributed input
int gdl_attr_is_genotype(const gdl_attr_t *a);    // 1 when the attributed input is genotypes
int gdl_attr_is_sequence(const gdl_attr_t *a);    // 1 when it is a one-hot sequence (4, L)
/* Sets the cohort mean of the attributed input over rows (n) as the ig baseline "mean". */
int gdl_attr_set_mean_baseline(gdl_attr_t *a, const int64_t *rows, int64_t n);

/* The attributed input of rows (n <= batch) as floats, x (n, W). */
int gdl_attr_input(gdl_attr_t *a, const int64_t *rows, int64_t n, float *x);
/* Scores (n) of rows with the attributed input replaced by x (n, W) (other inputs from the
 * dataset rows). n <= batch. 0 or -1. */
int gdl_attr_score(gdl_attr_t *a, const int64_t *rows, int64_t n, const float *x, float *f);
/* As gdl_attr_score, and d score / d x into dx (n, W). */
int gdl_attr_gradient(gdl_attr_t *a, const int64_t *rows, int64_t n, const float *x, float *f,
                      float *dx);
/* Attributions of rows (n <= batch) by method into out (n, W). Genotype ISM toggles each
 * variant of each row between 0 and carrier (out = f(carrier) - f(0)); sequence ISM writes the
 * change of each alternative base at (b, l) and 0 for the reference base. Occlusion (see
 * src/attr/occlusion.c) writes a sequence position's value to its base's channel, a numeric
 * channel's to (c, l); it refuses genotypes and a window longer than L. 0 or -1. */
int gdl_attr_compute(gdl_attr_t *a, gdl_attr_method_t method, const int64_t *rows, int64_t n,
                     float *out);
/* IG baseline of one row (W), for the completeness check: f(x) - f(x0) = sum of attributions. */
int gdl_attr_baseline_of(gdl_attr_t *a, int64_t row, float *x0);

/* ---- whole runs (gdl attribute) ------------------------------------------------------------- */

typedef enum { GDL_LEVEL_VARIANT, GDL_LEVEL_GENE } gdl_attr_level_t;

typedef struct {
    const char *model_path, *data_path, *out_path;
    gdl_attr_method_t method;
    gdl_attr_spec_t spec;
    int cases;               // only examples labelled 1 for the target
    double min_overlap;      // genotypes of another cohort: gdl_model_align's [GDL_MIN_OVERLAP]
    const char *ids_path;    // only these examples (one ID per line)
    /* genotypes */
    gdl_attr_level_t level;
    int signed_mean;         // signed mean instead of mean |attribution|
    gdl_gene_agg_t gene_agg;
    int null_sets;           // gene level: N random variant sets for empirical p-values (0 = off)
    int pairs;               // K > 0: interaction table among the top K variants (to out_path)
    int backgrounds;         // ism and pairs: samples used as backgrounds [100]
    int assoc;               // variant level: single-marker association p-values
    /* sequence and numeric inputs */
    const char *tsv_path;    // per-position table of the chosen examples (--ids)
    const char *svg_prefix;  // PREFIX.ID.svg per chosen example
    const char *profile_prefix; // PREFIX.tsv, PREFIX.svg: mean |attribution| per channel and
                                // position over the selected examples
} gdl_attribute_opts_t;

/* Runs a whole attribution as o says and writes its outputs atomically. 0, or -1 with an error. */
int gdl_attribute(const gdl_attribute_opts_t *o);

/* ---- tables ---------------------------------------------------------------------------------- */

/* Allelic chi-square (1 df) p-value of a 2 x 2 table of allele counts (case alt, case ref,
 * control alt, control ref); 1 when a margin is empty. */
double gdl_attr_allelic_p(double case_alt, double case_ref, double ctrl_alt, double ctrl_ref);

/* ---- gdl motifs ------------------------------------------------------------------------------ */

typedef struct {
    const char *model_path, *data_path, *out_path;
    const char *layer;       // conv1d node; NULL = the first conv1d over a sequence input
    double threshold;        // fraction of a filter's max activation a window must reach [0.5]
    int64_t max_examples;    // examples scanned, 0 = all [0]
    int64_t batch;           // [64]
} gdl_motifs_opts_t;

/* Position weight matrices of the filters of a first-layer convolution from the sequence
 * windows that activate them (Basset's method), written as MEME motifs. 0, or -1. */
int gdl_motifs(const gdl_motifs_opts_t *o);

#endif
