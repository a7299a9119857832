/* Variant sites of a VCF/BCF for gdl vep: records read without their sample columns (or with
 * them, to copy them), through the index for --regions, and a copy written with float INFO
 * fields per ALT. */
#include <errno.h>
#include <htslib/bgzf.h>
#include <htslib/hfile.h>
#include <htslib/hts_log.h>
#include <htslib/kstring.h>
#include <htslib/tbx.h>
#include <htslib/vcf.h>
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "gdl/core.h"
#include "gdl/sequence.h"

#define UNDECLARED (BCF_ERR_CTG_UNDEF | BCF_ERR_TAG_UNDEF)

struct gdl_sites {
    char *path;
    htsFile *fp;
    bcf_hdr_t *hdr;
    bcf1_t *rec;                // the record read last
    int64_t n_read, size;       // size: the file's bytes (0 for stdin)
    /* with a copy open: the records read and not yet written, oldest first (a ring), and
     * spare records to read into */
    bcf1_t **queue, **spare;
    int q_head, q_len, q_cap, n_spare;
    int64_t n_written;
    int keeping;                // a copy was opened: the queue and the spares own every record
    /* --regions: the index and the regions left, one iterator at a time */
    tbx_t *tbx;
    hts_idx_t *idx;
    hts_itr_t *itr;
    char **regions;
    int n_regions, next_region;
    kstring_t line;
    /* the copy */
    htsFile *out;
    bcf_hdr_t *out_hdr;
    char *out_path, *out_tmp, *idx_path, *idx_tmp;
    int n_keys;
    char **keys, *flag;
};

static int split_regions(gdl_sites_t *s, const char *regions)
{
    char *copy = strdup(regions), *save = NULL;
    int cap = 1;
    for (const char *p = regions; *p; p++) cap += *p == ',';
    if (!copy || !(s->regions = calloc((size_t)cap, sizeof *s->regions))) {
        free(copy);
        gdl_log_error("out of memory");
        return -1;
    }
    for (char *t = strtok_r(copy, ",", &save); t; t = strtok_r(NULL, ",", &save))
        if (*t && !(s->regions[s->n_regions++] = strdup(t))) {
            free(copy);
            gdl_log_error("out of memory");
            return -1;
        }
    free(copy);
    return 0;
}

static int open_index(gdl_sites_t *s)
{
    const htsFormat *fmt = hts_get_format(s->fp);
    if (!strcmp(s->path, "-")) {
        gdl_log_error("--regions reads through an index: give a file, not stdin");
        return -1;
    }
    if (fmt->format == bcf) s->idx = bcf_index_load(s->path);
    else if (fmt->compression == bgzf) s->tbx = tbx_index_load(s->path);
    if (!s->idx && !s->tbx) {
        gdl_log_error("%s: --regions needs an index (.csi or .tbi: bcftools index, or tabix on a "
                      "sorted, bgzip-compressed VCF)", s->path);
        return -1;
    }
    return 0;
}

gdl_sites_t *gdl_sites_open(const char *path, const char *regions, int keep_samples)
{
    gdl_sites_t *s = calloc(1, sizeof *s);
    if (!s || !(s->path = strdup(path))) {
        free(s);
        gdl_log_error("out of memory");
        return NULL;
    }
    if (gdl_log_get_level() < GDL_LOG_DEBUG) hts_set_log_level(HTS_LOG_OFF);
    errno = 0;
    if (!(s->fp = hts_open(path, "r"))) {
        gdl_log_error("%s: cannot open: %s", path, errno ? strerror(errno) : "unknown format");
        goto fail;
    }
    const htsFormat *fmt = hts_get_format(s->fp);
    if (fmt->format != vcf && fmt->format != bcf) {
        gdl_log_error("%s: not a VCF or BCF file (%s)", path, hts_format_description(fmt));
        goto fail;
    }
    if (!(s->hdr = bcf_hdr_read(s->fp))) {
        gdl_log_error("%s: cannot read the VCF header (truncated, or not VCF/BCF)", path);
        goto fail;
    }
    if (!keep_samples && bcf_hdr_set_samples(s->hdr, NULL, 0) < 0) { // the sample columns are never parsed
        gdl_log_error("%s: cannot drop the sample columns", path);
        goto fail;
    }
    if (!(s->rec = bcf_init())) {
        gdl_log_error("out of memory");
        goto fail;
    }
    if (regions && (split_regions(s, regions) != 0 || open_index(s) != 0)) goto fail;
    struct stat st;
    if (strcmp(path, "-") && stat(path, &st) == 0 && S_ISREG(st.st_mode)) s->size = (int64_t)st.st_size;
    return s;
fail:
    gdl_sites_close(s);
    return NULL;
}

void gdl_sites_progress(const gdl_sites_t *s, int64_t *done, int64_t *total)
{
    *done = *total = 0;
    if (s->regions) {
        *done = s->next_region - (s->itr != NULL), *total = s->n_regions;
    } else if (s->size) { // the bytes read from the file, compressed or not
        const htsFormat *fmt = hts_get_format(s->fp);
        off_t at = fmt->format == vcf && fmt->compression == no_compression ? htell(s->fp->fp.hfile)
                                                                            : htell(s->fp->fp.bgzf->fp);
        *done = at < 0 ? 0 : at > s->size ? s->size : (int64_t)at, *total = s->size;
    }
}

/* The next record through the region iterators: 1, 0 at the end, -1. */
static int next_in_regions(gdl_sites_t *s)
{
    for (;;) {
        if (!s->itr) {
            if (s->next_region == s->n_regions) return 0;
            const char *reg = s->regions[s->next_region++];
            s->itr = s->idx ? bcf_itr_querys(s->idx, s->hdr, reg) : tbx_itr_querys(s->tbx, reg);
            if (!s->itr) gdl_log_warn("%s: region '%s': no such contig in the index, or not a region", s->path, reg);
            continue;
        }
        int r;
        if (s->idx) {
            r = bcf_itr_next(s->fp, s->itr, s->rec);
        } else {
            r = tbx_itr_next(s->fp, s->tbx, s->itr, &s->line);
            if (r >= 0 && vcf_parse1(&s->line, s->hdr, s->rec) != 0) return -2;
        }
        if (r >= 0) return 1;
        hts_itr_destroy(s->itr);
        s->itr = NULL;
        if (r < -1) return -2;
    }
}

/* With a copy open, the record to read into: a spare one, or a new one, queued. */
static int queue_record(gdl_sites_t *s)
{
    if (!s->keeping) return 0;
    if (s->q_len == s->q_cap) {
        int cap = s->q_cap ? 2 * s->q_cap : 64;
        bcf1_t **q = malloc((size_t)cap * sizeof *q), **sp = realloc(s->spare, (size_t)cap * sizeof *sp);
        if (sp) s->spare = sp;
        if (!q || !sp) {
            free(q);
            return -1;
        }
        for (int i = 0; i < s->q_len; i++) q[i] = s->queue[(s->q_head + i) % s->q_cap];
        free(s->queue);
        s->queue = q, s->q_head = 0, s->q_cap = cap;
    }
    bcf1_t *r = s->n_spare ? s->spare[--s->n_spare] : bcf_init();
    if (!r) return -1;
    s->queue[(s->q_head + s->q_len++) % s->q_cap] = s->rec = r;
    return 0;
}

int gdl_sites_next(gdl_sites_t *s, gdl_site_t *site)
{
    int r;
    if (queue_record(s) != 0) {
        gdl_log_error("out of memory");
        return -1;
    }
    if (s->regions) {
        r = next_in_regions(s); // 1, 0 or -2
    } else {
        int k = bcf_read(s->fp, s->hdr, s->rec); // 0, -1 at the end, < -1 on damage
        r = k == 0 ? 1 : k == -1 ? 0 : -2;
    }
    if (r == 0) {
        if (s->keeping) s->spare[s->n_spare++] = s->queue[(s->q_head + --s->q_len) % s->q_cap];
        return 0;
    }
    s->n_read++;
    // a contig or tag the header does not declare is no damage: htslib declared it in the input's
    // header (many VCFs have no ##contig lines); only a copy cannot take it (gdl_sites_write)
    if (r < 0 || (s->rec->errcode & ~UNDECLARED) || bcf_unpack(s->rec, BCF_UN_STR) != 0) {
        gdl_log_error("%s: record %" PRId64 ": cannot be read (truncated or malformed)", s->path, s->n_read);
        return -1;
    }
    site->chrom = bcf_seqname_safe(s->hdr, s->rec);
    site->pos = (int64_t)s->rec->pos + 1;
    site->id = s->rec->d.id ? s->rec->d.id : ".";
    site->n_alleles = s->rec->n_allele;
    site->alleles = s->rec->d.allele;
    site->record = s->n_read;
    return 1;
}

static int declare(gdl_sites_t *s, const char *const *keys, const char *const *descriptions, int n,
                   const char *flag, const char *flag_description)
{
    if (!(s->keys = calloc((size_t)(n ? n : 1), sizeof *s->keys))) return -1;
    for (int k = 0; k < n; k++) {
        if (!(s->keys[s->n_keys++] = strdup(keys[k]))) return -1;
        if (bcf_hdr_printf(s->out_hdr, "##INFO=<ID=%s,Number=A,Type=Float,Description=\"%s\">", keys[k],
                           descriptions[k]) != 0)
            return -1;
    }
    if (flag && (!(s->flag = strdup(flag)) ||
                 bcf_hdr_printf(s->out_hdr, "##INFO=<ID=%s,Number=0,Type=Flag,Description=\"%s\">", flag,
                                flag_description) != 0))
        return -1;
    return bcf_hdr_sync(s->out_hdr);
}

int gdl_sites_out_open(gdl_sites_t *s, const char *out_path, char mode, const char *const *keys,
                       const char *const *descriptions, int n, const char *flag, const char *flag_description,
                       int write_index)
{
    char wmode[4] = {'w', mode == 'v' ? '\0' : mode, '\0', '\0'};
    if (write_index && mode == 'v') {
        gdl_log_error("%s: --write-index needs a compressed output (-O z or -O b)", out_path);
        return -1;
    }
    int to_stdout = !strcmp(out_path, "-");
    if (!(s->out_path = strdup(out_path)) || (!to_stdout && !(s->out_tmp = gdl_tmp_path(out_path)))) goto oom;
    if (!(s->out_hdr = bcf_hdr_dup(s->hdr)) || declare(s, keys, descriptions, n, flag, flag_description) != 0) {
        gdl_log_error("%s: cannot declare the INFO fields", out_path);
        return -1;
    }
    bcf_destroy(s->rec); // from here the queue and the spares own the records
    s->rec = NULL;
    s->keeping = 1;
    if (!(s->out = hts_open(to_stdout ? "-" : s->out_tmp, wmode))) {
        gdl_log_error("%s: cannot create: %s", out_path, strerror(errno));
        return -1;
    }
    if (bcf_hdr_write(s->out, s->out_hdr) != 0) {
        gdl_log_error("%s: cannot write the header: %s", out_path, strerror(errno));
        return -1;
    }
    if (write_index) {
        if (to_stdout) {
            gdl_log_error("--write-index: the output is a file, not stdout");
            return -1;
        }
        size_t len = strlen(out_path) + 8;
        if (!(s->idx_path = malloc(len))) goto oom;
        snprintf(s->idx_path, len, "%s.csi", out_path);
        if (!(s->idx_tmp = gdl_tmp_path(s->idx_path))) return -1;
        if (bcf_idx_init(s->out, s->out_hdr, 14, s->idx_tmp) != 0) {
            gdl_log_error("%s: cannot start the index", s->idx_path);
            return -1;
        }
    }
    return 0;
oom:
    gdl_log_error("out of memory");
    return -1;
}

int gdl_sites_write(gdl_sites_t *s, const float *values, int flag)
{
    if (!s->q_len) {
        gdl_log_error("internal: no record to write");
        return -1;
    }
    bcf1_t *rec = s->queue[s->q_head];
    s->q_head = (s->q_head + 1) % s->q_cap, s->q_len--;
    s->spare[s->n_spare++] = rec; // its strings stay valid until it is read into again
    s->n_written++;
    if (rec->errcode & UNDECLARED) { // the copy's header was written before htslib declared it
        gdl_log_error("%s: record %" PRId64 " (%s:%" PRId64 "): its contig or an INFO/FILTER tag is not declared in "
                      "the header; a VCF/BCF output needs them declared (e.g. bcftools reheader --fai), a TSV does not",
                      s->path, s->n_written, bcf_seqname_safe(s->hdr, rec), (int64_t)rec->pos + 1);
        return -1;
    }
    int n_alt = rec->n_allele - 1;
    for (int k = 0; k < s->n_keys && n_alt > 0; k++) {
        const float *v = values + (int64_t)k * n_alt;
        int any = 0;
        for (int a = 0; a < n_alt; a++) any |= !isnan(v[a]);
        if (!any) continue;
        float w[n_alt];
        for (int a = 0; a < n_alt; a++) {
            if (isnan(v[a])) bcf_float_set_missing(w[a]);
            else w[a] = v[a];
        }
        if (bcf_update_info_float(s->out_hdr, rec, s->keys[k], w, n_alt) != 0) goto fail;
    }
    if (s->flag && flag && bcf_update_info_flag(s->out_hdr, rec, s->flag, NULL, 1) != 0) goto fail;
    if (bcf_write(s->out, s->out_hdr, rec) != 0) goto fail;
    return 0;
fail:
    gdl_log_error("%s: cannot write record %" PRId64 ": %s", s->out_path, s->n_written, strerror(errno));
    return -1;
}

int gdl_sites_commit(gdl_sites_t *s)
{
    int ok = 1;
    if (s->idx_tmp && bcf_idx_save(s->out) != 0) {
        gdl_log_error("%s: cannot write the index", s->idx_path);
        ok = 0;
    }
    if (hts_close(s->out) != 0 && ok) {
        gdl_log_error("%s: cannot finish writing: %s", s->out_path, strerror(errno));
        ok = 0;
    }
    s->out = NULL;
    if (ok && s->out_tmp && rename(s->out_tmp, s->out_path) != 0) {
        gdl_log_error("%s: cannot rename into place: %s", s->out_path, strerror(errno));
        ok = 0;
    }
    if (ok && s->idx_tmp && rename(s->idx_tmp, s->idx_path) != 0) {
        gdl_log_error("%s: cannot rename into place: %s", s->idx_path, strerror(errno));
        unlink(s->out_path);
        ok = 0;
    }
    if (ok) {
        free(s->out_tmp), free(s->idx_tmp);
        s->out_tmp = s->idx_tmp = NULL;
    }
    return ok ? 0 : -1;
}

void gdl_sites_close(gdl_sites_t *s)
{
    if (!s) return;
    if (s->out) hts_close(s->out);
    if (s->out_tmp) unlink(s->out_tmp);
    if (s->idx_tmp) unlink(s->idx_tmp);
    if (s->itr) hts_itr_destroy(s->itr);
    if (s->idx) hts_idx_destroy(s->idx);
    if (s->tbx) tbx_destroy(s->tbx);
    if (s->keeping) s->rec = NULL;
    for (int i = 0; i < s->q_len; i++) bcf_destroy(s->queue[(s->q_head + i) % s->q_cap]);
    for (int i = 0; i < s->n_spare; i++) bcf_destroy(s->spare[i]);
    free(s->queue), free(s->spare);
    if (s->rec) bcf_destroy(s->rec);
    if (s->out_hdr) bcf_hdr_destroy(s->out_hdr);
    if (s->hdr) bcf_hdr_destroy(s->hdr);
    if (s->fp) hts_close(s->fp);
    for (int i = 0; i < s->n_regions; i++) free(s->regions[i]);
    for (int k = 0; k < s->n_keys; k++) free(s->keys[k]);
    free(s->regions), free(s->keys), free(s->flag), free(s->line.s);
    free(s->path), free(s->out_path), free(s->out_tmp), free(s->idx_path), free(s->idx_tmp);
    free(s);
}
