/* Shared pieces of the command-line layer: the command table entries and common options.
 * src/cli/ is the only place that prints usage and decides exit codes. */
#ifndef GDL_CLI_H
#define GDL_CLI_H

#include <getopt.h>
#include <stdio.h>

#include "gdl/model.h"

enum { EXIT_OK = 0, EXIT_USAGE = 1, EXIT_RUNTIME = 2 };

/* Each command: int gdl_cmd_NAME(int argc, char *argv[]), argv[0] being the command name. */
int gdl_cmd_inspect(int argc, char *argv[]);
int gdl_cmd_encode(int argc, char *argv[]);
int gdl_cmd_simulate(int argc, char *argv[]);
int gdl_cmd_train(int argc, char *argv[]);
int gdl_cmd_predict(int argc, char *argv[]);
int gdl_cmd_vep(int argc, char *argv[]);
int gdl_cmd_eval(int argc, char *argv[]);
int gdl_cmd_attribute(int argc, char *argv[]);
int gdl_cmd_motifs(int argc, char *argv[]);
int gdl_cmd_epistasis(int argc, char *argv[]);
int gdl_cmd_tune(int argc, char *argv[]);
int gdl_cmd_encode_sequences(int argc, char *argv[]); // gdl encode: FASTA, BED + ref, TSV/NPY
void cli_encode_seq_usage(FILE *fp); // the sequence/numeric half of gdl encode's usage
int gdl_cmd_join(int argc, char *argv[]);
int gdl_cmd_export(int argc, char *argv[]);
int gdl_cmd_simulate_sequences(int argc, char *argv[]); // argv[0] = "sequences"

/* Options every command takes, spelled the same everywhere. Put CLI_COMMON_LONGOPTS in the
 * long-option table and CLI_COMMON_SHORTOPTS in the short-option string; pass unhandled
 * option codes to cli_common_option. */
#define CLI_COMMON_SHORTOPTS "hvq@:"
#define CLI_COMMON_LONGOPTS                                                                       \
    {"help", no_argument, NULL, 'h'}, {"verbose", no_argument, NULL, 'v'},                        \
        {"quiet", no_argument, NULL, 'q'}, {"threads", required_argument, NULL, '@'}
#define CLI_COMMON_USAGE                                                                          \
    "  -@, --threads INT   threads for OpenBLAS and gdl's loops, up to 256; 0 = the cores this\n"   \
    "                      process may use (affinity, cgroup quota) [1]\n"                         \
    "  -v, --verbose       more messages on stderr (repeat for debug traces)\n"                  \
    "  -q, --quiet         errors only\n"                                                        \
    "  -h, --help          this help\n"

/* Handles -v, -q, -@. Returns 1 if handled, 0 if c is not a common option, -1 on a bad value
 * (message printed). */
int cli_common_option(const char *cmd, int c, const char *arg);

/* Usage error: prints "gdl CMD: msg" then the usage to stderr; returns EXIT_USAGE. */
int cli_usage_error(const char *cmd, void (*usage)(FILE *), const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Runtime failure: prints "gdl CMD: <last error>" to stderr; returns EXIT_RUNTIME. */
int cli_runtime_error(const char *cmd);

/* Each of the n output paths (NULL and "-" skipped) can be written: EXIT_OK, or EXIT_RUNTIME
 * after "gdl CMD: DIR: cannot write NAME there: REASON" (a read-only directory), so a command
 * fails before any work. */
int cli_check_outputs(const char *cmd, int n, const char *const *paths);

/* Parses a whole integer / real; 0 on success, -1 if arg is not one. */
int cli_parse_long(const char *arg, long *out);
int cli_parse_double(const char *arg, double *out);
/* A fold's held-out metric (gdl_fold_metric_fn): arg NULL for the target kind's main one (ROC AUC,
 * accuracy, R^2), else a const gdl_metric_t *. */
double cli_fold_metric(const gdl_runner_t *r, const int64_t *rows, int64_t n, const float *scores,
                       const char **name, const void *arg);
int cli_parse_fraction(const char *arg, double *out); // a number in [0, 1]; -1 otherwise

#endif
