/* vep: the effect of each variant of a VCF on a DNA sequence model's outputs (gdl vep).
 *
 * For each ALT allele of each record, two windows of the model's input length L are read from
 * the reference: the reference window [c - L/2, c - L/2 + L) around c, the 0-based position of
 * the record's first REF base (so REF starts at window position L/2), and the alternate window:
 * the same L/2 bases on the left, then the ALT bases, then the reference after REF, trimmed or
 * extended from the reference to length L (an insertion pushes the right flank out, a deletion
 * pulls more of it in). Positions beyond the contig are N. The model scores both; the outputs
 * are ref, alt, diff = alt - ref and, for probabilities, logfc = logit(alt) - logit(ref). The
 * TSV (long and --wide) and the INFO fields of a VCF/BCF output: docs/formats.md.
 *
 * Dimension letters: L window, B alleles per batch, K outputs (targets, or classes). */
#ifndef GDL_VEP_H
#define GDL_VEP_H

#include <stdint.h>

typedef enum { GDL_VEP_MISMATCH_SKIP, GDL_VEP_MISMATCH_FAIL, GDL_VEP_MISMATCH_SCORE } gdl_vep_mismatch_t;
/* The TSV's layout: long (one row per allele and output), or wide (one row per allele, one
 * column per output) holding one of the four scores. */
typedef enum { GDL_VEP_LONG, GDL_VEP_WIDE_DIFF, GDL_VEP_WIDE_LOGFC, GDL_VEP_WIDE_REF, GDL_VEP_WIDE_ALT } gdl_vep_layout_t;

typedef struct {
    int n_models;
    const char *const *model_paths; // scores averaged over these (e.g. fold models)
    const char *input;              // VCF/BCF, "-" = stdin
    const char *ref;                // faidx-indexed FASTA (plain or bgzip)
    const char *out;                // the TSV, or the VCF/BCF ("-" = stdout)
    char format;                    // 't' TSV, 'v' VCF, 'z' bgzip VCF, 'b' BCF
    const char *regions;            // or NULL: "CHR[:BEG-END]", comma-separated, through the index
    const char *windows;            // or NULL: a FASTA of every window scored (ID:ref, ID:alt)
    gdl_vep_mismatch_t mismatch;    // a REF that differs from the reference [skip]
    int chr_alias;                  // a contig absent from the reference tried with/without "chr"
    int rc;                         // each score the mean of both strands
    int top;                        // TSV: only the K targets with the largest |diff| per allele [0 = all]
    gdl_vep_layout_t layout;        // TSV: long or wide [long]
    int keep_samples;               // VCF/BCF out: the sample columns copied (so parsed)
    int write_index;                // a .csi beside a 'z' or 'b' output
    int64_t batch;                  // alleles per forward pass [128]
} gdl_vep_opts_t;

/* 0, or -1 with an error (naming the file and the record for bad input). */
int gdl_vep(const gdl_vep_opts_t *o);

/* The alternate window (L bases) for REF/ALT lengths lr, la from ref_span, the reference from
 * the window's start, L + max(0, lr - la) bases; alt the ALT bases (normalized). Public for the
 * unit test. */
void gdl_vep_alt_window(const char *ref_span, int64_t L, int64_t lr, const char *alt, int64_t la, char *out);

#endif
