/* gdl train: fit a model from a JSON config, optionally with k-fold cross-validation. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "gdl/core.h"
#include "gdl/eval.h"
#include "gdl/model.h"
#include "gdl/tune.h"
#include "search_options.h"

static void usage(FILE *fp)
{
    fprintf(fp,
        "Usage: gdl train -c CONFIG.json -d DATA.gdl -o MODEL.gdl [options]\n"
        "       gdl train --tune SPACE.json --folds K -d DATA.gdl -o MODEL.gdl [options]\n\n"
        "Trains the model a config describes on a dataset. Input shapes and the output width come\n"
        "from the dataset. With --folds K, trains K models (MODEL.foldI.gdl), each with fold I held\n"
        "out, and writes their out-of-fold predictions. With --tune, nested cross-validation: each\n"
        "fold's config is searched for (as gdl tune does) on that fold's training examples alone, so\n"
        "the folds' held-out metric is an honest estimate of the tuned model's (see README.md,\n"
        "\"Tuning\"). Progress: one line per epoch on stderr.\n\n"
        "Options:\n"
        "  -c, --config FILE     model config (JSON; see configs/)\n"
        "      --tune SPACE      search space (JSON; see configs/space/) searched in every fold; fold\n"
        "                        I's trials in MODEL.foldI.tune.tsv, its config MODEL.foldI.tuned.json,\n"
        "                        its inner split MODEL.foldI.tune-folds.tsv; with --refit, MODEL.tune.tsv...\n"
        "  -d, --data FILE       dataset made by gdl encode\n"
        "  -o, --output FILE     the model (.gdl); a checkpoint FILE.ckpt is kept while training\n"
        "  -k, --folds INT       k-fold cross-validation, stratified by the first target's class [off]\n"
        "      --fold INT        train only fold INT (1..K) of the --folds split, e.g. one Slurm array task\n"
        "      --oof FILE        out-of-fold (or --test-chrom's) predictions (predictions.tsv with a\n"
        "                        fold column)\n"
        "      --folds-out FILE  the fold of each example (id, fold)\n"
        "      --groups FILE     id<TAB>group lines: examples of one group share a fold\n"
        "      --split-by chrom  whole chromosomes per fold (sequence datasets from --bed or --task); when\n"
        "                        a fold's training part has too few to hold whole ones out for\n"
        "                        validation, its validation examples are drawn from within them\n"
        "      --test-chrom LIST train MODEL on the other chromosomes (or --train-chrom's) and test it on\n"
        "                        these (comma-separated): the held-out metric on stderr, their\n"
        "                        predictions in --oof; validation from within the training ones\n"
        "      --train-chrom LIST with --test-chrom, train on these chromosomes only\n"
        "      --refit           with --folds, also train MODEL on all examples\n"
        "      --resume          continue from MODEL.ckpt (same result as an uninterrupted run)\n"
        "      --log FILE        per-epoch TSV: epoch, fold, train_loss, val_loss, lr, seconds\n"
        "      --plot FILE       SVG of the training and validation loss by epoch (a colour per fold)\n"
        "Overrides of the config's training block (defaults: the config's, else [the value shown]):\n"
        "      --epochs INT      epochs [10]\n"
        "      --batch INT       minibatch size [64]\n"
        "      --lr FLOAT        learning rate [0.001]\n"
        "  -s, --seed INT        seed of initialisation, shuffling, dropout and folds [1]\n"
        "      --optimizer NAME  sgd, adam, adamw or rmsprop [adam]\n"
        "      --val-frac FLOAT  fraction of the training examples held out for early stopping [0.1]\n"
        "      --patience INT    epochs without improvement before stopping, 0 = off [5]\n"
        "      --early-stop WHAT loss (validation loss) or metric (validation ROC AUC, accuracy\n"
        "                        or R^2, by the target's kind) decides the best epoch [loss]\n"
        "      --restarts INT    the adenocarcinoma study's weight randomisation: INT short\n"
        "                        runs with seeds seed, seed+1...; the one with the best\n"
        "                        validation loss trains to the end\n"
        "The search of --tune (as gdl tune's; its seed is --seed's):\n"
        CLI_SEARCH_USAGE
        CLI_COMMON_USAGE);
}

/* MODEL without its .gdl: the stem of the nested search's files. */
static char *model_stem(const char *out)
{
    size_t n = strlen(out);
    if (n > 4 && !strcmp(out + n - 4, ".gdl")) n -= 4;
    char *p = malloc(n + 1);
    if (p) memcpy(p, out, n), p[n] = 0;
    return p;
}

enum { OPT_FOLD = 1000, OPT_OOF, OPT_FOLDS_OUT, OPT_GROUPS, OPT_REFIT, OPT_RESUME, OPT_LOG,
       OPT_EPOCHS, OPT_BATCH, OPT_LR, OPT_OPTIMIZER, OPT_VAL_FRAC, OPT_PATIENCE, OPT_RESTARTS, OPT_SPLIT_BY, OPT_PLOT, OPT_EARLY_STOP,
       OPT_TUNE, OPT_TEST_CHROM, OPT_TRAIN_CHROM };

/* gdl train --tune: the folds' configs come from searches; the outer folds' summary uses the
 * search's metric. 0, or -1 with an error. */
static int train_nested(gdl_train_opts_t *o, gdl_tune_nested_t *nested)
{
    gdl_tune_opts_t *s = &nested->search;
    char *defaults = gdl_tune_default_config(s->space_path), *stem = model_stem(o->out_path);
    int rc = -1;
    if (!defaults || !stem) goto out;
    s->data_path = o->data_path, s->resume = o->resume;
    s->groups_path = o->groups_path, s->split_by_chrom = o->split_by_chrom;
    for (int i = 0; i < o->n_overrides; i++) {
        if (!strcmp(o->override_key[i], "seed")) s->seed = strtoull(o->override_value[i], NULL, 10);
        s->override_key[s->n_overrides] = o->override_key[i];
        s->override_value[s->n_overrides++] = o->override_value[i];
    }
    nested->prefix = stem;
    o->config_path = s->space_path, o->config_json = defaults;
    o->fold_config = gdl_tune_fold_config, o->fold_config_arg = nested;
    o->fold_metric_arg = s->fold_metric_arg;
    rc = gdl_train(o);
out:
    free(defaults), free(stem);
    return rc;
}

int gdl_cmd_train(int argc, char *argv[])
{
    static const struct option longopts[] = {
        {"config", required_argument, NULL, 'c'}, {"data", required_argument, NULL, 'd'},
        {"output", required_argument, NULL, 'o'}, {"folds", required_argument, NULL, 'k'},
        {"fold", required_argument, NULL, OPT_FOLD}, {"oof", required_argument, NULL, OPT_OOF},
        {"folds-out", required_argument, NULL, OPT_FOLDS_OUT}, {"groups", required_argument, NULL, OPT_GROUPS},
        {"refit", no_argument, NULL, OPT_REFIT}, {"resume", no_argument, NULL, OPT_RESUME},
        {"log", required_argument, NULL, OPT_LOG}, {"epochs", required_argument, NULL, OPT_EPOCHS},
        {"batch", required_argument, NULL, OPT_BATCH}, {"lr", required_argument, NULL, OPT_LR},
        {"seed", required_argument, NULL, 's'}, {"optimizer", required_argument, NULL, OPT_OPTIMIZER},
        {"val-frac", required_argument, NULL, OPT_VAL_FRAC}, {"patience", required_argument, NULL, OPT_PATIENCE},
        {"restarts", required_argument, NULL, OPT_RESTARTS},
        {"split-by", required_argument, NULL, OPT_SPLIT_BY}, {"plot", required_argument, NULL, OPT_PLOT},
        {"early-stop", required_argument, NULL, OPT_EARLY_STOP}, {"tune", required_argument, NULL, OPT_TUNE},
        {"test-chrom", required_argument, NULL, OPT_TEST_CHROM}, {"train-chrom", required_argument, NULL, OPT_TRAIN_CHROM},
        CLI_SEARCH_LONGOPTS, CLI_COMMON_LONGOPTS, {NULL, 0, NULL, 0}};
    static const struct { int opt; const char *key; } overrides[] = {
        {OPT_EPOCHS, "epochs"}, {OPT_BATCH, "batch"}, {OPT_LR, "lr"}, {'s', "seed"},
        {OPT_OPTIMIZER, "optimizer"}, {OPT_VAL_FRAC, "val_frac"}, {OPT_PATIENCE, "patience"},
        {OPT_RESTARTS, "restarts"}, {OPT_EARLY_STOP, "early_stop"}};
    gdl_train_opts_t o = {.fold_metric = cli_fold_metric};
    gdl_tune_nested_t nested = {.prefix = NULL};
    long v;
    int c, r, searched = 0;
    cli_search_defaults(&nested.search);
    gdl_log_set_level(GDL_LOG_INFO); // epoch lines by default; -q for errors only
    while ((c = getopt_long(argc, argv, "c:d:o:k:s:" CLI_COMMON_SHORTOPTS, longopts, NULL)) >= 0) {
        switch (c) {
        case 'h': usage(stdout); return EXIT_OK;
        case 'c': o.config_path = optarg; continue;
        case 'd': o.data_path = optarg; continue;
        case 'o': o.out_path = optarg; continue;
        case 'k':
            if (cli_parse_long(optarg, &v) || v < 2 || v > 1000)
                return cli_usage_error("train", usage, "--folds: expected an integer 2..1000, got '%s'", optarg);
            o.folds = (int)v;
            continue;
        case OPT_FOLD:
            if (cli_parse_long(optarg, &v) || v < 1 || v > 1000)
                return cli_usage_error("train", usage, "--fold: expected a fold number from 1, got '%s'", optarg);
            o.fold = (int)v;
            continue;
        case OPT_OOF: o.oof_path = optarg; continue;
        case OPT_FOLDS_OUT: o.folds_out = optarg; continue;
        case OPT_GROUPS: o.groups_path = optarg; continue;
        case OPT_SPLIT_BY:
            if (strcmp(optarg, "chrom") != 0)
                return cli_usage_error("train", usage, "--split-by: only 'chrom' is known, got '%s'", optarg);
            o.split_by_chrom = 1;
            continue;
        case OPT_TEST_CHROM: o.test_chrom = optarg; continue;
        case OPT_TRAIN_CHROM: o.train_chrom = optarg; continue;
        case OPT_REFIT: o.refit = 1; continue;
        case OPT_RESUME: o.resume = 1; continue;
        case OPT_LOG: o.log_path = optarg; continue;
        case OPT_PLOT: o.plot_path = optarg; continue;
        case OPT_TUNE: nested.search.space_path = optarg; continue;
        }
        if ((r = cli_search_option("train", usage, c, optarg, &nested.search)) < 0) return EXIT_USAGE;
        if (r > 0) {
            searched = 1;
            continue;
        }
        int handled = 0;
        for (size_t i = 0; i < sizeof overrides / sizeof overrides[0]; i++)
            if (overrides[i].opt == c) {
                o.override_key[o.n_overrides] = overrides[i].key;
                o.override_value[o.n_overrides++] = optarg;
                handled = 1;
            }
        if (handled) continue;
        if ((r = cli_common_option("train", c, optarg)) < 0) return EXIT_USAGE;
        if (r == 0) return cli_usage_error("train", usage, NULL);
    }
    if (optind != argc) return cli_usage_error("train", usage, "unexpected argument '%s'", argv[optind]);
    if (o.config_path && nested.search.space_path)
        return cli_usage_error("train", usage, "-c CONFIG and --tune SPACE exclude each other");
    if ((!o.config_path && !nested.search.space_path) || !o.data_path || !o.out_path)
        return cli_usage_error("train", usage, "-c CONFIG (or --tune SPACE), -d DATA and -o MODEL are required");
    if (searched && !nested.search.space_path)
        return cli_usage_error("train", usage, "--trials, --grid, --eta, --rungs, --inner-folds, --time and --metric"
                                               " need --tune");
    if (o.train_chrom && !o.test_chrom) return cli_usage_error("train", usage, "--train-chrom needs --test-chrom");
    if (o.test_chrom && (o.folds || o.refit || o.folds_out || o.groups_path || o.split_by_chrom))
        return cli_usage_error("train", usage, "--test-chrom is its own split: it excludes --folds, --fold, --refit,"
                                               " --folds-out, --groups and --split-by");
    if (nested.search.space_path && !o.folds && !o.test_chrom)
        return cli_usage_error("train", usage, "--tune needs --folds or --test-chrom (to tune once, run gdl tune)");
    if (o.fold && !o.folds) return cli_usage_error("train", usage, "--fold needs --folds");
    if (o.fold > o.folds && o.folds) return cli_usage_error("train", usage, "--fold %d of %d folds", o.fold, o.folds);
    if (o.oof_path && !o.folds && !o.test_chrom)
        return cli_usage_error("train", usage, "--oof needs --folds or --test-chrom");
    if ((o.refit || o.folds_out || o.groups_path || o.split_by_chrom) && !o.folds)
        return cli_usage_error("train", usage, "--folds-out, --groups, --split-by and --refit need --folds");
    if (o.groups_path && o.split_by_chrom)
        return cli_usage_error("train", usage, "--groups and --split-by chrom exclude each other");
    if (cli_check_outputs("train", 5, (const char *[]){o.out_path, o.log_path, o.oof_path, o.folds_out, o.plot_path}) != EXIT_OK)
        return EXIT_RUNTIME;
    if (!nested.search.space_path) return gdl_train(&o) == 0 ? EXIT_OK : cli_runtime_error("train");
    return train_nested(&o, &nested) == 0 ? EXIT_OK : cli_runtime_error("train");
}
