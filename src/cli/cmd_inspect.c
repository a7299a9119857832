/* gdl inspect: what a .gdl dataset or model holds. */
#include <stdio.h>
#include <stdlib.h>

#include "cli.h"
#include "gdl/core.h"
#include "gdl/data.h"
#include "gdl/dataset.h"
#include "gdl/model.h"
#include <inttypes.h>
#include <math.h>

static void usage(FILE *fp)
{
    fprintf(fp, "Usage: gdl inspect [options] FILE.gdl\n\n"
                "Prints the metadata and the tensors (name, dtype, shape, bytes) of a .gdl file, and\n"
                "for a model its training prevalence (each target's fraction of positives, or each\n"
                "class's fraction, among the rows it was fit on).\n\n"
                "Options:\n"
                "  -j, --json          one JSON object instead of the table\n"
                "      --catalog       a dataset's variant catalog as TSV: column, CHROM, POS, ID,\n"
                "                      REF, ALT, AF, gene (column = 0-based genotype column)\n"
                "      --samples       a dataset's example IDs and labels as TSV\n"
                "      --genes         a model's gene layers as TSV, one row per unit: layer, unit\n"
                "                      (the layer's output column), group, gene (. for the group of\n"
                "                      variants in no gene), variants (the gene's inputs)\n" CLI_COMMON_USAGE);
}

static void print_table(const gdl_file_t *f)
{
    printf("file\t%s\nbytes\t%llu\n", gdl_file_path(f), (unsigned long long)gdl_file_size(f));
    for (int i = 0; i < gdl_file_meta_count(f); i++) {
        const char *key = gdl_file_meta_key(f, i);
        printf("meta\t%s\t%s\n", key, gdl_file_meta(f, key));
    }
    printf("#tensor\tname\tdtype\tshape\tbytes\n");
    for (int i = 0; i < gdl_file_count(f); i++) {
        const gdl_entry_t *e = gdl_file_entry(f, i);
        printf("tensor\t%s\t%s\t", e->name, gdl_dtype_name(e->dtype));
        for (int d = 0; d < e->ndim; d++) printf(d ? "x%lld" : "%lld", (long long)e->shape[d]);
        if (e->ndim == 0) printf("scalar");
        printf("\t%llu\n", (unsigned long long)e->nbytes);
    }
}

static int print_catalog(const gdl_dataset_t *d)
{
    const gdl_genotypes_t *g = d->geno;
    if (!g) {
        gdl_log_error("%s: the dataset has no genotype input, so no catalog",
                      gdl_file_path(d->file));
        return -1;
    }
    printf("column\tCHROM\tPOS\tID\tREF\tALT\tAF\tgene\n");
    for (int64_t j = 0; j < g->n_variants; j++) {
        printf("%" PRId64 "\t%s\t%" PRId64 "\t%s\t%s\t%s\t", j, g->chrom[j], g->pos[j], g->id[j],
               g->ref[j], g->alt[j]);
        if (isnan(g->af[j])) printf("NA");
        else printf("%.6g", g->af[j]);
        printf("\t%s\n", *g->gene[j] ? g->gene[j] : ".");
    }
    return 0;
}

static void print_samples(const gdl_dataset_t *d)
{
    printf("id");
    for (int t = 0; t < d->n_targets; t++) printf("\t%s", d->targets[t].name);
    printf("\n");
    for (int64_t i = 0; i < d->n_examples; i++) {
        printf("%s", d->ids[i]);
        for (int t = 0; t < d->n_targets; t++) {
            float v = d->labels[i * d->n_targets + t];
            const gdl_target_t *tg = &d->targets[t];
            if (isnan(v)) printf("\t");
            else if (tg->kind == GDL_TARGET_CATEGORICAL && v >= 0 && v < tg->n_classes)
                printf("\t%s", tg->classes[(int)v]);
            else printf("\t%.7g", v);
        }
        printf("\n");
    }
}

/* --genes: the gene of each unit of a model's gene layers. */
static int inspect_genes(const char *path)
{
    gdl_model_t *m = gdl_model_load_mapped(path);
    if (!m) return cli_runtime_error("inspect");
    if (!m->n_gene_layers) {
        gdl_log_error("%s: the model has no gene layer (gene_dense)", path);
        gdl_model_free(m);
        return cli_runtime_error("inspect");
    }
    printf("layer\tunit\tgroup\tgene\tvariants\n");
    for (int k = 0; k < m->n_gene_layers; k++) {
        const gdl_gene_layer_t *gl = &m->gene_layers[k];
        const char *name = m->config->layers[gl->layer].name;
        int64_t G, E, U = gdl_nn_size(m->g, name) / gl->groups;
        int64_t *start = malloc(sizeof(int64_t) * (size_t)(gl->groups + 1));
        if (!start || gdl_nn_gene_map_get(m->g, name, &G, &E, start) < 0) {
            free(start);
            gdl_model_free(m);
            return cli_runtime_error("inspect");
        }
        for (int64_t g = 0; g < G; g++)
            for (int64_t u = 0; u < U; u++)
                printf("%s\t%" PRId64 "\t%" PRId64 "\t%s\t%" PRId64 "\n", name, g * U + u, g,
                       *gl->genes[g] ? gl->genes[g] : ".", start[g + 1] - start[g]);
        free(start);
    }
    gdl_model_free(m);
    return fflush(stdout) == 0 ? EXIT_OK : EXIT_RUNTIME;
}

/* A model's training prevalence, one line per target (or class): what eval --weights-from weighs by. */
static int print_prevalence(const char *path)
{
    gdl_model_t *m = gdl_model_load_mapped(path);
    if (!m) return -1;
    printf("#train_prevalence\t%s\tfraction\n", m->kind == GDL_TARGET_CATEGORICAL ? "class" : "target");
    for (int k = 0; k < m->n_out; k++)
        printf("train_prevalence\t%s\t%.6g\n", m->kind == GDL_TARGET_CATEGORICAL ? m->classes[k] : m->target_names[k],
               m->train_prevalence[k]);
    gdl_model_free(m);
    return 0;
}

/* --catalog / --samples: views of a dataset. */
static int inspect_dataset(const char *path, int catalog, int samples)
{
    gdl_dataset_t *d = gdl_dataset_open(path);
    if (!d) return cli_runtime_error("inspect");
    int ret = 0;
    if (catalog) ret = print_catalog(d);
    if (ret == 0 && samples) print_samples(d);
    gdl_dataset_close(d);
    if (ret) return cli_runtime_error("inspect");
    return fflush(stdout) == 0 ? EXIT_OK : EXIT_RUNTIME;
}

int gdl_cmd_inspect(int argc, char *argv[])
{
    static const struct option longopts[] = {{"json", no_argument, NULL, 'j'},
                                             {"catalog", no_argument, NULL, 'C'},
                                             {"samples", no_argument, NULL, 'N'},
                                             {"genes", no_argument, NULL, 'G'},
                                             CLI_COMMON_LONGOPTS, {NULL, 0, NULL, 0}};
    int c, json = 0, r, catalog = 0, samples = 0, genes = 0;
    while ((c = getopt_long(argc, argv, "j" CLI_COMMON_SHORTOPTS, longopts, NULL)) >= 0) {
        if (c == 'h') {
            usage(stdout);
            return EXIT_OK;
        }
        if (c == 'j') json = 1;
        else if (c == 'C') catalog = 1;
        else if (c == 'N') samples = 1;
        else if (c == 'G') genes = 1;
        else if ((r = cli_common_option("inspect", c, optarg)) < 0) return EXIT_USAGE;
        else if (r == 0) return cli_usage_error("inspect", usage, NULL);
    }
    if (argc - optind != 1)
        return cli_usage_error("inspect", usage, "expected one FILE.gdl, got %d", argc - optind);
    if (genes) {
        if (json || catalog || samples)
            return cli_usage_error("inspect", usage, "--genes goes alone (a model, not a dataset)");
        return inspect_genes(argv[optind]);
    }
    if (catalog || samples) {
        if (json) return cli_usage_error("inspect", usage, "--json goes without --catalog/--samples");
        if (catalog && samples) return cli_usage_error("inspect", usage, "give --catalog or --samples, not both");
        return inspect_dataset(argv[optind], catalog, samples);
    }
    gdl_file_t *f = gdl_file_open(argv[optind]);
    if (!f) return cli_runtime_error("inspect");
    if (json) {
        char *s = gdl_file_describe_json(f);
        if (!s) {
            gdl_file_close(f);
            return cli_runtime_error("inspect");
        }
        printf("%s\n", s);
        free(s);
    } else {
        print_table(f);
        if (gdl_file_find(f, "train:prevalence") && print_prevalence(argv[optind]) != 0) {
            gdl_file_close(f);
            return cli_runtime_error("inspect");
        }
    }
    gdl_file_close(f);
    return fflush(stdout) == 0 ? EXIT_OK : EXIT_RUNTIME;
}
