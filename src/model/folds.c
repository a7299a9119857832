/* Fold assignment for cross-validation: stratified by class, or whole groups per fold. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "gdl/core.h"
#include "gdl/model.h"

enum { STREAM_FOLDS = 0x464f4c44 }; // "FOLD": the RNG stream of fold assignment

typedef struct {
    int64_t index;
    int key;          // stratum, or group number
} item_t;

static int by_key(const void *a, const void *b)
{
    const item_t *x = a, *y = b;
    if (x->key != y->key) return x->key < y->key ? -1 : 1;
    return x->index < y->index ? -1 : x->index > y->index;
}

/* Stable merge sort of indices by their names (qsort_r would be a GNU extension). */
static void sort_by_name(int64_t *idx, int64_t n, const char *const *names, int64_t *tmp)
{
    if (n < 2) return;
    int64_t h = n / 2;
    sort_by_name(idx, h, names, tmp);
    sort_by_name(idx + h, n - h, names, tmp);
    int64_t i = 0, j = h, k = 0;
    while (i < h && j < n) tmp[k++] = strcmp(names[idx[j]], names[idx[i]]) < 0 ? idx[j++] : idx[i++];
    while (i < h) tmp[k++] = idx[i++];
    while (j < n) tmp[k++] = idx[j++];
    memcpy(idx, tmp, n * sizeof *idx);
}

static int assign_groups(int64_t N, int K, gdl_rng_t *rng, const char *const *groups, int *fold)
{
    int64_t *idx = malloc(N * sizeof *idx), *tmp = malloc(N * sizeof *tmp), *first = NULL;
    int64_t *count = calloc(K, sizeof *count), n_groups = 0;
    int ret = -1;
    if (!idx || !tmp || !count || !(first = malloc((N + 1) * sizeof *first))) {
        gdl_log_error("out of memory");
        goto out;
    }
    for (int64_t i = 0; i < N; i++) idx[i] = i;
    sort_by_name(idx, N, groups, tmp); // groups in name order, so the result ignores input order
    for (int64_t i = 0; i < N; i++)
        if (i == 0 || strcmp(groups[idx[i]], groups[idx[i - 1]]) != 0) first[n_groups++] = i;
    first[n_groups] = N;
    if (n_groups < K) {
        gdl_log_error("%lld groups cannot fill %d folds", (long long)n_groups, K);
        goto out;
    }
    int64_t *order = tmp; // reuse: a permutation of the groups
    for (int64_t g = 0; g < n_groups; g++) order[g] = g;
    gdl_rng_shuffle(rng, order, n_groups);
    for (int64_t k = 0; k < n_groups; k++) {
        int64_t g = order[k];
        int best = 0;
        for (int f = 1; f < K; f++)
            if (count[f] < count[best]) best = f;
        for (int64_t i = first[g]; i < first[g + 1]; i++) fold[idx[i]] = best;
        count[best] += first[g + 1] - first[g];
    }
    ret = 0;
out:
    free(idx), free(tmp), free(count), free(first);
    return ret;
}

int gdl_folds_assign(int64_t N, int K, uint64_t seed, const int *strata, const char *const *groups,
                     int *fold)
{
    gdl_rng_t rng;
    if (K < 2 || K > N) {
        gdl_log_error("cannot make %d folds of %lld examples", K, (long long)N);
        return -1;
    }
    gdl_rng_init(&rng, seed, STREAM_FOLDS);
    if (groups) return assign_groups(N, K, &rng, groups, fold);
    item_t *items = malloc(N * sizeof *items);
    int64_t *perm = malloc(N * sizeof *perm);
    if (!items || !perm) {
        free(items), free(perm);
        gdl_log_error("out of memory");
        return -1;
    }
    for (int64_t i = 0; i < N; i++) items[i] = (item_t){i, strata ? strata[i] : 0};
    qsort(items, N, sizeof *items, by_key);
    int64_t deal = 0;
    for (int64_t b = 0, e; b < N; b = e) {
        for (e = b; e < N && items[e].key == items[b].key; e++) perm[e - b] = items[e].index;
        gdl_rng_shuffle(&rng, perm, e - b);
        for (int64_t i = 0; i < e - b; i++) fold[perm[i]] = (int)(deal++ % K);
    }
    free(items), free(perm);
    return 0;
}

int *gdl_folds_strata(const gdl_dataset_t *d)
{
    int *s = malloc((d->n_examples ? d->n_examples : 1) * sizeof *s);
    if (!s) {
        gdl_log_error("out of memory");
        return NULL;
    }
    for (int64_t i = 0; i < d->n_examples; i++) {
        float y = d->n_targets ? d->labels[i * d->n_targets] : NAN;
        s[i] = d->n_targets && d->targets[0].kind != GDL_TARGET_REGRESSION && !isnan(y) ? (int)y : -1;
    }
    return s;
}

int gdl_folds_split(const gdl_dataset_t *d, const int *strata, const char *const *groups,
                    const int64_t *rows, int64_t n, int K, uint64_t seed, int *part)
{
    int64_t N = d->n_examples, *rep_of = NULL, *reps = NULL, n_reps = 0;
    int *sub = NULL, *rep_part = NULL, ret = -1;
    const char **sub_groups = NULL;
    if (!(sub = calloc(n ? n : 1, sizeof *sub))) goto oom;
    if (groups) {
        if (!(sub_groups = malloc(n * sizeof *sub_groups))) goto oom;
        for (int64_t i = 0; i < n; i++) sub_groups[i] = groups[rows[i]];
        ret = gdl_folds_assign(n, K, seed, NULL, sub_groups, part);
        goto out;
    }
    if (!d->rc_group) {
        for (int64_t i = 0; i < n; i++) sub[i] = strata ? strata[rows[i]] : 0;
        ret = gdl_folds_assign(n, K, seed, sub, NULL, part);
        goto out;
    }
    // a sequence and its reverse complement share a fold: deal the representatives, then copy
    if (!(rep_of = malloc(N * sizeof *rep_of)) || !(reps = malloc(n * sizeof *reps)) ||
        !(rep_part = malloc(n * sizeof *rep_part)))
        goto oom;
    for (int64_t j = 0; j < N; j++) rep_of[j] = -1;
    for (int64_t i = 0; i < n; i++) rep_of[rows[i]] = -2; // in this subset
    for (int64_t i = 0; i < n; i++) {
        int64_t r = d->rc_group[rows[i]];
        if (r == rows[i] || r < 0 || r >= N || rep_of[r] == -1) { // its own group here
            sub[n_reps] = strata ? strata[rows[i]] : 0;
            rep_of[rows[i]] = n_reps;
            reps[n_reps++] = rows[i];
        }
    }
    if (gdl_folds_assign(n_reps, K, seed, sub, NULL, rep_part) != 0) goto out;
    for (int64_t i = 0; i < n; i++) {
        int64_t r = d->rc_group[rows[i]];
        int64_t k = rep_of[rows[i]] >= 0 ? rep_of[rows[i]] : rep_of[r];
        part[i] = rep_part[k];
    }
    ret = 0;
    goto out;
oom:
    gdl_log_error("out of memory");
out:
    free(sub), free(sub_groups), free(rep_of), free(reps), free(rep_part);
    return ret;
}

int64_t gdl_folds_n_groups(const char *const *groups, const int64_t *rows, int64_t n)
{
    const char **names = malloc((size_t)(n ? n : 1) * sizeof *names);
    int64_t *idx = malloc((size_t)(n ? n : 1) * sizeof *idx), *tmp = malloc((size_t)(n ? n : 1) * sizeof *tmp);
    int64_t count = -1;
    if (!names || !idx || !tmp) {
        gdl_log_error("out of memory");
        goto out;
    }
    for (int64_t i = 0; i < n; i++) names[i] = groups[rows[i]], idx[i] = i;
    sort_by_name(idx, n, names, tmp);
    count = 0;
    for (int64_t i = 0; i < n; i++) count += i == 0 || strcmp(names[idx[i]], names[idx[i - 1]]) != 0;
out:
    free(names), free(idx), free(tmp);
    return count;
}

/* Whether an example of rows[0..n) lies on chromosome name[0..len). */
static int has_chrom(const gdl_dataset_t *d, const int64_t *rows, int64_t n, const char *name, size_t len)
{
    for (int64_t i = 0; i < n; i++) {
        const char *c = d->example_chrom[rows[i]];
        if (strlen(c) == len && !strncmp(c, name, len)) return 1;
    }
    return 0;
}

/* The first few distinct chromosomes of rows, comma-joined into buf (an error message's list). */
static const char *some_chroms(const gdl_dataset_t *d, const int64_t *rows, int64_t n, char *buf, size_t size)
{
    const char *seen[6];
    int k = 0;
    buf[0] = 0;
    for (int64_t i = 0; i < n && k < 6; i++) {
        const char *c = d->example_chrom[rows[i]];
        int known = 0;
        for (int j = 0; j < k && !known; j++) known = !strcmp(seen[j], c);
        if (known) continue;
        seen[k++] = c;
        size_t at = strlen(buf);
        snprintf(buf + at, size - at, "%s%s", k > 1 ? ", " : "", k < 6 ? c : "...");
    }
    return buf;
}

/* Every name of a comma list has examples among rows, and none is in `other`; -1 with an error. */
static int check_chrom_list(const gdl_dataset_t *d, const char *path, const int64_t *rows, int64_t n,
                            const char *list, const char *option, const char *other)
{
    for (const char *p = list; p; p = strchr(p, ',') ? strchr(p, ',') + 1 : NULL) {
        size_t len = strchr(p, ',') ? (size_t)(strchr(p, ',') - p) : strlen(p);
        char name[256];
        snprintf(name, sizeof name, "%.*s", (int)(len < 255 ? len : 255), p);
        if (!len) {
            gdl_log_error("%s '%s': an empty chromosome name", option, list);
            return -1;
        }
        if (!has_chrom(d, rows, n, p, len)) {
            char some[320];
            gdl_log_error("%s: %s: chromosome '%s' has no examples (the dataset has %s)", path, option, name,
                          some_chroms(d, rows, n, some, sizeof some));
            return -1;
        }
        if (other && gdl_config_lists_name(other, name)) {
            gdl_log_error("%s: chromosome '%s' is in both --train-chrom and --test-chrom", option, name);
            return -1;
        }
    }
    return 0;
}

int gdl_folds_by_chrom(const gdl_dataset_t *d, const char *path, const int64_t *rows, int64_t n,
                       const char *train_chroms, const char *test_chroms, int *fold, int64_t *n_train,
                       int64_t *n_test)
{
    *n_train = *n_test = 0;
    if (!d->example_chrom) {
        gdl_log_error("%s: no chromosome per example: --test-chrom needs a dataset encoded from --bed or"
                      " --task center-base", path);
        return -1;
    }
    if (check_chrom_list(d, path, rows, n, test_chroms, "--test-chrom", train_chroms) != 0 ||
        (train_chroms && check_chrom_list(d, path, rows, n, train_chroms, "--train-chrom", NULL) != 0))
        return -1;
    for (int64_t i = 0; i < n; i++) {
        const char *c = d->example_chrom[rows[i]];
        if (gdl_config_lists_name(test_chroms, c)) fold[i] = 0;
        else fold[i] = !train_chroms || gdl_config_lists_name(train_chroms, c) ? 1 : -1;
        *n_test += fold[i] == 0, *n_train += fold[i] == 1;
    }
    if (!*n_train) {
        gdl_log_error("%s: --test-chrom %s: no chromosome is left to train on", path, test_chroms);
        return -1;
    }
    return 0;
}
