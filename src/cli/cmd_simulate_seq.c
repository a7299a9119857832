/* gdl simulate sequences: random sequences with planted motifs, labels and truth. */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "gdl/core.h"
#include "gdl/sequence.h"

static void usage(FILE *fp)
{
    fprintf(fp, "Usage: gdl simulate sequences [options] -o PREFIX --motif ACGT... [--motif ...]\n\n"
                "Random sequences (background of GC content --gc) in which each motif is planted at\n"
                "a random position in a random --fraction of them; one binary target per motif.\n"
                "Writes PREFIX.fa, PREFIX.labels.tsv (id, motif_1, ...) and PREFIX.truth.tsv (id,\n"
                "target, motif, 1-based start and end of each planted copy). No sequence holds a\n"
                "copy of a motif other than the planted ones.\n\n"
                "Options:\n"
                "  -o, --output PREFIX   output prefix, required\n"
                "  -n, --n INT           number of sequences [1000]\n"
                "  -L, --length INT      bases per sequence [200]\n"
                "  -m, --motif SEQ       a motif (A, C, G, T), one target each; repeatable (up to %d)\n"
                "      --fraction F      probability that a sequence carries a given motif [0.5]\n"
                "      --gc F            GC content of the background [0.5]\n"
                "  -s, --seed INT        random seed; same seed, same files [1]\n" CLI_COMMON_USAGE,
            GDL_DATASET_MAX_TARGETS);
}

int gdl_cmd_simulate_sequences(int argc, char *argv[])
{
    enum { OPT_FRACTION = 256, OPT_GC };
    static const struct option longopts[] = {
        {"output", required_argument, NULL, 'o'}, {"n", required_argument, NULL, 'n'},
        {"length", required_argument, NULL, 'L'}, {"motif", required_argument, NULL, 'm'},
        {"fraction", required_argument, NULL, OPT_FRACTION}, {"gc", required_argument, NULL, OPT_GC},
        {"seed", required_argument, NULL, 's'}, CLI_COMMON_LONGOPTS, {NULL, 0, NULL, 0}};
    const char *cmd = "simulate sequences", *motifs[GDL_DATASET_MAX_TARGETS];
    gdl_simulate_seq_opts_t o = {.n = 1000, .length = 200, .fraction = 0.5, .gc = 0.5, .seed = 1,
                                 .motifs = motifs};
    int c, r;
    long v;
    double x;
    optind = 1;
    while ((c = getopt_long(argc, argv, "o:n:L:m:s:" CLI_COMMON_SHORTOPTS, longopts, NULL)) >= 0) {
        switch (c) {
        case 'h': usage(stdout); return EXIT_OK;
        case 'o': o.prefix = optarg; break;
        case 'm':
            if (o.n_motifs == GDL_DATASET_MAX_TARGETS)
                return cli_usage_error(cmd, usage, "at most %d motifs", GDL_DATASET_MAX_TARGETS);
            if (!*optarg || optarg[strspn(optarg, "ACGTacgt")])
                return cli_usage_error(cmd, usage, "--motif: '%s' is not a sequence of A, C, G, T", optarg);
            motifs[o.n_motifs++] = optarg;
            break;
        case 'n': case 'L': case 's':
            if (cli_parse_long(optarg, &v) || v < (c == 's' ? 0 : 1) || v > (1L << 30))
                return cli_usage_error(cmd, usage, "-%c: expected a %s integer, got '%s'", c,
                                       c == 's' ? "non-negative" : "positive", optarg);
            if (c == 'n') o.n = v;
            else if (c == 'L') o.length = v;
            else o.seed = (uint64_t)v;
            break;
        case OPT_FRACTION: case OPT_GC:
            if (cli_parse_double(optarg, &x) || x < 0 || x > 1 || (c == OPT_GC && (x == 0 || x == 1)))
                return cli_usage_error(cmd, usage, "--%s: expected a number in %s, got '%s'",
                                       c == OPT_GC ? "gc" : "fraction", c == OPT_GC ? "(0, 1)" : "[0, 1]", optarg);
            if (c == OPT_GC) o.gc = x;
            else o.fraction = x;
            break;
        default:
            if ((r = cli_common_option(cmd, c, optarg)) < 0) return EXIT_USAGE;
            if (r == 0) return cli_usage_error(cmd, usage, NULL);
        }
    }
    if (!o.prefix) return cli_usage_error(cmd, usage, "-o/--output is required");
    if (!o.n_motifs) return cli_usage_error(cmd, usage, "at least one --motif is required");
    if (optind != argc) return cli_usage_error(cmd, usage, "unexpected argument '%s'", argv[optind]);
    return gdl_simulate_sequences(&o) ? cli_runtime_error(cmd) : EXIT_OK;
}
