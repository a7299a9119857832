/* Reading datasets: check the schema (docs/formats.md), then hand out views into the mapping. */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "gdl/core.h"
#include "gdl/dataset.h"

const char **gdl_strings_split(const void *data, uint64_t nbytes, int64_t n, const char *what)
{
    const char *p = data, *end = p + nbytes;
    const char **out = malloc((n > 0 ? n : 1) * sizeof *out);
    if (!out) {
        gdl_log_error("out of memory");
        return NULL;
    }
    int64_t k = 0;
    while (p < end) {
        const char *z = memchr(p, 0, (size_t)(end - p));
        if (!z || k == n) break;
        out[k++] = p;
        p = z + 1;
    }
    if (k != n || p != end) {
        gdl_log_error("%s: expected %" PRId64 " NUL-terminated strings", what, n);
        free(out);
        return NULL;
    }
    return out;
}

static int meta_i64(const gdl_file_t *f, const char *key, int64_t *out)
{
    const char *v = gdl_file_meta(f, key);
    char *end;
    if (!v) {
        gdl_log_error("%s: not a dataset: metadata '%s' missing", gdl_file_path(f), key);
        return -1;
    }
    errno = 0;
    long long x = strtoll(v, &end, 10);
    if (errno || end == v || *end || x < 0) {
        gdl_log_error("%s: metadata '%s' = '%s' is not a count", gdl_file_path(f), key, v);
        return -1;
    }
    *out = x;
    return 0;
}

/* The tensor NAME with dtype and shape (dims < 0 match anything); NULL with an error. */
static const gdl_entry_t *need(const gdl_file_t *f, const char *name, gdl_dtype_t dtype, int ndim,
                               int64_t d0, int64_t d1)
{
    const gdl_entry_t *e = gdl_file_find(f, name);
    if (!e) {
        gdl_log_error("%s: tensor '%s' missing", gdl_file_path(f), name);
        return NULL;
    }
    if (e->dtype != dtype || e->ndim != ndim || (d0 >= 0 && e->shape[0] != d0) ||
        (ndim > 1 && d1 >= 0 && e->shape[1] != d1)) {
        gdl_log_error("%s: tensor '%s' has dtype %s and an unexpected shape (schema %s)",
                      gdl_file_path(f), name, gdl_dtype_name(e->dtype), GDL_DATASET_SCHEMA);
        return NULL;
    }
    return e;
}

static const char **need_strings(const gdl_file_t *f, const char *name, int64_t n)
{
    const gdl_entry_t *e = need(f, name, GDL_U8, 1, -1, -1);
    if (!e) return NULL;
    char what[256];
    snprintf(what, sizeof what, "%s: tensor '%s'", gdl_file_path(f), name);
    return gdl_strings_split(e->data, e->nbytes, n, what);
}

/* The catalog of M variants (catalog:*, input:genotypes.freq) of f into g: views into the
 * mapping, the string pointer arrays malloc'd (free_catalog_strings). */
static int read_catalog(const gdl_file_t *f, int64_t M, gdl_genotypes_t *g)
{
    const gdl_entry_t *e;
    if (!(e = need(f, GDL_GENO_INPUT ".freq", GDL_F32, 2, M, 3))) return -1;
    g->freq = e->data;
    if (!(e = need(f, "catalog:pos", GDL_I64, 1, M, -1))) return -1;
    g->pos = e->data;
    if (!(e = need(f, "catalog:af", GDL_F32, 1, M, -1))) return -1;
    g->af = e->data;
    if (!(g->chrom = need_strings(f, "catalog:chrom", M)) || !(g->id = need_strings(f, "catalog:id", M)) ||
        !(g->ref = need_strings(f, "catalog:ref", M)) || !(g->alt = need_strings(f, "catalog:alt", M)) ||
        !(g->gene = need_strings(f, "catalog:gene", M)))
        return -1;
    return 0;
}

static void free_catalog_strings(gdl_genotypes_t *g)
{
    free(g->chrom);
    free(g->id);
    free(g->ref);
    free(g->alt);
    free(g->gene);
}

static int open_genotypes(gdl_dataset_t *d)
{
    gdl_file_t *f = d->file;
    gdl_genotypes_t *g = &d->geno_;
    const gdl_entry_t *e;
    int64_t M;
    const char *fmt = gdl_file_meta(f, GDL_GENO_INPUT ".format");
    const char *enc = gdl_file_meta(f, GDL_GENO_INPUT ".encoding");
    if (!fmt || strcmp(fmt, "gt2") != 0) {
        gdl_log_error("%s: input genotypes: format '%s', expected gt2", gdl_file_path(f),
                      fmt ? fmt : "(none)");
        return -1;
    }
    if (meta_i64(f, GDL_GENO_INPUT ".variants", &M)) return -1;
    int k = enc ? gdl_geno_encoding_from_name(enc) : -1;
    if (k < 0) {
        gdl_log_error("%s: unknown genotype encoding '%s'", gdl_file_path(f), enc ? enc : "");
        return -1;
    }
    g->encoding = (gdl_geno_encoding_t)k;
    g->n_variants = M;
    g->row_bytes = (M + 3) / 4;
    if (!(e = need(f, GDL_GENO_INPUT, GDL_U8, 2, d->n_examples, g->row_bytes))) return -1;
    g->packed = e->data;
    if (read_catalog(f, M, g)) return -1;
    d->geno = g;
    return 0;
}

int gdl_catalog_load(const gdl_file_t *f, int64_t M, gdl_catalog_t *c)
{
    gdl_genotypes_t g = {.n_variants = M};
    int rc = read_catalog(f, M, &g) || gdl_catalog_from_genotypes(c, &g) ? -1 : 0;
    free_catalog_strings(&g);
    return rc;
}

/* Whether the comma list of input names holds "genotypes" itself (an input named
 * "my_genotypes" is another input). */
static int lists_genotypes(const char *list)
{
    static const char name[] = "genotypes";
    for (const char *p = list; p && *p; p += strcspn(p, ",") + (p[strcspn(p, ",")] != 0))
        if (strcspn(p, ",") == sizeof name - 1 && !strncmp(p, name, sizeof name - 1)) return 1;
    return 0;
}

gdl_dataset_t *gdl_dataset_open(const char *path)
{
    gdl_dataset_t *d = calloc(1, sizeof *d);
    int64_t T;
    if (!d) {
        gdl_log_error("out of memory");
        return NULL;
    }
    if (!(d->file = gdl_file_open(path))) goto fail;
    gdl_file_t *f = d->file;
    const char *kind = gdl_file_meta(f, "gdl.kind");
    if (!kind || strcmp(kind, "dataset") != 0) {
        gdl_log_error("%s: not a dataset (gdl.kind is '%s')", path, kind ? kind : "");
        goto fail;
    }
    if (meta_i64(f, "gdl.examples", &d->n_examples) || meta_i64(f, "gdl.targets", &T)) goto fail;
    if (T > GDL_DATASET_MAX_TARGETS) {
        gdl_log_error("%s: %" PRId64 " targets, at most %d supported", path, T, GDL_DATASET_MAX_TARGETS);
        goto fail;
    }
    d->n_targets = (int)T;
    if (!(d->ids = need_strings(f, "ids", d->n_examples))) goto fail;
    if (T > 0) {
        const gdl_entry_t *e = need(f, "labels", GDL_F32, 2, d->n_examples, T);
        if (!e) goto fail;
        d->labels = e->data;
        const char **names = need_strings(f, "target_names", T);
        if (!names) goto fail;
        if (!(d->targets = calloc(T, sizeof *d->targets))) {
            free(names);
            gdl_log_error("out of memory");
            goto fail;
        }
        const char *kinds = gdl_file_meta(f, "gdl.target_kinds");
        const char *p = kinds ? kinds : "";
        for (int t = 0; t < T; t++) {
            d->targets[t].name = names[t];
            char word[32];
            size_t len = strcspn(p, ",");
            snprintf(word, sizeof word, "%.*s", (int)(len < 31 ? len : 31), p);
            int k = gdl_target_kind_from_name(word);
            if (k < 0) {
                free(names);
                gdl_log_error("%s: gdl.target_kinds: bad kind for target %d", path, t);
                goto fail;
            }
            d->targets[t].kind = (gdl_target_kind_t)k;
            p += len + (p[len] == ',');
            if (k == GDL_TARGET_CATEGORICAL) {
                char name[32];
                snprintf(name, sizeof name, "target_classes:%d", t);
                const gdl_entry_t *c = need(f, name, GDL_U8, 1, -1, -1);
                if (!c) {
                    free(names);
                    goto fail;
                }
                int64_t n = 0;
                for (uint64_t i = 0; i < c->nbytes; i++) n += ((const char *)c->data)[i] == 0;
                d->targets[t].n_classes = (int)n;
                if (!(d->targets[t].classes = need_strings(f, name, n))) {
                    free(names);
                    goto fail;
                }
            }
        }
        free(names); // the strings themselves live in the mapping
    }
    const char *inputs = gdl_file_meta(f, "gdl.inputs");
    if (gdl_file_find(f, GDL_GENO_INPUT) || lists_genotypes(inputs))
        if (open_genotypes(d)) goto fail;
    if (gdl_dataset_open_inputs(d)) goto fail; // sequence and numeric inputs: dataset_inputs.c
    return d;
fail:
    gdl_dataset_close(d);
    return NULL;
}

void gdl_dataset_close(gdl_dataset_t *d)
{
    if (!d) return;
    for (int t = 0; d->targets && t < d->n_targets; t++) free(d->targets[t].classes);
    free(d->targets);
    free(d->ids);
    free_catalog_strings(&d->geno_);
    gdl_genotypes_aligned_free(d->aligned_);
    gdl_dataset_close_inputs(d);
    gdl_file_close(d->file);
    free(d);
}

int64_t gdl_dataset_prevalence(const gdl_dataset_t *d, int t, const int64_t *rows, int64_t n, double *out)
{
    const gdl_target_t *tg = &d->targets[t];
    if (tg->kind == GDL_TARGET_REGRESSION) return 0;
    int K = tg->kind == GDL_TARGET_CATEGORICAL ? tg->n_classes : 1;
    int64_t labelled = 0;
    for (int k = 0; k < K; k++) out[k] = 0;
    if (!rows) n = d->n_examples;
    for (int64_t i = 0; i < n; i++) {
        float y = d->labels[(rows ? rows[i] : i) * d->n_targets + t];
        if (isnan(y)) continue;
        labelled++;
        if (K == 1) out[0] += y != 0;
        else if (y >= 0 && (int)y < K) out[(int)y]++;
    }
    for (int k = 0; k < K; k++) out[k] = labelled ? out[k] / (double)labelled : NAN;
    return labelled;
}

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

/* v in decimal, as "%" PRId64 writes it, ending at the end of buf[24]; snprintf took most of
 * the hash's time (a predict's first 15 ms at 75,000 variants). */
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
