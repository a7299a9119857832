/* Coordinate descent for the elastic-net linear genotype model (training.solver "cd"): the
 * exact minimiser of gdl's mean loss plus l1 sum_j s_j |w_j| + l2 / 2 sum_j s_j^2 w_j^2 (s_j
 * the SD of variant j's values, so the penalty falls on standardised effects) at each penalty
 * of a path, as glmnet computes it: warm starts down the path, sequential strong rules with a
 * KKT check over every variant, Newton steps (IRLS) on the logistic and multinomial losses, and
 * the columns centred implicitly so they stay sparse. cd.c solves; cd_train.c fits a model. */
#ifndef GDL_MODEL_CD_H
#define GDL_MODEL_CD_H

#include <stdint.h>

#include "gdl/dataset.h"
#include "gdl/model.h"

/* A cohort's genotype columns: column j's non-zero calls are entry[start[j] .. start[j + 1]),
 * each the row (GDL_CALL_VARIANT_MASK bits) and the 2-bit code on top, rows ascending. */
typedef struct {
    int64_t n_rows, n_cols;
    int64_t *start;      // (n_cols + 1)
    uint32_t *entry;     // (start[n_cols])
    float (*value)[4];   // (n_cols) the value of each code: 0, het, hom-alt, missing (the mean)
    double *scale;       // (n_cols) the penalty weight s_j: the SD of the column's values
} cd_columns_t;

/* The columns of calls (every row of g's cohort, as gdl_genotypes_decode_cohort decodes them) with g's
 * values and SDs (dosage or presence encoding). 0, or -1 out of memory (logged). */
int gdl_cd_columns_from_calls(cd_columns_t *x, const gdl_geno_calls_t *calls, const gdl_genotypes_t *g);
void gdl_cd_columns_free(cd_columns_t *x);

typedef enum { CD_LOGISTIC, CD_GAUSSIAN, CD_MULTINOMIAL } cd_family_t;

/* What is fitted: n_blocks linear predictors eta_k = c_k + sum_j w_kj x_j (targets of a
 * logistic or gaussian model, fitted independently, or the classes of a multinomial one). y and
 * weight are block-major (n_blocks, n_rows): 0/1 (logistic, multinomial one-hot) or values; a
 * row's weight in the mean loss (its share, with class or positive weights), 0 = not fitted. */
typedef struct {
    const cd_columns_t *x;
    cd_family_t family;
    int n_blocks;
    const double *y, *weight;
} cd_problem_t;

/* A fit and its working state, kept from one penalty to the next (warm starts). */
typedef struct {
    const cd_problem_t *p;
    double *w;          // (n_blocks, n_cols) coefficients on the uncentred columns
    double *c;          // (n_blocks) intercepts on the uncentred columns
    double *s;          // (n_blocks, n_rows) sum_j w_kj x_ij, for every row (fitted or not)
    double *grad;       // (n_blocks, n_cols) the loss gradient at the last solution
    uint8_t *candidate; // (n_blocks, n_cols) in the strong set
    double *gamma, *h, *q, *a, *hx2; // work: per row (gamma: n_blocks, n_rows), per column (n_cols)
    double tol;         // a coordinate converges when its step lowers the objective by < tol
                        // (gdl_cd_fit_init: 1e-7 of the intercept-only objective, glmnet's thresh)
    double l1_prev;     // the last solve's l1 (strong rules); < 0 before the first
    int64_t passes;     // coordinate sweeps, for logs
} cd_fit_t;

/* A fit at w = 0 with each block's intercept fitted; grad holds the gradient there. 0, or -1
 * out of memory. */
int gdl_cd_fit_init(cd_fit_t *f, const cd_problem_t *p);
/* gdl_cd_fit_init for fits[0..n) of problems[0..n) on the same columns, their gradients in one pass.
 * On failure none is left allocated. */
int gdl_cd_fits_init(cd_fit_t **fits, const cd_problem_t *const *problems, int n);
void gdl_cd_fit_free(cd_fit_t *f);
/* The largest l1 / s_j |grad_kj| at the current fit: at w = 0, the lasso penalty that keeps
 * every weight at zero. */
double gdl_cd_fit_lambda_max(const cd_fit_t *f);
/* Minimises the penalised objective at (l1, l2), from the current fit. 0, or -1 when it did
 * not converge (logged). */
int gdl_cd_fit_solve(cd_fit_t *f, double l1, double l2);
/* gdl_cd_fit_solve for fits[0..n) of problems on the same columns, fit b at (l1[b], l2[b]): the
 * fits' Newton steps spread over the threads, their optimality checks sharing each pass over
 * the columns. Each fit's result is the bits gdl_cd_fit_solve gives it alone. */
int gdl_cd_fits_solve(cd_fit_t **fits, int n, const double *l1, const double *l2);
/* Mean loss of rows (n) at the current fit (their y, unit weights per row). */
double gdl_cd_fit_loss(const cd_fit_t *f, const int64_t *rows, int64_t n);
/* Scores of rows (n) as the model outputs them (n, n_blocks): probabilities (logistic,
 * multinomial) or values. */
void gdl_cd_fit_scores(const cd_fit_t *f, const int64_t *rows, int64_t n, float *out);
/* Non-zero coefficients over all blocks. */
int64_t gdl_cd_fit_nonzero(const cd_fit_t *f);

/* ---- fitting a model (cd_train.c) ---------------------------------------------------------- */

/* One model's rows and how its step is chosen. */
typedef struct {
    const char *data_path;             // for messages
    const int64_t *rows;               // (n) the rows fitted
    int64_t n;
    const int64_t *val_rows;           // (n_val) without inner folds: the rows choosing the step
    int64_t n_val;
    const int *part;                   // (n) inner fold 0..n_parts-1 of each row, or NULL
    int n_parts;
    gdl_fold_metric_fn metric;         // the criterion (higher is better), or NULL: the loss
    const cd_columns_t *columns;       // the cohort's columns (gdl_cd_columns_for_dataset), or NULL: made here
    int fold, n_folds;                 // 1-based outer fold, for logs; 0 = none
    const char *layer;                 // the layer fitted (training.linear_by_cd), or NULL: the only one
} cd_run_t;

/* What a fit chose: the path's steps to the chosen penalty, that step's criterion (lower is
 * better; NaN when nothing chose) and its penalty on standardised effects (l1, l2). */
typedef struct {
    int steps;
    double crit, l1, l2;
} cd_choice_t;

/* The columns of d's genotypes, from decoded (every row's calls, as gdl_genotypes_decode_cohort decodes
 * them) or, NULL, decoded here; refused (error naming data_path) unless the encoding is dosage
 * or presence. 0, or -1 with an error. */
int gdl_cd_columns_for_dataset(cd_columns_t *x, const gdl_dataset_t *d, const gdl_geno_calls_t *decoded,
                           const char *data_path);

/* Fits r's linear model (config checked by gdl_config_load: one dense or sparse_dense layer on
 * the genotypes, with its bias; or run->layer, the linear layer of a wide & deep model whose
 * other branches are zero) on run's rows: its coefficients written into the graph, what chose
 * them into *choice. 0, or -1 with an error. */
int gdl_cd_train_model(gdl_runner_t *r, const cd_run_t *run, cd_choice_t *choice);

#endif
