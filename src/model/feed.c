/* Minibatches from the stored form: genotype bits expanded to floats or to a sparse batch,
 * bases to one-hot, numeric tracks copied. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "gdl/core.h"
#include "model_internal.h"

int feed_input_shape(const gdl_config_input_t *ci, const gdl_dataset_t *d, gdl_model_input_t *mi)
{
    memset(mi, 0, sizeof *mi);
    if (strcmp(ci->from, "genotypes") == 0) {
        const gdl_genotypes_t *g = d->geno;
        if (!g) {
            gdl_log_error("%s: input '%s' wants genotypes, the dataset has none",
                          gdl_file_path(d->file), ci->name);
            return -1;
        }
        mi->sparse = ci->sparse;
        if (ci->sparse && g->encoding == GDL_GENO_GENOTYPE) {
            gdl_log_error("input '%s': a sparse input needs dosage or presence encoding, the"
                          " dataset is encoded as genotype classes", ci->name);
            return -1;
        }
        if (g->encoding == GDL_GENO_GENOTYPE) { // (3, M): classes as channels, variants as positions
            mi->ndim = 2;
            mi->shape[0] = 3;
            mi->shape[1] = g->n_variants;
        } else {
            mi->ndim = 1;
            mi->shape[0] = g->n_variants;
        }
        return 0;
    }
    const gdl_input_t *in = gdl_dataset_input(d, ci->from);
    if (!in) {
        gdl_log_error("%s: input '%s' wants dataset input '%s', which it does not hold",
                      gdl_file_path(d->file), ci->name, ci->from);
        return -1;
    }
    if (ci->sparse) {
        gdl_log_error("input '%s': only genotypes can be a sparse input", ci->name);
        return -1;
    }
    mi->ndim = 2; // (C, L): one-hot bases or numeric tracks
    mi->shape[0] = in->channels;
    mi->shape[1] = in->length;
    return 0;
}

int feed_init(gdl_feed_t *f, const gdl_config_input_t *ci, const gdl_dataset_t *d, int64_t max_batch)
{
    gdl_model_input_t mi;
    memset(f, 0, sizeof *f);
    if (feed_input_shape(ci, d, &mi) != 0) return -1;
    f->name = ci->name;
    f->max_batch = max_batch;
    f->ndim = mi.ndim;
    memcpy(f->shape, mi.shape, sizeof f->shape);
    f->width = 1;
    for (int i = 0; i < mi.ndim; i++) f->width *= mi.shape[i];
    if (mi.sparse) {
        f->kind = GDL_FEED_GENO_SPARSE; // the batch's arrays come with the first batch
        const gdl_genotypes_t *g = d->geno;
        if (!(f->missing = gdl_malloc((size_t)(g->n_variants + 1) * sizeof *f->missing))) return -1;
        for (int64_t j = 0; j < g->n_variants; j++) f->missing[j] = gdl_genotypes_call_value(g, j, 3);
        return 0;
    }
    f->input = strcmp(ci->from, "genotypes") ? gdl_dataset_input(d, ci->from) : NULL;
    f->kind = f->input ? GDL_FEED_INPUT : GDL_FEED_GENO_DENSE;
    return (f->buf = gdl_malloc((size_t)(max_batch * f->width) * sizeof(float))) ? 0 : -1;
}

static const uint8_t *sample_row(const gdl_genotypes_t *g, int64_t row)
{
    return g->packed + row * g->row_bytes;
}

typedef int32_t v4i __attribute__((vector_size(16)));

/* What one packed byte (4 calls) holds: its non-zero calls' offsets in the byte and values. */
typedef struct {
    int32_t off[4];
    float val[4];
    int n;       // non-zero calls
    int missing; // one of them is missing: its value, the variant's mean, is looked up
} byte_calls_t;

static void byte_calls_table(byte_calls_t table[256], const gdl_genotypes_t *g)
{
    for (int byte = 0; byte < 256; byte++) {
        byte_calls_t *e = &table[byte];
        memset(e, 0, sizeof *e);
        for (int q = 0; q < 4; q++) {
            int code = byte >> 2 * q & 3;
            e->missing |= code == 3;
            if (code == 1 || code == 2) e->off[e->n] = q, e->val[e->n++] = gdl_genotypes_call_value(g, 0, code);
        }
    }
}

/* The batch's rows (gdl_csr_build's fn) */
typedef struct {
    const gdl_genotypes_t *g;
    const int64_t *rows;
    const float *missing;  // (M) a missing call's value: its variant's mean
    byte_calls_t table[256];
} sparse_batch_t;

/* The non-zero calls of packed bytes [from, to) (calls 4 from onwards) at col + k, val + k, one
 * by one, the mean for a missing call (left out where it is 0) and the padding of the last byte
 * left out; returns the new k. */
static int64_t bytes_values(const sparse_batch_t *c, const uint8_t *packed, int64_t from, int64_t to, int64_t k,
                            int32_t *col, float *val)
{
    const float *called = c->table[0x24].val; // byte 0b00100100 holds codes 1 and 2, in order
    for (int64_t byte = from; byte < to; byte++)
        for (int q = 0; q < 4; q++) {
            int code = packed[byte] >> 2 * q & 3;
            int64_t j = 4 * byte + q;
            if (!code || j >= c->g->n_variants) continue;
            float v = code < 3 ? called[code - 1] : c->missing[j];
            if (v == 0) continue;
            col[k] = (int32_t)j;
            val[k++] = v;
        }
    return k;
}

/* Bit b set where byte b of the word is not 0: the top bit of each byte's "not 0", gathered
 * into the top byte by one multiplication. */
static uint32_t nonzero_bytes(uint64_t w)
{
    const uint64_t low7 = 0x7f7f7f7f7f7f7f7full;
    uint64_t top = (((w & low7) + low7) | w) & ~low7;
    return (uint32_t)((top >> 7) * 0x0102040810204080ull >> 56);
}

/* One sample's non-zero values into col, val (which have room for 3 values past them);
 * returns how many. About one byte (4 calls) in 13 is not 0 at 2% non-zero calls, so the row is
 * read 32 bytes at a time and only those bytes are visited: a byte's calls come from a table,
 * all four places written (two vector stores) and k moved past the ones it holds (a branch per
 * call, taken or not about equally often, cost more than the rest of the work). Bytes with a
 * missing call, and the last byte's padding, go one call at a time. */
static int64_t sparse_row(const sparse_batch_t *c, const uint8_t *packed, int32_t *col, float *val)
{
    int64_t whole = c->g->n_variants / 4, k = 0, at = 0; // bytes without padding
    for (; at + 32 <= whole; at += 32) {
        uint64_t w[4];
        memcpy(w, packed + at, sizeof w);
        uint32_t m = 0;
        for (int q = 0; q < 4; q++) {
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
            w[q] = __builtin_bswap64(w[q]); // byte b of the row at bits 8b
#endif
            m |= nonzero_bytes(w[q]) << 8 * q;
        }
        for (; m; m &= m - 1) {
            int64_t byte = at + __builtin_ctz(m);
            const byte_calls_t *e = &c->table[packed[byte]];
            if (e->missing) {
                k = bytes_values(c, packed, byte, byte + 1, k, col, val);
                continue;
            }
            v4i at4 = {0, 0, 0, 0}, off;
            memcpy(&off, e->off, sizeof off);
            at4 += (int32_t)(4 * byte);
            off += at4;
            memcpy(col + k, &off, sizeof off);
            memcpy(val + k, e->val, sizeof e->val);
            k += e->n;
        }
    }
    return bytes_values(c, packed, at, c->g->row_bytes, k, col, val);
}

static int64_t decode_row(void *ctx, int64_t i, int32_t *col, float *val)
{
    const sparse_batch_t *c = ctx;
    return sparse_row(c, sample_row(c->g, c->rows ? c->rows[i] : i), col, val);
}

/* Samples rows[0..n) (NULL: samples 0..n) of g decoded into c, missing calls as missing[] says. */
static int decode_rows(gdl_csr_t *c, const gdl_genotypes_t *g, const float *missing, const int64_t *rows, int64_t n)
{
    sparse_batch_t b = {.g = g, .rows = rows, .missing = missing};
    byte_calls_table(b.table, g);
    // sparse_row writes up to 3 places past a sample's values
    return gdl_csr_build(c, n, g->n_variants + 3, decode_row, &b);
}

/* The batch's rows copied from the decoded cohort (gdl_csr_build's fn). */
typedef struct {
    const gdl_geno_calls_t *decoded;
    const int64_t *rows;
    const float *missing;
    float value[3];   // by code: 0, het, hom-alt (a missing call's is its variant's)
} cached_batch_t;

typedef uint32_t v8u __attribute__((vector_size(32)));
typedef float v8f __attribute__((vector_size(32)));

/* A call's place and value: het + (code >> 1) * step is het for code 1, hom-alt for code 2;
 * code 3 (missing) takes its variant's value. */
static void cached_call(const cached_batch_t *c, uint32_t call, int32_t *col, float *val)
{
    uint32_t code = call >> GDL_CALL_CODE_SHIFT;
    *col = (int32_t)(call & GDL_CALL_VARIANT_MASK);
    *val = code == 3 ? c->missing[*col] : c->value[code];
}

/* Eight calls at a time in vectors; a group holding a missing call goes one by one. */
static int64_t cached_row(void *ctx, int64_t i, int32_t *col, float *val)
{
    const cached_batch_t *c = ctx;
    int64_t from = c->decoded->row[c->rows[i]], k = c->decoded->row[c->rows[i] + 1] - from, q = 0;
    const uint32_t *call = c->decoded->call + from;
    const float het = c->value[1], step = c->value[2] - c->value[1];
    for (; q + 8 <= k; q += 8) {
        v8u w, missing = {0};
        memcpy(&w, call + q, sizeof w);
        v8u code = w >> GDL_CALL_CODE_SHIFT, place = w & GDL_CALL_VARIANT_MASK;
        v8f v = het + __builtin_convertvector(code >> 1, v8f) * step;
        memcpy(col + q, &place, sizeof place);
        memcpy(val + q, &v, sizeof v);
        missing = code & code >> 1;
        uint64_t any[4];
        memcpy(any, &missing, sizeof any);
        if (any[0] | any[1] | any[2] | any[3])
            for (int u = 0; u < 8; u++) cached_call(c, call[q + u], col + q + u, val + q + u);
    }
    for (; q < k; q++) cached_call(c, call[q], col + q, val + q);
    return k;
}

static int sparse_batch(gdl_feed_t *f, const gdl_genotypes_t *g, const int64_t *rows, int64_t n)
{
    int failed;
    if (f->decoded) {
        cached_batch_t c = {f->decoded, rows, f->missing,
                            {0, gdl_genotypes_call_value(g, 0, 1), gdl_genotypes_call_value(g, 0, 2)}};
        failed = gdl_csr_build(&f->csr, n, g->n_variants, cached_row, &c);
    } else {
        failed = decode_rows(&f->csr, g, f->missing, rows, n);
    }
    if (failed) return -1;
    f->sparse = (gdl_nn_sparse_t){n, g->n_variants, f->csr.row, f->csr.col, f->csr.val};
    return 0;
}

/* Non-zero 2-bit codes of the packed rows (missing calls included): the decoded rows' size. */
static int64_t nonzero_calls(const gdl_genotypes_t *g, int64_t n_samples)
{
    int64_t n = 0, bytes = n_samples * g->row_bytes, at = 0;
    for (; at + 8 <= bytes; at += 8) {
        uint64_t w;
        memcpy(&w, g->packed + at, sizeof w);
        n += __builtin_popcountll((w | w >> 1) & 0x5555555555555555ull);
    }
    for (; at < bytes; at++) n += __builtin_popcount((g->packed[at] | g->packed[at] >> 1) & 0x55);
    return n;
}

int feed_decode_cohort(gdl_geno_calls_t *c, const gdl_dataset_t *d, int64_t budget)
{
    enum { CHUNK = 64 }; // samples decoded at a time (over the threads), then packed into c
    memset(c, 0, sizeof *c);
    const gdl_genotypes_t *g = d->geno;
    int64_t N = d->n_examples, nnz;
    if (!g || !N || g->n_variants > GDL_CALL_VARIANT_MASK + 1) return 1;
    if ((nnz = nonzero_calls(g, N)) * (int64_t)sizeof *c->call + (N + 1) * (int64_t)sizeof *c->row > budget) return 1;
    float *missing = gdl_malloc((size_t)(g->n_variants + 1) * sizeof *missing);
    int64_t *rows = malloc(CHUNK * sizeof *rows);
    gdl_csr_t part = {0};
    int failed = !missing || !rows || !(c->row = malloc((size_t)(N + 1) * sizeof *c->row)) ||
                 !(c->call = malloc((size_t)(nnz + 1) * sizeof *c->call));
    float het = gdl_genotypes_call_value(g, 0, 1), hom = gdl_genotypes_call_value(g, 0, 2);
    if (!failed) {
        for (int64_t j = 0; j < g->n_variants; j++) missing[j] = gdl_genotypes_call_value(g, j, 3);
        c->row[0] = 0;
    }
    for (int64_t at = 0; at < N && !failed; at += CHUNK) {
        int64_t n = N - at < CHUNK ? N - at : CHUNK;
        for (int64_t i = 0; i < n; i++) rows[i] = at + i;
        if ((failed = decode_rows(&part, g, missing, rows, n) != 0)) break;
        uint32_t *call = c->call + c->row[at];
        for (int64_t k = 0; k < part.row[n]; k++) { // the value's code: a missing call's mean may equal 1 or 2
            uint32_t code = part.val[k] == het ? 1 : part.val[k] == hom ? 2 : 3;
            call[k] = code << GDL_CALL_CODE_SHIFT | (uint32_t)part.col[k];
        }
        for (int64_t i = 0; i < n; i++) c->row[at + i + 1] = c->row[at] + part.row[i + 1];
    }
    gdl_free(missing);
    free(rows);
    gdl_csr_free(&part);
    if (failed) {
        gdl_log_error("out of memory");
        feed_free_cohort(c);
        return -1;
    }
    c->n_rows = N;
    return 0;
}

void feed_free_cohort(gdl_geno_calls_t *c)
{
    free(c->row);
    free(c->call);
    memset(c, 0, sizeof *c);
}

int feed_batch(gdl_feed_t *f, gdl_nn_t *g, const gdl_dataset_t *d, const int64_t *rows, int64_t n,
               const gdl_input_view_t *views)
{
    const gdl_genotypes_t *geno = d->geno;
    switch (f->kind) {
    case GDL_FEED_INPUT:
        gdl_input_batch_views(f->input, rows, n, views, f->buf);
        return gdl_nn_set_input(g, f->name, f->buf);
    case GDL_FEED_GENO_DENSE:
        gdl_genotypes_batch(geno, rows, n, f->buf);
        return gdl_nn_set_input(g, f->name, f->buf);
    case GDL_FEED_GENO_SPARSE:
        if (sparse_batch(f, geno, rows, n) != 0) return -1;
        return gdl_nn_set_sparse(g, f->name, &f->sparse);
    }
    return -1;
}

void feed_free(gdl_feed_t *f)
{
    gdl_free(f->buf);
    gdl_free(f->missing);
    gdl_csr_free(&f->csr);
    memset(f, 0, sizeof *f);
}
