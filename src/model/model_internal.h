/* Private pieces of src/model/: feeding dataset rows into a graph, and the training session. */
#ifndef GDL_MODEL_INTERNAL_H
#define GDL_MODEL_INTERNAL_H

#include "gdl/dataset.h"
#include "gdl/model.h"
#include "gdl/nn.h"

/* How one graph input is filled from a dataset's stored form, batch by batch. */
typedef enum { FEED_GENO_DENSE, FEED_GENO_SPARSE } feed_kind_t;

typedef struct {
    const char *name;          // graph input
    feed_kind_t kind;
    int ndim;                  // per-example shape given to the graph
    int64_t shape[GDL_NN_MAX_DIMS];
    int64_t width;             // floats per example (dense)
    float *buf;                // (B, width) dense batch
    int64_t max_batch;
    /* sparse batch (CSR) */
    int64_t *row;              // (B + 1)
    int32_t *col;              // (cap)
    float *val;                // (cap)
    int64_t cap;
    gdl_nn_sparse_t sparse;
} feed_t;

/* The per-example shape config input ci takes from dataset d; -1 with an error. */
int feed_input_shape(const gdl_config_input_t *ci, const gdl_dataset_t *d, gdl_model_input_t *mi);
/* Sets up the feed for config input ci over dataset d; -1 with an error naming the input. */
int feed_init(feed_t *f, const gdl_config_input_t *ci, const gdl_dataset_t *d, int64_t max_batch);
/* Builds the batch of examples rows[0..n) and hands it to the graph. */
int feed_batch(feed_t *f, gdl_nn_t *g, const gdl_dataset_t *d, const int64_t *rows, int64_t n);
void feed_free(feed_t *f);

/* Something saved beside a model's tensors: a float array (data, n) or a metadata string. */
typedef struct {
    const char *name;
    const float *data;
    int64_t n;
    const char *value;
} model_extra_t;

int model_write(const gdl_model_t *m, const gdl_model_info_t *info, const char *path,
                const model_extra_t *extra, int n_extra);
/* gdl_model_load that also hands back the open file (for a checkpoint's extra tensors). */
gdl_model_t *model_read(const char *path, gdl_file_t **file);

/* A model bound to a dataset: feeds for its inputs and the label columns of its targets. */
typedef struct {
    gdl_model_t *m;
    const gdl_dataset_t *d;
    int *target_index;          // (T): dataset column of each model target, -1 = unlabelled
    feed_t feeds[GDL_MODEL_MAX_INPUTS];
    int64_t batch;              // largest batch
    int n_lab;                  // label values per example: T, or 1 (class index)
    float *labels;              // (batch, n_lab)
} runner_t;

int runner_init(runner_t *r, gdl_model_t *m, const gdl_dataset_t *d, int64_t batch);
void runner_free(runner_t *r);
/* Feeds rows[0..n) and their labels and runs the graph (train = 1: dropout, batch statistics). */
int runner_forward(runner_t *r, const int64_t *rows, int64_t n, int train);
/* Loss of the last forward; its gradient is added into the output's gradient scaled by
 * grad_scale when grad_scale != 0. Returns NaN when not finite. */
double runner_loss(runner_t *r, int64_t n, float grad_scale);
/* Eval-mode scores of rows: probabilities (sigmoid, softmax) or values, (n, n_out). */
int runner_scores(runner_t *r, const int64_t *rows, int64_t n, float *scores);
/* Mean eval-mode loss over rows, in batches; NaN when not finite or no labelled row. */
double runner_mean_loss(runner_t *r, const int64_t *rows, int64_t n);

/* Writes predictions.tsv (DESIGN.md) for rows with scores (n, n_out); fold (n) 1-based or NULL. */
int predictions_write(const char *path, const runner_t *r, const int64_t *rows, int64_t n,
                      const float *scores, const int *fold);

#endif
