/* What the files of a training run share: train.c (one run), checkpoint.c, curves.c, cv.c. */
#ifndef GDL_MODEL_TRAIN_INTERNAL_H
#define GDL_MODEL_TRAIN_INTERNAL_H

#include <stdio.h>

#include "cd.h"
#include "model_internal.h"

// RNG streams: "SHUF", "VAL", "PATH", "AUGM"
enum { STREAM_SHUFFLE = 0x53485546, STREAM_VALSPLIT = 0x56414c, STREAM_PATHFOLDS = 0x50415448, STREAM_AUGMENT = 0x4155474d };

/* Losses by epoch, for --plot: one entry per epoch of every run (fold). */
typedef struct {
    int n, cap;
    int *epoch, *fold;
    double *train, *val;
} history_t;

int gdl_train_history_add(history_t *h, int epoch, int fold, double train, double val);
void gdl_train_history_free(history_t *h);
/* The losses of h as an SVG at path (a line per fold when n_folds > 0). 0, or -1 with an error. */
int gdl_train_write_curves(const char *path, const history_t *h, int n_folds);

/* What one training run needs beyond the model. */
typedef struct {
    const gdl_train_opts_t *o;
    const gdl_dataset_t *d;
    const int64_t *train_rows, *val_rows;
    int64_t n_train, n_val;
    const char *out_path;       // where the model goes (NULL: keep it in memory only)
    int fold, n_folds;          // 1-based fold held out, for logs and the model file
    FILE *log;                  // epoch log, or NULL
    history_t *hist;            // losses by epoch for --plot, or NULL
    int epochs;                 // this run's epochs (restarts run shorter)
    int checkpoint;             // write OUT.ckpt each epoch and honour --resume
    const gdl_geno_calls_t *decoded; // every sample's sparse genotype calls, or NULL: decode by batch
    const cd_columns_t *cd_columns;  // training.solver cd: the cohort's columns, or NULL: made per model
    const int *strata;          // the examples' strata and groups, for inner folds
    const char *const *groups;
    /* l1_path_folds: an inner run walks the path only and records its criterion per epoch; the
     * run on all the training rows then stops at the chosen epoch and keeps that epoch's weights. */
    int inner, n_inner;         // 1-based inner fold, for logs; 0 = not inner
    double *curve;              // (epochs) lower-is-better criterion by epoch, or NULL
    int keep_last;              // keep the last epoch's weights, not the best's
    double chosen;              // with keep_last: the inner folds' mean criterion at that epoch
    double deep_l1, deep_l2;    // linear_by_cd: the penalty cd chose, for the other genotype layers
} run_t;

/* Everything the loop carries from one epoch to the next: a checkpoint is exactly this. */
typedef struct {
    int epoch;                  // epochs completed
    int64_t step;               // optimizer steps taken
    int64_t batches;            // batches seen: the dropout stream position
    double best;                // best validation loss so far
    int best_epoch, bad;        // epoch of best, epochs since
    float *best_param, *best_state;
    gdl_optim_t opt;
    gdl_sched_t sched;
    penalty_t pen;
    int refining;               // l1 path done: training on at the chosen penalty
    float best_l1, l1_fixed;    // the penalty of the best epoch; of the refinement
    gdl_input_view_t *views;    // training.augment: (batch) scratch for each batch's draws, which
                                // come from the epoch's stream (nothing to checkpoint); else NULL
} loop_t;

/* OUT.ckpt beside the model path out (malloc'd; NULL when out of memory). */
char *gdl_train_ckpt_path(const char *out);
int gdl_train_save_checkpoint(const char *path, const gdl_model_t *m, const loop_t *L);
/* Restores m's parameters and the loop state from a checkpoint written for the same config. */
int gdl_train_load_checkpoint(const char *path, gdl_model_t *m, loop_t *L);

/* The config of o (its file, with o's overrides applied); NULL with an error. */
gdl_config_t *gdl_train_load_config(const gdl_train_opts_t *o);
int gdl_train_row_cmp(const void *a, const void *b); // int64_t rows ascending, for qsort
/* Splits rows (n) into training and validation rows by strata and groups, val_frac held out. */
int gdl_train_split_validation(const gdl_dataset_t *d, const int *strata, const char *const *groups,
                               const int64_t *rows, int64_t n, double val_frac, uint64_t seed, int64_t *train,
                               int64_t *n_train, int64_t *val, int64_t *n_val);
/* One model trained as run says (with r bound to it); NULL with an error. */
gdl_model_t *gdl_train_one(const gdl_train_opts_t *o, const gdl_dataset_t *d, run_t run, gdl_runner_t *r);

#endif
