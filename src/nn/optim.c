/* Optimizers (one loop over the flat parameter buffer), gradient clipping, and learning-rate
 * schedules. Update rules follow PyTorch's so the parity fixtures can check them. */
#include <inttypes.h>
#include <stdlib.h>

#include "gdl/core.h"
#include "nn_internal.h"

static const char *const optim_names[GDL_OPTIM_COUNT] = {
    [GDL_OPTIM_SGD] = "sgd", [GDL_OPTIM_ADAM] = "adam", [GDL_OPTIM_ADAMW] = "adamw",
    [GDL_OPTIM_RMSPROP] = "rmsprop",
};
_Static_assert(GDL_OPTIM_COUNT == 4, "optimizer added: name it here");

const char *gdl_optim_name(int kind) { return kind >= 0 && kind < GDL_OPTIM_COUNT ? optim_names[kind] : NULL; }

int gdl_optim_find(const char *name)
{
    for (int i = 0; i < GDL_OPTIM_COUNT; i++)
        if (!strcmp(optim_names[i], name)) return i;
    return -1;
}

void gdl_optim_init(gdl_optim_t *o, gdl_optim_kind_t kind)
{
    memset(o, 0, sizeof *o);
    o->kind = kind;
    o->beta1 = 0.9f, o->beta2 = 0.999f, o->alpha = 0.99f, o->eps = 1e-8f;
    if (kind == GDL_OPTIM_ADAMW) o->weight_decay = 0.01f; // PyTorch's AdamW default
}

static void free_state(gdl_optim_t *o)
{
    size_t bytes = sizeof(float) * (size_t)(o->n ? o->n : 1);
    gdl_big_free(o->m, bytes), gdl_big_free(o->v, bytes);
    o->m = o->v = NULL;
}

void gdl_optim_free(gdl_optim_t *o)
{
    free_state(o);
    for (int k = 0; k < o->n_frozen; k++) free(o->frozen[k].value);
    o->n_frozen = 0;
}

int gdl_optim_freeze(gdl_optim_t *o, const gdl_nn_t *g, int64_t offset, int64_t numel)
{
    if (o->n_frozen == GDL_OPTIM_MAX_PROX || offset < 0 || numel < 0 || offset + numel > g->n_param) {
        gdl_log_error("optimizer: cannot freeze parameters [%" PRId64 ", %" PRId64 ")", offset, offset + numel);
        return -1;
    }
    float *value = malloc((size_t)(numel ? numel : 1) * sizeof *value);
    if (!value) {
        gdl_log_error("out of memory");
        return -1;
    }
    memcpy(value, g->param + offset, (size_t)numel * sizeof *value);
    o->frozen[o->n_frozen].offset = offset, o->frozen[o->n_frozen].numel = numel;
    o->frozen[o->n_frozen++].value = value;
    return 0;
}

void gdl_optim_mask_frozen(const gdl_optim_t *o, gdl_nn_t *g)
{
    for (int k = 0; k < o->n_frozen; k++)
        memset(g->grad + o->frozen[k].offset, 0, (size_t)o->frozen[k].numel * sizeof(float));
}

static void restore_frozen(const gdl_optim_t *o, gdl_nn_t *g)
{
    for (int k = 0; k < o->n_frozen; k++)
        memcpy(g->param + o->frozen[k].offset, o->frozen[k].value, (size_t)o->frozen[k].numel * sizeof(float));
}

/* One step over elements [begin, end) of the flat buffers. Element-wise, so any split of the
 * buffer (threads, lazy rows) gives the same bits. Adam follows PyTorch's float32 arithmetic:
 * p -= (lr / bc1) m / (sqrt(v) / sqrt(bc2) + eps). */
typedef struct {
    const gdl_optim_t *o;
    float *p, *g, *m, *v;
    float lr, step, rsbc2;  // adam: lr / bc1 and 1 / sqrt(bc2)
    const int32_t *rows;    // lazy: ranges are rows of `width` elements from `base`
    int64_t base, width;
} optim_ctx_t;

/* prox_range's loop over n weights scaled by scale[i] (per_weight) or all by scale[0] (a row
 * of a sparse_dense layer: one variant), vectorised (sqrtf and division are exact, so the
 * clones agree bit for bit). */
GDL_NN_HOT static void prox_run(const optim_ctx_t *c, float *restrict p, const float *restrict v,
                                const float *restrict scale, int per_weight, int64_t n)
{
    const gdl_optim_t *o = c->o;
    float l1 = o->l1, l2 = o->l2, lr = c->lr, eps = o->eps, rsbc2 = c->rsbc2;
#define PROX_LOOP(RATE)                                                                        \
    for (int64_t i = 0; i < n; i++) {                                                          \
        float rate = (RATE), sd = per_weight ? scale[i] : scale[0], a = fabsf(p[i]) - l1 * rate * sd; \
        p[i] = a > 0 ? copysignf(a, p[i]) / (1 + l2 * rate * sd * sd) : 0.0f;                  \
    }
    if (o->kind == GDL_OPTIM_SGD) PROX_LOOP(lr)
    else if (o->kind == GDL_OPTIM_RMSPROP) PROX_LOOP(lr / (sqrtf(v[i]) + eps))
    else PROX_LOOP(lr / (sqrtf(v[i]) * rsbc2 + eps))
#undef PROX_LOOP
}

/* The elastic-net proximal step (gdl_optim_t) on the part of [begin, end) in the prox ranges,
 * after the update. */
static void prox_range(const optim_ctx_t *c, int64_t begin, int64_t end)
{
    const gdl_optim_t *o = c->o;
    float *restrict p = c->p;
    const float *v = c->v;
    for (int r = 0; r < o->n_prox; r++) {
        int64_t off = o->prox[r].offset, W = o->prox[r].width, lo = begin > off ? begin : off;
        int64_t hi = off + o->prox[r].rows * W;
        hi = end < hi ? end : hi;
        const float *scale = o->prox[r].scale;
        int by_column = o->prox[r].by_column;
        if (lo >= hi) continue;
        if (W == 1 && scale && !by_column) { // a linear model's weights: one per variant
            prox_run(c, p + lo, v ? v + lo : NULL, scale + (lo - off), 1, hi - lo);
            continue;
        }
        if (scale && !by_column) { // a sparse_dense layer's rows: one variant's weights each
            for (int64_t at = lo; at < hi;) {
                int64_t row = (at - off) / W, stop = off + (row + 1) * W < hi ? off + (row + 1) * W : hi;
                prox_run(c, p + at, v ? v + at : NULL, scale + row, 0, stop - at);
                at = stop;
            }
            continue;
        }
        int64_t row = (lo - off) / W, col = (lo - off) % W; // of element lo, then stepped
        for (int64_t i = lo; i < hi; i++) {
            float rate = o->kind == GDL_OPTIM_SGD       ? c->lr
                         : o->kind == GDL_OPTIM_RMSPROP ? c->lr / (sqrtf(v[i]) + o->eps)
                                                        : c->lr / (sqrtf(v[i]) * c->rsbc2 + o->eps);
            float sd = !scale ? 1.0f : by_column ? scale[col] : scale[row];
            float a = fabsf(p[i]) - o->l1 * rate * sd;
            p[i] = a > 0 ? copysignf(a, p[i]) / (1 + o->l2 * rate * sd * sd) : 0.0f;
            if (++col == W) col = 0, row++;
        }
    }
}

GDL_NN_HOT static void optim_range(const optim_ctx_t *c, int64_t begin, int64_t end)
{
    const gdl_optim_t *o = c->o;
    float *restrict p = c->p, *restrict gr = c->g, *restrict m = c->m, *restrict v = c->v;
    float lr = c->lr, wd = o->weight_decay;
    switch (o->kind) {
    case GDL_OPTIM_SGD:
        for (int64_t i = begin; i < end; i++) {
            float d = gr[i] + wd * p[i];
            if (o->momentum != 0) {
                m[i] = o->t == 1 ? d : o->momentum * m[i] + d;
                d = o->nesterov ? d + o->momentum * m[i] : m[i];
            }
            p[i] -= lr * d;
        }
        break;
    case GDL_OPTIM_ADAM:
    case GDL_OPTIM_ADAMW: {
        float b1 = o->beta1, b2 = o->beta2, step = c->step, rsbc2 = c->rsbc2, eps = o->eps;
        if (o->kind == GDL_OPTIM_ADAMW)
            for (int64_t i = begin; i < end; i++) p[i] -= lr * wd * p[i];
        float wdc = o->kind == GDL_OPTIM_ADAMW ? 0.0f : wd;
        for (int64_t i = begin; i < end; i++) {
            float d = gr[i] + wdc * p[i];
            m[i] = b1 * m[i] + (1 - b1) * d;
            v[i] = b2 * v[i] + (1 - b2) * d * d;
            p[i] -= step * m[i] / (sqrtf(v[i]) * rsbc2 + eps);
        }
        break;
    }
    case GDL_OPTIM_RMSPROP:
        for (int64_t i = begin; i < end; i++) {
            float d = gr[i] + wd * p[i];
            v[i] = o->alpha * v[i] + (1 - o->alpha) * d * d;
            p[i] -= lr * d / (sqrtf(v[i]) + o->eps);
        }
        break;
    default: break;
    }
    if (o->l1 > 0 || o->l2 > 0) prox_range(c, begin, end);
}

enum { PF_ROWS = 1 };

static inline void prefetch_l2(const float *p, int64_t n)
{
    for (int64_t off = 0; off < n; off += 16) __builtin_prefetch(p + off, 0, 1);
}

static void optim_chunk(void *ctx, int64_t begin, int64_t end, int chunk)
{
    (void)chunk;
    const optim_ctx_t *c = ctx;
    if (!c->rows) {
        optim_range(c, c->base + begin, c->base + end);
        return;
    }
    // rows come in call order, scattered over the buffers: ask for the next ones into L2
    for (int64_t r = begin; r < end; r++) {
        if (r + PF_ROWS < end) {
            int64_t next = c->base + (int64_t)c->rows[r + PF_ROWS] * c->width;
            prefetch_l2(c->p + next, c->width), prefetch_l2(c->g + next, c->width);
            if (c->m) prefetch_l2(c->m + next, c->width);
            if (c->v) prefetch_l2(c->v + next, c->width);
        }
        int64_t at = c->base + (int64_t)c->rows[r] * c->width;
        optim_range(c, at, at + c->width);
    }
}

int gdl_optim_step(gdl_optim_t *o, gdl_nn_t *g, float lr)
{
    int64_t n = g->n_param;
    if (o->kind < 0 || o->kind >= GDL_OPTIM_COUNT) {
        gdl_log_error("unknown optimizer %d", (int)o->kind);
        return -1;
    }
    if (!o->m || o->n != n) {
        free_state(o);
        o->n = n, o->t = 0;
        size_t bytes = sizeof(float) * (size_t)(n ? n : 1);
        if (!(o->m = gdl_big_alloc(bytes)) || !(o->v = gdl_big_alloc(bytes))) return -1;
    }
    o->t++;
    gdl_optim_mask_frozen(o, g);
    double bc1 = 1 - pow(o->beta1, (double)o->t), bc2 = 1 - pow(o->beta2, (double)o->t);
    optim_ctx_t c = {o, g->param, g->grad, o->m, o->v, lr, (float)(lr / bc1), (float)(1 / sqrt(bc2)), NULL, 0, 0};
    if (!o->lazy) {
        gdl_parallel_for(n, optim_chunk, &c);
        restore_frozen(o, g);
        return 0;
    }
    // lazy: a parameter whose op lists its rows with gradient (sparse_dense's weight) row by row
    // over those rows, the rest densely
    int64_t done = 0; // elements before it handled
    for (int i = 0; i < g->n_table; i++) {
        const gdl_nn_param_t *p = &g->table[i];
        const gdl_nn_node_t *nd = &g->nodes[p->node];
        const int32_t *rows;
        int64_t n_rows;
        if (p->is_state || i != nd->param0 || !gdl_nn_ops[nd->op].grad_rows ||
            (n_rows = gdl_nn_ops[nd->op].grad_rows(nd, &rows)) < 0)
            continue;
        c.rows = NULL, c.base = done;
        gdl_parallel_for(p->offset - done, optim_chunk, &c);
        c.rows = rows, c.base = p->offset, c.width = p->shape[1];
        gdl_parallel_for(n_rows, optim_chunk, &c);
        done = p->offset + p->numel;
    }
    c.rows = NULL, c.base = done;
    gdl_parallel_for(n - done, optim_chunk, &c);
    restore_frozen(o, g);
    return 0;
}

/* The squared norm in fixed blocks of CLIP_BLOCK elements, each summed in four interleaved
 * double lanes (float squares are exact in double), the blocks then added in order: the same
 * bits whatever the thread count; scaling is element-wise. */
#define CLIP_BLOCK 65536

#define CLIP_ROUND 1024 // blocks summed per parallel loop (their partial sums on the stack)

typedef struct {
    float *grad;
    int64_t n, b0;    // elements; first block of this round
    double *partial;  // (CLIP_ROUND)
    float scale;
} clip_ctx_t;

GDL_NN_HOT static void clip_sum_blocks(void *ctx, int64_t begin, int64_t end, int chunk)
{
    (void)chunk;
    const clip_ctx_t *c = ctx;
    for (int64_t k = begin; k < end; k++) {
        int64_t b = c->b0 + k;
        const float *x = c->grad + b * CLIP_BLOCK;
        int64_t n = c->n - b * CLIP_BLOCK < CLIP_BLOCK ? c->n - b * CLIP_BLOCK : CLIP_BLOCK, i = 0;
        double lane[4] = {0, 0, 0, 0};
        for (; i + 4 <= n; i += 4)
            for (int j = 0; j < 4; j++) lane[j] += (double)x[i + j] * x[i + j];
        for (; i < n; i++) lane[0] += (double)x[i] * x[i];
        c->partial[k] = (lane[0] + lane[1]) + (lane[2] + lane[3]);
    }
}

GDL_NN_HOT static void clip_scale_range(void *ctx, int64_t begin, int64_t end, int chunk)
{
    (void)chunk;
    const clip_ctx_t *c = ctx;
    for (int64_t i = begin; i < end; i++) c->grad[i] *= c->scale;
}

double gdl_nn_clip_grad_norm(gdl_nn_t *g, double max_norm)
{
    int64_t blocks = (g->n_param + CLIP_BLOCK - 1) / CLIP_BLOCK;
    double partial[CLIP_ROUND], sq = 0;
    clip_ctx_t c = {g->grad, g->n_param, 0, partial, 1};
    for (c.b0 = 0; c.b0 < blocks; c.b0 += CLIP_ROUND) {
        int64_t k = blocks - c.b0 < CLIP_ROUND ? blocks - c.b0 : CLIP_ROUND;
        gdl_parallel_for(k, clip_sum_blocks, &c);
        for (int64_t b = 0; b < k; b++) sq += partial[b];
    }
    double norm = sqrt(sq);
    if (norm > max_norm && norm > 0) {
        c.scale = (float)(max_norm / (norm + 1e-6));
        gdl_parallel_for(g->n_param, clip_scale_range, &c);
    }
    return norm;
}

/* ---- schedules ------------------------------------------------------------------------------ */

static const char *const sched_names[GDL_SCHED_COUNT] = {
    [GDL_SCHED_CONSTANT] = "constant", [GDL_SCHED_STEP] = "step", [GDL_SCHED_COSINE] = "cosine",
    [GDL_SCHED_PLATEAU] = "plateau",
};
_Static_assert(GDL_SCHED_COUNT == 4, "schedule added: name it here");

const char *gdl_sched_name(int kind) { return kind >= 0 && kind < GDL_SCHED_COUNT ? sched_names[kind] : NULL; }

int gdl_sched_find(const char *name)
{
    for (int i = 0; i < GDL_SCHED_COUNT; i++)
        if (!strcmp(sched_names[i], name)) return i;
    return -1;
}

void gdl_sched_init(gdl_sched_t *s, gdl_sched_kind_t kind, double lr)
{
    memset(s, 0, sizeof *s);
    s->kind = kind, s->lr = lr;
    s->step_size = 1, s->gamma = 0.1, s->total = 1;
    s->factor = 0.1, s->patience = 10, s->threshold = 1e-4;
    s->best = NAN, s->scale = 1;
}

double gdl_sched_lr(const gdl_sched_t *s, int64_t step)
{
    if (step < s->warmup) return s->lr * (double)(step + 1) / (double)s->warmup;
    int64_t t = step - s->warmup;
    switch (s->kind) {
    case GDL_SCHED_STEP: // whole steps of step_size epochs
        return s->lr * pow(s->gamma, (double)(t / (s->step_size > 0 ? s->step_size : 1))); // NOLINT(bugprone-integer-division)
    case GDL_SCHED_COSINE: {
        int64_t span = s->total - s->warmup;
        if (span < 1 || t >= span) return s->min_lr;
        return s->min_lr + (s->lr - s->min_lr) * (1 + cos(M_PI * (double)t / (double)span)) / 2;
    }
    case GDL_SCHED_PLATEAU: {
        double lr = s->lr * s->scale;
        return lr > s->min_lr ? lr : s->min_lr;
    }
    default: return s->lr;
    }
}

int gdl_sched_report(gdl_sched_t *s, double metric)
{
    if (s->kind != GDL_SCHED_PLATEAU || isnan(metric)) return 0;
    int better = isnan(s->best) ||
                 (s->mode_max ? metric > s->best * (1 + s->threshold * (s->best >= 0 ? 1 : -1))
                              : metric < s->best * (1 - s->threshold * (s->best >= 0 ? 1 : -1)));
    if (better) {
        s->best = metric, s->bad = 0;
        return 0;
    }
    if (++s->bad > s->patience) {
        s->scale *= s->factor, s->bad = 0;
        return 1;
    }
    return 0;
}
