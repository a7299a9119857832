/* The packed genotype format (gdl/dataset.h, docs/formats.md) decoded: a call's value, rows
 * expanded to floats (dense batches), rows as sparse batches of their non-zero calls, the whole
 * cohort's calls decoded once, and the variant catalog's names and hash. The one place that
 * reads the 2-bit codes other than gdl_geno_code itself. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gdl/core.h"
#include "gdl/dataset.h"

/* ---- values and dense batches ------------------------------------------------------------- */

int64_t gdl_genotypes_width(const gdl_genotypes_t *g)
{
    return g->encoding == GDL_GENO_GENOTYPE ? 3 * g->n_variants : g->n_variants;
}

typedef struct {
    const gdl_genotypes_t *g;
    const int64_t *rows;
    float *out;
    float byte_values[256][4]; // dosage or presence: the values of a packed byte's four calls
    uint8_t has_missing[256];  // ... unless one is missing (its value is the variant's mean)
} geno_batch_t;

float gdl_genotypes_call_value(const gdl_genotypes_t *g, int64_t j, int code)
{
    int presence = g->encoding == GDL_GENO_PRESENCE;
    if (code < 3) return presence ? (float)(code > 0) : (float)code;
    const float *fr = g->freq + 3 * j;
    return presence ? fr[1] + fr[2] : fr[1] + 2 * fr[2];
}

float gdl_genotypes_call_sd(const gdl_genotypes_t *g, int64_t j)
{
    const float *fr = g->freq + 3 * j;
    double mean, sq;
    if (g->encoding == GDL_GENO_PRESENCE) mean = sq = (double)fr[1] + fr[2];
    else mean = (double)fr[1] + 2.0 * fr[2], sq = (double)fr[1] + 4.0 * fr[2];
    double var = sq - mean * mean;
    return var > 0 ? (float)sqrt(var) : 0.0f;
}

/* Call j with code c into the example o: its value, or for genotype classes its class's
 * channel (a missing call: the classes' frequencies) */
static void genotype_value(const gdl_genotypes_t *g, int64_t j, int code, float *o)
{
    int64_t M = g->n_variants;
    if (g->encoding != GDL_GENO_GENOTYPE) o[j] = gdl_genotypes_call_value(g, j, code);
    else if (code < 3) o[code * M + j] = 1;
    else for (int k = 0; k < 3; k++) o[k * M + j] = g->freq[3 * j + k];
}

/* samples [begin, end) of the batch: dosage and presence a packed byte (4 calls) at a time from
 * the table, the rest call by call */
static void genotype_rows(void *ctx, int64_t begin, int64_t end, int chunk)
{
    (void)chunk;
    const geno_batch_t *c = ctx;
    const gdl_genotypes_t *g = c->g;
    int64_t M = g->n_variants, W = gdl_genotypes_width(g);
    int by_byte = g->encoding != GDL_GENO_GENOTYPE;
    for (int64_t b = begin; b < end; b++) {
        const uint8_t *row = g->packed + c->rows[b] * g->row_bytes;
        float *o = c->out + b * W;
        if (!by_byte) memset(o, 0, (size_t)W * sizeof *o);
        for (int64_t at = 0; at < M; at += 4) { // the calls of byte at / 4
            uint8_t byte = row[at / 4];
            if (by_byte && at + 4 <= M && !c->has_missing[byte]) {
                memcpy(o + at, c->byte_values[byte], sizeof c->byte_values[byte]);
                continue;
            }
            for (int64_t j = at; j < at + 4 && j < M; j++) genotype_value(g, j, gdl_geno_code(row, j), o);
        }
    }
}

void gdl_genotypes_batch(const gdl_genotypes_t *g, const int64_t *rows, int64_t n, float *out)
{
    geno_batch_t c = {.g = g, .rows = rows, .out = out};
    for (int byte = 0; byte < 256; byte++)
        for (int q = 0; q < 4; q++) {
            int code = byte >> 2 * q & 3;
            c.has_missing[byte] |= code == 3;
            c.byte_values[byte][q] = code < 3 ? gdl_genotypes_call_value(g, 0, code) : 0;
        }
    gdl_parallel_for(n, genotype_rows, &c);
}

/* v in decimal, as "%" PRId64 writes it, ending at the end of buf[24] (snprintf took most of
 * the hash's time on large catalogs). */
static const char *decimal(int64_t v, char buf[24])
{
    char *p = buf + 23;
    uint64_t u = v < 0 ? 0 - (uint64_t)v : (uint64_t)v;
    *p = 0;
    do *--p = (char)('0' + u % 10); while (u /= 10);
    if (v < 0) *--p = '-';
    return p;
}

const char *gdl_genotypes_variant_name(const gdl_genotypes_t *g, int64_t j, char *buf, size_t size)
{
    if (strcmp(g->id[j], ".") != 0) return g->id[j];
    snprintf(buf, size, "%s:%lld:%s:%s", g->chrom[j], (long long)g->pos[j], g->ref[j], g->alt[j]);
    return buf;
}

uint64_t gdl_genotypes_catalog_hash(const gdl_genotypes_t *g)
{
    uint64_t h = 1469598103934665603ull;
    char buf[24];
#define MIX(s)                                                                                    \
    for (const unsigned char *p_ = (const unsigned char *)(s); *p_; p_++) h = (h ^ *p_) * 1099511628211ull
    for (int64_t j = 0; j < g->n_variants; j++) {
        MIX(g->chrom[j]); MIX("\t"); MIX(decimal(g->pos[j], buf)); MIX("\t"); MIX(g->ref[j]); MIX("\t");
        MIX(g->alt[j]); MIX("\n");
    }
#undef MIX
    return h;
}

/* ---- sparse batches ----------------------------------------------------------------------- */

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

int gdl_genotypes_sparse_batch(const gdl_genotypes_t *g, const float *missing, const gdl_geno_calls_t *decoded,
                               const int64_t *rows, int64_t n, gdl_csr_t *out)
{
    if (!decoded) return decode_rows(out, g, missing, rows, n);
    cached_batch_t c = {decoded, rows, missing, {0, gdl_genotypes_call_value(g, 0, 1), gdl_genotypes_call_value(g, 0, 2)}};
    return gdl_csr_build(out, n, g->n_variants, cached_row, &c);
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

int gdl_genotypes_decode_cohort(gdl_geno_calls_t *c, const gdl_genotypes_t *g, int64_t n_samples, int64_t budget)
{
    enum { CHUNK = 64 }; // samples decoded at a time (over the threads), then packed into c
    memset(c, 0, sizeof *c);
    int64_t N = n_samples, nnz;
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
        gdl_geno_calls_free(c);
        return -1;
    }
    c->n_rows = N;
    return 0;
}

void gdl_geno_calls_free(gdl_geno_calls_t *c)
{
    free(c->row);
    free(c->call);
    memset(c, 0, sizeof *c);
}
