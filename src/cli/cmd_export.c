/* gdl export: a dataset's tensors as NumPy files. */
#include <stdio.h>

#include "cli.h"
#include "gdl/core.h"
#include "gdl/dataops.h"

static void usage(FILE *fp)
{
    fprintf(fp, "Usage: gdl export [options] --npy DIR DATA.gdl\n\n"
                "Writes into DIR (created if absent): ids.tsv, targets.tsv (target, kind, classes),\n"
                "labels.npy (float32 N x T, NaN = missing), rc_group.npy (int64 N, when present) and\n"
                "one input_NAME.npy per input: genotypes as uint8 N x M (0/1/2 ALT copies, 255 =\n"
                "missing), sequences as float32 one-hot N x 4 x L (A, C, G, T; N all zero), numeric\n"
                "inputs as float32 N x C x L.\n\n"
                "Options:\n"
                "      --npy DIR         output directory, required\n" CLI_COMMON_USAGE);
}

int gdl_cmd_export(int argc, char *argv[])
{
    enum { OPT_NPY = 256 };
    static const struct option longopts[] = {{"npy", required_argument, NULL, OPT_NPY},
                                             CLI_COMMON_LONGOPTS, {NULL, 0, NULL, 0}};
    const char *dir = NULL;
    int c, r;
    optind = 1;
    while ((c = getopt_long(argc, argv, CLI_COMMON_SHORTOPTS, longopts, NULL)) >= 0) {
        if (c == 'h') {
            usage(stdout);
            return EXIT_OK;
        }
        if (c == OPT_NPY) dir = optarg;
        else if ((r = cli_common_option("export", c, optarg)) < 0) return EXIT_USAGE;
        else if (r == 0) return cli_usage_error("export", usage, NULL);
    }
    if (!dir) return cli_usage_error("export", usage, "--npy DIR is required");
    if (argc - optind != 1)
        return cli_usage_error("export", usage, "expected one DATA.gdl, got %d", argc - optind);
    return gdl_dataset_export_npy(argv[optind], dir) ? cli_runtime_error("export") : EXIT_OK;
}
