/* The lines of a VCF text stream for gdl encode: read a chunk of about 1 MB at a time (through
 * BGZF for gzip and BGZF, through hFILE for plain text) and handed out in place. htslib 1.16's
 * hts_getline looks for each line's end one byte at a time and copies the line out; this
 * finds it with memchr and copies nothing but the chunk. Same lines as hts_getline: "\n" and a
 * "\r" before it removed, a last line without "\n" kept. */
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <htslib/bgzf.h>
#include <htslib/hfile.h>

#include "gdl/core.h"
#include "vcf_internal.h"

enum { CHUNK = 1 << 20 };

/* Up to n bytes of the stream into p: the count, 0 at the end, -1 on error. */
static ssize_t read_stream(htsFile *fp, char *p, size_t n)
{
    if (fp->format.compression == no_compression) return hread(fp->fp.hfile, p, n);
    return bgzf_read(fp->fp.bgzf, p, n);
}

/* Moves the bytes not handed out to the front and reads more after them. 1 read something,
 * 0 at the end, -1 error. */
static int refill(vcf_lines_t *L, htsFile *fp)
{
    size_t have = L->end - L->beg;
    if (have && L->beg) memmove(L->buf, L->buf + L->beg, have);
    L->beg = 0, L->end = have;
    if (L->cap - have < CHUNK) { // a line longer than a chunk: room for it and the next chunk
        size_t cap = have + 2 * CHUNK;
        char *p = realloc(L->buf, cap + 1); // + 1: the NUL after a last line without "\n"
        if (!p) {
            gdl_log_error("out of memory");
            return -1;
        }
        L->buf = p, L->cap = cap;
    }
    ssize_t n = read_stream(fp, L->buf + L->end, L->cap - L->end);
    if (n < 0) return -1;
    if (n == 0) L->eof = 1;
    L->end += (size_t)n;
    return n > 0;
}

int vcf_lines_next(vcf_lines_t *L, htsFile *fp, char **line, size_t *len, int *partial)
{
    size_t scanned = 0; // bytes after beg known to hold no "\n"
    char *nl = NULL;
    *partial = 0;
    for (;;) {
        size_t have = L->end - L->beg;
        if (have > scanned && (nl = memchr(L->buf + L->beg + scanned, '\n', have - scanned)))
            break;
        if (L->eof) break;
        scanned = have;
        if (refill(L, fp) < 0) {
            *partial = L->end > L->beg;
            return -1;
        }
    }
    if (!nl && L->end == L->beg) return 0;
    char *s = L->buf + L->beg;
    size_t n = nl ? (size_t)(nl - s) : L->end - L->beg;
    L->beg += n + (nl != NULL);
    if (n > 0 && s[n - 1] == '\r') n--;
    s[n] = 0; // over the "\n", or in the byte kept free after the buffer's end
    *line = s, *len = n;
    return 1;
}

void vcf_lines_free(vcf_lines_t *L)
{
    free(L->buf);
    *L = (vcf_lines_t){0};
}
