/* Shared pieces of the libFuzzer targets (tests/fuzz/fuzz_*.c): each writes its input to files
 * in a private temporary directory (the readers take paths), calls gdl's reader through its
 * public API and frees everything. A returned error is expected; a crash, a leak, a sanitizer
 * report or a hang is a bug in gdl. Nothing is written into the source tree. */
#ifndef GDL_FUZZ_H
#define GDL_FUZZ_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "gdl/core.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char fuzz_dir_[64];

static void fuzz_cleanup_(void)
{
    if (!*fuzz_dir_) return;
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", fuzz_dir_);
    if (system(cmd) != 0) fprintf(stderr, "fuzz: could not remove %s\n", fuzz_dir_);
}

/* The directory of this process's files, made on first use, removed at exit. Errors stay
 * quiet: libFuzzer's throughput drops when every rejected input prints a line. */
static inline const char *fuzz_dir(void)
{
    if (*fuzz_dir_) return fuzz_dir_;
    const char *tmp = getenv("TMPDIR");
    snprintf(fuzz_dir_, sizeof fuzz_dir_, "%s/gdl-fuzz-XXXXXX", tmp && *tmp ? tmp : "/tmp");
    if (!mkdtemp(fuzz_dir_)) {
        perror("fuzz: mkdtemp");
        abort();
    }
    atexit(fuzz_cleanup_);
    if (!getenv("FUZZ_VERBOSE")) gdl_log_set_level(GDL_LOG_QUIET);
    return fuzz_dir_;
}

/* path (size bytes) := DIR/name holding data; aborts on a write failure (not gdl's fault). */
static inline const char *fuzz_file(char *path, size_t size, const char *name, const void *data, size_t n)
{
    snprintf(path, size, "%s/%s", fuzz_dir(), name);
    FILE *fp = fopen(path, "wb");
    if (!fp || (n && fwrite(data, 1, n, fp) != n) || fclose(fp) != 0) {
        perror(path);
        abort();
    }
    return path;
}

/* Cuts data at each "\n=====\n" into at most max parts (the rest stays in the last); returns
 * the count. Targets reading several files (plink's .bed/.bim/.fam) take one part each. */
#define FUZZ_SEP "\n=====\n"
static inline int fuzz_split(const uint8_t *data, size_t size, const uint8_t **part, size_t *len, int max)
{
    size_t k = strlen(FUZZ_SEP);
    int n = 0;
    while (n < max - 1) {
        const uint8_t *hit = NULL;
        for (size_t i = 0; i + k <= size && !hit; i++)
            if (memcmp(data + i, FUZZ_SEP, k) == 0) hit = data + i;
        if (!hit) break;
        part[n] = data, len[n] = (size_t)(hit - data), n++;
        size -= (size_t)(hit - data) + k, data = hit + k;
    }
    part[n] = data, len[n] = size;
    return n + 1;
}

/* NUL-terminated copy of data (the caller frees). */
static inline char *fuzz_text(const uint8_t *data, size_t size)
{
    char *s = malloc(size + 1);
    if (!s) abort();
    memcpy(s, data, size);
    s[size] = 0;
    return s;
}

#endif
