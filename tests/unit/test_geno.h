/* Writing a small genotype cohort as a dataset, for the tests that need one on disk (attribution,
 * gene layers, the pair scan): one binary target, samples S000.., the calls given. */
#ifndef GDL_TEST_GENO_H
#define GDL_TEST_GENO_H

#include <stdio.h>

#include "gdl/data.h"
#include "gdl/dataset.h"

typedef struct {
    int n, m;                    // samples, variants
    const uint8_t *calls;        // (n, m) codes 0, 1, 2 (ALT copies), 3 (missing)
    const float *labels;         // (n) 0/1, NaN = missing
    const char *target;          // its name ["status"]
    const char *id_format;       // variant j's ID from j, e.g. "rs%d" ["v%d"]
    int id_base;                 // added to j in the ID [0]
    const char *const *chrom;    // (m) or NULL: "1"
    const int64_t *pos;          // (m) or NULL: 100 + j
    const char *const *gene;     // (m) or NULL: ""
    const char *alt;             // every variant's ALT ["G"] (REF is "A")
    float freq[3], af;           // every variant's catalog freq and af [0.5, 0.4, 0.1; 0.3] (freq[0] 0 = default)
} test_cohort_t;

/* 0, or -1 (the writer's error logged). */
static int test_write_cohort(const char *path, const test_cohort_t *c)
{
    gdl_strings_t ids = {0}, names = {0};
    gdl_catalog_t cat = {0};
    gdl_target_kind_t kind = GDL_TARGET_BINARY;
    const gdl_strings_t *classes[1] = {NULL};
    for (int i = 0; i < c->n; i++) {
        char id[16];
        snprintf(id, sizeof id, "S%03d", i);
        gdl_strings_push(&ids, id);
    }
    gdl_strings_push(&names, c->target ? c->target : "status");
    for (int j = 0; j < c->m; j++) {
        char id[32];
        const float def[3] = {0.5f, 0.4f, 0.1f}, *freq = c->freq[0] > 0 ? c->freq : def;
        snprintf(id, sizeof id, c->id_format ? c->id_format : "v%d", j + c->id_base);
        gdl_catalog_push(&cat, c->chrom ? c->chrom[j] : "1", c->pos ? c->pos[j] : 100 + j, id, "A", c->alt ? c->alt : "G",
                         c->gene ? c->gene[j] : "", c->freq[0] > 0 ? c->af : 0.3f, freq);
    }
    gdl_dataset_spec_t spec = {.n_examples = c->n, .ids = &ids, .n_targets = 1, .target_names = &names,
                               .target_kinds = &kind, .target_classes = classes, .labels = c->labels,
                               .catalog = &cat, .encoding = GDL_GENO_DOSAGE};
    gdl_dataset_slots_t s;
    gdl_writer_t *w = gdl_writer_new();
    int rc = -1;
    if (gdl_dataset_declare(w, &spec, &s) || gdl_writer_open(w, path) || gdl_dataset_fill(w, &spec, &s)) goto out;
    uint8_t *packed = gdl_writer_data(w, s.genotypes);
    int64_t B = (c->m + 3) / 4;
    for (int i = 0; i < c->n; i++)
        for (int j = 0; j < c->m; j++) packed[i * B + j / 4] |= (uint8_t)(c->calls[i * c->m + j] << (2 * (j % 4)));
    rc = gdl_writer_commit(w);
out:
    gdl_writer_free(w);
    gdl_strings_free(&ids), gdl_strings_free(&names), gdl_catalog_free(&cat);
    return rc;
}

#endif
