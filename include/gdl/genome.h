/* genome: readers of genomics formats through htslib (the only module that includes it), the
 * genotype encoder and the simulators. Datasets follow include/gdl/dataset.h. */
#ifndef GDL_GENOME_H
#define GDL_GENOME_H

#include <stdint.h>

#include "gdl/dataset.h"

const char *gdl_genome_htslib_version(void);

/* ---- gdl encode (genotypes) ------------------------------------------------------------- */

typedef struct {
    const char *input;        // VCF / VCF.gz / BCF path, "-" = stdin; NULL when plink is set
    const char *plink;        // plink 1 fileset prefix (.bed/.bim/.fam), or NULL
    const char *output;       // the .gdl to write (a file, not stdout)
    const char *regions;      // "chr:beg-end,chr,..." or NULL
    const char *regions_file; // CHROM[\tBEG\tEND] per line (1-based; BED if *.bed), or NULL
    const char *samples;      // a file of IDs (one a line) if it exists, else a comma list; NULL
    int threads;              // 2: input read ahead on a thread; more: htslib decompression too
    gdl_geno_encoding_t encoding;
    double maf;               // keep columns with min(AF, 1-AF) >= maf; 0 = all
    double max_missing;       // keep columns with missing fraction <= max_missing; >= 1 = all
    int pass_only, snps_only;
    const char *genes;        // BED or GTF[.gz] of genes, or NULL
    int64_t gene_window;      // nearest gene within this many bp when none overlaps
    const char *gene_tag;     // INFO tag holding the gene (ANN / CSQ: their gene field)
    const char *pheno;        // TSV, first column the sample ID, or NULL
    const char *pheno_cols;   // comma-separated column names (required with pheno)
    int keep_missing;         // keep samples without a label (NaN) instead of dropping them
    const char *keep;         // file of variant IDs (or CHROM:POS:REF:ALT) to keep, or NULL
} gdl_encode_opts_t;

typedef struct {
    int64_t records;       // records read (within the regions)
    int64_t kept_records;  // records with at least one column kept
    int64_t columns;       // M
    int64_t samples;       // N
    int64_t skip_no_gt, skip_no_alt, skip_filter;        // per record
    int64_t skip_symbolic, skip_not_snp, skip_missing, skip_maf, skip_keep; // per ALT allele
    int64_t samples_in_input, samples_unlabelled;        // before selection / dropped for labels
    int64_t pheno_not_in_input;                          // pheno rows whose ID is not a sample
} gdl_encode_stats_t;

/* Encodes a cohort into a dataset at o->output. 0, or -1 with an error naming the file and
 * record; no output file is left on failure. */
int gdl_encode(const gdl_encode_opts_t *o, gdl_encode_stats_t *st);

/* ---- gdl simulate genotypes ------------------------------------------------------------- */

typedef struct {
    const char *prefix;  // writes PREFIX.vcf.gz (+ .tbi), PREFIX.pheno.tsv, .genes.bed, .truth.tsv
    int64_t samples, variants;
    int causal, pairs;
    uint64_t seed;
} gdl_simulate_geno_opts_t;

int gdl_simulate_genotypes(const gdl_simulate_geno_opts_t *o); // 0, or -1 with an error

#endif
