/* model: JSON configs to graphs, training with k-fold cross-validation, model files, predict.
 *
 * Dimension letters: N examples, B batch, T targets (or K classes for one categorical target).
 *
 * A config (a JSON file such as configs/deepsea.json) is
 *   {"description": "where this model comes from",
 *    "inputs":  [{"name": "x", "from": "genotypes", "sparse": true}],
 *    "layers":  [{"name": "h1", "type": "dense", "input": "x", "units": 64}, ...,
 *                {"name": "logits", "type": "dense", "input": "h2", "units": "outputs"}],
 *    "output":  {"layer": "logits", "loss": "auto", "targets": ["status"]},
 *    "training": {"optimizer": "adam", "lr": 0.001, "batch": 64, "epochs": 20, ...}}
 * Input shapes come from the dataset (an input "from" a dataset input), and "units": "outputs"
 * becomes the number of targets (binary, regression) or classes (one categorical target), so
 * one config fits any cohort width, sequence length or target count. Every other key of a
 * layer is an attribute of its op (see gdl/nn.h). Unknown keys and wrong types are errors
 * naming the JSON path ("layers[3].filters: expected an integer"). */
#ifndef GDL_MODEL_H
#define GDL_MODEL_H

#include <stdint.h>

#include "gdl/dataset.h"
#include "gdl/nn.h"

#define GDL_MODEL_MAX_INPUTS 8

/* ---- configs ------------------------------------------------------------------------------ */

typedef struct {
    char *name;     // graph input name
    char *from;     // dataset input name ("genotypes" for input:genotypes)
    int sparse;     // genotypes fed as a sparse batch (sparse_dense first layer)
    /* genotypes only, "pairs": {"top": K, "p": P}: K > 0 adds up to K pair columns (gdl/dataset.h),
     * the pairs the BOOST scan (gdl epistasis) ranks best with p <= P among each model's training
     * rows, so a fold's held-out samples never choose them; P 0 (the default) is Bonferroni's
     * 0.05 / (M (M - 1) / 2). The first target chooses: BOOST for a binary one, the linear
     * interaction test for a quantitative one */
    int64_t pairs_top;
    double pairs_p;
} gdl_config_input_t;

typedef struct {
    char *name, *type, *inputs; // inputs comma-separated, as gdl_nn_add takes them
    char *attrs;                // "key=value ..." for the op
    int units_from_outputs;     // "units": "outputs"
} gdl_config_layer_t;

#define GDL_MAX_L1_RATIOS 8
typedef struct {
    char *optimizer;            // ["adam"]
    double lr;                  // [0.001]
    int64_t batch;              // [64]
    int epochs;                 // [10]
    uint64_t seed;              // [1]
    double weight_decay;        // [0]
    /* Elastic net on the weights of the (sparse_)dense layers reading genotypes, on the scale of standardised values
     * (each variant's row weighted by the SD of its values), as a proximal step: exact zeros. */
    double l1;                  // lasso penalty, fixed [0]
    double l2;                  // ridge penalty [0]
    int l1_path;                // > 0: the lasso penalty falls geometrically over this many epochs
                                // from lambda_max (the smallest that keeps every weight at zero, from
                                // the training rows' gradient at initialisation) to l1_min_ratio
                                // lambda_max; early stopping picks the epoch, so the penalty [0]
    double l1_min_ratio;        // [0.01]
    double l1_ratio;            // l1_path: the path's penalty lambda is l1 = l1_ratio lambda plus
                                // l2 = (1 - l1_ratio) lambda (glmnet's alpha); lambda_max scales by
                                // 1 / l1_ratio [1 = lasso]
    double l1_ratios[GDL_MAX_L1_RATIOS]; // "l1_ratio": [a, b, ...] (solver cd): a grid the
    int n_l1_ratios;                     // inner folds choose from, l1_ratio its first [0 = one]
    int l1_path_folds;          // >= 2: the path's step is chosen by this many folds of the training
                                // rows (cv.glmnet), then the path runs on all of them to that step;
                                // no validation split [0 = the validation split chooses]
    char *solver;               // "gradient": the optimizer's epochs; "cd": coordinate descent, the
                                // exact elastic-net path of a linear genotype model (one dense or
                                // sparse_dense layer on the genotypes), each l1_path step a
                                // converged fit; "count": a kmer layer's table filled from counts
                                // (the k-mer model; count_train.c) ["gradient"]
    double pseudocount;         // solver count: added to every count [1]
    char *linear_by_cd;         // a wide & deep model's linear layer (a dense or sparse_dense layer
                                // from the genotypes to the outputs, one input of the output add):
                                // fitted first by coordinate descent as solver cd fits a linear
                                // model (l1_path, l1_ratio, l1_path_folds choose its penalty on the
                                // training rows), then frozen while the optimizer trains the rest,
                                // whose layers into the add start at zero [none]
    double momentum;            // sgd [0.9]
    int nesterov;               // sgd [0]
    double clip_norm;           // global-norm clipping, 0 = off [0]
    char *schedule;             // constant | step | cosine | plateau ["constant"]
    int64_t warmup;             // linear warm-up steps [0]
    int64_t step_size;          // step schedule, in epochs [10]
    double gamma;               // step schedule [0.1]
    double min_lr;              // cosine floor [0]
    int patience;               // early stopping: epochs without improvement, 0 = off [5]
    char *early_stop;           // what improves: "loss" (validation loss) or "metric" (the main
                                // metric on the validation split: ROC AUC, accuracy, R^2) ["loss"]
    double val_frac;            // validation split when not cross-validating [0.1]
    int grad_accum;             // batches per optimizer step [1]
    int pos_weight;             // bce: weight positives by n_neg / n_pos per target [0]
    char *class_weight;         // softmax_ce: "none", or "balanced": class c weighs n / (C n_c) over
                                // the training rows, scikit-learn's definition ["none"]
    int lazy;                   // sparse_dense weights: update only rows with gradient (gdl_optim_t) [0]
    /* "augment": {"rc": true, "shift": S}: each training batch row of a DNA input is read
     * reverse-complemented with probability 1/2 (augment_rc) and moved by a shift drawn
     * uniformly from -S..S (N filling the open positions), drawn from the seed's stream of the
     * epoch, so runs and resumed runs stay reproducible; validation and prediction read the
     * rows as stored. Command line and search spaces name them augment.rc, augment.shift. */
    int augment_rc;             // [0]
    int augment_shift;          // [0]
    int restarts;               // the adenocarcinoma study's weight randomisation: R short runs first [0]
    int restart_epochs;         // epochs of each restart run [1]
} gdl_train_config_t;

typedef struct {
    char *path;                 // the file it came from, for messages
    char *json;                 // the resolved config, as saved in a model
    char *description;
    int n_inputs;
    gdl_config_input_t inputs[GDL_MODEL_MAX_INPUTS];
    int n_layers;
    gdl_config_layer_t *layers;
    char *output_layer;
    char *loss;                 // "auto" | "bce" | "softmax_ce" | "mse"
    int n_targets;              // 0 = every target of the dataset
    char **targets;
    gdl_train_config_t train;
} gdl_config_t;

/* Parses and checks a config file, or the JSON text in json (path then only names it in
 * messages, and may be NULL). NULL with an error "FILE: JSON.PATH: what is wrong". Free with
 * gdl_config_free. */
gdl_config_t *gdl_config_load(const char *path, const char *json);
/* The text of a config file (at most 16 MiB; malloc'd), or NULL with an error naming it. */
char *gdl_config_read_file(const char *path);
void gdl_config_free(gdl_config_t *c);
/* Whether a layer's inputs (comma-separated, as gdl_config_layer_t.inputs) name `name`. */
int gdl_config_lists_name(const char *inputs, const char *name);
/* Sets c->train.KEY from text (the command-line overrides) and checks the training block again;
 * -1 with an error, after which c is not to be used. */
int gdl_config_override(gdl_config_t *c, const char *key, const char *value);

/* ---- models ------------------------------------------------------------------------------ */

/* What a graph input reads: metadata gdl.input_kind:NAME ("dna", "dna2" for dinucleotides,
 * "numeric", "genotypes"); UNKNOWN in models written before gdl stored it. */
typedef enum { GDL_MODEL_INPUT_UNKNOWN, GDL_MODEL_INPUT_DNA, GDL_MODEL_INPUT_NUMERIC, GDL_MODEL_INPUT_GENOTYPES } gdl_model_input_kind_t;

/* What a graph input is, recorded in the model so a dataset can be checked against it. */
typedef struct {
    int ndim;
    int64_t shape[GDL_NN_MAX_DIMS]; // per example
    int sparse;
    gdl_model_input_kind_t kind;
    int order;                      // DNA: one-hot order (1 bases, 2 dinucleotides)
} gdl_model_input_t;

/* A gene_dense layer's unit groups (see "Gene layers" in README.md). At build the map comes from
 * the dataset catalog's gene column (catalog:gene): one group per gene, in the order genes first
 * appear along the catalog; a variant in several genes links to each; variants in no gene form
 * one last group named "" (unassigned=shared, the default) or are left out (unassigned=drop).
 * The links themselves are the layer's state tensors; the names are saved as the model's
 * metadata gdl.genes:NODE (comma-joined: catalog:gene
 * separates genes by commas, so no name holds one). Unit group g is output columns [g U, (g + 1) U). */
typedef struct {
    int layer;        // index into config->layers
    int64_t groups;   // G
    int64_t links;    // E
    char **genes;     // (G) owned
    int64_t *start, *variant; // build only: the map until the graph holds it, then NULL
} gdl_gene_layer_t;

/* A graph built from a config for one dataset's shapes and targets, or loaded from a file. */
typedef struct {
    gdl_config_t *config;          // owned
    gdl_nn_t *g;                   // owned
    gdl_loss_t loss;
    int n_targets;                 // targets predicted (T)
    char **target_names;           // (T)
    gdl_target_kind_t kind;        // one kind for all: binary, regression, or one categorical
    int n_classes;                 // categorical: K, the output width
    char **classes;                // (K)
    int n_out;                     // output width: T, or K
    gdl_model_input_t inputs[GDL_MODEL_MAX_INPUTS]; // per config input
    uint64_t catalog_hash;         // of the genotype columns; 0 without genotypes
    int has_catalog;
    /* The training variants in the genotype input's column order, with their training af and
     * freq (a missing call's value); owned. NULL without genotypes and in model files written
     * before gdl stored catalogs (those only match a cohort whose catalog hash is the same). */
    gdl_catalog_t *catalog;
    gdl_geno_encoding_t encoding;  // of the training genotypes, with catalog
    gdl_file_t *file;              // gdl_model_load_mapped: the file its parameters are read from
    int n_gene_layers;
    gdl_gene_layer_t *gene_layers; // (n_gene_layers) owned
    /* The label prevalence of the rows the model was fit on (gdl_dataset_prevalence, missing
     * labels left out): binary, each target's fraction of positives (T); categorical, each
     * class's fraction (K). NULL for regression and in model files written before gdl stored it
     * (eval --weights-from weighs averages by it). Owned. */
    float *train_prevalence;       // (n_out)
    int64_t train_rows;            // the rows counted, 0 = unknown
} gdl_model_t;

/* Builds and initialises the graph of config c (ownership passes to the model, also on
 * failure) for dataset d: input shapes from d, output width from the selected targets.
 * NULL with an error naming the config's JSON path. */
gdl_model_t *gdl_model_build(gdl_config_t *c, const gdl_dataset_t *d);
void gdl_model_free(gdl_model_t *m);
/* The gene layer whose node is NAME, or NULL. */
const gdl_gene_layer_t *gdl_model_gene_layer(const gdl_model_t *m, const char *name);
/* Checks that dataset d has what the model needs (inputs of the same shapes, the same variant
 * catalog, as d->geno shows it after gdl_model_align, and the training genotype encoding) and fills target_index (T) with d's column of each model target (-1 if d lacks the
 * target: prediction without labels). -1 with an error saying what differs. */
int gdl_model_check_data(const gdl_model_t *m, const gdl_dataset_t *d, int *target_index);

#define GDL_MIN_OVERLAP 0.9 // --min-overlap default

/* Applying a model to another cohort; called by predict and attribute before
 * gdl_model_check_data. When d's genotype catalog differs from the model's, points d->geno at a
 * view aligned to the model's variants (gdl_dataset_align_genotypes: matched by
 * CHROM:POS:REF:ALT, absent variants and every missing call at the training mean, extra
 * dataset variants ignored) and reports "N of M model variants matched, A absent (filled with
 * the training mean), E dataset variants not in the model" at GDL_LOG_WARN. With the same
 * catalog, d->geno is the stored genotypes, given the training means for missing calls when
 * d's frequencies differ (no repacking; nothing changes on the training cohort). Nothing
 * happens without genotypes. -1 with an error when the encodings differ, when fewer than
 * min_overlap (0..1) of the model's variants are in d, or when the model file holds no catalog
 * (made before models kept one) and the hashes differ.
 *
 * In a model file the catalog is stored as a dataset stores it (catalog:chrom, pos, id, ref,
 * alt, af, gene and input:genotypes.freq) with the metadata input:genotypes.encoding;
 * gdl.catalog_hash stays beside it (docs/formats.md). */
int gdl_model_align(const gdl_model_t *m, gdl_dataset_t *d, double min_overlap);

/* Extra facts saved with a model: how it was trained. */
typedef struct {
    const char *data_path;
    int epochs_run;
    double best_val_loss;          // or, with early_stop = metric, the best validation metric
    int fold;                      // 1-based fold held out, 0 = none
    int n_folds;
} gdl_model_info_t;

/* Writes parameters, running statistics, the resolved config, the input schema, the targets
 * and info atomically. 0 or -1 with an error.
 *
 * A model file holds the tensors param:NAME and state:NAME, the catalog above and
 * train:prevalence, and the metadata gdl.kind "model", gdl.config, gdl.targets, gdl.input:NAME
 * and the rest: every tensor and key, which are optional and what gdl_model_load checks are in
 * docs/formats.md. */
int gdl_model_save(const gdl_model_t *m, const gdl_model_info_t *info, const char *path);
/* Loads a model written by gdl_model_save; NULL with an error. */
gdl_model_t *gdl_model_load(const char *path);
/* The same, for scoring only (predict, attribute, motifs): the parameters are read in place
 * from the file's read-only mapping, which stays open with the model, rather than copied into
 * fresh memory (a 150 MB model is ready at once, its pages shared with the page cache). Such a
 * model must not be trained. */
gdl_model_t *gdl_model_load_mapped(const char *path);

/* ---- running a model over a dataset ----------------------------------------------------- */

/* How one graph input is filled from a dataset's stored form, batch by batch. */
typedef enum { GDL_FEED_GENO_DENSE, GDL_FEED_GENO_SPARSE, GDL_FEED_INPUT } gdl_feed_kind_t;


typedef struct {
    const char *name;          // graph input
    gdl_feed_kind_t kind;
    const gdl_input_t *input;  // GDL_FEED_INPUT: the sequence or numeric input
    int ndim;                  // per-example shape given to the graph
    int64_t shape[GDL_NN_MAX_DIMS];
    int64_t width;             // floats per example (dense)
    float *buf;                // (B, width) dense batch
    int64_t max_batch;
    gdl_csr_t csr;             // sparse batch
    gdl_nn_sparse_t sparse;
    float *missing;            // sparse: (variants) a missing call's value, its variant's mean
    const gdl_geno_calls_t *decoded; // sparse: every sample's calls decoded already (not owned), or NULL
} gdl_feed_t;

/* Sets up the feed for config input ci over dataset d, for batches of up to max_batch
 * examples; -1 with an error naming the input. */
int gdl_feed_init(gdl_feed_t *f, const gdl_config_input_t *ci, const gdl_dataset_t *d, int64_t max_batch);
/* Builds the batch of examples rows[0..n) and hands it to the graph; a sequence input's row b
 * read as views[b] says (views NULL: as stored). */
int gdl_feed_batch(gdl_feed_t *f, gdl_nn_t *g, const gdl_dataset_t *d, const int64_t *rows, int64_t n,
                   const gdl_input_view_t *views);
/* Hands the graph a batch the caller built as dense floats x (n, f->width) (attribution's
 * perturbed inputs): as they are, or as a sparse batch of their non-zero values when the feed
 * is sparse (the same batch gdl_feed_batch builds from the same rows). */
int gdl_feed_set_dense(gdl_feed_t *f, gdl_nn_t *g, const float *x, int64_t n);
void gdl_feed_free(gdl_feed_t *f);

/* A model bound to a dataset: feeds for its inputs and the label columns of its targets. */
typedef struct {
    gdl_model_t *m;
    const gdl_dataset_t *d;
    int *target_index;          // (T): dataset column of each model target, -1 = unlabelled
    gdl_feed_t feeds[GDL_MODEL_MAX_INPUTS];
    int64_t batch;              // largest batch
    int n_lab;                  // label values per example: T, or 1 (class index)
    float *labels;              // (batch, n_lab)
    /* (batch) how the rows of each batch are read from sequence inputs, by position in the
     * batch (reverse complement, shift: gdl predict --rc, training.augment); not owned; NULL =
     * as stored */
    const gdl_input_view_t *views;
} gdl_runner_t;

int gdl_runner_init(gdl_runner_t *r, gdl_model_t *m, const gdl_dataset_t *d, int64_t batch);
/* Sparse genotype batches copied from decoded (every sample of r's dataset, as the feed decodes
 * them; kept by the caller) instead of decoded batch by batch: the same values. */
void gdl_runner_use_decoded(gdl_runner_t *r, const gdl_geno_calls_t *decoded);
void gdl_runner_free(gdl_runner_t *r);
/* Whether the model reads a sequence (seq8) input of the dataset. */
int gdl_runner_has_sequence(const gdl_runner_t *r);
/* Feeds rows[0..n) and their labels and runs the graph (train = 1: dropout, batch statistics). */
int gdl_runner_forward(gdl_runner_t *r, const int64_t *rows, int64_t n, int train);
/* Loss of the last forward; its gradient is added into the output's gradient scaled by
 * grad_scale when grad_scale != 0. Returns NaN when not finite. */
double gdl_runner_loss(gdl_runner_t *r, int64_t n, float grad_scale);
/* Eval-mode scores of rows: probabilities (sigmoid, softmax) or values, (n, n_out). */
int gdl_runner_scores(gdl_runner_t *r, const int64_t *rows, int64_t n, float *scores);
/* gdl_runner_scores, or with rc the mean of the forward pass and of a pass with every DNA input
 * reverse-complemented (rc_scores: a second buffer of n x n_out); -1 with an error naming
 * model_path when rc is asked of a model that reads no DNA. */
int gdl_runner_strand_scores(gdl_runner_t *r, const int64_t *rows, int64_t n, int rc, const char *model_path,
                             float *scores, float *rc_scores);
/* Mean eval-mode loss over rows, in batches; NaN when not finite or no labelled row. With
 * scores, the same pass also writes gdl_runner_scores' values (complete when not NaN). */
double gdl_runner_mean_loss(gdl_runner_t *r, const int64_t *rows, int64_t n, float *scores);

/* ---- training ---------------------------------------------------------------------------- */

#define GDL_TRAIN_MAX_OVERRIDES 16

/* The main metric of a fold's held-out predictions (scores (n, n_out) of rows), for the fold
 * summary on stderr; sets *name. Supplied by the caller so model does not depend on eval. */
typedef double (*gdl_fold_metric_fn)(const gdl_runner_t *r, const int64_t *rows, int64_t n,
                                     const float *scores, const char **name, const void *arg);

typedef struct {
    const char *config_path, *data_path;
    const char *config_json;     // the config's text (config_path then only names it), or NULL
    const char *out_path;        // NULL with folds: no model files (a search's trials)
    int folds;                   // K > 1: cross-validation; 0: one model with a validation split
    int fold;                    // 1..K: train only this fold (a Slurm array task); 0: all
    const char *oof_path;        // out-of-fold predictions.tsv (with folds)
    const char *folds_out;       // id, fold (1-based) TSV
    const char *groups_path;     // id, group TSV: related examples share a fold
    int split_by_chrom;          // whole chromosomes per fold (the dataset's example_chrom)
    const char *test_chrom;      // comma list: train on the other (or train_chrom's) chromosomes, test
    const char *train_chrom;     // on these; the folds loop with K = 2, fold 1 only, model at out_path
    const char *log_path;        // epoch log TSV
    const char *plot_path;       // SVG of training and validation loss by epoch (and fold)
    int refit;                   // with folds: also train a final model on all examples
    int resume;                  // continue from OUT's checkpoint
    int n_overrides;             // --epochs 3 etc., applied over the config's training block
    const char *override_key[GDL_TRAIN_MAX_OVERRIDES], *override_value[GDL_TRAIN_MAX_OVERRIDES];
    gdl_fold_metric_fn fold_metric; // NULL: folds are summarised by their held-out loss only
    const void *fold_metric_arg;    // handed to fold_metric
    double *metric_out, *loss_out;  // with folds, or NULL: the mean held-out metric and loss of
                                    // the folds trained
    const int64_t *rows;         // the dataset rows (indices, ascending) to use; NULL: all of them
    int64_t n_rows;
    /* A nested search: the config of fold k (1..K; 0 for --refit) chosen on rows[0..n), that
     * fold's training and validation examples and nothing else (JSON text, malloc'd; NULL with an
     * error). NULL: every fold trains the config. */
    char *(*fold_config)(void *arg, int k, const int64_t *rows, int64_t n);
    void *fold_config_arg;
} gdl_train_opts_t;

/* Trains as o says and writes the model(s), predictions and logs atomically. Progress goes to
 * stderr at GDL_LOG_INFO and above (one line per epoch). 0, or -1 with an error. */
int gdl_train(const gdl_train_opts_t *o);

/* File name of fold k's model: "out.gdl" -> "out.fold3.gdl"; malloc'd. */
char *gdl_model_fold_path(const char *out_path, int k);

/* ---- prediction ---------------------------------------------------------------------------- */

typedef struct {
    int n_models;
    const char *const *model_paths;  // scores are averaged over these (e.g. the fold models)
    const char *data_path, *out_path;
    int64_t batch;                   // [0]: auto, 256 to 2,048 examples
    double min_overlap;              // gdl_model_align's [GDL_MIN_OVERLAP]
    int rc;                          // each score the mean of the example's and its reverse
                                     // complement's (every sequence input reverse-complemented;
                                     // numeric and genotype inputs as stored) [0]
} gdl_predict_opts_t;

/* Scores every example of o->data_path (the mean over the models) into o->out_path as
 * predictions.tsv (docs/formats.md). 0, or -1 with an error; no file left on failure. */
int gdl_predict(const gdl_predict_opts_t *o);

/* What gdl_predict would write, held in memory (gdl eval -m): o->out_path unused. */
typedef struct {
    int64_t n;              // N: the dataset's examples, in its order
    int n_targets;          // T
    int n_out;              // T, or K for one categorical target
    gdl_target_kind_t kind;
    int n_classes;          // categorical: K
    char **target_names;    // (T)
    char **classes;         // (K) categorical, else NULL
    float *scores;          // (N, n_out): the mean over the models
    float *labels;          // (N, T): the dataset's label of each model target (a class index for
                            // categorical), NaN when missing or the dataset lacks the target
} gdl_predicted_t;

int gdl_predict_in_memory(const gdl_predict_opts_t *o, gdl_predicted_t *out);
void gdl_predicted_free(gdl_predicted_t *p);

/* ---- folds ------------------------------------------------------------------------------- */

/* Assigns each of the N examples to a fold 0..K-1, deterministically from seed.
 * With groups (N group names, or NULL) every group lands whole in one fold: groups are shuffled
 * and each goes to the fold with the fewest examples so far. Without groups, examples are
 * stratified by strata (N small integers, e.g. the class of the first target, -1 = its own
 * stratum; NULL = one stratum): each stratum is shuffled and dealt round-robin, continuing the
 * deal across strata so fold sizes differ by at most one. -1 with an error when K < 2 or K > N. */
int gdl_folds_assign(int64_t N, int K, uint64_t seed, const int *strata, const char *const *groups,
                     int *fold);
/* Folds 0..K-1 of the examples rows[0..n) of d (a subset, for the validation split inside a
 * fold, or all of them): with groups (indexed by example, or NULL) whole groups per fold;
 * otherwise stratified by strata (indexed by example, or NULL), and a sequence and its reverse
 * complement (d->rc_group) always together. -1 with an error. */
int gdl_folds_split(const gdl_dataset_t *d, const int *strata, const char *const *groups,
                    const int64_t *rows, int64_t n, int K, uint64_t seed, int *part);
/* The number of distinct groups among groups[rows[0..n)]; -1 when out of memory. */
int64_t gdl_folds_n_groups(const char *const *groups, const int64_t *rows, int64_t n);
/* A train/test split of rows[0..n) by d's example chromosomes: fold[i] 0 on a chromosome of
 * test_chroms, 1 on one of train_chroms (NULL: every other chromosome), -1 on neither (unused).
 * Both comma lists; a chromosome named with no examples, or in both lists, or nothing left to train
 * on is an error (-1) naming path, d's file. Counts into *n_train and *n_test. */
int gdl_folds_by_chrom(const gdl_dataset_t *d, const char *path, const int64_t *rows, int64_t n,
                       const char *train_chroms, const char *test_chroms, int *fold, int64_t *n_train,
                       int64_t *n_test);
/* Strata for stratification: the class of target 0 for binary (0/1) and categorical targets,
 * -1 for a missing label and for regression. Malloc'd (N); NULL when out of memory. */
int *gdl_folds_strata(const gdl_dataset_t *d);

#endif
