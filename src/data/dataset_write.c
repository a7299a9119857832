/* Writing datasets: string lists, the variant catalog, and the schema of docs/formats.md. */
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "gdl/core.h"
#include "gdl/dataset.h"

static const char *const target_kinds[GDL_TARGET_KIND_COUNT] = {
    [GDL_TARGET_BINARY] = "binary",
    [GDL_TARGET_REGRESSION] = "regression",
    [GDL_TARGET_CATEGORICAL] = "categorical",
};
_Static_assert(GDL_TARGET_KIND_COUNT == 3, "target kinds table");

static const char *const geno_encodings[GDL_GENO_ENCODING_COUNT] = {
    [GDL_GENO_DOSAGE] = "dosage",
    [GDL_GENO_PRESENCE] = "presence",
    [GDL_GENO_GENOTYPE] = "genotype",
};
_Static_assert(GDL_GENO_ENCODING_COUNT == 3, "genotype encodings table");

const char *gdl_target_kind_name(gdl_target_kind_t k)
{
    return k < GDL_TARGET_KIND_COUNT ? target_kinds[k] : "?";
}

int gdl_target_kind_from_name(const char *name)
{
    for (int i = 0; i < GDL_TARGET_KIND_COUNT; i++)
        if (strcmp(target_kinds[i], name) == 0) return i;
    return -1;
}

const char *gdl_geno_encoding_name(gdl_geno_encoding_t e)
{
    return e < GDL_GENO_ENCODING_COUNT ? geno_encodings[e] : "?";
}

int gdl_geno_encoding_from_name(const char *name)
{
    for (int i = 0; i < GDL_GENO_ENCODING_COUNT; i++)
        if (strcmp(geno_encodings[i], name) == 0) return i;
    return -1;
}

int gdl_strings_push(gdl_strings_t *s, const char *str)
{
    size_t k = strlen(str) + 1;
    if (s->len + k > s->cap) {
        size_t cap = s->cap ? s->cap : 256;
        while (cap < s->len + k) cap *= 2;
        char *b = realloc(s->buf, cap);
        if (!b) {
            gdl_log_error("out of memory");
            return -1;
        }
        s->buf = b;
        s->cap = cap;
    }
    memcpy(s->buf + s->len, str, k);
    s->len += k;
    s->n++;
    return 0;
}

void gdl_strings_free(gdl_strings_t *s)
{
    free(s->buf);
    memset(s, 0, sizeof *s);
}

int gdl_catalog_push(gdl_catalog_t *c, const char *chrom, int64_t pos, const char *id,
                     const char *ref, const char *alt, const char *gene, float af,
                     const float freq[3])
{
    if (c->n == c->cap) {
        int64_t cap = c->cap ? 2 * c->cap : 1024;
        int64_t *p = realloc(c->pos, cap * sizeof *p);
        if (p) c->pos = p;
        float *a = realloc(c->af, cap * sizeof *a);
        if (a) c->af = a;
        float *f = realloc(c->freq, 3 * cap * sizeof *f);
        if (f) c->freq = f;
        if (!p || !a || !f) {
            gdl_log_error("out of memory");
            return -1;
        }
        c->cap = cap;
    }
    if (gdl_strings_push(&c->chrom, chrom) || gdl_strings_push(&c->id, id) ||
        gdl_strings_push(&c->ref, ref) || gdl_strings_push(&c->alt, alt) ||
        gdl_strings_push(&c->gene, gene ? gene : ""))
        return -1;
    c->pos[c->n] = pos;
    c->af[c->n] = af;
    memcpy(c->freq + 3 * c->n, freq, 3 * sizeof *freq);
    c->n++;
    return 0;
}

void gdl_catalog_free(gdl_catalog_t *c)
{
    gdl_strings_free(&c->chrom);
    gdl_strings_free(&c->id);
    gdl_strings_free(&c->ref);
    gdl_strings_free(&c->alt);
    gdl_strings_free(&c->gene);
    free(c->pos);
    free(c->af);
    free(c->freq);
    memset(c, 0, sizeof *c);
}

static int add_strings(gdl_writer_t *w, const char *name, const gdl_strings_t *s)
{
    int64_t shape[1] = {(int64_t)s->len};
    return gdl_writer_add(w, name, GDL_U8, 1, shape);
}

static int set_meta_i64(gdl_writer_t *w, const char *key, int64_t v)
{
    char buf[32];
    snprintf(buf, sizeof buf, "%" PRId64, v);
    return gdl_writer_set_meta(w, key, buf);
}

int gdl_dataset_declare(gdl_writer_t *w, const gdl_dataset_spec_t *spec, gdl_dataset_slots_t *s)
{
    int64_t N = spec->n_examples, T = spec->n_targets;
    memset(s, -1, sizeof *s);
    if (T < 0 || T > GDL_DATASET_MAX_TARGETS) {
        gdl_log_error("%d targets; at most %d are supported", spec->n_targets,
                      GDL_DATASET_MAX_TARGETS);
        return -1;
    }
    if (spec->ids->n != N || (T > 0 && spec->target_names->n != T)) {
        gdl_log_error("dataset spec: %" PRId64 " examples but %" PRId64 " IDs", N, spec->ids->n);
        return -1;
    }
    if (gdl_writer_set_meta(w, "gdl.kind", "dataset") ||
        gdl_writer_set_meta(w, "gdl.schema", GDL_DATASET_SCHEMA) ||
        set_meta_i64(w, "gdl.examples", N) || set_meta_i64(w, "gdl.targets", T))
        return -1;
    char kinds[GDL_DATASET_MAX_TARGETS * 12 + 1] = "";
    for (int t = 0; t < T; t++) {
        if (t) strcat(kinds, ",");
        strcat(kinds, gdl_target_kind_name(spec->target_kinds[t]));
    }
    if (gdl_writer_set_meta(w, "gdl.target_kinds", kinds)) return -1;
    if ((s->ids = add_strings(w, "ids", spec->ids)) < 0) return -1;
    if (T > 0) {
        int64_t shape[2] = {N, T};
        if ((s->labels = gdl_writer_add(w, "labels", GDL_F32, 2, shape)) < 0) return -1;
        if ((s->target_names = add_strings(w, "target_names", spec->target_names)) < 0) return -1;
        for (int t = 0; t < T; t++) {
            if (spec->target_kinds[t] != GDL_TARGET_CATEGORICAL) continue;
            char name[32];
            snprintf(name, sizeof name, "target_classes:%d", t);
            if ((s->classes[t] = add_strings(w, name, spec->target_classes[t])) < 0) return -1;
        }
    }
    if (gdl_writer_set_meta(w, "gdl.inputs", spec->catalog ? "genotypes" : "")) return -1;
    if (!spec->catalog) return 0;
    int64_t M = spec->catalog->n;
    int64_t gshape[2] = {N, (M + 3) / 4};
    if (gdl_writer_set_meta(w, GDL_GENO_INPUT ".format", "gt2") ||
        set_meta_i64(w, GDL_GENO_INPUT ".variants", M) ||
        gdl_writer_set_meta(w, GDL_GENO_INPUT ".encoding", gdl_geno_encoding_name(spec->encoding)) ||
        gdl_writer_set_meta(w, GDL_GENO_INPUT ".missing", "mean"))
        return -1;
    if ((s->genotypes = gdl_writer_add(w, GDL_GENO_INPUT, GDL_U8, 2, gshape)) < 0) return -1;
    return gdl_catalog_declare(w, spec->catalog, &s->catalog);
}

int gdl_catalog_declare(gdl_writer_t *w, const gdl_catalog_t *c, gdl_catalog_slots_t *s)
{
    int64_t M = c->n, fshape[2] = {M, 3}, mshape[1] = {M};
    if ((s->freq = gdl_writer_add(w, GDL_GENO_INPUT ".freq", GDL_F32, 2, fshape)) < 0 ||
        (s->chrom = add_strings(w, "catalog:chrom", &c->chrom)) < 0 ||
        (s->pos = gdl_writer_add(w, "catalog:pos", GDL_I64, 1, mshape)) < 0 ||
        (s->id = add_strings(w, "catalog:id", &c->id)) < 0 ||
        (s->ref = add_strings(w, "catalog:ref", &c->ref)) < 0 ||
        (s->alt = add_strings(w, "catalog:alt", &c->alt)) < 0 ||
        (s->af = gdl_writer_add(w, "catalog:af", GDL_F32, 1, mshape)) < 0 ||
        (s->gene = add_strings(w, "catalog:gene", &c->gene)) < 0)
        return -1;
    return 0;
}

/* Through write(), not the mapping: a model's writer never maps its file. */
static int put(gdl_writer_t *w, int index, const void *src, size_t n)
{
    return index >= 0 && n ? gdl_writer_write(w, index, src, n) : 0;
}

int gdl_catalog_write(gdl_writer_t *w, const gdl_catalog_t *c, const gdl_catalog_slots_t *s)
{
    size_t M = (size_t)c->n;
    if (put(w, s->freq, c->freq, 3 * M * sizeof(float)) || put(w, s->chrom, c->chrom.buf, c->chrom.len) ||
        put(w, s->pos, c->pos, M * sizeof(int64_t)) || put(w, s->id, c->id.buf, c->id.len) ||
        put(w, s->ref, c->ref.buf, c->ref.len) || put(w, s->alt, c->alt.buf, c->alt.len) ||
        put(w, s->af, c->af, M * sizeof(float)) || put(w, s->gene, c->gene.buf, c->gene.len))
        return -1;
    return 0;
}

int gdl_catalog_from_genotypes(gdl_catalog_t *c, const gdl_genotypes_t *g)
{
    for (int64_t j = 0; j < g->n_variants; j++)
        if (gdl_catalog_push(c, g->chrom[j], g->pos[j], g->id[j], g->ref[j], g->alt[j], g->gene[j], g->af[j],
                             g->freq + 3 * j))
            return -1;
    return 0;
}

int gdl_dataset_fill(gdl_writer_t *w, const gdl_dataset_spec_t *spec, const gdl_dataset_slots_t *s)
{
    int64_t N = spec->n_examples, T = spec->n_targets;
    if (put(w, s->ids, spec->ids->buf, spec->ids->len)) return -1;
    if (T > 0) {
        if (put(w, s->labels, spec->labels, (size_t)(N * T) * sizeof(float)) ||
            put(w, s->target_names, spec->target_names->buf, spec->target_names->len))
            return -1;
        for (int t = 0; t < T; t++)
            if (s->classes[t] >= 0 &&
                put(w, s->classes[t], spec->target_classes[t]->buf, spec->target_classes[t]->len))
                return -1;
    }
    return spec->catalog ? gdl_catalog_write(w, spec->catalog, &s->catalog) : 0;
}
