/* gdl simulate sequences: random background with planted motifs and the truth of where they
 * are. L = sequence length, K = motifs. */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "gdl/core.h"
#include "gdl/sequence.h"

static int64_t count_occurrences(const char *s, int64_t L, const char *m, int64_t k)
{
    int64_t c = 0;
    for (int64_t i = 0; i + k <= L; i++) c += memcmp(s + i, m, (size_t)k) == 0;
    return c;
}

static void background(gdl_rng_t *r, double gc, char *s, int64_t L)
{
    for (int64_t i = 0; i < L; i++) {
        int strong = gdl_rng_uniform(r) < gc, second = gdl_rng_below(r, 2) == 1;
        s[i] = strong ? (second ? 'G' : 'C') : (second ? 'T' : 'A');
    }
}

int gdl_simulate_sequences(const gdl_simulate_seq_opts_t *o)
{
    int K = o->n_motifs, rc = -1;
    int64_t L = o->length, total = 0, len[GDL_DATASET_MAX_TARGETS], start[GDL_DATASET_MAX_TARGETS];
    char motif[GDL_DATASET_MAX_TARGETS][257], *s = NULL, *path[3] = {0};
    gdl_outfile_t out[3] = {{0}};
    int positive[GDL_DATASET_MAX_TARGETS];
    const char *suffix[3] = {".fa", ".labels.tsv", ".truth.tsv"};
    if (K < 1 || K > GDL_DATASET_MAX_TARGETS || o->n < 1 || L < 1 || o->fraction < 0 ||
        o->fraction > 1 || o->gc <= 0 || o->gc >= 1) {
        gdl_log_error("simulate: need 1 to %d motifs, n and length >= 1, 0 <= fraction <= 1, "
                      "0 < gc < 1", GDL_DATASET_MAX_TARGETS);
        return -1;
    }
    for (int k = 0; k < K; k++) {
        len[k] = (int64_t)strlen(o->motifs[k]);
        if (len[k] < 1 || len[k] > 256) {
            gdl_log_error("motif %d: length %" PRId64 ", expected 1 to 256", k + 1, len[k]);
            return -1;
        }
        for (int64_t i = 0; i < len[k]; i++) {
            char b = gdl_base_normalize((unsigned char)o->motifs[k][i]);
            if (!b || b == 'N') {
                gdl_log_error("motif %d '%s': '%c' is not A, C, G or T", k + 1, o->motifs[k],
                              o->motifs[k][i]);
                return -1;
            }
            motif[k][i] = b;
        }
        motif[k][len[k]] = 0;
        total += len[k];
    }
    if (total > L) {
        gdl_log_error("the motifs (%" PRId64 " bases together) do not fit in length %" PRId64, total, L);
        return -1;
    }
    if (!(s = malloc((size_t)L))) {
        gdl_log_error("out of memory");
        return -1;
    }
    for (int f = 0; f < 3; f++) {
        if (!(path[f] = malloc(strlen(o->prefix) + 16))) {
            gdl_log_error("out of memory");
            goto done;
        }
        sprintf(path[f], "%s%s", o->prefix, suffix[f]);
        if (gdl_outfile_open(&out[f], path[f])) goto done;
    }
    fprintf(out[1].fp, "id");
    for (int k = 0; k < K; k++) fprintf(out[1].fp, "\tmotif_%d", k + 1);
    fprintf(out[1].fp, "\n");
    fprintf(out[2].fp, "id\ttarget\tmotif\tstart\tend\n");
    gdl_rng_t label_rng, seq_rng;
    gdl_rng_init(&label_rng, o->seed, 0);
    gdl_rng_init(&seq_rng, o->seed, 1);
    for (int64_t i = 0; i < o->n; i++) {
        for (int k = 0; k < K; k++) positive[k] = gdl_rng_uniform(&label_rng) < o->fraction;
        int tries = 0, ok = 0;
        while (!ok) {
            if (++tries > 1000) {
                gdl_log_error("sequence %" PRId64 ": could not plant the motifs without chance "
                              "copies in 1000 tries (motifs too short or too many?)", i + 1);
                goto done;
            }
            background(&seq_rng, o->gc, s, L);
            ok = 1;
            for (int k = 0; k < K && ok; k++) {
                if (!positive[k]) continue;
                int placed = 0;
                for (int t = 0; t < 100 && !placed; t++) { // a free slot, not overlapping others
                    start[k] = (int64_t)gdl_rng_below(&seq_rng, (uint64_t)(L - len[k] + 1));
                    placed = 1;
                    for (int j = 0; j < k; j++)
                        if (positive[j] && start[k] < start[j] + len[j] && start[j] < start[k] + len[k])
                            placed = 0;
                }
                if (!placed) ok = 0;
                else memcpy(s + start[k], motif[k], (size_t)len[k]);
            }
            // the truth must be exact: each motif occurs exactly where planted, nowhere else
            for (int k = 0; k < K && ok; k++)
                ok = count_occurrences(s, L, motif[k], len[k]) == positive[k];
        }
        fprintf(out[0].fp, ">seq%" PRId64 "\n", i + 1);
        for (int64_t p = 0; p < L; p += 60) fprintf(out[0].fp, "%.*s\n", (int)(L - p < 60 ? L - p : 60), s + p);
        fprintf(out[1].fp, "seq%" PRId64, i + 1);
        for (int k = 0; k < K; k++) {
            fprintf(out[1].fp, "\t%d", positive[k]);
            if (positive[k])
                fprintf(out[2].fp, "seq%" PRId64 "\tmotif_%d\t%s\t%" PRId64 "\t%" PRId64 "\n", i + 1,
                        k + 1, motif[k], start[k] + 1, start[k] + len[k]);
        }
        fprintf(out[1].fp, "\n");
    }
    for (int f = 0; f < 3; f++)
        if (gdl_outfile_commit(&out[f])) goto done;
    rc = 0;
done:
    for (int f = 0; f < 3; f++) {
        if (rc) gdl_outfile_abort(&out[f]);
        free(path[f]);
    }
    free(s);
    return rc;
}
