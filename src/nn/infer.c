/* Buffer reuse for gdl_nn_infer. With no backward to come, a node's output is dead once its
 * last reader has run, so its buffer goes to a free list that later nodes draw from (best fit);
 * views (flatten, reshape, identity dropout) share their input's buffer, and a rectifier whose
 * input has no other reader overwrites it. A buffer's owner is the node that drew it (its
 * root); it is freed when every node sharing it is dead. Everything lives in the step arena,
 * so each batch repeats the same layout in the same memory. */
#include <limits.h>

#include "nn_internal.h"

struct gdl_nn_infer_t {
    int *root;        // (n_nodes): node whose buffer this node's output lives in
    int *live_until;  // (n_nodes), for roots: last node reading any node sharing the buffer
    int64_t *size;    // (n_nodes), for roots: floats in the buffer
    float **free_p;   // (n_nodes): the free list
    int64_t *free_n;
    int n_free;
};

/* The last node reading node i; INT_MAX for a node nothing reads (an output) and for KEEP. */
static int last_reader(const gdl_nn_t *g, int i, int keep)
{
    int last = INT_MAX;
    if (i == keep) return last;
    for (int k = i + 1; k < g->n_nodes; k++)
        for (int m = 0; m < g->nodes[k].n_in; m++)
            if (g->nodes[k].in[m] == i) last = k;
    return last;
}

gdl_nn_infer_t *gdl_nn_infer_begin(gdl_nn_t *g)
{
    int n = g->n_nodes;
    gdl_nn_infer_t *p = gdl_arena_alloc(&g->arena, sizeof *p);
    if (!p) return NULL;
    p->root = gdl_arena_alloc(&g->arena, sizeof(int) * (size_t)n);
    p->live_until = gdl_arena_alloc(&g->arena, sizeof(int) * (size_t)n);
    p->size = gdl_arena_alloc(&g->arena, sizeof(int64_t) * (size_t)n);
    p->free_p = gdl_arena_alloc(&g->arena, sizeof(float *) * (size_t)n);
    p->free_n = gdl_arena_alloc(&g->arena, sizeof(int64_t) * (size_t)n);
    if (!p->root || !p->live_until || !p->size || !p->free_p || !p->free_n) return NULL;
    for (int i = 0; i < n; i++) p->root[i] = i, p->live_until[i] = INT_MAX, p->size[i] = 0;
    p->n_free = 0;
    return p;
}

/* A buffer of n floats: the smallest free one that fits, else new arena memory. */
static float *draw(gdl_nn_t *g, gdl_nn_infer_t *p, int64_t n, int64_t *got)
{
    int best = -1;
    for (int k = 0; k < p->n_free; k++)
        if (p->free_n[k] >= n && (best < 0 || p->free_n[k] < p->free_n[best])) best = k;
    if (best < 0) {
        *got = n;
        return gdl_nn_scratch(g, n);
    }
    float *buf = p->free_p[best];
    *got = p->free_n[best];
    p->free_p[best] = p->free_p[--p->n_free], p->free_n[best] = p->free_n[p->n_free];
    return buf;
}

/* Shares the buffer of node src with node i (reader of src) until i's last reader. */
static void share(const gdl_nn_t *g, gdl_nn_infer_t *p, int i, int src, int keep)
{
    int r = p->root[src], last = last_reader(g, i, keep);
    p->root[i] = r;
    if (last > p->live_until[r]) p->live_until[r] = last;
}

int gdl_nn_infer_output(gdl_nn_t *g, gdl_nn_infer_t *p, int i, int dst, int keep)
{
    gdl_nn_node_t *n = &g->nodes[i], *out = &g->nodes[dst];
    if (i == dst && n->n_in == 1) {
        int src = n->in[0];
        gdl_nn_node_t *x = &g->nodes[src];
        int r = p->root[src];
        float alpha;
        int view = gdl_nn_is_view(n, 0);
        // in place: the input is gdl's own buffer and nothing after this node reads it
        int in_place = gdl_nn_rectifier_alpha(n, &alpha) && g->nodes[r].op != GDL_NN_INPUT_OP &&
                       p->live_until[r] == i;
        if (view || in_place) {
            out->out = x->out;
            share(g, p, i, src, keep);
            return view;
        }
    }
    int64_t got;
    if (!(out->out = draw(g, p, g->N * out->size, &got))) return -1;
    p->root[dst] = dst, p->size[dst] = got;
    p->live_until[dst] = last_reader(g, dst, keep);
    return 0;
}

void gdl_nn_infer_release(gdl_nn_t *g, gdl_nn_infer_t *p, int i)
{
    const gdl_nn_node_t *n = &g->nodes[i];
    for (int m = 0; m < n->n_in; m++) {
        int r = p->root[n->in[m]];
        if (g->nodes[r].op == GDL_NN_INPUT_OP || p->live_until[r] != i || p->root[i] == r) continue;
        p->live_until[r] = -1; // released once, however many inputs share it
        p->free_p[p->n_free] = g->nodes[r].out, p->free_n[p->n_free++] = p->size[r];
    }
}
