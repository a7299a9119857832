/* Sequence (seq8) and numeric (f32) inputs: declare, fill, read back, expand batches. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "gdl/core.h"
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
                         {.name = "marks", .format = GDL_INPUT_F32, .channels = 2, .length = 3}};
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

int main(void)
{
    RUN(test_bases);
    RUN(test_roundtrip);
    RUN(test_bad);
    return TEST_EXIT();
}
