/* Attribution: gradients against finite differences (dense and sparse genotype inputs, one-hot
 * sequences), integrated-gradient completeness, ISM and pairs against direct scoring, trace on
 * a linear model, its conservation through recurrent, concat, attention and gene layers and
 * hand-worked LSTM and GRU cells, the dinucleotide shuffle, BH q-values and the allelic test. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "attr/attr_internal.h"
#include "gdl/attr.h"
#include "gdl/core.h"
#include "gdl/dataset.h"
#include "gdl/model.h"
#include "test.h"
#include "test_geno.h"

static char dir[] = "/tmp/gdl-attr-XXXXXX";
static char geno_path[512], seq_path[512], gene_path[512];
enum { N = 24, M = 10, L = 16 };

/* Each variant's genes: rs1-rs5 in GA, rs6-rs10 in GB; gene_path's dataset has rs5 in both and
 * rs10 in none (a gene layer's shared group). */
static const char *const two_genes[M] = {"GA", "GA", "GA", "GA", "GA", "GB", "GB", "GB", "GB", "GB"};
static const char *const overlapping_genes[M] = {"GA", "GA", "GA", "GA", "GA,GB", "GB", "GB", "GB", "GB", ""};

static int make_geno(const char *path, const char *const *genes)
{
    gdl_rng_t r;
    float labels[N];
    uint8_t calls[N][M];
    gdl_rng_init(&r, 5, 0);
    for (int i = 0; i < N; i++) {
        for (int j = 0; j < M; j++) calls[i][j] = (uint8_t)((gdl_rng_uniform(&r) < 0.4) + (gdl_rng_uniform(&r) < 0.4));
        labels[i] = (float)(calls[i][0] > 0);
    }
    test_cohort_t c = {.n = N, .m = M, .calls = &calls[0][0], .labels = labels, .id_format = "rs%d", .id_base = 1,
                       .gene = genes, .freq = {0.36f, 0.48f, 0.16f}, .af = 0.4f};
    return test_write_cohort(path, &c);
}

static int make_seq(const char *path)
{
    gdl_rng_t r;
    gdl_strings_t ids = {0}, names = {0};
    gdl_target_kind_t kind = GDL_TARGET_BINARY;
    const gdl_strings_t *classes[1] = {NULL};
    float labels[N];
    gdl_rng_init(&r, 6, 0);
    for (int i = 0; i < N; i++) {
        char id[16];
        snprintf(id, sizeof id, "q%02d", i);
        gdl_strings_push(&ids, id);
        labels[i] = (float)(i % 2);
    }
    gdl_strings_push(&names, "bound");
    gdl_dataset_spec_t spec = {.n_examples = N, .ids = &ids, .n_targets = 1, .target_names = &names,
                               .target_kinds = &kind, .target_classes = classes, .labels = labels};
    gdl_input_t in = {.name = "dna", .format = GDL_INPUT_SEQ8, .length = L};
    gdl_dataset_slots_t s;
    gdl_inputs_slots_t is;
    gdl_writer_t *w = gdl_writer_new();
    int rc = -1;
    if (gdl_dataset_declare(w, &spec, &s) || gdl_inputs_declare(w, &spec, &in, 1, 0, &is) ||
        gdl_writer_open(w, path) || gdl_dataset_fill(w, &spec, &s))
        goto out;
    uint8_t *b = gdl_writer_data(w, is.input[0]);
    for (int i = 0; i < N * L; i++) b[i] = (uint8_t)"ACGT"[gdl_rng_below(&r, 4)];
    b[3] = 'N';
    rc = gdl_writer_commit(w);
out:
    gdl_writer_free(w);
    gdl_strings_free(&ids), gdl_strings_free(&names);
    return rc;
}

static gdl_model_t *build(const char *json, gdl_dataset_t *d)
{
    gdl_config_t *c = gdl_config_load(NULL, json);
    return c ? gdl_model_build(c, d) : NULL;
}

static const char *mlp_dense =
    "{\"inputs\": [{\"name\": \"x\", \"from\": \"genotypes\"}],"
    " \"layers\": [{\"name\": \"h\", \"type\": \"dense\", \"input\": \"x\", \"units\": 6},"
    "  {\"name\": \"a\", \"type\": \"tanh\", \"input\": \"h\"},"
    "  {\"name\": \"o\", \"type\": \"dense\", \"input\": \"a\", \"units\": \"outputs\"}],"
    " \"output\": {\"layer\": \"o\"}}";
static const char *mlp_sparse =
    "{\"inputs\": [{\"name\": \"x\", \"from\": \"genotypes\", \"sparse\": true}],"
    " \"layers\": [{\"name\": \"h\", \"type\": \"sparse_dense\", \"input\": \"x\", \"units\": 6},"
    "  {\"name\": \"a\", \"type\": \"sigmoid\", \"input\": \"h\"},"
    "  {\"name\": \"o\", \"type\": \"dense\", \"input\": \"a\", \"units\": \"outputs\"}],"
    " \"output\": {\"layer\": \"o\"}}";
static const char *cnn =
    "{\"inputs\": [{\"name\": \"dna\", \"from\": \"dna\"}],"
    " \"layers\": [{\"name\": \"c\", \"type\": \"conv1d\", \"input\": \"dna\", \"filters\": 3, \"width\": 4},"
    "  {\"name\": \"a\", \"type\": \"tanh\", \"input\": \"c\"},"
    "  {\"name\": \"p\", \"type\": \"global_avgpool\", \"input\": \"a\"},"
    "  {\"name\": \"o\", \"type\": \"dense\", \"input\": \"p\", \"units\": \"outputs\"}],"
    " \"output\": {\"layer\": \"o\"}}";

/* gradxinput and saliency equal central finite differences of the score, and ig is complete. */
static void check_model(const char *json, const char *data, double fd_tol)
{
    gdl_dataset_t *d = gdl_dataset_open(data);
    gdl_model_t *m = d ? build(json, d) : NULL;
    gdl_attr_spec_t s = {.batch = 8, .steps = 64, .seed = 3};
    gdl_attr_t *a = m ? gdl_attr_new(m, d, &s) : NULL;
    CHECK(a != NULL);
    if (!a) goto out;
    int64_t W = gdl_attr_width(a), rows[3] = {0, 5, 11};
    float *x = malloc(sizeof *x * 3 * W), *gx = malloc(sizeof *gx * 3 * W), *sal = malloc(sizeof *sal * 3 * W);
    float *ig = malloc(sizeof *ig * 3 * W), *x0 = malloc(sizeof *x0 * W), f[3], fp, fm, fb;
    gdl_attr_input(a, rows, 3, x);
    CHECK(gdl_attr_compute(a, GDL_ATTR_GRADXINPUT, rows, 3, gx) == 0);
    CHECK(gdl_attr_compute(a, GDL_ATTR_SALIENCY, rows, 3, sal) == 0);
    CHECK(gdl_attr_score(a, rows, 3, x, f) == 0);
    int checked = 0;
    for (int b = 0; b < 3; b++)
        for (int64_t j = 0; j < W; j++) {
            float *xb = malloc(sizeof *xb * W);
            const float h = 1e-2f;
            memcpy(xb, x + b * W, sizeof *xb * W);
            xb[j] += h;
            gdl_attr_score(a, &rows[b], 1, xb, &fp);
            xb[j] -= 2 * h;
            gdl_attr_score(a, &rows[b], 1, xb, &fm);
            free(xb);
            double fd = (fp - fm) / (2 * h);
            CHECK_CLOSE(sal[b * W + j], fabs(fd), fd_tol);
            CHECK_CLOSE(gx[b * W + j], fd * x[b * W + j], fd_tol);
            checked++;
        }
    CHECK(checked == 3 * W);
    // ig: sum of attributions = f(x) - f(baseline), for the zero and the mean baseline
    for (int bl = 0; bl < 2; bl++) {
        a->spec.baseline = bl ? GDL_BASELINE_MEAN : GDL_BASELINE_ZERO;
        int64_t all[N];
        for (int i = 0; i < N; i++) all[i] = i;
        if (bl) CHECK(gdl_attr_set_mean_baseline(a, all, N) == 0);
        CHECK(gdl_attr_compute(a, GDL_ATTR_IG, rows, 3, ig) == 0);
        for (int b = 0; b < 3; b++) {
            gdl_attr_baseline_of(a, rows[b], x0);
            gdl_attr_score(a, &rows[b], 1, x0, &fb);
            double sum = 0;
            for (int64_t j = 0; j < W; j++) sum += ig[b * W + j];
            CHECK_CLOSE(sum, f[b] - fb, 2e-3);
            CHECK(fabs(f[b] - fb) > 1e-3); // the check is not trivially 0 = 0
        }
    }
    free(x), free(gx), free(sal), free(ig), free(x0);
out:
    gdl_attr_free(a);
    gdl_model_free(m);
    gdl_dataset_close(d);
}

static void test_gradients_dense_genotypes(void) { check_model(mlp_dense, geno_path, 2e-3); }
static void test_gradients_sparse_genotypes(void) { check_model(mlp_sparse, geno_path, 2e-3); }
static void test_gradients_sequences(void) { check_model(cnn, seq_path, 2e-3); }

/* ISM and pairs agree with scoring the toggled inputs directly. */
static void test_ism_genotypes_and_pairs(void)
{
    gdl_dataset_t *d = gdl_dataset_open(geno_path);
    gdl_model_t *m = d ? build(mlp_sparse, d) : NULL;
    gdl_attr_spec_t s = {.batch = 4, .seed = 3};
    gdl_attr_t *a = m ? gdl_attr_new(m, d, &s) : NULL;
    CHECK(a != NULL);
    if (!a) goto out;
    int64_t row = 2;
    float x[M], out[M], y[M], hi, lo;
    gdl_attr_input(a, &row, 1, x);
    CHECK(gdl_attr_compute(a, GDL_ATTR_ISM, &row, 1, out) == 0);
    for (int j = 0; j < M; j++) {
        memcpy(y, x, sizeof y);
        y[j] = 1;
        gdl_attr_score(a, &row, 1, y, &hi);
        y[j] = 0;
        gdl_attr_score(a, &row, 1, y, &lo);
        CHECK_CLOSE(out[j], hi - lo, 1e-5);
    }
    // pairs over one background: the top two variants' interaction by hand
    double score[M];
    for (int j = 0; j < M; j++) score[j] = j == 3 ? 2 : j == 7 ? 1 : 0;
    char path[600];
    snprintf(path, sizeof path, "%s/pairs.tsv", dir);
    CHECK(gdl_attr_pairs(a, score, 2, &row, 1, path) == 0);
    float f[4];
    for (int q = 0; q < 4; q++) {
        memcpy(y, x, sizeof y);
        y[3] = q & 1 ? 1.0f : 0, y[7] = q & 2 ? 1.0f : 0;
        gdl_attr_score(a, &row, 1, y, &f[q]);
    }
    FILE *fp = fopen(path, "r");
    char line[512];
    double v = NAN;
    CHECK(fp && fgets(line, sizeof line, fp) && fgets(line, sizeof line, fp));
    if (fp) fclose(fp);
    CHECK(strncmp(line, "1\trs4\trs8\tGA\tGB\t", 16) == 0);
    v = atof(strrchr(line, '\t') + 1);
    CHECK_CLOSE(v, f[3] - f[1] - f[2] + f[0], 1e-4);
    unlink(path);
out:
    gdl_attr_free(a);
    gdl_model_free(m);
    gdl_dataset_close(d);
}

/* Sequence ISM: the change of each alternative base, 0 at the reference. */
static void test_ism_sequences(void)
{
    gdl_dataset_t *d = gdl_dataset_open(seq_path);
    gdl_model_t *m = d ? build(cnn, d) : NULL;
    gdl_attr_spec_t s = {.batch = 5, .seed = 3};
    gdl_attr_t *a = m ? gdl_attr_new(m, d, &s) : NULL;
    CHECK(a != NULL);
    if (!a) goto out;
    int64_t row = 1;
    float x[4 * L], out[4 * L], y[4 * L], f0, f1;
    gdl_attr_input(a, &row, 1, x);
    CHECK(gdl_attr_compute(a, GDL_ATTR_ISM, &row, 1, out) == 0);
    gdl_attr_score(a, &row, 1, x, &f0);
    for (int l = 0; l < L; l++)
        for (int c = 0; c < 4; c++) {
            if (x[c * L + l] > 0.5f) {
                CHECK(out[c * L + l] == 0);
                continue;
            }
            memcpy(y, x, sizeof y);
            for (int k = 0; k < 4; k++) y[k * L + l] = k == c;
            gdl_attr_score(a, &row, 1, y, &f1);
            CHECK_CLOSE(out[c * L + l], f1 - f0, 1e-5);
        }
out:
    gdl_attr_free(a);
    gdl_model_free(m);
    gdl_dataset_close(d);
}

/* trace on a linear model with no bias: relevance = w x, which sums to the logit. */
static void test_trace_linear(void)
{
    const char *lin = "{\"inputs\": [{\"name\": \"x\", \"from\": \"genotypes\", \"sparse\": true}],"
                      " \"layers\": [{\"name\": \"o\", \"type\": \"sparse_dense\", \"input\": \"x\","
                      " \"units\": \"outputs\", \"bias\": 0}], \"output\": {\"layer\": \"o\"}}";
    gdl_dataset_t *d = gdl_dataset_open(geno_path);
    gdl_model_t *m = d ? build(lin, d) : NULL;
    gdl_attr_spec_t s = {.batch = 4};
    gdl_attr_t *a = m ? gdl_attr_new(m, d, &s) : NULL;
    CHECK(a != NULL);
    if (!a) goto out;
    int64_t rows[2] = {4, 9};
    float x[2 * M], r[2 * M], g[2 * M], f[2];
    gdl_attr_input(a, rows, 2, x);
    CHECK(gdl_attr_compute(a, GDL_ATTR_TRACE, rows, 2, r) == 0);
    CHECK(gdl_attr_compute(a, GDL_ATTR_GRADXINPUT, rows, 2, g) == 0);
    gdl_attr_score(a, rows, 2, x, f);
    for (int b = 0; b < 2; b++) {
        double sum = 0;
        for (int j = 0; j < M; j++) {
            sum += r[b * M + j];
            CHECK_CLOSE(r[b * M + j], g[b * M + j], 1e-4);
        }
        CHECK_CLOSE(sum, f[b], 1e-4);
    }
out:
    gdl_attr_free(a);
    gdl_model_free(m);
    gdl_dataset_close(d);
}

/* trace through a CNN with no biases: convolution (linear rule through the engine's backward),
 * ReLU, max pooling (the winner takes the relevance), average pooling and dense conserve the
 * relevance, so it sums to the logit at the input; every non-zero lands on a base present. */
static void test_trace_cnn_conserves(void)
{
    const char *net = "{\"inputs\": [{\"name\": \"dna\", \"from\": \"dna\"}],"
        " \"layers\": [{\"name\": \"c\", \"type\": \"conv1d\", \"input\": \"dna\", \"filters\": 4, \"width\": 5,"
        " \"padding\": \"same\", \"bias\": 0},"
        "  {\"name\": \"r\", \"type\": \"relu\", \"input\": \"c\"},"
        "  {\"name\": \"mp\", \"type\": \"maxpool1d\", \"input\": \"r\", \"size\": 2},"
        "  {\"name\": \"c2\", \"type\": \"conv1d\", \"input\": \"mp\", \"filters\": 3, \"width\": 3, \"bias\": 0},"
        "  {\"name\": \"ap\", \"type\": \"global_avgpool\", \"input\": \"c2\"},"
        "  {\"name\": \"o\", \"type\": \"dense\", \"input\": \"ap\", \"units\": \"outputs\", \"bias\": 0}],"
        " \"output\": {\"layer\": \"o\"}}";
    gdl_dataset_t *d = gdl_dataset_open(seq_path);
    gdl_model_t *m = d ? build(net, d) : NULL;
    gdl_attr_spec_t s = {.batch = 4, .epsilon = 1e-9};
    gdl_attr_t *a = m ? gdl_attr_new(m, d, &s) : NULL;
    CHECK(a != NULL);
    if (!a) goto out;
    int64_t rows[3] = {0, 5, 7}, W = a->W;
    float *x = malloc(sizeof *x * 3 * W), *r = malloc(sizeof *r * 3 * W), f[3];
    gdl_attr_input(a, rows, 3, x);
    CHECK(gdl_attr_compute(a, GDL_ATTR_TRACE, rows, 3, r) == 0);
    gdl_attr_score(a, rows, 3, x, f);
    for (int b = 0; b < 3; b++) {
        double sum = 0;
        int stray = 0;
        for (int64_t j = 0; j < W; j++) {
            sum += r[b * W + j];
            stray += r[b * W + j] != 0 && x[b * W + j] == 0;
        }
        CHECK(fabs(f[b]) > 1e-3);
        CHECK_CLOSE(sum, f[b], 1e-3);
        CHECK(stray == 0);
    }
    free(x), free(r);
out:
    gdl_attr_free(a);
    gdl_model_free(m);
    gdl_dataset_close(d);
}

/* The attribution engine for NET on the dataset at PATH (batch 4, trace stabiliser eps); NULL
 * after a failed CHECK. trace_close frees all three. */
static gdl_attr_t *trace_open(const char *path, const char *net, double eps, gdl_dataset_t **d, gdl_model_t **m)
{
    *d = gdl_dataset_open(path);
    *m = *d ? build(net, *d) : NULL;
    gdl_attr_spec_t s = {.batch = 4, .epsilon = eps};
    gdl_attr_t *a = *m ? gdl_attr_new(*m, *d, &s) : NULL;
    CHECK(a != NULL);
    return a;
}

static void trace_close(gdl_attr_t *a, gdl_model_t *m, gdl_dataset_t *d)
{
    gdl_attr_free(a);
    gdl_model_free(m);
    gdl_dataset_close(d);
}

/* Trace through NET on rows 0, 5, 7 of the dataset at PATH: the input's relevance plus what the
 * biases and the stabiliser absorbed must sum to the logit (to 1e-4 relative). biases: set every
 * bias to a value in (-0.5, 0.5) first, else they stay at their initial 0 and, with eps 1e-9 and
 * unless the net absorbs (posenc's encoding and a centred layer's -W mu are biases), the input's
 * relevance alone sums to the logit (1e-5 relative). Returns the largest |logit|. */
static double trace_conserves(const char *path, const char *net, int biases, double eps, int absorbs)
{
    gdl_dataset_t *d;
    gdl_model_t *m;
    gdl_attr_t *a = trace_open(path, net, eps, &d, &m);
    double top = 0;
    if (!a) goto out;
    gdl_rng_t rng;
    gdl_rng_init(&rng, 8, 0);
    for (int i = 0; i < m->g->n_table && biases; i++)
        if (strstr(m->g->table[i].name, "bias")) {
            float *w = gdl_nn_param_data(m->g, &m->g->table[i]);
            for (int64_t k = 0; k < m->g->table[i].numel; k++) w[k] = (float)(gdl_rng_uniform(&rng) - 0.5);
        }
    int64_t rows[3] = {0, 5, 7}, W = a->W;
    float *x = malloc(sizeof *x * 3 * W), *r = malloc(sizeof *r * 3 * W), f[3];
    double absorbed[3];
    gdl_attr_input(a, rows, 3, x);
    CHECK(gdl_attr_trace_absorbed(a, rows, 3, x, r, absorbed) == 0);
    gdl_attr_score(a, rows, 3, x, f);
    for (int b = 0; b < 3; b++) {
        double sum = 0;
        int finite = 1;
        for (int64_t j = 0; j < W; j++) sum += r[b * W + j], finite &= isfinite(r[b * W + j]) != 0;
        CHECK(finite);
        CHECK_CLOSE(sum + absorbed[b], f[b], 1e-4 * fabs(f[b]));
        if (biases) CHECK(fabs(absorbed[b]) > 1e-3 * fabs(f[b]));
        else if (!absorbs) CHECK_CLOSE(sum, f[b], 1e-5 * fabs(f[b]));
        top = fmax(top, fabs(f[b]));
    }
    free(x), free(r);
out:
    trace_close(a, m, d);
    return top;
}

/* trace_conserves for each of the N nets on PATH, with zero biases and eps 1e-9, then random
 * biases and eps 0.01; a net with a positional encoding or a centred layer absorbs (their
 * -W mu and encoding are biases). Stops at the first failing net, naming it. */
static void conserve_all(const char *path, const char *const *nets, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        int absorbs = strstr(nets[i], "posenc") || strstr(nets[i], "center");
        CHECK(trace_conserves(path, nets[i], 0, 1e-9, absorbs) > 1e-3);
        trace_conserves(path, nets[i], 1, 1e-2, absorbs);
        if (test_failed_) {
            fprintf(stderr, "  net %zu\n", i);
            break;
        }
    }
}

#define LAYER(name, type, input, rest) \
    "{\"name\": \"" name "\", \"type\": \"" type "\", \"input\": \"" input "\"" rest "}"
#define NET(layers) "{\"inputs\": [{\"name\": \"dna\", \"from\": \"dna\"}], \"layers\": [" layers \
    "], \"output\": {\"layer\": \"o\"}}"
#define OUT(input) LAYER("o", "dense", input, ", \"units\": \"outputs\"")

/* Recurrent, concat, attention, layer norm and transpose models with random weights (the
 * initial biases are 0): with eps 1e-9 the input relevance sums to the logit; with random biases
 * and eps 0.01 the input's relevance plus the absorbed shares does. */
static void test_trace_recurrent_conserves(void)
{
    static const char *nets[] = {
        NET(LAYER("r", "rnn", "dna", ", \"units\": 3") "," OUT("r")),
        NET(LAYER("r", "rnn", "dna", ", \"units\": 3, \"bidirectional\": true, \"return_sequences\": true") ","
            LAYER("f", "flatten", "r", "") "," OUT("f")),
        NET(LAYER("r", "lstm", "dna", ", \"units\": 3") "," OUT("r")),
        NET(LAYER("r", "lstm", "dna", ", \"units\": 3, \"bidirectional\": true") "," OUT("r")),
        NET(LAYER("r", "lstm", "dna", ", \"units\": 2, \"return_sequences\": true") ","
            LAYER("f", "flatten", "r", "") "," OUT("f")),
        NET(LAYER("r", "gru", "dna", ", \"units\": 3") "," OUT("r")),
        NET(LAYER("r", "gru", "dna", ", \"units\": 3, \"bidirectional\": true, \"return_sequences\": true") ","
            LAYER("f", "flatten", "r", "") "," OUT("f")),
        // the adenocarcinoma study's stack: a bidirectional GRU's sequence into an LSTM
        NET(LAYER("c", "conv1d", "dna", ", \"filters\": 4, \"width\": 3, \"padding\": \"same\"") ","
            LAYER("p", "maxpool1d", "c", ", \"size\": 2") ","
            LAYER("g", "gru", "p", ", \"units\": 3, \"bidirectional\": true, \"return_sequences\": true") ","
            LAYER("l", "lstm", "g", ", \"units\": 3") "," LAYER("h", "dense", "l", ", \"units\": 4") ","
            LAYER("a", "relu", "h", "") "," OUT("a")),
        // concat along channels and along positions
        "{\"inputs\": [{\"name\": \"dna\", \"from\": \"dna\"}], \"layers\": ["
            LAYER("c1", "conv1d", "dna", ", \"filters\": 3, \"width\": 3, \"padding\": \"same\"") ","
            LAYER("c2", "conv1d", "dna", ", \"filters\": 2, \"width\": 5, \"padding\": \"same\"") ","
            "{\"name\": \"k\", \"type\": \"concat\", \"input\": [\"c1\", \"c2\"]},"
            "{\"name\": \"k2\", \"type\": \"concat\", \"input\": [\"k\", \"k\"], \"axis\": 1},"
            LAYER("g", "global_avgpool", "k2", "") "," OUT("g") "], \"output\": {\"layer\": \"o\"}}",
        // attention with a residual add
        "{\"inputs\": [{\"name\": \"dna\", \"from\": \"dna\"}], \"layers\": ["
            LAYER("c", "conv1d", "dna", ", \"filters\": 4, \"width\": 3, \"padding\": \"same\"") ","
            LAYER("at", "attention", "c", ", \"heads\": 2") ","
            "{\"name\": \"s\", \"type\": \"add\", \"input\": [\"c\", \"at\"]},"
            LAYER("f", "flatten", "s", "") "," OUT("f") "], \"output\": {\"layer\": \"o\"}}",
        // the study's attention block: positional encoding, attention, residual add, layer norm;
        // then a transpose
        "{\"inputs\": [{\"name\": \"dna\", \"from\": \"dna\"}], \"layers\": ["
            LAYER("c", "conv1d", "dna", ", \"filters\": 4, \"width\": 3, \"padding\": \"same\"") ","
            LAYER("pe", "posenc", "c", "") "," LAYER("at", "attention", "pe", ", \"heads\": 2") ","
            "{\"name\": \"s\", \"type\": \"add\", \"input\": [\"at\", \"pe\"]},"
            LAYER("n", "layernorm", "s", "") "," LAYER("t", "transpose", "n", "") ","
            LAYER("h", "conv1d", "t", ", \"filters\": 2, \"width\": 1") ","
            LAYER("f", "flatten", "h", "") "," OUT("f") "], \"output\": {\"layer\": \"o\"}}",
    };
    conserve_all(seq_path, nets, sizeof nets / sizeof *nets);
}

/* A one-unit recurrent layer over two steps, by hand: genotypes reshaped to (5, 2); x has 1 at
 * channel 0, step 0, and 2 at step 1, 0 elsewhere; the candidate row (LSTM g, GRU n) of W_ih
 * has weight 1 on channel 0 and of W_hh 0.5, every other weight and bias is 0, and the output
 * o = 2 h_1. Every gate is sigmoid(0) = 0.5. Checks o, R(x_0), R(x_1), that the other inputs
 * get 0 and that nothing is absorbed. */
static void trace_by_hand(const char *cell, double o, double r0, double r1)
{
    char net[640];
    snprintf(net, sizeof net, "{\"inputs\": [{\"name\": \"x\", \"from\": \"genotypes\"}], \"layers\": ["
             LAYER("s", "reshape", "x", ", \"shape\": [5, 2]") "," LAYER("r", "%s", "s", ", \"units\": 1") ","
             LAYER("o", "dense", "r", ", \"units\": \"outputs\"") "], \"output\": {\"layer\": \"o\"}}", cell);
    gdl_dataset_t *d;
    gdl_model_t *m;
    gdl_attr_t *a = trace_open(geno_path, net, 1e-9, &d, &m);
    CHECK(a && a->W == M);
    if (!a || a->W != M) goto out;
    const gdl_nn_param_t *pih = gdl_nn_find_param(m->g, "r.weight_ih"), *phh = gdl_nn_find_param(m->g, "r.weight_hh");
    float *wih = gdl_nn_param_data(m->g, pih), *whh = gdl_nn_param_data(m->g, phh); // (G, 5), (G, 1)
    float *v = gdl_nn_param_data(m->g, gdl_nn_find_param(m->g, "o.weight"));
    int64_t G = pih->shape[0], cand = 2; // LSTM i f g o, GRU r z n: row 2 either way
    memset(wih, 0, sizeof *wih * (size_t)(G * 5)), memset(whh, 0, sizeof *whh * (size_t)G);
    wih[cand * 5] = 1, whh[cand] = 0.5f, v[0] = 2;
    float x[M] = {1, 2}, r[M], f;
    double absorbed;
    int64_t row = 0;
    CHECK(gdl_attr_trace_absorbed(a, &row, 1, x, r, &absorbed) == 0);
    gdl_attr_score(a, &row, 1, x, &f);
    CHECK_CLOSE(f, o, 1e-6);
    CHECK_CLOSE(r[0], r0, 1e-6);
    CHECK_CLOSE(r[1], r1, 1e-6);
    for (int j = 2; j < M; j++) CHECK(r[j] == 0);
    CHECK(fabs(absorbed) < 1e-7);
out:
    trace_close(a, m, d);
}

/* LSTM:
 *   t=0: g0 = tanh(1) = 0.7615942, c0 = 0.5 g0 = 0.3807971, h0 = 0.5 tanh(c0) = 0.1816997;
 *   t=1: a1 = 2 + 0.5 h0 = 2.0908499, g1 = tanh(a1) = 0.9699144, c1 = 0.5 c0 + 0.5 g1 = 0.6753558,
 *        o = 2 (0.5 tanh(c1)) = 0.5884919.
 * Relevance: c1 takes all of R(h1) = o (the output gate none) and splits it into c0's share
 * 0.5 c0 / c1 and g1's 0.5 g1 / c1: R(g1) = 0.4225823; g1's pre-activation a1 splits that into
 * x_1's 2 / a1 and h0's 0.5 h0 / a1: R(x_1) = 0.4042206, R(h0) = 0.0183617; at t=0 c0 takes
 * R(h0) plus its share of c1, 0.5884919 x 0.5 c0 / c1 = 0.1659096, all of which (c_{-1} = 0)
 * goes to g0 and on to x_0: R(x_0) = 0.1842713. R(x_0) + R(x_1) = o.
 * GRU (n = tanh(W_n x + r (U_n h)), h = (1 - z) n + z h_prev):
 *   t=0: n0 = tanh(1) = 0.7615942, h0 = 0.5 n0 = 0.3807971;
 *   t=1: a1 = 2 + 0.5 (0.5 h0) = 2.0951993, n1 = tanh(a1) = 0.9701711,
 *        h1 = 0.5 n1 + 0.5 h0 = 0.6754841, o = 2 h1 = 1.3509682.
 * Relevance: h1's terms take o by their shares: R(n1) = o 0.5 n1 / h1 = 0.9701711, the direct
 * path R(h0) = o 0.5 h0 / h1 = 0.3807971; a1 hands x_1 its 2 / a1: R(x_1) = 0.9260896, and h0
 * its 0.25 h0 / a1 = 0.0440815 more; h0 = 0.5 n0 + 0.5 x 0 passes all to n0 and x_0:
 * R(x_0) = 0.4248786. */
static void test_trace_by_hand(void)
{
    trace_by_hand("lstm", 0.5884919, 0.1842713, 0.4042206);
    trace_by_hand("gru", 1.3509682, 0.4248786, 0.9260896);
}

/* One position carries the signal: genotypes as a (1, 10) sequence into a bidirectional GRU
 * and an LSTM with random weights; x is 0.05 everywhere but 2 at position 6, which must get
 * more relevance than the 9 others together. */
static void test_trace_signal_position(void)
{
    const char *net = "{\"inputs\": [{\"name\": \"x\", \"from\": \"genotypes\"}], \"layers\": ["
        LAYER("s", "reshape", "x", ", \"shape\": [1, -1]") ","
        LAYER("g", "gru", "s", ", \"units\": 4, \"bidirectional\": true, \"return_sequences\": true") ","
        LAYER("l", "lstm", "g", ", \"units\": 4") "," LAYER("o", "dense", "l", ", \"units\": \"outputs\"")
        "], \"output\": {\"layer\": \"o\"}}";
    gdl_dataset_t *d;
    gdl_model_t *m;
    gdl_attr_t *a = trace_open(geno_path, net, 1e-6, &d, &m);
    if (!a) goto out;
    float x[M], r[M], f;
    for (int j = 0; j < M; j++) x[j] = j == 6 ? 2.0f : 0.05f;
    int64_t row = 0;
    CHECK(gdl_attr_trace(a, &row, 1, x, r) == 0);
    gdl_attr_score(a, &row, 1, x, &f);
    double rest = 0, sum = 0;
    for (int j = 0; j < M; j++) rest += j == 6 ? 0 : fabs(r[j]), sum += r[j];
    CHECK(fabs(r[6]) > rest);
    CHECK_CLOSE(sum, f, 1e-3 * fabs(f));
out:
    trace_close(a, m, d);
}

/* genotypes -> gene_dense (2 units per gene) -> OUT, with its input LAYERS ahead and REST after
 * the gene layer's attributes */
#define GENE_NET(sparse, gene_rest, layers) "{\"inputs\": [{\"name\": \"x\", \"from\": \"genotypes\"" sparse "}]," \
    " \"layers\": [" LAYER("genes", "gene_dense", "x", ", \"units_per_gene\": 2" gene_rest) "," layers \
    "], \"output\": {\"layer\": \"o\"}}"

/* A linear gene layer (no biases): trace is then gradient x input to the last bits, so each
 * variant gets x_k sum of its links' W v; rs5, in both genes, through both, and rs10, in none,
 * through the shared group. Dense and sparse inputs alike; the relevance sums to the logit. */
static void test_trace_gene_layer_linear(void)
{
    static const char *nets[] = {
        GENE_NET("", ", \"bias\": 0", LAYER("o", "dense", "genes", ", \"units\": \"outputs\", \"bias\": 0")),
        GENE_NET(", \"sparse\": true", ", \"bias\": 0",
                 LAYER("o", "dense", "genes", ", \"units\": \"outputs\", \"bias\": 0")),
    };
    for (size_t i = 0; i < sizeof nets / sizeof *nets; i++) {
        gdl_dataset_t *d;
        gdl_model_t *m;
        gdl_attr_t *a = trace_open(gene_path, nets[i], 1e-9, &d, &m);
        if (!a) goto next;
        int64_t G = 0, E = 0, rows[3] = {1, 6, 13};
        CHECK(gdl_nn_gene_map_get(m->g, "genes", &G, &E, NULL) == 0 && G == 3 && E == 11);
        float x[3 * M], r[3 * M], gx[3 * M], f[3];
        gdl_attr_input(a, rows, 3, x);
        CHECK(gdl_attr_compute(a, GDL_ATTR_TRACE, rows, 3, r) == 0);
        CHECK(gdl_attr_compute(a, GDL_ATTR_GRADXINPUT, rows, 3, gx) == 0);
        gdl_attr_score(a, rows, 3, x, f);
        int carriers = 0;
        for (int b = 0; b < 3; b++) {
            double sum = 0;
            for (int j = 0; j < M; j++) {
                CHECK_CLOSE(r[b * M + j], gx[b * M + j], 1e-5);
                CHECK(x[b * M + j] != 0 || r[b * M + j] == 0);
                sum += r[b * M + j];
            }
            carriers += x[b * M + 4] != 0 && x[b * M + 9] != 0;
            CHECK(fabs(f[b]) > 1e-3);
            CHECK_CLOSE(sum, f[b], 1e-5 * fabs(f[b]));
        }
        CHECK(carriers > 0); // rs5 and rs10 were called in a row
    next:
        trace_close(a, m, d);
        if (test_failed_) {
            fprintf(stderr, "  net %zu\n", i);
            break;
        }
    }
}

/* Conservation through gene layers: gene_dense, tanh, dense (the input's relevance alone sums to
 * the logit with zero biases and eps 1e-9; with random biases and eps 0.01 with the absorbed
 * shares), then configs/genotype-gene.json's wide and deep net, whose centred linear path
 * absorbs its -W mu as a bias, on dense and sparse inputs. */
static void test_trace_gene_layer_conserves(void)
{
    static const char *nets[] = {
        GENE_NET("", "", LAYER("a", "tanh", "genes", "") "," OUT("a")),
        GENE_NET(", \"sparse\": true", "", LAYER("a", "tanh", "genes", "") "," OUT("a")),
        GENE_NET(", \"sparse\": true", "",
                 LAYER("linear", "sparse_dense", "x", ", \"units\": \"outputs\", \"center\": 1") ","
                 LAYER("a", "tanh", "genes", "") "," LAYER("deep", "dense", "a", ", \"units\": \"outputs\"") ","
                 "{\"name\": \"o\", \"type\": \"add\", \"input\": [\"linear\", \"deep\"]}"),
        GENE_NET("", "",
                 LAYER("linear", "dense", "x", ", \"units\": \"outputs\", \"center\": 1") ","
                 LAYER("a", "tanh", "genes", "") "," LAYER("deep", "dense", "a", ", \"units\": \"outputs\"") ","
                 "{\"name\": \"o\", \"type\": \"add\", \"input\": [\"linear\", \"deep\"]}"),
    };
    conserve_all(gene_path, nets, sizeof nets / sizeof *nets);
}

static void test_dinuc_shuffle_keeps_counts(void)
{
    const char *seq = "ACGTTGCAAACCGTAGGCTTACGNNACGT";
    int64_t n = (int64_t)strlen(seq);
    float *x = calloc(4 * n, sizeof *x), *y = calloc(4 * n, sizeof *y);
    for (int64_t l = 0; l < n; l++) {
        const char *p = strchr("ACGT", seq[l]);
        if (p) x[(p - "ACGT") * n + l] = 1;
    }
    gdl_rng_t r;
    int differ = 0;
    for (int t = 0; t < 20; t++) {
        gdl_rng_init(&r, 1, (uint64_t)t);
        gdl_attr_dinuc_shuffle(x, n, &r, y);
        int cx[25] = {0}, cy[25] = {0}, sx[5], sy[5];
        for (int64_t l = 0; l < n; l++) {
            sx[l % 5] = sy[l % 5] = 4;
            for (int c = 0; c < 4; c++) {
                if (x[c * n + l] > 0) sx[l % 5] = c;
                if (y[c * n + l] > 0) sy[l % 5] = c;
            }
            differ += sx[l % 5] != sy[l % 5];
            if (l) {
                int px = 4, py = 4;
                for (int c = 0; c < 4; c++) {
                    if (x[c * n + l - 1] > 0) px = c;
                    if (y[c * n + l - 1] > 0) py = c;
                }
                cx[px * 5 + sx[l % 5]]++, cy[py * 5 + sy[l % 5]]++;
            }
        }
        CHECK(memcmp(cx, cy, sizeof cx) == 0);
    }
    CHECK(differ > 0);
    free(x), free(y);
}

static void test_bh_and_allelic(void)
{
    double p[5] = {0.01, 0.04, 0.03, NAN, 0.5}, q[5];
    gdl_bh_qvalues(p, 5, q);
    // m = 4: sorted 0.01, 0.03, 0.04, 0.5 -> 0.04, 0.0533, 0.0533, 0.5
    CHECK_CLOSE(q[0], 0.04, 1e-9);
    CHECK_CLOSE(q[2], 0.04 * 4 / 3, 1e-9);
    CHECK_CLOSE(q[1], 0.04 * 4 / 3, 1e-9);
    CHECK_CLOSE(q[4], 0.5, 1e-9);
    CHECK(isnan(q[3]));
    // 2x2 table 30/70 vs 10/90: chi2 = 200 (30*90-70*10)^2 / (100*100*40*160) = 12.5
    CHECK_CLOSE(gdl_attr_allelic_p(30, 70, 10, 90), erfc(sqrt(12.5 / 2)), 1e-12);
    CHECK(gdl_attr_allelic_p(0, 10, 0, 10) == 1);
}

int main(void)
{
    if (!mkdtemp(dir)) return 1;
    snprintf(geno_path, sizeof geno_path, "%s/g.gdl", dir);
    snprintf(seq_path, sizeof seq_path, "%s/s.gdl", dir);
    snprintf(gene_path, sizeof gene_path, "%s/genes.gdl", dir);
    if (make_geno(geno_path, two_genes) || make_geno(gene_path, overlapping_genes) || make_seq(seq_path)) return 1;
    RUN(test_gradients_dense_genotypes);
    RUN(test_gradients_sparse_genotypes);
    RUN(test_gradients_sequences);
    RUN(test_ism_genotypes_and_pairs);
    RUN(test_ism_sequences);
    RUN(test_trace_linear);
    RUN(test_trace_cnn_conserves);
    RUN(test_trace_recurrent_conserves);
    RUN(test_trace_by_hand);
    RUN(test_trace_signal_position);
    RUN(test_trace_gene_layer_linear);
    RUN(test_trace_gene_layer_conserves);
    RUN(test_dinuc_shuffle_keeps_counts);
    RUN(test_bh_and_allelic);
    unlink(geno_path), unlink(seq_path), unlink(gene_path);
    rmdir(dir);
    return TEST_EXIT();
}
