/* Option handling and error reporting shared by every command. */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>

#include "cli.h"
#include "gdl/core.h"

int cli_parse_long(const char *arg, long *out)
{
    char *end;
    errno = 0;
    long v = strtol(arg, &end, 10);
    if (errno || end == arg || *end) return -1;
    *out = v;
    return 0;
}

int cli_parse_double(const char *arg, double *out)
{
    char *end;
    errno = 0;
    double v = strtod(arg, &end);
    if (errno || end == arg || *end || !isfinite(v)) return -1;
    *out = v;
    return 0;
}

int cli_parse_fraction(const char *arg, double *out)
{
    double v;
    if (cli_parse_double(arg, &v) || v < 0 || v > 1) return -1;
    *out = v;
    return 0;
}

int cli_common_option(const char *cmd, int c, const char *arg)
{
    long n;
    switch (c) {
    case 'v':
        gdl_log_set_level(gdl_log_get_level() < GDL_LOG_INFO ? GDL_LOG_INFO : GDL_LOG_DEBUG);
        return 1;
    case 'q':
        gdl_log_set_level(GDL_LOG_ERROR);
        return 1;
    case '@':
        if (cli_parse_long(arg, &n) != 0 || n < 0 || n > GDL_MAX_THREADS) {
            fprintf(stderr, "gdl %s: --threads: expected an integer from 0 (the cores this process may use) to %d, got '%s'\n",
                    cmd, GDL_MAX_THREADS, arg);
            return -1;
        }
        gdl_threads_set((int)n);
        return 1;
    }
    return 0;
}

int cli_usage_error(const char *cmd, void (*usage)(FILE *), const char *fmt, ...)
{
    va_list ap;
    if (fmt) {
        fprintf(stderr, "gdl %s: ", cmd);
        va_start(ap, fmt);
        vfprintf(stderr, fmt, ap);
        va_end(ap);
        fputc('\n', stderr);
    }
    usage(stderr);
    return EXIT_USAGE;
}

int cli_runtime_error(const char *cmd)
{
    const char *msg = gdl_last_error();
    fprintf(stderr, "gdl %s: %s\n", cmd, *msg ? msg : "failed");
    return EXIT_RUNTIME;
}

int cli_check_outputs(const char *cmd, int n, const char *const *paths)
{
    for (int i = 0; i < n; i++)
        if (gdl_output_check(paths[i]) != 0) return cli_runtime_error(cmd);
    return EXIT_OK;
}
