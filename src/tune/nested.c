/* Nested cross-validation: a search inside each outer fold's training examples (gdl train --tune). */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gdl/core.h"
#include "gdl/tune.h"

/* PREFIX.foldK.WHAT, or PREFIX.WHAT for k = 0; malloc'd. */
static char *fold_file(const char *prefix, int k, const char *what)
{
    char fold[32] = "";
    if (k > 0) snprintf(fold, sizeof fold, ".fold%d", k);
    size_t n = strlen(prefix) + strlen(fold) + strlen(what) + 2;
    char *p = malloc(n);
    if (p) snprintf(p, n, "%s%s.%s", prefix, fold, what);
    return p;
}

char *gdl_tune_fold_config(void *nested, int k, const int64_t *rows, int64_t n)
{
    const gdl_tune_nested_t *t = nested;
    gdl_tune_opts_t o = t->search;
    char *table = fold_file(t->prefix, k, "tune.tsv"), *best = fold_file(t->prefix, k, "tuned.json");
    char *folds = fold_file(t->prefix, k, "tune-folds.tsv"), *json = NULL;
    if (!table || !best || !folds) {
        gdl_log_error("out of memory");
        goto out;
    }
    o.rows = rows, o.n_rows = n, o.table_path = table, o.out_path = best, o.folds_out = folds;
    if (k > 0) gdl_log_info("fold %d: searching %s on its %" PRId64 " training examples", k, o.space_path, n);
    else gdl_log_info("refit: searching %s on all %" PRId64 " examples", o.space_path, n);
    if (gdl_tune(&o, &json) != 0) json = NULL;
out:
    free(table), free(best), free(folds);
    return json;
}

char *gdl_tune_default_config(const char *space_path)
{
    gdl_space_t *s = gdl_space_load(space_path);
    char **values = NULL, *json = NULL;
    if (!s) return NULL;
    if (gdl_space_sample(s, 0, 0, &values) != 0) gdl_log_error("out of memory");
    else json = gdl_space_resolve(s, values);
    gdl_space_values_free(s, values);
    gdl_space_free(s);
    return json;
}
