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

#endif
