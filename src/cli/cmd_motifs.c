/* gdl motifs: first-layer convolution filters as MEME position weight matrices. */
#include <stdio.h>
#include <stdlib.h>

#include "cli.h"
#include "gdl/attr.h"
#include "gdl/core.h"

static void usage(FILE *fp)
{
    fprintf(fp,
        "Usage: gdl motifs -m MODEL.gdl -d DATA.gdl -o filters.meme [options]\n\n"
        "Turns the filters of a first-layer convolution over a sequence input into position\n"
        "weight matrices (Basset's method): the base frequencies of the sequence windows that\n"
        "activate a filter to at least --threshold of its largest activation. Writes MEME\n"
        "format (one MOTIF per filter that fires), ready for TomTom.\n\n"
        "Options:\n"
        "  -m, --model FILE      a model made by gdl train with a conv1d layer over sequences\n"
        "  -d, --data FILE       dataset of sequences to scan\n"
        "  -o, --output FILE     MEME file, - for stdout [-]\n"
        "      --layer NAME      the conv1d layer [the first one over a sequence input]\n"
        "      --threshold F     fraction of a filter's maximum activation a window needs [0.5]\n"
        "      --max-examples N  scan only the first N examples, 0 = all [0]\n"
        "      --batch INT       examples expanded at a time [64]\n" CLI_COMMON_USAGE);
}

enum { OPT_LAYER = 1000, OPT_THRESHOLD, OPT_MAX, OPT_BATCH };

int gdl_cmd_motifs(int argc, char *argv[])
{
    static const struct option longopts[] = {
        {"model", required_argument, NULL, 'm'}, {"data", required_argument, NULL, 'd'},
        {"output", required_argument, NULL, 'o'}, {"layer", required_argument, NULL, OPT_LAYER},
        {"threshold", required_argument, NULL, OPT_THRESHOLD}, {"max-examples", required_argument, NULL, OPT_MAX},
        {"batch", required_argument, NULL, OPT_BATCH}, CLI_COMMON_LONGOPTS, {NULL, 0, NULL, 0}};
    gdl_motifs_opts_t o = {.out_path = "-", .threshold = 0.5, .batch = 64};
    long v;
    double x;
    int c, r;
    while ((c = getopt_long(argc, argv, "m:d:o:" CLI_COMMON_SHORTOPTS, longopts, NULL)) >= 0) {
        switch (c) {
        case 'h': usage(stdout); return EXIT_OK;
        case 'm': o.model_path = optarg; break;
        case 'd': o.data_path = optarg; break;
        case 'o': o.out_path = optarg; break;
        case OPT_LAYER: o.layer = optarg; break;
        case OPT_THRESHOLD:
            if (cli_parse_double(optarg, &x) || !(x > 0 && x <= 1))
                return cli_usage_error("motifs", usage, "--threshold: expected a number in (0, 1], got '%s'", optarg);
            o.threshold = x;
            break;
        case OPT_MAX:
            if (cli_parse_long(optarg, &v) || v < 0)
                return cli_usage_error("motifs", usage, "--max-examples: expected a non-negative integer, got '%s'", optarg);
            o.max_examples = v;
            break;
        case OPT_BATCH:
            if (cli_parse_long(optarg, &v) || v < 1 || v > 1 << 20)
                return cli_usage_error("motifs", usage, "--batch: expected a positive integer, got '%s'", optarg);
            o.batch = v;
            break;
        default:
            if ((r = cli_common_option("motifs", c, optarg)) <= 0)
                return r < 0 ? EXIT_USAGE : cli_usage_error("motifs", usage, NULL);
        }
    }
    if (optind != argc || !o.model_path || !o.data_path)
        return cli_usage_error("motifs", usage, "-m MODEL and -d DATA are required");
    return gdl_motifs(&o) == 0 ? EXIT_OK : cli_runtime_error("motifs");
}
