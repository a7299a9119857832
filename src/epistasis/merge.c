/* gdl epistasis --merge: the tables of the parts of one split run (--part I/N) into the table
 * the single run writes. Every part keeps its own K best pairs, so the K best of their union
 * are the K best of all pairs; tests add up, and the Bonferroni column follows the total. */
#include <stdlib.h>
#include <string.h>

#include "epi_internal.h"
#include "gdl/core.h"

static const epi_table_t *sort_tables;

static int by_pair_order(const void *x, const void *y)
{
    const int64_t *a = x, *b = y;
    return gdl_epi_pair_cmp(&sort_tables[a[0]].rows[a[1]], &sort_tables[b[0]].rows[b[1]]);
}

/* 1 when part t belongs to the same run as part 0 (everything but the part and its counts). */
static int same_run(const epi_run_t *a, const epi_run_t *b)
{
    return strcmp(a->dataset, b->dataset) == 0 && strcmp(a->target, b->target) == 0 &&
           a->samples == b->samples && a->cases == b->cases && a->controls == b->controls &&
           a->variants == b->variants && a->top == b->top && strcmp(a->selection, b->selection) == 0 &&
           a->pvalue == b->pvalue && a->screen == b->screen && a->parts == b->parts && a->quantitative == b->quantitative;
}

int gdl_epistasis_merge(const char *const *paths, int n, const char *out_path)
{
    int rc = -1;
    epi_table_t *t = calloc((size_t)(n > 0 ? n : 1), sizeof *t);
    int64_t (*refs)[2] = NULL, total = 0;
    char **names = NULL, **genes = NULL;
    gdl_epi_pair_t *rows = NULL;
    gdl_outfile_t out = {0};
    if (!t) goto oom;
    for (int i = 0; i < n; i++) {
        if (gdl_epi_table_read(paths[i], &t[i]) != 0) goto done;
        if (!same_run(&t[0].run, &t[i].run)) {
            gdl_log_error("%s: not a part of the run of %s (dataset, target, samples, options or number of "
                          "parts differ)", paths[i], paths[0]);
            goto done;
        }
        for (int j = 0; j < i; j++)
            if (t[j].run.part == t[i].run.part) {
                gdl_log_error("%s: part %d/%d again (also in %s)", paths[i], t[i].run.part, t[i].run.parts, paths[j]);
                goto done;
            }
        total += t[i].n;
    }
    if (n != t[0].run.parts) {
        gdl_log_error("%d of the %d parts given: every part of the run is needed", n, t[0].run.parts);
        goto done;
    }
    epi_run_t run = t[0].run;
    run.part = run.parts = 1, run.pairs = run.tests = run.fitted = 0;
    for (int i = 0; i < n; i++)
        run.pairs += t[i].run.pairs, run.tests += t[i].run.tests, run.fitted += t[i].run.fitted;
    if (!(refs = malloc((size_t)(total ? total : 1) * sizeof *refs))) goto oom;
    int64_t m = 0;
    for (int i = 0; i < n; i++)
        for (int64_t r = 0; r < t[i].n; r++) refs[m][0] = i, refs[m][1] = r, m++;
    sort_tables = t; // qsort has no context argument; merges do not run concurrently
    qsort(refs, (size_t)total, sizeof *refs, by_pair_order);
    int64_t keep = total < run.top ? total : run.top;
    if (!(rows = malloc((size_t)(keep ? keep : 1) * sizeof *rows)) ||
        !(names = malloc((size_t)(2 * keep + 1) * sizeof *names)) ||
        !(genes = malloc((size_t)(2 * keep + 1) * sizeof *genes)))
        goto oom;
    for (int64_t r = 0; r < keep; r++) {
        const epi_table_t *s = &t[refs[r][0]];
        int64_t x = refs[r][1];
        rows[r] = s->rows[x];
        names[2 * r] = s->names[2 * x], names[2 * r + 1] = s->names[2 * x + 1];
        genes[2 * r] = s->genes[2 * x], genes[2 * r + 1] = s->genes[2 * x + 1];
    }
    if (gdl_outfile_open(&out, out_path) != 0) goto done;
    if (gdl_epi_table_write(out.fp, &run, rows, keep, NULL, names, genes) != 0) {
        gdl_outfile_abort(&out);
        goto done;
    }
    rc = gdl_outfile_commit(&out);
    goto done;
oom:
    gdl_log_error("out of memory");
done:
    if (t)
        for (int i = 0; i < n; i++) gdl_epi_table_free(&t[i]);
    free(t), free(refs), free(rows), free(names), free(genes);
    return rc;
}
