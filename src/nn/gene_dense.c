/* gene_dense: a gene layer (a "visible" layer, as GenNet's): each group of U units sees only
 * the variants of one gene. N batch, M variants (the input width), G groups (genes), U units
 * per group, E links (variant, group): a variant in several genes has one link, and so one row
 * of weights, per gene.
 *
 *   y[n, g U + u] = b[g, u] + sum_{e in group g} x[n, variant[e]] W[e, u]
 *
 * The map lives in two state tensors of the node, saved with the model: NODE.group_start
 * (G + 1), group g's links are [start[g], start[g + 1]), and NODE.link_variant (E), the variant
 * each link reads, ascending within a group. Both hold integers as floats (exact below 2^24).
 * They are set with gdl_nn_gene_map_set (the model build does it from the dataset catalog's
 * gene column) and checked by every forward pass, which indexes them by variant.
 *
 * Dense and sparse inputs take one path: a dense batch is first listed as its non-zero values
 * per sample (a CSR in the step arena), so the sums are the same bits either way. Every output
 * sums bias first and then its links by ascending variant (a sparse sample's calls in their CSR
 * order); threads split samples (forward, input gradient), links (weight gradient) or groups
 * (bias gradient), so no element's arithmetic depends on the split. */
#include <stdint.h>
#include <stdlib.h>

#include "nn_internal.h"

typedef struct {
    int64_t units;   // U
    int64_t groups;  // G
    int64_t links;   // E
    int bias;
    int p_weight, p_bias, p_start, p_variant; // rows of g->table
} gene_attr_t;

/* The map as ints for one step, with the links of each variant. */
typedef struct {
    int32_t *group;   // (E) group of each link
    int32_t *variant; // (E)
    int64_t *vstart;  // (M + 1): variant j's links are vlink[vstart[j]] .. vlink[vstart[j + 1] - 1]
    int32_t *vlink;   // (E) ascending
} gene_index_t;

/* The batch as non-zero values by sample (x's CSR, or one listed from a dense x) and, for the
 * weight gradient, by variant. */
typedef struct {
    gene_index_t ix;
    gdl_nn_sparse_t rows;
    const int64_t *cstart; // (M + 1) by variant, NULL until the backward pass builds it
    const int32_t *csample;
    const float *cval;
} gene_saved_t;

int gdl_op_gene_dense_setup(gdl_nn_t *g, gdl_nn_node_t *n, gdl_kv_t *kv)
{
    int64_t U, G, E, bias;
    gdl_init_t init;
    if (gdl_kv_int(kv, "units_per_gene", 1, 0, &U) < 0 || gdl_kv_int(kv, "groups", 0, 1, &G) < 0 ||
        gdl_kv_int(kv, "links", 0, 1, &E) < 0 || gdl_kv_int(kv, "bias", 1, 0, &bias) < 0 ||
        gdl_kv_init(kv, GDL_INIT_GLOROT, &init) < 0)
        return -1;
    // read by the model build, which makes the map; accepted here so a config's key is not unknown
    const char *unassigned = gdl_kv_str(kv, "unassigned", "shared");
    if (strcmp(unassigned, "shared") != 0 && strcmp(unassigned, "drop") != 0) {
        gdl_log_error("node '%s': unassigned=%s (shared or drop)", n->name, unassigned);
        return -1;
    }
    gdl_nn_node_t *x = gdl_nn_in(g, n, 0);
    if (x->ndim != 1) {
        gdl_log_error("node '%s': gene_dense reads one value per variant, its input has %d dimensions"
                      " (encode the genotypes as dosage or presence)", n->name, x->ndim);
        return -1;
    }
    if (U < 1 || G < 1 || E < 1 || E >= (1 << 24) || x->size >= (1 << 24) || G * U > INT32_MAX) {
        gdl_log_error("node '%s': units_per_gene=%lld groups=%lld links=%lld for %lld variants (each"
                      " at least 1, links and variants below 16,777,216)", n->name, (long long)U,
                      (long long)G, (long long)E, (long long)x->size);
        return -1;
    }
    gene_attr_t *a = calloc(1, sizeof *a);
    if (!a) return -1;
    n->attr = a;
    a->units = U, a->groups = G, a->links = E, a->bias = bias != 0;
    // glorot over a gene's mean number of variants (fan in) and its units (fan out)
    int64_t fan_in = E / G > 0 ? E / G : 1, wshape[2] = {E, U}, bshape[2] = {G, U}, sshape = G + 1;
    if ((a->p_weight = gdl_nn_declare(g, n, "weight", 2, wshape, init, fan_in, U, 0)) < 0) return -1;
    if (a->bias && (a->p_bias = gdl_nn_declare(g, n, "bias", 2, bshape, GDL_INIT_ZERO, 0, 0, 0)) < 0) return -1;
    if ((a->p_start = gdl_nn_declare(g, n, "group_start", 1, &sshape, GDL_INIT_ZERO, 0, 0, 1)) < 0 ||
        (a->p_variant = gdl_nn_declare(g, n, "link_variant", 1, &E, GDL_INIT_ZERO, 0, 0, 1)) < 0)
        return -1;
    n->ndim = 1, n->shape[0] = G * U;
    return 0;
}

static float *tensor(gdl_nn_t *g, int row) { return gdl_nn_param_data(g, &g->table[row]); }
static float *dtensor(gdl_nn_t *g, int row) { return g->grad + g->table[row].offset; }

/* The node's map as ints, checked; -1 with an error naming the node. */
static int gene_index(gdl_nn_t *g, const gdl_nn_node_t *n, gene_index_t *ix)
{
    const gene_attr_t *a = n->attr;
    const float *start = tensor(g, a->p_start), *var = tensor(g, a->p_variant);
    int64_t G = a->groups, E = a->links, M = gdl_nn_in(g, n, 0)->size;
    ix->group = gdl_arena_alloc(&g->arena, sizeof(int32_t) * (size_t)E);
    ix->variant = gdl_arena_alloc(&g->arena, sizeof(int32_t) * (size_t)E);
    ix->vstart = gdl_arena_alloc(&g->arena, sizeof(int64_t) * (size_t)(M + 1));
    ix->vlink = gdl_arena_alloc(&g->arena, sizeof(int32_t) * (size_t)E);
    if (!ix->group || !ix->variant || !ix->vstart || !ix->vlink) {
        gdl_log_error("out of memory");
        return -1;
    }
    if (start[0] != 0 || start[G] != (float)E) goto bad;
    memset(ix->vstart, 0, sizeof(int64_t) * (size_t)(M + 1));
    for (int64_t gr = 0; gr < G; gr++) {
        if (!(start[gr + 1] >= start[gr])) goto bad;
        for (int64_t e = (int64_t)start[gr]; e < (int64_t)start[gr + 1]; e++) {
            float v = var[e];
            if (!(v >= 0 && v < (float)M && v == (float)(int32_t)v) ||
                (e > (int64_t)start[gr] && !(v > var[e - 1])))
                goto bad;
            ix->group[e] = (int32_t)gr, ix->variant[e] = (int32_t)v;
            ix->vstart[(int32_t)v + 1]++;
        }
    }
    for (int64_t j = 0; j < M; j++) ix->vstart[j + 1] += ix->vstart[j];
    int64_t *next = gdl_arena_alloc(&g->arena, sizeof(int64_t) * (size_t)(M ? M : 1));
    if (!next) {
        gdl_log_error("out of memory");
        return -1;
    }
    memcpy(next, ix->vstart, sizeof(int64_t) * (size_t)M);
    for (int64_t e = 0; e < E; e++) ix->vlink[next[ix->variant[e]]++] = (int32_t)e;
    return 0;
bad:
    gdl_log_error("node '%s': its gene map (%s.group_start, %s.link_variant) is not a map of %lld"
                  " links over %lld variants", n->name, n->name, n->name, (long long)E, (long long)M);
    return -1;
}

/* ---- a dense batch listed as its non-zero values per sample ---------------------------------- */
typedef struct {
    const float *x; // (N, M)
    int64_t M;
    int64_t *row;   // (N + 1): counts first, then offsets
    int32_t *col;
    float *val;
} list_ctx_t;

static void count_nonzero(void *ctx, int64_t begin, int64_t end, int chunk)
{
    (void)chunk;
    list_ctx_t *c = ctx;
    for (int64_t i = begin; i < end; i++) {
        int64_t k = 0;
        for (int64_t j = 0; j < c->M; j++) k += c->x[i * c->M + j] != 0;
        c->row[i + 1] = k;
    }
}

static void list_nonzero(void *ctx, int64_t begin, int64_t end, int chunk)
{
    (void)chunk;
    list_ctx_t *c = ctx;
    for (int64_t i = begin; i < end; i++) {
        int64_t k = c->row[i];
        for (int64_t j = 0; j < c->M; j++)
            if (c->x[i * c->M + j] != 0) c->col[k] = (int32_t)j, c->val[k++] = c->x[i * c->M + j];
    }
}

static int list_dense(gdl_nn_t *g, const float *x, int64_t N, int64_t M, gdl_nn_sparse_t *out)
{
    list_ctx_t c = {x, M, gdl_arena_alloc(&g->arena, sizeof(int64_t) * (size_t)(N + 1)), NULL, NULL};
    if (!c.row) return -1;
    c.row[0] = 0;
    gdl_parallel_for(N, count_nonzero, &c);
    for (int64_t i = 0; i < N; i++) c.row[i + 1] += c.row[i];
    c.col = gdl_arena_alloc(&g->arena, sizeof(int32_t) * (size_t)(c.row[N] ? c.row[N] : 1));
    c.val = gdl_arena_floats(&g->arena, (size_t)(c.row[N] ? c.row[N] : 1));
    if (!c.col || !c.val) return -1;
    gdl_parallel_for(N, list_nonzero, &c);
    *out = (gdl_nn_sparse_t){N, M, c.row, c.col, c.val};
    return 0;
}

/* ---- forward ------------------------------------------------------------------------------ */
typedef struct {
    const gene_saved_t *s;
    const float *W, *b; // W (E, U), b (G, U) or NULL
    float *y;           // (N, G U)
    int64_t GU, U;
} gene_fw_ctx_t;

GDL_NN_HOT static void gene_fw_samples(void *ctx, int64_t begin, int64_t end, int chunk)
{
    (void)chunk;
    const gene_fw_ctx_t *c = ctx;
    const gene_index_t *ix = &c->s->ix;
    const gdl_nn_sparse_t *sp = &c->s->rows;
    int64_t U = c->U;
    for (int64_t i = begin; i < end; i++) {
        float *y = c->y + i * c->GU;
        if (c->b) memcpy(y, c->b, sizeof(float) * (size_t)c->GU);
        else memset(y, 0, sizeof(float) * (size_t)c->GU);
        for (int64_t k = sp->row[i]; k < sp->row[i + 1]; k++) {
            int32_t j = sp->col[k];
            float v = sp->val[k];
            for (int64_t q = ix->vstart[j]; q < ix->vstart[j + 1]; q++) {
                int32_t e = ix->vlink[q];
                const float *w = c->W + (int64_t)e * U;
                float *yg = y + (int64_t)ix->group[e] * U;
                for (int64_t u = 0; u < U; u++) yg[u] += v * w[u];
            }
        }
    }
}

int gdl_op_gene_dense_forward(gdl_nn_t *g, gdl_nn_node_t *n, int train)
{
    (void)train;
    const gene_attr_t *a = n->attr;
    gdl_nn_node_t *x = gdl_nn_in(g, n, 0);
    gene_saved_t *s = gdl_arena_alloc(&g->arena, sizeof *s);
    if (!s) {
        gdl_log_error("out of memory");
        return -1;
    }
    memset(s, 0, sizeof *s);
    if (gene_index(g, n, &s->ix) < 0) return -1;
    if (x->sparse) s->rows = *x->sp;
    else if (list_dense(g, x->out, g->N, x->size, &s->rows) < 0) {
        gdl_log_error("out of memory");
        return -1;
    }
    gene_fw_ctx_t c = {s, tensor(g, a->p_weight), a->bias ? tensor(g, a->p_bias) : NULL, n->out,
                       a->groups * a->units, a->units};
    gdl_parallel_for(g->N, gene_fw_samples, &c);
    n->saved = s;
    return 0;
}

/* ---- backward ----------------------------------------------------------------------------- */

/* The batch by variant, samples ascending within a variant (a sample's calls in CSR order). */
static int by_variant(gdl_nn_t *g, gene_saved_t *s, int64_t M)
{
    const gdl_nn_sparse_t *sp = &s->rows;
    int64_t N = sp->n_rows, nnz = sp->row[N];
    int64_t *start = gdl_arena_alloc(&g->arena, sizeof(int64_t) * (size_t)(M + 1));
    int64_t *next = gdl_arena_alloc(&g->arena, sizeof(int64_t) * (size_t)(M ? M : 1));
    int32_t *sample = gdl_arena_alloc(&g->arena, sizeof(int32_t) * (size_t)(nnz ? nnz : 1));
    float *val = gdl_arena_floats(&g->arena, (size_t)(nnz ? nnz : 1));
    if (!start || !next || !sample || !val) return -1;
    memset(start, 0, sizeof(int64_t) * (size_t)(M + 1));
    for (int64_t k = 0; k < nnz; k++) start[sp->col[k] + 1]++;
    for (int64_t j = 0; j < M; j++) start[j + 1] += start[j];
    memcpy(next, start, sizeof(int64_t) * (size_t)M);
    for (int64_t i = 0; i < N; i++)
        for (int64_t k = sp->row[i]; k < sp->row[i + 1]; k++) {
            int64_t q = next[sp->col[k]]++;
            sample[q] = (int32_t)i, val[q] = sp->val[k];
        }
    s->cstart = start, s->csample = sample, s->cval = val;
    return 0;
}

typedef struct {
    const gene_saved_t *s;
    const float *W, *dy; // W (E, U), dy (N, G U)
    float *dW, *db, *dx; // (E, U), (G, U), (N, M)
    int64_t GU, U, M;
} gene_bw_ctx_t;

/* dW[e, u] += sum over the samples calling variant[e] of x dy[n, group[e] U + u] */
GDL_NN_HOT static void gene_bw_links(void *ctx, int64_t begin, int64_t end, int chunk)
{
    (void)chunk;
    const gene_bw_ctx_t *c = ctx;
    const gene_saved_t *s = c->s;
    int64_t U = c->U;
    for (int64_t e = begin; e < end; e++) {
        int32_t j = s->ix.variant[e];
        float *dw = c->dW + e * U;
        const float *dy0 = c->dy + (int64_t)s->ix.group[e] * U;
        for (int64_t k = s->cstart[j]; k < s->cstart[j + 1]; k++) {
            const float *dy = dy0 + (int64_t)s->csample[k] * c->GU;
            float v = s->cval[k];
            for (int64_t u = 0; u < U; u++) dw[u] += v * dy[u];
        }
    }
}

/* db[g, u] += sum_n dy[n, g U + u], samples in order */
static void gene_bw_groups(void *ctx, int64_t begin, int64_t end, int chunk)
{
    (void)chunk;
    const gene_bw_ctx_t *c = ctx;
    int64_t U = c->U, N = c->s->rows.n_rows;
    for (int64_t i = 0; i < N; i++)
        for (int64_t q = begin * U; q < end * U; q++) c->db[q] += c->dy[i * c->GU + q];
}

/* dx[n, j] += sum over variant j's links e of sum_u dy[n, group[e] U + u] W[e, u] */
GDL_NN_HOT static void gene_bw_inputs(void *ctx, int64_t begin, int64_t end, int chunk)
{
    (void)chunk;
    const gene_bw_ctx_t *c = ctx;
    const gene_index_t *ix = &c->s->ix;
    int64_t U = c->U;
    for (int64_t i = begin; i < end; i++) {
        const float *dy = c->dy + i * c->GU;
        float *dx = c->dx + i * c->M;
        for (int64_t j = 0; j < c->M; j++) {
            if (ix->vstart[j] == ix->vstart[j + 1]) continue;
            float acc = 0;
            for (int64_t q = ix->vstart[j]; q < ix->vstart[j + 1]; q++) {
                int32_t e = ix->vlink[q];
                const float *w = c->W + (int64_t)e * U, *d = dy + (int64_t)ix->group[e] * U;
                for (int64_t u = 0; u < U; u++) acc += d[u] * w[u];
            }
            dx[j] += acc;
        }
    }
}

void gdl_op_gene_dense_backward(gdl_nn_t *g, gdl_nn_node_t *n)
{
    const gene_attr_t *a = n->attr;
    gdl_nn_node_t *x = gdl_nn_in(g, n, 0);
    gene_saved_t *s = n->saved;
    if (!s) { // forward failed
        g->failed = 1;
        return;
    }
    gene_bw_ctx_t c = {s, tensor(g, a->p_weight), n->dout, NULL, NULL, x->dout, a->groups * a->units,
                       a->units, x->size};
    if (!g->no_param_grad) {
        if (!s->cstart && by_variant(g, s, x->size) < 0) {
            g->failed = 1;
            return;
        }
        c.dW = dtensor(g, a->p_weight);
        gdl_parallel_for(a->links, gene_bw_links, &c);
        if (a->bias) {
            c.db = dtensor(g, a->p_bias);
            gdl_parallel_for(a->groups, gene_bw_groups, &c);
        }
    }
    if (x->dout) gdl_parallel_for(g->N, gene_bw_inputs, &c);
}

/* ---- the map ------------------------------------------------------------------------------ */

static gdl_nn_node_t *gene_node(gdl_nn_t *g, const char *node)
{
    int i = gdl_nn_find(g, node);
    if (i < 0 || g->nodes[i].op != GDL_OP_GENE_DENSE || !g->compiled) {
        gdl_log_error("'%s' is not a gene_dense node of a compiled graph", node);
        return NULL;
    }
    return &g->nodes[i];
}

int gdl_nn_gene_map_set(gdl_nn_t *g, const char *node, const int64_t *start, const int64_t *variant)
{
    gdl_nn_node_t *n = gene_node(g, node);
    if (!n) return -1;
    const gene_attr_t *a = n->attr;
    int64_t M = gdl_nn_in(g, n, 0)->size;
    if (start[0] != 0 || start[a->groups] != a->links) goto bad;
    for (int64_t gr = 0; gr < a->groups; gr++) {
        if (start[gr + 1] < start[gr]) goto bad;
        for (int64_t e = start[gr]; e < start[gr + 1]; e++)
            if (variant[e] < 0 || variant[e] >= M || (e > start[gr] && variant[e] <= variant[e - 1])) goto bad;
    }
    if (g->table[a->p_start].mapped || g->table[a->p_variant].mapped) {
        gdl_log_error("node '%s': the gene map of a model read in place cannot be changed", node);
        return -1;
    }
    float *fs = tensor(g, a->p_start), *fv = tensor(g, a->p_variant);
    for (int64_t gr = 0; gr <= a->groups; gr++) fs[gr] = (float)start[gr];
    for (int64_t e = 0; e < a->links; e++) fv[e] = (float)variant[e];
    return 0;
bad:
    gdl_log_error("node '%s': not a map of %lld links in %lld groups over %lld variants (groups in"
                  " order, variants ascending within a group)", node, (long long)a->links,
                  (long long)a->groups, (long long)M);
    return -1;
}

int gdl_nn_gene_map_get(gdl_nn_t *g, const char *node, int64_t *groups, int64_t *links, int64_t *start)
{
    gdl_nn_node_t *n = gene_node(g, node);
    if (!n) return -1;
    const gene_attr_t *a = n->attr;
    *groups = a->groups, *links = a->links;
    const float *fs = tensor(g, a->p_start);
    for (int64_t gr = 0; start && gr <= a->groups; gr++) start[gr] = (int64_t)fs[gr];
    return 0;
}
