/* The kind of each target (docs/formats.md, predictions.tsv): multi-class from its columns;
 * otherwise binary when every label is 0 or 1, else regression, unless --regression or --binary
 * names it. Shared by the file reader (predictions.c) and the in-memory scores (scores.c). */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "eval_internal.h"
#include "gdl/core.h"

/* "a,b,c" or "all": is name listed? Unknown names were rejected before. */
static int listed(const char *list, const char *name)
{
    if (!list) return 0;
    if (strcmp(list, "all") == 0) return 1;
    size_t n = strlen(name);
    for (const char *s = list; *s;) {
        const char *c = strchr(s, ',');
        size_t len = c ? (size_t)(c - s) : strlen(s);
        if (len == n && memcmp(s, name, n) == 0) return 1;
        if (!c) break;
        s = c + 1;
    }
    return 0;
}

int gdl_eval_target_index(const eval_preds_t *p, const char *s, size_t n)
{
    for (int t = 0; t < p->T; t++)
        if (p->targets[t].name && strlen(p->targets[t].name) == n && memcmp(p->targets[t].name, s, n) == 0)
            return t;
    return -1;
}

int gdl_eval_check_list(const eval_preds_t *p, const char *path, const char *opt, const char *list)
{
    if (!list || strcmp(list, "all") == 0) return 0;
    for (const char *s = list; *s;) {
        const char *c = strchr(s, ',');
        size_t len = c ? (size_t)(c - s) : strlen(s);
        if (gdl_eval_target_index(p, s, len) < 0) {
            gdl_log_error("%s: --%s names '%.*s', which has no '%.*s:label' column", path, opt,
                          (int)len, s, (int)len, s);
            return -1;
        }
        if (!c) break;
        s = c + 1;
    }
    return 0;
}

int gdl_eval_forced_regression(const char *regression, const char *binary, const char *name)
{
    int reg = listed(regression, name), bin = listed(binary, name);
    if (reg && bin && !(strcmp(regression, "all") == 0) != !(strcmp(binary, "all") == 0))
        return strcmp(regression, "all") != 0;
    return reg;
}

/* A target held as doubles whose labels are all 0 or 1: held as float scores and label bits like
 * any binary target. 0, or -1 out of memory. */
static int to_bits(eval_target_t *t, int64_t N)
{
    t->kind = GDL_EVAL_BINARY;
    t->fscore = gdl_big_alloc(sizeof(float) * (size_t)N);
    t->known = gdl_big_alloc(8 * eval_bit_words(N));
    t->pos = gdl_big_alloc(8 * eval_bit_words(N));
    if (!t->fscore || !t->known || !t->pos) return -1;
    for (int64_t r = 0; r < N; r++) {
        t->fscore[r] = (float)t->score[r] + 0.0f; // +0: a tiny negative rounds to -0
        if (isnan(t->label[r])) continue;
        eval_set_bit(t->known, r);
        if (t->label[r] == 1) eval_set_bit(t->pos, r);
    }
    gdl_big_free(t->label, sizeof(double) * (size_t)N);
    gdl_big_free(t->score, sizeof(double) * (size_t)N);
    t->label = t->score = NULL;
    return 0;
}

int gdl_eval_decide_kind(eval_preds_t *p, int ti, const char *path, int lines,
                         const char *regression, const char *binary)
{
    eval_target_t *t = &p->targets[ti];
    t->n_labelled = 0;
    if (t->known) { // read as bits: every label 0 or 1
        for (size_t w = 0; w < eval_bit_words(p->N); w++) t->n_labelled += __builtin_popcountll(t->known[w]);
        return 0;
    }
    for (int64_t r = 0; r < p->N; r++) t->n_labelled += !isnan(t->label[r]);
    if (t->kind == GDL_EVAL_MULTICLASS) {
        if (listed(regression, t->name) && strcmp(regression, "all") != 0) {
            gdl_log_error("%s:%s --regression names '%s', a multi-class target", path, lines ? "1:" : "",
                          t->name);
            return -1;
        }
        return 0;
    }
    int reg = listed(regression, t->name), bin = listed(binary, t->name);
    if (reg && bin && !(strcmp(regression, "all") == 0) != !(strcmp(binary, "all") == 0)) {
        // a name beats "all"
        if (strcmp(regression, "all") == 0) reg = 0;
        else bin = 0;
    }
    if (reg && bin) {
        gdl_log_error("%s: target '%s' is named by both --regression and --binary", path, t->name);
        return -1;
    }
    int64_t other = -1;
    for (int64_t r = 0; r < p->N && other < 0; r++) {
        double y = t->label[r];
        if (!isnan(y) && y != 0 && y != 1) other = r;
    }
    if (reg) {
        t->kind = GDL_EVAL_REGRESSION;
    } else if (bin && other >= 0) {
        gdl_log_error("%s:%s%lld: %s:label is %.17g, but binary targets take 0 or 1 (named by --binary)",
                      path, lines ? "" : " example ", (long long)other + (lines ? 2 : 1), t->name,
                      t->label[other]);
        return -1;
    } else if (other >= 0) {
        t->kind = GDL_EVAL_REGRESSION;
    } else if (to_bits(t, p->N) != 0) { // labels written "0.0", "1.0", or held in memory
        gdl_log_error("out of memory");
        return -1;
    }
    return 0;
}
