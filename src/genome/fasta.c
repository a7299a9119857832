/* FASTA records (plain or gzip), bases normalized to A C G T N with line numbers on errors. */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "gdl/core.h"
#include "gdl/sequence.h"

int gdl_fasta_open(gdl_fasta_t *fa, const char *path)
{
    memset(fa, 0, sizeof *fa);
    return gdl_lines_open(&fa->lines, path);
}

static char *header_name(const char *line)
{
    size_t n = strcspn(line + 1, " \t");
    char *s = malloc(n + 1);
    if (!s) {
        gdl_log_error("out of memory");
        return NULL;
    }
    memcpy(s, line + 1, n);
    s[n] = 0;
    return s;
}

int gdl_fasta_next(gdl_fasta_t *fa)
{
    gdl_lines_t *r = &fa->lines;
    const char *path = r->path;
    char *line;
    free(fa->name);
    fa->name = NULL;
    if (fa->pending) {
        fa->name = fa->pending;
        fa->line = fa->pending_line;
        fa->pending = NULL;
    } else {
        while ((line = gdl_lines_next(r)) && !*line) {}
        if (!line) return gdl_lines_failed(r) ? -1 : 0;
        if (line[0] != '>') {
            gdl_log_error("%s:%" PRId64 ": expected a '>' header line", path, r->lineno);
            return -1;
        }
        if (!(fa->name = header_name(line))) return -1;
        fa->line = r->lineno;
    }
    if (!*fa->name) {
        gdl_log_error("%s:%" PRId64 ": record without a name", path, fa->line);
        return -1;
    }
    fa->len = 0;
    while ((line = gdl_lines_next(r))) {
        if (line[0] == '>') {
            if (!(fa->pending = header_name(line))) return -1;
            fa->pending_line = r->lineno;
            break;
        }
        size_t n = strlen(line);
        if (fa->len + (int64_t)n + 1 > fa->cap) {
            int64_t cap = fa->cap ? fa->cap : 4096;
            while (cap < fa->len + (int64_t)n + 1) cap *= 2;
            char *s = realloc(fa->seq, (size_t)cap);
            if (!s) {
                gdl_log_error("out of memory");
                return -1;
            }
            fa->seq = s;
            fa->cap = cap;
        }
        for (size_t i = 0; i < n; i++) {
            char b = gdl_base_normalize((unsigned char)line[i]);
            if (!b) {
                if (line[i] == ' ' || line[i] == '\t') continue;
                gdl_log_error("%s:%" PRId64 ": record '%s': '%c' (byte %d) is not a base (A, C, "
                              "G, T, N or an IUPAC code)", path, r->lineno, fa->name,
                              line[i] >= 32 && line[i] < 127 ? line[i] : '?', (unsigned char)line[i]);
                return -1;
            }
            fa->seq[fa->len++] = b;
        }
    }
    if (gdl_lines_failed(r)) return -1;
    if (fa->len == 0) {
        gdl_log_error("%s:%" PRId64 ": record '%s' has no bases", path, fa->line, fa->name);
        return -1;
    }
    fa->seq[fa->len] = 0;
    return 1;
}

void gdl_fasta_close(gdl_fasta_t *fa)
{
    gdl_lines_close(&fa->lines);
    free(fa->name);
    free(fa->seq);
    free(fa->pending);
    memset(fa, 0, sizeof *fa);
}
