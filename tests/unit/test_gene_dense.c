/* The gene layer (gene_dense): values and gradients against a masked dense layer computed here
 * in double, dense and sparse inputs giving the same bits, one and two threads the same bits;
 * its map made from a dataset's catalog:gene (genes in order of appearance, a variant in two
 * genes linked to both, a gene listed twice for a variant linked once, variants in no gene
 * shared or dropped), bad maps refused, and a saved model predicting what it did before. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "gdl/core.h"
#include "gdl/data.h"
#include "gdl/dataset.h"
#include "gdl/model.h"
#include "test.h"
#include "test_geno.h"

enum { N = 37, M = 23, U = 3 };

/* Groups (each a list of variants, -1 ends it): 0..3 one gene, 4..7 another, 6 and 7 also in a
 * third with 12; 8..11 in none; 13..22 a large gene. */
static const int groups[][12] = {
    {0, 1, 2, 3, -1}, {4, 5, 6, 7, -1}, {6, 7, 12, -1}, {13, 14, 15, 16, 17, 18, 19, 20, 21, 22, -1}};
enum { G = 4 };

static int64_t make_map(int64_t *start, int64_t *variant)
{
    int64_t E = 0;
    start[0] = 0;
    for (int g = 0; g < G; g++) {
        for (int k = 0; groups[g][k] >= 0; k++) variant[E++] = groups[g][k];
        start[g + 1] = E;
    }
    return E;
}

/* x (N, M): dosages 0, 1, 2 (zero most often) and a few other values, -0 among the zeros */
static void fill_x(float *x, uint64_t seed)
{
    gdl_rng_t r;
    gdl_rng_init(&r, seed, 0);
    for (int64_t k = 0; k < N * M; k++) {
        double u = gdl_rng_uniform(&r);
        x[k] = u < 0.5 ? (k % 11 ? 0.0f : -0.0f) : u < 0.75 ? 1.0f : u < 0.9 ? 2.0f : (float)(u * 3 - 1.5);
    }
}

typedef struct {
    gdl_nn_t *g;
    float *y, *dW, *db, *dx; // copies after forward and backward
} run_t;

/* A one-layer graph over x (dense, or sparse from x), its forward and backward from dy. */
static run_t run_layer(const float *x, int sparse, const float *dy, int threads)
{
    run_t r = {0};
    int64_t start[G + 1], variant[64], E = make_map(start, variant);
    char attrs[96];
    snprintf(attrs, sizeof attrs, "groups=%d links=%lld units_per_gene=%d", G, (long long)E, U);
    gdl_threads_set(threads);
    r.g = gdl_nn_new(3);
    CHECK(sparse ? gdl_nn_input_sparse(r.g, "x", M) == 0 : gdl_nn_input(r.g, "x", 1, (int64_t[]){M}) == 0);
    CHECK(gdl_nn_add(r.g, "y", "gene_dense", "x", attrs) == 1 && gdl_nn_compile(r.g) == 0);
    CHECK(gdl_nn_gene_map_set(r.g, "y", start, variant) == 0);
    gdl_rng_t rng;
    gdl_rng_init(&rng, 11, 0);
    for (int64_t k = 0; k < r.g->n_param; k++) r.g->param[k] = (float)(gdl_rng_uniform(&rng) - 0.5); // bias too
    gdl_csr_t csr = {0};
    gdl_nn_sparse_t sp;
    if (sparse) {
        CHECK(gdl_csr_from_dense(&csr, x, N, M) == 0);
        sp = (gdl_nn_sparse_t){N, M, csr.row, csr.col, csr.val};
        CHECK(gdl_nn_set_sparse(r.g, "x", &sp) == 0);
    } else {
        CHECK(gdl_nn_set_input(r.g, "x", x) == 0);
    }
    gdl_nn_want_input_grad(r.g, "x", 1);
    CHECK(gdl_nn_forward(r.g, N, 1) == 0);
    r.y = malloc(sizeof(float) * N * G * U), r.dx = malloc(sizeof(float) * N * M);
    r.dW = malloc(sizeof(float) * (size_t)(E * U)), r.db = malloc(sizeof(float) * G * U);
    memcpy(r.y, gdl_nn_output(r.g, "y"), sizeof(float) * N * G * U);
    gdl_nn_zero_grad(r.g);
    memcpy(gdl_nn_grad(r.g, "y"), dy, sizeof(float) * N * G * U);
    CHECK(gdl_nn_backward(r.g) == 0);
    memcpy(r.dx, gdl_nn_grad(r.g, "x"), sizeof(float) * N * M);
    memcpy(r.dW, r.g->grad + gdl_nn_find_param(r.g, "y.weight")->offset, sizeof(float) * (size_t)(E * U));
    memcpy(r.db, r.g->grad + gdl_nn_find_param(r.g, "y.bias")->offset, sizeof(float) * G * U);
    gdl_csr_free(&csr);
    gdl_threads_set(1);
    return r;
}

static void run_free(run_t *r)
{
    gdl_nn_free(r->g);
    free(r->y), free(r->dW), free(r->db), free(r->dx);
}

static int close_to(double got, double want) { return fabs(got - want) <= 1e-5 * (1 + fabs(want)); }

/* The masked dense layer: Wm (M, G, U) holds a link's weights where variant j is in group g and
 * zeros elsewhere, y = b + x Wm, all in double. */
static void test_matches_masked_dense(void)
{
    float *x = malloc(sizeof(float) * N * M), *dy = malloc(sizeof(float) * N * G * U);
    fill_x(x, 1);
    gdl_rng_t r;
    gdl_rng_init(&r, 2, 0);
    for (int k = 0; k < N * G * U; k++) dy[k] = (float)(gdl_rng_uniform(&r) * 2 - 1);
    run_t a = run_layer(x, 0, dy, 1);
    const float *W = gdl_nn_param_data(a.g, gdl_nn_find_param(a.g, "y.weight"));
    const float *b = gdl_nn_param_data(a.g, gdl_nn_find_param(a.g, "y.bias"));
    double *Wm = calloc(M * G * U, sizeof *Wm);
    int in_group[M][G];
    memset(in_group, 0, sizeof in_group);
    int64_t e = 0;
    for (int g = 0; g < G; g++)
        for (int k = 0; groups[g][k] >= 0; k++, e++) {
            in_group[groups[g][k]][g] = 1;
            for (int u = 0; u < U; u++) Wm[(groups[g][k] * G + g) * U + u] = W[e * U + u];
        }
    int ok_y = 1, ok_dx = 1, ok_dW = 1, ok_db = 1;
    for (int n = 0; n < N; n++)
        for (int g = 0; g < G; g++)
            for (int u = 0; u < U; u++) {
                double s = b[g * U + u];
                for (int j = 0; j < M; j++) s += (double)x[n * M + j] * Wm[(j * G + g) * U + u];
                ok_y &= close_to(a.y[(n * G + g) * U + u], s);
            }
    for (int n = 0; n < N; n++)
        for (int j = 0; j < M; j++) {
            double s = 0;
            for (int q = 0; q < G * U; q++) s += Wm[j * G * U + q] * dy[n * G * U + q];
            ok_dx &= close_to(a.dx[n * M + j], s);
        }
    for (int j = 0; j < M; j++) // the weight gradient of each link, from the masked layer's
        for (int g = 0; g < G; g++) {
            if (!in_group[j][g]) continue;
            int64_t link = 0; // link index: count the links before (g, j)
            for (int h = 0; h < g; h++)
                for (int k = 0; groups[h][k] >= 0; k++) link++;
            for (int k = 0; groups[g][k] != j; k++) link++;
            for (int u = 0; u < U; u++) {
                double s = 0;
                for (int n = 0; n < N; n++) s += (double)x[n * M + j] * dy[(n * G + g) * U + u];
                ok_dW &= close_to(a.dW[link * U + u], s);
            }
        }
    for (int q = 0; q < G * U; q++) {
        double s = 0;
        for (int n = 0; n < N; n++) s += dy[n * G * U + q];
        ok_db &= close_to(a.db[q], s);
    }
    CHECK(ok_y && ok_dx && ok_dW && ok_db);
    // variants 8..11 are in no group: nothing flows to them
    int zero = 1;
    for (int n = 0; n < N; n++)
        for (int j = 8; j < 12; j++) zero &= a.dx[n * M + j] == 0;
    CHECK(zero);
    // the sparse input and two threads: the same bits
    run_t s = run_layer(x, 1, dy, 1), t = run_layer(x, 0, dy, 2), st = run_layer(x, 1, dy, 2);
    int64_t E = e;
    for (run_t *o = &s; o; o = o == &s ? &t : o == &t ? &st : NULL) {
        CHECK(!memcmp(o->y, a.y, sizeof(float) * N * G * U));
        CHECK(!memcmp(o->dx, a.dx, sizeof(float) * N * M));
        CHECK(!memcmp(o->dW, a.dW, sizeof(float) * (size_t)(E * U)));
        CHECK(!memcmp(o->db, a.db, sizeof(float) * G * U));
    }
    run_free(&a), run_free(&s), run_free(&t), run_free(&st);
    free(Wm), free(x), free(dy);
}

/* A map that is not one is refused, and a forward pass without a map fails naming the node. */
static void test_bad_maps_refused(void)
{
    gdl_nn_t *g = gdl_nn_new(1);
    CHECK(gdl_nn_input(g, "x", 1, (int64_t[]){5}) == 0);
    CHECK(gdl_nn_add(g, "genes", "gene_dense", "x", "groups=2 links=3") == 1);
    CHECK(gdl_nn_add(g, "bad", "gene_dense", "x", "groups=2 links=3 unassigned=keep") < 0);
    CHECK(strstr(gdl_last_error(), "unassigned=keep"));
    CHECK(gdl_nn_compile(g) == 0);
    float x[5] = {1, 0, 2, 1, 1};
    CHECK(gdl_nn_set_input(g, "x", x) == 0);
    CHECK(gdl_nn_forward(g, 1, 0) < 0 && strstr(gdl_last_error(), "node 'genes': its gene map"));
    int64_t start[3] = {0, 2, 3};
    CHECK(gdl_nn_gene_map_set(g, "genes", start, (int64_t[]){3, 1, 4}) < 0); // not ascending
    CHECK(gdl_nn_gene_map_set(g, "genes", start, (int64_t[]){1, 5, 4}) < 0); // out of range
    CHECK(gdl_nn_gene_map_set(g, "genes", (int64_t[]){0, 2, 2}, (int64_t[]){0, 1, 2}) < 0); // sizes
    CHECK(gdl_nn_gene_map_set(g, "x", start, (int64_t[]){0, 1, 2}) < 0);
    CHECK(gdl_nn_gene_map_set(g, "genes", start, (int64_t[]){1, 3, 3}) == 0); // 3 in both
    CHECK(gdl_nn_forward(g, 1, 0) == 0);
    int64_t G2, E2, st[3];
    CHECK(gdl_nn_gene_map_get(g, "genes", &G2, &E2, st) == 0 && G2 == 2 && E2 == 3 && st[1] == 2);
    gdl_nn_free(g);
}

/* ---- the map from a dataset's catalog ------------------------------------------------------- */

static char dir[] = "/tmp/gdl-gene-XXXXXX";

/* N samples over the variants of gene[] (catalog:gene), random dosages, a label from variant 0 */
static int write_dataset(const char *path, const char *const *gene, int64_t nv)
{
    float labels[N];
    uint8_t calls[N * 32]; // (N, nv)
    gdl_rng_t r;
    gdl_rng_init(&r, 4, 0);
    for (int i = 0; i < N; i++) {
        for (int64_t j = 0; j < nv; j++) calls[i * nv + j] = (uint8_t)gdl_rng_below(&r, 3);
        labels[i] = calls[i * nv] > 0;
    }
    test_cohort_t c = {.n = N, .m = (int)nv, .calls = calls, .labels = labels, .gene = gene, .alt = "C",
                       .freq = {0.4f, 0.4f, 0.2f}, .af = 0.4f};
    return test_write_cohort(path, &c);
}

static gdl_model_t *build(const gdl_dataset_t *d, const char *unassigned, int sparse)
{
    char json[1024];
    snprintf(json, sizeof json,
             "{\"inputs\": [{\"name\": \"g\", \"from\": \"genotypes\", \"sparse\": %s}],"
             " \"layers\": [{\"name\": \"genes\", \"type\": \"gene_dense\", \"input\": \"g\","
             " \"units_per_gene\": 2, \"unassigned\": \"%s\"},"
             " {\"name\": \"a\", \"type\": \"tanh\", \"input\": \"genes\"},"
             " {\"name\": \"out\", \"type\": \"dense\", \"input\": \"a\", \"units\": \"outputs\"}],"
             " \"output\": {\"layer\": \"out\"}}",
             sparse ? "true" : "false", unassigned);
    return gdl_model_build(gdl_config_load(NULL, json), d);
}

/* The map's groups as "GENE:v,v GENE:v" from the model's names and the layer's state. */
static void describe(gdl_model_t *m, char *buf, size_t n)
{
    const gdl_gene_layer_t *gl = gdl_model_gene_layer(m, "genes");
    int64_t Gm, Em, start[16];
    buf[0] = 0;
    if (!gl || gdl_nn_gene_map_get(m->g, "genes", &Gm, &Em, start) < 0 || Gm != gl->groups || Gm > 15) return;
    const float *var = gdl_nn_param_data(m->g, gdl_nn_find_param(m->g, "genes.link_variant"));
    size_t k = 0;
    for (int64_t g = 0; g < Gm && k < n; g++) {
        k += snprintf(buf + k, n - k, "%s%s:", g ? " " : "", gl->genes[g]);
        for (int64_t e = start[g]; e < start[g + 1] && k < n; e++)
            k += snprintf(buf + k, n - k, e > start[g] ? ",%d" : "%d", (int)var[e]);
    }
}

static void scores(gdl_model_t *m, const gdl_dataset_t *d, float *out)
{
    gdl_runner_t r;
    int64_t rows[N];
    for (int i = 0; i < N; i++) rows[i] = i;
    CHECK(gdl_runner_init(&r, m, d, N) == 0);
    CHECK(gdl_runner_scores(&r, rows, N, out) == 0);
    gdl_runner_free(&r);
}

static void test_map_follows_catalog(void)
{
    // B first seen at variant 1, A at 0; variant 2 in A and C; 3 lists B twice; 4 and 6 in none
    static const char *const gene[] = {"A", "B", "A,C", "B,B", "", "C", "", "B"};
    char path[256], model[256], got[512];
    snprintf(path, sizeof path, "%s/d.gdl", dir);
    snprintf(model, sizeof model, "%s/m.gdl", dir);
    CHECK(write_dataset(path, gene, 8) == 0);
    gdl_dataset_t *d = gdl_dataset_open(path);
    CHECK(d != NULL);
    if (!d) return;
    gdl_model_t *m = build(d, "shared", 1);
    CHECK(m != NULL);
    if (m) {
        describe(m, got, sizeof got);
        CHECK(!strcmp(got, "A:0,2 B:1,3,7 C:2,5 :4,6"));
        CHECK(gdl_nn_size(m->g, "genes") == 4 * 2);
        float before[N], after[N], mapped[N];
        scores(m, d, before);
        CHECK(gdl_model_save(m, NULL, model) == 0);
        gdl_model_t *m2 = gdl_model_load(model), *m3 = gdl_model_load_mapped(model);
        CHECK(m2 && m3);
        if (m2 && m3) {
            describe(m2, got, sizeof got);
            CHECK(!strcmp(got, "A:0,2 B:1,3,7 C:2,5 :4,6"));
            scores(m2, d, after);
            scores(m3, d, mapped);
            CHECK(!memcmp(before, after, sizeof before) && !memcmp(before, mapped, sizeof before));
        }
        gdl_model_free(m2), gdl_model_free(m3);
    }
    gdl_model_free(m);
    m = build(d, "drop", 0); // dense input
    CHECK(m != NULL);
    if (m) {
        describe(m, got, sizeof got);
        CHECK(!strcmp(got, "A:0,2 B:1,3,7 C:2,5"));
        CHECK(gdl_nn_size(m->g, "genes") == 3 * 2);
    }
    gdl_model_free(m);
    gdl_dataset_close(d);
    // a catalog without genes: the layer has nothing to see
    static const char *const none[] = {"", "", ""};
    CHECK(write_dataset(path, none, 3) == 0);
    d = gdl_dataset_open(path);
    CHECK(d && build(d, "shared", 1) == NULL && strstr(gdl_last_error(), "encode the cohort with --genes"));
    gdl_dataset_close(d);
    unlink(path), unlink(model);
}

int main(void)
{
    if (!mkdtemp(dir)) return 1;
    RUN(test_matches_masked_dense);
    RUN(test_bad_maps_refused);
    RUN(test_map_follows_catalog);
    rmdir(dir);
    return TEST_EXIT();
}
