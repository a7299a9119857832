/* The graph: nodes by name, the parameter table and flat buffers, forward and backward. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "nn_internal.h"

gdl_nn_t *gdl_nn_new(uint64_t seed)
{
    gdl_nn_t *g = calloc(1, sizeof *g);
    if (!g) {
        gdl_log_error("out of memory");
        return NULL;
    }
    g->seed = seed;
    gdl_arena_init(&g->arena, (size_t)4 << 20);
    return g;
}

static size_t floats_bytes(int64_t n) { return sizeof(float) * (size_t)(n ? n : 1); }

void gdl_nn_free(gdl_nn_t *g)
{
    if (!g) return;
    for (int i = 0; i < g->n_nodes; i++) free(g->nodes[i].attr);
    free(g->nodes);
    free(g->table);
    gdl_big_free(g->param, floats_bytes(g->n_param)), gdl_big_free(g->grad, floats_bytes(g->n_param));
    gdl_big_free(g->state, floats_bytes(g->n_state));
    gdl_arena_free(&g->arena);
    free(g);
}

int gdl_nn_find(const gdl_nn_t *g, const char *name)
{
    for (int i = 0; i < g->n_nodes; i++)
        if (!strcmp(g->nodes[i].name, name)) return i;
    return -1;
}

int gdl_nn_node_count(const gdl_nn_t *g) { return g->n_nodes; }

const char *gdl_nn_node_name(const gdl_nn_t *g, int i)
{
    return i >= 0 && i < g->n_nodes ? g->nodes[i].name : NULL;
}

const char *gdl_nn_node_op(const gdl_nn_t *g, int i)
{
    if (i < 0 || i >= g->n_nodes) return NULL;
    if (g->nodes[i].op == GDL_NN_INPUT_OP) return g->nodes[i].sparse ? "sparse_input" : "input";
    return gdl_nn_op_name(g->nodes[i].op);
}

int64_t gdl_nn_param_count(const gdl_nn_t *g)
{
    int64_t n = 0;
    for (int i = 0; i < g->n_table; i++)
        if (!g->table[i].is_state) n += g->table[i].numel;
    return n;
}

const gdl_nn_param_t *gdl_nn_find_param(const gdl_nn_t *g, const char *name)
{
    for (int i = 0; i < g->n_table; i++)
        if (!strcmp(g->table[i].name, name)) return &g->table[i];
    return NULL;
}

int gdl_nn_shape(const gdl_nn_t *g, const char *name, int64_t *shape)
{
    int i = gdl_nn_find(g, name);
    if (i < 0) return 0;
    for (int d = 0; d < g->nodes[i].ndim; d++) shape[d] = g->nodes[i].shape[d];
    return g->nodes[i].ndim;
}

int64_t gdl_nn_size(const gdl_nn_t *g, const char *name)
{
    int i = gdl_nn_find(g, name);
    return i < 0 ? 0 : g->nodes[i].size;
}

float *gdl_nn_param_data(gdl_nn_t *g, const gdl_nn_param_t *p)
{
    if (p->mapped) return (float *)p->mapped; // read-only: never written by a forward pass
    return (p->is_state ? g->state : g->param) + p->offset;
}

float *gdl_nn_p(gdl_nn_t *g, const gdl_nn_node_t *n, int k)
{
    return gdl_nn_param_data(g, &g->table[n->param0 + k]);
}

float *gdl_nn_dp(gdl_nn_t *g, const gdl_nn_node_t *n, int k)
{
    return g->grad + g->table[n->param0 + k].offset;
}

int64_t gdl_nn_sample_floats(const gdl_nn_t *g)
{
    int64_t n = 0;
    for (int i = 0; i < g->n_nodes; i++)
        if (!(g->nodes[i].op == GDL_NN_INPUT_OP && g->nodes[i].sparse)) n += g->nodes[i].size;
    return n;
}

static gdl_nn_node_t *new_node(gdl_nn_t *g, const char *name)
{
    if (!name || !*name || strlen(name) >= sizeof g->nodes[0].name || strchr(name, ',')) {
        gdl_log_error("bad node name '%s' (1 to 63 characters, no comma)", name ? name : "");
        return NULL;
    }
    if (gdl_nn_find(g, name) >= 0) {
        gdl_log_error("node '%s' defined twice", name);
        return NULL;
    }
    if (g->compiled) {
        gdl_log_error("node '%s': the graph is already compiled", name);
        return NULL;
    }
    if (g->n_nodes == g->cap_nodes) {
        int cap = g->cap_nodes ? 2 * g->cap_nodes : 16;
        gdl_nn_node_t *p = realloc(g->nodes, sizeof *p * (size_t)cap);
        if (!p) {
            gdl_log_error("out of memory");
            return NULL;
        }
        g->nodes = p, g->cap_nodes = cap;
    }
    gdl_nn_node_t *n = &g->nodes[g->n_nodes];
    memset(n, 0, sizeof *n);
    strcpy(n->name, name);
    n->op = GDL_NN_INPUT_OP;
    n->param0 = g->n_table;
    return n;
}

int gdl_nn_input(gdl_nn_t *g, const char *name, int ndim, const int64_t *shape)
{
    if (ndim < 1 || ndim > GDL_NN_MAX_DIMS) {
        gdl_log_error("input '%s': %d dimensions per sample (1 to %d)", name, ndim, GDL_NN_MAX_DIMS);
        return -1;
    }
    gdl_nn_node_t *n = new_node(g, name);
    if (!n) return -1;
    n->ndim = ndim;
    n->size = 1;
    for (int d = 0; d < ndim; d++) {
        if (shape[d] < 1) {
            gdl_log_error("input '%s': dimension %d is %lld", name, d, (long long)shape[d]);
            return -1;
        }
        n->shape[d] = shape[d];
        n->size *= shape[d];
    }
    return g->n_nodes++;
}

int gdl_nn_input_sparse(gdl_nn_t *g, const char *name, int64_t V)
{
    int i = gdl_nn_input(g, name, 1, &V);
    if (i >= 0) g->nodes[i].sparse = 1;
    return i;
}

/* ---- attributes ---------------------------------------------------------------------------- */

static int kv_parse(gdl_kv_t *kv, const char *node, const char *s)
{
    memset(kv, 0, sizeof *kv);
    kv->node = node;
    if (!s) return 0;
    while (*s) {
        while (*s == ' ' || *s == '\t') s++;
        if (!*s) break;
        const char *end = s, *eq = NULL;
        while (*end && *end != ' ' && *end != '\t') {
            if (*end == '=' && !eq) eq = end;
            end++;
        }
        if (!eq || eq == s) {
            gdl_log_error("node '%s': attribute '%.*s' is not key=value", node, (int)(end - s), s);
            return -1;
        }
        size_t kl = (size_t)(eq - s), vl = (size_t)(end - eq - 1);
        if (kv->n == GDL_NN_MAX_ATTRS || kl >= sizeof kv->key[0] || vl >= sizeof kv->val[0]) {
            gdl_log_error("node '%s': too many or too long attributes at '%.*s'", node,
                          (int)(end - s), s);
            return -1;
        }
        memcpy(kv->key[kv->n], s, kl);
        memcpy(kv->val[kv->n], eq + 1, vl);
        for (int i = 0; i < kv->n; i++)
            if (!strcmp(kv->key[i], kv->key[kv->n])) {
                gdl_log_error("node '%s': attribute '%s' given twice", node, kv->key[i]);
                return -1;
            }
        kv->n++;
        s = end;
    }
    return 0;
}

static int kv_lookup(gdl_kv_t *kv, const char *key)
{
    for (int i = 0; i < kv->n; i++)
        if (!strcmp(kv->key[i], key)) {
            kv->used[i] = 1;
            return i;
        }
    return -1;
}

const char *gdl_kv_str(gdl_kv_t *kv, const char *key, const char *def)
{
    int i = kv_lookup(kv, key);
    return i < 0 ? def : kv->val[i];
}

int gdl_kv_int(gdl_kv_t *kv, const char *key, int64_t def, int required, int64_t *out)
{
    int i = kv_lookup(kv, key);
    if (i < 0) {
        if (required) {
            gdl_log_error("node '%s': attribute '%s' is required", kv->node, key);
            return -1;
        }
        *out = def;
        return 0;
    }
    char *end;
    errno = 0;
    long long v = strtoll(kv->val[i], &end, 10);
    if (errno || end == kv->val[i] || *end) {
        gdl_log_error("node '%s': %s=%s is not an integer", kv->node, key, kv->val[i]);
        return -1;
    }
    *out = v;
    return 0;
}

int gdl_kv_float(gdl_kv_t *kv, const char *key, double def, double *out)
{
    int i = kv_lookup(kv, key);
    if (i < 0) {
        *out = def;
        return 0;
    }
    char *end;
    double v = strtod(kv->val[i], &end);
    if (end == kv->val[i] || *end || !isfinite(v)) {
        gdl_log_error("node '%s': %s=%s is not a number", kv->node, key, kv->val[i]);
        return -1;
    }
    *out = v;
    return 0;
}

int gdl_kv_ints(gdl_kv_t *kv, const char *key, int64_t *out, int max)
{
    int i = kv_lookup(kv, key), n = 0;
    if (i < 0) {
        gdl_log_error("node '%s': attribute '%s' is required", kv->node, key);
        return -1;
    }
    const char *s = kv->val[i];
    while (*s) {
        char *end;
        long long v = strtoll(s, &end, 10);
        if (end == s || n == max || (*end && *end != ',')) {
            gdl_log_error("node '%s': %s=%s is not a list of at most %d integers", kv->node, key,
                          kv->val[i], max);
            return -1;
        }
        out[n++] = v;
        s = *end ? end + 1 : end;
    }
    if (n == 0) {
        gdl_log_error("node '%s': %s is empty", kv->node, key);
        return -1;
    }
    return n;
}

int gdl_kv_init(gdl_kv_t *kv, gdl_init_t def, gdl_init_t *out)
{
    const char *s = gdl_kv_str(kv, "init", NULL);
    if (!s) *out = def;
    else if (!strcmp(s, "glorot")) *out = GDL_INIT_GLOROT;
    else if (!strcmp(s, "he")) *out = GDL_INIT_HE;
    else {
        gdl_log_error("node '%s': init=%s (expected glorot or he)", kv->node, s);
        return -1;
    }
    return 0;
}

int gdl_nn_declare(gdl_nn_t *g, gdl_nn_node_t *n, const char *name, int ndim,
                   const int64_t *shape, gdl_init_t init, int64_t fan_in, int64_t fan_out,
                   int is_state)
{
    if (g->n_table == g->cap_table) {
        int cap = g->cap_table ? 2 * g->cap_table : 16;
        gdl_nn_param_t *p = realloc(g->table, sizeof *p * (size_t)cap);
        if (!p) {
            gdl_log_error("out of memory");
            return -1;
        }
        g->table = p, g->cap_table = cap;
    }
    gdl_nn_param_t *p = &g->table[g->n_table];
    memset(p, 0, sizeof *p);
    snprintf(p->name, sizeof p->name, "%s.%s", n->name, name);
    p->node = (int)(n - g->nodes);
    p->ndim = ndim;
    p->numel = 1;
    for (int d = 0; d < ndim; d++) p->shape[d] = shape[d], p->numel *= shape[d];
    p->init = init, p->fan_in = fan_in, p->fan_out = fan_out, p->is_state = is_state;
    n->n_param++;
    return g->n_table++;
}

int gdl_nn_add(gdl_nn_t *g, const char *name, const char *op, const char *inputs,
               const char *attrs)
{
    int op_id = gdl_nn_op_find(op ? op : "");
    if (op_id < 0) {
        gdl_log_error("node '%s': unknown op '%s'", name ? name : "", op ? op : "");
        return -1;
    }
    const gdl_nn_op_t *o = &gdl_nn_ops[op_id];
    gdl_nn_node_t *n = new_node(g, name);
    if (!n) return -1;
    n->op = op_id;
    // inputs: comma-separated names of earlier nodes
    const char *s = inputs ? inputs : "";
    while (*s) {
        const char *end = strchr(s, ',');
        size_t len = end ? (size_t)(end - s) : strlen(s);
        char buf[64];
        if (len == 0 || len >= sizeof buf || n->n_in == GDL_NN_MAX_INPUTS) {
            gdl_log_error("node '%s': bad input list '%s'", name, inputs);
            return -1;
        }
        memcpy(buf, s, len);
        buf[len] = 0;
        int j = gdl_nn_find(g, buf);
        if (j < 0) {
            gdl_log_error("node '%s': input '%s' is not an earlier node", name, buf);
            return -1;
        }
        n->in[n->n_in++] = j;
        s += len + (end != NULL);
    }
    int max_in = o->max_in < 0 ? GDL_NN_MAX_INPUTS : o->max_in;
    if (n->n_in < o->min_in || n->n_in > max_in) {
        gdl_log_error("node '%s': %s takes %d to %d inputs, got %d", name, o->name, o->min_in,
                      max_in, n->n_in);
        return -1;
    }
    for (int i = 0; i < n->n_in; i++) {
        int sparse_in = g->nodes[n->in[i]].sparse, may = i == 0 ? o->sparse_input : 0;
        if (sparse_in && may == 0) {
            char takers[256] = "";
            for (int k = 0; k < GDL_OP_COUNT; k++)
                if (gdl_nn_ops[k].sparse_input)
                    snprintf(takers + strlen(takers), sizeof takers - strlen(takers), "%s%s", *takers ? " or " : "",
                             gdl_nn_ops[k].name);
            gdl_log_error("node '%s': a sparse input feeds only %s, not %s", name, takers, o->name);
            return -1;
        }
        if (!sparse_in && may == 1) {
            gdl_log_error("node '%s': %s needs a sparse input", name, o->name);
            return -1;
        }
    }
    gdl_kv_t kv;
    if (kv_parse(&kv, name, attrs) < 0) goto fail;
    if (o->setup(g, n, &kv) < 0) goto fail;
    for (int i = 0; i < kv.n; i++)
        if (!kv.used[i]) {
            gdl_log_error("node '%s': %s has no attribute '%s'", name, o->name, kv.key[i]);
            goto fail;
        }
    n->size = 1;
    for (int d = 0; d < n->ndim; d++) {
        if (n->shape[d] < 1) {
            gdl_log_error("node '%s': %s gives an empty output (dimension %d is %lld)", name,
                          o->name, d, (long long)n->shape[d]);
            goto fail;
        }
        n->size *= n->shape[d];
    }
    return g->n_nodes++;
fail:
    free(n->attr);
    n->attr = NULL;
    g->n_table = n->param0; // drop what setup declared
    return -1;
}

/* ---- compile: flat buffers and initialisation ----------------------------------------------- */

static int64_t round16(int64_t n) { return (n + 15) / 16 * 16; } // 64-byte aligned slices

static int compile(gdl_nn_t *g, int init);

int gdl_nn_compile(gdl_nn_t *g) { return compile(g, 1); }
int gdl_nn_compile_blank(gdl_nn_t *g) { return compile(g, 0); }

static int compile(gdl_nn_t *g, int init)
{
    if (g->compiled) return 0;
    int64_t np = 0, ns = 0;
    for (int i = 0; i < g->n_table; i++) {
        gdl_nn_param_t *p = &g->table[i];
        if (p->is_state) p->offset = ns, ns += round16(p->numel);
        else p->offset = np, np += round16(p->numel);
    }
    g->n_param = np, g->n_state = ns;
    // pages of the gradient are touched by the first backward pass: never, when only predicting
    g->param = gdl_big_alloc(floats_bytes(np));
    g->grad = gdl_big_alloc(floats_bytes(np));
    g->state = gdl_big_alloc(floats_bytes(ns));
    if (!g->param || !g->grad || !g->state) return -1;
    for (int i = 0; i < g->n_table && init; i++) {
        gdl_nn_param_t *p = &g->table[i];
        float *w = gdl_nn_param_data(g, p);
        gdl_rng_t r;
        gdl_rng_init(&r, g->seed, 1000 + (uint64_t)i);
        switch (p->init) {
        case GDL_INIT_ZERO: break;
        case GDL_INIT_ONE:
            for (int64_t k = 0; k < p->numel; k++) w[k] = 1;
            break;
        case GDL_INIT_GLOROT: { // uniform(-a, a), a = sqrt(6 / (fan_in + fan_out))
            double a = sqrt(6.0 / (double)(p->fan_in + p->fan_out));
            for (int64_t k = 0; k < p->numel; k++) w[k] = (float)((2 * gdl_rng_uniform(&r) - 1) * a);
            break;
        }
        case GDL_INIT_HE: { // normal(0, sqrt(2 / fan_in))
            double sd = sqrt(2.0 / (double)p->fan_in);
            for (int64_t k = 0; k < p->numel; k++) w[k] = (float)(gdl_rng_normal(&r) * sd);
            break;
        }
        }
    }
    g->compiled = 1;
    return 0;
}

/* ---- running -------------------------------------------------------------------------------- */

static gdl_nn_node_t *input_node(gdl_nn_t *g, const char *name)
{
    int i = gdl_nn_find(g, name);
    if (i < 0 || g->nodes[i].op != GDL_NN_INPUT_OP) {
        gdl_log_error("'%s' is not an input of the model", name);
        return NULL;
    }
    return &g->nodes[i];
}

int gdl_nn_set_input(gdl_nn_t *g, const char *name, const float *x)
{
    gdl_nn_node_t *n = input_node(g, name);
    if (!n) return -1;
    if (n->sparse) {
        gdl_log_error("input '%s' is sparse: use gdl_nn_set_sparse", name);
        return -1;
    }
    n->ext = x;
    return 0;
}

int gdl_nn_set_sparse(gdl_nn_t *g, const char *name, const gdl_nn_sparse_t *x)
{
    gdl_nn_node_t *n = input_node(g, name);
    if (!n) return -1;
    if (!n->sparse) {
        gdl_log_error("input '%s' is dense: use gdl_nn_set_input", name);
        return -1;
    }
    if (x->n_cols != n->shape[0]) {
        gdl_log_error("input '%s': sparse batch has %lld columns, the model %lld", name,
                      (long long)x->n_cols, (long long)n->shape[0]);
        return -1;
    }
    n->sp = x;
    return 0;
}

int gdl_nn_want_input_grad(gdl_nn_t *g, const char *name, int on)
{
    gdl_nn_node_t *n = input_node(g, name);
    if (!n) return -1;
    n->want_grad = on;
    return 0;
}

/* The node whose buffer node i's forward fills: the last node of its fused chain, or i. */
static int output_node(const gdl_nn_t *g, int i)
{
    const gdl_nn_node_t *n = &g->nodes[i];
    const gdl_nn_op_t *o = n->op >= 0 ? &gdl_nn_ops[n->op] : NULL;
    int tail = o && o->fused_tail ? o->fused_tail(n) : -1;
    return tail >= 0 ? tail : i;
}

int gdl_nn_is_view(const gdl_nn_node_t *n, int train)
{
    return n->op >= 0 && gdl_nn_ops[n->op].view && gdl_nn_ops[n->op].view(n, train);
}

/* One pass over a sparse batch's columns, vectorised: how often a column is below the one
 * before it, and *bad set when one is outside [0, V). */
GDL_NN_HOT static int64_t sparse_descents(const int32_t *col, int64_t nnz, uint32_t V, int *bad)
{
    int64_t descents = 0;
    uint32_t out = nnz > 0 && (uint32_t)col[0] >= V;
    for (int64_t k = 1; k < nnz; k++) out |= (uint32_t)col[k] >= V, descents += col[k] < col[k - 1];
    *bad = out != 0;
    return descents;
}

static int set_input(gdl_nn_node_t *n, int64_t N)
{
    if (n->sparse) {
        if (!n->sp || n->sp->n_rows != N) {
            gdl_log_error("input '%s': no sparse batch of %lld rows set", n->name, (long long)N);
            return -1;
        }
        const int32_t *col = n->sp->col;
        const int64_t *row = n->sp->row;
        uint32_t V = (uint32_t)n->shape[0];
        int bad = 0;
        int64_t descents = sparse_descents(col, row[N], V, &bad);
        for (int64_t r = 1; r < N; r++) // descents between rows do not count (each once: empty rows skipped)
            descents -= row[r] > row[0] && row[r] < row[r + 1] && col[row[r]] < col[row[r] - 1];
        for (int64_t r = 0; bad && r < N; r++)
            for (int64_t k = n->sp->row[r]; k < n->sp->row[r + 1]; k++)
                if ((uint32_t)col[k] >= V) {
                    gdl_log_error("input '%s': row %lld has column %d of %lld", n->name,
                                  (long long)r, col[k], (long long)n->shape[0]);
                    return -1;
                }
        n->sp_sorted = descents == 0;
        n->out = NULL;
        return 0;
    }
    if (!n->ext) {
        gdl_log_error("input '%s' was not set", n->name);
        return -1;
    }
    n->out = (float *)n->ext; // read-only by convention: ops never write inputs
    return 0;
}

/* keep >= 0: inference (gdl_nn_infer), buffers reused, only node keep's output kept */
static int run_forward(gdl_nn_t *g, int64_t N, int train, int keep)
{
    if (!g->compiled && gdl_nn_compile(g) < 0) return -1;
    if (N < 1) {
        gdl_log_error("batch size %lld", (long long)N);
        return -1;
    }
    gdl_arena_reset(&g->arena);
    g->N = N, g->train = train, g->infer = keep >= 0, g->failed = 0, g->backward_done = 0;
    gdl_nn_infer_t *plan = keep >= 0 ? gdl_nn_infer_begin(g) : NULL;
    if (keep >= 0 && !plan) return -1;
    for (int i = 0; i < g->n_nodes; i++) g->nodes[i].out = NULL, g->nodes[i].dout = NULL, g->nodes[i].saved = NULL;
    for (int i = 0; i < g->n_nodes; i++) {
        gdl_nn_node_t *n = &g->nodes[i];
        if (n->op == GDL_NN_INPUT_OP) {
            if (set_input(n, N) < 0) return -1;
            continue;
        }
        if (n->fused) continue; // its convolution computed it
        int dst = output_node(g, i), view;
        if (plan) {
            if ((view = gdl_nn_infer_output(g, plan, i, dst, keep)) < 0) return -1;
        } else if ((view = gdl_nn_is_view(n, train))) {
            n->out = gdl_nn_in(g, n, 0)->out;
        } else if (!(g->nodes[dst].out = gdl_nn_scratch(g, N * g->nodes[dst].size))) {
            return -1;
        }
        if (!view && gdl_nn_ops[n->op].forward(g, n, train) < 0) return -1;
        if (plan) gdl_nn_infer_release(g, plan, i);
    }
    return 0;
}

int gdl_nn_forward(gdl_nn_t *g, int64_t N, int train) { return run_forward(g, N, train, -1); }

int gdl_nn_infer(gdl_nn_t *g, int64_t N, const char *keep)
{
    int k = gdl_nn_find(g, keep);
    if (k < 0) {
        gdl_log_error("no node '%s'", keep);
        return -1;
    }
    if (g->nodes[k].fused || output_node(g, k) != k) {
        gdl_log_error("node '%s' is fused with its neighbours: its values are not kept", keep);
        return -1;
    }
    return run_forward(g, N, 0, k);
}

int gdl_nn_sole_reader(const gdl_nn_t *g, int i)
{
    int who = -1;
    for (int k = i + 1; k < g->n_nodes; k++)
        for (int m = 0; m < g->nodes[k].n_in; m++)
            if (g->nodes[k].in[m] == i) {
                if (who >= 0) return -1;
                who = k;
            }
    return who;
}

void gdl_nn_set_param_grad(gdl_nn_t *g, int on) { g->no_param_grad = !on; }

void gdl_nn_set_fusion(gdl_nn_t *g, int on)
{
    g->fusion = on != 0;
    for (int i = 0; i < g->n_nodes; i++) g->nodes[i].fused = 0;
    for (int i = 0; i < g->n_nodes; i++) {
        gdl_nn_node_t *n = &g->nodes[i];
        if (n->op >= 0 && gdl_nn_ops[n->op].plan_fusion) gdl_nn_ops[n->op].plan_fusion(g, n, on);
    }
}

float *gdl_nn_output(gdl_nn_t *g, const char *name)
{
    int i = gdl_nn_find(g, name);
    if (i < 0 || !g->N) {
        gdl_log_error("no output '%s'", name);
        return NULL;
    }
    if (!g->nodes[i].out && g->nodes[i].op != GDL_NN_INPUT_OP)
        gdl_log_error("node '%s': its values are not kept (fused into its convolution, or "
                      "reused by inference)", name);
    return g->nodes[i].out;
}

static float *node_grad(gdl_nn_t *g, gdl_nn_node_t *n)
{
    if (!n->dout) n->dout = gdl_nn_scratch0(g, g->N * n->size);
    return n->dout;
}

float *gdl_nn_grad(gdl_nn_t *g, const char *name)
{
    int i = gdl_nn_find(g, name);
    if (i < 0 || !g->N) {
        gdl_log_error("no node '%s' or no forward pass yet", name);
        return NULL;
    }
    if (g->nodes[i].fused) {
        gdl_log_error("node '%s' is fused into its convolution: no gradient of its own", name);
        return NULL;
    }
    return node_grad(g, &g->nodes[i]);
}

void gdl_nn_zero_grad(gdl_nn_t *g)
{
    if (!g->grad) return;
    if (!g->compiled) {
        memset(g->grad, 0, sizeof(float) * (size_t)g->n_param);
        return;
    }
    // parameter by parameter, so an op with its own zero_grad (sparse_dense: only the rows with
    // gradient) clears its first parameter itself
    for (int i = 0; i < g->n_table; i++) {
        const gdl_nn_param_t *p = &g->table[i];
        gdl_nn_node_t *n = &g->nodes[p->node];
        if (p->is_state) continue;
        if (i == n->param0 && gdl_nn_ops[n->op].zero_grad) gdl_nn_ops[n->op].zero_grad(g, n);
        else memset(g->grad + p->offset, 0, sizeof(float) * (size_t)p->numel);
    }
}

float *gdl_nn_backward_node(gdl_nn_t *g, const char *name)
{
    int i = gdl_nn_find(g, name);
    if (i < 0 || !g->N) {
        gdl_log_error("no node '%s' or no forward pass yet", name);
        return NULL;
    }
    gdl_nn_node_t *n = &g->nodes[i];
    if (g->infer || g->fusion) {
        gdl_log_error("node '%s': no per-node backward after inference or with fusion on", name);
        return NULL;
    }
    if (n->op == GDL_NN_INPUT_OP || gdl_nn_ops[n->op].nondiff_input || !n->dout) {
        gdl_log_error("node '%s': no gradient to pass back to its input", name);
        return NULL;
    }
    gdl_nn_node_t *in = &g->nodes[n->in[0]];
    float *din = node_grad(g, in);
    if (!din) return NULL;
    memset(din, 0, sizeof(float) * (size_t)(g->N * in->size));
    g->backward_done = 1;
    gdl_nn_ops[n->op].backward(g, n);
    if (g->failed) {
        gdl_log_error("out of memory in the backward pass");
        return NULL;
    }
    return din;
}

/* Which nodes need a gradient: those with parameters upstream or a wanted input upstream. */
static int needs_grad(gdl_nn_t *g, int i, char *memo)
{
    if (memo[i]) return memo[i] - 1;
    gdl_nn_node_t *n = &g->nodes[i];
    int need = n->op == GDL_NN_INPUT_OP ? n->want_grad : 0;
    for (int k = 0; k < n->n_param && !need; k++) need = !g->table[n->param0 + k].is_state;
    for (int k = 0; k < n->n_in && !need; k++) need = needs_grad(g, n->in[k], memo);
    memo[i] = (char)(need + 1);
    return need;
}

int gdl_nn_backward(gdl_nn_t *g)
{
    if (!g->N || g->backward_done || g->infer) {
        gdl_log_error(!g->N ? "backward before forward" : g->infer ? "backward after an inference pass"
                                                               : "backward called twice for one forward pass");
        return -1;
    }
    g->backward_done = 1;
    char *memo = calloc((size_t)g->n_nodes, 1);
    if (!memo) {
        gdl_log_error("out of memory");
        return -1;
    }
    for (int i = 0; i < g->n_nodes; i++) needs_grad(g, i, memo);
    int rc = 0;
    for (int i = g->n_nodes - 1; i >= 0; i--) {
        gdl_nn_node_t *n = &g->nodes[i];
        if (n->op == GDL_NN_INPUT_OP || n->fused || !g->nodes[output_node(g, i)].dout || memo[i] != 2)
            continue;
        for (int k = 0; k < n->n_in; k++) {
            gdl_nn_node_t *in = &g->nodes[n->in[k]];
            if (k == 0 && gdl_nn_ops[n->op].nondiff_input) continue;
            if (memo[n->in[k]] == 2 && !node_grad(g, in)) {
                rc = -1;
                goto done;
            }
        }
        gdl_nn_ops[n->op].backward(g, n);
    }
    if (g->failed) {
        gdl_log_error("out of memory in the backward pass");
        rc = -1;
    }
done:
    free(memo);
    return rc;
}
