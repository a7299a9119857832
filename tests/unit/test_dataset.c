/* The dataset schema: write a small dataset through gdl_dataset_declare/fill, read it back. */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "gdl/core.h"
#include "gdl/dataset.h"
#include "test.h"

static void test_strings_split(void)
{
    gdl_strings_t s = {0};
    CHECK(gdl_strings_push(&s, "a") == 0 && gdl_strings_push(&s, "") == 0 &&
          gdl_strings_push(&s, "xyz") == 0);
    CHECK(s.n == 3 && s.len == 7);
    const char **v = gdl_strings_split(s.buf, s.len, 3, "t");
    CHECK(v && strcmp(v[0], "a") == 0 && strcmp(v[1], "") == 0 && strcmp(v[2], "xyz") == 0);
    free(v);
    gdl_log_set_level(GDL_LOG_QUIET);
    CHECK(gdl_strings_split(s.buf, s.len, 2, "t") == NULL);     // too many
    CHECK(gdl_strings_split(s.buf, s.len - 1, 3, "t") == NULL); // last not terminated
    gdl_log_set_level(GDL_LOG_WARN);
    gdl_strings_free(&s);
}

static void test_roundtrip(void)
{
    char dir[] = "/tmp/gdl-test-XXXXXX", path[256];
    CHECK(mkdtemp(dir) != NULL);
    snprintf(path, sizeof path, "%s/d.gdl", dir);
    gdl_strings_t ids = {0}, names = {0}, cls = {0};
    gdl_strings_push(&ids, "s1");
    gdl_strings_push(&ids, "s2");
    gdl_strings_push(&names, "case");
    gdl_strings_push(&names, "colour");
    gdl_strings_push(&cls, "blue");
    gdl_strings_push(&cls, "red");
    gdl_target_kind_t kinds[2] = {GDL_TARGET_BINARY, GDL_TARGET_CATEGORICAL};
    const gdl_strings_t *classes[2] = {NULL, &cls};
    float labels[4] = {1, 0, NAN, 1};
    gdl_catalog_t cat = {0};
    const int64_t pos[5] = {0, 9, 10, 248956422, 104}; // every digit count the hash meets
    for (int j = 0; j < 5; j++) {
        float fr[3] = {0.5f, 0.5f, 0};
        CHECK(gdl_catalog_push(&cat, "chr1", pos[j], ".", "A", "G", j == 2 ? "BRCA2" : "", 0.25f,
                               fr) == 0);
    }
    gdl_dataset_spec_t spec = {.n_examples = 2, .ids = &ids, .n_targets = 2,
                               .target_names = &names, .target_kinds = kinds,
                               .target_classes = classes, .labels = labels, .catalog = &cat,
                               .encoding = GDL_GENO_PRESENCE};
    gdl_writer_t *w = gdl_writer_new();
    gdl_dataset_slots_t s;
    CHECK(gdl_dataset_declare(w, &spec, &s) == 0);
    CHECK(gdl_writer_open(w, path) == 0);
    CHECK(gdl_dataset_fill(w, &spec, &s) == 0);
    uint8_t *g = gdl_writer_data(w, s.genotypes); // (2, 2): codes s1 = 0 1 2 3 0, s2 = 2 2 2 2 1
    g[0] = 0 | 1 << 2 | 2 << 4 | 3 << 6;
    g[1] = 0;
    g[2] = 0xAA;
    g[3] = 1;
    CHECK(gdl_writer_commit(w) == 0);
    gdl_writer_free(w);

    gdl_dataset_t *d = gdl_dataset_open(path);
    CHECK(d != NULL);
    if (d) {
        CHECK(d->n_examples == 2 && strcmp(d->ids[1], "s2") == 0);
        CHECK(d->n_targets == 2 && strcmp(d->targets[1].name, "colour") == 0);
        CHECK(d->targets[0].kind == GDL_TARGET_BINARY && d->targets[1].kind == GDL_TARGET_CATEGORICAL);
        CHECK(d->targets[1].n_classes == 2 && strcmp(d->targets[1].classes[1], "red") == 0);
        CHECK(isnan(d->labels[2]) && d->labels[3] == 1);
        // prevalence: case 1, missing -> 1 of 1 labelled; colour blue, red -> 1/2 each; s2 alone red
        double prev[2];
        CHECK(gdl_dataset_prevalence(d, 0, NULL, 0, prev) == 1 && prev[0] == 1);
        CHECK(gdl_dataset_prevalence(d, 1, NULL, 0, prev) == 2 && prev[0] == 0.5 && prev[1] == 0.5);
        const int64_t second[1] = {1};
        CHECK(gdl_dataset_prevalence(d, 1, second, 1, prev) == 1 && prev[0] == 0 && prev[1] == 1);
        CHECK(gdl_dataset_prevalence(d, 0, second, 1, prev) == 0 && isnan(prev[0]));
        const gdl_genotypes_t *gt = d->geno;
        CHECK(gt && gt->n_variants == 5 && gt->row_bytes == 2 && gt->encoding == GDL_GENO_PRESENCE);
        if (gt) {
            CHECK(gdl_geno_code(gt->packed, 3) == 3 && gdl_geno_code(gt->packed + 2, 4) == 1);
            CHECK(strcmp(gt->gene[2], "BRCA2") == 0 && gt->pos[4] == 104);
            float out[10];
            int64_t rows[2] = {0, 1};
            gdl_genotypes_batch(gt, rows, 2, out);
            CHECK(out[0] == 0 && out[1] == 1 && out[2] == 1 && out[4] == 0);
            CHECK_CLOSE(out[3], 0.5, 1e-6); // missing -> carrier fraction
            CHECK(out[5] == 1 && out[9] == 1);
            // FNV-1a over the catalog's lines "chrom TAB pos TAB ref TAB alt NL": models saved
            // before hold this value, so it may never change
            uint64_t want = 1469598103934665603ull;
            for (int64_t j = 0; j < gt->n_variants; j++) {
                char line[256];
                snprintf(line, sizeof line, "%s\t%" PRId64 "\t%s\t%s\n", gt->chrom[j], gt->pos[j],
                         gt->ref[j], gt->alt[j]);
                for (const unsigned char *p = (const unsigned char *)line; *p; p++)
                    want = (want ^ *p) * 1099511628211ull;
            }
            CHECK(gdl_genotypes_catalog_hash(gt) == want);
        }
        gdl_dataset_close(d);
    }
    unlink(path);
    rmdir(dir);
    gdl_strings_free(&ids);
    gdl_strings_free(&names);
    gdl_strings_free(&cls);
    gdl_catalog_free(&cat);
}

int main(void)
{
    RUN(test_strings_split);
    RUN(test_roundtrip);
    return TEST_EXIT();
}
