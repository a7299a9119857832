/* Model configs, folds, training, saving and loading. With "--make-dataset PATH N M SEED
 * PERMUTE" it writes a genotype dataset with a planted additive signal for tests/cli/train.sh. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "gdl/core.h"
#include "gdl/data.h"
#include "gdl/dataset.h"
#include "gdl/model.h"
#include "model/model_internal.h"
#include "test.h"

/* N samples, M variants with allele frequencies 0.05..0.5; the label is 1 when the dosage sum
 * of the first 5 variants plus noise is above its median. PERMUTE shuffles the labels. */
static int make_dataset(const char *path, int64_t N, int64_t M, uint64_t seed, int permute)
{
    gdl_rng_t rng;
    gdl_strings_t ids = {0}, names = {0};
    gdl_catalog_t cat = {0};
    gdl_target_kind_t kind = GDL_TARGET_BINARY;
    float *labels = malloc(N * sizeof *labels), *af = malloc(M * sizeof *af);
    double *score = malloc(N * sizeof *score);
    uint8_t *calls = malloc(N * M);
    int ret = -1;
    gdl_rng_init(&rng, seed, 0);
    for (int64_t j = 0; j < M; j++) af[j] = (float)(0.05 + 0.45 * gdl_rng_uniform(&rng));
    for (int64_t i = 0; i < N; i++) {
        char id[32];
        snprintf(id, sizeof id, "S%05lld", (long long)i);
        gdl_strings_push(&ids, id);
        score[i] = gdl_rng_normal(&rng) * 0.5;
        for (int64_t j = 0; j < M; j++) {
            int c = (gdl_rng_uniform(&rng) < af[j]) + (gdl_rng_uniform(&rng) < af[j]);
            if (gdl_rng_uniform(&rng) < 0.01) c = 3; // missing
            calls[i * M + j] = (uint8_t)c;
            if (j < 5 && c < 3) score[i] += c;
        }
    }
    double sorted_median = 0;
    {
        double *s = malloc(N * sizeof *s);
        memcpy(s, score, N * sizeof *s);
        for (int64_t i = 1; i < N; i++) // insertion sort: N is small here
            for (int64_t k = i; k > 0 && s[k - 1] > s[k]; k--) { double t = s[k]; s[k] = s[k - 1]; s[k - 1] = t; }
        sorted_median = s[N / 2];
        free(s);
    }
    for (int64_t i = 0; i < N; i++) labels[i] = score[i] > sorted_median ? 1.0f : 0.0f;
    if (permute) {
        int64_t *perm = malloc(N * sizeof *perm);
        for (int64_t i = 0; i < N; i++) perm[i] = i;
        gdl_rng_t pr;
        gdl_rng_init(&pr, seed, 99);
        gdl_rng_shuffle(&pr, perm, N);
        float *l2 = malloc(N * sizeof *l2);
        for (int64_t i = 0; i < N; i++) l2[i] = labels[perm[i]];
        memcpy(labels, l2, N * sizeof *l2);
        free(l2), free(perm);
    }
    gdl_strings_push(&names, "status");
    for (int64_t j = 0; j < M; j++) {
        char id[32];
        float freq[3] = {0};
        int64_t called = 0;
        for (int64_t i = 0; i < N; i++)
            if (calls[i * M + j] < 3) freq[calls[i * M + j]]++, called++;
        for (int k = 0; k < 3; k++) freq[k] /= called ? (float)called : 1.0f;
        snprintf(id, sizeof id, "rs%lld", (long long)j + 1);
        gdl_catalog_push(&cat, "1", 1000 + 10 * j, id, "A", "G", j < 5 ? "CAUSAL" : "", af[j], freq);
    }
    gdl_dataset_spec_t spec = {.n_examples = N, .ids = &ids, .n_targets = 1, .target_names = &names,
                               .target_kinds = &kind, .labels = labels, .catalog = &cat,
                               .encoding = GDL_GENO_DOSAGE};
    const gdl_strings_t *classes[1] = {NULL};
    spec.target_classes = classes;
    gdl_dataset_slots_t slots;
    gdl_writer_t *w = gdl_writer_new();
    if (gdl_dataset_declare(w, &spec, &slots) || gdl_writer_open(w, path) || gdl_dataset_fill(w, &spec, &slots))
        goto out;
    uint8_t *packed = gdl_writer_data(w, slots.genotypes);
    int64_t B = (M + 3) / 4;
    for (int64_t i = 0; i < N; i++)
        for (int64_t j = 0; j < M; j++) packed[i * B + j / 4] |= (uint8_t)(calls[i * M + j] << (2 * (j % 4)));
    ret = gdl_writer_commit(w);
out:
    gdl_writer_free(w);
    gdl_strings_free(&ids), gdl_strings_free(&names), gdl_catalog_free(&cat);
    free(labels), free(af), free(score), free(calls);
    return ret;
}

static const char *good_config =
    "{\"inputs\": [{\"name\": \"x\", \"from\": \"genotypes\"}],"
    " \"layers\": [{\"name\": \"h\", \"type\": \"dense\", \"input\": \"x\", \"units\": 4},"
    "              {\"name\": \"out\", \"type\": \"dense\", \"input\": \"h\", \"units\": \"outputs\"}],"
    " \"output\": {\"layer\": \"out\"}, \"training\": {\"epochs\": 2, \"lr\": 0.01}}";

static void test_config_parses(void)
{
    gdl_config_t *c = gdl_config_load(NULL, good_config);
    CHECK(c != NULL);
    if (!c) return;
    CHECK(c->n_inputs == 1 && !strcmp(c->inputs[0].from, "genotypes") && !c->inputs[0].sparse);
    CHECK(c->n_layers == 2 && !strcmp(c->layers[0].attrs, "units=4") && c->layers[1].units_from_outputs);
    CHECK(c->train.epochs == 2 && c->train.lr == 0.01 && c->train.batch == 64);
    CHECK(!strcmp(c->train.optimizer, "adam") && !strcmp(c->loss, "auto"));
    CHECK(gdl_config_override(c, "batch", "16") == 0 && c->train.batch == 16);
    CHECK(strstr(c->json, "\"batch\":16") != NULL); // the saved config says what ran
    CHECK(gdl_config_override(c, "batch", "1.5") == -1 && strstr(gdl_last_error(), "--batch: expected an integer"));
    CHECK(gdl_config_override(c, "colour", "red") == -1);
    CHECK(gdl_config_override(c, "early_stop", "metric") == 0 && !strcmp(c->train.early_stop, "metric"));
    CHECK(gdl_config_override(c, "optimizer", "adamm") == -1 && strstr(gdl_last_error(), "unknown optimizer 'adamm'"));
    gdl_config_free(c); // a failed override leaves c unusable: start again
    if (!(c = gdl_config_load(NULL, good_config))) return;
    // augment.shift (a search space's key) lands in the training block's augment object
    CHECK(gdl_config_override(c, "augment.shift", "3") == 0 && c->train.augment_shift == 3 && !c->train.augment_rc);
    CHECK(gdl_config_override(c, "augment.rc", "true") == 0 && c->train.augment_rc == 1);
    CHECK(strstr(c->json, "\"augment\":{\"shift\":3,\"rc\":true}") != NULL);
    gdl_config_t *again = gdl_config_load(NULL, c->json); // the saved config reads back the same
    CHECK(again && again->train.augment_shift == 3 && again->train.augment_rc == 1);
    gdl_config_free(again);
    CHECK(gdl_config_override(c, "augment", "1") == -1 && gdl_config_override(c, "augment.flip", "1") == -1);
    gdl_config_free(c);
}

/* Each broken config must name the JSON path of the problem. */
static void test_config_errors_name_the_path(void)
{
    static const struct { const char *json, *want; } cases[] = {
        {"{\"inputs\": [{\"name\": \"x\"}], \"layers\": [{\"name\": \"h\", \"type\": \"dense\", \"input\": \"x\","
         " \"units\": {\"a\": 1}}], \"output\": {\"layer\": \"h\"}}", "layers[0].units: expected a number"},
        {"{\"inputs\": [{\"name\": \"x\"}], \"layers\": [{\"name\": \"h\", \"type\": \"densse\", \"input\": \"x\"}],"
         " \"output\": {\"layer\": \"h\"}}", "layers[0].type: unknown layer type 'densse'"},
        {"{\"inputs\": [{\"name\": \"x\"}], \"layers\": [{\"name\": \"h\", \"type\": \"relu\"}],"
         " \"output\": {\"layer\": \"h\"}}", "layers[0]: missing \"input\""},
        {"{\"inputs\": [{\"name\": \"x\"}], \"layers\": [{\"name\": \"h\", \"type\": \"relu\", \"input\": \"x\"},"
         " {\"name\": \"h\", \"type\": \"relu\", \"input\": \"x\"}], \"output\": {\"layer\": \"h\"}}",
         "layers[1]: name 'h' used twice"},
        {"{\"inputs\": [{\"name\": \"x\"}], \"layers\": [{\"name\": \"h\", \"type\": \"relu\", \"input\": \"x\"}],"
         " \"output\": {\"layer\": \"y\"}}", "output.layer: no layer named 'y'"},
        {"{\"inputs\": [{\"name\": \"x\"}], \"layers\": [{\"name\": \"h\", \"type\": \"relu\", \"input\": \"x\"}],"
         " \"output\": {\"layer\": \"h\"}, \"training\": {\"batch\": 2.5}}", "training.batch: expected an integer"},
        {"{\"inputs\": [{\"name\": \"x\"}], \"layers\": [{\"name\": \"h\", \"type\": \"relu\", \"input\": \"x\"}],"
         " \"output\": {\"layer\": \"h\"}, \"training\": {\"epoch\": 2}}", "training.epoch: unknown key"},
        {"{\"inputs\": [{\"name\": \"x\"}], \"layers\": [{\"name\": \"h\", \"type\": \"relu\", \"input\": \"x\"}],"
         " \"output\": {\"layer\": \"h\"}, \"training\": {\"optimizer\": \"adamm\"}}", "unknown optimizer 'adamm'"},
        {"{\"inputs\": [], \"layers\": [], \"output\": {}}", "inputs: expected a non-empty array"},
        {"{\"inputs\": [{\"name\": \"x\"}], \"layer\": []}", "layer: unknown key"},
        {"{\"inputs\": [{\"name\": \"x\"}], \"layers\": [{\"name\": \"h\", \"type\": \"relu\", \"input\": \"x\"}],"
         " \"output\": {\"layer\": \"h\", \"loss\": \"hinge\"}}", "output.loss: unknown loss 'hinge'"},
        {"{\"inputs\": [{\"name\": \"x\", \"shape\": 4}]}", "inputs[0].shape: unknown key"},
        {"{\n\"inputs\": [\n}", "config:3: not valid JSON"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        gdl_config_t *c = gdl_config_load(NULL, cases[i].json);
        CHECK(c == NULL);
        if (!strstr(gdl_last_error(), cases[i].want)) {
            fprintf(stderr, "  case %zu: got '%s', want '%s'\n", i, gdl_last_error(), cases[i].want);
            CHECK(0);
        }
        gdl_config_free(c);
    }
}

static void test_folds_stratified_and_balanced(void)
{
    enum { N = 103, K = 5 };
    int strata[N], fold[N], fold2[N], size[K] = {0}, pos[K] = {0};
    for (int i = 0; i < N; i++) strata[i] = i % 3 == 0; // 35 positives
    CHECK(gdl_folds_assign(N, K, 7, strata, NULL, fold) == 0);
    for (int i = 0; i < N; i++) size[fold[i]]++, pos[fold[i]] += strata[i];
    for (int k = 0; k < K; k++) {
        CHECK(size[k] == 20 || size[k] == 21);
        CHECK(pos[k] == 7); // 35 positives dealt evenly
    }
    CHECK(gdl_folds_assign(N, K, 7, strata, NULL, fold2) == 0);
    CHECK(memcmp(fold, fold2, sizeof fold) == 0);
    CHECK(gdl_folds_assign(N, K, 8, strata, NULL, fold2) == 0);
    CHECK(memcmp(fold, fold2, sizeof fold) != 0);
    CHECK(gdl_folds_assign(3, 5, 1, NULL, NULL, fold) == -1);
}

static void test_folds_keep_groups_together(void)
{
    enum { N = 60, K = 4 };
    const char *groups[N];
    char names[N][8];
    int fold[N], size[K] = {0};
    for (int i = 0; i < N; i++) {
        snprintf(names[i], sizeof names[i], "fam%d", i / 3); // 20 families of 3
        groups[i] = names[i];
    }
    CHECK(gdl_folds_assign(N, K, 3, NULL, groups, fold) == 0);
    for (int i = 0; i < N; i++) {
        size[fold[i]]++;
        if (i % 3) CHECK(fold[i] == fold[i - 1]);
    }
    for (int k = 0; k < K; k++) CHECK(size[k] == 15);
}

static char dir[] = "/tmp/gdl-model-XXXXXX";

static const char *tmp_file(const char *name)
{
    static char buf[4][512];
    static int k;
    k = (k + 1) % 4;
    snprintf(buf[k], sizeof buf[k], "%s/%s", dir, name);
    return buf[k];
}

/* Builds the config for a dataset, saves, loads: same parameters, same predictions. */
static void test_model_build_save_load(void)
{
    const char *data = tmp_file("d.gdl"), *model = tmp_file("m.gdl");
    CHECK(make_dataset(data, 40, 13, 1, 0) == 0);
    gdl_dataset_t *d = gdl_dataset_open(data);
    CHECK(d != NULL);
    if (!d) return;
    gdl_model_t *m = gdl_model_build(gdl_config_load(NULL, good_config), d);
    CHECK(m != NULL);
    if (m) {
        CHECK(m->n_out == 1 && m->kind == GDL_TARGET_BINARY && m->loss.kind == GDL_LOSS_BCE);
        CHECK(m->inputs[0].ndim == 1 && m->inputs[0].shape[0] == 13);
        CHECK(gdl_model_save(m, NULL, model) == 0);
        gdl_model_t *m2 = gdl_model_load(model);
        CHECK(m2 && m2->g->n_param == m->g->n_param);
        CHECK(m2 && memcmp(m2->g->param, m->g->param, m->g->n_param * sizeof(float)) == 0);
        CHECK(m2 && m2->catalog_hash == m->catalog_hash && !strcmp(m2->target_names[0], "status"));
        gdl_model_free(m2);
        // for scoring: every parameter read in place from the file's mapping, the same values
        gdl_model_t *m3 = gdl_model_load_mapped(model);
        CHECK(m3 && m3->file && m3->g->n_table == m->g->n_table);
        for (int i = 0; m3 && i < m3->g->n_table; i++) {
            const gdl_nn_param_t *p = &m3->g->table[i];
            CHECK(p->mapped && gdl_nn_param_data(m3->g, p) == p->mapped);
            CHECK(!memcmp(p->mapped, gdl_nn_param_data(m->g, &m->g->table[i]), sizeof(float) * (size_t)p->numel));
        }
        gdl_model_free(m3);
    }
    gdl_model_free(m);
    // a config whose output is not one value per target is refused, naming both numbers
    const char *wide = "{\"inputs\": [{\"name\": \"x\"}], \"layers\": [{\"name\": \"h\", \"type\": \"dense\","
                       " \"input\": \"x\", \"units\": 3}], \"output\": {\"layer\": \"h\"}}";
    char *json = strdup(wide);
    gdl_config_t *c = gdl_config_load(NULL, json);
    free(c->inputs[0].from);
    c->inputs[0].from = strdup("genotypes");
    CHECK(gdl_model_build(c, d) == NULL && strstr(gdl_last_error(), "must give 1 values"));
    free(json);
    gdl_dataset_close(d);
    unlink(data), unlink(model);
}

/* A cohort of d's samples holding d's columns cols[0..n) (-1: column 8's site with ALT T, a
 * variant d lacks), at frequencies 0.5/0.25/0.25 the model never saw. */
static int write_cohort(const char *path, const gdl_dataset_t *d, const int *cols, int n)
{
    const gdl_genotypes_t *g = d->geno;
    gdl_strings_t ids = {0};
    gdl_catalog_t cat = {0};
    const float freq[3] = {0.5f, 0.25f, 0.25f};
    int ret = -1;
    for (int64_t i = 0; i < d->n_examples; i++) gdl_strings_push(&ids, d->ids[i]);
    for (int k = 0; k < n; k++) {
        int j = cols[k] < 0 ? 8 : cols[k];
        gdl_catalog_push(&cat, g->chrom[j], g->pos[j], g->id[j], g->ref[j], cols[k] < 0 ? "T" : g->alt[j], "", 0.375f,
                         freq);
    }
    gdl_dataset_spec_t spec = {.n_examples = d->n_examples, .ids = &ids, .catalog = &cat, .encoding = GDL_GENO_DOSAGE};
    gdl_dataset_slots_t slots;
    gdl_writer_t *w = gdl_writer_new();
    if (gdl_dataset_declare(w, &spec, &slots) || gdl_writer_open(w, path) || gdl_dataset_fill(w, &spec, &slots))
        goto out;
    uint8_t *packed = gdl_writer_data(w, slots.genotypes);
    int64_t B = (n + 3) / 4;
    for (int64_t i = 0; i < d->n_examples; i++)
        for (int k = 0; k < n; k++) {
            int code = cols[k] < 0 ? 1 : gdl_geno_code(g->packed + i * g->row_bytes, cols[k]);
            packed[i * B + k / 4] |= (uint8_t)(code << (2 * (k % 4)));
        }
    ret = gdl_writer_commit(w);
out:
    gdl_writer_free(w);
    gdl_strings_free(&ids), gdl_catalog_free(&cat);
    return ret;
}

/* A model keeps its training catalog; a cohort with its columns reordered, three missing and
 * one extra is seen in the model's order, the absent ones missing, at the training means. */
static void test_model_aligns_another_cohort(void)
{
    const char *data = tmp_file("ad.gdl"), *model = tmp_file("am.gdl"), *other = tmp_file("ao.gdl");
    const int cols[] = {12, 0, -1, 5, 3, 7, 1, 2, 4, 6, 11}; // 8, 9, 10 absent; -1 extra
    CHECK(make_dataset(data, 40, 13, 3, 0) == 0);
    gdl_dataset_t *d = gdl_dataset_open(data), *o = NULL;
    gdl_model_t *m = d ? gdl_model_build(gdl_config_load(NULL, good_config), d) : NULL, *m2 = NULL;
    CHECK(m && gdl_model_save(m, NULL, model) == 0 && (m2 = gdl_model_load(model)) != NULL);
    if (!m2) goto out;
    const gdl_catalog_t *c = m2->catalog;
    CHECK(c && c->n == 13 && c->pos[12] == 1120 && m2->encoding == GDL_GENO_DOSAGE);
    CHECK(c && !memcmp(c->freq, d->geno->freq, sizeof(float) * 39) && !memcmp(c->af, d->geno->af, sizeof(float) * 13));
    CHECK(c && !strcmp(c->alt.buf + 2 * 12, "G") && c->gene.n == 13);
    CHECK(write_cohort(other, d, cols, 11) == 0 && (o = gdl_dataset_open(other)) != NULL);
    if (!o || !c) goto out;
    gdl_geno_match_t mt;
    CHECK(gdl_genotypes_match(o->geno, c, &mt) == 0);
    CHECK(mt.n == 13 && mt.matched == 10 && mt.extra == 1);
    CHECK(mt.from[0] == 1 && mt.from[12] == 0 && mt.from[5] == 3 && mt.from[8] == -1 && mt.from[11] == 10);
    free(mt.from);
    // 10 of 13 matched: --min-overlap 10/13 takes it, anything above refuses
    CHECK(gdl_model_align(m2, o, 10.0 / 13 + 1e-3) == -1 && strstr(gdl_last_error(), "10 of the model's 13 variants"));
    CHECK(o->geno == &o->geno_);
    CHECK(gdl_model_align(m2, o, 10.0 / 13) == 0);
    const gdl_genotypes_t *v = o->geno;
    CHECK(v != &o->geno_ && v->n_variants == 13 && v->row_bytes == 4 && v->absent);
    int codes_right = 1;
    for (int64_t i = 0; i < 40; i++)
        for (int64_t j = 0; j < 13; j++) {
            int absent = j >= 8 && j <= 10;
            int want = absent ? 3 : gdl_geno_code(d->geno->packed + i * d->geno->row_bytes, j);
            codes_right &= gdl_geno_code(v->packed + i * v->row_bytes, j) == want && v->absent[j] == absent;
        }
    CHECK(codes_right);
    CHECK(!memcmp(v->freq, c->freq, sizeof(float) * 39) && v->pos[3] == 1030 && !strcmp(v->id[12], "rs13"));
    // the dense batch of the aligned view is the training batch with columns 8-10 at their means
    int64_t rows[40];
    float *want = malloc(sizeof(float) * 40 * 13), *got = malloc(sizeof(float) * 40 * 13);
    for (int64_t i = 0; i < 40; i++) rows[i] = i;
    gdl_genotypes_batch(d->geno, rows, 40, want);
    for (int64_t i = 0; i < 40; i++)
        for (int64_t j = 8; j <= 10; j++) want[i * 13 + j] = c->freq[3 * j + 1] + 2 * c->freq[3 * j + 2];
    gdl_genotypes_batch(v, rows, 40, got);
    CHECK(!memcmp(want, got, sizeof(float) * 40 * 13));
    free(want), free(got);
    int ti[1];
    CHECK(gdl_model_check_data(m2, o, ti) == 0 && ti[0] == -1);
    // the training cohort itself: the stored rows, untouched
    CHECK(gdl_model_align(m2, d, 1) == 0 && d->geno == &d->geno_ && !d->geno->absent);
out:
    gdl_model_free(m), gdl_model_free(m2);
    gdl_dataset_close(d), gdl_dataset_close(o);
    unlink(data), unlink(model), unlink(other);
}

/* Sparse genotype batches (decoded over the threads, each thread's run of samples copied in
 * after the one before) against the dense batch: the same values, columns ascending, missing
 * calls as the variant's mean, and left out: zeros, missing calls whose mean is 0, and codes in
 * the last byte's padding. One feed serves batches at 1, 2 and 3 threads in turn, so its
 * per-thread buffers are added and reused, then a presence-encoded batch; each batch again from
 * the whole cohort decoded once (feed_decode_cohort), which must give the same arrays. */
static void test_sparse_feed_matches_dense(void)
{
    enum { N = 90, M = 203, B = (M + 3) / 4, n = 37 };
    uint8_t *packed = calloc(N * B, 1);
    float *freq = malloc(sizeof(float) * 3 * M), *dense = malloc(sizeof(float) * n * M);
    float *got = malloc(sizeof(float) * n * M);
    int64_t rows[n];
    gdl_rng_t r;
    gdl_rng_init(&r, 5, 0);
    for (int64_t j = 0; j < M; j++) {
        float p1 = j % 50 == 7 ? 0.0f : (float)gdl_rng_uniform(&r) * 0.3f, p2 = j % 50 == 7 ? 0.0f : p1 / 3;
        freq[3 * j] = 1 - p1 - p2, freq[3 * j + 1] = p1, freq[3 * j + 2] = p2;
    }
    for (int64_t i = 0; i < N; i++) {
        for (int64_t j = 0; j < M; j++) {
            double u = gdl_rng_uniform(&r);
            int code = u < 0.88 ? 0 : u < 0.93 ? 1 : u < 0.96 ? 2 : 3;
            if (j % 50 == 7 && code != 0) code = 3; // missing, with a mean of 0
            packed[i * B + j / 4] |= (uint8_t)(code << 2 * (j % 4));
        }
        for (int64_t j = M; j < 4 * B; j++) packed[i * B + j / 4] |= (uint8_t)(1 << 2 * (j % 4)); // padding
    }
    gdl_genotypes_t geno = {.n_variants = M, .row_bytes = B, .packed = packed, .freq = freq,
                            .encoding = GDL_GENO_DOSAGE};
    gdl_dataset_t d;
    memset(&d, 0, sizeof d);
    d.n_examples = N, d.geno = &geno;
    gdl_config_input_t ci = {.name = "x", .from = "genotypes", .sparse = 1};
    gdl_nn_t *g = gdl_nn_new(1);
    CHECK(gdl_nn_input_sparse(g, "x", M) == 0 && gdl_nn_add(g, "h", "sparse_dense", "x", "units=2") == 1);
    CHECK(gdl_nn_compile(g) == 0);
    gdl_feed_t f;
    for (int threads = 1; threads <= 4; threads++) {
        gdl_threads_set(threads < 4 ? threads : 2);
        geno.encoding = threads < 4 ? GDL_GENO_DOSAGE : GDL_GENO_PRESENCE; // code 2 is 1
        CHECK(gdl_feed_init(&f, &ci, &d, n) == 0); // a dataset's encoding is fixed: a feed per encoding
        for (int64_t k = 0; k < n; k++) rows[k] = (int64_t)gdl_rng_below(&r, N);
        gdl_genotypes_batch(&geno, rows, n, dense);
        int dense_right = 1; // the dense batch against the codes, read one by one
        for (int64_t i = 0; i < n; i++)
            for (int64_t j = 0; j < M; j++) {
                int code = packed[rows[i] * B + j / 4] >> 2 * (j % 4) & 3;
                const float *fr = freq + 3 * j;
                float two = geno.encoding == GDL_GENO_PRESENCE ? 1.0f : 2.0f;
                float want = code == 0 ? 0 : code == 1 ? 1 : code == 2 ? two : fr[1] + two * fr[2];
                dense_right &= dense[i * M + j] == want;
            }
        CHECK(dense_right);
        int64_t nonzero = 0;
        for (int64_t k = 0; k < n * M; k++) nonzero += dense[k] != 0;
        CHECK(gdl_feed_batch(&f, g, &d, rows, n, NULL) == 0);
        memset(got, 0, sizeof(float) * n * M);
        int ascending = 1;
        for (int64_t i = 0; i < n; i++)
            for (int64_t k = f.sparse.row[i]; k < f.sparse.row[i + 1]; k++) {
                got[i * M + f.sparse.col[k]] = f.sparse.val[k];
                if (k > f.sparse.row[i] && f.sparse.col[k] <= f.sparse.col[k - 1]) ascending = 0;
            }
        CHECK(f.sparse.n_rows == n && f.sparse.row[0] == 0 && f.sparse.row[n] == nonzero && ascending);
        CHECK(!memcmp(got, dense, sizeof(float) * n * M));
        // the same batch copied from the cohort decoded once: the same arrays
        gdl_geno_calls_t cohort;
        gdl_feed_t fc;
        CHECK(gdl_genotypes_decode_cohort(&cohort, d.geno, d.n_examples, 0) == 1 && !cohort.row); // over the budget: left empty
        CHECK(gdl_genotypes_decode_cohort(&cohort, d.geno, d.n_examples, (int64_t)1 << 30) == 0 && cohort.n_rows == N);
        CHECK(gdl_feed_init(&fc, &ci, &d, n) == 0);
        fc.decoded = &cohort;
        CHECK(gdl_feed_batch(&fc, g, &d, rows, n, NULL) == 0);
        CHECK(fc.sparse.row[n] == nonzero && !memcmp(fc.sparse.row, f.sparse.row, sizeof(int64_t) * (n + 1)));
        CHECK(!memcmp(fc.sparse.col, f.sparse.col, sizeof(int32_t) * nonzero) &&
              !memcmp(fc.sparse.val, f.sparse.val, sizeof(float) * nonzero));
        // attribution's way in, the dense batch handed over: the same sparse batch again
        CHECK(gdl_feed_set_dense(&fc, g, dense, n) == 0);
        CHECK(!memcmp(fc.sparse.row, f.sparse.row, sizeof(int64_t) * (n + 1)) &&
              !memcmp(fc.sparse.col, f.sparse.col, sizeof(int32_t) * nonzero) &&
              !memcmp(fc.sparse.val, f.sparse.val, sizeof(float) * nonzero));
        gdl_feed_free(&fc);
        gdl_geno_calls_free(&cohort);
        gdl_feed_free(&f);
    }
    gdl_nn_free(g);
    gdl_threads_set(1);
    free(packed), free(freq), free(dense), free(got);
}

int main(int argc, char *argv[])
{
    if (argc == 7 && !strcmp(argv[1], "--make-dataset"))
        return make_dataset(argv[2], atoll(argv[3]), atoll(argv[4]), strtoull(argv[5], NULL, 10), atoi(argv[6])) ? 1 : 0;
    if (!mkdtemp(dir)) return 1;
    RUN(test_config_parses);
    RUN(test_config_errors_name_the_path);
    RUN(test_folds_stratified_and_balanced);
    RUN(test_folds_keep_groups_together);
    RUN(test_model_build_save_load);
    RUN(test_model_aligns_another_cohort);
    RUN(test_sparse_feed_matches_dense);
    rmdir(dir);
    return TEST_EXIT();
}
