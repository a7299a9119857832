/* gdl tune: search a config's space of hyperparameters and layers for the best held-out metric. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "gdl/core.h"
#include "gdl/tune.h"
#include "search_options.h"

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
        "      --plot PREFIX      PREFIX.PARAM.svg: every trial's metric against each parameter\n"
        "      --resume           keep the trials --table holds and run only the rest (same result)\n"
        "      --trial INT        run only trial INT's next rung, into TABLE.trialINT (a Slurm array\n"
        "                         task); nothing when the rung waits for other trials\n"
        "      --merge            no training: the TABLE.trial* parts into --table; prints the trials\n"
        "                         the next rung needs (an sbatch --array list), or writes BEST when done\n"
        CLI_SEARCH_USAGE
        "  -s, --seed INT         seed of the random search [1]\n"
        "      --epochs INT       every trial's full epochs (gdl train's --epochs; kept in BEST)\n"
        "      --batch INT        every trial's minibatch size (kept in BEST)\n"
        CLI_COMMON_USAGE);
}

enum { OPT_TABLE = 1000, OPT_RESUME, OPT_EPOCHS, OPT_BATCH, OPT_TRIAL, OPT_MERGE, OPT_PLOT };

int gdl_cmd_tune(int argc, char *argv[])
{
    static const struct option longopts[] = {
        {"config", required_argument, NULL, 'c'}, {"data", required_argument, NULL, 'd'},
        {"output", required_argument, NULL, 'o'}, {"table", required_argument, NULL, OPT_TABLE},
        {"resume", no_argument, NULL, OPT_RESUME}, {"seed", required_argument, NULL, 's'},
        {"trial", required_argument, NULL, OPT_TRIAL}, {"merge", no_argument, NULL, OPT_MERGE},
        {"plot", required_argument, NULL, OPT_PLOT},
        {"epochs", required_argument, NULL, OPT_EPOCHS}, {"batch", required_argument, NULL, OPT_BATCH},
        CLI_SEARCH_LONGOPTS, CLI_COMMON_LONGOPTS, {NULL, 0, NULL, 0}};
    gdl_tune_opts_t o = {0};
    char *table = NULL;
    long v;
    int c, r;
    cli_search_defaults(&o);
    gdl_log_set_level(GDL_LOG_INFO); // trial lines by default; -q for errors only
    while ((c = getopt_long(argc, argv, "c:d:o:s:" CLI_COMMON_SHORTOPTS, longopts, NULL)) >= 0) {
        switch (c) {
        case 'h': usage(stdout); return EXIT_OK;
        case 'c': o.space_path = optarg; continue;
        case 'd': o.data_path = optarg; continue;
        case 'o': o.out_path = optarg; continue;
        case OPT_TABLE: o.table_path = optarg; continue;
        case OPT_RESUME: o.resume = 1; continue;
        case OPT_PLOT: o.plot_prefix = optarg; continue;
        case 's':
            if (cli_parse_int_in("tune", usage, "--seed", optarg, 0, 2147483647L, &v)) return EXIT_USAGE;
            o.seed = (uint64_t)v;
            continue;
        case OPT_TRIAL:
            if (cli_parse_int_in("tune", usage, "--trial", optarg, 0, 1000000, &v)) return EXIT_USAGE;
            if (o.mode == GDL_TUNE_MERGE) return cli_usage_error("tune", usage, "--trial and --merge exclude each other");
            o.mode = GDL_TUNE_ONE_TRIAL, o.trial = v;
            continue;
        case OPT_MERGE:
            if (o.mode == GDL_TUNE_ONE_TRIAL) return cli_usage_error("tune", usage, "--trial and --merge exclude each other");
            o.mode = GDL_TUNE_MERGE;
            continue;
        case OPT_EPOCHS: case OPT_BATCH:
            if (cli_parse_int_in("tune", usage, c == OPT_EPOCHS ? "--epochs" : "--batch", optarg, 1, 1000000000L, &v))
                return EXIT_USAGE;
            o.override_key[o.n_overrides] = c == OPT_EPOCHS ? "epochs" : "batch";
            o.override_value[o.n_overrides++] = optarg;
            continue;
        }
        if ((r = cli_search_option("tune", usage, c, optarg, &o)) < 0) return EXIT_USAGE;
        if (r > 0) continue;
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
