/* gdl: the command table and dispatch. Only commands that work are listed here. */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "gdl/core.h"
#include "gdl/data.h"
#include "gdl/genome.h"

/* gdl simulate KIND: only the sequence simulator on this branch (the genotype one joins at merge). */
static void simulate_usage(FILE *fp)
{
    fprintf(fp, "Usage: gdl simulate sequences [options]\n\n"
                "Simulated data with planted truth; 'gdl simulate sequences --help' for its options.\n\n"
                "Options:\n  -h, --help          this help\n");
}

static int simulate(int argc, char *argv[])
{
    if (argc >= 2 && strcmp(argv[1], "sequences") == 0)
        return gdl_cmd_simulate_sequences(argc - 1, argv + 1);
    if (argc >= 2 && (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0)) {
        simulate_usage(stdout);
        return EXIT_OK;
    }
    fprintf(stderr, "gdl simulate: expected a kind: sequences\n");
    simulate_usage(stderr);
    return EXIT_USAGE;
}

typedef struct {
    const char *name;
    int (*run)(int argc, char *argv[]);
    const char *summary;
} command_t;

static const command_t commands[] = {
    {"encode", gdl_cmd_encode_sequences, "sequences (FASTA, BED + reference) or numeric tracks to a dataset"},
    {"export", gdl_cmd_export, "a dataset's inputs, labels and IDs as NumPy .npy and TSV files"},
    {"inspect", gdl_cmd_inspect, "show what a .gdl dataset or model holds"},
    {"join", gdl_cmd_join, "one dataset with the inputs of several, matched by ID"},
    {"simulate", simulate, "simulated sequences with planted motifs and their truth"},
};
#define N_COMMANDS (int)(sizeof commands / sizeof commands[0])

static void usage(FILE *fp)
{
    fprintf(fp, "gdl %s: genomics deep learning from the command line\n\n"
                "Usage: gdl <command> [options]\n\nCommands:\n", GDL_VERSION);
    for (int i = 0; i < N_COMMANDS; i++)
        fprintf(fp, "  %-10s %s\n", commands[i].name, commands[i].summary);
    fprintf(fp, "  %-10s %s\n", "help", "gdl help CMD is gdl CMD --help");
    fprintf(fp, "\nOptions:\n  -h, --help     this help\n  --version      versions of gdl and"
                " its libraries\n\nRun 'gdl CMD --help' for a command's options.\n");
}

static void version(void)
{
    printf("gdl %s\nhtslib %s\nOpenBLAS %s\ncJSON %s\nzlib %s\n", GDL_VERSION,
           gdl_genome_htslib_version(), gdl_blas_config(), gdl_data_cjson_version(),
           gdl_data_zlib_version());
}

static const command_t *find(const char *name)
{
    for (int i = 0; i < N_COMMANDS; i++)
        if (strcmp(commands[i].name, name) == 0) return &commands[i];
    return NULL;
}

int main(int argc, char *argv[])
{
    if (argc < 2) {
        usage(stderr);
        return EXIT_USAGE;
    }
    const char *name = argv[1];
    if (strcmp(name, "-h") == 0 || strcmp(name, "--help") == 0) {
        usage(stdout);
        return EXIT_OK;
    }
    if (strcmp(name, "--version") == 0 || strcmp(name, "version") == 0) {
        version();
        return EXIT_OK;
    }
    if (strcmp(name, "help") == 0) {
        if (argc < 3) {
            usage(stdout);
            return EXIT_OK;
        }
        const command_t *c = find(argv[2]);
        if (!c) {
            fprintf(stderr, "gdl: unknown command '%s'; 'gdl --help' lists them\n", argv[2]);
            return EXIT_USAGE;
        }
        char *help_argv[] = {(char *)c->name, "--help", NULL};
        return c->run(2, help_argv);
    }
    const command_t *c = find(name);
    if (!c) {
        fprintf(stderr, "gdl: unknown command '%s'; 'gdl --help' lists them\n", name);
        return EXIT_USAGE;
    }
    gdl_threads_set(1);
    return c->run(argc - 1, argv + 1);
}
