/* --gene-tag of gdl encode: each ALT allele's gene from an INFO field, plain or an ANN / CSQ
 * annotation (the gene field of the allele's first entry; CSQ's found from its header's Format). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gdl/core.h"
#include "vcf_internal.h"

/* The gene of ALT allele a from --gene-tag, into buf ("" when absent). */
void gdl_vcf_gene_tag_get(gdl_vcf_gene_tag_t *s, const bcf_hdr_t *hdr, bcf1_t *rec, int a, char *buf, size_t size)
{
    *buf = 0;
    if (bcf_get_info_string(hdr, rec, s->tag, &s->info, &s->ninfo) <= 0) return;
    if (s->csq_field < 0) {
        snprintf(buf, size, "%s", s->info);
        return;
    }
    // ANN/CSQ: comma-separated entries of '|' fields; the first entry for this allele wins
    const char *alt = rec->d.allele[a], *first = NULL;
    for (char *ent = s->info; ent && *ent;) {
        char *next = strchr(ent, ',');
        size_t len = next ? (size_t)(next - ent) : strlen(ent);
        size_t alen = strcspn(ent, "|");
        const char *f = ent;
        for (int k = 0; k < s->csq_field && f && f < ent + len; k++) {
            f = memchr(f, '|', ent + len - f);
            if (f) f++;
        }
        if (f && f < ent + len) {
            size_t flen = strcspn(f, "|,");
            if (alen == strlen(alt) && strncmp(ent, alt, alen) == 0) {
                snprintf(buf, size, "%.*s", (int)flen, f);
                return;
            }
            if (!first) snprintf(buf, size, "%.*s", (int)flen, f), first = buf;
        }
        ent = next ? next + 1 : NULL;
    }
}

int gdl_vcf_gene_tag_init(gdl_vcf_gene_tag_t *s, const char *tag, bcf_hdr_t *hdr, const char *src)
{
    memset(s, 0, sizeof *s);
    s->tag = tag;
    s->csq_field = -1;
    if (!tag) return 0;
    int id = bcf_hdr_id2int(hdr, BCF_DT_ID, tag);
    if (id < 0 || !bcf_hdr_idinfo_exists(hdr, BCF_HL_INFO, id)) {
        gdl_log_error("%s: --gene-tag: INFO/%s is not defined in the header", src, tag);
        return -1;
    }
    if (strcmp(tag, "ANN") == 0) s->csq_field = 3; // Allele|Annotation|Impact|Gene_Name|...
    if (strcmp(tag, "CSQ") == 0) {
        bcf_hrec_t *h = bcf_hdr_get_hrec(hdr, BCF_HL_INFO, "ID", "CSQ", NULL);
        int k = h ? bcf_hrec_find_key(h, "Description") : -1;
        const char *d = k >= 0 ? strstr(h->vals[k], "Format: ") : NULL;
        s->csq_field = 3;
        if (d) {
            d += 8;
            for (int i = 0; *d && *d != '"'; i++) {
                size_t len = strcspn(d, "|\"");
                if ((len == 6 && strncmp(d, "SYMBOL", 6) == 0)) {
                    s->csq_field = i;
                    break;
                }
                d += len + (d[len] == '|');
            }
        }
    }
    return 0;
}

void gdl_vcf_gene_tag_free(gdl_vcf_gene_tag_t *s)
{
    free(s->info);
    memset(s, 0, sizeof *s);
}
