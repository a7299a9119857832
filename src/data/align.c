/* A dataset's genotypes seen in another catalog's column order (a model's training variants):
 * columns matched by CHROM:POS:REF:ALT and repacked, so every decoder of the packed format
 * (dense and sparse batches, attribution) reads the aligned view as it reads a dataset.
 * Dimension letters: N examples, M the catalog's variants, B = ceil(M / 4). */
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gdl/core.h"
#include "gdl/dataops.h"
#include "gdl/dataset.h"

/* What d->aligned_ owns: the repacked rows and a copy of the catalog the view describes. */
struct gdl_geno_aligned {
    gdl_genotypes_t view;
    uint8_t *packed;   // (N, B)
    uint8_t *absent;   // (M)
    gdl_catalog_t cat; // the catalog's strings, pos, af and freq
    int shared;        // the view is the stored genotypes with cat's freq and af: rows and strings not ours
};

void gdl_genotypes_aligned_free(struct gdl_geno_aligned *a)
{
    if (!a) return;
    free(a->packed);
    free(a->absent);
    if (!a->shared)
        free(a->view.chrom), free(a->view.id), free(a->view.ref), free(a->view.alt), free(a->view.gene);
    gdl_catalog_free(&a->cat);
    free(a);
}

/* "CHROM\tPOS\tREF\tALT" into *buf (of *cap bytes, grown for long alleles); -1 when out of memory. */
static int site_key(char **buf, size_t *cap, const char *chrom, int64_t pos, const char *ref, const char *alt)
{
    for (;;) {
        int k = snprintf(*buf, *cap, "%s\t%" PRId64 "\t%s\t%s", chrom, pos, ref, alt);
        if (k < 0) return -1;
        if ((size_t)k < *cap) return 0;
        char *b = realloc(*buf, (size_t)k + 1);
        if (!b) return -1;
        *buf = b, *cap = (size_t)k + 1;
    }
}

/* The dataset columns of a pair column's variants (a's returned, b's in *kb): -1 when either is
 * not in map (or the ALT is not a pair's), -2 when out of memory. */
static int64_t pair_columns(const gdl_idmap_t *map, char **key, size_t *cap, const char *chrom, int64_t pos,
                            const char *ref, const char *alt, int64_t *kb)
{
    size_t len = strlen(alt), pre = strlen(GDL_PAIR_ALT_PREFIX);
    char *spec = len > pre + 1 && alt[len - 1] == '>' ? strndup(alt + pre, len - pre - 1) : NULL, *f[5];
    int n = 0;
    int64_t ka = -1, b_pos;
    if (!spec) return len > pre + 1 && alt[len - 1] == '>' ? -2 : -1;
    for (char *p = spec; n < 5; n++) { // ALT_a|CHROM_b|POS_b|REF_b|ALT_b
        f[n] = p;
        if (!(p = strchr(p, '|'))) {
            n++;
            break;
        }
        *p++ = 0;
    }
    char *end;
    if (n == 5 && (b_pos = strtoll(f[2], &end, 10), *end == 0)) {
        if (site_key(key, cap, chrom, pos, ref, f[0])) goto oom;
        ka = gdl_idmap_get(map, *key);
        if (site_key(key, cap, f[1], b_pos, f[3], f[4])) goto oom;
        *kb = gdl_idmap_get(map, *key);
        if (*kb < 0) ka = -1;
    }
    free(spec);
    return ka;
oom:
    free(spec);
    return -2;
}

int gdl_genotypes_match(const gdl_genotypes_t *g, const gdl_catalog_t *c, gdl_geno_match_t *mt)
{
    gdl_idmap_t map = {0};
    const char **chrom = NULL, **ref = NULL, **alt = NULL;
    int64_t M = c->n, used = 0;
    size_t cap = 256;
    char *key = malloc(cap);
    uint8_t *hit = calloc((size_t)(g->n_variants ? g->n_variants : 1), 1);
    int rc = -1;
    memset(mt, 0, sizeof *mt);
    mt->n = M;
    if (!key || !hit || !(mt->from = malloc((size_t)(2 * M + 1) * sizeof *mt->from))) goto oom;
    mt->pair_b = mt->from + M;
    for (int64_t j = 0; j < g->n_variants; j++) {
        if (site_key(&key, &cap, g->chrom[j], g->pos[j], g->ref[j], g->alt[j]) || gdl_idmap_put(&map, key, j) < 0)
            goto oom;
    }
    if (!(chrom = gdl_strings_split(c->chrom.buf, c->chrom.len, M, "catalog chrom")) ||
        !(ref = gdl_strings_split(c->ref.buf, c->ref.len, M, "catalog ref")) ||
        !(alt = gdl_strings_split(c->alt.buf, c->alt.len, M, "catalog alt")))
        goto out;
    for (int64_t j = 0; j < M; j++) {
        int64_t k, kb = -1;
        if (strncmp(alt[j], GDL_PAIR_ALT_PREFIX, strlen(GDL_PAIR_ALT_PREFIX)) == 0) {
            if ((k = pair_columns(&map, &key, &cap, chrom[j], c->pos[j], ref[j], alt[j], &kb)) == -2) goto oom;
        } else {
            if (site_key(&key, &cap, chrom[j], c->pos[j], ref[j], alt[j])) goto oom;
            k = gdl_idmap_get(&map, key);
        }
        mt->from[j] = k, mt->pair_b[j] = k < 0 ? -1 : kb;
        if (k < 0) continue;
        mt->matched++;
        if (kb >= 0) continue; // a pair column uses its variants; it does not claim them
        used += !hit[k];
        hit[k] = 1;
    }
    mt->extra = g->n_variants - used;
    rc = 0;
    goto out;
oom:
    gdl_log_error("out of memory");
out:
    if (rc != 0) free(mt->from), mt->from = NULL;
    gdl_idmap_free(&map);
    free(key), free(hit), free(chrom), free(ref), free(alt);
    return rc;
}

/* Rows [begin, end) of the view: each catalog variant's code from its dataset column, missing
 * (3) for an absent one. */
typedef struct {
    const gdl_genotypes_t *src;
    const gdl_geno_match_t *mt;
    uint8_t *dst;
    int64_t row_bytes;
} repack_t;

static void repack_rows(void *ctx, int64_t begin, int64_t end, int chunk)
{
    (void)chunk;
    const repack_t *r = ctx;
    for (int64_t i = begin; i < end; i++) {
        const uint8_t *row = r->src->packed + i * r->src->row_bytes;
        uint8_t *out = r->dst + i * r->row_bytes;
        for (int64_t j = 0; j < r->mt->n; j++) {
            int64_t k = r->mt->from[j], kb = r->mt->pair_b ? r->mt->pair_b[j] : -1;
            int code = k < 0 ? 3 : kb < 0 ? gdl_geno_code(row, k) : gdl_geno_pair_code(gdl_geno_code(row, k), gdl_geno_code(row, kb));
            out[j >> 2] |= (uint8_t)(code << (2 * (j & 3)));
        }
    }
}

static int strings_copy(gdl_strings_t *dst, const gdl_strings_t *src)
{
    if (!(dst->buf = malloc(src->len ? src->len : 1))) return -1;
    memcpy(dst->buf, src->buf, src->len);
    dst->len = dst->cap = src->len, dst->n = src->n;
    return 0;
}

static void *copy_of(const void *src, size_t n)
{
    void *p = malloc(n ? n : 1);
    if (p) memcpy(p, src, n);
    return p;
}

static int catalog_copy(gdl_catalog_t *dst, const gdl_catalog_t *src)
{
    size_t M = (size_t)src->n;
    dst->n = dst->cap = src->n;
    if (strings_copy(&dst->chrom, &src->chrom) || strings_copy(&dst->id, &src->id) ||
        strings_copy(&dst->ref, &src->ref) || strings_copy(&dst->alt, &src->alt) ||
        strings_copy(&dst->gene, &src->gene) || !(dst->pos = copy_of(src->pos, M * sizeof *src->pos)) ||
        !(dst->af = copy_of(src->af, M * sizeof *src->af)) || !(dst->freq = copy_of(src->freq, 3 * M * sizeof *src->freq)))
        return -1;
    return 0;
}

int gdl_dataset_align_genotypes(gdl_dataset_t *d, const gdl_catalog_t *c, const gdl_geno_match_t *mt)
{
    const gdl_genotypes_t *src = &d->geno_;
    struct gdl_geno_aligned *a = calloc(1, sizeof *a);
    int64_t M = c->n, B = (M + 3) / 4, N = d->n_examples;
    if (!a || catalog_copy(&a->cat, c) != 0) goto oom;
    gdl_genotypes_t *v = &a->view;
    if (!mt) { // the same columns: the stored rows as they are, missing calls at c's means
        *v = *src;
        v->freq = a->cat.freq, v->af = a->cat.af;
        a->shared = 1;
        goto done;
    }
    *v = (gdl_genotypes_t){.n_variants = M, .row_bytes = B, .freq = a->cat.freq, .encoding = src->encoding,
                           .pos = a->cat.pos, .af = a->cat.af};
    size_t bytes = (size_t)(N * B);
    if (!(a->packed = calloc(bytes ? bytes : 1, 1)) || !(a->absent = malloc((size_t)(M ? M : 1))))
        goto oom;
    if (!(v->chrom = gdl_strings_split(a->cat.chrom.buf, a->cat.chrom.len, M, "catalog chrom")) ||
        !(v->id = gdl_strings_split(a->cat.id.buf, a->cat.id.len, M, "catalog id")) ||
        !(v->ref = gdl_strings_split(a->cat.ref.buf, a->cat.ref.len, M, "catalog ref")) ||
        !(v->alt = gdl_strings_split(a->cat.alt.buf, a->cat.alt.len, M, "catalog alt")) ||
        !(v->gene = gdl_strings_split(a->cat.gene.buf, a->cat.gene.len, M, "catalog gene")))
        goto fail;
    for (int64_t j = 0; j < M; j++) a->absent[j] = mt->from[j] < 0;
    repack_t r = {.src = src, .mt = mt, .dst = a->packed, .row_bytes = B};
    gdl_parallel_for(N, repack_rows, &r);
    v->packed = a->packed;
    v->absent = a->absent;
done:
    gdl_genotypes_aligned_free(d->aligned_);
    d->aligned_ = a;
    d->geno = v;
    return 0;
oom:
    gdl_log_error("out of memory");
fail:
    gdl_genotypes_aligned_free(a);
    return -1;
}

/* snprintf into a fresh buffer; NULL when out of memory. */
static char *format_new(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static char *format_new(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    char *s = n >= 0 ? malloc((size_t)n + 1) : NULL;
    if (!s) return NULL;
    va_start(ap, fmt);
    vsnprintf(s, (size_t)n + 1, fmt, ap);
    va_end(ap);
    return s;
}

int gdl_catalog_push_pair(gdl_catalog_t *c, const gdl_genotypes_t *g, int64_t n_rows, int64_t a, int64_t b)
{
    char na[512], nb[512];
    int64_t count[4] = {0};
    for (int64_t i = 0; i < n_rows; i++) {
        const uint8_t *row = g->packed + i * g->row_bytes;
        count[gdl_geno_pair_code(gdl_geno_code(row, a), gdl_geno_code(row, b))]++;
    }
    int64_t called = count[0] + count[1];
    float freq[3] = {called ? (float)count[0] / (float)called : 0, called ? (float)count[1] / (float)called : 0, 0};
    float af = called ? freq[1] / 2 : NAN; // as if the pair were a variant whose carriers are heterozygous
    char *id = format_new("%s*%s", gdl_genotypes_variant_name(g, a, na, sizeof na),
                          gdl_genotypes_variant_name(g, b, nb, sizeof nb));
    char *alt = format_new("%s%s|%s|%lld|%s|%s>", GDL_PAIR_ALT_PREFIX, g->alt[a], g->chrom[b], (long long)g->pos[b],
                           g->ref[b], g->alt[b]);
    int rc = id && alt ? gdl_catalog_push(c, g->chrom[a], g->pos[a], id, g->ref[a], alt, "", af, freq) : -1;
    if (rc != 0) gdl_log_error("out of memory");
    free(id), free(alt);
    return rc;
}
