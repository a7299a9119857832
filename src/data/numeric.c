/* Numeric inputs (e.g. the expression study's histone marks): a TSV keyed by ID or a .npy matrix with an
 * ID list, into a dataset with one f32 input of shape (N, C, L). */
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "gdl/core.h"
#include "gdl/dataops.h"

/* Length of header field f without a position suffix: a separator (_ . : -) and digits. */
static size_t channel_part(const char *f, size_t n)
{
    size_t k = n;
    while (k > 0 && f[k - 1] >= '0' && f[k - 1] <= '9') k--;
    return k < n && k > 1 && strchr("_.:-", f[k - 1]) ? k - 1 : n;
}

/* The channel names of a header whose value columns (fields, tab-separated) are C x L
 * channel-major: channel c is named by its columns when all L of them read NAME or NAME_1 ..
 * NAME_L (any position suffix), the names distinct and free of ','. *names is then a malloc'd
 * comma-joined list, else NULL (the channels stay unnamed). 0, or -1 out of memory. */
static int header_channel_names(const char *fields, int64_t C, int64_t L, char **names)
{
    size_t cap = strlen(fields) + 1, len = 0;
    char *out = malloc(cap);
    *names = NULL;
    if (!out) {
        gdl_log_error("out of memory");
        return -1;
    }
    const char *p = fields;
    for (int64_t c = 0; c < C; c++) {
        const char *name = NULL;
        size_t nlen = 0;
        for (int64_t l = 0; l < L; l++) {
            if (!p) goto unnamed;
            size_t n = strcspn(p, "\t"), k = channel_part(p, n);
            if (!k || memchr(p, ',', k) || (name && (k != nlen || memcmp(name, p, k)))) goto unnamed;
            name = p, nlen = k;
            p = p[n] ? p + n + 1 : NULL;
        }
        for (const char *q = out, *end = out + len; q < end; q += strcspn(q, ",") + 1)
            if (strcspn(q, ",") == nlen && !memcmp(q, name, nlen)) goto unnamed;
        if (len) out[len++] = ',';
        if (nlen) memcpy(out + len, name, nlen);
        len += nlen;
        out[len] = 0;
    }
    if (p) goto unnamed; // more columns than C x L: the rows' check reports it
    *names = out;
    return 0;
unnamed:
    free(out);
    return 0;
}

/* names: the header's channel names (see header_channel_names), the caller frees */
static int read_tsv(const gdl_encode_numeric_opts_t *o, gdl_examples_t *ex, float *row, char **names)
{
    int64_t W = o->channels * o->length;
    gdl_lines_t r;
    char *line;
    int rc = -1;
    if (gdl_lines_open(&r, o->input)) return -1;
    while ((line = gdl_lines_next(&r))) {
        if (!*line) continue;
        char *id = line, *p = strchr(line, '\t');
        int64_t k = 0;
        if (p) *p++ = 0;
        while (p && k < W) {
            char *end;
            float v = strtof(p, &end);
            if (end == p || (*end && *end != '\t') || !isfinite(v)) {
                if (r.lineno == 1 && k == 0) break; // a header line
                size_t n = strcspn(p, "\t");
                gdl_log_error("%s:%" PRId64 ": column %" PRId64 ": '%.*s' is not a finite number",
                              o->input, r.lineno, k + 2, (int)(n > 40 ? 40 : n), p);
                goto done;
            }
            row[k++] = v;
            p = *end ? end + 1 : NULL;
        }
        if (r.lineno == 1 && k == 0 && p) {
            if (header_channel_names(p, o->channels, o->length, names)) goto done;
            ex->in.channel_names = *names;
            continue;
        }
        if (k != W || p) {
            int64_t cols = 1 + k;
            for (; p; p = strchr(p, '\t') ? strchr(p, '\t') + 1 : NULL) cols++;
            gdl_log_error("%s:%" PRId64 ": %" PRId64 " columns; expected the ID and C x L = %" PRId64
                          " values (--shape %" PRId64 ",%" PRId64 ")", o->input, r.lineno, cols,
                          W, o->channels, o->length);
            goto done;
        }
        int a = gdl_examples_add(ex, id, NULL, row);
        if (a < 0) goto done;
        if (a == 1) {
            gdl_log_error("%s:%" PRId64 ": duplicate ID '%s'", o->input, r.lineno, id);
            goto done;
        }
    }
    if (gdl_lines_failed(&r)) goto done;
    rc = 0;
done:
    gdl_lines_close(&r);
    return rc;
}

static int read_npy(const gdl_encode_numeric_opts_t *o, gdl_examples_t *ex, float *row)
{
    int64_t W = o->channels * o->length;
    unsigned char *buf = NULL;
    gdl_lines_t r = {0};
    int rc = -1;
    FILE *fp = fopen(o->input, "rb");
    if (!fp) {
        gdl_log_error("%s: cannot open", o->input);
        return -1;
    }
    size_t cap = 1 << 16, n = 0, got;
    for (;;) {
        unsigned char *b = realloc(buf, cap);
        if (!b) {
            gdl_log_error("out of memory");
            goto done;
        }
        buf = b;
        got = fread(buf + n, 1, cap - n, fp);
        n += got;
        if (n < cap) break;
        cap *= 2;
    }
    if (ferror(fp)) {
        gdl_log_error("%s: read error", o->input);
        goto done;
    }
    gdl_npy_header_t h;
    if (gdl_npy_read_header(o->input, buf, n, &h)) goto done;
    int f8 = strcmp(h.descr, "<f8") == 0;
    if (!f8 && strcmp(h.descr, "<f4") != 0) {
        gdl_log_error("%s: .npy dtype '%s'; expected float32 '<f4' or float64 '<f8'", o->input, h.descr);
        goto done;
    }
    int64_t N = h.ndim ? h.shape[0] : 0, per = 1;
    for (int d = 1; d < h.ndim; d++) per *= h.shape[d];
    if (h.ndim < 2 || h.ndim > 3 || per != W || (h.ndim == 3 && (h.shape[1] != o->channels))) {
        gdl_log_error("%s: .npy shape has %d dimensions and %" PRId64 " values per row; expected "
                      "(N, %" PRId64 ") or (N, %" PRId64 ", %" PRId64 ")", o->input, h.ndim, per,
                      W, o->channels, o->length);
        goto done;
    }
    size_t item = f8 ? 8 : 4;
    if (h.offset + (uint64_t)N * (uint64_t)W * item != n) {
        gdl_log_error("%s: %" PRIu64 " data bytes, the header's shape needs %" PRIu64
                      " (truncated or padded)", o->input, (uint64_t)n - h.offset,
                      (uint64_t)N * (uint64_t)W * item);
        goto done;
    }
    if (gdl_lines_open(&r, o->ids)) goto done;
    const unsigned char *data = buf + h.offset;
    char *line;
    int64_t i = 0;
    while ((line = gdl_lines_next(&r))) {
        if (!*line) continue;
        if (i == N) {
            gdl_log_error("%s:%" PRId64 ": more IDs than the %" PRId64 " rows of %s", o->ids,
                          r.lineno, N, o->input);
            goto done;
        }
        for (int64_t k = 0; k < W; k++) {
            double v;
            if (f8) memcpy(&v, data + (size_t)(i * W + k) * 8, 8);
            else {
                float fv;
                memcpy(&fv, data + (size_t)(i * W + k) * 4, 4);
                v = fv;
            }
            if (!isfinite((float)v)) {
                gdl_log_error("%s: row %" PRId64 " (ID '%s'), value %" PRId64 " is not finite",
                              o->input, i, line, k);
                goto done;
            }
            row[k] = (float)v;
        }
        int a = gdl_examples_add(ex, line, NULL, row);
        if (a < 0) goto done;
        if (a == 1) {
            gdl_log_error("%s:%" PRId64 ": duplicate ID '%s'", o->ids, r.lineno, line);
            goto done;
        }
        i++;
    }
    if (gdl_lines_failed(&r)) goto done;
    if (i != N) {
        gdl_log_error("%s: %" PRId64 " IDs for the %" PRId64 " rows of %s", o->ids, i, N, o->input);
        goto done;
    }
    rc = 0;
done:
    gdl_lines_close(&r);
    fclose(fp);
    free(buf);
    return rc;
}

int gdl_encode_numeric(const gdl_encode_numeric_opts_t *o)
{
    gdl_examples_t ex = {.in = {.name = o->name ? o->name : "numeric", .format = GDL_INPUT_F32,
                                .channels = o->channels, .length = o->length}};
    gdl_labels_t lt = {0};
    int rc = -1;
    size_t n = strlen(o->input);
    char *names = NULL; // from a TSV header
    float *row = malloc((size_t)(o->channels * o->length) * sizeof *row);
    if (!row) {
        gdl_log_error("out of memory");
        return -1;
    }
    if (o->labels && gdl_labels_read(&lt, o->labels)) goto done;
    if (n > 4 && strcmp(o->input + n - 4, ".npy") == 0 ? read_npy(o, &ex, row) : read_tsv(o, &ex, row, &names))
        goto done;
    if (ex.n == 0) {
        gdl_log_error("%s: no rows", o->input);
        goto done;
    }
    rc = gdl_examples_write(&ex, o->labels ? &lt : NULL, o->keep_missing, o->output);
done:
    free(row);
    free(names);
    gdl_examples_free(&ex);
    gdl_labels_free(&lt);
    return rc;
}
