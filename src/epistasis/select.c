/* Which variants and pairs a scan tests (epi_internal.h): --keep and --between lists of variant
 * names, and the per-pair rules (--between, --within-genes, --window) checked before a pair's
 * table is counted. */
#include <stdlib.h>
#include <string.h>

#include "epi_internal.h"
#include "gdl/core.h"
#include "gdl/dataops.h"

/* Marks mark[j] |= bit for every variant of the list at path. -1 with an error (none found). */
static int read_list(const char *path, const gdl_idmap_t *names, uint8_t *mark, uint8_t bit)
{
    gdl_lines_t r = {0};
    int64_t listed = 0, unknown = 0;
    char *line;
    if (gdl_lines_open(&r, path) != 0) return -1;
    while ((line = gdl_lines_next(&r))) {
        while (*line == ' ' || *line == '\t') line++;
        char *end = line + strlen(line);
        while (end > line && (end[-1] == ' ' || end[-1] == '\t')) *--end = 0;
        if (!*line || *line == '#') continue;
        listed++;
        int64_t j = gdl_idmap_get(names, line);
        if (j < 0) unknown++;
        else mark[j] |= bit;
    }
    int failed = gdl_lines_failed(&r);
    gdl_lines_close(&r);
    if (failed) return -1;
    if (listed == unknown) {
        gdl_log_error("%s: none of the %lld listed variants is in the dataset", path, (long long)listed);
        return -1;
    }
    if (unknown) gdl_log_warn("%s: %lld of %lld listed variants are not in the dataset", path, (long long)unknown, (long long)listed);
    return 0;
}

/* Gene numbers of each scanned variant (indices into s->genes, by name), as CSR. */
static int number_genes(epi_select_t *s, const gdl_genotypes_t *g)
{
    int64_t n = 0, *count = NULL;
    if (gdl_gene_sets_build(&s->genes, g) != 0) return -1;
    if (!(s->gene_start = calloc((size_t)(s->n + 1), sizeof *s->gene_start)) ||
        !(count = calloc((size_t)(g->n_variants + 1), sizeof *count)))
        goto oom;
    int64_t *slot = count; // column -> scanned index + 1 (0: not scanned)
    for (int64_t v = 0; v < s->n; v++) slot[s->column[v]] = v + 1;
    for (int64_t k = 0; k < s->genes.n; k++)
        for (int64_t i = 0; i < s->genes.genes[k].n; i++)
            if (slot[s->genes.genes[k].var[i]]) s->gene_start[slot[s->genes.genes[k].var[i]]]++, n++;
    for (int64_t v = 0; v < s->n; v++) s->gene_start[v + 1] += s->gene_start[v];
    if (!(s->gene = malloc((size_t)(n ? n : 1) * sizeof *s->gene))) goto oom;
    int64_t *fill = malloc((size_t)(s->n + 1) * sizeof *fill);
    if (!fill) goto oom;
    memcpy(fill, s->gene_start, (size_t)(s->n + 1) * sizeof *fill);
    for (int64_t k = 0; k < s->genes.n; k++) // genes in name order: each variant's list ascends
        for (int64_t i = 0; i < s->genes.genes[k].n; i++) {
            int64_t v = slot[s->genes.genes[k].var[i]];
            if (v) s->gene[fill[v - 1]++] = k;
        }
    free(fill), free(count);
    return 0;
oom:
    gdl_log_error("out of memory");
    free(count);
    return -1;
}

/* Chromosome numbers of the scanned variants (equal strings, equal numbers). */
static int number_chroms(epi_select_t *s, const gdl_genotypes_t *g)
{
    const char **seen = malloc((size_t)(s->n ? s->n : 1) * sizeof *seen);
    int n = 0;
    if (!seen || !(s->chrom = malloc((size_t)(s->n ? s->n : 1) * sizeof *s->chrom))) {
        free(seen);
        gdl_log_error("out of memory");
        return -1;
    }
    for (int64_t v = 0; v < s->n; v++) {
        const char *c = g->chrom[s->column[v]];
        int x = n - 1; // variants come sorted by chromosome: the last one seen is the likely match
        while (x >= 0 && strcmp(seen[x], c) != 0) x--;
        if (x < 0) seen[x = n++] = c;
        s->chrom[v] = x;
    }
    free(seen);
    return 0;
}

int gdl_epi_select(epi_select_t *s, const gdl_genotypes_t *g, const gdl_epistasis_opts_t *o)
{
    int64_t M = g->n_variants;
    uint8_t *mark = NULL;
    gdl_idmap_t names = {0};
    memset(s, 0, sizeof *s);
    s->window = o->window, s->within_genes = o->within_genes, s->between = o->between_a != NULL;
    if (!(mark = calloc((size_t)(M ? M : 1), 1)) || !(s->column = malloc((size_t)(M ? M : 1) * sizeof *s->column)))
        goto oom;
    if (o->keep_path || o->between_a) {
        for (int64_t j = 0; j < M; j++) {
            char buf[512];
            if (gdl_idmap_put(&names, gdl_genotypes_variant_name(g, j, buf, sizeof buf), j) < 0) goto oom;
        }
    }
    // bits: 1 kept, 2 in set A, 4 in set B
    if (o->keep_path && read_list(o->keep_path, &names, mark, 1) != 0) goto fail;
    if (o->between_a && (read_list(o->between_a, &names, mark, 2) != 0 || read_list(o->between_b, &names, mark, 4) != 0))
        goto fail;
    for (int64_t j = 0; j < M; j++) {
        int kept = !o->keep_path || (mark[j] & 1), paired = !o->between_a || (mark[j] & 6);
        if (kept && paired) s->column[s->n++] = j;
    }
    if (s->between) {
        if (!(s->set = malloc((size_t)(s->n ? s->n : 1)))) goto oom;
        for (int64_t v = 0; v < s->n; v++) s->set[v] = (uint8_t)(mark[s->column[v]] >> 1);
    }
    if (s->window > 0 && number_chroms(s, g) != 0) goto fail;
    if ((s->within_genes || o->level_gene) && number_genes(s, g) != 0) goto fail;
    if (o->level_gene && s->genes.n == 0) {
        gdl_log_error("--level gene: no variant of the dataset has a gene (gdl encode --genes)");
        goto fail;
    }
    free(mark), gdl_idmap_free(&names);
    return 0;
oom:
    gdl_log_error("out of memory");
fail:
    free(mark), gdl_idmap_free(&names);
    gdl_epi_select_free(s);
    return -1;
}

void gdl_epi_select_free(epi_select_t *s)
{
    free(s->column), free(s->set), free(s->chrom), free(s->gene_start), free(s->gene);
    gdl_gene_sets_free(&s->genes);
    memset(s, 0, sizeof *s);
}

int gdl_epi_select_pair(const epi_select_t *s, const gdl_genotypes_t *g, int64_t va, int64_t vb)
{
    if (s->between && !((s->set[va] & 1 && s->set[vb] & 2) || (s->set[va] & 2 && s->set[vb] & 1))) return 0;
    if (s->window > 0) {
        int64_t d = g->pos[s->column[vb]] - g->pos[s->column[va]];
        if (s->chrom[va] != s->chrom[vb] || d > s->window || d < -s->window) return 0;
    }
    if (s->within_genes) {
        for (int64_t x = s->gene_start[va]; x < s->gene_start[va + 1]; x++)
            for (int64_t y = s->gene_start[vb]; y < s->gene_start[vb + 1]; y++)
                if (s->gene[x] == s->gene[y]) return 1;
        return 0;
    }
    return 1;
}

void gdl_epi_select_describe(const gdl_epistasis_opts_t *o, char *buf, size_t size)
{
    size_t len = (size_t)snprintf(buf, size, "%s", o->keep_path ? "keep " : "all variants");
    if (o->keep_path && len < size) len += (size_t)snprintf(buf + len, size - len, "%s", o->keep_path);
    if (o->between_a && len < size) len += (size_t)snprintf(buf + len, size - len, "; between %s and %s", o->between_a, o->between_b);
    if (o->within_genes && len < size) len += (size_t)snprintf(buf + len, size - len, "; within genes");
    if (o->window > 0 && len < size) snprintf(buf + len, size - len, "; window %lld bp", (long long)o->window);
}
