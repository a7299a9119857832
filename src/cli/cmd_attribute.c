/* gdl attribute: which variants, genes, variant pairs or bases drive a model's output. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "gdl/attr.h"
#include "gdl/core.h"

static void usage(FILE *fp)
{
    fprintf(fp,
        "Usage: gdl attribute -m MODEL.gdl -d DATA.gdl --method M -o OUT [options]\n\n"
        "Attributes one output of a model to its input. The score attributed is the output's\n"
        "logit (before sigmoid or softmax; the value for regression) for --target and --class.\n"
        "Genotype models: OUT is a variant table (rank, variant, chrom, pos, gene, score,\n"
        "importance, af), a gene table (--level gene) or a pair table (--pairs K). Sequence and\n"
        "numeric inputs: OUT is a .npy of N x C x L attributions (C = 4 bases A,C,G,T, or the\n"
        "numeric input's channels).\n\n"
        "Options:\n"
        "  -m, --model FILE        a model made by gdl train\n"
        "  -d, --data FILE         dataset with the model's inputs (and variants)\n"
        "  -o, --output FILE       the table or .npy, - for stdout [-]\n"
        "      --method M          saliency (|gradient|), gradxinput (gradient x input), ig\n"
        "                          (integrated gradients), ism (in-silico mutation: each base to\n"
        "                          the 3 others; each variant toggled 0 <-> carrier), trace\n"
        "                          (LRP-epsilon relevance through the layers' weights, recurrent,\n"
        "                          attention and gene layers included), occlusion (sequence and\n"
        "                          numeric inputs: f(x) - f(x with a window hidden), see below;\n"
        "                          like ism it needs no gradient, so k-mer models work too)\n"
        "                          [gradxinput]\n"
        "      --target NAME       target to attribute [the only one]\n"
        "      --class C           class name or index of a categorical target\n"
        "      --input NAME        graph input to attribute [the only one]\n"
        "      --cases             only examples labelled 1 for the target\n"
        "      --ids FILE          only these examples (one ID per line)\n"
        "      --min-overlap FRAC  a cohort whose variants differ from the model's is aligned to\n"
        "                          them by CHROM:POS:REF:ALT (absent ones get the training mean\n"
        "                          and are left out of the tables, extra ones are ignored) when\n"
        "                          at least FRAC of the model's variants are in it; 1: every one [0.9]\n"
        "      --batch INT         examples per forward pass (bounds memory) [64]\n"
        "      --steps INT         ig: interpolation steps [50]\n"
        "      --baseline B        ig: zero, mean (of the selected examples) or shuffle\n"
        "                          (dinucleotide-shuffled sequence); occlusion of numeric\n"
        "                          inputs: zero or mean, the value a hidden window takes [zero]\n"
        "      --epsilon FLOAT     trace: LRP stabiliser [1e-06]\n"
        "  -s, --seed INT          backgrounds, shuffles, null sets and occluding bases [1]\n"
        "Occlusion (sequence and numeric inputs):\n"
        "      --window W          positions hidden at once; every window of W inside the input\n"
        "                          (stride 1), a position scoring the mean change of the windows\n"
        "                          covering it: a sequence's on its base's channel (the bases\n"
        "                          replaced by random ones), a numeric channel's on its own (each\n"
        "                          channel hidden alone, C x (L - W + 1) passes per example) [5]\n"
        "      --draws N           sequences: random windows averaged per position [1]\n"
        "Genotype models:\n"
        "      --level L           variant or gene [variant]\n"
        "      --signed            signed mean attribution over samples [mean |attribution|]\n"
        "      --gene-agg A        gene score from its variants: max, sum or mean [max]\n"
        "      --null N            gene p-values against N random variant sets of the same size\n"
        "                          and frequency range, with BH q-values [0 = off]\n"
        "      --pairs K           write the interaction table of the top K variants instead:\n"
        "                          f(a,b) - f(a) - f(b) + f(none) over backgrounds [0 = off]\n"
        "      --backgrounds N     samples used by ism and --pairs [100]\n"
        "      --assoc             add a single-marker allelic chi-square p-value column\n"
        "Sequence and numeric inputs:\n"
        "      --profile PREFIX    PREFIX.tsv (pos, one column per channel, total) and PREFIX.svg\n"
        "                          (total by position over a channel x position heatmap): mean\n"
        "                          |attribution| over the selected examples\n"
        "  with --ids:\n"
        "      --tsv FILE          per-position table: id, pos, base, one column per channel (A,\n"
        "                          C, G, T or the input's channel names, else c0, c1 ...), score\n"
        "      --svg PREFIX        PREFIX.ID.svg per example: a sequence's attribution logo and\n"
        "                          ISM heatmap, or a numeric input's values and attribution as\n"
        "                          channel x position heatmaps\n"
        CLI_COMMON_USAGE);
}

enum {
    OPT_METHOD = 1000, OPT_TARGET, OPT_CLASS, OPT_INPUT, OPT_CASES, OPT_IDS, OPT_BATCH, OPT_STEPS,
    OPT_BASELINE, OPT_EPSILON, OPT_LEVEL, OPT_SIGNED, OPT_GENE_AGG, OPT_NULL, OPT_PAIRS,
    OPT_BACKGROUNDS, OPT_ASSOC, OPT_TSV, OPT_SVG, OPT_MIN_OVERLAP, OPT_WINDOW, OPT_DRAWS,
    OPT_PROFILE
};

static int positive(const char *opt, const char *arg, long max, long *v)
{
    if (cli_parse_long(arg, v) || *v < 0 || *v > max) {
        cli_usage_error("attribute", usage, "%s: expected an integer 0..%ld, got '%s'", opt, max, arg);
        return -1;
    }
    return 0;
}

int gdl_cmd_attribute(int argc, char *argv[])
{
    static const struct option longopts[] = {
        {"model", required_argument, NULL, 'm'}, {"data", required_argument, NULL, 'd'},
        {"output", required_argument, NULL, 'o'}, {"method", required_argument, NULL, OPT_METHOD},
        {"target", required_argument, NULL, OPT_TARGET}, {"class", required_argument, NULL, OPT_CLASS},
        {"input", required_argument, NULL, OPT_INPUT}, {"cases", no_argument, NULL, OPT_CASES},
        {"ids", required_argument, NULL, OPT_IDS}, {"batch", required_argument, NULL, OPT_BATCH},
        {"steps", required_argument, NULL, OPT_STEPS}, {"baseline", required_argument, NULL, OPT_BASELINE},
        {"epsilon", required_argument, NULL, OPT_EPSILON}, {"seed", required_argument, NULL, 's'},
        {"level", required_argument, NULL, OPT_LEVEL}, {"signed", no_argument, NULL, OPT_SIGNED},
        {"gene-agg", required_argument, NULL, OPT_GENE_AGG}, {"null", required_argument, NULL, OPT_NULL},
        {"pairs", required_argument, NULL, OPT_PAIRS}, {"backgrounds", required_argument, NULL, OPT_BACKGROUNDS},
        {"assoc", no_argument, NULL, OPT_ASSOC}, {"tsv", required_argument, NULL, OPT_TSV},
        {"svg", required_argument, NULL, OPT_SVG}, {"min-overlap", required_argument, NULL, OPT_MIN_OVERLAP},
        {"window", required_argument, NULL, OPT_WINDOW}, {"draws", required_argument, NULL, OPT_DRAWS},
        {"profile", required_argument, NULL, OPT_PROFILE},
        CLI_COMMON_LONGOPTS, {NULL, 0, NULL, 0}};
    gdl_attribute_opts_t o = {.out_path = "-", .method = GDL_ATTR_GRADXINPUT, .backgrounds = 100,
                              .min_overlap = GDL_MIN_OVERLAP, .spec = {.batch = 64, .steps = 50, .epsilon = 1e-6, .seed = 1, .window = 5, .draws = 1}};
    int occlusion_opts = 0;
    long v;
    double x;
    int c, r;
    gdl_log_set_level(GDL_LOG_INFO); // progress by default, as gdl train; -q for errors only
    while ((c = getopt_long(argc, argv, "m:d:o:s:" CLI_COMMON_SHORTOPTS, longopts, NULL)) >= 0) {
        switch (c) {
        case 'h': usage(stdout); return EXIT_OK;
        case 'm': o.model_path = optarg; break;
        case 'd': o.data_path = optarg; break;
        case 'o': o.out_path = optarg; break;
        case OPT_METHOD:
            if ((r = gdl_attr_method_find(optarg)) < 0)
                return cli_usage_error("attribute", usage, "--method: unknown method '%s'", optarg);
            o.method = r;
            break;
        case OPT_TARGET: o.spec.target = optarg; break;
        case OPT_CLASS: o.spec.cls = optarg; break;
        case OPT_INPUT: o.spec.input = optarg; break;
        case OPT_CASES: o.cases = 1; break;
        case OPT_IDS: o.ids_path = optarg; break;
        case OPT_BATCH:
            if (positive("--batch", optarg, 1 << 20, &v) || v < 1)
                return v < 1 ? cli_usage_error("attribute", usage, "--batch: must be at least 1") : EXIT_USAGE;
            o.spec.batch = v;
            break;
        case OPT_STEPS:
            if (positive("--steps", optarg, 100000, &v) || v < 1)
                return v < 1 ? cli_usage_error("attribute", usage, "--steps: must be at least 1") : EXIT_USAGE;
            o.spec.steps = (int)v;
            break;
        case OPT_BASELINE:
            if ((r = gdl_attr_baseline_find(optarg)) < 0)
                return cli_usage_error("attribute", usage, "--baseline: expected zero, mean or shuffle, got '%s'", optarg);
            o.spec.baseline = r;
            break;
        case OPT_EPSILON:
            if (cli_parse_double(optarg, &x) || !(x > 0))
                return cli_usage_error("attribute", usage, "--epsilon: expected a positive number, got '%s'", optarg);
            o.spec.epsilon = x;
            break;
        case 's':
            if (cli_parse_long(optarg, &v) || v < 0)
                return cli_usage_error("attribute", usage, "--seed: expected a non-negative integer, got '%s'", optarg);
            o.spec.seed = (uint64_t)v;
            break;
        case OPT_LEVEL:
            if (strcmp(optarg, "variant") && strcmp(optarg, "gene"))
                return cli_usage_error("attribute", usage, "--level: expected variant or gene, got '%s'", optarg);
            o.level = strcmp(optarg, "gene") ? GDL_LEVEL_VARIANT : GDL_LEVEL_GENE;
            break;
        case OPT_SIGNED: o.signed_mean = 1; break;
        case OPT_GENE_AGG:
            if ((r = gdl_gene_agg_find(optarg)) < 0)
                return cli_usage_error("attribute", usage, "--gene-agg: expected max, sum or mean, got '%s'", optarg);
            o.gene_agg = r;
            break;
        case OPT_NULL:
            if (positive("--null", optarg, 10000000, &v)) return EXIT_USAGE;
            o.null_sets = (int)v;
            break;
        case OPT_PAIRS:
            if (positive("--pairs", optarg, 2000, &v)) return EXIT_USAGE;
            o.pairs = (int)v;
            break;
        case OPT_BACKGROUNDS:
            if (positive("--backgrounds", optarg, 1 << 30, &v) || v < 1)
                return v < 1 ? cli_usage_error("attribute", usage, "--backgrounds: must be at least 1") : EXIT_USAGE;
            o.backgrounds = (int)v;
            break;
        case OPT_ASSOC: o.assoc = 1; break;
        case OPT_TSV: o.tsv_path = optarg; break;
        case OPT_SVG: o.svg_prefix = optarg; break;
        case OPT_PROFILE: o.profile_prefix = optarg; break;
        case OPT_WINDOW:
            if (positive("--window", optarg, 1 << 30, &v) || v < 1)
                return v < 1 ? cli_usage_error("attribute", usage, "--window: must be at least 1") : EXIT_USAGE;
            o.spec.window = v, occlusion_opts = 1;
            break;
        case OPT_DRAWS:
            if (positive("--draws", optarg, 1 << 20, &v) || v < 1)
                return v < 1 ? cli_usage_error("attribute", usage, "--draws: must be at least 1") : EXIT_USAGE;
            o.spec.draws = (int)v, occlusion_opts = 1;
            break;
        case OPT_MIN_OVERLAP:
            if (cli_parse_fraction(optarg, &o.min_overlap))
                return cli_usage_error("attribute", usage, "--min-overlap: expected a fraction from 0 to 1, got '%s'", optarg);
            break;
        default:
            if ((r = cli_common_option("attribute", c, optarg)) <= 0)
                return r < 0 ? EXIT_USAGE : cli_usage_error("attribute", usage, NULL);
        }
    }
    if (optind != argc || !o.model_path || !o.data_path)
        return cli_usage_error("attribute", usage, "-m MODEL and -d DATA are required");
    if (occlusion_opts && o.method != GDL_ATTR_OCCLUSION)
        return cli_usage_error("attribute", usage, "--window and --draws go with --method occlusion");
    if (o.null_sets && o.level != GDL_LEVEL_GENE)
        return cli_usage_error("attribute", usage, "--null goes with --level gene");
    if (cli_check_outputs("attribute", 4, (const char *[]){o.out_path, o.tsv_path, o.svg_prefix, o.profile_prefix}) != EXIT_OK)
        return EXIT_RUNTIME;
    return gdl_attribute(&o) == 0 ? EXIT_OK : cli_runtime_error("attribute");
}
