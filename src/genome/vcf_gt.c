/* Genotype calls of one VCF/BCF record without htslib's int32 conversion: the GT of a VCF
 * line's sample columns read from the text, and the GT field of a BCF record read from its
 * raw typed values, straight into the encoder's codes (copies of ALT 1, 3 = missing) and,
 * for multi-allelic records, each sample's two alleles.
 *
 * Both readers take only plain calls (one or two alleles of digits or '.', within the
 * record's alleles) and give up on anything else, so that htslib reads that record and the
 * encoder keeps htslib's results and error messages for every unusual case. */
#include <string.h>

#include "genome_internal.h"
#include "vcf_internal.h"

static inline int is_digit(char ch)
{
    return (unsigned)(ch - '0') < 10;
}

static inline int is_sep(char ch)
{
    return ch == '/' || ch == '|';
}

/* Stores sample r's call: x, y alleles (-1 missing, -2 no second allele). Any missing
 * allele makes the call missing, as in bcftools' and plink's dosages. */
static inline void put_call(gt_calls_t *c, int64_t r, int32_t x, int32_t y, int multi)
{
    int miss = x < 0 || y == -1;
    c->codes[r] = (uint8_t)(miss ? 3 : (x == 1) + (y == 1));
    c->haploid += !miss && y == -2;
    if (multi) {
        c->a0[r] = miss ? -1 : x;
        c->a1[r] = y;
    }
}

/* ---- VCF text ------------------------------------------------------------------------------ */

const char *gdl_vcf_gt_samples(const char *fmt, const char *end, int *gt_alone)
{
    if (end - fmt < 3 || fmt[0] != 'G' || fmt[1] != 'T' || (fmt[2] != ':' && fmt[2] != '\t'))
        return NULL;
    *gt_alone = fmt[2] == '\t';
    const char *p = fmt + 2;
    while (*p == ':') { // the other keys: GT again would leave htslib's choice to guess
        const char *key = ++p;
        while (p < end && *p != ':' && *p != '\t') p++;
        if (p - key == 2 && key[0] == 'G' && key[1] == 'T') return NULL;
    }
    return *p == '\t' ? p + 1 : NULL;
}

/* One allele at *pp: digits (value into *a) or '.' (-1). 0, or -1 when it is neither. */
static int read_allele(const char **pp, int32_t *a)
{
    const char *p = *pp;
    if (*p == '.') {
        *a = -1;
        *pp = p + 1;
        return 0;
    }
    if (!is_digit(*p)) return -1;
    int32_t v = 0;
    do {
        if (v > 10000000) return -1; // no record has that many alleles
        v = v * 10 + (*p++ - '0');
    } while (is_digit(*p));
    *a = v;
    *pp = p;
    return 0;
}

/* The GT at *pp of any plain form: "a", "a/b", "a|b". 0, or -1 when not plain. */
static int read_gt(const char **pp, int32_t *x, int32_t *y)
{
    *y = -2;
    if (read_allele(pp, x)) return -1;
    if (!is_sep(**pp)) return 0;
    ++*pp;
    if (read_allele(pp, y)) return -1;
    return is_sep(**pp) ? -1 : 0; // ploidy above 2: htslib's path reports it
}

/* Two columns "a/b\tc/d\t" (or both phased) with alleles 0 or 1 as one word, compared whole
 * with the allele digits' low bits masked off; those bits are then the codes. How many
 * columns from p (at most max, never reading past end) were such pairs; their codes go to
 * codes[0..). */
static int64_t biallelic_pairs(const char *p, const char *end, int64_t max, uint8_t *codes)
{
    const uint64_t mask = 0xFFFEFFFEFFFEFFFEull, low_bits = 0x0001000100010001ull,
                   unphased = 0x09302F3009302F30ull, phased = 0x09307C3009307C30ull;
    int64_t k = 0;
    for (; k + 2 <= max && end - p >= 8; k += 2, p += 8) {
        uint64_t w = load_le64((const uint8_t *)p), m = w & mask;
        if (m != unphased && m != phased) break;
        uint64_t a = w & low_bits;
        a += a >> 16; // code of the first column in byte 0, of the second in byte 4
        codes[k] = (uint8_t)a;
        codes[k + 1] = (uint8_t)(a >> 32);
    }
    return k;
}

int gdl_vcf_gt_text(const char *p, const char *end, int gt_alone, gt_calls_t *c)
{
    const int32_t nal = c->n_allele;
    const int multi = nal > 2;
    const int64_t n = c->n_in;
    // the columns of biallelic "GT" records with every sample kept go two a word
    const int pairs = gt_alone && nal == 2 && c->N == n;
    int out_of_range = 0;
    c->haploid = 0;
    for (int64_t i = 0; i < n; i++) {
        int32_t x, y;
        if (pairs) {
            int64_t k = biallelic_pairs(p, end, n - 1 - i, c->codes + i);
            i += k;
            p += 4 * k;
        }
        // "d/d" and "d|d" are nearly every call of a cohort: check them first, in place
        if (is_digit(p[0]) && is_sep(p[1]) && is_digit(p[2]) && !is_digit(p[3])) {
            x = p[0] - '0';
            y = p[2] - '0';
            p += 3;
        } else if (read_gt(&p, &x, &y)) {
            return 1;
        }
        if (*p == ':' && !gt_alone) { // the other FORMAT fields are not ours to read
            p = memchr(p, '\t', (size_t)(end - p));
            if (!p) p = end;
        }
        if (*p == '\t' && i + 1 < n) p++;
        else if (p != end || i + 1 < n) return 1; // a column too many or too few, CR, junk
        out_of_range |= x >= nal || y >= nal;
        int64_t r = c->row_of[i];
        if (r >= 0) put_call(c, r, x, y, multi);
    }
    return out_of_range;
}

/* ---- BCF ----------------------------------------------------------------------------------- */

/* A raw BCF GT value v (the first or second of a call) as an allele: -1 missing, -2 the end
 * of a haploid call (second only), -3 anything else. */
static int32_t bcf_allele(int32_t v, int second, int32_t vector_end)
{
    if (v >= 0) return (v >> 1) - 1;
    return second && v == vector_end ? -2 : -3;
}

/* Raw value k of a sample's GT of the given BCF type at p. */
static inline int32_t gt_raw(const uint8_t *p, int type, int k)
{
    if (type == BCF_BT_INT8) return (int8_t)p[k];
    if (type == BCF_BT_INT16) return le_to_i16(p + 2 * k);
    return le_to_i32(p + 4 * k);
}

/* Any type, any number of alleles: one call at a time. */
static int bcf_calls_any(const bcf_fmt_t *gt, gt_calls_t *c)
{
    const int32_t nal = c->n_allele;
    const int multi = nal > 2, two = gt->n == 2;
    int32_t vend = gt->type == BCF_BT_INT8    ? bcf_int8_vector_end
                   : gt->type == BCF_BT_INT16 ? bcf_int16_vector_end
                                              : bcf_int32_vector_end;
    c->haploid = 0;
    for (int64_t r = 0; r < c->N; r++) {
        const uint8_t *g = gt->p + c->sel[r] * gt->size;
        int32_t x = bcf_allele(gt_raw(g, gt->type, 0), 0, vend), y = -2;
        if (two) y = bcf_allele(gt_raw(g, gt->type, 1), 1, vend);
        if (x < -1 || y < -2 || x >= nal || y >= nal) return 1;
        put_call(c, r, x, y, multi);
    }
    return 0;
}

/* A biallelic call from its raw int8 values u0, u1 (u1 = the vector end for a haploid
 * call): its code, *hap = 1 for a called haploid call, *bad = 1 for what htslib must read.
 * Branch-free, so that the loop over a record's calls is vectorised. */
static inline uint8_t int8_call(uint8_t u0, uint8_t u1, uint8_t *bad, uint8_t *hap)
{
    const uint8_t end = (uint8_t)bcf_int8_vector_end;
    uint8_t a0 = u0 >> 1, a1 = u1 >> 1; // 0 missing, 1 REF, 2 ALT, more: not plain
    uint8_t end1 = u1 == end, miss = (a0 == 0) | (a1 == 0);
    *bad = (a0 > 2) | ((a1 > 2) & !end1);
    *hap = end1 & !miss;
    return miss ? 3 : (a0 == 2) + (a1 == 2);
}

/* Biallelic int8 calls of every sample, in input order, 16 or 32 a step (vectorised).
 * Returns the OR of the bad flags. */
GDL_GENOME_HOT static uint8_t int8_calls_all(const uint8_t *restrict p, int64_t n, int two,
                              uint8_t *restrict codes, int64_t *haploid)
{
    const uint8_t end = (uint8_t)bcf_int8_vector_end;
    uint8_t flags = 0;
    int64_t hap = 0;
    if (two) {
        for (int64_t r = 0; r < n; r++) {
            uint8_t b, h;
            codes[r] = int8_call(p[2 * r], p[2 * r + 1], &b, &h);
            flags |= b;
            hap += h;
        }
    } else {
        for (int64_t r = 0; r < n; r++) {
            uint8_t b, h;
            codes[r] = int8_call(p[r], end, &b, &h);
            flags |= b;
            hap += h;
        }
    }
    *haploid = hap;
    return flags;
}

/* Biallelic int8 (nearly every BCF record). 0, or 1 when some call is not plain. */
static int bcf_calls_int8(const bcf_fmt_t *gt, gt_calls_t *c)
{
    const uint8_t end = (uint8_t)bcf_int8_vector_end, *p = gt->p;
    const int two = gt->n == 2;
    if (c->N == c->n_in) return int8_calls_all(p, c->N, two, c->codes, &c->haploid) != 0;
    const int64_t *sel = c->sel;
    uint8_t *codes = c->codes, flags = 0;
    int64_t hap = 0;
    for (int64_t r = 0; r < c->N; r++) {
        const uint8_t *g = p + gt->size * sel[r];
        uint8_t b, h;
        codes[r] = int8_call(g[0], two ? g[1] : end, &b, &h);
        flags |= b;
        hap += h;
    }
    c->haploid = hap;
    return flags != 0;
}

int gdl_vcf_gt_bcf(const bcf_fmt_t *gt, gt_calls_t *c)
{
    if (gt->n < 1 || gt->n > 2) return 1;
    if (gt->type == BCF_BT_INT8 && c->n_allele == 2) return bcf_calls_int8(gt, c);
    if (gt->type != BCF_BT_INT8 && gt->type != BCF_BT_INT16 && gt->type != BCF_BT_INT32) return 1;
    return bcf_calls_any(gt, c);
}
