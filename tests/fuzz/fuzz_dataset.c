/* The .gdl container and dataset reader: gdl inspect's view of any file (metadata, tensors,
 * the JSON description), then gdl_dataset_open and a batch of its first rows from every input. */
#include "fuzz.h"
#include "gdl/data.h"
#include "gdl/dataset.h"

static void batches(const gdl_dataset_t *d)
{
    int64_t rows[4] = {0, 1, 2, 3}, n = d->n_examples < 4 ? d->n_examples : 4;
    char name[256];
    if (d->geno) {
        int64_t width = gdl_genotypes_width(d->geno);
        float *out = width <= (1 << 20) ? malloc((size_t)(n * width + 1) * sizeof *out) : NULL;
        if (out) gdl_genotypes_batch(d->geno, rows, n, out);
        free(out);
        for (int64_t j = 0; j < d->geno->n_variants && j < 8; j++)
            gdl_genotypes_variant_name(d->geno, j, name, sizeof name);
        gdl_genotypes_catalog_hash(d->geno);
    }
    for (int i = 0; i < d->n_inputs; i++) {
        const gdl_input_t *in = &d->inputs[i];
        int64_t width = gdl_input_width(in);
        float *out = width <= (1 << 20) ? malloc((size_t)(n * width + 1) * sizeof *out) : NULL;
        if (out) gdl_input_batch(in, rows, n, out);
        free(out);
        for (int64_t c = 0; c < in->channels && c < 8; c++)
            gdl_input_channel_name(in, c, name, sizeof name);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char path[256];
    fuzz_file(path, sizeof path, "in.gdl", data, size);
    gdl_file_t *f = gdl_file_open(path);
    if (f) {
        for (int i = 0; i < gdl_file_meta_count(f); i++) gdl_file_meta(f, gdl_file_meta_key(f, i));
        for (int i = 0; i < gdl_file_count(f); i++) gdl_file_find(f, gdl_file_entry(f, i)->name);
        free(gdl_file_describe_json(f));
        gdl_file_close(f);
    }
    gdl_dataset_t *d = gdl_dataset_open(path);
    if (d) {
        batches(d);
        gdl_dataset_close(d);
    }
    return 0;
}
