/* dataops: building datasets from tables of examples, label tables, numeric matrices (TSV and
 * .npy), joining datasets by ID, and exporting them to NumPy. Part of the data module (src/data/);
 * the schema itself is in docs/formats.md. N examples, T targets, C channels, L length. */
#ifndef GDL_DATAOPS_H
#define GDL_DATAOPS_H

#include <stdint.h>
#include <stdio.h>

#include "gdl/dataset.h"

/* ---- ID -> index map (open addressing; keys copied) --------------------------------------- */

typedef struct {
    char **keys;
    int64_t *vals;
    int64_t cap, n;
} gdl_idmap_t;

int64_t gdl_idmap_get(const gdl_idmap_t *m, const char *key);          // -1 if absent
int gdl_idmap_put(gdl_idmap_t *m, const char *key, int64_t val);       // 0 added, 1 present (kept), -1 OOM
void gdl_idmap_free(gdl_idmap_t *m);

/* ---- numbers in text (numbers.c) ---------------------------------------------------------- */

/* The field [s, e) as a finite double, exactly as strtod rounds it; -1 (out untouched) for an
 * empty field, a word, a hexadecimal float, leading blanks, inf or nan. -0 reads as +0. */
int gdl_parse_double(const char *s, const char *e, double *out);
extern const double gdl_pow10_exact[23]; // 1e0 .. 1e22, each exact in a double

/* ---- text lines from a plain or gzip/bgzip file ("-" = stdin) ----------------------------- */

typedef struct {
    void *gz;
    char *buf;
    size_t cap;
    int64_t lineno; // 1-based number of the line last returned
    const char *path;
} gdl_lines_t;

int gdl_lines_open(gdl_lines_t *r, const char *path);     // 0, or -1 with an error
/* Next line without its "\n" / "\r\n"; NULL at the end (then gdl_lines_failed says whether it
 * was an error, reported through gdl_log_error). The buffer is reused by the next call. */
char *gdl_lines_next(gdl_lines_t *r);
int gdl_lines_failed(const gdl_lines_t *r);
void gdl_lines_close(gdl_lines_t *r);
/* Splits s in place at tabs into at most max fields; returns the count (max + 1 = too many). */
int gdl_split_tabs(char *s, char **fields, int max);

/* ---- label tables ------------------------------------------------------------------------- */

/* A table of labels: rows keyed by ID (a labels.tsv: header "ID<TAB>name..." then one row per
 * example) or aligned with the examples (row i labels example i: BED label columns, generated
 * labels). Cells "", "NA", "NaN", "." are missing. Kinds are inferred per column: binary when
 * every value is 0/1 (or case/control: case = 1), regression when every value is a number,
 * categorical otherwise (classes sorted by byte value, label = class index). */
typedef struct {
    const char *path;          // for messages
    int aligned;               // 1: row i is example i (ids unused)
    int T;
    gdl_strings_t names;       // T
    gdl_strings_t ids;         // rows (keyed tables)
    gdl_idmap_t map;           // id -> row
    gdl_strings_t cells;       // rows * T raw cells, row-major
    int64_t *lines;            // (rows) source line of each row
    int64_t rows, rows_cap;
    /* after gdl_labels_finish (or filled directly by a generator): */
    gdl_target_kind_t kinds[GDL_DATASET_MAX_TARGETS];
    gdl_strings_t classes[GDL_DATASET_MAX_TARGETS];
    float *values;             // (rows, T)
} gdl_labels_t;

/* Reads a labels.tsv keyed by its first column. Errors (exit 2 material) name path:line: wrong
 * column count, duplicate ID, no targets. 0 or -1. */
int gdl_labels_read(gdl_labels_t *lt, const char *path);
/* Starts an empty table with T named columns (names: T strings back to back as gdl_strings_t). */
int gdl_labels_init(gdl_labels_t *lt, const char *path, int aligned, const gdl_strings_t *names);
/* Adds a row of T cells. Keyed: 1 if id is already present (nothing added). 0, 1 or -1 (OOM). */
int gdl_labels_add(gdl_labels_t *lt, const char *id, char *const *cells, int64_t line);
/* Infers the kinds and converts the cells to values. 0 or -1. */
int gdl_labels_finish(gdl_labels_t *lt);
void gdl_labels_free(gdl_labels_t *lt);

/* ---- examples of one seq8 or f32 input, collected in memory, then written ------------------ */

typedef struct {
    gdl_input_t in;            // name, format, channels, length (fixed by the caller)
    gdl_strings_t ids;         // N
    gdl_idmap_t map;
    uint8_t *bases;            // seq8: (N, L)
    float *values;             // f32: (N, C, L)
    int64_t n, cap;
    int64_t *forward;          // (N): index of the example whose labels it takes (itself, or
                               // the forward strand of a reverse complement)
    int has_rc;
    gdl_strings_t chrom;       // (N) when the examples come from a genome (BED, center-base)
} gdl_examples_t;

/* Adds one example (row: L bases or C * L floats) from chromosome chrom (NULL when not from a
 * genome; give it for all examples or none). 0, 1 when id is already present (nothing added),
 * -1 out of memory. */
int gdl_examples_add(gdl_examples_t *ex, const char *id, const char *chrom, const void *row);
/* Adds the reverse complement of seq8 example i as "ID:rc" in the same rc group. 0 or -1. */
int gdl_examples_add_rc(gdl_examples_t *ex, int64_t i);
/* Writes the dataset to out. labels NULL = unlabelled. Keyed labels: examples whose ID has no
 * row are dropped (or kept with NaN labels when keep_missing), label rows for unknown IDs are
 * counted; both counts are reported as warnings. 0 or -1 (no file left at out). */
int gdl_examples_write(const gdl_examples_t *ex, const gdl_labels_t *labels, int keep_missing,
                       const char *out);
void gdl_examples_free(gdl_examples_t *ex);

/* ---- numeric inputs ----------------------------------------------------------------------- */

typedef struct {
    const char *input;         // marks.tsv[.gz] (ID then C * L values, channel-major; a first
                               // line whose second field is not a number is a header) or .npy
    const char *ids;           // .npy only: one ID per line, one per row
    int64_t channels, length;  // --shape C,L
    const char *name;          // input name ["numeric"]
    const char *labels;        // labels.tsv or NULL
    int keep_missing;
    const char *output;
} gdl_encode_numeric_opts_t;

int gdl_encode_numeric(const gdl_encode_numeric_opts_t *o); // 0 or -1 with an error

/* ---- .npy (format 1.0, little-endian, C order) -------------------------------------------- */

/* A parsed .npy header: descr '<f4', '<f8', '|u1', '<i8'...; data starts at offset. */
typedef struct {
    char descr[8];
    int ndim;
    int64_t shape[8];
    uint64_t offset;
} gdl_npy_header_t;

int gdl_npy_read_header(const char *path, const void *data, uint64_t size, gdl_npy_header_t *h);
/* Writes a v1.0 header for an array of descr and shape to fp. 0 or -1. */
int gdl_npy_write_header(FILE *fp, const char *descr, int ndim, const int64_t *shape);

/* ---- join and export ---------------------------------------------------------------------- */

/* One dataset holding every input of the n datasets at paths, matched by ID (order of the
 * first). names: NULL, or one new name per non-genotype input in order. 0 or -1. */
int gdl_dataset_join(const char *const *paths, int n, const char *const *names, int n_names,
                     const char *out);

/* Writes ids.tsv, targets.tsv, labels.npy (F32 N x T), one input_NAME.npy per input
 * (genotypes uint8 N x M with 255 = missing; seq8 float32 N x 4 x L one-hot; f32 float32
 * N x C x L) and rc_group.npy (int64) into dir, created if absent. 0 or -1. */
int gdl_dataset_export_npy(const char *path, const char *dir);

#endif
