/* gdl: the command table and dispatch. Only commands that work are listed here. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "gdl/core.h"
#include "gdl/data.h"
#include "gdl/genome.h"

typedef struct {
    const char *name;
    int (*run)(int argc, char *argv[]);
    const char *summary;
} command_t;

static const command_t commands[] = {
    {"simulate", gdl_cmd_simulate, "simulated cohorts and sequences with planted truth"},
    {"encode", gdl_cmd_encode, "VCF/BCF/plink cohorts, FASTA/BED sequences or numeric tracks to a dataset"},
    {"join", gdl_cmd_join, "one dataset with the inputs of several, matched by ID"},
    {"export", gdl_cmd_export, "a dataset's inputs, labels and IDs as NumPy .npy and TSV files"},
    {"inspect", gdl_cmd_inspect, "show what a .gdl dataset or model holds"},
    {"train", gdl_cmd_train, "fit a model from a JSON config, with k-fold cross-validation"},
    {"predict", gdl_cmd_predict, "score a dataset with one model or the mean of several"},
    {"vep", gdl_cmd_vep, "the effect of each variant of a VCF on a sequence model's outputs"},
    {"eval", gdl_cmd_eval, "ROC/PR AUC and other metrics of a predictions.tsv, with plots"},
    {"attribute", gdl_cmd_attribute, "which variants, genes, pairs or bases drive a model"},
    {"epistasis", gdl_cmd_epistasis, "every pair of variants tested for interaction (BOOST), over the threads"},
    {"tune", gdl_cmd_tune, "search a config's space of hyperparameters and layers (successive halving)"},
    {"motifs", gdl_cmd_motifs, "first-layer convolution filters as MEME position weight matrices"},
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
    printf("cores %d (what -@ 0 uses: the CPUs this process may run on and its cgroup's CPU quota)\n",
           gdl_cores_available());
    const char *wider = gdl_blas_wider_kernels(), *set = getenv("OPENBLAS_CORETYPE");
    if (wider)
        printf("note: this CPU runs OpenBLAS's %s kernels, faster than those in use%s%s%s\n", wider,
               set ? " (OPENBLAS_CORETYPE=" : "", set ? set : "", set ? " is set: unset it to get them)" : "");
}

static const command_t *find(const char *name)
{
    for (int i = 0; i < N_COMMANDS; i++)
        if (strcmp(commands[i].name, name) == 0) return &commands[i];
    return NULL;
}

int main(int argc, char *argv[])
{
    gdl_blas_pick_kernels(argv);
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
    // past a file-size limit (ulimit -f, a quota) a write fails with EFBIG, reported like a full
    // disk, instead of the process being killed with a partial temp file left behind
    signal(SIGXFSZ, SIG_IGN);
    return c->run(argc - 1, argv + 1);
}
