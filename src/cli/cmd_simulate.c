/* gdl simulate: datasets with planted truth. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "gdl/core.h"
#include "gdl/genome.h"

static void usage(FILE *fp)
{
    fprintf(fp,
            "Usage: gdl simulate genotypes -o PREFIX [options]\n"
            "       gdl simulate sequences -o PREFIX --motif SEQ [options] (see its --help)\n\n"
            "Writes a cohort with planted truth: PREFIX.vcf.gz (+ .tbi; INFO/GENE names the gene),\n"
            "PREFIX.pheno.tsv (id, disease 0/1, trait), PREFIX.genes.bed and PREFIX.truth.tsv\n"
            "(additive variants with effect sizes; interacting pairs with no marginal effect).\n"
            "ALT frequencies follow Beta(0.35, 2.5); genotypes are in Hardy-Weinberg, 0.2%% of\n"
            "calls missing. The same seed gives the same files.\n\n"
            "Options:\n"
            "  -o, --output PREFIX   output prefix (required)\n"
            "  -n, --samples N       samples [500]\n"
            "  -m, --variants M      variants [2000]\n"
            "  -k, --causal K        additive causal variants [10]\n"
            "  -p, --pairs P         interacting pairs [2]\n"
            "  -s, --seed S          random seed [1]\n" CLI_COMMON_USAGE);
}

int gdl_cmd_simulate(int argc, char *argv[])
{
    static const struct option longopts[] = {
        {"output", required_argument, NULL, 'o'}, {"samples", required_argument, NULL, 'n'},
        {"variants", required_argument, NULL, 'm'}, {"causal", required_argument, NULL, 'k'},
        {"pairs", required_argument, NULL, 'p'}, {"seed", required_argument, NULL, 's'},
        CLI_COMMON_LONGOPTS, {NULL, 0, NULL, 0}};
    gdl_simulate_geno_opts_t o = {.samples = 500, .variants = 2000, .causal = 10, .pairs = 2, .seed = 1};
    int c, r;
    long n;
    if (argc >= 2 && strcmp(argv[1], "sequences") == 0) return gdl_cmd_simulate_sequences(argc - 1, argv + 1);
    while ((c = getopt_long(argc, argv, "o:n:m:k:p:s:" CLI_COMMON_SHORTOPTS, longopts, NULL)) >= 0) {
        if (c == 'h') {
            usage(stdout);
            return EXIT_OK;
        }
        if (c == 'o') {
            o.prefix = optarg;
            continue;
        }
        if (strchr("nmkps", c) && c) {
            if (cli_parse_long(optarg, &n) || n < 0 || (c != 's' && n > 100000000))
                return cli_usage_error("simulate", usage, "-%c: expected a count, got '%s'", c, optarg);
            if (c == 'n') o.samples = n;
            else if (c == 'm') o.variants = n;
            else if (c == 'k') o.causal = (int)n;
            else if (c == 'p') o.pairs = (int)n;
            else o.seed = (uint64_t)n;
            continue;
        }
        if ((r = cli_common_option("simulate", c, optarg)) < 0) return EXIT_USAGE;
        if (r == 0) return cli_usage_error("simulate", usage, NULL);
    }
    if (argc - optind != 1 || strcmp(argv[optind], "genotypes") != 0)
        return cli_usage_error("simulate", usage, "expected 'genotypes' or 'sequences' (first)");
    if (!o.prefix) return cli_usage_error("simulate", usage, "-o PREFIX is required");
    if (o.samples < 1 || o.variants < 1 || o.causal + 2 * (int64_t)o.pairs > o.variants)
        return cli_usage_error("simulate", usage, "need samples, variants >= 1 and causal + 2 x pairs <= variants");
    if (gdl_simulate_genotypes(&o) != 0) return cli_runtime_error("simulate");
    return EXIT_OK;
}
