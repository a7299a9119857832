/* Output files that appear under their final name only when complete. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "gdl/core.h"

char *gdl_tmp_path(const char *path)
{
    size_t n = strlen(path) + 32;
    char *tmp = malloc(n);
    if (tmp) snprintf(tmp, n, "%s.tmp.%ld", path, (long)getpid());
    else gdl_log_error("out of memory");
    return tmp;
}

int gdl_fsync_rename(int fd, const char *tmp, const char *path)
{
    if (fsync(fd) != 0 && errno != EINVAL) { // EINVAL: a pipe or special file, nothing to sync
        gdl_log_error("%s: %s", path, strerror(errno));
        return -1;
    }
    if (rename(tmp, path) != 0) {
        gdl_log_error("%s: cannot rename into place: %s", path, strerror(errno));
        return -1;
    }
    return 0;
}

int gdl_outfile_open(gdl_outfile_t *o, const char *path)
{
    memset(o, 0, sizeof *o);
    if (strcmp(path, "-") == 0) {
        o->fp = stdout;
        o->path = strdup(path);
        return o->path ? 0 : -1;
    }
    o->path = strdup(path);
    o->tmp = gdl_tmp_path(path);
    if (!o->path || !o->tmp) goto fail;
    o->fp = fopen(o->tmp, "wb");
    if (!o->fp) {
        gdl_log_error("%s: cannot create: %s", path, strerror(errno));
        goto fail;
    }
    return 0;
fail:
    free(o->path);
    free(o->tmp);
    memset(o, 0, sizeof *o);
    return -1;
}

int gdl_outfile_commit(gdl_outfile_t *o)
{
    int ret = 0;
    if (!o->fp) return -1;
    if (!o->tmp) { // stdout
        if (fflush(o->fp) != 0 || ferror(o->fp)) {
            gdl_log_error("stdout: write failed: %s", strerror(errno));
            ret = -1;
        }
    } else {
        if (fflush(o->fp) != 0 || ferror(o->fp)) {
            gdl_log_error("%s: write failed: %s", o->path, strerror(errno));
            ret = -1;
        } else {
            ret = gdl_fsync_rename(fileno(o->fp), o->tmp, o->path);
        }
        if (fclose(o->fp) != 0 && ret == 0) {
            gdl_log_error("%s: close failed: %s", o->path, strerror(errno));
            ret = -1;
        }
        if (ret != 0) unlink(o->tmp);
    }
    free(o->path);
    free(o->tmp);
    memset(o, 0, sizeof *o);
    return ret;
}

void gdl_outfile_abort(gdl_outfile_t *o)
{
    if (!o->fp) return;
    if (o->tmp) {
        fclose(o->fp);
        unlink(o->tmp);
    }
    free(o->path);
    free(o->tmp);
    memset(o, 0, sizeof *o);
}
