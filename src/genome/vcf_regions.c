/* --regions and --regions-file of gdl encode: the regions as the VCF's contigs and 0-based
 * half-open spans, sorted and with overlaps merged, so a record is read once. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gdl/core.h"
#include "gdl/dataops.h"
#include "vcf_internal.h"

typedef struct {
    const bcf_hdr_t *hdr;
    const char *src;        // the VCF, for messages
    gdl_vcf_region_t *reg;
    int n_reg;
} regions_t;

static int add_region(regions_t *s, const char *chrom, hts_pos_t beg, hts_pos_t end)
{
    int rid = bcf_hdr_name2id(s->hdr, chrom);
    if (rid < 0) {
        gdl_log_warn("region contig '%s' is not in the header of %s; ignored", chrom, s->src);
        return 0;
    }
    gdl_vcf_region_t *r = realloc(s->reg, (s->n_reg + 1) * sizeof *r);
    if (!r) {
        gdl_log_error("out of memory");
        return -1;
    }
    s->reg = r;
    s->reg[s->n_reg++] = (gdl_vcf_region_t){rid, beg, end};
    return 0;
}

static int cmp_region(const void *a, const void *b)
{
    const gdl_vcf_region_t *x = a, *y = b;
    if (x->rid != y->rid) return x->rid < y->rid ? -1 : 1;
    return x->beg < y->beg ? -1 : x->beg > y->beg;
}

static int parse_into(const gdl_encode_opts_t *o, regions_t *s)
{
    if (o->regions) {
        char *list = strdup(o->regions);
        if (!list) return -1;
        for (char *tok = strtok(list, ","); tok; tok = strtok(NULL, ",")) {
            hts_pos_t beg, end;
            const char *colon = hts_parse_reg64(tok, &beg, &end);
            if (!colon || beg < 0 || end < beg) {
                gdl_log_error("--regions: cannot parse '%s' (expected CHROM[:BEG[-END]])", tok);
                free(list);
                return -1;
            }
            char chrom[256];
            snprintf(chrom, sizeof chrom, "%.*s", (int)(colon - tok), tok);
            if (add_region(s, chrom, beg, end)) {
                free(list);
                return -1;
            }
        }
        free(list);
    }
    if (o->regions_file) {
        FILE *fp = fopen(o->regions_file, "r");
        if (!fp) {
            gdl_log_error("%s: %s", o->regions_file, strerror(errno));
            return -1;
        }
        size_t n = strlen(o->regions_file);
        int bed = n > 4 && strcmp(o->regions_file + n - 4, ".bed") == 0;
        char *line = NULL, *f[4];
        size_t cap = 0;
        long lineno = 0;
        int ret = 0;
        while (ret == 0 && getline(&line, &cap, fp) > 0) {
            lineno++;
            line[strcspn(line, "\r\n")] = 0;
            if (!*line || *line == '#' || strncmp(line, "track", 5) == 0) continue;
            int nf = gdl_split_tabs(line, f, 4);
            char *end1 = NULL, *end2 = NULL;
            long long b = nf > 1 ? strtoll(f[1], &end1, 10) : (bed ? 0 : 1);
            long long e = nf > 2 ? strtoll(f[2], &end2, 10) : HTS_POS_MAX;
            if ((nf > 1 && (end1 == f[1] || *end1)) || (nf > 2 && (end2 == f[2] || *end2)) ||
                b < (bed ? 0 : 1) || e < b) {
                gdl_log_error("%s:%ld: expected CHROM, BEG, END", o->regions_file, lineno);
                ret = -1;
                break;
            }
            ret = add_region(s, f[0], bed ? b : b - 1, e);
        }
        free(line);
        fclose(fp);
        if (ret) return -1;
    }
    if (s->n_reg == 0) return 0;
    qsort(s->reg, s->n_reg, sizeof *s->reg, cmp_region);
    int k = 0; // merge overlaps, so a record is read once
    for (int i = 1; i < s->n_reg; i++) {
        if (s->reg[i].rid == s->reg[k].rid && s->reg[i].beg <= s->reg[k].end) {
            if (s->reg[i].end > s->reg[k].end) s->reg[k].end = s->reg[i].end;
        } else {
            s->reg[++k] = s->reg[i];
        }
    }
    s->n_reg = k + 1;
    return 0;
}

int gdl_vcf_regions_parse(const gdl_encode_opts_t *o, const bcf_hdr_t *hdr, const char *src, gdl_vcf_region_t **out,
                          int *n_out)
{
    regions_t r = {.hdr = hdr, .src = src};
    *out = NULL, *n_out = 0;
    if (parse_into(o, &r) != 0) {
        free(r.reg);
        return -1;
    }
    *out = r.reg, *n_out = r.n_reg;
    return 0;
}
