/* gdl predict: scores of a model (or the mean of several) on a dataset, as predictions.tsv. */
#include <stdio.h>
#include <stdlib.h>

#include "cli.h"
#include "gdl/core.h"
#include "gdl/model.h"

static void usage(FILE *fp)
{
    fprintf(fp,
        "Usage: gdl predict -m MODEL.gdl [-m MODEL2.gdl ...] -d DATA.gdl -o predictions.tsv\n\n"
        "Scores every example of a dataset: probabilities for binary and multi-label targets, one\n"
        "probability per class for a categorical target, values for regression. Several models\n"
        "(e.g. the fold models of a cross-validation) are averaged. Labels present in the dataset\n"
        "are copied beside the scores, so the output goes straight to gdl eval.\n\n"
        "Options:\n"
        "  -m, --model FILE      a model made by gdl train (repeat to average several)\n"
        "  -d, --data FILE       dataset made by gdl encode, with the model's inputs and variants\n"
        "  -o, --output FILE     predictions.tsv, - for stdout [-]\n"
        "      --batch INT       examples per forward pass; 0: 256 to 2,048 as memory allows [0]\n"
        "      --rc              score each example as the mean of it and its reverse complement\n"
        "                        (DNA inputs reversed and complemented, numeric and genotype\n"
        "                        inputs as they are): a strand-symmetric score for tasks where\n"
        "                        the strand is arbitrary, such as ChIP-seq peaks\n"
        "      --min-overlap FRAC\n"
        "                        a cohort whose variants differ from the model's is aligned to\n"
        "                        them by CHROM:POS:REF:ALT (absent ones get the training mean,\n"
        "                        extra ones are ignored) when at least FRAC of the model's\n"
        "                        variants are in it; 1: every one [0.9]\n" CLI_COMMON_USAGE);
}

enum { OPT_BATCH = 1000, OPT_MIN_OVERLAP, OPT_RC };

int gdl_cmd_predict(int argc, char *argv[])
{
    static const struct option longopts[] = {
        {"model", required_argument, NULL, 'm'}, {"data", required_argument, NULL, 'd'},
        {"output", required_argument, NULL, 'o'}, {"batch", required_argument, NULL, OPT_BATCH},
        {"min-overlap", required_argument, NULL, OPT_MIN_OVERLAP}, {"rc", no_argument, NULL, OPT_RC},
        CLI_COMMON_LONGOPTS, {NULL, 0, NULL, 0}};
    const char **models = calloc(argc, sizeof *models);
    gdl_predict_opts_t o = {.out_path = "-", .batch = 0, .model_paths = models, .min_overlap = GDL_MIN_OVERLAP};
    long v;
    int c, r, ret;
    if (!models) return EXIT_RUNTIME;
    while ((c = getopt_long(argc, argv, "m:d:o:" CLI_COMMON_SHORTOPTS, longopts, NULL)) >= 0) {
        if (c == 'h') {
            usage(stdout);
            ret = EXIT_OK;
            goto out;
        }
        if (c == 'm') models[o.n_models++] = optarg;
        else if (c == 'd') o.data_path = optarg;
        else if (c == 'o') o.out_path = optarg;
        else if (c == OPT_RC) o.rc = 1;
        else if (c == OPT_BATCH) {
            if (cli_parse_long(optarg, &v) || v < 0 || v > 1 << 20) {
                ret = cli_usage_error("predict", usage, "--batch: expected an integer from 0 to 1048576, got '%s'", optarg);
                goto out;
            }
            o.batch = v;
        } else if (c == OPT_MIN_OVERLAP) {
            if (cli_parse_fraction(optarg, &o.min_overlap)) {
                ret = cli_usage_error("predict", usage, "--min-overlap: expected a fraction from 0 to 1, got '%s'", optarg);
                goto out;
            }
        } else if ((r = cli_common_option("predict", c, optarg)) <= 0) {
            ret = r < 0 ? EXIT_USAGE : cli_usage_error("predict", usage, NULL);
            goto out;
        }
    }
    if (optind != argc || !o.n_models || !o.data_path) {
        ret = cli_usage_error("predict", usage, "-m MODEL and -d DATA are required");
        goto out;
    }
    if ((ret = cli_check_outputs("predict", 1, (const char *[]){o.out_path})) != EXIT_OK) goto out;
    ret = gdl_predict(&o) == 0 ? EXIT_OK : cli_runtime_error("predict");
out:
    free(models);
    return ret;
}
