/* Line reader over plain or gzip-compressed text (zlib reads both), with line numbers for
 * error messages. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include "gdl/core.h"
#include "gdl/dataops.h"

int gdl_lines_open(gdl_lines_t *r, const char *path)
{
    memset(r, 0, sizeof *r);
    r->path = path;
    r->gz = strcmp(path, "-") == 0 ? gzdopen(dup(STDIN_FILENO), "rb") : gzopen(path, "rb");
    if (!r->gz) {
        gdl_log_error("%s: cannot open", path);
        return -1;
    }
    return 0;
}

char *gdl_lines_next(gdl_lines_t *r)
{
    size_t len = 0;
    if (!r->gz) return NULL;
    for (;;) {
        if (r->cap - len < 2) {
            size_t cap = r->cap ? 2 * r->cap : 4096;
            char *b = realloc(r->buf, cap);
            if (!b) {
                gdl_log_error("out of memory");
                gzclose(r->gz);
                r->gz = NULL;
                r->lineno = -1;
                return NULL;
            }
            r->buf = b;
            r->cap = cap;
        }
        if (!gzgets(r->gz, r->buf + len, (int)(r->cap - len > (1u << 30) ? (1u << 30) : r->cap - len))) {
            int err;
            const char *msg = gzerror(r->gz, &err);
            if (err != Z_OK && err != Z_STREAM_END) {
                gdl_log_error("%s:%lld: read error (%s)", r->path, (long long)r->lineno + 1, msg);
                gzclose(r->gz);
                r->gz = NULL;
                r->lineno = -1;
                return NULL;
            }
            if (len == 0) return NULL;
            break;
        }
        len += strlen(r->buf + len);
        if (len && r->buf[len - 1] == '\n') break;
    }
    r->lineno++;
    if (len && r->buf[len - 1] == '\n') r->buf[--len] = 0;
    if (len && r->buf[len - 1] == '\r') r->buf[--len] = 0;
    return r->buf;
}

int gdl_lines_failed(const gdl_lines_t *r) { return r->lineno < 0; }

void gdl_lines_close(gdl_lines_t *r)
{
    if (r->gz) gzclose(r->gz);
    free(r->buf);
    r->gz = NULL;
    r->buf = NULL;
}

int gdl_split_tabs(char *s, char **fields, int max)
{
    int n = 0;
    for (;;) {
        if (n == max) return max + 1;
        fields[n++] = s;
        char *t = strchr(s, '\t');
        if (!t) return n;
        *t = 0;
        s = t + 1;
    }
}
