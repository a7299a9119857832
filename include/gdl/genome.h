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
    int64_t genes_cut;     // columns in more --genes genes than their 511-byte list holds
} gdl_encode_stats_t;

/* Encodes a cohort into a dataset at o->output. 0, or -1 with an error naming the file and
 * record; no output file is left on failure. */
int gdl_encode(const gdl_encode_opts_t *o, gdl_encode_stats_t *st);

/* ---- gdl simulate genotypes ------------------------------------------------------------- */

typedef enum { GDL_SIM_EFFECTS_FIXED = 0, GDL_SIM_EFFECTS_NORMAL } gdl_sim_effects_t;
typedef enum { GDL_SIM_PAIR_PRODUCT = 0, GDL_SIM_PAIR_XOR } gdl_sim_pair_kind_t;

/* A zero field takes its default (the bracketed values), so {prefix, samples, variants,
 * causal, pairs, seed} alone gives today's cohort. */
typedef struct {
    const char *prefix;  // writes PREFIX.vcf.gz (+ .tbi), PREFIX.pheno.tsv, .genes.bed, .truth.tsv
    int64_t samples, variants;
    int causal, pairs;
    uint64_t seed;
    double ld;                    // AR(1) correlation of neighbouring latent haplotypes, [0, 1) [0]
    int64_t ld_block;             // variants per LD block (reset at each block and chromosome) [50]
    double case_frac;             // disease = the top case_frac of the liability, (0, 1) [0.5]
    double causal_maf[2];         // ALT frequency range of the additive variants [0.05, 0.5]
    double pair_maf[2];           // of the pair members [0.2, 0.5]; xor: [0.27, 0.32]
    gdl_sim_effects_t effects;    // fixed: |beta| in [0.3, 0.8], random sign; normal: N(0, 1) scaled
    double h2;                    // planted share of the liability's variance, (0, 1] [0.5]
    gdl_sim_pair_kind_t pair_kind; // product: z_a z_b; xor: gamma XOR(carrier_a, carrier_b)
} gdl_simulate_geno_opts_t;

int gdl_simulate_genotypes(const gdl_simulate_geno_opts_t *o); // 0, or -1 with an error

#endif
