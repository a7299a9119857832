/* Applying a model to another cohort: the dataset's genotype columns aligned to the model's
 * training variants. The aligned view carries the model's freq, so a missing call of a matched
 * variant and every call of an absent one get the training mean, the value a missing call had
 * in training (the cohort's own frequencies would shift inputs the weights never saw). */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "gdl/core.h"
#include "model_internal.h"

int gdl_model_align(const gdl_model_t *m, gdl_dataset_t *d, double min_overlap)
{
    const gdl_genotypes_t *g = &d->geno_;
    const char *path = gdl_file_path(d->file);
    gdl_geno_match_t mt = {0};
    int rc = -1;
    if (!d->geno || !m->has_catalog) return 0;
    if (gdl_genotypes_catalog_hash(g) == m->catalog_hash) { // the same columns: the stored rows as they are
        d->geno = g;
        if (!m->catalog || gdl_model_check_encoding(m, g, path) != 0) return m->catalog ? -1 : 0;
        int64_t M = g->n_variants;
        if (m->catalog->n == M && !memcmp(m->catalog->freq, g->freq, (size_t)(3 * M) * sizeof *g->freq) &&
            !memcmp(m->catalog->af, g->af, (size_t)M * sizeof *g->af))
            return 0; // the training cohort (or one as frequent): nothing to change
        return gdl_dataset_align_genotypes(d, m->catalog, NULL);
    }
    if (!m->catalog) {
        gdl_log_error("%s: the variant catalog differs from the model's (other variants, order or alleles), and"
                      " the model file (made before models kept their variants) cannot be aligned: encode the"
                      " cohort with the same sites", path);
        return -1;
    }
    if (gdl_model_check_encoding(m, g, path) != 0 || gdl_genotypes_match(g, m->catalog, &mt) != 0) return -1;
    int64_t M = mt.n, absent = M - mt.matched;
    gdl_log_warn("%s: %" PRId64 " of %" PRId64 " model variants matched, %" PRId64
                 " absent (filled with the training mean), %" PRId64 " dataset variants not in the model",
                 path, mt.matched, M, absent, mt.extra);
    // matched < min_overlap M, in integers so that 1 asks for every variant exactly
    if (M > 0 && (double)mt.matched < min_overlap * (double)M - 1e-9 * (double)M) {
        gdl_log_error("%s: %" PRId64 " of the model's %" PRId64 " variants (%.1f%%) are in the dataset, fewer"
                      " than --min-overlap %g asks; encode the cohort at the model's sites or lower"
                      " --min-overlap", path, mt.matched, M, 100.0 * (double)mt.matched / (double)M, min_overlap);
        goto out;
    }
    rc = gdl_dataset_align_genotypes(d, m->catalog, &mt);
out:
    free(mt.from);
    return rc;
}
