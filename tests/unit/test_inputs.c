/* Sequence (seq8) and numeric (f32) inputs: declare, fill, read back, expand batches. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "gdl/core.h"
#include "gdl/dataops.h"
#include "gdl/dataset.h"
#include "test.h"

static void test_bases(void)
{
    CHECK(gdl_base_normalize('a') == 'A' && gdl_base_normalize('T') == 'T');
    CHECK(gdl_base_normalize('R') == 'N' && gdl_base_normalize('y') == 'N' &&
          gdl_base_normalize('n') == 'N');
    CHECK(gdl_base_normalize('X') == 0 && gdl_base_normalize('-') == 0 &&
          gdl_base_normalize('U') == 0);
    CHECK(gdl_base_complement('A') == 'T' && gdl_base_complement('G') == 'C' &&
          gdl_base_complement('N') == 'N');
}

static void test_roundtrip(void)
{
    char dir[] = "/tmp/gdl-test-XXXXXX", path[256];
    CHECK(mkdtemp(dir) != NULL);
    snprintf(path, sizeof path, "%s/d.gdl", dir);
    gdl_strings_t ids = {0}, names = {0};
    gdl_strings_push(&ids, "r1");
    gdl_strings_push(&ids, "r1:rc");
    gdl_strings_push(&names, "y");
    gdl_target_kind_t kinds[1] = {GDL_TARGET_REGRESSION};
    const gdl_strings_t *classes[1] = {NULL};
    float labels[2] = {0.5f, 0.5f};
    gdl_dataset_spec_t spec = {.n_examples = 2, .ids = &ids, .n_targets = 1,
                               .target_names = &names, .target_kinds = kinds,
                               .target_classes = classes, .labels = labels};
    gdl_input_t in[2] = {{.name = "dna", .format = GDL_INPUT_SEQ8, .length = 5},
                         {.name = "marks", .format = GDL_INPUT_F32, .channels = 2, .length = 3,
                          .channel_names = "H3K4me3,H3K27ac"}};
    gdl_writer_t *w = gdl_writer_new();
    gdl_dataset_slots_t s;
    gdl_inputs_slots_t is;
    CHECK(gdl_dataset_declare(w, &spec, &s) == 0);
    CHECK(gdl_inputs_declare(w, &spec, in, 2, 1, &is) == 0);
    CHECK(gdl_writer_open(w, path) == 0);
    CHECK(gdl_dataset_fill(w, &spec, &s) == 0);
    memcpy(gdl_writer_data(w, is.input[0]), "ACGTNNACGT", 10);
    float *v = gdl_writer_data(w, is.input[1]);
    for (int i = 0; i < 12; i++) v[i] = (float)i / 2;
    int64_t *g = gdl_writer_data(w, is.rc_group);
    g[0] = g[1] = 0;
    CHECK(gdl_writer_commit(w) == 0);
    gdl_writer_free(w);

    gdl_dataset_t *d = gdl_dataset_open(path);
    CHECK(d != NULL);
    if (d) {
        CHECK(d->n_inputs == 2 && d->geno == NULL && d->rc_group && d->rc_group[1] == 0);
        const gdl_input_t *a = gdl_dataset_input(d, "dna"), *b = gdl_dataset_input(d, "marks");
        CHECK(a && b && !gdl_dataset_input(d, "genotypes"));
        if (a && b) {
            CHECK(a->format == GDL_INPUT_SEQ8 && a->length == 5 && a->channels == 4);
            CHECK(gdl_input_width(a) == 20 && gdl_input_width(b) == 6);
            float out[40];
            int64_t rows[2] = {1, 0};
            gdl_input_batch(a, rows, 2, out);
            // row 1 = "NACGT": position 0 all zero; A at 1, C at 2, G at 3, T at 4
            float want[20] = {0, 1, 0, 0, 0, /*C*/ 0, 0, 1, 0, 0, /*G*/ 0, 0, 0, 1, 0,
                              /*T*/ 0, 0, 0, 0, 1};
            CHECK(memcmp(out, want, sizeof want) == 0);
            CHECK(out[20] == 1 && out[20 + 5 + 1] == 1 && out[20 + 15 + 3] == 1 && out[20 + 4] == 0);
            gdl_input_batch(b, rows, 2, out);
            CHECK(out[0] == 3.0f && out[5] == 5.5f && out[6] == 0.0f && out[11] == 2.5f);
            char buf[32];
            CHECK(strcmp(gdl_input_channel_name(a, 2, buf, sizeof buf), "G") == 0);
            CHECK(strcmp(gdl_input_channel_name(b, 0, buf, sizeof buf), "H3K4me3") == 0);
            CHECK(strcmp(gdl_input_channel_name(b, 1, buf, sizeof buf), "H3K27ac") == 0);
            gdl_input_t unnamed = *b;
            unnamed.channel_names = NULL; // a file from before channel names: c0, c1
            CHECK(strcmp(gdl_input_channel_name(&unnamed, 1, buf, sizeof buf), "c1") == 0);
        }
        gdl_dataset_close(d);
    }
    unlink(path);
    rmdir(dir);
    gdl_strings_free(&ids);
    gdl_strings_free(&names);
}

static void test_bad(void)
{
    gdl_strings_t ids = {0};
    gdl_strings_push(&ids, "r1");
    gdl_dataset_spec_t spec = {.n_examples = 1, .ids = &ids};
    gdl_input_t in[2] = {{.name = "x", .format = GDL_INPUT_SEQ8, .length = 5},
                         {.name = "x", .format = GDL_INPUT_SEQ8, .length = 5}};
    gdl_inputs_slots_t is;
    gdl_dataset_slots_t s;
    gdl_log_set_level(GDL_LOG_QUIET);
    gdl_writer_t *w = gdl_writer_new();
    CHECK(gdl_dataset_declare(w, &spec, &s) == 0);
    CHECK(gdl_inputs_declare(w, &spec, in, 2, 0, &is) < 0); // duplicate name
    in[1].name = "a,b";
    CHECK(gdl_inputs_declare(w, &spec, in + 1, 1, 0, &is) < 0);
    in[1].name = "genotypes";
    CHECK(gdl_inputs_declare(w, &spec, in + 1, 1, 0, &is) < 0);
    // channel names: one per channel, none empty
    gdl_input_t marks = {.name = "m", .format = GDL_INPUT_F32, .channels = 2, .length = 3};
    const char *bad_names[] = {"a", "a,b,c", "a,", ",b", "a,,b", ""};
    for (size_t k = 0; k < sizeof bad_names / sizeof *bad_names; k++) {
        marks.channel_names = bad_names[k];
        CHECK(gdl_inputs_declare(w, &spec, &marks, 1, 0, &is) < 0);
    }
    gdl_writer_free(w);

    // a seq8 input holding a byte that is not a base is refused on open
    char dir[] = "/tmp/gdl-test-XXXXXX", path[256];
    CHECK(mkdtemp(dir) != NULL);
    snprintf(path, sizeof path, "%s/d.gdl", dir);
    w = gdl_writer_new();
    CHECK(gdl_dataset_declare(w, &spec, &s) == 0 && gdl_inputs_declare(w, &spec, in, 1, 0, &is) == 0);
    CHECK(gdl_writer_open(w, path) == 0 && gdl_dataset_fill(w, &spec, &s) == 0);
    memcpy(gdl_writer_data(w, is.input[0]), "ACGTX", 5);
    CHECK(gdl_writer_commit(w) == 0);
    gdl_writer_free(w);
    CHECK(gdl_dataset_open(path) == NULL && strstr(gdl_last_error(), "position 4") != NULL);
    gdl_log_set_level(GDL_LOG_WARN);
    unlink(path);
    rmdir(dir);
    gdl_strings_free(&ids);
}

/* join: a genotype dataset (3 samples) with a sequence dataset (2 of them, other order). */
static void test_join_genotypes(void)
{
    char dir[] = "/tmp/gdl-test-XXXXXX", pg[256], ps[256], pj[256];
    CHECK(mkdtemp(dir) != NULL);
    snprintf(pg, sizeof pg, "%s/g.gdl", dir);
    snprintf(ps, sizeof ps, "%s/s.gdl", dir);
    snprintf(pj, sizeof pj, "%s/j.gdl", dir);
    gdl_strings_t gids = {0}, sids = {0};
    gdl_strings_push(&gids, "a");
    gdl_strings_push(&gids, "b");
    gdl_strings_push(&gids, "c");
    gdl_strings_push(&sids, "c");
    gdl_strings_push(&sids, "a");
    gdl_catalog_t cat = {0};
    float fr[3] = {0.25f, 0.5f, 0.25f};
    for (int j = 0; j < 5; j++) gdl_catalog_push(&cat, "chr2", 10 + j, ".", "C", "T", "G1", 0.5f, fr);
    gdl_dataset_spec_t gs = {.n_examples = 3, .ids = &gids, .catalog = &cat, .encoding = GDL_GENO_DOSAGE};
    gdl_dataset_slots_t s;
    gdl_writer_t *w = gdl_writer_new();
    CHECK(gdl_dataset_declare(w, &gs, &s) == 0 && gdl_writer_open(w, pg) == 0 && gdl_dataset_fill(w, &gs, &s) == 0);
    uint8_t *g = gdl_writer_data(w, s.genotypes); // rows of 2 bytes: a = 0x11, b = 0x22, c = 0x33
    for (int i = 0; i < 3; i++) g[2 * i] = g[2 * i + 1] = (uint8_t)(0x11 * (i + 1)) & 0x3f;
    CHECK(gdl_writer_commit(w) == 0);
    gdl_writer_free(w);
    gdl_dataset_spec_t ss = {.n_examples = 2, .ids = &sids};
    gdl_input_t in = {.name = "dna", .format = GDL_INPUT_SEQ8, .length = 3};
    gdl_inputs_slots_t is;
    w = gdl_writer_new();
    CHECK(gdl_dataset_declare(w, &ss, &s) == 0 && gdl_inputs_declare(w, &ss, &in, 1, 0, &is) == 0);
    CHECK(gdl_writer_open(w, ps) == 0 && gdl_dataset_fill(w, &ss, &s) == 0);
    memcpy(gdl_writer_data(w, is.input[0]), "CCCAAA", 6);
    CHECK(gdl_writer_commit(w) == 0);
    gdl_writer_free(w);

    const char *paths[2] = {ps, pg};
    gdl_log_set_level(GDL_LOG_ERROR);
    CHECK(gdl_dataset_join(paths, 2, NULL, 0, pj) == 0);
    gdl_log_set_level(GDL_LOG_WARN);
    gdl_dataset_t *d = gdl_dataset_open(pj);
    CHECK(d != NULL);
    if (d) {
        CHECK(d->n_examples == 2 && strcmp(d->ids[0], "c") == 0 && strcmp(d->ids[1], "a") == 0);
        CHECK(d->geno && d->geno->n_variants == 5 && d->geno->pos[4] == 14 &&
              strcmp(d->geno->gene[0], "G1") == 0 && d->geno->freq[4] == 0.5f);
        CHECK(d->geno && d->geno->packed[0] == 0x33 && d->geno->packed[2] == 0x11);
        CHECK(d->n_inputs == 1 && memcmp(d->inputs[0].bases, "CCCAAA", 6) == 0);
        CHECK(strcmp(gdl_file_meta(d->file, "gdl.inputs"), "genotypes,dna") == 0);
        gdl_dataset_close(d);
    }
    unlink(pg);
    unlink(ps);
    unlink(pj);
    rmdir(dir);
    gdl_strings_free(&gids);
    gdl_strings_free(&sids);
    gdl_catalog_free(&cat);
}

/* One-hot (4 or 16, L) of a string, the reference the views are checked against. */
static void onehot(const char *s, int order, float *out)
{
    int64_t L = (int64_t)strlen(s);
    const char *acgt = "ACGT";
    memset(out, 0, (size_t)(order == 2 ? 16 : 4) * (size_t)L * sizeof *out);
    for (int64_t l = 0; l < L; l++) {
        const char *a = strchr(acgt, s[l]), *b = l + 1 < L ? strchr(acgt, s[l + 1]) : NULL;
        if (order == 1 && a && s[l] != 'N') out[(a - acgt) * L + l] = 1;
        if (order == 2 && a && b && s[l] != 'N' && s[l + 1] != 'N') out[((a - acgt) * 4 + (b - acgt)) * L + l] = 1;
    }
}

/* Reverse complement and shift views: each equals the one-hot of the string written out. */
static void test_views(void)
{
    const uint8_t bases[] = "AACGTTGCAN" "GGGATCNTTA";
    gdl_input_t in = {.name = "dna", .format = GDL_INPUT_SEQ8, .channels = 4, .length = 10, .order = 1,
                      .bases = bases};
    static const struct {
        int64_t row;
        gdl_input_view_t v;
        const char *want;
    } cases[] = {
        {0, {0, 0}, "AACGTTGCAN"}, {0, {1, 0}, "NTGCAACGTT"}, {0, {0, 2}, "NNAACGTTGC"},
        {0, {0, -3}, "GTTGCANNNN"}, {1, {1, 1}, "NTAANGATCC"}, {1, {1, -2}, "ANGATCCCNN"},
        {1, {0, 10}, "NNNNNNNNNN"},
    };
    float out[2 * 160], want[160];
    for (int order = 1; order <= 2; order++) {
        in.order = order;
        in.channels = order == 2 ? 16 : 4;
        for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
            int64_t rows[2] = {cases[i].row, cases[i].row};
            gdl_input_view_t views[2] = {{0, 0}, cases[i].v};
            gdl_input_batch_views(&in, rows, 2, views, out);
            onehot(cases[i].want, order, want);
            CHECK(memcmp(out + 10 * in.channels, want, 10 * (size_t)in.channels * sizeof *want) == 0);
            char stored[11];
            snprintf(stored, sizeof stored, "%.10s", (const char *)bases + 10 * cases[i].row);
            onehot(stored, order, want); // row 0 of the batch: as stored
            CHECK(memcmp(out, want, 10 * (size_t)in.channels * sizeof *want) == 0);
        }
    }
    float f32[6] = {1, 2, 3, 4, 5, 6}; // numeric inputs are read as stored
    gdl_input_t marks = {.name = "m", .format = GDL_INPUT_F32, .channels = 2, .length = 3, .values = f32};
    int64_t row = 0;
    gdl_input_view_t rc = {1, 1};
    gdl_input_batch_views(&marks, &row, 1, &rc, out);
    CHECK(memcmp(out, f32, sizeof f32) == 0);
}

int main(void)
{
    RUN(test_bases);
    RUN(test_views);
    RUN(test_roundtrip);
    RUN(test_bad);
    RUN(test_join_genotypes);
    return TEST_EXIT();
}
