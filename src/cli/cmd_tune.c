/* gdl tune: search a config's space of hyperparameters and layers for the best held-out metric. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "gdl/core.h"
#include "gdl/eval.h"
#include "gdl/tune.h"

static void usage(FILE *fp)
{
    fprintf(fp,
        "Usage: gdl tune -c SPACE.json -d DATA.gdl -o BEST.json [options]\n\n"
        "Searches a search space (a config whose values may be {\"choice\": [...]} or {\"range\": [lo, hi]}\n"
        "entries, and whose layers may repeat; see README.md, \"Tuning\") for the config with the best\n"
        "held-out metric on DATA, and writes it as a plain config gdl train takes. Trial 0 is the space's\n"
        "defaults. With successive halving every trial first trains a few epochs and only the best\n"
        "1/ETA go on, ETA times longer, up to the config's epochs; trial 0 always trains in full, so the\n"
        "best config is never worse than the defaults on the search's metric. One line per trial on stderr.\n\n"
        "Options:\n"
        "  -c, --config FILE      the search space (JSON)\n"
        "  -d, --data FILE        dataset made by gdl encode\n"
        "  -o, --output FILE      the best config (JSON)\n"
        "      --table FILE       every trial: its values, rung, epochs, metric, loss, seconds [BEST.trials.tsv]\n"
        "      --resume           keep the trials --table holds and run only the rest (same result)\n"
        "      --trials INT       random search: trials 0..INT-1; grid: at most INT trials [20]\n"
        "      --grid             every combination of choices and --grid-points values per range\n"
        "      --grid-points INT  values per range in a grid, 1..64 [3]\n"
        "      --time DURATION    no trial starts after this long: 90s, 30m, 2h [none]\n"
        "      --eta INT          successive halving's factor, 1 = off [3]\n"
        "      --rungs INT        budgets per trial, epochs/ETA^(RUNGS-1) up to epochs [3]\n"
        "      --inner-folds INT  the metric's mean over INT folds of DATA; 0 = fold 1 of 5 only [0]\n"
        "      --metric NAME      auto (ROC AUC, accuracy or R^2 by the target), roc_auc, pr_auc,\n"
        "                         accuracy, pearson_r, r2, or loss (the held-out loss, lower wins) [auto]\n"
        "  -s, --seed INT         seed of the random search [1]\n"
        "      --epochs INT       override every trial's full epochs (gdl train's --epochs)\n"
        "      --batch INT        override every trial's minibatch size\n"
        CLI_COMMON_USAGE);
}

/* "90", "90s", "30m", "2h" in seconds; -1 when malformed. */
static double parse_duration(const char *s)
{
    char *end;
    double v = strtod(s, &end);
    if (end == s || !isfinite(v) || v <= 0) return -1;
    if (!strcmp(end, "") || !strcmp(end, "s")) return v;
    if (!strcmp(end, "m")) return v * 60;
    if (!strcmp(end, "h")) return v * 3600;
    return -1;
}

static const struct {
    const char *name;
    gdl_metric_t m;
} metrics[] = {{"roc_auc", GDL_M_ROC_AUC}, {"pr_auc", GDL_M_PR_AUC}, {"accuracy", GDL_M_ACCURACY},
               {"pearson_r", GDL_M_PEARSON}, {"r2", GDL_M_R2}};

enum { OPT_TABLE = 1000, OPT_RESUME, OPT_TRIALS, OPT_GRID, OPT_GRID_POINTS, OPT_TIME, OPT_ETA, OPT_RUNGS,
       OPT_INNER, OPT_METRIC, OPT_EPOCHS, OPT_BATCH };

static int parse_int(const char *opt, const char *arg, long lo, long hi, long *out)
{
    if (cli_parse_long(arg, out) || *out < lo || *out > hi) {
        cli_usage_error("tune", usage, "%s: expected an integer %ld..%ld, got '%s'", opt, lo, hi, arg);
        return -1;
    }
    return 0;
}

int gdl_cmd_tune(int argc, char *argv[])
{
    static const struct option longopts[] = {
        {"config", required_argument, NULL, 'c'}, {"data", required_argument, NULL, 'd'},
        {"output", required_argument, NULL, 'o'}, {"table", required_argument, NULL, OPT_TABLE},
        {"resume", no_argument, NULL, OPT_RESUME}, {"trials", required_argument, NULL, OPT_TRIALS},
        {"grid", no_argument, NULL, OPT_GRID}, {"grid-points", required_argument, NULL, OPT_GRID_POINTS},
        {"time", required_argument, NULL, OPT_TIME}, {"eta", required_argument, NULL, OPT_ETA},
        {"rungs", required_argument, NULL, OPT_RUNGS}, {"inner-folds", required_argument, NULL, OPT_INNER},
        {"metric", required_argument, NULL, OPT_METRIC}, {"seed", required_argument, NULL, 's'},
        {"epochs", required_argument, NULL, OPT_EPOCHS}, {"batch", required_argument, NULL, OPT_BATCH},
        CLI_COMMON_LONGOPTS, {NULL, 0, NULL, 0}};
    gdl_tune_opts_t o = {.trials = 20, .grid_points = 3, .eta = 3, .rungs = 3, .seed = 1,
                         .fold_metric = cli_fold_metric};
    static gdl_metric_t chosen;
    char *table = NULL;
    long v;
    int c, r;
    gdl_log_set_level(GDL_LOG_INFO); // trial lines by default; -q for errors only
    while ((c = getopt_long(argc, argv, "c:d:o:s:" CLI_COMMON_SHORTOPTS, longopts, NULL)) >= 0) {
        switch (c) {
        case 'h': usage(stdout); return EXIT_OK;
        case 'c': o.space_path = optarg; continue;
        case 'd': o.data_path = optarg; continue;
        case 'o': o.out_path = optarg; continue;
        case OPT_TABLE: o.table_path = optarg; continue;
        case OPT_RESUME: o.resume = 1; continue;
        case OPT_GRID: o.method = GDL_TUNE_GRID; continue;
        case OPT_TRIALS: if (parse_int("--trials", optarg, 1, 1000000, &v)) return EXIT_USAGE; o.trials = v; continue;
        case OPT_GRID_POINTS: if (parse_int("--grid-points", optarg, 1, 64, &v)) return EXIT_USAGE; o.grid_points = (int)v; continue;
        case OPT_ETA: if (parse_int("--eta", optarg, 1, 100, &v)) return EXIT_USAGE; o.eta = (int)v; continue;
        case OPT_RUNGS: if (parse_int("--rungs", optarg, 1, 10, &v)) return EXIT_USAGE; o.rungs = (int)v; continue;
        case OPT_INNER:
            if (parse_int("--inner-folds", optarg, 0, 100, &v)) return EXIT_USAGE;
            if (v == 1) return cli_usage_error("tune", usage, "--inner-folds: 0 (one held-out fifth) or 2 and more");
            o.inner_folds = (int)v;
            continue;
        case 's': if (parse_int("--seed", optarg, 0, 2147483647L, &v)) return EXIT_USAGE; o.seed = (uint64_t)v; continue;
        case OPT_TIME:
            if ((o.time_limit = parse_duration(optarg)) < 0)
                return cli_usage_error("tune", usage, "--time: expected a duration such as 90s, 30m or 2h, got '%s'", optarg);
            continue;
        case OPT_METRIC: {
            size_t k, n = sizeof metrics / sizeof metrics[0];
            o.use_loss = !strcmp(optarg, "loss");
            o.fold_metric_arg = NULL, o.metric_name = NULL;
            if (o.use_loss || !strcmp(optarg, "auto")) continue;
            for (k = 0; k < n && strcmp(metrics[k].name, optarg); k++) {}
            if (k == n) return cli_usage_error("tune", usage, "--metric: unknown metric '%s'", optarg);
            chosen = metrics[k].m;
            o.fold_metric_arg = &chosen, o.metric_name = metrics[k].name;
            continue;
        }
        case OPT_EPOCHS: case OPT_BATCH:
            if (parse_int(c == OPT_EPOCHS ? "--epochs" : "--batch", optarg, 1, 1000000000L, &v)) return EXIT_USAGE;
            o.override_key[o.n_overrides] = c == OPT_EPOCHS ? "epochs" : "batch";
            o.override_value[o.n_overrides++] = optarg;
            continue;
        }
        if ((r = cli_common_option("tune", c, optarg)) < 0) return EXIT_USAGE;
        if (r == 0) return cli_usage_error("tune", usage, NULL);
    }
    if (optind != argc) return cli_usage_error("tune", usage, "unexpected argument '%s'", argv[optind]);
    if (!o.space_path || !o.data_path || !o.out_path)
        return cli_usage_error("tune", usage, "-c SPACE, -d DATA and -o BEST are required");
    if (!o.table_path) {
        size_t n = strlen(o.out_path);
        if (!(table = malloc(n + 16))) return cli_runtime_error("tune");
        if (n > 5 && !strcmp(o.out_path + n - 5, ".json")) snprintf(table, n + 16, "%.*s.trials.tsv", (int)(n - 5), o.out_path);
        else snprintf(table, n + 16, "%s.trials.tsv", o.out_path);
        o.table_path = table;
    }
    int rc = gdl_tune(&o, NULL);
    free(table);
    return rc == 0 ? EXIT_OK : cli_runtime_error("tune");
}
