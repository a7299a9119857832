/* Private pieces of src/vep/: the models bound to a batch of windows (scorer.c). */
#ifndef GDL_VEP_INTERNAL_H
#define GDL_VEP_INTERNAL_H

#include "gdl/dataset.h"
#include "gdl/model.h"
#include "gdl/vep.h"

typedef struct {
    const char *const *paths;  // (n_models) for messages
    int n_models;
    gdl_model_t **models;
    gdl_runner_t *runners;     // each bound to its own view of the batch (data, inputs)
    gdl_dataset_t *data;
    gdl_input_t *inputs;
    int64_t C, L, B;           // channels (4 or 16), window, alleles per forward pass
    int64_t cap;               // alleles the buffers hold (B, or more for a record with more ALTs)
    int K;                     // outputs
    char **names;              // (K) target, or target:class
    int probabilities;         // outputs are probabilities (logfc defined)
    int rc;
    uint8_t *bases;            // (2 cap, L) windows: row 2j the reference, 2j + 1 the alternate of allele j
    int64_t *rows;             // 0 .. 2 cap - 1
    float *scores;             // (2 cap, K) mean over the models
    float *scratch, *rc_scratch;
} vep_scorer_t;

/* Loads the models (n) and binds them to a batch of B alleles. 0, or -1 with an error naming
 * the model that cannot be applied. Close with gdl_vep_scorer_close (also after a failure). */
int gdl_vep_scorer_open(vep_scorer_t *v, const char *const *paths, int n, int64_t batch, int rc);
/* Room for n alleles (the batch's windows are kept). 0, or -1 with an error. */
int gdl_vep_scorer_reserve(vep_scorer_t *v, int64_t n);
/* Scores the first 2n rows of bases into scores. 0 or -1. */
int gdl_vep_scorer_run(vep_scorer_t *v, int64_t n);
void gdl_vep_scorer_close(vep_scorer_t *v);

#endif
