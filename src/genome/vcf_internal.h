/* Pieces of the VCF/BCF source of gdl encode (encode_vcf.c): reading a stream ahead
 * (vcf_ahead.c), and the genotype calls of a record read without htslib's int32 conversion
 * (vcf_gt.c). */
#ifndef GDL_VCF_INTERNAL_H
#define GDL_VCF_INTERNAL_H

#include <stddef.h>
#include <stdint.h>
#include <htslib/hts.h>
#include <htslib/vcf.h>

#include "gdl/genome.h"

/* ---- regions (vcf_regions.c) and gene tags (vcf_gene_tag.c) --------------------------------- */

typedef struct {
    int rid;
    hts_pos_t beg, end; // 0-based, half-open
} gdl_vcf_region_t;

typedef struct {
    const char *tag;    // the INFO field, or NULL for none
    int csq_field;      // gene field of ANN / CSQ entries, -1 for a plain tag
    char *info;         // bcf_get_info_string's buffer
    int ninfo;
} gdl_vcf_gene_tag_t;

/* --regions and --regions-file of o as hdr's contigs (a contig hdr lacks: a warning naming src,
 * and skipped), sorted, overlaps merged; *out malloc'd (NULL when none). 0, or -1 with an error
 * naming the file and line. */
int gdl_vcf_regions_parse(const gdl_encode_opts_t *o, const bcf_hdr_t *hdr, const char *src, gdl_vcf_region_t **out,
                          int *n_out);
/* tag's field checked against hdr (an error naming src when INFO/tag is not declared). 0 / -1. */
int gdl_vcf_gene_tag_init(gdl_vcf_gene_tag_t *t, const char *tag, bcf_hdr_t *hdr, const char *src);
/* The gene of rec's ALT allele a into buf ("" when the record has none). */
void gdl_vcf_gene_tag_get(gdl_vcf_gene_tag_t *t, const bcf_hdr_t *hdr, bcf1_t *rec, int a, char *buf, size_t size);
void gdl_vcf_gene_tag_free(gdl_vcf_gene_tag_t *t);

/* ---- reading ahead (vcf_ahead.c) ------------------------------------------------------------ */

/* The records of a VCF/BCF stream (after its header), read ahead in slots of about 1 MB, on a
 * thread of their own when asked: VCF lines, or BCF records. */
typedef struct vcf_ahead_t vcf_ahead_t;

/* Reads fp from here on; threaded: on a second thread (if one cannot start, a warning, and
 * reading goes on in the caller's). hdr: the header, BCF only. NULL when out of memory. */
vcf_ahead_t *gdl_vcf_ahead_start(htsFile *fp, bcf_hdr_t *hdr, int is_bcf, int threaded);
/* The next VCF line (without its "\n" or "\r\n", NUL-terminated in place, valid until the
 * next call) into *line and *len. 1, 0 at the end, -1 read error or out of memory; *partial = 1
 * when the error cut a line short. */
int gdl_vcf_ahead_line(vcf_ahead_t *a, char **line, size_t *len, int *partial);
/* The next BCF record into *rec (owned by a, valid until the next call): 1, 0 at the end, -1
 * read error. */
int gdl_vcf_ahead_record(vcf_ahead_t *a, bcf1_t **rec);
/* Stops the thread (the caller may then use fp itself); what was read stays readable. */
void gdl_vcf_ahead_stop(vcf_ahead_t *a);
void gdl_vcf_ahead_free(vcf_ahead_t *a);

/* ---- genotype calls (vcf_gt.c) -------------------------------------------------------------- */

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
const char *gdl_vcf_gt_samples(const char *fmt, const char *end, int *gt_alone);

/* Reads the GT of every sample column from p to end (where the line's NUL is) into c.
 * 0, or 1 when the line is anything but plain: a sample count other than n_in, ploidy above
 * 2, an allele that is not digits or '.', an allele of n_allele or more, a ':' after GT when
 * FORMAT is GT alone, a CR. The caller then has htslib read the line, which gives the same
 * calls or the error message for it. */
int gdl_vcf_gt_text(const char *p, const char *end, int gt_alone, gt_calls_t *c);

/* Reads the calls of the encoded samples from a BCF record's unpacked GT field. 0, or 1 when
 * some call is anything but plain (ploidy above 2, a negative value other than the end of a
 * haploid call, an allele of n_allele or more): the caller then uses bcf_get_genotypes. */
int gdl_vcf_gt_bcf(const bcf_fmt_t *gt, gt_calls_t *c);

#endif
