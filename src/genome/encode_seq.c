/* gdl_encode_sequences: FASTA records, BED windows on a reference, or center-base examples, into
 * a dataset with one seq8 input. L = sequence length (window), F = flank. */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "gdl/core.h"
#include "gdl/sequence.h"

/* Crops (centre) or pads (N on both sides, the extra one on the right) seq of length len to W. */
static void fit_window(const char *seq, int64_t len, int64_t W, char *out)
{
    if (len >= W) {
        memcpy(out, seq + (len - W) / 2, (size_t)W);
        return;
    }
    int64_t left = (W - len) / 2;
    memset(out, 'N', (size_t)W);
    memcpy(out + left, seq, (size_t)len);
}

static int encode_fasta(const gdl_encode_seq_opts_t *o, gdl_examples_t *ex)
{
    gdl_fasta_t fa;
    char *buf = NULL;
    int r, rc = -1;
    int64_t first_len = -1;
    if (gdl_fasta_open(&fa, o->fasta)) goto done;
    while ((r = gdl_fasta_next(&fa)) == 1) {
        const char *row = fa.seq;
        if (o->window) {
            if (!buf && !(buf = malloc((size_t)o->window))) {
                gdl_log_error("out of memory");
                goto done;
            }
            fit_window(fa.seq, fa.len, o->window, buf);
            row = buf;
            ex->in.length = o->window;
        } else if (first_len < 0) {
            first_len = ex->in.length = fa.len;
        } else if (fa.len != first_len) {
            gdl_log_error("%s:%" PRId64 ": record '%s' has %" PRId64 " bases, the first had %" PRId64
                          "; use --window to crop or pad", o->fasta, fa.line, fa.name, fa.len,
                          first_len);
            goto done;
        }
        int a = gdl_examples_add(ex, fa.name, NULL, row);
        if (a < 0) goto done;
        if (a == 1) {
            gdl_log_error("%s:%" PRId64 ": duplicate sequence ID '%s'", o->fasta, fa.line, fa.name);
            goto done;
        }
        if (o->rc && gdl_examples_add_rc(ex, ex->n - 1)) goto done;
    }
    if (r < 0) goto done;
    if (ex->n == 0) {
        gdl_log_error("%s: no FASTA records", o->fasta);
        goto done;
    }
    rc = 0;
done:
    gdl_fasta_close(&fa);
    free(buf);
    return rc;
}

static int parse_pos(const char *s, int64_t *out)
{
    char *end;
    long long v = strtoll(s, &end, 10);
    if (end == s || *end || v < 0) return -1;
    *out = v;
    return 0;
}

/* BED regions: one window per region. Label columns (5 on) are read when the file starts with a
 * '#' header naming them; they fill lt (aligned) when the caller has no --labels. */
static int encode_bed(const gdl_encode_seq_opts_t *o, gdl_ref_t *ref, gdl_examples_t *ex,
                      gdl_labels_t *lt, int *have_labels)
{
    gdl_lines_t r;
    char *f[4 + GDL_DATASET_MAX_TARGETS + 1], *line, *buf = NULL, name[512];
    int ncol = 0, rc = -1;
    int64_t first_len = -1, first_line = 0;
    gdl_strings_t names = {0};
    *have_labels = 0;
    if (gdl_lines_open(&r, o->bed)) return -1;
    while ((line = gdl_lines_next(&r))) {
        if (!*line || strncmp(line, "track", 5) == 0 || strncmp(line, "browser", 7) == 0) continue;
        if (line[0] == '#') {
            if (ex->n == 0 && !*have_labels && !o->labels) {
                int n = gdl_split_tabs(line, f, 4 + GDL_DATASET_MAX_TARGETS);
                if (n > 4 + GDL_DATASET_MAX_TARGETS) {
                    gdl_log_error("%s:%" PRId64 ": more than %d label columns", o->bed, r.lineno,
                                  GDL_DATASET_MAX_TARGETS);
                    goto done;
                }
                if (n > 4) {
                    for (int t = 4; t < n; t++)
                        if (gdl_strings_push(&names, f[t])) goto done;
                    if (gdl_labels_init(lt, o->bed, 1, &names)) goto done;
                    *have_labels = 1;
                    ncol = n;
                }
            }
            continue;
        }
        int n = gdl_split_tabs(line, f, 4 + GDL_DATASET_MAX_TARGETS);
        int64_t beg, end, len;
        if (n < 3 || (ncol && n != ncol)) {
            gdl_log_error("%s:%" PRId64 ": %d columns; expected %s", o->bed, r.lineno, n,
                          ncol ? "as many as the header" : "at least chrom, start, end");
            goto done;
        }
        if (parse_pos(f[1], &beg) || parse_pos(f[2], &end) || end <= beg) {
            gdl_log_error("%s:%" PRId64 ": start '%s' and end '%s' are not a region (0-based, "
                          "start < end)", o->bed, r.lineno, f[1], f[2]);
            goto done;
        }
        if ((len = gdl_ref_length(ref, f[0])) < 0) {
            gdl_log_error("%s:%" PRId64 ": contig '%s' is not in the reference %s", o->bed,
                          r.lineno, f[0], o->ref);
            goto done;
        }
        if (end > len) {
            gdl_log_error("%s:%" PRId64 ": region %s:%" PRId64 "-%" PRId64 " ends beyond the "
                          "contig (%" PRId64 " bases)", o->bed, r.lineno, f[0], beg, end, len);
            goto done;
        }
        int64_t L = o->window ? o->window : end - beg, from = beg;
        if (o->window) from = beg + (end - beg) / 2 - L / 2;
        else if (first_len < 0) first_len = L, first_line = r.lineno;
        else if (L != first_len) {
            gdl_log_error("%s:%" PRId64 ": region of %" PRId64 " bases, the one at line %" PRId64
                          " had %" PRId64 "; use --window to take equal windows", o->bed,
                          r.lineno, L, first_line, first_len);
            goto done;
        }
        if (!buf) {
            if (!(buf = malloc((size_t)L))) {
                gdl_log_error("out of memory");
                goto done;
            }
            ex->in.length = L;
        }
        if (gdl_ref_fetch(ref, f[0], from, from + L, buf)) goto done;
        if (n >= 4 && strcmp(f[3], ".") != 0 && *f[3])
            snprintf(name, sizeof name, "%s", f[3]);
        else
            snprintf(name, sizeof name, "%s:%" PRId64 "-%" PRId64, f[0], beg + 1, end);
        int a = gdl_examples_add(ex, name, f[0], buf);
        if (a < 0) goto done;
        if (a == 1) {
            gdl_log_error("%s:%" PRId64 ": duplicate region ID '%s'", o->bed, r.lineno, name);
            goto done;
        }
        if (*have_labels && gdl_labels_add(lt, name, f + 4, r.lineno) < 0) goto done;
        if (o->rc && gdl_examples_add_rc(ex, ex->n - 1)) goto done;
    }
    if (gdl_lines_failed(&r)) goto done;
    if (ex->n == 0) {
        gdl_log_error("%s: no regions", o->bed);
        goto done;
    }
    if (*have_labels && gdl_labels_finish(lt)) goto done;
    rc = 0;
done:
    gdl_lines_close(&r);
    gdl_strings_free(&names);
    free(buf);
    return rc;
}

/* The centre-base study's task: for every centre position (stride apart) whose base is A/C/G/T, the F bases
 * left of it then the F bases right of it (2F, N outside the contig) as input and the centre
 * base as a 4-class label. Centres: each BED region, or each contig from F to length - F. */
static int add_centres(const gdl_encode_seq_opts_t *o, gdl_examples_t *ex, gdl_labels_t *lt,
                       const char *contig, const char *seq, int64_t seq_beg, int64_t beg,
                       int64_t end, int64_t *skipped)
{
    int64_t F = o->flank;
    char row[2 * 4096], id[600];
    for (int64_t p = beg; p < end; p += o->stride) {
        const char *c = seq + (p - seq_beg);
        if (*c == 'N') {
            (*skipped)++;
            continue;
        }
        memcpy(row, c - F, (size_t)F);
        memcpy(row + F, c + 1, (size_t)F);
        snprintf(id, sizeof id, "%s:%" PRId64, contig, p + 1);
        int a = gdl_examples_add(ex, id, contig, row);
        if (a < 0) return -1;
        if (a == 1) continue; // overlapping BED regions: one example per position
        if (lt->rows == lt->rows_cap) {
            int64_t cap = lt->rows_cap ? 2 * lt->rows_cap : 4096;
            float *v = realloc(lt->values, cap * sizeof *v);
            if (!v) {
                gdl_log_error("out of memory");
                return -1;
            }
            lt->values = v;
            lt->rows_cap = cap;
        }
        lt->values[lt->rows++] = (float)(*c == 'A' ? 0 : *c == 'C' ? 1 : *c == 'G' ? 2 : 3);
    }
    return 0;
}

static int encode_center(const gdl_encode_seq_opts_t *o, gdl_ref_t *ref, gdl_examples_t *ex,
                         gdl_labels_t *lt)
{
    int64_t F = o->flank, skipped = 0;
    char *seq = NULL;
    int rc = -1;
    gdl_strings_t names = {0};
    gdl_lines_t r = {0};
    ex->in.length = 2 * F;
    if (gdl_strings_push(&names, "base") || gdl_labels_init(lt, o->ref, 1, &names)) goto done;
    lt->kinds[0] = GDL_TARGET_CATEGORICAL;
    static const char *const bases[4] = {"A", "C", "G", "T"};
    for (int k = 0; k < 4; k++)
        if (gdl_strings_push(&lt->classes[0], bases[k])) goto done;
    if (!o->bed) {
        for (int i = 0; i < gdl_ref_ncontigs(ref); i++) {
            const char *contig = gdl_ref_contig(ref, i);
            int64_t len = gdl_ref_length(ref, contig);
            free(seq);
            if (!(seq = malloc((size_t)len + 1))) {
                gdl_log_error("out of memory");
                goto done;
            }
            if (gdl_ref_fetch(ref, contig, 0, len, seq) ||
                add_centres(o, ex, lt, contig, seq, 0, F, len - F, &skipped))
                goto done;
        }
    } else {
        char *f[4], *line;
        if (gdl_lines_open(&r, o->bed)) goto done;
        while ((line = gdl_lines_next(&r))) {
            if (!*line || line[0] == '#' || strncmp(line, "track", 5) == 0 ||
                strncmp(line, "browser", 7) == 0)
                continue;
            int n = gdl_split_tabs(line, f, 3);
            int64_t beg, end, len;
            (void)n;
            if (n < 3 || parse_pos(f[1], &beg) || parse_pos(f[2], &end) || end <= beg) {
                gdl_log_error("%s:%" PRId64 ": expected chrom, start < end (0-based)", o->bed,
                              r.lineno);
                goto done;
            }
            if ((len = gdl_ref_length(ref, f[0])) < 0 || end > len) {
                gdl_log_error("%s:%" PRId64 ": region %s:%" PRId64 "-%" PRId64 " %s", o->bed,
                              r.lineno, f[0], beg, end,
                              len < 0 ? "is on a contig the reference lacks" : "ends beyond the contig");
                goto done;
            }
            free(seq);
            if (!(seq = malloc((size_t)(end - beg + 2 * F)))) {
                gdl_log_error("out of memory");
                goto done;
            }
            if (gdl_ref_fetch(ref, f[0], beg - F, end + F, seq) ||
                add_centres(o, ex, lt, f[0], seq, beg - F, beg, end, &skipped))
                goto done;
        }
        if (gdl_lines_failed(&r)) goto done;
    }
    if (skipped) gdl_log_info("%" PRId64 " centre positions with base N skipped", skipped);
    if (ex->n == 0) {
        gdl_log_error("%s: no centre position with flanks of %" PRId64 " bases", o->ref, F);
        goto done;
    }
    rc = 0;
done:
    gdl_lines_close(&r);
    gdl_strings_free(&names);
    free(seq);
    return rc;
}

int gdl_encode_sequences(const gdl_encode_seq_opts_t *o)
{
    int order = o->order > 1 ? o->order : 1;
    gdl_examples_t ex = {.in = {.name = o->name ? o->name : "dna", .format = GDL_INPUT_SEQ8,
                                .channels = order == 2 ? 16 : 4, .order = order}};
    gdl_labels_t lt = {0}, bed_lt = {0};
    gdl_ref_t *ref = NULL;
    int rc = -1, bed_labels = 0;
    const gdl_labels_t *use = NULL;
    if (o->task == GDL_SEQ_TASK_CENTER_BASE && (o->flank < 1 || o->flank > 4096 || o->stride < 1)) {
        gdl_log_error("center-base: flank must be 1..4096 and stride at least 1");
        return -1;
    }
    if (o->labels) {
        if (gdl_labels_read(&lt, o->labels)) return -1;
        use = &lt;
    }
    if (o->ref && !(ref = gdl_ref_open(o->ref))) goto done;
    if (o->task == GDL_SEQ_TASK_CENTER_BASE) {
        if (encode_center(o, ref, &ex, &bed_lt)) goto done;
        use = &bed_lt;
    } else if (o->bed) {
        if (encode_bed(o, ref, &ex, &bed_lt, &bed_labels)) goto done;
        if (bed_labels) use = &bed_lt;
    } else if (encode_fasta(o, &ex)) {
        goto done;
    }
    rc = gdl_examples_write(&ex, use, o->keep_missing, o->output);
done:
    gdl_examples_free(&ex);
    gdl_labels_free(&lt);
    gdl_labels_free(&bed_lt);
    gdl_ref_close(ref);
    return rc;
}
