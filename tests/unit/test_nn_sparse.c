/* sparse_dense's kernels against a naive loop, bit for bit: the forward pass (by column for
 * small batches in training, by sample for small batches in inference and for layers of at most
 * 16 units, in packed tiles from 512 samples) and the weight gradient (by column, fresh rows
 * streamed, accumulated rows read; by sample for at most 16 units), on
 * random CSR batches with empty rows, unsorted rows, repeated columns, dosages 1 and 2 and
 * other values, unit counts that are not multiples of the vector or tile widths, and one and
 * two threads. */
#include <stdlib.h>
#include <string.h>

#include "gdl/core.h"
#include "gdl/dataset.h"
#include "gdl/nn.h"
#include "test.h"

typedef struct {
    int64_t N, V;
    int64_t *row; // (N + 1)
    int32_t *col; // (nnz)
    float *val;   // (nnz)
} batch_t;

/* About density * V calls per sample, in ascending column order except for every fifth sample
 * (shuffled, with one column repeated; with sorted, its calls are then put in column order, the
 * repeat after the first, as a genotype feed gives them); every seventh sample has none. */
static batch_t random_batch(int64_t N, int64_t V, double density, uint64_t seed, int sorted)
{
    gdl_rng_t r;
    gdl_rng_init(&r, seed, 1);
    int64_t cap = N * (V + 1);
    batch_t b = {N, V, malloc(sizeof(int64_t) * (size_t)(N + 1)), malloc(sizeof(int32_t) * (size_t)cap),
                 malloc(sizeof(float) * (size_t)cap)};
    int64_t k = 0;
    b.row[0] = 0;
    for (int64_t i = 0; i < N; i++) {
        int64_t k0 = k;
        for (int64_t v = 0; v < V && i % 7 != 3; v++) {
            if (gdl_rng_uniform(&r) >= density) continue;
            double u = gdl_rng_uniform(&r);
            b.col[k] = (int32_t)v;
            b.val[k++] = u < 0.8 ? 1.0f : u < 0.9 ? 2.0f : (float)(gdl_rng_uniform(&r) * 2 - 0.5);
        }
        if (i % 5 == 1 && k > k0) {
            b.col[k] = b.col[k0 + (int64_t)gdl_rng_below(&r, (uint64_t)(k - k0))]; // a repeat
            b.val[k++] = 0.25f;
            for (int64_t q = k - 1; q > k0; q--) { // shuffle the sample's calls
                int64_t p = k0 + (int64_t)gdl_rng_below(&r, (uint64_t)(q - k0 + 1));
                int32_t c = b.col[q];
                float x = b.val[q];
                b.col[q] = b.col[p], b.val[q] = b.val[p], b.col[p] = c, b.val[p] = x;
            }
            for (int64_t q = k0 + 1; sorted && q < k; q++) // insertion sort: stable
                for (int64_t p = q; p > k0 && b.col[p - 1] > b.col[p]; p--) {
                    int32_t c = b.col[p];
                    float x = b.val[p];
                    b.col[p] = b.col[p - 1], b.val[p] = b.val[p - 1], b.col[p - 1] = c, b.val[p - 1] = x;
                }
        }
        b.row[i + 1] = k;
    }
    return b;
}

static void batch_free(batch_t *b) { free(b->row), free(b->col), free(b->val); }

static void fill(float *x, int64_t n, uint64_t seed)
{
    gdl_rng_t r;
    gdl_rng_init(&r, seed, 2);
    for (int64_t i = 0; i < n; i++) x[i] = (float)(gdl_rng_uniform(&r) * 2 - 1);
}

/* y = b, then each sample's calls by ascending column, a repeated column's calls in CSR order */
static void forward_reference(const batch_t *b, const float *W, const float *bias, int64_t U, float *y)
{
    for (int64_t i = 0; i < b->N; i++) {
        float *yi = y + i * U;
        for (int64_t u = 0; u < U; u++) yi[u] = bias[u];
        int64_t k0 = b->row[i], n = b->row[i + 1] - k0;
        int64_t *order = malloc(sizeof(int64_t) * (size_t)(n ? n : 1));
        for (int64_t q = 0; q < n; q++) order[q] = k0 + q;
        for (int64_t q = 1; q < n; q++) // insertion sort: stable
            for (int64_t p = q; p > 0 && b->col[order[p - 1]] > b->col[order[p]]; p--) {
                int64_t t = order[p];
                order[p] = order[p - 1], order[p - 1] = t;
            }
        for (int64_t q = 0; q < n; q++) {
            const float *w = W + (int64_t)b->col[order[q]] * U;
            float v = b->val[order[q]];
            for (int64_t u = 0; u < U; u++) yi[u] += v * w[u];
        }
        free(order);
    }
}

/* dW += each sample's terms, samples in order, a sample's calls in CSR order */
static void weight_grad_reference(const batch_t *b, const float *dy, int64_t U, float *dW)
{
    for (int64_t i = 0; i < b->N; i++)
        for (int64_t k = b->row[i]; k < b->row[i + 1]; k++)
            for (int64_t u = 0; u < U; u++) dW[(int64_t)b->col[k] * U + u] += b->val[k] * dy[i * U + u];
}

static gdl_nn_t *layer(int64_t V, int64_t U, uint64_t seed)
{
    char attrs[32];
    snprintf(attrs, sizeof attrs, "units=%lld", (long long)U);
    gdl_nn_t *g = gdl_nn_new(seed);
    CHECK(gdl_nn_input_sparse(g, "x", V) == 0);
    CHECK(gdl_nn_add(g, "h", "sparse_dense", "x", attrs) == 1);
    CHECK(gdl_nn_compile(g) == 0);
    fill(gdl_nn_param_data(g, gdl_nn_find_param(g, "h.bias")), U, seed + 1); // not just zeros
    return g;
}

static const struct {
    int64_t N, V, U;
    double density;
} cases[] = {
    {1, 1, 1, 1.0},    {5, 37, 3, 0.3},     {64, 300, 16, 0.05},  {64, 2100, 70, 0.02},
    {130, 90, 130, 0.1}, {512, 2100, 1, 0.02}, {600, 2100, 70, 0.02}, {700, 4500, 130, 0.01},
    {520, 50, 64, 0.2},  {64, 300, 17, 0.05}, {40, 500, 1, 0.3},
};

/* Every path of the forward pass: by column (training, or unsorted rows), by sample (inference
 * of a small batch with sorted rows) and in tiles (512 samples and more). */
static void test_forward_matches_reference(void)
{
    for (size_t c = 0; c < sizeof cases / sizeof *cases; c++)
        for (int sorted = 0; sorted <= 1; sorted++) {
            int64_t N = cases[c].N, V = cases[c].V, U = cases[c].U;
            batch_t b = random_batch(N, V, cases[c].density, 10 + c, sorted);
            gdl_nn_sparse_t sp = {N, V, b.row, b.col, b.val};
            gdl_nn_t *g = layer(V, U, 20 + c);
            const float *W = gdl_nn_param_data(g, gdl_nn_find_param(g, "h.weight"));
            const float *bias = gdl_nn_param_data(g, gdl_nn_find_param(g, "h.bias"));
            float *want = malloc(sizeof(float) * (size_t)(N * U));
            forward_reference(&b, W, bias, U, want);
            for (int run = 0; run < 4; run++) {
                int threads = 1 + run % 2, train = run / 2;
                gdl_threads_set(threads);
                CHECK(gdl_nn_set_sparse(g, "x", &sp) == 0 && gdl_nn_forward(g, N, train) == 0);
                const float *y = gdl_nn_output(g, "h");
                int same = !memcmp(y, want, sizeof(float) * (size_t)(N * U));
                if (!same)
                    fprintf(stderr, "  case %zu (N %lld, V %lld, U %lld), %s rows, %d threads, train %d\n", c,
                            (long long)N, (long long)V, (long long)U, sorted ? "sorted" : "unsorted", threads, train);
                CHECK(same);
            }
            free(want);
            gdl_nn_free(g);
            batch_free(&b);
        }
    gdl_threads_set(1);
}

/* Two backward passes without zero_grad between: the first writes fresh rows, the second adds
 * to them; rows no sample calls stay zero. Then zero_grad clears everything. */
static void test_weight_grad_matches_reference(void)
{
    for (size_t c = 0; c < sizeof cases / sizeof *cases; c++) {
        int64_t N = cases[c].N, V = cases[c].V, U = cases[c].U;
        batch_t b1 = random_batch(N, V, cases[c].density, 30 + c, 0), b2 = random_batch(N, V, cases[c].density, 40 + c, 1);
        float *dy1 = malloc(sizeof(float) * (size_t)(N * U)), *dy2 = malloc(sizeof(float) * (size_t)(N * U));
        float *want = calloc((size_t)(V * U), sizeof(float));
        fill(dy1, N * U, 50 + c), fill(dy2, N * U, 60 + c);
        weight_grad_reference(&b1, dy1, U, want);
        weight_grad_reference(&b2, dy2, U, want);
        for (int run = 0; run < 4; run++) {
            // before the first zero_grad nothing lists the touched rows: narrow layers split the
            // columns of sorted rows over the threads
            int threads = 1 + run % 2, listed = run / 2;
            gdl_threads_set(threads);
            gdl_nn_t *g = layer(V, U, 70 + c);
            const gdl_nn_param_t *pw = gdl_nn_find_param(g, "h.weight");
            if (listed) gdl_nn_zero_grad(g);
            for (int pass = 0; pass < 2; pass++) {
                const batch_t *b = pass ? &b2 : &b1;
                gdl_nn_sparse_t sp = {N, V, b->row, b->col, b->val};
                CHECK(gdl_nn_set_sparse(g, "x", &sp) == 0 && gdl_nn_forward(g, N, 1) == 0);
                memcpy(gdl_nn_grad(g, "h"), pass ? dy2 : dy1, sizeof(float) * (size_t)(N * U));
                CHECK(gdl_nn_backward(g) == 0);
            }
            int same = !memcmp(g->grad + pw->offset, want, sizeof(float) * (size_t)(V * U));
            if (!same) fprintf(stderr, "  case %zu (N %lld, V %lld, U %lld), %d threads, rows listed %d\n", c,
                               (long long)N, (long long)V, (long long)U, threads, listed);
            CHECK(same);
            gdl_nn_zero_grad(g);
            for (int64_t k = 0; k < g->n_param; k++) CHECK(g->grad[k] == 0);
            gdl_nn_free(g);
        }
        free(dy1), free(dy2), free(want);
        batch_free(&b1), batch_free(&b2);
    }
    gdl_threads_set(1);
}

/* With parameter gradients off (attribution) the dosage gradient dx = dy W^T is unchanged and
 * the weight gradient is never written. */
static void test_input_gradient_without_weight_gradient(void)
{
    const int64_t N = 300, V = 2100, U = 70;
    batch_t b = random_batch(N, V, 0.02, 90, 1); // sorted and small: the forward pass goes by
                                                 // sample, and the weight gradient builds the batch by column
    float *dy = malloc(sizeof(float) * (size_t)(N * U)), *dx[2];
    fill(dy, N * U, 91);
    for (int on = 0; on <= 1; on++) {
        gdl_nn_t *g = layer(V, U, 92);
        CHECK(gdl_nn_want_input_grad(g, "x", 1) == 0);
        gdl_nn_set_param_grad(g, on);
        gdl_nn_zero_grad(g);
        gdl_nn_sparse_t sp = {N, V, b.row, b.col, b.val};
        CHECK(gdl_nn_set_sparse(g, "x", &sp) == 0 && gdl_nn_forward(g, N, 0) == 0);
        memcpy(gdl_nn_grad(g, "h"), dy, sizeof(float) * (size_t)(N * U));
        CHECK(gdl_nn_backward(g) == 0);
        dx[on] = malloc(sizeof(float) * (size_t)(N * V));
        memcpy(dx[on], gdl_nn_grad(g, "x"), sizeof(float) * (size_t)(N * V));
        int64_t nonzero = 0;
        for (int64_t k = 0; k < g->n_param; k++) nonzero += g->grad[k] != 0;
        CHECK(on ? nonzero > 0 : nonzero == 0);
        gdl_nn_free(g);
    }
    CHECK(!memcmp(dx[0], dx[1], sizeof(float) * (size_t)(N * V)));
    free(dx[0]), free(dx[1]), free(dy);
    batch_free(&b);
}

/* gdl_csr_from_dense (gdl_csr_build underneath) against a plain scan: rows with no value,
 * values in runs of 16 that are otherwise zero, at a run's first and last place and in the
 * tail past the last full run, -0 left out like 0; one builder reused at 1, 2, 3 and again 2
 * threads (parts added, then fewer used). */
static void test_csr_from_dense(void)
{
    enum { n = 23, V = 203 };
    float *x = calloc(n * V, sizeof *x);
    gdl_rng_t r;
    gdl_rng_init(&r, 77, 0);
    for (int64_t i = 0; i < n; i++)
        for (int64_t j = 0; j < V; j++) {
            if (i % 6 == 2) continue; // an empty row
            double u = gdl_rng_uniform(&r);
            if (u < 0.04 || j % 16 == 0 || j % 16 == 15 || j >= 192) x[i * V + j] = (float)(u * 4 + 0.5);
            else if (u > 0.97) x[i * V + j] = -0.0f;
            else if (u > 0.95) x[i * V + j] = -1.5f;
        }
    gdl_csr_t c = {0};
    const int threads[] = {1, 2, 3, 2};
    for (int t = 0; t < 4; t++) {
        gdl_threads_set(threads[t]);
        CHECK(gdl_csr_from_dense(&c, x + (t % 2) * V, n - 1, V) == 0); // two different batches
        int64_t k = 0;
        int same = c.row[0] == 0;
        for (int64_t i = 0; i < n - 1; i++) {
            const float *xi = x + (i + t % 2) * V;
            for (int64_t j = 0; j < V; j++)
                if (xi[j] != 0) same &= k < c.row[i + 1] && c.col[k] == j && c.val[k] == xi[j], k++;
            same &= c.row[i + 1] == k;
        }
        if (!same) fprintf(stderr, "  %d threads\n", threads[t]);
        CHECK(same && k > n * 10);
    }
    gdl_csr_free(&c);
    gdl_threads_set(1);
    free(x);
}

int main(void)
{
    gdl_log_set_level(GDL_LOG_QUIET);
    RUN(test_forward_matches_reference);
    RUN(test_weight_grad_matches_reference);
    RUN(test_input_gradient_without_weight_gradient);
    RUN(test_csr_from_dense);
    return TEST_EXIT();
}
