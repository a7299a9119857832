/* The encoder's state, shared by encode.c (samples, columns, output) and its sources
 * (encode_vcf.c, encode_plink.c). */
#ifndef GDL_ENCODE_INTERNAL_H
#define GDL_ENCODE_INTERNAL_H

#include <stdio.h>

#include "genome_internal.h"
#include "gdl/data.h"
#include "gdl/dataops.h"

/* Kept columns until the end (encode_spool.c): groups of four columns, one byte per row. */
typedef struct {
    FILE *file;            // the groups beyond the memory part
    uint8_t *group;        // (N): the group being filled; column 4g + k in bits 2k
    uint8_t *mem;          // (mem_cap, N): the first groups (gdl_big_alloc, mem_bytes)
    size_t mem_bytes;
    int64_t n_mem, mem_cap, n_file;
    int64_t n_cols;        // columns added
    int64_t mem_max;       // bytes for the memory part; 0: 64 MB (tests set less)
} enc_spool_t;

typedef struct {
    const gdl_encode_opts_t *o;
    gdl_encode_stats_t *st;
    const char *src;       // input name for messages
    int64_t n_in;          // samples in the input
    int64_t *row_of;       // (n_in): output row, or -1 when not encoded
    int64_t N;             // samples encoded
    gdl_strings_t ids;     // N
    float *labels;         // (N, T)
    uint8_t *codes;        // (N): the column being built, codes 0..3
    enc_spool_t spool;
    gdl_catalog_t cat;
    pheno_t *pheno;
    genes_t *genes;
    gdl_idmap_t *keep;
} enc_t;

/* Chooses the encoded samples (input order) from --samples and the labels. 0 or -1. */
int gdl_enc_select_samples(enc_t *e, const char *const *names, int64_t n_in);
/* Filters the column in e->codes and keeps it. haploid: called samples with one allele (the
 * allele count is 2 per called sample less these). gene NULL = look it up in --genes.
 * 1 kept, 0 skipped (counted), -1 error. */
int gdl_enc_emit(enc_t *e, const char *chrom, int64_t pos, const char *id, const char *ref,
             const char *alt, const char *gene, int64_t haploid);

/* The spool: open (creates its file next to the output) and close (frees; the file is
 * already unlinked). 0 or -1. */
int gdl_enc_spool_open(enc_t *e);
void gdl_enc_spool_close(enc_t *e);
/* Adds e->codes as the next column. 0 or -1. */
int gdl_enc_spool_add(enc_t *e);
/* Writes every column into tensor slot of w (opened): N rows of ceil(columns / 4) bytes,
 * column j in bits 2*(j&3) of byte j>>2. Call once, at the end. 0 or -1. */
int gdl_enc_spool_write(enc_t *e, gdl_writer_t *w, int slot);

int gdl_enc_run_vcf(enc_t *e);
int gdl_enc_run_plink(enc_t *e);

#endif
