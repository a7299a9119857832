/* gdl epistasis: every pair of a cohort's variants tested for interaction. */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "gdl/epistasis.h"

static void usage(FILE *fp)
{
    fprintf(fp,
            "Usage: gdl epistasis -d DATA.gdl -o PAIRS.tsv [options]\n"
            "       gdl epistasis --merge -o PAIRS.tsv PART.tsv...\n\n"
            "Tests every pair of the dataset's variants for interaction. On a case/control target,\n"
            "BOOST's likelihood-ratio test (the log-linear model of the 3 x 3 x 2 genotype table\n"
            "with and without its three-way term; chi-square with up to 4 df), the test of plink\n"
            "1.9's --fast-epistasis boost: a closed-form bound (the Kirkwood superposition\n"
            "approximation) screens the pairs first, and only those whose bound reaches --screen\n"
            "are fitted. On a quantitative target, the linear test of plink 1.9's --epistasis:\n"
            "y = b0 + b1 a + b2 b + b3 a b on dosages, (b3 / se)^2, chi-square with 1 df, every\n"
            "pair fitted. Pairs are counted on bit planes of the packed genotypes, over the threads;\n"
            "memory is the planes (N x M x 3 / 8 bytes) and the --top pairs, whatever the number of\n"
            "pairs. Writes the best pairs (the pairs table of gdl attribute with the statistic,\n"
            "p-values and the 3 x 3 genotype counts, in cases and controls; columns: gdl.1).\n\n"
            "Options:\n"
            "  -d, --data FILE     dataset with genotypes and a binary target (gdl encode)\n"
            "  -o, --output FILE   pairs table, '-' = stdout (required)\n"
            "  --target NAME       binary or quantitative target to test [the first binary one,\n"
            "                      else the first quantitative one]\n"
            "  --top K             pairs reported, best first [1000]\n"
            "  --pvalue P          report only pairs with p <= P [1]\n"
            "  --screen P          case/control: fit only pairs whose bound has p <= P; 1 fits\n"
            "                      every pair (plink's --epi1 for boost) [5e-6]\n"
            "  --keep FILE         scan only the variants listed, one ID (or CHROM:POS:REF:ALT\n"
            "                      when the ID is '.') a line\n"
            "  --between A,B       only pairs of a variant listed in file A and one in file B\n"
            "                      (lists as --keep; also --between A B)\n"
            "  --within-genes      only pairs that share a gene (the dataset's catalog genes)\n"
            "  --window BP         only pairs on one chromosome at most BP apart (cis pairs)\n"
            "  --part I/N          this run's share of the pairs, 1 <= I <= N, for Slurm arrays;\n"
            "                      --merge of the N tables gives the single run's table\n"
            "  --merge             merge the tables of a run's parts (given as arguments)\n"
            "  --level L           variant: pairs of variants; gene: pairs of genes (catalog genes),\n"
            "                      each from its variant pairs with p <= --screen, best first\n"
            "                      (every variant, one part) [variant]\n"
            "  --null N            gene level: an empirical p-value per gene pair from N pairs of\n"
            "                      variant sets drawn like the two genes (size, allele frequency) [0]\n"
            "  --seed S            seed of the null sets [1]\n" CLI_COMMON_USAGE);
}

int gdl_cmd_epistasis(int argc, char *argv[])
{
    enum { OPT_TARGET = 1000, OPT_TOP, OPT_PVALUE, OPT_SCREEN, OPT_KEEP, OPT_WINDOW, OPT_PART, OPT_MERGE, OPT_BETWEEN, OPT_WITHIN, OPT_LEVEL, OPT_NULL, OPT_SEED };
    static const struct option longopts[] = {
        {"data", required_argument, NULL, 'd'}, {"output", required_argument, NULL, 'o'},
        {"target", required_argument, NULL, OPT_TARGET}, {"top", required_argument, NULL, OPT_TOP},
        {"pvalue", required_argument, NULL, OPT_PVALUE}, {"screen", required_argument, NULL, OPT_SCREEN},
        {"keep", required_argument, NULL, OPT_KEEP}, {"window", required_argument, NULL, OPT_WINDOW},
        {"part", required_argument, NULL, OPT_PART}, {"merge", no_argument, NULL, OPT_MERGE},
        {"between", required_argument, NULL, OPT_BETWEEN}, {"within-genes", no_argument, NULL, OPT_WITHIN},
        {"level", required_argument, NULL, OPT_LEVEL}, {"null", required_argument, NULL, OPT_NULL},
        {"seed", required_argument, NULL, OPT_SEED},
        CLI_COMMON_LONGOPTS, {NULL, 0, NULL, 0}};
    gdl_epistasis_opts_t o = {.top = 1000, .pvalue = 1, .screen = 5e-6, .part = 1, .parts = 1, .seed = 1};
    int c, r, merge = 0;
    long n;
    double x;
    while ((c = getopt_long(argc, argv, "d:o:" CLI_COMMON_SHORTOPTS, longopts, NULL)) >= 0) {
        switch (c) {
        case 'h': usage(stdout); return EXIT_OK;
        case 'd': o.data_path = optarg; continue;
        case 'o': o.out_path = optarg; continue;
        case OPT_TARGET: o.target = optarg; continue;
        case OPT_KEEP: o.keep_path = optarg; continue;
        case OPT_MERGE: merge = 1; continue;
        case OPT_WITHIN: o.within_genes = 1; continue;
        case OPT_LEVEL:
            if (strcmp(optarg, "variant") && strcmp(optarg, "gene"))
                return cli_usage_error("epistasis", usage, "--level: expected variant or gene, got '%s'", optarg);
            o.level_gene = !strcmp(optarg, "gene");
            continue;
        case OPT_NULL:
        case OPT_SEED:
            if (cli_parse_long(optarg, &n) || n < 0 || (c == OPT_NULL && n > 1000000))
                return cli_usage_error("epistasis", usage, "--%s: expected a count >= 0, got '%s'",
                                       c == OPT_NULL ? "null" : "seed", optarg);
            if (c == OPT_NULL) o.null_sets = (int)n;
            else o.seed = (uint64_t)n;
            continue;
        case OPT_BETWEEN: { // --between A,B or --between A B
            char *comma = strchr(optarg, ',');
            if (!comma && optind < argc && argv[optind][0] != '-') {
                o.between_a = optarg, o.between_b = argv[optind++];
                continue;
            }
            if (!comma || comma == optarg || !comma[1] || strchr(comma + 1, ','))
                return cli_usage_error("epistasis", usage, "--between: expected A,B or A B (two list files), got '%s'", optarg);
            *comma = 0;
            o.between_a = optarg, o.between_b = comma + 1;
            continue;
        }
        case OPT_TOP:
            if (cli_parse_long(optarg, &n) || n < 1 || n > 100000000)
                return cli_usage_error("epistasis", usage, "--top: expected a count >= 1, got '%s'", optarg);
            o.top = n;
            continue;
        case OPT_WINDOW:
            if (cli_parse_long(optarg, &n) || n < 1)
                return cli_usage_error("epistasis", usage, "--window: expected a distance >= 1 bp, got '%s'", optarg);
            o.window = n;
            continue;
        case OPT_PVALUE:
        case OPT_SCREEN:
            if (cli_parse_double(optarg, &x) || !(x > 0 && x <= 1))
                return cli_usage_error("epistasis", usage, "--%s: expected a p-value in (0, 1], got '%s'",
                                       c == OPT_PVALUE ? "pvalue" : "screen", optarg);
            if (c == OPT_PVALUE) o.pvalue = x;
            else o.screen = x;
            continue;
        case OPT_PART: {
            int i, k, used = 0;
            if (sscanf(optarg, "%d/%d%n", &i, &k, &used) != 2 || optarg[used] || k < 1 || i < 1 || i > k)
                return cli_usage_error("epistasis", usage, "--part: expected I/N with 1 <= I <= N, got '%s'", optarg);
            o.part = i, o.parts = k;
            continue;
        }
        }
        if ((r = cli_common_option("epistasis", c, optarg)) < 0) return EXIT_USAGE;
        if (r == 0) return cli_usage_error("epistasis", usage, NULL);
    }
    if (!o.out_path) return cli_usage_error("epistasis", usage, "-o FILE is required");
    if (merge) {
        if (o.data_path) return cli_usage_error("epistasis", usage, "--merge takes the part tables, not -d");
        if (optind >= argc) return cli_usage_error("epistasis", usage, "--merge: no part tables given");
        if (gdl_epistasis_merge((const char *const *)argv + optind, argc - optind, o.out_path) != 0)
            return cli_runtime_error("epistasis");
        return EXIT_OK;
    }
    if (optind < argc) return cli_usage_error("epistasis", usage, "unexpected argument '%s'", argv[optind]);
    if (!o.data_path) return cli_usage_error("epistasis", usage, "-d DATA.gdl is required");
    if (o.level_gene && (o.keep_path || o.between_a || o.window > 0 || o.parts > 1))
        return cli_usage_error("epistasis", usage, "--level gene scans every variant in one part (no --keep, --between, --window, --part)");
    if (o.null_sets && !o.level_gene) return cli_usage_error("epistasis", usage, "--null is for --level gene");
    if (gdl_epistasis(&o) != 0) return cli_runtime_error("epistasis");
    return EXIT_OK;
}
