/* Minibatches from the stored form given to the graph: genotypes as floats or a sparse batch
 * (decoded by data/genotypes.c), bases to one-hot, numeric tracks copied. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "gdl/core.h"
#include "model_internal.h"

int gdl_feed_input_shape(const gdl_config_input_t *ci, const gdl_dataset_t *d, gdl_model_input_t *mi)
{
    memset(mi, 0, sizeof *mi);
    if (strcmp(ci->from, "genotypes") == 0) {
        const gdl_genotypes_t *g = d->geno;
        if (!g) {
            gdl_log_error("%s: input '%s' wants genotypes, the dataset has none",
                          gdl_file_path(d->file), ci->name);
            return -1;
        }
        mi->sparse = ci->sparse;
        mi->kind = GDL_MODEL_INPUT_GENOTYPES;
        if (ci->sparse && g->encoding == GDL_GENO_GENOTYPE) {
            gdl_log_error("input '%s': a sparse input needs dosage or presence encoding, the"
                          " dataset is encoded as genotype classes", ci->name);
            return -1;
        }
        if (g->encoding == GDL_GENO_GENOTYPE) { // (3, M): classes as channels, variants as positions
            mi->ndim = 2;
            mi->shape[0] = 3;
            mi->shape[1] = g->n_variants;
        } else {
            mi->ndim = 1;
            mi->shape[0] = g->n_variants;
        }
        return 0;
    }
    const gdl_input_t *in = gdl_dataset_input(d, ci->from);
    if (!in) {
        gdl_log_error("%s: input '%s' wants dataset input '%s', which it does not hold",
                      gdl_file_path(d->file), ci->name, ci->from);
        return -1;
    }
    if (ci->sparse) {
        gdl_log_error("input '%s': only genotypes can be a sparse input", ci->name);
        return -1;
    }
    mi->ndim = 2; // (C, L): one-hot bases or numeric tracks
    mi->kind = in->format == GDL_INPUT_SEQ8 ? GDL_MODEL_INPUT_DNA : GDL_MODEL_INPUT_NUMERIC;
    mi->order = in->format == GDL_INPUT_SEQ8 ? (in->order > 1 ? in->order : 1) : 0;
    mi->shape[0] = in->channels;
    mi->shape[1] = in->length;
    return 0;
}

int gdl_feed_init(gdl_feed_t *f, const gdl_config_input_t *ci, const gdl_dataset_t *d, int64_t max_batch)
{
    gdl_model_input_t mi;
    memset(f, 0, sizeof *f);
    if (gdl_feed_input_shape(ci, d, &mi) != 0) return -1;
    f->name = ci->name;
    f->max_batch = max_batch;
    f->ndim = mi.ndim;
    memcpy(f->shape, mi.shape, sizeof f->shape);
    f->width = 1;
    for (int i = 0; i < mi.ndim; i++) f->width *= mi.shape[i];
    if (mi.sparse) {
        f->kind = GDL_FEED_GENO_SPARSE; // the batch's arrays come with the first batch
        const gdl_genotypes_t *g = d->geno;
        if (!(f->missing = gdl_malloc((size_t)(g->n_variants + 1) * sizeof *f->missing))) return -1;
        for (int64_t j = 0; j < g->n_variants; j++) f->missing[j] = gdl_genotypes_call_value(g, j, 3);
        return 0;
    }
    f->input = strcmp(ci->from, "genotypes") ? gdl_dataset_input(d, ci->from) : NULL;
    f->kind = f->input ? GDL_FEED_INPUT : GDL_FEED_GENO_DENSE;
    return (f->buf = gdl_malloc((size_t)(max_batch * f->width) * sizeof(float))) ? 0 : -1;
}

int gdl_feed_batch(gdl_feed_t *f, gdl_nn_t *g, const gdl_dataset_t *d, const int64_t *rows, int64_t n,
               const gdl_input_view_t *views)
{
    const gdl_genotypes_t *geno = d->geno;
    switch (f->kind) {
    case GDL_FEED_INPUT:
        gdl_input_batch_views(f->input, rows, n, views, f->buf);
        return gdl_nn_set_input(g, f->name, f->buf);
    case GDL_FEED_GENO_DENSE:
        gdl_genotypes_batch(geno, rows, n, f->buf);
        return gdl_nn_set_input(g, f->name, f->buf);
    case GDL_FEED_GENO_SPARSE:
        if (gdl_genotypes_sparse_batch(geno, f->missing, f->decoded, rows, n, &f->csr) != 0) return -1;
        f->sparse = (gdl_nn_sparse_t){n, geno->n_variants, f->csr.row, f->csr.col, f->csr.val};
        return gdl_nn_set_sparse(g, f->name, &f->sparse);
    }
    return -1;
}

int gdl_feed_set_dense(gdl_feed_t *f, gdl_nn_t *g, const float *x, int64_t n)
{
    if (f->kind != GDL_FEED_GENO_SPARSE) return gdl_nn_set_input(g, f->name, x);
    if (gdl_csr_from_dense(&f->csr, x, n, f->width) != 0) return -1;
    f->sparse = (gdl_nn_sparse_t){n, f->width, f->csr.row, f->csr.col, f->csr.val};
    return gdl_nn_set_sparse(g, f->name, &f->sparse);
}

void gdl_feed_free(gdl_feed_t *f)
{
    gdl_free(f->buf);
    gdl_free(f->missing);
    gdl_csr_free(&f->csr);
    memset(f, 0, sizeof *f);
}
