/* Private pieces of src/model/: feeding dataset rows into a graph, and the training session. */
#ifndef GDL_MODEL_INTERNAL_H
#define GDL_MODEL_INTERNAL_H

#include "gdl/data.h"
#include "gdl/dataset.h"
#include "gdl/model.h"
#include "gdl/nn.h"

/* The per-example shape config input ci takes from dataset d; -1 with an error. */
int gdl_feed_input_shape(const gdl_config_input_t *ci, const gdl_dataset_t *d, gdl_model_input_t *mi);

/* The elastic-net penalty on the weights of the layers reading genotypes (penalty.c). */
typedef struct {
    float *scale[GDL_OPTIM_MAX_PROX];  // per covered layer: the SD of each variant's values (of
                                       // each link's variant for a gene layer)
    double lambda_max;                 // l1_path: the lasso penalty that keeps every weight at 0
} penalty_t;

/* Points o's proximal ranges at the weights of the dense, sparse_dense and gene_dense layers
 * that read a genotype input, with their variants' weights, and sets l1, l2; with l1_path,
 * measures lambda_max from the gradient over rows (n) at the current parameters (gradients
 * left zero); with linear_by_cd, the layers but that one, and no lambda_max (the caller sets l1
 * and l2). -1 with an error (a penalty but no such layer). */
int gdl_penalty_init(penalty_t *pen, gdl_optim_t *o, gdl_runner_t *r, const int64_t *rows, int64_t n);
/* The penalty of epoch (0-based): l1, or the path's lambda. */
float gdl_penalty_l1(const penalty_t *pen, const gdl_train_config_t *t, int epoch);
/* Sets o's l1 and l2 from the penalty lambda of gdl_penalty_l1 (the path splits it by l1_ratio). */
void gdl_penalty_apply(const gdl_train_config_t *t, float lambda, gdl_optim_t *o);
void gdl_penalty_free(penalty_t *pen);

/* training.solver count: the model's kmer layer (its only layer) filled from the counts of
 * rows[0..n) (count_train.c). 0, or -1 with an error. */
int gdl_count_train_model(gdl_runner_t *r, const int64_t *rows, int64_t n);

/* -1 with an error (naming path) when the model knows its training encoding and g's differs. */
int gdl_model_check_encoding(const gdl_model_t *m, const gdl_genotypes_t *g, const char *path);

/* Something saved beside a model's tensors: a float array (data, n) or a metadata string. */
typedef struct {
    const char *name;
    const float *data;
    int64_t n;
    const char *value;
} model_extra_t;

/* m->train_prevalence and m->train_rows from the labels of d's rows (n), the rows m is fit on;
 * target_index (T) is d's column of each model target. Nothing for regression. 0, or -1 (out of
 * memory, logged). */
int gdl_model_set_prevalence(gdl_model_t *m, const gdl_dataset_t *d, const int *target_index, const int64_t *rows,
                         int64_t n);

int gdl_model_write(const gdl_model_t *m, const gdl_model_info_t *info, const char *path,
                const model_extra_t *extra, int n_extra);
/* gdl_model_load that also hands back the open file (for a checkpoint's extra tensors), or with
 * mapped, gdl_model_load_mapped (file unused). */
gdl_model_t *gdl_model_read(const char *path, gdl_file_t **file, int mapped);

/* ---- pair features (pairs.c) ------------------------------------------------------------------ */

/* The config's genotype input with "pairs", or NULL. */
const gdl_config_input_t *gdl_model_pairs_input(const gdl_config_t *c);
/* A shallow copy of d whose genotypes are a view with the pair columns the scan chooses on rows
 * (n; the training rows of one model) appended, or d's own genotypes when no pair passes; free
 * with gdl_model_pairs_view_free (d stays open meanwhile). 0, or -1 with an error. */
int gdl_model_pairs_view(const gdl_config_t *c, const gdl_dataset_t *d, const int64_t *rows, int64_t n, gdl_dataset_t *view);
void gdl_model_pairs_view_free(gdl_dataset_t *view);

/* Writes predictions.tsv (docs/formats.md) for rows with scores (n, n_out); fold (n) 1-based or NULL. */
int gdl_predictions_write(const char *path, const gdl_runner_t *r, const int64_t *rows, int64_t n,
                      const float *scores, const int *fold);

/* Gene layers (genes.c). make: m->gene_layers from dataset d's catalog, before the graph is
 * built (logs what each layer's variants give). attrs: "groups=G links=E" of config layer i into
 * buf, "" for a layer that is not a gene layer. set: hands the made maps to the compiled graph.
 * save / load: the names as metadata, and back before the graph is built (the link count from
 * the file's state tensor). All 0 or -1 with an error. */
int gdl_model_genes_make(gdl_model_t *m, const gdl_dataset_t *d);
void gdl_model_genes_attrs(const gdl_model_t *m, int i, char *buf, size_t n);
int gdl_model_genes_set(gdl_model_t *m);
int gdl_model_genes_save(const gdl_model_t *m, gdl_writer_t *w);
int gdl_model_genes_load(gdl_model_t *m, const gdl_file_t *f, const char *path);
void gdl_model_genes_free(gdl_model_t *m);

/* A malloc'd copy of n strings (each strdup'd); NULL when out of memory (nothing left). */
char **gdl_model_dup_strings(const char *const *s, int n);

#endif
