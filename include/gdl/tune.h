/* tune: hyperparameter and architecture search over a config's search space (gdl tune).
 *
 * A search space is a config (gdl/model.h) in which any value may be a search entry:
 *   {"choice": [16, 64, 256]}                      one of the values (any JSON values)
 *   {"range": [1e-4, 1e-2], "log": true}           a number, uniform (log-uniform with log)
 *   {"range": [1, 4], "int": true}                 an integer, bounds included
 * each with an optional "default" (else the first choice, or the range's (geometric) middle),
 * and a layer, or a block of layers {"repeat": R, "layers": [...]}, may carry "repeat": R with R
 * an integer or a search entry over integers >= 0 (0 leaves it out: an optional layer). Copy k
 * >= 2 of a block names its layers NAME_k, reads the previous copy's last layer where the block's
 * first layer read the block's input, and whatever follows reads the last copy's last layer (the
 * block's input when R is 0). A value inside a repeated block is drawn once for all its copies.
 * Parameters are named by their JSON path in the space ("layers[2].units", "training.lr",
 * "layers[3].repeat"); values travel as JSON text ("64", "0.0031", "\"relu\"").
 *
 * The search (gdl_tune) trains trials of resolved configs on a dataset's rows and scores each by
 * a held-out metric: one split (a fifth of the rows) or the mean over inner folds. Trial 0 is the
 * space's defaults. Random search (seeded: trial t's values depend only on the seed and t) or a
 * grid, with successive halving: every trial trains for a small epoch budget, the best 1/eta go
 * on at eta times the budget, up to the config's epochs; trial 0 always reaches the full budget,
 * so the best config is never worse than the defaults on the search's own metric. */
#ifndef GDL_TUNE_H
#define GDL_TUNE_H

#include <stdint.h>

#include "gdl/model.h"

/* ---- search spaces ------------------------------------------------------------------------ */

typedef enum { GDL_PARAM_CHOICE, GDL_PARAM_RANGE } gdl_param_kind_t;

typedef struct {
    char *path;           // JSON path in the space
    gdl_param_kind_t kind;
    int n_choices;        // choice: the values as JSON text
    char **choices;
    double lo, hi;        // range
    int log, integer;     // range: log-uniform; integers
    char *default_json;   // the default value as JSON text
} gdl_param_t;

typedef struct {
    char *path;           // the file, for messages
    int n_params;
    gdl_param_t *params;  // (n_params) in the order of the JSON text
    void *tree;           // the parsed space (private to tune)
} gdl_space_t;

/* Parses and checks a search space: every entry well formed (errors "FILE: JSON.PATH: what is
 * wrong"), and the defaults, every choice and every range's bounds, each with the rest at their
 * defaults, give configs gdl_config_load accepts. NULL with an error. Free with gdl_space_free. */
gdl_space_t *gdl_space_load(const char *path);
void gdl_space_free(gdl_space_t *s);
/* Trial t's values (n_params JSON texts, malloc'd; free with gdl_space_values_free): the defaults
 * for t = 0, else drawn from (seed, t) alone. -1 out of memory. */
int gdl_space_sample(const gdl_space_t *s, uint64_t seed, int64_t t, char ***values);
/* The grid: choices as listed, ranges at `points` evenly (log-evenly) spaced values, integers
 * rounded and repeats dropped. gdl_space_grid_size is the number of grid points (capped at
 * INT64_MAX / 2); gdl_space_grid gives point k (0-based, the last parameter varying fastest). */
int64_t gdl_space_grid_size(const gdl_space_t *s, int points);
int gdl_space_grid(const gdl_space_t *s, int points, int64_t k, char ***values);
void gdl_space_values_free(const gdl_space_t *s, char **values);
/* The plain config (JSON text, malloc'd) of the space with these values, repeats expanded; NULL
 * with an error. */
char *gdl_space_resolve(const gdl_space_t *s, char *const *values);

/* ---- the search --------------------------------------------------------------------------- */

typedef enum { GDL_TUNE_RANDOM, GDL_TUNE_GRID } gdl_tune_method_t;
/* ALL: one process runs the search. ONE_TRIAL: trial `trial`'s next rung, once the table (with
 * the parts merged so far) says it is due, its rows into the part file TABLE.trialI (a Slurm
 * array task). MERGE: the parts into the table, and no training: the trials the next rung still
 * needs go to stdout, or, when none, the best is chosen as one process would and the parts are
 * removed. Merging rung by rung gives the table and best config of one process. */
typedef enum { GDL_TUNE_ALL, GDL_TUNE_ONE_TRIAL, GDL_TUNE_MERGE } gdl_tune_mode_t;

typedef struct {
    const char *space_path, *data_path;
    const char *out_path;         // the best config (plain JSON), or NULL
    const char *table_path;       // the trial table (TSV); required
    int resume;                   // keep the rows of table_path (same space, data and options)
    gdl_tune_mode_t mode;
    const char *plot_prefix;      // PREFIX.PARAM.svg: the metric against each parameter, or NULL
    int64_t trial;                // ONE_TRIAL's trial
    gdl_tune_method_t method;
    int64_t trials;               // random: trials 0..trials-1; grid: trial 0 and at most trials-1
                                  // grid points (0: all)
    double time_limit;            // seconds after which no new trial starts, 0 = none
    int grid_points;              // grid: values per range, 1..64 [3]
    int eta;                      // successive halving's factor; 1 = off [3]
    int rungs;                    // budgets per trial: epochs / eta^(rungs-1) ... epochs [3]
    int inner_folds;              // 0: one held-out fifth (fold 1 of 5); K >= 2: the mean of K folds
    int use_loss;                 // the objective is minus the held-out loss, not fold_metric
    gdl_fold_metric_fn fold_metric; // the held-out metric (the CLI's, from eval)
    const void *fold_metric_arg;
    const char *metric_name;      // the table's metric column ["metric"]
    uint64_t seed;                // of the random search [1]
    int n_overrides;              // training-block overrides for every trial (gdl train's)
    const char *override_key[GDL_TRAIN_MAX_OVERRIDES], *override_value[GDL_TRAIN_MAX_OVERRIDES];
    const int64_t *rows;          // the dataset rows (ascending) the search may see; NULL: all
    int64_t n_rows;
    const char *groups_path;      // the inner splits keep gdl train's --groups together
    int split_by_chrom;           // or whole chromosomes (--split-by chrom)
    const char *folds_out;        // the inner split the trials used (id, fold), or NULL
} gdl_tune_opts_t;

/* Runs the search (see gdl_tune_mode_t) and writes the table (after every trial, atomically, so
 * an interrupted search resumes from it) and the best config; a mode without a best leaves
 * *best_json NULL. With best_json, the best resolved config is also handed
 * back (malloc'd). 0, or -1 with an error. */
int gdl_tune(const gdl_tune_opts_t *o, char **best_json);

/* ---- nested cross-validation (gdl train --folds K --tune SPACE) ----------------------------- */

typedef struct {
    gdl_tune_opts_t search;       // the search of every fold; its rows and file paths are set per fold
    const char *prefix;           // fold k's files: PREFIX.foldK.tune.tsv (its trial table),
                                  // PREFIX.foldK.tuned.json (the config chosen) and
                                  // PREFIX.foldK.tune-folds.tsv (the inner split: id, fold of every
                                  // example the search saw); the refit's: PREFIX.tune.tsv ...
} gdl_tune_nested_t;

/* gdl_train_opts_t's fold_config for a gdl_tune_nested_t: searches on rows alone and hands back
 * the best config. */
char *gdl_tune_fold_config(void *nested, int k, const int64_t *rows, int64_t n);
/* The space's defaults (trial 0) as a plain config (JSON text, malloc'd); NULL with an error. */
char *gdl_tune_default_config(const char *space_path);

#endif
