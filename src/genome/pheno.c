/* Phenotype tables: a TSV with a header line, the sample ID in the first column, one target
 * per requested column. A column is binary when its values are all 0/1 or all case/control
 * (case = 1), regression when all are numbers, categorical otherwise (classes sorted by name,
 * label = class index). Missing: empty, NA, NaN, '.'. */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "genome_internal.h"
#include "gdl/core.h"
#include "gdl/dataops.h"

#define MAX_FIELDS 4096

struct pheno_t {
    int T;
    gdl_strings_t names;
    gdl_target_kind_t kinds[GDL_DATASET_MAX_TARGETS];
    gdl_strings_t classes_[GDL_DATASET_MAX_TARGETS];
    const gdl_strings_t *classes[GDL_DATASET_MAX_TARGETS];
    int64_t n, cap;
    float *values;  // (n, T)
    uint8_t *used;  // (n)
    gdl_idmap_t ids; // id -> row
};

static int is_missing(const char *v)
{
    return !*v || strcmp(v, ".") == 0 || strcasecmp(v, "NA") == 0 || strcasecmp(v, "NaN") == 0;
}

static const char *raw_name(const gdl_strings_t *names, int t)
{
    const char *s = names->buf;
    while (t-- > 0) s += strlen(s) + 1;
    return s;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

void gdl_pheno_free(pheno_t *p)
{
    if (!p) return;
    gdl_strings_free(&p->names);
    for (int t = 0; t < GDL_DATASET_MAX_TARGETS; t++) gdl_strings_free(&p->classes_[t]);
    free(p->values);
    free(p->used);
    gdl_idmap_free(&p->ids);
    free(p);
}

pheno_t *gdl_pheno_load(const char *path, const char *cols)
{
    pheno_t *p = calloc(1, sizeof *p);
    FILE *fp = NULL;
    char *line = NULL, **f = NULL, *want = NULL;
    char ***raw = NULL; // (T) arrays of n value strings, freed at the end
    int colidx[GDL_DATASET_MAX_TARGETS];
    size_t cap = 0;
    long lineno = 0;
    int nf0 = 0, failed = 0;
    if (!p) {
        gdl_log_error("out of memory");
        return NULL;
    }
    if (!(f = malloc(MAX_FIELDS * sizeof *f))) goto oom;
    if (!cols || !*cols) {
        gdl_log_error("%s: --pheno needs --pheno-col NAME[,NAME...]", path);
        goto fail;
    }
    if (!(fp = fopen(path, "r"))) {
        gdl_log_error("%s: %s", path, strerror(errno));
        goto fail;
    }
    if (getline(&line, &cap, fp) <= 0) {
        gdl_log_error("%s:1: empty file, expected a header line", path);
        goto fail;
    }
    lineno = 1;
    line[strcspn(line, "\r\n")] = 0;
    if ((nf0 = gdl_split_tabs(line, f, MAX_FIELDS)) > MAX_FIELDS) {
        gdl_log_error("%s:1: more than %d columns", path, MAX_FIELDS);
        goto fail;
    }
    if (!(want = strdup(cols))) goto oom;
    for (char *tok = strtok(want, ","); tok; tok = strtok(NULL, ",")) {
        if (p->T == GDL_DATASET_MAX_TARGETS) {
            gdl_log_error("--pheno-col: more than %d columns", GDL_DATASET_MAX_TARGETS);
            goto fail;
        }
        int k = -1;
        for (int i = 1; i < nf0; i++)
            if (strcmp(f[i], tok) == 0) k = i;
        if (k < 0) {
            gdl_log_error("%s:1: no column named '%s' in the header", path, tok);
            goto fail;
        }
        colidx[p->T++] = k;
        if (gdl_strings_push(&p->names, tok)) goto fail;
    }
    if (!(raw = calloc(p->T ? p->T : 1, sizeof *raw))) goto oom;
    while (getline(&line, &cap, fp) > 0) {
        lineno++;
        line[strcspn(line, "\r\n")] = 0;
        if (!*line) continue;
        int nf = gdl_split_tabs(line, f, MAX_FIELDS);
        if (nf != nf0) {
            gdl_log_error("%s:%ld: %d fields, the header has %d", path, lineno, nf, nf0);
            goto fail;
        }
        int r = gdl_idmap_put(&p->ids, f[0], p->n);
        if (r < 0) goto fail;
        if (r == 1) {
            gdl_log_error("%s:%ld: sample '%s' appears twice", path, lineno, f[0]);
            goto fail;
        }
        if (p->n == p->cap) {
            p->cap = p->cap ? 2 * p->cap : 256;
            for (int t = 0; t < p->T; t++) {
                char **r = realloc(raw[t], p->cap * sizeof *r);
                if (!r) goto oom;
                raw[t] = r;
                for (int64_t i = p->n; i < p->cap; i++) r[i] = NULL;
            }
        }
        for (int t = 0; t < p->T; t++)
            if (!(raw[t][p->n] = strdup(f[colidx[t]]))) goto oom;
        p->n++;
    }
    if (ferror(fp)) {
        gdl_log_error("%s: read error", path);
        goto fail;
    }
    if (!(p->values = malloc((p->n * p->T + 1) * sizeof *p->values)) ||
        !(p->used = calloc(p->n + 1, 1)))
        goto oom;
    for (int t = 0; t < p->T; t++) {
        int all01 = 1, allcc = 1, allnum = 1, any = 0;
        for (int64_t i = 0; i < p->n; i++) {
            const char *v = raw[t][i];
            if (is_missing(v)) continue;
            any = 1;
            char *end;
            double x = strtod(v, &end);
            if (end == v || *end || !isfinite(x)) allnum = 0;
            if (strcmp(v, "0") != 0 && strcmp(v, "1") != 0) all01 = 0;
            if (strcasecmp(v, "case") != 0 && strcasecmp(v, "control") != 0) allcc = 0;
        }
        if (!any) {
            gdl_log_error("%s: column '%s' has no value", path, raw_name(&p->names, t));
            goto fail;
        }
        const char **cls = NULL;
        int ncls = 0;
        p->kinds[t] = all01 || allcc ? GDL_TARGET_BINARY : allnum ? GDL_TARGET_REGRESSION
                                                                   : GDL_TARGET_CATEGORICAL;
        if (p->kinds[t] == GDL_TARGET_CATEGORICAL) {
            if (!(cls = malloc(p->n * sizeof *cls))) goto oom;
            for (int64_t i = 0; i < p->n; i++)
                if (!is_missing(raw[t][i])) cls[ncls++] = raw[t][i];
            qsort(cls, ncls, sizeof *cls, cmp_str);
            int k = 0;
            for (int i = 0; i < ncls; i++)
                if (i == 0 || strcmp(cls[i], cls[k - 1]) != 0) cls[k++] = cls[i];
            ncls = k;
            for (int i = 0; i < ncls; i++)
                if (gdl_strings_push(&p->classes_[t], cls[i])) {
                    free(cls);
                    goto fail;
                }
            p->classes[t] = &p->classes_[t];
        }
        for (int64_t i = 0; i < p->n; i++) {
            const char *v = raw[t][i];
            float *out = &p->values[i * p->T + t];
            if (is_missing(v)) *out = NAN;
            else if (allcc && !all01) *out = strcasecmp(v, "case") == 0;
            else if (p->kinds[t] != GDL_TARGET_CATEGORICAL) *out = (float)strtod(v, NULL);
            else {
                const char **hit = bsearch(&v, cls, ncls, sizeof *cls, cmp_str);
                *out = (float)(hit - cls);
            }
        }
        free(cls);
    }
    goto done;
oom:
    gdl_log_error("out of memory");
fail:
    failed = 1;
done:
    for (int t = 0; raw && t < p->T; t++) {
        for (int64_t i = 0; raw[t] && i < p->n; i++) free(raw[t][i]);
        free(raw[t]);
    }
    free(raw);
    free(line);
    free(f);
    free(want);
    if (fp) fclose(fp);
    if (failed) {
        gdl_pheno_free(p);
        return NULL;
    }
    return p;
}

int gdl_pheno_targets(const pheno_t *p) { return p->T; }
const gdl_strings_t *gdl_pheno_names(const pheno_t *p) { return &p->names; }
const gdl_target_kind_t *gdl_pheno_kinds(const pheno_t *p) { return p->kinds; }
const gdl_strings_t *const *gdl_pheno_classes(const pheno_t *p) { return p->classes; }
int64_t gdl_pheno_rows(const pheno_t *p) { return p->n; }

int gdl_pheno_get(pheno_t *p, const char *id, float *out)
{
    int64_t k = gdl_idmap_get(&p->ids, id);
    if (k < 0) {
        for (int t = 0; t < p->T; t++) out[t] = NAN;
        return -1;
    }
    p->used[k] = 1;
    int all = 1;
    for (int t = 0; t < p->T; t++) {
        out[t] = p->values[k * p->T + t];
        if (isnan(out[t])) all = 0;
    }
    return all;
}

int64_t gdl_pheno_unused(const pheno_t *p)
{
    int64_t n = 0;
    for (int64_t i = 0; i < p->n; i++) n += !p->used[i];
    return n;
}
