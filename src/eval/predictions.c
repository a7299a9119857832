/* predictions.tsv: the reader. One header line (id, optional fold, T:label and T:score per
 * target, or T:score:CLASS per class of a multi-class target), then one row per example.
 * The file is mapped (or read whole from a pipe) and its rows are parsed in parallel,
 * straight into per-target columns. Every defect is reported as "PATH:LINE: what". The
 * contract (what is accepted, how kinds are decided): docs/formats.md. */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "eval_internal.h"
#include "gdl/core.h"

#define MAX_FOLDS 1000

/* ---- numbers ----------------------------------------------------------------------------- */

static const double pow10_exact[23] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,
                                       1e8,  1e9,  1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
                                       1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};

/* Clinger's fast path: an integer mantissa below 2^53 times or divided by an exact power of
 * ten is one correctly rounded operation. Anything else goes to strtod. */
int eval_parse_double(const char *s, const char *e, double *out)
{
    const char *p = s;
    int neg = 0;
    if (p < e && (*p == '-' || *p == '+')) neg = *p++ == '-';
    uint64_t m = 0;
    int digits = 0, frac = 0, any = 0;
    while (p < e && *p >= '0' && *p <= '9') {
        m = m * 10 + (uint64_t)(*p - '0'); // at most 19 digits: no overflow
        if (m) digits++;
        if (digits > 19) goto slow;
        p++, any = 1;
    }
    if (p < e && *p == '.') {
        p++;
        while (p < e && *p >= '0' && *p <= '9') {
            m = m * 10 + (uint64_t)(*p - '0');
            if (m) digits++;
            if (digits > 19) goto slow;
            frac++, p++, any = 1;
        }
    }
    if (!any) goto slow; // "nan", "inf", "." and words: strtod decides, the check below rejects
    int ex = 0;
    if (p < e && (*p == 'e' || *p == 'E')) {
        p++;
        int eneg = 0, edig = 0;
        if (p < e && (*p == '-' || *p == '+')) eneg = *p++ == '-';
        while (p < e && *p >= '0' && *p <= '9' && edig < 6) ex = ex * 10 + (*p++ - '0'), edig++;
        if (!edig) return -1;
        if (eneg) ex = -ex;
    }
    if (p != e) goto slow;
    ex -= frac;
    if (m >= (1ull << 53) || ex < -22 || ex > 22) goto slow;
    double v = (double)m;
    v = ex < 0 ? v / pow10_exact[-ex] : v * pow10_exact[ex];
    *out = (neg ? -v : v) + 0.0; // -0 + 0 = +0
    return 0;
slow:;
    char buf[256];
    size_t len = (size_t)(e - s);
    if (len == 0 || len >= sizeof buf || *s == ' ' || *s == '\t') return -1;
    if (memchr(s, 'x', len) || memchr(s, 'X', len)) return -1; // no hexadecimal floats
    memcpy(buf, s, len);
    buf[len] = 0;
    char *end;
    errno = 0;
    double sv = strtod(buf, &end);
    if (end != buf + len || !isfinite(sv)) return -1;
    *out = sv + 0.0;
    return 0;
}

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
    double v = (double)m / pow10_exact[frac];
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
    const char *buf; // file contents
    size_t size;
    int mapped;
    int64_t *line;   // (N + 1) offsets of row starts; line[N] = end
    int ncol;
    column_t *col;
    eval_preds_t *p;
    /* fold field of each row, mapped to names after the parallel pass */
    int64_t *fold_off;
    int32_t *fold_len;
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

static int target_index(const eval_preds_t *p, const char *s, size_t n)
{
    for (int t = 0; t < p->T; t++)
        if (strlen(p->targets[t].name) == n && memcmp(p->targets[t].name, s, n) == 0) return t;
    return -1;
}

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

static int check_list(const reader_t *rd, const char *opt, const char *list)
{
    if (!list || strcmp(list, "all") == 0) return 0;
    for (const char *s = list; *s;) {
        const char *c = strchr(s, ',');
        size_t len = c ? (size_t)(c - s) : strlen(s);
        if (target_index(rd->p, s, len) < 0) {
            gdl_log_error("%s: --%s names '%.*s', which has no '%.*s:label' column", rd->path, opt,
                          (int)len, s, (int)len, s);
            return -1;
        }
        if (!c) break;
        s = c + 1;
    }
    return 0;
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
        if (target_index(p, f[c], n) >= 0) {
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
            size_t n = strlen(p->targets[t].name);
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

typedef struct {
    reader_t *rd;
} parse_ctx_t;

static void parse_rows(void *ctx, int64_t begin, int64_t end, int chunk)
{
    reader_t *rd = ctx;
    eval_preds_t *p = rd->p;
    const int ncol = rd->ncol;
    for (int64_t r = begin; r < end; r++) {
        const char *s = rd->buf + rd->line[r];
        const char *e = rd->buf + rd->line[r + 1];
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
            if (c < ncol && rd->col[c].role >= COL_LABEL) { // numbers: the fast path first
                const column_t *col = &rd->col[c];
                eval_target_t *t = &p->targets[col->t];
                if (col->role == COL_LABEL) {
                    if (t->kind != GDL_EVAL_MULTICLASS && fs < e && (*fs == '0' || *fs == '1') &&
                        (fs + 1 == e || fs[1] == '\t')) {
                        t->label[r] = *fs - '0';
                        fe = fs + 1;
                        goto next;
                    }
                } else {
                    double *dst = col->role == COL_SCORE ? &t->score[r] : &t->score[r * t->K + col->k];
                    if ((fe = scan_fast(fs, e, dst))) goto next;
                }
            }
            fe = memchr(fs, '\t', (size_t)(e - fs));
            if (!fe) fe = e;
            if (c >= ncol) {
                int n = c + 1;
                for (const char *q = fe; q < e; q++) n += *q == '\t';
                fail_at(rd, chunk, r, "%s:%lld: %d fields, the header has %d", rd->path,
                        (long long)ln, n, ncol);
                return;
            }
            const column_t *col = &rd->col[c];
            eval_target_t *t = &p->targets[col->t];
            double v;
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
                rd->fold_off[r] = fs - rd->buf;
                rd->fold_len[r] = (int32_t)(fe - fs);
                break;
            case COL_LABEL:
                if (fe == fs) {
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
                } else if (eval_parse_double(fs, fe, &v) == 0) {
                    t->label[r] = v;
                } else {
                    fail_at(rd, chunk, r, "%s:%lld: %s:label '%.*s' is not a number (a missing "
                            "label is an empty field)", rd->path, (long long)ln, t->name,
                            (int)(fe - fs > 64 ? 64 : fe - fs), fs);
                    return;
                }
                break;
            default: { // COL_SCORE, COL_CLASS
                double *dst = col->role == COL_SCORE ? &t->score[r] : &t->score[r * t->K + col->k];
                if (fe == fs) {
                    *dst = NAN; // allowed only when the label is missing, checked below
                } else if (eval_parse_double(fs, fe, dst) != 0) {
                    int n = (int)(fe - fs > 64 ? 64 : fe - fs);
                    if (col->role == COL_SCORE)
                        fail_at(rd, chunk, r, "%s:%lld: %s:score '%.*s' is not a finite number",
                                rd->path, (long long)ln, t->name, n, fs);
                    else
                        fail_at(rd, chunk, r, "%s:%lld: %s:score:%s '%.*s' is not a finite number",
                                rd->path, (long long)ln, t->name, t->classes[col->k], n, fs);
                    return;
                }
            }
            }
        next:
            c++;
            if (fe == e) break;
            fs = fe + 1;
        }
        if (c != ncol) {
            fail_at(rd, chunk, r, "%s:%lld: %d field%s, the header has %d", rd->path, (long long)ln,
                    c, c == 1 ? "" : "s", ncol);
            return;
        }
        for (int ti = 0; ti < p->T; ti++) {
            eval_target_t *t = &p->targets[ti];
            if (isnan(t->label[r])) continue;
            int K = t->kind == GDL_EVAL_MULTICLASS ? t->K : 1;
            for (int k = 0; k < K; k++)
                if (isnan(t->score[r * K + k])) {
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

static int map_folds(reader_t *rd)
{
    eval_preds_t *p = rd->p;
    int F = 0;
    char **names = malloc(sizeof *names * MAX_FOLDS);
    if (!names || !(p->fold = malloc(sizeof *p->fold * (size_t)p->N))) goto oom;
    for (int64_t r = 0; r < p->N; r++) {
        const char *s = rd->buf + rd->fold_off[r];
        size_t n = (size_t)rd->fold_len[r];
        int f = 0;
        while (f < F && !(strlen(names[f]) == n && memcmp(names[f], s, n) == 0)) f++;
        if (f == F) {
            if (F == MAX_FOLDS) {
                gdl_log_error("%s:%lld: more than %d distinct values in the fold column", rd->path,
                              (long long)r + 2, MAX_FOLDS);
                goto fail;
            }
            if (!(names[F++] = dupn(s, n))) goto oom;
        }
        p->fold[r] = f;
    }
    // order the folds by name (numerically when all are integers) and renumber the rows
    char **sorted = malloc(sizeof *sorted * (size_t)F);
    int32_t *remap = malloc(sizeof *remap * (size_t)F);
    if (!sorted || !remap) {
        free(sorted), free(remap);
        goto oom;
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
    free(names);
    p->fold_names = sorted;
    p->n_folds = F;
    return 0;
oom:
    gdl_log_error("out of memory");
fail:
    if (names)
        for (int f = 0; f < F; f++) free(names[f]);
    free(names);
    return -1;
}

/* ---- kinds ------------------------------------------------------------------------------------- */

static int decide_kinds(reader_t *rd, const char *regression, const char *binary)
{
    eval_preds_t *p = rd->p;
    for (int ti = 0; ti < p->T; ti++) {
        eval_target_t *t = &p->targets[ti];
        t->n_labelled = 0;
        for (int64_t r = 0; r < p->N; r++) t->n_labelled += !isnan(t->label[r]);
        if (t->kind == GDL_EVAL_MULTICLASS) {
            if (listed(regression, t->name) && strcmp(regression, "all") != 0) {
                gdl_log_error("%s:1: --regression names '%s', a multi-class target", rd->path, t->name);
                return -1;
            }
            continue;
        }
        int reg = listed(regression, t->name), bin = listed(binary, t->name);
        if (reg && bin && !(strcmp(regression, "all") == 0) != !(strcmp(binary, "all") == 0)) {
            // a name beats "all"
            if (strcmp(regression, "all") == 0) reg = 0;
            else bin = 0;
        }
        if (reg && bin) {
            gdl_log_error("%s: target '%s' is named by both --regression and --binary", rd->path, t->name);
            return -1;
        }
        int64_t other = -1;
        for (int64_t r = 0; r < p->N && other < 0; r++) {
            double y = t->label[r];
            if (!isnan(y) && y != 0 && y != 1) other = r;
        }
        if (reg) t->kind = GDL_EVAL_REGRESSION;
        else if (bin && other >= 0) {
            gdl_log_error("%s:%lld: %s:label is %.17g, but binary targets take 0 or 1 (named by "
                          "--binary)", rd->path, (long long)other + 2, t->name, t->label[other]);
            return -1;
        } else t->kind = other >= 0 ? GDL_EVAL_REGRESSION : GDL_EVAL_BINARY;
    }
    return 0;
}

/* ---- row starts, found in parallel over blocks of bytes ---------------------------------------- */

#define LINE_BLOCKS 256

typedef struct {
    const char *buf;
    size_t start, end;
    int64_t first[LINE_BLOCKS]; // rows starting in each block, then the index of the first
    int64_t *line;
} line_ctx_t;

static void block_range(const line_ctx_t *c, int64_t b, const char **s, const char **e)
{
    size_t len = c->end - c->start;
    *s = c->buf + c->start + len * (size_t)b / LINE_BLOCKS;
    *e = c->buf + c->start + len * (size_t)(b + 1) / LINE_BLOCKS;
}

/* a row starts after each newline that is not the last byte */
static void count_lines(void *arg, int64_t begin, int64_t end, int chunk)
{
    (void)chunk;
    line_ctx_t *c = arg;
    for (int64_t b = begin; b < end; b++) {
        const char *s, *e, *last = c->buf + c->end;
        block_range(c, b, &s, &e);
        int64_t n = 0;
        for (const char *q = s; (q = memchr(q, '\n', (size_t)(e - q))) && q + 1 < last; q++) n++;
        c->first[b] = n;
    }
}

static void find_lines(void *arg, int64_t begin, int64_t end, int chunk)
{
    (void)chunk;
    line_ctx_t *c = arg;
    for (int64_t b = begin; b < end; b++) {
        const char *s, *e, *last = c->buf + c->end;
        block_range(c, b, &s, &e);
        int64_t r = c->first[b];
        for (const char *q = s; (q = memchr(q, '\n', (size_t)(e - q))) && q + 1 < last; q++)
            c->line[r++] = q + 1 - c->buf;
    }
}

/* ---- the whole file ------------------------------------------------------------------------------ */

static int load(reader_t *rd)
{
    if (strcmp(rd->path, "-") == 0) {
        size_t cap = 1 << 20, n = 0;
        char *b = malloc(cap);
        for (;;) {
            if (!b) {
                gdl_log_error("out of memory reading standard input");
                return -1;
            }
            n += fread(b + n, 1, cap - n, stdin);
            if (n < cap) break;
            char *nb = realloc(b, cap *= 2);
            if (!nb) free(b);
            b = nb;
        }
        if (ferror(stdin)) {
            gdl_log_error("-: read error: %s", strerror(errno));
            free(b);
            return -1;
        }
        rd->buf = b, rd->size = n;
        return 0;
    }
    int fd = open(rd->path, O_RDONLY);
    if (fd < 0) {
        gdl_log_error("%s: %s", rd->path, strerror(errno));
        return -1;
    }
    struct stat st;
    if (fstat(fd, &st) != 0 || S_ISDIR(st.st_mode)) {
        gdl_log_error("%s: %s", rd->path, S_ISDIR(st.st_mode) ? "is a directory" : strerror(errno));
        close(fd);
        return -1;
    }
    rd->size = (size_t)st.st_size;
    if (rd->size == 0) {
        close(fd);
        rd->buf = NULL;
        return 0;
    }
    // populated up front: one call instead of a page fault per 4 KiB
    void *m = mmap(NULL, rd->size, PROT_READ, MAP_PRIVATE | MAP_POPULATE, fd, 0);
    close(fd);
    if (m == MAP_FAILED) {
        gdl_log_error("%s: cannot map: %s", rd->path, strerror(errno));
        return -1;
    }
    madvise(m, rd->size, MADV_SEQUENTIAL);
    rd->buf = m, rd->mapped = 1;
    return 0;
}

void eval_preds_free(eval_preds_t *p)
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
    }
    free(p->targets);
    free(p->weights.w);
    for (int f = 0; f < p->n_folds; f++) free(p->fold_names[f]);
    free(p->fold_names);
    free(p->fold);
    free(p->path);
    free(p);
}

eval_preds_t *eval_preds_read(const char *path, const char *regression, const char *binary)
{
    reader_t rd = {.path = path};
    eval_preds_t *p = calloc(1, sizeof *p);
    if (!p || !(p->path = strdup(path))) {
        gdl_log_error("out of memory");
        free(p);
        return NULL;
    }
    rd.p = p;
    if (load(&rd) != 0) goto fail;
    if (rd.size == 0) {
        gdl_log_error("%s:1: empty file: expected a header line (id, [fold,] T:label, T:score ...)", path);
        goto fail;
    }
    const char *nl = memchr(rd.buf, '\n', rd.size);
    size_t hlen = nl ? (size_t)(nl - rd.buf) : rd.size;
    if (parse_header(&rd, rd.buf, hlen) != 0) goto fail;
    if (check_list(&rd, "regression", regression) != 0 || check_list(&rd, "binary", binary) != 0)
        goto fail;
    // row starts; blank lines at the very end are not rows
    size_t start = nl ? hlen + 1 : rd.size, end = rd.size;
    while (end > start && (rd.buf[end - 1] == '\n' || rd.buf[end - 1] == '\r')) end--;
    line_ctx_t lc = {.buf = rd.buf, .start = start, .end = end};
    gdl_parallel_for(LINE_BLOCKS, count_lines, &lc); // newlines per block of bytes
    int64_t N = end > start;
    for (int b = 0; b < LINE_BLOCKS; b++) {
        int64_t n = lc.first[b];
        lc.first[b] = N; // now: index of the first row starting in block b
        N += n;
    }
    if (N == 0) {
        gdl_log_error("%s:2: no rows after the header", path);
        goto fail;
    }
    if (N > INT32_MAX / 2) {
        gdl_log_error("%s: %lld rows; at most %d are supported", path, (long long)N, INT32_MAX / 2);
        goto fail;
    }
    p->N = N;
    if (!(rd.line = malloc(sizeof *rd.line * (size_t)(N + 1)))) goto oom;
    rd.line[0] = (int64_t)start;
    lc.line = rd.line;
    gdl_parallel_for(LINE_BLOCKS, find_lines, &lc);
    rd.line[N] = (int64_t)end;
    for (int t = 0; t < p->T; t++) {
        eval_target_t *tg = &p->targets[t];
        size_t K = tg->kind == GDL_EVAL_MULTICLASS ? (size_t)tg->K : 1;
        tg->label = gdl_big_alloc(sizeof(double) * (size_t)N);
        tg->score = gdl_big_alloc(sizeof(double) * (size_t)N * K);
        if (!tg->label || !tg->score) goto fail;
    }
    int has_fold = rd.ncol > 1 && rd.col[1].role == COL_FOLD;
    if (has_fold) {
        rd.fold_off = malloc(sizeof *rd.fold_off * (size_t)N);
        rd.fold_len = malloc(sizeof *rd.fold_len * (size_t)N);
        if (!rd.fold_off || !rd.fold_len) goto oom;
    }
    for (int c = 0; c < GDL_MAX_THREADS; c++) rd.err_row[c] = -1;
    gdl_log_debug("%lld rows found", (long long)N);
    gdl_parallel_for(N, parse_rows, &rd);
    gdl_log_debug("rows parsed");
    int64_t bad = -1;
    int bad_chunk = 0;
    for (int c = 0; c < GDL_MAX_THREADS; c++)
        if (rd.err_row[c] >= 0 && (bad < 0 || rd.err_row[c] < bad)) bad = rd.err_row[c], bad_chunk = c;
    if (bad >= 0) {
        gdl_log_error("%s", rd.err_msg[bad_chunk]);
        goto fail;
    }
    if (has_fold && map_folds(&rd) != 0) goto fail;
    if (decide_kinds(&rd, regression, binary) != 0) goto fail;
    free(rd.line), free(rd.col), free(rd.fold_off), free(rd.fold_len);
    if (rd.mapped) munmap((void *)rd.buf, rd.size);
    else free((void *)rd.buf);
    return p;
oom:
    gdl_log_error("out of memory");
fail:
    free(rd.line), free(rd.col), free(rd.fold_off), free(rd.fold_len);
    if (rd.mapped) munmap((void *)rd.buf, rd.size);
    else free((void *)rd.buf);
    eval_preds_free(p);
    return NULL;
}
