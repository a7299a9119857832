/* The VCF/BCF source of gdl encode: records through htslib, streamed or by region through
 * the index, one column per ALT allele. Genotypes are read by vcf_gt.c (from the text of a
 * VCF line whose FORMAT starts with GT, from the raw GT values of a BCF record), and by
 * htslib's bcf_get_genotypes for the records vcf_gt.c leaves to it. */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <htslib/bgzf.h>
#include <htslib/hts.h>
#include <htslib/kseq.h>
#include <htslib/kstring.h>
#include <htslib/tbx.h>
#include <htslib/vcf.h>

#include "encode_internal.h"
#include "gdl/core.h"
#include "gdl/dataops.h"
#include "vcf_internal.h"

typedef struct {
    enc_t *e;
    htsFile *fp;
    bcf_hdr_t *hdr;
    int is_bcf;
    bcf1_t *rec;            // the current record: own_rec, or a BCF record of ahead
    bcf1_t *own_rec;
    vcf_ahead_t *ahead;     // the stream read ahead, when read without an index
    char *ln;               // the current line (NUL-terminated): in ahead or in line
    size_t ln_len;
    kstring_t line;         // a line from the index, or a copy for vcf_parse
    int64_t nrec;           // records read, for messages
    gdl_vcf_region_t *reg;  // --regions, --regions-file: sorted, overlaps merged
    int n_reg, i_reg;
    hts_idx_t *idx;         // BCF index
    tbx_t *tbx;             // VCF.gz index
    hts_itr_t *itr;
    int streaming_regions;  // regions given but no index: filter a sorted stream
    int last_rid;
    hts_pos_t last_pos;
    uint8_t *rid_seen;      // (n_seen): contigs met so far
    int n_seen;
    int32_t *gt;            // bcf_get_genotypes' buffer
    int ngt;
    gt_calls_t calls;       // the record's calls: e->codes, and alleles (N) when multi-allelic
    int64_t *sel;           // (N): input sample of each encoded sample
    int gt_id;              // FORMAT/GT in the header's dictionary, -1 when not defined
    int gt_text;            // VCF with samples and FORMAT/GT: read GT from the text when plain
    int calls_ready;        // this record's calls were read with its line
    kstring_t site;         // the 8 site columns of the line, for htslib
    int64_t n_gt_gdl, n_gt_hts; // records whose calls vcf_gt.c read, and htslib read
    gdl_vcf_gene_tag_t gene; // --gene-tag
} vcfsrc_t;

/* Did decompression fail? A truncated file then ends with a partial line, which must be
 * reported as truncation, not as a malformed record. */
static int stream_broken(vcfsrc_t *s)
{
    // plain text is read through hFILE, not BGZF
    BGZF *bz = s->fp->format.compression == no_compression ? NULL : s->fp->fp.bgzf;
    if (bz && bz->errcode) return 1;
    if (bz && !s->is_bcf && s->line.l) { // look ahead: is anything readable after this line?
        kstring_t tmp = {0, 0, NULL};
        int r = bgzf_getline(bz, '\n', &tmp);
        free(tmp.s);
        return r < -1 || bz->errcode;
    }
    return 0;
}

static void rec_where(vcfsrc_t *s, char *buf, size_t size)
{
    snprintf(buf, size, "%s: record %" PRId64, s->e->src, s->nrec);
}

/* Reports a broken stream instead of the malformed record it cut short; 1 if it was. */
static int report_broken(vcfsrc_t *s)
{
    gdl_vcf_ahead_stop(s->ahead); // the stream is ours to look at
    if (!stream_broken(s)) return 0;
    gdl_log_error("%s: record %" PRId64 ": read error (truncated or corrupt file)", s->e->src,
                  s->nrec);
    return 1;
}

/* Tabs in s[0..n), 8 bytes at a time: a byte of w ^ 0x09.. is zero exactly where s has a tab,
 * and ~(((t & 7f..) + 7f..) | t | 7f..) sets the top bit of exactly those bytes. */
static int64_t count_tabs(const char *s, size_t n)
{
    const uint64_t lo7 = 0x7f7f7f7f7f7f7f7full, tab = 0x0909090909090909ull;
    int64_t c = 0;
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        uint64_t w;
        memcpy(&w, s + i, 8);
        uint64_t t = w ^ tab;
        c += __builtin_popcountll(~(((t & lo7) + lo7) | t | lo7));
    }
    for (; i < n; i++) c += s[i] == '\t';
    return c;
}

/* The whole line through htslib, after checking its column count. 0, or -1 (reported). */
static int parse_full(vcfsrc_t *s)
{
    char where[512];
    if (s->ln != s->line.s) {
        s->line.l = 0;
        if (kputsn(s->ln, s->ln_len, &s->line) < 0) {
            gdl_log_error("out of memory");
            return -1;
        }
    }
    // htslib ignores extra sample columns; count them ourselves
    int64_t tabs = count_tabs(s->line.s, s->line.l);
    int64_t want = bcf_hdr_nsamples(s->hdr) ? 8 + bcf_hdr_nsamples(s->hdr) : 7;
    if (tabs != want && !(tabs == 7 && bcf_hdr_nsamples(s->hdr) == 0)) {
        if (report_broken(s)) return -1;
        rec_where(s, where, sizeof where);
        gdl_log_error("%s: %" PRId64 " columns, the header has %" PRId64
                      " (8 fixed, FORMAT and one per sample)", where, tabs + 1, want + 1);
        return -1;
    }
    if (vcf_parse(&s->line, s->hdr, s->rec) != 0) {
        if (report_broken(s)) return -1;
        rec_where(s, where, sizeof where);
        gdl_log_error("%s: malformed VCF line (starts '%.40s')", where, s->line.s);
        return -1;
    }
    return 0;
}

/* The site columns (a copy: vcf_parse writes into its line, which parse_full may need
 * whole) through htslib and the GT columns through gdl_vcf_gt_text. 0, or 1 when the line is
 * not plain (nothing reported: parse_full then reads it). */
static int parse_fast(vcfsrc_t *s)
{
    const char *line = s->ln, *end = line + s->ln_len, *fmt = line;
    for (int k = 0; k < 8; k++) { // FORMAT follows the eighth tab
        if (!(fmt = memchr(fmt, '\t', (size_t)(end - fmt)))) return 1;
        fmt++;
    }
    int gt_alone;
    const char *smp = gdl_vcf_gt_samples(fmt, end, &gt_alone);
    if (!smp) return 1;
    s->site.l = 0;
    if (kputsn(line, (size_t)(fmt - 1 - line), &s->site) < 0) return 1;
    if (vcf_parse(&s->site, s->hdr, s->rec) != 0 || s->rec->errcode) return 1;
    s->calls.n_allele = s->rec->n_allele;
    return gdl_vcf_gt_text(smp, end, gt_alone, &s->calls);
}

/* Parses the line in s->ln into s->rec, and its calls into s->calls when they are plain.
 * 0, or -1 (reported). */
static int parse_line(vcfsrc_t *s)
{
    s->calls_ready = s->gt_text && parse_fast(s) == 0;
    return s->calls_ready ? 0 : parse_full(s);
}

/* Reads the next record of the stream or the current region: 1, 0 at the end, -1 error. */
static int next_record(vcfsrc_t *s)
{
    char where[512];
    for (;;) {
        int r;
        if (s->itr) {
            r = s->is_bcf ? bcf_itr_next(s->fp, s->itr, s->rec)
                          : tbx_itr_next(s->fp, s->tbx, s->itr, &s->line);
            if (r < -1) goto bad;
            s->ln = s->line.s, s->ln_len = s->line.l;
            if (r == -1) { // this region is done
                hts_itr_destroy(s->itr);
                s->itr = NULL;
                if (++s->i_reg >= s->n_reg) return 0;
                goto query;
            }
        } else if (s->idx || s->tbx) {
            if (s->i_reg >= s->n_reg) return 0;
        query:;
            const gdl_vcf_region_t *g = &s->reg[s->i_reg];
            s->itr = s->is_bcf ? bcf_itr_queryi(s->idx, g->rid, g->beg, g->end)
                               : tbx_itr_queryi(s->tbx, tbx_name2id(s->tbx, bcf_hdr_id2name(s->hdr, g->rid)),
                                                g->beg, g->end);
            if (!s->itr) { // contig absent from the index: nothing there
                if (++s->i_reg >= s->n_reg) return 0;
                goto query;
            }
            continue;
        } else if (s->is_bcf) {
            r = gdl_vcf_ahead_record(s->ahead, &s->rec);
            if (r == 0) return 0;
            if (r < 0) goto bad;
        } else {
            int partial;
            r = gdl_vcf_ahead_line(s->ahead, &s->ln, &s->ln_len, &partial);
            if (r == 0) return 0;
            if (r < 0) {
                s->nrec += partial; // the record the error cut short
                goto bad;
            }
        }
        s->nrec++;
        if (!s->is_bcf) {
            if (s->ln_len == 0) continue;
            if (parse_line(s)) return -1;
        }
        if (s->rec->errcode) {
            rec_where(s, where, sizeof where);
            gdl_log_error("%s: malformed record (htslib error code %d)", where, s->rec->errcode);
            return -1;
        }
        if (s->itr && s->i_reg > 0) { // a record spanning two regions was already read
            const gdl_vcf_region_t *p = &s->reg[s->i_reg - 1];
            if (p->rid == s->rec->rid && s->rec->pos < p->end) continue;
        }
        if (s->streaming_regions) {
            int rid = s->rec->rid;
            if (rid >= s->n_seen) {
                int n = rid + 64;
                uint8_t *p = realloc(s->rid_seen, n);
                if (!p) {
                    gdl_log_error("out of memory");
                    return -1;
                }
                memset(p + s->n_seen, 0, n - s->n_seen);
                s->rid_seen = p;
                s->n_seen = n;
            }
            if (rid == s->last_rid ? s->rec->pos < s->last_pos : s->rid_seen[rid]) {
                rec_where(s, where, sizeof where);
                gdl_log_error("%s (%s:%" PRId64 "): input is not sorted, which --regions on an "
                              "unindexed input needs", where, bcf_hdr_id2name(s->hdr, rid),
                              (int64_t)s->rec->pos + 1);
                return -1;
            }
            s->rid_seen[rid] = 1;
            s->last_rid = rid;
            s->last_pos = s->rec->pos;
            int in = 0;
            hts_pos_t end = s->rec->pos + (s->rec->rlen > 0 ? s->rec->rlen : 1);
            for (int i = 0; i < s->n_reg && !in; i++)
                in = s->reg[i].rid == rid && s->reg[i].beg < end && s->rec->pos < s->reg[i].end;
            if (!in) continue;
        }
        return 1;
    }
bad:
    rec_where(s, where, sizeof where);
    gdl_log_error("%s: read error (truncated or corrupt file)", where);
    return -1;
}

static int is_symbolic(const char *alt)
{
    return alt[0] == '<' || alt[0] == '*' || strchr(alt, '[') || strchr(alt, ']') || alt[0] == '.';
}

/* Counts the record and says whether its site passes the record filters: 1 or 0. */
static int site_kept(vcfsrc_t *s)
{
    enc_t *e = s->e;
    bcf1_t *rec = s->rec;
    e->st->records++;
    bcf_unpack(rec, BCF_UN_STR | BCF_UN_FLT | (e->o->gene_tag ? BCF_UN_INFO : 0));
    if (e->o->pass_only && bcf_has_filter(s->hdr, rec, "PASS") != 1) {
        e->st->skip_filter++;
        return 0;
    }
    if (rec->n_allele < 2) {
        e->st->skip_no_alt++;
        return 0;
    }
    return 1;
}

/* The calls through bcf_get_genotypes, for what vcf_gt.c does not read, with the messages
 * for calls that cannot be encoded. 1 read, 0 no GT (counted), -1 error. */
static int calls_htslib(vcfsrc_t *s)
{
    enc_t *e = s->e;
    bcf1_t *rec = s->rec;
    gt_calls_t *c = &s->calls;
    char where[512];
    int64_t nsmp = bcf_hdr_nsamples(s->hdr);
    // htslib exits the process on a GT stored other than as integers (a broken header and record
    // can make one): refuse it first
    const bcf_fmt_t *gtf = nsmp ? bcf_get_fmt(s->hdr, rec, "GT") : NULL;
    if (gtf && gtf->type != BCF_BT_INT8 && gtf->type != BCF_BT_INT16 && gtf->type != BCF_BT_INT32) {
        rec_where(s, where, sizeof where);
        gdl_log_error("%s (%s:%" PRId64 "): malformed GT (BCF type %d, not integers)", where,
                      bcf_seqname_safe(s->hdr, rec), (int64_t)rec->pos + 1, gtf->type);
        return -1;
    }
    int ngt = nsmp ? bcf_get_genotypes(s->hdr, rec, &s->gt, &s->ngt) : 0;
    if (ngt <= 0) {
        e->st->skip_no_gt++;
        return 0;
    }
    int ploidy = ngt / (int)nsmp;
    if (ploidy > 2) { // allowed only if every sample ends within two alleles
        for (int64_t i = 0; i < nsmp; i++)
            if (e->row_of[i] >= 0 && s->gt[i * ploidy + 2] != bcf_int32_vector_end) {
                rec_where(s, where, sizeof where);
                gdl_log_error("%s (%s:%" PRId64 "): sample %s has ploidy above 2", where,
                              bcf_seqname_safe(s->hdr, rec), (int64_t)rec->pos + 1,
                              s->hdr->samples[i]);
                return -1;
            }
    }
    int32_t bad = -1;
    c->haploid = 0;
    for (int64_t i = 0; i < nsmp; i++) {
        int64_t r = e->row_of[i];
        if (r < 0) continue;
        const int32_t *g = s->gt + i * ploidy;
        int32_t x = bcf_gt_is_missing(g[0]) ? -1 : bcf_gt_allele(g[0]), y = -2;
        if (g[0] == bcf_int32_vector_end) x = -1; // no allele at all
        else if (ploidy > 1 && g[1] != bcf_int32_vector_end)
            y = bcf_gt_is_missing(g[1]) ? -1 : bcf_gt_allele(g[1]);
        if ((x >= rec->n_allele || y >= rec->n_allele) && bad < 0) bad = (int32_t)i;
        if (y == -1) x = -1; // any missing allele: missing call
        c->a0[r] = x;
        c->a1[r] = y;
        e->codes[r] = (uint8_t)(x < 0 ? 3 : (x == 1) + (y == 1));
        c->haploid += x >= 0 && y == -2;
    }
    if (bad >= 0) {
        const int32_t *g = s->gt + bad * ploidy;
        int a = bcf_gt_allele(g[0]) >= rec->n_allele ? bcf_gt_allele(g[0]) : bcf_gt_allele(g[1]);
        rec_where(s, where, sizeof where);
        gdl_log_error("%s (%s:%" PRId64 "): sample %s has allele %d, the record has %d "
                      "ALT", where, bcf_seqname_safe(s->hdr, rec), (int64_t)rec->pos + 1,
                      s->hdr->samples[bad], a, rec->n_allele - 1);
        return -1;
    }
    return 1;
}

/* The record's calls into s->calls: ALT 1's codes in e->codes, and for a multi-allelic
 * record every sample's alleles. 1 read, 0 no GT (counted), -1 error. */
static int read_calls(vcfsrc_t *s)
{
    if (s->calls_ready) { // read with the line
        s->n_gt_gdl++;
        return 1;
    }
    if (s->is_bcf && s->gt_id >= 0) {
        bcf_unpack(s->rec, BCF_UN_FMT);
        const bcf_fmt_t *gt = bcf_get_fmt_id(s->rec, s->gt_id);
        s->calls.n_allele = s->rec->n_allele;
        if (gt && gdl_vcf_gt_bcf(gt, &s->calls) == 0) {
            s->n_gt_gdl++;
            return 1;
        }
    }
    s->n_gt_hts++;
    return calls_htslib(s);
}

/* One column per ALT allele that passes the allele filters. 0, or -1 (reported). */
static int emit_alleles(vcfsrc_t *s)
{
    enc_t *e = s->e;
    const gdl_encode_opts_t *o = e->o;
    bcf1_t *rec = s->rec;
    int kept = 0;
    const char *chrom = bcf_seqname_safe(s->hdr, rec), *ref = rec->d.allele[0];
    for (int a = 1; a < rec->n_allele; a++) {
        const char *alt = rec->d.allele[a];
        if (is_symbolic(alt)) {
            e->st->skip_symbolic++;
            continue;
        }
        if (o->snps_only && (strlen(ref) != 1 || strlen(alt) != 1)) {
            e->st->skip_not_snp++;
            continue;
        }
        for (int64_t r = 0; a > 1 && r < e->N; r++) { // ALT 1's codes are there already
            int32_t x = s->calls.a0[r], y = s->calls.a1[r];
            e->codes[r] = (uint8_t)(x < 0 ? 3 : (x == a) + (y == a));
        }
        char gene[512];
        if (o->gene_tag) gdl_vcf_gene_tag_get(&s->gene, s->hdr, s->rec, a, gene, sizeof gene);
        int r = gdl_enc_emit(e, chrom, (int64_t)rec->pos + 1, rec->d.id, ref, alt,
                         o->gene_tag ? gene : NULL, s->calls.haploid);
        if (r < 0) return -1;
        kept |= r;
    }
    e->st->kept_records += kept;
    return 0;
}

static int process(vcfsrc_t *s)
{
    if (!site_kept(s)) return 0;
    int r = read_calls(s);
    return r <= 0 ? r : emit_alleles(s);
}

/* Buffers for the calls, and which reader of GT applies. 0, or -1 out of memory. */
static int setup_calls(vcfsrc_t *s)
{
    enc_t *e = s->e;
    gt_calls_t *c = &s->calls;
    int64_t nsmp = bcf_hdr_nsamples(s->hdr);
    *c = (gt_calls_t){.n_in = nsmp, .N = e->N, .row_of = e->row_of, .codes = e->codes};
    if (!(c->a0 = malloc(e->N * sizeof *c->a0)) || !(c->a1 = malloc(e->N * sizeof *c->a1)) ||
        !(s->sel = malloc(e->N * sizeof *s->sel)))
        return -1;
    for (int64_t i = 0; i < nsmp; i++)
        if (e->row_of[i] >= 0) s->sel[e->row_of[i]] = i;
    c->sel = s->sel;
    s->gt_id = bcf_hdr_id2int(s->hdr, BCF_DT_ID, "GT");
    if (s->gt_id >= 0 && !bcf_hdr_idinfo_exists(s->hdr, BCF_HL_FMT, s->gt_id)) s->gt_id = -1;
    s->gt_text = !s->is_bcf && nsmp > 0 && s->gt_id >= 0;
    return 0;
}

int gdl_enc_run_vcf(enc_t *e)
{
    const gdl_encode_opts_t *o = e->o;
    vcfsrc_t s = {.e = e, .last_rid = -1};
    int ret = -1, r;
    if (gdl_log_get_level() < GDL_LOG_DEBUG) hts_set_log_level(HTS_LOG_OFF);
    if (!(s.fp = hts_open(o->input, "r"))) {
        gdl_log_error("%s: cannot open: %s", o->input, errno ? strerror(errno) : "unknown format");
        goto out;
    }
    const htsFormat *fmt = hts_get_format(s.fp);
    if (fmt->format != vcf && fmt->format != bcf) {
        char *what = hts_format_description(fmt); // malloc'd
        gdl_log_error("%s: not a VCF or BCF file (%s)", o->input, what ? what : "unknown format");
        free(what);
        goto out;
    }
    s.is_bcf = fmt->format == bcf;
    if ((o->regions || o->regions_file) && strcmp(o->input, "-") != 0) {
        if (s.is_bcf) s.idx = bcf_index_load(o->input);
        else if (fmt->compression == bgzf) s.tbx = tbx_index_load(o->input);
    }
    // a stream is read ahead on a thread of its own (-@ 2), and decompressed by htslib's
    // threads beyond that; through an index, htslib's threads decompress
    int indexed = s.idx || s.tbx, hts_threads = indexed ? o->threads : o->threads - 2;
    if (o->threads > 1 && hts_threads > 0 && hts_set_threads(s.fp, hts_threads) != 0)
        gdl_log_warn("%s: cannot start %d decompression threads", o->input, hts_threads);
    if (!(s.hdr = bcf_hdr_read(s.fp))) {
        gdl_log_error("%s: cannot read the header (truncated, not VCF/BCF, or duplicate sample IDs)",
                      o->input);
        goto out;
    }
    if (!(s.rec = s.own_rec = bcf_init())) goto oom;
    if (gdl_vcf_gene_tag_init(&s.gene, o->gene_tag, s.hdr, e->src)) goto out;
    if (gdl_enc_select_samples(e, (const char *const *)s.hdr->samples, bcf_hdr_nsamples(s.hdr))) goto out;
    if (setup_calls(&s)) goto oom;
    if (o->regions || o->regions_file) {
        if (gdl_vcf_regions_parse(o, s.hdr, e->src, &s.reg, &s.n_reg)) goto out;
        if (!indexed) {
            gdl_log_info("%s: no index; filtering the stream by region", o->input);
            s.streaming_regions = 1;
        }
        if (s.n_reg == 0) goto done; // every region on an unknown contig: nothing to read
    }
    if (!indexed && !(s.ahead = gdl_vcf_ahead_start(s.fp, s.hdr, s.is_bcf, o->threads > 1))) goto out;
    while ((r = next_record(&s)) == 1)
        if (process(&s)) goto out;
    if (r < 0) goto out;
    gdl_log_info("%s: GT of %" PRId64 " records read by gdl, %" PRId64 " by htslib", o->input,
                 s.n_gt_gdl, s.n_gt_hts);
done:
    ret = 0;
    goto out;
oom:
    gdl_log_error("out of memory");
out:
    if (s.itr) hts_itr_destroy(s.itr);
    if (s.idx) hts_idx_destroy(s.idx);
    if (s.tbx) tbx_destroy(s.tbx);
    gdl_vcf_ahead_free(s.ahead); // before fp and hdr, which its thread may use
    if (s.own_rec) bcf_destroy(s.own_rec);
    if (s.hdr) bcf_hdr_destroy(s.hdr);
    if (s.fp) hts_close(s.fp);
    free(s.line.s);
    free(s.reg);
    free(s.rid_seen);
    free(s.gt);
    free(s.calls.a0);
    free(s.calls.a1);
    free(s.sel);
    free(s.site.s);
    gdl_vcf_gene_tag_free(&s.gene);
    return ret;
}
