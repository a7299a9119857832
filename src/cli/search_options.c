/* The search options gdl tune and gdl train --tune share: budget, halving, inner folds, metric. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "gdl/eval.h"
#include "search_options.h"

void cli_search_defaults(gdl_tune_opts_t *o)
{
    o->trials = 20, o->grid_points = 3, o->eta = 3, o->rungs = 3, o->seed = 1;
    o->fold_metric = cli_fold_metric;
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

int cli_parse_int_in(const char *cmd, void (*usage)(FILE *), const char *opt, const char *arg, long lo, long hi,
                     long *out)
{
    if (cli_parse_long(arg, out) || *out < lo || *out > hi) {
        cli_usage_error(cmd, usage, "%s: expected an integer %ld..%ld, got '%s'", opt, lo, hi, arg);
        return -1;
    }
    return 0;
}

int cli_search_option(const char *cmd, void (*usage)(FILE *), int c, const char *arg, gdl_tune_opts_t *o)
{
    long v;
    switch (c) {
    case CLI_OPT_GRID: o->method = GDL_TUNE_GRID; return 1;
    case CLI_OPT_TRIALS:
        if (cli_parse_int_in(cmd, usage, "--trials", arg, 1, 1000000, &v)) return -1;
        o->trials = v;
        return 1;
    case CLI_OPT_GRID_POINTS:
        if (cli_parse_int_in(cmd, usage, "--grid-points", arg, 1, 64, &v)) return -1;
        o->grid_points = (int)v;
        return 1;
    case CLI_OPT_ETA:
        if (cli_parse_int_in(cmd, usage, "--eta", arg, 1, 100, &v)) return -1;
        o->eta = (int)v;
        return 1;
    case CLI_OPT_RUNGS:
        if (cli_parse_int_in(cmd, usage, "--rungs", arg, 1, 10, &v)) return -1;
        o->rungs = (int)v;
        return 1;
    case CLI_OPT_INNER:
        if (cli_parse_int_in(cmd, usage, "--inner-folds", arg, 0, 100, &v)) return -1;
        if (v == 1) {
            cli_usage_error(cmd, usage, "--inner-folds: 0 (one held-out fifth) or 2 and more");
            return -1;
        }
        o->inner_folds = (int)v;
        return 1;
    case CLI_OPT_TIME:
        if ((o->time_limit = parse_duration(arg)) < 0) {
            cli_usage_error(cmd, usage, "--time: expected a duration such as 90s, 30m or 2h, got '%s'", arg);
            return -1;
        }
        return 1;
    case CLI_OPT_METRIC: {
        size_t k, n = sizeof metrics / sizeof metrics[0];
        o->use_loss = !strcmp(arg, "loss");
        o->fold_metric_arg = NULL, o->metric_name = NULL;
        if (o->use_loss || !strcmp(arg, "auto")) return 1;
        for (k = 0; k < n && strcmp(metrics[k].name, arg); k++) {}
        if (k == n) {
            cli_usage_error(cmd, usage, "--metric: unknown metric '%s'", arg);
            return -1;
        }
        o->fold_metric_arg = &metrics[k].m, o->metric_name = metrics[k].name;
        return 1;
    }
    }
    return 0;
}
