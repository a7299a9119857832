/* dataset: writing and reading a dataset .gdl.
 *
 * A dataset is a .gdl container (see data.h) whose metadata says gdl.kind=dataset. Its schema
 * (the metadata keys; ids, labels, target_names, target_classes:t; the 2-bit genotype input
 * and its variant catalog; seq8 and f32 inputs; rc_group, example_chrom) and what
 * gdl_dataset_open checks are written down in docs/formats.md. Every command that consumes
 * data (train, predict, eval, attribute, export) reads it through gdl_dataset_open; every
 * encoder writes it through gdl_dataset_declare / gdl_dataset_fill.
 * Dimension letters: N examples, T targets, M variants, B = ceil(M / 4) bytes per row.
 * A list of strings is one U8 tensor, the strings back to back, each ending with a NUL byte.
 * The call of variant j in a packed row is (row[j >> 2] >> (2 * (j & 3))) & 3: 0, 1, 2 ALT
 * copies, 3 missing (gdl_geno_code).
 */
#ifndef GDL_DATASET_H
#define GDL_DATASET_H

#include <stddef.h>
#include <stdint.h>

#include "gdl/data.h"

#define GDL_DATASET_SCHEMA "1"
#define GDL_GENO_INPUT "input:genotypes"
#define GDL_DATASET_MAX_TARGETS 1024 // DeepSEA has 919

/* ---- string lists ------------------------------------------------------------------------ */

/* A growable list of strings in the on-disk layout (NUL-terminated, back to back). */
typedef struct {
    char *buf;
    size_t len, cap; // bytes used / allocated
    int64_t n;       // strings
} gdl_strings_t;

int gdl_strings_push(gdl_strings_t *s, const char *str); // 0, or -1 (out of memory)
void gdl_strings_free(gdl_strings_t *s);                  // and zeroes it
/* Pointers to the n strings of a string tensor (data, nbytes); malloc'd array, strings stay in
 * data. NULL with an error when the tensor does not hold exactly n NUL-terminated strings. */
const char **gdl_strings_split(const void *data, uint64_t nbytes, int64_t n, const char *what);

/* ---- registries ---------------------------------------------------------------------------- */

typedef enum {
    GDL_TARGET_BINARY, GDL_TARGET_REGRESSION, GDL_TARGET_CATEGORICAL, GDL_TARGET_KIND_COUNT
} gdl_target_kind_t;
const char *gdl_target_kind_name(gdl_target_kind_t k);
int gdl_target_kind_from_name(const char *name); // -1 if unknown

typedef enum {
    GDL_GENO_DOSAGE, GDL_GENO_PRESENCE, GDL_GENO_GENOTYPE, GDL_GENO_ENCODING_COUNT
} gdl_geno_encoding_t;
const char *gdl_geno_encoding_name(gdl_geno_encoding_t e);
int gdl_geno_encoding_from_name(const char *name); // -1 if unknown

/* Code (0..3) of variant j in a packed row. */
static inline int gdl_geno_code(const uint8_t *row, int64_t j)
{
    return (row[j >> 2] >> (2 * (j & 3))) & 3;
}

/* ---- writing -------------------------------------------------------------------------------- */

/* A variant catalog being built, one entry per genotype column. */
typedef struct {
    int64_t n, cap;
    gdl_strings_t chrom, id, ref, alt, gene;
    int64_t *pos;  // (M)
    float *af;     // (M)
    float *freq;   // (M, 3)
} gdl_catalog_t;

int gdl_catalog_push(gdl_catalog_t *c, const char *chrom, int64_t pos, const char *id,
                     const char *ref, const char *alt, const char *gene, float af,
                     const float freq[3]); // 0, or -1 (out of memory)
void gdl_catalog_free(gdl_catalog_t *c);

/* What an encoder writes. Pointers are borrowed. */
typedef struct {
    int64_t n_examples;                           // N
    const gdl_strings_t *ids;                     // N strings
    int n_targets;                                // T (0 = unlabelled)
    const gdl_strings_t *target_names;            // T strings
    const gdl_target_kind_t *target_kinds;        // (T)
    const gdl_strings_t *const *target_classes;   // (T), NULL entries except categorical
    const float *labels;                          // (N, T)
    const gdl_catalog_t *catalog;                 // M variants; NULL = no genotype input
    gdl_geno_encoding_t encoding;
} gdl_dataset_spec_t;

/* Tensor indices of a catalog in a writer: catalog:* and input:genotypes.freq. */
typedef struct {
    int freq, chrom, pos, id, ref, alt, af, gene;
} gdl_catalog_slots_t;

/* The one encoder of a variant catalog, for datasets and models: declares its tensors on a
 * writer before gdl_writer_open, and writes them after. 0, or -1 with an error. */
int gdl_catalog_declare(gdl_writer_t *w, const gdl_catalog_t *c, gdl_catalog_slots_t *s);
int gdl_catalog_write(gdl_writer_t *w, const gdl_catalog_t *c, const gdl_catalog_slots_t *s);

/* Tensor indices in the writer, filled by gdl_dataset_declare. */
typedef struct {
    int ids, labels, target_names, genotypes;
    gdl_catalog_slots_t catalog;
    int classes[GDL_DATASET_MAX_TARGETS]; // per target; categorical targets only
} gdl_dataset_slots_t;

/* Declares the tensors and metadata of spec on a fresh writer (before gdl_writer_open).
 * Other inputs may be declared after it (name them input:NAME and append NAME to gdl.inputs
 * with gdl_writer_set_meta). 0, or -1 with an error. */
int gdl_dataset_declare(gdl_writer_t *w, const gdl_dataset_spec_t *spec, gdl_dataset_slots_t *s);
/* After gdl_writer_open: writes ids, labels, names, classes, the catalog and freq. The caller
 * fills input:genotypes itself (gdl_writer_data(w, s->genotypes), zero-filled), then commits. */
int gdl_dataset_fill(gdl_writer_t *w, const gdl_dataset_spec_t *spec, const gdl_dataset_slots_t *s);

/* ---- reading -------------------------------------------------------------------------------- */

typedef struct {
    const char *name;
    gdl_target_kind_t kind;
    int n_classes;          // categorical only, else 0
    const char **classes;   // (n_classes)
} gdl_target_t;

typedef struct {
    int64_t n_variants;     // M
    int64_t row_bytes;      // B = ceil(M / 4)
    const uint8_t *packed;  // (N, B), in the mapping
    const float *freq;      // (M, 3)
    gdl_geno_encoding_t encoding;
    const char **chrom, **id, **ref, **alt, **gene; // (M) each
    const int64_t *pos;     // (M)
    const float *af;        // (M)
    /* Set on a view aligned to a model's catalog (gdl_dataset_align_genotypes): 1 where the
     * model's variant j is absent from the dataset (every call missing). NULL otherwise. */
    const uint8_t *absent;  // (M)
} gdl_genotypes_t;

typedef struct {
    gdl_file_t *file;
    int64_t n_examples;           // N
    const char **ids;             // (N)
    int n_targets;                // T
    gdl_target_t *targets;        // (T)
    const float *labels;          // (N, T); NULL when T = 0
    const gdl_genotypes_t *geno;  // NULL when the dataset has no genotype input
    gdl_genotypes_t geno_;
    /* Sequence and numeric inputs (see the section at the end of this file). */
    int n_inputs;                 // other inputs, in gdl.inputs order (genotypes excluded)
    struct gdl_input *inputs;     // (n_inputs), owned; names point into inputs_names_
    const int64_t *rc_group;      // (N), NULL when absent
    char *inputs_names_;          // owned copy of gdl.inputs
    const char **example_chrom;   // (N) strings in the mapping, NULL when absent; owned array
    struct gdl_geno_aligned *aligned_; // owned by gdl_dataset_align_genotypes; NULL when geno is geno_
} gdl_dataset_t;

/* Opens and checks a dataset (shapes, counts, string lists, metadata). NULL with an error
 * naming the file and the part at fault. Free with gdl_dataset_close. */
gdl_dataset_t *gdl_dataset_open(const char *path);
void gdl_dataset_close(gdl_dataset_t *d);
/* The prevalence of target t's labels among rows (n; NULL: every example), missing labels left
 * out: binary, the fraction of positives (label != 0) into out[0]; categorical, each class's
 * fraction into out[0..K); NaN when no row has a label. A regression target fills nothing.
 * Returns the number of labelled rows. The training prevalence a model stores and eval
 * --weights-from DATA both come from here. */
int64_t gdl_dataset_prevalence(const gdl_dataset_t *d, int t, const int64_t *rows, int64_t n, double *out);

/* Width of one expanded example: M for dosage/presence, 3 * M for genotype. */
int64_t gdl_genotypes_width(const gdl_genotypes_t *g);
/* Expands rows (n) of the genotype input into out (n, width) floats with the dataset's
 * encoding (genotype: each example is (3, M), class-major), missing calls filled with the
 * expectation over the variant's called genotypes (freq; docs/formats.md). */
void gdl_genotypes_batch(const gdl_genotypes_t *g, const int64_t *rows, int64_t n, float *out);
/* The value of variant j's call with code 0-3 in dosage or presence encoding: 0, 1, 2 (1 for
 * presence), or for a missing call (3) the mean of the variant's called genotypes (freq). */
float gdl_genotypes_call_value(const gdl_genotypes_t *g, int64_t j, int code);
/* The standard deviation of variant j's values in dosage or presence encoding over the called
 * genotypes (freq); 0 for a monomorphic variant. */
float gdl_genotypes_call_sd(const gdl_genotypes_t *g, int64_t j);
/* How tables name variant j: its ID, or CHROM:POS:REF:ALT (written into buf) when the ID is ".". */
const char *gdl_genotypes_variant_name(const gdl_genotypes_t *g, int64_t j, char *buf, size_t size);
/* FNV-1a 64 over "CHROM\tPOS\tREF\tALT\n" of every column: a model stores it so it never scores a
 * cohort whose columns mean something else. */
uint64_t gdl_genotypes_catalog_hash(const gdl_genotypes_t *g);

/* ---- catalogs and alignment to another catalog ------------------------------------------ */

/* Appends the M columns of g's catalog (with freq and af) to c. 0, or -1 (out of memory). */
int gdl_catalog_from_genotypes(gdl_catalog_t *c, const gdl_genotypes_t *g);
/* The one decoder of a catalog: reads the M-variant catalog (catalog:*, input:genotypes.freq)
 * of file f into c (fresh, zeroed), copied. 0, or -1 with an error naming the file and tensor. */
int gdl_catalog_load(const gdl_file_t *f, int64_t M, gdl_catalog_t *c);

/* How the columns of a dataset's genotypes map onto a catalog's (a model's), matched by
 * CHROM:POS:REF:ALT (one ALT per column, so each ALT of a split record matches on its own). */
typedef struct {
    int64_t n;        // M: the catalog's variants
    int64_t matched;  // of them found in the dataset
    int64_t extra;    // dataset variants not in the catalog
    int64_t *from;    // (M) dataset column of each catalog variant, -1 = absent; malloc'd
    int64_t *pair_b;  // (M) of a pair column: b's dataset column (from holds a's); -1 otherwise
} gdl_geno_match_t;

/* Fills mt for g against c (a variant listed twice in g matches its first column; a pair
 * column, below, matches when both its variants do). 0, or -1 (out of memory). Free mt->from
 * (pair_b lives in the same block). */
int gdl_genotypes_match(const gdl_genotypes_t *g, const gdl_catalog_t *c, gdl_geno_match_t *mt);

/* ---- genes of a catalog, and frequency-matched variant sets (src/data/genesets.c) ---------- */

/* One gene of catalog:gene (a variant in several genes, comma-joined, is in each). */
typedef struct {
    char *name;
    int64_t n, cap, *var; // its variant columns, ascending
} gdl_gene_set_t;

typedef struct {
    int64_t n;
    gdl_gene_set_t *genes; // (n) sorted by name
} gdl_gene_sets_t;

/* The genes of g's variants (absent variants of an aligned view left out). 0, or -1 (out of
 * memory); s->n is 0 when no variant has a gene. Free with gdl_gene_sets_free. */
int gdl_gene_sets_build(gdl_gene_sets_t *s, const gdl_genotypes_t *g);
void gdl_gene_sets_free(gdl_gene_sets_t *s);
int64_t gdl_gene_sets_find(const gdl_gene_sets_t *s, const char *name); // -1 if absent

/* The cohort's variants in allele-frequency order, to draw null sets of variants like a gene's:
 * a gene's sets come from the span of that order covering its variants' frequencies, widened
 * to at least twice its size. */
typedef struct {
    int64_t n;     // variants the cohort has (absent ones left out)
    int64_t *byaf; // (n) their columns by ascending af
    double *af;    // (M) each column's af (NaN as 0)
} gdl_af_order_t;

int gdl_af_order_init(gdl_af_order_t *o, const gdl_genotypes_t *g); // 0, or -1 (out of memory)
/* [a0, a1) of byaf for the n variants var. */
void gdl_af_order_span(const gdl_af_order_t *o, const int64_t *var, int64_t n, int64_t *a0, int64_t *a1);
/* Sorts byaf[a0, a1) by af again (after a caller shuffled it in place). Not thread-safe. */
void gdl_af_order_sort(gdl_af_order_t *o, int64_t a0, int64_t a1);
void gdl_af_order_free(gdl_af_order_t *o);
/* Benjamini-Hochberg q-values of p (n) into q (n); NaN p values stay NaN and are not counted. */
void gdl_bh_qvalues(const double *p, int64_t n, double *q);

/* ---- pair columns ----------------------------------------------------------------------------
 * A catalog column may be the interaction of two variants a and b instead of a variant (a
 * model's pair features, chosen by the pair scan of its training rows): code 1 when both carry
 * an ALT copy (codes 1 or 2), 0 when both are called otherwise, 3 (missing) when either is
 * missing. It is written with a's CHROM, POS and REF, the ALT "<AND:ALT_a|CHROM_b|POS_b|REF_b|ALT_b>"
 * (symbolic, so no encoded variant has it: encoders skip symbolic ALTs), the ID "NAME_a*NAME_b"
 * and no gene. Alignment (gdl_genotypes_match,
 * gdl_dataset_align_genotypes) computes it from the two variants of any cohort that has them. */
#define GDL_PAIR_ALT_PREFIX "<AND:"

static inline int gdl_geno_pair_code(int ca, int cb)
{
    return ca == 3 || cb == 3 ? 3 : (ca > 0 && cb > 0);
}
/* Appends the pair column of g's variants a and b to c, its freq (and af = freq[1] / 2) over
 * g's n_rows rows; no gene. 0, or -1 (out of memory). */
int gdl_catalog_push_pair(gdl_catalog_t *c, const gdl_genotypes_t *g, int64_t n_rows, int64_t a, int64_t b);
/* Points d->geno at a view of d's genotypes in c's column order: rows repacked (2 bits per
 * call), an absent variant's calls all missing, and c's catalog, freq and af (so a missing or
 * absent call gets c's mean, the value it had in training), absent flags set. Extra dataset
 * columns are dropped. With mt NULL (c lists d's columns in d's order) the view is the stored
 * rows and catalog with c's freq and af. The view is owned by d (c may be freed); aligning
 * again starts from the stored genotypes. 0, or -1 with an error. */
int gdl_dataset_align_genotypes(gdl_dataset_t *d, const gdl_catalog_t *c, const gdl_geno_match_t *mt);
/* Called by gdl_dataset_close: frees what gdl_dataset_align_genotypes made. */
void gdl_genotypes_aligned_free(struct gdl_geno_aligned *a);


/* ==== Sequence and numeric inputs (src/data/dataset_inputs.c) ================================
 * A dataset may hold any number of named inputs besides genotypes; gdl.inputs lists them all in
 * order. Dimension letters: L positions, C channels. The formats ("seq8": one ASCII byte per
 * base, expanded to one-hot (4^order, L) channel-major; "f32": (N, C, L) floats) and the
 * optional rc_group and example_chrom tensors: docs/formats.md.
 */

#define GDL_DATASET_MAX_INPUTS 16
#define GDL_RC_GROUP "rc_group"
#define GDL_EXAMPLE_CHROM "example_chrom"

typedef enum { GDL_INPUT_SEQ8, GDL_INPUT_F32, GDL_INPUT_FORMAT_COUNT } gdl_input_format_t;
const char *gdl_input_format_name(gdl_input_format_t f); // "seq8", "f32"

/* One non-genotype input, as declared by an encoder and as read back. */
typedef struct gdl_input {
    const char *name;          // NAME, without "input:"
    gdl_input_format_t format;
    int64_t channels;          // C: 4^order for seq8 (after expansion)
    int order;                 // seq8: 1 (bases) or 2 (dinucleotides); 0 is taken as 1
    int64_t length;            // L
    const uint8_t *bases;      // seq8: (N, L), in the mapping; NULL otherwise
    const float *values;       // f32: (N, C, L), in the mapping; NULL otherwise
    const char *channel_names; // f32: C names joined by ',' or NULL (none stored); borrowed
} gdl_input_t;

/* Tensor indices of the other inputs in a writer, filled by gdl_inputs_declare. */
typedef struct {
    int input[GDL_DATASET_MAX_INPUTS];
    int rc_group; // -1 when not declared
} gdl_inputs_slots_t;

/* After gdl_dataset_declare (same writer, before gdl_writer_open): declares n inputs (name,
 * format, channels, length; data pointers ignored) for spec->n_examples rows, and rc_group when
 * with_rc_group, and rewrites gdl.inputs to list every input ("genotypes" first when spec has a
 * catalog). Names must be unique, non-empty, without ',' and not "genotypes". 0, or -1 with an
 * error. The caller fills the tensors through gdl_writer_data(w, slots->input[i]). */
int gdl_inputs_declare(gdl_writer_t *w, const gdl_dataset_spec_t *spec, const gdl_input_t *in,
                       int n, int with_rc_group, gdl_inputs_slots_t *slots);

/* Called by gdl_dataset_open: reads and checks every seq8/f32 input and rc_group into
 * d->inputs / d->rc_group. 0, or -1 with an error naming the file and the input. */
int gdl_dataset_open_inputs(gdl_dataset_t *d);
/* Called by gdl_dataset_close: frees what gdl_dataset_open_inputs allocated. */
void gdl_dataset_close_inputs(gdl_dataset_t *d);

/* The input called name, or NULL. */
const gdl_input_t *gdl_dataset_input(const gdl_dataset_t *d, const char *name);
/* Whether batches of the input are the one-hot of its bases, (4, L): seq8 of order 1. */
int gdl_input_is_bases(const gdl_input_t *in);
/* The name of channel c: A, C, G, T for seq8 (AA, AC, ..., TT of order 2); for f32 the stored name, or "c<c>" when the file
 * names none. Written into buf (size >= 2) when not a constant; the result is always valid. */
const char *gdl_input_channel_name(const gdl_input_t *in, int64_t c, char *buf, size_t size);
/* Floats per expanded example: C * L. */
int64_t gdl_input_width(const gdl_input_t *in);
/* Expands rows (n) into out (n, C, L): one-hot for seq8 (docs/formats.md), a copy for f32. */
void gdl_input_batch(const gdl_input_t *in, const int64_t *rows, int64_t n, float *out);

/* How one batch row of a seq8 input is read (reverse-complement prediction, training-time
 * augmentation): rc reads the reverse complement of the stored bases; shift s moves them s
 * positions to the right (left when negative) after rc, the positions left open filled with
 * N. f32 inputs are read as stored. */
typedef struct {
    int rc;
    int64_t shift;
} gdl_input_view_t;
/* As gdl_input_batch, row b read as views[b] says (views NULL: as stored). */
void gdl_input_batch_views(const gdl_input_t *in, const int64_t *rows, int64_t n,
                           const gdl_input_view_t *views, float *out);
/* Upper-case base for an input character: A C G T as such (either case), IUPAC codes
 * (N R Y S W K M B D H V, either case) -> 'N'; 0 for anything else. */
char gdl_base_normalize(int c);
/* Complement of a normalized base (N -> N). */
char gdl_base_complement(char b);

#endif
