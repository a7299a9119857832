/* The k-mer layer: a table of one row per k-mer read from a one-hot sequence (4, L).
 * context=window: y = b + sum over the sample's k-mers w (every start l = 0..L-k) of W[w], a linear
 *   model of the k-mer counts; context=centre: y = b + W[w] for the one word w of the k bases each
 *   side of the window's middle (the centre-base task's context; the bases between them, if L is
 *   odd, left out). A word is its bases base 4 (A=0, C=1, G=2, T=3, first base most significant);
 *   a word holding a position that is not one base (N: all zero) is skipped, so y = b there.
 *   W (4^k rows, or 4^2k for centre; units), b (units). training.solver count fills both from
 *   counts (count_fit.c); the optimizer trains them as any layer. No gradient reaches the input. */
#include <stdint.h>
#include <stdlib.h>

#include "nn_internal.h"

typedef struct {
    int64_t k, units, n_rows;
    int centre;
    int64_t *rows; // (L) a sample's words, in the attribute's block
} kmer_attr_t;

int gdl_op_kmer_setup(gdl_nn_t *g, gdl_nn_node_t *n, gdl_kv_t *kv)
{
    int64_t k, units;
    if (gdl_kv_int(kv, "k", 0, 1, &k) < 0 || gdl_kv_int(kv, "units", 0, 1, &units) < 0) return -1;
    const char *context = gdl_kv_str(kv, "context", "window");
    gdl_nn_node_t *x = gdl_nn_in(g, n, 0);
    int centre = !strcmp(context, "centre");
    if (!centre && strcmp(context, "window")) {
        gdl_log_error("node '%s': context=%s (expected window or centre)", n->name, context);
        return -1;
    }
    if (x->ndim != 2 || x->shape[0] != 4) {
        gdl_log_error("node '%s': kmer reads a one-hot DNA sequence (4, L)", n->name);
        return -1;
    }
    int64_t L = x->shape[1], span = centre ? 2 * k : k;
    if (k < 1 || units < 1 || span > L || span > 12) {
        gdl_log_error("node '%s': kmer needs units >= 1 and 1 <= k with %s%s <= 12 and <= the length %lld",
                      n->name, centre ? "2 k" : "k", centre ? " (the context's bases)" : "", (long long)L);
        return -1;
    }
    kmer_attr_t *a = malloc(sizeof *a + (size_t)L * sizeof *a->rows);
    if (!a) return -1;
    a->rows = (int64_t *)(a + 1);
    a->k = k, a->units = units, a->centre = centre, a->n_rows = (int64_t)1 << (2 * span);
    n->attr = a;
    if (gdl_nn_declare(g, n, "weight", 2, (int64_t[]){a->n_rows, units}, GDL_INIT_ZERO, 0, 0, 0) < 0 ||
        gdl_nn_declare(g, n, "bias", 1, &units, GDL_INIT_ZERO, 0, 0, 0) < 0)
        return -1;
    n->ndim = 1, n->shape[0] = units;
    return 0;
}

/* The base at position l of a one-hot (4, L) sample, or -1 when the column is not one base. */
static int base_at(const float *x, int64_t L, int64_t l)
{
    int b = -1;
    for (int c = 0; c < 4; c++) {
        float v = x[c * L + l];
        if (v == 1 && b < 0) b = c;
        else if (v != 0) return -1;
    }
    return b;
}

static int64_t sample_rows(const gdl_nn_node_t *n, const float *x, int64_t L, int64_t *rows)
{
    const kmer_attr_t *a = n->attr;
    int64_t span = a->centre ? 2 * a->k : a->k, mask = a->n_rows - 1, count = 0, word = 0, valid = 0;
    int64_t from = a->centre ? (L - span) / 2 : 0, to = a->centre ? from + span : L;
    for (int64_t l = from; l < to; l++) {
        int b = base_at(x, L, l);
        valid = b < 0 ? 0 : valid + 1;
        word = ((word << 2) | (b < 0 ? 0 : b)) & mask;
        if (valid >= span) rows[count++] = word;
    }
    return count;
}

int gdl_nn_kmer_info(const gdl_nn_t *g, int node, gdl_nn_kmer_info_t *info)
{
    if (node < 0 || node >= g->n_nodes || g->nodes[node].op != GDL_OP_KMER) return -1;
    const gdl_nn_node_t *n = &g->nodes[node];
    const kmer_attr_t *a = n->attr;
    info->centre = a->centre, info->k = a->k;
    info->room = a->centre ? 1 : gdl_nn_in((gdl_nn_t *)g, n, 0)->shape[1] - a->k + 1;
    return 0;
}

int64_t gdl_nn_kmer_rows(const gdl_nn_t *g, int node, int64_t i, int64_t *rows)
{
    const gdl_nn_node_t *n = &g->nodes[node];
    const gdl_nn_node_t *x = gdl_nn_in((gdl_nn_t *)g, n, 0);
    return sample_rows(n, x->out + i * x->size, x->shape[1], rows);
}

int gdl_op_kmer_forward(gdl_nn_t *g, gdl_nn_node_t *n, int train)
{
    (void)train;
    const kmer_attr_t *a = n->attr;
    const gdl_nn_node_t *x = gdl_nn_in(g, n, 0);
    const float *W = gdl_nn_p(g, n, 0), *b = gdl_nn_p(g, n, 1);
    int64_t L = x->shape[1], U = a->units, *rows = a->rows;
    for (int64_t i = 0; i < g->N; i++) {
        float *y = n->out + i * U;
        memcpy(y, b, (size_t)U * sizeof *y);
        int64_t m = sample_rows(n, x->out + i * x->size, L, rows);
        for (int64_t r = 0; r < m; r++)
            for (int64_t u = 0; u < U; u++) y[u] += W[rows[r] * U + u];
    }
    return 0;
}

void gdl_op_kmer_backward(gdl_nn_t *g, gdl_nn_node_t *n)
{
    const kmer_attr_t *a = n->attr;
    const gdl_nn_node_t *x = gdl_nn_in(g, n, 0);
    float *dW = gdl_nn_dp(g, n, 0), *db = gdl_nn_dp(g, n, 1);
    int64_t L = x->shape[1], U = a->units, *rows = a->rows;
    for (int64_t i = 0; i < g->N; i++) {
        const float *dy = n->dout + i * U;
        int64_t m = sample_rows(n, x->out + i * x->size, L, rows);
        for (int64_t u = 0; u < U; u++) db[u] += dy[u];
        for (int64_t r = 0; r < m; r++)
            for (int64_t u = 0; u < U; u++) dW[rows[r] * U + u] += dy[u];
    }
}
