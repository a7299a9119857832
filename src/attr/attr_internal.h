/* Private pieces of src/attr/: the engine record and helpers shared by the method, table and
 * output files. Dimension letters: N examples, B batch, W floats per example, M variants,
 * L positions, U units. */
#ifndef GDL_ATTR_INTERNAL_H
#define GDL_ATTR_INTERNAL_H

#include <stdio.h>

#include "gdl/attr.h"
#include "gdl/core.h"


struct gdl_attr_t {
    gdl_model_t *m;
    const gdl_dataset_t *d;
    gdl_attr_spec_t spec;
    int *target_index;         // (T) dataset column of each model target, -1 = absent
    int target;                // model target attributed
    int out_col;               // column of the output layer
    int n_in;
    gdl_feed_t in[GDL_MODEL_MAX_INPUTS]; // the model's inputs, fed as gdl_runner feeds them
    int ai;                    // the attributed input
    int64_t W;
    float *mean;               // (W) ig "mean" baseline, NULL until set
    float *x, *x2, *g2, *f;    // scratch: (B, W), (B, W), (B, W), (B)
    int64_t *rowbuf;           // (B)
};

/* out (n) = in, |in| or in * x, over the threads (out may be in) */
typedef enum { ATTR_COPY, ATTR_ABS, ATTR_TIMES_X } attr_map_t;
void gdl_attr_map(float *out, const float *in, const float *x, int64_t n, attr_map_t how);

/* acc (M) += the column sums of x (m, M), or of their absolute values; each column summed in
 * row order, so the same bits at any thread count. */
void gdl_attr_add_columns(double *acc, const float *x, int64_t m, int64_t M, int absolute);

/* Carrier value of a toggled variant (1: one ALT copy, or presence). */
#define ATTR_CARRIER 1.0f

/* LRP-epsilon relevance of rows (n) with the attributed input x (n, W) into out (n, W). */
int gdl_attr_trace(gdl_attr_t *a, const int64_t *rows, int64_t n, const float *x, float *out);
/* As gdl_attr_trace, and absorbed (n), when not NULL, gets each row's relevance that reached no
 * input: the shares of the biases, of posenc's encoding and of the stabiliser. With the
 * relevance of the graph's inputs it sums to the logit (the attributed input's alone when the
 * model has one input). */
int gdl_attr_trace_absorbed(gdl_attr_t *a, const int64_t *rows, int64_t n, const float *x, float *out,
                        double *absorbed);

/* Occlusion (occlusion.c) of rows (n) with the attributed input x (n, W) into out (n, W). */
int gdl_attr_occlusion(gdl_attr_t *a, const int64_t *rows, int64_t n, const float *x, float *out);

/* A dinucleotide-preserving shuffle of one-hot sequence x (4, L) into y (4, L). */
void gdl_attr_dinuc_shuffle(const float *x, int64_t L, gdl_rng_t *r, float *y);

/* Genotype tables (tables.c). score (M): per-variant aggregated attribution. */
int gdl_attr_write_variants(const gdl_genotypes_t *g, const double *score, const double *assoc_p,
                        const char *path);
int gdl_attr_write_genes(const gdl_genotypes_t *g, const double *score, gdl_gene_agg_t agg,
                     int null_sets, uint64_t seed, const char *path);
/* Single-marker allelic chi-square p-values (M) of rows (n) labelled by target column k. */
int gdl_attr_assoc(const gdl_dataset_t *d, int k, const int64_t *rows, int64_t n, double *p);
/* Interaction table among the top K variants by score over the background rows (nb). */
int gdl_attr_pairs(gdl_attr_t *a, const double *score, int K, const int64_t *bg, int64_t nb,
               const char *path);

/* The channel names of an input (A C G T, its stored names, or c0 ...): C strings in one
 * malloc'd block, freed with free(). NULL when out of memory. */
const char **gdl_attr_channel_names(const gdl_input_t *in);
/* PREFIX.tsv and PREFIX.svg of the positional profile (profile.c): sum (C, L) of |attribution|
 * over n examples. Both written in full before either is renamed into place. 0 or -1. */
int gdl_attr_write_profile(const char *prefix, const double *sum, int64_t n, int64_t C, int64_t L,
                       const char *const *names, const char *method);

/* Per-example outputs of sequence and numeric inputs (seqout.c). */
int gdl_attr_write_seq_tsv(FILE *fp, const char *id, const float *x, const float *att, int64_t C,
                       int64_t L, int ism);
int gdl_attr_write_seq_svg(const char *path, const char *id, const float *x, const float *att,
                       const float *ism, int64_t L, const char *method);
/* A numeric example as two channel x position heatmaps: its values x (C, L) and their
 * attribution att (C, L), each scaled to its own max |value|. */
int gdl_attr_write_numeric_svg(const char *path, const char *id, const float *x, const float *att,
                           const char *const *names, int64_t C, int64_t L, const char *method);

#endif
