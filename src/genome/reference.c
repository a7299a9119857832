/* A reference genome through htslib's faidx (plain or bgzip-compressed FASTA). */
#include <errno.h>
#include <htslib/faidx.h>
#include <htslib/hts_log.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "gdl/core.h"
#include "gdl/sequence.h"

struct gdl_ref_t {
    faidx_t *fai;
    char *path;
};

/* htslib builds an index from text that is not quite FASTA (a record whose first sequence line
 * is empty gets 0 bases per line) and its reads then divide by that line length: every contig
 * with bases must have a positive line length no longer than its line width. 0 or -1. */
static int check_index(const char *path)
{
    char fai[4096], *line = NULL;
    size_t cap = 0;
    int ret = 0;
    int64_t lineno = 0;
    snprintf(fai, sizeof fai, "%s.fai", path);
    FILE *fp = fopen(fai, "r");
    if (!fp) return 0; // the index lives elsewhere: htslib found it, so it is not one it just built
    while (ret == 0 && getline(&line, &cap, fp) > 0) {
        lineno++;
        long long len = 0, offset = 0, bases = 0, width = 0;
        char *tab = strchr(line, '\t');
        if (!tab || sscanf(tab, "%lld %lld %lld %lld", &len, &offset, &bases, &width) != 4 ||
            (len > 0 && (bases <= 0 || width < bases))) {
            line[strcspn(line, "\t\n")] = 0;
            gdl_log_error("%s: contig '%s' has no usable line length in its index (%s:%" PRId64 "); is it "
                          "FASTA, one '>' header line then lines of bases?", path, line, fai, lineno);
            ret = -1;
        }
    }
    free(line);
    fclose(fp);
    return ret;
}

gdl_ref_t *gdl_ref_open(const char *path)
{
    gdl_ref_t *r = calloc(1, sizeof *r);
    if (!r || !(r->path = strdup(path))) {
        free(r);
        gdl_log_error("out of memory");
        return NULL;
    }
    if (access(path, R_OK) != 0) {
        gdl_log_error("%s: cannot open: %s", path, strerror(errno));
        gdl_ref_close(r);
        return NULL;
    }
    // htslib's own messages only in debug mode: the user gets gdl's one line
    enum htsLogLevel level = hts_get_log_level();
    if (gdl_log_get_level() < GDL_LOG_DEBUG) hts_set_log_level(HTS_LOG_OFF);
    r->fai = fai_load(path);
    hts_set_log_level(level);
    if (!r->fai) {
        gdl_log_error("%s: cannot load or build the faidx index (is it FASTA, plain or "
                      "compressed with bgzip (not gzip), and is its directory writable?)", path);
        gdl_ref_close(r);
        return NULL;
    }
    if (check_index(path)) {
        gdl_ref_close(r);
        return NULL;
    }
    return r;
}

void gdl_ref_close(gdl_ref_t *r)
{
    if (!r) return;
    if (r->fai) fai_destroy(r->fai);
    free(r->path);
    free(r);
}

int gdl_ref_ncontigs(const gdl_ref_t *r) { return faidx_nseq(r->fai); }
const char *gdl_ref_contig(const gdl_ref_t *r, int i) { return faidx_iseq(r->fai, i); }

int64_t gdl_ref_length(const gdl_ref_t *r, const char *contig)
{
    if (!faidx_has_seq(r->fai, contig)) return -1;
    return faidx_seq_len(r->fai, contig); // int: contigs up to 2^31 - 1 bases in this htslib
}

int gdl_ref_fetch(gdl_ref_t *r, const char *contig, int64_t beg, int64_t end, char *out)
{
    int64_t len = gdl_ref_length(r, contig);
    if (len < 0) {
        gdl_log_error("%s: no contig '%s'", r->path, contig);
        return -1;
    }
    int64_t b = beg < 0 ? 0 : beg, e = end > len ? len : end;
    memset(out, 'N', (size_t)(end - beg));
    if (b >= e) return 0;
    hts_pos_t got = 0;
    char *s = faidx_fetch_seq64(r->fai, contig, b, e - 1, &got);
    if (!s || got != e - b) {
        free(s);
        gdl_log_error("%s: cannot read %s:%" PRId64 "-%" PRId64, r->path, contig, b + 1, e);
        return -1;
    }
    for (int64_t i = 0; i < got; i++) {
        char c = gdl_base_normalize((unsigned char)s[i]);
        if (!c) {
            gdl_log_error("%s: %s:%" PRId64 ": '%c' is not a base", r->path, contig, b + i + 1,
                          s[i] >= 32 && s[i] < 127 ? s[i] : '?');
            free(s);
            return -1;
        }
        out[b - beg + i] = c;
    }
    free(s);
    return 0;
}
