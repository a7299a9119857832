/* The plink 1 source of gdl encode: PREFIX.fam (samples), .bim (variants), .bed (SNP-major,
 * 2 bits per call). plink's A1 (usually the minor/ALT allele) counts as ALT, A2 as REF:
 * .bed codes 00 = A1/A1 (dosage 2), 10 = het (1), 11 = A2/A2 (0), 01 = missing. */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "encode_internal.h"
#include "gdl/core.h"

/* Splits a whitespace-separated line in place. */
static int split_ws(char *line, char **f, int max)
{
    int n = 0;
    for (char *tok = strtok(line, " \t\r\n"); tok && n < max; tok = strtok(NULL, " \t\r\n"))
        f[n++] = tok;
    return n;
}

int gdl_enc_run_plink(enc_t *e)
{
    const char *prefix = e->o->plink;
    char *fam = gdl_str_join(prefix, ".fam", NULL), *bim = gdl_str_join(prefix, ".bim", NULL), *bed = gdl_str_join(prefix, ".bed", NULL);
    FILE *ffam = NULL, *fbim = NULL, *fbed = NULL;
    char *line = NULL, **names = NULL, *f[7];
    uint8_t *col = NULL;
    size_t cap = 0;
    int64_t n = 0, ncap = 0, m = 0;
    long lineno = 0;
    int ret = -1;
    static const uint8_t dosage[4] = {2, 3, 1, 0}; // .bed code -> ALT (A1) dosage, 3 = missing
    if (!fam || !bim || !bed) goto out;
    if (!(ffam = fopen(fam, "r"))) {
        gdl_log_error("%s: %s", fam, strerror(errno));
        goto out;
    }
    while (getline(&line, &cap, ffam) > 0) {
        lineno++;
        if (split_ws(line, f, 6) < 6) {
            gdl_log_error("%s:%ld: expected 6 columns (FID IID father mother sex phenotype)", fam, lineno);
            goto out;
        }
        if (n == ncap) {
            ncap = ncap ? 2 * ncap : 256;
            char **p = realloc(names, ncap * sizeof *p);
            if (!p) goto oom;
            names = p;
        }
        if (!(names[n++] = strdup(f[1]))) goto oom;
    }
    // count variants first: the .bed size check needs M
    if (!(fbim = fopen(bim, "r"))) {
        gdl_log_error("%s: %s", bim, strerror(errno));
        goto out;
    }
    while (getline(&line, &cap, fbim) > 0) m++;
    rewind(fbim);
    if (!(fbed = fopen(bed, "rb"))) {
        gdl_log_error("%s: %s", bed, strerror(errno));
        goto out;
    }
    uint8_t magic[3];
    if (fread(magic, 1, 3, fbed) != 3 || magic[0] != 0x6c || magic[1] != 0x1b) {
        gdl_log_error("%s: not a plink .bed file (bad magic bytes)", bed);
        goto out;
    }
    if (magic[2] != 0x01) {
        gdl_log_error("%s: individual-major .bed is not supported (mode byte %d); rewrite it with "
                      "plink --make-bed", bed, magic[2]);
        goto out;
    }
    struct stat sb;
    uint64_t cb = (uint64_t)(n + 3) / 4;
    if (fstat(fileno(fbed), &sb) != 0 || (uint64_t)sb.st_size != 3 + cb * (uint64_t)m) {
        gdl_log_error("%s: %lld bytes, expected 3 + ceil(%" PRId64 " samples / 4) x %" PRId64
                      " variants = %llu", bed, (long long)sb.st_size, n, m,
                      (unsigned long long)(3 + cb * (uint64_t)m));
        goto out;
    }
    if (gdl_enc_select_samples(e, (const char *const *)names, n)) goto out;
    if (!(col = malloc(cb ? cb : 1))) goto oom;
    lineno = 0;
    while (getline(&line, &cap, fbim) > 0) {
        lineno++;
        if (split_ws(line, f, 7) != 6) {
            gdl_log_error("%s:%ld: expected 6 columns (chrom id cM pos A1 A2)", bim, lineno);
            goto out;
        }
        char *end;
        long long pos = strtoll(f[3], &end, 10);
        if (*end || pos < 0) {
            gdl_log_error("%s:%ld: bad position '%s'", bim, lineno, f[3]);
            goto out;
        }
        if (fread(col, 1, cb, fbed) != cb) {
            gdl_log_error("%s: read error at variant %ld", bed, lineno);
            goto out;
        }
        e->st->records++;
        const char *ref = f[5], *alt = f[4];
        if (e->o->snps_only && (strlen(ref) != 1 || strlen(alt) != 1)) {
            e->st->skip_not_snp++;
            continue;
        }
        for (int64_t i = 0; i < n; i++) {
            int64_t r = e->row_of[i];
            if (r >= 0) e->codes[r] = dosage[(col[i >> 2] >> (2 * (i & 3))) & 3];
        }
        int k = gdl_enc_emit(e, f[0], pos, f[1], ref, alt, NULL, 0);
        if (k < 0) goto out;
        e->st->kept_records += k;
    }
    ret = 0;
    goto out;
oom:
    gdl_log_error("out of memory");
out:
    for (int64_t i = 0; i < n; i++) free(names[i]);
    free(names);
    free(line);
    free(col);
    if (ffam) fclose(ffam);
    if (fbim) fclose(fbim);
    if (fbed) fclose(fbed);
    free(fam);
    free(bim);
    free(bed);
    return ret;
}
