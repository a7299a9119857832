/* Label tables: labels.tsv keyed by ID, or labels aligned with the examples; kinds inferred
 * per column (see dataops.h). */
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "gdl/core.h"
#include "gdl/dataops.h"

static int is_missing(const char *s)
{
    return !*s || strcmp(s, "NA") == 0 || strcmp(s, "NaN") == 0 || strcmp(s, "nan") == 0 ||
           strcmp(s, ".") == 0;
}

static int parse_number(const char *s, double *out) { return gdl_parse_double(s, s + strlen(s), out); }

int gdl_labels_init(gdl_labels_t *lt, const char *path, int aligned, const gdl_strings_t *names)
{
    memset(lt, 0, sizeof *lt);
    lt->path = path;
    lt->aligned = aligned;
    lt->T = (int)names->n;
    if (lt->T > GDL_DATASET_MAX_TARGETS) {
        gdl_log_error("%s: %d label columns; at most %d are supported", path, lt->T,
                      GDL_DATASET_MAX_TARGETS);
        return -1;
    }
    const char *p = names->buf;
    for (int t = 0; t < lt->T; t++, p += strlen(p) + 1)
        if (gdl_strings_push(&lt->names, p)) return -1;
    return 0;
}

int gdl_labels_add(gdl_labels_t *lt, const char *id, char *const *cells, int64_t line)
{
    if (!lt->aligned) {
        int r = gdl_idmap_put(&lt->map, id, lt->rows);
        if (r) return r;
        if (gdl_strings_push(&lt->ids, id)) return -1;
    }
    if (lt->rows == lt->rows_cap) {
        int64_t cap = lt->rows_cap ? 2 * lt->rows_cap : 1024;
        int64_t *l = realloc(lt->lines, cap * sizeof *l);
        if (!l) {
            gdl_log_error("out of memory");
            return -1;
        }
        lt->lines = l;
        lt->rows_cap = cap;
    }
    for (int t = 0; t < lt->T; t++)
        if (gdl_strings_push(&lt->cells, cells[t])) return -1;
    lt->lines[lt->rows++] = line;
    return 0;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

int gdl_labels_finish(gdl_labels_t *lt)
{
    int64_t R = lt->rows, T = lt->T;
    const char **cell = NULL, **sorted = NULL;
    if (!(lt->values = malloc((R * T > 0 ? R * T : 1) * sizeof *lt->values)) ||
        !(cell = malloc((R * T > 0 ? R * T : 1) * sizeof *cell)) ||
        !(sorted = malloc((R > 0 ? R : 1) * sizeof *sorted))) {
        gdl_log_error("out of memory");
        goto fail;
    }
    const char *p = lt->cells.buf;
    for (int64_t i = 0; i < R * T; i++, p += strlen(p) + 1) cell[i] = p;
    const char *name = lt->names.buf;
    for (int t = 0; t < T; t++, name += strlen(name) + 1) {
        int binary = 1, numeric = 1, cc = 1;
        int64_t k = 0;
        for (int64_t i = 0; i < R; i++) {
            const char *s = cell[i * T + t];
            double v;
            if (is_missing(s)) continue;
            int num = parse_number(s, &v) == 0;
            numeric &= num;
            binary &= num && (v == 0 || v == 1);
            cc &= strcmp(s, "case") == 0 || strcmp(s, "control") == 0;
            sorted[k++] = s;
        }
        gdl_target_kind_t kind = binary || cc ? GDL_TARGET_BINARY
                                 : numeric    ? GDL_TARGET_REGRESSION
                                              : GDL_TARGET_CATEGORICAL;
        lt->kinds[t] = kind;
        int64_t K = 0;
        if (kind == GDL_TARGET_CATEGORICAL) { // distinct values, sorted, become the classes
            qsort(sorted, k, sizeof *sorted, cmp_str);
            for (int64_t i = 0; i < k; i++)
                if (i == 0 || strcmp(sorted[i], sorted[K - 1]) != 0) sorted[K++] = sorted[i];
            if (K > 65536) {
                gdl_log_error("%s: label column '%s' has %" PRId64 " distinct values: not a "
                              "class label", lt->path, name, K);
                goto fail;
            }
            for (int64_t i = 0; i < K; i++)
                if (gdl_strings_push(&lt->classes[t], sorted[i])) goto fail;
        }
        for (int64_t i = 0; i < R; i++) {
            const char *s = cell[i * T + t];
            double v = NAN;
            if (is_missing(s)) v = NAN;
            else if (kind == GDL_TARGET_CATEGORICAL) {
                const char **hit = bsearch(&s, sorted, K, sizeof *sorted, cmp_str);
                v = (double)(hit - sorted);
            } else if (cc) v = strcmp(s, "case") == 0;
            else parse_number(s, &v);
            lt->values[i * T + t] = (float)v;
        }
    }
    free(cell);
    free(sorted);
    return 0;
fail:
    free(cell);
    free(sorted);
    return -1;
}

int gdl_labels_read(gdl_labels_t *lt, const char *path)
{
    gdl_lines_t r;
    gdl_strings_t names = {0};
    char *f[GDL_DATASET_MAX_TARGETS + 2];
    memset(lt, 0, sizeof *lt);
    if (gdl_lines_open(&r, path)) return -1;
    char *line = gdl_lines_next(&r);
    if (!line) {
        if (!gdl_lines_failed(&r)) gdl_log_error("%s: empty (expected a header line)", path);
        goto fail;
    }
    int n = gdl_split_tabs(line, f, GDL_DATASET_MAX_TARGETS + 1);
    if (n < 2 || n > GDL_DATASET_MAX_TARGETS + 1) {
        gdl_log_error("%s:1: header has %d columns; expected the ID column and 1 to %d label "
                      "columns", path, n, GDL_DATASET_MAX_TARGETS);
        goto fail;
    }
    for (int t = 1; t < n; t++)
        if (gdl_strings_push(&names, f[t])) goto fail;
    if (gdl_labels_init(lt, path, 0, &names)) goto fail;
    while ((line = gdl_lines_next(&r))) {
        if (!*line) continue;
        int m = gdl_split_tabs(line, f, n);
        if (m != n) {
            gdl_log_error("%s:%" PRId64 ": %s%d columns, the header has %d", path, r.lineno,
                          m > n ? "more than " : "", m > n ? n : m, n);
            goto fail;
        }
        int rc = gdl_labels_add(lt, f[0], f + 1, r.lineno);
        if (rc < 0) goto fail;
        if (rc == 1) {
            gdl_log_error("%s:%" PRId64 ": duplicate ID '%s' (first at line %" PRId64 ")", path,
                          r.lineno, f[0], lt->lines[gdl_idmap_get(&lt->map, f[0])]);
            goto fail;
        }
    }
    if (gdl_lines_failed(&r) || gdl_labels_finish(lt)) goto fail;
    gdl_lines_close(&r);
    gdl_strings_free(&names);
    return 0;
fail:
    gdl_lines_close(&r);
    gdl_strings_free(&names);
    gdl_labels_free(lt);
    return -1;
}

void gdl_labels_free(gdl_labels_t *lt)
{
    gdl_strings_free(&lt->names);
    gdl_strings_free(&lt->ids);
    gdl_strings_free(&lt->cells);
    gdl_idmap_free(&lt->map);
    for (int t = 0; t < GDL_DATASET_MAX_TARGETS; t++) gdl_strings_free(&lt->classes[t]);
    free(lt->lines);
    free(lt->values);
    lt->lines = NULL;
    lt->values = NULL;
}
