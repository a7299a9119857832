/* gdl eval: metrics of a predictions.tsv (or of a model's predictions on a dataset, held in
 * memory). Options in, gdl_eval_run or gdl_eval_run_scores, exit code out. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "gdl/core.h"
#include "gdl/eval.h"
#include "gdl/model.h"

static void usage(FILE *fp)
{
    fprintf(fp,
        "Usage: gdl eval -p predictions.tsv [options]\n"
        "       gdl eval -m MODEL.gdl [-m MODEL2.gdl ...] -d DATA.gdl [options]\n\n"
        "Metrics of predictions.tsv: columns id, [fold,] then T:label and T:score for each binary\n"
        "or regression target T, or T:label and one T:score:CLASS per class of a multi-class target.\n"
        "An empty label is missing: that row is skipped for that target (its score is not read).\n\n"
        "Kinds: a target with T:score:CLASS columns is multi-class (labels must be class names);\n"
        "any other target is binary when every label is 0 or 1, otherwise regression.\n"
        "--regression and --binary override that; a binary target with another label is an error.\n\n"
        "Binary (and multi-label) targets: ROC AUC (Mann-Whitney, ties count 1/2), PR AUC as\n"
        "average precision (scikit-learn's step-wise definition), accuracy, precision, recall, F1\n"
        "and MCC at the threshold (score >= threshold is positive). Averages over the binary\n"
        "targets: macro, median, weighted by each target's positive frequency n_pos/n (or by the\n"
        "prevalence --weights-from gives), and micro (all pairs pooled); the report and the JSON\n"
        "say which weights. A target with only one class present is null, left out of macro,\n"
        "median and weighted, and counted. Multi-class: accuracy, balanced accuracy, one-vs-rest\n"
        "AUCs per class and their macro mean, confusion matrix. Regression: MSE, RMSE, MAE,\n"
        "Pearson, Spearman (average ranks for ties), R^2.\n"
        "With a fold column: every metric per fold, and its mean and sd (n - 1) across folds.\n\n"
        "Binary scores are held as floats (as gdl predict writes them; the AUCs are exact for those\n"
        "values, a best-F1 threshold is reported to float precision); regression and multi-class\n"
        "values as doubles. Memory: about 4.25 bytes per row x binary target (455,024 x 919: 1.8 GB),\n"
        "16 per row x regression target, 8 (K + 1) per row x K-class target, plus 64 MB of the file\n"
        "at a time (all of it when read from '-'); --bootstrap adds 4 bytes per row x target,\n"
        "--curves and --plot 16 bytes per distinct score x target.\n\n"
        "The table goes to stdout (to stderr when an output below is '-').\n\n"
        "Options:\n"
        "  -p, --predictions FILE  predictions.tsv ('-' = stdin)\n"
        "  -m, --model FILE        instead of -p: score DATA with this model first (repeat to\n"
        "                          average several, as gdl predict does; scores and labels are\n"
        "                          held in memory: 8 bytes per example x target more than above)\n"
        "  -d, --data FILE         the dataset -m scores; its labels are the truth\n"
        "      --min-overlap FRAC  -m: a cohort whose variants differ from the model's is aligned\n"
        "                          to them by CHROM:POS:REF:ALT (absent ones get the training\n"
        "                          mean, extra ones are ignored) when at least FRAC of the\n"
        "                          model's variants are in it; 1: every one [0.9]\n"
        "  -o, --output FILE       metrics.json ('-' = stdout)\n"
        "      --tsv FILE          one row per target (and per fold and target) with every metric\n"
        "      --curves PREFIX     ROC and PR points: PREFIX.roc.tsv, PREFIX.pr.tsv\n"
        "      --plot PREFIX       SVG figures: PREFIX.roc.svg, PREFIX.pr.svg, with folds\n"
        "                          PREFIX.folds.roc.svg and .pr.svg for the first binary target,\n"
        "                          and PREFIX.T.scatter.svg per regression target\n"
        "      --plot-max INT      curves (or scatter plots) per figure [10]\n"
        "  -t, --threshold X       decision threshold, or 'best-f1' for the F1-maximising one of\n"
        "                          each target (optimistic: chosen on the same data) [0.5]\n"
        "      --regression LIST   targets that are regression (comma-separated names, or 'all')\n"
        "      --binary LIST       targets that are binary (names, or 'all')\n"
        "  -b, --bootstrap INT     percentile confidence intervals from INT resamples of the rows [0]\n"
        "      --ci LEVEL          confidence level of those intervals [0.95]\n"
        "  -s, --seed INT          bootstrap seed; replicate b uses RNG stream 0x6576616c00000000 + b [1]\n"
        "      --weights-from FILE the weighted averages weigh each binary target by the training\n"
        "                          prevalence a MODEL.gdl stores (its fraction of positives among\n"
        "                          the rows the model was fit on) or by the fraction of positive\n"
        "                          labels in a DATA.gdl, matched by target name; a target the file\n"
        "                          lacks is an error [the evaluated rows' n_pos/n]\n"
        CLI_COMMON_USAGE);
}

enum { OPT_TSV = 256, OPT_CURVES, OPT_PLOT, OPT_PLOT_MAX, OPT_REGRESSION, OPT_BINARY, OPT_CI, OPT_MIN_OVERLAP, OPT_WEIGHTS_FROM };

int gdl_cmd_eval(int argc, char *argv[])
{
    static const struct option longopts[] = {
        {"predictions", required_argument, NULL, 'p'}, {"output", required_argument, NULL, 'o'},
        {"tsv", required_argument, NULL, OPT_TSV},     {"curves", required_argument, NULL, OPT_CURVES},
        {"plot", required_argument, NULL, OPT_PLOT},   {"plot-max", required_argument, NULL, OPT_PLOT_MAX},
        {"threshold", required_argument, NULL, 't'},   {"regression", required_argument, NULL, OPT_REGRESSION},
        {"binary", required_argument, NULL, OPT_BINARY}, {"bootstrap", required_argument, NULL, 'b'},
        {"ci", required_argument, NULL, OPT_CI},       {"seed", required_argument, NULL, 's'},
        {"model", required_argument, NULL, 'm'},       {"data", required_argument, NULL, 'd'},
        {"min-overlap", required_argument, NULL, OPT_MIN_OVERLAP},
        {"weights-from", required_argument, NULL, OPT_WEIGHTS_FROM},
        CLI_COMMON_LONGOPTS,                           {NULL, 0, NULL, 0}};
    gdl_eval_opts_t o;
    gdl_eval_opts_init(&o);
    int c, r, overlap_set = 0;
    long n;
    const char *models[64];
    gdl_predict_opts_t po = {.model_paths = models, .batch = 0, .min_overlap = GDL_MIN_OVERLAP}; // as gdl predict
    while ((c = getopt_long(argc, argv, "p:o:t:b:s:m:d:" CLI_COMMON_SHORTOPTS, longopts, NULL)) >= 0) {
        switch (c) {
        case 'h': usage(stdout); return EXIT_OK;
        case 'm':
            if (po.n_models == 64) return cli_usage_error("eval", usage, "at most 64 models");
            models[po.n_models++] = optarg;
            break;
        case 'd': po.data_path = optarg; break;
        case OPT_MIN_OVERLAP:
            if (cli_parse_fraction(optarg, &po.min_overlap))
                return cli_usage_error("eval", usage, "--min-overlap: expected a fraction from 0 to 1, got '%s'", optarg);
            overlap_set = 1;
            break;
        case 'p': o.predictions = optarg; break;
        case 'o': o.json = optarg; break;
        case OPT_TSV: o.tsv = optarg; break;
        case OPT_CURVES: o.curves = optarg; break;
        case OPT_PLOT: o.plot = optarg; break;
        case OPT_REGRESSION: o.regression = optarg; break;
        case OPT_BINARY: o.binary = optarg; break;
        case OPT_WEIGHTS_FROM: o.weights_from = optarg; break;
        case OPT_PLOT_MAX:
            if (cli_parse_long(optarg, &n) != 0 || n < 1 || n > 100)
                return cli_usage_error("eval", usage, "--plot-max: expected an integer 1..100, got '%s'", optarg);
            o.plot_max = (int)n;
            break;
        case 't':
            if (strcmp(optarg, "best-f1") == 0) o.threshold = NAN;
            else if (cli_parse_double(optarg, &o.threshold) != 0)
                return cli_usage_error("eval", usage, "--threshold: expected a number or 'best-f1', got '%s'", optarg);
            break;
        case 'b':
            if (cli_parse_long(optarg, &n) != 0 || n < 0 || n > 1000000)
                return cli_usage_error("eval", usage, "--bootstrap: expected an integer 0..1000000, got '%s'", optarg);
            o.bootstrap = (int)n;
            break;
        case OPT_CI:
            if (cli_parse_double(optarg, &o.ci_level) != 0 || !(o.ci_level > 0 && o.ci_level < 1))
                return cli_usage_error("eval", usage, "--ci: expected a level between 0 and 1, got '%s'", optarg);
            break;
        case 's':
            if (cli_parse_long(optarg, &n) != 0 || n < 0)
                return cli_usage_error("eval", usage, "--seed: expected a non-negative integer, got '%s'", optarg);
            o.seed = (uint64_t)n;
            break;
        default:
            if ((r = cli_common_option("eval", c, optarg)) < 0) return EXIT_USAGE;
            if (r == 0) return cli_usage_error("eval", usage, NULL);
        }
    }
    if (!o.predictions && argc - optind == 1) o.predictions = argv[optind++];
    if (argc - optind > 0) return cli_usage_error("eval", usage, "unexpected argument '%s'", argv[optind]);
    if (!!po.n_models != !!po.data_path)
        return cli_usage_error("eval", usage, "-m MODEL and -d DATA go together");
    if (po.n_models && o.predictions)
        return cli_usage_error("eval", usage, "give -p predictions.tsv or -m MODEL -d DATA, not both");
    if (!o.predictions && !po.n_models)
        return cli_usage_error("eval", usage, "-p predictions.tsv (or -m MODEL -d DATA) is required");
    if (overlap_set && !po.n_models) return cli_usage_error("eval", usage, "--min-overlap goes with -m MODEL -d DATA");
    if (cli_check_outputs("eval", 4, (const char *[]){o.json, o.tsv, o.curves, o.plot}) != EXIT_OK) return EXIT_RUNTIME;
    int to_stdout = (o.json && !strcmp(o.json, "-")) || (o.tsv && !strcmp(o.tsv, "-"));
    o.table = to_stdout ? stderr : stdout;
    if (!po.n_models) return gdl_eval_run(&o) == 0 ? EXIT_OK : cli_runtime_error("eval");
    // scored in memory: the metrics equal those of gdl predict's file evaluated with -p
    gdl_predicted_t pr;
    if (gdl_predict_in_memory(&po, &pr) != 0) return cli_runtime_error("eval");
    gdl_eval_scores_t es = {.name = po.data_path, .n = pr.n, .n_targets = pr.n_targets,
                            .target_names = (const char *const *)pr.target_names,
                            .n_classes = pr.kind == GDL_TARGET_CATEGORICAL ? pr.n_classes : 0,
                            .classes = (const char *const *)pr.classes, .scores = pr.scores,
                            .labels = pr.labels};
    int ret = gdl_eval_run_scores(&o, &es) == 0 ? EXIT_OK : cli_runtime_error("eval");
    gdl_predicted_free(&pr);
    return ret;
}
