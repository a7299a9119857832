/* gdl attribute: choose the examples, stream them through a method in batches (memory bounded
 * by the batch, not the cohort), and write the genotype tables or the per-base sequence outputs. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "attr_internal.h"
#include "gdl/dataops.h"

/* Rows of the examples listed in path (one ID per line, first tab field; # comments). */
static int64_t *read_ids(const gdl_dataset_t *d, const char *path, int64_t *n)
{
    gdl_lines_t lr;
    gdl_idmap_t map = {0}, seen = {0};
    int64_t *rows = NULL, cap = 0;
    char *line;
    *n = 0;
    if (gdl_lines_open(&lr, path) != 0) return NULL;
    for (int64_t i = 0; i < d->n_examples; i++)
        if (gdl_idmap_put(&map, d->ids[i], i) < 0) goto oom;
    while ((line = gdl_lines_next(&lr))) {
        char *tab = strchr(line, '\t');
        if (tab) *tab = 0;
        if (!*line || *line == '#') continue;
        int64_t r = gdl_idmap_get(&map, line);
        if (r < 0) {
            gdl_log_error("%s:%lld: ID '%s' is not in %s", path, (long long)lr.lineno, line,
                          gdl_file_path(d->file));
            goto fail;
        }
        int dup = gdl_idmap_put(&seen, line, r);
        if (dup < 0) goto oom;
        if (dup == 1) {
            gdl_log_error("%s:%lld: ID '%s' listed twice", path, (long long)lr.lineno, line);
            goto fail;
        }
        if (*n == cap) {
            cap = cap ? 2 * cap : 64;
            int64_t *t = realloc(rows, sizeof *t * (size_t)cap);
            if (!t) goto oom;
            rows = t;
        }
        rows[(*n)++] = r;
    }
    if (gdl_lines_failed(&lr)) goto fail;
    if (!*n) {
        gdl_log_error("%s: no IDs", path);
        goto fail;
    }
    gdl_lines_close(&lr);
    gdl_idmap_free(&map), gdl_idmap_free(&seen);
    return rows;
oom:
    gdl_log_error("out of memory");
fail:
    gdl_lines_close(&lr);
    gdl_idmap_free(&map), gdl_idmap_free(&seen);
    free(rows);
    return NULL;
}

static int64_t *select_rows(const gdl_attribute_opts_t *o, const gdl_attr_t *a, int64_t *n)
{
    const gdl_dataset_t *d = a->d;
    int64_t *rows;
    if (o->ids_path) {
        if (!(rows = read_ids(d, o->ids_path, n))) return NULL;
    } else {
        if (!(rows = malloc(sizeof *rows * (size_t)(d->n_examples ? d->n_examples : 1)))) {
            gdl_log_error("out of memory");
            return NULL;
        }
        for (int64_t i = 0; i < d->n_examples; i++) rows[i] = i;
        *n = d->n_examples;
    }
    if (o->cases) {
        int k = a->target_index[a->target];
        if (k < 0 || a->m->kind != GDL_TARGET_BINARY) {
            gdl_log_error("--cases: %s has no binary labels for target '%s'", gdl_file_path(d->file),
                          a->m->target_names[a->target]);
            free(rows);
            return NULL;
        }
        int64_t m = 0;
        for (int64_t i = 0; i < *n; i++)
            if (d->labels[rows[i] * d->n_targets + k] == 1) rows[m++] = rows[i];
        *n = m;
    }
    if (!*n) {
        gdl_log_error("%s: no example selected", gdl_file_path(d->file));
        free(rows);
        return NULL;
    }
    return rows;
}

/* The background samples: a seeded random subset of the selection (all when it is smaller). */
static int64_t *backgrounds(const int64_t *rows, int64_t n, int want, uint64_t seed, int64_t *nb)
{
    int64_t *bg = malloc(sizeof *bg * (size_t)n);
    if (!bg) {
        gdl_log_error("out of memory");
        return NULL;
    }
    memcpy(bg, rows, sizeof *bg * (size_t)n);
    gdl_rng_t r;
    gdl_rng_init(&r, seed, 8000);
    gdl_rng_shuffle(&r, bg, n);
    *nb = want > 0 && want < n ? want : n;
    return bg;
}

/* A bar on a terminal; on a log, a line at every tenth of the examples. */
static void progress(gdl_progress_t *bar, int64_t done, int64_t n, int64_t *next)
{
    gdl_progress_update(bar, done, NULL);
    if (bar->on || (done < *next && done < n)) return;
    if (gdl_log_get_level() >= GDL_LOG_INFO)
        fprintf(stderr, "[attribute] %lld of %lld examples\n", (long long)done, (long long)n);
    *next = done + (n + 9) / 10;
}

static int run_genotypes(const gdl_attribute_opts_t *o, gdl_attr_t *a, const int64_t *rows, int64_t n)
{
    int64_t M = a->W, B = a->spec.batch, nb = 0, next = 0;
    gdl_progress_t bar = {0};
    double *acc = calloc((size_t)M, sizeof *acc), *p = NULL;
    float *att = malloc(sizeof *att * (size_t)(B * M));
    int64_t *bg = backgrounds(rows, n, o->backgrounds, a->spec.seed, &nb);
    int rc = -1;
    if (!acc || !att || !bg) {
        gdl_log_error("out of memory");
        goto out;
    }
    // ism toggles every variant of each sample: it runs over the backgrounds, not every sample
    const int64_t *use = o->method == GDL_ATTR_ISM ? bg : rows;
    int64_t nu = o->method == GDL_ATTR_ISM ? nb : n;
    gdl_progress_begin(&bar, "[attribute] examples", nu);
    for (int64_t b0 = 0; b0 < nu; b0 += B) {
        int64_t m = nu - b0 < B ? nu - b0 : B;
        if (gdl_attr_compute(a, o->method, use + b0, m, att) != 0) goto out;
        gdl_attr_add_columns(acc, att, m, M, !o->signed_mean);
        progress(&bar, b0 + m, nu, &next);
    }
    gdl_progress_end(&bar); // before the tables' own messages
    for (int64_t j = 0; j < M; j++) acc[j] /= (double)nu;
    const uint8_t *absent = a->d->geno->absent; // model variants the cohort lacks (gdl_model_align)
    for (int64_t j = 0; absent && j < M; j++)
        if (absent[j]) acc[j] = NAN; // not ranked, not in a pair
    if (o->pairs > 0) {
        rc = gdl_attr_pairs(a, acc, o->pairs, bg, nb, o->out_path);
    } else if (o->level == GDL_LEVEL_GENE) {
        rc = gdl_attr_write_genes(a->d->geno, acc, o->gene_agg, o->null_sets, a->spec.seed, o->out_path);
    } else {
        if (o->assoc) {
            int k = a->target_index[a->target];
            if (k < 0 || a->m->kind != GDL_TARGET_BINARY) {
                gdl_log_error("--assoc: %s has no binary labels for target '%s'", gdl_file_path(a->d->file),
                              a->m->target_names[a->target]);
                goto out;
            }
            // association over every labelled example: a case-only selection would have no contrast
            int64_t *all = malloc(sizeof *all * (size_t)a->d->n_examples);
            if (!all || !(p = malloc(sizeof *p * (size_t)M))) {
                free(all);
                gdl_log_error("out of memory");
                goto out;
            }
            for (int64_t i = 0; i < a->d->n_examples; i++) all[i] = i;
            int r = gdl_attr_assoc(a->d, k, all, a->d->n_examples, p);
            free(all);
            if (r != 0) goto out;
        }
        rc = gdl_attr_write_variants(a->d->geno, acc, p, o->out_path);
    }
out:
    gdl_progress_end(&bar);
    free(acc), free(att), free(bg), free(p);
    return rc;
}

/* PREFIX.ID.svg of one example: x and att (W); ism (W) scratch for a sequence's heatmap. */
static int write_example_svg(const gdl_attribute_opts_t *o, gdl_attr_t *a, int64_t row, const float *x,
                             const float *att, const char *const *names, float *ism)
{
    const gdl_input_t *in = a->in[a->ai].input;
    const char *id = a->d->ids[row], *method = gdl_attr_method_name(o->method);
    size_t len = strlen(o->svg_prefix) + strlen(id) + 8;
    char *path = malloc(len);
    int rc = -1;
    if (!path) {
        gdl_log_error("out of memory");
        return -1;
    }
    snprintf(path, len, "%s.%s.svg", o->svg_prefix, id);
    if (!gdl_attr_is_sequence(a)) {
        rc = gdl_attr_write_numeric_svg(path, id, x, att, names, in->channels, in->length, method);
    } else if (o->method == GDL_ATTR_ISM || gdl_attr_compute(a, GDL_ATTR_ISM, &row, 1, ism) == 0) {
        rc = gdl_attr_write_seq_svg(path, id, x, att, o->method == GDL_ATTR_ISM ? att : ism, in->length, method);
    }
    free(path);
    return rc;
}

static void tsv_header(FILE *fp, const char *const *names, int64_t C)
{
    fprintf(fp, "id\tpos\tbase");
    for (int64_t c = 0; c < C; c++) fprintf(fp, "\t%s", names[c]);
    fprintf(fp, "\tscore\n");
}

static int run_inputs(const gdl_attribute_opts_t *o, gdl_attr_t *a, const int64_t *rows, int64_t n)
{
    const gdl_input_t *in = a->in[a->ai].input;
    int64_t W = a->W, B = a->spec.batch, C = in->channels, L = in->length, next = 0;
    gdl_progress_t bar = {0};
    float *att = malloc(sizeof *att * (size_t)(B * W)), *x = malloc(sizeof *x * (size_t)(B * W));
    float *ism = malloc(sizeof *ism * (size_t)W);
    double *profile = o->profile_prefix ? calloc((size_t)W, sizeof *profile) : NULL;
    const char **names = gdl_attr_channel_names(in);
    gdl_outfile_t npy = {0}, tsv = {0};
    int rc = -1, npy_open = 0, tsv_open = 0;
    if (!att || !x || !ism || !names || (o->profile_prefix && !profile)) {
        gdl_log_error("out of memory");
        goto out;
    }
    if (gdl_outfile_open(&npy, o->out_path) != 0) goto out;
    npy_open = 1;
    if (gdl_npy_write_header(npy.fp, "<f4", 3, (int64_t[]){n, C, L}) != 0) goto out;
    if (o->tsv_path) {
        if (gdl_outfile_open(&tsv, o->tsv_path) != 0) goto out;
        tsv_open = 1;
        tsv_header(tsv.fp, names, C);
    }
    gdl_progress_begin(&bar, "[attribute] examples", n);
    for (int64_t b0 = 0; b0 < n; b0 += B) {
        int64_t m = n - b0 < B ? n - b0 : B;
        if (gdl_attr_input(a, rows + b0, m, x) != 0 || gdl_attr_compute(a, o->method, rows + b0, m, att) != 0)
            goto out;
        if (fwrite(att, sizeof *att, (size_t)(m * W), npy.fp) != (size_t)(m * W)) {
            gdl_log_write_error(o->out_path);
            goto out;
        }
        if (profile) gdl_attr_add_columns(profile, att, m, W, 1);
        for (int64_t i = 0; i < m; i++) {
            const float *xi = x + i * W, *ai = att + i * W;
            if (tsv_open && gdl_attr_write_seq_tsv(tsv.fp, a->d->ids[rows[b0 + i]], xi, ai, C, L,
                                               o->method == GDL_ATTR_ISM) != 0)
                goto out;
            if (o->svg_prefix && write_example_svg(o, a, rows[b0 + i], xi, ai, names, ism) != 0) goto out;
        }
        progress(&bar, b0 + m, n, &next);
    }
    gdl_progress_end(&bar);
    if (profile && gdl_attr_write_profile(o->profile_prefix, profile, n, C, L, names,
                                      gdl_attr_method_name(o->method)) != 0)
        goto out;
    if (tsv_open) {
        tsv_open = 0;
        if (gdl_outfile_commit(&tsv) != 0) goto out;
    }
    npy_open = 0;
    rc = gdl_outfile_commit(&npy);
out:
    gdl_progress_end(&bar);
    if (npy_open) gdl_outfile_abort(&npy);
    if (tsv_open) gdl_outfile_abort(&tsv);
    free(att), free(x), free(ism), free(profile), free(names);
    return rc;
}

int gdl_attribute(const gdl_attribute_opts_t *o)
{
    gdl_model_t *m = NULL;
    gdl_dataset_t *d = NULL;
    gdl_attr_t *a = NULL;
    int64_t *rows = NULL, n = 0;
    int rc = -1;
    gdl_attr_spec_t spec = o->spec;
    spec.scores_only = o->method == GDL_ATTR_ISM || o->method == GDL_ATTR_OCCLUSION;
    if (!(m = gdl_model_load_mapped(o->model_path)) || !(d = gdl_dataset_open(o->data_path)) ||
        gdl_model_align(m, d, o->min_overlap) != 0 || !(a = gdl_attr_new(m, d, &spec)) || !(rows = select_rows(o, a, &n)))
        goto out;
    if (o->spec.baseline == GDL_BASELINE_MEAN && gdl_attr_set_mean_baseline(a, rows, n) != 0) goto out;
    if (o->method == GDL_ATTR_IG && o->spec.baseline == GDL_BASELINE_SHUFFLE && !gdl_attr_is_sequence(a)) {
        gdl_log_error("--baseline shuffle: the attributed input '%s' is not a sequence", a->in[a->ai].name);
        goto out;
    }
    if (gdl_attr_is_genotype(a)) {
        if (o->tsv_path || o->svg_prefix || o->profile_prefix) {
            gdl_log_error("--tsv, --svg and --profile are for sequence and numeric inputs; genotype "
                          "results are tables");
            goto out;
        }
        rc = run_genotypes(o, a, rows, n);
    } else {
        if (o->pairs > 0 || o->level == GDL_LEVEL_GENE || o->assoc || o->null_sets > 0) {
            gdl_log_error("--level gene, --pairs, --null and --assoc are for genotype inputs");
            goto out;
        }
        if ((o->tsv_path || o->svg_prefix) && !o->ids_path) {
            gdl_log_error("--tsv and --svg write the examples chosen with --ids");
            goto out;
        }
        rc = run_inputs(o, a, rows, n);
    }
out:
    free(rows);
    gdl_attr_free(a);
    gdl_dataset_close(d);
    gdl_model_free(m);
    return rc;
}
