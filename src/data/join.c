/* gdl join: one dataset with the inputs of several, matched by example ID. N examples. */
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "gdl/core.h"
#include "gdl/dataops.h"

int gdl_dataset_join(const char *const *paths, int n, const char *const *names, int n_names,
                     const char *out)
{
    gdl_dataset_t *d[GDL_DATASET_MAX_INPUTS] = {0};
    gdl_idmap_t map[GDL_DATASET_MAX_INPUTS] = {{0}};
    gdl_input_t in[GDL_DATASET_MAX_INPUTS];
    int src_of[GDL_DATASET_MAX_INPUTS]; // dataset of each input
    int n_in = 0, rc = -1, geno_from = -1, lab_from = -1, rc_from = -1;
    int64_t *rows = NULL, kept = 0; // rows: (kept, n) source row of each example in each dataset
    float *labels = NULL;
    gdl_strings_t ids = {0}, tnames = {0}, classes[GDL_DATASET_MAX_TARGETS] = {{0}};
    gdl_catalog_t cat = {0};
    gdl_writer_t *w = NULL;
    if (n < 2 || n > GDL_DATASET_MAX_INPUTS) {
        gdl_log_error("join needs 2 to %d datasets, got %d", GDL_DATASET_MAX_INPUTS, n);
        return -1;
    }
    for (int k = 0; k < n; k++) {
        if (!(d[k] = gdl_dataset_open(paths[k]))) goto done;
        for (int64_t i = 0; i < d[k]->n_examples; i++)
            if (gdl_idmap_put(&map[k], d[k]->ids[i], i) < 0) goto done;
        if (d[k]->geno) {
            if (geno_from >= 0) {
                gdl_log_error("%s and %s both hold genotypes; a dataset has at most one genotype "
                              "input", paths[geno_from], paths[k]);
                goto done;
            }
            geno_from = k;
        }
        if (lab_from < 0 && d[k]->n_targets > 0) lab_from = k;
        if (rc_from < 0 && d[k]->rc_group) rc_from = k;
        for (int j = 0; j < d[k]->n_inputs; j++) {
            if (n_in == GDL_DATASET_MAX_INPUTS) {
                gdl_log_error("more than %d inputs", GDL_DATASET_MAX_INPUTS);
                goto done;
            }
            in[n_in] = d[k]->inputs[j];
            src_of[n_in++] = k;
        }
    }
    if (names && n_names != n_in) {
        gdl_log_error("--names gives %d names for %d inputs (genotypes excluded)", n_names, n_in);
        goto done;
    }
    for (int j = 0; j < n_in; j++) {
        if (names) in[j].name = names[j];
        for (int i = 0; i < j; i++)
            if (strcmp(in[i].name, in[j].name) == 0) {
                gdl_log_error("input '%s' is in both %s and %s; rename with --names", in[j].name,
                              paths[src_of[i]], paths[src_of[j]]);
                goto done;
            }
    }
    int64_t N0 = d[0]->n_examples;
    if (!(rows = malloc((size_t)(N0 ? N0 : 1) * n * sizeof *rows))) {
        gdl_log_error("out of memory");
        goto done;
    }
    for (int64_t i = 0; i < N0; i++) {
        int64_t *r = rows + kept * n;
        int all = 1;
        r[0] = i;
        for (int k = 1; k < n && all; k++) all = (r[k] = gdl_idmap_get(&map[k], d[0]->ids[i])) >= 0;
        if (all) {
            if (gdl_strings_push(&ids, d[0]->ids[i])) goto done;
            kept++;
        }
    }
    for (int k = 0; k < n; k++)
        if (d[k]->n_examples > kept)
            gdl_log_warn("%s: %" PRId64 " of its %" PRId64 " examples are not in every input and "
                         "were dropped", paths[k], d[k]->n_examples - kept, d[k]->n_examples);
    if (kept == 0) {
        gdl_log_error("the datasets share no example ID");
        goto done;
    }
    int T = lab_from >= 0 ? d[lab_from]->n_targets : 0;
    gdl_target_kind_t kinds[GDL_DATASET_MAX_TARGETS];
    const gdl_strings_t *cls[GDL_DATASET_MAX_TARGETS] = {0};
    if (T > 0) {
        const gdl_dataset_t *L = d[lab_from];
        if (!(labels = malloc((size_t)(kept * T) * sizeof *labels))) {
            gdl_log_error("out of memory");
            goto done;
        }
        for (int64_t e = 0; e < kept; e++)
            memcpy(labels + e * T, L->labels + rows[e * n + lab_from] * T, (size_t)T * sizeof *labels);
        for (int t = 0; t < T; t++) {
            kinds[t] = L->targets[t].kind;
            if (gdl_strings_push(&tnames, L->targets[t].name)) goto done;
            for (int c = 0; c < L->targets[t].n_classes; c++)
                if (gdl_strings_push(&classes[t], L->targets[t].classes[c])) goto done;
            cls[t] = &classes[t];
        }
    }
    const gdl_genotypes_t *g = geno_from >= 0 ? d[geno_from]->geno : NULL;
    if (g && gdl_catalog_from_genotypes(&cat, g)) goto done;
    gdl_dataset_spec_t spec = {.n_examples = kept, .ids = &ids, .n_targets = T,
                               .target_names = &tnames, .target_kinds = kinds,
                               .target_classes = cls, .labels = labels,
                               .catalog = g ? &cat : NULL, .encoding = g ? g->encoding : 0};
    gdl_dataset_slots_t s;
    gdl_inputs_slots_t is;
    if (!(w = gdl_writer_new()) || gdl_dataset_declare(w, &spec, &s) ||
        gdl_inputs_declare(w, &spec, in, n_in, rc_from >= 0, &is) || gdl_writer_open(w, out) ||
        gdl_dataset_fill(w, &spec, &s))
        goto done;
    if (g) {
        uint8_t *dst = gdl_writer_data(w, s.genotypes);
        for (int64_t e = 0; e < kept; e++)
            memcpy(dst + e * g->row_bytes, g->packed + rows[e * n + geno_from] * g->row_bytes,
                   (size_t)g->row_bytes);
    }
    for (int j = 0; j < n_in; j++) {
        size_t rb = in[j].format == GDL_INPUT_SEQ8 ? (size_t)in[j].length
                                                   : (size_t)gdl_input_width(&in[j]) * sizeof(float);
        const char *src = in[j].format == GDL_INPUT_SEQ8 ? (const char *)in[j].bases
                                                         : (const char *)in[j].values;
        char *dst = gdl_writer_data(w, is.input[j]);
        for (int64_t e = 0; e < kept; e++)
            memcpy(dst + e * rb, src + rows[e * n + src_of[j]] * rb, rb);
    }
    if (rc_from >= 0) { // groups of the first dataset that has them, as indices of the result
        int64_t *grp = gdl_writer_data(w, is.rc_group), *pos = NULL;
        int64_t Nr = d[rc_from]->n_examples;
        if (!(pos = malloc((size_t)Nr * sizeof *pos))) {
            gdl_log_error("out of memory");
            goto done;
        }
        for (int64_t i = 0; i < Nr; i++) pos[i] = -1;
        for (int64_t e = 0; e < kept; e++) pos[rows[e * n + rc_from]] = e;
        for (int64_t e = 0; e < kept; e++) {
            int64_t f = pos[d[rc_from]->rc_group[rows[e * n + rc_from]]];
            grp[e] = f >= 0 ? f : e; // the group's forward example was dropped: its own group
        }
        free(pos);
    }
    if (gdl_writer_commit(w)) goto done;
    rc = 0;
done:
    gdl_writer_free(w);
    for (int k = 0; k < n; k++) {
        gdl_dataset_close(d[k]);
        gdl_idmap_free(&map[k]);
    }
    for (int t = 0; t < GDL_DATASET_MAX_TARGETS; t++) gdl_strings_free(&classes[t]);
    gdl_strings_free(&ids);
    gdl_strings_free(&tnames);
    gdl_catalog_free(&cat);
    free(rows);
    free(labels);
    return rc;
}
