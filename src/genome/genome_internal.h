/* Private pieces of the genome module shared between its files. */
#ifndef GDL_GENOME_INTERNAL_H
#define GDL_GENOME_INTERNAL_H

#include <stdio.h>
#include <stdint.h>
#include <string.h>

#include "gdl/dataops.h"
#include "gdl/genome.h"

/* Hot loops over a record's calls: gdl builds at -O2, whose cost model leaves loops of unknown
 * length scalar; these are vectorised and cloned for AVX2, the clone picked when the program
 * loads. Integer work only, so every clone gives the same result. */
#define GDL_GENOME_HOT __attribute__((optimize("O3"), target_clones("avx2", "default")))

/* ---- gene annotation (genes.c) ----------------------------------------------------------- */

typedef struct genes_t genes_t;
/* BED (chrom, start, end, name) or GTF[.gz] ("gene" features, gene_name else gene_id). */
genes_t *gdl_genes_load(const char *path);
void gdl_genes_free(genes_t *g);
/* Names of the genes overlapping 1-based pos, joined by ','; else the nearest within window bp;
 * else "". Writes into buf, whole names only: returns how many names did not fit. */
int gdl_genes_lookup(const genes_t *g, const char *chrom, int64_t pos, int64_t window, char *buf,
                  size_t size);

/* ---- phenotypes (pheno.c) ---------------------------------------------------------------- */

typedef struct pheno_t pheno_t;
/* Reads the columns named in cols (comma-separated) of a TSV whose first column is the ID. */
pheno_t *gdl_pheno_load(const char *path, const char *cols);
void gdl_pheno_free(pheno_t *p);
int gdl_pheno_targets(const pheno_t *p);                 // T
const gdl_strings_t *gdl_pheno_names(const pheno_t *p);  // T names
const gdl_target_kind_t *gdl_pheno_kinds(const pheno_t *p);
const gdl_strings_t *const *gdl_pheno_classes(const pheno_t *p); // (T), NULL unless categorical
int64_t gdl_pheno_rows(const pheno_t *p);
/* Labels of sample id into out (T): 1 if found with every value present, 0 if found with a
 * missing value, -1 if absent (out all NaN). Marks the row as used. */
int gdl_pheno_get(pheno_t *p, const char *id, float *out);
int64_t gdl_pheno_unused(const pheno_t *p); // rows never asked for

/* 8 bytes at p, any alignment, as a little-endian word. htslib's le_to_u64 reads through a
 * typedef GCC treats as 1-aligned but clang as 8-aligned, so under clang it is a misaligned load
 * (UBSan reports it in the fuzz build); memcpy compiles to the same single load on either. */
static inline uint64_t load_le64(const void *p)
{
    uint64_t w;
    memcpy(&w, p, sizeof w);
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
    w = __builtin_bswap64(w);
#endif
    return w;
}

/* w as 8 little-endian bytes at p, any alignment (htslib's u64_to_le has the same trouble). */
static inline void store_le64(uint64_t w, void *p)
{
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
    w = __builtin_bswap64(w);
#endif
    memcpy(p, &w, sizeof w);
}

#endif
