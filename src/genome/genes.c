/* Gene annotation for the variant catalog: BED (chrom, start, end, name) or GTF[.gz] gene
 * features, read through htslib (plain or compressed). Genes are kept sorted by (chrom, start)
 * with a running maximum of the end per chrom, so overlaps and the nearest gene are found by
 * one binary search and a short walk left. */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <htslib/hts.h>
#include <htslib/kseq.h>
#include <htslib/kstring.h>

#include "genome_internal.h"
#include "gdl/core.h"
#include "gdl/dataops.h"

typedef struct {
    char *chrom, *name;
    int64_t beg, end;  // 0-based, half-open
    int64_t max_end;   // max end over this and the earlier genes of the chrom
    int64_t arg_end;   // index of the gene that has it
} gene_t;

struct genes_t {
    gene_t *g;
    int64_t n;
};

void gdl_genes_free(genes_t *g)
{
    if (!g) return;
    for (int64_t i = 0; i < g->n; i++) {
        free(g->g[i].chrom);
        free(g->g[i].name);
    }
    free(g->g);
    free(g);
}

static int cmp_gene(const void *a, const void *b)
{
    const gene_t *x = a, *y = b;
    int c = strcmp(x->chrom, y->chrom);
    if (c) return c;
    return x->beg < y->beg ? -1 : x->beg > y->beg;
}

/* The value of attribute key in a GTF attribute column (key "value"; ...), into buf. */
static int gtf_attr(const char *attrs, const char *key, char *buf, size_t size)
{
    size_t klen = strlen(key);
    for (const char *p = attrs; (p = strstr(p, key)); p += klen) {
        if ((p != attrs && p[-1] != ' ' && p[-1] != ';') || p[klen] != ' ') continue;
        const char *v = p + klen + 1;
        if (*v == '"') v++;
        size_t len = strcspn(v, "\";");
        snprintf(buf, size, "%.*s", (int)len, v);
        return 1;
    }
    return 0;
}

genes_t *gdl_genes_load(const char *path)
{
    genes_t *g = calloc(1, sizeof *g);
    htsFile *fp = hts_open(path, "r");
    kstring_t line = {0, 0, NULL};
    int64_t cap = 0;
    long lineno = 0;
    int gtf = strstr(path, ".gtf") != NULL || strstr(path, ".gff") != NULL;
    if (!g) goto oom;
    if (!fp) {
        gdl_log_error("%s: %s", path, errno ? strerror(errno) : "cannot open");
        goto fail;
    }
    int r;
    while ((r = hts_getline(fp, KS_SEP_LINE, &line)) >= 0) {
        lineno++;
        char *f[9];
        if (line.l == 0 || line.s[0] == '#' || strncmp(line.s, "track", 5) == 0 ||
            strncmp(line.s, "browser", 7) == 0)
            continue;
        int nf = gdl_split_tabs(line.s, f, 9); // 10: more columns than read (BED12)
        char name[256], *end1, *end2;
        long long b, e;
        if (gtf) {
            if (nf < 9) goto bad;
            if (strcmp(f[2], "gene") != 0) continue;
            b = strtoll(f[3], &end1, 10);
            e = strtoll(f[4], &end2, 10);
            if (b < 1) goto bad; // 1-based; checked before the shift to 0-based can overflow
            b--;
            if (!gtf_attr(f[8], "gene_name", name, sizeof name) &&
                !gtf_attr(f[8], "gene_id", name, sizeof name))
                goto bad;
        } else {
            if (nf < 4) goto bad;
            b = strtoll(f[1], &end1, 10);
            e = strtoll(f[2], &end2, 10);
            snprintf(name, sizeof name, "%s", f[3]);
        }
        if (*end1 || *end2 || b < 0 || e < b) goto bad;
        if (g->n == cap) {
            cap = cap ? 2 * cap : 1024;
            gene_t *p = realloc(g->g, cap * sizeof *p);
            if (!p) goto oom;
            g->g = p;
        }
        gene_t *x = &g->g[g->n];
        x->chrom = strdup(f[0]);
        x->name = strdup(name);
        x->beg = b;
        x->end = e;
        g->n++;
        if (!x->chrom || !x->name) goto oom;
    }
    if (r < -1) {
        gdl_log_error("%s: read error after line %ld", path, lineno);
        goto fail;
    }
    if (g->n == 0) { // an empty file, or a GTF without "gene" features: nothing would be annotated
        gdl_log_error("%s: no genes (expected %s)", path,
                      gtf ? "GTF \"gene\" features with a gene_name or gene_id attribute"
                          : "CHROM, START, END, NAME lines");
        goto fail;
    }
    qsort(g->g, (size_t)g->n, sizeof *g->g, cmp_gene);
    for (int64_t i = 0; i < g->n; i++) {
        gene_t *x = &g->g[i];
        x->max_end = x->end;
        x->arg_end = i;
        if (i > 0 && strcmp(x->chrom, g->g[i - 1].chrom) == 0 && g->g[i - 1].max_end > x->end) {
            x->max_end = g->g[i - 1].max_end;
            x->arg_end = g->g[i - 1].arg_end;
        }
    }
    hts_close(fp);
    free(line.s);
    return g;
bad:
    gdl_log_error("%s:%ld: expected %s", path, lineno,
                  gtf ? "9 GTF columns with a gene_name or gene_id attribute"
                      : "CHROM, START, END, NAME (tab-separated)");
    goto fail;
oom:
    gdl_log_error("out of memory");
fail:
    if (fp) hts_close(fp);
    free(line.s);
    gdl_genes_free(g);
    return NULL;
}

/* Appends ",name" to buf unless listed; 1 when it does not fit (whole names only), else 0. */
static int append(char *buf, size_t size, const char *name)
{
    size_t len = strlen(buf), n = strlen(name);
    // the same name twice (several transcripts, split records) is listed once
    for (const char *p = buf; (p = strstr(p, name)) && p + n <= buf + len; p++)
        if ((p == buf || p[-1] == ',') && (p[n] == ',' || p[n] == 0)) return 0;
    if (len + n + 2 > size) return 1;
    snprintf(buf + len, size - len, "%s%s", len ? "," : "", name);
    return 0;
}

int gdl_genes_lookup(const genes_t *g, const char *chrom, int64_t pos, int64_t window, char *buf,
                  size_t size)
{
    int64_t p0 = pos - 1, lo = 0, hi = g->n; // last gene of chrom with beg <= p0
    int left_out = 0;
    *buf = 0;
    while (lo < hi) {
        int64_t mid = (lo + hi) / 2;
        int c = strcmp(g->g[mid].chrom, chrom);
        if (c < 0 || (c == 0 && g->g[mid].beg <= p0)) lo = mid + 1;
        else hi = mid;
    }
    int64_t i = lo - 1;
    for (int64_t k = i; k >= 0 && strcmp(g->g[k].chrom, chrom) == 0 && g->g[k].max_end > p0; k--)
        if (g->g[k].end > p0) left_out += append(buf, size, g->g[k].name); // beg <= p0 by the search
    if (*buf || left_out || window <= 0) return left_out;
    int64_t best = -1, dist = window + 1;
    if (i >= 0 && strcmp(g->g[i].chrom, chrom) == 0 && p0 - g->g[i].max_end + 1 < dist) {
        best = g->g[i].arg_end;
        dist = p0 - g->g[i].max_end + 1;
    }
    if (lo < g->n && strcmp(g->g[lo].chrom, chrom) == 0 && g->g[lo].beg - p0 < dist) {
        best = lo;
        dist = g->g[lo].beg - p0;
    }
    if (best >= 0 && dist <= window) left_out += append(buf, size, g->g[best].name);
    return left_out;
}
