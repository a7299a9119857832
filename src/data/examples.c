/* Examples of one seq8 or f32 input collected in memory, matched with labels, written as a
 * dataset. N examples, L length, C channels, T targets. */
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "gdl/core.h"
#include "gdl/dataops.h"

static size_t row_bytes(const gdl_examples_t *ex)
{
    return ex->in.format == GDL_INPUT_SEQ8 ? (size_t)ex->in.length
                                           : (size_t)(ex->in.channels * ex->in.length) * sizeof(float);
}

static int reserve(gdl_examples_t *ex)
{
    if (ex->n < ex->cap) return 0;
    int64_t cap = ex->cap ? 2 * ex->cap : 256;
    void **data = ex->in.format == GDL_INPUT_SEQ8 ? (void **)&ex->bases : (void **)&ex->values;
    void *d = realloc(*data, (size_t)cap * row_bytes(ex));
    if (d) *data = d;
    int64_t *fw = realloc(ex->forward, cap * sizeof *fw);
    if (fw) ex->forward = fw;
    if (!d || !fw) {
        gdl_log_error("out of memory");
        return -1;
    }
    ex->cap = cap;
    return 0;
}

static void *row_ptr(const gdl_examples_t *ex, int64_t i)
{
    char *base = ex->in.format == GDL_INPUT_SEQ8 ? (char *)ex->bases : (char *)ex->values;
    return base + (size_t)i * row_bytes(ex);
}

int gdl_examples_add(gdl_examples_t *ex, const char *id, const char *chrom, const void *row)
{
    int r = gdl_idmap_put(&ex->map, id, ex->n);
    if (r) return r;
    if (reserve(ex) || gdl_strings_push(&ex->ids, id) || (chrom && gdl_strings_push(&ex->chrom, chrom)))
        return -1;
    memcpy(row_ptr(ex, ex->n), row, row_bytes(ex));
    ex->forward[ex->n] = ex->n;
    ex->n++;
    return 0;
}

/* String i of s; i = s->n - 1 (the usual case: right after it was pushed) is found from the end. */
static const char *nth_string(const gdl_strings_t *s, int64_t i)
{
    const char *p = s->buf;
    if (i == s->n - 1) {
        p = s->buf + s->len - 1;
        while (p > s->buf && p[-1]) p--;
    } else {
        for (int64_t k = 0; k < i; k++) p += strlen(p) + 1;
    }
    return p;
}

int gdl_examples_add_rc(gdl_examples_t *ex, int64_t i)
{
    int64_t L = ex->in.length;
    const char *id = nth_string(&ex->ids, i), *chrom = ex->chrom.n ? nth_string(&ex->chrom, i) : NULL;
    char *rcid = malloc(strlen(id) + 4);
    uint8_t *rc = malloc((size_t)L);
    if (!rcid || !rc) {
        free(rcid);
        free(rc);
        gdl_log_error("out of memory");
        return -1;
    }
    sprintf(rcid, "%s:rc", id);
    const uint8_t *s = row_ptr(ex, i);
    for (int64_t l = 0; l < L; l++) rc[l] = (uint8_t)gdl_base_complement((char)s[L - 1 - l]);
    int r = gdl_examples_add(ex, rcid, chrom, rc);
    if (r == 1) gdl_log_error("reverse complement ID '%s' is already an example ID", rcid);
    free(rcid);
    free(rc);
    if (r) return -1;
    ex->forward[ex->n - 1] = i;
    ex->has_rc = 1;
    return 0;
}

void gdl_examples_free(gdl_examples_t *ex)
{
    gdl_strings_free(&ex->ids);
    gdl_strings_free(&ex->chrom);
    gdl_idmap_free(&ex->map);
    free(ex->bases);
    free(ex->values);
    free(ex->forward);
    ex->bases = NULL;
    ex->values = NULL;
    ex->forward = NULL;
    ex->n = ex->cap = 0;
}

int gdl_examples_write(const gdl_examples_t *ex, const gdl_labels_t *lt, int keep_missing,
                       const char *out)
{
    int64_t N = ex->n, T = lt ? lt->T : 0, kept = 0, dropped = 0, unknown = 0;
    int64_t *src = malloc((N ? N : 1) * sizeof *src), *label_row = malloc((N ? N : 1) * sizeof *label_row);
    int64_t *newidx = malloc((N ? N : 1) * sizeof *newidx), *ord = malloc((N ? N : 1) * sizeof *ord);
    float *labels = NULL;
    const char **id = malloc((N ? N : 1) * sizeof *id);
    gdl_strings_t ids = {0}, chrom = {0};
    gdl_writer_t *w = NULL;
    int chrom_slot = -1;
    int rc = -1;
    if (!src || !label_row || !newidx || !ord || !id) {
        gdl_log_error("out of memory");
        goto done;
    }
    const char *p = ex->ids.buf;
    for (int64_t i = 0; i < N; i++, p += strlen(p) + 1) id[i] = p;
    const char *first_dropped = NULL;
    // aligned labels: row r labels the r-th forward example (reverse complements take theirs)
    for (int64_t i = 0, r = 0; i < N; i++) ord[i] = ex->forward[i] == i ? r++ : -1;
    for (int64_t i = 0; i < N; i++) {
        int64_t f = ex->forward[i], row = ord[f];
        if (lt && !lt->aligned) row = gdl_idmap_get(&lt->map, id[f]);
        if (lt && row >= lt->rows) row = -1;
        if (lt && row < 0 && !keep_missing) {
            newidx[i] = -1;
            if (!first_dropped) first_dropped = id[i];
            dropped++;
            continue;
        }
        newidx[i] = kept;
        label_row[kept] = row;
        src[kept++] = i;
    }
    if (lt && !lt->aligned) {
        const char *q = lt->ids.buf, *first = NULL;
        int64_t first_line = 0;
        for (int64_t r = 0; r < lt->rows; r++, q += strlen(q) + 1)
            if (gdl_idmap_get(&ex->map, q) < 0) {
                if (!unknown++) first = q, first_line = lt->lines[r];
            }
        if (unknown)
            gdl_log_warn("%s: %" PRId64 " label rows name IDs that are not examples (first at "
                         "line %" PRId64 ": '%s'); ignored", lt->path, unknown, first_line, first);
    }
    if (dropped)
        gdl_log_warn("%" PRId64 " examples have no label row in %s and were dropped (first: '%s')",
                     dropped, lt->path, first_dropped);
    if (kept == 0) {
        gdl_log_error("no examples to write%s", dropped ? " (none has a label row)" : "");
        goto done;
    }
    for (int64_t k = 0; k < kept; k++)
        if (gdl_strings_push(&ids, id[src[k]])) goto done;
    if (ex->chrom.n == N && N > 0) {
        const char **c = malloc(N * sizeof *c), *q = ex->chrom.buf;
        if (!c) goto done;
        for (int64_t i = 0; i < N; i++, q += strlen(q) + 1) c[i] = q;
        for (int64_t k = 0; k < kept; k++)
            if (gdl_strings_push(&chrom, c[src[k]])) {
                free(c);
                goto done;
            }
        free(c);
    }
    if (T > 0) {
        if (!(labels = malloc((size_t)(kept * T) * sizeof *labels))) {
            gdl_log_error("out of memory");
            goto done;
        }
        for (int64_t k = 0; k < kept; k++)
            for (int64_t t = 0; t < T; t++)
                labels[k * T + t] = label_row[k] < 0 ? NAN : lt->values[label_row[k] * T + t];
    }
    const gdl_strings_t *classes[GDL_DATASET_MAX_TARGETS] = {0};
    for (int t = 0; t < T; t++) classes[t] = &lt->classes[t];
    gdl_dataset_spec_t spec = {.n_examples = kept, .ids = &ids, .n_targets = (int)T,
                               .target_names = lt ? &lt->names : NULL,
                               .target_kinds = lt ? lt->kinds : NULL, .target_classes = classes,
                               .labels = labels};
    gdl_dataset_slots_t s;
    gdl_inputs_slots_t is;
    if (!(w = gdl_writer_new()) || gdl_dataset_declare(w, &spec, &s) ||
        gdl_inputs_declare(w, &spec, &ex->in, 1, ex->has_rc, &is) ||
        (chrom.n && (chrom_slot = gdl_writer_add(w, GDL_EXAMPLE_CHROM, GDL_U8, 1, (int64_t[]){(int64_t)chrom.len})) < 0) ||
        gdl_writer_open(w, out) ||
        gdl_dataset_fill(w, &spec, &s))
        goto done;
    char *dst = gdl_writer_data(w, is.input[0]);
    size_t rb = row_bytes(ex);
    for (int64_t k = 0; k < kept; k++) memcpy(dst + (size_t)k * rb, row_ptr(ex, src[k]), rb);
    if (chrom_slot >= 0) memcpy(gdl_writer_data(w, chrom_slot), chrom.buf, chrom.len);
    if (ex->has_rc) {
        int64_t *g = gdl_writer_data(w, is.rc_group);
        for (int64_t k = 0; k < kept; k++) g[k] = newidx[ex->forward[src[k]]];
    }
    if (gdl_writer_commit(w)) goto done;
    gdl_log_info("%s: %" PRId64 " examples, %" PRId64 " targets", out, kept, T);
    rc = 0;
done:
    gdl_writer_free(w);
    gdl_strings_free(&ids);
    gdl_strings_free(&chrom);
    free(src);
    free(label_row);
    free(newidx);
    free(ord);
    free(labels);
    free(id);
    return rc;
}
