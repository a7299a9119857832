/* gdl join: one dataset with the inputs of several, matched by example ID. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "gdl/core.h"
#include "gdl/dataops.h"

static void usage(FILE *fp)
{
    fprintf(fp, "Usage: gdl join [options] -o OUT.gdl A.gdl B.gdl [...]\n\n"
                "Makes one dataset holding every input of the given datasets, the examples whose ID\n"
                "is in all of them (in the order of the first; the others are counted and dropped),\n"
                "and the labels of the first dataset that has labels.\n\n"
                "Options:\n"
                "  -o, --output FILE     output dataset (.gdl), required\n"
                "      --names A,B,...   new names for the inputs, in order (genotypes excluded)\n"
                CLI_COMMON_USAGE);
}

int gdl_cmd_join(int argc, char *argv[])
{
    enum { OPT_NAMES = 256 };
    static const struct option longopts[] = {{"output", required_argument, NULL, 'o'},
                                             {"names", required_argument, NULL, OPT_NAMES},
                                             CLI_COMMON_LONGOPTS, {NULL, 0, NULL, 0}};
    const char *out = NULL, *names_arg = NULL, *names[GDL_DATASET_MAX_INPUTS];
    char *names_buf = NULL;
    int c, r, n_names = 0;
    optind = 1;
    while ((c = getopt_long(argc, argv, "o:" CLI_COMMON_SHORTOPTS, longopts, NULL)) >= 0) {
        if (c == 'h') {
            usage(stdout);
            return EXIT_OK;
        }
        if (c == 'o') out = optarg;
        else if (c == OPT_NAMES) names_arg = optarg;
        else if ((r = cli_common_option("join", c, optarg)) < 0) return EXIT_USAGE;
        else if (r == 0) return cli_usage_error("join", usage, NULL);
    }
    if (!out) return cli_usage_error("join", usage, "-o/--output is required");
    if (argc - optind < 2) return cli_usage_error("join", usage, "expected at least two datasets");
    if (argc - optind > GDL_DATASET_MAX_INPUTS)
        return cli_usage_error("join", usage, "at most %d datasets", GDL_DATASET_MAX_INPUTS);
    if (names_arg) {
        if (!(names_buf = strdup(names_arg))) return cli_runtime_error("join");
        for (char *save = NULL, *t = strtok_r(names_buf, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
            if (n_names == GDL_DATASET_MAX_INPUTS) {
                free(names_buf);
                return cli_usage_error("join", usage, "--names: at most %d names", GDL_DATASET_MAX_INPUTS);
            }
            names[n_names++] = t;
        }
    }
    r = gdl_dataset_join((const char *const *)argv + optind, argc - optind,
                         names_arg ? names : NULL, n_names, out);
    free(names_buf);
    return r ? cli_runtime_error("join") : EXIT_OK;
}
