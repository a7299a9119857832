/* predictions.tsv's bytes: a file mapped (stdin read whole), paged in and dropped a window at a
 * time, and its row starts found in parallel over blocks of bytes. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "eval_internal.h"
#include "gdl/core.h"

/* ---- row starts, found in parallel over blocks of bytes ---------------------------------------- */

#define LINE_BLOCKS 256

typedef struct {
    const char *buf;
    size_t start, end, last;    // the window's bytes [start, end) of the rows' [.., last)
    int64_t first[LINE_BLOCKS]; // rows starting in each block, then the index of the first
    int64_t *line;
} line_ctx_t;

static void block_range(const line_ctx_t *c, int64_t b, const char **s, const char **e)
{
    size_t len = c->end - c->start;
    *s = c->buf + c->start + len * (size_t)b / LINE_BLOCKS;
    *e = c->buf + c->start + len * (size_t)(b + 1) / LINE_BLOCKS;
}

/* a row starts after each newline that is not the last byte */
static void count_lines(void *arg, int64_t begin, int64_t end, int chunk)
{
    (void)chunk;
    line_ctx_t *c = arg;
    for (int64_t b = begin; b < end; b++) {
        const char *s, *e, *last = c->buf + c->last;
        block_range(c, b, &s, &e);
        int64_t n = 0;
        for (const char *q = s; (q = memchr(q, '\n', (size_t)(e - q))) && q + 1 < last; q++) n++;
        c->first[b] = n;
    }
}

static void find_lines(void *arg, int64_t begin, int64_t end, int chunk)
{
    (void)chunk;
    line_ctx_t *c = arg;
    for (int64_t b = begin; b < end; b++) {
        const char *s, *e, *last = c->buf + c->last;
        block_range(c, b, &s, &e);
        int64_t r = c->first[b];
        for (const char *q = s; (q = memchr(q, '\n', (size_t)(e - q))) && q + 1 < last; q++)
            c->line[r++] = q + 1 - c->buf;
    }
}

/* ---- the whole file, a window at a time ----------------------------------------------------------- */

/* A file is mapped and read in windows of about this many bytes: each is paged in with one call
 * and dropped after use, so the resident size holds one window, not the file. */
size_t gdl_eval_read_window = (size_t)64 << 20;

void gdl_eval_text_window_in(const eval_text_t *t, size_t from, size_t to)
{
    if (!t->mapped || to <= from) return;
    size_t pg = (size_t)sysconf(_SC_PAGESIZE), a = from / pg * pg;
#ifdef MADV_POPULATE_READ
    madvise((char *)t->buf + a, to - a, MADV_POPULATE_READ); // a hint: page faults do the same
#else
    madvise((char *)t->buf + a, to - a, MADV_WILLNEED);
#endif
}

void gdl_eval_text_window_out(const eval_text_t *t, size_t from, size_t to)
{
    if (!t->mapped) return;
    size_t pg = (size_t)sysconf(_SC_PAGESIZE), a = from / pg * pg, b = to / pg * pg;
    if (b > a) madvise((char *)t->buf + a, b - a, MADV_DONTNEED);
}

int64_t gdl_eval_text_find_rows(eval_text_t *t, size_t start, size_t end)
{
    int64_t N = end > start, cap = 0;
    line_ctx_t *lc = calloc(1, sizeof *lc);
    if (!lc) goto oom;
    lc->buf = t->buf, lc->last = end;
    for (size_t ws = start; ws < end;) {
        size_t we = end - ws > gdl_eval_read_window ? ws + gdl_eval_read_window : end;
        lc->start = ws, lc->end = we;
        gdl_eval_text_window_in(t, ws, we);
        gdl_parallel_for(LINE_BLOCKS, count_lines, lc); // newlines per block of bytes
        int64_t n0 = N;
        for (int b = 0; b < LINE_BLOCKS; b++) {
            int64_t n = lc->first[b];
            lc->first[b] = N; // now: index of the first row starting in block b
            N += n;
        }
        if (N + 1 > cap) {
            int64_t nc = cap ? cap : 1024;
            while (nc < N + 1) nc *= 2;
            int64_t *nl = realloc(t->line, sizeof *nl * (size_t)nc);
            if (!nl) goto oom;
            t->line = nl, cap = nc;
        }
        t->line[0] = (int64_t)start;
        lc->line = t->line;
        if (N > n0) gdl_parallel_for(LINE_BLOCKS, find_lines, lc);
        gdl_eval_text_window_out(t, ws, we);
        if (we == end) break;
        ws = we;
    }
    if (N > 0) t->line[N] = (int64_t)end;
    free(lc);
    return N;
oom:
    free(lc);
    gdl_log_error("out of memory");
    return -1;
}

int gdl_eval_text_load(eval_text_t *t)
{
    if (strcmp(t->path, "-") == 0) {
        size_t cap = 1 << 20, n = 0;
        char *b = malloc(cap);
        for (;;) {
            if (!b) {
                gdl_log_error("out of memory reading standard input");
                return -1;
            }
            n += fread(b + n, 1, cap - n, stdin);
            if (n < cap) break;
            char *nb = realloc(b, cap *= 2);
            if (!nb) free(b);
            b = nb;
        }
        if (ferror(stdin)) {
            gdl_log_error("-: read error: %s", strerror(errno));
            free(b);
            return -1;
        }
        t->buf = b, t->size = n;
        return 0;
    }
    int fd = open(t->path, O_RDONLY);
    if (fd < 0) {
        gdl_log_error("%s: %s", t->path, strerror(errno));
        return -1;
    }
    struct stat st;
    if (fstat(fd, &st) != 0 || S_ISDIR(st.st_mode)) {
        gdl_log_error("%s: %s", t->path, S_ISDIR(st.st_mode) ? "is a directory" : strerror(errno));
        close(fd);
        return -1;
    }
    t->size = (size_t)st.st_size;
    if (t->size == 0) {
        close(fd);
        t->buf = NULL;
        return 0;
    }
    void *m = mmap(NULL, t->size, PROT_READ, MAP_PRIVATE, fd, 0);
    close(fd);
    if (m == MAP_FAILED) {
        gdl_log_error("%s: cannot map: %s", t->path, strerror(errno));
        return -1;
    }
    madvise(m, t->size, MADV_SEQUENTIAL);
    t->buf = m, t->mapped = 1;
    return 0;
}


void gdl_eval_text_free(eval_text_t *t)
{
    free(t->line);
    if (t->mapped) munmap((void *)t->buf, t->size);
    else free((void *)t->buf);
    memset(t, 0, sizeof *t);
}
