/* sequence: FASTA and BED + reference readers, the sequence encoder and the sequence simulator.
 * Part of the genome module (src/genome/, the only place that includes htslib: the reference
 * is read through htslib's faidx). Datasets written follow dataset.h (seq8 inputs). */
#ifndef GDL_SEQUENCE_H
#define GDL_SEQUENCE_H

#include <stdint.h>

#include "gdl/dataops.h"

/* ---- FASTA (plain or gzip) ---------------------------------------------------------------- */

typedef struct {
    gdl_lines_t lines;
    char *name;          // current record: first word of its header line
    char *seq;           // its bases, normalized (A C G T N), NUL-terminated
    int64_t len, cap;
    int64_t line;        // line of the current record's header
    char *pending;       // header of the next record, already read
    int64_t pending_line;
} gdl_fasta_t;

int gdl_fasta_open(gdl_fasta_t *fa, const char *path); // 0 or -1
/* 1 = a record is in name/seq, 0 = end, -1 = error (path:line: a character that is not a base,
 * text before the first header, an empty record or name). */
int gdl_fasta_next(gdl_fasta_t *fa);
void gdl_fasta_close(gdl_fasta_t *fa);

/* ---- reference genome (faidx-indexed FASTA, plain or bgzip) ------------------------------- */

typedef struct gdl_ref_t gdl_ref_t;

gdl_ref_t *gdl_ref_open(const char *path); // builds the .fai when missing; NULL with an error
void gdl_ref_close(gdl_ref_t *r);
int gdl_ref_ncontigs(const gdl_ref_t *r);
const char *gdl_ref_contig(const gdl_ref_t *r, int i);
int64_t gdl_ref_length(const gdl_ref_t *r, const char *contig); // -1 if absent
/* Bases [beg, end) (0-based) of contig into out (end - beg bytes, normalized; positions outside
 * the contig are N). 0, or -1 with an error (unknown contig, a character that is not a base). */
int gdl_ref_fetch(gdl_ref_t *r, const char *contig, int64_t beg, int64_t end, char *out);

/* ---- variant sites (gdl vep; sites.c) ------------------------------------------------------ */

/* A VCF/BCF (plain, bgzip or stdin) read for its sites: CHROM, POS, ID, REF and ALT of each
 * record; unless they are kept for the copy, the sample columns are dropped by htslib before
 * they are parsed, so a cohort VCF reads as fast as a sites-only one. Optionally a copy is
 * written (VCF, bgzip VCF or BCF), each record as read (sites only, or with its sample columns)
 * plus float INFO fields of one value per ALT (Number=A) and a flag. */
typedef struct gdl_sites gdl_sites_t;

typedef struct {
    const char *chrom, *id;   // id "." when absent
    int64_t pos;              // 1-based POS
    int n_alleles;            // REF and the ALTs
    char **alleles;           // (n_alleles), REF first, as written
    int64_t record;           // 1-based record number, for messages
} gdl_site_t;

/* Opens path ("-" = stdin). regions (or NULL): "CHR", "CHR:BEG-END", comma-separated, read
 * through the file's index (.csi or .tbi; an error without one). keep_samples: the sample
 * columns are parsed and go into the copy. NULL with an error. */
gdl_sites_t *gdl_sites_open(const char *path, const char *regions, int keep_samples);
/* How far reading has gone, for a progress bar: *done of *total units (bytes of the file, or
 * regions done with --regions); 0 when unknown (stdin). */
void gdl_sites_progress(const gdl_sites_t *s, int64_t *done, int64_t *total);
/* The next record into *site (valid until the next call): 1, 0 at the end, -1 with an error
 * naming the file and the record (truncated or malformed input, records out of order). */
int gdl_sites_next(gdl_sites_t *s, gdl_site_t *site);
/* Starts the copy at out_path (written to a temp name until gdl_sites_commit) in mode 'v'
 * (VCF), 'z' (bgzip VCF) or 'b' (BCF), with INFO keys (n) declared Number=A Type=Float and
 * their descriptions, and flag (or NULL) declared as a Flag; with write_index, a .csi index
 * beside it ('z', 'b' only). 0, or -1 with an error. */
int gdl_sites_out_open(gdl_sites_t *s, const char *out_path, char mode, const char *const *keys,
                       const char *const *descriptions, int n, const char *flag, const char *flag_description,
                       int write_index);
/* Writes the current record with values (n keys x (n_alleles - 1), key-major; NaN = missing:
 * a key whose values are all NaN is not written) and the flag when set. 0, or -1. */
int gdl_sites_write(gdl_sites_t *s, const float *values, int flag);
/* Finishes the copy (index saved) and moves it into place. 0, or -1 (nothing left behind). */
int gdl_sites_commit(gdl_sites_t *s);
/* Closes; a copy not committed is removed. */
void gdl_sites_close(gdl_sites_t *s);

/* ---- encoding ----------------------------------------------------------------------------- */

typedef enum { GDL_SEQ_TASK_NONE, GDL_SEQ_TASK_CENTER_BASE } gdl_seq_task_t;

typedef struct {
    const char *fasta;         // FASTA input: one example per record (or NULL)
    const char *bed, *ref;     // BED regions on a reference (bed may be NULL for center-base)
    const char *labels;        // labels.tsv keyed by ID, or NULL
    const char *name;          // input name ["dna"]
    int64_t window;            // 0: lengths must agree; else crop or pad (N) around the centre
    int rc;                    // add reverse complements
    int order;                 // one-hot order of the batches, 1 or 2 (dataset.h) [1]
    int keep_missing;          // keep examples without a label row (NaN labels)
    gdl_seq_task_t task;
    int64_t flank, stride;     // center-base: flank length, step between centres
    const char *output;
} gdl_encode_seq_opts_t;

int gdl_encode_sequences(const gdl_encode_seq_opts_t *o); // 0, or -1 with an error

/* ---- simulation --------------------------------------------------------------------------- */

typedef struct {
    const char *prefix;        // writes PREFIX.fa, PREFIX.labels.tsv, PREFIX.truth.tsv
    int64_t n, length;
    const char *const *motifs; // one binary target per motif
    int n_motifs;
    double fraction;           // probability that a sequence carries a given motif
    double gc;                 // GC content of the background
    uint64_t seed;
} gdl_simulate_seq_opts_t;

int gdl_simulate_sequences(const gdl_simulate_seq_opts_t *o); // 0, or -1 with an error

#endif
