/* Gene layers: a gene_dense layer's map from the dataset catalog's gene column, and its gene
 * names kept with the model. M variants, G unit groups, E links (variant, group). */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gdl/core.h"
#include "gdl/data.h"
#include "gdl/dataops.h"
#include "model_internal.h"

static int is_gene_layer(const gdl_config_layer_t *l) { return !strcmp(l->type, "gene_dense"); }

const gdl_gene_layer_t *gdl_model_gene_layer(const gdl_model_t *m, const char *name)
{
    for (int k = 0; k < m->n_gene_layers; k++)
        if (!strcmp(m->config->layers[m->gene_layers[k].layer].name, name)) return &m->gene_layers[k];
    return NULL;
}

void gdl_model_genes_free(gdl_model_t *m)
{
    for (int k = 0; k < m->n_gene_layers; k++) {
        gdl_gene_layer_t *gl = &m->gene_layers[k];
        for (int64_t g = 0; gl->genes && g < gl->groups; g++) free(gl->genes[g]);
        free(gl->genes), free(gl->start), free(gl->variant);
    }
    free(m->gene_layers);
    m->gene_layers = NULL, m->n_gene_layers = 0;
}

/* The gene layers of m's config, with only their layer index set; -1 when out of memory. */
static int alloc_layers(gdl_model_t *m)
{
    const gdl_config_t *c = m->config;
    int n = 0;
    for (int i = 0; i < c->n_layers; i++) n += is_gene_layer(&c->layers[i]);
    if (!n) return 0;
    if (!(m->gene_layers = calloc((size_t)n, sizeof *m->gene_layers))) {
        gdl_log_error("out of memory");
        return -1;
    }
    for (int i = 0; i < c->n_layers; i++)
        if (is_gene_layer(&c->layers[i])) m->gene_layers[m->n_gene_layers++].layer = i;
    return 0;
}

/* 12345678 -> "12,345,678" */
static const char *commas(int64_t v, char *buf)
{
    char digits[24];
    int n = snprintf(digits, sizeof digits, "%" PRId64, v), k = 0;
    for (int i = 0; i < n; i++) {
        if (i && (n - i) % 3 == 0 && digits[i - 1] != '-') buf[k++] = ',';
        buf[k++] = digits[i];
    }
    buf[k] = 0;
    return buf;
}

/* 1 when config layer l says unassigned=drop (gene_dense checks the value itself). */
static int drops_unassigned(const gdl_config_layer_t *l)
{
    for (const char *s = l->attrs; s && (s = strstr(s, "unassigned=drop")); s++)
        if ((s == l->attrs || s[-1] == ' ') && (s[15] == ' ' || !s[15])) return 1;
    return 0;
}

/* Links (variant, group) in the order they are found. */
typedef struct {
    int64_t *var, *grp;
    int64_t n, cap;
} links_t;

static int push_link(links_t *lk, int64_t j, int64_t g)
{
    if (lk->n == lk->cap) {
        int64_t cap = lk->cap ? 2 * lk->cap : 1024, *a, *b;
        if (!(a = realloc(lk->var, sizeof(int64_t) * (size_t)cap))) return -1;
        lk->var = a;
        if (!(b = realloc(lk->grp, sizeof(int64_t) * (size_t)cap))) return -1;
        lk->grp = b, lk->cap = cap;
    }
    lk->var[lk->n] = j, lk->grp[lk->n++] = g;
    return 0;
}

/* Layer gl's map from the gene column of the M variants. */
static int make_map(gdl_gene_layer_t *gl, const gdl_config_layer_t *l, const char *const *gene, int64_t M)
{
    gdl_idmap_t ids = {0};
    links_t lk = {0};
    int64_t n_genes = 0, none = 0, multi = 0, *next = NULL;
    char tok[256], b1[32], b2[32], b3[32];
    int drop = drops_unassigned(l), ret = -1;
    for (int64_t j = 0; j < M; j++) { // links in variant order, genes numbered as they appear
        int64_t first = lk.n;
        for (const char *s = gene[j]; *s;) {
            size_t len = strcspn(s, ",");
            if (len >= sizeof tok) {
                gdl_log_error("catalog:gene of variant %" PRId64 ": a gene name of %zu characters", j, len);
                goto out;
            }
            memcpy(tok, s, len), tok[len] = 0;
            s += len + (s[len] == ',');
            if (!len) continue;
            int64_t g = gdl_idmap_get(&ids, tok);
            if (g < 0) {
                if (gdl_idmap_put(&ids, tok, n_genes) < 0) goto out;
                g = n_genes++;
            }
            int seen = 0; // a gene listed twice for one variant is one link
            for (int64_t e = first; e < lk.n; e++) seen |= lk.grp[e] == g;
            if (seen) continue;
            if (push_link(&lk, j, g) < 0) goto oom;
        }
        if (lk.n == first) {
            none++;
            // the shared group's number is n_genes once all are known: -1 for now
            if (!drop && push_link(&lk, j, -1) < 0) goto oom;
        }
        multi += lk.n - first > 1;
    }
    int64_t G = n_genes + (!drop && none > 0), E = lk.n;
    if (n_genes == 0) {
        gdl_log_error("layer '%s': no variant of the catalog is in a gene (catalog:gene is empty):"
                      " encode the cohort with --genes", l->name);
        goto out;
    }
    gl->groups = G, gl->links = E;
    gl->genes = calloc((size_t)G, sizeof *gl->genes);
    gl->start = calloc((size_t)(G + 1), sizeof *gl->start);
    gl->variant = malloc(sizeof(int64_t) * (size_t)E);
    if (!gl->genes || !gl->start || !gl->variant) goto oom;
    for (int64_t k = 0; k < ids.cap; k++)
        if (ids.keys[k] && !(gl->genes[ids.vals[k]] = strdup(ids.keys[k]))) goto oom;
    if (G > n_genes && !(gl->genes[n_genes] = strdup(""))) goto oom;
    for (int64_t e = 0; e < E; e++) { // counting sort by group: variants stay ascending
        if (lk.grp[e] < 0) lk.grp[e] = n_genes;
        gl->start[lk.grp[e] + 1]++;
    }
    for (int64_t g = 0; g < G; g++) gl->start[g + 1] += gl->start[g];
    if (!(next = malloc(sizeof(int64_t) * (size_t)G))) goto oom;
    memcpy(next, gl->start, sizeof(int64_t) * (size_t)G);
    for (int64_t e = 0; e < E; e++) gl->variant[next[lk.grp[e]]++] = lk.var[e];
    gdl_log_info("gene layer '%s': %s variants in %s genes (%s of them in two or more), %s links",
                 l->name, commas(M - none, b1), commas(n_genes, b2), commas(multi, b3), commas(E, tok));
    if (none)
        gdl_log_info("gene layer '%s': %s of %s variants in no gene, %s", l->name, commas(none, b1),
                     commas(M, b2), drop ? "dropped" : "sharing one unit group");
    ret = 0;
    goto out;
oom:
    gdl_log_error("out of memory");
out:
    gdl_idmap_free(&ids);
    free(lk.var), free(lk.grp), free(next);
    return ret;
}

int gdl_model_genes_make(gdl_model_t *m, const gdl_dataset_t *d)
{
    const gdl_config_t *c = m->config;
    if (alloc_layers(m) < 0) return -1;
    for (int k = 0; k < m->n_gene_layers; k++) {
        const gdl_config_layer_t *l = &c->layers[m->gene_layers[k].layer];
        int from_geno = 0;
        for (int i = 0; i < c->n_inputs; i++)
            from_geno |= !strcmp(c->inputs[i].name, l->inputs) && !strcmp(c->inputs[i].from, "genotypes");
        if (!from_geno || !d->geno) {
            gdl_log_error("%s: layers[%d] (%s): gene_dense reads a genotypes input (\"from\": \"genotypes\")%s",
                          c->path, m->gene_layers[k].layer, l->name, d->geno ? "" : "; the dataset has none");
            return -1;
        }
        if (make_map(&m->gene_layers[k], l, d->geno->gene, d->geno->n_variants) < 0) {
            char why[600];
            snprintf(why, sizeof why, "%s", gdl_last_error());
            gdl_log_error("%s: %s", gdl_file_path(d->file), why);
            return -1;
        }
    }
    return 0;
}

void gdl_model_genes_attrs(const gdl_model_t *m, int i, char *buf, size_t n)
{
    buf[0] = 0;
    for (int k = 0; k < m->n_gene_layers; k++)
        if (m->gene_layers[k].layer == i)
            snprintf(buf, n, "groups=%" PRId64 " links=%" PRId64, m->gene_layers[k].groups,
                     m->gene_layers[k].links);
}

int gdl_model_genes_set(gdl_model_t *m)
{
    for (int k = 0; k < m->n_gene_layers; k++) {
        gdl_gene_layer_t *gl = &m->gene_layers[k];
        if (gdl_nn_gene_map_set(m->g, m->config->layers[gl->layer].name, gl->start, gl->variant) < 0) return -1;
        free(gl->start), free(gl->variant);
        gl->start = gl->variant = NULL;
    }
    return 0;
}

int gdl_model_genes_save(const gdl_model_t *m, gdl_writer_t *w)
{
    char key[160];
    for (int k = 0; k < m->n_gene_layers; k++) {
        const gdl_gene_layer_t *gl = &m->gene_layers[k];
        size_t len = 1;
        for (int64_t g = 0; g < gl->groups; g++) len += strlen(gl->genes[g]) + 1;
        char *s = malloc(len), *p = s;
        if (!s) {
            gdl_log_error("out of memory");
            return -1;
        }
        for (int64_t g = 0; g < gl->groups; g++) p += sprintf(p, g ? ",%s" : "%s", gl->genes[g]);
        snprintf(key, sizeof key, "gdl.genes:%s", m->config->layers[gl->layer].name);
        int r = gdl_writer_set_meta(w, key, s);
        free(s);
        if (r) return -1;
    }
    return 0;
}

int gdl_model_genes_load(gdl_model_t *m, const gdl_file_t *f, const char *path)
{
    char key[160];
    if (alloc_layers(m) < 0) return -1;
    for (int k = 0; k < m->n_gene_layers; k++) {
        gdl_gene_layer_t *gl = &m->gene_layers[k];
        const char *name = m->config->layers[gl->layer].name, *v;
        snprintf(key, sizeof key, "gdl.genes:%s", name);
        if (!(v = gdl_file_meta(f, key))) goto bad;
        gl->groups = 1;
        for (const char *p = v; *p; p++) gl->groups += *p == ',';
        if (!(gl->genes = calloc((size_t)gl->groups, sizeof *gl->genes))) goto oom;
        for (int64_t g = 0; g < gl->groups; g++) {
            size_t len = strcspn(v, ",");
            if (!(gl->genes[g] = strndup(v, len))) goto oom;
            v += len + (v[len] == ',');
        }
        snprintf(key, sizeof key, "state:%s.link_variant", name);
        const gdl_entry_t *e = gdl_file_find(f, key);
        if (!e || e->ndim != 1 || e->numel < 1) goto bad;
        gl->links = (int64_t)e->numel;
    }
    return 0;
bad:
    gdl_log_error("%s: %s missing or malformed (a gene layer's map)", path, key);
    return -1;
oom:
    gdl_log_error("out of memory");
    return -1;
}
