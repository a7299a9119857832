/* gdl inspect: what a .gdl dataset or model holds. */
#include <stdio.h>
#include <stdlib.h>

#include "cli.h"
#include "gdl/core.h"
#include "gdl/data.h"

static void usage(FILE *fp)
{
    fprintf(fp, "Usage: gdl inspect [options] FILE.gdl\n\n"
                "Prints the metadata and the tensors (name, dtype, shape, bytes) of a .gdl file.\n\n"
                "Options:\n"
                "  -j, --json          one JSON object instead of the table\n" CLI_COMMON_USAGE);
}

static void print_table(const gdl_file_t *f)
{
    printf("file\t%s\nbytes\t%llu\n", gdl_file_path(f), (unsigned long long)gdl_file_size(f));
    for (int i = 0; i < gdl_file_meta_count(f); i++) {
        const char *key = gdl_file_meta_key(f, i);
        printf("meta\t%s\t%s\n", key, gdl_file_meta(f, key));
    }
    printf("#tensor\tname\tdtype\tshape\tbytes\n");
    for (int i = 0; i < gdl_file_count(f); i++) {
        const gdl_entry_t *e = gdl_file_entry(f, i);
        printf("tensor\t%s\t%s\t", e->name, gdl_dtype_name(e->dtype));
        for (int d = 0; d < e->ndim; d++) printf(d ? "x%lld" : "%lld", (long long)e->shape[d]);
        if (e->ndim == 0) printf("scalar");
        printf("\t%llu\n", (unsigned long long)e->nbytes);
    }
}

int gdl_cmd_inspect(int argc, char *argv[])
{
    static const struct option longopts[] = {{"json", no_argument, NULL, 'j'}, CLI_COMMON_LONGOPTS,
                                             {NULL, 0, NULL, 0}};
    int c, json = 0, r;
    while ((c = getopt_long(argc, argv, "j" CLI_COMMON_SHORTOPTS, longopts, NULL)) >= 0) {
        if (c == 'h') {
            usage(stdout);
            return EXIT_OK;
        }
        if (c == 'j') json = 1;
        else if ((r = cli_common_option("inspect", c, optarg)) < 0) return EXIT_USAGE;
        else if (r == 0) return cli_usage_error("inspect", usage, NULL);
    }
    if (argc - optind != 1)
        return cli_usage_error("inspect", usage, "expected one FILE.gdl, got %d", argc - optind);
    gdl_file_t *f = gdl_file_open(argv[optind]);
    if (!f) return cli_runtime_error("inspect");
    if (json) {
        char *s = gdl_file_describe_json(f);
        if (!s) {
            gdl_file_close(f);
            return cli_runtime_error("inspect");
        }
        printf("%s\n", s);
        free(s);
    } else {
        print_table(f);
    }
    gdl_file_close(f);
    return fflush(stdout) == 0 ? EXIT_OK : EXIT_RUNTIME;
}
