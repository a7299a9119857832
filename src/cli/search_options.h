/* The search options of gdl tune and gdl train --tune, spelled and parsed in one place. */
#ifndef GDL_CLI_SEARCH_OPTIONS_H
#define GDL_CLI_SEARCH_OPTIONS_H

#include <stdio.h>

#include "gdl/tune.h"

enum { CLI_OPT_TRIALS = 2000, CLI_OPT_GRID, CLI_OPT_GRID_POINTS, CLI_OPT_TIME, CLI_OPT_ETA, CLI_OPT_RUNGS,
       CLI_OPT_INNER, CLI_OPT_METRIC };

#define CLI_SEARCH_LONGOPTS                                                                        \
    {"trials", required_argument, NULL, CLI_OPT_TRIALS}, {"grid", no_argument, NULL, CLI_OPT_GRID}, \
        {"grid-points", required_argument, NULL, CLI_OPT_GRID_POINTS},                             \
        {"time", required_argument, NULL, CLI_OPT_TIME}, {"eta", required_argument, NULL, CLI_OPT_ETA}, \
        {"rungs", required_argument, NULL, CLI_OPT_RUNGS},                                         \
        {"inner-folds", required_argument, NULL, CLI_OPT_INNER},                                   \
        {"metric", required_argument, NULL, CLI_OPT_METRIC}
#define CLI_SEARCH_USAGE                                                                           \
    "      --trials INT       random search: trials 0..INT-1; grid: at most INT trials [20]\n"      \
    "      --grid             every combination of choices and --grid-points values per range\n"   \
    "      --grid-points INT  values per range in a grid, 1..64 [3]\n"                             \
    "      --time DURATION    no trial starts after this long: 90s, 30m, 2h [none]\n"              \
    "      --eta INT          successive halving's factor, 1 = off [3]\n"                          \
    "      --rungs INT        budgets per trial, epochs/ETA^(RUNGS-1) up to epochs [3]\n"          \
    "      --inner-folds INT  the metric's mean over INT folds of the data; 0 = fold 1 of 5 only [0]\n" \
    "      --metric NAME      auto (ROC AUC, accuracy or R^2 by the target), roc_auc, pr_auc,\n"   \
    "                         accuracy, pearson_r, r2, or loss (the held-out loss, lower wins) [auto]\n"

/* The search's defaults: 20 trials, halving by 3 over 3 rungs, seed 1, gdl eval's metric. */
void cli_search_defaults(gdl_tune_opts_t *o);
/* A search option into o: 1 handled, 0 not a search option, -1 a bad value (usage printed). */
int cli_search_option(const char *cmd, void (*usage)(FILE *), int c, const char *arg, gdl_tune_opts_t *o);
/* An integer option's value in lo..hi; -1 with a usage error naming opt. */
int cli_parse_int_in(const char *cmd, void (*usage)(FILE *), const char *opt, const char *arg, long lo, long hi,
                     long *out);

#endif
