/* Output files that appear under their final name only when complete. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "gdl/core.h"

/* This machine's name for temp names: a PID means something only on its own node. */
static void host_name(char *buf, size_t size)
{
    if (gethostname(buf, size) != 0 || !*buf) snprintf(buf, size, "localhost");
    buf[size - 1] = 0;
    for (char *p = buf; *p; p++)
        if (*p == '/' || *p == '.') *p = '_';
}

char *gdl_tmp_path(const char *path)
{
    char host[128];
    host_name(host, sizeof host);
    size_t n = strlen(path) + strlen(host) + 40;
    char *tmp = malloc(n);
    if (tmp) snprintf(tmp, n, "%s.tmp.%s.%ld", path, host, (long)getpid());
    else gdl_log_error("out of memory");
    return tmp;
}

int gdl_remove_stale_tmp(const char *path)
{
    char host[128], *dir = strdup(path);
    if (!dir) return 0;
    host_name(host, sizeof host);
    char *slash = strrchr(dir, '/');
    const char *base = slash ? slash + 1 : path;
    if (slash) *slash = 0;
    DIR *d = opendir(slash ? (*dir ? dir : "/") : ".");
    int removed = 0;
    size_t nb = strlen(base), nh = strlen(host);
    for (struct dirent *e; d && (e = readdir(d));) {
        const char *n = e->d_name;
        // BASE.tmp.HOST.PID with a PID that no longer runs here
        if (strncmp(n, base, nb) || strncmp(n + nb, ".tmp.", 5) || strncmp(n + nb + 5, host, nh) || n[nb + 5 + nh] != '.')
            continue;
        char *end;
        long pid = strtol(n + nb + 6 + nh, &end, 10);
        if (*end || pid <= 0 || (kill((pid_t)pid, 0) == 0 || errno != ESRCH)) continue;
        char full[4096];
        snprintf(full, sizeof full, "%s%s%s", slash ? (*dir ? dir : "") : "", slash ? "/" : "", n);
        if (unlink(full) == 0) {
            gdl_log_info("%s: removed, left by process %ld, which is gone", full, pid);
            removed++;
        }
    }
    if (d) closedir(d);
    free(dir);
    return removed;
}

int gdl_output_check(const char *path)
{
    if (!path || strcmp(path, "-") == 0) return 0;
    char *tmp = gdl_tmp_path(path);
    if (!tmp) return -1;
    // the temp name itself: what the writer will create, in the directory it will create it in
    int fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL, 0644), e = errno;
    if (fd >= 0) {
        close(fd);
        unlink(tmp);
    }
    free(tmp);
    if (fd >= 0 || e == EEXIST) return 0;
    const char *slash = strrchr(path, '/');
    int n = slash ? (int)(slash - path) : 1;
    gdl_log_error("%.*s: cannot write %s there: %s", slash && n == 0 ? 1 : n, slash ? path : ".",
                  slash ? slash + 1 : path, strerror(e));
    return -1;
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

void gdl_log_write_error(const char *path)
{
    int e = errno ? errno : EIO; // a stream's error flag outlives the errno of its failed write
    gdl_log_error("%s: write failed: %s", path, strerror(e));
}

int gdl_outfile_close(gdl_outfile_t *o)
{
    int ret = 0;
    if (!o->fp) return -1;
    const char *name = o->tmp ? o->path : "stdout";
    if (fflush(o->fp) != 0 || ferror(o->fp)) { // a full disk shows here if not at an fwrite
        gdl_log_write_error(name);
        ret = -1;
    }
    if (!o->tmp) { // stdout: nothing to rename
        free(o->path);
        memset(o, 0, sizeof *o);
        return ret;
    }
    // synced and closed before the rename: the final name only ever holds a whole file
    if (ret == 0 && fsync(fileno(o->fp)) != 0 && errno != EINVAL) {
        gdl_log_write_error(o->path);
        ret = -1;
    }
    if (fclose(o->fp) != 0 && ret == 0) {
        gdl_log_error("%s: close failed: %s", o->path, strerror(errno));
        ret = -1;
    }
    o->fp = NULL;
    if (ret != 0) gdl_outfile_abort(o);
    return ret;
}

int gdl_outfile_rename(gdl_outfile_t *o)
{
    if (!o->tmp) return 0; // stdout, or already renamed
    int ret = 0;
    if (rename(o->tmp, o->path) != 0) {
        gdl_log_error("%s: cannot rename into place: %s", o->path, strerror(errno));
        unlink(o->tmp);
        ret = -1;
    }
    free(o->path);
    free(o->tmp);
    memset(o, 0, sizeof *o);
    return ret;
}

int gdl_outfile_commit(gdl_outfile_t *o)
{
    if (!o->fp) return -1;
    return gdl_outfile_close(o) == 0 ? gdl_outfile_rename(o) : -1;
}

void gdl_outfile_abort(gdl_outfile_t *o)
{
    if (!o->fp && !o->tmp) return;
    if (o->tmp) { // open or closed: its temp file goes
        if (o->fp) fclose(o->fp);
        unlink(o->tmp);
    }
    free(o->path);
    free(o->tmp);
    memset(o, 0, sizeof *o);
}
