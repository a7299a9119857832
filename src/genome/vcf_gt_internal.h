/* Genotype calls of one VCF/BCF record read without htslib's int32 conversion (vcf_gt.c), for
 * the VCF/BCF source of gdl encode (encode_vcf.c). */
#ifndef GDL_VCF_GT_INTERNAL_H
#define GDL_VCF_GT_INTERNAL_H

#include <stdint.h>
#include <htslib/vcf.h>

/* Where a record's calls go, and the samples they come from. N encoded samples of n_in. */
typedef struct {
    int64_t n_in;           // samples in the input
    int64_t N;              // samples encoded
    const int64_t *row_of;  // (n_in): output row of each input sample, or -1
    const int64_t *sel;     // (N): input sample of each output row
    int n_allele;           // alleles of the record, REF included
    uint8_t *codes;         // (N): copies of ALT 1, 3 when any allele is missing
    int32_t *a0, *a1;       // (N): alleles, -1 missing, -2 no second allele; multi-allelic only
    int64_t haploid;        // called samples with one allele
} gt_calls_t;

/* The sample columns of a VCF line, when its FORMAT column (at fmt, the line ending at end)
 * starts with GT and names it once; NULL otherwise. *gt_alone: FORMAT is GT and nothing else. */
const char *vcf_gt_samples(const char *fmt, const char *end, int *gt_alone);

/* Reads the GT of every sample column from p to end (where the line's NUL is) into c.
 * 0, or 1 when the line is anything but plain: a sample count other than n_in, ploidy above
 * 2, an allele that is not digits or '.', an allele of n_allele or more, a ':' after GT when
 * FORMAT is GT alone, a CR. The caller then has htslib read the line, which gives the same
 * calls or the error message for it. */
int vcf_gt_text(const char *p, const char *end, int gt_alone, gt_calls_t *c);

/* Reads the calls of the encoded samples from a BCF record's unpacked GT field. 0, or 1 when
 * some call is anything but plain (ploidy above 2, a negative value other than the end of a
 * haploid call, an allele of n_allele or more): the caller then uses bcf_get_genotypes. */
int vcf_gt_bcf(const bcf_fmt_t *gt, gt_calls_t *c);

#endif
