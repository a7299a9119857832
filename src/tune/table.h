/* gdl tune's trial table: its rows in memory, its TSV file, and the part files of --trial runs. */
#ifndef GDL_TUNE_TABLE_H
#define GDL_TUNE_TABLE_H

#include <stdint.h>

#include "gdl/tune.h"

typedef struct {
    int64_t trial;
    int rung, epochs;           // rung 0-based (the file's is 1-based)
    double metric, loss, seconds;
    char status[160];           // "ok", or why the trial failed
} tune_row_t;

typedef struct {
    tune_row_t *rows;
    int64_t n, cap;
} tune_table_t;

/* The search's trials: random, 0..trials-1; grid, trial 0 and the grid's points. */
int64_t gdl_tune_n_trials(const gdl_tune_opts_t *o, const gdl_space_t *s);
/* Trial t's values (gdl_space_values_free them): the defaults for t = 0. -1 out of memory. */
int gdl_tune_trial_values(const gdl_tune_opts_t *o, const gdl_space_t *s, int64_t t, char ***v);

const tune_row_t *gdl_tune_find_row(const tune_table_t *t, int64_t trial, int rung);
/* Appends r; -1 out of memory (with an error). */
int gdl_tune_add_row(tune_table_t *t, const tune_row_t *r);
/* Rows by rung, then trial: the order one process runs them in. */
void gdl_tune_sort_rows(tune_table_t *t);

/* Writes t to path atomically (header: trial, rung, epochs, the parameters' JSON paths, the
 * metric's name, loss, seconds, status). 0, or -1 with an error. */
int gdl_tune_write_table(const gdl_tune_opts_t *o, const gdl_space_t *s, const tune_table_t *t,
                     const char *metric_name, const char *path);
/* Adds path's rows not in t yet; a missing file adds nothing. A table of another search (other
 * columns, trials or values) is an error naming the file and line. 0, or -1 with an error. */
int gdl_tune_read_table(const gdl_tune_opts_t *o, const gdl_space_t *s, tune_table_t *t,
                    const char *metric_name, const char *path);

/* TABLE.trialI: the rows a --trial I run adds (malloc'd). */
char *gdl_tune_part_path(const char *table_path, int64_t trial);
/* The part files of table_path that exist (malloc'd paths, free with gdl_tune_paths_free), in trial
 * order; their number, or -1 with an error. */
int64_t gdl_tune_find_parts(const char *table_path, char ***paths);
void gdl_tune_paths_free(char **paths, int64_t n);

#endif
