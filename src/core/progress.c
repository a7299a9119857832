/* A progress bar on stderr for long loops (training epochs, attribution), terminals only. */
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "gdl/core.h"

double gdl_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

void gdl_progress_begin(gdl_progress_t *p, const char *label, int64_t total)
{
    snprintf(p->label, sizeof p->label, "%s", label);
    p->total = total;
    p->t0 = gdl_seconds();
    p->last = -1;
    p->on = isatty(STDERR_FILENO) && gdl_log_get_level() >= GDL_LOG_INFO;
}

void gdl_progress_update(gdl_progress_t *p, int64_t done, const char *extra)
{
    if (!p->on) return;
    double now = gdl_seconds() - p->t0;
    if (p->last >= 0 && now - p->last < 0.2 && done < p->total) return;
    p->last = now;
    char bar[21];
    int fill = (int)(20 * done / (p->total ? p->total : 1));
    for (int i = 0; i < 20; i++) bar[i] = i < fill ? '#' : '.';
    bar[20] = 0;
    double eta = done ? now * (double)(p->total - done) / (double)done : 0;
    fprintf(stderr, "\r\033[K%s [%s] %lld/%lld%s%s  ETA %.0fs", p->label, bar, (long long)done,
            (long long)p->total, extra ? "  " : "", extra ? extra : "", eta);
}

void gdl_progress_end(gdl_progress_t *p)
{
    if (p->on && p->last >= 0) fputs("\r\033[K", stderr);
    p->on = 0;
}
