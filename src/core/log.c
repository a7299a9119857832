/* Logging with levels, and the per-thread last error that the CLI reports in one line. */
#include <stdarg.h>
#include <stdio.h>

#include "gdl/core.h"

static int log_level = GDL_LOG_WARN;
static _Thread_local char last_error[1024];

void gdl_log_set_level(int level) { log_level = level; }
int gdl_log_get_level(void) { return log_level; }

const char *gdl_last_error(void) { return last_error; }
void gdl_clear_error(void) { last_error[0] = 0; }

void gdl_log_msg(int level, const char *func, const char *fmt, ...)
{
    static const char tag[] = "?EWID";
    char msg[sizeof last_error];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (level == GDL_LOG_ERROR) {
        snprintf(last_error, sizeof last_error, "%s", msg);
        if (log_level < GDL_LOG_DEBUG) return; // the CLI prints it once, as "gdl CMD: msg"
    } else if (level > log_level) {
        return;
    }
    fprintf(stderr, "[%c::%s] %s\n", tag[level < 5 ? level : 0], func, msg);
}
