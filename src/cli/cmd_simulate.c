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
            "calls missing. The same seed gives the same files. The trait is a liability: the\n"
            "planted effects plus noise; disease marks its top --case-frac.\n\n"
            "Options:\n"
            "  -o, --output PREFIX   output prefix (required)\n"
            "  -n, --samples N       samples [500]\n"
            "  -m, --variants M      variants [2000]\n"
            "  -k, --causal K        additive causal variants [10]\n"
            "  -p, --pairs P         interacting pairs [2]\n"
            "  -s, --seed S          random seed [1]\n"
            "  --ld RHO              linkage disequilibrium: each haplotype's latent Gaussian is\n"
            "                        an AR(1) along the variants with correlation RHO in [0, 1),\n"
            "                        ALT where it is below Phi^-1(AF); 0 = independent variants [0]\n"
            "  --ld-block N          the AR(1) restarts every N variants (and per chromosome) [50]\n"
            "  --case-frac F         disease = the top F of the liability, 0 < F < 1 [0.5]\n"
            "  --causal-maf LO,HI    ALT frequency range of the additive variants [0.05,0.5]\n"
            "  --pair-maf LO,HI      ALT frequency range of the pair members [0.2,0.5; xor 0.27,0.32]\n"
            "  --effects fixed|normal  additive effects: fixed = |beta| in [0.3, 0.8], random sign;\n"
            "                        normal = beta ~ N(0, 1) rescaled to the same total variance [fixed]\n"
            "  --h2 H                planted share of the liability's variance, 0 < H <= 1 [0.5]\n"
            "  --pair-kind product|xor  a pair adds z_a * z_b (product), or gamma * XOR of the\n"
            "                        members' carrier status (dosage >= 1), gamma = 1 / sd(XOR) [product]\n" CLI_COMMON_USAGE);
}

/* "LO,HI" with 0 <= LO <= HI <= 1 */
static int parse_range(const char *arg, double out[2])
{
    char buf[128];
    const char *comma = strchr(arg, ',');
    if (!comma || (size_t)(comma - arg) >= sizeof buf) return -1;
    memcpy(buf, arg, comma - arg);
    buf[comma - arg] = 0;
    if (cli_parse_double(buf, &out[0]) || cli_parse_double(comma + 1, &out[1])) return -1;
    return out[0] >= 0 && out[0] <= out[1] && out[1] <= 1 && out[1] > 0 ? 0 : -1;
}

int gdl_cmd_simulate(int argc, char *argv[])
{
    static const struct option longopts[] = {
        {"output", required_argument, NULL, 'o'}, {"samples", required_argument, NULL, 'n'},
        {"variants", required_argument, NULL, 'm'}, {"causal", required_argument, NULL, 'k'},
        {"pairs", required_argument, NULL, 'p'}, {"seed", required_argument, NULL, 's'},
        {"ld", required_argument, NULL, 1000}, {"ld-block", required_argument, NULL, 1001},
        {"case-frac", required_argument, NULL, 1002}, {"causal-maf", required_argument, NULL, 1003},
        {"pair-maf", required_argument, NULL, 1004}, {"effects", required_argument, NULL, 1005},
        {"h2", required_argument, NULL, 1006}, {"pair-kind", required_argument, NULL, 1007},
        CLI_COMMON_LONGOPTS, {NULL, 0, NULL, 0}};
    gdl_simulate_geno_opts_t o = {.samples = 500, .variants = 2000, .causal = 10, .pairs = 2, .seed = 1};
    int c, r;
    long n;
    double x;
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
        switch (c) {
        case 1000:
            if (cli_parse_double(optarg, &x) || !(x >= 0 && x < 1))
                return cli_usage_error("simulate", usage, "--ld: expected a correlation in [0, 1), got '%s'", optarg);
            o.ld = x;
            continue;
        case 1001:
            if (cli_parse_long(optarg, &n) || n < 1)
                return cli_usage_error("simulate", usage, "--ld-block: expected a count >= 1, got '%s'", optarg);
            o.ld_block = n;
            continue;
        case 1002:
            if (cli_parse_double(optarg, &x) || !(x > 0 && x < 1))
                return cli_usage_error("simulate", usage, "--case-frac: expected a fraction in (0, 1), got '%s'", optarg);
            o.case_frac = x;
            continue;
        case 1003:
        case 1004:
            if (parse_range(optarg, c == 1003 ? o.causal_maf : o.pair_maf))
                return cli_usage_error("simulate", usage, "--%s: expected LO,HI with 0 <= LO <= HI <= 1 and HI > 0, got '%s'",
                                       c == 1003 ? "causal-maf" : "pair-maf", optarg);
            continue;
        case 1005:
            if (strcmp(optarg, "fixed") == 0) o.effects = GDL_SIM_EFFECTS_FIXED;
            else if (strcmp(optarg, "normal") == 0) o.effects = GDL_SIM_EFFECTS_NORMAL;
            else return cli_usage_error("simulate", usage, "--effects: expected fixed or normal, got '%s'", optarg);
            continue;
        case 1006:
            if (cli_parse_double(optarg, &x) || !(x > 0 && x <= 1))
                return cli_usage_error("simulate", usage, "--h2: expected a share in (0, 1], got '%s'", optarg);
            o.h2 = x;
            continue;
        case 1007:
            if (strcmp(optarg, "product") == 0) o.pair_kind = GDL_SIM_PAIR_PRODUCT;
            else if (strcmp(optarg, "xor") == 0) o.pair_kind = GDL_SIM_PAIR_XOR;
            else return cli_usage_error("simulate", usage, "--pair-kind: expected product or xor, got '%s'", optarg);
            continue;
        }
        if (c > 0 && c < 256 && strchr("nmkps", c)) {
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
