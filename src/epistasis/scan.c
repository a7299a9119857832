/* gdl epistasis: the exhaustive pair scan (epistasis.h). Variants are cut into tiles (TILE, or
 * fewer when there are few variants, so that parts and threads still have work to share); a
 * tile pair (A, B), A <= B, is the unit of work, so two tiles' planes stay in L2 while their
 * pairs are counted. Tile pairs are numbered row by row; a --part takes a contiguous
 * share of the numbers and the threads split that share again, each keeping its own best pairs,
 * merged at the end in the pairs' total order: the table does not depend on either split. */
#include <math.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "epi_internal.h"
#include "gdl/core.h"
#include "gdl/dataops.h"

#define TILE 64
#define MIN_TILES 16 // below 16 x TILE variants, tiles shrink to keep 16 of them (136 tile pairs)

typedef struct {
    epi_heap_t heap;
    int64_t pairs, tests, fitted;
    epi_gene_map_t genes; // --level gene: the gene pairs of the pairs with p <= the screen
    int failed;
} chunk_t;

typedef struct {
    const epi_planes_t *p;
    const gdl_genotypes_t *g;
    int64_t tile, n_tiles;       // variants per tile, tiles
    int64_t first;               // tile pairs of this part: [first, first + count)
    const int64_t *row_start;    // (n_tiles + 1) number of tile pair (A, A)
    const epi_select_t *sel;
    int restricted;              // a pair rule is in force
    int level_gene;              // collect gene pairs (every pair past the screen fitted)
    double log_screen;
    double threshold[5];         // approximation's statistic a pair must reach, by df
    double log_pvalue;
    const double *xlogx, *recip; // (N + 1): c log c and 1 / c
    chunk_t *chunks;
    atomic_llong done;           // tile pairs finished, for the progress bar
    gdl_progress_t *progress;
    double t0;
} scan_t;

/* The statistic as the table prints it (10 significant digits), so a merge of parts, which
 * reads the printed value, ranks ties exactly as the single run does. */
static double printed(double x)
{
    char buf[40];
    snprintf(buf, sizeof buf, "%.10g", x);
    return strtod(buf, NULL);
}

static void scan_pair(scan_t *s, chunk_t *c, int64_t va, int64_t vb)
{
    const epi_planes_t *p = s->p;
    if (s->restricted && !gdl_epi_select_pair(s->sel, s->g, va, vb)) return;
    c->pairs++;
    gdl_epi_pair_t e;
    epi_margins_t m;
    gdl_epi_planes_table(p, va, vb, e.n, &m);
    if (p->quantitative) {
        double S[3][3], y2, beta, stat;
        gdl_epi_planes_trait_sums(p, va, vb, S, &y2);
        // cppcheck-suppress uninitvar ; gdl_epi_planes_table filled e.n
        if (!gdl_epi_linear_test(e.n[0], S, y2, &beta, &stat)) return;
        c->tests++, c->fitted++;
        e.a = p->column[va], e.b = p->column[vb], e.df = 1, e.interaction = beta;
        e.statistic = printed(stat);
        e.log_p = gdl_epi_chisq_log_p(e.statistic, 1);
        if (s->level_gene && e.log_p <= s->log_screen && e.log_p <= s->log_pvalue &&
            gdl_epi_gene_map_add(&c->genes, s->sel, va, vb, &e) != 0)
            c->failed = 1;
        if (e.log_p <= s->log_pvalue && gdl_epi_heap_wants(&c->heap, &e)) gdl_epi_heap_push(&c->heap, &e);
        return;
    }
    e.df = gdl_epi_df_margins(&m);
    if (e.df == 0) return;
    c->tests++;
    double bound = gdl_epi_ksa(e.n, &m, s->xlogx, s->recip, s->threshold[e.df]);
    if (bound < s->threshold[e.df]) return;
    c->fitted++;
    // the exact statistic is at most the bound: skip the fit when even the bound cannot enter
    e.log_p = gdl_epi_chisq_log_p(bound, e.df);
    if (e.log_p > s->log_pvalue) return;
    e.a = p->column[va], e.b = p->column[vb], e.statistic = bound;
    if (!s->level_gene && !gdl_epi_heap_wants(&c->heap, &e)) return;
    e.statistic = printed(gdl_epi_boost_lr(e.n));
    e.log_p = gdl_epi_chisq_log_p(e.statistic, e.df);
    if (e.log_p > s->log_pvalue) return;
    e.interaction = gdl_epi_interaction(e.n);
    if (s->level_gene && e.log_p <= s->log_screen && gdl_epi_gene_map_add(&c->genes, s->sel, va, vb, &e) != 0)
        c->failed = 1;
    if (gdl_epi_heap_wants(&c->heap, &e)) gdl_epi_heap_push(&c->heap, &e);
}

static void scan_range(void *ctx, int64_t begin, int64_t end, int chunk)
{
    scan_t *s = ctx;
    // a local copy, written back at the end: the chunks' counters share cache lines, and two
    // threads counting every pair into one line ran at half speed
    chunk_t local = s->chunks[chunk], *c = &local;
    int64_t V = s->p->n_variants, q = s->first + begin, A = 0;
    while (s->row_start[A + 1] <= q) A++;
    int64_t B = A + (q - s->row_start[A]);
    for (int64_t t = begin; t < end; t++) {
        int64_t w = s->tile, a1 = A * w + w < V ? A * w + w : V, b1 = B * w + w < V ? B * w + w : V;
        for (int64_t va = A * w; va < a1; va++)
            for (int64_t vb = A == B ? va + 1 : B * w; vb < b1; vb++) scan_pair(s, c, va, vb);
        if (++B == s->n_tiles) A++, B = A;
        long long done = atomic_fetch_add(&s->done, 1) + 1;
        if (chunk == 0 && s->progress) {
            char rate[64];
            double dt = gdl_seconds() - s->t0;
            snprintf(rate, sizeof rate, "%.1f M pairs/s", dt > 0 ? done * (double)s->tile * s->tile / 1e6 / dt : 0);
            gdl_progress_update(s->progress, done, rate);
        }
    }
    s->chunks[chunk] = local;
}

/* The target named (binary or quantitative), or the first binary one, or the first quantitative
 * one. -1 with an error. */
static int pick_target(const gdl_dataset_t *d, const char *name, const char *path)
{
    for (int t = 0; t < d->n_targets; t++) {
        if (name && strcmp(d->targets[t].name, name) != 0) continue;
        if (d->targets[t].kind == GDL_TARGET_BINARY || (name && d->targets[t].kind == GDL_TARGET_REGRESSION)) return t;
        if (name) {
            gdl_log_error("%s: target '%s' is %s; the pair scan tests a binary (case/control) or a quantitative"
                          " target", path, name, gdl_target_kind_name(d->targets[t].kind));
            return -1;
        }
    }
    if (name) {
        gdl_log_error("%s: no target called '%s'", path, name);
        return -1;
    }
    for (int t = 0; t < d->n_targets; t++) // no binary one: the first quantitative
        if (d->targets[t].kind == GDL_TARGET_REGRESSION) return t;
    gdl_log_error("%s: no binary or quantitative target to test pairs against", path);
    return -1;
}

/* The scan proper on d's target t: the selected variants' planes over rows (NULL = every row),
 * o's part of the tile pairs over the threads, the chunks' best pairs merged into best (sorted)
 * and the counts into run. 0, or -1 with an error. */
static int scan_dataset(const gdl_dataset_t *d, int t, const int64_t *rows, int64_t n_rows, const epi_select_t *sel,
                        const gdl_epistasis_opts_t *o, epi_heap_t *best, epi_run_t *run, epi_gene_map_t *genes,
                        epi_planes_t *planes_out)
{
    int rc = -1, nt = gdl_threads_get();
    int64_t *row_start = NULL, n = sel->n;
    epi_planes_t planes = {0};
    double *xlogx = NULL, *recip = NULL;
    chunk_t *chunks = NULL;
    const char *source = gdl_file_path(d->file);
    if (n < 2) {
        gdl_log_error("%s: %lld variant%s to scan: no pairs", o->keep_path ? o->keep_path : source, (long long)n,
                      n == 1 ? "" : "s");
        return -1;
    }
    double t0 = gdl_seconds();
    int quantitative = d->targets[t].kind == GDL_TARGET_REGRESSION;
    if (gdl_epi_planes_build(&planes, d, t, rows, n_rows, sel->column, n, quantitative) != 0) return -1;
    if (quantitative ? planes.samples[0] <= 4 : planes.samples[0] == 0 || planes.samples[1] == 0) {
        if (quantitative)
            gdl_log_error("%s: target '%s' has %lld values; the linear test needs at least 5", source,
                          d->targets[t].name, (long long)planes.samples[0]);
        else
            gdl_log_error("%s: target '%s' has %lld cases and %lld controls; the scan needs both", source,
                          d->targets[t].name, (long long)planes.samples[1], (long long)planes.samples[0]);
        goto done;
    }
    gdl_log_info("bit planes of %lld variants x %lld samples in %.2f s", (long long)n,
                 (long long)(planes.samples[0] + planes.samples[1]), gdl_seconds() - t0);
    int64_t N = planes.samples[0] + planes.samples[1];
    int64_t tile = n >= MIN_TILES * TILE ? TILE : (n + MIN_TILES - 1) / MIN_TILES, n_tiles = (n + tile - 1) / tile;
    if (!(xlogx = malloc((size_t)(N + 1) * sizeof *xlogx)) || !(recip = malloc((size_t)(N + 1) * sizeof *recip)) ||
        !(row_start = malloc((size_t)(n_tiles + 2) * sizeof *row_start)) ||
        !(chunks = calloc((size_t)nt, sizeof *chunks)))
        goto oom;
    for (int64_t c = 0; c <= N; c++) xlogx[c] = c ? c * log((double)c) : 0, recip[c] = c ? 1.0 / c : 0;
    row_start[0] = 0;
    for (int64_t A = 0; A <= n_tiles; A++) row_start[A + 1] = row_start[A] + (n_tiles - A);
    int64_t total = row_start[n_tiles];
    int64_t first = total * (o->part - 1) / o->parts, last = total * o->part / o->parts;
    scan_t s = {.p = &planes, .g = d->geno, .tile = tile, .n_tiles = n_tiles, .first = first,
                .row_start = row_start, .sel = sel, .restricted = sel->between || sel->within_genes || sel->window > 0,
                .xlogx = xlogx, .recip = recip, .chunks = chunks, .log_pvalue = o->pvalue >= 1 ? 0 : log(o->pvalue),
                .level_gene = genes != NULL, .log_screen = o->screen >= 1 ? 0 : log(o->screen)};
    for (int df = 0; df <= 4; df++) s.threshold[df] = o->screen >= 1 ? -1 : gdl_epi_chisq_quantile(o->screen, df ? df : 1);
    for (int c = 0; c < nt; c++)
        if (gdl_epi_heap_init(&chunks[c].heap, o->top) != 0) goto done;
    gdl_progress_t progress;
    gdl_progress_begin(&progress, "pairs", last - first);
    s.progress = &progress, s.t0 = gdl_seconds();
    atomic_init(&s.done, 0);
    gdl_parallel_for(last - first, scan_range, &s);
    gdl_progress_end(&progress);
    double dt = gdl_seconds() - s.t0;
    *run = (epi_run_t){.samples = N, .cases = quantitative ? 0 : planes.samples[1],
                       .controls = quantitative ? 0 : planes.samples[0], .variants = n,
                       .top = o->top, .pvalue = o->pvalue, .screen = o->screen, .part = o->part, .parts = o->parts,
                       .quantitative = quantitative};
    snprintf(run->target, sizeof run->target, "%s", d->targets[t].name);
    for (int c = 0; c < nt; c++)
        run->pairs += chunks[c].pairs, run->tests += chunks[c].tests, run->fitted += chunks[c].fitted;
    gdl_log_info("%lld pairs (%lld tests, %lld past the screen) in %.2f s: %.2f M pairs/s", (long long)run->pairs,
                 (long long)run->tests, (long long)run->fitted, dt, dt > 0 ? run->pairs / dt / 1e6 : 0);
    if (gdl_epi_heap_init(best, o->top) != 0) goto done;
    for (int c = 0; c < nt; c++)
        for (int64_t i = 0; i < chunks[c].heap.n; i++) gdl_epi_heap_push(best, &chunks[c].heap.e[i]);
    gdl_epi_heap_sort(best);
    for (int c = 0; genes && c < nt; c++)
        if (chunks[c].failed || gdl_epi_gene_map_merge(genes, &chunks[c].genes) != 0) goto oom;
    if (planes_out) *planes_out = planes, memset(&planes, 0, sizeof planes); // the caller's now
    rc = 0;
    goto done;
oom:
    gdl_log_error("out of memory");
done:
    if (chunks)
        for (int c = 0; c < nt; c++) gdl_epi_heap_free(&chunks[c].heap), gdl_epi_gene_map_free(&chunks[c].genes);
    free(chunks), free(xlogx), free(recip), free(row_start);
    gdl_epi_planes_free(&planes);
    return rc;
}

/* The null sets' test (epi_pair_test_fn) on the planes: the statistic as the scan computes and
 * prints it; the BOOST fit only when its bound could beat best. */
static double planes_log_p(const void *ctx, int64_t va, int64_t vb, double best)
{
    const epi_planes_t *p = ctx;
    uint32_t n[2][3][3];
    epi_margins_t m;
    gdl_epi_planes_table(p, va, vb, n, &m);
    if (p->quantitative) {
        double S[3][3], y2, beta, stat;
        gdl_epi_planes_trait_sums(p, va, vb, S, &y2);
        return gdl_epi_linear_test(n[0], S, y2, &beta, &stat) ? gdl_epi_chisq_log_p(printed(stat), 1) : 0;
    }
    int df = gdl_epi_df_margins(&m);
    if (df == 0) return 0;
    double bound = gdl_epi_chisq_log_p(gdl_epi_boost_ksa(n), df);
    if (bound >= best) return bound;
    return gdl_epi_chisq_log_p(printed(gdl_epi_boost_lr(n)), df);
}

int gdl_epistasis(const gdl_epistasis_opts_t *o)
{
    int rc = -1;
    gdl_dataset_t *d = NULL;
    epi_select_t sel = {0};
    epi_heap_t best = {0};
    epi_gene_map_t genes = {0};
    epi_planes_t planes = {0};
    epi_run_t run;
    gdl_outfile_t out = {0};
    if (o->top < 1 || o->parts < 1 || o->part < 1 || o->part > o->parts) {
        gdl_log_error("bad options: top %lld, part %d/%d", (long long)o->top, o->part, o->parts);
        return -1;
    }
    if (!(d = gdl_dataset_open(o->data_path))) return -1;
    if (!d->geno) {
        gdl_log_error("%s: the dataset has no genotypes", o->data_path);
        goto done;
    }
    if (o->level_gene && (o->keep_path || o->between_a || o->window > 0 || o->parts > 1)) {
        gdl_log_error("--level gene scans every variant in one part (no --keep, --between, --window or --part)");
        goto done;
    }
    int t = pick_target(d, o->target, o->data_path);
    if (t < 0 || gdl_epi_select(&sel, d->geno, o) != 0 ||
        scan_dataset(d, t, NULL, 0, &sel, o, &best, &run, o->level_gene ? &genes : NULL, o->level_gene ? &planes : NULL) != 0)
        goto done;
    snprintf(run.dataset, sizeof run.dataset, "%s", o->data_path);
    gdl_epi_select_describe(o, run.selection, sizeof run.selection);
    if (gdl_outfile_open(&out, o->out_path) != 0) goto done;
    if (o->level_gene ? gdl_epi_genes_write(out.fp, &run, &genes, &sel, d->geno, o, planes_log_p, &planes) != 0
                      : gdl_epi_table_write(out.fp, &run, best.e, best.n, d->geno, NULL, NULL) != 0) {
        gdl_outfile_abort(&out);
        goto done;
    }
    rc = gdl_outfile_commit(&out);
done:
    gdl_epi_heap_free(&best);
    gdl_epi_gene_map_free(&genes);
    gdl_epi_planes_free(&planes);
    gdl_epi_select_free(&sel);
    gdl_dataset_close(d);
    return rc;
}

int gdl_epistasis_top(const gdl_dataset_t *d, int t, const int64_t *rows, int64_t n_rows, int64_t top, double p,
                      gdl_epi_pair_t **out, int64_t *n_out)
{
    gdl_epistasis_opts_t o = {.top = top, .pvalue = p, .screen = p, .part = 1, .parts = 1};
    epi_select_t sel = {0};
    epi_heap_t best = {0};
    epi_run_t run;
    *out = NULL, *n_out = 0;
    if (!d->geno || t < 0 || t >= d->n_targets || top < 1 ||
        (d->targets[t].kind != GDL_TARGET_BINARY && d->targets[t].kind != GDL_TARGET_REGRESSION)) {
        gdl_log_error("%s: the pair scan needs genotypes and a binary or quantitative target", gdl_file_path(d->file));
        return -1;
    }
    int rc = gdl_epi_select(&sel, d->geno, &o) != 0 || scan_dataset(d, t, rows, n_rows, &sel, &o, &best, &run, NULL, NULL) != 0 ? -1 : 0;
    gdl_epi_select_free(&sel);
    if (rc == 0) *out = best.e, *n_out = best.n; // sorted: the heap's array, handed over
    else gdl_epi_heap_free(&best);
    return rc;
}
