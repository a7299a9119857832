/* Finite-difference gradient checks for every op in the op table. Each case builds a one-op
 * graph (inputs in0, in1, ... -> node "y"), takes L = sum_k r_k y_k with fixed random r, and
 * compares backward's d L / d parameter and d L / d input with central differences
 * (L evaluated in double, step 1e-2 and 5e-3 combined by Richardson extrapolation so the
 * curvature term cancels). An op in the table without a case here fails the suite. */
#include <stdlib.h>
#include <string.h>

#include "gdl/nn.h"
#include "test.h"

typedef struct {
    const char *op;
    const char *inputs; // per-sample shapes "C,L;C,L"; "codes:VOCAB:L"; "sparse:V"; "onehot:L" (4, L)
    const char *attrs;
    int N, train;
    int spread;         // inputs from a shuffled grid of spacing 0.05, away from kinks and ties
    double tol;         // relative tolerance, floor 0.1 (0: 2e-3; float32 noise is ~5e-4)
} gc_case_t;

static const gc_case_t cases[] = {
    {"dense", "7", "units=5", 3, 0, 0, 0},
    {"dense", "2,3", "units=4 bias=0", 2, 0, 0, 0},
    {"dense", "9", "units=3 center=1", 3, 0, 0, 0},
    {"sparse_dense", "sparse:12", "units=4", 4, 0, 0, 0},
    {"sparse_dense", "sparse:12", "units=4 center=1", 4, 0, 0, 0},  // calls as x - mu (state)
    {"sparse_dense", "sparse:40", "units=20 center=1 bias=0", 5, 1, 0, 0},
    {"gene_dense", "7", "groups=3 links=8 units_per_gene=2", 3, 0, 0, 0}, // maps in gene_maps
    {"gene_dense", "sparse:9", "groups=2 links=4 bias=0", 4, 0, 0, 0},
    {"gene_dense", "5", "groups=1 links=2 units_per_gene=3", 2, 0, 0, 0},
    {"relu", "3,5", NULL, 2, 0, 1, 0},
    {"leaky_relu", "3,5", "alpha=0.2", 2, 0, 1, 0},
    {"sigmoid", "3,5", NULL, 2, 0, 0, 0},
    {"tanh", "3,5", NULL, 2, 0, 0, 0},
    {"gelu", "3,5", NULL, 2, 0, 0, 0},
    {"softmax", "4,3", NULL, 2, 0, 0, 0},
    {"softmax", "6", NULL, 3, 0, 0, 0},
    {"concat", "2,5;3,5", NULL, 2, 0, 0, 0},
    {"concat", "2,3;2,4", "axis=1", 2, 0, 0, 0},
    {"add", "3,4;3,4;3,4", NULL, 2, 0, 0, 0},
    {"flatten", "3,4", NULL, 2, 0, 0, 0},
    {"reshape", "12", "shape=3,-1", 2, 0, 0, 0},
    {"transpose", "3,5", NULL, 2, 0, 0, 0},
    {"dropout", "4,6", "rate=0.3", 2, 1, 0, 0},
    {"embedding", "codes:5:7", "vocab=5 dim=3", 2, 0, 0, 0},
    {"conv1d", "3,11", "filters=4 width=3", 2, 0, 0, 0},
    {"conv1d", "2,12", "filters=3 width=3 dilation=2 padding=same", 2, 0, 0, 0},
    {"conv1d", "2,13", "filters=3 width=4 stride=2 padding=same bias=0", 2, 0, 0, 0},
    {"maxpool1d", "3,10", "size=3", 2, 0, 1, 0},
    {"maxpool1d", "2,9", "size=3 stride=2", 2, 0, 1, 0},
    {"avgpool1d", "3,10", "size=2 stride=3", 2, 0, 0, 0},
    {"global_maxpool", "3,7", NULL, 2, 0, 1, 0},
    {"global_avgpool", "3,7", NULL, 2, 0, 0, 0},
    {"batchnorm", "3,5", NULL, 4, 1, 0, 0},
    {"batchnorm", "4", NULL, 5, 1, 0, 0},
    {"batchnorm", "3,5", NULL, 2, 0, 0, 0},
    {"layernorm", "4,5", NULL, 2, 0, 0, 0},
    {"layernorm", "6", NULL, 3, 0, 0, 0},
    {"rnn", "3,5", "units=4", 2, 0, 0, 0},
    {"rnn", "2,4", "units=3 bidirectional=1 return_sequences=1", 2, 0, 0, 0},
    {"lstm", "3,5", "units=4", 2, 0, 0, 0},
    {"lstm", "2,4", "units=3 bidirectional=1 return_sequences=1", 3, 0, 0, 0},
    {"lstm", "2,4", "units=3 bidirectional=1", 2, 0, 0, 0},
    {"gru", "3,5", "units=4", 2, 0, 0, 0},
    {"gru", "2,4", "units=3 bidirectional=1 return_sequences=1", 3, 0, 0, 0},
    {"attention", "4,5", "heads=2", 2, 0, 0, 0},
    {"attention", "3,4", NULL, 2, 0, 0, 0},
    {"posenc", "4,6", NULL, 2, 0, 0, 0},
    {"kmer", "onehot:9", "k=2 units=3", 3, 0, 0, 0},             // k-mer counts, repeats included
    {"kmer", "onehot:10", "k=2 units=2 context=centre", 4, 0, 0, 0},
};
#define N_CASES ((int)(sizeof cases / sizeof cases[0]))

/* gene_dense cases' maps, by their attributes: each group's variants, groups split by ';' */
static const struct {
    const char *attrs, *map;
} gene_maps[] = {
    {"groups=3 links=8 units_per_gene=2", "0,2,5;1,2;3,4,6"}, // variant 2 in two genes
    {"groups=2 links=4 bias=0", "0,3,8;3"},                   // 1, 2, 4-7 in none; 3 in both
    {"groups=1 links=2 units_per_gene=3", "1,4"},
};

/* L = sum r y in double */
static double eval_loss(gdl_nn_t *g, const float *r, int64_t m)
{
    if (gdl_nn_forward(g, g->N, g->train) < 0) return NAN;
    const float *y = gdl_nn_output(g, "y");
    double s = 0;
    for (int64_t k = 0; k < m; k++) s += (double)r[k] * y[k];
    return s;
}

/* Compares analytic and numeric derivatives at up to 40 positions of x (n values). */
static int check_values(gdl_nn_t *g, float *x, const float *analytic, int64_t n, const float *r,
                        int64_t m, gdl_rng_t *rng, double tol, const char *what, const char *label)
{
    const float eps = 1e-2f;
    int bad = 0;
    int64_t count = n < 40 ? n : 40;
    for (int64_t t = 0; t < count && !bad; t++) {
        int64_t k = n <= 40 ? t : (int64_t)gdl_rng_below(rng, (uint64_t)n);
        float keep = x[k];
        double d[2]; // central differences at eps and eps/2, combined by Richardson extrapolation
        for (int h = 0; h < 2; h++) {
            float e = h ? eps / 2 : eps;
            x[k] = keep + e;
            double lp = eval_loss(g, r, m);
            x[k] = keep - e;
            double lm = eval_loss(g, r, m);
            d[h] = (lp - lm) / (2.0 * (double)e);
        }
        x[k] = keep;
        double num = (4 * d[1] - d[0]) / 3, an = analytic[k];
        double scale = fabs(num) > fabs(an) ? fabs(num) : fabs(an);
        if (!(fabs(num - an) <= tol * (scale > 0.1 ? scale : 0.1))) {
            fprintf(stderr, "  %s: %s[%lld]: analytic %.6g, numeric %.6g\n", label, what,
                    (long long)k, an, num);
            bad = 1;
        }
    }
    return bad;
}

/* Backward against central differences for every parameter of G and every input in0..
 * whose values xs[i] (xn[i] floats) are given; the output node is "y". With a sparse input
 * sp (values sp_val, writable), its dense gradient is checked at the calls present by
 * perturbing their dosages. 0 when all match. */
static int check_graph(gdl_nn_t *g, float **xs, const int64_t *xn, int n_in, int N, int train,
                       double tol, gdl_rng_t *rng, const char *label, const gdl_nn_sparse_t *sp,
                       float *sp_val)
{
    int bad = 0;
    g->N = N, g->train = train, g->step = 3;
    if (gdl_nn_forward(g, N, train) < 0) {
        fprintf(stderr, "  %s: forward failed: %s\n", label, gdl_last_error());
        return 1;
    }
    int64_t m = N * gdl_nn_size(g, "y");
    float *r = malloc(sizeof(float) * (size_t)m);
    for (int64_t k = 0; k < m; k++) r[k] = (float)(gdl_rng_uniform(rng) * 2 - 1);
    gdl_nn_zero_grad(g);
    memcpy(gdl_nn_grad(g, "y"), r, sizeof(float) * (size_t)m);
    CHECK(gdl_nn_backward(g) == 0);
    float *dparam = malloc(sizeof(float) * (size_t)(g->n_param ? g->n_param : 1));
    memcpy(dparam, g->grad, sizeof(float) * (size_t)g->n_param);
    float *dx[GDL_NN_MAX_INPUTS] = {0};
    for (int i = 0; i < n_in && xs; i++) {
        char nm[8];
        snprintf(nm, sizeof nm, "in%d", i);
        dx[i] = malloc(sizeof(float) * (size_t)xn[i]);
        memcpy(dx[i], gdl_nn_grad(g, nm), sizeof(float) * (size_t)xn[i]);
    }
    float *dsp = NULL; // analytic d L / d val[k] = dense gradient at (row, col[k])
    if (sp) {
        int64_t nnz = sp->row[sp->n_rows];
        const float *dx0 = gdl_nn_grad(g, "in0");
        dsp = malloc(sizeof(float) * (size_t)(nnz ? nnz : 1));
        for (int64_t i = 0; i < sp->n_rows; i++)
            for (int64_t k = sp->row[i]; k < sp->row[i + 1]; k++) dsp[k] = dx0[i * sp->n_cols + sp->col[k]];
        bad |= check_values(g, sp_val, dsp, nnz, r, m, rng, tol, "in0 (sparse)", label);
    }
    // numeric, parameter by parameter (named in the message), then each input
    for (int p = 0; p < g->n_table && !bad; p++) {
        const gdl_nn_param_t *t = &g->table[p];
        if (t->is_state) continue;
        bad |= check_values(g, g->param + t->offset, dparam + t->offset, t->numel, r, m, rng, tol,
                            t->name, label);
    }
    for (int i = 0; i < n_in && dx[i] && !bad; i++) {
        char nm[8];
        snprintf(nm, sizeof nm, "in%d", i);
        bad |= check_values(g, xs[i], dx[i], xn[i], r, m, rng, tol, nm, label);
    }
    for (int i = 0; i < n_in; i++) free(dx[i]);
    free(dsp);
    free(dparam);
    free(r);
    return bad;
}

static int parse_shape(const char *s, int64_t *shape)
{
    int nd = 0;
    while (*s && *s != ';') {
        char *end;
        shape[nd++] = strtoll(s, &end, 10);
        s = *end == ',' ? end + 1 : end;
    }
    return nd;
}

/* gene_dense's map from gene_maps; 0 or -1. */
static int set_gene_map(gdl_nn_t *g, const char *attrs)
{
    const char *map = NULL;
    for (size_t i = 0; i < sizeof gene_maps / sizeof gene_maps[0]; i++)
        if (!strcmp(gene_maps[i].attrs, attrs)) map = gene_maps[i].map;
    if (!map) return -1;
    int64_t start[16] = {0}, variant[64], G = 0, E = 0;
    for (const char *s = map; *s;) {
        char *end;
        variant[E++] = strtoll(s, &end, 10);
        if (*end == ';' || !*end) start[++G] = E;
        s = *end ? end + 1 : end;
    }
    return gdl_nn_gene_map_set(g, "y", start, variant);
}

/* Runs one case; returns 0 when every derivative matches. */
static int run_case(const gc_case_t *c, int index)
{
    char label[128];
    snprintf(label, sizeof label, "case %d (%s %s)", index, c->op, c->attrs ? c->attrs : "");
    gdl_nn_t *g = gdl_nn_new(7 + (uint64_t)index);
    gdl_rng_t rng;
    gdl_rng_init(&rng, 99, (uint64_t)index);
    int n_in = 0, bad = 0;
    char names[GDL_NN_MAX_INPUTS * 8] = "";
    float *xs[GDL_NN_MAX_INPUTS] = {0};
    int64_t xn[GDL_NN_MAX_INPUTS] = {0};
    int64_t *row = NULL;
    int32_t *col = NULL;
    float *val = NULL;
    gdl_nn_sparse_t sp;
    int sparse = !strncmp(c->inputs, "sparse:", 7), codes = !strncmp(c->inputs, "codes:", 6);
    int onehot = !strncmp(c->inputs, "onehot:", 7);
    if (sparse) {
        int64_t V = atoll(c->inputs + 7);
        CHECK(gdl_nn_input_sparse(g, "in0", V) == 0);
        row = malloc(sizeof *row * (size_t)(c->N + 1));
        col = malloc(sizeof *col * (size_t)(c->N * V));
        val = malloc(sizeof *val * (size_t)(c->N * V));
        row[0] = 0;
        for (int i = 0; i < c->N; i++) {
            row[i + 1] = row[i];
            for (int64_t v = 0; v < V; v++) {
                uint64_t d = gdl_rng_below(&rng, 4); // dosage 0 twice as likely as 1 or 2
                if (d >= 2) col[row[i + 1]] = (int32_t)v, val[row[i + 1]++] = (float)(d - 1);
            }
        }
        sp = (gdl_nn_sparse_t){c->N, V, row, col, val};
        strcpy(names, "in0");
        n_in = 1;
    } else if (onehot) { // one base a position (C twice as likely as A, G, T), 1 in 6 an N (all zero)
        int64_t L = atoll(c->inputs + 7), shape[2] = {4, L};
        CHECK(gdl_nn_input(g, "in0", 2, shape) == 0);
        xn[0] = c->N * 4 * L;
        xs[0] = calloc((size_t)xn[0], sizeof(float));
        for (int i = 0; i < c->N; i++)
            for (int64_t l = 0; l < L; l++) {
                uint64_t b = gdl_rng_below(&rng, 6);
                if (b < 2) xs[0][(i * 4 + (int64_t)b) * L + l] = 1;
                else if (b < 5) xs[0][(i * 4 + (int64_t)b - 1) * L + l] = 1;
            }
        strcpy(names, "in0");
        n_in = 1;
    } else if (codes) {
        int vocab = atoi(c->inputs + 6);
        int64_t L = atoll(strchr(c->inputs + 6, ':') + 1);
        CHECK(gdl_nn_input(g, "in0", 1, &L) == 0);
        xn[0] = c->N * L;
        xs[0] = malloc(sizeof(float) * (size_t)xn[0]);
        for (int64_t k = 0; k < xn[0]; k++) xs[0][k] = (float)gdl_rng_below(&rng, (uint64_t)vocab);
        strcpy(names, "in0");
        n_in = 1;
    } else {
        const char *s = c->inputs;
        for (; *s; n_in++) {
            int64_t shape[3];
            int nd = parse_shape(s, shape);
            char nm[8];
            snprintf(nm, sizeof nm, "in%d", n_in);
            CHECK(gdl_nn_input(g, nm, nd, shape) == n_in);
            xn[n_in] = c->N;
            for (int d = 0; d < nd; d++) xn[n_in] *= shape[d];
            xs[n_in] = malloc(sizeof(float) * (size_t)xn[n_in]);
            if (c->spread) {
                int64_t *perm = malloc(sizeof *perm * (size_t)xn[n_in]);
                for (int64_t k = 0; k < xn[n_in]; k++) perm[k] = k;
                gdl_rng_shuffle(&rng, perm, xn[n_in]);
                for (int64_t k = 0; k < xn[n_in]; k++)
                    xs[n_in][k] = (float)((double)(perm[k] - xn[n_in] / 2) * 0.05 + 0.025);
                free(perm);
            } else {
                for (int64_t k = 0; k < xn[n_in]; k++) xs[n_in][k] = (float)(gdl_rng_uniform(&rng) * 2 - 1);
            }
            if (n_in) strcat(names, ",");
            strcat(names, nm);
            s = strchr(s, ';') ? strchr(s, ';') + 1 : s + strlen(s);
        }
    }
    if (gdl_nn_add(g, "y", c->op, names, c->attrs) < 0 || gdl_nn_compile(g) < 0) {
        fprintf(stderr, "  %s: build failed: %s\n", label, gdl_last_error());
        bad = 1;
        goto done;
    }
    // non-trivial parameters: a batch norm starts at gamma 1, beta 0; perturb everything
    for (int64_t k = 0; k < g->n_param; k++) g->param[k] += (float)(gdl_rng_uniform(&rng) * 0.4 - 0.2);
    for (int64_t k = 0; k < g->n_state; k++) g->state[k] = (float)(0.5 + gdl_rng_uniform(&rng)); // var > 0
    if (!strcmp(c->op, "gene_dense")) CHECK(set_gene_map(g, c->attrs) == 0);
    for (int i = 0; i < n_in; i++) {
        char nm[8];
        snprintf(nm, sizeof nm, "in%d", i);
        if (sparse) CHECK(gdl_nn_set_sparse(g, nm, &sp) == 0);
        else CHECK(gdl_nn_set_input(g, nm, xs[i]) == 0);
        if (!codes && !onehot) gdl_nn_want_input_grad(g, nm, 1);
    }
    bad = check_graph(g, sparse || codes || onehot ? NULL : xs, xn, n_in, c->N, c->train,
                      c->tol > 0 ? c->tol : 2e-3, &rng, label, sparse ? &sp : NULL, val);
done:
    for (int i = 0; i < n_in; i++) free(xs[i]);
    free(row), free(col), free(val);
    gdl_nn_free(g);
    return bad;
}

static void test_every_op_has_a_gradcheck(void)
{
    for (int op = 0; op < gdl_nn_op_count(); op++) {
        const char *name = gdl_nn_op_name(op);
        int found = 0;
        CHECK(name != NULL);
        for (int i = 0; i < N_CASES && name; i++) found |= !strcmp(cases[i].op, name);
        if (!found) fprintf(stderr, "  op '%s' has no gradient check case\n", name ? name : "(null)");
        CHECK(found);
    }
    for (int i = 0; i < N_CASES; i++) CHECK(gdl_nn_op_find(cases[i].op) >= 0);
}

/* One reported case per op of the table ("PASS gradcheck_conv1d"), running all its cases. */
static void gradcheck_each_op(void)
{
    for (int op = 0; op < gdl_nn_op_count(); op++) {
        const char *name = gdl_nn_op_name(op);
        int failed = 0, ran = 0;
        for (int i = 0; i < N_CASES && name; i++)
            if (!strcmp(cases[i].op, name)) failed += run_case(&cases[i], i), ran++;
        failed += !ran; // reported by test_every_op_has_a_gradcheck too
        printf("%s gradcheck_%s\n", failed ? "FAIL" : "PASS", name ? name : "(null)");
        fflush(stdout);
        test_n_failed_ += failed != 0;
    }
}

/* A DanQ-like two-input graph: every kind of edge (branch, residual add, concat of two inputs)
 * in one backward pass. */
static void test_gradcheck_composite_graph(void)
{
    gdl_nn_t *g = gdl_nn_new(3);
    gdl_rng_t rng;
    gdl_rng_init(&rng, 5, 0);
    enum { N = 2 };
    CHECK(gdl_nn_input(g, "in0", 2, (int64_t[]){4, 12}) == 0);
    CHECK(gdl_nn_input(g, "in1", 1, (int64_t[]){3}) == 1);
    CHECK(gdl_nn_add(g, "conv", "conv1d", "in0", "filters=6 width=3 padding=same") >= 0);
    CHECK(gdl_nn_add(g, "act", "tanh", "conv", NULL) >= 0);
    CHECK(gdl_nn_add(g, "pool", "avgpool1d", "act", "size=2") >= 0);
    CHECK(gdl_nn_add(g, "rnn", "lstm", "pool", "units=3 bidirectional=1 return_sequences=1") >= 0);
    CHECK(gdl_nn_add(g, "ln", "layernorm", "rnn", NULL) >= 0);
    CHECK(gdl_nn_add(g, "pe", "posenc", "ln", NULL) >= 0);
    CHECK(gdl_nn_add(g, "att", "attention", "pe", "heads=2") >= 0);
    CHECK(gdl_nn_add(g, "res", "add", "att,rnn", NULL) >= 0);
    CHECK(gdl_nn_add(g, "gap", "global_avgpool", "res", NULL) >= 0);
    CHECK(gdl_nn_add(g, "cat", "concat", "gap,in1", NULL) >= 0);
    CHECK(gdl_nn_add(g, "y", "dense", "cat", "units=2") >= 0);
    CHECK(gdl_nn_compile(g) == 0);
    float *xs[2];
    int64_t xn[2] = {N * 48, N * 3};
    for (int i = 0; i < 2; i++) {
        xs[i] = malloc(sizeof(float) * (size_t)xn[i]);
        for (int64_t k = 0; k < xn[i]; k++) xs[i][k] = (float)(gdl_rng_uniform(&rng) * 2 - 1);
    }
    gdl_nn_set_input(g, "in0", xs[0]), gdl_nn_set_input(g, "in1", xs[1]);
    gdl_nn_want_input_grad(g, "in0", 1), gdl_nn_want_input_grad(g, "in1", 1);
    CHECK(check_graph(g, xs, xn, 2, N, 1, 2e-3, &rng, "composite", NULL, NULL) == 0);
    free(xs[0]), free(xs[1]);
    gdl_nn_free(g);
}

int main(void)
{
    gdl_log_set_level(GDL_LOG_QUIET);
    RUN(test_every_op_has_a_gradcheck);
    gradcheck_each_op();
    RUN(test_gradcheck_composite_graph);
    return TEST_EXIT();
}
