/* predictions.tsv: the reader. One header line (id, optional fold, T:label and T:score per
 * target, or T:score:CLASS per class of a multi-class target), then one row per example.
 * The file is mapped (or read whole from a pipe; text.c) and its rows are parsed in parallel,
 * straight into per-target columns. Every defect is reported as "PATH:LINE: what". The
 * contract (what is accepted, how kinds are decided): docs/formats.md. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "eval_internal.h"
#include "gdl/core.h"
#include "gdl/dataops.h"

#define MAX_FOLDS 1000

/* ---- numbers (the general parser: data/numbers.c) ----------------------------------------------------------------------------- */

/* The common case of a field, parsed while it is found: [-]digits[.digits] ending at a tab or
 * the end of the line, at most 19 significant digits, exact under Clinger's rule. Returns the
 * end of the field, or NULL to let the general path (eval_parse_double) decide. */
static inline const char *scan_fast(const char *p, const char *e, double *out)
{
    int neg = p < e && *p == '-';
    p += neg;
    const char *start = p;
    uint64_t m = 0;
    int digits = 0, frac = 0;
    while (p < e && (unsigned)(*p - '0') < 10) {
        m = m * 10 + (uint64_t)(*p++ - '0');
        digits += m != 0;
    }
    if (p < e && *p == '.') {
        p++;
        while (p < e && (unsigned)(*p - '0') < 10) {
            m = m * 10 + (uint64_t)(*p++ - '0');
            digits += m != 0, frac++;
        }
    }
    if (p == start || (p < e && *p != '\t') || digits > 19 || frac > 22 || m >= (1ull << 53) ||
        (p - start == 1 && *start == '.'))
        return NULL;
    double v = (double)m / gdl_pow10_exact[frac];
    *out = (neg ? -v : v) + 0.0;
    return p;
}

/* ---- the header ---------------------------------------------------------------------------- */

enum { COL_ID, COL_FOLD, COL_LABEL, COL_SCORE, COL_CLASS };

typedef struct {
    int role, t, k; // role, target, class
} column_t;

typedef struct {
    const char *path;
    eval_text_t text; // the file's bytes and row starts
    int ncol;
    column_t *col;
    eval_preds_t *p;
    int64_t r0, r1;  // the rows of the window being parsed
    int second;      // the second pass: only the targets in wide, into doubles
    uint8_t *other;  // (T) a label other than 0 or 1 was seen (set racily to 1 by any thread)
    uint8_t *wide;   // (T) read again as doubles
    /* fold field of each row of the window, mapped to names after its parallel pass */
    int64_t *fold_off;
    int32_t *fold_len;
    char **fold_seen; // (MAX_FOLDS) names in order of first appearance
    int n_fold_seen;
    /* per chunk: the first error */
    int64_t err_row[GDL_MAX_THREADS];
    char err_msg[GDL_MAX_THREADS][512];
} reader_t;

static void fail_at(reader_t *rd, int chunk, int64_t row, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static void fail_at(reader_t *rd, int chunk, int64_t row, const char *fmt, ...)
{
    if (rd->err_row[chunk] >= 0) return;
    rd->err_row[chunk] = row;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(rd->err_msg[chunk], sizeof rd->err_msg[chunk], fmt, ap);
    va_end(ap);
}

static int ends_with(const char *s, size_t n, const char *suf)
{
    size_t m = strlen(suf);
    return n >= m && memcmp(s + n - m, suf, m) == 0;
}

static char *dupn(const char *s, size_t n)
{
    char *d = malloc(n + 1);
    if (d) memcpy(d, s, n), d[n] = 0;
    return d;
}

static int parse_header(reader_t *rd, const char *h, size_t len)
{
    eval_preds_t *p = rd->p;
    const char *path = rd->path;
    if (len && h[len - 1] == '\r') len--;
    int ncol = 1;
    for (size_t i = 0; i < len; i++) ncol += h[i] == '\t';
    const char **f = malloc(sizeof *f * (size_t)ncol);
    size_t *fl = malloc(sizeof *fl * (size_t)ncol);
    rd->col = calloc((size_t)ncol, sizeof *rd->col);
    p->targets = calloc((size_t)ncol, sizeof *p->targets);
    if (!f || !fl || !rd->col || !p->targets) {
        gdl_log_error("out of memory");
        goto fail;
    }
    rd->ncol = ncol;
    for (int c = 0, i = 0; c < ncol; c++) {
        f[c] = h + i;
        const char *tab = memchr(h + i, '\t', len - (size_t)i);
        fl[c] = tab ? (size_t)(tab - (h + i)) : len - (size_t)i;
        i += (int)fl[c] + 1;
    }
    if (fl[0] != 2 || memcmp(f[0], "id", 2) != 0) {
        gdl_log_error("%s:1: the first column must be 'id', found '%.*s'", path, (int)fl[0], f[0]);
        goto fail;
    }
    int first = 1;
    if (ncol > 1 && fl[1] == 4 && memcmp(f[1], "fold", 4) == 0) rd->col[1].role = COL_FOLD, first = 2;
    // targets are the T:label columns, in order
    for (int c = first; c < ncol; c++) {
        if (!ends_with(f[c], fl[c], ":label")) continue;
        size_t n = fl[c] - 6;
        if (n == 0) {
            gdl_log_error("%s:1: column %d ':label' has no target name", path, c + 1);
            goto fail;
        }
        if (gdl_eval_target_index(p, f[c], n) >= 0) {
            gdl_log_error("%s:1: column '%.*s' appears twice", path, (int)fl[c], f[c]);
            goto fail;
        }
        eval_target_t *t = &p->targets[p->T];
        if (!(t->name = dupn(f[c], n))) goto oom;
        rd->col[c] = (column_t){COL_LABEL, p->T++, 0};
    }
    if (p->T == 0) {
        gdl_log_error("%s:1: no T:label column: the header needs id, [fold,] then T:label and "
                      "T:score for each target", path);
        goto fail;
    }
    int *has_score = calloc((size_t)p->T, sizeof *has_score); // 1 plain, 2 per class
    if (!has_score) goto oom;
    for (int c = first; c < ncol; c++) {
        if (rd->col[c].role == COL_LABEL) continue;
        // the longest target name T such that the column is T:score or T:score:CLASS
        int best = -1;
        size_t best_len = 0;
        for (int t = 0; t < p->T; t++) {
            size_t n = strlen(p->targets[t].name); // NOLINT(clang-analyzer-core.NonNullParamChecker): named above
            if (fl[c] >= n + 6 && memcmp(f[c], p->targets[t].name, n) == 0 &&
                memcmp(f[c] + n, ":score", 6) == 0 && (fl[c] == n + 6 || f[c][n + 6] == ':') &&
                n >= best_len)
                best = t, best_len = n;
        }
        if (best < 0) {
            gdl_log_error("%s:1: column %d '%.*s' is none of id, fold, T:label, T:score, "
                          "T:score:CLASS (with a T:label column for T)", path, c + 1, (int)fl[c], f[c]);
            free(has_score);
            goto fail;
        }
        eval_target_t *t = &p->targets[best];
        int plain = fl[c] == best_len + 6;
        if ((plain && has_score[best]) || (!plain && has_score[best] == 1)) {
            gdl_log_error("%s:1: target '%s' has %s", path, t->name,
                          plain && has_score[best] == 1 ? "two T:score columns"
                                                        : "both T:score and T:score:CLASS columns");
            free(has_score);
            goto fail;
        }
        if (plain) {
            has_score[best] = 1;
            rd->col[c] = (column_t){COL_SCORE, best, 0};
            continue;
        }
        has_score[best] = 2;
        const char *cls = f[c] + best_len + 7;
        size_t cl = fl[c] - best_len - 7;
        if (cl == 0) {
            gdl_log_error("%s:1: column '%.*s' has an empty class name", path, (int)fl[c], f[c]);
            free(has_score);
            goto fail;
        }
        for (int k = 0; k < t->K; k++)
            if (strlen(t->classes[k]) == cl && memcmp(t->classes[k], cls, cl) == 0) {
                gdl_log_error("%s:1: column '%.*s' appears twice", path, (int)fl[c], f[c]);
                free(has_score);
                goto fail;
            }
        char **cs = realloc(t->classes, sizeof *cs * (size_t)(t->K + 1));
        if (!cs) {
            free(has_score);
            goto oom;
        }
        t->classes = cs;
        if (!(t->classes[t->K] = dupn(cls, cl))) {
            free(has_score);
            goto oom;
        }
        rd->col[c] = (column_t){COL_CLASS, best, t->K++};
    }
    for (int t = 0; t < p->T; t++) {
        eval_target_t *tg = &p->targets[t];
        if (!has_score[t]) {
            gdl_log_error("%s:1: target '%s' has a label column but no '%s:score' column", path,
                          tg->name, tg->name);
            free(has_score);
            goto fail;
        }
        if (has_score[t] == 2 && tg->K < 2) {
            gdl_log_error("%s:1: multi-class target '%s' has %d class column; it needs 2 or more",
                          path, tg->name, tg->K);
            free(has_score);
            goto fail;
        }
        tg->kind = has_score[t] == 2 ? GDL_EVAL_MULTICLASS : GDL_EVAL_BINARY;
    }
    free(has_score);
    free(f);
    free(fl);
    return 0;
oom:
    gdl_log_error("out of memory");
fail:
    free(f);
    free(fl);
    return -1;
}

/* ---- the rows ---------------------------------------------------------------------------------- */

/* a binary target's label field [fs, fe) of row r; -1 (and the error) when it is not a number */
static int binary_label(reader_t *rd, int chunk, eval_target_t *t, int64_t r, const char *fs, const char *fe)
{
    double v;
    if (fe == fs) return 0; // missing
    eval_set_bit(t->known, r);
    if (fe - fs == 1 && (*fs == '0' || *fs == '1')) {
        if (*fs == '1') eval_set_bit(t->pos, r);
        return 0;
    }
    if (gdl_parse_double(fs, fe, &v) == 0) { // a regression target after all: read again
        __atomic_store_n(&rd->other[t - rd->p->targets], 1, __ATOMIC_RELAXED);
        return 0;
    }
    fail_at(rd, chunk, r, "%s:%lld: %s:label '%.*s' is not a number (a missing label is an empty field)",
            rd->path, (long long)r + 2, t->name, (int)(fe - fs > 64 ? 64 : fe - fs), fs);
    return -1;
}

/* Rows of the window in blocks of 64 (a block's label bits are one word, written by one thread):
 * block b holds rows [base + 64 b, base + 64 b + 64) cut to [r0, r1), base = r0 rounded down. */
static void parse_rows(void *ctx, int64_t begin, int64_t end, int chunk)
{
    reader_t *rd = ctx;
    eval_preds_t *p = rd->p;
    const int ncol = rd->ncol;
    const int64_t base = rd->r0 & ~(int64_t)63;
    int64_t first = base + 64 * begin, last = base + 64 * end;
    if (first < rd->r0) first = rd->r0;
    if (last > rd->r1) last = rd->r1;
    for (int64_t r = first; r < last; r++) {
        const char *s = rd->text.buf + rd->text.line[r];
        const char *e = rd->text.buf + rd->text.line[r + 1];
        if (e > s && e[-1] == '\n') e--;
        if (e > s && e[-1] == '\r') e--;
        const int64_t ln = r + 2;
        if (s == e) {
            fail_at(rd, chunk, r, "%s:%lld: empty line; every row needs %d fields", rd->path,
                    (long long)ln, ncol);
            return;
        }
        int c = 0;
        const char *fs = s;
        for (;;) {
            const char *fe;
            double v;
            const column_t *col = c < ncol ? &rd->col[c] : NULL;
            eval_target_t *t = col && col->role >= COL_LABEL ? &p->targets[col->t] : NULL;
            if (rd->second && !(t && rd->wide[col->t])) goto skip; // checked by the first pass
            if (t && col->role == COL_LABEL && t->known) { // binary: 0, 1 or empty as bits
                if (fs < e && (*fs == '0' || *fs == '1') && (fs + 1 == e || fs[1] == '\t')) {
                    eval_set_bit(t->known, r);
                    if (*fs == '1') eval_set_bit(t->pos, r);
                    fe = fs + 1;
                    goto next;
                }
            } else if (t && col->role == COL_LABEL) {
                if (t->kind != GDL_EVAL_MULTICLASS && fs < e && (*fs == '0' || *fs == '1') &&
                    (fs + 1 == e || fs[1] == '\t')) {
                    t->label[r] = *fs - '0';
                    fe = fs + 1;
                    goto next;
                }
            } else if (t && t->fscore) {
                if ((fe = scan_fast(fs, e, &v))) {
                    t->fscore[r] = (float)v + 0.0f; // +0: a tiny negative rounds to -0
                    goto next;
                }
            } else if (t) {
                double *dst = col->role == COL_SCORE ? &t->score[r] : &t->score[r * t->K + col->k];
                if ((fe = scan_fast(fs, e, dst))) goto next;
            }
        skip:
            fe = memchr(fs, '\t', (size_t)(e - fs));
            if (!fe) fe = e;
            if (rd->second && !(t && rd->wide[col->t])) goto next;
            if (c >= ncol) {
                int n = c + 1;
                for (const char *q = fe; q < e; q++) n += *q == '\t';
                fail_at(rd, chunk, r, "%s:%lld: %d fields, the header has %d", rd->path,
                        (long long)ln, n, ncol);
                return;
            }
            switch (col->role) {
            case COL_ID:
                if (fe == fs) {
                    fail_at(rd, chunk, r, "%s:%lld: empty id", rd->path, (long long)ln);
                    return;
                }
                break;
            case COL_FOLD:
                if (fe == fs) {
                    fail_at(rd, chunk, r, "%s:%lld: empty fold", rd->path, (long long)ln);
                    return;
                }
                rd->fold_off[r] = fs - rd->text.buf;
                rd->fold_len[r] = (int32_t)(fe - fs);
                break;
            case COL_LABEL:
                if (t->known) {
                    if (binary_label(rd, chunk, t, r, fs, fe) != 0) return;
                } else if (fe == fs) {
                    t->label[r] = NAN;
                } else if (t->kind == GDL_EVAL_MULTICLASS) {
                    int k = 0;
                    size_t n = (size_t)(fe - fs);
                    while (k < t->K && !(strlen(t->classes[k]) == n && memcmp(t->classes[k], fs, n) == 0))
                        k++;
                    if (k == t->K) {
                        fail_at(rd, chunk, r, "%s:%lld: %s:label '%.*s' is not one of the target's "
                                "%d classes (from its %s:score:CLASS columns)", rd->path, (long long)ln,
                                t->name, (int)(n > 64 ? 64 : n), fs, t->K, t->name);
                        return;
                    }
                    t->label[r] = k;
                } else if (fe - fs == 1 && (*fs == '0' || *fs == '1')) {
                    t->label[r] = *fs - '0';
                } else if (gdl_parse_double(fs, fe, &v) == 0) {
                    t->label[r] = v;
                } else {
                    fail_at(rd, chunk, r, "%s:%lld: %s:label '%.*s' is not a number (a missing "
                            "label is an empty field)", rd->path, (long long)ln, t->name,
                            (int)(fe - fs > 64 ? 64 : fe - fs), fs);
                    return;
                }
                break;
            default: { // COL_SCORE, COL_CLASS
                if (fe != fs && gdl_parse_double(fs, fe, &v) != 0) {
                    int n = (int)(fe - fs > 64 ? 64 : fe - fs);
                    if (col->role == COL_SCORE)
                        fail_at(rd, chunk, r, "%s:%lld: %s:score '%.*s' is not a finite number",
                                rd->path, (long long)ln, t->name, n, fs);
                    else
                        fail_at(rd, chunk, r, "%s:%lld: %s:score:%s '%.*s' is not a finite number",
                                rd->path, (long long)ln, t->name, t->classes[col->k], n, fs);
                    return;
                }
                if (fe == fs) v = NAN; // allowed only when the label is missing, checked below
                if (t->fscore) t->fscore[r] = (float)v + 0.0f;
                else if (col->role == COL_SCORE) t->score[r] = v;
                else t->score[r * t->K + col->k] = v;
            }
            }
        next:
            c++;
            if (fe == e) break;
            fs = fe + 1;
        }
        if (rd->second) continue;
        if (c != ncol) {
            fail_at(rd, chunk, r, "%s:%lld: %d field%s, the header has %d", rd->path, (long long)ln,
                    c, c == 1 ? "" : "s", ncol);
            return;
        }
        for (int ti = 0; ti < p->T; ti++) {
            eval_target_t *t = &p->targets[ti];
            int empty = 0;
            if (t->known) {
                empty = eval_bit(t->known, r) && isnan(t->fscore[r]);
            } else if (!isnan(t->label[r])) {
                int K = t->kind == GDL_EVAL_MULTICLASS ? t->K : 1;
                for (int k = 0; k < K; k++) empty |= isnan(t->score[r * K + k]);
            }
            if (empty) {
                fail_at(rd, chunk, r, "%s:%lld: %s has a label but an empty score", rd->path,
                        (long long)ln, t->name);
                return;
            }
        }
    }
}

/* ---- folds ------------------------------------------------------------------------------------- */

static int is_int(const char *s)
{
    char *end;
    if (!*s) return 0;
    strtoll(s, &end, 10);
    return *end == 0;
}

static int fold_cmp_num(const void *a, const void *b)
{
    long long x = strtoll(*(char *const *)a, NULL, 10), y = strtoll(*(char *const *)b, NULL, 10);
    return (x > y) - (x < y);
}

static int fold_cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* the fold names of rows [r0, r1) as indices in order of first appearance */
static int map_fold_rows(reader_t *rd, int64_t r0, int64_t r1)
{
    eval_preds_t *p = rd->p;
    char **names = rd->fold_seen;
    for (int64_t r = r0; r < r1; r++) {
        const char *s = rd->text.buf + rd->fold_off[r];
        size_t n = (size_t)rd->fold_len[r];
        int f = 0, F = rd->n_fold_seen;
        while (f < F && !(strlen(names[f]) == n && memcmp(names[f], s, n) == 0)) f++;
        if (f == F) {
            if (F == MAX_FOLDS) {
                gdl_log_error("%s:%lld: more than %d distinct values in the fold column", rd->path,
                              (long long)r + 2, MAX_FOLDS);
                return -1;
            }
            if (!(names[F] = dupn(s, n))) {
                gdl_log_error("out of memory");
                return -1;
            }
            rd->n_fold_seen++;
        }
        p->fold[r] = f;
    }
    return 0;
}

/* order the folds by name (numerically when all are integers) and renumber the rows */
static int sort_folds(reader_t *rd)
{
    eval_preds_t *p = rd->p;
    int F = rd->n_fold_seen;
    char **names = rd->fold_seen;
    char **sorted = malloc(sizeof *sorted * (size_t)F);
    int32_t *remap = malloc(sizeof *remap * (size_t)F);
    if (!sorted || !remap) {
        free(sorted), free(remap);
        gdl_log_error("out of memory");
        return -1;
    }
    memcpy(sorted, names, sizeof *sorted * (size_t)F);
    int all_int = 1;
    for (int f = 0; f < F; f++) all_int &= is_int(names[f]);
    qsort(sorted, (size_t)F, sizeof *sorted, all_int ? fold_cmp_num : fold_cmp_str);
    for (int f = 0; f < F; f++)
        for (int g = 0; g < F; g++)
            if (sorted[g] == names[f]) remap[f] = g;
    for (int64_t r = 0; r < p->N; r++) p->fold[r] = remap[p->fold[r]];
    free(remap);
    p->fold_names = sorted; // the strings now belong to p
    p->n_folds = F;
    rd->n_fold_seen = 0;
    return 0;
}

/* One pass over the rows in windows; the first error (of the lowest row) reported. 0 or -1. */
static int parse_windows(reader_t *rd)
{
    eval_preds_t *p = rd->p;
    for (int64_t r0 = 0; r0 < p->N;) {
        int64_t r1 = r0 + 1;
        int64_t lo = r0, hi = p->N; // the last row starting within gdl_eval_read_window of row r0
        while (lo < hi) {
            int64_t mid = lo + (hi - lo + 1) / 2;
            if ((size_t)(rd->text.line[mid] - rd->text.line[r0]) <= gdl_eval_read_window) lo = mid;
            else hi = mid - 1;
        }
        if (lo > r0) r1 = lo;
        size_t from = (size_t)rd->text.line[r0], to = (size_t)rd->text.line[r1];
        gdl_eval_text_window_in(&rd->text, from, to);
        for (int c = 0; c < GDL_MAX_THREADS; c++) rd->err_row[c] = -1;
        rd->r0 = r0, rd->r1 = r1;
        gdl_parallel_for(((r1 - 1) >> 6) - (r0 >> 6) + 1, parse_rows, rd);
        int64_t bad = -1;
        int bad_chunk = 0;
        for (int c = 0; c < GDL_MAX_THREADS; c++)
            if (rd->err_row[c] >= 0 && (bad < 0 || rd->err_row[c] < bad)) bad = rd->err_row[c], bad_chunk = c;
        if (bad >= 0) {
            gdl_log_error("%s", rd->err_msg[bad_chunk]);
            return -1;
        }
        if (!rd->second && p->fold && map_fold_rows(rd, r0, r1) != 0) return -1;
        gdl_eval_text_window_out(&rd->text, from, to);
        r0 = r1;
    }
    return 0;
}

static void free_bits(eval_target_t *t, int64_t N)
{
    gdl_big_free(t->fscore, sizeof(float) * (size_t)N);
    gdl_big_free(t->known, 8 * eval_bit_words(N));
    gdl_big_free(t->pos, 8 * eval_bit_words(N));
    t->fscore = NULL, t->known = t->pos = NULL;
}

void gdl_eval_preds_free(eval_preds_t *p)
{
    if (!p) return;
    for (int t = 0; t < p->T; t++) {
        eval_target_t *tg = &p->targets[t];
        free(tg->name);
        for (int k = 0; k < tg->K; k++) free(tg->classes[k]);
        free(tg->classes);
        size_t K = tg->kind == GDL_EVAL_MULTICLASS ? (size_t)tg->K : 1;
        gdl_big_free(tg->label, sizeof(double) * (size_t)p->N);
        gdl_big_free(tg->score, sizeof(double) * (size_t)p->N * K);
        free_bits(tg, p->N);
    }
    free(p->targets);
    free(p->weights.w);
    for (int f = 0; f < p->n_folds; f++) free(p->fold_names[f]);
    free(p->fold_names);
    free(p->fold);
    free(p->run_at);
    free(p->path);
    free(p);
}

/* A binary-looking target (not multi-class, not forced to regression) is read as a float score
 * and label bits; one whose labels turn out not all 0 or 1 is read again, alone, as doubles. */
static int alloc_columns(reader_t *rd, const char *regression, const char *binary)
{
    eval_preds_t *p = rd->p;
    const int64_t N = p->N;
    for (int t = 0; t < p->T; t++) {
        eval_target_t *tg = &p->targets[t];
        if (tg->kind != GDL_EVAL_MULTICLASS && !gdl_eval_forced_regression(regression, binary, tg->name)) {
            tg->fscore = gdl_big_alloc(sizeof(float) * (size_t)N);
            tg->known = gdl_big_alloc(8 * eval_bit_words(N));
            tg->pos = gdl_big_alloc(8 * eval_bit_words(N));
            if (!tg->fscore || !tg->known || !tg->pos) return -1;
            continue;
        }
        size_t K = tg->kind == GDL_EVAL_MULTICLASS ? (size_t)tg->K : 1;
        tg->label = gdl_big_alloc(sizeof(double) * (size_t)N);
        tg->score = gdl_big_alloc(sizeof(double) * (size_t)N * K);
        if (!tg->label || !tg->score) return -1;
    }
    return 0;
}

/* the second pass, for the targets with a label other than 0 or 1 */
static int reread_wide(reader_t *rd)
{
    eval_preds_t *p = rd->p;
    int any = 0;
    for (int t = 0; t < p->T; t++) {
        eval_target_t *tg = &p->targets[t];
        if (!(rd->wide[t] = rd->other[t])) continue;
        free_bits(tg, p->N);
        tg->label = gdl_big_alloc(sizeof(double) * (size_t)p->N);
        tg->score = gdl_big_alloc(sizeof(double) * (size_t)p->N);
        if (!tg->label || !tg->score) return -1;
        for (int64_t r = 0; r < p->N; r++) tg->label[r] = tg->score[r] = NAN;
        any = 1;
    }
    if (!any) return 0;
    gdl_log_debug("reading again the targets whose labels are not all 0 or 1, as doubles");
    rd->second = 1;
    return parse_windows(rd);
}

static void reader_free(reader_t *rd)
{
    gdl_eval_text_free(&rd->text);
    free(rd->col), free(rd->fold_off), free(rd->fold_len), free(rd->other), free(rd->wide);
    for (int f = 0; f < rd->n_fold_seen; f++) free(rd->fold_seen[f]); // not yet p's
    free(rd->fold_seen);
}

eval_preds_t *gdl_eval_preds_read(const char *path, const char *regression, const char *binary)
{
    reader_t rd = {.path = path, .text = {.path = path}};
    eval_preds_t *p = calloc(1, sizeof *p);
    if (!p || !(p->path = strdup(path))) {
        gdl_log_error("out of memory");
        free(p);
        return NULL;
    }
    rd.p = p;
    if (gdl_eval_text_load(&rd.text) != 0) goto fail;
    if (rd.text.size == 0) {
        gdl_log_error("%s:1: empty file: expected a header line (id, [fold,] T:label, T:score ...)", path);
        goto fail;
    }
    const char *nl = memchr(rd.text.buf, '\n', rd.text.size);
    size_t hlen = nl ? (size_t)(nl - rd.text.buf) : rd.text.size;
    if (parse_header(&rd, rd.text.buf, hlen) != 0) goto fail;
    if (gdl_eval_check_list(p, path, "regression", regression) != 0 ||
        gdl_eval_check_list(p, path, "binary", binary) != 0)
        goto fail;
    // row starts; blank lines at the very end are not rows
    size_t start = nl ? hlen + 1 : rd.text.size, end = rd.text.size;
    while (end > start && (rd.text.buf[end - 1] == '\n' || rd.text.buf[end - 1] == '\r')) end--;
    int64_t N = gdl_eval_text_find_rows(&rd.text, start, end);
    if (N < 0) goto fail;
    if (N == 0) {
        gdl_log_error("%s:2: no rows after the header", path);
        goto fail;
    }
    if (N > INT32_MAX / 2) {
        gdl_log_error("%s: %lld rows; at most %d are supported", path, (long long)N, INT32_MAX / 2);
        goto fail;
    }
    p->N = N;
    gdl_log_debug("%lld rows found", (long long)N);
    rd.other = calloc((size_t)p->T, 1), rd.wide = calloc((size_t)p->T, 1);
    if (!rd.other || !rd.wide) goto oom;
    if (alloc_columns(&rd, regression, binary) != 0) goto fail;
    int has_fold = rd.ncol > 1 && rd.col[1].role == COL_FOLD;
    if (has_fold) {
        rd.fold_off = malloc(sizeof *rd.fold_off * (size_t)N);
        rd.fold_len = malloc(sizeof *rd.fold_len * (size_t)N);
        rd.fold_seen = calloc(MAX_FOLDS, sizeof *rd.fold_seen);
        if (!rd.fold_off || !rd.fold_len || !rd.fold_seen || !(p->fold = malloc(sizeof *p->fold * (size_t)N)))
            goto oom;
    }
    if (parse_windows(&rd) != 0) goto fail;
    gdl_log_debug("rows parsed");
    if (has_fold && sort_folds(&rd) != 0) goto fail;
    if (reread_wide(&rd) != 0) goto fail;
    for (int t = 0; t < p->T; t++)
        if (gdl_eval_decide_kind(p, t, path, 1, regression, binary) != 0) goto fail;
    reader_free(&rd);
    return p;
oom:
    gdl_log_error("out of memory");
fail:
    reader_free(&rd);
    gdl_eval_preds_free(p);
    return NULL;
}
